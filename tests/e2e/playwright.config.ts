// Playwright drives Debian's chromium (never Playwright's own browser downloads) against web/dist served by
// scripts/serve.py (python's http.server sending precompressed files) on a free port. Run through scripts/test.sh, or: bash scripts/build-web.sh &&
// web/node_modules/.bin/playwright test --config tests/e2e/playwright.config.ts
import { defineConfig } from "@playwright/test";
import { execFileSync } from "node:child_process";
import path from "node:path";

function chromiumPath(): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  return execFileSync("bash", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
}

// Chosen once in the main process; workers inherit the environment.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = execFileSync(
    "python3",
    ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"],
    { encoding: "utf8" },
  ).trim();
}
const port = Number(process.env.E2E_PORT);
const dist = path.resolve(__dirname, "../../web/dist");

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "test-results",
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
    trace: "off",
    screenshot: "only-on-failure",
  },
  webServer: {
    // The serve command's server: precompressed assets with Content-Encoding (as users get them).
    command: `python3 "${path.resolve(__dirname, "../../scripts/serve.py")}" ${port} "${dist}"`,
    url: `http://127.0.0.1:${port}/index.html`,
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: "ignore",
    stderr: "ignore",
  },
});
