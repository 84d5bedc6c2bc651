//! From policy text to a compiled [`Policy`]: JSON syntax, then the policy grammar and each policy type's rules.
//! Every problem is collected (not only the first) with its location.
//!
//! Size limits, checked before anything else (see [`size_limit`]):
//! - `Resource` (KMS key policy): 32,768 bytes, whitespace included;
//! - `Identity` and `PermissionsBoundary` (managed policies): 6,144 characters, whitespace not counted (IAM ignores
//!   whitespace when it measures a policy);
//! - `Scp`: 5,120 characters, whitespace included;
//! - `Session`: 2,048 characters, whitespace not counted.

use std::sync::OnceLock;

use crate::error::{ErrorKind, PolicyError, PolicyErrors, Span};
use crate::glob::{tokens, Glob};
use crate::json::{self, escape_pointer, Json, LineIndex, Member, Node, Pos};
use crate::model::*;
use crate::result::Effect;
use crate::vars::Template;
use crate::PolicyType;

const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT: &[&str] =
    &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// How big a policy of this type may be, and how it is measured.
pub(crate) fn size_limit(ty: PolicyType) -> (usize, &'static str) {
    match ty {
        PolicyType::Resource => (32_768, "bytes"),
        PolicyType::Identity | PolicyType::PermissionsBoundary => (6_144, "characters (whitespace not counted)"),
        PolicyType::Scp => (5_120, "characters"),
        PolicyType::Session => (2_048, "characters (whitespace not counted)"),
    }
}

fn measure(source: &str, ty: PolicyType) -> usize {
    match ty {
        PolicyType::Resource => source.len(),
        PolicyType::Scp => source.chars().count(),
        PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session => {
            source.chars().filter(|c| !c.is_whitespace()).count()
        }
    }
}

struct Cx<'a> {
    li: LineIndex<'a>,
    ty: PolicyType,
    variables: bool,
    errors: Vec<PolicyError>,
}

impl Cx<'_> {
    fn span(&self, pos: Pos, path: &str) -> Span {
        self.li.span(pos, path)
    }
    fn err(&mut self, kind: ErrorKind, message: String, help: Option<String>, pos: Pos, path: &str) {
        let span = self.span(pos, path);
        self.errors.push(PolicyError { kind, message, help, span });
    }
}

fn member_pos(m: &Member) -> Pos {
    let end = m.value.pos.offset + m.value.pos.len;
    Pos { offset: m.key_pos.offset, len: end.saturating_sub(m.key_pos.offset) }
}

fn join(path: &str, seg: &str) -> String {
    format!("{path}/{}", escape_pointer(seg))
}

/// Suggests the closest known name (case-insensitive edit distance), for "did you mean" help.
pub fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let lw = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = levenshtein(&lw, &k.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

fn did_you_mean(word: &str, known: &[&str]) -> Option<String> {
    suggest(word, known).map(|k| format!("did you mean `{k}`"))
}

pub(crate) fn parse_policy(source: &str, ty: PolicyType) -> Result<Policy, PolicyErrors> {
    let mut cx = Cx { li: LineIndex::new(source), ty, variables: false, errors: Vec::new() };

    let (limit, unit) = size_limit(ty);
    let size = measure(source, ty);
    if size > limit {
        cx.err(
            ErrorKind::PolicyTooLarge,
            format!("the policy is {size} {unit}, more than the {limit} allowed for this policy type"),
            Some("split the policy or remove statements".to_string()),
            Pos { offset: 0, len: 0 },
            "",
        );
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
                    "",
                );
            }
        }
    }

    let parsed = json::parse(source);
    for d in &parsed.duplicates {
        let (l, c) = cx.li.line_col(d.first.offset);
        cx.err(
            ErrorKind::DuplicateKey,
            format!("duplicate key `{}`", d.key),
            Some(format!("the first `{}` is at line {l}, column {c}; a policy may not repeat a key", d.key)),
            d.pos,
            &join(&d.path, &d.key),
        );
    }
    let root = match parsed.root {
        Ok(r) => r,
        Err(e) => {
            cx.err(ErrorKind::InvalidJson, format!("invalid JSON: {}", e.message), e.help, e.pos, "");
            return Err(PolicyErrors { errors: cx.errors });
        }
    };
    let Json::Object(members) = &root.value else {
        cx.err(
            ErrorKind::InvalidType,
            format!("a policy must be a JSON object, found {}", root.type_name()),
            Some("a policy looks like `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`".into()),
            root.pos,
            "",
        );
        return Err(PolicyErrors { errors: cx.errors });
    };

    let mut version = None;
    let mut id = None;
    let mut statement_node = None;
    for m in members {
        let path = join("", &m.key);
        match m.key.as_str() {
            "Version" => match &m.value.value {
                Json::String(v) if v == "2012-10-17" || v == "2008-10-17" => version = Some(v.clone()),
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
                Json::String(v) => id = Some(v.as_str().into()),
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
            "",
        ),
        Some(m) => match &m.value.value {
            Json::Object(_) => {
                if let Some(s) = statement(&mut cx, &m.value, 0, "/Statement") {
                    statements.push(s);
                }
            }
            Json::Array(items) => {
                if items.is_empty() {
                    cx.err(
                        ErrorKind::InvalidValue,
                        "`Statement` is empty".into(),
                        Some("a policy needs at least one statement".into()),
                        m.value.pos,
                        "/Statement",
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    let path = format!("/Statement/{i}");
                    if let Some(s) = statement(&mut cx, item, i, &path) {
                        statements.push(s);
                    }
                }
            }
            _ => type_err(&mut cx, &m.value, "`Statement`", "an object or an array of objects", "/Statement"),
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

fn type_err(cx: &mut Cx<'_>, node: &Node, what: &str, want: &str, path: &str) {
    cx.err(ErrorKind::InvalidType, format!("{what} must be {want}, found {}", node.type_name()), None, node.pos, path);
}

fn statement(cx: &mut Cx<'_>, node: &Node, index: usize, path: &str) -> Option<Statement> {
    let Json::Object(members) = &node.value else {
        type_err(cx, node, "a statement", "an object", path);
        return None;
    };
    let span = cx.span(node.pos, path);
    let find = |name: &str| members.iter().find(|m| m.key == name);
    let mut ok = true;

    for m in members {
        if !STATEMENT.contains(&m.key.as_str()) {
            cx.err(
                ErrorKind::UnknownElement,
                format!("unknown statement element `{}`", m.key),
                did_you_mean(&m.key, STATEMENT).or_else(|| {
                    Some("a statement has `Sid`, `Effect`, `Principal`, `Action`, `Resource` and `Condition`".into())
                }),
                m.key_pos,
                &join(path, &m.key),
            );
            ok = false;
        }
    }

    for (a, b) in [("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")] {
        if let (Some(_), Some(mb)) = (find(a), find(b)) {
            cx.err(
                ErrorKind::ConflictingElements,
                format!("a statement cannot have both `{a}` and `{b}`"),
                Some(format!("keep either `{a}` or `{b}`")),
                mb.key_pos,
                &join(path, b),
            );
            ok = false;
        }
    }

    // Sid
    let mut sid = None;
    if let Some(m) = find("Sid") {
        let p = join(path, "Sid");
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
                sid = Some(s.as_str().into());
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
            let p = join(path, "Effect");
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
    let principal_member = find("Principal").map(|m| (m, false)).or_else(|| find("NotPrincipal").map(|m| (m, true)));
    let mut principal = None;
    let principals_allowed = cx.ty == PolicyType::Resource;
    match principal_member {
        Some((m, negated)) if !principals_allowed => {
            let name = if negated { "NotPrincipal" } else { "Principal" };
            cx.err(
                ErrorKind::NotAllowedInPolicyType,
                format!("`{name}` is not allowed in {} policies", type_name(cx.ty)),
                Some("only resource-based policies such as key policies name principals".into()),
                m.key_pos,
                &join(path, name),
            );
            ok = false;
        }
        Some((m, negated)) => match principal_el(cx, m, negated, path) {
            Some(p) => principal = Some(p),
            None => ok = false,
        },
        None if principals_allowed => {
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
    let action_member = find("Action").map(|m| (m, false)).or_else(|| find("NotAction").map(|m| (m, true)));
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
    let resource_member = find("Resource").map(|m| (m, false)).or_else(|| find("NotResource").map(|m| (m, true)));
    let resource = match resource_member {
        None => {
            cx.err(
                ErrorKind::MissingElement,
                "the statement has no `Resource` or `NotResource`".into(),
                Some("add e.g. `\"Resource\": \"*\"` (in a key policy `*` means this key)".into()),
                node.pos,
                path,
            );
            None
        }
        Some((m, negated)) => resource_el(cx, m, negated, path),
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

fn type_name(ty: PolicyType) -> &'static str {
    match ty {
        PolicyType::Identity => "identity-based",
        PolicyType::Resource => "resource-based",
        PolicyType::Scp => "service control",
        PolicyType::PermissionsBoundary => "permissions boundary",
        PolicyType::Session => "session",
    }
}

/// The strings of an element that takes one string or an array of strings (non-empty).
fn string_list<'n>(cx: &mut Cx<'_>, node: &'n Node, name: &str, path: &str) -> Option<Vec<(&'n str, Pos, String)>> {
    match &node.value {
        Json::String(s) => Some(vec![(s.as_str(), node.pos, path.to_string())]),
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
            let mut out = Vec::new();
            let mut ok = true;
            for (i, it) in items.iter().enumerate() {
                let p = format!("{path}/{i}");
                match &it.value {
                    Json::String(s) => out.push((s.as_str(), it.pos, p)),
                    _ => {
                        type_err(cx, it, &format!("each `{name}` value"), "a string", &p);
                        ok = false;
                    }
                }
            }
            ok.then_some(out)
        }
        _ => {
            type_err(cx, node, &format!("`{name}`"), "a string or an array of strings", path);
            None
        }
    }
}

fn action_el(cx: &mut Cx<'_>, m: &Member, negated: bool, path: &str) -> Option<ActionEl> {
    let name = if negated { "NotAction" } else { "Action" };
    let p = join(path, name);
    let values = string_list(cx, &m.value, name, &p)?;
    let mut entries = Vec::new();
    let mut ok = true;
    for (text, pos, vp) in values {
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
        let lower = text.to_ascii_lowercase();
        if lower == "*" {
            entries.push(ActionEntry {
                text: text.into(),
                span: cx.span(pos, &vp),
                any: true,
                service: Glob::new("*"),
                name: Glob::new("*"),
            });
            continue;
        }
        let valid_service =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?');
        match lower.split_once(':') {
            Some((svc, act)) if valid_service(svc) && !act.is_empty() && !act.contains(':') => {
                entries.push(ActionEntry {
                    text: text.into(),
                    span: cx.span(pos, &vp),
                    any: false,
                    service: Glob::new(svc),
                    name: Glob::new(act),
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
    ok.then(|| ActionEl { negated, span: cx.span(member_pos(m), &p), entries })
}

fn template_or_err(cx: &mut Cx<'_>, text: &str, pos: Pos, path: &str) -> Result<Option<Template>, ()> {
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

fn resource_el(cx: &mut Cx<'_>, m: &Member, negated: bool, path: &str) -> Option<ResourceEl> {
    let name = if negated { "NotResource" } else { "Resource" };
    let p = join(path, name);
    let values = string_list(cx, &m.value, name, &p)?;
    let mut entries = Vec::new();
    let mut ok = true;
    for (text, pos, vp) in values {
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
            Ok(None) => ResPat::Static(ArnPat::from_tokens(&tokens(text).collect::<Vec<_>>())),
        };
        entries.push(ResourceEntry { text: text.into(), span: cx.span(pos, &vp), pat });
    }
    ok.then(|| ResourceEl { negated, span: cx.span(member_pos(m), &p), entries })
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit())
}

fn principal_el(cx: &mut Cx<'_>, m: &Member, negated: bool, path: &str) -> Option<PrincipalEl> {
    let name = if negated { "NotPrincipal" } else { "Principal" };
    let p = join(path, name);
    let mut entries = Vec::new();
    let mut ok = true;
    match &m.value.value {
        Json::String(s) if s == "*" => entries.push(PrincipalEntry {
            ptype: "*".into(),
            text: "*".into(),
            shown: "*".into(),
            span: cx.span(m.value.pos, &p),
            kind: PrincipalKindPat::Wildcard,
        }),
        Json::String(s) => {
            cx.err(
                ErrorKind::InvalidValue,
                format!("`{name}` as a string must be `*`, found `{s}`"),
                Some(format!("name principals by type, e.g. `{{\"AWS\": \"{s}\"}}`")),
                m.value.pos,
                &p,
            );
            return None;
        }
        Json::Object(types) => {
            if types.is_empty() {
                cx.err(
                    ErrorKind::InvalidValue,
                    format!("`{name}` is an empty object"),
                    Some("name at least one principal, e.g. `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`".into()),
                    m.value.pos,
                    &p,
                );
                return None;
            }
            for t in types {
                let tp = join(&p, &t.key);
                if !PRINCIPAL_TYPES.contains(&t.key.as_str()) {
                    cx.err(
                        ErrorKind::UnknownElement,
                        format!("unknown principal type `{}`", t.key),
                        did_you_mean(&t.key, PRINCIPAL_TYPES)
                            .or_else(|| Some("use `AWS`, `Service`, `Federated` or `CanonicalUser`".into())),
                        t.key_pos,
                        &tp,
                    );
                    ok = false;
                    continue;
                }
                let Some(values) = string_list(cx, &t.value, &t.key, &tp) else {
                    ok = false;
                    continue;
                };
                for (v, pos, vp) in values {
                    match principal_entry(&t.key, v) {
                        Ok(kind) => entries.push(PrincipalEntry {
                            ptype: t.key.clone(),
                            text: v.into(),
                            shown: if t.key == "AWS" || t.key == "*" {
                                v.into()
                            } else {
                                format!("{}: {v}", t.key).into()
                            },
                            span: cx.span(pos, &vp),
                            kind,
                        }),
                        Err((kind, message, help)) => {
                            cx.err(kind, message, Some(help), pos, &vp);
                            ok = false;
                        }
                    }
                }
            }
        }
        _ => {
            type_err(cx, &m.value, &format!("`{name}`"), "`*` or an object such as `{\"AWS\": ...}`", &p);
            return None;
        }
    }
    ok.then(|| PrincipalEl { negated, span: cx.span(member_pos(m), &p), entries })
}

type EntryErr = (ErrorKind, String, String);

fn principal_entry(ptype: &str, v: &str) -> Result<PrincipalKindPat, EntryErr> {
    if v.contains("${") {
        return Err((
            ErrorKind::InvalidVariable,
            format!("policy variables are not allowed in principals: `{v}`"),
            "use a condition on `aws:PrincipalArn` instead".into(),
        ));
    }
    if v.is_empty() {
        return Err((ErrorKind::InvalidValue, "empty principal".into(), "name a principal or use `*`".into()));
    }
    match ptype {
        "AWS" => {
            if v == "*" {
                return Ok(PrincipalKindPat::Wildcard);
            }
            if is_account_id(v) {
                return Ok(PrincipalKindPat::Account(v.to_string()));
            }
            if v.contains(['*', '?']) {
                return Err((
                    ErrorKind::InvalidValue,
                    format!("wildcards are not allowed in principal `{v}`"),
                    "use `*` alone, or a condition such as `ArnLike` on `aws:PrincipalArn`".into(),
                ));
            }
            let Some([_arn, _part, service, _region, account, rest]) =
                split_arn(v).filter(|s| s.first() == Some(&"arn"))
            else {
                return Err((
                    ErrorKind::InvalidValue,
                    format!("invalid principal `{v}`"),
                    "an `AWS` principal is an account id, an IAM/STS ARN such as `arn:aws:iam::111122223333:role/Admin`, or `*`".into(),
                ));
            };
            if !is_account_id(account) || !(service == "iam" || service == "sts") {
                return Err((
                    ErrorKind::InvalidValue,
                    format!("invalid principal `{v}`"),
                    "an `AWS` principal ARN names an IAM or STS identity with a 12-digit account".into(),
                ));
            }
            if service == "iam" && rest == "root" {
                return Ok(PrincipalKindPat::Account(account.to_string()));
            }
            if service == "iam" {
                if let Some(role) = rest.strip_prefix("role/") {
                    let name = role.rsplit('/').next().unwrap_or(role).to_string();
                    return Ok(PrincipalKindPat::Role { arn: v.to_string(), account: account.to_string(), name });
                }
            }
            Ok(PrincipalKindPat::Arn(v.to_string()))
        }
        "Service" => Ok(PrincipalKindPat::Service(v.to_ascii_lowercase())),
        _ => Ok(PrincipalKindPat::Other(v.to_string())),
    }
}

fn parse_operator(text: &str) -> Result<Op, EntryErr> {
    let (set, rest) = if let Some(r) = text.strip_prefix("ForAnyValue:") {
        (SetOp::ForAnyValue, r)
    } else if let Some(r) = text.strip_prefix("ForAllValues:") {
        (SetOp::ForAllValues, r)
    } else {
        (SetOp::None, text)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let Some(&(name, family, cmp, negated)) = OPERATORS.iter().find(|o| o.0 == base) else {
        let names: Vec<&str> = OPERATORS.iter().map(|o| o.0).collect();
        let help = match suggest(base, &names) {
            Some(s) => {
                let mut full = String::new();
                if set != SetOp::None {
                    full.push_str(text.get(..text.len() - rest.len()).unwrap_or(""));
                }
                full.push_str(s);
                if if_exists {
                    full.push_str("IfExists");
                }
                format!("did you mean `{full}`")
            }
            None => "see the IAM condition operators, e.g. `StringEquals`, `ArnLike`, `Bool`".into(),
        };
        let prefix_hint = if text.contains(':') && set == SetOp::None {
            " (the set operators are `ForAnyValue:` and `ForAllValues:`)"
        } else {
            ""
        };
        return Err((ErrorKind::UnknownOperator, format!("unknown condition operator `{text}`{prefix_hint}"), help));
    };
    if family == Family::Null && if_exists {
        return Err((
            ErrorKind::InvalidValue,
            format!("`{text}`: `Null` has no `IfExists` form"),
            "use `Null` alone: it already tests whether the key exists".into(),
        ));
    }
    if family == Family::Null && set != SetOp::None {
        return Err((
            ErrorKind::InvalidValue,
            format!("`{text}`: set operators cannot be used with `Null`"),
            "use `Null` alone".into(),
        ));
    }
    Ok(Op { set, base: name, family, cmp, negated, if_exists })
}

fn condition_block(cx: &mut Cx<'_>, m: &Member, path: &str) -> Option<Vec<Condition>> {
    let p = join(path, "Condition");
    let Json::Object(ops) = &m.value.value else {
        type_err(cx, &m.value, "`Condition`", "an object such as `{\"StringEquals\": {...}}`", &p);
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for o in ops {
        let op_path = join(&p, &o.key);
        let op = match parse_operator(&o.key) {
            Ok(op) => op,
            Err((kind, message, help)) => {
                cx.err(kind, message, Some(help), o.key_pos, &op_path);
                ok = false;
                continue;
            }
        };
        let Json::Object(keys) = &o.value.value else {
            type_err(cx, &o.value, &format!("the `{}` block", o.key), "an object of condition keys", &op_path);
            ok = false;
            continue;
        };
        for k in keys {
            let kp = join(&op_path, &k.key);
            if k.key.contains("${") {
                cx.err(
                    ErrorKind::InvalidVariable,
                    format!("policy variables are not allowed in condition keys: `{}`", k.key),
                    Some("variables may be used in condition values".into()),
                    k.key_pos,
                    &kp,
                );
                ok = false;
                continue;
            }
            if k.key.is_empty() {
                cx.err(
                    ErrorKind::InvalidValue,
                    "empty condition key".into(),
                    Some("name a condition key, e.g. `aws:SourceIp`".into()),
                    k.key_pos,
                    &kp,
                );
                ok = false;
                continue;
            }
            match condition(cx, op, &o.key, k, &kp) {
                Some(c) => out.push(c),
                None => ok = false,
            }
        }
    }
    ok.then_some(out)
}

fn condition(cx: &mut Cx<'_>, op: Op, op_text: &str, k: &Member, kp: &str) -> Option<Condition> {
    let raw: Vec<(&Node, String)> = match &k.value.value {
        Json::Array(items) => {
            if items.is_empty() {
                cx.err(
                    ErrorKind::InvalidValue,
                    format!("condition key `{}` has an empty array of values", k.key),
                    Some("give at least one value".into()),
                    k.value.pos,
                    kp,
                );
                return None;
            }
            items.iter().enumerate().map(|(i, n)| (n, format!("{kp}/{i}"))).collect()
        }
        _ => vec![(&k.value, kp.to_string())],
    };
    let mut values = Vec::new();
    let mut ok = true;
    for (node, vp) in raw {
        let text = match &node.value {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.clone(),
            Json::Bool(b) => b.to_string(),
            _ => {
                type_err(cx, node, "a condition value", "a string, number or boolean", &vp);
                ok = false;
                continue;
            }
        };
        match cond_value(cx, op, op_text, &text, node.pos, &vp) {
            Some(val) => values.push(CondValue { text: text.into(), span: cx.span(node.pos, &vp), val }),
            None => ok = false,
        }
    }
    let span = cx.span(member_pos(k), kp);
    ok.then(|| Condition {
        op_text: op_text.into(),
        op,
        key_text: k.key.as_str().into(),
        key_lower: k.key.to_ascii_lowercase(),
        span,
        values,
    })
}

/// Compiles one condition value for its operator family (`None` after reporting an error).
pub(crate) fn compile_value(family: Family, text: &str) -> Result<CVal, String> {
    Ok(match family {
        Family::Str => CVal::Str(text.to_string()),
        Family::StrIc => CVal::StrLower(text.to_lowercase()),
        Family::Like => CVal::Like(Glob::new(text)),
        Family::Num => CVal::Num(parse_number(text).ok_or_else(|| format!("`{text}` is not a number"))?),
        Family::Date => CVal::Date(
            crate::time::parse_date(text).ok_or_else(|| format!("`{text}` is not an ISO 8601 date or epoch time"))?,
        ),
        Family::Bool => CVal::Bool(parse_bool(text).ok_or_else(|| format!("`{text}` is not `true` or `false`"))?),
        Family::Bin => CVal::Bin(crate::time::base64_decode(text).ok_or_else(|| format!("`{text}` is not base64"))?),
        Family::Ip => CVal::Ip(Cidr::parse(text).ok_or_else(|| format!("`{text}` is not an IP address or CIDR"))?),
        Family::Arn => CVal::Arn(ArnPat::from_tokens(&tokens(text).collect::<Vec<_>>())),
        Family::Null => CVal::Null(parse_bool(text).ok_or_else(|| format!("`{text}` is not `true` or `false`"))?),
    })
}

pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return None;
    }
    crate::num::parse_f64(t).filter(|n| n.is_finite())
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn family_help(op_text: &str, family: Family) -> String {
    match family {
        Family::Num => format!("`{op_text}` compares numbers, e.g. `10` or `2.5`"),
        Family::Date => format!("`{op_text}` compares dates, e.g. `2026-11-28T12:00:00Z` or epoch seconds"),
        Family::Bool | Family::Null => format!("`{op_text}` takes `true` or `false`"),
        Family::Bin => format!("`{op_text}` takes base64, e.g. `QmluYXJ5VmFsdWU=`"),
        Family::Ip => format!("`{op_text}` takes an IP address or CIDR, e.g. `203.0.113.0/24`"),
        _ => String::new(),
    }
}

fn cond_value(cx: &mut Cx<'_>, op: Op, op_text: &str, text: &str, pos: Pos, vp: &str) -> Option<CVal> {
    if op.family == Family::Null {
        if text.contains("${") && cx.variables {
            cx.err(
                ErrorKind::InvalidVariable,
                format!("policy variables are not allowed in `Null` values: `{text}`"),
                Some("`Null` takes `true` (key missing) or `false` (key present)".into()),
                pos,
                vp,
            );
            return None;
        }
    } else {
        match template_or_err(cx, text, pos, vp) {
            Err(()) => return None,
            Ok(Some(t)) if t.has_vars() => return Some(CVal::Template(t)),
            Ok(Some(t)) => {
                // Escapes only: for patterns keep the escaped characters literal.
                return match op.family {
                    Family::Like => Some(CVal::Like(Glob::from_tokens(t.static_tokens()))),
                    Family::Arn => Some(CVal::Arn(ArnPat::from_tokens(&t.static_tokens()))),
                    f => match compile_value(f, &t.static_text()) {
                        Ok(v) => Some(v),
                        Err(message) => {
                            cx.err(ErrorKind::InvalidValue, message, Some(family_help(op_text, f)), pos, vp);
                            None
                        }
                    },
                };
            }
            Ok(None) => {}
        }
    }
    match compile_value(op.family, text) {
        Ok(v) => Some(v),
        Err(message) => {
            cx.err(ErrorKind::InvalidValue, message, Some(family_help(op_text, op.family)), pos, vp);
            None
        }
    }
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

    #[test]
    fn operators() {
        let op = parse_operator("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.set, SetOp::ForAnyValue);
        assert_eq!(op.family, Family::Like);
        assert!(op.if_exists);
        assert!(parse_operator("NullIfExists").is_err());
        assert!(parse_operator("ForAllValues:Null").is_err());
        let e = parse_operator("StringEqual").unwrap_err();
        assert_eq!(e.2, "did you mean `StringEquals`");
    }
}
