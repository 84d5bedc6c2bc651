//! Worlds at scale: advancing the clock over many rotating keys, and one page of ListGrants on a key with 50,000
//! grants.
//!
//! Run: `cargo bench -p kmsim-kms --bench scale -- --warm-up-time 1 --measurement-time 5`
//! (figures in docs/PERFORMANCE.md).

use std::hint::black_box;
use std::time::Duration as StdDuration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kmsim_kms::{Caller, Duration, KmsRequest, World};
use serde_json::json;

mod common;
use common::{admin_world, ADMIN};
#[path = "common/worlds.rs"]
mod worlds;
use worlds::{call, rotating_keys};

/// A key with `n` grants, and its ARN.
fn granted_key(n: usize) -> (World, String) {
    let mut w = admin_world();
    let key = call(&mut w, "CreateKey", json!({}));
    let arn = key.pointer("/KeyMetadata/Arn").and_then(|v| v.as_str()).unwrap_or_default().to_string();
    call(
        &mut w,
        "CreateGrant",
        json!({"KeyId": arn, "GranteePrincipal": "arn:aws:iam::111122223333:user/g0", "Operations": ["Decrypt"]}),
    );
    let template = w.grants(&arn).and_then(|s| s.iter().next().cloned());
    if let (Some(t), Some(store)) = (template, w.grants_mut(&arn)) {
        for i in 1..n {
            let mut g = t.clone();
            g.grant_id = format!("{i:064x}");
            g.grantee_principal = format!("arn:aws:iam::111122223333:user/g{i}");
            g.token_hashes.clear();
            store.insert(g);
        }
    }
    (w, arn)
}

fn advance(c: &mut Criterion) {
    let mut g = c.benchmark_group("advance");
    g.sample_size(10).measurement_time(StdDuration::from_secs(5));
    let world = rotating_keys(10_000);
    for years in [1i64, 10] {
        g.bench_function(format!("10k_rotating_keys_{years}y"), |b| {
            b.iter_batched(
                || world.clone(),
                // The world is returned, so dropping it is not timed.
                |mut w| {
                    let events = w.advance(Duration { days: 365 * years, ..Duration::default() });
                    black_box((w, events))
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn list_grants(c: &mut Criterion) {
    let mut g = c.benchmark_group("list_grants");
    let (mut w, arn) = granted_key(50_000);
    let caller = Caller::new(ADMIN);
    let first = KmsRequest::from_parts("ListGrants", json!({ "KeyId": arn, "Limit": 100 })).ok();
    g.bench_function("50k_grants_first_page", |b| {
        b.iter(|| first.as_ref().map(|r| black_box(w.call(&caller, r).is_success())))
    });
    // A page in the middle: the marker the previous page returned.
    let marker = {
        let mut marker = serde_json::Value::Null;
        for _ in 0..250 {
            let params = if marker.is_null() {
                json!({ "KeyId": arn, "Limit": 100 })
            } else {
                json!({ "KeyId": arn, "Limit": 100, "Marker": marker })
            };
            marker = call(&mut w, "ListGrants", params).get("NextMarker").cloned().unwrap_or_default();
        }
        marker
    };
    let middle = KmsRequest::from_parts("ListGrants", json!({ "KeyId": arn, "Limit": 100, "Marker": marker })).ok();
    g.bench_function("50k_grants_page_250", |b| {
        b.iter(|| middle.as_ref().map(|r| black_box(w.call(&caller, r).is_success())))
    });
    g.finish();
}

criterion_group!(benches, advance, list_grants);
criterion_main!(benches);
