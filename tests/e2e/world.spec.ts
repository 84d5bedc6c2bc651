// The world editor (issue 11) in a real browser: from a blank workspace, an engineer builds a second account with
// roles, lets it use the key through the key policy, gives a role an identity policy, adds a grant with an
// encryption-context constraint, runs calls across accounts from the console (allowed and denied), keeps them as
// steps with expectations through the scenario's JSON document, exports the file, checks it with `kmsim check`, and
// reimports it to the same world; named role sessions with tags, called as from the console; a JSON draft kept
// across a reload. Screenshots of the world view go to tests/e2e/artifacts. No fixed sleeps.
import { test, expect, type Page, type Locator } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { editorText, open, typeOver } from "./helpers";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

const A = "111122223333";
const B = "444455556666";

/** `kmsim check FILE` (the CLI built by cargo in target/debug); throws when it exits non-zero. */
function kmsimCheck(file: string): string {
  const kmsim = path.resolve(__dirname, "../../target/debug/kmsim");
  return execFileSync(kmsim, ["check", file], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

/** Types `value` into a form field and leaves it (the world's forms apply a field when it is left). */
async function setField(field: Locator, value: string): Promise<void> {
  await field.fill(value);
  await field.press("Tab");
}

function account(page: Page, id: string): Locator {
  return page.locator(`[data-testid="world-account"][data-account="${id}"]`);
}

function principal(page: Page, id: string, name: string): Locator {
  return account(page, id).locator(`[data-testid="world-principal"][data-name="${name}"]`);
}

async function openBlank(page: Page): Promise<void> {
  await open(page);
  await page.getByTestId("open").selectOption("new:blank");
  await expect(page.getByTestId("ws-current")).toHaveText("Blank workspace");
  await expect(page.getByTestId("world-view")).toBeVisible();
}

/** A console call: operation, caller, key (a key choice or none), encryption context; returns the new step's outcome. */
async function consoleCall(page: Page, op: string, caller: string, ec: Record<string, string>, params?: object) {
  await page.getByTestId("view-console").click();
  await page.getByTestId("operation").selectOption(op);
  await page.getByTestId("caller").fill(caller);
  if (params) await page.getByTestId("params").fill(JSON.stringify(params));
  while ((await page.getByTestId("ec-row").count()) > 0) await page.getByTestId("ec-row").first().getByRole("button").click();
  for (const [k, v] of Object.entries(ec)) {
    await page.getByTestId("add-ec").click();
    const row = page.getByTestId("ec-row").last();
    await row.getByLabel("Context key").fill(k);
    await row.getByLabel("Context value").fill(v);
  }
  await page.getByTestId("view-steps").click();
  const before = await page.getByTestId("step-row").count();
  await page.getByTestId("view-console").click();
  await page.getByTestId("run-call").click();
  await expect(page.getByTestId("console-error")).toHaveCount(0);
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("step-row")).toHaveCount(before + 1);
  return page.getByTestId("step-outcome").last();
}

test("a blank workspace: one account, an admin role and a key with AWS's default key policy", async ({ page }) => {
  await openBlank(page);
  await expect(page.getByTestId("world-account")).toHaveCount(1);
  await expect(principal(page, A, "Admin")).toBeVisible();
  await expect(page.getByTestId("world-key")).toHaveCount(1);
  await page.locator('[data-testid="doc-tab"][data-path="/keys/main/policy"]').click();
  const policy = JSON.parse(await editorText(page));
  expect(policy.Id).toBe("key-default-1");
  expect(policy.Statement[0].Principal.AWS).toBe(`arn:aws:iam::${A}:root`);
  await page.getByTestId("view-world").click();
  await page.screenshot({ path: path.join(ARTIFACTS, "world-blank.png"), fullPage: true });
});

test("an engineer's cross-account world from the page, exported, checked by the CLI and reopened identically", async ({ page }, info) => {
  test.setTimeout(90_000); // some twenty edits and four calls, each run in the page
  await openBlank(page);

  // A second account with two roles.
  await page.getByTestId("world-add-account").click();
  await expect(account(page, B)).toBeVisible();
  await account(page, B).getByTestId("world-add-role").click();
  await setField(principal(page, B, "Role1").getByTestId("world-principal-name"), "Partner");
  await expect(principal(page, B, "Partner")).toBeVisible();
  await account(page, B).getByTestId("world-add-role").click();
  await setField(principal(page, B, "Role1").getByTestId("world-principal-name"), "Intern");
  await expect(principal(page, B, "Intern")).toBeVisible();

  // An identity policy for Partner: a new document, selected, with live diagnostics.
  await principal(page, B, "Partner").getByTestId("world-add-policy").click();
  await expect(page.getByTestId("doc-title")).toHaveText(`account ${B} · role Partner · Policy1`);
  await expect(page.getByTestId("doc-ok")).toBeVisible();
  const identity = JSON.parse(await editorText(page));
  expect(identity.Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt"]);
  await page.getByTestId("editor").fill('{ "Version": "2012-10-17", "Statement": [ ');
  await expect(page.getByTestId("diagnostics")).toBeVisible();
  await page.getByTestId("editor").fill(JSON.stringify(identity, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();

  // The key policy lets the other account encrypt; decrypting is the grant's.
  await page.locator('[data-testid="doc-tab"][data-path="/keys/main/policy"]').click();
  const keyPolicy = JSON.parse(await editorText(page));
  keyPolicy.Statement.push({
    Sid: "PartnerAccountEncrypts",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${B}:root` },
    Action: "kms:Encrypt",
    Resource: "*",
  });
  await page.getByTestId("editor").fill(JSON.stringify(keyPolicy, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();

  // A grant to Partner for Decrypt, only with project=apollo in the encryption context.
  await page.getByTestId("view-world").click();
  await page.getByTestId("world-add-grant").click();
  const grant = page.getByTestId("world-grant").first();
  await setField(grant.getByTestId("world-grant-grantee"), `${B}:role/Partner`);
  await setField(grant.getByTestId("world-grant-operations"), "Decrypt");
  await grant.getByTestId("world-grant-constraint").selectOption("subset");
  await setField(grant.getByTestId("world-grant-context"), "project=apollo");
  await setField(grant.getByTestId("world-grant-name"), "partner-apollo");
  await expect(grant.getByTestId("world-grant-grantee")).toHaveValue(`${B}:role/Partner`);
  await expect(page.getByTestId("banner")).toHaveCount(0);
  await page.screenshot({ path: path.join(ARTIFACTS, "world-engineer.png"), fullPage: true });

  // Calls across accounts from the console: allowed and denied, each with its trace.
  const ct = await consoleCall(page, "Encrypt", `${B}:role/Partner`, { project: "apollo" });
  await expect(ct).toHaveText("Success");
  const decrypt = (project: string) => ({ CiphertextBlob: { $ref: "call1.CiphertextBlob" }, EncryptionContext: { project } });
  await page.getByTestId("view-console").click();
  await page.getByTestId("operation").selectOption("Decrypt");
  await expect(await consoleCall(page, "Decrypt", `${B}:role/Partner`, {}, decrypt("apollo"))).toHaveText("Success");
  await expect(page.getByTestId("step-detail")).toContainText("partner-apollo");
  await expect(await consoleCall(page, "Decrypt", `${B}:role/Partner`, {}, decrypt("zeus"))).toContainText("AccessDenied");
  await page.getByTestId("view-console").click();
  await page.getByTestId("key").selectOption("$key:main");
  await expect(await consoleCall(page, "Encrypt", `${B}:role/Intern`, {})).toContainText("AccessDenied");

  // The calls kept as steps with their outcomes as expectations, through the scenario's JSON document.
  await page.getByTestId("doc-tab-json").click();
  const json = page.getByTestId("scenario-json");
  const scenario = JSON.parse(await json.inputValue());
  expect(scenario.grants[0]).toMatchObject({
    name: "partner-apollo",
    grantee: `${B}:role/Partner`,
    operations: ["Decrypt"],
    constraints: { EncryptionContextSubset: { project: "apollo" } },
  });
  expect(scenario.steps).toHaveLength(4);
  const outcomes = ["success", "success", "AccessDeniedException", "AccessDeniedException"];
  scenario.steps.forEach((s: { expect?: object }, i: number) => (s.expect = { outcome: outcomes[i] }));
  scenario.steps[1].expect = { outcome: "success", grant: "partner-apollo" };
  // Invalid text first: located problems, nothing changes.
  await json.fill(JSON.stringify({ ...scenario, keys: { main: { state: "Sleeping" } } }, null, 2));
  const problem = page.getByTestId("json-problem").filter({ hasText: "unknown key state `Sleeping`" });
  await expect(problem).toContainText("/keys/main/state");
  await page.getByTestId("view-world").click();
  await expect(page.getByTestId("world-key")).toHaveCount(1);
  await expect(page.getByTestId("world-key-state")).toHaveValue("");
  await json.fill(JSON.stringify(scenario, null, 2));
  await expect(page.getByTestId("json-ok")).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, "world-json.png"), fullPage: true });
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");

  // The forms show what the JSON holds.
  await page.getByTestId("view-world").click();
  await expect(principal(page, B, "Intern")).toBeVisible();

  // Export, `kmsim check`, reimport: the same world and the same file.
  await page.getByTestId("view-steps").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  const file = info.outputPath("world.json");
  await download.saveAs(file);
  const exported = fs.readFileSync(file, "utf8");
  expect(kmsimCheck(file)).toMatch(/PASS/);

  await page.getByTestId("open").selectOption("new:blank");
  await expect(page.getByTestId("world-account")).toHaveCount(1);
  await page.getByTestId("view-steps").click();
  await page.getByTestId("import-file").setInputFiles(file);
  await expect(page.getByTestId("banner")).toContainText("opened `world.json`");
  await page.getByTestId("view-world").click();
  await expect(page.getByTestId("world-account")).toHaveCount(2);
  await expect(principal(page, B, "Partner")).toBeVisible();
  await expect(principal(page, B, "Intern")).toBeVisible();
  await expect(page.getByTestId("world-grant-name")).toHaveValue("partner-apollo");
  await expect(page.getByTestId("world-grant-context")).toHaveValue("project=apollo\n");
  await page.getByTestId("view-steps").click();
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
  const [again] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  const file2 = info.outputPath("world-again.json");
  await again.saveAs(file2);
  expect(fs.readFileSync(file2, "utf8")).toBe(exported);
  await page.getByTestId("view-world").click();
  await page.screenshot({ path: path.join(ARTIFACTS, "world-reimported.png"), fullPage: true });
});

test("renames follow references; a delete that something uses is refused with where", async ({ page }) => {
  await openBlank(page);
  await page.getByTestId("world-add-grant").click();
  await expect(page.getByTestId("world-grant-grantee")).toHaveValue("role/Admin");
  await setField(principal(page, A, "Admin").getByTestId("world-principal-name"), "Boss");
  await expect(page.getByTestId("world-grant-grantee")).toHaveValue("role/Boss");
  await principal(page, A, "Boss").getByTestId("world-delete-principal").click();
  await expect(page.getByTestId("banner")).toContainText("role `Boss` is still used: grant #0 names it");
  await expect(principal(page, A, "Boss")).toBeVisible();
  await setField(page.getByTestId("world-key-name"), "shared");
  await expect(page.getByTestId("world-grant-key")).toHaveValue("shared");
  await expect(page.locator('[data-testid="doc-tab"][data-path="/keys/shared/policy"]')).toBeVisible();
  // A key made by a call shows up, marked with its step.
  await consoleCall(page, "CreateKey", "role/Boss", {});
  await page.getByTestId("view-world").click();
  await expect(page.getByTestId("world-created")).toContainText("key created by step 0");
});

function session(page: Page, id: string, role: string, name: string): Locator {
  return principal(page, id, role).locator(`[data-testid="world-session"][data-name="${name}"]`);
}

/** Adds a session to role `role` of account A, named `name`, with one session tag. */
async function addSession(page: Page, role: string, name: string, tag: string, value: string): Promise<void> {
  await principal(page, A, role).getByTestId("world-add-session").click();
  await setField(session(page, A, role, "session1").getByTestId("world-session-name"), name);
  const s = session(page, A, role, name);
  await expect(s).toBeVisible();
  await s.getByTestId("world-add-session-tag").click();
  await setField(s.getByTestId("world-tag-key"), tag);
  await expect(s.getByTestId("world-tag-key")).toHaveValue(tag);
  await setField(s.getByTestId("world-tag-value"), value);
  await expect(s.getByTestId("world-tag-value")).toHaveValue(value);
}

test("a role session with a tag from the page: a key policy condition on aws:PrincipalTag allows it and denies another session", async ({ page }) => {
  test.setTimeout(60_000);
  await openBlank(page);
  await addSession(page, "Admin", "alice", "tenant", "t1");
  await addSession(page, "Admin", "bob", "tenant", "t2");
  await expect(page.getByTestId("banner")).toHaveCount(0);

  // The key policy denies Encrypt to any caller whose tenant tag is not t1.
  await page.locator('[data-testid="doc-tab"][data-path="/keys/main/policy"]').click();
  const keyPolicy = JSON.parse(await editorText(page));
  keyPolicy.Statement.push({
    Sid: "TenantT1Only",
    Effect: "Deny",
    Principal: "*",
    Action: "kms:Encrypt",
    Resource: "*",
    Condition: { StringNotEquals: { "aws:PrincipalTag/tenant": "t1" } },
  });
  await typeOver(page, page.getByTestId("editor"), JSON.stringify(keyPolicy, null, 2));
  await expect(page.getByTestId("doc-ok")).toBeVisible();

  // The console's caller picker lists every session.
  await page.getByTestId("view-console").click();
  const callers = await page.locator("#callers option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(callers).toEqual(expect.arrayContaining(["role/Admin", "role/Admin/alice", "role/Admin/bob"]));
  await page.getByTestId("key").selectOption("$key:main");

  await expect(await consoleCall(page, "Encrypt", "role/Admin/alice", {})).toHaveText("Success");
  const denied = await consoleCall(page, "Encrypt", "role/Admin/bob", {});
  await expect(denied).toContainText("AccessDenied");
  await expect(page.getByTestId("step-detail")).toContainText("TenantT1Only");

  // The scenario file holds the sessions, and the steps call as them.
  await page.getByTestId("doc-tab-json").click();
  const scenario = JSON.parse(await page.getByTestId("scenario-json").inputValue());
  expect(scenario.accounts[A].roles.Admin.sessions).toEqual({ alice: { tags: { tenant: "t1" } }, bob: { tags: { tenant: "t2" } } });
  expect(scenario.steps.map((s: { as: string }) => s.as)).toEqual(["role/Admin/alice", "role/Admin/bob"]);

  // A session a step calls as cannot be deleted; the refusal says where.
  await page.getByTestId("view-world").click();
  await session(page, A, "Admin", "bob").getByTestId("world-delete-session").click();
  await expect(page.getByTestId("banner")).toContainText("session `bob` of role `Admin` is still used: step 1 calls as it");
  await page.screenshot({ path: path.join(ARTIFACTS, "world-sessions.png"), fullPage: true });
});

test("a scenario JSON draft with a syntax error is kept across a reload, with its problem, until discarded", async ({ page }) => {
  await openBlank(page);
  await page.getByTestId("doc-tab-json").click();
  const json = page.getByTestId("scenario-json");
  const text = await json.inputValue();
  const broken = text.replace('"keys": {', '"keys": { ,');
  expect(broken).not.toBe(text);
  await json.fill(broken);
  // The edit reached the app: its diagnostic is shown (and the workspace saved with it).
  await expect(page.getByTestId("json-problem")).toHaveCount(1);
  const problem = (await page.getByTestId("json-problem").textContent()) ?? "";
  expect(problem).toContain("26:13");

  await page.reload();
  await expect(page.getByTestId("app")).toBeVisible();
  await expect(page.getByTestId("ws-current")).toHaveText("Blank workspace");
  await expect(json).toHaveValue(broken);
  await expect(page.getByTestId("json-problem")).toHaveText(problem);

  await page.getByTestId("json-discard").click();
  await expect(page.getByTestId("json-ok")).toBeVisible();
  await expect(json).toHaveValue(text);
  await page.reload();
  await expect(page.getByTestId("app")).toBeVisible();
  await page.getByTestId("doc-tab-json").click();
  await expect(json).toHaveValue(text);
  await expect(page.getByTestId("json-ok")).toBeVisible();
});

test("the world view and the JSON document: no serious axe violations (light and dark), no overflow on a phone", async ({ page }, info) => {
  test.setTimeout(90_000);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // A fresh start each time (the blank workspace, with no steps, would reopen otherwise).
    if (scheme === "dark") await page.evaluate(() => localStorage.clear());
    await openBlank(page);
    await expect(page.locator("html")).toHaveAttribute("data-theme", scheme);
    await page.getByTestId("world-add-grant").click();
    await page.getByTestId("world-grant-constraint").selectOption("equals");
    await principal(page, A, "Admin").getByTestId("world-add-tag").click();
    for (const where of ["world", "json"]) {
      if (where === "json") await page.getByTestId("doc-tab-json").click();
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations
        .filter((v) => v.impact === "critical" || v.impact === "serious")
        .map((v) => `${v.id} (${v.impact}): ${v.nodes[0]?.target.join(" ")}: ${v.nodes[0]?.failureSummary?.split("\n").join(" ")}`);
      if (bad.length) await page.screenshot({ path: info.outputPath(`axe-${scheme}-${where}.png`), fullPage: true });
      expect(bad, `axe on the ${where} (${scheme})`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("view-world").click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "no horizontal scrolling at 390 px").toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(ARTIFACTS, "world-phone.png"), fullPage: true });
});
