//! The audit log inside a saved world, compactly: each distinct caller (`userIdentity`, `awsRegion`,
//! `sourceIPAddress`) once in `callers`, and per record only what differs between records. The fields every KMS
//! record has alike, a resource's account (part of its ARN) and `eventType` `AwsApiCall` are left out. A call of
//! GenerateRandom takes about 260 bytes instead of its CloudTrail record's 795, so a world of a million calls still
//! fits in a JavaScript string (at most 2^29 - 24 characters in V8). A log written as an array of CloudTrail records
//! reads back too.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{AuditLog, AuditRecord, AuditResource, EventId, EventType, JsonText, UserIdentity};
use crate::clock::Timestamp;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SavedCaller {
    user_identity: UserIdentity,
    aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_api_call(t: &EventType) -> bool {
    *t == EventType::AwsApiCall
}

fn api_call() -> EventType {
    EventType::AwsApiCall
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SavedRecord<'a> {
    event_time: Timestamp,
    #[serde(borrow)]
    event_name: Cow<'a, str>,
    /// Index into `callers`.
    caller: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_code: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_message: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_parameters: Option<JsonText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_elements: Option<JsonText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<JsonText>,
    #[serde(rename = "requestID")]
    request_id: EventId,
    #[serde(rename = "eventID")]
    event_id: EventId,
    #[serde(default, skip_serializing_if = "is_false")]
    read_only: bool,
    /// Key ARNs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    resources: Vec<Cow<'a, str>>,
    #[serde(default = "api_call", skip_serializing_if = "is_api_call")]
    event_type: EventType,
    recipient_account_id: Cow<'a, str>,
}

#[derive(Serialize)]
struct SavedLogOut<'a> {
    callers: Vec<SavedCaller>,
    records: Vec<SavedRecord<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedLogIn<'a> {
    callers: Vec<SavedCaller>,
    #[serde(borrow)]
    records: Vec<SavedRecord<'a>>,
}

impl Serialize for AuditLog {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut index: HashMap<(&UserIdentity, &str, &str), usize> = HashMap::new();
        let mut callers = Vec::new();
        let mut records = Vec::with_capacity(self.records.len());
        for r in &self.records {
            let key = (&*r.user_identity, &*r.aws_region, &*r.source_ip_address);
            let caller = *index.entry(key).or_insert_with(|| {
                callers.push(SavedCaller {
                    user_identity: (*r.user_identity).clone(),
                    aws_region: r.aws_region.to_string(),
                    source_ip_address: r.source_ip_address.to_string(),
                });
                callers.len() - 1
            });
            records.push(SavedRecord {
                event_time: r.event_time,
                event_name: Cow::Borrowed(&r.event_name),
                caller,
                error_code: r.error_code.as_deref().map(Cow::Borrowed),
                error_message: r.error_message.as_deref().map(Cow::Borrowed),
                request_parameters: r.request_parameters.clone(),
                response_elements: r.response_elements.clone(),
                additional_event_data: r.additional_event_data.clone(),
                request_id: r.request_id,
                event_id: r.event_id,
                read_only: r.read_only,
                resources: r.resources.iter().map(|x| Cow::Borrowed(&*x.arn)).collect(),
                event_type: r.event_type,
                recipient_account_id: Cow::Borrowed(&r.recipient_account_id),
            });
        }
        SavedLogOut { callers, records }.serialize(s)
    }
}

impl SavedLogIn<'_> {
    fn into_log<E: de::Error>(self) -> Result<AuditLog, E> {
        let mut log = AuditLog::default();
        let callers: Vec<(Arc<UserIdentity>, Arc<str>, Arc<str>)> = self
            .callers
            .into_iter()
            .map(|c| {
                (log.intern_identity(c.user_identity), log.intern(&c.aws_region), log.intern(&c.source_ip_address))
            })
            .collect();
        log.records.reserve(self.records.len());
        for (i, r) in self.records.into_iter().enumerate() {
            let (identity, region, ip) = callers.get(r.caller).cloned().ok_or_else(|| {
                E::custom(format!(
                    "audit record {i} names caller {}, but the log has {} callers",
                    r.caller,
                    callers.len()
                ))
            })?;
            let mut resources = Vec::with_capacity(r.resources.len());
            for arn in &r.resources {
                let account = arn
                    .split(':')
                    .nth(4)
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| E::custom(format!("audit record {i}: resource `{arn}` is not a key ARN")))?;
                resources.push(AuditResource { account_id: log.intern(account), arn: log.intern(arn) });
            }
            let record = AuditRecord {
                user_identity: identity,
                event_time: r.event_time,
                event_name: Cow::Owned(r.event_name.into_owned()),
                aws_region: region,
                source_ip_address: ip,
                error_code: r.error_code.map(|c| Cow::Owned(c.into_owned())),
                error_message: r.error_message.map(Cow::into_owned),
                request_parameters: r.request_parameters,
                response_elements: r.response_elements,
                additional_event_data: r.additional_event_data,
                request_id: r.request_id,
                event_id: r.event_id,
                read_only: r.read_only,
                resources: resources.into(),
                event_type: r.event_type,
                recipient_account_id: log.intern(&r.recipient_account_id),
            };
            log.records.push(Arc::new(record));
        }
        Ok(log)
    }
}

struct LogVisitor;

impl<'de> Visitor<'de> for LogVisitor {
    type Value = AuditLog;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an audit log: an object with `callers` and `records`, or an array of CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AuditLog, A::Error> {
        let mut log = AuditLog::default();
        while let Some(r) = seq.next_element::<AuditRecord>()? {
            log.push(r);
        }
        Ok(log)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AuditLog, A::Error> {
        SavedLogIn::deserialize(de::value::MapAccessDeserializer::new(map))?.into_log()
    }
}

impl<'de> Deserialize<'de> for AuditLog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AuditLog, D::Error> {
        d.deserialize_any(LogVisitor)
    }
}
