//! Client-side envelope encryption with a data key from the HSM.

use kmsim_kms::envelope::{self, EnvelopeError, EnvelopeMessage};
use kmsim_kms::hsm::{encode_encryption_context, EncryptionContext, Hsm, Seed};
use proptest::prelude::*;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

#[test]
fn generate_data_key_then_seal_then_decrypt_then_open() {
    let mut hsm = Hsm::new(Seed(8));
    let ec: EncryptionContext = [("bucket".to_string(), "reports".to_string())].into_iter().collect();
    // GenerateDataKey: a random data key, returned in plaintext and encrypted under the KMS key.
    let data_key = hsm.random_bytes(32);
    let encrypted_data_key = hsm.encrypt(KEY_ID, 1, &data_key, &ec).unwrap();
    let aad = encode_encryption_context(&ec).unwrap();
    let document = vec![0x42; 100_000];
    let message = EnvelopeMessage::seal(encrypted_data_key, &data_key, hsm.new_nonce(), &document, &aad).unwrap();
    drop(data_key);

    let json = serde_json::to_string(&message).unwrap();
    let stored: EnvelopeMessage = serde_json::from_str(&json).unwrap();
    assert_eq!(stored, message);

    // Later: Decrypt the encrypted data key, then open the message locally.
    let recovered = hsm.decrypt(&stored.encrypted_data_key, &ec).unwrap();
    assert_eq!(recovered.key_id, KEY_ID);
    assert_eq!(stored.open(&recovered.plaintext, &aad).unwrap().as_slice(), document.as_slice());
    assert_eq!(stored.open(&recovered.plaintext, b"other aad"), Err(EnvelopeError::Open));
}

#[test]
fn message_json_uses_base64_fields() {
    let message = EnvelopeMessage::seal(vec![1, 2, 3], &[0; 16], [0xff; 12], b"hi", b"").unwrap();
    let json: serde_json::Value = serde_json::to_value(&message).unwrap();
    assert_eq!(json["encrypted_data_key"], "AQID");
    assert_eq!(json["nonce"], "////////////////");
    assert_eq!(json["ciphertext"].as_str().unwrap().len(), 24); // 2 + 16 bytes
    let bad_nonce = r#"{"encrypted_data_key":"AQID","nonce":"AAAA","ciphertext":""}"#;
    let error = serde_json::from_str::<EnvelopeMessage>(bad_nonce).unwrap_err().to_string();
    assert!(error.contains("a nonce must be 12 bytes, not 3"), "{error}");
    let bad_base64 = r#"{"encrypted_data_key":"!!","nonce":"////////////////","ciphertext":""}"#;
    assert!(serde_json::from_str::<EnvelopeMessage>(bad_base64).unwrap_err().to_string().contains("invalid base64"));
}

#[test]
fn the_message_binds_its_encrypted_data_key() {
    let key = [7; 32];
    let message = EnvelopeMessage::seal(vec![1, 2, 3], &key, [0; 12], b"data", b"aad").unwrap();
    let mut swapped = message.clone();
    swapped.encrypted_data_key = vec![1, 2, 4];
    assert_eq!(swapped.open(&key, b"aad"), Err(EnvelopeError::Open));
    assert_eq!(message.open(&key, b"aad").unwrap().as_slice(), b"data");
}

#[test]
fn only_16_and_32_byte_keys_are_accepted() {
    for len in [0, 1, 15, 17, 24, 31, 33, 64] {
        assert_eq!(envelope::seal(&vec![0; len], b"x", [0; 12], b""), Err(EnvelopeError::DataKeyLength { len }));
        assert_eq!(envelope::open(&vec![0; len], &[0; 17], [0; 12], b""), Err(EnvelopeError::DataKeyLength { len }));
    }
    assert_eq!(EnvelopeError::DataKeyLength { len: 5 }.to_string(), "a data key must be 16 or 32 bytes long, not 5");
}

#[test]
fn aes_128_and_aes_256_differ() {
    let a = envelope::seal(&[1; 16], b"same", [0; 12], b"").unwrap();
    let b = envelope::seal(&[1; 32], b"same", [0; 12], b"").unwrap();
    assert_ne!(a, b);
    assert_eq!(envelope::open(&[1; 32], &a, [0; 12], b""), Err(EnvelopeError::Open));
}

/// Tamper tests over every byte of a sealed message, for both key sizes.
macro_rules! envelope_tamper_tests {
    ($($name:ident => $key_len:expr;)*) => {$(
        #[test]
        fn $name() {
            let key = vec![9u8; $key_len];
            let nonce = [3; 12];
            let sealed = envelope::seal(&key, b"attack at dawn", nonce, b"header").unwrap();
            assert_eq!(envelope::open(&key, &sealed, nonce, b"header").unwrap().as_slice(), b"attack at dawn");
            for i in 0..sealed.len() {
                let mut bad = sealed.clone();
                bad[i] ^= 0x01;
                assert_eq!(envelope::open(&key, &bad, nonce, b"header"), Err(EnvelopeError::Open), "byte {i}");
            }
            for n in 0..sealed.len() {
                assert_eq!(envelope::open(&key, &sealed[..n], nonce, b"header"), Err(EnvelopeError::Open));
            }
            let mut other_nonce = nonce;
            other_nonce[11] ^= 1;
            assert_eq!(envelope::open(&key, &sealed, other_nonce, b"header"), Err(EnvelopeError::Open));
            assert_eq!(envelope::open(&key, &sealed, nonce, b"Header"), Err(EnvelopeError::Open));
            let mut other_key = key.clone();
            other_key[0] ^= 1;
            assert_eq!(envelope::open(&other_key, &sealed, nonce, b"header"), Err(EnvelopeError::Open));
        }
    )*};
}

envelope_tamper_tests! {
    aes_128_gcm_rejects_tampering => 16;
    aes_256_gcm_rejects_tampering => 32;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seal_then_open_round_trips(
        wide in any::<bool>(),
        key_byte in any::<u8>(),
        nonce in any::<[u8; 12]>(),
        plaintext in prop::collection::vec(any::<u8>(), 0..5000),
        aad in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let key = vec![key_byte; if wide { 32 } else { 16 }];
        let sealed = envelope::seal(&key, &plaintext, nonce, &aad).unwrap();
        prop_assert_eq!(sealed.len(), plaintext.len() + 16);
        let opened = envelope::open(&key, &sealed, nonce, &aad).unwrap();
        prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
    }
}
