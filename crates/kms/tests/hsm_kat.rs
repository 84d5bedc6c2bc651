//! Known-answer tests: published AES-GCM vectors through the primitive the HSM and the envelope use, and fixed
//! outputs for a fixed seed, so that any change to the ciphertext format or a derivation is caught.
//!
//! The fixed-seed answers below were computed by the Rust code and reproduced independently, byte for byte, by this
//! Python script (using the `cryptography` package) written from the specification in the `hsm` module docs:
//!
//! ```python
//! import struct, uuid
//! from cryptography.hazmat.primitives.kdf.hkdf import HKDF
//! from cryptography.hazmat.primitives import hashes
//! from cryptography.hazmat.primitives.ciphers.aead import AESGCM
//! def hkdf(salt, ikm, info):
//!     return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)
//! master = hkdf(b"kmsim/hsm/v1", struct.pack(">Q", 42), b"master")
//! def drbg(label, c): return hkdf(b"kmsim/drbg", master, label + b"\0" + struct.pack(">Q", c))
//! b = bytearray(drbg(b"key-id", 0)[:16]); b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80
//! key_id = str(uuid.UUID(bytes=bytes(b)))
//! nonce = drbg(b"nonce", 1)[:12]
//! header = bytes([1, len(key_id)]) + key_id.encode() + struct.pack(">I", 1) + nonce
//! ec = struct.pack(">II", 1, 7) + b"purpose" + struct.pack(">I", 3) + b"kat"
//! bk = hkdf(b"kmsim/backing-key", master, key_id.encode() + b"\0" + struct.pack(">I", 1))
//! dek = hkdf(nonce, bk, b"kmsim/encrypt")
//! print(key_id, (header + AESGCM(dek).encrypt(nonce, b"Hello, KMS!", header + ec)).hex())
//! ```

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use hkdf::Hkdf;
use kmsim_kms::envelope;
use kmsim_kms::hsm::{encode_encryption_context, EncryptionContext, Hsm, HsmState, Seed};
use sha2::Sha256;

#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn context(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Test Case 16 of McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", revised submission to NIST
/// (2005), appendix B: AES-256, 96-bit IV, 60-byte plaintext, 20-byte AAD.
const TC16_KEY: &str = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const TC_IV: &str = "cafebabefacedbaddecaf888";
const TC_PLAINTEXT: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                            1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const TC_AAD: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const TC16_CIPHERTEXT: &str = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                               8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
const TC16_TAG: &str = "76fc6ece0f4e1768cddf8853bb2d551b";
/// Test Case 4 of the same paper: the AES-128 counterpart of Test Case 16.
const TC4_KEY: &str = "feffe9928665731c6d6a8f9467308308";
const TC4_CIPHERTEXT: &str = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
                              21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
const TC4_TAG: &str = "5bc94fbc3221a5db94fae95ae7121a47";

#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn iv() -> [u8; 12] {
    unhex(TC_IV).try_into().unwrap()
}

#[test]
fn aes_256_gcm_matches_mcgrew_viega_test_case_16() {
    let sealed = envelope::seal(&unhex(TC16_KEY), &unhex(TC_PLAINTEXT), iv(), &unhex(TC_AAD)).unwrap();
    assert_eq!(hex(&sealed), format!("{TC16_CIPHERTEXT}{TC16_TAG}"));
    let opened = envelope::open(&unhex(TC16_KEY), &sealed, iv(), &unhex(TC_AAD)).unwrap();
    assert_eq!(hex(&opened), TC_PLAINTEXT);
}

#[test]
fn aes_128_gcm_matches_mcgrew_viega_test_case_4() {
    let sealed = envelope::seal(&unhex(TC4_KEY), &unhex(TC_PLAINTEXT), iv(), &unhex(TC_AAD)).unwrap();
    assert_eq!(hex(&sealed), format!("{TC4_CIPHERTEXT}{TC4_TAG}"));
    let opened = envelope::open(&unhex(TC4_KEY), &sealed, iv(), &unhex(TC_AAD)).unwrap();
    assert_eq!(hex(&opened), TC_PLAINTEXT);
}

const SEED: u64 = 42;
const KAT_KEY_ID: &str = "2975b836-66fa-4593-90d6-e421d777b48f";
const KAT_PLAINTEXT: &[u8] = b"Hello, KMS!";
const KAT_BLOB: &str = "012432393735623833362d363666612d343539332d393064362d653432316437373762343866\
                        0000000103e662c8e230bb2443c3cce4b74f67275085060eae223415f20520e77afcb870e8743c9a496db0";
const KAT_GRANT_ID: &str = "85fd3ea42d4a939987a6718121f7c35c47c69705a1ef0cf97dd435ce819cfbda";

#[test]
fn a_fixed_seed_gives_a_fixed_key_id_and_ciphertext() {
    let mut hsm = Hsm::new(Seed(SEED));
    let key_id = hsm.new_key_id();
    assert_eq!(key_id, KAT_KEY_ID);
    let blob = hsm.encrypt(&key_id, 1, KAT_PLAINTEXT, &context(&[("purpose", "kat")])).unwrap();
    assert_eq!(hex(&blob), KAT_BLOB);
    assert_eq!(hsm.state(), HsmState { seed: Seed(SEED), counter: 2 });
    assert_eq!(hsm.new_grant_id(), KAT_GRANT_ID);
}

#[test]
fn a_hard_coded_blob_still_decrypts() {
    let hsm = Hsm::new(Seed(SEED));
    let decrypted = hsm.decrypt(&unhex(KAT_BLOB), &context(&[("purpose", "kat")])).unwrap();
    assert_eq!(decrypted.key_id, KAT_KEY_ID);
    assert_eq!(decrypted.version, 1);
    assert_eq!(decrypted.plaintext.as_slice(), KAT_PLAINTEXT);
    assert!(Hsm::new(Seed(SEED + 1)).decrypt(&unhex(KAT_BLOB), &context(&[("purpose", "kat")])).is_err());
}

/// Decrypts the hard-coded blob with the derivations written out from the module docs, not through the HSM.
#[test]
fn the_documented_derivation_decrypts_the_blob() {
    fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
        let mut out = [0; 32];
        Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, &mut out).unwrap();
        out
    }
    let blob = unhex(KAT_BLOB);
    let id_len = usize::from(blob[1]);
    let key_id = std::str::from_utf8(&blob[2..2 + id_len]).unwrap();
    let version = u32::from_be_bytes(blob[2 + id_len..6 + id_len].try_into().unwrap());
    let nonce: [u8; 12] = blob[6 + id_len..18 + id_len].try_into().unwrap();
    let (header, sealed) = blob.split_at(18 + id_len);

    let master = hkdf32(b"kmsim/hsm/v1", &SEED.to_be_bytes(), b"master");
    let info = [key_id.as_bytes(), &[0], &version.to_be_bytes()].concat();
    let backing = hkdf32(b"kmsim/backing-key", &master, &info);
    let dek = hkdf32(&nonce, &backing, b"kmsim/encrypt");
    let aad = [header, &encode_encryption_context(&context(&[("purpose", "kat")])).unwrap()].concat();
    let plaintext = Aes256Gcm::new(&dek.into()).decrypt(&nonce.into(), Payload { msg: sealed, aad: &aad }).unwrap();
    assert_eq!(blob[0], 0x01);
    assert_eq!(key_id, KAT_KEY_ID);
    assert_eq!(plaintext, KAT_PLAINTEXT);
}

#[test]
fn canonical_context_encoding_is_length_prefixed() {
    assert_eq!(hex(&encode_encryption_context(&EncryptionContext::new()).unwrap()), "00000000");
    let ab_c = encode_encryption_context(&context(&[("ab", "c")])).unwrap();
    let a_bc = encode_encryption_context(&context(&[("a", "bc")])).unwrap();
    assert_eq!(hex(&ab_c), "00000001".to_owned() + "00000002" + "6162" + "00000001" + "63");
    assert_eq!(hex(&a_bc), "00000001".to_owned() + "00000001" + "61" + "00000002" + "6263");
    assert_ne!(ab_c, a_bc);
    // Pairs are sorted by key bytes whatever the insertion order: "B" (0x42) sorts before "a" (0x61).
    let sorted = encode_encryption_context(&context(&[("a", ""), ("B", "x")])).unwrap();
    assert_eq!(
        hex(&sorted),
        "00000002".to_owned() + "00000001" + "42" + "00000001" + "78" + "00000001" + "61" + "00000000"
    );
}
