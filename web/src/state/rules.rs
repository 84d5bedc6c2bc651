//! The reducer's part for rule documents (`model::rules`): an edited rule is checked against the scenario at once,
//! and a scenario whose documents all read runs again, so the steps show what the edited rule does.

use super::State;
use crate::model;

impl State {
    /// After document `doc` changed: when it is a rule, check every rule document and run when nothing is broken.
    pub(super) fn edited_rule(&mut self, doc: usize) {
        if !self.docs.get(doc).is_some_and(|d| d.loc.is_rule()) {
            return;
        }
        model::rules::check(&self.base, &mut self.docs);
        if self.docs.iter().all(|d| d.errors.is_empty()) {
            self.run_all();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use std::rc::Rc;

    use yew::Reducible;

    use crate::share;
    use crate::state::{Action, Run, State};

    fn reduce(s: State, a: Action) -> State {
        (*Rc::new(s).reduce(a)).clone()
    }

    fn lesson_14() -> State {
        reduce(State::default(), Action::Open { id: "lesson:14-automated-incident-response".into(), seed: 1 })
    }

    fn doc(s: &State, pointer: &str) -> usize {
        s.docs.iter().position(|d| d.loc.pointer() == pointer).unwrap()
    }

    fn step(s: &State, name: &str) -> usize {
        s.all_steps().position(|st| st.name.as_deref() == Some(name)).unwrap()
    }

    /// The lesson's exercise, steps 1 and 2: the responder may put a key policy, the rule puts one with a Deny.
    fn solve(s: State) -> State {
        let respond = doc(&s, "/accounts/111122223333/roles/IncidentResponder/policies/respond");
        let source = s.docs[respond].source.replace("\"kms:TagResource\"", "\"kms:TagResource\", \"kms:PutKeyPolicy\"");
        let s = reduce(s, Action::Edit { doc: respond, source });
        let rule = doc(&s, "/rules/0");
        let action = r#"{ "action": "Notify", "topic": "security-alerts" },
        { "action": "PutKeyPolicy", "params": { "Policy": { "Version": "2012-10-17", "Statement": [
          { "Sid": "Root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
          { "Sid": "AppUsesKey", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" }, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*" },
          { "Sid": "IncidentLock", "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*" } ] } } }"#;
        let text = &s.docs[rule].source;
        let at = text.find("{\n      \"action\": \"Notify\"").unwrap();
        let end = at + text[at..].find('}').unwrap() + 1;
        let source = format!("{}{action}{}", &text[..at], &text[end..]);
        reduce(s, Action::Edit { doc: rule, source })
    }

    #[test]
    fn editing_a_rule_runs_again_and_reaches_the_goals() {
        let s = lesson_14();
        let before = s.view_of_run().unwrap().clone();
        let s = solve(s);
        let rule = doc(&s, "/rules/0");
        assert!(s.docs[rule].errors.is_empty(), "{:?}", s.docs[rule].errors);
        let run = s.view_of_run().unwrap();
        assert!(!Rc::ptr_eq(run, &before), "the rule's edit ran the scenario");
        assert!(!s.run.as_ref().unwrap().stale);
        let firing = &run.steps[step(&s, "foreign-decrypt")].rules.as_ref().unwrap().firings[0];
        let outcomes: Vec<(&str, &str)> =
            firing.actions.iter().map(|a| (a.action.as_str(), a.outcome.as_str())).collect();
        assert_eq!(
            outcomes,
            [("DisableKey", "success"), ("TagResource", "success"), ("Notify", "success"), ("PutKeyPolicy", "success")]
        );
        let s = reduce(s, Action::CheckWork);
        let goals = s.exercise.checked.as_ref().unwrap();
        assert!(goals.iter().all(|g| g.passed), "{goals:?}");
        assert_eq!(s.progress.solved.get("lesson:14-automated-incident-response"), Some(&true));
    }

    #[test]
    fn a_broken_rule_stops_the_run_and_is_kept_in_the_snapshot() {
        let s = lesson_14();
        let rule = doc(&s, "/rules/0");
        let source = s.docs[rule].source.replace("\"DisableKey\"", "\"DisableKy\"");
        let s = reduce(s, Action::Edit { doc: rule, source: source.clone() });
        assert_eq!(s.docs[rule].errors[0].message, "unknown action `DisableKy`");
        assert!(s.run.as_ref().unwrap().stale, "not run: the old result is stale");
        let s = reduce(s, Action::RunAll);
        let Some(Run { result: Err(errors), .. }) = &s.run else { panic!("ran with a broken rule") };
        assert_eq!(errors, &["fix the errors in `rules · rule lock-on-foreign-decrypt` first".to_string()]);
        // Saved and shared as typed (the scenario cannot hold a text that does not read).
        let broken = format!("{source} oops");
        let s = reduce(s, Action::Edit { doc: rule, source: broken.clone() });
        let link = share::encode(&s.snapshot());
        let back = State::from_snapshot(share::decode(&link).unwrap());
        assert_eq!(back.docs[rule].source, broken);
        assert_eq!(back.docs[rule].errors, s.docs[rule].errors);
    }

    #[test]
    fn editing_a_policy_does_not_run() {
        let s = lesson_14();
        let respond = doc(&s, "/accounts/111122223333/roles/IncidentResponder/policies/respond");
        let source = s.docs[respond].source.replace("kms:TagResource", "kms:TagResourc");
        let s = reduce(s, Action::Edit { doc: respond, source });
        assert!(s.run.as_ref().unwrap().stale);
    }
}
