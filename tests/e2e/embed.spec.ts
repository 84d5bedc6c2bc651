// Embedding (issue 12): the example docs page with two embeds (web/examples/docs.html) shows both scenarios compactly,
// sized to their content, read-only and editable as their links say, with an "Open in the playground" link, none of
// the playground's banners, and the visitor's saved workspaces left exactly as they were.
import { test, expect, type Page } from "@playwright/test";
import { open, editorText, textOf, typeOver } from "./helpers";

async function storage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k) ?? ""])));
}

test("the docs page with two embeds leaves the visitor's workspaces unchanged", async ({ page }) => {
  // The visitor's own work, saved.
  await open(page);
  const edited = (await editorText(page)).replace(/"Sid"\s*:\s*"/, '"Sid": "VisitorsOwn');
  await typeOver(page, page.getByTestId("editor"), edited);
  await expect.poll(async () => JSON.stringify(await storage(page))).toContain("VisitorsOwn");
  const before = await storage(page);

  await page.goto("/examples/docs.html");
  const readonly = page.frameLocator('[data-testid="embed-readonly"]');
  const editable = page.frameLocator('[data-testid="embed-editable"]');
  await expect(readonly.getByTestId("scenario-title")).toContainText("4.");
  await expect(editable.getByTestId("scenario-title")).toContainText("7.");
  await expect(readonly.getByTestId("step-row").first()).toBeVisible();
  await expect(editable.getByTestId("step-row").first()).toBeVisible();
  await expect(readonly.getByTestId("embed")).toHaveAttribute("data-editable", "false");
  await expect(readonly.getByTestId("editor")).toHaveCount(0);
  await expect(readonly.getByTestId("embed-doc").first()).toBeVisible();
  await expect(editable.getByTestId("editor")).toBeVisible();
  for (const f of [readonly, editable]) {
    await expect(f.getByTestId("banner")).toHaveCount(0);
    await expect(f.getByTestId("undo-toast")).toHaveCount(0);
    await expect(f.getByTestId("ws-button")).toHaveCount(0);
    await expect(f.getByTestId("embed-open")).toHaveAttribute("href", /^index\.html#s=[A-Za-z0-9_-]+$/);
  }

  // Each frame is sized to its content (the embed posts its height).
  for (const id of ["embed-readonly", "embed-editable"]) {
    const frame = page.locator(`[data-testid="${id}"]`);
    await expect.poll(async () => {
      const h = (await frame.boundingBox())!.height;
      const content = await frame.evaluate((f: HTMLIFrameElement) => f.contentDocument!.documentElement.scrollHeight);
      return Math.abs(h - content) <= 4 && h > 320;
    }, `${id} sized to its content`).toBe(true);
  }
  await page.screenshot({ path: test.info().outputPath("docs-page.png"), fullPage: true });

  // The reader edits the editable embed and runs it: still nothing of theirs changes.
  const text = await textOf(editable.getByTestId("editor"));
  await typeOver(page, editable.getByTestId("editor"), text.replace(/"Sid"\s*:\s*"/, '"Sid": "EditedInEmbed'));
  await editable.getByTestId("run-all").click();
  await expect(editable.getByTestId("embed-open")).toHaveAttribute("href", /#s=/);
  expect(await storage(page)).toEqual(before);

  // The "Open in the playground" link opens the embed's scenario, with the edit, as a new workspace.
  const href = await editable.getByTestId("embed-open").getAttribute("href");
  await open(page, href!.replace(/^index\.html/, ""));
  expect(await editorText(page)).toContain("EditedInEmbed");
  await expect(page.getByTestId("ws-current")).toHaveText(/^Shared: 7\./);
});

test("a broken embed link says what is wrong", async ({ page }) => {
  await page.goto("/embed.html#lesson=nope");
  await expect(page.getByTestId("embed-error")).toContainText("there is no lesson `nope`");
  await page.goto("/embed.html");
  await page.reload();
  await expect(page.getByTestId("embed-error")).toContainText("names no scenario");
});
