//! An exercise's goals, hints and solution: what a student's version of a lesson must achieve, kept apart from the
//! steps' own `expect` (which describe the lesson as written).
//!
//! ```json
//! "goals": [
//!   { "id": "partner-denied", "text": "App can no longer decrypt the partner's data",
//!     "step": "partner-decrypt", "expect": { "outcome": "AccessDeniedException" } },
//!   { "id": "own-data", "text": "App still works with its own key",
//!     "steps": ["dk", "ct", "own-decrypt"], "expect": { "outcome": "success" } },
//!   { "id": "others", "text": "every other step still passes", "except": ["partner-decrypt"] },
//!   { "id": "tried-365", "text": "a step tries a 365-day period and is denied",
//!     "find": { "call": "EnableKeyRotation", "params": { "RotationPeriodInDays": 365 } },
//!     "expect": { "outcome": "AccessDeniedException" } }
//! ],
//! "hints": ["Look at the `Resource` of `DecryptOwnData`.", "..."],
//! "solution": { "note": "...", "patch": [ { "op": "replace", "path": "/accounts/.../Resource", "value": "arn:..." } ] }
//! ```
//!
//! A goal picks its steps in one of four ways: `step` (one step by name), `steps` (several by name), `except` (every
//! step but these) or `find` (every step the student wrote that makes this call, with these parameters as written,
//! by dotted path; at least one must exist). Each picked step must meet the goal's `expect` (the same fields as a
//! step's `expect`); a goal without `expect` asks that the steps' own expectations still hold. A goal naming a step
//! that does not exist is an error when the file is loaded.
//!
//! The solution is a JSON Patch (RFC 6902, <https://www.rfc-editor.org/rfc/rfc6902>: `add`, `replace` and `remove`)
//! of the lesson file: applied, every goal must be met (`kmsim check --solution`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::locate::{At, Locate};
use super::parse::unescape;
use super::{ExpectSpec, Expectation, Scenario, ScenarioError, ScenarioErrors, ScenarioFile, StepResult, StepSpec};
use crate::world::World;

/// One goal of an exercise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Names the goal in reports (unique in the file).
    pub id: String,
    /// What the goal asks, for the student (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The step (by name) the goal is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Several steps (by name), each of which must meet `expect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// Every step except these (by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except: Option<Vec<String>>,
    /// The steps that make this call (a step the student adds has no name the lesson could know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<StepMatch>,
    /// What each picked step must produce; absent: the step's own expectations must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<ExpectSpec>,
}

/// Which steps a `find` goal is about: every step with this call, caller and parameters (as written, before `$ref`
/// and `$key` are replaced).
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepMatch {
    /// The operation (`EnableKeyRotation`).
    pub call: String,
    /// The caller as the step writes it (`role/Worker`).
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// Parameters the step must have, by dotted path (`{"RotationPeriodInDays": 365}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, J>,
}

/// The model answer: a JSON Patch of the lesson file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Why this is the answer (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub patch: Vec<PatchOp>,
}

/// One JSON Patch operation (RFC 6902): `add`, `replace` or `remove` at a JSON Pointer of the lesson file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOp {
    pub op: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<J>,
}

/// How one goal fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GoalResult {
    pub id: String,
    pub text: String,
    /// Every check held (and there was at least one).
    pub passed: bool,
    /// Each check on each picked step, its `what` naming the step.
    pub checks: Vec<Expectation>,
}

impl Goal {
    /// The indices of the steps this goal picks in `steps`.
    pub fn targets(&self, steps: &[StepSpec]) -> Vec<usize> {
        let named = |n: &str| steps.iter().position(|s| s.name.as_deref() == Some(n));
        if let Some(n) = &self.step {
            return named(n).into_iter().collect();
        }
        if !self.steps.is_empty() {
            return self.steps.iter().filter_map(|n| named(n)).collect();
        }
        if let Some(except) = &self.except {
            return (0..steps.len())
                .filter(|i| steps.get(*i).and_then(|s| s.name.as_ref()).is_none_or(|n| !except.contains(n)))
                .collect();
        }
        match &self.find {
            Some(m) => (0..steps.len()).filter(|i| steps.get(*i).is_some_and(|s| m.matches(s))).collect(),
            None => Vec::new(),
        }
    }
}

impl StepMatch {
    fn matches(&self, s: &StepSpec) -> bool {
        s.call.as_deref() == Some(self.call.as_str())
            && self.caller.as_ref().is_none_or(|c| s.caller.as_ref() == Some(c))
            && self.params.iter().all(|(path, want)| {
                let got = s.params.as_ref().and_then(|p| path.split('.').try_fold(p, super::expect::field));
                got == Some(want)
            })
    }

    /// The match in words: "a step that calls EnableKeyRotation with RotationPeriodInDays = 365".
    fn describe(&self) -> String {
        let mut out = format!("a step that calls {}", self.call);
        if let Some(c) = &self.caller {
            out.push_str(&format!(" as {c}"));
        }
        let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        if !params.is_empty() {
            out.push_str(&format!(" with {}", params.join(", ")));
        }
        out
    }
}

/// A step in reports: its name, else its number.
fn step_label(s: &StepSpec, i: usize) -> String {
    match &s.name {
        Some(n) => format!("step `{n}`"),
        None => format!("step {i}"),
    }
}

impl Scenario {
    /// The goals that pick each step: for step `i`, the indices of the goals about it.
    pub(super) fn goal_targets(&self) -> Vec<Vec<usize>> {
        let mut by_step = vec![Vec::new(); self.file.steps.len()];
        for (g, goal) in self.file.goals.iter().enumerate() {
            for i in goal.targets(&self.file.steps) {
                if let Some(list) = by_step.get_mut(i) {
                    list.push(g);
                }
            }
        }
        by_step
    }

    /// Checks goal `goal` on step `s` (index `i`), just run with its whole outcome (`r`) and the notifications its rules
    /// published (`published`), into `checks`.
    pub(super) fn check_goal_step(
        &self,
        goal: &Goal,
        s: &StepSpec,
        r: &StepResult,
        world: &World,
        published: &[crate::rules::Notification],
        checks: &mut Vec<Expectation>,
    ) {
        let label = step_label(s, r.index);
        if let Some(e) = &r.error {
            checks.push(Expectation {
                what: format!("{label} runs"),
                expected: "the step runs".into(),
                actual: e.clone(),
                held: false,
            });
            return;
        }
        let mut ex = Vec::new();
        match &goal.expect {
            None => ex.extend(r.expectations.iter().cloned()),
            Some(e) => {
                if let Some(out) = &r.call {
                    self.check_call(e, out, world, &mut ex);
                } else if let Some(out) = &r.service {
                    self.check_service(e, out, world, &mut ex);
                } else if let Some(t) = &r.authorization {
                    super::expect::check_authz(e, t, &mut ex);
                } else {
                    super::expect::check_events(e, &r.events, &mut ex);
                }
                // The rules the step set off, as a step's own `expect` checks them after the step.
                super::expect::check_rules(e, r.rules.as_deref(), published, &mut ex);
            }
        }
        if ex.is_empty() {
            ex.push(Expectation {
                what: "runs".into(),
                expected: "the step runs".into(),
                actual: "ran".into(),
                held: true,
            });
        }
        checks.extend(ex.into_iter().map(|e| Expectation { what: format!("{label} {}", e.what), ..e }));
    }

    /// The goals' results once every step has run, from the checks gathered per goal.
    pub(super) fn goal_results(&self, mut checks: Vec<Vec<Expectation>>) -> Vec<crate::scenario::GoalResult> {
        self.file
            .goals
            .iter()
            .enumerate()
            .map(|(g, goal)| {
                let mut list = checks.get_mut(g).map(std::mem::take).unwrap_or_default();
                if list.is_empty() {
                    let wanted = goal.find.as_ref().map_or_else(|| "the goal's steps".to_string(), StepMatch::describe);
                    list.push(Expectation {
                        what: wanted,
                        expected: "present".into(),
                        actual: "none".into(),
                        held: false,
                    });
                }
                GoalResult {
                    id: goal.id.clone(),
                    text: goal.text.clone(),
                    passed: list.iter().all(|c| c.held),
                    checks: list,
                }
            })
            .collect()
    }

    /// The lesson with its solution applied: the patched file, read and checked like any file. `None` when the
    /// lesson has no solution.
    pub fn with_solution(&self) -> Option<Result<Scenario, ScenarioErrors>> {
        let solution = self.file.solution.as_ref()?;
        let patched = serde_json::to_value(&self.file).map_err(|e| e.to_string()).and_then(|mut v| {
            for op in &solution.patch {
                apply(&mut v, op)?;
            }
            Ok(v)
        });
        let at = |message: String| ScenarioErrors {
            errors: vec![ScenarioError {
                message,
                help: None,
                span: kmsim_policy::Span { path: "/solution".into(), ..kmsim_policy::Span::default() },
            }],
        };
        Some(match patched {
            // The solved lesson is checked without its solution, which applies to the lesson as written only.
            Ok(v) => match super::located::from_value::<ScenarioFile>(&v) {
                Ok(file) => Scenario::from_file(ScenarioFile { solution: None, ..file }),
                Err(e) => Err(at(format!("the solved lesson does not read: {e}"))),
            },
            Err(e) => Err(at(e)),
        })
    }
}

/// Applies one patch operation to a JSON value; the error says which pointer did not resolve.
fn apply(root: &mut J, op: &PatchOp) -> Result<(), String> {
    let Some(rest) = op.path.strip_prefix('/') else {
        return Err(format!("patch path `{}` must start with `/`", op.path));
    };
    let mut segments: Vec<String> = rest.split('/').map(unescape).collect();
    let last = segments.pop().unwrap_or_default();
    let mut parent = &mut *root;
    for seg in &segments {
        parent = match parent {
            J::Object(m) => m.get_mut(seg.as_str()),
            J::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("patch path `{}`: nothing at `{seg}`", op.path))?;
    }
    let missing = || format!("patch path `{}`: nothing at `{last}`", op.path);
    let value = || op.value.clone().ok_or_else(|| format!("patch `{}` at `{}` needs a `value`", op.op, op.path));
    match (op.op.as_str(), parent) {
        ("add", J::Object(m)) => {
            m.insert(last, value()?);
        }
        ("add", J::Array(a)) => {
            let i = if last == "-" { a.len() } else { last.parse::<usize>().map_err(|_| missing())? };
            if i > a.len() {
                return Err(missing());
            }
            a.insert(i, value()?);
        }
        ("replace", J::Object(m)) => *m.get_mut(&last).ok_or_else(missing)? = value()?,
        ("replace", J::Array(a)) => {
            *last.parse::<usize>().ok().and_then(|i| a.get_mut(i)).ok_or_else(missing)? = value()?;
        }
        ("remove", J::Object(m)) => {
            m.remove(&last).ok_or_else(missing)?;
        }
        ("remove", J::Array(a)) => {
            let i = last.parse::<usize>().ok().filter(|i| *i < a.len()).ok_or_else(missing)?;
            a.remove(i);
        }
        ("add" | "replace" | "remove", _) => return Err(missing()),
        (other, _) => return Err(format!("unknown patch operation `{other}`: one of add, replace, remove")),
    }
    Ok(())
}

/// The load-time checks of goals, hints and the solution: unique goal ids, one way of picking steps, step names
/// that exist, outcomes that fit the picked steps, a known operation in `find`, and the patch's form.
pub(super) fn check(file: &ScenarioFile, loc: &Locate<'_>, errors: &mut Vec<ScenarioError>) {
    let names: Vec<&str> = file.steps.iter().filter_map(|s| s.name.as_deref()).collect();
    for (i, g) in file.goals.iter().enumerate() {
        let at = format!("/goals/{i}");
        if g.id.is_empty() {
            errors.push(loc.err(
                At::Value(&format!("{at}/id")),
                &format!("{at}/id"),
                "a goal needs an `id`".into(),
                None,
            ));
        } else if file.goals.iter().take(i).any(|o| o.id == g.id) {
            let message = format!("two goals have the id `{}`", g.id);
            errors.push(loc.err(At::Value(&format!("{at}/id")), &format!("{at}/id"), message, None));
        }
        let ways = [g.step.is_some(), !g.steps.is_empty(), g.except.is_some(), g.find.is_some()];
        if ways.iter().filter(|b| **b).count() != 1 {
            let message = "a goal picks its steps in exactly one way: `step`, `steps`, `except` or `find`".to_string();
            errors.push(loc.err(At::Value(&at), &at, message, Some("e.g. \"step\": \"partner-decrypt\"".into())));
        }
        let listed = g.step.iter().map(|n| (format!("{at}/step"), n));
        let listed = listed.chain(g.steps.iter().enumerate().map(|(j, n)| (format!("{at}/steps/{j}"), n)));
        let listed = listed.chain(g.except.iter().flatten().enumerate().map(|(j, n)| (format!("{at}/except/{j}"), n)));
        for (p, n) in listed {
            if !names.contains(&n.as_str()) {
                let message = format!("goal `{}` names step `{n}`, which is not a step of the lesson", g.id);
                let help = kmsim_policy::suggest(n, &names).map_or_else(
                    || format!("the named steps: {}", names.join(", ")),
                    |c| format!("did you mean `{c}`?"),
                );
                errors.push(loc.err(At::Value(&p), &p, message, Some(help)));
            }
        }
        if let Some(m) = &g.find {
            if !crate::api::OPERATIONS.contains(&m.call.as_str()) {
                let help =
                    kmsim_policy::suggest(&m.call, crate::api::OPERATIONS).map(|c| format!("did you mean `{c}`?"));
                let p = format!("{at}/find/call");
                errors.push(loc.err(At::Value(&p), &p, format!("unknown operation `{}`", m.call), help));
            }
        }
        if let Some(o) = g.expect.as_ref().and_then(|e| e.outcome.as_ref()) {
            let picked = g.targets(&file.steps);
            let authorize = picked.iter().any(|j| file.steps.get(*j).is_some_and(|s| s.authorize.is_some()));
            if let Some(help) = super::validate::outcome_problem(authorize, o) {
                let p = format!("{at}/expect/outcome");
                errors.push(loc.err(At::Value(&p), &p, format!("unknown outcome `{o}`"), Some(help)));
            }
        }
    }
    // The patch is checked for its form only: it applies to the lesson as written, and a student's version (edited
    // documents, policies as text) need not have what it changes. `kmsim check --solution` applies it.
    for (i, op) in file.solution.iter().flat_map(|s| s.patch.iter()).enumerate() {
        let p = format!("/solution/patch/{i}");
        let problem = match op.op.as_str() {
            "add" | "replace" if op.value.is_none() => {
                Some((format!("{p}/value"), format!("`{}` needs a `value`", op.op)))
            }
            "add" | "replace" | "remove" => None,
            other => {
                Some((format!("{p}/op"), format!("unknown patch operation `{other}`: one of add, replace, remove")))
            }
        };
        let problem = problem.or_else(|| {
            (!op.path.starts_with('/')).then(|| {
                (format!("{p}/path"), format!("patch path `{}` must be a JSON Pointer, starting with `/`", op.path))
            })
        });
        if let Some((at, message)) = problem {
            let node = if at.ends_with("/value") { p.clone() } else { at.clone() };
            errors.push(loc.err(At::Value(&node), &at, message, None));
        }
    }
}
