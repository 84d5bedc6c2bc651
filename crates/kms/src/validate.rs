//! Request validation against botocore's model ([`crate::model`]): every length, range, pattern and enum of the
//! request's shapes, and the ranges members' documentation states, with AWS's error code and message form
//! (`1 validation error detected: Value '…' at 'keyId' failed to satisfy constraint: Member must have length less
//! than or equal to 2048`; several as `N validation errors detected: …; …`). Then the checks AWS makes before it
//! looks at the key: grant tokens that are not grant tokens (`InvalidGrantTokenException`, on the operations that
//! declare it) and malformed key ARNs (`InvalidArnException` where the operation declares it).
//!
//! Paths are AWS's: members with their first letter lower-cased, a structure's member after a dot
//! (`constraints.sourceArn`), an item of a list of structures as `tags.1.member.tagKey` (1-based). A list whose
//! items break their shape's constraint is shown whole (`Value '[Decrpyt]' at 'operations' failed to satisfy
//! constraint: Member must satisfy constraint: [Member must satisfy enum value set: [...]]`). Sensitive members and
//! blobs are shown without their value (`Value at 'plaintext'`).

use base64::Engine;
use serde_json::Value as Json;

use crate::error::{ErrorCode, KmsError};
use crate::model::{self, Field, Kind, Shape};

/// Checks an operation's parameters (AWS JSON names) against its input shape.
pub fn validate(operation: &str, params: &Json) -> Result<(), KmsError> {
    let Some(op) = model::operation(operation) else { return Ok(()) };
    let Some(input) = op.input.and_then(model::shape) else { return Ok(()) };
    let mut errors = Vec::new();
    structure(input, params, "", &mut errors);
    if !errors.is_empty() {
        let n = errors.len();
        let head = if n == 1 {
            "1 validation error detected: ".to_string()
        } else {
            format!("{n} validation errors detected: ")
        };
        return Err(KmsError::validation(head + &errors.join("; ")));
    }
    if op.declares(ErrorCode::InvalidGrantTokenException) {
        let tokens = params.get("GrantTokens").and_then(Json::as_array).into_iter().flatten();
        if tokens.filter_map(Json::as_str).any(|t| !is_grant_token(t)) {
            return Err(KmsError::new(
                ErrorCode::InvalidGrantTokenException,
                "The request was rejected because the specified grant token is not valid.",
            ));
        }
    }
    if op.declares(ErrorCode::InvalidArnException) {
        for f in op.members().iter().filter(|f| f.shape == "KeyIdType") {
            if let Some(v) = params.get(f.name).and_then(Json::as_str) {
                if v.starts_with("arn:") && !is_kms_arn(v) {
                    // [verify] AWS does not document the message; the code is the operation's declared one.
                    return Err(KmsError::new(ErrorCode::InvalidArnException, format!("Invalid arn {v}")));
                }
            }
        }
    }
    Ok(())
}

/// Whether a grant token can be one the simulator issued (96 characters of URL-safe base64, see
/// `Hsm::new_token`).
pub fn is_grant_token(t: &str) -> bool {
    t.len() == 96 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` or `…:alias/NAME`.
pub fn is_kms_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "kms", region, account, resource] => {
            partition.starts_with("aws")
                && !region.is_empty()
                && crate::ids::is_account_id(account)
                && (resource.strip_prefix("key/").is_some_and(|id| !id.is_empty())
                    || resource.strip_prefix("alias/").is_some_and(|n| !n.is_empty()))
        }
        _ => false,
    }
}

/// A request's parameters as CloudTrail's `requestParameters` shows them when the call fails validation (the
/// operation never ran to write its own): member names with their first letter lower-cased, without blobs,
/// sensitive members, grant tokens and policies (key material, plaintext, ciphertext, tokens and policy documents
/// never enter an audit record).
pub fn logged_parameters(operation: &str, params: &Json) -> Json {
    let input = model::operation(operation).and_then(|o| o.input).and_then(model::shape);
    input.map_or(Json::Null, |s| logged(s, params))
}

fn logged(s: &Shape, v: &Json) -> Json {
    match (s.kind, v) {
        (Kind::Structure, Json::Object(obj)) => {
            let mut out = serde_json::Map::new();
            for f in s.fields {
                let (Some(x), Some(fs)) = (obj.get(f.name), model::shape(f.shape)) else { continue };
                let hidden = fs.kind == Kind::Blob || fs.sensitive || matches!(f.name, "GrantTokens" | "Policy");
                if !hidden && !x.is_null() {
                    out.insert(lower_first(f.name), logged(fs, x));
                }
            }
            Json::Object(out)
        }
        (Kind::List, Json::Array(items)) => match s.item.and_then(model::shape) {
            Some(item) => Json::Array(items.iter().map(|x| logged(item, x)).collect()),
            None => v.clone(),
        },
        _ => v.clone(),
    }
}

fn lower_first(name: &str) -> String {
    let mut c = name.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        lower_first(name)
    } else {
        format!("{prefix}.{}", lower_first(name))
    }
}

fn structure(s: &Shape, v: &Json, path: &str, errors: &mut Vec<String>) {
    let Some(obj) = v.as_object() else { return };
    for f in s.fields {
        if let Some(value) = obj.get(f.name).filter(|x| !x.is_null()) {
            member(f, value, &join(path, f.name), errors);
        }
    }
}

fn member(f: &Field, v: &Json, path: &str, errors: &mut Vec<String>) {
    let Some(s) = model::shape(f.shape) else { return };
    let shown = shown(s, v);
    for c in constraints(s, v) {
        errors.push(format!("Value{shown} at '{path}' failed to satisfy constraint: {c}"));
    }
    if let (Some(d), Some(n)) = (f.documented, v.as_i64()) {
        // The member's documentation narrows the shape's range (Limit, PendingWindowInDays).
        if s.min.is_none_or(|m| n >= m) && s.max.is_none_or(|m| n <= m) {
            if n < d.min {
                errors.push(format!("Value{shown} at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {}", d.min));
            } else if n > d.max {
                errors.push(format!("Value{shown} at '{path}' failed to satisfy constraint: Member must have value less than or equal to {}", d.max));
            }
        }
    }
    match s.kind {
        Kind::Structure => structure(s, v, path, errors),
        Kind::List => {
            let Some(item) = s.item.and_then(model::shape) else { return };
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            if item.kind == Kind::Structure {
                for (i, x) in items.iter().enumerate() {
                    structure(item, x, &format!("{path}.{}.member", i + 1), errors);
                }
            } else if let Some(c) = items.iter().find_map(|x| constraints(item, x).into_iter().next()) {
                errors.push(format!(
                    "Value{shown} at '{path}' failed to satisfy constraint: Member must satisfy constraint: [{c}]"
                ));
            }
        }
        _ => {}
    }
}

/// How a value appears in a message: ` '…'`, or nothing for sensitive members and blobs.
fn shown(s: &Shape, v: &Json) -> String {
    if s.sensitive || s.kind == Kind::Blob {
        return String::new();
    }
    match v {
        Json::String(t) => format!(" '{t}'"),
        Json::Array(a) => {
            let items: Vec<String> =
                a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect();
            format!(" '[{}]'", items.join(", "))
        }
        Json::Null => " null".to_string(),
        other => format!(" '{other}'"),
    }
}

/// The constraints of a shape a value breaks, in AWS's words.
fn constraints(s: &Shape, v: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let length = match (s.kind, v) {
        (Kind::String, Json::String(t)) => Some(t.chars().count()),
        (Kind::Blob, Json::String(t)) => {
            Some(base64::engine::general_purpose::STANDARD.decode(t.trim()).map_or(t.len(), |b| b.len()))
        }
        (Kind::List, Json::Array(a)) => Some(a.len()),
        (Kind::Map, Json::Object(m)) => Some(m.len()),
        _ => None,
    };
    let length = length.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    if let Some(n) = length {
        if s.min.is_some_and(|m| n < m) {
            out.push(format!("Member must have length greater than or equal to {}", s.min.unwrap_or_default()));
        }
        if s.max.is_some_and(|m| n > m) {
            out.push(format!("Member must have length less than or equal to {}", s.max.unwrap_or_default()));
        }
    }
    if let (Kind::Integer, Some(n)) = (s.kind, v.as_i64()) {
        if s.min.is_some_and(|m| n < m) {
            out.push(format!("Member must have value greater than or equal to {}", s.min.unwrap_or_default()));
        }
        if s.max.is_some_and(|m| n > m) {
            out.push(format!("Member must have value less than or equal to {}", s.max.unwrap_or_default()));
        }
    }
    if let (Kind::String, Json::String(t)) = (s.kind, v) {
        if let Some(p) = s.pattern {
            if matches_pattern(p, t) == Some(false) {
                out.push(format!("Member must satisfy regular expression pattern: {p}"));
            }
        }
        if !s.values.is_empty() && !s.values.contains(&t.as_str()) {
            out.push(format!("Member must satisfy enum value set: [{}]", s.values.join(", ")));
        }
    }
    out
}

/// Whether a value matches one of the model's patterns; `None` for a pattern without a matcher here (the test
/// `every_pattern_of_an_implemented_operation_has_a_matcher` keeps that from happening on implemented operations).
/// The model's patterns are few and simple; matching them by hand keeps a regex engine out of the core.
pub fn matches_pattern(pattern: &str, v: &str) -> Option<bool> {
    // AWS matches the whole value (Java's `Pattern.matches`); `\w` is ASCII. ASCII classes are checked byte by byte
    // (a byte of a multi-byte character is never ASCII, so it fails them as the character would); the Latin-1 ones
    // decode characters only when the value is not all ASCII (a key policy is checked on every `CreateKey`).
    let some = |f: fn(u8) -> bool| !v.is_empty() && v.bytes().all(f);
    let latin1 =
        |f: fn(char) -> bool| if v.is_ascii() { v.bytes().all(|b| f(char::from(b))) } else { v.chars().all(f) };
    Some(match pattern {
        r"^[a-zA-Z0-9:/_-]+$" => some(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'/' | b'_' | b'-')),
        r"^[\w+=,.@:/-]+$" => some(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-')
        }),
        r"[\w]+" => some(|c| c.is_ascii_alphanumeric() || c == b'_'),
        r"[\u0009\u000A\u000D\u0020-\u00FF]+" => {
            !v.is_empty() && latin1(|c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FF}'))
        }
        r"[\u0020-\u00FF]*" => latin1(|c| matches!(c, ' '..='\u{FF}')),
        r"^[a-zA-Z0-9-_.]+$" => some(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')),
        r"^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$" => source_arn(v),
        r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$" => {
            let labels: Vec<&str> = v.split('.').collect();
            labels.len() >= 3
                && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        }
        _ => return None,
    })
}

/// `^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`
fn source_arn(v: &str) -> bool {
    let lower = |s: &str| s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, service, region, account, rest] => {
            partition.strip_prefix("aws").is_some_and(lower)
                && !service.is_empty()
                && lower(service)
                && lower(region)
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !rest.is_empty()
        }
        _ => false,
    }
}
