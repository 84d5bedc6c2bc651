//! The key-state table (AWS KMS Developer Guide, "Key states of AWS KMS keys"), as data: for each operation and
//! each key state, whether the call proceeds and, if not, the error code and message.
//!
//! Modelling choices, marked [verify] in the reference:
//! - Cryptographic calls, CreateGrant and others on a key pending deletion answer `KMSInvalidStateException`
//!   "`<arn>` is pending deletion." (the table allows DisabledException or KMSInvalidStateException; the DG's
//!   CloudWatch alarm recipe matches this message).
//! - PendingReplicaDeletion behaves as PendingDeletion.
//! - Operations newer than the 2023 table (RotateKeyOnDemand, ListKeyRotations) follow EnableKeyRotation and
//!   GetKeyRotationStatus respectively.

use serde::Serialize;

use crate::error::{ErrorCode, KmsError};
use crate::key::KeyState;

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// The call proceeds.
    Ok,
    /// The call succeeds but changes nothing (EnableKey/DisableKey on an unavailable key, footnote 12).
    OkNoChange,
    /// The call fails with this code; the message is `<key ARN>` followed by the text.
    Fail(ErrorCode, &'static str),
    /// Depends on the key (rotation: only symmetric keys with AWS_KMS origin, footnote 7).
    DependsOnKey,
}

use Cell::{DependsOnKey as Dep, Fail, Ok as Y, OkNoChange};
use ErrorCode::{DisabledException as Dis, KMSInvalidStateException as Inv, UnsupportedOperationException as Uns};

const DISABLED: Cell = Fail(Dis, " is disabled.");
const PENDING_DELETION: Cell = Fail(Inv, " is pending deletion.");
const NOT_PENDING: Cell = Fail(Inv, " is not pending deletion.");
const PENDING_IMPORT: Cell = Fail(Inv, " is pending import.");
const UNAVAILABLE: Cell = Fail(Inv, " is unavailable.");
const CREATING: Cell = Fail(Inv, " is creating.");
const UPDATING: Cell = Fail(Inv, " is updating.");
const EXTERNAL: Cell = Fail(Uns, " origin is EXTERNAL which is not valid for this operation.");
const CUSTOM_STORE: Cell = Fail(Uns, " is in a custom key store, which is not valid for this operation.");

/// Columns in [`KeyState::ALL`] order: Creating, Enabled, Disabled, PendingDeletion, PendingImport,
/// PendingReplicaDeletion, Unavailable, Updating.
pub const TABLE: &[(&[&str], [Cell; 8])] = &[
    (&["CancelKeyDeletion"], [NOT_PENDING, NOT_PENDING, NOT_PENDING, Y, NOT_PENDING, Y, NOT_PENDING, NOT_PENDING]),
    (&["CreateAlias"], [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y]),
    (&["CreateGrant"], [CREATING, Y, DISABLED, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, Y, Y]),
    (
        &[
            "Decrypt",
            "Encrypt",
            "ReEncrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
        ],
        [CREATING, Y, DISABLED, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, UNAVAILABLE, Y],
    ),
    (
        &[
            "DeleteAlias",
            "DescribeKey",
            "GetKeyPolicy",
            "ListAliases",
            "ListGrants",
            "ListKeyPolicies",
            "ListResourceTags",
            "PutKeyPolicy",
            "RetireGrant",
            "RevokeGrant",
        ],
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        &["DisableKey", "EnableKey"],
        [CREATING, Y, Y, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, OkNoChange, UPDATING],
    ),
    (
        &["EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"],
        [CREATING, Dep, DISABLED, PENDING_DELETION, EXTERNAL, PENDING_DELETION, CUSTOM_STORE, Dep],
    ),
    (&["GetKeyRotationStatus", "ListKeyRotations"], [Dep, Dep, Dep, Dep, EXTERNAL, Dep, CUSTOM_STORE, Dep]),
    (&["ScheduleKeyDeletion"], [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, UPDATING]),
    (&["TagResource", "UntagResource", "UpdateKeyDescription"], [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y]),
    // UpdateAlias: the source key may be pending deletion; the destination may not (footnote 10). This row is
    // the destination key's; the source key is not checked.
    (&["UpdateAlias"], [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y]),
];

/// The cell for an operation and a state, or `None` when the operation does not depend on key state.
pub fn cell(operation: &str, state: KeyState) -> Option<Cell> {
    let col = KeyState::ALL.iter().position(|s| *s == state)?;
    TABLE.iter().find(|(ops, _)| ops.contains(&operation)).and_then(|(_, row)| row.get(col).copied())
}

/// Checks the key state for an operation; `Ok(true)` means "proceed", `Ok(false)` means "succeed without change".
pub fn check(operation: &str, state: KeyState, key_arn: &str) -> Result<bool, KmsError> {
    match cell(operation, state) {
        None | Some(Cell::Ok) | Some(Cell::DependsOnKey) => Ok(true),
        Some(Cell::OkNoChange) => Ok(false),
        Some(Cell::Fail(code, text)) => Err(KmsError::new(code, format!("{key_arn}{text}"))),
    }
}
