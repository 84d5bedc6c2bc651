//! Accounts and principals, and the caller of an API call (who calls, and how).

use std::collections::BTreeMap;

use kmsim_policy::{Principal, PrincipalKind};
use serde::{Deserialize, Serialize};

use crate::policy::NamedPolicy;

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct User {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Identity policies attached to the user (inline and managed alike).
    #[serde(default)]
    pub policies: Vec<NamedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<NamedPolicy>,
}

/// An IAM role (callers act through its sessions).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Role {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub policies: Vec<NamedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<NamedPolicy>,
}

/// An AWS account with its principals and guardrails.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Account {
    /// A friendly name for display (e.g. `prod`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub users: BTreeMap<String, User>,
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// Service control policies that apply to the account. Empty means the account is not governed by SCPs.
    #[serde(default)]
    pub scps: Vec<NamedPolicy>,
}

/// Long-term (access keys) or temporary (STS) credentials. `aws:MultiFactorAuthPresent` exists only for temporary
/// credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Credentials {
    LongTerm,
    Temporary,
}

/// Who makes a call and how. The principal is named by ARN: a user
/// (`arn:aws:iam::111122223333:user/alice`), a role session (`arn:aws:sts::111122223333:assumed-role/App/s1`), the
/// account root (`arn:aws:iam::111122223333:root`) or a service principal (`ec2.amazonaws.com`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(hashmap_as_object))]
pub struct Caller {
    pub principal: String,
    /// The call is made by an AWS service on the principal's behalf, e.g. `s3.us-east-1.amazonaws.com`: sets
    /// `kms:ViaService`, `aws:ViaAWSService`, `aws:CalledVia` and takes the source IP from the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_service: Option<String>,
    /// Whether MFA was used to obtain the credentials.
    #[serde(default)]
    pub mfa: bool,
    /// Seconds since MFA authentication (only meaningful with `mfa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_age_seconds: Option<u64>,
    /// Defaults: users call with long-term credentials unless `mfa` is set; role sessions and federated users use
    /// temporary credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// The caller's IP address (`aws:SourceIp`). Defaults to 203.0.113.10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// A VPC endpoint id (`aws:SourceVpce`); calls through an endpoint have no `aws:SourceIp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
    /// Session tags (role sessions): added to the role's tags as `aws:PrincipalTag/*`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub session_tags: BTreeMap<String, String>,
    /// A session policy passed when the session was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<NamedPolicy>,
    /// The source identity set when the session was created (`AssumeRole`'s `SourceIdentity`): `aws:SourceIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// Extra context keys (override derived ones), as the policy engine's JSON context.
    #[serde(default, skip_serializing_if = "kmsim_policy::Context::is_empty")]
    pub context: kmsim_policy::Context,
    /// Record the policy engine's full trace for every policy evaluated in this call.
    #[serde(default)]
    pub trace: bool,
    /// How the audit record names the service that made a `via` call (`userIdentity.invokedBy`,
    /// `sourceIPAddress`); differs by service (issue 14). Absent: `<service>.amazonaws.com` for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_audit: Option<ServiceAudit>,
}

/// What the audit record of a call a service makes shows of that service (each service's page or trail example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ServiceAudit {
    /// `userIdentity.invokedBy`: e.g. `secretsmanager.amazonaws.com`, `AWS Internal`, or none (EBS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    /// `sourceIPAddress`: the service's name, or none for the caller's own address (EBS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
}

impl Caller {
    pub fn new(principal: impl Into<String>) -> Caller {
        Caller {
            principal: principal.into(),
            via_service: None,
            mfa: false,
            mfa_age_seconds: None,
            credentials: None,
            source_ip: None,
            source_vpce: None,
            session_tags: BTreeMap::new(),
            session_policy: None,
            source_identity: None,
            context: kmsim_policy::Context::new(),
            trace: true,
            service_audit: None,
        }
    }
    pub fn via(mut self, service: impl Into<String>) -> Caller {
        self.via_service = Some(service.into());
        self
    }
    pub fn with_mfa(mut self, mfa: bool) -> Caller {
        self.mfa = mfa;
        self
    }
    pub fn with_trace(mut self, trace: bool) -> Caller {
        self.trace = trace;
        self
    }
}

/// The session name of a role named as a caller without one (a role ARN, or `role/App` in a scenario).
pub const DEFAULT_SESSION_NAME: &str = "session";

impl Caller {
    /// AWS never receives a request "as a role": a role acts through a role session, with temporary credentials
    /// (IAM User Guide, *Policy evaluation logic*: "the principal making the request is the IAM role session ARN and
    /// not the ARN of the role itself"). For a caller named by a role ARN (`arn:aws:iam::A:role/path/R`) this is the
    /// same caller as the session `arn:aws:sts::A:assumed-role/R/session` ([`DEFAULT_SESSION_NAME`]; a session ARN
    /// has no role path); `None` for every other caller.
    pub fn role_session(&self) -> Option<Caller> {
        let p = Principal::from_arn(&self.principal);
        if p.kind != PrincipalKind::Role {
            return None;
        }
        let partition = self.principal.split(':').nth(1).unwrap_or("aws");
        let account = p.account?;
        let role = self.principal.rsplit('/').next().filter(|r| !r.is_empty())?;
        let mut session = self.clone();
        session.principal = format!("arn:{partition}:sts::{account}:assumed-role/{role}/{DEFAULT_SESSION_NAME}");
        Some(session)
    }
}

/// The trace's sentence for a caller given as a role and acting through a session ([`Caller::role_session`]).
pub(crate) fn acting_through(role: &str, session: &str) -> String {
    format!(
        "role `{role}` acting through session `{session}`: AWS only accepts requests from role sessions (temporary credentials); the session name `{DEFAULT_SESSION_NAME}` is kmsim's default"
    )
}

/// A caller resolved against the world: its ARN parsed, and the policies that apply to it.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedCaller<'w> {
    pub principal: Principal,
    /// For users and roles: the name; for sessions, the role name.
    pub name: Option<String>,
    pub session_name: Option<String>,
    pub identity_policies: Vec<&'w NamedPolicy>,
    pub boundary: Option<&'w NamedPolicy>,
    pub scps: Vec<&'w NamedPolicy>,
    pub tags: BTreeMap<String, String>,
}

impl ResolvedCaller<'_> {
    pub fn account(&self) -> Option<&str> {
        self.principal.account.as_deref()
    }
    pub fn kind(&self) -> PrincipalKind {
        self.principal.kind
    }
}
