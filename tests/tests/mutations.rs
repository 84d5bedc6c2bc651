//! Robustness on bad input (issue 10, item 8): a mutation corpus made deterministically from the lessons, the KMS
//! conformance scenarios and the policy conformance cases (byte flips, truncations, field deletions, type swaps,
//! number edits; see `kmsim_tests::mutate`) goes through `Scenario::parse` + `run` (scenarios) and `Policy::parse` +
//! `evaluate_all` (policies), each input on a worker thread with a time limit. It asserts that no input panics or
//! hangs (more than [`LIMIT`]; a hang detector, not a speed test), that what is accepted runs and serialises, and that
//! what is rejected has at least one error with a location (line >= 1 and a JSON path or a column).
//!
//! Known failures (a bug found here and not fixed yet) are listed in `tests/regressions/known.txt` by fingerprint,
//! with the reason; they are skipped so that the test still runs everything else. Every other file in
//! `tests/regressions/` is run too (`scenario-*.json`, `policy-TYPE-*.json`), so a fixed bug stays tested.
//! `KMSIM_MUTATION_SEED` and `KMSIM_MUTATIONS` (mutations per kind per file) change the corpus for deeper runs.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "test code may fail loudly")]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kmsim_kms::scenario::Scenario;
use kmsim_policy::{EvalOptions, Policy, PolicyType, Principal, Request, Span};
use kmsim_tests::mutate::{self, fingerprint, Kind, Rng};

/// The time one input may take before it counts as a hang.
const LIMIT: Duration = Duration::from_secs(5);
const DEFAULT_SEED: u64 = 0x006b_6d73_696d_3130;
/// Mutations of each kind per scenario file, and per policy case.
const SCENARIO_MUTATIONS: usize = 6;
const POLICY_MUTATIONS: usize = 1;

#[derive(Clone)]
enum Target {
    Scenario,
    Policy { ty: PolicyType, request: Box<Request> },
}

struct Input {
    /// Where it came from: `FILE KIND #N`.
    name: String,
    target: Target,
    text: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    kmsim_tests::find_case_files(dir).expect("corpus folder")
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Known failures: fingerprint -> reason.
fn known() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("tests/regressions/known.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(fp, reason)| (fp.to_string(), reason.trim().to_string()))
        .collect()
}

/// The request the regression files of policies are evaluated with.
fn default_request() -> Request {
    Request {
        principal: Principal::from_arn("arn:aws:iam::111122223333:user/alice"),
        action: "kms:Decrypt".into(),
        resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        context: kmsim_policy::Context::new(),
        resource_account: None,
    }
}

fn corpus() -> Vec<Input> {
    let seed = env_number("KMSIM_MUTATION_SEED").unwrap_or(DEFAULT_SEED);
    let per = |default: usize| env_number("KMSIM_MUTATIONS").map_or(default, |n| usize::try_from(n).unwrap_or(default));
    let mut rng = Rng::new(seed);
    let mut inputs = Vec::new();
    let mut add = |name: &str, target: &Target, text: &str, count: usize, rng: &mut Rng| {
        for kind in Kind::ALL {
            for n in 0..count {
                if let Some(text) = mutate::mutate(text, kind, rng) {
                    inputs.push(Input { name: format!("{name} {} #{n}", kind.name()), target: target.clone(), text });
                }
            }
        }
    };
    let mut scenarios = json_files(&root().join("lessons"));
    scenarios.extend(json_files(&root().join("tests/conformance/kms")));
    assert!(scenarios.len() >= 50, "only {} scenario files", scenarios.len());
    for f in &scenarios {
        let text = std::fs::read_to_string(f).expect("read scenario");
        let name = f.strip_prefix(root()).unwrap_or(f).display().to_string();
        add(&name, &Target::Scenario, &text, per(SCENARIO_MUTATIONS), &mut rng);
    }
    let cases = json_files(&kmsim_tests::policy_corpus_dir());
    assert!(cases.len() >= 150, "only {} policy cases", cases.len());
    for f in &cases {
        let case = kmsim_tests::parse_case(&std::fs::read_to_string(f).expect("read case")).expect("case");
        let name = f.strip_prefix(root()).unwrap_or(f).display().to_string();
        for p in case.policies.iter().take(1) {
            let text = p.source_text().expect("policy text");
            let target = Target::Policy { ty: p.ty, request: Box::new(case.request.clone()) };
            add(&name, &target, &text, per(POLICY_MUTATIONS), &mut rng);
        }
    }
    // The saved regressions.
    for f in std::fs::read_dir(root().join("tests/regressions")).into_iter().flatten().flatten().map(|e| e.path()) {
        let file = f.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let target = if file.starts_with("scenario-") {
            Target::Scenario
        } else if let Some(rest) = file.strip_prefix("policy-") {
            let ty = rest.split('-').next().unwrap_or("identity");
            let ty = serde_json::from_value(serde_json::json!(ty)).expect("policy-TYPE-... names a policy type");
            Target::Policy { ty, request: Box::new(default_request()) }
        } else {
            continue;
        };
        let text = std::fs::read_to_string(&f).expect("read regression");
        inputs.push(Input { name: format!("tests/regressions/{file}"), target, text });
    }
    inputs
}

/// What one input did.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
}

/// A rejection is fine when at least one error is located: line >= 1 and a JSON path or a column.
fn rejected<'a>(mut spans: impl Iterator<Item = &'a Span>, errors: &dyn std::fmt::Display) -> Result<Outcome, String> {
    if spans.any(|s| s.line >= 1 && (!s.path.is_empty() || s.column >= 1)) {
        Ok(Outcome::Rejected)
    } else {
        Err(format!("rejected without a located error: {errors}"))
    }
}

/// Runs one input; `Err` names a broken property (a panic is caught by the caller).
fn check(input: &Input) -> Result<Outcome, String> {
    match &input.target {
        Target::Scenario => match Scenario::parse(&input.text) {
            Ok(s) => {
                let run = s.run(1, false);
                serde_json::to_string(&run).map_err(|e| format!("the run does not serialise: {e}"))?;
                Ok(Outcome::Accepted)
            }
            Err(errs) => rejected(errs.errors.iter().map(|e| &e.span), &errs),
        },
        Target::Policy { ty, request } => match Policy::parse(&input.text, *ty) {
            Ok(p) => {
                let plain = kmsim_policy::evaluate_all(&[&p], request, EvalOptions { trace: false });
                let traced = kmsim_policy::evaluate_all(&[&p], request, EvalOptions { trace: true });
                if plain.decision != traced.decision {
                    return Err(format!("decision {:?} with the trace, {:?} without", traced.decision, plain.decision));
                }
                for t in traced.policies.iter().filter_map(|r| r.trace.as_ref()) {
                    let _ = kmsim_policy::render_text(t, Some(&input.text));
                }
                serde_json::to_string(&traced).map_err(|e| format!("the result does not serialise: {e}"))?;
                Ok(Outcome::Accepted)
            }
            Err(errs) => rejected(errs.errors.iter().map(|e| &e.span), &errs),
        },
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Where failing inputs are written, for saving under tests/regressions/.
fn save_failure(input: &Input) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mutation-failures");
    std::fs::create_dir_all(&dir).expect("failure dir");
    let prefix = match &input.target {
        Target::Scenario => "scenario".to_string(),
        Target::Policy { ty, .. } => {
            format!("policy-{}", serde_json::to_value(ty).expect("type").as_str().unwrap_or(""))
        }
    };
    let path = dir.join(format!("{prefix}-{}.json", fingerprint(&input.text)));
    std::fs::write(&path, &input.text).expect("write failing input");
    path
}

#[test]
fn mutated_lessons_conformance_and_policies_never_panic_hang_or_lose_the_location() {
    let started = Instant::now();
    let known = known();
    let all = corpus();
    let (skipped, inputs): (Vec<Input>, Vec<Input>) =
        all.into_iter().partition(|i| known.contains_key(&fingerprint(&i.text)));
    let inputs = Arc::new(inputs);
    let total = inputs.len();
    if std::env::var_os("KMSIM_MUTATIONS").is_none() {
        assert!(total >= 3000, "only {total} inputs");
    }

    // One worker runs the inputs in order and reports each; a report that does not come within LIMIT is a hang
    // (the worker is then stuck: the test stops there).
    let (tx, rx) = mpsc::channel();
    let work = Arc::clone(&inputs);
    let _worker = std::thread::spawn(move || {
        for (i, input) in work.iter().enumerate() {
            let r = catch_unwind(AssertUnwindSafe(|| check(input)))
                .unwrap_or_else(|p| Err(format!("panic: {}", panic_text(p.as_ref()))));
            if tx.send((i, r)).is_err() {
                return;
            }
        }
    });
    let mut failures = Vec::new();
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut slowest = (Duration::ZERO, String::new());
    for (i, input) in inputs.iter().enumerate() {
        let t = Instant::now();
        match rx.recv_timeout(LIMIT) {
            Ok((j, result)) => {
                assert_eq!(i, j);
                if t.elapsed() > slowest.0 {
                    slowest = (t.elapsed(), input.name.clone());
                }
                let kind = input.name.rsplit(' ').nth(1).unwrap_or("regression");
                let c = counts.entry(kind).or_default();
                match result {
                    Ok(Outcome::Accepted) => c.0 += 1,
                    Ok(Outcome::Rejected) => c.1 += 1,
                    Err(e) => {
                        let saved = save_failure(input);
                        failures.push(format!("{}: {e}\n    input saved as {}", input.name, saved.display()));
                    }
                }
            }
            Err(_) => {
                let saved = save_failure(input);
                failures.push(format!(
                    "{}: hang: no answer within {} s\n    input saved as {}",
                    input.name,
                    LIMIT.as_secs(),
                    saved.display()
                ));
                break;
            }
        }
    }
    let summary: Vec<String> =
        counts.iter().map(|(k, (a, r))| format!("{k}: {} ({a} accepted, {r} rejected)", a + r)).collect();
    println!(
        "mutation corpus: {total} inputs in {:.1} s, {} known failures skipped; {}; slowest {} ms ({})",
        started.elapsed().as_secs_f64(),
        skipped.len(),
        summary.join(", "),
        slowest.0.as_millis(),
        slowest.1
    );
    for s in &skipped {
        println!("  skipped (known): {} [{}]", s.name, known.get(&fingerprint(&s.text)).map_or("", String::as_str));
    }
    assert!(failures.is_empty(), "{} of {total} inputs failed:\n{}", failures.len(), failures.join("\n"));
}
