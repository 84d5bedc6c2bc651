//! The stateless requests of the protocol: evaluate policies of one kind against a request, validate a policy.

use kmsim_policy::{evaluate_all, EvalOptions, Policy, PolicyError, PolicyType, Request, SetResult};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::protocol::{Diagnostic, Failure};

/// `evaluate`'s input: policies of one kind, a request, and whether to record the full trace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EvaluateInput {
    pub policies: Vec<PolicyInput>,
    pub request: Request,
    #[serde(default)]
    pub trace: bool,
}

/// One policy for `evaluate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PolicyInput {
    #[serde(rename = "type")]
    pub ty: PolicyType,
    pub text: String,
    /// For the caller's own bookkeeping; not used by the evaluation.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub name: Option<String>,
}

impl EvaluateInput {
    /// Reads `{ policies: [{ type, text, name? }], request, trace? }`.
    pub fn from_json(input: J) -> Result<EvaluateInput, Failure> {
        serde_json::from_value(input).map_err(|e| Failure::input("evaluate input", e))
    }
}

/// Parses every policy; fails with every problem of every policy that does not parse, each diagnostic naming its
/// policy by index.
pub fn parse_policies(policies: &[PolicyInput]) -> Result<Vec<Policy>, Failure> {
    let mut parsed = Vec::with_capacity(policies.len());
    let mut diagnostics = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        match Policy::parse(&p.text, p.ty) {
            Ok(policy) => parsed.push(policy),
            Err(errs) => diagnostics.extend(errs.errors.into_iter().map(|e| Diagnostic::from_policy_error(e, Some(i)))),
        }
    }
    if diagnostics.is_empty() {
        Ok(parsed)
    } else {
        Err(Failure::policies(diagnostics))
    }
}

/// Evaluates policies of one kind against a request. Every policy that does not parse is reported.
pub fn evaluate(input: &EvaluateInput) -> Result<SetResult, Failure> {
    let policies = parse_policies(&input.policies)?;
    let refs: Vec<&Policy> = policies.iter().collect();
    Ok(evaluate_all(&refs, &input.request, EvalOptions { trace: input.trace }))
}

/// Parses a policy type as the protocol writes it (`identity`, `resource`, `scp`, `permissions-boundary`,
/// `session`).
pub fn policy_type(ty: &str) -> Result<PolicyType, Failure> {
    serde_json::from_value(J::String(ty.to_string())).map_err(|_| {
        Failure::new(format!(
            "unknown policy type `{ty}`; expected one of identity, resource, scp, permissions-boundary, session"
        ))
    })
}

/// `validatePolicy`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum ValidationResult {
    Valid {
        /// Always `true`.
        #[cfg_attr(feature = "ts", tsify(type = "true"))]
        ok: bool,
    },
    Invalid {
        /// Always `false`.
        #[cfg_attr(feature = "ts", tsify(type = "false"))]
        ok: bool,
        errors: Vec<PolicyError>,
    },
}

/// Checks a policy: `{ ok: true }` or `{ ok: false, errors: [PolicyError...] }`. Bad policy text is an answer, not
/// a failure; only an unknown policy type fails.
pub fn validate_policy(text: &str, ty: &str) -> Result<ValidationResult, Failure> {
    let ty = policy_type(ty)?;
    Ok(match Policy::parse(text, ty) {
        Ok(_) => ValidationResult::Valid { ok: true },
        Err(errs) => ValidationResult::Invalid { ok: false, errors: errs.errors },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

    use serde_json::json;

    use super::*;
    use crate::session::to_json;

    const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow",
        "Action": "kms:*", "Resource": "*"}]}"#;

    fn run(input: J) -> Result<J, Failure> {
        evaluate(&EvaluateInput::from_json(input)?).map(|r| to_json(&r))
    }

    #[test]
    fn evaluate_reports_every_bad_policy_by_index_and_decides_otherwise() {
        let request = json!({"principal": {"arn": "arn:aws:iam::111122223333:user/a", "kind": "user"},
            "action": "kms:Decrypt", "resource": "*"});
        let bad = json!({"policies": [{"type": "identity", "text": "{"}, {"type": "identity", "text": ALLOW_ALL},
            {"type": "identity", "text": "[]"}], "request": request});
        let f = run(bad).unwrap_err();
        assert_eq!(f.message, "policies have 2 errors");
        let policies: Vec<Option<usize>> = f.diagnostics.iter().map(|d| d.policy).collect();
        assert_eq!(policies, vec![Some(0), Some(2)]);
        assert!(f.diagnostics.iter().all(|d| d.span.as_ref().is_some_and(|s| s.line == 1) && d.kind.is_some()));

        let ok = run(json!({"policies": [{"type": "identity", "text": ALLOW_ALL, "name": "x"}], "request": request}));
        let ok = ok.unwrap();
        assert_eq!(ok["decision"], "Allow");
        assert_eq!(ok["policies"][0]["applied"][0]["sid"], "All");

        let f = run(json!({"policies": [], "request": request, "extra": 1})).unwrap_err();
        assert!(f.message.starts_with("invalid evaluate input: unknown field `extra`"), "{}", f.message);
        assert_eq!(f.diagnostics_json(), json!([{"message": f.message}]));
    }

    #[test]
    fn validate_policy_answers_diagnostics_and_fails_only_on_an_unknown_type() {
        assert_eq!(to_json(&validate_policy(ALLOW_ALL, "identity").unwrap()), json!({"ok": true}));
        let r = to_json(&validate_policy("{\n  \"Version\": 1\n}", "scp").unwrap());
        assert_eq!(r["ok"], false);
        assert!(r["errors"].as_array().is_some_and(|e| !e.is_empty()));
        let f = validate_policy(ALLOW_ALL, "Identity").unwrap_err();
        assert!(f.message.starts_with("unknown policy type `Identity`"), "{}", f.message);
        for ty in ["identity", "resource", "scp", "permissions-boundary", "session"] {
            assert!(policy_type(ty).is_ok(), "{ty}");
        }
    }
}
