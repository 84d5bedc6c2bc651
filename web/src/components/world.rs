//! The world editor (issue 11): the configuration, accounts with their roles, users (tags, identity policies,
//! permissions boundary), roles' named sessions (tags, MFA, source identity, session policy) and SCPs, as small forms; keys and grants are in `world_keys.rs`. Every change is a
//! `WorldAction` of the reducer (state/world.rs); a text field sends it when it is left (its `change` event).

use yew::prelude::*;

use super::world_keys::{CreatedList, GrantsForm, KeysForm};
use super::{value_of, AppContext};
use crate::model::DocLoc;
use crate::state::world::{ConfigField, SessionField, SessionRef, Who, WorldAction as W};
use crate::state::Action;

/// A callback sending `f(value of the field)`.
pub fn on_value(app: &AppContext, f: impl Fn(String) -> W + 'static) -> Callback<Event> {
    let app = app.clone();
    Callback::from(move |e: Event| app.dispatch(Action::World(f(value_of(&e)))))
}

/// A callback sending `action` on a click.
pub fn on_click(app: &AppContext, action: W) -> Callback<MouseEvent> {
    let app = app.clone();
    Callback::from(move |_| app.dispatch(Action::World(action.clone())))
}

/// A button that shows the document at `pointer` in the editor.
pub fn open_doc_button(app: &AppContext, pointer: &str, label: &str) -> Html {
    let Some(i) = app.docs.iter().position(|d| d.loc.pointer() == pointer) else { return html! {} };
    let onclick = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::SelectDoc(i)))
    };
    html! { <button class="world-open" data-testid="world-open-doc" data-path={pointer.to_string()} {onclick}>{label.to_string()}</button> }
}

/// A list of tags, each key and value a field (a changed key renames the tag), with its Remove button. `set(old,
/// key, value)` sets a tag (renaming `old`); `remove(key)` removes one.
pub fn tag_rows(
    app: &AppContext,
    tags: &std::collections::BTreeMap<String, String>,
    set: impl Fn(Option<String>, String, String) -> W + 'static,
    remove: impl Fn(String) -> W + 'static,
) -> Html {
    let set = std::rc::Rc::new(set);
    let rows = tags.iter().map(|(k, v)| {
        let rekey = {
            let (set, old, value) = (set.clone(), k.clone(), v.clone());
            on_value(app, move |key| set(Some(old.clone()), key, value.clone()))
        };
        let revalue = {
            let (set, key) = (set.clone(), k.clone());
            on_value(app, move |value| set(None, key.clone(), value))
        };
        html! {
            <li class="world-row world-tag">
                <input aria-label="Tag key" data-testid="world-tag-key" value={k.clone()} onchange={rekey} />
                <input aria-label="Tag value" data-testid="world-tag-value" value={v.clone()} onchange={revalue} />
                <button class="world-remove" onclick={on_click(app, remove(k.clone()))}>{"Remove"}</button>
            </li>
        }
    });
    html! { <ul class="world-list">{ for rows }</ul> }
}

/// The world view: the JSON document's button, configuration, accounts, keys, grants, what steps created.
#[component]
pub fn WorldView() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let accounts: Vec<String> = app.base.accounts.keys().cloned().collect();
    html! {
        <div class="world" data-testid="world-view">
            <p class="world-intro">
                {"Build the world from forms; every policy is a document on the left. "}
                <button data-testid="world-json" onclick={on_click(&app, W::OpenJson)}>{"Edit the whole scenario as JSON"}</button>
            </p>
            <ConfigForm />
            <section class="world-section" aria-label="Accounts">
                <h3>{"Accounts"}</h3>
                { for accounts.into_iter().map(|id| html! { <AccountForm key={id.clone()} id={id.clone()} /> }) }
                <button data-testid="world-add-account" onclick={on_click(&app, W::AddAccount(None))}>{"Add account"}</button>
            </section>
            <KeysForm />
            <GrantsForm />
            <CreatedList />
        </div>
    }
}

#[component]
fn ConfigForm() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let config = app.base.config.clone().unwrap_or_default();
    let field = |label: &'static str, testid: &'static str, value: String, f: ConfigField| {
        html! {
            <label class="world-field">{label}
                <input data-testid={testid} spellcheck="false" value={value}
                    onchange={on_value(&app, move |value| W::SetConfig { field: f, value })} />
            </label>
        }
    };
    html! {
        <section class="world-section" aria-label="Configuration">
            <h3>{"Configuration"}</h3>
            <div class="world-grid">
                { field("Title", "world-title", app.base.title.clone(), ConfigField::Title) }
                { field("Seed", "world-seed", app.base.seed.map(|s| s.to_string()).unwrap_or_default(), ConfigField::Seed) }
                { field("Region", "world-region", config.region.unwrap_or_default(), ConfigField::Region) }
                { field("Start time", "world-start-time", app.base.start_time.clone().unwrap_or_default(), ConfigField::StartTime) }
                { field("Grant propagation (s)", "world-propagation",
                    config.grant_propagation_seconds.map(|s| s.to_string()).unwrap_or_default(), ConfigField::GrantPropagationSeconds) }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AccountProps {
    id: String,
}

#[component]
fn AccountForm(props: &AccountProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let id = props.id.clone();
    let Some(account) = app.base.accounts.get(&id) else { return html! {} };
    let rename = {
        let from = id.clone();
        on_value(&app, move |to| W::RenameAccount { from: from.clone(), to })
    };
    let set_name = {
        let account = id.clone();
        on_value(&app, move |name| W::SetAccountName { account: account.clone(), name })
    };
    let principals: Vec<Who> = account
        .roles
        .keys()
        .map(|n| Who { account: id.clone(), role: true, name: n.clone() })
        .chain(account.users.keys().map(|n| Who { account: id.clone(), role: false, name: n.clone() }))
        .collect();
    let scps = account.scps.keys().map(|name| {
        let pointer = DocLoc::Scp { account: id.clone(), name: name.clone() }.pointer();
        let remove = on_click(&app, W::RemoveScp { account: id.clone(), name: name.clone() });
        html! {
            <li class="world-row">
                {"SCP "}{ open_doc_button(&app, &pointer, name) }
                <button class="world-remove" aria-label={format!("Remove SCP {name}")} onclick={remove}>{"Remove"}</button>
            </li>
        }
    });
    html! {
        <div class="world-card" data-testid="world-account" data-account={id.clone()}>
            <div class="world-row">
                <label class="world-field">{"Account id"}
                    <input data-testid="world-account-id" value={id.clone()} onchange={rename} /></label>
                <label class="world-field">{"Name"}
                    <input data-testid="world-account-name" value={account.name.clone()} onchange={set_name} /></label>
                <button class="world-remove" data-testid="world-delete-account" onclick={on_click(&app, W::DeleteAccount(id.clone()))}>{"Delete account"}</button>
            </div>
            <ul class="world-list">
                { for principals.into_iter().map(|who| html! { <PrincipalForm key={format!("{}/{}", who.role, who.name)} who={who.clone()} /> }) }
            </ul>
            <ul class="world-list">{ for scps }</ul>
            <div class="world-row">
                <button data-testid="world-add-role" onclick={on_click(&app, W::AddPrincipal { account: id.clone(), role: true, name: None })}>{"Add role"}</button>
                <button data-testid="world-add-user" onclick={on_click(&app, W::AddPrincipal { account: id.clone(), role: false, name: None })}>{"Add user"}</button>
                <button data-testid="world-add-scp" onclick={on_click(&app, W::AddScp { account: id.clone(), name: None })}>{"Add SCP"}</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PrincipalProps {
    who: Who,
}

#[component]
fn PrincipalForm(props: &PrincipalProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let who = props.who.clone();
    let Some(spec) = app.base.accounts.get(&who.account).and_then(|a| {
        if who.role {
            a.roles.get(&who.name)
        } else {
            a.users.get(&who.name)
        }
    }) else {
        return html! {};
    };
    let kind = if who.role { "role" } else { "user" };
    let rename = {
        let who = who.clone();
        on_value(&app, move |to| W::RenamePrincipal { who: who.clone(), to })
    };
    let policies = spec.policies.keys().map(|policy| {
        let loc = DocLoc::Identity {
            account: who.account.clone(),
            role: who.role,
            principal: who.name.clone(),
            policy: policy.clone(),
        };
        let rename = {
            let (who, from) = (who.clone(), policy.clone());
            on_value(&app, move |to| W::RenameIdentityPolicy { who: who.clone(), from: from.clone(), to })
        };
        let remove = on_click(&app, W::RemoveIdentityPolicy { who: who.clone(), name: policy.clone() });
        html! {
            <li class="world-row" data-testid="world-policy" data-policy={policy.clone()}>
                { open_doc_button(&app, &loc.pointer(), "Open") }
                <input aria-label="Policy name" data-testid="world-policy-name" value={policy.clone()} onchange={rename} />
                <button class="world-remove" onclick={remove}>{"Remove"}</button>
            </li>
        }
    });
    let boundary = DocLoc::Boundary { account: who.account.clone(), role: who.role, principal: who.name.clone() };
    let boundary = if spec.permissions_boundary.is_some() {
        html! {
            <div class="world-row">
                { open_doc_button(&app, &boundary.pointer(), "Permissions boundary") }
                <button class="world-remove" data-testid="world-remove-boundary" onclick={on_click(&app, W::RemoveBoundary(who.clone()))}>{"Remove boundary"}</button>
            </div>
        }
    } else {
        html! { <button data-testid="world-add-boundary" onclick={on_click(&app, W::AddBoundary(who.clone()))}>{"Add permissions boundary"}</button> }
    };
    let tags = {
        let (set, remove) = (who.clone(), who.clone());
        tag_rows(
            &app,
            &spec.tags,
            move |old, key, value| W::SetPrincipalTag { who: set.clone(), old, key, value },
            move |key| W::RemovePrincipalTag { who: remove.clone(), key },
        )
    };
    html! {
        <li class="world-principal" data-testid="world-principal" data-kind={kind} data-name={who.name.clone()}>
            <div class="world-row">
                <label class="world-field">{if who.role { "Role" } else { "User" }}
                    <input data-testid="world-principal-name" value={who.name.clone()} onchange={rename} /></label>
                <button class="world-remove" data-testid="world-delete-principal" onclick={on_click(&app, W::DeletePrincipal(who.clone()))}>{format!("Delete {kind}")}</button>
            </div>
            { tags }
            <ul class="world-list">{ for policies }</ul>
            <div class="world-row">
                <button data-testid="world-add-policy" onclick={on_click(&app, W::AddIdentityPolicy { who: who.clone(), name: None })}>{"Add identity policy"}</button>
                <button data-testid="world-add-tag" onclick={on_click(&app, W::SetPrincipalTag { who: who.clone(), old: None, key: String::new(), value: String::new() })}>{"Add tag"}</button>
                { boundary }
                if who.role {
                    <button data-testid="world-add-session" onclick={on_click(&app, W::AddSession { role: who.clone(), name: None })}>{"Add session"}</button>
                }
            </div>
            if who.role && !spec.sessions.is_empty() {
                <ul class="world-list" aria-label={format!("Sessions of role {}", who.name)}>
                    { for spec.sessions.keys().map(|name| {
                        let session = SessionRef { account: who.account.clone(), role: who.name.clone(), name: name.clone() };
                        html! { <SessionForm key={name.clone()} {session} /> }
                    }) }
                </ul>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct SessionProps {
    session: SessionRef,
}

/// A named role session: its name, tags, MFA (and its age), source identity and session policy.
#[component]
fn SessionForm(props: &SessionProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let session = props.session.clone();
    let Some(spec) = app
        .base
        .accounts
        .get(&session.account)
        .and_then(|a| a.roles.get(&session.role))
        .and_then(|r| r.sessions.get(&session.name))
    else {
        return html! {};
    };
    let rename = {
        let session = session.clone();
        on_value(&app, move |to| W::RenameSession { session: session.clone(), to })
    };
    let set = |field: SessionField| {
        let session = session.clone();
        on_value(&app, move |value| W::SetSession { session: session.clone(), field, value })
    };
    let mfa = spec.mfa == Some(true);
    let toggle_mfa = {
        let (app, session) = (app.clone(), session.clone());
        Callback::from(move |_: MouseEvent| {
            let value = if mfa { "false" } else { "true" }.to_string();
            app.dispatch(Action::World(W::SetSession { session: session.clone(), field: SessionField::Mfa, value }));
        })
    };
    let tags = {
        let (set, remove) = (session.clone(), session.clone());
        tag_rows(
            &app,
            &spec.tags,
            move |old, key, value| W::SetSessionTag { session: set.clone(), old, key, value },
            move |key| W::RemoveSessionTag { session: remove.clone(), key },
        )
    };
    let pointer = DocLoc::SessionPolicy {
        account: session.account.clone(),
        role: session.role.clone(),
        session: session.name.clone(),
    }
    .pointer();
    let policy = if spec.policy.is_some() {
        html! {
            <div class="world-row">
                { open_doc_button(&app, &pointer, "Session policy") }
                <button class="world-remove" data-testid="world-remove-session-policy" onclick={on_click(&app, W::RemoveSessionPolicy(session.clone()))}>{"Remove session policy"}</button>
            </div>
        }
    } else {
        html! { <button data-testid="world-add-session-policy" onclick={on_click(&app, W::AddSessionPolicy(session.clone()))}>{"Add session policy"}</button> }
    };
    html! {
        <li class="world-session" data-testid="world-session" data-name={session.name.clone()}>
            <div class="world-row">
                <label class="world-field">{"Session"}
                    <input data-testid="world-session-name" spellcheck="false" value={session.name.clone()} onchange={rename} /></label>
                <label class="world-field world-check">
                    <input type="checkbox" data-testid="world-session-mfa" checked={mfa} onclick={toggle_mfa} />{"MFA"}</label>
                if mfa {
                    <label class="world-field">{"MFA age (s)"}
                        <input data-testid="world-session-mfa-age" inputmode="numeric"
                            value={spec.mfa_age_seconds.map(|s| s.to_string()).unwrap_or_default()} onchange={set(SessionField::MfaAge)} /></label>
                }
                <label class="world-field">{"Source identity"}
                    <input data-testid="world-session-source-identity" spellcheck="false"
                        value={spec.source_identity.clone().unwrap_or_default()} onchange={set(SessionField::SourceIdentity)} /></label>
                <button class="world-remove" data-testid="world-delete-session" onclick={on_click(&app, W::DeleteSession(session.clone()))}>{"Delete session"}</button>
            </div>
            { tags }
            <div class="world-row">
                <button data-testid="world-add-session-tag" onclick={on_click(&app, W::SetSessionTag { session: session.clone(), old: None, key: String::new(), value: String::new() })}>{"Add session tag"}</button>
                { policy }
            </div>
        </li>
    }
}
