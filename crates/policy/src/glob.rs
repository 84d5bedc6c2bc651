//! Wildcard patterns with `*` (any run of characters, possibly empty) and `?` (exactly one character).
//!
//! Patterns are compiled once into a shape with fast paths (everything, exact, prefix, suffix); the general matcher
//! is iterative with a single backtracking point (the last `*`), so it runs in O(pattern × text) at worst and never
//! recurses. Literal `*`/`?` (from the `${*}` and `${?}` policy-variable escapes) are kept apart from wildcards.

/// One token of a pattern before compilation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PTok {
    Char(char),
    Star,
    Quest,
}

/// Tokenises text in which every `*` and `?` is a wildcard.
pub fn tokens(text: &str) -> impl Iterator<Item = PTok> + '_ {
    text.chars().map(|c| match c {
        '*' => PTok::Star,
        '?' => PTok::Quest,
        c => PTok::Char(c),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(String),
    Star,
    Quest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    General(Vec<Tok>),
}

/// A byte that is `*` or `?` (both ASCII, so a byte index of one is a character boundary).
fn is_wild(b: u8) -> bool {
    b == b'*' || b == b'?'
}

/// The byte index of the first `*` or `?` in `text`.
fn wild_at(text: &str) -> Option<usize> {
    text.bytes().position(is_wild)
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    shape: Shape,
}

impl Glob {
    /// Compiles text in which `*` and `?` are wildcards.
    pub fn new(text: &str) -> Glob {
        // The same pattern as `from_tokens(tokens(text))`, with the common shapes recognised without tokens.
        if let Some((simple, lit)) = Simple::of(text) {
            let lit = text.get(lit).unwrap_or_default().to_string();
            let shape = match simple {
                Simple::Any => Shape::Any,
                Simple::Exact => Shape::Exact(lit),
                Simple::Prefix => Shape::Prefix(lit),
                Simple::Suffix => Shape::Suffix(lit),
            };
            return Glob { shape };
        }
        // Literal runs are cut straight out of the text.
        let mut out: Vec<Tok> = Vec::new();
        let mut rest = text;
        while let Some(at) = wild_at(rest) {
            let (lit, wild) = rest.split_at(at);
            if !lit.is_empty() {
                out.push(Tok::Lit(lit.to_string()));
            }
            if wild.starts_with('*') {
                if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
            } else {
                out.push(Tok::Quest);
            }
            rest = wild.get(1..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push(Tok::Lit(rest.to_string()));
        }
        Glob::from_toks(out)
    }

    pub fn from_tokens(toks: impl IntoIterator<Item = PTok>) -> Glob {
        let mut out: Vec<Tok> = Vec::new();
        for t in toks {
            match t {
                PTok::Char(c) => {
                    if let Some(Tok::Lit(s)) = out.last_mut() {
                        s.push(c);
                    } else {
                        out.push(Tok::Lit(c.to_string()));
                    }
                }
                PTok::Star => {
                    if out.last() != Some(&Tok::Star) {
                        out.push(Tok::Star);
                    }
                }
                PTok::Quest => out.push(Tok::Quest),
            }
        }
        Glob::from_toks(out)
    }

    fn from_toks(mut out: Vec<Tok>) -> Glob {
        let shape = match out.as_mut_slice() {
            [] => Shape::Exact(String::new()),
            [Tok::Star] => Shape::Any,
            [Tok::Lit(s)] => Shape::Exact(std::mem::take(s)),
            [Tok::Lit(s), Tok::Star] => Shape::Prefix(std::mem::take(s)),
            [Tok::Star, Tok::Lit(s)] => Shape::Suffix(std::mem::take(s)),
            _ => Shape::General(out),
        };
        Glob { shape }
    }

    /// Matches case-sensitively.
    pub fn matches(&self, text: &str) -> bool {
        self.run(text.as_bytes(), false)
    }

    /// Matches bytes case-sensitively (text that was lower-cased like the pattern).
    pub fn matches_bytes(&self, text: &[u8]) -> bool {
        self.run(text, false)
    }

    /// Matches ignoring ASCII case; the pattern must already be lower case.
    pub fn matches_fold(&self, text: &str) -> bool {
        self.run(text.as_bytes(), true)
    }

    fn run(&self, s: &[u8], fold: bool) -> bool {
        match &self.shape {
            Shape::Any => true,
            Shape::Exact(p) => Simple::Exact.matches(p.as_bytes(), s, fold),
            Shape::Prefix(p) => Simple::Prefix.matches(p.as_bytes(), s, fold),
            Shape::Suffix(p) => Simple::Suffix.matches(p.as_bytes(), s, fold),
            Shape::General(toks) => general(toks, s, fold),
        }
    }
}

/// The shapes of a pattern that need no tokens: its text around its wildcards, when they are only `*` at one end
/// or the other (or nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    Any,
    Exact,
    /// The literal, then only `*`.
    Prefix,
    /// Only `*`, then the literal.
    Suffix,
}

impl Simple {
    /// The simple shape of `text`, if it has one, and its literal's byte range in `text` (the cuts are next to
    /// `*`, which is ASCII: character boundaries).
    fn of(text: &str) -> Option<(Simple, std::ops::Range<usize>)> {
        let Some(first) = wild_at(text) else { return Some((Simple::Exact, 0..text.len())) };
        let last = text.bytes().rposition(is_wild).unwrap_or(first);
        if !text.as_bytes().get(first..=last)?.iter().all(|&b| b == b'*') {
            return None;
        }
        match (first == 0, last + 1 == text.len()) {
            (true, true) => Some((Simple::Any, 0..0)),
            (false, true) => Some((Simple::Prefix, 0..first)),
            (true, false) => Some((Simple::Suffix, last + 1..text.len())),
            (false, false) => None,
        }
    }

    /// Whether `s` matches this shape with literal `lit`.
    fn matches(self, lit: &[u8], s: &[u8], fold: bool) -> bool {
        let eq = |a: &[u8], b: &[u8]| if fold { a.eq_ignore_ascii_case(b) } else { a == b };
        match self {
            Simple::Any => true,
            Simple::Exact => eq(s, lit),
            Simple::Prefix => s.get(..lit.len()).is_some_and(|h| eq(h, lit)),
            Simple::Suffix => s.len() >= lit.len() && s.get(s.len() - lit.len()..).is_some_and(|t| eq(t, lit)),
        }
    }
}

/// A pattern that keeps no copy of its text when it has a [`Simple`] shape: its owner keeps the text (for
/// example the lower-cased names of an `Action` element, one after another) and passes it to [`Lean::matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lean {
    /// The literal is the range `lit` of the owner's text.
    Simple {
        shape: Simple,
        lit: std::ops::Range<usize>,
    },
    General(Glob),
}

impl Lean {
    /// Compiles the range `at` of `store` (text in which `*` and `?` are wildcards), as [`Glob::new`] does.
    pub fn new(store: &str, at: std::ops::Range<usize>) -> Lean {
        let text = store.get(at.clone()).unwrap_or_default();
        match Simple::of(text) {
            Some((shape, lit)) => Lean::Simple { shape, lit: at.start + lit.start..at.start + lit.end },
            None => Lean::General(Glob::new(text)),
        }
    }

    /// Whether `s` matches, `store` being the text this was compiled from; ignoring ASCII case when `fold` (the
    /// pattern must then be lower case).
    pub fn matches(&self, store: &str, s: &[u8], fold: bool) -> bool {
        match self {
            Lean::Simple { shape, lit } => {
                shape.matches(store.as_bytes().get(lit.clone()).unwrap_or_default(), s, fold)
            }
            Lean::General(glob) => glob.run(s, fold),
        }
    }
}

/// Whether `text` matches `pattern` (`*` any run of characters, `?` one character) ignoring ASCII case, without
/// compiling the pattern: the same answer as `Glob::new(&pattern.to_ascii_lowercase())` matching the lower-cased
/// text, with no allocation (for callers that match many patterns once each, such as a lint). Iterative, with a
/// single backtracking point (the last `*`), as the compiled matcher.
pub fn matches_once_fold(pattern: &str, text: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                pi += 1;
                star = Some((pi, si));
                continue;
            }
            Some(b'?') => {
                pi += 1;
                si += char_len(s, si);
                continue;
            }
            // Bytes of a character beyond ASCII compare exactly (they are never ASCII letters).
            Some(c) if s.get(si).is_some_and(|b| b.eq_ignore_ascii_case(c)) => {
                pi += 1;
                si += 1;
                continue;
            }
            _ => {}
        }
        match star {
            // The last `*` takes one more character of the text.
            Some((after, from)) => {
                let next = from + char_len(s, from);
                star = Some((after, next));
                pi = after;
                si = next;
            }
            None => return false,
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|&b| b == b'*')
}

fn char_len(s: &[u8], at: usize) -> usize {
    match s.get(at) {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    }
}

fn general(toks: &[Tok], s: &[u8], fold: bool) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        let advanced = match toks.get(ti) {
            Some(Tok::Star) => {
                star = Some((ti + 1, si));
                ti += 1;
                true
            }
            Some(Tok::Quest) => {
                if si < s.len() {
                    si += char_len(s, si);
                    ti += 1;
                    true
                } else {
                    false
                }
            }
            Some(Tok::Lit(l)) => {
                let l = l.as_bytes();
                let ok = s.get(si..si + l.len()).is_some_and(|h| if fold { h.eq_ignore_ascii_case(l) } else { h == l });
                if ok {
                    si += l.len();
                    ti += 1;
                }
                ok
            }
            None => {
                if si >= s.len() {
                    return true;
                }
                false
            }
        };
        if advanced {
            continue;
        }
        match star {
            Some((t, sp)) if sp < s.len() => {
                let np = sp + char_len(s, sp);
                star = Some((t, np));
                ti = t;
                si = np;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_matches() {
        let cases = [
            ("*", "anything", true),
            ("*", "", true),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("ab*", "abc/def", true),
            ("ab*", "a", false),
            ("*ef", "abc/def", true),
            ("a*c*e", "abcde", true),
            ("a*c*e", "abcdf", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "a\u{e9}c", true),
            ("*a*a*a*a*b", &"a".repeat(200), false),
            ("key/*", "key/1234", true),
            ("key/*", "alias/x", false),
            ("", "", true),
            ("", "x", false),
            ("?*", "", false),
            ("*?", "x", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).matches(t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn a_lean_pattern_matches_as_its_glob() {
        let patterns =
            ["", "*", "**", "abc", "ab*", "ab**", "*ef", "**ef", "a*c", "a?c", "?*", "*?", "get*", "\u{e9}t\u{e9}*"];
        let texts = [
            "",
            "a",
            "abc",
            "abd",
            "abcdef",
            "abef",
            "xef",
            "ef",
            "GetKey",
            "getkey",
            "\u{e9}t\u{e9}",
            "\u{e9}t\u{e9}x",
        ];
        for p in patterns {
            // The pattern as a range of a longer text, as an owner keeps it.
            let store = format!("x:{p}:y");
            let (lean, glob) = (Lean::new(&store, 2..2 + p.len()), Glob::new(p));
            for t in texts {
                for fold in [false, true] {
                    assert_eq!(
                        lean.matches(&store, t.as_bytes(), fold),
                        glob.run(t.as_bytes(), fold),
                        "{p} vs {t} ({fold})"
                    );
                }
            }
        }
        assert_eq!(Lean::new("kms:ab*", 4..7), Lean::Simple { shape: Simple::Prefix, lit: 4..6 });
        assert!(matches!(Lean::new("a*c", 0..3), Lean::General(_)));
    }

    #[test]
    fn matching_once_is_matching_the_compiled_lower_cased_pattern() {
        let patterns = [
            "",
            "*",
            "**",
            "?",
            "??",
            "a",
            "A",
            "abc",
            "ab*",
            "*ef",
            "a*c*e",
            "a?c",
            "*a*a*a*a*b",
            "Get*",
            "*key*",
            "\u{e9}?",
            "?\u{e9}",
            "\u{c9}t\u{e9}*",
            "*?",
            "?*",
            "re*crypt*",
            "kms:*",
            "K*S:De?rypt",
        ];
        let texts = [
            "",
            "a",
            "A",
            "abc",
            "ABC",
            "abcde",
            "abcdf",
            "a\u{e9}c",
            "\u{e9}",
            "x\u{e9}",
            "\u{c9}t\u{e9}",
            "\u{e9}t\u{e9}x",
            "GetKeyPolicy",
            "getkeypolicy",
            "ReEncryptFrom",
            "kms:Decrypt",
            "KMS:DECRYPT",
            "ab",
            "aaaaaaaaab",
        ];
        for p in patterns {
            let compiled = Glob::new(&p.to_ascii_lowercase());
            for t in texts {
                let want = compiled.matches(&t.to_ascii_lowercase());
                assert_eq!(matches_once_fold(p, t), want, "{p:?} vs {t:?}");
            }
        }
        assert!(!matches_once_fold("*a*a*a*a*b", &"a".repeat(200)));
    }

    #[test]
    fn new_is_from_tokens() {
        for p in [
            "",
            "*",
            "**",
            "?",
            "a",
            "abc",
            "ab*",
            "*ef",
            "a*c*e",
            "a?c",
            "a**b",
            "*?*",
            "?a?",
            "\u{e9}*\u{e9}",
            "k*",
            "*k",
            "a**",
            "**a",
            "*a*",
            "?*",
            "*?",
            "a*?",
            "a?*",
        ] {
            assert_eq!(Glob::new(p), Glob::from_tokens(tokens(p)), "{p}");
        }
    }

    #[test]
    fn fold_and_literals() {
        assert!(Glob::new("kms:decrypt").matches_fold("KMS:Decrypt"));
        assert!(Glob::new("get*").matches_fold("GetKeyPolicy"));
        assert!(!Glob::new("get*").matches("GetKeyPolicy"));
        let lit = Glob::from_tokens([PTok::Char('a'), PTok::Char('*')]);
        assert!(lit.matches("a*"));
        assert!(!lit.matches("ab"));
    }
}
