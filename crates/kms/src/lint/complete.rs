//! Completion and hover for a policy editor, from the catalogue: what can be typed at a position (actions in
//! `Action`, operators in `Condition`, condition keys in an operator's block, `kms:ViaService` values) and what a
//! word under the cursor is.
//!
//! The text being edited is often not valid JSON yet, so the position's context is read by a tolerant scan of the
//! text before it (strings, objects, arrays and the keys that lead to the position), not by the policy parser,
//! which reports errors for incomplete text. Offsets are byte offsets into the text, like `Span::offset`.

use kmsim_policy::operator_names;
use serde::Serialize;

use crate::catalogue::{self, KeyForm, Values};

/// What a completion inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum CompletionKind {
    Action,
    Operator,
    ConditionKey,
    Value,
    /// A principal of the world (an account root, user or role ARN).
    Principal,
    /// A key of the world (its ARN).
    Key,
}

/// The world's names a completion can offer besides the catalogue's: principals (for `Principal`/`NotPrincipal`
/// `AWS` values and `aws:PrincipalArn`) and keys (for `Resource`/`NotResource`), each with a line saying what it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// `(ARN, what it is)`.
    pub principals: Vec<(String, String)>,
    /// `(ARN, what it is)`.
    pub keys: Vec<(String, String)>,
}

/// One candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Completion {
    /// The text that replaces `from..to` (inside the quotes).
    pub label: String,
    pub kind: CompletionKind,
    /// One line: what it is.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub doc_url: Option<String>,
}

/// The candidates at a position: replace bytes `from..to` (the string typed so far, without its quote) with one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Completions {
    pub from: usize,
    pub to: usize,
    pub items: Vec<Completion>,
}

/// What the word at a position is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Hover {
    /// The string's bytes (without quotes).
    pub from: usize,
    pub to: usize,
    /// The name (`kms:ViaService`).
    pub title: String,
    /// A few lines of plain text.
    pub text: String,
    pub doc_url: String,
}

/// Where a string at the position is, in the document's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A value in the `Action`/`NotAction` element.
    Action,
    /// A key of the `Condition` object: an operator.
    Operator,
    /// A key of an operator's block: a condition key.
    ConditionKey,
    /// A value of the condition key named.
    ConditionValue(String),
    /// A value of `Principal`'s (or `NotPrincipal`'s) `AWS`.
    Principal,
    /// A value of `Resource`/`NotResource`.
    Resource,
    Other,
}

#[derive(Debug)]
enum Frame {
    /// An object: its key now being filled, and whether the next string is a key.
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array,
}

/// The keys that lead to the end of `prefix`, whether an unterminated string is open there (its start, after the
/// quote), and whether it is an object key.
fn scan(prefix: &str) -> (Vec<Frame>, Option<(usize, bool)>) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut chars = prefix.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => stack.push(Frame::Object { key: None, expect_key: true }),
            '[' => stack.push(Frame::Array),
            '}' | ']' => {
                stack.pop();
            }
            ',' => {
                if let Some(Frame::Object { expect_key, key }) = stack.last_mut() {
                    *expect_key = true;
                    *key = None;
                }
            }
            ':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            '"' => {
                let start = i + 1;
                let is_key = matches!(stack.last(), Some(Frame::Object { expect_key: true, .. }));
                let mut text = String::new();
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    match d {
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                text.push(e);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        _ => text.push(d),
                    }
                }
                if !closed {
                    return (stack, Some((start, is_key)));
                }
                if is_key {
                    if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                        *key = Some(text);
                    }
                }
            }
            _ => {}
        }
    }
    (stack, None)
}

/// The keys of the objects that enclose the position, outermost first.
fn keys(stack: &[Frame]) -> Vec<Option<&str>> {
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } => Some(key.as_deref()),
            Frame::Array => None,
        })
        .collect()
}

fn place(stack: &[Frame], is_key: bool) -> Place {
    let keys = keys(stack);
    let n = keys.len();
    let at = |back: usize| n.checked_sub(back).and_then(|i| keys.get(i).copied().flatten());
    if is_key {
        match (at(2), at(3)) {
            (Some("Condition"), _) => Place::Operator,
            (Some(_), Some("Condition")) => Place::ConditionKey,
            _ => Place::Other,
        }
    } else {
        match (at(1), at(2), at(3)) {
            (Some("Action" | "NotAction"), _, _) => Place::Action,
            (Some("AWS"), Some("Principal" | "NotPrincipal"), _) => Place::Principal,
            (Some("Resource" | "NotResource"), _, _) => Place::Resource,
            (Some(key), Some(_), Some("Condition")) => Place::ConditionValue(key.to_string()),
            _ => Place::Other,
        }
    }
}

/// The candidates for the string being typed at byte `offset` of `text`, filtered by what is typed (prefix,
/// ignoring ASCII case); `None` when the position is not in a string that completion knows.
pub fn complete(text: &str, offset: usize) -> Option<Completions> {
    complete_with(text, offset, &Names::default())
}

/// [`complete`], also offering the world's principals and keys where a policy names them.
pub fn complete_with(text: &str, offset: usize, names: &Names) -> Option<Completions> {
    let world = |list: &[(String, String)], kind: CompletionKind| -> Vec<Completion> {
        list.iter()
            .map(|(arn, detail)| Completion { label: arn.clone(), kind, detail: detail.clone(), doc_url: None })
            .collect()
    };
    let prefix = text.get(..offset.min(text.len()))?;
    let (stack, open) = scan(prefix);
    let (from, is_key) = open?;
    let typed = prefix.get(from..)?;
    let items: Vec<Completion> = match place(&stack, is_key) {
        Place::Action => std::iter::once(Completion {
            label: "kms:*".into(),
            kind: CompletionKind::Action,
            detail: "every KMS action".into(),
            doc_url: Some(catalogue::SAR.url.into()),
        })
        .chain(catalogue::ACTIONS.iter().map(|a| Completion {
            label: a.name.into(),
            kind: CompletionKind::Action,
            detail: a.summary.into(),
            doc_url: a.api_reference().or_else(|| Some(catalogue::SAR.url.into())),
        }))
        .collect(),
        Place::Operator => operator_names()
            .flat_map(|op| {
                let if_exists = (op != "Null").then(|| format!("{op}IfExists"));
                std::iter::once(op.to_string()).chain(if_exists)
            })
            .chain(["ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike"].map(String::from))
            .map(|op| Completion {
                detail: "condition operator".into(),
                label: op,
                kind: CompletionKind::Operator,
                doc_url: Some(
                    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
                        .into(),
                ),
            })
            .collect(),
        Place::ConditionKey => catalogue::KMS_KEYS
            .iter()
            .chain(catalogue::GLOBAL_KEYS.iter())
            .filter(|k| k.replaced_by.is_none())
            .map(|k| Completion {
                label: match k.form {
                    KeyForm::Exact => k.name.to_string(),
                    KeyForm::Variable | KeyForm::Indexed { .. } => k.stem().to_string(),
                },
                kind: CompletionKind::ConditionKey,
                detail: format!("{} ({}): {}", k.sar_type(), values_name(k.values), k.summary),
                doc_url: Some(k.doc.into()),
            })
            .collect(),
        Place::Principal => world(&names.principals, CompletionKind::Principal),
        Place::Resource => world(&names.keys, CompletionKind::Key),
        Place::ConditionValue(key) if key.eq_ignore_ascii_case("aws:PrincipalArn") => {
            world(&names.principals, CompletionKind::Principal)
        }
        Place::ConditionValue(key) if key.eq_ignore_ascii_case("kms:ViaService") => catalogue::VIA_SERVICES
            .iter()
            .flat_map(|s| {
                s.values("us-east-1").into_iter().map(move |v| Completion {
                    label: v,
                    kind: CompletionKind::Value,
                    detail: format!("{} (replace the Region)", s.service),
                    doc_url: Some(catalogue::DG_CONDITIONS.url.into()),
                })
            })
            .collect(),
        Place::ConditionValue(key) => match catalogue::condition_key(&key).map(|m| m.key.ty) {
            Some(catalogue::KeyType::Bool) => ["true", "false"]
                .iter()
                .map(|v| Completion {
                    label: (*v).into(),
                    kind: CompletionKind::Value,
                    detail: "boolean".into(),
                    doc_url: None,
                })
                .collect(),
            _ => Vec::new(),
        },
        Place::Other => Vec::new(),
    };
    let items: Vec<Completion> = items.into_iter().filter(|c| starts_with_fold(&c.label, typed)).collect();
    Some(Completions { from, to: prefix.len(), items })
}

fn values_name(v: Values) -> &'static str {
    match v {
        Values::Single => "single-valued",
        Values::Multi => "multi-valued",
    }
}

fn starts_with_fold(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// The string around byte `offset`: its content's byte range.
fn string_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if i > offset {
            return None;
        }
        if c != '"' {
            continue;
        }
        let start = i + 1;
        let mut end = text.len();
        while let Some((j, d)) = chars.next() {
            if d == '\\' {
                chars.next();
            } else if d == '"' {
                end = j;
                break;
            }
        }
        if (start..=end).contains(&offset) {
            return Some((start, end));
        }
    }
    None
}

/// What the string under byte `offset` names: an action, a condition key or a `kms:ViaService` value.
pub fn hover(text: &str, offset: usize) -> Option<Hover> {
    let (from, to) = string_at(text, offset)?;
    let word = text.get(from..to)?;
    if let Some(a) = catalogue::action(word).filter(|_| word.contains(':')) {
        let access: Vec<&str> = a.access.iter().map(|l| l.label()).collect();
        let mut body = format!("{}.\nAccess level: {}.", a.summary, access.join(", "));
        body.push_str(if a.on_key() {
            "\nAuthorized on a KMS key."
        } else {
            "\nNot authorized on a key: IAM policies only."
        });
        if !a.keys.is_empty() {
            body.push_str(&format!("\nCondition keys: {}.", a.keys.join(", ")));
        }
        let doc_url = a.api_reference().unwrap_or_else(|| catalogue::SAR.url.into());
        return Some(Hover { from, to, title: a.name.into(), text: body, doc_url });
    }
    if let Some(m) = catalogue::condition_key(word) {
        let k = m.key;
        let mut body = format!("{}.\nType: {} ({}).", k.summary, k.sar_type(), values_name(k.values));
        if k.iam_only {
            body.push_str("\nValid only in IAM policies.");
        }
        if let Some(newer) = k.replaced_by {
            body.push_str(&format!("\nDeprecated: use {newer}."));
        }
        return Some(Hover { from, to, title: k.name.into(), text: body, doc_url: k.doc.into() });
    }
    let services: Vec<&str> = catalogue::via_service(word).map(|s| s.service).collect();
    (!services.is_empty()).then(|| Hover {
        from,
        to,
        title: word.into(),
        text: format!("The kms:ViaService value of {}.", services.join(", ")),
        doc_url: catalogue::DG_CONDITIONS.url.into(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

    use super::*;

    fn at(text: &str, marker: &str) -> usize {
        text.find(marker).unwrap() + marker.len()
    }

    #[test]
    fn completes_the_worlds_principals_and_keys_where_a_policy_names_them() {
        let names = Names {
            principals: vec![
                ("arn:aws:iam::111122223333:role/Admin".into(), "role Admin".into()),
                ("arn:aws:iam::444455556666:root".into(), "account 444455556666".into()),
            ],
            keys: vec![("arn:aws:kms:us-east-1:111122223333:key/k1".into(), "key shared".into())],
        };
        let labels = |text: &str| -> Vec<String> {
            complete_with(text, text.len(), &names).unwrap().items.into_iter().map(|i| i.label).collect()
        };
        assert_eq!(
            labels(r#"{"Statement": {"Principal": {"AWS": ["arn:aws:iam::1"#),
            ["arn:aws:iam::111122223333:role/Admin"]
        );
        assert_eq!(labels(r#"{"Statement": {"NotPrincipal": {"AWS": ""#).len(), 2);
        assert_eq!(labels(r#"{"Statement": {"Resource": "arn"#), ["arn:aws:kms:us-east-1:111122223333:key/k1"]);
        assert_eq!(
            labels(r#"{"Statement": {"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::4"#),
            ["arn:aws:iam::444455556666:root"]
        );
        // Not offered elsewhere, nor without names.
        assert!(labels(r#"{"Statement": {"Sid": "arn"#).is_empty());
        let text = r#"{"Statement": {"Resource": ""#;
        assert!(complete(text, text.len()).unwrap().items.is_empty());
    }

    #[test]
    fn completes_actions_operators_keys_and_via_service_values() {
        let text = r#"{"Statement": [{"Action": ["kms:Enc"#;
        let c = complete(text, text.len()).unwrap();
        assert_eq!(c.from, text.len() - "kms:Enc".len());
        let labels: Vec<&str> = c.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["kms:Encrypt"]);

        let text = r#"{"Statement": {"Action": "kms:Decrypt", "Condition": {"StringEq"#;
        let labels: Vec<String> = complete(text, text.len()).unwrap().items.into_iter().map(|i| i.label).collect();
        assert_eq!(
            labels,
            ["StringEquals", "StringEqualsIfExists", "StringEqualsIgnoreCase", "StringEqualsIgnoreCaseIfExists"]
        );

        let text = r#"{"Statement": {"Condition": {"StringEquals": {"kms:Via"#;
        let c = complete(text, text.len()).unwrap();
        assert_eq!(c.items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(), ["kms:ViaService"]);
        assert!(c.items[0].detail.contains("String (single-valued)"));

        let text = r#"{"Statement": {"Condition": {"StringEquals": {"kms:ViaService": ["ec2"#;
        let c = complete(text, text.len()).unwrap();
        assert_eq!(c.items[0].label, "ec2.us-east-1.amazonaws.com");

        let text = r#"{"Statement": {"Condition": {"StringEquals": {"kms:EncryptionContext:"#;
        let c = complete(text, text.len()).unwrap();
        assert_eq!(c.items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(), ["kms:EncryptionContext:"]);

        // Not in a string, or in a string completion does not know.
        assert!(complete(r#"{"Statement": [{"Action": "#, 26).is_none());
        let text = r#"{"Statement": [{"Sid": "kms"#;
        assert!(complete(text, text.len()).unwrap().items.is_empty());
        // The later members of an object are not confused with earlier ones.
        let text = r#"{"Statement": [{"Action": "kms:Decrypt", "Resource": "kms"#;
        assert!(complete(text, text.len()).unwrap().items.is_empty());
    }

    #[test]
    fn hover_explains_actions_keys_and_values() {
        let text = r#"{"Action": "kms:Encrypt", "Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}"#;
        let h = hover(text, at(text, "kms:Enc")).unwrap();
        assert_eq!(h.title, "kms:Encrypt");
        assert_eq!(h.doc_url, "https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html");
        assert_eq!(&text[h.from..h.to], "kms:Encrypt");
        let h = hover(text, at(text, "kms:Via")).unwrap();
        assert_eq!(h.title, "kms:ViaService");
        assert!(h.text.contains("Type: String (single-valued)"), "{}", h.text);
        assert!(h.doc_url.contains("conditions-kms-via-service"), "{}", h.doc_url);
        let h = hover(text, at(text, "\"ec2.")).unwrap();
        assert_eq!(h.text, "The kms:ViaService value of Amazon Elastic Block Store (Amazon EBS).");
        assert!(hover(text, at(text, "\"Act")).is_none());
        assert!(hover(text, 0).is_none());
    }
}
