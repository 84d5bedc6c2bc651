// Where the playground's wasm bytes are: code per crate (and the largest functions), data, other sections.
//
//   node scripts/bench/wasm-size.mjs FILE.wasm [top = 40]
//
// FILE must keep its name section: `WASM_NAMES=1 bash scripts/build-web.sh` builds web/dist with one (the same
// wasm-opt passes as the shipped file, with `-g`; the code and data sections are the shipped ones). Function names are Rust symbols (legacy mangling);
// a function is counted under the first crate its path names (`core`, `alloc`, `serde_json`, `kmsim_kms`, ...), a
// generic instance under the crate that defines the function, so `<T as serde::Deserialize>` impls of the core's
// types land in that crate. "gzip" per crate is that crate's function bodies concatenated and compressed on their
// own (gzip -9): a guide to what a cut saves, not an exact share of the shipped gzip.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/bench/wasm-size.mjs FILE.wasm [top]");
  process.exit(2);
}
const top = Number(topArg ?? 40);
const wasm = readFileSync(file);
let p = 8;
const u32 = () => {
  let r = 0, shift = 0, x;
  do {
    x = wasm[p++];
    r += (x & 0x7f) * 2 ** shift;
    shift += 7;
  } while (x & 0x80);
  return r;
};
const str = () => {
  const n = u32();
  const s = wasm.subarray(p, p + n).toString("utf8");
  p += n;
  return s;
};

const sections = [];
let importedFuncs = 0;
let bodies = [];
const names = new Map();
let dataBytes = 0;
const SECTION = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element",
  "code", "data", "datacount", "tag"];
while (p < wasm.length) {
  const id = wasm[p++];
  const size = u32();
  const start = p;
  const end = p + size;
  let label = SECTION[id] ?? `section ${id}`;
  if (id === 0) {
    const name = str();
    label = `custom "${name}"`;
    if (name === "name") {
      while (p < end) {
        const sub = wasm[p++];
        const len = u32();
        const subEnd = p + len;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) {
            const idx = u32();
            names.set(idx, str());
          }
        }
        p = subEnd;
      }
    }
  } else if (id === 2) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      str();
      str();
      const kind = wasm[p++];
      if (kind === 0) (u32(), importedFuncs++);
      else if (kind === 1) { p++; const f = wasm[p++]; u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = wasm[p++]; u32(); if (f & 1) u32(); }
      else if (kind === 3) p += 2;
      else if (kind === 4) (p++, u32());
    }
  } else if (id === 10) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      const len = u32();
      bodies.push({ index: importedFuncs + i, size: len, bytes: wasm.subarray(p, p + len) });
      p += len;
    }
  } else if (id === 11) {
    dataBytes = size;
  }
  sections.push({ label, size: end - start });
  p = end;
}

// `_ZN4core3fmt5write17h...E` -> ["core", "fmt", "write"]; `_ZN<impl ...>` paths start with `_$LT$`.
function path(symbol) {
  const m = /^_ZN(.*)E$/.exec(symbol);
  if (!m) return [symbol];
  const parts = [];
  let s = m[1];
  while (s.length) {
    const n = /^(\d+)/.exec(s);
    if (!n) break;
    const len = Number(n[1]);
    parts.push(s.slice(n[1].length, n[1].length + len));
    s = s.slice(n[1].length + len);
  }
  return parts;
}
const demangle = (part) => part.replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">").replace(/\$u20\$/g, " ")
  .replace(/\$RF\$/g, "&").replace(/\$C\$/g, ",").replace(/\$u7b\$/g, "{").replace(/\$u7d\$/g, "}")
  .replace(/\.\./g, "::").replace(/^_/, "");
const PRIMITIVE = new Set(["bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8",
  "u16", "u32", "u64", "u128", "usize", "dyn", "impl", "mut", "const"]);
function crateOf(symbol) {
  // Legacy-mangled (`_ZN...E`) or already demangled (`kmsim_kms::x::y::h0123...`, `<T as serde::Serialize>::...`):
  // the first path's first segment that is not a primitive type.
  const text = symbol.startsWith("_ZN") ? path(symbol).map(demangle).join("::") : symbol;
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/g)) {
    if (!PRIMITIVE.has(m[1])) return m[1];
  }
  return "(other)";
}

const crates = new Map();
for (const b of bodies) {
  const name = names.get(b.index) ?? `func${b.index}`;
  b.name = name;
  const c = crateOf(name);
  const e = crates.get(c) ?? { size: 0, count: 0, parts: [] };
  e.size += b.size;
  e.count++;
  e.parts.push(b.bytes);
  crates.set(c, e);
}
const codeTotal = bodies.reduce((a, b) => a + b.size, 0);
console.log(`${file}: ${wasm.length} bytes, ${bodies.length} functions (${names.size} named)`);
console.log("sections:");
for (const s of sections) console.log(`  ${s.label.padEnd(28)} ${String(s.size).padStart(9)}`);
console.log(`code by crate (raw bytes, share of code, gzip -9 of the crate's bodies alone):`);
const rows = [...crates.entries()].sort((a, b) => b[1].size - a[1].size);
for (const [c, e] of rows.slice(0, 30)) {
  const gz = gzipSync(Buffer.concat(e.parts), { level: 9 }).length;
  console.log(`  ${c.padEnd(28)} ${String(e.size).padStart(9)} ${(100 * e.size / codeTotal).toFixed(1).padStart(5)} % ${String(gz).padStart(8)} gz  ${e.count} fns`);
}
console.log(`largest functions:`);
for (const b of [...bodies].sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`  ${String(b.size).padStart(7)}  ${path(b.name).map(demangle).filter((x) => !/^h[0-9a-f]{16}$/.test(x)).join("::").slice(0, 150) || b.name}`);
}
console.log(`data section: ${dataBytes} bytes`);
