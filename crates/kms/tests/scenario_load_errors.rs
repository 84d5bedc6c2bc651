//! Scenarios that cannot run as written are rejected when they are loaded, with the place (line, column, JSON path),
//! never silently changed at run time (issue 9, section D): an unknown key spec or usage (it used to become
//! SYMMETRIC_DEFAULT / its default usage), a usage the spec does not allow, two keys with the same key_id (one was
//! silently lost), a grant operation that does not exist (`Decrpyt`), a negative `advance` (silently ignored).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, reason = "tests")]

use kmsim_kms::scenario::{Scenario, ScenarioError};

/// The single error of `text`, which must be rejected.
fn one_error(text: &str) -> ScenarioError {
    let errors = Scenario::parse(text).expect_err("rejected at load").errors;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

/// The 1-based line and column of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u32, column as u32)
}

fn world(keys: &str, grants: &str, steps: &str) -> String {
    format!(
        "{{\n  \"seed\": 1,\n  \"accounts\": {{ \"111122223333\": {{ \"roles\": {{ \"App\": {{}} }} }} }},\n  \"keys\": {keys},\n  \"grants\": {grants},\n  \"steps\": {steps}\n}}"
    )
}

#[test]
fn an_unknown_key_spec_is_located_with_a_suggestion() {
    let text = world(r#"{ "k": { "key_spec": "SYMETRIC_DEFAULT" } }"#, "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, "unknown key spec `SYMETRIC_DEFAULT`");
    assert_eq!(e.help.as_deref(), Some("did you mean `SYMMETRIC_DEFAULT`?"));
    assert_eq!(&*e.span.path, "/keys/k/key_spec");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"SYMETRIC"));
}

#[test]
fn an_unknown_key_usage_and_a_usage_the_spec_does_not_allow_are_located() {
    let text = world(r#"{ "k": { "key_usage": "ENCRYPT" } }"#, "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, "unknown key usage `ENCRYPT`");
    assert_eq!(&*e.span.path, "/keys/k/key_usage");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"ENCRYPT\""));

    let text = world(r#"{ "k": { "key_spec": "HMAC_256", "key_usage": "ENCRYPT_DECRYPT" } }"#, "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, "key usage `ENCRYPT_DECRYPT` is not valid for key spec `HMAC_256`");
    assert_eq!(e.help.as_deref(), Some("a HMAC_256 key is used for GENERATE_VERIFY_MAC"));
    // A valid pair loads.
    let ok = world(r#"{ "k": { "key_spec": "RSA_2048", "key_usage": "SIGN_VERIFY" } }"#, "[]", "[]");
    assert!(Scenario::parse(&ok).is_ok());
}

#[test]
fn two_keys_with_the_same_key_id_are_an_error_at_the_second() {
    let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let text = world(&format!(r#"{{ "a": {{ "key_id": "{id}" }}, "b": {{ "key_id": "{id}" }} }}"#), "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, format!("keys `a` and `b` have the same key_id `{id}`"));
    assert_eq!(&*e.span.path, "/keys/b/key_id");
    let second = text.rfind(&format!("\"{id}\"")).unwrap();
    assert_eq!(e.span.offset as usize, second, "points at the second key's id");
}

#[test]
fn an_unknown_grant_operation_is_located_with_a_suggestion() {
    let text = world(
        "{ \"k\": {} }",
        r#"[ { "key": "k", "grantee": "role/App", "operations": ["Encrypt", "Decrpyt"] } ]"#,
        "[]",
    );
    let e = one_error(&text);
    assert_eq!(e.message, "unknown grant operation `Decrpyt`");
    assert_eq!(e.help.as_deref(), Some("did you mean `Decrypt`?"));
    assert_eq!(&*e.span.path, "/grants/0/operations/1");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"Decrpyt\""));
}

#[test]
fn a_negative_advance_is_an_error_not_ignored() {
    let text = world("{}", "[]", r#"[ { "advance": { "days": -3 } } ]"#);
    let e = one_error(&text);
    assert!(e.message.contains("only moves forward"), "{}", e.message);
    assert_eq!(&*e.span.path, "/steps/0/advance");
    assert_eq!((e.span.line, e.span.column), position(&text, "{ \"days\""));
    assert!(Scenario::parse(&world("{}", "[]", r#"[ { "advance": { "days": 3 } } ]"#)).is_ok());
}

#[test]
fn a_file_built_in_code_gets_the_same_errors_by_json_path() {
    let text = world(r#"{ "k": { "key_spec": "HMAC_1024" } }"#, "[]", "[]");
    let file: kmsim_kms::scenario::ScenarioFile = serde_json::from_str(&text).unwrap();
    let errors = Scenario::from_file(file).expect_err("rejected").errors;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "unknown key spec `HMAC_1024`");
    assert_eq!(&*errors[0].span.path, "/keys/k/key_spec");
}
