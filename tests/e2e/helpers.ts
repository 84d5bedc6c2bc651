// Helpers shared by the Playwright specs.
import { expect, type FrameLocator, type Locator, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import path from "node:path";

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

/**
 * Replaces the text of the editor `editor` as a person does: select all (Ctrl+A), then the new text typed over it.
 * Playwright's `fill` selects the editor's DOM nodes instead of the document, and CodeMirror, reading back that DOM
 * change, sometimes keeps a line of the old text (seen for a second fill of the same document, half the runs).
 */
export async function typeOver(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
  await expect.poll(() => textOf(editor)).toBe(text);
}

/** Selects the step named `name` (its `code.step-name`) and waits until it is the selected one. */
export async function selectStep(page: Page, name: string): Promise<void> {
  const row = page.getByTestId("step-row").filter({ has: page.locator("code.step-name", { hasText: new RegExp(`^${name}$`) }) });
  await row.click();
  await expect(row).toHaveAttribute("aria-current", "true");
}

/** Runs the CLI built by cargo in target/debug (`cargo build -p kmsim-cli`) and returns its output; throws when it exits non-zero. */
export function kmsim(args: string[]): string {
  const bin = path.resolve(__dirname, "../../target/debug/kmsim");
  return execFileSync(bin, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

/**
 * The share link in the address once it shows the page's current state. The app writes it in a zero-delay timer
 * started by the next animation frame after a change (web/src/address.rs); a frame callback and a timer started
 * now run after those, so the link read then is the current one.
 */
export async function addressLink(page: Page): Promise<string> {
  return page.evaluate(() => new Promise<string>((resolve) => {
    requestAnimationFrame(() => setTimeout(() => resolve(location.hash), 0));
  }));
}

/** Opens a lesson from the menu, on the steps view, and waits until its run holds every expectation. */
export async function openLesson(page: Page, id: string): Promise<void> {
  await page.getByTestId("open").selectOption(id);
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
}

/** Selects the document at JSON Pointer `pointer` in the documents pane. */
export async function selectDoc(page: Page, pointer: string): Promise<void> {
  const tab = page.locator(`[data-testid="doc-tab"][data-path="${pointer}"]`);
  await tab.click();
  await expect(tab).toHaveAttribute("aria-current", "true");
}
