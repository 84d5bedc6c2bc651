use super::*;
use crate::state::{Action, State};

fn reduce(state: State, action: Action) -> State {
    (*yew::Reducible::reduce(std::rc::Rc::new(state), action)).clone()
}

fn ws(id: &str, name: &str, snapshot: Snapshot) -> Workspace {
    Workspace { id: id.into(), name: name.into(), lesson: None, snapshot }
}

fn lesson_snapshot() -> Snapshot {
    State::default().snapshot()
}

fn edited_snapshot(marker: &str) -> Snapshot {
    let mut s = lesson_snapshot();
    s.scenario.title = marker.to_string();
    s
}

#[test]
fn records_round_trip_and_bad_ones_are_left_alone_with_a_message() {
    let w = ws("a1", "Mine", edited_snapshot("ünïcödé"));
    let (back, rev) = parse_record("a1", &record_json(&w, 7)).unwrap();
    assert_eq!((back, rev), (w.clone(), 7));

    let mut store = MemoryStore::default();
    store.set(&w.key(), &record_json(&w, 3)).unwrap();
    store.set("kmsim.ws.broken", "{\"rev\": 1, \"name\": \"x\", \"snapshot\": [tru").unwrap();
    store.set("unrelated", "x").unwrap();
    let loaded = load(&mut store);
    assert_eq!(loaded.list, vec![w]);
    assert_eq!(loaded.revs.get("a1"), Some(&3));
    assert_eq!(loaded.problems.len(), 1);
    assert!(loaded.problems[0].contains("`kmsim.ws.broken`"), "{:?}", loaded.problems);
    assert!(store.get("kmsim.ws.broken").is_some(), "never deleted");
}

#[test]
fn the_single_slot_playground_and_its_backup_migrate_once_and_stay() {
    let mine = edited_snapshot("My saved work");
    let before_link = edited_snapshot("Before a link");
    let mut store = MemoryStore::default();
    store.set(LEGACY_KEY, &share::to_json(&mine)).unwrap();
    store.set(LEGACY_LINK_BACKUP_KEY, &share::to_json(&before_link)).unwrap();
    let loaded = load(&mut store);
    let names: Vec<&str> = loaded.list.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["My saved work (saved earlier)", "Before a link (kept before a share link)"]);
    assert_eq!(loaded.list[0].snapshot, mine);
    assert_eq!(loaded.list[1].snapshot, before_link);
    assert_eq!(loaded.current.as_deref(), Some("migrated-playground"));
    // Saved as workspaces; the old keys are left as they were.
    assert!(store.get("kmsim.ws.migrated-playground").is_some());
    assert_eq!(store.get(LEGACY_KEY), Some(share::to_json(&mine)));
    assert_eq!(store.get(MIGRATED_KEY).as_deref(), Some("1"));
    // Once: deleting a migrated workspace does not bring it back on the next load.
    store.remove("kmsim.ws.migrated-playground");
    let again = load(&mut store);
    assert_eq!(again.list.len(), 1);
}

#[test]
fn migration_into_a_full_store_keeps_the_work_in_memory_and_says_so() {
    let mine = edited_snapshot("Too big to save again");
    let mut store = MemoryStore::default();
    store.set(LEGACY_KEY, &share::to_json(&mine)).unwrap();
    store.capacity = Some(store.map.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() + 10);
    let loaded = load(&mut store);
    assert_eq!(loaded.list.len(), 1);
    assert_eq!(loaded.list[0].snapshot, mine);
    assert!(loaded.problems.iter().any(|p| p.contains("full")), "{:?}", loaded.problems);
    assert!(store.get(MIGRATED_KEY).is_none(), "tried again next time");
    // An unreadable old slot is reported and left.
    let mut store = MemoryStore::default();
    store.set(LEGACY_KEY, "{\"v\": 2, \"scenario\": [").unwrap();
    let loaded = load(&mut store);
    assert!(loaded.list.is_empty());
    assert!(loaded.problems[0].contains(LEGACY_KEY), "{:?}", loaded.problems);
    assert!(store.get(LEGACY_KEY).is_some());
}

#[test]
fn a_tab_never_overwrites_another_tabs_newer_revision() {
    let mut store = MemoryStore::default();
    let w = ws("x", "Shared one", edited_snapshot("v0"));
    let mut tab_a = Saver::default();
    assert!(tab_a.sync(&mut store, std::slice::from_ref(&w), "x").is_empty());
    // Tab B reads it and saves an edit.
    let loaded = load(&mut store);
    let mut tab_b = Saver::new(&loaded.list, &loaded.revs);
    let theirs = ws("x", "Shared one", edited_snapshot("edited in B"));
    assert!(tab_b.sync(&mut store, std::slice::from_ref(&theirs), "x").is_empty());
    assert_eq!(parse_record("x", &store.get("kmsim.ws.x").unwrap()).unwrap().1, 2);
    // Tab A saves its own edit of the same workspace: refused, told what B has.
    let mine = ws("x", "Shared one", edited_snapshot("edited in A"));
    let problems = tab_a.sync(&mut store, std::slice::from_ref(&mine), "x");
    assert_eq!(problems, vec![Problem::Conflict { id: "x".into(), theirs: Box::new(theirs.clone()) }]);
    assert_eq!(parse_record("x", &store.get("kmsim.ws.x").unwrap()).unwrap().0, theirs, "B's edit stands");
    // Once A holds B's content (it loaded it), it adopts B's revision and saves on top of it.
    assert!(tab_a.sync(&mut store, std::slice::from_ref(&theirs), "x").is_empty());
    let later = ws("x", "Shared one", edited_snapshot("A after loading B's"));
    assert!(tab_a.sync(&mut store, std::slice::from_ref(&later), "x").is_empty());
    assert_eq!(parse_record("x", &store.get("kmsim.ws.x").unwrap()).unwrap(), (later, 3));
}

#[test]
fn the_list_keeps_its_order_across_loads() {
    let mut store = MemoryStore::default();
    let list = vec![ws("zz", "first", edited_snapshot("1")), ws("aa", "second", edited_snapshot("2"))];
    Saver::default().sync(&mut store, &list, "zz");
    assert_eq!(load(&mut store).list, list);
}

#[test]
fn two_tabs_on_different_workspaces_both_save() {
    let mut store = MemoryStore::default();
    let (mut a, mut b) = (Saver::default(), Saver::default());
    let x = ws("x", "X", edited_snapshot("x"));
    let y = ws("y", "Y", edited_snapshot("y"));
    assert!(a.sync(&mut store, std::slice::from_ref(&x), "x").is_empty());
    assert!(b.sync(&mut store, &[x.clone(), y.clone()], "y").is_empty(), "b adopts x as it is");
    let x2 = ws("x", "X", edited_snapshot("x2"));
    let y2 = ws("y", "Y", edited_snapshot("y2"));
    assert!(a.sync(&mut store, &[x2.clone(), y.clone()], "x").is_empty());
    assert!(b.sync(&mut store, &[x2.clone(), y2.clone()], "y").is_empty());
    let loaded = load(&mut store);
    assert_eq!(loaded.list, vec![x2, y2]);
}

#[test]
fn deleting_removes_the_record_unless_another_tab_changed_it() {
    let mut store = MemoryStore::default();
    let mut a = Saver::default();
    let x = ws("x", "X", edited_snapshot("x"));
    let y = ws("y", "Y", edited_snapshot("y"));
    a.sync(&mut store, &[x.clone(), y.clone()], "x");
    let loaded = load(&mut store);
    let mut b = Saver::new(&loaded.list, &loaded.revs);
    b.sync(&mut store, &[x.clone(), ws("y", "Y", edited_snapshot("y by b"))], "x");
    a.sync(&mut store, &[], "x");
    assert!(store.get("kmsim.ws.x").is_none(), "deleted");
    assert!(store.get("kmsim.ws.y").is_some(), "b's newer edit is not deleted by a");
}

#[test]
fn a_full_store_is_reported_and_the_next_save_catches_up() {
    let mut store = MemoryStore { capacity: Some(100), ..MemoryStore::default() };
    let mut saver = Saver::default();
    let w = ws("x", "X", edited_snapshot("x"));
    assert_eq!(saver.sync(&mut store, std::slice::from_ref(&w), "x"), vec![Problem::Failed(StoreError::Full)]);
    store.capacity = None;
    assert!(saver.sync(&mut store, std::slice::from_ref(&w), "x").is_empty());
    assert_eq!(load(&mut store).list, vec![w]);
    let mut off = MemoryStore { unavailable: true, ..MemoryStore::default() };
    let w = ws("x", "X", edited_snapshot("x"));
    assert_eq!(Saver::default().sync(&mut off, &[w], "x"), vec![Problem::Failed(StoreError::Unavailable)]);
}

#[test]
fn a_backup_restores_as_new_workspaces_and_skips_what_is_there() {
    let list = vec![ws("a", "A", edited_snapshot("a")), ws("b", "B", edited_snapshot("b"))];
    let file = backup_json(&list);
    assert!(restore_backup(&file, &list, 5).unwrap().is_empty(), "all there already");
    let restored = restore_backup(&file, &list[..1], 5).unwrap();
    assert_eq!(restored.len(), 1);
    assert!(restored[0].same_content(&list[1]));
    assert_ne!(restored[0].id, "b");
    let into_empty = restore_backup(&file, &[], 5).unwrap();
    assert_eq!(into_empty.len(), 2);
    assert_ne!(into_empty[0].id, into_empty[1].id);
    assert!(restore_backup("{}", &[], 1).unwrap_err().contains("not a playground backup"));
    assert!(restore_backup("nope", &[], 1).unwrap_err().contains("not JSON"));
    let bad = r#"{"kmsim_backup": 1, "workspaces": [{"name": "x"}]}"#;
    assert_eq!(restore_backup(bad, &[], 1).unwrap_err(), "workspace 1 of the backup: it has no saved playground");
}

#[test]
fn a_reducer_state_saves_and_loads_back_through_a_store() {
    let s = reduce(State::default(), Action::Open { id: "lesson:07-mfa".into(), seed: 9 });
    let mut store = MemoryStore::default();
    Saver::default().sync(&mut store, &s.workspace_list(), &s.ws.current);
    let back = crate::state::boot("", load(&mut store), 3);
    assert_eq!(back.workspace_list(), s.workspace_list());
    assert_eq!(back.ws.current, s.ws.current);
    assert_eq!(back.snapshot(), s.snapshot());
}

#[test]
fn a_tabs_own_saves_follow_each_other_and_another_tabs_write_is_still_seen() {
    let mut store = MemoryStore::default();
    let mut tab = Saver::default();
    // Keystroke after keystroke: the store still holds this tab's last record, each save is the next revision.
    for (i, text) in ["v1", "v2", "v3"].into_iter().enumerate() {
        let w = ws("x", "Mine", edited_snapshot(text));
        assert!(tab.sync(&mut store, std::slice::from_ref(&w), "x").is_empty());
        assert_eq!(parse_record("x", &store.get("kmsim.ws.x").unwrap()).unwrap(), (w, i as u64 + 1));
    }
    // Another tab writes revision 4 with other content: the next save is refused, not written over it.
    let theirs = ws("x", "Mine", edited_snapshot("elsewhere"));
    store.set("kmsim.ws.x", &record_json(&theirs, 4)).unwrap();
    let mine = ws("x", "Mine", edited_snapshot("v4"));
    let problems = tab.sync(&mut store, std::slice::from_ref(&mine), "x");
    assert_eq!(problems, vec![Problem::Conflict { id: "x".into(), theirs: Box::new(theirs) }]);
    // A record that is not one any more (written by something else) is saved over, as before.
    store.set("kmsim.ws.x", "not a record").unwrap();
    assert!(tab.sync(&mut store, std::slice::from_ref(&mine), "x").is_empty());
    assert_eq!(parse_record("x", &store.get("kmsim.ws.x").unwrap()).unwrap(), (mine, 4));
}

#[test]
fn a_record_is_the_workspaces_body_with_its_revision() {
    // The record is written as text around the snapshot's JSON (no JSON value of the whole snapshot per save); it is
    // the same text as the body (the form backups use) with `rev` added, for a lesson, a blank and an odd name.
    let mut blank = ws("b2", "quote \" and \\ and ünï", edited_snapshot("x"));
    blank.lesson = None;
    let mut lesson = ws("a1", "Mine", edited_snapshot("ünïcödé"));
    lesson.lesson = Some("lesson:01-least-privilege".into());
    for w in [lesson, blank] {
        let mut body = w.body();
        body.as_object_mut().unwrap().insert("rev".to_string(), serde_json::json!(12));
        assert_eq!(record_json(&w, 12), body.to_string());
        assert_eq!(parse_record(&w.id, &record_json(&w, 12)).unwrap(), (w.clone(), 12));
    }
}
