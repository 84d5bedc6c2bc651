//! The protocol's error and number shapes, shared by the JS API (crates/wasm) and the CLI's `--format json`: a
//! [`Failure`] is why a request could not be answered, made of [`Diagnostic`]s; [`to_json`] writes answers so that
//! JavaScript reads every integer exactly.

use kmsim_policy::{ErrorKind, PolicyError, PolicyErrors, Span};
use serde::Serialize;
use serde_json::Value as J;

use crate::error::{ErrorCode, KmsError};
use crate::hsm::Seed;
use crate::scenario::ScenarioErrors;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a request failed: a one-line message and every problem found, as [`Diagnostic`]s. The JS API throws it as an
/// `Error` with a `diagnostics` property; the CLI prints it as JSON (`{ message, diagnostics }`) with
/// `--format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// One problem: a message and, when known, where it is (`span`), what kind it is, and which input policy it is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Diagnostic {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// For policy errors: the engine's error kind (`InvalidJson`, `UnknownElement`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ErrorKind>,
    /// For `evaluate`: the 0-based index of the input policy the problem is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<usize>,
    /// For a call that could not be made: the AWS error code (`ValidationException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
}

impl Diagnostic {
    /// A diagnostic with only a message.
    pub fn message(message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), help: None, span: None, kind: None, policy: None, code: None }
    }

    /// A policy error, in the input policy `policy` when there are several.
    pub fn from_policy_error(e: PolicyError, policy: Option<usize>) -> Diagnostic {
        Diagnostic { message: e.message, help: e.help, span: Some(e.span), kind: Some(e.kind), policy, code: None }
    }
}

impl Failure {
    /// A failure with a single diagnostic that repeats the message.
    pub fn new(message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure { diagnostics: vec![Diagnostic::message(message.clone())], message }
    }

    /// A JSON input that does not have the expected shape (`what`: the input in the user's words).
    pub fn input(what: &str, e: impl std::fmt::Display) -> Failure {
        Failure::new(format!("invalid {what}: {e}"))
    }

    /// The problems of several input policies (each diagnostic names its policy): "policies have N errors".
    pub fn policies(diagnostics: Vec<Diagnostic>) -> Failure {
        Failure { message: count("policies have", diagnostics.len()), diagnostics }
    }

    /// The problems of one policy document: "policy has N errors".
    pub fn policy(errors: PolicyErrors) -> Failure {
        let diagnostics: Vec<Diagnostic> =
            errors.errors.into_iter().map(|e| Diagnostic::from_policy_error(e, None)).collect();
        Failure { message: count("policy has", diagnostics.len()), diagnostics }
    }

    /// The diagnostics as JSON.
    pub fn diagnostics_json(&self) -> J {
        to_json(&self.diagnostics)
    }
}

fn count(what: &str, n: usize) -> String {
    format!("{what} {n} error{}", if n == 1 { "" } else { "s" })
}

impl From<ScenarioErrors> for Failure {
    /// Every problem of a scenario, located: "scenario has N errors".
    fn from(errs: ScenarioErrors) -> Failure {
        let message = count("scenario has", errs.errors.len());
        let diagnostics = errs
            .errors
            .into_iter()
            .map(|e| Diagnostic { help: e.help, span: Some(e.span), ..Diagnostic::message(e.message) })
            .collect();
        Failure { message, diagnostics }
    }
}

impl From<KmsError> for Failure {
    /// A call that could not be made, with its AWS error code.
    fn from(e: KmsError) -> Failure {
        Failure {
            diagnostics: vec![Diagnostic { code: Some(e.code), ..Diagnostic::message(e.message.clone()) }],
            message: e.message,
        }
    }
}

/// Serialises an answer for JavaScript: integers beyond 2^53 become decimal strings (seeds are any u64, and the
/// core accepts seeds as strings), everything else is unchanged.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> J {
    js_safe(serde_json::to_value(value).unwrap_or(J::Null))
}

fn js_safe(v: J) -> J {
    match v {
        J::Number(n) => {
            let unsafe_int = n.as_u64().is_some_and(|u| u > MAX_SAFE_INTEGER)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() > MAX_SAFE_INTEGER);
            if unsafe_int {
                J::String(n.to_string())
            } else {
                J::Number(n)
            }
        }
        J::Array(a) => J::Array(a.into_iter().map(js_safe).collect()),
        J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, js_safe(v))).collect()),
        other => other,
    }
}

/// [`to_json`] as JSON text, written straight from `value` (no intermediate JSON tree): the same values in the same
/// key order, integers beyond 2^53 as decimal strings. A JS engine reads this text with `JSON.parse` faster than a
/// binding can build the objects one by one.
pub fn to_json_text<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JsSafe { in_string: false });
    if value.serialize(&mut ser).is_err() {
        return "null".to_string();
    }
    // serde_json writes only UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| "null".to_string())
}

/// serde_json's compact format, except that integers beyond 2^53 (outside object keys, which are already strings)
/// are written as decimal strings.
struct JsSafe {
    in_string: bool,
}

impl JsSafe {
    fn int<W: ?Sized + std::io::Write>(&self, w: &mut W, text: &str, safe: bool) -> std::io::Result<()> {
        if safe || self.in_string {
            w.write_all(text.as_bytes())
        } else {
            w.write_all(b"\"")?;
            w.write_all(text.as_bytes())?;
            w.write_all(b"\"")
        }
    }
}

impl serde_json::ser::Formatter for JsSafe {
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.in_string = true;
        w.write_all(b"\"")
    }
    fn end_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.in_string = false;
        w.write_all(b"\"")
    }
    fn write_u64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: u64) -> std::io::Result<()> {
        self.int(w, &v.to_string(), v <= MAX_SAFE_INTEGER)
    }
    fn write_i64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: i64) -> std::io::Result<()> {
        self.int(w, &v.to_string(), v.unsigned_abs() <= MAX_SAFE_INTEGER)
    }
    /// Integral values as JavaScript writes them (`1767225600`, not `1767225600.0`), so the text is what
    /// `JSON.stringify` writes for the parsed answer.
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        if v.fract() == 0.0 && v.abs() < 1e21 {
            let v = if v == 0.0 { 0.0 } else { v };
            w.write_all(format!("{v:.0}").as_bytes())
        } else {
            serde_json::ser::CompactFormatter.write_f64(w, v)
        }
    }
    fn write_u128<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: u128) -> std::io::Result<()> {
        self.int(w, &v.to_string(), v <= u128::from(MAX_SAFE_INTEGER))
    }
    fn write_i128<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: i128) -> std::io::Result<()> {
        self.int(w, &v.to_string(), v.unsigned_abs() <= u128::from(MAX_SAFE_INTEGER))
    }
}

/// Reads a seed given as a JSON number or a decimal string (what [`Seed`] accepts).
pub fn seed(value: J) -> Result<u64, Failure> {
    serde_json::from_value::<Seed>(value).map(|s| s.0).map_err(|e| Failure::input("seed", e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests may fail loudly")]

    use serde_json::json;

    use super::*;

    #[test]
    fn integers_beyond_2_pow_53_become_strings_and_others_stay_numbers() {
        let v =
            to_json(&json!({"a": [MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, u64::MAX], "b": -9_007_199_254_740_993_i64,
            "c": 1.5, "d": -3}));
        assert_eq!(
            v,
            json!({"a": [MAX_SAFE_INTEGER, "9007199254740992", "18446744073709551615"], "b": "-9007199254740993",
                "c": 1.5, "d": -3})
        );
    }

    #[test]
    fn json_text_holds_the_same_values_as_to_json() {
        #[derive(Serialize)]
        struct S {
            z: u64,
            a: i64,
            keys: std::collections::BTreeMap<u64, i64>,
            small: Vec<u32>,
            f: f64,
            whole: Vec<f64>,
            s: &'static str,
            n: Option<u8>,
        }
        let v = S {
            z: u64::MAX,
            a: -9_007_199_254_740_993,
            keys: [(u64::MAX, 1), (7, i64::MIN)].into_iter().collect(),
            small: vec![0, 1, u32::MAX],
            f: 0.1,
            whole: vec![1_767_225_600.0, -0.0, -3.0, 1e20, 2.5e-8],
            s: "\"q\" \u{e9}\n",
            n: None,
        };
        let text = to_json_text(&v);
        assert!(text.starts_with(r#"{"z":"18446744073709551615","a":"-9007199254740993","keys":{"7":"#), "{text}");
        // The same values as JavaScript reads them (every number a double).
        fn as_js(v: J) -> J {
            match v {
                J::Number(n) => json!(n.as_f64()),
                J::Array(a) => J::Array(a.into_iter().map(as_js).collect()),
                J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, as_js(v))).collect()),
                other => other,
            }
        }
        assert_eq!(as_js(serde_json::from_str::<J>(&text).unwrap()), as_js(to_json(&v)));
        assert!(text.contains(r#""f":0.1,"whole":[1767225600,0,-3,100000000000000000000,2.5e-8],"#), "{text}");
        assert_eq!(
            to_json_text(&json!({"b": MAX_SAFE_INTEGER, "a": [MAX_SAFE_INTEGER + 1]})),
            r#"{"b":9007199254740991,"a":["9007199254740992"]}"#
        );
    }

    #[test]
    fn seeds_read_numbers_and_decimal_strings() {
        assert_eq!(seed(json!(42)).unwrap(), 42);
        assert_eq!(seed(json!("18446744073709551615")).unwrap(), u64::MAX);
        assert!(seed(json!(-1)).is_err());
        assert!(seed(json!(1.5)).is_err());
        assert!(seed(json!("x")).unwrap_err().message.starts_with("invalid seed"));
    }

    #[test]
    fn failures_count_their_problems_and_serialise_as_message_and_diagnostics() {
        let one = Failure::new("cannot read `x`");
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            json!({"message": "cannot read `x`",
            "diagnostics": [{"message": "cannot read `x`"}]})
        );
        let errs = kmsim_policy::Policy::parse("{\"Version\": 1, \"Statement\": 2}", kmsim_policy::PolicyType::Scp)
            .unwrap_err();
        let n = errs.errors.len();
        let f = Failure::policy(errs);
        assert_eq!(f.message, format!("policy has {n} error{}", if n == 1 { "" } else { "s" }));
        assert!(f.diagnostics.iter().all(|d| d.kind.is_some() && d.span.is_some() && d.policy.is_none()));
        let k = Failure::from(KmsError::new(ErrorCode::NotFoundException, "no key `k`"));
        assert_eq!(k.diagnostics_json(), json!([{"message": "no key `k`", "code": "NotFoundException"}]));
    }
}
