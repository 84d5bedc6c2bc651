//! The call console: operation, caller, key, parameters (JSON, prefilled per operation), encryption context, MFA,
//! via service and source IP. Run appends the call to the user's steps, replays everything, and shows the result
//! and trace here.

use yew::prelude::*;

use super::console_extras::{ConsoleExtras, ConsoleFields, ConsoleRows, KeepCall, RunAt, TrialResult};
use super::trace::StepDetail;
use super::{value_of, AppContext};
use crate::state::console::Rows;
use crate::state::Action;

#[component]
pub fn CallConsole() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let form = app.call.clone();
    let send = |make: fn(String) -> Action| {
        let app = app.clone();
        Callback::from(move |e: Event| app.dispatch(make(value_of(&e))))
    };
    let input = |make: fn(String) -> Action| {
        let app = app.clone();
        Callback::from(move |e: InputEvent| app.dispatch(make(value_of(&e))))
    };
    let on_mfa = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let on = e.target_dyn_into::<web_sys::HtmlInputElement>().is_some_and(|i| i.checked());
            app.dispatch(Action::SetMfa(on));
        })
    };
    let on_run = {
        let app = app.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            app.dispatch(Action::RunCall);
        })
    };
    let keys = app.key_choices();
    let custom_key = (!form.key.is_empty() && !keys.iter().any(|(v, _)| *v == form.key)).then(|| form.key.clone());
    let error = app
        .console_error
        .clone()
        .map(|e| html! { <p class="console-error" data-testid="console-error" role="status">{e}</p> });
    let detail = match (app.view_of_run().cloned(), app.step) {
        _ if app.trial.is_some() => html! { <TrialResult /> },
        (Some(v), Some(i)) if app.is_user_step(i) && i < v.steps.len() => html! {
            <section class="console-result">
                <h3>{format!("Step {i}")}</h3>
                <StepDetail run={v} index={i} />
            </section>
        },
        _ => {
            html! { <p class="hint">{"Run a call to see its result and trace here. Calls are added after the scenario's steps; name earlier results with {\"$ref\": \"STEP.Field\"}."}</p> }
        }
    };
    html! {
        <div class="console">
            <form class="call-form" onsubmit={on_run} data-testid="call-form">
                <RunAt />
                <div class="grid">
                    <label class="field"><span>{"Operation"}</span>
                        <select data-testid="operation" onchange={send(Action::SetOperation)}>
                            { for kmsim_kms::OPERATIONS.iter().map(|op| html! {
                                <option value={*op} selected={*op == form.operation}>{*op}</option>
                            }) }
                        </select>
                    </label>
                    <label class="field"><span>{"Caller"}</span>
                        <input data-testid="caller" list="callers" spellcheck="false" value={form.caller.clone()}
                            oninput={input(Action::SetCaller)} />
                        <datalist id="callers">
                            { for crate::state::steps::principal_choices(&app).into_iter().map(|c| html! { <option value={c} /> }) }
                        </datalist>
                    </label>
                    <label class="field"><span>{"Key"}</span>
                        <select data-testid="key" onchange={send(Action::SetKey)}>
                            { for keys.iter().map(|(v, l)| html! { <option value={v.clone()} selected={*v == form.key}>{l.clone()}</option> }) }
                            { for custom_key.map(|k| html! { <option value={k.clone()} selected=true>{k}</option> }) }
                        </select>
                    </label>
                    <label class="field"><span>{"Via service"}</span>
                        <input data-testid="via" placeholder="s3.us-east-1.amazonaws.com" spellcheck="false"
                            value={form.via.clone()} oninput={input(Action::SetVia)} />
                    </label>
                    <label class="field"><span>{"Source IP"}</span>
                        <input data-testid="source-ip" placeholder="203.0.113.7" spellcheck="false"
                            value={form.source_ip.clone()} oninput={input(Action::SetSourceIp)} />
                    </label>
                    <label class="check"><input type="checkbox" data-testid="mfa" checked={form.mfa} onchange={on_mfa} />{" MFA"}</label>
                </div>
                <ConsoleFields />
                <label class="field"><span>{"Parameters (JSON; {\"$key\": NAME} is a key's ARN, {\"$ref\": \"STEP.Field\"} an earlier result)"}</span>
                    <textarea data-testid="params" class="params" spellcheck="false" rows="7"
                        value={form.params.clone()} oninput={input(Action::SetParams)} />
                </label>
                // Only operations that take an EncryptionContext get the rows (issue 11).
                { for crate::state::console::takes_context(&form.operation).then(|| html! {
                    <ConsoleRows rows={Rows::Context} label="Encryption context (replaces EncryptionContext in the parameters)" testid="ec" aria="Context" placeholder="key" />
                }) }
                <ConsoleExtras />
                <button type="submit" class="primary" data-testid="run-call">{"Run call"}</button>
                <KeepCall />
                { for error }
            </form>
            { detail }
        </div>
    }
}
