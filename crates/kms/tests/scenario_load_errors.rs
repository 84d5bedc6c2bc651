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

/// A scenario with one key `k` (alias `alias/k`), a role `App` that may use every key, and these steps.
fn steps(steps: &str) -> String {
    let app = r#"{ "policies": { "all": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:*", "Resource": "*" } ] } } }"#;
    world(r#"{ "k": { "aliases": ["alias/k"] } }"#, "[]", steps).replacen(
        r#""App": {}"#,
        &format!(r#""App": {app}"#),
        1,
    )
}

#[test]
fn step_parameters_are_read_against_the_operations_request_at_load() {
    // A misspelt member, with the member meant.
    let text = steps(
        r#"[ { "call": "Encrypt", "as": "role/App", "params": { "KeyId": "alias/k", "Plaintxt": { "Text": "hi" } } } ]"#,
    );
    let e = one_error(&text);
    assert_eq!(e.message, "Encrypt has no parameter `Plaintxt`");
    assert_eq!(e.help.as_deref(), Some("did you mean `Plaintext`?"));
    assert_eq!(&*e.span.path, "/steps/0/params/Plaintxt");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"Plaintxt\""));
    // A value of the wrong type, in JSON's words.
    let text = steps(
        r#"[ { "call": "ScheduleKeyDeletion", "as": "role/App", "params": { "KeyId": "alias/k", "PendingWindowInDays": "7" } } ]"#,
    );
    let e = one_error(&text);
    assert_eq!(e.message, "invalid type: string \"7\", expected a whole number");
    assert_eq!(&*e.span.path, "/steps/0/params/PendingWindowInDays");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"7\""));
    // A missing required parameter.
    let e = one_error(&steps(
        r#"[ { "call": "Encrypt", "as": "role/App", "params": { "Plaintext": { "Text": "hi" } } } ]"#,
    ));
    assert_eq!(e.message, "Encrypt needs the parameter `KeyId`");
    assert_eq!(&*e.span.path, "/steps/0/params");
    // A nested object of the wrong shape.
    let text = steps(
        r#"[ { "call": "CreateGrant", "as": "role/App", "params": { "KeyId": "alias/k", "GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt"], "Constraints": "strict" } } ]"#,
    );
    let e = one_error(&text);
    assert_eq!(e.message, "invalid type: string \"strict\", expected an object");
    assert_eq!(&*e.span.path, "/steps/0/params/Constraints");
    // `params` that is not an object.
    let e = one_error(&steps(r#"[ { "call": "Encrypt", "as": "role/App", "params": ["alias/k"] } ]"#));
    assert_eq!(e.message, "`params` must be an object of Encrypt's parameters, found an array");
}

#[test]
fn a_blob_of_the_wrong_shape_says_both_forms_never_a_rust_name() {
    for blob in ["5", r#"{ "Txt": "hi" }"#, "[1, 2]"] {
        let text = steps(&format!(
            r#"[ {{ "call": "Encrypt", "as": "role/App", "params": {{ "KeyId": "alias/k", "Plaintext": {blob} }} }} ]"#
        ));
        let e = one_error(&text);
        assert!(!e.message.contains("untagged") && !e.message.contains("Repr"), "{}", e.message);
        assert!(e.span.path.starts_with("/steps/0/params/Plaintext"), "{}", e.span.path);
        if blob.contains("Txt") {
            assert_eq!(e.message, "unknown field `Txt`");
            assert_eq!(e.help.as_deref(), Some("did you mean `Text`?"));
        } else {
            assert!(e.message.ends_with("expected base64 text or {\"Text\": \"...\"}"), "{}", e.message);
        }
    }
    let e = one_error(&steps(
        r#"[ { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": "not base64!" } } ]"#,
    ));
    assert_eq!(e.message, "`not base64!` is not valid base64");
}

#[test]
fn placeholders_stand_for_a_value_of_the_right_type() {
    // `$key`, `$keyId` and `$ref` are strings when the step runs; a policy object becomes its text.
    let ok = steps(
        r#"[ { "name": "enc", "call": "Encrypt", "as": "role/App", "params": { "KeyId": { "$key": "k" }, "Plaintext": { "Text": "hi" } } },
       { "call": "Decrypt", "as": "role/App", "params": { "KeyId": { "$keyId": "k" }, "CiphertextBlob": { "$ref": "enc.CiphertextBlob" } } },
       { "call": "PutKeyPolicy", "as": "root", "params": { "KeyId": { "$key": "k" }, "Policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" } ] } } } ]"#,
    );
    let s = Scenario::parse(&ok).unwrap();
    assert!(s.run(1, false).passed);
    // A `$key` that names no key, and a misspelt placeholder.
    let text = steps(r#"[ { "call": "DescribeKey", "as": "role/App", "params": { "KeyId": { "$key": "kk" } } } ]"#);
    let e = one_error(&text);
    assert_eq!(e.message, "`$key` names key `kk`, which is not in `keys`");
    assert_eq!(e.help.as_deref(), Some("did you mean `k`?"));
    assert_eq!(&*e.span.path, "/steps/0/params/KeyId/$key");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"kk\""));
    let e = one_error(&steps(
        r#"[ { "call": "DescribeKey", "as": "role/App", "params": { "KeyId": { "$keyid": "k" } } } ]"#,
    ));
    assert_eq!(e.message, "unknown placeholder `$keyid`");
    assert_eq!(e.help.as_deref(), Some("did you mean `$keyId`?"));
}

#[test]
fn a_ref_must_name_an_earlier_step_with_a_response() {
    let enc = r#"{ "name": "enc", "call": "Encrypt", "as": "role/App", "params": { "KeyId": "alias/k", "Plaintext": { "Text": "hi" } } }"#;
    let dec = |r: &str| {
        format!(r#"{{ "call": "Decrypt", "as": "role/App", "params": {{ "CiphertextBlob": {{ "$ref": "{r}" }} }} }}"#)
    };
    // Unknown, with the name meant.
    let text = steps(&format!("[ {enc}, {} ]", dec("enx.CiphertextBlob")));
    let e = one_error(&text);
    assert_eq!(e.message, "`$ref` names step `enx`, which is not a step of this scenario");
    assert_eq!(e.help.as_deref(), Some("did you mean `enc`?"));
    assert_eq!(&*e.span.path, "/steps/1/params/CiphertextBlob/$ref");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"enx."));
    // Later.
    let e = one_error(&steps(&format!("[ {}, {enc} ]", dec("enc.CiphertextBlob"))));
    assert_eq!(e.message, "`$ref` names step `enc`, which runs later (step 1)");
    // An authorize step has only `Decision`; an advance step's response is its list of events.
    let auth =
        r#"{ "name": "may", "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": { "$key": "k" } } }"#;
    let e = one_error(&steps(&format!("[ {auth}, {} ]", dec("may.CiphertextBlob"))));
    assert_eq!(
        e.message,
        "`$ref` `may.CiphertextBlob`: step `may` is an `authorize` step, whose only field is `Decision`"
    );
    let adv = r#"{ "name": "later", "advance": { "days": 1 } }"#;
    let e = one_error(&steps(&format!("[ {adv}, {} ]", dec("later.KeyId"))));
    assert!(e.message.contains("is an `advance` step, whose response is its list of service events"), "{}", e.message);
    assert!(Scenario::parse(&steps(&format!("[ {adv}, {} ]", dec("later.0.eventName")))).is_ok());
    // A call's response fields are known when it runs (see the next test); a step that fails has none.
}

#[test]
fn a_field_a_call_response_lacks_is_a_run_time_error_with_its_place() {
    let text = steps(
        r#"[ { "name": "enc", "call": "Encrypt", "as": "role/App", "params": { "KeyId": "alias/k", "Plaintext": { "Text": "hi" } } },
       { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "enc.Ciphertext" } } } ]"#,
    );
    let run = Scenario::parse(&text).unwrap().run(1, false);
    assert!(!run.passed);
    let error = run.steps[1].error.clone().unwrap();
    assert_eq!(
        error,
        "/steps/1/params/CiphertextBlob: `$ref` `enc.Ciphertext`: the response of step `enc` has no `Ciphertext`"
    );
}

#[test]
fn duplicate_step_names_and_aliases_are_errors() {
    let a = r#"{ "name": "x", "advance": { "days": 1 } }"#;
    let text = steps(&format!("[ {a}, {a} ]"));
    let e = one_error(&text);
    assert_eq!(e.message, "two steps are named `x` (steps 0 and 1)");
    assert_eq!(&*e.span.path, "/steps/1/name");
    assert_eq!(e.span.offset as usize, text.rfind("\"x\"").unwrap());

    let text = world(r#"{ "a": { "aliases": ["alias/app"] }, "b": { "aliases": ["alias/app"] } }"#, "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, "alias `alias/app` is given to keys `a` and `b`");
    assert_eq!(&*e.span.path, "/keys/b/aliases/0");
    assert_eq!(e.span.offset as usize, text.rfind("\"alias/app\"").unwrap());
    let e = one_error(&world(r#"{ "a": { "aliases": ["alias/app", "alias/app"] } }"#, "[]", "[]"));
    assert_eq!(e.message, "key `a` lists alias `alias/app` twice");
    let e = one_error(&world(r#"{ "a": { "aliases": ["app"] } }"#, "[]", "[]"));
    assert_eq!(e.message, "`app` is not an alias name");
    // One name in two accounts is two aliases.
    let two = r#"{ "seed": 1, "accounts": { "111122223333": {}, "444455556666": {} },
      "keys": { "a": { "aliases": ["alias/app"] }, "b": { "account": "444455556666", "aliases": ["alias/app"] } } }"#;
    assert!(Scenario::parse(two).is_ok());
}

#[test]
fn a_grantee_that_is_not_a_principal_is_an_error() {
    for (grantee, ok) in [
        ("role/App", true),
        ("444455556666:role/App", true),
        ("arn:aws:sts::111122223333:assumed-role/App/s", true),
        ("s3.amazonaws.com", true),
        ("App", false),
        ("arn:aws:iam::1111:role/App", false),
        ("arn:aws:iam::111122223333:group/Devs", false),
    ] {
        let grants = format!(r#"[ {{ "key": "k", "grantee": "{grantee}", "operations": ["Decrypt"] }} ]"#);
        let text = world("{ \"k\": {} }", &grants, "[]");
        if ok {
            assert!(Scenario::parse(&text).is_ok(), "{grantee}");
            continue;
        }
        let e = one_error(&text);
        assert_eq!(e.message, format!("grantee `{grantee}` is not a principal"));
        assert_eq!(&*e.span.path, "/grants/0/grantee");
        assert_eq!(e.span.offset as usize, text.rfind(&format!("\"{grantee}\"")).unwrap());
    }
    let grants =
        r#"[ { "key": "k", "grantee": "role/App", "retiring_principal": "nobody", "operations": ["Decrypt"] } ]"#;
    let e = one_error(&world("{ \"k\": {} }", grants, "[]"));
    assert_eq!(e.message, "retiring principal `nobody` is not a principal");
}

#[test]
fn credentials_and_source_ip_that_would_be_dropped_are_errors() {
    let step = |field: &str| {
        steps(&format!(
            r#"[ {{ "call": "DescribeKey", "as": "role/App", {field}, "params": {{ "KeyId": "alias/k" }} }} ]"#
        ))
    };
    let text = step(r#""credentials": "forever""#);
    let e = one_error(&text);
    assert_eq!(e.message, "unknown credentials `forever`");
    assert_eq!(&*e.span.path, "/steps/0/credentials");
    assert_eq!((e.span.line, e.span.column), position(&text, "\"forever\""));
    assert!(Scenario::parse(&step(r#""credentials": "temporary""#)).is_ok());

    let e = one_error(&step(r#""source_ip": "203.0.113.999""#));
    assert_eq!(e.message, "`203.0.113.999` is not an IP address");
    assert_eq!(&*e.span.path, "/steps/0/source_ip");
    let e = one_error(&step(r#""source_ip": "10.0.0.0/8""#));
    assert_eq!(e.message, "`10.0.0.0/8` is a CIDR range, not an address");
    assert!(Scenario::parse(&step(r#""source_ip": "2001:db8::1""#)).is_ok());
}

#[test]
fn a_context_value_of_no_accepted_form_is_located_at_its_key() {
    let text = steps(
        r#"[ { "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": "*" }, "context": { "aws:SourceIp": { "type": "ipp", "value": "1.2.3.4" } } } ]"#,
    );
    let e = one_error(&text);
    assert_eq!(e.message, "condition key `aws:SourceIp`: the value has none of the accepted forms");
    assert!(!e.message.contains("untagged"));
    assert_eq!(&*e.span.path, "/steps/0/context/aws:SourceIp");
    assert_eq!((e.span.line, e.span.column), position(&text, "{ \"type\": \"ipp\""));
    let ok = r#"[ { "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": "*" }, "context": { "aws:SourceIp": { "type": "ip", "value": "1.2.3.4" }, "k:list": ["a", 1] } } ]"#;
    assert!(Scenario::parse(&steps(ok)).is_ok());
}

#[test]
fn a_struct_written_as_an_array_is_refused_where_it_is() {
    // serde_json would read `["SYMMETRIC_DEFAULT"]` as the key's fields in declaration order; the scenario's schema
    // says a key is an object, and the located reader says so at the array.
    let text = world(r#"{ "k": ["SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"] }"#, "[]", "[]");
    let e = one_error(&text);
    assert_eq!(e.message, "invalid type: an array, expected an object");
    assert_eq!(&*e.span.path, "/keys/k");
    assert_eq!((e.span.line, e.span.column), position(&text, "[\"SYMMETRIC"));
    // The same key as an object loads.
    let ok = world(r#"{ "k": { "key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT" } }"#, "[]", "[]");
    assert!(Scenario::parse(&ok).is_ok());
}
