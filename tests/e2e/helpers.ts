// Helpers shared by the Playwright specs.
import { expect, type FrameLocator, type Locator, type Page } from "@playwright/test";

/** Opens the page (optionally at a fragment) and waits for the app to mount and run its scenario. */
export async function open(page: Page, fragment = ""): Promise<void> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/" + fragment);
  await expect(page.getByTestId("app")).toBeVisible();
  await expect(page.getByTestId("step-row").first()).toBeVisible();
  expect(errors, "no uncaught page errors").toEqual([]);
}

/** The text of the policy editor (CodeMirror's content element, `data-testid="editor"`, exposes it as `value`). */
export async function editorText(page: Page | FrameLocator): Promise<string> {
  return textOf(page.getByTestId("editor"));
}

/** The text of an editor located by `editor`. */
export async function textOf(editor: Locator): Promise<string> {
  return editor.evaluate((e) => (e as HTMLElement & { value: string }).value);
}
