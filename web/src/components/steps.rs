//! The steps view: the scenario's description, its steps and the user's with outcomes and expectations, "Run all",
//! and the selected step's result and trace.

use kmsim_kms::scenario::{StepResult, StepSpec};
use yew::prelude::*;

use super::exercise::ExercisePanel;
use super::files::FileButtons;
use super::step_editor::{AddStepBar, StepEditor};
use super::trace::{decision_text, StepDetail};
use super::AppContext;
use super::{InlineProse, Prose};
use crate::state::{Action, Run};

/// One line for a step as written: `Encrypt as role/App`.
pub fn step_title(s: &StepSpec) -> String {
    if let Some(op) = &s.call {
        return format!("{op} as {}", s.caller.as_deref().unwrap_or("?"));
    }
    if let Some(a) = &s.authorize {
        return format!("may {} {}?", a.caller, a.action);
    }
    if let Some(svc) = &s.service {
        return format!("{} {} as {}", svc.name, svc.operation, s.caller.as_deref().unwrap_or("?"));
    }
    if let Some(adv) = &s.advance {
        return format!("advance {}d {}h {}m {}s", adv.days, adv.hours, adv.minutes, adv.seconds);
    }
    "empty step".to_string()
}

/// The outcome of a step in a word, with its CSS class.
pub fn outcome_word(r: &StepResult) -> (String, &'static str) {
    if r.error.is_some() {
        return ("error".to_string(), "error");
    }
    if let Some(c) = &r.call {
        return match &c.response {
            Ok(_) => ("Success".to_string(), "success"),
            Err(e) => (e.code.as_str().to_string(), "error"),
        };
    }
    if let Some(a) = &r.authorization {
        let (t, c) = decision_text(a.decision);
        return (t.to_string(), c);
    }
    if let Some(s) = &r.service {
        return match &s.response {
            Ok(_) => ("Success".to_string(), "success"),
            Err(e) => (e.code.clone(), "error"),
        };
    }
    (format!("{} events", r.events.len()), "neutral")
}

/// The bar above the steps: Run all, staleness, and why a run could not start.
#[component]
pub fn RunBar() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let run_all = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::RunAll))
    };
    let undo = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::UndoStep))
    };
    let status = match &app.run {
        None => html! {},
        Some(Run { result: Err(errors), .. }) => html! {
            <ul class="run-errors" data-testid="run-errors" role="status">
                { for errors.iter().map(|e| html! { <li>{e.clone()}</li> }) }
            </ul>
        },
        Some(Run { result: Ok(view), stale, seq }) => {
            let failed =
                view.steps.iter().filter(|r| r.error.is_some() || r.expectations.iter().any(|e| !e.held)).count();
            let text = if view.passed {
                "every expectation holds".to_string()
            } else {
                format!(
                    "{failed} step{} fail{} expectations",
                    if failed == 1 { "" } else { "s" },
                    if failed == 1 { "s its" } else { " their" }
                )
            };
            html! {
                <span class={classes!("run-status", if view.passed { "passed" } else { "failed" })} data-testid="run-status"
                    data-run={seq.to_string()}>
                    { text }
                    { for stale.then(|| html! { <span class="stale" data-testid="stale">{" · documents changed: run again"}</span> }) }
                </span>
            }
        }
    };
    html! {
        <div class="run-bar">
            <button class="primary" data-testid="run-all" onclick={run_all}>{"Run all"}</button>
            <button data-testid="undo-step" onclick={undo} disabled={app.user_steps.is_empty()} title="Remove your last call">
                {"Undo last call"}
            </button>
            { status }
            <FileButtons />
        </div>
    }
}

#[component]
pub fn StepsView() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let view = app.view_of_run().cloned();
    let rows = app.all_steps().enumerate().map(|(i, spec)| {
        let result = view.as_ref().and_then(|v| v.steps.get(i));
        let onclick = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::SelectStep(i)))
        };
        let (word, class) = result.map(outcome_word).unwrap_or_else(|| ("not run".to_string(), "neutral"));
        let marks = result.map(|r| {
            html! { <>{ for r.expectations.iter().map(|e| html! {
                <span class={classes!("mark", if e.held { "held" } else { "failed" })} title={format!("{}: expected {}, got {}", e.what, e.expected, e.actual)}>
                    {if e.held { "✓" } else { "✗" }}
                </span>
            }) }</> }
        });
        let selected = app.step == Some(i);
        let user = app.is_user_step(i);
        html! {
            <li>
                <button class={classes!("step-row", selected.then_some("selected"), user.then_some("user"))}
                    data-testid="step-row" aria-current={selected.then_some("true")} {onclick}>
                    <span class="index">{i}</span>
                    <span class="title">
                        { for spec.name.as_ref().map(|n| html! { <code class="step-name">{n.clone()}</code> }) }
                        {step_title(spec)}
                        { for result.and_then(|r| r.rules.as_ref()).map(|r| html! {
                            <span class="fired-badge" data-testid="fired-badge" title="rules fired after this step">
                                {format!("{} rule{} fired", r.firings.len(), if r.firings.len() == 1 { "" } else { "s" })}
                            </span>
                        }) }
                        { for (!spec.note.is_empty()).then(|| html! { <InlineProse class="note" text={spec.note.clone()} /> }) }
                    </span>
                    <span class={classes!("outcome", class)} data-testid="step-outcome">{word}</span>
                    <span class="marks">{ for marks }</span>
                </button>
            </li>
        }
    });
    let detail = match (view.clone(), app.step) {
        (Some(v), Some(i)) if i < v.steps.len() => {
            html! { <StepDetail key={format!("detail-{i}")} run={v} index={i} /> }
        }
        _ => html! {},
    };
    // Issue 11: the selected step's editor (also when the run could not start, so a broken step can be fixed).
    let editor = app
        .step
        .filter(|i| *i < app.step_count())
        .map(|index| html! { <StepEditor key={format!("editor-{index}")} {index} /> });
    let about = (!app.base.description.is_empty()).then(|| {
        html! {
            <details class="about" data-testid="about">
                <summary>{"About this scenario"}</summary>
                <Prose text={app.base.description.clone()} />
            </details>
        }
    });
    let exercise = !app.base.exercise.is_empty() || !app.base.goals.is_empty();
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let app = app.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = super::files::dropped_file(&e) {
                super::files::read_file(&app, file);
            }
        })
    };
    html! {
        <div class={classes!("steps-view", exercise.then_some("with-exercise"))} data-testid="steps-view" {ondragover} {ondrop}>
            { for exercise.then(|| html! { <ExercisePanel /> }) }
            <div class="steps-main">
                { for about }
                <RunBar />
                <ol class="steps" data-testid="steps">{ for rows }</ol>
                <AddStepBar />
                { for editor }
                { detail }
            </div>
        </div>
    }
}
