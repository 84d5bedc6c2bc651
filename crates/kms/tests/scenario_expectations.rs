//! Expectations that can say what the docs say (issue 9, section E): response paths that index arrays and a length
//! check, the audit records a step produced, an outcome that means any error, authorize steps that carry the
//! request parameters that feed condition keys (decided as the call is), and calls through a VPC endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

use kmsim_kms::scenario::{Scenario, ScenarioRun};
use kmsim_policy::Decision;

/// A scenario in account 111122223333: role `App` with these identity policy statements, key `k` (alias `alias/k`)
/// with this key policy (AWS's default when `None`), and these steps.
fn scenario(app: &str, key_policy: Option<&str>, steps: &str) -> String {
    let policy = key_policy.map(|p| format!(r#", "policy": {{ "Version": "2012-10-17", "Statement": [ {p} ] }}"#));
    format!(
        r#"{{ "seed": 3, "accounts": {{ "111122223333": {{ "roles": {{ "App": {{ "policies": {{ "p": {{ "Version": "2012-10-17", "Statement": [ {app} ] }} }} }} }} }} }},
  "keys": {{ "k": {{ "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab", "aliases": ["alias/k"]{} }} }},
  "steps": {steps} }}"#,
        policy.unwrap_or_default()
    )
}

const ALL: &str = r#"{ "Effect": "Allow", "Action": "kms:*", "Resource": "*" }"#;
const ROOT: &str = r#"{ "Sid": "Root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" }"#;

fn run(text: &str) -> ScenarioRun {
    Scenario::parse(text).unwrap_or_else(|e| panic!("{e}")).run(1, true)
}

/// Each step's expectations as (what, held).
fn held(run: &ScenarioRun) -> Vec<Vec<(String, bool)>> {
    run.steps.iter().map(|s| s.expectations.iter().map(|e| (e.what.clone(), e.held)).collect()).collect()
}

#[test]
fn response_paths_index_arrays_and_length_counts_their_elements() {
    let steps = |rotations: &str, grants: &str| {
        format!(
            r#"[ {{ "call": "RotateKeyOnDemand", "as": "role/App", "params": {{ "KeyId": {{ "$key": "k" }} }} }},
          {{ "call": "ListKeyRotations", "as": "role/App", "params": {{ "KeyId": {{ "$key": "k" }} }},
            "expect": {{ "response": {{ "Rotations": {{ "$length": {rotations} }}, "Rotations.0.RotationType": "ON_DEMAND" }} }} }},
          {{ "call": "CreateGrant", "as": "role/App", "params": {{ "KeyId": {{ "$key": "k" }}, "GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt", "Encrypt"] }} }},
          {{ "call": "ListGrants", "as": "role/App", "params": {{ "KeyId": {{ "$key": "k" }} }},
            "expect": {{ "response": {{ "Grants": {{ "$length": {grants} }}, "Grants.0.Operations.1": "Encrypt", "Grants.0.Operations": {{ "$length": 2 }} }} }} }} ]"#
        )
    };
    let r = run(&scenario(ALL, None, &steps("1", "1")));
    assert!(r.passed, "{:#?}", held(&r));
    let e = &r.steps[1].expectations;
    assert_eq!(
        (e[0].what.as_str(), e[0].expected.as_str(), e[0].actual.as_str()),
        ("response Rotations", "length 1", "length 1")
    );
    // A wrong length does not hold, and says what it found.
    let r = run(&scenario(ALL, None, &steps("2", "3")));
    assert!(!r.passed);
    let e = &r.steps[3].expectations;
    assert_eq!((e[0].held, e[0].expected.as_str(), e[0].actual.as_str()), (false, "length 3", "length 1"));
    assert!(e[1..].iter().all(|e| e.held));
    // `$length` takes a whole number: checked at load.
    let errs = Scenario::parse(&scenario(ALL, None, &steps("\"one\"", "1"))).unwrap_err().errors;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].message, "`$length` takes a whole number, found `\"one\"`");
    assert_eq!(&*errs[0].span.path, "/steps/1/expect/response/Rotations");
}

#[test]
fn an_outcome_of_error_is_met_by_any_error_and_only_by_one() {
    let steps = r#"[ { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "Text": "not a ciphertext" } }, "expect": { "outcome": "error" } },
      { "call": "DescribeKey", "as": "role/App", "params": { "KeyId": "alias/k" }, "expect": { "outcome": "error" } } ]"#;
    let r = run(&scenario(ALL, None, steps));
    assert!(r.steps[0].call.as_ref().unwrap().response.is_err());
    assert_eq!(held(&r), vec![vec![("outcome".to_string(), true)], vec![("outcome".to_string(), false)]]);
}

#[test]
fn audit_expectations_check_the_records_the_step_produced() {
    // App may not decrypt: the key policy allows only the account's root (no IAM delegation for Decrypt).
    let key_policy = r#"{ "Sid": "Root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:Describe*", "Resource": "*" }"#;
    let steps = |code: &str, n: usize| {
        let records = vec![
            format!(
                r#"{{ "eventName": "Encrypt", "errorCode": "{code}", "requestParameters.keyId": "alias/k", "resources.0.ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }}"#
            );
            n
        ];
        format!(
            r#"[ {{ "call": "Encrypt", "as": "role/App", "params": {{ "KeyId": "alias/k", "Plaintext": {{ "Text": "x" }} }},
                 "expect": {{ "outcome": "error", "audit": [ {} ] }} }} ]"#,
            records.join(", ")
        )
    };
    // The code the audit record carries, read through its public fields.
    let probe = run(&scenario(ALL, Some(key_policy), &steps("?", 1)));
    let code = probe.world.audit().records().last().unwrap().error_code.clone().unwrap();
    let r = run(&scenario(ALL, Some(key_policy), &steps(&code, 1)));
    assert!(r.passed, "{:#?}", r.steps[0].expectations);
    let what: Vec<&str> = r.steps[0].expectations.iter().map(|e| e.what.as_str()).collect();
    assert!(what.contains(&"audit record 0 requestParameters.keyId"), "{what:?}");
    // A wrong field value, and an expected record the step did not produce, do not hold.
    let r = run(&scenario(ALL, Some(key_policy), &steps("Nope", 2)));
    let failed: Vec<&str> = r.steps[0].expectations.iter().filter(|e| !e.held).map(|e| e.what.as_str()).collect();
    assert_eq!(failed[..2], ["audit records", "audit record 0 errorCode"]);
    assert!(failed.contains(&"audit record 1 eventName"), "{failed:?}");
    // The service events of a clock move are its records.
    let steps = r#"[ { "call": "ScheduleKeyDeletion", "as": "role/App", "params": { "KeyId": { "$key": "k" }, "PendingWindowInDays": 7 } },
      { "advance": { "days": 8 }, "expect": { "audit": [ { "eventName": "DeleteKey", "eventSource": "kms.amazonaws.com" } ] } } ]"#;
    let r = run(&scenario(ALL, None, steps));
    assert!(r.passed, "{:#?}", r.steps[1]);
    // An authorize step writes no record.
    let steps = r#"[ { "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": { "$key": "k" } }, "expect": { "audit": [] } } ]"#;
    let errs = Scenario::parse(&scenario(ALL, None, steps)).unwrap_err().errors;
    assert_eq!(errs[0].message, "an `authorize` step only asks: it writes no audit record");
    // Nor has it a response (it used to be ignored).
    let steps = r#"[ { "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": { "$key": "k" } }, "expect": { "response": { "Decision": "Allow" } } } ]"#;
    let errs = Scenario::parse(&scenario(ALL, None, steps)).unwrap_err().errors;
    assert_eq!(errs[0].message, "an `authorize` step has no response to check: its decision is its `outcome`");
    assert_eq!(&*errs[0].span.path, "/steps/0/expect/response");
}

/// Authorize steps and the calls they stand for, with a key policy whose conditions read the request's parameters.
#[test]
fn authorize_steps_carry_the_parameters_that_feed_condition_keys_and_agree_with_the_call() {
    let key_policy = [
        ROOT,
        r#"{ "Sid": "GrantDecryptOnly", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": "kms:CreateGrant", "Resource": "*", "Condition": { "ForAnyValue:StringEquals": { "kms:GrantOperations": "Decrypt" }, "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } } }"#,
        r#"{ "Sid": "NoBypass", "Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*", "Condition": { "Bool": { "kms:BypassPolicyLockoutSafetyCheck": "true" } } }"#,
        r#"{ "Sid": "ViaAlias", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": "kms:Encrypt", "Resource": "*", "Condition": { "StringEquals": { "kms:RequestAlias": "alias/k" } } }"#,
        r#"{ "Sid": "Put", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": "kms:PutKeyPolicy", "Resource": "*" }"#,
        r#"{ "Sid": "BlueTags", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": "kms:TagResource", "Resource": "*", "Condition": { "StringEquals": { "aws:RequestTag/team": "blue" } } }"#,
    ]
    .join(", ");
    let policy = format!(r#"{{ "Version": "2012-10-17", "Statement": [ {ROOT} ] }}"#);
    let pairs = [
        (r#""action": "kms:CreateGrant", "resource": { "$key": "k" }, "grant_operations": ["Decrypt"]"#,
         r#""call": "CreateGrant", "params": { "KeyId": { "$key": "k" }, "GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt"] }"#.to_string(), true),
        (r#""action": "kms:CreateGrant", "resource": { "$key": "k" }, "grant_operations": ["Decrypt", "Encrypt"]"#,
         r#""call": "CreateGrant", "params": { "KeyId": { "$key": "k" }, "GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt", "Encrypt"] }"#.to_string(), false),
        (r#""action": "kms:Encrypt", "key_id": "alias/k""#,
         r#""call": "Encrypt", "params": { "KeyId": "alias/k", "Plaintext": { "Text": "x" } }"#.to_string(), true),
        (r#""action": "kms:Encrypt", "key_id": { "$key": "k" }"#,
         r#""call": "Encrypt", "params": { "KeyId": { "$key": "k" }, "Plaintext": { "Text": "x" } }"#.to_string(), false),
        (r#""action": "kms:PutKeyPolicy", "key_id": { "$key": "k" }, "bypass_policy_lockout_safety_check": true"#,
         format!(r#""call": "PutKeyPolicy", "params": {{ "KeyId": {{ "$key": "k" }}, "Policy": {policy:?}, "BypassPolicyLockoutSafetyCheck": true }}"#), false),
        (r#""action": "kms:TagResource", "resource": { "$key": "k" }, "request_tags": { "team": "blue" }"#,
         r#""call": "TagResource", "params": { "KeyId": { "$key": "k" }, "Tags": [ { "TagKey": "team", "TagValue": "blue" } ] }"#.to_string(), true),
        (r#""action": "kms:TagResource", "resource": { "$key": "k" }, "request_tags": { "team": "red" }"#,
         r#""call": "TagResource", "params": { "KeyId": { "$key": "k" }, "Tags": [ { "TagKey": "team", "TagValue": "red" } ] }"#.to_string(), false),
    ];
    let keys = [
        "kms:GrantOperations",
        "kms:BypassPolicyLockoutSafetyCheck",
        "kms:RequestAlias",
        "aws:RequestTag/team",
        "aws:TagKeys",
    ];
    for (question, call, allowed) in pairs {
        // Each pair in a fresh world: the call changes it.
        let steps =
            format!(r#"[ {{ "authorize": {{ "as": "role/App", {question} }} }}, {{ "as": "role/App", {call} }} ]"#);
        let r = run(&scenario(
            r#"{ "Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*" }"#,
            Some(&key_policy),
            &steps,
        ));
        let asked = r.steps[0].authorization.as_ref().unwrap_or_else(|| panic!("{question}: {:?}", r.steps[0].error));
        let called = r.steps[1].call.as_ref().unwrap();
        assert_eq!(asked.decision == Decision::Allow, allowed, "{question}");
        assert_eq!(called.is_success(), allowed, "{call}: {:?}", called.response);
        let first = called.trace.authorizations.first().unwrap_or_else(|| panic!("{call}: {:?}", called.response));
        for k in keys {
            assert_eq!(asked.context.get(k), first.context.get(k), "{question}: {k}");
        }
    }
}

#[test]
fn a_call_through_a_vpc_endpoint_has_source_vpce_and_no_source_ip() {
    let app = r#"{ "Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*", "Condition": { "StringEquals": { "aws:SourceVpce": "vpce-1a2b3c4d" } } }"#;
    let steps = r#"[ { "call": "DescribeKey", "as": "role/App", "source_vpce": "vpce-1a2b3c4d", "params": { "KeyId": "alias/k" }, "expect": { "outcome": "success" } },
      { "call": "DescribeKey", "as": "role/App", "params": { "KeyId": "alias/k" }, "expect": { "outcome": "AccessDeniedException" } },
      { "authorize": { "as": "role/App", "action": "kms:DescribeKey", "resource": { "$key": "k" } }, "source_vpce": "vpce-1a2b3c4d", "expect": { "outcome": "allow" } } ]"#;
    let r = run(&scenario(app, None, steps));
    assert!(r.passed, "{:#?}", held(&r));
    let through = &r.steps[0].call.as_ref().unwrap().trace.authorizations[0].context;
    assert!(through.get("aws:SourceVpce").is_some());
    assert!(through.get("aws:SourceIp").is_none());
    let direct = &r.steps[1].call.as_ref().unwrap().trace.authorizations[0].context;
    assert!(direct.get("aws:SourceVpce").is_none() && direct.get("aws:SourceIp").is_some());
    // Through an endpoint the call is the caller's own: it cannot also be made by a service.
    let both = r#"[ { "call": "DescribeKey", "as": "role/App", "via": "s3.us-east-1.amazonaws.com", "source_vpce": "vpce-1", "params": { "KeyId": "alias/k" } } ]"#;
    let errs = Scenario::parse(&scenario(app, None, both)).unwrap_err().errors;
    assert_eq!(&*errs[0].span.path, "/steps/0/source_vpce");
}
