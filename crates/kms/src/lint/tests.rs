#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

use super::*;

const KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
     "Action": ["kms:Encrpyt", "s3:GetObject"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaServce": "ec2.us-east-1.amazonaws.com"}}}
  ]
}"#;

#[test]
fn findings_have_messages_help_locations_and_fixes() {
    let found = lint(KEY_POLICY, PolicyType::Resource);
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["KMS101-unknown-action", "KMS102-other-service-action", "KMS201-unknown-condition-key"]);
    let action = &found[0];
    assert_eq!(action.severity, Severity::Error);
    assert_eq!(action.message, "`kms:Encrpyt` is not a KMS action");
    assert_eq!(action.help.as_deref(), Some("did you mean `kms:Encrypt`?"));
    assert_eq!((action.location.line, action.location.column), (7, 17));
    assert_eq!(&*action.location.path, "/Statement/1/Action/0");
    let fix = action.fix.as_ref().unwrap();
    assert_eq!(fix.replacement, "\"kms:Encrypt\"");
    let start = fix.span.offset as usize;
    assert_eq!(&KEY_POLICY[start..start + fix.span.len as usize], "\"kms:Encrpyt\"");
    assert_eq!(found[2].fix.as_ref().unwrap().replacement, "\"kms:ViaService\"");
    assert_eq!(found[2].doc_url, "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html");
}

#[test]
fn a_policy_aws_rejects_gives_its_located_errors() {
    let found = lint("{\"Version\": \"2012-10-17\", \"Statement\": [}", PolicyType::Identity);
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f.code == "KMS001-invalid-policy" && f.severity == Severity::Error));
    assert_eq!(found[0].location.line, 1);
}

#[test]
fn severities_order_for_thresholds_and_serialise_as_written() {
    assert!(Severity::Error > Severity::SecurityWarning);
    assert!(Severity::SecurityWarning > Severity::Warning);
    assert!(Severity::Warning > Severity::Suggestion);
    for s in [Severity::Error, Severity::SecurityWarning, Severity::Warning, Severity::Suggestion] {
        assert_eq!(serde_json::to_value(s).unwrap(), serde_json::Value::String(s.as_str().into()));
    }
}

#[test]
fn every_code_the_checks_use_has_a_rule_and_codes_are_unique() {
    let source = include_str!("checks.rs");
    let mut used = 0;
    for piece in source.split('"').filter(|p| p.starts_with("KMS") && p.contains('-')) {
        assert!(rule(piece).is_some_and(|r| r.code == piece), "no rule for `{piece}`");
        used += 1;
    }
    assert!(used >= 20, "only {used} codes found in checks.rs");
    for (i, r) in RULES.iter().enumerate() {
        assert!(RULES[..i].iter().all(|o| o.code != r.code), "`{}` twice", r.code);
        assert!(r.doc_url.starts_with("https://docs.aws.amazon.com/"), "{}", r.code);
    }
    assert_eq!(rule("kms101").map(|r| r.code), Some("KMS101-unknown-action"));
}

#[test]
fn an_operator_fix_is_offered_only_when_its_block_holds_one_key() {
    let policy = |block: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "NoMfa", "Effect": "Deny", "Principal": "*",
            "Action": "kms:ScheduleKeyDeletion", "Resource": "*", "Condition": {{{block}}}}}]}}"#
        )
    };
    let mfa = |found: Vec<Finding>| found.into_iter().find(|f| f.code == "KMS305-mfa-bool").unwrap();
    let alone = mfa(lint(&policy(r#""Bool": {"aws:MultiFactorAuthPresent": "false"}"#), PolicyType::Resource));
    assert_eq!(alone.fix.unwrap().replacement, "\"BoolIfExists\"");
    // Rewriting the operator would change the other key's condition too.
    let shared = policy(r#""Bool": {"aws:MultiFactorAuthPresent": "false", "aws:SecureTransport": "true"}"#);
    assert!(mfa(lint(&shared, PolicyType::Resource)).fix.is_none());
    // Another block with the same base operator does not share it.
    let other =
        policy(r#""Bool": {"aws:MultiFactorAuthPresent": "false"}, "BoolIfExists": {"aws:SecureTransport": "true"}"#);
    assert!(mfa(lint(&other, PolicyType::Resource)).fix.is_some());
}
