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
//! In step parameters, `{"$ref": "STEP.Path.To.Field"}` is replaced by a field of an earlier named step's response,
//! `{"$key": "NAME"}` by the ARN of a key of the world and `{"$keyId": "NAME"}` by its bare key id. A caller (`as`) is
//! a full ARN, or a short form resolved in the first account: `user/NAME`, `role/NAME` (a session named `session`),
//! `role/NAME/SESSION`, `root`, or `ACCOUNT:user/NAME` etc. for another account.

use std::collections::BTreeMap;

use kmsim_policy::json::{self, Json, LineIndex, Node};
use kmsim_policy::{Context, PolicyError, PolicyType, Span};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use crate::audit::AuditRecord;
use crate::clock::{Duration, Timestamp};
use crate::error::ErrorCode;
use crate::fields::fields;
use crate::grant::{Grant, GrantConstraints};
use crate::hsm::{Hsm, Seed};
use crate::ids::key_arn;
use crate::key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin, Rotation};
use crate::ops::CallOutcome;
use crate::policy::{default_key_policy, NamedPolicy};
use crate::principal::{Account, Caller, Credentials, Role, User};
use crate::trace::AuthzTrace;
use crate::world::{World, WorldConfig};
use crate::KmsRequest;

// ---- the file format -------------------------------------------------------------------------------------------

/// A scenario file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrincipalSpec {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Identity policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, PolicyDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PolicyDoc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GrantConstraintsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// One step: exactly one of `call`, `authorize` or `advance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
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
    pub authorize: Option<AuthorizeSpec>,
    /// Moves the clock forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance: Option<AdvanceSpec>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub session_tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<PolicyDoc>,
    /// Extra condition keys (the policy engine's context JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<ExpectSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeSpec {
    #[serde(rename = "as")]
    pub caller: String,
    /// e.g. `kms:Decrypt`.
    pub action: String,
    /// A key ARN (or `{"$key": NAME}`), an alias ARN, or `*`.
    pub resource: J,
    /// Encryption context to test `kms:EncryptionContext:*` conditions with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// For calls: `success` or an AWS error code (`AccessDeniedException`, ...). For authorize steps: `allow`,
    /// `deny` (explicit or implicit), `explicit-deny` or `implicit-deny`.
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
    /// Response fields that must have these values (dotted paths, e.g. `{"KeyMetadata.KeyState": "Disabled"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub response: BTreeMap<String, J>,
    /// For advance steps: the service events (eventName) that must occur, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

// The structs' `Deserialize` impls: serde_derive's, written once (see `fields`) for a smaller browser bundle.
fields!(deny ScenarioFile { schema "$schema", title "title", description "description", exercise "exercise", seed "seed",
    start_time "start_time", config "config", accounts "accounts", keys "keys", grants "grants", steps "steps" });
fields!(deny ConfigSpec { region "region", grant_propagation_seconds "grant_propagation_seconds" });
fields!(deny PrincipalSpec { tags "tags", policies "policies", permissions_boundary "permissions_boundary" });
fields!(deny AccountSpec { name "name", users "users", roles "roles", scps "scps" });
fields!(deny KeySpecFile { account "account", key_id "key_id", description "description", policy "policy",
    aliases "aliases", tags "tags", state "state", key_spec "key_spec", key_usage "key_usage",
    rotation_period_days "rotation_period_days" });
fields!(deny GrantSpec { key "key", name "name", grantee "grantee", retiring_principal "retiring_principal",
    operations "operations", constraints "constraints" } required [0, 2, 4]);
fields!(deny GrantConstraintsSpec { encryption_context_subset "EncryptionContextSubset",
    encryption_context_equals "EncryptionContextEquals" });
fields!(deny StepSpec { name "name", note "note", call "call", params "params", authorize "authorize", advance "advance",
    caller "as", via "via", mfa "mfa", mfa_age_seconds "mfa_age_seconds", credentials "credentials",
    source_ip "source_ip", session_tags "session_tags", session_policy "session_policy", context "context",
    expect "expect" });
fields!(deny AuthorizeSpec { caller "as", action "action", resource "resource", encryption_context "encryption_context" }
    required [0, 1, 2]);
fields!(deny AdvanceSpec { days "days", hours "hours", minutes "minutes", seconds "seconds" });
fields!(deny ExpectSpec { outcome "outcome", statement "statement", grant "grant", message_contains "message_contains",
    response "response", events "events" });

/// The JSON Schema of scenario files.
pub fn json_schema() -> J {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or(J::Null)
}

// ---- diagnostics -----------------------------------------------------------------------------------------------

/// A problem in a scenario file, with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioError {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub span: Span,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.span, self.message)
    }
}

/// Every problem found in a scenario file (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioErrors {
    pub errors: Vec<ScenarioError>,
}

impl std::fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.errors.len();
        write!(f, "scenario has {n} error{}", if n == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

// ---- parsing ---------------------------------------------------------------------------------------------------

/// A parsed, validated scenario: the file and its compiled policies.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: ScenarioFile,
    source: String,
    /// Compiled policies by the JSON Pointer of their document in the file.
    policies: BTreeMap<String, NamedPolicy>,
}

impl Scenario {
    /// Parses and validates a scenario, reporting every problem at once with line, column and JSON path.
    pub fn parse(source: &str) -> Result<Scenario, ScenarioErrors> {
        let lines = LineIndex::new(source);
        let parsed = json::parse(source);
        let mut errors: Vec<ScenarioError> = parsed
            .duplicates
            .iter()
            .map(|d| ScenarioError {
                message: format!("duplicate key `{}`", d.key),
                help: Some("each key may appear once in an object".into()),
                span: lines.span(d.pos, &format!("{}/{}", d.path, json::escape_pointer(&d.key))),
            })
            .collect();
        let root = match parsed.root {
            Ok(r) => r,
            Err(e) => {
                errors.push(ScenarioError { message: e.message, help: e.help, span: lines.span(e.pos, "") });
                return Err(ScenarioErrors { errors });
            }
        };
        let Json::Object(members) = &root.value else {
            errors.push(err(
                &lines,
                root.pos,
                "",
                format!("a scenario must be a JSON object, found {}", root.type_name()),
                None,
            ));
            return Err(ScenarioErrors { errors });
        };
        // Typed check, section by section (and step by step), so every section's first problem is reported.
        let mut file = ScenarioFile::default();
        for m in members {
            let path = format!("/{}", json::escape_pointer(&m.key));
            let slice = slice_of(source, &m.value);
            macro_rules! section {
                ($field:ident, $ty:ty) => {{
                    let read = &mut |de: &mut JsonReader<'_>| {
                        file.$field = <$ty>::deserialize(de)?;
                        Ok(())
                    };
                    if let Err(e) = typed(slice, &lines, &m.value, &path, read) {
                        errors.push(e);
                    }
                }};
            }
            match m.key.as_str() {
                "$schema" => section!(schema, Option<String>),
                "title" => section!(title, String),
                "description" => section!(description, String),
                "exercise" => section!(exercise, String),
                "seed" => section!(seed, Option<u64>),
                "start_time" => section!(start_time, Option<String>),
                "config" => section!(config, Option<ConfigSpec>),
                "accounts" => section!(accounts, BTreeMap<String, AccountSpec>),
                "keys" => section!(keys, BTreeMap<String, KeySpecFile>),
                "grants" => section!(grants, Vec<GrantSpec>),
                "steps" => {
                    if let Json::Array(items) = &m.value.value {
                        for (i, item) in items.iter().enumerate() {
                            let p = format!("/steps/{i}");
                            let mut step = None;
                            let read = &mut |de: &mut JsonReader<'_>| {
                                step = Some(StepSpec::deserialize(de)?);
                                Ok(())
                            };
                            match typed(slice_of(source, item), &lines, item, &p, read) {
                                Ok(()) => {
                                    if let Some(s) = step {
                                        validate_step(&s, &lines, item, &p, &mut errors);
                                        file.steps.push(s)
                                    }
                                }
                                Err(e) => errors.push(e),
                            }
                        }
                    } else {
                        errors.push(err(
                            &lines,
                            m.value.pos,
                            &path,
                            format!("`steps` must be an array, found {}", m.value.type_name()),
                            None,
                        ));
                    }
                }
                other => {
                    let known = [
                        "title",
                        "description",
                        "exercise",
                        "seed",
                        "start_time",
                        "config",
                        "accounts",
                        "keys",
                        "grants",
                        "steps",
                    ];
                    let help = kmsim_policy::suggest(other, &known).map(|c| format!("did you mean `{c}`?"));
                    errors.push(err(&lines, m.key_pos, &path, format!("unknown field `{other}`"), help));
                }
            }
        }
        if let Some(t) = &file.start_time {
            if Timestamp::parse(t).is_none() {
                let pos = find(&root, &["start_time"]).map(|n| n.pos).unwrap_or_default();
                errors.push(err(&lines, pos, "/start_time", format!("`{t}` is not an ISO 8601 date-time"), None));
            }
        }
        for id in file.accounts.keys() {
            if !crate::ids::is_account_id(id) {
                let pos = find(&root, &["accounts"]).and_then(|a| key_pos(a, id)).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/accounts/{id}"),
                    format!("`{id}` is not a 12-digit account id"),
                    None,
                ));
            }
        }
        // Policies: parse each with the engine, positions mapped into this file.
        let mut policies = BTreeMap::new();
        collect_policies(&root, source, &lines, &mut policies, &mut errors);
        // Cross references.
        let default_account = file.accounts.keys().next().cloned();
        for (name, k) in &file.keys {
            if let Some(a) = k.account.as_ref().or(default_account.as_ref()) {
                if !file.accounts.contains_key(a) {
                    let pos = find(&root, &["keys", name]).map(|n| n.pos).unwrap_or_default();
                    errors.push(err(
                        &lines,
                        pos,
                        &format!("/keys/{name}/account"),
                        format!("key `{name}` names account `{a}`, which is not in `accounts`"),
                        None,
                    ));
                }
            } else {
                let pos = find(&root, &["keys", name]).map(|n| n.pos).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/keys/{name}"),
                    format!("key `{name}` needs an account: add one to `accounts`"),
                    None,
                ));
            }
            if let Some(s) = &k.state {
                if parse_enum::<KeyState>(s).is_none() {
                    let pos = find(&root, &["keys", name, "state"]).map(|n| n.pos).unwrap_or_default();
                    errors.push(err(&lines, pos, &format!("/keys/{name}/state"), format!("unknown key state `{s}`"), Some("one of Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, Unavailable, Creating, Updating".into())));
                }
            }
        }
        for (i, g) in file.grants.iter().enumerate() {
            if !file.keys.contains_key(&g.key) {
                let pos = find(&root, &["grants"]).and_then(|a| index(a, i)).map(|n| n.pos).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/grants/{i}/key"),
                    format!("grant names key `{}`, which is not in `keys`", g.key),
                    None,
                ));
            }
        }
        if errors.is_empty() {
            Ok(Scenario { file, source: source.to_string(), policies })
        } else {
            errors.sort_by_key(|e| (e.span.line, e.span.column));
            Err(ScenarioErrors { errors })
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Builds the world before the first step. `seed_if_missing` is used when the file has no seed (the outer layer
    /// draws it from the system's randomness).
    pub fn build_world(&self, seed_if_missing: u64) -> World {
        let f = &self.file;
        let config = WorldConfig {
            region: f.config.as_ref().and_then(|c| c.region.clone()).unwrap_or_else(|| "us-east-1".into()),
            grant_propagation_seconds: f.config.as_ref().and_then(|c| c.grant_propagation_seconds).unwrap_or(0),
            ..WorldConfig::default()
        };
        let start = f.start_time.as_deref().and_then(Timestamp::parse).unwrap_or(Timestamp::DEFAULT_START);
        let mut w = World::with_config(Seed(f.seed.unwrap_or(seed_if_missing)), config, start);
        let pol = |path: String| self.policies.get(&path).cloned();
        for (id, a) in &f.accounts {
            let mut acct = Account { name: a.name.clone(), ..Account::default() };
            let ap = format!("/accounts/{id}");
            for (n, u) in &a.users {
                let base = format!("{ap}/users/{}", json::escape_pointer(n));
                acct.users.insert(
                    n.clone(),
                    User {
                        tags: u.tags.clone(),
                        policies: u
                            .policies
                            .keys()
                            .filter_map(|pn| pol(format!("{base}/policies/{}", json::escape_pointer(pn))))
                            .collect(),
                        permissions_boundary: pol(format!("{base}/permissions_boundary")),
                    },
                );
            }
            for (n, r) in &a.roles {
                let base = format!("{ap}/roles/{}", json::escape_pointer(n));
                acct.roles.insert(
                    n.clone(),
                    Role {
                        tags: r.tags.clone(),
                        policies: r
                            .policies
                            .keys()
                            .filter_map(|pn| pol(format!("{base}/policies/{}", json::escape_pointer(pn))))
                            .collect(),
                        permissions_boundary: pol(format!("{base}/permissions_boundary")),
                    },
                );
            }
            acct.scps = a.scps.keys().filter_map(|pn| pol(format!("{ap}/scps/{}", json::escape_pointer(pn)))).collect();
            w.accounts.insert(id.clone(), acct);
        }
        let default_account = f.accounts.keys().next().cloned().unwrap_or_default();
        let partition = w.config.partition.clone();
        let region = w.config.region.clone();
        for (name, k) in &f.keys {
            let account = k.account.clone().unwrap_or_else(|| default_account.clone());
            let key_id = match &k.key_id {
                Some(id) => id.clone(),
                None => w.with_hsm(Hsm::new_key_id),
            };
            let arn = key_arn(&partition, &region, &account, &key_id);
            let policy = pol(format!("/keys/{}/policy", json::escape_pointer(name))).or_else(|| {
                NamedPolicy::parse("default", &default_key_policy(&partition, &account), PolicyType::Resource).ok()
            });
            let Some(policy) = policy else { continue };
            let spec = k.key_spec.as_deref().and_then(parse_enum::<KeySpec>).unwrap_or(KeySpec::SYMMETRIC_DEFAULT);
            let usage = k
                .key_usage
                .as_deref()
                .and_then(parse_enum::<KeyUsage>)
                .unwrap_or_else(|| spec.allowed_usages().first().copied().unwrap_or(KeyUsage::ENCRYPT_DECRYPT));
            let state = k.state.as_deref().and_then(parse_enum::<KeyState>).unwrap_or(KeyState::Enabled);
            let rotation = match k.rotation_period_days {
                Some(d) => Rotation {
                    enabled: true,
                    period_days: d,
                    next_rotation: Some(start.plus_days(i64::from(d))),
                    ..Rotation::default()
                },
                None => Rotation::default(),
            };
            w.insert_key(Key {
                key_id: key_id.clone(),
                arn,
                account: account.clone(),
                region: region.clone(),
                description: k.description.clone(),
                key_spec: spec,
                key_usage: usage,
                origin: if state == KeyState::PendingImport { Origin::EXTERNAL } else { Origin::AWS_KMS },
                manager: KeyManager::CUSTOMER,
                state,
                creation_date: start,
                deletion_date: (state == KeyState::PendingDeletion).then(|| start.plus_days(30)),
                pending_window_days: (state == KeyState::PendingDeletion).then_some(30),
                policy,
                tags: k.tags.clone(),
                rotation,
                current_version: 1,
                aws_service: None,
            });
            for alias in &k.aliases {
                w.insert_alias(&account, &region, alias, &key_id);
            }
        }
        for g in &f.grants {
            let Some(karn) = self.key_arn_in(&w, &g.key) else { continue };
            let Some(key) = w.key(&karn).cloned() else { continue };
            let (grant_id, _token) = w.with_hsm(|h| (h.new_grant_id(), h.new_token()));
            let c = g.constraints.clone().unwrap_or_default();
            let grant = Grant {
                grant_id,
                name: g.name.clone(),
                key_arn: karn.clone(),
                grantee_principal: self.resolve_grantee(&g.grantee),
                retiring_principal: g.retiring_principal.as_deref().map(|p| self.resolve_grantee(p)),
                issuing_account: key.account.clone(),
                operations: g.operations.iter().cloned().collect(),
                constraints: GrantConstraints {
                    encryption_context_subset: c.encryption_context_subset,
                    encryption_context_equals: c.encryption_context_equals,
                },
                creation_date: start,
                effective_from: start,
                created_by: format!("arn:{partition}:iam::{}:root", key.account),
                parent_grant: None,
                token_hashes: Vec::new(),
            };
            if let Some(s) = w.grants_mut(&karn) {
                s.insert(grant);
            }
        }
        w
    }

    fn key_arn_in(&self, w: &World, name: &str) -> Option<String> {
        let k = self.file.keys.get(name)?;
        let account = k.account.clone().or_else(|| self.file.accounts.keys().next().cloned())?;
        match &k.key_id {
            Some(id) => Some(key_arn(&w.config.partition, &w.config.region, &account, id)),
            None => {
                // Generated ids are drawn first, in key-name order, when the world is built.
                let pos = self.file.keys.iter().filter(|(_, s)| s.key_id.is_none()).position(|(n, _)| n == name)?;
                self.generated_order(w).get(pos).cloned()
            }
        }
    }

    /// ARNs of generated keys in the order they were created (the world's HSM draws ids in key-name order).
    fn generated_order(&self, w: &World) -> Vec<String> {
        let mut hsm = Hsm::new(w.seed());
        let mut out = Vec::new();
        let region = &w.config.region;
        let default_account = self.file.accounts.keys().next().cloned().unwrap_or_default();
        for k in self.file.keys.values() {
            if k.key_id.is_none() {
                let id = hsm.new_key_id();
                let account = k.account.clone().unwrap_or_else(|| default_account.clone());
                out.push(key_arn(&w.config.partition, region, &account, &id));
            }
        }
        out
    }

    /// Resolves a short principal name (`user/alice`, `role/App`, `root`, `ACCOUNT:user/x`) to an ARN. Full ARNs and
    /// service principals pass through.
    pub fn resolve_principal(&self, p: &str) -> String {
        resolve_principal(p, self.file.accounts.keys().next().map(String::as_str).unwrap_or("111122223333"))
    }

    /// Resolves a grantee or retiring principal: like [`Scenario::resolve_principal`], but `role/NAME` names the role
    /// itself (a grant to a role applies to all of its sessions), not one session.
    pub fn resolve_grantee(&self, p: &str) -> String {
        let default_account = self.file.accounts.keys().next().map(String::as_str).unwrap_or("111122223333");
        let (account, rest) = match p.split_once(':') {
            Some((a, r)) if crate::ids::is_account_id(a) => (a, r),
            _ => (default_account, p),
        };
        match rest.strip_prefix("role/") {
            Some(role) if !p.starts_with("arn:") && !role.contains('/') => {
                format!("arn:aws:iam::{account}:role/{role}")
            }
            _ => self.resolve_principal(p),
        }
    }

    /// The ARN of a key of the world by its local name.
    pub fn key_arn(&self, w: &World, name: &str) -> Option<String> {
        self.key_arn_in(w, name)
    }

    /// Runs every step and checks the expectations.
    pub fn run(&self, seed_if_missing: u64, trace: bool) -> ScenarioRun {
        let mut world = self.build_world(seed_if_missing);
        let mut named: BTreeMap<String, J> = BTreeMap::new();
        let mut steps = Vec::new();
        for (i, s) in self.file.steps.iter().enumerate() {
            let r = self.run_step(&mut world, &mut named, i, s, trace);
            steps.push(r);
        }
        let passed = steps.iter().all(|s| s.error.is_none() && s.expectations.iter().all(|e| e.held));
        ScenarioRun { title: self.file.title.clone(), seed: world.seed().0, steps, passed, world }
    }

    /// Runs one step against a world (the playground runs steps one at a time).
    pub fn run_step(
        &self,
        world: &mut World,
        named: &mut BTreeMap<String, J>,
        index: usize,
        s: &StepSpec,
        trace: bool,
    ) -> StepResult {
        let mut r = StepResult {
            index,
            name: s.name.clone(),
            summary: String::new(),
            call: None,
            authorization: None,
            events: Vec::new(),
            expectations: Vec::new(),
            error: None,
        };
        if let Some(adv) = &s.advance {
            let d = Duration { days: adv.days, hours: adv.hours, minutes: adv.minutes, seconds: adv.seconds };
            match world.advance(d) {
                Ok(events) => r.events = events,
                Err(e) => r.error = Some(e.message),
            }
            r.summary = format!("advance the clock to {}", world.now());
            if let Some(want) = s.expect.as_ref().and_then(|e| e.events.clone()) {
                let got: Vec<String> = r.events.iter().map(|e| e.event_name.clone()).collect();
                r.expectations.push(Expectation {
                    what: "service events".into(),
                    expected: want.join(", "),
                    actual: got.join(", "),
                    held: got == want,
                });
            }
            if let Some(n) = &s.name {
                named.insert(n.clone(), serde_json::to_value(&r.events).unwrap_or(J::Null));
            }
            return r;
        }
        let caller_name =
            s.caller.clone().or_else(|| s.authorize.as_ref().map(|a| a.caller.clone())).unwrap_or_default();
        let mut caller = Caller::new(self.resolve_principal(&caller_name));
        caller.trace = trace;
        caller.via_service = s.via.clone();
        caller.mfa = s.mfa.unwrap_or(false);
        caller.mfa_age_seconds = s.mfa_age_seconds;
        caller.credentials = match s.credentials.as_deref() {
            Some("long-term") => Some(Credentials::LongTerm),
            Some("temporary") => Some(Credentials::Temporary),
            _ => None,
        };
        caller.source_ip = s.source_ip.clone();
        caller.session_tags = s.session_tags.clone();
        caller.session_policy = self.policies.get(&format!("/steps/{index}/session_policy")).cloned();
        if let Some(c) = &s.context {
            match serde_json::from_value::<Context>(c.clone()) {
                Ok(c) => caller.context = c,
                Err(e) => {
                    r.error = Some(format!("invalid context: {e}"));
                    return r;
                }
            }
        }
        if let Some(a) = &s.authorize {
            let resource = match self.substitute(world, named, &a.resource) {
                Ok(J::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(e) => {
                    r.error = Some(e);
                    return r;
                }
            };
            r.summary = format!("may {} perform {} on {}?", caller.principal, a.action, resource);
            match world.simulate(&caller, &a.action, &resource, a.encryption_context.as_ref()) {
                Ok(t) => {
                    if let Some(e) = &s.expect {
                        check_authz(e, &t, &mut r.expectations);
                    }
                    if let Some(n) = &s.name {
                        named.insert(n.clone(), serde_json::json!({ "Decision": t.decision }));
                    }
                    r.authorization = Some(t);
                }
                Err(e) => r.error = Some(e.to_string()),
            }
            return r;
        }
        let Some(op) = &s.call else {
            r.error = Some("the step has no `call`, `authorize` or `advance`".into());
            return r;
        };
        let params = match self.substitute(world, named, s.params.as_ref().unwrap_or(&J::Null)) {
            Ok(p) => p,
            Err(e) => {
                r.error = Some(e);
                return r;
            }
        };
        let params = self.policy_params(index, params);
        r.summary = format!("{} calls {op}", caller.principal);
        let request = match KmsRequest::from_parts(op, params) {
            Ok(req) => req,
            Err(e) => {
                r.error = Some(e.message);
                return r;
            }
        };
        let out = world.call(&caller, &request);
        if let (Some(n), Ok(resp)) = (&s.name, &out.response) {
            named.insert(n.clone(), resp.clone());
        }
        if let Some(e) = &s.expect {
            self.check_call(e, &out, world, &mut r.expectations);
        }
        r.call = Some(out);
        r
    }

    /// Policy parameters written as JSON objects become the policy text the API expects.
    fn policy_params(&self, index: usize, mut params: J) -> J {
        if let Some(J::Object(_)) = params.get("Policy") {
            if let Some(p) = self.policies.get(&format!("/steps/{index}/params/Policy")) {
                if let Some(o) = params.as_object_mut() {
                    o.insert("Policy".into(), J::String(p.source().to_string()));
                }
            }
        }
        params
    }

    fn substitute(&self, world: &World, named: &BTreeMap<String, J>, v: &J) -> Result<J, String> {
        Ok(match v {
            J::Object(m) if m.len() == 1 && m.contains_key("$ref") => {
                let path = m.get("$ref").and_then(J::as_str).unwrap_or("");
                let mut parts = path.split('.');
                let step = parts.next().unwrap_or("");
                let mut cur = named
                    .get(step)
                    .ok_or_else(|| format!("`$ref` names step `{step}`, which has not run or has no response"))?;
                for p in parts {
                    cur = match cur {
                        J::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
                        other => other.get(p),
                    }
                    .ok_or_else(|| format!("`$ref` `{path}`: the response has no `{p}`"))?;
                }
                cur.clone()
            }
            J::Object(m) if m.len() == 1 && (m.contains_key("$key") || m.contains_key("$keyId")) => {
                let (field, name) =
                    m.iter().next().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or(""))).unwrap_or(("", ""));
                let arn = self
                    .key_arn_in(world, name)
                    .ok_or_else(|| format!("`{field}` names key `{name}`, which is not in `keys`"))?;
                if field == "$keyId" {
                    J::String(arn.rsplit('/').next().unwrap_or("").to_string())
                } else {
                    J::String(arn)
                }
            }
            J::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.substitute(world, named, v)?);
                }
                J::Object(out)
            }
            J::Array(a) => J::Array(a.iter().map(|x| self.substitute(world, named, x)).collect::<Result<_, _>>()?),
            other => other.clone(),
        })
    }

    fn check_call(&self, e: &ExpectSpec, out: &CallOutcome, world: &World, ex: &mut Vec<Expectation>) {
        let actual = match &out.response {
            Ok(_) => "success".to_string(),
            Err(err) => err.code.as_str().to_string(),
        };
        if let Some(want) = &e.outcome {
            ex.push(Expectation {
                what: "outcome".into(),
                expected: want.clone(),
                actual: actual.clone(),
                held: want == &actual,
            });
        }
        if let Some(want) = &e.statement {
            let got = deciding_statements(&out.trace.authorizations);
            ex.push(Expectation {
                what: "deciding statement".into(),
                expected: want.clone(),
                actual: got.join(", "),
                held: got.iter().any(|g| g == want),
            });
        }
        if let Some(want) = &e.grant {
            let got: Vec<String> = out
                .trace
                .authorizations
                .iter()
                .filter_map(|a| match &a.decided_by {
                    crate::trace::DecidedBy::Grant { grant_id } => Some(grant_id.clone()),
                    _ => None,
                })
                .collect();
            let names: Vec<String> = got
                .iter()
                .map(|id| {
                    world
                        .key_entries()
                        .find_map(|e| e.grants.get(id))
                        .and_then(|g| g.name.clone())
                        .unwrap_or_else(|| id.clone())
                })
                .collect();
            let held = got.iter().chain(names.iter()).any(|g| g == want);
            ex.push(Expectation {
                what: "allowing grant".into(),
                expected: want.clone(),
                actual: names.join(", "),
                held,
            });
        }
        if let Some(want) = &e.message_contains {
            let msg = out.response.as_ref().err().map(|e| e.message.clone()).unwrap_or_default();
            ex.push(Expectation {
                what: "error message".into(),
                expected: format!("contains `{want}`"),
                actual: msg.clone(),
                held: msg.contains(want.as_str()),
            });
        }
        for (path, want) in &e.response {
            let got = out
                .response
                .as_ref()
                .ok()
                .and_then(|r| path.split('.').try_fold(r, |cur, p| cur.get(p)))
                .cloned()
                .unwrap_or(J::Null);
            ex.push(Expectation {
                what: format!("response {path}"),
                expected: want.to_string(),
                actual: got.to_string(),
                held: &got == want,
            });
        }
    }
}

fn check_authz(e: &ExpectSpec, t: &AuthzTrace, ex: &mut Vec<Expectation>) {
    use kmsim_policy::Decision;
    let actual = match t.decision {
        Decision::Allow => "allow",
        Decision::ExplicitDeny => "explicit-deny",
        Decision::ImplicitDeny => "implicit-deny",
    };
    if let Some(want) = &e.outcome {
        let held = want == actual || (want == "deny" && actual != "allow");
        ex.push(Expectation { what: "decision".into(), expected: want.clone(), actual: actual.into(), held });
    }
    if let Some(want) = &e.statement {
        let got = deciding_statements(std::slice::from_ref(t));
        ex.push(Expectation {
            what: "deciding statement".into(),
            expected: want.clone(),
            actual: got.join(", "),
            held: got.iter().any(|g| g == want),
        });
    }
}

/// The Sids (or `#N`) of the statements that decided each authorization.
pub fn deciding_statements(auths: &[AuthzTrace]) -> Vec<String> {
    use crate::trace::{DecidedBy, StatementId};
    let mut out = Vec::new();
    for a in auths {
        match &a.decided_by {
            // The root user's allow has no identity statement: an empty label, as before statements were data.
            DecidedBy::Identity { statement: None } => out.push(String::new()),
            d => out.extend(d.statements().map(StatementId::label)),
        }
    }
    out
}

/// The result of running a scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ScenarioRun {
    pub title: String,
    // The JS layer writes integers beyond 2^53 as decimal strings.
    #[cfg_attr(feature = "ts", tsify(type = "number | string"))]
    pub seed: u64,
    pub steps: Vec<StepResult>,
    /// Every step ran and every expectation held.
    pub passed: bool,
    pub world: World,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StepResult {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<AuthzTrace>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<AuditRecord>,
    pub expectations: Vec<Expectation>,
    /// The step could not run (an unresolved `$ref`, bad parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One expectation and whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Expectation {
    pub what: String,
    pub expected: String,
    pub actual: String,
    pub held: bool,
}

/// Resolves a short principal name against a default account.
pub fn resolve_principal(p: &str, default_account: &str) -> String {
    if p.starts_with("arn:") || p.contains(".amazonaws.com") || p == "*" {
        return p.to_string();
    }
    let (account, rest) = match p.split_once(':') {
        Some((a, r)) if crate::ids::is_account_id(a) => (a, r),
        _ => (default_account, p),
    };
    if rest == "root" {
        return format!("arn:aws:iam::{account}:root");
    }
    if let Some(u) = rest.strip_prefix("user/") {
        return format!("arn:aws:iam::{account}:user/{u}");
    }
    if let Some(r) = rest.strip_prefix("role/") {
        let mut parts = r.splitn(2, '/');
        let role = parts.next().unwrap_or("");
        let session = parts.next().unwrap_or("session");
        return format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
    }
    p.to_string()
}

// ---- helpers ---------------------------------------------------------------------------------------------------

fn err(lines: &LineIndex<'_>, pos: json::Pos, path: &str, message: String, help: Option<String>) -> ScenarioError {
    ScenarioError { message, help, span: lines.span(pos, path) }
}

fn slice_of<'a>(source: &'a str, n: &Node) -> &'a str {
    source.get(n.pos.offset..n.pos.offset + n.pos.len).unwrap_or("")
}

/// serde_json's reader of a text (what `serde_json::from_str` uses).
type JsonReader<'a> = serde_json::Deserializer<serde_json::de::StrRead<'a>>;

/// Deserialises a subtree with `read` (as `serde_json::from_str` would: the value, then only whitespace), mapping
/// serde's error position into the file. Not generic, so the error mapping is in the bundle once, not once per type.
fn typed(
    text: &str,
    lines: &LineIndex<'_>,
    node: &Node,
    path: &str,
    read: &mut dyn FnMut(&mut JsonReader<'_>) -> Result<(), serde_json::Error>,
) -> Result<(), ScenarioError> {
    let mut de = serde_json::Deserializer::from_str(text);
    read(&mut de).and_then(|()| de.end()).map_err(|e| {
        let (l, c) = (e.line(), e.column());
        // serde's line/column are relative to the slice; find the byte offset in the slice and add the node's.
        let mut offset = 0usize;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            if i + 1 == l {
                offset += line.char_indices().nth(c.saturating_sub(1)).map(|(b, _)| b).unwrap_or(0);
                break;
            }
            offset += line.len();
        }
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        err(lines, json::Pos { offset: node.pos.offset + offset, len: 1 }, path, msg, None)
    })
}

fn validate_step(s: &StepSpec, lines: &LineIndex<'_>, node: &Node, path: &str, errors: &mut Vec<ScenarioError>) {
    let kinds = [s.call.is_some(), s.authorize.is_some(), s.advance.is_some()].iter().filter(|b| **b).count();
    if kinds != 1 {
        errors.push(err(
            lines,
            node.pos,
            path,
            "a step needs exactly one of `call`, `authorize` or `advance`".into(),
            None,
        ));
    }
    if let Some(op) = &s.call {
        if !crate::api::OPERATIONS.contains(&op.as_str()) {
            let help = kmsim_policy::suggest(op, crate::api::OPERATIONS).map(|c| format!("did you mean `{c}`?"));
            let pos = find(node, &["call"]).map(|n| n.pos).unwrap_or(node.pos);
            errors.push(err(lines, pos, &format!("{path}/call"), format!("unknown operation `{op}`"), help));
        }
        if s.caller.is_none() {
            errors.push(err(
                lines,
                node.pos,
                path,
                format!("the `{op}` call needs a caller: add `\"as\"`"),
                Some("e.g. \"as\": \"role/App\"".into()),
            ));
        }
    }
    if let Some(e) = &s.expect {
        if let Some(o) = &e.outcome {
            let ok = if s.authorize.is_some() {
                ["allow", "deny", "explicit-deny", "implicit-deny"].contains(&o.as_str())
            } else {
                o == "success" || ErrorCode::parse(o).is_some()
            };
            if !ok {
                let pos = find(node, &["expect", "outcome"]).map(|n| n.pos).unwrap_or(node.pos);
                let help = if s.authorize.is_some() {
                    "one of allow, deny, explicit-deny, implicit-deny".to_string()
                } else {
                    "`success` or an AWS error code such as AccessDeniedException".to_string()
                };
                errors.push(err(
                    lines,
                    pos,
                    &format!("{path}/expect/outcome"),
                    format!("unknown outcome `{o}`"),
                    Some(help),
                ));
            }
        }
    }
}

fn find<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    let mut cur = node;
    for k in keys {
        let Json::Object(ms) = &cur.value else { return None };
        cur = &ms.iter().find(|m| m.key == *k)?.value;
    }
    Some(cur)
}

fn key_pos(node: &Node, key: &str) -> Option<json::Pos> {
    let Json::Object(ms) = &node.value else { return None };
    ms.iter().find(|m| m.key == key).map(|m| m.key_pos)
}

fn index(node: &Node, i: usize) -> Option<&Node> {
    let Json::Array(a) = &node.value else { return None };
    a.get(i)
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(J::String(s.to_string())).ok()
}

/// Finds every policy document in the file and compiles it, mapping its errors into the file.
fn collect_policies(
    root: &Node,
    source: &str,
    lines: &LineIndex<'_>,
    out: &mut BTreeMap<String, NamedPolicy>,
    errors: &mut Vec<ScenarioError>,
) {
    let mut found: Vec<(String, String, PolicyType, &Node)> = Vec::new();
    if let Some(Json::Object(accts)) = find(root, &["accounts"]).map(|n| &n.value) {
        for a in accts {
            let ap = format!("/accounts/{}", json::escape_pointer(&a.key));
            for kind in ["users", "roles"] {
                if let Some(Json::Object(ps)) = find(&a.value, &[kind]).map(|n| &n.value) {
                    for p in ps {
                        let pp = format!("{ap}/{kind}/{}", json::escape_pointer(&p.key));
                        if let Some(Json::Object(pols)) = find(&p.value, &["policies"]).map(|n| &n.value) {
                            for pol in pols {
                                found.push((
                                    format!("{pp}/policies/{}", json::escape_pointer(&pol.key)),
                                    pol.key.clone(),
                                    PolicyType::Identity,
                                    &pol.value,
                                ));
                            }
                        }
                        if let Some(b) = find(&p.value, &["permissions_boundary"]) {
                            found.push((
                                format!("{pp}/permissions_boundary"),
                                "permissions-boundary".into(),
                                PolicyType::PermissionsBoundary,
                                b,
                            ));
                        }
                    }
                }
            }
            if let Some(Json::Object(scps)) = find(&a.value, &["scps"]).map(|n| &n.value) {
                for s in scps {
                    found.push((
                        format!("{ap}/scps/{}", json::escape_pointer(&s.key)),
                        s.key.clone(),
                        PolicyType::Scp,
                        &s.value,
                    ));
                }
            }
        }
    }
    if let Some(Json::Object(keys)) = find(root, &["keys"]).map(|n| &n.value) {
        for k in keys {
            if let Some(p) = find(&k.value, &["policy"]) {
                found.push((
                    format!("/keys/{}/policy", json::escape_pointer(&k.key)),
                    "default".into(),
                    PolicyType::Resource,
                    p,
                ));
            }
        }
    }
    if let Some(Json::Array(steps)) = find(root, &["steps"]).map(|n| &n.value) {
        for (i, s) in steps.iter().enumerate() {
            if let Some(p) = find(s, &["session_policy"]) {
                found.push((format!("/steps/{i}/session_policy"), "session".into(), PolicyType::Session, p));
            }
            if let Some(p) = find(s, &["params", "Policy"]) {
                if matches!(p.value, Json::Object(_)) {
                    found.push((format!("/steps/{i}/params/Policy"), "default".into(), PolicyType::Resource, p));
                }
            }
        }
    }
    for (path, name, ty, node) in found {
        let (text, base) = match &node.value {
            Json::Object(_) => (slice_of(source, node).to_string(), Some(node.pos.offset)),
            Json::String(s) => (s.clone(), None),
            _ => {
                errors.push(err(
                    lines,
                    node.pos,
                    &path,
                    format!("a policy must be a JSON object or a string, found {}", node.type_name()),
                    None,
                ));
                continue;
            }
        };
        match NamedPolicy::parse(name, &text, ty) {
            Ok(p) => {
                out.insert(path, p);
            }
            Err(errs) => {
                for e in errs.errors {
                    errors.push(map_policy_error(e, base, node, lines, &path));
                }
            }
        }
    }
}

/// Moves a policy error's location from the policy's own text into the scenario file.
fn map_policy_error(
    e: PolicyError,
    base: Option<usize>,
    node: &Node,
    lines: &LineIndex<'_>,
    path: &str,
) -> ScenarioError {
    let (pos, sub) = match base {
        Some(b) => {
            (json::Pos { offset: b + e.span.offset as usize, len: e.span.len as usize }, e.span.path.to_string())
        }
        // A policy written as a JSON string: point at the string.
        None => (node.pos, String::new()),
    };
    let full_path = format!("{path}{sub}");
    let prefix = if base.is_none() {
        format!("in the policy text (line {}, column {}): ", e.span.line, e.span.column)
    } else {
        String::new()
    };
    ScenarioError { message: format!("{prefix}{}", e.message), help: e.help, span: lines.span(pos, &full_path) }
}
