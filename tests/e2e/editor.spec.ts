// The policy editor (issue 13, "The editor"): CodeMirror 6 with the core's KMS completion, lint findings inline with
// their quick fixes, hover documentation, and Tab that indents (Esc then Tab leaves). No fixed sleeps.
import { test, expect, type Locator, type Page } from "@playwright/test";
import { open, editorText, typeOver, selectDoc } from "./helpers";

const KEY_POLICY = "/keys/app/policy";

/**
 * Clicks a completion option until the editor's text has `expected`. CodeMirror ignores a click (and Enter) within its
 * `interactionDelay` (75 ms) of the list being shown or updated, a guard against accepting while typing; a click made
 * as soon as the option is visible can fall inside it (about one run in fifteen on a busy machine, before and after
 * 2026-12-03). An ignored click changes nothing, so the option is clicked again while it is still offered.
 */
async function choose(page: Page, option: Locator, expected: RegExp) {
  await expect(async () => {
    if (await option.isVisible()) await option.click({ timeout: 1000 });
    await expect.poll(() => editorText(page), { timeout: 1000 }).toMatch(expected);
  }).toPass({ timeout: 10_000 });
}

/**
 * Replaces the editor's text and returns line `line` (1-based) once CodeMirror shows the new text there. Playwright's
 * `fill` selects the editor's DOM nodes and then inserts the text at once; CodeMirror reads that selection only on
 * the later `selectionchange` event, and may not take it (a selection at the start of the editor just after focus
 * is reset to the editor's own), so the text can go in beside the old one, and a click at once on line 6 lands on
 * whatever line 6 then is. A select-all typed (`typeOver`: CodeMirror's own Ctrl+A, then a wait for the editor's
 * text) has no such race, and the wait on the line is the DOM state the click needs: the new line drawn.
 */
async function write(page: Page, text: string, line: number): Promise<Locator> {
  const editor = page.getByTestId("editor");
  await typeOver(page, editor, text);
  const drawn = editor.locator(`.cm-line[data-line="${line}"]`);
  await expect(drawn).toHaveText(text.split("\n")[line - 1]);
  return drawn;
}

/** A key policy with the account's root statement and one more statement of `action` (a JSON value). */
function keyPolicy(action: string, condition = ""): string {
  return `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableIAMPolicies",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AppUse",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
      "Action": ${action},
      "Resource": "*"${condition}
    }
  ]
}`;
}

test("typing \"kms:Enc in Action offers kms:Encrypt, and choosing it inserts it", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const text = keyPolicy("[]");
  // The caret inside the empty Action array, then type as a user would.
  await (await write(page, text, 15)).click();
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft"); // before `,`
  await page.keyboard.press("ArrowLeft"); // before `]`
  await page.keyboard.type('"kms:Enc');
  const options = page.locator(".cm-tooltip-autocomplete li");
  await expect(options.filter({ hasText: /^kms:Encrypt/ })).toBeVisible();
  await expect(options.first()).toContainText("kms:Encrypt");
  // Clicked (Enter works too, once CodeMirror's 75 ms guard against accepting while typing has passed: `choose`).
  await choose(page, options.filter({ hasText: /^kms:Encrypt/ }).first(), /"Action": \["kms:Encrypt"\],/); // the string closed
});

test("in Principal and Resource, completion offers the world's principals and its keys' ARNs", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const editor = page.getByTestId("editor");
  // Line 6 holds an empty Principal list, line 8 an empty Resource list.
  const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": []},
      "Action": "kms:Decrypt",
      "Resource": []
    }
  ]
}`;
  const options = page.locator(".cm-tooltip-autocomplete li");
  await (await write(page, text, 6)).click();
  await page.keyboard.press("End");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft"); // before `]},`
  await page.keyboard.type('"arn:aws:iam::111122223333:ro');
  const root = options.filter({ hasText: /^arn:aws:iam::111122223333:root/ }).first();
  await expect(root).toBeVisible();
  await choose(page, root, /"Principal": \{"AWS": \["arn:aws:iam::111122223333:root"\]\},/);
  await editor.locator('.cm-line[data-line="8"]').click();
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft"); // before `]`
  await page.keyboard.type('"arn:aws:kms:');
  const key = options.filter({ hasText: /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\// }).first();
  await expect(key).toBeVisible();
  await choose(page, key, /"Resource": \["arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+"\]/);
});

test("kms:Encrpyt shows its finding inline and in the list, and its quick fix works", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const editor = page.getByTestId("editor");
  await editor.fill(keyPolicy('"kms:Encrpyt"'));
  const listed = page.locator('[data-testid="lint-finding"][data-code="KMS101-unknown-action"]');
  await expect(listed).toBeVisible();
  await expect(listed).toHaveAttribute("data-line", "15");
  await expect(listed).toContainText("kms:Encrpyt");
  await expect(page.getByTestId("doc-ok")).toHaveCount(0);

  // Inline: the word is underlined; hovering it shows the finding with its severity, help, link and fix.
  const range = editor.locator(".cm-lintRange-error");
  await expect(range).toHaveCount(1);
  await expect(range).toHaveText('"kms:Encrpyt"');
  await range.hover();
  const finding = page.locator('.cm-tooltip [data-testid="finding"][data-code="KMS101-unknown-action"]');
  await expect(finding).toBeVisible();
  await expect(finding).toContainText("Error");
  await expect(finding.locator("a.doc-link-out")).toHaveAttribute("href", /^https:\/\/docs\.aws\.amazon\.com\//);
  const fix = page.locator(".cm-tooltip .cm-diagnosticAction");
  await expect(fix).toContainText("kms:Encrypt");
  await fix.click();

  await expect.poll(() => editorText(page)).toContain('"Action": "kms:Encrypt"');
  expect(await editorText(page)).not.toContain("Encrpyt");
  await expect(listed).toHaveCount(0);
  await expect(editor.locator(".cm-lintRange-error")).toHaveCount(0);
  await expect(page.getByTestId("doc-ok")).toHaveText("No problems");
});

test("a lesson's policies show no finding", async ({ page }) => {
  await open(page);
  await page.getByTestId("open").selectOption("lesson:01-least-privilege");
  const tabs = page.getByTestId("doc-tab");
  const n = await tabs.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    await tabs.nth(i).click();
    await expect(tabs.nth(i)).toHaveAttribute("aria-current", "true");
    await expect(page.getByTestId("doc-ok")).toHaveText("No problems");
    await expect(page.getByTestId("lint-finding")).toHaveCount(0);
    await expect(page.getByTestId("editor").locator(".cm-lintRange")).toHaveCount(0);
  }
});

test("hover on kms:ViaService shows its documentation", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const editor = page.getByTestId("editor");
  await editor.fill(keyPolicy('"kms:Decrypt"', `,
      "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "111122223333"}}`));
  await editor.getByText('"kms:ViaService"').hover();
  const hover = page.getByTestId("hover");
  await expect(hover).toBeVisible();
  await expect(hover.locator(".title")).toHaveText("kms:ViaService");
  await expect(hover.locator(".text")).toContainText(/service/i);
  await expect(hover.locator("a")).toHaveAttribute("href", /docs\.aws\.amazon\.com\/kms\//);
});

test("Tab indents in the editor; Esc then Tab leaves it", async ({ page }) => {
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const editor = page.getByTestId("editor");
  await (await write(page, '{\n"Version": "2012-10-17"\n}', 2)).click();
  await page.keyboard.press("Home");
  await page.keyboard.press("Tab");
  await expect.poll(() => editorText(page)).toBe('{\n  "Version": "2012-10-17"\n}');
  await expect(editor).toBeFocused();
  await expect(page.getByTestId("editor-hint")).toContainText("Esc then Tab");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(editor).not.toBeFocused();
  expect(await editorText(page)).toBe('{\n  "Version": "2012-10-17"\n}');
});

test("until editor.js arrives the document is edited in a text area, and the editor then shows what was typed", async ({ page }) => {
  // editor.js held back until the text area has been typed in (web/editor/loader.js imports it after the first render).
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/editor\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await open(page);
  await selectDoc(page, KEY_POLICY);
  const plain = page.getByTestId("editor-plain");
  await expect(plain).toBeVisible();
  await expect(page.getByTestId("editor")).toHaveCount(0);
  const typed = keyPolicy('"kms:Encrypt"');
  await plain.fill(typed);
  await expect(page.getByTestId("doc-ok")).toHaveText("No problems");
  // Where the caret is when the editor comes: after "kms:Encrypt" (UTF-16 offsets, as the editor's).
  const caret = typed.indexOf("kms:Encrypt") + "kms:Encrypt".length;
  await plain.evaluate((t: HTMLTextAreaElement, at) => t.setSelectionRange(at, at), caret);
  release();
  const editor = page.getByTestId("editor");
  await expect(editor).toBeVisible();
  await expect(plain).toHaveCount(0);
  expect(await editorText(page)).toBe(typed);
  await expect(editor).toBeFocused();
  expect(await editor.evaluate((e) => (e as HTMLElement & { selectionStart: number }).selectionStart)).toBe(caret);
  // Edits go on in the editor, to the same document, with the lint's findings inline.
  await page.keyboard.type("X");
  await expect.poll(() => editorText(page)).toContain('"Action": "kms:EncryptX"');
  await expect(editor.locator(".cm-lintRange-error")).toHaveText('"kms:EncryptX"');
  await expect(page.getByTestId("doc-ok")).toHaveCount(0);
});
