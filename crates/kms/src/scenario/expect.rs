//! Checking a step's expectations against what it produced.

use serde_json::Value as J;

use super::{ExpectSpec, Expectation, Scenario};
use crate::ops::CallOutcome;
use crate::trace::AuthzTrace;
use crate::world::World;

impl Scenario {
    pub(super) fn check_call(&self, e: &ExpectSpec, out: &CallOutcome, world: &World, ex: &mut Vec<Expectation>) {
        let actual = match &out.response {
            Ok(_) => "success".to_string(),
            Err(err) => err.code.as_str().to_string(),
        };
        if let Some(want) = &e.outcome {
            ex.push(Expectation {
                what: "outcome".into(),
                expected: want.clone(),
                actual: actual.clone(),
                held: want == &actual,
            });
        }
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
        if let Some(want) = &e.message_contains {
            let msg = out.response.as_ref().err().map(|e| e.message.clone()).unwrap_or_default();
            ex.push(Expectation {
                what: "error message".into(),
                expected: format!("contains `{want}`"),
                actual: msg.clone(),
                held: msg.contains(want.as_str()),
            });
        }
        for (path, want) in &e.response {
            let got = out
                .response
                .as_ref()
                .ok()
                .and_then(|r| path.split('.').try_fold(r, |cur, p| cur.get(p)))
                .cloned()
                .unwrap_or(J::Null);
            ex.push(Expectation {
                what: format!("response {path}"),
                expected: want.to_string(),
                actual: got.to_string(),
                held: &got == want,
            });
        }
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
