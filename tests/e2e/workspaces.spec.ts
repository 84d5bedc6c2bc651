// Workspaces (issue 12): every lesson and share link its own workspace, undo of switches, resets and deletes, two
// tabs that never silently overwrite each other, links pasted into the address bar, broken links, storage that cannot
// save, the single-slot playground's saved work migrated, back up and restore, and the copy-link button.
// No fixed sleeps: every wait is on the DOM or on localStorage.
import { test, expect, type Page } from "@playwright/test";
import fs from "node:fs";
import { open, editorText, typeOver } from "./helpers";

const KEY_POLICY = "/keys/app/policy";


/** Replaces the first `"Sid": "` of the open document with one carrying `marker`. */
async function markEdit(page: Page, marker: string): Promise<string> {
  const before = await editorText(page);
  const edited = before.replace(/"Sid"\s*:\s*"/, `"Sid": "${marker}`);
  expect(edited, "a statement id to mark").not.toBe(before);
  await typeOver(page, page.getByTestId("editor"), edited);
  return edited;
}

async function records(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Object.keys(localStorage)
        .filter((k) => k.startsWith("kmsim.ws."))
        .map((k) => [k, localStorage.getItem(k) ?? ""]),
    ),
  );
}

async function saved(page: Page): Promise<string> {
  return Object.values(await records(page)).join("\n");
}

/** Opens a lesson from the menu and waits for its workspace (named by the lesson's title) to be open. */
async function openLesson(page: Page, id: string): Promise<void> {
  const title = (await page.locator(`[data-testid="open"] option[value="${id}"]`).innerText()).trim();
  await page.getByTestId("open").selectOption(id);
  await expect(page.getByTestId("ws-current")).toHaveText(title);
}

async function workspaceNames(page: Page): Promise<string[]> {
  const panel = page.getByTestId("ws-panel");
  if (!(await panel.isVisible())) await page.getByTestId("ws-button").click();
  const names = await panel.getByTestId("ws-name").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  await page.getByTestId("ws-button").click();
  return names;
}

async function shareLink(page: Page): Promise<string> {
  await page.getByTestId("share-button").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.getByTestId("share-button").click();
  return "#" + link.split("#")[1];
}

test("two share links, then one's own work is still there to open", async ({ page, browser }) => {
  // Two links made elsewhere.
  const elsewhere = await browser.newContext();
  const maker = await elsewhere.newPage();
  await open(maker);
  await openLesson(maker, "lesson:07-mfa");
  const linkA = await shareLink(maker);
  await openLesson(maker, "lesson:04-cross-account");
  const linkB = await shareLink(maker);
  await elsewhere.close();

  await open(page);
  const mine = await markEdit(page, "MyOwnWork");
  await expect.poll(() => saved(page)).toContain("MyOwnWork");
  await open(page, linkA);
  await expect(page.getByTestId("ws-current")).toHaveText(/^Shared: 7\./);
  await expect(page.getByTestId("undo-toast")).toContainText("Opened the share link as the new workspace");
  await open(page, linkB);
  await expect(page.getByTestId("ws-current")).toHaveText(/^Shared: 4\./);
  expect(await workspaceNames(page)).toEqual([
    "1. Least privilege",
    expect.stringMatching(/^Shared: 7\./),
    expect.stringMatching(/^Shared: 4\./),
  ]);
  expect(await saved(page)).toContain("MyOwnWork");

  await page.getByTestId("ws-button").click();
  await page.getByTestId("ws-row").first().getByTestId("ws-open").click();
  expect(await editorText(page)).toBe(mine);
});

test("switching lessons and back keeps the edits and calls; a switch can be undone", async ({ page }) => {
  await open(page);
  await page.locator(`[data-testid="doc-tab"][data-path="${KEY_POLICY}"]`).click();
  const edited = await markEdit(page, "StaysWithLesson1");
  await page.getByTestId("view-console").click();
  await page.getByTestId("run-call").click();
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);

  await openLesson(page, "lesson:02-separation-of-duties");
  await expect(page.getByTestId("undo-toast")).toContainText("Opened `2. Separation of duties`");
  expect(await editorText(page)).not.toContain("StaysWithLesson1");
  await openLesson(page, "lesson:01-least-privilege");
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  expect(await editorText(page)).toBe(edited);

  await openLesson(page, "lesson:03-kms-star-anti-pattern");
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("ws-current")).toHaveText("1. Least privilege");
  expect(await editorText(page)).toBe(edited);
});

test("Reset then Undo brings back the policy edits and calls", async ({ page }) => {
  await open(page);
  const edited = await markEdit(page, "BeforeReset");
  await page.getByTestId("view-console").click();
  await page.getByTestId("run-call").click();
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  await page.getByTestId("reset").click();
  await expect(page.getByTestId("step-row")).toHaveCount(8);
  expect(await editorText(page)).not.toContain("BeforeReset");
  await expect(page.getByTestId("undo-toast")).toContainText("Reset the workspace");
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  expect(await editorText(page)).toBe(edited);
  await expect.poll(() => saved(page)).toContain("BeforeReset");
});

test("rename, duplicate, delete and undo the delete", async ({ page }) => {
  await open(page);
  await page.getByTestId("ws-button").click();
  const panel = page.getByTestId("ws-panel");
  await panel.getByTestId("ws-name").first().fill("My first lesson");
  await panel.getByTestId("ws-name").first().press("Enter");
  await expect(page.getByTestId("ws-current")).toHaveText("My first lesson");
  await panel.getByTestId("ws-duplicate").first().click();
  await expect(page.getByTestId("ws-current")).toHaveText("My first lesson (copy)");
  await expect(panel.getByTestId("ws-row")).toHaveCount(2);
  await markEdit(page, "InTheCopy");
  await panel.getByTestId("ws-delete").nth(1).click();
  await expect(panel.getByTestId("ws-row")).toHaveCount(1);
  await expect(page.getByTestId("undo-toast")).toContainText("Deleted `My first lesson (copy)`");
  await expect.poll(async () => Object.keys(await records(page)).length).toBe(1);
  await page.getByTestId("undo").click();
  await expect(panel.getByTestId("ws-row")).toHaveCount(2);
  expect(await editorText(page)).toContain("InTheCopy");
  await expect.poll(() => saved(page)).toContain("InTheCopy");
  await page.reload();
  expect(await workspaceNames(page)).toEqual(["My first lesson", "My first lesson (copy)"]);
});

test("two tabs on the same workspace: the second writer is told and chooses; on different ones both save", async ({ context }) => {
  const a = await context.newPage();
  await open(a);
  const b = await context.newPage();
  await open(b);
  await expect(b.getByTestId("ws-current")).toHaveText(await a.getByTestId("ws-current").innerText());

  // Same workspace: B edits, A is told at once and nothing of A's is saved over B's.
  const theirs = await markEdit(b, "FromTabB");
  await expect.poll(() => saved(a)).toContain("FromTabB");
  await expect(a.getByTestId("conflict")).toContainText("was changed in another tab");
  await markEdit(a, "FromTabA");
  expect(await saved(a)).not.toContain("FromTabA");
  await a.getByTestId("keep-mine").click();
  await expect(a.getByTestId("conflict")).toHaveCount(0);
  await expect(a.getByTestId("ws-current")).toContainText("(this tab's copy)");
  await expect.poll(() => saved(a)).toContain("FromTabA");
  expect(await saved(a)).toContain("FromTabB");
  expect(await editorText(b)).toBe(theirs);

  // The other choice: load the other tab's version.
  await markEdit(b, "SecondRound");
  await expect(b.getByTestId("conflict")).toHaveCount(0);
  await b.getByTestId("ws-button").click();
  await b.getByTestId("ws-row").nth(1).getByTestId("ws-open").click(); // A's copy
  await markEdit(b, "BOnACopy");
  await expect(a.getByTestId("conflict")).toBeVisible();
  await a.getByTestId("take-theirs").click();
  // Polled: the editor shows the loaded version after the render that follows the click (read at once, it failed
  // about one run in five, on this branch's base as well).
  await expect.poll(() => editorText(a)).toContain("BOnACopy");

  // Different workspaces: both are saved, no conflict.
  await openLesson(a, "lesson:05-grants");
  await openLesson(b, "lesson:06-encryption-context");
  await markEdit(a, "GrantsInA");
  await markEdit(b, "ContextInB");
  await expect.poll(() => saved(a)).toContain("GrantsInA");
  await expect.poll(() => saved(a)).toContain("ContextInB");
  await expect(a.getByTestId("conflict")).toHaveCount(0);
  await expect(b.getByTestId("conflict")).toHaveCount(0);
});

test("a link pasted into the address bar loads; #lesson= opens a lesson by name", async ({ page, browser }) => {
  const elsewhere = await browser.newContext();
  const maker = await elsewhere.newPage();
  await open(maker);
  await openLesson(maker, "lesson:09-abac-tags-aliases");
  await markEdit(maker, "Pasted");
  const link = await shareLink(maker);
  await elsewhere.close();

  await open(page);
  await page.goto("/" + link); // same document: only hashchange fires
  await expect(page.getByTestId("ws-current")).toHaveText(/^Shared: 9\./);
  expect(await editorText(page)).toContain("Pasted");
  await expect(page.getByTestId("undo-toast")).toContainText("Opened the share link");
  await page.goto("/#lesson=04-cross-account");
  await expect(page.getByTestId("ws-current")).toHaveText("4. Cross-account access");
  await page.goto("/#lesson=nope");
  await expect(page.getByTestId("banner")).toContainText("there is no lesson `nope`");
});

test("full storage is reported and nothing is dropped", async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    Storage.prototype.setItem = function () {
      throw new DOMException("full", "QuotaExceededError");
    };
  });
  const edited = await markEdit(page, "OnlyInMemory");
  await expect(page.getByTestId("unsaved")).toContainText("storage for the playground is full");
  await expect(page.getByTestId("unsaved")).toContainText("kept in this tab");
  await openLesson(page, "lesson:02-separation-of-duties");
  await openLesson(page, "lesson:01-least-privilege");
  expect(await editorText(page)).toBe(edited);
});

test("the single-slot playground's saved work migrates into workspaces and is kept", async ({ page }) => {
  await open(page);
  const old = await page.evaluate(() => {
    const rec = JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("kmsim.ws."))!)!);
    rec.snapshot.scenario.title = "Work from the old playground";
    const text = JSON.stringify(rec.snapshot);
    localStorage.clear();
    localStorage.setItem("kmsim.playground", text);
    return text;
  });
  // Reload without the fragment (it would open as a link).
  await open(page.context().pages()[0], "#");
  await page.reload();
  await expect(page.getByTestId("scenario-title")).toHaveText("Work from the old playground");
  await expect(page.getByTestId("ws-current")).toHaveText("Work from the old playground (saved earlier)");
  expect(await page.evaluate(() => localStorage.getItem("kmsim.playground"))).toBe(old);
});

test("back up all workspaces to a file and restore them; the copy-link button copies the link", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page);
  await markEdit(page, "BackedUp");
  await openLesson(page, "lesson:07-mfa");
  await page.getByTestId("ws-button").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("ws-backup").click()]);
  const file = await download.path();
  const backup = JSON.parse(fs.readFileSync(file!, "utf8"));
  expect(backup.kmsim_backup).toBe(1);
  expect(backup.workspaces).toHaveLength(2);
  expect(JSON.stringify(backup)).toContain("BackedUp");

  const panel = page.getByTestId("ws-panel");
  await panel.getByTestId("ws-delete").first().click();
  await expect(panel.getByTestId("ws-row")).toHaveCount(1);
  await page.getByTestId("ws-restore").setInputFiles(file!);
  await expect(page.getByTestId("banner")).toContainText("restored 1 workspace from the backup");
  await expect(panel.getByTestId("ws-row")).toHaveCount(2);
  await expect.poll(() => saved(page)).toContain("BackedUp");

  await page.getByTestId("share-button").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.getByTestId("copy-link").click();
  await expect(page.getByTestId("copy-status")).toHaveText("copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
});

test("a reload right after a change opens the saved workspace, not the older link still in the address", async ({ page }) => {
  await open(page);
  await page.getByTestId("open").selectOption("new:blank");
  await expect(page.getByTestId("ws-current")).toHaveText("Blank workspace");
  await page.getByTestId("doc-tab-json").click();
  const json = page.getByTestId("scenario-json");
  const text = await json.inputValue();
  const changed = text.replace('"keys": {', '"keys": { ,');
  expect(changed).not.toBe(text);
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#s=/);
  const saved = Object.keys(await records(page)).length;
  // The change and the reload in one go, before the next frame: the address still holds the link from before it
  // (written after a paint, address.rs), while the workspace is saved with the change at once.
  await page.evaluate(async (t) => {
    const area = document.querySelector<HTMLTextAreaElement>('[data-testid="scenario-json"]')!;
    area.value = t;
    area.dispatchEvent(new Event("input", { bubbles: true }));
    for (let i = 0; i < 20; i++) await Promise.resolve();
    location.reload();
  }, changed);
  await expect(page.getByTestId("app")).toBeVisible();
  await expect(page.getByTestId("ws-current")).toHaveText("Blank workspace");
  await page.getByTestId("doc-tab-json").click();
  await expect(json).toHaveValue(changed);
  expect(Object.keys(await records(page)).length, "no copy of the older link was added").toBe(saved);
});
