//! A record's CloudTrail JSON: what [`super::AuditRecord`] serialises to (every field CloudTrail writes, the ones
//! all KMS records share included) and reads back from ([`AuditRecord`] here, whose TypeScript declaration is the
//! JS API's `AuditRecord`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use super::{AuditRecord as Record, AuditResource as Resource, EventId, EventType, JsonText, UserIdentity};
use crate::clock::Timestamp;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordOut<'a> {
    event_version: &'static str,
    user_identity: &'a UserIdentity,
    event_time: Timestamp,
    event_source: &'static str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    user_agent: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    request_parameters: Option<&'a JsonText>,
    response_elements: Option<&'a JsonText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<&'a JsonText>,
    #[serde(rename = "requestID")]
    request_id: EventId,
    #[serde(rename = "eventID")]
    event_id: EventId,
    read_only: bool,
    resources: &'a [Resource],
    event_type: EventType,
    management_event: bool,
    recipient_account_id: &'a str,
    event_category: &'static str,
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RecordOut {
            event_version: Record::EVENT_VERSION,
            user_identity: &self.user_identity,
            event_time: self.event_time,
            event_source: Record::EVENT_SOURCE,
            event_name: &self.event_name,
            aws_region: &self.aws_region,
            source_ip_address: &self.source_ip_address,
            user_agent: self.event_type.user_agent(),
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            request_parameters: self.request_parameters.as_ref(),
            response_elements: self.response_elements.as_ref(),
            additional_event_data: self.additional_event_data.as_ref(),
            request_id: self.request_id,
            event_id: self.event_id,
            read_only: self.read_only,
            resources: &self.resources,
            event_type: self.event_type,
            management_event: true,
            recipient_account_id: &self.recipient_account_id,
            event_category: "Management",
        }
        .serialize(s)
    }
}

/// One CloudTrail event, as kmsim writes it and reads it back (kmsim keeps records compactly; the fields every KMS
/// record has alike are read here and not kept).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AuditRecord {
    pub event_version: String,
    pub user_identity: UserIdentity,
    pub event_time: Timestamp,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub error_code: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub error_message: Option<String>,
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown> | null"))]
    pub request_parameters: Option<Json>,
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown> | null"))]
    pub response_elements: Option<Json>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional, type = "Record<string, unknown>"))]
    pub additional_event_data: Option<Json>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    pub resources: Vec<AuditResource>,
    pub event_type: EventType,
    pub management_event: bool,
    pub recipient_account_id: String,
    pub event_category: String,
}

/// `resources[]` as JSON has it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AuditResource {
    #[serde(rename = "accountId")]
    pub account_id: String,
    /// `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ARN")]
    pub arn: String,
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "ARN")]
    arn: &'a str,
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ResourceOut { account_id: &self.account_id, kind: Resource::KIND, arn: &self.arn }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Resource, D::Error> {
        let r = AuditResource::deserialize(d)?;
        Ok(Resource { account_id: Arc::from(r.account_id), arn: Arc::from(r.arn) })
    }
}

impl TryFrom<AuditRecord> for Record {
    type Error = super::NotAnEventId;
    fn try_from(r: AuditRecord) -> Result<Record, super::NotAnEventId> {
        Ok(Record {
            user_identity: Arc::new(r.user_identity),
            event_time: r.event_time,
            event_name: Cow::Owned(r.event_name),
            aws_region: Arc::from(r.aws_region),
            source_ip_address: Arc::from(r.source_ip_address),
            error_code: r.error_code.map(Cow::Owned),
            error_message: r.error_message,
            request_parameters: r.request_parameters.as_ref().map(JsonText::new),
            response_elements: r.response_elements.as_ref().map(JsonText::new),
            additional_event_data: r.additional_event_data.as_ref().map(JsonText::new),
            request_id: r.request_id.parse()?,
            event_id: r.event_id.parse()?,
            read_only: r.read_only,
            resources: r
                .resources
                .into_iter()
                .map(|x| Resource { account_id: Arc::from(x.account_id), arn: Arc::from(x.arn) })
                .collect(),
            event_type: r.event_type,
            recipient_account_id: Arc::from(r.recipient_account_id),
        })
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Record, D::Error> {
        Record::try_from(AuditRecord::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
