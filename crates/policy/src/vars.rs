//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}` and the escapes `${*}`, `${?}`, `${$}`.
//!
//! Variables are only substituted in policies with `Version: 2012-10-17`; in older policies `${...}` is literal text.
//! A variable takes the request context's value for its key (case-insensitive). A key that is missing, or that is
//! multi-valued (an array in the context), has no value: then the default is used when one is written, otherwise the
//! entry cannot match (see the evaluator). A substituted value is always literal text: a `*` in a tag value is not a
//! wildcard (so a caller cannot widen a pattern through their own tags).

use std::borrow::Cow;

use crate::glob::{tokens, PTok};
use crate::request::{ContextValue, Request};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    /// Policy text (its `*` and `?` are wildcards where the operator supports them).
    Text(String),
    /// A literal character from an escape: `${*}`, `${?}`, `${$}`.
    Lit(char),
    Var {
        name: String,
        key_lower: String,
        default: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    pub parts: Vec<Part>,
}

/// A problem in a variable reference: message and help.
#[derive(Debug)]
pub(crate) struct VarError {
    pub message: String,
    pub help: String,
}

impl Template {
    /// Splits text into parts. Returns `Ok(None)` when the text has no `${`.
    pub fn parse(text: &str) -> Result<Option<Template>, VarError> {
        if !text.contains("${") {
            return Ok(None);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            let (before, after) = rest.split_at(at);
            if !before.is_empty() {
                parts.push(Part::Text(before.to_string()));
            }
            let inner_and_more = after.get(2..).unwrap_or("");
            let Some(close) = inner_and_more.find('}') else {
                return Err(VarError {
                    message: format!("policy variable `{after}` is not closed"),
                    help: "end the variable with `}`, e.g. `${aws:username}`".to_string(),
                });
            };
            let inner = inner_and_more.get(..close).unwrap_or("");
            rest = inner_and_more.get(close + 1..).unwrap_or("");
            let trimmed = inner.trim();
            match trimmed {
                "*" => parts.push(Part::Lit('*')),
                "?" => parts.push(Part::Lit('?')),
                "$" => parts.push(Part::Lit('$')),
                _ => {
                    let (name, default) = match trimmed.split_once(',') {
                        None => (trimmed, None),
                        Some((n, d)) => {
                            let d = d.trim();
                            let quoted = d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'');
                            let Some(inside) = d.get(1..d.len().saturating_sub(1)).filter(|_| quoted) else {
                                return Err(VarError {
                                    message: format!(
                                        "default value in policy variable `${{{inner}}}` must be in single quotes"
                                    ),
                                    help: "write a default as `${aws:username, 'guest'}`".to_string(),
                                });
                            };
                            (n.trim(), Some(inside.to_string()))
                        }
                    };
                    let valid =
                        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || ":/_.-@+=".contains(c));
                    if !valid {
                        return Err(VarError {
                            message: format!("invalid policy variable `${{{inner}}}`"),
                            help: "a variable names a condition key, e.g. `${aws:username}`; escapes are `${*}`, `${?}` and `${$}`".to_string(),
                        });
                    }
                    parts.push(Part::Var { name: name.to_string(), key_lower: name.to_ascii_lowercase(), default });
                }
            }
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Some(Template { parts }))
    }

    pub fn has_vars(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The first variable without a value in this request, if any.
    pub fn missing_var(&self, req: &Request) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            Part::Var { name, key_lower, default: None } if lookup(req, key_lower).is_none() => Some(name.as_str()),
            _ => None,
        })
    }

    /// The text after substitution (`None` when a variable has no value and no default).
    pub fn resolve_text(&self, req: &Request) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Lit(c) => out.push(*c),
                Part::Var { key_lower, default, .. } => match lookup(req, key_lower) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(default.as_deref()?),
                },
            }
        }
        Some(out)
    }

    /// Pattern tokens after substitution: policy text keeps its wildcards, escapes and values are literal.
    pub fn resolve_tokens(&self, req: &Request) -> Option<Vec<PTok>> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.extend(tokens(t)),
                Part::Lit(c) => out.push(PTok::Char(*c)),
                Part::Var { key_lower, default, .. } => {
                    let v = match lookup(req, key_lower) {
                        Some(v) => v,
                        None => Cow::Borrowed(default.as_deref()?),
                    };
                    out.extend(v.chars().map(PTok::Char));
                }
            }
        }
        Some(out)
    }

    /// Tokens when the template has no variables (escapes only).
    pub fn static_tokens(&self) -> Vec<PTok> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.extend(tokens(t)),
                Part::Lit(c) => out.push(PTok::Char(*c)),
                Part::Var { name, .. } => out.extend(format!("${{{name}}}").chars().map(PTok::Char)),
            }
        }
        out
    }

    /// Text when the template has no variables (escapes only).
    pub fn static_text(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Lit(c) => out.push(*c),
                Part::Var { name, .. } => {
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
        out
    }
}

/// A context value usable as a variable: single-valued only.
fn lookup<'r>(req: &'r Request, key_lower: &str) -> Option<Cow<'r, str>> {
    match req.context.get_lowercase(key_lower)? {
        ContextValue::Single(v) => Some(match v {
            crate::request::Value::String(s) | crate::request::Value::Arn(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(other.as_text()),
        }),
        ContextValue::Multi(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, Principal};

    fn req(ctx: Context) -> Request {
        Request {
            principal: Principal::from_arn("arn:aws:iam::111122223333:user/alice"),
            action: "s3:GetObject".into(),
            resource: "*".into(),
            context: ctx,
            resource_account: None,
        }
    }

    #[test]
    fn parse_and_resolve() {
        let t = Template::parse("home/${aws:username}/${*}x${aws:team, 'none'}").unwrap().unwrap();
        let mut c = Context::new();
        c.insert_string("aws:UserName", "alice");
        let r = req(c);
        assert_eq!(t.resolve_text(&r).as_deref(), Some("home/alice/*xnone"));
        let toks = t.resolve_tokens(&r).unwrap();
        assert!(toks.contains(&PTok::Char('*')));
        assert!(!toks.contains(&PTok::Star));
        let t2 = Template::parse("${aws:userid}").unwrap().unwrap();
        assert_eq!(t2.resolve_text(&r), None);
        assert_eq!(t2.missing_var(&r), Some("aws:userid"));
    }

    #[test]
    fn errors() {
        assert_eq!(
            Template::parse("${aws:username").err().unwrap().message,
            "policy variable `${aws:username` is not closed"
        );
        assert_eq!(Template::parse("${}").err().unwrap().message, "invalid policy variable `${}`");
        assert!(Template::parse("${a, guest}").is_err());
        assert!(Template::parse("plain").unwrap().is_none());
    }
}
