//! Worlds that must not hang, crawl or corrupt: rotation periods are checked wherever they enter, the clock stops at
//! the last instant ISO 8601 can write, and ListGrants pages through every grant exactly once.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

mod common;

use common::*;
use kmsim_kms::key::validate_rotation_period;
use kmsim_kms::*;
use serde_json::{json, Value as Json};

fn days(n: i64) -> Duration {
    Duration { days: n, ..Duration::default() }
}

#[test]
fn rotation_periods_outside_aws_range_are_rejected_with_aws_message() {
    for bad in [0, 1, 89, 2561, -5, i64::from(u32::MAX) + 1] {
        let e = validate_rotation_period(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationException);
        let bound = if bad < 90 { "greater than or equal to 90" } else { "less than or equal to 2560" };
        assert_eq!(e.message, format!("1 validation error detected: Value '{bad}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value {bound}"));
    }
    // The same range and message as botocore's model gives EnableKeyRotation.
    let s = model::shape("RotationPeriodInDaysType").unwrap();
    assert_eq!((s.min, s.max), (Some(*key::ROTATION_PERIOD_DAYS.start()), Some(*key::ROTATION_PERIOD_DAYS.end())));
    for bad in [89, 2561] {
        let v = validate::validate("EnableKeyRotation", &json!({"KeyId": "k", "RotationPeriodInDays": bad}));
        assert_eq!(v.unwrap_err(), validate_rotation_period(bad).unwrap_err());
    }
    assert_eq!(validate_rotation_period(90).unwrap(), 90);
    assert_eq!(validate_rotation_period(2560).unwrap(), 2560);
    let mut w = world();
    let k = new_key(&mut w);
    let e = err(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 0}));
    assert!(e.message.contains("Value '0' at 'rotationPeriodInDays'"), "{}", e.message);
}

#[test]
fn a_restored_world_with_period_zero_is_refused() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 90}));
    let mut saved: Json = serde_json::to_value(&w).unwrap();
    let text = saved.to_string();
    assert!(serde_json::from_str::<World>(&text).is_ok());
    let key = saved["keys"].as_object_mut().unwrap().values_mut().next().unwrap();
    key["rotation"]["period_days"] = json!(0);
    let e = serde_json::from_value::<World>(saved).unwrap_err().to_string();
    assert!(e.contains("Value '0' at 'rotationPeriodInDays'"), "{e}");
}

#[test]
fn advance_refuses_a_key_inserted_with_period_zero_instead_of_hanging() {
    let mut w = world();
    let k = new_key(&mut w);
    let mut key = w.key(&k).unwrap().clone();
    key.rotation.enabled = true;
    key.rotation.period_days = 0;
    key.rotation.next_rotation = Some(w.now().plus_days(1));
    w.insert_key(key);
    let before = w.now();
    let e = w.advance(days(10)).unwrap_err();
    assert!(e.message.contains(&k) && e.message.contains("rotationPeriodInDays"), "{}", e.message);
    assert_eq!(w.now(), before, "a refused advance changes nothing");
}

#[test]
fn the_clock_stops_at_year_9999_and_the_world_still_restores() {
    let mut w = world();
    let k = new_key(&mut w);
    ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": 2560}));
    let audit_before = w.audit().len();
    // Far past the end: an error, nothing changes.
    let e = w.advance(days(3_000_000)).unwrap_err();
    assert!(e.message.contains("9999-12-31T23:59:59.999Z"), "{}", e.message);
    assert_eq!(w.now(), Timestamp::DEFAULT_START);
    assert_eq!(w.audit().len(), audit_before);
    // To the end (durations count whole seconds: 23:59:59.000): fine, with every rotation on the way.
    let to_end = Timestamp::MAX.millis() - w.now().millis();
    let events = w.advance(Duration::from_millis(to_end)).unwrap();
    let end = Timestamp(Timestamp::MAX.millis() - 999);
    assert_eq!(w.now(), end);
    let expected = (Timestamp::MAX.millis() - Timestamp::DEFAULT_START.millis()) / (2560 * 86_400_000);
    assert_eq!(events.len() as i64, expected);
    assert!(events.windows(2).all(|p| p[0].event_time < p[1].event_time));
    // The next rotation would be after the end: it stops at the end, so the world can be written and read back.
    assert_eq!(w.key(&k).unwrap().rotation.next_rotation, Some(Timestamp::MAX));
    let text = serde_json::to_string(&w).unwrap();
    let mut back: World = serde_json::from_str(&text).unwrap();
    assert_eq!(back.now(), end);
    assert!(text.contains("9999-12-31T23:59:59.999Z") && text.contains("9999-12-31T23:59:59Z"));
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    // And not one second further.
    assert!(back.advance(Duration { seconds: 1, ..Duration::default() }).is_err());
    assert_eq!(back.advance(Duration::default()).unwrap().len(), 0);
}

#[test]
fn rotations_and_deletions_run_in_time_then_arn_order() {
    let mut w = world();
    let keys: Vec<String> = (0..6).map(|_| new_key(&mut w)).collect();
    for (i, k) in keys.iter().enumerate() {
        let period = if i % 2 == 0 { 90 } else { 180 };
        ok(&mut w, ADMIN, "EnableKeyRotation", json!({"KeyId": k, "RotationPeriodInDays": period}));
    }
    ok(&mut w, ADMIN, "DisableKey", json!({"KeyId": keys[4]}));
    ok(&mut w, ADMIN, "ScheduleKeyDeletion", json!({"KeyId": keys[5], "PendingWindowInDays": 7}));
    let events = w.advance(days(400)).unwrap();
    let got: Vec<(Timestamp, String, String)> =
        events.iter().map(|e| (e.event_time, e.resources[0].arn.to_string(), e.event_name.to_string())).collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got, sorted, "time order, then ARN order");
    let count = |k: &str, name: &str| got.iter().filter(|(_, a, n)| a == k && n == name).count();
    assert_eq!(count(&keys[0], "RotateKey"), 4); // days 90, 180, 270, 360
    assert_eq!(count(&keys[1], "RotateKey"), 2); // days 180, 360
    assert_eq!(count(&keys[4], "RotateKey"), 0, "disabled keys do not rotate");
    assert_eq!(count(&keys[5], "DeleteKey"), 1);
    assert_eq!(count(&keys[5], "RotateKey"), 0);
    assert_eq!(w.key(&keys[0]).unwrap().current_version, 5);
}

/// Every grant id on `key` through ListGrants pages of `limit`, and the number of pages.
fn list_all(w: &mut World, key: &str, limit: u32, grantee: Option<&str>) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = json!({"KeyId": key, "Limit": limit});
        if let Some(m) = &marker {
            params["Marker"] = json!(m);
        }
        if let Some(g) = grantee {
            params["GranteePrincipal"] = json!(g);
        }
        let page = ok(w, ADMIN, "ListGrants", params);
        pages += 1;
        let grants = page["Grants"].as_array().unwrap();
        assert!(grants.len() <= limit as usize);
        ids.extend(grants.iter().map(|g| g["GrantId"].as_str().unwrap().to_string()));
        match page["Truncated"].as_bool().unwrap() {
            true => marker = Some(page["NextMarker"].as_str().unwrap().to_string()),
            false => {
                assert!(page.get("NextMarker").is_none());
                return (ids, pages);
            }
        }
        assert!(pages < 1000, "pagination does not end");
    }
}

#[test]
fn list_grants_returns_every_grant_exactly_once_in_order_with_any_limit() {
    let mut w = world();
    let key = new_key(&mut w);
    let mut all = Vec::new();
    let mut alices = Vec::new();
    for i in 0..23 {
        let grantee = if i % 3 == 0 { ALICE.to_string() } else { format!("arn:aws:iam::111122223333:user/u{i}") };
        let g = ok(
            &mut w,
            ADMIN,
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": grantee, "Operations": ["Decrypt"]}),
        );
        let id = g["GrantId"].as_str().unwrap().to_string();
        if grantee == ALICE {
            alices.push(id.clone());
        }
        all.push(id);
    }
    all.sort();
    alices.sort();
    for limit in 1..=25 {
        let (ids, pages) = list_all(&mut w, &key, limit, None);
        assert_eq!(ids, all, "limit {limit}");
        assert_eq!(pages, all.len().div_ceil(limit as usize).max(1), "limit {limit}");
        let (ids, _) = list_all(&mut w, &key, limit, Some(ALICE));
        assert_eq!(ids, alices, "limit {limit}, alice's grants");
    }
    // A grant revoked between two pages: the next page seeks past it, nothing is repeated or skipped.
    let first = ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": key, "Limit": 5}));
    let marker = first["NextMarker"].as_str().unwrap().to_string();
    ok(&mut w, ADMIN, "RevokeGrant", json!({"KeyId": key, "GrantId": marker}));
    let rest = ok(&mut w, ADMIN, "ListGrants", json!({"KeyId": key, "Limit": 100, "Marker": marker}));
    let rest: Vec<&str> = rest["Grants"].as_array().unwrap().iter().map(|g| g["GrantId"].as_str().unwrap()).collect();
    let want: Vec<&str> = all.iter().skip(6).map(String::as_str).collect();
    assert_eq!(rest, want);
    // A marker that cannot be one.
    let e = err(&mut w, ADMIN, "ListGrants", json!({"KeyId": key, "Marker": "12"}));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}
