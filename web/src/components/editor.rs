//! The documents sidebar, the editor (CodeMirror 6, web/editor/editor.js, with the KMS lint, completion and hover
//! of `kmsim_kms::lint`) and the diagnostics.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use kmsim_kms::lint::complete::Names;
use kmsim_kms::lint::{self, complete, Finding, Severity};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::scenario_json::{ScenarioJsonEditor, ScenarioJsonTab};
use super::AppContext;
use crate::model::Doc;
use crate::run;
use crate::state::Action;
use crate::text;

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
                                    aria-current={(i == app.selected && !app.world.json_open).then_some("true")} {onclick}>
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
        _ if app.world.json_open => html! { <ScenarioJsonEditor /> },
        Some(doc) => html! { <DocEditor index={app.selected} doc={doc.clone()} /> },
        None => html! { <p class="empty">{"This scenario has no policies."}</p> },
    };
    html! {
        <>
            <nav class="pane doc-sidebar" aria-label="Policy documents">
                <h2>{"Documents"}</h2>
                <ul class="doc-groups">{ for sidebar }<ScenarioJsonTab /></ul>
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

/// The CodeMirror editor of web/editor/editor.js (bundled into dist/editor.js by scripts/build-web.sh), reached
/// through its loader (web/editor/loader.js, dist/editor-loader.js), which imports it after the first render: the
/// editor's functions may be called once `loaded()` (or `load`'s callback) says so. Offsets are UTF-16 units on that
/// side; converted here with `crate::text`.
mod cm {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(raw_module = "./editor-loader.js")]
    extern "C" {
        #[wasm_bindgen(js_name = editorLoaded)]
        pub fn loaded() -> bool;
        /// Calls `done(true)` once editor.js is loaded, `done(false)` if it could not be.
        #[wasm_bindgen(js_name = editorLoad)]
        pub fn load(done: JsValue);
        #[wasm_bindgen(js_name = createEditor)]
        pub fn create(parent: &web_sys::Element, text: &str, label: &str, callbacks: &JsValue) -> JsValue;
        #[wasm_bindgen(js_name = editorSetDoc)]
        pub fn set_doc(handle: &JsValue, key: &str, text: &str);
        #[wasm_bindgen(js_name = editorSetDiagnostics)]
        pub fn set_diagnostics(handle: &JsValue, text: &str, findings: &str);
        #[wasm_bindgen(js_name = editorSetLines)]
        pub fn set_lines(handle: &JsValue, from: u32, to: u32, errors: Vec<u32>);
        #[wasm_bindgen(js_name = editorGoto)]
        pub fn goto(handle: &JsValue, offset: u32);
        #[wasm_bindgen(js_name = editorDestroy)]
        pub fn destroy(handle: &JsValue);
    }
}

/// A lint finding as the editor shows it: UTF-16 offsets, the fix as a replacement of `from..to`.
#[derive(Serialize)]
struct EditorFinding<'a> {
    from: u32,
    to: u32,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    doc_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<EditorFix<'a>>,
}

#[derive(Serialize)]
struct EditorFix<'a> {
    from: u32,
    to: u32,
    insert: &'a str,
    title: &'a str,
}

/// The UTF-16 range of a byte span of `source`.
fn range(source: &str, span: &kmsim_policy::Span) -> (u32, u32) {
    let from = span.offset as usize;
    (text::utf16_of_byte(source, from), text::utf16_of_byte(source, from + span.len as usize))
}

/// The findings of `source` as JSON for `editorSetDiagnostics`.
fn findings_json(source: &str, findings: &[Finding]) -> String {
    let shown: Vec<EditorFinding<'_>> = findings
        .iter()
        .map(|f| {
            let (from, to) = range(source, &f.location);
            let fix = f.fix.as_ref().map(|x| {
                let (from, to) = range(source, &x.span);
                EditorFix { from, to, insert: &x.replacement, title: &x.title }
            });
            EditorFinding {
                from,
                to,
                severity: f.severity,
                code: &f.code,
                message: &f.message,
                help: f.help.as_deref(),
                doc_url: &f.doc_url,
                fix,
            }
        })
        .collect();
    serde_json::to_string(&shown).unwrap_or_else(|_| "[]".to_string())
}

/// A completion or hover answer with its byte range `from..to` converted to UTF-16, as JSON.
fn with_utf16_range<T: Serialize>(source: &str, answer: Option<T>) -> Option<String> {
    let mut v = serde_json::to_value(answer?).ok()?;
    for k in ["from", "to"] {
        let byte = v.get(k)?.as_u64()?;
        *v.get_mut(k)? = text::utf16_of_byte(source, usize::try_from(byte).ok()?).into();
    }
    Some(v.to_string())
}

/// A completion or hover callback: (text, UTF-16 offset) -> JSON.
type Lookup = Closure<dyn FnMut(String, u32) -> Option<String>>;

/// The closures the editor calls, kept alive as long as it lives.
struct Live {
    handle: JsValue,
    _closures: (Closure<dyn FnMut(String)>, Lookup, Lookup),
}

fn mount(
    parent: &web_sys::Element,
    source: &str,
    label: &str,
    on_change: Rc<dyn Fn(String)>,
    names: Rc<RefCell<Names>>,
) -> Option<Live> {
    let change = Closure::<dyn FnMut(String)>::new(move |t: String| on_change(t));
    let complete = Lookup::new(move |t: String, at: u32| {
        with_utf16_range(&t, complete::complete_with(&t, text::byte_of_utf16(&t, at), &names.borrow()))
    });
    let hover =
        Lookup::new(|t: String, at: u32| with_utf16_range(&t, complete::hover(&t, text::byte_of_utf16(&t, at))));
    let callbacks = js_sys::Object::new();
    for (name, f) in [("onChange", change.as_ref()), ("complete", complete.as_ref()), ("hover", hover.as_ref())] {
        js_sys::Reflect::set(&callbacks, &JsValue::from_str(name), f).ok()?;
    }
    let handle = cm::create(parent, source, label, &callbacks);
    Some(Live { handle, _closures: (change, complete, hover) })
}

#[component]
fn DocEditor(props: &DocEditorProps) -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let index = props.index;
    let doc = &props.doc;
    let parent = use_node_ref();
    let live = use_mut_ref(|| None::<Live>);
    // Until editor.js has arrived (web/editor/loader.js) the document is edited in a plain text area; `caret`: where
    // its caret was when the editor came, if it had the focus (the editor takes the focus there).
    let ready = use_state(cm::loaded);
    let plain = use_node_ref();
    let caret = use_mut_ref(|| None::<u32>);
    {
        let (ready, plain, caret) = (ready.clone(), plain.clone(), caret.clone());
        use_effect_with((), move |()| {
            if !*ready {
                let done = Closure::once_into_js(move |ok: bool| {
                    if let Some(t) = plain.cast::<web_sys::HtmlTextAreaElement>() {
                        let focused = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.active_element())
                            .is_some_and(|a| a == **t);
                        *caret.borrow_mut() = focused.then(|| t.selection_start().ok().flatten()).flatten();
                    }
                    if ok {
                        ready.set(true);
                    }
                });
                cm::load(done);
            }
        });
    }
    // The world's principals and keys completion offers, as of this render (the editor's closure reads them).
    let names = use_mut_ref(Names::default);
    {
        // Keys are known from a run; while a document is being typed the run may fail: keep the last ones known.
        let key_arns = app.run.as_ref().and_then(|r| r.result.as_ref().ok()).map(|v| &v.key_arns);
        let fresh = run::completion_names(&app.base, key_arns);
        let mut names = names.borrow_mut();
        let keys = if key_arns.is_some() { fresh.keys } else { std::mem::take(&mut names.keys) };
        *names = Names { keys, ..fresh };
    }
    // The document the editor's edits go to (the component stays when another document is selected).
    let target = use_mut_ref(|| index);
    *target.borrow_mut() = index;
    let findings = {
        let (source, ty, rule) = (doc.source.clone(), doc.loc.policy_type(), doc.loc.is_rule());
        // A rule document is not a policy: its diagnostics are the core's checks of the rule (`model::rules`).
        let lint =
            use_memo((source, ty, rule), |(source, ty, rule)| if *rule { Vec::new() } else { lint::lint(source, *ty) });
        if rule {
            Rc::new(crate::model::rules::findings(doc))
        } else {
            lint
        }
    };

    // An edit (in the editor or the plain text area) becomes `Action::Edit` of the selected document.
    let on_change: Rc<dyn Fn(String)> = {
        let (target, app) = (target.clone(), app.clone());
        Rc::new(move |source: String| {
            let doc = *target.borrow();
            app.dispatch(Action::Edit { doc, source });
            // Run again in the same render (Yew renders once for both): state/live.rs.
            app.dispatch(Action::RunEdited);
        })
    };
    // Create the editor once, when editor.js is there, with the text as it is then (what was typed in the text area
    // meanwhile included).
    {
        let (parent, live, names, on_change) = (parent.clone(), live.clone(), names.clone(), on_change.clone());
        let (source, label) = (doc.source.clone(), format!("{} source", doc.loc.label()));
        use_effect_with(*ready, move |ready| {
            if let (true, Some(el)) = (*ready, parent.cast::<web_sys::Element>()) {
                *live.borrow_mut() = mount(&el, &source, &label, on_change, names);
            }
            move || {
                if let Some(l) = live.borrow_mut().take() {
                    cm::destroy(&l.handle);
                }
            }
        });
    }
    // Show the document (its own undo history) and its findings; once, when the editor has just come, the caret
    // where it was in the text area.
    {
        let (live, caret) = (live.clone(), caret.clone());
        let key = format!("{index}:{}", doc.loc.pointer());
        let json = findings_json(&doc.source, &findings);
        use_effect_with((key, doc.source.clone(), json, *ready), move |(key, source, json, _)| {
            if let Some(l) = live.borrow().as_ref() {
                cm::set_doc(&l.handle, key, source);
                cm::set_diagnostics(&l.handle, source, json);
                if let Some(at) = caret.borrow_mut().take() {
                    cm::goto(&l.handle, at);
                }
            }
        });
    }
    // The trace's highlighted lines and the lines with syntax errors.
    let error_lines: BTreeSet<u32> = doc.errors.iter().map(|e| e.span.line.max(1)).collect();
    {
        let live = live.clone();
        let (from, to) = app.highlight.filter(|h| h.doc == index).map_or((1, 0), |h| (h.line, h.end_line));
        let errors: Vec<u32> = error_lines.iter().copied().collect();
        use_effect(move || {
            if let Some(l) = live.borrow().as_ref() {
                cm::set_lines(&l.handle, from, to, errors);
            }
        });
    }
    // Move the caret when asked (a click on a diagnostic or on a trace item).
    {
        let (live, source) = (live.clone(), doc.source.clone());
        let caret = app.caret.filter(|c| c.doc == index);
        use_effect_with((caret, *ready), move |(caret, _)| {
            if let (Some(c), Some(l)) = (caret, live.borrow().as_ref()) {
                cm::goto(&l.handle, text::utf16_offset(&source, c.line, c.column));
            }
        });
    }

    let goto = |line: u32, column: u32| {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Goto { doc: index, line, column }))
    };
    let diagnostics = doc.errors.iter().map(|e| {
        let (line, column) = (e.span.line.max(1), e.span.column.max(1));
        let path = (!e.span.path.is_empty()).then(|| html! { <code class="path">{e.span.path.to_string()}</code> });
        let help = e.help.clone().map(|h| html! { <div class="help">{h}</div> });
        html! {
            <li>
                <button class="diagnostic" data-testid="diagnostic" data-line={line.to_string()} onclick={goto(line, column)}>
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
        let help = w.help.clone().map(|h| html! { <div class="help">{h}</div> });
        html! {
            <li>
                <button class="diagnostic warning" data-testid="warning" data-line={line.to_string()} onclick={goto(line, column)}>
                    <span class="loc">{format!("{line}:{column}")}</span>
                    <span class="msg">{w.message.clone()}</span>
                    <code class="path">{w.span.path.to_string()}</code>
                </button>
                { for help }
            </li>
        }
    });
    // The KMS lint's findings (the policy parses): also shown inline, with their quick fixes.
    let lint_items = findings.iter().map(|f| {
        let (line, column) = (f.location.line.max(1), f.location.column.max(1));
        let help = f.help.clone().map(|h| html! { <div class="help">{h}</div> });
        html! {
            <li>
                <button class={classes!("diagnostic", "finding-item", f.severity.as_str())} data-testid="lint-finding"
                    data-code={f.code.clone()} data-line={line.to_string()} onclick={goto(line, column)}>
                    <span class="loc">{format!("{line}:{column}")}</span>
                    <span class="msg">{f.message.clone()}</span>
                    <code class="path">{f.code.clone()}</code>
                </button>
                { for help }
                <a class="doc-link-out" href={f.doc_url.clone()} target="_blank" rel="noopener">{"AWS documentation"}</a>
            </li>
        }
    });
    let status = if !doc.errors.is_empty() {
        html! { <ul class="diagnostics" data-testid="diagnostics">{ for diagnostics }</ul> }
    } else if !doc.warnings.is_empty() {
        html! { <ul class="diagnostics" data-testid="warnings">{ for warnings }</ul> }
    } else if !findings.is_empty() {
        html! { <ul class="diagnostics" data-testid="lint-findings">{ for lint_items }</ul> }
    } else {
        html! { <p class="ok" data-testid="doc-ok">{"No problems"}</p> }
    };
    html! {
        <div class="doc">
            <div class="doc-head">
                <span class="doc-title" data-testid="doc-title">{format!("{} · {}", doc.loc.group(), doc.loc.label())}</span>
                <code class="doc-path">{doc.loc.pointer()}</code>
            </div>
            <div class={classes!("editor", (!*ready).then_some("waiting"))} ref={parent} data-testid="editor-box"></div>
            if !*ready {
                <textarea class="editor-plain" ref={plain} data-testid="editor-plain" spellcheck="false" rows="16"
                    aria-label={format!("{} source", doc.loc.label())} value={doc.source.clone()}
                    oninput={Callback::from(move |e: InputEvent| on_change(super::value_of(&e)))} />
            }
            <p class="editor-hint" data-testid="editor-hint">
                {"Tab indents; press Esc then Tab to leave the editor. Ctrl-Space completes, Ctrl-F searches, Ctrl-Shift-M lists the findings (with their fixes)."}
            </p>
            { status }
        </div>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

    use super::*;
    use kmsim_policy::PolicyType;

    /// Two two-byte letters before the misspelt action: the editor's offsets are UTF-16 units, not bytes.
    const TEXT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Condition": {"StringEquals": {"aws:PrincipalTag/team": "éÿ"}}, "Effect": "Allow", "Action": "kms:Encrpyt", "Resource": "*"}]}"#;

    fn utf16(s: &str) -> u32 {
        u32::try_from(s.encode_utf16().count()).unwrap()
    }

    #[test]
    fn findings_and_their_fixes_cross_in_utf16_offsets() {
        let findings = lint::lint(TEXT, PolicyType::Identity);
        let v: serde_json::Value = serde_json::from_str(&findings_json(TEXT, &findings)).unwrap();
        let f = &v[0];
        assert_eq!(f["code"], "KMS101-unknown-action", "{v}");
        assert_eq!(f["severity"], "error");
        let at = TEXT.find("\"kms:Encrpyt\"").unwrap();
        let from = utf16(&TEXT[..at]);
        assert_eq!(f["from"], from, "é and ÿ count one unit each (not two bytes)");
        assert_eq!(f["to"], from + utf16("\"kms:Encrpyt\""));
        assert_eq!(f["fix"]["from"], from);
        assert_eq!(f["fix"]["insert"], "\"kms:Encrypt\"");
        assert!(f["doc_url"].as_str().unwrap().starts_with("https://docs.aws.amazon.com/"));

        // A character policies do not allow, outside the Basic Multilingual Plane: two units wide.
        let emoji = TEXT.replace("éÿ", "é😀");
        let v: serde_json::Value =
            serde_json::from_str(&findings_json(&emoji, &lint::lint(&emoji, PolicyType::Identity))).unwrap();
        assert_eq!(v[0]["code"], "KMS001-invalid-policy");
        let from = utf16(&emoji[..emoji.find('😀').unwrap()]);
        assert_eq!((v[0]["from"].clone(), v[0]["to"].clone()), (from.into(), (from + 2).into()));
    }

    #[test]
    fn completion_and_hover_ranges_are_utf16() {
        let text = r#"{"Sid": "😀", "Action": "kms:Enc"#;
        let at = text::byte_of_utf16(text, utf16(text));
        assert_eq!(at, text.len());
        let v: serde_json::Value =
            serde_json::from_str(&with_utf16_range(text, complete::complete(text, at)).unwrap()).unwrap();
        assert_eq!(v["items"][0]["label"], "kms:Encrypt");
        assert_eq!(v["from"], utf16(text) - utf16("kms:Enc"));
        assert_eq!(v["to"], utf16(text));
        assert_eq!(with_utf16_range(text, complete::hover(text, 1)), None);
    }
}
