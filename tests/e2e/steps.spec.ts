// Real-browser tests of step and expectation editing and the console (issue 11): a call step added through its
// form, its expectation edited, reordered, duplicated and deleted; a console call kept as a step; the console run
// "after step N" (lesson 5, before the revoke); session tags in lesson 6; lesson 15's exercise followed literally (its
// service step in the step editor, the partner's identity policy in the world editor, the expectations). No fixed
// sleeps: every wait is on the DOM.
import { test, expect, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { editorText, kmsim, open, selectStep, typeOver, openLesson } from "./helpers";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

/** Types `text` into a form field of the step editor and leaves it (a field is sent when it is left). */
async function setField(page: Page, path: string, text: string): Promise<void> {
  const f = page.getByTestId("step-editor").getByTestId(`field-${path}`);
  await f.fill(text);
  await f.blur();
}

async function titles(page: Page): Promise<string[]> {
  return page.getByTestId("step-row").locator(".title").allInnerTexts();
}

test("a call step added through its form, its expectation edited, moved, duplicated and deleted", async ({ page }, info) => {
  await open(page);
  await openLesson(page, "lesson:01-least-privilege");
  await expect(page.getByTestId("step-row")).toHaveCount(8);

  // Add a call: Encrypt under the first key, as the first principal; it runs at once.
  await page.getByTestId("add-call").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  await expect(page.getByTestId("step-row").nth(8)).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId("step-row").nth(8).getByTestId("step-outcome")).toHaveText("Success");
  const editor = page.getByTestId("step-editor");
  await expect(editor).toBeVisible();

  // The form is the operation's request shape: choose ScheduleKeyDeletion, whose fields replace Encrypt's.
  await editor.getByTestId("step-operation").selectOption("ScheduleKeyDeletion");
  await expect(editor.getByTestId("field-params.PendingWindowInDays")).toBeVisible();
  await expect(editor.getByTestId("field-params.Plaintext")).toHaveCount(0);
  await expect(editor.getByTestId("field-params.KeyId")).toHaveValue("$key:app");
  // A bad number is refused where it was typed, and nothing changes.
  await setField(page, "params.PendingWindowInDays", "soon");
  await expect(editor.locator(".field-error")).toHaveText("`soon` is not a whole number");
  await setField(page, "params.PendingWindowInDays", "30");
  await expect(editor.locator(".field-error")).toHaveCount(0);
  // App may not schedule the deletion: the step is refused ...
  await expect(page.getByTestId("step-row").nth(8).getByTestId("step-outcome")).toHaveText("AccessDeniedException");
  // ... and says what it expects once told: the outcome is offered from the operation's errors.
  await expect(editor.locator("datalist option[value='KMSInvalidStateException']")).toHaveCount(1);
  await setField(page, "expect.outcome", "success");
  await expect(page.getByTestId("run-status")).toHaveText("1 step fails its expectations");
  await setField(page, "expect.outcome", "AccessDeniedException");
  await setField(page, "expect.message_contains", "no identity-based policy");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
  await expect(page.getByTestId("expectations")).toContainText("no identity-based policy");
  await setField(page, "name", "app-deletes");
  await expect(page.getByTestId("step-row").nth(8)).toContainText("app-deletes");
  await page.screenshot({ path: info.outputPath("step-editor.png"), fullPage: true });
  await info.attach("step-editor", { path: info.outputPath("step-editor.png"), contentType: "image/png" });

  // Reorder with the keyboard: the Move up button, reached by Tab and pressed with Enter.
  await editor.getByTestId("step-up").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("step-row").nth(7)).toContainText("app-deletes");
  await expect(page.getByTestId("step-row").nth(7)).toHaveAttribute("aria-current", "true");
  await page.getByTestId("step-editor").getByTestId("step-down").click();
  await expect(page.getByTestId("step-row").nth(8)).toContainText("app-deletes");

  // Duplicate: the copy gets its own name, right after.
  await page.getByTestId("step-editor").getByTestId("step-duplicate").click();
  await expect(page.getByTestId("step-row")).toHaveCount(10);
  await expect(page.getByTestId("step-row").nth(9)).toContainText("app-deletes-copy");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");

  // Delete both, back to the lesson's eight.
  await page.getByTestId("step-editor").getByTestId("step-delete").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  await page.getByTestId("step-row").nth(8).click();
  await page.getByTestId("step-editor").getByTestId("step-delete").click();
  await expect(page.getByTestId("step-row")).toHaveCount(8);
  expect((await titles(page)).join("|")).not.toContain("app-deletes");

  // The step as JSON: a problem is shown with its line, column and path, and nothing is applied.
  await page.getByTestId("step-row").nth(2).click();
  await page.getByTestId("step-editor").getByTestId("step-json-part").locator("summary").click();
  const json = page.getByTestId("step-editor").getByTestId("step-json");
  await json.fill('{\n  "call": "Decrypt",\n  "as": "role/App",\n  "params": {"CiphertextBlob": {"$ref": "nope.CiphertextBlob"}}\n}');
  await page.getByTestId("step-editor").getByTestId("step-json-apply").click();
  await expect(page.getByTestId("step-json-errors")).toContainText("line 4, column");
  await expect(page.getByTestId("step-json-errors")).toContainText("/params/CiphertextBlob");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");

  // Every kind of step can be added.
  for (const kind of ["authorize", "advance", "service"]) {
    await page.getByTestId(`add-${kind}`).click();
  }
  await expect(page.getByTestId("step-row")).toHaveCount(11);
  await expect(page.getByTestId("step-editor").getByTestId("step-service")).toBeVisible();
  await expect(page.getByTestId("step-editor").getByTestId("field-service.bucket")).toHaveValue("my-bucket");
  await page.getByTestId("step-editor").getByTestId("step-service-operation").selectOption("GetObject");
  await expect(page.getByTestId("step-editor").getByTestId("field-service.value")).toHaveCount(0);
  await page.screenshot({ path: info.outputPath("service-step-editor.png"), fullPage: true });
  await info.attach("service-step-editor", { path: info.outputPath("service-step-editor.png"), contentType: "image/png" });

  // The work survives a reload.
  await page.reload();
  await expect(page.getByTestId("step-row")).toHaveCount(11);
});

test("a console call kept as a step with its observed outcome as the expectation", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:01-least-privilege");
  await page.getByTestId("view-console").click();
  // Encryption-context rows only for operations that take one.
  await expect(page.getByTestId("add-ec")).toBeVisible();
  await page.getByTestId("operation").selectOption("CreateGrant");
  await expect(page.getByTestId("add-ec")).toHaveCount(0);
  // The console's fields are the operation's request members; they write the parameters' JSON.
  await page.getByTestId("operation").selectOption("ScheduleKeyDeletion");
  const days = page.getByTestId("console-fields").getByTestId("field-params.PendingWindowInDays");
  await days.fill("30");
  await days.blur();
  await expect(page.getByTestId("params")).toHaveValue(/"PendingWindowInDays": 30/);
  await expect(page.getByTestId("console-fields").getByTestId("field-params.KeyId")).toHaveValue("$key:app");
  await page.getByTestId("operation").selectOption("DescribeKey");
  // The caller is picked from every principal of the world, other accounts and services included.
  await expect(page.locator("#callers option[value='444455556666:user/bob']")).toHaveCount(1);
  await expect(page.locator("#callers option[value='s3.amazonaws.com']")).toHaveCount(1);
  await page.getByTestId("caller").fill("role/KeyAdmin");
  await page.getByTestId("run-call").click();
  await expect(page.getByTestId("outcome-code")).toHaveText("AccessDeniedException");
  await page.getByTestId("keep-call").click();
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(9);
  await expect(page.getByTestId("step-row").nth(8).locator(".mark")).toHaveText(["✓"]);
  await expect(page.getByTestId("step-editor").getByTestId("field-expect.outcome")).toHaveValue("AccessDeniedException");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
});

test("the console runs after a chosen step: lesson 5's grant before it was revoked", async ({ page }, info) => {
  await open(page);
  await openLesson(page, "lesson:05-grants");
  await page.getByTestId("view-console").click();
  const retire = async (caller: string) => {
    await page.getByTestId("operation").selectOption("RetireGrant");
    await page.getByTestId("caller").fill(caller);
    await page.getByTestId("params").fill('{"KeyId": {"$key": "jobs"}, "GrantId": {"$ref": "g43.GrantId"}}');
    await page.getByTestId("run-call").click();
  };
  // After every step, grant job-43 was revoked (step 17): nothing to retire.
  await retire("role/Scheduler");
  await expect(page.getByTestId("outcome-code")).toHaveText("NotFoundException");
  await page.getByTestId("view-steps").click();
  await page.getByTestId("undo-step").click();
  await expect(page.getByTestId("step-row")).toHaveCount(20);
  await page.getByTestId("view-console").click();
  // After step 16, before the revoke: the retiring principal retires it ...
  await page.getByTestId("run-at").selectOption("16");
  await expect(page.getByTestId("run-at-notice")).toContainText("The world as it was after step 16");
  await expect(page.getByTestId("run-at-notice")).toContainText("steps 17-19 are not run");
  await retire("role/Scheduler");
  await expect(page.getByTestId("trial-result")).toContainText("Run after step 16");
  await expect(page.getByTestId("trial-result").getByTestId("outcome-code")).toHaveText("Success");
  // ... and Worker, its grantee, may not (the grant does not include RetireGrant).
  await retire("role/Worker");
  await expect(page.getByTestId("trial-result").getByTestId("outcome-code")).toHaveText("AccessDeniedException");
  await page.screenshot({ path: info.outputPath("console-after-step.png"), fullPage: true });
  await info.attach("console-after-step", { path: info.outputPath("console-after-step.png"), contentType: "image/png" });
  // Nothing was added; kept, it becomes step 17 with its outcome expected.
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(20);
  await page.getByTestId("view-console").click();
  await page.getByTestId("keep-call").click();
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(21);
  await expect(page.getByTestId("step-row").nth(17)).toContainText("RetireGrant as role/Worker");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
});

test("session tags in lesson 6: a tenant t2 session reads t1's record until the key policy ties them", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:06-encryption-context");
  await page.getByTestId("view-console").click();
  await page.getByTestId("operation").selectOption("Decrypt");
  await page.getByTestId("caller").fill("role/App");
  await page.getByTestId("params").fill('{"CiphertextBlob": {"$ref": "t1-ct.CiphertextBlob"}}');
  await page.getByTestId("add-ec").click();
  await page.getByTestId("ec-row").nth(0).getByLabel("Context key").fill("tenant");
  await page.getByTestId("ec-row").nth(0).getByLabel("Context value").fill("t1");
  await page.getByTestId("add-ec").click();
  await page.getByTestId("ec-row").nth(1).getByLabel("Context key").fill("path");
  await page.getByTestId("ec-row").nth(1).getByLabel("Context value").fill("/a");
  await page.getByTestId("console-extras").locator("summary").click();
  await page.getByTestId("add-session-tag").click();
  const tag = page.getByTestId("session-tag-row").nth(0);
  await tag.getByLabel("Session tag key").fill("tenant");
  await tag.getByLabel("Session tag value").fill("t1");
  await page.getByTestId("run-call").click();
  await expect(page.getByTestId("outcome-code")).toHaveText("Success");
  // The isolating key compares the context with the session's tag: t2 is refused.
  await tag.getByLabel("Session tag value").fill("t2");
  await page.getByTestId("run-call").click();
  await expect(page.getByTestId("outcome-code")).toHaveText("AccessDeniedException");
  await expect(page.getByTestId("trace")).toContainText("aws:PrincipalTag/tenant");
});

test("lesson 15's exercise followed literally in the page: the step editor and the world editor, Check passes, the CLI agrees on the export", async ({ page }, info) => {
  test.setTimeout(60_000); // a service step, an identity policy and three expectations, each run in the page
  await open(page);
  await openLesson(page, "lesson:15-managed-vs-customer-managed-keys");
  await page.getByTestId("check-work").click();
  await expect(page.getByTestId("check-summary")).toHaveText("Check: 3 of 5 goals met");
  const rows = page.getByTestId("step-row");
  const editor = page.getByTestId("step-editor");

  // 1. "select step upload-managed and, in the step editor, set its kms_key field to $key:shared-reports ... press
  // Expect what it did."
  await selectStep(page, "upload-managed");
  await expect(editor.getByTestId("step-service")).toHaveValue("s3");
  await expect(editor.getByTestId("step-service-operation")).toHaveValue("PutObject");
  await expect(editor.locator("datalist option[value='$key:shared-reports']")).toHaveCount(1);
  await setField(page, "service.kms_key", "$key:shared-reports");
  await editor.getByTestId("step-json-part").locator("summary").click();
  await expect(editor.getByTestId("step-json")).toHaveValue(/"kms_key": \{\s*"\$key": "shared-reports"\s*\}/);
  // Its KMS call's expectation was written for aws/s3 (statement and key): not met now, until it expects what it did.
  await expect(rows.nth(0).locator(".mark.failed")).not.toHaveCount(0);
  await editor.getByTestId("step-keep-observed").click();
  await expect(rows.nth(0).locator(".mark.failed")).toHaveCount(0);
  await expect(rows.nth(0).locator(".mark.held")).not.toHaveCount(0);
  await expect(editor.getByTestId("expect-kms-calls").getByTestId("field-expect.kms_calls.0.outcome")).toHaveValue("success");

  // 2. "In the World view, under account 444455556666, press Add identity policy on user reader, and in the new
  // document (user reader · Policy1) allow only kms:Decrypt, on the key's ARN (shown under key shared-reports in
  // the World view) instead of *."
  await page.getByTestId("view-world").click();
  const arn = await page.locator('[data-testid="world-key"][data-key="shared-reports"]').getByTestId("world-key-arn").innerText();
  expect(arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
  const reader = page.locator('[data-testid="world-account"][data-account="444455556666"]').locator('[data-testid="world-principal"][data-name="reader"]');
  await reader.getByTestId("world-add-policy").click();
  await expect(page.getByTestId("doc-title")).toHaveText("account 444455556666 · user reader · Policy1");
  const policy = JSON.parse(await editorText(page));
  expect(policy.Statement).toHaveLength(1);
  policy.Statement[0].Action = "kms:Decrypt";
  policy.Statement[0].Resource = arn;
  await typeOver(page, page.getByTestId("editor"), JSON.stringify(policy, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, "exercise-15-world.png"), fullPage: true });

  // 3. "select step partner-reads-managed and, in the step editor's Expectation, set outcome to success, and under
  // KMS call 0 its outcome to success too; then select step partner-reads-q2 ... and set its outcome to success."
  await page.getByTestId("view-steps").click();
  await selectStep(page, "partner-reads-managed");
  const managed = rows.filter({ has: page.locator("code.step-name", { hasText: /^partner-reads-managed$/ }) });
  await expect(managed.getByTestId("step-outcome")).toHaveText("Success");
  await setField(page, "expect.outcome", "success");
  const call0 = editor.getByTestId("expect-kms-calls").locator("fieldset", { has: page.locator("legend", { hasText: /^KMS call 0$/ }) });
  const call0Outcome = call0.getByTestId("field-expect.kms_calls.0.outcome");
  await call0Outcome.fill("success");
  await call0Outcome.blur();
  await expect(call0Outcome).toHaveValue("success");
  await expect(managed.locator(".mark.failed")).toHaveCount(0);
  await selectStep(page, "partner-reads-q2");
  await setField(page, "expect.outcome", "success");
  await expect(editor.getByTestId("field-expect.outcome")).toHaveValue("success");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");

  await page.getByTestId("check-work").click();
  await expect(page.getByTestId("check-summary")).toHaveText("Check: passed");
  await expect(page.getByTestId("goal").locator(".mark")).not.toHaveText([/✗/]);
  await page.screenshot({ path: path.join(ARTIFACTS, "exercise-15-managed-vs-customer-managed-keys.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  const file = info.outputPath("exported.json");
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  // The policy as typed (a document's text is exported as it was written, unless it is the canonical JSON).
  const written = exported.accounts["444455556666"].users.reader.policies.Policy1;
  expect((typeof written === "string" ? JSON.parse(written) : written).Statement[0].Resource).toBe(arn);
  // The CLI grades the same goals, and every step's own expectation, on the file the browser wrote.
  expect(kmsim(["check", "--goals", file])).toMatch(/^PASS .* \(5 of 5 goals met\)/);
  expect(kmsim(["check", file])).toMatch(/^PASS /);
});
