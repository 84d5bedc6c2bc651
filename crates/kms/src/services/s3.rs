//! Amazon S3 with SSE-KMS: PutObject and GetObject, with and without S3 Bucket Keys.
//!
//! - "How Amazon S3 uses AWS KMS": <https://docs.aws.amazon.com/kms/latest/developerguide/services-s3.html> (a pointer
//!   to the S3 guide);
//! - "Protecting data using server-side encryption with AWS KMS keys (SSE-KMS)":
//!   <https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html>: PutObject asks KMS for a data key
//!   (`GenerateDataKey`), GetObject sends the encrypted data key to `Decrypt`, both as the requester; "If you use
//!   SSE-KMS without enabling an S3 Bucket Key, the object ARN is used as the encryption context", with a Bucket Key
//!   "the bucket ARN" (`aws:s3:arn`);
//! - "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys":
//!   <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html>.
//!
//! A refusal is S3's `AccessDenied` (HTTP 403) with KMS's message [observed in real errors quoted in the research
//! notes]; for other KMS errors S3 answers `KMS.<KMS error code>` (e.g. `KMS.DisabledException`) [verify]. The
//! audit record shows `invokedBy` and `sourceIPAddress` `AWS Internal` [observed in a 2025 trail]. The `aws/s3`
//! policy has no CreateGrant or RevokeGrant [observed].

use serde_json::{json, Value as J};

use super::{error, open, seal, OperationSpec, Run, Service, ServiceError};
use crate::error::{ErrorCode, KmsError};
use crate::resources::StoredObject;
use crate::world::World;

pub const S3: Service = Service {
    name: "s3",
    title: "Amazon S3",
    endpoint: "s3",
    pages: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/services-s3.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html",
    ],
    invoked_by: Some("AWS Internal"),
    source_ip: Some("AWS Internal"),
    operations: &[
        OperationSpec {
            name: "PutObject",
            required: &["bucket", "key"],
            optional: &["kms_key", "bucket_key", "encryption_context", "value"],
        },
        OperationSpec { name: "GetObject", required: &["bucket", "key"], optional: &[] },
    ],
    errors: &[
        "AccessDenied",
        "NoSuchKey",
        "KMS.DisabledException",
        "KMS.NotFoundException",
        "KMS.KMSInvalidStateException",
        "KMS.InvalidKeyUsageException",
    ],
};

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let bucket = run.field(&run.spec.bucket, "bucket")?.to_string();
    let key = run.field(&run.spec.key, "key")?.to_string();
    let partition = world.config.partition.clone();
    let object = format!("{bucket}/{key}");
    match run.spec.operation.as_str() {
        "PutObject" => {
            let bucket_key = run.spec.bucket_key.unwrap_or(false);
            let arn = if bucket_key {
                format!("arn:{partition}:s3:::{bucket}")
            } else {
                format!("arn:{partition}:s3:::{object}")
            };
            let mut context = run.spec.encryption_context.clone().unwrap_or_default();
            context.insert("aws:s3:arn".into(), arn);
            let who = run.via(world, None);
            let params = json!({ "KeyId": run.kms_key, "KeySpec": "AES_256", "EncryptionContext": context });
            let generated = run.kms(world, &who, "GenerateDataKey", params).map_err(refused)?;
            let sealed = seal(world, &generated, run.spec.value.as_deref().unwrap_or(""))?;
            let key_arn = generated.get("KeyId").and_then(J::as_str).unwrap_or("").to_string();
            let response =
                json!({ "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn, "BucketKeyEnabled": bucket_key });
            world.services.s3_objects.insert(object, StoredObject { key_arn, bucket_key, context, sealed });
            Ok(response)
        }
        _ => {
            let Some(stored) = world.services.s3_objects.get(&object).cloned() else {
                return Err(error("NoSuchKey", "The specified key does not exist."));
            };
            let who = run.via(world, None);
            let params = json!({
                "CiphertextBlob": super::b64(&stored.sealed.encrypted_data_key),
                "EncryptionContext": stored.context,
            });
            let decrypted = run.kms(world, &who, "Decrypt", params).map_err(refused)?;
            let body = open(&stored.sealed, &decrypted)?;
            Ok(json!({
                "Body": body, "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": stored.key_arn,
                "BucketKeyEnabled": stored.bucket_key,
            }))
        }
    }
}

/// S3's answer when KMS refuses.
fn refused(e: KmsError) -> ServiceError {
    match e.code {
        ErrorCode::AccessDeniedException => error("AccessDenied", e.message),
        code => error(&format!("KMS.{}", code.as_str()), e.message),
    }
}
