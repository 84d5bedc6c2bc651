//! Property tests: the combination rules, trace/no-trace equivalence, and a parser that never panics (this is also
//! the proptest-based fuzz test of parse + evaluate).

#![expect(clippy::panic, clippy::indexing_slicing, reason = "test helpers outside #[test] functions")]

use kmsim_policy::{
    authorize, evaluate, evaluate_all, render_text, Context, ContextValue, Decision, EvalOptions, Policy,
    PolicyDecision, PolicyTrace, PolicyType, Principal, PrincipalKind, Request, SetPolicy, Value,
};
use proptest::prelude::*;

const ACTIONS: &[&str] = &["kms:*", "kms:Decrypt", "kms:Encrypt", "kms:Get*", "kms:?ecrypt", "s3:*", "*"];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:us-east-1:444455556666:key/*",
    "arn:aws:kms:*:*:alias/${aws:username}",
];
const CONDITIONS: &[&str] = &[
    r#""StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}"#,
    r#""StringNotEquals": {"kms:CallerAccount": ["111122223333", "444455556666"]}"#,
    r#""BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}"#,
    r#""ForAllValues:StringLike": {"kms:EncryptionContextKeys": ["t*", "app"]}"#,
    r#""ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "tenant"}"#,
    r#""IpAddress": {"aws:SourceIp": "203.0.113.0/24"}"#,
    r#""Null": {"aws:MultiFactorAuthAge": "true"}"#,
    r#""NumericLessThan": {"aws:MultiFactorAuthAge": "300"}"#,
    r#""StringLike": {"aws:username": "${aws:PrincipalTag/team, 'a*'}"}"#,
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS": "arn:aws:iam::111122223333:root"}"#,
    r#"{"AWS": "arn:aws:iam::111122223333:role/App"}"#,
    r#"{"AWS": ["arn:aws:iam::111122223333:user/alice", "444455556666"]}"#,
    r#"{"Service": "s3.amazonaws.com"}"#,
];

#[derive(Debug, Clone)]
struct St {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    resource: usize,
    principal: usize,
    not_principal: bool,
    conditions: Vec<usize>,
}

fn st() -> impl Strategy<Value = St> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::collection::vec(0..ACTIONS.len(), 1..3),
        0..RESOURCES.len(),
        0..PRINCIPALS.len(),
        prop::bool::weighted(0.15),
        prop::collection::vec(0..CONDITIONS.len(), 0..3),
    )
        .prop_map(|(deny, not_action, actions, resource, principal, not_principal, conditions)| St {
            deny,
            not_action,
            actions,
            resource,
            principal,
            not_principal,
            conditions,
        })
}

fn render(sts: &[St], ty: PolicyType) -> String {
    let mut out = Vec::new();
    for s in sts {
        let actions: Vec<String> = s.actions.iter().map(|a| format!("\"{}\"", ACTIONS[*a])).collect();
        let mut conds: Vec<&str> = s.conditions.iter().map(|c| CONDITIONS[*c]).collect();
        conds.sort_unstable();
        conds.dedup_by_key(|c| c.split(':').next().unwrap_or("").to_string());
        let principal = if ty == PolicyType::Resource {
            // `NotPrincipal` is accepted only with `Deny`.
            let name = if s.not_principal && s.deny { "NotPrincipal" } else { "Principal" };
            format!("\"{name}\": {}, ", PRINCIPALS[s.principal])
        } else {
            String::new()
        };
        out.push(format!(
            "{{\"Effect\": \"{}\", {principal}\"{}\": [{}], \"Resource\": \"{}\", \"Condition\": {{{}}}}}",
            if s.deny { "Deny" } else { "Allow" },
            if s.not_action { "NotAction" } else { "Action" },
            actions.join(", "),
            RESOURCES[s.resource],
            conds.join(", "),
        ));
    }
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}", out.join(",\n"))
}

fn policy(sts: &[St], ty: PolicyType) -> Policy {
    let src = render(sts, ty);
    Policy::parse(&src, ty).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec![
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/App/s1",
            "arn:aws:iam::444455556666:user/bob",
            "arn:aws:iam::111122223333:root",
            "s3.amazonaws.com",
        ]),
        prop::sample::select(vec!["kms:Decrypt", "kms:encrypt", "kms:GetKeyPolicy", "s3:GetObject", "kms:CreateKey"]),
        prop::sample::select(vec![
            "arn:aws:kms:us-east-1:111122223333:key/k1",
            "arn:aws:kms:eu-west-1:444455556666:key/k2",
            "arn:aws:kms:us-east-1:111122223333:alias/alice",
            "*",
        ]),
        prop::option::of(prop::sample::select(vec!["ec2.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"])),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::collection::vec(prop::sample::select(vec!["tenant", "app", "x"]), 0..3)),
        prop::option::of(prop::sample::select(vec!["203.0.113.9", "198.51.100.1", "bad"])),
        prop::option::of(prop::sample::select(vec!["alice", "bob"])),
        prop::option::of(0u32..1000),
    )
        .prop_map(|(principal, action, resource, via, mfa, keys, ip, user, age)| {
            let mut c = Context::new();
            if let Some(v) = via {
                c.insert_string("kms:ViaService", v);
            }
            if let Some(m) = mfa {
                c.insert_bool("aws:MultiFactorAuthPresent", m);
            }
            if let Some(k) = keys {
                c.insert(
                    "kms:EncryptionContextKeys",
                    ContextValue::Multi(k.into_iter().map(|x| Value::String(x.into())).collect()),
                );
            }
            if let Some(i) = ip {
                c.insert_string("aws:SourceIp", i);
            }
            if let Some(u) = user {
                c.insert_string("aws:username", u);
            }
            if let Some(a) = age {
                c.insert("aws:MultiFactorAuthAge", ContextValue::Single(Value::Number(f64::from(a))));
            }
            Request {
                principal: Principal::from_arn(principal),
                action: action.into(),
                resource: resource.into(),
                context: c,
                resource_account: None,
            }
        })
}

fn ty() -> impl Strategy<Value = PolicyType> {
    prop::sample::select(vec![PolicyType::Identity, PolicyType::Resource])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn trace_never_changes_the_decision(sts in prop::collection::vec(st(), 1..6), t in ty(), r in request()) {
        let p = policy(&sts, t);
        let fast = evaluate(&p, &r, EvalOptions { trace: false });
        let traced = evaluate(&p, &r, EvalOptions { trace: true });
        prop_assert_eq!(fast.decision, traced.decision);
        prop_assert_eq!(&fast.applied, &traced.applied);
        let trace = traced.trace.unwrap();
        prop_assert_eq!(trace.decision, fast.decision);
        let applying: Vec<usize> = trace.statements.iter().filter(|s| s.applies).map(|s| s.index).collect();
        let applied: Vec<usize> = fast.applied.iter().map(|s| s.index).collect();
        prop_assert_eq!(applying, applied);
        let _ = render_text(&trace, Some(p.source()));
        // The trace's shared parts write plain JSON, which reads back to an equal trace.
        let json = serde_json::to_string(&trace).unwrap();
        let back: PolicyTrace = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &trace);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn explicit_deny_wins(sts in prop::collection::vec(st(), 1..6), more in prop::collection::vec(st(), 1..4), t in ty(), r in request()) {
        let a = policy(&sts, t);
        let b = policy(&more, t);
        let set = evaluate_all(&[&a, &b], &r, EvalOptions::default());
        let any_deny = set.policies.iter().any(|p| p.applied.iter().any(|s| s.effect == kmsim_policy::Effect::Deny));
        prop_assert_eq!(set.decision == Decision::ExplicitDeny, any_deny);
        if !any_deny {
            let any_allow = set.policies.iter().any(|p| p.decision == PolicyDecision::Allow);
            prop_assert_eq!(set.decision == Decision::Allow, any_allow);
        }
    }

    /// AWS's evaluation logic: an explicit deny in any policy of any kind denies, and a guardrail (SCP, boundary,
    /// session policy) never allows on its own; with identity policies alone it agrees with the one-kind rule.
    #[test]
    fn authorize_deny_wins_and_guardrails_never_grant(sts in prop::collection::vec(st(), 1..5), more in prop::collection::vec(st(), 1..4), r in request()) {
        let id = policy(&sts, PolicyType::Identity);
        let same_account = Request { resource_account: r.principal.account.clone(), ..r.clone() };
        let alone = authorize(&[SetPolicy { policy: &id, level: 0 }], &same_account, EvalOptions::default());
        let one_kind = evaluate_all(&[&id], &same_account, EvalOptions::default()).decision;
        // (The root user needs no identity policy: only an explicit deny stops it.)
        if r.principal.kind == PrincipalKind::Root {
            prop_assert_eq!(alone.decision == Decision::ExplicitDeny, one_kind == Decision::ExplicitDeny);
        } else {
            prop_assert_eq!(alone.decision, one_kind);
        }
        for guard_ty in [PolicyType::Scp, PolicyType::PermissionsBoundary, PolicyType::Session] {
            let g = policy(&more, guard_ty);
            let only = authorize(&[SetPolicy { policy: &g, level: 0 }], &same_account, EvalOptions::default());
            // (The root user needs no identity policy.)
            if r.principal.kind != PrincipalKind::Root {
                prop_assert_ne!(only.decision, Decision::Allow);
            }
            let both = authorize(&[SetPolicy { policy: &id, level: 0 }, SetPolicy { policy: &g, level: 0 }], &same_account, EvalOptions::default());
            // SCPs do not apply to service principals.
            let applies = |i: usize| !(i == 1 && guard_ty == PolicyType::Scp && r.principal.kind == PrincipalKind::Service);
            let any_deny = both.policies.iter().enumerate().any(|(i, p)| applies(i) && p.decision == PolicyDecision::ExplicitDeny);
            prop_assert_eq!(both.decision == Decision::ExplicitDeny, any_deny);
            if both.decision == Decision::Allow {
                prop_assert_eq!(alone.decision, Decision::Allow);
            }
        }
    }

    #[test]
    fn adding_an_allow_never_denies(sts in prop::collection::vec(st(), 1..5), extra in st(), t in ty(), r in request()) {
        let before = evaluate(&policy(&sts, t), &r, EvalOptions::default()).decision;
        let mut more = sts.clone();
        more.push(St { deny: false, ..extra });
        let after = evaluate(&policy(&more, t), &r, EvalOptions::default()).decision;
        if before == PolicyDecision::Allow {
            prop_assert_eq!(after, PolicyDecision::Allow);
        }
    }

    #[test]
    fn adding_a_deny_never_allows(sts in prop::collection::vec(st(), 1..5), extra in st(), t in ty(), r in request()) {
        let before = evaluate(&policy(&sts, t), &r, EvalOptions::default()).decision;
        let mut more = sts.clone();
        more.insert(0, St { deny: true, ..extra });
        let after = evaluate(&policy(&more, t), &r, EvalOptions::default()).decision;
        if before != PolicyDecision::Allow {
            prop_assert_ne!(after, PolicyDecision::Allow);
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        for t in [PolicyType::Identity, PolicyType::Resource, PolicyType::Scp, PolicyType::Session] {
            if let Err(e) = Policy::parse(&s, t) {
                prop_assert!(!e.errors.is_empty());
            }
        }
    }

    #[test]
    fn parser_and_evaluator_never_panic_on_mutated_policies(
        sts in prop::collection::vec(st(), 1..4),
        t in ty(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, prop::sample::select(vec!['{', '}', '[', ']', '"', ',', ':', '*', '$', '?', 'x', ' ', '\u{e9}', '\u{2019}', '\\'])), 1..6),
        r in request(),
    ) {
        let mut chars: Vec<char> = render(&sts, t).chars().collect();
        for (idx, op, c) in edits {
            if chars.is_empty() { break; }
            let i = idx.index(chars.len());
            match op {
                0 => { chars.remove(i); }
                1 => chars.insert(i, c),
                2 => chars[i] = c,
                _ => { let j = idx.index(chars.len().min(i + 40).max(i + 1)); chars.truncate(j.max(1)); }
            }
        }
        let src: String = chars.into_iter().collect();
        match Policy::parse(&src, t) {
            Ok(p) => {
                let fast = evaluate(&p, &r, EvalOptions::default());
                let traced = evaluate(&p, &r, EvalOptions { trace: true });
                prop_assert_eq!(fast.decision, traced.decision);
            }
            Err(e) => {
                prop_assert!(!e.errors.is_empty());
                for err in &e.errors {
                    prop_assert!(err.span.line >= 1 && err.span.column >= 1);
                    prop_assert!(!err.message.ends_with('.'));
                }
            }
        }
    }
}
