//! Parses arbitrary text as a scenario and, when it parses, checks three properties of the KMS simulator:
//! - the run does not depend on the trace: with and without it every step has the same outcome and expectations;
//! - a world survives serialisation: the world after the run, written as JSON and read back, writes the same JSON;
//! - a restored world behaves the same: the next calls (Encrypt, DescribeKey, and the authorization of Decrypt, by
//!   each account's root and each step's caller, on every key) get the same answers from the world and its copy.
#![no_main]

use kmsim_kms::scenario::{Scenario, ScenarioRun, StepResult};
use kmsim_kms::{Caller, KmsRequest, World};
use libfuzzer_sys::fuzz_target;

/// Seed for scenarios without one (fixed, so a crash reproduces).
const SEED: u64 = 7;
/// Bounds the work per input: the next calls are made for at most this many callers and keys.
const MAX_CALLERS: usize = 4;
const MAX_KEYS: usize = 4;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = Scenario::parse(text) else { return };
    let traced = scenario.run(SEED, true);
    let plain = scenario.run(SEED, false);
    compare_runs(&traced, &plain);

    let json = serde_json::to_string(&traced.world).expect("a world serialises");
    let restored: World = serde_json::from_str(&json).expect("a serialised world reads back");
    assert_eq!(serde_json::to_string(&restored).expect("serialises"), json, "the round trip changes the world");

    let mut original = traced.world;
    let mut copy = restored;
    for caller in callers(&scenario, &original) {
        let keys: Vec<String> = original.keys().take(MAX_KEYS).map(|k| k.arn.clone()).collect();
        for key in keys {
            let a = original.simulate(&caller, "kms:Decrypt", &key, None);
            let b = copy.simulate(&caller, "kms:Decrypt", &key, None);
            assert_eq!(
                a.as_ref().map(|t| t.decision).map_err(|e| e.code.as_str()),
                b.as_ref().map(|t| t.decision).map_err(|e| e.code.as_str()),
                "Decrypt authorization on {key} by {}",
                caller.principal
            );
            for (op, params) in [
                ("DescribeKey", serde_json::json!({ "KeyId": key })),
                ("Encrypt", serde_json::json!({ "KeyId": key, "Plaintext": "aGVsbG8=" })),
            ] {
                let Ok(request) = KmsRequest::from_parts(op, params) else { continue };
                let a = original.call(&caller, &request);
                let b = copy.call(&caller, &request);
                assert_eq!(
                    serde_json::to_string(&a.response).expect("response"),
                    serde_json::to_string(&b.response).expect("response"),
                    "{op} on {key} by {}",
                    caller.principal
                );
            }
        }
    }
});

/// The same steps, outcomes and expectations (the trace itself may differ: it is off in one run).
fn compare_runs(traced: &ScenarioRun, plain: &ScenarioRun) {
    assert_eq!(traced.passed, plain.passed, "passed differs with the trace off");
    assert_eq!(traced.seed, plain.seed);
    assert_eq!(traced.steps.len(), plain.steps.len());
    for (a, b) in traced.steps.iter().zip(&plain.steps) {
        assert_eq!(outcome(a), outcome(b), "step {} differs with the trace off", a.index);
        assert_eq!(a.expectations, b.expectations, "step {}: expectations differ with the trace off", a.index);
        assert_eq!(a.error, b.error, "step {}: error differs with the trace off", a.index);
    }
}

fn outcome(s: &StepResult) -> (Option<String>, Option<String>) {
    let call = s.call.as_ref().map(|c| serde_json::to_string(&c.response).unwrap_or_default());
    let authz = s.authorization.as_ref().map(|a| format!("{:?}", a.decision));
    (call, authz)
}

fn callers(scenario: &Scenario, world: &World) -> Vec<Caller> {
    let mut principals: Vec<String> = world.accounts.keys().map(|a| format!("arn:aws:iam::{a}:root")).collect();
    principals
        .extend(scenario.file.steps.iter().filter_map(|s| s.caller.as_deref()).map(|c| scenario.resolve_principal(c)));
    principals.sort();
    principals.dedup();
    principals.into_iter().take(MAX_CALLERS).map(Caller::new).collect()
}
