//! The step editor's forms as data: each field's path in the step's JSON, how its text reads and what it offers,
//! for every kind of step and expectation.

use std::collections::BTreeMap;

use kmsim_kms::model::{self as botocore, Kind as ShapeKind};
use kmsim_kms::rules::{Notification, RuleFiring};
use kmsim_kms::scenario::StepSpec;
use serde_json::Value as J;

/// How a field's text is read into its JSON value (and shown back, [`super::show`]).
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
