//! Authorization: how the key policy, identity policies, guardrails and grants combine, the context keys a call
//! derives, cross-account rules, AccessDeniedException messages, and the trace.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::trace::{CombiningRule, DecidedBy, Missing, PolicyKind, StatementId};
use kmsim_kms::*;
use kmsim_policy::PolicyType;
use serde_json::{json, Value as Json};

fn enc(k: &str) -> Json {
    json!({"KeyId": k, "Plaintext": {"Text": "x"}})
}

fn give(w: &mut World, user: &str, p: NamedPolicy) {
    w.account_mut(A).users.get_mut(user).unwrap().policies.push(p);
}

#[test]
fn same_account_key_policy_directly_or_delegation_plus_iam() {
    let mut w = world();
    let k = new_key(&mut w);
    // Default policy delegates to IAM: admin (IAM kms:*) is allowed, alice (no IAM) is not.
    let out = call(&mut w, ADMIN, "Encrypt", enc(&k));
    assert!(matches!(out.trace.authorizations[0].decided_by, DecidedBy::KeyPolicyAndIdentity { .. }));
    assert_eq!(out.trace.authorizations[0].rule, CombiningRule::SameAccount);
    let e = err(&mut w, ALICE, "Encrypt", enc(&k));
    assert_eq!(e.message, format!("User: {ALICE} is not authorized to perform: kms:Encrypt on resource: {k} because no identity-based policy allows the kms:Encrypt action"));
    // A key policy naming alice directly needs no IAM policy.
    let p = key_policy(
        A,
        json!([{"Sid": "alice", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:Encrypt", "Resource": "*"}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let out = call(&mut w, ALICE, "Encrypt", enc(&k));
    let statement =
        StatementId { policy: PolicyKind::KeyPolicy, name: "default".into(), index: 1, sid: Some("alice".into()) };
    assert_eq!(out.trace.authorizations[0].decided_by, DecidedBy::KeyPolicy { statement });
    // Without the account statement IAM allows have no effect.
    let only_alice = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [ALICE, ADMIN]}, "Action": "kms:PutKeyPolicy", "Resource": "*"}]}).to_string();
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": only_alice}));
    let e = err(&mut w, ADMIN, "Encrypt", enc(&k));
    assert_eq!(e.message, format!("User: {ADMIN} is not authorized to perform: kms:Encrypt on resource: {k} because no resource-based policy allows the kms:Encrypt action"));
}

#[test]
fn an_iam_deny_still_applies_without_the_account_statement() {
    let mut w = world();
    let k = new_key(&mut w);
    let p = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [ALICE, ADMIN]}, "Action": "kms:*", "Resource": "*"}]}).to_string();
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    ok(&mut w, ALICE, "Encrypt", enc(&k));
    give(&mut w, "alice", identity("deny", json!([{"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}])));
    let out = call(&mut w, ALICE, "Encrypt", enc(&k));
    assert!(matches!(
        out.trace.authorizations[0].decided_by,
        DecidedBy::ExplicitDeny { statement: StatementId { policy: PolicyKind::Identity, .. } }
    ));
}

#[test]
fn cross_account_needs_the_key_policy_and_the_callers_iam() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/shared", "TargetKeyId": k}));
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({}));
    // The key policy does not name B yet.
    let e = err(&mut w, EXT, "Encrypt", enc(&k));
    assert!(e.message.ends_with("because no resource-based policy allows the kms:Encrypt action"), "{}", e.message);
    let p =
        key_policy(A, json!([{"Effect": "Allow", "Principal": {"AWS": ROOT_B}, "Action": "kms:*", "Resource": "*"}]));
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let out = call(&mut w, EXT, "Encrypt", enc(&k));
    assert!(out.is_success(), "{:?}", out.response);
    assert_eq!(out.trace.authorizations[0].rule, CombiningRule::CrossAccount);
    ok(&mut w, EXT, "Decrypt", json!({"CiphertextBlob": blob}));
    ok(&mut w, EXT, "Encrypt", enc(&format!("arn:aws:kms:us-east-1:{A}:alias/shared")));
    ok(&mut w, EXT, "DescribeKey", json!({"KeyId": k}));
    ok(&mut w, EXT, "GetKeyRotationStatus", json!({"KeyId": k}));
    // No IAM policy in B: denied, and the message names the identity-based policy.
    let e = err(&mut w, EXT_NOPOL, "Encrypt", enc(&k));
    assert!(e.message.ends_with("because no identity-based policy allows the kms:Encrypt action"), "{}", e.message);
    // Bare key id or alias name from another account: not found (they resolve in the caller's account).
    assert_eq!(err(&mut w, EXT, "Encrypt", enc(&key_id_of(&k))).code, ErrorCode::NotFoundException);
    assert_eq!(err(&mut w, EXT, "Encrypt", enc("alias/shared")).code, ErrorCode::NotFoundException);
    // Not a cross-account operation, whatever the policies say.
    for (op, params) in [
        ("ScheduleKeyDeletion", json!({"KeyId": k})),
        ("TagResource", json!({"KeyId": k, "Tags": [{"TagKey": "a", "TagValue": "b"}]})),
        ("PutKeyPolicy", json!({"KeyId": k, "Policy": key_policy(A, json!([]))})),
        ("DisableKey", json!({"KeyId": k})),
    ] {
        let out = call(&mut w, EXT, op, params);
        assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException), "{op}");
        assert_eq!(
            out.trace.authorizations[0].decided_by,
            DecidedBy::ImplicitDeny { missing: Missing::CrossAccountNotSupported },
            "{op}"
        );
    }
    assert_eq!(w.key(&k).unwrap().state, KeyState::Enabled);
    // An IAM policy in B scoped to another key does not count.
    w.account_mut(B).users.get_mut("nopol").unwrap().policies.push(identity(
        "other",
        json!([{"Effect": "Allow", "Action": "kms:*", "Resource": format!("arn:aws:kms:us-east-1:{A}:key/other")}]),
    ));
    assert_eq!(err(&mut w, EXT_NOPOL, "Encrypt", enc(&k)).code, ErrorCode::AccessDeniedException);
}

#[test]
fn scps_boundaries_and_session_policies() {
    // SCP without an allow: implicit deny for everyone in the account, including a direct key-policy allow.
    let mut w = world();
    let k = new_key(&mut w);
    w.account_mut(A).scps.push(policy("only-describe", PolicyType::Scp, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"}]}).to_string()));
    let e = err(&mut w, ADMIN, "Encrypt", enc(&k));
    assert!(e.message.ends_with("because no service control policy allows the kms:Encrypt action"), "{}", e.message);
    ok(&mut w, ADMIN, "DescribeKey", json!({"KeyId": k}));
    w.account_mut(A).scps.push(policy("deny-enc", PolicyType::Scp, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}]}).to_string()));
    let e = err(&mut w, ADMIN, "Encrypt", enc(&k));
    assert!(e.message.ends_with("with an explicit deny in a service control policy"), "{}", e.message);

    // Permissions boundary: cuts the IAM path; a key-policy allow naming the user's own ARN is not cut.
    let mut w = world();
    let k = new_key(&mut w);
    w.account_mut(A).users.get_mut("admin").unwrap().permissions_boundary = Some(policy("pb", PolicyType::PermissionsBoundary, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"}]}).to_string()));
    let e = err(&mut w, ADMIN, "Encrypt", enc(&k));
    assert!(e.message.ends_with("because no permissions boundary allows the kms:Encrypt action"), "{}", e.message);
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": ADMIN}, "Action": "kms:Encrypt", "Resource": "*"}]),
    );
    // (PutKeyPolicy as root: the admin's boundary does not allow it.)
    ok(&mut w, ROOT_A, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    ok(&mut w, ADMIN, "Encrypt", enc(&k));

    // A role named in the key policy: its boundary still applies to its sessions.
    let mut w = world();
    let k = new_key(&mut w);
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": APP_ROLE}, "Action": "kms:Encrypt", "Resource": "*"}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    ok(&mut w, APP, "Encrypt", enc(&k));
    w.account_mut(A).roles.get_mut("App").unwrap().permissions_boundary = Some(policy(
        "pb",
        PolicyType::PermissionsBoundary,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
            .to_string(),
    ));
    assert_eq!(err(&mut w, APP, "Encrypt", enc(&k)).code, ErrorCode::AccessDeniedException);
    w.account_mut(A).roles.get_mut("App").unwrap().permissions_boundary = None;
    // A session policy that does not allow the action cuts it too.
    let mut caller = Caller::new(APP);
    caller.session_policy = Some(policy(
        "sp",
        PolicyType::Session,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]})
            .to_string(),
    ));
    let out = call_as(&mut w, &caller, "Encrypt", enc(&k));
    assert!(out.response.unwrap_err().message.ends_with("because no session policy allows the kms:Encrypt action"));
}

#[test]
fn mfa_conditions_with_long_term_and_temporary_credentials() {
    let mut w = world();
    w.account_mut(A).roles.get_mut("App").unwrap().policies.push(allow_all_kms());
    let deny_if_exists = key_policy(
        A,
        json!([{"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]),
    );
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": deny_if_exists}));
    let sched = json!({"KeyId": k});
    // A long-term access key has no aws:MultiFactorAuthPresent: IfExists makes the deny apply.
    let out = call(&mut w, ADMIN, "ScheduleKeyDeletion", sched.clone());
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    assert!(out.trace.authorizations[0].context.get("aws:MultiFactorAuthPresent").is_none());
    // A session without MFA: present and false.
    assert_eq!(
        call(&mut w, APP, "ScheduleKeyDeletion", sched.clone()).error_code(),
        Some(ErrorCode::AccessDeniedException)
    );
    // With MFA: allowed.
    call_as(&mut w, &Caller::new(APP).with_mfa(true), "ScheduleKeyDeletion", sched.clone()).response.unwrap();
    ok(&mut w, ADMIN, "CancelKeyDeletion", sched.clone());
    // The Bool version leaves long-term credentials through.
    let deny_bool = key_policy(
        A,
        json!([{"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": deny_bool}));
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", sched.clone());
    ok(&mut w, ADMIN, "CancelKeyDeletion", sched.clone());
    // MFA age.
    let deny_old = key_policy(
        A,
        json!([{"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
        "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": deny_old}));
    let mut old = Caller::new(APP).with_mfa(true);
    old.mfa_age_seconds = Some(7200);
    assert_eq!(
        call_as(&mut w, &old, "ScheduleKeyDeletion", sched.clone()).error_code(),
        Some(ErrorCode::AccessDeniedException)
    );
    old.mfa_age_seconds = Some(60);
    call_as(&mut w, &old, "ScheduleKeyDeletion", sched).response.unwrap();
    // Explicit credentials override the default.
    let mut temp_user = Caller::new(ADMIN);
    temp_user.credentials = Some(Credentials::Temporary);
    let out = call_as(&mut w, &temp_user, "DescribeKey", json!({"KeyId": k}));
    assert!(out.trace.authorizations[0].context.get("aws:MultiFactorAuthPresent").is_some());
}

#[test]
fn source_ip_and_via_aws_service() {
    let mut w = world();
    let k = new_key(&mut w);
    let p = key_policy(
        A,
        json!([{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:ViaAWSService": "false"}}}]),
    );
    // The admin calls from outside 10.0.0.0/8, so the lockout check refuses the policy unless bypassed.
    let e = err(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocumentException);
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p, "BypassPolicyLockoutSafetyCheck": true}));
    let mut inside = Caller::new(ADMIN);
    inside.source_ip = Some("10.1.2.3".into());
    call_as(&mut w, &inside, "Encrypt", enc(&k)).response.unwrap();
    let mut outside = Caller::new(ADMIN);
    outside.source_ip = Some("192.0.2.1".into());
    assert_eq!(call_as(&mut w, &outside, "Encrypt", enc(&k)).error_code(), Some(ErrorCode::AccessDeniedException));
    // A service calls from its own address; the aws:ViaAWSService exemption keeps it working.
    let via = Caller::new(ADMIN).via("s3.us-east-1.amazonaws.com");
    let out = call_as(&mut w, &via, "Encrypt", enc(&k));
    assert!(out.is_success());
    let ctx = &out.trace.authorizations[0].context;
    for key in ["kms:ViaService", "aws:ViaAWSService", "aws:CalledVia", "aws:SourceIp"] {
        assert!(ctx.get(key).is_some(), "{key}");
    }
}

#[test]
fn abac_with_resource_and_principal_tags() {
    let mut w = world();
    give(
        &mut w,
        "bob",
        identity(
            "abac",
            json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/Project}"}}}]),
        ),
    );
    w.account_mut(A).users.get_mut("bob").unwrap().tags.insert("Project".into(), "blue".into());
    let blue = key_with(&mut w, ADMIN, json!({"Tags": [{"TagKey": "Project", "TagValue": "blue"}]}));
    let red = key_with(&mut w, ADMIN, json!({"Tags": [{"TagKey": "Project", "TagValue": "red"}]}));
    ok(&mut w, BOB, "Encrypt", enc(&blue));
    assert_eq!(err(&mut w, BOB, "Encrypt", enc(&red)).code, ErrorCode::AccessDeniedException);
    // Tag escalation: whoever can tag can change access.
    ok(&mut w, ADMIN, "TagResource", json!({"KeyId": red, "Tags": [{"TagKey": "Project", "TagValue": "blue"}]}));
    ok(&mut w, BOB, "Encrypt", enc(&red));
    // Session tags join the role's tags.
    w.account_mut(A).roles.get_mut("App").unwrap().policies.push(identity(
        "abac",
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/Project}"}}}]),
    ));
    let mut s = Caller::new(APP);
    assert_eq!(call_as(&mut w, &s, "Encrypt", enc(&blue)).error_code(), Some(ErrorCode::AccessDeniedException));
    s.session_tags.insert("Project".into(), "blue".into());
    call_as(&mut w, &s, "Encrypt", enc(&blue)).response.unwrap();
}

#[test]
fn request_alias_and_resource_aliases() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/finance", "TargetKeyId": k}));
    give(
        &mut w,
        "bob",
        identity(
            "ra",
            json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:RequestAlias": "alias/finance"}}}]),
        ),
    );
    ok(&mut w, BOB, "Encrypt", enc("alias/finance"));
    ok(&mut w, BOB, "Encrypt", enc(&format!("arn:aws:kms:us-east-1:{A}:alias/finance")));
    assert_eq!(err(&mut w, BOB, "Encrypt", enc(&k)).code, ErrorCode::AccessDeniedException);
    give(
        &mut w,
        "alice",
        identity(
            "res",
            json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance"}}}]),
        ),
    );
    ok(&mut w, ALICE, "Encrypt", enc(&k));
    ok(&mut w, ADMIN, "DeleteAlias", json!({"AliasName": "alias/finance"}));
    assert_eq!(err(&mut w, ALICE, "Encrypt", enc(&k)).code, ErrorCode::AccessDeniedException);
    // An IAM allow on the alias ARN is about the alias, not the key.
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/x", "TargetKeyId": k}));
    give(
        &mut w,
        "bob",
        identity(
            "alias",
            json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": format!("arn:aws:kms:us-east-1:{A}:alias/x")}]),
        ),
    );
    assert_eq!(err(&mut w, BOB, "Encrypt", enc("alias/x")).code, ErrorCode::AccessDeniedException);
}

#[test]
fn encryption_context_condition_keys_for_tenant_isolation() {
    let mut w = world();
    let k = new_key(&mut w);
    w.account_mut(A).users.get_mut("bob").unwrap().tags.insert("tenant".into(), "t1".into());
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/tenant}"},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "path"]}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let e = |ec: Json| json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionContext": ec});
    ok(&mut w, BOB, "Encrypt", e(json!({"tenant": "t1", "path": "/a"})));
    ok(&mut w, BOB, "Encrypt", e(json!({"tenant": "t1"})));
    for bad in [json!({"tenant": "t2"}), json!({"tenant": "t1", "other": "x"}), json!({})] {
        assert_eq!(
            call(&mut w, BOB, "Encrypt", e(bad.clone())).error_code(),
            Some(ErrorCode::AccessDeniedException),
            "{bad}"
        );
    }
    // The context key name is case-insensitive.
    let p = key_policy(
        A,
        json!([{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:Tenant": "t1"}}}]),
    );
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    ok(&mut w, ALICE, "Encrypt", e(json!({"tenant": "t1"})));
}

#[test]
fn key_property_and_request_condition_keys() {
    let mut w = world();
    give(
        &mut w,
        "bob",
        identity(
            "spec",
            json!([
                {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*", "Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:KeyUsage": "ENCRYPT_DECRYPT", "kms:KeyOrigin": "AWS_KMS"}}},
                {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:PutKeyPolicy"], "Resource": "*", "Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:CallerAccount": A}}},
                {"Effect": "Allow", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*", "Condition": {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}},
                {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-06-01T00:00:00Z"}}},
                {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]),
        ),
    );
    let k = key_with(&mut w, BOB, json!({}));
    ok(&mut w, BOB, "Encrypt", enc(&k));
    assert_eq!(
        err(&mut w, BOB, "CreateKey", json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})).code,
        ErrorCode::AccessDeniedException
    );
    assert_eq!(err(&mut w, BOB, "CreateKey", json!({"Origin": "EXTERNAL"})).code, ErrorCode::AccessDeniedException);
    assert_eq!(
        err(&mut w, BOB, "ScheduleKeyDeletion", json!({"KeyId": k, "PendingWindowInDays": 7})).code,
        ErrorCode::AccessDeniedException
    );
    ok(&mut w, BOB, "ScheduleKeyDeletion", json!({"KeyId": k, "PendingWindowInDays": 30}));
    let k2 = key_with(&mut w, BOB, json!({}));
    w.advance(Duration { days: 200, ..Default::default() }).unwrap();
    let out = call(&mut w, BOB, "Encrypt", enc(&k2));
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException), "aws:CurrentTime follows the simulated clock");
    // aws:PrincipalArn of a session is the role ARN; aws:PrincipalAccount the account.
    let out = call(&mut w, APP, "DescribeKey", json!({"KeyId": k2}));
    let ctx = serde_json::to_value(&out.trace.authorizations[0].context).unwrap();
    let text = ctx.to_string();
    assert!(text.contains(APP_ROLE), "{text}");
    assert!(out.trace.authorizations[0].context.get("aws:PrincipalAccount").is_some());
}

#[test]
fn iam_only_actions_need_resource_star() {
    let mut w = world();
    let k = new_key(&mut w);
    give(
        &mut w,
        "bob",
        identity(
            "scoped",
            json!([{"Effect": "Allow", "Action": ["kms:ListKeys", "kms:ListAliases", "kms:CreateKey"], "Resource": k}]),
        ),
    );
    assert_eq!(err(&mut w, BOB, "ListKeys", json!({})).code, ErrorCode::AccessDeniedException);
    assert_eq!(err(&mut w, BOB, "ListAliases", json!({})).code, ErrorCode::AccessDeniedException);
    give(
        &mut w,
        "bob",
        identity("star", json!([{"Effect": "Allow", "Action": ["kms:ListKeys", "kms:ListAliases"], "Resource": "*"}])),
    );
    ok(&mut w, BOB, "ListKeys", json!({}));
    ok(&mut w, BOB, "ListAliases", json!({}));
    // A key-policy allow cannot grant an IAM-only action.
    let p =
        key_policy(A, json!([{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}]));
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    assert_eq!(err(&mut w, ALICE, "ListKeys", json!({})).code, ErrorCode::AccessDeniedException);
}

#[test]
fn alias_operations_need_the_alias_and_the_key() {
    let mut w = world();
    let k = new_key(&mut w);
    give(
        &mut w,
        "bob",
        identity(
            "alias-only",
            json!([{"Effect": "Allow", "Action": "kms:CreateAlias", "Resource": format!("arn:aws:kms:us-east-1:{A}:alias/*")}]),
        ),
    );
    // The IAM policy covers the alias but not the key (the key policy delegates; bob's IAM does not name the key).
    let out = call(&mut w, BOB, "CreateAlias", json!({"AliasName": "alias/b", "TargetKeyId": k}));
    assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException));
    assert_eq!(out.trace.authorizations.len(), 2);
    assert!(out.trace.authorizations[0].allowed());
    give(&mut w, "bob", identity("key", json!([{"Effect": "Allow", "Action": "kms:CreateAlias", "Resource": k}])));
    ok(&mut w, BOB, "CreateAlias", json!({"AliasName": "alias/b", "TargetKeyId": k}));
}

#[test]
fn unknown_principals_are_refused() {
    let mut w = world();
    let k = new_key(&mut w);
    for who in [
        "arn:aws:iam::111122223333:user/ghost",
        "arn:aws:sts::111122223333:assumed-role/Ghost/s",
        "arn:aws:iam::999999999999:root",
    ] {
        let out = call(&mut w, who, "DescribeKey", json!({"KeyId": k}));
        assert_eq!(out.error_code(), Some(ErrorCode::AccessDeniedException), "{who}");
    }
}

#[test]
fn the_trace_shape_and_trace_on_off_give_the_same_decision() {
    let mut w = world();
    let k = new_key(&mut w);
    let blob = encrypt(&mut w, ADMIN, &k, "x", json!({"a": "b"}));
    grant(&mut w, &k);
    for who in [ADMIN, ALICE, BOB, EXT] {
        let mut w_on = w.clone();
        let mut w_off = w.clone();
        let on = call_as(
            &mut w_on,
            &Caller::new(who).with_trace(true),
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}),
        );
        let off = call_as(
            &mut w_off,
            &Caller::new(who).with_trace(false),
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}),
        );
        assert_eq!(on.response, off.response, "{who}");
        assert_eq!(on.trace.outcome, off.trace.outcome);
        let (a_on, a_off) = (&on.trace.authorizations[0], &off.trace.authorizations[0]);
        assert_eq!((a_on.decision, &a_on.decided_by), (a_off.decision, &a_off.decided_by));
        assert!(a_on.policies.iter().all(|p| p.result.trace.is_some()), "statement-level trace with trace on");
        assert!(a_off.policies.iter().all(|p| p.result.trace.is_none()));
    }
    let out = call(&mut w, ALICE, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}));
    let t = &out.trace;
    assert_eq!(t.operation, "Decrypt");
    assert_eq!(t.caller, ALICE);
    let a = &t.authorizations[0];
    assert_eq!(a.action, "kms:Decrypt");
    assert_eq!(a.resource, k);
    assert!(a.context.get("kms:EncryptionContext:a").is_some());
    assert!(a.policies.iter().any(|p| p.kind == PolicyKind::KeyPolicy));
    assert_eq!(a.grants.len(), 1);
    assert!(!a.explanation.is_empty());
    let kinds: Vec<_> = t.checks.iter().map(|c| c.kind).collect();
    use kmsim_kms::trace::CheckKind::*;
    assert_eq!(kinds, vec![KeyLookup, KeyState, KeyUsage, Cryptography]);
    assert!(t.checks.iter().all(|c| c.passed));
    assert_eq!(t.outcome, kmsim_kms::trace::Outcome::Success);
    // World::simulate answers the same question without executing anything.
    let s = w
        .simulate(
            &Caller::new(ALICE),
            "kms:Decrypt",
            &k,
            Some(&[("a".to_string(), "b".to_string())].into_iter().collect()),
        )
        .unwrap();
    assert!(s.allowed());
    let s = w.simulate(&Caller::new(BOB), "Decrypt", &k, None).unwrap();
    assert!(!s.allowed());
}

fn grant(w: &mut World, k: &str) {
    ok(w, ADMIN, "CreateGrant", json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}));
}

#[test]
fn a_role_arn_caller_acts_through_a_role_session() {
    // IAM User Guide, policy evaluation logic: "the principal making the request is the IAM role session ARN and not
    // the ARN of the role itself"; aws:MultiFactorAuthPresent is present for temporary credentials.
    let mut w = world();
    w.account_mut(A).roles.get_mut("App").unwrap().policies.push(allow_all_kms());
    let k = new_key(&mut w);
    let session = "arn:aws:sts::111122223333:assumed-role/App/session";
    assert_eq!(Caller::new(APP_ROLE).role_session().unwrap().principal, session);
    assert_eq!(
        Caller::new("arn:aws:iam::111122223333:role/team/App").role_session().unwrap().principal,
        session,
        "a session ARN has no role path"
    );
    assert!(Caller::new(APP).role_session().is_none() && Caller::new(ADMIN).role_session().is_none());

    let out = call(&mut w, APP_ROLE, "DescribeKey", json!({"KeyId": k}));
    assert!(out.is_success(), "{:?}", out.response);
    assert_eq!(out.trace.caller, session);
    let a = &out.trace.authorizations[0];
    assert!(
        a.explanation[0].starts_with(&format!("role `{APP_ROLE}` acting through session `{session}`")),
        "{:?}",
        a.explanation
    );
    let text = |c: &kmsim_policy::Context, key: &str| {
        c.get(key).map(|v| v.values().iter().map(kmsim_policy::Value::as_text).collect::<Vec<_>>().join(","))
    };
    let get = |key: &str| text(&a.context, key);
    assert_eq!(get("aws:MultiFactorAuthPresent").as_deref(), Some("false"));
    assert_eq!(get("aws:PrincipalArn").as_deref(), Some(APP_ROLE));
    assert_eq!(get("aws:PrincipalType").as_deref(), Some("AssumedRole"));
    assert!(get("aws:userid").is_some_and(|s| s.starts_with("AROA") && s.ends_with(":session")));
    // The same context as a session of the role named directly, and as the question about it.
    let direct = call(&mut w, session, "DescribeKey", json!({"KeyId": k}));
    assert!(direct.trace.authorizations[0].explanation.iter().all(|l| !l.contains("acting through")));
    assert_eq!(direct.trace.authorizations[0].context, a.context);
    let q = w.simulate(&Caller::new(APP_ROLE), "kms:DescribeKey", &k, None).unwrap();
    assert_eq!(q.context, a.context);
    assert!(q.explanation[0].contains("acting through session"));
    // CloudTrail sees an AssumedRole session issued by the role.
    let rec = w.audit().records().iter().rev().nth(1).unwrap();
    assert_eq!(rec.user_identity.kind, "AssumedRole");
    assert_eq!(rec.user_identity.arn.as_deref(), Some(session));
    let ctx = rec.user_identity.session_context.as_ref().unwrap();
    assert_eq!(ctx.session_issuer.arn, APP_ROLE);
    assert_eq!(ctx.attributes.mfa_authenticated, "false");
    // With MFA the key says so.
    let mfa = call_as(&mut w, &Caller::new(APP_ROLE).with_mfa(true), "DescribeKey", json!({"KeyId": k}));
    let v =
        mfa.trace.authorizations[0].context.get("aws:MultiFactorAuthPresent").map(|v| serde_json::to_value(v).unwrap());
    assert_eq!(v, Some(json!(true)));
}
