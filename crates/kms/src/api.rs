//! Request types of the simulated API, with AWS's own operation and parameter names (the AWS JSON 1.1 shapes of
//! `TrentService`). Blobs are base64 text as on the wire; in scenario files a blob may also be written
//! `{"Text": "hello"}` (UTF-8 text).

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::KmsError;
use crate::grant::GrantConstraints;
use crate::operation::Operation;

/// Binary data: base64 on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            B64(String),
            Text {
                #[serde(rename = "Text")]
                text: String,
            },
        }
        match Repr::deserialize(d)? {
            Repr::B64(s) => base64::engine::general_purpose::STANDARD
                .decode(s.trim())
                .map(Blob)
                .map_err(|_| serde::de::Error::custom(format!("`{}` is not valid base64", truncate(&s, 40)))),
            Repr::Text { text } => Ok(Blob(text.into_bytes())),
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// `{"TagKey": ..., "TagValue": ...}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    pub tag_key: String,
    pub tag_value: String,
}

pub type Ec = BTreeMap<String, String>;

macro_rules! requests {
    ($( $(#[$m:meta])* $op:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? } )*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
            #[serde(rename_all = "PascalCase", deny_unknown_fields)]
            pub struct $op { $( $(#[$fm])* pub $field: $ty ),* }
        )*

        /// One API call, by operation name.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "Operation", content = "Params")]
        pub enum KmsRequest { $( $op($op) ),* }

        impl KmsRequest {
            /// The operation, e.g. [`Operation::Encrypt`] (each request type is named after its operation).
            pub fn op(&self) -> Operation {
                match self { $( KmsRequest::$op(_) => Operation::$op ),* }
            }
            /// The operation name, e.g. `Encrypt`.
            pub fn operation(&self) -> &'static str {
                self.op().name()
            }
            /// Builds a request from an operation name and its parameters (AWS JSON names).
            ///
            /// Reads the parameters with [`read`] (one small reader per operation) instead of each struct's derived
            /// `Deserialize`: same results and messages (a test compares both on many inputs), a fraction of the
            /// code in the browser bundle.
            pub fn from_parts(operation: &str, params: serde_json::Value) -> Result<KmsRequest, KmsError> {
                let params = if params.is_null() { serde_json::Value::Object(Default::default()) } else { params };
                match operation {
                    $( stringify!($op) => $op::read(params).map(KmsRequest::$op)
                        .map_err(|e| KmsError::validation(format!("invalid {} parameters: {e}", stringify!($op)))), )*
                    other => Err(KmsError::new(crate::error::ErrorCode::ValidationException,
                        format!("unknown operation `{other}`; supported: {}", OPERATIONS.join(", ")))),
                }
            }
        }

        $(
            impl $op {
                /// Field names in declaration order (snake case; the JSON names are their PascalCase).
                const FIELDS: &'static [&'static str] = &[ $( stringify!($field) ),* ];

                /// What the derived `Deserialize` reads, with its messages (see [`read`]).
                fn read(params: serde_json::Value) -> Result<Self, serde_json::Error> {
                    let mut fields = read::fields(
                        params,
                        Self::FIELDS,
                        &[ $( read::check::<$ty> ),* ],
                        &[ $( read::optional::<$ty> ),* ],
                        concat!("struct ", stringify!($op)),
                    )?;
                    Ok($op { $( $field: fields.next() ),* })
                }
            }
        )*

        /// The derived `Deserialize` of each request type: the reference [`KmsRequest::from_parts`] must match.
        #[cfg(test)]
        fn from_parts_derived(operation: &str, params: serde_json::Value) -> Result<KmsRequest, String> {
            let params = if params.is_null() { serde_json::Value::Object(Default::default()) } else { params };
            match operation {
                $( stringify!($op) => serde_json::from_value::<$op>(params).map(KmsRequest::$op)
                    .map_err(|e| format!("invalid {} parameters: {e}", stringify!($op))), )*
                other => Err(format!("unknown operation `{other}`")),
            }
        }

        /// Each operation's field names (snake case).
        #[cfg(test)]
        fn fields_of(operation: &str) -> &'static [&'static str] {
            match operation {
                $( stringify!($op) => $op::FIELDS, )*
                _ => &[],
            }
        }

        /// Every implemented operation's name, in declaration order.
        pub const OPERATIONS: &[&str] = &[ $( Operation::$op.name() ),* ];

        /// Whether an operation has a request type (is implemented).
        pub(crate) fn has_request(op: Operation) -> bool {
            matches!(op, $( Operation::$op )|*)
        }
    };
}

requests! {
    CreateKey {
        #[serde(default, skip_serializing_if = "Option::is_none")] policy: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_usage: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] origin: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] bypass_policy_lockout_safety_check: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] tags: Option<Vec<Tag>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] multi_region: Option<bool>,
    }
    DescribeKey {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
    }
    ListKeys {
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    UpdateKeyDescription { key_id: String, description: String }
    EnableKey { key_id: String }
    DisableKey { key_id: String }
    ScheduleKeyDeletion {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] pending_window_in_days: Option<i64>,
    }
    CancelKeyDeletion { key_id: String }
    GetKeyPolicy {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] policy_name: Option<String>,
    }
    PutKeyPolicy {
        key_id: String,
        policy: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] policy_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] bypass_policy_lockout_safety_check: Option<bool>,
    }
    ListKeyPolicies { key_id: String }
    CreateAlias { alias_name: String, target_key_id: String }
    UpdateAlias { alias_name: String, target_key_id: String }
    DeleteAlias { alias_name: String }
    ListAliases {
        #[serde(default, skip_serializing_if = "Option::is_none")] key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    TagResource { key_id: String, tags: Vec<Tag> }
    UntagResource { key_id: String, tag_keys: Vec<String> }
    ListResourceTags { key_id: String }
    EnableKeyRotation {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] rotation_period_in_days: Option<i64>,
    }
    DisableKeyRotation { key_id: String }
    GetKeyRotationStatus { key_id: String }
    RotateKeyOnDemand { key_id: String }
    ListKeyRotations { key_id: String }
    Encrypt {
        key_id: String,
        plaintext: Blob,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    Decrypt {
        ciphertext_blob: Blob,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    ReEncrypt {
        ciphertext_blob: Blob,
        destination_key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] source_key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] source_encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] destination_encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    GenerateDataKey {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] number_of_bytes: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    GenerateDataKeyWithoutPlaintext {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] number_of_bytes: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    GenerateRandom {
        #[serde(default, skip_serializing_if = "Option::is_none")] number_of_bytes: Option<i64>,
    }
    CreateGrant {
        key_id: String,
        grantee_principal: String,
        operations: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] retiring_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] constraints: Option<GrantConstraints>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    ListGrants {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grantee_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    ListRetirableGrants {
        retiring_principal: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    RetireGrant {
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    RevokeGrant {
        key_id: String,
        grant_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
}

/// The parts of `serde_derive`'s struct visitor (`deny_unknown_fields`, PascalCase names, `Option` fields defaulted)
/// that [`KmsRequest::from_parts`] needs, written once instead of once per request type: the checks run in the
/// order serde runs them and report serde's messages; then the values are taken, in declaration order.
mod read {
    use serde::de::{self, DeserializeOwned, Error as _, Unexpected, Visitor};
    use serde_json::{Error, Value};

    /// Checks that a value deserializes as the field's type (serde's message if not).
    pub(super) type Check = fn(&Value) -> Result<(), Error>;
    /// Whether the field may be left out (`Option`: `#[serde(default)]`).
    pub(super) type Optional = fn() -> bool;

    /// Checked parameters, one slot per field in declaration order.
    pub(super) struct Fields {
        slots: std::vec::IntoIter<Option<Value>>,
    }

    impl Fields {
        /// The next field's value. Cannot fail: [`fields`] checked every value and every missing field.
        pub(super) fn next<T: DeserializeOwned + Default>(&mut self) -> T {
            self.slots.next().flatten().and_then(|v| T::deserialize(v).ok()).unwrap_or_default()
        }
    }

    /// `key` is `snake` in PascalCase (`KeyId` for `key_id`), as `rename_all = "PascalCase"` spells it.
    fn is_pascal(key: &str, snake: &str) -> bool {
        let mut k = key.chars();
        let mut upper = true;
        for c in snake.chars() {
            if c == '_' {
                upper = true;
                continue;
            }
            let want = if upper { c.to_ascii_uppercase() } else { c };
            upper = false;
            if k.next() != Some(want) {
                return false;
            }
        }
        k.next().is_none()
    }

    pub(super) fn pascal(snake: &str) -> String {
        snake
            .split('_')
            .flat_map(|w| w.chars().take(1).map(|c| c.to_ascii_uppercase()).chain(w.chars().skip(1)))
            .collect()
    }

    /// serde's `unknown_field` message, with the PascalCase names.
    fn unknown_field(key: &str, fields: &[&str]) -> Error {
        let names: Vec<String> = fields.iter().map(|f| format!("`{}`", pascal(f))).collect();
        match names.as_slice() {
            [] => Error::custom(format_args!("unknown field `{key}`, there are no fields")),
            [a] => Error::custom(format_args!("unknown field `{key}`, expected {a}")),
            [a, b] => Error::custom(format_args!("unknown field `{key}`, expected {a} or {b}")),
            _ => Error::custom(format_args!("unknown field `{key}`, expected one of {}", names.join(", "))),
        }
    }

    /// serde_json's `Value::unexpected` (private there).
    fn unexpected(v: &Value) -> Unexpected<'_> {
        match v {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Unexpected::Unsigned(u),
                (None, Some(i)) => Unexpected::Signed(i),
                (None, None) => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }

    /// Reads `params` as `Value::deserialize_struct` and the derived visitor would: an object's members in their
    /// order (the first unknown name stops it), or an array's elements in field order (then at most that many);
    /// after the values, the fields left out.
    pub(super) fn fields(
        params: Value,
        names: &'static [&'static str],
        checks: &[Check],
        optional: &[Optional],
        expecting: &str,
    ) -> Result<Fields, Error> {
        let mut slots: Vec<Option<Value>> = names.iter().map(|_| None).collect();
        let mut pending = None;
        let mut put = |i: usize, v: Value| -> Result<(), Error> {
            if let Some(check) = checks.get(i) {
                check(&v)?;
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(v);
            }
            Ok(())
        };
        let seq = match params {
            Value::Object(map) => {
                for (key, v) in map {
                    let Some(i) = names.iter().position(|f| is_pascal(&key, f)) else {
                        pending = Some(unknown_field(&key, names));
                        break;
                    };
                    put(i, v)?;
                }
                false
            }
            Value::Array(items) => {
                let len = items.len();
                if len > names.len() {
                    pending = Some(Error::invalid_length(len, &"fewer elements in array"));
                }
                for (i, v) in items.into_iter().enumerate().take(names.len()) {
                    put(i, v)?;
                }
                true
            }
            other => return Err(Error::invalid_type(unexpected(&other), &expecting)),
        };
        if let Some(e) = pending {
            return Err(e);
        }
        for (i, (slot, optional)) in slots.iter().zip(optional).enumerate() {
            if slot.is_none() && !optional() {
                return Err(if seq {
                    let n = names.len();
                    let plural = if n == 1 { "" } else { "s" };
                    Error::invalid_length(i, &format!("{expecting} with {n} element{plural}").as_str())
                } else {
                    Error::custom(format_args!(
                        "missing field `{}`",
                        names.get(i).map(|f| pascal(f)).unwrap_or_default()
                    ))
                });
            }
        }
        Ok(Fields { slots: slots.into_iter() })
    }

    /// [`Check`] for a field of type `T`.
    pub(super) fn check<T: DeserializeOwned>(v: &Value) -> Result<(), Error> {
        T::deserialize(v.clone()).map(drop)
    }

    /// [`Optional`] for a field of type `T`: what serde does for a field left out (`None` for an `Option`).
    pub(super) fn optional<T: DeserializeOwned>() -> bool {
        T::deserialize(Missing).is_ok()
    }

    /// A field left out: only an `Option` accepts it.
    struct Missing;

    impl<'de> de::Deserializer<'de> for Missing {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("missing"))
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_none()
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
            newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    /// Values of every JSON kind, and of every field type, valid or not.
    fn samples() -> Vec<Value> {
        vec![
            Value::Null,
            json!(true),
            json!(0),
            json!(7),
            json!(-3),
            json!(4294967296_u64),
            json!(u64::MAX),
            json!(1.5),
            json!(2.0),
            json!(""),
            json!("k"),
            json!("aGVsbG8="),
            json!("not base64!"),
            json!({"Text": "hi"}),
            json!({"Text": 1}),
            json!([]),
            json!(["a", "b"]),
            json!([1]),
            json!([{"TagKey": "a", "TagValue": "b"}]),
            json!([{"TagKey": "a"}]),
            json!({}),
            json!({"a": "b"}),
            json!({"a": 1}),
            json!({"EncryptionContextSubset": {"a": "b"}}),
            json!({"Nope": 1}),
        ]
    }

    fn same(op: &str, params: Value) {
        let got = KmsRequest::from_parts(op, params.clone()).map_err(|e| e.message);
        let want = from_parts_derived(op, params.clone());
        assert_eq!(got, want, "{op} {params}");
    }

    /// The hand-written reader agrees with the derived `Deserialize`: results and messages, on objects (each field
    /// set to every sample, unknown fields in each position), arrays and other values.
    #[test]
    fn from_parts_matches_derived_deserialize() {
        for op in OPERATIONS {
            let fields: Vec<String> = fields_of(op).iter().map(|f| super::read::pascal(f)).collect();
            assert!(!fields.is_empty(), "{op}");
            same(op, json!({}));
            same(op, Value::Null);
            for v in samples() {
                same(op, v.clone());
                same(op, json!([v.clone()]));
                for f in &fields {
                    same(op, json!({ f.as_str(): v.clone() }));
                    // With every other field valid-ish, in both orders around an unknown field.
                    let mut m = serde_json::Map::new();
                    m.insert("Unknown".into(), json!(1));
                    m.insert(f.clone(), v.clone());
                    same(op, Value::Object(m.clone()));
                    let mut m2 = serde_json::Map::new();
                    m2.insert(f.clone(), v.clone());
                    m2.insert("Unknown".into(), json!(1));
                    same(op, Value::Object(m2));
                    let mut all = serde_json::Map::new();
                    for g in &fields {
                        all.insert(g.clone(), if g == f { v.clone() } else { good(g) });
                    }
                    same(op, Value::Object(all.clone()));
                    let arr: Vec<Value> = all.values().cloned().collect();
                    for n in 0..=arr.len() {
                        same(op, Value::Array(arr.iter().take(n).cloned().collect()));
                    }
                    let mut longer = arr.clone();
                    longer.push(json!(1));
                    same(op, Value::Array(longer));
                }
            }
            same(op, json!({"keyId": "k"}));
            same(op, json!({"KEYID": "k"}));
            same(op, json!({"Key_Id": "k"}));
        }
    }

    /// A valid value for a field.
    fn good(field: &str) -> Value {
        match field {
            "Plaintext" | "CiphertextBlob" => json!("aGVsbG8="),
            "Tags" => json!([{"TagKey": "a", "TagValue": "b"}]),
            "TagKeys" | "GrantTokens" | "Operations" => json!(["a"]),
            "BypassPolicyLockoutSafetyCheck" | "MultiRegion" | "DryRun" => json!(true),
            "Limit" | "PendingWindowInDays" | "RotationPeriodInDays" | "NumberOfBytes" => json!(7),
            "EncryptionContext" | "SourceEncryptionContext" | "DestinationEncryptionContext" => json!({"a": "b"}),
            "Constraints" => json!({"EncryptionContextSubset": {"a": "b"}}),
            _ => json!("s"),
        }
    }
}
