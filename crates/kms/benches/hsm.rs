//! Throughput of the software HSM (Encrypt and Decrypt at KMS's sizes) and of client-side envelope encryption.
//!
//! Run: `cargo bench -p kmsim-kms --bench hsm -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kmsim_kms::envelope;
use kmsim_kms::hsm::{EncryptionContext, Hsm, Seed};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn context() -> EncryptionContext {
    [("Department", "Finance"), ("Purpose", "payroll")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn hsm(c: &mut Criterion) {
    let ec = context();
    let mut group = c.benchmark_group("hsm");
    for size in [32usize, 4096] {
        let plaintext = vec![0x5a; size];
        group.throughput(Throughput::Bytes(size as u64));
        let mut hsm = Hsm::new(Seed(1));
        group.bench_with_input(BenchmarkId::new("encrypt", size), &plaintext, |b, p| {
            b.iter(|| hsm.encrypt(black_box(KEY_ID), 1, black_box(p), &ec))
        });
        let blob = hsm.encrypt(KEY_ID, 1, &plaintext, &ec).unwrap_or_default();
        group.bench_with_input(BenchmarkId::new("decrypt", size), &blob, |b, blob| {
            b.iter(|| hsm.decrypt(black_box(blob), &ec))
        });
    }
    group.throughput(Throughput::Elements(1));
    let mut drbg = Hsm::new(Seed(2));
    group.bench_function("new_key_id", |b| b.iter(|| drbg.new_key_id()));
    group.bench_function("random_bytes_32", |b| b.iter(|| drbg.random_bytes(32)));
    group.finish();
}

fn envelope(c: &mut Criterion) {
    let mut group = c.benchmark_group("envelope");
    let size = 1 << 20;
    let plaintext = vec![0x5a; size];
    group.throughput(Throughput::Bytes(size as u64));
    for key_len in [16usize, 32] {
        let key = vec![7; key_len];
        let name = format!("aes{}gcm", key_len * 8);
        group.bench_with_input(BenchmarkId::new(format!("seal_{name}"), "1MiB"), &plaintext, |b, p| {
            b.iter(|| envelope::seal(&key, black_box(p), [0; 12], b"aad"))
        });
        let sealed = envelope::seal(&key, &plaintext, [0; 12], b"aad").unwrap_or_default();
        group.bench_with_input(BenchmarkId::new(format!("open_{name}"), "1MiB"), &sealed, |b, s| {
            b.iter(|| envelope::open(&key, black_box(s), [0; 12], b"aad"))
        });
    }
    group.finish();
}

criterion_group!(benches, hsm, envelope);
criterion_main!(benches);
