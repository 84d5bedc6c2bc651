//! Rule documents: each of the scenario's automated-response rules (`rules`) is one document in the `rules` group,
//! its JSON pretty-printed. A rule is not a policy: its text is read and checked by the core as the file's rule
//! would be (`Scenario::check_rule_text`: the pattern, the role, the actions and their parameters), against the
//! scenario's accounts and the rules before it, every problem located at its line and column in the document.
//!
//! The scenario holds rules as typed values, so a rule document that does not read is kept as typed in the
//! snapshot's `texts` (and the scenario keeps the rule's last text that read).

use std::collections::BTreeMap;

use kmsim_kms::lint::{Finding, Severity};
use kmsim_kms::rules::STATES;
use kmsim_kms::scenario::{read_text, RuleSpec, Scenario, ScenarioFile};
use kmsim_policy::json::{self, Json, LineIndex, Node};
use kmsim_policy::{ErrorKind, PolicyError, PolicyWarning};

use super::{Doc, DocLoc};

/// A rule as its document shows it.
pub fn text_of(rule: &RuleSpec) -> String {
    serde_json::to_string_pretty(rule).unwrap_or_default()
}

/// Appends one document per rule of `file` and checks them.
pub(super) fn extract(file: &ScenarioFile, docs: &mut Vec<Doc>) {
    for (index, r) in file.rules.iter().enumerate() {
        docs.push(Doc::new(DocLoc::Rule { index, name: r.name.clone() }, text_of(r)));
    }
    check(file, docs);
}

/// Writes a rule document into the scenario when its text reads as a rule (else the scenario keeps the last one).
pub(super) fn splice(file: &mut ScenarioFile, index: usize, source: &str) {
    if let (Ok(rule), Some(slot)) = (read_text::<RuleSpec>(source), file.rules.get_mut(index)) {
        *slot = rule;
    }
}

/// Checks every rule document against `base`'s accounts and the other rule documents; a rule that reads takes its
/// name from its text.
pub fn check(base: &ScenarioFile, docs: &mut [Doc]) {
    let mut file =
        ScenarioFile { accounts: base.accounts.clone(), rules: base.rules.clone(), ..ScenarioFile::default() };
    for d in docs.iter() {
        if let DocLoc::Rule { index, .. } = &d.loc {
            splice(&mut file, *index, &d.source);
        }
    }
    for d in docs.iter_mut() {
        let DocLoc::Rule { index, name } = &mut d.loc else { continue };
        match Scenario::check_rule_text(&file, *index, &d.source) {
            Ok(rule) => {
                name.clone_from(&rule.name);
                d.errors.clear();
                d.warnings = warnings(&rule, &d.source);
            }
            Err(errors) => {
                let kind = |path: &str| if path.is_empty() { ErrorKind::InvalidJson } else { ErrorKind::InvalidValue };
                d.errors = errors
                    .into_iter()
                    .map(|e| PolicyError { kind: kind(&e.span.path), message: e.message, help: e.help, span: e.span })
                    .collect();
                d.warnings.clear();
            }
        }
    }
}

/// What the rule accepts but will never match: an `eventName` of a read-only call (`Get*`, `List*`, `Describe*`),
/// which EventBridge delivers only to a rule in the state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`
/// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
fn warnings(rule: &RuleSpec, source: &str) -> Vec<PolicyWarning> {
    if rule.state.as_deref() == STATES.get(1).copied() {
        return Vec::new();
    }
    let names = rule.pattern.pointer("/detail/eventName").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    let read_only = names
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|n| ["Get", "List", "Describe"].iter().any(|p| n.starts_with(p) && n.len() > p.len()));
    let parsed = json::parse(source);
    let lines = LineIndex::new(source);
    let at = parsed.root.as_ref().ok().and_then(|root| node_at(root, &["pattern", "detail", "eventName"]));
    read_only
        .map(|n| PolicyWarning {
            message: format!(
                "EventBridge does not deliver `{n}` events to a rule in the state ENABLED: the rule never matches them"
            ),
            help: Some(
                "set \"state\": \"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\" to receive read-only calls".into(),
            ),
            span: lines.span(at.map(|node| node.pos).unwrap_or_default(), "/pattern/detail/eventName"),
        })
        .collect()
}

fn node_at<'a>(root: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(root, |node, key| match &node.value {
        Json::Object(members) => members.iter().find(|m| m.key == *key).map(|m| &m.value),
        _ => None,
    })
}

/// The EventBridge page on event patterns, which the rule documents' diagnostics rest on.
pub const PATTERNS_PAGE: &str = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html";

/// A rule document's problems and warnings as the editor's inline findings.
pub fn findings(doc: &Doc) -> Vec<Finding> {
    let errors = doc.errors.iter().map(|e| (Severity::Error, "rule-error", &e.message, &e.help, &e.span));
    let warnings = doc.warnings.iter().map(|w| (Severity::Warning, "rule-warning", &w.message, &w.help, &w.span));
    errors
        .chain(warnings)
        .map(|(severity, code, message, help, span)| Finding {
            code: code.to_string(),
            severity,
            message: message.clone(),
            location: span.clone(),
            help: help.clone(),
            doc_url: PATTERNS_PAGE.to_string(),
            fix: None,
        })
        .collect()
}

/// The rule documents' texts a snapshot must keep: those that are not their rule pretty-printed.
pub fn texts(docs: &[Doc]) -> BTreeMap<String, String> {
    docs.iter()
        .filter(|d| d.loc.is_rule())
        .filter(|d| read_text::<RuleSpec>(&d.source).map_or(true, |r| text_of(&r) != d.source))
        .map(|d| (d.loc.pointer(), d.source.clone()))
        .collect()
}

/// Puts a snapshot's kept texts back into their documents (loaded from `base`) and checks them again.
pub fn restore(base: &ScenarioFile, docs: &mut [Doc], texts: &BTreeMap<String, String>) {
    if texts.is_empty() {
        return;
    }
    for d in docs.iter_mut() {
        if let Some(text) = texts.get(&d.loc.pointer()) {
            d.source.clone_from(text);
            d.reparse();
        }
    }
    check(base, docs);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;
    use crate::model::{extract, splice};

    fn lesson_14() -> ScenarioFile {
        let l = crate::starts::LESSONS.iter().find(|l| l.id.ends_with("14-automated-incident-response")).unwrap();
        Scenario::parse(l.text).unwrap().file
    }

    fn rule_doc(docs: &[Doc], i: usize) -> usize {
        docs.iter().position(|d| d.loc.pointer() == format!("/rules/{i}")).unwrap()
    }

    #[test]
    fn each_rule_is_a_document_in_the_rules_group() {
        let file = lesson_14();
        let docs = extract(&file);
        let rules: Vec<&Doc> = docs.iter().filter(|d| d.loc.is_rule()).collect();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].loc.group(), "rules");
        assert_eq!(rules[0].loc.label(), "rule lock-on-foreign-decrypt");
        assert_eq!(rules[1].loc.pointer(), "/rules/1");
        assert!(rules.iter().all(|d| d.errors.is_empty() && d.warnings.is_empty()), "{rules:?}");
        // Key order as written: name, pattern, role, actions.
        assert!(rules[0].source.find("\"pattern\"") < rules[0].source.find("\"role\""));
    }

    #[test]
    fn an_edited_rule_is_spliced_and_a_broken_one_is_located_and_kept() {
        let file = lesson_14();
        let mut docs = extract(&file);
        let i = rule_doc(&docs, 0);
        docs[i].source = docs[i].source.replace("\"DisableKey\"", "\"DisableKy\"");
        check(&file, &mut docs);
        let e = &docs[i].errors;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].message, "unknown action `DisableKy`");
        assert_eq!(&*e[0].span.path, "/actions/0/action");
        let line = docs[i].source.lines().position(|l| l.contains("DisableKy")).unwrap() + 1;
        assert_eq!(e[0].span.line as usize, line);
        assert_eq!(e[0].help.as_deref(), Some("did you mean `DisableKey`?"));
        // A text that reads as a rule goes into the scenario (it is then checked by the run); the typed text is kept.
        let mut spliced = file.clone();
        splice(&mut spliced, &docs);
        assert_eq!(spliced.rules[0].actions[0].action, "DisableKy");
        assert_eq!(texts(&docs).len(), 0, "a pretty-printed rule is not kept twice");
        docs[i].source.push_str(" oops");
        check(&file, &mut docs);
        assert_eq!(docs[i].errors[0].kind, ErrorKind::InvalidJson);
        let kept = texts(&docs);
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["/rules/0"]);
        let mut back = extract(&spliced);
        restore(&spliced, &mut back, &kept);
        assert_eq!(back[i].source, docs[i].source);
        assert_eq!(back[i].errors, docs[i].errors);
    }

    #[test]
    fn a_rule_knows_the_scenarios_roles_and_the_other_rules_names() {
        let file = lesson_14();
        let mut docs = extract(&file);
        let (a, b) = (rule_doc(&docs, 0), rule_doc(&docs, 1));
        docs[a].source = docs[a].source.replace("role/IncidentResponder", "role/Nobody");
        docs[b].source = docs[b].source.replace("use-while-pending-deletion", "lock-on-foreign-decrypt");
        check(&file, &mut docs);
        assert_eq!(docs[a].errors[0].message, "`role/Nobody` is not a role of the scenario's accounts");
        assert_eq!(docs[b].errors[0].message, "two rules are named `lock-on-foreign-decrypt`");
        // Renamed: the document's label follows its text.
        docs[b].source = docs[b].source.replace("\"lock-on-foreign-decrypt\"", "\"renamed\"");
        check(&file, &mut docs);
        assert!(docs[b].errors.is_empty(), "{:?}", docs[b].errors);
        assert_eq!(docs[b].loc.label(), "rule renamed");
    }

    #[test]
    fn problems_and_warnings_are_the_editors_findings() {
        let file = lesson_14();
        let mut docs = extract(&file);
        let i = rule_doc(&docs, 0);
        assert!(findings(&docs[i]).is_empty());
        docs[i].source = docs[i].source.replace("\"DisableKey\"", "\"DisableKy\"");
        check(&file, &mut docs);
        let f = findings(&docs[i]);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].message.as_str()), (Severity::Error, "unknown action `DisableKy`"));
        assert_eq!(f[0].location, docs[i].errors[0].span);
        assert!(f[0].location.len > 0, "an inline mark has a width");
    }

    #[test]
    fn a_read_only_event_name_is_a_warning_unless_the_state_receives_it() {
        let file = lesson_14();
        let mut docs = extract(&file);
        let i = rule_doc(&docs, 0);
        docs[i].source = docs[i].source.replacen("\"Decrypt\"", "\"DescribeKey\"", 1);
        check(&file, &mut docs);
        assert!(docs[i].errors.is_empty(), "{:?}", docs[i].errors);
        let w = &docs[i].warnings;
        assert_eq!(w.len(), 1);
        assert!(w[0].message.starts_with("EventBridge does not deliver `DescribeKey` events"), "{}", w[0].message);
        let line = docs[i].source.lines().position(|l| l.contains("\"eventName\"")).unwrap() + 1;
        assert_eq!(w[0].span.line as usize, line);
        docs[i].source = docs[i].source.replacen(
            "\"role\"",
            "\"state\": \"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\",\n  \"role\"",
            1,
        );
        check(&file, &mut docs);
        assert!(docs[i].errors.is_empty() && docs[i].warnings.is_empty(), "{docs:?}");
    }
}
