//! Where a problem is: in a parsed text (line and column from the located tree) or, for a file built in code, by
//! JSON Pointer only. Shared by the checks of `validate` and `steps`.

use kmsim_policy::json::{self, Json, LineIndex, Node};
use kmsim_policy::Span;

use super::parse::unescape;
use super::ScenarioError;

/// Where problems are: in a parsed text (line and column from the located tree), or by JSON Pointer only.
pub(super) enum Locate<'a> {
    Tree { root: &'a Node, lines: &'a LineIndex<'a>, source: &'a str },
    Pointers,
}

/// What an error points at: the value at a pointer, or the name of the member at a pointer.
#[derive(Clone, Copy)]
pub(super) enum At<'a> {
    Value(&'a str),
    Key(&'a str),
}

impl Locate<'_> {
    /// The span of `at` (the file's start when it is not in the tree), reported with `path`.
    pub(super) fn span(&self, at: At<'_>, path: &str) -> Span {
        match self {
            Locate::Tree { root, lines, .. } => {
                let pos = match at {
                    At::Value(p) => node_at(root, p).map(|n| n.pos),
                    At::Key(p) => {
                        let (parent, key) = p.rsplit_once('/').unwrap_or(("", p));
                        match node_at(root, parent).map(|n| &n.value) {
                            Some(Json::Object(ms)) => {
                                let key = unescape(key);
                                ms.iter().find(|m| m.key == key).map(|m| m.key_pos)
                            }
                            _ => None,
                        }
                    }
                };
                lines.span(pos.unwrap_or_default(), path)
            }
            Locate::Pointers => Span { path: path.into(), ..Span::default() },
        }
    }

    pub(super) fn err(&self, at: At<'_>, path: &str, message: String, help: Option<String>) -> ScenarioError {
        ScenarioError { message, help, span: self.span(at, path) }
    }

    /// The span of a position in the parsed text (only the pointer for a file built in code).
    pub(super) fn span_at(&self, pos: json::Pos, path: &str) -> Span {
        match self {
            Locate::Tree { lines, .. } => lines.span(pos, path),
            Locate::Pointers => Span { path: path.into(), ..Span::default() },
        }
    }

    /// The parsed text's node at a pointer (none for a file built in code).
    pub(super) fn node(&self, pointer: &str) -> Option<&Node> {
        match self {
            Locate::Tree { root, .. } => node_at(root, pointer),
            Locate::Pointers => None,
        }
    }
}

/// The node at a JSON Pointer.
pub(super) fn node_at<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    let mut cur = root;
    for seg in pointer.split('/').skip(1) {
        cur = match &cur.value {
            Json::Object(ms) => {
                let key = unescape(seg);
                &ms.iter().find(|m| m.key == key)?.value
            }
            Json::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}
