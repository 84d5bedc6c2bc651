//! The request of an evaluation read fast from plain JSON text, for the JS API's prepared path: the common shapes
//! only (a principal, an action, a resource, a context of strings, booleans, integers and arrays of them, a
//! `resource_account`), read straight from the text without a JSON tree, the located reader's bookkeeping or serde's
//! untagged retries. Anything else (a float, a typed value, a misspelt member, a missing one, a `null` context,
//! escaped member names) is `None`, and the caller reads the input with [`super::request`], which accepts the same requests
//! and words every problem. So this reader decides nothing a user sees: it either gives what [`super::request`]
//! gives (tests compare the two on a corpus and on random requests) or leaves the input to it.

use std::collections::BTreeMap;
use std::fmt;

use kmsim_policy::{Context, ContextValue, Principal, PrincipalKind, Request, Value};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// `text` read as a request, or `None` when it is not of the common shapes (or not a request at all).
pub fn request_plain(text: &str) -> Option<Request> {
    let mut de = serde_json::Deserializer::from_str(text);
    let request = de.deserialize_map(RequestVisitor).ok()?;
    de.end().ok()?;
    Some(request)
}

/// Gives up: the error's text is never shown (the caller falls back to the exact reader).
fn give_up<E: de::Error>() -> E {
    E::custom("")
}

/// A field that must not be seen twice.
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(give_up()),
    }
}

struct RequestVisitor;

impl<'de> Visitor<'de> for RequestVisitor {
    type Value = Request;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a request")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Request, A::Error> {
        let (mut principal, mut action, mut resource, mut context, mut resource_account) =
            (None, None, None, None, None);
        while let Some(key) = map.next_key::<&str>()? {
            match key {
                "principal" => once(&mut principal, map.next_value_seed(PrincipalSeed)?)?,
                "action" => once(&mut action, map.next_value::<String>()?)?,
                "resource" => once(&mut resource, map.next_value::<String>()?)?,
                "context" => once(&mut context, map.next_value_seed(ContextSeed)?)?,
                "resource_account" => once(&mut resource_account, map.next_value::<Option<String>>()?)?,
                _ => return Err(give_up()),
            }
        }
        Ok(Request {
            principal: principal.ok_or_else(give_up)?,
            action: action.ok_or_else(give_up)?,
            resource: resource.ok_or_else(give_up)?,
            context: context.unwrap_or_default(),
            resource_account: resource_account.flatten(),
        })
    }
}

struct PrincipalSeed;

impl<'de> de::DeserializeSeed<'de> for PrincipalSeed {
    type Value = Principal;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Principal, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PrincipalSeed {
    type Value = Principal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a principal")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Principal, A::Error> {
        let (mut arn, mut kind, mut account, mut role_arn, mut boundary) = (None, None, None, None, None);
        while let Some(key) = map.next_key::<&str>()? {
            match key {
                "arn" => once(&mut arn, map.next_value::<String>()?)?,
                "kind" => once(&mut kind, map.next_value::<PrincipalKind>()?)?,
                "account" => once(&mut account, map.next_value::<Option<String>>()?)?,
                "role_arn" => once(&mut role_arn, map.next_value::<Option<String>>()?)?,
                "permissions_boundary" => once(&mut boundary, map.next_value::<bool>()?)?,
                _ => return Err(give_up()),
            }
        }
        Ok(Principal {
            arn: arn.ok_or_else(give_up)?,
            kind: kind.ok_or_else(give_up)?,
            account: account.flatten(),
            role_arn: role_arn.flatten(),
            permissions_boundary: boundary.unwrap_or(false),
        })
    }
}

struct ContextSeed;

impl<'de> de::DeserializeSeed<'de> for ContextSeed {
    type Value = Context;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Context, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ContextSeed {
    type Value = Context;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Context, A::Error> {
        // As `Context`'s own reader does: by key (a later duplicate replaces an earlier one), then inserted in key
        // order, so of two keys that differ only in case the later in that order wins.
        let mut raw = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Entry>()?.0;
            raw.insert(key, value);
        }
        let mut context = Context::new();
        for (k, v) in raw {
            context.insert(k, v);
        }
        Ok(context)
    }
}

/// A context entry of a plain form: a string, a boolean, an integer, or an array of those.
struct Entry(ContextValue);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Entry, E> {
        Ok(Entry(ContextValue::Single(Value::Bool(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Entry, E> {
        Scalar::visit_u64(v).map(|s| Entry(ContextValue::Single(s.0)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Entry, E> {
        Scalar::visit_i64(v).map(|s| Entry(ContextValue::Single(s.0)))
    }
    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Entry, E> {
        // serde_json's float reading is not correctly rounded; the exact reader's is.
        Err(give_up())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
        Ok(Entry(ContextValue::Single(Value::String(v.to_string()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Entry, E> {
        Ok(Entry(ContextValue::Single(Value::String(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Scalar(v)) = seq.next_element()? {
            values.push(v);
        }
        Ok(Entry(ContextValue::Multi(values)))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Entry, A::Error> {
        // A typed value (`{ type, value }`): the exact reader's.
        Err(give_up())
    }
}

/// One value of a multi-valued entry: a string, a boolean or an integer.
struct Scalar(Value);

impl Scalar {
    // Numbers become `f64` as serde's `f64` reader makes them from integers (`as`).
    #[expect(clippy::cast_precision_loss, reason = "as the exact reader converts integers to f64")]
    fn visit_u64<E: de::Error>(v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Value::Number(v as f64)))
    }
    #[expect(clippy::cast_precision_loss, reason = "as the exact reader converts integers to f64")]
    fn visit_i64<E: de::Error>(v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Value::Number(v as f64)))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(Value::Bool(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Scalar::visit_u64(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Scalar::visit_i64(v)
    }
    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Scalar, E> {
        Err(give_up())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(Value::String(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(Value::String(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Scalar, A::Error> {
        Err(give_up())
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Scalar, A::Error> {
        Err(give_up())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests may fail loudly")]

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use serde_json::{json, Value as J};

    use super::*;
    use crate::session::request;

    /// The fast reader agrees with the exact one: when it reads `input`, the exact reader reads the same request.
    /// Returns whether the fast reader read it.
    fn agrees(input: &J) -> bool {
        let text = serde_json::to_string(input).unwrap();
        match request_plain(&text) {
            Some(fast) => {
                match request(input.clone()) {
                    Ok(exact) => assert_eq!(exact, fast, "{text}"),
                    Err(f) => panic!("{text}: read fast, but the exact reader says {}", f.message),
                }
                true
            }
            None => false,
        }
    }

    fn principal() -> J {
        json!({"arn": "arn:aws:iam::111122223333:role/App", "kind": "role", "account": "111122223333"})
    }

    #[test]
    fn plain_requests_read_as_the_exact_reader_reads_them() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let plain = [
            json!({"principal": principal(), "action": "kms:Decrypt", "resource": key}),
            json!({"principal": principal(), "action": "kms:Decrypt", "resource": key, "context": {}}),
            json!({"resource": key, "action": "kms:Decrypt", "principal": principal(), "resource_account": null}),
            json!({"principal": {"arn": "s3.amazonaws.com", "kind": "service"}, "action": "kms:Encrypt", "resource": "*",
                "resource_account": "444455556666"}),
            json!({"principal": {"arn": "arn:aws:sts::111122223333:assumed-role/App/s", "kind": "role-session",
                "account": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/App", "permissions_boundary": true},
                "action": "kms:Decrypt", "resource": key}),
            json!({"principal": {"arn": "x", "kind": "user", "account": null, "role_arn": null,
                "permissions_boundary": false}, "action": "", "resource": ""}),
            json!({"principal": principal(), "action": "kms:Decrypt", "resource": key, "context": {
                "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b",
                "kms:EncryptionContextKeys": ["aws:s3:arn", "x"], "aws:MultiFactorAuthPresent": false,
                "aws:EpochTime": 1_767_225_600, "n": -3, "big": 18_446_744_073_709_551_615_u64,
                "mixed": [1, "a", true, -2], "empty": [], "quote\"d\n": "t\u{e9}xt \"\\ \u{1F600}"}}),
            // Keys that differ only in case: the later in key order wins, as in `Context`'s own reader.
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"aws:K": "1", "AWS:k": "2", "aws:k": "3"}}),
        ];
        for input in &plain {
            assert!(agrees(input), "read fast: {input}");
        }
        // Not of the common shapes: left to the exact reader (which reads some and rejects the others).
        let left = [
            json!({"principal": principal(), "action": "kms:Decrypt"}),
            json!({"principal": principal(), "action": "kms:Decrypt", "resource": "*", "contxt": {}}),
            json!({"principal": {"arn": "a", "knd": "user"}, "action": "kms:Decrypt", "resource": "*"}),
            json!({"principal": {"arn": "a", "kind": "User"}, "action": "kms:Decrypt", "resource": "*"}),
            json!({"principal": principal(), "action": 5, "resource": "*"}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": null}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"k": null}}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"k": [[1]]}}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"k": [{"type": "ip", "value": "1.2.3.4"}]}}),
            json!({"principal": principal(), "action": "a", "resource": "*",
                "context": {"aws:SourceIp": {"type": "ip", "value": "203.0.113.7"}}}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": []}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"f": 2.5}}),
            json!({"principal": principal(), "action": "a", "resource": "*", "context": {"f": [1, 0.5]}}),
            json!({"principal": principal(), "action": "a", "resource": "*", "principal_arn": "x"}),
            json!(["principal"]),
            json!(null),
        ];
        for input in &left {
            assert!(!agrees(input), "left to the exact reader: {input}");
        }
        // Duplicate members (JSON text, not a JS object) are left to the exact reader too; trailing text is refused.
        let dup = format!(r#"{{"principal": {}, "action": "a", "action": "b", "resource": "*"}}"#, principal());
        assert!(request_plain(&dup).is_none());
        let good = serde_json::to_string(&plain[0]).unwrap();
        assert!(request_plain(&format!("{good} x")).is_none());
        assert!(request_plain(&format!(" {good} ")).is_some());
        let escaped = good.replacen("\"action\"", "\"\\u0061ction\"", 1);
        assert_eq!(request_plain(&escaped), None, "an escaped member name is the exact reader's");
        assert_eq!(request(serde_json::from_str(&escaped).unwrap()).ok(), request_plain(&good));
    }

    fn scalar() -> impl Strategy<Value = J> {
        prop_oneof![
            any::<bool>().prop_map(J::from),
            any::<i64>().prop_map(J::from),
            any::<u64>().prop_map(J::from),
            (-1e6f64..1e6).prop_map(J::from),
            "[a-zA-Z:/*?$ \u{e9}\"\\\\]{0,12}".prop_map(J::from),
            Just(J::Null),
            Just(json!({"type": "ip", "value": "10.0.0.1"})),
            Just(json!({"type": "number", "value": "12"})),
        ]
    }

    /// Mostly plain scalars, sometimes a null or a typed value.
    fn scalar_mostly_plain() -> impl Strategy<Value = J> {
        prop_oneof![
            20 => any::<bool>().prop_map(J::from),
            20 => any::<i64>().prop_map(J::from),
            10 => any::<u64>().prop_map(J::from),
            10 => (-1e6f64..1e6).prop_map(J::from),
            30 => "[a-zA-Z:/*?$ \u{e9}\"\\\\]{0,12}".prop_map(J::from),
            1 => scalar(),
        ]
    }

    fn context_value() -> impl Strategy<Value = J> {
        prop_oneof![
            30 => scalar_mostly_plain(),
            15 => prop::collection::vec(scalar_mostly_plain(), 0..4).prop_map(J::from),
            1 => Just(json!({})),
            1 => prop::collection::vec(scalar(), 0..3).prop_map(|v| J::from(vec![J::from(v)])),
        ]
    }

    fn member<S: Strategy<Value = J>>(name: &'static str, value: S) -> impl Strategy<Value = Option<(String, J)>> {
        sometimes(0.97, name, value)
    }

    /// `name: value` with probability `p`, else no member.
    fn sometimes<S: Strategy<Value = J>>(
        p: f64,
        name: &'static str,
        value: S,
    ) -> impl Strategy<Value = Option<(String, J)>> {
        prop::option::weighted(p, value.prop_map(move |v| (name.to_string(), v)))
    }

    fn object(members: Vec<Option<(String, J)>>) -> J {
        J::Object(members.into_iter().flatten().collect())
    }

    fn principal_value() -> impl Strategy<Value = J> {
        let kind = prop_oneof![
            8 => Just(J::from("user")),
            8 => Just(J::from("role-session")),
            8 => Just(J::from("service")),
            1 => Just(J::from("Role")),
            1 => Just(J::Null)
        ];
        let optional_text = prop_oneof![8 => Just(J::from("111122223333")), 4 => Just(J::Null), 1 => Just(J::from(1))];
        (
            member("arn", prop_oneof![20 => Just(J::from("arn:aws:iam::111122223333:user/u")), 1 => Just(J::from(7))]),
            member("kind", kind),
            member("account", optional_text.clone()),
            member("role_arn", optional_text),
            sometimes(
                0.3,
                "permissions_boundary",
                prop_oneof![8 => Just(J::from(true)), 8 => Just(J::from(false)), 1 => Just(J::Null)],
            ),
            sometimes(0.05, "knd", Just(J::from("user"))),
        )
            .prop_map(|(a, b, c, d, e, f)| object(vec![a, b, c, d, e, f]))
    }

    fn request_value() -> impl Strategy<Value = J> {
        let context = prop::collection::btree_map("(aws|AWS|kms):[a-zA-Z]{1,3}", context_value(), 0..5)
            .prop_map(|m| J::Object(m.into_iter().collect()));
        (
            member("principal", principal_value()),
            member("action", prop_oneof![20 => Just(J::from("kms:Decrypt")), 1 => Just(J::from(1))]),
            member("resource", Just(J::from("*"))),
            member("context", prop_oneof![20 => context, 1 => Just(J::Null), 1 => Just(json!([]))]),
            sometimes(
                0.3,
                "resource_account",
                prop_oneof![8 => Just(J::from("444455556666")), 8 => Just(J::Null), 1 => Just(J::from(false))],
            ),
        )
            .prop_map(|(a, b, c, d, e)| object(vec![a, b, c, d, e]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_requests_read_fast_as_the_exact_reader_reads_them(input in request_value()) {
            agrees(&input);
        }
    }

    #[test]
    fn floats_are_read_exactly() {
        // serde_json's default float reading gives 0.0004308033390841863 for this text; the exact reader does not.
        let text = "0.00043080333908418635";
        let input = json!({"principal": principal(), "action": "a", "resource": "*",
            "context": {"n": serde_json::from_str::<J>(text).unwrap(), "m": J::from(0.000_430_803_339_084_186_35)}});
        let r = request(input).unwrap();
        let want = Value::Number(kmsim_policy::parse_f64(text).unwrap());
        assert_eq!(r.context.get("m"), Some(&ContextValue::Single(want.clone())));
        assert_ne!(serde_json::from_str::<f64>(text).unwrap(), 0.000_430_803_339_084_186_35, "serde_json misreads it");
        assert_eq!(
            r.context.get("n").map(ContextValue::values),
            Some(&[Value::Number(serde_json::from_str::<f64>(text).unwrap())][..])
        );
    }

    #[test]
    fn random_requests_are_mostly_read_fast() {
        // The property above holds trivially if the fast reader gives up on everything: count how many it reads.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = request_value();
        let mut fast = 0;
        for _ in 0..2000 {
            let input = strategy.new_tree(&mut runner).unwrap().current();
            fast += usize::from(agrees(&input));
        }
        assert!(fast > 500, "read fast: {fast} of 2000");
    }
}
