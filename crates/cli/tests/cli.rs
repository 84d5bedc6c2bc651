//! The `kmsim` binary on real files: exit codes, text output (snapshots) and JSON output.

#![allow(clippy::expect_used, reason = "test helpers may fail loudly")]

mod common;

use std::path::PathBuf;

use common::{fixture, kmsim};

#[test]
fn run_prints_each_step_with_its_trace() {
    let (code, out, err) = kmsim(&["run", &fixture("pass.json")]);
    assert_eq!(code, 0, "stderr: {err}");
    insta::assert_snapshot!("run_pass", out);
}

/// A service step shows its KMS calls nested under it, each with its trace; the rules that fired show their
/// actions (issue 14).
#[test]
fn run_shows_a_service_steps_kms_calls_and_the_rules_that_fired() {
    let (code, out, err) = kmsim(&["run", &fixture("service-and-rule.json")]);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(
        out.contains("KMS call 1 through ssm: arn:aws:iam::111122223333:user/alice calls Encrypt")
            && out.contains("rule `lock` on Decrypt"),
        "{out}"
    );
    insta::assert_snapshot!("run_service_and_rule", out);
}

#[test]
fn run_json_is_the_same_report_as_data() {
    let (code, out, _) = kmsim(&["run", &fixture("pass.json"), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["passed"], true);
    assert_eq!(v["steps"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["steps"][2]["call"]["response"]["Err"]["code"], "AccessDeniedException");
    let statement = &v["steps"][0]["call"]["trace"]["authorizations"][0]["decided_by"]["statement"];
    assert_eq!(statement["sid"], "AppUse");
    assert_eq!(statement["policy"], "key-policy");
}

#[test]
fn check_reports_failed_expectations_and_exits_1() {
    let (code, out, _) = kmsim(&["check", &fixture("pass.json"), &fixture("fail.json")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("check_fail", out);
}

#[test]
fn malformed_scenario_reports_every_error_with_location_and_exits_2() {
    let (code, out, err) = kmsim(&["check", &fixture("malformed.json")]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    insta::assert_snapshot!("malformed", err);
}

#[test]
fn eval_explains_the_decision() {
    let (code, out, err) = kmsim(&[
        "eval",
        "--policy",
        &format!("resource:{}", fixture("key-policy.json")),
        "--request",
        &fixture("request.json"),
        "--expect-allow",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("eval_allow", out);
}

#[test]
fn eval_json_and_expect_allow_on_a_deny() {
    let dir = std::env::temp_dir().join(format!("kmsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let req = dir.join("deny.json");
    let mut r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("request.json")).expect("read")).expect("json");
    r["context"]["kms:EncryptionContext:tenant"] = serde_json::json!("t2");
    std::fs::write(&req, r.to_string()).expect("write");
    let (code, out, _) = kmsim(&[
        "eval",
        "--policy",
        &format!("resource:{}", fixture("key-policy.json")),
        "--request",
        &req.display().to_string(),
        "--format",
        "json",
        "--expect-allow",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decision"], "ImplicitDeny");
}

#[test]
fn lint_shows_source_snippets_and_exits_2() {
    let (code, out, _) = kmsim(&["lint", "--type", "identity", &fixture("bad-policy.json")]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("lint_bad", out);
    // Valid, but no statement allows the account: a security warning, below the default threshold (error).
    let (code, out, _) = kmsim(&["lint", "--type", "resource", &fixture("key-policy.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("security-warning[KMS310-missing-root-statement]"), "{out}");
    assert!(out.ends_with("key-policy.json: 1 finding (1 security-warning)\n"), "{out}");
    let (code, _, _) = kmsim(&["lint", "--deny", "security-warning", &fixture("key-policy.json")]);
    assert_eq!(code, 1);
}

#[test]
fn lint_reports_a_key_policy_statement_without_resource_as_an_error() {
    // AWS accepts the policy (CreateKey and PutKeyPolicy succeed) and the statement has no effect: a part of the
    // policy that is not functional, an error finding (exit 1), not an invalid policy (exit 2).
    let (code, out, _) = kmsim(&["lint", "--type", "resource", &fixture("key-policy-no-resource.json")]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("lint_no_resource", out);
    let (code, out, _) = kmsim(&[
        "lint",
        "--type",
        "resource",
        &fixture("key-policy-no-resource.json"),
        "--format",
        "json",
        "--deny",
        "none",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let finding = &v[0]["findings"][0];
    assert_eq!(finding["code"], "KMS002-statement-without-resource");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["message"], "statement `Forgot the resource`: no Resource element: the statement has no effect");
    assert_eq!(finding["location"]["path"], "/Statement/1");
    assert!(v[0].get("failure").is_none());
    // An identity policy needs `Resource`: the same statement is an invalid policy there.
    let (code, _, _) = kmsim(&["lint", "--type", "identity", &fixture("key-policy-no-resource.json")]);
    assert_eq!(code, 2);
}

#[test]
fn missing_file_exits_3() {
    let (code, _, err) = kmsim(&["run", "/nonexistent/scenario.json"]);
    assert_eq!(code, 3);
    assert!(err.contains("cannot read"));
}

#[test]
fn committed_schema_matches_the_types() {
    let (code, out, _) = kmsim(&["schema"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/scenario.schema.json"),
    )
    .expect("schema/scenario.schema.json");
    assert_eq!(
        out.trim(),
        committed.trim(),
        "schema/scenario.schema.json is stale: run `kmsim schema > schema/scenario.schema.json`"
    );
}

#[test]
fn help_teaches_the_commands_and_exit_codes() {
    let (code, out, _) = kmsim(&["--help"]);
    assert_eq!(code, 0);
    for needle in ["run", "check", "eval", "lint", "Exit codes", "kmsim check lessons/*.json"] {
        assert!(out.contains(needle), "help lacks `{needle}`");
    }
}

/// With `--format json` every error is the protocol's `Failure` (`{ message, diagnostics }`, the shape the JS API
/// throws) on stdout, with the same exit codes, and nothing on stderr.
#[test]
fn json_errors_are_protocol_failures_on_stdout() {
    let parse = |out: &str| serde_json::from_str::<serde_json::Value>(out).expect("json");

    let (code, out, err) = kmsim(&["run", &fixture("malformed.json"), "--format", "json"]);
    assert_eq!((code, err.as_str()), (2, ""));
    insta::assert_snapshot!("malformed_json", out);

    let (code, out, err) = kmsim(&["check", &fixture("malformed.json"), &fixture("pass.json"), "--format", "json"]);
    assert_eq!((code, err.as_str()), (2, ""));
    let v = parse(&out);
    assert_eq!(v[0]["passed"], false);
    assert_eq!(v[0]["failure"]["message"], "scenario has 5 errors");
    assert_eq!(v[0]["failure"]["diagnostics"][0]["span"]["path"], "/acounts");
    assert_eq!(v[1]["passed"], true);

    let (code, out, err) = kmsim(&["lint", "--type", "identity", &fixture("bad-policy.json"), "--format", "json"]);
    assert_eq!((code, err.as_str()), (2, ""));
    insta::assert_snapshot!("lint_bad_json", out);

    let (code, out, err) = kmsim(&[
        "eval",
        "--policy",
        &format!("resource:{}", fixture("key-policy.json")),
        "--policy",
        &format!("identity:{}", fixture("bad-policy.json")),
        "--request",
        &fixture("request.json"),
        "--format",
        "json",
    ]);
    assert_eq!((code, err.as_str()), (2, ""));
    let v = parse(&out);
    assert_eq!(v["message"], "policies have 2 errors");
    let policies: Vec<&serde_json::Value> =
        v["diagnostics"].as_array().expect("diagnostics").iter().map(|d| &d["policy"]).collect();
    assert_eq!(policies, [&serde_json::json!(1), &serde_json::json!(1)]);
    assert_eq!(v["diagnostics"][0]["kind"], "InvalidValue");

    let (code, out, err) = kmsim(&["run", "/nonexistent/scenario.json", "--format", "json"]);
    assert_eq!((code, err.as_str()), (3, ""));
    let v = parse(&out);
    assert!(v["message"].as_str().is_some_and(|m| m.starts_with("cannot read `/nonexistent/scenario.json`")), "{v}");
    assert_eq!(v["diagnostics"][0]["message"], v["message"]);

    let (code, out, _) = kmsim(&["lint", "--type", "nope", &fixture("bad-policy.json"), "--format", "json"]);
    assert_eq!(code, 3);
    assert!(parse(&out)["message"].as_str().is_some_and(|m| m.starts_with("unknown policy type `nope`")), "{out}");
}

/// `eval`: a misspelt request member is a located error (line and column), never silently dropped; a level is
/// given only to SCPs and RCPs.
#[test]
fn eval_rejects_unknown_request_members_and_misplaced_levels() {
    let dir = std::env::temp_dir().join(format!("kmsim-cli-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("p.json");
    std::fs::write(
        &policy,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let req = dir.join("r.json");
    std::fs::write(
        &req,
        "{\"principal\": {\"arn\": \"arn:aws:iam::111122223333:user/a\", \"kind\": \"user\"},\n \"action\": \"kms:Decrypt\", \"resource\": \"*\",\n \"contxt\": {}}",
    )
    .unwrap();
    let run = |spec: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kmsim"))
            .args(["eval", "--policy", &spec, "--request", &req.display().to_string()])
            .output()
            .unwrap()
    };
    let out = run(format!("identity:{}", policy.display()));
    let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown field `contxt`") && err.contains("line 3"), "{err}");
    let out = run(format!("identity@1:{}", policy.display()));
    let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(err.contains("a level (`@N`, N = 0, 1, ...) is given only to scp and rcp"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn lesson(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons").join(name).display().to_string()
}

#[test]
fn check_goals_grades_an_exercise_and_solution_checks_its_model_answer() {
    let l1 = lesson("01-least-privilege.json");
    // As written, the steps' expectations hold and the goals are open: plain check passes and says so.
    let (code, out, _) = kmsim(&["check", &l1]);
    assert_eq!(code, 0);
    assert!(out.contains("exercise: 2 of 3 goals met (`kmsim check --goals` grades them)"), "{out}");
    // Graded on its goals, the lesson as written fails, with the reason of each unmet goal.
    let (code, out, _) = kmsim(&["check", "--goals", &l1]);
    assert_eq!(code, 1);
    assert!(out.contains("goal `partner-denied`: not met"), "{out}");
    assert!(out.contains("step `partner-decrypt` outcome: expected AccessDeniedException but got success"), "{out}");
    // The solution meets every goal.
    let (code, out, err) = kmsim(&["check", "--solution", &l1]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("PASS") && out.contains("(3 of 3 goals met)"), "{out}");
    // A file without goals cannot be graded on them.
    let (code, out, _) = kmsim(&["check", "--solution", &fixture("pass.json")]);
    assert_eq!(code, 1);
    assert!(out.contains("the lesson has no goals") && out.contains("the lesson has no solution"), "{out}");
}
