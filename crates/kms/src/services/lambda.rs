//! AWS Lambda: environment variables encrypted with a KMS key (CreateFunction, Invoke).
//!
//! - "Securing environment variables": <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html>:
//!   "To use a customer managed key, you need permission to use the key. Lambda uses your permissions to create a
//!   grant on the key" (`kms:CreateGrant`, `kms:Encrypt` to configure the key on a function);
//! - "Lambda execution role": <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>: the
//!   calls to KMS "to automatically encrypt and decrypt your environment variables" are made "using the same
//!   execution role";
//! - "Data encryption at rest for AWS Lambda": <https://docs.aws.amazon.com/lambda/latest/dg/security-encryption-at-rest.html>:
//!   its CloudTrail examples show `invokedBy` and `sourceIPAddress` `lambda.amazonaws.com` and the context key
//!   `aws:lambda:FunctionArn` (the archived guide does not name it; a real trail shows it [verify]);
//! - Invoke's errors: <https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html> (`KMSAccessDeniedException`,
//!   `KMSDisabledException`, `KMSInvalidStateException`, `KMSNotFoundException`, HTTP 502).
//!
//! [verify]: the grant's grantee (the execution role), operations (`Decrypt`) and constraint
//! (`EncryptionContextEquals` the function's ARN).

use serde_json::{json, Value as J};

use super::{error, OperationSpec, Run, Service, ServiceError};
use crate::error::{ErrorCode, KmsError};
use crate::resources::Function;
use crate::world::World;

pub const LAMBDA: Service = Service {
    name: "lambda",
    title: "AWS Lambda",
    endpoint: "lambda",
    pages: &[
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/security-encryption-at-rest.html",
    ],
    invoked_by: Some("lambda.amazonaws.com"),
    source_ip: Some("lambda.amazonaws.com"),
    operations: &[
        OperationSpec { name: "CreateFunction", required: &["function", "role"], optional: &["kms_key", "variables"] },
        OperationSpec { name: "Invoke", required: &["function"], optional: &[] },
    ],
    errors: &[
        "AccessDeniedException",
        "ResourceNotFoundException",
        "ResourceConflictException",
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "KMSInvalidStateException",
        "KMSNotFoundException",
    ],
};

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let name = run.field(&run.spec.function, "function")?.to_string();
    let account = run.account();
    match run.spec.operation.as_str() {
        "CreateFunction" => {
            if world.services.functions.contains_key(&name) {
                return Err(error("ResourceConflictException", format!("Function already exist: {name}")));
            }
            let role = run.field(&run.spec.role, "role")?.to_string();
            let role = role_arn(&world.config.partition, &account, &role);
            let arn =
                format!("arn:{}:lambda:{}:{account}:function:{name}", world.config.partition, world.config.region);
            let context = json!({ "aws:lambda:FunctionArn": arn });
            let who = run.via(world, None);
            let key = if run.spec.kms_key.is_some() {
                let grant = json!({
                    "KeyId": run.kms_key, "GranteePrincipal": role, "Operations": ["Decrypt"],
                    "Constraints": { "EncryptionContextEquals": context },
                });
                let granted = run.kms(world, &Run::for_aws_resource(who.clone()), "CreateGrant", grant);
                granted.map_err(|e| error("AccessDeniedException", e.message))?;
                run.kms_key.clone()
            } else {
                run.kms_key.clone()
            };
            let variables = serde_json::to_string(&run.spec.variables.clone().unwrap_or_default()).unwrap_or_default();
            let params = json!({ "KeyId": key, "Plaintext": { "Text": variables }, "EncryptionContext": context });
            let encrypted =
                run.kms(world, &who, "Encrypt", params).map_err(|e| error("AccessDeniedException", e.message))?;
            let key = encrypted.get("KeyId").and_then(J::as_str).unwrap_or("").to_string();
            let ciphertext = encrypted.get("CiphertextBlob").and_then(J::as_str).unwrap_or("").to_string();
            world
                .services
                .functions
                .insert(name.clone(), Function { arn: arn.clone(), role: role.clone(), key: key.clone(), ciphertext });
            Ok(json!({ "FunctionName": name, "FunctionArn": arn, "Role": role, "KMSKeyArn": key }))
        }
        _ => {
            let Some(f) = world.services.functions.get(&name).cloned() else {
                return Err(error("ResourceNotFoundException", format!("Function not found: {name}")));
            };
            // Lambda decrypts the variables as the function's execution role (a session of it).
            let who = run.via(world, Some(&f.role));
            let params = json!({
                "CiphertextBlob": f.ciphertext, "KeyId": f.key, "EncryptionContext": { "aws:lambda:FunctionArn": f.arn },
            });
            let decrypted = run.kms(world, &who, "Decrypt", params).map_err(refused)?;
            let text = String::from_utf8_lossy(&super::bytes_of(&decrypted, "Plaintext")).into_owned();
            let variables: J = serde_json::from_str(&text).unwrap_or(J::Null);
            Ok(json!({ "StatusCode": 200, "FunctionArn": f.arn, "Environment": { "Variables": variables } }))
        }
    }
}

/// Invoke's answer when KMS refuses (API_Invoke: HTTP 502), with KMS's message in it as real errors show.
fn refused(e: KmsError) -> ServiceError {
    let (code, why) = match e.code {
        ErrorCode::DisabledException => ("KMSDisabledException", "because the KMS key used is disabled"),
        ErrorCode::KMSInvalidStateException => {
            ("KMSInvalidStateException", "because the KMS key used is in an invalid state for Decrypt")
        }
        ErrorCode::NotFoundException => ("KMSNotFoundException", "because the KMS key was not found"),
        _ => ("KMSAccessDeniedException", "because KMS access was denied"),
    };
    let message = format!(
        "Lambda was unable to decrypt the environment variables {why}. Please check the function's KMS key settings. KMS Exception: {}KMS Message: {}",
        e.code.as_str(),
        e.message
    );
    error(code, message)
}

/// The execution role's ARN: an ARN as given, or `role/NAME` in the caller's account.
fn role_arn(partition: &str, account: &str, role: &str) -> String {
    if role.starts_with("arn:") {
        role.to_string()
    } else {
        format!("arn:{partition}:iam::{account}:role/{}", role.strip_prefix("role/").unwrap_or(role))
    }
}
