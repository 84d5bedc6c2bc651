#![doc = include_str!("../README.md")]

mod convert;

use std::cell::RefCell;
use std::sync::Arc;

use kmsim_kms::session::{self, to_json_text, Failure, Session};
use serde::Serialize;
use serde_json::Value as J;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The TypeScript types of every input and output, generated from the Rust types by `tests/typescript.rs`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../types/kmsim.d.ts");

// Argument types for optional parameters (`unchecked_param_type` would drop the `?`).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "number | bigint | string")]
    pub type SeedArg;
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    pub type EncryptionContextArg;
    #[wasm_bindgen(typescript_type = "EvaluateOptions")]
    pub type EvaluateOptionsArg;
}

// ---- conversions ----------------------------------------------------------------------------------------------------

/// A JS argument as JSON (see [`convert::from_js`]), or the `Error` to throw.
fn from_js(value: &JsValue, what: &str) -> Result<J, JsValue> {
    convert::from_js(value, what).map_err(|f| error(&f))
}

/// A string argument, or the `Error` to throw.
fn string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    convert::string(value, what).map_err(|f| error(&f))
}

/// JSON as a plain JS value: objects, arrays, numbers (see [`session::to_json`] for large integers).
fn to_js(value: &J) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// An answer of the core as a plain JS value, integers beyond 2^53 as decimal strings: read by the engine's
/// `JSON.parse` from JSON text written in Rust ([`to_json_text`]: the values and key order of [`session::to_json`]), which
/// is several times faster than building the objects one by one through serde-wasm-bindgen.
fn answer<T: Serialize + ?Sized>(value: &T) -> JsValue {
    js_sys::JSON::parse(&to_json_text(value)).unwrap_or(JsValue::NULL)
}

/// The one error helper: a JS `Error` with the message and a `diagnostics` array of structured problems.
fn error(failure: &Failure) -> JsValue {
    let e = js_sys::Error::new(&failure.message);
    // Setting a property on a fresh Error object cannot fail; if it did, the Error still carries the message.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("diagnostics"), &to_js(&failure.diagnostics_json()));
    e.into()
}

fn done<T: Serialize>(result: Result<T, Failure>) -> Result<JsValue, JsValue> {
    result.map(|v| answer(&v)).map_err(|f| error(&f))
}

/// A random seed that a JavaScript number holds exactly, so it survives JSON and `Number` round trips.
fn random_seed() -> Result<u64, Failure> {
    getrandom::u64()
        .map(|v| v & session::MAX_SAFE_INTEGER)
        .map_err(|e| Failure::new(format!("no randomness available for a seed: {e}")))
}

// ---- functions ------------------------------------------------------------------------------------------------------

/// Evaluates policies of one kind against a request. Throws (with `diagnostics`) when the input is malformed or a
/// policy does not parse.
#[wasm_bindgen(unchecked_return_type = "SetResult")]
pub fn evaluate(#[wasm_bindgen(unchecked_param_type = "EvaluateInput")] input: JsValue) -> Result<JsValue, JsValue> {
    let input = session::EvaluateInput::from_json(from_js(&input, "evaluate input")?).map_err(|f| error(&f))?;
    done(session::evaluate(&input))
}

/// Checks a policy document. Never throws for bad policy text: it returns the diagnostics. Throws only for an
/// unknown policy type or an argument that is not a string.
#[wasm_bindgen(js_name = validatePolicy, unchecked_return_type = "ValidationResult")]
pub fn validate_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = "type", unchecked_param_type = "PolicyType")] ty: JsValue,
) -> Result<JsValue, JsValue> {
    let text = string(&text, "policy text")?;
    let ty = string(&ty, "policy type")?;
    done(session::validate_policy(&text, &ty))
}

/// Parses policies once, to evaluate many requests against them (`evaluate` without the parsing). Throws as
/// `evaluate` does (with `diagnostics`, each naming its policy by index) when a policy does not parse.
#[wasm_bindgen(js_name = preparePolicies)]
pub fn prepare_policies(
    #[wasm_bindgen(unchecked_param_type = "PolicyInput[]")] policies: JsValue,
) -> Result<PreparedPolicies, JsValue> {
    let policies = from_js(&policies, "policies")?;
    session::PreparedPolicies::from_json(policies).map(PreparedPolicies::new).map_err(|f| error(&f))
}

/// `preparePolicies([{ type, text }])`: one policy parsed once.
#[wasm_bindgen(js_name = preparePolicy)]
pub fn prepare_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = "type", unchecked_param_type = "PolicyType")] ty: JsValue,
) -> Result<PreparedPolicies, JsValue> {
    let text = string(&text, "policy text")?;
    let ty = session::policy_type(&string(&ty, "policy type")?).map_err(|f| error(&f))?;
    let policy = session::PolicyInput { ty, text, name: None, level: None };
    session::PreparedPolicies::parse(std::slice::from_ref(&policy)).map(PreparedPolicies::new).map_err(|f| error(&f))
}

/// Policies parsed once by `preparePolicies`; every `evaluate` gives what the function `evaluate` gives for these
/// policies and that request. Immutable: a bad argument is an `Error` and changes nothing.
#[wasm_bindgen]
pub struct PreparedPolicies {
    inner: Arc<session::PreparedPolicies>,
    /// A second handle on the same policies that the `Evaluation`s of `check` hold for their lazy answers, so that
    /// they keep working after this handle is freed (`None` in that second handle itself).
    core: Option<JsValue>,
}

impl PreparedPolicies {
    fn new(inner: session::PreparedPolicies) -> PreparedPolicies {
        let inner = Arc::new(inner);
        let core = JsValue::from(PreparedPolicies { inner: Arc::clone(&inner), core: None });
        PreparedPolicies { inner, core: Some(core) }
    }

    fn run(&self, request: &JsValue, options: Option<EvaluateOptionsArg>) -> Result<kmsim_policy::SetResult, JsValue> {
        let (request, _) = convert::request(request).map_err(|f| error(&f))?;
        let trace = evaluate_options(options)?.trace;
        Ok(self.inner.evaluate(&request, trace))
    }
}

/// `{ trace? }`, or the defaults when omitted.
fn evaluate_options(options: Option<EvaluateOptionsArg>) -> Result<session::EvaluateOptions, JsValue> {
    let options = match options {
        Some(o) => from_js(&o.into(), "options")?,
        None => J::Null,
    };
    session::EvaluateOptions::from_json(options).map_err(|f| error(&f))
}

// The answer of `check`: a plain JS object (no memory in the wasm instance, collected as any JS object) with the
// decision, and the request as JSON text for the full answer made when asked for. `answers` is set instead when the
// request had no exact text (a float, a Map, ...): the two answers are then made at once.
#[wasm_bindgen(inline_js = r#"
const DECISIONS = ['Allow', 'ExplicitDeny', 'ImplicitDeny'];
export class Evaluation {
  #core; #decision; #request; #answers;
  constructor(core, decision, request, answers) {
    this.#core = core; this.#decision = DECISIONS[decision]; this.#request = request; this.#answers = answers;
  }
  get decision() { return this.#decision; }
  get allowed() { return this.#decision === 'Allow'; }
  resultJson(options) { return this.#core.__answer(this.#request, this.#answers, options); }
  result(options) { return JSON.parse(this.resultJson(options)); }
}
"#)]
extern "C" {
    type Evaluation;
    #[wasm_bindgen(constructor)]
    fn new(core: &JsValue, decision: u8, request: &JsValue, answers: &JsValue) -> Evaluation;
}

#[wasm_bindgen]
impl PreparedPolicies {
    /// Evaluates `request` against the prepared policies; `{ trace: true }` records the full trace.
    #[wasm_bindgen(unchecked_return_type = "SetResult")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
        options: Option<EvaluateOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        Ok(answer(&self.run(&request, options)?))
    }

    /// `evaluate`'s answer as JSON text (`JSON.parse` it, store it or send it as it is).
    #[wasm_bindgen(js_name = evaluateJson)]
    pub fn evaluate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
        options: Option<EvaluateOptionsArg>,
    ) -> Result<String, JsValue> {
        Ok(to_json_text(&self.run(&request, options)?))
    }

    /// Decides `request`: an `Evaluation` whose `decision` is there at once and whose full answer (`result()`,
    /// with `{ trace: true }` the full trace) is made when asked for. The fastest way to many decisions with the
    /// trace at hand. Throws as `evaluate` does for a bad request.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (request, text) = convert::request(&request).map_err(|f| error(&f))?;
        let plain = self.inner.evaluate(&request, false);
        // Without an exact text of the request, the full answers now (the rare path: see `convert::request`).
        let answers = if text.is_undefined() {
            let both = [to_json_text(&plain), to_json_text(&self.inner.evaluate(&request, true))];
            JsValue::from(both.map(|t| JsValue::from_str(&t)).into_iter().collect::<js_sys::Array>())
        } else {
            JsValue::UNDEFINED
        };
        let core = match &self.core {
            Some(core) => core.clone(),
            None => JsValue::from(PreparedPolicies { inner: Arc::clone(&self.inner), core: None }),
        };
        // The index into the JS class's `DECISIONS`.
        let decision = match plain.decision {
            kmsim_policy::Decision::Allow => 0,
            kmsim_policy::Decision::ExplicitDeny => 1,
            kmsim_policy::Decision::ImplicitDeny => 2,
        };
        Ok(Evaluation::new(&core, decision, &text, &answers).into())
    }

    /// An `Evaluation`'s full answer as JSON text: its request (JSON text) evaluated again, or one of the `answers`
    /// made with it. Not for direct use.
    #[wasm_bindgen(js_name = __answer, skip_typescript)]
    pub fn answer_json(
        &self,
        request: JsValue,
        answers: JsValue,
        options: Option<EvaluateOptionsArg>,
    ) -> Result<String, JsValue> {
        let trace = evaluate_options(options)?.trace;
        if let Some(text) = request.as_string() {
            let parsed = || serde_json::from_str(&text).map_err(|e| session::Failure::input("request", e));
            let request = session::request_or(Some(&text), parsed).map_err(|f| error(&f))?;
            return Ok(to_json_text(&self.inner.evaluate(&request, trace)));
        }
        let answers: js_sys::Array = answers.unchecked_into();
        answers.get(u32::from(trace)).as_string().ok_or_else(|| error(&session::Failure::new("no answer kept")))
    }

    /// The number of policies.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }
}

/// The JSON Schema of scenario files.
#[wasm_bindgen(js_name = scenarioSchema, unchecked_return_type = "Record<string, unknown>")]
pub fn scenario_schema() -> JsValue {
    to_js(&kmsim_kms::scenario::json_schema())
}

// ---- the policy editor: lint, completion, hover (kmsim_kms::lint) ---------------------------------------------------

/// Lints a policy: every finding (code, severity, message, location, help, AWS page, fix), `KMS001` findings when
/// AWS would reject the text. Never throws for bad policy text; throws only for an unknown policy type.
#[wasm_bindgen(js_name = lintPolicy, unchecked_return_type = "Finding[]")]
pub fn lint_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = "type", unchecked_param_type = "PolicyType")] ty: JsValue,
) -> Result<JsValue, JsValue> {
    let text = string(&text, "policy text")?;
    let ty = string(&ty, "policy type")?;
    done(session::lint_policy(&text, &ty))
}

/// The completion candidates at a byte offset of the text (actions, operators, condition keys, `kms:ViaService`
/// values), or `null` outside a string that completion knows.
#[wasm_bindgen(js_name = completePolicy, unchecked_return_type = "Completions | null")]
pub fn complete_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    offset: u32,
) -> Result<JsValue, JsValue> {
    let text = string(&text, "policy text")?;
    Ok(answer(&session::complete_policy(&text, offset as usize)))
}

/// What the string at a byte offset of the text names (an action, a condition key, a `kms:ViaService` value), or
/// `null`.
#[wasm_bindgen(js_name = hoverPolicy, unchecked_return_type = "Hover | null")]
pub fn hover_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    offset: u32,
) -> Result<JsValue, JsValue> {
    let text = string(&text, "policy text")?;
    Ok(answer(&session::hover_policy(&text, offset as usize)))
}

// ---- the simulator --------------------------------------------------------------------------------------------------

/// A simulated KMS world, loaded from a scenario or restored from a saved world.
///
/// Every method converts and checks its arguments first and only then borrows the session, and no JS code runs
/// while it is borrowed: a bad argument (a throwing getter included) is an `Error` and leaves the world as it was.
#[wasm_bindgen]
pub struct Simulator {
    session: RefCell<Session>,
}

impl Simulator {
    fn new(session: Session) -> Simulator {
        Simulator { session: RefCell::new(session) }
    }

    /// Runs `f` on the session. Arguments are already converted, so nothing re-enters; if something did, it gets an
    /// `Error` instead of a panic.
    fn with<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Result<T, JsValue> {
        let mut session = self
            .session
            .try_borrow_mut()
            .map_err(|_| error(&Failure::new("the simulator is busy with another request")))?;
        Ok(f(&mut session))
    }
}

#[wasm_bindgen]
impl Simulator {
    /// Parses a scenario (its JSON text) and builds its world. `seed` (a number, a BigInt or a decimal string) is
    /// used when the file has no `seed`; when both are absent a random seed is drawn (Web Crypto in browsers, node's
    /// crypto in node). Throws an `Error` whose `diagnostics` locate every problem in the scenario.
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "string")] scenario: JsValue,
        seed: Option<SeedArg>,
    ) -> Result<Simulator, JsValue> {
        let Some(text) = scenario.as_string() else {
            let found = convert::kind(&scenario);
            let message = format!(
                "invalid scenario: expected the scenario's JSON text (a string), found {found}; pass the file's text, \
                 or JSON.stringify a parsed scenario"
            );
            return Err(error(&Failure::new(message)));
        };
        let seed = match seed.map(JsValue::from).filter(|s| !s.is_undefined() && !s.is_null()) {
            Some(s) => session::seed(from_js(&s, "seed")?),
            None => random_seed(),
        }
        .map_err(|f| error(&f))?;
        Session::load(&text, seed).map(Simulator::new).map_err(|f| error(&f))
    }

    /// A simulator over a world saved with `world()` (an object or its JSON text). It has no scenario steps.
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "World | string")] world: JsValue,
    ) -> Result<Simulator, JsValue> {
        let world = if let Some(text) = world.as_string() { J::String(text) } else { from_js(&world, "world")? };
        Session::restore(world).map(Simulator::new).map_err(|f| error(&f))
    }

    /// Runs every step from the start on a fresh world (same seed) and keeps the final world.
    #[wasm_bindgen(js_name = runAll, unchecked_return_type = "ScenarioRun")]
    pub fn run_all(&self, trace: Option<bool>) -> Result<JsValue, JsValue> {
        done(self.with(|s| s.run_all(trace.unwrap_or(false)))?)
    }

    /// Runs the next step; `undefined` when every step has run.
    #[wasm_bindgen(unchecked_return_type = "StepResult | undefined")]
    pub fn step(&self, trace: Option<bool>) -> Result<JsValue, JsValue> {
        match self.with(|s| s.step(trace.unwrap_or(false)))? {
            Ok(Some(r)) => Ok(answer(&r)),
            Ok(None) => Ok(JsValue::UNDEFINED),
            Err(f) => Err(error(&f)),
        }
    }

    /// Runs step `index` against the current world; the step after it becomes the next one.
    #[wasm_bindgen(js_name = runStep, unchecked_return_type = "StepResult")]
    pub fn run_step(&self, index: usize, trace: Option<bool>) -> Result<JsValue, JsValue> {
        done(self.with(|s| s.run_step(index, trace.unwrap_or(false)))?)
    }

    /// Rebuilds the world as before the first step.
    pub fn reset(&self) -> Result<(), JsValue> {
        self.with(Session::reset)?.map_err(|f| error(&f))
    }

    #[wasm_bindgen(getter, js_name = stepCount)]
    pub fn step_count(&self) -> Result<usize, JsValue> {
        self.with(|s| s.step_count())
    }

    #[wasm_bindgen(getter, js_name = nextStep)]
    pub fn next_step(&self) -> Result<usize, JsValue> {
        self.with(|s| s.next_step())
    }

    /// One API call. `caller` is a principal (ARN, or a short form such as `role/App`) or a `Caller` object;
    /// `params` use AWS's names. AWS errors are outcomes (`response.Err`); throws only when the call cannot be made
    /// (unknown operation, malformed parameters or caller).
    #[wasm_bindgen(unchecked_return_type = "CallOutcome")]
    pub fn call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Caller")] caller: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] operation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] params: JsValue,
    ) -> Result<JsValue, JsValue> {
        let caller = from_js(&caller, "caller")?;
        let operation = string(&operation, "operation")?;
        let params = from_js(&params, "parameters")?;
        done(self.with(|s| s.call(caller, &operation, params))?)
    }

    /// Whether `caller` may perform `action` on `resource` (a key ARN, an alias ARN or `*`), without executing
    /// anything.
    #[wasm_bindgen(unchecked_return_type = "AuthzTrace")]
    pub fn simulate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Caller")] caller: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(js_name = encryptionContext)] encryption_context: Option<EncryptionContextArg>,
    ) -> Result<JsValue, JsValue> {
        let (caller, action, resource, ec) = simulate_args(&caller, &action, &resource, encryption_context)?;
        done(self.with(|s| s.simulate(caller, &action, &resource, ec))?)
    }

    /// `simulate`'s answer as JSON text (`JSON.parse` it, store it or send it as it is).
    #[wasm_bindgen(js_name = simulateJson)]
    pub fn simulate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Caller")] caller: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(js_name = encryptionContext)] encryption_context: Option<EncryptionContextArg>,
    ) -> Result<String, JsValue> {
        let (caller, action, resource, ec) = simulate_args(&caller, &action, &resource, encryption_context)?;
        let trace = self.with(|s| s.simulate(caller, &action, &resource, ec))?.map_err(|f| error(&f))?;
        Ok(to_json_text(&trace))
    }

    /// Moves the clock forward. Returns the service events (automatic rotations, key deletions) it caused.
    #[wasm_bindgen(unchecked_return_type = "AuditRecord[]")]
    pub fn advance(&self, #[wasm_bindgen(unchecked_param_type = "Duration")] by: JsValue) -> Result<JsValue, JsValue> {
        let by = from_js(&by, "duration")?;
        done(self.with(|s| s.advance(by))?)
    }

    /// Every audit record (CloudTrail-shaped) so far.
    #[wasm_bindgen(unchecked_return_type = "AuditRecord[]")]
    pub fn audit(&self) -> Result<JsValue, JsValue> {
        self.with(|s| answer(s.audit()))
    }

    /// The world as JSON, for saving; `Simulator.restore` reads it back. Holds no key material or plaintext, but
    /// its seed derives every key: anyone holding a saved world can recompute every key and ciphertext.
    #[wasm_bindgen(unchecked_return_type = "World")]
    pub fn world(&self) -> Result<JsValue, JsValue> {
        self.with(|s| answer(s.world()))
    }

    /// The world as JSON text (what `world()` parses), for saving without building the objects: a world of a
    /// million calls is about 270 MB of text. `Simulator.restore` reads it back.
    #[wasm_bindgen(js_name = worldJson)]
    pub fn world_json(&self) -> Result<String, JsValue> {
        self.with(|s| to_json_text(s.world()))
    }

    /// The seed every key, ciphertext and id in this world derives from (exact, as a BigInt).
    pub fn seed(&self) -> Result<u64, JsValue> {
        self.with(|s| s.seed())
    }

    /// The simulated clock (ISO 8601).
    pub fn now(&self) -> Result<String, JsValue> {
        self.with(|s| s.now())
    }
}

/// `simulate`'s arguments, converted (and type-checked) before the session is borrowed.
fn simulate_args(
    caller: &JsValue,
    action: &JsValue,
    resource: &JsValue,
    encryption_context: Option<EncryptionContextArg>,
) -> Result<(J, String, String, J), JsValue> {
    let (caller, action, resource) =
        (from_js(caller, "caller")?, string(action, "action")?, string(resource, "resource")?);
    let ec = match encryption_context {
        Some(ec) => from_js(&ec.into(), "encryption context")?,
        None => J::Null,
    };
    Ok((caller, action, resource, ec))
}
