//! The HSM's behaviour: determinism and replay, rotation, ids, validation, redaction, and round-trip properties.

use kmsim_kms::hsm::{
    CiphertextHeader, EncryptionContext, Hsm, HsmError, HsmState, Seed, MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN,
};
use proptest::prelude::*;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn context(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fixed script of every DRBG-consuming call; returns everything it produced.
#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn script(hsm: &mut Hsm) -> Vec<String> {
    let key_id = hsm.new_key_id();
    vec![
        key_id.clone(),
        hex(&hsm.random_bytes(1)),
        hex(&hsm.random_bytes(1024)),
        hsm.new_grant_id(),
        hsm.new_token(),
        hsm.new_request_id(),
        hex(&hsm.new_nonce()),
        hex(&hsm.encrypt(&key_id, 1, b"data", &context(&[("k", "v")])).unwrap()),
        hex(&hsm.random_bytes(33)),
    ]
}

#[test]
fn the_same_seed_and_calls_give_the_same_outputs() {
    let a = script(&mut Hsm::new(Seed(99)));
    let b = script(&mut Hsm::new(Seed(99)));
    let c = script(&mut Hsm::new(Seed(100)));
    assert_eq!(a, b);
    for (x, z) in a.iter().zip(&c) {
        assert_ne!(x, z);
    }
}

#[test]
fn saving_and_restoring_mid_stream_continues_identically() {
    let mut straight = Hsm::new(Seed(5));
    let first = script(&mut straight);
    let saved = straight.state();
    let second = script(&mut straight);

    let json = serde_json::to_string(&saved).unwrap();
    let mut restored = Hsm::restore(&serde_json::from_str::<HsmState>(&json).unwrap());
    assert_eq!(restored.state(), saved);
    assert_eq!(script(&mut restored), second);
    assert_ne!(first, second);
    assert_eq!(restored, straight);
}

#[test]
fn the_counter_counts_32_byte_blocks() {
    let mut hsm = Hsm::new(Seed(1));
    let counter = |hsm: &Hsm| hsm.state().counter;
    assert_eq!(counter(&hsm), 0);
    hsm.random_bytes(0);
    assert_eq!(counter(&hsm), 0);
    hsm.random_bytes(32);
    assert_eq!(counter(&hsm), 1);
    hsm.random_bytes(33);
    assert_eq!(counter(&hsm), 3);
    hsm.new_token(); // 72 bytes
    assert_eq!(counter(&hsm), 6);
    hsm.new_key_id();
    assert_eq!(counter(&hsm), 7);
}

#[test]
fn random_bytes_are_not_repeated_across_draws() {
    let mut hsm = Hsm::new(Seed(1));
    let draws: Vec<_> = (0..100).map(|_| hex(&hsm.random_bytes(16))).collect();
    let unique: std::collections::BTreeSet<_> = draws.iter().collect();
    assert_eq!(unique.len(), draws.len());
    assert_eq!(hsm.random_bytes(1024).len(), 1024);
}

#[test]
fn state_serialises_as_numbers_and_accepts_a_string_seed() {
    let state = HsmState { seed: Seed(u64::MAX), counter: 7 };
    assert_eq!(serde_json::to_string(&state).unwrap(), r#"{"seed":18446744073709551615,"counter":7}"#);
    let from_string: HsmState = serde_json::from_str(r#"{"seed":"18446744073709551615","counter":7}"#).unwrap();
    assert_eq!(from_string, state);
    for bad in [r#"{"seed":-1,"counter":0}"#, r#"{"seed":"x","counter":0}"#, r#"{"seed":1,"counter":0,"k":1}"#] {
        assert!(serde_json::from_str::<HsmState>(bad).is_err(), "{bad}");
    }
}

fn is_lower_hex(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn ids_have_aws_shapes() {
    let mut hsm = Hsm::new(Seed(3));
    for _ in 0..50 {
        for id in [hsm.new_key_id(), hsm.new_request_id()] {
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            assert!(groups.iter().all(|g| is_lower_hex(g)), "{id}");
            assert!(groups[2].starts_with('4'), "version nibble: {id}");
            assert!(matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b')), "variant: {id}");
        }
        let grant_id = hsm.new_grant_id();
        assert_eq!(grant_id.len(), 64);
        assert!(is_lower_hex(&grant_id), "{grant_id}");
        let token = hsm.new_token();
        assert_eq!(token.len(), 96);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{token}");
    }
}

#[test]
fn each_key_version_has_its_own_backing_key() {
    let mut hsm = Hsm::new(Seed(11));
    let ec = EncryptionContext::new();
    let v1 = hsm.encrypt(KEY_ID, 1, b"secret", &ec).unwrap();
    // Splice the version and the key id: the tag check fails because the backing key differs.
    let id_end = 2 + KEY_ID.len();
    let as_v2 = [&v1[..id_end], &2u32.to_be_bytes()[..], &v1[id_end + 4..]].concat();
    assert!(hsm.decrypt(&as_v2, &ec).is_err());
    let other = "1234abcd-12ab-34cd-56ef-1234567890ac";
    let as_other = [&v1[..2], other.as_bytes(), &v1[id_end..]].concat();
    assert!(hsm.decrypt(&as_other, &ec).is_err());
    assert_eq!(hsm.decrypt(&v1, &ec).unwrap().plaintext.as_slice(), b"secret");
}

#[test]
fn old_versions_still_decrypt_after_rotation() {
    let mut hsm = Hsm::new(Seed(12));
    let ec = context(&[("app", "ledger")]);
    let v1 = hsm.encrypt(KEY_ID, 1, b"before rotation", &ec).unwrap();
    let v2 = hsm.encrypt(KEY_ID, 2, b"after rotation", &ec).unwrap();
    assert_eq!(Hsm::parse_header(&v1).unwrap(), CiphertextHeader { key_id: KEY_ID.into(), version: 1 });
    assert_eq!(Hsm::parse_header(&v2).unwrap(), CiphertextHeader { key_id: KEY_ID.into(), version: 2 });
    let d1 = hsm.decrypt(&v1, &ec).unwrap();
    let d2 = hsm.decrypt(&v2, &ec).unwrap();
    assert_eq!((d1.version, d1.plaintext.as_slice()), (1, &b"before rotation"[..]));
    assert_eq!((d2.version, d2.plaintext.as_slice()), (2, &b"after rotation"[..]));
}

#[test]
fn decrypt_uses_the_key_in_the_header() {
    let mut hsm = Hsm::new(Seed(13));
    let blob = hsm.encrypt("key-a", 1, b"x", &EncryptionContext::new()).unwrap();
    let decrypted = hsm.decrypt(&blob, &EncryptionContext::new()).unwrap();
    assert_eq!(decrypted.key_id, "key-a");
}

#[test]
fn encrypt_validates_before_drawing_a_nonce() {
    let mut hsm = Hsm::new(Seed(14));
    let ec = EncryptionContext::new();
    let long_id = "k".repeat(256);
    let cases: [(&str, u32, &[u8], HsmError); 6] = [
        ("", 1, b"x", HsmError::InvalidKeyId { key_id: String::new() }),
        ("has space", 1, b"x", HsmError::InvalidKeyId { key_id: "has space".into() }),
        ("ключ", 1, b"x", HsmError::InvalidKeyId { key_id: "ключ".into() }),
        (&long_id, 1, b"x", HsmError::InvalidKeyId { key_id: long_id.clone() }),
        (KEY_ID, 0, b"x", HsmError::InvalidVersion),
        (KEY_ID, 1, b"", HsmError::PlaintextLength { len: 0 }),
    ];
    for (key_id, version, plaintext, expected) in cases {
        assert_eq!(hsm.encrypt(key_id, version, plaintext, &ec), Err(expected));
    }
    let too_long = vec![0; MAX_PLAINTEXT_LEN + 1];
    let error = hsm.encrypt(KEY_ID, 1, &too_long, &ec).unwrap_err();
    assert_eq!(error.to_string(), "plaintext of 4097 bytes is outside the 1 to 4096 bytes a symmetric key encrypts");
    assert_eq!(
        HsmError::InvalidKeyId { key_id: "a b".into() }.to_string(),
        "key id `a b` must be 1 to 255 printable ascii characters"
    );
    assert_eq!(hsm.state().counter, 0);
    assert!(hsm.encrypt(&"k".repeat(255), 1, b"x", &ec).is_ok());
}

#[test]
fn the_largest_blob_fits_aws_limit() {
    let mut hsm = Hsm::new(Seed(15));
    let big_context = context(&[("a", &"v".repeat(1000))]);
    let blob = hsm.encrypt(KEY_ID, u32::MAX, &[7; MAX_PLAINTEXT_LEN], &big_context).unwrap();
    assert_eq!(blob.len(), 1 + 1 + 36 + 4 + 12 + 4096 + 16);
    let longest = hsm.encrypt(&"k".repeat(255), 1, &[7; MAX_PLAINTEXT_LEN], &big_context).unwrap();
    assert!(longest.len() <= MAX_CIPHERTEXT_LEN, "{}", longest.len());
    assert_eq!(hsm.decrypt(&longest, &big_context).unwrap().plaintext.len(), MAX_PLAINTEXT_LEN);
}

#[test]
fn debug_never_shows_plaintext_or_key_bytes() {
    let seed = 0x5eed_5eed_5eed_5eed;
    let mut hsm = Hsm::new(Seed(seed));
    let plaintext: Vec<u8> = (0..=255).collect();
    let blob = hsm.encrypt(KEY_ID, 1, &plaintext, &EncryptionContext::new()).unwrap();
    let decrypted = hsm.decrypt(&blob, &EncryptionContext::new()).unwrap();
    let text = format!("{hsm:?} {hsm:#?} {decrypted:?} {decrypted:#?}");
    assert!(text.contains(KEY_ID), "{text}");
    assert!(text.contains("<redacted"), "{text}");
    assert!(!text.contains(&seed.to_string()), "{text}");
    // No run of plaintext bytes in any notation: hex, a Debug list, or text.
    assert!(!text.contains(&hex(&plaintext[..4])), "{text}");
    assert!(!text.contains(&hex(&plaintext[16..20])), "{text}");
    assert!(!text.contains("0, 1, 2, 3"), "{text}");
    assert!(!text.contains("[0, 1"), "{text}");
    let secret = Hsm::new(Seed(16)).decrypt(
        &Hsm::new(Seed(16)).encrypt(KEY_ID, 1, b"password123", &EncryptionContext::new()).unwrap(),
        &EncryptionContext::new(),
    );
    let shown = format!("{secret:?}");
    assert!(!shown.contains("password123") && !shown.contains(&hex(b"password123")), "{shown}");
}

#[test]
fn state_holds_no_key_bytes() {
    let hsm = Hsm::new(Seed(17));
    let json = serde_json::to_string(&hsm.state()).unwrap();
    assert_eq!(json, r#"{"seed":17,"counter":0}"#);
}

fn arbitrary_context() -> impl Strategy<Value = EncryptionContext> {
    prop::collection::btree_map(".{0,12}", ".{0,40}", 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn encrypt_then_decrypt_round_trips(
        seed in any::<u64>(),
        version in 1u32..,
        plaintext in prop::collection::vec(any::<u8>(), 1..=MAX_PLAINTEXT_LEN),
        ec in arbitrary_context(),
    ) {
        let mut hsm = Hsm::new(Seed(seed));
        let key_id = hsm.new_key_id();
        let blob = hsm.encrypt(&key_id, version, &plaintext, &ec).unwrap();
        prop_assert!(blob.len() <= MAX_CIPHERTEXT_LEN);
        prop_assert_eq!(Hsm::parse_header(&blob).unwrap(), CiphertextHeader { key_id: key_id.clone(), version });
        let decrypted = hsm.decrypt(&blob, &ec).unwrap();
        prop_assert_eq!(decrypted.plaintext.as_slice(), plaintext.as_slice());
        prop_assert_eq!(decrypted.key_id, key_id);
        prop_assert_eq!(decrypted.version, version);
    }

    #[test]
    fn a_different_context_never_decrypts(
        plaintext in prop::collection::vec(any::<u8>(), 1..64),
        ec in arbitrary_context(),
        other in arbitrary_context(),
    ) {
        prop_assume!(ec != other);
        let mut hsm = Hsm::new(Seed(1));
        let blob = hsm.encrypt(KEY_ID, 1, &plaintext, &ec).unwrap();
        prop_assert!(hsm.decrypt(&blob, &other).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(blob in prop::collection::vec(any::<u8>(), 0..200)) {
        let hsm = Hsm::new(Seed(1));
        prop_assert!(hsm.decrypt(&blob, &EncryptionContext::new()).is_err());
        let _ = Hsm::parse_header(&blob);
    }
}
