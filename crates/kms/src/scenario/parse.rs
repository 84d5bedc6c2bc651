//! Reading a scenario: one located JSON parse, the typed read from that tree (every error with its line, column and
//! JSON Pointer), then the checks of [`super::validate`]. A [`ScenarioFile`] built in code (the playground) skips the
//! text and is checked the same way, its problems located by JSON Pointer only.

use std::collections::BTreeSet;

use kmsim_policy::json::{self, Json, LineIndex, Node};

use super::locate::Locate;
use super::located::{self, Path};
use super::validate;
use super::{Scenario, ScenarioError, ScenarioErrors, ScenarioFile};

impl Scenario {
    /// Parses and validates a scenario, reporting every problem at once with line, column and JSON path.
    pub fn parse(source: &str) -> Result<Scenario, ScenarioErrors> {
        let lines = LineIndex::new(source);
        let mut errors = Vec::new();
        let Some(root) = object_root(source, &lines, "a scenario", &mut errors) else {
            return Err(ScenarioErrors { errors });
        };
        let (file, step_index) = read_file(&root, &lines, &mut errors);
        let loc = Locate::Tree { root: &root, lines: &lines, source };
        let policies = validate::check(&file, &step_index, &loc, &mut errors);
        if errors.is_empty() {
            Ok(Scenario { file, policies })
        } else {
            errors.sort_by_key(|e| (e.span.line, e.span.column));
            Err(ScenarioErrors { errors })
        }
    }

    /// Validates a scenario built in code (as the playground builds one), without a text: problems are located by
    /// their JSON Pointer only (line and column 0). A policy written as an object is compiled from its compact JSON.
    pub fn from_file(file: ScenarioFile) -> Result<Scenario, ScenarioErrors> {
        let mut errors = Vec::new();
        let step_index: Vec<usize> = (0..file.steps.len()).collect();
        let policies = validate::check(&file, &step_index, &Locate::Pointers, &mut errors);
        if errors.is_empty() {
            Ok(Scenario { file, policies })
        } else {
            Err(ScenarioErrors { errors })
        }
    }
}

/// The typed read of the tree. A member (or a step) that does not read is reported and left out, and the read is
/// retried, so every top-level member's and every step's first problem is reported. Returns the file and, for each
/// step read, its index in the file's `steps`.
fn read_file(root: &Node, lines: &LineIndex<'_>, errors: &mut Vec<ScenarioError>) -> (ScenarioFile, Vec<usize>) {
    let mut skip = BTreeSet::new();
    let steps = validate::find(root, &["steps"]);
    if let Some(s) = steps.filter(|s| !matches!(s.value, Json::Array(_))) {
        errors.push(ScenarioError {
            message: format!("`steps` must be an array, found {}", s.type_name()),
            help: None,
            span: lines.span(s.pos, "/steps"),
        });
        skip.insert(located::address(s));
    }
    loop {
        let e = match located::from_node::<ScenarioFile>(root, &Path::Root, &skip) {
            Ok(file) => {
                let kept = match steps.map(|s| &s.value) {
                    Some(Json::Array(items)) => (0..items.len())
                        .filter(|i| items.get(*i).is_some_and(|n| !skip.contains(&located::address(n))))
                        .collect(),
                    _ => Vec::new(),
                };
                return (file, kept);
            }
            Err(e) => e,
        };
        let (pos, path) = e.at.clone().unwrap_or_default();
        let mut segments = path.split('/').skip(1).map(unescape);
        let top = segments.next().unwrap_or_default();
        let member = match &root.value {
            Json::Object(ms) => ms.iter().find(|m| m.key == top),
            _ => None,
        };
        // The step, when the problem is inside one; else the top-level member.
        let culprit = match (member, segments.next()) {
            (Some(m), Some(i)) if top == "steps" => {
                i.parse::<usize>().ok().and_then(|i| validate::index(&m.value, i)).or(Some(&m.value))
            }
            (m, _) => m.map(|m| &m.value),
        };
        errors.push(ScenarioError { message: e.message, help: e.help, span: lines.span(pos, &path) });
        match culprit {
            Some(n) if skip.insert(located::address(n)) => {}
            _ => return (ScenarioFile::default(), Vec::new()),
        }
    }
}

/// A JSON Pointer segment unescaped (RFC 6901).
pub(super) fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The one located JSON parse of `text` that a scenario, or a part of one read on its own (a rule), starts from: its
/// root node when the text is a JSON object (`what`, e.g. "a scenario", names it in the error), with a problem in
/// `errors` for each duplicate key (the rest of the text is still read), or `None` when it cannot be read at all.
pub(super) fn object_root(text: &str, lines: &LineIndex, what: &str, errors: &mut Vec<ScenarioError>) -> Option<Node> {
    let parsed = json::parse(text);
    errors.extend(parsed.duplicates.iter().map(|d| ScenarioError {
        message: format!("duplicate key `{}`", d.key),
        help: Some("each key may appear once in an object".into()),
        span: lines.span(d.pos, &format!("{}/{}", d.path, json::escape_pointer(&d.key))),
    }));
    let root = match parsed.root {
        Ok(r) => r,
        Err(e) => {
            errors.push(ScenarioError { message: e.message, help: e.help, span: lines.span(e.pos, "") });
            return None;
        }
    };
    if !matches!(root.value, Json::Object(_)) {
        let message = format!("{what} must be a JSON object, found {}", root.type_name());
        errors.push(ScenarioError { message, help: None, span: lines.span(root.pos, "") });
        return None;
    }
    Some(root)
}
