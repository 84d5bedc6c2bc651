//! Key management: CreateKey and the default key policy, DescribeKey/ListKeys, descriptions, enable/disable,
//! deletion and its cancellation, key policies and the lockout check, aliases, tags, rotation, AWS managed keys.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::*;
use serde_json::json;

#[test]
fn create_key_writes_the_default_key_policy_exactly_as_aws() {
    let mut w = world();
    let key = new_key(&mut w);
    let p = ok(&mut w, ADMIN, "GetKeyPolicy", json!({"KeyId": key}));
    assert_eq!(p["PolicyName"], "default");
    let text = p["Policy"].as_str().unwrap();
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        v,
        json!({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",
            "Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]})
    );
    let names = ok(&mut w, ADMIN, "ListKeyPolicies", json!({"KeyId": key}));
    assert_eq!(names["PolicyNames"], json!(["default"]));
    let e = err(&mut w, ADMIN, "GetKeyPolicy", json!({"KeyId": key, "PolicyName": "other"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

#[test]
fn describe_list_and_update_description() {
    let mut w = world();
    let key = key_with(&mut w, ADMIN, json!({"Description": "first"}));
    let d = ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": key}));
    let m = &d["KeyMetadata"];
    assert_eq!(m["Description"], "first");
    assert_eq!(m["KeyState"], "Enabled");
    assert_eq!(m["Enabled"], true);
    assert_eq!(m["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(m["KeyManager"], "CUSTOMER");
    assert_eq!(m["AWSAccountId"], A);
    assert_eq!(m["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    // DescribeKey by bare id and by alias too.
    let id = key_id_of(&key);
    assert_eq!(ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["Arn"], key.as_str());
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/d", "TargetKeyId": id}));
    assert_eq!(ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/d"}))["KeyMetadata"]["Arn"], key.as_str());
    ok(&mut w, ADMIN, "UpdateKeyDescription", json!({"KeyId": key, "Description": "second"}));
    assert_eq!(ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["Description"], "second");
    let e = err(&mut w, ADMIN, "UpdateKeyDescription", json!({"KeyId": key, "Description": "x".repeat(8193)}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    // UpdateKeyDescription does not accept an alias.
    let e = err(&mut w, ADMIN, "UpdateKeyDescription", json!({"KeyId": "alias/d", "Description": "x"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);

    let second = new_key(&mut w);
    let _other_account = key_with(&mut w, EXT, json!({}));
    let list = ok(&mut w, ADMIN, "ListKeys", json!({}));
    let arns: Vec<&str> = list["Keys"].as_array().unwrap().iter().map(|k| k["KeyArn"].as_str().unwrap()).collect();
    assert_eq!(arns.len(), 2, "ListKeys lists only the caller's account: {arns:?}");
    assert!(arns.contains(&key.as_str()) && arns.contains(&second.as_str()));
    // Pagination.
    let page = ok(&mut w, ADMIN, "ListKeys", json!({"Limit": 1}));
    assert_eq!(page["Truncated"], true);
    let marker = page["NextMarker"].as_str().unwrap().to_string();
    let rest = ok(&mut w, ADMIN, "ListKeys", json!({"Limit": 1, "Marker": marker}));
    assert_eq!(rest["Truncated"], false);
    assert_ne!(rest["Keys"][0], page["Keys"][0]);
    let e = err(&mut w, ADMIN, "ListKeys", json!({"Marker": "not-a-marker"}));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}

#[test]
fn create_key_validations() {
    let mut w = world();
    let e = err(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "RSA_2048"}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("You must specify a KeyUsage value"), "{}", e.message);
    let e = err(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "NOPE"}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = err(&mut w, ADMIN, "CreateKey", json!({"KeySpec": "HMAC_256", "KeyUsage": "ENCRYPT_DECRYPT"}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = err(&mut w, ADMIN, "CreateKey", json!({"Tags": [{"TagKey": "aws:x", "TagValue": "v"}]}));
    assert_eq!(e.code, ErrorCode::TagException);
    let e = err(&mut w, ADMIN, "CreateKey", json!({"Origin": "AWS_CLOUDHSM"}));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
    let ext = key_with(&mut w, ADMIN, json!({"Origin": "EXTERNAL"}));
    assert_eq!(w.key(&ext).unwrap().state, KeyState::PendingImport);
    let hmac = key_with(&mut w, ADMIN, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    let e = err(&mut w, ADMIN, "Encrypt", json!({"KeyId": hmac, "Plaintext": {"Text": "x"}}));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
    assert_eq!(e.message, format!("{hmac} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt."));
    // Without IAM permission CreateKey is denied (an IAM-only action).
    let e = err(&mut w, ALICE, "CreateKey", json!({}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("because no identity-based policy allows the kms:CreateKey action"), "{}", e.message);
}

#[test]
fn enable_disable_schedule_cancel_and_deletion() {
    let mut w = world();
    let key = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/doomed", "TargetKeyId": key}));
    let blob = encrypt(&mut w, ADMIN, &key, "x", json!({}));
    ok(&mut w, ADMIN, "DisableKey", json!({"KeyId": key}));
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!((e.code, e.message.clone()), (ErrorCode::DisabledException, format!("{key} is disabled.")));
    ok(&mut w, ADMIN, "EnableKey", json!({"KeyId": key}));
    ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));

    for bad in [6, 31, 0] {
        let e = err(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": key, "PendingWindowInDays": bad}));
        assert_eq!(e.code, ErrorCode::ValidationException, "{bad}");
    }
    let start = w.now();
    let r = ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": key}));
    assert_eq!(r["PendingWindowInDays"], 30, "default window");
    assert_eq!(r["DeletionDate"], json!(start.plus_days(30).epoch_seconds()));
    assert_eq!(r["KeyState"], "PendingDeletion");
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!((e.code, e.message), (ErrorCode::KMSInvalidStateException, format!("{key} is pending deletion.")));
    let d = ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": key}));
    assert_eq!(d["KeyMetadata"]["DeletionDate"], json!(start.plus_days(30).epoch_seconds()));

    // CancelKeyDeletion leaves the key Disabled.
    ok(&mut w, ADMIN, "CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(w.key(&key).unwrap().state, KeyState::Disabled);
    assert!(w.key(&key).unwrap().deletion_date.is_none());
    let e = err(&mut w, ADMIN, "CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(e.message, format!("{key} is not pending deletion."));

    // Schedule with 7 days; nothing happens at 6 days; at 7 days the key and its aliases are gone.
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": key, "PendingWindowInDays": 7}));
    let events = w.advance(Duration { days: 6, ..Default::default() }).unwrap();
    assert!(events.is_empty());
    assert!(w.key(&key).is_some());
    let events = w.advance(Duration { days: 1, ..Default::default() }).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_name, "DeleteKey");
    assert_eq!(events[0].event_type.as_str(), "AwsServiceEvent");
    assert_eq!(events[0].event_time, start.plus_days(7));
    assert!(w.key(&key).is_none());
    assert_eq!(w.aliases().count(), 0, "aliases of a deleted key are deleted");
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": key}));
    assert_eq!((e.code, e.message), (ErrorCode::NotFoundException, format!("Key '{key}' does not exist")));
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/doomed"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    // An old ciphertext of the deleted key can no longer be decrypted.
    let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_ne!(e.code, ErrorCode::InvalidCiphertextException);
    let q = AuditQuery { event_name: Some("DeleteKey".into()), ..Default::default() };
    assert_eq!(w.audit().query(&q).count(), 1);
}

#[test]
fn key_ids_that_do_not_exist() {
    let mut w = world();
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "nope"}));
    assert_eq!((e.code, e.message), (ErrorCode::NotFoundException, "Invalid keyId 'nope'".to_string()));
    let missing = "1234abcd-12ab-44cd-96ef-1234567890ab";
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": missing}));
    assert_eq!(e.message, format!("Key 'arn:aws:kms:us-east-1:{A}:key/{missing}' does not exist"));
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": ""}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = err(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/none"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

// ---- key policies ----------------------------------------------------------------------------------------------

#[test]
fn put_key_policy_lockout_check_and_bypass() {
    let mut w = world();
    let key = new_key(&mut w);
    // A policy that names only alice: admin could not call PutKeyPolicy again.
    let lockout = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let out = call(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": lockout}));
    let e = out.response.as_ref().unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    assert_eq!(e.message, "The new key policy will not allow you to update the key policy in the future.");
    assert!(out.trace.checks.iter().any(|c| c.kind == kmsim_kms::trace::CheckKind::PolicyLockout && !c.passed));
    // The key policy is unchanged.
    assert!(ok(&mut w, ADMIN, "GetKeyPolicy", json!({"KeyId": key}))["Policy"].as_str().unwrap().contains("root"));
    // With the bypass the policy is accepted, and admin is locked out (IAM no longer counts).
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": lockout, "BypassPolicyLockoutSafetyCheck": true}));
    let e = err(&mut w, ADMIN, "GetKeyPolicy", json!({"KeyId": key}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(
        e.message.ends_with("because no resource-based policy allows the kms:GetKeyPolicy action"),
        "{}",
        e.message
    );
    ok(&mut w, ALICE, "GetKeyPolicy", json!({"KeyId": key}));
    // CreateKey applies the same check to its Policy.
    let e = err(
        &mut w,
        ADMIN,
        "CreateKey",
        json!({"Policy": json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}]}).to_string()}),
    );
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    // kms:BypassPolicyLockoutSafetyCheck is in the context: a Deny on it stops the bypass.
    let mut w = world();
    w.account_mut(A).users.get_mut("admin").unwrap().policies.push(identity(
        "no-bypass",
        json!([{"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*",
            "Condition": {"Bool": {"kms:BypassPolicyLockoutSafetyCheck": "true"}}}]),
    ));
    let key = new_key(&mut w);
    let e = err(
        &mut w,
        ADMIN,
        "PutKeyPolicy",
        json!({"KeyId": key, "Policy": key_policy(A, json!([])),
        "BypassPolicyLockoutSafetyCheck": true}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.ends_with("with an explicit deny in an identity-based policy"), "{}", e.message);
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": key_policy(A, json!([]))}));
}

#[test]
fn key_policy_size_limit_and_malformed_policies() {
    let mut w = world();
    let key = new_key(&mut w);
    let padding = "x".repeat(33_000);
    let big = json!({"Version": "2012-10-17", "Statement": [{"Sid": padding, "Effect": "Allow",
        "Principal": {"AWS": ROOT_A}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": big}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    let e = err(&mut w, ADMIN, "CreateKey", json!({"Policy": big}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    // Malformed: the engine's located diagnostics travel with the error.
    let bad = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allw\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}]}";
    let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": bad}));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    assert!(!e.diagnostics.is_empty());
    let d = &e.diagnostics[0];
    let span = serde_json::to_value(d).unwrap();
    assert!(span.to_string().contains("Allw"), "diagnostic should quote the bad value: {span}");
    let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": "not json"}));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    assert!(!e.diagnostics.is_empty());
}

// ---- aliases -----------------------------------------------------------------------------------------------------

#[test]
fn alias_lifecycle_and_rules() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let k2 = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k1}));
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k2}));
    assert_eq!(e.code, ErrorCode::AlreadyExistsException);
    for (name, code) in [
        ("app", ErrorCode::ValidationException),
        ("alias/", ErrorCode::ValidationException),
        ("alias/sp ace", ErrorCode::ValidationException),
        ("alias/aws/mine", ErrorCode::ValidationException),
    ] {
        let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": name, "TargetKeyId": k2}));
        assert_eq!(e.code, code, "{name}");
    }
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "app", "TargetKeyId": k2}));
    assert!(e.message.starts_with("Alias must start with the prefix \"alias/\""));
    // An alias target must be a key id or ARN, not another alias.
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/x", "TargetKeyId": "alias/app"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);

    let enc = ok(&mut w, ADMIN, "Encrypt", json!({"KeyId": "alias/app", "Plaintext": {"Text": "x"}}));
    assert_eq!(enc["KeyId"], k1.as_str());
    ok(&mut w, ADMIN, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k2}));
    let enc = ok(&mut w, ADMIN, "Encrypt", json!({"KeyId": "alias/app", "Plaintext": {"Text": "x"}}));
    assert_eq!(enc["KeyId"], k2.as_str());
    let list = ok(&mut w, ADMIN, "ListAliases", json!({"KeyId": k2}));
    assert_eq!(list["Aliases"].as_array().unwrap().len(), 1);
    assert_eq!(list["Aliases"][0]["AliasName"], "alias/app");
    assert_eq!(list["Aliases"][0]["AliasArn"], format!("arn:aws:kms:us-east-1:{A}:alias/app"));
    assert_eq!(ok(&mut w, ADMIN, "ListAliases", json!({"KeyId": k1}))["Aliases"], json!([]));
    ok(&mut w, ADMIN, "DeleteAlias", json!({"AliasName": "alias/app"}));
    let e = err(&mut w, ADMIN, "DeleteAlias", json!({"AliasName": "alias/app"}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    assert!(w.key(&k2).is_some(), "deleting an alias does not touch the key");
    let e = err(&mut w, ADMIN, "UpdateAlias", json!({"AliasName": "alias/none", "TargetKeyId": k1}));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

#[test]
fn at_most_fifty_aliases_per_key() {
    let mut w = world();
    let k = new_key(&mut w);
    for i in 0..50 {
        ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": format!("alias/a{i}"), "TargetKeyId": k}));
    }
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/a50", "TargetKeyId": k}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
}

#[test]
fn update_alias_needs_the_same_key_type_and_both_permissions() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let hmac = key_with(&mut w, ADMIN, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k1}));
    let e = err(&mut w, ADMIN, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": hmac}));
    assert_eq!(e.code, ErrorCode::ValidationException);

    // bob may update the alias and use k1, but the new key's policy does not allow him.
    let k2 = new_key(&mut w);
    let bob_k1 = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:UpdateAlias", "Resource": "*"}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k1, "Policy": bob_k1}));
    w.account_mut(A).users.get_mut("bob").unwrap().policies.push(identity(
        "alias",
        json!([{"Effect": "Allow", "Action": "kms:UpdateAlias", "Resource": format!("arn:aws:kms:us-east-1:{A}:alias/*")}]),
    ));
    let out = call(&mut w, BOB, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k2}));
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    assert_eq!(out.trace.authorizations.len(), 3, "alias, current key, new key");
    assert!(out.trace.authorizations[0].allowed() && out.trace.authorizations[1].allowed());
    assert_eq!(out.trace.authorizations[2].resource, k2);
    ok(
        &mut w,
        ADMIN,
        "PutKeyPolicy",
        json!({"KeyId": k2, "Policy": key_policy(A, json!([{"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:UpdateAlias", "Resource": "*"}]))}),
    );
    ok(&mut w, BOB, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k2}));
    // Without the IAM permission on the alias, the key policies are not enough.
    w.account_mut(A).users.get_mut("bob").unwrap().policies.clear();
    let e = err(&mut w, BOB, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k1}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains(":alias/app"), "{}", e.message);
}

#[test]
fn update_alias_from_a_key_pending_deletion_works_but_not_to_one() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let k2 = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k1}));
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": k1}));
    ok(&mut w, ADMIN, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k2}));
    let e = err(&mut w, ADMIN, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": k1}));
    assert_eq!((e.code, e.message), (ErrorCode::KMSInvalidStateException, format!("{k1} is pending deletion.")));
}

#[test]
fn alias_aws_prefix_is_reserved() {
    let mut w = world();
    let k = new_key(&mut w);
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/aws/s3", "TargetKeyId": k}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    // An AWS managed key cannot be the target of a customer alias, nor be changed.
    ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/aws/s3"}));
    let managed = w.aliases().find(|a| a.name == "alias/aws/s3").unwrap().target_key_id.clone();
    let e = err(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/mine", "TargetKeyId": managed}));
    assert!(matches!(e.code, ErrorCode::UnsupportedOperationException | ErrorCode::AccessDeniedException), "{e}");
    let e = err(&mut w, ADMIN, "DeleteAlias", json!({"AliasName": "alias/aws/s3"}));
    assert_eq!(e.code, ErrorCode::ValidationException);
}

// ---- tags --------------------------------------------------------------------------------------------------------

#[test]
fn tags_add_replace_remove_and_limits() {
    let mut w = world();
    let k = key_with(&mut w, ADMIN, json!({"Tags": [{"TagKey": "Project", "TagValue": "x"}]}));
    ok(
        &mut w,
        ADMIN,
        "TagResource",
        json!({"KeyId": k, "Tags": [{"TagKey": "Project", "TagValue": "y"}, {"TagKey": "Env", "TagValue": "prod"}]}),
    );
    let t = ok(&mut w, ADMIN, "ListResourceTags", json!({"KeyId": k}));
    assert_eq!(t["Tags"], json!([{"TagKey": "Env", "TagValue": "prod"}, {"TagKey": "Project", "TagValue": "y"}]));
    ok(&mut w, ADMIN, "UntagResource", json!({"KeyId": k, "TagKeys": ["Env"]}));
    let t = ok(&mut w, ADMIN, "ListResourceTags", json!({"KeyId": k}));
    assert_eq!(t["Tags"], json!([{"TagKey": "Project", "TagValue": "y"}]));
    // Lengths are the model's (TagKeyType 1 to 128, TagValueType 0 to 256): ValidationException, AWS's paths.
    let e = err(&mut w, ADMIN, "TagResource", json!({"KeyId": k, "Tags": [{"TagKey": "", "TagValue": "v"}]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("Value '' at 'tags.1.member.tagKey'"), "{e}");
    let e =
        err(&mut w, ADMIN, "TagResource", json!({"KeyId": k, "Tags": [{"TagKey": "k", "TagValue": "v".repeat(257)}]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.ends_with("at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"), "{e}");
    let e = err(&mut w, ADMIN, "UntagResource", json!({"KeyId": k, "TagKeys": ["k".repeat(129)]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128]"), "{e}");
    let many: Vec<_> = (0..50).map(|i| json!({"TagKey": format!("t{i}"), "TagValue": "v"})).collect();
    let e = err(&mut w, ADMIN, "TagResource", json!({"KeyId": k, "Tags": many}));
    assert_eq!(e.code, ErrorCode::TagException);
    assert_eq!(w.key(&k).unwrap().tags.len(), 1, "a failed TagResource changes nothing");
}

#[test]
fn tag_conditions_request_tags_and_tag_keys() {
    let mut w = world();
    w.account_mut(A).users.get_mut("bob").unwrap().policies.push(identity(
        "tagging",
        json!([{"Effect": "Allow", "Action": ["kms:TagResource", "kms:CreateKey"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/Env": "dev"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["Env"]}}}]),
    ));
    let k = new_key(&mut w);
    ok(&mut w, BOB, "TagResource", json!({"KeyId": k, "Tags": [{"TagKey": "Env", "TagValue": "dev"}]}));
    let e = err(&mut w, BOB, "TagResource", json!({"KeyId": k, "Tags": [{"TagKey": "Env", "TagValue": "prod"}]}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(
        &mut w,
        BOB,
        "TagResource",
        json!({"KeyId": k, "Tags": [{"TagKey": "Env", "TagValue": "dev"}, {"TagKey": "Owner", "TagValue": "x"}]}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    // CreateKey with tags also needs kms:TagResource (and the same conditions apply).
    key_with(
        &mut w,
        BOB,
        json!({"Tags": [{"TagKey": "Env", "TagValue": "dev"}], "BypassPolicyLockoutSafetyCheck": false}),
    );
    let e = err(&mut w, BOB, "CreateKey", json!({"Tags": [{"TagKey": "Env", "TagValue": "prod"}]}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

// ---- rotation ----------------------------------------------------------------------------------------------------

#[test]
fn rotation_enable_disable_status_and_automatic_rotation() {
    let mut w = world();
    let k = new_key(&mut w);
    let old = encrypt(&mut w, ADMIN, &k, "before rotation", json!({"a": "1"}));
    let s = ok(&mut w, ADMIN, "GetKeyRotationStatus", json!({"KeyId": k}));
    assert_eq!(s["KeyRotationEnabled"], false);
    for bad in [89, 2561] {
        let e = err(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": bad}));
        assert_eq!(e.code, ErrorCode::ValidationException, "{bad}");
    }
    let start = w.now();
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k}));
    let s = ok(&mut w, ADMIN, "GetKeyRotationStatus", json!({"KeyId": k}));
    assert_eq!(s["KeyRotationEnabled"], true);
    assert_eq!(s["RotationPeriodInDays"], 365, "default period");
    assert_eq!(s["NextRotationDate"], json!(start.plus_days(365).epoch_seconds()));
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 90}));
    assert_eq!(ok(&mut w, ADMIN, "GetKeyRotationStatus", json!({"KeyId": k}))["RotationPeriodInDays"], 90);
    assert!(w.advance(Duration { days: 89, ..Default::default() }).unwrap().is_empty());
    let ev = w.advance(Duration { days: 1, ..Default::default() }).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!((&*ev[0].event_name, ev[0].event_type.as_str()), ("RotateKey", "AwsServiceEvent"));
    assert_eq!(ev[0].event_time, start.plus_days(90));
    // Two more periods in one advance: two rotations.
    let ev = w.advance(Duration { days: 180, ..Default::default() }).unwrap();
    assert_eq!(ev.len(), 2);
    let rot = ok(&mut w, ADMIN, "ListKeyRotations", json!({"KeyId": k}));
    assert_eq!(rot["Rotations"].as_array().unwrap().len(), 3);
    assert_eq!(rot["Rotations"][0]["RotationType"], "AUTOMATIC");
    // Old ciphertexts still decrypt; new ones use the new material and also decrypt.
    let d = ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": old, "EncryptionContext": {"a": "1"}}));
    assert_eq!(d["Plaintext"], b64(b"before rotation"));
    let new = encrypt(&mut w, ADMIN, &k, "after", json!({}));
    assert_ne!(unb64(&new)[..], unb64(&old)[..]);
    ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": new}));
    ok(&mut w, ADMIN, "DisableKeyRotation", json!({"KeyId": k}));
    assert!(w.advance(Duration { days: 1000, ..Default::default() }).unwrap().is_empty());
    assert_eq!(ok(&mut w, ADMIN, "GetKeyRotationStatus", json!({"KeyId": k}))["KeyRotationEnabled"], false);
}

#[test]
fn on_demand_rotation_and_its_limit() {
    let mut w = world();
    let k = new_key(&mut w);
    let old = encrypt(&mut w, ADMIN, &k, "v1", json!({}));
    for _ in 0..25 {
        ok(&mut w, ADMIN, "RotateKeyOnDemand", json!({"KeyId": k}));
    }
    let e = err(&mut w, ADMIN, "RotateKeyOnDemand", json!({"KeyId": k}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    assert!(e.message.starts_with("The on-demand rotations limit has been reached for the given keyId"));
    let rot = ok(&mut w, ADMIN, "ListKeyRotations", json!({"KeyId": k}));
    assert_eq!(rot["Rotations"].as_array().unwrap().len(), 25);
    assert_eq!(rot["Rotations"][0]["RotationType"], "ON_DEMAND");
    assert_eq!(ok(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": old}))["Plaintext"], b64(b"v1"));
    assert_eq!(ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": k}))["KeyMetadata"]["Arn"], k.as_str());
    // Rotation is for symmetric AWS_KMS keys only.
    let hmac = key_with(&mut w, ADMIN, json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}));
    let e = err(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": hmac}));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
    let e = err(&mut w, ADMIN, "RotateKeyOnDemand", json!({"KeyId": hmac}));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
}

// ---- AWS managed keys --------------------------------------------------------------------------------------------

#[test]
fn aws_managed_keys_are_created_on_first_use_and_usable_only_via_the_service() {
    for (service, endpoint) in [
        ("s3", "s3.us-east-1.amazonaws.com"),
        ("ebs", "ec2.us-east-1.amazonaws.com"),
        ("rds", "rds.us-east-1.amazonaws.com"),
        ("lambda", "lambda.us-east-1.amazonaws.com"),
        ("ssm", "ssm.us-east-1.amazonaws.com"),
    ] {
        let mut w = world();
        let alias = format!("alias/aws/{service}");
        assert_eq!(w.keys().count(), 0);
        let via = Caller::new(ADMIN).via(endpoint);
        let out = call_as(&mut w, &via, "Encrypt", json!({"KeyId": alias, "Plaintext": {"Text": "x"}}));
        let blob = out.response.as_ref().unwrap()["CiphertextBlob"].as_str().unwrap().to_string();
        assert_eq!(w.keys().count(), 1, "{service}: created on first use");
        let key = w.keys().next().unwrap().clone();
        assert_eq!(key.manager, KeyManager::AWS);
        let text = key.policy.source().to_string();
        assert!(text.contains("kms:ViaService") && text.contains("kms:CallerAccount"), "{text}");
        // Via the service: allowed. Directly: denied by the key policy, even for a kms:* admin.
        call_as(&mut w, &via, "Decrypt", json!({"CiphertextBlob": blob})).response.unwrap();
        let e = err(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{service}");
        assert!(e.message.contains("because no resource-based policy allows the kms:Decrypt action"), "{}", e.message);
        // Another service's endpoint does not count.
        let wrong = Caller::new(ADMIN).via("sqs.us-east-1.amazonaws.com");
        let out = call_as(&mut w, &wrong, "Decrypt", json!({"CiphertextBlob": blob}));
        assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
        // Another account's principal, even via the service, is refused (kms:CallerAccount).
        let ext = Caller::new(EXT).via(endpoint);
        let out = call_as(&mut w, &ext, "Decrypt", json!({"CiphertextBlob": blob}));
        assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
        // The second use finds the same key.
        ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": alias}));
        assert_eq!(w.keys().count(), 1);
        // Customers cannot change an AWS managed key.
        let e = err(&mut w, ADMIN, "DisableKey", json!({"KeyId": key.arn}));
        assert!(matches!(e.code, ErrorCode::UnsupportedOperationException | ErrorCode::AccessDeniedException), "{e}");
        assert_eq!(w.key(&key.arn).unwrap().state, KeyState::Enabled);
    }
}

#[test]
fn key_policies_must_name_existing_principals() {
    let mut w = world();
    let key = new_key(&mut w);
    let with = |principal: &str| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "P", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:Decrypt", "Resource": "*"}]})
        .to_string()
    };
    // A user that does not exist in a known account: rejected with AWS's message.
    let e = err(
        &mut w,
        ADMIN,
        "PutKeyPolicy",
        json!({"KeyId": key, "Policy": with("arn:aws:iam::111122223333:user/nobody")}),
    );
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    assert_eq!(e.message, "Policy contains a statement with one or more invalid principals.");
    let e = err(
        &mut w,
        ADMIN,
        "PutKeyPolicy",
        json!({"KeyId": key, "Policy": with("arn:aws:iam::111122223333:role/Nope")}),
    );
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": with("not-an-arn")}));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    // Existing principals, account ids, other accounts' roots and accounts outside the world are accepted.
    for p in [ALICE, APP_ROLE, APP, "444455556666", ROOT_B, "arn:aws:iam::999999999999:role/Anything", "*"] {
        ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": with(p)}));
    }
}

#[test]
fn for_all_values_on_single_valued_keys_is_rejected_as_overly_permissive() {
    let mut w = world();
    let key = new_key(&mut w);
    for key_name in ["kms:EncryptionContext:tenant", "aws:RequestTag/Project"] {
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"ForAllValues:StringEquals": {key_name: "t1"}}}]})
        .to_string();
        let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": policy}));
        assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException, "{key_name}");
        assert!(e.message.starts_with("OverlyPermissiveCondition"), "{}", e.message);
    }
    // ForAllValues on the multi-valued kms:EncryptionContextKeys is fine.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant"]}}}]})
    .to_string();
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": policy}));
}
