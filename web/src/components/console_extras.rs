//! The console's parts added for issue 11: where the call runs ("after step N", shown clearly), the rest of how a
//! call is made (session tags, MFA age, source VPC endpoint, extra request-context keys), keeping a call as a step,
//! and the result of a call run after step N. Every change is a `ConsoleAction` (state/console.rs).

use yew::prelude::*;

use super::step_editor::{choices_for, StepField};
use super::steps::step_title;
use super::trace::StepDetail;
use super::{value_of, AppContext};
use crate::state::console::{ConsoleAction, Rows};
use crate::state::Action;

fn send(app: &AppContext, a: ConsoleAction) {
    app.dispatch(Action::Console(a));
}

#[derive(Properties, PartialEq)]
pub struct RowsProps {
    pub rows: Rows,
    pub label: AttrValue,
    pub testid: AttrValue,
    /// The inputs' names: `ARIA key`, `ARIA value`.
    pub aria: AttrValue,
    #[prop_or_default]
    pub placeholder: AttrValue,
}

/// A list of key/value rows of the console's form.
#[component]
pub fn ConsoleRows(props: &RowsProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let rows = props.rows;
    let list = match rows {
        Rows::Context => &app.call.context,
        Rows::SessionTags => &app.call.session_tags,
        Rows::Keys => &app.call.context_keys,
    };
    let items = list.iter().enumerate().map(|(row, r)| {
        let on_key = {
            let app = app.clone();
            Callback::from(move |e: InputEvent| send(&app, ConsoleAction::SetRowKey { rows, row, key: value_of(&e) }))
        };
        let on_value = {
            let app = app.clone();
            Callback::from(move |e: InputEvent| send(&app, ConsoleAction::SetRowValue { rows, row, value: value_of(&e) }))
        };
        let on_remove = {
            let app = app.clone();
            Callback::from(move |_| send(&app, ConsoleAction::RemoveRow { rows, row }))
        };
        html! {
            <div class="ec-row" data-testid={format!("{}-row", props.testid)}>
                <input aria-label={format!("{} key", props.aria)} placeholder={props.placeholder.clone()} spellcheck="false" value={r.key.clone()} oninput={on_key} />
                <input aria-label={format!("{} value", props.aria)} placeholder="value" spellcheck="false" value={r.value.clone()} oninput={on_value} />
                <button type="button" onclick={on_remove} aria-label="Remove this pair">{"×"}</button>
            </div>
        }
    });
    let on_add = {
        let app = app.clone();
        Callback::from(move |_| send(&app, ConsoleAction::AddRow(rows)))
    };
    html! {
        <div class="ec">
            <span class="label">{props.label.clone()}</span>
            { for items }
            <button type="button" class="add-row" data-testid={format!("add-{}", props.testid)} onclick={on_add}>{"+ pair"}</button>
        </div>
    }
}

/// Session tags, MFA age, source VPC endpoint and extra request-context keys.
#[component]
pub fn ConsoleExtras() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let input = |make: fn(String) -> ConsoleAction| {
        let app = app.clone();
        Callback::from(move |e: InputEvent| send(&app, make(value_of(&e))))
    };
    html! {
        <details class="console-extras" data-testid="console-extras" open={!app.call.session_tags.is_empty() || !app.call.context_keys.is_empty()}>
            <summary>{"Session tags, MFA age, VPC endpoint, other context keys"}</summary>
            <div class="grid">
                <label class="field"><span>{"MFA age (seconds; implies MFA)"}</span>
                    <input data-testid="mfa-age" inputmode="numeric" placeholder="300" spellcheck="false"
                        value={app.call.mfa_age.clone()} oninput={input(ConsoleAction::SetMfaAge)} />
                </label>
                <label class="field"><span>{"Source VPC endpoint (aws:SourceVpce)"}</span>
                    <input data-testid="source-vpce" placeholder="vpce-1a2b3c4d" spellcheck="false"
                        value={app.call.source_vpce.clone()} oninput={input(ConsoleAction::SetSourceVpce)} />
                </label>
            </div>
            <ConsoleRows rows={Rows::SessionTags} label="Session tags (aws:PrincipalTag/KEY of a role session)" testid="session-tag" aria="Session tag" placeholder="tenant" />
            <ConsoleRows rows={Rows::Keys} label="Other request-context keys" testid="context-key" aria="Condition key" placeholder="aws:SourceVpc" />
        </details>
    }
}

/// Where the console's calls run: after every step (the call is added as a step), or in the world as it was after
/// step N (nothing is added until it is kept).
#[component]
pub fn RunAt() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let onchange = {
        let app = app.clone();
        Callback::from(move |e: Event| send(&app, ConsoleAction::SetAfter(value_of(&e).parse::<usize>().ok())))
    };
    let after = app.console_after();
    let last = app.step_count().saturating_sub(1);
    let notice = after.map(|n| {
        let title = app.step_at(n).map(|s| s.name.clone().map_or_else(|| step_title(s), |name| format!("`{name}`")));
        html! {
            <p class="run-at-notice" data-testid="run-at-notice" role="status">
                {format!("The world as it was after step {n} {}: steps {}-{last} are not run, and the call is not added until you keep it.", title.unwrap_or_default(), n + 1)}
            </p>
        }
    });
    html! {
        <div class="run-at">
            <label class="field"><span>{"Run at"}</span>
                <select data-testid="run-at" {onchange}>
                    <option value="" selected={after.is_none()}>{"after every step (added as a step)"}</option>
                    { for app.all_steps().enumerate().take(last).map(|(i, s)| html! {
                        <option value={i.to_string()} selected={after == Some(i)}>
                            {format!("after step {i}: {}{}", s.name.as_ref().map(|n| format!("{n} · ")).unwrap_or_default(), step_title(s))}
                        </option>
                    }) }
                </select>
            </label>
            { for notice }
        </div>
    }
}

/// Keeps the last console call as a step, with what it produced as its expectation.
#[component]
pub fn KeepCall() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let onclick = {
        let app = app.clone();
        Callback::from(move |_| send(&app, ConsoleAction::Keep))
    };
    let label = if app.trial.is_some() {
        "Keep as a step (with this outcome as its expectation)"
    } else {
        "Expect this outcome"
    };
    html! {
        <button type="button" data-testid="keep-call" disabled={!app.can_keep()} {onclick}
            title="The outcome, deciding statement and grant it produced become the step's expectation">{label}</button>
    }
}

/// The result of a call run after step N.
#[component]
pub fn TrialResult() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(t) = app.trial.clone() else { return html! {} };
    html! {
        <section class="console-result trial" data-testid="trial-result">
            <h3>{format!("Run after step {} (the later steps not run)", t.after)}</h3>
            <StepDetail run={t.run.clone()} index={t.index()} />
        </section>
    }
}

/// The console's parameters as fields of the operation's request shape (botocore's model); each writes its member
/// into the parameters' JSON below, which stays the whole truth (and takes what the fields lack).
#[component]
pub fn ConsoleFields() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let operation = app.call.operation.trim().to_string();
    let fields = crate::state::steps::call_fields(&operation);
    if fields.is_empty() {
        return html! {};
    }
    let params = serde_json::from_str::<serde_json::Value>(&app.call.params).unwrap_or_default();
    let value = std::rc::Rc::new(serde_json::json!({ "params": params }));
    // The console's call comes after its point: `$ref` choices are the steps before it.
    let index = app.console_after().map_or(app.step_count(), |n| n + 1);
    let spec = kmsim_kms::scenario::StepSpec { call: Some(operation), ..Default::default() };
    html! {
        <details class="console-fields" data-testid="console-fields" open=true>
            <summary>{"Fields (the operation's request members; they write the parameters below)"}</summary>
            <div class="step-fields">
                { for fields.into_iter().map(|f| {
                    let choices = choices_for(&app, index, &f, &spec);
                    html! { <StepField {index} field={f} value={value.clone()} {choices} console=true /> }
                }) }
            </div>
        </details>
    }
}
