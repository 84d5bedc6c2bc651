//! Dates, without dependencies: what the `Date…` condition operators and typed date values need.
//!
//! Accepted date forms (all UTC unless an offset is given):
//! - W3C/ISO 8601 date: `2026-11-28` (midnight UTC);
//! - date-time with minutes, seconds and optional fractional seconds: `2026-11-28T12:00Z`, `2026-11-28T12:00:00Z`,
//!   `2026-11-28T12:00:00.123Z`; the zone is `Z`, `+hh:mm`, `-hh:mm`, `+hhmm` or `+hh` (a missing zone means UTC);
//! - epoch seconds: `1764331200` (optionally negative or with a fractional part).
//!
//! Dates are represented as milliseconds since the Unix epoch (`i64`).

/// Parses an ISO 8601 / W3C date or date-time, or epoch seconds, into milliseconds since the epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(ms) = parse_epoch(t) {
        return Some(ms);
    }
    let b = t.as_bytes();
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4)?;
    p.expect(b'-')?;
    let month = p.digits(2)?;
    p.expect(b'-')?;
    let day = p.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day).checked_mul(86_400_000)?;
    if p.done() {
        return Some(ms);
    }
    match p.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = p.digits(2)?;
    p.expect(b':')?;
    let minute = p.digits(2)?;
    let mut second = 0;
    let mut frac_ms = 0;
    if p.peek() == Some(b':') {
        p.i += 1;
        second = p.digits(2)?;
        if p.peek() == Some(b'.') || p.peek() == Some(b',') {
            p.i += 1;
            let start = p.i;
            let mut scale = 100;
            while let Some(c) = p.peek().filter(u8::is_ascii_digit) {
                frac_ms += i64::from(c - b'0') * scale;
                scale /= 10;
                p.i += 1;
            }
            if p.i == start {
                return None;
            }
        }
    }
    // 24:00:00 is allowed by ISO 8601 as the end of the day; leap second 60 is folded into 59.
    if hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute != 0 || second != 0 || frac_ms != 0)) {
        return None;
    }
    let second = second.min(59);
    let mut offset_min: i64 = 0;
    match p.next() {
        None => {}
        Some(b'Z' | b'z') => {}
        Some(sign @ (b'+' | b'-')) => {
            let oh = p.digits(2)?;
            let mut om = 0;
            if p.peek() == Some(b':') {
                p.i += 1;
                om = p.digits(2)?;
            } else if !p.done() {
                om = p.digits(2)?;
            }
            if oh > 23 || om > 59 {
                return None;
            }
            offset_min = oh * 60 + om;
            if sign == b'-' {
                offset_min = -offset_min;
            }
        }
        Some(_) => return None,
    }
    if !p.done() {
        return None;
    }
    ms = ms.checked_add((hour * 3600 + minute * 60 + second) * 1000 + frac_ms)?;
    ms.checked_sub(offset_min * 60_000)
}

fn parse_epoch(t: &str) -> Option<i64> {
    let body = t.strip_prefix('-').unwrap_or(t);
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit() || c == b'.') || body.starts_with('.') {
        return None;
    }
    // Four digits alone are a year in ISO 8601 (`2026`), but IAM treats digit strings as epoch seconds.
    let secs = crate::num::parse_f64(t)?;
    if !secs.is_finite() || secs.abs() > 1e14 {
        return None;
    }
    #[expect(clippy::cast_possible_truncation, reason = "bounded above to 1e17 milliseconds")]
    Some((secs * 1000.0).round() as i64)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v = 0i64;
        for _ in 0..n {
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (with `.mmm` when there are milliseconds).
pub fn format_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_date("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date("1970-01-01T00:00:00-0100"), Some(3_600_000));
        assert_eq!(parse_date("2026-11-28T12:00Z"), parse_date("2026-11-28T12:00:00Z"));
        assert_eq!(parse_date("1795867200"), Some(1_795_867_200_000));
        assert_eq!(parse_date("2026-11-28T12:00:00Z"), Some(1_795_867_200_000));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-29"), Some(days_from_civil(2024, 2, 29) * 86_400_000));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2026-11-28T25:00:00Z"), None);
        assert_eq!(parse_date("2026-11-28T12:00:00Zx"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn date_round_trip() {
        for ms in [0, 1_795_867_200_000, 1_795_867_200_123, -86_400_000, 951_782_400_000] {
            assert_eq!(parse_date(&format_date(ms)), Some(ms), "{}", format_date(ms));
        }
        assert_eq!(format_date(1_795_867_200_000), "2026-11-28T12:00:00Z");
    }
}
