//! The key policies of AWS managed keys (`aws/<service>`), per service (issue 14; docs/research/issue-14-services.md
//! section 7.2): the use statement (`kms:ViaService` + `kms:CallerAccount`) and the account's metadata statement,
//! whose actions differ by service (`aws/s3` and `aws/ssm` allow no grants). The EBS and Secrets Manager policies
//! are documented; the others are observed in real accounts.

/// The key policy of the service's AWS managed key: use through the service by principals of the account
/// (`kms:ViaService` + `kms:CallerAccount`), and read-only access to the key's metadata for the account.
#[derive(Debug)]
pub struct ManagedKeyPolicy {
    /// The alias suffix (`aws/<service>`).
    pub service: &'static str,
    /// The host prefix of `kms:ViaService` (`ec2` for EBS).
    pub endpoint: &'static str,
    /// The policy's `Id` (`auto-s3-2`).
    pub id: &'static str,
    /// The service as the first statement's Sid names it (`S3`, `AWS Secrets Manager`).
    pub label: &'static str,
    pub use_actions: &'static [&'static str],
    pub metadata_actions: &'static [&'static str],
    /// Where the policy's contents come from.
    pub source: &'static str,
}

/// The AWS managed key policies of the services kmsim simulates (`crate::services`).
pub const MANAGED_KEY_POLICIES: &[ManagedKeyPolicy] = &[
    ManagedKeyPolicy {
        service: "s3",
        endpoint: "s3",
        id: "auto-s3-2",
        label: "S3",
        use_actions: USE,
        metadata_actions: METADATA,
        source: OBSERVED_POLICIES,
    },
    ManagedKeyPolicy {
        service: "ebs",
        endpoint: "ec2",
        id: "auto-ebs-2",
        label: "EBS",
        use_actions: USE_GRANTS,
        metadata_actions: METADATA_REVOKE,
        source:
            "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account",
    },
    ManagedKeyPolicy {
        service: "rds",
        endpoint: "rds",
        id: "auto-rds-2",
        label: "RDS",
        use_actions: &[
            "Encrypt",
            "Decrypt",
            "ReEncrypt*",
            "GenerateDataKey*",
            "CreateGrant",
            "ListGrants",
            "DescribeKey",
        ],
        metadata_actions: METADATA_REVOKE,
        source: OBSERVED_POLICIES,
    },
    ManagedKeyPolicy {
        service: "lambda",
        endpoint: "lambda",
        id: "auto-awslambda",
        label: "AWS Lambda",
        use_actions: USE_GRANTS,
        metadata_actions: METADATA_REVOKE,
        source: OBSERVED_POLICIES,
    },
    ManagedKeyPolicy {
        service: "ssm",
        endpoint: "ssm",
        id: "auto-ssm-1",
        label: "SSM",
        use_actions: USE,
        metadata_actions: METADATA,
        source: OBSERVED_POLICIES,
    },
    ManagedKeyPolicy {
        service: "secretsmanager",
        endpoint: "secretsmanager",
        id: "auto-secretsmanager-1",
        label: "AWS Secrets Manager",
        use_actions: &["Decrypt", "ReEncrypt*", "GenerateDataKey*", "CreateGrant", "DescribeKey"],
        metadata_actions: METADATA_REVOKE,
        source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    },
];

/// The key policy of the AWS managed key of `service` (`s3`, `ebs`, ...), for `account` in `region`.
pub fn managed_key_policy(partition: &str, region: &str, account: &str, service: &str) -> Option<String> {
    let p = MANAGED_KEY_POLICIES.iter().find(|p| p.service == service)?;
    let list = |a: &[&str]| a.iter().map(|x| format!("\"kms:{x}\"")).collect::<Vec<_>>().join(", ");
    let label = p.label;
    Some(format!(
        r#"{{
  "Version" : "2012-10-17",
  "Id" : "{id}",
  "Statement" : [ {{
    "Sid" : "Allow access through {label} for all principals in the account that are authorized to use {label}",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "*"
    }},
    "Action" : [ {use_actions} ],
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "kms:CallerAccount" : "{account}",
        "kms:ViaService" : "{endpoint}.{region}.amazonaws.com"
      }}
    }}
  }}, {{
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:{partition}:iam::{account}:root"
    }},
    "Action" : [ {metadata_actions} ],
    "Resource" : "*"
  }} ]
}}"#,
        id = p.id,
        use_actions = list(p.use_actions),
        metadata_actions = list(p.metadata_actions),
        endpoint = p.endpoint,
    ))
}

/// The AWS managed key policies' common actions (research §7.2: FogSecurity's observed policies; the EBS and
/// Secrets Manager ones are documented).
const USE: &[&str] = &["Encrypt", "Decrypt", "ReEncrypt*", "GenerateDataKey*", "DescribeKey"];
const USE_GRANTS: &[&str] = &["Encrypt", "Decrypt", "ReEncrypt*", "GenerateDataKey*", "CreateGrant", "DescribeKey"];
const METADATA: &[&str] = &["Describe*", "Get*", "List*"];
const METADATA_REVOKE: &[&str] = &["Describe*", "Get*", "List*", "RevokeGrant"];
/// Where the observed policies come from.
const OBSERVED_POLICIES: &str =
    "observed: FogSecurity/aws-managed-kms-keys reference_key_policies (us-east-1, 2025-05-14)";
