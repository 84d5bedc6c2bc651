// Edit -> outcome in the playground (issue 15): the time from a keystroke in a policy document to the updated
// outcome on the page, over every lesson and every one of its documents, in headless Debian chromium.
//
//   bash scripts/build-web.sh && node scripts/bench/edit.mjs [keystrokes per document = 12] [lesson id filter]
//   MIN_PER_LESSON=60 (default: more keystrokes per document where a lesson would have fewer measured)
//   SLOW=40 (prints each measured keystroke over 40 ms, split at the outcome's arrival in the DOM)
//   DIST=/tmp/dist-before node scripts/bench/edit.mjs ...   (another build)
//   PROFILE=30 node scripts/bench/edit.mjs 8 10-auditing    (also a V8 CPU profile of the measured keystrokes: the
//     30 functions with the most self time, over all lessons measured; build with WASM_NAMES=1 for Rust names)
//
// A benchmark that prints figures (docs/PERFORMANCE.md), not a test: not run by scripts/test.sh.
//
// What is measured, per keystroke: from the `keydown` event's timestamp (the renderer's clock, so the input's own
// queueing counts) to the end of the first animation frame after the run status carries a new run (`data-run`
// changes and the "documents changed" mark is gone): the frame that paints the new outcome, with its style, layout
// and paint (a message posted from the frame's callback, handled after them; before 2026-12-03 the figures stopped
// at the callback, before that frame's rendering work). Each lesson opens in a fresh browser
// context (`#lesson=ID`); each document is selected, the caret put at the end of its first line, and the keystrokes
// alternate a space and Backspace (every one leaves valid JSON, so every one runs the whole scenario). The first two
// keystrokes of each document are warm-up and not counted. Keystrokes are 30 ms apart after the outcome (one at a
// time, not a burst). Prints p50/p95/max per lesson and over all, and the load average.
// playwright-core from web/node_modules (npm ci in web/, as scripts/setup.sh does).
import { chromium } from "../../web/node_modules/playwright-core/index.mjs";
import { execFileSync, spawn } from "node:child_process";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const perDoc = Number(process.argv[2] ?? 12);
const filter = process.argv[3] ?? "";
const WARMUP = 2;
// At least this many measured keystrokes per lesson (a lesson with one document gets more keystrokes in it), so that
// a lesson's p95 is not simply its largest sample.
const MIN_PER_LESSON = Number(process.env.MIN_PER_LESSON ?? 60);
// SLOW=MS prints every measured keystroke slower than MS, split into keydown -> outcome in the DOM -> painted frame.
const slow = Number(process.env.SLOW ?? Infinity);
const profileTop = Number(process.env.PROFILE ?? 0);
const selfTime = new Map(); // function (name and script) -> self time in ms, over the measured keystrokes
let profiledMs = 0;
// A CPU profile's self time per function: the samples' time deltas, attributed to the sampled node.
function addProfile({ nodes, samples, timeDeltas }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const script = f.url ? f.url.split("/").pop() : "";
    const name = `${f.functionName || "(anonymous)"}${script ? ` [${script}]` : ""}`;
    const ms = (timeDeltas[i] ?? 0) / 1000;
    selfTime.set(name, (selfTime.get(name) ?? 0) + ms);
    profiledMs += ms;
  });
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
// DIST=DIR measures another build (e.g. a copy of web/dist kept from before a change, to alternate runs).
const dist = path.resolve(process.env.DIST ?? path.join(root, "web/dist"));
const port = execFileSync("python3", ["-c",
  "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], { encoding: "utf8" }).trim();
const server = spawn("python3", [path.join(root, "scripts/serve.py"), port, dist], { stdio: "ignore" });
const executablePath = execFileSync("bash", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const url = `http://127.0.0.1:${port}/`;

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url + "index.html")).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the static server did not start");
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `n=${String(s.length).padStart(3)}  p50 ${pct(s, 50).toFixed(1).padStart(6)} ms  p95 ${pct(s, 95).toFixed(1).padStart(6)} ms  max ${s[s.length - 1].toFixed(1).padStart(6)} ms`;
};

// In the page: the keydown time, and a promise for the next outcome (a new `data-run`, not stale) and its frame.
function install() {
  window.__bench = { key: 0 };
  document.addEventListener("keydown", (e) => { window.__bench.key = e.timeStamp; }, true);
}
function arm() {
  const status = () => document.querySelector('[data-testid="run-status"]');
  const prev = status()?.dataset.run;
  window.__bench.next = new Promise((resolve) => {
    const done = () => {
      const el = status();
      return el && el.dataset.run !== prev && !el.querySelector('[data-testid="stale"]');
    };
    const obs = new MutationObserver(() => {
      if (!done()) return;
      obs.disconnect();
      const dom = performance.now();
      // The animation frame's callbacks run before that frame's style, layout and paint; a message posted from one
      // is handled after them, so `frame` is when the new outcome has been painted on the main thread.
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve({ key: window.__bench.key, dom, frame: performance.now() });
        ch.port2.postMessage(0);
      });
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  return prev ?? null;
}

const browser = await chromium.launch({ executablePath, args, headless: true });
try {
  await waitForServer();
  const probe = await browser.newPage();
  await probe.goto(url);
  const lessons = (await probe.$$eval('[data-testid="open"] option', (os) => os.map((o) => o.value)))
    .filter((v) => v.startsWith("lesson:") && v.includes(filter));
  await probe.close();
  console.log(`edit -> outcome: ${lessons.length} lessons, ${perDoc} keystrokes per document (${WARMUP} warm-up; at least ${MIN_PER_LESSON} measured per lesson), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const all = [];
  for (const id of lessons) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(install);
    await page.goto(`${url}#lesson=${id.slice("lesson:".length)}`);
    await page.getByTestId("run-status").waitFor();
    const docs = await page.getByTestId("doc-tab").count();
    const times = [];
    const cdp = profileTop > 0 ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    }
    const keystrokes = Math.max(perDoc, WARMUP + Math.ceil(MIN_PER_LESSON / docs));
    for (let d = 0; d < docs; d++) {
      await page.getByTestId("doc-tab").nth(d).click();
      const editor = page.getByTestId("editor");
      await editor.click();
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("End");
      for (let k = 0; k < keystrokes; k++) {
        await page.evaluate(arm);
        if (cdp && k === WARMUP) await cdp.send("Profiler.start");
        await page.keyboard.press(k % 2 === 0 ? "Space" : "Backspace");
        const r = await page.evaluate(() => window.__bench.next);
        if (k >= WARMUP) times.push(r.frame - r.key);
        if (k >= WARMUP && r.frame - r.key > slow) {
          console.log(`    slow: ${(r.frame - r.key).toFixed(1)} ms (to the DOM ${(r.dom - r.key).toFixed(1)}, to the frame ${(r.frame - r.dom).toFixed(1)}), document ${d}, keystroke ${k}`);
        }
        await page.waitForTimeout(30);
      }
      if (cdp) addProfile((await cdp.send("Profiler.stop")).profile);
    }
    console.log(`  ${id.padEnd(44)} ${docs} docs  ${fmt(times)}`);
    all.push(...times);
    await context.close();
  }
  console.log(`  ${"all lessons".padEnd(44)}         ${fmt(all)}`);
  if (profileTop > 0) {
    const idle = new Set(["(idle)", "(program)", "(garbage collector)"]);
    const busy = [...selfTime].filter(([n]) => !idle.has(n)).reduce((a, [, ms]) => a + ms, 0);
    console.log(`CPU profile of the measured keystrokes: ${profiledMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms in functions; self time:`);
    for (const [name, ms] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, profileTop)) {
      console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
    }
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await browser.close();
  server.kill();
}
