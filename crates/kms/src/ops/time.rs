//! What KMS does on its own when time passes: automatic rotations and the deletion of keys whose waiting period has
//! ended, each recorded as an `AwsServiceEvent`.

use crate::audit::{AuditRecord, AuditResource, UserIdentity};
use crate::clock::{Duration, DAY};
use crate::key::{Key, KeyState};
use crate::world::World;

impl World {
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
}
