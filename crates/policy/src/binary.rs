//! `Binary` values (the `BinaryEquals` operator and typed request values): standard base64 through the `base64`
//! crate, configured as IAM reads it: the standard alphabet, padding optional but canonical when written, no
//! whitespace, and the unused bits of the last symbol ignored.

use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Standard base64 with padding.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    ENGINE.encode(data)
}

/// Decodes standard base64; padding is optional, whitespace is not allowed. `None` when the text is not base64.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    // The crate's "indifferent" padding mode also takes a partial padding (`AA=`); IAM's reading pads to a whole
    // quantum or not at all.
    if text.ends_with('=') && !text.len().is_multiple_of(4) {
        return None;
    }
    ENGINE.decode(text).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "test oracle on fixed tables")]

    use super::*;
    use proptest::prelude::*;

    /// The hand-written decoder this module replaced, kept as the oracle: the crate must read every text the same.
    fn hand_written_decode(text: &str) -> Option<Vec<u8>> {
        let body = text.trim_end_matches('=');
        if text.len() - body.len() > 2 || (text.len() != body.len() && !text.len().is_multiple_of(4)) {
            return None;
        }
        if body.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
        let mut acc: u32 = 0;
        let mut bits = 0;
        for c in body.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(((acc >> bits) & 0xff) as u8);
            }
        }
        Some(out)
    }

    fn same(text: &str) {
        assert_eq!(base64_decode(text), hand_written_decode(text), "`{}`", text.escape_debug());
    }

    #[test]
    fn round_trip_and_known_values() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            let enc = base64_encode(data);
            assert_eq!(base64_decode(&enc).as_deref(), Some(data));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64_decode("Zm8"), Some(b"fo".to_vec()));
        assert_eq!(base64_decode("not base64!"), None);
        assert_eq!(base64_decode("Z"), None);
    }

    #[test]
    fn same_as_the_hand_written_decoder_on_edge_cases() {
        for text in [
            "",
            "=",
            "==",
            "===",
            "====",
            "A",
            "A=",
            "A==",
            "A===",
            "AA",
            "AA=",
            "AA==",
            "AA===",
            "AAA",
            "AAA=",
            "AAA==",
            "AAAA",
            "AAAA=",
            "AAAA==",
            "AAAAA",
            "AAAAAA==",
            "AAAAAAA=",
            "Zm8=",
            "Zm9=",
            "Zm9",
            "Zh==",
            "Zh",
            "Zm9vYg==",
            "Zm9vYg",
            "Zm9vYmE=",
            "Zm9vYmE",
            "Zm=9",
            "Z=m9",
            "=Zm9",
            "Zm9v=Zm9v",
            "Zm9v====",
            " Zm9v",
            "Zm9v ",
            "Zm 9v",
            "Zm9v\n",
            "Zm9v\t",
            "Zm9v\r\n",
            "Zm-_",
            "Zm9v.",
            "Zm9v\u{e9}",
            "QmluYXJ5VmFsdWU=",
            "QmluYXJ5VmFsdWU",
            "//==",
            "++++",
            "+/+/",
        ] {
            same(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn same_as_the_hand_written_decoder_on_base64ish_text(text in "[A-Za-z0-9+/=_ -]{0,14}") {
            same(&text);
        }

        #[test]
        fn same_as_the_hand_written_decoder_on_encodings(data in proptest::collection::vec(any::<u8>(), 0..40)) {
            let enc = base64_encode(&data);
            same(&enc);
            same(enc.trim_end_matches('='));
            prop_assert_eq!(base64_decode(&enc), Some(data));
        }
    }
}
