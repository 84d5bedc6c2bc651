//! Grants: per-key, allow-only delegations of a list of operations to a grantee, with optional encryption-context
//! constraints. Which operations a grant can allow, and which take an encryption context, is in the operation table
//! ([`crate::Operation::facts`], [`crate::operation::grant_operations`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

/// `GrantConstraints`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GrantConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
    /// `SourceArn`: accepted as AWS models it; CreateGrant refuses it (the simulator does not simulate grants for AWS
    /// service principals, which this constraint goes with), so no stored grant has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
}

impl GrantConstraints {
    pub fn is_empty(&self) -> bool {
        self.encryption_context_subset.is_none()
            && self.encryption_context_equals.is_none()
            && self.source_arn.is_none()
    }

    /// The constraint type for `kms:GrantConstraintType`.
    pub fn constraint_type(&self) -> Option<&'static str> {
        if self.encryption_context_equals.is_some() {
            Some("EncryptionContextEquals")
        } else if self.encryption_context_subset.is_some() {
            Some("EncryptionContextSubset")
        } else {
            None
        }
    }

    /// Whether a request's encryption context satisfies the constraints. AWS compares constraint *keys*
    /// case-insensitively and *values* case-sensitively (API reference, GrantConstraints).
    pub fn allows(&self, ec: &BTreeMap<String, String>) -> Result<(), String> {
        if let Some(eq) = &self.encryption_context_equals {
            if eq.len() != ec.len() {
                return Err(format!(
                    "EncryptionContextEquals needs exactly {} pair(s); the request has {}",
                    eq.len(),
                    ec.len()
                ));
            }
            for (k, v) in eq {
                match lookup_ci(ec, k) {
                    Some(rv) if rv == v => {}
                    Some(rv) => {
                        return Err(format!("EncryptionContextEquals: `{k}` is `{rv}` in the request, not `{v}`"))
                    }
                    None => return Err(format!("EncryptionContextEquals: the request has no `{k}`")),
                }
            }
        }
        if let Some(sub) = &self.encryption_context_subset {
            for (k, v) in sub {
                match lookup_ci(ec, k) {
                    Some(rv) if rv == v => {}
                    Some(rv) => {
                        return Err(format!("EncryptionContextSubset: `{k}` is `{rv}` in the request, not `{v}`"))
                    }
                    None => return Err(format!("EncryptionContextSubset: the request has no `{k}`")),
                }
            }
        }
        Ok(())
    }

    /// Whether `self` (a child's constraints) is at least as strict as `parent`'s. A child may add pairs to a subset
    /// constraint and may turn a subset into an equals constraint, never the reverse.
    pub fn at_least_as_strict_as(&self, parent: &GrantConstraints) -> bool {
        if let Some(peq) = &parent.encryption_context_equals {
            return self.encryption_context_equals.as_ref() == Some(peq) && self.encryption_context_subset.is_none();
        }
        if let Some(psub) = &parent.encryption_context_subset {
            let contains = |m: &BTreeMap<String, String>| psub.iter().all(|(k, v)| lookup_ci(m, k) == Some(v));
            return match (&self.encryption_context_equals, &self.encryption_context_subset) {
                (Some(eq), _) => contains(eq),
                (None, Some(sub)) => contains(sub),
                (None, None) => false,
            };
        }
        true
    }
}

fn lookup_ci<'a>(ec: &'a BTreeMap<String, String>, key: &str) -> Option<&'a String> {
    ec.get(key).or_else(|| ec.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// A grant on a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub key_arn: String,
    pub grantee_principal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    pub issuing_account: String,
    pub operations: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "GrantConstraints::is_empty")]
    pub constraints: GrantConstraints,
    pub creation_date: Timestamp,
    /// When the grant becomes usable without a grant token (creation + the world's propagation delay).
    pub effective_from: Timestamp,
    /// The principal that created the grant, and whether it did so through a grant (then children may only narrow).
    pub created_by: String,
    /// The grant through which this one was created, when CreateGrant was authorized by a grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_grant: Option<String>,
    /// Hashes of the tokens issued for this grant (tokens are opaque; they never appear in ListGrants or the log).
    #[serde(default)]
    pub token_hashes: Vec<String>,
}

/// The grants on one key, indexed by grantee so authorization never scans grants that are not the caller's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Grant>", into = "Vec<Grant>")]
pub struct GrantStore {
    grants: BTreeMap<String, Grant>,
    by_grantee: BTreeMap<String, BTreeSet<String>>,
    by_name: BTreeMap<String, String>,
    /// Token hash -> grant id, so presenting a token costs a lookup, not a scan of the key's grants.
    by_token: BTreeMap<String, String>,
}

impl From<Vec<Grant>> for GrantStore {
    fn from(v: Vec<Grant>) -> GrantStore {
        let mut s = GrantStore::default();
        for g in v {
            s.insert(g);
        }
        s
    }
}

impl From<GrantStore> for Vec<Grant> {
    fn from(s: GrantStore) -> Vec<Grant> {
        s.grants.into_values().collect()
    }
}

impl GrantStore {
    pub fn insert(&mut self, g: Grant) {
        self.by_grantee.entry(g.grantee_principal.clone()).or_default().insert(g.grant_id.clone());
        if let Some(n) = &g.name {
            self.by_name.insert(n.clone(), g.grant_id.clone());
        }
        for h in &g.token_hashes {
            self.by_token.insert(h.clone(), g.grant_id.clone());
        }
        self.grants.insert(g.grant_id.clone(), g);
    }
    pub fn remove(&mut self, grant_id: &str) -> Option<Grant> {
        let g = self.grants.remove(grant_id)?;
        if let Some(set) = self.by_grantee.get_mut(&g.grantee_principal) {
            set.remove(grant_id);
            if set.is_empty() {
                self.by_grantee.remove(&g.grantee_principal);
            }
        }
        if let Some(n) = &g.name {
            if self.by_name.get(n).map(String::as_str) == Some(grant_id) {
                self.by_name.remove(n);
            }
        }
        for h in &g.token_hashes {
            self.by_token.remove(h);
        }
        Some(g)
    }
    pub fn get(&self, grant_id: &str) -> Option<&Grant> {
        self.grants.get(grant_id)
    }
    /// Mutable access to a grant. Do not change its grantee, name or token hashes through it (the indexes would go
    /// stale): use [`GrantStore::add_token`] for tokens, or remove and insert the grant.
    pub fn get_mut(&mut self, grant_id: &str) -> Option<&mut Grant> {
        self.grants.get_mut(grant_id)
    }
    /// Records another token (by its hash) for a grant. Returns false when the grant does not exist.
    pub fn add_token(&mut self, grant_id: &str, token_hash: String) -> bool {
        let Some(g) = self.grants.get_mut(grant_id) else { return false };
        g.token_hashes.push(token_hash.clone());
        self.by_token.insert(token_hash, grant_id.to_string());
        true
    }
    /// The grant a token (by its hash) belongs to.
    pub fn by_token_hash(&self, token_hash: &str) -> Option<&Grant> {
        self.by_token.get(token_hash).and_then(|id| self.grants.get(id))
    }
    pub fn by_name(&self, name: &str) -> Option<&Grant> {
        self.by_name.get(name).and_then(|id| self.grants.get(id))
    }
    /// The grants whose grantee is exactly `grantee` (an ARN).
    pub fn for_grantee<'a>(&'a self, grantee: &str) -> impl Iterator<Item = &'a Grant> + 'a {
        self.by_grantee.get(grantee).into_iter().flat_map(|ids| ids.iter().filter_map(|id| self.grants.get(id)))
    }
    pub fn iter(&self) -> impl Iterator<Item = &Grant> {
        self.grants.values()
    }
    /// One page of grants in grant-id order: those with id `from` or after (all without `from`), only `grant_id`
    /// and only `grantee`'s when given, at most `limit`; and the id the next page starts from, if there are more.
    /// Costs a seek and the page, whatever the number of grants on the key.
    pub fn page<'a>(&'a self, q: &PageQuery<'_>) -> (Vec<&'a Grant>, Option<&'a str>) {
        use std::ops::Bound::{Included, Unbounded};
        let from = q.from.map_or(Unbounded, Included);
        let ids: Box<dyn Iterator<Item = &'a String> + 'a> = match (q.grant_id, q.grantee) {
            (Some(id), _) => Box::new(self.grants.get_key_value(id).map(|(k, _)| k).into_iter()),
            (None, Some(p)) => match self.by_grantee.get(p) {
                Some(ids) => Box::new(ids.range::<str, _>((from, Unbounded))),
                None => Box::new(std::iter::empty()),
            },
            (None, None) => Box::new(self.grants.range::<str, _>((from, Unbounded)).map(|(k, _)| k)),
        };
        let mut page: Vec<&Grant> = ids
            .filter(|id| q.from.is_none_or(|f| id.as_str() >= f))
            .filter_map(|id| self.grants.get(id))
            .filter(|g| q.grantee.is_none_or(|p| g.grantee_principal == p))
            .take(q.limit.saturating_add(1))
            .collect();
        let next = if page.len() > q.limit { page.pop().map(|g| g.grant_id.as_str()) } else { None };
        (page, next)
    }
    pub fn len(&self) -> usize {
        self.grants.len()
    }
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }
}

/// What a page of [`GrantStore::page`] asks for.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    /// Only this grant.
    pub grant_id: Option<&'a str>,
    /// Only this grantee's grants.
    pub grantee: Option<&'a str>,
    /// The first grant id of the page (a previous page's next marker).
    pub from: Option<&'a str>,
    pub limit: usize,
}
