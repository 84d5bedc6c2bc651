//! The calls nested in a step: a service step's KMS calls and the KMS calls of the rules that fired after a step.
//! One of them is selected (with its step) so that the trace panel shows its trace; none selected shows the step's
//! own call, or a service step's first KMS call.

use std::collections::BTreeMap;

use kmsim_kms::scenario::{kms_call_what, Expectation, StepResult, NOTIFICATION, RULE_FIRING};
use kmsim_kms::CallOutcome;

use super::State;
use crate::run::RunView;

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

/// Where an expectation of a step is shown: with the step's own, under one of its service's KMS calls, under a rule
/// firing, or with the rules that fired (how many fired, the notifications, the loop protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Step,
    KmsCall(usize),
    Firing(usize),
    Rules,
}

/// The place of expectation `e` of `step`, from the core's names of the nested expectations
/// ([`kms_call_what`], [`RULE_FIRING`], [`NOTIFICATION`], `rules fired`, `rules stopped by loop protection`). With
/// no rule fired, the rules' expectations stay with the step's (there is no list of firings to show them in).
pub fn place_of(step: &StepResult, e: &Expectation) -> Place {
    let calls = step.service.iter().flat_map(|s| s.kms_calls.iter().enumerate());
    for (i, c) in calls {
        if e.what.strip_prefix(&kms_call_what(i, &c.trace.operation)).is_some_and(|rest| rest.starts_with(' ')) {
            return Place::KmsCall(i);
        }
    }
    let Some(report) = &step.rules else { return Place::Step };
    let firing = e.what.strip_prefix(RULE_FIRING).and_then(|r| r.strip_prefix(' ')).and_then(|r| r.split(' ').next());
    match firing.and_then(|n| n.parse::<usize>().ok()) {
        Some(f) if f < report.firings.len() => Place::Firing(f),
        _ if e.what.starts_with("rule") || e.what.starts_with(NOTIFICATION) => Place::Rules,
        _ => Place::Step,
    }
}

/// The line above the trace when it is a nested call's: `KMS call 1 of Amazon S3 PutObject: GenerateDataKey` or
/// `rule lock-on-foreign-decrypt, action 2: TagResource as arn:...:role/IncidentResponder`.
pub fn caption(step: &StepResult, nested: Option<Nested>) -> Option<String> {
    match shown(step, nested)? {
        Nested::KmsCall(i) => {
            let s = step.service.as_ref()?;
            let call = s.kms_calls.get(i)?;
            let title = kmsim_kms::services::service(&s.service).map_or(s.service.as_str(), |x| x.title);
            Some(format!("KMS call {} of {title} {}: {}", i + 1, s.operation, call.trace.operation))
        }
        Nested::RuleAction { firing, action } => {
            let f = step.rules.as_ref()?.firings.get(firing)?;
            let a = f.actions.get(action)?;
            Some(format!("rule {}, action {}: {} as {}", f.rule, action + 1, a.action, f.role))
        }
    }
}

/// Who made an audit record, when it is not the step's caller directly: a service on the caller's behalf (its
/// `invokedBy` and source IP) or a rule's action (as the rule's role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The service (its title) and the step's index.
    Service { title: String, step: usize },
    /// The rule's name, the acting role and the step after which it fired.
    Rule { rule: String, role: String, step: usize },
}

/// The origin of every audit record that a service or a rule made in `run`, by event id.
pub fn origins(run: &RunView) -> BTreeMap<String, Origin> {
    let mut out = BTreeMap::new();
    for (step, r) in run.steps.iter().enumerate() {
        for s in r.service.iter() {
            let title = kmsim_kms::services::service(&s.service).map_or_else(|| s.service.clone(), |x| x.title.into());
            for c in &s.kms_calls {
                out.insert(c.event_id.to_string(), Origin::Service { title: title.clone(), step });
            }
        }
        for f in r.rules.iter().flat_map(|r| &r.firings) {
            for c in f.actions.iter().filter_map(|a| a.call.as_ref()) {
                let origin = Origin::Rule { rule: f.rule.clone(), role: f.role.clone(), step };
                out.insert(c.event_id.to_string(), origin);
            }
        }
    }
    out
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
    fn expectations_go_under_the_call_or_firing_they_are_about() {
        let s = open("lesson:13-data-protection-with-services");
        let run = s.view_of_run().unwrap().clone();
        let step = &run.steps[step_named(&s, "upload")];
        let places: Vec<(Place, &str)> =
            step.expectations.iter().map(|e| (place_of(step, e), e.what.as_str())).collect();
        assert!(places.contains(&(Place::Step, "service outcome")), "{places:?}");
        assert!(places.contains(&(Place::Step, "KMS calls")), "{places:?}");
        assert!(places.contains(&(Place::KmsCall(0), "KMS call 0 (GenerateDataKey) deciding statement")), "{places:?}");
        assert_eq!(caption(step, None).unwrap(), "KMS call 1 of Amazon S3 PutObject: GenerateDataKey");

        let s = open("lesson:14-automated-incident-response");
        let run = s.view_of_run().unwrap().clone();
        let step = &run.steps[step_named(&s, "foreign-decrypt")];
        let places: Vec<(Place, &str)> =
            step.expectations.iter().map(|e| (place_of(step, e), e.what.as_str())).collect();
        assert!(places.contains(&(Place::Step, "outcome")), "{places:?}");
        assert!(places.contains(&(Place::Rules, "rules fired")), "{places:?}");
        assert!(places.contains(&(Place::Rules, "notifications")), "{places:?}");
        assert!(places.contains(&(Place::Rules, "notification 0 topic")), "{places:?}");
        assert!(places.contains(&(Place::Firing(0), "rule firing 0 actions.1.outcome")), "{places:?}");
        // `"rules": []` on a step after which nothing fired: with the step's own.
        let sealed = &run.steps[step_named(&s, "sealed")];
        assert!(sealed.rules.is_none());
        assert!(sealed.expectations.iter().all(|e| place_of(sealed, e) == Place::Step));
        let tag = Some(Nested::RuleAction { firing: 0, action: 1 });
        assert_eq!(
            caption(step, tag).unwrap(),
            "rule lock-on-foreign-decrypt, action 2: TagResource as arn:aws:iam::111122223333:role/IncidentResponder"
        );
        assert_eq!(caption(step, None), None, "the step's own call needs no caption");
    }

    #[test]
    fn audit_records_of_services_and_rules_know_their_origin() {
        let s = open("lesson:14-automated-incident-response");
        let run = s.view_of_run().unwrap().clone();
        let origins = super::origins(&run);
        let by_rule: Vec<&str> = run
            .audit
            .iter()
            .filter(|r| matches!(origins.get(&r.event_id.to_string()), Some(Origin::Rule { .. })))
            .map(|r| &*r.event_name)
            .collect();
        assert_eq!(by_rule, ["DisableKey", "TagResource"]);
        let s = open("lesson:13-data-protection-with-services");
        let run = s.view_of_run().unwrap().clone();
        let origins = super::origins(&run);
        let upload = step_named(&s, "upload");
        let first = run.audit.iter().find(|r| origins.contains_key(&r.event_id.to_string())).unwrap();
        assert_eq!(
            origins.get(&first.event_id.to_string()),
            Some(&Origin::Service { title: "Amazon S3".into(), step: upload })
        );
        // As the service's page says its calls appear (S3: `invokedBy` "AWS Internal").
        let s3 = kmsim_kms::services::service("s3").unwrap();
        assert!(s3.invoked_by.is_some());
        assert_eq!(first.user_identity.invoked_by.as_deref(), s3.invoked_by);
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
