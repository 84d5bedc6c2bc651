use super::*;
use kmsim_kms::ErrorCode;
use kmsim_policy::Decision;

use crate::share;

fn reduce(state: State, action: Action) -> State {
    (*Rc::new(state).reduce(action)).clone()
}

fn reduce_all(state: State, actions: impl IntoIterator<Item = Action>) -> State {
    actions.into_iter().fold(state, reduce)
}

fn doc_index(s: &State, pointer: &str) -> usize {
    s.docs.iter().position(|d| d.loc.pointer() == pointer).unwrap()
}

fn last_outcome(s: &State) -> &kmsim_kms::CallOutcome {
    let run = s.view_of_run().expect("a run");
    run.steps.last().and_then(|r| r.call.as_ref()).expect("a call")
}

/// Lesson 1 with `kms:Encrypt` removed from the key users' statement `AllowAppCrypto`.
fn without_encrypt(s: &State) -> (usize, String) {
    let doc = doc_index(s, "/keys/app/policy");
    let source = s.docs[doc].source.replace("\"kms:Encrypt\",", "");
    assert_ne!(source, s.docs[doc].source);
    (doc, source)
}

#[test]
fn the_first_lesson_opens_run_and_green() {
    let s = State::default();
    assert_eq!(s.origin.as_deref(), Some("lesson:01-least-privilege"));
    assert_eq!(s.base.seed, Some(101));
    let run = s.view_of_run().unwrap();
    assert!(run.passed);
    assert_eq!(run.steps.len(), 8);
    assert_eq!(s.step, Some(0));
    assert_eq!(
        (s.call.operation.as_str(), s.call.caller.as_str(), s.call.key.as_str()),
        ("Encrypt", "role/App", "$key:app")
    );
}

#[test]
fn a_console_call_is_appended_run_and_selected() {
    let s = reduce(State::default(), Action::RunCall);
    assert_eq!(s.user_steps.len(), 1);
    assert_eq!(s.user_steps[0].name.as_deref(), Some("call1"));
    assert_eq!(s.step, Some(8));
    let out = last_outcome(&s);
    assert!(out.is_success(), "{:?}", out.response);
    assert!(s.console_error.is_none());
    // The template now decrypts what call1 made ...
    let s = reduce(s, Action::SetOperation("Decrypt".into()));
    assert!(s.call.params.contains("call1.CiphertextBlob"), "{}", s.call.params);
    let s = reduce(s, Action::RunCall);
    let out = last_outcome(&s);
    assert_eq!(out.response.as_ref().unwrap()["Plaintext"], "aGVsbG8=");
    // ... and the audit log has both calls.
    let audit = &s.view_of_run().unwrap().audit;
    let names: Vec<&str> = audit.iter().rev().take(2).map(|r| &*r.event_name).collect();
    assert_eq!(names, vec!["Decrypt", "Encrypt"]);
}

#[test]
fn editing_the_key_policy_denies_and_fixing_it_allows() {
    let s = State::default();
    let (doc, denied) = without_encrypt(&s);
    let original = s.docs[doc].source.clone();
    let s = reduce(s, Action::Edit { doc, source: denied });
    assert!(s.run.as_ref().unwrap().stale);
    let s = reduce(s, Action::RunCall);
    let out = last_outcome(&s);
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    let a = &out.trace.authorizations[0];
    assert_eq!(a.decision, Decision::ImplicitDeny);
    // The lesson's own step 1 (Encrypt as App) no longer meets its expectation.
    assert!(!s.view_of_run().unwrap().passed);
    let s = reduce_all(s, [Action::Edit { doc, source: original }, Action::RunAll]);
    assert!(s.view_of_run().unwrap().passed, "the lesson is green again (the user's denied call has no expectation)");
    let out = last_outcome(&s);
    assert!(out.is_success(), "the replayed call is allowed now");
}

#[test]
fn a_broken_document_blocks_the_run_with_its_name() {
    let s = State::default();
    let doc = doc_index(&s, "/keys/app/policy");
    let s = reduce_all(s, [Action::Edit { doc, source: "{".into() }, Action::RunAll]);
    assert!(!s.docs[doc].errors.is_empty());
    let errors = s.run.as_ref().unwrap().result.as_ref().unwrap_err();
    assert_eq!(errors, &vec!["fix the errors in `key app · key policy` first".to_string()]);
}

#[test]
fn an_invalid_call_is_refused_and_nothing_is_added() {
    let s = reduce_all(State::default(), [Action::SetParams("{ nope".into()), Action::RunCall]);
    assert!(s.console_error.as_deref().unwrap().starts_with("the parameters are not JSON"), "{:?}", s.console_error);
    assert!(s.user_steps.is_empty());
    let s = reduce_all(s, [Action::SetParams("{}".into()), Action::SetOperation("NoSuchCall".into()), Action::RunCall]);
    let err = s.console_error.clone().unwrap();
    assert!(err.contains("/steps/8/call: unknown operation `NoSuchCall`"), "{err}");
    assert!(s.user_steps.is_empty());
    assert!(s.view_of_run().is_some(), "the previous run is kept");
}

#[test]
fn console_fields_shape_the_step() {
    let s = reduce_all(
        State::default(),
        [
            Action::SetKey("alias/app".into()),
            Action::AddEcRow,
            Action::SetEcKey { row: 0, key: "tenant".into() },
            Action::SetEcValue { row: 0, value: "a".into() },
            Action::AddEcRow,
            Action::RemoveEcRow(1),
            Action::SetMfa(true),
            Action::SetVia("s3.us-east-1.amazonaws.com".into()),
            Action::SetSourceIp("10.0.0.1".into()),
            Action::RunCall,
        ],
    );
    let step = &s.user_steps[0];
    assert_eq!(step.params.as_ref().unwrap()["KeyId"], "alias/app");
    assert_eq!(step.params.as_ref().unwrap()["EncryptionContext"], serde_json::json!({ "tenant": "a" }));
    assert_eq!(
        (step.mfa, step.via.as_deref(), step.source_ip.as_deref()),
        (Some(true), Some("s3.us-east-1.amazonaws.com"), Some("10.0.0.1"))
    );
    let a = &last_outcome(&s).trace.authorizations[0];
    assert!(a.context.get("kms:ViaService").is_some(), "{:?}", a.context);
    assert!(a.context.get("kms:EncryptionContext:tenant").is_some(), "{:?}", a.context);
    assert!(last_outcome(&s).is_success());
    // bob (another account) names alias/app, which resolves in his own account: not found.
    let s = reduce_all(s, [Action::SetCaller("444455556666:user/bob".into()), Action::RunCall]);
    assert_eq!(last_outcome(&s).error_code(), Some(ErrorCode::NotFoundException));
}

#[test]
fn selecting_a_statement_highlights_it_in_its_document() {
    let s = reduce_all(
        State::default(),
        [Action::SelectStep(1), Action::SelectStatement { doc: 0, line: 14, end_line: 20 }],
    );
    assert_eq!(s.selected, 0);
    assert_eq!(s.highlight, Some(Highlight { doc: 0, line: 14, end_line: 20 }));
    assert_eq!(s.caret.map(|c| (c.doc, c.line)), Some((0, 14)));
    let s = reduce(s, Action::SelectStep(2));
    assert_eq!(s.highlight, None);
}

#[test]
fn undo_and_reset() {
    let s = reduce_all(State::default(), [Action::RunCall, Action::RunCall]);
    assert_eq!(s.user_steps.len(), 2);
    let s = reduce(s, Action::UndoStep);
    assert_eq!(s.user_steps.len(), 1);
    assert_eq!(s.step, Some(8));
    let (doc, edited) = without_encrypt(&s);
    let s = reduce_all(s, [Action::Edit { doc, source: edited }, Action::Reset]);
    assert!(s.user_steps.is_empty());
    assert_eq!(s.docs, State::default().docs);
    assert!(s.view_of_run().unwrap().passed);
}

#[test]
fn opening_a_sample_draws_the_given_seed_and_keeps_it() {
    let s = reduce(State::default(), Action::Open { id: "sample:mfa".into(), seed: 4242 });
    assert_eq!(s.base.seed, Some(4242));
    assert!(s.view_of_run().unwrap().passed);
    let again = State::from_snapshot(share::decode(&share::encode(&s.snapshot())).unwrap());
    assert_eq!(again.base.seed, Some(4242));
    // Same seed, same world: the same key ARN and the same audit event ids.
    let ids = |s: &State| s.view_of_run().unwrap().audit.iter().map(|r| r.event_id).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&s));
    let other = reduce(State::default(), Action::Open { id: "sample:mfa".into(), seed: 7 });
    assert_ne!(ids(&other), ids(&s));
    // Unknown ids change nothing.
    assert_eq!(reduce(s.clone(), Action::Open { id: "lesson:none".into(), seed: 1 }), s);
}

#[test]
fn out_of_range_indices_change_nothing() {
    let s0 = State::default();
    let s = reduce_all(
        s0.clone(),
        [
            Action::SelectDoc(99),
            Action::Edit { doc: 99, source: "x".into() },
            Action::Goto { doc: 99, line: 1, column: 1 },
            Action::SelectStep(99),
            Action::SelectStatement { doc: 99, line: 1, end_line: 2 },
            Action::SetEcKey { row: 3, key: "k".into() },
            Action::RemoveEcRow(3),
            Action::UndoStep,
        ],
    );
    assert_eq!(s, s0);
}

#[test]
fn snapshots_round_trip_with_the_users_work() {
    let s = State::default();
    let (doc, edited) = without_encrypt(&s);
    let s = reduce_all(s, [Action::Edit { doc, source: edited.clone() }, Action::RunCall, Action::SelectDoc(2)]);
    let back = State::from_snapshot(share::decode(&share::encode(&s.snapshot())).unwrap());
    assert_eq!(back.snapshot(), s.snapshot());
    assert_eq!(back.docs[doc].source, edited);
    assert_eq!(back.selected, 2);
    assert_eq!(back.user_steps, s.user_steps);
    assert_eq!(last_outcome(&back).error_code(), last_outcome(&s).error_code());
}

// Exercise mode (issue 11): check my work, hints, the solution compared, progress, previous and next lesson.

const APP_KMS: &str = "/accounts/111122223333/roles/App/policies/AppKms";
const OWN_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/0b7c1e52-1a5a-4d3e-9c1b-6f2d9a7e4c11";

/// Lesson 1 with the exercise's fix: `DecryptOwnData` scoped to our own key.
fn fixed_lesson_1() -> State {
    let s = State::default();
    let doc = doc_index(&s, APP_KMS);
    let source = s.docs[doc].source.replacen("\"Resource\": \"*\"", &format!("\"Resource\": \"{OWN_KEY}\""), 1);
    assert_ne!(source, s.docs[doc].source);
    reduce(s, Action::Edit { doc, source })
}

#[test]
fn check_my_work_grades_the_goals_and_marks_the_lesson_solved() {
    let open = reduce(State::default(), Action::CheckWork);
    let checked = open.exercise.checked.as_ref().unwrap();
    assert_eq!(
        checked.iter().map(|g| (g.id.as_str(), g.passed)).collect::<Vec<_>>(),
        [("partner-denied", false), ("own-key-works", true), ("own-decrypt-works", true)]
    );
    let reason = checked[0].checks.iter().find(|c| !c.held).unwrap();
    assert_eq!(
        (reason.what.as_str(), reason.expected.as_str(), reason.actual.as_str()),
        ("step `partner-decrypt` outcome", "AccessDeniedException", "success")
    );
    assert!(!open.progress.is_solved("lesson:01-least-privilege"));

    let fixed = reduce(fixed_lesson_1(), Action::CheckWork);
    assert!(fixed.exercise.checked.as_ref().unwrap().iter().all(|g| g.passed));
    assert!(fixed.progress.is_solved("lesson:01-least-privilege"));
    assert_eq!(fixed.progress.count(), (1, 15));
    // The step's own expectation (written for the hole) no longer holds: goals are graded apart from it.
    assert!(!fixed.view_of_run().unwrap().passed);
    // An edit makes the check out of date; the progress stays.
    let doc = doc_index(&fixed, APP_KMS);
    let source = format!("{} ", fixed.docs[doc].source);
    let edited = reduce(fixed, Action::Edit { doc, source });
    assert_eq!(edited.exercise.checked, None);
    assert!(edited.progress.is_solved("lesson:01-least-privilege"));
    // Opening another lesson keeps the progress and starts its exercise afresh.
    let next = reduce(edited, Action::Open { id: "lesson:02-separation-of-duties".into(), seed: 1 });
    assert!(next.progress.is_solved("lesson:01-least-privilege"));
    assert_eq!(next.exercise, Exercise::default());
}

#[test]
fn hints_are_revealed_one_at_a_time_up_to_the_last() {
    let s = State::default();
    let n = s.base.hints.len();
    assert_eq!(n, 3);
    let s = reduce_all(s, std::iter::repeat_n(Action::ShowHint, 2));
    assert_eq!(s.exercise.hints_shown, 2);
    let s = reduce_all(s, std::iter::repeat_n(Action::ShowHint, 5));
    assert_eq!(s.exercise.hints_shown, n);
}

#[test]
fn the_solution_is_compared_as_a_diff_of_the_changed_documents() {
    use exercise::Line;
    let s = reduce(State::default(), Action::ToggleSolution);
    assert!(s.exercise.compare);
    let diffs = exercise::solution_diff(s.origin.as_deref(), &s.base, &s.docs).unwrap();
    assert_eq!(diffs.len(), 1, "the solution changes one document");
    assert_eq!(diffs[0].label, "account 111122223333 · role App · AppKms");
    assert!(!diffs[0].same);
    let changed: Vec<&Line> = diffs[0].lines.iter().filter(|l| !matches!(l, Line::Same(_))).collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(matches!(changed[0], Line::Yours(t) if t.contains("\"Resource\": \"*\"")));
    assert!(matches!(changed[1], Line::Solution(t) if t.contains(OWN_KEY)));
    // Once fixed, the student's document is the solution's.
    let fixed = fixed_lesson_1();
    let diffs = exercise::solution_diff(fixed.origin.as_deref(), &fixed.base, &fixed.docs).unwrap();
    assert!(diffs[0].same);
    // Every lesson has a solution that applies and changes at least one document.
    for l in starts::LESSONS {
        let s = reduce(State::default(), Action::Open { id: l.id.into(), seed: 1 });
        let diffs = exercise::solution_diff(s.origin.as_deref(), &s.base, &s.docs).unwrap();
        assert!(diffs.iter().any(|d| !d.same), "{}", l.id);
    }
}

#[test]
fn progress_is_read_leniently_and_merged_with_this_session() {
    assert_eq!(Progress::from_json("not json"), Progress::default());
    assert_eq!(Progress::from_json("{\"solved\": 3}"), Progress::default());
    let p = Progress::from_json("{\"solved\": [\"lesson:02-separation-of-duties\", 7]}");
    assert!(p.is_solved("lesson:02-separation-of-duties"));
    assert_eq!(Progress::from_json(&p.to_json()), p);
    let s = reduce(fixed_lesson_1(), Action::CheckWork);
    let s = reduce(s, Action::LoadProgress(p.to_json()));
    assert_eq!(s.progress.count(), (2, 15));
}

#[test]
fn previous_and_next_lesson() {
    let (prev, next) = exercise::neighbours(Some("lesson:01-least-privilege"));
    assert_eq!((prev.map(|s| s.id), next.map(|s| s.id)), (None, Some("lesson:02-separation-of-duties")));
    let (prev, next) = exercise::neighbours(Some("lesson:15-managed-vs-customer-managed-keys"));
    assert_eq!((prev.map(|s| s.id), next.map(|s| s.id)), (Some("lesson:14-automated-incident-response"), None));
    assert_eq!(exercise::neighbours(Some("sample:mfa")).0.map(|s| s.id), None);
}

#[test]
fn the_line_diff_keeps_order_and_marks_each_side() {
    use exercise::Line::{Same, Solution, Yours};
    let got = exercise::diff_lines("a\nb\nc", "a\nx\nc\nd");
    assert_eq!(
        got,
        [Same("a".into()), Yours("b".into()), Solution("x".into()), Same("c".into()), Solution("d".into())]
    );
}

// Import and export of scenario files in the CLI's format (issue 11).

#[test]
fn an_exported_file_reimports_identically_and_keeps_its_lesson() {
    let fixed = fixed_lesson_1();
    let fixed = reduce(fixed, Action::RunCall);
    let text = fixed.export_text();
    // The CLI's reader takes it, and its goals are met.
    let scenario = kmsim_kms::scenario::Scenario::parse(&text).unwrap();
    assert!(scenario.run(1, false).goals_met());
    let back = reduce(State::default(), Action::Import { name: "mine.json".into(), text: text.clone() });
    assert_eq!(back.origin.as_deref(), Some("lesson:01-least-privilege"));
    assert_eq!(back.export_text(), text);
    assert_eq!(back.banner.as_ref().map(|b| (b.error, b.text.as_str())), Some((false, "opened `mine.json`")));
    assert!(reduce(back, Action::CheckWork).exercise.checked.unwrap().iter().all(|g| g.passed));
}

#[test]
fn a_file_that_does_not_read_is_refused_with_its_places() {
    let s = State::default();
    let before = s.snapshot();
    let bad = "{\n  \"steps\": [ { \"call\": \"Encrpyt\", \"as\": \"role/App\" } ],\n  \"goals\": [ { \"id\": \"g\", \"step\": \"nope\" } ]\n}";
    let s = reduce(s, Action::Import { name: "bad.json".into(), text: bad.into() });
    assert_eq!(s.snapshot(), before, "nothing is replaced");
    let banner = s.banner.unwrap();
    assert!(banner.error);
    assert_eq!(
        banner.text,
        "`bad.json` could not be opened: line 2, column 24 (/steps/0/call): unknown operation `Encrpyt`; line 3, \
         column 35 (/goals/0/step): goal `g` names step `nope`, which is not a step of the lesson"
    );
}
