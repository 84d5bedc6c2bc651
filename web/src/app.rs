//! The root component: builds the starting state, provides it to the components, and saves every change to
//! localStorage and to the URL fragment (the share link).

use yew::prelude::*;

use crate::browser;
use crate::components::{AppContext, Banner, EditorPane, Header, RequestBuilder, ResultPanel};
use crate::share;
use crate::state::{self, Action, State, BACKUP_KEY, STORAGE_KEY};

fn initial_state() -> State {
    let stored = browser::load(STORAGE_KEY);
    let boot = state::boot(&browser::fragment(), stored.as_deref());
    if boot.corrupt_stored {
        if let Some(text) = &stored {
            // Keep the unreadable text before the first save overwrites the main key.
            browser::store(BACKUP_KEY, text);
        }
    }
    boot.state
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
                dispatcher.dispatch(Action::ShowBanner(state::Banner {
                    error: true,
                    text: "the playground could not be saved in this browser (storage unavailable or full); \
                           use the share link to keep it"
                        .to_string(),
                }));
            }
        });
    }
    html! {
        <ContextProvider<AppContext> context={app.clone()}>
            <div class="app" data-testid="app">
                <Header />
                <Banner />
                <main class="lab">
                    <EditorPane />
                    <div class="side">
                        <RequestBuilder />
                        <ResultPanel />
                    </div>
                </main>
            </div>
        </ContextProvider<AppContext>>
    }
}
