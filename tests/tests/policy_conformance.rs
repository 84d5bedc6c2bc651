//! Runs the policy conformance corpus (`tests/conformance/policy/**.json`) and reports every failure at once.

/// Fewer cases than this means the walker or the corpus is broken.
const MIN_CASES: usize = 150;

#[test]
fn policy_conformance_corpus() {
    let dir = kmsim_tests::policy_corpus_dir();
    let report = kmsim_tests::run_corpus(&dir).unwrap();
    let failed = report.total - report.passed();
    println!("policy conformance: {} cases, {} passed, {failed} failed", report.total, report.passed());
    if failed > 0 {
        println!("\n{}", report.render_failures());
    }
    assert!(
        report.total >= MIN_CASES,
        "only {} cases found under {} (expected at least {MIN_CASES})",
        report.total,
        dir.display()
    );
    assert_eq!(
        failed,
        0,
        "{failed} of {} policy conformance cases failed:\n{}",
        report.total,
        report.render_failures()
    );
}

#[test]
fn walker_skips_schema_and_finds_nested_cases() {
    let dir = kmsim_tests::policy_corpus_dir();
    let files = kmsim_tests::find_case_files(&dir).unwrap();
    assert!(files.iter().all(|f| !f.to_string_lossy().ends_with(".schema.json")));
    assert!(files.iter().any(|f| f.parent() != Some(dir.as_path())), "no case found in a topic folder");
}

/// The harness must be able to fail: every case run with a wrong expected decision is reported as failed.
#[test]
fn harness_reports_a_wrong_expectation() {
    use kmsim_policy::Decision;
    let dir = kmsim_tests::policy_corpus_dir();
    let files = kmsim_tests::find_case_files(&dir).unwrap();
    for file in files.iter().take(5) {
        let mut case = kmsim_tests::parse_case(&std::fs::read_to_string(file).unwrap()).unwrap();
        case.expect.decision = match case.expect.decision {
            Decision::Allow => Decision::ImplicitDeny,
            Decision::ExplicitDeny | Decision::ImplicitDeny => Decision::Allow,
        };
        let outcome = kmsim_tests::run_case("mutated", &case);
        assert!(!outcome.passed(), "a wrong expectation passed for {}", file.display());
    }
}

/// A document keeps its keys in the order written when handed to the parser.
#[test]
fn documents_keep_key_order() {
    let case = kmsim_tests::parse_case(
        r#"{"description": "d", "source": "s", "expect": {"decision": "Allow"},
            "request": {"principal": {"arn": "*", "kind": "anonymous"}, "action": "kms:Decrypt", "resource": "*"},
            "policies": [{"type": "identity", "document": {"Version": "2012-10-17", "Statement": [{"Sid": "z",
              "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}"#,
    )
    .unwrap();
    let text = case.policies[0].source_text().unwrap();
    let order: Vec<usize> = ["\"Version\"", "\"Statement\"", "\"Sid\"", "\"Effect\"", "\"Action\"", "\"Resource\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "keys reordered:\n{text}");
    assert!(text.contains('\n'), "document is not pretty-printed");
}
