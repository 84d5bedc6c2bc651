//! AWS services that use KMS (issue 14): a service operation makes exactly the KMS calls its "How SERVICE uses
//! AWS KMS" page documents, as the calling principal (or, where the page says so, as the principal the service
//! uses), through the service (`kms:ViaService`), with the service's encryption context and grants, the AWS managed
//! key `aws/SERVICE` when no key is named (created on first use), and the service's own error when KMS refuses.
//!
//! One file per service: `s3`, `ebs`, `rds`, `lambda`, `ssm`, `secretsmanager`. Each has its
//! [`Service`] entry (the page, how its calls appear in the audit log, its operations and the fields each takes;
//! its AWS managed key's policy is in the catalogue, [`crate::catalogue::MANAGED_KEY_POLICIES`]) and its plans. Every KMS call goes through [`World::call`], so it has its own trace
//! and audit record; the step's result nests them ([`ServiceOutcome::kms_calls`]).
//!
//! The resources a service keeps (objects, volumes, parameters, ...) live in [`crate::resources::ServiceState`] inside the world. They
//! hold what the service stores: encrypted data keys and ciphertexts, never a plaintext data key. So S3 Bucket Keys
//! are not cached across requests here (a cache would hold a plaintext key): each PutObject with a Bucket Key asks
//! KMS for the bucket-level key, with the bucket's ARN as context, as the first request of a requester does.
//! Sources: docs/research/issue-14-services.md (each service's page, quoted there).

mod ebs;
mod lambda;
mod rds;
mod s3;
mod secretsmanager;
mod spec;
mod ssm;

pub use spec::ServiceStepSpec;

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use zeroize::Zeroizing;

use crate::api::KmsRequest;
use crate::envelope::EnvelopeMessage;
use crate::error::KmsError;
use crate::ops::CallOutcome;
use crate::principal::{Caller, ServiceAudit};
use crate::world::World;

/// A service that uses KMS.
#[derive(Debug)]
pub struct Service {
    /// The step's `name` and the AWS managed key's alias suffix (`aws/<name>`).
    pub name: &'static str,
    pub title: &'static str,
    /// The host prefix of `kms:ViaService` (`ec2` for EBS): `<endpoint>.<region>.amazonaws.com`.
    pub endpoint: &'static str,
    /// "How SERVICE uses AWS KMS" and the service's own encryption page.
    pub pages: &'static [&'static str],
    /// `userIdentity.invokedBy` of its calls (none: the field is absent).
    pub invoked_by: Option<&'static str>,
    /// `sourceIPAddress` of its calls (none: the caller's own address).
    pub source_ip: Option<&'static str>,
    pub operations: &'static [OperationSpec],
    /// The service's error codes a step may expect (besides `success` and `error`).
    pub errors: &'static [&'static str],
}

/// An operation and the step fields it takes.
#[derive(Debug)]
pub struct OperationSpec {
    pub name: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

/// Every service, by name.
pub const SERVICES: &[&Service] =
    &[&s3::S3, &ebs::EBS, &rds::RDS, &lambda::LAMBDA, &ssm::SSM, &secretsmanager::SECRETS_MANAGER];

/// The service named `name` (`s3`, ...).
pub fn service(name: &str) -> Option<&'static Service> {
    SERVICES.iter().copied().find(|s| s.name == name)
}

/// Every step field a service operation may take (for load-time checks: a field no operation of the service takes).
pub const FIELDS: &[&str] = &[
    "kms_key",
    "bucket",
    "key",
    "bucket_key",
    "encryption_context",
    "value",
    "volume",
    "instance",
    "snapshot",
    "db_instance",
    "function",
    "role",
    "variables",
    "parameter",
    "with_decryption",
    "secret",
];

/// The fields of a step that are set, by name.
pub fn fields_set(s: &ServiceStepSpec) -> Vec<&'static str> {
    let set = [
        s.kms_key.is_some(),
        s.bucket.is_some(),
        s.key.is_some(),
        s.bucket_key.is_some(),
        s.encryption_context.is_some(),
        s.value.is_some(),
        s.volume.is_some(),
        s.instance.is_some(),
        s.snapshot.is_some(),
        s.db_instance.is_some(),
        s.function.is_some(),
        s.role.is_some(),
        s.variables.is_some(),
        s.parameter.is_some(),
        s.with_decryption.is_some(),
        s.secret.is_some(),
    ];
    FIELDS.iter().zip(set).filter(|(_, on)| *on).map(|(f, _)| *f).collect()
}

/// A service's refusal, as the service answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ServiceError {
    /// The service's error code (`AccessDenied`, `KMSAccessDeniedException`, ...).
    pub code: String,
    pub message: String,
}

/// What a service step returns: the service's response (or error), the KMS calls it made (each with its trace),
/// and the events it emitted (EBS reports a KMS refusal as an EventBridge event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ServiceOutcome {
    pub service: String,
    pub operation: String,
    #[cfg_attr(feature = "ts", tsify(type = "{ Ok: Record<string, unknown> } | { Err: ServiceError }"))]
    pub response: Result<J, ServiceError>,
    /// The KMS calls, in order; a plaintext data key in a response is left out (the service keeps it).
    pub kms_calls: Vec<CallOutcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", tsify(type = "unknown[]"))]
    pub events: Vec<J>,
}

/// One service operation in progress: the service, the caller, the KMS calls made so far.
pub(crate) struct Run<'a> {
    pub service: &'static Service,
    pub spec: &'a ServiceStepSpec,
    /// The service API's caller.
    pub caller: &'a Caller,
    /// The key the step names, placeholders replaced (`alias/aws/<service>` when it names none).
    pub kms_key: String,
    pub calls: Vec<CallOutcome>,
    pub events: Vec<J>,
}

impl Run<'_> {
    /// The caller of KMS: `principal` (the service API's caller when `None`) through the service.
    pub fn via(&self, world: &World, principal: Option<&str>) -> Caller {
        let mut c = match principal {
            Some(p) => {
                let mut c = Caller::new(p);
                c.trace = self.caller.trace;
                c.source_ip = self.caller.source_ip.clone();
                c
            }
            None => self.caller.clone(),
        };
        c.via_service = Some(format!("{}.{}.amazonaws.com", self.service.endpoint, world.config.region));
        c.service_audit = Some(ServiceAudit {
            invoked_by: self.service.invoked_by.map(str::to_string),
            source_ip: self.service.source_ip.map(str::to_string),
        });
        c
    }

    /// A CreateGrant the service makes for an AWS resource: `kms:GrantIsForAWSResource` is true.
    pub fn for_aws_resource(mut c: Caller) -> Caller {
        c.context.insert_bool("kms:GrantIsForAWSResource", true);
        c
    }

    /// Makes one KMS call; its outcome is kept (without a plaintext data key) and its response returned.
    pub fn kms(&mut self, world: &mut World, who: &Caller, op: &str, params: J) -> Result<J, KmsError> {
        let request = KmsRequest::from_parts(op, params)?;
        let mut out = world.call(who, &request);
        let response = out.response.clone();
        if let Ok(J::Object(m)) = &mut out.response {
            m.remove("Plaintext");
        }
        self.calls.push(out);
        response
    }

    /// A string field the operation requires (checked when the scenario is loaded).
    pub fn field<'s>(&self, value: &'s Option<String>, name: &str) -> Result<&'s str, ServiceError> {
        value.as_deref().ok_or_else(|| ServiceError {
            code: "ValidationException".into(),
            message: format!("{} {} needs `{name}`", self.service.name, self.spec.operation),
        })
    }

    pub fn account(&self) -> String {
        kmsim_policy::Principal::from_arn(&self.caller.principal).account.unwrap_or_default()
    }
}

/// A service error.
pub(crate) fn error(code: &str, message: impl Into<String>) -> ServiceError {
    ServiceError { code: code.into(), message: message.into() }
}

/// An id from the HSM's DRBG: `prefix` and `len` lower-case hex digits (`vol-` + 17).
pub(crate) fn hex_id(world: &mut World, prefix: &str, len: usize) -> String {
    let bytes = world.with_hsm(|h| h.new_request_id_bytes());
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{}", hex.get(..len).unwrap_or(&hex))
}

/// Seals `data` under the data key of a GenerateDataKey response (its plaintext key is dropped here).
pub(crate) fn seal(world: &mut World, generated: &J, data: &str) -> Result<EnvelopeMessage, ServiceError> {
    let key = Zeroizing::new(bytes_of(generated, "Plaintext"));
    let nonce = world.with_hsm(|h| h.new_nonce());
    EnvelopeMessage::seal(bytes_of(generated, "CiphertextBlob"), &key, nonce, data.as_bytes(), &[])
        .map_err(|e| error("InternalFailure", e.to_string()))
}

/// Opens a sealed value with the data key of a Decrypt response.
pub(crate) fn open(message: &EnvelopeMessage, decrypted: &J) -> Result<String, ServiceError> {
    let key = Zeroizing::new(bytes_of(decrypted, "Plaintext"));
    let data = message.open(&key, &[]).map_err(|e| error("InternalFailure", e.to_string()))?;
    Ok(String::from_utf8_lossy(&data).into_owned())
}

/// Base64 of bytes (ciphertexts in responses).
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Bytes of a base64 field of a KMS response.
pub(crate) fn bytes_of(response: &J, field: &str) -> Vec<u8> {
    use base64::Engine as _;
    let text = response.get(field).and_then(J::as_str).unwrap_or("");
    base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default()
}

impl World {
    /// Runs a service operation as `caller`. `kms_key` is the step's key with its placeholders replaced.
    pub fn service_call(&mut self, caller: &Caller, spec: &ServiceStepSpec, kms_key: Option<String>) -> ServiceOutcome {
        let Some(service) = service(&spec.name) else {
            return ServiceOutcome {
                service: spec.name.clone(),
                operation: spec.operation.clone(),
                response: Err(error("ValidationException", format!("unknown service `{}`", spec.name))),
                kms_calls: Vec::new(),
                events: Vec::new(),
            };
        };
        let kms_key = kms_key.unwrap_or_else(|| format!("alias/aws/{}", service.name));
        let mut run = Run { service, spec, caller, kms_key, calls: Vec::new(), events: Vec::new() };
        let response = match service.name {
            "s3" => s3::run(self, &mut run),
            "ebs" => ebs::run(self, &mut run),
            "rds" => rds::run(self, &mut run),
            "lambda" => lambda::run(self, &mut run),
            "ssm" => ssm::run(self, &mut run),
            _ => secretsmanager::run(self, &mut run),
        };
        ServiceOutcome {
            service: service.name.to_string(),
            operation: spec.operation.clone(),
            response,
            kms_calls: run.calls,
            events: run.events,
        }
    }
}
