//! The words a person reads about a decision: what decided an authorization and how an expectation fared. Pure
//! text, so that a native test can render every lesson's traces and catch Rust names, empty placeholders and ids
//! where a name exists.

use kmsim_kms::scenario::Expectation;
use kmsim_kms::trace::AuthzTrace;

/// What decided the authorization, after "Decided by" (the core's words, shared with the CLI).
pub fn decided_by(a: &AuthzTrace) -> String {
    a.decided_by_text()
}

/// An expectation in one line: `deciding statement: expected AllowUse` and, when it did not hold, what was found
/// (`nothing` rather than an empty place).
pub fn expectation(e: &Expectation) -> String {
    let mut out = format!("{}: expected {}", e.what, e.expected);
    if !e.held {
        let found = if e.actual.is_empty() { "nothing" } else { e.actual.as_str() };
        out.push_str(&format!(", got {found}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

    use kmsim_kms::scenario::Scenario;

    use super::*;

    /// Every text a person reads about every step of every lesson, as written and solved.
    fn texts() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for l in crate::starts::LESSONS {
            let file = serde_json::from_str(l.text).unwrap();
            let written = Scenario::from_file(file).unwrap();
            let solved = written.with_solution().unwrap().unwrap();
            for s in [written, solved] {
                let run = s.run(1, true);
                for r in &run.steps {
                    let auths =
                        r.call.iter().flat_map(|c| c.trace.authorizations.iter()).chain(r.authorization.as_deref());
                    for a in auths {
                        out.push((format!("{} step {}", l.id, r.index), decided_by(a)));
                        out.extend(a.explanation.iter().map(|e| (format!("{} step {} why", l.id, r.index), e.clone())));
                    }
                    for e in &r.expectations {
                        out.push((format!("{} step {}", l.id, r.index), expectation(e)));
                    }
                }
                for g in &run.goals {
                    out.extend(g.checks.iter().map(|c| (format!("{} goal {}", l.id, g.id), expectation(c))));
                }
            }
        }
        out
    }

    #[test]
    fn no_trace_text_shows_rust_names_empty_places_or_grant_ids() {
        let texts = texts();
        assert!(texts.len() > 300, "{}", texts.len());
        let rust_names = ["IdentityPolicy", "ResourcePolicy", "ImplicitDeny", "ExplicitDeny", "Some(", "None", "{ "];
        for (place, t) in &texts {
            assert!(!t.contains("  "), "{place}: a double space: {t:?}");
            assert!(!t.trim_end().ends_with("got") && !t.contains("got ,"), "{place}: nothing after `got`: {t:?}");
            assert!(!t.contains("(root user)"), "{place}: {t:?}");
            for n in rust_names {
                assert!(!t.contains(n), "{place}: a Rust name `{n}`: {t:?}");
            }
            // A Rust path (`Outcome::Denied`), not an ARN (`arn:aws:s3:::reports`, `arn:aws:iam::111122223333:root`).
            let path = t
                .split(|c: char| c.is_whitespace() || "\"',{}[]()".contains(c))
                .any(|w| !w.starts_with("arn:") && w.contains("::"));
            assert!(!path, "{place}: a Rust name `::`: {t:?}");
            let hex = t.split(|c: char| !c.is_ascii_hexdigit()).any(|w| w.len() >= 32);
            assert!(!hex, "{place}: an id where a name is expected: {t:?}");
        }
    }

    #[test]
    fn an_empty_finding_reads_nothing() {
        let e =
            Expectation { what: "deciding statement".into(), expected: "A".into(), actual: String::new(), held: false };
        assert_eq!(expectation(&e), "deciding statement: expected A, got nothing");
    }
}
