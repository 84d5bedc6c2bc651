//! Every request member of botocore's model is accepted by each implemented operation, and each is honoured or
//! answered as AWS would for what the simulator does not model (custom key stores, attestation, service-principal
//! grants, Resource Access Manager): pagination on every list operation with the documented defaults, DryRun with
//! IGNORE_CIPHERTEXT, CustomerMasterKeySpec, the either-or grantee and retiring principals.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::model::{self, Kind, Shape};
use kmsim_kms::*;
use serde_json::{json, Value as Json};

/// A value of a shape that satisfies its constraints.
fn sample(s: &Shape) -> Json {
    match s.kind {
        Kind::String => match (s.values.first(), s.pattern) {
            (Some(v), _) => json!(v),
            (None, Some(p)) if p.starts_with("^arn:") => json!("arn:aws:s3:::111122223333:bucket"),
            (None, Some(p)) if p.contains(r"\.") && p.contains("A-Za-z") => json!("s3.amazonaws.com"),
            _ => json!("x".repeat(usize::try_from(s.min.unwrap_or(1).max(1)).unwrap())),
        },
        Kind::Blob => json!(b64(b"x")),
        Kind::Integer => json!(s.min.unwrap_or(1)),
        Kind::Boolean => json!(false),
        Kind::Timestamp => json!(0),
        Kind::List => json!([sample(model::shape(s.item.unwrap()).unwrap())]),
        Kind::Map => json!({"k": "v"}),
        Kind::Structure => {
            let mut m = serde_json::Map::new();
            for f in s.fields {
                m.insert(f.name.to_string(), sample(model::shape(f.shape).unwrap()));
            }
            Json::Object(m)
        }
    }
}

#[test]
fn every_member_of_the_model_is_accepted_by_every_implemented_operation() {
    let mut checked = 0;
    for name in OPERATIONS {
        let op = model::operation(name).unwrap_or_else(|| panic!("{name} is not in botocore's model"));
        let params = sample(model::shape(op.input.unwrap()).unwrap());
        checked += params.as_object().unwrap().len();
        // The request type takes every member (a member it lacked would be an unknown field).
        let req = KmsRequest::from_parts(name, params.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        // And writes each back: none is dropped on the way.
        let back = serde_json::to_value(&req).unwrap()["Params"].clone();
        for member in params.as_object().unwrap().keys() {
            assert!(back.get(member).is_some(), "{name}.{member} is dropped");
        }
    }
    assert!(checked >= 123, "{checked} members");
}

#[test]
fn no_implemented_operation_has_a_member_the_model_lacks() {
    for name in OPERATIONS {
        let op = model::operation(name).unwrap();
        let mut params = sample(model::shape(op.input.unwrap()).unwrap());
        params["NotAMember"] = json!(1);
        let e = KmsRequest::from_parts(name, params).unwrap_err();
        assert!(e.message.contains("NotAMember"), "{name}: {e}");
    }
}

fn unsupported(w: &mut World, op: &str, params: Json, what: &str) {
    let e = err(w, ADMIN, op, params);
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException, "{op}: {e}");
    assert!(e.message.starts_with("kmsim does not simulate ") && e.message.contains(what), "{op}: {e}");
}

#[test]
fn what_the_simulator_does_not_model_is_refused_in_words_that_say_so() {
    let mut w = world();
    let k = new_key(&mut w);
    unsupported(&mut w, "CreateKey", json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}), "custom key stores");
    unsupported(&mut w, "CreateKey", json!({"Origin": "AWS_CLOUDHSM"}), "custom key stores (Origin AWS_CLOUDHSM)");
    unsupported(&mut w, "CreateKey", json!({"Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "abc"}), "`XksKeyId`");
    unsupported(
        &mut w,
        "GenerateRandom",
        json!({"NumberOfBytes": 8, "CustomKeyStoreId": "cks-1"}),
        "custom key stores",
    );
    let recipient = json!({"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b64(b"doc")});
    unsupported(&mut w, "GenerateRandom", json!({"NumberOfBytes": 8, "Recipient": recipient}), "attestation");
    unsupported(
        &mut w,
        "GenerateDataKey",
        json!({"KeyId": k, "KeySpec": "AES_256", "Recipient": recipient}),
        "attestation",
    );
    let ct = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    unsupported(&mut w, "Decrypt", json!({"CiphertextBlob": ct, "Recipient": recipient}), "attestation");
    let grant =
        json!({"KeyId": k, "Operations": ["Decrypt"], "GranteeServicePrincipal": "logs.us-east-1.amazonaws.com"});
    unsupported(&mut w, "CreateGrant", grant, "AWS service principals (`GranteeServicePrincipal`)");
    let grant = json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE, "RetiringServicePrincipal": "logs.us-east-1.amazonaws.com"});
    unsupported(&mut w, "CreateGrant", grant, "`RetiringServicePrincipal`");
    let grant = json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE, "Constraints": {"SourceArn": "arn:aws:logs:us-east-1:111122223333:log-group:x"}});
    unsupported(&mut w, "CreateGrant", grant, "`SourceArn`");
    let grant = json!({"KeyId": k, "Operations": ["Encapsulate"], "GranteePrincipal": ALICE});
    unsupported(&mut w, "CreateGrant", grant, "grants for the Encapsulate operation");
    // Nothing was created on the way.
    assert_eq!(ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": k}))["Grants"], json!([]));
}

#[test]
fn grantee_and_retiring_principals_are_either_or() {
    let mut w = world();
    let k = new_key(&mut w);
    let e = err(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k, "Operations": ["Decrypt"]}));
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::ValidationException, "You must specify either GranteePrincipal or GranteeServicePrincipal.")
    );
    let both = json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE, "GranteeServicePrincipal": "logs.us-east-1.amazonaws.com"});
    assert!(err(&mut w, ADMIN, "CreateGrant", both).message.ends_with("but not both."));
    let e = err(&mut w, ADMIN, "ListRetirableGrants", json!({}));
    assert_eq!(e.message, "You must specify either RetiringPrincipal or RetiringServicePrincipal.");
    ok(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE, "RetiringPrincipal": BOB}),
    );
    let mine = ok(&mut w, ADMIN, "ListRetirableGrants", json!({"RetiringPrincipal": BOB}));
    assert_eq!(mine["Grants"].as_array().unwrap().len(), 1);
    // No grant has a service principal (CreateGrant refuses them): those filters match none.
    let svc =
        ok(&mut w, ADMIN, "ListRetirableGrants", json!({"RetiringServicePrincipal": "logs.us-east-1.amazonaws.com"}));
    assert_eq!(svc["Grants"], json!([]));
    let svc =
        ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": k, "GranteeServicePrincipal": "logs.us-east-1.amazonaws.com"}));
    assert_eq!((svc["Grants"].clone(), svc["Truncated"].clone()), (json!([]), json!(false)));
}

#[test]
fn customer_master_key_spec_is_key_spec_by_its_old_name() {
    let mut w = world();
    let m =
        ok(&mut w, ADMIN, "CreateKey", json!({"CustomerMasterKeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    assert_eq!(m["KeyMetadata"]["KeySpec"], "HMAC_256");
    let same = json!({"KeySpec": "HMAC_256", "CustomerMasterKeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"});
    ok(&mut w, ADMIN, "CreateKey", same);
    let differ = json!({"KeySpec": "HMAC_384", "CustomerMasterKeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"});
    assert_eq!(err(&mut w, ADMIN, "CreateKey", differ).code, ErrorCode::ValidationException);
}

#[test]
fn dry_run_with_ignore_ciphertext_checks_authorization_through_the_key_id() {
    let mut w = world();
    w.account_mut(A).users.insert("alice".into(), User::default());
    let k = new_key(&mut w);
    let probe = json!({"KeyId": k, "DryRun": true, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]});
    assert_eq!(err(&mut w, ADMIN, "Decrypt", probe.clone()).code, ErrorCode::DryRunOperationException);
    assert_eq!(err(&mut w, ALICE, "Decrypt", probe).code, ErrorCode::AccessDeniedException);
    let reenc =
        json!({"SourceKeyId": k, "DestinationKeyId": k, "DryRun": true, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]});
    assert_eq!(err(&mut w, ADMIN, "ReEncrypt", reenc).code, ErrorCode::DryRunOperationException);
    // Without the modifier (or without DryRun) the ciphertext is required.
    let e = err(&mut w, ADMIN, "Decrypt", json!({"KeyId": k, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}));
    assert_eq!(e.message, "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    let e = err(&mut w, ADMIN, "Decrypt", json!({"DryRun": true, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
}

#[test]
fn re_encrypt_algorithms_are_checked_like_decrypts() {
    let mut w = world();
    let k = new_key(&mut w);
    let ct = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    let p = json!({"CiphertextBlob": ct, "DestinationKeyId": k, "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"});
    ok(&mut w, ADMIN, "ReEncrypt", p);
    let p =
        json!({"CiphertextBlob": ct, "DestinationKeyId": k, "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256"});
    assert_eq!(err(&mut w, ADMIN, "ReEncrypt", p).code, ErrorCode::InvalidKeyUsageException);
}

/// Every page of a list operation, following NextMarker.
fn pages(w: &mut World, op: &str, mut params: Json, field: &str) -> Vec<usize> {
    let mut sizes = Vec::new();
    loop {
        let out = ok(w, ADMIN, op, params.clone());
        sizes.push(out[field].as_array().unwrap().len());
        if out["Truncated"] == json!(true) {
            params["Marker"] = out["NextMarker"].clone();
        } else {
            assert!(out.get("NextMarker").is_none(), "{op}: a last page has no NextMarker");
            return sizes;
        }
    }
}

#[test]
fn every_list_operation_pages_with_the_documented_default() {
    let mut w = world();
    let k = new_key(&mut w);
    let k2 = new_key(&mut w);
    for i in 0..30 {
        ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": format!("alias/a{i:02}"), "TargetKeyId": k}));
        ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": format!("alias/b{i:02}"), "TargetKeyId": k2}));
    }
    // ListAliases: 50 by default.
    let first = ok(&mut w, ADMIN, "ListAliases", json!({}));
    assert_eq!((first["Aliases"].as_array().unwrap().len(), first["Truncated"].clone()), (50, json!(true)));
    assert_eq!(pages(&mut w, "ListAliases", json!({"KeyId": k, "Limit": 20}), "Aliases"), vec![20, 10]);
    let tags: Vec<_> = (0..50).map(|i| json!({"TagKey": format!("t{i:02}"), "TagValue": "v"})).collect();
    ok(&mut w, ADMIN, "TagResource", json!({"KeyId": k, "Tags": tags}));
    assert_eq!(pages(&mut w, "ListResourceTags", json!({"KeyId": k}), "Tags"), vec![50]);
    assert_eq!(pages(&mut w, "ListResourceTags", json!({"KeyId": k, "Limit": 20}), "Tags"), vec![20, 20, 10]);
    assert_eq!(pages(&mut w, "ListKeyPolicies", json!({"KeyId": k, "Limit": 1}), "PolicyNames"), vec![1]);
    for _ in 0..3 {
        ok(&mut w, ADMIN, "RotateKeyOnDemand", json!({"KeyId": k}));
    }
    assert_eq!(pages(&mut w, "ListKeyRotations", json!({"KeyId": k, "Limit": 2}), "Rotations"), vec![2, 1]);
    let all = json!({"KeyId": k, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"});
    assert_eq!(pages(&mut w, "ListKeyRotations", all, "Rotations"), vec![4]);
    for _ in 0..3 {
        new_key(&mut w);
    }
    assert_eq!(pages(&mut w, "ListKeys", json!({"Limit": 2}), "Keys"), vec![2, 2, 1]);
    for _ in 0..3 {
        ok(
            &mut w,
            ADMIN,
            "CreateGrant",
            json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE, "RetiringPrincipal": BOB}),
        );
    }
    assert_eq!(pages(&mut w, "ListGrants", json!({"KeyId": k, "Limit": 2}), "Grants"), vec![2, 1]);
    assert_eq!(
        pages(&mut w, "ListRetirableGrants", json!({"RetiringPrincipal": BOB, "Limit": 2}), "Grants"),
        vec![2, 1]
    );
    // Limits outside the documented range: AWS's validation message.
    let e = err(&mut w, ADMIN, "ListAliases", json!({"Limit": 101}));
    assert_eq!(e.message, "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
    let e = err(&mut w, ADMIN, "ListResourceTags", json!({"KeyId": k, "Limit": 51}));
    assert!(e.message.ends_with("Member must have value less than or equal to 50"), "{e}");
    let e = err(&mut w, ADMIN, "ListKeys", json!({"Limit": 0}));
    assert_eq!(e.message, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    let e = err(&mut w, ADMIN, "ListKeys", json!({"Limit": 1001}));
    assert!(e.message.ends_with("Member must have value less than or equal to 1000"), "{e}");
}

#[test]
fn resource_owners_other_accounts_via_ram_lists_no_key() {
    let mut w = world();
    new_key(&mut w);
    let own = ok(&mut w, ADMIN, "ListKeys", json!({"ResourceOwners": ["SELF"]}));
    assert_eq!(own["Keys"].as_array().unwrap().len(), 1);
    let ram = call(&mut w, ADMIN, "ListKeys", json!({"ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM"]}));
    assert_eq!(ram.response.as_ref().unwrap()["Keys"], json!([]));
    assert!(ram.trace.checks.iter().any(|c| c.detail.contains("Resource Access Manager")));
    let e = err(&mut w, ADMIN, "ListKeys", json!({"ResourceOwners": ["MINE"]}));
    assert!(
        e.message.contains(
            "Member must satisfy constraint: [Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS_VIA_RAM]]"
        ),
        "{e}"
    );
}
