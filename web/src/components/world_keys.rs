//! The world editor's keys (policy, aliases, tags, state, spec and usage, rotation), grants (grantee, operations,
//! constraints, retiring principal, name) and the keys and grants that steps created (read-only, from the last run).

use kmsim_kms::{KeySpec, KeyState, KeyUsage};
use yew::prelude::*;

use super::world::{on_click, on_value, open_doc_button, tag_rows};
use super::AppContext;
use crate::model::DocLoc;
use crate::state::world::{GrantField, KeyField, WorldAction as W};

/// A select of `choices` with an empty "(default)" entry.
fn select(
    app: &AppContext,
    testid: &'static str,
    current: &str,
    choices: &[&str],
    f: impl Fn(String) -> W + 'static,
) -> Html {
    html! {
        <select data-testid={testid} onchange={on_value(app, f)}>
            <option value="" selected={current.is_empty()}>{"(default)"}</option>
            { for choices.iter().map(|c| html! { <option value={c.to_string()} selected={*c == current}>{c.to_string()}</option> }) }
        </select>
    }
}

#[component]
pub fn KeysForm() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let names: Vec<String> = app.base.keys.keys().cloned().collect();
    html! {
        <section class="world-section" aria-label="Keys">
            <h3>{"Keys"}</h3>
            { for names.into_iter().map(|name| html! { <KeyForm key={name.clone()} name={name.clone()} /> }) }
            <button data-testid="world-add-key" onclick={on_click(&app, W::AddKey(None))}>{"Add key"}</button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct KeyProps {
    name: String,
}

#[component]
fn KeyForm(props: &KeyProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let name = props.name.clone();
    let Some(k) = app.base.keys.get(&name) else { return html! {} };
    let set = |field: KeyField| {
        let key = name.clone();
        move |value| W::SetKey { key: key.clone(), field, value }
    };
    let rename = {
        let from = name.clone();
        on_value(&app, move |to| W::RenameKey { from: from.clone(), to })
    };
    let accounts: Vec<&str> = app.base.accounts.keys().map(String::as_str).collect();
    let states: Vec<&str> = KeyState::ALL.iter().map(KeyState::as_str).collect();
    let specs: Vec<&str> = KeySpec::ALL.iter().map(KeySpec::as_str).collect();
    let usages: Vec<&str> = KeyUsage::ALL.iter().map(KeyUsage::as_str).collect();
    let aliases = k.aliases.iter().map(|a| {
        html! {
            <li class="world-row">
                <code>{a.clone()}</code>
                <button class="world-remove" onclick={on_click(&app, W::RemoveAlias { key: name.clone(), alias: a.clone() })}>{"Remove"}</button>
            </li>
        }
    });
    let add_alias = {
        let app = app.clone();
        let key = name.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let alias = input.value();
            input.set_value("");
            if !alias.trim().is_empty() {
                app.dispatch(crate::state::Action::World(W::AddAlias { key: key.clone(), alias }));
            }
        })
    };
    let tags = {
        let (set, remove) = (name.clone(), name.clone());
        tag_rows(
            &app,
            &k.tags,
            move |old, tag, value| W::SetKeyTag { key: set.clone(), old, tag, value },
            move |tag| W::RemoveKeyTag { key: remove.clone(), tag },
        )
    };
    let pointer = DocLoc::KeyPolicy { key: name.clone() }.pointer();
    let arn = app.view_of_run().and_then(|v| v.key_arns.get(&name).cloned());
    html! {
        <div class="world-card" data-testid="world-key" data-key={name.clone()}>
            <div class="world-row">
                <label class="world-field">{"Key"}<input data-testid="world-key-name" value={name.clone()} onchange={rename} /></label>
                { open_doc_button(&app, &pointer, "Key policy") }
                <button class="world-remove" data-testid="world-delete-key" onclick={on_click(&app, W::DeleteKey(name.clone()))}>{"Delete key"}</button>
            </div>
            { for arn.map(|a| html! { <code class="world-arn" data-testid="world-key-arn">{a}</code> }) }
            <div class="world-grid">
                <label class="world-field">{"Account"}{ select(&app, "world-key-account", k.account.as_deref().unwrap_or(""), &accounts, set(KeyField::Account)) }</label>
                <label class="world-field">{"Description"}
                    <input data-testid="world-key-description" value={k.description.clone()} onchange={on_value(&app, set(KeyField::Description))} /></label>
                <label class="world-field">{"State"}{ select(&app, "world-key-state", k.state.as_deref().unwrap_or(""), &states, set(KeyField::State)) }</label>
                <label class="world-field">{"Key spec"}{ select(&app, "world-key-spec", k.key_spec.as_deref().unwrap_or(""), &specs, set(KeyField::KeySpec)) }</label>
                <label class="world-field">{"Key usage"}{ select(&app, "world-key-usage", k.key_usage.as_deref().unwrap_or(""), &usages, set(KeyField::KeyUsage)) }</label>
                <label class="world-field">{"Rotation (days, empty: off)"}
                    <input data-testid="world-key-rotation" inputmode="numeric"
                        value={k.rotation_period_days.map(|d| d.to_string()).unwrap_or_default()} onchange={on_value(&app, set(KeyField::Rotation))} /></label>
            </div>
            <ul class="world-list">{ for aliases }</ul>
            <label class="world-field">{"Add alias"}<input data-testid="world-add-alias" placeholder="alias/name" onchange={add_alias} /></label>
            { tags }
            <button data-testid="world-add-key-tag" onclick={on_click(&app, W::SetKeyTag { key: name.clone(), old: None, tag: String::new(), value: String::new() })}>{"Add tag"}</button>
        </div>
    }
}

#[component]
pub fn GrantsForm() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let callers = app.callers();
    html! {
        <section class="world-section" aria-label="Grants">
            <h3>{"Grants"}</h3>
            <datalist id="world-principals">{ for callers.iter().map(|c| html! { <option value={c.clone()} /> }) }</datalist>
            { for (0..app.base.grants.len()).map(|index| html! { <GrantForm key={index} {index} /> }) }
            <button data-testid="world-add-grant" onclick={on_click(&app, W::AddGrant(None))}>{"Add grant"}</button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct GrantProps {
    index: usize,
}

#[component]
fn GrantForm(props: &GrantProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let index = props.index;
    let Some(g) = app.base.grants.get(index) else { return html! {} };
    let set = |field: GrantField| move |value| W::SetGrant { index, field, value };
    let keys: Vec<&str> = app.base.keys.keys().map(String::as_str).collect();
    let (kind, context) = match &g.constraints {
        Some(c) if c.encryption_context_equals.is_some() => ("equals", c.encryption_context_equals.clone()),
        Some(c) if c.encryption_context_subset.is_some() => ("subset", c.encryption_context_subset.clone()),
        _ => ("none", None),
    };
    let context: String = context.unwrap_or_default().iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    let kinds =
        [("none", "no constraint"), ("subset", "EncryptionContextSubset"), ("equals", "EncryptionContextEquals")];
    html! {
        <div class="world-card" data-testid="world-grant" data-index={index.to_string()}>
            <div class="world-grid">
                <label class="world-field">{"Key"}
                    <select data-testid="world-grant-key" onchange={on_value(&app, set(GrantField::Key))}>
                        { for keys.iter().map(|k| html! { <option value={k.to_string()} selected={*k == g.key}>{k.to_string()}</option> }) }
                    </select></label>
                <label class="world-field">{"Name"}
                    <input data-testid="world-grant-name" value={g.name.clone().unwrap_or_default()} onchange={on_value(&app, set(GrantField::Name))} /></label>
                <label class="world-field">{"Grantee"}
                    <input data-testid="world-grant-grantee" list="world-principals" value={g.grantee.clone()} onchange={on_value(&app, set(GrantField::Grantee))} /></label>
                <label class="world-field">{"Retiring principal"}
                    <input data-testid="world-grant-retiring" list="world-principals" value={g.retiring_principal.clone().unwrap_or_default()}
                        onchange={on_value(&app, set(GrantField::RetiringPrincipal))} /></label>
                <label class="world-field">{"Operations"}
                    <input data-testid="world-grant-operations" value={g.operations.join(", ")} onchange={on_value(&app, set(GrantField::Operations))} /></label>
                <label class="world-field">{"Constraint"}
                    <select data-testid="world-grant-constraint" onchange={on_value(&app, set(GrantField::ConstraintKind))}>
                        { for kinds.iter().map(|(v, l)| html! { <option value={*v} selected={*v == kind}>{*l}</option> }) }
                    </select></label>
            </div>
            if kind != "none" {
                <label class="world-field">{"Encryption context (key=value, one a line)"}
                    <textarea data-testid="world-grant-context" rows="2" value={context} onchange={on_value(&app, set(GrantField::ConstraintContext))} /></label>
            }
            <button class="world-remove" data-testid="world-delete-grant" onclick={on_click(&app, W::DeleteGrant(index))}>{"Delete grant"}</button>
        </div>
    }
}

/// Keys and grants the last run's steps created: read-only.
#[component]
pub fn CreatedList() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let created = app.created_by_steps();
    if created.is_empty() {
        return html! {};
    }
    html! {
        <section class="world-section" aria-label="Created by steps">
            <h3>{"Created by steps (read-only)"}</h3>
            <ul class="world-list">
                { for created.into_iter().map(|c| html! {
                    <li class="world-created" data-testid="world-created" data-kind={c.kind}>
                        <span class="world-created-by">{format!("{} created by step {}", c.kind, c.step)}</span>
                        <code>{c.id}</code>
                        <span class="world-detail">{c.detail}</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}
