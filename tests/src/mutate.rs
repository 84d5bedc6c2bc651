//! Deterministic mutations of JSON texts, for the robustness test (`tests/tests/mutations.rs`): byte flips,
//! truncations, field deletions, type swaps and number edits, drawn from a seeded generator so that every run makes
//! the same inputs and a failing one can be named by its [`fingerprint`].

use serde_json::Value;

/// A small seeded generator (SplitMix64): the same seed gives the same mutations on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % u64::try_from(n).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }
}

/// The kinds of mutation, each a different way a hand-edited or corrupted file goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One to three bytes changed at random places (the text is then read as lossy UTF-8).
    ByteFlip,
    /// The text cut at a random character.
    Truncate,
    /// One object member removed, anywhere in the document.
    DeleteField,
    /// One value replaced by a value of another JSON type.
    SwapType,
    /// One run of digits in the text replaced by an extreme number (0, -1, 2^53 + 1, 10^400, ...).
    EditNumber,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::ByteFlip, Kind::Truncate, Kind::DeleteField, Kind::SwapType, Kind::EditNumber];

    pub fn name(self) -> &'static str {
        match self {
            Kind::ByteFlip => "byte-flip",
            Kind::Truncate => "truncate",
            Kind::DeleteField => "delete-field",
            Kind::SwapType => "swap-type",
            Kind::EditNumber => "edit-number",
        }
    }
}

/// `text` mutated once by `kind`; `None` when the kind does not apply (no member to delete, no digits).
pub fn mutate(text: &str, kind: Kind, rng: &mut Rng) -> Option<String> {
    match kind {
        Kind::ByteFlip => Some(flip_bytes(text, rng)),
        Kind::Truncate => {
            let cut = rng.below(text.len());
            let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            text.get(..cut).map(str::to_string)
        }
        Kind::DeleteField | Kind::SwapType => {
            let mut doc: Value = serde_json::from_str(text).ok()?;
            let done = if kind == Kind::DeleteField { delete_member(&mut doc, rng) } else { swap_type(&mut doc, rng) };
            // Half the documents pretty-printed, half on one line (minified files have very long lines).
            let out = if rng.below(2) == 0 { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) };
            done.then_some(out.ok()?)
        }
        Kind::EditNumber => edit_number(text, rng),
    }
}

fn flip_bytes(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    const INTERESTING: &[u8] = b"{}[]\":,\\0-9e.tfn \n\xff\x00";
    for _ in 0..=rng.below(3) {
        let i = rng.below(bytes.len());
        let new = if rng.below(2) == 0 {
            rng.pick(INTERESTING).copied().unwrap_or(b' ')
        } else {
            u8::try_from(rng.next_u64() & 0xff).unwrap_or(0)
        };
        if let Some(b) = bytes.get_mut(i) {
            *b = new;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every value's place in the document, as a list of steps from the root.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn places(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(Step::Key(k.clone()));
                places(child, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                here.push(Step::Index(i));
                places(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, step| match step {
        Step::Key(k) => cur.get_mut(k.as_str()),
        Step::Index(i) => cur.get_mut(*i),
    })
}

fn delete_member(doc: &mut Value, rng: &mut Rng) -> bool {
    let mut all = Vec::new();
    places(doc, &mut Vec::new(), &mut all);
    let members: Vec<&Vec<Step>> = all.iter().filter(|p| matches!(p.last(), Some(Step::Key(_)))).collect();
    let Some(path) = rng.pick(&members) else { return false };
    let Some((Step::Key(key), parent)) = path.split_last() else { return false };
    at(doc, parent).and_then(Value::as_object_mut).and_then(|m| m.remove(key)).is_some()
}

fn swap_type(doc: &mut Value, rng: &mut Rng) -> bool {
    let mut all = Vec::new();
    places(doc, &mut Vec::new(), &mut all);
    let Some(path) = rng.pick(&all).cloned() else { return false };
    let Some(target) = at(doc, &path) else { return false };
    let replacements = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(0),
        serde_json::json!(-1.5),
        serde_json::json!(""),
        serde_json::json!("x"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!([target.clone()]),
        serde_json::json!({ "a": target.clone() }),
    ];
    let kind = |v: &Value| std::mem::discriminant(v);
    let others: Vec<&Value> = replacements.iter().filter(|r| kind(r) != kind(target)).collect();
    let Some(new) = rng.pick(&others) else { return false };
    *target = (*new).clone();
    true
}

fn edit_number(text: &str, rng: &mut Rng) -> Option<String> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            let start = i;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    let &(start, end) = rng.pick(&runs)?;
    const NUMBERS: &[&str] = &[
        "0",
        "-1",
        "1",
        "00",
        "9007199254740993",
        "18446744073709551616",
        "99999999999999999999999999",
        "1e400",
        "-1e400",
        "0.5",
        "1e-400",
        "2147483648",
        "4294967296",
        "365000000",
    ];
    let new = rng.pick(NUMBERS)?;
    Some(format!("{}{new}{}", text.get(..start)?, text.get(end..)?))
}

/// A stable name for an input: FNV-1a (64 bits) of its text, in hex.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
