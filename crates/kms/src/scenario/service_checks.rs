//! The load-time checks of a service step (issue 14): the service and operation exist, the operation gets the
//! fields it needs and no field it does not take, there is a caller, and the expected outcomes are the service's
//! (and, in `kms_calls`, KMS's).

use super::locate::{At, Locate};
use super::{ScenarioError, ServiceStepSpec, StepSpec};
use crate::error::ErrorCode;
use crate::services::{self, SERVICES};

pub(super) fn service_step(
    s: &StepSpec,
    svc: &ServiceStepSpec,
    loc: &Locate<'_>,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) {
    let at = format!("{path}/service");
    let mut err =
        |at: &str, message: String, help: Option<String>| errors.push(loc.err(At::Value(at), at, message, help));
    let Some(service) = services::service(&svc.name) else {
        let names: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
        let help = kmsim_policy::suggest(&svc.name, &names)
            .map_or_else(|| format!("one of {}", names.join(", ")), |c| format!("did you mean `{c}`?"));
        err(&format!("{at}/name"), format!("unknown service `{}`", svc.name), Some(help));
        return;
    };
    let ops: Vec<&str> = service.operations.iter().map(|o| o.name).collect();
    let Some(op) = service.operations.iter().find(|o| o.name == svc.operation) else {
        let help = kmsim_policy::suggest(&svc.operation, &ops).map_or_else(
            || format!("{} supports {}", service.title, ops.join(", ")),
            |c| format!("did you mean `{c}`?"),
        );
        let message = format!("{} has no operation `{}` here", service.title, svc.operation);
        err(&format!("{at}/operation"), message, Some(help));
        return;
    };
    let set = services::fields_set(svc);
    for f in op.required.iter().filter(|f| !set.contains(f)) {
        err(&at, format!("{} {} needs `{f}`", service.name, op.name), None);
    }
    for f in set.iter().filter(|f| !op.required.contains(f) && !op.optional.contains(f)) {
        let takes: Vec<&str> = op.required.iter().chain(op.optional).copied().collect();
        let help = format!("{} {} takes {}", service.name, op.name, takes.join(", "));
        err(&format!("{at}/{f}"), format!("{} {} does not take `{f}`", service.name, op.name), Some(help));
    }
    if s.caller.is_none() {
        let help = Some("e.g. \"as\": \"user/alice\"".to_string());
        err(path, format!("the {} {} step needs a caller: add `\"as\"`", service.name, op.name), help);
    }
    if s.via.is_some() {
        let message = "a service step calls KMS through its service already: drop `via`".to_string();
        err(&format!("{path}/via"), message, None);
    }
    let Some(e) = &s.expect else { return };
    for (field, set) in [("statement", e.statement.is_some()), ("grant", e.grant.is_some())] {
        if set {
            let message = format!("a service step makes several KMS calls: put `{field}` in one of `kms_calls`");
            err(&format!("{path}/expect/{field}"), message, None);
        }
    }
    if let Some(o) = &e.outcome {
        if o != "success" && o != super::expect::ANY_ERROR && !service.errors.contains(&o.as_str()) {
            let help = format!("`success`, `error` (any error) or one of {}", service.errors.join(", "));
            err(&format!("{path}/expect/outcome"), format!("{} does not answer `{o}`", service.title), Some(help));
        }
    }
    for (i, c) in e.kms_calls.iter().flatten().enumerate() {
        if let Some(o) = &c.outcome {
            if o != "success" && o != super::expect::ANY_ERROR && ErrorCode::parse(o).is_none() {
                let help = "`success`, `error` or a KMS error code such as AccessDeniedException".to_string();
                err(&format!("{path}/expect/kms_calls/{i}/outcome"), format!("unknown KMS outcome `{o}`"), Some(help));
            }
        }
        if c.kms_calls.is_some() {
            let message = "a KMS call makes no further calls: `kms_calls` belongs to the service step".to_string();
            err(&format!("{path}/expect/kms_calls/{i}/kms_calls"), message, None);
        }
    }
}
