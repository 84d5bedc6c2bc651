//! Services as steps (issue 14): load-time checks of a service step (located, in the user's words), the AWS managed
//! key policies per service, no plaintext data key in a service step's result, and the KMS calls a service makes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

use kmsim_kms::scenario::Scenario;

fn errors(text: &str) -> Vec<(u32, u32, String, String, Option<String>)> {
    let errs = Scenario::parse(text).unwrap_err().errors;
    errs.into_iter().map(|e| (e.span.line, e.span.column, e.span.path.to_string(), e.message, e.help)).collect()
}

fn scenario(steps: &str) -> String {
    format!(
        "{{\n\"accounts\": {{ \"111122223333\": {{ \"users\": {{ \"alice\": {{}} }} }} }},\n\"keys\": {{ \"k\": {{}} }},\n\"steps\": [\n{steps}\n]\n}}"
    )
}

#[test]
fn an_unknown_service_is_located_with_a_suggestion() {
    let got = errors(&scenario(r#"{ "service": { "name": "s4", "operation": "PutObject" }, "as": "user/alice" }"#));
    assert_eq!(got.len(), 1, "{got:?}");
    let (line, column, path, message, help) = &got[0];
    assert_eq!((*line, *column, path.as_str()), (5, 24, "/steps/0/service/name"));
    assert_eq!(message, "unknown service `s4`");
    assert_eq!(help.as_deref(), Some("did you mean `s3`?"));
}

#[test]
fn an_unknown_operation_names_the_service_and_its_operations() {
    let got = errors(&scenario(
        r#"{ "service": { "name": "ssm", "operation": "GetSecret", "parameter": "p" }, "as": "user/alice" }"#,
    ));
    assert_eq!(got[0].2, "/steps/0/service/operation");
    assert_eq!(got[0].3, "AWS Systems Manager Parameter Store has no operation `GetSecret` here");
}

#[test]
fn missing_and_foreign_fields_are_errors() {
    let step = r#"{ "service": { "name": "s3", "operation": "GetObject", "bucket": "b", "volume": "v" }, "as": "user/alice" }"#;
    let got = errors(&scenario(step));
    let messages: Vec<(&str, &str)> = got.iter().map(|e| (e.2.as_str(), e.3.as_str())).collect();
    assert!(messages.contains(&("/steps/0/service", "s3 GetObject needs `key`")), "{messages:?}");
    assert!(messages.contains(&("/steps/0/service/volume", "s3 GetObject does not take `volume`")), "{messages:?}");
}

#[test]
fn a_service_step_needs_a_caller_and_its_own_outcomes() {
    let step = r#"{ "service": { "name": "s3", "operation": "GetObject", "bucket": "b", "key": "k" },
      "expect": { "outcome": "AccessDeniedException", "statement": "X", "kms_calls": [ { "outcome": "Nope" } ] } }"#;
    let got = errors(&scenario(step));
    let messages: Vec<&str> = got.iter().map(|e| e.3.as_str()).collect();
    assert!(messages.contains(&"the s3 GetObject step needs a caller: add `\"as\"`"), "{messages:?}");
    assert!(messages.contains(&"Amazon S3 does not answer `AccessDeniedException`"), "{messages:?}");
    assert!(messages.contains(&"a service step makes several KMS calls: put `statement` in one of `kms_calls`"));
    assert!(messages.contains(&"unknown KMS outcome `Nope`"), "{messages:?}");
}

#[test]
fn a_kms_key_placeholder_must_name_a_key() {
    let step = r#"{ "service": { "name": "s3", "operation": "PutObject", "bucket": "b", "key": "k", "kms_key": { "$key": "nope" } }, "as": "user/alice" }"#;
    let got = errors(&scenario(step));
    assert!(got.iter().any(|e| e.2.starts_with("/steps/0/service/kms_key")), "{got:?}");
}

#[test]
fn managed_key_policies_differ_by_service() {
    let s3 = kmsim_kms::catalogue::managed_key_policy("aws", "us-east-1", "111122223333", "s3").unwrap();
    let ebs = kmsim_kms::catalogue::managed_key_policy("aws", "us-east-1", "111122223333", "ebs").unwrap();
    assert!(!s3.contains("kms:CreateGrant") && !s3.contains("kms:RevokeGrant"), "{s3}");
    assert!(s3.contains("\"auto-s3-2\"") && s3.contains("\"kms:ViaService\" : \"s3.us-east-1.amazonaws.com\""));
    assert!(ebs.contains("kms:CreateGrant") && ebs.contains("kms:RevokeGrant"), "{ebs}");
    assert!(ebs.contains("\"kms:ViaService\" : \"ec2.us-east-1.amazonaws.com\""), "{ebs}");
    assert!(kmsim_kms::catalogue::managed_key_policy("aws", "us-east-1", "111122223333", "nope").is_none());
}

#[test]
fn no_plaintext_data_key_in_a_service_result_and_the_body_round_trips() {
    let text = scenario(
        r#"{ "service": { "name": "s3", "operation": "PutObject", "bucket": "b", "key": "o", "value": "secret body" }, "as": "user/alice", "expect": { "outcome": "success" } },
           { "service": { "name": "s3", "operation": "GetObject", "bucket": "b", "key": "o" }, "as": "user/alice", "expect": { "outcome": "success", "response": { "Body": "secret body" } } }"#,
    );
    let run = Scenario::parse(&text).unwrap().run(7, true);
    assert!(run.passed, "{:#?}", run.steps);
    let put = run.steps[0].service.as_ref().unwrap();
    assert_eq!(put.kms_calls.len(), 1);
    assert!(put.kms_calls[0].response.as_ref().unwrap().get("Plaintext").is_none());
    let json = serde_json::to_string(&run).unwrap();
    assert!(!json.contains("\"Plaintext\""), "a plaintext data key in the run's JSON");
    let world = serde_json::to_string(&run.world).unwrap();
    assert!(world.contains("\"s3_objects\"") && !world.contains("secret body"), "the body is stored encrypted");
}

fn with_rules(rules: &str) -> String {
    format!(
        "{{\n\"accounts\": {{ \"111122223333\": {{ \"roles\": {{ \"Responder\": {{}} }} }} }},\n\"keys\": {{ \"k\": {{}} }},\n\"rules\": [\n{rules}\n]\n}}"
    )
}

#[test]
fn rule_problems_are_located_in_the_users_words() {
    let text = with_rules(
        r#"{ "name": "r", "pattern": { "detail": { "eventName": "Decrypt" } }, "role": "role/Nobody",
  "actions": [ { "action": "DisableKy" }, { "action": "Notify" }, { "action": "TagResource", "params": { "Tags": "x" } } ], "state": "ON" }"#,
    );
    let got = errors(&text);
    let find = |path: &str| got.iter().find(|e| e.2 == path).unwrap_or_else(|| panic!("no error at {path}: {got:?}"));
    let e = find("/rules/0/pattern/detail/eventName");
    assert_eq!(
        (e.0, e.3.as_str()),
        (5, "the values to match for `eventName` must be in an array, e.g. [\"Decrypt\"] (EventBridge)")
    );
    assert_eq!(find("/rules/0/role").3, "`role/Nobody` is not a role of the scenario's accounts");
    let e = find("/rules/0/actions/0/action");
    assert_eq!((e.3.as_str(), e.4.as_deref()), ("unknown action `DisableKy`", Some("did you mean `DisableKey`?")));
    assert_eq!(find("/rules/0/actions/1").3, "`Notify` needs a `topic`");
    assert!(find("/rules/0/actions/2/params").3.contains("TagResource"));
    assert_eq!(find("/rules/0/state").3, "unknown rule state `ON`");
}

#[test]
fn a_disabled_rule_and_a_read_only_event_do_not_fire() {
    let text = format!(
        "{{\n\"accounts\": {{ \"111122223333\": {{ \"roles\": {{ \"Responder\": {{ \"policies\": {{ \"p\": {{ \"Version\": \"2012-10-17\", \"Statement\": [ {{ \"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\" }} ] }} }} }} }} }} }},\n\"keys\": {{ \"k\": {{}} }},\n\"rules\": [ {} , {} ],\n\"steps\": [ {} ]\n}}",
        r#"{ "name": "off", "state": "DISABLED", "pattern": { "detail": { "eventName": ["DescribeKey"] } }, "role": "role/Responder", "actions": [ { "action": "Notify", "topic": "t" } ] }"#,
        r#"{ "name": "read", "pattern": { "detail": { "eventName": ["DescribeKey"] } }, "role": "role/Responder", "actions": [ { "action": "Notify", "topic": "t" } ] }"#,
        r#"{ "call": "DescribeKey", "as": "root", "params": { "KeyId": { "$key": "k" } }, "expect": { "outcome": "success", "rules": [] } }"#,
    );
    let run = Scenario::parse(&text).unwrap().run(3, false);
    assert!(run.passed, "{:#?}", run.steps);
    let all = text
        .replace(r#""name": "read","#, r#""name": "read", "state": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS","#);
    let run = Scenario::parse(&all).unwrap().run(3, false);
    assert!(!run.passed, "with all management events the read-only DescribeKey is delivered and the rule fires");
    assert_eq!(run.steps[0].rules.as_ref().unwrap().firings[0].rule, "read");
}

#[test]
fn every_service_has_its_managed_key_policy_with_the_same_endpoint() {
    for s in kmsim_kms::services::SERVICES {
        let p = kmsim_kms::catalogue::MANAGED_KEY_POLICIES.iter().find(|p| p.service == s.name);
        assert_eq!(p.map(|p| p.endpoint), Some(s.endpoint), "{}", s.name);
    }
}

#[test]
fn rules_see_what_kms_does_on_its_own() {
    let text = r#"{
"accounts": { "111122223333": { "roles": { "Watcher": {} } } },
"keys": { "k": { "state": "PendingDeletion" } },
"rules": [ { "name": "deleted", "role": "role/Watcher",
             "pattern": { "detail-type": ["AWS Service Event via CloudTrail"], "detail": { "eventName": ["DeleteKey"] } },
             "actions": [ { "action": "Notify", "topic": "audit" } ] } ],
"steps": [ { "advance": { "days": 31 }, "expect": { "events": ["DeleteKey"], "rules": [ { "rule": "deleted" } ],
             "notifications": [ { "topic": "audit", "rule": "deleted" } ] } } ]
}"#;
    let run = Scenario::parse(text).unwrap().run(9, false);
    assert!(run.passed, "{:#?}", run.steps);
}
