//! An authorization question (`World::simulate`, a scenario's `authorize` step) and the call it asks about derive
//! the same request context: for every implemented operation, every kind of caller and any encryption context, the
//! context the call's authorization saw (`AuthzTrace::context`) equals the context `simulate` builds, except for the
//! keys of request parameters a bare question cannot know (`request_parameter_key`).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests may fail loudly")]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use kmsim_kms::*;
use kmsim_policy::{Context, ContextValue, Value};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// The condition keys a call derives from request parameters that an authorization question does not carry (the
/// question names a caller, an action, a resource and an encryption context, nothing else). Keys set from a
/// parameter's default or from how the call is made are NOT here: `simulate` derives them too.
fn request_parameter_key(op: Operation, key: &str) -> bool {
    use Operation as O;
    let tags = key.starts_with("aws:RequestTag/") || key == "aws:TagKeys";
    match op {
        // The tags of the request; BypassPolicyLockoutSafetyCheck when it is sent (without it the key is absent).
        O::CreateKey => tags || key == "kms:BypassPolicyLockoutSafetyCheck",
        O::PutKeyPolicy => key == "kms:BypassPolicyLockoutSafetyCheck",
        O::TagResource => tags,
        O::UntagResource => key == "aws:TagKeys",
        // The grant asked for: its operations, grantee, retiring principal and constraint (which
        // kms:EncryptionContext:* describe on CreateGrant).
        O::CreateGrant => {
            matches!(
                key,
                "kms:GrantOperations" | "kms:GranteePrincipal" | "kms:RetiringPrincipal" | "kms:GrantConstraintType"
            ) || key.starts_with("kms:EncryptionContext")
        }
        // Whether the destination key is the source key.
        O::ReEncrypt => key == "kms:ReEncryptOnSameKey",
        // PendingWindowInDays and RotationPeriodInDays as sent (or defaulted by the handler).
        O::ScheduleKeyDeletion => key == "kms:ScheduleKeyDeletionPendingWindowInDays",
        O::EnableKeyRotation => key == "kms:RotationPeriodInDays",
        _ => false,
    }
}

/// A caller of each kind the context distinguishes.
fn caller(kind: usize) -> Caller {
    match kind {
        0 => Caller::new(ADMIN),
        1 => Caller::new(APP),
        2 => Caller::new(APP_ROLE),
        3 => Caller::new(ADMIN).via("s3.us-east-1.amazonaws.com"),
        4 => Caller::new(APP).with_mfa(true),
        5 => {
            let mut c = Caller::new(ADMIN);
            c.source_ip = Some("198.51.100.7".into());
            c.context.insert("aws:SourceVpc", ContextValue::Single(Value::String("vpc-1".into())));
            c
        }
        _ => Caller::new(ROOT_A),
    }
}

/// A world where role App may use KMS, with a tagged, aliased key, a grant on it, a ciphertext under `ec` and the alias `alias/new` the alias
/// operations' examples name (CreateAlias gets its own name, which must not exist yet).
fn setup(op: Operation, ec: &BTreeMap<String, String>) -> (World, String, Json, String) {
    let mut w = world();
    // Every caller may reach every authorization of a call (alias operations authorize the alias first).
    w.account_mut(A).roles.get_mut("App").unwrap().policies.push(allow_all_kms());
    let key = new_key(&mut w);
    let a = call(&mut w, ADMIN, "TagResource", json!({"KeyId": key, "Tags": [{"TagKey": "team", "TagValue": "a"}]}));
    assert!(a.is_success(), "{:?}", a.response);
    let a = call(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/k", "TargetKeyId": key}));
    assert!(a.is_success(), "{:?}", a.response);
    if op != Operation::CreateAlias {
        let a = call(&mut w, ADMIN, "CreateAlias", json!({"AliasName": "alias/new", "TargetKeyId": key}));
        assert!(a.is_success(), "{:?}", a.response);
    }
    let ct = call(&mut w, ADMIN, "Encrypt", json!({"KeyId": key, "Plaintext": {"Text": "x"}, "EncryptionContext": ec}));
    let ct = ct.response.unwrap()["CiphertextBlob"].clone();
    let g = call(
        &mut w,
        ADMIN,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": APP_ROLE, "Operations": ["Decrypt", "RetireGrant"]}),
    );
    let grant_id = g.response.unwrap()["GrantId"].as_str().unwrap().to_string();
    (w, key, ct, grant_id)
}

/// The operation's example parameters (the operation table's), with the key, ciphertext, grant and encryption
/// context filled in.
fn params(op: Operation, key: &str, ct: &Json, grant_id: &str, ec: &BTreeMap<String, String>) -> Json {
    let text = op
        .facts()
        .example
        .replace("\"KEY\"", &format!("\"{key}\""))
        .replace("\"GRANT_ID\"", &format!("\"{grant_id}\""))
        .replace("role/NAME", "role/App");
    let mut p: Json = serde_json::from_str(&text).unwrap();
    let obj = p.as_object_mut().unwrap();
    if obj.get("CiphertextBlob").is_some_and(|v| v == "CT") {
        obj.insert("CiphertextBlob".into(), ct.clone());
    }
    if op.facts().takes_ec {
        let name = if op == Operation::ReEncrypt { "SourceEncryptionContext" } else { "EncryptionContext" };
        obj.insert(name.into(), json!(ec));
    }
    if let Some(policy) = obj.get("Policy").filter(|p| p.is_object()) {
        let text = policy.to_string();
        obj.insert("Policy".into(), json!(text));
    }
    if op == Operation::CreateAlias {
        obj.insert("AliasName".into(), json!("alias/brand-new"));
    }
    p
}

fn keys(c: &Context) -> BTreeMap<String, ContextValue> {
    c.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The keys on which the call's context and the question's differ.
fn differences(call: &Context, question: &Context) -> BTreeSet<String> {
    let (a, b) = (keys(call), keys(question));
    a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

/// The implemented operations decided by policies. RetireGrant is decided by the grant itself (its retiring
/// principal, its grantee, the key's account: `AuthorizedBy::Grant`), so its call has no policy authorization to
/// compare with a question.
fn implemented() -> Vec<Operation> {
    use kmsim_kms::operation::AuthorizedBy;
    Operation::ALL
        .iter()
        .copied()
        .filter(|op| op.implemented() && op.facts().authorized_by != AuthorizedBy::Grant)
        .collect()
}

fn check(op: Operation, who: &Caller, ec: &BTreeMap<String, String>) -> Result<(), TestCaseError> {
    let (mut w, key, ct, grant_id) = setup(op, ec);
    let action = op.action();
    let resource = if op.facts().authorized_by == kmsim_kms::operation::AuthorizedBy::Iam { "*" } else { &key };
    let ec_map: kmsim_kms::hsm::EncryptionContext = ec.clone();
    // The question is asked of the world as it is before the call (the call may change the key).
    let question = w.simulate(who, action, resource, op.facts().takes_ec.then_some(&ec_map)).unwrap();
    let req = KmsRequest::from_parts(op.name(), params(op, &key, &ct, &grant_id, ec)).unwrap();
    let out = w.call(who, &req);
    let Some(authz) = out.trace.authorizations.iter().find(|a| a.action == action && a.resource == resource) else {
        return Err(TestCaseError::fail(format!(
            "{op:?}: the call made no `{action}` authorization on `{resource}`: {:?}",
            out.response
        )));
    };
    let unexplained: Vec<String> =
        differences(&authz.context, &question.context).into_iter().filter(|k| !request_parameter_key(op, k)).collect();
    prop_assert!(
        unexplained.is_empty(),
        "{op:?} as {}: the call and the question disagree on {unexplained:?}\ncall: {:?}\nquestion: {:?}",
        who.principal,
        keys(&authz.context),
        keys(&question.context)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_question_and_its_call_see_the_same_context(
        op in prop::sample::select(implemented()),
        who in 0usize..7,
        ec in prop::collection::btree_map("[a-c]{1,2}", "[x-z]{0,2}", 0..3),
    ) {
        check(op, &caller(who), &ec)?;
    }
}

/// Every operation once, as every kind of caller (the property test samples; this covers the table).
#[test]
fn every_operation_and_caller() {
    let ec: BTreeMap<String, String> = [("app".to_string(), "demo".to_string())].into();
    for op in implemented() {
        for who in 0..7 {
            check(op, &caller(who), &ec).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The comparison can fail: the bypass parameter a PutKeyPolicy call sends is a difference (one a question may
/// not know), and a question asked as another caller differs on keys no request parameter explains.
#[test]
fn differences_are_found() {
    let mut w = world();
    let key = new_key(&mut w);
    let admin = Caller::new(ADMIN);
    let question = w.simulate(&admin, "kms:PutKeyPolicy", &key, None).unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ROOT_A}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let sent = json!({"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": false});
    let out = call(&mut w, ADMIN, "PutKeyPolicy", sent);
    let d = differences(&out.trace.authorizations[0].context, &question.context);
    assert_eq!(d, BTreeSet::from(["kms:BypassPolicyLockoutSafetyCheck".to_string()]));
    // Without the parameter the key is absent from both (the documented `Null` pattern).
    let out = call(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": key, "Policy": policy}));
    assert!(out.trace.authorizations[0].context.get("kms:BypassPolicyLockoutSafetyCheck").is_none());
    assert!(differences(&out.trace.authorizations[0].context, &question.context).is_empty());
    // Another caller: differences that no request parameter explains.
    let other = w.simulate(&Caller::new(APP), "kms:PutKeyPolicy", &key, None).unwrap();
    let d = differences(&out.trace.authorizations[0].context, &other.context);
    assert!(d.contains("aws:PrincipalArn") && d.contains("aws:MultiFactorAuthPresent"), "{d:?}");
    assert!(d.iter().all(|k| !request_parameter_key(Operation::PutKeyPolicy, k)));
}
