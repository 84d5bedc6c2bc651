//! The share link in the address bar, written after the frame that shows a change has been painted (issue 15):
//! encoding the snapshot (JSON, deflate, base64url) and `history.replaceState` with a link of several kilobytes
//! cost milliseconds per keystroke, which the outcome of an edit need not wait for. Several changes before that
//! frame write the address once, with the last. The workspaces themselves are still saved at once, in the same
//! task as the change (app.rs, `workspaces::Saver`), so nothing typed is lost if the tab closes.

use std::cell::RefCell;

use crate::model::Snapshot;
use crate::{browser, share};

thread_local! {
    /// The link to write, and the address as it was when the write was asked for.
    static PENDING: RefCell<Option<(Snapshot, String)>> = const { RefCell::new(None) };
}

/// Puts `snapshot`'s share link in the address once the next frame is painted.
pub fn replace_after_paint(snapshot: Snapshot) {
    let first = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let first = p.is_none();
        let address = p.take().map(|(_, a)| a).unwrap_or_else(browser::fragment);
        *p = Some((snapshot, address));
        first
    });
    if first {
        imp::after_paint(flush);
    }
}

/// Drops a link not written yet (the address is to stay as it is, e.g. a broken link shown to the user).
pub fn cancel() {
    PENDING.with(|p| p.take());
}

/// Writes the pending link, unless the address was navigated meanwhile (a link pasted before the frame was
/// painted): that navigation's `hashchange` is still to come, and its state writes its own link.
fn flush() {
    if let Some((s, address)) = PENDING.with(|p| p.take()) {
        if browser::fragment() == address {
            browser::replace_fragment(&format!("#{}{}", share::FRAGMENT_KEY, share::encode(&s)));
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use wasm_bindgen::prelude::*;

    /// `f` in a task after the next animation frame (`requestAnimationFrame` runs before the paint, the zero-delay
    /// timer it starts after it). Without a window, at once.
    pub fn after_paint(f: fn()) {
        let Some(window) = web_sys::window() else { return f() };
        let in_timer = Closure::once_into_js(move || {
            let Some(window) = web_sys::window() else { return f() };
            let later = Closure::once_into_js(f);
            if window.set_timeout_with_callback(later.unchecked_ref()).is_err() {
                f();
            }
        });
        if window.request_animation_frame(in_timer.unchecked_ref()).is_err() {
            f();
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn after_paint(f: fn()) {
        f();
    }
}
