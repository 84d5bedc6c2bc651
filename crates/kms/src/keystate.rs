//! The key-state table (AWS KMS Developer Guide, "Key states of AWS KMS keys"), as data: its rows, for each key
//! state whether the call proceeds and, if not, the error code and message. Which operation has which row is in
//! the operation table ([`crate::Operation::facts`]), so every operation has one.
//! Every error a row gives is one botocore's model declares for the operation, and the operations that do not
//! declare KMSInvalidStateException have rows that never fail (tests/keystate_model.rs).
//!
//! Modelling choices, marked \[verify\] in the reference:
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

// The rows, in [`KeyState::ALL`] order: Creating, Enabled, Disabled, PendingDeletion, PendingImport,
// PendingReplicaDeletion, Unavailable, Updating. Each operation names its row in [`crate::Operation::facts`].

/// CancelKeyDeletion.
pub const CANCEL_DELETION: [Cell; 8] =
    [NOT_PENDING, NOT_PENDING, NOT_PENDING, Y, NOT_PENDING, Y, NOT_PENDING, NOT_PENDING];
/// CreateAlias.
pub const CREATE_ALIAS: [Cell; 8] = [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y];
/// CreateGrant.
pub const CREATE_GRANT: [Cell; 8] = [CREATING, Y, DISABLED, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, Y, Y];
/// Decrypt, Encrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateDataKeyPair,
/// GenerateDataKeyPairWithoutPlaintext.
pub const CRYPTO: [Cell; 8] =
    [CREATING, Y, DISABLED, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, UNAVAILABLE, Y];
/// DeleteAlias, DescribeKey, GetKeyPolicy, ListAliases, ListGrants, ListKeyPolicies, ListResourceTags,
/// PutKeyPolicy, RetireGrant, RevokeGrant.
pub const ALWAYS: [Cell; 8] = [Y, Y, Y, Y, Y, Y, Y, Y];
/// DisableKey, EnableKey.
pub const ENABLE_DISABLE: [Cell; 8] =
    [CREATING, Y, Y, PENDING_DELETION, PENDING_IMPORT, PENDING_DELETION, OkNoChange, UPDATING];
/// EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand.
pub const ROTATION: [Cell; 8] =
    [CREATING, Dep, DISABLED, PENDING_DELETION, EXTERNAL, PENDING_DELETION, CUSTOM_STORE, Dep];
/// GetKeyRotationStatus, ListKeyRotations.
pub const ROTATION_STATUS: [Cell; 8] = [Dep, Dep, Dep, Dep, EXTERNAL, Dep, CUSTOM_STORE, Dep];
/// ScheduleKeyDeletion.
pub const SCHEDULE_DELETION: [Cell; 8] = [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, UPDATING];
/// TagResource, UntagResource, UpdateKeyDescription.
pub const KEY_UPDATE: [Cell; 8] = [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y];
/// UpdateAlias: the source key may be pending deletion; the destination may not (footnote 10). This row is the
/// destination key's; the source key is not checked.
pub const UPDATE_ALIAS: [Cell; 8] = [Y, Y, Y, PENDING_DELETION, Y, PENDING_DELETION, Y, Y];
/// Operations without a key (CreateKey, ListKeys, GenerateRandom, ListRetirableGrants): not in the table; they do
/// not depend on a key's state.
pub const NO_KEY: [Cell; 8] = [Y, Y, Y, Y, Y, Y, Y, Y];

/// The cell of a row (an operation's, from [`crate::Operation::key_state`]) for a state.
pub fn cell(row: [Cell; 8], state: KeyState) -> Cell {
    let [creating, enabled, disabled, pending_deletion, pending_import, pending_replica, unavailable, updating] = row;
    match state {
        KeyState::Creating => creating,
        KeyState::Enabled => enabled,
        KeyState::Disabled => disabled,
        KeyState::PendingDeletion => pending_deletion,
        KeyState::PendingImport => pending_import,
        KeyState::PendingReplicaDeletion => pending_replica,
        KeyState::Unavailable => unavailable,
        KeyState::Updating => updating,
    }
}

/// Checks a key state against a row; `Ok(true)` means "proceed", `Ok(false)` means "succeed without change".
pub fn check(row: [Cell; 8], state: KeyState, key_arn: &str) -> Result<bool, KmsError> {
    match cell(row, state) {
        Cell::Ok | Cell::DependsOnKey => Ok(true),
        Cell::OkNoChange => Ok(false),
        Cell::Fail(code, text) => Err(KmsError::new(code, format!("{key_arn}{text}"))),
    }
}
