//! What a step's fields offer: outcomes, statements, principals, grants, `$ref`s and key placeholders, from the
//! world and the last run.

use kmsim_kms::model as botocore;
use kmsim_kms::scenario::StepSpec;
use serde_json::Value as J;

use crate::model::Doc;
use crate::state::State;

/// The outcomes a step may expect: for a call `success`, `error` and the errors its operation declares (with the
/// common ones every operation may return); for an authorize step the decisions; for a service step its errors.
pub fn outcome_choices(s: &StepSpec) -> Vec<String> {
    if s.authorize.is_some() {
        return ["allow", "deny", "explicit-deny", "implicit-deny"].map(String::from).to_vec();
    }
    let mut out = vec!["success".to_string(), "error".to_string()];
    if let Some(svc) = s.service.as_ref().and_then(|v| kmsim_kms::services::service(&v.name)) {
        out.extend(svc.errors.iter().map(|e| e.to_string()));
        return out;
    }
    out.extend(["AccessDeniedException", "ValidationException"].map(String::from));
    if let Some(op) = s.call.as_deref().and_then(botocore::operation) {
        out.extend(op.errors.iter().map(|e| e.to_string()));
    }
    out
}

/// Every statement Sid of the world's documents (for an expectation's deciding statement).
pub fn statement_choices(docs: &[Doc]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in docs {
        let Ok(v) = serde_json::from_str::<J>(&d.source) else { continue };
        let statements = match v.get("Statement") {
            Some(J::Array(a)) => a.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        for s in statements {
            if let Some(sid) = s.get("Sid").and_then(J::as_str) {
                if !out.iter().any(|o| o == sid) {
                    out.push(sid.to_string());
                }
            }
        }
    }
    out
}

/// Every principal of the world a step may be made as: each account's roles, the role sessions the steps name,
/// users and root (the first account's in short form), then the services' principals.
pub fn principal_choices(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    let sessions: Vec<String> = state
        .all_steps()
        .filter_map(|s| s.caller.clone().or_else(|| s.authorize.as_ref().map(|a| a.caller.clone())))
        .filter(|c| c.matches('/').count() == 2 && c.contains("role/"))
        .collect();
    for (i, (id, a)) in state.base.accounts.iter().enumerate() {
        let prefix = if i == 0 { String::new() } else { format!("{id}:") };
        for (r, spec) in &a.roles {
            out.push(format!("{prefix}role/{r}"));
            // The role's named sessions, then the other sessions steps call as.
            out.extend(spec.sessions.keys().map(|s| format!("{prefix}role/{r}/{s}")));
            let own = format!("{prefix}role/{r}/");
            let declared = |s: &str| s.strip_prefix(&own).is_some_and(|n| spec.sessions.contains_key(n));
            out.extend(sessions.iter().filter(|s| s.starts_with(&own) && !declared(s)).cloned());
        }
        out.extend(a.users.keys().map(|u| format!("{prefix}user/{u}")));
        out.push(format!("{prefix}root"));
    }
    out.dedup();
    out.extend(kmsim_kms::services::SERVICES.iter().map(|s| format!("{}.amazonaws.com", s.endpoint)));
    out
}

/// The grants an expectation may name: the scenario's named grants and the names CreateGrant steps give.
pub fn grant_choices(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state.base.grants.iter().filter_map(|g| g.name.clone()).collect();
    for s in state.all_steps().filter(|s| s.call.as_deref() == Some("CreateGrant")) {
        if let Some(n) = s.params.as_ref().and_then(|p| p.get("Name")).and_then(J::as_str) {
            out.push(n.to_string());
        }
    }
    out.dedup();
    out
}

/// `$ref` choices for step `index` (`$ref:NAME.Field`): the fields of every earlier named step's response in the
/// last run (one level into nested objects, an authorize step's `Decision`).
pub fn ref_choices(state: &State, index: usize) -> Vec<String> {
    let Some(view) = state.view_of_run() else { return Vec::new() };
    let mut out = Vec::new();
    for (spec, r) in state.all_steps().zip(&view.steps).take(index) {
        let Some(name) = &spec.name else { continue };
        if r.authorization.is_some() {
            out.push(format!("$ref:{name}.Decision"));
        }
        let response = r
            .call
            .as_ref()
            .and_then(|c| c.response.as_ref().ok())
            .or_else(|| r.service.as_ref().and_then(|s| s.response.as_ref().ok()));
        if let Some(J::Object(fields)) = response {
            for (k, v) in fields {
                match v {
                    J::Object(inner) => out.extend(
                        inner
                            .iter()
                            .filter(|(_, v)| !v.is_object() && !v.is_array())
                            .map(|(f, _)| format!("$ref:{name}.{k}.{f}")),
                    ),
                    J::Array(_) => {}
                    _ => out.push(format!("$ref:{name}.{k}")),
                }
            }
        }
    }
    out
}

/// `$key:NAME` and `$keyId:NAME` for every key of the world, then its aliases.
pub fn key_value_choices(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state.base.keys.keys().map(|k| format!("$key:{k}")).collect();
    out.extend(state.base.keys.keys().map(|k| format!("$keyId:{k}")));
    out.extend(state.base.keys.values().flat_map(|k| k.aliases.iter().cloned()));
    out
}
