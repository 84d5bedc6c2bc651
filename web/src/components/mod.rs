//! Small components. Each reads the shared state from the context and sends actions; none holds logic.

mod editor;
mod header;
mod request;
mod result;

pub use editor::EditorPane;
pub use header::{Banner, Header};
pub use request::RequestBuilder;
pub use result::ResultPanel;

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
