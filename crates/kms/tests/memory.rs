//! Memory retained per scenario step (issue 10, item 6), counted by a global allocator that applies to this test
//! binary only: bytes allocated minus bytes freed, a deterministic count (no timing). The binary has one test so
//! that no other test allocates meanwhile. Run with `--nocapture` to see the figures.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use std::alloc::System;

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

/// One test: the allocator's counts are global to the binary.
#[test]
fn memory_per_call_step() {
    let off = per_step(N, false);
    println!("retained per GenerateRandom step, trace off: {off} bytes");
    let on = per_step(N, true);
    println!("retained per GenerateRandom step, trace on: {on} bytes");

    let (small, large) = (random_steps(N), random_steps(2 * N));
    let a = serde_json::to_string(&small.run(0, false).world).unwrap().len();
    let b = serde_json::to_string(&large.run(0, false).world).unwrap().len();
    println!("world JSON per GenerateRandom call: {} bytes", (b - a) / N);
}
