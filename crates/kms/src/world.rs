//! The world: accounts and principals, keys, aliases, grants, the HSM, the clock and the audit log.
//!
//! Everything is deterministic: time moves only through [`World::advance`] and randomness comes from the HSM's
//! seeded DRBG. A world serialises (serde) to its seed, the HSM's counter and its metadata: never key bytes.

use std::collections::BTreeMap;

use kmsim_policy::{Context, ContextValue, Principal, PrincipalKind, Value};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditLog, AuditRecord, AuditResource, UserIdentity};
use crate::clock::{Duration, Timestamp, DAY};
use crate::error::{ErrorCode, KmsError};
use crate::grant::GrantStore;
use crate::hsm::{Hsm, HsmState, Seed};
use crate::ids::{alias_arn, key_arn, KeyIdentifier};
use crate::key::{Key, KeyState};
use crate::principal::{Account, Caller, Credentials, ResolvedCaller};

/// World-wide settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldConfig {
    pub partition: String,
    /// The Region calls go to unless a key ARN names another.
    pub region: String,
    /// How long a new grant takes to be usable without its grant token (AWS: up to about 5 minutes). Zero by
    /// default, so grants work at once.
    pub grant_propagation_seconds: i64,
}

impl Default for WorldConfig {
    fn default() -> WorldConfig {
        WorldConfig { partition: "aws".into(), region: "us-east-1".into(), grant_propagation_seconds: 0 }
    }
}

/// An alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    pub target_key_id: String,
    pub creation_date: Timestamp,
    pub last_updated_date: Timestamp,
}

/// A key's grants live beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEntry {
    #[serde(flatten)]
    pub key: Key,
    #[serde(default, skip_serializing_if = "GrantStore::is_empty")]
    pub grants: GrantStore,
}

/// The simulated AWS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(type = "{ [field: string]: unknown }"))]
pub struct World {
    pub config: WorldConfig,
    pub(crate) clock: Timestamp,
    pub(crate) hsm: HsmState,
    pub accounts: BTreeMap<String, Account>,
    /// Keys by key ARN.
    pub(crate) keys: BTreeMap<String, KeyEntry>,
    /// Aliases by alias ARN.
    pub(crate) aliases: BTreeMap<String, Alias>,
    /// Key ARNs of deleted keys (so calls can say the key does not exist).
    #[serde(default)]
    pub(crate) deleted: Vec<String>,
    pub(crate) audit: AuditLog,
}

impl World {
    /// An empty world with the given seed, starting at [`Timestamp::DEFAULT_START`].
    pub fn new(seed: Seed) -> World {
        World::with_config(seed, WorldConfig::default(), Timestamp::DEFAULT_START)
    }

    pub fn with_config(seed: Seed, config: WorldConfig, start: Timestamp) -> World {
        World {
            config,
            clock: start,
            hsm: Hsm::new(seed).state(),
            accounts: BTreeMap::new(),
            keys: BTreeMap::new(),
            aliases: BTreeMap::new(),
            deleted: Vec::new(),
            audit: AuditLog::default(),
        }
    }

    pub fn seed(&self) -> Seed {
        self.hsm.seed
    }
    pub fn now(&self) -> Timestamp {
        self.clock
    }
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }
    /// Takes the audit log out of the world, leaving it empty (for callers that export and trim the log).
    pub fn take_audit(&mut self) -> AuditLog {
        std::mem::take(&mut self.audit)
    }
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.values().map(|e| &e.key)
    }
    pub fn key_entries(&self) -> impl Iterator<Item = &KeyEntry> {
        self.keys.values()
    }
    pub fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values()
    }
    pub fn key(&self, key_arn: &str) -> Option<&Key> {
        self.keys.get(key_arn).map(|e| &e.key)
    }
    pub fn key_mut(&mut self, key_arn: &str) -> Option<&mut Key> {
        self.keys.get_mut(key_arn).map(|e| &mut e.key)
    }
    pub fn grants(&self, key_arn: &str) -> Option<&GrantStore> {
        self.keys.get(key_arn).map(|e| &e.grants)
    }
    pub fn grants_mut(&mut self, key_arn: &str) -> Option<&mut GrantStore> {
        self.keys.get_mut(key_arn).map(|e| &mut e.grants)
    }
    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        self.accounts.entry(id.to_string()).or_default()
    }

    pub(crate) fn hsm(&self) -> Hsm {
        Hsm::restore(&self.hsm)
    }
    pub(crate) fn with_hsm<T>(&mut self, f: impl FnOnce(&mut Hsm) -> T) -> T {
        let mut h = Hsm::restore(&self.hsm);
        let out = f(&mut h);
        self.hsm = h.state();
        out
    }

    /// Inserts a key built outside the API (scenario set-up). Replaces any key with the same ARN.
    pub fn insert_key(&mut self, key: Key) {
        self.keys.insert(key.arn.clone(), KeyEntry { key, grants: GrantStore::default() });
    }

    /// Inserts an alias built outside the API (scenario set-up).
    pub fn insert_alias(&mut self, account: &str, region: &str, name: &str, target_key_id: &str) -> Alias {
        let arn = alias_arn(&self.config.partition, region, account, name);
        let a = Alias {
            name: name.to_string(),
            arn: arn.clone(),
            account: account.to_string(),
            region: region.to_string(),
            target_key_id: target_key_id.to_string(),
            creation_date: self.clock,
            last_updated_date: self.clock,
        };
        self.aliases.insert(arn, a.clone());
        a
    }

    /// The aliases that point at a key, by name.
    pub fn aliases_of(&self, key: &Key) -> Vec<&Alias> {
        self.aliases
            .values()
            .filter(|a| a.account == key.account && a.region == key.region && a.target_key_id == key.key_id)
            .collect()
    }

    // ---- the clock -------------------------------------------------------------------------------------------

    /// Advances the clock, running what KMS does on its own when time passes: automatic rotations and the deletion
    /// of keys whose waiting period has ended. Each produces an `AwsServiceEvent` in the audit log.
    pub fn advance(&mut self, by: Duration) -> Vec<AuditRecord> {
        let target = self.clock.plus_millis(by.millis().max(0));
        let mut events = Vec::new();
        loop {
            // The next due event, in time order.
            let next = self
                .keys
                .values()
                .filter_map(|e| {
                    let k = &e.key;
                    let del = (k.state == KeyState::PendingDeletion).then_some(k.deletion_date).flatten();
                    let rot = (k.rotation.enabled && k.state == KeyState::Enabled)
                        .then_some(k.rotation.next_rotation)
                        .flatten();
                    let t = match (del, rot) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    t.filter(|t| *t <= target).map(|t| (t, k.arn.clone()))
                })
                .min();
            let Some((when, arn)) = next else { break };
            self.clock = when.max(self.clock);
            let Some(entry) = self.keys.get(&arn) else { break };
            let key = entry.key.clone();
            if key.state == KeyState::PendingDeletion && key.deletion_date.is_some_and(|d| d <= when) {
                self.keys.remove(&arn);
                self.aliases.retain(|_, a| {
                    !(a.account == key.account && a.region == key.region && a.target_key_id == key.key_id)
                });
                self.deleted.push(arn.clone());
                let r = self.service_event("DeleteKey", &key, None);
                events.push(r);
            } else if let Some(k) = self.key_mut(&arn) {
                k.current_version = k.current_version.saturating_add(1);
                let version = k.current_version;
                k.rotation.history.push(crate::key::RotationRecord {
                    version,
                    rotation_date: when,
                    rotation_type: "AUTOMATIC".into(),
                });
                k.rotation.next_rotation = Some(when.plus_millis(i64::from(k.rotation.period_days) * DAY));
                let key = k.clone();
                let r = self.service_event("RotateKey", &key, None);
                events.push(r);
            }
        }
        self.clock = target;
        events
    }

    fn service_event(&mut self, name: &str, key: &Key, extra: Option<serde_json::Value>) -> AuditRecord {
        let (request_id, event_id) = self.with_hsm(|h| (h.new_request_id(), h.new_request_id()));
        let r = AuditRecord {
            event_version: "1.11".into(),
            user_identity: UserIdentity {
                kind: "AWSService".into(),
                arn: None,
                account_id: None,
                user_name: None,
                invoked_by: Some("kms.amazonaws.com".into()),
                session_context: None,
            },
            event_time: self.clock,
            event_source: "kms.amazonaws.com".into(),
            event_name: name.into(),
            aws_region: key.region.clone(),
            source_ip_address: "kms.amazonaws.com".into(),
            user_agent: "kms.amazonaws.com".into(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            additional_event_data: Some(extra.unwrap_or_else(|| serde_json::json!({ "keyId": key.arn }))),
            request_id,
            event_id,
            read_only: false,
            resources: vec![AuditResource {
                account_id: key.account.clone(),
                kind: "AWS::KMS::Key".into(),
                arn: key.arn.clone(),
            }],
            event_type: "AwsServiceEvent".into(),
            management_event: true,
            recipient_account_id: key.account.clone(),
            event_category: "Management".into(),
        };
        self.audit.push(r.clone());
        r
    }

    // ---- principals -------------------------------------------------------------------------------------------

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
                let mut segs =
                    caller.principal.split_once(':').map_or("", |x| x.1).rsplit(':').next().unwrap_or("").split('/');
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

    /// The global condition keys of a call: who calls, how, and when.
    pub(crate) fn base_context(&self, rc: &ResolvedCaller<'_>, caller: &Caller) -> Context {
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
        c.insert("aws:CurrentTime", ContextValue::Single(Value::Date(self.clock.millis())));
        c.insert("aws:EpochTime", ContextValue::Single(Value::Number(self.clock.epoch_seconds() as f64)));
        c.insert_bool("aws:SecureTransport", true);
        c.insert_string("aws:RequestedRegion", self.config.region.clone());
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

    /// Adds the condition keys that describe a key resource.
    pub(crate) fn key_context(&self, c: &mut Context, key: &Key) {
        for (k, v) in &key.tags {
            c.insert_string(format!("aws:ResourceTag/{k}"), v.clone());
        }
        c.insert_string("kms:KeySpec", key.key_spec.as_str());
        c.insert_string("kms:CustomerMasterKeySpec", key.key_spec.as_str());
        c.insert_string("kms:KeyUsage", key.key_usage.as_str());
        c.insert_string("kms:CustomerMasterKeyUsage", key.key_usage.as_str());
        c.insert_string("kms:KeyOrigin", key.origin.as_str());
        c.insert_bool("kms:MultiRegion", false);
        let aliases: Vec<Value> = self.aliases_of(key).iter().map(|a| Value::String(a.name.clone())).collect();
        if !aliases.is_empty() {
            c.insert("kms:ResourceAliases", ContextValue::Multi(aliases));
        }
    }

    // ---- keys -------------------------------------------------------------------------------------------------

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

    /// Records an API call in the audit log (in the key owner's trail and, for cross-account calls, also in the
    /// caller's). Returns the event id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_call(
        &mut self,
        caller: &Caller,
        rc_account: Option<String>,
        operation: &str,
        request_parameters: Option<serde_json::Value>,
        response_elements: Option<serde_json::Value>,
        additional: Option<serde_json::Value>,
        resources: Vec<(String, String)>,
        error: Option<&KmsError>,
    ) -> String {
        let p = Principal::from_arn(&caller.principal);
        let kind = match p.kind {
            PrincipalKind::User => "IAMUser",
            PrincipalKind::Role | PrincipalKind::RoleSession => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Root => "Root",
            PrincipalKind::Service => "AWSService",
            PrincipalKind::Anonymous => "AWSAccount",
        };
        let user_name = match p.kind {
            PrincipalKind::User => caller.principal.rsplit('/').next().map(str::to_string),
            _ => None,
        };
        let session_context = p.role_arn.as_ref().map(|r| {
            serde_json::json!({
                "sessionIssuer": { "type": "Role", "arn": r, "accountId": p.account },
                "attributes": { "mfaAuthenticated": caller.mfa.to_string() }
            })
        });
        let ident = UserIdentity {
            kind: kind.into(),
            arn: Some(caller.principal.clone()),
            account_id: rc_account.clone(),
            user_name,
            invoked_by: caller
                .via_service
                .as_ref()
                .map(|s| format!("{}.amazonaws.com", s.split('.').next().unwrap_or(s))),
            session_context,
        };
        let read_only = is_read_only(operation);
        let source_ip = match &caller.via_service {
            Some(s) => format!("{}.amazonaws.com", s.split('.').next().unwrap_or(s)),
            None => caller.source_ip.clone().unwrap_or_else(|| "203.0.113.10".into()),
        };
        // The key owners' trails (the first resource's first; ReEncrypt may touch two accounts), then the caller's.
        let mut recipients: Vec<String> = Vec::new();
        for a in resources.iter().map(|(a, _)| a).chain(rc_account.iter()) {
            if !a.is_empty() && !recipients.contains(a) {
                recipients.push(a.clone());
            }
        }
        if recipients.is_empty() {
            recipients.push(String::new());
        }
        let request_id = self.with_hsm(|h| h.new_request_id());
        let mut first_event = String::new();
        for recipient in recipients {
            let event_id = self.with_hsm(|h| h.new_request_id());
            if first_event.is_empty() {
                first_event = event_id.clone();
            }
            self.audit.push(AuditRecord {
                event_version: "1.11".into(),
                user_identity: ident.clone(),
                event_time: self.clock,
                event_source: "kms.amazonaws.com".into(),
                event_name: operation.into(),
                aws_region: self.config.region.clone(),
                source_ip_address: source_ip.clone(),
                user_agent: "kmsim".into(),
                error_code: error.map(|e| e.code.as_str().to_string()),
                error_message: error.map(|e| e.message.clone()),
                request_parameters: request_parameters.clone(),
                response_elements: if error.is_some() { None } else { response_elements.clone() },
                additional_event_data: additional.clone(),
                request_id: request_id.clone(),
                event_id,
                read_only,
                resources: resources
                    .iter()
                    .map(|(a, arn)| AuditResource {
                        account_id: a.clone(),
                        kind: "AWS::KMS::Key".into(),
                        arn: arn.clone(),
                    })
                    .collect(),
                event_type: "AwsApiCall".into(),
                management_event: true,
                recipient_account_id: recipient,
                event_category: "Management".into(),
            });
        }
        first_event
    }
}

fn is_read_only(op: &str) -> bool {
    matches!(
        op,
        "Encrypt"
            | "Decrypt"
            | "ReEncrypt"
            | "GenerateDataKey"
            | "GenerateDataKeyWithoutPlaintext"
            | "GenerateRandom"
            | "DescribeKey"
            | "GetKeyPolicy"
            | "GetKeyRotationStatus"
            | "ListAliases"
            | "ListGrants"
            | "ListKeyPolicies"
            | "ListKeyRotations"
            | "ListKeys"
            | "ListResourceTags"
            | "ListRetirableGrants"
    )
}

fn looks_like_key_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        || (s.starts_with("mrk-") && s.len() == 36)
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
