//! The world as a whole: seeded reproducibility, serialise/restore mid-scenario, no secrets anywhere, and the
//! CloudTrail-shaped audit log with its queries.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::audit::EventType;
use kmsim_kms::*;
use serde_json::{json, Value as Json};

const SECRET: &str = "Tr0ub4dor&3-correct-horse-battery-staple";

/// A scenario of calls; returns every outcome.
fn scenario(w: &mut World, steps: std::ops::Range<usize>) -> Vec<CallOutcome> {
    let mut outs = Vec::new();
    for i in steps {
        let key =
            w.keys().filter(|k| k.account == A && k.manager == KeyManager::CUSTOMER).map(|k| k.arn.clone()).next();
        let out = match (i, key) {
            (0, _) | (_, None) => call(w, ADMIN, "CreateKey", json!({"Description": "k"})),
            (1, Some(k)) => call(
                w,
                ADMIN,
                "Encrypt",
                json!({"KeyId": k, "Plaintext": {"Text": SECRET}, "EncryptionContext": {"t": "1"}}),
            ),
            (2, Some(k)) => call(
                w,
                ADMIN,
                "CreateGrant",
                json!({"KeyId": k, "GranteePrincipal": ALICE, "Operations": ["Decrypt", "GenerateDataKey"]}),
            ),
            (3, Some(k)) => call(w, ALICE, "GenerateDataKey", json!({"KeyId": k, "KeySpec": "AES_256"})),
            (4, Some(k)) => call(w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 90})),
            (5, _) => {
                w.advance(Duration { days: 91, ..Default::default() }).unwrap();
                call(w, ADMIN, "GenerateRandom", json!({"NumberOfBytes": 16}))
            }
            (6, Some(k)) => call(w, BOB, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": SECRET}})),
            (7, Some(k)) => call(w, ADMIN, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": SECRET}})),
            (8, Some(k)) => call(w, ADMIN, "CreateAlias", json!({"AliasName": "alias/s", "TargetKeyId": k})),
            (_, Some(k)) => call(w, ALICE, "GenerateDataKeyWithoutPlaintext", json!({"KeyId": k, "NumberOfBytes": 64})),
        };
        outs.push(out);
    }
    outs
}

/// Decrypts every ciphertext an outcome produced and returns the plaintexts.
fn decrypt_all(w: &mut World, outs: &[CallOutcome]) -> Vec<Json> {
    let mut got = Vec::new();
    for o in outs {
        if let Ok(r) = &o.response {
            if let Some(blob) = r.get("CiphertextBlob") {
                let ec = if o.trace.operation == "Encrypt" && got.is_empty() { json!({"t": "1"}) } else { json!({}) };
                got.push(
                    call(w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": ec}))
                        .response
                        .unwrap_or(Json::Null),
                );
            }
        }
    }
    got
}

#[test]
fn same_seed_same_calls_same_ids_ciphertexts_grants_and_events() {
    let mut w1 = world_seeded(42);
    let mut w2 = world_seeded(42);
    let a = scenario(&mut w1, 0..10);
    let b = scenario(&mut w2, 0..10);
    assert_eq!(a, b);
    assert_eq!(w1.audit(), w2.audit());
    assert_eq!(serde_json::to_string(&w1).unwrap(), serde_json::to_string(&w2).unwrap());
    let mut w3 = world_seeded(43);
    let c = scenario(&mut w3, 0..10);
    assert_ne!(a[0].response, c[0].response, "another seed gives other key ids");
    assert_ne!(a[1].response, c[1].response, "and other ciphertexts");
}

#[test]
fn serialise_mid_scenario_restore_and_continue() {
    let mut straight = world_seeded(9);
    let all = scenario(&mut straight, 0..10);

    let mut first = world_seeded(9);
    let head = scenario(&mut first, 0..5);
    let text = serde_json::to_string(&first).unwrap();
    let mut restored: World = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&restored).unwrap(), text, "a restored world serialises identically");
    let tail = scenario(&mut restored, 5..10);
    let joined: Vec<_> = head.into_iter().chain(tail).collect();
    assert_eq!(joined, all, "same decisions, same blobs, same ids, same traces");
    assert_eq!(restored.audit(), straight.audit());
    // Old ciphertexts decrypt in the restored world exactly as in the original.
    assert_eq!(decrypt_all(&mut restored, &all), decrypt_all(&mut straight, &all));
    assert!(decrypt_all(&mut restored, &all).iter().all(|r| !r.is_null()));
}

/// A saved world keeps its audit log compactly (each caller once, per record only what differs) and reads it back
/// record for record; a log saved as an array of CloudTrail records (worlds saved before) reads back too.
#[test]
fn the_saved_audit_log_is_compact_and_reads_back_in_both_forms() {
    let mut w = world_seeded(5);
    scenario(&mut w, 0..10);
    let k = w.keys().next().unwrap().arn.clone();
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 90}));
    w.advance(Duration { days: 91, ..Default::default() }).unwrap();
    let saved = serde_json::to_value(&w).unwrap();
    let log = &saved["audit"];
    let callers = log["callers"].as_array().unwrap();
    let records = log["records"].as_array().unwrap();
    assert_eq!(records.len(), w.audit().len());
    assert!(callers.len() < records.len() / 2, "{} callers for {} records", callers.len(), records.len());
    assert!(records.iter().all(|r| r.get("eventSource").is_none() && r.get("userIdentity").is_none()));
    assert!(records.iter().any(|r| r["eventType"] == "AwsServiceEvent"), "service events say so");
    let back: World = serde_json::from_value(saved.clone()).unwrap();
    assert_eq!(back.audit(), w.audit());
    assert_eq!(serde_json::to_value(&back).unwrap(), saved);
    // The CloudTrail form of every record is the same after the round trip.
    assert_eq!(
        serde_json::to_value(back.audit().records()).unwrap(),
        serde_json::to_value(w.audit().records()).unwrap()
    );

    let mut old = saved.clone();
    old["audit"] = serde_json::to_value(w.audit().records()).unwrap();
    let from_old: World = serde_json::from_value(old).unwrap();
    assert_eq!(from_old.audit(), w.audit());
    assert_eq!(serde_json::to_value(&from_old).unwrap(), saved);
}

#[test]
fn a_broken_saved_audit_log_is_refused_with_what_is_wrong() {
    let mut w = world_seeded(5);
    scenario(&mut w, 0..3);
    let saved = serde_json::to_value(&w).unwrap();
    let with = |path: &str, value: Json| {
        let mut v = saved.clone();
        *v.pointer_mut(path).unwrap() = value;
        serde_json::from_value::<World>(v).unwrap_err().to_string()
    };
    let e = with("/audit/records/1/caller", json!(99));
    assert!(e.contains("audit record 1 names caller 99, but the log has"), "{e}");
    let e = with("/audit/records/0/eventID", json!("not-an-id"));
    assert!(e.contains("`not-an-id` is not an event id"), "{e}");
    let e = with("/audit", json!(5));
    assert!(
        e.contains("an audit log: an object with `callers` and `records`, or an array of CloudTrail records"),
        "{e}"
    );
    let mut v = saved.clone();
    let first_with_key = v["audit"]["records"].as_array().unwrap().iter().position(|r| r.get("resources").is_some());
    let i = first_with_key.unwrap();
    v["audit"]["records"][i]["resources"] = json!(["alias/x"]);
    let e = serde_json::from_value::<World>(v).unwrap_err().to_string();
    assert!(e.contains(&format!("audit record {i}: resource `alias/x` is not a key ARN")), "{e}");
}

#[test]
fn no_key_material_or_plaintext_in_the_world_traces_or_audit_log() {
    let mut w = world();
    let outs = scenario(&mut w, 0..10);
    let k = w.keys().next().unwrap().arn.clone();
    let dk = ok(&mut w, ADMIN, "GenerateDataKey", json!({"KeyId": k, "KeySpec": "AES_256"}));
    let dk_b64 = dk["Plaintext"].as_str().unwrap().to_string();
    let random =
        ok(&mut w, ADMIN, "GenerateRandom", json!({"NumberOfBytes": 32}))["Plaintext"].as_str().unwrap().to_string();
    let blob = encrypt(&mut w, ADMIN, &k, SECRET, json!({}));
    let dec = call(&mut w, ADMIN, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(dec.response.as_ref().unwrap()["Plaintext"], b64(SECRET.as_bytes()));
    let world_json = serde_json::to_string(&w).unwrap();
    let traces: Vec<String> = outs.iter().chain([&dec]).map(|o| serde_json::to_string(&o.trace).unwrap()).collect();
    let audit = serde_json::to_string(w.audit()).unwrap();
    let cloudtrail = serde_json::to_string(w.audit().records()).unwrap();
    let secret_b64 = b64(SECRET.as_bytes());
    for (name, hay) in [("world", &world_json), ("audit", &audit), ("cloudtrail", &cloudtrail)]
        .into_iter()
        .chain(traces.iter().map(|t| ("trace", t)))
    {
        for needle in [SECRET, secret_b64.as_str(), dk_b64.as_str(), random.as_str()] {
            assert!(!hay.contains(needle), "{name} contains `{needle}`");
        }
        // Nor a grant token.
        for o in &outs {
            if let Some(t) = o.response.as_ref().ok().and_then(|r| r.get("GrantToken")).and_then(|t| t.as_str()) {
                assert!(!hay.contains(t), "{name} contains a grant token");
            }
        }
    }
    // The sanity check can fail: the plaintext is in the Decrypt response itself.
    assert!(serde_json::to_string(&dec.response).unwrap().contains(&secret_b64));
}

#[test]
fn every_call_is_audited_including_denied_ones() {
    let mut w = world();
    let k = new_key(&mut w);
    let before = w.audit().len();
    let out = call(
        &mut w,
        ADMIN,
        "Encrypt",
        json!({"KeyId": k, "Plaintext": {"Text": "x"}, "EncryptionContext": {"dept": "eng"}}),
    );
    let denied = call(
        &mut w,
        ALICE,
        "Decrypt",
        json!({"CiphertextBlob": out.response.as_ref().unwrap()["CiphertextBlob"], "EncryptionContext": {"dept": "eng"}}),
    );
    let bad = call(&mut w, ADMIN, "DescribeKey", json!({"KeyId": "alias/missing"}));
    assert_eq!(w.audit().len(), before + 3);
    let recs = w.audit().records();
    let e = recs.iter().find(|r| r.event_id == out.event_id).unwrap();
    assert_eq!(e.event_name, "Encrypt");
    // The CloudTrail JSON has every field CloudTrail writes, the ones all KMS records share included.
    let j = serde_json::to_value(e).unwrap();
    assert_eq!(j["eventSource"], "kms.amazonaws.com");
    assert_eq!(j["eventVersion"], "1.11");
    assert_eq!(j["eventType"], "AwsApiCall");
    assert_eq!((j["managementEvent"].clone(), j["eventCategory"].clone()), (json!(true), json!("Management")));
    assert_eq!(j["requestID"].as_str().unwrap().len(), 36);
    assert_eq!(j["resources"], json!([{ "accountId": A, "type": "AWS::KMS::Key", "ARN": k }]));
    assert_eq!(e.event_type, EventType::AwsApiCall);
    assert_eq!(e.event_time, w.now());
    assert!(e.read_only);
    assert_eq!(e.user_identity.kind, "IAMUser");
    assert_eq!(e.user_identity.arn.as_deref(), Some(ADMIN));
    assert_eq!(e.user_identity.user_name.as_deref(), Some("admin"));
    assert_eq!(e.request_parameters.as_ref().unwrap().value()["encryptionContext"], json!({"dept": "eng"}));
    assert_eq!(j["requestParameters"]["keyId"], k.as_str());
    assert_eq!(&*e.resources[0].arn, k.as_str());
    assert!(e.error_code.is_none());
    let d = recs.iter().find(|r| r.event_id == denied.event_id).unwrap();
    // CloudTrail writes a denial as `AccessDenied` (the API's exception is AccessDeniedException).
    assert_eq!(d.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(denied.error_code(), Some(kmsim_kms::ErrorCode::AccessDeniedException));
    assert!(d.error_message.as_deref().unwrap().contains("kms:Decrypt"));
    assert_eq!(d.user_identity.arn.as_deref(), Some(ALICE));
    let n = recs.iter().find(|r| r.event_id == bad.event_id).unwrap();
    assert_eq!(n.error_code.as_deref(), Some("NotFoundException"));
    // Changes are not read-only.
    let out = call(&mut w, ADMIN, "DisableKey", json!({"KeyId": k}));
    assert!(!w.audit().records().iter().find(|r| r.event_id == out.event_id).unwrap().read_only);
    // A role session's identity.
    let out = call(&mut w, APP, "DescribeKey", json!({"KeyId": k}));
    let r = w.audit().records().iter().find(|r| r.event_id == out.event_id).unwrap();
    assert_eq!(r.user_identity.kind, "AssumedRole");
    assert_eq!(r.user_identity.session_context.as_ref().unwrap().session_issuer.arn, APP_ROLE);
    assert_eq!(serde_json::to_value(r).unwrap()["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"], APP_ROLE);
}

#[test]
fn cross_account_calls_are_recorded_in_both_accounts() {
    let mut w = world();
    let k = new_key(&mut w);
    let p =
        key_policy(A, json!([{"Effect": "Allow", "Principal": {"AWS": ROOT_B}, "Action": "kms:*", "Resource": "*"}]));
    ok(&mut w, ADMIN, "PutKeyPolicy", json!({"KeyId": k, "Policy": p}));
    let out = call(&mut w, EXT, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    assert!(out.is_success());
    let q = AuditQuery { principal: Some(EXT.into()), event_name: Some("Encrypt".into()), ..Default::default() };
    let recs: Vec<_> = w.audit().query(&q).collect();
    assert_eq!(recs.len(), 2);
    let mut accounts: Vec<_> = recs.iter().map(|r| &*r.recipient_account_id).collect();
    accounts.sort();
    assert_eq!(accounts, vec![A, B]);
    assert!(recs.iter().all(|r| r.user_identity.account_id.as_deref() == Some(B)));
    let only_a = AuditQuery { account: Some(A.into()), ..q.clone() };
    assert_eq!(w.audit().query(&only_a).count(), 1);
    // A denied cross-account call too.
    call(&mut w, EXT_NOPOL, "Encrypt", json!({"KeyId": k, "Plaintext": {"Text": "x"}}));
    let q = AuditQuery { principal: Some(EXT_NOPOL.into()), outcome: Some("failure".into()), ..Default::default() };
    assert_eq!(w.audit().query(&q).count(), 2);
}

#[test]
fn audit_queries_by_key_principal_event_outcome_time_and_context() {
    let mut w = world();
    let k1 = new_key(&mut w);
    let k2 = new_key(&mut w);
    ok(&mut w, ADMIN, "CreateGrant", json!({"KeyId": k1, "GranteePrincipal": APP_ROLE, "Operations": ["Encrypt"]}));
    let t0 = w.now();
    encrypt(&mut w, APP, &k1, "a", json!({"tenant": "t1"}));
    w.advance(Duration { hours: 1, ..Default::default() }).unwrap();
    let t1 = w.now();
    encrypt(&mut w, ADMIN, &k2, "b", json!({"tenant": "t2"}));
    call(&mut w, ALICE, "Encrypt", json!({"KeyId": k1, "Plaintext": {"Text": "x"}}));
    let count = |q: AuditQuery| w.audit().query(&q).count();
    assert_eq!(
        count(AuditQuery { key: Some(k2.clone()), event_name: Some("Encrypt".into()), ..Default::default() }),
        1
    );
    assert_eq!(
        count(AuditQuery { key: Some(key_id_of(&k1)), event_name: Some("Encrypt".into()), ..Default::default() }),
        2
    );
    assert_eq!(
        count(AuditQuery { principal: Some("App".into()), ..Default::default() }),
        1,
        "a role name matches its sessions"
    );
    assert_eq!(
        count(AuditQuery { event_name: Some("Encrypt".into()), outcome: Some("success".into()), ..Default::default() }),
        2
    );
    assert_eq!(count(AuditQuery { error_code: Some("AccessDeniedException".into()), ..Default::default() }), 1);
    assert_eq!(count(AuditQuery { error_code: Some("AccessDenied".into()), ..Default::default() }), 1);
    assert_eq!(count(AuditQuery { event_name: Some("Encrypt".into()), from: Some(t1), ..Default::default() }), 2);
    assert_eq!(
        count(AuditQuery { event_name: Some("Encrypt".into()), from: Some(t0), to: Some(t0), ..Default::default() }),
        1
    );
    let ec = [("tenant".to_string(), "t1".to_string())].into_iter().collect();
    assert_eq!(count(AuditQuery { encryption_context: Some(ec), ..Default::default() }), 1);
}

#[test]
fn service_events_for_rotation_and_deletion() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 90}));
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": k, "PendingWindowInDays": 30}));
    // Pending deletion: no rotation; the deletion arrives.
    let ev = w.advance(Duration { days: 100, ..Default::default() }).unwrap();
    assert_eq!(ev.iter().map(|e| &*e.event_name).collect::<Vec<_>>(), vec!["DeleteKey"]);
    let k2 = new_key(&mut w);
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k2, "RotationPeriodInDays": 90}));
    let ev = w.advance(Duration { days: 90, ..Default::default() }).unwrap();
    let r = &ev[0];
    assert_eq!((&*r.event_name, r.event_type.as_str()), ("RotateKey", "AwsServiceEvent"));
    assert_eq!(r.user_identity.kind, "AWSService");
    assert_eq!(&*r.resources[0].arn, k2.as_str());
    assert!(w.audit().records().contains(r));
}
