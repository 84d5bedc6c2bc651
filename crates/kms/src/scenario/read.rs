//! Typed reads of the scenario's types, and of types made of them (the playground's saved state, a step, a rule),
//! from JSON that is not a whole scenario file, with the scenario parser's located reader: an error carries its line,
//! column and JSON Pointer and is worded as the parser words it. Nothing is checked beyond the types (the checks are
//! [`super::Scenario::parse`]'s and [`super::Scenario::from_file`]'s). A program that reads these types only through
//! the located reader compiles one deserializer of them, not two (the playground's bundle).

use kmsim_policy::json::LineIndex;
use kmsim_policy::Span;
use serde::de::DeserializeOwned;

use super::located::{self, LocatedError};
use super::ScenarioError;

/// Reads `T` from JSON text; the error's span is in the text (a duplicate key is an error, as in a scenario file).
pub fn read_text<T: DeserializeOwned>(text: &str) -> Result<T, ScenarioError> {
    located::from_text(text).map_err(|e| error(e, Some(text)))
}

/// Reads `T` from a JSON value; the error's span has the JSON Pointer only (line and column 0).
pub fn read_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, ScenarioError> {
    located::from_value(value).map_err(|e| error(e, None))
}

fn error(e: LocatedError, text: Option<&str>) -> ScenarioError {
    let (pos, path) = e.at.unwrap_or_default();
    let span = match text {
        Some(text) => LineIndex::new(text).span(pos, &path),
        None => Span { path: path.as_str().into(), ..Span::default() },
    };
    ScenarioError { message: e.message, help: e.help, span }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests may fail loudly")]

    use super::*;
    use crate::scenario::{Scenario, ScenarioFile, StepSpec};

    #[test]
    fn reads_what_the_parser_reads_and_locates_what_it_rejects() {
        let text = include_str!("../../../../lessons/01-least-privilege.json");
        let file: ScenarioFile = read_text(text).unwrap();
        assert_eq!(file, Scenario::parse(text).unwrap().file);
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(read_value::<ScenarioFile>(&value).unwrap(), file);

        let e = read_text::<StepSpec>("{\n  \"call\": \"Encrypt\", \"nte\": 1\n}").unwrap_err();
        assert_eq!(e.message, "unknown field `nte`");
        assert_eq!(e.help.as_deref(), Some("did you mean `note`?"));
        assert_eq!((e.span.line, e.span.column, &*e.span.path), (2, 22, "/nte"));

        let e = read_value::<StepSpec>(&serde_json::json!({"name": 3})).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.span.line, &*e.span.path),
            ("invalid type: integer `3`, expected a string", 0, "/name")
        );
        let e = read_text::<StepSpec>("{\"name\": \"a\", \"name\": \"b\"}").unwrap_err();
        assert_eq!((e.message.as_str(), &*e.span.path), ("duplicate key `name`", "/name"));
    }
}
