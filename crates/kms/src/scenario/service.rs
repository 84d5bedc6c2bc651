//! Running a service step (issue 14): the service operation as the step's caller, its KMS calls nested in the
//! result, and its expectations (the service's outcome and response, each KMS call's, the audit records).

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::{KeyArns, Scenario, ServiceStepSpec, StepResult, StepSpec};
use crate::principal::Caller;
use crate::world::World;

impl Scenario {
    pub(super) fn run_service(
        &self,
        world: &mut World,
        key_arns: &KeyArns,
        named: &mut BTreeMap<String, J>,
        (index, s, svc): (usize, &StepSpec, &ServiceStepSpec),
        caller: &Caller,
        r: &mut StepResult,
    ) {
        let kms_key = match &svc.kms_key {
            None => None,
            Some(v) => match self.substitute(key_arns, named, v, &format!("/steps/{index}/service/kms_key")) {
                Ok(J::String(k)) => Some(k),
                Ok(other) => Some(other.to_string()),
                Err(e) => {
                    r.error = Some(e);
                    return;
                }
            },
        };
        r.summary = format!("{} calls {} {}", caller.principal, svc.name, svc.operation);
        let mut out = world.service_call(caller, svc, kms_key);
        if let (Some(n), Ok(resp)) = (&s.name, &out.response) {
            named.insert(n.clone(), resp.clone());
        }
        if let Some(e) = &s.expect {
            self.check_service(e, &out, world, &mut r.expectations);
        }
        if !caller.trace {
            for c in &mut out.kms_calls {
                c.trace.keep_outcome_only();
            }
        }
        r.service = Some(Box::new(out));
    }
}
