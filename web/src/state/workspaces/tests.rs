use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::workspaces::{MemoryStore, Saver, Store};

fn reduce(state: State, action: Action) -> State {
    (*Rc::new(state).reduce(action)).clone()
}

fn reduce_all(state: State, actions: impl IntoIterator<Item = Action>) -> State {
    actions.into_iter().fold(state, reduce)
}

/// The first document's text with a marker, as an edit.
fn edit(s: &State, marker: &str) -> Action {
    let source = s.docs[0].source.replacen("\"Sid\": \"", &format!("\"Sid\": \"{marker}"), 1);
    assert_ne!(source, s.docs[0].source);
    Action::Edit { doc: 0, source }
}

fn link(s: &State) -> String {
    format!("#s={}", share::encode(&s.snapshot()))
}

fn names(s: &State) -> Vec<String> {
    s.ws.list.iter().map(|w| w.name.clone()).collect()
}

#[test]
fn edits_to_a_lesson_stay_with_it_across_lesson_switches() {
    let s = State::default();
    assert_eq!(names(&s), ["1. Least privilege"]);
    let s = reduce(s.clone(), edit(&s, "Mine"));
    let s = reduce_all(s, [Action::RunCall, Action::Open { id: "lesson:02-separation-of-duties".into(), seed: 2 }]);
    assert_eq!(s.origin.as_deref(), Some("lesson:02-separation-of-duties"));
    assert!(s.user_steps.is_empty());
    assert_eq!(names(&s), ["1. Least privilege", "2. Separation of duties"]);
    let s = reduce(s, Action::Open { id: "lesson:01-least-privilege".into(), seed: 3 });
    assert!(s.docs[0].source.contains("\"Sid\": \"Mine"), "the edit is back");
    assert_eq!(s.user_steps.len(), 1, "and the call");
    assert_eq!(s.ws.list.len(), 2, "no new workspace for a lesson already opened");
}

#[test]
fn a_lesson_switch_can_be_undone() {
    let s = State::default();
    let first = s.ws.current.clone();
    let s = reduce(s, Action::Open { id: "lesson:07-mfa".into(), seed: 2 });
    assert_eq!(s.ws.undo.as_ref().map(|u| u.label.as_str()), Some("Opened `7. MFA`"));
    let s = reduce(s, Action::UndoWorkspace);
    assert_eq!((s.ws.current.as_str(), s.origin.as_deref()), (first.as_str(), Some("lesson:01-least-privilege")));
    assert!(s.ws.undo.is_none());
}

#[test]
fn reset_then_undo_brings_back_edits_and_calls() {
    let s = State::default();
    let s = reduce_all(s.clone(), [edit(&s, "Kept"), Action::RunCall]);
    let before = s.snapshot();
    let s = reduce(s, Action::Reset);
    assert!(s.user_steps.is_empty() && !s.docs[0].source.contains("Kept"));
    assert_eq!(s.ws.undo.as_ref().map(|u| u.label.as_str()), Some("Reset the workspace"));
    let s = reduce(s, Action::UndoWorkspace);
    assert_eq!(s.snapshot(), before);
    // A reset that changes nothing offers nothing to undo.
    assert!(reduce(State::default(), Action::Reset).ws.undo.is_none());
}

#[test]
fn rename_duplicate_delete_and_undo_the_delete() {
    let s = State::default();
    let id = s.ws.current.clone();
    let s = reduce(s.clone(), edit(&s, "Orig"));
    let s = reduce_all(
        s,
        [
            Action::RenameWorkspace { id: id.clone(), name: "  My lesson  ".into() },
            Action::RenameWorkspace { id: id.clone(), name: "   ".into() },
            Action::DuplicateWorkspace { id: id.clone(), seed: 77 },
        ],
    );
    assert_eq!(names(&s), ["My lesson", "My lesson (copy)"]);
    let copy = s.ws.current.clone();
    assert_ne!(copy, id);
    assert!(s.docs[0].source.contains("Orig"), "the copy has the edits");
    assert_eq!(s.current_workspace().and_then(|w| w.lesson.clone()), None, "a copy is the user's own");
    let s = reduce(s.clone(), edit(&s, "InCopy"));
    let s = reduce(s, Action::DeleteWorkspace { id: copy.clone(), seed: 5 });
    assert_eq!(names(&s), ["My lesson"]);
    assert_eq!(s.ws.current, id);
    assert!(!s.docs[0].source.contains("InCopy"));
    let s = reduce(s, Action::UndoWorkspace);
    assert_eq!(names(&s), ["My lesson", "My lesson (copy)"]);
    assert_eq!(s.ws.current, copy);
    assert!(s.docs[0].source.contains("InCopy"), "deleted with its edits, back with them");
    // Deleting the last workspace opens the first lesson afresh.
    let s = reduce_all(
        s,
        [Action::DeleteWorkspace { id: id.clone(), seed: 5 }, Action::DeleteWorkspace { id: copy, seed: 6 }],
    );
    assert_eq!(names(&s), ["1. Least privilege"]);
    assert!(!s.docs[0].source.contains("Orig"));
}

#[test]
fn two_share_links_then_back_to_ones_own_work() {
    let mine = State::default();
    let mine = reduce_all(mine.clone(), [edit(&mine, "MyOwn"), Action::RunCall]);
    let a = reduce(State::default(), Action::Open { id: "sample:mfa".into(), seed: 3 });
    let b = reduce(State::default(), Action::Open { id: "lesson:04-cross-account".into(), seed: 4 });
    let own_id = mine.ws.current.clone();
    let s = reduce_all(
        mine.clone(),
        [Action::OpenFragment { fragment: link(&a), seed: 10 }, Action::OpenFragment { fragment: link(&b), seed: 11 }],
    );
    assert_eq!(s.ws.list.len(), 3, "each link its own workspace: {:?}", names(&s));
    assert!(s.ws.list[1].name.starts_with("Shared: "), "{:?}", names(&s));
    assert_eq!(s.origin.as_deref(), Some("lesson:04-cross-account"));
    assert!(s.ws.undo.as_ref().is_some_and(|u| u.label.starts_with("Opened the share link")));
    let s = reduce(s, Action::OpenWorkspace(own_id));
    assert_eq!(s.snapshot(), mine.snapshot(), "one's own work is untouched");
    // The same link again (a reload, or pasted twice) opens the workspace that holds it.
    let s = reduce(s, Action::OpenFragment { fragment: link(&a), seed: 12 });
    assert_eq!(s.ws.list.len(), 3);
    assert_eq!(s.origin.as_deref(), Some("sample:mfa"));
}

#[test]
fn a_broken_link_stays_visible_with_its_error_and_changes_nothing() {
    let s = State::default();
    let s0 = reduce(s.clone(), edit(&s, "Safe"));
    let s = reduce(s0.clone(), Action::OpenFragment { fragment: "#s=garbage".into(), seed: 1 });
    let broken = s.ws.broken_link.clone().unwrap();
    assert_eq!(broken.link, "#s=garbage");
    assert_eq!(broken.error, "the data is not base64url text");
    assert_eq!(s.workspace_list(), s0.workspace_list());
    let s = reduce(s, Action::DismissBanner);
    assert!(s.ws.broken_link.is_none());
}

#[test]
fn lesson_links_open_a_lesson_by_name() {
    let s = reduce(State::default(), Action::OpenFragment { fragment: "#lesson=04-cross-account".into(), seed: 8 });
    assert_eq!(s.origin.as_deref(), Some("lesson:04-cross-account"));
    assert_eq!(names(&s), ["1. Least privilege", "4. Cross-account access"]);
    let s = reduce(s, Action::OpenFragment { fragment: "#lesson=99-nothing".into(), seed: 8 });
    assert_eq!(s.origin.as_deref(), Some("lesson:04-cross-account"));
    let text = s.banner.unwrap().text;
    assert!(text.starts_with("there is no lesson `99-nothing` (lessons: 01-least-privilege, "), "{text}");
}

#[test]
fn boot_opens_the_last_workspace_and_a_link_on_top_of_it() {
    let mut store = MemoryStore::default();
    let first = State::default();
    let first = reduce(first.clone(), edit(&first, "Saved"));
    Saver::default().sync(&mut store, &first.workspace_list(), &first.ws.current);
    let back = boot("", crate::workspaces::load(&mut store), 9);
    assert_eq!(back.snapshot(), first.snapshot());
    assert!(back.banner.is_none() && back.ws.undo.is_none());
    // A reload: the address holds the open workspace's own link.
    let reload = boot(&link(&first), crate::workspaces::load(&mut store), 9);
    assert_eq!(reload.ws.list.len(), 1);
    // Someone's link: a new workspace, and undo goes back to one's own.
    let theirs = reduce(State::default(), Action::Open { id: "sample:mfa".into(), seed: 3 });
    let s = boot(&link(&theirs), crate::workspaces::load(&mut store), 9);
    assert_eq!(s.ws.list.len(), 2);
    assert_eq!(s.origin.as_deref(), Some("sample:mfa"));
    let s = reduce(s, Action::UndoWorkspace);
    assert_eq!(s.snapshot(), first.snapshot());
    // Nothing saved: the first lesson; nothing saved and a link: only the link's workspace.
    let fresh = boot("", crate::workspaces::load(&mut MemoryStore::default()), 9);
    assert_eq!(fresh.snapshot(), State::default().snapshot());
    let fresh = boot(&link(&theirs), crate::workspaces::load(&mut MemoryStore::default()), 9);
    assert_eq!(fresh.ws.list.len(), 1);
    assert!(fresh.ws.undo.is_none());
    // An unreadable record is reported, the rest opens.
    store.set("kmsim.ws.zz", "nope").unwrap();
    let s = boot("", crate::workspaces::load(&mut store), 9);
    assert!(s.banner.unwrap().text.contains("`kmsim.ws.zz`"));
}

#[test]
fn a_link_without_seed_replays_with_the_fresh_seed() {
    let shared = reduce(State::default(), Action::RunCall);
    let first_ciphertext = |s: &State| {
        let run = s.view_of_run().unwrap();
        run.steps
            .iter()
            .find_map(|st| {
                st.call.as_ref()?.response.as_ref().ok()?.get("CiphertextBlob")?.as_str().map(str::to_string)
            })
            .unwrap()
    };
    let none = || crate::workspaces::load(&mut MemoryStore::default());
    let with = boot(&link(&shared), none(), 4242);
    assert_eq!(with.base.seed, Some(101), "a link with its seed keeps it");
    assert_eq!(first_ciphertext(&with), first_ciphertext(&shared));
    assert!(with.banner.is_none());

    let bare = share::without_seed(&shared.snapshot());
    let b = boot(&format!("#s={}", share::encode(&bare)), none(), 4242);
    assert_eq!(b.base.seed, Some(4242));
    assert_eq!(b.user_steps, shared.user_steps, "the user's calls replay");
    assert_ne!(first_ciphertext(&b), first_ciphertext(&shared), "a fresh seed, other ciphertexts");
    let banner = b.banner.clone().unwrap();
    assert!(!banner.error && banner.text.contains("fresh seed (4242)"), "{}", banner.text);
    assert_eq!(b.snapshot().scenario.seed, Some(4242), "kept from then on");
}

#[test]
fn another_tabs_change_to_the_open_workspace_asks_before_anything_is_replaced() {
    let s = State::default();
    let id = s.ws.current.clone();
    let mine = reduce(s.clone(), edit(&s, "ThisTab"));
    let theirs_state = reduce(s.clone(), edit(&s, "OtherTab"));
    let theirs = theirs_state.workspace_list().remove(0);
    let s = reduce(
        mine.clone(),
        Action::WorkspaceChangedElsewhere { id: id.clone(), theirs: Some(Box::new(theirs.clone())) },
    );
    assert!(s.ws.conflict.is_some());
    assert_eq!(s.snapshot(), mine.snapshot(), "nothing replaced yet");
    // Load theirs ...
    let took = reduce(s.clone(), Action::TakeTheirs);
    assert_eq!(took.snapshot(), theirs.snapshot);
    assert!(took.ws.conflict.is_none());
    // ... or keep mine as a copy (open), theirs stays under its id.
    let kept = reduce(s, Action::KeepMineAsCopy { seed: 99 });
    assert_eq!(kept.ws.list.len(), 2);
    assert_eq!(kept.snapshot(), mine.snapshot());
    assert_ne!(kept.ws.current, id);
    assert_eq!(kept.workspace_list()[0].snapshot, theirs.snapshot);
    assert!(kept.current_workspace().unwrap().name.ends_with("(this tab's copy)"));
    // Another tab's change to a workspace that is not open is taken as it is; a new one is added; a deleted one goes.
    let other = crate::workspaces::Workspace {
        id: "other".into(),
        name: "Other".into(),
        lesson: None,
        snapshot: theirs.snapshot.clone(),
    };
    let s =
        reduce(mine.clone(), Action::WorkspaceChangedElsewhere { id: "other".into(), theirs: Some(Box::new(other)) });
    assert_eq!(names(&s), ["1. Least privilege", "Other"]);
    assert!(s.ws.conflict.is_none());
    let s = reduce(s, Action::WorkspaceChangedElsewhere { id: "other".into(), theirs: None });
    assert_eq!(names(&s), ["1. Least privilege"]);
    // The same content from elsewhere is no conflict.
    let same = mine.workspace_list().remove(0);
    let s = reduce(mine, Action::WorkspaceChangedElsewhere { id, theirs: Some(Box::new(same)) });
    assert!(s.ws.conflict.is_none());
}
