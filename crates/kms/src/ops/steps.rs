//! The steps calls share: resolving the caller, finding the key, authorizing (on a key or by IAM alone), the
//! key-state and key-usage checks, DryRun, parameter errors, AWS managed keys.

use std::collections::BTreeMap;

use kmsim_policy::{Decision, Principal, PrincipalKind};

use super::Cx;
use crate::authz::{access_denied_message, authorize, AuthzInput, GrantCheck, Target};
use crate::context::{self, OnKey};
use crate::error::{ErrorCode, KmsError};
use crate::hsm::EncryptionContext;
use crate::ids::{alias_arn, key_arn, KeyIdentifier};
use crate::key::{Key, KeyManager, KeyUsage};
use crate::keystate;
use crate::operation::Operation;
use crate::principal::{Caller, ResolvedCaller};
use crate::trace::CheckKind;
use crate::world::World;

impl World {
    /// Resolves the caller against the world: parses the ARN, finds its policies and tags.
    pub(crate) fn resolve_caller<'w>(&'w self, caller: &Caller) -> Result<ResolvedCaller<'w>, KmsError> {
        let principal = Principal::from_arn(&caller.principal);
        let unknown = || {
            KmsError::new(
                ErrorCode::AccessDeniedException,
                format!(
                    "The security token included in the request is invalid: unknown principal `{}`",
                    caller.principal
                ),
            )
        };
        let account_id = principal.account.clone();
        let account = account_id.as_deref().and_then(|a| self.accounts.get(a));
        let scps: Vec<_> = account.map(|a| a.scps.iter().collect()).unwrap_or_default();
        let mut rc = ResolvedCaller {
            principal: principal.clone(),
            name: None,
            session_name: None,
            identity_policies: Vec::new(),
            boundary: None,
            scps,
            tags: BTreeMap::new(),
        };
        match principal.kind {
            PrincipalKind::User => {
                let name = caller.principal.rsplit('/').next().unwrap_or("").to_string();
                let user = account.and_then(|a| a.users.get(&name)).ok_or_else(unknown)?;
                rc.identity_policies = user.policies.iter().collect();
                rc.boundary = user.permissions_boundary.as_ref();
                rc.tags = user.tags.clone();
                rc.name = Some(name);
            }
            PrincipalKind::RoleSession | PrincipalKind::Role => {
                // The resource part is everything after the fifth colon (AWS's own roles have one in their name:
                // `aws:ec2-infrastructure`).
                let mut segs = caller.principal.splitn(6, ':').nth(5).unwrap_or("").split('/');
                let _kind = segs.next();
                let role_name = segs.next().unwrap_or("").to_string();
                let session = segs.next().map(str::to_string);
                let role = account.and_then(|a| a.roles.get(&role_name)).ok_or_else(unknown)?;
                rc.identity_policies = role.policies.iter().collect();
                rc.boundary = role.permissions_boundary.as_ref();
                rc.tags = role.tags.clone();
                for (k, v) in &caller.session_tags {
                    rc.tags.insert(k.clone(), v.clone());
                }
                rc.name = Some(role_name);
                rc.session_name = session;
            }
            PrincipalKind::Root => {
                if account.is_none() {
                    return Err(unknown());
                }
            }
            PrincipalKind::FederatedUser | PrincipalKind::Service | PrincipalKind::Anonymous => {}
        }
        Ok(rc)
    }

    /// Finds the key a `KeyId` names, from the caller's point of view. Bare ids and alias names resolve in the
    /// caller's account; another account's key must be named by key ARN or alias ARN.
    pub(crate) fn find_key(&self, key_id: &str, caller_account: &str) -> Result<(String, KeyIdentifier), KmsError> {
        let ident = KeyIdentifier::parse(key_id)?;
        let region = self.config.region.clone();
        let part = self.config.partition.clone();
        let arn = match &ident {
            KeyIdentifier::KeyId { key_id } => key_arn(&part, &region, caller_account, key_id),
            KeyIdentifier::KeyArn { .. } => key_id.to_string(),
            KeyIdentifier::AliasName { name } => {
                let aarn = alias_arn(&part, &region, caller_account, name);
                match self.aliases.get(&aarn) {
                    Some(a) => key_arn(&part, &a.region, &a.account, &a.target_key_id),
                    None => {
                        return Err(KmsError::not_found(format!("Alias {aarn} is not found.")));
                    }
                }
            }
            KeyIdentifier::AliasArn { .. } => match self.aliases.get(key_id) {
                Some(a) => key_arn(&part, &a.region, &a.account, &a.target_key_id),
                None => return Err(KmsError::not_found(format!("Alias {key_id} is not found."))),
            },
        };
        if self.keys.contains_key(&arn) {
            Ok((arn, ident))
        } else if self.deleted.contains(&arn) {
            Err(KmsError::not_found(format!("Key '{arn}' does not exist")))
        } else if matches!(ident, KeyIdentifier::KeyId { .. }) && !looks_like_key_id(key_id) {
            Err(KmsError::not_found(format!("Invalid keyId '{key_id}'")))
        } else {
            Err(KmsError::not_found(format!("Key '{arn}' does not exist")))
        }
    }

    pub(super) fn lookup(&self, cx: &mut Cx, caller: &Caller, key_id: &str) -> Result<(Key, KeyIdentifier), KmsError> {
        let account = caller_account(caller);
        match self.find_key(key_id, &account) {
            Ok((arn, ident)) => {
                let key = self
                    .key(&arn)
                    .cloned()
                    .ok_or_else(|| KmsError::not_found(format!("Key '{arn}' does not exist")))?;
                cx.check(CheckKind::KeyLookup, true, format!("`{key_id}` names {}", key.arn));
                cx.resource(&key);
                Ok((key, ident))
            }
            Err(e) => {
                cx.check(CheckKind::KeyLookup, false, e.message.clone());
                Err(e)
            }
        }
    }

    /// Authorizes an action on a key, adding the authorization to the trace. `extra` adds the operation's own
    /// condition keys (see [`context`]).
    pub(super) fn authorize_key(
        &self,
        cx: &mut Cx,
        caller: &Caller,
        a: KeyAuthz<'_>,
        extra: impl FnOnce(&mut kmsim_policy::Context),
    ) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let alias = a.ident.and_then(KeyIdentifier::alias_name);
        let context = context::on_key(self, &rc, caller, OnKey { key: a.key, alias, ec: a.ec }, extra);
        let token_grants = self.token_grants(a.key, a.grant_tokens);
        // Borrowed, never cloned: a key may hold 50,000 grants and authorization must not pay for them.
        let no_grants = crate::grant::GrantStore::default();
        let grants = self.grants(&a.key.arn).unwrap_or(&no_grants);
        let facts = a.op.facts();
        let grant_op = facts.grant.map(|_| a.action.trim_start_matches("kms:"));
        let empty = EncryptionContext::new();
        let trace = authorize(
            &rc,
            AuthzInput {
                action: a.action.to_string(),
                target: Target::Key(a.key, grants),
                context,
                grant: grant_op.map(|operation| GrantCheck {
                    operation,
                    ec: if facts.takes_ec { Some(a.ec.unwrap_or(&empty)) } else { None },
                    token_grants: &token_grants,
                }),
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        push_authorization(cx, caller, trace)
    }

    /// Authorizes an action that has no key resource (or an alias resource): identity policies only.
    pub(super) fn authorize_identity(
        &self,
        cx: &mut Cx,
        caller: &Caller,
        op: Operation,
        resource: &str,
        extra: impl FnOnce(&mut kmsim_policy::Context),
    ) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let context = context::on_resource(self, &rc, caller, extra);
        let trace = authorize(
            &rc,
            AuthzInput {
                action: op.action().to_string(),
                target: Target::Resource(resource.to_string()),
                context,
                grant: None,
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: caller.trace,
            },
        );
        push_authorization(cx, caller, trace)
    }

    /// The grant ids whose tokens were presented (valid tokens of grants on this key).
    pub(super) fn token_grants(&self, key: &Key, tokens: Option<&[String]>) -> Vec<String> {
        let Some(tokens) = tokens else { return Vec::new() };
        let Some(store) = self.grants(&key.arn) else { return Vec::new() };
        let mut ids: Vec<String> =
            tokens.iter().filter_map(|t| store.by_token_hash(&token_hash(t))).map(|g| g.grant_id.clone()).collect();
        ids.dedup();
        ids
    }

    pub(super) fn state(&self, cx: &mut Cx, op: Operation, key: &Key) -> Result<bool, KmsError> {
        match keystate::check(op.facts().key_states, key.state, &key.arn) {
            Ok(proceed) => {
                cx.check(CheckKind::KeyState, true, format!("key state {} allows {}", key.state.as_str(), op.name()));
                Ok(proceed)
            }
            Err(e) => {
                cx.check(CheckKind::KeyState, false, format!("key state {}: {}", key.state.as_str(), e));
                Err(e)
            }
        }
    }

    pub(super) fn usage(&self, cx: &mut Cx, op: Operation, key: &Key) -> Result<(), KmsError> {
        let op = op.name();
        if key.key_usage == KeyUsage::ENCRYPT_DECRYPT && key.key_spec.is_symmetric() {
            cx.check(
                CheckKind::KeyUsage,
                true,
                format!("key usage ENCRYPT_DECRYPT ({}) allows {op}", key.key_spec.as_str()),
            );
            return Ok(());
        }
        let e = if key.key_usage == KeyUsage::ENCRYPT_DECRYPT {
            // Asymmetric ENCRYPT_DECRYPT keys: no data keys, and this version has no RSA cryptography.
            KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!(
                    "{} key spec {} is not supported for {op} in this simulator version.",
                    key.arn,
                    key.key_spec.as_str()
                ),
            )
        } else {
            KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} key usage is {} which is not valid for {op}.", key.arn, key.key_usage.as_str()),
            )
        };
        cx.check(CheckKind::KeyUsage, false, e.message.clone());
        Err(e)
    }

    /// Looks a key up; when `alias_ok` is false the KeyId must be a key id or key ARN.
    pub(super) fn lookup_for(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        key_id: &str,
        alias_ok: bool,
    ) -> Result<(Key, KeyIdentifier), KmsError> {
        if !alias_ok && key_id.contains("alias/") {
            let e = KmsError::not_found(format!("Invalid keyId '{key_id}'"));
            cx.check(CheckKind::KeyLookup, false, format!("this operation does not accept an alias: {}", e.message));
            return Err(e);
        }
        // AWS managed keys are created on first use of their alias.
        if let Ok(KeyIdentifier::AliasName { name }) = KeyIdentifier::parse(key_id) {
            if let Some(service) = name.strip_prefix("alias/aws/") {
                let account = caller_account(caller);
                self.ensure_aws_managed_key(&account, service);
            }
        }
        self.lookup(cx, caller, key_id)
    }

    /// AWS managed keys cannot be changed by customers.
    pub(super) fn managed_check(&self, cx: &mut Cx, key: &Key) -> Result<(), KmsError> {
        if key.manager == KeyManager::AWS {
            let e = KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("{} is an AWS managed key, which cannot be changed.", key.arn),
            );
            cx.check(CheckKind::Parameters, false, e.message.clone());
            return Err(e);
        }
        Ok(())
    }

    pub(super) fn dry_run(&self, cx: &mut Cx, dry: Option<bool>) -> Result<(), KmsError> {
        if dry == Some(true) {
            cx.check(CheckKind::Parameters, true, "DryRun: the call would have succeeded");
            return Err(KmsError::new(
                ErrorCode::DryRunOperationException,
                "The request would have succeeded, but the DryRun option is set.",
            ));
        }
        Ok(())
    }

    /// UnsupportedOperationException for a member the simulator accepts but does not model (custom key stores,
    /// Nitro Enclaves attestation, ...): AWS's code for a feature that does not apply, in words that say so.
    pub(super) fn unsupported<T>(&self, cx: &mut Cx, what: &str) -> Result<T, KmsError> {
        self.param(
            cx,
            Err(KmsError::new(ErrorCode::UnsupportedOperationException, format!("kmsim does not simulate {what}"))),
        )
    }

    /// `Recipient` (attested environments): refused.
    pub(super) fn recipient(&self, cx: &mut Cx, r: Option<&crate::api::RecipientInfo>) -> Result<(), KmsError> {
        match r {
            Some(_) => self.unsupported(cx, "Nitro Enclaves or NitroTPM attestation (`Recipient`)"),
            None => Ok(()),
        }
    }

    /// `CustomKeyStoreId`: the simulator has no custom key stores.
    pub(super) fn custom_key_store(&self, cx: &mut Cx, id: Option<&str>) -> Result<(), KmsError> {
        match id {
            Some(id) => self.unsupported(cx, &format!("custom key stores (`CustomKeyStoreId` `{id}`)")),
            None => Ok(()),
        }
    }

    pub(super) fn param<T>(&self, cx: &mut Cx, r: Result<T, KmsError>) -> Result<T, KmsError> {
        if let Err(e) = &r {
            cx.check(CheckKind::Parameters, false, e.message.clone());
        }
        r
    }
}

pub(super) fn caller_account(caller: &Caller) -> String {
    Principal::from_arn(&caller.principal).account.unwrap_or_default()
}

/// Tokens are stored only as hashes.
pub(super) fn token_hash(token: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(token.as_bytes());
    h.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn looks_like_key_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        || (s.starts_with("mrk-") && s.len() == 36)
}

/// An authorization on a key: the operation, its IAM action (ReEncrypt has two), the key, how the request named it,
/// its encryption context and grant tokens.
pub(super) struct KeyAuthz<'a> {
    op: Operation,
    action: &'static str,
    key: &'a Key,
    ident: Option<&'a KeyIdentifier>,
    ec: Option<&'a EncryptionContext>,
    grant_tokens: Option<&'a [String]>,
}

impl<'a> KeyAuthz<'a> {
    /// The operation's (first) action on `key`.
    pub(super) fn new(op: Operation, key: &'a Key) -> KeyAuthz<'a> {
        KeyAuthz { op, action: op.action(), key, ident: None, ec: None, grant_tokens: None }
    }
    /// Another action of the operation (`kms:ReEncryptTo`).
    pub(super) fn action(self, action: &'static str) -> KeyAuthz<'a> {
        KeyAuthz { action, ..self }
    }
    /// How the request named the key (an alias name gives `kms:RequestAlias`).
    pub(super) fn named(self, ident: Option<&'a KeyIdentifier>) -> KeyAuthz<'a> {
        KeyAuthz { ident, ..self }
    }
    pub(super) fn ec(self, ec: &'a EncryptionContext) -> KeyAuthz<'a> {
        KeyAuthz { ec: Some(ec), ..self }
    }
    pub(super) fn tokens(self, grant_tokens: Option<&'a [String]>) -> KeyAuthz<'a> {
        KeyAuthz { grant_tokens, ..self }
    }
}

/// Adds an authorization to the trace; its denial is AWS's AccessDeniedException.
fn push_authorization(cx: &mut Cx, caller: &Caller, trace: crate::trace::AuthzTrace) -> Result<(), KmsError> {
    let allowed = trace.decision == Decision::Allow;
    let message = access_denied_message(&caller.principal, &trace);
    cx.authorizations.push(trace);
    if allowed {
        Ok(())
    } else {
        Err(KmsError::new(ErrorCode::AccessDeniedException, message))
    }
}
