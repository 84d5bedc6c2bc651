//! Running a scenario's steps against a world, with `$ref`, `$key` and `$keyId` substitution in parameters.

use std::collections::BTreeMap;

use kmsim_policy::Context;
use serde_json::Value as J;

use super::expect::check_authz;
use super::located::Path;
use super::{KeyArns, Scenario, ScenarioRun, StepResult, StepSpec};
use crate::api::KmsRequest;
use crate::clock::Duration;
use crate::ops::SimulatedRequest;
use crate::principal::{Caller, Credentials};
use crate::world::World;

impl Scenario {
    /// Runs every step and checks the expectations. With `trace`, each authorization keeps its whole trace (the
    /// request context, every policy's and grant's evaluation, the explanation); without it, a call step keeps its
    /// outcome ([`crate::trace::CallTrace::keep_outcome_only`]) and an `authorize` step its verdict
    /// ([`crate::trace::AuthzTrace::keep_verdict_only`]): the outcomes and expectations are the same either way.
    pub fn run(&self, seed_if_missing: u64, trace: bool) -> ScenarioRun {
        let (mut world, key_arns) = self.build(seed_if_missing);
        let mut named: BTreeMap<String, J> = BTreeMap::new();
        // Sized once: a list that doubles as it grows keeps up to twice what it holds (and both copies for a moment).
        let mut steps = Vec::with_capacity(self.file.steps.len());
        world.audit.reserve(self.file.steps.iter().filter(|s| s.call.is_some()).count());
        let targets = self.goal_targets();
        let mut goal_checks = vec![Vec::new(); self.file.goals.len()];
        for (i, s) in self.file.steps.iter().enumerate() {
            let notifications = world.services.notifications.len();
            let mut r = self.run_step_whole(&mut world, &key_arns, &mut named, i, s, trace);
            // Goals are checked on the whole outcome, before a run without the trace drops the evidence.
            let published = world.services.notifications.get(notifications..).unwrap_or_default();
            for g in targets.get(i).into_iter().flatten() {
                if let (Some(goal), Some(checks)) = (self.file.goals.get(*g), goal_checks.get_mut(*g)) {
                    self.check_goal_step(goal, s, &r, &world, published, checks);
                }
            }
            if !trace {
                trim(&mut r);
            }
            steps.push(r);
        }
        let passed = steps.iter().all(|s| s.error.is_none() && s.expectations.iter().all(|e| e.held));
        let goals = self.goal_results(goal_checks);
        ScenarioRun { title: self.file.title.clone(), seed: world.seed().0, steps, passed, goals, world, key_arns }
    }

    /// Runs one step against a world (the playground runs steps one at a time). `key_arns` is the world's key
    /// ARNs (from [`Scenario::build`]), for `$key` and `$keyId`. The scenario's rules then run on the audit records
    /// the step produced.
    pub fn run_step(
        &self,
        world: &mut World,
        key_arns: &KeyArns,
        named: &mut BTreeMap<String, J>,
        index: usize,
        s: &StepSpec,
        trace: bool,
    ) -> StepResult {
        let mut r = self.run_step_whole(world, key_arns, named, index, s, trace);
        if !trace {
            trim(&mut r);
        }
        r
    }

    /// One step and the rules it set off, with the whole outcome: the deciding statements and grants stay until
    /// [`trim`] (goals are checked on them).
    fn run_step_whole(
        &self,
        world: &mut World,
        key_arns: &KeyArns,
        named: &mut BTreeMap<String, J>,
        index: usize,
        s: &StepSpec,
        trace: bool,
    ) -> StepResult {
        let records = world.audit().records().len();
        let notifications = world.services.notifications.len();
        let mut r = self.run_one(world, key_arns, named, index, s, trace);
        r.rules = self.fire_rules(world, records, trace);
        if let Some(e) = &s.expect {
            let published = world.services.notifications.get(notifications..).unwrap_or_default();
            super::expect::check_rules(e, r.rules.as_deref(), published, &mut r.expectations);
        }
        r
    }

    fn run_one(
        &self,
        world: &mut World,
        key_arns: &KeyArns,
        named: &mut BTreeMap<String, J>,
        index: usize,
        s: &StepSpec,
        trace: bool,
    ) -> StepResult {
        let mut r = StepResult {
            index,
            name: s.name.clone(),
            summary: String::new(),
            call: None,
            authorization: None,
            events: Vec::new(),
            service: None,
            rules: None,
            expectations: Vec::new(),
            error: None,
        };
        if let Some(adv) = &s.advance {
            let d = Duration { days: adv.days, hours: adv.hours, minutes: adv.minutes, seconds: adv.seconds };
            match world.advance(d) {
                Ok(events) => r.events = events,
                Err(e) => r.error = Some(e.message),
            }
            r.summary = format!("advance the clock to {}", world.now());
            if let Some(e) = &s.expect {
                super::expect::check_events(e, &r.events, &mut r.expectations);
            }
            if let Some(n) = &s.name {
                named.insert(n.clone(), serde_json::to_value(&r.events).unwrap_or(J::Null));
            }
            return r;
        }
        let caller_name =
            s.caller.clone().or_else(|| s.authorize.as_ref().map(|a| a.caller.clone())).unwrap_or_default();
        let mut caller = Caller::new(self.resolve_principal(&caller_name));
        caller.trace = trace;
        caller.via_service = s.via.clone();
        // A named session of the role gives its values; the step's own fields win (see `SessionSpec`).
        let session = self.session_of(&caller.principal);
        let (session_spec, session_ptr) = match &session {
            Some((spec, ptr)) => (Some(*spec), Some(ptr.as_str())),
            None => (None, None),
        };
        caller.mfa = s.mfa.or_else(|| session_spec.and_then(|x| x.mfa)).unwrap_or(false);
        caller.mfa_age_seconds = s.mfa_age_seconds.or_else(|| session_spec.and_then(|x| x.mfa_age_seconds));
        caller.source_identity = session_spec.and_then(|x| x.source_identity.clone());
        caller.credentials = match s.credentials.as_deref() {
            Some("long-term") => Some(Credentials::LongTerm),
            Some("temporary") => Some(Credentials::Temporary),
            _ => None,
        };
        caller.source_ip = s.source_ip.clone();
        caller.source_vpce = s.source_vpce.clone();
        caller.session_tags = session_spec.map(|x| x.tags.clone()).unwrap_or_default();
        caller.session_tags.extend(s.session_tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        caller.session_policy = self
            .policies
            .get(&format!("/steps/{index}/session_policy"))
            .or_else(|| session_ptr.and_then(|p| self.policies.get(&format!("{p}/policy"))))
            .cloned();
        if let Some(c) = &s.context {
            match serde_json::from_value::<Context>((**c).clone()) {
                Ok(c) => caller.context = c,
                Err(e) => {
                    r.error = Some(format!("invalid context: {e}"));
                    return r;
                }
            }
        }
        if let Some(svc) = &s.service {
            self.run_service(world, key_arns, named, (index, s, svc), &caller, &mut r);
            return r;
        }
        if let Some(a) = &s.authorize {
            let text = |v: J| match v {
                J::String(s) => s,
                other => other.to_string(),
            };
            let at = format!("/steps/{index}/authorize");
            let resource = match &a.resource {
                J::Null => Ok(String::new()),
                v => self.substitute(key_arns, named, v, &format!("{at}/resource")).map(text),
            };
            let key_id = a.key_id.as_ref().map(|k| self.substitute(key_arns, named, k, &format!("{at}/key_id")));
            let (resource, key_id) = match (resource, key_id.transpose()) {
                (Ok(r), Ok(k)) => (r, k.map(text)),
                (Err(e), _) | (_, Err(e)) => {
                    r.error = Some(e);
                    return r;
                }
            };
            let grant_operations = a.grant_operations.as_ref().map(|o| o.iter().cloned().collect());
            let req = SimulatedRequest {
                ec: a.encryption_context.as_ref(),
                key_id: key_id.as_deref(),
                grant_operations: grant_operations.as_ref(),
                bypass_policy_lockout_safety_check: a.bypass_policy_lockout_safety_check,
                request_tags: a.request_tags.as_ref(),
            };
            let shown = if resource.is_empty() { key_id.as_deref().unwrap_or("") } else { &resource };
            r.summary = format!("may {} perform {} on {}?", caller.principal, a.action, shown);
            match world.simulate_request(&caller, &a.action, &resource, &req) {
                Ok(t) => {
                    if let Some(e) = &s.expect {
                        check_authz(e, &t, &mut r.expectations);
                    }
                    if let Some(n) = &s.name {
                        named.insert(n.clone(), serde_json::json!({ "Decision": t.decision }));
                    }
                    r.authorization = Some(Box::new(t));
                }
                Err(e) => r.error = Some(e.to_string()),
            }
            return r;
        }
        let Some(op) = &s.call else {
            r.error = Some("the step has no `call`, `authorize` or `advance`".into());
            return r;
        };
        let at = format!("/steps/{index}/params");
        let params = match self.substitute(key_arns, named, s.params.as_ref().unwrap_or(&J::Null), &at) {
            Ok(p) => p,
            Err(e) => {
                r.error = Some(e);
                return r;
            }
        };
        let params = self.policy_params(index, params);
        r.summary = format!("{} calls {op}", caller.principal);
        r.summary.shrink_to_fit();
        let request = match KmsRequest::from_parts(op, params) {
            Ok(req) => req,
            Err(e) => {
                r.error = Some(e.message);
                return r;
            }
        };
        let out = world.call(&caller, &request);
        if let (Some(n), Ok(resp)) = (&s.name, &out.response) {
            named.insert(n.clone(), resp.clone());
        }
        if let Some(e) = &s.expect {
            self.check_call(e, &out, world, &mut r.expectations);
        }
        r.call = Some(out);
        r
    }

    /// Policy parameters written as JSON objects become the policy text the API expects.
    fn policy_params(&self, index: usize, mut params: J) -> J {
        if let Some(J::Object(_)) = params.get("Policy") {
            if let Some(p) = self.policies.get(&format!("/steps/{index}/params/Policy")) {
                if let Some(o) = params.as_object_mut() {
                    o.insert("Policy".into(), J::String(p.source().to_string()));
                }
            }
        }
        params
    }

    /// `v` (at pointer `at`) with its placeholders replaced; a problem names the place of its placeholder.
    pub(super) fn substitute(
        &self,
        key_arns: &KeyArns,
        named: &BTreeMap<String, J>,
        v: &J,
        at: &str,
    ) -> Result<J, String> {
        self.replace(key_arns, named, v, &Place { base: at, path: &Path::Root })
    }

    fn replace(&self, key_arns: &KeyArns, named: &BTreeMap<String, J>, v: &J, at: &Place<'_>) -> Result<J, String> {
        Ok(match v {
            J::Object(m) if m.len() == 1 && m.contains_key("$ref") => {
                let path = m.get("$ref").and_then(J::as_str).unwrap_or("");
                let mut parts = path.split('.');
                let step = parts.next().unwrap_or("");
                let mut cur = named
                    .get(step)
                    .ok_or_else(|| format!("{at}: `$ref` names step `{step}`, which has not run or has no response"))?;
                for p in parts {
                    cur = super::expect::field(cur, p)
                        .ok_or_else(|| format!("{at}: `$ref` `{path}`: the response of step `{step}` has no `{p}`"))?;
                }
                cur.clone()
            }
            J::Object(m) if m.len() == 1 && (m.contains_key("$key") || m.contains_key("$keyId")) => {
                let (field, name) =
                    m.iter().next().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or(""))).unwrap_or(("", ""));
                let arn = key_arns
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("{at}: `{field}` names key `{name}`, which is not in `keys`"))?;
                if field == "$keyId" {
                    J::String(arn.rsplit('/').next().unwrap_or("").to_string())
                } else {
                    J::String(arn)
                }
            }
            J::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    let path = Path::Key(at.path, k);
                    out.insert(k.clone(), self.replace(key_arns, named, v, &Place { base: at.base, path: &path })?);
                }
                J::Object(out)
            }
            J::Array(a) => J::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let path = Path::Index(at.path, i);
                        self.replace(key_arns, named, x, &Place { base: at.base, path: &path })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// Without the trace, a call step keeps its outcome and an `authorize` step its verdict, not the evidence
/// (expectations and goals are checked by now).
fn trim(r: &mut StepResult) {
    if let Some(out) = &mut r.call {
        out.trace.keep_outcome_only();
    }
    if let Some(t) = &mut r.authorization {
        t.keep_verdict_only();
    }
}

/// Where a placeholder is, written out only for an error: a pointer and the path below it.
struct Place<'a> {
    base: &'a str,
    path: &'a Path<'a>,
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.base, self.path.pointer())
    }
}
