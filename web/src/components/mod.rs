//! Small components. Each reads the shared state from the context and sends actions; none holds logic.

mod audit;
mod console;
mod editor;
mod exercise;
mod files;
mod header;
mod nested;
mod prose;
mod steps;
mod trace;
// Issue 11: the step editor and the console's added parts.
mod console_extras;
mod step_editor;
mod workspaces;
// The world editor (issue 11).
mod scenario_json;
mod world;
mod world_keys;

pub use audit::AuditLog;
pub use console::CallConsole;
pub use editor::DocumentsPane;
pub use header::{Banner, Header};
pub use prose::{InlineProse, Prose};
pub use steps::StepsView;
pub use workspaces::{Notices, UndoToast, WorkspacesPanel};
pub use world::WorldView;

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
