//! A field's text read as its JSON value and shown back, and the values at a path of a step's JSON.

use serde_json::{Map, Value as J};

use super::FieldKind;

fn placeholder(text: &str) -> J {
    for p in ["$ref", "$keyId", "$key"] {
        if let Some(rest) = text.strip_prefix(p).and_then(|r| r.strip_prefix(':')) {
            let mut m = Map::new();
            m.insert(p.to_string(), J::String(rest.trim().to_string()));
            return J::Object(m);
        }
    }
    J::String(text.to_string())
}

/// A field's text read as its JSON value; `None` when it is empty (the field is then removed).
pub fn parse(kind: FieldKind, text: &str) -> Result<Option<J>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let pairs = |sep: char| -> Result<Vec<(String, String)>, String> {
        let items: Vec<&str> = if sep == '\n' { t.lines().collect() } else { t.split(',').collect() };
        items
            .into_iter()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|i| {
                i.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).ok_or_else(|| {
                    if sep == '\n' {
                        format!("`{i}`: write one `path = value` per line")
                    } else {
                        format!("`{i}`: write key=value pairs separated by commas")
                    }
                })
            })
            .collect()
    };
    Ok(Some(match kind {
        FieldKind::Text => J::String(text.to_string()),
        FieldKind::Value => placeholder(t),
        FieldKind::Blob if t.starts_with('$') => placeholder(t),
        FieldKind::Blob => match t.strip_prefix("base64:") {
            Some(b) => J::String(b.trim().to_string()),
            None => {
                let mut m = Map::new();
                m.insert("Text".into(), J::String(text.to_string()));
                J::Object(m)
            }
        },
        FieldKind::Integer => J::from(t.parse::<i64>().map_err(|_| format!("`{t}` is not a whole number"))?),
        FieldKind::Bool => match t {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            _ => return Err(format!("`{t}`: true or false")),
        },
        FieldKind::List => J::Array(t.split(',').map(str::trim).filter(|i| !i.is_empty()).map(placeholder).collect()),
        FieldKind::Map => J::Object(pairs(',')?.into_iter().map(|(k, v)| (k, J::String(v))).collect()),
        FieldKind::Fields => J::Object(
            pairs('\n')?
                .into_iter()
                .map(|(k, v)| {
                    let value = serde_json::from_str::<J>(&v).unwrap_or(J::String(v));
                    (k, value)
                })
                .collect(),
        ),
        FieldKind::Json => serde_json::from_str::<J>(t).map_err(|e| format!("not JSON: {e}"))?,
    }))
}

fn show_item(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, J::String(s))) if k == "$ref" || k == "$key" || k == "$keyId" => format!("{k}:{s}"),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// A field's JSON value as its form shows it (the inverse of [`parse`]).
pub fn show(kind: FieldKind, v: Option<&J>) -> String {
    let Some(v) = v else { return String::new() };
    match (kind, v) {
        (FieldKind::Blob, J::String(s)) => format!("base64:{s}"),
        (FieldKind::Blob, J::Object(m)) if m.len() == 1 && m.get("Text").is_some_and(J::is_string) => {
            m.get("Text").and_then(J::as_str).unwrap_or_default().to_string()
        }
        (FieldKind::List, J::Array(items)) => items.iter().map(show_item).collect::<Vec<String>>().join(", "),
        (FieldKind::Map, J::Object(m)) => {
            m.iter().map(|(k, v)| format!("{k}={}", show_item(v))).collect::<Vec<String>>().join(", ")
        }
        (FieldKind::Fields, J::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                // A string that would read back as another JSON value keeps its quotes.
                J::String(s) if serde_json::from_str::<J>(s).is_err() => format!("{k} = {s}"),
                other => format!("{k} = {other}"),
            })
            .collect::<Vec<String>>()
            .join("\n"),
        (FieldKind::Json, v) => v.to_string(),
        (_, v) => show_item(v),
    }
}

/// The value at `path` in `v`.
pub fn get<'a>(v: &'a J, path: &[String]) -> Option<&'a J> {
    path.iter().try_fold(v, |node, p| match node {
        J::Object(m) => m.get(p),
        J::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Sets (or with `None` removes) the value at `path` in `node`, making the objects and arrays on the way; an object
/// left empty by a removal is removed too (except `params`, which a call may need empty).
pub fn set_path(node: &mut J, path: &[String], value: Option<J>) {
    let Some((first, rest)) = path.split_first() else {
        if let Some(v) = value {
            *node = v;
        }
        return;
    };
    let index = first.parse::<usize>().ok();
    if node.is_null() {
        *node = if index.is_some() { J::Array(Vec::new()) } else { J::Object(Map::new()) };
    }
    if rest.is_empty() {
        match (node, index, value) {
            (J::Array(a), Some(i), Some(v)) => match a.get_mut(i) {
                Some(slot) => *slot = v,
                None => a.push(v),
            },
            (J::Array(a), Some(i), None) if i < a.len() => {
                a.remove(i);
            }
            (J::Object(m), _, Some(v)) => {
                m.insert(first.clone(), v);
            }
            (J::Object(m), _, None) => {
                m.remove(first);
            }
            _ => {}
        }
        return;
    }
    match (node, index) {
        (J::Array(a), Some(i)) => {
            if i == a.len() && value.is_some() {
                a.push(J::Null);
            }
            if let Some(child) = a.get_mut(i) {
                set_path(child, rest, value);
            }
        }
        (J::Object(m), _) => {
            if value.is_none() && !m.contains_key(first) {
                return;
            }
            let child = m.entry(first.clone()).or_insert(J::Null);
            set_path(child, rest, value);
            let empty = m.get(first).is_some_and(|c| c.is_null() || c.as_object().is_some_and(Map::is_empty));
            if empty && first != "params" {
                m.remove(first);
            }
        }
        _ => {}
    }
}
