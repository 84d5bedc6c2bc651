// The playground's policy editor: CodeMirror 6 with JSON highlighting, bracket matching, folding, search, undo
// history per document, and the KMS lint, completion and hover of the Rust core (kmsim_kms::lint), which the Yew
// component (web/src/components/editor.rs) passes in as callbacks. Bundled by scripts/build-web.sh (esbuild) into
// web/dist/editor.js, which the wasm glue imports.
//
// Every offset crossing this module's API is a UTF-16 offset (CodeMirror's); the Rust side converts to and from the
// core's byte offsets (web/src/text.rs), so nothing here knows about bytes.

import { Annotation, EditorState, RangeSet, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration, EditorView, GutterMarker, ViewPlugin, drawSelection, gutterLineClass, highlightActiveLine,
  highlightActiveLineGutter, highlightSpecialChars, hoverTooltip, keymap, lineNumbers,
} from "@codemirror/view";
import {
  HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting,
} from "@codemirror/language";
import { json } from "@codemirror/lang-json";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import {
  defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode,
} from "@codemirror/commands";
import { tags as t } from "@lezer/highlight";

// Colours from style.css's variables (light and dark themes alike).
const highlight = HighlightStyle.define([
  { tag: t.propertyName, color: "var(--syn-key)" },
  { tag: t.string, color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null], color: "var(--syn-literal)" },
  { tag: t.invalid, color: "var(--err)" },
]);

// Marks a change that came from the app (a reset, a workspace switch), not to be sent back as an edit.
const external = Annotation.define();

// The trace's highlighted lines (1-based, inclusive) and the lines with a syntax error, set by `editorSetLines`.
const setLines = StateEffect.define();
const linesField = StateField.define({
  create: () => ({ from: 0, to: -1, errors: [] }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setLines)) value = e.value;
    return value;
  },
});

class LineClass extends GutterMarker {
  constructor(cls) {
    super();
    this.elementClass = cls;
  }
}
const hlMarker = new LineClass("hl");
const errMarker = new LineClass("err");

function lineRanges(state, mark) {
  const { from, to, errors } = state.field(linesField);
  const lines = state.doc.lines;
  const marks = [];
  for (let n = Math.max(from, 1); n <= Math.min(to, lines); n++) marks.push({ n, v: mark.hl });
  for (const n of errors) if (n >= 1 && n <= lines) marks.push({ n, v: mark.err });
  marks.sort((a, b) => a.n - b.n);
  return marks.map(({ n, v }) => v.range(state.doc.line(n).from));
}

// Gutter elements of highlighted and erroneous lines get `hl` / `err` (as the textarea's gutter did).
const gutterClasses = gutterLineClass.compute([linesField, "doc"], (state) =>
  RangeSet.of(lineRanges(state, { hl: hlMarker, err: errMarker }), true));

// Every visible line carries `data-line` (its 1-based number) so tests and styles can find it.
const lineDecorations = ViewPlugin.fromClass(class {
  constructor(view) {
    this.decorations = this.build(view);
  }
  update(u) {
    if (u.docChanged || u.viewportChanged || u.startState.field(linesField) !== u.state.field(linesField)) {
      this.decorations = this.build(u.view);
    }
  }
  build(view) {
    const { from, to, errors } = view.state.field(linesField);
    const ranges = [];
    for (const { from: a, to: b } of view.visibleRanges) {
      for (let pos = a; pos <= b;) {
        const line = view.state.doc.lineAt(pos);
        const cls = [line.number >= from && line.number <= to ? "hl" : "", errors.includes(line.number) ? "err" : ""]
          .filter(Boolean).join(" ");
        ranges.push(Decoration.line({ attributes: { "data-line": String(line.number) }, class: cls }).range(line.from));
        pos = line.to + 1;
      }
    }
    return Decoration.set(ranges, true);
  }
}, { decorations: (p) => p.decorations });

const SEVERITY = { error: "error", "security-warning": "warning", warning: "warning", suggestion: "info" };
const SEVERITY_LABEL = { error: "Error", "security-warning": "Security warning", warning: "Warning", suggestion: "Suggestion" };
const KIND = { action: "function", operator: "keyword", "condition-key": "property", value: "constant" };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function docLink(url) {
  return el("a", { href: url, target: "_blank", rel: "noopener", class: "doc-link-out" }, "AWS documentation");
}

/** A finding (from `editorSetDiagnostics`' JSON) as a CodeMirror diagnostic, with its fix as an action. */
function diagnostic(f) {
  const d = {
    from: f.from,
    to: f.to,
    severity: SEVERITY[f.severity] ?? "info",
    source: f.code,
    message: f.message,
    renderMessage: () => el("div", { class: "finding", "data-testid": "finding", "data-code": f.code },
      el("div", { class: "finding-head" }, el("span", { class: "sev" }, SEVERITY_LABEL[f.severity] ?? f.severity),
        " ", el("code", {}, f.code)),
      el("div", { class: "msg" }, f.message),
      f.help ? el("div", { class: "help" }, f.help) : null,
      f.doc_url ? docLink(f.doc_url) : null),
  };
  if (f.fix) {
    d.actions = [{
      name: f.fix.title,
      apply: (view) => view.dispatch({ changes: { from: f.fix.from, to: f.fix.to, insert: f.fix.insert }, userEvent: "input.fix" }),
    }];
  }
  return d;
}

/** Inserts a completion and the string's closing quote when it has none yet (`"kms:Enc` -> `"kms:Encrypt"`). */
function closeString(view, completion, from, to) {
  const quote = view.state.sliceDoc(to, to + 1) === '"' ? "" : '"';
  const insert = completion.label + quote;
  view.dispatch({
    changes: { from, to, insert },
    selection: { anchor: from + insert.length + (quote ? 0 : 1) },
    userEvent: "input.complete",
  });
}

/**
 * Creates an editor in `parent` showing `text`. `callbacks`: `onChange(text)` after every edit; `complete(text,
 * offset)` and `hover(text, offset)` return JSON (the core's `Completions` / `Hover` with UTF-16 offsets) or
 * undefined. `label` names the editor for screen readers.
 */
export function createEditor(parent, text, label, callbacks) {
  // `emitted`: the texts sent to onChange that no editorSetDoc has echoed yet.
  const handle = { callbacks, states: new Map(), key: null, view: null, emitted: [] };
  handle.extensions = [
    lineNumbers(),
    foldGutter(),
    lintGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    syntaxHighlighting(highlight),
    bracketMatching(),
    highlightActiveLine(),
    highlightActiveLineGutter(),
    highlightSelectionMatches(),
    search({ top: true }),
    json(),
    EditorState.tabSize.of(2),
    EditorView.lineWrapping,
    linesField,
    gutterClasses,
    lineDecorations,
    autocompletion({
      override: [(ctx) => {
        const answer = handle.callbacks.complete(ctx.state.doc.toString(), ctx.pos);
        if (!answer) return null;
        const c = JSON.parse(answer);
        if (!c || !c.items.length) return null;
        return {
          from: c.from,
          to: c.to,
          options: c.items.map((i) => ({ label: i.label, detail: i.detail, type: KIND[i.kind], apply: closeString })),
        };
      }],
    }),
    hoverTooltip((view, pos) => {
      const answer = handle.callbacks.hover(view.state.doc.toString(), pos);
      if (!answer) return null;
      const h = JSON.parse(answer);
      if (!h) return null;
      return {
        pos: h.from,
        end: h.to,
        above: true,
        create: () => ({
          dom: el("div", { class: "hover-doc", "data-testid": "hover" },
            el("code", { class: "title" }, h.title), el("div", { class: "text" }, h.text), docLink(h.doc_url)),
        }),
      };
    }),
    keymap.of([
      { key: "Escape", run: temporarilySetTabFocusMode },
      ...completionKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...lintKeymap,
      indentWithTab,
      ...defaultKeymap,
    ]),
    // tabindex: axe's scrollable-region-focusable rule counts no contenteditable as focusable content.
    EditorView.contentAttributes.of({ "data-testid": "editor", "aria-label": label, spellcheck: "false", tabindex: "0" }),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged || u.transactions.some((tr) => tr.annotation(external))) return;
      const text = u.state.doc.toString();
      handle.emitted.push(text);
      handle.callbacks.onChange(text);
    }),
  ];
  handle.view = new EditorView({ parent, state: EditorState.create({ doc: text, extensions: handle.extensions }) });
  // The document's text and the caret's offset, as a textarea has them (for tests and tools:
  // `page.getByTestId("editor").evaluate(e => e.value)`).
  Object.defineProperty(handle.view.contentDOM, "value", { get: () => handle.view.state.doc.toString() });
  Object.defineProperty(handle.view.contentDOM, "selectionStart", { get: () => handle.view.state.selection.main.head });
  return handle;
}

/** Shows document `key` with `text`: its own undo history when it was shown before, the text replaced otherwise. */
export function editorSetDoc(handle, key, text) {
  const view = handle.view;
  if (key !== handle.key) {
    if (handle.key !== null) handle.states.set(handle.key, view.state);
    const saved = handle.states.get(key);
    handle.key = key;
    handle.emitted = [];
    view.setState(saved && saved.doc.toString() === text
      ? saved
      : EditorState.create({ doc: text, extensions: handle.extensions }));
    return;
  }
  // An echo of the editor's own edit (perhaps not the latest one, when typing outran a render) is not a change.
  const echo = handle.emitted.indexOf(text);
  if (echo >= 0) {
    handle.emitted.splice(0, echo + 1);
    return;
  }
  handle.emitted = [];
  if (view.state.doc.toString() !== text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: external.of(true) });
  }
}

/**
 * The findings of `text` to show: JSON `[{from, to, severity, code, message, help?, doc_url, fix?: {from, to, insert,
 * title}}]`. Ignored unless `text` is the editor's text (findings of an older text would point at the wrong places).
 */
export function editorSetDiagnostics(handle, text, findings) {
  const view = handle.view;
  if (view.state.doc.toString() !== text) return;
  view.dispatch(setDiagnostics(view.state, JSON.parse(findings).map(diagnostic)));
}

/** Highlights lines `from..=to` (1-based; `to < from` for none) and marks the lines in `errors` (an array). */
export function editorSetLines(handle, from, to, errors) {
  const cur = handle.view.state.field(linesField);
  const next = { from, to, errors: Array.from(errors) };
  if (cur.from === next.from && cur.to === next.to && cur.errors.join() === next.errors.join()) return;
  handle.view.dispatch({ effects: setLines.of(next) });
}

/** Moves the caret to UTF-16 `offset`, scrolls it to the upper third and focuses the editor. */
export function editorGoto(handle, offset) {
  const view = handle.view;
  const pos = Math.min(Math.max(offset, 0), view.state.doc.length);
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "start", yMargin: 80 }) });
  view.focus();
}

export function editorDestroy(handle) {
  handle.view.destroy();
}
