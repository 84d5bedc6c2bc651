//! The console's part of the state (issue 11): how a call is made besides its parameters (session tags, MFA age,
//! source VPC endpoint, extra request-context keys), running a call at a chosen point ("after step N": the world as
//! it was after that step, the later steps not run, nothing added), and keeping a console call as a step with its
//! observed outcome as the expectation.

use std::rc::Rc;

use kmsim_kms::scenario::StepSpec;
use serde_json::{Map, Value as J};

use super::{steps, State};
use crate::model::{CallForm, EcRow};
use crate::run::{self, RunView};

/// Which list of rows of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The encryption context (only for operations that take one).
    Context,
    /// The session's tags (`aws:PrincipalTag/*` of a role session).
    SessionTags,
    /// Extra request-context keys (`aws:SourceVpc`, `aws:CalledVia`, ...), each a string.
    Keys,
}

/// The console's actions (`Action::Console`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleAction {
    AddRow(Rows),
    SetRowKey {
        rows: Rows,
        row: usize,
        key: String,
    },
    SetRowValue {
        rows: Rows,
        row: usize,
        value: String,
    },
    RemoveRow {
        rows: Rows,
        row: usize,
    },
    SetMfaAge(String),
    SetSourceVpce(String),
    /// Run calls in the world as it was after step N (`None`: after every step, adding the call as a step).
    SetAfter(Option<usize>),
    /// Keep the last console call as a step, with what it produced as its expectation.
    Keep,
    /// One parameter from its field's text (`path` is `["params", MEMBER, ...]`), written into the JSON.
    SetParam {
        path: Vec<String>,
        kind: steps::FieldKind,
        text: String,
    },
}

/// A call run "after step N": the steps up to N and the call, run in a world of their own; nothing is added.
#[derive(Debug, Clone)]
pub struct Trial {
    pub after: usize,
    pub step: StepSpec,
    pub run: Rc<RunView>,
}

impl PartialEq for Trial {
    fn eq(&self, other: &Trial) -> bool {
        self.after == other.after && self.step == other.step && Rc::ptr_eq(&self.run, &other.run)
    }
}

impl Trial {
    /// The call's index in its run.
    pub fn index(&self) -> usize {
        self.after + 1
    }
}

/// Whether `operation` takes an `EncryptionContext` (botocore's request shape says).
pub fn takes_context(operation: &str) -> bool {
    kmsim_kms::model::operation(operation.trim()).is_some_and(|o| o.member("EncryptionContext").is_some())
}

fn rows_mut(form: &mut CallForm, rows: Rows) -> &mut Vec<EcRow> {
    match rows {
        Rows::Context => &mut form.context,
        Rows::SessionTags => &mut form.session_tags,
        Rows::Keys => &mut form.context_keys,
    }
}

fn pairs(rows: &[EcRow]) -> Map<String, J> {
    rows.iter()
        .filter(|r| !r.key.trim().is_empty())
        .map(|r| (r.key.trim().to_string(), J::String(r.value.clone())))
        .collect()
}

/// The step the console's form makes, named `name`: its parameters (JSON), the encryption-context rows when the
/// operation takes one, and how the call is made.
pub fn step_of(form: &CallForm, name: String) -> Result<StepSpec, String> {
    let mut params: J = serde_json::from_str(if form.params.trim().is_empty() { "{}" } else { &form.params })
        .map_err(|e| format!("the parameters are not JSON: {e}"))?;
    let Some(object) = params.as_object_mut() else { return Err("the parameters must be a JSON object".to_string()) };
    let ec = pairs(&form.context);
    if !ec.is_empty() && takes_context(&form.operation) {
        object.insert("EncryptionContext".to_string(), J::Object(ec));
    }
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mfa_age = match text(&form.mfa_age) {
        None => None,
        Some(t) => Some(t.parse::<u64>().map_err(|_| format!("MFA age: `{t}` is not a number of seconds"))?),
    };
    let keys = pairs(&form.context_keys);
    Ok(StepSpec {
        name: Some(name),
        call: Some(form.operation.trim().to_string()),
        caller: Some(form.caller.trim().to_string()),
        params: Some(params),
        mfa: (form.mfa || mfa_age.is_some()).then_some(true),
        mfa_age_seconds: mfa_age,
        via: text(&form.via),
        source_ip: text(&form.source_ip),
        source_vpce: text(&form.source_vpce),
        session_tags: form
            .session_tags
            .iter()
            .filter(|r| !r.key.trim().is_empty())
            .map(|r| (r.key.trim().to_string(), r.value.clone()))
            .collect(),
        context: (!keys.is_empty()).then(|| Box::new(J::Object(keys))),
        ..StepSpec::default()
    })
}

impl State {
    /// The point the console runs at, when it is before the last step.
    pub fn console_after(&self) -> Option<usize> {
        self.call.after.filter(|n| n + 1 < self.step_count())
    }

    /// Runs `step` after step `after` in a world of its own.
    pub(super) fn run_trial(&mut self, after: usize, step: StepSpec) {
        let mut base = self.base.clone();
        base.steps = self.all_steps().take(after + 1).cloned().collect();
        let file = run::runnable(&base, &self.docs, std::slice::from_ref(&step));
        match run::run(&file) {
            Ok(view) => {
                self.console_error = None;
                self.trial = Some(Trial { after, step, run: Rc::new(view) });
            }
            Err(errors) => {
                self.console_error = Some(errors.join("; "));
                self.trial = None;
            }
        }
    }

    pub(super) fn apply_console(&mut self, action: ConsoleAction) {
        match action {
            ConsoleAction::AddRow(rows) => rows_mut(&mut self.call, rows).push(EcRow::default()),
            ConsoleAction::SetRowKey { rows, row, key } => {
                if let Some(r) = rows_mut(&mut self.call, rows).get_mut(row) {
                    r.key = key;
                }
            }
            ConsoleAction::SetRowValue { rows, row, value } => {
                if let Some(r) = rows_mut(&mut self.call, rows).get_mut(row) {
                    r.value = value;
                }
            }
            ConsoleAction::RemoveRow { rows, row } => {
                let list = rows_mut(&mut self.call, rows);
                if row < list.len() {
                    list.remove(row);
                }
            }
            ConsoleAction::SetMfaAge(t) => self.call.mfa_age = t,
            ConsoleAction::SetSourceVpce(t) => self.call.source_vpce = t,
            ConsoleAction::SetAfter(n) => {
                self.call.after = n.filter(|n| *n < self.step_count());
                self.trial = None;
                let op = self.call.operation.clone();
                self.call.params = super::pretty(&self.template_for(&op));
            }
            ConsoleAction::Keep => self.keep_call(),
            ConsoleAction::SetParam { path, kind, text } => self.set_param(&path, kind, &text),
        }
    }

    /// Keeps the last console call: a trial becomes a step after its point; a call already added as a step gets
    /// what it produced as its expectation.
    fn keep_call(&mut self) {
        if let Some(t) = self.trial.take() {
            let mut step = t.step.clone();
            if let Some(r) = t.run.steps.get(t.index()) {
                step.expect = steps::observed(r, None).map(Box::new);
            }
            let at = t.index();
            let split = self.base.steps.len();
            if at < split {
                self.base.steps.insert(at, step);
            } else {
                self.user_steps.insert((at - split).min(self.user_steps.len()), step);
            }
            self.call.after = Some(at);
            self.exercise.checked = None;
            self.run_all();
            self.step = Some(at);
            return;
        }
        let Some(i) = self.step.filter(|i| self.is_user_step(*i)) else { return };
        self.apply_steps(steps::StepAction::KeepObserved(i));
    }

    /// Writes one field's value into the parameters' JSON (which must read; else the console says so).
    fn set_param(&mut self, path: &[String], kind: steps::FieldKind, text: &str) {
        let params: J =
            match serde_json::from_str(if self.call.params.trim().is_empty() { "{}" } else { &self.call.params }) {
                Ok(p @ J::Object(_)) => p,
                _ => {
                    self.console_error = Some("fix the parameters' JSON to use the fields".to_string());
                    return;
                }
            };
        let value = match steps::parse(kind, text) {
            Ok(v) => v,
            Err(e) => {
                let name = path.get(1).cloned().unwrap_or_default();
                self.console_error = Some(format!("{name}: {e}"));
                return;
            }
        };
        let mut wrapper = J::Object(Map::from_iter([("params".to_string(), params)]));
        steps::set_path(&mut wrapper, path, value);
        let params = wrapper.get("params").cloned().unwrap_or(J::Object(Map::new()));
        self.call.params = super::pretty(&params);
        self.console_error = None;
    }

    /// Whether the console has a result to keep.
    pub fn can_keep(&self) -> bool {
        self.trial.is_some() || self.step.is_some_and(|i| self.is_user_step(i))
    }
}
