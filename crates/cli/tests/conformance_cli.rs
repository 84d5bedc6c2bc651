//! The policy conformance corpus (tests/conformance/policy) run through the `kmsim eval` command, with the same case
//! loader the library harness uses: the CLI must reach the same decision as the library for every case.

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
            args.push(format!("{}:{}", ty.as_str().unwrap_or("identity"), path.display()));
        }
        let req = dir.join(format!("{n}-request.json"));
        std::fs::write(&req, serde_json::to_string(&case.request).expect("request")).expect("write request");
        args.push("--request".into());
        args.push(req.display().to_string());
        let out = Command::new(env!("CARGO_BIN_EXE_kmsim")).args(&args).output().expect("run kmsim");
        let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: no JSON output ({e}): {}", f.display(), String::from_utf8_lossy(&out.stderr)));
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
