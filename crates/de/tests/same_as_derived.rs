//! The one "same as serde_derive" suite: each struct below is declared twice from one definition, once with
//! `#[derive(serde::Deserialize)]` and once with `#[derive(kmsim_de::Deserialize)]`, and both must read every input
//! the same way: the same value, or the same error message (with serde_json's line and column for text, without for
//! `serde_json::Value`). The structs cover what the derive accepts: required fields, `default`, `Option` with and
//! without `default`, `rename`, `rename_all = "PascalCase"`, `deny_unknown_fields` or not, nesting, maps and lists.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use serde_json::{json, Value as J};

macro_rules! twice {
    ($($item:item)*) => {
        #[expect(dead_code, reason = "the fields are compared through `Debug`, which the lint does not count")]
        mod serde_side {
            use std::collections::BTreeMap;
            $( #[derive(Debug, Default, serde::Deserialize)] $item )*
        }
        mod kmsim_side {
            use std::collections::BTreeMap;
            $( #[derive(Debug, Default, kmsim_de::Deserialize)] $item )*
        }
    };
}

twice! {
    #[serde(deny_unknown_fields)]
    pub struct Strict {
        pub required: String,
        #[serde(default)]
        pub list: Vec<u32>,
        pub maybe: Option<i64>,
        #[serde(default)]
        pub defaulted_option: Option<bool>,
        #[serde(rename = "as", default)]
        pub caller: String,
        #[serde(default)]
        pub nested: Option<Pascal>,
        #[serde(default)]
        pub map: BTreeMap<String, String>,
    }

    #[serde(rename_all = "PascalCase", deny_unknown_fields)]
    pub struct Pascal {
        pub key_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub grant_tokens: Option<Vec<String>>,
        #[serde(default)]
        pub number_of_bytes: Option<u32>,
    }

    pub struct Lenient {
        pub v: u32,
        #[serde(default)]
        pub name: Option<String>,
        pub inner: Strict,
        #[serde(default)]
        pub rows: Vec<Row>,
    }

    pub struct Row {
        pub key: String,
        #[serde(rename = "type", default)]
        pub ty: String,
    }
}

/// Values of every JSON kind and of every field type, valid or not.
fn samples() -> Vec<J> {
    vec![
        J::Null,
        json!(true),
        json!(0),
        json!(7),
        json!(-3),
        json!(4294967296_u64),
        json!(1.5),
        json!(""),
        json!("k"),
        json!([]),
        json!([1, 2]),
        json!(["a"]),
        json!({}),
        json!({"a": "b"}),
        json!({"KeyId": "k"}),
        json!({"KeyId": "k", "GrantTokens": ["t"], "NumberOfBytes": 3}),
        json!({"KeyId": 1}),
        json!({"keyId": "k"}),
        json!({"required": "r"}),
        json!({"required": "r", "extra": 1}),
        json!([{"key": "a", "type": "b"}, {"key": "c"}]),
        json!([{"type": "b"}]),
    ]
}

fn same<A: serde::de::DeserializeOwned + std::fmt::Debug, B: serde::de::DeserializeOwned + std::fmt::Debug>(
    v: &J,
    tally: &mut (usize, usize),
) {
    let text = v.to_string();
    let pretty = serde_json::to_string_pretty(v).unwrap();
    for t in [&text, &pretty] {
        let a = serde_json::from_str::<A>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        let b = serde_json::from_str::<B>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        assert_eq!(a, b, "text {t}");
        if a.is_ok() {
            tally.0 += 1
        } else {
            tally.1 += 1
        }
    }
    let a = serde_json::from_value::<A>(v.clone()).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
    let b = serde_json::from_value::<B>(v.clone()).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
    assert_eq!(a, b, "value {v}");
}

/// Objects with each field set to each sample (alone, among valid fields, around an unknown member, twice), arrays
/// of every length, and every sample as the whole value.
fn inputs(fields: &[(&str, J)]) -> Vec<J> {
    let mut out = samples();
    let valid: serde_json::Map<String, J> = fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    out.push(J::Object(valid.clone()));
    for (k, _) in fields {
        let mut without = valid.clone();
        without.remove(*k);
        out.push(J::Object(without));
        for s in samples() {
            let mut m = valid.clone();
            m.insert(k.to_string(), s.clone());
            out.push(J::Object(m.clone()));
            let mut alone = serde_json::Map::new();
            alone.insert(k.to_string(), s.clone());
            out.push(J::Object(alone));
            let mut around = serde_json::Map::new();
            around.insert("Unknown".into(), json!(1));
            around.insert(k.to_string(), s.clone());
            out.push(J::Object(around));
        }
    }
    let arr: Vec<J> = fields.iter().map(|(_, v)| v.clone()).collect();
    for n in 0..=arr.len() {
        out.push(J::Array(arr[..n].to_vec()));
    }
    let mut longer = arr.clone();
    longer.push(json!(1));
    out.push(J::Array(longer));
    out
}

fn run<A: serde::de::DeserializeOwned + std::fmt::Debug, B: serde::de::DeserializeOwned + std::fmt::Debug>(
    fields: &[(&str, J)],
) -> (usize, usize) {
    let mut tally = (0, 0);
    for v in inputs(fields) {
        same::<A, B>(&v, &mut tally);
    }
    tally
}

fn strict_fields() -> Vec<(&'static str, J)> {
    vec![
        ("required", json!("r")),
        ("list", json!([1])),
        ("maybe", json!(-1)),
        ("defaulted_option", json!(true)),
        ("as", json!("role/App")),
        ("nested", json!({"KeyId": "k"})),
        ("map", json!({"a": "b"})),
    ]
}

#[test]
fn strict_structs_read_as_with_serde_derive() {
    let (ok, err) = run::<serde_side::Strict, kmsim_side::Strict>(&strict_fields());
    assert!(ok > 20 && err > 100, "{ok} read, {err} rejected");
}

#[test]
fn pascal_case_structs_read_as_with_serde_derive() {
    let fields = [("KeyId", json!("k")), ("GrantTokens", json!(["t"])), ("NumberOfBytes", json!(3))];
    let (ok, err) = run::<serde_side::Pascal, kmsim_side::Pascal>(&fields);
    assert!(ok > 10 && err > 50, "{ok} read, {err} rejected");
}

#[test]
fn lenient_structs_read_as_with_serde_derive() {
    let strict: serde_json::Map<String, J> = strict_fields().into_iter().map(|(k, v)| (k.into(), v)).collect();
    let fields = [
        ("v", json!(2)),
        ("name", json!("n")),
        ("inner", J::Object(strict)),
        ("rows", json!([{"key": "a", "type": "b"}, {"key": "c"}])),
    ];
    let (ok, err) = run::<serde_side::Lenient, kmsim_side::Lenient>(&fields);
    assert!(ok > 20 && err > 50, "{ok} read, {err} rejected");
}

#[test]
fn duplicates_and_odd_texts_fail_alike() {
    let mut tally = (0, 0);
    for t in [
        r#"{"required": "a", "required": "b"}"#,
        r#"{"v": 1, "v": 2, "inner": {"required": "r"}}"#,
        r#"{"required": "a", "list": [1, 2,]}"#,
        r#"{"required": "a""#,
        r#"["a", [1], 3, null, "x", null, {}, "extra"]"#,
        r#"{"v": 1, "inner": {"required": "r", "nested": {"KeyId": "k", "KeyId": "l"}}}"#,
    ] {
        let a = serde_json::from_str::<serde_side::Strict>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        let b = serde_json::from_str::<kmsim_side::Strict>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        assert_eq!(a, b, "{t}");
        let a = serde_json::from_str::<serde_side::Lenient>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        let b = serde_json::from_str::<kmsim_side::Lenient>(t).map(|x| format!("{x:?}")).map_err(|e| e.to_string());
        assert_eq!(a, b, "{t}");
        if a.is_ok() {
            tally.0 += 1
        } else {
            tally.1 += 1
        }
    }
    assert!(tally.1 >= 4, "{tally:?}");
}
