//! Amazon RDS: create an encrypted DB instance.
//!
//! - "How Amazon Relational Database Service (Amazon RDS) uses AWS KMS":
//!   <https://docs.aws.amazon.com/kms/latest/developerguide/services-rds.html>: "At minimum, Amazon RDS always uses the
//!   DB instance ID for the encryption context" (`aws:rds:db-id`, the instance's resource id `db-…`);
//! - "AWS KMS key management": <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html>:
//!   "When RDS uses a customer managed key … it acts on behalf of the user who is creating or changing the RDS
//!   resource. To create an RDS resource using a customer managed key, a user must have permissions to call …
//!   kms:CreateGrant kms:DescribeKey".
//!
//! So CreateDBInstance makes those two calls as the user, through RDS; the grant lets RDS use the key later for the
//! instance. Not documented, and marked [verify]: the grant's grantee (kmsim names RDS's service-linked role), its
//! operations and its constraint (the instance's `aws:rds:db-id`), the audit fields (kmsim writes
//! `rds.amazonaws.com`) and the error code when KMS refuses (`KMSKeyNotAccessibleFault`, "An error occurred
//! accessing an AWS KMS key", in the RDS API reference's list of errors).

use serde_json::{json, Value as J};

use super::{error, OperationSpec, Run, Service, ServiceError};
use crate::resources::DbInstance;
use crate::world::World;

pub const RDS: Service = Service {
    name: "rds",
    title: "Amazon RDS",
    endpoint: "rds",
    pages: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/services-rds.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
    ],
    invoked_by: Some("rds.amazonaws.com"),
    source_ip: Some("rds.amazonaws.com"),
    operations: &[OperationSpec { name: "CreateDBInstance", required: &["db_instance"], optional: &["kms_key"] }],
    errors: &["KMSKeyNotAccessibleFault", "DBInstanceAlreadyExists"],
};

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let name = run.field(&run.spec.db_instance, "db_instance")?.to_string();
    if world.services.db_instances.contains_key(&name) {
        return Err(error("DBInstanceAlreadyExists", format!("DB instance already exists: {name}")));
    }
    let resource_id = resource_id(world);
    let who = run.via(world, None);
    let refused = |e: crate::error::KmsError| error("KMSKeyNotAccessibleFault", e.message);
    let described = run.kms(world, &who, "DescribeKey", json!({ "KeyId": run.kms_key })).map_err(refused)?;
    let key = described.pointer("/KeyMetadata/Arn").and_then(J::as_str).unwrap_or("").to_string();
    let account = run.account();
    let grantee = format!(
        "arn:{}:iam::{account}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
        world.config.partition
    );
    let grant = json!({
        "KeyId": key, "GranteePrincipal": grantee,
        "Operations": ["Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
                       "CreateGrant"],
        "Constraints": { "EncryptionContextSubset": { "aws:rds:db-id": resource_id } },
    });
    let who = Run::for_aws_resource(who);
    run.kms(world, &who, "CreateGrant", grant).map_err(refused)?;
    world.services.db_instances.insert(name.clone(), DbInstance { resource_id: resource_id.clone(), key: key.clone() });
    Ok(json!({ "DBInstance": {
        "DBInstanceIdentifier": name, "DbiResourceId": resource_id, "StorageEncrypted": true, "KmsKeyId": key,
        "DBInstanceStatus": "creating",
    } }))
}

/// A DB instance resource id: `db-` and 26 upper-case base-32 characters, from the DRBG.
fn resource_id(world: &mut World) -> String {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = world.with_hsm(|h| h.new_request_id_bytes()).to_vec();
    bytes.extend(world.with_hsm(|h| h.new_request_id_bytes()));
    let chars: String =
        bytes.iter().take(26).map(|b| BASE32.get(usize::from(*b) % 32).map_or('A', |c| char::from(*c))).collect();
    format!("db-{chars}")
}
