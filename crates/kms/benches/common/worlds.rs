//! The worlds at scale that `benches/scale.rs` and `examples/advance_count.rs` share (the latter counts
//! instructions of the same advance, independent of the machine's load).

use kmsim_kms::{Caller, KmsRequest, World};
use serde_json::json;

use crate::common::{admin_world, ADMIN};

/// A call as the admin user; its response, or `null` when it fails.
pub fn call(w: &mut World, op: &str, params: serde_json::Value) -> serde_json::Value {
    let caller = Caller::new(ADMIN);
    KmsRequest::from_parts(op, params)
        .ok()
        .and_then(|r| w.call(&caller, &r).response.ok())
        .unwrap_or(serde_json::Value::Null)
}

/// A world with `n` keys, each rotating every 365 days (the default period).
pub fn rotating_keys(n: usize) -> World {
    let mut w = admin_world();
    for _ in 0..n {
        let key = call(&mut w, "CreateKey", json!({}));
        let arn = key.pointer("/KeyMetadata/Arn").cloned().unwrap_or_default();
        call(&mut w, "EnableKeyRotation", json!({ "KeyId": arn }));
    }
    w.take_audit();
    w
}
