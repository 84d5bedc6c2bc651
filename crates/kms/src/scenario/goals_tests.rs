//! An exercise's goals, hints and solution (issue 11): goals graded apart from the steps' own expectations, every
//! lesson's goals open as written and met by its solution, a wrong fix reported with its reason, and the load-time
//! errors of goals and patches with their line, column and JSON path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

use super::tests::lessons;
use super::{GoalResult, Scenario};

fn lesson(prefix: &str) -> String {
    lessons().into_iter().find(|(n, _)| n.contains(prefix)).unwrap().1
}

fn goals(text: &str) -> Vec<GoalResult> {
    Scenario::parse(text).unwrap_or_else(|e| panic!("{e}")).run(1, false).goals
}

#[test]
fn every_lesson_has_open_goals_hints_and_a_solution_that_meets_them() {
    let lessons = lessons();
    assert_eq!(lessons.len(), 15);
    for (name, text) in lessons {
        let s = Scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!s.file.goals.is_empty(), "{name}: no goals");
        assert!(s.file.hints.len() >= 2, "{name}: fewer than two hints");
        let as_written = s.run(1, false);
        assert!(as_written.passed, "{name}: the steps' own expectations hold as written");
        assert!(!as_written.goals_met(), "{name}: the exercise is already solved as written");
        let solved = s.with_solution().unwrap_or_else(|| panic!("{name}: no solution"));
        let solved = solved.unwrap_or_else(|e| panic!("{name}: the solution does not load: {e}"));
        let run = solved.run(1, false);
        for g in &run.goals {
            assert!(g.passed, "{name}: goal `{}` not met by the solution: {:?}", g.id, g.checks);
        }
        // The same goals with the whole trace: goals are checked before a run without the trace drops it.
        assert_eq!(run.goals, solved.run(1, true).goals, "{name}");
    }
}

#[test]
fn a_wrong_fix_leaves_its_goal_unmet_with_the_reason() {
    // Lesson 1 "fixed" on the wrong statement: the key policy's AllowAppCrypto loses Decrypt, IAM still allows `*`.
    let text = lesson("01-").replacen(
        r#""Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]"#,
        r#""Action": ["kms:Encrypt", "kms:GenerateDataKey"]"#,
        1,
    );
    let got = goals(&text);
    let partner = got.iter().find(|g| g.id == "partner-denied").unwrap();
    assert!(!partner.passed);
    let failed: Vec<String> = partner
        .checks
        .iter()
        .filter(|c| !c.held)
        .map(|c| format!("{}: expected {} but got {}", c.what, c.expected, c.actual))
        .collect();
    assert_eq!(failed, ["step `partner-decrypt` outcome: expected AccessDeniedException but got success"]);
    // The right fix meets it.
    let fixed = lesson("01-").replacen(
        r#""Action": "kms:Decrypt", "Resource": "*""#,
        r#""Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11""#,
        1,
    );
    assert!(goals(&fixed).iter().all(|g| g.passed));
}

const WORLD: &str = r#""seed": 1, "accounts": { "111122223333": { "roles": { "App": {} } } },
  "keys": { "k": { "policy": { "Version": "2012-10-17", "Statement": [
    { "Sid": "Root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
    { "Sid": "AppUse", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": "kms:Encrypt", "Resource": "*" } ] } } },
  "steps": [
    { "name": "enc", "call": "Encrypt", "as": "role/App", "params": { "KeyId": { "$key": "k" }, "Plaintext": { "Text": "x" } },
      "expect": { "outcome": "success" } },
    { "call": "DescribeKey", "as": "role/App", "params": { "KeyId": { "$key": "k" } }, "expect": { "outcome": "AccessDeniedException" } }
  ]"#;

fn with(members: &str) -> String {
    format!("{{ {WORLD},\n{members} }}")
}

#[test]
fn goals_pick_steps_by_name_by_exception_and_by_what_they_call() {
    let text = with(
        r#""goals": [
    { "id": "by-name", "step": "enc", "expect": { "outcome": "success", "statement": "AppUse" } },
    { "id": "by-call", "find": { "call": "DescribeKey", "as": "role/App" }, "expect": { "outcome": "success" } },
    { "id": "all-but", "except": [] },
    { "id": "absent", "find": { "call": "Decrypt" }, "expect": { "outcome": "success" } }
  ]"#,
    );
    let got: Vec<(String, bool, Vec<String>)> = goals(&text)
        .into_iter()
        .map(|g| {
            let failed =
                g.checks.iter().filter(|c| !c.held).map(|c| format!("{}: {} / {}", c.what, c.expected, c.actual));
            (g.id, g.passed, failed.collect())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("by-name".to_string(), true, vec![]),
            ("by-call".to_string(), false, vec!["step 1 outcome: success / AccessDeniedException".to_string()]),
            ("all-but".to_string(), true, vec![]),
            ("absent".to_string(), false, vec!["a step that calls Decrypt: present / none".to_string()]),
        ]
    );
}

/// Each load error as (line, column, path, message).
fn errors(text: &str) -> Vec<(u32, u32, String, String)> {
    let errs = Scenario::parse(text).unwrap_err().errors;
    errs.into_iter().map(|e| (e.span.line, e.span.column, e.span.path.to_string(), e.message)).collect()
}

#[test]
fn a_goal_naming_an_unknown_step_is_an_error_at_load_with_its_place() {
    let text = with(r#""goals": [ { "id": "g", "step": "enk", "expect": { "outcome": "success" } } ]"#);
    let errs = Scenario::parse(&text).unwrap_err().errors;
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(e.message, "goal `g` names step `enk`, which is not a step of the lesson");
    assert_eq!(e.help.as_deref(), Some("did you mean `enc`?"));
    let line = text.lines().position(|l| l.contains("\"enk\"")).unwrap();
    assert_eq!((e.span.line, &*e.span.path), (line as u32 + 1, "/goals/0/step"));
    assert_eq!(e.span.column, text.lines().nth(line).unwrap().find("\"enk\"").unwrap() as u32 + 1);
}

#[test]
fn goals_and_patches_that_cannot_work_are_errors_at_load() {
    let text = with(
        r#""goals": [
    { "id": "g", "step": "enc", "steps": ["enc"] },
    { "id": "g", "step": "enc", "expect": { "outcome": "allow" } },
    { "id": "h", "find": { "call": "Encrpyt" } }
  ],
  "solution": { "patch": [ { "op": "replace", "path": "/keys/nokey/policy", "value": {} } ] }"#,
    );
    let got: Vec<(String, String)> = errors(&text).into_iter().map(|(_, _, p, m)| (p, m)).collect();
    assert_eq!(
        got,
        [
            (
                "/goals/0".into(),
                "a goal picks its steps in exactly one way: `step`, `steps`, `except` or `find`".into()
            ),
            ("/goals/1/id".into(), "two goals have the id `g`".into()),
            ("/goals/1/expect/outcome".into(), "unknown outcome `allow`".into()),
            ("/goals/2/find/call".into(), "unknown operation `Encrpyt`".into()),
        ]
    );
    // A patch applies to the lesson as written: what it does not find is reported when it is applied.
    let s = Scenario::parse(
        &text
            .replace(r#""id": "g", "step": "enc", "steps": ["enc"]"#, r#""id": "f", "step": "enc""#)
            .replace(r#""id": "g", "step": "enc", "expect": { "outcome": "allow" }"#, r#""id": "g", "step": "enc""#)
            .replace("Encrpyt", "Encrypt"),
    )
    .unwrap();
    let errs = s.with_solution().unwrap().unwrap_err().errors;
    assert_eq!(errs[0].message, "patch path `/keys/nokey/policy`: nothing at `nokey`");
    assert_eq!(&*errs[0].span.path, "/solution");
    let bad =
        with(r#""solution": { "patch": [ { "op": "add", "path": "keys" }, { "op": "move", "path": "/keys" } ] }"#);
    let got: Vec<(String, String)> = errors(&bad).into_iter().map(|(_, _, p, m)| (p, m)).collect();
    assert_eq!(
        got,
        [
            ("/solution/patch/0/value".into(), "`add` needs a `value`".into()),
            ("/solution/patch/1/op".into(), "unknown patch operation `move`: one of add, replace, remove".into()),
        ]
    );
}

#[test]
fn a_solution_is_a_json_patch_of_the_file() {
    let text = with(
        r#""goals": [ { "id": "admin", "find": { "call": "DescribeKey" }, "expect": { "outcome": "success" } } ],
  "solution": { "patch": [ { "op": "add", "path": "/keys/k/policy/Statement/1/Action", "value": ["kms:Encrypt", "kms:DescribeKey"] } ] }"#,
    );
    let s = Scenario::parse(&text).unwrap();
    assert!(!s.run(1, false).goals_met());
    let solved = s.with_solution().unwrap().unwrap();
    assert!(solved.file.solution.is_none());
    assert!(solved.run(1, false).goals_met());
    // A student's version with the policy as text (as the playground writes it) still loads.
    let mut file = s.file.clone();
    let text_policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
    file.keys.get_mut("k").unwrap().policy = Some(serde_json::Value::String(text_policy.into()));
    assert!(Scenario::from_file(file).is_ok());
}

#[test]
fn goals_check_a_service_steps_outcome_and_the_rules_a_step_set_off() {
    let unmet = |text: &str, id: &str| -> Vec<String> {
        let got = goals(text);
        let g = got.iter().find(|g| g.id == id).unwrap();
        assert!(!g.passed, "{id}");
        g.checks.iter().filter(|c| !c.held).map(|c| format!("{}: {} / {}", c.what, c.expected, c.actual)).collect()
    };
    // A service step: its own outcome (Parameter Store's error), not only its audit events.
    assert_eq!(
        unmet(&lesson("13-"), "param-put"),
        ["step `param-forgotten` service outcome: success / AccessDeniedException"]
    );
    // A rule's actions: the fourth action the exercise asks for is not there yet.
    assert_eq!(
        unmet(&lesson("14-"), "locks-policy"),
        [
            "step `foreign-decrypt` rule firing 0 actions.3.action: \"PutKeyPolicy\" / null",
            "step `foreign-decrypt` rule firing 0 actions.3.outcome: \"success\" / null"
        ]
    );
    // The notifications the step's rules published: one, seen by the goal (met); a goal asking for two is not met.
    assert!(goals(&lesson("14-")).iter().find(|g| g.id == "still-notifies").unwrap().passed);
    let two = lesson("14-").replacen(
        r#""notifications": [{"topic": "security-alerts"}]"#,
        r#""notifications": [{"topic": "security-alerts"}, {"topic": "security-alerts"}]"#,
        1,
    );
    assert_eq!(unmet(&two, "still-notifies")[0], "step `foreign-decrypt` notifications: 2 / 1");
}
