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
use crate::key::{validate_rotation_period, Key, KeyState, RotationRecord};
use crate::world::World;

/// The key a service event is about (its strings shared with the audit log's).
struct EventKey {
    arn: Arc<str>,
    account: Arc<str>,
    region: Arc<str>,
}

impl EventKey {
    fn of(key: &Key, log: &mut AuditLog) -> EventKey {
        EventKey { arn: log.intern(&key.arn), account: log.intern(&key.account), region: log.intern(&key.region) }
    }
}

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
    pub fn advance(&mut self, by: Duration) -> Result<Vec<AuditRecord>, KmsError> {
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
        let mut queue: BinaryHeap<Reverse<(Timestamp, String)>> = self
            .keys
            .values()
            .filter_map(|e| next_event(&e.key).filter(|t| *t <= target).map(|t| Reverse((t, e.key.arn.clone()))))
            .collect();
        let mut hsm = self.hsm();
        let kms = self.kms_itself();
        let mut events = Vec::new();
        while let Some(Reverse((when, arn))) = queue.pop() {
            self.clock = when.max(self.clock);
            let Some(entry) = self.keys.get_mut(&arn) else { continue };
            let k = &mut entry.key;
            if k.state == KeyState::PendingDeletion && k.deletion_date.is_some_and(|d| d <= when) {
                let Some(entry) = self.keys.remove(&arn) else { continue };
                let key = entry.key;
                self.aliases.retain(|_, a| {
                    !(a.account == key.account && a.region == key.region && a.target_key_id == key.key_id)
                });
                self.deleted.push(arn);
                let who = EventKey::of(&key, &mut self.audit);
                events.push(self.service_event(&mut hsm, &kms, "DeleteKey", &who));
            } else {
                k.current_version = k.current_version.saturating_add(1);
                let version = k.current_version;
                k.rotation.history.push(RotationRecord {
                    version,
                    rotation_date: when,
                    rotation_type: "AUTOMATIC".into(),
                });
                k.rotation.next_rotation = Some(when.plus_millis(i64::from(k.rotation.period_days) * DAY));
                let who = EventKey::of(k, &mut self.audit);
                // Strictly later: at the end of the clock the next rotation stops at `Timestamp::MAX`.
                if let Some(next) = next_event(k).filter(|t| *t <= target && *t > when) {
                    queue.push(Reverse((next, arn)));
                }
                events.push(self.service_event(&mut hsm, &kms, "RotateKey", &who));
            }
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

    fn service_event(
        &mut self,
        hsm: &mut Hsm,
        (identity, kms): &(Arc<UserIdentity>, Arc<str>),
        name: &'static str,
        key: &EventKey,
    ) -> AuditRecord {
        let request_id = EventId::from_random(hsm.new_request_id_bytes());
        let event_id = EventId::from_random(hsm.new_request_id_bytes());
        let r = AuditRecord {
            user_identity: identity.clone(),
            event_time: self.clock,
            event_name: Cow::Borrowed(name),
            aws_region: key.region.clone(),
            source_ip_address: kms.clone(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            additional_event_data: Some(JsonText::string_member("keyId", &key.arn)),
            request_id,
            event_id,
            read_only: false,
            resources: vec![AuditResource { account_id: key.account.clone(), arn: key.arn.clone() }],
            event_type: EventType::AwsServiceEvent,
            recipient_account_id: key.account.clone(),
        };
        self.audit.push_interned(r.clone());
        r
    }
}
