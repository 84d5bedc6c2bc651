//! Every error code the simulator can return, each produced once through `World::call`, and the list of codes that
//! are declared (for scenario expectations) but never returned by this version.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use std::collections::BTreeSet;

use common::*;
use kmsim_kms::error::ALL_CODES;
use kmsim_kms::*;
use serde_json::json;

/// Declared for parsing scenario expectations, but no code path returns them in this version.
const NEVER_RETURNED: &[ErrorCode] =
    &[ErrorCode::ConflictException, ErrorCode::InvalidAliasNameException, ErrorCode::InvalidArnException];

#[test]
fn every_returnable_error_code_is_produced() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    let other = new_key(&mut w);
    let hmac = key_with(&mut w, ADMIN, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/a", "TargetKeyId": k}));
    let disabled = new_key(&mut w);
    ok(&mut w, ADMIN, "DisableKey", json!({"KeyId": disabled}));
    let many: Vec<_> = (0..51).map(|i| json!({"TagKey": format!("t{i}"), "TagValue": "v"})).collect();
    let cases = vec![
        (ErrorCode::AccessDeniedException, ALICE, "DescribeKey", json!({"KeyId": k})),
        (ErrorCode::AlreadyExistsException, ADMIN, "CreateAlias", json!({"AliasName": "alias/a", "TargetKeyId": k})),
        (ErrorCode::DisabledException, ADMIN, "Encrypt", json!({"KeyId": disabled, "Plaintext": {"Text": "x"}})),
        (ErrorCode::DryRunOperationException, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "DryRun": true})),
        (ErrorCode::IncorrectKeyException, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "KeyId": other})),
        (ErrorCode::InvalidCiphertextException, ADMIN, "Decrypt", json!({"CiphertextBlob": "AAAA"})),
        (ErrorCode::InvalidGrantIdException, ADMIN, "RevokeGrant", json!({"KeyId": k, "GrantId": "g"})),
        (ErrorCode::InvalidGrantTokenException, ADMIN, "RetireGrant", json!({"GrantToken": "nope"})),
        (ErrorCode::InvalidKeyUsageException, ADMIN, "Encrypt", json!({"KeyId": hmac, "Plaintext": {"Text": "x"}})),
        (ErrorCode::InvalidMarkerException, ADMIN, "ListAliases", json!({"Marker": "?"})),
        (ErrorCode::KMSInvalidStateException, ADMIN, "CancelKeyDeletion", json!({"KeyId": k})),
        (ErrorCode::LimitExceededException, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": " ".repeat(40_000)})),
        (ErrorCode::MalformedPolicyDocumentException, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": "{"})),
        (ErrorCode::NotFoundException, ADMIN, "DescribeKey", json!({"KeyId": "alias/none"})),
        (ErrorCode::TagException, ADMIN, "TagResource", json!({"KeyId": k, "Tags": many})),
        (ErrorCode::UnsupportedOperationException, ADMIN, "EnableKeyRotation", json!({"KeyId": hmac})),
        (ErrorCode::ValidationException, ADMIN, "GenerateRandom", json!({"NumberOfBytes": 0})),
    ];
    let mut seen = BTreeSet::new();
    for (code, who, op, params) in cases {
        let out = call(&mut w, who, op, params);
        assert_eq!(out.error_code(), Some(code), "{op}: {:?}", out.response);
        // The trace's outcome and the audit record carry the same error.
        assert_eq!(
            out.trace.outcome,
            kmsim_kms::trace::Outcome::Error { code, message: out.response.clone().unwrap_err().message }
        );
        let rec = w.audit().records().iter().find(|r| r.event_id == out.event_id).unwrap();
        assert_eq!(rec.error_code.as_deref(), Some(code.cloudtrail_name()));
        seen.insert(code);
    }
    let want: BTreeSet<_> = ALL_CODES.iter().copied().filter(|c| !NEVER_RETURNED.contains(c)).collect();
    assert_eq!(seen, want, "every returnable code is covered");
    for c in ALL_CODES {
        assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
    }
}

#[test]
fn request_parsing_errors() {
    let e = KmsRequest::from_parts("Nope", json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("unknown operation `Nope`"));
    let e = KmsRequest::from_parts("Encrypt", json!({"KeyId": "k"})).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = KmsRequest::from_parts("Encrypt", json!({"KeyId": "k", "Plaintext": "not base64!"})).unwrap_err();
    assert!(e.message.contains("base64"), "{}", e.message);
    let e = KmsRequest::from_parts("DescribeKey", json!({"KeyId": "k", "Extra": 1})).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    // Every operation name round-trips through from_parts with minimal parameters or reports a validation error.
    for op in OPERATIONS {
        match KmsRequest::from_parts(op, json!({})) {
            Ok(r) => assert_eq!(r.operation(), *op),
            Err(e) => assert_eq!(e.code, ErrorCode::ValidationException),
        }
    }
}
