//! A realistic KMS authorization: a 6-statement key policy plus two identity policies, evaluated together with the
//! trace off and on; a 32 KB key policy; parsing; long single-line policies (an oversized one, one with thousands of
//! errors) whose positions must not cost a rescan of the line.
//!
//! Run: `cargo bench -p kmsim-policy --bench evaluate -- --warm-up-time 1 --measurement-time 3`

#![expect(clippy::expect_used, reason = "benchmark setup: the fixed policies are valid")]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kmsim_policy::{
    evaluate, evaluate_all, Context, ContextValue, EvalOptions, Policy, PolicyType, Principal, Request, Value,
};

const KEY_POLICY: &str = include_str!("key-policy.json");
/// The key policy of the shared KMS benchmark case (`keyPolicy` in `kms-case.mjs`) as `JSON.stringify` writes it,
/// which is what the JS benchmarks parse.
const KMS_CASE_KEY_POLICY: &str = include_str!("kms-case-key-policy.json");

const IDENTITY_1: &str = include_str!("identity-1.json");

const IDENTITY_2: &str = include_str!("identity-2.json");

fn request() -> Request {
    let mut c = Context::new();
    c.insert_string("kms:ViaService", "ec2.us-east-1.amazonaws.com");
    c.insert_string("kms:EncryptionContext:tenant", "t-42");
    c.insert(
        "kms:EncryptionContextKeys",
        ContextValue::Multi(vec![Value::String("tenant".into()), Value::String("path".into())]),
    );
    c.insert_string("kms:CallerAccount", "111122223333");
    c.insert_string("aws:SourceIp", "203.0.113.7");
    c.insert_bool("aws:ViaAWSService", true);
    c.insert_bool("aws:MultiFactorAuthPresent", true);
    Request {
        principal: Principal::from_arn("arn:aws:sts::111122223333:assumed-role/App/i-0abc"),
        action: "kms:Decrypt".into(),
        resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        context: c,
        resource_account: None,
    }
}

/// A key policy just under 32,768 bytes: many per-role statements with conditions.
fn big_policy() -> String {
    let mut statements = Vec::new();
    let mut i = 0;
    loop {
        let s = format!(
            r#"{{"Sid": "Role {i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/Role{i}"}}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": {{"StringEquals": {{"kms:EncryptionContext:tenant": "t-{i}"}}, "StringLike": {{"kms:ViaService": "*.us-east-1.amazonaws.com"}}}}}}"#
        );
        let candidate = format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{},\n{s}]}}", statements.join(",\n"));
        if candidate.len() > 32_768 {
            break;
        }
        statements.push(s);
        i += 1;
    }
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}", statements.join(",\n"))
}

/// One line: a key policy statement whose `Action` list has `n` entries equal to `entry`.
fn one_line_policy(entry: &str, n: usize) -> String {
    let head = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Resource": "*", "Action": ["#;
    format!("{head}{}\"kms:Encrypt\"]}}]}}", format!("\"{entry}\", ").repeat(n))
}

fn benches(c: &mut Criterion) {
    let key = Policy::parse(KEY_POLICY, PolicyType::Resource).expect("key policy");
    let id1 = Policy::parse(IDENTITY_1, PolicyType::Identity).expect("identity 1");
    let id2 = Policy::parse(IDENTITY_2, PolicyType::Identity).expect("identity 2");
    let req = request();
    let all = [&key, &id1, &id2];

    let mut g = c.benchmark_group("kms_decision");
    g.throughput(Throughput::Elements(1));
    g.bench_function("3_policies_trace_off", |b| {
        b.iter(|| evaluate_all(black_box(&all), black_box(&req), EvalOptions { trace: false }))
    });
    g.bench_function("3_policies_trace_on", |b| {
        b.iter(|| evaluate_all(black_box(&all), black_box(&req), EvalOptions { trace: true }))
    });
    g.finish();

    let big_src = big_policy();
    let big = Policy::parse(&big_src, PolicyType::Resource).expect("32 KB policy");
    let mut big_req = req.clone();
    big_req.principal = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/Role77/s");
    big_req.context.insert_string("kms:EncryptionContext:tenant", "t-77");
    let mut g = c.benchmark_group("policy_32k");
    g.bench_function(format!("evaluate_{}_bytes_{}_statements", big_src.len(), big.statements().len()), |b| {
        b.iter(|| evaluate(black_box(&big), black_box(&big_req), EvalOptions { trace: false }))
    });
    g.bench_function("evaluate_trace_on", |b| {
        b.iter(|| evaluate(black_box(&big), black_box(&big_req), EvalOptions { trace: true }))
    });
    g.bench_function("parse", |b| b.iter(|| Policy::parse(black_box(&big_src), PolicyType::Resource)));
    g.finish();

    c.bench_function("parse_key_policy", |b| b.iter(|| Policy::parse(black_box(KEY_POLICY), PolicyType::Resource)));
    c.bench_function("parse_key_policy_kms_case", |b| {
        b.iter(|| Policy::parse(black_box(KMS_CASE_KEY_POLICY), PolicyType::Resource))
    });

    let mut g = c.benchmark_group("long_line");
    let oversized = one_line_policy("kms:Decrypt", 12_400_000 / 15);
    g.bench_function(format!("parse_oversized_{}_bytes", oversized.len()), |b| {
        b.iter(|| Policy::parse(black_box(&oversized), PolicyType::Resource))
    });
    let errors = one_line_policy("bad", 4000);
    g.bench_function(format!("parse_{}_bytes_4000_errors", errors.len()), |b| {
        b.iter(|| Policy::parse(black_box(&errors), PolicyType::Resource))
    });
    g.finish();
}

criterion_group!(policy, benches);
criterion_main!(policy);
