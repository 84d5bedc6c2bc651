//! Evaluation: one statement at a time, element by element, then the conditions.
//!
//! The fast path (no trace) short-circuits and does not allocate except to record applying statements. The trace
//! path evaluates everything, but every outcome it reports comes from the same functions as the fast path, so the
//! decision cannot differ.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::net::IpAddr;
use std::ops::Range;
use std::sync::Arc;

use crate::model::*;
use crate::num::parse_number;
use crate::request::{ContextValue, Principal, PrincipalKind, Request, Value};
use crate::result::*;
use crate::texts::{self, Slot};
use crate::values::{compile_value, parse_bool, resolve_cval};

/// The request, split once per evaluation.
pub(crate) struct Prepared<'r> {
    pub req: &'r Request,
    /// Service prefix and action name (`None` when the action has no `:`; only `*` matches it).
    pub action: Option<(&'r str, &'r str)>,
    pub resource_segs: Option<[&'r str; 6]>,
    /// The action lower-cased once (ASCII case only, as the pre-lowered patterns are), with the position of its
    /// `:`, so patterns match it byte for byte; `None` for an action without `:` or longer than the buffer (then
    /// patterns fold case while matching).
    action_lower: Option<LowerAction>,
    /// Trace texts shared by every statement of every policy in this evaluation (filled on first use).
    texts: Texts,
}

const ACTION_BUF: usize = 128;

struct LowerAction {
    buf: [u8; ACTION_BUF],
    len: usize,
    colon: usize,
}

impl LowerAction {
    fn new(action: &str) -> Option<LowerAction> {
        let bytes = action.as_bytes();
        let colon = bytes.iter().position(|b| *b == b':')?;
        let mut buf = [0u8; ACTION_BUF];
        buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        buf.make_ascii_lowercase();
        Some(LowerAction { buf, len: bytes.len(), colon })
    }

    /// Service prefix and action name, lower case.
    fn parts(&self) -> Option<(&[u8], &[u8])> {
        Some((self.buf.get(..self.colon)?, self.buf.get(self.colon + 1..self.len)?))
    }
}

impl<'r> Prepared<'r> {
    pub fn new(req: &'r Request) -> Prepared<'r> {
        Prepared {
            req,
            action: req.action.split_once(':'),
            resource_segs: split_arn(&req.resource),
            action_lower: LowerAction::new(&req.action),
            texts: Texts::default(),
        }
    }

    /// The shared trace text of `slot` for this request, made once per evaluation (in a scratch buffer, so that the
    /// `Arc` is the only allocation).
    fn text(&self, slot: Slot) -> Arc<str> {
        let build = || {
            let (prefix, quoted, suffix) = slot.parts();
            let mut buf = self.texts.scratch.borrow_mut();
            buf.clear();
            buf.reserve(256);
            buf.push_str(prefix);
            buf.push_str(quoted.of(self.req));
            buf.push_str(suffix);
            Arc::from(buf.as_str())
        };
        match self.texts.cells.get(slot as usize) {
            Some(cell) => Arc::clone(cell.get_or_init(build)),
            None => build(),
        }
    }
}

/// The per-evaluation cache of [`Slot`] texts.
#[derive(Default)]
struct Texts {
    cells: [OnceCell<Arc<str>>; Slot::Count as usize],
    scratch: RefCell<String>,
}

pub(crate) fn evaluate_prepared(policy: &Policy, p: &Prepared<'_>, options: EvalOptions) -> PolicyResult {
    let mut applied = Vec::new();
    let mut traces = Vec::with_capacity(if options.trace { policy.statements.len() } else { 0 });
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
    // Principal first: in key policies most statements name someone else, and the check is a few compares.
    let pm = match &st.principal {
        None => None,
        Some(el) => Some(principal_el_match(el, &p.req.principal)?),
    };
    if !action_el_matches(&st.action, p) {
        return None;
    }
    if !st.resource.as_ref().is_some_and(|el| resource_el_matches(el, p, vars)) {
        return None;
    }
    if !st.conditions.iter().all(|c| condition_outcome(c, p.req, vars)) {
        return None;
    }
    Some(pm)
}

// ---- actions -----------------------------------------------------------------------------------------------------

fn action_entry_matches(el: &ActionEl, e: &ActionEntry, p: &Prepared<'_>) -> bool {
    e.any || entry_matches(el, e, p.action_lower.as_ref().and_then(LowerAction::parts), p.action)
}

/// Whether entry `e` of `el`, not `*` (callers test `e.any` first), matches an action: byte for byte its
/// lower-cased service and name (`lower`) when it has them, else `action` as written, folding case (`None`: an
/// action without `:`, which only `*` matches).
fn entry_matches(el: &ActionEl, e: &ActionEntry, lower: Option<(&[u8], &[u8])>, action: Option<(&str, &str)>) -> bool {
    if let Some((svc, name)) = lower {
        return e.service.matches_bytes(svc) && el.name_matches(e, name, false);
    }
    match action {
        Some((svc, name)) => e.service.matches_fold(svc) && el.name_matches(e, name.as_bytes(), true),
        None => false,
    }
}

fn action_el_matches(el: &ActionEl, p: &Prepared<'_>) -> bool {
    el.entries.iter().any(|e| action_entry_matches(el, e, p)) != el.negated
}

/// Whether the `Action` (or `NotAction`) element `el` covers `action` (`service:Name`, any case), as evaluation
/// matches a request's action: for analysis tools, with no request.
pub(crate) fn action_el_covers(el: &ActionEl, action: &str) -> bool {
    let lower = LowerAction::new(action);
    let (lower, split) = (lower.as_ref().and_then(LowerAction::parts), action.split_once(':'));
    el.entries.iter().any(|e| e.any || entry_matches(el, e, lower, split)) != el.negated
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

/// Whether the last `/`-separated segment of `arn` is `name` (which has no `/`): `arn.rsplit('/').next() ==
/// Some(name)`, compared from the end without searching for the last `/`.
fn last_segment_is(arn: &str, name: &[u8]) -> bool {
    let arn = arn.as_bytes();
    let Some(before) = arn.len().checked_sub(name.len()) else { return false };
    arn.get(before..) == Some(name) && (before == 0 || arn.get(before - 1) == Some(&b'/'))
}

/// Whether the role entry `e` (its account id and role name at `account` and `name`) matches the caller.
fn role_matches(e: &PrincipalEntry, account: &Range<usize>, name: &Range<usize>, pr: &Principal) -> bool {
    match pr.kind {
        PrincipalKind::Role => pr.arn == *e.text,
        PrincipalKind::RoleSession => match &pr.role_arn {
            Some(r) if *r == *e.text => true,
            // The session's role ARN carries no path; a role name is unique in its account.
            Some(r) => {
                pr.account.as_deref().map(str::as_bytes) == Some(e.part(account)) && last_segment_is(r, e.part(name))
            }
            None => false,
        },
        _ => false,
    }
}

/// How one `Principal` entry matches the caller.
fn principal_entry_match(e: &PrincipalEntry, pr: &Principal) -> Option<PrincipalMatch> {
    match &e.kind {
        PrincipalKindPat::Wildcard => Some(PrincipalMatch::Wildcard),
        PrincipalKindPat::Account(a) => (has_account(pr)
            && pr.account.as_deref().map(str::as_bytes) == Some(e.part(a)))
        .then_some(PrincipalMatch::Account),
        PrincipalKindPat::Role { account, name } => role_matches(e, account, name, pr).then_some(PrincipalMatch::Role),
        PrincipalKindPat::Arn => (pr.arn == *e.text && has_account(pr)).then_some(PrincipalMatch::Exact),
        PrincipalKindPat::Service(s) => {
            (pr.kind == PrincipalKind::Service && pr.arn.eq_ignore_ascii_case(s)).then_some(PrincipalMatch::Service)
        }
        PrincipalKindPat::Other => (pr.arn == *e.text).then_some(PrincipalMatch::Exact),
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
///
/// A user or role (and its sessions) with a permissions boundary is never exempt: "The `NotPrincipal` element with
/// a `Deny` effect will always deny any IAM principal that has a permissions boundary policy attached, regardless of
/// the values specified in the `NotPrincipal` element" (IAM User Guide, *NotPrincipal*,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>).
/// (`NotPrincipal` is accepted only with `Deny`.)
fn not_principal_exempts(el: &PrincipalEl, pr: &Principal) -> bool {
    if bounded(pr) {
        return false;
    }
    let listed = |f: &dyn Fn(&PrincipalEntry) -> bool| el.entries.iter().any(f);
    if listed(&|e| matches!(e.kind, PrincipalKindPat::Wildcard)) {
        return true;
    }
    let account_ok = || match &pr.account {
        Some(a) => listed(&|e| matches!(&e.kind, PrincipalKindPat::Account(x) if e.part(x) == a.as_bytes())),
        None => false,
    };
    let arn_ok = || listed(&|e| matches!(e.kind, PrincipalKindPat::Arn | PrincipalKindPat::Other if *e.text == pr.arn));
    let role_ok = || {
        listed(&|e| matches!(&e.kind, PrincipalKindPat::Role { account, name } if role_matches(e, account, name, pr)))
    };
    match pr.kind {
        PrincipalKind::Anonymous => false,
        PrincipalKind::Service => {
            listed(&|e| matches!(&e.kind, PrincipalKindPat::Service(s) if pr.arn.eq_ignore_ascii_case(s)))
        }
        PrincipalKind::Root => account_ok(),
        PrincipalKind::Role => account_ok() && role_ok(),
        PrincipalKind::RoleSession => account_ok() && role_ok() && arn_ok(),
        PrincipalKind::User | PrincipalKind::FederatedUser => account_ok() && arn_ok(),
    }
}

/// A user or role (or a session of it) with a permissions boundary, which no `NotPrincipal` exempts.
fn bounded(pr: &Principal) -> bool {
    pr.permissions_boundary && matches!(pr.kind, PrincipalKind::User | PrincipalKind::Role | PrincipalKind::RoleSession)
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
            Value::String(s) => Cow::Owned(crate::binary::base64_decode(s)?),
            _ => return None,
        }),
        Family::Ip => ReqVal::Ip(match v {
            Value::Ip(ip) => *ip,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        }),
    })
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
    outcome_for(c, request_values(c, req), req, vars)
}

/// [`condition_outcome`] for the request values already looked up.
fn outcome_for(c: &Condition, values: Option<&[Value]>, req: &Request, vars: bool) -> bool {
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

fn trace_statement(st: &Statement, p: &Prepared<'_>, vars: bool) -> StatementTrace {
    let texts = st.trace_texts();
    let mut elements = Vec::with_capacity(3);
    let mut reason: Option<Arc<str>> = None;
    let pr = &p.req.principal;

    let mut principal_match = None;
    if let (Some(el), Some(src)) = (&st.principal, &texts.principal) {
        let mut entries = Entries::new(src);
        // A matching entry matches as its kind says; the element's match is the highest rank among them (the last
        // entry of that rank, as `principal_el_match` computes it), its reason that of the first entry of that rank.
        let mut best: Option<PrincipalMatch> = None;
        for (i, e) in el.entries.iter().enumerate() {
            let Some(em) = principal_entry_match(e, pr) else { continue };
            entries.set_matched(i);
            if em != PrincipalMatch::Role || pr.kind == PrincipalKind::RoleSession {
                entries.set_noted(i);
            }
            if best.is_none_or(|b| rank(em) >= rank(b)) {
                best = Some(em);
            }
        }
        let m = if el.negated { principal_el_match(el, pr) } else { best };
        principal_match = m;
        let name = if el.negated { ElementName::NotPrincipal } else { ElementName::Principal };
        let why = match (el.negated, m) {
            (false, Some(m)) => {
                let first = el
                    .entries
                    .iter()
                    .zip(&texts.principal_reasons)
                    .enumerate()
                    .find(|(i, (e, _))| e.kind.match_kind() == m && entries.get(*i).is_some_and(|x| x.matched));
                match first {
                    Some((_, (_, r))) => Arc::clone(r),
                    None => p.text(Slot::matched(m)),
                }
            }
            (true, Some(_)) if bounded(pr) => Arc::from(format!(
                "caller `{}` has a permissions boundary: a `NotPrincipal` never exempts it, whatever it lists",
                pr.arn
            )),
            (negated, m) => p.text(Slot::principal(negated, m.is_some())),
        };
        if m.is_none() && reason.is_none() {
            reason = Some(Arc::clone(&why));
        }
        elements.push(ElementTrace {
            element: name,
            request_value: p.text(Slot::CallerArn),
            entries,
            matched: m.is_some(),
            reason: why,
        });
    }

    // Action
    {
        let el = &st.action;
        let mut entries = Entries::new(&texts.action);
        let mut any = false;
        for (i, e) in el.entries.iter().enumerate() {
            if action_entry_matches(el, e, p) {
                entries.set_matched(i);
                any = true;
            }
        }
        // The same outcome as `action_el_matches`, from the entries just matched.
        let matched = any != el.negated;
        let name = if el.negated { ElementName::NotAction } else { ElementName::Action };
        let why = p.text(Slot::action(el.negated, matched));
        if !matched && reason.is_none() {
            reason = Some(Arc::clone(&why));
        }
        elements.push(ElementTrace {
            element: name,
            request_value: p.text(Slot::Action),
            entries,
            matched,
            reason: why,
        });
    }

    // Resource (a statement without one never applies, whatever else matches)
    if st.resource.is_none() {
        reason = Some(Arc::from(texts::NO_RESOURCE));
    }
    if let (Some(el), Some(src)) = (&st.resource, &texts.resource) {
        let mut entries = Entries::new(src);
        let mut any = false;
        for (i, e) in el.entries.iter().enumerate() {
            if resource_entry_matches(e, p, vars) {
                entries.set_matched(i);
                any = true;
            }
            if let (ResPat::Template(tpl), true) = (&e.pat, vars) {
                match tpl.resolve_text(p.req) {
                    Some(r) => entries.set_extra(i, Some(r), None),
                    None => {
                        let var = tpl.missing_var(p.req).unwrap_or("");
                        entries.set_extra(i, None, Some(texts::resource_missing_var_note(var).into()));
                    }
                }
            }
        }
        // The same outcome as `resource_el_matches`, from the entries just matched.
        let matched = any != el.negated;
        let name = if el.negated { ElementName::NotResource } else { ElementName::Resource };
        let why = p.text(Slot::resource(el.negated, matched));
        if !matched && reason.is_none() {
            reason = Some(Arc::clone(&why));
        }
        elements.push(ElementTrace {
            element: name,
            request_value: p.text(Slot::Resource),
            entries,
            matched,
            reason: why,
        });
    }

    let conditions: Vec<ConditionTrace> =
        st.conditions.iter().zip(&texts.conditions).map(|(c, tx)| trace_condition(c, tx, p.req, vars)).collect();
    if reason.is_none() {
        if let Some((tx, ct)) = texts.conditions.iter().zip(&conditions).find(|(_, ct)| !ct.outcome) {
            reason = Some(match tx.false_reason(&ct.reason) {
                Some(cached) => Arc::clone(cached),
                None => texts::condition_false_reason(ct.operator(), ct.key(), &ct.reason).into(),
            });
        }
    }
    let applies = st.resource.is_some() && elements.iter().all(|e| e.matched) && conditions.iter().all(|c| c.outcome);
    let reason = match reason {
        Some(r) if !applies => r,
        _ => Arc::clone(&texts.applies),
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

fn trace_condition(c: &Condition, texts: &CondTexts, req: &Request, vars: bool) -> ConditionTrace {
    let entry_values = req.context.get_lowercase(&c.key_lower).map(ContextValue::values);
    // As `request_values`: a missing key and an empty array are the same.
    let values = entry_values.filter(|v| !v.is_empty());
    let outcome = outcome_for(c, values, req, vars);
    let request_values = entry_values.map(|v| v.iter().map(Value::as_text).collect());
    let base = c.op.base;
    let mut notes: Vec<String> = Vec::new();

    // The request values read as the operator's type, once (a value that cannot be read matches nothing).
    let readable = Readable::new(c.op.family, values);
    if let Some(vs) = values {
        for (v, r) in vs.iter().zip(readable.iter()) {
            if r.is_none() {
                notes.push(texts::unreadable_note(&v.as_text(), c.op.family));
            }
        }
    }

    let mut entries = Entries::new(&texts.source);
    for (i, pv) in c.values.iter().enumerate() {
        if let (CVal::Template(tpl), true) = (&pv.val, vars) {
            match tpl.resolve_text(req) {
                Some(r) => {
                    let note = match resolve_cval(c.op, tpl, req) {
                        None => Some(texts::condition_invalid_resolved_note(&r, base).into()),
                        Some(_) => None,
                    };
                    entries.set_extra(i, Some(r), note);
                }
                None => {
                    let var = tpl.missing_var(req).unwrap_or("");
                    let n = texts::condition_missing_var_note(var);
                    entries.set_extra(i, None, Some(n.as_str().into()));
                    notes.push(n);
                }
            }
        }
        let matched = match &pv.val {
            CVal::Null(want) => *want == values.is_none(),
            val => readable.iter().flatten().any(|rv| match_one(c.op, rv, val, req, vars)),
        };
        if matched {
            entries.set_matched(i);
        }
    }

    let present = values.map(<[Value]>::len);
    let reason: Arc<str> = match (texts.reason(present, outcome), notes.is_empty()) {
        (Some(cached), true) => Arc::clone(cached),
        _ => {
            let mut reason = texts::condition_reason(c.op, present, outcome);
            for n in notes {
                reason.push_str("; ");
                reason.push_str(&n);
            }
            reason.into()
        }
    };
    ConditionTrace { values: entries, request_values, outcome, reason }
}

/// The request values of a condition read as its operator's type; no allocation for a single value.
enum Readable<'a> {
    None,
    One(Option<ReqVal<'a>>),
    Many(Vec<Option<ReqVal<'a>>>),
}

impl<'a> Readable<'a> {
    fn new(family: Family, values: Option<&'a [Value]>) -> Readable<'a> {
        match values {
            _ if family == Family::Null => Readable::None,
            None => Readable::None,
            Some([v]) => Readable::One(req_val(family, v)),
            Some(vs) => Readable::Many(vs.iter().map(|v| req_val(family, v)).collect()),
        }
    }

    /// One item per request value: `None` when it cannot be read.
    fn iter(&self) -> std::slice::Iter<'_, Option<ReqVal<'a>>> {
        match self {
            Readable::None => [].iter(),
            Readable::One(v) => std::slice::from_ref(v).iter(),
            Readable::Many(vs) => vs.iter(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::last_segment_is;

    #[test]
    fn the_last_segment_compares_as_rsplit_does() {
        let arns = [
            "arn:aws:iam::1:role/Admin",
            "arn:aws:iam::1:role/path/Admin",
            "Admin",
            "",
            "/",
            "a/",
            "xAdmin",
            "role/xAdmin",
        ];
        for arn in arns {
            for name in ["Admin", "", "dmin", "role/Admin"].into_iter().filter(|n| !n.contains('/')) {
                let want = arn.rsplit('/').next() == Some(name);
                assert_eq!(last_segment_is(arn, name.as_bytes()), want, "{arn:?} {name:?}");
            }
        }
    }
}
