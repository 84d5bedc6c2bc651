//! The fields of a service step (`{"service": {...}}` in a scenario): one type for every service; which fields an
//! operation takes is each service's [`super::OperationSpec`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as J;

/// A service operation (`{"name": "s3", "operation": "PutObject", "bucket": "reports", "key": "q1.csv"}`). Which
/// fields an operation takes is in `crate::services` (one table per service); a field it does not take is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceStepSpec {
    /// `s3`, `ebs`, `rds`, `lambda`, `ssm` or `secretsmanager`.
    pub name: String,
    /// The service's API operation: `PutObject`, `CreateVolume`, `GetSecretValue`, ...
    pub operation: String,
    /// The KMS key the resource is encrypted under (a key id, key ARN, alias name or `{"$key": NAME}`). When
    /// absent, the service's AWS managed key `aws/<service>`, created on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<J>,
    /// S3: the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// S3: the object key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// S3: use an S3 Bucket Key (the encryption context is then the bucket's ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key: Option<bool>,
    /// S3: extra encryption context (`x-amz-server-side-encryption-context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// The data: an S3 object's body, a SecureString parameter's value, a secret's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// EBS: the volume's local name (its `vol-` id is drawn when it is created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// EBS: the instance's local name (its `i-` id is drawn when first named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// EBS: the snapshot's local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// RDS: the DB instance identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_instance: Option<String>,
    /// Lambda: the function name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Lambda: the execution role (`role/NAME` or its ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Lambda: the environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Parameter Store: the parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Parameter Store GetParameter: `WithDecryption`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_decryption: Option<bool>,
    /// Secrets Manager: the secret name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}
