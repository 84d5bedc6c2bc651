//! The top bar (lessons and samples, reset, share link, the right panel's views) and the message banner. The share
//! dialog says what the seed in a link gives away and offers a link without it.

use yew::prelude::*;

use super::{value_of, AppContext};
use crate::browser;
use crate::share;
use crate::starts::{self, LESSONS, SAMPLES};
use crate::state::Action;

#[component]
pub fn Header() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let on_open = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let id = value_of(&e);
            if id == crate::state::world::BLANK_ID {
                app.dispatch(Action::World(crate::state::WorldAction::NewBlank { seed: browser::random_seed() }));
            } else if !id.is_empty() {
                app.dispatch(Action::Open { id, seed: browser::random_seed() });
            }
            // Back to the placeholder, so choosing the same entry again reopens it.
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                s.set_value("");
            }
        })
    };
    let on_share = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::ToggleShare))
    };
    let on_reset = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Reset))
    };
    let on_workspaces = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::ToggleWorkspaces))
    };
    let without_seed = use_state(|| false);
    let copied = use_state(|| false);
    let theme = use_state(browser::theme);
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let next = match theme.as_deref() {
                None => Some("dark"),
                Some("dark") => Some("light"),
                _ => None,
            };
            browser::set_theme(next);
            theme.set(next.map(str::to_string));
        })
    };
    let theme_label = format!("Theme: {}", theme.as_deref().unwrap_or("system"));
    let share_panel = app.share_open.then(|| {
        let snapshot = if *without_seed { share::without_seed(&app.snapshot()) } else { app.snapshot() };
        let link = format!("{}#{}{}", browser::page_url(), share::FRAGMENT_KEY, share::encode(&snapshot));
        let onfocus = Callback::from(|e: FocusEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                i.select();
            }
        });
        let on_seed = {
            let without_seed = without_seed.clone();
            Callback::from(move |e: Event| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    without_seed.set(i.checked());
                }
            })
        };
        let seed_note = if *without_seed {
            "Without the seed, the link replays with a fresh one: the same decisions, other key ids and ciphertexts."
        } else {
            "The link carries the scenario's seed. Every key, data key and ciphertext derives from it: anyone with \
             the link can recompute them all. Fine for a simulation; never paste real secrets or plaintext."
        };
        let on_copy = {
            let (link, copied) = (link.clone(), copied.clone());
            Callback::from(move |_| copied.set(browser::copy_text(&link)))
        };
        html! {
            <div class="share-panel">
                <label for="share-link">{"Share link (the scenario, your edits and your calls; never keys or results):"}</label>
                <div class="share-row">
                    <input id="share-link" data-testid="share-link" readonly=true value={link} {onfocus} />
                    <button data-testid="copy-link" onclick={on_copy}>{"Copy link"}</button>
                    <span role="status" data-testid="copy-status">{if *copied { "copied" } else { "" }}</span>
                </div>
                <label class="share-option">
                    <input type="checkbox" data-testid="share-without-seed" checked={*without_seed} onchange={on_seed} />
                    {" share without the seed"}
                </label>
                <p class="share-note" data-testid="share-seed-note">{seed_note}</p>
            </div>
        }
    });
    let origin = app.origin.as_deref().and_then(starts::find).map(|s| s.title);
    let title =
        if app.base.title.is_empty() { origin.unwrap_or("Scenario").to_string() } else { app.base.title.clone() };
    let workspace = app.current_workspace().map(|w| w.name.clone()).unwrap_or_default();
    let option = |s: &starts::Start| html! { <option value={s.id} selected=false>{s.title}</option> };
    html! {
        <header class="top">
            <h1>{"kmsim"}<span class="subtitle">{"AWS KMS access-control playground"}</span></h1>
            <span class="scenario-title" data-testid="scenario-title">{title}</span>
            <span class="ws-current" data-testid="ws-current" title="The open workspace">{workspace}</span>
            <div class="actions">
                <select data-testid="open" onchange={on_open} aria-label="Open a lesson or sample">
                    <option value="" selected=true>{"Open a lesson or sample…"}</option>
                    <option value={crate::state::world::BLANK_ID} selected=false>{"New blank workspace"}</option>
                    <optgroup label="Lessons">{ for LESSONS.iter().map(option) }</optgroup>
                    <optgroup label="Samples">{ for SAMPLES.iter().map(option) }</optgroup>
                </select>
                <button data-testid="reset" onclick={on_reset} title="Back to the scenario as opened: your policy edits and calls are undone (Undo brings them back)">{"Reset"}</button>
                <button data-testid="ws-button" onclick={on_workspaces} aria-expanded={app.ws.panel_open.to_string()}>{"Workspaces"}</button>
                <button class="theme-toggle" data-testid="theme-toggle" onclick={on_theme} title="Colour theme: follow the system, dark or light">{theme_label}</button>
                <button data-testid="share-button" onclick={on_share} aria-expanded={app.share_open.to_string()}>{"Share"}</button>
            </div>
            { for share_panel }
        </header>
    }
}

#[component]
pub fn Banner() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(banner) = app.banner.clone() else { return html! {} };
    let dismiss = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::DismissBanner))
    };
    html! {
        <div class={classes!("banner", banner.error.then_some("error"))} role="alert" data-testid="banner">
            <span>{banner.text}</span>
            <button class="dismiss" onclick={dismiss} aria-label="Dismiss">{"×"}</button>
        </div>
    }
}
