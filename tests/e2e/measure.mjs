// Measures the first load of the playground in headless Debian chromium, cold (a fresh browser context per run: empty
// cache and storage), from navigation start:
// - first paint: the browser's `first-contentful-paint` (index.html's loading state, before any script or wasm);
// - interactive: the first lesson's run status is in the page (needs the JS glue and the wasm loaded, the app
//   mounted, the lesson parsed and every step run in the simulated KMS, so its controls answer clicks), measured
//   to the next animation frame after it is in the page (the frame that shows it);
// - editor: the policy editor (CodeMirror, editor.js) is in the page.
// Usage: node tests/e2e/measure.mjs [runs=5]   (after scripts/build-web.sh; DIST=DIR for another build). Prints each
// run and the medians.
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
// DIST=DIR measures another build (a copy of web/dist from before a change, to alternate runs).
const dist = path.resolve(process.env.DIST ?? path.resolve(here, "../../web/dist"));
const port = execFileSync("python3", ["-c",
  "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], { encoding: "utf8" }).trim();
// scripts/serve.py: the precompressed assets (brotli) with Content-Encoding, as users get them.
const server = spawn("python3", [path.resolve(here, "../../scripts/serve.py"), port, dist], { stdio: "ignore" });
const executablePath = execFileSync("bash", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const url = `http://127.0.0.1:${port}/`;
async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the static server did not start");
}

const browser = await chromium.launch({ executablePath, args, headless: true });
try {
  await waitForServer();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext(); // fresh cache and storage every run
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (window.__interactive === undefined && document.querySelector('[data-testid="run-status"]')) {
          window.__interactive = -1;
          requestAnimationFrame(() => { window.__interactive = performance.now(); });
        }
        if (window.__editor === undefined && document.querySelector('[data-testid="editor"]')) {
          window.__editor = performance.now();
        }
        if (window.__interactive > 0 && window.__editor !== undefined) obs.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__interactive > 0 && window.__editor !== undefined);
    const t = await page.evaluate(() => ({
      paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
      interactive: window.__interactive,
      editor: window.__editor,
    }));
    times.push(t);
    console.log(`run ${i + 1}: first paint ${t.paint.toFixed(0)} ms, interactive ${t.interactive.toFixed(0)} ms, editor ${t.editor.toFixed(0)} ms`);
    await context.close();
  }
  for (const k of ["paint", "interactive", "editor"]) {
    const xs = times.map((t) => t[k]).sort((a, b) => a - b);
    console.log(`${k.padEnd(11)} median of ${runs}: ${xs[Math.floor(xs.length / 2)].toFixed(0)} ms (min ${xs[0].toFixed(0)}, max ${xs[xs.length - 1].toFixed(0)})`);
  }
} finally {
  await browser.close();
  server.kill();
}
