//! What the CLI's test files share: their fixtures and running the `kmsim` binary.

#![allow(clippy::expect_used, dead_code, reason = "test helpers may fail loudly; each test file uses some")]

use std::path::PathBuf;
use std::process::Command;

/// The path of a file in `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name).display().to_string()
}

/// Runs `kmsim` without colours: its exit code, stdout and stderr, with fixture paths shortened to `fixtures/`.
pub fn kmsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).args(args).env("NO_COLOR", "1").output().expect("run kmsim");
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&fixture(""), "fixtures/");
    (out.status.code().unwrap_or(-1), clean(&out.stdout), clean(&out.stderr))
}
