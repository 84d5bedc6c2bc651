//! The request context of a call: every `aws:*` and `kms:*` condition key the policies see, assembled here and only
//! here. [`base`] has the global keys (who calls, how, when); [`on_key`] adds the key resource's keys, the alias the
//! request used, the encryption context and the operation's own keys; the caller's extra keys (`Caller::context`)
//! are applied last and win. A new condition key goes in this module: a function the operation's handler calls.

use std::collections::BTreeMap;

use kmsim_policy::{Context, ContextValue, PrincipalKind, Value};

use crate::hsm::EncryptionContext;
use crate::key::{Key, KeySpec, KeyUsage, Origin};
use crate::operation::Operation;
use crate::principal::{Caller, Credentials, ResolvedCaller};
use crate::world::World;

/// The global condition keys of a call: who calls, how, and when; then the caller's extra keys.
pub(crate) fn base(world: &World, rc: &ResolvedCaller<'_>, caller: &Caller) -> Context {
    let mut c = Context::new();
    let p = &rc.principal;
    let principal_arn = p.role_arn.clone().unwrap_or_else(|| p.arn.clone());
    if p.kind != PrincipalKind::Anonymous && p.kind != PrincipalKind::Service {
        c.insert("aws:PrincipalArn", ContextValue::Single(Value::Arn(principal_arn)));
    }
    if let Some(a) = &p.account {
        c.insert_string("aws:PrincipalAccount", a.clone());
        c.insert_string("kms:CallerAccount", a.clone());
    }
    let ptype = match p.kind {
        PrincipalKind::User => "User",
        PrincipalKind::Role | PrincipalKind::RoleSession => "AssumedRole",
        PrincipalKind::FederatedUser => "FederatedUser",
        PrincipalKind::Root => "Account",
        PrincipalKind::Service => "AWSService",
        PrincipalKind::Anonymous => "Anonymous",
    };
    c.insert_string("aws:PrincipalType", ptype);
    if p.kind == PrincipalKind::User {
        if let Some(n) = &rc.name {
            c.insert_string("aws:username", n.clone());
            c.insert_string("aws:userid", pseudo_id("AIDA", &p.arn));
        }
    }
    if p.kind == PrincipalKind::RoleSession {
        if let (Some(r), Some(s)) = (&p.role_arn, &rc.session_name) {
            c.insert_string("aws:userid", format!("{}:{s}", pseudo_id("AROA", r)));
        }
    }
    for (k, v) in &rc.tags {
        c.insert_string(format!("aws:PrincipalTag/{k}"), v.clone());
    }
    if !rc.tags.is_empty() {
        c.insert(
            "aws:PrincipalTagKeys",
            ContextValue::Multi(rc.tags.keys().map(|k| Value::String(k.clone())).collect()),
        );
    }
    let credentials = caller.credentials.unwrap_or(match p.kind {
        PrincipalKind::RoleSession | PrincipalKind::FederatedUser => Credentials::Temporary,
        _ if caller.mfa => Credentials::Temporary,
        _ => Credentials::LongTerm,
    });
    if credentials == Credentials::Temporary && p.kind != PrincipalKind::Service {
        c.insert_bool("aws:MultiFactorAuthPresent", caller.mfa);
        if caller.mfa {
            c.insert(
                "aws:MultiFactorAuthAge",
                ContextValue::Single(Value::Number(caller.mfa_age_seconds.unwrap_or(60) as f64)),
            );
        }
    }
    if let Some(id) = &caller.source_identity {
        c.insert_string("aws:SourceIdentity", id.clone());
    }
    c.insert("aws:CurrentTime", ContextValue::Single(Value::Date(world.now().millis())));
    c.insert("aws:EpochTime", ContextValue::Single(Value::Number(world.now().epoch_seconds() as f64)));
    c.insert_bool("aws:SecureTransport", true);
    c.insert_string("aws:RequestedRegion", world.config.region.clone());
    match &caller.via_service {
        Some(svc) => {
            c.insert_string("kms:ViaService", svc.clone());
            c.insert_bool("aws:ViaAWSService", true);
            let short = svc.split('.').next().unwrap_or(svc);
            let called_via = format!("{short}.amazonaws.com");
            c.insert("aws:CalledVia", ContextValue::Multi(vec![Value::String(called_via.clone())]));
            c.insert_string("aws:CalledViaFirst", called_via.clone());
            c.insert_string("aws:CalledViaLast", called_via);
            // The service calls KMS from its own address, not the user's (reference 1g, aws:SourceIp).
            c.insert(
                "aws:SourceIp",
                ContextValue::Single(Value::Ip(std::net::IpAddr::V4(std::net::Ipv4Addr::new(52, 94, 133, 131)))),
            );
        }
        None => {
            c.insert_bool("aws:ViaAWSService", false);
            if let Some(vpce) = &caller.source_vpce {
                c.insert_string("aws:SourceVpce", vpce.clone());
            } else {
                let ip = caller.source_ip.clone().unwrap_or_else(|| "203.0.113.10".to_string());
                match ip.parse::<std::net::IpAddr>() {
                    Ok(addr) => c.insert("aws:SourceIp", ContextValue::Single(Value::Ip(addr))),
                    Err(_) => c.insert_string("aws:SourceIp", ip),
                }
            }
        }
    }
    for (k, v) in caller.context.iter() {
        c.insert(k.to_string(), v.clone());
    }
    c
}

/// A call on a key: what its context describes besides the caller.
pub(crate) struct OnKey<'a> {
    pub key: &'a Key,
    /// The alias name the request named the key by (`kms:RequestAlias`).
    pub alias: Option<&'a str>,
    /// The request's encryption context (`kms:EncryptionContext:*`).
    pub ec: Option<&'a EncryptionContext>,
}

/// The context of a call on a key: [`base`], the key's keys, the request alias, the encryption context, the
/// operation's own keys (`extra`), then the caller's extra keys again (they win over every derived key).
pub(crate) fn on_key(
    world: &World,
    rc: &ResolvedCaller<'_>,
    caller: &Caller,
    on: OnKey<'_>,
    extra: impl FnOnce(&mut Context),
) -> Context {
    let mut c = base(world, rc, caller);
    key(world, &mut c, on.key);
    if let Some(alias) = on.alias {
        c.insert_string("kms:RequestAlias", alias.to_string());
    }
    if let Some(ec) = on.ec {
        encryption_context(&mut c, ec);
    }
    extra(&mut c);
    caller_keys(&mut c, caller);
    c
}

/// The context of an action without a key resource: [`base`], the operation's own keys, the caller's keys.
pub(crate) fn on_resource(
    world: &World,
    rc: &ResolvedCaller<'_>,
    caller: &Caller,
    extra: impl FnOnce(&mut Context),
) -> Context {
    let mut c = base(world, rc, caller);
    extra(&mut c);
    caller_keys(&mut c, caller);
    c
}

/// The keys a call of `op` sets without any optional parameter: the defaults of its parameters (the KMS Developer
/// Guide: conditions on request parameters work "even when the parameter doesn't appear in the request, such as when
/// you use the parameter's default value") and what follows from how it is called (`kms:GrantIsForAWSResource`).
/// The handlers set the same keys from the parameters actually sent; `tests/context_agreement.rs` checks that both
/// agree for every operation.
pub(crate) fn request_defaults(c: &mut Context, op: Operation, caller: &Caller) {
    use Operation as O;
    match op {
        O::CreateKey => new_key(c, KeySpec::SYMMETRIC_DEFAULT, KeyUsage::ENCRYPT_DECRYPT, Origin::AWS_KMS, false),
        O::Encrypt | O::Decrypt | O::GenerateDataKey | O::GenerateDataKeyWithoutPlaintext | O::ReEncrypt => {
            symmetric_algorithm(c)
        }
        O::GetKeyPolicy | O::PutKeyPolicy => policy_name(c, None),
        O::CreateGrant | O::ListGrants | O::RevokeGrant => grant_for_aws_resource(c, caller.via_service.is_some()),
        _ => {}
    }
}

/// [`base`] and the key's keys, nothing of the request (the policy-lockout check, grant retirement).
pub(crate) fn of_key(world: &World, rc: &ResolvedCaller<'_>, caller: &Caller, k: &Key) -> Context {
    let mut c = base(world, rc, caller);
    key(world, &mut c, k);
    c
}

fn caller_keys(c: &mut Context, caller: &Caller) {
    for (k, v) in caller.context.iter() {
        c.insert(k.to_string(), v.clone());
    }
}

/// The condition keys that describe a key resource.
fn key(world: &World, c: &mut Context, key: &Key) {
    for (k, v) in &key.tags {
        c.insert_string(format!("aws:ResourceTag/{k}"), v.clone());
    }
    c.insert_string("kms:KeySpec", key.key_spec.as_str());
    c.insert_string("kms:CustomerMasterKeySpec", key.key_spec.as_str());
    c.insert_string("kms:KeyUsage", key.key_usage.as_str());
    c.insert_string("kms:CustomerMasterKeyUsage", key.key_usage.as_str());
    c.insert_string("kms:KeyOrigin", key.origin.as_str());
    c.insert_bool("kms:MultiRegion", false);
    let aliases: Vec<Value> = world.aliases_of(key).iter().map(|a| Value::String(a.name.clone())).collect();
    if !aliases.is_empty() {
        c.insert("kms:ResourceAliases", ContextValue::Multi(aliases));
    }
}

/// `kms:EncryptionContext:*` and `kms:EncryptionContextKeys`.
pub(crate) fn encryption_context(c: &mut Context, ec: &EncryptionContext) {
    for (k, v) in ec {
        c.insert_string(format!("kms:EncryptionContext:{k}"), v.clone());
    }
    if !ec.is_empty() {
        c.insert(
            "kms:EncryptionContextKeys",
            ContextValue::Multi(ec.keys().map(|k| Value::String(k.clone())).collect()),
        );
    }
}

// ---- the operations' own keys --------------------------------------------------------------------------------------

/// CreateKey: what the new key will be.
pub(crate) fn new_key(c: &mut Context, spec: KeySpec, usage: KeyUsage, origin: Origin, multi_region: bool) {
    c.insert_string("kms:KeySpec", spec.as_str());
    c.insert_string("kms:KeyUsage", usage.as_str());
    c.insert_string("kms:KeyOrigin", origin.as_str());
    c.insert_bool("kms:MultiRegion", multi_region);
}

/// `kms:BypassPolicyLockoutSafetyCheck` (CreateKey, PutKeyPolicy): present only when the request has the
/// parameter, so the documented `"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}` allows exactly the requests
/// without it (KMS Developer Guide, AWS KMS condition keys).
pub(crate) fn bypass_lockout(c: &mut Context, bypass: Option<bool>) {
    if let Some(bypass) = bypass {
        c.insert_bool("kms:BypassPolicyLockoutSafetyCheck", bypass);
    }
}

/// `kms:PolicyName` (GetKeyPolicy, PutKeyPolicy).
pub(crate) fn policy_name(c: &mut Context, name: Option<&str>) {
    c.insert_string("kms:PolicyName", name.unwrap_or("default").to_string());
}

/// `aws:RequestTag/*` and `aws:TagKeys` for tags in a request (CreateKey, TagResource).
pub(crate) fn request_tags(c: &mut Context, tags: &BTreeMap<String, String>) {
    for (k, v) in tags {
        c.insert_string(format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        c.insert("aws:TagKeys", ContextValue::Multi(tags.keys().map(|k| Value::String(k.clone())).collect()));
    }
}

/// `aws:TagKeys` (UntagResource).
pub(crate) fn tag_keys(c: &mut Context, keys: &[String]) {
    c.insert("aws:TagKeys", ContextValue::Multi(keys.iter().map(|k| Value::String(k.clone())).collect()));
}

/// `kms:ScheduleKeyDeletionPendingWindowInDays`.
pub(crate) fn pending_window(c: &mut Context, days: i64) {
    c.insert("kms:ScheduleKeyDeletionPendingWindowInDays", ContextValue::Single(Value::Number(days as f64)));
}

/// `kms:RotationPeriodInDays` (EnableKeyRotation).
pub(crate) fn rotation_period(c: &mut Context, days: i64) {
    c.insert("kms:RotationPeriodInDays", ContextValue::Single(Value::Number(days as f64)));
}

/// `kms:EncryptionAlgorithm` of a symmetric cryptographic call.
pub(crate) fn symmetric_algorithm(c: &mut Context) {
    c.insert_string("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
}

/// ReEncrypt: `kms:ReEncryptOnSameKey` and the algorithm.
pub(crate) fn re_encrypt(c: &mut Context, same_key: bool) {
    c.insert_bool("kms:ReEncryptOnSameKey", same_key);
    symmetric_algorithm(c);
}

/// `kms:GrantIsForAWSResource` (CreateGrant, ListGrants, RevokeGrant).
pub(crate) fn grant_for_aws_resource(c: &mut Context, via_aws: bool) {
    c.insert_bool("kms:GrantIsForAWSResource", via_aws);
}

/// What a CreateGrant request asks for.
pub(crate) struct NewGrant<'a> {
    pub operations: &'a std::collections::BTreeSet<String>,
    pub grantee: &'a str,
    pub retiring: Option<&'a str>,
    pub constraint_type: Option<&'static str>,
    pub via_aws: bool,
    /// The grant's constraint, which `kms:EncryptionContext:*` describes on CreateGrant.
    pub ec: Option<&'a EncryptionContext>,
}

/// `kms:GrantOperations` (CreateGrant).
pub(crate) fn grant_operations(c: &mut Context, operations: &std::collections::BTreeSet<String>) {
    c.insert("kms:GrantOperations", ContextValue::Multi(operations.iter().map(|o| Value::String(o.clone())).collect()));
}

/// CreateGrant's keys.
pub(crate) fn new_grant(c: &mut Context, g: &NewGrant<'_>) {
    grant_operations(c, g.operations);
    c.insert_string("kms:GranteePrincipal", g.grantee.to_string());
    if let Some(rp) = g.retiring {
        c.insert_string("kms:RetiringPrincipal", rp.to_string());
    }
    if let Some(t) = g.constraint_type {
        c.insert_string("kms:GrantConstraintType", t);
    }
    grant_for_aws_resource(c, g.via_aws);
    if let Some(ec) = g.ec {
        encryption_context(c, ec);
    }
}

/// A stable, fake unique id (`AIDA...`/`AROA...`) for `aws:userid`, derived from the ARN.
fn pseudo_id(prefix: &str, arn: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(arn.as_bytes());
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String =
        h.iter().take(17).map(|b| alphabet.get(usize::from(*b) % 32).copied().unwrap_or(b'A') as char).collect();
    format!("{prefix}{tail}")
}
