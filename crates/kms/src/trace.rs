//! The decision trace of one API call: plain serde data, rendered by the CLI as text and by the UI as a tree.
//!
//! A call trace holds one [`AuthzTrace`] per authorization the call needs (ReEncrypt needs two, UpdateAlias three),
//! then the checks that follow authorization (key state, key usage, parameters, cryptography), then the result.

use kmsim_policy::{Context, Decision, PolicyResult};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// The whole story of one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CallTrace {
    pub operation: String,
    pub caller: String,
    /// Each authorization decision, in the order they were made.
    pub authorizations: Vec<AuthzTrace>,
    /// Checks made after (or instead of) authorization, in order.
    pub checks: Vec<Check>,
    pub outcome: Outcome,
}

/// The result of a call in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Outcome {
    Success,
    Error { code: ErrorCode, message: String },
}

/// One check after authorization: key state, key usage, a parameter rule, the cryptography.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Check {
    pub kind: CheckKind,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum CheckKind {
    Parameters,
    KeyLookup,
    KeyState,
    KeyUsage,
    Grant,
    Cryptography,
    Limit,
    PolicyLockout,
}

/// How the principal and the key relate, which decides the combining rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum CombiningRule {
    /// The caller and the key are in the same account: the key policy alone, or the key policy delegating to the
    /// account plus an identity policy, or a grant.
    SameAccount,
    /// The key belongs to another account: the key policy must allow the caller (or its account) AND an identity
    /// policy in the caller's account must allow; or a grant.
    CrossAccount,
    /// An action with no key resource (CreateKey, ListKeys, ...) or on an alias: identity policies alone.
    IdentityOnly,
}

/// Which kind of policy a [`PolicyEval`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum PolicyKind {
    KeyPolicy,
    Identity,
    Scp,
    PermissionsBoundary,
    Session,
}

impl PolicyKind {
    /// How the kind is named in explanations and in the CLI and UI.
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::KeyPolicy => "key policy",
            PolicyKind::Identity => "identity policy",
            PolicyKind::Scp => "service control policy",
            PolicyKind::PermissionsBoundary => "permissions boundary",
            PolicyKind::Session => "session policy",
        }
    }
}

/// One policy's evaluation, from the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyEval {
    pub kind: PolicyKind,
    /// The policy's name (`default` for a key policy; the attached policy's name otherwise).
    pub name: String,
    /// Where the policy lives: the key ARN, the user/role ARN, or the account.
    pub attached_to: String,
    pub result: PolicyResult,
}

/// One grant considered for the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GrantEval {
    pub grant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub grantee: String,
    pub matched: bool,
    pub reason: String,
    /// The grant allows this call except that it is not in effect yet (eventual consistency): when it will be.
    /// Without its grant token the call is refused until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub pending_until: Option<crate::clock::Timestamp>,
}

/// A statement of a policy that took part in an authorization: which policy (kind and name), the statement's
/// 0-based index in its `Statement` list, and its Sid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StatementId {
    pub policy: PolicyKind,
    /// The policy's name (`default` for a key policy).
    pub name: String,
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub sid: Option<String>,
}

impl StatementId {
    /// How renderers name the statement: see [`statement_label`].
    pub fn label(&self) -> String {
        statement_label(self.index, self.sid.as_deref())
    }
}

/// How every renderer (explanations, the CLI, the playground) names a statement: its Sid, or `#index` without one.
pub fn statement_label(index: usize, sid: Option<&str>) -> String {
    sid.map_or_else(|| format!("#{index}"), str::to_string)
}

/// The identity policy of an allow and its statement's label, as renderers show them: the root user, which needs
/// no identity policy, shows as `(root user)` with an empty label.
pub fn identity_label(s: Option<&StatementId>) -> (&str, String) {
    s.map_or(("(root user)", String::new()), |s| (s.name.as_str(), s.label()))
}

/// What decided an authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum DecidedBy {
    /// An explicit Deny statement in some policy.
    ExplicitDeny { statement: StatementId },
    /// A key policy statement allows the caller directly.
    KeyPolicy { statement: StatementId },
    /// A key policy statement allows the caller's account and an identity policy statement allows the action
    /// (`identity` is absent for the account's root user, which needs no identity policy).
    KeyPolicyAndIdentity {
        key_policy: StatementId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        identity: Option<StatementId>,
    },
    /// Identity policies alone (operations without a key resource); `statement` is absent for the root user.
    Identity {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        statement: Option<StatementId>,
    },
    /// A grant allows the operation.
    Grant { grant_id: String },
    /// Nothing allows: an implicit deny.
    ImplicitDeny { missing: Missing },
}

impl DecidedBy {
    /// The deciding policy statements, in order (none for a grant or an implicit deny).
    pub fn statements(&self) -> impl Iterator<Item = &StatementId> {
        let (a, b) = match self {
            DecidedBy::ExplicitDeny { statement } | DecidedBy::KeyPolicy { statement } => (Some(statement), None),
            DecidedBy::KeyPolicyAndIdentity { key_policy, identity } => (Some(key_policy), identity.as_ref()),
            DecidedBy::Identity { statement } => (statement.as_ref(), None),
            DecidedBy::Grant { .. } | DecidedBy::ImplicitDeny { .. } => (None, None),
        };
        a.into_iter().chain(b)
    }
}

/// What an implicit deny was missing, which picks AWS's message variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Missing {
    ResourcePolicy,
    IdentityPolicy,
    ScpAllow,
    BoundaryAllow,
    SessionAllow,
    CrossAccountNotSupported,
}

impl AuthzTrace {
    /// What decided, in words, after "decided by" (the playground and the CLI say it the same way): a statement of
    /// a named policy, the root user's own permissions, a grant by its name (its id only when it has none), or what
    /// was missing.
    pub fn decided_by_text(&self) -> String {
        let identity = |s: Option<&StatementId>| match s {
            None => "the root user's own permissions (no identity policy needed)".to_string(),
            Some(s) => format!("statement {} of the {} `{}`", s.label(), s.policy.label(), s.name),
        };
        match &self.decided_by {
            DecidedBy::ExplicitDeny { statement: s } => {
                format!("an explicit deny: statement {} of the {} `{}`", s.label(), s.policy.label(), s.name)
            }
            DecidedBy::KeyPolicy { statement } => format!("the key policy's statement {}", statement.label()),
            DecidedBy::KeyPolicyAndIdentity { key_policy, identity: i } => {
                format!("the key policy's statement {} and {}", key_policy.label(), identity(i.as_ref()))
            }
            DecidedBy::Identity { statement } => identity(statement.as_ref()),
            DecidedBy::Grant { grant_id } => {
                let name = self.grants.iter().find(|g| &g.grant_id == grant_id).and_then(|g| g.name.as_ref());
                grant_words(grant_id, name)
            }
            DecidedBy::ImplicitDeny { missing } => match self.grants.iter().find(|g| g.pending_until.is_some()) {
                Some(g) => format!(
                    "an implicit deny: {} allows the call but is not in effect yet (until {}; eventual consistency: \
                     present its grant token to use it at once), and {}",
                    grant_words(&g.grant_id, g.name.as_ref()),
                    g.pending_until.map(|t| t.to_string()).unwrap_or_default(),
                    missing.text()
                ),
                None => format!("an implicit deny: {}", missing.text()),
            },
        }
    }
}

/// A grant in words: `the grant `NAME``, or, without a name, the start of its id.
pub fn grant_words(grant_id: &str, name: Option<&String>) -> String {
    name.map_or_else(
        || format!("a grant without a name (id {}…)", grant_id.get(..8).unwrap_or(grant_id)),
        |n| format!("the grant `{n}`"),
    )
}

impl Missing {
    /// What was missing, in words (the trace's explanation, the CLI and the playground say it the same way).
    pub fn text(self) -> &'static str {
        match self {
            Missing::ResourcePolicy => "no statement in the key policy allows the caller (or its account)",
            Missing::IdentityPolicy => "no identity-based policy allows the action",
            Missing::ScpAllow => "no service control policy allows the action",
            Missing::BoundaryAllow => "the permissions boundary does not allow the action",
            Missing::SessionAllow => "the session policy does not allow the action",
            Missing::CrossAccountNotSupported => "the operation cannot be called on a key in another account",
        }
    }
}

/// One authorization: an action on a resource, its derived context, every policy and grant considered, and the
/// combining rule's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AuthzTrace {
    pub action: String,
    pub resource: String,
    pub rule: CombiningRule,
    /// The request context the policies saw (derived from the call, plus the caller's extra keys).
    pub context: Context,
    pub policies: Vec<PolicyEval>,
    pub grants: Vec<GrantEval>,
    /// How many grants on the key were not the caller's (never evaluated).
    pub grants_skipped: usize,
    pub decision: Decision,
    pub decided_by: DecidedBy,
    /// The combining rule applied step by step, in plain words.
    pub explanation: Vec<String>,
}

impl AuthzTrace {
    pub fn allowed(&self) -> bool {
        self.decision == Decision::Allow
    }

    /// Keeps the verdict and drops the evidence: the decision, what decided it, the combining rule, the action and
    /// the resource stay; the request context, the policies' and grants' evaluations and the explanation go. What
    /// a run without the trace keeps of an `authorize` step.
    pub fn keep_verdict_only(&mut self) {
        self.context = Context::default();
        self.policies = Vec::new();
        self.grants = Vec::new();
        self.explanation = Vec::new();
    }
}

impl CallTrace {
    /// Keeps the call's outcome and drops the evidence: the authorizations and the checks go (an AccessDenied
    /// outcome still carries AWS's message, which says what did not allow). What a scenario run without the trace
    /// keeps of a call (issue 10, item 6: about 400 bytes less per call step).
    pub fn keep_outcome_only(&mut self) {
        self.authorizations = Vec::new();
        self.checks = Vec::new();
    }
}
