//! Runs the KMS scenario conformance cases (`tests/conformance/kms/*.json`): small scenarios that each pin down one
//! documented AWS KMS authorization or key-state fact. Every case must parse, every step must run and every
//! expectation must hold; all failures are reported at once.

use std::path::{Path, PathBuf};

use kmsim_kms::scenario::Scenario;
use kmsim_tests::{find_case_files, run_scenario_dir};

/// Fewer cases than this means the walker or the corpus is broken.
const MIN_CASES: usize = 25;

/// Seed for cases without one.
const FALLBACK_SEED: u64 = 11;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance").join("kms")
}

/// What every case must have besides passing: a description naming its source, and at least one expectation.
fn case_rules(s: &Scenario) -> Vec<String> {
    let mut problems = Vec::new();
    if s.file.description.trim().is_empty() || !s.file.description.contains("Source:") {
        problems.push("the description must name its source (`Source: ...`)".to_string());
    }
    if !s.file.steps.iter().any(|st| st.expect.is_some()) {
        problems.push("no step has an expectation".to_string());
    }
    problems
}

#[test]
fn kms_conformance_cases_hold() {
    let dir = corpus_dir();
    let report = run_scenario_dir(&dir, FALLBACK_SEED, case_rules).unwrap();
    println!("kms conformance: {} cases, {} passed", report.files, report.passed);
    assert!(report.files >= MIN_CASES, "only {} cases under {} (expected {MIN_CASES})", report.files, dir.display());
    assert!(
        report.failures.is_empty(),
        "{} KMS conformance problem(s):\n{}",
        report.failures.len(),
        report.render_failures()
    );
}

/// The harness can fail: flipping the last call expectation of each case makes the case fail.
#[test]
fn a_wrong_expectation_fails_the_case() {
    for path in find_case_files(&corpus_dir()).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(mut s) = Scenario::parse(&text) else { continue };
        let Some(step) =
            s.file.steps.iter_mut().rev().find(|st| st.expect.as_ref().is_some_and(|e| e.outcome.is_some()))
        else {
            continue;
        };
        let e = step.expect.as_mut().unwrap();
        e.outcome = Some(match e.outcome.as_deref() {
            Some("success") => "AccessDeniedException".into(),
            Some("allow") => "implicit-deny".into(),
            Some("deny" | "implicit-deny" | "explicit-deny") => "allow".into(),
            _ => "success".into(),
        });
        let run = s.run(FALLBACK_SEED, false);
        assert!(!run.passed, "{}: a flipped expectation still passed", path.display());
    }
}
