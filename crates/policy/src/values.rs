//! Condition values compiled for their operator's family (numbers, dates, booleans, base64, CIDRs, patterns), at
//! parse time for values as written and per request for values with policy variables; and the help that says what
//! a family accepts.

use crate::glob::Glob;
use crate::model::{ArnPat, CVal, Cidr, Family, Op};
use crate::request::Request;
use crate::vars::Template;

/// Compiles one condition value for its operator family; the error is the message for the value.
pub(crate) fn compile_value(family: Family, text: &str) -> Result<CVal, String> {
    Ok(match family {
        Family::Str => CVal::Str(text.to_string()),
        Family::StrIc => CVal::StrLower(text.to_lowercase()),
        Family::Like => CVal::Like(Glob::new(text)),
        Family::Num => CVal::Num(crate::num::parse_number(text).ok_or_else(|| format!("`{text}` is not a number"))?),
        Family::Date => CVal::Date(
            crate::time::parse_date(text).ok_or_else(|| format!("`{text}` is not an ISO 8601 date or epoch time"))?,
        ),
        Family::Bool => CVal::Bool(parse_bool(text).ok_or_else(|| format!("`{text}` is not `true` or `false`"))?),
        Family::Bin => CVal::Bin(crate::binary::base64_decode(text).ok_or_else(|| format!("`{text}` is not base64"))?),
        Family::Ip => CVal::Ip(Cidr::parse(text).ok_or_else(|| format!("`{text}` is not an IP address or CIDR"))?),
        Family::Arn => CVal::Arn(ArnPat::new(text)),
        Family::Null => CVal::Null(parse_bool(text).ok_or_else(|| format!("`{text}` is not `true` or `false`"))?),
    })
}

/// `true` or `false` in any case (`Bool`, `Null`, and request strings read as booleans).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The help of an error in a condition value: what the operator's family accepts.
pub(crate) fn family_help(op_text: &str, family: Family) -> String {
    match family {
        Family::Num => format!("`{op_text}` compares numbers, e.g. `10` or `2.5`"),
        Family::Date => format!("`{op_text}` compares dates, e.g. `2026-11-28T12:00:00Z` or epoch seconds"),
        Family::Bool | Family::Null => format!("`{op_text}` takes `true` or `false`"),
        Family::Bin => format!("`{op_text}` takes base64, e.g. `QmluYXJ5VmFsdWU=`"),
        Family::Ip => format!("`{op_text}` takes an IP address or CIDR, e.g. `203.0.113.0/24`"),
        _ => String::new(),
    }
}

/// Resolves a templated condition value for this request (`None`: a variable has no value, or the resolved text is
/// not valid for the operator).
pub(crate) fn resolve_cval(op: Op, t: &Template, req: &Request) -> Option<CVal> {
    match op.family {
        Family::Like => Some(CVal::Like(Glob::from_tokens(t.resolve_tokens(req)?))),
        Family::Arn => Some(CVal::Arn(ArnPat::from_tokens(&t.resolve_tokens(req)?))),
        f => compile_value(f, &t.resolve_text(req)?).ok(),
    }
}
