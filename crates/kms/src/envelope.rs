//! Client-side envelope encryption, as the AWS Encryption SDK does it with a KMS data key.
//!
//! The flow: `GenerateDataKey` returns a data key twice, in plaintext and encrypted under a KMS key. The client
//! encrypts its data locally with the plaintext data key ([`seal`]), keeps the encrypted data key beside the data
//! ([`EnvelopeMessage`]) and forgets the plaintext key. To read the data it calls `Decrypt` on the encrypted data key
//! and opens the message ([`open`]). KMS never sees the data, so there is no 4096-byte limit here.
//!
//! Data keys of 16 bytes use AES-128-GCM and of 32 bytes AES-256-GCM (KeySpec `AES_128` and `AES_256`). The nonce
//! comes from the caller, who draws it from the HSM DRBG ([`crate::hsm::Hsm::new_nonce`]), so the whole simulation
//! stays deterministic. Never seal two messages with the same data key and nonce.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The length of an envelope nonce (the AES-GCM IV).
pub const NONCE_LEN: usize = 12;

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The data key is neither 16 nor 32 bytes long.
    #[error("a data key must be 16 or 32 bytes long, not {len}")]
    DataKeyLength {
        /// The length of the key that was given.
        len: usize,
    },
    /// AES-GCM refused to encrypt (it cannot for any size a browser can hold).
    #[error("encryption failed")]
    Seal,
    /// The message was tampered with, or the data key or the AAD is wrong. Deliberately opaque.
    #[error("the message cannot be opened with this data key and associated data")]
    Open,
}

/// AES-GCM under a 16- or 32-byte data key.
enum Cipher {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
}

impl Cipher {
    fn new(data_key: &[u8]) -> Result<Cipher, EnvelopeError> {
        match data_key.len() {
            16 => Aes128Gcm::new_from_slice(data_key).map(|c| Cipher::Aes128(Box::new(c))),
            32 => Aes256Gcm::new_from_slice(data_key).map(|c| Cipher::Aes256(Box::new(c))),
            len => return Err(EnvelopeError::DataKeyLength { len }),
        }
        .map_err(|_| EnvelopeError::DataKeyLength { len: data_key.len() })
    }

    fn seal(&self, nonce: [u8; NONCE_LEN], payload: Payload<'_, '_>) -> Result<Vec<u8>, aes_gcm::Error> {
        match self {
            Cipher::Aes128(c) => c.encrypt(&nonce.into(), payload),
            Cipher::Aes256(c) => c.encrypt(&nonce.into(), payload),
        }
    }

    fn open(&self, nonce: [u8; NONCE_LEN], payload: Payload<'_, '_>) -> Result<Vec<u8>, aes_gcm::Error> {
        match self {
            Cipher::Aes128(c) => c.decrypt(&nonce.into(), payload),
            Cipher::Aes256(c) => c.decrypt(&nonce.into(), payload),
        }
    }
}

/// Encrypts `plaintext` with AES-GCM under `data_key`, authenticating `aad`. Returns `ciphertext || 16-byte tag`.
pub fn seal(data_key: &[u8], plaintext: &[u8], nonce: [u8; NONCE_LEN], aad: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    Cipher::new(data_key)?.seal(nonce, Payload { msg: plaintext, aad }).map_err(|_| EnvelopeError::Seal)
}

/// Decrypts what [`seal`] produced. The plaintext is released only after the tag check.
pub fn open(
    data_key: &[u8],
    ciphertext: &[u8],
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    Cipher::new(data_key)?
        .open(nonce, Payload { msg: ciphertext, aad })
        .map(Zeroizing::new)
        .map_err(|_| EnvelopeError::Open)
}

/// An envelope-encrypted message: the KMS-encrypted data key stored beside the data it protects.
///
/// Serialises with base64 (standard alphabet, padded) byte fields:
/// `{ "encrypted_data_key": "AQ...", "nonce": "...", "ciphertext": "..." }`.
///
/// Like the Encryption SDK, which authenticates its header and the encrypted data keys in it, the message binds the
/// encrypted data key into the AAD: `u32 BE length || encrypted data key || caller's aad`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeMessage {
    /// The data key's ciphertext blob from GenerateDataKey; `Decrypt` turns it back into the data key.
    #[serde(with = "base64_bytes")]
    pub encrypted_data_key: Vec<u8>,
    /// The AES-GCM nonce.
    #[serde(with = "base64_nonce")]
    pub nonce: [u8; NONCE_LEN],
    /// `ciphertext || tag` of the data.
    #[serde(with = "base64_bytes")]
    pub ciphertext: Vec<u8>,
}

impl EnvelopeMessage {
    /// Seals `plaintext` under the plaintext `data_key` and stores `encrypted_data_key` beside it.
    pub fn seal(
        encrypted_data_key: Vec<u8>,
        data_key: &[u8],
        nonce: [u8; NONCE_LEN],
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<EnvelopeMessage, EnvelopeError> {
        let full_aad = message_aad(&encrypted_data_key, aad).ok_or(EnvelopeError::Seal)?;
        let ciphertext = seal(data_key, plaintext, nonce, &full_aad)?;
        Ok(EnvelopeMessage { encrypted_data_key, nonce, ciphertext })
    }

    /// Opens the message with the data key that `Decrypt` returned for [`EnvelopeMessage::encrypted_data_key`].
    pub fn open(&self, data_key: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        let full_aad = message_aad(&self.encrypted_data_key, aad).ok_or(EnvelopeError::Open)?;
        open(data_key, &self.ciphertext, self.nonce, &full_aad)
    }
}

/// `u32 BE length || encrypted data key || aad`.
fn message_aad(encrypted_data_key: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(encrypted_data_key.len()).ok()?;
    Some([&len.to_be_bytes()[..], encrypted_data_key, aad].concat())
}

mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text.as_bytes()).map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}")))
    }
}

mod base64_nonce {
    use serde::{Deserializer, Serializer};

    use super::NONCE_LEN;

    pub(super) fn serialize<S: Serializer>(nonce: &[u8; NONCE_LEN], serializer: S) -> Result<S::Ok, S::Error> {
        super::base64_bytes::serialize(nonce, serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; NONCE_LEN], D::Error> {
        let bytes = super::base64_bytes::deserialize(deserializer)?;
        let len = bytes.len();
        bytes.try_into().map_err(|_| serde::de::Error::custom(format!("a nonce must be 12 bytes, not {len}")))
    }
}
