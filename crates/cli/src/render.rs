//! Text rendering of results, traces and diagnostics for terminals. The data is the core's serde types; this
//! module only formats them (colours only when asked).

use std::fmt::Write;

use kmsim_kms::lint::{Finding, Severity};
use kmsim_kms::rules::RuleReport;
use kmsim_kms::scenario::{ScenarioRun, StepResult};
use kmsim_kms::services::ServiceOutcome;
use kmsim_kms::trace::{AuthzTrace, CallTrace};
use kmsim_kms::CallOutcome;
use kmsim_policy::{Decided, Decision, PolicyDecision, Request, SetResult, Span, StepKind, StepOutcome};

use crate::snippet;
pub use crate::snippet::Source;

#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// A diagnostic with a source snippet (a window of the line around the column when the line is long, see
/// [`snippet::window`]):
/// ```text
/// error: unknown field `Efect`
///  --> key-policy.json:4:7 (/Statement/0/Efect)
///   |
/// 4 |       "Efect": "Allow",
///   |       ^^^^^^^
///   = help: did you mean `Effect`?
/// ```
pub fn diagnostic(
    source: &Source<'_>,
    file: &str,
    message: &str,
    help: Option<&str>,
    span: &Span,
    style: Style,
) -> String {
    let notes: Vec<(&str, &str)> = help.map(|h| ("help", h)).into_iter().collect();
    labelled(source, file, (&style.red(&style.bold("error")), message), &notes, span, style)
}

/// A lint finding with its snippet, its help, its fix and its AWS page:
/// ```text
/// error[KMS101-unknown-action]: `kms:Encrpyt` is not a KMS action
///  --> key-policy.json:7:17 (/Statement/1/Action/0)
///   |
/// 7 |       "Action": ["kms:Encrpyt"],
///   |                  ^^^^^^^^^^^^^
///   = help: did you mean `kms:Encrypt`?
///   = fix: replace with `kms:Encrypt`
///   = see: https://docs.aws.amazon.com/...
/// ```
pub fn finding(source: &Source<'_>, file: &str, f: &Finding, style: Style) -> String {
    let name = f.severity.as_str();
    let label = match f.severity {
        Severity::Error | Severity::SecurityWarning => style.red(&style.bold(name)),
        Severity::Warning => style.yellow(&style.bold(name)),
        Severity::Suggestion => style.bold(name),
    };
    let label = format!("{label}[{}]", f.code);
    let mut notes: Vec<(&str, &str)> = Vec::new();
    if let Some(h) = &f.help {
        notes.push(("help", h));
    }
    if let Some(fix) = &f.fix {
        notes.push(("fix", &fix.title));
    }
    notes.push(("see", &f.doc_url));
    labelled(source, file, (&label, &f.message), &notes, &f.location, style)
}

fn labelled(
    source: &Source<'_>,
    file: &str,
    (label, message): (&str, &str),
    notes: &[(&str, &str)],
    span: &Span,
    style: Style,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{label}: {}", style.bold(message));
    let path = if span.path.is_empty() { String::new() } else { format!(" ({})", span.path) };
    let _ = writeln!(out, " --> {file}:{}:{}{path}", span.line, span.column);
    let mut gutter = " ".to_string();
    if let Some((start, line)) = source.line_at(span.line) {
        let line_no = span.line;
        gutter = " ".repeat(line_no.to_string().len());
        let width = (span.end_line == span.line).then(|| (span.end_column.saturating_sub(span.column)) as usize);
        let at = (span.offset as usize).checked_sub(start).filter(|&b| b <= line.len());
        let shown = snippet::window(line, span.column, at, width);
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{line_no} | {}", shown.text);
        let pad = " ".repeat(shown.caret_pad);
        let _ = writeln!(out, "{gutter} | {pad}{}", style.red(&"^".repeat(shown.caret_width.min(120))));
    }
    for (name, text) in notes {
        let _ = writeln!(out, "{gutter} = {name}: {text}");
    }
    out
}

fn step_text(k: StepKind) -> &'static str {
    match k {
        StepKind::ExplicitDeny => "explicit deny",
        StepKind::Rcp => "resource control policies",
        StepKind::Scp => "service control policies",
        StepKind::ResourcePolicy => "resource-based policy",
        StepKind::IdentityPolicy => "identity-based policies",
        StepKind::PermissionsBoundary => "permissions boundary",
        StepKind::SessionPolicy => "session policy",
    }
}

fn decision_text(d: Decision, style: Style) -> String {
    match d {
        Decision::Allow => style.green("ALLOW"),
        Decision::ExplicitDeny => style.red("EXPLICIT DENY"),
        Decision::ImplicitDeny => style.red("IMPLICIT DENY"),
    }
}

/// One authorization, indented.
pub fn authz(t: &AuthzTrace, verbose: bool, style: Style, indent: &str) -> String {
    let mut out = String::new();
    let rule = match t.rule {
        kmsim_kms::trace::CombiningRule::SameAccount => "same account",
        kmsim_kms::trace::CombiningRule::CrossAccount => "cross account",
        kmsim_kms::trace::CombiningRule::IdentityOnly => "identity policies only",
    };
    let _ = writeln!(
        out,
        "{indent}{} {} on {} ({rule}): {}",
        style.bold("authorize"),
        t.action,
        t.resource,
        decision_text(t.decision, style)
    );
    let decided = t.decided_by_text();
    let _ = writeln!(out, "{indent}  decided by: {decided}");
    for p in &t.policies {
        let d = match p.result.decision {
            PolicyDecision::Allow => style.green("allow"),
            PolicyDecision::ExplicitDeny => style.red("deny"),
            PolicyDecision::NoMatch => style.dim("no match"),
        };
        let sids: Vec<String> = p
            .result
            .applied
            .iter()
            .map(|s| s.sid.as_deref().map_or_else(|| format!("#{}", s.index), str::to_string))
            .collect();
        let applied = if sids.is_empty() { String::new() } else { format!(" [{}]", sids.join(", ")) };
        let _ = writeln!(out, "{indent}  {} `{}`: {d}{applied}", p.kind.label(), p.name);
        if verbose {
            if let Some(tr) = &p.result.trace {
                for line in kmsim_policy::render_text(tr, Some(p.name.as_str()).filter(|_| false)).lines() {
                    let _ = writeln!(out, "{indent}    {line}");
                }
            }
        }
    }
    for g in &t.grants {
        let m = if g.matched { style.green("matches") } else { style.dim("does not match") };
        let _ = writeln!(
            out,
            "{indent}  grant {}{}: {m}: {}",
            g.grant_id,
            g.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
            g.reason
        );
    }
    if t.grants_skipped > 0 {
        let _ = writeln!(
            out,
            "{indent}  {} other grant(s) on the key are not the caller's and were not evaluated",
            t.grants_skipped
        );
    }
    for e in &t.explanation {
        let _ = writeln!(out, "{indent}  {} {e}", style.dim("·"));
    }
    out
}

pub fn call_trace(t: &CallTrace, verbose: bool, style: Style, indent: &str) -> String {
    let mut out = String::new();
    for a in &t.authorizations {
        out.push_str(&authz(a, verbose, style, indent));
    }
    for c in &t.checks {
        let mark = if c.passed { style.green("ok") } else { style.red("failed") };
        let _ = writeln!(out, "{indent}{:?} check {mark}: {}", c.kind, c.detail);
    }
    out
}

/// A call's result, response and trace, indented.
fn call(out: &mut String, c: &CallOutcome, verbose: bool, style: Style, indent: &str) {
    match &c.response {
        Ok(v) => result(out, Ok(v), style, indent),
        Err(e) => result(out, Err((e.code.as_str(), &e.message)), style, indent),
    }
    out.push_str(&call_trace(&c.trace, verbose, style, indent));
}

/// `result: success` with the response (cut at 300 characters), or `result: CODE: message`.
fn result(out: &mut String, r: Result<&serde_json::Value, (&str, &str)>, style: Style, indent: &str) {
    match r {
        Ok(v) => {
            let _ = writeln!(out, "{indent}result: {}", style.green("success"));
            let text = serde_json::to_string(v).unwrap_or_default();
            let short: String = text.chars().take(300).collect();
            let _ = writeln!(out, "{indent}response: {short}{}", if text.chars().count() > 300 { "..." } else { "" });
        }
        Err((code, message)) => {
            let message = if message.is_empty() { String::new() } else { format!(": {message}") };
            let _ = writeln!(out, "{indent}result: {}{message}", style.red(code));
        }
    }
}

/// A service step: the service's result, then each KMS call it made, nested, and the events it emitted.
fn service(out: &mut String, o: &ServiceOutcome, verbose: bool, style: Style) {
    match &o.response {
        Ok(v) => result(out, Ok(v), style, "  "),
        Err(e) => result(out, Err((&e.code, &e.message)), style, "  "),
    }
    for (i, c) in o.kms_calls.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} through {}: {} calls {}",
            style.bold(&format!("KMS call {}", i + 1)),
            o.service,
            c.trace.caller,
            c.trace.operation
        );
        call(out, c, verbose, style, "    ");
    }
    if o.kms_calls.is_empty() {
        let _ = writeln!(out, "  {}", style.dim("no KMS call"));
    }
    for e in &o.events {
        let kind = e.get("detail-type").and_then(serde_json::Value::as_str).unwrap_or("");
        let _ =
            writeln!(out, "  service event: {kind} {}", e.get("detail").map(ToString::to_string).unwrap_or_default());
    }
}

/// The rules that fired after a step, each action nested (a KMS call with its trace, or a notification).
fn rules(out: &mut String, r: &RuleReport, verbose: bool, style: Style) {
    for f in &r.firings {
        let _ =
            writeln!(out, "  {} `{}` on {} ({}), as {}", style.bold("rule"), f.rule, f.event_name, f.event_id, f.role);
        for a in &f.actions {
            if let Some(n) = &a.notification {
                let _ = writeln!(out, "    notify `{}`: {}", n.topic, n.message);
            } else if let Some(c) = &a.call {
                let _ = writeln!(out, "    action {}:", a.action);
                call(out, c, verbose, style, "      ");
            } else if let Some(e) = &a.error {
                let _ = writeln!(out, "    action {}: {}: {e}", a.action, style.red("could not run"));
            }
        }
    }
    if let Some(why) = &r.stopped {
        let _ = writeln!(out, "  {}: {why}", style.yellow("loop protection"));
    }
}

fn step(s: &StepResult, verbose: bool, style: Style) -> String {
    let mut out = String::new();
    let name = s.name.as_ref().map(|n| format!(" [{n}]")).unwrap_or_default();
    let _ = writeln!(out, "{}{name}: {}", style.bold(&format!("step {}", s.index + 1)), s.summary);
    if let Some(c) = &s.call {
        call(&mut out, c, verbose, style, "  ");
    }
    if let Some(o) = &s.service {
        service(&mut out, o, verbose, style);
    }
    if let Some(a) = &s.authorization {
        out.push_str(&authz(a, verbose, style, "  "));
    }
    for e in &s.events {
        let _ = writeln!(
            out,
            "  service event: {} on {}",
            e.event_name,
            e.resources.first().map(|r| &*r.arn).unwrap_or("")
        );
    }
    if let Some(r) = &s.rules {
        rules(&mut out, r, verbose, style);
    }
    if let Some(e) = &s.error {
        let _ = writeln!(out, "  {}: {e}", style.red("step error"));
    }
    for e in &s.expectations {
        let mark = if e.held { style.green("✓") } else { style.red("✗") };
        let _ = writeln!(
            out,
            "  {mark} expect {}: {}{}",
            e.what,
            e.expected,
            if e.held { String::new() } else { format!(" (got {})", e.actual) }
        );
    }
    out
}

pub fn run_report(r: &ScenarioRun, verbose: bool, style: Style) -> String {
    let mut out = String::new();
    if !r.title.is_empty() {
        let _ = writeln!(out, "{}", style.bold(&r.title));
    }
    let _ = writeln!(out, "{}", style.dim(&format!("seed {}", r.seed)));
    for s in &r.steps {
        out.push('\n');
        out.push_str(&step(s, verbose, style));
    }
    out.push('\n');
    out.push_str(&summary(r, style));
    out
}

fn summary(r: &ScenarioRun, style: Style) -> String {
    let total: usize = r.steps.iter().map(|s| s.expectations.len()).sum();
    let failed: usize = r.steps.iter().map(|s| s.expectations.iter().filter(|e| !e.held).count()).sum();
    let errors = r.steps.iter().filter(|s| s.error.is_some()).count();
    let line = format!("{} passed, {} failed", total - failed, failed + errors);
    if r.passed {
        format!("{}\n", style.green(&line))
    } else {
        format!("{}\n", style.red(&line))
    }
}

/// `check`'s report of one file. With `goals`, the exercise's goals are graded (`passed` says whether the file
/// passed) and each is listed; without, the steps' expectations are, and goals are summed up in one line.
/// `problems` are what is wrong with the exercise itself (`check --solution`).
pub fn check_report(
    file: &str,
    r: &ScenarioRun,
    goals: bool,
    passed: bool,
    problems: &[String],
    style: Style,
) -> String {
    let mut out = String::new();
    let mark = if passed { style.green("PASS") } else { style.red("FAIL") };
    if goals {
        let met = r.goals.iter().filter(|g| g.passed).count();
        let _ = writeln!(out, "{mark} {file} ({met} of {} goals met)", r.goals.len());
        for p in problems {
            let _ = writeln!(out, "  {}: {p}", style.red("exercise"));
        }
        for g in &r.goals {
            let state = if g.passed { style.green("met") } else { style.red("not met") };
            let _ = writeln!(out, "  goal `{}`: {state}", g.id);
            for e in g.checks.iter().filter(|e| !e.held) {
                let _ = writeln!(out, "    {}: expected {} but got {}", e.what, e.expected, got(&e.actual));
            }
        }
        return out;
    }
    let total: usize = r.steps.iter().map(|s| s.expectations.len()).sum();
    let _ = writeln!(out, "{mark} {file} ({} steps, {total} expectations)", r.steps.len());
    if !r.goals.is_empty() {
        let met = r.goals.iter().filter(|g| g.passed).count();
        let _ = writeln!(out, "  exercise: {met} of {} goals met (`kmsim check --goals` grades them)", r.goals.len());
    }
    for s in &r.steps {
        if let Some(e) = &s.error {
            let _ = writeln!(out, "  step {}: {}: {e}", s.index + 1, style.red("error"));
        }
        for e in s.expectations.iter().filter(|e| !e.held) {
            let _ = writeln!(
                out,
                "  step {}{}: expected {} {} but got {}",
                s.index + 1,
                s.name.as_ref().map(|n| format!(" [{n}]")).unwrap_or_default(),
                e.what,
                e.expected,
                got(&e.actual)
            );
        }
    }
    out
}

/// What a check found, never an empty placeholder.
fn got(actual: &str) -> &str {
    if actual.is_empty() {
        "nothing"
    } else {
        actual
    }
}

pub fn eval_report(req: &Request, r: &SetResult, policies: &[(&str, &str)], style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} on {} by {}: {}",
        style.bold("request"),
        req.action,
        req.resource,
        req.principal.arn,
        decision_text(r.decision, style)
    );
    if let Some(c) = &r.combination {
        let scope = if c.cross_account { "cross account" } else { "same account" };
        let owner = c.resource_account.as_deref().map(|a| format!(", resource in account {a}")).unwrap_or_default();
        let _ = writeln!(out, "\n{} ({scope}{owner})", style.bold("evaluation logic"));
        for s in &c.steps {
            let mark = match s.outcome {
                StepOutcome::Pass => style.green("pass"),
                StepOutcome::Fail => style.red("fail"),
                StepOutcome::NotApplicable => style.yellow("n/a "),
            };
            let _ = writeln!(out, "  {mark} {}: {}", step_text(s.step), s.reason);
        }
        if let Decided::ImplicitDeny { missing } = &c.decided {
            let _ = writeln!(out, "  => implicit deny: {}", missing.text());
        }
    }
    for (i, p) in r.policies.iter().enumerate() {
        let (name, source) = policies.get(i).copied().unwrap_or(("policy", ""));
        let d = match p.decision {
            PolicyDecision::Allow => style.green("allow"),
            PolicyDecision::ExplicitDeny => style.red("explicit deny"),
            PolicyDecision::NoMatch => style.yellow("no match"),
        };
        let _ = writeln!(out, "\n{} {name}: {d}", style.bold("policy"));
        if let Some(t) = &p.trace {
            for line in kmsim_policy::render_text(t, Some(source)).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out
}
