//! Scenario files in the CLI's format: "Export file" downloads the scenario (`kmsim check` reads it), "Import file"
//! and a file dropped on the page open one. Reading and parsing are the reducer's (`Action::Import`); this only moves
//! the bytes between the browser and the state.

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

/// Reads a dropped file's text and sends it to the reducer as an import.
pub fn read_file(app: &AppContext, file: web_sys::File) {
    let name = file.name();
    let promise = file.text();
    let app = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|t| t.as_string()) {
            Some(text) => app.dispatch(Action::Import { name, text }),
            None => {
                app.dispatch(Action::ShowBanner(crate::state::Banner::error(format!("`{name}` could not be read"))))
            }
        }
    });
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
            if !crate::browser::download(&file_name(&app.base.title), &app.export_text()) {
                app.dispatch(Action::ShowBanner(crate::state::Banner::error("the browser refused the download")));
            }
        })
    };
    let on_import = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let name = input.files().and_then(|f| f.get(0)).map(|f| f.name()).unwrap_or_default();
            let app = app.clone();
            crate::browser::read_chosen_file(&input, move |text| match text {
                Ok(text) => app.dispatch(Action::Import { name, text }),
                Err(e) => app.dispatch(Action::ShowBanner(crate::state::Banner::error(e))),
            });
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
