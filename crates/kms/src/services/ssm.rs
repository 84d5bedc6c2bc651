//! AWS Systems Manager Parameter Store: SecureString PutParameter and GetParameter (standard tier).
//!
//! "How AWS Systems Manager Parameter Store uses AWS KMS":
//! <https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html>: "When you create or change a
//! standard secure string parameter value, Parameter Store calls the AWS KMS Encrypt operation"; "When you use
//! `WithDecryption`, Parameter Store calls the AWS KMS Decrypt operation on your behalf"; the encryption context is
//! `PARAMETER_ARN` = `arn:aws:ssm:<REGION_NAME>:<ACCOUNT_ID>:parameter/<parameter-name>`; for a key that is not
//! enabled "Parameter Store returns an InvalidKeyId exception with a detailed error message from AWS KMS". An access
//! denial is passed through as `AccessDeniedException` [observed]. The audit fields (`ssm.amazonaws.com`) follow
//! Secrets Manager's [verify]. A name with a leading `/` keeps one slash in the ARN (`parameter/Path/Name`)
//! [verify]. The advanced tier (the Encryption SDK with GenerateDataKey) is not simulated.

use serde_json::{json, Value as J};

use super::{error, OperationSpec, Run, Service, ServiceError};
use crate::error::{ErrorCode, KmsError};
use crate::resources::Parameter;
use crate::world::World;

pub const SSM: Service = Service {
    name: "ssm",
    title: "AWS Systems Manager Parameter Store",
    endpoint: "ssm",
    pages: &["https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html"],
    invoked_by: Some("ssm.amazonaws.com"),
    source_ip: Some("ssm.amazonaws.com"),
    operations: &[
        OperationSpec { name: "PutParameter", required: &["parameter", "value"], optional: &["kms_key"] },
        OperationSpec { name: "GetParameter", required: &["parameter"], optional: &["with_decryption"] },
    ],
    errors: &["InvalidKeyId", "AccessDeniedException", "ParameterNotFound"],
};

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let name = run.field(&run.spec.parameter, "parameter")?.to_string();
    let account = run.account();
    let arn = format!(
        "arn:{}:ssm:{}:{account}:parameter/{}",
        world.config.partition,
        world.config.region,
        name.strip_prefix('/').unwrap_or(&name)
    );
    let context = json!({ "PARAMETER_ARN": arn });
    let who = run.via(world, None);
    match run.spec.operation.as_str() {
        "PutParameter" => {
            let value = run.field(&run.spec.value, "value")?.to_string();
            let params = json!({ "KeyId": run.kms_key, "Plaintext": { "Text": value }, "EncryptionContext": context });
            let encrypted = run.kms(world, &who, "Encrypt", params).map_err(refused)?;
            let version = world.services.parameters.get(&name).map_or(1, |p| p.version + 1);
            let parameter = Parameter {
                arn,
                key: encrypted.get("KeyId").and_then(J::as_str).unwrap_or("").to_string(),
                ciphertext: encrypted.get("CiphertextBlob").and_then(J::as_str).unwrap_or("").to_string(),
                version,
            };
            world.services.parameters.insert(name, parameter);
            Ok(json!({ "Version": version, "Tier": "Standard" }))
        }
        _ => {
            let Some(p) = world.services.parameters.get(&name).cloned() else {
                return Err(error("ParameterNotFound", format!("Parameter {name} not found.")));
            };
            let value = if run.spec.with_decryption.unwrap_or(false) {
                let params = json!({ "CiphertextBlob": p.ciphertext, "EncryptionContext": context });
                let decrypted = run.kms(world, &who, "Decrypt", params).map_err(refused)?;
                String::from_utf8_lossy(&super::bytes_of(&decrypted, "Plaintext")).into_owned()
            } else {
                // Without decryption Parameter Store returns the encrypted value and calls no KMS operation.
                p.ciphertext.clone()
            };
            Ok(json!({ "Parameter": {
                "Name": name, "Type": "SecureString", "Value": value, "Version": p.version, "ARN": p.arn,
            } }))
        }
    }
}

/// Parameter Store's answer when KMS refuses.
fn refused(e: KmsError) -> ServiceError {
    match e.code {
        ErrorCode::AccessDeniedException => error("AccessDeniedException", e.message),
        _ => error("InvalidKeyId", e.message),
    }
}
