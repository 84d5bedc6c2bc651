//! The workspaces panel (open, rename, duplicate, delete, back up, restore), the undo toast, and the notices about
//! workspaces: another tab's change, storage that cannot save, a share link that could not be opened.

use yew::prelude::*;

use super::{value_of, AppContext};
use crate::browser;
use crate::state::Action;
use crate::workspaces;

#[component]
pub fn WorkspacesPanel() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    if !app.ws.panel_open {
        return html! {};
    }
    let on_backup = {
        let app = app.clone();
        Callback::from(move |_| {
            if !browser::download("kmsim-workspaces.json", &workspaces::backup_json(&app.workspace_list())) {
                app.dispatch(Action::ShowBanner(crate::state::Banner::error("the backup file could not be made")));
            }
        })
    };
    let on_restore = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let app = app.clone();
            let existing = app.workspace_list();
            browser::read_chosen_file(&input, move |text| {
                let restored = text.and_then(|t| workspaces::restore_backup(&t, &existing, browser::random_seed()));
                match restored {
                    Ok(list) => app.dispatch(Action::RestoreWorkspaces(list)),
                    Err(e) => app.dispatch(Action::ShowBanner(crate::state::Banner::error(e))),
                }
            });
            input.set_value("");
        })
    };
    let rows = app.ws.list.iter().map(|w| {
        let current = w.id == app.ws.current;
        let id = w.id.clone();
        let open = {
            let (app, id) = (app.clone(), id.clone());
            Callback::from(move |_| app.dispatch(Action::OpenWorkspace(id.clone())))
        };
        let rename = {
            let (app, id) = (app.clone(), id.clone());
            Callback::from(move |e: Event| app.dispatch(Action::RenameWorkspace { id: id.clone(), name: value_of(&e) }))
        };
        let duplicate = {
            let (app, id) = (app.clone(), id.clone());
            Callback::from(move |_| {
                app.dispatch(Action::DuplicateWorkspace { id: id.clone(), seed: browser::random_seed() })
            })
        };
        let delete = {
            let (app, id) = (app.clone(), id.clone());
            Callback::from(move |_| app.dispatch(Action::DeleteWorkspace { id: id.clone(), seed: browser::random_seed() }))
        };
        let name_id = format!("ws-name-{}", w.id);
        html! {
            <li class={classes!("ws-row", current.then_some("current"))} data-testid="ws-row" data-id={w.id.clone()}>
                <button class="ws-open" data-testid="ws-open" onclick={open} aria-current={current.then_some("true")}>
                    {if current { "Open now" } else { "Open" }}
                </button>
                <label class="sr-only" for={name_id.clone()}>{"Workspace name"}</label>
                <input id={name_id} class="ws-name" data-testid="ws-name" value={w.name.clone()} onchange={rename} />
                <button data-testid="ws-duplicate" onclick={duplicate} aria-label={format!("Duplicate {}", w.name)}>{"Duplicate"}</button>
                <button data-testid="ws-delete" onclick={delete} aria-label={format!("Delete {}", w.name)}>{"Delete"}</button>
            </li>
        }
    });
    html! {
        <section class="ws-panel" data-testid="ws-panel" aria-label="Workspaces">
            <h2>{"Your workspaces"}</h2>
            <p class="ws-note">{"Kept in this browser only. Every lesson you open and every share link you open is its own workspace."}</p>
            <ul class="ws-list">{ for rows }</ul>
            <div class="ws-actions">
                <button data-testid="ws-backup" onclick={on_backup}>{"Back up all workspaces"}</button>
                <label class="file-button">
                    {"Restore from a backup file"}
                    <input type="file" accept="application/json,.json" data-testid="ws-restore" onchange={on_restore} />
                </label>
            </div>
        </section>
    }
}

#[component]
pub fn UndoToast() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(undo) = app.ws.undo.clone() else { return html! {} };
    let on_undo = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::UndoWorkspace))
    };
    let dismiss = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::DismissUndo))
    };
    html! {
        <div class="toast" role="status" data-testid="undo-toast">
            <span>{undo.label}</span>
            <button data-testid="undo" onclick={on_undo}>{"Undo"}</button>
            <button class="dismiss" onclick={dismiss} aria-label="Dismiss">{"×"}</button>
        </div>
    }
}

#[component]
pub fn Notices() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let conflict = app.ws.conflict.as_ref().map(|theirs| {
        let take = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::TakeTheirs))
        };
        let keep = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::KeepMineAsCopy { seed: browser::random_seed() }))
        };
        html! {
            <div class="banner error" role="alert" data-testid="conflict">
                <span>{format!("`{}` was changed in another tab; this tab's changes to it are not saved until you choose", theirs.name)}</span>
                <button data-testid="take-theirs" onclick={take}>{"Load the other tab's version"}</button>
                <button data-testid="keep-mine" onclick={keep}>{"Keep this tab's as a copy"}</button>
            </div>
        }
    });
    let unsaved = app.ws.unsaved.as_ref().map(|why| {
        html! { <div class="banner error" role="alert" data-testid="unsaved"><span>{why.clone()}</span></div> }
    });
    let broken = app.ws.broken_link.as_ref().map(|b| {
        let link = format!("{}{}", browser::page_url(), b.link);
        let copy = {
            let link = link.clone();
            Callback::from(move |_| {
                browser::copy_text(&link);
            })
        };
        let dismiss = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::DismissBanner))
        };
        html! {
            <div class="banner error" role="alert" data-testid="broken-link">
                <span>{format!("the share link in the address could not be opened ({}); your workspace is shown instead. The link:", b.error)}</span>
                <input readonly=true aria-label="The link that could not be opened" data-testid="broken-link-text" value={link} />
                <button data-testid="copy-broken-link" onclick={copy}>{"Copy"}</button>
                <button class="dismiss" onclick={dismiss} aria-label="Dismiss">{"×"}</button>
            </div>
        }
    });
    html! { <>{ for conflict }{ for unsaved }{ for broken }</> }
}
