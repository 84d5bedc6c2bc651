//! The lint of a key policy, as the playground's editor runs it on a change: the pretty-printed 6-statement key
//! policy of the policy crate's benches, parsed once (`lint_policy`), and parse + lint from the text (`lint`).
//!
//! `cargo bench -p kmsim-kms --bench lint -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kmsim_kms::lint::{lint, lint_policy};
use kmsim_policy::{Policy, PolicyType};

const KEY_POLICY: &str = include_str!("../../policy/benches/key-policy.json");

fn benches(c: &mut Criterion) {
    let Ok(policy) = Policy::parse(KEY_POLICY, PolicyType::Resource) else { return };
    let mut group = c.benchmark_group("lint");
    group.bench_function("lint_policy_key_policy", |b| b.iter(|| lint_policy(black_box(&policy))));
    group.bench_function("lint_text_key_policy", |b| b.iter(|| lint(black_box(KEY_POLICY), PolicyType::Resource)));
    group.finish();
}

criterion_group!(lint_benches, benches);
criterion_main!(lint_benches);
