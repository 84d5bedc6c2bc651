// Real-browser tests of the playground as a workbench (issue 11): exercise mode (the exercise beside the steps,
// "Check my work" with each goal and its reason, hints one at a time, the solution compared, progress kept in the
// browser, previous and next lesson), and each lesson's exercise followed in the page to "Check: passed".
// No fixed sleeps: every wait is on the DOM.
import { test, expect, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { editorText, openLesson, selectDoc, open } from "./helpers";

const ARTIFACTS = path.resolve(__dirname, "artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

const PROGRESS_KEY = "kmsim.progress";
const A = "111122223333";

type Statement = { Sid?: string; Condition?: Record<string, unknown>; [k: string]: unknown };
type Policy = { Version: string; Statement: Statement[] };

/** The policy document at `pointer`, read from the editor. */
async function readDoc(page: Page, pointer: string): Promise<Policy> {
  await selectDoc(page, pointer);
  return JSON.parse(await editorText(page)) as Policy;
}

/** Edits the policy document at `pointer` in the editor, as a person would type the change. */
async function editDoc(page: Page, pointer: string, change: (p: Policy) => void): Promise<void> {
  const policy = await readDoc(page, pointer);
  change(policy);
  await page.getByTestId("editor").fill(JSON.stringify(policy, null, 2));
}

/** "Run the lesson": Run all, after the documents changed. */
async function runLesson(page: Page): Promise<void> {
  await page.getByTestId("run-all").click();
  await expect(page.getByTestId("stale")).toHaveCount(0);
}

/** Selects step `row` and sets fields of its expectation in the step editor (empty text clears a field). */
async function editExpectation(page: Page, row: number, fields: Record<string, string>): Promise<void> {
  await page.getByTestId("step-row").nth(row).click();
  await expect(page.getByTestId("step-row").nth(row)).toHaveAttribute("aria-current", "true");
  for (const [name, text] of Object.entries(fields)) {
    const f = page.getByTestId("expect-editor").getByTestId(`field-expect.${name}`);
    await f.fill(text);
    await f.blur();
    await expect(f).toHaveValue(text);
  }
}

/** Selects step `row` and presses "Expect what it did" in the step editor. */
async function expectWhatItDid(page: Page, row: number): Promise<void> {
  await page.getByTestId("step-row").nth(row).click();
  await expect(page.getByTestId("step-row").nth(row)).toHaveAttribute("aria-current", "true");
  await page.getByTestId("step-keep-observed").click();
  await expect(page.getByTestId("step-row").nth(row).locator(".mark")).not.toHaveText([/✗/]);
}

async function allExpectationsHold(page: Page): Promise<void> {
  await expect(page.getByTestId("run-status")).toHaveText("every expectation holds");
}

function statement(p: Policy, sid: string): Statement {
  const s = p.Statement.find((x) => x.Sid === sid);
  expect(s, `statement ${sid}`).toBeTruthy();
  return s as Statement;
}

/** `kmsim check --goals FILE` (the CLI built by cargo in target/debug), its output; throws when it exits non-zero. */
function kmsimCheckGoals(file: string): string {
  const kmsim = path.resolve(__dirname, "../../target/debug/kmsim");
  return execFileSync(kmsim, ["check", "--goals", file], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

async function check(page: Page): Promise<string> {
  await page.getByTestId("check-work").click();
  const summary = page.getByTestId("check-summary");
  await expect(summary).toBeVisible();
  return summary.innerText();
}

test("exercise mode: the exercise beside the steps, check, hints, solution, progress and the next lesson", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:01-least-privilege");
  // The exercise is shown beside the steps, not folded away.
  const exercise = page.getByTestId("exercise");
  await expect(exercise).toBeVisible();
  await expect(page.getByTestId("exercise-text")).toContainText("change the Resource of statement DecryptOwnData");
  const box = await exercise.boundingBox();
  const steps = await page.getByTestId("steps").boundingBox();
  expect(box && steps && (box.x + box.width <= steps.x + 1 || box.y + box.height <= steps.y + 1)).toBeTruthy();

  // As written, the exercise is open: the goal that is not met says why.
  expect(await check(page)).toBe("Check: 2 of 3 goals met");
  await expect(page.getByTestId("goal-reason")).toHaveText([
    "step `partner-decrypt` outcome: expected AccessDeniedException, got success",
  ]);
  await page.screenshot({ path: path.join(ARTIFACTS, "exercise-open.png"), fullPage: true });

  // Hints one at a time.
  await expect(page.getByTestId("hint")).toHaveCount(0);
  await page.getByTestId("show-hint").click();
  await expect(page.getByTestId("hint")).toHaveCount(1);
  await expect(page.getByTestId("hint").first()).toContainText("Hint 1:");
  await page.getByTestId("show-hint").click();
  await page.getByTestId("show-hint").click();
  await expect(page.getByTestId("hint")).toHaveCount(3);
  await expect(page.getByTestId("show-hint")).toBeDisabled();

  // The solution, compared with my documents.
  await page.getByTestId("compare-solution").click();
  const diff = page.getByTestId("solution-diff");
  await expect(diff).toContainText("role App · AppKms (− yours, + the solution)");
  await expect(diff.locator(".yours")).toHaveText([/"Resource": "\*"/]);
  await expect(diff.locator(".theirs")).toHaveText([/key\/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11/]);

  // Follow step 1 of the exercise, then check.
  await editDoc(page, `/accounts/${A}/roles/App/policies/AppKms`, (p) => {
    statement(p, "DecryptOwnData").Resource = `arn:aws:kms:us-east-1:${A}:key/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11`;
  });
  await expect(page.getByTestId("check-result")).toHaveCount(0);
  expect(await check(page)).toBe("Check: passed");
  await expect(diff).toContainText("(yours is the same)");
  await expect(page.getByTestId("solved")).toBeVisible();
  await expect(page.getByTestId("progress")).toHaveText("1 of 15 lessons solved");
  await page.screenshot({ path: path.join(ARTIFACTS, "exercise-passed.png"), fullPage: true });
  expect(JSON.parse((await page.evaluate((k) => localStorage.getItem(k), PROGRESS_KEY)) ?? "{}")).toEqual({
    solved: ["lesson:01-least-privilege"],
  });

  // Previous and next lesson; the progress survives a reload.
  await expect(page.getByTestId("prev-lesson")).toBeDisabled();
  await page.getByTestId("next-lesson").click();
  await expect(page.getByTestId("scenario-title")).toContainText("2. Separation of duties");
  await expect(page.getByTestId("check-result")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("progress")).toHaveText("1 of 15 lessons solved");
  await page.getByTestId("prev-lesson").click();
  await expect(page.getByTestId("scenario-title")).toContainText("1. Least privilege");
});

test("without storage the progress lasts as long as the page, and says so", async ({ page }) => {
  await page.addInitScript(() => {
    Storage.prototype.setItem = () => {
      throw new Error("quota");
    };
  });
  await open(page);
  await openLesson(page, "lesson:04-cross-account");
  await editDoc(page, "/accounts/444455556666/roles/Reader/policies/ReaderKms", (p) => {
    statement(p, "DescribeSharedKey").Action = ["kms:DescribeKey", "kms:Decrypt"];
  });
  expect(await check(page)).toBe("Check: passed");
  await expect(page.getByTestId("progress")).toContainText("1 of 15 lessons solved");
  await expect(page.getByTestId("progress")).toContainText("not kept");
});

/** Each lesson's exercise, as its text says, done in the page's documents. */
const EXERCISES: [string, (page: Page) => Promise<void>][] = [
  ["lesson:01-least-privilege", async (page) => {
    await editDoc(page, `/accounts/${A}/roles/App/policies/AppKms`, (p) => {
      statement(p, "DecryptOwnData").Resource = `arn:aws:kms:us-east-1:${A}:key/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11`;
    });
    // 2. Run the lesson; step 6's expectation, edited in the step editor.
    await runLesson(page);
    await expect(page.getByTestId("step-row").nth(6).getByTestId("step-outcome")).toHaveText("AccessDeniedException");
    await editExpectation(page, 6, { outcome: "AccessDeniedException", statement: "" });
    await allExpectationsHold(page);
  }],
  ["lesson:02-separation-of-duties", async (page) => {
    const deny = statement(await readDoc(page, "/keys/orders-hardened/policy"), "DenyGrantsExceptForAWSResources");
    await editDoc(page, "/keys/orders/policy", (p) => { p.Statement.push(deny); });
  }],
  ["lesson:03-kms-star-anti-pattern", async (page) => {
    const scoped = await readDoc(page, `/accounts/${A}/users/app-dev/policies/ScopedAppAccess`);
    await editDoc(page, `/accounts/${A}/users/dev/policies/AdminEverything`, (p) => { p.Statement = scoped.Statement; });
  }],
  ["lesson:04-cross-account", async (page) => {
    await editDoc(page, "/accounts/444455556666/roles/Reader/policies/ReaderKms", (p) => {
      statement(p, "DescribeSharedKey").Action = ["kms:DescribeKey", "kms:Decrypt"];
    });
    await runLesson(page);
    await expect(page.getByTestId("step-row").nth(1).getByTestId("step-outcome")).toHaveText("Success");
    await editExpectation(page, 1, { outcome: "success", message_contains: "" });
    await allExpectationsHold(page);
  }],
  ["lesson:05-grants", async (page) => {
    await editDoc(page, "/keys/jobs/policy", (p) => {
      const s = statement(p, "SchedulerGrantsWithinLimits");
      s.Condition = { ...s.Condition, StringEquals: { "kms:GranteePrincipal": `arn:aws:iam::${A}:role/Worker` } };
    });
    await runLesson(page);
    await expect(page.getByTestId("step-row").nth(11).getByTestId("step-outcome")).toHaveText("AccessDeniedException");
    await editExpectation(page, 11, { outcome: "AccessDeniedException" });
    await allExpectationsHold(page);
  }],
  ["lesson:06-encryption-context", async (page) => {
    const isolation = statement(await readDoc(page, "/keys/tenant-data/policy"), "TenantIsolation");
    await editDoc(page, "/keys/plain-data/policy", (p) => { statement(p, "AppUsesKey").Condition = isolation.Condition; });
    await runLesson(page);
    // 3. Each step marked ✗: "Expect what it did".
    const rows = page.getByTestId("step-row");
    const failed: number[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      if ((await rows.nth(i).locator(".mark.failed").count()) > 0) failed.push(i);
    }
    expect(failed).toEqual([2, 5, 6]);
    for (const i of failed) await expectWhatItDid(page, i);
    await allExpectationsHold(page);
  }],
  ["lesson:07-mfa", async (page) => {
    await editDoc(page, "/keys/critical-bool/policy", (p) => {
      const s = statement(p, "DenyWithoutMFA");
      const { Bool, ...rest } = s.Condition ?? {};
      s.Condition = { ...rest, BoolIfExists: Bool };
    });
  }],
  ["lesson:08-via-service", async (page) => {
    await editDoc(page, "/keys/ip-locked/policy", (p) => {
      const s = statement(p, "DenyOutsideCorpNetwork");
      s.Condition = { ...s.Condition, Bool: { "aws:ViaAWSService": "false" } };
    });
  }],
  ["lesson:09-abac-tags-aliases", async (page) => {
    await editDoc(page, `/accounts/${A}/roles/Ops/policies/TagAnything`, (p) => {
      statement(p, "TagAnyKey").Condition = { "ForAllValues:StringEquals": { "aws:TagKeys": ["CostCenter", "Owner"] } };
    });
  }],
  ["lesson:10-auditing", async (page) => {
    await editDoc(page, "/keys/ledger/policy", (p) => { p.Statement = p.Statement.filter((s) => s.Sid !== "PartnerDecrypt"); });
  }],
  ["lesson:11-disable-vs-delete", async (page) => {
    const deny = statement(await readDoc(page, "/keys/orders/policy"), "DenyShortDeletionWindow");
    await editDoc(page, "/keys/scratch/policy", (p) => { p.Statement.push(deny); });
  }],
  ["lesson:12-rotation", async (page) => {
    await editDoc(page, "/keys/contracts/policy", (p) => {
      const s = statement(p, "DenyLongRotationPeriods");
      s.Condition = { NumericGreaterThan: { "kms:RotationPeriodInDays": "180" } };
    });
  }],
  ["lesson:13-data-protection-with-services", async (page) => {
    await editDoc(page, "/keys/app-data/policy", (p) => {
      const c = statement(p, "UseThroughListedServices").Condition as Record<string, Record<string, string[]>>;
      c.StringEquals["kms:ViaService"].push("ssm.us-east-1.amazonaws.com");
    });
  }],
];

for (const [id, solve] of EXERCISES) {
  test(`${id}: following the exercise reaches "Check: passed", and \`kmsim check --goals\` passes on the export`, async ({ page }, info) => {
    await open(page);
    await openLesson(page, id);
    expect(await check(page), "the exercise is open as written").not.toBe("Check: passed");
    await solve(page);
    expect(await check(page)).toBe("Check: passed");
    await expect(page.getByTestId("goal").locator(".mark")).not.toHaveText([/✗/]);
    await page.screenshot({ path: path.join(ARTIFACTS, `exercise-${id.replace("lesson:", "")}.png`), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
    const file = info.outputPath("exported.json");
    await download.saveAs(file);
    expect(kmsimCheckGoals(file)).toMatch(/^PASS /);
  });
}

test("lesson, exercise and step texts are Markdown; the sources open in a new tab", async ({ page }) => {
  await open(page);
  await openLesson(page, "lesson:05-grants");
  const text = page.getByTestId("exercise-text");
  await expect(text.locator("strong")).toHaveText(["to whom", "Check my work"]);
  await expect(text.locator("code").first()).toHaveText("SchedulerGrantsWithinLimits");
  await expect(text).not.toContainText("**");
  await expect(text).not.toContainText("`");
  await page.getByTestId("about").locator("summary").click();
  const source = page.getByTestId("about").locator("a").first();
  await expect(source).toHaveAttribute("href", /^https:\/\/docs\.aws\.amazon\.com\//);
  await expect(source).toHaveAttribute("target", "_blank");
  await expect(source).toHaveAttribute("rel", "noopener noreferrer");
  await page.getByTestId("show-hint").click();
  await expect(page.getByTestId("hint").first().locator("code").first()).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, "markdown.png"), fullPage: true });
});

test("a lesson exported after its exercise passes `kmsim check --goals` and reimports identically", async ({ page }, info) => {
  await open(page);
  await openLesson(page, "lesson:07-mfa");
  await EXERCISES[6][1](page);
  expect(await check(page)).toBe("Check: passed");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  expect(download.suggestedFilename()).toMatch(/^7-[a-z0-9-]+\.json$/);
  const file = info.outputPath("exported.json");
  await download.saveAs(file);
  const exported = fs.readFileSync(file, "utf8");
  // The CLI grades the same goals on the file the browser wrote.
  expect(kmsimCheckGoals(file)).toMatch(/^PASS .* \(1 of 1 goals met\)/);

  // Reimported (upload), the page holds the same scenario: exporting again gives the same file.
  await openLesson(page, "lesson:01-least-privilege");
  await page.getByTestId("import-file").setInputFiles(file);
  await expect(page.getByTestId("banner")).toContainText("opened `exported.json`");
  await expect(page.getByTestId("scenario-title")).toContainText("7.");
  expect(await check(page)).toBe("Check: passed");
  const [again] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-file").click()]);
  const file2 = info.outputPath("again.json");
  await again.saveAs(file2);
  expect(fs.readFileSync(file2, "utf8")).toBe(exported);

  // Dropped on the steps, a broken file is refused with its place and nothing is replaced.
  await page.getByTestId("steps-view").evaluate((el) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['{ "steps": [ { "call": "Encrpyt", "as": "role/App" } ] }'], "broken.json", { type: "application/json" }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(page.getByTestId("banner")).toContainText("`broken.json` could not be opened: line 1, column");
  await expect(page.getByTestId("banner")).toContainText("unknown operation `Encrpyt`");
  await expect(page.getByTestId("scenario-title")).toContainText("7.");
  await page.screenshot({ path: path.join(ARTIFACTS, "import-export.png"), fullPage: true });
});
