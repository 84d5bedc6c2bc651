//! Building the world a scenario starts in (accounts, keys, aliases, grants), and resolving its short names.

use kmsim_policy::json;
use kmsim_policy::PolicyType;

use super::validate::parse_enum;
use super::{KeyArns, Scenario, ScenarioFile, SessionSpec};
use crate::clock::Timestamp;
use crate::grant::{Grant, GrantConstraints};
use crate::hsm::{Hsm, Seed};
use crate::ids::key_arn;
use crate::key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin, Rotation};
use crate::policy::{default_key_policy, NamedPolicy};
use crate::principal::{Account, Role, User};
use crate::world::{World, WorldConfig};

impl Scenario {
    /// Builds the world before the first step, and says which ARN each of the file's keys got in it.
    /// `seed_if_missing` is used when the file has no seed (the outer layer draws it from the system's randomness).
    pub fn build(&self, seed_if_missing: u64) -> (World, KeyArns) {
        let f = &self.file;
        let mut arns = KeyArns::new();
        let config = WorldConfig {
            region: f.config.as_ref().and_then(|c| c.region.clone()).unwrap_or_else(|| "us-east-1".into()),
            grant_propagation_seconds: f.config.as_ref().and_then(|c| c.grant_propagation_seconds).unwrap_or(0),
            ..WorldConfig::default()
        };
        let start = f.start_time.as_deref().and_then(Timestamp::parse).unwrap_or(Timestamp::DEFAULT_START);
        let mut w = World::with_config(Seed(f.seed.unwrap_or(seed_if_missing)), config, start);
        let pol = |path: String| self.policies.get(&path).cloned();
        for (id, a) in &f.accounts {
            let mut acct = Account { name: a.name.clone(), ..Account::default() };
            let ap = format!("/accounts/{id}");
            for (n, u) in &a.users {
                let base = format!("{ap}/users/{}", json::escape_pointer(n));
                acct.users.insert(
                    n.clone(),
                    User {
                        tags: u.tags.clone(),
                        policies: u
                            .policies
                            .keys()
                            .filter_map(|pn| pol(format!("{base}/policies/{}", json::escape_pointer(pn))))
                            .collect(),
                        permissions_boundary: pol(format!("{base}/permissions_boundary")),
                    },
                );
            }
            for (n, r) in &a.roles {
                let base = format!("{ap}/roles/{}", json::escape_pointer(n));
                acct.roles.insert(
                    n.clone(),
                    Role {
                        tags: r.tags.clone(),
                        policies: r
                            .policies
                            .keys()
                            .filter_map(|pn| pol(format!("{base}/policies/{}", json::escape_pointer(pn))))
                            .collect(),
                        permissions_boundary: pol(format!("{base}/permissions_boundary")),
                    },
                );
            }
            acct.scps = a.scps.keys().filter_map(|pn| pol(format!("{ap}/scps/{}", json::escape_pointer(pn)))).collect();
            w.accounts.insert(id.clone(), acct);
        }
        let default_account = f.accounts.keys().next().cloned().unwrap_or_default();
        let partition = w.config.partition.clone();
        let region = w.config.region.clone();
        for (name, k) in &f.keys {
            let account = k.account.clone().unwrap_or_else(|| default_account.clone());
            let key_id = match &k.key_id {
                Some(id) => id.clone(),
                None => w.with_hsm(Hsm::new_key_id),
            };
            let arn = key_arn(&partition, &region, &account, &key_id);
            arns.insert(name.clone(), arn.clone());
            let policy = pol(format!("/keys/{}/policy", json::escape_pointer(name))).or_else(|| {
                NamedPolicy::parse("default", &default_key_policy(&partition, &account), PolicyType::Resource).ok()
            });
            let Some(policy) = policy else { continue };
            let spec = k.key_spec.as_deref().and_then(parse_enum::<KeySpec>).unwrap_or(KeySpec::SYMMETRIC_DEFAULT);
            let usage = k
                .key_usage
                .as_deref()
                .and_then(parse_enum::<KeyUsage>)
                .unwrap_or_else(|| spec.allowed_usages().first().copied().unwrap_or(KeyUsage::ENCRYPT_DECRYPT));
            let state = k.state.as_deref().and_then(parse_enum::<KeyState>).unwrap_or(KeyState::Enabled);
            let rotation = match k.rotation_period_days {
                Some(d) => Rotation {
                    enabled: true,
                    period_days: d,
                    next_rotation: Some(start.plus_days(i64::from(d))),
                    ..Rotation::default()
                },
                None => Rotation::default(),
            };
            w.insert_key(Key {
                key_id: key_id.clone(),
                arn,
                account: account.clone(),
                region: region.clone(),
                description: k.description.clone(),
                key_spec: spec,
                key_usage: usage,
                origin: if state == KeyState::PendingImport { Origin::EXTERNAL } else { Origin::AWS_KMS },
                manager: KeyManager::CUSTOMER,
                state,
                creation_date: start,
                deletion_date: (state == KeyState::PendingDeletion).then(|| start.plus_days(30)),
                pending_window_days: (state == KeyState::PendingDeletion).then_some(30),
                policy,
                tags: k.tags.clone(),
                rotation,
                current_version: 1,
                aws_service: None,
                multi_region: false,
            });
            for alias in &k.aliases {
                w.insert_alias(&account, &region, alias, &key_id);
            }
        }
        for g in &f.grants {
            let Some(karn) = arns.get(&g.key).cloned() else { continue };
            let Some(key) = w.key(&karn).cloned() else { continue };
            let (grant_id, _token) = w.with_hsm(|h| (h.new_grant_id(), h.new_token()));
            let c = g.constraints.clone().unwrap_or_default();
            let grant = Grant {
                grant_id,
                name: g.name.clone(),
                key_arn: karn.clone(),
                grantee_principal: self.resolve_grantee(&g.grantee),
                retiring_principal: g.retiring_principal.as_deref().map(|p| self.resolve_grantee(p)),
                issuing_account: key.account.clone(),
                operations: g.operations.iter().cloned().collect(),
                constraints: GrantConstraints {
                    encryption_context_subset: c.encryption_context_subset,
                    encryption_context_equals: c.encryption_context_equals,
                    source_arn: None,
                },
                creation_date: start,
                effective_from: start,
                created_by: format!("arn:{partition}:iam::{}:root", key.account),
                parent_grant: None,
                token_hashes: Vec::new(),
            };
            if let Some(s) = w.grants_mut(&karn) {
                s.insert(grant);
            }
        }
        (w, arns)
    }

    /// Resolves a short principal name (`user/alice`, `role/App`, `root`, `ACCOUNT:user/x`) to an ARN. Full ARNs and
    /// service principals pass through.
    pub fn resolve_principal(&self, p: &str) -> String {
        resolve_principal(p, self.file.accounts.keys().next().map(String::as_str).unwrap_or("111122223333"))
    }

    /// The named session a caller ARN (`arn:aws:sts::A:assumed-role/ROLE/NAME`) is, with the JSON Pointer of its
    /// declaration (`/accounts/A/roles/ROLE/sessions/NAME`); `None` for any other caller or an undeclared session.
    pub fn session_of(&self, caller_arn: &str) -> Option<(&SessionSpec, String)> {
        session_of(&self.file, caller_arn)
    }

    /// Resolves a grantee or retiring principal: like [`Scenario::resolve_principal`], but `role/NAME` names the role
    /// itself (a grant to a role applies to all of its sessions), not one session.
    pub fn resolve_grantee(&self, p: &str) -> String {
        resolve_grantee(p, self.file.accounts.keys().next().map(String::as_str).unwrap_or("111122223333"))
    }
}

/// The named session a caller ARN is in `file` (see [`Scenario::session_of`]).
pub(super) fn session_of<'f>(file: &'f ScenarioFile, caller_arn: &str) -> Option<(&'f SessionSpec, String)> {
    let mut parts = caller_arn.splitn(6, ':');
    let (_, _, service, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if service != "sts" {
        return None;
    }
    let (role, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    let spec = file.accounts.get(account)?.roles.get(role)?.sessions.get(session)?;
    let ptr = format!(
        "/accounts/{}/roles/{}/sessions/{}",
        json::escape_pointer(account),
        json::escape_pointer(role),
        json::escape_pointer(session)
    );
    Some((spec, ptr))
}

/// Resolves a grantee or retiring principal against a default account (see [`Scenario::resolve_grantee`]).
pub(super) fn resolve_grantee(p: &str, default_account: &str) -> String {
    let (account, rest) = match p.split_once(':') {
        Some((a, r)) if crate::ids::is_account_id(a) => (a, r),
        _ => (default_account, p),
    };
    match rest.strip_prefix("role/") {
        Some(role) if !p.starts_with("arn:") && !role.contains('/') => format!("arn:aws:iam::{account}:role/{role}"),
        _ => resolve_principal(p, default_account),
    }
}

/// Resolves a short principal name against a default account.
pub fn resolve_principal(p: &str, default_account: &str) -> String {
    if p.starts_with("arn:") || p.contains(".amazonaws.com") || p == "*" {
        return p.to_string();
    }
    let (account, rest) = match p.split_once(':') {
        Some((a, r)) if crate::ids::is_account_id(a) => (a, r),
        _ => (default_account, p),
    };
    if rest == "root" {
        return format!("arn:aws:iam::{account}:root");
    }
    if let Some(u) = rest.strip_prefix("user/") {
        return format!("arn:aws:iam::{account}:user/{u}");
    }
    if let Some(r) = rest.strip_prefix("role/") {
        let mut parts = r.splitn(2, '/');
        let role = parts.next().unwrap_or("");
        let session = parts.next().unwrap_or(crate::principal::DEFAULT_SESSION_NAME);
        return format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
    }
    p.to_string()
}
