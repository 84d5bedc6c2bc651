//! The trace's prose: every reason and note a trace shows, and the caches that keep tracing from formatting them
//! again: per statement (texts that depend only on the policy, made on its first traced evaluation) and per
//! evaluation ([`Slot`]: texts that depend only on the request). The evaluator decides; this module only words.

use std::sync::Arc;

use crate::error::{PolicyWarning, Span};
use crate::model::{CondTexts, Condition, Family, Op, Policy, PrincipalKindPat, SetOp, Statement, StatementTexts};
use crate::request::Request;
use crate::result::{Effect, EntrySource, PrincipalMatch, TraceSource};

fn entry(value: &Arc<str>, span: Span) -> EntrySource {
    EntrySource { value: Arc::clone(value), span, note: None }
}

fn source(span: Span, entries: impl Iterator<Item = EntrySource>) -> Arc<TraceSource> {
    Arc::new(TraceSource { span, condition: None, entries: entries.collect() })
}

impl Statement {
    /// The trace texts that depend only on the statement: made on the first traced evaluation (so parsing does
    /// not pay for them) and shared by every later one.
    pub(crate) fn trace_texts(&self) -> &StatementTexts {
        self.texts.get_or_init(|| StatementTexts {
            applies: applies_reason(self.effect, self.conditions.is_empty()).into(),
            principal: self.principal.as_ref().map(|el| {
                let entries = el.entries.iter().map(|e| EntrySource {
                    note: principal_note(&e.kind).map(Arc::from),
                    ..entry(&e.shown, self.principal_entry_span(el, e))
                });
                source(self.principal_el_span(el), entries)
            }),
            principal_reasons: self
                .principal
                .iter()
                .flat_map(|el| &el.entries)
                .map(|e| principal_matched_reason(&e.kind).into())
                .collect(),
            action: source(
                self.action_el_span(),
                self.action.entries.iter().map(|e| entry(&Arc::from(self.action.text(e)), self.action_entry_span(e))),
            ),
            resource: self.resource.as_ref().map(|r| {
                source(
                    self.resource_el_span(r),
                    r.entries.iter().map(|e| entry(&e.text, self.resource_entry_span(r, e))),
                )
            }),
            conditions: self.conditions.iter().map(|c| CondTexts::new(self, c)).collect(),
        })
    }
}

impl CondTexts {
    /// The trace's source of a condition of statement `st` and its reasons that do not depend on the request.
    pub fn new(st: &Statement, c: &Condition) -> CondTexts {
        let (op, op_text, key_text) = (c.op, &*c.op_text, &*c.key_text);
        let r = |present, outcome| -> Arc<str> { condition_reason(op, present, outcome).into() };
        let (missing_false, one_false) = (r(None, false), r(Some(1), false));
        let f = |r: &Arc<str>| -> Arc<str> { condition_false_reason(op_text, key_text, r).into() };
        let false_reasons = [f(&missing_false), f(&one_false)];
        let count_free = op.set != SetOp::None || op.family == Family::Null;
        CondTexts {
            source: Arc::new(TraceSource {
                span: st.condition_span(c),
                condition: Some((Arc::clone(&c.op_text), Arc::clone(&c.key_text))),
                entries: c.values.iter().map(|v| entry(&v.text, st.value_span(c, v))).collect(),
            }),
            reasons: [missing_false, r(None, true), one_false, r(Some(1), true)],
            false_reasons,
            count_free,
        }
    }

    /// The cached reason for a key with no value (`None`) or with `n` values (only the reasons of operators
    /// without a set operator that hold name the number of values; those are cached for one value).
    pub fn reason(&self, present: Option<usize>, outcome: bool) -> Option<&Arc<str>> {
        let i = match present {
            None => 0,
            Some(1) => 2,
            Some(_) if self.count_free => 2,
            Some(_) if !outcome => 2,
            Some(_) => return None,
        };
        self.reasons.get(i + usize::from(outcome))
    }

    /// The cached statement reason for a false condition whose reason is one of the cached ones (not one with notes).
    pub fn false_reason(&self, reason: &Arc<str>) -> Option<&Arc<str>> {
        let i = if self.reasons.first().is_some_and(|r| Arc::ptr_eq(r, reason)) {
            0
        } else if self.reasons.get(2).is_some_and(|r| Arc::ptr_eq(r, reason)) {
            1
        } else {
            return None;
        };
        self.false_reasons.get(i)
    }
}

/// A trace text that depends only on the request (or on nothing), made once per evaluation and shared by every
/// statement of every policy evaluated together.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot {
    CallerArn,
    Action,
    Resource,
    MatchedWildcard,
    MatchedAccount,
    MatchedExact,
    MatchedRole,
    MatchedService,
    MatchedNotPrincipal,
    NotListed,
    NotExempted,
    Exempted,
    ActionListed,
    ActionNotListed,
    ActionNotExcluded,
    ActionExcluded,
    ResourceListed,
    ResourceNotListed,
    ResourceNotExcluded,
    ResourceExcluded,
    /// Not a text: the number of slots.
    Count,
}

/// The request value a [`Slot`]'s text quotes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Quoted {
    CallerArn,
    Action,
    Resource,
    Fixed(&'static str),
}

impl Quoted {
    pub fn of(self, req: &Request) -> &str {
        match self {
            Quoted::CallerArn => &req.principal.arn,
            Quoted::Action => &req.action,
            Quoted::Resource => &req.resource,
            Quoted::Fixed(text) => text,
        }
    }
}

impl Slot {
    /// The text as prefix, quoted request value, suffix.
    pub fn parts(self) -> (&'static str, Quoted, &'static str) {
        let matched = |m| ("caller matched as ", Quoted::Fixed(match_word(Some(m))), "");
        match self {
            Slot::CallerArn | Slot::Count => ("", Quoted::CallerArn, ""),
            Slot::Action => ("", Quoted::Action, ""),
            Slot::Resource => ("", Quoted::Resource, ""),
            Slot::MatchedWildcard => matched(PrincipalMatch::Wildcard),
            Slot::MatchedAccount => matched(PrincipalMatch::Account),
            Slot::MatchedExact => matched(PrincipalMatch::Exact),
            Slot::MatchedRole => matched(PrincipalMatch::Role),
            Slot::MatchedService => matched(PrincipalMatch::Service),
            Slot::MatchedNotPrincipal => matched(PrincipalMatch::NotPrincipal),
            Slot::NotListed => ("caller `", Quoted::CallerArn, "` is not listed in `Principal`"),
            Slot::NotExempted => ("caller `", Quoted::CallerArn, "` is not exempted by `NotPrincipal`"),
            Slot::Exempted => (
                "caller `",
                Quoted::CallerArn,
                "` is exempted by `NotPrincipal` (every identity in its chain is listed)",
            ),
            Slot::ActionListed => ("action `", Quoted::Action, "` is listed in `Action`"),
            Slot::ActionNotListed => ("action `", Quoted::Action, "` is not listed in `Action`"),
            Slot::ActionNotExcluded => ("action `", Quoted::Action, "` is not excluded by `NotAction`"),
            Slot::ActionExcluded => ("action `", Quoted::Action, "` is excluded by `NotAction`"),
            Slot::ResourceListed => ("resource `", Quoted::Resource, "` is listed in `Resource`"),
            Slot::ResourceNotListed => ("resource `", Quoted::Resource, "` is not listed in `Resource`"),
            Slot::ResourceNotExcluded => ("resource `", Quoted::Resource, "` is not excluded by `NotResource`"),
            Slot::ResourceExcluded => ("resource `", Quoted::Resource, "` is excluded by `NotResource`"),
        }
    }

    /// The `Principal` element's reason when the caller matched as `m` (and no entry's cached reason applies).
    pub fn matched(m: PrincipalMatch) -> Slot {
        match m {
            PrincipalMatch::Wildcard => Slot::MatchedWildcard,
            PrincipalMatch::Account => Slot::MatchedAccount,
            PrincipalMatch::Exact => Slot::MatchedExact,
            PrincipalMatch::Role => Slot::MatchedRole,
            PrincipalMatch::Service => Slot::MatchedService,
            PrincipalMatch::NotPrincipal => Slot::MatchedNotPrincipal,
        }
    }

    /// The `Principal`/`NotPrincipal` element's reason when the caller does not match, or matches a `NotPrincipal`.
    pub fn principal(negated: bool, matched: bool) -> Slot {
        match (negated, matched) {
            (false, _) => Slot::NotListed,
            (true, true) => Slot::NotExempted,
            (true, false) => Slot::Exempted,
        }
    }

    /// The `Action`/`NotAction` element's reason.
    pub fn action(negated: bool, matched: bool) -> Slot {
        match (negated, matched) {
            (false, true) => Slot::ActionListed,
            (false, false) => Slot::ActionNotListed,
            (true, true) => Slot::ActionNotExcluded,
            (true, false) => Slot::ActionExcluded,
        }
    }

    /// The `Resource`/`NotResource` element's reason.
    pub fn resource(negated: bool, matched: bool) -> Slot {
        match (negated, matched) {
            (false, true) => Slot::ResourceListed,
            (false, false) => Slot::ResourceNotListed,
            (true, true) => Slot::ResourceNotExcluded,
            (true, false) => Slot::ResourceExcluded,
        }
    }
}

/// The trace's reason for a statement that applies.
pub(crate) fn applies_reason(effect: Effect, no_conditions: bool) -> String {
    let what = match effect {
        Effect::Allow => "allows",
        Effect::Deny => "denies",
    };
    if no_conditions {
        format!("applies: every element matches; the statement {what} the request")
    } else {
        format!("applies: every element and condition matches; the statement {what} the request")
    }
}

/// The `Principal` element's reason when an entry of this kind decides how the caller matched.
pub(crate) fn principal_matched_reason(kind: &PrincipalKindPat) -> String {
    format!("caller matched as {}", match_word(Some(kind.match_kind())))
}

/// The trace note of a matching `Principal` entry of this kind (for a role: when the caller is one of its sessions).
pub(crate) fn principal_note(kind: &PrincipalKindPat) -> Option<&'static str> {
    match kind {
        PrincipalKindPat::Account(_) => Some("the caller's account"),
        PrincipalKindPat::Role { .. } => Some("role session matches its role"),
        PrincipalKindPat::Wildcard => Some("matches every caller"),
        _ => None,
    }
}

fn match_word(m: Option<PrincipalMatch>) -> &'static str {
    match m {
        Some(PrincipalMatch::Wildcard) => "everyone (`*`)",
        Some(PrincipalMatch::Account) => "a principal of the listed account",
        Some(PrincipalMatch::Exact) => "its exact ARN",
        Some(PrincipalMatch::Role) => "the role it acts as",
        Some(PrincipalMatch::Service) => "the service principal",
        Some(PrincipalMatch::NotPrincipal) => "not exempted by NotPrincipal",
        None => "nothing",
    }
}

/// Why a statement without `Resource` or `NotResource` (accepted in key policies) never applies; also the warning
/// [`crate::Policy::warnings`] gives for it.
pub(crate) const NO_RESOURCE: &str = "no Resource element: the statement has no effect";

/// The help of a missing `Resource` (an error in most policy types, a warning in key policies).
pub(crate) const RESOURCE_HELP: &str = "add e.g. `\"Resource\": \"*\"` (in a key policy `*` means this key)";

impl Policy {
    /// What the policy's author should know although AWS accepts the policy: today, each statement without
    /// `Resource` or `NotResource` (accepted in key policies, where it has no effect).
    pub fn warnings(&self) -> Vec<PolicyWarning> {
        self.statements
            .iter()
            .filter(|st| st.lacks_resource())
            .map(|st| PolicyWarning {
                message: match st.sid() {
                    Some(sid) => format!("statement `{sid}`: {}", NO_RESOURCE),
                    None => format!("statement #{}: {}", st.index, NO_RESOURCE),
                },
                help: Some(RESOURCE_HELP.into()),
                span: st.span.clone(),
            })
            .collect()
    }
}

/// The note of a `Resource` entry whose variable has no value.
pub(crate) fn resource_missing_var_note(var: &str) -> String {
    format!("variable ${{{var}}} has no value: the entry matches nothing")
}

/// The note of a condition value whose variable has no value (also appended to the condition's reason).
pub(crate) fn condition_missing_var_note(var: &str) -> String {
    format!("variable ${{{var}}} has no value")
}

/// The note of a condition value whose variables resolved to text the operator cannot read.
pub(crate) fn condition_invalid_resolved_note(resolved: &str, base: &str) -> String {
    format!("resolved value `{resolved}` is not valid for `{base}`: it cannot match")
}

/// The condition's note for a request value that cannot be read as the operator's type.
pub(crate) fn unreadable_note(value: &str, family: Family) -> String {
    let why = match family {
        Family::Num => "is not a number",
        Family::Date => "is not a date",
        Family::Bool => "is not a boolean",
        Family::Bin => "is not binary (base64)",
        Family::Ip => "is not an IP address",
        _ => "cannot be compared",
    };
    format!("request value `{value}` {why}: comparison false")
}

/// Why a condition has its outcome (before any notes): `present` is the number of request values, `None` when the
/// key is missing. [`CondTexts`] caches the common cases.
pub(crate) fn condition_reason(op: Op, present: Option<usize>, outcome: bool) -> String {
    let base = op.base;
    let set_name = match op.set {
        SetOp::ForAnyValue => "ForAnyValue",
        SetOp::ForAllValues => "ForAllValues",
        SetOp::None => "",
    };
    if op.family == Family::Null {
        return match present {
            None => format!("key missing: `Null` is {outcome}"),
            Some(_) => format!("key present: `Null` is {outcome}"),
        };
    }
    let Some(n) = present else {
        return if op.if_exists {
            "IfExists: key missing, condition true".to_string()
        } else if op.set != SetOp::None {
            format!("{set_name}: key missing, condition {outcome}")
        } else if op.negated {
            format!("key missing: {base} matches")
        } else {
            format!("key missing: {base} does not match")
        };
    };
    let subject = if n == 1 { "the request value".to_string() } else { format!("the {n} request values") };
    match (op.set, op.negated, outcome) {
        (SetOp::None, false, true) => format!("{subject} match {base}"),
        (SetOp::None, false, false) => format!("no request value matches a policy value ({base})"),
        (SetOp::None, true, true) => format!("{subject} match none of the policy values ({base})"),
        (SetOp::None, true, false) => "a request value equals a policy value".to_string(),
        (SetOp::ForAnyValue, _, true) => format!("ForAnyValue: a request value satisfies {base}"),
        (SetOp::ForAnyValue, _, false) => format!("ForAnyValue: no request value satisfies {base}"),
        (SetOp::ForAllValues, _, true) => format!("ForAllValues: every request value satisfies {base}"),
        (SetOp::ForAllValues, _, false) => format!("ForAllValues: a request value does not satisfy {base}"),
    }
}

/// A statement's reason when this condition is the first one that is false.
pub(crate) fn condition_false_reason(op_text: &str, key_text: &str, reason: &str) -> String {
    format!("condition `{op_text}` on `{key_text}` is false: {reason}")
}
