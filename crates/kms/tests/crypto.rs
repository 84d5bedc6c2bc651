//! Cryptographic operations: Encrypt/Decrypt/ReEncrypt, data keys, GenerateRandom, encryption context binding,
//! tampering, and the envelope pattern end to end.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::envelope::EnvelopeMessage;
use kmsim_kms::*;
use serde_json::json;

#[test]
fn encrypt_plaintext_sizes() {
    let mut w = world();
    let k = new_key(&mut w);
    for n in [1usize, 4096] {
        let p = b64(&vec![7u8; n]);
        let blob = ok(&mut w, ADMIN, "Encrypt", json!({"KeyId": k, "Plaintext": p}))["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(unb64(&blob).len() <= 6144);
        assert_eq!(ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}))["Plaintext"], p);
    }
    for n in [0usize, 4097] {
        let e = err(&mut w, ADMIN, "Encrypt", json!({"KeyId": k, "Plaintext": b64(&vec![7u8; n])}));
        assert_eq!(e.code, ErrorCode::ValidationException, "{n} bytes");
    }
    let e = err(
        &mut w,
        ADMIN,
        "Encrypt",
        json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
}

#[test]
fn decrypt_finds_the_key_and_rejects_another_key_id() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let k2 = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/one", "TargetKeyId": k1}));
    let blob = encrypt(&mut w, ADMIN, &k1, "hello", json!({}));
    let d = ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(d["KeyId"], k1.as_str());
    assert_eq!(d["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    for named in [k1.clone(), key_id_of(&k1), "alias/one".to_string()] {
        ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "KeyId": named}));
    }
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "KeyId": k2}));
    assert_eq!(e.code, ErrorCode::IncorrectKeyException);
    assert_eq!(e.message, "The key ID in the request does not identify a CMK that can perform this operation.");
}

#[test]
fn encryption_context_must_match_exactly_and_failures_are_opaque() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({"tenant": "t1", "path": "/a"}));
    // Order does not matter.
    ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"path": "/a", "tenant": "t1"}}));
    for ec in [
        json!(null),
        json!({}),
        json!({"tenant": "t1"}),
        json!({"tenant": "T1", "path": "/a"}),
        json!({"Tenant": "t1", "path": "/a"}),
        json!({"tenant": "t1", "path": "/a", "extra": "x"}),
    ] {
        let out = call(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": ec}));
        let e = out.response.unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidCiphertextException, ""), "{ec}");
    }
    // A context where there was none.
    let plain = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": plain, "EncryptionContext": {"a": "b"}}));
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidCiphertextException, ""));
}

#[test]
fn tampering_anywhere_gives_invalid_ciphertext_with_an_empty_message() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = unb64(&encrypt(&mut w, ADMIN, &k, "tamper me", json!({"a": "b"})));
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..blob.len() {
        let mut t = blob.clone();
        t[i] ^= 0x01;
        let out = call(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": b64(&t), "EncryptionContext": {"a": "b"}}));
        let e = out.response.unwrap_err();
        // Flipping a bit of the key id names a key that does not exist: that is a lookup failure, not a crypto one.
        if e.code != ErrorCode::InvalidCiphertextException {
            assert_eq!(e.code, ErrorCode::AccessDeniedException, "byte {i}: {e}");
        } else {
            assert_eq!(e.message, "", "byte {i}");
        }
        codes.insert(e.code);
    }
    assert!(codes.contains(&ErrorCode::InvalidCiphertextException));
    // An empty blob breaks the model's CiphertextType (length 1 to 6144) before any key is looked at.
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": "", "EncryptionContext": {"a": "b"}}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert_eq!(e.message, "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1");
    for bad in [vec![1u8], blob[..blob.len() - 1].to_vec(), [blob.clone(), vec![0]].concat()] {
        let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": b64(&bad), "EncryptionContext": {"a": "b"}}));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidCiphertextException, ""));
    }
}

#[test]
fn a_ciphertext_naming_a_future_key_version_is_invalid() {
    let mut w = world();
    let k = new_key(&mut w);
    let mut blob = unb64(&encrypt(&mut w, ADMIN, &k, "x", json!({})));
    let id_len = blob[1] as usize;
    let v = 2 + id_len + 3;
    blob[v] = 9;
    let out = call(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": b64(&blob)}));
    assert_eq!(out.error_code(), Some(ErrorCode::InvalidCiphertextException));
}

#[test]
fn re_encrypt_authorizes_both_keys_separately() {
    let mut w = world();
    let src = new_key(&mut w);
    let dst = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &src, "move me", json!({"a": "1"}));
    let out = call(
        &mut w,
        ADMIN,
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": dst,
        "SourceEncryptionContext": {"a": "1"}, "DestinationEncryptionContext": {"b": "2"}}),
    );
    let r = out.response.as_ref().unwrap();
    assert_eq!(r["SourceKeyId"], src.as_str());
    assert_eq!(r["KeyId"], dst.as_str());
    assert_eq!(out.trace.authorizations.len(), 2);
    assert_eq!(out.trace.authorizations[0].action, "kms:ReEncryptFrom");
    assert_eq!(out.trace.authorizations[0].resource, src);
    assert_eq!(out.trace.authorizations[1].action, "kms:ReEncryptTo");
    assert_eq!(out.trace.authorizations[1].resource, dst);
    let new = r["CiphertextBlob"].as_str().unwrap().to_string();
    let d = ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": new, "EncryptionContext": {"b": "2"}}));
    assert_eq!(
        (d["KeyId"].as_str().unwrap(), d["Plaintext"].as_str().unwrap()),
        (dst.as_str(), b64(b"move me").as_str())
    );
    // Wrong source context.
    let e = err(&mut w, ADMIN, "ReEncrypt", json!({"CiphertextBlob": blob, "DestinationKeyId": dst}));
    assert_eq!(e.code, ErrorCode::InvalidCiphertextException);
    // bob may ReEncryptFrom the source (key policy) but not ReEncryptTo the destination.
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:ReEncrypt*", "Resource": "*"}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": src, "Policy": p}));
    let out = call(
        &mut w,
        BOB,
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": dst, "SourceEncryptionContext": {"a": "1"}}),
    );
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    assert_eq!(out.trace.authorizations.len(), 2);
    assert!(out.trace.authorizations[0].allowed());
    assert!(!out.trace.authorizations[1].allowed());
    assert!(out.response.unwrap_err().message.contains("kms:ReEncryptTo"));
    // kms:ReEncryptOnSameKey is in the context.
    let same = call(
        &mut w,
        BOB,
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": src, "SourceEncryptionContext": {"a": "1"}}),
    );
    same.response.unwrap();
    let ctx = serde_json::to_value(&same.trace.authorizations[0].context).unwrap().to_string();
    assert!(ctx.contains("kms:ReEncryptOnSameKey"), "{ctx}");
}

#[test]
fn generate_data_key_parameters() {
    let mut w = world();
    let k = new_key(&mut w);
    for (params, len) in [
        (json!({"KeySpec": "AES_256"}), 32usize),
        (json!({"KeySpec": "AES_128"}), 16),
        (json!({"NumberOfBytes": 1}), 1),
        (json!({"NumberOfBytes": 1024}), 1024),
    ] {
        let mut p = params.clone();
        p["KeyId"] = json!(k);
        let r = ok(&mut w, ADMIN, "GenerateDataKey", p.clone());
        let dk = unb64(r["Plaintext"].as_str().unwrap());
        assert_eq!(dk.len(), len, "{params}");
        let d = ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": r["CiphertextBlob"]}));
        assert_eq!(unb64(d["Plaintext"].as_str().unwrap()), dk);
        let r = ok(&mut w, ADMIN, "GenerateDataKeyWithoutPlaintext", p);
        assert!(r.get("Plaintext").is_none());
        let d = ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": r["CiphertextBlob"]}));
        assert_eq!(unb64(d["Plaintext"].as_str().unwrap()).len(), len);
    }
    for params in [
        json!({}),
        json!({"KeySpec": "AES_256", "NumberOfBytes": 32}),
        json!({"NumberOfBytes": 0}),
        json!({"NumberOfBytes": 1025}),
        json!({"KeySpec": "AES_512"}),
    ] {
        let mut p = params.clone();
        p["KeyId"] = json!(k);
        let e = err(&mut w, ADMIN, "GenerateDataKey", p);
        assert_eq!(e.code, ErrorCode::ValidationException, "{params}");
    }
}

#[test]
fn generate_random() {
    let mut w = world();
    let a = ok(&mut w, ADMIN, "GenerateRandom", json!({"NumberOfBytes": 1024}));
    assert_eq!(unb64(a["Plaintext"].as_str().unwrap()).len(), 1024);
    let b = ok(&mut w, ADMIN, "GenerateRandom", json!({"NumberOfBytes": 1}));
    assert_eq!(unb64(b["Plaintext"].as_str().unwrap()).len(), 1);
    for n in [0, 1025] {
        assert_eq!(
            err(&mut w, ADMIN, "GenerateRandom", json!({"NumberOfBytes": n})).code,
            ErrorCode::ValidationException
        );
    }
    // IAM-only: alice has no identity policy.
    let out = call(&mut w, ALICE, "GenerateRandom", json!({"NumberOfBytes": 8}));
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    assert_eq!(out.trace.authorizations[0].rule, kmsim_kms::trace::CombiningRule::IdentityOnly);
}

#[test]
fn dry_run_answers_dry_run_operation_exception_only_when_the_call_would_succeed() {
    let mut w = world();
    let k = new_key(&mut w);
    let e = err(&mut w, ADMIN, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}, "DryRun": true}));
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    let e = err(&mut w, ALICE, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}, "DryRun": true}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"], "DryRun": true}),
    );
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    assert!(w.grants(&k).unwrap().is_empty());
}

#[test]
fn envelope_encryption_end_to_end() {
    let mut w = world();
    let k = new_key(&mut w);
    let r = ok(
        &mut w,
        ADMIN,
        "GenerateDataKey",
        json!({"KeyId": k, "KeySpec": "AES_256", "EncryptionContext": {"file": "a.txt"}}),
    );
    let data_key = unb64(r["Plaintext"].as_str().unwrap());
    let edk = unb64(r["CiphertextBlob"].as_str().unwrap());
    let nonce = [3u8; 12];
    let msg = EnvelopeMessage::seal(edk, &data_key, nonce, b"a large file, encrypted locally", b"aad").unwrap();
    // Later: decrypt the data key with KMS, then open the data locally.
    let d = ok(
        &mut w,
        ADMIN,
        "Decrypt",
        json!({"CiphertextBlob": b64(&msg.encrypted_data_key), "EncryptionContext": {"file": "a.txt"}}),
    );
    let dk2 = unb64(d["Plaintext"].as_str().unwrap());
    assert_eq!(dk2, data_key);
    assert_eq!(&msg.open(&dk2, b"aad").unwrap()[..], b"a large file, encrypted locally");
    assert!(msg.open(&dk2, b"other").is_err());
    // Without the key policy's permission the data key cannot be recovered.
    let e = err(
        &mut w,
        ALICE,
        "Decrypt",
        json!({"CiphertextBlob": b64(&msg.encrypted_data_key), "EncryptionContext": {"file": "a.txt"}}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn asymmetric_and_hmac_keys_cannot_do_symmetric_crypto() {
    let mut w = world();
    let sign = key_with(&mut w, ADMIN, json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}));
    let e = err(&mut w, ADMIN, "Encrypt", json!({"KeyId": sign, "Plaintext": {"Text": "x"}}));
    assert_eq!(
        (e.code, e.message),
        (
            ErrorCode::InvalidKeyUsageException,
            format!("{sign} key usage is SIGN_VERIFY which is not valid for Encrypt.")
        )
    );
    let e = err(&mut w, ADMIN, "GenerateDataKey", json!({"KeyId": sign, "KeySpec": "AES_256"}));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
}
