//! A serde `Deserializer` over the located JSON tree ([`kmsim_policy::json::Node`]): the scenario's types are read
//! from the same parse that gives every value its position, and an error carries the position and JSON Pointer of
//! the value (or member name) it is about. Messages are serde_json's, in kmsim's words: JSON's names for the
//! expected types (`an object`, `an array`, `a whole number`), never a Rust type or struct name, and an unknown
//! member is named with a suggestion of the member meant.

use std::collections::BTreeSet;
use std::fmt;

use kmsim_policy::json::{escape_pointer, Json, Member, Node, Pos};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

/// Where a value is: the JSON Pointer segments from the root, built only when an error needs them.
#[derive(Clone, Copy)]
pub(super) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    pub(super) fn pointer(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, k) => format!("{}/{}", parent.pointer(), escape_pointer(k)),
            Path::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

/// A typed-read error: the message (and a suggestion), and once known, the position and pointer of what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocatedError {
    pub message: String,
    pub help: Option<String>,
    pub at: Option<(Pos, String)>,
}

impl LocatedError {
    fn locate(mut self, pos: Pos, path: &Path<'_>) -> LocatedError {
        if self.at.is_none() {
            self.at = Some((pos, path.pointer()));
        }
        self
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LocatedError {}

impl de::Error for LocatedError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        // serde's untagged enums name the Rust type: say what it means instead.
        let message = if message.starts_with("data did not match any variant of untagged enum") {
            "the value has none of the accepted forms".to_string()
        } else {
            message
        };
        LocatedError { message, help: None, at: None }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid type: {}, expected {}", JsonUnexpected(unexp), expected(exp)))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid value: {}, expected {}", JsonUnexpected(unexp), expected(exp)))
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid length {len}, expected {}", expected(exp)))
    }

    fn unknown_field(field: &str, known: &'static [&'static str]) -> Self {
        let help = match kmsim_policy::suggest(field, known) {
            Some(c) => Some(format!("did you mean `{c}`?")),
            None if known.is_empty() => Some("this object takes no members".to_string()),
            None => Some(format!("one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))),
        };
        LocatedError { message: format!("unknown field `{field}`"), help, at: None }
    }
}

/// What was expected, in JSON's words: a Rust type or struct name becomes the JSON type it is read from.
fn expected(exp: &dyn de::Expected) -> String {
    let text = exp.to_string();
    let words = match text.as_str() {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a non-negative whole number",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a sequence" => "an array",
        "a map" | "string or map" => "an object",
        "unit" => "null",
        "a character" => "a one-character string",
        t if t.starts_with("struct ") || t.starts_with("tuple struct ") => "an object",
        t if t.starts_with("a string") || t.starts_with("a boolean") || t.starts_with("an ") => return text,
        t if t.starts_with("enum ") || t.starts_with("variant ") => "one of the names listed in the help",
        _ => return text,
    };
    words.to_string()
}

/// serde_json's wording of an unexpected value (`null`, floats as serde_json prints them).
struct JsonUnexpected<'a>(de::Unexpected<'a>);

impl fmt::Display for JsonUnexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            de::Unexpected::Unit => f.write_str("null"),
            de::Unexpected::Map => f.write_str("an object"),
            de::Unexpected::Seq => f.write_str("an array"),
            de::Unexpected::Float(v) => match serde_json::Number::from_f64(v) {
                Some(n) => write!(f, "floating point `{n}`"),
                None => fmt::Display::fmt(&self.0, f),
            },
            other => fmt::Display::fmt(&other, f),
        }
    }
}

type R<T> = Result<T, LocatedError>;

/// Nodes left out of their array or object (by [`address`]).
pub(super) type Skip = BTreeSet<usize>;

/// A node's identity in [`Skip`].
pub(super) fn address(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

/// Reads `T` from a JSON value with this module's wording (the protocol's inputs: an `evaluate` request); the
/// error's position is empty, its pointer is the place in `value`.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: &serde_json::Value) -> R<T> {
    let node = node_of(value);
    from_node(&node, &Path::Root, &Skip::new())
}

/// Reads `T` from JSON text with this module's wording; the error's position is in the text (the CLI's `eval`
/// request). A text that is not JSON is an error at the place it stops being JSON.
pub(crate) fn from_text<T: de::DeserializeOwned>(text: &str) -> R<T> {
    let parsed = kmsim_policy::json::parse(text);
    if let Some(d) = parsed.duplicates.first() {
        let path = format!("{}/{}", d.path, escape_pointer(&d.key));
        return Err(LocatedError {
            message: format!("duplicate key `{}`", d.key),
            help: None,
            at: Some((d.pos, path)),
        });
    }
    match parsed.root {
        Ok(root) => from_node(&root, &Path::Root, &Skip::new()),
        Err(e) => Err(LocatedError { message: e.message, help: e.help, at: Some((e.pos, String::new())) }),
    }
}

/// A located tree of a JSON value, without positions (a value built in code has no text).
pub(super) fn node_of(v: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match v {
        J::Null => Json::Null,
        J::Bool(b) => Json::Bool(*b),
        J::Number(n) => Json::Number(n.to_string()),
        J::String(s) => Json::String(s.clone()),
        J::Array(a) => Json::Array(a.iter().map(node_of).collect()),
        J::Object(m) => Json::Object(
            m.iter().map(|(k, v)| Member { key: k.clone(), key_pos: Pos::default(), value: node_of(v) }).collect(),
        ),
    };
    Node { value, pos: Pos::default() }
}

/// Reads `T` from `node` (at `path`) as serde_json would read the node's text, leaving out the nodes in `skip`.
pub(super) fn from_node<'a, T: de::Deserialize<'a>>(node: &'a Node, path: &Path<'_>, skip: &Skip) -> R<T> {
    T::deserialize(NodeDe { node, path, skip })
}

/// The deserializer over one node (`T::deserialize(Reader::new(..))` is [`from_node`]).
pub(super) type Reader<'a, 'p> = NodeDe<'a, 'p>;

pub(super) struct NodeDe<'a, 'p> {
    node: &'a Node,
    path: &'p Path<'p>,
    skip: &'p Skip,
}

impl<'a, 'p> NodeDe<'a, 'p> {
    pub(super) fn new(node: &'a Node, path: &'p Path<'p>, skip: &'p Skip) -> NodeDe<'a, 'p> {
        NodeDe { node, path, skip }
    }
}

impl<'a> NodeDe<'a, '_> {
    fn any<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match &self.node.value {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Number(text) => number(text, visitor),
            Json::String(s) => visitor.visit_borrowed_str(s),
            Json::Array(items) => {
                let mut seq = Items { items: items.iter().enumerate(), path: self.path, skip: self.skip };
                let value = visitor.visit_seq(&mut seq)?;
                match seq.next_item() {
                    None => Ok(value),
                    Some(_) => Err(de::Error::invalid_length(items.len(), &"fewer elements in array")),
                }
            }
            Json::Object(members) => self.object(members, visitor),
        }
    }

    fn object<V: Visitor<'a>>(self, members: &'a [Member], visitor: V) -> R<V::Value> {
        let mut map = Members { members: members.iter(), value: None, path: self.path, skip: self.skip };
        let value = visitor.visit_map(&mut map)?;
        match map.next_member() {
            None => Ok(value),
            Some(_) => Err(de::Error::invalid_length(members.len(), &"fewer elements in map")),
        }
    }
}

/// A number as serde_json reads it: an unsigned or negative integer when it is one and fits, else a float (with
/// serde_json's `number out of range`), its value correctly rounded (serde_json's own float parsing, without its
/// `float_roundtrip` feature, can be one unit in the last place off: `0.00043080333908418635`).
fn number<'a, V: Visitor<'a>>(text: &str, visitor: V) -> R<V::Value> {
    match number_of(text)? {
        Number::Unsigned(u) => visitor.visit_u64(u),
        Number::Negative(i) => visitor.visit_i64(i),
        Number::Float(f) => visitor.visit_f64(f),
    }
}

/// A JSON number's value, read once for every visitor (the part of [`number`] that does not depend on it).
enum Number {
    Unsigned(u64),
    Negative(i64),
    Float(f64),
}

fn number_of(text: &str) -> R<Number> {
    let n = serde_json::from_str::<serde_json::Number>(text).map_err(|e| {
        let msg = e.to_string();
        LocatedError { message: msg.split(" at line ").next().unwrap_or(&msg).to_string(), help: None, at: None }
    })?;
    Ok(if let Some(u) = n.as_u64() {
        Number::Unsigned(u)
    } else if let Some(i) = n.as_i64() {
        Number::Negative(i)
    } else {
        let exact = kmsim_policy::parse_f64(text).filter(|f| f.is_finite());
        Number::Float(exact.or_else(|| n.as_f64()).unwrap_or(f64::NAN))
    })
}

impl<'a> de::Deserializer<'a> for NodeDe<'a, '_> {
    type Error = LocatedError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        let (pos, path) = (self.node.pos, self.path);
        self.any(visitor).map_err(|e| e.locate(pos, path))
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        let (pos, path) = (self.node.pos, self.path);
        match self.node.value {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .map_err(|e| e.locate(pos, path))
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _: &'static str, visitor: V) -> R<V::Value> {
        let (pos, path) = (self.node.pos, self.path);
        visitor.visit_newtype_struct(self).map_err(|e| e.locate(pos, path))
    }

    fn deserialize_enum<V: Visitor<'a>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> R<V::Value> {
        let (pos, path) = (self.node.pos, self.path);
        match &self.node.value {
            Json::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Json::Object(members) if members.len() == 1 => match members.first() {
                Some(m) => visitor.visit_enum(Variant { member: m, path: self.path, skip: self.skip }),
                None => Err(de::Error::custom("expected an enum")),
            },
            _ => Err(de::Error::invalid_type(unexpected(self.node), &"string or map")),
        }
        .map_err(|e| e.locate(pos, path))
    }

    /// A struct is read from an object only, as the scenario's schema says (serde_json would also take an array
    /// of the fields in order, which no kmsim file or snapshot is written as; refusing it at load also keeps a
    /// second, positional reading of every struct out of the browser bundle).
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        let (pos, path) = (self.node.pos, self.path);
        match &self.node.value {
            Json::Object(members) => self.object(members, visitor),
            _ => Err(de::Error::invalid_type(unexpected(self.node), &visitor)),
        }
        .map_err(|e| e.locate(pos, path))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq
        tuple tuple_struct map identifier
    }
}

fn unexpected(node: &Node) -> de::Unexpected<'_> {
    match &node.value {
        Json::Null => de::Unexpected::Unit,
        Json::Bool(b) => de::Unexpected::Bool(*b),
        Json::Number(_) => de::Unexpected::Other("number"),
        Json::String(s) => de::Unexpected::Str(s),
        Json::Array(_) => de::Unexpected::Seq,
        Json::Object(_) => de::Unexpected::Map,
    }
}

/// An array's entries (one type for every visitor, so that its `SeqAccess` is compiled once per element type).
struct Items<'a, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Node>>,
    path: &'p Path<'p>,
    skip: &'p Skip,
}

impl<'a> Items<'a, '_> {
    /// The next entry not in `skip`, with its index in the array.
    fn next_item(&mut self) -> Option<(usize, &'a Node)> {
        let skip = self.skip;
        self.items.find(|(_, n)| !skip.contains(&address(n)))
    }
}

impl<'a> de::SeqAccess<'a> for &mut Items<'a, '_> {
    type Error = LocatedError;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> R<Option<T::Value>> {
        match self.next_item() {
            Some((i, node)) => {
                let path = Path::Index(self.path, i);
                seed.deserialize(NodeDe { node, path: &path, skip: self.skip }).map(Some)
            }
            None => Ok(None),
        }
    }
}

struct Members<'a, 'p> {
    members: std::slice::Iter<'a, Member>,
    value: Option<&'a Member>,
    path: &'p Path<'p>,
    skip: &'p Skip,
}

impl<'a> Members<'a, '_> {
    fn next_member(&mut self) -> Option<&'a Member> {
        let skip = self.skip;
        self.members.find(|m| !skip.contains(&address(&m.value)))
    }
}

impl<'a> de::MapAccess<'a> for &mut Members<'a, '_> {
    type Error = LocatedError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> R<Option<K::Value>> {
        let Some(m) = self.next_member() else { return Ok(None) };
        self.value = Some(m);
        let key: de::value::BorrowedStrDeserializer<'a, LocatedError> = de::value::BorrowedStrDeserializer::new(&m.key);
        seed.deserialize(key).map(Some).map_err(|e| e.locate(m.key_pos, &Path::Key(self.path, &m.key)))
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> R<V::Value> {
        let Some(m) = self.value.take() else { return Err(de::Error::custom("a value without its key")) };
        let path = Path::Key(self.path, &m.key);
        seed.deserialize(NodeDe { node: &m.value, path: &path, skip: self.skip })
    }
}

/// `{"Variant": value}`.
struct Variant<'a, 'p> {
    member: &'a Member,
    path: &'p Path<'p>,
    skip: &'p Skip,
}

impl<'a, 'p> de::EnumAccess<'a> for Variant<'a, 'p> {
    type Error = LocatedError;
    type Variant = NodeDe<'a, 'p>;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> R<(V::Value, NodeDe<'a, 'p>)> {
        let key: de::value::BorrowedStrDeserializer<'a, LocatedError> =
            de::value::BorrowedStrDeserializer::new(&self.member.key);
        let v = seed.deserialize(key)?;
        Ok((v, NodeDe { node: &self.member.value, path: self.path, skip: self.skip }))
    }
}

impl<'a> de::VariantAccess<'a> for NodeDe<'a, '_> {
    type Error = LocatedError;

    fn unit_variant(self) -> R<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> R<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _: usize, visitor: V) -> R<V::Value> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(self, _: &'static [&'static str], visitor: V) -> R<V::Value> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}
