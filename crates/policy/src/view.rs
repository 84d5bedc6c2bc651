//! Read-only views of a parsed policy with the location of every element, for analysis tools (kmsim's lint):
//! each entry as written and its [`Span`], so that a tool reports findings where they are without parsing the text
//! again.

use crate::error::Span;
use crate::model::{
    ActionEntry, CondValue, Condition, Family, PrincipalEl, PrincipalEntry, ResourceEl, ResourceEntry, SetOp, Statement,
};

/// A value as written and where it is: [`Located::span`] (a string's span includes its quotes), made when asked for,
/// so that reading the texts costs nothing more.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub text: &'a str,
    st: &'a Statement,
    place: Place<'a>,
}

/// What a [`Located`] value is in its statement.
#[derive(Debug, Clone, Copy)]
enum Place<'a> {
    Action(&'a ActionEntry),
    Principal(&'a PrincipalEl, &'a PrincipalEntry),
    Resource(&'a ResourceEl, &'a ResourceEntry),
    Operator(&'a Condition),
    Key(&'a Condition),
    Value(&'a Condition, &'a CondValue),
}

impl Located<'_> {
    /// Where the value is: its JSON Pointer, byte range, lines and columns.
    pub fn span(&self) -> Span {
        let st = self.st;
        match self.place {
            Place::Action(e) => st.action_entry_span(e),
            Place::Principal(el, e) => st.principal_entry_span(el, e),
            Place::Resource(el, e) => st.resource_entry_span(el, e),
            Place::Operator(c) => st.op_span(c),
            Place::Key(c) => st.key_span(c),
            Place::Value(c, v) => st.value_span(c, v),
        }
    }
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
    st: &'a Statement,
    c: &'a Condition,
}

impl<'a> ConditionView<'a> {
    /// The operator as written (`ForAnyValue:StringEqualsIfExists`) and where its name is.
    pub fn operator(&self) -> Located<'a> {
        Located { text: &self.c.op_text, st: self.st, place: Place::Operator(self.c) }
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
        Located { text: &self.c.key_text, st: self.st, place: Place::Key(self.c) }
    }
    /// The whole `"key": values` member.
    pub fn span(&self) -> Span {
        self.st.condition_span(self.c)
    }
    pub fn values(&self) -> impl Iterator<Item = Located<'a>> + 'a {
        let (st, c) = (self.st, self.c);
        c.values.iter().map(move |v| Located { text: &v.text, st, place: Place::Value(c, v) })
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
    pub fn action_span(&self) -> Span {
        self.action_el_span()
    }
    /// The `Action`/`NotAction` entries, with locations.
    pub fn action_entries(&self) -> impl Iterator<Item = Located<'_>> {
        self.action.entries.iter().map(|e| Located { text: self.action.text(e), st: self, place: Place::Action(e) })
    }
    /// Whether the statement's `Action` (or `NotAction`) element covers `action` (`service:Name`), matched as
    /// evaluation matches a request's action (wildcards in the service and the name, any ASCII case).
    pub fn covers_action(&self, action: &str) -> bool {
        crate::eval::action_el_covers(&self.action, action)
    }
    /// The `Principal`/`NotPrincipal` element's span.
    pub fn principal_span(&self) -> Option<Span> {
        self.principal.as_ref().map(|p| self.principal_el_span(p))
    }
    /// The `Principal`/`NotPrincipal` entries, with locations.
    pub fn principal_entries(&self) -> impl Iterator<Item = PrincipalView<'_>> {
        self.principal.iter().flat_map(move |p| {
            p.entries.iter().map(move |e| PrincipalView {
                ptype: e.ptype,
                value: Located { text: &e.text, st: self, place: Place::Principal(p, e) },
            })
        })
    }
    /// The `Resource`/`NotResource` element's span.
    pub fn resource_span(&self) -> Option<Span> {
        self.resource.as_ref().map(|r| self.resource_el_span(r))
    }
    /// The `Resource`/`NotResource` entries, with locations.
    pub fn resource_entries(&self) -> impl Iterator<Item = Located<'_>> {
        self.resource.iter().flat_map(move |r| {
            r.entries.iter().map(move |e| Located { text: &e.text, st: self, place: Place::Resource(r, e) })
        })
    }
    /// The conditions, with locations.
    pub fn condition_views(&self) -> impl Iterator<Item = ConditionView<'_>> {
        self.conditions.iter().map(move |c| ConditionView { st: self, c })
    }
}

/// Whether `text` matches the policy pattern `pattern` (`*` any run of characters, `?` one), ignoring ASCII case:
/// how `Action` entries match action names.
pub fn wildcard_matches(pattern: &str, text: &str) -> bool {
    crate::glob::matches_once_fold(pattern, text)
}

/// Every base condition operator's name (`StringEquals`, ..., `Null`), for completion.
pub fn operator_names() -> impl Iterator<Item = &'static str> {
    crate::model::OPERATORS.iter().map(|(name, ..)| *name)
}
