//! Key management: create, describe, list, enable/disable, deletion, description, key policies, AWS managed keys.

use std::collections::BTreeMap;

use kmsim_policy::Decision;
use serde_json::Value as Json;

use super::json::{paginate, ToJson};
use super::steps::{caller_account, KeyAuthz};
use super::tags::validate_tags;
use super::Cx;
use crate::api::*;
use crate::authz::{authorize, AuthzInput, Target};
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::hsm::Hsm;
use crate::ids::{alias_arn, key_arn};
use crate::key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin, Rotation};
use crate::operation::Operation;
use crate::policy::{default_key_policy, NamedPolicy};
use crate::principal::Caller;
use crate::trace::CheckKind;
use crate::world::World;

impl World {
    pub(super) fn create_key(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateKey) -> Result<Json, KmsError> {
        let account = caller_account(caller);
        self.custom_key_store(cx, r.custom_key_store_id.as_deref())?;
        if r.xks_key_id.is_some() {
            return self.unsupported(cx, "external key stores (`XksKeyId`)");
        }
        // CustomerMasterKeySpec is KeySpec's deprecated name (API reference, CreateKey).
        let s = match (r.key_spec.as_deref(), r.customer_master_key_spec.as_deref()) {
            (Some(a), Some(b)) if a != b => {
                // [verify] AWS's wording.
                return self.param(cx, Err(KmsError::validation("KeySpec and CustomerMasterKeySpec are the same parameter; specify only one (CustomerMasterKeySpec is deprecated)")));
            }
            (Some(s), _) | (None, Some(s)) => s,
            (None, None) => "SYMMETRIC_DEFAULT",
        };
        // The model's enums (KeySpec, KeyUsageType, OriginType) were checked before the call ran.
        let spec = KeySpec::parse(s).ok_or_else(|| KmsError::validation(format!("KeySpec {s} is not known")));
        let spec = self.param(cx, spec)?;
        let usage = match &r.key_usage {
            Some(u) => KeyUsage::parse(u).ok_or_else(|| KmsError::validation(format!("KeyUsage {u} is not known"))),
            None if spec.is_symmetric() => Ok(KeyUsage::ENCRYPT_DECRYPT),
            None => Err(KmsError::validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
            )),
        };
        let usage = self.param(cx, usage)?;
        if !spec.allowed_usages().contains(&usage) {
            return self.param(
                cx,
                Err(KmsError::validation(format!(
                    "KeyUsage {} is not compatible with KeySpec {}",
                    usage.as_str(),
                    spec.as_str()
                ))),
            );
        }
        let origin = match r.origin.as_deref().unwrap_or("AWS_KMS") {
            "EXTERNAL" => Origin::EXTERNAL,
            o @ ("AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE") => {
                return self.unsupported(cx, &format!("custom key stores (Origin {o})"));
            }
            _ => Origin::AWS_KMS,
        };
        if spec == KeySpec::SM2 && self.config.partition != "aws-cn" {
            // [verify] AWS's code and wording for SM2 outside the China Regions.
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    "KeySpec SM2 is available only in the China Regions (partition aws-cn)",
                )),
            );
        }
        if !spec.is_symmetric() {
            cx.check(CheckKind::Parameters, true, format!("a {} {} key: kmsim gives it AWS's metadata, policies, grants and key states, but has no cryptography for it (the operations that would use it are not implemented)", spec.as_str(), usage.as_str()));
        }
        let tags = self.param(cx, validate_tags(r.tags.as_deref().unwrap_or(&[])))?;
        let bypass = r.bypass_policy_lockout_safety_check.unwrap_or(false);
        cx.request_parameters = Some(obj!({
            "keySpec": spec.as_str(), "keyUsage": usage.as_str(), "origin": origin.as_str(),
            "description": r.description, "bypassPolicyLockoutSafetyCheck": bypass,
            "tags": r.tags.as_ref().map(|t| t.iter().map(|t| obj!({"tagKey": t.tag_key, "tagValue": t.tag_value})).collect::<Vec<_>>()),
        }));
        self.authorize_identity(cx, caller, Operation::CreateKey, "*", |c| {
            context::new_key(c, spec, usage, origin, r.multi_region.unwrap_or(false));
            context::bypass_lockout(c, r.bypass_policy_lockout_safety_check);
            context::request_tags(c, &tags);
        })?;
        if !tags.is_empty() {
            self.authorize_identity(cx, caller, Operation::TagResource, "*", |c| context::request_tags(c, &tags))?;
        }
        let partition = self.config.partition.clone();
        let policy_text = r.policy.clone().unwrap_or_else(|| default_key_policy(&partition, &account));
        let policy = self.parse_key_policy(cx, &policy_text)?;
        let multi_region = r.multi_region.unwrap_or(false);
        let key_id = self.with_hsm(Hsm::new_key_id);
        // A multi-Region key's id is `mrk-` and 32 hex digits (KMS Developer Guide, *Multi-Region key identifiers*).
        let key_id = if multi_region { format!("mrk-{}", key_id.replace('-', "")) } else { key_id };
        let region = self.config.region.clone();
        let arn = key_arn(&partition, &region, &account, &key_id);
        let key = Key {
            key_id: key_id.clone(),
            arn: arn.clone(),
            account: account.clone(),
            region,
            description: r.description.clone().unwrap_or_default(),
            key_spec: spec,
            key_usage: usage,
            origin,
            manager: KeyManager::CUSTOMER,
            state: if origin == Origin::EXTERNAL { KeyState::PendingImport } else { KeyState::Enabled },
            creation_date: self.clock,
            deletion_date: None,
            pending_window_days: None,
            policy,
            tags,
            rotation: Rotation::default(),
            current_version: 1,
            aws_service: None,
            multi_region,
        };
        if !bypass && r.policy.is_some() {
            self.lockout_check(cx, caller, &key)?;
        }
        if multi_region {
            cx.check(CheckKind::Parameters, true, "a multi-Region primary key: kmsim has one Region and does not implement ReplicateKey, so the key has no replicas");
        }
        let meta = self.key_metadata(&key);
        cx.resource(&key);
        self.insert_key(key);
        cx.response_log = Some(obj!({ "keyMetadata": meta }));
        Ok(obj!({ "KeyMetadata": meta }))
    }

    pub(super) fn parse_key_policy(&self, cx: &mut Cx, text: &str) -> Result<NamedPolicy, KmsError> {
        if text.len() > 32_768 {
            let e = KmsError::new(
                ErrorCode::LimitExceededException,
                format!("Policy document is {} bytes; the key policy size limit is 32768 bytes", text.len()),
            );
            cx.check(CheckKind::Parameters, false, e.message.clone());
            return Err(e);
        }
        match NamedPolicy::parse("default", text, kmsim_policy::PolicyType::Resource) {
            Ok(p) => {
                if let Err(e) = self.key_policy_rules(&p) {
                    cx.check(CheckKind::Parameters, false, e.message.clone());
                    return Err(e);
                }
                cx.check(CheckKind::Parameters, true, "the key policy is well formed");
                Ok(p)
            }
            Err(errs) => {
                let mut e = KmsError::new(
                    ErrorCode::MalformedPolicyDocumentException,
                    format!(
                        "The new key policy is not valid: {}",
                        errs.errors.first().map(|e| e.to_string()).unwrap_or_default()
                    ),
                );
                e.diagnostics = errs.errors;
                cx.check(CheckKind::Parameters, false, e.message.clone());
                Err(e)
            }
        }
    }

    /// The checks KMS makes on a key policy beyond the IAM grammar (reference 1c, 1f):
    /// - every IAM principal must exist: a user or role ARN in an account of this world must name a user or role of
    ///   that account (accounts outside the world are taken to exist, as they would in AWS);
    /// - `ForAllValues:` on a single-valued key such as `kms:EncryptionContext:*` or `aws:RequestTag/*` is rejected as
    ///   overly permissive.
    pub(super) fn key_policy_rules(&self, p: &NamedPolicy) -> Result<(), KmsError> {
        for st in p.policy.statements() {
            for (ptype, value) in st.principals() {
                if ptype == "AWS" && !self.principal_exists(value) {
                    return Err(KmsError::new(
                        ErrorCode::MalformedPolicyDocumentException,
                        "Policy contains a statement with one or more invalid principals.",
                    ));
                }
            }
            for (op, key, _) in st.conditions() {
                let k = key.to_ascii_lowercase();
                let single = k.starts_with("kms:encryptioncontext:") || k.starts_with("aws:requesttag/");
                if single && op.starts_with("ForAllValues:") {
                    return Err(KmsError::new(
                        ErrorCode::MalformedPolicyDocumentException,
                        format!("OverlyPermissiveCondition: using ForAllValues with the single-valued condition key {key} is overly permissive; remove ForAllValues"),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn principal_exists(&self, value: &str) -> bool {
        if value == "*" || crate::ids::is_account_id(value) {
            return true;
        }
        let Some(rest) = value.strip_prefix("arn:") else { return false };
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [_partition, service, _region, account, resource] = parts.as_slice() else { return false };
        if !crate::ids::is_account_id(account) || !matches!(*service, "iam" | "sts") {
            return false;
        }
        let Some(acct) = self.accounts.get(*account) else { return true };
        if *resource == "root" {
            return true;
        }
        let kind = resource.split('/').next();
        match (kind, resource.rsplit('/').next()) {
            (Some("user"), Some(name)) => acct.users.contains_key(name),
            (Some("role"), Some(name)) => acct.roles.contains_key(name),
            (Some("assumed-role"), _) => resource.split('/').nth(1).is_some_and(|r| acct.roles.contains_key(r)),
            (Some("federated-user"), _) => true,
            _ => false,
        }
    }

    /// The policy-lockout safety check: the new policy must still let the caller call PutKeyPolicy.
    pub(super) fn lockout_check(&self, cx: &mut Cx, caller: &Caller, key: &Key) -> Result<(), KmsError> {
        let rc = self.resolve_caller(caller)?;
        let context = context::of_key(self, &rc, caller, key);
        let grants = crate::grant::GrantStore::default();
        let t = authorize(
            &rc,
            AuthzInput {
                action: "kms:PutKeyPolicy".into(),
                target: Target::Key(key, &grants),
                context,
                grant: None,
                session_policy: caller.session_policy.as_ref(),
                now: self.clock,
                trace: false,
            },
        );
        if t.decision == Decision::Allow {
            cx.check(CheckKind::PolicyLockout, true, "the new key policy still lets the caller call PutKeyPolicy");
            Ok(())
        } else {
            let e = KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.",
            );
            cx.check(CheckKind::PolicyLockout, false, "policy lockout safety check: the new policy would not let the caller call PutKeyPolicy (set BypassPolicyLockoutSafetyCheck to skip)");
            Err(e)
        }
    }

    pub(crate) fn key_metadata(&self, key: &Key) -> Json {
        let mut m = obj!({
            "AWSAccountId": key.account,
            "KeyId": key.key_id,
            "Arn": key.arn,
            "CreationDate": key.creation_date.epoch_seconds(),
            "Enabled": key.state == KeyState::Enabled,
            "Description": key.description,
            "KeyUsage": key.key_usage.as_str(),
            "KeyState": key.state.as_str(),
            "Origin": key.origin.as_str(),
            "KeyManager": match key.manager { KeyManager::CUSTOMER => "CUSTOMER", KeyManager::AWS => "AWS" },
        });
        let Some(obj) = m.as_object_mut() else { return m };
        // The deprecated CustomerMasterKeySpec has no value for the newer specs (its enum in the model).
        let spec = key.key_spec.as_str();
        if crate::model::shape("CustomerMasterKeySpec").is_some_and(|s| s.values.contains(&spec)) {
            obj.insert("CustomerMasterKeySpec".into(), ToJson::to_json(spec));
        }
        obj.insert("KeySpec".into(), ToJson::to_json(spec));
        // Only the algorithms of the key's usage: EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms, ...
        if let Some(a) = key.algorithms() {
            obj.insert(a.member.into(), ToJson::to_json(a.names));
        }
        obj.insert("MultiRegion".into(), ToJson::to_json(&key.multi_region));
        if key.multi_region {
            let primary = obj!({ "Arn": key.arn, "Region": key.region });
            let config =
                obj!({ "MultiRegionKeyType": "PRIMARY", "PrimaryKey": primary, "ReplicaKeys": Vec::<Json>::new() });
            obj.insert("MultiRegionConfiguration".into(), config);
        }
        if let Some(d) = key.deletion_date {
            obj.insert("DeletionDate".into(), ToJson::to_json(&d.epoch_seconds()));
            obj.insert("PendingDeletionWindowInDays".into(), ToJson::to_json(&key.pending_window_days));
        }
        m
    }

    pub(super) fn describe_key(&mut self, cx: &mut Cx, caller: &Caller, r: &DescribeKey) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, ident) = self.lookup_for(cx, caller, &r.key_id, true)?;
        let authz = KeyAuthz::new(Operation::DescribeKey, &key).named(Some(&ident)).tokens(r.grant_tokens.as_deref());
        self.authorize_key(cx, caller, authz, |_| {})?;
        self.state(cx, Operation::DescribeKey, &key)?;
        Ok(obj!({ "KeyMetadata": self.key_metadata(&key) }))
    }

    /// Creates the AWS managed key for a service (`s3`, `ebs`, ...) in an account if it does not exist yet, with that
    /// service's AWS managed key policy ([`crate::catalogue::managed_key_policy`]).
    pub fn ensure_aws_managed_key(&mut self, account: &str, service: &str) -> Option<String> {
        let name = format!("alias/aws/{service}");
        let region = self.config.region.clone();
        let partition = self.config.partition.clone();
        let aarn = alias_arn(&partition, &region, account, &name);
        if let Some(a) = self.aliases.get(&aarn) {
            return Some(key_arn(&partition, &a.region, &a.account, &a.target_key_id));
        }
        let text = crate::catalogue::managed_key_policy(&partition, &region, account, service)?;
        let policy = NamedPolicy::parse("default", &text, kmsim_policy::PolicyType::Resource).ok()?;
        let key_id = self.with_hsm(Hsm::new_key_id);
        let arn = key_arn(&partition, &region, account, &key_id);
        let key = Key {
            key_id: key_id.clone(),
            arn: arn.clone(),
            account: account.to_string(),
            region: region.clone(),
            description: format!("Default key that protects my {service} data when no other key is defined"),
            key_spec: KeySpec::SYMMETRIC_DEFAULT,
            key_usage: KeyUsage::ENCRYPT_DECRYPT,
            origin: Origin::AWS_KMS,
            manager: KeyManager::AWS,
            state: KeyState::Enabled,
            creation_date: self.clock,
            deletion_date: None,
            pending_window_days: None,
            policy,
            tags: BTreeMap::new(),
            rotation: Rotation {
                enabled: true,
                period_days: 365,
                next_rotation: Some(self.clock.plus_days(365)),
                history: Vec::new(),
                on_demand_count: 0,
            },
            current_version: 1,
            aws_service: Some(service.to_string()),
            multi_region: false,
        };
        self.accounts.entry(account.to_string()).or_default();
        self.insert_key(key);
        self.insert_alias(account, &region, &name, &key_id);
        Some(arn)
    }

    pub(super) fn list_keys(&mut self, cx: &mut Cx, caller: &Caller, r: &ListKeys) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "limit": r.limit }));
        self.authorize_identity(cx, caller, Operation::ListKeys, "*", |_| {})?;
        let account = caller_account(caller);
        let owners = r.resource_owners.as_deref().unwrap_or_default();
        if !owners.is_empty() && !owners.iter().any(|o| o == "SELF") {
            // The simulator has no Resource Access Manager: no key is shared with the account through it.
            cx.check(CheckKind::Parameters, true, "ResourceOwners OTHER_ACCOUNTS_VIA_RAM: kmsim does not simulate Resource Access Manager, so no key is shared through it");
            return paginate(Vec::new(), "Keys", Operation::ListKeys, r.limit, r.marker.as_deref());
        }
        let keys: Vec<Json> = self
            .keys()
            .filter(|k| k.account == account)
            .map(|k| obj!({ "KeyId": k.key_id, "KeyArn": k.arn }))
            .collect();
        paginate(keys, "Keys", Operation::ListKeys, r.limit, r.marker.as_deref())
    }

    pub(super) fn update_key_description(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &UpdateKeyDescription,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "description": r.description }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::UpdateKeyDescription, &key), |_| {})?;
        self.state(cx, Operation::UpdateKeyDescription, &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            k.description = r.description.clone();
        }
        Ok(obj!({}))
    }

    pub(super) fn enable_disable(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        op: Operation,
        key_id: &str,
    ) -> Result<Json, KmsError> {
        let enable = op == Operation::EnableKey;
        cx.request_parameters = Some(obj!({ "keyId": key_id }));
        let (key, _) = self.lookup_for(cx, caller, key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(op, &key), |_| {})?;
        let proceed = self.state(cx, op, &key)?;
        self.managed_check(cx, &key)?;
        if proceed {
            if let Some(k) = self.key_mut(&key.arn) {
                k.state = if enable { KeyState::Enabled } else { KeyState::Disabled };
            }
        }
        Ok(obj!({}))
    }

    pub(super) fn schedule_key_deletion(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ScheduleKeyDeletion,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "pendingWindowInDays": r.pending_window_in_days }));
        // The model's range and the documented 7 to 30 were checked before the call ran.
        let days = r.pending_window_in_days.unwrap_or(30);
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::ScheduleKeyDeletion, &key), |c| {
            context::pending_window(c, days);
        })?;
        self.state(cx, Operation::ScheduleKeyDeletion, &key)?;
        self.managed_check(cx, &key)?;
        let when = self.clock.plus_days(days);
        if let Some(k) = self.key_mut(&key.arn) {
            k.state = KeyState::PendingDeletion;
            k.deletion_date = Some(when);
            k.pending_window_days = u32::try_from(days).ok();
        }
        cx.response_log = Some(obj!({ "keyId": key.arn, "keyState": "PendingDeletion", "deletionDate": when }));
        Ok(
            obj!({ "KeyId": key.arn, "DeletionDate": when.epoch_seconds(), "KeyState": "PendingDeletion", "PendingWindowInDays": days }),
        )
    }

    pub(super) fn cancel_key_deletion(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &CancelKeyDeletion,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::CancelKeyDeletion, &key), |_| {})?;
        self.state(cx, Operation::CancelKeyDeletion, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            // AWS leaves the key Disabled: a separate EnableKey is needed.
            k.state = KeyState::Disabled;
            k.deletion_date = None;
            k.pending_window_days = None;
        }
        cx.check(
            CheckKind::KeyState,
            true,
            "deletion cancelled: the key is now Disabled (call EnableKey to use it again)",
        );
        Ok(obj!({ "KeyId": key.arn }))
    }

    pub(super) fn get_key_policy(&mut self, cx: &mut Cx, caller: &Caller, r: &GetKeyPolicy) -> Result<Json, KmsError> {
        cx.request_parameters =
            Some(obj!({ "keyId": r.key_id, "policyName": r.policy_name.as_deref().unwrap_or("default") }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::GetKeyPolicy, &key), |c| {
            context::policy_name(c, r.policy_name.as_deref());
        })?;
        self.state(cx, Operation::GetKeyPolicy, &key)?;
        self.policy_name(cx, r.policy_name.as_deref())?;
        Ok(obj!({ "Policy": key.policy.source(), "PolicyName": "default" }))
    }

    pub(super) fn policy_name(&self, cx: &mut Cx, name: Option<&str>) -> Result<(), KmsError> {
        match name {
            None | Some("default") => Ok(()),
            Some(n) => self.param(
                cx,
                Err(KmsError::not_found(format!(
                    "No such policy exists: `{n}`; the only key policy name is `default`"
                ))),
            ),
        }
    }

    pub(super) fn put_key_policy(&mut self, cx: &mut Cx, caller: &Caller, r: &PutKeyPolicy) -> Result<Json, KmsError> {
        let bypass = r.bypass_policy_lockout_safety_check.unwrap_or(false);
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "policyName": r.policy_name.as_deref().unwrap_or("default"), "bypassPolicyLockoutSafetyCheck": bypass }),
        );
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::PutKeyPolicy, &key), |c| {
            context::bypass_lockout(c, r.bypass_policy_lockout_safety_check);
            context::policy_name(c, r.policy_name.as_deref());
        })?;
        self.state(cx, Operation::PutKeyPolicy, &key)?;
        self.managed_check(cx, &key)?;
        self.policy_name(cx, r.policy_name.as_deref())?;
        let policy = self.parse_key_policy(cx, &r.policy)?;
        let mut candidate = key.clone();
        candidate.policy = policy.clone();
        if !bypass {
            self.lockout_check(cx, caller, &candidate)?;
        }
        if let Some(k) = self.key_mut(&key.arn) {
            k.policy = policy;
        }
        Ok(obj!({}))
    }

    pub(super) fn list_key_policies(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ListKeyPolicies,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::ListKeyPolicies, &key), |_| {})?;
        self.state(cx, Operation::ListKeyPolicies, &key)?;
        paginate(
            vec![ToJson::to_json("default")],
            "PolicyNames",
            Operation::ListKeyPolicies,
            r.limit,
            r.marker.as_deref(),
        )
    }
}
