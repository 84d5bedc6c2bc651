//! Read-only views of a parsed policy with the location of every element, for analysis tools (kmsim's lint):
//! each entry as written and its [`Span`], so that a tool reports findings where they are without parsing the text
//! again.

use crate::error::Span;
use crate::model::{Condition, Family, SetOp, Statement};

/// A value as written and where it is (a string's span includes its quotes).
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub text: &'a str,
    pub span: &'a Span,
}

/// The value type an operator compares as (IAM's condition operator families).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorType {
    /// `String...` (`StringLike` too).
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

/// A set operator prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOperator {
    ForAnyValue,
    ForAllValues,
}

/// One condition (an operator, a key and its values), with locations.
#[derive(Debug, Clone, Copy)]
pub struct ConditionView<'a> {
    c: &'a Condition,
}

impl<'a> ConditionView<'a> {
    /// The operator as written (`ForAnyValue:StringEqualsIfExists`) and where its name is.
    pub fn operator(&self) -> Located<'a> {
        Located { text: &self.c.op_text, span: &self.c.op_span }
    }
    /// The base operator's name (`StringEquals`).
    pub fn base(&self) -> &'static str {
        self.c.op.base
    }
    pub fn operator_type(&self) -> OperatorType {
        match self.c.op.family {
            Family::Str | Family::StrIc | Family::Like => OperatorType::String,
            Family::Num => OperatorType::Numeric,
            Family::Date => OperatorType::Date,
            Family::Bool => OperatorType::Bool,
            Family::Bin => OperatorType::Binary,
            Family::Ip => OperatorType::IpAddress,
            Family::Arn => OperatorType::Arn,
            Family::Null => OperatorType::Null,
        }
    }
    pub fn set_operator(&self) -> Option<SetOperator> {
        match self.c.op.set {
            SetOp::None => None,
            SetOp::ForAnyValue => Some(SetOperator::ForAnyValue),
            SetOp::ForAllValues => Some(SetOperator::ForAllValues),
        }
    }
    /// Whether the operator ends in `IfExists`.
    pub fn if_exists(&self) -> bool {
        self.c.op.if_exists
    }
    /// Whether the operator is a negated one (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`).
    pub fn negated(&self) -> bool {
        self.c.op.negated
    }
    /// The condition key as written and where its name is.
    pub fn key(&self) -> Located<'a> {
        Located { text: &self.c.key_text, span: &self.c.key_span }
    }
    /// The whole `"key": values` member.
    pub fn span(&self) -> &'a Span {
        &self.c.span
    }
    pub fn values(&self) -> impl Iterator<Item = Located<'a>> + 'a {
        self.c.values.iter().map(|v| Located { text: &v.text, span: &v.span })
    }
}

/// A `Principal`/`NotPrincipal` entry: its type (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the
/// bare wildcard) and its value.
#[derive(Debug, Clone, Copy)]
pub struct PrincipalView<'a> {
    pub ptype: &'static str,
    pub value: Located<'a>,
}

impl Statement {
    /// The `Action`/`NotAction` element's span.
    pub fn action_span(&self) -> &Span {
        &self.action.span
    }
    /// The `Action`/`NotAction` entries, with locations.
    pub fn action_entries(&self) -> impl Iterator<Item = Located<'_>> {
        self.action.entries.iter().map(|e| Located { text: self.action.text(e), span: &e.span })
    }
    /// The `Principal`/`NotPrincipal` element's span.
    pub fn principal_span(&self) -> Option<&Span> {
        self.principal.as_ref().map(|p| &p.span)
    }
    /// The `Principal`/`NotPrincipal` entries, with locations.
    pub fn principal_entries(&self) -> impl Iterator<Item = PrincipalView<'_>> {
        self.principal.iter().flat_map(|p| {
            p.entries.iter().map(|e| PrincipalView { ptype: e.ptype, value: Located { text: &e.text, span: &e.span } })
        })
    }
    /// The `Resource`/`NotResource` element's span.
    pub fn resource_span(&self) -> Option<&Span> {
        self.resource.as_ref().map(|r| &r.span)
    }
    /// The `Resource`/`NotResource` entries, with locations.
    pub fn resource_entries(&self) -> impl Iterator<Item = Located<'_>> {
        self.resource.iter().flat_map(|r| r.entries.iter().map(|e| Located { text: &e.text, span: &e.span }))
    }
    /// The conditions, with locations.
    pub fn condition_views(&self) -> impl Iterator<Item = ConditionView<'_>> {
        self.conditions.iter().map(|c| ConditionView { c })
    }
}

/// Whether `text` matches the policy pattern `pattern` (`*` any run of characters, `?` one), ignoring ASCII case:
/// how `Action` entries match action names.
pub fn wildcard_matches(pattern: &str, text: &str) -> bool {
    crate::glob::Glob::new(&pattern.to_ascii_lowercase()).matches(&text.to_ascii_lowercase())
}

/// Every base condition operator's name (`StringEquals`, ..., `Null`), for completion.
pub fn operator_names() -> impl Iterator<Item = &'static str> {
    crate::model::OPERATORS.iter().map(|(name, ..)| *name)
}
