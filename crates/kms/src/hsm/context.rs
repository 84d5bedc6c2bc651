//! The canonical byte encoding of an encryption context, bound into every ciphertext as AAD.

use std::collections::BTreeMap;

/// An encryption context: a map of strings to strings, kept sorted by key bytes.
///
/// AWS treats a missing encryption context and an empty one alike, and so does the HSM: both encode as a pair count
/// of zero. Matching is exact and case-sensitive; only the order of pairs may differ (a `BTreeMap` has one order).
pub type EncryptionContext = BTreeMap<String, String>;

/// The canonical, unambiguous encoding of an encryption context.
///
/// ```text
/// u32 BE pair count
/// then, for each pair in key-byte order:
///   u32 BE key length | key (UTF-8) | u32 BE value length | value (UTF-8)
/// ```
///
/// Every string is length-prefixed, so `{"ab":"c"}` and `{"a":"bc"}` encode differently (the emulators that
/// concatenate keys and values cannot tell them apart). Returns `None` only if a count or a length does not fit in
/// 32 bits, which no real context reaches (AWS caps a request at far less).
pub fn encode_encryption_context(context: &EncryptionContext) -> Option<Vec<u8>> {
    let size = context.iter().map(|(k, v)| 8 + k.len() + v.len()).sum::<usize>() + 4;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&u32::try_from(context.len()).ok()?.to_be_bytes());
    for (key, value) in context {
        for text in [key, value] {
            out.extend_from_slice(&u32::try_from(text.len()).ok()?.to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
    Some(out)
}
