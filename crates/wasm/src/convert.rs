//! JS values to JSON, safely: whatever a caller passes, the conversion answers with a [`Failure`] in the user's words
//! and never traps the instance. Nesting is bounded ([`MAX_DEPTH`], the limit the located JSON parser applies to
//! text), a value that contains itself is reported as a cycle, and every JS operation that can run user code (a
//! getter, a Proxy trap) is imported with `catch`, so a throwing getter becomes an error here instead of unwinding
//! through Rust frames (which would leave a Simulator borrowed for good).

use js_sys::{Array, JsString, Reflect};
use kmsim_kms::session::{self, Failure};
use kmsim_policy::json::MAX_DEPTH;
use kmsim_policy::Request;
use serde_json::{Map, Number, Value as J};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The fast way in: a plain value (what `JSON.parse` makes, or an object literal of strings, booleans, safe integers,
// `null`, arrays and plain objects) as JSON text written by the engine's `JSON.stringify`, or `undefined` for
// anything else, which `Walk` below converts member by member with its checks and words. For a plain value the text
// reads as exactly the JSON `Walk` makes of it: the same members in the same order, the same strings, integers as
// integers. Floats (serde_json's default reader is not correctly rounded), `undefined` and holes (which
// `JSON.stringify` drops where `Walk` reads `null`), functions, symbols, BigInts, non-plain prototypes (a Map, a
// Date, a class instance), inherited or symbol-keyed iterators, nesting as deep as `Walk`'s limit (a cycle reaches
// it) and anything that throws (a getter, a Proxy trap) are left to `Walk`, which then reports the problem in its
// words. A getter or Proxy that answers differently when read a second time is read as its second answer.
#[wasm_bindgen(inline_js = r#"
const MAX_DEPTH = 64;
function plain(v, depth) {
  switch (typeof v) {
    case 'string': case 'boolean': return true;
    case 'number': return Number.isSafeInteger(v);
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      const proto = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (proto !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!(i in v) || !plain(v[i], depth + 1)) return false;
        return true;
      }
      if ((proto !== Object.prototype && proto !== null) || v[Symbol.iterator] !== undefined) return false;
      for (const key in v) if (!Object.hasOwn(v, key) || !plain(v[key], depth + 1)) return false;
      return true;
    }
    default: return false;
  }
}
export function plainJson(v) {
  try { return plain(v, 0) ? JSON.stringify(v) : undefined; } catch { return undefined; }
}
"#)]
extern "C" {
    /// The JSON text (a JS string), or `undefined`.
    #[wasm_bindgen(js_name = plainJson)]
    fn plain_json(value: &JsValue) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    // `Array.isArray` throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    // The own enumerable string keys, as `Object.entries` reads them (runs the `ownKeys` and descriptor traps).
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    // A Map's `[key, value]` pairs.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = Number, js_name = isSafeInteger)]
    fn is_safe_integer(value: &JsValue) -> bool;
}

/// A JS value as JSON: `undefined` and `null` become `null`, safe integers become integers, a BigInt at the top
/// becomes its decimal text (seeds beyond 2^53, which the core reads as numbers) and inside an integer when it fits
/// 64 bits. `what` names the argument in error messages (`caller`, `parameters`, ...).
pub fn from_js(value: &JsValue, what: &str) -> Result<J, Failure> {
    if value.is_bigint() {
        let text = js_sys::BigInt::from(value.clone()).to_string(10).map(String::from).unwrap_or_default();
        return Ok(J::String(text));
    }
    if let Some(json) = plain_json(value).as_string().and_then(|text| serde_json::from_str(&text).ok()) {
        return Ok(json);
    }
    walk(value, what)
}

/// [`from_js`] the careful way: member by member, every JS operation caught.
fn walk(value: &JsValue, what: &str) -> Result<J, Failure> {
    let mut walk = Walk { what, path: Vec::new(), ancestors: Vec::new() };
    walk.value(value)
}

/// A request argument, with its JSON text (a JS string) when it is a plain value (see `plainJson`), else
/// `undefined`. A plain one with the common shapes is read straight from that text ([`session::request_plain`]),
/// any other as [`session::request`] reads what [`from_js`] makes of it.
pub fn request(value: &JsValue) -> Result<(Request, JsValue), Failure> {
    let js_text = plain_json(value);
    let text = js_text.as_string();
    let request = session::request_or(text.as_deref(), || match text.as_deref().map(serde_json::from_str) {
        Some(Ok(json)) => Ok(json),
        _ => walk(value, "request"),
    })?;
    Ok((request, js_text))
}

/// A string argument (`what`: its name), or an error saying what was passed instead.
pub fn string(value: &JsValue, what: &str) -> Result<String, Failure> {
    value.as_string().ok_or_else(|| Failure::new(format!("invalid {what}: expected a string, found {}", kind(value))))
}

/// What a JS value is, in words: `a number`, `an object`, `null`, ...
pub fn kind(value: &JsValue) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if value.is_string() {
        "a string"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.is_bigint() {
        "a BigInt"
    } else if value.is_symbol() {
        "a symbol"
    } else if value.is_function() {
        "a function"
    } else if is_array(value).unwrap_or(false) {
        "an array"
    } else {
        "an object"
    }
}

/// The message of a thrown JS value (an `Error`'s `message`, a thrown string), read without running more user code
/// than a getter on `message`.
fn thrown(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if e.is_object() {
        if let Some(m) = Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()) {
            return m;
        }
    }
    format!("an exception ({})", kind(e))
}

struct Walk<'a> {
    what: &'a str,
    /// The keys and indexes from the argument to the value being read.
    path: Vec<String>,
    /// The objects and arrays that enclose the value being read, for cycle detection.
    ancestors: Vec<JsValue>,
}

impl Walk<'_> {
    fn fail(&self, problem: std::fmt::Arguments<'_>) -> Failure {
        Failure::new(format!("invalid {}: {problem}", self.what))
    }

    /// Where the value being read is: "`/a/0/b`", or "the value" for the argument itself.
    fn at(&self) -> String {
        if self.path.is_empty() {
            "the value".to_string()
        } else {
            format!("`/{}`", self.path.join("/"))
        }
    }

    fn value(&mut self, v: &JsValue) -> Result<J, Failure> {
        if v.is_null() || v.is_undefined() {
            return Ok(J::Null);
        }
        if let Some(b) = v.as_bool() {
            return Ok(J::Bool(b));
        }
        if let Some(f) = v.as_f64() {
            // As serde_wasm_bindgen reads numbers: safe integers exactly, others as floats (NaN and infinities
            // have no JSON form and become null).
            #[expect(clippy::cast_possible_truncation, reason = "a safe integer is exact in an i64")]
            return Ok(if is_safe_integer(v) {
                J::from(f as i64)
            } else {
                Number::from_f64(f).map_or(J::Null, J::Number)
            });
        }
        if let Some(s) = v.as_string() {
            return Ok(J::String(s));
        }
        if v.is_bigint() {
            let big = js_sys::BigInt::from(v.clone());
            return i64::try_from(big.clone())
                .map(J::from)
                .or_else(|_| u64::try_from(big).map(J::from))
                .map_err(|_| self.fail(format_args!("{} is a BigInt outside the 64-bit range", self.at())));
        }
        if v.is_function() || v.is_symbol() {
            return Err(self.fail(format_args!("{} is {}, not JSON data", self.at(), kind(v))));
        }
        if self.ancestors.iter().any(|a| a == v) {
            return Err(self.fail(format_args!("{} refers back to an enclosing object (a cycle)", self.at())));
        }
        if self.ancestors.len() >= MAX_DEPTH {
            return Err(self.fail(format_args!("nested deeper than {MAX_DEPTH} levels")));
        }
        let array = is_array(v).map_err(|e| self.fail(format_args!("reading {} threw: {}", self.at(), thrown(&e))))?;
        self.ancestors.push(v.clone());
        let out = if array { self.array(v) } else { self.object(v) };
        self.ancestors.pop();
        out
    }

    /// Reads `key` of `v` (a getter or Proxy trap may throw) and converts it, with `key` on the path.
    fn member(&mut self, v: &JsValue, key: &JsValue, name: String) -> Result<J, Failure> {
        self.path.push(name);
        let out = match Reflect::get(v, key) {
            Ok(item) => self.value(&item),
            Err(e) => Err(self.fail(format_args!("reading {} threw: {}", self.at(), thrown(&e)))),
        };
        self.path.pop();
        out
    }

    fn array(&mut self, v: &JsValue) -> Result<J, Failure> {
        let len = Reflect::get(v, &JsValue::from_str("length"))
            .map_err(|e| self.fail(format_args!("reading the length of {} threw: {}", self.at(), thrown(&e))))?;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an array length is a u32")]
        let len = len.as_f64().unwrap_or(0.0) as u32;
        let mut items = Vec::new();
        for i in 0..len {
            items.push(self.member(v, &JsValue::from(i), i.to_string())?);
        }
        Ok(J::Array(items))
    }

    fn object(&mut self, v: &JsValue) -> Result<J, Failure> {
        let threw = |w: &Self, e: JsValue| w.fail(format_args!("reading {} threw: {}", w.at(), thrown(&e)));
        // An iterable object (a Map, a Set, a typed array) is not a record of its keys: a Map reads as an object of
        // its entries, any other iterable is refused rather than read as `{}`.
        let iterator = Reflect::get(v, &js_sys::Symbol::iterator()).map_err(|e| threw(self, e))?;
        if iterator.is_function() {
            let map_prototype = prototype_of(&js_sys::Map::new().into()).unwrap_or(JsValue::NULL);
            if prototype_of(v).map_err(|e| threw(self, e))? != map_prototype {
                return Err(self.fail(format_args!("{} is an iterable object, not JSON data; use an array", self.at())));
            }
            return self.map_entries(v);
        }
        let keys = object_keys(v)
            .map_err(|e| self.fail(format_args!("reading the keys of {} threw: {}", self.at(), thrown(&e))))?;
        let mut map = Map::new();
        for key in keys.iter() {
            let name = key.dyn_ref::<JsString>().map(String::from).unwrap_or_default();
            let item = self.member(v, &key, name.clone())?;
            map.insert(name, item);
        }
        Ok(J::Object(map))
    }

    fn map_entries(&mut self, v: &JsValue) -> Result<J, Failure> {
        let pairs = array_from(v)
            .map_err(|e| self.fail(format_args!("reading the entries of {} threw: {}", self.at(), thrown(&e))))?;
        let mut map = Map::new();
        for pair in pairs.iter() {
            let pair: Array = pair.unchecked_into();
            let Some(name) = pair.get(0).as_string() else {
                return Err(self.fail(format_args!("{} is a Map with a key that is not a string", self.at())));
            };
            self.path.push(name.clone());
            let item = self.value(&pair.get(1));
            self.path.pop();
            map.insert(name, item?);
        }
        Ok(J::Object(map))
    }
}
