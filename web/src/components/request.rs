//! The request builder: principal, action, resource, typed context rows, and the Evaluate button.

use yew::prelude::*;

use super::{value_of, AppContext};
use crate::model::ValueType;
use crate::state::Action;

#[component]
pub fn RequestBuilder() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let field = |label: &str, testid: &str, value: &str, make: fn(String) -> Action| {
        let app = app.clone();
        let oninput = Callback::from(move |e: InputEvent| app.dispatch(make(value_of(&e))));
        html! {
            <label class="field">
                <span>{label.to_string()}</span>
                <input data-testid={testid.to_string()} spellcheck="false" value={value.to_string()} {oninput} />
            </label>
        }
    };
    let rows = app.request.context.iter().enumerate().map(|(row, r)| {
        let on_key = {
            let app = app.clone();
            Callback::from(move |e: InputEvent| app.dispatch(Action::SetContextKey { row, key: value_of(&e) }))
        };
        let on_type = {
            let app = app.clone();
            Callback::from(move |e: Event| {
                if let Some(ty) = ValueType::from_name(&value_of(&e)) {
                    app.dispatch(Action::SetContextType { row, ty });
                }
            })
        };
        let on_value = {
            let app = app.clone();
            Callback::from(move |e: InputEvent| app.dispatch(Action::SetContextValue { row, value: value_of(&e) }))
        };
        let on_remove = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::RemoveContextRow(row)))
        };
        html! {
            <div class="context-row" data-testid="context-row">
                <input aria-label="Condition key" placeholder="aws:SourceIp" spellcheck="false"
                    value={r.key.clone()} oninput={on_key} />
                <select aria-label="Value type" onchange={on_type}>
                    { for ValueType::ALL.iter().map(|t| html! {
                        <option value={t.name()} selected={*t == r.ty}>{t.name()}</option>
                    }) }
                </select>
                <input aria-label="Value" spellcheck="false" placeholder={placeholder(r.ty)}
                    value={r.value.clone()} oninput={on_value} />
                <button class="remove" onclick={on_remove} aria-label="Remove this key">{"×"}</button>
            </div>
        }
    });
    let on_add_row = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::AddContextRow))
    };
    let on_evaluate = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Evaluate))
    };
    html! {
        <section class="pane request-pane">
            <h2>{"Request"}</h2>
            { field("Principal ARN", "principal", &app.request.principal, Action::SetPrincipal) }
            { field("Action", "action", &app.request.action, Action::SetAction) }
            { field("Resource", "resource", &app.request.resource, Action::SetResource) }
            <div class="context">
                <span class="label">{"Context"}</span>
                { for rows }
                <button class="add-row" data-testid="add-context" onclick={on_add_row}>{"+ Add key"}</button>
            </div>
            <button class="evaluate" data-testid="evaluate" onclick={on_evaluate}>{"Evaluate"}</button>
        </section>
    }
}

fn placeholder(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String => "text",
        ValueType::Number => "42",
        ValueType::Bool => "true",
        ValueType::Date => "2026-11-28T12:00:00Z",
        ValueType::Ip => "203.0.113.7",
        ValueType::Arn => "arn:aws:…",
        ValueType::Binary => "base64",
        ValueType::List => "a, b, c",
    }
}
