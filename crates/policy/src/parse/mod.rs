//! From policy text to a compiled [`Policy`]: JSON syntax, then the policy grammar and each policy type's rules.
//! Every problem is collected (not only the first) with its location.
//!
//! Size limits are checked before anything else (see [`PolicyType::size_limit`]).

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use crate::error::{ErrorKind, Loc, PolicyError, PolicyErrors, Span};
use crate::glob::{Glob, Lean};
use crate::json::{self, push_pointer_index, push_pointer_key, LineIndex, Pos};
use crate::model::*;
use crate::policy_type::PolicyType;
use crate::result::Effect;
use crate::suggest::suggest;
use crate::vars::Template;

mod condition;
mod principal;

use condition::condition_block;
use principal::principal_el;

const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT: &[&str] =
    &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// The document as the grammar reads it: text borrowed from the source (see [`json::parse_borrowed`]).
type Json<'s> = json::Json<Cow<'s, str>>;
type Node<'s> = json::Node<Cow<'s, str>>;
type Member<'s> = json::Member<Cow<'s, str>>;

/// Where the value being read is: its JSON Pointer, written out only when a problem is reported there (a policy
/// that parses keeps no pointer but its statements'; see [`Loc`]).
#[derive(Debug, Clone, Copy)]
enum At<'p> {
    /// A pointer already written (`""` for the document).
    Written(&'p str),
    Member(&'p At<'p>, &'p str),
    Item(&'p At<'p>, usize),
    /// The pointer of the value at the inner `At`, written once into the cell on first use: an element whose
    /// entries report many problems writes its own pointer once.
    Once(&'p std::cell::OnceCell<String>, &'p At<'p>),
}

impl<'p> At<'p> {
    const ROOT: At<'static> = At::Written("");

    fn member(&'p self, key: &'p str) -> At<'p> {
        At::Member(self, key)
    }
    /// Item `index` of this array; the value itself for a single value (`None`).
    fn item(&'p self, index: Option<usize>) -> At<'p> {
        match index {
            Some(i) => At::Item(self, i),
            None => *self,
        }
    }
    fn write(&self, out: &mut String) {
        match *self {
            At::Written(p) => out.push_str(p),
            At::Member(parent, key) => {
                parent.write(out);
                push_pointer_key(out, key);
            }
            At::Item(parent, i) => {
                parent.write(out);
                push_pointer_index(out, i);
            }
            At::Once(cell, at) => out.push_str(cell.get_or_init(|| at.pointer())),
        }
    }
    fn pointer(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write(&mut out);
        out
    }
}

struct Cx<'a> {
    li: LineIndex<'a>,
    ty: PolicyType,
    variables: bool,
    errors: Vec<PolicyError>,
    /// Where a statement's pointer is written before its span copies it.
    scratch: String,
    /// The last service prefix compiled (lower case), shared by the actions that name it (most name one).
    service: Option<(String, Arc<Glob>)>,
}

impl Cx<'_> {
    fn loc(&self, pos: Pos) -> Loc {
        self.li.loc(pos)
    }
    fn err(&mut self, kind: ErrorKind, message: String, help: Option<String>, pos: Pos, at: &At<'_>) {
        let span = self.li.span(pos, &at.pointer());
        self.errors.push(PolicyError { kind, message, help, span });
    }
    /// The pattern of an action's service prefix (lower case).
    fn service(&mut self, svc: &str) -> Arc<Glob> {
        match &self.service {
            Some((text, glob)) if text == svc => Arc::clone(glob),
            _ => {
                let glob = Arc::new(Glob::new(svc));
                self.service = Some((svc.to_string(), Arc::clone(&glob)));
                glob
            }
        }
    }
}

fn member_pos(m: &Member<'_>) -> Pos {
    let end = m.value.pos.offset + m.value.pos.len;
    Pos { offset: m.key_pos.offset, len: end.saturating_sub(m.key_pos.offset) }
}

/// An array item's index as a [`Loc`]'s owner keeps it.
fn index32(index: Option<usize>) -> Option<u32> {
    index.map(|i| u32::try_from(i).unwrap_or(u32::MAX))
}

fn did_you_mean(word: &str, known: &[&str]) -> Option<String> {
    suggest(word, known).map(|k| format!("did you mean `{k}`"))
}

type EntryErr = (ErrorKind, String, String);

pub(crate) fn parse_policy(source: &str, ty: PolicyType) -> Result<Policy, PolicyErrors> {
    let mut cx = Cx {
        li: LineIndex::new(source),
        ty,
        variables: false,
        errors: Vec::new(),
        scratch: String::new(),
        service: None,
    };

    let (limit, unit) = ty.size_limit();
    let size = ty.measure(source);
    if size > limit {
        cx.err(
            ErrorKind::PolicyTooLarge,
            format!("the policy is {size} {unit}, more than the {limit} allowed for this policy type"),
            Some("split the policy or remove statements".to_string()),
            Pos { offset: 0, len: 0 },
            &At::ROOT,
        );
        // As AWS, an oversized policy gets only its size error: nothing else is read (a many-megabyte document
        // costs one pass to measure and index).
        return Err(PolicyErrors { errors: cx.errors });
    }

    check_characters(&mut cx, source);

    let parsed = json::parse_borrowed(source);
    for d in &parsed.duplicates {
        let (l, c) = cx.li.line_col(d.first.offset);
        cx.err(
            ErrorKind::DuplicateKey,
            format!("duplicate key `{}`", d.key),
            Some(format!("the first `{}` is at line {l}, column {c}; a policy may not repeat a key", d.key)),
            d.pos,
            &At::Written(&d.path).member(&d.key),
        );
    }
    let root = match parsed.root {
        Ok(r) => r,
        Err(e) => {
            cx.err(ErrorKind::InvalidJson, format!("invalid JSON: {}", e.message), e.help, e.pos, &At::ROOT);
            return Err(PolicyErrors { errors: cx.errors });
        }
    };
    let Json::Object(members) = &root.value else {
        cx.err(
            ErrorKind::InvalidType,
            format!("a policy must be a JSON object, found {}", root.type_name()),
            Some("a policy looks like `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`".into()),
            root.pos,
            &At::ROOT,
        );
        return Err(PolicyErrors { errors: cx.errors });
    };

    let mut version = None;
    let mut id = None;
    let mut statement_node = None;
    for m in members {
        let path = At::ROOT.member(&m.key);
        match &*m.key {
            "Version" => match &m.value.value {
                Json::String(v) if v == "2012-10-17" || v == "2008-10-17" => version = Some(v.to_string()),
                Json::String(v) => cx.err(
                    ErrorKind::InvalidValue,
                    format!("unsupported policy version `{v}`"),
                    Some("use `2012-10-17`".into()),
                    m.value.pos,
                    &path,
                ),
                _ => type_err(&mut cx, &m.value, "`Version`", "a string", &path),
            },
            "Id" => match &m.value.value {
                Json::String(v) => id = Some(Arc::from(&**v)),
                _ => type_err(&mut cx, &m.value, "`Id`", "a string", &path),
            },
            "Statement" => statement_node = Some(m),
            other => cx.err(
                ErrorKind::UnknownElement,
                format!("unknown policy element `{other}`"),
                did_you_mean(other, TOP_LEVEL).or_else(|| Some("a policy has `Version`, `Id` and `Statement`".into())),
                m.key_pos,
                &path,
            ),
        }
    }
    cx.variables = version.as_deref() == Some("2012-10-17");

    let mut statements = Vec::new();
    match statement_node {
        None => cx.err(
            ErrorKind::MissingElement,
            "the policy has no `Statement`".into(),
            Some("add `\"Statement\": [{\"Effect\": \"Allow\", \"Action\": ..., \"Resource\": ...}]`".into()),
            root.pos,
            &At::ROOT,
        ),
        Some(m) => match &m.value.value {
            Json::Object(_) => {
                if let Some(s) = statement(&mut cx, &m.value, 0, &At::ROOT.member("Statement")) {
                    statements.push(s);
                }
            }
            Json::Array(items) => {
                statements.reserve_exact(items.len());
                if items.is_empty() {
                    cx.err(
                        ErrorKind::InvalidValue,
                        "`Statement` is empty".into(),
                        Some("a policy needs at least one statement".into()),
                        m.value.pos,
                        &At::ROOT.member("Statement"),
                    );
                }
                let list = At::ROOT.member("Statement");
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = statement(&mut cx, item, i, &list.item(Some(i))) {
                        statements.push(s);
                    }
                }
            }
            _ => type_err(
                &mut cx,
                &m.value,
                "`Statement`",
                "an object or an array of objects",
                &At::ROOT.member("Statement"),
            ),
        },
    }

    // Statement ids must be unique in IAM policies.
    if matches!(ty, PolicyType::Identity | PolicyType::PermissionsBoundary) {
        for (i, s) in statements.iter().enumerate() {
            let Some(sid) = &s.sid else { continue };
            if statements.iter().take(i).any(|o| o.sid.as_ref() == Some(sid)) {
                let span = Span { path: format!("{}/Sid", s.span.path).into(), ..s.span.clone() };
                cx.errors.push(PolicyError {
                    kind: ErrorKind::InvalidValue,
                    message: format!("duplicate statement id `{sid}`"),
                    help: Some("statement ids must be unique in a policy".into()),
                    span,
                });
            }
        }
    }

    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|e| (e.span.offset, e.span.len));
        return Err(PolicyErrors { errors: cx.errors });
    }
    let variables = cx.variables;
    Ok(Policy { source: source.to_string(), ty, version, variables, id, statements })
}

/// Reports the characters AWS does not accept in policies (the first 20).
fn check_characters(cx: &mut Cx<'_>, source: &str) {
    // Most policies are plain ASCII: checked a block at a time, without decoding characters.
    let plain = |b: u8| (0x20..=0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r');
    if source.as_bytes().chunks(64).all(|block| block.iter().fold(true, |ok, &b| ok & plain(b))) {
        return;
    }
    let mut bad_chars = 0;
    for (i, c) in source.char_indices() {
        let ok = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}') || (i == 0 && c == '\u{feff}');
        if !ok {
            bad_chars += 1;
            if bad_chars <= 20 {
                cx.err(
                    ErrorKind::InvalidCharacter,
                    format!("character `{}` (U+{:04X}) is not allowed in a policy", c.escape_default(), u32::from(c)),
                    Some("policies accept tab, line feed, carriage return and characters U+0020 to U+00FF".into()),
                    Pos { offset: i, len: c.len_utf8() },
                    &At::ROOT,
                );
            }
        }
    }
}

fn type_err(cx: &mut Cx<'_>, node: &Node<'_>, what: &str, want: &str, path: &At<'_>) {
    cx.err(ErrorKind::InvalidType, format!("{what} must be {want}, found {}", node.type_name()), None, node.pos, path);
}

fn statement(cx: &mut Cx<'_>, node: &Node<'_>, index: usize, path: &At<'_>) -> Option<Statement> {
    let Json::Object(members) = &node.value else {
        type_err(cx, node, "a statement", "an object", path);
        return None;
    };
    cx.scratch.clear();
    path.write(&mut cx.scratch);
    let span = cx.li.span(node.pos, &cx.scratch);
    // Each element's member, by its place in `STATEMENT`, found in one pass (the first of a repeated key).
    let mut slots: [Option<&Member<'_>>; STATEMENT.len()] = [None; STATEMENT.len()];
    let mut ok = true;

    for m in members {
        if let Some(slot) = STATEMENT.iter().position(|name| *name == m.key).and_then(|i| slots.get_mut(i)) {
            slot.get_or_insert(m);
        } else {
            cx.err(
                ErrorKind::UnknownElement,
                format!("unknown statement element `{}`", m.key),
                did_you_mean(&m.key, STATEMENT).or_else(|| {
                    Some("a statement has `Sid`, `Effect`, `Principal`, `Action`, `Resource` and `Condition`".into())
                }),
                m.key_pos,
                &path.member(&m.key),
            );
            ok = false;
        }
    }
    let find = |name: &str| STATEMENT.iter().position(|n| *n == name).and_then(|i| slots.get(i).copied().flatten());

    for [a, b] in [ACTION, RESOURCE, PRINCIPAL] {
        if let (Some(_), Some(mb)) = (find(a), find(b)) {
            cx.err(
                ErrorKind::ConflictingElements,
                format!("a statement cannot have both `{a}` and `{b}`"),
                Some(format!("keep either `{a}` or `{b}`")),
                mb.key_pos,
                &path.member(b),
            );
            ok = false;
        }
    }

    // Sid
    let mut sid = None;
    if let Some(m) = find("Sid") {
        let p = path.member("Sid");
        match &m.value.value {
            Json::String(s) => {
                let iam = matches!(cx.ty, PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session);
                if iam && !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    cx.err(
                        ErrorKind::InvalidValue,
                        format!("statement id `{s}` may only contain letters and digits in this policy type"),
                        Some("IAM policies allow `A-Z`, `a-z` and `0-9` in `Sid`; spaces are allowed only in resource-based policies".into()),
                        m.value.pos,
                        &p,
                    );
                    ok = false;
                }
                sid = Some(Arc::from(&**s));
            }
            _ => {
                type_err(cx, &m.value, "`Sid`", "a string", &p);
                ok = false;
            }
        }
    }

    // Effect
    let mut effect = Effect::Allow;
    match find("Effect") {
        None => {
            cx.err(
                ErrorKind::MissingElement,
                "the statement has no `Effect`".into(),
                Some("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".into()),
                node.pos,
                path,
            );
            ok = false;
        }
        Some(m) => {
            let p = path.member("Effect");
            match &m.value.value {
                Json::String(s) if s == "Allow" => effect = Effect::Allow,
                Json::String(s) if s == "Deny" => effect = Effect::Deny,
                Json::String(s) => {
                    cx.err(
                        ErrorKind::InvalidValue,
                        format!("invalid effect `{s}`"),
                        did_you_mean(s, &["Allow", "Deny"]).or_else(|| Some("use `Allow` or `Deny`".into())),
                        m.value.pos,
                        &p,
                    );
                    ok = false;
                }
                _ => {
                    type_err(cx, &m.value, "`Effect`", "a string", &p);
                    ok = false;
                }
            }
        }
    }

    // Principal
    // An element's member, and whether it is the negated form.
    let member = |[plain, not]: [&str; 2]| find(plain).map(|m| (m, false)).or_else(|| find(not).map(|m| (m, true)));
    let principal_member = member(PRINCIPAL);
    let mut principal = None;
    let principals_allowed = matches!(cx.ty, PolicyType::Resource | PolicyType::Rcp);
    match principal_member {
        Some((m, true)) if cx.ty == PolicyType::Rcp => {
            cx.err(
                ErrorKind::NotAllowedInPolicyType,
                "`NotPrincipal` is not allowed in resource control policies".into(),
                Some("use `\"Principal\": \"*\"` with a condition on `aws:PrincipalArn`".into()),
                m.key_pos,
                &path.member("NotPrincipal"),
            );
            ok = false;
        }
        // IAM User Guide, *NotPrincipal*: "`NotPrincipal` must be used with `"Effect":"Deny"`. Using it with
        // `"Effect":"Allow"` is not supported."
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)
        Some((m, true)) if matches!(find("Effect").map(|e| &e.value.value), Some(Json::String(s)) if s == "Allow") => {
            cx.err(
                ErrorKind::NotAllowedInPolicyType,
                "`NotPrincipal` with `\"Effect\": \"Allow\"` is not supported".into(),
                Some("`NotPrincipal` must be used with `\"Effect\": \"Deny\"`; to allow everyone but some principals, use `\"Principal\": \"*\"` with `ArnNotEquals` on `aws:PrincipalArn`".into()),
                m.key_pos,
                &path.member("NotPrincipal"),
            );
            ok = false;
        }
        Some((m, negated)) if !principals_allowed => {
            let name = element_name(PRINCIPAL, negated);
            cx.err(
                ErrorKind::NotAllowedInPolicyType,
                format!("`{name}` is not allowed in {} policies", cx.ty.adjective()),
                Some("only resource-based policies such as key policies name principals".into()),
                m.key_pos,
                &path.member(name),
            );
            ok = false;
        }
        Some((m, negated)) => match principal_el(cx, m, negated, path) {
            Some(p) => principal = Some(p),
            None => ok = false,
        },
        None if cx.ty == PolicyType::Resource => {
            cx.err(
                ErrorKind::MissingElement,
                "the statement has no `Principal` or `NotPrincipal`".into(),
                Some("a resource-based policy statement must name who it applies to, e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`".into()),
                node.pos,
                path,
            );
            ok = false;
        }
        None => {}
    }

    // Action
    let action_member = member(ACTION);
    let action = match action_member {
        None => {
            cx.err(
                ErrorKind::MissingElement,
                "the statement has no `Action` or `NotAction`".into(),
                Some("add e.g. `\"Action\": \"kms:Decrypt\"`".into()),
                node.pos,
                path,
            );
            None
        }
        Some((m, negated)) => action_el(cx, m, negated, path),
    };

    // Resource
    let resource_member = member(RESOURCE);
    let resource = match resource_member {
        // A key policy statement without `Resource` is accepted and has no effect (KMS Developer Guide, Key
        // policies; API reference, PutKeyPolicy `Policy`); every other policy type requires the element.
        None if cx.ty == PolicyType::Resource => Some(None),
        None => {
            cx.err(
                ErrorKind::MissingElement,
                "the statement has no `Resource` or `NotResource`".into(),
                Some(crate::texts::RESOURCE_HELP.into()),
                node.pos,
                path,
            );
            None
        }
        Some((m, negated)) => resource_el(cx, m, negated, path).map(Some),
    };

    // Condition
    let mut conditions = Vec::new();
    if let Some(m) = find("Condition") {
        match condition_block(cx, m, path) {
            Some(c) => conditions = c,
            None => ok = false,
        }
    }

    let (Some(action), Some(resource)) = (action, resource) else { return None };
    let texts = OnceLock::new();
    ok.then_some(Statement { index, sid, effect, span, principal, action, resource, conditions, texts })
}

/// The strings of an element that takes one string or an array of strings (non-empty): every node is a string.
struct Strings<'n, 's> {
    nodes: &'n [Node<'s>],
    /// Whether the strings are items of an array (each has an index) or the element's single value.
    listed: bool,
}

impl<'n> Strings<'n, '_> {
    fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Each string, its position and its index in the array (see [`At::item`]).
    fn iter(&self) -> impl Iterator<Item = (&'n str, Pos, Option<usize>)> + '_ {
        self.nodes.iter().enumerate().filter_map(|(i, n)| match &n.value {
            Json::String(s) => Some((&**s, n.pos, self.listed.then_some(i))),
            _ => None,
        })
    }
}

/// The strings of an element that takes one string or an array of strings (non-empty).
fn string_list<'n, 's>(cx: &mut Cx<'_>, node: &'n Node<'s>, name: &str, path: &At<'_>) -> Option<Strings<'n, 's>> {
    match &node.value {
        Json::String(_) => Some(Strings { nodes: std::slice::from_ref(node), listed: false }),
        Json::Array(items) => {
            if items.is_empty() {
                cx.err(
                    ErrorKind::InvalidValue,
                    format!("`{name}` is an empty array"),
                    Some(format!("`{name}` needs at least one value")),
                    node.pos,
                    path,
                );
                return None;
            }
            let mut ok = true;
            for (i, it) in items.iter().enumerate() {
                if !matches!(it.value, Json::String(_)) {
                    type_err(cx, it, &format!("each `{name}` value"), "a string", &path.item(Some(i)));
                    ok = false;
                }
            }
            ok.then_some(Strings { nodes: items, listed: true })
        }
        _ => {
            type_err(cx, node, &format!("`{name}`"), "a string or an array of strings", path);
            None
        }
    }
}

fn action_el(cx: &mut Cx<'_>, m: &Member<'_>, negated: bool, path: &At<'_>) -> Option<ActionEl> {
    let name = element_name(ACTION, negated);
    let (el, written) = (path.member(name), std::cell::OnceCell::new());
    let p = At::Once(&written, &el);
    let values = string_list(cx, &m.value, name, &p)?;
    let mut entries = Vec::with_capacity(values.len());
    let size: usize = values.iter().map(|(text, _, _)| text.len()).sum();
    // Each entry's text as written, then in lower case.
    let mut texts = String::with_capacity(2 * size);
    let mut ok = true;
    for (text, pos, index) in values.iter() {
        let vp = p.item(index);
        if text.contains("${") {
            cx.err(
                ErrorKind::InvalidVariable,
                format!("policy variables are not allowed in `{name}`: `{text}`"),
                Some("variables may be used in `Resource` and in condition values".into()),
                pos,
                &vp,
            );
            ok = false;
            continue;
        }
        let written = push_text(&mut texts, text);
        let start = texts.len();
        texts.push_str(text);
        if let Some(low) = texts.get_mut(start..) {
            low.make_ascii_lowercase();
        }
        let low = texts.get(start..).unwrap_or_default();
        if low == "*" {
            entries.push(ActionEntry {
                text: written,
                loc: cx.loc(pos),
                index: index32(index),
                any: true,
                service: cx.service("*"),
                name: Lean::new(&texts, start..texts.len()),
            });
            continue;
        }
        let valid_service =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?');
        match low.split_once(':') {
            Some((svc, act)) if valid_service(svc) && !act.is_empty() && !act.contains(':') => {
                let service = cx.service(svc);
                let name = Lean::new(&texts, start + svc.len() + 1..texts.len());
                entries.push(ActionEntry {
                    text: written,
                    loc: cx.loc(pos),
                    index: index32(index),
                    any: false,
                    service,
                    name,
                });
            }
            _ => {
                cx.err(
                    ErrorKind::InvalidValue,
                    format!("action `{text}` must be `*` or `service:action`"),
                    Some("write actions with their service prefix, e.g. `kms:Decrypt` or `kms:*`".into()),
                    pos,
                    &vp,
                );
                ok = false;
            }
        }
    }
    ok.then(|| ActionEl { negated, loc: cx.loc(member_pos(m)), texts, entries })
}

/// Appends `text` to an element's `texts` and returns its range there.
fn push_text(texts: &mut String, text: &str) -> std::ops::Range<usize> {
    let start = texts.len();
    texts.push_str(text);
    start..texts.len()
}

fn template_or_err(cx: &mut Cx<'_>, text: &str, pos: Pos, path: &At<'_>) -> Result<Option<Template>, ()> {
    if !cx.variables {
        return Ok(None);
    }
    match Template::parse(text) {
        Ok(t) => Ok(t),
        Err(e) => {
            cx.err(ErrorKind::InvalidVariable, e.message, Some(e.help), pos, path);
            Err(())
        }
    }
}

fn resource_el(cx: &mut Cx<'_>, m: &Member<'_>, negated: bool, path: &At<'_>) -> Option<ResourceEl> {
    let name = element_name(RESOURCE, negated);
    let (el, written) = (path.member(name), std::cell::OnceCell::new());
    let p = At::Once(&written, &el);
    let values = string_list(cx, &m.value, name, &p)?;
    let mut entries = Vec::with_capacity(values.len());
    let mut ok = true;
    for (text, pos, index) in values.iter() {
        let vp = p.item(index);
        if text != "*" && !text.starts_with("arn:") && !text.starts_with("${") {
            cx.err(
                ErrorKind::InvalidValue,
                format!("resource `{text}` must be an ARN or `*`"),
                Some("e.g. `arn:aws:kms:us-east-1:111122223333:key/*`".into()),
                pos,
                &vp,
            );
            ok = false;
            continue;
        }
        let pat = match template_or_err(cx, text, pos, &vp) {
            Err(()) => {
                ok = false;
                continue;
            }
            Ok(Some(t)) if t.has_vars() => ResPat::Template(t),
            Ok(Some(t)) => ResPat::Static(ArnPat::from_tokens(&t.static_tokens())),
            Ok(None) => ResPat::Static(ArnPat::new(text)),
        };
        entries.push(ResourceEntry { text: text.into(), loc: cx.loc(pos), index: index32(index), pat });
    }
    ok.then(|| ResourceEl { negated, loc: cx.loc(member_pos(m)), entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("Statment", TOP_LEVEL), Some("Statement"));
        assert_eq!(suggest("statement", TOP_LEVEL), Some("Statement"));
        assert_eq!(suggest("Xyzzy", TOP_LEVEL), None);
        assert_eq!(suggest("Efect", STATEMENT), Some("Effect"));
    }
}
