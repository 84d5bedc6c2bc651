//! Tags: tag, untag, list, and the rules tag keys and values follow.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::json::paginate;
use super::steps::KeyAuthz;
use super::Cx;
use crate::api::*;
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::operation::Operation;
use crate::principal::Caller;
use crate::world::World;

impl World {
    pub(super) fn tag_resource(&mut self, cx: &mut Cx, caller: &Caller, r: &TagResource) -> Result<Json, KmsError> {
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "tags": r.tags.iter().map(|t| obj!({"tagKey": t.tag_key, "tagValue": t.tag_value})).collect::<Vec<_>>() }),
        );
        let tags = validate_tags(&r.tags);
        let tags = self.param(cx, tags)?;
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::TagResource, &key), |c| {
            context::request_tags(c, &tags)
        })?;
        self.state(cx, Operation::TagResource, &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            let mut merged = k.tags.clone();
            merged.extend(tags);
            if merged.len() > 50 {
                return Err(KmsError::new(
                    ErrorCode::TagException,
                    "Tags limit exceeded: a key can have at most 50 tags",
                ));
            }
            k.tags = merged;
        }
        Ok(obj!({}))
    }

    pub(super) fn untag_resource(&mut self, cx: &mut Cx, caller: &Caller, r: &UntagResource) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id, "tagKeys": r.tag_keys }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::UntagResource, &key), |c| {
            context::tag_keys(c, &r.tag_keys);
        })?;
        self.state(cx, Operation::UntagResource, &key)?;
        self.managed_check(cx, &key)?;
        if let Some(k) = self.key_mut(&key.arn) {
            for t in &r.tag_keys {
                k.tags.remove(t);
            }
        }
        Ok(obj!({}))
    }

    pub(super) fn list_resource_tags(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &ListResourceTags,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "keyId": r.key_id }));
        let (key, _) = self.lookup_for(cx, caller, &r.key_id, false)?;
        self.authorize_key(cx, caller, KeyAuthz::new(Operation::ListResourceTags, &key), |_| {})?;
        self.state(cx, Operation::ListResourceTags, &key)?;
        let tags: Vec<Json> = key.tags.iter().map(|(k, v)| obj!({ "TagKey": k, "TagValue": v })).collect();
        paginate(tags, "Tags", Operation::ListResourceTags, r.limit, r.marker.as_deref())
    }
}

pub(super) fn validate_tags(tags: &[Tag]) -> Result<BTreeMap<String, String>, KmsError> {
    let mut out = BTreeMap::new();
    for t in tags {
        if t.tag_key.is_empty() || t.tag_key.chars().count() > 128 {
            return Err(KmsError::new(
                ErrorCode::TagException,
                format!("Tag key `{}` must be 1 to 128 characters", t.tag_key),
            ));
        }
        if t.tag_value.chars().count() > 256 {
            return Err(KmsError::new(
                ErrorCode::TagException,
                format!("Tag value for `{}` must be at most 256 characters", t.tag_key),
            ));
        }
        if t.tag_key.starts_with("aws:") {
            return Err(KmsError::new(ErrorCode::TagException, "Tag keys beginning with aws: are reserved"));
        }
        out.insert(t.tag_key.clone(), t.tag_value.clone());
    }
    Ok(out)
}
