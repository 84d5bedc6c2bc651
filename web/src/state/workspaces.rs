//! The reducer's part for workspaces (see `crate::workspaces` for how they are kept): which workspace is open,
//! switching (a lesson opened from the menu comes back to the user's copy of it), share links and `#lesson=` links,
//! rename, duplicate, delete, undo, the other tab's changes, and what could not be saved. Pure like the rest of the
//! state: the app feeds in what storage and other tabs said, and saves what `State::workspace_list` returns.

use std::collections::BTreeMap;

use super::{Action, Banner, State};
use crate::model::Snapshot;
use crate::share;
use crate::starts;
use crate::workspaces::{self, Loaded, Workspace};

/// The workspaces and what the user is told about them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workspaces {
    /// Every workspace, in the order shown. The open one's snapshot here is as of the last switch: the live one is
    /// the state itself (see [`State::workspace_list`]).
    pub list: Vec<Workspace>,
    /// The id of the open workspace.
    pub current: String,
    /// The last switch, reset or delete, which can be taken back.
    pub undo: Option<Undo>,
    /// Another tab's version of a workspace this tab changed too (shown until the user chooses).
    pub conflict: Option<Box<Workspace>>,
    /// Why the workspaces are not saved (they are kept in this tab's memory meanwhile).
    pub unsaved: Option<String>,
    /// A share link in the address that could not be opened, and why (kept visible and copyable).
    pub broken_link: Option<BrokenLink>,
    /// The workspaces panel is open.
    pub panel_open: bool,
    /// The revisions read at start (for the app's `workspaces::Saver`).
    pub revs: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub link: String,
    pub error: String,
}

/// What the undo button takes back, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    pub label: String,
    pub kind: UndoKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UndoKind {
    /// Back to the workspace open before a switch.
    Switch { back_to: String },
    /// A workspace's playground as it was before a reset.
    Replace { id: String, snapshot: Box<Snapshot> },
    /// A deleted workspace, put back where it was.
    Delete { ws: Box<Workspace>, index: usize, was_current: bool },
}

impl State {
    /// Every workspace with the open one as it is now: what is saved.
    pub fn workspace_list(&self) -> Vec<Workspace> {
        let live = self.snapshot();
        self.ws
            .list
            .iter()
            .map(
                |w| if w.id == self.ws.current { Workspace { snapshot: live.clone(), ..w.clone() } } else { w.clone() },
            )
            .collect()
    }

    /// The open workspace.
    pub fn current_workspace(&self) -> Option<&Workspace> {
        self.ws.list.iter().find(|w| w.id == self.ws.current)
    }

    fn taken_ids(&self) -> Vec<String> {
        self.ws.list.iter().map(|w| w.id.clone()).collect()
    }

    pub(super) fn fresh_id(&self, seed: u64) -> String {
        let taken = self.taken_ids();
        workspaces::new_id(seed, taken.iter().map(String::as_str))
    }

    /// Writes the live playground into the open workspace's entry.
    fn stash_current(&mut self) {
        let live = self.snapshot();
        let current = self.ws.current.clone();
        if let Some(w) = self.ws.list.iter_mut().find(|w| w.id == current) {
            w.snapshot = live;
        }
    }

    /// Loads a snapshot into the playground, keeping the banner, the view and the workspaces.
    fn show(&mut self, snapshot: Snapshot) {
        let banner = self.banner.take();
        self.load(snapshot);
        self.banner = banner;
        self.share_open = false;
    }

    /// Opens workspace `id`; false if there is none. Offers to go back.
    fn switch_to(&mut self, id: &str) -> bool {
        if id == self.ws.current {
            return true;
        }
        let Some(target) = self.ws.list.iter().find(|w| w.id == id).cloned() else { return false };
        self.stash_current();
        let back_to = std::mem::replace(&mut self.ws.current, target.id.clone());
        self.show(target.snapshot);
        if !back_to.is_empty() {
            self.ws.undo =
                Some(Undo { label: format!("Opened `{}`", target.name), kind: UndoKind::Switch { back_to } });
        }
        true
    }

    /// Adds a workspace after the open one and opens it.
    pub(super) fn add_and_open(&mut self, ws: Workspace) {
        let at = self.ws.list.iter().position(|w| w.id == self.ws.current).map_or(self.ws.list.len(), |i| i + 1);
        let id = ws.id.clone();
        self.ws.list.insert(at, ws);
        self.switch_to(&id);
    }

    /// A lesson or sample from the menu: the user's workspace of it if there is one, else a new one.
    pub(super) fn open_start(&mut self, id: &str, seed: u64) {
        let Some(start) = starts::find(id) else { return };
        if let Some(existing) = self.ws.list.iter().find(|w| w.lesson.as_deref() == Some(id)).map(|w| w.id.clone()) {
            self.switch_to(&existing);
            return;
        }
        self.stash_current();
        let back_to = self.ws.current.clone();
        self.open(id, seed);
        if self.origin.as_deref() != Some(id) {
            return; // could not be read: the banner says so
        }
        let ws = Workspace {
            id: self.fresh_id(seed),
            name: start.title.to_string(),
            lesson: Some(id.to_string()),
            snapshot: self.snapshot(),
        };
        self.ws.current = ws.id.clone();
        let label = format!("Opened `{}`", ws.name);
        let at = self.ws.list.iter().position(|w| w.id == back_to).map_or(self.ws.list.len(), |i| i + 1);
        self.ws.list.insert(at, ws);
        if !back_to.is_empty() {
            self.ws.undo = Some(Undo { label, kind: UndoKind::Switch { back_to } });
        }
    }

    /// A URL fragment: a share link (`#s=`) opens as a new workspace, or the workspace that already holds exactly
    /// it (a reload); `#lesson=NAME` opens that lesson. A broken link stays visible with its error.
    pub(crate) fn open_fragment(&mut self, fragment: &str, seed: u64) {
        let fragment = fragment.trim_start_matches('#');
        if let Some(name) = fragment.split('&').find_map(|p| p.strip_prefix("lesson=")) {
            let id = if name.contains(':') { name.to_string() } else { format!("lesson:{name}") };
            if starts::find(&id).is_some() {
                self.open_start(&id, seed);
            } else {
                let names: Vec<&str> = starts::LESSONS.iter().map(|s| s.id.trim_start_matches("lesson:")).collect();
                self.banner = Some(Banner::error(format!(
                    "there is no lesson `{name}` (lessons: {}); your workspace is shown instead",
                    names.join(", ")
                )));
            }
            return;
        }
        let Some(payload) = share::payload_of_fragment(fragment) else { return };
        let mut snapshot = match share::decode(payload) {
            Ok(s) => s,
            Err(e) => {
                self.ws.broken_link = Some(BrokenLink { link: format!("#{fragment}"), error: e.to_string() });
                return;
            }
        };
        self.ws.broken_link = None;
        let live = self.snapshot();
        if !self.ws.current.is_empty() && live == snapshot {
            return;
        }
        if let Some(same) = self.ws.list.iter().find(|w| w.snapshot == snapshot).cloned() {
            self.switch_to(&same.id);
            if let Some(u) = &mut self.ws.undo {
                u.label = format!("Opened the share link: it is your workspace `{}`", same.name);
            }
            return;
        }
        let seedless = snapshot.scenario.seed.is_none();
        snapshot.scenario.seed = snapshot.scenario.seed.or(Some(seed));
        let ws = Workspace {
            id: self.fresh_id(seed),
            name: format!("Shared: {}", workspaces::title_of(&snapshot)),
            lesson: None,
            snapshot,
        };
        let name = ws.name.clone();
        self.add_and_open(ws);
        if let Some(u) = &mut self.ws.undo {
            u.label = format!("Opened the share link as the new workspace `{name}`");
        }
        if seedless {
            self.banner = Some(Banner {
                error: false,
                text: format!(
                    "the share link has no seed: this replay uses a fresh seed ({seed}), so key ids and ciphertexts \
                     differ from the sharer's"
                ),
            });
        }
    }

    /// Reset, with undo.
    pub(super) fn reset_with_undo(&mut self) {
        let before = self.snapshot();
        self.reset();
        if self.snapshot() != before {
            self.ws.undo = Some(Undo {
                label: "Reset the workspace".to_string(),
                kind: UndoKind::Replace { id: self.ws.current.clone(), snapshot: Box::new(before) },
            });
        }
    }

    fn delete(&mut self, id: &str, seed: u64) {
        let Some(index) = self.ws.list.iter().position(|w| w.id == id) else { return };
        self.stash_current();
        let was_current = id == self.ws.current;
        let ws = self.ws.list.remove(index);
        if was_current {
            self.ws.current.clear();
            match self.ws.list.get(index.min(self.ws.list.len().saturating_sub(1))).map(|w| w.id.clone()) {
                Some(next) => {
                    self.switch_to(&next);
                }
                None => {
                    let first = starts::LESSONS.first().map_or("", |s| s.id);
                    self.open_start(first, seed);
                }
            }
        }
        self.ws.undo = Some(Undo {
            label: format!("Deleted `{}`", ws.name),
            kind: UndoKind::Delete { ws: Box::new(ws), index, was_current },
        });
    }

    fn undo(&mut self) {
        let Some(undo) = self.ws.undo.take() else { return };
        match undo.kind {
            UndoKind::Switch { back_to } => {
                self.switch_to(&back_to);
            }
            UndoKind::Replace { id, snapshot } => {
                if self.switch_to(&id) {
                    self.show(*snapshot);
                }
            }
            UndoKind::Delete { ws, index, was_current } => {
                let id = ws.id.clone();
                if !self.ws.list.iter().any(|w| w.id == id) {
                    self.ws.list.insert(index.min(self.ws.list.len()), *ws);
                }
                if was_current {
                    self.switch_to(&id);
                }
            }
        }
        self.ws.undo = None;
    }

    /// Another tab saved (`Some`) or deleted (`None`) workspace `id`.
    fn external(&mut self, id: &str, theirs: Option<Box<Workspace>>) {
        let index = self.ws.list.iter().position(|w| w.id == id);
        if id == self.ws.current {
            // The open one: never replaced under the user's hands.
            if let Some(t) = theirs {
                if t.snapshot != self.snapshot() {
                    self.ws.conflict = Some(t);
                } else if let Some(i) = index {
                    self.ws.list.get_mut(i).into_iter().for_each(|w| w.name.clone_from(&t.name));
                }
            }
            return;
        }
        match (index, theirs) {
            (Some(i), Some(t)) => {
                if let Some(w) = self.ws.list.get_mut(i) {
                    *w = *t;
                }
            }
            (None, Some(t)) => self.ws.list.push(*t),
            (Some(i), None) => {
                self.ws.list.remove(i);
            }
            (None, None) => {}
        }
    }

    fn take_theirs(&mut self) {
        let Some(theirs) = self.ws.conflict.take() else { return };
        if theirs.id == self.ws.current {
            self.show(theirs.snapshot.clone());
        }
        if let Some(w) = self.ws.list.iter_mut().find(|w| w.id == theirs.id) {
            *w = *theirs;
        }
    }

    fn keep_mine_as_copy(&mut self, seed: u64) {
        let Some(theirs) = self.ws.conflict.take() else { return };
        let Some(mine) = self.workspace_list().into_iter().find(|w| w.id == theirs.id) else { return };
        let copy = Workspace {
            id: self.fresh_id(seed),
            name: format!("{} (this tab's copy)", mine.name),
            lesson: None,
            snapshot: mine.snapshot,
        };
        let at = self.ws.list.iter().position(|w| w.id == theirs.id).map_or(self.ws.list.len(), |i| i + 1);
        if theirs.id == self.ws.current {
            // The playground on screen stays as it is; it now belongs to the copy.
            self.ws.current = copy.id.clone();
        }
        if let Some(w) = self.ws.list.iter_mut().find(|w| w.id == theirs.id) {
            *w = *theirs;
        }
        self.ws.list.insert(at, copy);
    }

    /// The workspaces' actions (appended at the end of `Action`).
    pub(super) fn apply_workspaces(&mut self, action: Action) {
        match action {
            Action::OpenWorkspace(id) => {
                self.switch_to(&id);
            }
            Action::RenameWorkspace { id, name } => {
                let name = name.trim();
                if let Some(w) = self.ws.list.iter_mut().find(|w| w.id == id).filter(|_| !name.is_empty()) {
                    w.name = name.to_string();
                }
            }
            Action::DuplicateWorkspace { id, seed } => {
                self.stash_current();
                if let Some(w) = self.ws.list.iter().find(|w| w.id == id).cloned() {
                    let copy =
                        Workspace { id: self.fresh_id(seed), name: format!("{} (copy)", w.name), lesson: None, ..w };
                    self.add_and_open(copy);
                }
            }
            Action::DeleteWorkspace { id, seed } => self.delete(&id, seed),
            Action::UndoWorkspace => self.undo(),
            Action::DismissUndo => self.ws.undo = None,
            Action::OpenFragment { fragment, seed } => self.open_fragment(&fragment, seed),
            Action::WorkspaceChangedElsewhere { id, theirs } => self.external(&id, theirs),
            Action::WorkspaceConflict(theirs) if self.ws.conflict.is_none() => self.ws.conflict = Some(theirs),
            Action::TakeTheirs => self.take_theirs(),
            Action::KeepMineAsCopy { seed } => self.keep_mine_as_copy(seed),
            Action::StorageProblem(problem) => self.ws.unsaved = problem,
            Action::RestoreWorkspaces(list) => {
                let n = list.len();
                self.ws.list.extend(list);
                self.banner = Some(Banner {
                    error: false,
                    text: format!("restored {n} workspace{} from the backup", if n == 1 { "" } else { "s" }),
                });
            }
            Action::ToggleWorkspaces => self.ws.panel_open = !self.ws.panel_open,
            _ => {}
        }
    }
}

impl State {
    /// A state from a fragment alone (a share link or `#lesson=`), with no saved workspaces: the embed's.
    pub fn from_fragment_only(fragment: &str, seed: u64) -> State {
        let mut s = State::empty();
        s.open_fragment(fragment, seed);
        s
    }
}

/// The starting state: the workspaces read from storage, the one last open (else the first lesson), then the URL
/// fragment (a share link or `#lesson=`) on top. `seed` draws ids and the seed of a link made without one.
pub fn boot(fragment: &str, loaded: Loaded, seed: u64) -> State {
    let mut s = State::empty();
    s.ws.list = loaded.list;
    s.ws.revs = loaded.revs;
    let current = loaded.current.filter(|c| s.ws.list.iter().any(|w| &w.id == c)).or_else(|| {
        // A valid link opens by itself; otherwise the last workspace.
        let link_ok =
            share::payload_of_fragment(fragment.trim_start_matches('#')).is_some_and(|p| share::decode(p).is_ok());
        if link_ok {
            None
        } else {
            s.ws.list.last().map(|w| w.id.clone())
        }
    });
    match current.and_then(|id| s.ws.list.iter().find(|w| w.id == id).cloned()) {
        Some(w) => {
            s.ws.current = w.id;
            s.show(w.snapshot);
            s.open_fragment(fragment, seed);
        }
        None => {
            s.open_fragment(fragment, seed);
            if s.ws.current.is_empty() {
                let first = starts::LESSONS.first().map_or("", |st| st.id);
                s.open_start(first, seed);
            }
        }
    }
    if !loaded.problems.is_empty() {
        s.banner = Some(Banner::error(loaded.problems.join("; ")));
    }
    s
}

#[cfg(test)]
mod tests;
