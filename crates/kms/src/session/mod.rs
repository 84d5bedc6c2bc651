//! The protocol that the JS API (crates/wasm) speaks, as plain Rust over JSON values so that it is tested natively
//! and the CLI shares its error shapes: [`Failure`] and [`Diagnostic`] (`protocol.rs`), the stateless requests
//! `evaluate` and `validate_policy` and the [`PreparedPolicies`] that evaluate many requests on policies parsed once
//! (`evaluate.rs`), and the stateful [`Session`] (here): a world, loaded from a scenario or restored from a saved
//! world, that takes calls, steps and clock moves one at a time.
//!
//! Inputs are JSON values in the protocol's shapes (a caller as a principal or an object, AWS parameters, a
//! duration); answers are the core's own types, which a binding writes with [`to_json`] (a tree)
//! or [`to_json_text`] (JSON text, for a JS engine's `JSON.parse`).

mod evaluate;
mod lint;
mod plain_request;
mod protocol;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as J;

pub use self::evaluate::{
    evaluate, parse_policies, policy_type, request, request_or, request_text, validate_policy, EvaluateInput,
    EvaluateOptions, PolicyInput, PreparedPolicies, ValidationResult,
};
pub use self::lint::{complete_policy, hover_policy, lint_policy};
pub use self::plain_request::request_plain;
pub use self::protocol::{seed, to_json, to_json_text, Diagnostic, Failure, MAX_SAFE_INTEGER};
use crate::api::KmsRequest;
use crate::audit::AuditRecord;
use crate::clock::Duration;
use crate::ops::CallOutcome;
use crate::principal::Caller;
use crate::scenario::{self, Scenario, ScenarioRun, StepResult};
use crate::trace::AuthzTrace;
use crate::world::World;

/// A world and, when loaded from a scenario, the scenario and how far its steps have run.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Option<Scenario>,
    /// The seed used when the scenario file has none.
    seed_if_missing: u64,
    world: World,
    /// The responses of named steps, for `$ref`s in later steps.
    /// The scenario's key ARNs in `world` (for `$key` in steps).
    key_arns: crate::scenario::KeyArns,
    named: BTreeMap<String, J>,
    next_step: usize,
}

impl Session {
    /// Parses a scenario and builds its world. `seed_if_missing` is used only when the file has no `seed`.
    pub fn load(text: &str, seed_if_missing: u64) -> Result<Session, Failure> {
        let scenario = Scenario::parse(text)?;
        let (world, key_arns) = scenario.build(seed_if_missing);
        Ok(Session { scenario: Some(scenario), seed_if_missing, world, key_arns, named: BTreeMap::new(), next_step: 0 })
    }

    /// A session over a saved world (from [`Session::world`], as a value or as JSON text); it has no scenario
    /// steps.
    pub fn restore(world: J) -> Result<Session, Failure> {
        let world = match world {
            J::String(text) => serde_json::from_str::<World>(&text),
            other => serde_json::from_value::<World>(other),
        }
        .map_err(|e| Failure::input("world", e))?;
        let seed_if_missing = world.seed().0;
        Ok(Session {
            scenario: None,
            seed_if_missing,
            world,
            key_arns: Default::default(),
            named: BTreeMap::new(),
            next_step: 0,
        })
    }

    fn scenario(&self) -> Result<&Scenario, Failure> {
        self.scenario.as_ref().ok_or_else(|| Failure::new("this simulator was restored from a world and has no steps"))
    }

    /// The number of scenario steps (0 for a restored world).
    pub fn step_count(&self) -> usize {
        self.scenario.as_ref().map_or(0, |s| s.file.steps.len())
    }

    /// The index of the step [`Session::step`] runs next.
    pub fn next_step(&self) -> usize {
        self.next_step
    }

    /// Rebuilds the scenario's world as before the first step.
    pub fn reset(&mut self) -> Result<(), Failure> {
        let (world, key_arns) = self.scenario()?.build(self.seed_if_missing);
        self.world = world;
        self.key_arns = key_arns;
        self.named.clear();
        self.next_step = 0;
        Ok(())
    }

    /// Runs the whole scenario from the start on a fresh world (the same seed) and keeps its final world, so later
    /// calls continue from there.
    pub fn run_all(&mut self, trace: bool) -> Result<ScenarioRun, Failure> {
        let run = self.scenario()?.run(self.seed_if_missing, trace);
        self.world = run.world.clone();
        self.named.clear();
        self.next_step = run.steps.len();
        Ok(run)
    }

    /// Runs step `index` against the current world and makes the following step the next one.
    pub fn run_step(&mut self, index: usize, trace: bool) -> Result<StepResult, Failure> {
        let scenario = self.scenario.as_ref().ok_or_else(|| Failure::new("this simulator has no scenario steps"))?;
        let n = scenario.file.steps.len();
        let step = scenario
            .file
            .steps
            .get(index)
            .ok_or_else(|| Failure::new(format!("step {index} does not exist: the scenario has {n} steps")))?;
        let result = scenario.run_step(&mut self.world, &self.key_arns, &mut self.named, index, step, trace);
        self.next_step = index.saturating_add(1);
        Ok(result)
    }

    /// Runs the next step, or returns `None` when every step has run.
    pub fn step(&mut self, trace: bool) -> Result<Option<StepResult>, Failure> {
        if self.next_step >= self.step_count() {
            self.scenario()?;
            return Ok(None);
        }
        self.run_step(self.next_step, trace).map(Some)
    }

    /// The caller: a principal (ARN or short form such as `role/App`, resolved in the world's first account), or a
    /// `Caller` object. The trace is on unless the object sets `trace: false`.
    pub fn caller(&self, caller: J) -> Result<Caller, Failure> {
        let mut caller = match caller {
            J::String(p) => Caller::new(p),
            J::Object(mut m) => {
                m.entry("trace").or_insert(J::Bool(true));
                serde_json::from_value::<Caller>(J::Object(m)).map_err(|e| Failure::input("caller", e))?
            }
            other => {
                return Err(Failure::new(format!("invalid caller: expected a principal or an object, found {other}")))
            }
        };
        let account = self.world.accounts.keys().next().map_or("111122223333", String::as_str);
        caller.principal = scenario::resolve_principal(&caller.principal, account);
        Ok(caller)
    }

    /// Makes one API call: `operation` with AWS's parameter names. AWS errors such as AccessDeniedException are
    /// outcomes, not failures; fails only when the call cannot be built.
    pub fn call(&mut self, caller: J, operation: &str, params: J) -> Result<CallOutcome, Failure> {
        let caller = self.caller(caller)?;
        let request = KmsRequest::from_parts(operation, params)?;
        Ok(self.world.call(&caller, &request))
    }

    /// Answers an authorization question without executing anything.
    pub fn simulate(
        &self,
        caller: J,
        action: &str,
        resource: &str,
        encryption_context: J,
    ) -> Result<AuthzTrace, Failure> {
        let caller = self.caller(caller)?;
        let ec: Option<BTreeMap<String, String>> =
            serde_json::from_value(encryption_context).map_err(|e| Failure::input("encryption context", e))?;
        Ok(self.world.simulate(&caller, action, resource, ec.as_ref())?)
    }

    /// Moves the clock forward (`{ days, hours, minutes, seconds }`). Returns the service events (rotations,
    /// deletions) that happened, as audit records.
    pub fn advance(&mut self, by: J) -> Result<Vec<Arc<AuditRecord>>, Failure> {
        let by: Duration = serde_json::from_value(by).map_err(|e| Failure::input("duration", e))?;
        if by.millis() < 0 {
            return Err(Failure::new("the clock only moves forward: the duration must not be negative"));
        }
        self.world.advance(by).map_err(|e| Failure::new(e.message))
    }

    /// Every audit record so far.
    pub fn audit(&self) -> &[Arc<AuditRecord>] {
        self.world.audit().records()
    }

    /// The world, for saving (it holds no key material or plaintext; [`Session::restore`] reads it back). Its
    /// seed derives every key, so anyone holding a saved world can recompute every key and ciphertext.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The seed every key, ciphertext and id of this world derives from.
    pub fn seed(&self) -> u64 {
        self.world.seed().0
    }

    /// The simulated clock, ISO 8601.
    pub fn now(&self) -> String {
        self.world.now().iso()
    }
}

#[cfg(test)]
mod tests;
