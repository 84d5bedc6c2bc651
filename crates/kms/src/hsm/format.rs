//! The ciphertext blob format, version 1 (see the byte diagram in the module docs of [`crate::hsm`]).

use serde::{Deserialize, Serialize};

use super::InvalidCiphertext;

/// The first byte of every version-1 blob.
pub const FORMAT_VERSION: u8 = 0x01;
/// The length of the AES-GCM nonce (IV) stored in the blob.
pub const NONCE_LEN: usize = 12;
/// The length of the AES-GCM authentication tag at the end of the blob.
pub const TAG_LEN: usize = 16;
/// The longest key id a blob can name (its length is one byte).
pub const MAX_KEY_ID_LEN: usize = 255;
/// The largest plaintext the HSM encrypts: AWS's limit for symmetric Encrypt.
pub const MAX_PLAINTEXT_LEN: usize = 4096;
/// The largest ciphertext blob AWS accepts; no version-1 blob of a valid plaintext comes near it
/// (at most 1 + 1 + 255 + 4 + 12 + 4096 + 16 = 4385 bytes).
pub const MAX_CIPHERTEXT_LEN: usize = 6144;

/// What the clear header of a blob says: which key version encrypted it.
///
/// The caller reads it with [`crate::hsm::Hsm::parse_header`] to find and authorize the key before decrypting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CiphertextHeader {
    /// The bare key id (not an ARN).
    pub key_id: String,
    /// The backing-key version, 1 for the key's original material.
    pub version: u32,
}

/// A parsed blob: the header, the bytes it spans (the first part of the AAD), the nonce and `ciphertext || tag`.
pub(crate) struct Parsed<'a> {
    pub(crate) header: CiphertextHeader,
    pub(crate) header_bytes: &'a [u8],
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) sealed: &'a [u8],
}

/// Whether a key id can be written into a blob: 1 to 255 printable ASCII characters (no space, no control byte).
pub(crate) fn valid_key_id(key_id: &str) -> bool {
    (1..=MAX_KEY_ID_LEN).contains(&key_id.len()) && key_id.bytes().all(|b| b.is_ascii_graphic())
}

/// Writes the header: format version, key-id length, key id, version, nonce. The caller has validated the key id.
pub(crate) fn write_header(key_id: &str, version: u32, nonce: &[u8; NONCE_LEN]) -> Option<Vec<u8>> {
    let id_len = u8::try_from(key_id.len()).ok()?;
    let mut out = Vec::with_capacity(1 + 1 + key_id.len() + 4 + NONCE_LEN);
    out.push(FORMAT_VERSION);
    out.push(id_len);
    out.extend_from_slice(key_id.as_bytes());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(nonce);
    Some(out)
}

/// Splits `n` bytes off the front of `bytes`.
fn take(bytes: &[u8], n: usize) -> Result<(&[u8], &[u8]), InvalidCiphertext> {
    if bytes.len() < n {
        return Err(InvalidCiphertext);
    }
    Ok(bytes.split_at(n))
}

/// Parses a blob. Every malformation gives the same opaque [`InvalidCiphertext`].
pub(crate) fn parse(blob: &[u8]) -> Result<Parsed<'_>, InvalidCiphertext> {
    if blob.len() > MAX_CIPHERTEXT_LEN {
        return Err(InvalidCiphertext);
    }
    let (&format, rest) = blob.split_first().ok_or(InvalidCiphertext)?;
    if format != FORMAT_VERSION {
        return Err(InvalidCiphertext);
    }
    let (&id_len, rest) = rest.split_first().ok_or(InvalidCiphertext)?;
    let (id_bytes, rest) = take(rest, usize::from(id_len))?;
    let key_id = std::str::from_utf8(id_bytes).map_err(|_| InvalidCiphertext)?;
    if !valid_key_id(key_id) {
        return Err(InvalidCiphertext);
    }
    let (version_bytes, rest) = take(rest, 4)?;
    let version = u32::from_be_bytes(version_bytes.try_into().map_err(|_| InvalidCiphertext)?);
    if version == 0 {
        return Err(InvalidCiphertext);
    }
    let (nonce_bytes, sealed) = take(rest, NONCE_LEN)?;
    let nonce: [u8; NONCE_LEN] = nonce_bytes.try_into().map_err(|_| InvalidCiphertext)?;
    // The HSM never encrypts an empty plaintext, so a valid blob has at least one byte before the tag.
    if sealed.len() <= TAG_LEN {
        return Err(InvalidCiphertext);
    }
    let header_len = blob.len() - sealed.len();
    let header_bytes = blob.get(..header_len).ok_or(InvalidCiphertext)?;
    Ok(Parsed { header: CiphertextHeader { key_id: key_id.to_owned(), version }, header_bytes, nonce, sealed })
}
