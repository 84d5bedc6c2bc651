//! The documents and the request the user edits: plain serde data, saved to localStorage and put in share links.

use kmsim_policy::{ContextValue, Policy, PolicyError, PolicyType, Principal, Request, Value};
use serde::{Deserialize, Serialize};

/// One policy document in the lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: PolicyType,
    pub source: String,
    /// The engine's diagnostics for `source` (recomputed on every edit, never stored).
    #[serde(skip)]
    pub errors: Vec<PolicyError>,
}

impl Doc {
    /// A document with its diagnostics computed.
    pub fn new(name: impl Into<String>, ty: PolicyType, source: impl Into<String>) -> Doc {
        let mut doc = Doc { name: name.into(), ty, source: source.into(), errors: Vec::new() };
        doc.reparse();
        doc
    }

    /// Re-runs the parser and keeps its diagnostics.
    pub fn reparse(&mut self) {
        self.errors = match Policy::parse(&self.source, self.ty) {
            Ok(_) => Vec::new(),
            Err(e) => e.errors,
        };
    }
}

/// A short label for a policy type, as shown in tabs and traces.
pub fn type_label(ty: PolicyType) -> &'static str {
    match ty {
        PolicyType::Resource => "key policy",
        PolicyType::Identity => "identity policy",
        PolicyType::Scp => "SCP",
        PolicyType::PermissionsBoundary => "permissions boundary",
        PolicyType::Session => "session policy",
    }
}

/// Every policy type, in menu order.
pub const POLICY_TYPES: [PolicyType; 5] =
    [PolicyType::Resource, PolicyType::Identity, PolicyType::Scp, PolicyType::PermissionsBoundary, PolicyType::Session];

/// The value type chosen for a context row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    #[default]
    String,
    Number,
    Bool,
    Date,
    Ip,
    Arn,
    Binary,
    /// Several strings, separated by commas (a multi-valued key such as `kms:EncryptionContextKeys`).
    List,
}

impl ValueType {
    pub const ALL: [ValueType; 8] = [
        ValueType::String,
        ValueType::Number,
        ValueType::Bool,
        ValueType::Date,
        ValueType::Ip,
        ValueType::Arn,
        ValueType::Binary,
        ValueType::List,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Number => "number",
            ValueType::Bool => "bool",
            ValueType::Date => "date",
            ValueType::Ip => "ip",
            ValueType::Arn => "arn",
            ValueType::Binary => "binary",
            ValueType::List => "list",
        }
    }

    pub fn from_name(name: &str) -> Option<ValueType> {
        ValueType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One context key/value row of the request builder.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContextRow {
    pub key: String,
    #[serde(rename = "type", default)]
    pub ty: ValueType,
    pub value: String,
}

impl ContextRow {
    /// The engine's value for this row (the engine parses dates, IPs and base64).
    pub fn to_value(&self) -> Result<ContextValue, String> {
        if self.ty == ValueType::List {
            let values = self.value.split(',').map(str::trim).filter(|s| !s.is_empty());
            return Ok(ContextValue::Multi(values.map(|s| Value::String(s.to_string())).collect()));
        }
        let json = serde_json::json!({ "type": self.ty.name(), "value": self.value.trim() });
        serde_json::from_value::<Value>(json)
            .map(ContextValue::Single)
            .map_err(|e| format!("context key `{}`: {}", self.key.trim(), strip_serde_suffix(&e.to_string())))
    }
}

/// serde adds " at line 1 column 2"-style suffixes that mean nothing for a form field.
fn strip_serde_suffix(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}

/// The request builder's fields, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RequestForm {
    pub principal: String,
    pub action: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextRow>,
}

impl RequestForm {
    /// The engine request, or why the form does not make one (one line, lower case).
    pub fn to_request(&self) -> Result<Request, String> {
        let principal = self.principal.trim();
        if principal.is_empty() {
            return Err("the principal ARN is empty".to_string());
        }
        let action = self.action.trim();
        if action.is_empty() {
            return Err("the action is empty".to_string());
        }
        let resource = match self.resource.trim() {
            "" => "*",
            r => r,
        };
        let mut context = kmsim_policy::Context::new();
        for row in &self.context {
            let key = row.key.trim();
            if key.is_empty() {
                continue;
            }
            context.insert(key, row.to_value()?);
        }
        Ok(Request {
            principal: Principal::from_arn(principal),
            action: action.to_string(),
            resource: resource.to_string(),
            context,
        })
    }
}

/// What is saved and shared: the documents, the request and the selected document. Versioned (`v`); old versions
/// are decoded forever (see `share::decode`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub v: u32,
    pub docs: Vec<Doc>,
    pub request: RequestForm,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub selected: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Snapshot {
    /// The current format version.
    pub const VERSION: u32 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_rows_become_typed_values() {
        let form = RequestForm {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            action: "kms:Decrypt".into(),
            resource: String::new(),
            context: vec![
                ContextRow { key: "aws:MultiFactorAuthPresent".into(), ty: ValueType::Bool, value: "true".into() },
                ContextRow { key: "kms:EncryptionContextKeys".into(), ty: ValueType::List, value: "a, b".into() },
                ContextRow { key: "  ".into(), ty: ValueType::Number, value: "ignored".into() },
            ],
        };
        let req = form.to_request().unwrap();
        assert_eq!(req.resource, "*");
        assert_eq!(req.context.len(), 2);
        assert_eq!(
            req.context.get("aws:multifactorauthpresent"),
            Some(&ContextValue::Single(kmsim_policy::Value::Bool(true)))
        );
        assert_eq!(req.context.get("kms:EncryptionContextKeys").map(|v| v.values().len()), Some(2));
    }

    #[test]
    fn bad_form_values_are_reported_with_their_key() {
        let mut form = RequestForm { principal: "arn:aws:iam::111122223333:root".into(), ..Default::default() };
        assert_eq!(form.to_request().unwrap_err(), "the action is empty");
        form.action = "kms:Decrypt".into();
        form.context.push(ContextRow { key: "n".into(), ty: ValueType::Number, value: "ten".into() });
        let err = form.to_request().unwrap_err();
        assert!(err.starts_with("context key `n`: "), "{err}");
        assert!(err.contains("ten"), "{err}");
        form.principal = " ".into();
        assert_eq!(form.to_request().unwrap_err(), "the principal ARN is empty");
    }
}
