//! Reading a scenario file: the located JSON parse, the typed read, validation and the compiled policies, with every
//! problem located in the file.

use std::collections::BTreeMap;

use kmsim_policy::json::{self, Json, LineIndex, Node};
use kmsim_policy::{PolicyError, PolicyType};
use serde::Deserialize;
use serde_json::Value as J;

use super::{
    AccountSpec, ConfigSpec, GrantSpec, KeySpecFile, Scenario, ScenarioError, ScenarioErrors, ScenarioFile, StepSpec,
};
use crate::clock::Timestamp;
use crate::error::ErrorCode;
use crate::key::KeyState;
use crate::policy::NamedPolicy;

impl Scenario {
    /// Parses and validates a scenario, reporting every problem at once with line, column and JSON path.
    pub fn parse(source: &str) -> Result<Scenario, ScenarioErrors> {
        let lines = LineIndex::new(source);
        let parsed = json::parse(source);
        let mut errors: Vec<ScenarioError> = parsed
            .duplicates
            .iter()
            .map(|d| ScenarioError {
                message: format!("duplicate key `{}`", d.key),
                help: Some("each key may appear once in an object".into()),
                span: lines.span(d.pos, &format!("{}/{}", d.path, json::escape_pointer(&d.key))),
            })
            .collect();
        let root = match parsed.root {
            Ok(r) => r,
            Err(e) => {
                errors.push(ScenarioError { message: e.message, help: e.help, span: lines.span(e.pos, "") });
                return Err(ScenarioErrors { errors });
            }
        };
        let Json::Object(members) = &root.value else {
            errors.push(err(
                &lines,
                root.pos,
                "",
                format!("a scenario must be a JSON object, found {}", root.type_name()),
                None,
            ));
            return Err(ScenarioErrors { errors });
        };
        // Typed check, section by section (and step by step), so every section's first problem is reported.
        let mut file = ScenarioFile::default();
        for m in members {
            let path = format!("/{}", json::escape_pointer(&m.key));
            let slice = slice_of(source, &m.value);
            macro_rules! section {
                ($field:ident, $ty:ty) => {{
                    let read = &mut |de: &mut JsonReader<'_>| {
                        file.$field = <$ty>::deserialize(de)?;
                        Ok(())
                    };
                    if let Err(e) = typed(slice, &lines, &m.value, &path, read) {
                        errors.push(e);
                    }
                }};
            }
            match m.key.as_str() {
                "$schema" => section!(schema, Option<String>),
                "title" => section!(title, String),
                "description" => section!(description, String),
                "exercise" => section!(exercise, String),
                "seed" => section!(seed, Option<u64>),
                "start_time" => section!(start_time, Option<String>),
                "config" => section!(config, Option<ConfigSpec>),
                "accounts" => section!(accounts, BTreeMap<String, AccountSpec>),
                "keys" => section!(keys, BTreeMap<String, KeySpecFile>),
                "grants" => section!(grants, Vec<GrantSpec>),
                "steps" => {
                    if let Json::Array(items) = &m.value.value {
                        for (i, item) in items.iter().enumerate() {
                            let p = format!("/steps/{i}");
                            let mut step = None;
                            let read = &mut |de: &mut JsonReader<'_>| {
                                step = Some(StepSpec::deserialize(de)?);
                                Ok(())
                            };
                            match typed(slice_of(source, item), &lines, item, &p, read) {
                                Ok(()) => {
                                    if let Some(s) = step {
                                        validate_step(&s, &lines, item, &p, &mut errors);
                                        file.steps.push(s)
                                    }
                                }
                                Err(e) => errors.push(e),
                            }
                        }
                    } else {
                        errors.push(err(
                            &lines,
                            m.value.pos,
                            &path,
                            format!("`steps` must be an array, found {}", m.value.type_name()),
                            None,
                        ));
                    }
                }
                other => {
                    let known = [
                        "title",
                        "description",
                        "exercise",
                        "seed",
                        "start_time",
                        "config",
                        "accounts",
                        "keys",
                        "grants",
                        "steps",
                    ];
                    let help = kmsim_policy::suggest(other, &known).map(|c| format!("did you mean `{c}`?"));
                    errors.push(err(&lines, m.key_pos, &path, format!("unknown field `{other}`"), help));
                }
            }
        }
        if let Some(t) = &file.start_time {
            if Timestamp::parse(t).is_none() {
                let pos = find(&root, &["start_time"]).map(|n| n.pos).unwrap_or_default();
                errors.push(err(&lines, pos, "/start_time", format!("`{t}` is not an ISO 8601 date-time"), None));
            }
        }
        for id in file.accounts.keys() {
            if !crate::ids::is_account_id(id) {
                let pos = find(&root, &["accounts"]).and_then(|a| key_pos(a, id)).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/accounts/{id}"),
                    format!("`{id}` is not a 12-digit account id"),
                    None,
                ));
            }
        }
        // Policies: parse each with the engine, positions mapped into this file.
        let mut policies = BTreeMap::new();
        collect_policies(&root, source, &lines, &mut policies, &mut errors);
        // Cross references.
        let default_account = file.accounts.keys().next().cloned();
        for (name, k) in &file.keys {
            if let Some(a) = k.account.as_ref().or(default_account.as_ref()) {
                if !file.accounts.contains_key(a) {
                    let pos = find(&root, &["keys", name]).map(|n| n.pos).unwrap_or_default();
                    errors.push(err(
                        &lines,
                        pos,
                        &format!("/keys/{name}/account"),
                        format!("key `{name}` names account `{a}`, which is not in `accounts`"),
                        None,
                    ));
                }
            } else {
                let pos = find(&root, &["keys", name]).map(|n| n.pos).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/keys/{name}"),
                    format!("key `{name}` needs an account: add one to `accounts`"),
                    None,
                ));
            }
            if let Some(s) = &k.state {
                if parse_enum::<KeyState>(s).is_none() {
                    let pos = find(&root, &["keys", name, "state"]).map(|n| n.pos).unwrap_or_default();
                    errors.push(err(&lines, pos, &format!("/keys/{name}/state"), format!("unknown key state `{s}`"), Some("one of Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, Unavailable, Creating, Updating".into())));
                }
            }
        }
        for (i, g) in file.grants.iter().enumerate() {
            if !file.keys.contains_key(&g.key) {
                let pos = find(&root, &["grants"]).and_then(|a| index(a, i)).map(|n| n.pos).unwrap_or_default();
                errors.push(err(
                    &lines,
                    pos,
                    &format!("/grants/{i}/key"),
                    format!("grant names key `{}`, which is not in `keys`", g.key),
                    None,
                ));
            }
        }
        if errors.is_empty() {
            Ok(Scenario { file, source: source.to_string(), policies })
        } else {
            errors.sort_by_key(|e| (e.span.line, e.span.column));
            Err(ScenarioErrors { errors })
        }
    }
}

fn err(lines: &LineIndex<'_>, pos: json::Pos, path: &str, message: String, help: Option<String>) -> ScenarioError {
    ScenarioError { message, help, span: lines.span(pos, path) }
}

fn slice_of<'a>(source: &'a str, n: &Node) -> &'a str {
    source.get(n.pos.offset..n.pos.offset + n.pos.len).unwrap_or("")
}

/// serde_json's reader of a text (what `serde_json::from_str` uses).
type JsonReader<'a> = serde_json::Deserializer<serde_json::de::StrRead<'a>>;

/// Deserialises a subtree with `read` (as `serde_json::from_str` would: the value, then only whitespace), mapping
/// serde's error position into the file. Not generic, so the error mapping is in the bundle once, not once per type.
fn typed(
    text: &str,
    lines: &LineIndex<'_>,
    node: &Node,
    path: &str,
    read: &mut dyn FnMut(&mut JsonReader<'_>) -> Result<(), serde_json::Error>,
) -> Result<(), ScenarioError> {
    let mut de = serde_json::Deserializer::from_str(text);
    read(&mut de).and_then(|()| de.end()).map_err(|e| {
        let (l, c) = (e.line(), e.column());
        // serde's line/column are relative to the slice; find the byte offset in the slice and add the node's.
        let mut offset = 0usize;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            if i + 1 == l {
                offset += line.char_indices().nth(c.saturating_sub(1)).map(|(b, _)| b).unwrap_or(0);
                break;
            }
            offset += line.len();
        }
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        err(lines, json::Pos { offset: node.pos.offset + offset, len: 1 }, path, msg, None)
    })
}

fn validate_step(s: &StepSpec, lines: &LineIndex<'_>, node: &Node, path: &str, errors: &mut Vec<ScenarioError>) {
    let kinds = [s.call.is_some(), s.authorize.is_some(), s.advance.is_some()].iter().filter(|b| **b).count();
    if kinds != 1 {
        errors.push(err(
            lines,
            node.pos,
            path,
            "a step needs exactly one of `call`, `authorize` or `advance`".into(),
            None,
        ));
    }
    if let Some(op) = &s.call {
        if !crate::api::OPERATIONS.contains(&op.as_str()) {
            let help = kmsim_policy::suggest(op, crate::api::OPERATIONS).map(|c| format!("did you mean `{c}`?"));
            let pos = find(node, &["call"]).map(|n| n.pos).unwrap_or(node.pos);
            errors.push(err(lines, pos, &format!("{path}/call"), format!("unknown operation `{op}`"), help));
        }
        if s.caller.is_none() {
            errors.push(err(
                lines,
                node.pos,
                path,
                format!("the `{op}` call needs a caller: add `\"as\"`"),
                Some("e.g. \"as\": \"role/App\"".into()),
            ));
        }
    }
    if let Some(e) = &s.expect {
        if let Some(o) = &e.outcome {
            let ok = if s.authorize.is_some() {
                ["allow", "deny", "explicit-deny", "implicit-deny"].contains(&o.as_str())
            } else {
                o == "success" || ErrorCode::parse(o).is_some()
            };
            if !ok {
                let pos = find(node, &["expect", "outcome"]).map(|n| n.pos).unwrap_or(node.pos);
                let help = if s.authorize.is_some() {
                    "one of allow, deny, explicit-deny, implicit-deny".to_string()
                } else {
                    "`success` or an AWS error code such as AccessDeniedException".to_string()
                };
                errors.push(err(
                    lines,
                    pos,
                    &format!("{path}/expect/outcome"),
                    format!("unknown outcome `{o}`"),
                    Some(help),
                ));
            }
        }
    }
}

fn find<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    let mut cur = node;
    for k in keys {
        let Json::Object(ms) = &cur.value else { return None };
        cur = &ms.iter().find(|m| m.key == *k)?.value;
    }
    Some(cur)
}

fn key_pos(node: &Node, key: &str) -> Option<json::Pos> {
    let Json::Object(ms) = &node.value else { return None };
    ms.iter().find(|m| m.key == key).map(|m| m.key_pos)
}

fn index(node: &Node, i: usize) -> Option<&Node> {
    let Json::Array(a) = &node.value else { return None };
    a.get(i)
}

pub(super) fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(J::String(s.to_string())).ok()
}

/// Finds every policy document in the file and compiles it, mapping its errors into the file.
fn collect_policies(
    root: &Node,
    source: &str,
    lines: &LineIndex<'_>,
    out: &mut BTreeMap<String, NamedPolicy>,
    errors: &mut Vec<ScenarioError>,
) {
    let mut found: Vec<(String, String, PolicyType, &Node)> = Vec::new();
    if let Some(Json::Object(accts)) = find(root, &["accounts"]).map(|n| &n.value) {
        for a in accts {
            let ap = format!("/accounts/{}", json::escape_pointer(&a.key));
            for kind in ["users", "roles"] {
                if let Some(Json::Object(ps)) = find(&a.value, &[kind]).map(|n| &n.value) {
                    for p in ps {
                        let pp = format!("{ap}/{kind}/{}", json::escape_pointer(&p.key));
                        if let Some(Json::Object(pols)) = find(&p.value, &["policies"]).map(|n| &n.value) {
                            for pol in pols {
                                found.push((
                                    format!("{pp}/policies/{}", json::escape_pointer(&pol.key)),
                                    pol.key.clone(),
                                    PolicyType::Identity,
                                    &pol.value,
                                ));
                            }
                        }
                        if let Some(b) = find(&p.value, &["permissions_boundary"]) {
                            found.push((
                                format!("{pp}/permissions_boundary"),
                                "permissions-boundary".into(),
                                PolicyType::PermissionsBoundary,
                                b,
                            ));
                        }
                    }
                }
            }
            if let Some(Json::Object(scps)) = find(&a.value, &["scps"]).map(|n| &n.value) {
                for s in scps {
                    found.push((
                        format!("{ap}/scps/{}", json::escape_pointer(&s.key)),
                        s.key.clone(),
                        PolicyType::Scp,
                        &s.value,
                    ));
                }
            }
        }
    }
    if let Some(Json::Object(keys)) = find(root, &["keys"]).map(|n| &n.value) {
        for k in keys {
            if let Some(p) = find(&k.value, &["policy"]) {
                found.push((
                    format!("/keys/{}/policy", json::escape_pointer(&k.key)),
                    "default".into(),
                    PolicyType::Resource,
                    p,
                ));
            }
        }
    }
    if let Some(Json::Array(steps)) = find(root, &["steps"]).map(|n| &n.value) {
        for (i, s) in steps.iter().enumerate() {
            if let Some(p) = find(s, &["session_policy"]) {
                found.push((format!("/steps/{i}/session_policy"), "session".into(), PolicyType::Session, p));
            }
            if let Some(p) = find(s, &["params", "Policy"]) {
                if matches!(p.value, Json::Object(_)) {
                    found.push((format!("/steps/{i}/params/Policy"), "default".into(), PolicyType::Resource, p));
                }
            }
        }
    }
    for (path, name, ty, node) in found {
        let (text, base) = match &node.value {
            Json::Object(_) => (slice_of(source, node).to_string(), Some(node.pos.offset)),
            Json::String(s) => (s.clone(), None),
            _ => {
                errors.push(err(
                    lines,
                    node.pos,
                    &path,
                    format!("a policy must be a JSON object or a string, found {}", node.type_name()),
                    None,
                ));
                continue;
            }
        };
        match NamedPolicy::parse(name, &text, ty) {
            Ok(p) => {
                out.insert(path, p);
            }
            Err(errs) => {
                for e in errs.errors {
                    errors.push(map_policy_error(e, base, node, lines, &path));
                }
            }
        }
    }
}

/// Moves a policy error's location from the policy's own text into the scenario file.
fn map_policy_error(
    e: PolicyError,
    base: Option<usize>,
    node: &Node,
    lines: &LineIndex<'_>,
    path: &str,
) -> ScenarioError {
    let (pos, sub) = match base {
        Some(b) => {
            (json::Pos { offset: b + e.span.offset as usize, len: e.span.len as usize }, e.span.path.to_string())
        }
        // A policy written as a JSON string: point at the string.
        None => (node.pos, String::new()),
    };
    let full_path = format!("{path}{sub}");
    let prefix = if base.is_none() {
        format!("in the policy text (line {}, column {}): ", e.span.line, e.span.column)
    } else {
        String::new()
    };
    ScenarioError { message: format!("{prefix}{}", e.message), help: e.help, span: lines.span(pos, &full_path) }
}
