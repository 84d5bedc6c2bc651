//! The key-state table (reference 1b), checked cell by cell through the real `World::call` path: for every operation
//! of every row and every key state, a key is put in that state with `insert_key`, an allowed caller makes the
//! call, and the outcome must be the cell's. Every failing cell is reported, not just the first.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::keystate::{self, Cell};
use kmsim_kms::*;
use serde_json::{json, Value as Json};

/// Operations without a key: their rows are [`keystate::NO_KEY`] and they are not called here.
const NO_KEY: &[Operation] =
    &[Operation::CreateKey, Operation::ListKeys, Operation::GenerateRandom, Operation::ListRetirableGrants];

/// Puts a key in `state` by re-inserting it (keeping its grants).
fn put_in_state(w: &mut World, arn: &str, state: KeyState) {
    let grants: Vec<_> = w.grants(arn).map(|s| s.iter().cloned().collect()).unwrap_or_default();
    let mut k = w.key(arn).unwrap().clone();
    k.state = state;
    if state == KeyState::PendingDeletion {
        k.deletion_date = Some(w.now().plus_days(30));
        k.pending_window_days = Some(30);
    }
    w.insert_key(k);
    for g in grants {
        w.grants_mut(arn).unwrap().insert(g);
    }
}

/// Sets up a world for `op` on a key in `state` and returns the world, the key ARN and the call's parameters.
fn setup(op: &str, state: KeyState) -> (World, String, Json) {
    let mut w = world();
    let key = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &key, "secret", json!({}));
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/existing", "TargetKeyId": key}));
    let other = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/other", "TargetKeyId": other}));
    let grant = ok(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "RetiringPrincipal": ADMIN, "Operations": ["Decrypt"]}),
    );
    let grant_id = grant["GrantId"].as_str().unwrap().to_string();
    put_in_state(&mut w, &key, state);
    let params = match op {
        "CreateAlias" => json!({"AliasName": "alias/new", "TargetKeyId": key}),
        "UpdateAlias" => json!({"AliasName": "alias/other", "TargetKeyId": key}),
        "DeleteAlias" => json!({"AliasName": "alias/existing"}),
        "ListAliases" => json!({"KeyId": key}),
        "CreateGrant" => json!({"KeyId": key, "GranteePrincipal": BOB, "Operations": ["Encrypt"]}),
        "RetireGrant" | "RevokeGrant" => json!({"KeyId": key, "GrantId": grant_id}),
        "Decrypt" => json!({"CiphertextBlob": blob}),
        "ReEncrypt" => json!({"CiphertextBlob": blob, "DestinationKeyId": key}),
        "Encrypt" => json!({"KeyId": key, "Plaintext": {"Text": "x"}}),
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => json!({"KeyId": key, "KeySpec": "AES_256"}),
        "PutKeyPolicy" => json!({"KeyId": key, "Policy": key_policy(A, json!([]))}),
        "TagResource" => json!({"KeyId": key, "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
        "UntagResource" => json!({"KeyId": key, "TagKeys": ["k"]}),
        "UpdateKeyDescription" => json!({"KeyId": key, "Description": "d"}),
        _ => json!({"KeyId": key}),
    };
    (w, key, params)
}

#[test]
fn every_cell_of_the_key_state_table() {
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut expected_cells = 0usize;
    for operation in Operation::ALL {
        // Operations the simulator does not implement (asymmetric and HMAC keys) have rows but cannot be called.
        if !operation.implemented() || NO_KEY.contains(operation) {
            continue;
        }
        let row = operation.facts().key_states;
        let op = &operation.name();
        {
            for (col, state) in KeyState::ALL.iter().enumerate() {
                expected_cells += 1;
                let cell = row[col];
                let (mut w, key, params) = setup(op, *state);
                let out = call(&mut w, ADMIN, op, params);
                checked += 1;
                let label = format!("{op} on a {} key", state.as_str());
                // Authorization always runs first and must allow: the caller is allowed everywhere.
                if out.trace.authorizations.iter().any(|a| !a.allowed()) {
                    failures.push(format!("{label}: the caller was not authorized: {:?}", out.response));
                    continue;
                }
                match (cell, &out.response) {
                    (Cell::Ok | Cell::DependsOnKey, Ok(_)) => {}
                    (Cell::OkNoChange, Ok(_)) => {
                        let now = w.key(&key).map(|k| k.state);
                        if now != Some(*state) {
                            failures.push(format!("{label}: succeeded but changed the state to {now:?}"));
                        }
                    }
                    (Cell::Fail(code, text), Err(e)) => {
                        let want = format!("{key}{text}");
                        if e.code != code || e.message != want {
                            failures.push(format!("{label}: want {code} `{want}`, got {} `{}`", e.code, e.message));
                        }
                    }
                    (cell, got) => failures.push(format!("{label}: want {cell:?}, got {got:?}")),
                }
            }
        }
    }
    assert_eq!(checked, expected_cells);
    assert!(checked >= 200, "only {checked} cells checked");
    assert!(failures.is_empty(), "{} of {checked} cells failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn operations_outside_the_table_do_not_depend_on_key_state() {
    for op in NO_KEY {
        assert_eq!(op.facts().key_states, keystate::NO_KEY, "{op:?}");
        for state in KeyState::ALL {
            assert_eq!(op.key_state(state), Cell::Ok, "{op:?}");
        }
    }
    // Every implemented operation with a key is called above; the others are the table's not-implemented rows.
    let implemented: Vec<&str> = Operation::ALL.iter().filter(|op| op.implemented()).map(|op| op.name()).collect();
    assert_eq!(implemented, OPERATIONS);
}

#[test]
fn an_unauthorized_caller_on_a_disabled_key_gets_access_denied() {
    // Order: authorization, then key state.
    let mut w = world();
    let key = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &key, "x", json!({}));
    ok(&mut w, ADMIN, "DisableKey", json!({"KeyId": key}));
    let e = err(&mut w, ALICE, "Encrypt", json!({"KeyId": key, "Plaintext": {"Text": "x"}}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": key}));
    let e = err(&mut w, ALICE, "Encrypt", json!({"KeyId": key, "Plaintext": {"Text": "x"}}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // The allowed caller sees the state error, and the trace shows the state check after the authorization.
    let out = call(&mut w, ADMIN, "Encrypt", json!({"KeyId": key, "Plaintext": {"Text": "x"}}));
    assert_eq!(out.error_code(), Some(ErrorCode::KMSInvalidStateException));
    assert_eq!(out.trace.authorizations.len(), 1);
    assert!(out.trace.checks.iter().any(|c| c.kind == kmsim_kms::trace::CheckKind::KeyState && !c.passed));
}
