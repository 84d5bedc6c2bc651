//! The words a person reads about a decision: what decided an authorization and how an expectation fared. Pure
//! text, so that a native test can render every lesson's traces and catch Rust names, empty placeholders and ids
//! where a name exists.

use kmsim_kms::rules::ActionResult;
use kmsim_kms::scenario::Expectation;
use kmsim_kms::trace::AuthzTrace;
use kmsim_kms::AuditRecord;

use crate::state::nested::Origin;

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

/// What a rule's action did when it made no KMS call: the notification it published, or why it could not run.
pub fn action(a: &ActionResult) -> String {
    match (&a.notification, &a.error) {
        (Some(n), _) => format!("notified `{}`: {}", n.topic, n.message),
        (None, Some(e)) => format!("could not run: {e}"),
        (None, None) => outcome(&a.outcome),
    }
}

/// A rule action's outcome as the steps show a call's: `Success` or the error code.
pub fn outcome(o: &str) -> String {
    if o == "success" {
        "Success".to_string()
    } else {
        o.to_string()
    }
}

/// Who made an audit record for whom: a service on the caller's behalf (its `invokedBy` and source IP), or a rule's
/// action as the rule's role.
pub fn origin(o: &Origin, r: &AuditRecord) -> String {
    match o {
        Origin::Service { title, step } => {
            let by = r.user_identity.invoked_by.as_deref().map(|b| format!(", invokedBy {b}")).unwrap_or_default();
            format!("through {title} (step {step}{by}, from {})", r.source_ip_address)
        }
        Origin::Rule { rule, role, step } => {
            format!("rule {rule} after step {step}, as {}", role.splitn(6, ':').nth(5).unwrap_or(role))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

    use kmsim_kms::scenario::{Scenario, ScenarioRun, StepResult};

    use super::*;
    use crate::run::RunView;
    use crate::state::nested::{caption, origins, Nested};

    /// Every text a person reads about every step of every lesson, as written and solved.
    fn texts() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for l in crate::starts::LESSONS {
            let file = serde_json::from_str(l.text).unwrap();
            let written = Scenario::from_file(file).unwrap();
            let solved = written.with_solution().unwrap().unwrap();
            for s in [written, solved] {
                let run = s.run(1, true);
                out.extend(nested_texts(l.id, &run));
                for r in &run.steps {
                    let auths =
                        r.call.iter().flat_map(|c| c.trace.authorizations.iter()).chain(r.authorization.as_deref());
                    let auths = auths.chain(nested_calls(r).flat_map(|c| c.trace.authorizations.iter()));
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

    /// The KMS calls nested in a step: its service's and its rules' actions'.
    fn nested_calls(r: &StepResult) -> impl Iterator<Item = &kmsim_kms::CallOutcome> {
        let service = r.service.iter().flat_map(|s| s.kms_calls.iter());
        service.chain(r.rules.iter().flat_map(|x| &x.firings).flat_map(|f| &f.actions).filter_map(|a| a.call.as_ref()))
    }

    /// The texts about a run's service steps, fired rules and audit origins (issue 14).
    fn nested_texts(id: &str, run: &ScenarioRun) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let view = RunView {
            steps: run.steps.clone(),
            audit: run.world.audit().records().to_vec(),
            key_arns: run.key_arns.clone(),
            passed: run.passed,
            goals: Vec::new(),
        };
        for r in &run.steps {
            let place = format!("{id} step {}", r.index);
            if let Some(s) = &r.service {
                if let Err(e) = &s.response {
                    out.push((place.clone(), e.message.clone()));
                }
                for i in 0..s.kms_calls.len() {
                    out.extend(caption(r, Some(Nested::KmsCall(i))).map(|c| (place.clone(), c)));
                }
            }
            if let Some(report) = &r.rules {
                out.extend(report.stopped.iter().map(|s| (place.clone(), s.clone())));
                for (f, firing) in report.firings.iter().enumerate() {
                    for (i, a) in firing.actions.iter().enumerate() {
                        out.push((place.clone(), action(a)));
                        out.extend(
                            caption(r, Some(Nested::RuleAction { firing: f, action: i })).map(|c| (place.clone(), c)),
                        );
                    }
                }
            }
        }
        let origins = origins(&view);
        for r in &view.audit {
            out.extend(origins.get(&r.event_id.to_string()).map(|o| (format!("{id} audit"), origin(o, r))));
        }
        out
    }

    /// A rule that sets itself off (its action's record matches its pattern), stopped by the loop limit.
    const LOOP: &str = r#"{"title": "loop", "accounts": {"111122223333": {"roles": {"Tagger": {"policies": {"p":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:TagResource", "Resource": "*"}]}}}}}},
        "keys": {"k": {}},
        "rules": [{"name": "retag", "role": "role/Tagger", "pattern": {"detail": {"eventName": ["TagResource"]}},
                   "actions": [{"action": "TagResource", "params": {"Tags": [{"TagKey": "a", "TagValue": "b"}]}}]}],
        "steps": [{"call": "TagResource", "as": "root",
                   "params": {"KeyId": {"$key": "k"}, "Tags": [{"TagKey": "a", "TagValue": "b"}]},
                   "expect": {"rules_stopped": true}}]}"#;

    #[test]
    fn the_loop_limit_and_the_nested_calls_read_as_words() {
        let run = Scenario::parse(LOOP).unwrap().run(1, true);
        assert!(run.passed, "{:?}", run.steps[0].expectations);
        let texts = nested_texts("loop", &run);
        let stopped: Vec<&String> = texts.iter().map(|(_, t)| t).filter(|t| t.contains("loop protection")).collect();
        assert_eq!(stopped.len(), 1, "{texts:?}");
        assert!(
            stopped[0].starts_with("rule `retag` matched its 6th record in this step and was stopped"),
            "{stopped:?}"
        );
        let captions = texts.iter().filter(|(_, t)| t.starts_with("rule retag, action 1: TagResource as ")).count();
        assert_eq!(captions, kmsim_kms::rules::MAX_FIRINGS_PER_STEP);
        check_words(&texts);
    }

    #[test]
    fn a_broken_rule_documents_messages_use_the_users_words() {
        let l = crate::starts::LESSONS.iter().find(|l| l.id.ends_with("14-automated-incident-response")).unwrap();
        let file = Scenario::parse(l.text).unwrap().file;
        let good = serde_json::to_string_pretty(&file.rules[0]).unwrap();
        let broken = [
            good.replace("\"actions\"", "\"action\""),
            good.replace("\"role\": \"role/IncidentResponder\"", "\"role\": 7"),
            good.replace("\"DisableKey\"", "[]"),
            good.replace("\"source\": [", "\"source\": {\"x\": ["),
            good.replace("\"Notify\",", "\"Notify\", \"params\": {},"),
            good.replace("\"topic\": \"security-alerts\"", "\"topic\": \"\""),
            "{\"name\": \"r\"}".to_string(),
            String::new(),
        ];
        let mut texts = Vec::new();
        for (i, text) in broken.iter().enumerate() {
            assert_ne!(text, &good);
            let errors = Scenario::check_rule_text(&file, 0, text).unwrap_err();
            for e in errors {
                assert!(e.span.line > 0, "{i}: {e:?}");
                texts.push((format!("rule {i}"), e.message.clone()));
                texts.extend(e.help.map(|h| (format!("rule {i} help"), h)));
            }
        }
        assert!(texts.len() >= broken.len(), "{texts:?}");
        for (place, t) in &texts {
            for n in ["RuleSpec", "RuleActionSpec", "struct", "Vec<", "Option<", "J::", "serde"] {
                assert!(!t.contains(n), "{place}: a Rust name `{n}`: {t:?}");
            }
        }
        check_words(&texts);
    }

    #[test]
    fn no_trace_text_shows_rust_names_empty_places_or_grant_ids() {
        let texts = texts();
        assert!(texts.len() > 300, "{}", texts.len());
        assert!(texts.iter().any(|(_, t)| t.starts_with("KMS call 1 of Amazon S3 PutObject")), "lesson 13's calls");
        assert!(texts.iter().any(|(_, t)| t.starts_with("notified `security-alerts`")), "lesson 14's rule");
        assert!(texts.iter().any(|(_, t)| t.starts_with("through Amazon S3 (step 0, invokedBy")), "lesson 13's audit");
        assert!(
            texts.iter().any(|(_, t)| t.starts_with("rule lock-on-foreign-decrypt after step 1")),
            "lesson 14's audit"
        );
        check_words(&texts);
    }

    fn check_words(texts: &[(String, String)]) {
        let rust_names = ["IdentityPolicy", "ResourcePolicy", "ImplicitDeny", "ExplicitDeny", "Some(", "None", "{ "];
        for (place, t) in texts {
            assert!(!t.contains("  "), "{place}: a double space: {t:?}");
            assert!(!t.trim_end().ends_with("got") && !t.contains("got ,"), "{place}: nothing after `got`: {t:?}");
            assert!(!t.contains("(root user)"), "{place}: {t:?}");
            for n in rust_names {
                assert!(!t.contains(n), "{place}: a Rust name `{n}`: {t:?}");
            }
            // A Rust path (`Outcome::Denied`), not an ARN (`arn:aws:s3:::reports`, `arn:aws:iam::111122223333:root`).
            let path = t
                .split(|c: char| c.is_whitespace() || "\"'`,{}[]()".contains(c))
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
