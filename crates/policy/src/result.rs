//! What an evaluation returns: the decision, the statements that decided, and (opt-in) the full trace.
//!
//! All of it is plain serde data with a stable JSON shape; [`crate::render_text`] renders a trace for terminals.
//! Texts that a trace repeats (values as written, Sids, spans' paths, request values, most reasons) are shared
//! `Arc<str>`s prepared at parse time or once per evaluation; they serialise as plain JSON strings.
//! The decision never depends on whether the trace was requested.

use std::sync::Arc;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};

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
///
/// What comes from the policy (the element's span and its entries as written) is one shared [`TraceSource`] inside
/// [`Entries`]; it serialises as the flat JSON object (`element`, `span`, `request_value`, `entries`, `matched`,
/// `reason`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "ElementTraceJson")]
pub struct ElementTrace {
    pub element: ElementName,
    /// What the request offers for this element (the caller ARN, the action, the resource ARN).
    pub request_value: Arc<str>,
    /// Each value written in the policy and whether it matched.
    pub entries: Entries,
    /// Whether the element is satisfied (for a `Not` element: no entry matched).
    pub matched: bool,
    pub reason: Arc<str>,
}

impl ElementTrace {
    /// The element's location in the source.
    pub fn span(&self) -> &Span {
        &self.entries.source.span
    }
}

impl Serialize for ElementTrace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ElementTrace", 6)?;
        st.serialize_field("element", &self.element)?;
        st.serialize_field("span", self.span())?;
        st.serialize_field("request_value", &self.request_value)?;
        st.serialize_field("entries", &self.entries)?;
        st.serialize_field("matched", &self.matched)?;
        st.serialize_field("reason", &self.reason)?;
        st.end()
    }
}

#[cfg(feature = "ts")]
impl tsify::Tsify for ElementTrace {
    type JsType = <ElementTraceJson as tsify::Tsify>::JsType;
    const DECL: &'static str = <ElementTraceJson as tsify::Tsify>::DECL;
    const SERIALIZATION_CONFIG: tsify::SerializationConfig = <ElementTraceJson as tsify::Tsify>::SERIALIZATION_CONFIG;
}

// The JSON form of `ElementTrace` (and its TypeScript declaration, hence the doc comment), for reading it back.
/// A `Principal`/`Action`/`Resource` element (or its `Not` form) compared with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "ElementTrace"))]
pub struct ElementTraceJson {
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

impl From<ElementTraceJson> for ElementTrace {
    fn from(e: ElementTraceJson) -> ElementTrace {
        ElementTrace {
            element: e.element,
            request_value: e.request_value,
            entries: Entries::from_json(e.span, None, e.entries),
            matched: e.matched,
            reason: e.reason,
        }
    }
}

/// The policy's side of a traced element or condition: its span, its entries as written and, for a condition, its
/// operator and key. Made once per statement (on its first traced evaluation) and shared by every trace of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSource {
    /// The element's or condition's location in the source.
    pub span: Span,
    /// For a condition: the operator and the key as written.
    pub condition: Option<(Arc<str>, Arc<str>)>,
    pub entries: Box<[EntrySource]>,
}

/// The policy's side of one entry (a value of an element or condition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySource {
    /// As written in the policy.
    pub value: Arc<str>,
    pub span: Span,
    /// The note the entry shows when the trace says so (a `Principal` entry that matched, e.g. "the caller's
    /// account").
    pub note: Option<Arc<str>>,
}

/// The values of an element or condition as a trace shows them: the shared [`TraceSource`] and, per entry, whether
/// it matched and what this evaluation adds (a resolved value, a note). Serialises as a JSON array of
/// [`EntryTrace`] objects; read it with [`Entries::iter`]. Two are equal when they show the same (span, operator
/// and key, and every entry as [`EntryRef`]), however they were made (evaluated or read back from JSON).
#[derive(Debug, Clone)]
pub struct Entries {
    source: Arc<TraceSource>,
    /// Two bits per entry: matched, and whether it shows its source's note.
    flags: Flags,
    /// What this evaluation wrote for some entries (policy variables), in entry order.
    extras: Vec<EntryExtra>,
}

#[derive(Debug, Clone)]
struct EntryExtra {
    index: usize,
    resolved: Option<String>,
    note: Option<Arc<str>>,
}

/// Bits without an allocation for the first 64.
#[derive(Debug, Clone, Default)]
struct Flags {
    first: u64,
    more: Vec<u64>,
}

impl Flags {
    fn get(&self, bit: usize) -> bool {
        let word = match bit / 64 {
            0 => self.first,
            w => self.more.get(w - 1).copied().unwrap_or(0),
        };
        (word >> (bit % 64)) & 1 == 1
    }

    fn set(&mut self, bit: usize) {
        let mask = 1u64 << (bit % 64);
        match bit / 64 {
            0 => self.first |= mask,
            w => {
                if self.more.len() < w {
                    self.more.resize(w, 0);
                }
                if let Some(word) = self.more.get_mut(w - 1) {
                    *word |= mask;
                }
            }
        }
    }
}

/// One entry of [`Entries`], borrowed: what [`EntryTrace`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EntryRef<'a> {
    /// As written in the policy.
    pub value: &'a str,
    /// After policy-variable substitution, when it differs from `value`; absent when a variable had no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<&'a str>,
    pub span: &'a Span,
    pub matched: bool,
    /// Extra detail, e.g. "variable ${aws:username} has no value", "role session matches its role".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
}

impl Entries {
    /// No entry matched, none noted.
    pub(crate) fn new(source: &Arc<TraceSource>) -> Entries {
        Entries { source: Arc::clone(source), flags: Flags::default(), extras: Vec::new() }
    }

    pub(crate) fn set_matched(&mut self, index: usize) {
        self.flags.set(2 * index);
    }

    /// Shows the entry's source note (when it has one).
    pub(crate) fn set_noted(&mut self, index: usize) {
        if self.source.entries.get(index).is_some_and(|e| e.note.is_some()) {
            self.flags.set(2 * index + 1);
        }
    }

    /// Records what this evaluation adds to an entry (called in entry order, at most once per entry).
    pub(crate) fn set_extra(&mut self, index: usize, resolved: Option<String>, note: Option<Arc<str>>) {
        self.extras.push(EntryExtra { index, resolved, note });
    }

    /// The entries read back from JSON: each entry's value, span and note become the source.
    fn from_json(span: Span, condition: Option<(Arc<str>, Arc<str>)>, entries: Vec<EntryTrace>) -> Entries {
        let mut sources = Vec::with_capacity(entries.len());
        let mut flags = Flags::default();
        let mut extras = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            if e.matched {
                flags.set(2 * i);
            }
            if e.note.is_some() {
                flags.set(2 * i + 1);
            }
            if e.resolved.is_some() {
                extras.push(EntryExtra { index: i, resolved: e.resolved, note: None });
            }
            sources.push(EntrySource { value: e.value, span: e.span, note: e.note });
        }
        let source = Arc::new(TraceSource { span, condition, entries: sources.into() });
        Entries { source, flags, extras }
    }

    /// The policy's side, shared by every trace of the statement.
    pub fn source(&self) -> &Arc<TraceSource> {
        &self.source
    }

    pub fn len(&self) -> usize {
        self.source.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.entries.is_empty()
    }

    /// The entry at `index`.
    pub fn get(&self, index: usize) -> Option<EntryRef<'_>> {
        let src = self.source.entries.get(index)?;
        let extra = self.extras.iter().find(|x| x.index == index);
        let note = match extra.and_then(|x| x.note.as_deref()) {
            Some(n) => Some(n),
            None if self.flags.get(2 * index + 1) => src.note.as_deref(),
            None => None,
        };
        Some(EntryRef {
            value: &src.value,
            resolved: extra.and_then(|x| x.resolved.as_deref()),
            span: &src.span,
            matched: self.flags.get(2 * index),
            note,
        })
    }

    /// Every entry, in the policy's order.
    pub fn iter(&self) -> EntriesIter<'_> {
        EntriesIter { entries: self, next: 0 }
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = EntryRef<'a>;
    type IntoIter = EntriesIter<'a>;

    fn into_iter(self) -> EntriesIter<'a> {
        self.iter()
    }
}

/// The entries of [`Entries`], in order.
#[derive(Debug, Clone)]
pub struct EntriesIter<'a> {
    entries: &'a Entries,
    next: usize,
}

impl<'a> Iterator for EntriesIter<'a> {
    type Item = EntryRef<'a>;

    fn next(&mut self) -> Option<EntryRef<'a>> {
        let e = self.entries.get(self.next)?;
        self.next += 1;
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.entries.len().saturating_sub(self.next);
        (n, Some(n))
    }
}

impl ExactSizeIterator for EntriesIter<'_> {}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.source.span == other.source.span
            && self.source.condition == other.source.condition
            && self.iter().eq(other.iter())
    }
}

impl Serialize for Entries {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for e in self {
            seq.serialize_element(&e)?;
        }
        seq.end()
    }
}

// The JSON form of an entry of `Entries` (`EntryRef` is the borrowed form), and its TypeScript declaration, hence
// the doc comment.
/// One value of an element or condition as written in the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EntryTrace {
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

/// One condition (operator + key + values) compared with the request.
///
/// What comes from the policy (operator, key, span, values as written) is one shared [`TraceSource`] inside
/// [`Entries`]; it serialises as the flat JSON object (`operator`, `key`, `span`, `values`, `request_values`,
/// `outcome`, `reason`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "ConditionTraceJson")]
pub struct ConditionTrace {
    pub values: Entries,
    /// The request's values for the key; `None` when the key is missing from the request.
    pub request_values: Option<Vec<String>>,
    pub outcome: bool,
    /// e.g. "key missing: StringNotEquals matches", "IfExists: key missing, condition true".
    pub reason: Arc<str>,
}

impl ConditionTrace {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub fn operator(&self) -> &str {
        self.values.source.condition.as_ref().map_or("", |(op, _)| op)
    }

    /// The condition key as written.
    pub fn key(&self) -> &str {
        self.values.source.condition.as_ref().map_or("", |(_, key)| key)
    }

    /// The condition's location in the source (the whole `"key": values` member).
    pub fn span(&self) -> &Span {
        &self.values.source.span
    }
}

impl Serialize for ConditionTrace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ConditionTrace", 7)?;
        st.serialize_field("operator", self.operator())?;
        st.serialize_field("key", self.key())?;
        st.serialize_field("span", self.span())?;
        st.serialize_field("values", &self.values)?;
        st.serialize_field("request_values", &self.request_values)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.serialize_field("reason", &self.reason)?;
        st.end()
    }
}

#[cfg(feature = "ts")]
impl tsify::Tsify for ConditionTrace {
    type JsType = <ConditionTraceJson as tsify::Tsify>::JsType;
    const DECL: &'static str = <ConditionTraceJson as tsify::Tsify>::DECL;
    const SERIALIZATION_CONFIG: tsify::SerializationConfig = <ConditionTraceJson as tsify::Tsify>::SERIALIZATION_CONFIG;
}

// The JSON form of `ConditionTrace` (and its TypeScript declaration, hence the doc comment), for reading it back.
/// One condition (operator + key + values) compared with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(rename = "ConditionTrace", missing_as_null))]
pub struct ConditionTraceJson {
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

impl From<ConditionTraceJson> for ConditionTrace {
    fn from(c: ConditionTraceJson) -> ConditionTrace {
        ConditionTrace {
            values: Entries::from_json(c.span, Some((c.operator, c.key)), c.values),
            request_values: c.request_values,
            outcome: c.outcome,
            reason: c.reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Flags;

    #[test]
    fn flags_past_the_first_word() {
        let mut f = Flags::default();
        for bit in [0, 63, 64, 130, 1000] {
            assert!(!f.get(bit));
            f.set(bit);
            assert!(f.get(bit));
        }
        let set: Vec<usize> = (0..1100).filter(|b| f.get(*b)).collect();
        assert_eq!(set, [0, 63, 64, 130, 1000]);
    }
}
