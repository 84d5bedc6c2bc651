#![doc = include_str!("../README.md")]

mod binary;
mod combine;
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
mod view;

pub use combine::{
    combine, Combination, CombineInput, CombineStep, Decided, MissingAllow, Part, SetResult, StatementAt, StepKind,
    StepOutcome, StepReason,
};
pub use error::{ErrorKind, PolicyError, PolicyErrors, PolicyWarning, Span};
pub use model::{Policy, Statement};
pub use num::parse_f64;
pub use policy_type::PolicyType;
pub use render::render_text;
pub use request::{Context, ContextValue, Principal, PrincipalKind, Request, Value, ValueError};
pub use result::{
    ConditionTrace, ConditionTraceJson, Decision, Effect, ElementName, ElementTrace, ElementTraceJson, Entries,
    EntriesIter, EntryRef, EntrySource, EntryTrace, EvalOptions, PolicyDecision, PolicyResult, PolicyTrace,
    PrincipalMatch, StatementRef, StatementTrace, TraceSource,
};
pub use suggest::suggest;
pub use time::{format_date, parse_date};
pub use view::{operator_names, wildcard_matches, ConditionView, Located, OperatorType, PrincipalView, SetOperator};

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
    SetResult { decision, policies: results, combination: None }
}

/// A policy taking part in [`authorize`]: the policy and, for SCPs and RCPs, its level in the organization (0 is
/// the root, then each OU on the path to the account, the account itself last; policies of one level are OR'd,
/// levels AND'd). Other kinds ignore the level.
#[derive(Debug, Clone, Copy)]
pub struct SetPolicy<'a> {
    pub policy: &'a Policy,
    pub level: usize,
}

/// Evaluates every policy that takes part in a request, of every kind, and combines them with AWS's evaluation
/// logic ([`combine()`]): explicit deny; RCPs and SCPs at every level; resource-based policies (how their principal
/// matched the caller); identity-based policies; the permissions boundary; session policies; both sides of a
/// cross-account request. The resource's account is [`Request::resource_owner`]; a permissions boundary among the
/// policies marks the caller as having one (see [`Principal::permissions_boundary`]).
pub fn authorize(policies: &[SetPolicy<'_>], request: &Request, options: EvalOptions) -> SetResult {
    let bounded = policies.iter().any(|p| p.policy.ty == PolicyType::PermissionsBoundary);
    let marked;
    let request = if bounded && !request.principal.permissions_boundary {
        let mut r = request.clone();
        r.principal.permissions_boundary = true;
        marked = r;
        &marked
    } else {
        request
    };
    let prepared = eval::Prepared::new(request);
    let results: Vec<PolicyResult> =
        policies.iter().map(|p| eval::evaluate_prepared(p.policy, &prepared, options)).collect();
    let parts: Vec<Part<'_>> =
        policies.iter().zip(&results).map(|(p, result)| Part { ty: p.policy.ty, level: p.level, result }).collect();
    let input = CombineInput {
        principal: &request.principal,
        resource_account: request.resource_owner(),
        resource_policy_required: false,
    };
    let combination = combine(input, &parts);
    SetResult { decision: combination.decision, policies: results, combination: Some(combination) }
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
