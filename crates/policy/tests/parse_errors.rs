//! One test per parse error kind: the kind, the message, and the location (line, column, JSON Pointer path).

#![expect(clippy::expect_used, clippy::indexing_slicing, reason = "test helpers outside #[test] functions")]

use kmsim_policy::{ErrorKind, Policy, PolicyError, PolicyType};

fn errors(src: &str, ty: PolicyType) -> Vec<PolicyError> {
    Policy::parse(src, ty).expect_err("the policy should be rejected").errors
}

/// The single error of the given kind.
fn one(src: &str, ty: PolicyType, kind: ErrorKind) -> PolicyError {
    let all = errors(src, ty);
    let found: Vec<_> = all.iter().filter(|e| e.kind == kind).cloned().collect();
    assert_eq!(found.len(), 1, "expected one {kind:?} in {all:#?}");
    found[0].clone()
}

fn at(e: &PolicyError, line: u32, column: u32, path: &str) {
    assert_eq!((e.span.line, e.span.column, &*e.span.path), (line, column, path), "{e:#?}");
}

const ID: PolicyType = PolicyType::Identity;
const RES: PolicyType = PolicyType::Resource;

fn stmt(body: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\",\n\"Statement\": [\n{body}\n]}}")
}

#[test]
fn invalid_json() {
    let e = one("{\"Version\": \"2012-10-17\",\n  \"Statement\": [}", ID, ErrorKind::InvalidJson);
    assert_eq!(e.message, "invalid JSON: expected a value, found `}`");
    at(&e, 2, 17, "");
    let e = one("{\"Statement\": [{\"Effect\": \"Allow\",}]}", ID, ErrorKind::InvalidJson);
    assert_eq!(e.message, "invalid JSON: trailing comma before `}`");
    assert_eq!(e.help.as_deref(), Some("remove the last `,`"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Within the identity policy's size limit (an oversized document gets only the size error).
    let src = format!("{}{}", "[".repeat(3000), "]".repeat(3000));
    let e = one(&src, ID, ErrorKind::InvalidJson);
    assert_eq!(e.message, "invalid JSON: nesting deeper than 64 levels");
}

#[test]
fn duplicate_key() {
    let src = stmt(r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Effect": "Deny"}"#);
    let e = one(&src, ID, ErrorKind::DuplicateKey);
    assert_eq!(e.message, "duplicate key `Effect`");
    at(&e, 3, 63, "/Statement/0/Effect");
    assert_eq!(e.help.as_deref(), Some("the first `Effect` is at line 3, column 2; a policy may not repeat a key"));
}

#[test]
fn unknown_elements_suggest_the_closest() {
    let e = one("{\"Version\": \"2012-10-17\", \"Statment\": []}", ID, ErrorKind::UnknownElement);
    assert_eq!(e.message, "unknown policy element `Statment`");
    assert_eq!(e.help.as_deref(), Some("did you mean `Statement`"));
    at(&e, 1, 27, "/Statment");
    let src = stmt(r#"{"Effect": "Allow", "Actions": "kms:Decrypt", "Resource": "*"}"#);
    let e = one(&src, ID, ErrorKind::UnknownElement);
    assert_eq!(e.message, "unknown statement element `Actions`");
    assert_eq!(e.help.as_deref(), Some("did you mean `Action`"));
    at(&e, 3, 21, "/Statement/0/Actions");
    let src = stmt(r#"{"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "kms:Decrypt", "Resource": "*"}"#);
    let e = one(&src, RES, ErrorKind::UnknownElement);
    assert_eq!(e.message, "unknown principal type `Aws`");
    assert_eq!(e.help.as_deref(), Some("did you mean `AWS`"));
    at(&e, 3, 35, "/Statement/0/Principal/Aws");
}

#[test]
fn conflicting_elements() {
    for (a, b) in [("Action", "NotAction"), ("Resource", "NotResource")] {
        let body = format!(r#"{{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "{b}": "*"}}"#);
        let body = if a == "Action" { body.replace("\"*\"}", "\"kms:*\"}") } else { body };
        let e = one(&stmt(&body), ID, ErrorKind::ConflictingElements);
        assert_eq!(e.message, format!("a statement cannot have both `{a}` and `{b}`"));
        let col = body.find(&format!("\"{b}\"")).unwrap() as u32 + 1;
        at(&e, 3, col, &format!("/Statement/0/{b}"));
    }
    let body = r#"{"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}"#;
    let e = one(&stmt(body), RES, ErrorKind::ConflictingElements);
    assert_eq!(e.message, "a statement cannot have both `Principal` and `NotPrincipal`");
    at(&e, 3, 38, "/Statement/0/NotPrincipal");
}

#[test]
fn missing_elements() {
    let e = one(&stmt(r#"{"Action": "kms:Decrypt", "Resource": "*"}"#), ID, ErrorKind::MissingElement);
    assert_eq!(e.message, "the statement has no `Effect`");
    at(&e, 3, 1, "/Statement/0");
    let e = one(&stmt(r#"{"Effect": "Allow", "Resource": "*"}"#), ID, ErrorKind::MissingElement);
    assert_eq!(e.message, "the statement has no `Action` or `NotAction`");
    // `Resource` is required in every IAM policy type and in SCPs; a key policy accepts a statement without it
    // (the statement has no effect; see `statement_without_resource_in_a_key_policy` in evaluate.rs).
    for ty in [ID, PolicyType::PermissionsBoundary, PolicyType::Session, PolicyType::Scp] {
        let e = one(&stmt(r#"{"Effect": "Allow", "Action": "kms:*"}"#), ty, ErrorKind::MissingElement);
        assert_eq!(e.message, "the statement has no `Resource` or `NotResource`", "{ty:?}");
    }
    let key_policy = stmt(r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}"#);
    let parsed = Policy::parse(&key_policy, RES).expect("a key policy statement without Resource is accepted");
    assert!(parsed.statements()[0].lacks_resource());
    assert_eq!(parsed.statements()[0].resources().count(), 0);
    let e = one(&stmt(r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#), RES, ErrorKind::MissingElement);
    assert_eq!(e.message, "the statement has no `Principal` or `NotPrincipal`");
    let e = one("{\"Version\": \"2012-10-17\"}", ID, ErrorKind::MissingElement);
    assert_eq!(e.message, "the policy has no `Statement`");
    at(&e, 1, 1, "");
}

#[test]
fn invalid_types() {
    let e = one(&stmt(r#"{"Effect": "Allow", "Action": 42, "Resource": "*"}"#), ID, ErrorKind::InvalidType);
    assert_eq!(e.message, "`Action` must be a string or an array of strings, found a number");
    at(&e, 3, 31, "/Statement/0/Action");
    let e = one(
        &stmt(r#"{"Effect": "Allow", "Action": ["kms:Decrypt", true], "Resource": "*"}"#),
        ID,
        ErrorKind::InvalidType,
    );
    assert_eq!(e.message, "each `Action` value must be a string, found a boolean");
    at(&e, 3, 47, "/Statement/0/Action/1");
    let body =
        r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"k:x": null}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidType);
    assert_eq!(e.message, "a condition value must be a string, number or boolean, found null");
    at(&e, 3, body.find("null").unwrap() as u32 + 1, "/Statement/0/Condition/StringEquals/k:x");
    let e = one("[1]", ID, ErrorKind::InvalidType);
    assert_eq!(e.message, "a policy must be a JSON object, found an array");
}

#[test]
fn invalid_values() {
    let e = one(&stmt(r#"{"Effect": "Permit", "Action": "kms:*", "Resource": "*"}"#), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "invalid effect `Permit`");
    at(&e, 3, 12, "/Statement/0/Effect");
    let e = one(&stmt(r#"{"Effect": "allow", "Action": "kms:*", "Resource": "*"}"#), ID, ErrorKind::InvalidValue);
    assert_eq!(e.help.as_deref(), Some("did you mean `Allow`"));
    let e = one("{\"Version\": \"2012-10-18\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}", ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "unsupported policy version `2012-10-18`");
    at(&e, 1, 13, "/Version");
    let e = one(&stmt(r#"{"Effect": "Allow", "Action": "Decrypt", "Resource": "*"}"#), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "action `Decrypt` must be `*` or `service:action`");
    at(&e, 3, 31, "/Statement/0/Action");
    let e = one(&stmt(r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "`Action` is an empty array");
    let e = one(&stmt(r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "key/1"}"#), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "resource `key/1` must be an ARN or `*`");
    let e = one(
        &stmt(r#"{"Sid": "has space", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#),
        ID,
        ErrorKind::InvalidValue,
    );
    assert_eq!(e.message, "statement id `has space` may only contain letters and digits in this policy type");
    at(&e, 3, 9, "/Statement/0/Sid");
    // ...but spaces are fine in a key policy
    let ok = stmt(r#"{"Sid": "has space", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#);
    assert!(Policy::parse(&ok, RES).is_ok());
    let e = one(
        &stmt(
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/*"}, "Action": "kms:*", "Resource": "*"}"#,
        ),
        RES,
        ErrorKind::InvalidValue,
    );
    assert_eq!(e.message, "wildcards are not allowed in principal `arn:aws:iam::111122223333:role/*`");
}

#[test]
fn typed_condition_values() {
    for (op, good, value, message, help) in [
        (
            "NumericLessThan",
            "1",
            "\"abc\"",
            "`abc` is not a number",
            "`NumericLessThan` compares numbers, e.g. `10` or `2.5`",
        ),
        (
            "DateGreaterThan",
            "1",
            "\"tomorrow\"",
            "`tomorrow` is not an ISO 8601 date or epoch time",
            "`DateGreaterThan` compares dates, e.g. `2026-11-28T12:00:00Z` or epoch seconds",
        ),
        (
            "IpAddress",
            "\"10.0.0.1\"",
            "\"10.0.0.0/33\"",
            "`10.0.0.0/33` is not an IP address or CIDR",
            "`IpAddress` takes an IP address or CIDR, e.g. `203.0.113.0/24`",
        ),
        ("Bool", "true", "\"yes\"", "`yes` is not `true` or `false`", "`Bool` takes `true` or `false`"),
        (
            "BinaryEquals",
            "\"QQ==\"",
            "\"not base64!\"",
            "`not base64!` is not base64",
            "`BinaryEquals` takes base64, e.g. `QmluYXJ5VmFsdWU=`",
        ),
    ] {
        let body = format!(
            r#"{{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {{"{op}": {{"k:x": [{good}, {value}]}}}}}}"#
        );
        let e = one(&stmt(&body), ID, ErrorKind::InvalidValue);
        assert_eq!(e.message, message);
        assert_eq!(e.help.as_deref(), Some(help));
        assert_eq!(*e.span.path, format!("/Statement/0/Condition/{op}/k:x/1"));
        assert_eq!(e.span.line, 3);
        let col = body.find(value).unwrap() as u32 + 1;
        assert_eq!(e.span.column, col);
    }
}

#[test]
fn unknown_operator_and_set_operator_rules() {
    let body = r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEqual": {"k:x": "1"}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::UnknownOperator);
    assert_eq!(e.message, "unknown condition operator `StringEqual`");
    assert_eq!(e.help.as_deref(), Some("did you mean `StringEquals`"));
    at(&e, 3, 71, "/Statement/0/Condition/StringEqual");
    let body = r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"ForAnyValue:StringLikIfExists": {"k:x": "1"}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::UnknownOperator);
    assert_eq!(e.help.as_deref(), Some("did you mean `ForAnyValue:StringLikeIfExists`"));
    let body = r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"ForAllValues:Null": {"k:x": "true"}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "`ForAllValues:Null`: set operators cannot be used with `Null`");
    let body =
        r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"NullIfExists": {"k:x": "true"}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidValue);
    assert_eq!(e.message, "`NullIfExists`: `Null` has no `IfExists` form");
    at(&e, 3, 71, "/Statement/0/Condition/NullIfExists");
}

#[test]
fn principal_not_allowed_in_identity_policies() {
    let body = r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#;
    let e = one(&stmt(body), ID, ErrorKind::NotAllowedInPolicyType);
    assert_eq!(e.message, "`Principal` is not allowed in identity-based policies");
    at(&e, 3, 21, "/Statement/0/Principal");
    let e = one(&stmt(body), PolicyType::Scp, ErrorKind::NotAllowedInPolicyType);
    assert_eq!(e.message, "`Principal` is not allowed in service control policies");
}

#[test]
fn too_large() {
    let filler = "x".repeat(33_000);
    let src = format!("{{\"Id\": \"{filler}\", \"Statement\": {{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}}}");
    let e = one(&src, RES, ErrorKind::PolicyTooLarge);
    assert!(e.message.contains("more than the 32768 allowed"), "{}", e.message);
    at(&e, 1, 1, "");
    // whitespace does not count for managed identity policies
    let spaced = format!(
        "{{{}\"Statement\": {{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}}}",
        " ".repeat(7000)
    );
    assert!(Policy::parse(&spaced, ID).is_ok());
}

#[test]
fn an_oversized_policy_gets_only_its_size_error() {
    // 12 MB on one line, with an unknown element, a bad character and broken JSON further on: none of it is read.
    let filler = "\u{e9}".repeat(6_000_000);
    let src = format!("{{\"Statment\": \"{filler}\u{2019}\", \"Statement\": [}}");
    for ty in [RES, ID, PolicyType::Scp, PolicyType::Session, PolicyType::PermissionsBoundary] {
        let all = errors(&src, ty);
        assert_eq!(all.len(), 1, "{:?}", all.iter().map(|e| &e.message).collect::<Vec<_>>());
        assert_eq!(all[0].kind, ErrorKind::PolicyTooLarge);
        at(&all[0], 1, 1, "");
        assert_eq!((all[0].span.end_line, all[0].span.end_column, all[0].span.offset, all[0].span.len), (1, 1, 0, 0));
    }
    let e = &errors(&src, RES)[0];
    let want = format!("the policy is {} bytes, more than the 32768 allowed for this policy type", src.len());
    assert_eq!(e.message, want);
}

#[test]
fn positions_on_a_long_line_count_characters() {
    // A key policy just under the limit on one line, with two-byte characters before each error.
    let pad = "\u{e9}".repeat(15_000);
    let src = format!(
        "{{\"Version\": \"2012-10-17\", \"Id\": \"{pad}\", \"Statement\": [{{\"Effect\": \"Permit\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}]}}"
    );
    assert!(src.len() < 32_768);
    let e = one(&src, RES, ErrorKind::InvalidValue);
    let column = src[..src.find("\"Permit\"").unwrap()].chars().count() as u32 + 1;
    at(&e, 1, column, "/Statement/0/Effect");
}

#[test]
fn invalid_character() {
    let src = "{\"Statement\": {\"Sid\": \"caf\u{e9}\u{2019}\", \"Effect\": \"Allow\",\n \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}";
    let e = one(src, RES, ErrorKind::InvalidCharacter);
    assert_eq!(e.message, "character `\\u{2019}` (U+2019) is not allowed in a policy");
    at(&e, 1, 28, "");
}

#[test]
fn variables() {
    let body = r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username"}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidVariable);
    assert_eq!(e.message, "policy variable `${aws:username` is not closed");
    at(&e, 3, body.find("\"arn:aws:s3").unwrap() as u32 + 1, "/Statement/0/Resource");
    // Without Version 2012-10-17 it is literal text.
    let old = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/${aws:username\"}}";
    assert!(Policy::parse(old, ID).is_ok());
    let body =
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Null": {"k:x": "${aws:username}"}}}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidVariable);
    assert_eq!(e.message, "policy variables are not allowed in `Null` values: `${aws:username}`");
    let body = r#"{"Effect": "Allow", "Action": "s3:${aws:username}", "Resource": "*"}"#;
    let e = one(&stmt(body), ID, ErrorKind::InvalidVariable);
    assert_eq!(e.message, "policy variables are not allowed in `Action`: `s3:${aws:username}`");
}

#[test]
fn every_problem_is_reported_at_once() {
    let body = r#"{"Effect": "Permit", "Action": "Decrypt", "Resource": "*", "Condition": {"Foo": {"k": "1"}}},
{"Effect": "Allow", "Acton": "kms:*", "Resource": "*"}"#;
    let all = errors(&stmt(body), ID);
    let kinds: Vec<_> = all.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&ErrorKind::InvalidValue));
    assert!(kinds.contains(&ErrorKind::UnknownOperator));
    assert!(kinds.contains(&ErrorKind::UnknownElement));
    assert!(kinds.contains(&ErrorKind::MissingElement));
    assert!(all.len() >= 5, "{all:#?}");
    // sorted by position
    assert!(all.windows(2).all(|w| w[0].span.offset <= w[1].span.offset));
}

#[test]
fn accepts_every_aws_form() {
    let src = r#"{
      "Version": "2008-10-17", "Id": "key-policy",
      "Statement": {
        "Sid": "Any form", "Effect": "Allow",
        "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/path/R"], "Service": "s3.amazonaws.com",
                      "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df900b949e55d96a1e698fbaced"},
        "NotAction": "kms:ScheduleKeyDeletion", "NotResource": ["arn:aws:kms:*:*:alias/*"],
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:SecureTransport": true},
                      "DateGreaterThan": {"aws:CurrentTime": 1700000000}, "ForAnyValue:StringEqualsIfExists": {"a:b": ["x", "y"]}}
      }
    }"#;
    let p = Policy::parse(src, RES).unwrap();
    assert_eq!(p.version(), Some("2008-10-17"));
    assert_eq!(p.id(), Some("key-policy"));
    assert_eq!(p.statements().len(), 1);
    assert_eq!(p.statements()[0].sid(), Some("Any form"));
    assert_eq!(p.statements()[0].principals().count(), 5);
}

/// IAM User Guide, *NotPrincipal*: "`NotPrincipal` must be used with `"Effect":"Deny"`. Using it with
/// `"Effect":"Allow"` is not supported." The policy is rejected at load, at the element.
#[test]
fn not_principal_with_allow_is_rejected_where_it_is_written() {
    let body = r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Bob"}, "Action": "kms:*", "Resource": "*"}"#;
    let e = one(&stmt(body), RES, ErrorKind::NotAllowedInPolicyType);
    assert_eq!(e.message, "`NotPrincipal` with `\"Effect\": \"Allow\"` is not supported");
    assert_eq!((e.span.line, &*e.span.path), (3, "/Statement/0/NotPrincipal"));
    assert!(e.help.as_deref().is_some_and(|h| h.contains("aws:PrincipalArn")), "{e:?}");
    // With Deny it is accepted.
    let deny = body.replace("\"Allow\"", "\"Deny\"");
    assert!(Policy::parse(&stmt(&deny), RES).is_ok());
    // An invalid effect is reported once, as the effect.
    let bad = body.replace("\"Allow\"", "\"Alow\"");
    assert!(errors(&stmt(&bad), RES).iter().all(|e| e.kind != ErrorKind::NotAllowedInPolicyType));
}

/// Resource control policies name principals (`Principal`), never with `NotPrincipal` (AWS Organizations User Guide,
/// *RCP syntax*; IAM User Guide, *NotPrincipal*: "isn't supported in ... Resource Control Policies (RCP)").
#[test]
fn rcp_takes_principal_but_not_not_principal() {
    let ok = r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-123"}}}"#;
    assert!(Policy::parse(&stmt(ok), PolicyType::Rcp).is_ok());
    let without = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;
    assert!(Policy::parse(&stmt(without), PolicyType::Rcp).is_ok());
    let not = r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#;
    let e = one(&stmt(not), PolicyType::Rcp, ErrorKind::NotAllowedInPolicyType);
    assert_eq!(e.message, "`NotPrincipal` is not allowed in resource control policies");
    assert_eq!(&*e.span.path, "/Statement/0/NotPrincipal");
}
