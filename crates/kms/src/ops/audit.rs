//! The audit record of an API call (CloudTrail's `AwsApiCall`), in the key owners' trails and the caller's.

use kmsim_policy::{Principal, PrincipalKind};

use super::Cx;
use crate::audit::{AuditRecord, AuditResource, UserIdentity};
use crate::error::KmsError;
use crate::operation::Operation;
use crate::principal::Caller;
use crate::world::World;

impl World {
    /// Records an API call in the audit log (in the key owner's trail and, for cross-account calls, also in the
    /// caller's). Returns the event id.
    pub(super) fn record_call(&mut self, caller: &Caller, op: Operation, cx: &Cx, error: Option<&KmsError>) -> String {
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
        let session_context = p.role_arn.as_ref().map(|r| {
            serde_json::json!({
                "sessionIssuer": { "type": "Role", "arn": r, "accountId": p.account },
                "attributes": { "mfaAuthenticated": caller.mfa.to_string() }
            })
        });
        let ident = UserIdentity {
            kind: kind.into(),
            arn: Some(caller.principal.clone()),
            account_id: rc_account.clone(),
            user_name,
            invoked_by: caller
                .via_service
                .as_ref()
                .map(|s| format!("{}.amazonaws.com", s.split('.').next().unwrap_or(s))),
            session_context,
        };
        let read_only = op.facts().read_only;
        let source_ip = match &caller.via_service {
            Some(s) => format!("{}.amazonaws.com", s.split('.').next().unwrap_or(s)),
            None => caller.source_ip.clone().unwrap_or_else(|| "203.0.113.10".into()),
        };
        // The key owners' trails (the first resource's first; ReEncrypt may touch two accounts), then the caller's.
        let mut recipients: Vec<String> = Vec::new();
        for a in resources.iter().map(|(a, _)| a).chain(rc_account.iter()) {
            if !a.is_empty() && !recipients.contains(a) {
                recipients.push(a.clone());
            }
        }
        if recipients.is_empty() {
            recipients.push(String::new());
        }
        let request_id = self.with_hsm(|h| h.new_request_id());
        let mut first_event = String::new();
        for recipient in recipients {
            let event_id = self.with_hsm(|h| h.new_request_id());
            if first_event.is_empty() {
                first_event = event_id.clone();
            }
            self.audit.push(AuditRecord {
                event_version: "1.11".into(),
                user_identity: ident.clone(),
                event_time: self.clock,
                event_source: "kms.amazonaws.com".into(),
                event_name: op.name().into(),
                aws_region: self.config.region.clone(),
                source_ip_address: source_ip.clone(),
                user_agent: "kmsim".into(),
                error_code: error.map(|e| e.code.as_str().to_string()),
                error_message: error.map(|e| e.message.clone()),
                request_parameters: request_parameters.clone(),
                response_elements: if error.is_some() { None } else { response_elements.clone() },
                additional_event_data: additional.clone(),
                request_id: request_id.clone(),
                event_id,
                read_only,
                resources: resources
                    .iter()
                    .map(|(a, arn)| AuditResource {
                        account_id: a.clone(),
                        kind: "AWS::KMS::Key".into(),
                        arn: arn.clone(),
                    })
                    .collect(),
                event_type: "AwsApiCall".into(),
                management_event: true,
                recipient_account_id: recipient,
                event_category: "Management".into(),
            });
        }
        first_event
    }
}
