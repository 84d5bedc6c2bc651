//! A small JSON parser that keeps the position of every value and key, reports duplicate keys and never recurses
//! deeper than [`MAX_DEPTH`]. Numbers are kept as their source text.
//!
//! The JSON Pointer of a value is not built while parsing: the parser keeps only the key positions and indexes of
//! the containers it is in, and writes a pointer out when it reports a duplicate key. Duplicates are found by
//! comparing with the earlier keys of small objects and through a hash index of the keys of larger ones, so an
//! object of n members costs O(n).
//!
//! The tree's text is `String` by default ([`parse`]); the policy parser reads a tree of `Cow<str>` that borrows
//! every string written without escapes from the source ([`parse_borrowed`]), so reading a policy does not
//! allocate per string.
//!
//! [`LineIndex`] (in `lines.rs`) turns byte offsets into lines and columns.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::marker::PhantomData;

mod lines;

pub use lines::{LineIndex, COLUMN_BLOCK};

/// The deepest nesting of arrays and objects accepted (a policy needs 5).
pub const MAX_DEPTH: usize = 64;

/// A byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub offset: usize,
    pub len: usize,
}

/// A JSON value; `S` holds its text (`String`, or `Cow<str>` for a tree that borrows from the source).
#[derive(Debug, Clone, PartialEq)]
pub enum Json<S = String> {
    Null,
    Bool(bool),
    /// The number's source text.
    Number(S),
    String(S),
    Array(Vec<Node<S>>),
    Object(Vec<Member<S>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node<S = String> {
    pub value: Json<S>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member<S = String> {
    pub key: S,
    pub key_pos: Pos,
    pub value: Node<S>,
}

impl<S> Node<S> {
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// A syntax problem found while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub help: Option<String>,
    pub pos: Pos,
}

/// A repeated key in an object (parsing continues; the later value is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub pos: Pos,
    pub first: Pos,
    /// JSON Pointer of the object holding the key.
    pub path: String,
}

/// The outcome of parsing: a document or the first syntax error, plus every duplicate key seen.
pub struct Parsed<S = String> {
    pub root: Result<Node<S>, SyntaxError>,
    pub duplicates: Vec<DuplicateKey>,
}

/// Parses a document into an owned tree.
pub fn parse(source: &str) -> Parsed {
    parse_as(source)
}

/// Parses a document into a tree that borrows the text of strings and numbers from `source` (only strings with
/// escapes are copied). Positions, errors and duplicates are the same as [`parse`]'s.
pub fn parse_borrowed(source: &str) -> Parsed<Cow<'_, str>> {
    parse_as(source)
}

fn parse_as<'a, S: Text<'a>>(source: &'a str) -> Parsed<S> {
    let mut p = Parser::new(source, 0);
    let root = p.document();
    Parsed { root, duplicates: p.duplicates }
}

/// How a tree holds its text.
pub trait Text<'a>: Sized {
    /// Text as it is in the source.
    fn borrowed(text: &'a str) -> Self;
    /// Text decoded from escapes.
    fn owned(text: String) -> Self;
    fn as_str(&self) -> &str;
    fn into_string(self) -> String;
}

impl<'a> Text<'a> for String {
    fn borrowed(text: &'a str) -> String {
        text.to_string()
    }
    fn owned(text: String) -> String {
        text
    }
    fn as_str(&self) -> &str {
        self
    }
    fn into_string(self) -> String {
        self
    }
}

impl<'a> Text<'a> for Cow<'a, str> {
    fn borrowed(text: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(text)
    }
    fn owned(text: String) -> Cow<'a, str> {
        Cow::Owned(text)
    }
    fn as_str(&self) -> &str {
        self
    }
    fn into_string(self) -> String {
        self.into_owned()
    }
}

/// One step of the path to the value being parsed.
#[derive(Debug, Clone, Copy)]
enum Seg {
    /// The member whose key (a JSON string) starts at this offset.
    Key(usize),
    /// The item at this index of an array.
    Index(usize),
}

/// The length of the run of string bytes at the start of `rest` that need no attention: up to the first `"`, `\\`
/// or control character (or the end). Eight bytes at a time (SWAR): a byte `b` is flagged when `b ^ '"'`,
/// `b ^ '\\'` or `b` minus 0x20 borrows; the lowest flag is always exact (the classic zero-byte test can only add
/// false flags above a true one), so the first flagged byte of a word is the first byte that ends the run.
fn plain_run(rest: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut done = 0;
    let mut words = rest.chunks_exact(8);
    for word in words.by_ref() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        let flags = below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1) | below(x, 0x20);
        if flags != 0 {
            return done + (flags.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let tail = words.remainder();
    done + tail.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(tail.len())
}

/// The first capacity of a non-empty array's or object's items: a statement's members and most lists of actions
/// fit without regrowing (a vector would start at 4).
const FIRST_CAPACITY: usize = 8;

/// Objects with more members than this find duplicates through a hash index of their keys (smaller ones compare
/// with each earlier key, which is cheaper for them).
const LINEAR_KEYS: usize = 8;

/// A deterministic hasher for the key index (SipHash with fixed keys: no global randomness in the core).
type KeyHasher = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

struct Parser<'a, S> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    duplicates: Vec<DuplicateKey>,
    path: Vec<Seg>,
    text: PhantomData<S>,
}

type R<T> = Result<T, SyntaxError>;

impl<'a, S: Text<'a>> Parser<'a, S> {
    fn new(source: &'a str, at: usize) -> Parser<'a, S> {
        Parser { s: source, b: source.as_bytes(), i: at, duplicates: Vec::new(), path: Vec::new(), text: PhantomData }
    }

    fn err<T>(&self, at: usize, len: usize, message: impl Into<String>, help: Option<&str>) -> R<T> {
        Err(SyntaxError { message: message.into(), help: help.map(str::to_string), pos: Pos { offset: at, len } })
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn document(&mut self) -> R<Node<S>> {
        // A UTF-8 byte-order mark is tolerated.
        if self.s.starts_with('\u{feff}') {
            self.i = 3;
        }
        self.ws();
        if self.i >= self.b.len() {
            return self.err(
                self.i,
                0,
                "the policy document is empty",
                Some("a policy is a JSON object: `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`"),
            );
        }
        let v = self.value(0)?;
        self.ws();
        if self.i < self.b.len() {
            let len = self.char_len(self.i);
            return self.err(self.i, len, "unexpected text after the end of the document", None);
        }
        Ok(v)
    }

    fn char_len(&self, at: usize) -> usize {
        self.s.get(at..).and_then(|r| r.chars().next()).map_or(0, char::len_utf8)
    }

    fn describe_here(&self) -> String {
        match self.s.get(self.i..).and_then(|r| r.chars().next()) {
            None => "the end of the document".to_string(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn value(&mut self, depth: usize) -> R<Node<S>> {
        if depth > MAX_DEPTH {
            return self.err(self.i, 1, format!("nesting deeper than {MAX_DEPTH} levels"), None);
        }
        let start = self.i;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Json::String(self.string()?),
            Some(b't') => self.literal("true", Json::Bool(true))?,
            Some(b'f') => self.literal("false", Json::Bool(false))?,
            Some(b'n') => self.literal("null", Json::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b'\'') => {
                return self.err(self.i, 1, "strings must use double quotes", Some("replace `'` with `\"`"));
            }
            _ => {
                let len = self.char_len(self.i);
                return self.err(self.i, len, format!("expected a value, found {}", self.describe_here()), None);
            }
        };
        Ok(Node { value, pos: Pos { offset: start, len: self.i - start } })
    }

    fn literal(&mut self, word: &str, v: Json<S>) -> R<Json<S>> {
        if self.s.get(self.i..).is_some_and(|r| r.starts_with(word)) {
            self.i += word.len();
            Ok(v)
        } else {
            let mut end = self.i;
            while self.b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
                end += 1;
            }
            let text = self.s.get(self.i..end).unwrap_or("");
            self.err(
                self.i,
                end - self.i,
                format!("unknown literal `{text}`"),
                Some("strings must be in double quotes"),
            )
        }
    }

    fn number(&mut self) -> R<Json<S>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
            }
            _ => return self.err(start, self.i - start + 1, "invalid number", None),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.err(start, self.i - start, "invalid number: digits expected after `.`", None);
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.err(start, self.i - start, "invalid number: digits expected in the exponent", None);
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        Ok(Json::Number(S::borrowed(self.s.get(start..self.i).unwrap_or(""))))
    }

    fn hex4(&mut self) -> R<u32> {
        let at = self.i;
        let Some(h) = self.s.get(self.i..self.i + 4) else {
            return self.err(at, self.b.len() - at, "incomplete `\\u` escape", None);
        };
        let Ok(v) = u32::from_str_radix(h, 16) else {
            return self.err(at, 4, format!("invalid `\\u` escape `{h}`"), None);
        };
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return self.err(at, 4, format!("invalid `\\u` escape `{h}`"), None);
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> R<S> {
        let start = self.i;
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.i;
            self.i += plain_run(self.b.get(run_start..).unwrap_or(&[]));
            let run = self.s.get(run_start..self.i).unwrap_or("");
            match self.peek() {
                None => return self.err(start, self.i - start, "unterminated string", Some("add the closing `\"`")),
                Some(b'"') => {
                    self.i += 1;
                    if out.is_empty() {
                        // Most strings have no escape: the text as it is in the source.
                        return Ok(S::borrowed(run));
                    }
                    out.push_str(run);
                    return Ok(S::owned(out));
                }
                Some(b'\\') => {
                    out.push_str(run);
                    let esc_at = self.i;
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return self.err(start, self.i - start, "unterminated string", Some("add the closing `\"`"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..).is_some_and(|r| r.starts_with("\\u")) {
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return self.err(esc_at, self.i - esc_at, "invalid surrogate pair", None);
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    return self.err(esc_at, 6, "unpaired surrogate in `\\u` escape", None);
                                }
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return self.err(esc_at, self.i - esc_at, "invalid `\\u` escape", None),
                            }
                        }
                        _ => {
                            let len = 1 + self.char_len(esc_at + 1);
                            let text = self.s.get(esc_at..esc_at + len).unwrap_or("\\");
                            return self.err(esc_at, len, format!("invalid escape `{text}` in string"), None);
                        }
                    }
                }
                Some(_) => {
                    return self.err(
                        self.i,
                        1,
                        "control character in string",
                        Some("write line breaks and tabs as `\\n` and `\\t`"),
                    );
                }
            }
        }
    }

    /// The JSON Pointer of the container being parsed, written from the path (only for reports: the keys are
    /// decoded again from the source).
    fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match *seg {
                Seg::Index(i) => push_pointer_index(&mut out, i),
                Seg::Key(at) => {
                    let mut key = Parser::<String>::new(self.s, at);
                    // The key was read successfully before, so reading it again cannot fail.
                    push_pointer_key(&mut out, &key.string().unwrap_or_default());
                }
            }
        }
        out
    }

    fn array(&mut self, depth: usize) -> R<Json<S>> {
        let open = self.i;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Array(Vec::new()));
        }
        let mut items = Vec::with_capacity(FIRST_CAPACITY);
        loop {
            self.ws();
            self.path.push(Seg::Index(items.len()));
            let v = self.value(depth + 1);
            self.path.pop();
            items.push(v?);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        return self.err(self.i, 1, "trailing comma before `]`", Some("remove the last `,`"));
                    }
                }
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                None => return self.err(open, 1, "unclosed array", Some("add the closing `]`")),
                _ => {
                    let len = self.char_len(self.i);
                    return self.err(self.i, len, format!("expected `,` or `]`, found {}", self.describe_here()), None);
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> R<Json<S>> {
        let open = self.i;
        self.i += 1;
        // Built when the object grows past `LINEAR_KEYS` members: key -> index in `members`.
        let mut index: Option<HashMap<String, usize, KeyHasher>> = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Object(Vec::new()));
        }
        let mut members: Vec<Member<S>> = Vec::with_capacity(FIRST_CAPACITY);
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                let len = self.char_len(self.i);
                return match self.peek() {
                    None => self.err(open, 1, "unclosed object", Some("add the closing `}`")),
                    Some(b'}') => self.err(self.i, 1, "trailing comma before `}`", Some("remove the last `,`")),
                    _ => self.err(
                        self.i,
                        len,
                        format!("expected a key in double quotes, found {}", self.describe_here()),
                        None,
                    ),
                };
            }
            let key_start = self.i;
            let key = self.string()?;
            let key_pos = Pos { offset: key_start, len: self.i - key_start };
            self.ws();
            if self.peek() != Some(b':') {
                let len = self.char_len(self.i);
                return self.err(self.i, len, format!("expected `:` after key, found {}", self.describe_here()), None);
            }
            self.i += 1;
            self.ws();
            self.path.push(Seg::Key(key_start));
            let value = self.value(depth + 1);
            self.path.pop();
            let value = value?;
            let first = match &index {
                Some(index) => index.get(key.as_str()).and_then(|&i| members.get(i)),
                None => members.iter().find(|m| m.key.as_str() == key.as_str()),
            };
            if let Some(first) = first {
                let first = first.key_pos;
                let path = self.pointer();
                self.duplicates.push(DuplicateKey { key: key.into_string(), pos: key_pos, first, path });
            } else {
                let n = members.len();
                if let Some(index) = &mut index {
                    index.insert(key.as_str().to_string(), n);
                } else if n == LINEAR_KEYS {
                    let mut built = HashMap::with_capacity_and_hasher(4 * LINEAR_KEYS, KeyHasher::default());
                    for (i, m) in members.iter().enumerate() {
                        built.insert(m.key.as_str().to_string(), i);
                    }
                    built.insert(key.as_str().to_string(), n);
                    index = Some(built);
                }
                members.push(Member { key, key_pos, value });
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                None => return self.err(open, 1, "unclosed object", Some("add the closing `}`")),
                _ => {
                    let len = self.char_len(self.i);
                    return self.err(
                        self.i,
                        len,
                        format!("expected `,` or `}}`, found {}", self.describe_here()),
                        Some("separate members with `,`"),
                    );
                }
            }
        }
    }
}

/// Escapes a key for a JSON Pointer segment (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// Appends the JSON Pointer segment of member `key` (`/` and the key, escaped) to `out`.
pub(crate) fn push_pointer_key(out: &mut String, key: &str) {
    out.push('/');
    if key.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(&escape_pointer(key));
    } else {
        out.push_str(key);
    }
}

/// Appends the JSON Pointer segment of item `index` (`/` and the index) to `out` (digits written directly: a
/// report of thousands of entries writes as many pointers).
pub(crate) fn push_pointer_index(out: &mut String, index: usize) {
    out.push('/');
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut n = index;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits.iter().skip(start).map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_is_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 4000, 65_535, usize::MAX] {
            let mut out = String::from("/a");
            push_pointer_index(&mut out, n);
            assert_eq!(out, format!("/a/{n}"));
        }
    }

    #[test]
    fn parses_values_with_positions() {
        let src = r#"{"a": [1, -2.5e3, true, null, "x\u00e9\n"], "b": {}}"#;
        let p = parse(src);
        let root = p.root.unwrap();
        let Json::Object(m) = &root.value else { panic!() };
        assert_eq!(m[0].key, "a");
        assert_eq!(m[0].key_pos, Pos { offset: 1, len: 3 });
        let Json::Array(items) = &m[0].value.value else { panic!() };
        assert_eq!(items[1].value, Json::Number("-2.5e3".into()));
        assert_eq!(items[4].value, Json::String("x\u{e9}\n".into()));
        assert_eq!(&src[items[4].pos.offset..items[4].pos.offset + items[4].pos.len], r#""x\u00e9\n""#);
    }

    #[test]
    fn duplicates_are_reported() {
        let p = parse(r#"{"a": {"b": 1, "b": 2}}"#);
        assert!(p.root.is_ok());
        assert_eq!(p.duplicates.len(), 1);
        assert_eq!(p.duplicates[0].key, "b");
        assert_eq!(p.duplicates[0].path, "/a");
        assert_eq!(p.duplicates[0].pos.offset, 15);
    }

    #[test]
    fn a_big_object_parses_and_reports_its_duplicates() {
        // 50,000 members (far past `LINEAR_KEYS`), then three repeated keys, one of them written with an escape,
        // inside an array under a key that needs escaping in a JSON Pointer.
        let mut src = String::from("{\"a/b~c\": [{");
        for i in 0..50_000 {
            src.push_str(&format!("\"k{i}\": {i}, "));
        }
        let repeats = ["\"k7\"", "\"k49999\"", "\"k\\u0031\""];
        let mut at = Vec::new();
        for r in repeats {
            at.push(src.len());
            src.push_str(&format!("{r}: -1, "));
        }
        src.push_str("\"last\": 0}]}");

        let p = parse(&src);
        let root = p.root.unwrap();
        let Json::Object(top) = &root.value else { panic!() };
        let Json::Array(items) = &top[0].value.value else { panic!() };
        let Json::Object(members) = &items[0].value else { panic!() };
        assert_eq!(members.len(), 50_001);
        // The first value of a repeated key is kept.
        assert_eq!(members[7].value.value, Json::Number("7".into()));
        assert_eq!(members[50_000].key, "last");

        let first = |k: &str| src.find(&format!("\"{k}\":")).unwrap();
        let found: Vec<_> = p.duplicates.iter().map(|d| (&*d.key, d.pos.offset, d.first.offset, &*d.path)).collect();
        assert_eq!(
            found,
            [
                ("k7", at[0], first("k7"), "/a~1b~0c/0"),
                ("k49999", at[1], first("k49999"), "/a~1b~0c/0"),
                ("k1", at[2], first("k1"), "/a~1b~0c/0"),
            ]
        );
        assert_eq!(p.duplicates[2].pos.len, repeats[2].len());
    }

    #[test]
    fn duplicates_below_and_above_the_index_threshold_are_the_same() {
        for n in [1, LINEAR_KEYS - 1, LINEAR_KEYS, LINEAR_KEYS + 1, 3 * LINEAR_KEYS] {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {{\"x\": 1, \"x\": 2}}")).collect();
            let src = format!("{{{}, \"k0\": 0, \"k{}\": 0}}", keys.join(", "), n - 1);
            let p = parse(&src);
            let Json::Object(m) = &p.root.unwrap().value else { panic!() };
            assert_eq!(m.len(), n, "{n}");
            let found: Vec<_> = p.duplicates.iter().map(|d| (d.key.clone(), d.path.clone())).collect();
            let mut want: Vec<_> = (0..n).map(|i| ("x".to_string(), format!("/k{i}"))).collect();
            want.push(("k0".into(), String::new()));
            want.push((format!("k{}", n - 1), String::new()));
            assert_eq!(found, want, "{n}");
        }
    }

    #[test]
    fn a_borrowed_tree_is_the_owned_tree() {
        fn owned(n: Node<Cow<'_, str>>) -> Node {
            let value = match n.value {
                Json::Null => Json::Null,
                Json::Bool(b) => Json::Bool(b),
                Json::Number(t) => Json::Number(t.into_owned()),
                Json::String(t) => Json::String(t.into_owned()),
                Json::Array(items) => Json::Array(items.into_iter().map(owned).collect()),
                Json::Object(ms) => Json::Object(
                    ms.into_iter()
                        .map(|m| Member { key: m.key.into_owned(), key_pos: m.key_pos, value: owned(m.value) })
                        .collect(),
                ),
            };
            Node { value, pos: n.pos }
        }
        for src in [
            r#"{"a": [1, -2.5e3, true, null, "x\u00e9\n", "plain"], "b\"q": {"c": {}, "c": []}, "\u0062\"q": 0}"#,
            r#"["\ud83d\ude00", "tab\tend", "", {"": ""}]"#,
            "[1, 2",
            "{\"a\": \"\\x\"}",
        ] {
            let (a, b) = (parse(src), parse_borrowed(src));
            assert_eq!(a.root, b.root.map(owned), "{src}");
            assert_eq!(a.duplicates, b.duplicates, "{src}");
        }
        let b = parse_borrowed(r#"["plain", "esc\n"]"#).root.unwrap();
        let Json::Array(items) = b.value else { panic!() };
        assert!(matches!(&items[0].value, Json::String(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1].value, Json::String(Cow::Owned(s)) if s == "esc\n"));
    }

    #[test]
    fn errors() {
        for (src, msg) in [
            ("", "the policy document is empty"),
            ("{", "unclosed object"),
            ("[1,]", "trailing comma before `]`"),
            ("{\"a\" 1}", "expected `:` after key, found `1`"),
            ("{'a': 1}", "expected a key in double quotes, found `'`"),
            ("[tru]", "unknown literal `tru`"),
            ("\"abc", "unterminated string"),
            ("{} x", "unexpected text after the end of the document"),
            ("[01]", "expected `,` or `]`, found `1`"),
            ("\"\\q\"", "invalid escape `\\q` in string"),
        ] {
            let e = parse(src).root.unwrap_err();
            assert_eq!(e.message, msg, "{src}");
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let src = "[".repeat(100_000);
        let e = parse(&src).root.unwrap_err();
        assert_eq!(e.message, "nesting deeper than 64 levels");
    }

    #[test]
    fn a_plain_run_ends_where_a_byte_by_byte_scan_ends() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len());
        // Every stop byte at every position of runs around the word size, after ASCII and multi-byte text.
        for fill in ["a", "é", "\u{7f}", "\u{ff}", "\u{10ffff}"] {
            for len in 0..20 {
                for stop in ["", "\"", "\\", "\n", "\u{0}", "\u{1f}"] {
                    let text = format!("{}{stop}x\"", fill.repeat(len));
                    assert_eq!(plain_run(text.as_bytes()), naive(text.as_bytes()), "{text:?}");
                }
            }
        }
        // Bytes next to the stop values are not stops.
        for b in [0x20u8, 0x21, 0x23, 0x5b, 0x5d, 0x80, 0xa2, 0xdc, 0xff] {
            assert_eq!(plain_run(&[b; 17]), 17);
        }
    }
}
