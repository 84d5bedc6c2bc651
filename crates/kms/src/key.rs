//! KMS keys: metadata, states, rotation, and the key policy. Key material lives only in the HSM.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::KmsError;
use crate::policy::NamedPolicy;

/// The key states of the KMS API (`KeyState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyState {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    PendingReplicaDeletion,
    Unavailable,
    Updating,
}

impl KeyState {
    pub const ALL: [KeyState; 8] = [
        KeyState::Creating,
        KeyState::Enabled,
        KeyState::Disabled,
        KeyState::PendingDeletion,
        KeyState::PendingImport,
        KeyState::PendingReplicaDeletion,
        KeyState::Unavailable,
        KeyState::Updating,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyState::Creating => "Creating",
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::PendingReplicaDeletion => "PendingReplicaDeletion",
            KeyState::Unavailable => "Unavailable",
            KeyState::Updating => "Updating",
        }
    }
}

/// `KeySpec`: every spec of AWS's model. Only symmetric encryption keys have cryptography in this version; keys of
/// the other specs are created with AWS's metadata (their usages and algorithms, [`KeySpec::algorithms`]) so that
/// policies, grants, key states, aliases, tags and key-usage checks behave as in AWS, while the operations that would
/// use them (Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret, Encapsulate, Decapsulate, GetPublicKey, the
/// data key pairs) are not implemented and asymmetric Encrypt/Decrypt answer UnsupportedOperationException.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(non_camel_case_types)]
pub enum KeySpec {
    SYMMETRIC_DEFAULT,
    HMAC_224,
    HMAC_256,
    HMAC_384,
    HMAC_512,
    RSA_2048,
    RSA_3072,
    RSA_4096,
    ECC_NIST_P256,
    ECC_NIST_P384,
    ECC_NIST_P521,
    ECC_SECG_P256K1,
    ECC_NIST_EDWARDS25519,
    SM2,
    ML_DSA_44,
    ML_DSA_65,
    ML_DSA_87,
    ML_KEM_512,
    ML_KEM_768,
    ML_KEM_1024,
}

/// The algorithms of a key, by the member of `KeyMetadata` that lists them. A key lists only those of its key
/// usage (an HMAC key has `MacAlgorithms` and no `EncryptionAlgorithms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithms {
    /// The `KeyMetadata` member: `EncryptionAlgorithms`, `SigningAlgorithms`, `MacAlgorithms`,
    /// `KeyAgreementAlgorithms` or `EncapsulationAlgorithms`.
    pub member: &'static str,
    pub names: &'static [&'static str],
}

const RSA_SIGNING: &[&str] = &[
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
];

impl KeySpec {
    /// Every spec, in AWS's order.
    pub const ALL: [KeySpec; 20] = [
        KeySpec::SYMMETRIC_DEFAULT,
        KeySpec::HMAC_224,
        KeySpec::HMAC_256,
        KeySpec::HMAC_384,
        KeySpec::HMAC_512,
        KeySpec::RSA_2048,
        KeySpec::RSA_3072,
        KeySpec::RSA_4096,
        KeySpec::ECC_NIST_P256,
        KeySpec::ECC_NIST_P384,
        KeySpec::ECC_NIST_P521,
        KeySpec::ECC_SECG_P256K1,
        KeySpec::ECC_NIST_EDWARDS25519,
        KeySpec::SM2,
        KeySpec::ML_DSA_44,
        KeySpec::ML_DSA_65,
        KeySpec::ML_DSA_87,
        KeySpec::ML_KEM_512,
        KeySpec::ML_KEM_768,
        KeySpec::ML_KEM_1024,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            KeySpec::SYMMETRIC_DEFAULT => "SYMMETRIC_DEFAULT",
            KeySpec::HMAC_224 => "HMAC_224",
            KeySpec::HMAC_256 => "HMAC_256",
            KeySpec::HMAC_384 => "HMAC_384",
            KeySpec::HMAC_512 => "HMAC_512",
            KeySpec::RSA_2048 => "RSA_2048",
            KeySpec::RSA_3072 => "RSA_3072",
            KeySpec::RSA_4096 => "RSA_4096",
            KeySpec::ECC_NIST_P256 => "ECC_NIST_P256",
            KeySpec::ECC_NIST_P384 => "ECC_NIST_P384",
            KeySpec::ECC_NIST_P521 => "ECC_NIST_P521",
            KeySpec::ECC_SECG_P256K1 => "ECC_SECG_P256K1",
            KeySpec::ECC_NIST_EDWARDS25519 => "ECC_NIST_EDWARDS25519",
            KeySpec::SM2 => "SM2",
            KeySpec::ML_DSA_44 => "ML_DSA_44",
            KeySpec::ML_DSA_65 => "ML_DSA_65",
            KeySpec::ML_DSA_87 => "ML_DSA_87",
            KeySpec::ML_KEM_512 => "ML_KEM_512",
            KeySpec::ML_KEM_768 => "ML_KEM_768",
            KeySpec::ML_KEM_1024 => "ML_KEM_1024",
        }
    }
    /// The spec AWS names so.
    pub fn parse(s: &str) -> Option<KeySpec> {
        KeySpec::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn is_symmetric(&self) -> bool {
        matches!(self, KeySpec::SYMMETRIC_DEFAULT)
    }
    pub fn is_hmac(&self) -> bool {
        matches!(self, KeySpec::HMAC_224 | KeySpec::HMAC_256 | KeySpec::HMAC_384 | KeySpec::HMAC_512)
    }
    /// The usages AWS allows for this spec (KMS Developer Guide, *Key spec reference*); the first is the default
    /// where a default exists. SM2 keys exist only in the China Regions.
    pub fn allowed_usages(&self) -> &'static [KeyUsage] {
        use KeyUsage::*;
        match self {
            KeySpec::SYMMETRIC_DEFAULT => &[ENCRYPT_DECRYPT],
            KeySpec::HMAC_224 | KeySpec::HMAC_256 | KeySpec::HMAC_384 | KeySpec::HMAC_512 => &[GENERATE_VERIFY_MAC],
            KeySpec::RSA_2048 | KeySpec::RSA_3072 | KeySpec::RSA_4096 => &[ENCRYPT_DECRYPT, SIGN_VERIFY],
            KeySpec::ECC_NIST_P256 | KeySpec::ECC_NIST_P384 | KeySpec::ECC_NIST_P521 => &[SIGN_VERIFY, KEY_AGREEMENT],
            KeySpec::ECC_SECG_P256K1 | KeySpec::ECC_NIST_EDWARDS25519 => &[SIGN_VERIFY],
            KeySpec::ML_DSA_44 | KeySpec::ML_DSA_65 | KeySpec::ML_DSA_87 => &[SIGN_VERIFY],
            KeySpec::SM2 => &[ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT],
            KeySpec::ML_KEM_512 | KeySpec::ML_KEM_768 | KeySpec::ML_KEM_1024 => &[ENCAPSULATE_DECAPSULATE],
        }
    }
    /// The algorithms a key of this spec and usage supports, with the `KeyMetadata` member that lists them (API
    /// reference, *KeyMetadata*; KMS Developer Guide, *Key spec reference*). `None` for a usage the spec does not
    /// allow.
    pub fn algorithms(&self, usage: KeyUsage) -> Option<Algorithms> {
        let (member, names): (&str, &'static [&'static str]) = match (self, usage) {
            (KeySpec::SYMMETRIC_DEFAULT, KeyUsage::ENCRYPT_DECRYPT) => ("EncryptionAlgorithms", &["SYMMETRIC_DEFAULT"]),
            (KeySpec::HMAC_224, KeyUsage::GENERATE_VERIFY_MAC) => ("MacAlgorithms", &["HMAC_SHA_224"]),
            (KeySpec::HMAC_256, KeyUsage::GENERATE_VERIFY_MAC) => ("MacAlgorithms", &["HMAC_SHA_256"]),
            (KeySpec::HMAC_384, KeyUsage::GENERATE_VERIFY_MAC) => ("MacAlgorithms", &["HMAC_SHA_384"]),
            (KeySpec::HMAC_512, KeyUsage::GENERATE_VERIFY_MAC) => ("MacAlgorithms", &["HMAC_SHA_512"]),
            (KeySpec::RSA_2048 | KeySpec::RSA_3072 | KeySpec::RSA_4096, KeyUsage::ENCRYPT_DECRYPT) => {
                ("EncryptionAlgorithms", &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
            }
            (KeySpec::RSA_2048 | KeySpec::RSA_3072 | KeySpec::RSA_4096, KeyUsage::SIGN_VERIFY) => {
                ("SigningAlgorithms", RSA_SIGNING)
            }
            (KeySpec::ECC_NIST_P256 | KeySpec::ECC_SECG_P256K1, KeyUsage::SIGN_VERIFY) => {
                ("SigningAlgorithms", &["ECDSA_SHA_256"])
            }
            (KeySpec::ECC_NIST_P384, KeyUsage::SIGN_VERIFY) => ("SigningAlgorithms", &["ECDSA_SHA_384"]),
            (KeySpec::ECC_NIST_P521, KeyUsage::SIGN_VERIFY) => ("SigningAlgorithms", &["ECDSA_SHA_512"]),
            (KeySpec::ECC_NIST_EDWARDS25519, KeyUsage::SIGN_VERIFY) => {
                ("SigningAlgorithms", &["ED25519_SHA_512", "ED25519_PH_SHA_512"])
            }
            (KeySpec::ML_DSA_44 | KeySpec::ML_DSA_65 | KeySpec::ML_DSA_87, KeyUsage::SIGN_VERIFY) => {
                ("SigningAlgorithms", &["ML_DSA_SHAKE_256"])
            }
            (KeySpec::SM2, KeyUsage::ENCRYPT_DECRYPT) => ("EncryptionAlgorithms", &["SM2PKE"]),
            (KeySpec::SM2, KeyUsage::SIGN_VERIFY) => ("SigningAlgorithms", &["SM2DSA"]),
            (
                KeySpec::ECC_NIST_P256 | KeySpec::ECC_NIST_P384 | KeySpec::ECC_NIST_P521 | KeySpec::SM2,
                KeyUsage::KEY_AGREEMENT,
            ) => ("KeyAgreementAlgorithms", &["ECDH"]),
            (KeySpec::ML_KEM_512 | KeySpec::ML_KEM_768 | KeySpec::ML_KEM_1024, KeyUsage::ENCAPSULATE_DECAPSULATE) => {
                ("EncapsulationAlgorithms", &["ML_KEM"])
            }
            _ => return None,
        };
        Some(Algorithms { member, names })
    }
}

/// `KeyUsage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(non_camel_case_types)]
pub enum KeyUsage {
    ENCRYPT_DECRYPT,
    SIGN_VERIFY,
    GENERATE_VERIFY_MAC,
    KEY_AGREEMENT,
    ENCAPSULATE_DECAPSULATE,
}

impl KeyUsage {
    /// Every key usage, in AWS's order.
    pub const ALL: [KeyUsage; 5] = [
        KeyUsage::ENCRYPT_DECRYPT,
        KeyUsage::SIGN_VERIFY,
        KeyUsage::GENERATE_VERIFY_MAC,
        KeyUsage::KEY_AGREEMENT,
        KeyUsage::ENCAPSULATE_DECAPSULATE,
    ];

    /// The usage AWS names so.
    pub fn parse(s: &str) -> Option<KeyUsage> {
        KeyUsage::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            KeyUsage::ENCRYPT_DECRYPT => "ENCRYPT_DECRYPT",
            KeyUsage::SIGN_VERIFY => "SIGN_VERIFY",
            KeyUsage::GENERATE_VERIFY_MAC => "GENERATE_VERIFY_MAC",
            KeyUsage::KEY_AGREEMENT => "KEY_AGREEMENT",
            KeyUsage::ENCAPSULATE_DECAPSULATE => "ENCAPSULATE_DECAPSULATE",
        }
    }
}

/// The kinds of KMS key of the KMS Developer Guide's *Key type reference*, which decides the operations a key
/// supports (and so the operations a grant for it may allow: [`crate::operation::GrantOp::keys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `SYMMETRIC_DEFAULT`, `ENCRYPT_DECRYPT`.
    SymmetricEncryption,
    /// RSA (or SM2) with `ENCRYPT_DECRYPT`.
    AsymmetricEncryption,
    /// `SIGN_VERIFY` (RSA, ECC).
    Signing,
    /// `GENERATE_VERIFY_MAC` (HMAC).
    Hmac,
    /// `KEY_AGREEMENT` (ECC).
    KeyAgreement,
    /// `ENCAPSULATE_DECAPSULATE` (ML-KEM).
    KeyEncapsulation,
}

impl KeyKind {
    pub const ALL: [KeyKind; 6] = [
        KeyKind::SymmetricEncryption,
        KeyKind::AsymmetricEncryption,
        KeyKind::Signing,
        KeyKind::Hmac,
        KeyKind::KeyAgreement,
        KeyKind::KeyEncapsulation,
    ];

    /// The kind of a key with this spec and usage.
    pub fn of(spec: KeySpec, usage: KeyUsage) -> KeyKind {
        match usage {
            KeyUsage::ENCRYPT_DECRYPT if spec.is_symmetric() => KeyKind::SymmetricEncryption,
            KeyUsage::ENCRYPT_DECRYPT => KeyKind::AsymmetricEncryption,
            KeyUsage::SIGN_VERIFY => KeyKind::Signing,
            KeyUsage::GENERATE_VERIFY_MAC => KeyKind::Hmac,
            KeyUsage::KEY_AGREEMENT => KeyKind::KeyAgreement,
            KeyUsage::ENCAPSULATE_DECAPSULATE => KeyKind::KeyEncapsulation,
        }
    }
}

/// `Origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(non_camel_case_types)]
pub enum Origin {
    AWS_KMS,
    EXTERNAL,
    AWS_CLOUDHSM,
    EXTERNAL_KEY_STORE,
}

impl Origin {
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::AWS_KMS => "AWS_KMS",
            Origin::EXTERNAL => "EXTERNAL",
            Origin::AWS_CLOUDHSM => "AWS_CLOUDHSM",
            Origin::EXTERNAL_KEY_STORE => "EXTERNAL_KEY_STORE",
        }
    }
}

/// Who manages the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyManager {
    CUSTOMER,
    AWS,
}

/// One rotation of a key's backing material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationRecord {
    /// The backing-key version created by this rotation (the key starts at version 1).
    pub version: u32,
    pub rotation_date: Timestamp,
    pub rotation_type: RotationType,
}

/// How a rotation came about (`RotationType` in ListKeyRotations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RotationType {
    /// `AUTOMATIC`: the key's rotation schedule.
    Automatic,
    /// `ON_DEMAND`: RotateKeyOnDemand.
    OnDemand,
}

impl RotationType {
    /// As ListKeyRotations writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationType::Automatic => "AUTOMATIC",
            RotationType::OnDemand => "ON_DEMAND",
        }
    }
}

/// AWS's range for a rotation period (API reference, *EnableKeyRotation*: `RotationPeriodInDays`, "Minimum value of
/// 90. Maximum value of 2560"; the model's `RotationPeriodInDaysType`, which a test checks it against).
pub const ROTATION_PERIOD_DAYS: std::ops::RangeInclusive<i64> = 90..=2560;

/// Checks a rotation period wherever one enters (EnableKeyRotation, scenario keys, restored worlds), with AWS's
/// message for EnableKeyRotation. A period outside the range would let the clock rotate a key endlessly.
pub fn validate_rotation_period(days: i64) -> Result<u32, KmsError> {
    match u32::try_from(days) {
        Ok(d) if ROTATION_PERIOD_DAYS.contains(&days) => Ok(d),
        _ => {
            let bound = if days < *ROTATION_PERIOD_DAYS.start() {
                format!("greater than or equal to {}", ROTATION_PERIOD_DAYS.start())
            } else {
                format!("less than or equal to {}", ROTATION_PERIOD_DAYS.end())
            };
            Err(KmsError::validation(format!("1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value {bound}")))
        }
    }
}

/// Rotation settings and history. A restored rotation's period is checked ([`validate_rotation_period`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RotationData")]
pub struct Rotation {
    pub enabled: bool,
    pub period_days: u32,
    /// When automatic rotation next happens (set while enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotation: Option<Timestamp>,
    /// Every rotation so far, oldest first.
    #[serde(default)]
    pub history: Vec<RotationRecord>,
    /// How many on-demand rotations were used (limit 25 per key).
    #[serde(default)]
    pub on_demand_count: u32,
}

/// [`Rotation`] as written, before its period is checked.
#[derive(Deserialize)]
struct RotationData {
    enabled: bool,
    period_days: u32,
    #[serde(default)]
    next_rotation: Option<Timestamp>,
    #[serde(default)]
    history: Vec<RotationRecord>,
    #[serde(default)]
    on_demand_count: u32,
}

impl TryFrom<RotationData> for Rotation {
    type Error = String;
    fn try_from(d: RotationData) -> Result<Rotation, String> {
        validate_rotation_period(i64::from(d.period_days)).map_err(|e| e.message)?;
        let RotationData { enabled, period_days, next_rotation, history, on_demand_count } = d;
        Ok(Rotation { enabled, period_days, next_rotation, history, on_demand_count })
    }
}

impl Default for Rotation {
    fn default() -> Rotation {
        Rotation { enabled: false, period_days: 365, next_rotation: None, history: Vec::new(), on_demand_count: 0 }
    }
}

/// A KMS key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Key {
    pub key_id: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub description: String,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    pub origin: Origin,
    pub manager: KeyManager,
    pub state: KeyState,
    pub creation_date: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_window_days: Option<u32>,
    /// The key policy (its only name is `default`).
    pub policy: NamedPolicy,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub rotation: Rotation,
    /// The current backing-key version (1 + number of rotations).
    pub current_version: u32,
    /// For AWS managed keys: the service the key belongs to (e.g. `s3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_service: Option<String>,
    /// A multi-Region primary key (`mrk-` id). The simulator has one Region and no ReplicateKey: no replicas.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_region: bool,
}

impl Key {
    /// The algorithms the key supports, with the `KeyMetadata` member that lists them (DescribeKey).
    pub fn algorithms(&self) -> Option<Algorithms> {
        self.key_spec.algorithms(self.key_usage)
    }
    pub fn is_customer_managed(&self) -> bool {
        self.manager == KeyManager::CUSTOMER
    }
}
