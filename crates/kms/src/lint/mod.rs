//! Lint that knows KMS: findings about a policy that AWS accepts but that does not do what it seems to, or that
//! grants more than KMS's best practices advise. One entry point, [`lint`]; the findings are plain serde data that
//! the CLI renders as text, JSON or SARIF and the JS API returns as they are.
//!
//! The policy is parsed once ([`Policy::parse`]); every finding's location is read from the parsed model (the
//! spans `kmsim_policy` keeps for each element), and every fact about KMS from the [`crate::catalogue`].
//!
//! Severities are IAM Access Analyzer's finding types (`ValidatePolicyFinding.findingType`,
//! <https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html>): an error when
//! a part of the policy is not functional, a security warning when it allows access that is overly permissive, a
//! warning when it does not follow policy-writing best practices, a suggestion for a stylistic improvement. Where
//! Access Analyzer has the same check (its check reference,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>), the finding
//! takes its grade: `Invalid action`, `Invalid service condition key` and `Invalid global condition key` are errors,
//! `ForAllValues with single valued key` a security warning. The other checks are graded by the same definitions
//! (see each code in [`RULES`]): an operator of another type than its key's (`KMS203`) is a warning, not an error,
//! because IAM compares the request's value as text and a string operator can still match a boolean or date key.

mod checks;
pub mod complete;

use kmsim_policy::{Policy, PolicyErrors, PolicyType, Span};
use serde::{Deserialize, Serialize};

/// How serious a finding is (IAM Access Analyzer's finding types), least serious first, so that `>=` compares
/// against a threshold (`--deny warning` fails on warnings, security warnings and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum Severity {
    /// A stylistic improvement that does not change access.
    Suggestion,
    /// Does not follow policy-writing best practices (no security impact).
    Warning,
    /// Allows access that is overly permissive.
    SecurityWarning,
    /// A part of the policy is not functional.
    Error,
}

impl Severity {
    /// The name as written on the command line and in JSON (`security-warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Suggestion => "suggestion",
            Severity::Warning => "warning",
            Severity::SecurityWarning => "security-warning",
            Severity::Error => "error",
        }
    }
}

/// A replacement that fixes a finding for certain (a did-you-mean): replace the text at `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Fix {
    /// The text to put in place of the span's (JSON, quotes included where the span has them).
    pub replacement: String,
    pub span: Span,
    /// What the fix does, for a quick-fix menu (`replace with "kms:Encrypt"`).
    pub title: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Finding {
    /// Stable: `KMS101-unknown-action` (every code is in `kmsim_kms::lint::RULES`).
    pub code: String,
    pub severity: Severity,
    /// One line, lower case, no final period; user input in backticks.
    pub message: String,
    /// Where: line, column, end, byte offset and length, JSON Pointer.
    pub location: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub help: Option<String>,
    /// The AWS documentation page the finding rests on.
    pub doc_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub fix: Option<Fix>,
}

/// A kind of finding: its stable code, its severity, a one-line description and the page it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub doc_url: &'static str,
}

const AA_CHECKS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";
const IAM_GRAMMAR: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
const DG_KEY_POLICIES: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html";
const DG_DEFAULT_POLICY: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html";
const DG_BEST_PRACTICES: &str =
    "https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html";
const DG_CONDITIONS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html";
const DG_PERMISSIONS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html";
const IAM_CONDITION_OPERATORS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const IAM_MULTI_VALUED: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const IAM_NOT_PRINCIPAL: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html";
const IAM_MFA: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent";
const DG_VIA_SERVICE: &str =
    "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service";
const DG_GRANT_AWS_RESOURCE: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource";
const IAM_EVALUATION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";

/// Every finding kmsim's lint reports, by code.
pub const RULES: &[Rule] = &[
    Rule {
        code: "KMS001-invalid-policy",
        severity: Severity::Error,
        summary: "The policy is not valid: AWS rejects it",
        doc_url: IAM_GRAMMAR,
    },
    Rule {
        code: "KMS002-statement-without-resource",
        severity: Severity::Error,
        summary: "A key policy statement without Resource or NotResource never applies",
        doc_url: DG_KEY_POLICIES,
    },
    Rule {
        code: "KMS101-unknown-action",
        severity: Severity::Error,
        summary: "A kms: action that does not exist (Access Analyzer: Invalid action)",
        doc_url: crate::catalogue::SAR.url,
    },
    Rule {
        code: "KMS102-other-service-action",
        severity: Severity::Error,
        summary: "An action of another service in a key policy: a key policy controls only KMS actions on the key",
        doc_url: DG_KEY_POLICIES,
    },
    Rule {
        code: "KMS103-wildcard-matches-nothing",
        severity: Severity::Error,
        summary: "A kms: action pattern that matches no action",
        doc_url: crate::catalogue::SAR.url,
    },
    Rule {
        code: "KMS104-iam-only-action-in-key-policy",
        severity: Severity::Warning,
        summary: "A permission that is not authorized on a KMS key: a key policy cannot grant it",
        doc_url: DG_PERMISSIONS,
    },
    Rule {
        code: "KMS201-unknown-condition-key",
        severity: Severity::Error,
        summary: "A condition key that KMS does not have (Access Analyzer: Invalid service/global condition key)",
        doc_url: DG_CONDITIONS,
    },
    Rule {
        code: "KMS202-key-not-supported",
        severity: Severity::Warning,
        summary: "A condition key that no action of the statement supports: it is never in the request",
        doc_url: crate::catalogue::SAR.url,
    },
    Rule {
        code: "KMS203-operator-type-mismatch",
        severity: Severity::Warning,
        summary: "An operator that does not fit the key's type: use the operators of the key's type",
        doc_url: IAM_CONDITION_OPERATORS,
    },
    Rule {
        code: "KMS204-forallvalues-single-valued",
        severity: Severity::SecurityWarning,
        summary: "ForAllValues on a single-valued key: true when the key is missing (Access Analyzer: ForAllValues \
                  with single valued key)",
        doc_url: IAM_MULTI_VALUED,
    },
    Rule {
        code: "KMS205-foranyvalue-single-valued",
        severity: Severity::Warning,
        summary: "ForAnyValue on a single-valued key: AWS advises against set operators on single-valued keys",
        doc_url: IAM_MULTI_VALUED,
    },
    Rule {
        code: "KMS206-ifexists-always-present",
        severity: Severity::Suggestion,
        summary: "IfExists on a key that is in every request adds nothing",
        doc_url: IAM_CONDITION_OPERATORS,
    },
    Rule {
        code: "KMS207-deprecated-condition-key",
        severity: Severity::Suggestion,
        summary: "A deprecated condition key that a newer one replaces",
        doc_url: DG_CONDITIONS,
    },
    Rule {
        code: "KMS208-unknown-global-key",
        severity: Severity::Warning,
        summary: "An aws: condition key that is not in kmsim's catalogue of global keys (newer keys may be missing)",
        doc_url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    },
    Rule {
        code: "KMS209-iam-only-key-in-key-policy",
        severity: Severity::Warning,
        summary: "A condition key that is valid only in IAM policies (kms:ResourceAliases, aws:ResourceTag) in a key \
                  policy",
        doc_url: crate::catalogue::DG_ABAC.url,
    },
    Rule {
        code: "KMS301-kms-star-to-non-root",
        severity: Severity::SecurityWarning,
        summary: "kms:* allowed to a principal other than the account",
        doc_url: DG_BEST_PRACTICES,
    },
    Rule {
        code: "KMS302-admin-and-use",
        severity: Severity::SecurityWarning,
        summary: "Key administration and key use allowed to the same principal",
        doc_url: DG_DEFAULT_POLICY,
    },
    Rule {
        code: "KMS303-public-principal",
        severity: Severity::SecurityWarning,
        summary: "Principal * without a condition that limits the account, organization or service",
        doc_url: DG_KEY_POLICIES,
    },
    Rule {
        code: "KMS304-deny-notprincipal-incomplete",
        severity: Severity::SecurityWarning,
        summary: "Deny with NotPrincipal that does not list the account and the role of a session",
        doc_url: IAM_NOT_PRINCIPAL,
    },
    Rule {
        code: "KMS305-mfa-bool",
        severity: Severity::SecurityWarning,
        summary: "An MFA Deny written with Bool: requests with long-term credentials have no MFA key and slip through",
        doc_url: IAM_MFA,
    },
    Rule {
        code: "KMS306-via-service-without-caller-account",
        severity: Severity::SecurityWarning,
        summary: "kms:ViaService for any principal without kms:CallerAccount: any account's principals can use the \
                  key through the service",
        doc_url: DG_VIA_SERVICE,
    },
    Rule {
        code: "KMS307-cross-account-grant",
        severity: Severity::SecurityWarning,
        summary: "CreateGrant allowed to another account without kms:GrantIsForAWSResource",
        doc_url: DG_GRANT_AWS_RESOURCE,
    },
    Rule {
        code: "KMS308-resource-not-star",
        severity: Severity::Warning,
        summary: "A Resource other than * in a key policy: the key policy applies only to its own key",
        doc_url: DG_KEY_POLICIES,
    },
    Rule {
        code: "KMS309-shadowed-statement",
        severity: Severity::Warning,
        summary: "A statement that can never decide: another statement covers it",
        doc_url: IAM_EVALUATION,
    },
    Rule {
        code: "KMS310-missing-root-statement",
        severity: Severity::SecurityWarning,
        summary: "A key policy that does not allow the account: IAM policies have no effect on the key",
        doc_url: DG_DEFAULT_POLICY,
    },
];

/// The rule of `code` (`KMS101-unknown-action`, or its number alone, `KMS101`), ignoring ASCII case.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.code.eq_ignore_ascii_case(code) || r.code.split('-').next().is_some_and(|n| n.eq_ignore_ascii_case(code))
    })
}

/// Lints a policy of kind `ty` (a key policy is [`PolicyType::Resource`]): the parse errors if AWS would reject it
/// (`KMS001`), else every finding, in the order of the text.
pub fn lint(text: &str, ty: PolicyType) -> Vec<Finding> {
    match Policy::parse(text, ty) {
        Err(errs) => invalid_policy(&errs),
        Ok(policy) => lint_policy(&policy),
    }
}

/// The parse errors of a policy AWS rejects, as `KMS001` findings.
pub fn invalid_policy(errs: &PolicyErrors) -> Vec<Finding> {
    errs.errors
        .iter()
        .map(|e| finding("KMS001-invalid-policy", e.message.clone(), e.span.clone(), e.help.clone(), None))
        .collect()
}

/// Lints a policy already parsed.
pub fn lint_policy(policy: &Policy) -> Vec<Finding> {
    let mut out: Vec<Finding> = policy
        .warnings()
        .into_iter()
        .map(|w| finding("KMS002-statement-without-resource", w.message, w.span, w.help, None))
        .collect();
    checks::run(policy, &mut out);
    out.sort_by_key(|f| (f.location.offset, f.code.clone()));
    out.dedup();
    out
}

/// A finding of rule `code` (its severity and page from [`RULES`]).
fn finding(code: &'static str, message: String, location: Span, help: Option<String>, fix: Option<Fix>) -> Finding {
    let rule = rule(code);
    Finding {
        code: code.to_string(),
        severity: rule.map_or(Severity::Warning, |r| r.severity),
        message,
        location,
        help,
        doc_url: rule.map_or(AA_CHECKS, |r| r.doc_url).to_string(),
        fix,
    }
}

#[cfg(test)]
mod tests;
