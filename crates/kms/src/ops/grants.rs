//! Grants: create (with name idempotency and narrowing), list, list retirable, retire, revoke.

use std::collections::BTreeSet;

use kmsim_policy::{Principal, PrincipalKind};
use serde_json::Value as Json;

use super::json::{paginate, ToJson};
use super::steps::{token_hash, KeyAuthz};
use super::Cx;
use crate::api::*;
use crate::authz::{authorize, AuthzInput, Target};
use crate::clock::SECOND;
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::grant::{Grant, GrantStore, PageQuery};
use crate::hsm::{EncryptionContext, Hsm};
use crate::key::{Key, KeyKind, KeyManager};
use crate::operation::Operation;
use crate::principal::Caller;
use crate::trace::{AuthzTrace, CheckKind};
use crate::world::World;

impl World {
    pub(super) fn create_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateGrant) -> Result<Json, KmsError> {
        let constraints = r.constraints.clone().unwrap_or_default();
        cx.request_parameters = Some(obj!({
            "keyId": r.key_id, "granteePrincipal": r.grantee_principal, "retiringPrincipal": r.retiring_principal,
            "operations": r.operations, "constraints": r.constraints, "name": r.name,
        }));
        let grantee = self.grantee(cx, r)?;
        let ops = self.param(cx, validate_grant(r, &grantee, &constraints))?;
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
        let new_grant = context::NewGrant {
            operations: &ops,
            grantee: &grantee,
            retiring: r.retiring_principal.as_deref(),
            constraint_type: constraints.constraint_type(),
            via_aws,
            ec: grant_ec,
        };
        let authz = KeyAuthz::new(Operation::CreateGrant, &key).tokens(r.grant_tokens.as_deref());
        self.authorize_key(cx, caller, authz, |c| context::new_grant(c, &new_grant))?;
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
        self.state(cx, Operation::CreateGrant, &key)?;
        self.param(cx, grant_suits_key(&ops, &constraints, &key))?;
        if self.dry_run(cx, r.dry_run).is_err() {
            return Err(KmsError::new(
                ErrorCode::DryRunOperationException,
                "The request would have succeeded, but the DryRun option is set.",
            ));
        }
        // Name idempotency: the same Name and parameters return the original grant.
        if let Some(name) = &r.name {
            if let Some(existing) = self.grants(&key.arn).and_then(|s| s.by_name(name)).cloned() {
                let same = existing.grantee_principal == grantee
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
            grantee_principal: grantee.clone(),
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

    /// CreateGrant's grantee: `GranteePrincipal`, or `GranteeServicePrincipal` (refused: the simulator does not
    /// simulate grants for AWS service principals, nor the `SourceArn` constraint and `RetiringServicePrincipal`
    /// that go with them).
    fn grantee(&self, cx: &mut Cx, r: &CreateGrant) -> Result<String, KmsError> {
        let names = ("GranteePrincipal", "GranteeServicePrincipal");
        let grantee =
            match self.either(cx, r.grantee_principal.as_deref(), r.grantee_service_principal.is_some(), names)? {
                Some(p) => p.to_string(),
                None => return self.unsupported(cx, "grants for AWS service principals (`GranteeServicePrincipal`)"),
            };
        if r.retiring_service_principal.is_some() {
            return self.unsupported(cx, "grants for AWS service principals (`RetiringServicePrincipal`)");
        }
        if r.constraints.as_ref().is_some_and(|c| c.source_arn.is_some()) {
            return self
                .unsupported(cx, "the `SourceArn` grant constraint (it goes with grants for AWS service principals)");
        }
        Ok(grantee)
    }

    /// Two members of which a request gives exactly one (API reference, CreateGrant: "You must specify either
    /// GranteePrincipal or GranteeServicePrincipal, but not both"): the principal, or `None` for the service
    /// principal.
    fn either<'r>(
        &self,
        cx: &mut Cx,
        principal: Option<&'r str>,
        service: bool,
        (a, b): (&str, &str),
    ) -> Result<Option<&'r str>, KmsError> {
        match (principal, service) {
            (Some(_), true) => {
                self.param(cx, Err(KmsError::validation(format!("You must specify either {a} or {b}, but not both."))))
            }
            (None, false) => self.param(cx, Err(KmsError::validation(format!("You must specify either {a} or {b}.")))),
            (p, _) => Ok(p),
        }
    }

    /// A `GrantListEntry`: `KeyId` is the key ARN, `Name` only when the grant has one.
    pub(super) fn grant_json(g: &Grant, key_arn: &str) -> Json {
        let mut v = obj!({
            "KeyId": key_arn, "GrantId": g.grant_id,
            "CreationDate": g.creation_date.epoch_seconds(), "GranteePrincipal": g.grantee_principal,
            "IssuingAccount": format!("arn:aws:iam::{}:root", g.issuing_account), "Operations": g.operations,
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(name) = &g.name {
                o.insert("Name".into(), ToJson::to_json(name));
            }
            if let Some(rp) = &g.retiring_principal {
                o.insert("RetiringPrincipal".into(), ToJson::to_json(&rp));
            }
            if !g.constraints.is_empty() {
                o.insert("Constraints".into(), ToJson::to_json(&g.constraints));
            }
        }
        v
    }

    pub(super) fn list_grants(&mut self, cx: &mut Cx, caller: &Caller, r: &ListGrants) -> Result<Json, KmsError> {
        cx.request_parameters =
            Some(obj!({ "keyId": r.key_id, "grantId": r.grant_id, "granteePrincipal": r.grantee_principal }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        let via_aws = caller.via_service.is_some();
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::ListGrants, &key), |c| {
            context::grant_for_aws_resource(c, via_aws)
        })?;
        self.state(cx, Operation::ListGrants, &key)?;
        // The marker is the id of the next page's first grant, so a page seeks instead of skipping.
        if let Some(m) = r.marker.as_deref().filter(|m| !is_grant_id(m)) {
            return Err(KmsError::new(ErrorCode::InvalidMarkerException, format!("Invalid marker `{m}`")));
        }
        let query = PageQuery {
            grant_id: r.grant_id.as_deref(),
            grantee: r.grantee_principal.as_deref(),
            from: r.marker.as_deref(),
            limit: crate::model::page_size(Operation::ListGrants.name(), r.limit),
        };
        let no_grants = GrantStore::default();
        let (page, next) = self.grants(&key.arn).unwrap_or(&no_grants).page(&query);
        // No grant has a service principal grantee (CreateGrant refuses them), so that filter matches none.
        let page = if r.grantee_service_principal.is_some() { Vec::new() } else { page };
        let next = next.filter(|_| r.grantee_service_principal.is_none());
        let grants: Vec<Json> = page.into_iter().map(|g| Self::grant_json(g, &key.arn)).collect();
        let mut out = obj!({ "Grants": grants, "Truncated": next.is_some() });
        if let (Some(next), Some(o)) = (next, out.as_object_mut()) {
            o.insert("NextMarker".into(), ToJson::to_json(next));
        }
        Ok(out)
    }

    pub(super) fn list_retirable_grants(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ListRetirableGrants,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "retiringPrincipal": r.retiring_principal }));
        // No grant has a service principal as retiring principal (CreateGrant refuses them): that one matches none.
        let names = ("RetiringPrincipal", "RetiringServicePrincipal");
        let retiring =
            self.either(cx, r.retiring_principal.as_deref(), r.retiring_service_principal.is_some(), names)?;
        self.authorize_identity(cx, caller, Operation::ListRetirableGrants, "*", |_| {})?;
        let items: Vec<Json> = self
            .keys
            .values()
            .flat_map(|e| {
                e.grants
                    .iter()
                    .filter(|g| retiring.is_some() && g.retiring_principal.as_deref() == retiring)
                    .map(|g| Self::grant_json(g, &e.key.arn))
            })
            .collect();
        paginate(items, "Grants", Operation::ListRetirableGrants, r.limit, r.marker.as_deref())
    }

    pub(super) fn retire_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &RetireGrant) -> Result<Json, KmsError> {
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
        let context = context::of_key(self, &rc, caller, &key);
        let denies = rc.identity_policies.iter().chain(rc.scps.iter()).any(|np| {
            let req = kmsim_policy::Request {
                principal: rc.principal.clone(),
                action: "kms:RetireGrant".into(),
                resource: key.arn.clone(),
                context: context.clone(),
                resource_account: Some(key.account.clone()),
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
        self.state(cx, Operation::RetireGrant, &key)?;
        self.dry_run(cx, r.dry_run)?;
        if let Some(s) = self.grants_mut(&karn) {
            s.remove(&grant.grant_id);
        }
        Ok(obj!({}))
    }

    /// Identity policies (with SCPs and boundaries) deciding kms:RetireGrant for a caller whose account may retire.
    pub(super) fn retire_delegation(&self, caller: &Caller, key: &Key) -> Result<AuthzTrace, KmsError> {
        let rc = self.resolve_caller(caller)?;
        let context = context::of_key(self, &rc, caller, key);
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

    pub(super) fn revoke_grant(&mut self, cx: &mut Cx, caller: &Caller, r: &RevokeGrant) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "grantId": r.grant_id }));
        cx.additional = Some(obj!({ "grantId": r.grant_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        let via_aws = caller.via_service.is_some();
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::RevokeGrant, &key), |c| {
            context::grant_for_aws_resource(c, via_aws)
        })?;
        self.state(cx, Operation::RevokeGrant, &key)?;
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
    if is_grant_id(grant_id) {
        KmsError::not_found(format!("Grant ID {grant_id} not found"))
    } else {
        KmsError::new(ErrorCode::InvalidGrantIdException, format!("Invalid grant ID `{grant_id}`"))
    }
}

fn validate_grant(
    r: &CreateGrant,
    grantee: &str,
    constraints: &crate::grant::GrantConstraints,
) -> Result<BTreeSet<String>, KmsError> {
    if r.operations.is_empty() {
        return Err(KmsError::validation("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    }
    let mut ops = BTreeSet::new();
    for o in &r.operations {
        if Operation::of_grant_operation(o).is_none() {
            // The model's GrantOperation enum was checked before the call ran: this is one of its operations the
            // simulator does not know (Encapsulate, Decapsulate: ML-KEM keys have no cryptography here).
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("kmsim does not simulate grants for the {o} operation (it is not implemented)"),
            ));
        }
        ops.insert(o.clone());
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
    for p in std::iter::once(grantee).chain(r.retiring_principal.as_deref()) {
        let ok = p.starts_with("arn:") && (p.contains(":iam::") || p.contains(":sts::"));
        if !ok {
            return Err(KmsError::validation(format!("Invalid principal `{p}`: a grantee or retiring principal must be an account, user, role, federated user or assumed-role ARN")));
        }
    }
    Ok(ops)
}

/// A grant's operations must be ones its key supports (the operation table's [`crate::operation::GrantOp::keys`]),
/// and only a grant for a symmetric encryption key may have an encryption-context constraint (API reference,
/// CreateGrant `Constraints`: "You cannot use an encryption context grant constraint for cryptographic operations
/// with asymmetric KMS keys or HMAC KMS keys"). Both answer `ValidationException`; AWS's exact texts are not
/// documented, so the messages are kmsim's.
fn grant_suits_key(
    ops: &BTreeSet<String>,
    constraints: &crate::grant::GrantConstraints,
    key: &Key,
) -> Result<(), KmsError> {
    let kind = KeyKind::of(key.key_spec, key.key_usage);
    let describe = || format!("key spec {} and key usage {}", key.key_spec.as_str(), key.key_usage.as_str());
    let suits = |o: &str| {
        Operation::of_grant_operation(o).and_then(|op| op.facts().grant).is_some_and(|g| g.keys.contains(&kind))
    };
    if let Some(bad) = ops.iter().find(|o| !suits(o)) {
        return Err(KmsError::validation(format!(
            "The grant operation {bad} is not supported on a KMS key with {}",
            describe()
        )));
    }
    if constraints.constraint_type().is_some() && kind != KeyKind::SymmetricEncryption {
        return Err(KmsError::validation(format!(
            "Encryption context grant constraints are supported only on symmetric encryption KMS keys, not on a KMS key with {}",
            describe()
        )));
    }
    Ok(())
}

/// Whether `s` can be a grant id (AWS's are 64 hex digits).
fn is_grant_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
