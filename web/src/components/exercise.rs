//! The exercise beside the steps: its text, "Check my work" with each goal's result and reason, hints revealed one
//! at a time, the solution compared with the student's documents, the progress over the lessons and the previous
//! and next lesson. The progress is read from and kept in the browser here (`PROGRESS_KEY`); without storage it
//! lasts as long as the page.

use yew::prelude::*;

use super::{AppContext, InlineProse, Prose};
use crate::browser;
use crate::state::exercise::{self, Line, PROGRESS_KEY};
use crate::state::Action;
use crate::workspaces::Store;

#[component]
pub fn ExercisePanel() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    {
        let app = app.clone();
        use_effect_with((), move |_| {
            if let Some(text) = browser::LocalStore.get(PROGRESS_KEY) {
                app.dispatch(Action::LoadProgress(text));
            }
        });
    }
    let kept = use_state(|| true);
    {
        let kept = kept.clone();
        use_effect_with(app.progress.clone(), move |p| {
            if !p.solved.is_empty() {
                kept.set(browser::LocalStore.set(PROGRESS_KEY, &p.to_json()).is_ok());
            }
        });
    }
    let send = |a: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(a.clone()))
    };
    let base = &app.base;
    let goals = &base.goals;
    let check = app.exercise.checked.as_ref().map(|results| {
        let met = results.iter().filter(|g| g.passed).count();
        let passed = !results.is_empty() && met == results.len();
        let summary = if passed {
            "Check: passed".to_string()
        } else {
            format!("Check: {met} of {} goals met", results.len())
        };
        html! {
            <div class={classes!("check", if passed { "passed" } else { "failed" })} data-testid="check-result" role="status">
                <strong data-testid="check-summary">{summary}</strong>
                <ul class="goals">
                    { for results.iter().map(|g| {
                        let reasons = g.checks.iter().filter(|c| !c.held).map(crate::words::expectation);
                        html! {
                            <li class={classes!("goal", if g.passed { "held" } else { "failed" })} data-testid="goal">
                                <span class="mark">{ if g.passed { "✓" } else { "✗" } }</span>
                                <InlineProse class="goal-text" text={ if g.text.is_empty() { g.id.clone() } else { g.text.clone() } } />
                                { for reasons.map(|r| html! { <div class="goal-reason" data-testid="goal-reason">{r}</div> }) }
                            </li>
                        }
                    }) }
                </ul>
            </div>
        }
    });
    let hints = base.hints.iter().take(app.exercise.hints_shown).enumerate().map(|(i, h)| {
        html! { <li data-testid="hint"><strong>{ format!("Hint {}: ", i + 1) }</strong><InlineProse text={h.clone()} /></li> }
    });
    let more_hints = app.exercise.hints_shown < base.hints.len();
    let solution = app.exercise.compare.then(|| {
        match exercise::solution_diff(app.origin.as_deref(), base, &app.docs) {
            None => html! { <p class="note" data-testid="solution-diff">{"This exercise has no solution to compare with."}</p> },
            Some(diffs) => html! {
                <div class="solution" data-testid="solution-diff">
                    { for base.solution.as_ref().filter(|s| !s.note.is_empty()).map(|s| html! { <Prose text={s.note.clone()} /> }) }
                    { for diffs.iter().map(|d| html! {
                        <div class="doc-diff">
                            <div class="doc-diff-title">
                                {d.label.clone()}
                                { if d.same { " (yours is the same)" } else { " (− yours, + the solution)" } }
                            </div>
                            <pre class="diff">{ for d.lines.iter().map(|l| match l {
                                Line::Same(t) => html! { <div class="same">{format!("  {t}")}</div> },
                                Line::Yours(t) => html! { <div class="yours">{format!("− {t}")}</div> },
                                Line::Solution(t) => html! { <div class="theirs">{format!("+ {t}")}</div> },
                            }) }</pre>
                        </div>
                    }) }
                </div>
            },
        }
    });
    let (prev, next) = exercise::neighbours(app.origin.as_deref());
    let open = |s: Option<&'static crate::starts::Start>, label: &str, testid: &str| {
        let disabled = s.is_none();
        let title = s.map(|s| s.title).unwrap_or("");
        let onclick = {
            let app = app.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(s) = s {
                    app.dispatch(Action::Open { id: s.id.to_string(), seed: browser::random_seed() });
                }
            })
        };
        html! { <button data-testid={testid.to_string()} {disabled} {title} {onclick}>{label.to_string()}</button> }
    };
    let (solved, total) = app.progress.count();
    let this_solved = app.origin.as_deref().is_some_and(|id| app.progress.is_solved(id));
    html! {
        <aside class="exercise" data-testid="exercise" aria-label="Exercise">
            <h2>{"Exercise"}{ for this_solved.then(|| html! { <span class="solved" data-testid="solved">{" · solved"}</span> }) }</h2>
            <Prose testid="exercise-text" text={base.exercise.clone()} />
            <div class="exercise-actions">
                <button class="primary" data-testid="check-work" onclick={send(Action::CheckWork)} disabled={goals.is_empty()}
                    title={if goals.is_empty() { "this scenario declares no goals" } else { "run the lesson and grade its goals" }}>
                    {"Check my work"}
                </button>
                <button data-testid="show-hint" onclick={send(Action::ShowHint)} disabled={!more_hints}>
                    { if base.hints.is_empty() { "No hints".to_string() } else { format!("Hint ({} of {})", app.exercise.hints_shown, base.hints.len()) } }
                </button>
                <button data-testid="compare-solution" onclick={send(Action::ToggleSolution)} disabled={base.solution.is_none()}
                    aria-pressed={app.exercise.compare.to_string()}>
                    { if app.exercise.compare { "Hide the solution" } else { "Compare with the solution" } }
                </button>
            </div>
            { for check }
            <ol class="hints">{ for hints }</ol>
            { for solution }
            <div class="lesson-nav">
                { open(prev, "← Previous lesson", "prev-lesson") }
                <span class="progress" data-testid="progress">
                    { format!("{solved} of {total} lessons solved") }
                    { for (!*kept).then(|| html! { <span class="note">{" (not kept: this browser's storage is unavailable)"}</span> }) }
                </span>
                { open(next, "Next lesson →", "next-lesson") }
            </div>
        </aside>
    }
}
