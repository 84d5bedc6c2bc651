//! Runs every lesson (`lessons/*.json` at the repository root): each must parse, every step must run, every
//! expectation must hold, and each lesson must teach (title, description, exercise, a denial and a success).

use std::path::{Path, PathBuf};

use kmsim_kms::scenario::{Scenario, ScenarioRun};
use kmsim_tests::{find_case_files, run_scenario_dir, scenario_run_failures};

/// The twelve best-practice lessons (reference PART 3).
const MIN_LESSONS: usize = 12;

/// Seed for lessons without one (every lesson should have its own; this keeps a run reproducible anyway).
const FALLBACK_SEED: u64 = 7;

fn lessons_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("lessons")
}

/// Does the step expect a denial (an AccessDeniedException, or a deny decision)?
fn expects_denial(s: &kmsim_kms::scenario::StepSpec) -> bool {
    let outcome = s.expect.as_ref().and_then(|e| e.outcome.as_deref()).unwrap_or("");
    matches!(outcome, "AccessDeniedException" | "deny" | "explicit-deny" | "implicit-deny")
}

fn expects_success(s: &kmsim_kms::scenario::StepSpec) -> bool {
    let outcome = s.expect.as_ref().and_then(|e| e.outcome.as_deref()).unwrap_or("");
    matches!(outcome, "success" | "allow")
}

/// What every lesson must have besides passing: a title, a description, an exercise, a seed, a denial, a success,
/// and an `expect` on every call or authorize step.
fn lesson_rules(s: &Scenario) -> Vec<String> {
    let mut problems = Vec::new();
    let f = &s.file;
    for (field, value) in [("title", &f.title), ("description", &f.description), ("exercise", &f.exercise)] {
        if value.trim().is_empty() {
            problems.push(format!("`{field}` is empty"));
        }
    }
    if f.seed.is_none() {
        problems.push("no `seed` (lessons must be reproducible)".to_string());
    }
    if !f.steps.iter().any(expects_denial) {
        problems.push("no step expects a denial".to_string());
    }
    if !f.steps.iter().any(expects_success) {
        problems.push("no step expects success".to_string());
    }
    if f.steps.iter().any(|s| s.expect.is_none() && s.advance.is_none()) {
        problems.push("a call or authorize step has no `expect`".to_string());
    }
    problems
}

#[test]
fn every_lesson_passes_and_teaches() {
    let dir = lessons_dir();
    let report = run_scenario_dir(&dir, FALLBACK_SEED, lesson_rules).unwrap();
    println!("lessons: {} files, {} passed", report.files, report.passed);
    assert!(report.files >= MIN_LESSONS, "only {} lessons in {} (expected {MIN_LESSONS})", report.files, dir.display());
    assert!(report.failures.is_empty(), "{} lesson problem(s):\n{}", report.failures.len(), report.render_failures());
}

/// Lessons run the same with the trace on and off (tracing never changes a decision).
#[test]
fn lessons_run_the_same_with_trace_on() {
    for path in find_case_files(&lessons_dir()).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(s) = Scenario::parse(&text) else { continue };
        let off = s.run(FALLBACK_SEED, false);
        let on = s.run(FALLBACK_SEED, true);
        let outcomes = |r: &ScenarioRun| -> Vec<Vec<bool>> {
            r.steps.iter().map(|st| st.expectations.iter().map(|e| e.held).collect()).collect()
        };
        assert_eq!(outcomes(&off), outcomes(&on), "{}: trace changes the outcome", path.display());
    }
}

/// The harness can fail: flipping the first expected outcome of each lesson makes its run fail.
#[test]
fn a_wrong_expectation_fails_the_lesson() {
    for path in find_case_files(&lessons_dir()).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(mut s) = Scenario::parse(&text) else { continue };
        let Some(step) = s.file.steps.iter_mut().find(|st| st.call.is_some() && st.expect.is_some()) else {
            continue;
        };
        let e = step.expect.as_mut().unwrap();
        e.outcome = Some(if e.outcome.as_deref() == Some("success") {
            "AccessDeniedException".into()
        } else {
            "success".into()
        });
        let run = s.run(FALLBACK_SEED, false);
        assert!(!run.passed, "{}: a flipped expectation still passed", path.display());
        assert!(!scenario_run_failures("x", &s.file, &run).is_empty(), "{}: no failure listed", path.display());
    }
}

/// For authors: `KMSIM_LESSON=lessons/05-grants.json cargo test -p kmsim-tests --test lessons show_lesson --
/// --ignored --nocapture` prints every step's outcome, deciding statements and failed expectations.
#[test]
#[ignore = "an authoring aid, not a check"]
fn show_lesson() {
    let path = std::env::var("KMSIM_LESSON").expect("set KMSIM_LESSON to a scenario file");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let s = Scenario::parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let run = s.run(FALLBACK_SEED, true);
    for st in &run.steps {
        let outcome = match st.call.as_ref().map(|c| &c.response) {
            Some(Ok(_)) => "success".to_string(),
            Some(Err(e)) => format!("{:?}: {}", e.code, e.message),
            None => st.authorization.as_ref().map(|a| format!("{:?}", a.decision)).unwrap_or_default(),
        };
        let auths = st.call.as_ref().map(|c| c.trace.authorizations.clone()).unwrap_or_default();
        let auths = if auths.is_empty() { st.authorization.iter().map(|a| (**a).clone()).collect() } else { auths };
        let stmts = kmsim_kms::scenario::deciding_statements(&auths);
        println!("#{} {:?} {} -> {outcome} {stmts:?}", st.index, st.name, st.summary);
        for a in &auths {
            println!("    {:?}", a.decided_by);
        }
        if !st.events.is_empty() {
            println!("    events: {:?}", st.events.iter().map(|e| &e.event_name).collect::<Vec<_>>());
        }
        if let Some(e) = &st.error {
            println!("    ERROR {e}");
        }
        for x in st.expectations.iter().filter(|x| !x.held) {
            println!("    FAILED {}: expected {}, actual {}", x.what, x.expected, x.actual);
        }
    }
    println!("passed: {}", run.passed);
}
