//! Memory retained per scenario step (issue 10, item 6), counted by a global allocator that applies to this test
//! binary only: bytes allocated minus bytes freed, a deterministic count (no timing). Measurements take turns (a
//! lock) so that no other test of the binary allocates meanwhile. Run with `--nocapture` to see the figures.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use std::alloc::System;
use std::sync::Mutex;

use kmsim_kms::scenario::{Scenario, ScenarioRun};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A scenario of `n` GenerateRandom calls (32 bytes each) by a role allowed to make them.
fn random_steps(n: usize) -> Scenario {
    let step = r#"{ "call": "GenerateRandom", "as": "role/App", "params": { "NumberOfBytes": 32 } }"#;
    let steps = vec![step; n].join(",\n");
    let text = format!(
        r#"{{
  "title": "memory",
  "seed": 7,
  "accounts": {{ "111122223333": {{ "roles": {{ "App": {{ "policies": {{ "Random": {{
    "Version": "2012-10-17",
    "Statement": [ {{ "Effect": "Allow", "Action": "kms:GenerateRandom", "Resource": "*" }} ] }} }} }} }} }} }},
  "steps": [
{steps}
  ]
}}"#
    );
    Scenario::parse(&text).unwrap()
}

/// Bytes still allocated after running `scenario`, with the run (and its world) alive.
fn retained(scenario: &Scenario, trace: bool) -> (i64, ScenarioRun) {
    let region = Region::new(GLOBAL);
    let run = scenario.run(0, trace);
    let s = region.change();
    (i64::try_from(s.bytes_allocated).unwrap() - i64::try_from(s.bytes_deallocated).unwrap(), run)
}

/// Bytes retained per call step: the difference between runs of `2n` and `n` steps, over `n`, so the world built
/// before the first step and other fixed costs cancel out.
fn per_step(n: usize, trace: bool) -> i64 {
    let (small, large) = (random_steps(n), random_steps(2 * n));
    let (a, run_a) = retained(&small, trace);
    assert!(run_a.passed && run_a.steps.len() == n, "every call succeeds");
    drop(run_a);
    let (b, run_b) = retained(&large, trace);
    assert!(run_b.passed && run_b.steps.len() == 2 * n);
    let n = i64::try_from(n).unwrap();
    (b - a) / n
}

const N: usize = 2_000;

/// The allocator's counts are global to this binary: measurements take turns.
static TURN: Mutex<()> = Mutex::new(());

fn measured<T>(f: impl FnOnce() -> T) -> T {
    let _turn = TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    f()
}

/// Issue 10 item 6: at most 1 KB retained per call step without the trace (996 bytes on a 64-bit target: the step
/// result 352 inline, its response 209, summary 71, the call's name and caller 64, the world's audit record 286,
/// shared behind an `Arc` with what returns it, its resources list too;
/// before the compact records and outcome-only steps: 7,797). With the trace a step keeps the whole authorization
/// trace (4,979 bytes; before: 8,549): the bound fails if that grows.
#[test]
fn call_steps_retain_at_most_1_kb_without_the_trace() {
    // The assertions too hold the lock: a failing one's backtrace must not land in another measurement.
    measured(|| {
        let (off, on) = (per_step(N, false), per_step(N, true));
        println!("retained per GenerateRandom step: trace off {off} bytes, trace on {on} bytes");
        assert!(off <= 1_024, "{off} bytes retained per call step without the trace");
        assert!(on <= 5_632, "{on} bytes retained per call step with the trace");
        assert!(on > off, "the trace keeps the statement traces");
    });
}

/// The saved world grows by one compact audit record per call: 270 bytes for GenerateRandom (its CloudTrail JSON
/// is 795), so the world of 10^6 calls (about 270 MB of JSON) fits in a JS string (V8: at most 2^29 - 24 UTF-16
/// units, about 536 million).
#[test]
fn world_json_per_call() {
    let (a, b) = measured(|| {
        let (small, large) = (random_steps(N), random_steps(2 * N));
        let a = serde_json::to_string(&small.run(0, false).world).unwrap().len();
        (a, serde_json::to_string(&large.run(0, false).world).unwrap().len())
    });
    let per_call = (b - a) / N;
    println!("world JSON per GenerateRandom call: {per_call} bytes");
    assert!((150..=320).contains(&per_call), "{per_call} bytes of world JSON per call");
}

/// Every step specification of a scenario lives through its run: one of 10^6 steps must stay small (issue 10 item
/// 6: it was 952 bytes inline, the rarely used parts held in place; boxed, 352 on a 64-bit target).
#[test]
fn a_step_specification_is_small() {
    let size = std::mem::size_of::<kmsim_kms::scenario::StepSpec>();
    assert!(size <= 400, "a StepSpec is {size} bytes inline");
}
