//! Parse errors: every problem in a policy document, each with what is wrong and where.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A place in a policy's source text. Lines and columns are 1-based; columns count characters (not bytes).
/// `offset`/`len` are byte offsets into the source, for editors. `path` is a JSON Pointer, e.g. `/Statement/2/Condition`;
/// it is shared (`Arc<str>`) so that traces can copy a policy's spans cheaply, and serialises as a JSON string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub offset: u32,
    pub len: u32,
    pub path: Arc<str>,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "line {}, column {}", self.line, self.column)
        } else {
            write!(f, "line {}, column {} (at {})", self.line, self.column, self.path)
        }
    }
}

/// A place in a policy's source without its JSON Pointer: how a compiled policy keeps the place of each element and
/// entry. The pointer follows from where the value is in its statement (see `Statement`'s span methods), so it is
/// written out only when a [`Span`] is asked for, not once per value at parse time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Loc {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub offset: u32,
    pub len: u32,
}

impl Loc {
    /// The span of this place at `path`.
    pub fn span(self, path: Arc<str>) -> Span {
        let Loc { line, column, end_line, end_column, offset, len } = self;
        Span { line, column, end_line, end_column, offset, len, path }
    }
}

/// What kind of problem a [`PolicyError`] reports. Stable, serialised as the variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum ErrorKind {
    /// The text is not valid JSON.
    InvalidJson,
    /// An object repeats a key.
    DuplicateKey,
    /// An element name AWS does not know (e.g. `Statment`).
    UnknownElement,
    /// A required element is missing (e.g. `Effect`).
    MissingElement,
    /// Two elements that exclude each other (e.g. `Action` with `NotAction`).
    ConflictingElements,
    /// An element has the wrong JSON type (e.g. a number where a string is expected).
    InvalidType,
    /// An element's value is not allowed (e.g. `Effect: "Permit"`, a bad `Version`, a malformed ARN).
    InvalidValue,
    /// A condition operator AWS does not know.
    UnknownOperator,
    /// An element that this policy type does not allow (e.g. `Principal` in an identity policy).
    NotAllowedInPolicyType,
    /// The document is larger than this policy type allows.
    PolicyTooLarge,
    /// A character outside what AWS accepts in policies.
    InvalidCharacter,
    /// A policy variable that is malformed or not allowed where it is used.
    InvalidVariable,
}

/// One problem in a policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyError {
    pub kind: ErrorKind,
    /// One line, lower case, no final period; user input in backticks.
    pub message: String,
    /// What would be accepted instead, when that helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub span: Span,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.span, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Something in a policy that AWS accepts but that does not do what it seems to (for example a key policy statement
/// without `Resource`, which has no effect), as `Policy::warnings` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyWarning {
    /// One line, lower case, no final period; user input in backticks.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub span: Span,
}

/// Every problem found in one policy document (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyErrors {
    pub errors: Vec<PolicyError>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "policy has {n} error{}", if n == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}
