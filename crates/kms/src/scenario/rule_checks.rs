//! The load-time checks of a scenario's rules (issue 14): names given once, a pattern EventBridge would accept
//! (values in arrays, known matchers), a role of the scenario, a known state, known actions whose parameters read
//! as the call's (with `{"$event": PATH}` standing for a value), a topic for `Notify`.

use serde_json::Value as J;

use super::locate::{At, Locate};
use super::{RuleSpec, ScenarioError, ScenarioFile};
use crate::rules::{pattern, ACTIONS, STATES};

pub(super) fn check(file: &ScenarioFile, loc: &Locate<'_>, errors: &mut Vec<ScenarioError>) {
    for (i, rule) in file.rules.iter().enumerate() {
        check_rule(file, i, rule, &format!("/rules/{i}"), loc, errors);
    }
}

/// The checks of one rule, `rule`, as the file's rule `i` (its name against the rules before it), its problems
/// located under the pointer `at` (`/rules/i` in the file, empty in a rule's own text).
pub(super) fn check_rule(
    file: &ScenarioFile,
    i: usize,
    rule: &RuleSpec,
    at: &str,
    loc: &Locate<'_>,
    errors: &mut Vec<ScenarioError>,
) {
    let mut err =
        |at: &str, message: String, help: Option<String>| errors.push(loc.err(At::Value(at), at, message, help));
    let default_account = file.accounts.keys().next().map(String::as_str).unwrap_or("111122223333");
    if rule.name.trim().is_empty() {
        err(&format!("{at}/name"), "a rule needs a name".into(), None);
    } else if file.rules.iter().take(i).any(|r| r.name == rule.name) {
        err(&format!("{at}/name"), format!("two rules are named `{}`", rule.name), None);
    }
    for (ptr, message) in pattern::problems(&rule.pattern) {
        err(&format!("{at}/pattern{ptr}"), message, None);
    }
    let role = super::build::resolve_grantee(&rule.role, default_account);
    let mut parts = role.splitn(6, ':');
    let account = parts.nth(4).unwrap_or("");
    let name = parts.next().and_then(|r| r.strip_prefix("role/")).unwrap_or("");
    if !file.accounts.get(account).is_some_and(|a| a.roles.contains_key(name)) {
        let help = Some("a role of `accounts`, e.g. \"role/IncidentResponder\"".to_string());
        err(&format!("{at}/role"), format!("`{}` is not a role of the scenario's accounts", rule.role), help);
    }
    if let Some(s) = rule.state.as_deref().filter(|s| !STATES.contains(s)) {
        err(&format!("{at}/state"), format!("unknown rule state `{s}`"), Some(format!("one of {}", STATES.join(", "))));
    }
    if rule.actions.is_empty() {
        err(&format!("{at}/actions"), "a rule needs at least one action".into(), None);
    }
    for (j, a) in rule.actions.iter().enumerate() {
        let at = format!("{at}/actions/{j}");
        if !ACTIONS.contains(&a.action.as_str()) {
            let help = kmsim_policy::suggest(&a.action, ACTIONS)
                .map_or_else(|| format!("one of {}", ACTIONS.join(", ")), |c| format!("did you mean `{c}`?"));
            err(&format!("{at}/action"), format!("unknown action `{}`", a.action), Some(help));
            continue;
        }
        if a.action == "Notify" {
            if a.topic.as_deref().is_none_or(str::is_empty) {
                err(&at, "`Notify` needs a `topic`".into(), Some("e.g. \"topic\": \"security-alerts\"".into()));
            }
            if a.params.is_some() {
                let help = Some("a notification takes `topic` and `message`".to_string());
                err(&format!("{at}/params"), "`params` belong to the KMS actions, not to `Notify`".into(), help);
            }
            continue;
        }
        // Read the parameters as the call's, an `$event` placeholder and the default KeyId standing for text.
        let stand_in = serde_json::json!({ "detail": { "resources": [ { "ARN": "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000" } ] } });
        let mut spec = a.clone();
        spec.params = a.params.as_ref().map(placeholders_as_text);
        match super::rules::action_params(&spec, &stand_in) {
            Ok(params) => {
                if let Err(e) = crate::api::KmsRequest::from_parts(&a.action, params) {
                    err(&format!("{at}/params"), e.message, None);
                }
            }
            Err(e) => err(&format!("{at}/params"), e, None),
        }
        if a.topic.is_some() || a.message.is_some() {
            err(&at, format!("`topic` and `message` belong to `Notify`, not `{}`", a.action), None);
        }
    }
}

fn placeholders_as_text(v: &J) -> J {
    match v {
        J::Object(m) if m.len() == 1 && m.contains_key("$event") => J::String("x".into()),
        J::Object(m) => J::Object(m.iter().map(|(k, x)| (k.clone(), placeholders_as_text(x))).collect()),
        J::Array(a) => J::Array(a.iter().map(placeholders_as_text).collect()),
        other => other.clone(),
    }
}
