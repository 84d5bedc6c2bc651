//! A rule read from its own JSON text (the playground edits each of a scenario's rules as a document): the same
//! located read and the same checks as the rule gets inside a file, every problem with its line and column in the
//! rule's text and its JSON Pointer from the rule (`/actions/3/action`).

use kmsim_policy::json::LineIndex;

use super::locate::Locate;
use super::located::{self, Path, Skip};
use super::{RuleSpec, Scenario, ScenarioError, ScenarioFile};

impl Scenario {
    /// Reads `text` as the rule at index `index` of `file` (its name is checked against the rules before it, its
    /// role against `file`'s accounts) and checks it as [`Scenario::parse`] would; the rule, or every problem found.
    pub fn check_rule_text(file: &ScenarioFile, index: usize, text: &str) -> Result<RuleSpec, Vec<ScenarioError>> {
        let lines = LineIndex::new(text);
        let mut errors = Vec::new();
        let Some(root) = super::parse::object_root(text, &lines, "a rule", &mut errors) else {
            return Err(errors);
        };
        let rule = match located::from_node::<RuleSpec>(&root, &Path::Root, &Skip::new()) {
            Ok(rule) => rule,
            Err(e) => {
                let (pos, path) = e.at.unwrap_or_default();
                errors.push(ScenarioError { message: e.message, help: e.help, span: lines.span(pos, &path) });
                return Err(errors);
            }
        };
        let loc = Locate::Tree { root: &root, lines: &lines, source: text };
        super::rule_checks::check_rule(file, index, &rule, "", &loc, &mut errors);
        if errors.is_empty() {
            Ok(rule)
        } else {
            errors.sort_by_key(|e| (e.span.line, e.span.column));
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    fn lesson_14() -> ScenarioFile {
        let text = include_str!("../../../../lessons/14-automated-incident-response.json");
        Scenario::parse(text).unwrap().file
    }

    fn problems(text: &str) -> Vec<(u32, u32, String, String)> {
        let errs = Scenario::check_rule_text(&lesson_14(), 0, text).unwrap_err();
        errs.into_iter().map(|e| (e.span.line, e.span.column, e.span.path.to_string(), e.message)).collect()
    }

    #[test]
    fn a_rule_of_the_file_reads_back_from_its_text() {
        let file = lesson_14();
        let text = serde_json::to_string_pretty(&file.rules[0]).unwrap();
        assert_eq!(Scenario::check_rule_text(&file, 0, &text).unwrap(), file.rules[0]);
    }

    #[test]
    fn an_unknown_action_is_located_in_the_rule_text() {
        let text = "{\n  \"name\": \"r\",\n  \"role\": \"role/IncidentResponder\",\n  \"pattern\": {\"source\": [\"aws.kms\"]},\n  \"actions\": [\n    {\"action\": \"DisableKy\"}\n  ]\n}";
        let p = problems(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].0, p[0].1, p[0].2.as_str()), (6, 16, "/actions/0/action"));
        assert_eq!(p[0].3, "unknown action `DisableKy`");
    }

    #[test]
    fn a_bad_pattern_an_unknown_role_and_a_field_are_located() {
        let text = "{\"name\": \"r\", \"role\": \"role/Nobody\",\n \"pattern\": {\"detail\": {\"eventName\": \"Decrypt\"}},\n \"actions\": [{\"action\": \"Notify\", \"topic\": \"t\"}]}";
        let p = problems(text);
        let paths: Vec<&str> = p.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(paths, ["/role", "/pattern/detail/eventName"], "{p:?}");
        assert_eq!(p[1].0, 2);
        let p = problems("{\"name\": \"r\", \"rol\": 1}");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].3.contains("rol"), "{p:?}");
        assert!(!p[0].3.contains("RuleSpec"), "{p:?}");
    }

    #[test]
    fn text_that_is_not_a_rule_object() {
        let p = problems("{\"name\": ");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 1);
        assert_eq!(problems("[]")[0].3, "a rule must be a JSON object, found an array");
        let p = problems("{\"name\": \"a\", \"name\": \"b\"}");
        assert!(p.iter().any(|x| x.3 == "duplicate key `name`"), "{p:?}");
    }

    #[test]
    fn notify_takes_no_params() {
        let text = "{\"name\": \"r\", \"role\": \"role/IncidentResponder\", \"pattern\": {},\n \"actions\": [{\"action\": \"Notify\", \"topic\": \"t\", \"params\": {}}]}";
        let p = problems(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].0, p[0].2.as_str()), (2, "/actions/0/params"));
        assert_eq!(p[0].3, "`params` belong to the KMS actions, not to `Notify`");
    }

    #[test]
    fn a_second_rule_with_the_first_ones_name() {
        let file = lesson_14();
        let text = serde_json::to_string(&file.rules[0]).unwrap();
        let errs = Scenario::check_rule_text(&file, 1, &text).unwrap_err();
        assert_eq!(errs[0].message, "two rules are named `lock-on-foreign-decrypt`");
        assert_eq!(&*errs[0].span.path, "/name");
    }
}
