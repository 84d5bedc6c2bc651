//! The top bar (views, samples, share link) and the message banner.

use yew::prelude::*;

use super::{value_of, AppContext};
use crate::browser;
use crate::samples::SAMPLES;
use crate::share;
use crate::state::{Action, View};

#[component]
pub fn Header() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let on_sample = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = value_of(&e).parse::<usize>() {
                app.dispatch(Action::LoadSample(i));
            }
        })
    };
    let on_share = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::ToggleShare))
    };
    let view = app.view;
    let tab = |v: View, label: &str| {
        let app = app.clone();
        let onclick = Callback::from(move |_| app.dispatch(Action::SelectView(v)));
        html! { <button class="view-tab" aria-selected={(view == v).to_string()} {onclick}>{label.to_string()}</button> }
    };
    let share_panel = app.share_open.then(|| {
        let link = format!("{}#{}{}", browser::page_url(), share::FRAGMENT_KEY, share::encode(&app.snapshot()));
        let onfocus = Callback::from(|e: FocusEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                i.select();
            }
        });
        html! {
            <div class="share-panel">
                <label for="share-link">{"Share link (the address bar always holds it too):"}</label>
                <input id="share-link" data-testid="share-link" readonly=true value={link} {onfocus} />
            </div>
        }
    });
    html! {
        <header class="top">
            <h1>{"kmsim"}<span class="subtitle">{"AWS KMS access-control playground"}</span></h1>
            <nav class="views">
                { tab(View::PolicyLab, "Policy lab") }
                <button class="view-tab" disabled=true title="arrives with the simulated KMS">{"KMS calls"}</button>
            </nav>
            <div class="actions">
                <select data-testid="samples" onchange={on_sample} aria-label="Load a sample">
                    <option value="" selected=true>{"Load a sample…"}</option>
                    { for SAMPLES.iter().enumerate().map(|(i, s)| html! {
                        <option value={i.to_string()} selected=false>{s.title}</option>
                    }) }
                </select>
                <button data-testid="share-button" onclick={on_share}>{"Share"}</button>
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
