//! The operations of the KMS API and, in ONE table ([`Operation::facts`]), what the simulator knows about each: its
//! IAM actions, whether grants can allow it and whether grant constraints apply, whether it can be called on a key of
//! another account, who authorizes it, its row of the key-state table, whether it makes a ciphertext, whether
//! CloudTrail marks it read-only, and the example parameters the playground's console starts from.
//!
//! Every list about operations is derived from this table: [`crate::OPERATIONS`] (with the request types of
//! [`crate::api`]), the grant operations, the cross-account actions, the key-state table ([`crate::keystate`]). The
//! `match` in [`Operation::facts`] is exhaustive, so an operation without a key-state row (or any other fact) does not
//! compile. The table also holds operations the simulator does not implement yet (asymmetric and HMAC keys): grants,
//! cross-account checks and the IAM simulator already know their names.

use crate::key::KeyKind;
use crate::keystate::{self, Cell};

macro_rules! operations {
    ($( $(#[$m:meta])* $op:ident ),* $(,)?) => {
        /// An operation of the KMS API (AWS's name), implemented or not (see [`Operation::implemented`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Operation { $( $(#[$m])* $op ),* }

        impl Operation {
            /// Every operation, in table order.
            pub const ALL: &'static [Operation] = &[ $( Operation::$op ),* ];

            /// AWS's operation name, e.g. `Encrypt`.
            pub const fn name(self) -> &'static str {
                match self { $( Operation::$op => stringify!($op) ),* }
            }
        }
    };
}

operations! {
    CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey, ScheduleKeyDeletion,
    CancelKeyDeletion, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies,
    CreateAlias, UpdateAlias, DeleteAlias, ListAliases,
    TagResource, UntagResource, ListResourceTags,
    EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations,
    Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom,
    CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant,
    // Not implemented (no request type): known to grants, cross-account checks, the key-state table and `simulate`.
    GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, Sign, Verify, GetPublicKey, GenerateMac, VerifyMac,
    DeriveSharedSecret,
}

/// Who decides whether a call may proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizedBy {
    /// Identity policies only (no key resource: resource `*`).
    Iam,
    /// The key policy, with IAM policies and grants (the key's combining rule).
    KeyPolicy,
    /// The alias by identity policies, then the key (or keys) by the key policy.
    AliasAndKeyPolicy,
    /// The grant itself (its retiring principal or grantee), with IAM policies able to deny.
    Grant,
}

/// What the simulator knows about one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The IAM actions the call authorizes on its key, in order (ReEncrypt: `kms:ReEncryptFrom`, `kms:ReEncryptTo`).
    pub actions: &'static [&'static str],
    /// When grants can allow the operation: its place in AWS's `GrantOperation` enum and the keys it suits.
    pub grant: Option<GrantOp>,
    /// Takes an encryption context, so grant constraints apply to it.
    pub takes_ec: bool,
    pub authorized_by: AuthorizedBy,
    /// Its row of the key-state table, in [`crate::KeyState::ALL`] order ([`keystate::NO_KEY`] without a key).
    pub key_states: [Cell; 8],
    /// Its response holds a `CiphertextBlob`.
    pub makes_ciphertext: bool,
    /// CloudTrail's `readOnly`.
    pub read_only: bool,
    /// Example parameters (JSON text) for the playground's console: `"KEY"` stands for a key, `"CT"` for the
    /// ciphertext of an earlier step.
    pub example: &'static str,
}

/// What a grant operation is to AWS: where it stands in the `GrantOperation` enum and which keys it suits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantOp {
    /// The position of the operation's (first) action in AWS's `GrantOperation` enum, whose order AWS's validation
    /// messages follow. The grant operation names are the actions without `kms:`.
    pub position: u8,
    /// The kinds of key the operation is supported on (KMS Developer Guide, *Key type reference*). "The grant
    /// operations that you allow must be supported by the KMS key in the grant. If you specify an unsupported
    /// operation, the CreateGrant request fails with a ValidationError exception" (KMS Developer Guide, *Grants in
    /// AWS KMS*, Grant operations).
    pub keys: &'static [KeyKind],
}

/// DescribeKey, CreateGrant, RetireGrant: every key.
const ANY_KEY: &[KeyKind] = &KeyKind::ALL;
/// Encrypt, Decrypt, ReEncrypt: symmetric and asymmetric (RSA, SM2) encryption keys.
const ENCRYPTION: &[KeyKind] = &[KeyKind::SymmetricEncryption, KeyKind::AsymmetricEncryption];
/// Data keys and data key pairs: symmetric encryption keys only ("Grants for asymmetric KMS keys cannot allow any
/// operations that generate data keys or data key pairs").
const SYMMETRIC: &[KeyKind] = &[KeyKind::SymmetricEncryption];
const SIGNING: &[KeyKind] = &[KeyKind::Signing];
const HMAC: &[KeyKind] = &[KeyKind::Hmac];
const AGREEMENT: &[KeyKind] = &[KeyKind::KeyAgreement];
/// GetPublicKey: every asymmetric key.
const PUBLIC_KEY: &[KeyKind] = &[KeyKind::AsymmetricEncryption, KeyKind::Signing, KeyKind::KeyAgreement];

use AuthorizedBy::{AliasAndKeyPolicy as Alias, Grant, Iam, KeyPolicy as Kp};

/// The facts of a plain key operation; rows below change what differs.
const KEY_OP: Facts = Facts {
    actions: &[],
    grant: None,
    takes_ec: false,
    authorized_by: Kp,
    key_states: keystate::ALWAYS,
    makes_ciphertext: false,
    read_only: false,
    example: r#"{"KeyId":"KEY"}"#,
};

/// The facts of a cryptographic operation on a key (encryption context, grants, cross account).
const CRYPTO: Facts = Facts { grant: None, takes_ec: true, key_states: keystate::CRYPTO, read_only: true, ..KEY_OP };

/// Operations without a key resource.
const NO_KEY: Facts = Facts { authorized_by: Iam, key_states: keystate::NO_KEY, read_only: true, ..KEY_OP };

impl Operation {
    /// The operation's row of the table.
    pub const fn facts(self) -> &'static Facts {
        use Operation as O;
        match self {
            O::CreateKey => &Facts {
                actions: &["kms:CreateKey"],
                read_only: false,
                example: r#"{"Description":"a new key"}"#,
                ..NO_KEY
            },
            O::DescribeKey => &Facts {
                actions: &["kms:DescribeKey"],
                grant: Some(GrantOp { position: 11, keys: ANY_KEY }),
                read_only: true,
                ..KEY_OP
            },
            O::ListKeys => &Facts { actions: &["kms:ListKeys"], example: "{}", ..NO_KEY },
            O::UpdateKeyDescription => &Facts {
                actions: &["kms:UpdateKeyDescription"],
                key_states: keystate::KEY_UPDATE,
                example: r#"{"KeyId":"KEY","Description":"updated"}"#,
                ..KEY_OP
            },
            O::EnableKey => &Facts { actions: &["kms:EnableKey"], key_states: keystate::ENABLE_DISABLE, ..KEY_OP },
            O::DisableKey => &Facts { actions: &["kms:DisableKey"], key_states: keystate::ENABLE_DISABLE, ..KEY_OP },
            O::ScheduleKeyDeletion => &Facts {
                actions: &["kms:ScheduleKeyDeletion"],
                key_states: keystate::SCHEDULE_DELETION,
                example: r#"{"KeyId":"KEY","PendingWindowInDays":7}"#,
                ..KEY_OP
            },
            O::CancelKeyDeletion => {
                &Facts { actions: &["kms:CancelKeyDeletion"], key_states: keystate::CANCEL_DELETION, ..KEY_OP }
            }
            O::GetKeyPolicy => &Facts { actions: &["kms:GetKeyPolicy"], read_only: true, ..KEY_OP },
            O::PutKeyPolicy => &Facts {
                actions: &["kms:PutKeyPolicy"],
                example: r#"{"KeyId":"KEY","Policy":{"Version":"2012-10-17","Statement":[]}}"#,
                ..KEY_OP
            },
            O::ListKeyPolicies => &Facts { actions: &["kms:ListKeyPolicies"], read_only: true, ..KEY_OP },
            O::CreateAlias => &Facts {
                actions: &["kms:CreateAlias"],
                authorized_by: Alias,
                key_states: keystate::CREATE_ALIAS,
                example: r#"{"AliasName":"alias/new","TargetKeyId":"KEY"}"#,
                ..KEY_OP
            },
            O::UpdateAlias => &Facts {
                actions: &["kms:UpdateAlias"],
                authorized_by: Alias,
                key_states: keystate::UPDATE_ALIAS,
                example: r#"{"AliasName":"alias/new","TargetKeyId":"KEY"}"#,
                ..KEY_OP
            },
            O::DeleteAlias => &Facts {
                actions: &["kms:DeleteAlias"],
                authorized_by: Alias,
                example: r#"{"AliasName":"alias/new"}"#,
                ..KEY_OP
            },
            // ListAliases may name a key (KeyId) but is authorized by IAM alone and works in every key state.
            O::ListAliases => {
                &Facts { actions: &["kms:ListAliases"], key_states: keystate::ALWAYS, example: "{}", ..NO_KEY }
            }
            O::TagResource => &Facts {
                actions: &["kms:TagResource"],
                key_states: keystate::KEY_UPDATE,
                example: r#"{"KeyId":"KEY","Tags":[{"TagKey":"team","TagValue":"a"}]}"#,
                ..KEY_OP
            },
            O::UntagResource => &Facts {
                actions: &["kms:UntagResource"],
                key_states: keystate::KEY_UPDATE,
                example: r#"{"KeyId":"KEY","TagKeys":["team"]}"#,
                ..KEY_OP
            },
            O::ListResourceTags => &Facts { actions: &["kms:ListResourceTags"], read_only: true, ..KEY_OP },
            O::EnableKeyRotation => &Facts {
                actions: &["kms:EnableKeyRotation"],
                key_states: keystate::ROTATION,
                example: r#"{"KeyId":"KEY","RotationPeriodInDays":365}"#,
                ..KEY_OP
            },
            O::DisableKeyRotation => {
                &Facts { actions: &["kms:DisableKeyRotation"], key_states: keystate::ROTATION, ..KEY_OP }
            }
            O::GetKeyRotationStatus => &Facts {
                actions: &["kms:GetKeyRotationStatus"],
                key_states: keystate::ROTATION_STATUS,
                read_only: true,
                ..KEY_OP
            },
            O::RotateKeyOnDemand => {
                &Facts { actions: &["kms:RotateKeyOnDemand"], key_states: keystate::ROTATION, ..KEY_OP }
            }
            O::ListKeyRotations => &Facts {
                actions: &["kms:ListKeyRotations"],
                key_states: keystate::ROTATION_STATUS,
                read_only: true,
                ..KEY_OP
            },
            O::Encrypt => &Facts {
                actions: &["kms:Encrypt"],
                grant: Some(GrantOp { position: 1, keys: ENCRYPTION }),
                makes_ciphertext: true,
                example: r#"{"KeyId":"KEY","Plaintext":{"Text":"hello"},"EncryptionContext":{}}"#,
                ..CRYPTO
            },
            O::Decrypt => &Facts {
                actions: &["kms:Decrypt"],
                grant: Some(GrantOp { position: 0, keys: ENCRYPTION }),
                example: r#"{"CiphertextBlob":"CT","EncryptionContext":{}}"#,
                ..CRYPTO
            },
            O::ReEncrypt => &Facts {
                actions: &["kms:ReEncryptFrom", "kms:ReEncryptTo"],
                grant: Some(GrantOp { position: 4, keys: ENCRYPTION }),
                makes_ciphertext: true,
                example: r#"{"CiphertextBlob":"CT","DestinationKeyId":"KEY"}"#,
                ..CRYPTO
            },
            O::GenerateDataKey => &Facts {
                actions: &["kms:GenerateDataKey"],
                grant: Some(GrantOp { position: 2, keys: SYMMETRIC }),
                makes_ciphertext: true,
                example: r#"{"KeyId":"KEY","KeySpec":"AES_256","EncryptionContext":{}}"#,
                ..CRYPTO
            },
            O::GenerateDataKeyWithoutPlaintext => &Facts {
                actions: &["kms:GenerateDataKeyWithoutPlaintext"],
                grant: Some(GrantOp { position: 3, keys: SYMMETRIC }),
                makes_ciphertext: true,
                example: r#"{"KeyId":"KEY","KeySpec":"AES_256","EncryptionContext":{}}"#,
                ..CRYPTO
            },
            O::GenerateRandom => {
                &Facts { actions: &["kms:GenerateRandom"], example: r#"{"NumberOfBytes":32}"#, ..NO_KEY }
            }
            O::CreateGrant => &Facts {
                actions: &["kms:CreateGrant"],
                grant: Some(GrantOp { position: 9, keys: ANY_KEY }),
                key_states: keystate::CREATE_GRANT,
                example: r#"{"KeyId":"KEY","GranteePrincipal":"arn:aws:iam::111122223333:role/NAME","Operations":["Decrypt"]}"#,
                ..KEY_OP
            },
            O::ListGrants => &Facts { actions: &["kms:ListGrants"], read_only: true, ..KEY_OP },
            O::ListRetirableGrants => &Facts {
                actions: &["kms:ListRetirableGrants"],
                example: r#"{"RetiringPrincipal":"arn:aws:iam::111122223333:role/NAME"}"#,
                ..NO_KEY
            },
            O::RetireGrant => &Facts {
                actions: &["kms:RetireGrant"],
                grant: Some(GrantOp { position: 10, keys: ANY_KEY }),
                authorized_by: Grant,
                example: r#"{"KeyId":"KEY","GrantId":"GRANT_ID"}"#,
                ..KEY_OP
            },
            O::RevokeGrant => {
                &Facts { actions: &["kms:RevokeGrant"], example: r#"{"KeyId":"KEY","GrantId":"GRANT_ID"}"#, ..KEY_OP }
            }
            O::GenerateDataKeyPair => &Facts {
                actions: &["kms:GenerateDataKeyPair"],
                grant: Some(GrantOp { position: 12, keys: SYMMETRIC }),
                makes_ciphertext: true,
                ..CRYPTO
            },
            O::GenerateDataKeyPairWithoutPlaintext => &Facts {
                actions: &["kms:GenerateDataKeyPairWithoutPlaintext"],
                grant: Some(GrantOp { position: 13, keys: SYMMETRIC }),
                makes_ciphertext: true,
                ..CRYPTO
            },
            // [verify] when implemented: Sign, Verify, GetPublicKey, GenerateMac, VerifyMac and DeriveSharedSecret
            // take no encryption context; their key-state rows are taken to be the cryptographic one.
            O::Sign => &Facts {
                actions: &["kms:Sign"],
                grant: Some(GrantOp { position: 6, keys: SIGNING }),
                takes_ec: false,
                ..CRYPTO
            },
            O::Verify => &Facts {
                actions: &["kms:Verify"],
                grant: Some(GrantOp { position: 7, keys: SIGNING }),
                takes_ec: false,
                ..CRYPTO
            },
            O::GetPublicKey => &Facts {
                actions: &["kms:GetPublicKey"],
                grant: Some(GrantOp { position: 8, keys: PUBLIC_KEY }),
                takes_ec: false,
                ..CRYPTO
            },
            O::GenerateMac => &Facts {
                actions: &["kms:GenerateMac"],
                grant: Some(GrantOp { position: 14, keys: HMAC }),
                takes_ec: false,
                ..CRYPTO
            },
            O::VerifyMac => &Facts {
                actions: &["kms:VerifyMac"],
                grant: Some(GrantOp { position: 15, keys: HMAC }),
                takes_ec: false,
                ..CRYPTO
            },
            O::DeriveSharedSecret => &Facts {
                actions: &["kms:DeriveSharedSecret"],
                grant: Some(GrantOp { position: 16, keys: AGREEMENT }),
                takes_ec: false,
                ..CRYPTO
            },
        }
    }

    /// The operation named `name` (AWS's name, exactly).
    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The key-state cell of the operation for `state` (its row of [`crate::keystate`]).
    pub fn key_state(self, state: crate::key::KeyState) -> Cell {
        keystate::cell(self.facts().key_states, state)
    }

    /// The operation's (first) IAM action, e.g. `kms:Encrypt`.
    pub fn action(self) -> &'static str {
        self.facts().actions.first().copied().unwrap_or("")
    }

    /// The operation that authorizes the IAM action `action` (e.g. `kms:ReEncryptFrom`), if any.
    pub fn of_action(action: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.facts().actions.contains(&action))
    }

    /// The operation whose grant operation is `name` (e.g. `ReEncryptTo`), if grants can allow it.
    pub fn of_grant_operation(name: &str) -> Option<Operation> {
        Operation::of_action(&format!("kms:{name}")).filter(|op| op.facts().grant.is_some())
    }
}

/// Whether the IAM action can be used on a key in another account: the catalogue's "Cross-account use" (one fact,
/// kept per IAM action in [`crate::catalogue`]).
pub fn is_cross_account_action(action: &str) -> bool {
    crate::catalogue::action(action).is_some_and(|a| a.cross_account)
}

/// The operations a grant can allow (AWS's `GrantOperation` enum), in AWS's order.
pub fn grant_operations() -> Vec<&'static str> {
    let mut out: Vec<(usize, &'static str)> = Operation::ALL
        .iter()
        .filter_map(|op| op.facts().grant.map(|g| (g.position, op.facts().actions)))
        .flat_map(|(pos, actions)| {
            actions.iter().enumerate().map(move |(i, a)| (usize::from(pos) + i, a.trim_start_matches("kms:")))
        })
        .collect();
    out.sort_unstable();
    out.into_iter().map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The lists this table replaced, as they were written (authz.rs, grant.rs).
    const OLD_CROSS_ACCOUNT_ACTIONS: &[&str] = &[
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:Sign",
        "kms:Verify",
        "kms:GenerateMac",
        "kms:VerifyMac",
        "kms:DeriveSharedSecret",
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:RetireGrant",
        "kms:RevokeGrant",
    ];
    const OLD_GRANT_OPERATIONS: &[&str] = &[
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "GetPublicKey",
        "CreateGrant",
        "RetireGrant",
        "DescribeKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
    ];
    const OLD_EC_OPERATIONS: &[&str] = &[
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    ];

    #[test]
    fn derived_lists_are_the_ones_they_replace() {
        assert_eq!(grant_operations(), OLD_GRANT_OPERATIONS);
        let all_actions: BTreeSet<&str> =
            Operation::ALL.iter().flat_map(|op| op.facts().actions.iter().copied()).collect();
        let cross: BTreeSet<&str> = all_actions.iter().copied().filter(|a| is_cross_account_action(a)).collect();
        assert_eq!(cross, OLD_CROSS_ACCOUNT_ACTIONS.iter().copied().collect());
        let ec: BTreeSet<&str> = OLD_GRANT_OPERATIONS
            .iter()
            .copied()
            .filter(|g| Operation::of_grant_operation(g).is_some_and(|op| op.facts().takes_ec))
            .collect();
        assert_eq!(ec, OLD_EC_OPERATIONS.iter().copied().collect());
        assert!(!is_cross_account_action("kms:PutKeyPolicy"));
        assert_eq!(Operation::of_grant_operation("ListGrants"), None);
    }

    #[test]
    fn read_only_is_the_old_list() {
        const OLD_READ_ONLY: &[&str] = &[
            "Encrypt",
            "Decrypt",
            "ReEncrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateRandom",
            "DescribeKey",
            "GetKeyPolicy",
            "GetKeyRotationStatus",
            "ListAliases",
            "ListGrants",
            "ListKeyPolicies",
            "ListKeyRotations",
            "ListKeys",
            "ListResourceTags",
            "ListRetirableGrants",
        ];
        for op in Operation::ALL.iter().filter(|op| op.implemented()) {
            assert_eq!(op.facts().read_only, OLD_READ_ONLY.contains(&op.name()), "{op:?}");
        }
    }

    #[test]
    fn names_actions_and_examples() {
        let mut actions = BTreeSet::new();
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.name()), Some(*op));
            let f = op.facts();
            assert!(!f.actions.is_empty(), "{op:?} has no IAM action");
            for a in f.actions {
                assert!(actions.insert(*a), "{a} belongs to two operations");
                assert_eq!(Operation::of_action(a), Some(*op));
            }
            if f.actions.len() == 1 {
                assert_eq!(op.action(), format!("kms:{}", op.name()));
            }
            assert!(serde_json::from_str::<serde_json::Value>(f.example).is_ok_and(|v| v.is_object()), "{op:?}");
            if f.authorized_by == Iam {
                assert!(f.key_states.iter().all(|c| *c == Cell::Ok), "{op:?}: no key, so no key state");
                assert!(f.grant.is_none(), "{op:?}");
            }
        }
        assert_eq!(Operation::parse("encrypt"), None);
        // Grant positions are AWS's enum order, each used once.
        let positions: Vec<usize> = (0..grant_operations().len()).collect();
        let mut used: Vec<usize> = Operation::ALL
            .iter()
            .filter_map(|op| op.facts().grant.map(|g| (usize::from(g.position), op.facts().actions.len())))
            .flat_map(|(p, n)| p..p + n)
            .collect();
        used.sort_unstable();
        assert_eq!(used, positions);
    }
}
