//! The few browser APIs the app uses (location, history, localStorage, randomness). Every call degrades to "nothing there" or
//! `false` instead of throwing. Off the browser (native builds and tests) they do nothing.

#[cfg(target_arch = "wasm32")]
mod imp {
    use wasm_bindgen::JsValue;

    fn window() -> Option<web_sys::Window> {
        web_sys::window()
    }

    fn storage() -> Option<web_sys::Storage> {
        window()?.local_storage().ok().flatten()
    }

    /// The URL fragment, with its `#`.
    pub fn fragment() -> String {
        window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
    }

    /// The page's URL without its fragment.
    pub fn page_url() -> String {
        let href = window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_string()
    }

    pub fn load(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    /// Saves `value`; false when storage is unavailable or full.
    pub fn store(key: &str, value: &str) -> bool {
        storage().is_some_and(|s| s.set_item(key, value).is_ok())
    }

    /// A seed for a scenario opened without one (the browser's randomness; 1 if unavailable).
    pub fn random_seed() -> u64 {
        getrandom::u64().unwrap_or(1)
    }

    /// Replaces the fragment without adding a history entry.
    pub fn replace_fragment(fragment: &str) {
        if let Some(history) = window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(fragment));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn fragment() -> String {
        String::new()
    }
    pub fn page_url() -> String {
        String::new()
    }
    pub fn load(_key: &str) -> Option<String> {
        None
    }
    pub fn store(_key: &str, _value: &str) -> bool {
        false
    }
    pub fn replace_fragment(_fragment: &str) {}
    pub fn random_seed() -> u64 {
        1
    }
}

pub use imp::*;
