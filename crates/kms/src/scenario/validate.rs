//! The checks of a scenario once read: values the types cannot express (dates, account ids, operation names,
//! outcomes, key states), cross references, and every policy compiled with the engine. Written once for a parsed
//! text and for a file built in code; [`Locate`] says where a problem is in either.

use std::collections::BTreeMap;

use kmsim_policy::json::{self, escape_pointer as esc, Json, Node};
use kmsim_policy::{PolicyError, PolicyType};
use serde_json::Value as J;

use super::locate::{node_at, At, Locate};
use super::{ScenarioError, ScenarioFile, StepSpec};
use crate::clock::Timestamp;
use crate::error::ErrorCode;
use crate::key::{KeySpec, KeyState, KeyUsage, ROTATION_PERIOD_DAYS};
use crate::policy::NamedPolicy;

/// Checks the file and compiles its policies (by the JSON Pointer of their document). `step_index[i]` is the index
/// in the source of `file.steps[i]`.
pub(super) fn check(
    file: &ScenarioFile,
    step_index: &[usize],
    loc: &Locate<'_>,
    errors: &mut Vec<ScenarioError>,
) -> BTreeMap<String, NamedPolicy> {
    for (s, i) in file.steps.iter().zip(step_index) {
        validate_step(s, loc, &format!("/steps/{i}"), errors);
    }
    if let Some(t) = &file.start_time {
        if Timestamp::parse(t).is_none() {
            let message = format!("`{t}` is not an ISO 8601 date-time");
            errors.push(loc.err(At::Value("/start_time"), "/start_time", message, None));
        }
    }
    for id in file.accounts.keys() {
        if !crate::ids::is_account_id(id) {
            let message = format!("`{id}` is not a 12-digit account id");
            errors.push(loc.err(At::Key(&format!("/accounts/{}", esc(id))), &format!("/accounts/{id}"), message, None));
        }
    }
    sessions(file, loc, errors);
    super::steps::check(file, step_index, loc, errors);
    super::rule_checks::check(file, loc, errors);
    super::goals::check(file, loc, errors);
    let policies = compile_policies(file, step_index, loc, errors);
    // Cross references.
    let default_account = file.accounts.keys().next();
    for (name, k) in &file.keys {
        let key_ptr = format!("/keys/{}", esc(name));
        if let Some(a) = k.account.as_ref().or(default_account) {
            if !file.accounts.contains_key(a) {
                let message = format!("key `{name}` names account `{a}`, which is not in `accounts`");
                errors.push(loc.err(At::Value(&key_ptr), &format!("/keys/{name}/account"), message, None));
            }
        } else {
            let message = format!("key `{name}` needs an account: add one to `accounts`");
            errors.push(loc.err(At::Value(&key_ptr), &format!("/keys/{name}"), message, None));
        }
        if let Some(days) = k.rotation_period_days {
            if !ROTATION_PERIOD_DAYS.contains(&i64::from(days)) {
                let message = format!(
                    "rotation period `{days}` days is out of range: automatic rotation takes {} to {} days",
                    ROTATION_PERIOD_DAYS.start(),
                    ROTATION_PERIOD_DAYS.end()
                );
                let help = "AWS's EnableKeyRotation accepts RotationPeriodInDays from 90 to 2560 (365 by default)";
                errors.push(loc.err(
                    At::Value(&format!("{key_ptr}/rotation_period_days")),
                    &format!("/keys/{name}/rotation_period_days"),
                    message,
                    Some(help.into()),
                ));
            }
        }
        let spec = match k.key_spec.as_deref() {
            None => Some(KeySpec::SYMMETRIC_DEFAULT),
            Some(s) => {
                let spec = parse_enum::<KeySpec>(s);
                if spec.is_none() {
                    let names: Vec<&str> = KeySpec::ALL.iter().map(KeySpec::as_str).collect();
                    let help = kmsim_policy::suggest(s, &names)
                        .map_or_else(|| format!("one of {}", names.join(", ")), |c| format!("did you mean `{c}`?"));
                    let at = format!("{key_ptr}/key_spec");
                    errors.push(loc.err(
                        At::Value(&at),
                        &format!("/keys/{name}/key_spec"),
                        format!("unknown key spec `{s}`"),
                        Some(help),
                    ));
                }
                spec
            }
        };
        if let Some(u) = k.key_usage.as_deref() {
            let at = format!("{key_ptr}/key_usage");
            let path = format!("/keys/{name}/key_usage");
            match parse_enum::<KeyUsage>(u) {
                None => {
                    let names: Vec<&str> = KeyUsage::ALL.iter().map(KeyUsage::as_str).collect();
                    let help = kmsim_policy::suggest(u, &names)
                        .map_or_else(|| format!("one of {}", names.join(", ")), |c| format!("did you mean `{c}`?"));
                    errors.push(loc.err(At::Value(&at), &path, format!("unknown key usage `{u}`"), Some(help)));
                }
                Some(usage) => {
                    if let Some(spec) = spec.filter(|s| !s.allowed_usages().contains(&usage)) {
                        let allowed: Vec<&str> = spec.allowed_usages().iter().map(KeyUsage::as_str).collect();
                        let message = format!("key usage `{u}` is not valid for key spec `{}`", spec.as_str());
                        let help = format!("a {} key is used for {}", spec.as_str(), allowed.join(" or "));
                        errors.push(loc.err(At::Value(&at), &path, message, Some(help)));
                    }
                }
            }
        }
        if let Some(id) = &k.key_id {
            if let Some((other, _)) = file.keys.iter().find(|(n, o)| *n < name && o.key_id.as_ref() == Some(id)) {
                let at = format!("{key_ptr}/key_id");
                let message = format!("keys `{other}` and `{name}` have the same key_id `{id}`");
                errors.push(loc.err(At::Value(&at), &format!("/keys/{name}/key_id"), message, None));
            }
        }
        if let Some(s) = &k.state {
            if parse_enum::<KeyState>(s).is_none() {
                let help = "one of Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, \
                            Unavailable, Creating, Updating";
                errors.push(loc.err(
                    At::Value(&format!("{key_ptr}/state")),
                    &format!("/keys/{name}/state"),
                    format!("unknown key state `{s}`"),
                    Some(help.into()),
                ));
            }
        }
    }
    aliases(file, loc, errors);
    for (i, g) in file.grants.iter().enumerate() {
        let account = default_account.map_or("111122223333", String::as_str);
        let who = [("grantee", Some(&g.grantee)), ("retiring_principal", g.retiring_principal.as_ref())];
        for (field, p) in who.into_iter().filter_map(|(f, p)| p.map(|p| (f, p))) {
            if !is_principal(&super::build::resolve_grantee(p, account)) {
                let at = format!("/grants/{i}/{field}");
                let help = "an IAM ARN (`arn:aws:iam::111122223333:role/App`), a short form (`role/App`, \
                            `user/alice`, `root`, `444455556666:role/App`) or a service principal (`s3.amazonaws.com`)";
                let message = format!("{} `{p}` is not a principal", field.replace('_', " "));
                errors.push(loc.err(At::Value(&at), &at, message, Some(help.into())));
            }
        }
        if !file.keys.contains_key(&g.key) {
            let message = format!("grant names key `{}`, which is not in `keys`", g.key);
            errors.push(loc.err(At::Value(&format!("/grants/{i}")), &format!("/grants/{i}/key"), message, None));
        }
        let known = crate::operation::grant_operations();
        for (j, op) in g.operations.iter().enumerate() {
            if !known.contains(&op.as_str()) {
                let help = kmsim_policy::suggest(op, &known)
                    .map_or_else(|| format!("one of {}", known.join(", ")), |c| format!("did you mean `{c}`?"));
                let at = format!("/grants/{i}/operations/{j}");
                errors.push(loc.err(At::Value(&at), &at, format!("unknown grant operation `{op}`"), Some(help)));
            }
        }
    }
    policies
}

/// Named role sessions: only roles have them, and their names, source identities, tags and MFA are ones
/// `AssumeRole` accepts (<https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>).
fn sessions(file: &ScenarioFile, loc: &Locate<'_>, errors: &mut Vec<ScenarioError>) {
    // RoleSessionName and SourceIdentity: 2 to 64 characters of `[\w+=,.@-]`.
    let sts_name = |s: &str| {
        (2..=64).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    };
    let sts_help = "2 to 64 characters: letters, digits and _+=,.@-";
    for (id, a) in &file.accounts {
        let ap = format!("/accounts/{}", esc(id));
        for name in a.users.iter().filter(|(_, u)| !u.sessions.is_empty()).map(|(n, _)| n) {
            let at = format!("{ap}/users/{}/sessions", esc(name));
            let message = format!("user `{name}` cannot have sessions: only a role is assumed");
            let help = "declare the sessions under a role in `roles`".to_string();
            errors.push(loc.err(At::Key(&at), &at, message, Some(help)));
        }
        for (role, r) in &a.roles {
            for (sn, session) in &r.sessions {
                let sp = format!("{ap}/roles/{}/sessions/{}", esc(role), esc(sn));
                if !sts_name(sn) {
                    let message = format!("`{sn}` is not a role session name");
                    errors.push(loc.err(At::Key(&sp), &sp, message, Some(sts_help.into())));
                }
                if let Some(si) = session.source_identity.as_deref().filter(|si| !sts_name(si)) {
                    let at = format!("{sp}/source_identity");
                    let message = format!("`{si}` is not a source identity");
                    errors.push(loc.err(At::Value(&at), &at, message, Some(sts_help.into())));
                }
                if session.mfa_age_seconds.is_some() && session.mfa != Some(true) {
                    let at = format!("{sp}/mfa_age_seconds");
                    let message =
                        "`mfa_age_seconds` needs `\"mfa\": true`: a session without MFA has no MFA age".into();
                    errors.push(loc.err(At::Value(&at), &at, message, None));
                }
                for (k, v) in &session.tags {
                    let at = format!("{sp}/tags/{}", esc(k));
                    if k.is_empty() || k.chars().count() > 128 {
                        let message = format!("session tag key `{k}` must be 1 to 128 characters");
                        errors.push(loc.err(At::Key(&at), &at, message, None));
                    }
                    if v.chars().count() > 256 {
                        let message = format!("the value of session tag `{k}` is longer than 256 characters");
                        errors.push(loc.err(At::Value(&at), &at, message, None));
                    }
                }
                if session.tags.len() > 50 {
                    let at = format!("{sp}/tags");
                    let message = format!("{} session tags: AssumeRole takes at most 50", session.tags.len());
                    errors.push(loc.err(At::Value(&at), &at, message, None));
                }
            }
        }
    }
}

/// Each alias is a valid alias name and names one key in its account.
fn aliases(file: &ScenarioFile, loc: &Locate<'_>, errors: &mut Vec<ScenarioError>) {
    let default_account = file.accounts.keys().next();
    let mut seen: BTreeMap<(Option<&String>, &str), &str> = BTreeMap::new();
    for (name, k) in &file.keys {
        for (j, a) in k.aliases.iter().enumerate() {
            let at = format!("/keys/{}/aliases/{j}", esc(name));
            let path = format!("/keys/{name}/aliases/{j}");
            if let Err(e) = crate::ids::validate_alias_name(a, true) {
                let message = format!("`{a}` is not an alias name");
                errors.push(loc.err(At::Value(&at), &path, message, Some(e.message)));
                continue;
            }
            match seen.get(&(k.account.as_ref().or(default_account), a.as_str())) {
                Some(other) => {
                    let message = if *other == name.as_str() {
                        format!("key `{name}` lists alias `{a}` twice")
                    } else {
                        format!("alias `{a}` is given to keys `{other}` and `{name}`")
                    };
                    let help = "an alias names one key of its account and Region".to_string();
                    errors.push(loc.err(At::Value(&at), &path, message, Some(help)));
                }
                None => {
                    seen.insert((k.account.as_ref().or(default_account), a.as_str()), name);
                }
            }
        }
    }
}

/// A principal a grant can name: an IAM user, role, role session, federated user or account root ARN with a
/// 12-digit account, or a service principal.
fn is_principal(arn: &str) -> bool {
    if let Some(service) = arn.strip_suffix(".amazonaws.com") {
        return !service.is_empty() && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", partition, service, "", account, resource] = parts.as_slice() else { return false };
    if partition.is_empty() || !crate::ids::is_account_id(account) {
        return false;
    }
    let named = |prefix: &str, segments: usize| {
        resource.strip_prefix(prefix).is_some_and(|rest| {
            let names: Vec<&str> = rest.split('/').collect();
            names.len() >= segments && names.iter().all(|n| !n.is_empty())
        })
    };
    match *service {
        "iam" => *resource == "root" || named("user/", 1) || named("role/", 1),
        "sts" => named("assumed-role/", 2) || named("federated-user/", 1),
        _ => false,
    }
}

fn validate_step(s: &StepSpec, loc: &Locate<'_>, path: &str, errors: &mut Vec<ScenarioError>) {
    let kinds = [s.call.is_some(), s.authorize.is_some(), s.advance.is_some(), s.service.is_some()];
    if kinds.iter().filter(|b| **b).count() != 1 {
        let message = "a step needs exactly one of `call`, `authorize`, `advance` or `service`".to_string();
        errors.push(loc.err(At::Value(path), path, message, None));
    }
    if let Some(svc) = &s.service {
        super::service_checks::service_step(s, svc, loc, path, errors);
    }
    if let Some(a) = &s.advance {
        if [a.days, a.hours, a.minutes, a.seconds].iter().any(|n| *n < 0) {
            let at = format!("{path}/advance");
            let message = "the clock only moves forward: `advance` takes no negative amounts".to_string();
            errors.push(loc.err(At::Value(&at), &at, message, None));
        }
    }
    if let Some(op) = &s.call {
        if !crate::api::OPERATIONS.contains(&op.as_str()) {
            let help = kmsim_policy::suggest(op, crate::api::OPERATIONS).map(|c| format!("did you mean `{c}`?"));
            let at = format!("{path}/call");
            errors.push(loc.err(At::Value(&at), &at, format!("unknown operation `{op}`"), help));
        }
        if s.caller.is_none() {
            errors.push(loc.err(
                At::Value(path),
                path,
                format!("the `{op}` call needs a caller: add `\"as\"`"),
                Some("e.g. \"as\": \"role/App\"".into()),
            ));
        }
    }
    if let Some(a) = &s.authorize {
        if a.resource.is_null() && a.key_id.is_none() {
            let at = format!("{path}/authorize");
            let message = "an `authorize` step needs a `resource` or a `key_id`".to_string();
            errors.push(loc.err(At::Value(&at), &at, message, Some("e.g. \"resource\": {\"$key\": \"app\"}".into())));
        }
        let known = crate::operation::grant_operations();
        for (j, op) in a.grant_operations.iter().flatten().enumerate() {
            if !known.contains(&op.as_str()) {
                let help = kmsim_policy::suggest(op, &known)
                    .map_or_else(|| format!("one of {}", known.join(", ")), |c| format!("did you mean `{c}`?"));
                let at = format!("{path}/authorize/grant_operations/{j}");
                errors.push(loc.err(At::Value(&at), &at, format!("unknown grant operation `{op}`"), Some(help)));
            }
        }
        if s.expect.as_ref().is_some_and(|e| e.audit.is_some()) {
            let at = format!("{path}/expect/audit");
            let message = "an `authorize` step only asks: it writes no audit record".to_string();
            errors.push(loc.err(At::Value(&at), &at, message, None));
        }
    }
    if s.call.is_none() && s.service.is_none() && s.expect.as_ref().is_some_and(|e| !e.response.is_empty()) {
        let at = format!("{path}/expect/response");
        let message = if s.authorize.is_some() {
            "an `authorize` step has no response to check: its decision is its `outcome`"
        } else {
            "an `advance` step has no response to check: its service events are in `events` and `audit`"
        };
        errors.push(loc.err(At::Value(&at), &at, message.to_string(), None));
    }
    if let Some(e) = &s.expect {
        let responses = e.response.iter().map(|(k, v)| (format!("{path}/expect/response/{}", esc(k)), v));
        let records = e
            .audit
            .iter()
            .flatten()
            .enumerate()
            .flat_map(|(i, r)| r.iter().map(move |(k, v)| (format!("{path}/expect/audit/{i}/{}", esc(k)), v)));
        for (at, v) in responses.chain(records) {
            if let Some(n) = super::expect::length(v).filter(|n| n.as_u64().is_none()) {
                let message = format!("`$length` takes a whole number, found `{n}`");
                errors.push(loc.err(At::Value(&format!("{at}/$length")), &at, message, None));
            }
        }
    }
    if let Some(o) = s.expect.as_ref().and_then(|e| e.outcome.as_ref()).filter(|_| s.service.is_none()) {
        if let Some(help) = outcome_problem(s.authorize.is_some(), o) {
            let at = format!("{path}/expect/outcome");
            errors.push(loc.err(At::Value(&at), &at, format!("unknown outcome `{o}`"), Some(help)));
        }
    }
}

/// What is wrong with an expected outcome of an `authorize` step (`authorize`) or a call, as the help to show.
pub(super) fn outcome_problem(authorize: bool, o: &str) -> Option<String> {
    let ok = if authorize {
        ["allow", "deny", "explicit-deny", "implicit-deny"].contains(&o)
    } else {
        o == "success" || o == super::expect::ANY_ERROR || ErrorCode::parse(o).is_some()
    };
    match (ok, authorize) {
        (true, _) => None,
        (false, true) => Some("one of allow, deny, explicit-deny, implicit-deny".to_string()),
        (false, false) => {
            Some("`success`, `error` (any error) or an AWS error code such as AccessDeniedException".to_string())
        }
    }
}

/// Every policy document of the file, as (JSON Pointer, policy name, type, document).
fn policy_documents<'f>(file: &'f ScenarioFile, step_index: &[usize]) -> Vec<(String, String, PolicyType, &'f J)> {
    let mut found = Vec::new();
    for (id, a) in &file.accounts {
        let ap = format!("/accounts/{}", esc(id));
        for (kind, principals) in [("users", &a.users), ("roles", &a.roles)] {
            for (name, p) in principals {
                let pp = format!("{ap}/{kind}/{}", esc(name));
                for (pn, doc) in &p.policies {
                    found.push((format!("{pp}/policies/{}", esc(pn)), pn.clone(), PolicyType::Identity, doc));
                }
                if let Some(b) = &p.permissions_boundary {
                    let path = format!("{pp}/permissions_boundary");
                    found.push((path, "permissions-boundary".into(), PolicyType::PermissionsBoundary, b));
                }
                for (sn, session) in p.sessions.iter().filter(|_| kind == "roles") {
                    if let Some(doc) = &session.policy {
                        let path = format!("{pp}/sessions/{}/policy", esc(sn));
                        found.push((path, "session".into(), PolicyType::Session, doc));
                    }
                }
            }
        }
        for (sn, doc) in &a.scps {
            found.push((format!("{ap}/scps/{}", esc(sn)), sn.clone(), PolicyType::Scp, doc));
        }
    }
    for (name, k) in &file.keys {
        if let Some(p) = &k.policy {
            found.push((format!("/keys/{}/policy", esc(name)), "default".into(), PolicyType::Resource, p));
        }
    }
    for (s, i) in file.steps.iter().zip(step_index) {
        if let Some(p) = &s.session_policy {
            found.push((format!("/steps/{i}/session_policy"), "session".into(), PolicyType::Session, p));
        }
        if let Some(p @ J::Object(_)) = s.params.as_ref().and_then(|p| p.get("Policy")) {
            found.push((format!("/steps/{i}/params/Policy"), "default".into(), PolicyType::Resource, p));
        }
    }
    found
}

/// Where a policy's own spans are in the scenario.
enum Base {
    /// A JSON object in the parsed text, starting at this byte offset.
    Offset(usize),
    /// A JSON string: positions are in the string's text.
    Text,
    /// A JSON object of a file built in code: only the pointer inside the policy.
    Detached,
}

/// Compiles every policy document, mapping its errors into the file. An object policy is compiled from its exact
/// text in the source (or its compact JSON without one).
fn compile_policies(
    file: &ScenarioFile,
    step_index: &[usize],
    loc: &Locate<'_>,
    errors: &mut Vec<ScenarioError>,
) -> BTreeMap<String, NamedPolicy> {
    let mut out = BTreeMap::new();
    for (path, name, ty, doc) in policy_documents(file, step_index) {
        let (text, base) = match (doc, loc) {
            (J::String(s), _) => (s.clone(), Base::Text),
            (J::Object(_), Locate::Tree { root, source, .. }) => match node_at(root, &path) {
                Some(n) => (
                    source.get(n.pos.offset..n.pos.offset + n.pos.len).unwrap_or("").to_string(),
                    Base::Offset(n.pos.offset),
                ),
                None => (doc.to_string(), Base::Detached),
            },
            (J::Object(_), Locate::Pointers) => (doc.to_string(), Base::Detached),
            (other, _) => {
                let message = format!("a policy must be a JSON object or a string, found {}", type_name(other));
                errors.push(loc.err(At::Value(&path), &path, message, None));
                continue;
            }
        };
        match NamedPolicy::parse(name, &text, ty) {
            Ok(p) => {
                out.insert(path, p);
            }
            Err(errs) => errors.extend(errs.errors.into_iter().map(|e| map_policy_error(e, &base, loc, &path))),
        }
    }
    out
}

/// Moves a policy error's location from the policy's own text into the scenario file.
fn map_policy_error(e: PolicyError, base: &Base, loc: &Locate<'_>, path: &str) -> ScenarioError {
    let (span, message) = match (base, loc) {
        (Base::Offset(b), Locate::Tree { lines, .. }) => {
            let pos = json::Pos { offset: b + e.span.offset as usize, len: e.span.len as usize };
            (lines.span(pos, &format!("{path}{}", e.span.path)), e.message)
        }
        (Base::Offset(_) | Base::Detached, _) => {
            (loc.span(At::Value(path), &format!("{path}{}", e.span.path)), e.message)
        }
        // A policy written as a JSON string: point at the string.
        (Base::Text, _) => (
            loc.span(At::Value(path), path),
            format!("in the policy text (line {}, column {}): {}", e.span.line, e.span.column, e.message),
        ),
    };
    ScenarioError { message, help: e.help, span }
}

fn type_name(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// The node at a path of member names.
pub(super) fn find<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    let mut cur = node;
    for k in keys {
        let Json::Object(ms) = &cur.value else { return None };
        cur = &ms.iter().find(|m| m.key == *k)?.value;
    }
    Some(cur)
}

pub(super) fn index(node: &Node, i: usize) -> Option<&Node> {
    let Json::Array(a) = &node.value else { return None };
    a.get(i)
}

pub(super) fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(J::String(s.to_string())).ok()
}
