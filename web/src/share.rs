//! Share links and saved state: a versioned [`Snapshot`] as JSON, deflated (raw DEFLATE, miniz_oxide) and
//! base64url-encoded without padding, carried in the URL fragment as `#s=...`.
//!
//! Old versions are decoded forever: add a `Snapshot` conversion for each new `v`, never remove one.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::model::Snapshot;

/// The fragment parameter that holds a snapshot.
pub const FRAGMENT_KEY: &str = "s=";

/// Decompressed share links larger than this are refused (a corrupt or hostile link cannot exhaust memory).
const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// Why a share link or stored state could not be read. Messages are one line, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// Not base64url.
    Base64,
    /// Not DEFLATE data, or larger than the limit.
    Deflate,
    /// Not JSON, or not the shape of a snapshot.
    Json(String),
    /// `v` missing or not a number.
    NoVersion,
    /// A version this build does not know.
    UnknownVersion(u64),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Base64 => f.write_str("the data is not base64url text"),
            ShareError::Deflate => f.write_str("the data is not compressed playground state"),
            ShareError::Json(e) => write!(f, "the data is not playground state: {e}"),
            ShareError::NoVersion => f.write_str("the data has no format version"),
            ShareError::UnknownVersion(v) => {
                write!(
                    f,
                    "format version `{v}` is newer than this playground understands (up to {})",
                    Snapshot::VERSION
                )
            }
        }
    }
}

/// The snapshot as JSON (what localStorage holds).
pub fn to_json(snapshot: &Snapshot) -> String {
    // Serialising plain strings, numbers and enums cannot fail; an empty object is a safe fallback anyway.
    serde_json::to_string(snapshot).unwrap_or_else(|_| "{}".to_string())
}

/// Reads a snapshot from JSON of any known version, recomputing every document's diagnostics.
pub fn from_json(json: &str) -> Result<Snapshot, ShareError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| ShareError::Json(e.to_string()))?;
    let version = value.get("v").and_then(serde_json::Value::as_u64).ok_or(ShareError::NoVersion)?;
    let mut snapshot = match version {
        1 => serde_json::from_value::<Snapshot>(value).map_err(|e| ShareError::Json(e.to_string()))?,
        v => return Err(ShareError::UnknownVersion(v)),
    };
    snapshot.v = Snapshot::VERSION;
    for doc in &mut snapshot.docs {
        doc.reparse();
    }
    if snapshot.selected >= snapshot.docs.len() {
        snapshot.selected = 0;
    }
    Ok(snapshot)
}

/// The fragment payload (without `#s=`).
pub fn encode(snapshot: &Snapshot) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(to_json(snapshot).as_bytes(), 9);
    URL_SAFE_NO_PAD.encode(deflated)
}

/// Reads a fragment payload (without `#s=`).
pub fn decode(payload: &str) -> Result<Snapshot, ShareError> {
    let deflated = URL_SAFE_NO_PAD.decode(payload.trim().trim_end_matches('=')).map_err(|_| ShareError::Base64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_JSON_BYTES)
        .map_err(|_| ShareError::Deflate)?;
    let json = String::from_utf8(json).map_err(|_| ShareError::Deflate)?;
    from_json(&json)
}

/// The `s=` payload of a URL fragment (`#s=...`, `s=...`, or `#a=1&s=...`), if there is one.
pub fn payload_of_fragment(fragment: &str) -> Option<&str> {
    fragment.trim_start_matches('#').split('&').find_map(|part| part.strip_prefix(FRAGMENT_KEY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContextRow, Doc, RequestForm, ValueType};
    use kmsim_policy::PolicyType;

    fn snapshot() -> Snapshot {
        Snapshot {
            v: 1,
            docs: vec![
                Doc::new("key policy", PolicyType::Resource, "{\"Version\": \"2012-10-17\", \"Statement\": []}"),
                Doc::new("ünïcödé identity", PolicyType::Identity, "{ \"Statement\": [ ] }\n// ✓"),
            ],
            request: RequestForm {
                principal: "arn:aws:iam::111122223333:user/alice".into(),
                action: "kms:Decrypt".into(),
                resource: "*".into(),
                context: vec![ContextRow { key: "aws:SourceIp".into(), ty: ValueType::Ip, value: "10.0.0.1".into() }],
            },
            selected: 1,
        }
    }

    #[test]
    fn round_trips_through_the_fragment() {
        let s = snapshot();
        let payload = encode(&s);
        assert!(payload.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{payload}");
        let fragment = format!("#{FRAGMENT_KEY}{payload}");
        assert_eq!(decode(payload_of_fragment(&fragment).unwrap()).unwrap(), s);
    }

    #[test]
    fn compresses_repetitive_policies() {
        let mut s = snapshot();
        s.docs[0].source = "{\"Sid\": \"x\", \"Action\": \"kms:Decrypt\"},\n".repeat(200);
        assert!(encode(&s).len() < to_json(&s).len() / 5);
    }

    #[test]
    fn diagnostics_are_recomputed_not_trusted() {
        let mut s = snapshot();
        s.docs[0].source = "{ not json".into();
        s.docs[0].errors.clear();
        let back = decode(&encode(&s)).unwrap();
        assert!(!back.docs[0].errors.is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(decode("garbage"), Err(ShareError::Base64), "trailing bits set");
        assert_eq!(decode("!!!"), Err(ShareError::Base64));
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode([0xff; 8])), Err(ShareError::Deflate));
        let not_json = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"hello", 6));
        assert!(matches!(decode(&not_json), Err(ShareError::Json(_))));
        assert_eq!(from_json("{\"docs\": []}"), Err(ShareError::NoVersion));
        assert_eq!(from_json("{\"v\": 99}"), Err(ShareError::UnknownVersion(99)));
        assert!(from_json("{\"v\": 1, \"docs\": 3}")
            .unwrap_err()
            .to_string()
            .starts_with("the data is not playground"));
    }

    #[test]
    fn out_of_range_selection_is_clamped() {
        let mut s = snapshot();
        s.selected = 7;
        assert_eq!(from_json(&to_json(&s)).unwrap().selected, 0);
    }

    #[test]
    fn finds_the_payload_among_other_fragment_parameters() {
        assert_eq!(payload_of_fragment("#s=abc"), Some("abc"));
        assert_eq!(payload_of_fragment("x=1&s=abc"), Some("abc"));
        assert_eq!(payload_of_fragment("#view=lab"), None);
        assert_eq!(payload_of_fragment(""), None);
    }

    #[test]
    fn error_messages_follow_the_style() {
        for e in [ShareError::Base64, ShareError::Deflate, ShareError::NoVersion, ShareError::UnknownVersion(2)] {
            let m = e.to_string();
            assert!(m.chars().next().is_some_and(char::is_lowercase) && !m.ends_with('.'), "{m}");
        }
    }
}
