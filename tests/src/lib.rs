//! Cross-crate test support: loading and running the policy conformance corpus and folders of KMS scenarios.
//!
//! The corpus lives in `tests/conformance/policy/` as one JSON file per case (see `case.schema.json` there). Each case
//! holds one or more policies, a request and the expected decision. [`run_corpus`] loads every case under a folder,
//! runs it through [`kmsim_policy::authorize`] twice (trace off, then trace on) and collects every failure, so the
//! integration test, the CLI and the JS API can all run the same corpus through the same code.
//!
//! Combining rule: AWS's evaluation logic ([`kmsim_policy::combine`]): explicit deny, SCPs and RCPs at every level
//! (a policy's `level`), resource-based policies by how they name the caller, identity-based policies, the
//! permissions boundary, session policies, both sides of a cross-account request (the request's resource account).
//! KMS combining (key policy + IAM + grants) is tested by the KMS corpus.
//!
//! [`run_scenario_dir`] runs folders of KMS scenario files the same way (the lessons and the KMS conformance cases),
//! with the same failure lines for both.
//!
//! [`run_lint_corpus`] runs the lint corpus (`tests/lint/`): each case a policy and the findings it must give.
//!
//! [`mutate`] makes the deterministic mutation corpus of the robustness test (`tests/tests/mutations.rs`).

pub mod mutate;

use std::fmt;
use std::path::{Path, PathBuf};

use kmsim_kms::lint::{lint, Finding};
use kmsim_kms::scenario::{Scenario, ScenarioFile, ScenarioRun};
use kmsim_policy::{Decision, EvalOptions, Policy, PolicyResult, PolicyType, Request, SetPolicy, SetResult};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The folder holding the policy conformance corpus in this repository.
pub fn policy_corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance").join("policy")
}

/// One conformance case, as stored in a case file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows, in one line.
    pub description: String,
    /// The AWS documentation page the example comes from.
    pub source: String,
    /// The policies to evaluate together, in order (indices are used by `expect.policy`).
    pub policies: Vec<CasePolicy>,
    pub request: Request,
    pub expect: Expect,
}

/// A policy of a case: its kind and either a JSON document or its exact text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePolicy {
    #[serde(rename = "type")]
    pub ty: PolicyType,
    /// The policy as a JSON value; serialised pretty-printed, keys in the order written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<OrderedJson>,
    /// The policy's exact text, for cases that need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// For SCPs and RCPs: the organization level (0, the default, is the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
}

impl CasePolicy {
    /// The policy source text handed to `Policy::parse`.
    pub fn source_text(&self) -> Result<String, String> {
        match (&self.document, &self.text) {
            (Some(doc), None) => {
                serde_json::to_string_pretty(doc).map_err(|e| format!("cannot serialise document: {e}"))
            }
            (None, Some(text)) => Ok(text.clone()),
            (Some(_), Some(_)) => Err("policy has both `document` and `text`".to_string()),
            (None, None) => Err("policy has neither `document` nor `text`".to_string()),
        }
    }
}

/// What a case expects.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub decision: Decision,
    /// A deciding statement: its `Sid`, or `#N` for the N-th (0-based) statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Which policy (0-based) holds `statement`; when absent, any policy of the case may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<usize>,
}

/// A JSON value that keeps object keys in the order written (and repeated keys), so a policy document is handed to
/// the parser as the case author wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderedJson {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            OrderedJson::Null => s.serialize_unit(),
            OrderedJson::Bool(b) => s.serialize_bool(*b),
            OrderedJson::Number(n) => n.serialize(s),
            OrderedJson::String(v) => s.serialize_str(v),
            OrderedJson::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedJson;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Null)
            }
            fn visit_none<E>(self) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Number(n.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<OrderedJson, E> {
                serde_json::Number::from_f64(n)
                    .map(OrderedJson::Number)
                    .ok_or_else(|| E::custom(format!("`{n}` is not a JSON number")))
            }
            fn visit_str<E>(self, v: &str) -> Result<OrderedJson, E> {
                Ok(OrderedJson::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<OrderedJson, E> {
                Ok(OrderedJson::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OrderedJson::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, OrderedJson>()? {
                    entries.push((k, v));
                }
                Ok(OrderedJson::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a case from its JSON text.
pub fn parse_case(json: &str) -> Result<Case, String> {
    serde_json::from_str(json).map_err(|e| format!("invalid case file: {e}"))
}

/// Every case file (`*.json`, except `*.schema.json`) under `dir`, recursively, sorted by path.
pub fn find_case_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| format!("cannot stat `{}`: {e}", path.display()))?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.ends_with(".schema.json") {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// A statement that decided, for reports: `policy[i] #index (Sid) Effect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingStatement {
    pub policy: usize,
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: String,
}

impl fmt::Display for DecidingStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy[{}] #{}", self.policy, self.index)?;
        if let Some(sid) = &self.sid {
            write!(f, " ({sid})")?;
        }
        write!(f, " {}", self.effect)
    }
}

/// The outcome of running one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    /// The case's name (its path relative to the corpus folder, or what the caller passed).
    pub name: String,
    pub description: String,
    pub expected: Option<Decision>,
    /// The decision with the trace off (`None` when the case could not be run).
    pub actual: Option<Decision>,
    pub deciding: Vec<DecidingStatement>,
    /// Every problem found; empty when the case passed.
    pub problems: Vec<String>,
}

impl CaseOutcome {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for CaseOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |d: Option<Decision>| d.map_or_else(|| "-".to_string(), |d| format!("{d:?}"));
        writeln!(f, "{}: {}", self.name, self.description)?;
        writeln!(f, "    expected {}, actual {}", show(self.expected), show(self.actual))?;
        if self.deciding.is_empty() {
            writeln!(f, "    deciding: none")?;
        } else {
            let list: Vec<String> = self.deciding.iter().map(ToString::to_string).collect();
            writeln!(f, "    deciding: {}", list.join(", "))?;
        }
        for p in &self.problems {
            writeln!(f, "    - {p}")?;
        }
        Ok(())
    }
}

fn deciding_of(results: &[PolicyResult]) -> Vec<DecidingStatement> {
    results
        .iter()
        .enumerate()
        .flat_map(|(policy, r)| {
            r.deciding().map(move |s| DecidingStatement {
                policy,
                index: s.index,
                sid: s.sid.as_deref().map(str::to_string),
                effect: format!("{:?}", s.effect),
            })
        })
        .collect()
}

/// Whether `reference` (`Sid` or `#N`) names the statement `s`.
fn names_statement(reference: &str, s: &DecidingStatement) -> bool {
    match reference.strip_prefix('#').map(str::parse::<usize>) {
        Some(Ok(n)) => s.index == n,
        _ => s.sid.as_deref() == Some(reference),
    }
}

/// Runs one case (trace off and trace on) and checks every expectation.
pub fn run_case(name: &str, case: &Case) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        name: name.to_string(),
        description: case.description.clone(),
        expected: Some(case.expect.decision),
        actual: None,
        deciding: Vec::new(),
        problems: Vec::new(),
    };
    if case.policies.is_empty() {
        outcome.problems.push("case has no policies".to_string());
        return outcome;
    }
    let mut parsed = Vec::new();
    for (i, p) in case.policies.iter().enumerate() {
        let text = match p.source_text() {
            Ok(t) => t,
            Err(e) => {
                outcome.problems.push(format!("policy[{i}]: {e}"));
                continue;
            }
        };
        match Policy::parse(&text, p.ty) {
            Ok(policy) => parsed.push(policy),
            Err(errors) => outcome.problems.push(format!("policy[{i}] does not parse: {errors}")),
        }
    }
    if !outcome.problems.is_empty() {
        return outcome;
    }
    let set: Vec<SetPolicy<'_>> = parsed
        .iter()
        .zip(&case.policies)
        .map(|(policy, p)| SetPolicy { policy, level: p.level.unwrap_or(0) })
        .collect();
    let plain = kmsim_policy::authorize(&set, &case.request, EvalOptions { trace: false });
    let traced = kmsim_policy::authorize(&set, &case.request, EvalOptions { trace: true });
    outcome.actual = Some(plain.decision);
    outcome.deciding = deciding_of(&plain.policies);

    if plain.decision != case.expect.decision {
        outcome.problems.push(format!("expected {:?}, got {:?}", case.expect.decision, plain.decision));
    }
    check_statement(case, &outcome.deciding.clone(), &mut outcome.problems);
    check_trace(&plain, &traced, &mut outcome.problems);
    outcome
}

fn check_statement(case: &Case, deciding: &[DecidingStatement], problems: &mut Vec<String>) {
    let Some(reference) = &case.expect.statement else {
        return;
    };
    if let Some(p) = case.expect.policy {
        if p >= case.policies.len() {
            problems.push(format!("expect.policy {p} is out of range ({} policies)", case.policies.len()));
            return;
        }
    }
    let found =
        deciding.iter().any(|s| case.expect.policy.is_none_or(|p| p == s.policy) && names_statement(reference, s));
    if !found {
        let place = case.expect.policy.map_or_else(|| "any policy".to_string(), |p| format!("policy[{p}]"));
        problems.push(format!("expected statement `{reference}` of {place} among the deciding statements"));
    }
}

fn check_trace(plain: &SetResult, traced: &SetResult, problems: &mut Vec<String>) {
    if traced.decision != plain.decision {
        problems.push(format!("with the trace on the decision is {:?}, not {:?}", traced.decision, plain.decision));
    }
    if traced.combination != plain.combination {
        problems.push("with the trace on the combination's steps differ".to_string());
    }
    if traced.policies.len() != plain.policies.len() {
        problems.push("with the trace on the number of policy results differs".to_string());
    }
    for (i, (a, b)) in plain.policies.iter().zip(&traced.policies).enumerate() {
        if a.decision != b.decision {
            problems
                .push(format!("policy[{i}]: with the trace on the decision is {:?}, not {:?}", b.decision, a.decision));
        }
        if a.applied != b.applied {
            problems.push(format!("policy[{i}]: with the trace on the applying statements differ"));
        }
        if b.trace.is_none() {
            problems.push(format!("policy[{i}]: trace requested but missing"));
        }
    }
    if let Err(e) = serde_json::to_string(traced) {
        problems.push(format!("the trace does not serialise to JSON: {e}"));
    }
}

/// The result of running a whole corpus.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusReport {
    pub total: usize,
    pub outcomes: Vec<CaseOutcome>,
}

impl CorpusReport {
    pub fn failures(&self) -> impl Iterator<Item = &CaseOutcome> {
        self.outcomes.iter().filter(|o| !o.passed())
    }
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed()).count()
    }
    /// Every failure, rendered for a terminal.
    pub fn render_failures(&self) -> String {
        self.failures().map(ToString::to_string).collect()
    }
}

/// Loads and runs one case file; `root` is used to name it by relative path.
pub fn run_case_file(root: &Path, path: &Path) -> CaseOutcome {
    let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
    let case = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read case file: {e}"))
        .and_then(|text| parse_case(&text));
    match case {
        Ok(case) => run_case(&name, &case),
        Err(e) => CaseOutcome {
            name,
            description: String::new(),
            expected: None,
            actual: None,
            deciding: Vec::new(),
            problems: vec![e],
        },
    }
}

/// Loads and runs every case under `dir`. A folder that cannot be read is an error; a case that cannot be loaded is
/// a failed outcome.
pub fn run_corpus(dir: &Path) -> Result<CorpusReport, String> {
    let files = find_case_files(dir)?;
    let outcomes: Vec<CaseOutcome> = files.iter().map(|f| run_case_file(dir, f)).collect();
    Ok(CorpusReport { total: outcomes.len(), outcomes })
}

// ---- scenario corpora: the lessons and the KMS conformance cases ---------------------------------------------------

/// The result of running a folder of scenario files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioReport {
    /// How many scenario files were found.
    pub files: usize,
    /// How many ran with every step run and every expectation held.
    pub passed: usize,
    /// Every problem, one line each, starting with the file's name.
    pub failures: Vec<String>,
}

impl ScenarioReport {
    /// The failures, one indented line each.
    pub fn render_failures(&self) -> String {
        self.failures.iter().map(|f| format!("  {f}\n")).collect()
    }
}

/// Every step error and every expectation that did not hold in a run, one line each, starting with `name`.
pub fn scenario_run_failures(name: &str, file: &ScenarioFile, run: &ScenarioRun) -> Vec<String> {
    let mut out = Vec::new();
    for step in &run.steps {
        let label = match &step.name {
            Some(n) => format!("step {} ({n})", step.index),
            None => format!("step {}", step.index),
        };
        let call = file.steps.get(step.index).and_then(|s| s.call.clone()).unwrap_or_default();
        if let Some(e) = &step.error {
            out.push(format!("{name}: {label} {call}: error: {e}"));
        }
        for x in step.expectations.iter().filter(|x| !x.held) {
            let message = step
                .call
                .as_ref()
                .and_then(|c| c.response.as_ref().err())
                .map(|e| format!(" [{}]", e.message))
                .unwrap_or_default();
            out.push(format!(
                "{name}: {label} {call}: {}: expected {}, actual {}{message}",
                x.what, x.expected, x.actual
            ));
        }
    }
    out
}

/// Runs every scenario file under `dir` (as [`find_case_files`] finds them), each named by its path relative to
/// `dir`, with `seed` for files that have none. `rules` checks a parsed file against the corpus's own rules and
/// returns its problems (the file's name is prefixed). A file passes when it runs with every expectation held; a file
/// that cannot be read or parsed is a failure. Only a folder that cannot be read is an error.
pub fn run_scenario_dir(
    dir: &Path,
    seed: u64,
    rules: impl Fn(&Scenario) -> Vec<String>,
) -> Result<ScenarioReport, String> {
    let files = find_case_files(dir)?;
    let mut report = ScenarioReport { files: files.len(), ..ScenarioReport::default() };
    for path in &files {
        let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                report.failures.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        let scenario = match Scenario::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                report.failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        report.failures.extend(rules(&scenario).into_iter().map(|p| format!("{name}: {p}")));
        let run = scenario.run(seed, false);
        let fails = scenario_run_failures(&name, &scenario.file, &run);
        if fails.is_empty() && run.passed {
            report.passed += 1;
        } else if fails.is_empty() {
            report.failures.push(format!("{name}: the run did not pass but reported no failed expectation"));
        }
        report.failures.extend(fails);
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------------------------
// The lint corpus (`tests/lint/**.json`): one policy per file and the findings `kmsim_kms::lint` must report, no
// more and no fewer. A case's policy is the conformance corpus's [`CasePolicy`] (a type and a JSON document, or an
// exact text), so the two corpora write policies the same way.

/// The folder of lint cases.
pub fn lint_corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lint")
}

/// One lint case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintCase {
    pub description: String,
    /// The AWS page the policy (or the fact the finding rests on) comes from.
    pub source: String,
    pub policy: CasePolicy,
    /// Every finding expected, in any order; empty for a policy that must be clean.
    pub findings: Vec<Expected>,
}

/// An expected finding: its code and line, and optionally its column, JSON Pointer and fix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub code: String,
    pub line: u32,
    #[serde(default)]
    pub column: Option<u32>,
    #[serde(default)]
    pub path: Option<String>,
    /// The fix's replacement text (a JSON string with its quotes), when the finding must carry one.
    #[serde(default)]
    pub fix: Option<String>,
    /// Why a finding is expected on a policy that is otherwise an example to follow.
    #[serde(default)]
    pub why: Option<String>,
}

impl Expected {
    fn matches(&self, f: &Finding) -> bool {
        self.code == f.code
            && self.line == f.location.line
            && self.column.is_none_or(|c| c == f.location.column)
            && self.path.as_deref().is_none_or(|p| p == &*f.location.path)
            && self.fix.as_deref().is_none_or(|r| f.fix.as_ref().is_some_and(|x| x.replacement == r))
    }
}

/// Runs one case: every problem with it, empty when it passed. A fix is also applied and the fixed text linted
/// again: the finding it fixes must be gone.
pub fn run_lint_case(case: &LintCase) -> Vec<String> {
    let text = match case.policy.source_text() {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    check_findings(case, &text, &lint(&text, case.policy.ty))
}

/// Compares findings (of the library, or of `kmsim lint --format json` for the CLI run of the corpus) with the
/// case's: every problem, empty when they agree.
pub fn check_findings(case: &LintCase, text: &str, found: &[Finding]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used = vec![false; found.len()];
    for e in &case.findings {
        match found.iter().enumerate().find(|(i, f)| !used.get(*i).copied().unwrap_or(true) && e.matches(f)) {
            Some((i, _)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            None => problems.push(format!("missing: {} at line {}", e.code, e.line)),
        }
    }
    for (f, u) in found.iter().zip(&used) {
        if !u {
            problems.push(format!(
                "unexpected: {} at line {}, column {} ({}): {}",
                f.code, f.location.line, f.location.column, f.location.path, f.message
            ));
        }
        if let Some(fix) = &f.fix {
            problems.extend(fix_problem(text, case, f, fix));
        }
    }
    problems
}

fn fix_problem(text: &str, case: &LintCase, f: &Finding, fix: &kmsim_kms::lint::Fix) -> Option<String> {
    let start = usize::try_from(fix.span.offset).ok()?;
    let end = start + usize::try_from(fix.span.len).ok()?;
    let fixed = format!("{}{}{}", text.get(..start)?, fix.replacement, text.get(end..)?);
    let again = lint(&fixed, case.policy.ty);
    again
        .iter()
        .any(|g| g.code == f.code && g.location.offset == f.location.offset)
        .then(|| format!("the fix of {} at line {} does not remove it", f.code, f.location.line))
}

/// Every case file under `dir` (sorted), each with its problems.
pub fn run_lint_corpus(dir: &Path) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let mut out = Vec::new();
    for path in find_case_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let problems = match serde_json::from_str::<LintCase>(&text) {
            Ok(case) => run_lint_case(&case),
            Err(e) => vec![format!("not a lint case: {e}")],
        };
        out.push((path, problems));
    }
    Ok(out)
}
