//! The compiled policy: every pattern, number, date, CIDR and variable prepared once at parse time. Plain data and
//! the matching of compiled patterns; the parser builds it, the evaluator reads it, and [`crate::texts`] fills the
//! trace-text cache it carries.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use crate::error::{Loc, Span};
use crate::glob::{Glob, Lean, PTok};
use crate::json::{push_pointer_index, push_pointer_key};
use crate::policy_type::PolicyType;
use crate::result::{Effect, PrincipalMatch, TraceSource};
use crate::vars::Template;

/// A parsed and compiled policy document. Cheap to share between threads; evaluate it with [`crate::evaluate`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) source: String,
    pub(crate) ty: PolicyType,
    pub(crate) version: Option<String>,
    /// Whether policy variables are substituted (`Version: 2012-10-17`).
    pub(crate) variables: bool,
    pub(crate) id: Option<Arc<str>>,
    pub(crate) statements: Vec<Statement>,
}

/// One statement of a policy (read-only view for analysis tools).
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<Arc<str>>,
    pub(crate) effect: Effect,
    pub(crate) span: Span,
    pub(crate) principal: Option<PrincipalEl>,
    pub(crate) action: ActionEl,
    /// `None` only in a resource-based (key) policy whose statement has neither `Resource` nor `NotResource`: AWS
    /// accepts such a policy and the statement has no effect (it never applies).
    pub(crate) resource: Option<ResourceEl>,
    pub(crate) conditions: Vec<Condition>,
    /// The trace texts that depend only on the statement, made on its first traced evaluation and then shared.
    pub(crate) texts: OnceLock<StatementTexts>,
}

impl Statement {
    /// 0-based position in the `Statement` list.
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
    pub fn effect(&self) -> Effect {
        self.effect
    }
    /// The statement object's location.
    pub fn span(&self) -> &Span {
        &self.span
    }
    /// Whether the statement uses `NotPrincipal` (resource policies).
    pub fn has_not_principal(&self) -> bool {
        self.principal.as_ref().is_some_and(|p| p.negated)
    }
    /// The `Principal`/`NotPrincipal` values as written, as (type, value) pairs (`("*", "*")` for a bare `*`).
    pub fn principals(&self) -> impl Iterator<Item = (&str, &str)> {
        self.principal.iter().flat_map(|p| p.entries.iter().map(|e| (e.ptype, &*e.text)))
    }
    /// Whether the statement uses `NotAction`.
    pub fn has_not_action(&self) -> bool {
        self.action.negated
    }
    /// The `Action`/`NotAction` values as written.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.action.entries.iter().map(|e| self.action.text(e))
    }
    /// Whether the statement uses `NotResource`.
    pub fn has_not_resource(&self) -> bool {
        self.resource.as_ref().is_some_and(|r| r.negated)
    }
    /// The `Resource`/`NotResource` values as written (none when the statement has neither).
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.resource.iter().flat_map(|r| r.entries.iter().map(|e| &*e.text))
    }
    /// Whether the statement has neither `Resource` nor `NotResource` (accepted only in resource-based policies,
    /// where such a statement has no effect).
    pub fn lacks_resource(&self) -> bool {
        self.resource.is_none()
    }
    /// The conditions as (operator, key, values) as written.
    pub fn conditions(&self) -> impl Iterator<Item = (&str, &str, Vec<&str>)> {
        self.conditions.iter().map(|c| (&*c.op_text, &*c.key_text, c.values.iter().map(|v| &*v.text).collect()))
    }
}

/// The names of the statement elements that have a negated form: the element, then its `Not` form.
pub(crate) const PRINCIPAL: [&str; 2] = ["Principal", "NotPrincipal"];
pub(crate) const ACTION: [&str; 2] = ["Action", "NotAction"];
pub(crate) const RESOURCE: [&str; 2] = ["Resource", "NotResource"];

/// The name of element `names` (one of [`PRINCIPAL`], [`ACTION`], [`RESOURCE`]) or of its negated form.
pub(crate) fn element_name(names: [&'static str; 2], negated: bool) -> &'static str {
    let [plain, not] = names;
    if negated {
        not
    } else {
        plain
    }
}

/// One step of a JSON Pointer below a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    /// An item of an array; `None` for a value written alone (the pointer stays at the value's member).
    Index(Option<u32>),
}

/// The spans of a statement's elements and entries: their `Loc` at the JSON Pointer that follows from where they
/// are in the statement (written out here, when a span is asked for; parsing keeps none).
impl Statement {
    /// The pointer of the value at `segs` below the statement.
    pub(crate) fn pointer(&self, segs: &[Seg<'_>]) -> Arc<str> {
        let mut out = String::with_capacity(self.span.path.len() + 40);
        out.push_str(&self.span.path);
        for seg in segs {
            match *seg {
                Seg::Key(k) => push_pointer_key(&mut out, k),
                Seg::Index(Some(i)) => push_pointer_index(&mut out, i as usize),
                Seg::Index(None) => {}
            }
        }
        out.into()
    }
    pub(crate) fn principal_el_span(&self, el: &PrincipalEl) -> Span {
        el.loc.span(self.pointer(&[Seg::Key(el.key())]))
    }
    pub(crate) fn principal_entry_span(&self, el: &PrincipalEl, e: &PrincipalEntry) -> Span {
        // The bare `"*"` is the element's value itself; other entries are under their type.
        let ptype = if e.ptype == "*" { Seg::Index(None) } else { Seg::Key(e.ptype) };
        e.loc.span(self.pointer(&[Seg::Key(el.key()), ptype, Seg::Index(e.index)]))
    }
    pub(crate) fn action_el_span(&self) -> Span {
        self.action.loc.span(self.pointer(&[Seg::Key(self.action.key())]))
    }
    pub(crate) fn action_entry_span(&self, e: &ActionEntry) -> Span {
        e.loc.span(self.pointer(&[Seg::Key(self.action.key()), Seg::Index(e.index)]))
    }
    pub(crate) fn resource_el_span(&self, el: &ResourceEl) -> Span {
        el.loc.span(self.pointer(&[Seg::Key(el.key())]))
    }
    pub(crate) fn resource_entry_span(&self, el: &ResourceEl, e: &ResourceEntry) -> Span {
        e.loc.span(self.pointer(&[Seg::Key(el.key()), Seg::Index(e.index)]))
    }
    /// The operator's name, at the operator block's pointer.
    pub(crate) fn op_span(&self, c: &Condition) -> Span {
        c.op_loc.span(self.pointer(&[Seg::Key("Condition"), Seg::Key(&c.op_text)]))
    }
    /// The pointer of a condition's `"key": values` member, or of its value `index`.
    fn condition_pointer(&self, c: &Condition, index: Option<u32>) -> Arc<str> {
        self.pointer(&[Seg::Key("Condition"), Seg::Key(&c.op_text), Seg::Key(&c.key_text), Seg::Index(index)])
    }
    /// The whole `"key": values` member.
    pub(crate) fn condition_span(&self, c: &Condition) -> Span {
        c.loc.span(self.condition_pointer(c, None))
    }
    /// The condition key's name.
    pub(crate) fn key_span(&self, c: &Condition) -> Span {
        c.key_loc.span(self.condition_pointer(c, None))
    }
    pub(crate) fn value_span(&self, c: &Condition, v: &CondValue) -> Span {
        v.loc.span(self.condition_pointer(c, v.index))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PrincipalEl {
    pub negated: bool,
    /// The whole member.
    pub loc: Loc,
    pub entries: Vec<PrincipalEntry>,
}

impl PrincipalEl {
    /// The element's name.
    pub fn key(&self) -> &'static str {
        element_name(PRINCIPAL, self.negated)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the bare wildcard.
    pub ptype: &'static str,
    pub text: Arc<str>,
    /// The value as a trace shows it: the text, prefixed with the type for other types than `AWS` and `*`.
    pub shown: Arc<str>,
    pub loc: Loc,
    /// Its index in its type's array (`None` for a single value).
    pub index: Option<u32>,
    pub kind: PrincipalKindPat,
}

/// What a principal entry matches; its parts are byte ranges of the entry's text (see [`PrincipalEntry::part`]).
#[derive(Debug, Clone)]
pub(crate) enum PrincipalKindPat {
    Wildcard,
    /// An account: a bare id or `arn:PARTITION:iam::ACCOUNT:root` (the id's range).
    Account(std::ops::Range<usize>),
    /// A role ARN (the text): matches the role and its sessions (by account and role name, ignoring the role path).
    Role {
        account: std::ops::Range<usize>,
        name: std::ops::Range<usize>,
    },
    /// Any other ARN (user, session, federated user; the text): exact match.
    Arn,
    /// A service principal, lower-cased.
    Service(String),
    /// `Federated` and `CanonicalUser` (the text): exact match on the caller's ARN.
    Other,
}

impl PrincipalEntry {
    /// A part of the entry's text (an account id or a role name of its kind), as bytes: compared as bytes, it
    /// needs none of the character-boundary checks of a `str` range (its ends are boundaries, next to `:` or `/`).
    #[inline]
    pub fn part(&self, range: &std::ops::Range<usize>) -> &[u8] {
        self.text.as_bytes().get(range.clone()).unwrap_or_default()
    }
}

impl PrincipalKindPat {
    /// How an entry of this kind matches the caller, when it does.
    pub fn match_kind(&self) -> PrincipalMatch {
        match self {
            PrincipalKindPat::Wildcard => PrincipalMatch::Wildcard,
            PrincipalKindPat::Account(_) => PrincipalMatch::Account,
            PrincipalKindPat::Role { .. } => PrincipalMatch::Role,
            PrincipalKindPat::Arn | PrincipalKindPat::Other => PrincipalMatch::Exact,
            PrincipalKindPat::Service(_) => PrincipalMatch::Service,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ActionEl {
    pub negated: bool,
    /// The whole member.
    pub loc: Loc,
    /// Each entry's text as written and then in lower case, one entry after another (an entry holds the range of
    /// the first; its name pattern matches with the second): one allocation per element instead of one per entry.
    pub texts: String,
    pub entries: Vec<ActionEntry>,
}

impl ActionEl {
    /// The element's name.
    pub fn key(&self) -> &'static str {
        element_name(ACTION, self.negated)
    }
    /// An entry's text as written.
    pub fn text(&self, e: &ActionEntry) -> &str {
        self.texts.get(e.text.clone()).unwrap_or("")
    }
    /// Whether an entry's action name pattern matches `name` (lower case unless `fold`).
    pub fn name_matches(&self, e: &ActionEntry, name: &[u8], fold: bool) -> bool {
        e.name.matches(&self.texts, name, fold)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ActionEntry {
    /// The range of its text in [`ActionEl::texts`].
    pub text: std::ops::Range<usize>,
    pub loc: Loc,
    /// Its index in the element's array (`None` for a single value).
    pub index: Option<u32>,
    /// `*` alone.
    pub any: bool,
    /// Lower-cased service prefix and action name patterns (the service's shared by the entries that name it; the
    /// name's text is in [`ActionEl::texts`]).
    pub service: Arc<Glob>,
    pub name: Lean,
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceEl {
    pub negated: bool,
    /// The whole member.
    pub loc: Loc,
    pub entries: Vec<ResourceEntry>,
}

impl ResourceEl {
    /// The element's name.
    pub fn key(&self) -> &'static str {
        element_name(RESOURCE, self.negated)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceEntry {
    pub text: Arc<str>,
    pub loc: Loc,
    /// Its index in the element's array (`None` for a single value).
    pub index: Option<u32>,
    pub pat: ResPat,
}

#[derive(Debug, Clone)]
pub(crate) enum ResPat {
    /// A compiled ARN pattern (or `*`).
    Static(ArnPat),
    /// Contains policy variables: compiled per request.
    Template(Template),
}

/// An ARN pattern: six segments matched one by one, or (for text that is not a six-segment ARN) the whole text.
#[derive(Debug, Clone)]
pub(crate) enum ArnPat {
    Any,
    Segments(Box<[Glob; 6]>),
    Whole(Glob),
}

impl ArnPat {
    /// The pattern of text in which every `*` and `?` is a wildcard: `from_tokens(tokens(text))`, cut straight
    /// out of the text.
    pub fn new(text: &str) -> ArnPat {
        if text == "*" {
            return ArnPat::Any;
        }
        match split_arn(text) {
            Some(segs) => ArnPat::Segments(Box::new(segs.map(Glob::new))),
            None => ArnPat::Whole(Glob::new(text)),
        }
    }

    pub fn from_tokens(toks: &[PTok]) -> ArnPat {
        if toks == [PTok::Star] {
            return ArnPat::Any;
        }
        let mut segs: Vec<&[PTok]> = Vec::with_capacity(6);
        let mut rest = toks;
        while segs.len() < 5 {
            match rest.iter().position(|t| *t == PTok::Char(':')) {
                Some(i) => {
                    segs.push(rest.get(..i).unwrap_or(&[]));
                    rest = rest.get(i + 1..).unwrap_or(&[]);
                }
                None => break,
            }
        }
        if segs.len() < 5 {
            return ArnPat::Whole(Glob::from_tokens(toks.iter().copied()));
        }
        segs.push(rest);
        let g = |i: usize| Glob::from_tokens(segs.get(i).copied().unwrap_or(&[]).iter().copied());
        ArnPat::Segments(Box::new([g(0), g(1), g(2), g(3), g(4), g(5)]))
    }

    /// Matches a request ARN split into segments (`None` when it is not a six-segment ARN).
    pub fn matches(&self, whole: &str, segs: Option<&[&str; 6]>) -> bool {
        match self {
            ArnPat::Any => true,
            ArnPat::Whole(g) => g.matches(whole),
            ArnPat::Segments(p) => match segs {
                Some(s) => p.iter().zip(s.iter()).all(|(g, t)| g.matches(t)),
                None => false,
            },
        }
    }
}

/// Splits an ARN into its six segments (the last keeps any further `:`).
pub(crate) fn split_arn(s: &str) -> Option<[&str; 6]> {
    // A byte scan: `:` is ASCII, so every cut is on a character boundary (cheaper than `splitn` for short ARNs).
    let mut cuts = [0usize; 5];
    let mut n = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            let Some(c) = cuts.get_mut(n) else { break };
            *c = i;
            n += 1;
            if n == cuts.len() {
                break;
            }
        }
    }
    let [a, b, c, d, e] = cuts;
    if n < cuts.len() {
        return None;
    }
    Some([s.get(..a)?, s.get(a + 1..b)?, s.get(b + 1..c)?, s.get(c + 1..d)?, s.get(d + 1..e)?, s.get(e + 1..)?])
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub op_text: Arc<str>,
    pub op: Op,
    pub key_text: Arc<str>,
    pub key_lower: String,
    /// The whole `"key": values` member.
    pub loc: Loc,
    /// The key's name (with its quotes).
    pub key_loc: Loc,
    /// The operator's name (with its quotes), at the operator block's path.
    pub op_loc: Loc,
    pub values: Vec<CondValue>,
}

/// The trace texts of a statement that do not depend on the request, made by [`crate::texts`] on the statement's
/// first traced evaluation (plain data here; see `Statement::trace_texts`).
#[derive(Debug, Clone)]
pub(crate) struct StatementTexts {
    /// The statement's reason when it applies.
    pub applies: Arc<str>,
    /// The trace's sources of the `Principal`/`NotPrincipal`, `Action`/`NotAction` and `Resource`/`NotResource`
    /// elements (span and entries; a principal entry's source carries its note when it matches).
    pub principal: Option<Arc<TraceSource>>,
    pub action: Arc<TraceSource>,
    pub resource: Option<Arc<TraceSource>>,
    /// The `Principal` element's reason when that entry decides how the caller matched, one per entry.
    pub principal_reasons: Vec<Arc<str>>,
    /// One per condition.
    pub conditions: Vec<CondTexts>,
}

/// The trace texts of a condition that do not depend on the request (for a missing key and for a single request
/// value, each outcome), so that tracing does not format them on every evaluation.
#[derive(Debug, Clone)]
pub(crate) struct CondTexts {
    /// The trace's source of the condition: operator, key, span and values.
    pub source: Arc<TraceSource>,
    /// [`crate::texts::condition_reason`] for (missing, false), (missing, true), (one value, false), (one, true).
    pub reasons: [Arc<str>; 4],
    /// The statement's reason when the condition is false: for a missing key, for one value.
    pub false_reasons: [Arc<str>; 2],
    /// Whether the reasons never depend on the number of request values (a set operator or `Null`).
    pub count_free: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Str,
    StrIc,
    Like,
    Num,
    Date,
    Bool,
    Bin,
    Ip,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Op {
    pub set: SetOp,
    pub base: &'static str,
    pub family: Family,
    pub cmp: Cmp,
    pub negated: bool,
    pub if_exists: bool,
}

/// Every base operator: name, family, comparison, negated.
pub(crate) const OPERATORS: &[(&str, Family, Cmp, bool)] = &[
    ("StringEquals", Family::Str, Cmp::Eq, false),
    ("StringNotEquals", Family::Str, Cmp::Eq, true),
    ("StringEqualsIgnoreCase", Family::StrIc, Cmp::Eq, false),
    ("StringNotEqualsIgnoreCase", Family::StrIc, Cmp::Eq, true),
    ("StringLike", Family::Like, Cmp::Eq, false),
    ("StringNotLike", Family::Like, Cmp::Eq, true),
    ("NumericEquals", Family::Num, Cmp::Eq, false),
    ("NumericNotEquals", Family::Num, Cmp::Eq, true),
    ("NumericLessThan", Family::Num, Cmp::Lt, false),
    ("NumericLessThanEquals", Family::Num, Cmp::Le, false),
    ("NumericGreaterThan", Family::Num, Cmp::Gt, false),
    ("NumericGreaterThanEquals", Family::Num, Cmp::Ge, false),
    ("DateEquals", Family::Date, Cmp::Eq, false),
    ("DateNotEquals", Family::Date, Cmp::Eq, true),
    ("DateLessThan", Family::Date, Cmp::Lt, false),
    ("DateLessThanEquals", Family::Date, Cmp::Le, false),
    ("DateGreaterThan", Family::Date, Cmp::Gt, false),
    ("DateGreaterThanEquals", Family::Date, Cmp::Ge, false),
    ("Bool", Family::Bool, Cmp::Eq, false),
    ("BinaryEquals", Family::Bin, Cmp::Eq, false),
    ("IpAddress", Family::Ip, Cmp::Eq, false),
    ("NotIpAddress", Family::Ip, Cmp::Eq, true),
    ("ArnEquals", Family::Arn, Cmp::Eq, false),
    ("ArnLike", Family::Arn, Cmp::Eq, false),
    ("ArnNotEquals", Family::Arn, Cmp::Eq, true),
    ("ArnNotLike", Family::Arn, Cmp::Eq, true),
    ("Null", Family::Null, Cmp::Eq, false),
];

#[derive(Debug, Clone)]
pub(crate) struct CondValue {
    pub text: Arc<str>,
    pub loc: Loc,
    /// Its index in the key's array of values (`None` for a single value).
    pub index: Option<u32>,
    pub val: CVal,
}

/// A condition value compiled for its operator's family.
#[derive(Debug, Clone)]
pub(crate) enum CVal {
    Str(String),
    /// Lower-cased (StringEqualsIgnoreCase).
    StrLower(String),
    Like(Glob),
    Num(f64),
    Date(i64),
    Bool(bool),
    Bin(Vec<u8>),
    Ip(Cidr),
    Arn(ArnPat),
    Null(bool),
    /// Has policy variables: compiled per request.
    Template(Template),
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub net: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// `a.b.c.d/n`, an IPv6 CIDR, or a bare address (a /32 or /128 network).
    pub fn parse(text: &str) -> Option<Cidr> {
        let t = text.trim();
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) || p.len() > 3 {
                    return None;
                }
                (a, Some(p.parse::<u8>().ok()?))
            }
            None => (t, None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        Some(Cidr { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                (u32::from(n) & mask) == (u32::from(a) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                (u128::from(n) & mask) == (u128::from(a) & mask)
            }
            // An IPv4 caller seen through an IPv4-mapped IPv6 network, or the reverse.
            (IpAddr::V6(n), IpAddr::V4(a)) if self.prefix >= 96 => n
                .to_ipv4_mapped()
                .is_some_and(|n4| Cidr { net: IpAddr::V4(n4), prefix: self.prefix - 96 }.contains(IpAddr::V4(a))),
            (IpAddr::V4(_), IpAddr::V6(a)) => a.to_ipv4_mapped().is_some_and(|a4| self.contains(IpAddr::V4(a4))),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains("203.0.113.7".parse().unwrap()));
        assert!(!c.contains("203.0.114.7".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("1.2.3.4".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.1".parse().unwrap()));
        assert!(!Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.2".parse().unwrap()));
        assert!(Cidr::parse("2001:db8::/32").unwrap().contains("2001:db8::1".parse().unwrap()));
        assert!(!Cidr::parse("2001:db8::/32").unwrap().contains("10.0.0.1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("10.0.0/8").is_none());
        assert!(Cidr::parse("10.0.0.0/").is_none());
    }

    #[test]
    fn split_arn_cuts_five_colons() {
        assert_eq!(
            split_arn("arn:aws:kms:us-east-1:111122223333:key/abc"),
            Some(["arn", "aws", "kms", "us-east-1", "111122223333", "key/abc"])
        );
        // the resource part keeps further colons; empty segments stay empty
        assert_eq!(split_arn("arn:aws:s3:::b/a:b:c"), Some(["arn", "aws", "s3", "", "", "b/a:b:c"]));
        assert_eq!(split_arn(":::::"), Some(["", "", "", "", "", ""]));
        assert_eq!(split_arn("arn:aws:kms:us-east-1:111122223333"), None);
        assert_eq!(split_arn("*"), None);
        assert_eq!(split_arn("arn:\u{e9}:k:r:a:\u{e9}/x"), Some(["arn", "\u{e9}", "k", "r", "a", "\u{e9}/x"]));
    }

    #[test]
    fn a_pattern_cut_from_text_is_the_one_made_from_its_tokens() {
        for text in [
            "*",
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:*:key/*",
            "arn:aws:s3:::b/a:b:c",
            "arn:*",
            "",
            "::::",
            ":::::",
            "a?:b*c:*:d::e*f?g:h",
            "arn:aws:kms:us-east-1:111122223333:alias/x*",
        ] {
            let from_tokens = ArnPat::from_tokens(&crate::glob::tokens(text).collect::<Vec<_>>());
            assert_eq!(format!("{:?}", ArnPat::new(text)), format!("{from_tokens:?}"), "{text}");
        }
    }

    #[test]
    fn arn_patterns() {
        let p = ArnPat::from_tokens(&crate::glob::tokens("arn:aws:kms:*:111122223333:key/*").collect::<Vec<_>>());
        let r = "arn:aws:kms:us-east-1:111122223333:key/abc";
        assert!(p.matches(r, split_arn(r).as_ref()));
        let r2 = "arn:aws:kms:us-east-1:444455556666:key/abc";
        assert!(!p.matches(r2, split_arn(r2).as_ref()));
        // `*` in a segment does not cross `:` into the next segment
        let p2 = ArnPat::from_tokens(&crate::glob::tokens("arn:aws:kms:*:key/*").collect::<Vec<_>>());
        assert!(matches!(p2, ArnPat::Whole(_)));
        let p3 = ArnPat::from_tokens(&crate::glob::tokens("arn:aws:s3:::bucket/*").collect::<Vec<_>>());
        let r3 = "arn:aws:s3:::bucket/a:b/c";
        assert!(p3.matches(r3, split_arn(r3).as_ref()));
    }
}
