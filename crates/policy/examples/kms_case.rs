//! The shared KMS benchmark case natively (`kms-case.mjs`: its 6-statement key policy as `JSON.stringify` writes it,
//! and its main request, AppRole `kms:Decrypt` via S3 with the encryption context), timed for a while and printed as
//! a rate, so that the side-by-side harness (`crates/wasm/bench/side-by-side.mjs` with `NATIVE=`) can run it in its
//! rounds, alternating with the JS evaluators: ratios from one run.
//!
//! ```text
//! cargo build --release -p kmsim-policy --example kms_case
//! target/release/examples/kms_case authorize-trace 1000   # decisions per second with the full trace, for 1000 ms
//! ```
//!
//! Modes: `authorize-trace` / `authorize` (AWS's evaluation logic, `authorize`, what the JS `evaluate` runs, with and
//! without the trace), `parse` (parse and compile the key policy). Prints `RATE` (per second) on one line.
//!
//! `kms_case MODE --runs N` runs the mode exactly N times instead (dropping each result) and prints N, for instruction
//! counts that a loaded machine cannot blur: per run = (count with N - count with 0) / N, e.g.
//! `valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/kms_case authorize-trace --runs 2000`.

#![expect(clippy::print_stdout, clippy::print_stderr, reason = "a command-line example")]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kmsim_policy::{
    authorize, Context, ContextValue, EvalOptions, Policy, PolicyType, Principal, PrincipalKind, Request, SetPolicy,
    Value,
};

const KMS_CASE: &str = include_str!("../benches/kms-case-key-policy.json");
const ACCOUNT: &str = "111122223333";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn request() -> Request {
    let mut c = Context::new();
    c.insert_string("kms:ViaService", "s3.us-east-1.amazonaws.com");
    c.insert_string("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::app-bucket");
    c.insert("kms:EncryptionContextKeys", ContextValue::Multi(vec![Value::String("aws:s3:arn".into())]));
    c.insert_string("aws:MultiFactorAuthPresent", "false");
    Request {
        principal: Principal {
            arn: format!("arn:aws:iam::{ACCOUNT}:role/AppRole"),
            kind: PrincipalKind::Role,
            account: Some(ACCOUNT.into()),
            role_arn: None,
            permissions_boundary: false,
        },
        action: "kms:Decrypt".into(),
        resource: KEY_ARN.into(),
        context: c,
        resource_account: None,
    }
}

/// Runs `f` in batches until `ms` have passed; the rate per second.
fn rate(ms: u64, f: &mut dyn FnMut()) -> f64 {
    let (start, limit) = (Instant::now(), Duration::from_millis(ms));
    let mut n = 0u64;
    while start.elapsed() < limit {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = n as f64 / start.elapsed().as_secs_f64();
    rate
}

/// Runs `f` exactly `n` times; returns `n`.
fn runs(n: u64, f: &mut dyn FnMut()) -> f64 {
    for _ in 0..n {
        f();
    }
    #[expect(clippy::cast_precision_loss, reason = "a count")]
    let n = n as f64;
    n
}

const USAGE: &str = "usage: kms_case authorize-trace|authorize|parse MS | --runs N";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (count, n) = match args.get(1).map(String::as_str) {
        Some("--runs") => (true, args.get(2).and_then(|a| a.parse::<u64>().ok())),
        other => (false, other.and_then(|a| a.parse::<u64>().ok())),
    };
    let (Some(mode), Some(n)) = (args.first(), n) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let time = |f: &mut dyn FnMut()| if count { runs(n, f) } else { rate(n, f) };
    let policy = match Policy::parse(KMS_CASE, PolicyType::Resource) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let set = [SetPolicy { policy: &policy, level: 0 }];
    let req = request();
    let r = match mode.as_str() {
        "authorize-trace" => {
            time(&mut || drop(black_box(authorize(&set, black_box(&req), EvalOptions { trace: true }))))
        }
        "authorize" => time(&mut || drop(black_box(authorize(&set, black_box(&req), EvalOptions { trace: false })))),
        "parse" => time(&mut || drop(black_box(Policy::parse(black_box(KMS_CASE), PolicyType::Resource)))),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!("{r:.0}");
    ExitCode::SUCCESS
}
