//! The checks, each reading the parsed policy's statements (with their spans) and the catalogue.

use std::collections::BTreeMap;

use kmsim_policy::{
    suggest, wildcard_matches, ConditionView, Effect, Located, OperatorType, Policy, PolicyType, SetOperator, Span,
    Statement,
};

use super::{finding, Finding, Fix};
use crate::catalogue::{self, Action, KeyForm, KeyType, Presence, Values, ACTIONS};

pub(super) fn run(policy: &Policy, out: &mut Vec<Finding>) {
    let key_policy = policy.policy_type() == PolicyType::Resource;
    let owners = owner_accounts(policy);
    let covered = Covered::new(policy);
    for st in policy.statements() {
        actions(st, key_policy, out);
        conditions(st, key_policy, &covered, out);
        security(st, key_policy, &owners, &covered, out);
    }
    if key_policy {
        admin_and_use(policy, &covered, out);
        missing_root(policy, out);
    }
    shadowed(policy, &covered, out);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// `statement `Sid`` or `statement #2` (0-based, as the JSON Pointer counts).
fn name(st: &Statement) -> String {
    match st.sid() {
        Some(sid) => format!("statement `{sid}`"),
        None => format!("statement #{}", st.index()),
    }
}

fn strip_fold<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A fix that replaces a whole JSON string (its span includes the quotes) with `replacement`.
fn replace_string(span: &Span, replacement: &str) -> Fix {
    Fix { replacement: json_string(replacement), span: span.clone(), title: format!("replace with `{replacement}`") }
}

/// The account of an account principal: a bare 12-digit id or `arn:PARTITION:iam::ACCOUNT:root`.
fn account_root(text: &str) -> Option<&str> {
    if is_account_id(text) {
        return Some(text);
    }
    let mut parts = text.splitn(6, ':');
    let (arn, _partition, service, region, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (arn == "arn" && service == "iam" && region.is_empty() && resource == "root" && is_account_id(account))
        .then_some(account)
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account an `AWS` principal belongs to (an account, a user, a role, a session).
fn principal_account(text: &str) -> Option<&str> {
    if is_account_id(text) {
        return Some(text);
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam" | "sts", "", account, _] if is_account_id(account) => Some(account),
        _ => None,
    }
}

/// Whether the statement allows or denies every principal (`"*"` or `{"AWS": "*"}`).
fn any_principal(st: &Statement) -> Option<Located<'_>> {
    st.principal_entries().find(|p| p.value.text == "*" && (p.ptype == "*" || p.ptype == "AWS")).map(|p| p.value)
}

/// The accounts that own the key, as the key policy shows them: those whose root an Allow statement gives every
/// permission (the default key policy's first statement; an external account is given only some).
fn owner_accounts(policy: &Policy) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    let owning = |s: &&Statement| s.effect() == Effect::Allow && !s.has_not_principal() && all_actions(s);
    for st in policy.statements().iter().filter(owning) {
        for p in st.principal_entries().filter(|p| p.ptype == "AWS") {
            if let Some(a) = account_root(p.value.text) {
                if !owners.iter().any(|o| o == a) {
                    owners.push(a.to_string());
                }
            }
        }
    }
    owners
}

/// The `kms:` actions the statement's `Action` names (`NotAction`: every action it does not exclude), and whether
/// it also names actions of other services.
fn kms_actions(st: &Statement) -> (Vec<&'static Action>, bool) {
    // An entry that is not `kms:...` may name other services too (`*`, `k*:Decrypt`, `s3:GetObject`).
    let other = st.has_not_action() || st.actions().any(|a| strip_fold(a, "kms:").is_none());
    // Matched as evaluation matches a request's action.
    let set = ACTIONS.iter().filter(|a| st.covers_action(a.name)).collect();
    (set, other)
}

/// Every statement's [`kms_actions`], found once per policy (several checks read them, `shadowed` for each pair of
/// statements).
struct Covered(Vec<(Vec<&'static Action>, bool)>);

impl Covered {
    fn new(policy: &Policy) -> Covered {
        Covered(policy.statements().iter().map(kms_actions).collect())
    }
    /// `st`'s: a parsed policy has every statement, so its index is its place in the list.
    fn of(&self, st: &Statement) -> (&[&'static Action], bool) {
        self.0.get(st.index()).map_or((&[], false), |(actions, other)| (actions.as_slice(), *other))
    }
}

/// Whether the statement names every KMS action (`*`, `kms:*`).
fn all_actions(st: &Statement) -> bool {
    !st.has_not_action() && st.action_entries().any(|e| e.text == "*" || e.text.eq_ignore_ascii_case("kms:*"))
}

fn has_key(st: &Statement, names: &[&str]) -> bool {
    st.condition_views().any(|c| names.iter().any(|n| c.key().text.eq_ignore_ascii_case(n)))
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

fn actions(st: &Statement, key_policy: bool, out: &mut Vec<Finding>) {
    for e in st.action_entries() {
        if e.text == "*" {
            continue;
        }
        let Some((service, act)) = e.text.split_once(':') else { continue };
        if !wildcard_matches(service, "kms") {
            if key_policy {
                out.push(finding(
                    "KMS102-other-service-action",
                    format!("`{}` is not a KMS action: a key policy controls only KMS actions on its key", e.text),
                    e.span(),
                    Some(
                        "grant other services' actions in IAM policies or in those services' resource policies".into(),
                    ),
                    None,
                ));
            }
            continue;
        }
        if !service.eq_ignore_ascii_case("kms") {
            continue;
        }
        if act.contains(['*', '?']) {
            if !ACTIONS.iter().any(|a| wildcard_matches(act, a.bare())) {
                out.push(finding(
                    "KMS103-wildcard-matches-nothing",
                    format!("`{}` matches no KMS action", e.text),
                    e.span(),
                    Some("the pattern is compared with every action's name, ignoring case".into()),
                    None,
                ));
            }
            continue;
        }
        match catalogue::action(e.text) {
            None => {
                let names: Vec<&str> = catalogue::action_names().collect();
                let near = suggest(e.text, &names);
                out.push(finding(
                    "KMS101-unknown-action",
                    format!("`{}` is not a KMS action", e.text),
                    e.span(),
                    Some(match near {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => "see the list of KMS actions".into(),
                    }),
                    near.map(|n| replace_string(&e.span(), n)),
                ));
            }
            Some(a) => {
                if key_policy
                    && st.effect() == Effect::Allow
                    && !st.has_not_action()
                    && a.placement == catalogue::PolicyPlacement::IamOnly
                {
                    out.push(finding(
                        "KMS104-iam-only-action-in-key-policy",
                        format!("`{}` is not authorized on a KMS key: a key policy cannot grant it", a.name),
                        e.span(),
                        Some("allow it in an IAM policy".into()),
                        None,
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions

/// Whether an operator of type `op` compares values of a key of type `key` (`Null` fits every key; string
/// operators fit ARN keys too; `aws:EpochTime` takes date and numeric operators).
fn fits(op: OperatorType, key: KeyType, name: &str) -> bool {
    match op {
        OperatorType::Null => true,
        OperatorType::String => matches!(key, KeyType::String | KeyType::Arn),
        OperatorType::Arn => key == KeyType::Arn,
        OperatorType::Numeric => key == KeyType::Numeric || name.eq_ignore_ascii_case("aws:EpochTime"),
        OperatorType::Date => key == KeyType::Date,
        OperatorType::Bool => key == KeyType::Bool,
        OperatorType::IpAddress => key == KeyType::IpAddress,
        OperatorType::Binary => false,
    }
}

fn type_name(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "string",
        KeyType::Bool => "boolean",
        KeyType::Numeric => "numeric",
        KeyType::Date => "date",
        KeyType::Arn => "ARN",
        KeyType::IpAddress => "IP address",
    }
}

fn operators_for(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "a string operator such as `StringEquals` or `StringLike`",
        KeyType::Bool => "`Bool`",
        KeyType::Numeric => "a numeric operator such as `NumericLessThanEquals`",
        KeyType::Date => "a date operator such as `DateLessThan`",
        KeyType::Arn => "`ArnLike`, `ArnEquals` or a string operator",
        KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
    }
}

/// A fix that rewrites the operator, offered only when the operator's block holds this one key (the new operator
/// would apply to every key of the block).
fn operator_fix(st: &Statement, c: &ConditionView<'_>, new_op: &str) -> Option<Fix> {
    // A parsed statement repeats no operator (a repeated key is an error), so the same text is the same block.
    let op = c.operator();
    let sharing = st.condition_views().filter(|o| o.operator().text == op.text).count();
    (sharing == 1).then(|| replace_string(&op.span(), new_op))
}

fn conditions(st: &Statement, key_policy: bool, covered: &Covered, out: &mut Vec<Finding>) {
    let (actions, other) = covered.of(st);
    for c in st.condition_views() {
        let key = c.key();
        let is_kms = strip_fold(key.text, "kms:").is_some();
        if !is_kms && strip_fold(key.text, "aws:").is_none() {
            continue;
        }
        let Some(m) = catalogue::condition_key(key.text) else {
            unknown_key(key, is_kms, out);
            continue;
        };
        let k = m.key;
        if let Some(newer) = k.replaced_by {
            out.push(finding(
                "KMS207-deprecated-condition-key",
                format!("`{}` is deprecated: `{newer}` replaces it", key.text),
                key.span(),
                Some(format!("use `{newer}`; it works the same")),
                Some(replace_string(&key.span(), newer)),
            ));
        }
        if key_policy && k.iam_only {
            out.push(finding(
                "KMS209-iam-only-key-in-key-policy",
                format!("`{}` is a condition key for IAM policies only, not for key policies", key.text),
                key.span(),
                Some("put the condition in an IAM policy, which the key policy's account statement enables".into()),
                None,
            ));
        }
        if !fits(c.operator_type(), k.ty, k.name) {
            out.push(finding(
                "KMS203-operator-type-mismatch",
                format!("`{}` does not compare {} values such as `{}`'s", c.operator().text, type_name(k.ty), key.text),
                c.operator().span(),
                Some(format!("use {}", operators_for(k.ty))),
                None,
            ));
        }
        // No fix for the set operators: without them a negated operator is true, not false, when the key is
        // missing, so removing them is not a certain fix.
        match (c.set_operator(), k.values) {
            (Some(SetOperator::ForAllValues), Values::Single) => out.push(finding(
                "KMS204-forallvalues-single-valued",
                format!(
                    "`ForAllValues` with `{}`, which has one value: the condition is true when the key is missing",
                    key.text
                ),
                c.operator().span(),
                Some("remove `ForAllValues:`; set operators are for multi-valued keys".into()),
                None,
            )),
            (Some(SetOperator::ForAnyValue), Values::Single) => out.push(finding(
                "KMS205-foranyvalue-single-valued",
                format!("`ForAnyValue` with `{}`, which has one value", key.text),
                c.operator().span(),
                Some("remove `ForAnyValue:`; set operators are for multi-valued keys".into()),
                None,
            )),
            _ => {}
        }
        if c.if_exists() && k.presence == Presence::Always {
            let op = c.operator().text;
            let without = op.get(..op.len().saturating_sub("IfExists".len())).unwrap_or(op);
            out.push(finding(
                "KMS206-ifexists-always-present",
                format!("`{}` is in every request: `IfExists` adds nothing", key.text),
                c.operator().span(),
                Some(format!("use `{without}`")),
                operator_fix(st, &c, without),
            ));
        }
        if !other && !actions.is_empty() && !actions.iter().any(|a| a.supports(key.text)) {
            let listed: Vec<&str> = k.actions().map(|a| a.name).take(4).collect();
            let help = if listed.is_empty() {
                "no KMS action has this key".to_string()
            } else {
                format!("it is in the requests of {}", listed.join(", "))
            };
            out.push(finding(
                "KMS202-key-not-supported",
                format!("no action of {} has `{}` in its request: the condition never sees it", name(st), key.text),
                key.span(),
                Some(help),
                None,
            ));
        }
    }
}

fn unknown_key(key: Located<'_>, is_kms: bool, out: &mut Vec<Finding>) {
    // Did you mean: for a name with a variable part (`kms:EncryptionContxt:Department`, `aws:RequestTg/Project`),
    // a variable key's stem followed by what was written after it; else the closest exact name.
    let keys = catalogue::KMS_KEYS.iter().chain(catalogue::GLOBAL_KEYS.iter());
    let stems: Vec<&str> = keys.clone().filter(|k| k.form == KeyForm::Variable).map(|k| k.stem()).collect();
    let cut = key.text.char_indices().filter(|(_, ch)| *ch == ':').map(|(i, _)| i + 1).nth(1);
    let cut = cut.or_else(|| key.text.find('/').map(|i| i + 1));
    let variable =
        cut.and_then(|i| Some((key.text.get(..i)?, key.text.get(i..)?))).filter(|(_, rest)| !rest.is_empty());
    let mut near = variable.and_then(|(stem, rest)| suggest(stem, &stems).map(|s| format!("{s}{rest}")));
    if near.is_none() {
        let exact: Vec<&str> = keys.filter(|k| k.form == KeyForm::Exact).map(|k| k.name).collect();
        near = suggest(key.text, &exact).map(str::to_string);
    }
    let (code, what) = if is_kms {
        ("KMS201-unknown-condition-key", "is not a KMS condition key")
    } else {
        ("KMS208-unknown-global-key", "is not a global condition key kmsim knows")
    };
    out.push(finding(
        code,
        format!("`{}` {what}", key.text),
        key.span(),
        Some(match &near {
            Some(n) => format!("did you mean `{n}`?"),
            None => "see the condition keys of KMS and the global condition keys".into(),
        }),
        near.as_deref().map(|n| replace_string(&key.span(), n)),
    ));
}

// ---------------------------------------------------------------------------------------------------------------
// Security

/// Keys that limit who a `Principal: "*"` statement applies to (their account, organization, the calling service
/// or network).
const LIMITING_KEYS: &[&str] = &[
    "kms:CallerAccount",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalIsAWSService",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:userid",
];

fn security(st: &Statement, key_policy: bool, owners: &[String], covered: &Covered, out: &mut Vec<Finding>) {
    mfa_bool(st, out);
    if !key_policy {
        return;
    }
    for r in st.resource_entries().filter(|r| r.text != "*") {
        out.push(finding(
            "KMS308-resource-not-star",
            format!("`{}` in a key policy: the policy applies only to its own key, so write `*`", r.text),
            r.span(),
            Some("in a key policy `\"Resource\": \"*\"` means this key".into()),
            // No fix: `*` would make a statement that names another key's ARN (and so never applied) apply.
            None,
        ));
    }
    if st.effect() == Effect::Deny {
        not_principal(st, out);
        return;
    }
    if st.has_not_principal() {
        return;
    }
    if all_actions(st) {
        for p in st.principal_entries().filter(|p| !(p.ptype == "AWS" && account_root(p.value.text).is_some())) {
            out.push(finding(
                "KMS301-kms-star-to-non-root",
                format!("{} allows `kms:*` to `{}`: only the account should have every permission", name(st), p.value.text),
                p.value.span(),
                Some("allow only the actions this principal needs (the default key policy's administrator and user statements)".into()),
                None,
            ));
        }
    }
    let via = st.condition_views().find(|c| c.key().text.eq_ignore_ascii_case("kms:ViaService"));
    if let Some(p) = any_principal(st) {
        if let Some(via) = via {
            if !has_key(st, &["kms:CallerAccount", "aws:PrincipalAccount", "aws:PrincipalOrgID"]) {
                out.push(finding(
                    "KMS306-via-service-without-caller-account",
                    format!("{} allows any principal through `kms:ViaService` without `kms:CallerAccount`: principals of every account can use the key through the service", name(st)),
                    via.key().span(),
                    Some("add `\"kms:CallerAccount\": \"ACCOUNT-ID\"` to the condition".into()),
                    None,
                ));
            }
        } else if !has_key(st, LIMITING_KEYS) {
            out.push(finding(
                "KMS303-public-principal",
                format!(
                    "{} allows `*` with no condition on the account, organization or service: anyone can use it",
                    name(st)
                ),
                p.span(),
                Some(
                    "name the principals, or add a condition such as `kms:CallerAccount` or `aws:PrincipalOrgID`"
                        .into(),
                ),
                None,
            ));
        }
    }
    cross_account_grant(st, owners, covered, out);
}

fn cross_account_grant(st: &Statement, owners: &[String], covered: &Covered, out: &mut Vec<Finding>) {
    if owners.is_empty() || has_key(st, &["kms:GrantIsForAWSResource"]) {
        return;
    }
    let (actions, _) = covered.of(st);
    if !actions.iter().any(|a| a.name == "kms:CreateGrant") {
        return;
    }
    for p in st.principal_entries().filter(|p| p.ptype == "AWS") {
        let Some(account) = principal_account(p.value.text) else { continue };
        if !owners.iter().any(|o| o == account) {
            out.push(finding(
                "KMS307-cross-account-grant",
                format!("{} allows `kms:CreateGrant` to account {account} without `kms:GrantIsForAWSResource`: it can grant the key to anyone", name(st)),
                p.value.span(),
                Some("add `\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}` so that only AWS services create grants for it".into()),
                None,
            ));
        }
    }
}

fn not_principal(st: &Statement, out: &mut Vec<Finding>) {
    if !st.has_not_principal() {
        return;
    }
    let listed: Vec<&str> = st.principal_entries().filter(|p| p.ptype == "AWS").map(|p| p.value.text).collect();
    let lists_account = |a: &str| listed.iter().any(|l| account_root(l) == Some(a));
    for p in st.principal_entries().filter(|p| p.ptype == "AWS") {
        let text = p.value.text;
        if account_root(text).is_some() {
            continue;
        }
        let Some(account) = principal_account(text) else { continue };
        let mut missing: Vec<String> = Vec::new();
        if !lists_account(account) {
            missing.push(format!("the account (`arn:aws:iam::{account}:root`)"));
        }
        // A session `arn:aws:sts::A:assumed-role/R/S` also needs its role `arn:aws:iam::A:role/R`.
        if let Some(role) = text.split(":assumed-role/").nth(1).and_then(|r| r.split('/').next()) {
            let has_role = listed.iter().any(|l| {
                principal_account(l) == Some(account) && l.contains(":role/") && l.ends_with(&format!("/{role}"))
            });
            if !has_role {
                missing.push(format!("the role (`arn:aws:iam::{account}:role/{role}`)"));
            }
        }
        if !missing.is_empty() {
            out.push(finding(
                "KMS304-deny-notprincipal-incomplete",
                format!("{} denies everyone but `{text}`, yet does not exempt {}: that principal is denied too", name(st), missing.join(" or ")),
                p.value.span(),
                Some("with `Deny` and `NotPrincipal`, list the account and, for a session, its role; or use `aws:PrincipalArn` in a condition".into()),
                None,
            ));
        }
    }
}

fn mfa_bool(st: &Statement, out: &mut Vec<Finding>) {
    if st.effect() != Effect::Deny {
        return;
    }
    for c in st.condition_views() {
        let mfa = c.key().text.eq_ignore_ascii_case("aws:MultiFactorAuthPresent");
        if mfa
            && c.operator_type() == OperatorType::Bool
            && !c.if_exists()
            && c.values().any(|v| v.text.eq_ignore_ascii_case("false"))
        {
            out.push(finding(
                "KMS305-mfa-bool",
                format!("{} denies when `aws:MultiFactorAuthPresent` is false, but requests with long-term credentials do not have the key: they are not denied", name(st)),
                c.operator().span(),
                Some("use `BoolIfExists`, which is true when the key is missing".into()),
                operator_fix(st, &c, "BoolIfExists"),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The whole key policy

/// The administrative actions of the default key policy's key administrators statement that change the key or its
/// policy (not the read-only Describe/Get/List).
fn is_admin(a: &Action) -> bool {
    const PATTERNS: &[&str] = &[
        "Create*",
        "Enable*",
        "Put*",
        "Update*",
        "Revoke*",
        "Disable*",
        "Delete*",
        "TagResource",
        "UntagResource",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "RotateKeyOnDemand",
    ];
    // The grant permissions are in the default policy's key users statement (for AWS services that use the key).
    !matches!(a.name, "kms:CreateGrant" | "kms:ListGrants" | "kms:RevokeGrant")
        && PATTERNS.iter().any(|p| wildcard_matches(p, a.bare()))
}

/// The cryptographic operations (the default key policy's key users statement).
fn is_use(a: &Action) -> bool {
    const PATTERNS: &[&str] = &[
        "Encrypt",
        "Decrypt",
        "ReEncrypt*",
        "GenerateDataKey*",
        "Sign",
        "Verify",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
    ];
    PATTERNS.iter().any(|p| wildcard_matches(p, a.bare()))
}

fn admin_and_use(policy: &Policy, covered: &Covered, out: &mut Vec<Finding>) {
    // principal -> (administers, uses, reported)
    let mut seen: BTreeMap<String, (bool, bool, bool)> = BTreeMap::new();
    for st in policy.statements() {
        if st.effect() != Effect::Allow || st.has_not_principal() || all_actions(st) {
            continue;
        }
        let (actions, _) = covered.of(st);
        let admin = actions.iter().any(|a| is_admin(a));
        let uses = actions.iter().any(|a| is_use(a));
        for p in st.principal_entries().filter(|p| p.ptype == "AWS" && p.value.text != "*") {
            if account_root(p.value.text).is_some() {
                continue;
            }
            let e = seen.entry(p.value.text.to_string()).or_default();
            e.0 |= admin;
            e.1 |= uses;
            if e.0 && e.1 && !e.2 {
                e.2 = true;
                out.push(finding(
                    "KMS302-admin-and-use",
                    format!("`{}` can both administer the key and use it: separate key administrators from key users", p.value.text),
                    p.value.span(),
                    Some("give administration and cryptographic use to different principals, as the default key policy's statements do".into()),
                    None,
                ));
            }
        }
    }
}

fn missing_root(policy: &Policy, out: &mut Vec<Finding>) {
    let has_root = policy.statements().iter().any(|st| {
        st.effect() == Effect::Allow
            && !st.has_not_principal()
            && st.principal_entries().any(|p| p.ptype == "AWS" && account_root(p.value.text).is_some())
    });
    if has_root {
        return;
    }
    let location = policy.statements().first().map(|s| s.span().clone()).unwrap_or_default();
    out.push(finding(
        "KMS310-missing-root-statement",
        "no statement allows the account: IAM policies have no effect on this key, and if its principals are deleted no one can manage it".into(),
        location,
        Some("add the default key policy's first statement: `{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT-ID:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}`".into()),
        None,
    ));
}

/// Whether `t` applies to every request `s` applies to: `t` has no condition and no `Not...` element, and its
/// principals, actions and resources include `s`'s.
fn covers(t: &Statement, s: &Statement, covered: &Covered) -> bool {
    if t.condition_views().next().is_some()
        || t.has_not_action()
        || t.has_not_principal()
        || t.has_not_resource()
        || t.lacks_resource()
        || s.has_not_principal()
        || s.has_not_action()
        || s.lacks_resource()
    {
        return false;
    }
    let t_principals: Vec<(&str, &str)> = t.principal_entries().map(|p| (p.ptype, p.value.text)).collect();
    let principals = any_principal(t).is_some()
        || s.principal_entries().all(|p| t_principals.iter().any(|(ty, v)| *ty == p.ptype && *v == p.value.text));
    let t_resources: Vec<&str> = t.resource_entries().map(|r| r.text).collect();
    let resources = t_resources.contains(&"*")
        || (!s.has_not_resource() && s.resource_entries().all(|r| t_resources.contains(&r.text)));
    if !principals || !resources {
        return false;
    }
    let t_actions: Vec<&str> = t.action_entries().map(|e| e.text).collect();
    let actions = s.action_entries().all(|e| {
        t_actions.iter().any(|p| wildcard_matches(p, e.text))
            || (!e.text.contains(['*', '?']) && t_actions.iter().any(|p| p.eq_ignore_ascii_case(e.text)))
    }) || {
        let (sa, s_other) = covered.of(s);
        let (ta, _) = covered.of(t);
        !s_other && !sa.is_empty() && sa.iter().all(|a| ta.contains(a))
    };
    actions
}

fn shadowed(policy: &Policy, covered: &Covered, out: &mut Vec<Finding>) {
    let statements = policy.statements();
    for s in statements {
        let by = statements.iter().find(|t| {
            t.index() != s.index()
                && covers(t, s, covered)
                && match (t.effect(), s.effect()) {
                    (Effect::Deny, Effect::Allow) => true,
                    (a, b) if a == b => !covers(s, t, covered) || t.index() < s.index(),
                    _ => false,
                }
        });
        let Some(t) = by else { continue };
        let message = if t.effect() == Effect::Deny && s.effect() == Effect::Allow {
            format!("{} can never allow: {} denies every request it applies to", name(s), name(t))
        } else {
            format!(
                "{} never decides: {} already {} every request it applies to",
                name(s),
                name(t),
                if t.effect() == Effect::Deny { "denies" } else { "allows" }
            )
        };
        out.push(finding(
            "KMS309-shadowed-statement",
            message,
            s.span().clone(),
            Some(format!("remove it, or narrow {}", name(t))),
            None,
        ));
    }
}
