//! Editing steps and their expectations (issue 11): add steps of every kind the scenario format has (call,
//! authorize, advance, service), duplicate, reorder and delete them, set one field of a step from the text its form
//! shows, write the whole step as JSON (its problems with line, column and path, found by the core's own parser),
//! and keep a step's observed outcome as its expectation.
//!
//! The scenario's steps and the user's are one list here (an index is among all steps, as `State::step`);
//! `State::user_steps` stays the tail of that list, so saved snapshots and share links keep their shape.
//!
//! The forms are data: a call's fields come from botocore's request shape (`kmsim_kms::model`: members, types,
//! required, enums), a service step's from its operation's fields (`kmsim_kms::services`), the choices from the
//! world (keys, principals, statements, grants) and from earlier named steps' responses in the last run.

use kmsim_kms::scenario::{read_text, read_value, AdvanceSpec, AuthorizeSpec, ServiceStepSpec, StepSpec};
use serde_json::{Map, Value as J};

use super::State;
use crate::run;

mod choices;
mod field_text;
mod forms;
mod observed;

pub use choices::*;
pub use field_text::*;
pub use forms::*;
pub use observed::*;

/// The kinds of step the scenario format has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewStep {
    Call,
    Authorize,
    Advance,
    Service,
}

/// The step editor's actions (`Action::Steps`).
#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    /// A new step of this kind after the last one.
    Add(NewStep),
    /// A copy of step `i` right after it (a named step's copy gets a new name).
    Duplicate(usize),
    /// Swap step `index` with the one above (`up`) or below.
    Move {
        index: usize,
        up: bool,
    },
    Delete(usize),
    /// One field of step `index`, at `path` in the step's JSON, from its text (empty text removes the field).
    SetField {
        index: usize,
        path: Vec<String>,
        kind: FieldKind,
        text: String,
    },
    /// A call step's operation: its parameters start again from the operation's template.
    SetOperation {
        index: usize,
        operation: String,
    },
    /// A service step's service and operation: the fields the operation does not take are dropped, the required
    /// ones it lacks get an example value.
    SetService {
        index: usize,
        name: String,
        operation: String,
    },
    /// The whole step as JSON text.
    SetJson {
        index: usize,
        text: String,
    },
    /// Step `i`'s outcome in the last run (outcome, deciding statement, grant; the rules that fired and their
    /// notifications) becomes its expectation.
    KeepObserved(usize),
}

/// Text typed in the step editor that does not read yet, kept so that it is not lost.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Editing {
    pub json: Option<Draft>,
    pub field: Option<Draft>,
}

/// A step's JSON or one of its fields as typed, and why it does not read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub index: usize,
    /// The field's path (empty for the whole step).
    pub path: Vec<String>,
    pub text: String,
    pub errors: Vec<String>,
}

impl Editing {
    /// The text typed for step `index`'s field at `path`, when it does not read.
    pub fn field_text(&self, index: usize, path: &[String]) -> Option<&Draft> {
        self.field.as_ref().filter(|d| d.index == index && d.path == path)
    }
}

/// `$ref`s to step `old` in `v` renamed to `new`.
fn rename_refs(v: &mut J, old: &str, new: &str) {
    match v {
        J::Object(m) => {
            if let Some(J::String(r)) = m.get_mut("$ref") {
                if let Some(rest) = r.strip_prefix(old).filter(|rest| rest.starts_with('.')) {
                    *r = format!("{new}{rest}");
                }
            }
            m.values_mut().for_each(|c| rename_refs(c, old, new));
        }
        J::Array(a) => a.iter_mut().for_each(|c| rename_refs(c, old, new)),
        _ => {}
    }
}

/// An example value for a service step's required field (a name the service makes up on first use).
fn service_example(field: &str, state: &State) -> J {
    let text = match field {
        "bucket" => "my-bucket",
        "key" => "object.txt",
        "value" => "some data",
        "volume" => "vol1",
        "instance" => "web1",
        "snapshot" => "snap1",
        "db_instance" => "db1",
        "function" => "fn1",
        "parameter" => "/app/param",
        "secret" => "app-secret",
        "role" => {
            return J::String(
                state
                    .base
                    .accounts
                    .values()
                    .next()
                    .and_then(|a| a.roles.keys().next())
                    .map_or("role/NAME".into(), |r| format!("role/{r}")),
            )
        }
        "bucket_key" | "with_decryption" => return J::Bool(true),
        _ => "",
    };
    J::String(text.to_string())
}

impl State {
    /// Step `i` among all steps.
    pub fn step_at(&self, i: usize) -> Option<&StepSpec> {
        self.all_steps().nth(i)
    }

    fn step_mut(&mut self, i: usize) -> Option<&mut StepSpec> {
        let split = self.base.steps.len();
        match i.checked_sub(split) {
            None => self.base.steps.get_mut(i),
            Some(u) => self.user_steps.get_mut(u),
        }
    }

    /// All steps as one list, and where the user's begin.
    fn take_steps(&mut self) -> (Vec<StepSpec>, usize) {
        let split = self.base.steps.len();
        let mut all = std::mem::take(&mut self.base.steps);
        all.append(&mut self.user_steps);
        (all, split)
    }

    fn put_steps(&mut self, mut all: Vec<StepSpec>, split: usize) {
        self.user_steps = all.split_off(split.min(all.len()));
        self.base.steps = all;
    }

    /// After the steps changed: nothing typed is pending, the last check and any console trial are out of date,
    /// everything runs again and `select` is the selected step.
    fn steps_changed(&mut self, select: Option<usize>) {
        self.editing = Editing::default();
        self.trial = None;
        self.exercise.checked = None;
        self.highlight = None;
        self.run_all();
        let total = self.step_count();
        self.step = select.map(|s| s.min(total.saturating_sub(1))).filter(|_| total > 0);
    }

    /// A name no step has, from `stem` (`stem`, `stem-2`, ...).
    fn free_name(&self, stem: &str) -> String {
        let taken = |n: &str| self.all_steps().any(|s| s.name.as_deref() == Some(n));
        if !taken(stem) {
            return stem.to_string();
        }
        (2..).map(|n| format!("{stem}-{n}")).find(|n| !taken(n)).unwrap_or_default()
    }

    fn new_step(&self, kind: NewStep) -> StepSpec {
        let caller = self.callers().into_iter().next().unwrap_or_else(|| "root".to_string());
        let key = self.base.keys.keys().next().cloned().unwrap_or_default();
        let mut key_ref = Map::new();
        key_ref.insert("$key".into(), J::String(key.clone()));
        match kind {
            NewStep::Call => {
                let op = "Encrypt";
                let params = run::template(
                    op,
                    &format!("$key:{key}"),
                    self.last_ciphertext_before(self.step_count()).as_deref(),
                );
                StepSpec {
                    name: Some(self.free_name("step")),
                    call: Some(op.to_string()),
                    caller: Some(caller),
                    params: Some(params),
                    ..StepSpec::default()
                }
            }
            NewStep::Authorize => StepSpec {
                authorize: Some(Box::new(AuthorizeSpec {
                    caller,
                    action: "kms:Decrypt".to_string(),
                    resource: J::Object(key_ref),
                    ..AuthorizeSpec::default()
                })),
                ..StepSpec::default()
            },
            NewStep::Advance => StepSpec {
                advance: Some(Box::new(AdvanceSpec { minutes: 5, ..AdvanceSpec::default() })),
                ..StepSpec::default()
            },
            NewStep::Service => StepSpec {
                name: Some(self.free_name("put")),
                service: Some(Box::new(ServiceStepSpec {
                    name: "s3".into(),
                    operation: "PutObject".into(),
                    bucket: Some("my-bucket".into()),
                    key: Some("object.txt".into()),
                    value: Some("some data".into()),
                    kms_key: (!key.is_empty()).then_some(J::Object(key_ref)),
                    ..ServiceStepSpec::default()
                })),
                caller: Some(caller),
                ..StepSpec::default()
            },
        }
    }

    /// The name of the last step before `index` whose response in the last run holds a ciphertext (it succeeded);
    /// before any run, the last such call as written.
    pub fn last_ciphertext_before(&self, index: usize) -> Option<String> {
        let steps = self.all_steps().take(index);
        match self.view_of_run() {
            Some(v) => steps
                .zip(&v.steps)
                .filter(|(_, r)| {
                    r.call
                        .as_ref()
                        .and_then(|c| c.response.as_ref().ok())
                        .is_some_and(|resp| resp.get("CiphertextBlob").is_some())
                })
                .filter_map(|(s, _)| s.name.clone())
                .last(),
            None => steps
                .filter(|s| s.call.as_deref().is_some_and(run::makes_ciphertext))
                .filter_map(|s| s.name.clone())
                .last(),
        }
    }

    /// Step `index`'s JSON text, read as the CLI reads a file: in the scenario, after the earlier steps, so that its
    /// problems are the ones the file would have (lines and columns in `text`, paths in the step).
    pub fn check_step_text(&self, index: usize, text: &str) -> Result<StepSpec, Vec<String>> {
        let mut file = run::runnable(&self.base, &self.docs, &self.user_steps);
        let earlier: Vec<String> =
            file.steps.iter().take(index).map(|s| serde_json::to_string(s).unwrap_or_default()).collect();
        file.steps.clear();
        let rest = match serde_json::to_value(&file) {
            Ok(J::Object(mut m)) => {
                m.remove("steps");
                J::Object(m).to_string()
            }
            _ => "{}".to_string(),
        };
        let inner = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')).unwrap_or_default();
        let mut source = String::from("{\"steps\":[");
        for e in &earlier {
            source.push_str(e);
            source.push(',');
        }
        source.push('\n');
        source.push_str(text);
        source.push_str("\n]");
        if !inner.is_empty() {
            source.push(',');
            source.push_str(inner);
        }
        source.push('}');
        let lines = text.lines().count().max(1);
        let at = format!("/steps/{index}");
        let errors: Vec<String> = match kmsim_kms::scenario::Scenario::parse(&source) {
            Ok(_) => Vec::new(),
            Err(errs) => errs
                .errors
                .iter()
                .filter_map(|e| {
                    let rel = e.span.path.strip_prefix(&at).filter(|r| r.is_empty() || r.starts_with('/'));
                    let in_text = e.span.line >= 2 && e.span.path.is_empty();
                    if rel.is_none() && !in_text {
                        return None;
                    }
                    let place = match e.span.line.checked_sub(1).filter(|l| *l >= 1) {
                        Some(l) if l as usize <= lines => format!("line {l}, column {}", e.span.column),
                        _ => "at the end".to_string(),
                    };
                    let p = rel.filter(|r| !r.is_empty()).map(|r| format!(", {r}")).unwrap_or_default();
                    Some(format!("{place}{p}: {}", e.message))
                })
                .collect(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        read_text::<StepSpec>(text)
            .map_err(|e| vec![format!("line {}, column {}: {}", e.span.line, e.span.column, e.message)])
    }

    /// The step editor's actions.
    pub(super) fn apply_steps(&mut self, action: StepAction) {
        match action {
            StepAction::Add(kind) => {
                let step = self.new_step(kind);
                self.user_steps.push(step);
                self.steps_changed(Some(self.step_count().saturating_sub(1)));
            }
            StepAction::Duplicate(i) => {
                let Some(mut copy) = self.step_at(i).cloned() else { return };
                if let Some(n) = &copy.name {
                    copy.name = Some(self.free_name(&format!("{n}-copy")));
                }
                let (mut all, split) = self.take_steps();
                all.insert(i + 1, copy);
                self.put_steps(all, if i < split { split + 1 } else { split });
                self.steps_changed(Some(i + 1));
            }
            StepAction::Move { index, up } => {
                let other = if up { index.checked_sub(1) } else { Some(index + 1) };
                let Some(other) = other.filter(|o| *o < self.step_count() && index < self.step_count()) else { return };
                let (mut all, split) = self.take_steps();
                all.swap(index, other);
                self.put_steps(all, split);
                self.steps_changed(Some(other));
            }
            StepAction::Delete(i) => {
                if i >= self.step_count() {
                    return;
                }
                let (mut all, split) = self.take_steps();
                all.remove(i);
                self.put_steps(all, if i < split { split - 1 } else { split });
                self.steps_changed(Some(i));
            }
            StepAction::SetField { index, path, kind, text } => self.set_field(index, path, kind, text),
            StepAction::SetOperation { index, operation } => {
                let key = self.call.key.clone();
                let ct = self.last_ciphertext_before(index);
                let Some(step) = self.step_mut(index) else { return };
                step.params = Some(run::template(&operation, &key, ct.as_deref()));
                step.call = Some(operation);
                self.steps_changed(Some(index));
            }
            StepAction::SetService { index, name, operation } => {
                let fields = service_fields(&name, &operation);
                let Some(Ok(J::Object(mut old))) =
                    self.step_at(index).and_then(|s| s.service.as_ref()).map(serde_json::to_value)
                else {
                    return;
                };
                let mut svc = Map::new();
                svc.insert("name".into(), J::String(name));
                svc.insert("operation".into(), J::String(operation));
                for f in &fields {
                    let Some(n) = f.path.last() else { continue };
                    match old.remove(n) {
                        Some(v) => {
                            svc.insert(n.clone(), v);
                        }
                        None if f.required => {
                            svc.insert(n.clone(), service_example(n, self));
                        }
                        None => {}
                    }
                }
                let Ok(spec) = read_value::<ServiceStepSpec>(&J::Object(svc)) else { return };
                let Some(step) = self.step_mut(index) else { return };
                step.service = Some(Box::new(spec));
                self.steps_changed(Some(index));
            }
            StepAction::SetJson { index, text } => match self.check_step_text(index, &text) {
                Ok(step) => {
                    let Some(slot) = self.step_mut(index) else { return };
                    *slot = step;
                    self.steps_changed(Some(index));
                }
                Err(errors) => self.editing.json = Some(Draft { index, path: Vec::new(), text, errors }),
            },
            StepAction::KeepObserved(i) => {
                let Some(r) = self.view_of_run().and_then(|v| v.steps.get(i)).cloned() else { return };
                let Some(step) = self.step_mut(i) else { return };
                if let Some(e) = observed(&r, step.expect.as_deref()) {
                    step.expect = Some(Box::new(e));
                    self.steps_changed(Some(i));
                }
            }
        }
    }

    fn set_field(&mut self, index: usize, path: Vec<String>, kind: FieldKind, text: String) {
        let Some(Ok(mut v)) = self.step_at(index).map(serde_json::to_value) else { return };
        let old_name = self.step_at(index).and_then(|s| s.name.clone());
        let draft = |errors: Vec<String>| Draft { index, path: path.clone(), text: text.clone(), errors };
        let value = match parse(kind, &text) {
            Ok(value) => value,
            Err(e) => {
                self.editing.field = Some(draft(vec![e]));
                return;
            }
        };
        set_path(&mut v, &path, value);
        let step = match read_value::<StepSpec>(&v) {
            Ok(s) => s,
            Err(e) => {
                self.editing.field = Some(draft(vec![e.message]));
                return;
            }
        };
        let new_name = step.name.clone();
        let Some(slot) = self.step_mut(index) else { return };
        *slot = step;
        // A renamed step's `$ref`s follow it.
        if let (Some(old), Some(new)) = (old_name, new_name) {
            if old != new {
                let count = self.step_count();
                for i in index + 1..count {
                    let Some(s) = self.step_mut(i) else { continue };
                    if let Some(p) = &mut s.params {
                        rename_refs(p, &old, &new);
                    }
                }
            }
        }
        self.steps_changed(Some(index));
    }
}

#[cfg(test)]
mod tests;
