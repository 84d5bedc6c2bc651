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

use std::collections::BTreeMap;

use kmsim_kms::model::{self as botocore, Kind as ShapeKind};
use kmsim_kms::rules::{Notification, RuleFiring};
use kmsim_kms::scenario::{
    read_text, read_value, AdvanceSpec, AuthorizeSpec, ExpectSpec, ServiceStepSpec, StepResult, StepSpec,
};
use kmsim_kms::CallOutcome;
use kmsim_policy::Decision;
use serde_json::{Map, Value as J};

use super::State;
use crate::model::Doc;
use crate::run;

/// The kinds of step the scenario format has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewStep {
    Call,
    Authorize,
    Advance,
    Service,
}

/// How a field's text is read into its JSON value (and shown back, [`show`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text as typed.
    Text,
    /// A request's string: `$ref:STEP.Field`, `$key:NAME` and `$keyId:NAME` stand for those placeholders.
    Value,
    /// A blob: text (`{"Text": ...}`), `base64:...`, or a placeholder.
    Blob,
    Integer,
    /// `true` or `false`.
    Bool,
    /// Items separated by commas, each read as a `Value`.
    List,
    /// `key=value` pairs separated by commas.
    Map,
    /// `path = value`, one per line (a value is JSON, or else text): an expectation's response fields.
    Fields,
    /// Any JSON.
    Json,
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

/// A field of a form: its path in the step's JSON, how its text reads, and what to offer.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub label: String,
    pub path: Vec<String>,
    pub kind: FieldKind,
    pub required: bool,
    /// The values the model allows (an enum), offered in a list.
    pub values: Vec<String>,
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

fn field(label: &str, p: &[&str], kind: FieldKind) -> FormField {
    FormField { label: label.to_string(), path: path(p), kind, required: false, values: Vec::new() }
}

/// How a model shape's value is typed in a form.
fn kind_of_shape(name: &str) -> (FieldKind, Vec<String>) {
    let Some(s) = botocore::shape(name) else { return (FieldKind::Json, Vec::new()) };
    let values = |s: &botocore::Shape| s.values.iter().map(|v| v.to_string()).collect::<Vec<String>>();
    match s.kind {
        ShapeKind::String => (FieldKind::Value, values(s)),
        ShapeKind::Blob => (FieldKind::Blob, Vec::new()),
        ShapeKind::Integer => (FieldKind::Integer, Vec::new()),
        ShapeKind::Boolean => (FieldKind::Bool, Vec::new()),
        ShapeKind::Map => (FieldKind::Map, Vec::new()),
        ShapeKind::List => match s.item.and_then(botocore::shape) {
            Some(item) if item.kind == ShapeKind::String => (FieldKind::List, values(item)),
            _ => (FieldKind::Json, Vec::new()),
        },
        ShapeKind::Timestamp => (FieldKind::Text, Vec::new()),
        ShapeKind::Structure => (FieldKind::Json, Vec::new()),
    }
}

/// A call's parameter fields: every member of the operation's request shape, in the model's order (required ones
/// first).
pub fn call_fields(operation: &str) -> Vec<FormField> {
    let members = botocore::operation(operation).map(|o| o.members()).unwrap_or_default();
    let mut out: Vec<FormField> = members
        .iter()
        .map(|m| {
            let (kind, values) = kind_of_shape(m.shape);
            FormField { label: m.name.to_string(), path: path(&["params", m.name]), kind, required: m.required, values }
        })
        .collect();
    out.sort_by_key(|f| !f.required);
    out
}

/// How a service step's field is typed.
fn service_kind(field: &str) -> FieldKind {
    match field {
        "kms_key" => FieldKind::Value,
        "bucket_key" | "with_decryption" => FieldKind::Bool,
        "encryption_context" | "variables" => FieldKind::Map,
        _ => FieldKind::Text,
    }
}

/// A service step's fields: those its operation takes (the service's table), required ones first.
pub fn service_fields(name: &str, operation: &str) -> Vec<FormField> {
    let Some(op) = kmsim_kms::services::service(name).and_then(|s| s.operations.iter().find(|o| o.name == operation))
    else {
        return Vec::new();
    };
    let each = |f: &&str, required: bool| FormField {
        label: f.to_string(),
        path: path(&["service", f]),
        kind: service_kind(f),
        required,
        values: Vec::new(),
    };
    op.required.iter().map(|f| each(f, true)).chain(op.optional.iter().map(|f| each(f, false))).collect()
}

/// An authorize step's fields (the format's `AuthorizeSpec`).
pub fn authorize_fields() -> Vec<FormField> {
    let mut out = vec![
        field("as", &["authorize", "as"], FieldKind::Text),
        field("action", &["authorize", "action"], FieldKind::Text),
        field("resource", &["authorize", "resource"], FieldKind::Value),
        field("key_id", &["authorize", "key_id"], FieldKind::Value),
        field("encryption_context", &["authorize", "encryption_context"], FieldKind::Map),
        field("grant_operations", &["authorize", "grant_operations"], FieldKind::List),
        field(
            "bypass_policy_lockout_safety_check",
            &["authorize", "bypass_policy_lockout_safety_check"],
            FieldKind::Bool,
        ),
        field("request_tags", &["authorize", "request_tags"], FieldKind::Map),
    ];
    for f in out.iter_mut().take(2) {
        f.required = true;
    }
    out
}

/// An advance step's fields.
pub fn advance_fields() -> Vec<FormField> {
    ["days", "hours", "minutes", "seconds"].iter().map(|u| field(u, &["advance", u], FieldKind::Integer)).collect()
}

/// How a step is made, besides its own fields: the caller (for calls and service steps) and the request context.
pub fn how_fields(s: &StepSpec) -> Vec<FormField> {
    let mut out = Vec::new();
    if s.authorize.is_none() {
        out.push(field("as", &["as"], FieldKind::Text));
    }
    out.extend([
        field("via", &["via"], FieldKind::Text),
        field("mfa", &["mfa"], FieldKind::Bool),
        field("mfa_age_seconds", &["mfa_age_seconds"], FieldKind::Integer),
        field("source_ip", &["source_ip"], FieldKind::Text),
        field("source_vpce", &["source_vpce"], FieldKind::Text),
        field("session_tags", &["session_tags"], FieldKind::Map),
        field("context", &["context"], FieldKind::Json),
    ]);
    out
}

/// An expectation's fields at `base` (`["expect"]`, or a service step's `["expect", "kms_calls", N]`).
pub fn expect_fields(base: &[String], with_response: bool) -> Vec<FormField> {
    let at = |f: &str| base.iter().cloned().chain([f.to_string()]).collect::<Vec<String>>();
    let mut out = vec![
        FormField {
            label: "outcome".into(),
            path: at("outcome"),
            kind: FieldKind::Text,
            required: false,
            values: vec![],
        },
        FormField {
            label: "statement".into(),
            path: at("statement"),
            kind: FieldKind::Text,
            required: false,
            values: vec![],
        },
        FormField { label: "grant".into(), path: at("grant"), kind: FieldKind::Text, required: false, values: vec![] },
        FormField {
            label: "message_contains".into(),
            path: at("message_contains"),
            kind: FieldKind::Text,
            required: false,
            values: vec![],
        },
    ];
    if with_response {
        out.push(FormField {
            label: "response".into(),
            path: at("response"),
            kind: FieldKind::Fields,
            required: false,
            values: vec![],
        });
    }
    out
}

/// The `N` of every `actions.N.FIELD` an expected rule firing names.
fn action_indexes(want: &BTreeMap<String, J>) -> impl Iterator<Item = usize> + '_ {
    want.keys().filter_map(|k| k.strip_prefix("actions.")?.split_once('.')?.0.parse::<usize>().ok())
}

/// A field's choices: what the last run did (`seen`), then the others, each once.
fn seen_first(seen: Option<String>, others: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = seen.into_iter().collect();
    for o in others {
        if !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

/// The fields of an expected rule firing at `base` (`["expect", "rules", I]`): the rule's name, then
/// `actions.N.action` and `actions.N.outcome` for every action the firing ran in the last run (`seen`) and every one
/// the expectation names. What the run did is offered first in each field's list; `rules` are the scenario's rules.
pub fn rule_fields(
    base: &[String],
    want: Option<&BTreeMap<String, J>>,
    seen: Option<&RuleFiring>,
    rules: &[String],
) -> Vec<FormField> {
    let at = |f: &str| base.iter().cloned().chain([f.to_string()]).collect::<Vec<String>>();
    let ran = seen.map_or(0, |f| f.actions.len());
    let named = want.and_then(|w| action_indexes(w).max()).map_or(0, |n| n + 1);
    let mut out = vec![FormField {
        label: "rule".into(),
        path: at("rule"),
        kind: FieldKind::Text,
        required: false,
        values: seen_first(seen.map(|f| f.rule.clone()), rules.iter().cloned()),
    }];
    for n in 0..ran.max(named) {
        let did = seen.and_then(|f| f.actions.get(n));
        let actions =
            seen_first(did.map(|a| a.action.clone()), kmsim_kms::rules::ACTIONS.iter().map(|a| a.to_string()));
        let outcomes = seen_first(did.map(|a| a.outcome.clone()), ["success".to_string()].into_iter());
        for (field, values) in [("action", actions), ("outcome", outcomes)] {
            let key = format!("actions.{n}.{field}");
            out.push(FormField { label: key.clone(), path: at(&key), kind: FieldKind::Text, required: false, values });
        }
    }
    out
}

/// The fields of an expected notification at `base` (`["expect", "notifications", I]`): its topic, the rule that
/// published it and its message, the last run's values (`seen`) offered.
pub fn notification_fields(base: &[String], seen: Option<&Notification>) -> Vec<FormField> {
    let at = |f: &str| base.iter().cloned().chain([f.to_string()]).collect::<Vec<String>>();
    let value = |f: fn(&Notification) -> &String| seen.map(|n| f(n).clone()).into_iter().collect::<Vec<String>>();
    vec![
        FormField {
            label: "topic".into(),
            path: at("topic"),
            kind: FieldKind::Text,
            required: false,
            values: value(|n| &n.topic),
        },
        FormField {
            label: "rule".into(),
            path: at("rule"),
            kind: FieldKind::Text,
            required: false,
            values: value(|n| &n.rule),
        },
        FormField {
            label: "message".into(),
            path: at("message"),
            kind: FieldKind::Text,
            required: false,
            values: value(|n| &n.message),
        },
    ]
}

/// The notifications the rules published after a step, in order (each a `Notify` action's).
pub fn published(r: &StepResult) -> Vec<&Notification> {
    r.rules.iter().flat_map(|r| &r.firings).flat_map(|f| &f.actions).filter_map(|a| a.notification.as_ref()).collect()
}

/// The outcomes a step may expect: for a call `success`, `error` and the errors its operation declares (with the
/// common ones every operation may return); for an authorize step the decisions; for a service step its errors.
pub fn outcome_choices(s: &StepSpec) -> Vec<String> {
    if s.authorize.is_some() {
        return ["allow", "deny", "explicit-deny", "implicit-deny"].map(String::from).to_vec();
    }
    let mut out = vec!["success".to_string(), "error".to_string()];
    if let Some(svc) = s.service.as_ref().and_then(|v| kmsim_kms::services::service(&v.name)) {
        out.extend(svc.errors.iter().map(|e| e.to_string()));
        return out;
    }
    out.extend(["AccessDeniedException", "ValidationException"].map(String::from));
    if let Some(op) = s.call.as_deref().and_then(botocore::operation) {
        out.extend(op.errors.iter().map(|e| e.to_string()));
    }
    out
}

/// Every statement Sid of the world's documents (for an expectation's deciding statement).
pub fn statement_choices(docs: &[Doc]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in docs {
        let Ok(v) = serde_json::from_str::<J>(&d.source) else { continue };
        let statements = match v.get("Statement") {
            Some(J::Array(a)) => a.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        for s in statements {
            if let Some(sid) = s.get("Sid").and_then(J::as_str) {
                if !out.iter().any(|o| o == sid) {
                    out.push(sid.to_string());
                }
            }
        }
    }
    out
}

/// Every principal of the world a step may be made as: each account's roles, the role sessions the steps name,
/// users and root (the first account's in short form), then the services' principals.
pub fn principal_choices(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    let sessions: Vec<String> = state
        .all_steps()
        .filter_map(|s| s.caller.clone().or_else(|| s.authorize.as_ref().map(|a| a.caller.clone())))
        .filter(|c| c.matches('/').count() == 2 && c.contains("role/"))
        .collect();
    for (i, (id, a)) in state.base.accounts.iter().enumerate() {
        let prefix = if i == 0 { String::new() } else { format!("{id}:") };
        for (r, spec) in &a.roles {
            out.push(format!("{prefix}role/{r}"));
            // The role's named sessions, then the other sessions steps call as.
            out.extend(spec.sessions.keys().map(|s| format!("{prefix}role/{r}/{s}")));
            let own = format!("{prefix}role/{r}/");
            let declared = |s: &str| s.strip_prefix(&own).is_some_and(|n| spec.sessions.contains_key(n));
            out.extend(sessions.iter().filter(|s| s.starts_with(&own) && !declared(s)).cloned());
        }
        out.extend(a.users.keys().map(|u| format!("{prefix}user/{u}")));
        out.push(format!("{prefix}root"));
    }
    out.dedup();
    out.extend(kmsim_kms::services::SERVICES.iter().map(|s| format!("{}.amazonaws.com", s.endpoint)));
    out
}

/// The grants an expectation may name: the scenario's named grants and the names CreateGrant steps give.
pub fn grant_choices(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state.base.grants.iter().filter_map(|g| g.name.clone()).collect();
    for s in state.all_steps().filter(|s| s.call.as_deref() == Some("CreateGrant")) {
        if let Some(n) = s.params.as_ref().and_then(|p| p.get("Name")).and_then(J::as_str) {
            out.push(n.to_string());
        }
    }
    out.dedup();
    out
}

/// `$ref` choices for step `index` (`$ref:NAME.Field`): the fields of every earlier named step's response in the
/// last run (one level into nested objects, an authorize step's `Decision`).
pub fn ref_choices(state: &State, index: usize) -> Vec<String> {
    let Some(view) = state.view_of_run() else { return Vec::new() };
    let mut out = Vec::new();
    for (spec, r) in state.all_steps().zip(&view.steps).take(index) {
        let Some(name) = &spec.name else { continue };
        if r.authorization.is_some() {
            out.push(format!("$ref:{name}.Decision"));
        }
        let response = r
            .call
            .as_ref()
            .and_then(|c| c.response.as_ref().ok())
            .or_else(|| r.service.as_ref().and_then(|s| s.response.as_ref().ok()));
        if let Some(J::Object(fields)) = response {
            for (k, v) in fields {
                match v {
                    J::Object(inner) => out.extend(
                        inner
                            .iter()
                            .filter(|(_, v)| !v.is_object() && !v.is_array())
                            .map(|(f, _)| format!("$ref:{name}.{k}.{f}")),
                    ),
                    J::Array(_) => {}
                    _ => out.push(format!("$ref:{name}.{k}")),
                }
            }
        }
    }
    out
}

/// `$key:NAME` and `$keyId:NAME` for every key of the world, then its aliases.
pub fn key_value_choices(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state.base.keys.keys().map(|k| format!("$key:{k}")).collect();
    out.extend(state.base.keys.keys().map(|k| format!("$keyId:{k}")));
    out.extend(state.base.keys.values().flat_map(|k| k.aliases.iter().cloned()));
    out
}

fn placeholder(text: &str) -> J {
    for p in ["$ref", "$keyId", "$key"] {
        if let Some(rest) = text.strip_prefix(p).and_then(|r| r.strip_prefix(':')) {
            let mut m = Map::new();
            m.insert(p.to_string(), J::String(rest.trim().to_string()));
            return J::Object(m);
        }
    }
    J::String(text.to_string())
}

/// A field's text read as its JSON value; `None` when it is empty (the field is then removed).
pub fn parse(kind: FieldKind, text: &str) -> Result<Option<J>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let pairs = |sep: char| -> Result<Vec<(String, String)>, String> {
        let items: Vec<&str> = if sep == '\n' { t.lines().collect() } else { t.split(',').collect() };
        items
            .into_iter()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|i| {
                i.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).ok_or_else(|| {
                    if sep == '\n' {
                        format!("`{i}`: write one `path = value` per line")
                    } else {
                        format!("`{i}`: write key=value pairs separated by commas")
                    }
                })
            })
            .collect()
    };
    Ok(Some(match kind {
        FieldKind::Text => J::String(text.to_string()),
        FieldKind::Value => placeholder(t),
        FieldKind::Blob if t.starts_with('$') => placeholder(t),
        FieldKind::Blob => match t.strip_prefix("base64:") {
            Some(b) => J::String(b.trim().to_string()),
            None => {
                let mut m = Map::new();
                m.insert("Text".into(), J::String(text.to_string()));
                J::Object(m)
            }
        },
        FieldKind::Integer => J::from(t.parse::<i64>().map_err(|_| format!("`{t}` is not a whole number"))?),
        FieldKind::Bool => match t {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            _ => return Err(format!("`{t}`: true or false")),
        },
        FieldKind::List => J::Array(t.split(',').map(str::trim).filter(|i| !i.is_empty()).map(placeholder).collect()),
        FieldKind::Map => J::Object(pairs(',')?.into_iter().map(|(k, v)| (k, J::String(v))).collect()),
        FieldKind::Fields => J::Object(
            pairs('\n')?
                .into_iter()
                .map(|(k, v)| {
                    let value = serde_json::from_str::<J>(&v).unwrap_or(J::String(v));
                    (k, value)
                })
                .collect(),
        ),
        FieldKind::Json => serde_json::from_str::<J>(t).map_err(|e| format!("not JSON: {e}"))?,
    }))
}

fn show_item(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, J::String(s))) if k == "$ref" || k == "$key" || k == "$keyId" => format!("{k}:{s}"),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// A field's JSON value as its form shows it (the inverse of [`parse`]).
pub fn show(kind: FieldKind, v: Option<&J>) -> String {
    let Some(v) = v else { return String::new() };
    match (kind, v) {
        (FieldKind::Blob, J::String(s)) => format!("base64:{s}"),
        (FieldKind::Blob, J::Object(m)) if m.len() == 1 && m.get("Text").is_some_and(J::is_string) => {
            m.get("Text").and_then(J::as_str).unwrap_or_default().to_string()
        }
        (FieldKind::List, J::Array(items)) => items.iter().map(show_item).collect::<Vec<String>>().join(", "),
        (FieldKind::Map, J::Object(m)) => {
            m.iter().map(|(k, v)| format!("{k}={}", show_item(v))).collect::<Vec<String>>().join(", ")
        }
        (FieldKind::Fields, J::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                // A string that would read back as another JSON value keeps its quotes.
                J::String(s) if serde_json::from_str::<J>(s).is_err() => format!("{k} = {s}"),
                other => format!("{k} = {other}"),
            })
            .collect::<Vec<String>>()
            .join("\n"),
        (FieldKind::Json, v) => v.to_string(),
        (_, v) => show_item(v),
    }
}

/// The value at `path` in `v`.
pub fn get<'a>(v: &'a J, path: &[String]) -> Option<&'a J> {
    path.iter().try_fold(v, |node, p| match node {
        J::Object(m) => m.get(p),
        J::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Sets (or with `None` removes) the value at `path` in `node`, making the objects and arrays on the way; an object
/// left empty by a removal is removed too (except `params`, which a call may need empty).
pub fn set_path(node: &mut J, path: &[String], value: Option<J>) {
    let Some((first, rest)) = path.split_first() else {
        if let Some(v) = value {
            *node = v;
        }
        return;
    };
    let index = first.parse::<usize>().ok();
    if node.is_null() {
        *node = if index.is_some() { J::Array(Vec::new()) } else { J::Object(Map::new()) };
    }
    if rest.is_empty() {
        match (node, index, value) {
            (J::Array(a), Some(i), Some(v)) => match a.get_mut(i) {
                Some(slot) => *slot = v,
                None => a.push(v),
            },
            (J::Array(a), Some(i), None) if i < a.len() => {
                a.remove(i);
            }
            (J::Object(m), _, Some(v)) => {
                m.insert(first.clone(), v);
            }
            (J::Object(m), _, None) => {
                m.remove(first);
            }
            _ => {}
        }
        return;
    }
    match (node, index) {
        (J::Array(a), Some(i)) => {
            if i == a.len() && value.is_some() {
                a.push(J::Null);
            }
            if let Some(child) = a.get_mut(i) {
                set_path(child, rest, value);
            }
        }
        (J::Object(m), _) => {
            if value.is_none() && !m.contains_key(first) {
                return;
            }
            let child = m.entry(first.clone()).or_insert(J::Null);
            set_path(child, rest, value);
            let empty = m.get(first).is_some_and(|c| c.is_null() || c.as_object().is_some_and(Map::is_empty));
            if empty && first != "params" {
                m.remove(first);
            }
        }
        _ => {}
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

/// The deciding statement and allowing grant of a call, as an expectation names them.
fn decided(authorizations: &[kmsim_kms::AuthzTrace]) -> (Option<String>, Option<String>) {
    let statement = kmsim_kms::scenario::deciding_statements(authorizations).into_iter().find(|s| !s.is_empty());
    let grant = authorizations.iter().find_map(|a| match &a.decided_by {
        kmsim_kms::trace::DecidedBy::Grant { grant_id } => Some(
            a.grants.iter().find(|g| &g.grant_id == grant_id).and_then(|g| g.name.clone()).unwrap_or(grant_id.clone()),
        ),
        _ => None,
    });
    (statement, grant)
}

fn call_observed(c: &CallOutcome, into: &mut ExpectSpec) {
    into.outcome = Some(match &c.response {
        Ok(_) => "success".to_string(),
        Err(e) => e.code.as_str().to_string(),
    });
    (into.statement, into.grant) = decided(&c.trace.authorizations);
    if c.response.is_err() {
        // A refused call has no response to check.
        into.response.clear();
    }
    if let (Some(m), Err(e)) = (&into.message_contains, &c.response) {
        if !e.message.contains(m.as_str()) {
            into.message_contains = None;
        }
    } else if c.response.is_ok() {
        into.message_contains = None;
    }
}

/// A step's expectation set to what it produced (outcome, deciding statement, grant; a service step's KMS calls;
/// the rules that fired after it and what they published), keeping what else it expects. `None` when the step did not run.
pub fn observed(r: &StepResult, old: Option<&ExpectSpec>) -> Option<ExpectSpec> {
    if r.error.is_some() {
        return None;
    }
    let mut e = old.cloned().unwrap_or_default();
    if let Some(c) = &r.call {
        call_observed(c, &mut e);
    } else if let Some(a) = &r.authorization {
        e.outcome = Some(
            match a.decision {
                Decision::Allow => "allow",
                Decision::ExplicitDeny => "explicit-deny",
                Decision::ImplicitDeny => "implicit-deny",
            }
            .to_string(),
        );
        e.statement = decided(std::slice::from_ref(&**a)).0;
    } else if let Some(s) = &r.service {
        e.outcome = Some(match &s.response {
            Ok(_) => "success".to_string(),
            Err(err) => err.code.clone(),
        });
        e.kms_calls = Some(
            s.kms_calls
                .iter()
                .map(|c| {
                    let mut one = ExpectSpec::default();
                    call_observed(c, &mut one);
                    one
                })
                .collect(),
        );
    } else {
        return None;
    }
    rules_observed(r, &mut e);
    Some(e)
}

/// The fields at `keys` of `item` as it serialises, then those of the `old` expectation that it has, with its values.
fn entry_observed<T: serde::Serialize>(
    item: &T,
    keys: impl IntoIterator<Item = String>,
    old: Option<&BTreeMap<String, J>>,
) -> BTreeMap<String, J> {
    let Ok(v) = serde_json::to_value(item) else { return BTreeMap::new() };
    let value = |k: &str| get(&v, &k.split('.').map(String::from).collect::<Vec<String>>()).cloned();
    keys.into_iter()
        .chain(old.into_iter().flat_map(|o| o.keys().cloned()))
        .filter_map(|k| value(&k).map(|x| (k, x)))
        .collect()
}

/// The rules that fired after the step and the notifications they published, as expectations: each firing's rule
/// and its actions' names and outcomes, each notification's topic and rule (and the fields the old expectations
/// named). Set when the step expected them or something fired.
fn rules_observed(r: &StepResult, e: &mut ExpectSpec) {
    let firings = r.rules.as_deref().map(|x| x.firings.as_slice()).unwrap_or_default();
    if e.rules.is_some() || !firings.is_empty() {
        let old = e.rules.take().unwrap_or_default();
        e.rules = Some(
            firings
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let keys = std::iter::once("rule".to_string()).chain(
                        (0..f.actions.len())
                            .flat_map(|n| [format!("actions.{n}.action"), format!("actions.{n}.outcome")]),
                    );
                    entry_observed(f, keys, old.get(i))
                })
                .collect(),
        );
    }
    let published = published(r);
    if e.notifications.is_some() || !published.is_empty() {
        let old = e.notifications.take().unwrap_or_default();
        e.notifications = Some(
            published
                .iter()
                .enumerate()
                .map(|(i, n)| entry_observed(n, ["topic".to_string(), "rule".to_string()], old.get(i)))
                .collect(),
        );
    }
    let stopped = r.rules.as_ref().is_some_and(|x| x.stopped.is_some());
    if e.rules_stopped.is_some() || stopped {
        e.rules_stopped = Some(stopped);
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
#[path = "steps_tests.rs"]
mod tests;
