//! The JSON of responses and audit records: [`obj!`] builds an object from plain values without `json!`'s
//! `to_value(..).unwrap()` per member (smaller in the browser bundle); [`paginate`] cuts a list into pages.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::Value as Json;

use crate::error::{ErrorCode, KmsError};

/// `json!` for an object whose members are strings, numbers, booleans, options, arrays and JSON values: the same
/// object (members in the same order, `None` as `null`) without `json!`'s `to_value(..).unwrap()` per member, which
/// makes the browser bundle smaller.
macro_rules! obj {
    ({ $($k:literal: $v:expr),* $(,)? }) => {{
        // Sized for its members: a map grown one insert at a time keeps room for four.
        #[allow(unused_mut)]
        let mut m = serde_json::Map::with_capacity(<[&str]>::len(&[$($k),*]));
        $(m.insert($k.to_string(), $crate::ops::json::ToJson::to_json(&$v));)*
        serde_json::Value::Object(m)
    }};
}

/// What `serde_json::to_value` makes of the plain types [`obj!`] takes (it cannot fail for them).
pub(crate) trait ToJson {
    fn to_json(&self) -> Json;
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Json {
        (**self).to_json()
    }
}

impl ToJson for str {
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json {
        Json::String(self.clone())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Json {
        Json::Bool(*self)
    }
}

impl ToJson for Json {
    fn to_json(&self) -> Json {
        self.clone()
    }
}

macro_rules! to_json_number {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                Json::Number((*self).into())
            }
        }
    )*};
}
to_json_number!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json {
        self.as_ref().map_or(Json::Null, T::to_json)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self) -> Json {
        Json::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

/// Types with a `Serialize` that cannot fail: through serde, as `json!` does.
macro_rules! to_json_serialize {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                serde_json::to_value(self).unwrap_or(Json::Null)
            }
        }
    )*};
}
to_json_serialize!(crate::clock::Timestamp, crate::grant::GrantConstraints);

impl<T: ToJson> ToJson for BTreeSet<T> {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

/// Base64 text of binary data, as on the wire.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One page of `items` as `{field: [...], "Truncated": .., "NextMarker": ..}`; the marker is the next offset. The
/// page size is the request's `Limit` or the operation's documented default ([`crate::model::page_size`]).
pub(crate) fn paginate(
    items: Vec<Json>,
    field: &str,
    op: crate::operation::Operation,
    limit: Option<i64>,
    marker: Option<&str>,
) -> Result<Json, KmsError> {
    let limit = crate::model::page_size(op.name(), limit);
    let start = match marker {
        None => 0,
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| KmsError::new(ErrorCode::InvalidMarkerException, format!("Invalid marker `{m}`")))?,
    };
    let page: Vec<Json> = items.iter().skip(start).take(limit).cloned().collect();
    let truncated = start + page.len() < items.len();
    let mut out = serde_json::Map::new();
    out.insert(field.into(), Json::Array(page));
    out.insert("Truncated".into(), ToJson::to_json(&truncated));
    if truncated {
        out.insert("NextMarker".into(), ToJson::to_json(&(start + limit).to_string()));
    }
    Ok(Json::Object(out))
}
