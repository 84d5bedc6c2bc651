//! The calls nested in a step, under its result: a service step's outcome and each KMS call it made (operation,
//! caller, outcome, deciding statement, that call's expectations), and the rules that fired after the step (each
//! action with its acting role and outcome, the notifications, the loop protection). A call is a button: it shows
//! that call's trace in the trace panel (`Action::SelectNested`).

use std::rc::Rc;

use kmsim_kms::rules::{ActionResult, RuleFiring, RuleReport};
use kmsim_kms::scenario::{deciding_statements, Expectation, StepResult};
use kmsim_kms::services::ServiceOutcome;
use kmsim_kms::CallOutcome;
use yew::prelude::*;

use super::AppContext;
use crate::run::RunView;
use crate::state::nested::{self, Nested, Place};
use crate::state::Action;

#[derive(Properties)]
pub struct NestedProps {
    pub run: Rc<RunView>,
    pub index: usize,
}

impl PartialEq for NestedProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.index == other.index
    }
}

/// A step's service outcome with its KMS calls, and the rules that fired after it.
#[component]
pub fn NestedCalls(props: &NestedProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(step) = props.run.steps.get(props.index) else { return html! {} };
    let shown = nested::shown(step, app.nested);
    let ctx = Ctx { app: &app, step, index: props.index, shown };
    html! {
        <>
            { for step.service.as_deref().map(|s| service(&ctx, s)) }
            { for step.rules.as_deref().map(|r| rules(&ctx, r)) }
        </>
    }
}

struct Ctx<'a> {
    app: &'a AppContext,
    step: &'a StepResult,
    index: usize,
    shown: Option<Nested>,
}

impl Ctx<'_> {
    fn select(&self, nested: Nested) -> Callback<MouseEvent> {
        let (app, step) = (self.app.clone(), self.index);
        Callback::from(move |_| app.dispatch(Action::SelectNested { step, nested: Some(nested) }))
    }

    fn expectations(&self, place: Place) -> Html {
        let list: Vec<&Expectation> =
            self.step.expectations.iter().filter(|e| nested::place_of(self.step, e) == place).collect();
        expectation_list(&list, "nested-expectations")
    }
}

/// A list of expectations, each a mark and the words (`testid` is also a class, unless it is `expectations`).
pub fn expectation_list(list: &[&Expectation], testid: &'static str) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <ul class={classes!("expectations", (testid != "expectations").then_some(testid))} data-testid={testid}>
            { for list.iter().map(|e| html! {
                <li class={if e.held { "held" } else { "failed" }}>
                    <span class="mark">{if e.held { "✓" } else { "✗" }}</span>
                    {crate::words::expectation(e)}
                </li>
            }) }
        </ul>
    }
}

/// `Success` or the error code, with its CSS class.
fn call_word(c: &CallOutcome) -> (String, &'static str) {
    match &c.response {
        Ok(_) => ("Success".to_string(), "success"),
        Err(e) => (e.code.as_str().to_string(), "error"),
    }
}

/// `arn:aws:sts::111122223333:assumed-role/App/session` -> `assumed-role/App/session`.
fn short(arn: &str) -> String {
    arn.splitn(6, ':').nth(5).unwrap_or(arn).to_string()
}

/// One nested KMS call as a button: operation, caller, outcome, deciding statement.
fn call_row(ctx: &Ctx<'_>, nested: Nested, label: String, c: &CallOutcome) -> Html {
    let (word, class) = call_word(c);
    let selected = ctx.shown == Some(nested);
    let statements: Vec<String> =
        deciding_statements(&c.trace.authorizations).into_iter().filter(|s| !s.is_empty()).collect();
    let deciding = (!statements.is_empty()).then(|| {
        html! { <span class="deciding" data-testid="nested-statement" title="deciding statement">{statements.join(", ")}</span> }
    });
    html! {
        <button class={classes!("nested-row", selected.then_some("selected"))} data-testid="nested-call"
            aria-current={selected.then_some("true")} onclick={ctx.select(nested)} title="Show this call's trace">
            <span class="index">{label}</span>
            <code class="op" data-testid="nested-operation">{c.trace.operation.clone()}</code>
            <span class="caller" title={c.trace.caller.clone()}>{short(&c.trace.caller)}</span>
            <span class={classes!("outcome", class)} data-testid="nested-outcome">{word}</span>
            { for deciding }
        </button>
    }
}

fn service(ctx: &Ctx<'_>, s: &ServiceOutcome) -> Html {
    let title = kmsim_kms::services::service(&s.service).map_or(s.service.as_str(), |x| x.title);
    let outcome = match &s.response {
        Ok(_) => html! { <span class="outcome success" data-testid="service-outcome">{"Success"}</span> },
        Err(e) => html! {
            <>
                <span class="outcome error" data-testid="service-outcome">{e.code.clone()}</span>
                <span class="message" data-testid="service-message">{e.message.clone()}</span>
            </>
        },
    };
    let calls = s.kms_calls.iter().enumerate().map(|(i, c)| {
        html! {
            <li>
                { call_row(ctx, Nested::KmsCall(i), format!("{}", i + 1), c) }
                { ctx.expectations(Place::KmsCall(i)) }
            </li>
        }
    });
    let none = s.kms_calls.is_empty().then(|| html! { <li class="hint">{"no KMS call"}</li> });
    let events = s.events.iter().map(|e| {
        let kind = e.get("detail-type").and_then(|v| v.as_str()).unwrap_or("event").to_string();
        html! { <li><code>{kind}</code></li> }
    });
    html! {
        <section class="nested service" data-testid="service">
            <h3>
                <span class="what">{format!("{title} {}", s.operation)}</span>
                { outcome }
            </h3>
            <p class="kind">{"KMS calls it made, through the service:"}</p>
            <ol class="nested-calls" data-testid="kms-calls">{ for calls }{ for none }</ol>
            { for (!s.events.is_empty()).then(|| html! { <ul class="events">{ for events }</ul> }) }
        </section>
    }
}

fn action_row(ctx: &Ctx<'_>, f: &RuleFiring, firing: usize, i: usize, a: &ActionResult) -> Html {
    if let Some(c) = &a.call {
        return call_row(ctx, Nested::RuleAction { firing, action: i }, format!("{}", i + 1), c);
    }
    let class = if a.outcome == "success" { "success" } else { "error" };
    html! {
        <div class="nested-row static" data-testid="rule-action">
            <span class="index">{format!("{}", i + 1)}</span>
            <code class="op" data-testid="nested-operation">{a.action.clone()}</code>
            <span class="caller" title={f.role.clone()}>{short(&f.role)}</span>
            <span class={classes!("outcome", class)} data-testid="nested-outcome">{crate::words::outcome(&a.outcome)}</span>
            <span class="message" data-testid="notification">{crate::words::action(a)}</span>
        </div>
    }
}

fn rules(ctx: &Ctx<'_>, r: &RuleReport) -> Html {
    let firings = r.firings.iter().enumerate().map(|(n, f)| {
        let actions = f.actions.iter().enumerate().map(|(i, a)| html! { <li>{ action_row(ctx, f, n, i, a) }</li> });
        html! {
            <li class="firing" data-testid="rule-firing">
                <p class="fired">
                    {"rule "}<code data-testid="rule-name">{f.rule.clone()}</code>
                    {" matched "}<code>{f.event_name.clone()}</code>
                    {", acting as "}<span class="caller" title={f.role.clone()}>{short(&f.role)}</span>
                </p>
                <ol class="nested-calls">{ for actions }</ol>
                { ctx.expectations(Place::Firing(n)) }
            </li>
        }
    });
    let stopped = r.stopped.as_ref().map(|why| {
        html! { <p class="stopped" data-testid="rules-stopped" role="status">{"Stopped by the loop limit: "}{why.clone()}</p> }
    });
    html! {
        <section class="nested rules" data-testid="rules-fired">
            <h3><span class="what">{"Rules that fired after this step"}</span></h3>
            <ol class="firings">{ for firings }</ol>
            { for stopped }
            { ctx.expectations(Place::Rules) }
        </section>
    }
}
