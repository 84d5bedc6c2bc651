// Real-browser tests of the playground: samples, editing, decisions and their highlighting, persistence, share
// links, broken links and corrupt storage, and inline diagnostics. No fixed sleeps: every wait is on the DOM.
import { test, expect, type Page, type BrowserContext } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

const STORAGE_KEY = "kmsim.playground";
const BACKUP_KEY = "kmsim.playground.unreadable";

/** Opens the page (optionally at a fragment) and waits for the app to mount and decide. */
async function open(page: Page, fragment = ""): Promise<void> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/" + fragment);
  await expect(page.getByTestId("app")).toBeVisible();
  expect(errors, "no uncaught page errors").toEqual([]);
}

async function loadSample(page: Page, title: string): Promise<void> {
  await page.getByTestId("samples").selectOption({ label: title });
  await expect(page.getByTestId("doc-tab").first()).toBeVisible();
}

async function selectDoc(page: Page, name: string): Promise<void> {
  await page.getByTestId("doc-tab").filter({ hasText: name }).click();
  await expect(page.getByTestId("doc-tab").filter({ hasText: name })).toHaveAttribute("aria-selected", "true");
}

async function editorText(page: Page): Promise<string> {
  return page.getByTestId("editor").inputValue();
}

/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  expect(i, `\`${needle}\` in the editor`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

async function gutterLine(page: Page, n: number) {
  return page.getByTestId("gutter").locator(".ln").nth(n - 1);
}

async function evaluate(page: Page, expected: string): Promise<void> {
  await page.getByTestId("evaluate").click();
  await expect(page.getByTestId("decision")).toHaveText(expected);
  await expect(page.getByTestId("stale")).toHaveCount(0);
}

const DENY_DECRYPT = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "UseTheKey",
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:Encrypt"],
      "Resource": "*"
    },
    {
      "Sid": "NoDecrypt",
      "Effect": "Deny",
      "Action": "kms:Decrypt",
      "Resource": "*"
    }
  ]
}`;

test("a sample decides, an edit denies with the deciding statement highlighted, the fix allows", async ({ page }) => {
  await open(page);
  await loadSample(page, "Default key policy + identity policy");
  await expect(page.getByTestId("decision")).toHaveText("Allow");
  await page.screenshot({ path: path.join(ARTIFACTS, "lab-allow.png"), fullPage: true });

  await selectDoc(page, "App role policy");
  await page.getByTestId("editor").fill(DENY_DECRYPT);
  await expect(page.getByTestId("doc-ok")).toBeVisible();
  await expect(page.getByTestId("stale")).toBeVisible();
  await evaluate(page, "ExplicitDeny");
  await expect(page.getByTestId("reason")).toContainText("explicit deny in `App role policy`");

  // The deciding statement is marked in the trace ...
  const deciding = page.locator('[data-testid="trace-statement"][data-deciding="true"]');
  await expect(deciding).toHaveCount(1);
  await expect(deciding.locator("summary")).toContainText('"NoDecrypt"');
  await expect(deciding).toHaveJSProperty("open", true);
  // ... and its lines in the editor's gutter, and nothing else.
  const text = await editorText(page);
  const sidLine = lineOf(text, '"Sid": "NoDecrypt"');
  for (let n = sidLine - 1; n <= sidLine + 4; n++) {
    await expect(await gutterLine(page, n), `line ${n} highlighted`).toHaveClass(/\bhl\b/);
  }
  await expect(await gutterLine(page, lineOf(text, '"Sid": "UseTheKey"'))).not.toHaveClass(/\bhl\b/);
  await page.screenshot({ path: path.join(ARTIFACTS, "lab-explicit-deny.png"), fullPage: true });

  // Remove the Action the request needs: no allow, no deny -> implicit deny, nothing highlighted.
  await page.getByTestId("editor").fill(DENY_DECRYPT.replace('"Action": "kms:Decrypt"', '"Action": "kms:Sign"')
    .replace('["kms:Decrypt", "kms:Encrypt"]', '["kms:Encrypt"]'));
  await evaluate(page, "ImplicitDeny");
  await expect(page.getByTestId("gutter").locator(".ln.hl")).toHaveCount(0);

  // Fix it.
  await page.getByTestId("editor").fill(DENY_DECRYPT.replace('"Effect": "Deny"', '"Effect": "Allow"'));
  await evaluate(page, "Allow");
  await expect(page.locator('[data-testid="trace-statement"][data-deciding="true"]')).not.toHaveCount(0);
});

test("an edit survives a reload (from the fragment and from localStorage)", async ({ page }) => {
  await open(page);
  await loadSample(page, "Key administrators and key users");
  const edited = (await editorText(page)).replace("key-consolepolicy-3", "edited-for-reload");
  await page.getByTestId("editor").fill(edited);
  await page.getByTestId("action").fill("kms:Encrypt");
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k) ?? "", STORAGE_KEY)).toContain("edited-for-reload");

  await page.reload();
  await expect(page.getByTestId("app")).toBeVisible();
  expect(await editorText(page)).toBe(edited);
  await expect(page.getByTestId("action")).toHaveValue("kms:Encrypt");

  // Without the fragment, localStorage brings it back too.
  await page.goto("/");
  await expect(page.getByTestId("app")).toBeVisible();
  expect(await editorText(page)).toBe(edited);
  await expect(page.getByTestId("banner")).toHaveCount(0);
});

test("the share link opens the same state in a fresh browser context", async ({ page, browser }) => {
  await open(page);
  await loadSample(page, "Deny key deletion without MFA");
  await selectDoc(page, "KeyAdmin role policy");
  const edited = (await editorText(page)).replace('"ManageKeys"', '"SharedAndEdited"');
  await page.getByTestId("editor").fill(edited);
  await page.getByTestId("principal").fill("arn:aws:iam::111122223333:user/bob");
  await page.getByTestId("share-button").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
  await expect.poll(() => page.evaluate(() => location.hash)).toBe("#" + link.split("#")[1]);

  const fresh: BrowserContext = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await open(other, "#" + link.split("#")[1]);
    await expect(other.getByTestId("doc-tab").filter({ hasText: "KeyAdmin role policy" })).toHaveAttribute("aria-selected", "true");
    expect(await editorText(other)).toBe(edited);
    await expect(other.getByTestId("principal")).toHaveValue("arn:aws:iam::111122223333:user/bob");
    await expect(other.getByTestId("decision")).toHaveText(await page.getByTestId("decision").innerText());
    await expect(other.getByTestId("banner")).toHaveCount(0);
    await other.screenshot({ path: path.join(ARTIFACTS, "shared-link.png"), fullPage: true });
  } finally {
    await fresh.close();
  }
});

test("a broken share link shows a clear message and loses nothing", async ({ page, context }) => {
  await open(page);
  const edited = (await editorText(page)).replace("key-default-1", "kept-across-a-broken-link");
  await page.getByTestId("editor").fill(edited);
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k) ?? "", STORAGE_KEY)).toContain("kept-across");

  const other = await context.newPage();
  await open(other, "#s=garbage");
  const banner = other.getByTestId("banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("the share link in the address could not be read");
  await expect(banner).toContainText("your saved playground is shown instead");
  expect(await editorText(other)).toBe(edited);
  expect(await other.evaluate((k) => localStorage.getItem(k) ?? "", STORAGE_KEY)).toContain("kept-across");
  await other.screenshot({ path: path.join(ARTIFACTS, "broken-link.png"), fullPage: true });
  await banner.getByRole("button", { name: "Dismiss" }).click();
  await expect(banner).toHaveCount(0);
});

test("corrupt saved state is reported and kept aside", async ({ page, context }) => {
  await open(page);
  const corrupt = '{"v": 1, "docs": [tru';
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORAGE_KEY, corrupt]);
  const other = await context.newPage();
  await open(other);
  await expect(other.getByTestId("banner")).toContainText("the saved playground could not be read");
  await expect(other.getByTestId("banner")).toContainText(BACKUP_KEY);
  expect(await other.evaluate((k) => localStorage.getItem(k), BACKUP_KEY)).toBe(corrupt);
  await expect(other.getByTestId("decision")).toHaveText("Allow");
});

test("a syntax error shows an inline diagnostic at its line, and clicking it moves the caret", async ({ page }) => {
  await open(page);
  await loadSample(page, "Default key policy + identity policy");
  const lines = (await editorText(page)).split("\n");
  const bad = lines.findIndex((l) => l.includes('"Action": "kms:*"'));
  expect(bad).toBeGreaterThan(0);
  lines[bad] = lines[bad].replace('"kms:*"', "kms:*"); // an unquoted value: invalid JSON
  await page.getByTestId("editor").fill(lines.join("\n"));

  const diagnostic = page.getByTestId("diagnostic").first();
  await expect(diagnostic).toBeVisible();
  await expect(diagnostic).toHaveAttribute("data-line", String(bad + 1));
  await expect(diagnostic.locator(".loc")).toHaveText(new RegExp(`^${bad + 1}:\\d+$`));
  await expect(await gutterLine(page, bad + 1)).toHaveClass(/\berr\b/);
  await expect(page.getByTestId("gutter").locator(".ln.err")).toHaveCount(1);
  await expect(page.getByTestId("doc-tab").first().locator(".count")).toHaveText("1");

  // Evaluating is refused with a reason.
  await page.getByTestId("evaluate").click();
  await expect(page.getByTestId("eval-error")).toContainText("fix the errors in `key policy` first");

  // Clicking the message puts the caret on that line.
  await diagnostic.click();
  const caretLine = await page.getByTestId("editor").evaluate((t: HTMLTextAreaElement) =>
    t.value.slice(0, t.selectionStart).split("\n").length);
  expect(caretLine).toBe(bad + 1);
  await expect(page.getByTestId("editor")).toBeFocused();
  await page.screenshot({ path: path.join(ARTIFACTS, "diagnostic.png"), fullPage: true });

  // A semantic error (a bad Effect) is located too, with its JSON path.
  const fixed = lines.join("\n").replace("kms:*", '"kms:*"').replace('"Effect": "Allow"', '"Effect": "Permit"');
  await page.getByTestId("editor").fill(fixed);
  const effectLine = lineOf(fixed, '"Effect": "Permit"');
  await expect(page.getByTestId("diagnostic").first()).toHaveAttribute("data-line", String(effectLine));
  await expect(page.getByTestId("diagnostic").first()).toContainText("/Statement/0/Effect");
});
