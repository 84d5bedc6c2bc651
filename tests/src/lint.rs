//! The lint corpus (`tests/lint/**.json`): one policy per file and the findings `kmsim_kms::lint` must report, no
//! more and no fewer. A case's policy is the conformance corpus's [`CasePolicy`] (a type and a JSON document, or an
//! exact text), so the two corpora write policies the same way.

use std::path::{Path, PathBuf};

use kmsim_kms::lint::{lint, Finding};
use serde::Deserialize;

use crate::CasePolicy;

/// The folder of lint cases.
pub fn lint_corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lint")
}

/// One lint case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintCase {
    pub description: String,
    /// The AWS page the policy (or the fact the finding rests on) comes from.
    pub source: String,
    pub policy: CasePolicy,
    /// Every finding expected, in any order; empty for a policy that must be clean.
    pub findings: Vec<Expected>,
}

/// An expected finding: its code and line, and optionally its column, JSON Pointer and fix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub code: String,
    pub line: u32,
    #[serde(default)]
    pub column: Option<u32>,
    #[serde(default)]
    pub path: Option<String>,
    /// The fix's replacement text (a JSON string with its quotes), when the finding must carry one.
    #[serde(default)]
    pub fix: Option<String>,
    /// Why a finding is expected on a policy that is otherwise an example to follow.
    #[serde(default)]
    pub why: Option<String>,
}

impl Expected {
    fn matches(&self, f: &Finding) -> bool {
        self.code == f.code
            && self.line == f.location.line
            && self.column.is_none_or(|c| c == f.location.column)
            && self.path.as_deref().is_none_or(|p| p == &*f.location.path)
            && self.fix.as_deref().is_none_or(|r| f.fix.as_ref().is_some_and(|x| x.replacement == r))
    }
}

/// Runs one case: every problem with it, empty when it passed. A fix is also applied and the fixed text linted
/// again: the finding it fixes must be gone.
pub fn run_lint_case(case: &LintCase) -> Vec<String> {
    let text = match case.policy.source_text() {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let found = lint(&text, case.policy.ty);
    let mut problems = Vec::new();
    let mut used = vec![false; found.len()];
    for e in &case.findings {
        match found.iter().enumerate().find(|(i, f)| !used.get(*i).copied().unwrap_or(true) && e.matches(f)) {
            Some((i, _)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            None => problems.push(format!("missing: {} at line {}", e.code, e.line)),
        }
    }
    for (f, u) in found.iter().zip(&used) {
        if !u {
            problems.push(format!(
                "unexpected: {} at line {}, column {} ({}): {}",
                f.code, f.location.line, f.location.column, f.location.path, f.message
            ));
        }
        if let Some(fix) = &f.fix {
            problems.extend(fix_problem(&text, case, f, fix));
        }
    }
    problems
}

fn fix_problem(text: &str, case: &LintCase, f: &Finding, fix: &kmsim_kms::lint::Fix) -> Option<String> {
    let start = usize::try_from(fix.span.offset).ok()?;
    let end = start + usize::try_from(fix.span.len).ok()?;
    let fixed = format!("{}{}{}", text.get(..start)?, fix.replacement, text.get(end..)?);
    let again = lint(&fixed, case.policy.ty);
    again
        .iter()
        .any(|g| g.code == f.code && g.location.offset == f.location.offset)
        .then(|| format!("the fix of {} at line {} does not remove it", f.code, f.location.line))
}

/// Every case file under `dir` (sorted), each with its problems.
pub fn run_lint_corpus(dir: &Path) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let mut out = Vec::new();
    for path in crate::find_case_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let problems = match serde_json::from_str::<LintCase>(&text) {
            Ok(case) => run_lint_case(&case),
            Err(e) => vec![format!("not a lint case: {e}")],
        };
        out.push((path, problems));
    }
    Ok(out)
}
