//! Small components. Each reads the shared state from the context and sends actions; none holds logic.

mod audit;
mod console;
mod editor;
mod exercise;
mod files;
mod header;
mod prose;
mod steps;
mod trace;
mod workspaces;

pub use audit::AuditLog;
pub use console::CallConsole;
pub use editor::DocumentsPane;
pub use header::{Banner, Header};
pub use prose::{InlineProse, Prose};
pub use steps::StepsView;
pub use workspaces::{Notices, UndoToast, WorkspacesPanel};

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::{Event, TargetCast, UseReducerHandle};

use crate::state::State;

/// What components get from the context provider.
pub type AppContext = UseReducerHandle<State>;

/// The value of the input, textarea or select an event came from (empty if none).
pub fn value_of(e: &Event) -> String {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return i.value();
    }
    if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
        return t.value();
    }
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}
