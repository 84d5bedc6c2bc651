//! Tamper tests: any change to a blob or to the encryption context gives the one opaque `InvalidCiphertext`.

use kmsim_kms::hsm::{EncryptionContext, Hsm, InvalidCiphertext, Seed, NONCE_LEN, TAG_LEN};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const PLAINTEXT: &[u8] = b"the launch codes are 0000";

fn context(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn original_context() -> EncryptionContext {
    context(&[("Department", "Finance"), ("Purpose", "payroll")])
}

/// An HSM, a blob of `PLAINTEXT` under `original_context()`, and the context.
#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn fixture() -> (Hsm, Vec<u8>, EncryptionContext) {
    let mut hsm = Hsm::new(Seed(2024));
    let blob = hsm.encrypt(KEY_ID, 3, PLAINTEXT, &original_context()).unwrap();
    (hsm, blob, original_context())
}

/// The byte ranges of the blob's fields.
fn header_fields() -> [(&'static str, std::ops::Range<usize>); 4] {
    let id_end = 2 + KEY_ID.len();
    [("format", 0..1), ("key id length", 1..2), ("key id", 2..id_end), ("version", id_end..id_end + 4)]
}

fn nonce_range() -> std::ops::Range<usize> {
    let start = 2 + KEY_ID.len() + 4;
    start..start + NONCE_LEN
}

#[expect(clippy::panic, reason = "a test helper: a panic fails the test")]
fn assert_rejected(hsm: &Hsm, blob: &[u8], ec: &EncryptionContext, what: &str) {
    match hsm.decrypt(blob, ec) {
        Err(InvalidCiphertext) => {}
        Ok(decrypted) => panic!("{what}: decrypted to {:?}", decrypted.plaintext.as_slice()),
    }
}

#[test]
fn the_untampered_fixture_decrypts() {
    let (hsm, blob, ec) = fixture();
    let decrypted = hsm.decrypt(&blob, &ec).unwrap();
    assert_eq!(decrypted.plaintext.as_slice(), PLAINTEXT);
    assert_eq!((decrypted.key_id.as_str(), decrypted.version), (KEY_ID, 3));
    assert_eq!(blob.len(), 2 + KEY_ID.len() + 4 + NONCE_LEN + PLAINTEXT.len() + TAG_LEN);
}

/// One test per region of the blob: flipping any single bit pattern of any byte in it must be rejected.
macro_rules! flip_tests {
    ($($name:ident => $range:expr;)*) => {$(
        #[test]
        fn $name() {
            let (hsm, blob, ec) = fixture();
            let range: std::ops::Range<usize> = $range(blob.len());
            assert!(!range.is_empty());
            for position in range {
                for mask in [0x01u8, 0x02, 0x10, 0x80, 0xff] {
                    let mut tampered = blob.clone();
                    tampered[position] ^= mask;
                    assert_rejected(&hsm, &tampered, &ec, &format!("byte {position} ^ {mask:#04x}"));
                }
            }
        }
    )*};
}

flip_tests! {
    flipping_the_format_byte_is_rejected => |_| header_fields()[0].1.clone();
    flipping_the_key_id_length_is_rejected => |_| header_fields()[1].1.clone();
    flipping_a_key_id_byte_is_rejected => |_| header_fields()[2].1.clone();
    flipping_a_version_byte_is_rejected => |_| header_fields()[3].1.clone();
    flipping_a_nonce_byte_is_rejected => |_| nonce_range();
    flipping_a_ciphertext_byte_is_rejected => |len: usize| nonce_range().end..len - TAG_LEN;
    flipping_a_tag_byte_is_rejected => |len: usize| len - TAG_LEN..len;
    flipping_any_byte_is_rejected => |len: usize| 0..len;
}

/// One test per way of changing a blob's length or splicing it.
macro_rules! blob_tests {
    ($($name:ident => |$blob:ident| $mutate:expr;)*) => {$(
        #[test]
        fn $name() {
            let (hsm, original, ec) = fixture();
            let variants: Vec<Vec<u8>> = { let $blob = original.clone(); $mutate };
            assert!(!variants.is_empty());
            for (i, variant) in variants.iter().enumerate() {
                assert_ne!(variant, &original);
                assert_rejected(&hsm, variant, &ec, &format!("{} #{i}", stringify!($name)));
            }
        }
    )*};
}

blob_tests! {
    every_truncation_is_rejected => |blob| (0..blob.len()).map(|n| blob[..n].to_vec()).collect();
    dropping_leading_bytes_is_rejected => |blob| (1..blob.len()).map(|n| blob[n..].to_vec()).collect();
    appending_bytes_is_rejected => |blob| [&[0u8][..], &[0xff], &[0; 16], &blob[..]]
        .iter()
        .map(|extra| [&blob[..], extra].concat())
        .collect();
    prepending_a_byte_is_rejected => |blob| vec![[&[1u8][..], &blob].concat(), [&[0u8][..], &blob].concat()];
    inserting_a_byte_in_the_body_is_rejected => |blob| (nonce_range().start..blob.len())
        .map(|at| [&blob[..at], &[0u8], &blob[at..]].concat())
        .collect();
    naming_another_key_of_the_same_length_is_rejected => |blob| {
        let other = "ffffffff-12ab-34cd-56ef-1234567890ab";
        vec![[&blob[..2], other.as_bytes(), &blob[2 + other.len()..]].concat()]
    };
    naming_another_version_is_rejected => |blob| [1u32, 2, 4, u32::MAX]
        .iter()
        .map(|v| {
            let at = header_fields()[3].1.clone();
            [&blob[..at.start], &v.to_be_bytes()[..], &blob[at.end..]].concat()
        })
        .collect();
    the_empty_blob_is_rejected => |blob| vec![Vec::new(), vec![1], vec![0; blob.len()]];
    a_blob_over_6144_bytes_is_rejected => |blob| vec![[&blob[..], &vec![0u8; 6144]].concat()];
}

/// One test per way of presenting a different encryption context.
macro_rules! context_tests {
    ($($name:ident => $ec:expr;)*) => {$(
        #[test]
        fn $name() {
            let (hsm, blob, original) = fixture();
            let changed: EncryptionContext = $ec;
            assert_ne!(changed, original);
            assert_rejected(&hsm, &blob, &changed, stringify!($name));
        }
    )*};
}

context_tests! {
    a_value_in_another_case_is_rejected => context(&[("Department", "finance"), ("Purpose", "payroll")]);
    a_key_in_another_case_is_rejected => context(&[("department", "Finance"), ("Purpose", "payroll")]);
    an_extra_pair_is_rejected => context(&[("Department", "Finance"), ("Purpose", "payroll"), ("x", "y")]);
    an_extra_empty_pair_is_rejected => context(&[("Department", "Finance"), ("Purpose", "payroll"), ("", "")]);
    a_missing_pair_is_rejected => context(&[("Department", "Finance")]);
    a_moved_key_value_boundary_is_rejected => context(&[("DepartmentF", "inance"), ("Purpose", "payroll")]);
    swapped_keys_and_values_are_rejected => context(&[("Finance", "Department"), ("payroll", "Purpose")]);
    values_swapped_between_keys_are_rejected => context(&[("Department", "payroll"), ("Purpose", "Finance")]);
    a_trailing_space_is_rejected => context(&[("Department", "Finance "), ("Purpose", "payroll")]);
    no_context_is_rejected => EncryptionContext::new();
}

#[test]
fn a_context_where_there_was_none_is_rejected() {
    let mut hsm = Hsm::new(Seed(2024));
    let blob = hsm.encrypt(KEY_ID, 1, PLAINTEXT, &EncryptionContext::new()).unwrap();
    assert_eq!(hsm.decrypt(&blob, &EncryptionContext::new()).unwrap().plaintext.as_slice(), PLAINTEXT);
    assert_rejected(&hsm, &blob, &context(&[("", "")]), "an empty pair");
    assert_rejected(&hsm, &blob, &original_context(), "the fixture's context");
}

#[test]
fn the_boundary_between_key_and_value_is_bound() {
    let mut hsm = Hsm::new(Seed(1));
    let blob = hsm.encrypt(KEY_ID, 1, PLAINTEXT, &context(&[("ab", "c")])).unwrap();
    assert!(hsm.decrypt(&blob, &context(&[("ab", "c")])).is_ok());
    assert_rejected(&hsm, &blob, &context(&[("a", "bc")]), "{a: bc}");
    assert_rejected(&hsm, &blob, &context(&[("abc", "")]), "{abc: ''}");
}

#[test]
fn another_seed_cannot_decrypt() {
    let (_, blob, ec) = fixture();
    assert_rejected(&Hsm::new(Seed(2025)), &blob, &ec, "another seed");
}

#[test]
fn the_error_says_nothing_about_the_cause() {
    let (hsm, blob, ec) = fixture();
    let mut bad_tag = blob.clone();
    *bad_tag.last_mut().unwrap() ^= 1;
    let errors = [
        hsm.decrypt(&blob[..3], &ec).unwrap_err(),
        hsm.decrypt(&bad_tag, &ec).unwrap_err(),
        hsm.decrypt(&blob, &EncryptionContext::new()).unwrap_err(),
    ];
    for error in errors {
        assert_eq!(error, InvalidCiphertext);
        assert_eq!(error.to_string(), "the ciphertext is invalid");
    }
}
