//! What an evaluation returns: the decision, the statements that decided, and (opt-in) the full trace.
//!
//! All of it is plain serde data with a stable JSON shape; [`crate::render_text`] renders a trace for terminals.
//! Texts that a trace repeats (values as written, Sids, spans' paths, request values, most reasons) are shared
//! `Arc<str>`s prepared at parse time or once per evaluation; they serialise as plain JSON strings.
//! The decision never depends on whether the trace was requested.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Span;
use crate::policy_type::PolicyType;

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Effect {
    Allow,
    Deny,
}

/// The outcome of one policy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum PolicyDecision {
    /// A Deny statement applies.
    ExplicitDeny,
    /// No Deny applies and at least one Allow does.
    Allow,
    /// No statement applies.
    NoMatch,
}

/// The outcome of a set of policies combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// How an applying statement's `Principal` (or `NotPrincipal`) matched the caller. Only resource-based policies
/// have principals; the KMS authorizer uses this to tell a direct grant of access from a delegation to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum PrincipalMatch {
    /// `"*"` or `{"AWS": "*"}`: every caller.
    Wildcard,
    /// The caller's account (`arn:aws:iam::ACCOUNT:root` or a bare account id): access is delegated to the
    /// account's identity policies.
    Account,
    /// The caller's own ARN (user, role session, federated user, root user).
    Exact,
    /// The ARN of the role the caller's session was assumed from.
    Role,
    /// A service principal (`{"Service": "..."}`).
    Service,
    /// A `NotPrincipal` that does not list the caller.
    NotPrincipal,
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StatementRef {
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    pub effect: Effect,
    /// For resource-based policies: how the principal matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalMatch>,
    /// The statement's location in the source.
    pub span: Span,
}

/// Evaluation switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalOptions {
    /// Record a full trace (every statement, element and condition). Off by default; the decision is the same.
    #[serde(default)]
    pub trace: bool,
}

/// The result of evaluating one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyResult {
    pub decision: PolicyDecision,
    /// Every statement that applied, in order (Allow and Deny alike).
    pub applied: Vec<StatementRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<PolicyTrace>,
}

impl PolicyResult {
    /// The statements that decided: the applying Deny statements for an explicit deny, the applying Allow statements
    /// for an allow, none for no match.
    pub fn deciding(&self) -> impl Iterator<Item = &StatementRef> {
        let want = match self.decision {
            PolicyDecision::ExplicitDeny => Some(Effect::Deny),
            PolicyDecision::Allow => Some(Effect::Allow),
            PolicyDecision::NoMatch => None,
        };
        self.applied.iter().filter(move |s| Some(s.effect) == want)
    }

    /// Whether an applying Allow statement names the caller other than through its account (a direct grant of
    /// access in a resource-based policy). Always false for policies without principals.
    pub fn allows_directly(&self) -> bool {
        self.applied
            .iter()
            .any(|s| s.effect == Effect::Allow && matches!(s.principal, Some(p) if p != PrincipalMatch::Account))
    }
}

// ---- the trace ---------------------------------------------------------------------------------------------------

/// The full explanation of one policy's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyTrace {
    pub policy_type: PolicyType,
    /// The policy's `Id`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Arc<str>>,
    pub decision: PolicyDecision,
    pub statements: Vec<StatementTrace>,
}

/// Which element a trace item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum ElementName {
    Principal,
    NotPrincipal,
    Action,
    NotAction,
    Resource,
    NotResource,
}

/// One statement, element by element. In a trace every element and condition is evaluated (no short-circuit), so
/// the UI can show all of them; `applies` is the conjunction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StatementTrace {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    pub effect: Effect,
    pub span: Span,
    /// Whether the statement applies to the request (every element and condition matched).
    pub applies: bool,
    /// How the principal matched, when it did (resource-based policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_match: Option<PrincipalMatch>,
    pub elements: Vec<ElementTrace>,
    pub conditions: Vec<ConditionTrace>,
    /// One line: why the statement applies or the first reason it does not.
    pub reason: Arc<str>,
}

/// A `Principal`/`Action`/`Resource` element (or its `Not` form) compared with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ElementTrace {
    pub element: ElementName,
    pub span: Span,
    /// What the request offers for this element (the caller ARN, the action, the resource ARN).
    pub request_value: Arc<str>,
    /// Each value written in the policy and whether it matched.
    pub entries: Vec<EntryTrace>,
    /// Whether the element is satisfied (for a `Not` element: no entry matched).
    pub matched: bool,
    pub reason: Arc<str>,
}

/// One value of an element or condition as written in the policy.
///
/// What comes from the policy (the value as written and its span) is one shared [`EntrySource`], so a traced entry
/// costs one reference count instead of two; it serialises as the flat JSON object (`value`, `resolved`, `span`, `matched`, `note`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "EntryTraceJson", from = "EntryTraceJson")]
pub struct EntryTrace {
    /// The value as written in the policy and its span.
    pub source: Arc<EntrySource>,
    /// After policy-variable substitution, when it differs from the value; absent when a variable had no value.
    pub resolved: Option<String>,
    pub matched: bool,
    /// Extra detail, e.g. "variable ${aws:username} has no value", "role session matches its role".
    pub note: Option<Arc<str>>,
}

impl EntryTrace {
    /// As written in the policy.
    pub fn value(&self) -> &Arc<str> {
        &self.source.value
    }

    /// The entry's location in the source.
    pub fn span(&self) -> &Span {
        &self.source.span
    }
}

/// The policy's side of an [`EntryTrace`]: made once per statement (on its first traced evaluation) and shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySource {
    /// As written in the policy.
    pub value: Arc<str>,
    pub span: Span,
}

#[cfg(feature = "ts")]
impl tsify::Tsify for EntryTrace {
    type JsType = <EntryTraceJson as tsify::Tsify>::JsType;
    const DECL: &'static str = <EntryTraceJson as tsify::Tsify>::DECL;
    const SERIALIZATION_CONFIG: tsify::SerializationConfig = <EntryTraceJson as tsify::Tsify>::SERIALIZATION_CONFIG;
}

// The JSON form of `EntryTrace` (and its TypeScript declaration, hence the doc comment): the entry's fields, flat.
/// One value of an element or condition as written in the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "EntryTrace"))]
pub struct EntryTraceJson {
    /// As written in the policy.
    pub value: Arc<str>,
    /// After policy-variable substitution, when it differs from `value`; absent when a variable had no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    pub span: Span,
    pub matched: bool,
    /// Extra detail, e.g. "variable ${aws:username} has no value", "role session matches its role".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
}

impl From<EntryTrace> for EntryTraceJson {
    fn from(e: EntryTrace) -> EntryTraceJson {
        let EntrySource { value, span } = Arc::unwrap_or_clone(e.source);
        EntryTraceJson { value, resolved: e.resolved, span, matched: e.matched, note: e.note }
    }
}

impl From<EntryTraceJson> for EntryTrace {
    fn from(e: EntryTraceJson) -> EntryTrace {
        let source = Arc::new(EntrySource { value: e.value, span: e.span });
        EntryTrace { source, resolved: e.resolved, matched: e.matched, note: e.note }
    }
}

/// One condition (operator + key + values) compared with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ConditionTrace {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: Arc<str>,
    /// The condition key as written.
    pub key: Arc<str>,
    pub span: Span,
    pub values: Vec<EntryTrace>,
    /// The request's values for the key; `None` when the key is missing from the request.
    pub request_values: Option<Vec<String>>,
    pub outcome: bool,
    /// e.g. "key missing: StringNotEquals matches", "IfExists: key missing, condition true".
    pub reason: Arc<str>,
}
