//! The `kmsim` process and its output channels: a closed pipe, a full disk, usage errors, and diagnostics on very
//! long lines (issue 10, items 4 and 5).

#![allow(clippy::expect_used, clippy::indexing_slicing, reason = "test helpers may fail loudly")]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kmsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kmsim"));
    c.env("NO_COLOR", "1").env("RUST_BACKTRACE", "1");
    c
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmsim-cli-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

/// Spawns `kmsim ARGS`, reads the first 10 bytes of its stdout, closes the pipe, and returns (exit code, stderr).
fn read_ten_bytes_then_close(args: &[&str]) -> (Option<i32>, String) {
    let mut child = kmsim().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn kmsim");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 10];
    stdout.read_exact(&mut first).expect("10 bytes of output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_pipe_ends_the_command_silently_with_its_own_exit_code() {
    // The JSON report of lesson 5 is ~650 KB, far more than a pipe buffer: kmsim is still writing when the pipe closes.
    let lesson = root().join("lessons/05-grants.json");
    let lesson = lesson.to_str().expect("utf-8 path");
    let (code, err) = read_ten_bytes_then_close(&["run", lesson, "--format", "json", "--seed", "1"]);
    assert_eq!(code, Some(0), "stderr: {err}");
    assert!(err.is_empty(), "nothing on stderr after a closed pipe: {err}");

    // A scenario whose expectation fails: still exit 1 (the code the output would have had), still silent.
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(lesson).expect("read")).expect("json");
    let step = v["steps"]
        .as_array_mut()
        .and_then(|s| s.iter_mut().find(|s| s["expect"]["outcome"] == "success"))
        .expect("a step expecting success");
    step["expect"]["outcome"] = serde_json::json!("AccessDeniedException");
    let failing = tmp("failing.json");
    std::fs::write(&failing, v.to_string()).expect("write");
    let (code, err) =
        read_ten_bytes_then_close(&["run", failing.to_str().expect("path"), "--format", "json", "--seed", "1"]);
    assert_eq!(code, Some(1), "stderr: {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_full_disk_is_one_line_on_stderr_and_exit_3() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    let lesson = root().join("lessons/05-grants.json");
    for format in ["json", "text"] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
        let out = kmsim()
            .args(["run", lesson.to_str().expect("path"), "--format", format])
            .stdout(full)
            .output()
            .expect("run kmsim");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{format}: {err}");
        assert_eq!(err, "error: cannot write the output: no space left on device\n", "{format}");
    }
}

#[test]
fn usage_errors_exit_3_as_the_help_says_and_help_exits_0() {
    let (help, _) = output(kmsim().arg("--help"));
    assert_eq!(help.0, Some(0));
    assert!(help
        .1
        .contains("3  a file could not be read, the output could not be written, or the command line is wrong"));
    for args in
        [&["run", "--bogus", "x.json"][..], &["frobnicate"], &[], &["run"], &["run", "x.json", "--format", "xml"]]
    {
        let ((code, stdout), stderr) = output(kmsim().args(args));
        assert_eq!(code, Some(3), "kmsim {args:?}: {stderr}");
        assert!(stdout.is_empty(), "kmsim {args:?}: usage errors go to stderr");
        assert!(!stderr.is_empty() && !stderr.contains("panicked"), "kmsim {args:?}: {stderr}");
    }
    for args in [&["--version"][..], &["run", "--help"], &["help"], &["help", "check"]] {
        let ((code, stdout), stderr) = output(kmsim().args(args));
        assert_eq!(code, Some(0), "kmsim {args:?}: {stderr}");
        assert!(!stdout.is_empty(), "kmsim {args:?}");
    }
    // A closed pipe on --help is no error either.
    let (code, err) = read_ten_bytes_then_close(&["--help"]);
    assert_eq!(code, Some(0), "{err}");
}

fn output(c: &mut Command) -> ((Option<i32>, String), String) {
    let out = c.output().expect("run kmsim");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    ((out.status.code(), text(&out.stdout)), text(&out.stderr))
}

#[test]
fn json_help_says_what_the_seed_gives_away() {
    let ((code, help), _) = output(kmsim().args(["run", "--help"]));
    assert_eq!(code, Some(0));
    assert!(help.contains("Anyone holding the seed can recompute every key"), "{help}");
    let ((_, help), _) = output(kmsim().args(["check", "--help"]));
    assert!(help.contains("The JSON holds no seed"), "{help}");
}

/// One diagnostic as printed: the location line, the snippet line and the caret line.
struct Printed {
    line: usize,
    column: usize,
    snippet: String,
    caret: usize,
}

fn diagnostics(text: &str) -> Vec<Printed> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(loc) = l.strip_prefix(" --> ") else { continue };
        let place = loc.split(' ').next().expect("place");
        let mut parts = place.rsplitn(3, ':');
        let column: usize = parts.next().and_then(|c| c.parse().ok()).expect("column");
        let line: usize = parts.next().and_then(|c| c.parse().ok()).expect("line");
        let snippet = lines[i + 2].split_once(" | ").map(|(_, s)| s.to_string()).expect("snippet line");
        let caret_line = lines[i + 3].split_once(" | ").map(|(_, s)| s.to_string()).expect("caret line");
        let caret = caret_line.find('^').expect("a caret");
        out.push(Printed { line, column, snippet, caret });
    }
    out
}

/// Checks that each diagnostic's caret stands under character `column` of line `line` of `source`.
fn check_carets(source: &str, printed: &[Printed]) {
    let src_lines: Vec<&str> = source.lines().collect();
    for p in printed {
        assert!(p.line >= 1 && p.column >= 1);
        let line = src_lines[p.line - 1];
        assert!(p.snippet.chars().count() <= 102, "snippet of {} chars", p.snippet.chars().count());
        // What is shown from the caret on is the line from the column on (up to the window's cut).
        let shown: String = p.snippet.chars().skip(p.caret).take_while(|c| *c != '…').collect();
        let actual: String = line.chars().skip(p.column - 1).take(shown.chars().count()).collect();
        assert!(!shown.is_empty(), "the caret is under a character");
        assert_eq!(shown, actual, "caret of the diagnostic at {}:{}", p.line, p.column);
    }
}

#[test]
fn a_minified_scenario_with_a_thousand_errors_prints_short_snippets() {
    // Lesson 1 minified onto one line, with 1,000 bad steps (a misspelt operation and an unknown field each).
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("lessons/01-least-privilege.json")).expect("read"))
            .expect("json");
    let steps = v["steps"].as_array_mut().expect("steps");
    for i in 0..500 {
        steps.push(serde_json::json!({ "call": "Encrpyt", "as": "role/App", "params": { "KeyId": format!("k{i}") } }));
        steps.push(serde_json::json!({ "call": "Encrypt", "as": "role/App", "colour": i }));
    }
    let text = serde_json::to_string(&v).expect("json");
    assert!(!text.contains('\n') && text.len() > 38_000, "{} bytes", text.len());
    let file = tmp("minified.json");
    std::fs::write(&file, &text).expect("write");
    let out = kmsim().arg("check").arg(&file).output().expect("run kmsim");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    let printed = diagnostics(&err);
    assert_eq!(printed.len(), 1000, "{}", err.lines().last().unwrap_or(""));
    assert!(err.trim_end().ends_with("1000 errors"));
    check_carets(&text, &printed);
    // ~250 bytes a diagnostic; the whole line each time would be 1,000 x 45 KB.
    assert!(err.len() < 1000 * 400, "{} bytes of diagnostics", err.len());
}

#[test]
fn a_minified_policy_with_many_errors_prints_short_snippets() {
    // Within a key policy's 32 KB limit (an oversized policy gets only its size error), on one line.
    let statements: Vec<serde_json::Value> = (0..400)
        .map(|i| serde_json::json!({ "Sid": format!("S{i}"), "Efect": "Allow", "Action": "kms:Decrypt", "Resource": "*" }))
        .collect();
    let text = serde_json::json!({ "Version": "2012-10-17", "Statement": statements }).to_string();
    assert!(!text.contains('\n') && text.len() > 25_000 && text.len() < 32_768, "{} bytes", text.len());
    let file = tmp("minified-policy.json");
    std::fs::write(&file, &text).expect("write");
    let out = kmsim().args(["lint", "--type", "resource"]).arg(&file).output().expect("run kmsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    let printed = diagnostics(&stdout);
    assert!(printed.len() >= 400, "{} diagnostics", printed.len());
    check_carets(&text, &printed);
    assert!(stdout.len() < printed.len() * 400, "{} bytes for {} diagnostics", stdout.len(), printed.len());
}
