//! What KMS does on its own when time passes: automatic rotations and the deletion of keys whose waiting period has
//! ended, each recorded as an `AwsServiceEvent`. The due events wait in a priority queue ordered by (time, key
//! ARN), so each event costs a queue operation, not a scan of every key.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::audit::{AuditLog, AuditRecord, AuditResource, EventId, EventType, JsonText, UserIdentity};
use crate::clock::{Duration, Timestamp, DAY};
use crate::error::KmsError;
use crate::hsm::Hsm;
use crate::key::{validate_rotation_period, Key, KeyState, RotationRecord, RotationType};
use crate::world::{KeyEntry, World};

/// The key a service event is about: its strings shared with the audit log's and its `additionalEventData`, made
/// once per key and advance, not once per event.
struct EventKey {
    arn: Arc<str>,
    account: Arc<str>,
    region: Arc<str>,
    data: JsonText,
    resources: Arc<[AuditResource]>,
}

impl EventKey {
    fn of(key: &Key, log: &mut AuditLog) -> EventKey {
        let (arn, account) = (log.intern(&key.arn), log.intern(&key.account));
        EventKey {
            resources: Arc::new([AuditResource { account_id: account.clone(), arn: arn.clone() }]),
            arn,
            account,
            region: log.intern(&key.region),
            data: JsonText::string_member("keyId", &key.arn),
        }
    }
}

/// How many events a key will have by `target` (its deletion, or its rotations until then): to size the lists once.
fn events_due(k: &Key, target: Timestamp) -> usize {
    if k.state == KeyState::PendingDeletion {
        return usize::from(k.deletion_date.is_some_and(|d| d <= target));
    }
    match k.rotation.next_rotation.filter(|n| k.rotation.enabled && k.state == KeyState::Enabled && *n <= target) {
        Some(next) => {
            let period = i64::from(k.rotation.period_days.max(1)) * DAY;
            usize::try_from((target.millis() - next.millis()) / period + 1).unwrap_or(0)
        }
        None => 0,
    }
}

/// At most this many events are reserved for up front (a longer advance grows its lists as it goes).
const RESERVE_AT_MOST: usize = 1 << 20;

/// When a key next changes on its own (its deletion or its next automatic rotation), if ever.
fn next_event(k: &Key) -> Option<Timestamp> {
    let del = (k.state == KeyState::PendingDeletion).then_some(k.deletion_date).flatten();
    let rot = (k.rotation.enabled && k.state == KeyState::Enabled).then_some(k.rotation.next_rotation).flatten();
    match (del, rot) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl World {
    /// Advances the clock, running what KMS does on its own when time passes: automatic rotations and the deletion
    /// of keys whose waiting period has ended, in time order (keys due at the same time in ARN order). Each produces
    /// an `AwsServiceEvent` in the audit log; they are returned.
    ///
    /// Fails, changing nothing, when the clock would pass [`Timestamp::MAX`] (the last instant ISO 8601 can write)
    /// or a rotating key has a period outside AWS's range (a world built or restored with one).
    pub fn advance(&mut self, by: Duration) -> Result<Vec<Arc<AuditRecord>>, KmsError> {
        let by_ms = by.millis().max(0);
        let target = match self.clock.millis().checked_add(by_ms) {
            Some(t) if t <= Timestamp::MAX.millis() => Timestamp(t),
            _ => {
                return Err(KmsError::validation(format!(
                    "cannot advance the clock from {} by {} days: the simulated clock ends at {} (the last time ISO 8601 can write)",
                    self.clock,
                    by_ms / DAY,
                    Timestamp::MAX
                )))
            }
        };
        for e in self.keys.values() {
            if e.key.rotation.enabled {
                validate_rotation_period(i64::from(e.key.rotation.period_days))
                    .map_err(|err| KmsError::validation(format!("key {}: {}", e.key.arn, err.message)))?;
            }
        }
        let mut hsm = self.hsm();
        let kms = self.kms_itself();
        // Each due key once, in ARN order (the map's), with its event parts; the queue orders (time, position),
        // which is (time, key ARN): no string is compared or looked up per event.
        let mut due: Vec<(&mut KeyEntry, EventKey)> = Vec::new();
        let mut queue: BinaryHeap<Reverse<(Timestamp, usize)>> = BinaryHeap::new();
        let mut expected = 0usize;
        for e in self.keys.values_mut() {
            if let Some(t) = next_event(&e.key).filter(|t| *t <= target) {
                queue.push(Reverse((t, due.len())));
                expected = expected.saturating_add(events_due(&e.key, target));
                let who = EventKey::of(&e.key, &mut self.audit);
                due.push((e, who));
            }
        }
        let expected = expected.min(RESERVE_AT_MOST);
        self.audit.reserve(expected);
        let mut events = Vec::with_capacity(expected);
        // Deleted keys leave the map after the loop (nothing reads it meanwhile), in the order they were deleted.
        let mut deletions: Vec<usize> = Vec::new();
        while let Some(Reverse((when, i))) = queue.pop() {
            let Some((entry, who)) = due.get_mut(i) else { continue };
            self.clock = when.max(self.clock);
            let k = &mut entry.key;
            if k.state == KeyState::PendingDeletion && k.deletion_date.is_some_and(|d| d <= when) {
                deletions.push(i);
                events.push(service_event(&mut self.audit, &mut hsm, &kms, self.clock, "DeleteKey", who));
            } else {
                k.current_version = k.current_version.saturating_add(1);
                let version = k.current_version;
                k.rotation.history.push(RotationRecord {
                    version,
                    rotation_date: when,
                    rotation_type: RotationType::Automatic,
                });
                k.rotation.next_rotation = Some(when.plus_millis(i64::from(k.rotation.period_days) * DAY));
                // Strictly later: at the end of the clock the next rotation stops at `Timestamp::MAX`.
                if let Some(next) = next_event(k).filter(|t| *t <= target && *t > when) {
                    if k.rotation.history.capacity() == k.rotation.history.len() {
                        k.rotation.history.reserve(events_due(k, target).min(RESERVE_AT_MOST));
                    }
                    queue.push(Reverse((next, i)));
                }
                events.push(service_event(&mut self.audit, &mut hsm, &kms, self.clock, "RotateKey", who));
            }
        }
        let deleted: Vec<String> =
            deletions.iter().filter_map(|i| due.get(*i)).map(|(_, who)| who.arn.to_string()).collect();
        drop(due);
        for arn in deleted {
            let Some(entry) = self.keys.remove(&arn) else { continue };
            let key = entry.key;
            self.aliases
                .retain(|_, a| !(a.account == key.account && a.region == key.region && a.target_key_id == key.key_id));
            self.deleted.push(arn);
        }
        self.hsm = hsm.state();
        self.clock = target;
        Ok(events)
    }

    /// KMS itself as the audit log records it (`userIdentity` and source address of every service event).
    fn kms_itself(&mut self) -> (Arc<UserIdentity>, Arc<str>) {
        let identity = self.audit.intern_identity(UserIdentity {
            kind: "AWSService".into(),
            arn: None,
            account_id: None,
            user_name: None,
            invoked_by: Some("kms.amazonaws.com".into()),
            session_context: None,
        });
        (identity, self.audit.intern("kms.amazonaws.com"))
    }
}

/// The `AwsServiceEvent` record of a rotation or deletion, in the log and returned.
fn service_event(
    log: &mut AuditLog,
    hsm: &mut Hsm,
    (identity, kms): &(Arc<UserIdentity>, Arc<str>),
    now: Timestamp,
    name: &'static str,
    key: &EventKey,
) -> Arc<AuditRecord> {
    let (request_id, event_id) = hsm.new_request_and_event_id_bytes();
    let (request_id, event_id) = (EventId::from_random(request_id), EventId::from_random(event_id));
    let r = AuditRecord {
        user_identity: identity.clone(),
        event_time: now,
        event_name: Cow::Borrowed(name),
        aws_region: key.region.clone(),
        source_ip_address: kms.clone(),
        error_code: None,
        error_message: None,
        request_parameters: None,
        response_elements: None,
        additional_event_data: Some(key.data.clone()),
        request_id,
        event_id,
        read_only: false,
        resources: key.resources.clone(),
        event_type: EventType::AwsServiceEvent,
        recipient_account_id: key.account.clone(),
    };
    log.push_interned(r)
}
