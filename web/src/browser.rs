//! The few browser APIs the app uses (location, history, localStorage and sessionStorage, randomness, events of other
//! tabs and of the address bar, the clipboard, file download and upload). Every call degrades to "nothing there" or
//! `false` instead of throwing. Off the browser (native builds and tests) they do nothing.

#[cfg(target_arch = "wasm32")]
mod imp {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

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

    /// Whether this page is the embed (embed.html marks its `<body data-embed>`).
    pub fn is_embed_page() -> bool {
        window().and_then(|w| w.document()).and_then(|d| d.body()).is_some_and(|b| b.has_attribute("data-embed"))
    }

    /// The page's URL without its fragment.
    pub fn page_url() -> String {
        let href = window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_string()
    }

    fn load(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    /// A seed for a scenario opened without one (the browser's randomness; 1 if unavailable).
    pub fn random_seed() -> u64 {
        getrandom::u64().unwrap_or(1)
    }

    /// localStorage as a `workspaces::Store`.
    pub struct LocalStore;

    impl crate::workspaces::Store for LocalStore {
        fn get(&self, key: &str) -> Option<String> {
            load(key)
        }
        fn set(&mut self, key: &str, value: &str) -> Result<(), crate::workspaces::StoreError> {
            use crate::workspaces::StoreError;
            let s = storage().ok_or(StoreError::Unavailable)?;
            s.set_item(key, value).map_err(|_| StoreError::Full)
        }
        fn remove(&mut self, key: &str) {
            if let Some(s) = storage() {
                let _ = s.remove_item(key);
            }
        }
        fn keys(&self) -> Vec<String> {
            let Some(s) = storage() else { return Vec::new() };
            let n = s.length().unwrap_or(0);
            (0..n).filter_map(|i| s.key(i).ok().flatten()).collect()
        }
    }

    /// Calls `f(key, new value)` whenever another tab changes localStorage (for the app's lifetime).
    pub fn on_storage(f: impl Fn(String, Option<String>) + 'static) {
        let Some(w) = window() else { return };
        let c = Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |e: web_sys::StorageEvent| {
            if let Some(key) = e.key() {
                f(key, e.new_value());
            }
        });
        let _ = w.add_event_listener_with_callback("storage", c.as_ref().unchecked_ref());
        c.forget();
    }

    /// Calls `f(fragment)` when the fragment changes by navigation (a link pasted or typed in the address bar, back
    /// and forward); `replace_fragment` does not fire it. The fragment is the event's `newURL`, not the address as
    /// it is when the event runs: a share link written after paint (address.rs) may have replaced it by then.
    pub fn on_hashchange(f: impl Fn(String) + 'static) {
        let Some(w) = window() else { return };
        let c = Closure::<dyn Fn(web_sys::HashChangeEvent)>::new(move |e: web_sys::HashChangeEvent| {
            let url = e.new_url();
            f(url.find('#').map(|i| url[i..].to_string()).unwrap_or_default())
        });
        let _ = w.add_event_listener_with_callback("hashchange", c.as_ref().unchecked_ref());
        c.forget();
    }

    /// Puts `text` on the clipboard; false if the browser has no clipboard for the page.
    pub fn copy_text(text: &str) -> bool {
        let Some(w) = window() else { return false };
        let clipboard = w.navigator().clipboard();
        if clipboard.is_undefined() {
            return false;
        }
        let _ = clipboard.write_text(text);
        true
    }

    /// Offers `text` as a file download named `name`.
    pub fn download(name: &str, text: &str) -> bool {
        let run = || -> Option<()> {
            let document = window()?.document()?;
            let parts = js_sys::Array::of1(&JsValue::from_str(text));
            let options = web_sys::BlobPropertyBag::new();
            options.set_type("application/json");
            let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
            let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
            let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
            a.set_href(&url);
            a.set_download(name);
            a.click();
            let _ = web_sys::Url::revoke_object_url(&url);
            Some(())
        };
        run().is_some()
    }

    /// The text of the first file chosen in a file input, then `f(text)`.
    pub fn read_chosen_file(input: &web_sys::HtmlInputElement, f: impl FnOnce(Result<String, String>) + 'static) {
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        let promise = file.text();
        wasm_bindgen_futures::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(promise).await;
            f(text.ok().and_then(|t| t.as_string()).ok_or_else(|| "the file could not be read".to_string()));
        });
    }

    /// Where the colour theme chosen with the toggle is kept (read by index.html before the first paint too).
    const THEME_KEY: &str = "kmsim.theme";

    /// The colour theme the user chose (`dark`, `light`), if any (else the system's).
    pub fn theme() -> Option<String> {
        load(THEME_KEY).filter(|t| t == "dark" || t == "light")
    }

    /// Applies and remembers a theme (`None`: the system's). index.html applies it before the first paint and follows
    /// the system's changes while no theme is chosen.
    pub fn set_theme(theme: Option<&str>) {
        let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
        match theme {
            Some(t) => {
                let _ = root.set_attribute("data-theme", t);
                if let Some(s) = storage() {
                    let _ = s.set_item(THEME_KEY, t);
                }
            }
            None => {
                if let Some(s) = storage() {
                    let _ = s.remove_item(THEME_KEY);
                }
                let dark = window()
                    .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                    .is_some_and(|m| m.matches());
                let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
            }
        }
    }

    fn session() -> Option<web_sys::Storage> {
        window()?.session_storage().ok().flatten()
    }

    /// This tab's sessionStorage (kept across a reload of the tab, not shared with other tabs): a value, if any.
    pub fn session_get(key: &str) -> Option<String> {
        session()?.get_item(key).ok().flatten()
    }

    /// Sets (`Some`) or removes (`None`) a sessionStorage value; nothing if sessionStorage is unavailable.
    pub fn session_put(key: &str, value: Option<&str>) {
        let Some(s) = session() else { return };
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
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
    pub fn is_embed_page() -> bool {
        false
    }
    pub fn replace_fragment(_fragment: &str) {}
    pub fn session_get(_key: &str) -> Option<String> {
        None
    }
    pub fn session_put(_key: &str, _value: Option<&str>) {}
    pub fn theme() -> Option<String> {
        None
    }
    pub fn set_theme(_theme: Option<&str>) {}
    pub struct LocalStore;
    impl crate::workspaces::Store for LocalStore {
        fn get(&self, _key: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _key: &str, _value: &str) -> Result<(), crate::workspaces::StoreError> {
            Err(crate::workspaces::StoreError::Unavailable)
        }
        fn remove(&mut self, _key: &str) {}
        fn keys(&self) -> Vec<String> {
            Vec::new()
        }
    }
    pub fn on_storage(_f: impl Fn(String, Option<String>) + 'static) {}
    pub fn on_hashchange(_f: impl Fn(String) + 'static) {}
    pub fn copy_text(_text: &str) -> bool {
        false
    }
    pub fn download(_name: &str, _text: &str) -> bool {
        false
    }
    pub fn read_chosen_file(_input: &web_sys::HtmlInputElement, _f: impl FnOnce(Result<String, String>) + 'static) {}
    pub fn random_seed() -> u64 {
        1
    }
}

pub use imp::*;
