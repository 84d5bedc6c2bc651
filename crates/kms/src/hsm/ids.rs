//! Text forms of DRBG bytes: UUID-shaped ids, hex grant ids and opaque tokens.

use std::fmt::Write as _;

use base64::Engine as _;

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// A UUID version 4 (RFC 9562) from 16 random bytes: `8-4-4-4-12` lowercase hex, version nibble 4, variant `10`.
pub(crate) fn uuid_v4(bytes: [u8; 16]) -> String {
    let bytes = crate::ids::uuid_v4_bits(bytes);
    let digits = hex(&bytes);
    let mut out = String::with_capacity(36);
    for (i, c) in digits.chars().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// An opaque token: URL-safe base64 without padding, as AWS grant tokens are.
pub(crate) fn token(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
