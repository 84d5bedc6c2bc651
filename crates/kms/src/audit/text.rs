//! Small values of audit records kept compactly: [`EventId`] (a UUID as 16 bytes) and [`JsonText`] (a JSON object as
//! its minified text). A record of a GenerateRandom call is about a third of the size it had with owned strings and
//! parsed JSON values, which is what lets a world hold a million calls (issue 10, item 6).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

/// A `requestID` or `eventID`: a UUID version 4, written `8-4-4-4-12` in lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EventId([u8; 16]);

impl EventId {
    /// The id of 16 random bytes, with the UUID version (4) and variant (`10`) bits set.
    pub fn from_random(bytes: [u8; 16]) -> EventId {
        EventId(crate::ids::uuid_v4_bits(bytes))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({self})")
    }
}

/// Why a text is not an event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnEventId(String);

impl fmt::Display for NotAnEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an event id (a UUID: 8-4-4-4-12 hexadecimal digits)", self.0)
    }
}

impl FromStr for EventId {
    type Err = NotAnEventId;
    fn from_str(s: &str) -> Result<EventId, NotAnEventId> {
        let bad = || NotAnEventId(s.chars().take(60).collect());
        let groups: Vec<&str> = s.split('-').collect();
        if groups.iter().map(|g| g.len()).collect::<Vec<_>>() != [8, 4, 4, 4, 12] {
            return Err(bad());
        }
        let digits: String = groups.concat();
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            let pair = digits.get(2 * i..2 * i + 2).ok_or_else(bad)?;
            *b = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(EventId(out))
    }
}

impl PartialEq<str> for EventId {
    fn eq(&self, other: &str) -> bool {
        other.parse::<EventId>().is_ok_and(|o| o == *self)
    }
}

impl PartialEq<&str> for EventId {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EventId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A JSON value (request parameters, response elements, additional event data) kept as its minified text. It
/// serialises as the JSON value it holds, so a record's CloudTrail form is unchanged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct JsonText(Box<str>);

impl JsonText {
    pub fn new(value: &Json) -> JsonText {
        JsonText(value.to_string().into_boxed_str())
    }
    /// `{"<key>": "<value>"}` without building the value first.
    pub fn string_member(key: &str, value: &str) -> JsonText {
        let (k, v) = (Json::from(key), Json::from(value));
        JsonText(format!("{{{k}:{v}}}").into_boxed_str())
    }
    /// The value (parsed from the text this type wrote, so it cannot fail; `null` if it somehow did).
    pub fn value(&self) -> Json {
        serde_json::from_str(&self.0).unwrap_or(Json::Null)
    }
    /// The member `key` of the object, if it is one and has it.
    pub fn get(&self, key: &str) -> Option<Json> {
        match self.value() {
            Json::Object(mut m) => m.remove(key),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Json> for JsonText {
    fn from(v: Json) -> JsonText {
        JsonText::new(&v)
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JsonText, D::Error> {
        Ok(JsonText::new(&Json::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests may panic")]
    use super::*;

    #[test]
    fn event_ids_round_trip_through_their_text() {
        let id = EventId::from_random([0xab; 16]);
        let text = id.to_string();
        assert_eq!(text, "abababab-abab-4bab-abab-abababababab");
        assert_eq!(text.parse::<EventId>().unwrap(), id);
        assert!(id == text.as_str());
        for bad in ["", "abababab-abab-4bab-abab-ababababab", "zzababab-abab-4bab-abab-abababababab", "a-b-c-d-e"] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn json_text_serialises_as_its_value() {
        let v = serde_json::json!({ "keyId": "k", "encryptionContext": { "b": "2", "a": "1" } });
        let t = JsonText::new(&v);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        assert_eq!(t.get("keyId"), Some(Json::String("k".into())));
        let back: JsonText = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        let member = JsonText::string_member("keyId", "a\"b");
        assert_eq!(member, JsonText::new(&serde_json::json!({ "keyId": "a\"b" })));
    }
}
