//! Grants: creation and its validations, use, constraints, narrowing, tokens and eventual consistency, retire and
//! revoke, listing, limits, and the cost of authorization with many grants.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::trace::DecidedBy;
use kmsim_kms::*;
use serde_json::{json, Value as Json};

fn grant(w: &mut World, who: &str, params: Json) -> (String, String) {
    let r = ok(w, who, "CreateGrant", params);
    (r["GrantId"].as_str().unwrap().to_string(), r["GrantToken"].as_str().unwrap().to_string())
}

#[test]
fn a_grant_allows_its_operations_and_nothing_else() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    assert_eq!(err(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob})).code, ErrorCode::AccessDeniedException);
    let (gid, _) = grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}));
    assert_eq!(gid.len(), 64);
    let out = call(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob}));
    assert!(out.is_success());
    assert_eq!(out.trace.authorizations[0].decided_by, DecidedBy::Grant { grant_id: gid.clone() });
    assert!(out.trace.authorizations[0].grants.iter().any(|g| g.grant_id == gid && g.matched));
    let e = err(&mut w, ALICE, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let out = call(&mut w, ALICE, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    assert!(out.trace.authorizations[0]
        .grants
        .iter()
        .any(|g| !g.matched && g.reason.contains("does not include Encrypt")));
    // Grants never cover non-grant operations.
    assert_eq!(err(&mut w, ALICE, "ScheduleKeyDeletion", json!({"KeyId": k})).code, ErrorCode::AccessDeniedException);
    // ListGrants shows the grant, without its token.
    let l = ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": k}));
    let g = &l["Grants"][0];
    assert_eq!(g["GrantId"], gid.as_str());
    assert_eq!(g["GranteePrincipal"], ALICE);
    assert_eq!(g["Operations"], json!(["Decrypt"]));
    assert_eq!(g["IssuingAccount"], ROOT_A);
    assert!(g.get("GrantToken").is_none());
    assert_eq!(ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": k, "GranteePrincipal": BOB}))["Grants"], json!([]));
}

#[test]
fn grant_operations_must_suit_the_key() {
    // KMS Developer Guide, Grants in AWS KMS (Grant operations) and the Key type reference; API reference,
    // CreateGrant `Constraints`.
    let mut w = world();
    let keys = [
        ("symmetric", json!({})),
        ("rsa-encrypt", json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"})),
        ("rsa-sign", json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})),
        ("ecc-sign", json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})),
        ("ecc-agree", json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"})),
        ("hmac", json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})),
    ];
    let suits: &[(&str, &[&str])] = &[
        ("Encrypt", &["symmetric", "rsa-encrypt"]),
        ("Decrypt", &["symmetric", "rsa-encrypt"]),
        ("ReEncryptFrom", &["symmetric", "rsa-encrypt"]),
        ("ReEncryptTo", &["symmetric", "rsa-encrypt"]),
        ("GenerateDataKey", &["symmetric"]),
        ("GenerateDataKeyWithoutPlaintext", &["symmetric"]),
        ("GenerateDataKeyPair", &["symmetric"]),
        ("GenerateDataKeyPairWithoutPlaintext", &["symmetric"]),
        ("Sign", &["rsa-sign", "ecc-sign"]),
        ("Verify", &["rsa-sign", "ecc-sign"]),
        ("GetPublicKey", &["rsa-encrypt", "rsa-sign", "ecc-sign", "ecc-agree"]),
        ("GenerateMac", &["hmac"]),
        ("VerifyMac", &["hmac"]),
        ("DeriveSharedSecret", &["ecc-agree"]),
        ("DescribeKey", &["symmetric", "rsa-encrypt", "rsa-sign", "ecc-sign", "ecc-agree", "hmac"]),
        ("RetireGrant", &["symmetric", "rsa-encrypt", "rsa-sign", "ecc-sign", "ecc-agree", "hmac"]),
    ];
    assert_eq!(
        suits.len() + 1,
        kmsim_kms::operation::grant_operations().len(),
        "every grant operation but CreateGrant"
    );
    for (name, params) in keys {
        let k = key_with(&mut w, ADMIN, params.clone());
        for (op, kinds) in suits {
            let out = call(
                &mut w,
                ADMIN,
                "CreateGrant",
                json!({"KeyId": k, "GranteePrincipal": APP_ROLE, "Operations": [op]}),
            );
            if kinds.contains(&name) {
                assert!(out.is_success(), "{op} on {name}: {:?}", out.response);
            } else {
                let e = out.response.unwrap_err();
                assert_eq!(e.code, ErrorCode::ValidationException, "{op} on {name}");
                assert!(e.message.contains(&format!("grant operation {op} is not supported")), "{}", e.message);
            }
        }
        // An encryption-context constraint only on a grant for a symmetric encryption key.
        let constrained = json!({"KeyId": k, "GranteePrincipal": APP_ROLE, "Operations": ["DescribeKey"],
            "Constraints": {"EncryptionContextSubset": {"app": "a"}}});
        let out = call(&mut w, ADMIN, "CreateGrant", constrained);
        if name == "symmetric" {
            assert!(out.is_success(), "{:?}", out.response);
        } else {
            let e = out.response.unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationException, "{name}");
            assert!(
                e.message.starts_with("Encryption context grant constraints are supported only on symmetric"),
                "{}",
                e.message
            );
        }
    }
}

#[test]
fn a_grant_to_a_role_covers_its_sessions() {
    let mut w = world();
    let k = new_key(&mut w);
    grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": APP_ROLE, "Operations": ["Encrypt"]}));
    ok(&mut w, APP, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
}

#[test]
fn grants_never_override_an_explicit_deny() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}));
    let p = key_policy(
        A,
        json!([{"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*"}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let e = err(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.ends_with("with an explicit deny in a resource-based policy"), "{}", e.message);
    // An identity-policy deny also wins over the grant.
    let mut w2 = world();
    let k2 = new_key(&mut w2);
    let blob2 = encrypt(&mut w2, ADMIN, &k2, "x", json!({}));
    grant(&mut w2, ADMIN, json!({"KeyId": k2, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}));
    w2.account_mut(A)
        .users
        .get_mut("alice")
        .unwrap()
        .policies
        .push(identity("deny", json!([{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}])));
    let e = err(&mut w2, ALICE, "Decrypt", json!({"CiphertextBlob": blob2}));
    assert!(e.message.ends_with("with an explicit deny in an identity-based policy"), "{}", e.message);
}

#[test]
fn constraints_keys_case_insensitive_values_case_sensitive() {
    let mut w = world();
    let k = new_key(&mut w);
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Encrypt", "Decrypt"],
        "Constraints": {"EncryptionContextEquals": {"Job": "42"}}}),
    );
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["Encrypt"],
        "Constraints": {"EncryptionContextSubset": {"tenant": "t1"}}}),
    );
    let enc = |ec: Json| json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionContext": ec});
    // Equals: exact pairs; the key matches in any case, the value only exactly.
    ok(&mut w, ALICE, "Encrypt", enc(json!({"Job": "42"})));
    ok(&mut w, ALICE, "Encrypt", enc(json!({"job": "42"})));
    for bad in
        [json!({"Job": "420"}), json!({"Job": "42", "x": "y"}), json!({}), json!({"Job": "4"}), json!({"JOB": "42x"})]
    {
        assert_eq!(
            call(&mut w, ALICE, "Encrypt", enc(bad.clone())).error_code(),
            Some(ErrorCode::AccessDeniedException),
            "{bad}"
        );
    }
    let blob = encrypt(&mut w, ALICE, &k, "x", json!({"job": "42"}));
    ok(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"job": "42"}}));
    // Subset: the request may have more pairs.
    ok(&mut w, BOB, "Encrypt", enc(json!({"tenant": "t1", "more": "ok"})));
    ok(&mut w, BOB, "Encrypt", enc(json!({"TENANT": "t1"})));
    assert_eq!(
        call(&mut w, BOB, "Encrypt", enc(json!({"tenant": "T1"}))).error_code(),
        Some(ErrorCode::AccessDeniedException)
    );
    assert_eq!(call(&mut w, BOB, "Encrypt", enc(json!({}))).error_code(), Some(ErrorCode::AccessDeniedException));
}

#[test]
fn create_grant_validations() {
    let mut w = world();
    let k = new_key(&mut w);
    let base = || json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]});
    let mut cases = Vec::new();
    let mut c = base();
    c["Operations"] = json!([]);
    cases.push(c);
    let mut c = base();
    c["Operations"] = json!(["ScheduleKeyDeletion"]);
    cases.push(c);
    let mut c = base();
    c["Name"] = json!("bad name!");
    cases.push(c);
    let mut c = base();
    c["Name"] = json!("x".repeat(257));
    cases.push(c);
    let mut c = base();
    c["GranteePrincipal"] = json!("alice");
    cases.push(c);
    let mut c = base();
    c["RetiringPrincipal"] = json!("not-an-arn");
    cases.push(c);
    let mut c = base();
    c["Constraints"] = json!({"EncryptionContextEquals": {"a": "1"}, "EncryptionContextSubset": {"a": "1"}});
    cases.push(c);
    let mut c = base();
    c["Constraints"] = json!({"EncryptionContextEquals": (0..9).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()});
    cases.push(c);
    let mut c = base();
    c["GrantTokens"] = json!((0..11).map(|i| format!("t{i}")).collect::<Vec<_>>());
    cases.push(c);
    for c in cases {
        assert_eq!(err(&mut w, ADMIN, "CreateGrant", c.clone()).code, ErrorCode::ValidationException, "{c}");
    }
    // An operation must suit the key: no Encrypt on an HMAC key.
    let hmac = key_with(&mut w, ADMIN, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    let e =
        err(&mut w, ADMIN, "CreateGrant", json!({"KeyId": hmac, "GranteePrincipal": ALICE, "Operations": ["Encrypt"]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(w.grants(&k).unwrap().is_empty());
}

#[test]
fn name_makes_create_grant_idempotent_and_every_token_works() {
    let mut w = World::with_config(
        Seed(3),
        WorldConfig { grant_propagation_seconds: 300, ..Default::default() },
        Timestamp::DEFAULT_START,
    );
    w.account_mut(A).users.insert("admin".into(), User { policies: vec![allow_all_kms()], ..Default::default() });
    w.account_mut(A).users.insert("alice".into(), User::default());
    let k = new_key(&mut w);
    let params = json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Encrypt"], "Name": "job-42"});
    let (g1, t1) = grant(&mut w, ADMIN, params.clone());
    let (g2, t2) = grant(&mut w, ADMIN, params.clone());
    assert_eq!(g1, g2);
    assert_ne!(t1, t2);
    assert_eq!(w.grants(&k).unwrap().len(), 1);
    for t in [&t1, &t2] {
        ok(&mut w, ALICE, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}, "GrantTokens": [t]}));
    }
    // Different parameters with the same name make a new grant.
    let mut other = params.clone();
    other["Operations"] = json!(["Decrypt"]);
    let (g3, _) = grant(&mut w, ADMIN, other);
    assert_ne!(g3, g1);
}

#[test]
fn eventual_consistency_tokens_make_a_grant_usable_at_once() {
    let mut w = World::with_config(
        Seed(3),
        WorldConfig { grant_propagation_seconds: 300, ..Default::default() },
        Timestamp::DEFAULT_START,
    );
    w.account_mut(A).users.insert("admin".into(), User { policies: vec![allow_all_kms()], ..Default::default() });
    w.account_mut(A).users.insert("alice".into(), User::default());
    let k = new_key(&mut w);
    let (_, token) = grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Encrypt"]}));
    let enc = json!({"KeyId": k, "Plaintext": {"Text": "x"}});
    let out = call(&mut w, ALICE, "Encrypt", enc.clone());
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    let authz = &out.trace.authorizations[0];
    assert!(authz.grants[0].reason.contains("not yet effective"));
    // The summary says the grant is why, not only that identity policies are missing (issue 11's wording).
    assert!(authz.grants[0].pending_until.is_some());
    let words = authz.decided_by_text();
    assert!(words.contains("not in effect yet"), "{words}");
    assert!(words.contains("grant token"), "{words}");
    assert!(authz.explanation.iter().any(|e| e.contains("would allow the operation")), "{:?}", authz.explanation);
    let mut with_token = enc.clone();
    with_token["GrantTokens"] = json!([token]);
    ok(&mut w, ALICE, "Encrypt", with_token);
    // A token of no grant does not help; one that cannot be a grant token is InvalidGrantTokenException.
    let mut unknown = enc.clone();
    unknown["GrantTokens"] = json!(["A".repeat(96)]);
    assert_eq!(call(&mut w, ALICE, "Encrypt", unknown).error_code(), Some(ErrorCode::AccessDeniedException));
    let mut bad = enc.clone();
    bad["GrantTokens"] = json!(["bm90LWEtdG9rZW4"]);
    assert_eq!(call(&mut w, ALICE, "Encrypt", bad).error_code(), Some(ErrorCode::InvalidGrantTokenException));
    w.advance(Duration { seconds: 299, ..Default::default() }).unwrap();
    assert_eq!(call(&mut w, ALICE, "Encrypt", enc.clone()).error_code(), Some(ErrorCode::AccessDeniedException));
    // A grant for another operation is not "pending" for this one.
    let dec = call(&mut w, ALICE, "GenerateDataKey", json!({"KeyId": k, "KeySpec": "AES_256"}));
    assert!(dec.trace.authorizations[0].grants.iter().all(|g| g.pending_until.is_none()));
    assert!(!dec.trace.authorizations[0].decided_by_text().contains("not in effect"));
    w.advance(Duration { seconds: 1, ..Default::default() }).unwrap();
    ok(&mut w, ALICE, "Encrypt", enc);
}

#[test]
fn child_grants_only_narrow_their_parent() {
    let mut w = world();
    let k = new_key(&mut w);
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt", "Encrypt", "CreateGrant"],
        "Constraints": {"EncryptionContextSubset": {"a": "1"}}}),
    );
    let child = |ops: Json, c: Json| json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ops, "Constraints": c});
    // Narrower: fewer operations, stricter constraints.
    ok(
        &mut w,
        ALICE,
        "CreateGrant",
        child(json!(["Decrypt"]), json!({"EncryptionContextSubset": {"a": "1", "b": "2"}})),
    );
    ok(&mut w, ALICE, "CreateGrant", child(json!(["Encrypt"]), json!({"EncryptionContextEquals": {"a": "1"}})));
    // Wider: an operation the parent lacks, or weaker constraints.
    let e = err(
        &mut w,
        ALICE,
        "CreateGrant",
        child(json!(["GenerateDataKey"]), json!({"EncryptionContextSubset": {"a": "1"}})),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(&mut w, ALICE, "CreateGrant", json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["Decrypt"]}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e =
        err(&mut w, ALICE, "CreateGrant", child(json!(["Decrypt"]), json!({"EncryptionContextSubset": {"a": "2"}})));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // A principal with CreateGrant from a policy may grant anything grantable.
    ok(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["GenerateDataKey", "ReEncryptFrom"]}),
    );
}

#[test]
fn retire_by_retiring_principal_grantee_key_account_and_token() {
    let mut w = world();
    let k = new_key(&mut w);
    let (g1, _) = grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": ALICE, "RetiringPrincipal": BOB, "Operations": ["Decrypt"]}),
    );
    // alice is the grantee but the grant does not include RetireGrant.
    let e = err(&mut w, ALICE, "RetireGrant", json!({"KeyId": k, "GrantId": g1}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    ok(&mut w, BOB, "RetireGrant", json!({"KeyId": k, "GrantId": g1}));
    assert!(w.grants(&k).unwrap().is_empty());
    let e = err(&mut w, BOB, "RetireGrant", json!({"KeyId": k, "GrantId": g1}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    let (g2, _) =
        grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt", "RetireGrant"]}));
    ok(&mut w, ALICE, "RetireGrant", json!({"KeyId": k, "GrantId": g2}));
    let (g3, t3) = grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": ALICE, "RetiringPrincipal": BOB, "Operations": ["Decrypt"]}),
    );
    let out = call(&mut w, BOB, "RetireGrant", json!({"GrantToken": t3}));
    assert!(out.is_success());
    let rec = w.audit().records().iter().find(|r| r.event_id == out.event_id).unwrap();
    assert_eq!(rec.additional_event_data.as_ref().unwrap().value()["grantId"], g3.as_str());
    let e = err(&mut w, BOB, "RetireGrant", json!({"GrantToken": t3}));
    assert_eq!(e.code, ErrorCode::InvalidGrantTokenException);
    let (g4, _) = grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}));
    ok(&mut w, ROOT_A, "RetireGrant", json!({"KeyId": k, "GrantId": g4}));
    let e = err(&mut w, ADMIN, "RetireGrant", json!({}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    // A retiring account delegates kms:RetireGrant to its principals through IAM.
    let (g5, _) = grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": EXT, "RetiringPrincipal": ROOT_B, "Operations": ["Decrypt"]}),
    );
    let e = err(&mut w, EXT_NOPOL, "RetireGrant", json!({"KeyId": k, "GrantId": g5}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    ok(&mut w, EXT, "RetireGrant", json!({"KeyId": k, "GrantId": g5}));
}

#[test]
fn revoke_needs_permission_and_an_existing_grant() {
    let mut w = world();
    let k = new_key(&mut w);
    let (g, _) = grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k, "GranteePrincipal": ALICE, "RetiringPrincipal": ALICE, "Operations": ["Decrypt"]}),
    );
    let e = err(&mut w, ALICE, "RevokeGrant", json!({"KeyId": k, "GrantId": g}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(&mut w, ADMIN, "RevokeGrant", json!({"KeyId": k, "GrantId": "not-a-grant-id"}));
    assert_eq!(e.code, ErrorCode::InvalidGrantIdException);
    let e = err(&mut w, ADMIN, "RevokeGrant", json!({"KeyId": k, "GrantId": "0".repeat(64)}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    ok(&mut w, ADMIN, "RevokeGrant", json!({"KeyId": k, "GrantId": g}));
    assert!(w.grants(&k).unwrap().is_empty());
    let e = err(&mut w, ADMIN, "RetireGrant", json!({"KeyId": k, "GrantId": "bad id"}));
    assert_eq!(e.code, ErrorCode::InvalidGrantIdException);
}

#[test]
fn list_retirable_grants() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let k2 = new_key(&mut w);
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k1, "GranteePrincipal": ALICE, "RetiringPrincipal": BOB, "Operations": ["Decrypt"]}),
    );
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k2, "GranteePrincipal": ALICE, "RetiringPrincipal": BOB, "Operations": ["Encrypt"]}),
    );
    grant(
        &mut w,
        ADMIN,
        json!({"KeyId": k2, "GranteePrincipal": ALICE, "RetiringPrincipal": ADMIN, "Operations": ["Encrypt"]}),
    );
    let l = ok(&mut w, ADMIN, "ListRetirableGrants", json!({"RetiringPrincipal": BOB}));
    assert_eq!(l["Grants"].as_array().unwrap().len(), 2);
    // IAM-only.
    assert_eq!(
        err(&mut w, BOB, "ListRetirableGrants", json!({"RetiringPrincipal": BOB})).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn grant_condition_keys() {
    let mut w = world();
    let k = new_key(&mut w);
    // bob may create grants only for Decrypt/Encrypt, to alice, with an Equals constraint, retiring by himself.
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:CreateGrant", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]},
            "StringEquals": {"kms:GranteePrincipal": ALICE, "kms:RetiringPrincipal": BOB, "kms:GrantConstraintType": "EncryptionContextEquals",
                "kms:EncryptionContext:app": "billing"}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let good = json!({"KeyId": k, "GranteePrincipal": ALICE, "RetiringPrincipal": BOB, "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextEquals": {"app": "billing"}}});
    ok(&mut w, BOB, "CreateGrant", good.clone());
    for (field, value) in [
        ("Operations", json!(["Decrypt", "ReEncryptFrom"])),
        ("GranteePrincipal", json!(BOB)),
        ("RetiringPrincipal", json!(ALICE)),
        ("Constraints", json!({"EncryptionContextSubset": {"app": "billing"}})),
        ("Constraints", json!({"EncryptionContextEquals": {"app": "other"}})),
    ] {
        let mut bad = good.clone();
        bad[field] = value.clone();
        assert_eq!(
            call(&mut w, BOB, "CreateGrant", bad).error_code(),
            Some(ErrorCode::AccessDeniedException),
            "{field} {value}"
        );
    }
    // kms:GrantIsForAWSResource: only calls made through an AWS service.
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let g = json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["Decrypt"]});
    assert_eq!(call(&mut w, ALICE, "CreateGrant", g.clone()).error_code(), Some(ErrorCode::AccessDeniedException));
    assert_eq!(
        call(&mut w, ALICE, "ListGrants", json!({"KeyId": k})).error_code(),
        Some(ErrorCode::AccessDeniedException)
    );
    let via = Caller::new(ALICE).via("ec2.us-east-1.amazonaws.com");
    call_as(&mut w, &via, "CreateGrant", g).response.unwrap();
    call_as(&mut w, &via, "ListGrants", json!({"KeyId": k})).response.unwrap();
}

#[test]
fn fifty_thousand_grants_per_key_and_authorization_ignores_other_principals_grants() {
    let mut w = world();
    let k = new_key(&mut w);
    // 49,999 grants for other principals, inserted directly (CreateGrant for each would only be slow).
    let template = {
        ok(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Encrypt"]}));
        w.grants(&k).unwrap().iter().next().unwrap().clone()
    };
    for i in 0..49_999 {
        let mut g = template.clone();
        g.grant_id = format!("{i:064x}");
        g.grantee_principal = format!("arn:aws:iam::{A}:user/other{i}");
        g.token_hashes.clear();
        w.grants_mut(&k).unwrap().insert(g);
    }
    assert_eq!(w.grants(&k).unwrap().len(), 50_000);
    let e = err(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["Decrypt"]}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    // alice's Encrypt considers her one grant and skips the 49,999 others.
    let out = call(&mut w, ALICE, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    assert!(out.is_success());
    let a = &out.trace.authorizations[0];
    assert_eq!(a.grants.len(), 1);
    assert_eq!(a.grants_skipped, 49_999);
    // Retiring one makes room again.
    let gid = template.grant_id.clone();
    ok(&mut w, ADMIN, "RevokeGrant", json!({"KeyId": k, "GrantId": gid}));
    ok(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k, "GranteePrincipal": BOB, "Operations": ["Decrypt"]}));
}

#[test]
fn a_cross_account_grant_works_without_an_iam_policy() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    assert_eq!(
        err(&mut w, EXT_NOPOL, "Decrypt", json!({"CiphertextBlob": blob})).code,
        ErrorCode::AccessDeniedException
    );
    grant(&mut w, ADMIN, json!({"KeyId": k, "GranteePrincipal": EXT_NOPOL, "Operations": ["Decrypt", "DescribeKey"]}));
    ok(&mut w, EXT_NOPOL, "Decrypt", json!({"CiphertextBlob": blob}));
    ok(&mut w, EXT_NOPOL, "DescribeKey", json!({"KeyId": k}));
    // The key must be named by ARN from the other account.
    assert_eq!(
        err(&mut w, EXT_NOPOL, "DescribeKey", json!({"KeyId": key_id_of(&k)})).code,
        ErrorCode::NotFoundException
    );
}
