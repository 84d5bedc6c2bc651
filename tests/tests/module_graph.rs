//! No import circle between the modules of any crate of the workspace: in each crate, every module's `crate::…`
//! references (outside comments and test modules) form an acyclic graph, and no module reaches up into the crate
//! root (`lib.rs` or `main.rs`, which declares and re-exports them all).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test code")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules a source file refers to through `crate::NAME` (`lib` for items of the crate root).
fn references(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |name: &str| {
        let name = name.trim();
        if name.is_empty() || name == "self" {
            return;
        }
        out.insert(if modules.contains(name) { name.to_string() } else { "lib".to_string() });
    };
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap();
            for item in group[..end].split(',') {
                add(item.split("::").next().unwrap());
            }
        } else {
            let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
            add(&after[..end]);
        }
        rest = after;
    }
    out
}

/// The code of a file without comments and without its `#[cfg(test)]` module (tests may import anything).
fn code_of(source: &str) -> String {
    let source = source.split("#[cfg(test)]\nmod ").next().unwrap();
    source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The source folders of the workspace's crates.
const CRATES: &[&str] =
    &["crates/policy", "crates/kms", "crates/cli", "crates/wasm", "crates/de", "crates/derive", "web", "tests"];

/// Graph of a crate's modules: a file `src/NAME.rs` or a folder `src/NAME/` (its files together: a folder
/// module's children, at any depth, may use its helpers) is the node `NAME`; the crate root (`lib.rs` or `main.rs`) is `lib`.
fn graph(krate: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(krate).join("src");
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let mut name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "main" && !src.join("lib.rs").exists() {
            name = "lib".to_string();
        }
        let text = if path.is_dir() {
            let mut files = rust_files(&path);
            files.sort();
            files.iter().map(|f| code_of(&std::fs::read_to_string(f).unwrap())).collect::<Vec<_>>().join("\n")
        } else if path.extension().is_some_and(|e| e == "rs") {
            code_of(&std::fs::read_to_string(&path).unwrap())
        } else {
            continue;
        };
        code.insert(name, text);
    }
    let modules: BTreeSet<String> = code.keys().filter(|m| *m != "lib").cloned().collect();
    let mut g = BTreeMap::new();
    for (name, text) in &code {
        let mut refs = references(text, &modules);
        if name == "lib" {
            refs.extend(modules.iter().cloned());
        }
        refs.remove(name);
        g.insert(name.clone(), refs);
    }
    g
}

/// A cycle through `from`, if there is one.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    fn walk(
        g: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        goal: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == goal {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, goal, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(g, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_import_circle_between_modules() {
    let mut cycles = Vec::new();
    for krate in CRATES {
        let g = graph(krate);
        assert!(g.contains_key("lib"), "{krate}: no crate root among {:?}", g.keys());
        cycles.extend(g.keys().filter_map(|m| cycle(&g, m)).map(|c| format!("{krate}: {}", c.join(" -> "))));
    }
    assert!(graph("crates/policy").contains_key("parse") && graph("crates/kms").contains_key("ops"), "modules found");
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

#[test]
fn the_reference_scanner_sees_every_form() {
    let modules: BTreeSet<String> = ["model", "eval", "glob"].iter().map(|s| s.to_string()).collect();
    let code = "use crate::model::*;\nuse crate::{glob::Glob, Policy};\nfn f() { crate::eval::x(); }";
    let refs = references(code, &modules);
    assert_eq!(refs, ["eval", "glob", "lib", "model"].iter().map(|s| s.to_string()).collect());
    assert_eq!(references(&code_of("// crate::eval\n/// [`crate::eval`]\nfn g() {}"), &modules), BTreeSet::new());
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), ["b".to_string()].into());
    g.insert("b".to_string(), ["c".to_string()].into());
    g.insert("c".to_string(), ["a".to_string()].into());
    assert_eq!(cycle(&g, "a").unwrap(), ["a", "b", "c", "a"]);
    g.insert("c".to_string(), BTreeSet::new());
    assert_eq!(cycle(&g, "a"), None);
}

/// The `.rs` files under a module's directory, at any depth (`state/workspaces/tests.rs`).
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}
