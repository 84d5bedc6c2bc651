//! The audit log: one CloudTrail-shaped record per call (denied calls included) and per KMS service event
//! (RotateKey, DeleteKey). Records never hold key material or plaintext: only request parameters AWS logs
//! (key ids, encryption context, grant fields), with blobs and policies left out.
//!
//! A record is kept compactly (issue 10, item 6): identities and repeated strings are shared through the log's
//! interner, JSON members are kept as text ([`JsonText`]), ids as 16 bytes ([`EventId`]), and the fields every KMS
//! record has alike (`eventVersion`, `eventSource`, `managementEvent`, `eventCategory`, `userAgent`) are written
//! when the record is. [`cloudtrail`] is the record's CloudTrail JSON; `saved` the log's compact form inside a
//! saved world.

pub mod cloudtrail;
mod saved;
mod text;

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

pub use text::{EventId, JsonText, NotAnEventId};

/// `userIdentity`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct UserIdentity {
    /// `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSService`, `AWSAccount`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionContext>,
}

/// `userIdentity.sessionContext` of a role session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SessionContext {
    pub session_issuer: SessionIssuer,
    pub attributes: SessionAttributes,
}

/// `sessionContext.sessionIssuer`: the role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SessionIssuer {
    /// `Role`.
    #[serde(rename = "type")]
    pub kind: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

/// `sessionContext.attributes`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SessionAttributes {
    /// `"true"` or `"false"` (CloudTrail writes a string).
    pub mfa_authenticated: String,
}

/// `resources[]`: a KMS key (`type` is always `AWS::KMS::Key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditResource {
    pub account_id: Arc<str>,
    pub arn: Arc<str>,
}

impl AuditResource {
    /// The `type` of every resource of a KMS record.
    pub const KIND: &'static str = "AWS::KMS::Key";
}

/// `eventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum EventType {
    /// A call someone made.
    AwsApiCall,
    /// What KMS did on its own (rotation, deletion).
    AwsServiceEvent,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::AwsApiCall => "AwsApiCall",
            EventType::AwsServiceEvent => "AwsServiceEvent",
        }
    }
    /// The `userAgent` kmsim writes: `kmsim` for calls, KMS itself for service events.
    pub fn user_agent(self) -> &'static str {
        match self {
            EventType::AwsApiCall => "kmsim",
            EventType::AwsServiceEvent => "kms.amazonaws.com",
        }
    }
}

/// One CloudTrail event. It serialises as CloudTrail writes it ([`cloudtrail::AuditRecord`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub user_identity: Arc<UserIdentity>,
    pub event_time: Timestamp,
    pub event_name: Cow<'static, str>,
    pub aws_region: Arc<str>,
    pub source_ip_address: Arc<str>,
    pub error_code: Option<Cow<'static, str>>,
    pub error_message: Option<String>,
    pub request_parameters: Option<JsonText>,
    pub response_elements: Option<JsonText>,
    pub additional_event_data: Option<JsonText>,
    pub request_id: EventId,
    pub event_id: EventId,
    pub read_only: bool,
    /// Shared: a key's service events, and the records of one call to each recipient, share one list.
    pub resources: Arc<[AuditResource]>,
    pub event_type: EventType,
    pub recipient_account_id: Arc<str>,
}

impl AuditRecord {
    pub fn succeeded(&self) -> bool {
        self.error_code.is_none()
    }
    /// CloudTrail's `eventVersion` for the records kmsim writes.
    pub const EVENT_VERSION: &'static str = "1.11";
    /// CloudTrail's `eventSource` of KMS.
    pub const EVENT_SOURCE: &'static str = "kms.amazonaws.com";
}

/// Shares the identities and strings that records repeat (every call of one caller has the same `userIdentity`,
/// region, source address and account): one allocation each per log instead of one per record.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    strings: HashSet<Arc<str>>,
    identities: HashSet<Arc<UserIdentity>>,
}

/// The set's copy of `value`; `make` makes (and the set keeps) one when the set has none.
fn shared<T: ?Sized + Eq + Hash>(set: &mut HashSet<Arc<T>>, value: &T, make: impl FnOnce() -> Arc<T>) -> Arc<T> {
    if let Some(have) = set.get(value) {
        return have.clone();
    }
    let a = make();
    set.insert(a.clone());
    a
}

impl Interner {
    pub(crate) fn str(&mut self, s: &str) -> Arc<str> {
        shared(&mut self.strings, s, || Arc::from(s))
    }
    fn shared_str(&mut self, a: &Arc<str>) -> Arc<str> {
        shared(&mut self.strings, a, || a.clone())
    }
    pub(crate) fn identity(&mut self, id: UserIdentity) -> Arc<UserIdentity> {
        if let Some(have) = self.identities.get(&id) {
            return have.clone();
        }
        let a = Arc::new(id);
        self.identities.insert(a.clone());
        a
    }
    fn shared_identity(&mut self, a: &Arc<UserIdentity>) -> Arc<UserIdentity> {
        shared(&mut self.identities, a, || a.clone())
    }
    /// The record with its shared parts replaced by the interned ones (records built elsewhere or read back).
    fn share(&mut self, mut r: AuditRecord) -> AuditRecord {
        r.user_identity = self.shared_identity(&r.user_identity);
        r.aws_region = self.shared_str(&r.aws_region);
        r.source_ip_address = self.shared_str(&r.source_ip_address);
        r.recipient_account_id = self.shared_str(&r.recipient_account_id);
        r.resources = r
            .resources
            .iter()
            .map(|res| AuditResource { account_id: self.shared_str(&res.account_id), arn: self.shared_str(&res.arn) })
            .collect();
        r
    }
}

/// A query over the log; every field is optional and they AND together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditQuery {
    /// A key id or key ARN among the record's resources.
    pub key: Option<String>,
    /// The caller's ARN (exact), or for role sessions the role name.
    pub principal: Option<String>,
    pub event_name: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    /// The `errorCode` as CloudTrail writes it, or the API's exception name (`AccessDeniedException` finds the
    /// denials, which CloudTrail writes `AccessDenied`).
    pub error_code: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// The account whose trail is read (calls across accounts are recorded in both).
    pub account: Option<String>,
    /// `encryptionContext` pairs that must all be present in requestParameters.
    pub encryption_context: Option<std::collections::BTreeMap<String, String>>,
}

/// The log, oldest first. It saves compactly (`saved`) and reads back both that form and a plain array of
/// CloudTrail records.
#[derive(Debug, Clone, Default)]
pub struct AuditLog {
    /// Shared: a record never changes once logged, and what returns records (an advance's service events, a
    /// scenario step's) holds the log's own, not copies.
    records: Vec<Arc<AuditRecord>>,
    interner: Interner,
}

impl PartialEq for AuditLog {
    fn eq(&self, other: &AuditLog) -> bool {
        self.records == other.records
    }
}

impl AuditLog {
    pub fn push(&mut self, r: AuditRecord) {
        let r = self.interner.share(r);
        self.records.push(Arc::new(r));
    }
    /// Room for `n` more records.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.records.reserve(n);
    }
    /// [`AuditLog::push`] for a record whose shared parts came from this log's [`AuditLog::intern`] and
    /// [`AuditLog::intern_identity`] (the simulator's own records): no second lookup.
    /// Returns the logged record (shared).
    pub(crate) fn push_interned(&mut self, r: AuditRecord) -> Arc<AuditRecord> {
        let r = Arc::new(r);
        self.records.push(r.clone());
        r
    }
    pub fn records(&self) -> &[Arc<AuditRecord>] {
        &self.records
    }
    pub fn len(&self) -> usize {
        self.records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    /// Records matching every set field of the query, oldest first.
    pub fn query<'a>(&'a self, q: &'a AuditQuery) -> impl Iterator<Item = &'a AuditRecord> + 'a {
        self.records.iter().map(|r| &**r).filter(move |r| matches(r, q))
    }
    /// The shared copy of a string records repeat.
    pub(crate) fn intern(&mut self, s: &str) -> Arc<str> {
        self.interner.str(s)
    }
    /// The shared copy of an identity.
    pub(crate) fn intern_identity(&mut self, id: UserIdentity) -> Arc<UserIdentity> {
        self.interner.identity(id)
    }
}

fn matches(r: &AuditRecord, q: &AuditQuery) -> bool {
    if let Some(k) = &q.key {
        let hit = r.resources.iter().any(|res| &*res.arn == k.as_str() || res.arn.ends_with(&format!("/{k}")));
        if !hit {
            return false;
        }
    }
    if let Some(p) = &q.principal {
        let arn = r.user_identity.arn.as_deref().unwrap_or("");
        let role_hit = arn.contains(&format!(":assumed-role/{p}/"));
        if arn != p && !role_hit && r.user_identity.invoked_by.as_deref() != Some(p.as_str()) {
            return false;
        }
    }
    if let Some(e) = &q.event_name {
        if r.event_name != e.as_str() {
            return false;
        }
    }
    if let Some(o) = &q.outcome {
        let want_success = o.eq_ignore_ascii_case("success");
        if r.succeeded() != want_success {
            return false;
        }
    }
    if let Some(c) = &q.error_code {
        // The API's exception name finds the code CloudTrail writes for it (AccessDeniedException: AccessDenied).
        let c = crate::error::ErrorCode::parse(c).map_or(c.as_str(), |code| code.cloudtrail_name());
        if r.error_code.as_deref() != Some(c) {
            return false;
        }
    }
    if let Some(from) = q.from {
        if r.event_time < from {
            return false;
        }
    }
    if let Some(to) = q.to {
        if r.event_time > to {
            return false;
        }
    }
    if let Some(a) = &q.account {
        if &*r.recipient_account_id != a.as_str() {
            return false;
        }
    }
    if let Some(ec) = &q.encryption_context {
        let got = r.request_parameters.as_ref().and_then(|p| p.get("encryptionContext"));
        let ok =
            ec.iter().all(|(k, v)| got.as_ref().and_then(|g| g.get(k)).and_then(|x| x.as_str()) == Some(v.as_str()));
        if !ok {
            return false;
        }
    }
    true
}
