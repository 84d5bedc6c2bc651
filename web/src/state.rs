//! The playground's state: one `State`, changed only by `Action`s through a pure reducer (no web APIs here, so
//! everything in this module is tested natively with `cargo test -p kmsim-web`). Randomness (a new seed) comes in
//! with the action that needs it.

use std::rc::Rc;

use kmsim_kms::scenario::{read_text, ScenarioFile, StepSpec};
use serde_json::Value as J;
use yew::Reducible;

use crate::model::{self, CallForm, Doc, EcRow, Snapshot};
use crate::run::{self, RunErrors, RunView};
use crate::starts;
use crate::workspaces::Workspace;

pub mod exercise;
pub use exercise::{Exercise, Progress};
// Issue 11, steps and console: step and expectation editing, the console's fields and "after step N".
pub mod console;
pub mod nested;
pub mod steps;
pub use nested::Nested;
mod rules;
// The world editor (issue 11).
pub mod world;
pub use world::WorldAction;
mod live;

/// The right-hand panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The scenario's steps, their outcomes and expectations.
    #[default]
    Steps,
    /// Build and run a call.
    Console,
    /// The world's audit log.
    Audit,
    /// The world editor (state/world.rs).
    World,
}

/// A message shown above the playground until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub error: bool,
    pub text: String,
}

impl Banner {
    pub fn error(text: impl Into<String>) -> Banner {
        Banner { error: true, text: text.into() }
    }
}

/// A request to move the caret in an editor. `seq` changes on every request so that the same place twice moves it
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caret {
    pub doc: usize,
    pub line: u32,
    pub column: u32,
    pub seq: u32,
}

/// Lines highlighted in a document's gutter (the statement clicked in a trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub doc: usize,
    pub line: u32,
    pub end_line: u32,
}

/// The last run: its result (shared, never copied) or why it could not start; `stale` once a document changed.
#[derive(Debug, Clone)]
pub struct Run {
    pub result: Result<Rc<RunView>, RunErrors>,
    pub stale: bool,
    /// The run's number in this tab (shown as `data-run`, so a benchmark sees each new outcome).
    pub seq: u64,
}

impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        self.stale == other.stale
            && self.seq == other.seq
            && match (&self.result, &other.result) {
                (Ok(a), Ok(b)) => Rc::ptr_eq(a, b),
                (Err(a), Err(b)) => a == b,
                _ => false,
            }
    }
}

/// Everything the playground shows.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The lesson or sample it started from.
    pub origin: Option<String>,
    /// The scenario; its policies are superseded by `docs` (spliced in before every run and save).
    pub base: ScenarioFile,
    pub docs: Vec<Doc>,
    /// The document in the editor.
    pub selected: usize,
    /// Steps the user added, after the scenario's own.
    pub user_steps: Vec<StepSpec>,
    pub run: Option<Run>,
    /// The step whose trace is shown (index among all steps).
    pub step: Option<usize>,
    /// The call nested in that step whose trace is shown (a service's KMS call, a rule's action), see `state/nested.rs`.
    pub nested: Option<Nested>,
    pub view: View,
    pub call: CallForm,
    /// Why the last console call could not be added.
    pub console_error: Option<String>,
    pub highlight: Option<Highlight>,
    pub caret: Option<Caret>,
    pub banner: Option<Banner>,
    pub share_open: bool,
    /// Exercise mode: the last check, the hints shown, the solution compared.
    pub exercise: Exercise,
    /// The lessons solved in this browser (kept across lessons).
    pub progress: Progress,
    /// The workspaces (see `state/workspaces.rs`).
    pub ws: Workspaces,
    /// The step editor's text that does not read yet (see `state/steps/mod.rs`).
    pub editing: steps::Editing,
    /// The console's last call run "after step N" (see `state/console.rs`).
    pub trial: Option<console::Trial>,
    /// The world editor: the scenario as one JSON document (see `state/world.rs`).
    pub world: world::WorldEdit,
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open a lesson or sample by id; `seed` is used when the scenario has none.
    Open {
        id: String,
        seed: u64,
    },
    /// Replace everything with a saved snapshot (restoring work kept aside).
    Restore(Box<Snapshot>),
    SetView(View),
    SelectDoc(usize),
    Edit {
        doc: usize,
        source: String,
    },
    /// Move the caret of document `doc` to a 1-based line and column (and show that document).
    Goto {
        doc: usize,
        line: u32,
        column: u32,
    },
    RunAll,
    /// Run again after an edit, when every document parses (state/live.rs); the editor sends it with each edit.
    RunEdited,
    SelectStep(usize),
    /// Select step `step` and a call nested in it (`None`: the step's own), see `state/nested.rs`.
    SelectNested {
        step: usize,
        nested: Option<Nested>,
    },
    /// A statement clicked in a trace: show its document with its lines highlighted.
    SelectStatement {
        doc: usize,
        line: u32,
        end_line: u32,
    },
    SetOperation(String),
    SetCaller(String),
    SetKey(String),
    SetParams(String),
    AddEcRow,
    SetEcKey {
        row: usize,
        key: String,
    },
    SetEcValue {
        row: usize,
        value: String,
    },
    RemoveEcRow(usize),
    SetMfa(bool),
    SetVia(String),
    SetSourceIp(String),
    /// Append the console's call to the user's steps and run everything.
    RunCall,
    /// Remove the user's last step.
    UndoStep,
    /// Back to the lesson or sample as it was opened (same seed), without the user's steps.
    Reset,
    ShowBanner(Banner),
    DismissBanner,
    ToggleShare,
    /// "Check my work": run the lesson and grade its goals; a lesson whose goals are all met is marked solved.
    CheckWork,
    /// Reveal the next hint.
    ShowHint,
    /// Show or hide the solution beside the student's documents.
    ToggleSolution,
    /// The progress read from the browser (its JSON, see [`exercise::Progress::from_json`]).
    LoadProgress(String),
    /// A scenario file opened from disk (upload or drop), in the CLI's format: loaded when it reads, else a message
    /// with each problem's line, column and path.
    Import {
        name: String,
        text: String,
    },
    // Workspaces (state/workspaces.rs). `seed`s are randomness for new ids (and for a link without a seed).
    OpenWorkspace(String),
    RenameWorkspace {
        id: String,
        name: String,
    },
    DuplicateWorkspace {
        id: String,
        seed: u64,
    },
    DeleteWorkspace {
        id: String,
        seed: u64,
    },
    /// Take back the last switch, reset or delete.
    UndoWorkspace,
    DismissUndo,
    /// A fragment typed or pasted into the address bar (`#s=...` or `#lesson=NAME`).
    OpenFragment {
        fragment: String,
        seed: u64,
    },
    /// Another tab saved (`Some`) or deleted (`None`) a workspace.
    WorkspaceChangedElsewhere {
        id: String,
        theirs: Option<Box<Workspace>>,
    },
    /// Saving found another tab's newer version of a workspace this tab changed.
    WorkspaceConflict(Box<Workspace>),
    /// Resolve the conflict: take the other tab's version ...
    TakeTheirs,
    /// ... or keep this tab's as a new workspace.
    KeepMineAsCopy {
        seed: u64,
    },
    /// Why nothing is saved now (`None`: saved again).
    StorageProblem(Option<String>),
    /// Workspaces read from a backup file (with fresh ids).
    RestoreWorkspaces(Vec<Workspace>),
    ToggleWorkspaces,
    /// Editing steps and expectations (state/steps/mod.rs).
    Steps(steps::StepAction),
    /// The console's fields, "after step N", keeping a call (state/console.rs).
    Console(console::ConsoleAction),
    /// The world editor's actions (state/world.rs).
    World(WorldAction),
}

/// The starting point when nothing is saved: the first lesson.
impl Default for State {
    fn default() -> State {
        let first = starts::LESSONS.first().map_or("", |s| s.id);
        let mut s = State::empty();
        s.open_start(first, 1);
        s
    }
}

impl State {
    fn empty() -> State {
        State {
            origin: None,
            base: ScenarioFile::default(),
            docs: Vec::new(),
            selected: 0,
            user_steps: Vec::new(),
            run: None,
            step: None,
            nested: None,
            view: View::Steps,
            call: CallForm::default(),
            console_error: None,
            highlight: None,
            caret: None,
            banner: None,
            share_open: false,
            exercise: Exercise::default(),
            progress: Progress::default(),
            ws: Workspaces::default(),
            editing: steps::Editing::default(),
            trial: None,
            world: world::WorldEdit::default(),
        }
    }

    /// A state from a snapshot, run (so the page opens with results).
    pub fn from_snapshot(snapshot: Snapshot) -> State {
        let mut s = State::empty();
        s.load(snapshot);
        s
    }

    fn load(&mut self, snapshot: Snapshot) {
        let mut base = snapshot.scenario;
        if base.seed.is_none() {
            base.seed = Some(1);
        }
        self.docs = model::extract(&base);
        model::rules::restore(&base, &mut self.docs, &snapshot.texts);
        let json_open = snapshot.doc.as_deref() == Some(world::JSON_POINTER);
        self.selected = snapshot.doc.and_then(|p| self.docs.iter().position(|d| d.loc.pointer() == p)).unwrap_or(0);
        self.base = base;
        self.origin = snapshot.origin;
        self.user_steps = snapshot.steps;
        self.call = snapshot.call.unwrap_or_else(|| self.default_call());
        self.console_error = None;
        self.highlight = None;
        self.caret = None;
        self.run_all();
        let total = self.step_count();
        self.step = snapshot.step.filter(|i| *i < total).or((total > 0).then_some(0));
        self.restore_json(snapshot.texts.get(world::JSON_POINTER), json_open);
    }

    /// What is saved to localStorage and put in share links.
    pub fn snapshot(&self) -> Snapshot {
        let mut scenario = self.base.clone();
        model::splice(&mut scenario, &self.docs);
        Snapshot {
            v: Snapshot::VERSION,
            origin: self.origin.clone(),
            scenario,
            steps: self.user_steps.clone(),
            doc: if self.world.json_open {
                Some(world::JSON_POINTER.to_string())
            } else {
                self.current().map(|d| d.loc.pointer())
            },
            step: self.step,
            call: Some(self.call.clone()),
            texts: {
                let mut texts = model::rules::texts(&self.docs);
                if let Some(draft) = self.json_draft_kept() {
                    texts.insert(world::JSON_POINTER.to_string(), draft.to_string());
                }
                texts
            },
        }
    }

    /// The document in the editor.
    pub fn current(&self) -> Option<&Doc> {
        self.docs.get(self.selected)
    }

    /// The last run's view, if it ran.
    pub fn view_of_run(&self) -> Option<&Rc<RunView>> {
        self.run.as_ref().and_then(|r| r.result.as_ref().ok())
    }

    /// The scenario's steps followed by the user's.
    pub fn all_steps(&self) -> impl Iterator<Item = &StepSpec> {
        self.base.steps.iter().chain(&self.user_steps)
    }

    pub fn step_count(&self) -> usize {
        self.base.steps.len() + self.user_steps.len()
    }

    /// Whether step `i` is one the user added.
    pub fn is_user_step(&self, i: usize) -> bool {
        i >= self.base.steps.len() && i < self.step_count()
    }

    /// Callers to offer in the console.
    pub fn callers(&self) -> Vec<String> {
        run::callers(&self.base)
    }

    /// Keys to offer in the console, as `(value, label)`.
    pub fn key_choices(&self) -> Vec<(String, String)> {
        run::key_choices(&self.base)
    }

    /// The name of the last step (up to the console's point) whose response held a ciphertext (for `$ref` in
    /// templates).
    fn last_ciphertext_step(&self) -> Option<String> {
        self.last_ciphertext_before(self.console_after().map_or(self.step_count(), |n| n + 1))
    }

    fn default_call(&self) -> CallForm {
        let caller = self.callers().into_iter().next().unwrap_or_else(|| "root".to_string());
        let key = self.key_choices().into_iter().next().map(|(v, _)| v).unwrap_or_default();
        let operation = "Encrypt".to_string();
        let params = pretty(&run::template(&operation, &key, self.last_ciphertext_step().as_deref()));
        CallForm { operation, caller, key, params, ..CallForm::default() }
    }

    fn run_all(&mut self) {
        let broken: Vec<String> = self
            .docs
            .iter()
            .filter(|d| !d.errors.is_empty())
            .map(|d| format!("fix the errors in `{} · {}` first", d.loc.group(), d.loc.label()))
            .collect();
        let result = if broken.is_empty() {
            run::run_owned(run::runnable(&self.base, &self.docs, &self.user_steps)).map(Rc::new)
        } else {
            Err(broken)
        };
        let seq = self.run.as_ref().map_or(1, |r| r.seq.wrapping_add(1));
        self.run = Some(Run { result, stale: false, seq });
    }

    fn mark_stale(&mut self) {
        if let Some(r) = &mut self.run {
            r.stale = true;
        }
    }

    fn open(&mut self, id: &str, seed: u64) {
        let Some(start) = starts::find(id) else { return };
        // A typed read without the checks: the built-in scenarios are checked when they run (`Scenario::from_file`)
        // and by the tests in `starts`. Through the parser's reader (`read_text`), as every typed read of the
        // scenario's types in the playground, so the bundle holds one deserializer of them.
        let Ok(mut file) = read_text::<ScenarioFile>(start.text) else {
            self.banner = Some(Banner::error(format!("the built-in scenario `{id}` could not be read")));
            return;
        };
        file.seed = file.seed.or(Some(seed));
        let banner = self.banner.take();
        let view = self.view;
        let progress = std::mem::take(&mut self.progress);
        let ws = std::mem::take(&mut self.ws);
        *self = State::empty();
        self.banner = banner;
        self.progress = progress;
        self.ws = ws;
        self.view = if view == View::Audit { View::Steps } else { view };
        self.load(Snapshot::of_file(Some(id.to_string()), file));
    }

    fn run_call(&mut self) {
        let taken = model::step_names(&self.base.steps.iter().chain(&self.user_steps).cloned().collect::<Vec<_>>());
        let name = (1..).map(|n| format!("call{n}")).find(|n| !taken.contains_key(n)).unwrap_or_default();
        let step = match console::step_of(&self.call, name) {
            Ok(step) => step,
            Err(e) => {
                self.console_error = Some(e);
                return;
            }
        };
        if let Some(after) = self.console_after() {
            self.run_trial(after, step);
            return;
        }
        self.trial = None;
        self.user_steps.push(step);
        let previous = self.run.clone();
        self.run_all();
        if let Some(Run { result: Err(errors), .. }) = &self.run {
            // The call does not make a valid step: take it back and say why.
            self.console_error = Some(errors.join("; "));
            self.user_steps.pop();
            self.run = previous;
            return;
        }
        self.console_error = None;
        self.step = Some(self.step_count().saturating_sub(1));
        self.highlight = None;
        // The next call of the same kind can decrypt what this one made.
        if run::makes_ciphertext(&self.call.operation) {
            self.call.params = pretty(&self.template_for(&self.call.operation.clone()));
        }
    }

    /// The scenario as a file in the CLI's format (`kmsim check` reads it): the documents spliced in, the user's
    /// steps appended, the exercise's goals, hints and solution kept.
    pub fn export_text(&self) -> String {
        pretty(&serde_json::to_value(run::runnable(&self.base, &self.docs, &self.user_steps)).unwrap_or(J::Null))
    }

    /// Loads a scenario file read the way the CLI reads it. A lesson's own file (same title) keeps the lesson as its
    /// origin, so that its solution can still be compared.
    fn import(&mut self, name: &str, text: &str) {
        let file = match kmsim_kms::scenario::Scenario::parse(text) {
            Ok(s) => s.file,
            Err(errs) => {
                let list: Vec<String> = errs
                    .errors
                    .iter()
                    .take(5)
                    .map(|e| format!("line {}, column {} ({}): {}", e.span.line, e.span.column, e.span.path, e.message))
                    .collect();
                let more = errs.errors.len().saturating_sub(list.len());
                let more = if more > 0 { format!("; and {more} more") } else { String::new() };
                self.banner = Some(Banner::error(format!("`{name}` could not be opened: {}{more}", list.join("; "))));
                return;
            }
        };
        let origin = starts::LESSONS
            .iter()
            .find(|l| read_text::<ScenarioFile>(l.text).is_ok_and(|f| f.title == file.title))
            .map(|l| l.id.to_string());
        let progress = std::mem::take(&mut self.progress);
        let ws = std::mem::take(&mut self.ws);
        let view = self.view;
        *self = State::empty();
        self.progress = progress;
        self.ws = ws;
        self.view = view;
        self.load(Snapshot::of_file(origin, file));
        self.banner = Some(Banner { error: false, text: format!("opened `{name}`") });
    }

    /// Runs everything and keeps the goals' results; every goal met marks the lesson solved.
    fn check_work(&mut self) {
        self.run_all();
        let goals = self.view_of_run().map(|v| v.goals.clone()).unwrap_or_default();
        let met = !goals.is_empty() && goals.iter().all(|g| g.passed);
        if let (true, Some(id)) = (met, &self.origin) {
            self.progress.solved.insert(id.clone(), true);
        }
        self.exercise.checked = Some(goals);
    }

    fn template_for(&self, operation: &str) -> J {
        run::template(operation, &self.call.key, self.last_ciphertext_step().as_deref())
    }

    fn apply(&mut self, action: Action) {
        // The world editor: choosing a policy document leaves the scenario's JSON document.
        if matches!(action, Action::SelectDoc(_) | Action::Goto { .. } | Action::SelectStatement { .. }) {
            self.world.json_open = false;
        }
        match action {
            Action::Open { id, seed } => self.open_start(&id, seed),
            Action::Restore(snapshot) => {
                let banner = self.banner.take();
                self.load(*snapshot);
                self.banner = banner;
            }
            Action::SetView(v) => self.view = v,
            Action::SelectDoc(doc) => {
                if doc < self.docs.len() {
                    self.selected = doc;
                }
            }
            Action::Edit { doc, source } => {
                if let Some(d) = self.docs.get_mut(doc) {
                    if d.source != source {
                        d.source = source;
                        d.reparse();
                        self.mark_stale();
                        self.exercise.checked = None;
                        if self.highlight.is_some_and(|h| h.doc == doc) {
                            self.highlight = None;
                        }
                        self.edited_rule(doc);
                    }
                }
            }
            Action::Goto { doc, line, column } => {
                if doc < self.docs.len() {
                    self.selected = doc;
                    let seq = self.caret.map_or(0, |c| c.seq.wrapping_add(1));
                    self.caret = Some(Caret { doc, line, column, seq });
                }
            }
            Action::RunAll => {
                self.run_all();
                self.highlight = None;
                if self.step.is_none_or(|s| s >= self.step_count()) {
                    self.step = (self.step_count() > 0).then_some(0);
                }
            }
            Action::RunEdited => self.run_edited(),
            Action::SelectStep(i) => {
                if i < self.step_count() {
                    self.step = Some(i);
                    self.nested = None;
                    self.highlight = None;
                }
            }
            Action::SelectNested { step, nested } => self.select_nested(step, nested),
            Action::SelectStatement { doc, line, end_line } => {
                if doc < self.docs.len() {
                    self.highlight = Some(Highlight { doc, line, end_line: end_line.max(line) });
                    self.apply(Action::Goto { doc, line, column: 1 });
                }
            }
            Action::SetOperation(op) => {
                self.call.params = pretty(&self.template_for(&op));
                self.call.operation = op;
            }
            Action::SetCaller(c) => self.call.caller = c,
            Action::SetKey(k) => {
                self.call.key = k;
                if let Ok(J::Object(mut o)) = serde_json::from_str::<J>(&self.call.params) {
                    for field in ["KeyId", "DestinationKeyId", "TargetKeyId"] {
                        if let Some(v) = o.get_mut(field) {
                            *v = run::key_param(&self.call.key);
                        }
                    }
                    self.call.params = pretty(&J::Object(o));
                }
            }
            Action::SetParams(p) => self.call.params = p,
            Action::AddEcRow => self.call.context.push(EcRow::default()),
            Action::SetEcKey { row, key } => {
                if let Some(r) = self.call.context.get_mut(row) {
                    r.key = key;
                }
            }
            Action::SetEcValue { row, value } => {
                if let Some(r) = self.call.context.get_mut(row) {
                    r.value = value;
                }
            }
            Action::RemoveEcRow(row) => {
                if row < self.call.context.len() {
                    self.call.context.remove(row);
                }
            }
            Action::SetMfa(m) => self.call.mfa = m,
            Action::SetVia(v) => self.call.via = v,
            Action::SetSourceIp(ip) => self.call.source_ip = ip,
            Action::RunCall => {
                self.exercise.checked = None;
                self.run_call();
            }
            Action::UndoStep => {
                self.exercise.checked = None;
                if self.user_steps.pop().is_some() {
                    self.run_all();
                    let total = self.step_count();
                    self.step = self.step.map(|s| s.min(total.saturating_sub(1))).filter(|_| total > 0);
                    self.highlight = None;
                }
            }
            Action::Reset => self.reset_with_undo(),
            Action::ShowBanner(b) => self.banner = Some(b),
            Action::DismissBanner => {
                self.banner = None;
                self.ws.broken_link = None;
            }
            Action::ToggleShare => self.share_open = !self.share_open,
            Action::CheckWork => self.check_work(),
            Action::ShowHint => {
                self.exercise.hints_shown = (self.exercise.hints_shown + 1).min(self.base.hints.len());
            }
            Action::ToggleSolution => self.exercise.compare = !self.exercise.compare,
            Action::Import { name, text } => self.import(&name, &text),
            Action::LoadProgress(text) => {
                // What this session solved stays solved, whatever the browser held.
                let mut loaded = Progress::from_json(&text);
                loaded.solved.extend(self.progress.solved.iter().filter(|(_, s)| **s).map(|(k, v)| (k.clone(), *v)));
                self.progress = loaded;
            }
            Action::Steps(a) => self.apply_steps(a),
            Action::Console(a) => self.apply_console(a),
            Action::World(w) => self.apply_world(w),
            other => self.apply_workspaces(other),
        }
    }

    /// Back to the lesson or sample as it was opened (same seed), without the user's steps.
    fn reset(&mut self) {
        let seed = self.base.seed.unwrap_or(1);
        match self.origin.clone() {
            Some(id) if starts::find(&id).is_some() => self.open(&id, seed),
            _ => {
                self.user_steps.clear();
                self.run_all();
                self.step = (self.step_count() > 0).then_some(0);
            }
        }
    }
}

fn pretty(v: &J) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

pub use workspaces::{boot, BrokenLink, Undo, UndoKind, Workspaces};

mod workspaces;

#[cfg(test)]
mod tests;
