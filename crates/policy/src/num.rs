//! Decimal text to `f64` without core's float-parsing tables.
//!
//! `str::parse::<f64>` pulls core's Eisel-Lemire tables (10 KB of powers of five that gzip cannot shrink) into the
//! browser bundle. [`parse_f64`] accepts the same grammar and returns the same value, bit for bit: exact products for
//! short numbers, big-integer division otherwise (numbers in policies are short, so the slow path is rare). A
//! property test checks it against `str::parse::<f64>` on many decimal strings.

use std::cmp::Ordering;

/// Parses `text` exactly like `text.parse::<f64>().ok()`: optional sign, digits with an optional `.`, optional
/// exponent (`e`/`E`, optional sign, digits), or `inf`/`infinity`/`nan` in any case; correctly rounded (ties to even).
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::parse_f64;
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
