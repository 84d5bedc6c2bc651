//! The run after an edit (state/live.rs): asked for once per burst of edits. The request waits in a zero-delay
//! timer, behind the input events already queued (the browser handles those first), so keystrokes typed while a
//! run is under way are applied together and run once.

use std::cell::Cell;

use wasm_bindgen::prelude::*;

use super::AppContext;
use crate::state::Action;

thread_local! {
    static PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Asks for a run after the edit just dispatched (none if one is already asked for).
pub fn after_edit(app: &AppContext) {
    if PENDING.with(|p| p.replace(true)) {
        return;
    }
    let dispatcher = app.dispatcher();
    let run = Closure::once_into_js(move || {
        PENDING.with(|p| p.set(false));
        dispatcher.dispatch(Action::RunEdited);
    });
    let scheduled = web_sys::window().and_then(|w| w.set_timeout_with_callback(run.unchecked_ref()).ok());
    if scheduled.is_none() {
        PENDING.with(|p| p.set(false));
        app.dispatch(Action::RunEdited);
    }
}
