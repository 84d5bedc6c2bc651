//! The policy editor's requests: lint findings, completion and hover (`crate::lint`), for the JS API.

use super::{policy_type, Failure};
use crate::lint::complete::{self, Completions, Hover};
use crate::lint::{self, Finding};

/// Lints a policy of type `ty` (`resource` for a key policy): every finding, `KMS001` ones when AWS would reject
/// the text. Bad policy text is an answer; only an unknown policy type fails.
pub fn lint_policy(text: &str, ty: &str) -> Result<Vec<Finding>, Failure> {
    Ok(lint::lint(text, policy_type(ty)?))
}

/// The completion candidates at byte `offset` of `text` (`None` outside a string that completion knows).
pub fn complete_policy(text: &str, offset: usize) -> Option<Completions> {
    complete::complete(text, offset)
}

/// What the string at byte `offset` of `text` names (`None` when nothing the catalogue knows).
pub fn hover_policy(text: &str, offset: usize) -> Option<Hover> {
    complete::hover(text, offset)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

    use super::*;
    use crate::session::to_json;

    #[test]
    fn lint_answers_findings_and_fails_only_on_an_unknown_type() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrpyt", "Resource": "*"}]}"#;
        let v = to_json(&lint_policy(text, "identity").unwrap());
        assert_eq!(v[0]["code"], "KMS101-unknown-action");
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["fix"]["replacement"], "\"kms:Encrypt\"");
        assert_eq!(v[0]["location"]["column"], 71);
        assert_eq!(to_json(&lint_policy("{", "identity").unwrap())[0]["code"], "KMS001-invalid-policy");
        assert!(lint_policy(text, "Identity").unwrap_err().message.contains("unknown policy type `Identity`"));
    }

    #[test]
    fn completion_and_hover_answer_or_nothing() {
        let text = r#"{"Action": "kms:Enc"#;
        assert_eq!(to_json(&complete_policy(text, text.len()))["items"][0]["label"], "kms:Encrypt");
        assert_eq!(to_json(&hover_policy(r#"{"Action": "kms:Encrypt"}"#, 14))["title"], "kms:Encrypt");
        assert_eq!(to_json(&complete_policy(text, 0)), serde_json::Value::Null);
        assert_eq!(to_json(&hover_policy("{}", 1)), serde_json::Value::Null);
    }
}
