//! The root component: builds the starting state, provides it to the components, and saves every change to
//! localStorage and to the URL fragment (the share link).

use yew::prelude::*;

use crate::browser;
use crate::components::{AppContext, AuditLog, Banner, CallConsole, DocumentsPane, Header, StepsView};
use crate::share;
use crate::state::{self, Action, State, View, BACKUP_KEY, LINK_BACKUP_KEY, STORAGE_KEY};

fn initial_state() -> State {
    let stored = browser::load(STORAGE_KEY);
    let boot = state::boot(&browser::fragment(), stored.as_deref(), browser::random_seed());
    // Keep the saved text before the first save overwrites the main key.
    if let Some(text) = &stored {
        if boot.corrupt_stored {
            browser::store(BACKUP_KEY, text);
        } else if boot.replaced_stored {
            browser::store(LINK_BACKUP_KEY, text);
        }
    }
    boot.state
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
        </nav>
    }
}

/// The playground.
#[component]
pub fn App() -> Html {
    let app = use_reducer(initial_state);
    {
        let dispatcher = app.dispatcher();
        let warned = app.banner.is_some();
        use_effect_with(app.snapshot(), move |snapshot| {
            let saved = browser::store(STORAGE_KEY, &share::to_json(snapshot));
            browser::replace_fragment(&format!("#{}{}", share::FRAGMENT_KEY, share::encode(snapshot)));
            if !saved && !warned && cfg!(target_arch = "wasm32") {
                dispatcher.dispatch(Action::ShowBanner(state::Banner::error(
                    "the playground could not be saved in this browser (storage unavailable or full); use the share \
                     link to keep it",
                )));
            }
        });
    }
    let panel = match app.view {
        View::Steps => html! { <StepsView /> },
        View::Console => html! { <CallConsole /> },
        View::Audit => html! { <AuditLog /> },
    };
    html! {
        <ContextProvider<AppContext> context={app.clone()}>
            <div class="app" data-testid="app">
                <Header />
                <Banner />
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
