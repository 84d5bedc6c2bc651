//! The key-state rows (crates/kms/src/keystate.rs) against botocore's model: an operation fails on a key state
//! only with an error the model declares for it, and the operations that do not declare KMSInvalidStateException
//! (CreateKey, DescribeKey, GenerateRandom, ListAliases, ListKeys, ListResourceTags, ListRetirableGrants among the
//! implemented ones) never depend on the key's state.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

use kmsim_kms::keystate::{self, Cell};
use kmsim_kms::*;

#[test]
fn every_error_of_a_key_state_row_is_declared_by_the_model() {
    let mut bad = Vec::new();
    for op in Operation::ALL.iter().filter(|o| o.implemented()) {
        let m = model::operation(op.name()).unwrap();
        for state in KeyState::ALL {
            if let Cell::Fail(code, _) = keystate::cell(op.facts().key_states, state) {
                if !m.declares(code) {
                    bad.push(format!("{} in {}: {code} is not declared", op.name(), state.as_str()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn operations_that_do_not_declare_kms_invalid_state_never_depend_on_the_key_state() {
    let mut never = Vec::new();
    for op in Operation::ALL.iter().filter(|o| o.implemented()) {
        let m = model::operation(op.name()).unwrap();
        if !m.declares(ErrorCode::KMSInvalidStateException) {
            never.push(op.name());
            let row = op.facts().key_states;
            assert!(
                KeyState::ALL.iter().all(|s| keystate::cell(row, *s) == Cell::Ok),
                "{} fails on some key state but the model does not declare KMSInvalidStateException",
                op.name()
            );
        }
    }
    never.sort_unstable();
    assert_eq!(
        never,
        [
            "CreateKey",
            "DescribeKey",
            "GenerateRandom",
            "ListAliases",
            "ListKeys",
            "ListResourceTags",
            "ListRetirableGrants"
        ]
    );
    // Across the whole model: the custom key store operations and GetKeyLastUsage as well.
    let all: Vec<&str> = model::operations()
        .iter()
        .filter(|o| !o.declares(ErrorCode::KMSInvalidStateException))
        .map(|o| o.name)
        .collect();
    assert_eq!(all.len(), 14, "{all:?}");
}

#[test]
fn the_table_gives_kms_invalid_state_where_aws_s_table_says_so() {
    use KeyState::*;
    // Operation, state: the key-state table's KMSInvalidStateException cells (footnotes 3, 4, 5, 11, 14, 15).
    let cases = [
        (Operation::Encrypt, PendingDeletion),
        (Operation::Decrypt, PendingImport),
        (Operation::GenerateDataKey, Unavailable),
        (Operation::ReEncrypt, Creating),
        (Operation::CreateGrant, PendingDeletion),
        (Operation::CreateAlias, PendingDeletion),
        (Operation::CancelKeyDeletion, Enabled),
        (Operation::EnableKey, PendingImport),
        (Operation::DisableKey, Updating),
        (Operation::ScheduleKeyDeletion, PendingDeletion),
        (Operation::TagResource, PendingDeletion),
        (Operation::UntagResource, PendingReplicaDeletion),
        (Operation::UpdateKeyDescription, PendingDeletion),
        (Operation::UpdateAlias, PendingDeletion),
        (Operation::EnableKeyRotation, PendingDeletion),
    ];
    for (op, state) in cases {
        match keystate::cell(op.facts().key_states, state) {
            Cell::Fail(ErrorCode::KMSInvalidStateException, _) => {}
            other => panic!("{} in {}: {other:?}", op.name(), state.as_str()),
        }
        assert!(model::operation(op.name()).unwrap().declares(ErrorCode::KMSInvalidStateException));
    }
}
