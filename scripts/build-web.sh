#!/usr/bin/env bash
# Builds the playground into web/dist: cargo (profile `web`: opt z, lto, panic abort) -> wasm-bindgen --target web
# -> wasm-opt -Oz (npm binaryen; Debian's binaryen cannot read today's wasm-bindgen output) -> the glue's imports
# renamed to short names (in the wasm and the JS alike) -> JS glue and style.css minified by npm esbuild, the
# editor (web/editor/editor.js + CodeMirror) bundled by it, its loader (web/editor/loader.js) minified ->
# index.html and embed.html (+ examples/docs.html). The readable glue and stylesheet are kept in $TARGET_DIR/web-readable (not shipped).
# Run scripts/setup.sh first on a fresh machine. Prints every asset's raw and gzip size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

DIST=web/dist
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
READABLE=$TARGET_DIR/web-readable
WASM_OPT=web/node_modules/.bin/wasm-opt
ESBUILD=web/node_modules/.bin/esbuild
for tool in "$WASM_OPT" "$ESBUILD"; do
  [[ -x $tool ]] || { echo "build-web: $tool missing: run scripts/setup.sh" >&2; exit 1; }
done

start=$SECONDS
# strip=false: wasm-bindgen needs the target_features section (wasm-opt strips the rest below).
CARGO_PROFILE_WEB_STRIP=false cargo build -p kmsim-web --bin kmsim-web --target wasm32-unknown-unknown --profile web
echo "build-web: cargo build done in $((SECONDS - start)) s"

rm -rf "$DIST"
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-dir "$DIST" "$TARGET_DIR/wasm32-unknown-unknown/web/kmsim-web.wasm"

t=$SECONDS
# The features rustc enables by default for wasm32-unknown-unknown (wasm-opt must accept them, may use no others).
# WASM_NAMES=1 keeps the function names (wasm-opt -g): for CPU profiles with Rust names and for
# `node scripts/bench/wasm-size.mjs web/dist/kmsim-web_bg.wasm` (where the bytes are); never shipped that way.
STRIP=(--strip-debug)
[[ ${WASM_NAMES:-} == 1 ]] && STRIP=(-g)
"$WASM_OPT" -Oz --enable-bulk-memory --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext "${STRIP[@]}" --strip-producers "$DIST/kmsim-web_bg.wasm" -o "$DIST/kmsim-web_bg.wasm"
echo "build-web: wasm-opt -Oz done in $((SECONDS - t)) s"

# Short import names: wasm-bindgen names each import `__wbg_NAME_HASH` (16 hex digits that neither gzip nor the
# minifier can shrink), once in the wasm's import section and once in the glue. Renamed to `a`, `b`, ... (module
# `a`) in both. It fails unless every import of the glue's module is in the glue, every glue import is used, and
# no import's name occurs anywhere else in the glue.
rm -rf "$READABLE"
mkdir -p "$READABLE"
mv "$DIST/kmsim-web.js" "$READABLE/kmsim-web.js"
cp web/style.css "$READABLE/style.css"
node --input-type=module - "$READABLE/kmsim-web.js" "$DIST/kmsim-web_bg.wasm" "$READABLE/kmsim-web.short.js" \
  "$DIST/kmsim-web_bg.wasm" <<'JS'
import { readFileSync, writeFileSync } from "node:fs";
const [jsIn, wasmIn, jsOut, wasmOut] = process.argv.slice(2);
const MODULE = "./kmsim-web_bg.js";
const fail = (message) => {
  console.error(`build-web: ${message}`);
  process.exit(1);
};
let js = readFileSync(jsIn, "utf8");
const wasm = readFileSync(wasmIn);

// The import object's keys (`        NAME: function`); each must occur nowhere else in the glue.
const keys = [...js.matchAll(/^ {8}([A-Za-z_][\w]*): function/gm)].map((m) => m[1]);
for (const k of keys) {
  if (js.split(k).length !== 2) fail(`import \`${k}\` is named more than once in the glue`);
}
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const short = (i) => {
  let s = "";
  do {
    s += LETTERS[i % LETTERS.length];
    i = Math.floor(i / LETTERS.length);
  } while (i > 0);
  return s;
};
const renamed = new Map(keys.map((k, i) => [k, short(i)]));

// The wasm: every section copied as is except the import section (id 2), rebuilt with the new names.
let p = 0;
const u32 = () => {
  let r = 0, shift = 0, x;
  do {
    x = wasm[p++];
    r |= (x & 0x7f) << shift;
    shift += 7;
  } while (x & 0x80);
  return r >>> 0;
};
const leb = (n) => {
  const o = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n) x |= 0x80;
    o.push(x);
  } while (n);
  return o;
};
const name = () => {
  const n = u32();
  const s = wasm.subarray(p, p + n).toString("utf8");
  p += n;
  return s;
};
const encode = (s) => {
  const b = Buffer.from(s, "utf8");
  return [...leb(b.length), ...b];
};
const limits = () => {
  const flags = wasm[p++];
  u32();
  if (flags & 1) u32();
};
if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) fail("not a wasm module");
p = 8;
const out = [wasm.subarray(0, 8)];
const used = new Set();
while (p < wasm.length) {
  const id = wasm[p++];
  const size = u32();
  const end = p + size;
  if (id !== 2) {
    out.push(Buffer.from([id, ...leb(size)]), wasm.subarray(p, end));
    p = end;
    continue;
  }
  const count = u32();
  const body = [...leb(count)];
  for (let i = 0; i < count; i++) {
    let module = name();
    let field = name();
    const desc = p;
    const kind = wasm[p++];
    if (kind === 0) u32(); // function: type index
    else if (kind === 1) (p++, limits()); // table: reference type, limits
    else if (kind === 2) limits(); // memory
    else if (kind === 3) p += 2; // global: value type, mutability
    else if (kind === 4) (p++, u32()); // tag: attribute, type index
    else fail(`unknown import kind ${kind}`);
    if (module === MODULE) {
      if (!renamed.has(field)) fail(`import \`${field}\` is not in the glue`);
      used.add(field);
      module = "a";
      field = renamed.get(field);
    }
    body.push(...encode(module), ...encode(field), ...wasm.subarray(desc, p));
  }
  if (p !== end) fail("the import section's length does not match its contents");
  out.push(Buffer.from([2, ...leb(body.length)]), Buffer.from(body));
}
for (const k of keys) if (!used.has(k)) fail(`glue import \`${k}\` is not imported by the wasm`);

// The glue: the same keys and module renamed.
for (const [k, v] of renamed) js = js.replace(new RegExp(`^( {8})${k}: function`, "m"), `$1${v}: function`);
const before = js;
js = js.replace(`"${MODULE}": import0`, "a: import0");
if (js === before) fail("the import module's name is not in the glue");
writeFileSync(jsOut, js);
writeFileSync(wasmOut, Buffer.concat(out));
console.log(`build-web: renamed ${renamed.size} imports`);
JS
"$ESBUILD" "$READABLE/kmsim-web.short.js" --minify --format=esm --log-level=warning --outfile="$DIST/kmsim-web.js"
"$ESBUILD" "$READABLE/style.css" --minify --log-level=warning --outfile="$DIST/style.css"
# The policy editor: CodeMirror 6 (npm) and web/editor/editor.js in one module, editor.js, imported after the first
# render by its loader (web/editor/loader.js, not bundled: its `import("./editor.js")` stays), which the glue imports
# as ./editor-loader.js.
"$ESBUILD" web/editor/editor.js --bundle --minify --format=esm --log-level=warning --outfile="$DIST/editor.js"
"$ESBUILD" web/editor/loader.js --minify --format=esm --log-level=warning --outfile="$DIST/editor-loader.js"
echo "build-web: glue, editor and stylesheet minified (readable copies in $READABLE)"
cp web/index.html web/embed.html "$DIST/"
# An example docs page with two embeds (docs/embed.md), served at /examples/docs.html.
mkdir -p "$DIST/examples"
cp web/examples/docs.html "$DIST/examples/"

# Precompressed copies (FILE.br, FILE.gz) for scripts/serve.py, which sends one when the browser accepts it. Node's
# zlib has both brotli and gzip (no other tool needed on CI).
node --input-type=module - "$DIST" <<'JS'
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
const dir = process.argv[2];
for (const name of readdirSync(dir)) {
  if (!/\.(wasm|js|css|html|json)$/.test(name)) continue;
  const raw = readFileSync(join(dir, name));
  writeFileSync(join(dir, name + ".gz"), zlib.gzipSync(raw, { level: 9 }));
  writeFileSync(join(dir, name + ".br"), zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }));
}
JS

echo "build-web: assets in $DIST (raw / gzip -9 / brotli bytes, as served by scripts/serve.py)"
total_raw=0
total_gz=0
for f in "$DIST"/*; do
  [[ $f == *.gz || $f == *.br || -d $f ]] && continue
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  br=$( [[ -f $f.br ]] && wc -c <"$f.br" || echo "-")
  printf '  %-28s %9d %9d %9s\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '  %-28s %9d %9d\n' "total" "$total_raw" "$total_gz"
echo "build-web: done in $((SECONDS - start)) s"
