//! The hand-written impls against serde_derive's: the same structs, derived, must accept and reject the same texts
//! and values with the same results and the same messages (with serde_json's line and column).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as J};

use crate::scenario::{ScenarioFile, StepSpec};

type PolicyDoc = J;

/// Copies of the scenario file's structs, with `#[derive(Deserialize)]`.
mod derived {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ScenarioFile {
        #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
        pub schema: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub title: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub description: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub exercise: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub seed: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub start_time: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub config: Option<ConfigSpec>,
        #[serde(default)]
        pub accounts: BTreeMap<String, AccountSpec>,
        #[serde(default)]
        pub keys: BTreeMap<String, KeySpecFile>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub grants: Vec<GrantSpec>,
        #[serde(default)]
        pub steps: Vec<StepSpec>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ConfigSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub region: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub grant_propagation_seconds: Option<i64>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PrincipalSpec {
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub tags: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub policies: BTreeMap<String, PolicyDoc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub permissions_boundary: Option<PolicyDoc>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AccountSpec {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub name: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub users: BTreeMap<String, PrincipalSpec>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub roles: BTreeMap<String, PrincipalSpec>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub scps: BTreeMap<String, PolicyDoc>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct KeySpecFile {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key_id: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub description: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub policy: Option<PolicyDoc>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub tags: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub state: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key_spec: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key_usage: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rotation_period_days: Option<u32>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GrantSpec {
        pub key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        pub grantee: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub retiring_principal: Option<String>,
        pub operations: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub constraints: Option<GrantConstraintsSpec>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", deny_unknown_fields)]
    pub struct GrantConstraintsSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub encryption_context_subset: Option<BTreeMap<String, String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub encryption_context_equals: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct StepSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub note: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub call: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub params: Option<J>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub authorize: Option<AuthorizeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub advance: Option<AdvanceSpec>,
        #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
        pub caller: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub via: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mfa: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mfa_age_seconds: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub credentials: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source_ip: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub session_tags: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub session_policy: Option<PolicyDoc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub context: Option<J>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expect: Option<ExpectSpec>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AuthorizeSpec {
        #[serde(rename = "as")]
        pub caller: String,
        pub action: String,
        pub resource: J,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub encryption_context: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AdvanceSpec {
        #[serde(default)]
        pub days: i64,
        #[serde(default)]
        pub hours: i64,
        #[serde(default)]
        pub minutes: i64,
        #[serde(default)]
        pub seconds: i64,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ExpectSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub outcome: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub statement: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub grant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub message_contains: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub response: BTreeMap<String, J>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub events: Option<Vec<String>>,
    }
}

#[derive(Default)]
struct Tally {
    ok: usize,
    err: usize,
}

/// Both read `text` (and its `Value`, when it is JSON) the same.
fn same<A: DeserializeOwned + Serialize, B: DeserializeOwned + Serialize>(text: &str, tally: &mut Tally) {
    let (a, b) = (serde_json::from_str::<A>(text), serde_json::from_str::<B>(text));
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap(), "{text}");
            tally.ok += 1;
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "{text}");
            tally.err += 1;
        }
        (a, b) => panic!("hand-written {:?}, derived {:?}: {text}", a.map(drop), b.map(drop)),
    }
    if let Ok(v) = serde_json::from_str::<J>(text) {
        match (serde_json::from_value::<A>(v.clone()), serde_json::from_value::<B>(v)) {
            (Ok(a), Ok(b)) => assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
            (a, b) => panic!("from a value: hand-written {:?}, derived {:?}: {text}", a.map(drop), b.map(drop)),
        }
    }
}

const HOLE: &str = "\u{1}hole\u{1}";

/// `doc` (pretty printed, so errors are on many lines) with the value at `path` replaced by the text `raw`.
fn splice(doc: &J, path: &[PathStep], raw: &str) -> String {
    let mut d = doc.clone();
    if let Some(slot) = at(&mut d, path) {
        *slot = J::String(HOLE.into());
    }
    serde_json::to_string_pretty(&d).unwrap().replace(&serde_json::to_string(HOLE).unwrap(), raw)
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut J, path: &[PathStep]) -> Option<&'a mut J> {
    let mut cur = v;
    for p in path {
        cur = match p {
            PathStep::Key(k) => cur.get_mut(k.as_str())?,
            PathStep::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Every object and array in `v`, with its path.
fn containers(v: &J, path: Vec<PathStep>, out: &mut Vec<(Vec<PathStep>, J)>) {
    match v {
        J::Object(m) => {
            out.push((path.clone(), v.clone()));
            for (k, c) in m {
                let mut p = path.clone();
                p.push(PathStep::Key(k.clone()));
                containers(c, p, out);
            }
        }
        J::Array(a) => {
            out.push((path.clone(), v.clone()));
            for (i, c) in a.iter().enumerate() {
                let mut p = path.clone();
                p.push(PathStep::Index(i));
                containers(c, p, out);
            }
        }
        _ => {}
    }
}

/// An object's text with its members, plus `extra` (raw member texts) at the end.
fn object_text(m: &serde_json::Map<String, J>, skip: Option<&str>, extra: &[String]) -> String {
    let mut members: Vec<String> = m
        .iter()
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), serde_json::to_string(v).unwrap()))
        .collect();
    members.extend(extra.iter().cloned());
    format!("{{\n{}\n}}", members.join(",\n"))
}

/// Variants of a scenario document: each object with a member removed, renamed, repeated or given another type of
/// value, as an array of its values (whole and shortened), each array's element replaced.
fn variants(doc: &J, samples: &[&str]) -> Vec<String> {
    let mut out = vec![serde_json::to_string_pretty(doc).unwrap()];
    let mut nodes = Vec::new();
    containers(doc, Vec::new(), &mut nodes);
    for (path, node) in nodes {
        match &node {
            J::Object(m) => {
                for (k, v) in m {
                    out.push(splice(doc, &path, &object_text(m, Some(k), &[])));
                    let renamed = format!("{}: {}", serde_json::to_string(&format!("{k}x")).unwrap(), v);
                    out.push(splice(doc, &path, &object_text(m, Some(k), &[renamed])));
                    let again = format!("{}: {}", serde_json::to_string(k).unwrap(), v);
                    out.push(splice(doc, &path, &object_text(m, None, &[again])));
                    for s in samples {
                        let member = format!("{}: {s}", serde_json::to_string(k).unwrap());
                        out.push(splice(doc, &path, &object_text(m, Some(k), &[member])));
                    }
                }
                let values: Vec<J> = m.values().cloned().collect();
                for n in [values.len(), values.len().saturating_sub(1), 1, 0] {
                    let arr = J::Array(values.iter().take(n).cloned().collect());
                    out.push(splice(doc, &path, &serde_json::to_string(&arr).unwrap()));
                }
                out.push(splice(doc, &path, &object_text(m, None, &["\"zzz\": 1".into()])));
            }
            J::Array(a) => {
                for i in 0..a.len().min(3) {
                    let mut p = path.clone();
                    p.push(PathStep::Index(i));
                    for s in samples {
                        out.push(splice(doc, &p, s));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

const SAMPLES: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    "18446744073709551616",
    "\"s\"",
    "[]",
    "{}",
    "[\"s\", 1]",
    "{\"a\": \"b\"}",
    "{\"as\": \"role/App\", \"action\": \"kms:Decrypt\"}",
];

fn lessons() -> Vec<J> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.into_iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
}

#[test]
fn scenario_files_read_as_with_serde_derive() {
    let mut tally = Tally::default();
    let lessons = lessons();
    assert!(lessons.len() >= 12);
    // Five lessons (between them every section and step kind), other types of values on one (debug builds are slow).
    for (i, lesson) in lessons.iter().take(5).enumerate() {
        let samples = if i == 0 { SAMPLES } else { &[] };
        for text in variants(lesson, samples) {
            same::<ScenarioFile, derived::ScenarioFile>(&text, &mut tally);
        }
    }
    assert!(tally.ok > 500 && tally.err > 2000, "{} read, {} rejected", tally.ok, tally.err);
}

#[test]
fn odd_shapes_read_as_with_serde_derive() {
    let mut tally = Tally::default();
    let steps = [
        json!({"call": "Encrypt", "as": "role/App", "params": {"KeyId": "k"}}),
        json!({"authorize": {"as": "root", "action": "kms:Decrypt", "resource": "*", "encryption_context": {}}}),
        json!({"advance": {"days": 1, "hours": 2, "minutes": 3, "seconds": 4}, "expect": {"events": ["x"]}}),
    ];
    let mut texts: Vec<String> = Vec::new();
    for s in &steps {
        texts.extend(variants(s, SAMPLES));
    }
    for t in [
        "",
        "[",
        "{",
        "}",
        "{\"name\"",
        "{\"name\":",
        "{\"name\": \"a\",}",
        "{\"name\": \"a\"} x",
        "[\"a\", \"b\"]",
        "[null, \"\", null, null, null, null, null, null, null, null, null, null, {}, null, null, null]",
        "[null, \"\", null, null, null, null, null, null, null, null, null, null, {}, null, null, null, 1]",
        "{\"authorize\": []}",
        "{\"authorize\": [\"r\", \"a\"]}",
        "{\"authorize\": [\"r\", \"a\", 1, {}, 2]}",
        "{\"\\u006eame\": \"escaped key\"}",
        "{\"nam\\u0065\": 1}",
        "{\"advance\": {\"days\": 1e3}}",
        "{\"advance\": {\"days\": -9223372036854775809}}",
        "{\"mfa_age_seconds\": -1}",
        "{\"mfa\": \"true\"}",
    ] {
        texts.push(t.to_string());
    }
    for t in &texts {
        same::<StepSpec, derived::StepSpec>(t, &mut tally);
    }
    for t in [
        "{\"grants\": [{}]}",
        "{\"grants\": [[\"k\"]]}",
        "{\"grants\": [[\"k\", null, \"g\", null, []]]}",
        "{\"grants\": [{\"key\": \"k\", \"grantee\": \"g\", \"operations\": [], \"constraints\": \
          {\"EncryptionContextSubset\": {}, \"encryptionContextEquals\": {}}}]}",
        "{\"$schema\": 1}",
        "[]",
        "{}",
    ] {
        same::<ScenarioFile, derived::ScenarioFile>(t, &mut tally);
    }
    assert!(tally.ok > 50 && tally.err > 200, "{} read, {} rejected", tally.ok, tally.err);
}
