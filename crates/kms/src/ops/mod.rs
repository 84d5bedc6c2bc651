//! The API operations. Each call runs in AWS's order: parameter validation, key lookup, authorization, key state,
//! key usage, then the work itself (cryptography last). Every call gets one [`CallTrace`] and one audit record.
//!
//! One module per family (keys, aliases, tags, rotation, crypto, grants); [`steps`] holds what they share; this
//! module drives a call (resolve the caller, dispatch, record the audit event, assemble the trace); [`time`] runs
//! what KMS does on its own when the clock advances; [`audit`] writes the CloudTrail-shaped records.

#[macro_use]
mod json;
mod aliases;
mod audit;
mod crypto;
mod grants;
mod keys;
mod rotation;
mod steps;
mod tags;
mod time;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::api::KmsRequest;
use crate::audit::EventId;
use crate::authz::{authorize, AuthzInput, GrantCheck, Target};
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::hsm::EncryptionContext;
use crate::key::Key;
use crate::operation::Operation;
use crate::principal::{acting_through, Caller};
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
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub event_id: EventId,
}

impl CallOutcome {
    pub fn is_success(&self) -> bool {
        self.response.is_ok()
    }
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.response.as_ref().err().map(|e| e.code)
    }
}

/// The parameters of an authorization question that feed condition keys (see [`World::simulate_request`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulatedRequest<'a> {
    /// `kms:EncryptionContext:*`, `kms:EncryptionContextKeys`.
    pub ec: Option<&'a EncryptionContext>,
    /// How the request names the key: an alias name or alias ARN gives `kms:RequestAlias`.
    pub key_id: Option<&'a str>,
    /// CreateGrant's `Operations`: `kms:GrantOperations`.
    pub grant_operations: Option<&'a std::collections::BTreeSet<String>>,
    /// `BypassPolicyLockoutSafetyCheck` (CreateKey, PutKeyPolicy): `kms:BypassPolicyLockoutSafetyCheck`.
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// Tags in the request (CreateKey, TagResource): `aws:RequestTag/*`, `aws:TagKeys`.
    pub request_tags: Option<&'a std::collections::BTreeMap<String, String>>,
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

impl World {
    /// Runs one API call as `caller`.
    pub fn call(&mut self, caller: &Caller, request: &KmsRequest) -> CallOutcome {
        // A role named as the caller acts through a session of the role, as every request to AWS does.
        let session = caller.role_session();
        let role = session.as_ref().map(|_| caller.principal.as_str());
        let caller = session.as_ref().unwrap_or(caller);
        let mut cx = Cx {
            authorizations: Vec::new(),
            checks: Vec::new(),
            request_parameters: None,
            additional: None,
            resources: Vec::new(),
            response_log: None,
        };
        let op = request.op();
        let result = match self.resolve_caller(caller) {
            Err(e) => Err(e),
            Ok(_) => match request.validate() {
                Err(e) => {
                    cx.check(CheckKind::Parameters, false, e.message.clone());
                    let params = crate::validate::logged_parameters(op.name(), &request.params());
                    cx.request_parameters = Some(params);
                    Err(e)
                }
                Ok(()) => self.dispatch(&mut cx, caller, request),
            },
        };
        let event_id = self.record_call(caller, op, &cx, result.as_ref().err());
        if let Some(role) = role {
            for a in &mut cx.authorizations {
                a.explanation.insert(0, acting_through(role, &caller.principal));
            }
        }
        let outcome = match &result {
            Ok(_) => Outcome::Success,
            Err(e) => Outcome::Error { code: e.code, message: e.message.clone() },
        };
        // A call needs one to three authorizations and a few checks: no room kept for more.
        cx.authorizations.shrink_to_fit();
        cx.checks.shrink_to_fit();
        CallOutcome {
            response: result,
            trace: CallTrace {
                operation: op.name().to_string(),
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
        self.simulate_request(caller, action, resource, &SimulatedRequest { ec, ..SimulatedRequest::default() })
    }

    /// [`World::simulate`] with the request's parameters that feed condition keys, derived as the call derives
    /// them (the same functions of `context`). With `key_id`, the key is found as the call finds it (an alias of
    /// the caller's account) and `resource` may be empty.
    pub fn simulate_request(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        req: &SimulatedRequest<'_>,
    ) -> Result<AuthzTrace, KmsError> {
        // A role named as the caller acts through a session of the role, as in a call.
        let session = caller.role_session();
        let role = session.as_ref().map(|_| caller.principal.as_str());
        let caller = session.as_ref().unwrap_or(caller);
        let rc = self.resolve_caller(caller)?;
        let action = if action.contains(':') { action.to_string() } else { format!("kms:{action}") };
        let op = action.split(':').nth(1).unwrap_or("");
        let named = match req.key_id {
            Some(id) => Some(self.find_key(id, &steps::caller_account(caller))?),
            None => None,
        };
        let resource = match &named {
            Some((arn, _)) if resource.is_empty() || resource == arn => arn.as_str(),
            Some((arn, _)) => {
                return Err(KmsError::validation(format!(
                    "`{}` names {arn}, not the resource `{resource}`",
                    req.key_id.unwrap_or("")
                )))
            }
            None => resource,
        };
        let operation = Operation::of_action(&action);
        // The keys the operation sets from its parameters' defaults, then those of the parameters the question
        // gives (as a call sets them from what it sends).
        let extra = |c: &mut kmsim_policy::Context| {
            if let Some(op) = operation {
                context::request_defaults(c, op, caller);
            }
            if let Some(ops) = req.grant_operations {
                context::grant_operations(c, ops);
            }
            if let Some(bypass) = req.bypass_policy_lockout_safety_check {
                context::bypass_lockout(c, Some(bypass));
            }
            if let Some(tags) = req.request_tags {
                context::request_tags(c, tags);
            }
        };
        let (context, target) = match self.keys.get(resource) {
            Some(entry) => {
                let alias = named.as_ref().and_then(|(_, ident)| ident.alias_name());
                let on = context::OnKey { key: &entry.key, alias, ec: req.ec };
                (context::on_key(self, &rc, caller, on, extra), Target::Key(&entry.key, &entry.grants))
            }
            None => {
                let mut c = context::on_resource(self, &rc, caller, extra);
                if let Some(ec) = req.ec {
                    context::encryption_context(&mut c, ec);
                }
                (c, Target::Resource(resource.to_string()))
            }
        };
        let grant_op = Operation::of_grant_operation(op).map(|_| op);
        let mut trace = authorize(
            &rc,
            AuthzInput {
                action: action.clone(),
                target,
                context,
                grant: grant_op.map(|operation| GrantCheck { operation, ec: req.ec, token_grants: &[] }),
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        if let Some(role) = role {
            trace.explanation.insert(0, acting_through(role, &caller.principal));
        }
        Ok(trace)
    }

    fn dispatch(&mut self, cx: &mut Cx, caller: &Caller, request: &KmsRequest) -> Result<Json, KmsError> {
        match request {
            KmsRequest::CreateKey(r) => self.create_key(cx, caller, r),
            KmsRequest::DescribeKey(r) => self.describe_key(cx, caller, r),
            KmsRequest::ListKeys(r) => self.list_keys(cx, caller, r),
            KmsRequest::UpdateKeyDescription(r) => self.update_key_description(cx, caller, r),
            KmsRequest::EnableKey(r) => self.enable_disable(cx, caller, Operation::EnableKey, &r.key_id),
            KmsRequest::DisableKey(r) => self.enable_disable(cx, caller, Operation::DisableKey, &r.key_id),
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
            KmsRequest::GenerateDataKey(r) => self.generate_data_key(cx, caller, crypto::DataKey::with_plaintext(r)),
            KmsRequest::GenerateDataKeyWithoutPlaintext(r) => {
                self.generate_data_key(cx, caller, crypto::DataKey::without_plaintext(r))
            }
            KmsRequest::GenerateRandom(r) => self.generate_random(cx, caller, r),
            KmsRequest::CreateGrant(r) => self.create_grant(cx, caller, r),
            KmsRequest::ListGrants(r) => self.list_grants(cx, caller, r),
            KmsRequest::ListRetirableGrants(r) => self.list_retirable_grants(cx, caller, r),
            KmsRequest::RetireGrant(r) => self.retire_grant(cx, caller, r),
            KmsRequest::RevokeGrant(r) => self.revoke_grant(cx, caller, r),
        }
    }
}
