//! The lint corpus (tests/lint) run through `kmsim lint --format json`, with the library harness's loader and
//! comparison: the CLI must report the same findings as the library for every case.

#![allow(clippy::expect_used, reason = "test helpers may fail loudly")]

use std::process::Command;

use kmsim_kms::lint::Finding;

#[test]
fn lint_corpus_through_the_cli() {
    let root = kmsim_tests::lint_corpus_dir();
    let files = kmsim_tests::find_case_files(&root).expect("corpus");
    assert!(files.len() >= 30, "only {} cases found", files.len());
    let dir = std::env::temp_dir().join(format!("kmsim-cli-lint-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut failures = Vec::new();
    for (n, f) in files.iter().enumerate() {
        let case: kmsim_tests::LintCase =
            serde_json::from_str(&std::fs::read_to_string(f).expect("read case")).expect("parse case");
        let text = case.policy.source_text().expect("policy text");
        let path = dir.join(format!("{n}.json"));
        std::fs::write(&path, &text).expect("write policy");
        let ty = serde_json::to_value(case.policy.ty).expect("type");
        let args = ["lint", "--format", "json", "--deny", "none", "--type", ty.as_str().unwrap_or("resource")];
        let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).args(args).arg(&path).output().expect("run kmsim");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
        let report = &v[0];
        let found: Vec<Finding> = match (report.get("findings"), report.get("failure")) {
            (Some(findings), _) => serde_json::from_value(findings.clone()).expect("findings"),
            // A policy AWS rejects: the CLI prints the protocol's failure; the corpus expects KMS001 findings.
            (None, Some(failure)) => {
                let lines: Vec<u64> = failure["diagnostics"]
                    .as_array()
                    .expect("diagnostics")
                    .iter()
                    .filter_map(|d| d["span"]["line"].as_u64())
                    .collect();
                let want: Vec<u64> = case.findings.iter().map(|e| u64::from(e.line)).collect();
                if case.findings.iter().any(|e| e.code != "KMS001-invalid-policy") || lines != want {
                    failures.push(format!("{}: the CLI rejected the policy at lines {lines:?}", f.display()));
                }
                assert_eq!(out.status.code(), Some(2), "{}: an invalid policy exits 2", f.display());
                continue;
            }
            _ => panic!("{}: neither findings nor failure: {v}", f.display()),
        };
        let problems = kmsim_tests::check_findings(&case, &text, &found);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", f.display(), problems.join("\n  ")));
        }
        assert_eq!(out.status.code(), Some(0), "{}: --deny none exits 0", f.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}
