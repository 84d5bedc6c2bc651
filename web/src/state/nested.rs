//! The calls nested in a step: a service step's KMS calls and the KMS calls of the rules that fired after a step.
//! One of them is selected (with its step) so that the trace panel shows its trace; none selected shows the step's
//! own call, or a service step's first KMS call.

use kmsim_kms::scenario::StepResult;
use kmsim_kms::CallOutcome;

use super::State;

/// A call nested in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nested {
    /// The service step's KMS call `i` (in order).
    KmsCall(usize),
    /// Action `action` of the rule firing `firing` after the step.
    RuleAction { firing: usize, action: usize },
}

/// The call whose trace the panel shows for `step` with `nested` selected: the nested call (when it exists and made
/// a call), else the step's own call, else a service step's first KMS call.
pub fn shown_call(step: &StepResult, nested: Option<Nested>) -> Option<&CallOutcome> {
    let picked = match nested {
        Some(Nested::KmsCall(i)) => step.service.as_ref().and_then(|s| s.kms_calls.get(i)),
        Some(Nested::RuleAction { firing, action }) => step
            .rules
            .as_ref()
            .and_then(|r| r.firings.get(firing))
            .and_then(|f| f.actions.get(action))
            .and_then(|a| a.call.as_ref()),
        None => None,
    };
    picked.or(step.call.as_ref()).or_else(|| step.service.as_ref().and_then(|s| s.kms_calls.first()))
}

/// Which nested call is shown for `step` with `nested` selected (`None`: the step's own call), as [`shown_call`].
pub fn shown(step: &StepResult, nested: Option<Nested>) -> Option<Nested> {
    let shown = shown_call(step, nested)?;
    if step.call.as_ref().is_some_and(|c| std::ptr::eq(c, shown)) {
        return None;
    }
    let kms = step.service.iter().flat_map(|s| s.kms_calls.iter().enumerate()).find(|(_, c)| std::ptr::eq(*c, shown));
    if let Some((i, _)) = kms {
        return Some(Nested::KmsCall(i));
    }
    nested
}

impl State {
    /// Selects step `step` and the call `nested` in it (`None`: the step's own).
    pub(super) fn select_nested(&mut self, step: usize, nested: Option<Nested>) {
        if step < self.step_count() {
            self.step = Some(step);
            self.nested = nested;
            self.highlight = None;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use std::rc::Rc;

    use yew::Reducible;

    use super::*;
    use crate::state::Action;

    fn open(id: &str) -> State {
        let s = (*Rc::new(State::default()).reduce(Action::Open { id: id.into(), seed: 1 })).clone();
        assert_eq!(s.origin.as_deref(), Some(id));
        s
    }

    fn reduce(s: State, a: Action) -> State {
        (*Rc::new(s).reduce(a)).clone()
    }

    fn step_named(s: &State, name: &str) -> usize {
        s.all_steps().position(|st| st.name.as_deref() == Some(name)).unwrap()
    }

    #[test]
    fn a_service_steps_kms_calls_are_selectable() {
        let s = open("lesson:13-data-protection-with-services");
        let i = step_named(&s, "upload");
        let run = s.view_of_run().unwrap().clone();
        let step = &run.steps[i];
        assert!(step.call.is_none());
        // Nothing selected: the service's first KMS call.
        assert_eq!(shown_call(step, None).unwrap().trace.operation, "GenerateDataKey");
        assert_eq!(shown(step, None), Some(Nested::KmsCall(0)));
        let s = reduce(s, Action::SelectNested { step: i, nested: Some(Nested::KmsCall(0)) });
        assert_eq!((s.step, s.nested), (Some(i), Some(Nested::KmsCall(0))));
        // A call that does not exist falls back to the first.
        assert_eq!(shown_call(step, Some(Nested::KmsCall(9))).unwrap().trace.operation, "GenerateDataKey");
        // Another step clears the nested selection.
        let s = reduce(s, Action::SelectStep(0));
        assert_eq!(s.nested, None);
        let s = reduce(s, Action::SelectNested { step: 999, nested: Some(Nested::KmsCall(0)) });
        assert_eq!(s.step, Some(0), "a step that does not exist is not selected");
    }

    #[test]
    fn a_fired_rules_actions_are_selectable() {
        let s = open("lesson:14-automated-incident-response");
        let i = step_named(&s, "foreign-decrypt");
        let run = s.view_of_run().unwrap().clone();
        let step = &run.steps[i];
        assert_eq!(shown_call(step, None).unwrap().trace.operation, "Decrypt");
        assert_eq!(shown(step, None), None);
        let tag = Some(Nested::RuleAction { firing: 0, action: 1 });
        assert_eq!(shown_call(step, tag).unwrap().trace.operation, "TagResource");
        assert_eq!(shown(step, tag), tag);
        assert!(shown_call(step, tag).unwrap().trace.caller.contains("IncidentResponder"));
        // The notification made no call: the step's own is shown.
        let notify = Some(Nested::RuleAction { firing: 0, action: 2 });
        assert_eq!(shown_call(step, notify).unwrap().trace.operation, "Decrypt");
        assert_eq!(shown(step, notify), None);
    }
}
