#![allow(clippy::unwrap_used, reason = "test helpers may panic")]
use kmsim_kms::*;
use serde_json::json;

fn world() -> World {
    let mut w = World::new(Seed(7));
    let acct = w.account_mut("111122223333");
    acct.users.insert(
        "admin".into(),
        User {
            policies: vec![NamedPolicy::parse(
                "admin",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
                kmsim_policy::PolicyType::Identity,
            )
            .unwrap()],
            ..Default::default()
        },
    );
    acct.roles.insert("App".into(), Role::default());
    w
}

fn call(w: &mut World, who: &str, op: &str, params: serde_json::Value) -> CallOutcome {
    let req = KmsRequest::from_parts(op, params).unwrap();
    w.call(&Caller::new(who), &req)
}

#[test]
fn create_encrypt_decrypt() {
    let mut w = world();
    let admin = "arn:aws:iam::111122223333:user/admin";
    let out = call(&mut w, admin, "CreateKey", json!({}));
    let key = out.response.unwrap()["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let enc = call(
        &mut w,
        admin,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": {"Text": "hello"}, "EncryptionContext": {"a": "b"}}),
    );
    let blob = enc.response.as_ref().unwrap()["CiphertextBlob"].as_str().unwrap().to_string();
    let dec = call(&mut w, admin, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}));
    assert_eq!(dec.response.as_ref().unwrap()["Plaintext"], json!("aGVsbG8="));
    let bad = call(&mut w, admin, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "B"}}));
    assert_eq!(bad.error_code(), Some(ErrorCode::InvalidCiphertextException));
    // The role has no IAM policy: the default key policy delegates to IAM, so it is denied.
    let denied = call(
        &mut w,
        "arn:aws:sts::111122223333:assumed-role/App/s1",
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(denied.error_code(), Some(ErrorCode::AccessDeniedException));
    let msg = &denied.response.as_ref().unwrap_err().message;
    assert!(msg.contains("because no identity-based policy allows the kms:Decrypt action"), "{msg}");
    // Disabled key
    call(&mut w, admin, "DisableKey", json!({"KeyId": key})).response.unwrap();
    let dis = call(&mut w, admin, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));
    assert_eq!(dis.error_code(), Some(ErrorCode::DisabledException));
    assert!(w.audit().len() >= 6);
    // Round trip through serde gives the same world behaviour.
    let text = serde_json::to_string(&w).unwrap();
    assert!(!text.contains("aGVsbG8="), "plaintext leaked into the world");
    let mut w2: World = serde_json::from_str(&text).unwrap();
    call(&mut w2, admin, "EnableKey", json!({"KeyId": key})).response.unwrap();
    let dec2 = call(&mut w2, admin, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}));
    assert_eq!(dec2.response.as_ref().unwrap()["Plaintext"], json!("aGVsbG8="));
}
