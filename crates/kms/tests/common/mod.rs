//! Shared set-up for the KMS integration tests: a two-account world and call helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

use kmsim_kms::*;
use kmsim_policy::PolicyType;
use serde_json::{json, Value as Json};

pub const A: &str = "111122223333";
pub const B: &str = "444455556666";
pub const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";
pub const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
pub const BOB: &str = "arn:aws:iam::111122223333:user/bob";
pub const APP: &str = "arn:aws:sts::111122223333:assumed-role/App/s1";
pub const APP_ROLE: &str = "arn:aws:iam::111122223333:role/App";
pub const ROOT_A: &str = "arn:aws:iam::111122223333:root";
pub const EXT: &str = "arn:aws:iam::444455556666:user/ext";
pub const EXT_NOPOL: &str = "arn:aws:iam::444455556666:user/nopol";
pub const ROOT_B: &str = "arn:aws:iam::444455556666:root";

pub fn policy(name: &str, ty: PolicyType, text: &str) -> NamedPolicy {
    NamedPolicy::parse(name, text, ty).unwrap()
}

pub fn identity(name: &str, statements: Json) -> NamedPolicy {
    policy(name, PolicyType::Identity, &json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

pub fn allow_all_kms() -> NamedPolicy {
    identity("kms-all", json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]))
}

/// Account A: `admin` (IAM kms:*), `alice` and `bob` (no policies), role `App` (no policies).
/// Account B: `ext` (IAM kms:* on every resource), `nopol` (no policies).
pub fn world() -> World {
    world_seeded(7)
}

pub fn world_seeded(seed: u64) -> World {
    let mut w = World::new(Seed(seed));
    let a = w.account_mut(A);
    a.users.insert("admin".into(), User { policies: vec![allow_all_kms()], ..Default::default() });
    a.users.insert("alice".into(), User::default());
    a.users.insert("bob".into(), User::default());
    a.roles.insert("App".into(), Role::default());
    let b = w.account_mut(B);
    b.users.insert("ext".into(), User { policies: vec![allow_all_kms()], ..Default::default() });
    b.users.insert("nopol".into(), User::default());
    w
}

pub fn call(w: &mut World, who: &str, op: &str, params: Json) -> CallOutcome {
    call_as(w, &Caller::new(who), op, params)
}

pub fn call_as(w: &mut World, caller: &Caller, op: &str, params: Json) -> CallOutcome {
    let req = KmsRequest::from_parts(op, params).unwrap_or_else(|e| panic!("{op}: {e}"));
    w.call(caller, &req)
}

#[track_caller]
pub fn ok(w: &mut World, who: &str, op: &str, params: Json) -> Json {
    let out = call(w, who, op, params);
    match out.response {
        Ok(v) => v,
        Err(e) => panic!("{op} as {who} failed: {e}"),
    }
}

#[track_caller]
pub fn err(w: &mut World, who: &str, op: &str, params: Json) -> KmsError {
    let out = call(w, who, op, params);
    match out.response {
        Ok(v) => panic!("{op} as {who} unexpectedly succeeded: {v}"),
        Err(e) => e,
    }
}

/// Creates a key as `admin` (default key policy) and returns its ARN.
pub fn new_key(w: &mut World) -> String {
    key_with(w, ADMIN, json!({}))
}

pub fn key_with(w: &mut World, who: &str, params: Json) -> String {
    ok(w, who, "CreateKey", params)["KeyMetadata"]["Arn"].as_str().unwrap().to_string()
}

/// A key policy: the account delegation plus extra statements.
pub fn key_policy(account: &str, extra: Json) -> String {
    let mut st = vec![json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"})];
    if let Json::Array(more) = extra {
        st.extend(more);
    }
    json!({"Version": "2012-10-17", "Statement": st}).to_string()
}

pub fn encrypt(w: &mut World, who: &str, key: &str, text: &str, ec: Json) -> String {
    ok(w, who, "Encrypt", json!({"KeyId": key, "Plaintext": {"Text": text}, "EncryptionContext": ec}))["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn b64(s: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub fn key_id_of(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

pub fn set_state(w: &mut World, arn: &str, state: KeyState) {
    let mut k = w.key(arn).unwrap().clone();
    k.state = state;
    w.insert_key(k);
}
