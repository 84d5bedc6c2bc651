//! The root component: builds the starting state from the saved workspaces and the URL fragment, provides it to the
//! components, saves every change (`workspaces::Saver`: never over another tab's newer version) and puts the open
//! workspace's share link in the address, and listens to other tabs and to links pasted into the address bar.

use yew::prelude::*;

use crate::address;
use crate::browser::{self, LocalStore};
use crate::components::WorldView;
use crate::components::{
    AppContext, AuditLog, Banner, CallConsole, DocumentsPane, Header, Notices, StepsView, UndoToast, WorkspacesPanel,
};
use crate::state::{self, Action, State, View};
use crate::workspaces::{self, Problem, Saver};

fn initial_state() -> State {
    let loaded = workspaces::load(&mut LocalStore);
    state::boot(&address::fragment_at_start(), loaded, browser::random_seed())
}

#[component]
fn ViewTabs() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let tab = |v: View, label: &str, testid: &str| {
        let selected = (app.view == v).to_string();
        let app = app.clone();
        let onclick = Callback::from(move |_| app.dispatch(Action::SetView(v)));
        html! {
            <button class="view-tab" role="tab" data-testid={testid.to_string()} aria-selected={selected} {onclick}>
                {label.to_string()}
            </button>
        }
    };
    let audit_count = app.view_of_run().map(|r| r.audit.len()).unwrap_or(0);
    html! {
        <nav class="views" role="tablist">
            { tab(View::Steps, "Steps", "view-steps") }
            { tab(View::Console, "Call console", "view-console") }
            { tab(View::Audit, &format!("Audit log ({audit_count})"), "view-audit") }
            { tab(View::World, "World", "view-world") }
        </nav>
    }
}

/// The playground.
#[component]
pub fn App() -> Html {
    let app = use_reducer(initial_state);
    let saver = use_mut_ref(|| Saver::new(&app.ws.list, &app.ws.revs));
    {
        let dispatcher = app.dispatcher();
        let unsaved = app.ws.unsaved.is_some();
        let keep_fragment = app.ws.broken_link.is_some();
        let live = app.clone();
        use_effect_with((app.workspace_list(), app.ws.current.clone(), keep_fragment), move |(list, current, _)| {
            let problems = saver.borrow_mut().sync(&mut LocalStore, list, current);
            let mut failed = None;
            for p in problems {
                match p {
                    Problem::Conflict { theirs, .. } => dispatcher.dispatch(Action::WorkspaceConflict(theirs)),
                    Problem::Failed(e) => failed = Some(e),
                }
            }
            match failed {
                Some(e) => dispatcher.dispatch(Action::StorageProblem(Some(format!(
                    "{}: your workspaces are kept in this tab only until it closes; back them up or free some space",
                    e.message()
                )))),
                None if unsaved => dispatcher.dispatch(Action::StorageProblem(None)),
                None => {}
            }
            // A broken link stays in the address until dismissed, so that it can be copied from there too.
            if keep_fragment {
                address::cancel();
            } else {
                // The open workspace's snapshot is in `list` already (no second copy of the scenario per render).
                let snapshot = list.iter().find(|w| &w.id == current).map(|w| w.snapshot.clone());
                address::replace_after_paint(snapshot.unwrap_or_else(|| live.snapshot()));
            }
        });
    }
    {
        let dispatcher = app.dispatcher();
        use_effect_with((), move |_| {
            let d = dispatcher.clone();
            browser::on_storage(move |key, value| {
                let Some(id) = workspaces::id_of_key(&key) else { return };
                let theirs = match value {
                    Some(text) => match workspaces::parse_record(id, &text) {
                        Ok((ws, _)) => Some(Box::new(ws)),
                        Err(_) => return,
                    },
                    None => None,
                };
                d.dispatch(Action::WorkspaceChangedElsewhere { id: id.to_string(), theirs });
            });
            browser::on_hashchange(move |fragment| {
                dispatcher.dispatch(Action::OpenFragment { fragment, seed: browser::random_seed() });
            });
        });
    }
    let panel = match app.view {
        View::Steps => html! { <StepsView /> },
        View::Console => html! { <CallConsole /> },
        View::Audit => html! { <AuditLog /> },
        View::World => html! { <WorldView /> },
    };
    html! {
        <ContextProvider<AppContext> context={app.clone()}>
            <div class="app" data-testid="app">
                <Header />
                <WorkspacesPanel />
                <Notices />
                <Banner />
                <UndoToast />
                <main class="lab">
                    <DocumentsPane />
                    <section class="pane side">
                        <ViewTabs />
                        { panel }
                    </section>
                </main>
            </div>
        </ContextProvider<AppContext>>
    }
}
