//! Workspaces kept in the browser: every lesson the user opened and every scenario of their own (a share link, a
//! copy, a restored backup) is one named workspace, saved under its own localStorage key (`kmsim.ws.ID`) with a
//! revision number. Everything here goes through the small [`Store`] trait, so loading, migrating, saving and the
//! two-tab rules are tested natively on a [`MemoryStore`]; `browser::LocalStore` is the real one.
//!
//! Why localStorage and not IndexedDB: a workspace is a few kilobytes of scenario text, well inside the quota; the
//! API is synchronous, so the state is saved in the same turn as the change that made it (nothing is lost when a
//! tab closes right after an edit), and other tabs get a `storage` event per key for free. IndexedDB would need an
//! async layer and a BroadcastChannel for the same guarantees.
//!
//! Two tabs: every record carries a revision. A tab writes a workspace only when the stored revision is the one
//! it last read or wrote; otherwise another tab changed it, and [`Saver::sync`] reports a [`Problem::Conflict`]
//! instead of overwriting (the user then loads the other tab's version or keeps theirs as a copy). A record whose
//! stored content equals the tab's is adopted silently.

use std::collections::BTreeMap;

use serde_json::{json, Value as J};

use crate::model::Snapshot;
use crate::share;

/// Where a workspace's record is kept: `PREFIX` + its id.
pub const PREFIX: &str = "kmsim.ws.";
/// The workspace a new tab opens (the one last switched to in this browser).
pub const CURRENT_KEY: &str = "kmsim.workspace.current";
/// The order of the list (ids; kept apart from the records, so that reordering is no change to a workspace).
pub const ORDER_KEY: &str = "kmsim.workspaces.order";
/// Set once the saved state of the single-slot playground has been copied into workspaces.
pub const MIGRATED_KEY: &str = "kmsim.workspaces.migrated";
/// The single-slot playground's keys (read, never written or removed: they stay as they were).
pub const LEGACY_KEY: &str = "kmsim.playground";
pub const LEGACY_LINK_BACKUP_KEY: &str = "kmsim.playground.before-link";
pub const LEGACY_UNREADABLE_KEY: &str = "kmsim.playground.unreadable";

/// Why the browser's storage refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// No storage at all (disabled, private mode, a sandboxed frame).
    Unavailable,
    /// The quota is used up.
    Full,
}

impl StoreError {
    pub fn message(self) -> &'static str {
        match self {
            StoreError::Unavailable => "this browser does not let the playground save anything",
            StoreError::Full => "this browser's storage for the playground is full",
        }
    }
}

/// A key-value store of text (localStorage's shape).
pub trait Store {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str);
    fn keys(&self) -> Vec<String>;
}

/// A store in memory, for tests (and a stand-in where there is no browser). `capacity` (bytes of keys and values)
/// makes it fill up like a real quota; `available: false` refuses every write.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub map: BTreeMap<String, String>,
    pub capacity: Option<usize>,
    pub unavailable: bool,
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.map.get(key).cloned()
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        if self.unavailable {
            return Err(StoreError::Unavailable);
        }
        if let Some(cap) = self.capacity {
            let used: usize = self.map.iter().filter(|(k, _)| k.as_str() != key).map(|(k, v)| k.len() + v.len()).sum();
            if used + key.len() + value.len() > cap {
                return Err(StoreError::Full);
            }
        }
        self.map.insert(key.to_string(), value.to_string());
        Ok(())
    }
    fn remove(&mut self, key: &str) {
        self.map.remove(key);
    }
    fn keys(&self) -> Vec<String> {
        self.map.keys().cloned().collect()
    }
}

/// One workspace: a name and the saved playground.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// The lesson or sample this workspace is the user's copy of (opening it from the menu comes back here).
    pub lesson: Option<String>,
    pub snapshot: Snapshot,
}

impl Workspace {
    pub fn key(&self) -> String {
        format!("{PREFIX}{}", self.id)
    }

    /// The record's content without its revision.
    fn body(&self) -> J {
        let snapshot: J = serde_json::from_str(&share::to_json(&self.snapshot)).unwrap_or(J::Null);
        json!({ "name": self.name, "lesson": self.lesson, "snapshot": snapshot })
    }

    /// Reads a record's content (as written by [`Workspace::body`]).
    fn from_body(id: &str, body: &J) -> Result<Workspace, String> {
        let name = body.get("name").and_then(J::as_str).ok_or("it has no name")?.to_string();
        let lesson = body.get("lesson").and_then(J::as_str).map(str::to_string);
        let snapshot = body.get("snapshot").ok_or("it has no saved playground")?;
        let snapshot = share::from_json(&snapshot.to_string()).map_err(|e| e.to_string())?;
        Ok(Workspace { id: id.to_string(), name, lesson, snapshot })
    }

    /// The same content (name, lesson, playground), whatever the id.
    pub fn same_content(&self, other: &Workspace) -> bool {
        self.name == other.name && self.lesson == other.lesson && self.snapshot == other.snapshot
    }
}

/// A record as stored: `{"name": ..., "lesson": ..., "snapshot": {...}, "rev": N}`, written as text around the
/// snapshot's JSON (this runs on every keystroke's save: no JSON value of the whole snapshot is built and written
/// again); the same text as `Workspace::body` with `rev` added.
pub fn record_json(ws: &Workspace, rev: u64) -> String {
    let snapshot = share::to_json(&ws.snapshot);
    let name = J::from(ws.name.as_str()).to_string();
    let lesson = ws.lesson.as_deref().map_or_else(|| "null".to_string(), |l| J::from(l).to_string());
    format!("{{\"name\":{name},\"lesson\":{lesson},\"snapshot\":{snapshot},\"rev\":{rev}}}")
}

/// Reads a stored record: the workspace and its revision.
pub fn parse_record(id: &str, text: &str) -> Result<(Workspace, u64), String> {
    let value: J = serde_json::from_str(text).map_err(|e| format!("it is not JSON ({e})"))?;
    let rev = value.get("rev").and_then(J::as_u64).ok_or("it has no revision")?;
    Ok((Workspace::from_body(id, &value)?, rev))
}

/// The id of a workspace's key, if `key` is one.
pub fn id_of_key(key: &str) -> Option<&str> {
    key.strip_prefix(PREFIX).filter(|id| !id.is_empty())
}

/// What the browser holds, read at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// Readable workspaces, oldest first (ids sort by creation).
    pub list: Vec<Workspace>,
    /// The revision of each, as read.
    pub revs: BTreeMap<String, u64>,
    /// What could not be read (left in storage untouched) and what could not be saved.
    pub problems: Vec<String>,
    /// The workspace last switched to.
    pub current: Option<String>,
}

/// Reads every workspace. The first time (no [`MIGRATED_KEY`]), the single-slot playground's saved work and the
/// work it kept aside before a share link become workspaces; their keys are left as they were. If the migrated
/// workspaces cannot be saved they are still in the list (in memory) and the problem is reported.
pub fn load(store: &mut dyn Store) -> Loaded {
    let mut loaded = Loaded { current: store.get(CURRENT_KEY), ..Loaded::default() };
    let mut keys = store.keys();
    keys.sort();
    let order: Vec<String> = store.get(ORDER_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let mut ordered = Vec::new();
    for key in keys {
        let Some(id) = id_of_key(&key) else { continue };
        let Some(text) = store.get(&key) else { continue };
        match parse_record(id, &text) {
            Ok((ws, rev)) => {
                loaded.revs.insert(ws.id.clone(), rev);
                ordered.push((order.iter().position(|o| *o == ws.id).unwrap_or(usize::MAX), ws));
            }
            Err(e) => loaded
                .problems
                .push(format!("a saved workspace could not be read ({e}); it is left in this browser as `{key}`")),
        }
    }
    ordered.sort_by_key(|(order, _)| *order);
    loaded.list = ordered.into_iter().map(|(_, ws)| ws).collect();
    if store.get(MIGRATED_KEY).is_none() {
        migrate(store, &mut loaded);
    }
    loaded
}

fn migrate(store: &mut dyn Store, loaded: &mut Loaded) {
    let slots = [
        (LEGACY_KEY, "migrated-playground", "saved earlier"),
        (LEGACY_LINK_BACKUP_KEY, "migrated-before-link", "kept before a share link"),
    ];
    let mut failed = None;
    for (key, id, note) in slots {
        let Some(text) = store.get(key).filter(|t| !t.trim().is_empty()) else { continue };
        if loaded.list.iter().any(|w| w.id == id) {
            continue;
        }
        match share::from_json(&text) {
            Ok(snapshot) => {
                let ws = Workspace {
                    id: id.to_string(),
                    name: format!("{} ({note})", title_of(&snapshot)),
                    lesson: None,
                    snapshot,
                };
                match store.set(&ws.key(), &record_json(&ws, 1)) {
                    Ok(()) => {
                        loaded.revs.insert(ws.id.clone(), 1);
                    }
                    Err(e) => failed = Some(e),
                }
                if loaded.current.is_none() && key == LEGACY_KEY {
                    loaded.current = Some(ws.id.clone());
                }
                loaded.list.push(ws);
            }
            Err(e) => loaded.problems.push(format!(
                "the playground saved before workspaces could not be read ({e}); it is left in this browser as `{key}`"
            )),
        }
    }
    if store.get(LEGACY_UNREADABLE_KEY).is_some() {
        loaded.problems.push(format!(
            "an unreadable saved playground from before is still kept in this browser as `{LEGACY_UNREADABLE_KEY}`"
        ));
    }
    match failed {
        Some(e) => loaded.problems.push(format!(
            "{}: the work saved before workspaces is open in this tab but not saved again; back it up",
            e.message()
        )),
        None => {
            let _ = store.set(MIGRATED_KEY, "1");
        }
    }
}

/// A scenario's title for naming its workspace: its own, else its lesson's, else "Scenario".
pub fn title_of(snapshot: &Snapshot) -> String {
    if !snapshot.scenario.title.trim().is_empty() {
        return snapshot.scenario.title.trim().to_string();
    }
    snapshot.origin.as_deref().and_then(crate::starts::find).map_or("Scenario", |s| s.title).to_string()
}

/// A new id from a random number, not among `taken`. Ids sort by nothing in particular; the list keeps its order.
pub fn new_id<'a>(seed: u64, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let base = format!("{seed:016x}");
    (0u32..)
        .map(|n| if n == 0 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !taken.clone().any(|t| t == id))
        .unwrap_or(base)
}

/// What a save could not do.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Another tab changed the workspace since this tab read it: nothing was written. `theirs` is what it holds now.
    Conflict { id: String, theirs: Box<Workspace> },
    /// The store refused the write; the workspace is only in this tab's memory.
    Failed(StoreError),
}

/// What a [`Saver`] knows of one workspace: the revision it read or wrote, the content then, and the record text if
/// this tab wrote it (while the store still holds exactly that text, no other tab has written since, and the record
/// is not read back: a keystroke's save compares texts instead of parsing the whole workspace).
#[derive(Debug, Clone)]
struct Known {
    rev: u64,
    ws: Workspace,
    record: Option<String>,
}

/// Writes changed workspaces, never over another tab's newer revision.
#[derive(Debug, Clone, Default)]
pub struct Saver {
    /// For each workspace this tab has read or written: its revision and its content then.
    known: BTreeMap<String, Known>,
    current: Option<String>,
    order: Vec<String>,
}

impl Saver {
    /// A saver that knows what was read at start.
    pub fn new(list: &[Workspace], revs: &BTreeMap<String, u64>) -> Saver {
        let known = list
            .iter()
            .filter_map(|w| revs.get(&w.id).map(|rev| (w.id.clone(), Known { rev: *rev, ws: w.clone(), record: None })))
            .collect();
        Saver { known, current: None, order: Vec::new() }
    }

    /// Saves every workspace of `list` that changed since this tab last read or wrote it, removes those this tab
    /// knew that are no longer in the list (unless another tab changed them since), and records `current`.
    pub fn sync(&mut self, store: &mut dyn Store, list: &[Workspace], current: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut failed = None;
        for ws in list {
            let (known_rev, written) = match self.known.get(&ws.id) {
                // Compared as data (no serialising on every keystroke).
                Some(k) if k.ws == *ws => continue,
                Some(k) => (k.rev, k.record.as_deref()),
                None => (0, None),
            };
            let text = store.get(&ws.key());
            let ours = written.is_some() && text.as_deref() == written;
            let stored = if ours { None } else { text.and_then(|t| parse_record(&ws.id, &t).ok()) };
            let rev = match stored {
                Some((theirs, srev)) if srev != known_rev => {
                    if theirs.same_content(ws) {
                        self.known.insert(ws.id.clone(), Known { rev: srev, ws: ws.clone(), record: None });
                    } else {
                        problems.push(Problem::Conflict { id: ws.id.clone(), theirs: Box::new(theirs) });
                    }
                    continue;
                }
                Some((_, srev)) => srev + 1,
                // Still what this tab wrote at `known_rev` (`ours`, not read back); new here; or removed by another
                // tab while this one still has it open: saved (nothing is dropped).
                None => known_rev + 1,
            };
            let record = record_json(ws, rev);
            match store.set(&ws.key(), &record) {
                Ok(()) => {
                    self.known.insert(ws.id.clone(), Known { rev, ws: ws.clone(), record: Some(record) });
                }
                Err(e) => failed = Some(e),
            }
        }
        let gone: Vec<String> = self.known.keys().filter(|id| !list.iter().any(|w| &w.id == *id)).cloned().collect();
        for id in gone {
            let key = format!("{PREFIX}{id}");
            let stored_rev = store.get(&key).and_then(|t| parse_record(&id, &t).ok()).map(|(_, r)| r);
            if stored_rev == self.known.get(&id).map(|k| k.rev) {
                store.remove(&key);
            }
            self.known.remove(&id);
        }
        let order: Vec<String> = list.iter().map(|w| w.id.clone()).collect();
        if order != self.order {
            match store.set(ORDER_KEY, &J::from(order.clone()).to_string()) {
                Ok(()) => self.order = order,
                Err(e) => failed = Some(e),
            }
        }
        if self.current.as_deref() != Some(current) {
            match store.set(CURRENT_KEY, current) {
                Ok(()) => self.current = Some(current.to_string()),
                Err(e) => failed = Some(e),
            }
        }
        problems.extend(failed.map(Problem::Failed));
        problems
    }
}

/// Every workspace as one file (what "Back up" downloads).
pub fn backup_json(list: &[Workspace]) -> String {
    let all: Vec<J> = list.iter().map(Workspace::body).collect();
    serde_json::to_string_pretty(&json!({ "kmsim_backup": 1, "workspaces": all })).unwrap_or_default()
}

/// Reads a backup file: its workspaces, each with a fresh id from `seed` (a restore never overwrites one), less those
/// whose content a workspace of `existing` already has.
pub fn restore_backup(text: &str, existing: &[Workspace], seed: u64) -> Result<Vec<Workspace>, String> {
    let value: J =
        serde_json::from_str(text).map_err(|e| format!("the file is not a playground backup (not JSON: {e})"))?;
    if value.get("kmsim_backup").and_then(J::as_u64) != Some(1) {
        return Err("the file is not a playground backup (no `kmsim_backup` version 1)".to_string());
    }
    let items = value.get("workspaces").and_then(J::as_array).ok_or("the backup has no `workspaces` list")?;
    let mut out: Vec<Workspace> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ws = Workspace::from_body("", item).map_err(|e| format!("workspace {} of the backup: {e}", i + 1))?;
        if existing.iter().chain(&out).any(|w| w.same_content(&ws)) {
            continue;
        }
        let taken: Vec<&str> = existing.iter().chain(&out).map(|w| w.id.as_str()).collect();
        let id = new_id(seed.wrapping_add(i as u64), taken.iter().copied());
        out.push(Workspace { id, ..ws });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
