//! EventBridge event patterns: does a pattern match an event?
//!
//! The rules, from "Amazon EventBridge event patterns" (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>),
//! "Content filtering in Amazon EventBridge event patterns" (…/eb-event-patterns-content-based-filtering.html) and
//! "Arrays in Amazon EventBridge event patterns" (…/eb-event-patterns-arrays.html):
//! - "the event must contain all the field names listed in the event pattern"; fields the pattern does not name match
//!   anything; nested objects match nested objects;
//! - a leaf is an array of values, any of which may match ("Or"); "If the value in the event is an array, then the
//!   event pattern matches if the intersection of the event pattern array and the event array is non-empty";
//! - strings match "character-by-character … without case-folding"; `null` matches a null value, `""` an empty one;
//! - the operators `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or `{"prefix": …}`),
//!   `numeric` (`=`, `<`, `<=`, `>`, `>=` pairs), `exists` (on leaves), `cidr` (IPv4), and `$or` across fields.

use serde_json::Value as J;

/// Whether `pattern` (an object) matches `event`.
pub fn matches(pattern: &J, event: &J) -> bool {
    let J::Object(fields) = pattern else { return false };
    fields.iter().all(|(name, want)| {
        if name == "$or" {
            return want.as_array().is_some_and(|alts| alts.iter().any(|p| matches(p, event)));
        }
        let got = event.get(name);
        match want {
            // An array of objects in the event: the nested pattern matches any element (`detail.resources.ARN`).
            J::Object(_) => got.is_some_and(|g| match g {
                J::Array(items) => items.iter().any(|i| matches(want, i)),
                other => matches(want, other),
            }),
            J::Array(values) => leaf(values, got),
            _ => false,
        }
    })
}

/// A leaf: one of `values` matches the event's value (or one of its elements); `exists: false` matches absence.
fn leaf(values: &[J], got: Option<&J>) -> bool {
    let Some(got) = got else {
        return values.iter().any(|v| v.get("exists") == Some(&J::Bool(false)));
    };
    let candidates: Vec<&J> = match got {
        J::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    values.iter().any(|v| candidates.iter().any(|g| one(v, g)))
}

fn one(want: &J, got: &J) -> bool {
    let J::Object(op) = want else { return want == got };
    let Some((name, arg)) = op.iter().next() else { return false };
    let text = got.as_str();
    match name.as_str() {
        "exists" => arg.as_bool() == Some(!got.is_object()),
        "prefix" => arg.as_str().zip(text).is_some_and(|(p, t)| t.starts_with(p)),
        "suffix" => arg.as_str().zip(text).is_some_and(|(p, t)| t.ends_with(p)),
        "equals-ignore-case" => arg.as_str().zip(text).is_some_and(|(p, t)| p.to_lowercase() == t.to_lowercase()),
        "anything-but" => match arg {
            J::Array(list) => !list.contains(got),
            J::Object(inner) => match inner.get("prefix").and_then(J::as_str) {
                Some(p) => text.is_some_and(|t| !t.starts_with(p)),
                None => false,
            },
            value => value != got,
        },
        "numeric" => got.as_f64().is_some_and(|n| numeric(arg, n)),
        "cidr" => arg.as_str().zip(text).is_some_and(|(c, t)| in_cidr(c, t)),
        _ => false,
    }
}

/// `["<", 10, ">=", 2]`: every comparison holds.
fn numeric(arg: &J, n: f64) -> bool {
    let Some(items) = arg.as_array() else { return false };
    let mut parts = items.chunks(2);
    parts.all(|pair| match pair {
        [J::String(op), bound] => bound.as_f64().is_some_and(|b| match op.as_str() {
            "=" => n == b,
            "<" => n < b,
            "<=" => n <= b,
            ">" => n > b,
            ">=" => n >= b,
            _ => false,
        }),
        _ => false,
    })
}

fn in_cidr(cidr: &str, ip: &str) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else { return false };
    let (Ok(net), Ok(ip), Ok(bits)) =
        (net.parse::<std::net::Ipv4Addr>(), ip.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>())
    else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    (u32::from(net) & mask) == (u32::from(ip) & mask)
}

/// Problems of a pattern, each with the JSON Pointer below the pattern where it is (for load-time checks).
pub fn problems(pattern: &J) -> Vec<(String, String)> {
    let mut out = Vec::new();
    check(pattern, "", &mut out);
    out
}

fn check(pattern: &J, at: &str, out: &mut Vec<(String, String)>) {
    let J::Object(fields) = pattern else {
        out.push((at.to_string(), "an event pattern is an object of field names".into()));
        return;
    };
    for (name, want) in fields {
        let here = format!("{at}/{}", kmsim_policy::json::escape_pointer(name));
        match want {
            J::Object(_) if name != "$or" => check(want, &here, out),
            J::Array(alts) if name == "$or" => {
                for (i, p) in alts.iter().enumerate() {
                    check(p, &format!("{here}/{i}"), out);
                }
            }
            J::Array(values) => {
                for (i, v) in values.iter().enumerate() {
                    if let J::Object(op) = v {
                        let known =
                            ["exists", "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "cidr"];
                        match op.iter().next() {
                            Some((k, _)) if op.len() == 1 && known.contains(&k.as_str()) => {}
                            Some((k, _)) => out.push((
                                format!("{here}/{i}"),
                                format!("unknown matcher `{k}`: one of {}", known.join(", ")),
                            )),
                            None => out.push((format!("{here}/{i}"), "an empty matcher matches nothing".into())),
                        }
                    }
                }
            }
            _ => out.push((
                here,
                format!("the values to match for `{name}` must be in an array, e.g. [\"Decrypt\"] (EventBridge)"),
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> J {
        json!({ "source": "aws.kms", "detail": { "eventName": "Decrypt", "errorCode": "AccessDenied",
                "userIdentity": { "accountId": "444455556666" }, "sourceIPAddress": "10.0.0.7",
                "resources": [ { "ARN": "arn:k1" }, { "ARN": "arn:k2" } ], "count": 5 } })
    }

    #[test]
    fn fields_nest_values_are_any_of_and_arrays_intersect() {
        assert!(matches(&json!({ "detail": { "eventName": ["Encrypt", "Decrypt"] } }), &event()));
        assert!(!matches(&json!({ "detail": { "eventName": ["Encrypt"] } }), &event()));
        assert!(matches(&json!({ "detail": { "resources": { "ARN": ["arn:k2"] } } }), &event()));
        assert!(!matches(&json!({ "detail": { "missing": ["x"] } }), &event()));
        assert!(!matches(&json!({ "detail": { "eventName": ["decrypt"] } }), &event()), "no case folding");
    }

    #[test]
    fn operators() {
        let m = |p: J| matches(&json!({ "detail": p }), &event());
        assert!(m(json!({ "userIdentity": { "accountId": [ { "anything-but": "111122223333" } ] } })));
        assert!(!m(json!({ "userIdentity": { "accountId": [ { "anything-but": ["444455556666"] } ] } })));
        assert!(m(json!({ "errorCode": [ { "prefix": "Access" } ] })));
        assert!(m(json!({ "eventName": [ { "suffix": "crypt" } ] })));
        assert!(m(json!({ "eventName": [ { "equals-ignore-case": "DECRYPT" } ] })));
        assert!(m(json!({ "count": [ { "numeric": [">", 1, "<=", 5] } ] })));
        assert!(!m(json!({ "count": [ { "numeric": [">", 5] } ] })));
        assert!(m(json!({ "errorMessage": [ { "exists": false } ] })));
        assert!(!m(json!({ "errorCode": [ { "exists": false } ] })));
        assert!(m(json!({ "sourceIPAddress": [ { "cidr": "10.0.0.0/24" } ] })));
        assert!(m(json!({ "$or": [ { "eventName": ["Encrypt"] }, { "errorCode": ["AccessDenied"] } ] })));
    }

    #[test]
    fn problems_are_located() {
        let p = problems(&json!({ "detail": { "eventName": "Decrypt", "x": [ { "wildcard": "*" } ] } }));
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, "/detail/eventName");
        assert_eq!(p[1].0, "/detail/x/0");
    }
}
