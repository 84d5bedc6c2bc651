// Measures the time from navigation start until the playground is interactive (the first lesson's run status is
// rendered, which needs the wasm loaded, the app mounted, the lesson parsed and every step run in the simulated KMS)
// in headless Debian chromium.
// Usage: node tests/e2e/measure.mjs [runs=5]   (after scripts/build-web.sh). Prints each run and the median.
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, "../../web/dist");
const port = execFileSync("python3", ["-c",
  "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], { encoding: "utf8" }).trim();
const server = spawn("python3", ["-m", "http.server", port, "--bind", "127.0.0.1", "--directory", dist], { stdio: "ignore" });
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
        if (document.querySelector('[data-testid="run-status"]')) {
          window.__interactive = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__interactive !== undefined);
    const t = await page.evaluate(() => window.__interactive);
    times.push(t);
    console.log(`run ${i + 1}: interactive after ${t.toFixed(0)} ms`);
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`median of ${runs}: ${times[Math.floor(times.length / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`);
} finally {
  await browser.close();
  server.kill();
}
