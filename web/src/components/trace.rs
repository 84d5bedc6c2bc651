//! A step's result and its decision trace as an expandable tree: authorization (action, resource, rule, decision,
//! what decided, the explanation) -> each policy -> each statement -> elements and conditions (policy values against
//! request values); then grants considered, the derived request context, and the checks after authorization. The
//! deciding statements carry the class `deciding`; "show" highlights a statement's lines in its document.

use kmsim_kms::scenario::StepResult;
use kmsim_kms::trace::{AuthzTrace, Check, PolicyEval};
use kmsim_policy::{ConditionTrace, Decision, ElementTrace, Entries, PolicyDecision, StatementTrace};
use yew::prelude::*;

use super::nested::NestedCalls;
use super::AppContext;
use crate::run::{self, RunView};
use crate::state::{nested, Action};

pub fn decision_text(d: Decision) -> (&'static str, &'static str) {
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

/// A step's outcome in one line: the AWS result, or why the step could not run.
#[derive(Properties)]
pub struct StepOutcomeProps {
    pub run: std::rc::Rc<RunView>,
    pub index: usize,
}

impl PartialEq for StepOutcomeProps {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.run, &other.run) && self.index == other.index
    }
}

/// The step's result (success JSON or error code and message) and its trace.
#[component]
pub fn StepDetail(props: &StepOutcomeProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(step) = props.run.steps.get(props.index) else { return html! {} };
    let result = render_result(step);
    // The expectations on a nested call or a rule are shown under it (`NestedCalls`).
    let own: Vec<_> = step.expectations.iter().filter(|e| nested::place_of(step, e) == nested::Place::Step).collect();
    let expectations = super::nested::expectation_list(&own, "expectations");
    // The selected nested call's trace (a service's KMS call, a rule's action), else the step's own.
    let shown = nested::shown_call(step, app.nested);
    let caption = nested::caption(step, app.nested)
        .map(|c| html! { <p class="trace-of" data-testid="trace-of">{"Trace of "}{c}</p> });
    let authz: Vec<&AuthzTrace> = match (shown, &step.authorization) {
        (Some(c), _) => c.trace.authorizations.iter().collect(),
        (None, Some(a)) => vec![a],
        _ => Vec::new(),
    };
    let checks: &[Check] = shown.map_or(&[], |c| c.trace.checks.as_slice());
    let events = (!step.events.is_empty()).then(|| {
        html! {
            <ul class="events">
                { for step.events.iter().map(|e| html! { <li><code>{e.event_name.to_string()}</code>{" at "}{e.event_time.to_string()}</li> }) }
            </ul>
        }
    });
    html! {
        <div class="step-detail" data-testid="step-detail">
            <p class="summary">{step.summary.clone()}</p>
            { result }
            <NestedCalls run={props.run.clone()} index={props.index} />
            { expectations }
            { for events }
            { for caption }
            <div class="trace" data-testid="trace">
                { for authz.iter().map(|a| render_authz(&app, &props.run, a)) }
                { for (!checks.is_empty()).then(|| render_checks(checks)) }
            </div>
        </div>
    }
}

fn render_result(step: &StepResult) -> Html {
    if let Some(e) = &step.error {
        return html! { <p class="result error" data-testid="result">{format!("The step could not run: {e}")}</p> };
    }
    if let Some(call) = &step.call {
        return match &call.response {
            Ok(json) => html! {
                <details class="result ok" data-testid="result">
                    <summary><span class="outcome success" data-testid="outcome-code">{"Success"}</span>{" response"}</summary>
                    <pre>{serde_json::to_string_pretty(json).unwrap_or_default()}</pre>
                </details>
            },
            Err(e) => html! {
                <div class="result failed" data-testid="result">
                    <span class="outcome error" data-testid="outcome-code">{e.code.as_str()}</span>
                    <span class="message">{e.message.clone()}</span>
                </div>
            },
        };
    }
    if let Some(a) = &step.authorization {
        let (text, class) = decision_text(a.decision);
        return html! {
            <div class="result" data-testid="result">
                <span class={classes!("decision", class)} data-testid="outcome-code">{text}</span>
            </div>
        };
    }
    html! {}
}

fn render_authz(app: &AppContext, run: &RunView, a: &AuthzTrace) -> Html {
    let (text, class) = decision_text(a.decision);
    let rule = serde_json::to_value(a.rule).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let policies = a.policies.iter().map(|p| render_policy(app, run, a, p));
    let grants = (!a.grants.is_empty() || a.grants_skipped > 0).then(|| {
        html! {
            <details class="grants" data-testid="trace-grants">
                <summary><strong>{"Grants"}</strong><span class="kind">{format!("{} of the caller, {} of others skipped", a.grants.len(), a.grants_skipped)}</span></summary>
                <ul>
                    { for a.grants.iter().map(|g| html! {
                        <li class={if g.matched { "hit" } else { "miss" }}>
                            <span class="mark">{if g.matched { "✓" } else { "✗" }}</span>
                            <code>{g.name.clone().unwrap_or_else(|| g.grant_id.clone())}</code>{" "}<span class="why">{g.reason.clone()}</span>
                        </li>
                    }) }
                </ul>
            </details>
        }
    });
    let context_rows = a.context.iter().map(|(k, v)| {
        let values: Vec<String> = v.values().iter().map(|x| x.as_text()).collect();
        html! { <tr><td><code>{k.to_string()}</code></td><td><code>{values.join(", ")}</code></td></tr> }
    });
    html! {
        <details class="authz" open=true data-testid="authz">
            <summary>
                <span class={classes!("decision", class)} data-testid="authz-decision">{text}</span>
                <code>{a.action.clone()}</code>
                <span class="kind">{"on"}</span>
                <code class="resource">{a.resource.clone()}</code>
                <span class="kind">{rule}</span>
            </summary>
            <p class="decided-by" data-testid="decided-by">{format!("Decided by {}", crate::words::decided_by(a))}</p>
            <ol class="explanation" data-testid="explanation">
                { for a.explanation.iter().map(|line| html! { <li>{line.clone()}</li> }) }
            </ol>
            { for policies }
            { for grants }
            <details class="context">
                <summary><strong>{"Request context"}</strong><span class="kind">{format!("{} keys", a.context.len())}</span></summary>
                <table class="kv" data-testid="context-table"><tbody>{ for context_rows }</tbody></table>
            </details>
        </details>
    }
}

fn render_policy(app: &AppContext, run: &RunView, a: &AuthzTrace, p: &PolicyEval) -> Html {
    let doc = run::doc_of(&app.docs, &run.key_arns, p);
    let statements = p.result.trace.iter().flat_map(|t| &t.statements).map(|s| render_statement(app, a, p, doc, s));
    html! {
        <details class="policy" open=true data-testid="trace-policy">
            <summary>
                <strong>{p.kind.label()}</strong>
                <span class="name">{p.name.clone()}</span>
                <span class="kind" title="attached to">{p.attached_to.clone()}</span>
                <span class={classes!("pd", format!("pd-{:?}", p.result.decision).to_lowercase())}>
                    {policy_decision_text(p.result.decision)}
                </span>
            </summary>
            <ul class="statements">{ for statements }</ul>
        </details>
    }
}

fn render_statement(app: &AppContext, a: &AuthzTrace, p: &PolicyEval, doc: Option<usize>, s: &StatementTrace) -> Html {
    let deciding = run::is_deciding(a, p, s.index);
    let (line, end_line) = (s.span.line.max(1), s.span.end_line.max(s.span.line).max(1));
    let show = doc.map(|doc| {
        let app = app.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            app.dispatch(Action::SelectStatement { doc, line, end_line });
        });
        html! {
            <a href="#" class="goto" data-testid="show-statement" {onclick} title="Highlight in its document">
                {format!("lines {line}–{end_line}")}
            </a>
        }
    });
    let title = s.sid.as_ref().map_or_else(|| format!("#{}", s.index), |sid| format!("#{} \"{sid}\"", s.index));
    html! {
        <li>
            <details
                class={classes!("statement", deciding.then_some("deciding"), if s.applies { "applies" } else { "skipped" })}
                open={deciding}
                data-testid="trace-statement"
                data-deciding={deciding.to_string()}
            >
                <summary>
                    <span class="sid">{title}</span>
                    <span class={classes!("effect", format!("{:?}", s.effect).to_lowercase())}>{format!("{:?}", s.effect)}</span>
                    <span class="applies">{if s.applies { "applies" } else { "does not apply" }}</span>
                    { for deciding.then(|| html! { <span class="badge">{"deciding"}</span> }) }
                </summary>
                // The link sits outside the summary: a link inside the summary's button is nested-interactive.
                <p class="why">{s.reason.to_string()}{" "}{ for show }</p>
                <ul class="elements">
                    { for s.elements.iter().map(render_element) }
                    { for s.conditions.iter().map(render_condition) }
                </ul>
            </details>
        </li>
    }
}

fn entries(values: &Entries) -> Html {
    html! {
        <ul class="entries">
            { for values.iter().map(|v| html! {
                <li class={if v.matched { "hit" } else { "miss" }}>
                    <span class="mark">{if v.matched { "✓" } else { "✗" }}</span>
                    <code>{v.value.to_string()}</code>
                    { for v.resolved.as_ref().map(|r| html! { <> {" → "} <code>{r.to_string()}</code> </> }) }
                    { for v.note.as_ref().map(|n| html! { <span class="note">{n.to_string()}</span> }) }
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
                <span class="req">{"request: "}<code>{e.request_value.to_string()}</code></span>
                <span class="why">{e.reason.to_string()}</span>
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
        <li class={classes!("condition", if c.outcome { "hit" } else { "miss" })} data-testid="trace-condition">
            <div class="row">
                <strong>{format!("{} {}", c.operator(), c.key())}</strong>
                <span class="req">{"request: "}{request}</span>
                <span class="why">{c.reason.to_string()}</span>
            </div>
            { entries(&c.values) }
        </li>
    }
}

fn render_checks(checks: &[Check]) -> Html {
    html! {
        <details class="checks" open=true data-testid="checks">
            <summary><strong>{"Checks"}</strong><span class="kind">{"state, usage, parameters, cryptography"}</span></summary>
            <ul>
                { for checks.iter().map(|c| {
                    let kind = serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    html! {
                        <li class={if c.passed { "hit" } else { "miss" }}>
                            <span class="mark">{if c.passed { "✓" } else { "✗" }}</span>
                            <strong>{kind}</strong>{" "}<span class="why">{c.detail.clone()}</span>
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}
