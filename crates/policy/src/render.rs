//! Plain-text rendering of a trace for terminals (no colour codes).

use std::fmt::Write as _;

use crate::error::Span;
use crate::policy_type::PolicyType;
use crate::result::*;

fn snippet<'s>(source: Option<&'s str>, span: &Span) -> Option<&'s str> {
    let src = source?;
    let start = span.offset as usize;
    let end = start.saturating_add(span.len as usize).min(src.len());
    let text = src.get(start..end)?;
    let first = text.lines().next()?.trim();
    (!first.is_empty()).then_some(first)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(3)).collect();
        out.push_str("...");
        out
    }
}

fn decision_text(d: PolicyDecision) -> &'static str {
    match d {
        PolicyDecision::ExplicitDeny => "explicit deny",
        PolicyDecision::Allow => "allow",
        PolicyDecision::NoMatch => "no statement applies",
    }
}

fn type_text(t: PolicyType) -> &'static str {
    match t {
        PolicyType::Identity => "identity-based policy",
        PolicyType::Resource => "resource-based policy",
        PolicyType::Scp => "service control policy",
        PolicyType::Rcp => "resource control policy",
        PolicyType::PermissionsBoundary => "permissions boundary",
        PolicyType::Session => "session policy",
    }
}

fn element_text(e: ElementName) -> &'static str {
    match e {
        ElementName::Principal => "Principal",
        ElementName::NotPrincipal => "NotPrincipal",
        ElementName::Action => "Action",
        ElementName::NotAction => "NotAction",
        ElementName::Resource => "Resource",
        ElementName::NotResource => "NotResource",
    }
}

fn mark(b: bool) -> &'static str {
    if b {
        "[+]"
    } else {
        "[-]"
    }
}

fn write_entry(out: &mut String, indent: &str, e: &EntryRef<'_>) {
    let _ = write!(out, "{indent}{} {}", mark(e.matched), e.value);
    if let Some(r) = &e.resolved {
        let _ = write!(out, "  => {r}");
    }
    if let Some(n) = &e.note {
        let _ = write!(out, "  ({n})");
    }
    out.push('\n');
}

/// Renders a trace as plain text: each statement, whether it applies and why, each element's policy values against
/// the request's value, each condition with its values; deciding statements are marked `<== DECIDES`.
/// With `source`, the policy text of each statement's first line is quoted.
pub fn render_text(trace: &PolicyTrace, source: Option<&str>) -> String {
    let mut out = String::new();
    let _ = write!(out, "{}", type_text(trace.policy_type));
    if let Some(id) = &trace.id {
        let _ = write!(out, " `{id}`");
    }
    let _ = writeln!(out, ": {}", decision_text(trace.decision));
    let deciding_effect = match trace.decision {
        PolicyDecision::ExplicitDeny => Some(Effect::Deny),
        PolicyDecision::Allow => Some(Effect::Allow),
        PolicyDecision::NoMatch => None,
    };
    for st in &trace.statements {
        let effect = match st.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let sid = st.sid.as_deref().map(|s| format!(" \"{s}\"")).unwrap_or_default();
        let status = if st.applies { "APPLIES" } else { "does not apply" };
        let decides = st.applies && Some(st.effect) == deciding_effect;
        let _ = write!(out, "\nstatement {}{sid} ({effect}, line {}): {status}", st.index, st.span.line);
        if decides {
            out.push_str("  <== DECIDES");
        }
        out.push('\n');
        if let Some(s) = snippet(source, &st.span) {
            let _ = writeln!(out, "  | {}", clip(s, 100));
        }
        let _ = writeln!(out, "  why: {}", st.reason);
        for el in &st.elements {
            let _ = writeln!(
                out,
                "  {} {} (line {}): request has `{}`: {}",
                mark(el.matched),
                element_text(el.element),
                el.span().line,
                el.request_value,
                el.reason
            );
            for e in &el.entries {
                write_entry(&mut out, "      ", &e);
            }
        }
        for c in &st.conditions {
            let req = match &c.request_values {
                None => "missing".to_string(),
                Some(v) => format!("[{}]", v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")),
            };
            let _ = writeln!(
                out,
                "  {} Condition {} `{}` (line {}): request value {req}: {}",
                mark(c.outcome),
                c.operator(),
                c.key(),
                c.span().line,
                c.reason
            );
            for e in &c.values {
                write_entry(&mut out, "      ", &e);
            }
        }
    }
    out
}
