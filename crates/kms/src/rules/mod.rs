//! Automated response (issue 14): rules that match audit records with an EventBridge event pattern and run actions
//! as a service role. This module has the event an audit record becomes ([`event_of`]), the pattern matching
//! ([`pattern`]) and what a firing returns; the scenario runs the rules after each step (`scenario::rules`).
//!
//! The event is the one EventBridge delivers for a CloudTrail record ("Events from AWS services",
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html>): `source` `aws.kms`,
//! `detail-type` `AWS API Call via CloudTrail` (`AWS Service Event via CloudTrail` for what KMS does on its own),
//! `account` the trail's account, `region`, `time`, `resources` `[]` and `detail` the record as CloudTrail writes it.
//! "Events from API actions that start with the keywords List, Get, or Describe aren't processed by EventBridge"
//! unless the rule's state is `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html>).
//!
//! Loops: EventBridge warns that "it is possible to create rules that lead to infinite loops" and has no limit;
//! kmsim stops a rule after [`MAX_FIRINGS_PER_STEP`] firings within one step and reports it.

pub mod pattern;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as J};

use crate::audit::{AuditRecord, EventType};
use crate::ops::CallOutcome;
pub use crate::resources::Notification;

/// How many times one rule may fire within one step before kmsim stops it (a simulator safeguard: AWS has none).
pub const MAX_FIRINGS_PER_STEP: usize = 5;

/// The rule states (EventBridge's PutRule `State`).
pub const STATES: &[&str] = &["ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "DISABLED"];

/// The actions a rule may run: KMS calls (as the rule's role) and `Notify`.
pub const ACTIONS: &[&str] =
    &["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "RevokeGrant", "TagResource", "Notify"];

/// The EventBridge event of an audit record, or `None` when a rule in `state` does not receive it.
pub fn event_of(record: &AuditRecord, region: &str, state: &str) -> Option<J> {
    let read_only_name = ["Get", "List", "Describe"].iter().any(|p| record.event_name.starts_with(p));
    if state == "DISABLED" || (read_only_name && state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") {
        return None;
    }
    let detail_type = match record.event_type {
        EventType::AwsApiCall => "AWS API Call via CloudTrail",
        EventType::AwsServiceEvent => "AWS Service Event via CloudTrail",
    };
    let detail = serde_json::to_value(record).ok()?;
    Some(json!({
        "version": "0", "detail-type": detail_type, "source": "aws.kms", "account": &*record.recipient_account_id,
        "time": detail.get("eventTime"), "region": region, "resources": [], "detail": detail,
    }))
}

/// One action a rule ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ActionResult {
    /// `DisableKey`, ..., `Notify`.
    pub action: String,
    /// `success`, or the error code of the call.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
    /// The action could not run as written (a parameter the event does not have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One firing of a rule: the record that matched and the actions it ran, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RuleFiring {
    pub rule: String,
    /// The matched record's `eventName` and `eventID`.
    pub event_name: String,
    pub event_id: String,
    /// The role the actions ran as.
    pub role: String,
    pub actions: Vec<ActionResult>,
}

/// The rules that fired after a step, and whether loop protection stopped one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RuleReport {
    pub firings: Vec<RuleFiring>,
    /// Set when a rule reached [`MAX_FIRINGS_PER_STEP`] and was stopped: which, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}
