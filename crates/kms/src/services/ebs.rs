//! Amazon EBS: create an encrypted volume, attach it to an instance, snapshot it.
//!
//! - "How Amazon Elastic Block Store (Amazon EBS) uses AWS KMS":
//!   <https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html>: "For all volumes and for encrypted
//!   snapshots created with the Amazon EBS CreateSnapshot operation, Amazon EBS uses the volume ID as encryption
//!   context value" (`aws:ebs:id`); a KMS key that is not usable makes the creation or attachment fail, reported as an
//!   EventBridge event (`EBS Volume Notification`, `result: failed`);
//! - "Amazon EBS encryption": <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/EBSEncryption.html>;
//! - the CloudTrail example "Amazon EC2 example two": <https://docs.aws.amazon.com/kms/latest/developerguide/ct-ec2two.html>:
//!   on creation EC2 gets an encrypted data key (`GenerateDataKeyWithoutPlaintext`, 64 bytes, as the user); on
//!   attachment it creates a grant (as the user) whose grantee is the instance's `aws:ec2-infrastructure` session,
//!   constrained to the volume's context, and that session calls `Decrypt`. The records have no `invokedBy` and
//!   the user's address as `sourceIPAddress`.
//!
//! Differences, said here: the example's grantee is written `ACCOUNT:aws:ec2-infrastructure:i-…`; kmsim writes the
//! session's ARN `arn:aws:sts::ACCOUNT:assumed-role/aws:ec2-infrastructure/i-…`, the principal that calls Decrypt
//! (the grant's operations, `Decrypt`, are not in the record [verify]). CreateSnapshot makes no KMS call: the
//! snapshot keeps the volume's data key and context. The asynchronous outcome is settled at once: the step's
//! response shows the volume's final state (`available` or `error`) and the event, if any, is in the step's events.

use serde_json::{json, Value as J};

use super::{error, hex_id, OperationSpec, Run, Service, ServiceError};
use crate::error::KmsError;
use crate::resources::{Snapshot, Volume};
use crate::world::World;

pub const EBS: Service = Service {
    name: "ebs",
    title: "Amazon EBS",
    endpoint: "ec2",
    pages: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/EBSEncryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/ct-ec2two.html",
    ],
    invoked_by: None,
    source_ip: None,
    operations: &[
        OperationSpec { name: "CreateVolume", required: &["volume"], optional: &["kms_key"] },
        OperationSpec { name: "AttachVolume", required: &["volume", "instance"], optional: &[] },
        OperationSpec { name: "CreateSnapshot", required: &["volume", "snapshot"], optional: &[] },
    ],
    errors: &["InvalidVolume.NotFound", "IncorrectState"],
};

pub(super) fn run(world: &mut World, run: &mut Run<'_>) -> Result<J, ServiceError> {
    let name = run.field(&run.spec.volume, "volume")?.to_string();
    let region = world.config.region.clone();
    let account = run.account();
    match run.spec.operation.as_str() {
        "CreateVolume" => {
            let id = hex_id(world, "vol-", 17);
            let who = run.via(world, None);
            let params =
                json!({ "KeyId": run.kms_key, "NumberOfBytes": 64, "EncryptionContext": { "aws:ebs:id": id } });
            let (key, encrypted, state) = match run.kms(world, &who, "GenerateDataKeyWithoutPlaintext", params) {
                Ok(r) => {
                    let key = r.get("KeyId").and_then(J::as_str).unwrap_or("").to_string();
                    (key, r.get("CiphertextBlob").and_then(J::as_str).map(str::to_string), "available")
                }
                Err(e) => {
                    let resources = vec![format!("arn:{}:ec2:{region}:{account}:volume/{id}", world.config.partition)];
                    run.events.push(failure("createVolume", &e, resources));
                    (run.kms_key.clone(), None, "error")
                }
            };
            let response = json!({ "VolumeId": id, "Encrypted": true, "KmsKeyId": key, "State": state });
            let volume = Volume { id, key, encrypted_data_key: encrypted, state: state.into(), attached_to: None };
            world.services.volumes.insert(name, volume);
            Ok(response)
        }
        "AttachVolume" => {
            let volume = volume(world, &name)?;
            let Some(blob) = volume.encrypted_data_key.clone().filter(|_| volume.state == "available") else {
                let message = format!("The volume '{}' is not 'available'.", volume.id);
                return Err(error("IncorrectState", message));
            };
            let instance_name = run.field(&run.spec.instance, "instance")?.to_string();
            let instance = instance_id(world, &instance_name);
            let partition = world.config.partition.clone();
            // The instance's EC2 infrastructure session (an AWS role of the account: it exists in every account).
            world.account_mut(&account).roles.entry(INFRASTRUCTURE_ROLE.into()).or_default();
            let session = format!("arn:{partition}:sts::{account}:assumed-role/{INFRASTRUCTURE_ROLE}/{instance}");
            let context = json!({ "aws:ebs:id": volume.id });
            let grant = json!({
                "KeyId": volume.key, "GranteePrincipal": session, "Operations": ["Decrypt"],
                "Constraints": { "EncryptionContextSubset": context },
            });
            let user = Run::for_aws_resource(run.via(world, None));
            let outcome = run.kms(world, &user, "CreateGrant", grant).and_then(|_| {
                let infra = run.via(world, Some(&session));
                let params = json!({ "CiphertextBlob": blob, "KeyId": volume.key, "EncryptionContext": context });
                run.kms(world, &infra, "Decrypt", params)
            });
            let state = match outcome {
                Ok(_) => {
                    if let Some(v) = world.services.volumes.get_mut(&name) {
                        v.attached_to = Some(instance.clone());
                    }
                    "attached"
                }
                Err(e) => {
                    let resources = vec![
                        format!("arn:{partition}:ec2:{region}:{account}:volume/{}", volume.id),
                        volume.key.clone(),
                    ];
                    run.events.push(failure("attachVolume", &e, resources));
                    "detached"
                }
            };
            Ok(json!({ "VolumeId": volume.id, "InstanceId": instance, "State": state }))
        }
        _ => {
            let volume = volume(world, &name)?;
            let snapshot = run.field(&run.spec.snapshot, "snapshot")?.to_string();
            let id = hex_id(world, "snap-", 17);
            let s = Snapshot { id: id.clone(), volume_id: volume.id.clone(), key: volume.key.clone() };
            world.services.snapshots.insert(snapshot, s);
            Ok(
                json!({ "SnapshotId": id, "VolumeId": volume.id, "Encrypted": true, "KmsKeyId": volume.key, "State": "completed" }),
            )
        }
    }
}

/// The role of the EC2 infrastructure sessions that decrypt volume data keys (ct-ec2two).
const INFRASTRUCTURE_ROLE: &str = "aws:ec2-infrastructure";

fn volume(world: &World, name: &str) -> Result<Volume, ServiceError> {
    world
        .services
        .volumes
        .get(name)
        .cloned()
        .ok_or_else(|| error("InvalidVolume.NotFound", format!("The volume `{name}` does not exist.")))
}

/// The instance's id, drawn the first time it is named.
fn instance_id(world: &mut World, name: &str) -> String {
    if let Some(id) = world.services.instances.get(name) {
        return id.clone();
    }
    let id = hex_id(world, "i-", 17);
    world.services.instances.insert(name.to_string(), id.clone());
    id
}

/// The EventBridge event EBS sends when KMS refuses ("Amazon EventBridge for Amazon EBS",
/// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-cloud-watch-events.html): the cause is KMS's message.
fn failure(event: &str, e: &KmsError, resources: Vec<String>) -> J {
    json!({
        "detail-type": "EBS Volume Notification", "source": "aws.ec2", "resources": resources,
        "detail": { "event": event, "result": "failed", "cause": e.message },
    })
}
