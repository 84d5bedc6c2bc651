//! Number text: decimal text to `f64` without core's float-parsing tables, condition values read as numbers, and
//! numbers written back as text without core's float formatter.
//!
//! `str::parse::<f64>` pulls core's Eisel-Lemire tables (10 KB of powers of five that gzip cannot shrink) into the
//! browser bundle. [`parse_f64`] accepts the same grammar and returns the same value, bit for bit: exact products for
//! short numbers, big-integer division otherwise (numbers in policies are short, so the slow path is rare). A
//! property test checks it against `str::parse::<f64>` on many decimal strings.

use std::cmp::Ordering;

/// Parses `text` exactly like `text.parse::<f64>().ok()`: optional sign, digits with an optional `.`, optional
/// exponent (`e`/`E`, optional sign, digits), or `inf`/`infinity`/`nan` in any case; correctly rounded (ties to even).
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if body.is_empty() {
        return None;
    }
    let value = match decimal(body.as_bytes()) {
        Some((digits, exp)) => to_f64(&digits, exp),
        None if body.eq_ignore_ascii_case("nan") => f64::NAN,
        None if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") => f64::INFINITY,
        None => return None,
    };
    Some(if negative { -value } else { value })
}

/// Significant digits (0-9, no leading or trailing zeros) and the power of ten to scale them by.
fn decimal(s: &[u8]) -> Option<(Vec<u8>, i64)> {
    let (mut digits, mut exp, mut seen, mut dot, mut i) = (Vec::new(), 0_i64, false, false, 0);
    while let Some(&c) = s.get(i) {
        if c.is_ascii_digit() {
            seen = true;
            if !(digits.is_empty() && c == b'0') {
                digits.push(c - b'0');
            }
            if dot {
                exp -= 1;
            }
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let negative = matches!(s.get(i), Some(b'-'));
        if matches!(s.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let (start, mut e) = (i, 0_i64);
        while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
            if e < 0x10000 {
                e = e * 10 + i64::from(c - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if negative { -e } else { e };
    }
    if i != s.len() {
        return None;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    // 767 significant digits decide any rounding: a nonzero tail beyond 800 digits only needs to stay nonzero.
    if digits.len() > 800 {
        exp += i64::try_from(digits.len() - 801).unwrap_or(i64::MAX / 4);
        digits.truncate(800);
        digits.push(1);
    }
    Some((digits, exp))
}

/// The double nearest to `digits × 10^exp` (ties to even).
fn to_f64(digits: &[u8], exp: i64) -> f64 {
    let n = i64::try_from(digits.len()).unwrap_or(i64::MAX / 4);
    if digits.is_empty() || n + exp <= -324 {
        return 0.0; // below half the smallest subnormal
    }
    if n + exp > 309 {
        return f64::INFINITY; // at least 1e309
    }
    if n <= 15 && (-22..=22).contains(&exp) {
        // Both operands are exact doubles, so the one rounding of `*` or `/` is the correct one.
        let m = digits.iter().fold(0_u64, |m, &d| m * 10 + u64::from(d)) as f64;
        let p = (0..exp.unsigned_abs()).fold(1.0_f64, |p, _| p * 10.0);
        return if exp >= 0 { m * p } else { m / p };
    }
    let mut num = vec![];
    for &d in digits {
        mul_add(&mut num, 10, u32::from(d));
    }
    let mut den = vec![1];
    for _ in 0..exp.unsigned_abs() {
        mul_add(if exp >= 0 { &mut num } else { &mut den }, 10, 0);
    }
    // num / (den × 2^k) lies in [2^52, 2^54) for this k, and in [2^52, 2^53) after one correction.
    let mut k = bit_len(&num) - bit_len(&den) - 53;
    loop {
        let k_used = k.max(-1074);
        let (n2, d2) = if k_used >= 0 { (num.clone(), shl(&den, k_used)) } else { (shl(&num, -k_used), den.clone()) };
        let (mut q, rem) = divide(n2, &d2);
        if q >= 1 << 53 {
            k += 1;
            continue;
        }
        let half = cmp(&shl(&rem, 1), &d2);
        if half == Ordering::Greater || (half == Ordering::Equal && q & 1 == 1) {
            q += 1;
        }
        let mut k_final = k_used;
        if q == 1 << 53 {
            q >>= 1;
            k_final += 1;
        }
        if k_final + 1075 >= 2047 {
            return f64::INFINITY;
        }
        // Normal: biased exponent k + 1075 above the implicit bit 2^52 of q; subnormal: k = -1074 and q < 2^52.
        return f64::from_bits((((k_final + 1074) as u64) << 52) + q);
    }
}

/// `a = a × m + add` on little-endian 32-bit limbs.
fn mul_add(a: &mut Vec<u32>, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in a.iter_mut() {
        let v = u64::from(*limb) * u64::from(m) + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
    if carry > 0 {
        a.push(carry as u32);
    }
}

fn trimmed(a: &[u32]) -> &[u32] {
    let len = a.iter().rposition(|&l| l != 0).map_or(0, |p| p + 1);
    a.get(..len).unwrap_or(a)
}

fn bit_len(a: &[u32]) -> i64 {
    let a = trimmed(a);
    a.last().map_or(0, |top| (a.len() as i64 - 1) * 32 + i64::from(32 - top.leading_zeros()))
}

fn shl(a: &[u32], bits: i64) -> Vec<u32> {
    let (words, rem) = ((bits / 32) as usize, (bits % 32) as u32);
    let mut out = vec![0; words];
    let mut carry = 0;
    for &limb in a {
        out.push(limb << rem | carry);
        carry = if rem == 0 { 0 } else { limb >> (32 - rem) };
    }
    out.push(carry);
    out
}

fn cmp(a: &[u32], b: &[u32]) -> Ordering {
    let (a, b) = (trimmed(a), trimmed(b));
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// `a -= b` for `a >= b`.
fn sub(a: &mut [u32], b: &[u32]) {
    let mut borrow = false;
    for (i, x) in a.iter_mut().enumerate() {
        let (d1, o1) = x.overflowing_sub(b.get(i).copied().unwrap_or(0));
        let (d2, o2) = d1.overflowing_sub(u32::from(borrow));
        *x = d2;
        borrow = o1 || o2;
    }
}

/// Quotient (below 2^55) and remainder of `num / den`, one quotient bit at a time.
fn divide(mut num: Vec<u32>, den: &[u32]) -> (u64, Vec<u32>) {
    let mut q = 0_u64;
    for bit in (0..55).rev() {
        let shifted = shl(den, bit);
        if cmp(&num, &shifted) != Ordering::Less {
            sub(&mut num, &shifted);
            q |= 1 << bit;
        }
    }
    (q, num)
}

/// A numeric condition value or request string: decimal text (sign, digits, `.`, exponent; surrounding whitespace
/// ignored), finite. `inf`/`nan` are not numbers here.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return None;
    }
    parse_f64(t).filter(|n| n.is_finite())
}

/// A request number as the string operators see it: an integer below 10^15 without a fraction, otherwise Rust's
/// `Display` for `f64`.
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        display_f64(n)
    }
}

/// `n.to_string()` (Rust's `Display` for `f64`: the shortest digits that read back as `n`, never an exponent),
/// made from serde_json's float formatter instead of core's: serde_json's is in the browser bundle anyway, and
/// core's (Grisu with a Dragon fallback, both shortest and fixed-precision paths, ~11 KB of wasm) was used only
/// here. Both print the shortest round-tripping digits, closest to `n`; only the layout differs (`1e20` versus
/// `100000000000000000000`), which this rewrites. Tests compare it with `to_string` on millions of doubles.
fn display_f64(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    let Some(number) = serde_json::Number::from_f64(n) else {
        return if n > 0.0 { "inf" } else { "-inf" }.to_string();
    };
    // serde_json writes `-?D+(.D+)?(e-?D+)?`.
    let text = number.to_string();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut point = i64::try_from(int.len()).unwrap_or(0) + i64::from(exponent);
    let leading = digits.iter().take_while(|&&d| d == b'0').count();
    digits.drain(..leading);
    point -= i64::try_from(leading).unwrap_or(0);
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    // The one difference in digits: when `n` lies exactly halfway between two shortest candidates, serde_json
    // rounds to the even one and core rounds up.
    if exact_digits(n).is_some_and(|exact| {
        exact.len() == digits.len() + 1 && exact.ends_with('5') && exact.as_bytes().starts_with(&digits)
    }) {
        let mut carry = true;
        for d in digits.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            digits.insert(0, b'1');
            point += 1;
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
    }
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    let len = i64::try_from(digits.len()).unwrap_or(0);
    let zeros = |out: &mut String, k: i64| out.extend(std::iter::repeat_n('0', usize::try_from(k).unwrap_or(0)));
    let digits = String::from_utf8(digits).unwrap_or_default();
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        zeros(&mut out, -point);
        out.push_str(&digits);
    } else if point >= len {
        out.push_str(&digits);
        zeros(&mut out, point - len);
    } else {
        let (i, f) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(i);
        out.push('.');
        out.push_str(f);
    }
    out
}

/// The significant digits of `n`'s exact decimal value (no leading or trailing zeros), when there are at most 19.
fn exact_digits(n: f64) -> Option<String> {
    let bits = n.to_bits();
    let exp_bits = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let frac = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if exp_bits == 0 { (frac, -1074) } else { (frac | 1 << 52, exp_bits - 1075) };
    if m == 0 {
        return None;
    }
    while m % 2 == 0 {
        m /= 2;
        e += 1;
    }
    let exact = if e >= 0 {
        // m·2^e = (m / 5^j)·2^(e-j)·10^j
        while m % 5 == 0 && e > 0 {
            m /= 5;
            e -= 1;
        }
        m.checked_mul(2u64.checked_pow(u32::try_from(e).ok()?)?)?
    } else {
        // m·2^e = m·5^-e / 10^-e
        m.checked_mul(5u64.checked_pow(e.unsigned_abs())?)?
    };
    Some(exact.to_string())
}

#[cfg(test)]
mod tests {
    use super::{display_f64, number_text, parse_f64, parse_number};
    use proptest::prelude::*;

    fn same(text: &str) {
        let (ours, core) = (parse_f64(text), text.parse::<f64>().ok());
        assert_eq!(ours.map(f64::to_bits), core.map(f64::to_bits), "`{text}`: {ours:?} vs {core:?}");
    }

    #[test]
    fn agrees_with_core_on_edge_cases() {
        for text in [
            "",
            "+",
            "-",
            ".",
            "e",
            "1e",
            "1e+",
            "e5",
            ".e5",
            "1.e5",
            ".5",
            "5.",
            "-.5",
            "+5",
            "--5",
            "+-5",
            "1..2",
            "1.2.3",
            "1e5.5",
            "1e-5",
            "1E+05",
            "0",
            "-0",
            "+0.0",
            "00000",
            "0e999999999999999999",
            "1e999999999999",
            "1e-99999999999",
            "inf",
            "-Inf",
            "+INFINITY",
            "infinit",
            "nan",
            "-NaN",
            "NAN",
            "nan1",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2e308",
            "1e309",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "5e-324",
            "1e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "9007199254740993",
            "9007199254740992.5",
            "9007199254740993.0000000000000000000000000000001",
            "123456789012345678901234567890",
            "0.1",
            "0.2",
            "0.30000000000000004",
            "1e23",
            "8.98846567431158e307",
            "3600",
            "1.5",
            "-273.15",
            "1e22",
            "1e-22",
            "123456789012345e22",
            "9999999999999999e-22",
        ] {
            same(text);
        }
        let long = format!("0.{}1e-300", "0".repeat(2000));
        same(&long);
        same(&format!("{}e-1000", "9".repeat(1200)));
        same(&format!("1{}1", "0".repeat(900)));
        same(&format!("2.{}1e-324", "4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125"));
    }

    #[test]
    fn display_f64_is_to_string() {
        let check = |n: f64| assert_eq!(display_f64(n), n.to_string(), "bits {:#x}", n.to_bits());
        for n in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1.5,
            1e15,
            1e16,
            1e20,
            1e21,
            1e22,
            1e23,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            1e-7,
            1.23456789e-300,
            123456789012345680.0,
            0.30000000000000004,
            f64::EPSILON,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(n);
        }
        // Every exponent, with random and edge mantissas; then uniformly random bit patterns (xorshift: no
        // global randomness, reproducible).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for exp in 0..2048u64 {
            for mantissa in [0, 1, 2, (1 << 52) - 1, (1 << 51), next() & ((1 << 52) - 1), next() & ((1 << 52) - 1)] {
                for sign in [0, 1u64 << 63] {
                    check(f64::from_bits(sign | exp << 52 | mantissa));
                }
            }
        }
        // Halfway cases: m·2^e with short exact values.
        for e in -1074..=200 {
            for m in 1..64u64 {
                check(m as f64 * 2f64.powi(e));
            }
        }
        for _ in 0..300_000 {
            check(f64::from_bits(next()));
        }
        // Short decimals (where a shortest-digits tie-break would show).
        for _ in 0..200_000 {
            let digits = next() % 100_000_000;
            let exp = i32::try_from(next() % 80).unwrap_or(0) - 40;
            check(format!("{digits}e{exp}").parse().unwrap());
        }
        // As condition operators see a request number.
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(-1e-7), "-0.0000001");
    }

    #[test]
    fn numbers_in_conditions() {
        assert_eq!(parse_number(" 10 "), Some(10.0));
        assert_eq!(parse_number("-2.5e1"), Some(-25.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1e999"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("0x10"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn agrees_with_core_on_decimals(text in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,3})?") {
            same(&text);
        }

        #[test]
        fn agrees_with_core_on_near_limits(m in "[1-9][0-9]{0,40}", e in -400_i32..330) {
            same(&format!("{m}e{e}"));
            same(&format!("0.{m}e{e}"));
        }

        #[test]
        fn agrees_with_core_on_doubles(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            same(&format!("{x:e}"));
            same(&format!("{x}"));
            same(&format!("{x:.3e}"));
        }

        #[test]
        fn agrees_with_core_on_any_text(text in "[-+0-9.eEinfaINFAty ]{0,12}") {
            same(&text);
        }
    }
}
