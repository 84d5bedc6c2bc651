// Real-browser tests of the playground, following issue 5's flow: open a lesson, edit its key policy so a call is
// denied, run the call and read the trace, fix it, see the deciding statement highlighted, the audit log, a reload,
// share links (fresh context, other saved work, broken, version 1), corrupt storage, and inline diagnostics.
// No fixed sleeps: every wait is on the DOM.
import { test, expect, type Page, type BrowserContext } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { open, editorText, typeOver, openLesson, selectDoc, addressLink } from "./helpers";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

/** Every saved workspace's record, concatenated (workspaces are kept under `kmsim.ws.ID`). */
async function saved(page: Page): Promise<string> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith("kmsim.ws."))
      .map((k) => localStorage.getItem(k))
      .join("\n"),
  );
}
const KEY_POLICY = "/keys/app/policy";
const APP_POLICY = "/accounts/111122223333/roles/App/policies/AppKms";



/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  expect(i, `\`${needle}\` in the editor`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** Line `n` (1-based) of the editor: CodeMirror's line element, which carries `hl` and `err` as the gutter does. */
function editorLine(page: Page, n: number) {
  return page.getByTestId("editor").locator(`.cm-line[data-line="${n}"]`);
}

/** Runs the console's call (Encrypt as role/App on key app by default) and waits for its result. */
async function runCall(page: Page, expected: string | RegExp): Promise<void> {
  await page.getByTestId("view-console").click();
  const heading = page.locator(".console-result h3");
  const before = (await heading.count()) > 0 ? await heading.innerText() : "";
  await page.getByTestId("run-call").click();
  await expect(heading).toHaveText(/^Step \d+$/);
  await expect(heading).not.toHaveText(before);
  await expect(page.locator(".console-result").getByTestId("outcome-code")).toHaveText(expected);
}

async function stepOutcomes(page: Page): Promise<string[]> {
  await page.getByTestId("view-steps").click();
  return page.getByTestId("step-outcome").allInnerTexts();
}

test("a key policy edit denies a call, the trace says why, the fix allows it and the audit log has both", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:01-least-privilege");
  await selectDoc(page, KEY_POLICY);
  const original = await editorText(page);
  await page.screenshot({ path: path.join(ARTIFACTS, "documents.png"), fullPage: true });

  // Remove kms:Encrypt from the key users' statement AllowAppCrypto.
  const denied = original.replace(/\n\s*"kms:Encrypt",/, "");
  expect(denied).not.toBe(original);
  await typeOver(page, page.getByTestId("editor"), denied);
  await expect(page.getByTestId("doc-ok")).toBeVisible();

  await runCall(page, "AccessDeniedException");
  const result = page.locator(".console-result");
  await expect(result.locator(".result .message")).toContainText("is not authorized to perform: kms:Encrypt");
  // An implicit deny: no statement decides, and the trace says nothing allows.
  await expect(result.getByTestId("authz-decision")).toHaveText("ImplicitDeny");
  await expect(result.getByTestId("decided-by")).toContainText("an implicit deny: no identity-based policy allows the action");
  await expect(result.getByTestId("decided-by")).not.toContainText("IdentityPolicy"); // never a Rust name
  await expect(result.getByTestId("explanation")).toContainText("no identity policy of the caller allows kms:Encrypt");
  await expect(result.locator('[data-testid="trace-statement"][data-deciding="true"]')).toHaveCount(0);
  // AllowAppCrypto no longer applies, and its Action element shows why.
  const crypto = result.locator('[data-testid="trace-statement"]').filter({ hasText: '"AllowAppCrypto"' });
  await expect(crypto.locator("summary .applies")).toHaveText("does not apply");
  await crypto.locator("summary").click();
  await expect(crypto.locator(".why").first()).toContainText("kms:Encrypt");
  await page.screenshot({ path: path.join(ARTIFACTS, "call-denied.png"), fullPage: true });

  // The audit log lists the calls, the denied one last with its error code as CloudTrail writes it (`AccessDenied`; the
  // API answers AccessDeniedException). (The world is replayed from the
  // scenario on every run, so after the fix below the same call succeeds in the log too.)
  await page.getByTestId("view-audit").click();
  const rows = page.getByTestId("audit-row");
  const deniedRow = rows.last();
  await expect(deniedRow.getByTestId("audit-event")).toHaveText("Encrypt");
  await expect(deniedRow.getByTestId("audit-error")).toHaveText("AccessDenied");
  await expect(rows.filter({ has: page.getByTestId("audit-error").getByText("AccessDenied", { exact: true }) })).toHaveCount(4); // the lesson's Encrypt step, ScheduleKeyDeletion, DescribeKey, and ours
  await deniedRow.locator("summary").click();
  await expect(deniedRow.locator("pre")).toContainText('"errorCode": "AccessDenied"');
  await page.screenshot({ path: path.join(ARTIFACTS, "audit-log.png"), fullPage: true });

  // Fix it: the same call is allowed, by AllowAppCrypto.
  await typeOver(page, page.getByTestId("editor"), original);
  await runCall(page, "Success");
  const deciding = result.locator('[data-testid="trace-statement"].deciding');
  await expect(deciding).toHaveCount(1);
  await expect(deciding.locator("summary .sid")).toHaveText('#1 "AllowAppCrypto"');
  await expect(deciding).toHaveJSProperty("open", true);
  // Clicking it highlights its lines in the key policy's editor, and nothing else.
  await deciding.getByTestId("show-statement").click();
  await expect(page.locator('[data-testid="doc-tab"][data-path="/keys/app/policy"]')).toHaveAttribute("aria-current", "true");
  const sid = lineOf(original, '"Sid": "AllowAppCrypto"');
  await expect(editorLine(page, sid)).toHaveClass(/\bhl\b/);
  await expect(editorLine(page, sid - 1)).toHaveClass(/\bhl\b/); // the statement's opening brace
  await expect(editorLine(page, lineOf(original, '"Sid": "EnableIAMPolicies"'))).not.toHaveClass(/\bhl\b/);
  // The derived request context is shown as a table.
  await result.locator("details.context > summary").click();
  await expect(result.getByTestId("context-table")).toContainText("aws:PrincipalArn");
  await page.screenshot({ path: path.join(ARTIFACTS, "call-trace.png"), fullPage: true });

});

test("edits and calls survive a reload (from the fragment and from localStorage)", async ({ page }) => {
  await open(page);
  await selectDoc(page, APP_POLICY);
  const edited = (await editorText(page)).replace('"DecryptOwnData"', '"EditedForReload"');
  await typeOver(page, page.getByTestId("editor"), edited);
  await runCall(page, "Success");
  await expect.poll(() => saved(page)).toContain("EditedForReload");
  const outcomes = await stepOutcomes(page);
  expect(outcomes).toHaveLength(9);

  await page.reload();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  await expect(page.locator(`[data-testid="doc-tab"][data-path="${APP_POLICY}"]`)).toHaveAttribute("aria-current", "true");
  expect(await editorText(page)).toBe(edited);
  expect(await stepOutcomes(page)).toEqual(outcomes);

  await page.goto("/");
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  expect(await editorText(page)).toBe(edited);
  await expect(page.getByTestId("banner")).toHaveCount(0);
});

test("the share link reopens the same state in a fresh browser context", async ({ page, browser }) => {
  await open(page);
  await openLesson(page, "lesson:07-mfa");
  const pointer = await page.getByTestId("doc-tab").nth(1).getAttribute("data-path");
  await selectDoc(page, pointer!);
  const edited = (await editorText(page)).replace(/"Sid": "([^"]+)"/, '"Sid": "SharedAndEdited"');
  await typeOver(page, page.getByTestId("editor"), edited);
  await page.getByTestId("run-all").click();
  await expect(page.getByTestId("stale")).toHaveCount(0);
  await runCall(page, /\w+/);
  const outcomes = await stepOutcomes(page);
  await page.getByTestId("share-button").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
  const fragment = "#" + link.split("#")[1];
  await expect.poll(() => page.evaluate(() => location.hash)).toBe(fragment);

  const fresh: BrowserContext = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await open(other, fragment);
    await expect(other.getByTestId("scenario-title")).toHaveText(await page.getByTestId("scenario-title").innerText());
    await expect(other.locator(`[data-testid="doc-tab"][data-path="${pointer}"]`)).toHaveAttribute("aria-current", "true");
    expect(await editorText(other)).toBe(edited);
    expect(await stepOutcomes(other)).toEqual(outcomes);
    await expect(other.getByTestId("banner")).toHaveCount(0);
    await other.screenshot({ path: path.join(ARTIFACTS, "shared-link.png"), fullPage: true });
  } finally {
    await fresh.close();
  }
});

test("a share link does not destroy other saved work: it opens as a new workspace, and undo goes back", async ({ page, context }) => {
  await open(page);
  await runCall(page, "Success"); // local work: 9 steps
  await openLesson(page, "lesson:02-separation-of-duties");
  const theirs = await addressLink(page);
  await page.getByTestId("open").selectOption("lesson:01-least-privilege"); // back to my work

  const other = await context.newPage();
  await open(other, theirs);
  // This browser already holds that link's work (lesson 2's workspace): the link opens it, undo goes back.
  await expect(other.getByTestId("undo-toast")).toContainText("Opened the share link: it is your workspace `2. Separation of duties`");
  expect(await saved(other)).toContain("call1");
  await other.getByTestId("undo").click();
  await expect(other.getByTestId("step-row")).toHaveCount(9);
  await expect(other.getByTestId("undo-toast")).toHaveCount(0);
});

test("a broken share link shows a clear message, stays copyable and loses nothing", async ({ page, context }) => {
  await open(page);
  const edited = (await editorText(page)).replace("EnableIAMPolicies", "KeptAcrossABrokenLink");
  await typeOver(page, page.getByTestId("editor"), edited);
  await expect.poll(() => saved(page)).toContain("KeptAcross");

  const other = await context.newPage();
  await open(other, "#s=garbage");
  const banner = other.getByTestId("broken-link");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("the share link in the address could not be opened");
  await expect(banner).toContainText("your workspace is shown instead");
  await expect(other.getByTestId("broken-link-text")).toHaveValue(/#s=garbage$/);
  expect(await other.evaluate(() => location.hash)).toBe("#s=garbage");
  expect(await editorText(other)).toBe(edited);
  expect(await saved(other)).toContain("KeptAcross");
  await other.screenshot({ path: path.join(ARTIFACTS, "broken-link.png"), fullPage: true });
  await banner.getByRole("button", { name: "Dismiss" }).click();
  await expect(banner).toHaveCount(0);
});

test("corrupt saved state is reported and kept aside; version 1 links still open", async ({ page, context }) => {
  await open(page);
  const corrupt = '{"rev": 1, "name": "x", "snapshot": {"v": 2, "scenario": [tru';
  await page.evaluate((v) => localStorage.setItem("kmsim.ws.bad", v), corrupt);
  const other = await context.newPage();
  await open(other);
  await expect(other.getByTestId("banner")).toContainText("a saved workspace could not be read");
  await expect(other.getByTestId("banner")).toContainText("kmsim.ws.bad");
  expect(await other.evaluate(() => localStorage.getItem("kmsim.ws.bad"))).toBe(corrupt);
  await expect(other.getByTestId("run-status")).toHaveText("every expectation holds");

  // A link from the first playground (format 1: loose documents and one request) opens as a scenario.
  const v1 = {
    v: 1,
    docs: [
      { name: "key policy", type: "resource", source: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }] }, null, 2) },
      { name: "App role policy", type: "identity", source: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "UseTheKey", Effect: "Deny", Action: "kms:Decrypt", Resource: "*" }] }, null, 2) },
    ],
    request: { principal: "arn:aws:sts::111122223333:assumed-role/App/s", action: "kms:Decrypt", resource: "*", context: [] },
  };
  const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(v1))).toString("base64url");
  const fresh = await context.browser()!.newContext();
  try {
    const p = await fresh.newPage();
    await open(p, "#s=" + payload);
    await expect(p.getByTestId("step-outcome").first()).toHaveText("ExplicitDeny");
    await expect(p.locator('[data-testid="trace-statement"].deciding .sid')).toHaveText('#0 "UseTheKey"');
    await expect(p.getByTestId("doc-tab")).toHaveCount(2);
  } finally {
    await fresh.close();
  }
});

test("a syntax error shows an inline diagnostic at its line and blocks the run", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const lines = (await editorText(page)).split("\n");
  const bad = lines.findIndex((l) => l.includes('"Action": "kms:*"'));
  expect(bad).toBeGreaterThan(0);
  lines[bad] = lines[bad].replace('"kms:*"', "kms:*"); // an unquoted value: invalid JSON
  await typeOver(page, page.getByTestId("editor"), lines.join("\n"));

  const diagnostic = page.getByTestId("diagnostic").first();
  await expect(diagnostic).toBeVisible();
  await expect(diagnostic).toHaveAttribute("data-line", String(bad + 1));
  await expect(editorLine(page, bad + 1)).toHaveClass(/\berr\b/);
  await expect(page.getByTestId("editor").locator(".cm-line.err")).toHaveCount(1);
  await expect(page.locator(`[data-testid="doc-tab"][data-path="${KEY_POLICY}"] .count`)).toHaveText("1");

  await page.getByTestId("run-all").click();
  await expect(page.getByTestId("run-errors")).toContainText("fix the errors in `key app · key policy` first");

  await diagnostic.click();
  const caretLine = await page.getByTestId("editor").evaluate((t) => {
    const e = t as HTMLElement & { value: string; selectionStart: number };
    return e.value.slice(0, e.selectionStart).split("\n").length;
  });
  expect(caretLine).toBe(bad + 1);
  await expect(page.getByTestId("editor")).toBeFocused();
  await page.screenshot({ path: path.join(ARTIFACTS, "diagnostic.png"), fullPage: true });
});

test("the share dialog says what the seed gives away, and a link without it replays with a fresh seed", async ({ page, browser }) => {
  await open(page);
  await openLesson(page, "lesson:01-least-privilege");
  const outcomes = await stepOutcomes(page);
  await page.getByTestId("share-button").click();
  await expect(page.getByTestId("share-seed-note")).toContainText("anyone with");
  const withSeed = await page.getByTestId("share-link").inputValue();
  await page.getByTestId("share-without-seed").check();
  await expect(page.getByTestId("share-seed-note")).toContainText("fresh one");
  const withoutSeed = await page.getByTestId("share-link").inputValue();
  expect(withoutSeed).toMatch(/#s=[A-Za-z0-9_-]+$/);
  expect(withoutSeed).not.toBe(withSeed);
  await page.screenshot({ path: path.join(ARTIFACTS, "share-dialog-without-seed.png"), fullPage: true });

  const fresh: BrowserContext = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await open(other, "#" + withoutSeed.split("#")[1]);
    await expect(other.getByTestId("banner")).toContainText("no seed");
    expect(await stepOutcomes(other)).toEqual(outcomes);
  } finally {
    await fresh.close();
  }
});
