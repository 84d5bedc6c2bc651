//! Built-in samples: each is a whole lab (documents and a request), loaded from the samples menu.

use kmsim_policy::PolicyType;

use crate::model::{ContextRow, Doc, RequestForm, Snapshot, ValueType};

/// A built-in sample.
pub struct Sample {
    pub title: &'static str,
    pub docs: &'static [(&'static str, PolicyType, &'static str)],
    pub principal: &'static str,
    pub action: &'static str,
    pub context: &'static [(&'static str, ValueType, &'static str)],
}

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const DEFAULT_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}"#;

const APP_IDENTITY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "UseTheKey",
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  ]
}"#;

const ADMIN_USER_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-consolepolicy-3",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "Allow access for Key Administrators",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/KeyAdmin" },
      "Action": [
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
        "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
        "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"
      ],
      "Resource": "*"
    },
    {
      "Sid": "Allow use of the key",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" },
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "*"
    }
  ]
}"#;

const MFA_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "DenyDeletionWithoutMFA",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DeleteImportedKeyMaterial"],
      "Resource": "*",
      "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" } }
    }
  ]
}"#;

const ADMIN_IDENTITY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ManageKeys",
      "Effect": "Allow",
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}"#;

/// The samples, in menu order. The first is the playground's starting state.
pub const SAMPLES: &[Sample] = &[
    Sample {
        title: "Default key policy + identity policy",
        docs: &[
            ("key policy", PolicyType::Resource, DEFAULT_KEY_POLICY),
            ("App role policy", PolicyType::Identity, APP_IDENTITY_POLICY),
        ],
        principal: "arn:aws:sts::111122223333:assumed-role/App/session-1",
        action: "kms:Decrypt",
        context: &[],
    },
    Sample {
        title: "Key administrators and key users",
        docs: &[("key policy", PolicyType::Resource, ADMIN_USER_KEY_POLICY)],
        principal: "arn:aws:sts::111122223333:assumed-role/KeyAdmin/alice",
        action: "kms:Decrypt",
        context: &[],
    },
    Sample {
        title: "Deny key deletion without MFA",
        docs: &[
            ("key policy", PolicyType::Resource, MFA_KEY_POLICY),
            ("KeyAdmin role policy", PolicyType::Identity, ADMIN_IDENTITY_POLICY),
        ],
        principal: "arn:aws:sts::111122223333:assumed-role/KeyAdmin/alice",
        action: "kms:ScheduleKeyDeletion",
        context: &[("aws:MultiFactorAuthPresent", ValueType::Bool, "false")],
    },
];

impl Sample {
    /// The sample as a lab snapshot.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            v: Snapshot::VERSION,
            docs: self.docs.iter().map(|(name, ty, source)| Doc::new(*name, *ty, *source)).collect(),
            request: RequestForm {
                principal: self.principal.to_string(),
                action: self.action.to_string(),
                resource: KEY_ARN.to_string(),
                context: self
                    .context
                    .iter()
                    .map(|(key, ty, value)| ContextRow { key: key.to_string(), ty: *ty, value: value.to_string() })
                    .collect(),
            },
            selected: 0,
        }
    }
}

/// The starting state: the first sample (an empty lab if there were none).
pub fn initial() -> Snapshot {
    SAMPLES.first().map(Sample::snapshot).unwrap_or_else(|| Snapshot {
        v: Snapshot::VERSION,
        docs: Vec::new(),
        request: RequestForm::default(),
        selected: 0,
    })
}
