//! What the simulated AWS services keep (issue 14): S3 objects, EBS volumes and snapshots, RDS instances, Lambda
//! functions, SecureString parameters, secrets, and the notifications rules publish. Only what the services store:
//! encrypted data keys and ciphertexts, never a plaintext data key. The services (`crate::services`) and the rules
//! (`crate::rules`) write it; the world holds it. A leaf module, so that the world does not depend on the services.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::envelope::EnvelopeMessage;

/// What the services keep: resources by their local name in the scenario. Ciphertexts only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceState {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) s3_objects: BTreeMap<String, StoredObject>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) volumes: BTreeMap<String, Volume>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) instances: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) snapshots: BTreeMap<String, Snapshot>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) db_instances: BTreeMap<String, DbInstance>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) functions: BTreeMap<String, Function>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) parameters: BTreeMap<String, Parameter>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) secrets: BTreeMap<String, Secret>,
    /// What rules published to simulated topics (`crate::rules`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) notifications: Vec<Notification>,
}

impl ServiceState {
    pub fn is_empty(&self) -> bool {
        self == &ServiceState::default()
    }
}

/// An object S3 keeps: its body sealed under the data key, the encrypted data key beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredObject {
    pub(crate) key_arn: String,
    pub(crate) bucket_key: bool,
    pub(crate) context: BTreeMap<String, String>,
    pub(crate) sealed: EnvelopeMessage,
}

/// An EBS volume: its id, its key, the data key encrypted under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Volume {
    pub(crate) id: String,
    pub(crate) key: String,
    /// Base64 of the encrypted data key (none when creation failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) encrypted_data_key: Option<String>,
    pub(crate) state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) attached_to: Option<String>,
}

/// A snapshot: it shares its volume's data key and context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub(crate) id: String,
    pub(crate) volume_id: String,
    pub(crate) key: String,
}

/// A DB instance: its resource id and key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DbInstance {
    pub(crate) resource_id: String,
    pub(crate) key: String,
}

/// A function: its ARN, execution role and encrypted variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Function {
    pub(crate) arn: String,
    pub(crate) role: String,
    pub(crate) key: String,
    /// Base64 of the variables' ciphertext (their JSON).
    pub(crate) ciphertext: String,
}

/// A SecureString parameter: its ARN, key and ciphertext.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Parameter {
    pub(crate) arn: String,
    pub(crate) key: String,
    /// Base64 of the Encrypt ciphertext.
    pub(crate) ciphertext: String,
    pub(crate) version: u64,
}

/// A secret: its ARN, key, version and sealed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Secret {
    pub(crate) arn: String,
    pub(crate) key: String,
    pub(crate) version_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sealed: Option<EnvelopeMessage>,
}

/// A message a rule published to a simulated topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Notification {
    pub topic: String,
    pub rule: String,
    /// The triggering record's `eventID`.
    pub event_id: String,
    pub message: String,
}
