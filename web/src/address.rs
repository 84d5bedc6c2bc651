//! The share link in the address bar, written after the frame that shows a change has been painted (issue 15):
//! encoding the snapshot (JSON, deflate, base64url) and `history.replaceState` with a link of several kilobytes
//! cost milliseconds per keystroke, which the outcome of an edit need not wait for. Several changes before that
//! frame write the address once, with the last. The workspaces themselves are still saved at once, in the same
//! task as the change (app.rs, `workspaces::Saver`), so nothing typed is lost if the tab closes.
//!
//! Until that write the address holds the link of an older state. A reload in that time (a change, then at once
//! F5) would open that older link as a new "Shared" workspace beside the saved one, as if the change were lost. So
//! when a write is asked for, this tab's sessionStorage records the address it will replace ([`STALE_KEY`]), and at
//! start [`fragment_at_start`] leaves out an address that is that one: the saved workspace opens instead. The
//! record is kept after the write too: a reload asked for just before it loads the older address all the same.

use std::cell::RefCell;

use crate::model::Snapshot;
use crate::{browser, share};

thread_local! {
    /// The link to write, and the address as it was when the write was asked for.
    static PENDING: RefCell<Option<(Snapshot, String)>> = const { RefCell::new(None) };
}

/// The address this tab last asked to replace with a newer link (sessionStorage, so that it outlives a reload).
const STALE_KEY: &str = "kmsim.address-stale";

/// Puts `snapshot`'s share link in the address once the next frame is painted.
pub fn replace_after_paint(snapshot: Snapshot) {
    let first = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let first = p.is_none();
        let address = p.take().map(|(_, a)| a).unwrap_or_else(browser::fragment);
        if first {
            browser::session_put(STALE_KEY, Some(&address));
        }
        *p = Some((snapshot, address));
        first
    });
    if first {
        imp::after_paint(flush);
    }
}

/// Drops a link not written yet (the address is to stay as it is, e.g. a broken link shown to the user).
pub fn cancel() {
    if PENDING.with(|p| p.take()).is_some() {
        browser::session_put(STALE_KEY, None);
    }
}

/// The address's fragment to open at start: none if it is the older link this tab left when it was reloaded before
/// the newer one was written (the saved workspaces hold the newer state), else the fragment as it is.
pub fn fragment_at_start() -> String {
    let fragment = browser::fragment();
    let stale = browser::session_get(STALE_KEY);
    browser::session_put(STALE_KEY, None);
    if is_stale(&fragment, stale.as_deref()) {
        String::new()
    } else {
        fragment
    }
}

/// Whether `fragment` is the address left stale (`stale`, as recorded when the write was asked for).
fn is_stale(fragment: &str, stale: Option<&str>) -> bool {
    !fragment.is_empty() && stale == Some(fragment)
}

/// Writes the pending link, unless the address was navigated meanwhile (a link pasted before the frame was
/// painted): that navigation's `hashchange` is still to come, and its state writes its own link.
fn flush() {
    if let Some((s, address)) = PENDING.with(|p| p.take()) {
        // STALE_KEY stays: a reload asked for before this write may still load the older address.
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

#[cfg(test)]
mod tests {
    use super::is_stale;

    #[test]
    fn only_the_address_recorded_as_stale_is_left_out_at_start() {
        assert!(is_stale("#s=old", Some("#s=old")), "reloaded before the newer link was written");
        assert!(!is_stale("#s=pasted", Some("#s=old")), "a link put in the address since is opened");
        assert!(!is_stale("#s=old", None), "no write was pending: the address is current");
        assert!(!is_stale("", Some("")), "no fragment: nothing to leave out");
    }
}
