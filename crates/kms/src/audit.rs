//! The audit log: one CloudTrail-shaped record per call (denied calls included) and per KMS service event
//! (RotateKey, DeleteKey). Records never hold key material or plaintext: only request parameters AWS logs
//! (key ids, encryption context, grant fields), with blobs and policies left out.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::clock::Timestamp;

/// `userIdentity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct UserIdentity {
    /// `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSService`, `AWSAccount`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub session_context: Option<Json>,
}

/// `resources[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AuditResource {
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ARN")]
    pub arn: String,
}

/// One CloudTrail event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AuditRecord {
    pub event_version: String,
    pub user_identity: UserIdentity,
    pub event_time: Timestamp,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown> | null"))]
    pub request_parameters: Option<Json>,
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown> | null"))]
    pub response_elements: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub additional_event_data: Option<Json>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    pub resources: Vec<AuditResource>,
    /// `AwsApiCall` or `AwsServiceEvent`.
    pub event_type: String,
    pub management_event: bool,
    pub recipient_account_id: String,
    pub event_category: String,
}

impl AuditRecord {
    pub fn succeeded(&self) -> bool {
        self.error_code.is_none()
    }
}

/// A query over the log; every field is optional and they AND together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditQuery {
    /// A key id or key ARN among the record's resources.
    pub key: Option<String>,
    /// The caller's ARN (exact), or for role sessions the role name.
    pub principal: Option<String>,
    pub event_name: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    pub error_code: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// The account whose trail is read (calls across accounts are recorded in both).
    pub account: Option<String>,
    /// `encryptionContext` pairs that must all be present in requestParameters.
    pub encryption_context: Option<std::collections::BTreeMap<String, String>>,
}

/// The log, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditLog {
    records: Vec<AuditRecord>,
}

impl AuditLog {
    pub fn push(&mut self, r: AuditRecord) {
        self.records.push(r);
    }
    pub fn records(&self) -> &[AuditRecord] {
        &self.records
    }
    pub fn len(&self) -> usize {
        self.records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    /// Records matching every set field of the query, oldest first.
    pub fn query<'a>(&'a self, q: &'a AuditQuery) -> impl Iterator<Item = &'a AuditRecord> + 'a {
        self.records.iter().filter(move |r| matches(r, q))
    }
}

fn matches(r: &AuditRecord, q: &AuditQuery) -> bool {
    if let Some(k) = &q.key {
        let hit = r.resources.iter().any(|res| &res.arn == k || res.arn.ends_with(&format!("/{k}")));
        if !hit {
            return false;
        }
    }
    if let Some(p) = &q.principal {
        let arn = r.user_identity.arn.as_deref().unwrap_or("");
        let role_hit = arn.contains(&format!(":assumed-role/{p}/"));
        if arn != p && !role_hit && r.user_identity.invoked_by.as_deref() != Some(p.as_str()) {
            return false;
        }
    }
    if let Some(e) = &q.event_name {
        if &r.event_name != e {
            return false;
        }
    }
    if let Some(o) = &q.outcome {
        let want_success = o.eq_ignore_ascii_case("success");
        if r.succeeded() != want_success {
            return false;
        }
    }
    if let Some(c) = &q.error_code {
        if r.error_code.as_deref() != Some(c.as_str()) {
            return false;
        }
    }
    if let Some(from) = q.from {
        if r.event_time < from {
            return false;
        }
    }
    if let Some(to) = q.to {
        if r.event_time > to {
            return false;
        }
    }
    if let Some(a) = &q.account {
        if &r.recipient_account_id != a {
            return false;
        }
    }
    if let Some(ec) = &q.encryption_context {
        let got = r.request_parameters.as_ref().and_then(|p| p.get("encryptionContext"));
        let ok = ec.iter().all(|(k, v)| got.and_then(|g| g.get(k)).and_then(|x| x.as_str()) == Some(v.as_str()));
        if !ok {
            return false;
        }
    }
    true
}
