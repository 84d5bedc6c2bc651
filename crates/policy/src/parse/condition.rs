//! The `Condition` block: operators (with `ForAnyValue:`/`ForAllValues:` and `…IfExists`), keys, and values
//! compiled for the operator's family.

use std::borrow::Cow;
use std::sync::Arc;

use super::{index32, member_pos, template_or_err, type_err, At, Cx, EntryErr, Json, Member, Node};
use crate::error::ErrorKind;
use crate::glob::Glob;
use crate::json::Pos;
use crate::model::{ArnPat, CVal, CondValue, Condition, Family, Op, SetOp, OPERATORS};
use crate::suggest::suggest;
use crate::values::{compile_value, family_help};

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

pub(super) fn condition_block(cx: &mut Cx<'_>, m: &Member<'_>, path: &At<'_>) -> Option<Vec<Condition>> {
    let p = path.member("Condition");
    let Json::Object(ops) = &m.value.value else {
        type_err(cx, &m.value, "`Condition`", "an object such as `{\"StringEquals\": {...}}`", &p);
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for o in ops {
        let op_path = p.member(&o.key);
        let op_text: Arc<str> = Arc::from(&*o.key);
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
            if k.key.contains("${") {
                cx.err(
                    ErrorKind::InvalidVariable,
                    format!("policy variables are not allowed in condition keys: `{}`", k.key),
                    Some("variables may be used in condition values".into()),
                    k.key_pos,
                    &op_path.member(&k.key),
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
                    &op_path.member(&k.key),
                );
                ok = false;
                continue;
            }
            match condition(cx, op, &op_text, o, k, &op_path.member(&k.key)) {
                Some(c) => out.push(c),
                None => ok = false,
            }
        }
    }
    ok.then_some(out)
}

fn condition(
    cx: &mut Cx<'_>,
    op: Op,
    op_text: &Arc<str>,
    o: &Member<'_>,
    k: &Member<'_>,
    kp: &At<'_>,
) -> Option<Condition> {
    let written = std::cell::OnceCell::new();
    let kp = &At::Once(&written, kp);
    let (nodes, listed): (&[Node<'_>], bool) = match &k.value.value {
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
            (items, true)
        }
        _ => (std::slice::from_ref(&k.value), false),
    };
    let mut values = Vec::with_capacity(nodes.len());
    let mut ok = true;
    for (i, node) in nodes.iter().enumerate() {
        let index = listed.then_some(i);
        let vp = kp.item(index);
        let text: Cow<'_, str> = match &node.value {
            Json::String(s) | Json::Number(s) => Cow::Borrowed(s),
            Json::Bool(b) => Cow::Owned(b.to_string()),
            _ => {
                type_err(cx, node, "a condition value", "a string, number or boolean", &vp);
                ok = false;
                continue;
            }
        };
        match cond_value(cx, op, op_text, &text, node.pos, &vp) {
            Some(val) => {
                values.push(CondValue { text: Arc::from(&*text), loc: cx.loc(node.pos), index: index32(index), val })
            }
            None => ok = false,
        }
    }
    ok.then(|| Condition {
        op_text: Arc::clone(op_text),
        op,
        key_text: Arc::from(&*k.key),
        key_lower: k.key.to_ascii_lowercase(),
        key_loc: cx.loc(k.key_pos),
        op_loc: cx.loc(o.key_pos),
        loc: cx.loc(member_pos(k)),
        values,
    })
}

fn cond_value(cx: &mut Cx<'_>, op: Op, op_text: &str, text: &str, pos: Pos, vp: &At<'_>) -> Option<CVal> {
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
