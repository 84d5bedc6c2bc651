//! Aliases: create, update, delete, list.

use serde_json::Value as Json;

use super::json::paginate;
use super::steps::{caller_account, KeyAuthz};
use super::Cx;
use crate::api::*;
use crate::error::{ErrorCode, KmsError};
use crate::ids::{alias_arn, key_arn, validate_alias_name};
use crate::key::{Key, KeyManager};
use crate::operation::Operation;
use crate::principal::Caller;
use crate::world::World;

impl World {
    pub(super) fn create_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &CreateAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name, "targetKeyId": r.target_key_id }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        if r.alias_name.contains(':') {
            // The model's pattern allows `:`; KMS does not ("The alias name can contain only alphanumeric characters,
            // forward slashes (/), underscores (_), and dashes (-)", API reference, CreateAlias). [verify] the code.
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::InvalidAliasNameException,
                    format!("Alias {} contains `:`; an alias name can contain only alphanumeric characters, forward slashes (/), underscores (_) and dashes (-)", r.alias_name),
                )),
            );
        }
        let (key, _) = self.lookup_for(cx, caller, &r.target_key_id, false)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        self.authorize_identity(cx, caller, Operation::CreateAlias, &aarn, |_| {})?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::CreateAlias, &key), |_| {})?;
        self.state(cx, Operation::CreateAlias, &key)?;
        if key.manager == KeyManager::AWS {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!("{} is an AWS managed key: customer aliases cannot point at it", key.arn),
                )),
            );
        }
        if self.aliases.contains_key(&aarn) {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::AlreadyExistsException,
                    format!("An alias with the name {aarn} already exists"),
                )),
            );
        }
        if self.aliases_of(&key).len() >= 50 {
            return self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::LimitExceededException,
                    format!("{} already has 50 aliases, the limit per key", key.arn),
                )),
            );
        }
        let region = key.region.clone();
        self.insert_alias(&account, &region, &r.alias_name, &key.key_id);
        Ok(obj!({}))
    }

    /// The key an existing alias points to (UpdateAlias, DeleteAlias); NotFoundException for a missing alias.
    fn alias_target(&self, cx: &mut Cx, aarn: &str) -> Result<Key, KmsError> {
        let Some(alias) = self.aliases.get(aarn) else {
            return self.param(cx, Err(KmsError::not_found(format!("Alias {aarn} is not found."))));
        };
        let karn = key_arn(&self.config.partition, &alias.region, &alias.account, &alias.target_key_id);
        self.key(&karn).cloned().ok_or_else(|| KmsError::not_found(format!("Key '{karn}' does not exist")))
    }

    pub(super) fn update_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &UpdateAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name, "targetKeyId": r.target_key_id }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        let old = self.alias_target(cx, &aarn)?;
        let (new, _) = self.lookup_for(cx, caller, &r.target_key_id, false)?;
        cx.resource(&old);
        self.authorize_identity(cx, caller, Operation::UpdateAlias, &aarn, |_| {})?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::UpdateAlias, &old), |_| {})?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::UpdateAlias, &new), |_| {})?;
        self.state(cx, Operation::UpdateAlias, &new)?;
        if old.key_spec.is_symmetric() != new.key_spec.is_symmetric() || old.key_usage != new.key_usage {
            return self.param(
                cx,
                Err(KmsError::validation(format!(
                    "{} and {} are not the same type of key with the same key usage",
                    old.arn, new.arn
                ))),
            );
        }
        if let Some(a) = self.aliases.get_mut(&aarn) {
            a.target_key_id = new.key_id.clone();
            a.last_updated_date = self.clock;
        }
        Ok(obj!({}))
    }

    pub(super) fn delete_alias(&mut self, cx: &mut Cx, caller: &Caller, r: &DeleteAlias) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "aliasName": r.alias_name }));
        let v = validate_alias_name(&r.alias_name, false);
        self.param(cx, v)?;
        let account = caller_account(caller);
        let aarn = alias_arn(&self.config.partition, &self.config.region, &account, &r.alias_name);
        let key = self.alias_target(cx, &aarn)?;
        cx.resource(&key);
        self.authorize_identity(cx, caller, Operation::DeleteAlias, &aarn, |_| {})?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::DeleteAlias, &key), |_| {})?;
        self.state(cx, Operation::DeleteAlias, &key)?;
        self.aliases.remove(&aarn);
        Ok(obj!({}))
    }

    pub(super) fn list_aliases(&mut self, cx: &mut Cx, caller: &Caller, r: &ListAliases) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "limit": r.limit }));
        self.authorize_identity(cx, caller, Operation::ListAliases, "*", |_| {})?;
        let account = caller_account(caller);
        let filter = match &r.key_id {
            Some(k) => Some(self.lookup(cx, caller, k)?.0.key_id),
            None => None,
        };
        let mut items: Vec<(String, Json)> = self
            .aliases
            .values()
            .filter(|a| a.account == account && filter.as_ref().is_none_or(|f| &a.target_key_id == f))
            .map(|a| (a.name.clone(), obj!({ "AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id, "CreationDate": a.creation_date.epoch_seconds(), "LastUpdatedDate": a.last_updated_date.epoch_seconds() })))
            .collect();
        if filter.is_none() {
            // "The response might also include aliases that have no TargetKeyId field. These are predefined aliases
            // that AWS has created but has not yet associated with a KMS key" (API reference, ListAliases): the AWS
            // managed aliases whose key does not exist yet.
            let (partition, region) = (&self.config.partition, &self.config.region);
            for m in crate::catalogue::MANAGED_ALIASES {
                let arn = alias_arn(partition, region, &account, m.name);
                if !self.aliases.contains_key(&arn) {
                    items.push((m.name.to_string(), obj!({ "AliasName": m.name, "AliasArn": arn })));
                }
            }
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let items: Vec<Json> = items.into_iter().map(|(_, v)| v).collect();
        paginate(items, "Aliases", Operation::ListAliases, r.limit, r.marker.as_deref())
    }
}
