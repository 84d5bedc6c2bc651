//! Scenarios: a KMS world and the steps to run in it, with what each step should produce. The unit of a workshop
//! exercise, a docs example, a CI check and a conformance test.
//!
//! A scenario is JSON (see `schema/scenario.schema.json`, generated from these types by `kmsim schema`):
//!
//! ```json
//! {
//!   "title": "Least privilege",
//!   "seed": 42,
//!   "accounts": { "111122223333": { "roles": { "App": { "policies": {} } } } },
//!   "keys": { "app": { "account": "111122223333", "aliases": ["alias/app"],
//!                       "policy": { "Version": "2012-10-17", "Statement": [ ... ] } } },
//!   "steps": [
//!     { "name": "enc", "call": "Encrypt", "as": "role/App",
//!       "params": { "KeyId": "alias/app", "Plaintext": { "Text": "hi" } }, "expect": { "outcome": "success" } },
//!     { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "enc.CiphertextBlob" } } },
//!     { "authorize": { "as": "role/App", "action": "kms:ScheduleKeyDeletion", "resource": { "$key": "app" } },
//!       "expect": { "outcome": "implicit-deny" } },
//!     { "advance": { "days": 30 } }
//!   ]
//! }
//! ```
//!
//! In step parameters, `{"$ref": "STEP.Path.To.Field"}` is replaced by a field of an earlier named step's response
//! (a number indexes an array: `list.Grants.0.GrantId`; an `authorize` step's only field is `Decision`, an `advance`
//! step's response is its list of service events), `{"$key": "NAME"}` by the ARN of a key of the world and
//! `{"$keyId": "NAME"}` by its bare key id. A caller (`as`) is a full ARN, or a short form resolved in the first
//! account: `user/NAME`, `role/NAME` (a session named `session`), `role/NAME/SESSION`, `root`, `ACCOUNT:role/NAME`.
//! How the call is made: `via` (a service on the caller's behalf), `mfa`, `mfa_age_seconds`, `credentials`
//! (`long-term` or `temporary`), `source_ip` (an IP address), `source_vpce` (through a VPC endpoint: `aws:SourceVpce`
//! and no `aws:SourceIp`), `session_tags`, `session_policy`, `context` (extra condition keys).
//!
//! A role may declare named sessions, each with what `AssumeRole` gave it ([`SessionSpec`]: `tags`, `policy`, `mfa`,
//! `mfa_age_seconds`, `source_identity`):
//!
//! ```json
//! "roles": { "App": { "sessions": { "alice": { "tags": { "tenant": "t1" }, "mfa": true, "source_identity": "alice" } } } }
//! ```
//!
//! A step `"as": "role/App/alice"` (or an `authorize` step's `as`) calls as that session with those values; the
//! step's own fields win: its `session_tags` key by key over the session's tags (which override the role's tags of
//! the same key), its `session_policy`, `mfa` and `mfa_age_seconds` instead of the session's.
//!
//! An `authorize` step asks a question without executing anything. Besides `as`, `action` and `resource` it takes
//! the request's parameters that feed condition keys, so that it is decided as the call is: `key_id` (the key as the
//! request names it: an alias gives `kms:RequestAlias`; `resource` may then be left out), `encryption_context`,
//! `grant_operations` (`kms:GrantOperations`), `bypass_policy_lockout_safety_check` and `request_tags`
//! (`aws:RequestTag/*`, `aws:TagKeys`).
//!
//! A `service` step (issue 14) performs an operation of an AWS service that uses KMS, as `as`, and makes the KMS
//! calls that service documents, through it (`crate::services`, one file per service, each naming its page):
//!
//! ```json
//! { "service": { "name": "s3", "operation": "PutObject", "bucket": "reports", "key": "q1.csv",
//!                "kms_key": { "$key": "reports" }, "bucket_key": true, "value": "revenue,42" },
//!   "as": "user/alice",
//!   "expect": { "outcome": "success", "kms_calls": [ { "outcome": "success", "statement": "AllowS3",
//!               "audit": [ { "requestParameters.encryptionContext.aws:s3:arn": "arn:aws:s3:::reports" } ] } ] } }
//! ```
//!
//! Its `outcome` is the service's (`success`, `error` or a service error code such as `AccessDenied`),
//! `message_contains` and `response` check the service's answer, `kms_calls` each KMS call it made (in order, as a
//! call step's expectations), `audit` the records of all of them, `events` the service's events (`detail-type`).
//!
//! `rules` (issue 14, `crate::rules`) run after every step on the audit records it produced: each is an EventBridge
//! event pattern, a role and actions (`DisableKey`, `ScheduleKeyDeletion`, `PutKeyPolicy`, `RevokeGrant`,
//! `TagResource` as that role, or `Notify` a topic), with loop protection (a rule fires at most 5 times per step):
//!
//! ```json
//! "rules": [ { "name": "lock", "role": "role/IncidentResponder",
//!              "pattern": { "detail": { "eventName": ["Decrypt"], "errorCode": ["AccessDenied"] } },
//!              "actions": [ { "action": "DisableKey" }, { "action": "Notify", "topic": "security-alerts" } ] } ]
//! ```
//!
//! A step's `expect.rules` lists the firings after it (fields by dotted path: `rule`, `actions.0.outcome`, ...),
//! `expect.notifications` the messages published, `expect.rules_stopped` whether loop protection stopped a rule.
//!
//! What a step should produce (`expect`):
//!
//! ```json
//! "expect": {
//!   "outcome": "success",
//!   "statement": "AllowUse",
//!   "response": { "Grants": { "$length": 2 }, "Grants.0.Operations.0": "Decrypt" },
//!   "audit": [ { "eventName": "CreateGrant", "requestParameters.operations.0": "Decrypt" } ]
//! }
//! ```
//!
//! `outcome`: for a call `success`, an AWS error code, or `error` (any error); for an `authorize` step `allow`, `deny`,
//! `explicit-deny` or `implicit-deny`. `statement`: the Sid (or `#N`) that decided; `grant`: the grant that allowed;
//! `message_contains`: text of the error message. `response`: values by dotted path, a number indexing an array;
//! `{"$length": N}` checks an array's length. `audit`: the audit (CloudTrail) records the step produced, in order
//! (a call's one record, an advance's service events), each the values it must have by dotted path in the record as
//! CloudTrail writes it (`eventName`, `errorCode`, `requestParameters.keyId`, ...), `$length` as in `response`.
//! `events` (advance steps): the eventNames of the service events, in order.
//!
//! Everything that cannot run as written is an error when the file is loaded, with its line, column and JSON path:
//! parameters are read against the operation's request type (a `$ref`, `$key` or `$keyId` stands for a string), a
//! `$ref` must name an earlier step that has the field, names of steps and aliases are unique, principals and
//! addresses must be ones.
//!
//! The module's parts: [`mod@file`] (the file format and its schema), [`error`] (located problems), `parse` (reading a file
//! from its located JSON tree, through `located`), `locate` (where a problem is), `validate` (the checks of the
//! world and each step), `steps` (the checks across steps: parameters, placeholders, names), `build` (the world
//! before the first step), [`goals`] (an exercise's goals, hints and solution), `run` (steps, `$ref`/`$key` substitution), `expect` (expectations) and [`result`] (what a
//! run returns).

use std::collections::BTreeMap;

use crate::policy::NamedPolicy;

mod build;
pub mod error;
mod expect;
pub mod file;
pub mod goals;
mod locate;
pub(crate) mod located;
mod parse;
mod read;
pub mod result;
mod rule_checks;
mod rule_text;
mod rules;
mod run;
mod service;
mod service_checks;
mod steps;
mod validate;

pub use build::resolve_principal;
pub use error::{ScenarioError, ScenarioErrors};
pub use expect::{deciding_statements, kms_call_what, NOTIFICATION, RULE_FIRING};
pub use file::*;
pub use goals::{Goal, GoalResult, PatchOp, Solution, StepMatch};
pub use read::{read_text, read_value};
pub use result::{Expectation, ScenarioRun, StepResult};

/// Each key of a scenario by its local name -> its ARN in the world built from it.
pub type KeyArns = BTreeMap<String, String>;

/// A parsed, validated scenario: the file and its compiled policies.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: ScenarioFile,
    /// Compiled policies by the JSON Pointer of their document in the file.
    policies: BTreeMap<String, NamedPolicy>,
}

#[cfg(test)]
mod goals_tests;
#[cfg(test)]
mod tests;
