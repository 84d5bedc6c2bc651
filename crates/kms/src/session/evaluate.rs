//! The stateless requests of the protocol: evaluate policies of every kind against a request with AWS's evaluation
//! logic ([`kmsim_policy::authorize`]), validate a policy.

use kmsim_policy::{
    authorize, EvalOptions, Policy, PolicyError, PolicyType, PolicyWarning, Request, SetPolicy, SetResult,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::protocol::{Diagnostic, Failure};

/// `evaluate`'s input: the policies that take part (of any kinds), a request, and whether to record the full trace.
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
    /// For `scp` and `rcp`: the policy's level in the organization (0, the default, is the root; then each OU on
    /// the path to the account, the account last). Every level must allow.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub level: Option<usize>,
}

impl EvaluateInput {
    /// Reads `{ policies: [{ type, text, name?, level? }], request, trace? }`. A member the input does not have (at
    /// any depth: a misspelt `contxt` in the request) is an error with a suggestion, never dropped.
    pub fn from_json(input: J) -> Result<EvaluateInput, Failure> {
        read("evaluate input", &input)
    }
}

/// Reads a protocol input (`what`, in the user's words) with the scenario reader's wording: JSON's type names,
/// an unknown member named with the member meant (the diagnostic's `help`) and its JSON Pointer (its `span`).
fn read<T: serde::de::DeserializeOwned>(what: &str, value: &J) -> Result<T, Failure> {
    crate::scenario::located::from_value(value).map_err(|e| located_failure(what, e, None))
}

/// The failure of a typed read: the message with the place (the JSON Pointer, and with the input's `text` its line
/// and column too), the suggestion as the diagnostic's help.
fn located_failure(what: &str, e: crate::scenario::located::LocatedError, text: Option<&str>) -> Failure {
    let (pos, pointer) = e.at.unwrap_or_default();
    let place = if pointer.is_empty() { String::new() } else { format!(" at `{pointer}`") };
    let (message, span) = match text {
        Some(text) => {
            let span = kmsim_policy::json::LineIndex::new(text).span(pos, &pointer);
            (format!("invalid {what}: {}{place} (line {}, column {})", e.message, span.line, span.column), Some(span))
        }
        None => {
            let span = (!pointer.is_empty())
                .then(|| kmsim_policy::Span { path: pointer.as_str().into(), ..kmsim_policy::Span::default() });
            (format!("invalid {what}: {}{place}", e.message), span)
        }
    };
    Failure { diagnostics: vec![Diagnostic { help: e.help, span, ..Diagnostic::message(message.clone()) }], message }
}

/// Parses every policy; fails with every problem of every policy that does not parse, each diagnostic naming its
/// policy by index.
pub fn parse_policies(policies: &[PolicyInput]) -> Result<Vec<(Policy, usize)>, Failure> {
    let mut parsed = Vec::with_capacity(policies.len());
    let mut diagnostics = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        match Policy::parse(&p.text, p.ty) {
            Ok(policy) => parsed.push((policy, p.level.unwrap_or(0))),
            Err(errs) => diagnostics.extend(errs.errors.into_iter().map(|e| Diagnostic::from_policy_error(e, Some(i)))),
        }
    }
    if diagnostics.is_empty() {
        Ok(parsed)
    } else {
        Err(Failure::policies(diagnostics))
    }
}

/// Evaluates the policies against a request with AWS's evaluation logic. Every policy that does not parse is
/// reported.
pub fn evaluate(input: &EvaluateInput) -> Result<SetResult, Failure> {
    Ok(PreparedPolicies::parse(&input.policies)?.evaluate(&input.request, input.trace))
}

/// Policies parsed once, to evaluate against many requests: what `evaluate` does with each request, without
/// parsing the policies again.
#[derive(Debug, Clone)]
pub struct PreparedPolicies {
    /// Each policy with its organization level.
    policies: Vec<(Policy, usize)>,
}

impl PreparedPolicies {
    /// Parses every policy; fails as `evaluate` does, with every problem of every policy, each naming its policy.
    pub fn parse(policies: &[PolicyInput]) -> Result<PreparedPolicies, Failure> {
        parse_policies(policies).map(|policies| PreparedPolicies { policies })
    }

    /// Reads and parses `[{ type, text, name?, level? }]`.
    pub fn from_json(policies: J) -> Result<PreparedPolicies, Failure> {
        let policies: Vec<PolicyInput> = serde_json::from_value(policies).map_err(|e| Failure::input("policies", e))?;
        PreparedPolicies::parse(&policies)
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Whether there are no policies (every request is then implicitly denied).
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The same answer as `evaluate` with these policies, this request and this `trace`.
    pub fn evaluate(&self, request: &Request, trace: bool) -> SetResult {
        let set: Vec<SetPolicy<'_>> =
            self.policies.iter().map(|(policy, level)| SetPolicy { policy, level: *level }).collect();
        authorize(&set, request, EvalOptions { trace })
    }
}

/// Reads a request (`{ principal, action, resource, context? }`): `kmsim eval`'s input and the JS API's. A misspelt
/// member is an error with a suggestion (`contxt`: did you mean `context`?).
pub fn request(request: J) -> Result<Request, Failure> {
    read("request", &request)
}

/// [`request`] from JSON text that a binding made of a plain JS value: read fast when it has the common shapes
/// ([`super::request_plain`]), else as [`request`] reads the value the binding converts the careful way, given by
/// `value` only when needed.
pub fn request_or(text: Option<&str>, value: impl FnOnce() -> Result<J, Failure>) -> Result<Request, Failure> {
    match text.and_then(super::request_plain) {
        Some(request) => Ok(request),
        None => request(value()?),
    }
}

/// [`request`] from the request's JSON text (`kmsim eval --request FILE`): errors carry line and column too.
pub fn request_text(text: &str) -> Result<Request, Failure> {
    crate::scenario::located::from_text(text).map_err(|e| located_failure("request", e, Some(text)))
}

/// The options of `PreparedPolicies.evaluate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EvaluateOptions {
    /// Record the full trace: every statement, element and condition entry with its outcome (default `false`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub trace: bool,
}

impl EvaluateOptions {
    /// Reads `{ trace? }`; `null` (an omitted argument) is the defaults.
    pub fn from_json(options: J) -> Result<EvaluateOptions, Failure> {
        match options {
            J::Null => Ok(EvaluateOptions::default()),
            other => serde_json::from_value(other).map_err(|e| Failure::input("options", e)),
        }
    }
}

/// Parses a policy type as the protocol writes it (`identity`, `resource`, `scp`, `rcp`, `permissions-boundary`,
/// `session`).
pub fn policy_type(ty: &str) -> Result<PolicyType, Failure> {
    serde_json::from_value(J::String(ty.to_string())).map_err(|_| {
        Failure::new(format!(
            "unknown policy type `{ty}`; expected one of identity, resource, scp, rcp, permissions-boundary, session"
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
        /// What AWS accepts but ignores (a key policy statement without `Resource` has no effect); absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        warnings: Vec<PolicyWarning>,
    },
    Invalid {
        /// Always `false`.
        #[cfg_attr(feature = "ts", tsify(type = "false"))]
        ok: bool,
        errors: Vec<PolicyError>,
    },
}

/// Checks a policy: `{ ok: true, warnings? }` or `{ ok: false, errors: [PolicyError...] }`. Bad policy text is an answer, not
/// a failure; only an unknown policy type fails.
pub fn validate_policy(text: &str, ty: &str) -> Result<ValidationResult, Failure> {
    let ty = policy_type(ty)?;
    Ok(match Policy::parse(text, ty) {
        Ok(policy) => ValidationResult::Valid { ok: true, warnings: policy.warnings() },
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
        assert_eq!(f.message, "invalid evaluate input: unknown field `extra` at `/extra`");
        let d = &f.diagnostics_json()[0];
        assert_eq!((&d["message"], &d["help"]), (&json!(f.message), &json!("one of `policies`, `request`, `trace`")));
        assert_eq!((&d["span"]["path"], &d["span"]["line"]), (&json!("/extra"), &json!(0)));
    }

    #[test]
    fn a_misspelt_request_member_is_an_error_with_the_member_meant_never_dropped() {
        let principal = json!({"arn": "arn:aws:iam::111122223333:user/a", "kind": "user"});
        let r = json!({"principal": principal, "action": "kms:Decrypt", "resource": "*",
            "contxt": {"aws:MultiFactorAuthPresent": true}});
        for f in [
            request(r.clone()).unwrap_err(),
            run(json!({"policies": [{"type": "identity", "text": ALLOW_ALL}], "request": r})).unwrap_err(),
        ] {
            assert!(f.message.contains("unknown field `contxt` at `"), "{}", f.message);
            assert!(f.message.ends_with("/contxt`"), "{}", f.message);
            assert_eq!(f.diagnostics[0].help.as_deref(), Some("did you mean `context`?"));
        }
        let f = request(json!({"principal": {"arn": "a", "knd": "user"}, "action": "kms:Decrypt", "resource": "*"}));
        let f = f.unwrap_err();
        assert_eq!(f.message, "invalid request: unknown field `knd` at `/principal/knd`");
        assert_eq!(f.diagnostics[0].help.as_deref(), Some("did you mean `kind`?"));
        // A context value of no accepted form says so, never naming a Rust type.
        let f = request(json!({"principal": principal, "action": "kms:Decrypt", "resource": "*",
            "context": {"aws:SourceIp": {"type": "ipp", "value": "1.2.3.4"}}}));
        let f = f.unwrap_err();
        assert!(f.message.starts_with("invalid request: the value has none of the accepted forms"), "{}", f.message);
        // The well-formed request still reads, its context kept.
        let ok = request(json!({"principal": principal, "action": "kms:Decrypt", "resource": "*",
            "context": {"aws:MultiFactorAuthPresent": true}}));
        assert_eq!(ok.unwrap().context.len(), 1);
    }

    #[test]
    fn prepared_policies_answer_as_evaluate_does_for_every_request() {
        const DENY_MFA: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoMfa", "Effect": "Deny",
            "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;
        let policies =
            json!([{"type": "identity", "text": ALLOW_ALL, "name": "all"}, {"type": "identity", "text": DENY_MFA}]);
        let prepared = PreparedPolicies::from_json(policies.clone()).unwrap();
        assert_eq!((prepared.len(), prepared.is_empty()), (2, false));
        let principal = json!({"arn": "arn:aws:iam::111122223333:user/a", "kind": "user"});
        let mut decisions = Vec::new();
        for mfa in [true, false] {
            for action in ["kms:Decrypt", "kms:Encrypt"] {
                for trace in [false, true] {
                    let r = json!({"principal": principal, "action": action, "resource": "*",
                        "context": {"aws:MultiFactorAuthPresent": mfa}});
                    let want = run(json!({"policies": policies, "request": r, "trace": trace})).unwrap();
                    let options = EvaluateOptions::from_json(json!({"trace": trace})).unwrap();
                    let have = to_json(&prepared.evaluate(&request(r).unwrap(), options.trace));
                    assert_eq!(have, want);
                    decisions.push(have["decision"].clone());
                }
            }
        }
        assert_eq!(decisions.iter().filter(|d| *d == "ExplicitDeny").count(), 2, "{decisions:?}");
        assert!(decisions.contains(&json!("Allow")));

        let f = PreparedPolicies::from_json(json!([{"type": "scp", "text": ALLOW_ALL}, {"type": "scp", "text": "{"}]));
        let f = f.unwrap_err();
        assert_eq!(f.message, "policies have 1 error");
        assert_eq!(f.diagnostics[0].policy, Some(1));
        let f = PreparedPolicies::from_json(json!({"type": "scp"})).unwrap_err();
        assert!(f.message.starts_with("invalid policies: "), "{}", f.message);
        assert!(request(json!({"action": "kms:Decrypt"})).unwrap_err().message.starts_with("invalid request: "));
        assert_eq!(EvaluateOptions::from_json(J::Null).unwrap(), EvaluateOptions { trace: false });
        let f = EvaluateOptions::from_json(json!({"trace": true, "x": 1})).unwrap_err();
        assert!(f.message.starts_with("invalid options: unknown field `x`"), "{}", f.message);
    }

    #[test]
    fn validate_policy_answers_diagnostics_and_fails_only_on_an_unknown_type() {
        assert_eq!(to_json(&validate_policy(ALLOW_ALL, "identity").unwrap()), json!({"ok": true}));
        let r = to_json(&validate_policy("{\n  \"Version\": 1\n}", "scp").unwrap());
        assert_eq!(r["ok"], false);
        assert!(r["errors"].as_array().is_some_and(|e| !e.is_empty()));
        // A key policy statement without Resource: accepted, with a warning (an identity policy rejects it).
        let no_resource = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}"#;
        let r = to_json(&validate_policy(no_resource, "resource").unwrap());
        assert_eq!(r["ok"], true);
        assert_eq!(r["warnings"][0]["message"], "statement #0: no Resource element: the statement has no effect");
        assert_eq!(to_json(&validate_policy(no_resource, "identity").unwrap())["ok"], false);
        let f = validate_policy(ALLOW_ALL, "Identity").unwrap_err();
        assert!(f.message.starts_with("unknown policy type `Identity`"), "{}", f.message);
        for ty in ["identity", "resource", "scp", "rcp", "permissions-boundary", "session"] {
            assert!(policy_type(ty).is_ok(), "{ty}");
        }
    }
}
