//! Runs the KMS scenario conformance cases (`tests/conformance/kms/*.json`): small scenarios that each pin down one
//! documented AWS KMS authorization or key-state fact. Every case must parse, every step must run and every
//! expectation must hold; all failures are reported at once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kmsim_kms::scenario::{Scenario, ScenarioRun};

/// Fewer cases than this means the walker or the corpus is broken.
const MIN_CASES: usize = 25;

/// Seed for cases without one.
const FALLBACK_SEED: u64 = 11;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance").join("kms")
}

/// Every `*.json` file under `dir` (recursively), sorted.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))? {
            let p = entry.map_err(|e| format!("cannot read {}: {e}", d.display()))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// One line per failed expectation or step error.
fn run_failures(name: &str, s: &Scenario, run: &ScenarioRun) -> Vec<String> {
    let mut out = Vec::new();
    for step in &run.steps {
        let label = match &step.name {
            Some(n) => format!("step {} ({n})", step.index),
            None => format!("step {}", step.index),
        };
        let call = s.file.steps.get(step.index).and_then(|st| st.call.clone()).unwrap_or_default();
        if let Some(e) = &step.error {
            out.push(format!("{name}: {label} {call}: error: {e}"));
        }
        for x in step.expectations.iter().filter(|x| !x.held) {
            let message = step
                .call
                .as_ref()
                .and_then(|c| c.response.as_ref().err())
                .map(|e| format!(" [{}]", e.message))
                .unwrap_or_default();
            out.push(format!(
                "{name}: {label} {call}: {}: expected {}, actual {}{message}",
                x.what, x.expected, x.actual
            ));
        }
    }
    out
}

#[test]
fn kms_conformance_cases_hold() {
    let dir = corpus_dir();
    let files = json_files(&dir).unwrap();
    let mut failures = Vec::new();
    let mut passed = 0usize;
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap_or(path).display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let s = match Scenario::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        if s.file.description.trim().is_empty() || !s.file.description.contains("Source:") {
            failures.push(format!("{name}: the description must name its source (`Source: ...`)"));
        }
        let expectations: usize = s.file.steps.iter().filter(|st| st.expect.is_some()).count();
        if expectations == 0 {
            failures.push(format!("{name}: no step has an expectation"));
        }
        let run = s.run(FALLBACK_SEED, false);
        let fails = run_failures(&name, &s, &run);
        if fails.is_empty() && run.passed {
            passed += 1;
        } else if fails.is_empty() {
            failures.push(format!("{name}: the run did not pass but reported no failed expectation"));
        }
        failures.extend(fails);
    }
    println!("kms conformance: {} cases, {passed} passed", files.len());
    assert!(files.len() >= MIN_CASES, "only {} cases under {} (expected {MIN_CASES})", files.len(), dir.display());
    let mut report = String::new();
    for f in &failures {
        let _ = writeln!(report, "  {f}");
    }
    assert!(failures.is_empty(), "{} KMS conformance problem(s):\n{report}", failures.len());
}

/// The harness can fail: flipping the last call expectation of each case makes the case fail.
#[test]
fn a_wrong_expectation_fails_the_case() {
    for path in json_files(&corpus_dir()).unwrap() {
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
