//! `Principal` and `NotPrincipal`: principal types and each entry compiled to the pattern it matches.

use std::sync::Arc;

use super::{did_you_mean, index32, member_pos, string_list, type_err, At, Cx, EntryErr, Json, Member};
use crate::error::ErrorKind;
use crate::model::{element_name, split_arn, PrincipalEl, PrincipalEntry, PrincipalKindPat, PRINCIPAL};

const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit())
}

pub(super) fn principal_el(cx: &mut Cx<'_>, m: &Member<'_>, negated: bool, path: &At<'_>) -> Option<PrincipalEl> {
    let name = element_name(PRINCIPAL, negated);
    let p = path.member(name);
    let mut entries = Vec::new();
    let mut ok = true;
    match &m.value.value {
        Json::String(s) if s == "*" => {
            let star: Arc<str> = "*".into();
            entries.push(PrincipalEntry {
                ptype: "*",
                text: Arc::clone(&star),
                shown: star,
                loc: cx.loc(m.value.pos),
                index: None,
                kind: PrincipalKindPat::Wildcard,
            });
        }
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
                let (ty, written) = (p.member(&t.key), std::cell::OnceCell::new());
                let tp = At::Once(&written, &ty);
                let Some(&ptype) = PRINCIPAL_TYPES.iter().find(|k| **k == t.key) else {
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
                };
                let Some(values) = string_list(cx, &t.value, &t.key, &tp) else {
                    ok = false;
                    continue;
                };
                entries.reserve(values.len());
                for (v, pos, index) in values.iter() {
                    let vp = tp.item(index);
                    match principal_entry(ptype, v) {
                        Ok(kind) => {
                            let text: Arc<str> = v.into();
                            entries.push(PrincipalEntry {
                                ptype,
                                shown: if ptype == "AWS" { Arc::clone(&text) } else { format!("{ptype}: {v}").into() },
                                text,
                                loc: cx.loc(pos),
                                index: index32(index),
                                kind,
                            });
                        }
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
    ok.then(|| PrincipalEl { negated, loc: cx.loc(member_pos(m)), entries })
}

/// What the principal `v` of type `ptype` matches (its parts as byte ranges of `v`).
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
                return Ok(PrincipalKindPat::Account(0..v.len()));
            }
            if v.contains(['*', '?']) {
                return Err((
                    ErrorKind::InvalidValue,
                    format!("wildcards are not allowed in principal `{v}`"),
                    "use `*` alone, or a condition such as `ArnLike` on `aws:PrincipalArn`".into(),
                ));
            }
            let Some([_arn, part, service, region, account, rest]) = split_arn(v).filter(|s| s.first() == Some(&"arn"))
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
            // `arn:` + the partition, service and region segments, each with its `:`.
            let account_at = 4 + part.len() + 1 + service.len() + 1 + region.len() + 1;
            let account = account_at..account_at + account.len();
            if service == "iam" && rest == "root" {
                return Ok(PrincipalKindPat::Account(account));
            }
            if service == "iam" {
                if let Some(role) = rest.strip_prefix("role/") {
                    let name = role.rsplit('/').next().unwrap_or(role);
                    return Ok(PrincipalKindPat::Role { account, name: v.len() - name.len()..v.len() });
                }
            }
            Ok(PrincipalKindPat::Arn)
        }
        "Service" => Ok(PrincipalKindPat::Service(v.to_ascii_lowercase())),
        _ => Ok(PrincipalKindPat::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entrys_parts_are_ranges_of_its_text() {
        let v = "arn:aws-cn:iam::111122223333:role/path/to/Admin";
        let Ok(PrincipalKindPat::Role { account, name }) = principal_entry("AWS", v) else { panic!("a role") };
        assert_eq!((&v[account], &v[name]), ("111122223333", "Admin"));
        let v = "arn:aws:iam::444455556666:root";
        let Ok(PrincipalKindPat::Account(account)) = principal_entry("AWS", v) else { panic!("an account") };
        assert_eq!(&v[account], "444455556666");
        let Ok(PrincipalKindPat::Account(account)) = principal_entry("AWS", "777788889999") else { panic!("an id") };
        assert_eq!(account, 0..12);
        assert!(matches!(
            principal_entry("AWS", "arn:aws:sts::111122223333:assumed-role/R/s"),
            Ok(PrincipalKindPat::Arn)
        ));
    }
}
