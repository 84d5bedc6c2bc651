//! A step's expectation set to what it produced in the last run.

use std::collections::BTreeMap;

use kmsim_kms::rules::Notification;
use kmsim_kms::scenario::{ExpectSpec, StepResult};
use kmsim_kms::CallOutcome;
use kmsim_policy::Decision;
use serde_json::Value as J;

use super::get;

/// The notifications the rules published after a step, in order (each a `Notify` action's).
pub fn published(r: &StepResult) -> Vec<&Notification> {
    r.rules.iter().flat_map(|r| &r.firings).flat_map(|f| &f.actions).filter_map(|a| a.notification.as_ref()).collect()
}

/// The deciding statement and allowing grant of a call, as an expectation names them.
fn decided(authorizations: &[kmsim_kms::AuthzTrace]) -> (Option<String>, Option<String>) {
    let statement = kmsim_kms::scenario::deciding_statements(authorizations).into_iter().find(|s| !s.is_empty());
    let grant = authorizations.iter().find_map(|a| match &a.decided_by {
        kmsim_kms::trace::DecidedBy::Grant { grant_id } => Some(
            a.grants.iter().find(|g| &g.grant_id == grant_id).and_then(|g| g.name.clone()).unwrap_or(grant_id.clone()),
        ),
        _ => None,
    });
    (statement, grant)
}

fn call_observed(c: &CallOutcome, into: &mut ExpectSpec) {
    into.outcome = Some(match &c.response {
        Ok(_) => "success".to_string(),
        Err(e) => e.code.as_str().to_string(),
    });
    (into.statement, into.grant) = decided(&c.trace.authorizations);
    if c.response.is_err() {
        // A refused call has no response to check.
        into.response.clear();
    }
    if let (Some(m), Err(e)) = (&into.message_contains, &c.response) {
        if !e.message.contains(m.as_str()) {
            into.message_contains = None;
        }
    } else if c.response.is_ok() {
        into.message_contains = None;
    }
}

/// A step's expectation set to what it produced (outcome, deciding statement, grant; a service step's KMS calls;
/// the rules that fired after it and what they published), keeping what else it expects. `None` when the step did not run.
pub fn observed(r: &StepResult, old: Option<&ExpectSpec>) -> Option<ExpectSpec> {
    if r.error.is_some() {
        return None;
    }
    let mut e = old.cloned().unwrap_or_default();
    if let Some(c) = &r.call {
        call_observed(c, &mut e);
    } else if let Some(a) = &r.authorization {
        e.outcome = Some(
            match a.decision {
                Decision::Allow => "allow",
                Decision::ExplicitDeny => "explicit-deny",
                Decision::ImplicitDeny => "implicit-deny",
            }
            .to_string(),
        );
        e.statement = decided(std::slice::from_ref(&**a)).0;
    } else if let Some(s) = &r.service {
        e.outcome = Some(match &s.response {
            Ok(_) => "success".to_string(),
            Err(err) => err.code.clone(),
        });
        e.kms_calls = Some(
            s.kms_calls
                .iter()
                .map(|c| {
                    let mut one = ExpectSpec::default();
                    call_observed(c, &mut one);
                    one
                })
                .collect(),
        );
    } else {
        return None;
    }
    rules_observed(r, &mut e);
    Some(e)
}

/// The fields at `keys` of `item` as it serialises, then those of the `old` expectation that it has, with its values.
fn entry_observed<T: serde::Serialize>(
    item: &T,
    keys: impl IntoIterator<Item = String>,
    old: Option<&BTreeMap<String, J>>,
) -> BTreeMap<String, J> {
    let Ok(v) = serde_json::to_value(item) else { return BTreeMap::new() };
    let value = |k: &str| get(&v, &k.split('.').map(String::from).collect::<Vec<String>>()).cloned();
    keys.into_iter()
        .chain(old.into_iter().flat_map(|o| o.keys().cloned()))
        .filter_map(|k| value(&k).map(|x| (k, x)))
        .collect()
}

/// The rules that fired after the step and the notifications they published, as expectations: each firing's rule
/// and its actions' names and outcomes, each notification's topic and rule (and the fields the old expectations
/// named). Set when the step expected them or something fired.
fn rules_observed(r: &StepResult, e: &mut ExpectSpec) {
    let firings = r.rules.as_deref().map(|x| x.firings.as_slice()).unwrap_or_default();
    if e.rules.is_some() || !firings.is_empty() {
        let old = e.rules.take().unwrap_or_default();
        e.rules = Some(
            firings
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let keys = std::iter::once("rule".to_string()).chain(
                        (0..f.actions.len())
                            .flat_map(|n| [format!("actions.{n}.action"), format!("actions.{n}.outcome")]),
                    );
                    entry_observed(f, keys, old.get(i))
                })
                .collect(),
        );
    }
    let published = published(r);
    if e.notifications.is_some() || !published.is_empty() {
        let old = e.notifications.take().unwrap_or_default();
        e.notifications = Some(
            published
                .iter()
                .enumerate()
                .map(|(i, n)| entry_observed(n, ["topic".to_string(), "rule".to_string()], old.get(i)))
                .collect(),
        );
    }
    let stopped = r.rules.as_ref().is_some_and(|x| x.stopped.is_some());
    if e.rules_stopped.is_some() || stopped {
        e.rules_stopped = Some(stopped);
    }
}
