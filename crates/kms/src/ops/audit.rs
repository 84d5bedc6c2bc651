//! The audit record of an API call (CloudTrail's `AwsApiCall`), in the key owners' trails and the caller's.

use std::borrow::Cow;
use std::sync::Arc;

use kmsim_policy::{Principal, PrincipalKind};

use super::Cx;
use crate::audit::{
    AuditRecord, AuditResource, EventId, EventType, JsonText, SessionAttributes, SessionContext, SessionIssuer,
    UserIdentity,
};
use crate::error::KmsError;
use crate::operation::Operation;
use crate::principal::Caller;
use crate::world::World;

impl World {
    /// Records an API call in the audit log (in the key owner's trail and, for cross-account calls, also in the
    /// caller's). Returns the event id.
    pub(super) fn record_call(&mut self, caller: &Caller, op: Operation, cx: &Cx, error: Option<&KmsError>) -> EventId {
        let Cx { request_parameters, response_log: response_elements, additional, resources, .. } = cx;
        let p = Principal::from_arn(&caller.principal);
        let rc_account = p.account.clone();
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
        let session_context = p.role_arn.as_ref().map(|r| SessionContext {
            session_issuer: SessionIssuer { kind: "Role".into(), arn: r.clone(), account_id: p.account.clone() },
            attributes: SessionAttributes { mfa_authenticated: caller.mfa.to_string() },
        });
        let service_host =
            caller.via_service.as_ref().map(|s| format!("{}.amazonaws.com", s.split('.').next().unwrap_or(s)));
        let identity = self.audit.intern_identity(UserIdentity {
            kind: kind.into(),
            arn: Some(caller.principal.clone()),
            account_id: rc_account.clone(),
            user_name,
            invoked_by: service_host.clone(),
            session_context,
        });
        let source_ip =
            self.audit.intern(service_host.as_deref().or(caller.source_ip.as_deref()).unwrap_or("203.0.113.10"));
        let region = self.audit.intern(&self.config.region);
        let resources: Arc<[AuditResource]> = resources
            .iter()
            .map(|(a, arn)| AuditResource { account_id: self.audit.intern(a), arn: self.audit.intern(arn) })
            .collect();
        let texts = |j: &Option<serde_json::Value>| j.as_ref().map(JsonText::new);
        let (request_parameters, additional) = (texts(request_parameters), texts(additional));
        let response_elements = if error.is_some() { None } else { texts(response_elements) };
        // The key owners' trails (the first resource's first; ReEncrypt may touch two accounts), then the caller's.
        let mut recipients: Vec<&str> = Vec::new();
        for a in cx.resources.iter().map(|(a, _)| a.as_str()).chain(rc_account.as_deref()) {
            if !a.is_empty() && !recipients.contains(&a) {
                recipients.push(a);
            }
        }
        if recipients.is_empty() {
            recipients.push("");
        }
        let mut hsm = self.hsm();
        let request_id = EventId::from_random(hsm.new_request_id_bytes());
        let mut first_event = None;
        for recipient in recipients {
            let event_id = EventId::from_random(hsm.new_request_id_bytes());
            first_event.get_or_insert(event_id);
            let recipient_account_id = self.audit.intern(recipient);
            self.audit.push_interned(AuditRecord {
                user_identity: identity.clone(),
                event_time: self.clock,
                event_name: Cow::Borrowed(op.name()),
                aws_region: region.clone(),
                source_ip_address: source_ip.clone(),
                error_code: error.map(|e| Cow::Borrowed(e.code.cloudtrail_name())),
                error_message: error.map(|e| e.message.clone()),
                request_parameters: request_parameters.clone(),
                response_elements: response_elements.clone(),
                additional_event_data: additional.clone(),
                request_id,
                event_id,
                read_only: op.facts().read_only,
                resources: resources.clone(),
                event_type: EventType::AwsApiCall,
                recipient_account_id,
            });
        }
        self.hsm = hsm.state();
        first_event.unwrap_or_default()
    }
}
