//! Hand-written `Deserialize` for the scenario file's structs (and the playground's snapshots): what `serde_derive`
//! generates for a struct whose fields are either `#[serde(default)]` or required, with or without
//! `deny_unknown_fields`, written once (the visitor, the field-name lookup, the duplicate and missing checks) instead
//! of once per struct, so the browser bundle is smaller. Not part of the crate's API (used by the [`fields!`] macro).
//!
//! It makes the same calls on the deserializer in the same order and reports serde's own errors (`unknown_field`,
//! `duplicate_field`, `missing_field`, `invalid_length`), so serde_json positions and words its errors exactly as for
//! the derived code (the scenario parser reports them with line and column). The tests in `scenario` compare both
//! on many inputs.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

#[doc(hidden)]
pub use serde as __serde;

/// A struct read by [`read`]: its fields in declaration order (serde's names) and how to read one.
pub trait Fields: Default {
    /// The struct's name (`struct NAME` in messages).
    const NAME: &'static str;
    /// serde's field names, in declaration order.
    const FIELDS: &'static [&'static str];
    /// Bit `i` set: field `i` has no default (leaving it out is an error).
    const REQUIRED: u64 = 0;
    /// `#[serde(deny_unknown_fields)]`: an unknown member is an error (else it is skipped).
    const DENY_UNKNOWN: bool = true;
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
    pub fn put<T: Deserialize<'de>>(&mut self, slot: &mut T) -> Result<bool, M::Error> {
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
    d.deserialize_struct(T::NAME, T::FIELDS, StructVisitor(PhantomData))
}

struct StructVisitor<T>(PhantomData<T>);

/// A map access that is never used (the `Seq` side of a [`Source`] read from an object, and vice versa).
struct Never<E>(PhantomData<E>);

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

impl<'de, T: Fields> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<T, S::Error> {
        let mut out = T::default();
        let mut src: Source<Never<S::Error>, S> = Source::Seq(seq);
        let n = T::FIELDS.len();
        for i in 0..n {
            if !out.read(i, &mut src)? && T::REQUIRED >> i & 1 == 1 {
                let plural = if n == 1 { "" } else { "s" };
                let expected = format!("struct {} with {n} element{plural}", T::NAME);
                return Err(de::Error::invalid_length(i, &expected.as_str()));
            }
        }
        Ok(out)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut out = T::default();
        let mut seen = 0u64;
        while let Some(key) = map.next_key_seed(FieldSeed(T::FIELDS, T::DENY_UNKNOWN))? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let name = T::FIELDS.get(i).copied().unwrap_or_default();
            if seen >> i & 1 == 1 {
                return Err(de::Error::duplicate_field(name));
            }
            seen |= 1 << i;
            out.read(i, &mut Source::<&mut M, Never<M::Error>>::Map(&mut map))?;
        }
        let missing = T::REQUIRED & !seen;
        if missing != 0 {
            let name = T::FIELDS.get(missing.trailing_zeros() as usize).copied().unwrap_or_default();
            return Err(de::Error::missing_field(name));
        }
        Ok(out)
    }
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

/// Implements [`Fields`] and `Deserialize` for a struct (which must implement `Default`):
/// `deny NAME { field "json name", ... } required [index, ...]` (`deny`: `deny_unknown_fields`, else `allow`;
/// `required` is optional).
#[macro_export]
#[doc(hidden)]
macro_rules! fields {
    (deny $($rest:tt)*) => { $crate::fields!(@impl true $($rest)*); };
    (allow $($rest:tt)*) => { $crate::fields!(@impl false $($rest)*); };
    (@impl $deny:literal $ty:ident { $($field:ident $name:literal),* $(,)? } $(required [$($req:literal),*])?) => {
        impl $crate::fields::Fields for $ty {
            const NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [&'static str] = &[$($name),*];
            $(const REQUIRED: u64 = 0 $(| 1 << $req)*;)?
            const DENY_UNKNOWN: bool = $deny;
            fn read<
                'de,
                M: $crate::fields::__serde::de::MapAccess<'de>,
                S: $crate::fields::__serde::de::SeqAccess<'de, Error = M::Error>,
            >(
                &mut self,
                i: usize,
                src: &mut $crate::fields::Source<M, S>,
            ) -> Result<bool, M::Error> {
                let mut n = 0usize;
                $(
                    if i == n {
                        return src.put(&mut self.$field);
                    }
                    n += 1;
                )*
                let _ = n;
                Ok(false)
            }
        }

        impl<'de> $crate::fields::__serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::fields::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::fields::read(d)
            }
        }
    };
}

pub use fields;

#[cfg(test)]
mod tests;
