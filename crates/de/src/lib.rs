//! A compact `serde::Deserialize` for plain structs: what `serde_derive` generates for a struct whose fields are
//! either `#[serde(default)]` or required, with or without `deny_unknown_fields`, but with the visitor (the loop over
//! members, the field-name lookup, the duplicate and missing checks) written once here, per deserializer type,
//! instead of once per struct. `#[derive(kmsim_de::Deserialize)]` (crate `kmsim-derive`) generates the per-struct
//! part: the field names and one `match` arm per field. Used by the scenario file's types and the API's request
//! types (crates/kms) and the playground's snapshots (web) to keep the browser bundle small; internal to kmsim.
//!
//! It makes the same calls on the deserializer in the same order as the derived code and reports serde's own errors
//! (`unknown_field`, `duplicate_field`, `missing_field`, `invalid_length`), so a deserializer positions and words its
//! errors exactly as for the derived code. `tests/same_as_derived.rs` compares both on many inputs.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

pub use kmsim_derive::Deserialize;
#[doc(hidden)]
pub use serde as __serde;

/// What the visitor needs to know of a struct.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// The struct's name (`struct NAME` in messages).
    pub name: &'static str,
    /// serde's field names, in declaration order.
    pub fields: &'static [&'static str],
    /// Bit `i` set: leaving field `i` out of an object is an error (no `default`, not an `Option`).
    pub required_map: u64,
    /// Bit `i` set: an array without element `i` is an error (no `default`).
    pub required_seq: u64,
    /// `#[serde(deny_unknown_fields)]`: an unknown member is an error (else it is skipped).
    pub deny_unknown: bool,
}

/// A struct read by [`read`] (implemented by `#[derive(kmsim_de::Deserialize)]`).
pub trait Fields: Default {
    const META: Meta;
    /// Reads field `i` from `src` into `self`; false if the source had no value (the end of an array).
    fn read<'de, M: MapAccess<'de>, S: SeqAccess<'de, Error = M::Error>>(
        &mut self,
        i: usize,
        src: &mut Source<M, S>,
    ) -> Result<bool, M::Error>;
}

/// Where the field values come from: an object's members or an array's elements (serde accepts both for structs).
pub enum Source<M, S> {
    Map(M),
    Seq(S),
}

impl<'de, M: MapAccess<'de>, S: SeqAccess<'de, Error = M::Error>> Source<M, S> {
    /// The next value into `slot` (left as is, and false, at the end of an array).
    pub fn put<T: serde::Deserialize<'de>>(&mut self, slot: &mut T) -> Result<bool, M::Error> {
        let value = match self {
            Source::Map(m) => Some(m.next_value()?),
            Source::Seq(s) => s.next_element()?,
        };
        Ok(match value {
            Some(v) => {
                *slot = v;
                true
            }
            None => false,
        })
    }
}

/// Deserialises `T` as its derived impl would (`deserialize_struct` with a struct visitor).
pub fn read<'de, T: Fields, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_struct(T::META.name, T::META.fields, StructVisitor(PhantomData))
}

struct StructVisitor<T>(PhantomData<T>);

/// An access that is never used (the `Seq` side of a [`Source`] read from an object, and vice versa).
pub struct Never<E>(PhantomData<E>);

impl<'de, E: de::Error> MapAccess<'de> for Never<E> {
    type Error = E;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _: K) -> Result<Option<K::Value>, E> {
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _: V) -> Result<V::Value, E> {
        Err(E::custom("no value"))
    }
}

impl<'de, E: de::Error> SeqAccess<'de> for Never<E> {
    type Error = E;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, _: T) -> Result<Option<T::Value>, E> {
        Ok(None)
    }
}

type MapSource<'a, M, E> = Source<&'a mut M, Never<E>>;
type SeqSource<'a, S, E> = Source<Never<E>, &'a mut S>;
/// Reads field `i` of the struct being built (the struct's [`Fields::read`], erased so the loops are not generic
/// over the struct).
type ReadMap<'r, M, E> = dyn for<'a> FnMut(usize, &mut MapSource<'a, M, E>) -> Result<bool, E> + 'r;
type ReadSeq<'r, S, E> = dyn for<'a> FnMut(usize, &mut SeqSource<'a, S, E>) -> Result<bool, E> + 'r;

impl<'de, T: Fields> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::META.name)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<T, S::Error> {
        let mut out = T::default();
        seq_fields(&mut seq, &T::META, &mut |i, src| out.read(i, src))?;
        Ok(out)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut out = T::default();
        map_fields(&mut map, &T::META, &mut |i, src| out.read(i, src))?;
        Ok(out)
    }
}

/// The derived `visit_seq`: the fields in order; a required one missing is `invalid_length`. Generic over the
/// access only (not the struct), so it is in the bundle once per deserializer.
fn seq_fields<'de, S: SeqAccess<'de>>(
    seq: &mut S,
    meta: &Meta,
    read: &mut ReadSeq<'_, S, S::Error>,
) -> Result<(), S::Error> {
    let n = meta.fields.len();
    for i in 0..n {
        let mut src: SeqSource<'_, S, S::Error> = Source::Seq(&mut *seq);
        if !read(i, &mut src)? && meta.required_seq >> i & 1 == 1 {
            let plural = if n == 1 { "" } else { "s" };
            let expected = format!("struct {} with {n} element{plural}", meta.name);
            return Err(de::Error::invalid_length(i, &expected.as_str()));
        }
    }
    Ok(())
}

/// The derived `visit_map`: members in order (unknown ones skipped or refused), a repeated one refused, then the
/// first required field left out.
fn map_fields<'de, M: MapAccess<'de>>(
    map: &mut M,
    meta: &Meta,
    read: &mut ReadMap<'_, M, M::Error>,
) -> Result<(), M::Error> {
    let mut seen = 0u64;
    while let Some(key) = map.next_key_seed(FieldSeed(meta.fields, meta.deny_unknown))? {
        let Some(i) = key else {
            map.next_value::<IgnoredAny>()?;
            continue;
        };
        let name = meta.fields.get(i).copied().unwrap_or_default();
        if seen >> i & 1 == 1 {
            return Err(de::Error::duplicate_field(name));
        }
        seen |= 1 << i;
        read(i, &mut Source::Map(&mut *map))?;
    }
    let missing = meta.required_map & !seen;
    if missing != 0 {
        let name = meta.fields.get(missing.trailing_zeros() as usize).copied().unwrap_or_default();
        return Err(de::Error::missing_field(name));
    }
    Ok(())
}

/// Reads a member name as the derived field identifier does: its index, or (unknown) serde's `unknown_field` error
/// if unknown fields are denied, else none.
struct FieldSeed(&'static [&'static str], bool);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<usize>, E> {
        match usize::try_from(v) {
            Ok(i) if i < self.0.len() => Ok(Some(i)),
            _ if !self.1 => Ok(None),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(v),
                &format!("field index 0 <= i < {}", self.0.len()).as_str(),
            )),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        match self.0.iter().position(|f| *f == v) {
            None if self.1 => Err(E::unknown_field(v, self.0)),
            i => Ok(i),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<usize>, E> {
        match self.0.iter().position(|f| f.as_bytes() == v) {
            None if self.1 => Err(E::unknown_field(&String::from_utf8_lossy(v), self.0)),
            i => Ok(i),
        }
    }
}
