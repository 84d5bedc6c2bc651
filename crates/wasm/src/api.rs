//! The JS API's protocol in plain Rust over JSON values, so it is tested natively; `lib.rs` only converts between
//! `JsValue` and `serde_json::Value` and turns a [`Failure`] into a JS `Error`.

use std::collections::BTreeMap;

use kmsim_kms::scenario::{self, Scenario};
use kmsim_kms::{Caller, Duration, KmsRequest, Seed, World};
use kmsim_policy::{evaluate_all, EvalOptions, Policy, PolicyError, PolicyType, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a call failed: a one-line message and structured diagnostics (a JSON array of [`Diagnostic`]s), which the
/// bindings put on the thrown `Error` as `.diagnostics`.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// One problem: a message and, when known, where it is (`span`), what kind it is, and which input policy it is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(tsify::Tsify))]
pub struct Diagnostic {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<kmsim_policy::Span>,
    /// For policy errors: the engine's error kind (`InvalidJson`, `UnknownElement`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<kmsim_policy::ErrorKind>,
    /// For `evaluate`: the 0-based index of the input policy the problem is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<usize>,
    /// For a call that could not be made: the AWS error code (`ValidationException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<kmsim_kms::ErrorCode>,
}

impl Diagnostic {
    fn message(message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), help: None, span: None, kind: None, policy: None, code: None }
    }
    fn from_policy_error(e: PolicyError, policy: Option<usize>) -> Diagnostic {
        Diagnostic { message: e.message, help: e.help, span: Some(e.span), kind: Some(e.kind), policy, code: None }
    }
}

impl Failure {
    /// A failure with a single diagnostic that repeats the message.
    pub fn new(message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure { diagnostics: vec![Diagnostic::message(message.clone())], message }
    }
    /// A JSON input that does not have the expected shape.
    fn input(what: &str, e: impl std::fmt::Display) -> Failure {
        Failure::new(format!("invalid {what}: {e}"))
    }
    /// The diagnostics as JSON.
    pub fn diagnostics_json(&self) -> J {
        to_json(&self.diagnostics)
    }
}

/// Serialises core output for JavaScript: integers beyond 2^53 become decimal strings (seeds are any u64, and the
/// core accepts seeds as strings), everything else is unchanged.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> J {
    js_safe(serde_json::to_value(value).unwrap_or(J::Null))
}

fn js_safe(v: J) -> J {
    match v {
        J::Number(n) => {
            let unsafe_int = n.as_u64().is_some_and(|u| u > MAX_SAFE_INTEGER)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() > MAX_SAFE_INTEGER);
            if unsafe_int {
                J::String(n.to_string())
            } else {
                J::Number(n)
            }
        }
        J::Array(a) => J::Array(a.into_iter().map(js_safe).collect()),
        J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, js_safe(v))).collect()),
        other => other,
    }
}

// ---- evaluate / validatePolicy -----------------------------------------------------------------------------------

/// `evaluate`'s input: policies of one kind, a request, and whether to record the full trace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(target_arch = "wasm32"), derive(tsify::Tsify))]
pub struct EvaluateInput {
    policies: Vec<PolicyInput>,
    request: Request,
    #[serde(default)]
    trace: bool,
}

/// One policy for `evaluate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(target_arch = "wasm32"), derive(tsify::Tsify))]
pub struct PolicyInput {
    #[serde(rename = "type")]
    ty: PolicyType,
    text: String,
    /// For the caller's own bookkeeping; not used by the evaluation.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), tsify(optional))]
    #[expect(dead_code, reason = "accepted so callers can label policies; the engine does not need it")]
    name: Option<String>,
}

/// Evaluates policies of one kind against a request: `{ policies: [{ type, text, name? }], request, trace? }` ->
/// the engine's `SetResult`. Every policy that does not parse is reported, each diagnostic naming its policy.
pub fn evaluate(input: J) -> Result<J, Failure> {
    let input: EvaluateInput = serde_json::from_value(input).map_err(|e| Failure::input("evaluate input", e))?;
    let mut policies = Vec::with_capacity(input.policies.len());
    let mut diagnostics = Vec::new();
    for (i, p) in input.policies.iter().enumerate() {
        match Policy::parse(&p.text, p.ty) {
            Ok(policy) => policies.push(policy),
            Err(errs) => diagnostics.extend(errs.errors.into_iter().map(|e| Diagnostic::from_policy_error(e, Some(i)))),
        }
    }
    if !diagnostics.is_empty() {
        let n = diagnostics.len();
        let message = format!("policies have {n} error{}", if n == 1 { "" } else { "s" });
        return Err(Failure { message, diagnostics });
    }
    let refs: Vec<&Policy> = policies.iter().collect();
    Ok(to_json(&evaluate_all(&refs, &input.request, EvalOptions { trace: input.trace })))
}

/// Parses a policy type as the JS API writes it (`identity`, `resource`, `scp`, `permissions-boundary`, `session`).
pub fn policy_type(ty: &str) -> Result<PolicyType, Failure> {
    serde_json::from_value(J::String(ty.to_string())).map_err(|_| {
        Failure::new(format!(
            "unknown policy type `{ty}`; expected one of identity, resource, scp, permissions-boundary, session"
        ))
    })
}

/// `validatePolicy`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[cfg_attr(not(target_arch = "wasm32"), derive(tsify::Tsify))]
pub enum ValidationResult {
    Valid {
        /// Always `true`.
        #[cfg_attr(not(target_arch = "wasm32"), tsify(type = "true"))]
        ok: bool,
    },
    Invalid {
        /// Always `false`.
        #[cfg_attr(not(target_arch = "wasm32"), tsify(type = "false"))]
        ok: bool,
        errors: Vec<PolicyError>,
    },
}

/// Checks a policy: `{ ok: true }` or `{ ok: false, errors: [PolicyError...] }`. Bad policy text is an answer, not
/// a failure; only an unknown policy type fails.
pub fn validate_policy(text: &str, ty: &str) -> Result<J, Failure> {
    let ty = policy_type(ty)?;
    let result = match Policy::parse(text, ty) {
        Ok(_) => ValidationResult::Valid { ok: true },
        Err(errs) => ValidationResult::Invalid { ok: false, errors: errs.errors },
    };
    Ok(to_json(&result))
}

// ---- the simulator -----------------------------------------------------------------------------------------------

/// A world and, when loaded from a scenario, the scenario and how far its steps have run.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Option<Scenario>,
    /// The seed used when the scenario file has none.
    seed_if_missing: u64,
    world: World,
    named: BTreeMap<String, J>,
    next_step: usize,
}

impl Session {
    /// Parses a scenario and builds its world. `seed_if_missing` is used only when the file has no `seed`.
    pub fn load(text: &str, seed_if_missing: u64) -> Result<Session, Failure> {
        let scenario = Scenario::parse(text).map_err(|errs| {
            let message = errs.to_string().lines().next().unwrap_or("invalid scenario").to_string();
            let diagnostics = errs
                .errors
                .into_iter()
                .map(|e| Diagnostic { help: e.help, span: Some(e.span), ..Diagnostic::message(e.message) })
                .collect();
            Failure { message, diagnostics }
        })?;
        let world = scenario.build_world(seed_if_missing);
        Ok(Session { scenario: Some(scenario), seed_if_missing, world, named: BTreeMap::new(), next_step: 0 })
    }

    /// A session over a saved world (from [`Session::world`]); it has no scenario steps.
    pub fn restore(world: J) -> Result<Session, Failure> {
        let world = match world {
            J::String(text) => serde_json::from_str::<World>(&text),
            other => serde_json::from_value::<World>(other),
        }
        .map_err(|e| Failure::input("world", e))?;
        Ok(Session { scenario: None, seed_if_missing: world.seed().0, world, named: BTreeMap::new(), next_step: 0 })
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
        let world = self.scenario()?.build_world(self.seed_if_missing);
        self.world = world;
        self.named.clear();
        self.next_step = 0;
        Ok(())
    }

    /// Runs the whole scenario from the start on a fresh world (the same seed) and keeps its final world, so later
    /// calls continue from there. Returns the `ScenarioRun`.
    pub fn run_all(&mut self, trace: bool) -> Result<J, Failure> {
        let run = self.scenario()?.run(self.seed_if_missing, trace);
        self.world = run.world.clone();
        self.named.clear();
        self.next_step = run.steps.len();
        Ok(to_json(&run))
    }

    /// Runs step `index` against the current world and makes the following step the next one. Returns its
    /// `StepResult`.
    pub fn run_step(&mut self, index: usize, trace: bool) -> Result<J, Failure> {
        let scenario = self.scenario.as_ref().ok_or_else(|| Failure::new("this simulator has no scenario steps"))?;
        let n = scenario.file.steps.len();
        let step = scenario
            .file
            .steps
            .get(index)
            .ok_or_else(|| Failure::new(format!("step {index} does not exist: the scenario has {n} steps")))?;
        let result = scenario.run_step(&mut self.world, &mut self.named, index, step, trace);
        self.next_step = index.saturating_add(1);
        Ok(to_json(&result))
    }

    /// Runs the next step, or returns `None` when every step has run.
    pub fn step(&mut self, trace: bool) -> Result<Option<J>, Failure> {
        if self.next_step >= self.step_count() {
            self.scenario()?;
            return Ok(None);
        }
        self.run_step(self.next_step, trace).map(Some)
    }

    /// The caller: a principal (ARN or short form such as `role/App`, resolved in the world's first account), or a
    /// `Caller` object. The trace is on unless the object sets `trace: false`.
    fn caller(&self, caller: J) -> Result<Caller, Failure> {
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

    /// Makes one API call: `operation` with AWS's parameter names. Returns the `CallOutcome` (AWS errors such as
    /// AccessDeniedException are outcomes, not failures); fails only when the call cannot be built.
    pub fn call(&mut self, caller: J, operation: &str, params: J) -> Result<J, Failure> {
        let caller = self.caller(caller)?;
        let request = KmsRequest::from_parts(operation, params).map_err(|e| Failure {
            message: e.message.clone(),
            diagnostics: vec![Diagnostic { code: Some(e.code), ..Diagnostic::message(e.message) }],
        })?;
        Ok(to_json(&self.world.call(&caller, &request)))
    }

    /// Answers an authorization question without executing anything. Returns the `AuthzTrace`.
    pub fn simulate(&self, caller: J, action: &str, resource: &str, encryption_context: J) -> Result<J, Failure> {
        let caller = self.caller(caller)?;
        let ec: Option<BTreeMap<String, String>> =
            serde_json::from_value(encryption_context).map_err(|e| Failure::input("encryption context", e))?;
        self.world.simulate(&caller, action, resource, ec.as_ref()).map(|t| to_json(&t)).map_err(|e| Failure {
            message: e.message.clone(),
            diagnostics: vec![Diagnostic { code: Some(e.code), ..Diagnostic::message(e.message) }],
        })
    }

    /// Moves the clock forward (`{ days, hours, minutes, seconds }`). Returns the service events (rotations,
    /// deletions) that happened, as audit records.
    pub fn advance(&mut self, by: J) -> Result<J, Failure> {
        let by: Duration = serde_json::from_value(by).map_err(|e| Failure::input("duration", e))?;
        if by.millis() < 0 {
            return Err(Failure::new("the clock only moves forward: the duration must not be negative"));
        }
        let events = self.world.advance(by).map_err(|e| Failure::new(e.message))?;
        Ok(to_json(&events))
    }

    /// Every audit record so far.
    pub fn audit(&self) -> J {
        to_json(self.world.audit().records())
    }

    /// The world, for saving (it holds no key material or plaintext; [`Session::restore`] reads it back).
    pub fn world(&self) -> J {
        to_json(&self.world)
    }

    pub fn seed(&self) -> u64 {
        self.world.seed().0
    }

    /// The simulated clock, ISO 8601.
    pub fn now(&self) -> String {
        self.world.now().iso()
    }
}

/// Reads a seed given as a JSON number or a decimal string (what `Seed` accepts).
pub fn seed(value: J) -> Result<u64, Failure> {
    serde_json::from_value::<Seed>(value).map(|s| s.0).map_err(|e| Failure::input("seed", e))
}

/// A random seed that a JavaScript number holds exactly, so it survives JSON and `Number` round trips.
pub fn random_seed() -> Result<u64, Failure> {
    getrandom::u64()
        .map(|v| v & MAX_SAFE_INTEGER)
        .map_err(|e| Failure::new(format!("no randomness available for a seed: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow",
        "Action": "kms:*", "Resource": "*"}]}"#;

    fn scenario(seed: Option<u64>) -> String {
        let seed = seed.map(|s| format!(r#""seed": {s},"#)).unwrap_or_default();
        format!(
            r#"{{ {seed} "accounts": {{ "111122223333": {{ "users": {{ "admin": {{ "policies": {{ "all": {ALLOW_ALL} }} }} }},
                 "roles": {{ "App": {{}} }} }} }},
               "keys": {{ "k": {{ "aliases": ["alias/k"] }} }},
               "steps": [
                 {{ "name": "e", "call": "Encrypt", "as": "user/admin", "params": {{ "KeyId": "alias/k", "Plaintext": {{ "Text": "hi" }} }} }},
                 {{ "call": "Decrypt", "as": "user/admin", "params": {{ "CiphertextBlob": {{ "$ref": "e.CiphertextBlob" }} }},
                   "expect": {{ "outcome": "success" }} }} ] }}"#
        )
    }

    #[test]
    fn integers_beyond_2_pow_53_become_strings_and_others_stay_numbers() {
        let v =
            to_json(&json!({"a": [MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, u64::MAX], "b": -9_007_199_254_740_993_i64,
            "c": 1.5, "d": -3}));
        assert_eq!(
            v,
            json!({"a": [MAX_SAFE_INTEGER, "9007199254740992", "18446744073709551615"], "b": "-9007199254740993",
                "c": 1.5, "d": -3})
        );
    }

    #[test]
    fn evaluate_reports_every_bad_policy_by_index_and_decides_otherwise() {
        let request = json!({"principal": {"arn": "arn:aws:iam::111122223333:user/a", "kind": "user"},
            "action": "kms:Decrypt", "resource": "*"});
        let bad = json!({"policies": [{"type": "identity", "text": "{"}, {"type": "identity", "text": ALLOW_ALL},
            {"type": "identity", "text": "[]"}], "request": request});
        let f = evaluate(bad).unwrap_err();
        assert_eq!(f.message, "policies have 2 errors");
        let policies: Vec<Option<usize>> = f.diagnostics.iter().map(|d| d.policy).collect();
        assert_eq!(policies, vec![Some(0), Some(2)]);
        assert!(f.diagnostics.iter().all(|d| d.span.as_ref().is_some_and(|s| s.line == 1) && d.kind.is_some()));

        let ok =
            evaluate(json!({"policies": [{"type": "identity", "text": ALLOW_ALL, "name": "x"}], "request": request}));
        let ok = ok.unwrap();
        assert_eq!(ok["decision"], "Allow");
        assert_eq!(ok["policies"][0]["applied"][0]["sid"], "All");

        let f = evaluate(json!({"policies": [], "request": request, "extra": 1})).unwrap_err();
        assert!(f.message.starts_with("invalid evaluate input: unknown field `extra`"), "{}", f.message);
        assert_eq!(f.diagnostics_json(), json!([{"message": f.message}]));
    }

    #[test]
    fn validate_policy_answers_diagnostics_and_fails_only_on_an_unknown_type() {
        assert_eq!(validate_policy(ALLOW_ALL, "identity").unwrap(), json!({"ok": true}));
        let r = validate_policy("{\n  \"Version\": 1\n}", "scp").unwrap();
        assert_eq!(r["ok"], false);
        assert!(r["errors"].as_array().is_some_and(|e| !e.is_empty()));
        let f = validate_policy(ALLOW_ALL, "Identity").unwrap_err();
        assert!(f.message.starts_with("unknown policy type `Identity`"), "{}", f.message);
        for ty in ["identity", "resource", "scp", "permissions-boundary", "session"] {
            assert!(policy_type(ty).is_ok(), "{ty}");
        }
    }

    #[test]
    fn seeds_read_numbers_and_decimal_strings_and_random_ones_are_js_safe() {
        assert_eq!(seed(json!(42)).unwrap(), 42);
        assert_eq!(seed(json!("18446744073709551615")).unwrap(), u64::MAX);
        assert!(seed(json!(-1)).is_err());
        assert!(seed(json!(1.5)).is_err());
        assert!(seed(json!("x")).unwrap_err().message.starts_with("invalid seed"));
        let draws: Vec<u64> = (0..8).map(|_| random_seed().unwrap()).collect();
        assert!(draws.iter().all(|d| *d <= MAX_SAFE_INTEGER));
        assert!(draws.windows(2).any(|w| w.first() != w.get(1)), "{draws:?}");
    }

    #[test]
    fn the_file_seed_wins_over_the_given_one() {
        assert_eq!(Session::load(&scenario(Some(9)), 5).unwrap().seed(), 9);
        assert_eq!(Session::load(&scenario(None), 5).unwrap().seed(), 5);
    }

    #[test]
    fn steps_one_at_a_time_equal_the_whole_run_and_reset_starts_over() {
        let mut all = Session::load(&scenario(None), 3).unwrap();
        let run = all.run_all(false).unwrap();
        assert_eq!(run["passed"], true, "{run:#}");
        assert_eq!(all.next_step(), 2);
        assert_eq!(all.step(false).unwrap(), None);

        let mut one = Session::load(&scenario(None), 3).unwrap();
        assert_eq!(one.step_count(), 2);
        let first = one.step(false).unwrap().unwrap();
        let second = one.step(false).unwrap().unwrap();
        assert_eq!(Some(&json!([first, second])), run.get("steps"));
        assert_eq!(one.world(), all.world());

        one.reset().unwrap();
        assert_eq!(one.next_step(), 0);
        // The `$ref` to step `e` is gone after a reset, so step 1 alone cannot run.
        let alone = one.run_step(1, false).unwrap();
        assert!(alone["error"].as_str().is_some_and(|e| e.contains("`e`")), "{alone:#}");
        assert!(one.run_step(2, false).unwrap_err().message.contains("the scenario has 2 steps"));
    }

    #[test]
    fn callers_resolve_short_forms_in_the_first_account_and_trace_by_default() {
        let mut s = Session::load(&scenario(Some(1)), 0).unwrap();
        let out = s.call(json!("user/admin"), "ListKeys", json!({})).unwrap();
        assert_eq!(out["trace"]["caller"], "arn:aws:iam::111122223333:user/admin");
        assert!(out["response"]["Ok"].is_object(), "{out:#}");
        let traced = s.call(json!({"principal": "user/admin"}), "ListKeys", J::Null).unwrap();
        let untraced = s.call(json!({"principal": "user/admin", "trace": false}), "ListKeys", J::Null).unwrap();
        let policies = |o: &J| o["trace"]["authorizations"][0]["policies"][0]["result"].get("trace").is_some();
        assert!(policies(&traced));
        assert!(!policies(&untraced));
        let denied = s.call(json!("role/App"), "ListKeys", J::Null).unwrap();
        assert_eq!(denied["trace"]["caller"], "arn:aws:sts::111122223333:assumed-role/App/session");
        assert_eq!(denied["response"]["Err"]["code"], "AccessDeniedException");

        assert!(s.call(json!(5), "ListKeys", J::Null).unwrap_err().message.starts_with("invalid caller"));
        let f = s.call(json!("user/admin"), "Nope", J::Null).unwrap_err();
        assert_eq!(f.diagnostics.first().and_then(|d| d.code), Some(kmsim_kms::ErrorCode::ValidationException));
    }

    #[test]
    fn a_restored_world_behaves_like_the_saved_one() {
        let mut s = Session::load(&scenario(Some(4)), 0).unwrap();
        let run = s.run_all(false).unwrap();
        let blob = run["steps"][0]["call"]["response"]["Ok"]["CiphertextBlob"].clone();
        let saved = s.world();
        let mut from_value = Session::restore(saved.clone()).unwrap();
        let mut from_text = Session::restore(J::String(saved.to_string())).unwrap();
        assert_eq!(from_value.world(), saved);
        assert_eq!(from_value.step_count(), 0);
        assert!(from_value.run_all(false).is_err() && from_value.reset().is_err());
        let decrypt =
            |s: &mut Session| s.call(json!("user/admin"), "Decrypt", json!({"CiphertextBlob": blob})).unwrap();
        let a = decrypt(&mut s);
        assert_eq!(a["response"]["Ok"]["Plaintext"], "aGk=");
        assert_eq!(decrypt(&mut from_value)["response"], a["response"]);
        assert_eq!(decrypt(&mut from_text)["trace"], a["trace"]);
        assert!(Session::restore(json!({"config": 1})).unwrap_err().message.starts_with("invalid world"));
    }

    #[test]
    fn advance_reads_a_duration_and_refuses_to_go_back() {
        let mut s = Session::load(&scenario(Some(1)), 0).unwrap();
        let start = s.now();
        assert_eq!(s.advance(json!({"days": 2})).unwrap(), json!([]));
        assert_ne!(s.now(), start);
        assert!(s.advance(json!({"days": -1})).unwrap_err().message.contains("only moves forward"));
        assert!(s.advance(json!({"weeks": 1})).unwrap_err().message.starts_with("invalid duration"));
    }

    #[test]
    fn scenario_errors_become_located_diagnostics() {
        let f = Session::load("{\n  \"stpes\": []\n}", 1).unwrap_err();
        assert_eq!(f.message, "scenario has 1 error");
        let d = f.diagnostics.first().unwrap();
        assert_eq!(d.message, "unknown field `stpes`");
        assert_eq!(d.help.as_deref(), Some("did you mean `steps`?"));
        assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((2, 3)));
    }
}
