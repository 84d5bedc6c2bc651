//! Running a scenario's rules after a step (issue 14): each audit record the step produced (in the trail of the
//! rule's account) becomes an EventBridge event; each rule whose pattern matches runs its actions, in order, as its
//! role (own authorization, own audit records), and the records those actions produce are matched in turn. A rule
//! stops after [`MAX_FIRINGS_PER_STEP`] firings within one step, and the report says so.

use serde_json::Value as J;

use super::{RuleActionSpec, RuleSpec, Scenario};
use crate::api::KmsRequest;
use crate::principal::Caller;
use crate::rules::{event_of, pattern, ActionResult, Notification, RuleFiring, RuleReport, MAX_FIRINGS_PER_STEP};
use crate::world::World;

impl Scenario {
    /// Runs the rules on the audit records from index `from` on. `None` when no rule fired.
    pub(super) fn fire_rules(&self, world: &mut World, from: usize, trace: bool) -> Option<Box<RuleReport>> {
        if self.file.rules.is_empty() {
            return None;
        }
        let mut report = RuleReport::default();
        let mut counts = vec![0usize; self.file.rules.len()];
        let region = world.config.region.clone();
        let mut next = from;
        while let Some(record) = world.audit().records().get(next).cloned() {
            next += 1;
            for (rule, count) in self.file.rules.iter().zip(counts.iter_mut()) {
                let role = self.resolve_grantee(&rule.role);
                let account = role.split(':').nth(4).unwrap_or("");
                if &*record.recipient_account_id != account {
                    continue;
                }
                let state = rule.state.as_deref().unwrap_or("ENABLED");
                let Some(event) = event_of(&record, &region, state) else { continue };
                if !pattern::matches(&rule.pattern, &event) {
                    continue;
                }
                if *count >= MAX_FIRINGS_PER_STEP {
                    report.stopped.get_or_insert_with(|| {
                        format!(
                            "rule `{}` matched its {}th record in this step and was stopped (kmsim's loop protection: at most {MAX_FIRINGS_PER_STEP} firings of a rule per step; AWS has no such limit, so such a rule would loop)",
                            rule.name,
                            MAX_FIRINGS_PER_STEP + 1
                        )
                    });
                    continue;
                }
                *count += 1;
                report.firings.push(self.fire(world, rule, &role, &event, trace));
            }
        }
        (!report.firings.is_empty() || report.stopped.is_some()).then(|| Box::new(report))
    }

    fn fire(&self, world: &mut World, rule: &RuleSpec, role: &str, event: &J, trace: bool) -> RuleFiring {
        let text = |path: &str| event.pointer(path).and_then(J::as_str).unwrap_or("").to_string();
        let event_id = text("/detail/eventID");
        let event_name = text("/detail/eventName");
        let mut caller = Caller::new(role);
        caller.trace = trace;
        let actions = rule.actions.iter().map(|a| run_action(world, rule, &caller, a, event, &event_id)).collect();
        RuleFiring { rule: rule.name.clone(), event_name, event_id, role: role.to_string(), actions }
    }
}

fn run_action(
    world: &mut World,
    rule: &RuleSpec,
    caller: &Caller,
    a: &RuleActionSpec,
    event: &J,
    event_id: &str,
) -> ActionResult {
    let mut result = ActionResult {
        action: a.action.clone(),
        outcome: "success".into(),
        call: None,
        notification: None,
        error: None,
    };
    if a.action == "Notify" {
        let default = format!(
            "{}: {} ({})",
            rule.name,
            event.pointer("/detail/eventName").and_then(J::as_str).unwrap_or(""),
            event_id
        );
        let n = Notification {
            topic: a.topic.clone().unwrap_or_default(),
            rule: rule.name.clone(),
            event_id: event_id.to_string(),
            message: a.message.clone().unwrap_or(default),
        };
        world.services.notifications.push(n.clone());
        result.notification = Some(n);
        return result;
    }
    let params = match action_params(a, event) {
        Ok(p) => p,
        Err(e) => {
            result.outcome = "error".into();
            result.error = Some(e);
            return result;
        }
    };
    match KmsRequest::from_parts(&a.action, params) {
        Ok(request) => {
            let mut out = world.call(caller, &request);
            result.outcome = out.response.as_ref().map_or_else(|e| e.code.as_str().to_string(), |_| "success".into());
            if !caller.trace {
                out.trace.keep_outcome_only();
            }
            result.call = Some(out);
        }
        Err(e) => {
            result.outcome = "error".into();
            result.error = Some(e.message);
        }
    }
    result
}

/// An action's parameters: `{"$event": PATH}` replaced from the event, `KeyId` defaulting to the record's key, a
/// policy written as an object turned into its text, PutKeyPolicy's `PolicyName` defaulting to `default`.
pub(super) fn action_params(a: &RuleActionSpec, event: &J) -> Result<J, String> {
    let mut params = replace(a.params.as_ref().unwrap_or(&J::Object(Default::default())), event)?;
    let key = event.pointer("/detail/resources/0/ARN").cloned();
    if let J::Object(m) = &mut params {
        if !m.contains_key("KeyId") {
            if let Some(k) = key {
                m.insert("KeyId".into(), k);
            }
        }
        if let Some(p @ J::Object(_)) = m.get("Policy") {
            let text = serde_json::to_string(p).unwrap_or_default();
            m.insert("Policy".into(), J::String(text));
        }
        if a.action == "PutKeyPolicy" && !m.contains_key("PolicyName") {
            m.insert("PolicyName".into(), J::String("default".into()));
        }
    }
    Ok(params)
}

fn replace(v: &J, event: &J) -> Result<J, String> {
    Ok(match v {
        J::Object(m) if m.len() == 1 && m.contains_key("$event") => {
            let path = m.get("$event").and_then(J::as_str).unwrap_or("");
            super::expect::at_path(event, path).cloned().ok_or_else(|| format!("the matched event has no `{path}`"))?
        }
        J::Object(m) => {
            J::Object(m.iter().map(|(k, x)| Ok((k.clone(), replace(x, event)?))).collect::<Result<_, String>>()?)
        }
        J::Array(a) => J::Array(a.iter().map(|x| replace(x, event)).collect::<Result<_, _>>()?),
        other => other.clone(),
    })
}
