//! The step editor's and the console's actions (state/steps/mod.rs, state/console.rs), natively.

use std::rc::Rc;

use kmsim_kms::ErrorCode;
use serde_json::json;
use yew::Reducible;

use super::*;
use crate::state::console::{ConsoleAction, Rows};
use crate::state::{Action, State};

fn reduce(state: State, action: Action) -> State {
    (*Rc::new(state).reduce(action)).clone()
}

fn reduce_all(state: State, actions: impl IntoIterator<Item = Action>) -> State {
    actions.into_iter().fold(state, reduce)
}

fn lesson(id: &str) -> State {
    reduce(State::default(), Action::Open { id: id.into(), seed: 1 })
}

fn steps(a: StepAction) -> Action {
    Action::Steps(a)
}

fn console(a: ConsoleAction) -> Action {
    Action::Console(a)
}

fn set(index: usize, p: &[&str], kind: FieldKind, text: &str) -> Action {
    steps(StepAction::SetField { index, path: p.iter().map(|s| s.to_string()).collect(), kind, text: text.into() })
}

fn names(s: &State) -> Vec<String> {
    s.all_steps().map(|st| st.name.clone().unwrap_or_default()).collect()
}

fn outcome(s: &State, i: usize) -> String {
    let r = &s.view_of_run().expect("a run").steps[i];
    let c = r.call.as_ref().expect("a call");
    match &c.response {
        Ok(_) => "success".into(),
        Err(e) => e.code.as_str().into(),
    }
}

fn passed(s: &State) -> bool {
    s.view_of_run().is_some_and(|v| v.passed)
}

#[test]
fn a_step_of_every_kind_is_added_runs_and_is_selected() {
    let mut s = State::default();
    assert_eq!(s.step_count(), 8);
    for (n, kind) in [NewStep::Call, NewStep::Authorize, NewStep::Advance, NewStep::Service].into_iter().enumerate() {
        s = reduce(s, steps(StepAction::Add(kind)));
        assert_eq!(s.step_count(), 9 + n);
        assert_eq!(s.user_steps.len(), n + 1, "added steps are the user's");
        assert_eq!(s.step, Some(8 + n));
        assert!(
            s.run.as_ref().unwrap().result.is_ok(),
            "{kind:?}: {:?}",
            s.run.as_ref().unwrap().result.as_ref().err()
        );
    }
    let v = s.view_of_run().unwrap();
    // The new call encrypts under the first key and succeeds; the authorize step asks a question; the S3 put runs.
    assert!(v.steps[8].call.as_ref().unwrap().is_success());
    assert!(v.steps[9].authorization.is_some());
    assert!(v.steps[10].error.is_none());
    assert!(v.steps[11].service.is_some(), "{:?}", v.steps[11]);
    assert_eq!(s.user_steps[0].name.as_deref(), Some("step"));
    assert_eq!(s.user_steps[3].service.as_ref().unwrap().name, "s3");
}

#[test]
fn duplicate_move_and_delete_keep_the_scenario_and_user_parts() {
    let s = reduce(State::default(), Action::RunCall);
    assert_eq!((s.base.steps.len(), s.user_steps.len()), (8, 1));
    // A named scenario step's copy gets a free name and stays among the scenario's steps.
    let s = reduce(s, steps(StepAction::Duplicate(1)));
    assert_eq!((s.base.steps.len(), s.user_steps.len()), (9, 1));
    assert_eq!(names(&s)[1..3], ["ct".to_string(), "ct-copy".to_string()]);
    assert_eq!(s.step, Some(2));
    assert!(passed(&s), "the copy runs as its original");
    // Moving the last scenario step down swaps it with the user's first.
    let last = s.base.steps.last().cloned().unwrap();
    let s = reduce(s, steps(StepAction::Move { index: 8, up: false }));
    assert_eq!(s.user_steps[0], last);
    assert_eq!(s.base.steps.last().unwrap().name.as_deref(), Some("call1"));
    assert_eq!(s.step, Some(9));
    // Up again, and the edges are no-ops.
    let s = reduce(s, steps(StepAction::Move { index: 9, up: true }));
    assert_eq!(s.user_steps[0].name.as_deref(), Some("call1"));
    let before = s.clone();
    let s = reduce_all(
        s,
        [steps(StepAction::Move { index: 0, up: true }), steps(StepAction::Move { index: 9, up: false })],
    );
    assert_eq!(names(&s), names(&before));
    // Delete the copy (a scenario step) and the user's call.
    let s = reduce_all(s, [steps(StepAction::Delete(2)), steps(StepAction::Delete(8))]);
    assert_eq!((s.base.steps.len(), s.user_steps.len()), (8, 0));
    assert!(!names(&s).contains(&"ct-copy".to_string()));
    assert_eq!(s.step, Some(7));
    assert!(passed(&s));
    // Deleting a step others `$ref` makes the run fail with the place.
    let s = reduce(s, steps(StepAction::Delete(1)));
    let errors = s.run.as_ref().unwrap().result.as_ref().unwrap_err();
    assert!(errors.iter().any(|e| e.contains("/steps/1/params/CiphertextBlob") && e.contains("`ct`")), "{errors:?}");
}

#[test]
fn forms_are_built_from_the_request_shape() {
    let f = call_fields("Encrypt");
    let find = |n: &str| f.iter().find(|x| x.label == n).unwrap_or_else(|| panic!("{n}"));
    assert!(find("KeyId").required && find("Plaintext").required);
    assert!(!find("EncryptionContext").required);
    assert_eq!(f[0].label, "KeyId", "required members first");
    assert_eq!(find("Plaintext").kind, FieldKind::Blob);
    assert_eq!(find("EncryptionContext").kind, FieldKind::Map);
    assert_eq!(find("GrantTokens").kind, FieldKind::List);
    assert!(find("EncryptionAlgorithm").values.contains(&"SYMMETRIC_DEFAULT".to_string()));
    assert_eq!(find("DryRun").kind, FieldKind::Bool);
    let g = call_fields("CreateGrant");
    let ops = g.iter().find(|x| x.label == "Operations").unwrap();
    assert_eq!(ops.kind, FieldKind::List);
    assert!(ops.values.contains(&"RetireGrant".to_string()));
    assert_eq!(g.iter().find(|x| x.label == "Constraints").unwrap().kind, FieldKind::Json);
    assert_eq!(
        call_fields("ScheduleKeyDeletion").iter().find(|x| x.label == "PendingWindowInDays").unwrap().kind,
        FieldKind::Integer
    );
    assert!(call_fields("Nope").is_empty());
    // A service step's fields: the operation's own.
    let put: Vec<String> = service_fields("s3", "PutObject").into_iter().map(|f| f.label).collect();
    assert!(put.starts_with(&["bucket".to_string(), "key".to_string()]), "{put:?}");
    assert!(put.contains(&"bucket_key".to_string()) && put.contains(&"kms_key".to_string()));
    let get: Vec<String> = service_fields("s3", "GetObject").into_iter().map(|f| f.label).collect();
    assert_eq!(get, ["bucket", "key"]);
}

#[test]
fn field_texts_read_and_show_back() {
    let cases: [(FieldKind, &str, serde_json::Value); 9] = [
        (FieldKind::Value, "$key:app", json!({ "$key": "app" })),
        (FieldKind::Value, "$ref:ct.CiphertextBlob", json!({ "$ref": "ct.CiphertextBlob" })),
        (FieldKind::Value, "alias/app", json!("alias/app")),
        (FieldKind::Blob, "hello", json!({ "Text": "hello" })),
        (FieldKind::Blob, "base64:aGk=", json!("aGk=")),
        (FieldKind::Integer, "7", json!(7)),
        (FieldKind::List, "Decrypt, $ref:g.GrantToken", json!(["Decrypt", { "$ref": "g.GrantToken" }])),
        (FieldKind::Map, "tenant=t1, path=/a", json!({ "tenant": "t1", "path": "/a" })),
        (
            FieldKind::Fields,
            "KeyMetadata.KeyState = Disabled\nGrants = {\"$length\": 2}\nN = \"42\"",
            json!({
                "KeyMetadata.KeyState": "Disabled", "Grants": { "$length": 2 }, "N": "42"
            }),
        ),
    ];
    for (kind, text, want) in cases {
        let got = parse(kind, text).unwrap().unwrap();
        assert_eq!(got, want, "{kind:?} {text}");
        assert_eq!(parse(kind, &show(kind, Some(&got))).unwrap().unwrap(), want, "{kind:?} round trip");
    }
    assert_eq!(parse(FieldKind::Value, "  ").unwrap(), None);
    assert_eq!(parse(FieldKind::Integer, "seven").unwrap_err(), "`seven` is not a whole number");
    assert!(parse(FieldKind::Map, "tenant").unwrap_err().contains("key=value"));
    assert!(parse(FieldKind::Json, "{").unwrap_err().starts_with("not JSON"));
}

#[test]
fn a_field_set_through_the_form_changes_the_step_and_the_run() {
    let s = State::default();
    // Step 3 (ScheduleKeyDeletion as App): an integer parameter, then the caller.
    let s = reduce(s, set(3, &["params", "PendingWindowInDays"], FieldKind::Integer, "30"));
    assert_eq!(s.step_at(3).unwrap().params.as_ref().unwrap()["PendingWindowInDays"], 30);
    assert_eq!(s.step, Some(3));
    // Text that does not read is kept, with why, and nothing changes.
    let s = reduce(s, set(3, &["params", "PendingWindowInDays"], FieldKind::Integer, "thirty"));
    let d = s.editing.field_text(3, &["params".into(), "PendingWindowInDays".into()]).unwrap();
    assert_eq!((d.text.as_str(), d.errors.as_slice()), ("thirty", &["`thirty` is not a whole number".to_string()][..]));
    assert_eq!(s.step_at(3).unwrap().params.as_ref().unwrap()["PendingWindowInDays"], 30);
    // Removing a required parameter is a run error at its place.
    let s = reduce(s, set(3, &["params", "KeyId"], FieldKind::Value, ""));
    assert!(s.editing.field.is_none());
    let errors = s.run.as_ref().unwrap().result.as_ref().unwrap_err().clone();
    assert!(errors.iter().any(|e| e.starts_with("/steps/3/params")), "{errors:?}");
    let s = reduce(s, set(3, &["params", "KeyId"], FieldKind::Value, "$key:app"));
    assert!(passed(&s), "{:?}", s.view_of_run().unwrap().steps[3].expectations);
    // Renaming a step renames the `$ref`s to it.
    let s = reduce(s, set(5, &["name"], FieldKind::Text, "bob-ct"));
    assert_eq!(
        s.step_at(6).unwrap().params.as_ref().unwrap()["CiphertextBlob"],
        json!({ "$ref": "bob-ct.CiphertextBlob" })
    );
    assert!(
        passed(&s),
        "{:?}",
        s.view_of_run()
            .unwrap()
            .steps
            .iter()
            .map(|r| (&r.error, r.expectations.iter().filter(|e| !e.held).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn expectations_are_edited_field_by_field() {
    // Lesson 1's exercise: after the fix, step 6 fails; its expectation is edited to say so.
    let s = State::default();
    let doc = s.docs.iter().position(|d| d.loc.pointer().ends_with("/AppKms")).unwrap();
    let fixed = s.docs[doc].source.replace(
        "\"Resource\": \"*\"",
        "\"Resource\": \"arn:aws:kms:us-east-1:111122223333:key/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11\"",
    );
    let s = reduce_all(s, [Action::Edit { doc, source: fixed }, Action::RunAll]);
    assert!(!passed(&s));
    assert_eq!(outcome(&s, 6), "AccessDeniedException");
    assert!(outcome_choices(s.step_at(6).unwrap()).contains(&"AccessDeniedException".to_string()));
    let s = reduce_all(
        s,
        [
            set(6, &["expect", "outcome"], FieldKind::Text, "AccessDeniedException"),
            set(6, &["expect", "statement"], FieldKind::Text, ""),
            set(6, &["expect", "response"], FieldKind::Fields, ""),
        ],
    );
    assert!(passed(&s), "{:?}", s.view_of_run().unwrap().steps[6].expectations);
    // A message and a response field.
    let s = reduce(s, set(6, &["expect", "message_contains"], FieldKind::Text, "no identity-based policy"));
    assert!(passed(&s), "{:?}", s.view_of_run().unwrap().steps[6].expectations);
    let s = reduce(s, set(1, &["expect", "response"], FieldKind::Fields, "KeyId = nope"));
    assert!(!passed(&s));
    let s = reduce(s, set(1, &["expect", "response"], FieldKind::Fields, ""));
    assert!(passed(&s));
    assert!(s.step_at(1).unwrap().expect.as_ref().unwrap().response.is_empty());
    // The statement choices are the world's Sids.
    assert!(statement_choices(&s.docs).contains(&"AllowAppCrypto".to_string()));
}

#[test]
fn observed_outcomes_become_expectations() {
    let s = State::default();
    let doc = s.docs.iter().position(|d| d.loc.pointer() == "/keys/app/policy").unwrap();
    let source = s.docs[doc].source.replace("\"kms:Encrypt\",", "");
    let s = reduce_all(s, [Action::Edit { doc, source }, Action::RunAll]);
    assert_eq!(outcome(&s, 1), "AccessDeniedException");
    let s = reduce(s, steps(StepAction::KeepObserved(1)));
    let e = s.step_at(1).unwrap().expect.clone().unwrap();
    assert_eq!((e.outcome.as_deref(), e.statement.as_deref()), (Some("AccessDeniedException"), None));
    assert!(s.view_of_run().unwrap().steps[1].expectations.iter().all(|x| x.held));
    // An allowed call keeps its deciding statement; a grant is named.
    let s = lesson("lesson:05-grants");
    let s = reduce_all(s, [set(5, &["expect"], FieldKind::Json, ""), steps(StepAction::KeepObserved(5))]);
    let e = s.step_at(5).unwrap().expect.clone().unwrap();
    assert_eq!((e.outcome.as_deref(), e.grant.as_deref()), (Some("success"), Some("job-42")));
    assert!(passed(&s));
    // An authorize step's decision.
    let s = lesson("lesson:01-least-privilege");
    let s = reduce_all(s, [set(4, &["expect"], FieldKind::Json, ""), steps(StepAction::KeepObserved(4))]);
    assert_eq!(s.step_at(4).unwrap().expect.as_ref().unwrap().outcome.as_deref(), Some("implicit-deny"));
}

#[test]
fn a_service_step_is_edited_from_its_operation_fields() {
    let s = reduce(State::default(), steps(StepAction::Add(NewStep::Service)));
    let i = s.step_count() - 1;
    let s = reduce(s, steps(StepAction::SetService { index: i, name: "s3".into(), operation: "GetObject".into() }));
    let svc = s.step_at(i).unwrap().service.clone().unwrap();
    assert_eq!(
        (svc.operation.as_str(), svc.bucket.as_deref(), svc.value.as_deref()),
        ("GetObject", Some("my-bucket"), None)
    );
    let s = reduce(s, steps(StepAction::SetService { index: i, name: "ssm".into(), operation: "PutParameter".into() }));
    let svc = s.step_at(i).unwrap().service.clone().unwrap();
    assert_eq!((svc.name.as_str(), svc.parameter.as_deref(), svc.bucket.as_deref()), ("ssm", Some("/app/param"), None));
    assert!(s.run.as_ref().unwrap().result.is_ok(), "{:?}", s.run.as_ref().unwrap().result.as_ref().err());
    // Its KMS calls' expectations.
    let s = reduce(s, steps(StepAction::KeepObserved(i)));
    let e = s.step_at(i).unwrap().expect.clone().unwrap();
    assert!(!e.kms_calls.as_ref().unwrap().is_empty(), "{e:?}");
    let s = reduce(s, set(i, &["expect", "kms_calls", "0", "outcome"], FieldKind::Text, "AccessDeniedException"));
    assert!(!passed(&s));
    assert_eq!(
        s.step_at(i).unwrap().expect.as_ref().unwrap().kms_calls.as_ref().unwrap()[0].outcome.as_deref(),
        Some("AccessDeniedException")
    );
}

#[test]
fn a_step_written_as_json_is_checked_with_line_column_and_path() {
    let s = State::default();
    let s = reduce(s, steps(StepAction::SetJson { index: 2, text: "{\n  \"call\": \"Decrypt\",\n  \"as\": \"role/App\",\n  \"params\": {\"CiphertextBlob\": {\"$ref\": \"nope.CiphertextBlob\"}}\n}".into() }));
    let d = s.editing.json.clone().unwrap();
    assert_eq!(d.index, 2);
    assert!(
        d.errors
            .iter()
            .any(|e| e.starts_with("line 4, column ") && e.contains("/params/CiphertextBlob") && e.contains("`nope`")),
        "{:?}",
        d.errors
    );
    // A syntax error, and an unknown field.
    let s = reduce(s, steps(StepAction::SetJson { index: 2, text: "{\n  \"call\": \"Decrypt\",\n  oops\n}".into() }));
    let errors = s.editing.json.clone().unwrap().errors;
    assert!(errors.iter().any(|e| e.starts_with("line 3, column 3")), "{errors:?}");
    let s = reduce(
        s,
        steps(StepAction::SetJson {
            index: 2,
            text: "{\"call\": \"Decrypt\", \"as\": \"role/App\", \"colour\": 1}".into(),
        }),
    );
    let errors = s.editing.json.clone().unwrap().errors;
    assert!(errors.iter().any(|e| e.starts_with("line 1, column ") && e.contains("colour")), "{errors:?}");
    assert!(passed(&s), "nothing was applied");
    // A good text is applied (here: an expectation of rules' kind the form lacks: an audit record).
    let text = r#"{"call": "Decrypt", "as": "role/App", "params": {"CiphertextBlob": {"$ref": "ct.CiphertextBlob"}},
 "expect": {"outcome": "success", "audit": [{"eventName": "Decrypt"}]}}"#;
    let s = reduce(s, steps(StepAction::SetJson { index: 2, text: text.into() }));
    assert!(s.editing.json.is_none());
    assert_eq!(s.step_at(2).unwrap().expect.as_ref().unwrap().audit.as_ref().unwrap().len(), 1);
    assert!(passed(&s));
}

#[test]
fn choices_come_from_the_world_and_earlier_steps() {
    let s = lesson("lesson:05-grants");
    let refs = ref_choices(&s, 5);
    assert!(
        refs.contains(&"$ref:g42.GrantToken".to_string()) && refs.contains(&"$ref:ct42.CiphertextBlob".to_string()),
        "{refs:?}"
    );
    assert!(!refs.iter().any(|r| r.starts_with("$ref:g43")), "only earlier steps");
    assert!(grant_choices(&s).contains(&"job-42".to_string()));
    let keys = key_value_choices(&s);
    assert!(keys.contains(&"$key:jobs".to_string()) && keys.contains(&"$keyId:jobs".to_string()));
    let who = principal_choices(&lesson("lesson:01-least-privilege"));
    for p in ["role/App", "root", "444455556666:user/bob", "444455556666:root", "s3.amazonaws.com"] {
        assert!(who.contains(&p.to_string()), "{p}: {who:?}");
    }
}

#[test]
fn console_rows_and_how_the_call_is_made() {
    let s = lesson("lesson:06-encryption-context");
    let s = reduce_all(
        s,
        [
            Action::SetCaller("role/App".into()),
            Action::SetOperation("Decrypt".into()),
            Action::SetParams(r#"{"CiphertextBlob": {"$ref": "plain-ct.CiphertextBlob"}}"#.into()),
            Action::AddEcRow,
            Action::SetEcKey { row: 0, key: "tenant".into() },
            Action::SetEcValue { row: 0, value: "t1".into() },
            Action::AddEcRow,
            Action::SetEcKey { row: 1, key: "path".into() },
            Action::SetEcValue { row: 1, value: "/a".into() },
            console(ConsoleAction::AddRow(Rows::SessionTags)),
            console(ConsoleAction::SetRowKey { rows: Rows::SessionTags, row: 0, key: "tenant".into() }),
            console(ConsoleAction::SetRowValue { rows: Rows::SessionTags, row: 0, value: "t2".into() }),
            console(ConsoleAction::AddRow(Rows::Keys)),
            console(ConsoleAction::SetRowKey { rows: Rows::Keys, row: 0, key: "aws:SourceVpc".into() }),
            console(ConsoleAction::SetRowValue { rows: Rows::Keys, row: 0, value: "vpc-1".into() }),
            console(ConsoleAction::SetMfaAge("120".into())),
            console(ConsoleAction::SetSourceVpce("vpce-1a2b3c4d".into())),
            Action::RunCall,
        ],
    );
    assert!(s.console_error.is_none(), "{:?}", s.console_error);
    let step = s.user_steps.last().unwrap();
    assert_eq!(step.session_tags.get("tenant").map(String::as_str), Some("t2"));
    assert_eq!(
        (step.mfa, step.mfa_age_seconds, step.source_vpce.as_deref()),
        (Some(true), Some(120), Some("vpce-1a2b3c4d"))
    );
    let c = s.view_of_run().unwrap().steps.last().unwrap().call.clone().unwrap();
    let ctx = &c.trace.authorizations[0].context;
    for k in ["aws:PrincipalTag/tenant", "aws:SourceVpc", "aws:SourceVpce", "aws:MultiFactorAuthAge"] {
        assert!(ctx.get(k).is_some(), "{k}: {ctx:?}");
    }
    // A t2 session decrypting t1's record with its context: the lesson's hole, allowed as written.
    assert!(c.is_success(), "{:?}", c.response);
    // The encryption context goes only to operations that take one.
    let s = reduce_all(s, [Action::SetOperation("DescribeKey".into()), Action::RunCall]);
    assert!(s.console_error.is_none(), "{:?}", s.console_error);
    assert!(s.user_steps.last().unwrap().params.as_ref().unwrap().get("EncryptionContext").is_none());
    assert!(crate::state::console::takes_context("Decrypt") && !crate::state::console::takes_context("CreateGrant"));
    // A bad MFA age is refused with what is wrong.
    let s = reduce_all(s, [console(ConsoleAction::SetMfaAge("soon".into())), Action::RunCall]);
    assert_eq!(s.console_error.as_deref(), Some("MFA age: `soon` is not a number of seconds"));
}

#[test]
fn the_console_runs_after_a_chosen_step_and_keeps_the_call() {
    // Lesson 5: grant job-43 is revoked by step 17.
    let s = lesson("lesson:05-grants");
    let count = s.step_count();
    let retire = |s: State, caller: &str| {
        reduce_all(
            s,
            [
                Action::SetOperation("RetireGrant".into()),
                Action::SetCaller(caller.into()),
                Action::SetParams(r#"{"KeyId": {"$key": "jobs"}, "GrantId": {"$ref": "g43.GrantId"}}"#.into()),
                Action::RunCall,
            ],
        )
    };
    // After every step: the grant is gone.
    let s = retire(s, "role/Scheduler");
    assert_eq!(outcome(&s, count), "NotFoundException");
    let s = reduce(s, Action::UndoStep);
    // After step 16 (before the revoke): the retiring principal retires it; the grantee Worker may not.
    let s = reduce(s, console(ConsoleAction::SetAfter(Some(16))));
    assert_eq!(s.console_after(), Some(16));
    let s = retire(s, "role/Scheduler");
    assert!(s.console_error.is_none(), "{:?}", s.console_error);
    assert_eq!(s.step_count(), count, "a trial adds nothing");
    let t = s.trial.clone().unwrap();
    assert_eq!((t.after, t.run.steps.len()), (16, 18));
    assert!(t.run.steps[17].call.as_ref().unwrap().is_success());
    let s = retire(s, "role/Worker");
    let t = s.trial.clone().unwrap();
    assert_eq!(t.run.steps[17].call.as_ref().unwrap().error_code(), Some(ErrorCode::AccessDeniedException));
    // Kept: it becomes step 17 with what it produced as its expectation; the revoke after it now finds nothing.
    let s = reduce(s, console(ConsoleAction::Keep));
    assert!(s.trial.is_none());
    assert_eq!(s.step_count(), count + 1);
    assert_eq!(s.step, Some(17));
    let kept = s.step_at(17).unwrap();
    assert_eq!((kept.call.as_deref(), kept.caller.as_deref()), (Some("RetireGrant"), Some("role/Worker")));
    assert_eq!(kept.expect.as_ref().unwrap().outcome.as_deref(), Some("AccessDeniedException"));
    assert!(s.view_of_run().unwrap().steps[17].expectations.iter().all(|e| e.held));
    assert!(passed(&s), "the Worker's refused retire changes nothing");
    // Back to "after every step": a console call is added, and Keep gives it its expectation.
    let s = reduce_all(
        s,
        [console(ConsoleAction::SetAfter(None)), Action::SetOperation("DescribeKey".into()), Action::RunCall],
    );
    assert_eq!(s.step_count(), count + 2);
    assert!(s.can_keep());
    let s = reduce(s, console(ConsoleAction::Keep));
    // App may not describe the key: the refusal is what it expects now, and it holds.
    assert_eq!(s.user_steps.last().unwrap().expect.as_ref().unwrap().outcome.as_deref(), Some("AccessDeniedException"));
    assert!(passed(&s));
}

#[test]
fn templates_name_the_last_step_that_made_a_ciphertext() {
    // Lesson 1 with Encrypt refused: step `ct` fails, so Decrypt's template names the call that succeeded.
    let s = State::default();
    let s = reduce_all(s, [Action::RunCall, Action::SetOperation("Decrypt".into())]);
    assert!(s.call.params.contains("call1.CiphertextBlob"), "{}", s.call.params);
    let doc = s.docs.iter().position(|d| d.loc.pointer() == "/keys/app/policy").unwrap();
    let source = s.docs[doc].source.replace("\"kms:Encrypt\",", "");
    let s = reduce_all(s, [Action::Edit { doc, source }, Action::RunAll, Action::SetOperation("Decrypt".into())]);
    // call1 (Encrypt as App) and ct now fail; partner-ct (bob, the partner key) is the last that made one.
    assert!(s.call.params.contains("partner-ct.CiphertextBlob"), "{}", s.call.params);
    // "After step 1": only what steps 0 and 1 made.
    let s = reduce(State::default(), console(ConsoleAction::SetAfter(Some(1))));
    assert!(s.call.params.contains("ct.CiphertextBlob") || s.call.operation != "Decrypt");
    let s = reduce(s, Action::SetOperation("Decrypt".into()));
    assert!(s.call.params.contains("\"ct.CiphertextBlob\""), "{}", s.call.params);
}

#[test]
fn old_snapshots_and_links_still_open_with_the_new_console_fields() {
    let s = reduce_all(
        State::default(),
        [console(ConsoleAction::AddRow(Rows::SessionTags)), console(ConsoleAction::SetAfter(Some(2))), Action::RunCall],
    );
    let snap = s.snapshot();
    let back = State::from_snapshot(crate::share::decode(&crate::share::encode(&snap)).unwrap());
    assert_eq!(back.call, s.call);
    // A snapshot written before these fields (no session_tags, after, ...) reads with them empty.
    let mut old = serde_json::to_value(&snap).unwrap();
    old["call"] = json!({ "operation": "Encrypt", "caller": "role/App", "key": "$key:app", "params": "{}" });
    let old: crate::model::Snapshot = serde_json::from_value(old).unwrap();
    let back = State::from_snapshot(old);
    assert_eq!((back.call.after, back.call.session_tags.len()), (None, 0));
}

#[test]
fn the_console_fields_write_the_parameters_json() {
    let path = |m: &str| vec!["params".to_string(), m.to_string()];
    let s = reduce_all(
        State::default(),
        [
            Action::SetOperation("ScheduleKeyDeletion".into()),
            console(ConsoleAction::SetParam {
                path: path("PendingWindowInDays"),
                kind: FieldKind::Integer,
                text: "30".into(),
            }),
            console(ConsoleAction::SetParam { path: path("KeyId"), kind: FieldKind::Value, text: "alias/app".into() }),
        ],
    );
    let params: serde_json::Value = serde_json::from_str(&s.call.params).unwrap();
    assert_eq!(params, json!({ "KeyId": "alias/app", "PendingWindowInDays": 30 }));
    // A bad value says which member; unreadable JSON is not overwritten.
    let s = reduce(
        s,
        console(ConsoleAction::SetParam {
            path: path("PendingWindowInDays"),
            kind: FieldKind::Integer,
            text: "x".into(),
        }),
    );
    assert_eq!(s.console_error.as_deref(), Some("PendingWindowInDays: `x` is not a whole number"));
    let s = reduce_all(
        s,
        [
            Action::SetParams("{ oops".into()),
            console(ConsoleAction::SetParam { path: path("KeyId"), kind: FieldKind::Value, text: "a".into() }),
        ],
    );
    assert_eq!(s.call.params, "{ oops");
    assert_eq!(s.console_error.as_deref(), Some("fix the parameters' JSON to use the fields"));
    // Emptied, a member goes; the params object stays.
    let s = reduce_all(
        s,
        [
            Action::SetParams("{\"KeyId\": \"a\"}".into()),
            console(ConsoleAction::SetParam { path: path("KeyId"), kind: FieldKind::Value, text: "".into() }),
        ],
    );
    assert_eq!(serde_json::from_str::<serde_json::Value>(&s.call.params).unwrap(), json!({}));
}

#[test]
fn adding_steps_after_a_step_json_that_does_not_read_keeps_the_app_running() {
    // The reducer's side of a browser crash found after the merge (the DOM side: steps.spec.ts, keyed StepDetail).
    let mut s = reduce(lesson("lesson:01-least-privilege"), Action::SelectStep(2));
    let text = "{\n  \"call\": \"Decrypt\",\n  \"as\": \"role/App\",\n  \"params\": {\"CiphertextBlob\": {\"$ref\": \"nope.CiphertextBlob\"}}\n}";
    s = reduce(s, steps(StepAction::SetJson { index: 2, text: text.into() }));
    let before = s.step_count();
    for kind in [NewStep::Authorize, NewStep::Advance, NewStep::Service] {
        s = reduce(s, steps(StepAction::Add(kind)));
    }
    assert_eq!(s.step_count(), before + 3);
    assert_eq!(s.step, Some(before + 2));
}

/// Lesson 14 with its exercise's documents changed (steps 1 and 2): the responder may put a key policy, and the rule
/// `lock-on-foreign-decrypt` puts one with the Deny `IncidentLock`.
fn lesson_14_locked() -> State {
    let s = lesson("lesson:14-automated-incident-response");
    let doc = |s: &State, p: &str| s.docs.iter().position(|d| d.loc.pointer() == p).unwrap();
    let respond = doc(&s, "/accounts/111122223333/roles/IncidentResponder/policies/respond");
    let source = s.docs[respond].source.replace("\"kms:TagResource\"", "\"kms:TagResource\", \"kms:PutKeyPolicy\"");
    let s = reduce(s, Action::Edit { doc: respond, source });
    let rule = doc(&s, "/rules/0");
    let mut v: serde_json::Value = serde_json::from_str(&s.docs[rule].source).unwrap();
    v["actions"].as_array_mut().unwrap().push(json!({"action": "PutKeyPolicy", "params": {"Policy": {
        "Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "IncidentLock", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}}}));
    reduce_all(s, [Action::Edit { doc: rule, source: v.to_string() }, Action::RunAll])
}

#[test]
fn a_rule_firings_expected_actions_are_fields_offered_from_the_run() {
    let s = lesson_14_locked();
    let r = &s.view_of_run().unwrap().steps[1];
    let firing = &r.rules.as_ref().unwrap().firings[0];
    let want = s.step_at(1).unwrap().expect.as_ref().unwrap().rules.clone().unwrap();
    let base = ["expect", "rules", "0"].map(String::from).to_vec();
    let fields = rule_fields(&base, want.first(), Some(firing), &["lock-on-foreign-decrypt".into()]);
    let labels: Vec<&str> = fields.iter().map(|f| f.label.as_str()).collect();
    // The firing ran four actions: a field for each one's name and outcome, the run's value offered first.
    assert_eq!(labels.len(), 9, "{labels:?}");
    assert_eq!(labels[7], "actions.3.action");
    assert_eq!(fields[7].path.last().unwrap(), "actions.3.action");
    assert_eq!(fields[7].values.first().map(String::as_str), Some("PutKeyPolicy"));
    assert_eq!(fields[8].values.first().map(String::as_str), Some("success"));
    // Set from the form: the expectation holds; a wrong action is reported.
    let path: Vec<&str> = ["expect", "rules", "0", "actions.3.action"].to_vec();
    let s = reduce_all(
        s,
        [
            set(1, &path, FieldKind::Text, "PutKeyPolicy"),
            set(1, &["expect", "rules", "0", "actions.3.outcome"], FieldKind::Text, "success"),
        ],
    );
    let want = &s.step_at(1).unwrap().expect.as_ref().unwrap().rules.as_ref().unwrap()[0];
    assert_eq!(want.get("actions.3.action"), Some(&json!("PutKeyPolicy")));
    assert!(s.view_of_run().unwrap().steps[1].expectations.iter().all(|e| e.held));
    let s = reduce(s, set(1, &path, FieldKind::Text, "DisableKey"));
    let failed: Vec<String> =
        s.view_of_run().unwrap().steps[1].expectations.iter().filter(|e| !e.held).map(|e| e.what.clone()).collect();
    assert_eq!(failed, ["rule firing 0 actions.3.action"]);
    // A notification's fields offer what was published.
    let n = published(&s.view_of_run().unwrap().steps[1]);
    let note = notification_fields(&["expect".into(), "notifications".into(), "0".into()], n.first().copied());
    assert_eq!(note[0].values, ["security-alerts"]);
}

#[test]
fn what_a_step_did_includes_the_rules_that_fired_and_what_they_published() {
    let s = lesson_14_locked();
    // Pending deletion, the app's Decrypt is now refused by the lock: the alarm rule no longer fires.
    assert_eq!(outcome(&s, 6), "AccessDeniedException");
    assert!(!passed(&s));
    let s = reduce(s, steps(StepAction::KeepObserved(6)));
    let e = s.step_at(6).unwrap().expect.clone().unwrap();
    assert_eq!((e.outcome.as_deref(), e.statement.as_deref()), (Some("AccessDeniedException"), Some("IncidentLock")));
    assert_eq!((e.rules, e.notifications), (Some(vec![]), Some(vec![])));
    assert!(s.view_of_run().unwrap().steps[6].expectations.iter().all(|x| x.held));
    // The foreign Decrypt: the firing with its four actions, the notification with its topic and rule, and the
    // fields the old expectation named besides.
    let s = reduce(s, steps(StepAction::KeepObserved(1)));
    let e = s.step_at(1).unwrap().expect.clone().unwrap();
    let rules = e.rules.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].get("rule"), Some(&json!("lock-on-foreign-decrypt")));
    assert_eq!(rules[0].get("actions.3.action"), Some(&json!("PutKeyPolicy")));
    assert_eq!(rules[0].get("actions.3.outcome"), Some(&json!("success")));
    let notes = e.notifications.unwrap();
    assert_eq!(notes[0].get("topic"), Some(&json!("security-alerts")));
    assert!(s.view_of_run().unwrap().steps[1].expectations.iter().all(|x| x.held));
    // A step after which nothing fired and that expected nothing of rules still expects nothing of them.
    let s = reduce(s, steps(StepAction::KeepObserved(3)));
    assert_eq!(s.step_at(3).unwrap().expect.as_ref().unwrap().rules, None);
}
