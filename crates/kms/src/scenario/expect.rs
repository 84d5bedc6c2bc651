//! Checking a step's expectations against what it produced.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::{ExpectSpec, Expectation, Scenario};
use crate::audit::AuditRecord;
use crate::ops::CallOutcome;
use crate::rules::{Notification, RuleReport};
use crate::services::ServiceOutcome;
use crate::trace::AuthzTrace;
use crate::world::World;

impl Scenario {
    pub(super) fn check_call(&self, e: &ExpectSpec, out: &CallOutcome, world: &World, ex: &mut Vec<Expectation>) {
        let answer = out.response.as_ref().map_err(|err| (err.code.as_str(), err.message.as_str()));
        answer_expectations(e, answer, "", ex);
        if let Some(want) = &e.statement {
            let got = deciding_statements(&out.trace.authorizations);
            ex.push(Expectation {
                what: "deciding statement".into(),
                expected: want.clone(),
                actual: got.join(", "),
                held: got.iter().any(|g| g == want),
            });
        }
        if let Some(want) = &e.grant {
            let got: Vec<String> = out
                .trace
                .authorizations
                .iter()
                .filter_map(|a| match &a.decided_by {
                    crate::trace::DecidedBy::Grant { grant_id } => Some(grant_id.clone()),
                    _ => None,
                })
                .collect();
            let names: Vec<String> = got
                .iter()
                .map(|id| {
                    world
                        .key_entries()
                        .find_map(|e| e.grants.get(id))
                        .and_then(|g| g.name.clone())
                        .unwrap_or_else(|| id.clone())
                })
                .collect();
            let held = got.iter().chain(names.iter()).any(|g| g == want);
            ex.push(Expectation {
                what: "allowing grant".into(),
                expected: want.clone(),
                actual: names.join(", "),
                held,
            });
        }
        if let Some(want) = &e.audit {
            let records: Vec<&AuditRecord> =
                world.audit().records().iter().map(|r| &**r).filter(|r| r.event_id == out.event_id).collect();
            check_records(want, &records, ex);
        }
    }
}

impl Scenario {
    /// A service step's expectations: the service's outcome, message and response; each KMS call's (`kms_calls`,
    /// checked as a call step's are); the audit records of all its KMS calls (`audit`).
    pub(super) fn check_service(&self, e: &ExpectSpec, out: &ServiceOutcome, world: &World, ex: &mut Vec<Expectation>) {
        let answer = out.response.as_ref().map_err(|err| (err.code.as_str(), err.message.as_str()));
        answer_expectations(e, answer, "service ", ex);
        if let Some(want) = &e.kms_calls {
            let got: Vec<&str> = out.kms_calls.iter().map(|c| c.trace.operation.as_str()).collect();
            ex.push(Expectation {
                what: "KMS calls".into(),
                expected: want.len().to_string(),
                actual: format!("{} ({})", got.len(), got.join(", ")),
                held: want.len() == got.len(),
            });
            for (i, (w, call)) in want.iter().zip(&out.kms_calls).enumerate() {
                let mut mine = Vec::new();
                self.check_call(w, call, world, &mut mine);
                ex.extend(mine.into_iter().map(|mut x| {
                    x.what = format!("{} {}", kms_call_what(i, &call.trace.operation), x.what);
                    x
                }));
            }
        }
        if let Some(want) = &e.events {
            let got = out.events.iter().map(|v| v.get("detail-type").and_then(J::as_str).unwrap_or("").to_string());
            ex.push(events_expectation(want, got.collect()));
        }
        if let Some(want) = &e.audit {
            let ids: Vec<_> = out.kms_calls.iter().map(|c| c.event_id).collect();
            let records: Vec<&AuditRecord> =
                world.audit().records().iter().map(|r| &**r).filter(|r| ids.contains(&r.event_id)).collect();
            check_records(want, &records, ex);
        }
    }
}

/// The rules that fired after a step and the notifications they published, against `rules`, `notifications` and
/// `rules_stopped` (each entry: fields by dotted path in the firing or notification as the result serialises it).
pub(super) fn check_rules(
    e: &ExpectSpec,
    report: Option<&RuleReport>,
    published: &[Notification],
    ex: &mut Vec<Expectation>,
) {
    let firings = report.map(|r| r.firings.as_slice()).unwrap_or_default();
    if let Some(want) = &e.rules {
        let names: Vec<&str> = firings.iter().map(|f| f.rule.as_str()).collect();
        ex.push(Expectation {
            what: "rules fired".into(),
            expected: want.len().to_string(),
            actual: format!("{} ({})", names.len(), names.join(", ")),
            held: want.len() == names.len(),
        });
        each(want, firings, RULE_FIRING, ex);
    }
    if let Some(want) = &e.notifications {
        ex.push(Expectation {
            what: "notifications".into(),
            expected: want.len().to_string(),
            actual: published.len().to_string(),
            held: want.len() == published.len(),
        });
        each(want, published, NOTIFICATION, ex);
    }
    if let Some(want) = e.rules_stopped {
        let stopped = report.and_then(|r| r.stopped.clone());
        ex.push(Expectation {
            what: "rules stopped by loop protection".into(),
            expected: want.to_string(),
            actual: stopped.clone().unwrap_or_else(|| "false".into()),
            held: want == stopped.is_some(),
        });
    }
}

/// How the expectations on a service step's KMS call `i` begin (`KMS call 0 (GenerateDataKey) outcome`).
pub fn kms_call_what(i: usize, operation: &str) -> String {
    format!("KMS call {i} ({operation})")
}

/// How the expectations on a rule firing begin (`rule firing 0 actions.1.outcome`), then the firing's index.
pub const RULE_FIRING: &str = "rule firing";
/// How the expectations on a published notification begin (`notification 0 topic`), then its index.
pub const NOTIFICATION: &str = "notification";

/// Each expected entry's fields against the item at its index, serialised.
fn each<T: serde::Serialize>(want: &[BTreeMap<String, J>], got: &[T], what: &str, ex: &mut Vec<Expectation>) {
    for (i, fields) in want.iter().enumerate() {
        let item = got.get(i).and_then(|g| serde_json::to_value(g).ok());
        for (path, w) in fields {
            ex.push(value(format!("{what} {i} {path}"), item.as_ref().and_then(|r| at_path(r, path)), w));
        }
    }
}

/// The expectations on an answer (a call's or a service's): `outcome`, `message_contains` and `response`. `what` is
/// put before each expectation's name (`service outcome`).
fn answer_expectations(e: &ExpectSpec, answer: Result<&J, (&str, &str)>, what: &str, ex: &mut Vec<Expectation>) {
    if let Some(want) = &e.outcome {
        let actual = answer.map_or_else(|(code, _)| code.to_string(), |_| "success".to_string());
        let held = want == &actual || (want == ANY_ERROR && answer.is_err());
        ex.push(Expectation { what: format!("{what}outcome"), expected: want.clone(), actual, held });
    }
    if let Some(want) = &e.message_contains {
        let msg = answer.err().map(|(_, m)| m.to_string()).unwrap_or_default();
        let held = msg.contains(want.as_str());
        ex.push(Expectation {
            what: format!("{what}error message"),
            expected: format!("contains `{want}`"),
            actual: msg,
            held,
        });
    }
    for (path, want) in &e.response {
        let got = answer.ok().and_then(|r| at_path(r, path));
        ex.push(value(format!("{what}response {path}"), got, want));
    }
}

/// The outcome that any error satisfies (a call's expectation).
pub(super) const ANY_ERROR: &str = "error";

/// The member `p` of a response or record: an object's member, or an array's element by its index.
pub(super) fn field<'a>(v: &'a J, p: &str) -> Option<&'a J> {
    match v {
        J::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
        other => other.get(p),
    }
}

/// The value at a dotted path (`Rotations.0.RotationType`).
pub(super) fn at_path<'a>(v: &'a J, path: &str) -> Option<&'a J> {
    path.split('.').try_fold(v, field)
}

/// `{"$length": N}`: the expected length of an array (or number of members of an object).
pub(super) fn length(want: &J) -> Option<&J> {
    match want {
        J::Object(m) if m.len() == 1 => m.get("$length"),
        _ => None,
    }
}

/// One expected value: equal to `want`, or of the length `{"$length": N}` says.
fn value(what: String, got: Option<&J>, want: &J) -> Expectation {
    if let Some(n) = length(want) {
        let len = got.and_then(|g| match g {
            J::Array(a) => Some(a.len()),
            J::Object(m) => Some(m.len()),
            _ => None,
        });
        let actual = match (len, got) {
            (Some(l), _) => format!("length {l}"),
            (None, Some(g)) => format!("{g} (no length)"),
            (None, None) => "absent".to_string(),
        };
        let held = len.is_some_and(|l| n.as_u64() == Some(l as u64));
        return Expectation { what, expected: format!("length {n}"), actual, held };
    }
    let got = got.cloned().unwrap_or(J::Null);
    Expectation { what, expected: want.to_string(), actual: got.to_string(), held: &got == want }
}

/// The audit records a step produced against the expected ones, in order: how many, then each expected field of
/// each (dotted paths in the CloudTrail record: `eventName`, `errorCode`, `requestParameters.keyId`).
pub(super) fn check_records(want: &[BTreeMap<String, J>], records: &[&AuditRecord], ex: &mut Vec<Expectation>) {
    ex.push(Expectation {
        what: "audit records".into(),
        expected: want.len().to_string(),
        actual: records.len().to_string(),
        held: want.len() == records.len(),
    });
    for (i, fields) in want.iter().enumerate() {
        let record = records.get(i).and_then(|r| serde_json::to_value(r).ok());
        for (path, w) in fields {
            let got = record.as_ref().and_then(|r| at_path(r, path));
            ex.push(value(format!("audit record {i} {path}"), got, w));
        }
    }
}

/// The expectation that the named events (in order) are the ones that happened.
fn events_expectation(want: &[String], got: Vec<String>) -> Expectation {
    Expectation { what: "service events".into(), expected: want.join(", "), actual: got.join(", "), held: got == want }
}

/// An advance step's service events and their records against an expectation.
pub(super) fn check_events(e: &ExpectSpec, events: &[std::sync::Arc<AuditRecord>], ex: &mut Vec<Expectation>) {
    if let Some(want) = &e.events {
        ex.push(events_expectation(want, events.iter().map(|e| e.event_name.to_string()).collect()));
    }
    if let Some(want) = &e.audit {
        check_records(want, &events.iter().map(|e| &**e).collect::<Vec<_>>(), ex);
    }
}

pub(super) fn check_authz(e: &ExpectSpec, t: &AuthzTrace, ex: &mut Vec<Expectation>) {
    use kmsim_policy::Decision;
    let actual = match t.decision {
        Decision::Allow => "allow",
        Decision::ExplicitDeny => "explicit-deny",
        Decision::ImplicitDeny => "implicit-deny",
    };
    if let Some(want) = &e.outcome {
        let held = want == actual || (want == "deny" && actual != "allow");
        ex.push(Expectation { what: "decision".into(), expected: want.clone(), actual: actual.into(), held });
    }
    if let Some(want) = &e.statement {
        let got = deciding_statements(std::slice::from_ref(t));
        ex.push(Expectation {
            what: "deciding statement".into(),
            expected: want.clone(),
            actual: got.join(", "),
            held: got.iter().any(|g| g == want),
        });
    }
}

/// The Sids (or `#N`) of the statements that decided each authorization.
pub fn deciding_statements(auths: &[AuthzTrace]) -> Vec<String> {
    use crate::trace::{DecidedBy, StatementId};
    let mut out = Vec::new();
    for a in auths {
        match &a.decided_by {
            // The root user's allow has no identity statement: an empty label, as before statements were data.
            DecidedBy::Identity { statement: None } => out.push(String::new()),
            d => out.extend(d.statements().map(StatementId::label)),
        }
    }
    out
}
