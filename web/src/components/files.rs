//! Scenario files in the CLI's format: "Export file" downloads the scenario (`kmsim check` reads it), "Import file"
//! and a file dropped on the page open one. Reading and parsing are the reducer's (`Action::Import`); this only moves
//! the bytes between the browser and the state.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::AppContext;
use crate::state::Action;

/// The file name of an export: the scenario's title, lowercased, with dashes.
pub fn file_name(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}.json", if slug.is_empty() { "scenario" } else { &slug })
}

/// Offers `text` as a download named `name`; false when the browser refused.
fn download(name: &str, text: &str) -> bool {
    let run = || -> Option<()> {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let document = web_sys::window()?.document()?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        web_sys::Url::revoke_object_url(&url).ok()
    };
    run().is_some()
}

/// Reads a file's text and sends it to the reducer as an import.
pub fn read_file(app: &AppContext, file: web_sys::File) {
    let Ok(reader) = web_sys::FileReader::new() else { return };
    let name = file.name();
    let app = app.clone();
    let r = reader.clone();
    let onload = Closure::once(move || {
        let text = r.result().ok().and_then(|v| v.as_string()).unwrap_or_default();
        app.dispatch(Action::Import { name, text });
    });
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    // The reader calls back once; the closure lives until then.
    onload.forget();
    let _ = reader.read_as_text(&file);
}

/// The first file of a drop, if any.
pub fn dropped_file(e: &DragEvent) -> Option<web_sys::File> {
    e.data_transfer()?.files()?.get(0)
}

#[component]
pub fn FileButtons() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let on_export = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            if !download(&file_name(&app.base.title), &app.export_text()) {
                app.dispatch(Action::ShowBanner(crate::state::Banner::error("the browser refused the download")));
            }
        })
    };
    let on_import = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(&app, file);
            }
            input.set_value("");
        })
    };
    html! {
        <span class="file-buttons">
            <button data-testid="export-file" onclick={on_export} title="Download the scenario as a file `kmsim check` reads">
                {"Export file"}
            </button>
            <label class="button" title="Open a scenario file (or drop one on the steps)">
                {"Import file"}
                <input type="file" accept=".json,application/json" data-testid="import-file" class="visually-hidden" onchange={on_import} />
            </label>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn export_names_come_from_the_title() {
        assert_eq!(
            file_name("1. Least privilege: start from the key policy"),
            "1-least-privilege-start-from-the-key-policy.json"
        );
        assert_eq!(file_name(""), "scenario.json");
    }
}
