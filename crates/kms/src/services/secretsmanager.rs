//! AWS Secrets Manager: CreateSecret and GetSecretValue.
//!
//! "Secret encryption and decryption in AWS Secrets Manager" (the page "How AWS Secrets Manager uses AWS KMS",
//! <https://docs.aws.amazon.com/kms/latest/developerguide/services-secrets-manager.html>, points to it):
//! <https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html>:
//! - CreateSecret with a value calls `GenerateDataKey` ("a request for a 256-bit AES symmetric key"); GetSecretValue
//!   calls `Decrypt`; both "on behalf of the user who is accessing or updating the secret value";
//! - "When you establish or change the KMS key that is associated with secret, Secrets Manager calls the
//!   GenerateDataKey and Decrypt operations with the specified KMS key" to validate it, with `SecretVersionId`
//!   `RequestToValidateKeyAccess` in the context (done here only when the step names a key [verify]);
//! - the encryption context is `SecretARN` and `SecretVersionId`; the records show `invokedBy` and
//!   `sourceIPAddress` `secretsmanager.amazonaws.com`; the `aws/secretsmanager` policy is the page's.
//!
//! When KMS refuses access the answer is `AccessDeniedException: Access to KMS is not allowed` [observed]; other
//! KMS errors are `EncryptionFailure` or `DecryptionFailure` (the API reference's errors).

use serde_json::{json, Value as J};

use super::{error, open, seal, OperationSpec, Run, Service, ServiceError};
use crate::error::{ErrorCode, KmsError};
use crate::resources::Secret;
use crate::world::World;

pub const SECRETS_MANAGER: Service = Service {
    name: "secretsmanager",
    title: "AWS Secrets Manager",
    endpoint: "secretsmanager",
    pages: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/services-secrets-manager.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    ],
    invoked_by: Some("secretsmanager.amazonaws.com"),
    source_ip: Some("secretsmanager.amazonaws.com"),
    operations: &[
        OperationSpec { name: "CreateSecret", required: &["secret"], optional: &["kms_key", "value"] },
        OperationSpec { name: "GetSecretValue", required: &["secret"], optional: &[] },
    ],
    errors: &[
        "AccessDeniedException",
        "EncryptionFailure",
        "DecryptionFailure",
        "ResourceNotFoundException",
        "ResourceExistsException",
    ],
};

/// The context value of the calls that only validate the key.
const VALIDATE: &str = "RequestToValidateKeyAccess";

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let name = run.field(&run.spec.secret, "secret")?.to_string();
    let who = run.via(world, None);
    match run.spec.operation.as_str() {
        "CreateSecret" => {
            if world.services.secrets.contains_key(&name) {
                let message = format!("The operation failed because the secret {name} already exists.");
                return Err(error("ResourceExistsException", message));
            }
            let suffix: String = super::hex_id(world, "", 6);
            let arn = format!(
                "arn:{}:secretsmanager:{}:{}:secret:{name}-{suffix}",
                world.config.partition,
                world.config.region,
                run.account()
            );
            let encrypt = |e: KmsError| refused(e, "EncryptionFailure");
            if run.spec.kms_key.is_some() {
                let context = json!({ "SecretARN": arn, "SecretVersionId": VALIDATE });
                let params = json!({ "KeyId": run.kms_key, "KeySpec": "AES_256", "EncryptionContext": context });
                let generated = run.kms(world, &who, "GenerateDataKey", params).map_err(encrypt)?;
                let params = json!({ "CiphertextBlob": generated.get("CiphertextBlob"), "EncryptionContext": context });
                run.kms(world, &who, "Decrypt", params).map_err(|e| refused(e, "DecryptionFailure"))?;
            }
            let version_id = world.with_hsm(|h| h.new_key_id());
            let (key, sealed) = match &run.spec.value {
                Some(value) => {
                    let context = json!({ "SecretARN": arn, "SecretVersionId": version_id });
                    let params = json!({ "KeyId": run.kms_key, "KeySpec": "AES_256", "EncryptionContext": context });
                    let generated = run.kms(world, &who, "GenerateDataKey", params).map_err(encrypt)?;
                    let key = generated.get("KeyId").and_then(J::as_str).unwrap_or("").to_string();
                    (key, Some(seal(world, &generated, value)?))
                }
                None => (run.kms_key.clone(), None),
            };
            let response = json!({ "ARN": arn, "Name": name, "VersionId": version_id });
            world.services.secrets.insert(name, Secret { arn, key, version_id, sealed });
            Ok(response)
        }
        _ => {
            let Some(s) = world.services.secrets.get(&name).cloned() else {
                let message = "Secrets Manager can't find the specified secret.";
                return Err(error("ResourceNotFoundException", message));
            };
            let Some(sealed) = &s.sealed else {
                let message = "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT";
                return Err(error("ResourceNotFoundException", message));
            };
            let context = json!({ "SecretARN": s.arn, "SecretVersionId": s.version_id });
            let params =
                json!({ "CiphertextBlob": super::b64(&sealed.encrypted_data_key), "EncryptionContext": context });
            let decrypted = run.kms(world, &who, "Decrypt", params).map_err(|e| refused(e, "DecryptionFailure"))?;
            let value = open(sealed, &decrypted)?;
            Ok(json!({ "ARN": s.arn, "Name": name, "VersionId": s.version_id, "SecretString": value }))
        }
    }
}

/// Secrets Manager's answer when KMS refuses.
fn refused(e: KmsError, otherwise: &str) -> ServiceError {
    match e.code {
        ErrorCode::AccessDeniedException => {
            error("AccessDeniedException", format!("Access to KMS is not allowed ({})", e.message))
        }
        _ => error(otherwise, e.message),
    }
}
