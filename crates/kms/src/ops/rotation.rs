//! Key rotation: automatic (enable, disable, status) and on demand, and the list of rotations.

use serde_json::Value as Json;

use super::json::{paginate, ToJson};
use super::steps::KeyAuthz;
use super::Cx;
use crate::api::*;
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::key::{validate_rotation_period, Key, Origin, RotationType};
use crate::operation::Operation;
use crate::principal::Caller;
use crate::trace::CheckKind;
use crate::world::World;

impl World {
    pub(super) fn rotation_support(&self, cx: &mut Cx, key: &Key) -> Result<(), KmsError> {
        if !key.key_spec.is_symmetric() || key.origin != Origin::AWS_KMS {
            let e = KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!(
                    "{} does not support automatic rotation: only symmetric encryption keys with AWS_KMS origin do",
                    key.arn
                ),
            );
            cx.check(CheckKind::KeyUsage, false, e.message.clone());
            return Err(e);
        }
        Ok(())
    }

    pub(super) fn enable_key_rotation(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &EnableKeyRotation,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "rotationPeriodInDays": r.rotation_period_in_days }));
        let days = r.rotation_period_in_days.unwrap_or(365);
        let period = self.param(cx, validate_rotation_period(days))?;
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::EnableKeyRotation, &key), |c| {
            context::rotation_period(c, days);
        })?;
        self.state(cx, Operation::EnableKeyRotation, &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        let now = self.clock;
        if let Some(k) = self.key_mut(&key.arn) {
            k.rotation.enabled = true;
            k.rotation.period_days = period;
            k.rotation.next_rotation = Some(now.plus_days(days));
        }
        Ok(obj!({}))
    }

    pub(super) fn disable_key_rotation(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &DisableKeyRotation,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::DisableKeyRotation, &key), |_| {})?;
        self.state(cx, Operation::DisableKeyRotation, &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            k.rotation.enabled = false;
            k.rotation.next_rotation = None;
        }
        Ok(obj!({}))
    }

    pub(super) fn get_key_rotation_status(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &GetKeyRotationStatus,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::GetKeyRotationStatus, &key), |_| {})?;
        self.state(cx, Operation::GetKeyRotationStatus, &key)?;
        self.rotation_support(cx, &key)?;
        let mut out = obj!({ "KeyRotationEnabled": key.rotation.enabled, "KeyId": key.arn });
        if let Some(o) = out.as_object_mut() {
            if key.rotation.enabled {
                o.insert("RotationPeriodInDays".into(), ToJson::to_json(&key.rotation.period_days));
                if let Some(n) = key.rotation.next_rotation {
                    o.insert("NextRotationDate".into(), ToJson::to_json(&n.epoch_seconds()));
                }
            }
            if let Some(last) = key.rotation.history.iter().rev().find(|h| h.rotation_type == RotationType::OnDemand) {
                o.insert("OnDemandRotationStartDate".into(), ToJson::to_json(&last.rotation_date.epoch_seconds()));
            }
        }
        Ok(out)
    }

    pub(super) fn rotate_key_on_demand(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &RotateKeyOnDemand,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::RotateKeyOnDemand, &key), |_| {})?;
        self.state(cx, Operation::RotateKeyOnDemand, &key)?;
        self.rotation_support(cx, &key)?;
        self.managed_check(cx, &key)?;
        if key.rotation.on_demand_count >= 25 {
            let e = KmsError::new(ErrorCode::LimitExceededException, format!("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {}", key.arn));
            cx.check(CheckKind::Limit, false, "25 on-demand rotations per key");
            return Err(e);
        }
        let now = self.clock;
        if let Some(k) = self.key_mut(&key.arn) {
            k.current_version = k.current_version.saturating_add(1);
            k.rotation.on_demand_count = k.rotation.on_demand_count.saturating_add(1);
            let version = k.current_version;
            k.rotation.history.push(crate::key::RotationRecord {
                version,
                rotation_date: now,
                rotation_type: RotationType::OnDemand,
            });
        }
        cx.check(
            CheckKind::Cryptography,
            true,
            "new backing key created; earlier versions are kept so old ciphertexts still decrypt",
        );
        Ok(obj!({ "KeyId": key.arn }))
    }

    pub(super) fn list_key_rotations(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ListKeyRotations,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::ListKeyRotations, &key), |_| {})?;
        self.state(cx, Operation::ListKeyRotations, &key)?;
        self.rotation_support(cx, &key)?;
        let mut rotations: Vec<Json> = Vec::new();
        if r.include_key_material.as_deref() == Some("ALL_KEY_MATERIAL") {
            // "KMS adds the first key material ... to the response" (API reference, ListKeyRotations). [verify] the
            // members of that entry: kmsim has no key material ids, so it gives the key and its creation date.
            rotations.push(obj!({ "KeyId": key.arn, "RotationDate": key.creation_date.epoch_seconds() }));
        }
        rotations.extend(key.rotation.history.iter().map(|h| obj!({ "KeyId": key.arn, "RotationDate": h.rotation_date.epoch_seconds(), "RotationType": h.rotation_type.as_str() })));
        paginate(rotations, "Rotations", Operation::ListKeyRotations, r.limit, r.marker.as_deref())
    }
}
