//! AWS's policy evaluation logic: the results of every policy that takes part in one request, of every kind,
//! combined into one decision, step by step. Each step is recorded as plain data ([`CombineStep`]); what decided is
//! a [`Decided`].
//!
//! The steps, in the order of the IAM User Guide, *How AWS enforcement code logic evaluates requests to allow or deny
//! access* (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>):
//! 1. an explicit deny in any policy of any kind denies;
//! 2. resource control policies (RCPs, of the resource's account) and 3. service control policies (SCPs, of the
//!    caller's account) must allow at every level from the organization root to the account ("there must be an
//!    explicit `Allow` statement at every level from the root through each OU in the direct path to the account",
//!    <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>);
//!    policies of one level are OR'd, levels are AND'd;
//! 4. resource-based policies: within one account an allow that names the caller's own user or session ARN, or `*`,
//!    decides on its own ("Permissions boundaries and session policies do not limit permissions granted using the
//!    `aws:PrincipalArn` condition key with a wildcard(*) in the `Principal` element", IAM User Guide, *Principal*,
//!    <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>; a bare `*`,
//!    which names strictly more callers, is read the same way); an allow that names the role the caller's session
//!    was assumed from is limited by an implicit deny in a permissions boundary or session policy (same pages); an
//!    allow that names the account only delegates to the account's identity-based policies;
//! 5. identity-based policies, 6. the permissions boundary and 7. session policies must each allow.
//!
//! A cross-account request is evaluated on both sides and allowed only if both allow (IAM User Guide,
//! *Cross-account policy evaluation logic*,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>): the
//! resource's account through its resource-based policy (any match, the account included) and its RCPs, the caller's
//! account through its identity-based policies, SCPs, permissions boundary and session policy. An anonymous caller
//! has no account and no identity: only a resource-based policy that allows every principal (`*`) can allow it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::policy_type::PolicyType;
use crate::request::{Principal, PrincipalKind};
use crate::result::{Decision, PolicyDecision, PolicyResult, PrincipalMatch, StatementRef};

/// One evaluated policy taking part in a request: its kind, its level in the organization (SCPs and RCPs: 0 is the
/// root, then each OU down to the account; ignored for other kinds) and its result.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub ty: PolicyType,
    pub level: usize,
    pub result: &'a PolicyResult,
}

/// What the combination needs to know besides the policies' results.
#[derive(Debug, Clone, Copy)]
pub struct CombineInput<'a> {
    pub principal: &'a Principal,
    /// The account that owns the resource; `None` when unknown (taken as the caller's own account).
    pub resource_account: Option<&'a str>,
    /// The resource-based policy must allow, as KMS key policies and role trust policies must ("they must explicitly
    /// allow access for principals"): identity-based policies alone never allow.
    pub resource_policy_required: bool,
}

/// A statement of one of the combined policies: the policy's position among the parts, the statement's index, Sid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StatementAt {
    pub policy: usize,
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub sid: Option<Arc<str>>,
}

/// A step of the evaluation logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum StepKind {
    ExplicitDeny,
    Rcp,
    Scp,
    ResourcePolicy,
    IdentityPolicy,
    PermissionsBoundary,
    SessionPolicy,
}

/// How a step came out on its own (what decided is the combination's `decided`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum StepOutcome {
    /// The step allows (or, for the explicit-deny step, finds no deny).
    Pass,
    /// The step does not allow (or finds an explicit deny).
    Fail,
    /// The step does not apply to this request (e.g. SCPs for an anonymous caller).
    NotApplicable,
}

/// One step of the combination, as the trace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CombineStep {
    pub step: StepKind,
    pub outcome: StepOutcome,
    /// The organization level, for RCP and SCP steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub level: Option<usize>,
    /// The statement that allows or denies at this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub statement: Option<StatementAt>,
    /// For a resource-policy allow: how its principal matched the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub principal: Option<PrincipalMatch>,
    /// The step in one line.
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub reason: StepReason,
}

/// A [`CombineStep`]'s reason: one line of text, written when it is shown or serialised (it serialises as a JSON
/// string), so that combining policies formats nothing. Compare and print it as text (`Display`, `to_string`).
#[derive(Debug, Clone)]
pub struct StepReason(Reason);

#[derive(Debug, Clone)]
enum Reason {
    /// A fixed text.
    Fixed(&'static str),
    /// `level N: ` (when given), the statement's label, then the text.
    Statement { level: Option<usize>, at: StatementAt, text: &'static str },
    /// `level N: ` and the text.
    Level { level: usize, text: &'static str },
    /// Any text (e.g. read back from JSON).
    Text(String),
}

impl StepReason {
    fn fixed(text: &'static str) -> StepReason {
        StepReason(Reason::Fixed(text))
    }

    fn statement(at: &StatementAt, text: &'static str) -> StepReason {
        StepReason(Reason::Statement { level: None, at: at.clone(), text })
    }
}

impl fmt::Display for StepReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Reason::Fixed(text) => f.write_str(text),
            Reason::Text(text) => f.write_str(text),
            Reason::Level { level, text } => write!(f, "level {level}: {text}"),
            Reason::Statement { level, at, text } => {
                if let Some(level) = level {
                    write!(f, "level {level}: ")?;
                }
                match &at.sid {
                    Some(sid) => write!(f, "policy {} statement `{sid}`{text}", at.policy),
                    None => write!(f, "policy {} statement #{}{text}", at.policy, at.index),
                }
            }
        }
    }
}

impl From<String> for StepReason {
    fn from(text: String) -> StepReason {
        StepReason(Reason::Text(text))
    }
}

impl From<&'static str> for StepReason {
    fn from(text: &'static str) -> StepReason {
        StepReason::fixed(text)
    }
}

impl PartialEq for StepReason {
    /// Reasons are equal when their texts are.
    fn eq(&self, other: &StepReason) -> bool {
        match (&self.0, &other.0) {
            (Reason::Fixed(a), Reason::Fixed(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for StepReason {}

impl PartialEq<str> for StepReason {
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Reason::Fixed(text) => *text == other,
            Reason::Text(text) => text == other,
            _ => {
                let text = self.to_string();
                text == other
            }
        }
    }
}

impl Serialize for StepReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Reason::Fixed(text) => s.serialize_str(text),
            Reason::Text(text) => s.serialize_str(text),
            _ => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for StepReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StepReason, D::Error> {
        String::deserialize(d).map(StepReason::from)
    }
}

/// What an implicit deny was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum MissingAllow {
    /// No RCP at this level allows.
    Rcp {
        level: usize,
    },
    /// No SCP at this level allows.
    Scp {
        level: usize,
    },
    ResourcePolicy,
    IdentityPolicy,
    PermissionsBoundary,
    SessionPolicy,
}

impl MissingAllow {
    /// What was missing, in words.
    pub fn text(self) -> String {
        match self {
            MissingAllow::Rcp { level } => format!("no resource control policy at level {level} allows the action"),
            MissingAllow::Scp { level } => format!("no service control policy at level {level} allows the action"),
            MissingAllow::ResourcePolicy => "no resource-based policy allows the caller".to_string(),
            MissingAllow::IdentityPolicy => "no identity-based policy allows the action".to_string(),
            MissingAllow::PermissionsBoundary => "the permissions boundary does not allow the action".to_string(),
            MissingAllow::SessionPolicy => "the session policy does not allow the action".to_string(),
        }
    }
}

/// What decided the combination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Decided {
    /// A Deny statement applies.
    ExplicitDeny {
        statement: StatementAt,
    },
    /// A resource-based policy allows the caller on its own.
    ResourcePolicy {
        statement: StatementAt,
        principal: PrincipalMatch,
    },
    /// A resource-based policy allows (the caller's account, or the caller from another account) and an
    /// identity-based policy allows (`identity` is absent for the root user, which needs none).
    ResourceAndIdentity {
        resource: StatementAt,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        identity: Option<StatementAt>,
    },
    /// Identity-based policies (and the guardrails) allow; `statement` is absent for the root user.
    Identity {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        statement: Option<StatementAt>,
    },
    ImplicitDeny {
        missing: MissingAllow,
    },
}

/// The result of evaluating several policies together: the decision, one result per policy, and (for `authorize`
/// and the JS `evaluate`) how AWS's evaluation logic combined them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SetResult {
    pub decision: Decision,
    /// One result per policy, in the order given.
    pub policies: Vec<PolicyResult>,
    /// The evaluation logic step by step (absent for `evaluate_all`, which combines policies of one kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub combination: Option<Combination>,
}

/// The combination of every policy of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Combination {
    pub decision: Decision,
    /// Whether the caller and the resource are in different accounts (both sides must then allow).
    pub cross_account: bool,
    /// The resource's account as the combination took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub resource_account: Option<String>,
    /// Every step, in order, each with its own outcome.
    pub steps: Vec<CombineStep>,
    pub decided: Decided,
}

impl Combination {
    /// The steps of one kind.
    pub fn steps_of(&self, kind: StepKind) -> impl Iterator<Item = &CombineStep> {
        self.steps.iter().filter(move |s| s.step == kind)
    }

    /// Whether every step of this kind passed; `None` when there is none (no policy of the kind).
    pub fn passed(&self, kind: StepKind) -> Option<bool> {
        let mut steps = self.steps_of(kind).filter(|s| s.outcome != StepOutcome::NotApplicable).peekable();
        steps.peek()?;
        Some(steps.all(|s| s.outcome == StepOutcome::Pass))
    }

    /// The resource-policy allow that names the caller other than by its account, and how it matched.
    pub fn direct_allow(&self) -> Option<(&StatementAt, PrincipalMatch)> {
        self.resource_allow(|m| m != PrincipalMatch::Account)
    }

    /// The resource-policy allow that names the caller's account.
    pub fn account_allow(&self) -> Option<&StatementAt> {
        self.resource_allow(|m| m == PrincipalMatch::Account).map(|(s, _)| s)
    }

    fn resource_allow(&self, want: impl Fn(PrincipalMatch) -> bool) -> Option<(&StatementAt, PrincipalMatch)> {
        self.steps_of(StepKind::ResourcePolicy).find_map(|s| match (&s.statement, s.principal) {
            (Some(st), Some(m)) if want(m) => Some((st, m)),
            _ => None,
        })
    }
}

fn at(policy: usize, s: &StatementRef) -> StatementAt {
    StatementAt { policy, index: s.index, sid: s.sid.clone() }
}

fn step(step: StepKind, outcome: StepOutcome, reason: StepReason) -> CombineStep {
    CombineStep { step, outcome, level: None, statement: None, principal: None, reason }
}

/// The allowing statements of the parts of one kind, in order.
fn allows<'p>(parts: &'p [Part<'p>], ty: PolicyType) -> impl Iterator<Item = (usize, &'p StatementRef)> + 'p {
    parts
        .iter()
        .enumerate()
        .filter(move |(_, p)| p.ty == ty && p.result.decision == PolicyDecision::Allow)
        .flat_map(|(i, p)| p.result.deciding().map(move |s| (i, s)))
}

/// One step per level of an organization policy kind; `Err(level)` for the first level without an allow.
fn gate(parts: &[Part<'_>], ty: PolicyType, kind: StepKind, steps: &mut Vec<CombineStep>) -> Result<(), usize> {
    let none = if ty == PolicyType::Rcp {
        "no resource control policy allows the action"
    } else {
        "no service control policy allows the action"
    };
    let mut levels: BTreeMap<usize, Option<StatementAt>> = BTreeMap::new();
    for (i, p) in parts.iter().enumerate().filter(|(_, p)| p.ty == ty) {
        let slot = levels.entry(p.level).or_default();
        if slot.is_none() && p.result.decision == PolicyDecision::Allow {
            *slot = p.result.deciding().next().map(|s| at(i, s));
        }
    }
    let mut first_missing = None;
    for (level, allow) in levels {
        let mut s = match &allow {
            Some(at) => {
                let why = Reason::Statement { level: Some(level), at: at.clone(), text: " allows the action" };
                step(kind, StepOutcome::Pass, StepReason(why))
            }
            None => {
                first_missing.get_or_insert(level);
                step(kind, StepOutcome::Fail, StepReason(Reason::Level { level, text: none }))
            }
        };
        s.level = Some(level);
        s.statement = allow;
        steps.push(s);
    }
    first_missing.map_or(Ok(()), Err)
}

/// Combines the results of every policy of a request (see the module documentation for the logic and its sources).
pub fn combine(input: CombineInput<'_>, parts: &[Part<'_>]) -> Combination {
    let pr = input.principal;
    let caller_account = pr.account.as_deref();
    let anonymous = pr.kind == PrincipalKind::Anonymous;
    let resource_account = input.resource_account.or(caller_account);
    let cross = !anonymous && matches!((caller_account, resource_account), (Some(c), Some(r)) if c != r);
    let mut steps = Vec::new();

    // 1. Explicit deny, in every policy that applies (SCPs apply only to principals of an account).
    let no_scps = anonymous || pr.kind == PrincipalKind::Service;
    let deny = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !(no_scps && p.ty == PolicyType::Scp))
        .find(|(_, p)| p.result.decision == PolicyDecision::ExplicitDeny);
    let deny = deny.and_then(|(i, p)| p.result.deciding().next().map(|s| at(i, s)));
    match &deny {
        Some(s) => {
            let mut st =
                step(StepKind::ExplicitDeny, StepOutcome::Fail, StepReason::statement(s, " denies the action"));
            st.statement = Some(s.clone());
            steps.push(st);
        }
        None => steps.push(step(StepKind::ExplicitDeny, StepOutcome::Pass, "no explicit deny in any policy".into())),
    }

    // 2, 3. RCPs of the resource's account, SCPs of the caller's account (an anonymous caller has none).
    let rcp = gate(parts, PolicyType::Rcp, StepKind::Rcp, &mut steps);
    let scp = if no_scps {
        if parts.iter().any(|p| p.ty == PolicyType::Scp) {
            let why = "service control policies apply to principals of an account; this caller has none";
            steps.push(step(StepKind::Scp, StepOutcome::NotApplicable, why.into()));
        }
        Ok(())
    } else {
        gate(parts, PolicyType::Scp, StepKind::Scp, &mut steps)
    };

    // 4. Resource-based policies.
    let direct = allows(parts, PolicyType::Resource)
        .find(|(_, s)| matches!(s.principal, Some(m) if m != PrincipalMatch::Account))
        .and_then(|(i, s)| s.principal.map(|m| (at(i, s), m)));
    let via_account = allows(parts, PolicyType::Resource)
        .find(|(_, s)| s.principal == Some(PrincipalMatch::Account))
        .map(|(i, s)| at(i, s));
    let identity = allows(parts, PolicyType::Identity).next().map(|(i, s)| at(i, s));
    let root = pr.kind == PrincipalKind::Root;
    let guard = |ty: PolicyType| -> Option<bool> {
        let mut of = parts.iter().filter(|p| p.ty == ty).peekable();
        of.peek()?;
        Some(of.any(|p| p.result.decision == PolicyDecision::Allow))
    };
    let (boundary, session) = (guard(PolicyType::PermissionsBoundary), guard(PolicyType::Session));
    let identity_ok = root || identity.is_some();
    let (boundary_ok, session_ok) = (boundary != Some(false), session != Some(false));
    // Only a role-ARN match is limited by the guardrails (exact ARNs, `*` and service principals are not).
    let direct_unlimited = direct.as_ref().is_some_and(|(_, m)| *m != PrincipalMatch::Role);
    let direct_decides = !cross && direct.is_some() && (direct_unlimited || (boundary_ok && session_ok));
    if let Some((s, m)) = &direct {
        let (outcome, reason) = if anonymous && *m != PrincipalMatch::Wildcard {
            (StepOutcome::Fail, " allows, but not every principal: an anonymous caller needs `*`")
        } else if cross {
            (StepOutcome::Pass, " allows the caller from another account; its own account must allow too")
        } else if direct_decides {
            (StepOutcome::Pass, allows_directly(*m))
        } else if boundary_ok {
            (StepOutcome::Fail, " allows the caller's role, which an implicit deny in its session policy limits")
        } else {
            (StepOutcome::Fail, " allows the caller's role, which an implicit deny in its permissions boundary limits")
        };
        let reason = StepReason::statement(s, reason);
        steps.push(CombineStep {
            statement: Some(s.clone()),
            principal: Some(*m),
            ..step(StepKind::ResourcePolicy, outcome, reason)
        });
    }
    if let Some(s) = &via_account {
        let reason = StepReason::statement(
            s,
            if cross {
                " allows the caller's account; its own account must allow too"
            } else {
                " allows the account, which delegates to its identity-based policies"
            },
        );
        let outcome = if anonymous { StepOutcome::Fail } else { StepOutcome::Pass };
        steps.push(CombineStep {
            statement: Some(s.clone()),
            principal: Some(PrincipalMatch::Account),
            ..step(StepKind::ResourcePolicy, outcome, reason)
        });
    }
    let resource_any = direct.is_some() || via_account.is_some();
    if !resource_any {
        let present = parts.iter().any(|p| p.ty == PolicyType::Resource);
        let (outcome, reason) = if anonymous || cross || input.resource_policy_required {
            let why = if anonymous {
                "no resource-based policy allows the caller: an anonymous caller is allowed only by a resource-based policy"
            } else if cross {
                "no resource-based policy allows the caller: a cross-account request needs the resource's account to allow"
            } else {
                "no resource-based policy allows the caller: this resource's policy must allow the caller"
            };
            (StepOutcome::Fail, why)
        } else if present {
            (StepOutcome::NotApplicable, "no resource-based policy allows the caller: identity-based policies decide")
        } else {
            (StepOutcome::NotApplicable, "no resource-based policy: identity-based policies decide")
        };
        steps.push(step(StepKind::ResourcePolicy, outcome, reason.into()));
    }

    // 5-7. The caller's side: identity-based policies, permissions boundary, session policy.
    if anonymous {
        for kind in [StepKind::IdentityPolicy, StepKind::PermissionsBoundary, StepKind::SessionPolicy] {
            steps.push(step(kind, StepOutcome::NotApplicable, "an anonymous caller has no identity".into()));
        }
    } else {
        let mut st = match (&identity, root) {
            (_, true) => step(
                StepKind::IdentityPolicy,
                StepOutcome::Pass,
                "the account's root user needs no identity-based policy".into(),
            ),
            (Some(s), _) => {
                step(StepKind::IdentityPolicy, StepOutcome::Pass, StepReason::statement(s, " allows the action"))
            }
            (None, _) => {
                step(StepKind::IdentityPolicy, StepOutcome::Fail, "no identity-based policy allows the action".into())
            }
        };
        st.statement = identity.clone();
        steps.push(st);
        for (kind, present, allows, denies) in [
            (
                StepKind::PermissionsBoundary,
                boundary,
                "the permissions boundary allows the action",
                "the permissions boundary does not allow the action",
            ),
            (
                StepKind::SessionPolicy,
                session,
                "the session policy allows the action",
                "the session policy does not allow the action",
            ),
        ] {
            match present {
                Some(true) => steps.push(step(kind, StepOutcome::Pass, allows.into())),
                Some(false) => steps.push(step(kind, StepOutcome::Fail, denies.into())),
                None => {}
            }
        }
    }

    // The decision.
    let decided = if let Some(statement) = deny {
        Decided::ExplicitDeny { statement }
    } else if let Err(level) = rcp {
        Decided::ImplicitDeny { missing: MissingAllow::Rcp { level } }
    } else if let Err(level) = scp {
        Decided::ImplicitDeny { missing: MissingAllow::Scp { level } }
    } else if anonymous {
        match direct {
            Some((statement, PrincipalMatch::Wildcard)) => {
                Decided::ResourcePolicy { statement, principal: PrincipalMatch::Wildcard }
            }
            _ => Decided::ImplicitDeny { missing: MissingAllow::ResourcePolicy },
        }
    } else if direct_decides {
        match direct {
            Some((statement, principal)) => Decided::ResourcePolicy { statement, principal },
            None => Decided::ImplicitDeny { missing: MissingAllow::ResourcePolicy },
        }
    } else {
        let resource = if cross { direct.as_ref().map(|(s, _)| s.clone()).or(via_account) } else { via_account };
        let needs_resource = cross || input.resource_policy_required;
        let caller_side = if !identity_ok {
            Err(MissingAllow::IdentityPolicy)
        } else if !boundary_ok {
            Err(MissingAllow::PermissionsBoundary)
        } else if !session_ok {
            Err(MissingAllow::SessionPolicy)
        } else {
            Ok(())
        };
        match (resource, caller_side) {
            // A role-ARN allow cut by a guardrail: the guardrail is what is missing.
            // (Same account, a direct allow that did not decide: it named the role and a guardrail cut it.)
            _ if !cross && direct.is_some() => {
                let missing = if boundary_ok { MissingAllow::SessionPolicy } else { MissingAllow::PermissionsBoundary };
                Decided::ImplicitDeny { missing }
            }
            (None, _) if needs_resource => Decided::ImplicitDeny { missing: MissingAllow::ResourcePolicy },
            (_, Err(missing)) => Decided::ImplicitDeny { missing },
            (Some(resource), Ok(())) => Decided::ResourceAndIdentity { resource, identity },
            (None, Ok(())) => Decided::Identity { statement: identity },
        }
    };
    let decision = match decided {
        Decided::ExplicitDeny { .. } => Decision::ExplicitDeny,
        Decided::ImplicitDeny { .. } => Decision::ImplicitDeny,
        _ => Decision::Allow,
    };
    Combination {
        decision,
        cross_account: cross,
        resource_account: resource_account.map(str::to_string),
        steps,
        decided,
    }
}

/// The reason of a resource-policy allow that decides on its own, after the statement's label.
fn allows_directly(m: PrincipalMatch) -> &'static str {
    match m {
        PrincipalMatch::Exact => " allows the caller directly (by its own ARN)",
        PrincipalMatch::Wildcard => " allows the caller directly (`*`: every principal)",
        PrincipalMatch::Service => " allows the caller directly (by its service name)",
        PrincipalMatch::Role => " allows the caller directly (by its role)",
        PrincipalMatch::Account => " allows the caller directly (by its account)",
        PrincipalMatch::NotPrincipal => " allows the caller directly (a `NotPrincipal` that does not list it)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_reasons_are_written_when_shown_and_read_back_as_text() {
        let at = StatementAt { policy: 1, index: 2, sid: Some("Admins".into()) };
        let cases = [
            (StepReason::statement(&at, " allows the action"), "policy 1 statement `Admins` allows the action"),
            (
                StepReason(Reason::Statement {
                    level: Some(0),
                    at: StatementAt { sid: None, ..at.clone() },
                    text: " x",
                }),
                "level 0: policy 1 statement #2 x",
            ),
            (StepReason(Reason::Level { level: 3, text: "none" }), "level 3: none"),
            (StepReason::from("fixed"), "fixed"),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
            assert!(reason == *text);
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            let back: StepReason = serde_json::from_str(&json).unwrap();
            assert_eq!(back, reason);
        }
        assert_ne!(StepReason::from("a"), StepReason::from("b"));
    }
}
