//! The policy conformance corpus (tests/conformance/policy) run through the `kmsim eval` command, with the same case
//! loader the library harness uses: the CLI must reach the same decision as the library for every case.

#![allow(clippy::expect_used, reason = "test helpers may fail loudly")]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn policy_corpus_through_the_cli() {
    let root = kmsim_tests::policy_corpus_dir();
    let files = kmsim_tests::find_case_files(&root).expect("corpus");
    assert!(files.len() >= 150, "only {} cases found", files.len());
    let dir = std::env::temp_dir().join(format!("kmsim-cli-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut failures = Vec::new();
    for (n, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).expect("read case");
        let case = kmsim_tests::parse_case(&text).expect("parse case");
        let mut args: Vec<String> = vec!["eval".into(), "--format".into(), "json".into()];
        for (i, p) in case.policies.iter().enumerate() {
            let path: PathBuf = dir.join(format!("{n}-{i}.json"));
            std::fs::write(&path, p.source_text().expect("policy text")).expect("write policy");
            let ty = serde_json::to_value(p.ty).expect("type");
            args.push("--policy".into());
            let level = p.level.map(|l| format!("@{l}")).unwrap_or_default();
            args.push(format!("{}{level}:{}", ty.as_str().unwrap_or("identity"), path.display()));
        }
        let req = dir.join(format!("{n}-request.json"));
        std::fs::write(&req, serde_json::to_string(&case.request).expect("request")).expect("write request");
        args.push("--request".into());
        args.push(req.display().to_string());
        let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).args(&args).output().expect("run kmsim");
        let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{}: no JSON output ({e}): {}",
                    f.display(),
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let want = serde_json::to_value(case.expect.decision).expect("decision");
        if v["decision"] != want {
            failures.push(format!("{}: expected {want}, the CLI said {}", f.display(), v["decision"]));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), files.len(), failures.join("\n"));
    println!("policy conformance through the CLI: {} cases, {} passed, 0 failed", files.len(), files.len());
}

/// The KMS scenario corpus and the lessons through `kmsim check`: every file must pass (exit 0), and a file with a
/// wrong expectation must make the command fail.
#[test]
fn kms_corpus_and_lessons_through_kmsim_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["tests/conformance/kms", "lessons"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("corpus dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        assert!(!found.is_empty(), "no scenarios in {dir}");
        files.append(&mut found);
    }
    files.sort();
    let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).arg("check").args(&files).output().expect("run kmsim");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "kmsim check failed:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.lines().filter(|l| l.starts_with("PASS")).count(), files.len(), "{text}");

    // The same command fails when one expectation is wrong.
    let first = std::fs::read_to_string(&files[0]).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&first).expect("json");
    let step = v["steps"]
        .as_array_mut()
        .and_then(|s| s.iter_mut().find(|s| s["expect"]["outcome"].is_string()))
        .expect("a step with an outcome");
    let flipped = if step["expect"]["outcome"] == "success" { "AccessDeniedException" } else { "success" };
    step["expect"]["outcome"] = serde_json::json!(flipped);
    let tmp = std::env::temp_dir().join(format!("kmsim-flipped-{}.json", std::process::id()));
    std::fs::write(&tmp, v.to_string()).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).arg("check").arg(&tmp).output().expect("run kmsim");
    let _ = std::fs::remove_file(&tmp);
    assert_eq!(out.status.code(), Some(1));
    println!("kmsim check: {} scenarios, {} passed, 0 failed", files.len(), files.len());
}
