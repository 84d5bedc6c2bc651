//! `kmsim lint` on real files: the findings as text (snapshot), JSON and SARIF, and the exit code by `--deny`.

#![allow(clippy::expect_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

mod common;

use common::{fixture, kmsim};

#[test]
fn text_shows_every_finding_with_its_snippet_fix_and_page() {
    let (code, out, _) = kmsim(&["lint", &fixture("lint-findings.json")]);
    assert_eq!(code, 1, "errors fail the default threshold:\n{out}");
    insta::assert_snapshot!("lint_findings", out);
}

#[test]
fn deny_sets_the_threshold() {
    let file = fixture("lint-findings.json");
    let code = |deny: &str| kmsim(&["lint", "--deny", deny, &file]).0;
    assert_eq!(code("error"), 1);
    assert_eq!(code("suggestion"), 1);
    assert_eq!(code("none"), 0);
    // Only a security warning (no statement allows the account): below `error`, at `security-warning`.
    let clean = fixture("lint-security-only.json");
    let code = |deny: &str| kmsim(&["lint", "--deny", deny, &clean]).0;
    assert_eq!(code("error"), 0);
    assert_eq!(code("security-warning"), 1);
    assert_eq!(code("warning"), 1);
    // A threshold kmsim does not know is a usage error.
    assert_eq!(kmsim(&["lint", "--deny", "loud", &clean]).0, 3);
}

#[test]
fn json_lists_the_findings_per_file() {
    let (code, out, _) = kmsim(&["lint", "--format", "json", &fixture("lint-findings.json")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let codes: Vec<&str> =
        v[0]["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("code")).collect();
    assert_eq!(
        codes,
        [
            "KMS101-unknown-action",
            "KMS201-unknown-condition-key",
            "KMS303-public-principal",
            "KMS206-ifexists-always-present"
        ]
    );
    let fix = &v[0]["findings"][0]["fix"];
    assert_eq!(fix["replacement"], "\"kms:Encrypt\"");
    assert_eq!(fix["span"]["line"], 15);
    assert_eq!(
        v[0]["findings"][0]["doc_url"],
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html"
    );
}

#[test]
fn sarif_has_rules_results_locations_levels_and_fixes() {
    let (code, out, _) =
        kmsim(&["lint", "--format", "sarif", &fixture("lint-findings.json"), &fixture("bad-policy.json")]);
    assert_eq!(code, 2, "an invalid policy exits 2 whatever the findings");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "kmsim");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), kmsim_kms::lint::RULES.len());
    let results = run["results"].as_array().expect("results");
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let by = |id: &str| results.iter().find(|r| r["ruleId"] == id).expect(id);
    let unknown = by("KMS101-unknown-action");
    assert_eq!(unknown["level"], "error");
    let loc = &unknown["locations"][0];
    assert!(loc["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri").ends_with("lint-findings.json"));
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 15);
    assert_eq!(loc["physicalLocation"]["region"]["startColumn"], 18);
    assert_eq!(loc["logicalLocations"][0]["fullyQualifiedName"], "/Statement/1/Action/0");
    let replacement = &unknown["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "\"kms:Encrypt\"");
    assert_eq!(replacement["deletedRegion"]["byteLength"], 13);
    assert_eq!(by("KMS303-public-principal")["level"], "warning");
    assert_eq!(by("KMS206-ifexists-always-present")["level"], "note");
    // The invalid policy's errors are results too, located in their file.
    let invalid = by("KMS001-invalid-policy");
    let uri = invalid["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
    assert!(uri.ends_with("bad-policy.json"));
    let security = rules.iter().find(|r| r["id"] == "KMS303-public-principal").expect("rule");
    assert_eq!(security["properties"]["security-severity"], "7.0");
}

#[test]
fn help_documents_formats_and_thresholds() {
    let (code, out, _) = kmsim(&["lint", "--help"]);
    assert_eq!(code, 0);
    for needle in ["--deny", "sarif", "security-warning", "none"] {
        assert!(out.contains(needle), "`{needle}` missing from lint --help:\n{out}");
    }
    let (_, out, _) = kmsim(&["--help"]);
    assert!(out.contains("lint\n     found a finding at or above --deny"), "{out}");
}
