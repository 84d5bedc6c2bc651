//! The whole scenario as one JSON document in the documents pane (issue 11): its entry in the sidebar and its editor.
//! Each edit goes to the reducer (`WorldAction::EditJson`), which applies the text when it reads and otherwise keeps
//! it with its located problems, changing nothing. Such a draft is kept in the workspace's snapshot (its `texts`, at
//! the pointer `""`), so a reload shows it again with its problems until it reads or is discarded.

use yew::prelude::*;

use super::{value_of, AppContext};
use crate::state::world::WorldAction;
use crate::state::Action;

/// The sidebar entry "scenario (JSON)".
#[component]
pub fn ScenarioJsonTab() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let onclick = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::World(WorldAction::OpenJson)))
    };
    let problems = app.json_problem_count();
    let count = (problems > 0).then(|| html! { <span class="count">{problems}</span> });
    html! {
        <li class="doc-group">
            <span class="group-name">{"scenario"}</span>
            <ul>
                <li>
                    <button class="doc-link" data-testid="doc-tab-json" aria-current={app.world.json_open.then_some("true")} {onclick}>
                        {"scenario (JSON)"} { for count }
                    </button>
                </li>
            </ul>
        </li>
    }
}

/// The JSON document's editor and its problems (line, column, JSON path).
#[component]
pub fn ScenarioJsonEditor() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let (text, problems) = app.scenario_json();
    let oninput = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| {
            let e: Event = e.into();
            app.dispatch(Action::World(WorldAction::EditJson(value_of(&e))));
        })
    };
    let discard = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::World(WorldAction::DiscardJson)))
    };
    let status = if problems.is_empty() {
        html! { <p class="ok" data-testid="json-ok">{"Reads as a scenario: the world, steps and documents are this text."}</p> }
    } else {
        html! {
            <>
                <p class="world-json-note">{"Nothing changes until the text reads as a scenario; the draft is kept until then. "}
                    <button data-testid="json-discard" onclick={discard}>{"Discard the draft"}</button></p>
                <ul class="diagnostics" data-testid="json-problems">
                    { for problems.iter().map(|p| html! {
                        <li class="diagnostic" data-testid="json-problem">
                            <span class="loc">{format!("{}:{}", p.line, p.column)}</span>
                            <span class="msg">{p.message.clone()}</span>
                            if !p.path.is_empty() { <code class="path">{p.path.clone()}</code> }
                        </li>
                    }) }
                </ul>
            </>
        }
    };
    html! {
        <div class="doc">
            <div class="doc-head">
                <span class="doc-title" data-testid="doc-title">{"scenario (JSON)"}</span>
                <code class="doc-path">{"the whole file, as `kmsim check` reads it"}</code>
            </div>
            <textarea class="world-json" data-testid="scenario-json" aria-label="The whole scenario as JSON" spellcheck="false"
                value={text} {oninput} />
            { status }
        </div>
    }
}
