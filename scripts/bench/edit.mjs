// Edit -> outcome in the playground (issue 15): the time from a keystroke in a policy document to the updated
// outcome on the page, over every lesson and every one of its documents, in headless Debian chromium.
//
//   bash scripts/build-web.sh && node scripts/bench/edit.mjs [keystrokes per document = 12] [lesson id filter]
//   DIST=/tmp/dist-before node scripts/bench/edit.mjs ...   (another build)
//
// A benchmark that prints figures (docs/PERFORMANCE.md), not a test: not run by scripts/test.sh.
//
// What is measured, per keystroke: from the `keydown` event's timestamp (the renderer's clock, so the input's own
// queueing counts) to the first animation frame after the run status carries a new run (`data-run` changes and the
// "documents changed" mark is gone): the frame that paints the new outcome. Each lesson opens in a fresh browser
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
      requestAnimationFrame(() => resolve({ key: window.__bench.key, dom, frame: performance.now() }));
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
  console.log(`edit -> outcome: ${lessons.length} lessons, ${perDoc} keystrokes per document (${WARMUP} warm-up), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const all = [];
  for (const id of lessons) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(install);
    await page.goto(`${url}#lesson=${id.slice("lesson:".length)}`);
    await page.getByTestId("run-status").waitFor();
    const docs = await page.getByTestId("doc-tab").count();
    const times = [];
    for (let d = 0; d < docs; d++) {
      await page.getByTestId("doc-tab").nth(d).click();
      const editor = page.getByTestId("editor");
      await editor.click();
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("End");
      for (let k = 0; k < perDoc; k++) {
        await page.evaluate(arm);
        await page.keyboard.press(k % 2 === 0 ? "Space" : "Backspace");
        const r = await page.evaluate(() => window.__bench.next);
        if (k >= WARMUP) times.push(r.frame - r.key);
        await page.waitForTimeout(30);
      }
    }
    console.log(`  ${id.padEnd(44)} ${docs} docs  ${fmt(times)}`);
    all.push(...times);
    await context.close();
  }
  console.log(`  ${"all lessons".padEnd(44)}         ${fmt(all)}`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await browser.close();
  server.kill();
}
