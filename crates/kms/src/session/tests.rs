//! Native tests of the session: the same requests the JS API makes, without a JS engine.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

use serde_json::{json, Value as J};

use super::*;

const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow",
    "Action": "kms:*", "Resource": "*"}]}"#;

fn scenario(seed: Option<u64>) -> String {
    let seed = seed.map(|s| format!(r#""seed": {s},"#)).unwrap_or_default();
    format!(
        r#"{{ {seed} "accounts": {{ "111122223333": {{ "users": {{ "admin": {{ "policies": {{ "all": {ALLOW_ALL} }} }} }},
             "roles": {{ "App": {{}} }} }} }},
           "keys": {{ "k": {{ "aliases": ["alias/k"] }} }},
           "steps": [
             {{ "name": "e", "call": "Encrypt", "as": "user/admin", "params": {{ "KeyId": "alias/k", "Plaintext": {{ "Text": "hi" }} }} }},
             {{ "call": "Decrypt", "as": "user/admin", "params": {{ "CiphertextBlob": {{ "$ref": "e.CiphertextBlob" }} }},
               "expect": {{ "outcome": "success" }} }} ] }}"#
    )
}

fn world(s: &Session) -> J {
    to_json(s.world())
}

#[test]
fn the_file_seed_wins_over_the_given_one() {
    assert_eq!(Session::load(&scenario(Some(9)), 5).unwrap().seed(), 9);
    assert_eq!(Session::load(&scenario(None), 5).unwrap().seed(), 5);
}

#[test]
fn steps_one_at_a_time_equal_the_whole_run_and_reset_starts_over() {
    let mut all = Session::load(&scenario(None), 3).unwrap();
    let run = to_json(&all.run_all(false).unwrap());
    assert_eq!(run["passed"], true, "{run:#}");
    assert_eq!(all.next_step(), 2);
    assert_eq!(all.step(false).unwrap(), None);

    let mut one = Session::load(&scenario(None), 3).unwrap();
    assert_eq!(one.step_count(), 2);
    let first = to_json(&one.step(false).unwrap().unwrap());
    let second = to_json(&one.step(false).unwrap().unwrap());
    assert_eq!(Some(&json!([first, second])), run.get("steps"));
    assert_eq!(world(&one), world(&all));

    one.reset().unwrap();
    assert_eq!(one.next_step(), 0);
    // The `$ref` to step `e` is gone after a reset, so step 1 alone cannot run.
    let alone = one.run_step(1, false).unwrap();
    assert!(alone.error.as_deref().is_some_and(|e| e.contains("`e`")), "{alone:#?}");
    assert!(one.run_step(2, false).unwrap_err().message.contains("the scenario has 2 steps"));
}

#[test]
fn callers_resolve_short_forms_in_the_first_account_and_trace_by_default() {
    let mut s = Session::load(&scenario(Some(1)), 0).unwrap();
    let mut call = |caller: J, op: &str, params: J| to_json(&s.call(caller, op, params).unwrap());
    let out = call(json!("user/admin"), "ListKeys", json!({}));
    assert_eq!(out["trace"]["caller"], "arn:aws:iam::111122223333:user/admin");
    assert!(out["response"]["Ok"].is_object(), "{out:#}");
    let traced = call(json!({"principal": "user/admin"}), "ListKeys", J::Null);
    let untraced = call(json!({"principal": "user/admin", "trace": false}), "ListKeys", J::Null);
    let policies = |o: &J| o["trace"]["authorizations"][0]["policies"][0]["result"].get("trace").is_some();
    assert!(policies(&traced));
    assert!(!policies(&untraced));
    let denied = call(json!("role/App"), "ListKeys", J::Null);
    assert_eq!(denied["trace"]["caller"], "arn:aws:sts::111122223333:assumed-role/App/session");
    assert_eq!(denied["response"]["Err"]["code"], "AccessDeniedException");

    assert!(s.call(json!(5), "ListKeys", J::Null).unwrap_err().message.starts_with("invalid caller"));
    let f = s.call(json!("user/admin"), "Nope", J::Null).unwrap_err();
    assert_eq!(f.diagnostics.first().and_then(|d| d.code), Some(crate::error::ErrorCode::ValidationException));
}

#[test]
fn simulate_answers_without_changing_the_world_and_fails_on_a_bad_context() {
    let s = Session::load(&scenario(Some(2)), 0).unwrap();
    let before = world(&s);
    let t = s.simulate(json!("user/admin"), "kms:Encrypt", "*", json!({"app": "x"})).unwrap();
    assert_eq!(to_json(&t)["decision"], "Allow", "{:#}", to_json(&t));
    assert_eq!(world(&s), before);
    let f = s.simulate(json!("user/admin"), "kms:Encrypt", "*", json!({"app": 1})).unwrap_err();
    assert!(f.message.starts_with("invalid encryption context"), "{}", f.message);
}

#[test]
fn a_restored_world_behaves_like_the_saved_one() {
    let mut s = Session::load(&scenario(Some(4)), 0).unwrap();
    let run = to_json(&s.run_all(false).unwrap());
    let blob = run["steps"][0]["call"]["response"]["Ok"]["CiphertextBlob"].clone();
    let saved = world(&s);
    let mut from_value = Session::restore(saved.clone()).unwrap();
    let mut from_text = Session::restore(J::String(saved.to_string())).unwrap();
    assert_eq!(world(&from_value), saved);
    assert_eq!(from_value.step_count(), 0);
    assert!(from_value.run_all(false).is_err() && from_value.reset().is_err());
    let decrypt =
        |s: &mut Session| to_json(&s.call(json!("user/admin"), "Decrypt", json!({"CiphertextBlob": blob})).unwrap());
    let a = decrypt(&mut s);
    assert_eq!(a["response"]["Ok"]["Plaintext"], "aGk=");
    assert_eq!(decrypt(&mut from_value)["response"], a["response"]);
    assert_eq!(decrypt(&mut from_text)["trace"], a["trace"]);
    assert!(Session::restore(json!({"config": 1})).unwrap_err().message.starts_with("invalid world"));
}

#[test]
fn advance_reads_a_duration_and_refuses_to_go_back() {
    let mut s = Session::load(&scenario(Some(1)), 0).unwrap();
    let start = s.now();
    assert!(s.advance(json!({"days": 2})).unwrap().is_empty());
    assert_ne!(s.now(), start);
    assert!(s.advance(json!({"days": -1})).unwrap_err().message.contains("only moves forward"));
    assert!(s.advance(json!({"weeks": 1})).unwrap_err().message.starts_with("invalid duration"));
}

#[test]
fn scenario_errors_become_located_diagnostics() {
    let f = Session::load("{\n  \"stpes\": []\n}", 1).unwrap_err();
    assert_eq!(f.message, "scenario has 1 error");
    let d = f.diagnostics.first().unwrap();
    assert_eq!(d.message, "unknown field `stpes`");
    assert_eq!(d.help.as_deref(), Some("did you mean `steps`?"));
    assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((2, 3)));
}
