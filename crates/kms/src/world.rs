//! The world: accounts and principals, keys, aliases, grants, the HSM, the clock and the audit log.
//!
//! Everything is deterministic: time moves only through [`World::advance`] and randomness comes from the HSM's
//! seeded DRBG. A world serialises (serde) to its seed, the HSM's counter and its metadata: never key bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audit::AuditLog;
use crate::clock::Timestamp;
use crate::grant::GrantStore;
use crate::hsm::{Hsm, HsmState, Seed};
use crate::ids::alias_arn;
use crate::key::Key;
use crate::principal::Account;

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
    /// What the AWS services that use KMS keep (objects, volumes, parameters, secrets): ciphertexts only.
    #[serde(default, skip_serializing_if = "crate::resources::ServiceState::is_empty")]
    pub(crate) services: crate::resources::ServiceState,
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
            services: crate::resources::ServiceState::default(),
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
}
