//! The decision and the trace tree: policy -> statement -> elements and conditions, deciding statements marked.

use kmsim_policy::{ConditionTrace, Decision, ElementTrace, EntryTrace, PolicyDecision, PolicyResult, StatementTrace};
use yew::prelude::*;

use super::AppContext;
use crate::lab::Outcome;
use crate::model::{type_label, Doc};
use crate::state::{Action, Evaluation};

fn decision_text(d: Decision) -> (&'static str, &'static str) {
    match d {
        Decision::Allow => ("Allow", "allow"),
        Decision::ExplicitDeny => ("ExplicitDeny", "explicit-deny"),
        Decision::ImplicitDeny => ("ImplicitDeny", "implicit-deny"),
    }
}

fn policy_decision_text(d: PolicyDecision) -> &'static str {
    match d {
        PolicyDecision::Allow => "allows",
        PolicyDecision::ExplicitDeny => "denies",
        PolicyDecision::NoMatch => "no statement applies",
    }
}

#[component]
pub fn ResultPanel() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let body = match &app.evaluation {
        None => html! { <p class="hint">{"Press Evaluate to decide the request."}</p> },
        Some(Evaluation { outcome: Err(why), .. }) => {
            html! { <p class="eval-error" data-testid="eval-error" role="status">{format!("Cannot evaluate: {why}")}</p> }
        }
        Some(Evaluation { outcome: Ok(outcome), stale }) => render_outcome(&app, outcome, *stale),
    };
    html! {
        <section class="pane result-pane" data-testid="result">
            <h2>{"Decision"}</h2>
            { body }
        </section>
    }
}

fn render_outcome(app: &AppContext, outcome: &Outcome, stale: bool) -> Html {
    let (text, class) = decision_text(outcome.decision);
    let stale_note =
        stale.then(|| html! { <span class="stale" data-testid="stale">{"out of date: evaluate again"}</span> });
    let policies =
        outcome.results.iter().zip(&app.docs).enumerate().map(|(i, (r, d))| render_policy(app, outcome, i, d, r));
    html! {
        <>
            <div class="decision-line">
                <span class={classes!("decision", class)} data-testid="decision">{text}</span>
                { for stale_note }
            </div>
            <p class="reason" data-testid="reason">{outcome.reason.clone()}</p>
            <div class="trace" data-testid="trace">{ for policies }</div>
        </>
    }
}

fn render_policy(app: &AppContext, outcome: &Outcome, doc: usize, d: &Doc, r: &PolicyResult) -> Html {
    let statements = r.trace.iter().flat_map(|t| &t.statements).map(|s| render_statement(app, outcome, doc, s));
    html! {
        <details class="policy" open=true data-testid="trace-policy">
            <summary>
                <strong>{d.name.clone()}</strong>
                <span class="kind">{type_label(d.ty)}</span>
                <span class={classes!("pd", format!("pd-{:?}", r.decision).to_lowercase())}>
                    {policy_decision_text(r.decision)}
                </span>
            </summary>
            <ul class="statements">{ for statements }</ul>
        </details>
    }
}

fn render_statement(app: &AppContext, outcome: &Outcome, doc: usize, s: &StatementTrace) -> Html {
    let deciding = outcome.is_deciding(doc, s.index);
    let (line, column) = (s.span.line.max(1), s.span.column.max(1));
    let goto = {
        let app = app.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            app.dispatch(Action::Goto { doc, line, column });
        })
    };
    let label = s.sid.clone().map(|sid| format!("#{} \"{sid}\"", s.index)).unwrap_or_else(|| format!("#{}", s.index));
    let elements = s.elements.iter().map(render_element);
    let conditions = s.conditions.iter().map(render_condition);
    html! {
        <li>
            <details
                class={classes!("statement", deciding.then_some("deciding"), if s.applies { "applies" } else { "skipped" })}
                open={deciding}
                data-testid="trace-statement"
                data-deciding={deciding.to_string()}
            >
                <summary>
                    <span class="sid">{label}</span>
                    <span class={classes!("effect", format!("{:?}", s.effect).to_lowercase())}>{format!("{:?}", s.effect)}</span>
                    <span class="applies">{if s.applies { "applies" } else { "does not apply" }}</span>
                    { for deciding.then(|| html! { <span class="badge">{"deciding"}</span> }) }
                    <a href="#" class="goto" onclick={goto} title="Show in the editor">{format!("line {line}")}</a>
                </summary>
                <p class="why">{s.reason.clone()}</p>
                <ul class="elements">{ for elements }{ for conditions }</ul>
            </details>
        </li>
    }
}

fn entries(values: &[EntryTrace]) -> Html {
    html! {
        <ul class="entries">
            { for values.iter().map(|v| html! {
                <li class={if v.matched { "hit" } else { "miss" }}>
                    <span class="mark">{if v.matched { "✓" } else { "✗" }}</span>
                    <code>{v.value.clone()}</code>
                    { for v.resolved.as_ref().map(|r| html! { <> {" → "} <code>{r.clone()}</code> </> }) }
                    { for v.note.as_ref().map(|n| html! { <span class="note">{n.clone()}</span> }) }
                </li>
            }) }
        </ul>
    }
}

fn render_element(e: &ElementTrace) -> Html {
    html! {
        <li class={classes!("element", if e.matched { "hit" } else { "miss" })}>
            <div class="row">
                <strong>{format!("{:?}", e.element)}</strong>
                <span class="req">{"request: "}<code>{e.request_value.clone()}</code></span>
                <span class="why">{e.reason.clone()}</span>
            </div>
            { entries(&e.entries) }
        </li>
    }
}

fn render_condition(c: &ConditionTrace) -> Html {
    let request = match &c.request_values {
        Some(values) => html! { <code>{format!("[{}]", values.join(", "))}</code> },
        None => html! { <em>{"missing"}</em> },
    };
    html! {
        <li class={classes!("condition", if c.outcome { "hit" } else { "miss" })}>
            <div class="row">
                <strong>{format!("{} {}", c.operator, c.key)}</strong>
                <span class="req">{"request: "}{request}</span>
                <span class="why">{c.reason.clone()}</span>
            </div>
            { entries(&c.values) }
        </li>
    }
}
