//! Live outcomes: after an edit of a policy document the scenario runs again by itself (issue 15), so the steps,
//! the trace and the audit log follow the typing. The editor sends [`Action::RunEdited`](super::Action::RunEdited)
//! right after each `Action::Edit`, in the same task: Yew applies both and renders once. Keystrokes are not delayed
//! by a timer: a run and its render take well under a frame's worth of the 50 ms budget (docs/PERFORMANCE.md,
//! `scripts/bench/edit.mjs`), and keystrokes that arrive during one are each applied in turn by the browser.
//!
//! While a document does not parse, the last outcomes stay on the page marked stale ("documents changed"): the
//! editor's diagnostics say what is wrong, and the steps do not flicker to "not run" at every unfinished keystroke.
//! "Run all" still runs at once and lists the documents to fix.

use super::State;

impl State {
    /// Runs again if a document changed since the last run and every document parses.
    pub(super) fn run_edited(&mut self) {
        let stale = self.run.as_ref().is_some_and(|r| r.stale);
        if !stale || self.docs.iter().any(|d| !d.errors.is_empty()) {
            return;
        }
        self.run_all();
        let total = self.step_count();
        self.step = self.step.filter(|s| *s < total).or((total > 0).then_some(0));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

    use std::rc::Rc;

    use yew::Reducible;

    use crate::state::{Action, Highlight, State};

    fn reduce(state: State, action: Action) -> State {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn app_key_policy(s: &State) -> usize {
        s.docs.iter().position(|d| d.loc.pointer() == "/keys/app/policy").unwrap()
    }

    fn seq(s: &State) -> u64 {
        s.run.as_ref().unwrap().seq
    }

    #[test]
    fn an_edit_that_parses_runs_again_with_the_new_policy() {
        let s = State::default();
        assert!(s.view_of_run().unwrap().passed);
        let before = seq(&s);
        let doc = app_key_policy(&s);
        let denied = s.docs[doc].source.replace("\"kms:Encrypt\",", "");
        assert_ne!(denied, s.docs[doc].source);
        let s = reduce(s, Action::Edit { doc, source: denied });
        assert!(s.run.as_ref().unwrap().stale, "the edit alone does not run");
        let s = reduce(s, Action::SelectStep(3));
        let s = reduce(s, Action::RunEdited);
        let run = s.run.as_ref().unwrap();
        assert!(!run.stale);
        assert_eq!(seq(&s), before + 1);
        assert!(!s.view_of_run().unwrap().passed, "App can no longer encrypt: the lesson's step 1 fails");
        assert_eq!(s.step, Some(3), "the selected step stays selected");
    }

    #[test]
    fn nothing_runs_without_a_change_or_while_a_document_is_broken() {
        let s = State::default();
        let before = seq(&s);
        let view = s.view_of_run().cloned().unwrap();
        let s = reduce(s, Action::RunEdited);
        assert_eq!(seq(&s), before, "no change since the last run: the queued request is a no-op");

        let doc = app_key_policy(&s);
        let s = reduce(s, Action::Edit { doc, source: "{ \"Statement\": [".into() });
        let s = reduce(s, Action::RunEdited);
        let run = s.run.as_ref().unwrap();
        assert!(run.stale, "the last outcomes stay, marked stale");
        assert_eq!(seq(&s), before);
        assert!(Rc::ptr_eq(s.view_of_run().unwrap(), &view), "the previous run is still the one shown");
        // "Run all" says which document to fix.
        let s = reduce(s, Action::RunAll);
        assert!(s.run.as_ref().unwrap().result.is_err());
    }

    #[test]
    fn fixing_the_document_runs_again_and_keeps_another_documents_highlight() {
        let s = State::default();
        let doc = app_key_policy(&s);
        let original = s.docs[doc].source.clone();
        let other = (doc + 1) % s.docs.len();
        let s = reduce(s, Action::SelectStatement { doc: other, line: 2, end_line: 4 });
        let s = reduce(s, Action::Edit { doc, source: "{".into() });
        let s = reduce(s, Action::RunAll);
        assert!(s.run.as_ref().unwrap().result.is_err());
        let s = reduce(s, Action::Edit { doc, source: original });
        let s = reduce(s, Action::RunEdited);
        assert!(s.view_of_run().unwrap().passed);
        assert_eq!(s.highlight, None, "Run all cleared the highlight");
        let s = reduce(s, Action::SelectStatement { doc: other, line: 2, end_line: 4 });
        let source = s.docs[doc].source.replacen('{', "{ ", 1);
        let s = reduce(reduce(s, Action::Edit { doc, source }), Action::RunEdited);
        assert_eq!(s.highlight, Some(Highlight { doc: other, line: 2, end_line: 4 }));
    }
}
