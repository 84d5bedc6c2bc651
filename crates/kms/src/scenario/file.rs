//! The scenario file format: the types a scenario file is read into, and their JSON Schema. Each field is named once,
//! by its serde attributes, which serde's `Serialize`, schemars and `kmsim_de::Deserialize` (a compact `Deserialize`
//! for a smaller browser bundle) all read.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as J;

/// A scenario file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Editors' schema reference; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// What the scenario shows (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// An exercise for the reader (Markdown), when the scenario is a lesson.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exercise: String,
    /// Fixes key ids, key material, ciphertexts and grant ids. Random when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The clock's start (ISO 8601). Default 2026-01-01T00:00:00Z.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSpec>,
    /// Accounts by 12-digit id. The first is the default account for short principal names.
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountSpec>,
    /// Keys by a local name (used by `{"$key": NAME}` and in grants).
    #[serde(default)]
    pub keys: BTreeMap<String, KeySpecFile>,
    /// Grants that exist before the first step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantSpec>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// Automated response (issue 14): rules that run after each step, on the audit records it produced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSpec>,
    /// An exercise's goals: what the student's version must achieve (see [`super::goals`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<super::goals::Goal>,
    /// Hints for the exercise (Markdown), revealed one at a time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The exercise's model answer: a JSON Patch of this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<super::goals::Solution>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Seconds before a new grant works without its token (AWS: up to about 300). Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_propagation_seconds: Option<i64>,
}

/// A policy document: the policy JSON itself (an object), or its text (a string).
pub type PolicyDoc = J;

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrincipalSpec {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Identity policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, PolicyDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PolicyDoc>,
    /// Roles only: named sessions of the role, by session name (`as: "role/App/alice"` calls as session `alice`).
    /// A user that has any is an error when the file is loaded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sessions: BTreeMap<String, SessionSpec>,
}

/// A named role session: what AWS STS's `AssumeRole` gives a session that KMS's authorization can see
/// (<https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>). A step calling as the session
/// (`role/ROLE/NAME`) gets these values; the step's own `session_tags` (per key), `session_policy`, `mfa` and
/// `mfa_age_seconds` win over them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionSpec {
    /// Session tags (`AssumeRole`'s `Tags`): `aws:PrincipalTag/*` with the role's tags, a session tag overriding the
    /// role's tag of the same key (IAM User Guide, *Pass session tags in AWS STS*,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The session policy (`AssumeRole`'s `Policy`): the session may do only what both it and the role's identity
    /// policies allow (IAM User Guide, *Session policies*,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDoc>,
    /// The session was obtained with MFA (`AssumeRole`'s `SerialNumber` and `TokenCode`):
    /// `aws:MultiFactorAuthPresent` is true and `aws:MultiFactorAuthAge` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Seconds since the MFA authentication (`aws:MultiFactorAuthAge`); needs `mfa: true`. Default 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_age_seconds: Option<u64>,
    /// `AssumeRole`'s `SourceIdentity`: `aws:SourceIdentity` in every request of the session (IAM User Guide,
    /// *Monitor and control actions taken with assumed roles*,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html>).
    /// 2 to 64 characters: letters, digits and `_+=,.@-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: BTreeMap<String, PrincipalSpec>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, PrincipalSpec>,
    /// Service control policies by name (the account is then governed by them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scps: BTreeMap<String, PolicyDoc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySpecFile {
    /// The owning account (default: the first account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A fixed key id (UUID form); drawn from the seed when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The key policy; AWS's default key policy when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// `Enabled` (default), `Disabled`, `PendingDeletion`, `PendingImport`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `SYMMETRIC_DEFAULT` (default), `HMAC_256`, `RSA_2048`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    /// Automatic rotation period in days, when rotation is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period_days: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// The key's local name.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub grantee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraintsSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GrantConstraintsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// One step: exactly one of `call`, `authorize`, `advance` or `service`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Lets later steps use this step's response: `{"$ref": "NAME.Field"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the step shows, for readers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// An API call: the operation name (`Encrypt`, `CreateGrant`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The call's parameters, with AWS's names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<J>,
    /// An authorization question, answered without executing anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorize: Option<Box<AuthorizeSpec>>,
    /// Moves the clock forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance: Option<Box<AdvanceSpec>>,
    /// An operation of an AWS service that uses KMS (issue 14): the service makes its KMS calls as `as`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Box<ServiceStepSpec>>,
    /// Who calls (see the module docs for short forms).
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The call is made by a service on the caller's behalf, e.g. `s3.us-east-1.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_age_seconds: Option<u64>,
    /// `long-term` or `temporary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// The caller's IP address (`aws:SourceIp`), e.g. `203.0.113.7`. Default 203.0.113.10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The call comes through this VPC endpoint (e.g. `vpce-1a2b3c4d`): `aws:SourceVpce` is set and `aws:SourceIp`
    /// is absent (a request through an interface endpoint has no public source address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub session_tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<Box<PolicyDoc>>,
    /// Extra condition keys (the policy engine's context JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Box<J>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Box<ExpectSpec>>,
}

/// An authorization question. Besides the caller, action and resource it carries the request's parameters that
/// feed condition keys, so that it is decided as the call with those parameters is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeSpec {
    #[serde(rename = "as")]
    pub caller: String,
    /// e.g. `kms:Decrypt`.
    pub action: String,
    /// A key ARN (or `{"$key": NAME}`), an alias ARN, or `*`. May be left out with `key_id`.
    #[serde(default, skip_serializing_if = "J::is_null")]
    pub resource: J,
    /// The key as the request's `KeyId` names it (a key id, key ARN, alias name or alias ARN, or
    /// `{"$key": NAME}`): found as the call finds it; an alias gives `kms:RequestAlias`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<J>,
    /// Encryption context to test `kms:EncryptionContext:*` conditions with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// CreateGrant's `Operations` (`kms:GrantOperations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_operations: Option<Vec<String>>,
    /// CreateKey's or PutKeyPolicy's `BypassPolicyLockoutSafetyCheck` (`kms:BypassPolicyLockoutSafetyCheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// Tags in the request, CreateKey's or TagResource's `Tags` (`aws:RequestTag/*`, `aws:TagKeys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceSpec {
    #[serde(default)]
    pub days: i64,
    #[serde(default)]
    pub hours: i64,
    #[serde(default)]
    pub minutes: i64,
    #[serde(default)]
    pub seconds: i64,
}

/// What a step should produce.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// For calls: `success`, an AWS error code (`AccessDeniedException`, ...) or `error` (any error). For authorize
    /// steps: `allow`, `deny` (explicit or implicit), `explicit-deny` or `implicit-deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The Sid (or `#N`) of the statement that decided (the first authorization's deciding statement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// The name (or id) of the grant that allowed the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// Text the error message must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_contains: Option<String>,
    /// Response fields that must have these values, by dotted path; a number indexes an array
    /// (`{"KeyMetadata.KeyState": "Disabled", "Rotations.0.RotationType": "ON_DEMAND"}`). `{"$length": N}` checks
    /// the length of an array (`{"Grants": {"$length": 2}}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub response: BTreeMap<String, J>,
    /// The audit (CloudTrail) records the step produced, in order: one for a call, the service events for an
    /// advance. Each is the fields it must have, by dotted path in the record as CloudTrail writes it
    /// (`{"eventName": "Decrypt", "errorCode": "AccessDenied", "requestParameters.keyId": "alias/app"}`); values
    /// as in `response`, `{"$length": N}` included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Vec<BTreeMap<String, J>>>,
    /// For advance steps: the service events (eventName) that must occur, in order. For service steps: the events
    /// the service emitted (their `detail-type`, e.g. `EBS Volume Notification`), in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    // Issue 14 (services and automated response): new fields in this block.
    /// For service steps: the KMS calls the service made, in order, each with what it must show (`outcome`,
    /// `statement`, `grant`, `message_contains`, `response`, and `audit`: its one record). Exactly as many calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_calls: Option<Vec<ExpectSpec>>,
    /// The rules that fired after the step, in order: each the fields its firing must have, by dotted path
    /// (`{"rule": "lock", "actions.0.action": "DisableKey", "actions.0.outcome": "success"}`). Exactly as many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<BTreeMap<String, J>>>,
    /// The notifications rules published after the step, in order, by dotted path (`{"topic": "alerts"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Vec<BTreeMap<String, J>>>,
    /// Whether loop protection stopped a rule after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_stopped: Option<bool>,
}

// Issue 14: automated response.

/// A rule: an EventBridge event pattern matched against the event of each audit record (`crate::rules`), and the
/// actions run, in order, as `role` when it matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    /// e.g. `{"source": ["aws.kms"], "detail": {"eventName": ["Decrypt"], "errorCode": ["AccessDenied"]}}`.
    pub pattern: J,
    /// The role the actions run as (`role/NAME` or its ARN): its own authorization, its own audit records.
    pub role: String,
    pub actions: Vec<RuleActionSpec>,
    /// `ENABLED` (default), `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// An action: a KMS call (`DisableKey`, `ScheduleKeyDeletion`, `PutKeyPolicy`, `RevokeGrant`, `TagResource`) or
/// `Notify`. In `params` and `message`, `{"$event": "detail.requestParameters.grantId"}` is a field of the matched
/// event; `KeyId` defaults to the record's key (`detail.resources.0.ARN`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleActionSpec {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<J>,
    /// `Notify`: the simulated topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// `Notify`: the message (default: the rule's name and the record's eventName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

// Issue 14: services as steps. The step's service fields are the services' own type (`crate::services`).
pub use crate::services::ServiceStepSpec;

/// The JSON Schema of scenario files.
pub fn json_schema() -> J {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or(J::Null)
}
