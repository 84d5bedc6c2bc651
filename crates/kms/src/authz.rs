//! Authorization of one KMS action: the key policy, the caller's identity policies, guardrails (SCPs, permissions
//! boundary, session policy) and grants, combined the way AWS combines them (reference sections 1c-1e).
//!
//! The combination is AWS's general evaluation logic, [`kmsim_policy::combine`], with the key policy as the
//! resource-based policy that must allow (KMS Developer Guide, *Key policies*). What is KMS's own stays here: the
//! operations that can be called on a key in another account, and grants.
//!
//! Modelling choices (AWS leaves them implicit; see the crate README):
//! - An explicit Deny in any policy wins; grants never deny and never override a deny.
//! - SCPs listed on an account are one organization level: at least one must allow. A grant is still subject to SCPs.
//! - A key-policy allow that names the caller's own user or role-session ARN, or `*`, is not cut by an implicit deny
//!   in a permissions boundary or session policy; an allow that names the role is, and one that names the account
//!   delegates to IAM policies (IAM User Guide, *Principal*,
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
//! - A grant to a role applies to every session of that role.

use kmsim_policy::{
    combine, evaluate, CombineInput, Context, Decided, Decision, EvalOptions, MissingAllow as GenericMissing, Part,
    PolicyDecision, PolicyType, PrincipalKind, PrincipalMatch, Request, StatementAt, StepKind,
};

use crate::clock::Timestamp;
use crate::grant::{Grant, GrantStore};
use crate::hsm::EncryptionContext;
use crate::key::Key;
use crate::operation::is_cross_account_action;
use crate::policy::NamedPolicy;
use crate::principal::ResolvedCaller;
use crate::trace::{
    statement_label, AuthzTrace, CombiningRule, DecidedBy, GrantEval, Missing, PolicyEval, PolicyKind, StatementId,
};

/// What is being authorized.
pub(crate) enum Target<'a> {
    /// A key-resource action: the key policy takes part.
    Key(&'a Key, &'a GrantStore),
    /// An action on an alias or with no resource (`*`): identity policies only.
    Resource(String),
}

/// A grant check to make when the key-policy/IAM path does not allow.
pub(crate) struct GrantCheck<'a> {
    /// The grant operation name, e.g. `Decrypt` or `ReEncryptFrom`.
    pub operation: &'a str,
    /// The request's encryption context, for operations that take one (constraints apply only to those).
    pub ec: Option<&'a EncryptionContext>,
    /// Grant ids whose tokens the request presented (valid tokens make a grant usable at once).
    pub token_grants: &'a [String],
}

pub(crate) struct AuthzInput<'a> {
    pub action: String,
    pub target: Target<'a>,
    pub context: Context,
    pub grant: Option<GrantCheck<'a>>,
    pub session_policy: Option<&'a NamedPolicy>,
    pub now: Timestamp,
    pub trace: bool,
}

pub(crate) fn authorize(rc: &ResolvedCaller<'_>, input: AuthzInput<'_>) -> AuthzTrace {
    let opts = EvalOptions { trace: input.trace };
    let (resource, key) = match &input.target {
        Target::Key(k, _) => (k.arn.clone(), Some(*k)),
        Target::Resource(r) => (r.clone(), None),
    };
    let mut principal = rc.principal.clone();
    principal.permissions_boundary = rc.boundary.is_some();
    let request = Request {
        principal,
        action: input.action.clone(),
        resource: resource.clone(),
        context: input.context,
        resource_account: key.map(|k| k.account.clone()),
    };
    let mut explanation = Vec::new();
    let caller_account = rc.account().unwrap_or("").to_string();
    let rule = match key {
        None => CombiningRule::IdentityOnly,
        Some(k) if k.account == caller_account => CombiningRule::SameAccount,
        Some(_) => CombiningRule::CrossAccount,
    };

    // Evaluate every policy that takes part.
    let mut policies: Vec<PolicyEval> = Vec::new();
    let caller_arn = rc.principal.arn.clone();
    let owner_of = |kind: PolicyKind| -> String {
        match kind {
            PolicyKind::Scp => format!("account {caller_account}"),
            _ => rc.principal.role_arn.clone().unwrap_or_else(|| caller_arn.clone()),
        }
    };
    for scp in &rc.scps {
        policies.push(eval_one(PolicyKind::Scp, scp, owner_of(PolicyKind::Scp), &request, opts));
    }
    if let Some(k) = key {
        policies.push(PolicyEval {
            kind: PolicyKind::KeyPolicy,
            name: k.policy.name.clone(),
            attached_to: k.arn.clone(),
            result: evaluate(&k.policy.policy, &request, opts),
        });
    }
    for p in &rc.identity_policies {
        policies.push(eval_one(PolicyKind::Identity, p, owner_of(PolicyKind::Identity), &request, opts));
    }
    if let Some(b) = rc.boundary {
        policies.push(eval_one(
            PolicyKind::PermissionsBoundary,
            b,
            owner_of(PolicyKind::PermissionsBoundary),
            &request,
            opts,
        ));
    }
    if let Some(s) = input.session_policy {
        policies.push(eval_one(PolicyKind::Session, s, caller_arn.clone(), &request, opts));
    }

    // The combination is AWS's evaluation logic (kmsim_policy::combine); what follows reads its steps and words
    // them as KMS does, and adds what only KMS has: the cross-account operation list and grants.
    let parts: Vec<Part<'_>> =
        policies.iter().map(|p| Part { ty: policy_type_of(p.kind), level: 0, result: &p.result }).collect();
    let combined = combine(
        CombineInput {
            principal: &request.principal,
            resource_account: key.map(|k| k.account.as_str()),
            // A key policy must allow, directly or by delegating to the account (KMS Developer Guide, *Key
            // policies*: "no AWS principal has any permissions to a KMS key unless that permission is explicitly
            // allowed in a key policy").
            resource_policy_required: key.is_some(),
        },
        &parts,
    );

    // 1. An explicit deny anywhere wins.
    let denied_by = match &combined.decided {
        Decided::ExplicitDeny { statement } => policies.get(statement.policy),
        _ => None,
    };
    if let Some(p) = denied_by {
        let statement = deciding_statement(p);
        explanation.push(format!(
            "explicit deny: statement {} of the {} `{}` denies {}; an explicit deny overrides every allow and grant",
            statement.label(),
            p.kind.label(),
            p.name,
            input.action
        ));
        let decided_by = DecidedBy::ExplicitDeny { statement };
        return finish(request, rule, policies, (Vec::new(), 0), (Decision::ExplicitDeny, decided_by), explanation);
    }
    explanation.push("no explicit deny in any policy".to_string());

    let allows = |kind: PolicyKind| {
        policies.iter().filter(move |p| p.kind == kind && p.result.decision == PolicyDecision::Allow)
    };

    // Guardrails (SCPs of an account are one level in scenarios).
    let scp_ok = combined.passed(StepKind::Scp) != Some(false);
    if combined.passed(StepKind::Scp).is_some() {
        explanation.push(if scp_ok {
            "service control policies allow the action".to_string()
        } else {
            "no service control policy allows the action: implicit deny for every principal of the account".to_string()
        });
    }
    let boundary_ok = combined.passed(StepKind::PermissionsBoundary) != Some(false);
    let session_ok = combined.passed(StepKind::SessionPolicy) != Some(false);
    let root = rc.kind() == PrincipalKind::Root;
    let identity_allow: Option<StatementId> = allows(PolicyKind::Identity).next().map(deciding_statement);
    let identity_ok = root || identity_allow.is_some();
    // How explanations name the identity policy that allows (the root user needs none).
    let identity_name = identity_allow.as_ref().map_or("(root user)", |s| s.name.as_str()).to_string();
    let identity_allows = |action: &str| match &identity_allow {
        Some(s) => format!("identity policy `{}` allows {action}", s.name),
        None => format!("the account's root user needs no identity policy for {action}"),
    };

    // Grants (evaluated only for the caller's own grants: the index makes the cost independent of other grants).
    let (grant_evals, grants_skipped, grant_ok) = match (&input.target, &input.grant) {
        (Target::Key(_, store), Some(check)) => eval_grants(rc, store, check, input.now),
        _ => (Vec::new(), 0, None),
    };
    let missing_of = |d: &Decided| match d {
        Decided::ImplicitDeny { missing } => match missing {
            GenericMissing::Scp { .. } => Missing::ScpAllow,
            GenericMissing::Rcp { .. } | GenericMissing::ResourcePolicy => Missing::ResourcePolicy,
            GenericMissing::IdentityPolicy => Missing::IdentityPolicy,
            GenericMissing::PermissionsBoundary => Missing::BoundaryAllow,
            GenericMissing::SessionPolicy => Missing::SessionAllow,
        },
        _ => Missing::IdentityPolicy,
    };

    let decided: Result<DecidedBy, Missing> = match (rule, key) {
        (CombiningRule::IdentityOnly, _) | (_, None) => match &combined.decided {
            Decided::Identity { .. } | Decided::ResourceAndIdentity { .. } | Decided::ResourcePolicy { .. } => {
                explanation.push(identity_allows(&input.action));
                Ok(DecidedBy::Identity { statement: identity_allow.clone() })
            }
            d => {
                let missing = missing_of(d);
                if missing == Missing::IdentityPolicy {
                    explanation.push(format!("{} has no key policy: an identity policy must allow it", input.action));
                }
                Err(missing)
            }
        },
        (rule, Some(k)) => {
            let kp_name = policies.iter().find(|p| p.kind == PolicyKind::KeyPolicy).map(|p| p.name.clone());
            let kp_statement = |s: &StatementAt| StatementId {
                policy: PolicyKind::KeyPolicy,
                name: kp_name.clone().unwrap_or_default(),
                index: s.index,
                sid: s.sid.as_deref().map(str::to_string),
            };
            let direct = combined.direct_allow();
            let via_account = combined.account_allow();
            let cross = rule == CombiningRule::CrossAccount;
            if cross && !is_cross_account_action(&input.action) {
                explanation.push(format!(
                    "{} cannot be used on a key in another account (only cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant and RevokeGrant can)",
                    input.action
                ));
                Err(Missing::CrossAccountNotSupported)
            } else if !scp_ok {
                Err(Missing::ScpAllow)
            } else {
                let mut result: Option<DecidedBy> = None;
                if !cross {
                    if let Some((s, m)) = direct {
                        if matches!(combined.decided, Decided::ResourcePolicy { .. }) {
                            explanation.push(format!(
                                "same account: key policy statement {} allows the caller directly{}",
                                label(s),
                                match m {
                                    PrincipalMatch::Exact => " (by its own ARN)",
                                    PrincipalMatch::Wildcard if !boundary_ok || !session_ok => {
                                        " (`*`: a permissions boundary or session policy does not limit it)"
                                    }
                                    _ => "",
                                }
                            ));
                            result = Some(DecidedBy::KeyPolicy { statement: kp_statement(s) });
                        } else {
                            explanation.push(format!(
                                "key policy statement {} allows the caller, but an implicit deny in its {} still applies",
                                label(s),
                                if boundary_ok { "session policy" } else { "permissions boundary" }
                            ));
                        }
                    }
                    if result.is_none() {
                        if let Some(s) = via_account {
                            explanation.push(format!(
                                "same account: key policy statement {} allows the account, which delegates to IAM policies",
                                label(s)
                            ));
                            if let Decided::ResourceAndIdentity { .. } = combined.decided {
                                explanation.push(identity_allows(&input.action));
                                result = Some(DecidedBy::KeyPolicyAndIdentity {
                                    key_policy: kp_statement(s),
                                    identity: identity_allow.clone(),
                                });
                            } else if !identity_ok {
                                explanation.push(format!("no identity policy of the caller allows {}", input.action));
                            }
                        } else if direct.is_none() {
                            explanation.push("the key policy allows neither the caller nor its account".to_string());
                        }
                    }
                } else {
                    let owner = direct.or(via_account.map(|s| (s, PrincipalMatch::Account)));
                    match owner {
                        Some((s, m)) => {
                            explanation.push(format!(
                                "cross account: key policy statement {} in account {} allows the caller{}",
                                label(s),
                                k.account,
                                if m == PrincipalMatch::Account { "'s account" } else { "" }
                            ));
                            if let Decided::ResourceAndIdentity { .. } = combined.decided {
                                explanation.push(format!(
                                    "cross account: identity policy `{identity_name}` in account {caller_account} allows {} on the key",
                                    input.action
                                ));
                                result = Some(DecidedBy::KeyPolicyAndIdentity {
                                    key_policy: kp_statement(s),
                                    identity: identity_allow.clone(),
                                });
                            } else if !identity_ok {
                                explanation.push(format!(
                                    "cross account: no identity policy in account {caller_account} allows {} on this key; both accounts must allow",
                                    input.action
                                ));
                            }
                        }
                        None => explanation.push(format!(
                            "cross account: the key policy in account {} allows neither the caller nor its account",
                            k.account
                        )),
                    }
                }
                if result.is_none() {
                    if let Some(g) = &grant_ok {
                        let grant = crate::trace::grant_words(&g.grant_id, g.name.as_ref());
                        explanation.push(format!("{grant} allows the operation"));
                        result = Some(DecidedBy::Grant { grant_id: g.grant_id.clone() });
                    }
                }
                match result {
                    Some(d) => Ok(d),
                    None => Err(missing_of(&combined.decided)),
                }
            }
        }
    };
    let verdict = match decided {
        Ok(d) => (Decision::Allow, d),
        Err(missing) => {
            for g in grant_evals.iter().filter(|g| g.pending_until.is_some()) {
                explanation.push(format!(
                    "{} would allow the operation but is not in effect yet (eventual consistency) until {}",
                    crate::trace::grant_words(&g.grant_id, g.name.as_ref()),
                    g.pending_until.map(|t| t.to_string()).unwrap_or_default()
                ));
            }
            explanation.push(format!("implicit deny: {}", missing.text()));
            (Decision::ImplicitDeny, DecidedBy::ImplicitDeny { missing })
        }
    };
    finish(request, rule, policies, (grant_evals, grants_skipped), verdict, explanation)
}

/// The trace of an authorization: the grants seen (those evaluated and how many were skipped) and the verdict.
fn finish(
    request: Request,
    rule: CombiningRule,
    policies: Vec<PolicyEval>,
    (grants, grants_skipped): (Vec<GrantEval>, usize),
    (decision, decided_by): (Decision, DecidedBy),
    explanation: Vec<String>,
) -> AuthzTrace {
    AuthzTrace {
        action: request.action,
        resource: request.resource,
        rule,
        context: request.context,
        policies,
        grants,
        grants_skipped,
        decision,
        decided_by,
        explanation,
    }
}

fn eval_one(
    kind: PolicyKind,
    p: &NamedPolicy,
    attached_to: String,
    request: &Request,
    opts: EvalOptions,
) -> PolicyEval {
    PolicyEval { kind, name: p.name.clone(), attached_to, result: evaluate(&p.policy, request, opts) }
}

/// The policy type a kind of KMS policy is evaluated as (a key policy is a resource-based policy).
fn policy_type_of(kind: PolicyKind) -> PolicyType {
    match kind {
        PolicyKind::KeyPolicy => PolicyType::Resource,
        PolicyKind::Identity => PolicyType::Identity,
        PolicyKind::Scp => PolicyType::Scp,
        PolicyKind::PermissionsBoundary => PolicyType::PermissionsBoundary,
        PolicyKind::Session => PolicyType::Session,
    }
}

/// How explanations name a statement ([`statement_label`]).
fn label(s: &StatementAt) -> String {
    statement_label(s.index, s.sid.as_deref())
}

/// The statement that decided a policy's Deny or Allow (its first applying statement of that effect). A decision
/// always comes from an applying statement; index 0 without a Sid stands in should the result have none.
fn deciding_statement(p: &PolicyEval) -> StatementId {
    let s = p.result.deciding().next();
    StatementId {
        policy: p.kind,
        name: p.name.clone(),
        index: s.map_or(0, |s| s.index),
        sid: s.and_then(|s| s.sid.as_deref()).map(str::to_string),
    }
}

/// AWS's AccessDeniedException message for a denied authorization.
pub(crate) fn access_denied_message(caller: &str, trace: &AuthzTrace) -> String {
    let base = format!("User: {caller} is not authorized to perform: {} on resource: {}", trace.action, trace.resource);
    match &trace.decided_by {
        DecidedBy::ExplicitDeny { statement } => {
            let where_ = match statement.policy {
                PolicyKind::KeyPolicy => "a resource-based policy",
                PolicyKind::Identity => "an identity-based policy",
                PolicyKind::Scp => "a service control policy",
                PolicyKind::PermissionsBoundary => "a permissions boundary",
                PolicyKind::Session => "a session policy",
            };
            format!("{base} with an explicit deny in {where_}")
        }
        DecidedBy::ImplicitDeny { missing } => {
            let what = match missing {
                Missing::ResourcePolicy | Missing::CrossAccountNotSupported => "resource-based policy",
                Missing::IdentityPolicy => "identity-based policy",
                Missing::ScpAllow => "service control policy",
                Missing::BoundaryAllow => "permissions boundary",
                Missing::SessionAllow => "session policy",
            };
            format!("{base} because no {what} allows the {} action", trace.action)
        }
        _ => base,
    }
}

fn eval_grants(
    rc: &ResolvedCaller<'_>,
    store: &GrantStore,
    check: &GrantCheck<'_>,
    now: Timestamp,
) -> (Vec<GrantEval>, usize, Option<GrantEval>) {
    let mut evals = Vec::new();
    let mut ok: Option<GrantEval> = None;
    let mut candidates: Vec<&Grant> = store.for_grantee(&rc.principal.arn).collect();
    if let Some(role) = &rc.principal.role_arn {
        candidates.extend(store.for_grantee(role));
    }
    let considered = candidates.len();
    for g in candidates {
        let reason = grant_reason(g, check, now);
        let matched = reason.is_ok();
        let e = GrantEval {
            grant_id: g.grant_id.clone(),
            name: g.name.clone(),
            grantee: g.grantee_principal.clone(),
            matched,
            reason: reason.unwrap_or_else(|e| e),
            pending_until: pending(g, check, now).then_some(g.effective_from),
        };
        if matched && ok.is_none() {
            ok = Some(e.clone());
        }
        evals.push(e);
    }
    (evals, store.len().saturating_sub(considered), ok)
}

/// Whether `g` would allow the call but is not in effect yet (no token presented makes it effective).
fn pending(g: &Grant, check: &GrantCheck<'_>, now: Timestamp) -> bool {
    now < g.effective_from
        && g.operations.contains(check.operation)
        && !check.token_grants.iter().any(|t| t == &g.grant_id)
        && check.ec.is_none_or(|ec| g.constraints.allows(ec).is_ok())
}

fn grant_reason(g: &Grant, check: &GrantCheck<'_>, now: Timestamp) -> Result<String, String> {
    if !g.operations.contains(check.operation) {
        return Err(format!("the grant does not include {}", check.operation));
    }
    let by_token = check.token_grants.iter().any(|t| t == &g.grant_id);
    if now < g.effective_from && !by_token {
        return Err(format!(
            "the grant is not yet effective (eventual consistency) until {}; present its grant token to use it at once",
            g.effective_from
        ));
    }
    if let Some(ec) = check.ec {
        g.constraints.allows(ec)?;
    }
    Ok(format!(
        "the grant includes {}{}{}",
        check.operation,
        if g.constraints.is_empty() || check.ec.is_none() {
            ""
        } else {
            " and the encryption context satisfies its constraints"
        },
        if by_token && now < g.effective_from { " (made effective by its grant token)" } else { "" }
    ))
}
