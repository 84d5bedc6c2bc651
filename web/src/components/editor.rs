//! The documents sidebar, the editor (a textarea beside a line-number gutter that scrolls with it) and the diagnostics.

use std::collections::BTreeSet;

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::{value_of, AppContext};
use crate::model::Doc;
use crate::state::Action;
use crate::text;

/// Must match `--line-height` in style.css.
const LINE_HEIGHT_PX: i32 = 20;

/// The documents sidebar (grouped by key and account) and the editor of the selected document.
#[component]
pub fn DocumentsPane() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, d) in app.docs.iter().enumerate() {
        let g = d.loc.group();
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, items)) => items.push(i),
            None => groups.push((g, vec![i])),
        }
    }
    let sidebar = groups.into_iter().map(|(group, items)| {
        html! {
            <li class="doc-group">
                <span class="group-name">{group}</span>
                <ul>
                    { for items.into_iter().map(|i| {
                        let Some(d) = app.docs.get(i) else { return html! {} };
                        let onclick = {
                            let app = app.clone();
                            Callback::from(move |_| app.dispatch(Action::SelectDoc(i)))
                        };
                        let errors = (!d.errors.is_empty()).then(|| html! { <span class="count">{d.errors.len()}</span> });
                        html! {
                            <li>
                                <button class="doc-link" data-testid="doc-tab" data-path={d.loc.pointer()}
                                    aria-current={(i == app.selected).then_some("true")} {onclick}>
                                    {d.loc.label()} {for errors}
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </li>
        }
    });
    let body = match app.current() {
        Some(doc) => html! { <DocEditor index={app.selected} doc={doc.clone()} /> },
        None => html! { <p class="empty">{"This scenario has no policies."}</p> },
    };
    html! {
        <>
            <nav class="pane doc-sidebar" aria-label="Policy documents">
                <h2>{"Documents"}</h2>
                <ul class="doc-groups">{ for sidebar }</ul>
            </nav>
            <section class="pane editor-pane">{ body }</section>
        </>
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
    let error_lines: BTreeSet<u32> = doc.errors.iter().map(|e| e.span.line.max(1)).collect();
    let highlighted: BTreeSet<u32> =
        app.highlight.filter(|h| h.doc == index).map(|h| (h.line..=h.end_line).collect()).unwrap_or_default();
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
        let path = (!e.span.path.is_empty()).then(|| html! { <code class="path">{e.span.path.to_string()}</code> });
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
    // Accepted by AWS but without effect (a key policy statement without `Resource`): shown as warnings.
    let warnings = doc.warnings.iter().map(|w| {
        let (line, column) = (w.span.line.max(1), w.span.column.max(1));
        let onclick = {
            let app = app.clone();
            Callback::from(move |_| app.dispatch(Action::Goto { doc: index, line, column }))
        };
        let help = w.help.clone().map(|h| html! { <div class="help">{h}</div> });
        html! {
            <li>
                <button class="diagnostic warning" data-testid="warning" data-line={line.to_string()} {onclick}>
                    <span class="loc">{format!("{line}:{column}")}</span>
                    <span class="msg">{w.message.clone()}</span>
                    <code class="path">{w.span.path.to_string()}</code>
                </button>
                { for help }
            </li>
        }
    });
    let status = if !doc.errors.is_empty() {
        html! { <ul class="diagnostics" data-testid="diagnostics">{ for diagnostics }</ul> }
    } else if !doc.warnings.is_empty() {
        html! { <ul class="diagnostics" data-testid="warnings">{ for warnings }</ul> }
    } else {
        html! { <p class="ok" data-testid="doc-ok">{"No problems"}</p> }
    };
    html! {
        <div class="doc">
            <div class="doc-head">
                <span class="doc-title" data-testid="doc-title">{format!("{} · {}", doc.loc.group(), doc.loc.label())}</span>
                <code class="doc-path">{doc.loc.pointer()}</code>
            </div>
            <div class="editor">
                <div class="gutter" ref={gutter} aria-hidden="true" data-testid="gutter">{ for gutter_lines }</div>
                <textarea
                    ref={textarea}
                    data-testid="editor"
                    spellcheck="false"
                    wrap="off"
                    autocomplete="off"
                    aria-label={format!("{} source", doc.loc.label())}
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
