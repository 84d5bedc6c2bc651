//! Exercise mode: the state of "Check my work" (the goals of the last check), the hints shown, the solution compared
//! with the student's documents, and the progress over the lessons (kept in the browser under [`PROGRESS_KEY`]).
//! Pure: the reducer in `state.rs` drives it, `state/tests.rs` tests it natively.

use std::collections::BTreeMap;

use kmsim_kms::scenario::{GoalResult, Scenario, ScenarioFile};

use crate::model::{self, Doc};
use crate::starts::{self, Start, LESSONS};

/// The localStorage key of the progress over the lessons (its own key: the saved playground is one lesson).
pub const PROGRESS_KEY: &str = "kmsim.progress";

/// The exercise of the open lesson.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exercise {
    /// How many of the lesson's hints are shown (they are revealed one at a time).
    pub hints_shown: usize,
    /// The goals of the last "Check my work", until a document or step changes.
    pub checked: Option<Vec<GoalResult>>,
    /// The solution is compared with the student's documents.
    pub compare: bool,
}

/// Which lessons were solved (checked with every goal met), by lesson id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub solved: BTreeMap<String, bool>,
}

impl Progress {
    /// The progress from its saved JSON (`{"solved": ["lesson:01-least-privilege", ...]}`); anything unreadable is no
    /// progress.
    pub fn from_json(text: &str) -> Progress {
        let solved = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("solved").and_then(|s| s.as_array()).cloned())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(|s| (s.to_string(), true)))
            .collect();
        Progress { solved }
    }

    pub fn to_json(&self) -> String {
        let solved: Vec<&String> = self.solved.iter().filter(|(_, s)| **s).map(|(id, _)| id).collect();
        serde_json::json!({ "solved": solved }).to_string()
    }

    pub fn is_solved(&self, id: &str) -> bool {
        self.solved.get(id).copied().unwrap_or(false)
    }

    /// How many lessons are solved, of how many.
    pub fn count(&self) -> (usize, usize) {
        (LESSONS.iter().filter(|l| self.is_solved(l.id)).count(), LESSONS.len())
    }
}

/// The lessons before and after `id` (none when `id` is not a lesson or is the first or last).
pub fn neighbours(id: Option<&str>) -> (Option<&'static Start>, Option<&'static Start>) {
    let Some(i) = id.and_then(|id| LESSONS.iter().position(|l| l.id == id)) else { return (None, None) };
    (i.checked_sub(1).and_then(|p| LESSONS.get(p)), LESSONS.get(i + 1))
}

/// One line of a document diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    /// In the student's version only.
    Yours(String),
    /// In the solution only.
    Solution(String),
}

/// A document the solution changes: the student's version against the solution's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDiff {
    /// `Key app · key policy`, as the documents pane names it.
    pub label: String,
    pub lines: Vec<Line>,
    /// The student's document is the solution's.
    pub same: bool,
}

/// The documents the solution changes, each as a diff of the student's version (`docs`) against the solution's.
/// The solution applies to the lesson as written: the built-in lesson `origin`, else `base` (an imported file).
/// `None` when there is no solution or it cannot be applied.
pub fn solution_diff(origin: Option<&str>, base: &ScenarioFile, docs: &[Doc]) -> Option<Vec<DocDiff>> {
    let written = origin
        .and_then(starts::find)
        .and_then(|s| kmsim_kms::scenario::read_text::<ScenarioFile>(s.text).ok())
        .unwrap_or_else(|| base.clone());
    let solved = Scenario::from_file(written.clone()).ok()?.with_solution()?.ok()?;
    let before = model::extract(&written);
    let after = model::extract(&solved.file);
    let diffs = after
        .iter()
        .filter(|a| before.iter().find(|b| b.loc == a.loc).is_none_or(|b| b.source != a.source))
        .map(|a| {
            let yours = docs.iter().find(|d| d.loc == a.loc).map_or("", |d| d.source.as_str());
            let lines = diff_lines(yours, &a.source);
            DocDiff {
                label: format!("{} · {}", a.loc.group(), a.loc.label()),
                same: lines.iter().all(|l| matches!(l, Line::Same(_))),
                lines,
            }
        })
        .collect();
    Some(diffs)
}

/// A line diff (longest common subsequence): what stays, what only `a` has, what only `b` has, in order.
pub fn diff_lines(a: &str, b: &str) -> Vec<Line> {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get(i + 1).and_then(|r| r.get(j + 1)).map_or(0, |v| v + 1)
            } else {
                let down = lcs.get(i + 1).and_then(|r| r.get(j)).copied().unwrap_or(0);
                let right = lcs.get(i).and_then(|r| r.get(j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = v;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(Line::Same((*x).to_string()));
                i += 1;
                j += 1;
            }
            (Some(x), _) if j >= m || at(i + 1, j) >= at(i, j + 1) => {
                out.push(Line::Yours((*x).to_string()));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(Line::Solution((*y).to_string()));
                j += 1;
            }
            (Some(x), None) => {
                out.push(Line::Yours((*x).to_string()));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}
