//! The policy lab's decision: every document evaluated with its trace, combined the way KMS authorizes a call.
//!
//! The combination is a deliberately small model of AWS's evaluation logic for KMS (the simulated KMS in
//! `kmsim-kms` is the faithful version and will replace this when the playground gains its KMS view):
//! 1. an explicit deny in any policy wins;
//! 2. every SCP must allow;
//! 3. with a key policy (a resource policy): it must allow the caller, either directly (naming the caller, its role
//!    or a service) or by delegating to the caller's account (`arn:aws:iam::ACCOUNT:root`), and a delegation needs an
//!    identity policy that allows too. KMS never lets identity policies alone grant access to a key;
//! 4. without a key policy only identity policies are considered;
//! 5. permissions boundaries and session policies limit what identity policies (and direct grants to a role ARN)
//!    allow: each must allow too.

use kmsim_policy::{
    evaluate, Decision, Effect, EvalOptions, Policy, PolicyDecision, PolicyResult, PolicyType, PrincipalMatch, Request,
};

use crate::model::Doc;

/// A statement that decided, and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Deciding {
    pub doc: usize,
    pub index: usize,
    pub line: u32,
    pub end_line: u32,
}

/// The lab's answer for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub decision: Decision,
    /// One line: why.
    pub reason: String,
    /// One result (with its trace) per document, in document order.
    pub results: Vec<PolicyResult>,
    /// The statements that decided (empty for an implicit deny).
    pub deciding: Vec<Deciding>,
}

impl Outcome {
    /// Whether statement `index` of document `doc` decided.
    pub fn is_deciding(&self, doc: usize, index: usize) -> bool {
        self.deciding.iter().any(|d| d.doc == doc && d.index == index)
    }
}

/// Why the lab cannot evaluate (one line, lower case).
pub fn blockers(docs: &[Doc]) -> Option<String> {
    if docs.is_empty() {
        return Some("add a policy document first".to_string());
    }
    let broken: Vec<String> = docs.iter().filter(|d| !d.errors.is_empty()).map(|d| format!("`{}`", d.name)).collect();
    (!broken.is_empty()).then(|| format!("fix the errors in {} first", broken.join(", ")))
}

/// Evaluates every document for `request` and combines the results.
pub fn run(docs: &[Doc], request: &Request) -> Result<Outcome, String> {
    if let Some(b) = blockers(docs) {
        return Err(b);
    }
    let mut results = Vec::with_capacity(docs.len());
    for doc in docs {
        let policy =
            Policy::parse(&doc.source, doc.ty).map_err(|_| format!("fix the errors in `{}` first", doc.name))?;
        results.push(evaluate(&policy, request, EvalOptions { trace: true }));
    }
    Ok(combine(docs, results))
}

/// The applying statements of `effect` in the documents of type `ty` (any type if `None`) whose principal match
/// passes `principal`.
fn statements(
    docs: &[Doc],
    results: &[PolicyResult],
    ty: Option<PolicyType>,
    effect: Effect,
    principal: impl Fn(Option<PrincipalMatch>) -> bool,
) -> Vec<Deciding> {
    let mut out = Vec::new();
    for (doc, (d, r)) in docs.iter().zip(results).enumerate() {
        if ty.is_some_and(|t| t != d.ty) {
            continue;
        }
        for s in r.applied.iter().filter(|s| s.effect == effect && principal(s.principal)) {
            out.push(Deciding { doc, index: s.index, line: s.span.line, end_line: s.span.end_line.max(s.span.line) });
        }
    }
    out
}

/// The names of the documents of type `ty` (any if `None`) whose result fails `ok`, as "`a`, `b`".
fn failing(docs: &[Doc], results: &[PolicyResult], ty: &[PolicyType], ok: impl Fn(&PolicyResult) -> bool) -> String {
    let names: Vec<String> = docs
        .iter()
        .zip(results)
        .filter(|(d, r)| (ty.is_empty() || ty.contains(&d.ty)) && !ok(r))
        .map(|(d, _)| format!("`{}`", d.name))
        .collect();
    names.join(", ")
}

fn combine(docs: &[Doc], results: Vec<PolicyResult>) -> Outcome {
    let (decision, reason, deciding) = decide(docs, &results);
    Outcome { decision, reason, results, deciding }
}

fn decide(docs: &[Doc], results: &[PolicyResult]) -> (Decision, String, Vec<Deciding>) {
    use PolicyType::{Identity, PermissionsBoundary, Resource, Scp, Session};
    let allows = |r: &PolicyResult| r.decision == PolicyDecision::Allow;
    let implicit = |reason: String| (Decision::ImplicitDeny, reason, Vec::new());

    let denying = failing(docs, results, &[], |r| r.decision != PolicyDecision::ExplicitDeny);
    if !denying.is_empty() {
        let stmts = statements(docs, results, None, Effect::Deny, |_| true);
        return (Decision::ExplicitDeny, format!("an explicit deny in {denying} overrides any allow"), stmts);
    }
    let scps = failing(docs, results, &[Scp], allows);
    if !scps.is_empty() {
        return implicit(format!("the SCP {scps} does not allow the request"));
    }
    let limiting = failing(docs, results, &[PermissionsBoundary, Session], allows);
    let identity = statements(docs, results, Some(Identity), Effect::Allow, |_| true);

    if !docs.iter().any(|d| d.ty == Resource) {
        return if identity.is_empty() {
            implicit("no identity policy allows the request".into())
        } else if !limiting.is_empty() {
            implicit(format!("{limiting} does not allow the request"))
        } else {
            (Decision::Allow, "an identity policy allows the request (there is no key policy)".into(), identity)
        };
    }
    let direct = statements(
        docs,
        results,
        Some(Resource),
        Effect::Allow,
        |p| matches!(p, Some(m) if m != PrincipalMatch::Account && m != PrincipalMatch::Role),
    );
    if !direct.is_empty() {
        return (Decision::Allow, "the key policy allows the caller directly".into(), direct);
    }
    let via_role = statements(docs, results, Some(Resource), Effect::Allow, |p| p == Some(PrincipalMatch::Role));
    if !via_role.is_empty() && limiting.is_empty() {
        return (Decision::Allow, "the key policy allows the caller's role".into(), via_role);
    }
    let delegation = statements(docs, results, Some(Resource), Effect::Allow, |p| p == Some(PrincipalMatch::Account));
    if delegation.is_empty() {
        return implicit(if via_role.is_empty() {
            "the key policy does not allow the caller, directly or through its account".into()
        } else {
            format!("the key policy allows the caller's role, but {limiting} does not allow the request")
        });
    }
    if identity.is_empty() {
        return implicit("the key policy delegates to the account, but no identity policy allows the request".into());
    }
    if !limiting.is_empty() {
        return implicit(format!("{limiting} does not allow the request"));
    }
    let mut stmts = delegation;
    stmts.extend(identity);
    (Decision::Allow, "the key policy delegates to the account and an identity policy allows the request".into(), stmts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Snapshot;
    use crate::samples::SAMPLES;

    fn run_sample(i: usize, edit: impl FnOnce(&mut Snapshot)) -> Outcome {
        let mut s = SAMPLES[i].snapshot();
        edit(&mut s);
        for d in &mut s.docs {
            d.reparse();
        }
        run(&s.docs, &s.request.to_request().unwrap()).unwrap()
    }

    fn sid_of(o: &Outcome, s: &Snapshot, d: &Deciding) -> Option<String> {
        let _ = s;
        o.results[d.doc].applied.iter().find(|a| a.index == d.index).and_then(|a| a.sid.clone())
    }

    #[test]
    fn delegation_plus_identity_policy_allows() {
        let o = run_sample(0, |_| {});
        assert_eq!(o.decision, Decision::Allow, "{}", o.reason);
        assert!(o.reason.contains("delegates to the account"), "{}", o.reason);
        let docs: Vec<usize> = o.deciding.iter().map(|d| d.doc).collect();
        assert_eq!(docs, vec![0, 1], "the delegation and the identity statement decide");
    }

    #[test]
    fn delegation_without_an_identity_allow_is_an_implicit_deny() {
        let o = run_sample(0, |s| s.request.action = "kms:ScheduleKeyDeletion".into());
        assert_eq!(o.decision, Decision::ImplicitDeny);
        assert_eq!(o.reason, "the key policy delegates to the account, but no identity policy allows the request");
        assert!(o.deciding.is_empty());
        let o = run_sample(0, |s| {
            s.docs.remove(0);
        });
        assert_eq!(o.decision, Decision::Allow, "without a key policy the identity policy decides: {}", o.reason);
    }

    #[test]
    fn a_direct_grant_needs_no_identity_policy() {
        let o = run_sample(1, |s| s.request.principal = "arn:aws:sts::111122223333:assumed-role/App/s".into());
        assert_eq!(o.decision, Decision::Allow, "{}", o.reason);
        let s = SAMPLES[1].snapshot();
        let sids: Vec<Option<String>> = o.deciding.iter().map(|d| sid_of(&o, &s, d)).collect();
        assert_eq!(sids, vec![Some("Allow use of the key".to_string())]);
        let o = run_sample(1, |_| {});
        assert_eq!(o.decision, Decision::ImplicitDeny, "KeyAdmin may not decrypt: {}", o.reason);
    }

    #[test]
    fn an_explicit_deny_wins_and_names_the_statement() {
        let o = run_sample(2, |_| {});
        assert_eq!(o.decision, Decision::ExplicitDeny, "{}", o.reason);
        assert_eq!(o.reason, "an explicit deny in `key policy` overrides any allow");
        let s = SAMPLES[2].snapshot();
        let sids: Vec<Option<String>> = o.deciding.iter().map(|d| sid_of(&o, &s, d)).collect();
        assert_eq!(sids, vec![Some("DenyDeletionWithoutMFA".to_string())]);
        let o = run_sample(2, |s| s.request.context[0].value = "true".into());
        assert_eq!(o.decision, Decision::Allow, "with MFA: {}", o.reason);
    }

    #[test]
    fn scps_and_boundaries_must_allow_too() {
        let deny_all = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}";
        let o = run_sample(0, |s| s.docs.push(Doc::new("guard", PolicyType::Scp, deny_all)));
        assert_eq!(
            (o.decision, o.reason.as_str()),
            (Decision::ImplicitDeny, "the SCP `guard` does not allow the request")
        );
        let o = run_sample(0, |s| s.docs.push(Doc::new("edge", PolicyType::PermissionsBoundary, deny_all)));
        assert_eq!((o.decision, o.reason.as_str()), (Decision::ImplicitDeny, "`edge` does not allow the request"));
    }

    #[test]
    fn broken_or_missing_documents_block_evaluation() {
        assert_eq!(blockers(&[]), Some("add a policy document first".to_string()));
        let docs = vec![Doc::new("a", PolicyType::Identity, "{"), Doc::new("b", PolicyType::Identity, "[")];
        assert_eq!(blockers(&docs), Some("fix the errors in `a`, `b` first".to_string()));
    }
}
