//! The load-time checks of steps that look past one step: parameters read against the operation's request type (with
//! `$ref`, `$key` and `$keyId` standing for a value of the right type), the placeholders' targets (a `$ref` to an
//! unknown or later step, to a field an `authorize` or `advance` step never has, a `$key` to no key), step names
//! given twice, and how the call is made (`credentials`, `source_ip`, `source_vpce`, the extra `context` keys).

use std::collections::BTreeMap;

use kmsim_policy::json::{escape_pointer as esc, Json, Member, Node};
use serde_json::Value as J;

use super::locate::{At, Locate};
use super::located::{self, Path, Skip};
use super::parse::unescape;
use super::{ScenarioError, ScenarioFile, StepSpec};

/// What a named step gives a later `$ref`.
#[derive(Clone, Copy)]
enum Gives {
    /// A call's response (when it succeeds).
    Response,
    /// An authorization: only `Decision`.
    Decision,
    /// A clock move: its service events, an array.
    Events,
}

/// A named step: where it is and what it gives.
struct Named {
    /// Its index in `file.steps`.
    order: usize,
    /// Its index in the source.
    source: usize,
    gives: Gives,
}

/// The checks of every step that need the other steps. `step_index[i]` is the index in the source of `file.steps[i]`.
pub(super) fn check(file: &ScenarioFile, step_index: &[usize], loc: &Locate<'_>, errors: &mut Vec<ScenarioError>) {
    let mut named: BTreeMap<&str, Named> = BTreeMap::new();
    for (order, (s, i)) in file.steps.iter().zip(step_index).enumerate() {
        let Some(n) = &s.name else { continue };
        if let Some(first) = named.get(n.as_str()) {
            let at = format!("/steps/{i}/name");
            let message = format!("two steps are named `{n}` (steps {} and {i})", first.source);
            let help = "a `$ref` names one step: give each step its own name".to_string();
            errors.push(loc.err(At::Value(&at), &at, message, Some(help)));
            continue;
        }
        let gives = if s.authorize.is_some() {
            Gives::Decision
        } else if s.advance.is_some() {
            Gives::Events
        } else {
            Gives::Response
        };
        named.insert(n, Named { order, source: *i, gives });
    }
    for (order, (s, i)) in file.steps.iter().zip(step_index).enumerate() {
        let path = format!("/steps/{i}");
        caller_fields(s, loc, &path, errors);
        let cx = Refs { file, named: &named, order, loc };
        if let Some(a) = &s.authorize {
            for (field, v) in [("resource", Some(&a.resource)), ("key_id", a.key_id.as_ref())] {
                let Some(v) = v else { continue };
                let at = format!("{path}/authorize/{field}");
                let mut node = value_node(v, loc, &at);
                cx.placeholders(&mut node, &at, &mut Vec::new(), errors);
            }
        }
        if let Some(k) = s.service.as_ref().and_then(|v| v.kms_key.as_ref()) {
            let at = format!("{path}/service/kms_key");
            let mut node = value_node(k, loc, &at);
            cx.placeholders(&mut node, &at, &mut Vec::new(), errors);
        }
        if let (Some(op), Some(params)) = (&s.call, &s.params) {
            cx.params(op, params, &format!("{path}/params"), errors);
        }
    }
}

/// How the call is made: values the request context would otherwise drop or never match.
fn caller_fields(s: &StepSpec, loc: &Locate<'_>, path: &str, errors: &mut Vec<ScenarioError>) {
    if let Some(c) = &s.credentials {
        if c != "long-term" && c != "temporary" {
            let at = format!("{path}/credentials");
            let help = "`long-term` (an IAM user's access keys) or `temporary` (a session's)".to_string();
            errors.push(loc.err(At::Value(&at), &at, format!("unknown credentials `{c}`"), Some(help)));
        }
    }
    if let Some(ip) = &s.source_ip {
        if ip.parse::<std::net::IpAddr>().is_err() {
            let at = format!("{path}/source_ip");
            let (message, help) = match ip.split_once('/') {
                Some((addr, bits)) if addr.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok() => (
                    format!("`{ip}` is a CIDR range, not an address"),
                    format!("a request comes from one address, e.g. `{addr}`; ranges belong in the policy's IpAddress condition"),
                ),
                _ => (
                    format!("`{ip}` is not an IP address"),
                    "an IPv4 or IPv6 address, e.g. `203.0.113.7` or `2001:db8::1`".to_string(),
                ),
            };
            errors.push(loc.err(At::Value(&at), &at, message, Some(help)));
        }
    }
    if let Some(c) = &s.context {
        context(c, loc, &format!("{path}/context"), errors);
    }
    if let (Some(_), Some(_)) = (&s.source_vpce, &s.via) {
        let at = format!("{path}/source_vpce");
        let message =
            "a call through a VPC endpoint is the caller's own call: it cannot also be `via` a service".into();
        errors.push(loc.err(At::Value(&at), &at, message, None));
    }
}

/// A step's extra condition keys (at `at`): each value must be one the policy engine reads.
fn context(c: &J, loc: &Locate<'_>, at: &str, errors: &mut Vec<ScenarioError>) {
    let node = value_node(c, loc, at);
    let Json::Object(members) = &node.value else {
        let message = format!("`context` must be an object of condition keys, found {}", node.type_name());
        errors.push(loc.err(At::Value(at), at, message, None));
        return;
    };
    for m in members {
        if let Err(e) = located::from_node::<kmsim_policy::ContextValue>(&m.value, &Path::Root, &Skip::new()) {
            let (pos, rel) = e.at.unwrap_or((m.value.pos, String::new()));
            let place = format!("{at}/{}{rel}", esc(&m.key));
            let message = format!("condition key `{}`: {}", m.key, e.message);
            let help = "a string, number or boolean, `{\"type\": \"string\"|\"number\"|\"bool\"|\"date\"|\"ip\"|\"arn\"|\"binary\", \
                        \"value\": ...}`, or an array of these";
            errors.push(ScenarioError { message, help: Some(help.into()), span: loc.span_at(pos, &place) });
        }
    }
}

/// The placeholder checks of one step.
struct Refs<'a, 'f> {
    file: &'f ScenarioFile,
    named: &'a BTreeMap<&'f str, Named>,
    /// The step's index in `file.steps`.
    order: usize,
    loc: &'a Locate<'a>,
}

impl Refs<'_, '_> {
    /// Reads `params` (at `at`) as the parameters of `op`: the first problem is reported, unless it is about a
    /// value a `$ref` gives (its type is known only when the step runs).
    fn params(&self, op: &str, params: &J, at: &str, errors: &mut Vec<ScenarioError>) {
        if !crate::api::OPERATIONS.contains(&op) {
            return;
        }
        let mut node = value_node(params, self.loc, at);
        match &mut node.value {
            Json::Null => return,
            Json::Object(ms) => {
                // A policy written as JSON is sent as its text.
                if let Some(m) = ms.iter_mut().find(|m| m.key == "Policy" && matches!(m.value.value, Json::Object(_))) {
                    m.value.value = Json::String(String::new());
                }
            }
            _ => {
                let message = format!("`params` must be an object of {op}'s parameters, found {}", node.type_name());
                errors.push(self.loc.err(At::Value(at), at, message, None));
                return;
            }
        }
        let mut deferred = Vec::new();
        self.placeholders(&mut node, at, &mut deferred, errors);
        let read = crate::api::KmsRequest::read(op, located::Reader::new(&node, &Path::Root, &Skip::new()));
        let Some(Err(e)) = read else { return };
        let (pos, rel) = e.at.unwrap_or_default();
        if deferred.iter().any(|d| rel == *d || rel.starts_with(&format!("{d}/"))) {
            return;
        }
        let path = format!("{at}{rel}");
        let message = match e.message.strip_prefix("missing field ") {
            Some(field) if rel.is_empty() => format!("{op} needs the parameter {field}"),
            // An unknown member of the parameters themselves (not of a value inside one).
            _ if rel.matches('/').count() == 1
                && e.message == format!("unknown field `{}`", unescape(rel.trim_start_matches('/'))) =>
            {
                e.message.replace("unknown field", &format!("{op} has no parameter"))
            }
            _ => e.message,
        };
        errors.push(ScenarioError { message, help: e.help, span: self.loc.span_at(pos, &path) });
    }

    /// Checks every placeholder under `node` (at `at`) and replaces it with a string, as it is when the step runs;
    /// the relative pointers of `$ref`s go to `deferred`.
    fn placeholders(&self, node: &mut Node, at: &str, deferred: &mut Vec<String>, errors: &mut Vec<ScenarioError>) {
        self.walk(node, at, "", deferred, errors);
    }

    fn walk(&self, node: &mut Node, base: &str, rel: &str, deferred: &mut Vec<String>, errs: &mut Vec<ScenarioError>) {
        let placeholder = match &node.value {
            Json::Object(ms) if ms.len() == 1 => ms.first().filter(|m| m.key.starts_with('$')),
            _ => None,
        };
        if let Some(m) = placeholder {
            let at = format!("{base}{rel}/{}", esc(&m.key));
            self.placeholder(m, &at, errs);
            if m.key == "$ref" {
                deferred.push(rel.to_string());
            }
            node.value = Json::String(String::new());
            return;
        }
        match &mut node.value {
            Json::Object(ms) => {
                for m in ms {
                    let rel = format!("{rel}/{}", esc(&m.key));
                    self.walk(&mut m.value, base, &rel, deferred, errs);
                }
            }
            Json::Array(items) => {
                for (i, n) in items.iter_mut().enumerate() {
                    self.walk(n, base, &format!("{rel}/{i}"), deferred, errs);
                }
            }
            _ => {}
        }
    }

    /// One `{"$...": ...}` member at `at`.
    fn placeholder(&self, m: &Member, at: &str, errors: &mut Vec<ScenarioError>) {
        let mut report = |message: String, help: Option<String>| {
            errors.push(ScenarioError { message, help, span: self.loc.span_at(m.value.pos, at) });
        };
        const KINDS: &[&str] = &["$ref", "$key", "$keyId"];
        if !KINDS.contains(&m.key.as_str()) {
            let help = kmsim_policy::suggest(&m.key, KINDS)
                .map_or_else(|| "one of `$ref`, `$key`, `$keyId`".to_string(), |c| format!("did you mean `{c}`?"));
            return report(format!("unknown placeholder `{}`", m.key), Some(help));
        }
        let Json::String(text) = &m.value.value else {
            let what = if m.key == "$ref" { "`STEP.Path.To.Field`" } else { "the local name of a key" };
            return report(format!("`{}` takes a string: {what}", m.key), None);
        };
        if m.key != "$ref" {
            if !self.file.keys.contains_key(text) {
                let names: Vec<&str> = self.file.keys.keys().map(String::as_str).collect();
                let help = kmsim_policy::suggest(text, &names).map(|c| format!("did you mean `{c}`?"));
                report(format!("`{}` names key `{text}`, which is not in `keys`", m.key), help);
            }
            return;
        }
        let mut parts = text.split('.');
        let step = parts.next().unwrap_or("");
        let fields: Vec<&str> = parts.collect();
        let Some(target) = self.named.get(step) else {
            let names: Vec<&str> = self.named.keys().copied().collect();
            let help = kmsim_policy::suggest(step, &names).map(|c| format!("did you mean `{c}`?"));
            return report(format!("`$ref` names step `{step}`, which is not a step of this scenario"), help);
        };
        if target.order == self.order {
            return report(format!("`$ref` names step `{step}`, this step itself"), None);
        }
        if target.order > self.order {
            let message = format!("`$ref` names step `{step}`, which runs later (step {})", target.source);
            return report(message, Some("a `$ref` reads the response of an earlier step".into()));
        }
        match target.gives {
            Gives::Decision if fields.len() > 1 || fields.first().is_some_and(|f| *f != "Decision") => report(
                format!("`$ref` `{text}`: step `{step}` is an `authorize` step, whose only field is `Decision`"),
                Some(format!("e.g. `{step}.Decision`")),
            ),
            Gives::Events if fields.first().is_some_and(|f| f.parse::<usize>().is_err()) => report(
                format!(
                    "`$ref` `{text}`: step `{step}` is an `advance` step, whose response is its list of service events"
                ),
                Some(format!("index the list, e.g. `{step}.0.eventName`")),
            ),
            _ => {}
        }
    }
}

/// The located node of a value at pointer `at`: the parsed text's own node, or (for a file built in code) a tree
/// made from the value, without positions.
fn value_node(value: &J, loc: &Locate<'_>, at: &str) -> Node {
    loc.node(at).cloned().unwrap_or_else(|| located::node_of(value))
}
