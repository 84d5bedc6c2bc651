//! Share links and saved state: a versioned [`Snapshot`] as JSON, deflated (raw DEFLATE, miniz_oxide) and
//! base64url-encoded without padding, carried in the URL fragment as `#s=...`.
//!
//! Old versions are decoded forever: add a `Snapshot` conversion for each new `v`, never remove one. v1 (the policy
//! lab) is upgraded by `legacy::upgrade`; v2 is [`Snapshot`]. Snapshots hold scenario text and the user's steps,
//! never a world: no key material, plaintext or ciphertext can end up in a link.
//!
//! The scenario's seed does travel in a link (it makes a replay show the same key ids and ciphertexts), and every
//! key, data key and ciphertext derives from it: anyone holding a link can recompute them all. [`without_seed`] makes
//! the snapshot for a link without it; such a link opens with a fresh seed (`state::boot`).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use kmsim_kms::scenario::{read_text, ScenarioError};

use crate::legacy::SnapshotV1;
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

/// Reads a snapshot from JSON of any known version (v1: the policy lab, upgraded by `legacy::upgrade`).
pub fn from_json(json: &str) -> Result<Snapshot, ShareError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| ShareError::Json(e.to_string()))?;
    let version = value.get("v").and_then(serde_json::Value::as_u64).ok_or(ShareError::NoVersion)?;
    let json_err =
        |e: ScenarioError| ShareError::Json(format!("{} at line {} column {}", e.message, e.span.line, e.span.column));
    // Typed reads go from the text again, through the scenario parser's reader (`read_text`): the bundle holds one
    // deserializer of the scenario's types, not that and serde_json's.
    let mut snapshot = match version {
        1 => crate::legacy::upgrade(read_text::<SnapshotV1>(json).map_err(json_err)?),
        2 => read_text::<Snapshot>(json).map_err(json_err)?,
        v => return Err(ShareError::UnknownVersion(v)),
    };
    snapshot.v = Snapshot::VERSION;
    Ok(snapshot)
}

/// The snapshot with the scenario's seed removed, for a link that replays with a fresh seed when opened.
pub fn without_seed(snapshot: &Snapshot) -> Snapshot {
    let mut s = snapshot.clone();
    s.scenario.seed = None;
    s
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
    use crate::state::State;

    fn snapshot() -> Snapshot {
        let mut s = State::default().snapshot();
        s.scenario.title = "ünïcödé ✓".into();
        s
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
    fn compresses_lessons_well() {
        let s = snapshot();
        assert!(encode(&s).len() < to_json(&s).len() / 2, "{} vs {}", encode(&s).len(), to_json(&s).len());
    }

    /// A link made by the first playground (format 1, the policy lab): deflated JSON of its snapshot.
    pub(super) const V1_JSON: &str = r#"{"v":1,"docs":[
        {"name":"key policy","type":"resource","source":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"},
        {"name":"App role policy","type":"identity","source":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"UseTheKey\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"}],
      "request":{"principal":"arn:aws:sts::111122223333:assumed-role/App/session-1","action":"kms:Decrypt",
        "resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "context":[{"key":"aws:MultiFactorAuthPresent","type":"bool","value":"false"}]},"selected":1}"#;

    #[test]
    fn version_1_links_still_open_as_a_scenario() {
        let payload = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(V1_JSON.as_bytes(), 9));
        let s = decode(&payload).unwrap();
        assert_eq!(s.v, Snapshot::VERSION);
        let state = State::from_snapshot(s);
        let pointers: Vec<String> = state.docs.iter().map(|d| d.loc.pointer()).collect();
        assert_eq!(pointers, vec!["/keys/key/policy", "/accounts/111122223333/roles/App/policies/App role policy"]);
        assert!(state.docs[1].source.contains("UseTheKey"));
        // The lab's question is the authorize step, answered by the simulated KMS: delegation + IAM allow.
        let run = state.view_of_run().unwrap();
        let a = run.steps[0].authorization.as_ref().unwrap();
        assert_eq!(a.decision, kmsim_policy::Decision::Allow, "{:?}", a.explanation);
        assert!(a.resource.ends_with("key/1234abcd-12ab-34cd-56ef-1234567890ab"), "{}", a.resource);
        assert!(a.context.get("aws:MultiFactorAuthPresent").is_some());
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
        // Worded and placed by the scenario parser's reader (JSON's names for the types, line and column).
        assert_eq!(
            from_json("{\"v\": 1, \"docs\": 3}").unwrap_err().to_string(),
            "the data is not playground state: invalid type: integer `3`, expected an array at line 1 column 18"
        );
        assert!(from_json("{\"v\": 2, \"scenario\": {\"nope\": 1}}").is_err());
    }

    #[test]
    fn links_hold_no_key_material_or_results() {
        let mut state = State::default();
        state = (*yew::Reducible::reduce(std::rc::Rc::new(state), crate::state::Action::RunCall)).clone();
        let run = state.view_of_run().unwrap();
        let ciphertext = run
            .steps
            .iter()
            .filter_map(|s| {
                s.call.as_ref()?.response.as_ref().ok()?.get("CiphertextBlob")?.as_str().map(str::to_string)
            })
            .next()
            .unwrap();
        let json = to_json(&state.snapshot());
        assert!(!json.contains(&ciphertext), "no ciphertext in a snapshot");
        assert!(!json.contains("CiphertextBlob\":\""), "no response blobs");
        assert!(json.contains("\"seed\":101"), "the seed is what makes replays stable");
    }

    #[test]
    fn a_link_carries_the_seed_unless_shared_without_it() {
        let s = snapshot();
        assert_eq!(s.scenario.seed, Some(101));
        let with = decode(&encode(&s)).unwrap();
        assert_eq!(with.scenario.seed, Some(101));
        assert_eq!(with, s);

        let bare = without_seed(&s);
        let json = to_json(&bare);
        assert!(!json.contains("\"seed\""), "{json}");
        let decoded = decode(&encode(&bare)).unwrap();
        assert_eq!(decoded.scenario.seed, None);
        // Everything else is the same: the scenario, the user's steps, the selection.
        let mut back = decoded.clone();
        back.scenario.seed = s.scenario.seed;
        assert_eq!(back, s);
        assert_ne!(encode(&bare), encode(&s));
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
        for e in [ShareError::Base64, ShareError::Deflate, ShareError::NoVersion, ShareError::UnknownVersion(3)] {
            let m = e.to_string();
            assert!(m.chars().next().is_some_and(char::is_lowercase) && !m.ends_with('.'), "{m}");
        }
    }
}
