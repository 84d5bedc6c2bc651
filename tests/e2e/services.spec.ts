// Real-browser tests of issue 14 in the playground: a service step's KMS calls nested under it (each selectable, its
// trace with the deciding statement highlighted in its document), the rules that fired after a step (their actions
// as the acting role, the notification), the audit log's service and rule records, rules as documents (a broken one
// located), and lesson 14's exercise followed literally (its documents, the expected rule firing's fields in the step
// editor, "Expect what it did" on the steps the lock changes). No fixed sleeps: every wait is on the DOM.
import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import fs from "node:fs";
import path from "node:path";
import { editorText, kmsim, open, selectStep, typeOver, openLesson, selectDoc } from "./helpers";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

const RESPOND = "/accounts/111122223333/roles/IncidentResponder/policies/respond";

test("lesson 13: a service step shows its KMS calls nested; GenerateDataKey's trace highlights its deciding statement", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:13-data-protection-with-services");
  await selectStep(page, "upload");
  const service = page.getByTestId("service");
  await expect(service.getByTestId("service-outcome")).toHaveText("Success");
  const call = service.getByTestId("nested-call");
  await expect(call.getByTestId("nested-operation")).toHaveText(["GenerateDataKey"]);
  await expect(call.getByTestId("nested-outcome")).toHaveText(["Success"]);
  await expect(call.getByTestId("nested-statement")).toHaveText(["UseThroughListedServices"]);
  // The expectations on the KMS call are under it, and hold.
  const nested = service.getByTestId("nested-expectations");
  await expect(nested).toContainText("KMS call 0 (GenerateDataKey) deciding statement: expected UseThroughListedServices");
  await expect(nested.locator("li.failed")).toHaveCount(0);
  await call.first().click();
  await expect(call.first()).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId("trace-of")).toHaveText("Trace of KMS call 1 of Amazon S3 PutObject: GenerateDataKey");
  const deciding = page.locator('[data-testid="trace-statement"][data-deciding="true"]');
  await expect(deciding).toHaveCount(1);
  await expect(deciding.locator(".sid")).toContainText("UseThroughListedServices");
  // The context S3 sent is in the request context of the trace.
  await expect(page.getByTestId("context-table").first()).toContainText("arn:aws:s3:::reports/2024/q1.csv");
  await deciding.getByTestId("show-statement").click();
  await expect(page.locator('[data-testid="doc-tab"][data-path="/keys/app-data/policy"]')).toHaveAttribute("aria-current", "true");
  await expect(page.locator(".cm-line.hl", { hasText: "UseThroughListedServices" })).toHaveCount(1);
  await page.screenshot({ path: path.join(ARTIFACTS, "services-13-upload.png"), fullPage: true });

  // S3's own error when KMS refuses: AccessDenied, its message naming KMS; the refusing call's statement.
  await selectStep(page, "other-bucket");
  await expect(service.getByTestId("service-outcome")).toHaveText("AccessDenied");
  await expect(service.getByTestId("service-message")).toContainText("not authorized to perform: kms:GenerateDataKey");
  await expect(service.getByTestId("nested-call").getByTestId("nested-outcome")).toHaveText(["AccessDeniedException"]);
  await expect(service.getByTestId("nested-statement")).toHaveText(["S3OnlyForReports"]);

  // The audit log shows the call as the service's.
  await page.getByTestId("view-audit").click();
  const origin = page.getByTestId("audit-origin").first();
  await expect(origin).toContainText("through Amazon S3");
  await expect(origin).toContainText("invokedBy AWS Internal");
});

test("lesson 14: the foreign Decrypt shows the fired rule, its actions as the responder and the notification", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:14-automated-incident-response");
  const row = page.getByTestId("step-row").filter({ has: page.locator("code.step-name", { hasText: /^foreign-decrypt$/ }) });
  await expect(row.getByTestId("fired-badge")).toHaveText("1 rule fired");
  await selectStep(page, "foreign-decrypt");
  const rules = page.getByTestId("rules-fired");
  const firing = rules.getByTestId("rule-firing");
  await expect(firing.getByTestId("rule-name")).toHaveText(["lock-on-foreign-decrypt"]);
  await expect(firing.getByTestId("nested-operation")).toHaveText(["DisableKey", "TagResource", "Notify"]);
  await expect(firing.getByTestId("nested-outcome")).toHaveText(["Success", "Success", "Success"]);
  await expect(firing.getByTestId("notification")).toContainText("notified `security-alerts`");
  await expect(rules.getByTestId("nested-expectations").locator("li.held")).not.toHaveCount(0);
  await expect(rules.getByTestId("nested-expectations").locator("li.failed")).toHaveCount(0);
  await expect(rules).toContainText("notification 0 topic: expected \"security-alerts\"");
  // The step's own trace first (the outsider's denied Decrypt), then the rule's TagResource as the responder.
  await expect(page.getByTestId("authz-decision").first()).toHaveText("ImplicitDeny");
  await firing.getByTestId("nested-call").nth(1).click();
  await expect(page.getByTestId("trace-of")).toContainText("rule lock-on-foreign-decrypt, action 2: TagResource as arn:aws:iam::111122223333:role/IncidentResponder");
  await expect(page.getByTestId("authz-decision").first()).toHaveText("Allow");
  await expect(page.getByTestId("authz").first()).toContainText("kms:TagResource");
  await page.screenshot({ path: path.join(ARTIFACTS, "services-14-rules.png"), fullPage: true });
  // The audit log: the actions are the responder's, made by the rule.
  await page.getByTestId("view-audit").click();
  await expect(page.getByTestId("audit-origin")).toHaveText([
    "rule lock-on-foreign-decrypt after step 1, as role/IncidentResponder",
    "rule lock-on-foreign-decrypt after step 1, as role/IncidentResponder",
  ]);
});

test("lesson 14's exercise followed literally in the page: every expectation holds, Check passes, the CLI agrees on the export", async ({ page }, info) => {
  test.setTimeout(60_000); // two documents, two fields and three steps' expectations, each run in the page
  await open(page);
  await openLesson(page, "lesson:14-automated-incident-response");
  const rules = page.locator('[data-testid="doc-tab"][data-path^="/rules/"]');
  await expect(rules).toHaveText(["rule lock-on-foreign-decrypt", "rule use-while-pending-deletion"]);
  await page.getByTestId("check-work").click();
  await expect(page.getByTestId("check-summary")).toHaveText("Check: 1 of 3 goals met");

  // 1. "Give IncidentResponder kms:PutKeyPolicy in its policy respond (the document `role IncidentResponder · respond`)."
  await selectDoc(page, RESPOND);
  await expect(page.getByTestId("doc-title")).toContainText("role IncidentResponder · respond");
  const respond = JSON.parse(await editorText(page));
  respond.Statement[0].Action.push("kms:PutKeyPolicy");
  await typeOver(page, page.getByTestId("editor"), JSON.stringify(respond, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();
  // 2. "Add an action to lock-on-foreign-decrypt (the document `rule lock-on-foreign-decrypt`)": the key's current
  // statements plus the Deny IncidentLock.
  await selectDoc(page, "/rules/0");
  await expect(page.getByTestId("doc-title")).toContainText("rule lock-on-foreign-decrypt");
  const rule = JSON.parse(await editorText(page));
  await selectDoc(page, "/keys/payments/policy");
  const current = JSON.parse(await editorText(page));
  const lock = { Sid: "IncidentLock", Effect: "Deny", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], Resource: "*" };
  rule.actions.push({ action: "PutKeyPolicy", params: { Policy: { ...current, Statement: [...current.Statement, lock] } } });
  await selectDoc(page, "/rules/0");
  await typeOver(page, page.getByTestId("editor"), JSON.stringify(rule, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();
  await expect(page.getByTestId("stale")).toHaveCount(0);
  // Editing the rule ran the scenario: the fourth action is there, as the responder, and succeeds.
  await selectStep(page, "foreign-decrypt");
  const firing = page.getByTestId("rule-firing");
  await expect(firing.getByTestId("nested-operation")).toHaveText(["DisableKey", "TagResource", "Notify", "PutKeyPolicy"]);
  await expect(firing.getByTestId("nested-outcome").nth(3)).toHaveText("Success");

  // 3. "Select step foreign-decrypt and, in the step editor's Expectation, under Rule firing 0, set actions.3.action
  // to PutKeyPolicy and actions.3.outcome to success." The run's values are offered, and what it did is written.
  const expectation = page.getByTestId("step-editor").getByTestId("expect-editor");
  const firing0 = expectation.getByTestId("expect-rule").filter({ has: page.locator("legend", { hasText: /^Rule firing 0$/ }) });
  await expect(expectation.getByTestId("rules-last-run")).toHaveText(
    "In the last run: lock-on-foreign-decrypt: DisableKey (success), TagResource (success), Notify (success), PutKeyPolicy (success).",
  );
  const action3 = firing0.getByTestId("field-expect.rules.0.actions.3.action");
  await expect(action3).toHaveValue("");
  await expect(firing0.locator(`datalist[id="${await action3.getAttribute("list")}"] option`).first()).toHaveAttribute("value", "PutKeyPolicy");
  for (const [field, text] of [["actions.3.action", "PutKeyPolicy"], ["actions.3.outcome", "success"]]) {
    const f = firing0.getByTestId(`field-expect.rules.0.${field}`);
    await f.fill(text);
    await f.blur();
    await expect(f).toHaveValue(text);
  }
  const held = page.getByTestId("rules-fired").getByTestId("nested-expectations");
  await expect(held.locator("li.held", { hasText: 'rule firing 0 actions.3.action: expected "PutKeyPolicy"' })).toHaveCount(1);
  await expect(held.locator("li.failed")).toHaveCount(0);

  // 4. "Select each step marked ✗ and press Expect what it did": the next step, app-after-re-enable and the
  // Decrypt while the key is pending deletion.
  const rows = page.getByTestId("step-row");
  const failed: number[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    if ((await rows.nth(i).locator(".mark.failed").count()) > 0) failed.push(i);
  }
  expect(failed).toEqual([2, 4, 6]);
  await expect(rows.nth(4).locator("code.step-name")).toHaveText("app-after-re-enable");
  for (const i of failed) {
    await rows.nth(i).click();
    await expect(rows.nth(i)).toHaveAttribute("aria-current", "true");
    await page.getByTestId("step-keep-observed").click();
    await expect(rows.nth(i).locator(".mark.failed")).toHaveCount(0);
    await expect(page.getByTestId("step-editor").getByTestId("field-expect.outcome")).toHaveValue("AccessDeniedException");
    await expect(page.getByTestId("step-editor").getByTestId("field-expect.statement")).toHaveValue("IncidentLock");
  }
  // The alarm no longer fires after step 6: its expectation says so.
  await expect(page.getByTestId("step-editor").getByTestId("expect-rules")).toContainText("Expects that no rule fires.");
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");

  await page.getByTestId("check-work").click();
  await expect(page.getByTestId("check-summary")).toHaveText("Check: passed");
  await expect(page.getByTestId("goal").locator(".mark")).not.toHaveText([/✗/]);
  await page.screenshot({ path: path.join(ARTIFACTS, "exercise-14-automated-incident-response.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  const file = info.outputPath("exported.json");
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  expect(exported.rules[0].actions[3].action).toBe("PutKeyPolicy");
  expect(exported.steps[1].expect.rules[0]["actions.3.action"]).toBe("PutKeyPolicy");
  // The CLI grades the same goals, and every step's own expectation, on the file the browser wrote.
  expect(kmsim(["check", "--goals", file])).toMatch(/^PASS .* \(3 of 3 goals met\)/);
  expect(kmsim(["check", file])).toMatch(/^PASS /);
});

test("a broken rule document shows a located diagnostic, stops the run, and is kept as typed across a reload", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:14-automated-incident-response");
  await selectDoc(page, "/rules/0");
  const text = (await editorText(page)).replace('"DisableKey"', '"DisableKy"');
  await page.getByTestId("editor").fill(text);
  const line = text.split("\n").findIndex((l) => l.includes("DisableKy")) + 1;
  const diagnostic = page.getByTestId("diagnostic");
  await expect(diagnostic).toHaveCount(1);
  await expect(diagnostic).toHaveAttribute("data-line", String(line));
  await expect(diagnostic.locator(".msg")).toHaveText("unknown action `DisableKy`");
  await expect(diagnostic.locator(".path")).toHaveText("/actions/0/action");
  await expect(page.locator(".diagnostics .help")).toHaveText("did you mean `DisableKey`?");
  await expect(page.locator('[data-testid="doc-tab"][data-path="/rules/0"] .count')).toHaveText("1");
  await page.getByTestId("run-all").click();
  await expect(page.getByTestId("run-errors")).toContainText("fix the errors in `rules · rule lock-on-foreign-decrypt` first");
  // Not JSON at all: kept as typed, even through a reload.
  const broken = text.replace('"name"', '"name" "');
  await typeOver(page, page.getByTestId("editor"), broken);
  // The edit has reached the playground (and so its saved workspace) once the diagnostic is the JSON one.
  await expect(diagnostic).toHaveCount(1);
  await expect(diagnostic.locator(".msg")).not.toHaveText("unknown action `DisableKy`");
  await page.reload();
  await expect(page.getByTestId("step-row").first()).toBeVisible();
  await selectDoc(page, "/rules/0");
  expect(await editorText(page)).toBe(broken);
  await expect(page.getByTestId("diagnostic")).toHaveCount(1);
  // Last: a full-page screenshot re-lays the editor out, and a fill racing that re-layout can be misread.
  await page.screenshot({ path: path.join(ARTIFACTS, "services-rule-diagnostic.png"), fullPage: true });
});

test("axe: the nested calls, the fired rules, the audit origins and a rule document, light and dark", async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const serious = async (what: string) => {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target.join(" ")}: ${v.nodes[0]?.failureSummary?.split("\n").join(" ")}`);
    if (bad.length) await page.screenshot({ path: info.outputPath(`axe-${what}.png`), fullPage: true });
    expect(bad, `axe on ${what}`).toEqual([]);
  };
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page);
    await openLesson(page, "lesson:13-data-protection-with-services");
    await selectStep(page, "other-bucket");
    await serious(`${scheme}-service-step`);
    await openLesson(page, "lesson:14-automated-incident-response");
    await selectStep(page, "foreign-decrypt");
    await page.getByTestId("rule-firing").getByTestId("nested-call").first().click();
    await selectDoc(page, "/rules/0");
    await serious(`${scheme}-rules`);
    await page.getByTestId("view-audit").click();
    await serious(`${scheme}-audit`);
  }
});
