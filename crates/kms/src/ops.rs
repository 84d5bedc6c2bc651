//! The API operations. Each call runs in AWS's order: parameter validation, key lookup, authorization, key state,
//! key usage, then the work itself (cryptography last). Every call gets one [`CallTrace`] and one audit record.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use kmsim_policy::{Context, ContextValue, Decision, Principal, PrincipalKind, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::api::*;

/// `json!` for an object whose members are strings, numbers, booleans, options, arrays and JSON values: the same
/// object (members in the same order, `None` as `null`) without `json!`'s `to_value(..).unwrap()` per member, which
/// makes the browser bundle smaller.
macro_rules! obj {
    ({ $($k:literal: $v:expr),* $(,)? }) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $(m.insert($k.to_string(), ToJson::to_json(&$v));)*
        Json::Object(m)
    }};
}

/// What `serde_json::to_value` makes of the plain types [`obj!`] takes (it cannot fail for them).
trait ToJson {
    fn to_json(&self) -> Json;
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Json {
        (**self).to_json()
    }
}

impl ToJson for str {
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json {
        Json::String(self.clone())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Json {
        Json::Bool(*self)
    }
}

impl ToJson for Json {
    fn to_json(&self) -> Json {
        self.clone()
    }
}

macro_rules! to_json_number {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                Json::Number((*self).into())
            }
        }
    )*};
}
to_json_number!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json {
        self.as_ref().map_or(Json::Null, T::to_json)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self) -> Json {
        Json::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

/// Types with a `Serialize` that cannot fail: through serde, as `json!` does.
macro_rules! to_json_serialize {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                serde_json::to_value(self).unwrap_or(Json::Null)
            }
        }
    )*};
}
to_json_serialize!(crate::clock::Timestamp, crate::grant::GrantConstraints);

impl<T: ToJson> ToJson for BTreeSet<T> {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}
use crate::authz::{access_denied_message, authorize, AuthzInput, GrantCheck, Target};
use crate::clock::SECOND;
use crate::error::{ErrorCode, KmsError};
use crate::grant::{Grant, EC_OPERATIONS, GRANT_OPERATIONS};
use crate::hsm::{EncryptionContext, Hsm};
use crate::ids::{alias_arn, key_arn, validate_alias_name, KeyIdentifier};
use crate::key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin, Rotation};
use crate::keystate;
use crate::policy::{default_key_policy, NamedPolicy};
use crate::principal::Caller;
use crate::trace::{AuthzTrace, CallTrace, Check, CheckKind, Outcome};
use crate::world::World;

/// What a call returns: AWS's response (or error) and the trace that explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CallOutcome {
    /// The response body as AWS returns it (AWS JSON names), or the error.
    #[cfg_attr(feature = "ts", tsify(type = "{ Ok: Record<string, unknown> } | { Err: KmsError }"))]
    pub response: Result<Json, KmsError>,
    pub trace: CallTrace,
    /// The audit record's event id.
    pub event_id: String,
}

impl CallOutcome {
    pub fn is_success(&self) -> bool {
        self.response.is_ok()
    }
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.response.as_ref().err().map(|e| e.code)
    }
}

/// Per-call bookkeeping.
struct Cx {
    authorizations: Vec<AuthzTrace>,
    checks: Vec<Check>,
    request_parameters: Option<Json>,
    additional: Option<Json>,
    resources: Vec<(String, String)>,
    response_log: Option<Json>,
}

impl Cx {
    fn check(&mut self, kind: CheckKind, passed: bool, detail: impl Into<String>) {
        self.checks.push(Check { kind, passed, detail: detail.into() });
    }
    fn resource(&mut self, key: &Key) {
        if !self.resources.iter().any(|(_, a)| a == &key.arn) {
            self.resources.push((key.account.clone(), key.arn.clone()));
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn caller_account(caller: &Caller) -> String {
    Principal::from_arn(&caller.principal).account.unwrap_or_default()
}

/// kms:EncryptionContext:* and kms:EncryptionContextKeys for a context.
fn ec_context(c: &mut Context, ec: &EncryptionContext) {
    for (k, v) in ec {
        c.insert_string(format!("kms:EncryptionContext:{k}"), v.clone());
    }
    if !ec.is_empty() {
        c.insert(
            "kms:EncryptionContextKeys",
            ContextValue::Multi(ec.keys().map(|k| Value::String(k.clone())).collect()),
        );
    }
}

impl World {
    /// Runs one API call as `caller`.
    pub fn call(&mut self, caller: &Caller, request: &KmsRequest) -> CallOutcome {
        let mut cx = Cx {
            authorizations: Vec::new(),
            checks: Vec::new(),
            request_parameters: None,
            additional: None,
            resources: Vec::new(),
            response_log: None,
        };
        let op = request.operation();
        let result = match self.resolve_caller(caller) {
            Err(e) => Err(e),
            Ok(_) => self.dispatch(&mut cx, caller, request),
        };
        let rc_account = Principal::from_arn(&caller.principal).account;
        let event_id = self.record_call(
            caller,
            rc_account,
            op,
            cx.request_parameters.clone(),
            cx.response_log.clone(),
            cx.additional.clone(),
            cx.resources.clone(),
            result.as_ref().err(),
        );
        let outcome = match &result {
            Ok(_) => Outcome::Success,
            Err(e) => Outcome::Error { code: e.code, message: e.message.clone() },
        };
        CallOutcome {
            response: result,
            trace: CallTrace {
                operation: op.to_string(),
                caller: caller.principal.clone(),
                authorizations: cx.authorizations,
                checks: cx.checks,
                outcome,
            },
            event_id,
        }
    }

    /// An authorization question without executing anything (like the IAM policy simulator): may `caller` perform
    /// `action` on `resource` (a key ARN, an alias ARN or `*`) with these extra context keys?
    pub fn simulate(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        ec: Option<&EncryptionContext>,
    ) -> Result<AuthzTrace, KmsError> {
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        if let Some(ec) = ec {
            ec_context(&mut context, ec);
        }
        let action = if action.contains(':') { action.to_string() } else { format!("kms:{action}") };
        let op = action.split(':').nth(1).unwrap_or("").to_string();
        let target = match self.keys.get(resource) {
            Some(entry) => {
                self.key_context(&mut context, &entry.key);
                Target::Key(&entry.key, &entry.grants)
            }
            None => Target::Resource(resource.to_string()),
        };
        let grant_op = GRANT_OPERATIONS.contains(&op.as_str()).then_some(op.as_str());
        let trace = authorize(
            &rc,
            AuthzInput {
                action: action.clone(),
                target,
                context,
                grant: grant_op.map(|operation| GrantCheck { operation, ec, token_grants: &[] }),
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        Ok(trace)
    }

    fn dispatch(&mut self, cx: &mut Cx, caller: &Caller, request: &KmsRequest) -> Result<Json, KmsError> {
        match request {
            KmsRequest::CreateKey(r) => self.create_key(cx, caller, r),
            KmsRequest::DescribeKey(r) => self.describe_key(cx, caller, r),
            KmsRequest::ListKeys(r) => self.list_keys(cx, caller, r),
            KmsRequest::UpdateKeyDescription(r) => self.update_key_description(cx, caller, r),
            KmsRequest::EnableKey(r) => self.enable_disable(cx, caller, "EnableKey", &r.key_id, true),
            KmsRequest::DisableKey(r) => self.enable_disable(cx, caller, "DisableKey", &r.key_id, false),
            KmsRequest::ScheduleKeyDeletion(r) => self.schedule_key_deletion(cx, caller, r),
            KmsRequest::CancelKeyDeletion(r) => self.cancel_key_deletion(cx, caller, r),
            KmsRequest::GetKeyPolicy(r) => self.get_key_policy(cx, caller, r),
            KmsRequest::PutKeyPolicy(r) => self.put_key_policy(cx, caller, r),
            KmsRequest::ListKeyPolicies(r) => self.list_key_policies(cx, caller, r),
            KmsRequest::CreateAlias(r) => self.create_alias(cx, caller, r),
            KmsRequest::UpdateAlias(r) => self.update_alias(cx, caller, r),
            KmsRequest::DeleteAlias(r) => self.delete_alias(cx, caller, r),
            KmsRequest::ListAliases(r) => self.list_aliases(cx, caller, r),
            KmsRequest::TagResource(r) => self.tag_resource(cx, caller, r),
            KmsRequest::UntagResource(r) => self.untag_resource(cx, caller, r),
            KmsRequest::ListResourceTags(r) => self.list_resource_tags(cx, caller, r),
            KmsRequest::EnableKeyRotation(r) => self.enable_key_rotation(cx, caller, r),
            KmsRequest::DisableKeyRotation(r) => self.disable_key_rotation(cx, caller, r),
            KmsRequest::GetKeyRotationStatus(r) => self.get_key_rotation_status(cx, caller, r),
            KmsRequest::RotateKeyOnDemand(r) => self.rotate_key_on_demand(cx, caller, r),
            KmsRequest::ListKeyRotations(r) => self.list_key_rotations(cx, caller, r),
            KmsRequest::Encrypt(r) => self.encrypt(cx, caller, r),
            KmsRequest::Decrypt(r) => self.decrypt(cx, caller, r),
            KmsRequest::ReEncrypt(r) => self.re_encrypt(cx, caller, r),
            KmsRequest::GenerateDataKey(r) => self.generate_data_key(
                cx,
                caller,
                &r.key_id,
                r.key_spec.as_deref(),
                r.number_of_bytes,
                r.encryption_context.as_ref(),
                r.grant_tokens.as_deref(),
                r.dry_run,
                true,
            ),
            KmsRequest::GenerateDataKeyWithoutPlaintext(r) => self.generate_data_key(
                cx,
                caller,
                &r.key_id,
                r.key_spec.as_deref(),
                r.number_of_bytes,
                r.encryption_context.as_ref(),
                r.grant_tokens.as_deref(),
                r.dry_run,
                false,
            ),
            KmsRequest::GenerateRandom(r) => self.generate_random(cx, caller, r),
            KmsRequest::CreateGrant(r) => self.create_grant(cx, caller, r),
            KmsRequest::ListGrants(r) => self.list_grants(cx, caller, r),
            KmsRequest::ListRetirableGrants(r) => self.list_retirable_grants(cx, caller, r),
            KmsRequest::RetireGrant(r) => self.retire_grant(cx, caller, r),
            KmsRequest::RevokeGrant(r) => self.revoke_grant(cx, caller, r),
        }
    }

    // ---- shared steps --------------------------------------------------------------------------------------------

    /// Finds a key, enforcing that another account's key is named by ARN.
    fn lookup(&self, cx: &mut Cx, caller: &Caller, key_id: &str) -> Result<(Key, KeyIdentifier), KmsError> {
        let account = caller_account(caller);
        match self.find_key(key_id, &account) {
            Ok((arn, ident)) => {
                let key = self
                    .key(&arn)
                    .cloned()
                    .ok_or_else(|| KmsError::not_found(format!("Key '{arn}' does not exist")))?;
                cx.check(CheckKind::KeyLookup, true, format!("`{key_id}` names {}", key.arn));
                cx.resource(&key);
                Ok((key, ident))
            }
            Err(e) => {
                cx.check(CheckKind::KeyLookup, false, e.message.clone());
                Err(e)
            }
        }
    }

    /// Authorizes `action` on `key`, adding the authorization to the trace. `extra` adds request-specific context.
    #[allow(clippy::too_many_arguments)]
    fn authorize_key(
        &self,
        cx: &mut Cx,
        caller: &Caller,
        action: &str,
        key: &Key,
        ident: Option<&KeyIdentifier>,
        ec: Option<&EncryptionContext>,
        grant_tokens: Option<&[String]>,
        extra: impl FnOnce(&mut Context),
    ) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        self.key_context(&mut context, key);
        if let Some(alias) = ident.and_then(KeyIdentifier::alias_name) {
            context.insert_string("kms:RequestAlias", alias.to_string());
        }
        if let Some(ec) = ec {
            ec_context(&mut context, ec);
        }
        extra(&mut context);
        for (k, v) in caller.context.iter() {
            context.insert(k.to_string(), v.clone());
        }
        let op = action.trim_start_matches("kms:");
        let token_grants = self.token_grants(key, grant_tokens);
        // Borrowed, never cloned: a key may hold 50,000 grants and authorization must not pay for them.
        let no_grants = crate::grant::GrantStore::default();
        let grants = self.grants(&key.arn).unwrap_or(&no_grants);
        let grant_op = GRANT_OPERATIONS.contains(&op).then_some(op);
        let takes_ec = EC_OPERATIONS.contains(&op);
        let empty = EncryptionContext::new();
        let trace = authorize(
            &rc,
            AuthzInput {
                action: action.to_string(),
                target: Target::Key(key, grants),
                context,
                grant: grant_op.map(|operation| GrantCheck {
                    operation,
                    ec: if takes_ec { Some(ec.unwrap_or(&empty)) } else { None },
                    token_grants: &token_grants,
                }),
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        let allowed = trace.decision == Decision::Allow;
        let message = access_denied_message(&caller.principal, &trace);
        cx.authorizations.push(trace);
        if allowed {
            Ok(())
        } else {
            Err(KmsError::new(ErrorCode::AccessDeniedException, message))
        }
    }

    /// Authorizes an action that has no key resource (or an alias resource): identity policies only.
    fn authorize_identity(
        &self,
        cx: &mut Cx,
        caller: &Caller,
        action: &str,
        resource: &str,
        extra: impl FnOnce(&mut Context),
    ) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        extra(&mut context);
        for (k, v) in caller.context.iter() {
            context.insert(k.to_string(), v.clone());
        }
        let trace = authorize(
            &rc,
            AuthzInput {
                action: action.to_string(),
                target: Target::Resource(resource.to_string()),
                context,
                grant: None,
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        let allowed = trace.decision == Decision::Allow;
        let message = access_denied_message(&caller.principal, &trace);
        cx.authorizations.push(trace);
        if allowed {
            Ok(())
        } else {
            Err(KmsError::new(ErrorCode::AccessDeniedException, message))
        }
    }

    /// The grant ids whose tokens were presented (valid tokens of grants on this key).
    fn token_grants(&self, key: &Key, tokens: Option<&[String]>) -> Vec<String> {
        let Some(tokens) = tokens else { return Vec::new() };
        let Some(store) = self.grants(&key.arn) else { return Vec::new() };
        let mut ids: Vec<String> =
            tokens.iter().filter_map(|t| store.by_token_hash(&token_hash(t))).map(|g| g.grant_id.clone()).collect();
        ids.dedup();
        ids
    }

    fn state(&self, cx: &mut Cx, op: &str, key: &Key) -> Result<bool, KmsError> {
        match keystate::check(op, key.state, &key.arn) {
            Ok(proceed) => {
                cx.check(CheckKind::KeyState, true, format!("key state {} allows {op}", key.state.as_str()));
                Ok(proceed)
            }
            Err(e) => {
                cx.check(CheckKind::KeyState, false, format!("key state {}: {}", key.state.as_str(), e));
                Err(e)
            }
        }
    }

    fn usage(&self, cx: &mut Cx, op: &str, key: &Key) -> Result<(), KmsError> {
        if key.key_usage == KeyUsage::ENCRYPT_DECRYPT && key.key_spec.is_symmetric() {
            cx.check(
                CheckKind::KeyUsage,
                true,
                format!("key usage ENCRYPT_DECRYPT ({}) allows {op}", key.key_spec.as_str()),
            );
            return Ok(());
        }
        let e = if key.key_usage == KeyUsage::ENCRYPT_DECRYPT {
            // Asymmetric ENCRYPT_DECRYPT keys: no data keys, and this version has no RSA cryptography.
            KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!(
                    "{} key spec {} is not supported for {op} in this simulator version.",
                    key.arn,
                    key.key_spec.as_str()
                ),
            )
        } else {
            KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} key usage is {} which is not valid for {op}.", key.arn, key.key_usage.as_str()),
            )
        };
        cx.check(CheckKind::KeyUsage, false, e.message.clone());
        Err(e)
    }

    fn dry_run(&self, cx: &mut Cx, dry: Option<bool>) -> Result<(), KmsError> {
        if dry == Some(true) {
            cx.check(CheckKind::Parameters, true, "DryRun: the call would have succeeded");
            return Err(KmsError::new(
                ErrorCode::DryRunOperationException,
                "The request would have succeeded, but the DryRun option is set.",
            ));
        }
        Ok(())
    }

    fn param<T>(&self, cx: &mut Cx, r: Result<T, KmsError>) -> Result<T, KmsError> {
        if let Err(e) = &r {
            cx.check(CheckKind::Parameters, false, e.message.clone());
        }
        r
    }

    // ---- key management ------------------------------------------------------------------------------------------

    fn create_key(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateKey) -> Result<Json, KmsError> {
        let account = caller_account(caller);
        let s = r.key_spec.as_deref().unwrap_or("SYMMETRIC_DEFAULT");
        let spec = serde_json::from_value::<KeySpec>(ToJson::to_json(&s)).map_err(|_| KmsError::validation(format!("1 validation error detected: Value '{s}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set")));
        let spec = self.param(cx, spec)?;
        let usage = match &r.key_usage {
            Some(u) => serde_json::from_value::<KeyUsage>(ToJson::to_json(&u)).map_err(|_| KmsError::validation(format!("1 validation error detected: Value '{u}' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set"))),
            None if spec.is_symmetric() => Ok(KeyUsage::ENCRYPT_DECRYPT),
            None => Err(KmsError::validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")),
        };
        let usage = self.param(cx, usage)?;
        if !spec.allowed_usages().contains(&usage) {
            return self.param(
                cx,
                Err(KmsError::validation(format!(
                    "KeyUsage {} is not compatible with KeySpec {}",
                    usage.as_str(),
                    spec.as_str()
                ))),
            );
        }
        let origin = match r.origin.as_deref().unwrap_or("AWS_KMS") {
            "AWS_KMS" => Ok(Origin::AWS_KMS),
            "EXTERNAL" => Ok(Origin::EXTERNAL),
            o => Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("Origin {o} is not supported by this simulator"),
            )),
        };
        let origin = self.param(cx, origin)?;
        if let Some(d) = &r.description {
            if d.chars().count() > 8192 {
                return self.param(cx, Err(KmsError::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")));
            }
        }
        let tags = self.param(cx, validate_tags(r.tags.as_deref().unwrap_or(&[])))?;
        let bypass = r.bypass_policy_lockout_safety_check.unwrap_or(false);
        cx.request_parameters = Some(obj!({
            "keySpec": spec.as_str(), "keyUsage": usage.as_str(), "origin": origin.as_str(),
            "description": r.description, "bypassPolicyLockoutSafetyCheck": bypass,
            "tags": r.tags.as_ref().map(|t| t.iter().map(|t| obj!({"tagKey": t.tag_key, "tagValue": t.tag_value})).collect::<Vec<_>>()),
        }));
        self.authorize_identity(cx, caller, "kms:CreateKey", "*", |c| {
            c.insert_string("kms:KeySpec", spec.as_str());
            c.insert_string("kms:KeyUsage", usage.as_str());
            c.insert_string("kms:KeyOrigin", origin.as_str());
            c.insert_bool("kms:MultiRegion", r.multi_region.unwrap_or(false));
            c.insert_bool("kms:BypassPolicyLockoutSafetyCheck", bypass);
            tag_request_context(c, &tags);
        })?;
        if !tags.is_empty() {
            self.authorize_identity(cx, caller, "kms:TagResource", "*", |c| tag_request_context(c, &tags))?;
        }
        let partition = self.config.partition.clone();
        let policy_text = r.policy.clone().unwrap_or_else(|| default_key_policy(&partition, &account));
        let policy = self.parse_key_policy(cx, &policy_text)?;
        let key_id = self.with_hsm(Hsm::new_key_id);
        let region = self.config.region.clone();
        let arn = key_arn(&partition, &region, &account, &key_id);
        let key = Key {
            key_id: key_id.clone(),
            arn: arn.clone(),
            account: account.clone(),
            region,
            description: r.description.clone().unwrap_or_default(),
            key_spec: spec,
            key_usage: usage,
            origin,
            manager: KeyManager::CUSTOMER,
            state: if origin == Origin::EXTERNAL { KeyState::PendingImport } else { KeyState::Enabled },
            creation_date: self.clock,
            deletion_date: None,
            pending_window_days: None,
            policy,
            tags,
            rotation: Rotation::default(),
            current_version: 1,
            aws_service: None,
        };
        if !bypass && r.policy.is_some() {
            self.lockout_check(cx, caller, &key)?;
        }
        let meta = self.key_metadata(&key);
        cx.resource(&key);
        self.insert_key(key);
        cx.response_log = Some(obj!({ "keyMetadata": meta }));
        Ok(obj!({ "KeyMetadata": meta }))
    }

    fn parse_key_policy(&self, cx: &mut Cx, text: &str) -> Result<NamedPolicy, KmsError> {
        if text.len() > 32_768 {
            let e = KmsError::new(
                ErrorCode::LimitExceededException,
                format!("Policy document is {} bytes; the key policy size limit is 32768 bytes", text.len()),
            );
            cx.check(CheckKind::Parameters, false, e.message.clone());
            return Err(e);
        }
        match NamedPolicy::parse("default", text, kmsim_policy::PolicyType::Resource) {
            Ok(p) => {
                if let Err(e) = self.key_policy_rules(&p) {
                    cx.check(CheckKind::Parameters, false, e.message.clone());
                    return Err(e);
                }
                cx.check(CheckKind::Parameters, true, "the key policy is well formed");
                Ok(p)
            }
            Err(errs) => {
                let mut e = KmsError::new(
                    ErrorCode::MalformedPolicyDocumentException,
                    format!(
                        "The new key policy is not valid: {}",
                        errs.errors.first().map(|e| e.to_string()).unwrap_or_default()
                    ),
                );
                e.diagnostics = errs.errors;
                cx.check(CheckKind::Parameters, false, e.message.clone());
                Err(e)
            }
        }
    }

    /// The checks KMS makes on a key policy beyond the IAM grammar (reference 1c, 1f):
    /// - every IAM principal must exist: a user or role ARN in an account of this world must name a user or role of
    ///   that account (accounts outside the world are taken to exist, as they would in AWS);
    /// - `ForAllValues:` on a single-valued key such as `kms:EncryptionContext:*` or `aws:RequestTag/*` is rejected as
    ///   overly permissive.
    fn key_policy_rules(&self, p: &NamedPolicy) -> Result<(), KmsError> {
        for st in p.policy.statements() {
            for (ptype, value) in st.principals() {
                if ptype == "AWS" && !self.principal_exists(value) {
                    return Err(KmsError::new(
                        ErrorCode::MalformedPolicyDocumentException,
                        "Policy contains a statement with one or more invalid principals.",
                    ));
                }
            }
            for (op, key, _) in st.conditions() {
                let k = key.to_ascii_lowercase();
                let single = k.starts_with("kms:encryptioncontext:") || k.starts_with("aws:requesttag/");
                if single && op.starts_with("ForAllValues:") {
                    return Err(KmsError::new(
                        ErrorCode::MalformedPolicyDocumentException,
                        format!("OverlyPermissiveCondition: using ForAllValues with the single-valued condition key {key} is overly permissive; remove ForAllValues"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn principal_exists(&self, value: &str) -> bool {
        if value == "*" || crate::ids::is_account_id(value) {
            return true;
        }
        let Some(rest) = value.strip_prefix("arn:") else { return false };
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [_partition, service, _region, account, resource] = parts.as_slice() else { return false };
        if !crate::ids::is_account_id(account) || !matches!(*service, "iam" | "sts") {
            return false;
        }
        let Some(acct) = self.accounts.get(*account) else { return true };
        if *resource == "root" {
            return true;
        }
        let kind = resource.split('/').next();
        match (kind, resource.rsplit('/').next()) {
            (Some("user"), Some(name)) => acct.users.contains_key(name),
            (Some("role"), Some(name)) => acct.roles.contains_key(name),
            (Some("assumed-role"), _) => resource.split('/').nth(1).is_some_and(|r| acct.roles.contains_key(r)),
            (Some("federated-user"), _) => true,
            _ => false,
        }
    }

    /// The policy-lockout safety check: the new policy must still let the caller call PutKeyPolicy.
    fn lockout_check(&self, cx: &mut Cx, caller: &Caller, key: &Key) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        self.key_context(&mut context, key);
        let grants = crate::grant::GrantStore::default();
        let t = authorize(
            &rc,
            AuthzInput {
                action: "kms:PutKeyPolicy".into(),
                target: Target::Key(key, &grants),
                context,
                grant: None,
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: false,
            },
        );
        if t.decision == Decision::Allow {
            cx.check(CheckKind::PolicyLockout, true, "the new key policy still lets the caller call PutKeyPolicy");
            Ok(())
        } else {
            let e = KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.",
            );
            cx.check(CheckKind::PolicyLockout, false, "policy lockout safety check: the new policy would not let the caller call PutKeyPolicy (set BypassPolicyLockoutSafetyCheck to skip)");
            Err(e)
        }
    }

    pub(crate) fn key_metadata(&self, key: &Key) -> Json {
        let mut m = obj!({
            "AWSAccountId": key.account,
            "KeyId": key.key_id,
            "Arn": key.arn,
            "CreationDate": key.creation_date.epoch_seconds(),
            "Enabled": key.state == KeyState::Enabled,
            "Description": key.description,
            "KeyUsage": key.key_usage.as_str(),
            "KeyState": key.state.as_str(),
            "Origin": key.origin.as_str(),
            "KeyManager": match key.manager { KeyManager::CUSTOMER => "CUSTOMER", KeyManager::AWS => "AWS" },
            "CustomerMasterKeySpec": key.key_spec.as_str(),
            "KeySpec": key.key_spec.as_str(),
            "EncryptionAlgorithms": key.encryption_algorithms(),
            "MultiRegion": false,
        });
        if let (Some(d), Some(obj)) = (key.deletion_date, m.as_object_mut()) {
            obj.insert("DeletionDate".into(), ToJson::to_json(&d.epoch_seconds()));
            obj.insert("PendingDeletionWindowInDays".into(), ToJson::to_json(&key.pending_window_days));
        }
        m
    }

    fn describe_key(&mut self, cx: &mut Cx, caller: &Caller, r: &DescribeKey) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, ident) = self.lookup_for(cx, caller, &r.key_id, true)?;
        self.authorize_key(cx, caller, "kms:DescribeKey", &key, Some(&ident), None, r.grant_tokens.as_deref(), |_| {})?;
        self.state(cx, "DescribeKey", &key)?;
        Ok(obj!({ "KeyMetadata": self.key_metadata(&key) }))
    }

    /// Looks a key up; when `alias_ok` is false the KeyId must be a key id or key ARN.
    fn lookup_for(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        key_id: &str,
        alias_ok: bool,
    ) -> Result<(Key, KeyIdentifier), KmsError> {
        if !alias_ok && key_id.contains("alias/") {
            let e = KmsError::not_found(format!("Invalid keyId '{key_id}'"));
            cx.check(CheckKind::KeyLookup, false, format!("this operation does not accept an alias: {}", e.message));
            return Err(e);
        }
        // AWS managed keys are created on first use of their alias.
        if let Ok(KeyIdentifier::AliasName { name }) = KeyIdentifier::parse(key_id) {
            if let Some(service) = name.strip_prefix("alias/aws/") {
                let account = caller_account(caller);
                self.ensure_aws_managed_key(&account, service);
            }
        }
        self.lookup(cx, caller, key_id)
    }

    /// Creates the AWS managed key for a service (`s3`, `ebs`, ...) in an account if it does not exist yet.
    pub fn ensure_aws_managed_key(&mut self, account: &str, service: &str) -> Option<String> {
        const SERVICES: &[(&str, &str)] = &[
            ("s3", "s3"),
            ("ebs", "ec2"),
            ("rds", "rds"),
            ("lambda", "lambda"),
            ("ssm", "ssm"),
            ("secretsmanager", "secretsmanager"),
            ("dynamodb", "dynamodb"),
        ];
        let (_, endpoint) = SERVICES.iter().find(|(s, _)| *s == service)?;
        let name = format!("alias/aws/{service}");
        let region = self.config.region.clone();
        let partition = self.config.partition.clone();
        let aarn = alias_arn(&partition, &region, account, &name);
        if let Some(a) = self.aliases.get(&aarn) {
            return Some(key_arn(&partition, &a.region, &a.account, &a.target_key_id));
        }
        let text = crate::policy::aws_managed_key_policy(&partition, &region, account, endpoint);
        let policy = NamedPolicy::parse("default", &text, kmsim_policy::PolicyType::Resource).ok()?;
        let key_id = self.with_hsm(Hsm::new_key_id);
        let arn = key_arn(&partition, &region, account, &key_id);
        let key = Key {
            key_id: key_id.clone(),
            arn: arn.clone(),
            account: account.to_string(),
            region: region.clone(),
            description: format!("Default key that protects my {service} data when no other key is defined"),
            key_spec: KeySpec::SYMMETRIC_DEFAULT,
            key_usage: KeyUsage::ENCRYPT_DECRYPT,
            origin: Origin::AWS_KMS,
            manager: KeyManager::AWS,
            state: KeyState::Enabled,
            creation_date: self.clock,
            deletion_date: None,
            pending_window_days: None,
            policy,
            tags: BTreeMap::new(),
            rotation: Rotation {
                enabled: true,
                period_days: 365,
                next_rotation: Some(self.clock.plus_days(365)),
                history: Vec::new(),
                on_demand_count: 0,
            },
            current_version: 1,
            aws_service: Some(service.to_string()),
        };
        self.accounts.entry(account.to_string()).or_default();
        self.insert_key(key);
        self.insert_alias(account, &region, &name, &key_id);
        Some(arn)
    }

    fn list_keys(&mut self, cx: &mut Cx, caller: &Caller, r: &ListKeys) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "limit": r.limit }));
        self.authorize_identity(cx, caller, "kms:ListKeys", "*", |_| {})?;
        let account = caller_account(caller);
        let keys: Vec<Json> = self
            .keys()
            .filter(|k| k.account == account)
            .map(|k| obj!({ "KeyId": k.key_id, "KeyArn": k.arn }))
            .collect();
        paginate(keys, "Keys", r.limit, r.marker.as_deref())
    }

    fn update_key_description(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &UpdateKeyDescription,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "description": r.description }));
        if r.description.chars().count() > 8192 {
            return self.param(cx, Err(KmsError::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")));
        }
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:UpdateKeyDescription", &key, None, None, None, |_| {})?;
        self.state(cx, "UpdateKeyDescription", &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            k.description = r.description.clone();
        }
        Ok(obj!({}))
    }

    /// AWS managed keys cannot be changed by customers.
    fn managed_check(&self, cx: &mut Cx, key: &Key) -> Result<(), KmsError> {
        if key.manager == KeyManager::AWS {
            let e = KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("{} is an AWS managed key, which cannot be changed.", key.arn),
            );
            cx.check(CheckKind::Parameters, false, e.message.clone());
            return Err(e);
        }
        Ok(())
    }

    fn enable_disable(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        op: &str,
        key_id: &str,
        enable: bool,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": key_id }));
        let (key, _) = self.lookup_for(cx, caller, key_id, false)?;
        self.authorize_key(cx, caller, &format!("kms:{op}"), &key, None, None, None, |_| {})?;
        let proceed = self.state(cx, op, &key)?;
        self.managed_check(cx, &key)?;
        if proceed {
            if let Some(k) = self.key_mut(&key.arn) {
                k.state = if enable { KeyState::Enabled } else { KeyState::Disabled };
            }
        }
        Ok(obj!({}))
    }

    fn schedule_key_deletion(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ScheduleKeyDeletion,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "pendingWindowInDays": r.pending_window_in_days }));
        let days = r.pending_window_in_days.unwrap_or(30);
        if !(7..=30).contains(&days) {
            return self.param(cx, Err(KmsError::validation(format!("1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30"))));
        }
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:ScheduleKeyDeletion", &key, None, None, None, |c| {
            c.insert("kms:ScheduleKeyDeletionPendingWindowInDays", ContextValue::Single(Value::Number(days as f64)));
        })?;
        self.state(cx, "ScheduleKeyDeletion", &key)?;
        self.managed_check(cx, &key)?;
        let when = self.clock.plus_days(days);
        if let Some(k) = self.key_mut(&key.arn) {
            k.state = KeyState::PendingDeletion;
            k.deletion_date = Some(when);
            k.pending_window_days = u32::try_from(days).ok();
        }
        cx.response_log = Some(obj!({ "keyId": key.arn, "keyState": "PendingDeletion", "deletionDate": when }));
        Ok(
            obj!({ "KeyId": key.arn, "DeletionDate": when.epoch_seconds(), "KeyState": "PendingDeletion", "PendingWindowInDays": days }),
        )
    }

    fn cancel_key_deletion(&mut self, cx: &mut Cx, caller: &Caller, r: &CancelKeyDeletion) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:CancelKeyDeletion", &key, None, None, None, |_| {})?;
        self.state(cx, "CancelKeyDeletion", &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            // AWS leaves the key Disabled: a separate EnableKey is needed.
            k.state = KeyState::Disabled;
            k.deletion_date = None;
            k.pending_window_days = None;
        }
        cx.check(
            CheckKind::KeyState,
            true,
            "deletion cancelled: the key is now Disabled (call EnableKey to use it again)",
        );
        Ok(obj!({ "KeyId": key.arn }))
    }

    fn get_key_policy(&mut self, cx: &mut Cx, caller: &Caller, r: &GetKeyPolicy) -> Result<Json, KmsError> {
        cx.request_parameters =
            Some(obj!({ "keyId": r.key_id, "policyName": r.policy_name.as_deref().unwrap_or("default") }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:GetKeyPolicy", &key, None, None, None, |c| {
            c.insert_string("kms:PolicyName", r.policy_name.clone().unwrap_or_else(|| "default".into()));
        })?;
        self.state(cx, "GetKeyPolicy", &key)?;
        self.policy_name(cx, r.policy_name.as_deref())?;
        Ok(obj!({ "Policy": key.policy.source(), "PolicyName": "default" }))
    }

    fn policy_name(&self, cx: &mut Cx, name: Option<&str>) -> Result<(), KmsError> {
        match name {
            None | Some("default") => Ok(()),
            Some(n) => self.param(
                cx,
                Err(KmsError::not_found(format!(
                    "No such policy exists: `{n}`; the only key policy name is `default`"
                ))),
            ),
        }
    }

    fn put_key_policy(&mut self, cx: &mut Cx, caller: &Caller, r: &PutKeyPolicy) -> Result<Json, KmsError> {
        let bypass = r.bypass_policy_lockout_safety_check.unwrap_or(false);
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "policyName": r.policy_name.as_deref().unwrap_or("default"), "bypassPolicyLockoutSafetyCheck": bypass }),
        );
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:PutKeyPolicy", &key, None, None, None, |c| {
            c.insert_bool("kms:BypassPolicyLockoutSafetyCheck", bypass);
            c.insert_string("kms:PolicyName", r.policy_name.clone().unwrap_or_else(|| "default".into()));
        })?;
        self.state(cx, "PutKeyPolicy", &key)?;
        self.managed_check(cx, &key)?;
        self.policy_name(cx, r.policy_name.as_deref())?;
        let policy = self.parse_key_policy(cx, &r.policy)?;
        let mut candidate = key.clone();
        candidate.policy = policy.clone();
        if !bypass {
            self.lockout_check(cx, caller, &candidate)?;
        }
        if let Some(k) = self.key_mut(&key.arn) {
            k.policy = policy;
        }
        Ok(obj!({}))
    }

    fn list_key_policies(&mut self, cx: &mut Cx, caller: &Caller, r: &ListKeyPolicies) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:ListKeyPolicies", &key, None, None, None, |_| {})?;
        self.state(cx, "ListKeyPolicies", &key)?;
        Ok(obj!({ "PolicyNames": ["default"], "Truncated": false }))
    }

    // ---- aliases --------------------------------------------------------------------------------------------------

    fn create_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name, "targetKeyId": r.target_key_id }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        let (key, _) = self.lookup_for(cx, caller, &r.target_key_id, false)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        self.authorize_identity(cx, caller, "kms:CreateAlias", &aarn, |_| {})?;
        self.authorize_key(cx, caller, "kms:CreateAlias", &key, None, None, None, |_| {})?;
        self.state(cx, "CreateAlias", &key)?;
        if key.manager == KeyManager::AWS {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!("{} is an AWS managed key: customer aliases cannot point at it", key.arn),
                )),
            );
        }
        if self.aliases.contains_key(&aarn) {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::AlreadyExistsException,
                    format!("An alias with the name {aarn} already exists"),
                )),
            );
        }
        if self.aliases_of(&key).len() >= 50 {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::LimitExceededException,
                    format!("{} already has 50 aliases, the limit per key", key.arn),
                )),
            );
        }
        let region = key.region.clone();
        self.insert_alias(&account, &region, &r.alias_name, &key.key_id);
        Ok(obj!({}))
    }

    fn update_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &UpdateAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name, "targetKeyId": r.target_key_id }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        let Some(alias) = self.aliases.get(&aarn).cloned() else {
            return self.param(cx, Err(KmsError::not_found(format!("Alias {aarn} is not found."))));
        };
        let old_arn = key_arn(&self.config.partition, &alias.region, &alias.account, &alias.target_key_id);
        let old = self
            .key(&old_arn)
            .cloned()
            .ok_or_else(|| KmsError::not_found(format!("Key '{old_arn}' does not exist")))?;
        let (new, _) = self.lookup_for(cx, caller, &r.target_key_id, false)?;
        cx.resource(&old);
        self.authorize_identity(cx, caller, "kms:UpdateAlias", &aarn, |_| {})?;
        self.authorize_key(cx, caller, "kms:UpdateAlias", &old, None, None, None, |_| {})?;
        self.authorize_key(cx, caller, "kms:UpdateAlias", &new, None, None, None, |_| {})?;
        self.state(cx, "UpdateAlias", &new)?;
        if old.key_spec.is_symmetric() != new.key_spec.is_symmetric() || old.key_usage != new.key_usage {
            return self.param(
                cx,
                Err(KmsError::validation(format!(
                    "{} and {} are not the same type of key with the same key usage",
                    old.arn, new.arn
                ))),
            );
        }
        if let Some(a) = self.aliases.get_mut(&aarn) {
            a.target_key_id = new.key_id.clone();
            a.last_updated_date = self.clock;
        }
        Ok(obj!({}))
    }

    fn delete_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &DeleteAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        let Some(alias) = self.aliases.get(&aarn).cloned() else {
            return self.param(cx, Err(KmsError::not_found(format!("Alias {aarn} is not found."))));
        };
        let karn = key_arn(&self.config.partition, &alias.region, &alias.account, &alias.target_key_id);
        let key =
            self.key(&karn).cloned().ok_or_else(|| KmsError::not_found(format!("Key '{karn}' does not exist")))?;
        cx.resource(&key);
        self.authorize_identity(cx, caller, "kms:DeleteAlias", &aarn, |_| {})?;
        self.authorize_key(cx, caller, "kms:DeleteAlias", &key, None, None, None, |_| {})?;
        self.state(cx, "DeleteAlias", &key)?;
        self.aliases.remove(&aarn);
        Ok(obj!({}))
    }

    fn list_aliases(&mut self, cx: &mut Cx, caller: &Caller, r: &ListAliases) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "limit": r.limit }));
        self.authorize_identity(cx, caller, "kms:ListAliases", "*", |_| {})?;
        let account = caller_account(caller);
        let filter = match &r.key_id {
            Some(k) => Some(self.lookup(cx, caller, k)?.0.key_id),
            None => None,
        };
        let items: Vec<Json> = self
            .aliases
            .values()
            .filter(|a| a.account == account && filter.as_ref().is_none_or(|f| &a.target_key_id == f))
            .map(|a| obj!({ "AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id, "CreationDate": a.creation_date.epoch_seconds(), "LastUpdatedDate": a.last_updated_date.epoch_seconds() }))
            .collect();
        paginate(items, "Aliases", r.limit, r.marker.as_deref())
    }

    // ---- tags -----------------------------------------------------------------------------------------------------

    fn tag_resource(&mut self, cx: &mut Cx, caller: &Caller, r: &TagResource) -> Result<Json, KmsError> {
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "tags": r.tags.iter().map(|t| obj!({"tagKey": t.tag_key, "tagValue": t.tag_value})).collect::<Vec<_>>() }),
        );
        let tags = validate_tags(&r.tags);
        let tags = self.param(cx, tags)?;
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:TagResource", &key, None, None, None, |c| tag_request_context(c, &tags))?;
        self.state(cx, "TagResource", &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            let mut merged = k.tags.clone();
            merged.extend(tags);
            if merged.len() > 50 {
                return Err(KmsError::new(
                    ErrorCode::TagException,
                    "Tags limit exceeded: a key can have at most 50 tags",
                ));
            }
            k.tags = merged;
        }
        Ok(obj!({}))
    }

    fn untag_resource(&mut self, cx: &mut Cx, caller: &Caller, r: &UntagResource) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "tagKeys": r.tag_keys }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:UntagResource", &key, None, None, None, |c| {
            c.insert("aws:TagKeys", ContextValue::Multi(r.tag_keys.iter().map(|k| Value::String(k.clone())).collect()));
        })?;
        self.state(cx, "UntagResource", &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            for t in &r.tag_keys {
                k.tags.remove(t);
            }
        }
        Ok(obj!({}))
    }

    fn list_resource_tags(&mut self, cx: &mut Cx, caller: &Caller, r: &ListResourceTags) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:ListResourceTags", &key, None, None, None, |_| {})?;
        self.state(cx, "ListResourceTags", &key)?;
        let tags: Vec<Json> = key.tags.iter().map(|(k, v)| obj!({ "TagKey": k, "TagValue": v })).collect();
        Ok(obj!({ "Tags": tags, "Truncated": false }))
    }

    // ---- rotation -------------------------------------------------------------------------------------------------

    fn rotation_support(&self, cx: &mut Cx, key: &Key) -> Result<(), KmsError> {
        if !key.key_spec.is_symmetric() || key.origin != Origin::AWS_KMS {
            let e = KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!(
                    "{} does not support automatic rotation: only symmetric encryption keys with AWS_KMS origin do",
                    key.arn
                ),
            );
            cx.check(CheckKind::KeyUsage, false, e.message.clone());
            return Err(e);
        }
        Ok(())
    }

    fn enable_key_rotation(&mut self, cx: &mut Cx, caller: &Caller, r: &EnableKeyRotation) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "rotationPeriodInDays": r.rotation_period_in_days }));
        let days = r.rotation_period_in_days.unwrap_or(365);
        if !(90..=2560).contains(&days) {
            return self.param(cx, Err(KmsError::validation(format!("1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560"))));
        }
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:EnableKeyRotation", &key, None, None, None, |c| {
            c.insert("kms:RotationPeriodInDays", ContextValue::Single(Value::Number(days as f64)));
        })?;
        self.state(cx, "EnableKeyRotation", &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        let now = self.clock;
        if let Some(k) = self.key_mut(&key.arn) {
            k.rotation.enabled = true;
            k.rotation.period_days = u32::try_from(days).unwrap_or(365);
            k.rotation.next_rotation = Some(now.plus_days(days));
        }
        Ok(obj!({}))
    }

    fn disable_key_rotation(&mut self, cx: &mut Cx, caller: &Caller, r: &DisableKeyRotation) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:DisableKeyRotation", &key, None, None, None, |_| {})?;
        self.state(cx, "DisableKeyRotation", &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            k.rotation.enabled = false;
            k.rotation.next_rotation = None;
        }
        Ok(obj!({}))
    }

    fn get_key_rotation_status(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &GetKeyRotationStatus,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:GetKeyRotationStatus", &key, None, None, None, |_| {})?;
        self.state(cx, "GetKeyRotationStatus", &key)?;
        self.rotation_support(cx, &key)?;
        let mut out = obj!({ "KeyRotationEnabled": key.rotation.enabled, "KeyId": key.arn });
        if let Some(o) = out.as_object_mut() {
            if key.rotation.enabled {
                o.insert("RotationPeriodInDays".into(), ToJson::to_json(&key.rotation.period_days));
                if let Some(n) = key.rotation.next_rotation {
                    o.insert("NextRotationDate".into(), ToJson::to_json(&n.epoch_seconds()));
                }
            }
            if let Some(last) = key.rotation.history.iter().rev().find(|h| h.rotation_type == "ON_DEMAND") {
                o.insert("OnDemandRotationStartDate".into(), ToJson::to_json(&last.rotation_date.epoch_seconds()));
            }
        }
        Ok(out)
    }

    fn rotate_key_on_demand(&mut self, cx: &mut Cx, caller: &Caller, r: &RotateKeyOnDemand) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:RotateKeyOnDemand", &key, None, None, None, |_| {})?;
        self.state(cx, "RotateKeyOnDemand", &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        if key.rotation.on_demand_count >= 25 {
            let e = KmsError::new(ErrorCode::LimitExceededException, format!("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {}", key.arn));
            cx.check(CheckKind::Limit, false, "25 on-demand rotations per key");
            return Err(e);
        }
        let now = self.clock;
        if let Some(k) = self.key_mut(&key.arn) {
            k.current_version = k.current_version.saturating_add(1);
            k.rotation.on_demand_count = k.rotation.on_demand_count.saturating_add(1);
            let version = k.current_version;
            k.rotation.history.push(crate::key::RotationRecord {
                version,
                rotation_date: now,
                rotation_type: "ON_DEMAND".into(),
            });
        }
        cx.check(
            CheckKind::Cryptography,
            true,
            "new backing key created; earlier versions are kept so old ciphertexts still decrypt",
        );
        Ok(obj!({ "KeyId": key.arn }))
    }

    fn list_key_rotations(&mut self, cx: &mut Cx, caller: &Caller, r: &ListKeyRotations) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, "kms:ListKeyRotations", &key, None, None, None, |_| {})?;
        self.state(cx, "ListKeyRotations", &key)?;
        self.rotation_support(cx, &key)?;
        let rotations: Vec<Json> = key.rotation.history.iter().map(|h| obj!({ "KeyId": key.arn, "RotationDate": h.rotation_date.epoch_seconds(), "RotationType": h.rotation_type })).collect();
        Ok(obj!({ "Rotations": rotations, "Truncated": false }))
    }

    // ---- cryptography ---------------------------------------------------------------------------------------------

    fn ec_params(&self, cx: &mut Cx, ec: Option<&Ec>) -> Result<EncryptionContext, KmsError> {
        let ec = ec.cloned().unwrap_or_default();
        let size: usize = ec.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > 8192 {
            return self.param(
                cx,
                Err(KmsError::validation("The encryption context is too large: at most 8192 bytes of keys and values")),
            );
        }
        Ok(ec)
    }

    fn encrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &Encrypt) -> Result<Json, KmsError> {
        let ec = self.ec_params(cx, r.encryption_context.as_ref())?;
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "encryptionAlgorithm": r.encryption_algorithm.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), "encryptionContext": ec }),
        );
        if r.plaintext.0.is_empty() || r.plaintext.0.len() > 4096 {
            return self.param(cx, Err(KmsError::validation(format!("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096 (got {})", r.plaintext.0.len()))));
        }
        self.algorithm(cx, r.encryption_algorithm.as_deref())?;
        let (key, ident) = self.lookup_for(cx, caller, &r.key_id, true)?;
        self.authorize_key(cx, caller, "kms:Encrypt", &key, Some(&ident), Some(&ec), r.grant_tokens.as_deref(), |c| {
            c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        })?;
        self.state(cx, "Encrypt", &key)?;
        self.usage(cx, "Encrypt", &key)?;
        self.dry_run(cx, r.dry_run)?;
        let blob = self.with_hsm(|h| h.encrypt(&key.key_id, key.current_version, &r.plaintext.0, &ec));
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(
            CheckKind::Cryptography,
            true,
            format!(
                "AES-256-GCM under backing key version {}; encryption context bound as additional authenticated data",
                key.current_version
            ),
        );
        Ok(obj!({ "CiphertextBlob": b64(&blob), "KeyId": key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }))
    }

    fn algorithm(&self, cx: &mut Cx, alg: Option<&str>) -> Result<(), KmsError> {
        match alg {
            None | Some("SYMMETRIC_DEFAULT") => Ok(()),
            Some(a) => self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::InvalidKeyUsageException,
                    format!("Algorithm {a} is not valid for a symmetric encryption key; use SYMMETRIC_DEFAULT"),
                )),
            ),
        }
    }

    /// Finds the key of a ciphertext from its header, checking a named KeyId against it.
    fn ciphertext_key(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        blob: &[u8],
        key_id: Option<&str>,
    ) -> Result<(Key, Option<KeyIdentifier>), KmsError> {
        let header = match Hsm::parse_header(blob) {
            Ok(h) => h,
            Err(_) => {
                cx.check(
                    CheckKind::Parameters,
                    false,
                    "the ciphertext blob is not a kmsim ciphertext (header unreadable)",
                );
                return Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""));
            }
        };
        let found = self.keys().find(|k| k.key_id == header.key_id).cloned();
        let Some(key) = found else {
            // [verify] AWS's wording for a ciphertext whose key is gone or inaccessible (local-kms and moto use it).
            let e = KmsError::new(ErrorCode::AccessDeniedException, "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.");
            cx.check(
                CheckKind::KeyLookup,
                false,
                format!("the ciphertext names key {} which does not exist", header.key_id),
            );
            return Err(e);
        };
        cx.check(
            CheckKind::KeyLookup,
            true,
            format!("the ciphertext header names {} (backing key version {})", key.arn, header.version),
        );
        cx.resource(&key);
        let mut ident = None;
        if let Some(named) = key_id {
            let account = caller_account(caller);
            match self.find_key(named, &account) {
                Ok((arn, i)) if arn == key.arn => ident = Some(i),
                Ok(_) | Err(_) => {
                    let e = KmsError::new(
                        ErrorCode::IncorrectKeyException,
                        "The key ID in the request does not identify a CMK that can perform this operation.",
                    );
                    cx.check(
                        CheckKind::KeyLookup,
                        false,
                        format!("KeyId `{named}` does not name the key that encrypted the ciphertext ({})", key.arn),
                    );
                    return Err(e);
                }
            }
        }
        Ok((key, ident))
    }

    fn decrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &Decrypt) -> Result<Json, KmsError> {
        let ec = self.ec_params(cx, r.encryption_context.as_ref())?;
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "encryptionAlgorithm": r.encryption_algorithm.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), "encryptionContext": ec }),
        );
        self.algorithm(cx, r.encryption_algorithm.as_deref())?;
        let (key, ident) = self.ciphertext_key(cx, caller, &r.ciphertext_blob.0, r.key_id.as_deref())?;
        self.authorize_key(
            cx,
            caller,
            "kms:Decrypt",
            &key,
            ident.as_ref(),
            Some(&ec),
            r.grant_tokens.as_deref(),
            |c| {
                c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
            },
        )?;
        self.state(cx, "Decrypt", &key)?;
        self.usage(cx, "Decrypt", &key)?;
        self.dry_run(cx, r.dry_run)?;
        match self.hsm().decrypt(&r.ciphertext_blob.0, &ec) {
            Ok(d) => {
                cx.check(
                    CheckKind::Cryptography,
                    true,
                    format!(
                        "authentication tag verified with backing key version {}; the encryption context matches",
                        d.version
                    ),
                );
                Ok(
                    obj!({ "KeyId": key.arn, "Plaintext": b64(&d.plaintext), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }),
                )
            }
            Err(_) => {
                cx.check(CheckKind::Cryptography, false, "authentication failed: the ciphertext was altered or the encryption context is not exactly the one used to encrypt");
                Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""))
            }
        }
    }

    fn re_encrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &ReEncrypt) -> Result<Json, KmsError> {
        let src_ec = self.ec_params(cx, r.source_encryption_context.as_ref())?;
        let dst_ec = self.ec_params(cx, r.destination_encryption_context.as_ref())?;
        cx.request_parameters = Some(obj!({
            "sourceKeyId": r.source_key_id, "destinationKeyId": r.destination_key_id,
            "sourceEncryptionContext": src_ec, "destinationEncryptionContext": dst_ec,
            "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }));
        let (src, src_ident) = self.ciphertext_key(cx, caller, &r.ciphertext_blob.0, r.source_key_id.as_deref())?;
        let (dst, dst_ident) = self.lookup_for(cx, caller, &r.destination_key_id, true)?;
        let same = src.arn == dst.arn;
        // [verify] the source context is checked against the source key's policy, the destination context against
        // the destination key's (reference 1f).
        self.authorize_key(
            cx,
            caller,
            "kms:ReEncryptFrom",
            &src,
            src_ident.as_ref(),
            Some(&src_ec),
            r.grant_tokens.as_deref(),
            |c| {
                c.insert_bool("kms:ReEncryptOnSameKey", same);
                c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
            },
        )?;
        self.authorize_key(
            cx,
            caller,
            "kms:ReEncryptTo",
            &dst,
            Some(&dst_ident),
            Some(&dst_ec),
            r.grant_tokens.as_deref(),
            |c| {
                c.insert_bool("kms:ReEncryptOnSameKey", same);
                c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
            },
        )?;
        self.state(cx, "ReEncrypt", &src)?;
        self.state(cx, "ReEncrypt", &dst)?;
        self.usage(cx, "ReEncrypt", &src)?;
        self.usage(cx, "ReEncrypt", &dst)?;
        self.dry_run(cx, r.dry_run)?;
        let plain = match self.hsm().decrypt(&r.ciphertext_blob.0, &src_ec) {
            Ok(d) => d,
            Err(_) => {
                cx.check(CheckKind::Cryptography, false, "authentication failed: the source ciphertext was altered or the source encryption context does not match");
                return Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""));
            }
        };
        let blob = self.with_hsm(|h| h.encrypt(&dst.key_id, dst.current_version, &plain.plaintext, &dst_ec));
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(CheckKind::Cryptography, true, "decrypted under the source key and encrypted under the destination key inside the HSM; the plaintext never left it");
        Ok(obj!({
            "CiphertextBlob": b64(&blob), "SourceKeyId": src.arn, "KeyId": dst.arn,
            "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }

    #[allow(clippy::too_many_arguments)]
    fn generate_data_key(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        key_id: &str,
        key_spec: Option<&str>,
        number_of_bytes: Option<i64>,
        ec: Option<&Ec>,
        tokens: Option<&[String]>,
        dry: Option<bool>,
        with_plaintext: bool,
    ) -> Result<Json, KmsError> {
        let op = if with_plaintext { "GenerateDataKey" } else { "GenerateDataKeyWithoutPlaintext" };
        let ec = self.ec_params(cx, ec)?;
        cx.request_parameters = Some(
            obj!({ "keyId": key_id, "keySpec": key_spec, "numberOfBytes": number_of_bytes, "encryptionContext": ec }),
        );
        let n = match (key_spec, number_of_bytes) {
            (Some("AES_256"), None) => Ok(32usize),
            (Some("AES_128"), None) => Ok(16usize),
            (Some(s), None) => Err(KmsError::validation(format!("1 validation error detected: Value '{s}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"))),
            (None, Some(n)) if (1..=1024).contains(&n) => Ok(usize::try_from(n).unwrap_or(32)),
            (None, Some(n)) => Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"))),
            (Some(_), Some(_)) => Err(KmsError::validation("Please specify either number of bytes or key spec, not both.")),
            (None, None) => Err(KmsError::validation("Please specify either number of bytes or key spec.")),
        };
        let n = self.param(cx, n)?;
        let (key, ident) = self.lookup_for(cx, caller, key_id, true)?;
        self.authorize_key(cx, caller, &format!("kms:{op}"), &key, Some(&ident), Some(&ec), tokens, |c| {
            c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        })?;
        self.state(cx, op, &key)?;
        self.usage(cx, op, &key)?;
        self.dry_run(cx, dry)?;
        let (data_key, blob) = self.with_hsm(|h| {
            let dk = h.random_bytes(n);
            let blob = h.encrypt(&key.key_id, key.current_version, &dk, &ec);
            (dk, blob)
        });
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(
            CheckKind::Cryptography,
            true,
            format!(
                "{n}-byte data key drawn inside the HSM and encrypted under backing key version {}",
                key.current_version
            ),
        );
        let mut out = obj!({ "CiphertextBlob": b64(&blob), "KeyId": key.arn });
        if with_plaintext {
            if let Some(o) = out.as_object_mut() {
                o.insert("Plaintext".into(), ToJson::to_json(&b64(&data_key)));
            }
        }
        Ok(out)
    }

    fn generate_random(&mut self, cx: &mut Cx, caller: &Caller, r: &GenerateRandom) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "numberOfBytes": r.number_of_bytes }));
        let n = match r.number_of_bytes {
            Some(n) if (1..=1024).contains(&n) => Ok(usize::try_from(n).unwrap_or(32)),
            Some(n) => Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"))),
            None => Err(KmsError::validation("NumberOfBytes is required")),
        };
        let n = self.param(cx, n)?;
        self.authorize_identity(cx, caller, "kms:GenerateRandom", "*", |_| {})?;
        let bytes = self.with_hsm(|h| h.random_bytes(n));
        cx.check(CheckKind::Cryptography, true, format!("{n} random bytes from the HSM"));
        Ok(obj!({ "Plaintext": b64(&bytes) }))
    }

    // ---- grants ---------------------------------------------------------------------------------------------------

    fn create_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateGrant) -> Result<Json, KmsError> {
        let constraints = r.constraints.clone().unwrap_or_default();
        cx.request_parameters = Some(obj!({
            "keyId": r.key_id, "granteePrincipal": r.grantee_principal, "retiringPrincipal": r.retiring_principal,
            "operations": r.operations, "constraints": r.constraints, "name": r.name,
        }));
        let ops = self.param(cx, validate_grant(r, &constraints))?;
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        let via_aws = caller.via_service.is_some();
        let mut ec_for_policy = EncryptionContext::new();
        if let Some(m) =
            constraints.encryption_context_equals.as_ref().or(constraints.encryption_context_subset.as_ref())
        {
            ec_for_policy = m.clone();
        }
        // [verify] kms:EncryptionContext:* on CreateGrant tests the grant's constraint (reference 1e).
        let grant_ec = (!ec_for_policy.is_empty()).then_some(&ec_for_policy);
        let auth =
            self.authorize_key(cx, caller, "kms:CreateGrant", &key, None, None, r.grant_tokens.as_deref(), |c| {
                c.insert(
                    "kms:GrantOperations",
                    ContextValue::Multi(ops.iter().map(|o| Value::String(o.clone())).collect()),
                );
                c.insert_string("kms:GranteePrincipal", r.grantee_principal.clone());
                if let Some(rp) = &r.retiring_principal {
                    c.insert_string("kms:RetiringPrincipal", rp.clone());
                }
                if let Some(t) = constraints.constraint_type() {
                    c.insert_string("kms:GrantConstraintType", t);
                }
                c.insert_bool("kms:GrantIsForAWSResource", via_aws);
                if let Some(ec) = grant_ec {
                    ec_context(c, ec);
                }
            });
        auth?;
        // A CreateGrant allowed by a grant can only create narrower grants.
        let parent = match cx.authorizations.last().map(|a| a.decided_by.clone()) {
            Some(crate::trace::DecidedBy::Grant { grant_id }) => {
                self.grants(&key.arn).and_then(|s| s.get(&grant_id)).cloned()
            }
            _ => None,
        };
        if let Some(p) = &parent {
            let subset = ops.iter().all(|o| p.operations.contains(o));
            let stricter = constraints.at_least_as_strict_as(&p.constraints);
            if !subset || !stricter {
                let e = KmsError::new(
                    ErrorCode::AccessDeniedException,
                    format!("User: {} is not authorized to perform: kms:CreateGrant on resource: {} because the new grant is not a narrowing of the grant `{}` that allows it", caller.principal, key.arn, p.grant_id),
                );
                cx.check(
                    CheckKind::Grant,
                    false,
                    if !subset {
                        "a child grant may only include operations of its parent grant"
                    } else {
                        "a child grant's constraints must be at least as strict as its parent's"
                    },
                );
                return Err(e);
            }
            cx.check(CheckKind::Grant, true, format!("the new grant narrows its parent grant {}", p.grant_id));
        }
        self.state(cx, "CreateGrant", &key)?;
        if key.key_usage != KeyUsage::ENCRYPT_DECRYPT || !key.key_spec.is_symmetric() {
            if let Some(bad) = ops.iter().find(|o| EC_OPERATIONS.contains(&o.as_str()) && !key.key_spec.is_symmetric())
            {
                return self.param(
                    cx,
                    Err(KmsError::validation(format!(
                        "Grant operation {bad} is not valid for a key with spec {}",
                        key.key_spec.as_str()
                    ))),
                );
            }
        }
        if self.dry_run(cx, r.dry_run).is_err() {
            return Err(KmsError::new(
                ErrorCode::DryRunOperationException,
                "The request would have succeeded, but the DryRun option is set.",
            ));
        }
        // Name idempotency: the same Name and parameters return the original grant.
        if let Some(name) = &r.name {
            if let Some(existing) = self.grants(&key.arn).and_then(|s| s.by_name(name)).cloned() {
                let same = existing.grantee_principal == r.grantee_principal
                    && existing.retiring_principal == r.retiring_principal
                    && existing.operations == ops
                    && existing.constraints == constraints;
                if same {
                    let token = self.with_hsm(Hsm::new_token);
                    if let Some(s) = self.grants_mut(&key.arn) {
                        s.add_token(&existing.grant_id, token_hash(&token));
                    }
                    cx.check(CheckKind::Grant, true, format!("a grant named `{name}` with the same parameters exists: CreateGrant is idempotent and returns it"));
                    cx.response_log = Some(obj!({ "grantId": existing.grant_id }));
                    return Ok(obj!({ "GrantId": existing.grant_id, "GrantToken": token }));
                }
            }
        }
        if key.manager == KeyManager::CUSTOMER && self.grants(&key.arn).map_or(0, |s| s.len()) >= 50_000 {
            let e = KmsError::new(
                ErrorCode::LimitExceededException,
                format!("{} already has 50000 grants, the limit per key", key.arn),
            );
            cx.check(CheckKind::Limit, false, "50,000 grants per customer managed key");
            return Err(e);
        }
        let (grant_id, token) = self.with_hsm(|h| (h.new_grant_id(), h.new_token()));
        let delay = self.config.grant_propagation_seconds.max(0) * SECOND;
        let grant = Grant {
            grant_id: grant_id.clone(),
            name: r.name.clone(),
            key_arn: key.arn.clone(),
            grantee_principal: r.grantee_principal.clone(),
            retiring_principal: r.retiring_principal.clone(),
            issuing_account: key.account.clone(),
            operations: ops,
            constraints,
            creation_date: self.clock,
            effective_from: self.clock.plus_millis(delay),
            created_by: caller.principal.clone(),
            parent_grant: parent.map(|p| p.grant_id),
            token_hashes: vec![token_hash(&token)],
        };
        if let Some(s) = self.grants_mut(&key.arn) {
            s.insert(grant);
        }
        cx.check(
            CheckKind::Grant,
            true,
            if delay > 0 {
                format!(
                    "grant created; usable at once with its token, otherwise after {} seconds (eventual consistency)",
                    delay / SECOND
                )
            } else {
                "grant created".to_string()
            },
        );
        cx.response_log = Some(obj!({ "grantId": grant_id }));
        Ok(obj!({ "GrantId": grant_id, "GrantToken": token }))
    }

    fn grant_json(g: &Grant, key_id: &str) -> Json {
        let mut v = obj!({
            "KeyId": key_id, "GrantId": g.grant_id, "Name": g.name.clone().unwrap_or_default(),
            "CreationDate": g.creation_date.epoch_seconds(), "GranteePrincipal": g.grantee_principal,
            "IssuingAccount": format!("arn:aws:iam::{}:root", g.issuing_account), "Operations": g.operations,
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(rp) = &g.retiring_principal {
                o.insert("RetiringPrincipal".into(), ToJson::to_json(&rp));
            }
            if !g.constraints.is_empty() {
                o.insert("Constraints".into(), ToJson::to_json(&g.constraints));
            }
        }
        v
    }

    fn list_grants(&mut self, cx: &mut Cx, caller: &Caller, r: &ListGrants) -> Result<Json, KmsError> {
        cx.request_parameters =
            Some(obj!({ "keyId": r.key_id, "grantId": r.grant_id, "granteePrincipal": r.grantee_principal }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        let via_aws = caller.via_service.is_some();
        self.authorize_key(cx, caller, "kms:ListGrants", &key, None, None, None, |c| {
            c.insert_bool("kms:GrantIsForAWSResource", via_aws)
        })?;
        self.state(cx, "ListGrants", &key)?;
        let items: Vec<Json> = self
            .grants(&key.arn)
            .map(|s| {
                s.iter()
                    .filter(|g| r.grant_id.as_ref().is_none_or(|id| &g.grant_id == id))
                    .filter(|g| r.grantee_principal.as_ref().is_none_or(|p| &g.grantee_principal == p))
                    .map(|g| Self::grant_json(g, &key.key_id))
                    .collect()
            })
            .unwrap_or_default();
        paginate(items, "Grants", r.limit, r.marker.as_deref())
    }

    fn list_retirable_grants(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ListRetirableGrants,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "retiringPrincipal": r.retiring_principal }));
        self.authorize_identity(cx, caller, "kms:ListRetirableGrants", "*", |_| {})?;
        let items: Vec<Json> = self
            .keys
            .values()
            .flat_map(|e| {
                e.grants
                    .iter()
                    .filter(|g| g.retiring_principal.as_deref() == Some(r.retiring_principal.as_str()))
                    .map(|g| Self::grant_json(g, &e.key.key_id))
            })
            .collect();
        paginate(items, "Grants", r.limit, r.marker.as_deref())
    }

    fn retire_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &RetireGrant) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "grantId": r.grant_id }));
        // Find the grant: by token, or by key + grant id.
        let found: Option<(String, Grant)> = match (&r.grant_token, &r.key_id, &r.grant_id) {
            (Some(t), _, _) => {
                let h = token_hash(t);
                self.keys.values().find_map(|e| e.grants.by_token_hash(&h).map(|g| (e.key.arn.clone(), g.clone())))
            }
            (None, Some(k), Some(id)) => {
                let (key, _) = self.lookup_for(cx, caller, k, false)?;
                self.grants(&key.arn).and_then(|s| s.get(id)).map(|g| (key.arn.clone(), g.clone()))
            }
            _ => {
                return self.param(
                    cx,
                    Err(KmsError::validation("Either GrantToken, or both KeyId and GrantId, must be specified")),
                )
            }
        };
        let Some((karn, grant)) = found else {
            let e = if r.grant_token.is_some() {
                KmsError::new(
                    ErrorCode::InvalidGrantTokenException,
                    "The grant token is not valid or its grant was retired or revoked",
                )
            } else {
                missing_grant(r.grant_id.as_deref().unwrap_or_default())
            };
            cx.check(CheckKind::Grant, false, e.message.clone());
            return Err(e);
        };
        let key =
            self.key(&karn).cloned().ok_or_else(|| KmsError::not_found(format!("Key '{karn}' does not exist")))?;
        cx.resource(&key);
        cx.additional = Some(obj!({ "grantId": grant.grant_id }));
        // Who may retire: the retiring principal, the grantee when the grant includes RetireGrant, or the key's
        // account (decided by the grant, not by policies; an explicit IAM Deny on kms:RetireGrant still applies).
        let p = Principal::from_arn(&caller.principal);
        let ident_matches = |arn: &str| arn == caller.principal || p.role_arn.as_deref() == Some(arn);
        // An account named as retiring principal (or as grantee of a grant that includes RetireGrant) delegates
        // the right to its IAM principals: they need an identity-policy allow for kms:RetireGrant.
        let account_of = |arn: &str| -> Option<String> {
            let q = Principal::from_arn(arn);
            (q.kind == PrincipalKind::Root).then_some(q.account).flatten()
        };
        let delegating_account = grant
            .retiring_principal
            .as_deref()
            .and_then(account_of)
            .or_else(|| {
                grant.operations.contains("RetireGrant").then(|| account_of(&grant.grantee_principal)).flatten()
            })
            .filter(|a| p.account.as_deref() == Some(a.as_str()));
        let who = if grant.retiring_principal.as_deref().is_some_and(ident_matches) {
            Some("the caller is the grant's retiring principal")
        } else if ident_matches(&grant.grantee_principal) && grant.operations.contains("RetireGrant") {
            Some("the caller is the grantee and the grant includes RetireGrant")
        } else if p.account.as_deref() == Some(key.account.as_str()) && p.kind == PrincipalKind::Root {
            Some("the caller is the account that owns the key")
        } else if let Some(acct) = &delegating_account {
            let trace = self.retire_delegation(caller, &key)?;
            let allowed = trace.allowed();
            cx.authorizations.push(trace);
            if allowed {
                cx.check(
                    CheckKind::Grant,
                    true,
                    format!(
                        "account {acct} may retire the grant and an identity policy allows the caller kms:RetireGrant"
                    ),
                );
                Some("the caller's account may retire the grant and delegates it through IAM")
            } else {
                None
            }
        } else {
            None
        };
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        self.key_context(&mut context, &key);
        let denies = rc.identity_policies.iter().chain(rc.scps.iter()).any(|np| {
            let req = kmsim_policy::Request {
                principal: rc.principal.clone(),
                action: "kms:RetireGrant".into(),
                resource: key.arn.clone(),
                context: context.clone(),
            };
            kmsim_policy::evaluate(&np.policy, &req, kmsim_policy::EvalOptions::default()).decision
                == kmsim_policy::PolicyDecision::ExplicitDeny
        });
        drop(rc);
        match who {
            Some(reason) if !denies => cx.check(CheckKind::Grant, true, reason),
            Some(_) => {
                cx.check(CheckKind::Grant, false, "an identity policy explicitly denies kms:RetireGrant");
                return Err(KmsError::new(ErrorCode::AccessDeniedException, format!("User: {} is not authorized to perform: kms:RetireGrant on resource: {} with an explicit deny in an identity-based policy", caller.principal, key.arn)));
            }
            None => {
                cx.check(CheckKind::Grant, false, "only the retiring principal, the grantee (if the grant includes RetireGrant) or the key's account may retire a grant");
                return Err(KmsError::new(ErrorCode::AccessDeniedException, format!("User: {} is not authorized to perform: kms:RetireGrant on resource: {} because it is not the grant's retiring principal or a grantee allowed to retire it", caller.principal, key.arn)));
            }
        }
        self.state(cx, "RetireGrant", &key)?;
        self.dry_run(cx, r.dry_run)?;
        if let Some(s) = self.grants_mut(&karn) {
            s.remove(&grant.grant_id);
        }
        Ok(obj!({}))
    }

    /// Identity policies (with SCPs and boundaries) deciding kms:RetireGrant for a caller whose account may retire.
    fn retire_delegation(&self, caller: &Caller, key: &Key) -> Result<AuthzTrace, KmsError> {
        let rc = self.resolve_caller(caller)?;
        let mut context = self.base_context(&rc, caller);
        self.key_context(&mut context, key);
        Ok(authorize(
            &rc,
            AuthzInput {
                action: "kms:RetireGrant".into(),
                target: Target::Resource(key.arn.clone()),
                context,
                grant: None,
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        ))
    }

    fn revoke_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &RevokeGrant) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "grantId": r.grant_id }));
        cx.additional = Some(obj!({ "grantId": r.grant_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        let via_aws = caller.via_service.is_some();
        self.authorize_key(cx, caller, "kms:RevokeGrant", &key, None, None, None, |c| {
            c.insert_bool("kms:GrantIsForAWSResource", via_aws)
        })?;
        self.state(cx, "RevokeGrant", &key)?;
        if self.grants(&key.arn).and_then(|s| s.get(&r.grant_id)).is_none() {
            return self.param(cx, Err(missing_grant(&r.grant_id)));
        }
        self.dry_run(cx, r.dry_run)?;
        if let Some(s) = self.grants_mut(&key.arn) {
            s.remove(&r.grant_id);
        }
        Ok(obj!({}))
    }
}

/// The error for a grant id that names no grant: `InvalidGrantIdException` when the id cannot be a grant id at all
/// (AWS's are 64 hex digits), `NotFoundException` otherwise. [verify] AWS does not document where it draws the line.
fn missing_grant(grant_id: &str) -> KmsError {
    if grant_id.len() == 64 && grant_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        KmsError::not_found(format!("Grant ID {grant_id} not found"))
    } else {
        KmsError::new(ErrorCode::InvalidGrantIdException, format!("Invalid grant ID `{grant_id}`"))
    }
}

fn validate_grant(r: &CreateGrant, constraints: &crate::grant::GrantConstraints) -> Result<BTreeSet<String>, KmsError> {
    if r.operations.is_empty() {
        return Err(KmsError::validation("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    }
    let mut ops = BTreeSet::new();
    for o in &r.operations {
        if !GRANT_OPERATIONS.contains(&o.as_str()) {
            return Err(KmsError::validation(format!("1 validation error detected: Value '[{o}]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{}]]", GRANT_OPERATIONS.join(", "))));
        }
        ops.insert(o.clone());
    }
    if let Some(n) = &r.name {
        if n.is_empty()
            || n.len() > 256
            || !n.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'))
        {
            return Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and 256")));
        }
    }
    if r.grant_tokens.as_ref().is_some_and(|t| t.len() > 10) {
        return Err(KmsError::validation("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"));
    }
    for m in [&constraints.encryption_context_equals, &constraints.encryption_context_subset].into_iter().flatten() {
        if m.len() > 8 {
            return Err(KmsError::validation("A grant constraint can have at most 8 encryption context pairs"));
        }
        if m.values().any(|v| v.chars().count() > 384) {
            return Err(KmsError::validation("A grant constraint value can be at most 384 characters"));
        }
    }
    if constraints.encryption_context_equals.is_some() && constraints.encryption_context_subset.is_some() {
        return Err(KmsError::validation(
            "Specify either EncryptionContextEquals or EncryptionContextSubset, not both",
        ));
    }
    for p in std::iter::once(&r.grantee_principal).chain(r.retiring_principal.iter()) {
        let ok = p.starts_with("arn:") && (p.contains(":iam::") || p.contains(":sts::"));
        if !ok {
            return Err(KmsError::validation(format!("Invalid principal `{p}`: a grantee or retiring principal must be an account, user, role, federated user or assumed-role ARN")));
        }
    }
    Ok(ops)
}

fn validate_tags(tags: &[Tag]) -> Result<BTreeMap<String, String>, KmsError> {
    let mut out = BTreeMap::new();
    for t in tags {
        if t.tag_key.is_empty() || t.tag_key.chars().count() > 128 {
            return Err(KmsError::new(
                ErrorCode::TagException,
                format!("Tag key `{}` must be 1 to 128 characters", t.tag_key),
            ));
        }
        if t.tag_value.chars().count() > 256 {
            return Err(KmsError::new(
                ErrorCode::TagException,
                format!("Tag value for `{}` must be at most 256 characters", t.tag_key),
            ));
        }
        if t.tag_key.starts_with("aws:") {
            return Err(KmsError::new(ErrorCode::TagException, "Tag keys beginning with aws: are reserved"));
        }
        out.insert(t.tag_key.clone(), t.tag_value.clone());
    }
    Ok(out)
}

fn tag_request_context(c: &mut Context, tags: &BTreeMap<String, String>) {
    for (k, v) in tags {
        c.insert_string(format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        c.insert("aws:TagKeys", ContextValue::Multi(tags.keys().map(|k| Value::String(k.clone())).collect()));
    }
}

/// Tokens are stored only as hashes.
fn token_hash(token: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(token.as_bytes());
    h.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn paginate(items: Vec<Json>, field: &str, limit: Option<u32>, marker: Option<&str>) -> Result<Json, KmsError> {
    let limit = limit.unwrap_or(100).clamp(1, 1000) as usize;
    let start = match marker {
        None => 0,
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| KmsError::new(ErrorCode::InvalidMarkerException, format!("Invalid marker `{m}`")))?,
    };
    let page: Vec<Json> = items.iter().skip(start).take(limit).cloned().collect();
    let truncated = start + page.len() < items.len();
    let mut out = serde_json::Map::new();
    out.insert(field.into(), Json::Array(page));
    out.insert("Truncated".into(), ToJson::to_json(&truncated));
    if truncated {
        out.insert("NextMarker".into(), ToJson::to_json(&(start + limit).to_string()));
    }
    Ok(Json::Object(out))
}
