//! Reading scenarios from the located tree: the same file as serde_json reads, errors with line, column and
//! pointer, one problem per member and per step; files built in code; the world builder's key ARNs.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

use super::*;

pub(super) fn lessons() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lessons");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn errors(text: &str) -> Vec<(u32, u32, String, String)> {
    let errs = Scenario::parse(text).unwrap_err().errors;
    errs.into_iter().map(|e| (e.span.line, e.span.column, e.span.path.to_string(), e.message)).collect()
}

#[test]
fn lessons_read_from_the_tree_as_serde_json_reads_their_text() {
    let lessons = lessons();
    assert!(lessons.len() >= 12);
    for (name, text) in lessons {
        let from_tree = Scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}")).file;
        let from_text: ScenarioFile = serde_json::from_str(&text).unwrap();
        assert_eq!(from_tree, from_text, "{name}");
    }
}

#[test]
fn type_errors_point_at_the_value_with_its_pointer() {
    let text = "{\n  \"seed\": \"x\",\n  \"keys\": { \"k\": { \"aliases\": [\"a\", 5] } }\n}";
    let got = errors(text);
    assert_eq!(
        got,
        vec![
            (
                2,
                11,
                "/seed".to_string(),
                "invalid type: string \"x\", expected a non-negative whole number".to_string()
            ),
            (3, 37, "/keys/k/aliases/1".to_string(), "invalid type: integer `5`, expected a string".to_string()),
        ]
    );
}

#[test]
fn unknown_members_point_at_their_name_and_every_step_is_checked() {
    let text = r#"{"titel": "t", "accounts": {"111122223333": {}},
"steps": [{"call": "Encrypt", "as": "root", "parms": {}}, {"advance": {"days": 1.5}}, {"call": "Nope", "as": "root"}]}"#;
    let errs = Scenario::parse(text).unwrap_err().errors;
    let got: Vec<(u32, u32, &str, &str)> =
        errs.iter().map(|e| (e.span.line, e.span.column, &*e.span.path, e.message.as_str())).collect();
    assert_eq!(got[0], (1, 2, "/titel", "unknown field `titel`"));
    assert_eq!(errs[0].help.as_deref(), Some("did you mean `title`?"));
    assert_eq!(got[1].0, 2);
    assert_eq!(got[1].2, "/steps/0/parms");
    assert_eq!(got[1].3, "unknown field `parms`");
    assert_eq!(errs[1].help.as_deref(), Some("did you mean `params`?"));
    assert_eq!(got[2].2, "/steps/1/advance/days");
    assert_eq!(got[2].3, "invalid type: floating point `1.5`, expected a whole number");
    assert_eq!(got[3].2, "/steps/2/call");
    assert_eq!(got[3].3, "unknown operation `Nope`");
    assert_eq!(got.len(), 4);
}

#[test]
fn policy_errors_keep_their_place_in_the_file() {
    let text = "{\"accounts\": {\"111122223333\": {}},\n \"keys\": {\"k\": {\"policy\": {\"Statement\": [{\"Efect\": \"Allow\"}]}}}}";
    let got = errors(text);
    assert!(got.iter().any(|e| e.2 == "/keys/k/policy/Statement/0/Efect" && e.0 == 2 && e.1 == 43), "{got:?}");
}

#[test]
fn a_file_built_in_code_is_checked_with_pointers_only() {
    let mut file = ScenarioFile::default();
    file.keys
        .insert("k".into(), KeySpecFile { policy: Some(serde_json::json!({"Statement": 5})), ..Default::default() });
    file.steps.push(StepSpec { call: Some("Encrpyt".into()), ..Default::default() });
    let errs = Scenario::from_file(file).unwrap_err().errors;
    let paths: Vec<&str> = errs.iter().map(|e| &*e.span.path).collect();
    assert!(paths.contains(&"/steps/0/call"), "{paths:?}");
    assert!(paths.contains(&"/keys/k"), "{paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("/keys/k/policy")), "{paths:?}");
    assert!(errs.iter().all(|e| e.span.line == 0 && e.span.column == 0));
}

#[test]
fn from_file_runs_as_the_parsed_text_does() {
    for (name, text) in lessons() {
        let parsed = Scenario::parse(&text).unwrap();
        let built = Scenario::from_file(parsed.file.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Object policies are compiled from their compact JSON here (their spans differ), so compare the results.
        let view = |r: ScenarioRun| -> Vec<(String, Vec<Expectation>, Option<String>)> {
            r.steps.into_iter().map(|s| (s.summary, s.expectations, s.error)).collect()
        };
        let (a, b) = (parsed.run(7, true), built.run(7, true));
        assert_eq!(a.passed, b.passed, "{name}");
        assert_eq!(view(a), view(b), "{name}");
    }
}

#[test]
fn the_world_builder_returns_every_keys_arn() {
    for (name, text) in lessons() {
        let s = Scenario::parse(&text).unwrap();
        let (world, arns) = s.build(7);
        assert_eq!(arns.len(), s.file.keys.len(), "{name}");
        for (k, arn) in &arns {
            let key = world.key(arn).unwrap_or_else(|| panic!("{name}: key {k} has no key at {arn}"));
            if let Some(id) = &s.file.keys[k].key_id {
                assert_eq!(&key.key_id, id);
            }
        }
    }
}
