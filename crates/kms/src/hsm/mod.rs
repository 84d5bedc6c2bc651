//! The software HSM: deterministic key derivation, a replayable DRBG, and the symmetric ciphertext format.
//!
//! # Secrets
//!
//! Everything secret is derived from one [`Seed`] with HKDF-SHA256 (RFC 5869), so a saved world holds no key bytes:
//! the seed, the key ids and the key versions regenerate every key.
//!
//! | secret | ikm | salt | info |
//! |---|---|---|---|
//! | master | seed as u64 BE | `kmsim/hsm/v1` | `master` |
//! | backing key of (key id, version) | master | `kmsim/backing-key` | key id \|\| 0x00 \|\| version (u32 BE) |
//! | per-message key | backing key | nonce | `kmsim/encrypt` |
//! | DRBG block *i* | master | `kmsim/drbg` | purpose label \|\| 0x00 \|\| *i* (u64 BE) |
//!
//! Secrets are held in [`Zeroizing`] buffers, are never serialised, and every `Debug` here prints `<redacted>` in
//! their place. The seed is *not* a security boundary: a u64 seed is guessable and it is part of the saved state,
//! because the simulator's purpose is replay, not secrecy. Never put real data through it.
//!
//! # Randomness
//!
//! The HSM never reads global randomness. It has a counter-mode DRBG: each 32-byte block is derived from the master,
//! a purpose label and one u64 counter, which advances by one per block. The public state is just
//! `{ "seed": n, "counter": c }` ([`HsmState`]), so restoring a saved state continues the exact same random stream.
//! (Restoring an old state and encrypting again re-uses nonces: harmless in a simulator, fatal in a real HSM.)
//!
//! # Ciphertext format, version 1
//!
//! ```text
//!  offset  size      field
//!  0       1         format version, 0x01 (real AWS blobs also start with 0x01)
//!  1       1         key-id length L (1..=255)
//!  2       L         key id: the bare key id, printable ASCII
//!  2+L     4         backing-key version, u32 BE (>= 1)
//!  6+L     12        nonce: the AES-GCM IV, drawn from the DRBG
//!  18+L    n         AES-256-GCM ciphertext of the n-byte plaintext (1..=4096)
//!  18+L+n  16        GCM tag
//!  |<-------------- header (clear, authenticated) -------------->|
//!  +---------+--------+--------+--------------+---------+ - - - - - - - - - -+-----+
//!  | 0x01    | L      | key id | version (BE) | nonce   | ciphertext          | tag |
//!  +---------+--------+--------+--------------+---------+ - - - - - - - - - -+-----+
//! ```
//!
//! As AWS describes for its HSMs, each message gets its own key: `dek = HKDF-SHA256(backing key, salt = nonce,
//! info = "kmsim/encrypt")`, then `AES-256-GCM(dek, iv = nonce)`. The AAD is the whole header (everything before
//! the GCM ciphertext) followed by the canonical encryption-context encoding ([`encode_encryption_context`]), so the
//! key id, the version, the nonce and the context are all authenticated. A 4096-byte plaintext under a 36-character
//! key id gives a 4166-byte blob, within AWS's 6144-byte limit.
//!
//! Decryption failures are opaque: one [`InvalidCiphertext`], whichever check failed, and plaintext is released only
//! after the tag check. [`Hsm::decrypt`] uses the key named in the header and ignores which key the caller named:
//! the caller reads [`Hsm::parse_header`] first, authorizes that key, checks that the version exists, and raises
//! `IncorrectKeyException` itself when the request named another key.

mod context;
mod derive;
mod format;
mod ids;

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use serde::{Deserialize, Deserializer, Serialize};
use zeroize::Zeroizing;

pub use context::{encode_encryption_context, EncryptionContext};
pub use format::{
    CiphertextHeader, FORMAT_VERSION, MAX_CIPHERTEXT_LEN, MAX_KEY_ID_LEN, MAX_PLAINTEXT_LEN, NONCE_LEN, TAG_LEN,
};

use derive::{Secret, SECRET_LEN};

/// The seed every HSM secret is derived from: chosen by the user or drawn at random by the outer layers.
///
/// Serialises as a JSON number. It also deserialises from a decimal string, because JavaScript numbers lose
/// precision above 2^53 and a seed can be any u64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Seed(pub u64);

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeedVisitor;

        impl serde::de::Visitor<'_> for SeedVisitor {
            type Value = Seed;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a seed: an integer from 0 to 18446744073709551615, as a number or a decimal string")
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Seed, E> {
                Ok(Seed(v))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Seed, E> {
                u64::try_from(v).map(Seed).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Seed, E> {
                v.parse().map(Seed).map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(SeedVisitor)
    }
}

/// The HSM's public, serialisable state: `{ "seed": n, "counter": c }`. It holds no key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsmState {
    /// The seed all secrets are derived from.
    pub seed: Seed,
    /// How many DRBG blocks have been drawn.
    pub counter: u64,
}

/// Why the HSM refused to encrypt. These are caller mistakes that the API layer should have caught first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsmError {
    /// The key id cannot be written into a blob.
    #[error("key id `{key_id}` must be 1 to 255 printable ascii characters")]
    InvalidKeyId {
        /// The rejected key id.
        key_id: String,
    },
    /// Version 0 does not exist: versions start at 1.
    #[error("backing-key version must be at least 1")]
    InvalidVersion,
    /// The plaintext is empty or longer than AWS allows.
    #[error("plaintext of {len} bytes is outside the 1 to 4096 bytes a symmetric key encrypts")]
    PlaintextLength {
        /// The rejected length.
        len: usize,
    },
    /// The encryption context is too large to encode.
    #[error("the encryption context is too large to encode")]
    ContextTooLarge,
    /// AES-GCM refused to encrypt (it cannot for these sizes).
    #[error("encryption failed")]
    Encryption,
}

/// Decryption failed. Deliberately opaque: the blob was malformed, named an unknown format, was tampered with, or
/// the encryption context did not match, and nothing says which. AWS answers `InvalidCiphertextException` with an
/// empty message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("the ciphertext is invalid")]
pub struct InvalidCiphertext;

/// A successful decryption: which key version the blob names, and the plaintext.
#[derive(Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The bare key id from the blob's header.
    pub key_id: String,
    /// The backing-key version from the blob's header.
    pub version: u32,
    /// The plaintext, wiped when dropped.
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .field("plaintext", &format_args!("<redacted {} bytes>", self.plaintext.len()))
            .finish()
    }
}

/// What a DRBG draw is for. Each purpose has its own label, so outputs for one purpose say nothing about another.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Random,
    Nonce,
    KeyId,
    GrantId,
    Token,
    RequestId,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Random => b"random",
            Purpose::Nonce => b"nonce",
            Purpose::KeyId => b"key-id",
            Purpose::GrantId => b"grant-id",
            Purpose::Token => b"token",
            Purpose::RequestId => b"request-id",
        }
    }
}

/// The software HSM. See the [module docs](self) for the derivations and the ciphertext format.
#[derive(Clone)]
pub struct Hsm {
    seed: Seed,
    counter: u64,
    master: Secret,
    /// The DRBG keyed by the master (its HKDF extract done once).
    drbg: derive::Drbg,
}

impl fmt::Debug for Hsm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hsm")
            .field("seed", &format_args!("<redacted>"))
            .field("counter", &self.counter)
            .field("master", &format_args!("<redacted>"))
            .finish()
    }
}

/// Two HSMs are equal when they have the same seed and counter (the master follows from the seed).
impl PartialEq for Hsm {
    fn eq(&self, other: &Self) -> bool {
        self.state() == other.state()
    }
}

impl Eq for Hsm {}

impl Hsm {
    /// A fresh HSM whose DRBG starts at counter 0.
    pub fn new(seed: Seed) -> Hsm {
        Hsm::restore(&HsmState { seed, counter: 0 })
    }

    /// An HSM in a saved state: it continues the saved random stream exactly.
    pub fn restore(state: &HsmState) -> Hsm {
        let master = derive::master(state.seed.0);
        let drbg = derive::Drbg::new(master.as_slice());
        Hsm { seed: state.seed, counter: state.counter, master, drbg }
    }

    /// The public state to save.
    pub fn state(&self) -> HsmState {
        HsmState { seed: self.seed, counter: self.counter }
    }

    /// Fills `out` from the DRBG, one block per counter value.
    fn fill(&mut self, purpose: Purpose, out: &mut [u8]) {
        for chunk in out.chunks_mut(SECRET_LEN) {
            let block = self.drbg.block(purpose.label(), self.counter);
            // The counter would need 2^64 draws to wrap.
            self.counter = self.counter.wrapping_add(1);
            for (dst, src) in chunk.iter_mut().zip(block.iter()) {
                *dst = *src;
            }
        }
    }

    fn draw<const N: usize>(&mut self, purpose: Purpose) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0; N]);
        self.fill(purpose, out.as_mut_slice());
        out
    }

    /// `n` random bytes (GenerateRandom, data keys). Advances the counter by `ceil(n / 32)`.
    pub fn random_bytes(&mut self, n: usize) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![0; n]);
        self.fill(Purpose::Random, out.as_mut_slice());
        out
    }

    /// A fresh 12-byte nonce, for example for client-side [`crate::envelope`] encryption.
    pub fn new_nonce(&mut self) -> [u8; NONCE_LEN] {
        *self.draw::<NONCE_LEN>(Purpose::Nonce)
    }

    /// A new key id, shaped like AWS's: a UUID v4, `1234abcd-12ab-44cd-96ef-1234567890ab`.
    pub fn new_key_id(&mut self) -> String {
        ids::uuid_v4(*self.draw::<16>(Purpose::KeyId))
    }

    /// A new grant id: 64 lowercase hex digits, as AWS's are.
    pub fn new_grant_id(&mut self) -> String {
        ids::hex(self.draw::<32>(Purpose::GrantId).as_slice())
    }

    /// A new opaque grant token: 96 characters of URL-safe base64 of 72 DRBG bytes. Like AWS's tokens it gives
    /// nothing away; the caller keeps the map from token to grant.
    pub fn new_token(&mut self) -> String {
        ids::token(self.draw::<72>(Purpose::Token).as_slice())
    }

    /// A new request id for an audit record: a UUID v4.
    pub fn new_request_id(&mut self) -> String {
        ids::uuid_v4(self.new_request_id_bytes())
    }

    /// The 16 random bytes of the next request id (the record keeps them as bytes; [`Hsm::new_request_id`] is
    /// their text).
    pub fn new_request_id_bytes(&mut self) -> [u8; 16] {
        *self.draw::<16>(Purpose::RequestId)
    }

    /// The request id and the event id of a record that has one of each (a service event), from one draw of the
    /// DRBG: one HMAC instead of two (issue 10: an advance over 10,000 keys writes 100,000 of these).
    pub fn new_request_and_event_id_bytes(&mut self) -> ([u8; 16], [u8; 16]) {
        let both = self.draw::<32>(Purpose::RequestId);
        let (mut request, mut event) = ([0; 16], [0; 16]);
        let (r, e) = both.split_at(16);
        request.copy_from_slice(r);
        event.copy_from_slice(e);
        (request, event)
    }

    /// Encrypts `plaintext` under version `version` of key `key_id`, binding `context` as AAD.
    ///
    /// Validation happens before the nonce is drawn, so a refused call does not advance the DRBG.
    pub fn encrypt(
        &mut self,
        key_id: &str,
        version: u32,
        plaintext: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, HsmError> {
        if !format::valid_key_id(key_id) {
            return Err(HsmError::InvalidKeyId { key_id: key_id.to_owned() });
        }
        if version == 0 {
            return Err(HsmError::InvalidVersion);
        }
        if plaintext.is_empty() || plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(HsmError::PlaintextLength { len: plaintext.len() });
        }
        let encoded_context = encode_encryption_context(context).ok_or(HsmError::ContextTooLarge)?;
        let nonce = self.new_nonce();
        let mut blob = format::write_header(key_id, version, &nonce)
            .ok_or_else(|| HsmError::InvalidKeyId { key_id: key_id.to_owned() })?;
        let aad = [blob.as_slice(), encoded_context.as_slice()].concat();
        let cipher = self.message_cipher(key_id, version, &nonce);
        let sealed =
            cipher.encrypt(&nonce.into(), Payload { msg: plaintext, aad: &aad }).map_err(|_| HsmError::Encryption)?;
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    /// Reads the clear header of a blob (key id and version) without decrypting, so the caller can find and
    /// authorize the key first. Any malformed blob gives [`InvalidCiphertext`].
    pub fn parse_header(blob: &[u8]) -> Result<CiphertextHeader, InvalidCiphertext> {
        format::parse(blob).map(|parsed| parsed.header)
    }

    /// Decrypts a blob with the key version its header names, checking `context` as AAD.
    ///
    /// Any failure gives the same [`InvalidCiphertext`]; the plaintext exists only after the tag has been checked.
    pub fn decrypt(&self, blob: &[u8], context: &EncryptionContext) -> Result<Decrypted, InvalidCiphertext> {
        let parsed = format::parse(blob)?;
        let encoded_context = encode_encryption_context(context).ok_or(InvalidCiphertext)?;
        let aad = [parsed.header_bytes, encoded_context.as_slice()].concat();
        let cipher = self.message_cipher(&parsed.header.key_id, parsed.header.version, &parsed.nonce);
        let plaintext = cipher
            .decrypt(&parsed.nonce.into(), Payload { msg: parsed.sealed, aad: &aad })
            .map_err(|_| InvalidCiphertext)?;
        Ok(Decrypted {
            key_id: parsed.header.key_id,
            version: parsed.header.version,
            plaintext: Zeroizing::new(plaintext),
        })
    }

    /// The AES-256-GCM instance for one message: keyed by the per-message key of (key id, version, nonce).
    fn message_cipher(&self, key_id: &str, version: u32, nonce: &[u8; NONCE_LEN]) -> Aes256Gcm {
        let backing = derive::backing_key(self.master.as_slice(), key_id, version);
        let dek = derive::message_key(backing.as_slice(), nonce);
        Aes256Gcm::new(&(*dek).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backing_keys_differ_by_key_id_and_version() {
        let hsm = Hsm::new(Seed(7));
        let a1 = derive::backing_key(hsm.master.as_slice(), "a", 1);
        let a2 = derive::backing_key(hsm.master.as_slice(), "a", 2);
        let b1 = derive::backing_key(hsm.master.as_slice(), "b", 1);
        assert_ne!(*a1, *a2);
        assert_ne!(*a1, *b1);
        assert_ne!(*a2, *b1);
        assert_eq!(*a1, *derive::backing_key(Hsm::new(Seed(7)).master.as_slice(), "a", 1));
        assert_ne!(*a1, *derive::backing_key(Hsm::new(Seed(8)).master.as_slice(), "a", 1));
    }

    #[test]
    fn debug_of_hsm_hides_the_master_and_the_seed() {
        let seed = 0x0123_4567_89ab_cdef;
        let hsm = Hsm::new(Seed(seed));
        let text = format!("{hsm:?} {hsm:#?}");
        assert!(!text.contains(&ids::hex(hsm.master.as_slice())), "{text}");
        assert!(!text.contains(&ids::hex(hsm.master.get(..4).unwrap_or_default())), "{text}");
        let as_list = format!("{:?}", hsm.master.get(..3).unwrap_or_default());
        assert!(!text.contains(as_list.trim_end_matches(']')), "{text}");
        assert!(!text.contains(&seed.to_string()), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
