//! Evaluation: every operator family, set operators (missing and empty keys), variables, principals, actions and
//! resources, the set combination, and the trace.

#![expect(clippy::panic, reason = "test helpers report the policy text that failed to parse")]

use kmsim_policy::{
    evaluate, evaluate_all, render_text, Context, ContextValue, Decision, ElementName, EvalOptions, Policy,
    PolicyDecision, PolicyType, Principal, PrincipalMatch, Request, Value,
};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn identity(statement: &str) -> Policy {
    let src = format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{statement}]}}");
    Policy::parse(&src, PolicyType::Identity).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn resource(statement: &str) -> Policy {
    let src = format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{statement}]}}");
    Policy::parse(&src, PolicyType::Resource).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn req(principal: &str, action: &str, res: &str, ctx: &[(&str, ContextValue)]) -> Request {
    let mut context = Context::new();
    for (k, v) in ctx {
        context.insert(*k, v.clone());
    }
    Request {
        principal: Principal::from_arn(principal),
        action: action.into(),
        resource: res.into(),
        context,
        resource_account: None,
    }
}

fn s(v: &str) -> ContextValue {
    ContextValue::Single(Value::String(v.into()))
}

fn multi(vs: &[&str]) -> ContextValue {
    ContextValue::Multi(vs.iter().map(|v| Value::String((*v).into())).collect())
}

/// The decision, checked to be identical with and without the trace.
fn decide(p: &Policy, r: &Request) -> PolicyDecision {
    let fast = evaluate(p, r, EvalOptions { trace: false });
    let traced = evaluate(p, r, EvalOptions { trace: true });
    assert_eq!(fast.decision, traced.decision);
    assert_eq!(fast.applied, traced.applied);
    fast.decision
}

/// Whether an Allow statement with this condition block applies to a request with this context.
fn cond(block: &str, ctx: &[(&str, ContextValue)]) -> bool {
    let p = identity(&format!(r#"{{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {block}}}"#));
    decide(&p, &req(ALICE, "kms:Decrypt", KEY, ctx)) == PolicyDecision::Allow
}

#[test]
fn statement_without_resource_in_a_key_policy() {
    // KMS Developer Guide, Key policies: "A key policy statement without a Resource element doesn't apply to any
    // KMS key." Everything else matches, yet the statement never applies; the trace and the warning say why.
    let p = resource(
        r#"{"Sid": "NoResource", "Effect": "Allow", "Principal": "*", "Action": "kms:*"},
           {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt"}"#,
    );
    for action in ["kms:Encrypt", "kms:Decrypt"] {
        assert_eq!(decide(&p, &req(ALICE, action, KEY, &[])), PolicyDecision::NoMatch, "{action}");
    }
    let traced = evaluate(&p, &req(ALICE, "kms:Encrypt", KEY, &[]), EvalOptions { trace: true });
    let trace = traced.trace.expect("traced");
    for st in &trace.statements {
        assert!(!st.applies);
        assert_eq!(&*st.reason, "no Resource element: the statement has no effect");
        assert!(st.elements.iter().all(|e| e.element != ElementName::Resource));
    }
    let warnings = p.warnings();
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "statement `NoResource`: no Resource element: the statement has no effect",
            "statement #1: no Resource element: the statement has no effect"
        ]
    );
    assert_eq!(&*warnings[1].span.path, "/Statement/1");
    // With a Resource the same statement applies, and there is nothing to warn about.
    let with = resource(r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#);
    assert_eq!(decide(&with, &req(ALICE, "kms:Encrypt", KEY, &[])), PolicyDecision::Allow);
    assert!(with.warnings().is_empty());
}

#[test]
fn actions_are_case_insensitive_with_wildcards() {
    let p = identity(r#"{"Effect": "Allow", "Action": ["kms:Get*", "KMS:decrypt", "s3:?etObject"], "Resource": "*"}"#);
    for (action, want) in [
        ("kms:Decrypt", true),
        ("kms:DECRYPT", true),
        ("kms:GetKeyPolicy", true),
        ("kms:Encrypt", false),
        ("s3:GetObject", true),
        ("s3:PutObject", false),
        ("ec2:Decrypt", false),
        ("Decrypt", false),
    ] {
        let d = decide(&p, &req(ALICE, action, KEY, &[]));
        assert_eq!(d == PolicyDecision::Allow, want, "{action}");
    }
    let p = identity(r#"{"Effect": "Allow", "NotAction": "kms:Schedule*", "Resource": "*"}"#);
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", KEY, &[])), PolicyDecision::Allow);
    assert_eq!(decide(&p, &req(ALICE, "kms:ScheduleKeyDeletion", KEY, &[])), PolicyDecision::NoMatch);
}

#[test]
fn resources_match_segment_by_segment() {
    let p = identity(r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:*:111122223333:key/*"}"#);
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", KEY, &[])), PolicyDecision::Allow);
    let other = KEY.replace("111122223333", "444455556666");
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", &other, &[])), PolicyDecision::NoMatch);
    let alias = "arn:aws:kms:us-east-1:111122223333:alias/app";
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", alias, &[])), PolicyDecision::NoMatch);
    // case-sensitive
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", &KEY.replace("key/", "KEY/"), &[])), PolicyDecision::NoMatch);
    // `*` in the resource part spans `/` and `:`
    let p = identity(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}"#);
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::bucket/a/b:c", &[])), PolicyDecision::Allow);
    // `*` matches everything, including a request resource of `*`
    let p = identity(r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#);
    assert_eq!(decide(&p, &req(ALICE, "kms:CreateKey", "*", &[])), PolicyDecision::Allow);
    let p = identity(r#"{"Effect": "Deny", "Action": "kms:*", "NotResource": "arn:aws:kms:*:*:key/1234*"}"#);
    assert_eq!(decide(&p, &req(ALICE, "kms:Decrypt", KEY, &[])), PolicyDecision::NoMatch);
    assert_eq!(
        decide(&p, &req(ALICE, "kms:Decrypt", &other.replace("1234", "9999"), &[])),
        PolicyDecision::ExplicitDeny
    );
}

fn principal_match(principal_json: &str, caller: &Principal) -> Option<PrincipalMatch> {
    let p = resource(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal_json}, "Action": "kms:*", "Resource": "*"}}"#
    ));
    let r = Request {
        principal: caller.clone(),
        action: "kms:Decrypt".into(),
        resource: KEY.into(),
        context: Context::new(),
        resource_account: None,
    };
    let res = evaluate(&p, &r, EvalOptions::default());
    res.applied.first().and_then(|s| s.principal)
}

#[test]
fn principals() {
    let alice = Principal::from_arn(ALICE);
    let session = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/App/i-0abc");
    let root = Principal::from_arn("arn:aws:iam::111122223333:root");
    let stranger = Principal::from_arn("arn:aws:iam::444455556666:user/bob");
    let s3 = Principal::from_arn("s3.amazonaws.com");
    assert_eq!(principal_match("\"*\"", &alice), Some(PrincipalMatch::Wildcard));
    assert_eq!(principal_match(r#"{"AWS": "*"}"#, &s3), Some(PrincipalMatch::Wildcard));
    assert_eq!(principal_match(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, &alice), Some(PrincipalMatch::Account));
    assert_eq!(principal_match(r#"{"AWS": "111122223333"}"#, &session), Some(PrincipalMatch::Account));
    assert_eq!(principal_match(r#"{"AWS": "111122223333"}"#, &root), Some(PrincipalMatch::Account));
    assert_eq!(principal_match(r#"{"AWS": "111122223333"}"#, &stranger), None);
    assert_eq!(principal_match(&format!(r#"{{"AWS": "{ALICE}"}}"#), &alice), Some(PrincipalMatch::Exact));
    assert_eq!(principal_match(&format!(r#"{{"AWS": "{ALICE}"}}"#), &stranger), None);
    assert_eq!(
        principal_match(r#"{"AWS": "arn:aws:iam::111122223333:role/App"}"#, &session),
        Some(PrincipalMatch::Role)
    );
    assert_eq!(
        principal_match(r#"{"AWS": "arn:aws:iam::111122223333:role/team/App"}"#, &session),
        Some(PrincipalMatch::Role)
    );
    assert_eq!(principal_match(r#"{"AWS": "arn:aws:iam::111122223333:role/Other"}"#, &session), None);
    assert_eq!(
        principal_match(r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/App/i-0abc"}"#, &session),
        Some(PrincipalMatch::Exact)
    );
    assert_eq!(principal_match(r#"{"Service": "s3.amazonaws.com"}"#, &s3), Some(PrincipalMatch::Service));
    assert_eq!(principal_match(r#"{"Service": "s3.amazonaws.com"}"#, &alice), None);
    // the most direct match is reported
    assert_eq!(
        principal_match(&format!(r#"{{"AWS": ["111122223333", "{ALICE}"]}}"#), &alice),
        Some(PrincipalMatch::Exact)
    );
}

#[test]
fn not_principal_needs_every_identity_of_the_chain() {
    let deny = |listed: &str| {
        resource(&format!(
            r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": {listed}}}, "Action": "kms:*", "Resource": "*"}}"#
        ))
    };
    let session = "arn:aws:sts::111122223333:assumed-role/App/s1";
    let role = "arn:aws:iam::111122223333:role/App";
    let account = "arn:aws:iam::111122223333:root";
    let full = deny(&format!(r#"["{session}", "{role}", "{account}"]"#));
    assert_eq!(decide(&full, &req(session, "kms:Decrypt", KEY, &[])), PolicyDecision::NoMatch);
    let no_account = deny(&format!(r#"["{session}", "{role}"]"#));
    let r = evaluate(&no_account, &req(session, "kms:Decrypt", KEY, &[]), EvalOptions::default());
    assert_eq!(r.decision, PolicyDecision::ExplicitDeny);
    assert_eq!(r.applied[0].principal, Some(PrincipalMatch::NotPrincipal));
    let user = deny(&format!(r#"["{ALICE}", "{account}"]"#));
    assert_eq!(decide(&user, &req(ALICE, "kms:Decrypt", KEY, &[])), PolicyDecision::NoMatch);
    assert_eq!(decide(&user, &req(session, "kms:Decrypt", KEY, &[])), PolicyDecision::ExplicitDeny);
}

#[test]
fn string_operators() {
    let v = |x: &str| vec![("kms:ViaService", s(x))];
    assert!(cond(r#"{"StringEquals": {"kms:viaservice": ["a", "ec2.x"]}}"#, &v("ec2.x")));
    assert!(!cond(r#"{"StringEquals": {"kms:ViaService": "EC2.x"}}"#, &v("ec2.x")));
    assert!(cond(r#"{"StringEqualsIgnoreCase": {"kms:ViaService": "EC2.X"}}"#, &v("ec2.x")));
    assert!(!cond(r#"{"StringNotEqualsIgnoreCase": {"kms:ViaService": "EC2.X"}}"#, &v("ec2.x")));
    assert!(cond(r#"{"StringNotEquals": {"kms:ViaService": ["a", "b"]}}"#, &v("c")));
    assert!(!cond(r#"{"StringNotEquals": {"kms:ViaService": ["a", "b"]}}"#, &v("b")));
    assert!(cond(r#"{"StringLike": {"kms:ViaService": "ec2.*.amazonaws.com"}}"#, &v("ec2.us-east-1.amazonaws.com")));
    assert!(!cond(r#"{"StringLike": {"kms:ViaService": "ec2.*"}}"#, &v("EC2.us")));
    assert!(cond(r#"{"StringNotLike": {"kms:ViaService": "s3.*"}}"#, &v("ec2.x")));
    // missing key: positive false, negated true
    assert!(!cond(r#"{"StringEquals": {"kms:ViaService": "a"}}"#, &[]));
    assert!(cond(r#"{"StringNotEquals": {"kms:ViaService": "a"}}"#, &[]));
    assert!(cond(r#"{"StringEqualsIfExists": {"kms:ViaService": "a"}}"#, &[]));
    assert!(!cond(r#"{"StringEqualsIfExists": {"kms:ViaService": "a"}}"#, &v("b")));
    // keys and operators are ANDed
    assert!(!cond(r#"{"StringEquals": {"kms:ViaService": "a", "aws:other": "b"}}"#, &v("a")));
    assert!(!cond(r#"{"StringEquals": {"kms:ViaService": "a"}, "StringLike": {"kms:ViaService": "x*"}}"#, &v("a")));
}

#[test]
fn numeric_date_bool_binary_ip_arn() {
    let n = |x: f64| vec![("aws:MultiFactorAuthAge", ContextValue::Single(Value::Number(x)))];
    assert!(cond(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#, &n(10.0)));
    assert!(!cond(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}"#, &n(3600.0)));
    assert!(cond(r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}"#, &n(3600.0)));
    assert!(cond(r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": 1.5}}"#, &n(2.0)));
    assert!(cond(r#"{"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": 2}}"#, &n(2.0)));
    assert!(cond(r#"{"NumericEquals": {"aws:MultiFactorAuthAge": "10"}}"#, &[("aws:MultiFactorAuthAge", s("10.0"))]));
    assert!(cond(r#"{"NumericNotEquals": {"aws:MultiFactorAuthAge": 10}}"#, &n(11.0)));
    // unparseable request values satisfy nothing (negated operators too)
    assert!(!cond(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": 10}}"#, &[("aws:MultiFactorAuthAge", s("abc"))]));
    assert!(!cond(r#"{"NumericNotEquals": {"aws:MultiFactorAuthAge": 10}}"#, &[("aws:MultiFactorAuthAge", s("abc"))]));

    let t = |x: &str| vec![("aws:CurrentTime", s(x))];
    assert!(cond(r#"{"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}"#, &t("2026-11-28T12:00:00Z")));
    assert!(!cond(r#"{"DateGreaterThan": {"aws:CurrentTime": "2027-01-01"}}"#, &t("2026-11-28T12:00:00Z")));
    assert!(cond(r#"{"DateEquals": {"aws:CurrentTime": "2026-11-28T13:00:00+01:00"}}"#, &t("2026-11-28T12:00:00Z")));
    assert!(cond(r#"{"DateGreaterThanEquals": {"aws:CurrentTime": 1795867200}}"#, &t("2026-11-28T12:00:00Z")));
    assert!(cond(
        r#"{"DateLessThanEquals": {"aws:CurrentTime": "2026-11-28T12:00:00Z"}}"#,
        &[("aws:CurrentTime", ContextValue::Single(Value::Date(1_795_867_200_000)))]
    ));
    assert!(cond(r#"{"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}}"#, &t("2026-11-28")));
    assert!(!cond(r#"{"DateLessThan": {"aws:CurrentTime": "2027-01-01"}}"#, &t("not a date")));

    let b = |x: bool| vec![("aws:MultiFactorAuthPresent", ContextValue::Single(Value::Bool(x)))];
    assert!(cond(r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#, &b(true)));
    assert!(cond(r#"{"Bool": {"aws:MultiFactorAuthPresent": false}}"#, &b(false)));
    assert!(!cond(r#"{"Bool": {"aws:MultiFactorAuthPresent": true}}"#, &b(false)));
    assert!(cond(r#"{"Bool": {"aws:MultiFactorAuthPresent": true}}"#, &[("aws:MultiFactorAuthPresent", s("TRUE"))]));
    assert!(cond(r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": true}}"#, &[]));

    assert!(cond(
        r#"{"BinaryEquals": {"k:bin": "QmluYXJ5"}}"#,
        &[("k:bin", ContextValue::Single(Value::Binary(b"Binary".to_vec())))]
    ));
    assert!(!cond(
        r#"{"BinaryEquals": {"k:bin": "QmluYXJ5"}}"#,
        &[("k:bin", ContextValue::Single(Value::Binary(b"binary".to_vec())))]
    ));

    let ip = |x: &str| vec![("aws:SourceIp", s(x))];
    assert!(cond(r#"{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#, &ip("203.0.113.7")));
    assert!(!cond(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &ip("203.0.114.7")));
    assert!(cond(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}"#, &ip("203.0.113.7")));
    assert!(cond(r#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#, &ip("2001:db8::1")));
    assert!(cond(r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &ip("198.51.100.1")));
    assert!(!cond(r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &ip("203.0.113.1")));
    assert!(cond(r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &[]));
    assert!(!cond(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &ip("garbage")));

    let a = |x: &str| vec![("aws:PrincipalArn", s(x))];
    let role = "arn:aws:iam::111122223333:role/Admin";
    assert!(cond(r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Adm*"}}"#, &a(role)));
    assert!(cond(r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}"#, &a(role)));
    assert!(!cond(r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, &a(role)));
    assert!(cond(r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, &a(role)));
    assert!(!cond(r#"{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin"}}"#, &a(role)));
    // a `*` in one segment does not reach into the next
    assert!(!cond(
        r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333*:role/Admin"}}"#,
        &a("arn:aws:iam::111122223333:x:role/Admin")
    ));
}

#[test]
fn null_operator() {
    assert!(cond(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &[]));
    assert!(!cond(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &[("aws:TokenIssueTime", s("x"))]));
    assert!(cond(r#"{"Null": {"aws:TokenIssueTime": false}}"#, &[("aws:TokenIssueTime", s("x"))]));
    assert!(!cond(r#"{"Null": {"aws:TokenIssueTime": false}}"#, &[]));
    assert!(cond(r#"{"Null": {"k:m": "true"}}"#, &[("k:m", multi(&[]))]));
}

#[test]
fn set_operators() {
    let keys = |v: &[&str]| vec![("kms:EncryptionContextKeys", multi(v))];
    let any = r#"{"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "app"]}}"#;
    assert!(cond(any, &keys(&["tenant", "zzz"])));
    assert!(!cond(any, &keys(&["zzz"])));
    assert!(!cond(any, &keys(&[])));
    assert!(!cond(any, &[]));
    let all = r#"{"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "app"]}}"#;
    assert!(cond(all, &keys(&["tenant", "app"])));
    assert!(!cond(all, &keys(&["tenant", "zzz"])));
    assert!(cond(all, &keys(&[])));
    assert!(cond(all, &[]));
    let any_not = r#"{"ForAnyValue:StringNotEquals": {"kms:EncryptionContextKeys": ["tenant", "app"]}}"#;
    assert!(cond(any_not, &keys(&["tenant", "zzz"])));
    assert!(!cond(any_not, &keys(&["tenant", "app"])));
    assert!(!cond(any_not, &[]));
    let all_not = r#"{"ForAllValues:StringNotEquals": {"kms:EncryptionContextKeys": ["tenant", "app"]}}"#;
    assert!(cond(all_not, &keys(&["x", "y"])));
    assert!(!cond(all_not, &keys(&["x", "app"])));
    assert!(cond(all_not, &[]));
    let any_like = r#"{"ForAnyValue:StringLikeIfExists": {"kms:EncryptionContextKeys": "t*"}}"#;
    assert!(cond(any_like, &[]));
    assert!(cond(any_like, &keys(&["a", "tx"])));
    // a single-valued operator on a multi-valued key: positive = any value matches; negated = none matches
    assert!(cond(r#"{"StringEquals": {"kms:EncryptionContextKeys": "app"}}"#, &keys(&["x", "app"])));
    assert!(!cond(r#"{"StringNotEquals": {"kms:EncryptionContextKeys": "app"}}"#, &keys(&["x", "app"])));
}

#[test]
fn variables_in_resources_and_conditions() {
    let p = identity(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}"#);
    let user = vec![("aws:username", s("alice"))];
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/f", &user)), PolicyDecision::Allow);
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::home/bob/f", &user)), PolicyDecision::NoMatch);
    // no value: the entry matches nothing (even a literal `${aws:username}` path)
    let r = req(ALICE, "s3:GetObject", "arn:aws:s3:::home/${aws:username}/f", &[]);
    assert_eq!(decide(&p, &r), PolicyDecision::NoMatch);
    let t = evaluate(&p, &r, EvalOptions { trace: true }).trace.unwrap();
    let note = t.statements[0].elements[1].entries.get(0).unwrap().note.unwrap();
    assert_eq!(note, "variable ${aws:username} has no value: the entry matches nothing");
    // defaults
    let p = identity(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username, 'guest'}/*"}"#,
    );
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::home/guest/f", &[])), PolicyDecision::Allow);
    // escapes are literal even in patterns
    let p = identity(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${*}x"}"#);
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::b/*x", &[])), PolicyDecision::Allow);
    assert_eq!(decide(&p, &req(ALICE, "s3:GetObject", "arn:aws:s3:::b/ax", &[])), PolicyDecision::NoMatch);
    // conditions: positive operators fail, negated ones count the value as not equal
    let tag = vec![("aws:PrincipalTag/team", s("red")), ("aws:ResourceTag/team", s("red"))];
    let eq = r#"{"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}"#;
    assert!(cond(eq, &tag));
    assert!(!cond(eq, &[("aws:ResourceTag/team", s("red"))]));
    let ne = r#"{"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}"#;
    assert!(cond(ne, &[("aws:ResourceTag/team", s("red"))]));
    // multi-valued keys have no value as variables
    assert!(!cond(eq, &[("aws:PrincipalTag/team", multi(&["red"])), ("aws:ResourceTag/team", s("red"))]));
    // without Version 2012-10-17 variables are literal text
    let old = Policy::parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}"}}"#,
        PolicyType::Identity,
    )
    .unwrap();
    assert_eq!(
        decide(&old, &req(ALICE, "s3:GetObject", "arn:aws:s3:::home/${aws:username}", &user)),
        PolicyDecision::Allow
    );
    assert_eq!(decide(&old, &req(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice", &user)), PolicyDecision::NoMatch);
}

#[test]
fn explicit_deny_wins_and_sets_combine() {
    let allow = identity(r#"{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#);
    let deny = identity(r#"{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}"#);
    let other = identity(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    let r = req(ALICE, "kms:Decrypt", KEY, &[]);
    assert_eq!(evaluate_all(&[&allow, &deny], &r, EvalOptions::default()).decision, Decision::ExplicitDeny);
    assert_eq!(evaluate_all(&[&allow, &other], &r, EvalOptions::default()).decision, Decision::Allow);
    assert_eq!(evaluate_all(&[&other], &r, EvalOptions::default()).decision, Decision::ImplicitDeny);
    assert_eq!(evaluate_all(&[], &r, EvalOptions::default()).decision, Decision::ImplicitDeny);
    let both = identity(
        r#"{"Sid": "A", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Sid": "D", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}"#,
    );
    let res = evaluate(&both, &r, EvalOptions::default());
    assert_eq!(res.decision, PolicyDecision::ExplicitDeny);
    assert_eq!(res.applied.len(), 2);
    assert_eq!(res.deciding().map(|s| s.sid.as_deref().unwrap()).collect::<Vec<_>>(), vec!["D"]);
    assert_eq!(&*res.applied[1].span.path, "/Statement/1");
}

#[test]
fn trace_explains_conditions() {
    let p = resource(
        r#"{"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
            "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringNotEquals": {"kms:CallerAccount": "999999999999"},
                          "BoolIfExists": {"aws:MultiFactorAuthPresent": "true"},
                          "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": "tenant"},
                          "StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "100"}}}"#,
    );
    let r = req(
        "arn:aws:sts::111122223333:assumed-role/App/s",
        "kms:Decrypt",
        KEY,
        &[("kms:ViaService", s("s3.us-east-1.amazonaws.com")), ("aws:MultiFactorAuthAge", s("soon"))],
    );
    let res = evaluate(&p, &r, EvalOptions { trace: true });
    assert_eq!(res.decision, PolicyDecision::NoMatch);
    let st = &res.trace.as_ref().unwrap().statements[0];
    assert!(!st.applies);
    assert_eq!(st.principal_match, Some(PrincipalMatch::Role));
    let reasons: Vec<(&str, bool, &str)> =
        st.conditions.iter().map(|c| (c.operator(), c.outcome, &*c.reason)).collect();
    assert_eq!(reasons[0], ("StringNotEquals", true, "key missing: StringNotEquals matches"));
    assert_eq!(reasons[1], ("BoolIfExists", true, "IfExists: key missing, condition true"));
    assert_eq!(reasons[2], ("ForAllValues:StringEquals", true, "ForAllValues: key missing, condition true"));
    assert_eq!(reasons[3], ("StringEquals", false, "no request value matches a policy value (StringEquals)"));
    assert_eq!(
        reasons[4],
        (
            "NumericLessThan",
            false,
            "no request value matches a policy value (NumericLessThan); request value `soon` is not a number: comparison false"
        )
    );
    assert_eq!(st.conditions[3].request_values, Some(vec!["s3.us-east-1.amazonaws.com".to_string()]));
    assert_eq!(st.conditions[0].request_values, None);
    assert_eq!(&*st.conditions[3].span().path, "/Statement/0/Condition/StringEquals/kms:ViaService");
    assert!(st.reason.starts_with("condition `StringEquals` on `kms:ViaService` is false"), "{}", st.reason);

    let text = render_text(res.trace.as_ref().unwrap(), Some(p.source()));
    assert!(text.starts_with("resource-based policy: no statement applies\n"), "{text}");
    assert!(text.contains("statement 0 \"Users\" (Allow, line 1): does not apply"), "{text}");
    assert!(text.contains("[-] Condition StringEquals `kms:ViaService`"), "{text}");
    assert!(text.contains("[+] arn:aws:iam::111122223333:role/App  (role session matches its role)"), "{text}");
    assert!(!text.contains("DECIDES"));
    assert!(!text.contains('\u{1b}'), "no colour codes");
}

#[test]
fn render_marks_deciding_statements() {
    let p = identity(
        r#"{"Sid": "A", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
    );
    let res = evaluate(&p, &req(ALICE, "kms:Decrypt", KEY, &[]), EvalOptions { trace: true });
    let text = render_text(res.trace.as_ref().unwrap(), None);
    assert!(text.contains("statement 0 \"A\" (Allow, line 1): APPLIES  <== DECIDES"), "{text}");
    assert!(text.contains("statement 1 \"B\" (Allow, line 1): does not apply\n"), "{text}");
    assert!(text.contains("why: action `kms:Decrypt` is not listed in `Action`"), "{text}");
    // the trace is plain serde data
    let json = serde_json::to_value(&res).unwrap();
    assert_eq!(json["trace"]["statements"][0]["applies"], true);
    assert_eq!(json["applied"][0]["sid"], "A");
}

/// Trace texts are prepared once (at parse time or once per evaluation) and shared: they must still be the texts
/// for this request, whatever was evaluated before.
#[test]
fn shared_trace_texts_follow_the_request() {
    let p = identity(
        r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContextKeys": "tenant"},
                          "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "path"]},
                          "NumericLessThan": {"kms:N": "5"}}}"#,
    );
    let reasons = |ctx: &[(&str, ContextValue)], action: &str| {
        let t = evaluate(&p, &req(ALICE, action, KEY, ctx), EvalOptions { trace: true }).trace.unwrap();
        let st = &t.statements[0];
        let mut out: Vec<String> = st.conditions.iter().map(|c| c.reason.to_string()).collect();
        out.push(st.elements[0].reason.to_string());
        out.push(st.elements[0].request_value.to_string());
        out.push(st.reason.to_string());
        out
    };
    let two = reasons(&[("kms:EncryptionContextKeys", multi(&["tenant", "path"])), ("kms:N", s("1"))], "kms:Decrypt");
    assert_eq!(
        two,
        [
            "the 2 request values match StringEquals",
            "ForAllValues: every request value satisfies StringEquals",
            "the request value match NumericLessThan",
            "action `kms:Decrypt` is listed in `Action`",
            "kms:Decrypt",
            "applies: every element and condition matches; the statement allows the request",
        ]
    );
    let one = reasons(&[("kms:EncryptionContextKeys", multi(&["tenant"])), ("kms:N", s("abc"))], "kms:Encrypt");
    assert_eq!(
        one,
        [
            "the request value match StringEquals",
            "ForAllValues: every request value satisfies StringEquals",
            "no request value matches a policy value (NumericLessThan); request value `abc` is not a number: \
             comparison false",
            "action `kms:Encrypt` is not listed in `Action`",
            "kms:Encrypt",
            "action `kms:Encrypt` is not listed in `Action`",
        ]
    );
    let missing = reasons(&[], "kms:Decrypt");
    assert_eq!(missing[0], "key missing: StringEquals does not match");
    assert_eq!(
        missing[5],
        "condition `StringEquals` on `kms:EncryptionContextKeys` is false: key missing: StringEquals does not match"
    );
    // the first evaluation's texts are unchanged by the later ones
    assert_eq!(
        two,
        reasons(&[("kms:EncryptionContextKeys", multi(&["tenant", "path"])), ("kms:N", s("1"))], "kms:Decrypt")
    );
}

/// IAM User Guide, *NotPrincipal*: a `NotPrincipal` with `Deny` "will always deny any IAM principal that has a
/// permissions boundary policy attached, regardless of the values specified in the `NotPrincipal` element".
#[test]
fn not_principal_deny_never_exempts_a_caller_with_a_boundary() {
    let p = resource(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::111122223333:root"]}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let mut r = req("arn:aws:iam::111122223333:user/Alice", "kms:Decrypt", KEY, &[]);
    assert_eq!(evaluate(&p, &r, EvalOptions::default()).decision, PolicyDecision::NoMatch);
    r.principal.permissions_boundary = true;
    let traced = evaluate(&p, &r, EvalOptions { trace: true });
    assert_eq!(traced.decision, PolicyDecision::ExplicitDeny);
    assert_eq!(evaluate(&p, &r, EvalOptions::default()).decision, PolicyDecision::ExplicitDeny);
    let trace = traced.trace.unwrap();
    let el = &trace.statements[0].elements[0];
    assert!(el.reason.contains("has a permissions boundary"), "{}", el.reason);
}

/// An element's entries are marked one by one, also past the 32 that fit without an allocation (two bits each).
#[test]
fn trace_marks_every_entry_of_a_long_list() {
    let actions: Vec<String> = (0..70).map(|i| format!("\"kms:Op{i}\"")).collect();
    let p = identity(&format!(r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#, actions.join(", ")));
    for hit in [0, 31, 32, 63, 64, 69] {
        let t = evaluate(&p, &req(ALICE, &format!("kms:Op{hit}"), KEY, &[]), EvalOptions { trace: true });
        let el = &t.trace.as_ref().unwrap().statements[0].elements[0];
        assert_eq!(el.entries.len(), 70);
        let matched: Vec<usize> = el.entries.iter().enumerate().filter(|(_, e)| e.matched).map(|(i, _)| i).collect();
        assert_eq!(matched, [hit]);
        let json = serde_json::to_value(el).unwrap();
        let flags: Vec<bool> = json["entries"].as_array().unwrap().iter().map(|e| e["matched"] == true).collect();
        assert_eq!(flags.iter().filter(|m| **m).count(), 1);
        assert!(flags[hit]);
        assert_eq!(json["entries"][hit]["value"], format!("kms:Op{hit}"));
    }
}

/// A trace read back from its JSON is equal to it and writes the same JSON (notes and resolved values included).
#[test]
fn trace_json_round_trips() {
    let p = resource(
        r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/App"]},
            "Action": "s3:*", "Resource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::x/${aws:userid}"],
            "Condition": {"StringEquals": {"s3:prefix": ["${aws:username}", "${aws:userid}", "home"]},
                          "NumericLessThan": {"s3:max-keys": "${aws:username}"}}}"#,
    );
    let r = req(
        "arn:aws:sts::111122223333:assumed-role/App/s",
        "s3:ListBucket",
        "arn:aws:s3:::home/alice/f",
        &[("aws:username", s("alice")), ("s3:prefix", s("alice"))],
    );
    let trace = evaluate(&p, &r, EvalOptions { trace: true }).trace.unwrap();
    let json = serde_json::to_string(&trace).unwrap();
    assert!(json.contains(r#""note":"role session matches its role""#), "{json}");
    assert!(json.contains(r#""note":"the caller's account""#), "{json}");
    assert!(json.contains(r#""resolved":"arn:aws:s3:::home/alice/*""#), "{json}");
    assert!(json.contains(r#""note":"variable ${aws:userid} has no value: the entry matches nothing""#), "{json}");
    assert!(json.contains("is not valid for `NumericLessThan`"), "{json}");
    let back: kmsim_policy::PolicyTrace = serde_json::from_str(&json).unwrap();
    assert_eq!(back, trace);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}
