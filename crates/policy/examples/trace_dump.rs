//! Prints the JSON of `authorize` and `evaluate` results (trace on and off) over a fixed corpus, one line each, so
//! that a change to how traces are built or shared can be checked to write byte-identical JSON:
//!
//! ```text
//! cargo build --release -p kmsim-policy --example trace_dump
//! target/release/examples/trace_dump > /tmp/after.jsonl   # and the same from the tree before the change
//! cmp /tmp/before.jsonl /tmp/after.jsonl
//! ```
//!
//! The corpus: the benchmark key policies, two identity policies, a permissions boundary, an SCP, and a key policy
//! with `NotPrincipal`, `NotAction`, `NotResource`, variables, `Null`, set operators, `IfExists` and values a
//! request cannot match as their type; 9 callers x 8 actions x 4 contexts.

#![expect(clippy::print_stdout, clippy::print_stderr, reason = "a command-line example")]

use std::process::ExitCode;

use kmsim_policy::{
    authorize, evaluate, Context, ContextValue, EvalOptions, Policy, PolicyType, Principal, Request, SetPolicy, Value,
};

const KMS_CASE: &str = include_str!("../benches/kms-case-key-policy.json");
const KEY_POLICY: &str = include_str!("../benches/key-policy.json");

const FEATURES: &str = r#"{
  "Version": "2012-10-17",
  "Id": "features",
  "Statement": [
    {"Sid": "DenyOthers", "Effect": "Deny",
     "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/App",
                              "arn:aws:sts::111122223333:assumed-role/App/i-0abc"]},
     "NotAction": ["kms:Describe*", "kms:List*"], "Resource": "*"},
    {"Effect": "Allow", "Principal": "*", "Action": "kms:*",
     "NotResource": "arn:aws:kms:*:444455556666:key/*",
     "Condition": {"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"},
                   "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": ["ten*", "p?th"]},
                   "NumericLessThan": {"kms:GrantCount": "10"},
                   "Null": {"kms:GrantConstraintType": "true"}}},
    {"Sid": "Tags", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"},
     "Action": ["kms:Decrypt", "kms:Encrypt"],
     "Resource": ["arn:aws:kms:us-east-1:111122223333:key/${aws:username}", "arn:aws:kms:*:*:alias/${kms:Alias}"],
     "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "${aws:username}"]},
                   "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                   "IpAddressIfExists": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                   "StringNotEqualsIgnoreCase": {"kms:ViaService": ["EC2.us-east-1.amazonaws.com"]},
                   "BoolIfExists": {"aws:SecureTransport": "true"}}},
    {"Sid": "Service", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": "kms:GenerateDataKey*", "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:*"}}},
    {"Sid": "NoResource", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt"}
  ]
}"#;

const IDENTITY_1: &str = include_str!("../benches/identity-1.json");

const IDENTITY_2: &str = include_str!("../benches/identity-2.json");

const BOUNDARY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Describe*"], "Resource": "*"}]
}"#;

const SCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]
}"#;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn principals() -> Vec<Principal> {
    vec![
        Principal::from_arn("arn:aws:iam::111122223333:root"),
        Principal::from_arn("arn:aws:iam::111122223333:role/AppRole"),
        Principal::from_arn("arn:aws:iam::111122223333:role/KeyAdmin"),
        Principal::from_arn("arn:aws:sts::111122223333:assumed-role/App/i-0abc"),
        Principal::from_arn("arn:aws:sts::111122223333:assumed-role/App/other"),
        Principal::from_arn("arn:aws:iam::111122223333:user/Alice"),
        Principal::from_arn("arn:aws:iam::444455556666:user/Bob"),
        Principal::from_arn("logs.us-east-1.amazonaws.com"),
        Principal::from_arn("*"),
    ]
}

fn contexts() -> Vec<Context> {
    let mut a = Context::new();
    a.insert_string("kms:ViaService", "s3.us-east-1.amazonaws.com");
    a.insert_string("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::app-bucket");
    a.insert("kms:EncryptionContextKeys", ContextValue::Multi(vec![Value::String("aws:s3:arn".into())]));
    a.insert_string("aws:MultiFactorAuthPresent", "false");
    let mut b = Context::new();
    b.insert_string("kms:ViaService", "ec2.us-east-1.amazonaws.com");
    b.insert_string("kms:EncryptionContext:tenant", "t-42");
    b.insert(
        "kms:EncryptionContextKeys",
        ContextValue::Multi(vec![Value::String("tenant".into()), Value::String("path".into())]),
    );
    b.insert_string("kms:CallerAccount", "111122223333");
    b.insert_string("aws:PrincipalAccount", "111122223333");
    b.insert_string("aws:SourceIp", "203.0.113.7");
    b.insert_bool("aws:ViaAWSService", true);
    b.insert_bool("aws:MultiFactorAuthPresent", true);
    b.insert_string("aws:username", "Alice");
    b.insert_string("kms:GrantCount", "3");
    b.insert_string("aws:CurrentTime", "2026-12-02T10:00:00Z");
    let mut c = Context::new();
    c.insert_string("kms:GrantCount", "many");
    c.insert_string("aws:SourceIp", "not an address");
    c.insert_string("aws:CurrentTime", "yesterday");
    c.insert("kms:EncryptionContextKeys", ContextValue::Multi(vec![]));
    c.insert_string("kms:GrantConstraintType", "EncryptionContextSubset");
    c.insert_string("aws:SecureTransport", "maybe");
    c.insert_string("kms:EncryptionContext:aws:logs:arn", "arn:aws:logs:us-east-1:111122223333:log-group:x");
    c.insert("aws:username", ContextValue::Multi(vec![Value::String("Alice".into()), Value::String("Bob".into())]));
    vec![a, b, c, Context::new()]
}

fn main() -> ExitCode {
    let parse = |src: &str, ty| Policy::parse(src, ty);
    let policies = match (|| {
        Ok::<_, kmsim_policy::PolicyErrors>([
            parse(KMS_CASE, PolicyType::Resource)?,
            parse(KEY_POLICY, PolicyType::Resource)?,
            parse(FEATURES, PolicyType::Resource)?,
            parse(IDENTITY_1, PolicyType::Identity)?,
            parse(IDENTITY_2, PolicyType::Identity)?,
            parse(BOUNDARY, PolicyType::PermissionsBoundary)?,
            parse(SCP, PolicyType::Scp)?,
        ])
    })() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let [kms_case, key, features, id1, id2, boundary, scp] = &policies;
    let sets: [Vec<SetPolicy<'_>>; 4] = [
        vec![SetPolicy { policy: kms_case, level: 0 }],
        vec![
            SetPolicy { policy: key, level: 0 },
            SetPolicy { policy: id1, level: 0 },
            SetPolicy { policy: id2, level: 0 },
        ],
        vec![
            SetPolicy { policy: scp, level: 0 },
            SetPolicy { policy: features, level: 0 },
            SetPolicy { policy: id1, level: 0 },
            SetPolicy { policy: boundary, level: 0 },
        ],
        vec![SetPolicy { policy: scp, level: 1 }, SetPolicy { policy: id2, level: 0 }],
    ];
    let actions = [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
        "kms:ScheduleKeyDeletion",
        "kms:CreateGrant",
        "s3:GetObject",
        "Decrypt",
    ];
    let mut lines = 0;
    for principal in principals() {
        for action in actions {
            for context in contexts() {
                let resource = if action.starts_with("s3:") { "arn:aws:s3:::app-bucket/a:b" } else { KEY };
                let req = Request {
                    principal: principal.clone(),
                    action: action.into(),
                    resource: resource.into(),
                    context,
                    resource_account: None,
                };
                for trace in [true, false] {
                    let options = EvalOptions { trace };
                    for set in &sets {
                        match serde_json::to_string(&authorize(set, &req, options)) {
                            Ok(json) => println!("{json}"),
                            Err(e) => {
                                eprintln!("{e}");
                                return ExitCode::FAILURE;
                            }
                        }
                        lines += 1;
                    }
                    for p in &policies {
                        match serde_json::to_string(&evaluate(p, &req, options)) {
                            Ok(json) => println!("{json}"),
                            Err(e) => {
                                eprintln!("{e}");
                                return ExitCode::FAILURE;
                            }
                        }
                        lines += 1;
                    }
                }
            }
        }
    }
    eprintln!("{lines} lines");
    ExitCode::SUCCESS
}
