//! Generates `types/kmsim.d.ts` from the Rust types themselves and checks that the file is up to date.
//!
//! The core crates derive `tsify::Tsify` on every type that crosses the JS boundary behind their `ts` feature, which
//! this crate enables natively (Cargo.toml), the protocol's own inputs and answers (`kmsim_kms::session`) included.
//! Each derive yields the type's TypeScript declaration as `DECL`; [`generate`] concatenates them in a fixed order.
//! The only TypeScript written by hand is [`KMSIM_ERROR`] and [`EVALUATION`] here and the `#[tsify(type = "...")]` strings in the core
//! for types with hand-written serde impls or free-form JSON fields (listed in README.md).
//!
//! `types_file_is_up_to_date` fails when a Rust type changes and the file was not regenerated:
//! `KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript`. `tsc --strict` of `js-tests/example.ts` and the node
//! tests (`scripts/test-js.sh`) check the declarations against the built package.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use kmsim_kms::audit::{cloudtrail, EventType, SessionAttributes, SessionContext, SessionIssuer, UserIdentity};
use kmsim_kms::lint::complete::{Completion, CompletionKind, Completions, Hover};
use kmsim_kms::lint::{Finding, Fix, Severity};
use kmsim_kms::principal::ServiceAudit;
use kmsim_kms::rules::{ActionResult, Notification, RuleFiring, RuleReport};
use kmsim_kms::scenario::{Expectation, GoalResult, ScenarioRun, StepResult};
use kmsim_kms::services::{ServiceError, ServiceOutcome};
use kmsim_kms::session::{Diagnostic, EvaluateInput, EvaluateOptions, PolicyInput, ValidationResult};
use kmsim_kms::trace::{
    AuthzTrace, CallTrace, Check, CheckKind, CombiningRule, DecidedBy, GrantEval, Missing, Outcome, PolicyEval,
    PolicyKind, StatementId,
};
use kmsim_kms::{CallOutcome, Caller, Credentials, Duration, ErrorCode, KmsError, NamedPolicy};
use kmsim_kms::{Timestamp, World};
use kmsim_policy::{
    Combination, CombineStep, ConditionTrace, Context, ContextValue, Decided, Decision, Effect, ElementName,
    ElementTrace, EntryTrace, ErrorKind, MissingAllow, PolicyDecision, PolicyError, PolicyResult, PolicyTrace,
    PolicyType, PolicyWarning, Principal, PrincipalKind, PrincipalMatch, Request, SetResult, Span, StatementAt,
    StatementRef, StatementTrace, StepKind, StepOutcome, Value,
};
use tsify::Tsify;

/// Written by hand: the error the API throws is a JS `Error`, not a Rust type.
const KMSIM_ERROR: &str = "\
/**
 * What the API throws: an `Error` whose `diagnostics` list every problem, with locations where known.
 */
export interface KmsimError extends Error {
    diagnostics: Diagnostic[];
}";

/// `PreparedPolicies.check`'s answer: a plain JS object made by the JS class in `src/lib.rs` (not a Rust type).
const EVALUATION: &str = "\
/**
 * One request decided by `PreparedPolicies.check`: the decision at once, the full answer made when asked for (a
 * plain JS object; it holds the request as JSON text and keeps working after the `PreparedPolicies` is freed).
 */
export interface Evaluation {
    readonly decision: Decision;
    /**
     * Whether the decision is `Allow`.
     */
    readonly allowed: boolean;
    /**
     * What `prepared.evaluate(request, options)` answers; `{ trace: true }` records the full trace (now).
     */
    result(options?: EvaluateOptions): SetResult;
    /**
     * `result`'s answer as JSON text.
     */
    resultJson(options?: EvaluateOptions): string;
}";

fn generate() -> String {
    let decls = [
        // The policy engine.
        PolicyType::DECL,
        Span::DECL,
        ErrorKind::DECL,
        PolicyError::DECL,
        PolicyWarning::DECL,
        Effect::DECL,
        PolicyDecision::DECL,
        Decision::DECL,
        PrincipalMatch::DECL,
        StatementRef::DECL,
        PolicyResult::DECL,
        SetResult::DECL,
        Combination::DECL,
        CombineStep::DECL,
        StepKind::DECL,
        StepOutcome::DECL,
        StatementAt::DECL,
        Decided::DECL,
        MissingAllow::DECL,
        PolicyTrace::DECL,
        ElementName::DECL,
        StatementTrace::DECL,
        ElementTrace::DECL,
        EntryTrace::DECL,
        ConditionTrace::DECL,
        PrincipalKind::DECL,
        Principal::DECL,
        Value::DECL,
        ContextValue::DECL,
        Context::DECL,
        Request::DECL,
        // The JS API's own inputs and answers.
        PolicyInput::DECL,
        EvaluateInput::DECL,
        EvaluateOptions::DECL,
        ValidationResult::DECL,
        Severity::DECL,
        Fix::DECL,
        Finding::DECL,
        CompletionKind::DECL,
        Completion::DECL,
        Completions::DECL,
        Hover::DECL,
        Diagnostic::DECL,
        KMSIM_ERROR,
        EVALUATION,
        // KMS.
        ErrorCode::DECL,
        KmsError::DECL,
        Credentials::DECL,
        NamedPolicy::DECL,
        ServiceAudit::DECL,
        Caller::DECL,
        Duration::DECL,
        Timestamp::DECL,
        CallOutcome::DECL,
        CallTrace::DECL,
        Outcome::DECL,
        Check::DECL,
        CheckKind::DECL,
        CombiningRule::DECL,
        PolicyKind::DECL,
        PolicyEval::DECL,
        GrantEval::DECL,
        StatementId::DECL,
        DecidedBy::DECL,
        Missing::DECL,
        AuthzTrace::DECL,
        SessionIssuer::DECL,
        SessionAttributes::DECL,
        SessionContext::DECL,
        UserIdentity::DECL,
        cloudtrail::AuditResource::DECL,
        EventType::DECL,
        cloudtrail::AuditRecord::DECL,
        Expectation::DECL,
        ServiceError::DECL,
        ServiceOutcome::DECL,
        Notification::DECL,
        ActionResult::DECL,
        RuleFiring::DECL,
        RuleReport::DECL,
        StepResult::DECL,
        GoalResult::DECL,
        ScenarioRun::DECL,
        World::DECL,
    ];
    let mut out = String::from(
        "// Generated by crates/wasm/tests/typescript.rs from the Rust types (tsify): do not edit.\n\
         // Regenerate: KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript\n\n",
    );
    for d in decls {
        out.push_str(d.trim_end());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[test]
fn types_file_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("types/kmsim.d.ts");
    let want = generate();
    if std::env::var_os("KMSIM_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "types/kmsim.d.ts is out of date: run `KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript`"
    );
}

/// The identifiers in `text`, each with the text after it.
fn identifiers(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((&text[s..i], &text[i..]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The names a declaration file declares (`export type X`, `export interface X`) and the capitalised names it uses
/// outside comments, string literals and property keys (the declared names included).
fn declared_and_used(ts: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut declared = BTreeSet::new();
    let mut used = BTreeSet::new();
    for line in ts.lines().filter(|l| !l.trim_start().starts_with(['/', '*'])) {
        if let Some(decl) = line.strip_prefix("export type ").or_else(|| line.strip_prefix("export interface ")) {
            if let Some((name, _)) = identifiers(decl).first() {
                declared.insert(name.to_string());
            }
        }
        // Every other piece of a line split at `"` is outside a string literal.
        for part in line.split('"').step_by(2) {
            for (word, after) in identifiers(part) {
                let is_key = after.starts_with(':') || after.starts_with("?:");
                if word.starts_with(|c: char| c.is_ascii_uppercase()) && !is_key {
                    used.insert(word.to_string());
                }
            }
        }
    }
    (declared, used)
}

/// Every type name the declarations use is declared in the file or built into TypeScript, so a reference to a Rust
/// type without a derive (or a misspelt override) fails here, natively, before `tsc` sees the package.
#[test]
fn every_referenced_type_is_declared() {
    const BUILT_IN: [&str; 2] = ["Record", "Error"];
    let (declared, used) = declared_and_used(&generate());
    assert!(declared.len() >= 50, "only {} declarations: {declared:?}", declared.len());
    let missing: Vec<&String> =
        used.iter().filter(|u| !declared.contains(*u) && !BUILT_IN.contains(&u.as_str())).collect();
    assert!(missing.is_empty(), "used but not declared: {missing:?}");
    // The check itself can fail: a reference to an undeclared type is reported.
    let (declared, used) =
        declared_and_used("/** A B */\nexport interface A {\n    b: Missing;\n    C?: \"D\" | A[];\n}");
    assert_eq!(declared, BTreeSet::from(["A".to_string()]));
    assert_eq!(used, BTreeSet::from(["A".to_string(), "Missing".to_string()]));
}
