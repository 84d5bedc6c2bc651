//! Instruction counts of `World::advance` (issue 10's target: 10 years with 10,000 rotating keys), independent of
//! the machine's load: `cargo build --release -p kmsim-kms --example advance_count`, then
//! `valgrind --tool=callgrind target/release/examples/advance_count 1` and `... 0`; the difference is one advance of
//! 10 years (100,000 `AwsServiceEvent`s). Under valgrind SHA-256 runs its portable code, not the CPU's SHA
//! instructions the native run uses, so the ids' HMACs weigh more than they do in the criterion figures
//! (`cargo bench -p kmsim-kms --bench scale -- advance`). Figures in docs/PERFORMANCE.md.

use kmsim_kms::Duration;

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/common/worlds.rs"]
mod worlds;

fn main() {
    let advances: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let w = worlds::rotating_keys(10_000);
    let mut kept = Vec::new();
    for _ in 0..advances {
        let mut c = w.clone();
        let events = c.advance(Duration { days: 3650, ..Duration::default() });
        println!("{} events", events.as_ref().map_or(0, Vec::len));
        // Kept, so dropping them is not counted (as the benchmark does not time it).
        kept.push((c, events));
    }
    let mut c = w.clone();
    std::hint::black_box(&mut c);
    kept.push((c, Ok(Vec::new())));
    std::mem::forget(kept);
}
