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
    /// Base64 text, or `{"Text": "..."}` (UTF-8 text); anything else is one error that says both forms.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BlobVisitor)
    }
}

struct BlobVisitor;

impl<'de> serde::de::Visitor<'de> for BlobVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("base64 text or {\"Text\": \"...\"}")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Blob, E> {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map(Blob)
            .map_err(|_| E::custom(format!("`{}` is not valid base64", truncate(s, 40))))
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<Blob, M::Error> {
        let mut text: Option<String> = None;
        while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
            if k != "Text" {
                return Err(serde::de::Error::unknown_field(&k, &["Text"]));
            }
            if text.is_some() {
                return Err(serde::de::Error::duplicate_field("Text"));
            }
            text = Some(m.next_value()?);
        }
        text.map(|t| Blob(t.into_bytes())).ok_or_else(|| serde::de::Error::missing_field("Text"))
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
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, kmsim_de::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    pub tag_key: String,
    pub tag_value: String,
}

pub type Ec = BTreeMap<String, String>;

/// `RecipientInfo` (Nitro Enclaves and NitroTPM attestation): accepted as AWS models it; the simulator answers
/// UnsupportedOperationException, since it does not simulate attested environments.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, kmsim_de::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RecipientInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_encryption_algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_document: Option<Blob>,
}

macro_rules! requests {
    ($( $(#[$m:meta])* $op:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? } )*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Default, Serialize, kmsim_de::Deserialize)]
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
            /// The request's parameters (AWS JSON names).
            pub fn params(&self) -> serde_json::Value {
                let params = match self { $( KmsRequest::$op(r) => serde_json::to_value(r) ),* };
                params.unwrap_or(serde_json::Value::Null)
            }
            /// Checks the request against botocore's model of its operation ([`crate::validate`]).
            pub fn validate(&self) -> Result<(), KmsError> {
                crate::validate::validate(self.operation(), &self.params())
            }
            /// Builds a request from an operation name and its parameters (AWS JSON names).
            ///
            /// The request types' `Deserialize` is `kmsim_de`'s (serde_derive's results and messages, less code in the
            /// browser bundle).
            pub fn from_parts(operation: &str, params: serde_json::Value) -> Result<KmsRequest, KmsError> {
                let params = if params.is_null() { serde_json::Value::Object(Default::default()) } else { params };
                match KmsRequest::read(operation, params) {
                    Some(r) => r.map_err(|e| KmsError::validation(format!("invalid {operation} parameters: {e}"))),
                    None => Err(KmsError::new(crate::error::ErrorCode::ValidationException,
                        format!("unknown operation `{operation}`; supported: {}", OPERATIONS.join(", ")))),
                }
            }

            /// Reads the parameters of `operation` from any deserializer (a scenario checks a step's parameters
            /// against the request type at load, with their place in the file); `None` for an unknown operation.
            pub fn read<'de, D: serde::Deserializer<'de>>(operation: &str, d: D)
                -> Option<Result<KmsRequest, D::Error>> {
                match operation {
                    $( stringify!($op) => Some(<$op as Deserialize>::deserialize(d).map(KmsRequest::$op)), )*
                    _ => None,
                }
            }
        }

        /// Every implemented operation's name, in declaration order.
        pub const OPERATIONS: &[&str] = &[ $( Operation::$op.name() ),* ];

        impl Operation {
            /// Whether the simulator implements the operation (it has a request type here).
            pub fn implemented(self) -> bool {
                matches!(self, $( Operation::$op )|*)
            }
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
        #[serde(default, skip_serializing_if = "Option::is_none")] customer_master_key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] custom_key_store_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] xks_key_id: Option<String>,
    }
    DescribeKey {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
    }
    ListKeys {
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] resource_owners: Option<Vec<String>>,
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
    ListKeyPolicies {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    CreateAlias { alias_name: String, target_key_id: String }
    UpdateAlias { alias_name: String, target_key_id: String }
    DeleteAlias { alias_name: String }
    ListAliases {
        #[serde(default, skip_serializing_if = "Option::is_none")] key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    TagResource { key_id: String, tags: Vec<Tag> }
    UntagResource { key_id: String, tag_keys: Vec<String> }
    ListResourceTags {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    EnableKeyRotation {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] rotation_period_in_days: Option<i64>,
    }
    DisableKeyRotation { key_id: String }
    GetKeyRotationStatus { key_id: String }
    RotateKeyOnDemand { key_id: String }
    ListKeyRotations {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] include_key_material: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
    }
    Encrypt {
        key_id: String,
        plaintext: Blob,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
    }
    Decrypt {
        #[serde(default, skip_serializing_if = "Option::is_none")] ciphertext_blob: Option<Blob>,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] recipient: Option<RecipientInfo>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run_modifiers: Option<Vec<String>>,
    }
    ReEncrypt {
        #[serde(default, skip_serializing_if = "Option::is_none")] ciphertext_blob: Option<Blob>,
        destination_key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] source_key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] source_encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] destination_encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] source_encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] destination_encryption_algorithm: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run_modifiers: Option<Vec<String>>,
    }
    GenerateDataKey {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] number_of_bytes: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] encryption_context: Option<Ec>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] recipient: Option<RecipientInfo>,
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
        #[serde(default, skip_serializing_if = "Option::is_none")] custom_key_store_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] recipient: Option<RecipientInfo>,
    }
    CreateGrant {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] grantee_principal: Option<String>,
        operations: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] retiring_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] constraints: Option<GrantConstraints>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_tokens: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")] name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] dry_run: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grantee_service_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] retiring_service_principal: Option<String>,
    }
    ListGrants {
        key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] grant_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grantee_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] grantee_service_principal: Option<String>,
    }
    ListRetirableGrants {
        #[serde(default, skip_serializing_if = "Option::is_none")] retiring_principal: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")] marker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] retiring_service_principal: Option<String>,
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
