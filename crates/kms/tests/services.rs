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
    let s3 = kmsim_kms::services::managed_key_policy("aws", "us-east-1", "111122223333", "s3").unwrap();
    let ebs = kmsim_kms::services::managed_key_policy("aws", "us-east-1", "111122223333", "ebs").unwrap();
    assert!(!s3.contains("kms:CreateGrant") && !s3.contains("kms:RevokeGrant"), "{s3}");
    assert!(s3.contains("\"auto-s3-2\"") && s3.contains("\"kms:ViaService\" : \"s3.us-east-1.amazonaws.com\""));
    assert!(ebs.contains("kms:CreateGrant") && ebs.contains("kms:RevokeGrant"), "{ebs}");
    assert!(ebs.contains("\"kms:ViaService\" : \"ec2.us-east-1.amazonaws.com\""), "{ebs}");
    assert!(kmsim_kms::services::managed_key_policy("aws", "us-east-1", "111122223333", "nope").is_none());
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
