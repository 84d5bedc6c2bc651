//! The snapshots' hand-written `Deserialize` impls (`kmsim_kms::fields!` in `model` and `legacy`) against
//! serde_derive's: the same texts and values must read the same or fail with the same message.

use kmsim_kms::scenario::{ScenarioFile, StepSpec};
use kmsim_policy::PolicyType;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value as J};

use crate::legacy::SnapshotV1;
use crate::model::Snapshot;
use crate::state::{Action, State};

#[expect(dead_code, reason = "the fields are compared through `Debug`, which the lint does not count")]
mod derived {
    use super::*;

    #[derive(Debug, Deserialize)]
    pub struct EcRow {
        pub key: String,
        pub value: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct CallForm {
        pub operation: String,
        pub caller: String,
        pub key: String,
        pub params: String,
        #[serde(default)]
        pub context: Vec<EcRow>,
        #[serde(default)]
        pub mfa: bool,
        #[serde(default)]
        pub via: String,
        #[serde(default)]
        pub source_ip: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct Snapshot {
        pub v: u32,
        #[serde(default)]
        pub origin: Option<String>,
        pub scenario: ScenarioFile,
        #[serde(default)]
        pub steps: Vec<StepSpec>,
        #[serde(default)]
        pub doc: Option<String>,
        #[serde(default)]
        pub step: Option<usize>,
        #[serde(default)]
        pub call: Option<CallForm>,
    }

    #[derive(Debug, Deserialize)]
    pub struct DocV1 {
        pub name: String,
        #[serde(rename = "type")]
        pub ty: PolicyType,
        pub source: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct ContextRowV1 {
        pub key: String,
        #[serde(rename = "type", default = "string_type")]
        pub ty: String,
        pub value: String,
    }

    fn string_type() -> String {
        "string".to_string()
    }

    #[derive(Debug, Deserialize)]
    pub struct RequestV1 {
        pub principal: String,
        pub action: String,
        pub resource: String,
        #[serde(default)]
        pub context: Vec<ContextRowV1>,
    }

    #[derive(Debug, Deserialize)]
    pub struct SnapshotV1 {
        pub docs: Vec<DocV1>,
        pub request: RequestV1,
    }
}

/// Both read `text` (and its value) alike: the same result (compared by `Debug`) or the same message.
fn same<A: DeserializeOwned + std::fmt::Debug, B: DeserializeOwned + std::fmt::Debug>(text: &str) -> bool {
    let show = |r: Result<String, serde_json::Error>| r.map_err(|e| e.to_string());
    let a = show(serde_json::from_str::<A>(text).map(|a| format!("{a:?}")));
    let b = show(serde_json::from_str::<B>(text).map(|b| format!("{b:?}")));
    // The derived types' Debug names them the same, field for field.
    assert_eq!(a, b, "{text}");
    if let Ok(v) = serde_json::from_str::<J>(text) {
        let a = show(serde_json::from_value::<A>(v.clone()).map(|a| format!("{a:?}")));
        let b = show(serde_json::from_value::<B>(v).map(|b| format!("{b:?}")));
        assert_eq!(a, b, "{text}");
    }
    a.is_ok()
}

const SAMPLES: &[&str] =
    &["null", "true", "7", "-1", "1.5", "\"s\"", "\"identity\"", "[]", "{}", "[\"a\", \"b\", \"c\"]"];

/// `doc` with, in every object, each member removed, repeated, renamed or given each sample value, and an unknown
/// member added; each object also as the array of its values.
fn variants(doc: &J) -> Vec<String> {
    let mut out = vec![doc.to_string()];
    let mut paths = Vec::new();
    walk(doc, &mut Vec::new(), &mut paths);
    for path in paths {
        let Some(J::Object(m)) = get(doc, &path) else { continue };
        let mut edits: Vec<String> = Vec::new();
        let member = |k: &str, v: &str| format!("{}:{v}", J::from(k));
        let all: Vec<(String, String)> = m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
        let text = |members: Vec<String>| format!("{{{}}}", members.join(","));
        for (k, v) in &all {
            let others = || all.iter().filter(|(k2, _)| k2 != k).map(|(k2, v2)| member(k2, v2));
            edits.push(text(others().collect()));
            edits.push(text(others().chain([member(&format!("{k}_"), v)]).collect()));
            edits.push(text(all.iter().map(|(k2, v2)| member(k2, v2)).chain([member(k, v)]).collect()));
            for s in SAMPLES {
                edits.push(text(others().chain([member(k, s)]).collect()));
            }
        }
        edits.push(text(all.iter().map(|(k, v)| member(k, v)).chain([member("zzz", "[1, {\"a\": 2}]")]).collect()));
        edits.push(format!("[{}]", all.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>().join(",")));
        for e in edits {
            out.push(splice(doc, &path, &e));
        }
    }
    out
}

fn walk(v: &J, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        J::Object(m) => {
            out.push(path.clone());
            // The scenario inside is checked by kmsim_kms's tests: only its top level here.
            if path.last().is_some_and(|p| p == "scenario") {
                return;
            }
            for (k, c) in m {
                path.push(k.clone());
                walk(c, path, out);
                path.pop();
            }
        }
        J::Array(a) => {
            for (i, c) in a.iter().enumerate().take(2) {
                path.push(i.to_string());
                walk(c, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get<'a>(v: &'a J, path: &[String]) -> Option<&'a J> {
    path.iter().try_fold(v, |cur, p| match cur {
        J::Array(a) => a.get(p.parse::<usize>().ok()?),
        _ => cur.get(p),
    })
}

fn splice(doc: &J, path: &[String], raw: &str) -> String {
    let hole = "\u{1}hole\u{1}";
    let mut d = doc.clone();
    let slot = path.iter().try_fold(&mut d, |cur, p| match cur {
        J::Array(a) => a.get_mut(p.parse::<usize>().ok()?),
        _ => cur.get_mut(p),
    });
    if let Some(slot) = slot {
        *slot = J::String(hole.into());
    }
    serde_json::to_string_pretty(&d).unwrap().replace(&J::from(hole).to_string(), raw)
}

#[test]
fn snapshots_read_as_with_serde_derive() {
    let state = (*yew::Reducible::reduce(std::rc::Rc::new(State::default()), Action::RunCall)).clone();
    let snapshot = serde_json::to_value(state.snapshot()).unwrap();
    let mut with_call = snapshot.clone();
    with_call["call"] = json!({"operation": "Encrypt", "caller": "role/App", "key": "k", "params": "{}",
        "context": [{"key": "a", "value": "b"}], "mfa": true, "via": "ec2", "source_ip": "10.0.0.1"});
    with_call["doc"] = json!("/keys/app/policy");
    with_call["step"] = json!(1);
    let (mut ok, mut err) = (0, 0);
    for doc in [snapshot, with_call] {
        for text in variants(&doc) {
            if same::<Snapshot, derived::Snapshot>(&text) {
                ok += 1;
            } else {
                err += 1;
            }
        }
    }
    let v1: J = serde_json::from_str(super::tests::V1_JSON).unwrap();
    for text in variants(&v1) {
        if same::<SnapshotV1, derived::SnapshotV1>(&text) {
            ok += 1;
        } else {
            err += 1;
        }
    }
    assert!(ok > 100 && err > 300, "{ok} read, {err} rejected");
}
