//! Parses a key policy N times, for instruction counts that a loaded machine cannot blur:
//!
//! ```text
//! cargo build --release -p kmsim-policy --example parse_count
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/parse_count kms-case 1000
//! ```
//!
//! The instructions per parse are (total with N - total with 0) / N. `kms-case` is the key policy of the shared
//! KMS benchmark case (`keyPolicy` in `kms-case.mjs`, as `JSON.stringify` writes it: `benches/kms-case-key-policy.json`);
//! `bench` is the pretty-printed key policy of `benches/evaluate.rs` (`benches/key-policy.json`).

use std::hint::black_box;
use std::process::ExitCode;

use kmsim_policy::{Policy, PolicyType};

const KMS_CASE: &str = include_str!("../benches/kms-case-key-policy.json");
const BENCH: &str = include_str!("../benches/key-policy.json");

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let source = match args.next().as_deref() {
        Some("kms-case") => KMS_CASE,
        Some("bench") => BENCH,
        _ => {
            eprintln!("usage: parse_count kms-case|bench N");
            return ExitCode::from(2);
        }
    };
    let Some(n) = args.next().and_then(|a| a.parse::<usize>().ok()) else {
        eprintln!("usage: parse_count kms-case|bench N");
        return ExitCode::from(2);
    };
    let mut statements = 0;
    for _ in 0..n {
        match Policy::parse(black_box(source), PolicyType::Resource) {
            Ok(p) => statements += p.statements().len(),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{n} parses, {statements} statements");
    ExitCode::SUCCESS
}
