//! The model's shape constraints with AWS's codes and message form, the checks AWS makes before it looks at a key
//! (grant tokens, ARNs, alias names), the newer key specs, and KeyMetadata for every key type.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::audit::JsonText;
use kmsim_kms::model::{self, Kind};
use kmsim_kms::*;
use serde_json::json;

#[test]
fn every_pattern_of_an_implemented_operation_has_a_matcher() {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<&str> = OPERATIONS.iter().map(|o| model::operation(o).unwrap().input.unwrap()).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        let s = model::shape(name).unwrap_or_else(|| panic!("shape {name}"));
        if let Some(p) = s.pattern {
            assert!(validate::matches_pattern(p, "x").is_some(), "no matcher for {p} ({name})");
        }
        stack.extend(s.fields.iter().map(|f| f.shape));
        stack.extend(s.item);
        if let Some((k, v)) = s.entries {
            stack.extend([k, v]);
        }
    }
    assert!(seen.len() > 40);
}

#[test]
fn the_hand_matchers_agree_with_the_patterns_on_examples() {
    let cases = [
        (r"^[a-zA-Z0-9:/_-]+$", "alias/my-key_1", true),
        (r"^[a-zA-Z0-9:/_-]+$", "alias/my key", false),
        (r"^[\w+=,.@:/-]+$", "arn:aws:iam::111122223333:user/a+b=c,d.e@f", true),
        (r"^[\w+=,.@:/-]+$", "arn:aws:iam::111122223333:user/a b", false),
        (r"[\w]+", "default", true),
        (r"[\w]+", "def ault", false),
        (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "{\n\t\"a\": \"é\"}", true),
        (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "\u{2603}", false),
        (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "", false),
        (r"^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$", "arn:aws:logs:us-east-1:111122223333:x", true),
        (r"^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$", "arn:aws:logs:us-east-1:1111:x", false),
        (r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$", "logs.us-east-1.amazonaws.com", true),
        (r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$", "amazonaws.com", false),
    ];
    for (p, v, want) in cases {
        assert_eq!(validate::matches_pattern(p, v), Some(want), "{p} on {v:?}");
    }
}

fn validation(w: &mut World, op: &str, params: serde_json::Value) -> String {
    let e = err(w, ADMIN, op, params);
    assert_eq!(e.code, ErrorCode::ValidationException, "{op}: {e}");
    e.message
}

#[test]
fn lengths_ranges_patterns_and_enums_use_aws_form() {
    let mut w = world();
    let k = new_key(&mut w);
    let m = validation(&mut w, "DescribeKey", json!({"KeyId": "k".repeat(2049)}));
    assert!(
        m.starts_with("1 validation error detected: Value 'kkk")
            && m.ends_with(
                "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"
            ),
        "{m}"
    );
    let m = validation(&mut w, "GenerateRandom", json!({"NumberOfBytes": 0}));
    assert_eq!(m, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
    let m = validation(&mut w, "GenerateRandom", json!({"NumberOfBytes": 1025}));
    assert_eq!(m, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    let m = validation(&mut w, "CreateKey", json!({"KeySpec": "HMAC_random"}));
    assert!(m.starts_with("1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, "), "{m}");
    assert!(m.contains("ML_KEM_1024]"), "{m}");
    let m = validation(&mut w, "CreateKey", json!({"Origin": "ELSEWHERE"}));
    assert_eq!(m, "1 validation error detected: Value 'ELSEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]");
    let m =
        validation(&mut w, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionAlgorithm": "AES"}));
    assert_eq!(m, "1 validation error detected: Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]");
    // An algorithm of the enum that does not suit a symmetric key is the key's problem, not the shape's.
    let e = err(
        &mut w,
        ADMIN,
        "Encrypt",
        json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
    // Sensitive members and blobs are shown without their value.
    let m = validation(&mut w, "Encrypt", json!({"KeyId": k, "Plaintext": b64(&[0; 4097])}));
    assert_eq!(m, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    let m = validation(&mut w, "Decrypt", json!({"CiphertextBlob": b64(&[0; 6145])}));
    assert_eq!(m, "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144");
    // Several at once.
    let m = validation(&mut w, "ScheduleKeyDeletion", json!({"KeyId": "", "PendingWindowInDays": 400}));
    assert_eq!(m, "2 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '400' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365");
    // The documented 7 to 30 inside the model's 1 to 365.
    let m = validation(&mut w, "ScheduleKeyDeletion", json!({"KeyId": k, "PendingWindowInDays": 5}));
    assert!(
        m.ends_with(
            "at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7"
        ),
        "{m}"
    );
    let m = validation(&mut w, "GetKeyPolicy", json!({"KeyId": k, "PolicyName": "not default"}));
    assert!(m.ends_with(r"Member must satisfy regular expression pattern: [\w]+"), "{m}");
    let m = validation(&mut w, "PutKeyPolicy", json!({"KeyId": k, "Policy": "{\"Sid\": \"\u{2603}\"}"}));
    assert!(
        m.contains("at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        "{m}"
    );
}

#[test]
fn grant_members_follow_the_model() {
    let mut w = world();
    let k = new_key(&mut w);
    let base = json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE});
    let mut p = base.clone();
    p["GranteePrincipal"] = json!("arn:aws:iam::111122223333:user/a b");
    let m = validation(&mut w, "CreateGrant", p);
    assert_eq!(
        m,
        r"1 validation error detected: Value 'arn:aws:iam::111122223333:user/a b' at 'granteePrincipal' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\w+=,.@:/-]+$"
    );
    let mut p = base.clone();
    p["GranteePrincipal"] = json!(format!("arn:aws:iam::111122223333:user/{}", "a".repeat(256)));
    assert!(validation(&mut w, "CreateGrant", p).contains("Member must have length less than or equal to 256"));
    let mut p = base.clone();
    p["Name"] = json!("my grant");
    assert!(validation(&mut w, "CreateGrant", p).contains(
        "at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
    ));
    let mut p = base.clone();
    p["Operations"] = json!(["Decrpyt"]);
    let m = validation(&mut w, "CreateGrant", p);
    assert!(m.starts_with("1 validation error detected: Value '[Decrpyt]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt,"), "{m}");
    let mut p = base.clone();
    p["Constraints"] = json!({"SourceArn": "not-an-arn"});
    assert!(validation(&mut w, "CreateGrant", p).contains(
        "at 'constraints.sourceArn' failed to satisfy constraint: Member must have length greater than or equal to 20"
    ));
}

#[test]
fn grant_tokens_at_most_ten_and_well_formed_on_every_operation_that_takes_them() {
    let mut w = world();
    let k = new_key(&mut w);
    let ct = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    let calls = [
        ("Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}})),
        ("Decrypt", json!({"CiphertextBlob": ct})),
        ("ReEncrypt", json!({"CiphertextBlob": ct, "DestinationKeyId": k})),
        ("GenerateDataKey", json!({"KeyId": k, "KeySpec": "AES_256"})),
        ("GenerateDataKeyWithoutPlaintext", json!({"KeyId": k, "KeySpec": "AES_256"})),
        ("CreateGrant", json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE})),
        ("DescribeKey", json!({"KeyId": k})),
    ];
    let mut taking = 0;
    for (op, params) in calls {
        let m = model::operation(op).unwrap();
        assert!(m.member("GrantTokens").is_some(), "{op}");
        taking += 1;
        let mut p = params.clone();
        p["GrantTokens"] = json!(vec!["A".repeat(96); 11]);
        let msg = validation(&mut w, op, p);
        assert!(
            msg.ends_with(
                "at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"
            ),
            "{op}: {msg}"
        );
        let mut p = params.clone();
        p["GrantTokens"] = json!(["not-a-token"]);
        let out = call(&mut w, ADMIN, op, p);
        // The model declares InvalidGrantTokenException on every operation that takes tokens except DescribeKey.
        if m.declares(ErrorCode::InvalidGrantTokenException) {
            assert_eq!(out.error_code(), Some(ErrorCode::InvalidGrantTokenException), "{op}");
        } else {
            assert_eq!(op, "DescribeKey");
            assert!(out.is_success(), "{op}");
        }
    }
    // Every implemented operation with GrantTokens is covered above.
    let with_tokens = OPERATIONS.iter().filter(|o| model::operation(o).unwrap().member("GrantTokens").is_some());
    assert_eq!(with_tokens.count(), taking);
}

#[test]
fn a_malformed_key_arn_is_invalid_arn_where_the_operation_declares_it() {
    let mut w = world();
    let bad = "arn:aws:kms:us-east-1:1234:key/x";
    for op in OPERATIONS {
        let m = model::operation(op).unwrap();
        if !m.members().iter().any(|f| f.name == "KeyId" && f.required) {
            continue;
        }
        let mut params = json!({"KeyId": bad});
        // Other required members, valid by shape.
        for f in m.members().iter().filter(|f| f.required && f.name != "KeyId") {
            let s = model::shape(f.shape).unwrap();
            params[f.name] = match s.kind {
                Kind::List if f.name == "Operations" => json!(["Decrypt"]),
                Kind::List if f.name == "Tags" => json!([{"TagKey": "a", "TagValue": "b"}]),
                Kind::List => json!(["a"]),
                Kind::Blob => json!(b64(b"x")),
                _ if f.name == "Policy" => json!("{}"),
                _ => json!(s.values.first().copied().unwrap_or("abc")),
            };
        }
        if *op == "CreateGrant" {
            params["GranteePrincipal"] = json!(ALICE);
        }
        if op.starts_with("GenerateDataKey") {
            params["KeySpec"] = json!("AES_256");
        }
        let e = err(&mut w, ADMIN, op, params);
        if m.declares(ErrorCode::InvalidArnException) {
            assert_eq!(
                (e.code, e.message.as_str()),
                (ErrorCode::InvalidArnException, "Invalid arn arn:aws:kms:us-east-1:1234:key/x"),
                "{op}"
            );
        } else {
            assert_eq!(e.code, ErrorCode::NotFoundException, "{op}: {e}");
        }
    }
}

#[test]
fn an_alias_name_never_contains_a_colon() {
    let mut w = world();
    let k = new_key(&mut w);
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/a:b", "TargetKeyId": k}));
    assert_eq!(e.code, ErrorCode::InvalidAliasNameException);
    let m = validation(&mut w, "CreateAlias", json!({"AliasName": "alias/a b", "TargetKeyId": k}));
    assert!(m.ends_with("Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"), "{m}");
}

fn metadata(w: &mut World, params: serde_json::Value) -> serde_json::Value {
    ok(w, ADMIN, "CreateKey", params)["KeyMetadata"].clone()
}

#[test]
fn key_metadata_lists_only_the_algorithms_of_the_key_usage() {
    let mut w = world();
    let members = [
        "EncryptionAlgorithms",
        "SigningAlgorithms",
        "MacAlgorithms",
        "KeyAgreementAlgorithms",
        "EncapsulationAlgorithms",
    ];
    let cases = [
        (json!({}), "EncryptionAlgorithms", json!(["SYMMETRIC_DEFAULT"])),
        (json!({"KeySpec": "HMAC_384", "KeyUsage": "GENERATE_VERIFY_MAC"}), "MacAlgorithms", json!(["HMAC_SHA_384"])),
        (
            json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
            "EncryptionAlgorithms",
            json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ),
        (
            json!({"KeySpec": "RSA_3072", "KeyUsage": "SIGN_VERIFY"}),
            "SigningAlgorithms",
            json!([
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512"
            ]),
        ),
        (json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}), "SigningAlgorithms", json!(["ECDSA_SHA_384"])),
        (json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"}), "KeyAgreementAlgorithms", json!(["ECDH"])),
        (
            json!({"KeySpec": "ECC_SECG_P256K1", "KeyUsage": "SIGN_VERIFY"}),
            "SigningAlgorithms",
            json!(["ECDSA_SHA_256"]),
        ),
        (
            json!({"KeySpec": "ECC_NIST_EDWARDS25519", "KeyUsage": "SIGN_VERIFY"}),
            "SigningAlgorithms",
            json!(["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
        ),
        (json!({"KeySpec": "ML_DSA_65", "KeyUsage": "SIGN_VERIFY"}), "SigningAlgorithms", json!(["ML_DSA_SHAKE_256"])),
        (
            json!({"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
            "EncapsulationAlgorithms",
            json!(["ML_KEM"]),
        ),
    ];
    for (params, member, want) in cases {
        let m = metadata(&mut w, params.clone());
        assert_eq!(m[member], want, "{params}");
        for other in members.iter().filter(|o| **o != member) {
            assert!(m.get(*other).is_none(), "{params}: {other} present");
        }
        assert_eq!(m["MultiRegion"], json!(false));
        assert!(m.get("MultiRegionConfiguration").is_none());
    }
    // The deprecated CustomerMasterKeySpec has no value for the newer specs.
    assert_eq!(
        metadata(&mut w, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}))["CustomerMasterKeySpec"],
        "HMAC_256"
    );
    assert!(metadata(&mut w, json!({"KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"}))
        .get("CustomerMasterKeySpec")
        .is_none());
    // A usage the spec does not allow, and a spec of the China Regions.
    let e = err(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "ML_KEM_512", "KeyUsage": "SIGN_VERIFY"}));
    assert_eq!(e.message, "KeyUsage SIGN_VERIFY is not compatible with KeySpec ML_KEM_512");
    let e = err(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"}));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
}

#[test]
fn a_newer_key_spec_says_what_the_simulator_does_with_it() {
    let mut w = world();
    let out = call(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "ML_DSA_87", "KeyUsage": "SIGN_VERIFY"}));
    assert!(out.trace.checks.iter().any(|c| c.detail.contains("no cryptography for it")), "{:?}", out.trace.checks);
    let k = out.response.unwrap()["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let e = err(&mut w, ADMIN, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
}

#[test]
fn multi_region_keys_have_mrk_ids_and_their_configuration() {
    let mut w = world();
    let out = call(&mut w, ADMIN, "CreateKey", json!({"MultiRegion": true}));
    assert!(out.trace.checks.iter().any(|c| c.detail.contains("no replicas")));
    let m = out.response.unwrap()["KeyMetadata"].clone();
    let id = m["KeyId"].as_str().unwrap();
    assert!(id.starts_with("mrk-") && id.len() == 36 && id[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(m["MultiRegion"], json!(true));
    assert_eq!(
        m["MultiRegionConfiguration"],
        json!({"MultiRegionKeyType": "PRIMARY", "PrimaryKey": {"Arn": m["Arn"], "Region": "us-east-1"}, "ReplicaKeys": []})
    );
    // The key works by its bare mrk- id as any key does.
    let d = ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": id}));
    assert_eq!(d["KeyMetadata"]["MultiRegion"], json!(true));
    encrypt(&mut w, ADMIN, id, "x", json!({}));
}

#[test]
fn list_grants_names_the_key_by_arn_and_unnamed_grants_have_no_name() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k, "Operations": ["Decrypt"], "GranteePrincipal": ALICE}));
    ok(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": k, "Operations": ["Encrypt"], "GranteePrincipal": ALICE, "Name": "named", "RetiringPrincipal": BOB}),
    );
    let g = ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": k}))["Grants"].clone();
    let g = g.as_array().unwrap();
    assert!(g.iter().all(|e| e["KeyId"] == json!(k)));
    assert_eq!(g.iter().filter(|e| e.get("Name").is_some()).count(), 1);
    assert!(g.iter().any(|e| e["Name"] == "named"));
    let r = ok(&mut w, ADMIN, "ListRetirableGrants", json!({"RetiringPrincipal": BOB}))["Grants"].clone();
    assert_eq!(r[0]["KeyId"], json!(k));
}

#[test]
fn list_aliases_shows_the_predefined_aws_managed_aliases() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/mine", "TargetKeyId": k}));
    // Using alias/aws/s3 creates its key: that alias then has a target; the others still have none.
    ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/aws/s3"}));
    let all = ok(&mut w, ADMIN, "ListAliases", json!({"Limit": 100}))["Aliases"].clone();
    let all = all.as_array().unwrap();
    let names: Vec<&str> = all.iter().map(|a| a["AliasName"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(all.len(), 1 + catalogue::MANAGED_ALIASES.len());
    for a in all {
        let name = a["AliasName"].as_str().unwrap();
        let has_target = a.get("TargetKeyId").is_some();
        assert_eq!(has_target, name == "alias/mine" || name == "alias/aws/s3", "{name}");
        assert_eq!(a["AliasArn"], json!(format!("arn:aws:kms:us-east-1:{A}:{name}")));
    }
    // Filtered by key: only the aliases of that key.
    let mine = ok(&mut w, ADMIN, "ListAliases", json!({"KeyId": k}))["Aliases"].clone();
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[test]
fn a_call_that_fails_validation_is_audited_with_its_parameters_but_never_its_secrets() {
    let mut w = world();
    let k = new_key(&mut w);
    let big = b64(&[7; 4097]);
    let tokens = json!(vec!["A".repeat(96); 11]);
    err(
        &mut w,
        ADMIN,
        "Encrypt",
        json!({"KeyId": k, "Plaintext": big, "EncryptionContext": {"a": "b"}, "GrantTokens": tokens}),
    );
    let rec = w.audit().records().last().unwrap();
    assert_eq!(
        rec.request_parameters.as_ref().map(JsonText::value),
        Some(json!({"keyId": k, "encryptionContext": {"a": "b"}}))
    );
    err(&mut w, ADMIN, "CreateKey", json!({"Policy": "{}", "Tags": [{"TagKey": "", "TagValue": "v"}]}));
    let rec = w.audit().records().last().unwrap();
    assert_eq!(
        rec.request_parameters.as_ref().map(JsonText::value),
        Some(json!({"tags": [{"tagKey": "", "tagValue": "v"}]}))
    );
}

/// The character classes as they were matched before the byte-wise checks (one `char` at a time), on ASCII,
/// Latin-1, other scripts, controls and DEL: the same answers.
#[test]
fn the_bytewise_matchers_agree_with_matching_by_character() {
    let reference = |p: &str, v: &str| -> Option<bool> {
        let all = |f: fn(char) -> bool| v.chars().all(f);
        let some = |f: fn(char) -> bool| !v.is_empty() && v.chars().all(f);
        Some(match p {
            r"^[a-zA-Z0-9:/_-]+$" => some(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-')),
            r"^[\w+=,.@:/-]+$" => {
                some(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | ':' | '/' | '-'))
            }
            r"[\w]+" => some(|c| c.is_ascii_alphanumeric() || c == '_'),
            r"[\u0009\u000A\u000D\u0020-\u00FF]+" => some(|c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FF}')),
            r"[\u0020-\u00FF]*" => all(|c| matches!(c, ' '..='\u{FF}')),
            r"^[a-zA-Z0-9-_.]+$" => some(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            _ => return None,
        })
    };
    let patterns = [
        r"^[a-zA-Z0-9:/_-]+$",
        r"^[\w+=,.@:/-]+$",
        r"[\w]+",
        r"[\u0009\u000A\u000D\u0020-\u00FF]+",
        r"[\u0020-\u00FF]*",
        r"^[a-zA-Z0-9-_.]+$",
    ];
    let pieces = [
        "",
        "a",
        "Z9",
        "alias/app",
        "arn:aws:kms:us-east-1:111122223333:key/x",
        "a b",
        "x\t",
        "\n",
        "\r",
        "\u{1}",
        "\u{7f}",
        "\u{80}",
        "é",
        "ÿ",
        "\u{100}",
        "Ā",
        "日本",
        "😀",
        "_+=,.@:/-",
        "{\"Version\": \"2012-10-17\"}",
        "a\u{0}",
        "-_.",
        "~",
        "ü~",
    ];
    let mut checked = 0;
    for p in patterns {
        for a in pieces {
            for b in pieces {
                let v = format!("{a}{b}");
                assert_eq!(validate::matches_pattern(p, &v), reference(p, &v), "{p} on {v:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, patterns.len() * pieces.len() * pieces.len());
}
