//! Runs the lint corpus (`tests/lint/**.json`) and lints every lesson's key and identity policies: they must give no
//! finding but the ones `tests/lint-lessons.json` lists, each with why.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

use std::path::Path;

use kmsim_kms::lint::lint;
use kmsim_policy::PolicyType;
use serde::Deserialize;
use serde_json::Value;

/// Fewer cases than this means the walker or the corpus is broken.
const MIN_CASES: usize = 30;

#[test]
fn lint_corpus() {
    let dir = kmsim_tests::lint_corpus_dir();
    let results = kmsim_tests::run_lint_corpus(&dir).unwrap();
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(path, p)| format!("{}:\n  {}", path.display(), p.join("\n  ")))
        .collect();
    println!("lint corpus: {} cases, {} failed", results.len(), failed.len());
    assert!(results.len() >= MIN_CASES, "only {} lint cases under {}", results.len(), dir.display());
    assert!(failed.is_empty(), "{} lint cases failed:\n{}", failed.len(), failed.join("\n"));
}

/// The harness must be able to fail: a case that expects nothing of a policy with findings, and one that expects
/// a finding on a clean policy, both fail.
#[test]
fn lint_harness_reports_wrong_expectations() {
    let case = |findings: &str, action: &str| -> kmsim_tests::LintCase {
        serde_json::from_str(&format!(
            r#"{{"description": "d", "source": "s", "findings": {findings}, "policy": {{"type": "identity",
               "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}",
               "Resource": "*"}}]}}}}}}"#
        ))
        .unwrap()
    };
    assert!(kmsim_tests::run_lint_case(&case("[]", "kms:Encrypt")).is_empty());
    assert!(!kmsim_tests::run_lint_case(&case("[]", "kms:Encrpyt")).is_empty());
    let wanted = r#"[{"code": "KMS101-unknown-action", "line": 6}]"#;
    assert!(!kmsim_tests::run_lint_case(&case(wanted, "kms:Encrypt")).is_empty());
    assert!(kmsim_tests::run_lint_case(&case(wanted, "kms:Encrpyt")).is_empty());
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowed {
    lesson: String,
    /// The JSON Pointer of the policy in the lesson file.
    policy: String,
    code: String,
    /// The finding's JSON Pointer in the policy.
    path: String,
    why: String,
}

/// Every key policy (`/keys/NAME/policy`) and identity policy (`/accounts/ID/{users,roles,groups}/NAME/policies/P`)
/// of a lesson, with its pointer.
fn lesson_policies(lesson: &Value) -> Vec<(String, PolicyType, String)> {
    let mut out = Vec::new();
    if let Some(keys) = lesson.get("keys").and_then(Value::as_object) {
        for (name, key) in keys {
            if let Some(p) = key.get("policy") {
                out.push((format!("/keys/{name}/policy"), PolicyType::Resource, text(p)));
            }
        }
    }
    if let Some(accounts) = lesson.get("accounts").and_then(Value::as_object) {
        for (id, account) in accounts {
            for kind in ["users", "roles", "groups"] {
                let Some(principals) = account.get(kind).and_then(Value::as_object) else { continue };
                for (name, principal) in principals {
                    let Some(policies) = principal.get("policies").and_then(Value::as_object) else { continue };
                    for (pname, p) in policies {
                        let pointer = format!("/accounts/{id}/{kind}/{name}/policies/{pname}");
                        out.push((pointer, PolicyType::Identity, text(p)));
                    }
                }
            }
        }
    }
    out
}

fn text(p: &Value) -> String {
    match p {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap(),
    }
}

#[test]
fn lessons_policies_have_no_unexplained_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let allowed: Vec<Allowed> =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/lint-lessons.json")).unwrap()).unwrap();
    let mut used = vec![false; allowed.len()];
    let mut problems = Vec::new();
    let mut linted = 0;
    for file in kmsim_tests::find_case_files(&root.join("lessons")).unwrap() {
        let lesson_name = format!("lessons/{}", file.file_name().unwrap().to_string_lossy());
        let lesson: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for (pointer, ty, text) in lesson_policies(&lesson) {
            linted += 1;
            for f in lint(&text, ty) {
                let hit = allowed.iter().position(|a| {
                    a.lesson == lesson_name && a.policy == pointer && a.code == f.code && a.path == *f.location.path
                });
                match hit {
                    Some(i) => used[i] = true,
                    None => problems
                        .push(format!("{lesson_name} {pointer}: {} at {}: {}", f.code, f.location.path, f.message)),
                }
            }
        }
    }
    for (a, u) in allowed.iter().zip(&used) {
        if !u {
            problems.push(format!("listed but not found: {} {} {} {} ({})", a.lesson, a.policy, a.code, a.path, a.why));
        }
    }
    println!("linted {linted} lesson policies");
    assert!(linted >= 12, "only {linted} lesson policies found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
