//! The document tabs, the editor (a textarea beside a line-number gutter that scrolls with it) and the diagnostics.

use std::collections::BTreeSet;

use kmsim_policy::PolicyType;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::{value_of, AppContext};
use crate::model::{type_label, Doc, POLICY_TYPES};
use crate::state::Action;
use crate::text;

/// Must match `--line-height` in style.css.
const LINE_HEIGHT_PX: i32 = 20;

fn type_value(ty: PolicyType) -> &'static str {
    match ty {
        PolicyType::Resource => "resource",
        PolicyType::Identity => "identity",
        PolicyType::Scp => "scp",
        PolicyType::PermissionsBoundary => "permissions-boundary",
        PolicyType::Session => "session",
    }
}

fn type_of_value(v: &str) -> Option<PolicyType> {
    POLICY_TYPES.into_iter().find(|t| type_value(*t) == v)
}

#[component]
pub fn EditorPane() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let on_add = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Some(ty) = type_of_value(&value_of(&e)) {
                app.dispatch(Action::AddDoc(ty));
            }
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                s.set_value("");
            }
        })
    };
    let tabs = app.docs.iter().enumerate().map(|(i, d)| {
        let onclick = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::SelectDoc(i)))
        };
        let errors = (!d.errors.is_empty()).then(|| html! { <span class="count">{d.errors.len()}</span> });
        html! {
            <button class="tab" role="tab" data-testid="doc-tab" aria-selected={(i == app.selected).to_string()} {onclick}>
                {d.name.clone()} <span class="kind">{type_label(d.ty)}</span> {for errors}
            </button>
        }
    });
    let body = match app.current() {
        Some(doc) => html! { <DocEditor index={app.selected} doc={doc.clone()} /> },
        None => html! { <p class="empty">{"No documents. Add one with the menu above, or load a sample."}</p> },
    };
    html! {
        <section class="pane editor-pane">
            <div class="tabs" role="tablist">
                { for tabs }
                <select class="add-doc" data-testid="add-doc" onchange={on_add} aria-label="Add a document">
                    <option value="" selected=true>{"+ Add…"}</option>
                    { for POLICY_TYPES.iter().map(|t| html! {
                        <option value={type_value(*t)} selected=false>{type_label(*t)}</option>
                    }) }
                </select>
            </div>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DocEditorProps {
    index: usize,
    doc: Doc,
}

#[component]
fn DocEditor(props: &DocEditorProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let index = props.index;
    let doc = &props.doc;
    let textarea = use_node_ref();
    let gutter = use_node_ref();

    // Keep the gutter aligned with the text after every render (a new document may keep an old scroll position).
    {
        let (textarea, gutter) = (textarea.clone(), gutter.clone());
        use_effect(move || sync_scroll(&textarea, &gutter));
    }
    // Move the caret when asked (a click on a diagnostic or on a trace item).
    {
        let (textarea, source) = (textarea.clone(), doc.source.clone());
        let caret = app.caret.filter(|c| c.doc == index);
        use_effect_with(caret, move |caret| {
            if let (Some(c), Some(el)) = (caret, textarea.cast::<HtmlTextAreaElement>()) {
                let offset = text::utf16_offset(&source, c.line, c.column);
                let _ = el.focus();
                let _ = el.set_selection_range(offset, offset);
                let line_top = (i32::try_from(c.line).unwrap_or(1) - 1) * LINE_HEIGHT_PX;
                el.set_scroll_top((line_top - el.client_height() / 3).max(0));
            }
        });
    }

    let on_input = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| {
            app.dispatch(Action::Edit { doc: index, source: value_of(&e) });
        })
    };
    let on_scroll = {
        let (textarea, gutter) = (textarea.clone(), gutter.clone());
        Callback::from(move |_: Event| sync_scroll(&textarea, &gutter))
    };
    let on_rename = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| app.dispatch(Action::Rename { doc: index, name: value_of(&e) }))
    };
    let on_type = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Some(ty) = type_of_value(&value_of(&e)) {
                app.dispatch(Action::SetType { doc: index, ty });
            }
        })
    };
    let on_remove = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::RemoveDoc(index)))
    };

    let error_lines: BTreeSet<u32> = doc.errors.iter().map(|e| e.span.line.max(1)).collect();
    let highlighted: BTreeSet<u32> = app
        .outcome()
        .filter(|_| app.evaluation.as_ref().is_some_and(|e| !e.stale))
        .map(|o| o.deciding.iter().filter(|d| d.doc == index).flat_map(|d| d.line..=d.end_line).collect())
        .unwrap_or_default();
    let gutter_lines = (1..=text::line_count(&doc.source)).map(|n| {
        let err = error_lines.contains(&n);
        let hl = highlighted.contains(&n);
        let title = doc.errors.iter().find(|e| e.span.line.max(1) == n).map(|e| e.message.clone());
        html! { <div class={classes!("ln", err.then_some("err"), hl.then_some("hl"))} {title}>{n}</div> }
    });
    let diagnostics = doc.errors.iter().map(|e| {
        let (line, column) = (e.span.line.max(1), e.span.column.max(1));
        let onclick = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::Goto { doc: index, line, column }))
        };
        let path = (!e.span.path.is_empty()).then(|| html! { <code class="path">{e.span.path.clone()}</code> });
        let help = e.help.clone().map(|h| html! { <div class="help">{h}</div> });
        html! {
            <li>
                <button class="diagnostic" data-testid="diagnostic" data-line={line.to_string()} {onclick}>
                    <span class="loc">{format!("{line}:{column}")}</span>
                    <span class="msg">{e.message.clone()}</span>
                    { for path }
                </button>
                { for help }
            </li>
        }
    });
    let status = if doc.errors.is_empty() {
        html! { <p class="ok" data-testid="doc-ok">{"No problems"}</p> }
    } else {
        html! { <ul class="diagnostics" data-testid="diagnostics">{ for diagnostics }</ul> }
    };
    html! {
        <div class="doc">
            <div class="doc-head">
                <input class="doc-name" aria-label="Document name" value={doc.name.clone()} oninput={on_rename} />
                <select aria-label="Policy type" onchange={on_type}>
                    { for POLICY_TYPES.iter().map(|t| html! {
                        <option value={type_value(*t)} selected={*t == doc.ty}>{type_label(*t)}</option>
                    }) }
                </select>
                <button class="remove" onclick={on_remove} title="Remove this document">{"Remove"}</button>
            </div>
            <div class="editor">
                <div class="gutter" ref={gutter} aria-hidden="true" data-testid="gutter">{ for gutter_lines }</div>
                <textarea
                    ref={textarea}
                    data-testid="editor"
                    spellcheck="false"
                    wrap="off"
                    autocomplete="off"
                    aria-label={format!("{} source", doc.name)}
                    value={doc.source.clone()}
                    oninput={on_input}
                    onscroll={on_scroll}
                />
            </div>
            { status }
        </div>
    }
}

fn sync_scroll(textarea: &NodeRef, gutter: &NodeRef) {
    if let (Some(t), Some(g)) = (textarea.cast::<HtmlTextAreaElement>(), gutter.cast::<web_sys::Element>()) {
        g.set_scroll_top(t.scroll_top());
    }
}
