// Helpers shared by the Playwright specs.
import { expect, type Page } from "@playwright/test";

/** Opens the page (optionally at a fragment) and waits for the app to mount and run its scenario. */
export async function open(page: Page, fragment = ""): Promise<void> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/" + fragment);
  await expect(page.getByTestId("app")).toBeVisible();
  await expect(page.getByTestId("step-row").first()).toBeVisible();
  expect(errors, "no uncaught page errors").toEqual([]);
}

/** The text of the policy editor. */
export async function editorText(page: Page): Promise<string> {
  return page.getByTestId("editor").inputValue();
}
