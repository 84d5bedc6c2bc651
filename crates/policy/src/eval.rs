//! Evaluation: one statement at a time, element by element, then the conditions.
//!
//! The fast path (no trace) short-circuits and does not allocate except to record applying statements. The trace
//! path evaluates everything, but every outcome it reports comes from the same functions as the fast path, so the
//! decision cannot differ.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::glob::Glob;
use crate::model::*;
use crate::parse::{compile_value, parse_bool, parse_number};
use crate::request::{ContextValue, Principal, PrincipalKind, Request, Value};
use crate::result::*;
use crate::vars::Template;

/// The request, split once per evaluation.
pub(crate) struct Prepared<'r> {
    pub req: &'r Request,
    /// Service prefix and action name (`None` when the action has no `:`; only `*` matches it).
    pub action: Option<(&'r str, &'r str)>,
    pub resource_segs: Option<[&'r str; 6]>,
}

impl<'r> Prepared<'r> {
    pub fn new(req: &'r Request) -> Prepared<'r> {
        Prepared { req, action: req.action.split_once(':'), resource_segs: split_arn(&req.resource) }
    }
}

pub(crate) fn evaluate_prepared(policy: &Policy, p: &Prepared<'_>, options: EvalOptions) -> PolicyResult {
    let mut applied = Vec::new();
    let mut traces = Vec::new();
    for st in &policy.statements {
        let pm = if options.trace {
            let t = trace_statement(st, p, policy.variables);
            let r = t.applies.then_some(t.principal_match);
            traces.push(t);
            r
        } else {
            statement_applies(st, p, policy.variables)
        };
        if let Some(principal) = pm {
            applied.push(StatementRef {
                index: st.index,
                sid: st.sid.clone(),
                effect: st.effect,
                principal,
                span: st.span.clone(),
            });
        }
    }
    let decision = if applied.iter().any(|s| s.effect == Effect::Deny) {
        PolicyDecision::ExplicitDeny
    } else if applied.is_empty() {
        PolicyDecision::NoMatch
    } else {
        PolicyDecision::Allow
    };
    let trace = options.trace.then(|| PolicyTrace {
        policy_type: policy.ty,
        id: policy.id.clone(),
        decision,
        statements: traces,
    });
    PolicyResult { decision, applied, trace }
}

/// `Some(principal match)` when the statement applies (the inner `None` for statements without principals).
fn statement_applies(st: &Statement, p: &Prepared<'_>, vars: bool) -> Option<Option<PrincipalMatch>> {
    if !action_el_matches(&st.action, p) {
        return None;
    }
    if !resource_el_matches(&st.resource, p, vars) {
        return None;
    }
    let pm = match &st.principal {
        None => None,
        Some(el) => Some(principal_el_match(el, &p.req.principal)?),
    };
    if !st.conditions.iter().all(|c| condition_outcome(c, p.req, vars)) {
        return None;
    }
    Some(pm)
}

// ---- actions -----------------------------------------------------------------------------------------------------

fn action_entry_matches(e: &ActionEntry, p: &Prepared<'_>) -> bool {
    if e.any {
        return true;
    }
    match p.action {
        Some((svc, name)) => e.service.matches_fold(svc) && e.name.matches_fold(name),
        None => false,
    }
}

fn action_el_matches(el: &ActionEl, p: &Prepared<'_>) -> bool {
    el.entries.iter().any(|e| action_entry_matches(e, p)) != el.negated
}

// ---- resources ---------------------------------------------------------------------------------------------------

fn resource_entry_matches(e: &ResourceEntry, p: &Prepared<'_>, vars: bool) -> bool {
    match &e.pat {
        ResPat::Static(pat) => pat.matches(&p.req.resource, p.resource_segs.as_ref()),
        ResPat::Template(t) if vars => match t.resolve_tokens(p.req) {
            Some(toks) => ArnPat::from_tokens(&toks).matches(&p.req.resource, p.resource_segs.as_ref()),
            None => false,
        },
        ResPat::Template(t) => {
            ArnPat::from_tokens(&t.static_tokens()).matches(&p.req.resource, p.resource_segs.as_ref())
        }
    }
}

fn resource_el_matches(el: &ResourceEl, p: &Prepared<'_>, vars: bool) -> bool {
    el.entries.iter().any(|e| resource_entry_matches(e, p, vars)) != el.negated
}

// ---- principals --------------------------------------------------------------------------------------------------

fn has_account(pr: &Principal) -> bool {
    !matches!(pr.kind, PrincipalKind::Service | PrincipalKind::Anonymous)
}

fn role_matches(arn: &str, account: &str, name: &str, pr: &Principal) -> bool {
    match pr.kind {
        PrincipalKind::Role => pr.arn == arn,
        PrincipalKind::RoleSession => match &pr.role_arn {
            Some(r) if r == arn => true,
            // The session's role ARN carries no path; a role name is unique in its account.
            Some(r) => pr.account.as_deref() == Some(account) && r.rsplit('/').next() == Some(name),
            None => false,
        },
        _ => false,
    }
}

/// How one `Principal` entry matches the caller.
fn principal_entry_match(e: &PrincipalEntry, pr: &Principal) -> Option<PrincipalMatch> {
    match &e.kind {
        PrincipalKindPat::Wildcard => Some(PrincipalMatch::Wildcard),
        PrincipalKindPat::Account(a) => {
            (has_account(pr) && pr.account.as_deref() == Some(a.as_str())).then_some(PrincipalMatch::Account)
        }
        PrincipalKindPat::Role { arn, account, name } => {
            role_matches(arn, account, name, pr).then_some(PrincipalMatch::Role)
        }
        PrincipalKindPat::Arn(a) => (pr.arn == *a && has_account(pr)).then_some(PrincipalMatch::Exact),
        PrincipalKindPat::Service(s) => {
            (pr.kind == PrincipalKind::Service && pr.arn.eq_ignore_ascii_case(s)).then_some(PrincipalMatch::Service)
        }
        PrincipalKindPat::Other(s) => (pr.arn == *s).then_some(PrincipalMatch::Exact),
    }
}

fn rank(m: PrincipalMatch) -> u8 {
    match m {
        PrincipalMatch::Exact | PrincipalMatch::Role | PrincipalMatch::Service => 3,
        PrincipalMatch::Wildcard => 2,
        PrincipalMatch::Account => 1,
        PrincipalMatch::NotPrincipal => 0,
    }
}

/// Whether a `NotPrincipal` list exempts the caller. AWS evaluates every identity in the caller's chain: the caller
/// is exempt only when each of them is listed — its account (root ARN or id), for a role session both the role
/// and the session ARN, otherwise the caller's own ARN. `*` exempts everyone.
fn not_principal_exempts(el: &PrincipalEl, pr: &Principal) -> bool {
    let listed = |f: &dyn Fn(&PrincipalKindPat) -> bool| el.entries.iter().any(|e| f(&e.kind));
    if listed(&|k| matches!(k, PrincipalKindPat::Wildcard)) {
        return true;
    }
    let account_ok = || match &pr.account {
        Some(a) => listed(&|k| matches!(k, PrincipalKindPat::Account(x) if x == a)),
        None => false,
    };
    let arn_ok = || listed(&|k| matches!(k, PrincipalKindPat::Arn(x) | PrincipalKindPat::Other(x) if *x == pr.arn));
    let role_ok = || {
        listed(&|k| matches!(k, PrincipalKindPat::Role { arn, account, name } if role_matches(arn, account, name, pr)))
    };
    match pr.kind {
        PrincipalKind::Anonymous => false,
        PrincipalKind::Service => {
            listed(&|k| matches!(k, PrincipalKindPat::Service(s) if pr.arn.eq_ignore_ascii_case(s)))
        }
        PrincipalKind::Root => account_ok(),
        PrincipalKind::Role => account_ok() && role_ok(),
        PrincipalKind::RoleSession => account_ok() && role_ok() && arn_ok(),
        PrincipalKind::User | PrincipalKind::FederatedUser => account_ok() && arn_ok(),
    }
}

fn principal_el_match(el: &PrincipalEl, pr: &Principal) -> Option<PrincipalMatch> {
    if el.negated {
        return (!not_principal_exempts(el, pr)).then_some(PrincipalMatch::NotPrincipal);
    }
    el.entries.iter().filter_map(|e| principal_entry_match(e, pr)).max_by_key(|m| rank(*m))
}

// ---- conditions --------------------------------------------------------------------------------------------------

/// A request value read as the operator's type.
enum ReqVal<'a> {
    Text(Cow<'a, str>),
    Num(f64),
    Date(i64),
    Bool(bool),
    Bin(Cow<'a, [u8]>),
    Ip(IpAddr),
}

fn text_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) | Value::Arn(s) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(other.as_text()),
    }
}

/// Reads a request value for an operator family; `None` when it cannot be read as that type.
fn req_val(family: Family, v: &Value) -> Option<ReqVal<'_>> {
    Some(match family {
        Family::Str | Family::StrIc | Family::Like | Family::Arn | Family::Null => ReqVal::Text(text_of(v)),
        Family::Num => ReqVal::Num(match v {
            Value::Number(n) => *n,
            Value::String(s) => parse_number(s)?,
            _ => return None,
        }),
        Family::Date => ReqVal::Date(match v {
            Value::Date(d) => *d,
            #[expect(clippy::cast_possible_truncation, reason = "epoch seconds to milliseconds; saturating cast")]
            Value::Number(n) => (*n * 1000.0) as i64,
            Value::String(s) => crate::time::parse_date(s)?,
            _ => return None,
        }),
        Family::Bool => ReqVal::Bool(match v {
            Value::Bool(b) => *b,
            Value::String(s) => parse_bool(s)?,
            _ => return None,
        }),
        Family::Bin => ReqVal::Bin(match v {
            Value::Binary(b) => Cow::Borrowed(b.as_slice()),
            Value::String(s) => Cow::Owned(crate::time::base64_decode(s)?),
            _ => return None,
        }),
        Family::Ip => ReqVal::Ip(match v {
            Value::Ip(ip) => *ip,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        }),
    })
}

fn why_unreadable(family: Family) -> &'static str {
    match family {
        Family::Num => "is not a number",
        Family::Date => "is not a date",
        Family::Bool => "is not a boolean",
        Family::Bin => "is not binary (base64)",
        Family::Ip => "is not an IP address",
        _ => "cannot be compared",
    }
}

fn cmp_ord<T: PartialOrd>(cmp: Cmp, a: T, b: T) -> bool {
    match cmp {
        Cmp::Eq => a == b,
        Cmp::Lt => a < b,
        Cmp::Le => a <= b,
        Cmp::Gt => a > b,
        Cmp::Ge => a >= b,
    }
}

/// Resolves a templated condition value for this request (`None`: a variable has no value, or the resolved text is
/// not valid for the operator).
fn resolve_cval(op: Op, t: &Template, req: &Request) -> Option<CVal> {
    match op.family {
        Family::Like => Some(CVal::Like(Glob::from_tokens(t.resolve_tokens(req)?))),
        Family::Arn => Some(CVal::Arn(ArnPat::from_tokens(&t.resolve_tokens(req)?))),
        f => compile_value(f, &t.resolve_text(req)?).ok(),
    }
}

/// The positive comparison of one request value with one policy value (negation is applied by the caller).
fn match_one(op: Op, rv: &ReqVal<'_>, pv: &CVal, req: &Request, vars: bool) -> bool {
    match (pv, rv) {
        (CVal::Template(t), _) => {
            let resolved =
                if vars { resolve_cval(op, t, req) } else { compile_value(op.family, &t.static_text()).ok() };
            match resolved {
                Some(CVal::Template(_)) | None => false,
                Some(v) => match_one(op, rv, &v, req, vars),
            }
        }
        (CVal::Str(s), ReqVal::Text(t)) => t.as_ref() == s,
        (CVal::StrLower(s), ReqVal::Text(t)) => t.chars().flat_map(char::to_lowercase).eq(s.chars()),
        (CVal::Like(g), ReqVal::Text(t)) => g.matches(t),
        (CVal::Arn(a), ReqVal::Text(t)) => a.matches(t, split_arn(t).as_ref()),
        (CVal::Num(n), ReqVal::Num(r)) => cmp_ord(op.cmp, *r, *n),
        (CVal::Date(d), ReqVal::Date(r)) => cmp_ord(op.cmp, *r, *d),
        (CVal::Bool(b), ReqVal::Bool(r)) => b == r,
        (CVal::Bin(b), ReqVal::Bin(r)) => b.as_slice() == r.as_ref(),
        (CVal::Ip(c), ReqVal::Ip(ip)) => c.contains(*ip),
        _ => false,
    }
}

/// The request's values for a key: `None` when missing or an empty array.
fn request_values<'r>(c: &Condition, req: &'r Request) -> Option<&'r [Value]> {
    req.context.get_lowercase(&c.key_lower).map(ContextValue::values).filter(|v| !v.is_empty())
}

/// Whether one request value satisfies the operator (for a negated operator: it matches none of the policy values).
/// An unreadable request value satisfies nothing.
fn satisfies(c: &Condition, v: &Value, req: &Request, vars: bool) -> bool {
    let Some(rv) = req_val(c.op.family, v) else { return false };
    let any = c.values.iter().any(|pv| match_one(c.op, &rv, &pv.val, req, vars));
    any != c.op.negated
}

/// The outcome of one condition.
///
/// - Missing key (or an empty array): `Null` → the values say; `…IfExists` → true; `ForAnyValue:` → false;
///   `ForAllValues:` → true; otherwise negated operators → true, positive → false.
/// - Present: `ForAnyValue:` → some request value satisfies; `ForAllValues:` → every one does. Without a set
///   operator a multi-valued key behaves like `ForAnyValue:` for positive operators and like `ForAllValues:` for
///   negated ones (so a negated operator is exactly the negation of its positive form).
pub(crate) fn condition_outcome(c: &Condition, req: &Request, vars: bool) -> bool {
    let values = request_values(c, req);
    if c.op.family == Family::Null {
        let missing = values.is_none();
        return c.values.iter().any(|v| matches!(v.val, CVal::Null(want) if want == missing));
    }
    let Some(values) = values else {
        return c.op.if_exists
            || match c.op.set {
                SetOp::ForAnyValue => false,
                SetOp::ForAllValues => true,
                SetOp::None => c.op.negated,
            };
    };
    match (c.op.set, c.op.negated) {
        (SetOp::ForAnyValue, _) | (SetOp::None, false) => values.iter().any(|v| satisfies(c, v, req, vars)),
        (SetOp::ForAllValues, _) | (SetOp::None, true) => values.iter().all(|v| satisfies(c, v, req, vars)),
    }
}

// ---- the trace ---------------------------------------------------------------------------------------------------

fn entry(value: &str, span: &crate::error::Span, matched: bool) -> EntryTrace {
    EntryTrace { value: value.to_string(), resolved: None, span: span.clone(), matched, note: None }
}

fn trace_statement(st: &Statement, p: &Prepared<'_>, vars: bool) -> StatementTrace {
    let mut elements = Vec::new();
    let mut reason: Option<String> = None;
    let pr = &p.req.principal;

    let mut principal_match = None;
    if let Some(el) = &st.principal {
        let m = principal_el_match(el, pr);
        principal_match = m;
        let entries = el
            .entries
            .iter()
            .map(|e| {
                let em = principal_entry_match(e, pr);
                let mut t = entry(&e.text, &e.span, em.is_some());
                if e.ptype != "*" && e.ptype != "AWS" {
                    t.value = format!("{}: {}", e.ptype, e.text);
                }
                t.note = match em {
                    Some(PrincipalMatch::Account) => Some("the caller's account".into()),
                    Some(PrincipalMatch::Role) if pr.kind == PrincipalKind::RoleSession => {
                        Some("role session matches its role".into())
                    }
                    Some(PrincipalMatch::Wildcard) => Some("matches every caller".into()),
                    _ => None,
                };
                t
            })
            .collect();
        let name = if el.negated { ElementName::NotPrincipal } else { ElementName::Principal };
        let why = match (el.negated, m.is_some()) {
            (false, true) => format!("caller matched as {}", match_word(m)),
            (false, false) => format!("caller `{}` is not listed in `Principal`", pr.arn),
            (true, true) => format!("caller `{}` is not exempted by `NotPrincipal`", pr.arn),
            (true, false) => {
                format!("caller `{}` is exempted by `NotPrincipal` (every identity in its chain is listed)", pr.arn)
            }
        };
        if m.is_none() && reason.is_none() {
            reason = Some(why.clone());
        }
        elements.push(ElementTrace {
            element: name,
            span: el.span.clone(),
            request_value: pr.arn.clone(),
            entries,
            matched: m.is_some(),
            reason: why,
        });
    }

    // Action
    {
        let el = &st.action;
        let entries: Vec<EntryTrace> =
            el.entries.iter().map(|e| entry(&e.text, &e.span, action_entry_matches(e, p))).collect();
        let matched = action_el_matches(el, p);
        let (name, why) = match (el.negated, matched) {
            (false, true) => (ElementName::Action, format!("action `{}` is listed in `Action`", p.req.action)),
            (false, false) => (ElementName::Action, format!("action `{}` is not listed in `Action`", p.req.action)),
            (true, true) => {
                (ElementName::NotAction, format!("action `{}` is not excluded by `NotAction`", p.req.action))
            }
            (true, false) => (ElementName::NotAction, format!("action `{}` is excluded by `NotAction`", p.req.action)),
        };
        if !matched && reason.is_none() {
            reason = Some(why.clone());
        }
        elements.push(ElementTrace {
            element: name,
            span: el.span.clone(),
            request_value: p.req.action.clone(),
            entries,
            matched,
            reason: why,
        });
    }

    // Resource
    {
        let el = &st.resource;
        let entries: Vec<EntryTrace> = el
            .entries
            .iter()
            .map(|e| {
                let mut t = entry(&e.text, &e.span, resource_entry_matches(e, p, vars));
                if let (ResPat::Template(tpl), true) = (&e.pat, vars) {
                    match tpl.resolve_text(p.req) {
                        Some(r) => t.resolved = Some(r),
                        None => {
                            let var = tpl.missing_var(p.req).unwrap_or("");
                            t.note = Some(format!("variable ${{{var}}} has no value: the entry matches nothing"));
                        }
                    }
                }
                t
            })
            .collect();
        let matched = resource_el_matches(el, p, vars);
        let (name, why) = match (el.negated, matched) {
            (false, true) => (ElementName::Resource, format!("resource `{}` is listed in `Resource`", p.req.resource)),
            (false, false) => {
                (ElementName::Resource, format!("resource `{}` is not listed in `Resource`", p.req.resource))
            }
            (true, true) => {
                (ElementName::NotResource, format!("resource `{}` is not excluded by `NotResource`", p.req.resource))
            }
            (true, false) => {
                (ElementName::NotResource, format!("resource `{}` is excluded by `NotResource`", p.req.resource))
            }
        };
        if !matched && reason.is_none() {
            reason = Some(why.clone());
        }
        elements.push(ElementTrace {
            element: name,
            span: el.span.clone(),
            request_value: p.req.resource.clone(),
            entries,
            matched,
            reason: why,
        });
    }

    let conditions: Vec<ConditionTrace> = st.conditions.iter().map(|c| trace_condition(c, p.req, vars)).collect();
    if reason.is_none() {
        if let Some(c) = conditions.iter().find(|c| !c.outcome) {
            reason = Some(format!("condition `{}` on `{}` is false: {}", c.operator, c.key, c.reason));
        }
    }
    let applies = elements.iter().all(|e| e.matched) && conditions.iter().all(|c| c.outcome);
    let reason = match reason {
        Some(r) if !applies => r,
        _ => {
            let what = match st.effect {
                Effect::Allow => "allows",
                Effect::Deny => "denies",
            };
            if conditions.is_empty() {
                format!("applies: every element matches; the statement {what} the request")
            } else {
                format!("applies: every element and condition matches; the statement {what} the request")
            }
        }
    };
    StatementTrace {
        index: st.index,
        sid: st.sid.clone(),
        effect: st.effect,
        span: st.span.clone(),
        applies,
        principal_match,
        elements,
        conditions,
        reason,
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

fn trace_condition(c: &Condition, req: &Request, vars: bool) -> ConditionTrace {
    let outcome = condition_outcome(c, req, vars);
    let values = request_values(c, req);
    let request_values =
        req.context.get_lowercase(&c.key_lower).map(|v| v.values().iter().map(|x| x.as_text()).collect());
    let base = c.op.base;
    let mut notes: Vec<String> = Vec::new();

    let readable: Vec<Option<ReqVal<'_>>> = match (values, c.op.family) {
        (Some(vs), f) if f != Family::Null => vs
            .iter()
            .map(|v| {
                let r = req_val(f, v);
                if r.is_none() {
                    notes.push(format!("request value `{}` {}: comparison false", v.as_text(), why_unreadable(f)));
                }
                r
            })
            .collect(),
        _ => Vec::new(),
    };

    let entries: Vec<EntryTrace> = c
        .values
        .iter()
        .map(|pv| {
            let mut t = entry(&pv.text, &pv.span, false);
            if let (CVal::Template(tpl), true) = (&pv.val, vars) {
                match tpl.resolve_text(req) {
                    Some(r) => {
                        if resolve_cval(c.op, tpl, req).is_none() {
                            t.note = Some(format!("resolved value `{r}` is not valid for `{base}`: it cannot match"));
                        }
                        t.resolved = Some(r);
                    }
                    None => {
                        let var = tpl.missing_var(req).unwrap_or("");
                        let n = format!("variable ${{{var}}} has no value");
                        notes.push(n.clone());
                        t.note = Some(n);
                    }
                }
            }
            t.matched = match &pv.val {
                CVal::Null(want) => *want == values.is_none(),
                val => readable.iter().flatten().any(|rv| match_one(c.op, rv, val, req, vars)),
            };
            t
        })
        .collect();

    let set_name = match c.op.set {
        SetOp::ForAnyValue => "ForAnyValue",
        SetOp::ForAllValues => "ForAllValues",
        SetOp::None => "",
    };
    let mut reason = if c.op.family == Family::Null {
        match values {
            None => format!("key missing: `Null` is {outcome}"),
            Some(_) => format!("key present: `Null` is {outcome}"),
        }
    } else if values.is_none() {
        if c.op.if_exists {
            "IfExists: key missing, condition true".to_string()
        } else if c.op.set != SetOp::None {
            format!("{set_name}: key missing, condition {outcome}")
        } else if c.op.negated {
            format!("key missing: {base} matches")
        } else {
            format!("key missing: {base} does not match")
        }
    } else {
        let n = values.map_or(0, <[Value]>::len);
        let subject = if n == 1 { "the request value".to_string() } else { format!("the {n} request values") };
        match (c.op.set, c.op.negated, outcome) {
            (SetOp::None, false, true) => format!("{subject} match {base}"),
            (SetOp::None, false, false) => format!("no request value matches a policy value ({base})"),
            (SetOp::None, true, true) => format!("{subject} match none of the policy values ({base})"),
            (SetOp::None, true, false) => "a request value equals a policy value".to_string(),
            (SetOp::ForAnyValue, _, true) => format!("ForAnyValue: a request value satisfies {base}"),
            (SetOp::ForAnyValue, _, false) => format!("ForAnyValue: no request value satisfies {base}"),
            (SetOp::ForAllValues, _, true) => format!("ForAllValues: every request value satisfies {base}"),
            (SetOp::ForAllValues, _, false) => format!("ForAllValues: a request value does not satisfy {base}"),
        }
    };
    for n in notes {
        reason.push_str("; ");
        reason.push_str(&n);
    }
    ConditionTrace {
        operator: c.op_text.clone(),
        key: c.key_text.clone(),
        span: c.span.clone(),
        values: entries,
        request_values,
        outcome,
        reason,
    }
}
