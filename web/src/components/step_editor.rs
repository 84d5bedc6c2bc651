//! The step editor (issue 11): the selected step's form (a call's fields from its request shape, an authorize,
//! advance or service step's own), how it is made, its expectation, and the step as JSON; moving, duplicating and
//! deleting it; and the bar that adds a step of each kind. Every change is a `StepAction` (state/steps/mod.rs).

use kmsim_kms::scenario::StepSpec;
use serde_json::Value as J;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::{value_of, AppContext};
use crate::state::console::ConsoleAction;
use crate::state::steps::{self, FieldKind, FormField, NewStep, StepAction};
use crate::state::Action;

fn send(app: &AppContext, a: StepAction) {
    app.dispatch(Action::Steps(a));
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub index: usize,
    pub field: FormField,
    /// The step as JSON (where the field's value is read).
    pub value: std::rc::Rc<J>,
    /// Choices offered besides the field's own enum values.
    #[prop_or_default]
    pub choices: Vec<String>,
    /// A field of the console's parameters rather than of step `index`.
    #[prop_or_default]
    pub console: bool,
}

/// One field of a form: its text (as [`steps::show`] writes it) in an input, a list or a yes/no select; a change is
/// sent when the field is left or Enter is pressed.
#[component]
pub fn StepField(props: &FieldProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let f = &props.field;
    let draft = app.editing.field_text(props.index, &f.path).cloned().filter(|_| !props.console);
    let text =
        draft.as_ref().map_or_else(|| steps::show(f.kind, steps::get(&props.value, &f.path)), |d| d.text.clone());
    let onchange = {
        let app = app.clone();
        let (index, path, kind, console) = (props.index, f.path.clone(), f.kind, props.console);
        Callback::from(move |e: Event| {
            let (path, text) = (path.clone(), value_of(&e));
            if console {
                app.dispatch(Action::Console(ConsoleAction::SetParam { path, kind, text }));
            } else {
                send(&app, StepAction::SetField { index, path, kind, text });
            }
        })
    };
    let id = format!("{}-{}-{}", if props.console { "cf" } else { "f" }, props.index, f.path.join("-"));
    let list = format!("{id}-choices");
    let choices: Vec<String> = f.values.iter().chain(&props.choices).cloned().collect();
    let testid = format!("field-{}", f.path.join("."));
    let input = match f.kind {
        FieldKind::Bool => html! {
            <select id={id.clone()} data-testid={testid} {onchange}>
                { for ["", "true", "false"].iter().map(|v| html! { <option value={*v} selected={*v == text}>{if v.is_empty() { "(not set)" } else { v }}</option> }) }
            </select>
        },
        FieldKind::Fields | FieldKind::Json if f.path.len() <= 2 && f.label != "context" => html! {
            <textarea id={id.clone()} data-testid={testid} spellcheck="false" rows="3" value={text} {onchange}
                placeholder={if f.kind == FieldKind::Fields { "Path.To.Field = value (one per line)" } else { "JSON" }} />
        },
        _ => html! {
            <input id={id.clone()} data-testid={testid} spellcheck="false" value={text} {onchange}
                list={(!choices.is_empty()).then(|| list.clone())}
                placeholder={match f.kind {
                    FieldKind::Map => "key=value, key=value",
                    FieldKind::List => "a, b",
                    FieldKind::Blob => "text, base64:..., or $ref:STEP.Field",
                    FieldKind::Json => "JSON",
                    _ => "",
                }} />
        },
    };
    let error = draft.map(|d| html! { <span class="field-error" role="status">{d.errors.join("; ")}</span> });
    html! {
        <div class={classes!("field", "step-field", f.required.then_some("required"))}>
            <label for={id}>{f.label.clone()}{if f.required { " *" } else { "" }}</label>
            { input }
            { for (!choices.is_empty()).then(|| html! {
                <datalist id={list}>{ for choices.iter().map(|c| html! { <option value={c.clone()} /> }) }</datalist>
            }) }
            { for error }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub index: usize,
}

/// The choices a field is offered: keys and earlier results for a request's values, principals for callers and
/// principals, the world's statements and grants for an expectation.
pub(super) fn choices_for(app: &AppContext, index: usize, f: &FormField, spec: &StepSpec) -> Vec<String> {
    let last = f.path.last().map(String::as_str).unwrap_or_default();
    match (f.kind, last) {
        (_, "as") => steps::principal_choices(app),
        (_, "outcome") => steps::outcome_choices(spec),
        (_, "statement") => steps::statement_choices(&app.docs),
        (_, "grant") => steps::grant_choices(app),
        (FieldKind::Value | FieldKind::List | FieldKind::Blob, name) => {
            let mut out = Vec::new();
            if name.contains("Principal") {
                out.extend(crate::run::completion_names(&app.base, None).principals.into_iter().map(|(arn, _)| arn));
            }
            if name.contains("Key") || name == "resource" || name == "kms_key" || name == "key_id" {
                out.extend(steps::key_value_choices(app));
            }
            out.extend(steps::ref_choices(app, index));
            out
        }
        _ => Vec::new(),
    }
}

#[component]
pub fn StepEditor(props: &EditorProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let index = props.index;
    let Some(spec) = app.step_at(index).cloned() else { return html! {} };
    let value = std::rc::Rc::new(serde_json::to_value(&spec).unwrap_or(J::Null));
    let count = app.step_count();
    let action = |a: StepAction| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| send(&app, a.clone()))
    };
    let fields = |list: Vec<FormField>| {
        html! { <div class="step-fields">{ for list.into_iter().map(|f| {
            let choices = choices_for(&app, index, &f, &spec);
            html! { <StepField {index} field={f} value={value.clone()} {choices} /> }
        }) }</div> }
    };
    // The step's own fields, by kind.
    let own = if let Some(op) = &spec.call {
        let on_op = {
            let app = app.clone();
            Callback::from(move |e: Event| send(&app, StepAction::SetOperation { index, operation: value_of(&e) }))
        };
        html! { <>
            <label class="field"><span>{"Operation"}</span>
                <select data-testid="step-operation" onchange={on_op}>
                    { for kmsim_kms::OPERATIONS.iter().map(|o| html! { <option value={*o} selected={o == op}>{*o}</option> }) }
                </select>
            </label>
            { fields(steps::call_fields(op)) }
        </> }
    } else if let Some(svc) = &spec.service {
        let (name, operation) = (svc.name.clone(), svc.operation.clone());
        let on_service = {
            let app = app.clone();
            Callback::from(move |e: Event| {
                let name = value_of(&e);
                let operation = kmsim_kms::services::service(&name)
                    .and_then(|s| s.operations.first())
                    .map(|o| o.name.to_string())
                    .unwrap_or_default();
                send(&app, StepAction::SetService { index, name, operation });
            })
        };
        let on_operation = {
            let app = app.clone();
            let name = name.clone();
            Callback::from(move |e: Event| {
                send(&app, StepAction::SetService { index, name: name.clone(), operation: value_of(&e) })
            })
        };
        let ops = kmsim_kms::services::service(&name).map(|s| s.operations).unwrap_or_default();
        html! { <>
            <div class="step-fields">
                <label class="field"><span>{"Service"}</span>
                    <select data-testid="step-service" onchange={on_service}>
                        { for kmsim_kms::services::SERVICES.iter().map(|s| html! { <option value={s.name} selected={s.name == name}>{s.title}</option> }) }
                    </select>
                </label>
                <label class="field"><span>{"Operation"}</span>
                    <select data-testid="step-service-operation" onchange={on_operation}>
                        { for ops.iter().map(|o| html! { <option value={o.name} selected={o.name == operation}>{o.name}</option> }) }
                    </select>
                </label>
            </div>
            { fields(steps::service_fields(&name, &operation)) }
        </> }
    } else if spec.authorize.is_some() {
        fields(steps::authorize_fields())
    } else if spec.advance.is_some() {
        fields(steps::advance_fields())
    } else {
        html! {}
    };
    let names = vec![
        FormField {
            label: "name".into(),
            path: vec!["name".into()],
            kind: FieldKind::Text,
            required: false,
            values: vec![],
        },
        FormField {
            label: "note".into(),
            path: vec!["note".into()],
            kind: FieldKind::Text,
            required: false,
            values: vec![],
        },
    ];
    let expect_base = vec!["expect".to_string()];
    let kms_calls = spec.service.as_ref().map(|_| {
        let n = spec.expect.as_ref().and_then(|e| e.kms_calls.as_ref()).map_or(0, Vec::len);
        let add = action(StepAction::SetField {
            index,
            path: vec!["expect".into(), "kms_calls".into(), n.to_string()],
            kind: FieldKind::Json,
            text: "{}".into(),
        });
        html! {
            <div class="kms-calls" data-testid="expect-kms-calls">
                { for (0..n).map(|i| {
                    let base = vec!["expect".to_string(), "kms_calls".to_string(), i.to_string()];
                    let remove = action(StepAction::SetField { index, path: base.clone(), kind: FieldKind::Json, text: String::new() });
                    html! {
                        <fieldset class="kms-call">
                            <legend>{format!("KMS call {i}")}</legend>
                            { fields(steps::expect_fields(&base, false)) }
                            <button type="button" onclick={remove}>{"Remove"}</button>
                        </fieldset>
                    }
                }) }
                <button type="button" data-testid="add-kms-call" onclick={add}>{"+ KMS call expectation"}</button>
            </div>
        }
    });
    let rules = rules_part(&app, index, &spec, &fields);
    let json = app.editing.json.clone().filter(|d| d.index == index);
    let json_text =
        json.as_ref().map_or_else(|| serde_json::to_string_pretty(&spec).unwrap_or_default(), |d| d.text.clone());
    let textarea = use_node_ref();
    let apply_json = {
        let app = app.clone();
        let textarea = textarea.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                send(&app, StepAction::SetJson { index, text: t.value() });
            }
        })
    };
    let json_errors = json.map(|d| {
        html! { <ul class="run-errors" data-testid="step-json-errors" role="status">
            { for d.errors.into_iter().map(|e| html! { <li>{e}</li> }) }
        </ul> }
    });
    let kept = app.view_of_run().and_then(|v| v.steps.get(index)).is_some_and(|r| steps::observed(r, None).is_some());
    html! {
        <section class="step-editor" data-testid="step-editor" aria-label={format!("Edit step {index}")}>
            <div class="step-tools">
                <strong>{format!("Step {index}")}</strong>
                <button type="button" data-testid="step-up" disabled={index == 0} onclick={action(StepAction::Move { index, up: true })}>{"↑ Move up"}</button>
                <button type="button" data-testid="step-down" disabled={index + 1 >= count} onclick={action(StepAction::Move { index, up: false })}>{"↓ Move down"}</button>
                <button type="button" data-testid="step-duplicate" onclick={action(StepAction::Duplicate(index))}>{"Duplicate"}</button>
                <button type="button" data-testid="step-delete" onclick={action(StepAction::Delete(index))}>{"Delete"}</button>
                <button type="button" data-testid="step-keep-observed" disabled={!kept} onclick={action(StepAction::KeepObserved(index))}
                    title="Set the expectation to what the step produced in the last run">{"Expect what it did"}</button>
            </div>
            <details class="step-part" open=true>
                <summary>{"Request"}</summary>
                { fields(names) }
                { own }
            </details>
            <details class="step-part">
                <summary>{"How the call is made"}</summary>
                { fields(steps::how_fields(&spec)) }
            </details>
            <details class="step-part" open=true data-testid="expect-editor">
                <summary>{"Expectation"}</summary>
                { fields(steps::expect_fields(&expect_base, true)) }
                { for kms_calls }
                { for rules }
            </details>
            <details class="step-part" data-testid="step-json-part">
                <summary>{"JSON (everything, e.g. rules, notifications, audit records)"}</summary>
                <textarea ref={textarea} class="params" data-testid="step-json" spellcheck="false" rows="10" value={json_text} />
                <button type="button" data-testid="step-json-apply" onclick={apply_json}>{"Apply JSON"}</button>
                { for json_errors }
            </details>
        </section>
    }
}

/// The expectations on the rules that fired after step `index` and on the notifications they published: one
/// fieldset per expected firing (the rule, each action's name and outcome, for every action the last run's firing
/// ran) and per notification, with what the last run did written above them. Shown when the scenario has rules or
/// the step expects something of them.
fn rules_part(
    app: &AppContext,
    index: usize,
    spec: &StepSpec,
    fields: &dyn Fn(Vec<FormField>) -> Html,
) -> Option<Html> {
    let want = spec.expect.as_deref();
    let want_rules = want.and_then(|e| e.rules.as_ref());
    let want_notes = want.and_then(|e| e.notifications.as_ref());
    if app.base.rules.is_empty() && want_rules.is_none() && want_notes.is_none() {
        return None;
    }
    let run = app.view_of_run().and_then(|v| v.steps.get(index));
    let firings = run.and_then(|r| r.rules.as_deref()).map(|r| r.firings.as_slice()).unwrap_or_default();
    let published = run.map(steps::published).unwrap_or_default();
    let names: Vec<String> = app.base.rules.iter().map(|r| r.name.clone()).collect();
    let action = |a: StepAction| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| send(&app, a.clone()))
    };
    let add = |list: &str, n: usize| {
        action(StepAction::SetField {
            index,
            path: vec!["expect".into(), list.into(), n.to_string()],
            kind: FieldKind::Json,
            text: "{}".into(),
        })
    };
    let remove = |list: &str, i: usize| {
        action(StepAction::SetField {
            index,
            path: vec!["expect".into(), list.into(), i.to_string()],
            kind: FieldKind::Json,
            text: String::new(),
        })
    };
    let did = if firings.is_empty() {
        "In the last run no rule fired after this step.".to_string()
    } else {
        let each: Vec<String> = firings
            .iter()
            .map(|f| {
                let actions: Vec<String> = f.actions.iter().map(|a| format!("{} ({})", a.action, a.outcome)).collect();
                format!("{}: {}", f.rule, actions.join(", "))
            })
            .collect();
        format!("In the last run: {}.", each.join("; "))
    };
    let empty = |w: Option<&Vec<std::collections::BTreeMap<String, J>>>, what: &str| {
        w.filter(|l| l.is_empty()).map(|_| html! { <p class="hint">{format!("Expects {what}.")}</p> })
    };
    let (nr, nn) = (want_rules.map_or(0, Vec::len), want_notes.map_or(0, Vec::len));
    Some(html! {
        <div class="rules-expected" data-testid="expect-rules">
            <p class="hint" data-testid="rules-last-run">{did}</p>
            { for empty(want_rules, "that no rule fires") }
            { for (0..nr).map(|i| {
                let base = vec!["expect".to_string(), "rules".to_string(), i.to_string()];
                let list = steps::rule_fields(&base, want_rules.and_then(|w| w.get(i)), firings.get(i), &names);
                html! {
                    <fieldset class="kms-call" data-testid="expect-rule">
                        <legend>{format!("Rule firing {i}")}</legend>
                        { fields(list) }
                        <button type="button" onclick={remove("rules", i)}>{"Remove"}</button>
                    </fieldset>
                }
            }) }
            <button type="button" data-testid="add-rule-firing" onclick={add("rules", nr)}>{"+ rule firing expectation"}</button>
            { for empty(want_notes, "that nothing is published") }
            { for (0..nn).map(|i| {
                let base = vec!["expect".to_string(), "notifications".to_string(), i.to_string()];
                html! {
                    <fieldset class="kms-call" data-testid="expect-notification">
                        <legend>{format!("Notification {i}")}</legend>
                        { fields(steps::notification_fields(&base, published.get(i).copied())) }
                        <button type="button" onclick={remove("notifications", i)}>{"Remove"}</button>
                    </fieldset>
                }
            }) }
            <button type="button" data-testid="add-notification" onclick={add("notifications", nn)}>{"+ notification expectation"}</button>
        </div>
    })
}

/// Adds a step of each kind after the last one.
#[component]
pub fn AddStepBar() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let add = |kind: NewStep| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| send(&app, StepAction::Add(kind)))
    };
    html! {
        <div class="add-steps" data-testid="add-steps">
            <span class="label">{"Add a step:"}</span>
            <button type="button" data-testid="add-call" onclick={add(NewStep::Call)}>{"+ call"}</button>
            <button type="button" data-testid="add-authorize" onclick={add(NewStep::Authorize)}>{"+ authorize"}</button>
            <button type="button" data-testid="add-advance" onclick={add(NewStep::Advance)}>{"+ advance clock"}</button>
            <button type="button" data-testid="add-service" onclick={add(NewStep::Service)}>{"+ service step"}</button>
        </div>
    }
}
