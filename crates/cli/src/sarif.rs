//! SARIF 2.1.0 output of `kmsim lint` (for code scanning in CI): one run, the rules from the lint's finding codes
//! (`kmsim_kms::lint::RULES`), one result per finding with its location and fix.
//!
//! Levels: `error` for an error, `warning` for a security warning (tagged `security`, with a `security-severity`
//! that code scanning reads) and a warning, `note` for a suggestion. Columns count Unicode code points, as kmsim's
//! spans do (`columnKind: unicodeCodePoints`). Format: OASIS SARIF 2.1.0,
//! <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>.

use kmsim_kms::lint::{Finding, Severity, RULES};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

fn region(f: &kmsim_policy::Span) -> Value {
    json!({
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
        "byteOffset": f.offset,
        "byteLength": f.len,
    })
}

/// The SARIF log of the findings of every file (`(file, findings)`, files in the order given).
pub fn log(files: &[(String, Vec<Finding>)]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let mut properties = json!({ "tags": ["kms", "iam-policy"] });
            if r.severity == Severity::SecurityWarning {
                properties = json!({ "tags": ["kms", "iam-policy", "security"], "security-severity": "7.0" });
            }
            json!({
                "id": r.code,
                "shortDescription": { "text": r.summary },
                "helpUri": r.doc_url,
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": properties,
            })
        })
        .collect();
    let results: Vec<Value> =
        files.iter().flat_map(|(file, findings)| findings.iter().map(move |f| result(file, f))).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kmsim",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn result(file: &str, f: &Finding) -> Value {
    let text = match &f.help {
        Some(h) => format!("{} ({h})", f.message),
        None => f.message.clone(),
    };
    let mut r = serde_json::Map::new();
    let base = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": file }, "region": region(&f.location) },
            "logicalLocations": [{ "fullyQualifiedName": &*f.location.path, "kind": "member" }],
        }],
    });
    if let Value::Object(fields) = base {
        r.extend(fields);
    }
    if let Some(i) = RULES.iter().position(|rule| rule.code == f.code) {
        r.insert("ruleIndex".into(), json!(i));
    }
    if let Some(fix) = &f.fix {
        let fixes = json!([{
            "description": { "text": fix.title },
            "artifactChanges": [{
                "artifactLocation": { "uri": file },
                "replacements": [{
                    "deletedRegion": { "byteOffset": fix.span.offset, "byteLength": fix.span.len },
                    "insertedContent": { "text": fix.replacement },
                }],
            }],
        }]);
        r.insert("fixes".into(), fixes);
    }
    Value::Object(r)
}
