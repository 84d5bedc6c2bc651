#![doc = include_str!("../README.md")]

mod binary;
mod error;
mod eval;
mod glob;
pub mod json;
mod model;
mod num;
mod parse;
mod policy_type;
mod render;
mod request;
mod result;
mod suggest;
mod texts;
mod time;
mod values;
mod vars;

pub use error::{ErrorKind, PolicyError, PolicyErrors, PolicyWarning, Span};
pub use model::{Policy, Statement};
pub use policy_type::PolicyType;
pub use render::render_text;
pub use request::{Context, ContextValue, Principal, PrincipalKind, Request, Value, ValueError};
pub use result::{
    ConditionTrace, Decision, Effect, ElementName, ElementTrace, EntrySource, EntryTrace, EvalOptions, PolicyDecision,
    PolicyResult, PolicyTrace, PrincipalMatch, SetResult, StatementRef, StatementTrace,
};
pub use suggest::suggest;
pub use time::{format_date, parse_date};

use serde::Serialize;

impl Policy {
    /// Parses and compiles a policy document, applying the rules of its policy type. Every problem in the
    /// document is reported at once, each with its location.
    pub fn parse(source: &str, ty: PolicyType) -> Result<Policy, PolicyErrors> {
        parse::parse_policy(source, ty)
    }

    pub fn policy_type(&self) -> PolicyType {
        self.ty
    }

    /// The `Id` element, when present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The `Version` element as written (`None` when absent: 2008-10-17 semantics, no policy variables).
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether policy variables are substituted (only with `Version: 2012-10-17`).
    pub fn uses_variables(&self) -> bool {
        self.variables
    }

    /// The policy text as given to [`Policy::parse`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The statements, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The size limit applied to this policy type and its unit (see the parser docs for how it is measured).
    pub fn size_limit(ty: PolicyType) -> (usize, &'static str) {
        ty.size_limit()
    }
}

impl Serialize for Policy {
    /// A policy serialises as its source text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl PartialEq for Policy {
    /// Two policies are equal when their type and source text are.
    fn eq(&self, other: &Policy) -> bool {
        self.ty == other.ty && self.source == other.source
    }
}

/// Evaluates one policy against a request: `ExplicitDeny` if any Deny statement applies, else `Allow` if any Allow
/// statement applies, else `NoMatch`. `applied` lists every applying statement. With `options.trace` the result
/// also carries the full [`PolicyTrace`]; the decision is the same either way.
pub fn evaluate(policy: &Policy, request: &Request, options: EvalOptions) -> PolicyResult {
    eval::evaluate_prepared(policy, &eval::Prepared::new(request), options)
}

/// Evaluates several policies of one kind together: an explicit deny in any of them wins; otherwise an allow in any
/// of them allows; otherwise the request is implicitly denied.
pub fn evaluate_all(policies: &[&Policy], request: &Request, options: EvalOptions) -> SetResult {
    let prepared = eval::Prepared::new(request);
    let results: Vec<PolicyResult> = policies.iter().map(|p| eval::evaluate_prepared(p, &prepared, options)).collect();
    let decision = if results.iter().any(|r| r.decision == PolicyDecision::ExplicitDeny) {
        Decision::ExplicitDeny
    } else if results.iter().any(|r| r.decision == PolicyDecision::Allow) {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    };
    SetResult { decision, policies: results }
}

#[cfg(test)]
mod send_sync {
    #[test]
    fn policy_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
        check::<super::Policy>();
        check::<super::PolicyResult>();
    }
}
