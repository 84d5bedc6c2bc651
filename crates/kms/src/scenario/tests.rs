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

/// The 1-based line and column of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u32, column as u32)
}

/// A role with named sessions, `sessions` being the role's `sessions` member's text.
fn with_sessions(sessions: &str) -> String {
    format!(
        "{{\"accounts\": {{\"111122223333\": {{\"roles\": {{\"App\": {{\n\"sessions\": {sessions}}}}}}}}},\n\"steps\": []}}"
    )
}

#[test]
fn sessions_read_from_the_tree_as_serde_json_reads_them() {
    let text = with_sessions(
        r#"{"alice": {"tags": {"tenant": "t1"}, "mfa": true, "mfa_age_seconds": 300, "source_identity": "alice@example.com",
            "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}}}"#,
    );
    let from_tree = Scenario::parse(&text).unwrap().file;
    let from_text: ScenarioFile = serde_json::from_str(&text).unwrap();
    assert_eq!(from_tree, from_text);
    let alice = &from_tree.accounts["111122223333"].roles["App"].sessions["alice"];
    assert_eq!(
        (alice.mfa, alice.mfa_age_seconds, alice.source_identity.as_deref()),
        (Some(true), Some(300), Some("alice@example.com"))
    );
}

#[test]
fn a_sessions_unknown_member_and_bad_values_are_located() {
    let text = with_sessions(r#"{"alice": {"tag": {"tenant": "t1"}}}"#);
    let errs = Scenario::parse(&text).unwrap_err().errors;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].span.line, errs[0].span.column), position(&text, "\"tag\""));
    assert_eq!(&*errs[0].span.path, "/accounts/111122223333/roles/App/sessions/alice/tag");
    assert_eq!(errs[0].message, "unknown field `tag`");
    assert_eq!(errs[0].help.as_deref(), Some("did you mean `tags`?"));

    let text = with_sessions(r#"{"alice": {"mfa": "yes"}}"#);
    let got = errors(&text);
    assert_eq!(
        got,
        vec![(
            position(&text, "\"yes").0,
            position(&text, "\"yes").1,
            "/accounts/111122223333/roles/App/sessions/alice/mfa".to_string(),
            "invalid type: string \"yes\", expected a boolean".to_string()
        )]
    );

    let text = with_sessions(r#"{"a b": {"mfa_age_seconds": 60, "source_identity": "x"}}"#);
    let got = errors(&text);
    let at = |needle: &str| position(&text, needle);
    let want = [
        (
            at("\"a b\"").0,
            at("\"a b\"").1,
            "/accounts/111122223333/roles/App/sessions/a b",
            "`a b` is not a role session name",
        ),
        (
            at("60").0,
            at("60").1,
            "/accounts/111122223333/roles/App/sessions/a b/mfa_age_seconds",
            "`mfa_age_seconds` needs `\"mfa\": true`: a session without MFA has no MFA age",
        ),
        (
            at("\"x\"").0,
            at("\"x\"").1,
            "/accounts/111122223333/roles/App/sessions/a b/source_identity",
            "`x` is not a source identity",
        ),
    ];
    let got: Vec<(u32, u32, &str, &str)> = got.iter().map(|e| (e.0, e.1, e.2.as_str(), e.3.as_str())).collect();
    assert_eq!(got, want);
}

#[test]
fn only_roles_have_sessions_and_a_session_policy_is_checked_in_place() {
    let text = "{\"accounts\": {\"111122223333\": {\"users\": {\"bob\": {\"sessions\": {\"s\": {}}}}}}}";
    let got = errors(text);
    assert_eq!(got.len(), 1, "{got:?}");
    let (line, column) = position(text, "\"sessions\"");
    assert_eq!((got[0].0, got[0].1, got[0].2.as_str()), (line, column, "/accounts/111122223333/users/bob/sessions"));
    assert_eq!(got[0].3, "user `bob` cannot have sessions: only a role is assumed");

    let text = with_sessions(r#"{"alice": {"policy": {"Statement": [{"Efect": "Allow"}]}}}"#);
    let got = errors(&text);
    let at = "/accounts/111122223333/roles/App/sessions/alice/policy/Statement/0/Efect";
    let (line, column) = position(&text, "\"Efect\"");
    assert!(got.iter().any(|e| e.2 == at && (e.0, e.1) == (line, column)), "{got:?}");
}

#[test]
fn a_step_as_a_named_session_gets_its_values_and_its_own_fields_win() {
    let text = r#"{"accounts": {"111122223333": {"roles": {"App": {"tags": {"team": "blue", "tenant": "role"},
        "sessions": {"alice": {"tags": {"tenant": "t1"}, "mfa": true, "mfa_age_seconds": 300, "source_identity": "alice"}}}}}},
      "keys": {"k": {}},
      "steps": [
        {"authorize": {"as": "role/App/alice", "action": "kms:Decrypt", "resource": {"$key": "k"}}},
        {"authorize": {"as": "role/App/alice", "action": "kms:Decrypt", "resource": {"$key": "k"}},
         "session_tags": {"tenant": "t2"}, "mfa_age_seconds": 5},
        {"authorize": {"as": "role/App/bob", "action": "kms:Decrypt", "resource": {"$key": "k"}}}
      ]}"#;
    let run = Scenario::parse(text).unwrap().run(1, true);
    let context = |i: usize| {
        let t = run.steps[i].authorization.as_ref().unwrap();
        serde_json::to_value(&t.context).unwrap()
    };
    let c = context(0);
    assert_eq!(c["aws:PrincipalTag/tenant"], "t1", "the session's tag wins over the role's: {c}");
    assert_eq!(c["aws:PrincipalTag/team"], "blue");
    assert_eq!(c["aws:MultiFactorAuthPresent"], true);
    assert_eq!(c["aws:MultiFactorAuthAge"], 300.0);
    assert_eq!(c["aws:SourceIdentity"], "alice");
    let c = context(1);
    assert_eq!(
        (&c["aws:PrincipalTag/tenant"], &c["aws:MultiFactorAuthAge"]),
        (&serde_json::json!("t2"), &serde_json::json!(5.0))
    );
    let c = context(2);
    assert_eq!(c["aws:PrincipalTag/tenant"], "role", "an undeclared session has only the role's tags");
    assert!(c.get("aws:SourceIdentity").is_none() && c["aws:MultiFactorAuthPresent"] == false);
}
