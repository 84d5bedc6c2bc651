// The policy editor's loader, imported by the wasm glue as ./editor-loader.js (web/src/components/editor.rs). The
// editor itself (editor.js: CodeMirror and web/editor/editor.js, 417 KB of JavaScript) is imported only when the first
// editor is about to be shown, after the app's first render, so that it is not on the path of the first paint or of
// "interactive" (issue 15). Until it has arrived the playground shows a plain text area. Copied into web/dist (minified,
// not bundled) by scripts/build-web.sh.

let editor = null;
let loading = null;

/** Whether editor.js is loaded (then `createEditor` and the rest may be called). */
export function editorLoaded() {
  return editor !== null;
}

/** Loads editor.js (once) and calls `done(true)` when it is loaded, or `done(false)` if it could not be (a later call
 * tries again). */
export function editorLoad(done) {
  if (editor) {
    done(true);
    return;
  }
  loading ??= import("./editor.js").then((m) => {
    editor = m;
  });
  loading.then(() => done(true), () => {
    loading = null;
    done(false);
  });
}

export const createEditor = (...a) => editor.createEditor(...a);
export const editorSetDoc = (...a) => editor.editorSetDoc(...a);
export const editorSetDiagnostics = (...a) => editor.editorSetDiagnostics(...a);
export const editorSetLines = (...a) => editor.editorSetLines(...a);
export const editorGoto = (...a) => editor.editorGoto(...a);
export const editorDestroy = (...a) => editor.editorDestroy(...a);
