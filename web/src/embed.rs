//! The embed (`embed.html#...` in an iframe of a docs page): one scenario, compact, read-only or editable as the
//! author's link says, with an "Open in the playground" link. It never reads or writes the visitor's workspaces: its
//! state lives in memory only (no `workspaces::Saver`, no storage listener), and it shows none of the main app's
//! banners. embed.html sends its height to the parent page (see docs/embed.md).
//!
//! The fragment: a share link (`s=...`) or a lesson (`lesson=04-cross-account`), and `edit=1` for an editable embed.

use yew::prelude::*;

use crate::components::{AppContext, DocumentsPane, StepsView};
use crate::share;
use crate::state::State;

/// What the embed shows, from its fragment: the state and whether it may be edited; or what is wrong with the link.
pub fn embed_state(fragment: &str, seed: u64) -> Result<(State, bool), String> {
    let f = fragment.trim_start_matches('#');
    let editable = f.split('&').any(|p| p == "edit=1" || p == "edit=true");
    let has_scenario = f.split('&').any(|p| p.starts_with("s=") || p.starts_with("lesson="));
    if !has_scenario {
        return Err("the embed link names no scenario: add `#lesson=NAME` or a share link's `#s=...`".to_string());
    }
    let mut s = State::from_fragment_only(f, seed);
    if let Some(b) = s.ws.broken_link.take() {
        return Err(format!("the embed's share link could not be read ({})", b.error));
    }
    if let Some(b) = s.banner.take().filter(|b| b.error) {
        return Err(b.text);
    }
    s.banner = None;
    s.ws.undo = None;
    Ok((s, editable))
}

fn initial() -> Result<(State, bool), String> {
    embed_state(&crate::browser::fragment(), crate::browser::random_seed())
}

/// The embedded scenario.
#[component]
pub fn Embed() -> Html {
    let boot = use_memo((), |_| initial());
    match &*boot {
        Ok((state, editable)) => html! { <EmbedView state={std::rc::Rc::new(state.clone())} editable={*editable} /> },
        Err(e) => html! { <p class="embed-error" role="alert" data-testid="embed-error">{e.clone()}</p> },
    }
}

#[derive(Properties, PartialEq)]
struct ViewProps {
    state: std::rc::Rc<State>,
    editable: bool,
}

#[component]
fn EmbedView(props: &ViewProps) -> Html {
    let initial = props.state.clone();
    let app = use_reducer(move || (*initial).clone());
    let link = format!("index.html#{}{}", share::FRAGMENT_KEY, share::encode(&app.snapshot()));
    let title = if app.base.title.is_empty() { "Scenario".to_string() } else { app.base.title.clone() };
    let body = if props.editable {
        html! { <main class="lab embed-lab"><DocumentsPane /><section class="pane side"><StepsView /></section></main> }
    } else {
        let docs = app.docs.iter().map(|d| {
            html! {
                <details class="embed-doc" data-testid="embed-doc" open={app.docs.len() == 1}>
                    <summary>{format!("{} · {}", d.loc.group(), d.loc.label())}</summary>
                    <pre tabindex="0" aria-label={format!("{} {}", d.loc.group(), d.loc.label())}>{d.source.clone()}</pre>
                </details>
            }
        });
        html! {
            <main class="embed-read">
                <section class="pane">{ for docs }</section>
                <section class="pane side"><StepsView /></section>
            </main>
        }
    };
    html! {
        <ContextProvider<AppContext> context={app.clone()}>
            <div class="embed" data-testid="embed" data-editable={props.editable.to_string()}>
                <header class="embed-top">
                    <strong class="scenario-title" data-testid="scenario-title">{title}</strong>
                    <a class="embed-open" data-testid="embed-open" href={link} target="_blank" rel="noopener">{"Open in the playground ↗"}</a>
                </header>
                { body }
            </div>
        </ContextProvider<AppContext>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embed_opens_a_lesson_or_a_link_read_only_unless_the_author_says_edit() {
        let (s, editable) = embed_state("#lesson=04-cross-account", 1).unwrap();
        assert_eq!((s.origin.as_deref(), editable), (Some("lesson:04-cross-account"), false));
        assert!(s.banner.is_none() && s.ws.undo.is_none());
        let link = format!("s={}&edit=1", share::encode(&State::default().snapshot()));
        let (s, editable) = embed_state(&link, 1).unwrap();
        assert_eq!((s.snapshot(), editable), (State::default().snapshot(), true));
    }

    #[test]
    fn a_bad_embed_link_says_what_is_wrong() {
        assert_eq!(
            embed_state("", 1).unwrap_err(),
            "the embed link names no scenario: add `#lesson=NAME` or a share link's `#s=...`"
        );
        assert_eq!(
            embed_state("#s=garbage", 1).unwrap_err(),
            "the embed's share link could not be read (the data is not base64url text)"
        );
        assert!(embed_state("#lesson=nope", 1).unwrap_err().starts_with("there is no lesson `nope`"));
    }
}
