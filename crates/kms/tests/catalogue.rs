//! The KMS catalogue: it covers the simulator's operations, its tables are consistent with one another (every key an
//! action names exists, nothing is listed twice), the authorizer's cross-account list agrees with it, and the
//! lookups accept the spellings IAM accepts.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "test helpers may panic")]

use std::collections::BTreeSet;

use kmsim_kms::catalogue::*;
use kmsim_kms::operation::is_cross_account_action;
use kmsim_kms::OPERATIONS;

#[test]
fn every_simulated_operation_has_its_actions() {
    for op in OPERATIONS {
        let actions: Vec<_> = actions_for_operation(op).map(|a| a.name).collect();
        assert!(!actions.is_empty(), "operation `{op}` has no action in the catalogue");
        if *op == "ReEncrypt" {
            assert_eq!(actions, ["kms:ReEncryptFrom", "kms:ReEncryptTo"]);
        } else {
            let a = action(op).unwrap_or_else(|| panic!("no action `kms:{op}`"));
            assert_eq!(a.kind(), ActionKind::Api, "{op}");
            assert_eq!(actions, [a.name], "{op}");
        }
    }
}

#[test]
fn counts() {
    assert_eq!(ACTIONS.len(), 56);
    assert_eq!(KMS_KEYS.len(), 41);
    assert_eq!(GLOBAL_KEYS.len(), 40);
    assert_eq!(VIA_SERVICES.len(), 79);
    assert_eq!(MANAGED_ALIASES.len(), 24);
    let permission_only: Vec<_> =
        ACTIONS.iter().filter(|a| a.kind() == ActionKind::PermissionOnly).map(|a| a.name).collect();
    assert_eq!(permission_only, ["kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:SynchronizeMultiRegionKey"]);
    let iam_only = ACTIONS.iter().filter(|a| a.placement == PolicyPlacement::IamOnly).count();
    assert_eq!(iam_only, 12);
    let on_no_resource = ACTIONS.iter().filter(|a| a.resources.is_empty()).count();
    assert_eq!(on_no_resource, 11);
    let level = |l: AccessLevel| ACTIONS.iter().filter(|a| a.access.first() == Some(&l)).count();
    assert_eq!(
        [level(AccessLevel::Read), level(AccessLevel::List), level(AccessLevel::PermissionsManagement)],
        [7, 7, 4]
    );
    assert_eq!(level(AccessLevel::Tagging), 2);
    assert_eq!(ACTIONS.iter().filter(|a| a.cross_account).count(), 20);
    assert_eq!(SOURCES.len(), 12);
}

#[test]
fn every_key_an_action_names_is_in_the_key_tables() {
    let names: BTreeSet<&str> = condition_key_names().collect();
    for a in ACTIONS {
        for k in a.condition_keys() {
            assert!(names.contains(k), "{} names `{k}`, which is not in the key tables", a.name);
            assert_eq!(condition_key(k).unwrap().key.name, k, "`{k}` must find itself");
        }
        for d in a.dependent {
            assert!(action(d).is_some(), "{} depends on unknown `{d}`", a.name);
        }
    }
}

#[test]
fn every_kms_key_is_used_by_an_action_unless_deprecated() {
    for k in KMS_KEYS {
        let used = k.actions().count();
        match k.replaced_by {
            Some(new) => {
                assert_eq!(used, 0, "{}", k.name);
                assert!(condition_key(new).is_some_and(|m| m.key.replaced_by.is_none()), "{} -> {new}", k.name);
            }
            None => assert!(used > 0, "no action supports `{}`", k.name),
        }
    }
}

#[test]
fn nothing_is_listed_twice() {
    fn unique<'a>(what: &str, items: impl IntoIterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for i in items {
            assert!(seen.insert(i.to_ascii_lowercase()), "{what}: `{i}` twice");
        }
    }
    unique("actions", ACTIONS.iter().map(|a| a.name));
    unique("condition keys", condition_key_names());
    unique("services", VIA_SERVICES.iter().map(|s| s.service));
    unique("aliases", MANAGED_ALIASES.iter().map(|a| a.name));
    for a in ACTIONS {
        unique(a.name, a.condition_keys());
        unique(a.name, a.operations.iter().copied());
    }
    for s in VIA_SERVICES {
        unique(s.service, s.prefixes.iter().copied());
    }
}

/// The `kms:` tables in the Service Authorization Reference's order (byte order), the global keys in the IAM User
/// Guide's (ignoring case), so that an entry is easy to find and to compare with its source.
#[test]
fn tables_are_sorted() {
    let sorted = |names: Vec<&str>, fold: bool| {
        let mut s = names.clone();
        if fold {
            s.sort_by_key(|n| n.to_ascii_lowercase());
        } else {
            s.sort_unstable();
        }
        assert_eq!(names, s);
    };
    sorted(ACTIONS.iter().map(|a| a.name).collect(), false);
    sorted(KMS_KEYS.iter().map(|k| k.name).collect(), false);
    sorted(GLOBAL_KEYS.iter().map(|k| k.name).collect(), true);
    sorted(MANAGED_ALIASES.iter().map(|a| a.name).collect(), false);
}

#[test]
fn the_authorizer_reads_cross_account_use_from_the_catalogue() {
    for a in ACTIONS {
        assert_eq!(is_cross_account_action(a.name), a.cross_account, "{}", a.name);
        assert_eq!(is_cross_account_action(&a.name.to_uppercase()), a.cross_account, "{} in capitals", a.name);
    }
    assert!(!is_cross_account_action("kms:NoSuchAction"));
}

#[test]
fn placement_follows_the_resources() {
    for a in ACTIONS {
        if a.resources.is_empty() {
            assert_eq!(a.placement, PolicyPlacement::IamOnly, "{} is on no resource", a.name);
            assert!(!a.cross_account, "{}", a.name);
        }
        if a.resources.contains(&ResourceType::Alias) {
            assert_eq!(a.placement, PolicyPlacement::AliasInIamKeyInEither, "{}", a.name);
            assert!(a.on_key(), "{}", a.name);
        }
        assert!(!a.access.is_empty() && !a.summary.is_empty(), "{}", a.name);
        assert!(a.name.starts_with("kms:") && !a.bare().contains(':'), "{}", a.name);
    }
    // Valid only in IAM policies although authorized on a key: RetireGrant.
    let odd: Vec<_> =
        ACTIONS.iter().filter(|a| a.placement == PolicyPlacement::IamOnly && a.on_key()).map(|a| a.name).collect();
    assert_eq!(odd, ["kms:RetireGrant"]);
}

#[test]
fn key_entries_are_well_formed() {
    for k in KMS_KEYS.iter().chain(GLOBAL_KEYS) {
        let placeholder = k.name.contains("${");
        assert_eq!(placeholder, k.form != KeyForm::Exact, "{}", k.name);
        assert!(k.name.starts_with(k.stem()) && !k.stem().contains('$'), "{}", k.name);
        assert!(k.doc.starts_with("https://docs.aws.amazon.com/"), "{}", k.name);
        assert!(!k.summary.is_empty() && !k.summary.ends_with('.'), "{}", k.name);
        assert_eq!(k.is_kms(), KMS_KEYS.contains(k), "{}", k.name);
        if k.values == Values::Multi {
            assert_eq!(k.sar_type(), "ArrayOfString", "{}", k.name);
        }
    }
    let multi: Vec<_> = KMS_KEYS.iter().filter(|k| k.values == Values::Multi).map(|k| k.name).collect();
    assert_eq!(multi, ["kms:EncryptionContextKeys", "kms:GrantOperations", "kms:ResourceAliases"]);
    let iam_only: Vec<_> = KMS_KEYS.iter().chain(GLOBAL_KEYS).filter(|k| k.iam_only).map(|k| k.name).collect();
    assert_eq!(iam_only, ["kms:ResourceAliases", "aws:ResourceTag/${TagKey}"]);
    assert_eq!(condition_key("kms:ValidTo").unwrap().key.sar_type(), "Date");
    assert_eq!(condition_key("kms:GrantConstraintSourceArn").unwrap().key.sar_type(), "ARN");
    assert_eq!(condition_key("aws:SourceIp").unwrap().key.ty, KeyType::IpAddress);
    assert_eq!(condition_key("aws:MultiFactorAuthPresent").unwrap().key.ty, KeyType::Bool);
    assert_eq!(condition_key("aws:MultiFactorAuthPresent").unwrap().key.presence, Presence::Sometimes);
    assert_eq!(condition_key("aws:CurrentTime").unwrap().key.presence, Presence::Always);
}

#[test]
fn actions_are_found_in_any_case_with_or_without_the_prefix() {
    for name in ["kms:Encrypt", "KMS:ENCRYPT", "encrypt", "Encrypt"] {
        assert_eq!(action(name).map(|a| a.name), Some("kms:Encrypt"), "{name}");
    }
    assert!(action("kms:Encrpyt").is_none());
    assert!(action("s3:GetObject").is_none());
    assert!(action("kms:").is_none());
    assert!(action("").is_none());
    let names: Vec<&str> = action_names().collect();
    assert_eq!(kmsim_policy::suggest("kms:Encrpyt", &names), Some("kms:Encrypt"));
    assert_eq!(kmsim_policy::suggest("kms:GenerateDataKy", &names), Some("kms:GenerateDataKey"));
    let create = action("CreateKey").unwrap();
    assert_eq!(create.placement, PolicyPlacement::IamOnly);
    assert_eq!(create.dependent, ["kms:PutKeyPolicy", "kms:TagResource"]);
    assert_eq!(
        action("Decrypt").unwrap().api_reference().as_deref(),
        Some("https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html")
    );
    assert_eq!(action("ReEncryptFrom").unwrap().api_reference(), None);
}

#[test]
fn condition_keys_are_found_with_their_variable_part() {
    fn found(name: &str) -> Option<(&'static str, Option<&str>)> {
        condition_key(name).map(|m| (m.key.name, m.variable))
    }
    assert_eq!(found("kms:ViaService"), Some(("kms:ViaService", None)));
    assert_eq!(found("KMS:VIASERVICE"), Some(("kms:ViaService", None)));
    assert_eq!(
        found("kms:EncryptionContext:Department"),
        Some(("kms:EncryptionContext:${EncryptionContextKey}", Some("Department")))
    );
    assert_eq!(
        found("kms:encryptioncontext:aws:s3:arn"),
        Some(("kms:EncryptionContext:${EncryptionContextKey}", Some("aws:s3:arn")))
    );
    assert_eq!(found("kms:EncryptionContextKeys"), Some(("kms:EncryptionContextKeys", None)));
    assert_eq!(found("kms:EncryptionContext:"), None);
    assert_eq!(found("aws:RequestTag/Project"), Some(("aws:RequestTag/${TagKey}", Some("Project"))));
    assert_eq!(found("aws:resourcetag/Owner"), Some(("aws:ResourceTag/${TagKey}", Some("Owner"))));
    assert_eq!(found("aws:RequestTag/${TagKey}"), Some(("aws:RequestTag/${TagKey}", None)));
    assert_eq!(found("aws:PrincipalTag/team"), Some(("aws:PrincipalTag/${TagKey}", Some("team"))));
    assert_eq!(found("aws:PrincipalType"), Some(("aws:PrincipalType", None)));
    assert_eq!(found("kms:RecipientAttestation:PCR31"), Some(("kms:RecipientAttestation:PCR${N}", Some("31"))));
    assert_eq!(found("kms:RecipientAttestation:PCR0"), Some(("kms:RecipientAttestation:PCR${N}", Some("0"))));
    assert_eq!(found("kms:RecipientAttestation:PCR32"), None);
    assert_eq!(found("kms:RecipientAttestation:PCR01"), None);
    assert_eq!(found("kms:RecipientAttestation:PCR+1"), None);
    assert_eq!(
        found("kms:RecipientAttestation:NitroTPMPCR23"),
        Some(("kms:RecipientAttestation:NitroTPMPCR${N}", Some("23")))
    );
    assert_eq!(found("kms:RecipientAttestation:NitroTPMPCR24"), None);
    assert_eq!(found("kms:ViaServce"), None);
    let names: Vec<&str> = condition_key_names().collect();
    assert_eq!(kmsim_policy::suggest("kms:ViaServce", &names), Some("kms:ViaService"));
    assert_eq!(kmsim_policy::suggest("aws:SourceIP", &names), Some("aws:SourceIp"));
}

#[test]
fn supports_knows_action_keys_global_keys_and_deprecated_names() {
    let encrypt = action("kms:Encrypt").unwrap();
    assert!(encrypt.supports("kms:EncryptionContext:Department"));
    assert!(encrypt.supports("kms:ViaService"));
    assert!(encrypt.supports("aws:ResourceTag/Project"));
    assert!(encrypt.supports("aws:SourceIp"));
    assert!(encrypt.supports("aws:PrincipalOrgID"));
    assert!(!encrypt.supports("kms:GrantOperations"));
    assert!(!encrypt.supports("aws:RequestTag/Project"));
    assert!(!encrypt.supports("kms:NoSuchKey"));
    let list_keys = action("kms:ListKeys").unwrap();
    assert!(!list_keys.supports("aws:ResourceTag/Project"));
    assert!(!list_keys.supports("kms:CallerAccount"));
    assert!(list_keys.supports("aws:PrincipalArn"));
    let create = action("kms:CreateKey").unwrap();
    assert!(create.supports("kms:CustomerMasterKeySpec"));
    assert!(create.supports("aws:RequestTag/Owner"));
    assert!(!create.supports("kms:ResourceAliases"));
    let grant = action("kms:CreateGrant").unwrap();
    assert!(grant.supports("kms:GrantIsForAWSResource") && grant.supports("kms:GrantOperations"));
    assert!(action("kms:GenerateRandom").unwrap().supports("kms:RecipientAttestation:PCR4"));
    assert!(!action("kms:Encrypt").unwrap().supports("kms:RecipientAttestation:PCR4"));
    let via: Vec<_> = condition_key("kms:GrantIsForAWSResource").unwrap().key.actions().map(|a| a.name).collect();
    assert_eq!(via, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]);
    assert!(condition_key("aws:SourceIp").unwrap().key.is_universal());
    assert!(!condition_key("aws:TagKeys").unwrap().key.is_universal());
}

#[test]
fn via_service_values_are_parsed() {
    let services = |v: &str| via_service(v).map(|s| s.service).collect::<Vec<_>>();
    assert_eq!(services("ec2.us-west-2.amazonaws.com"), ["Amazon Elastic Block Store (Amazon EBS)"]);
    assert_eq!(services("S3.EU-WEST-1.AMAZONAWS.COM"), ["Amazon Simple Storage Service (Amazon S3)"]);
    assert_eq!(services("rds.eu-central-1.amazonaws.com").len(), 4);
    assert_eq!(services("dax.us-east-1.amazonaws.com"), ["Amazon ElastiCache"]);
    assert!(services("lambda.amazonaws.com").is_empty());
    assert!(services("nosuch.us-east-1.amazonaws.com").is_empty());
    assert!(services("lambda.us-east-1.example.com").is_empty());
    assert!(services("").is_empty());
    let cache = VIA_SERVICES.iter().find(|s| s.service == "Amazon ElastiCache").unwrap();
    assert_eq!(cache.values("us-east-1"), ["elasticache.us-east-1.amazonaws.com", "dax.us-east-1.amazonaws.com"]);
}

#[test]
fn managed_aliases() {
    assert_eq!(managed_alias("alias/aws/S3").map(|a| a.service), Some("Amazon S3"));
    assert!(matches!(managed_alias("alias/aws/ebs").unwrap().provenance, Provenance::Documented(_)));
    assert!(managed_alias("alias/aws/nosuch").is_none());
    assert!(MANAGED_ALIASES.iter().all(|a| is_reserved_alias(a.name)));
    assert!(is_reserved_alias("ALIAS/AWS/anything"));
    assert!(!is_reserved_alias("alias/awsome"));
    for a in MANAGED_ALIASES {
        if let Provenance::Documented(url) = a.provenance {
            assert!(url.starts_with("https://docs.aws.amazon.com/kms/"), "{}", a.name);
        }
    }
}
