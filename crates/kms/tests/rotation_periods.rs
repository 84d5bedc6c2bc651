//! Automatic rotation periods outside what KMS accepts (90 to 2560 days, API reference *EnableKeyRotation*,
//! `RotationPeriodInDays`) are refused wherever they enter: a scenario's key is a located load error, a restored
//! world is refused, the call answers ValidationException. A period of 0 used to make `advance` loop forever.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

use kmsim_kms::scenario::Scenario;
use kmsim_kms::session::Session;

fn scenario(days: u32) -> String {
    format!(
        r#"{{
  "seed": 1,
  "accounts": {{ "111122223333": {{}} }},
  "keys": {{ "k": {{ "rotation_period_days": {days} }} }},
  "steps": [ {{ "advance": {{ "days": 400 }} }} ]
}}"#
    )
}

#[test]
fn a_scenario_key_with_a_period_out_of_range_is_a_located_load_error() {
    for days in [0, 1, 89, 2561, u32::MAX] {
        let errors = Scenario::parse(&scenario(days)).expect_err("out of range").errors;
        assert_eq!(errors.len(), 1, "{days}: {errors:?}");
        let e = &errors[0];
        assert_eq!(&*e.span.path, "/keys/k/rotation_period_days");
        assert_eq!((e.span.line, e.span.column), (4, 44), "{days}: the value's position");
        assert!(e.message.contains(&format!("`{days}` days is out of range")), "{}", e.message);
        assert!(e.message.contains("90 to 2560"), "{}", e.message);
    }
}

#[test]
fn the_bounds_are_accepted_and_rotate() {
    for days in [90, 365, 2560] {
        let run = Scenario::parse(&scenario(days)).expect("in range").run(1, false);
        let rotated = run.steps[0].events.len();
        assert_eq!(rotated, (400 / days) as usize, "{days} days: rotations in 400 days");
    }
}

#[test]
fn a_restored_world_with_a_period_out_of_range_is_refused() {
    let session = Session::load(&scenario(365), 1).expect("loads");
    let mut world = serde_json::to_value(session.world()).expect("world json");
    let text = world.to_string();
    assert!(text.contains("\"period_days\":365"), "the saved world carries the period: {text}");
    let edited: serde_json::Value =
        serde_json::from_str(&text.replace("\"period_days\":365", "\"period_days\":0")).unwrap();
    let Err(failure) = Session::restore(edited) else { panic!("a period of 0 days must be refused") };
    let said = format!("{failure:?}");
    assert!(said.contains("Value '0' at 'rotationPeriodInDays'"), "{said}");
    world = serde_json::from_str(&text).unwrap();
    assert!(Session::restore(world).is_ok(), "the unedited world restores");
}
