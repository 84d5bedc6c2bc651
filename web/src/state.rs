//! The playground's state: one `State`, changed only by `Action`s through a pure reducer (no web APIs here, so
//! everything in this module is tested natively with `cargo test -p kmsim-web`).
//!
//! The KMS view will add its own fields (the world being edited, the calls, their results) next to the lab's and a
//! `View::Kms` variant; `Snapshot` gets a new version then (old links keep decoding).

use std::rc::Rc;

use kmsim_policy::PolicyType;
use yew::Reducible;

use crate::lab::{self, Outcome};
use crate::model::{ContextRow, Doc, RequestForm, Snapshot, ValueType};
use crate::samples::{self, SAMPLES};
use crate::share;

/// Which part of the playground is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Policy documents, a request, the decision and its trace.
    #[default]
    PolicyLab,
}

/// A message shown above the playground until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub error: bool,
    pub text: String,
}

/// A request to move the caret in an editor (sent by clicking a diagnostic or a trace item). `seq` changes on every
/// request so that clicking the same place twice moves the caret again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caret {
    pub doc: usize,
    pub line: u32,
    pub column: u32,
    pub seq: u32,
}

/// The last evaluation: its outcome or why there is none; `stale` once anything changed after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub outcome: Result<Outcome, String>,
    pub stale: bool,
}

/// Everything the playground shows.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub view: View,
    pub docs: Vec<Doc>,
    /// The document shown in the editor.
    pub selected: usize,
    pub request: RequestForm,
    pub evaluation: Option<Evaluation>,
    pub banner: Option<Banner>,
    pub caret: Option<Caret>,
    /// Whether the share panel is open.
    pub share_open: bool,
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SelectView(View),
    SelectDoc(usize),
    Edit {
        doc: usize,
        source: String,
    },
    Rename {
        doc: usize,
        name: String,
    },
    SetType {
        doc: usize,
        ty: PolicyType,
    },
    AddDoc(PolicyType),
    RemoveDoc(usize),
    SetPrincipal(String),
    SetAction(String),
    SetResource(String),
    AddContextRow,
    SetContextKey {
        row: usize,
        key: String,
    },
    SetContextType {
        row: usize,
        ty: ValueType,
    },
    SetContextValue {
        row: usize,
        value: String,
    },
    RemoveContextRow(usize),
    Evaluate,
    LoadSample(usize),
    /// Move the caret of document `doc` to a 1-based line and column (and show that document).
    Goto {
        doc: usize,
        line: u32,
        column: u32,
    },
    ShowBanner(Banner),
    DismissBanner,
    ToggleShare,
}

impl Default for State {
    fn default() -> State {
        State::from_snapshot(samples::initial())
    }
}

impl State {
    pub fn from_snapshot(snapshot: Snapshot) -> State {
        let selected = if snapshot.selected < snapshot.docs.len() { snapshot.selected } else { 0 };
        State {
            view: View::PolicyLab,
            docs: snapshot.docs,
            selected,
            request: snapshot.request,
            evaluation: None,
            banner: None,
            caret: None,
            share_open: false,
        }
    }

    /// What is saved to localStorage and put in share links.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            v: Snapshot::VERSION,
            docs: self.docs.clone(),
            request: self.request.clone(),
            selected: self.selected,
        }
    }

    /// The document in the editor.
    pub fn current(&self) -> Option<&Doc> {
        self.docs.get(self.selected)
    }

    /// The current outcome, if the last evaluation produced one.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.evaluation.as_ref().and_then(|e| e.outcome.as_ref().ok())
    }

    fn touch(&mut self) {
        if let Some(e) = &mut self.evaluation {
            e.stale = true;
        }
    }

    fn row(&mut self, row: usize) -> Option<&mut ContextRow> {
        self.request.context.get_mut(row)
    }

    fn evaluate(&mut self) {
        let outcome = self.request.to_request().and_then(|request| lab::run(&self.docs, &request));
        self.evaluation = Some(Evaluation { outcome, stale: false });
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::SelectView(view) => self.view = view,
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
                        self.touch();
                    }
                }
            }
            Action::Rename { doc, name } => {
                if let Some(d) = self.docs.get_mut(doc) {
                    d.name = name;
                }
            }
            Action::SetType { doc, ty } => {
                if let Some(d) = self.docs.get_mut(doc) {
                    d.ty = ty;
                    d.reparse();
                    self.touch();
                }
            }
            Action::AddDoc(ty) => {
                let n = self.docs.iter().filter(|d| d.ty == ty).count() + 1;
                let name = format!("{} {n}", crate::model::type_label(ty));
                let source = match ty {
                    PolicyType::Resource => NEW_RESOURCE_POLICY,
                    _ => NEW_POLICY,
                };
                self.docs.push(Doc::new(name, ty, source));
                self.selected = self.docs.len().saturating_sub(1);
                self.evaluation = None;
            }
            Action::RemoveDoc(doc) => {
                if doc < self.docs.len() {
                    self.docs.remove(doc);
                    if self.selected >= doc && self.selected > 0 {
                        self.selected -= 1;
                    }
                    self.evaluation = None;
                    self.caret = None;
                }
            }
            Action::SetPrincipal(v) => {
                self.request.principal = v;
                self.touch();
            }
            Action::SetAction(v) => {
                self.request.action = v;
                self.touch();
            }
            Action::SetResource(v) => {
                self.request.resource = v;
                self.touch();
            }
            Action::AddContextRow => {
                self.request.context.push(ContextRow::default());
            }
            Action::SetContextKey { row, key } => {
                if let Some(r) = self.row(row) {
                    r.key = key;
                    self.touch();
                }
            }
            Action::SetContextType { row, ty } => {
                if let Some(r) = self.row(row) {
                    r.ty = ty;
                    self.touch();
                }
            }
            Action::SetContextValue { row, value } => {
                if let Some(r) = self.row(row) {
                    r.value = value;
                    self.touch();
                }
            }
            Action::RemoveContextRow(row) => {
                if row < self.request.context.len() {
                    self.request.context.remove(row);
                    self.touch();
                }
            }
            Action::Evaluate => self.evaluate(),
            Action::LoadSample(i) => {
                if let Some(sample) = SAMPLES.get(i) {
                    let banner = self.banner.take();
                    *self = State::from_snapshot(sample.snapshot());
                    self.banner = banner;
                    self.evaluate();
                }
            }
            Action::Goto { doc, line, column } => {
                if doc < self.docs.len() {
                    self.selected = doc;
                    let seq = self.caret.map_or(0, |c| c.seq.wrapping_add(1));
                    self.caret = Some(Caret { doc, line, column, seq });
                }
            }
            Action::ShowBanner(b) => self.banner = Some(b),
            Action::DismissBanner => self.banner = None,
            Action::ToggleShare => self.share_open = !self.share_open,
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

const NEW_POLICY: &str =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \
                          \"Action\": \"kms:DescribeKey\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
const NEW_RESOURCE_POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \
                                   \"Effect\": \"Allow\",\n      \"Principal\": { \"AWS\": \"arn:aws:iam::111122223333:root\" },\n      \
                                   \"Action\": \"kms:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

/// Where the starting state came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Fragment,
    Storage,
    Default,
}

/// The starting state, from the URL fragment (which wins), else the stored JSON, else the first sample.
/// An unreadable fragment or stored state gives a banner and falls through; `corrupt_stored` tells the caller to
/// keep the unreadable stored text somewhere safe before anything is saved over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Boot {
    pub state: State,
    pub source: Source,
    pub corrupt_stored: bool,
}

/// Builds the starting state from what the browser holds.
pub fn boot(fragment: &str, stored: Option<&str>) -> Boot {
    let mut problems: Vec<String> = Vec::new();
    if let Some(payload) = share::payload_of_fragment(fragment) {
        match share::decode(payload) {
            Ok(snapshot) => {
                return Boot { state: State::from_snapshot(snapshot), source: Source::Fragment, corrupt_stored: false }
            }
            Err(e) => problems.push(format!("the share link in the address could not be read ({e})")),
        }
    }
    let mut corrupt_stored = false;
    let mut result = None;
    if let Some(json) = stored.filter(|s| !s.trim().is_empty()) {
        match share::from_json(json) {
            Ok(snapshot) => result = Some((State::from_snapshot(snapshot), Source::Storage)),
            Err(e) => {
                corrupt_stored = true;
                problems.push(format!("the saved playground could not be read ({e}); it is kept as `{BACKUP_KEY}`"));
            }
        }
    }
    let (mut state, source) = result.unwrap_or_else(|| (State::default(), Source::Default));
    if !problems.is_empty() {
        let shown = match source {
            Source::Storage => "your saved playground is shown instead",
            _ => "the first sample is shown instead",
        };
        state.banner = Some(Banner { error: true, text: format!("{}; {shown}", problems.join("; ")) });
    }
    Boot { state, source, corrupt_stored }
}

/// The localStorage key of the saved playground.
pub const STORAGE_KEY: &str = "kmsim.playground";
/// Where unreadable saved state is moved before anything is saved over it.
pub const BACKUP_KEY: &str = "kmsim.playground.unreadable";

#[cfg(test)]
mod tests {
    use super::*;
    use kmsim_policy::Decision;

    fn reduce(state: State, action: Action) -> State {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn reduce_all(state: State, actions: impl IntoIterator<Item = Action>) -> State {
        actions.into_iter().fold(state, reduce)
    }

    #[test]
    fn editing_reparses_and_marks_the_result_stale() {
        let s = reduce(State::default(), Action::Evaluate);
        assert_eq!(s.evaluation.as_ref().map(|e| e.stale), Some(false));
        let s = reduce(s, Action::Edit { doc: 0, source: "{ \"Statement\": [".into() });
        assert!(!s.docs[0].errors.is_empty());
        assert_eq!(s.evaluation.as_ref().map(|e| e.stale), Some(true));
        let fixed = samples::initial().docs[0].source.clone();
        let s = reduce(s, Action::Edit { doc: 0, source: fixed });
        assert!(s.docs[0].errors.is_empty());
    }

    #[test]
    fn evaluation_with_broken_documents_says_which() {
        let s = reduce_all(
            State::default(),
            [
                Action::Rename { doc: 1, name: "mine".into() },
                Action::Edit { doc: 1, source: "{".into() },
                Action::Evaluate,
            ],
        );
        let err = s.evaluation.unwrap().outcome.unwrap_err();
        assert_eq!(err, "fix the errors in `mine` first");
    }

    #[test]
    fn evaluation_with_a_bad_request_says_why() {
        let s = reduce_all(State::default(), [Action::SetPrincipal("  ".into()), Action::Evaluate]);
        assert_eq!(s.evaluation.unwrap().outcome.unwrap_err(), "the principal ARN is empty");
    }

    #[test]
    fn out_of_range_indices_change_nothing() {
        let s0 = State::default();
        let s = reduce_all(
            s0.clone(),
            [
                Action::SelectDoc(9),
                Action::Edit { doc: 9, source: "x".into() },
                Action::Rename { doc: 9, name: "x".into() },
                Action::RemoveDoc(9),
                Action::SetContextKey { row: 3, key: "k".into() },
                Action::RemoveContextRow(3),
                Action::Goto { doc: 9, line: 1, column: 1 },
                Action::LoadSample(999),
            ],
        );
        assert_eq!(s, s0);
    }

    #[test]
    fn adding_and_removing_documents_keeps_the_selection_valid() {
        let s = reduce(State::default(), Action::AddDoc(PolicyType::Scp));
        assert_eq!(s.docs.len(), 3);
        assert_eq!(s.selected, 2);
        assert_eq!(s.docs[2].name, "SCP 1");
        assert!(s.docs[2].errors.is_empty(), "{:?}", s.docs[2].errors);
        let s = reduce(s, Action::RemoveDoc(2));
        assert_eq!((s.docs.len(), s.selected), (2, 1));
        let s = reduce_all(s, [Action::RemoveDoc(0), Action::RemoveDoc(0)]);
        assert_eq!((s.docs.len(), s.selected), (0, 0));
        let s = reduce(s, Action::Evaluate);
        assert_eq!(s.evaluation.unwrap().outcome.unwrap_err(), "add a policy document first");
    }

    #[test]
    fn context_rows_are_edited_in_place() {
        let s = reduce_all(
            State::default(),
            [
                Action::AddContextRow,
                Action::SetContextKey { row: 0, key: "aws:SourceIp".into() },
                Action::SetContextType { row: 0, ty: ValueType::Ip },
                Action::SetContextValue { row: 0, value: "10.1.2.3".into() },
                Action::AddContextRow,
                Action::RemoveContextRow(1),
            ],
        );
        assert_eq!(
            s.request.context,
            vec![ContextRow { key: "aws:SourceIp".into(), ty: ValueType::Ip, value: "10.1.2.3".into() }]
        );
    }

    #[test]
    fn goto_selects_the_document_and_moves_the_caret_every_time() {
        let s = reduce(State::default(), Action::Goto { doc: 1, line: 3, column: 7 });
        assert_eq!(s.selected, 1);
        let first = s.caret.unwrap();
        assert_eq!((first.doc, first.line, first.column), (1, 3, 7));
        let s = reduce(s, Action::Goto { doc: 1, line: 3, column: 7 });
        assert_ne!(s.caret.unwrap().seq, first.seq);
    }

    #[test]
    fn loading_a_sample_replaces_the_lab_and_evaluates_it() {
        let s = reduce_all(State::default(), [Action::AddDoc(PolicyType::Identity), Action::LoadSample(2)]);
        assert_eq!(s.docs.len(), SAMPLES[2].docs.len());
        assert_eq!(s.request.action, SAMPLES[2].action);
        assert!(s.evaluation.is_some_and(|e| !e.stale));
    }

    #[test]
    fn snapshot_round_trips_through_the_state() {
        let s = reduce_all(State::default(), [Action::SelectDoc(1), Action::SetAction("kms:Encrypt".into())]);
        let back = State::from_snapshot(share::decode(&share::encode(&s.snapshot())).unwrap());
        assert_eq!(back.snapshot(), s.snapshot());
        assert_eq!(back.selected, 1);
    }

    #[test]
    fn boot_prefers_the_fragment_over_storage() {
        let shared = reduce(State::default(), Action::SetAction("kms:Sign".into())).snapshot();
        let stored = reduce(State::default(), Action::SetAction("kms:Verify".into())).snapshot();
        let b = boot(&format!("#s={}", share::encode(&shared)), Some(&share::to_json(&stored)));
        assert_eq!((b.source.clone(), b.state.request.action.as_str()), (Source::Fragment, "kms:Sign"));
        assert!(b.state.banner.is_none());
        let b = boot("", Some(&share::to_json(&stored)));
        assert_eq!((b.source, b.state.request.action.as_str()), (Source::Storage, "kms:Verify"));
        let b = boot("", None);
        assert_eq!(b.source, Source::Default);
        assert_eq!(b.state, State::default());
    }

    #[test]
    fn a_broken_link_falls_back_to_storage_with_a_message() {
        let stored = reduce(State::default(), Action::SetAction("kms:Verify".into())).snapshot();
        let b = boot("#s=garbage", Some(&share::to_json(&stored)));
        assert_eq!(b.source, Source::Storage);
        assert_eq!(b.state.request.action, "kms:Verify");
        assert!(!b.corrupt_stored);
        let banner = b.state.banner.unwrap();
        assert!(banner.error);
        assert!(banner.text.starts_with("the share link in the address could not be read ("), "{}", banner.text);
        assert!(banner.text.ends_with("your saved playground is shown instead"), "{}", banner.text);
    }

    #[test]
    fn corrupt_storage_is_reported_and_kept() {
        let b = boot("", Some("{\"v\": 1, \"docs\": [tru"));
        assert!(b.corrupt_stored);
        assert_eq!(b.source, Source::Default);
        let text = b.state.banner.unwrap().text;
        assert!(text.contains("the saved playground could not be read"), "{text}");
        assert!(text.contains(BACKUP_KEY), "{text}");
    }

    #[test]
    fn the_first_sample_is_allowed_and_the_deciding_statements_are_located() {
        let s = reduce(State::default(), Action::Evaluate);
        let outcome = s.outcome().unwrap();
        assert_eq!(outcome.decision, Decision::Allow, "{}", outcome.reason);
        assert!(!outcome.deciding.is_empty());
        for d in &outcome.deciding {
            let doc = &s.docs[d.doc];
            let lines = doc.source.lines().count() as u32;
            assert!(d.line >= 1 && d.line <= d.end_line && d.end_line <= lines, "{d:?}");
        }
    }
}
