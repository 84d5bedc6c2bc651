//! Starting points: the fifteen lessons of `lessons/` (embedded at build time, minified by `build.rs`) and a few
//! small samples. Each is a scenario file; the samples have no seed, so opening one draws a seed (see `state::Action::Open`).

/// A built-in scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    /// Stable id, saved with the playground (`lesson:01-least-privilege`, `sample:mfa`).
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

macro_rules! lesson {
    ($file:literal, $title:literal) => {
        Start {
            id: concat!("lesson:", $file),
            title: $title,
            // Minified by build.rs (same JSON, no whitespace between tokens).
            text: include_str!(concat!(env!("OUT_DIR"), "/lessons/", $file, ".json")),
        }
    };
}

/// The lessons, in order. The first is the playground's starting state.
pub const LESSONS: &[Start] = &[
    lesson!("01-least-privilege", "1. Least privilege"),
    lesson!("02-separation-of-duties", "2. Separation of duties"),
    lesson!("03-kms-star-anti-pattern", "3. The kms:* anti-pattern"),
    lesson!("04-cross-account", "4. Cross-account access"),
    lesson!("05-grants", "5. Grants"),
    lesson!("06-encryption-context", "6. Encryption context"),
    lesson!("07-mfa", "7. MFA"),
    lesson!("08-via-service", "8. Via service"),
    lesson!("09-abac-tags-aliases", "9. ABAC: tags and aliases"),
    lesson!("10-auditing", "10. Auditing"),
    lesson!("11-disable-vs-delete", "11. Disable vs delete"),
    lesson!("12-rotation", "12. Rotation"),
    lesson!("13-data-protection-with-services", "13. Data protection with services"),
    lesson!("14-automated-incident-response", "14. Automated incident response"),
    lesson!("15-managed-vs-customer-managed-keys", "15. AWS managed vs customer managed keys"),
];

/// Small scenarios without a seed.
pub const SAMPLES: &[Start] = &[
    Start { id: "sample:default-policy", title: "Default key policy + identity policy", text: DEFAULT_POLICY },
    Start { id: "sample:admins-users", title: "Key administrators and key users", text: ADMINS_USERS },
    Start { id: "sample:mfa", title: "Deny key deletion without MFA", text: MFA },
];

/// A lesson or sample by id.
pub fn find(id: &str) -> Option<&'static Start> {
    LESSONS.iter().chain(SAMPLES).find(|s| s.id == id)
}

/// Every starting point, lessons first.
pub fn all() -> impl Iterator<Item = &'static Start> {
    LESSONS.iter().chain(SAMPLES)
}

const DEFAULT_POLICY: &str = r#"{
  "title": "Default key policy + identity policy",
  "description": "The key has AWS's default key policy: it delegates to the account, so IAM policies decide. The role `App` may encrypt and decrypt through its identity policy; `Auditor` has no policy and is denied.",
  "accounts": {
    "111122223333": {
      "roles": {
        "App": {
          "policies": {
            "UseTheKey": {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "UseTheKey", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*" }
              ]
            }
          }
        },
        "Auditor": {}
      }
    }
  },
  "keys": { "data": { "description": "application data", "aliases": ["alias/data"] } },
  "steps": [
    { "name": "ct", "call": "Encrypt", "as": "role/App", "params": { "KeyId": "alias/data", "Plaintext": { "Text": "hello" } }, "expect": { "outcome": "success" } },
    { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "ct.CiphertextBlob" } }, "expect": { "outcome": "success" } },
    { "call": "Decrypt", "as": "role/Auditor", "params": { "CiphertextBlob": { "$ref": "ct.CiphertextBlob" } }, "expect": { "outcome": "AccessDeniedException" } }
  ]
}"#;

const ADMINS_USERS: &str = r#"{
  "title": "Key administrators and key users",
  "description": "The console's key policy: administrators manage the key but cannot use it; users use it but cannot manage it.",
  "accounts": { "111122223333": { "roles": { "KeyAdmin": {}, "App": {} } } },
  "keys": {
    "data": {
      "aliases": ["alias/data"],
      "policy": {
        "Version": "2012-10-17",
        "Id": "key-consolepolicy-3",
        "Statement": [
          { "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
          { "Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/KeyAdmin" },
            "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
            "Resource": "*" },
          { "Sid": "Allow use of the key", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/App" },
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*" }
        ]
      }
    }
  },
  "steps": [
    { "name": "ct", "call": "Encrypt", "as": "role/App", "params": { "KeyId": "alias/data", "Plaintext": { "Text": "hello" } }, "expect": { "outcome": "success", "statement": "Allow use of the key" } },
    { "call": "Decrypt", "as": "role/KeyAdmin", "params": { "CiphertextBlob": { "$ref": "ct.CiphertextBlob" } }, "expect": { "outcome": "AccessDeniedException" } },
    { "call": "DisableKey", "as": "role/KeyAdmin", "params": { "KeyId": { "$key": "data" } }, "expect": { "outcome": "success", "statement": "Allow access for Key Administrators" } }
  ]
}"#;

const MFA: &str = r#"{
  "title": "Deny key deletion without MFA",
  "description": "An explicit deny with `BoolIfExists` on `aws:MultiFactorAuthPresent`: deleting the key needs a session with MFA.",
  "accounts": {
    "111122223333": {
      "roles": {
        "KeyAdmin": {
          "policies": { "ManageKeys": { "Version": "2012-10-17", "Statement": [ { "Sid": "ManageKeys", "Effect": "Allow", "Action": "kms:*", "Resource": "*" } ] } }
        }
      }
    }
  },
  "keys": {
    "critical": {
      "policy": {
        "Version": "2012-10-17",
        "Statement": [
          { "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
          { "Sid": "DenyDeletionWithoutMFA", "Effect": "Deny", "Principal": "*",
            "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DeleteImportedKeyMaterial"], "Resource": "*",
            "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" } } }
        ]
      }
    }
  },
  "steps": [
    { "call": "ScheduleKeyDeletion", "as": "role/KeyAdmin", "params": { "KeyId": { "$key": "critical" }, "PendingWindowInDays": 7 }, "expect": { "outcome": "AccessDeniedException", "statement": "DenyDeletionWithoutMFA" } },
    { "call": "ScheduleKeyDeletion", "as": "role/KeyAdmin", "mfa": true, "params": { "KeyId": { "$key": "critical" }, "PendingWindowInDays": 7 }, "expect": { "outcome": "success" } }
  ]
}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_start_parses_and_passes() {
        for s in all() {
            let scenario = kmsim_kms::scenario::Scenario::parse(s.text).unwrap_or_else(|e| panic!("{}: {e}", s.id));
            // `State::open` reads starts with plain serde_json (one deserializer in the bundle): the same file.
            let plain: kmsim_kms::scenario::ScenarioFile = serde_json::from_str(s.text).unwrap();
            assert_eq!(plain, scenario.file, "{}", s.id);
            let run = scenario.run(7, false);
            let failing: Vec<String> = run
                .steps
                .iter()
                .filter(|r| r.error.is_some() || r.expectations.iter().any(|e| !e.held))
                .map(|r| format!("step {}: {:?} {:?}", r.index, r.error, r.expectations))
                .collect();
            assert!(run.passed, "{}: {failing:?}", s.id);
            assert_eq!(find(s.id), Some(s));
        }
        assert!(SAMPLES.iter().all(|s| !s.text.contains("\"seed\"")), "samples draw their seed when opened");
    }
}
