//! The request an evaluation decides: who asks, for what action, on which resource, in which context.
//!
//! JSON shape (stable, used by the conformance corpus, scenarios and the JS API):
//! ```json
//! {
//!   "principal": { "arn": "arn:aws:sts::111122223333:assumed-role/App/s1", "kind": "role-session",
//!                  "account": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/App" },
//!   "action": "kms:Decrypt",
//!   "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
//!   "context": {
//!     "aws:SourceIp": { "type": "ip", "value": "203.0.113.7" },
//!     "aws:MultiFactorAuthPresent": true,
//!     "kms:EncryptionContextKeys": ["tenant", "path"],
//!     "aws:CurrentTime": { "type": "date", "value": "2026-11-28T12:00:00Z" }
//!   }
//! }
//! ```
//! A context value is a JSON string, number or boolean, an explicitly typed value
//! `{"type": "string"|"number"|"bool"|"date"|"ip"|"arn"|"binary", "value": ...}`, or an array of those
//! (a multi-valued key). Condition-key names are case-insensitive: the context keeps the name as given for display
//! and looks keys up by their lower-cased form.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of identity makes the request. Decides how `Principal` entries match (a role session matches its role's
/// ARN; an account root ARN matches every principal of the account) and which global keys exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum PrincipalKind {
    /// An IAM user: `arn:aws:iam::ACCOUNT:user/NAME`.
    User,
    /// An IAM role used directly (rare; normally a role acts through sessions): `arn:aws:iam::ACCOUNT:role/NAME`.
    Role,
    /// An assumed-role session: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    RoleSession,
    /// A federated user session: `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser,
    /// The account's root user: `arn:aws:iam::ACCOUNT:root`.
    Root,
    /// An AWS service principal such as `s3.amazonaws.com`.
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Principal {
    /// The caller's ARN (for a service principal, its name, e.g. `s3.amazonaws.com`; for anonymous, `*`).
    pub arn: String,
    pub kind: PrincipalKind,
    /// The 12-digit account the principal belongs to (absent for services and anonymous callers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// For a role session: the ARN of the role it was assumed from (`arn:aws:iam::ACCOUNT:role/NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Whether the user or role (for a session: its role) has a permissions boundary attached. Set by the
    /// evaluation when a permissions boundary takes part; a `NotPrincipal` with `Deny` never exempts such a caller.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub permissions_boundary: bool,
}

impl Principal {
    /// Builds a principal from an ARN, inferring the kind, the account and (for sessions) the role ARN.
    /// Anything that is not an IAM/STS ARN is taken as a service principal; `*` is anonymous.
    pub fn from_arn(arn: &str) -> Principal {
        if arn == "*" {
            return Principal::bare(arn, PrincipalKind::Anonymous);
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let (service, account, rest) = match parts.as_slice() {
            ["arn", _partition, service, _region, account, rest] => (*service, *account, *rest),
            _ => return Principal::bare(arn, PrincipalKind::Service),
        };
        let account_opt = if account.is_empty() { None } else { Some(account.to_string()) };
        let partition = parts.get(1).copied().unwrap_or("aws");
        let (kind, role_arn) = match (service, rest.split('/').next().unwrap_or("")) {
            ("iam", "user") => (PrincipalKind::User, None),
            ("iam", "role") => (PrincipalKind::Role, None),
            ("iam", "root") if rest == "root" => (PrincipalKind::Root, None),
            ("sts", "assumed-role") => {
                let mut segs = rest.split('/');
                let _ = segs.next();
                let role = segs.next().unwrap_or("");
                (PrincipalKind::RoleSession, Some(format!("arn:{partition}:iam::{account}:role/{role}")))
            }
            ("sts", "federated-user") => (PrincipalKind::FederatedUser, None),
            _ => (PrincipalKind::User, None),
        };
        Principal { arn: arn.to_string(), kind, account: account_opt, role_arn, permissions_boundary: false }
    }

    /// A principal without an account (a service, an anonymous caller).
    fn bare(arn: &str, kind: PrincipalKind) -> Principal {
        Principal { arn: arn.to_string(), kind, account: None, role_arn: None, permissions_boundary: false }
    }
}

/// One typed value in a request context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ValueRepr", into = "ValueRepr")]
// TypeScript: the serde form (`ValueRepr`): a JSON scalar, or `{"type": ..., "value": ...}`.
#[cfg_attr(
    feature = "ts",
    derive(tsify::Tsify),
    tsify(
        type = r#"boolean | number | string | { type: "string" | "ip" | "arn" | "binary"; value: string } | { type: "number"; value: number | string } | { type: "bool"; value: boolean | string } | { type: "date"; value: string | number }"#
    )
)]
pub enum Value {
    String(String),
    /// A number as written (kept as text so `10` and `10.0` display as given); compared numerically.
    Number(f64),
    Bool(bool),
    /// A point in time, in milliseconds since the Unix epoch (UTC).
    Date(i64),
    /// An IPv4 or IPv6 address.
    Ip(std::net::IpAddr),
    Arn(String),
    /// Raw bytes (compared by `BinaryEquals` against base64 policy values).
    Binary(Vec<u8>),
}

/// A context entry: one value or several (a multi-valued key such as `kms:EncryptionContextKeys`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum ContextValue {
    Multi(Vec<Value>),
    Single(Value),
}

impl ContextValue {
    /// The values as a slice (one element for a single value).
    pub fn values(&self) -> &[Value] {
        match self {
            ContextValue::Multi(v) => v,
            ContextValue::Single(v) => std::slice::from_ref(v),
        }
    }
}

/// Up to this many keys, [`Context::get_lowercase`] scans instead of searching by bisection.
const SMALL_CONTEXT: usize = 16;

/// The request context: condition keys and their values. Keys are looked up case-insensitively.
#[derive(Clone, Default, PartialEq)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(type = "Record<string, ContextValue>"))]
pub struct Context {
    /// (lower-cased key, key as given, value), sorted by the lower-cased key, which is unique. A sorted vector
    /// rather than a tree: contexts are small and looked up far more often than changed.
    entries: Vec<(String, String, ContextValue)>,
}

impl fmt::Debug for Context {
    /// As a map from the lower-cased key to (key as given, value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = DebugEntries(&self.entries);
        f.debug_struct("Context").field("entries", &map).finish()
    }
}

struct DebugEntries<'a>(&'a [(String, String, ContextValue)]);

impl fmt::Debug for DebugEntries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|(l, k, v)| (l, (k, v)))).finish()
    }
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }
    /// Where a lower-cased key is, or would be inserted.
    fn position(&self, lower: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(l, _, _)| l.as_str().cmp(lower))
    }
    /// Sets a key (replacing any earlier value under the same case-insensitive name).
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        let lower = key.to_ascii_lowercase();
        match self.position(&lower) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    *e = (lower, key, value);
                }
            }
            Err(i) => self.entries.insert(i, (lower, key, value)),
        }
    }
    pub fn insert_string(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(Value::String(value.into())));
    }
    pub fn insert_bool(&mut self, key: impl Into<String>, value: bool) {
        self.insert(key, ContextValue::Single(Value::Bool(value)));
    }
    pub fn remove(&mut self, key: &str) -> Option<ContextValue> {
        let i = self.position(&key.to_ascii_lowercase()).ok()?;
        Some(self.entries.remove(i).2)
    }
    /// Looks a key up by name, ignoring ASCII case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if let Some(v) = self.get_lowercase(key) {
            return Some(v);
        }
        self.get_lowercase(&key.to_ascii_lowercase())
    }
    /// Looks a key up by its already lower-cased name (the evaluator's fast path).
    pub fn get_lowercase(&self, lower: &str) -> Option<&ContextValue> {
        if self.entries.len() <= SMALL_CONTEXT {
            // A request context is usually small: a scan that compares lengths first skips most string
            // comparisons, where a bisection compares the key's bytes at every step.
            return self.entries.iter().find(|(l, _, _)| l.len() == lower.len() && l == lower).map(|(_, _, v)| v);
        }
        self.entries.get(self.position(lower).ok()?).map(|(_, _, v)| v)
    }
    /// Iterates entries as (key as given, value), ordered by lower-cased key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(_, k, v)| (k.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: BTreeMap<String, ContextValue> = BTreeMap::deserialize(d)?;
        let mut c = Context::new();
        for (k, v) in raw {
            c.insert(k, v);
        }
        Ok(c)
    }
}

/// A request to authorize. A member it does not have is an error (a misspelt `context` would drop the context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Request {
    pub principal: Principal,
    /// `service:Action`, e.g. `kms:Decrypt`.
    pub action: String,
    /// The resource ARN (or `*` for actions without a resource, such as `kms:CreateKey`).
    pub resource: String,
    #[serde(default)]
    pub context: Context,
    /// The 12-digit account that owns the resource, when the resource ARN does not say (an S3 bucket ARN has no
    /// account) or to override it. Absent: the ARN's account, else the caller's own account. Decides whether the
    /// request is cross-account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub resource_account: Option<String>,
}

impl Request {
    /// The account that owns the resource: `resource_account` when given, else the resource ARN's account when it
    /// has one (12 digits); `None` when neither says.
    pub fn resource_owner(&self) -> Option<&str> {
        if let Some(a) = &self.resource_account {
            return Some(a);
        }
        // The fifth `:`-separated segment (a byte scan: `:` is ASCII, so every cut is on a character boundary).
        let mut colons = self.resource.bytes().enumerate().filter(|(_, b)| *b == b':').map(|(i, _)| i);
        let start = colons.nth(3)? + 1;
        let account = match colons.next() {
            Some(end) => self.resource.get(start..end)?,
            None => self.resource.get(start..)?,
        };
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
    }
}

// ---- serde representation of Value -------------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ValueRepr {
    Bool(bool),
    Number(f64),
    String(String),
    Typed(TypedValue),
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
enum TypedValue {
    String(String),
    Number(serde_json::Value),
    Bool(serde_json::Value),
    Date(serde_json::Value),
    Ip(String),
    Arn(String),
    /// base64
    Binary(String),
}

/// Why a context value in a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(pub String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<ValueRepr> for Value {
    type Error = ValueError;
    fn try_from(r: ValueRepr) -> Result<Self, ValueError> {
        Ok(match r {
            ValueRepr::Bool(b) => Value::Bool(b),
            ValueRepr::Number(n) => Value::Number(n),
            ValueRepr::String(s) => Value::String(s),
            ValueRepr::Typed(t) => match t {
                TypedValue::String(s) => Value::String(s),
                TypedValue::Number(v) => match &v {
                    serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
                    serde_json::Value::String(s) => Value::Number(
                        crate::num::parse_f64(s.trim()).ok_or_else(|| ValueError(format!("`{s}` is not a number")))?,
                    ),
                    other => return Err(ValueError(format!("`{other}` is not a number"))),
                },
                TypedValue::Bool(v) => match &v {
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
                    serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
                    other => return Err(ValueError(format!("`{other}` is not a boolean"))),
                },
                TypedValue::Date(v) => match &v {
                    serde_json::Value::Number(n) => {
                        Value::Date(n.as_f64().map(|s| (s * 1000.0) as i64).unwrap_or_default())
                    }
                    serde_json::Value::String(s) => Value::Date(
                        crate::time::parse_date(s)
                            .ok_or_else(|| ValueError(format!("`{s}` is not an ISO 8601 date or epoch seconds")))?,
                    ),
                    other => return Err(ValueError(format!("`{other}` is not a date"))),
                },
                TypedValue::Ip(s) => {
                    Value::Ip(s.parse().map_err(|_| ValueError(format!("`{s}` is not an IP address")))?)
                }
                TypedValue::Arn(s) => Value::Arn(s),
                TypedValue::Binary(s) => Value::Binary(
                    crate::binary::base64_decode(&s).ok_or_else(|| ValueError(format!("`{s}` is not base64")))?,
                ),
            },
        })
    }
}

impl From<Value> for ValueRepr {
    fn from(v: Value) -> ValueRepr {
        match v {
            Value::String(s) => ValueRepr::String(s),
            Value::Number(n) => ValueRepr::Number(n),
            Value::Bool(b) => ValueRepr::Bool(b),
            Value::Date(ms) => {
                ValueRepr::Typed(TypedValue::Date(serde_json::Value::String(crate::time::format_date(ms))))
            }
            Value::Ip(ip) => ValueRepr::Typed(TypedValue::Ip(ip.to_string())),
            Value::Arn(a) => ValueRepr::Typed(TypedValue::Arn(a)),
            Value::Binary(b) => ValueRepr::Typed(TypedValue::Binary(crate::binary::base64_encode(&b))),
        }
    }
}

impl Value {
    /// The value as text, the way condition operators that compare strings see it.
    pub fn as_text(&self) -> String {
        match self {
            Value::String(s) | Value::Arn(s) => s.clone(),
            Value::Number(n) => crate::num::number_text(*n),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Value::Date(ms) => crate::time::format_date(*ms),
            Value::Ip(ip) => ip.to_string(),
            Value::Binary(b) => crate::binary::base64_encode(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text() {
        assert_eq!(Value::Number(1e20).as_text(), "100000000000000000000");
        assert_eq!(Value::Number(2.5).as_text(), "2.5");
        assert_eq!(Value::Number(-1e-7).as_text(), "-0.0000001");
        assert_eq!(Value::Number(42.0).as_text(), "42");
        assert_eq!(Value::Number(-0.0).as_text(), "0");
    }

    #[test]
    fn lookup_is_the_same_for_small_and_large_contexts() {
        for size in [1, SMALL_CONTEXT, SMALL_CONTEXT + 1, 3 * SMALL_CONTEXT] {
            let mut c = Context::new();
            for i in 0..size {
                c.insert_string(format!("aws:Key{i}"), format!("v{i}"));
            }
            for i in 0..size {
                let want = ContextValue::Single(Value::String(format!("v{i}")));
                assert_eq!(c.get_lowercase(&format!("aws:key{i}")), Some(&want), "size {size}, key {i}");
                assert_eq!(c.get(&format!("AWS:KEY{i}")), Some(&want), "size {size}, key {i}");
            }
            assert_eq!(c.get_lowercase("aws:Key0"), None, "lookups by lower-cased name only");
            assert_eq!(c.get_lowercase(&format!("aws:key{size}")), None);
        }
    }

    #[test]
    fn insert_replace_remove_and_order() {
        let mut c = Context::new();
        c.insert_string("kms:ViaService", "a");
        c.insert_string("aws:SourceIp", "b");
        c.insert_string("KMS:VIASERVICE", "c");
        assert_eq!(c.len(), 2);
        assert_eq!(c.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["aws:SourceIp", "KMS:VIASERVICE"]);
        assert_eq!(c.get("kms:viaservice"), Some(&ContextValue::Single(Value::String("c".into()))));
        assert_eq!(c.remove("Kms:ViaService"), Some(ContextValue::Single(Value::String("c".into()))));
        assert_eq!(c.remove("kms:ViaService"), None);
        assert_eq!(c.len(), 1);
        assert_eq!(format!("{c:?}"), r#"Context { entries: {"aws:sourceip": ("aws:SourceIp", Single(String("b")))} }"#);
    }

    #[test]
    fn bool_text() {
        assert_eq!(Value::Bool(true).as_text(), "true");
        assert_eq!(Value::Bool(false).as_text(), "false");
    }
}
