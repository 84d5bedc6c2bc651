//! The KMS core through `World::call`: an authorized Decrypt with the trace on and off, with 1 and with 50,000 grants
//! on the key (the 50,000 belong to other principals; the caller's own path is what runs), and Encrypt/Decrypt
//! throughput.
//!
//! Run: `cargo bench -p kmsim-kms --bench kms -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kmsim_kms::{Caller, KmsRequest, User, World};
use serde_json::json;

mod common;
use common::{admin_world, ADMIN};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

/// A world with one key, `grants` grants on it (one for alice, the rest for other principals) and a ciphertext.
fn setup(grants: usize) -> (World, String, String) {
    let mut w = admin_world();
    w.account_mut("111122223333").users.insert("alice".into(), User::default());
    let caller = Caller::new(ADMIN);
    let create = KmsRequest::from_parts("CreateKey", json!({})).ok();
    let key = create
        .map(|r| w.call(&caller, &r))
        .and_then(|o| o.response.ok())
        .and_then(|r| r.pointer("/KeyMetadata/Arn").and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_default();
    let grant = KmsRequest::from_parts(
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}),
    );
    if let Ok(g) = grant {
        w.call(&caller, &g);
    }
    let template = w.grants(&key).and_then(|s| s.iter().next().cloned());
    if let (Some(t), Some(store)) = (template, w.grants_mut(&key)) {
        for i in 1..grants {
            let mut g = t.clone();
            g.grant_id = format!("{i:064x}");
            g.grantee_principal = format!("arn:aws:iam::111122223333:user/other{i}");
            g.token_hashes.clear();
            store.insert(g);
        }
    }
    let enc = KmsRequest::from_parts(
        "Encrypt",
        json!({"KeyId": key, "Plaintext": {"Text": "benchmark"}, "EncryptionContext": {"purpose": "bench"}}),
    );
    let blob = enc
        .ok()
        .and_then(|r| w.call(&caller, &r).response.ok())
        .and_then(|r| r.get("CiphertextBlob").and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_default();
    w.take_audit();
    (w, key, blob)
}

/// Times `iters` calls, emptying the audit log between chunks (outside the timing) so memory stays flat.
fn timed_calls(w: &mut World, caller: &Caller, req: &KmsRequest, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let chunk = left.min(2048);
        let start = Instant::now();
        for _ in 0..chunk {
            black_box(w.call(caller, black_box(req)));
        }
        total += start.elapsed();
        w.take_audit();
        left -= chunk;
    }
    total
}

fn decrypt(c: &mut Criterion) {
    let mut group = c.benchmark_group("decrypt");
    for grants in [1usize, 50_000] {
        let (mut w, _key, blob) = setup(grants);
        let req = KmsRequest::from_parts(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": {"purpose": "bench"}}),
        );
        let Ok(req) = req else { continue };
        for (who, path) in [(ADMIN, "key-policy+iam"), (ALICE, "own-grant")] {
            for trace in [true, false] {
                let caller = Caller::new(who).with_trace(trace);
                let id = format!("{path}/trace-{}/{grants}-grants", if trace { "on" } else { "off" });
                group.bench_function(BenchmarkId::from_parameter(id), |b| {
                    b.iter_custom(|iters| timed_calls(&mut w, &caller, &req, iters))
                });
            }
        }
    }
    group.finish();
}

fn throughput(c: &mut Criterion) {
    let (mut w, key, _) = setup(1);
    let caller = Caller::new(ADMIN).with_trace(false);
    let mut group = c.benchmark_group("throughput");
    for size in [32usize, 4096] {
        let plaintext = kmsim_kms::Blob(vec![0x5a; size]);
        group.throughput(Throughput::Bytes(size as u64));
        let enc = KmsRequest::from_parts("Encrypt", json!({"KeyId": key, "Plaintext": plaintext}));
        let Ok(enc) = enc else { continue };
        group.bench_function(BenchmarkId::new("encrypt", size), |b| {
            b.iter_custom(|iters| timed_calls(&mut w, &caller, &enc, iters))
        });
        let blob = w
            .call(&caller, &enc)
            .response
            .ok()
            .and_then(|r| r.get("CiphertextBlob").and_then(|v| v.as_str()).map(str::to_string));
        let dec = KmsRequest::from_parts("Decrypt", json!({"CiphertextBlob": blob}));
        let Ok(dec) = dec else { continue };
        group.bench_function(BenchmarkId::new("decrypt", size), |b| {
            b.iter_custom(|iters| timed_calls(&mut w, &caller, &dec, iters))
        });
    }
    group.finish();
}

criterion_group!(benches, decrypt, throughput);
criterion_main!(benches);
