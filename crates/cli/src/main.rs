//! `kmsim`: run and check KMS scenarios, evaluate IAM policies, lint policy files.
//!
//! Exit codes: 0 success (every expectation held, the policy is valid, ...); 1 an expectation did not hold (check,
//! run), the decision was not `Allow` (eval with `--expect-allow`) or a lint finding reached `--deny` (lint); 2
//! invalid input (a scenario, policy or request with errors: every error is printed with its location); 3 a file
//! could not be read, the output could not be written, or a usage error. With `--format json` every error is the
//! protocol's `Failure` (`kmsim_kms::session`) as JSON on stdout. A closed output pipe (`kmsim run ... | head`) is
//! not an error: the command stops writing and exits silently with the code it would have had (see `output`).

mod output;
mod render;
mod sarif;
mod snippet;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kmsim_kms::lint::{self, Finding, Severity};
use kmsim_kms::scenario::Scenario;
use kmsim_kms::session::{Diagnostic, Failure};
use kmsim_policy::{EvalOptions, Policy, PolicyType, Request, SetPolicy, Span};
use output::Out as Output;

const AFTER_HELP: &str = "\
Exit codes:
  0  success: every expectation held / the policy is valid / the request was evaluated
  1  an expectation did not hold (check, run), or --expect-allow and the decision was a deny (eval), or lint
     found a finding at or above --deny (default: error)
  2  invalid input: the scenario, policy or request has errors (all are printed, with line and column)
  3  a file could not be read, the output could not be written, or the command line is wrong
With --format json, an error is JSON on stdout (nothing on stderr), the JS API's shape:
  { message, diagnostics: [{ message, help?, span?, kind?, policy?, code? }] }
  (check and lint: per file, { file, failure }; lint's accepted policies: { file, findings })
A closed output pipe (`kmsim run x.json | head`) is not an error: kmsim stops writing and exits, silently, with
the code the command would have had.

Seeds: every key, data key and ciphertext of a run derives from the world's seed. `run --format json` prints
the seed (and the world, which carries it): anyone holding it can recompute every key and decrypt every
ciphertext of the run. Do not put real secrets in a scenario you share with its seed.

Examples:
  kmsim run lessons/01-least-privilege.json          run a scenario and explain every step
  kmsim run lessons/04-cross-account.json --format json
  kmsim check lessons/*.json                         grade scenarios: exit 0 only if every expectation held
  kmsim check --goals my-lesson-1.json               grade an exercise: exit 0 only if every goal is met
  kmsim check --solution lessons/*.json              every lesson's goals are open and its solution meets them
  kmsim eval --policy resource:key-policy.json --policy identity:alice.json \\
             --request request.json                  one authorization request, with the full trace
  kmsim lint --type resource key-policy.json         report every problem in a policy, with locations
  kmsim lint --deny warning --format sarif *.json    for code scanning in CI: fail on warnings and worse
  kmsim schema > scenario.schema.json                the JSON Schema of scenario files, for editors";

/// kmsim: a faithful simulation of AWS KMS access control. Write key policies, IAM policies and grants, run KMS
/// calls against them, and see exactly why each call was allowed or denied.
#[derive(Parser)]
#[command(name = "kmsim", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colours: auto (on a terminal), always, never.
    #[arg(long, global = true, default_value = "auto")]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LintFormat {
    Text,
    Json,
    Sarif,
}

/// `--deny`: the least severe finding that fails `kmsim lint`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
    None,
}

impl Deny {
    fn threshold(self) -> Option<Severity> {
        match self {
            Deny::Error => Some(Severity::Error),
            Deny::SecurityWarning => Some(Severity::SecurityWarning),
            Deny::Warning => Some(Severity::Warning),
            Deny::Suggestion => Some(Severity::Suggestion),
            Deny::None => None,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and print each step's result with its decision trace.
    Run {
        file: PathBuf,
        /// text, or json: the whole report as data, with the seed and the world. Anyone holding the seed can
        /// recompute every key, data key and ciphertext of the run: treat the JSON like the scenario's secrets.
        #[arg(long, default_value = "text")]
        format: Format,
        /// Seed for a scenario that has none (default: random). Every key derives from it.
        #[arg(long)]
        seed: Option<u64>,
        /// Show the policy engine's statement-by-statement trace for every policy.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Run scenarios and report every expectation that does not hold (for graders and CI).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// text, or json: per file whether it passed and the failed expectations. The JSON holds no seed, world or
        /// key material; a scenario's own `seed` field does determine every key of its runs.
        #[arg(long, default_value = "text")]
        format: Format,
        /// Grade the exercise's goals instead of the steps' expectations (a student's version of a lesson).
        #[arg(long)]
        goals: bool,
        /// Apply each lesson's solution and grade its goals: passes when every goal is open on the lesson as
        /// written and met by the solution.
        #[arg(long, conflicts_with = "goals")]
        solution: bool,
    },
    /// Evaluate one authorization request against policy files, with the trace.
    Eval {
        /// A policy file as TYPE:PATH, TYPE one of identity, resource, scp, rcp, permissions-boundary, session;
        /// an SCP or RCP below the organization root as TYPE@LEVEL:PATH (0 is the root, then each OU, the account
        /// last: every level must allow).
        #[arg(long = "policy", required = true)]
        policies: Vec<String>,
        /// The request as JSON: {"principal": {...}, "action": ..., "resource": ..., "context": {...},
        /// "resource_account": "..."} (the last two optional).
        #[arg(long)]
        request: PathBuf,
        #[arg(long, default_value = "text")]
        format: Format,
        /// Exit 1 unless the decision is Allow.
        #[arg(long)]
        expect_allow: bool,
    },
    /// Check policy files: every problem AWS would reject, and every finding of the KMS lint (unknown actions and
    /// condition keys, operators that do not fit, the key policy best practices), each with its location.
    Lint {
        /// identity, resource (key policy), scp, rcp, permissions-boundary or session.
        #[arg(long = "type", default_value = "resource")]
        policy_type: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// text; json (per file { file, findings } or { file, failure }); or sarif (SARIF 2.1.0, one run for all
        /// files, for code scanning: error -> error, security-warning and warning -> warning, suggestion -> note).
        #[arg(long, default_value = "text")]
        format: LintFormat,
        /// Exit 1 when a finding is this severe or more: error, security-warning, warning, suggestion, or none
        /// (never). A policy AWS rejects exits 2 whatever the threshold.
        #[arg(long, default_value = "error")]
        deny: Deny,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout and exit 0; a usage error goes to stderr and exits 3, as the
            // help says (clap's own code is 2, which kmsim uses for invalid input). A closed pipe is ignored.
            let _ = e.print();
            return ExitCode::from(if e.exit_code() == 0 { 0 } else { USAGE_ERROR });
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let style = render::Style { color };
    let mut out = Output::stdout();
    let code = match cli.command {
        Command::Run { file, format, seed, verbose } => run(&mut out, &file, format, seed, verbose, style),
        Command::Check { files, format, goals, solution } => {
            let grade = match (goals, solution) {
                (_, true) => Grade::Solution,
                (true, false) => Grade::Goals,
                (false, false) => Grade::Steps,
            };
            check(&mut out, &files, format, grade, style)
        }
        Command::Eval { policies, request, format, expect_allow } => {
            eval(&mut out, &policies, &request, format, expect_allow, style)
        }
        Command::Lint { policy_type, files, format, deny } => lint(&mut out, &policy_type, &files, format, deny, style),
        Command::Schema => {
            out.println(&json(&kmsim_kms::scenario::json_schema()));
            0
        }
    };
    ExitCode::from(out.finish(code))
}

/// Why a command stopped before it had an answer: its exit code, the protocol's [`Failure`] (printed as JSON on
/// stdout with `--format json`), and the text printed on stderr otherwise (located snippets for input errors).
struct Stop {
    code: u8,
    failure: Failure,
    text: String,
}

impl Stop {
    /// A one-line error: `error: MESSAGE` in text.
    fn new(code: u8, message: String) -> Stop {
        Stop { code, text: format!("error: {message}\n"), failure: Failure::new(message) }
    }

    /// Prints the stop in the command's format and returns its exit code.
    fn report(self, out: &mut Output, format: Format) -> u8 {
        match format {
            Format::Json => out.println(&json(&self.failure)),
            Format::Text => output::err_raw(&self.text),
        }
        self.code
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// The exit code of a usage error and of a file that cannot be read.
const USAGE_ERROR: u8 = 3;

fn read(path: &Path) -> Result<String, Stop> {
    std::fs::read_to_string(path).map_err(|e| Stop::new(USAGE_ERROR, format!("cannot read `{}`: {e}", path.display())))
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => u64::from_le_bytes(b),
        Err(_) => 0,
    }
}

/// Every error located in `text` (a file named `file`) as a source snippet; with `count`, then `FILE: N errors`.
fn snippets<'a>(
    text: &str,
    file: &str,
    errors: impl ExactSizeIterator<Item = (&'a str, Option<&'a str>, &'a Span)>,
    count: bool,
    style: render::Style,
) -> String {
    let n = errors.len();
    let source = render::Source::new(text);
    let mut out: String =
        errors.map(|(m, help, span)| render::diagnostic(&source, file, m, help, span, style)).collect();
    if count {
        out.push_str(&format!("{file}: {n} error{}\n", if n == 1 { "" } else { "s" }));
    }
    out
}

fn load(path: &Path, style: render::Style) -> Result<Scenario, Stop> {
    let text = read(path)?;
    Scenario::parse(&text).map_err(|errs| {
        let file = path.display().to_string();
        let list = errs.errors.iter().map(|e| (e.message.as_str(), e.help.as_deref(), &e.span));
        let text = snippets(&text, &file, list, true, style);
        Stop { code: 2, text, failure: Failure::from(errs) }
    })
}

fn run(out: &mut Output, file: &Path, format: Format, seed: Option<u64>, verbose: bool, style: render::Style) -> u8 {
    let scenario = match load(file, style) {
        Ok(s) => s,
        Err(stop) => return stop.report(out, format),
    };
    let report = scenario.run(seed.unwrap_or_else(random_seed), true);
    match format {
        Format::Json => out.println(&json(&report)),
        Format::Text => out.print(&render::run_report(&report, verbose, style)),
    }
    u8::from(!report.passed)
}

/// What `check` grades.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grade {
    /// The steps' own expectations (the lesson as written, a docs example, a conformance case).
    Steps,
    /// The exercise's goals (a student's version of a lesson).
    Goals,
    /// The exercise's goals on the lesson with its solution applied; they must be open on the lesson as written.
    Solution,
}

impl Grade {
    fn goals(self) -> bool {
        self != Grade::Steps
    }
}

/// The run of a lesson with its solution applied, and what is wrong with the exercise itself: no goals, no
/// solution, or goals already met by the lesson as written. A solution that does not load is an error (code 2).
fn solved(
    scenario: &Scenario,
    file: &str,
    style: render::Style,
) -> Result<(kmsim_kms::scenario::ScenarioRun, Vec<String>), Stop> {
    let mut problems = Vec::new();
    if scenario.file.goals.is_empty() {
        problems.push("the lesson has no goals".to_string());
    } else if scenario.run(random_seed(), false).goals_met() {
        problems.push("every goal is already met by the lesson as written: the exercise asks for nothing".to_string());
    }
    let solved = match scenario.with_solution() {
        None => {
            problems.push("the lesson has no solution".to_string());
            return Ok((scenario.run(random_seed(), false), problems));
        }
        Some(Ok(s)) => s,
        Some(Err(errs)) => {
            let list = errs.errors.iter().map(|e| (e.message.as_str(), e.help.as_deref(), &e.span));
            let text = snippets("", &format!("{file} (solved)"), list, true, style);
            return Err(Stop { code: 2, text, failure: Failure::from(errs) });
        }
    };
    Ok((solved.run(random_seed(), false), problems))
}

fn check(out: &mut Output, files: &[PathBuf], format: Format, grade: Grade, style: render::Style) -> u8 {
    let mut worst = 0u8;
    let mut results = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let graded = load(f, style).and_then(|scenario| match grade {
            Grade::Steps | Grade::Goals => Ok((scenario.run(random_seed(), false), Vec::new())),
            Grade::Solution => solved(&scenario, &name, style),
        });
        let (report, problems) = match graded {
            Ok(r) => r,
            Err(stop) => {
                worst = worst.max(stop.code);
                match format {
                    Format::Text => output::err_raw(&stop.text),
                    Format::Json => results.push(serde_json::json!({
                        "file": name, "passed": false, "failure": stop.failure,
                    })),
                }
                continue;
            }
        };
        let passed = match grade {
            Grade::Steps => report.passed,
            Grade::Goals => report.goals_met(),
            Grade::Solution => problems.is_empty() && report.goals_met(),
        };
        if !passed {
            worst = worst.max(1);
        }
        match format {
            Format::Text => out.print(&render::check_report(&name, &report, grade.goals(), passed, &problems, style)),
            Format::Json => results.push(serde_json::json!({
                "file": name,
                "passed": passed,
                "steps": report.steps.iter().map(|s| serde_json::json!({
                    "index": s.index, "name": s.name, "summary": s.summary, "error": s.error,
                    "failed": s.expectations.iter().filter(|e| !e.held).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "goals": report.goals.iter().map(|g| serde_json::json!({
                    "id": g.id, "passed": g.passed,
                    "failed": g.checks.iter().filter(|e| !e.held).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "problems": problems,
            })),
        }
    }
    if format == Format::Json {
        out.println(&json(&results));
    }
    worst
}

fn eval(
    out: &mut Output,
    specs: &[String],
    request: &Path,
    format: Format,
    expect_allow: bool,
    style: render::Style,
) -> u8 {
    match evaluate(out, specs, request, format, style) {
        Ok(decision) => u8::from(expect_allow && decision != kmsim_policy::Decision::Allow),
        Err(stop) => stop.report(out, format),
    }
}

/// `eval`'s work: parses every policy (all their errors are reported, each naming its policy by its index in
/// `--policy` order) and the request, then prints the result.
fn evaluate(
    out: &mut Output,
    specs: &[String],
    request: &Path,
    format: Format,
    style: render::Style,
) -> Result<kmsim_policy::Decision, Stop> {
    let mut policies = Vec::new();
    let mut diagnostics = Vec::new();
    let mut text_out = String::new();
    // A usage or read error stops at once; the text of the policy errors found before it is still shown.
    let after = |shown: &str, mut stop: Stop| {
        stop.text.insert_str(0, shown);
        stop
    };
    for (i, spec) in specs.iter().enumerate() {
        let Some((ty, path)) = spec.split_once(':') else {
            let message = format!("`--policy {spec}` must be TYPE:PATH, e.g. resource:key-policy.json");
            return Err(after(&text_out, Stop::new(USAGE_ERROR, message)));
        };
        let (ty, level) = match ty.split_once('@') {
            None => (ty, 0),
            Some((ty, level)) => match level.parse::<usize>() {
                Ok(level) if matches!(ty, "scp" | "rcp") => (ty, level),
                _ => {
                    let message = format!(
                        "`--policy {spec}`: a level (`@N`, N = 0, 1, ...) is given only to scp and rcp, e.g. scp@1:ou.json"
                    );
                    return Err(after(&text_out, Stop::new(USAGE_ERROR, message)));
                }
            },
        };
        let ty = policy_type(ty).map_err(|stop| after(&text_out, stop))?;
        let path = PathBuf::from(path);
        let text = read(&path).map_err(|stop| after(&text_out, stop))?;
        match Policy::parse(&text, ty) {
            Ok(p) => policies.push((path.display().to_string(), text, p, level)),
            Err(errs) => {
                let list = errs.errors.iter().map(|e| (e.message.as_str(), e.help.as_deref(), &e.span));
                text_out.push_str(&snippets(&text, &path.display().to_string(), list, false, style));
                diagnostics.extend(errs.errors.into_iter().map(|e| Diagnostic::from_policy_error(e, Some(i))));
            }
        }
    }
    let req_text = read(request).map_err(|stop| after(&text_out, stop))?;
    // The request is read as the JS API reads it: a misspelt member is an error with the member meant.
    let req: Result<Request, String> = kmsim_kms::session::request_text(&req_text).map_err(|f| {
        let help = f.diagnostics.first().and_then(|d| d.help.clone());
        let help = help.map(|h| format!(" ({h})")).unwrap_or_default();
        format!("{}: {}{help}", request.display(), f.message)
    });
    let req = match (req, diagnostics.is_empty()) {
        (Ok(r), true) => r,
        (Ok(_), false) => return Err(Stop { code: 2, text: text_out, failure: Failure::policies(diagnostics) }),
        (Err(message), no_policy_errors) => {
            let mut failure = Failure::policies(diagnostics);
            failure.diagnostics.push(Diagnostic::message(message.clone()));
            if no_policy_errors {
                failure.message = message.clone();
            }
            text_out.push_str(&format!("error: {message}\n"));
            return Err(Stop { code: 2, text: text_out, failure });
        }
    };
    let set: Vec<SetPolicy<'_>> =
        policies.iter().map(|(_, _, policy, level)| SetPolicy { policy, level: *level }).collect();
    let result = kmsim_policy::authorize(&set, &req, EvalOptions { trace: true });
    match format {
        Format::Json => out.println(&json(&result)),
        Format::Text => {
            let named: Vec<(&str, &str)> = policies.iter().map(|(n, t, _, _)| (n.as_str(), t.as_str())).collect();
            out.print(&render::eval_report(&req, &result, &named, style));
        }
    }
    Ok(result.decision)
}

fn lint(out: &mut Output, ty: &str, files: &[PathBuf], format: LintFormat, deny: Deny, style: render::Style) -> u8 {
    let stop_format = if format == LintFormat::Text { Format::Text } else { Format::Json };
    let ty = match policy_type(ty) {
        Ok(ty) => ty,
        Err(stop) => return stop.report(out, stop_format),
    };
    let mut worst = 0u8;
    let mut reports = Vec::new();
    let mut sarif_files: Vec<(String, Vec<Finding>)> = Vec::new();
    for f in files {
        let file = f.display().to_string();
        let report = match read(f) {
            Err(stop) => {
                worst = worst.max(stop.code);
                if format != LintFormat::Json {
                    output::err_raw(&stop.text);
                }
                serde_json::json!({ "file": file, "failure": stop.failure })
            }
            // One parse: a policy AWS rejects is reported as before (exit 2); an accepted one is linted.
            Ok(text) => match Policy::parse(&text, ty) {
                Ok(policy) => {
                    let findings = lint::lint_policy(&policy);
                    if deny.threshold().is_some_and(|t| findings.iter().any(|x| x.severity >= t)) {
                        worst = worst.max(1);
                    }
                    if format == LintFormat::Text {
                        let source = render::Source::new(&text);
                        for x in &findings {
                            out.print(&render::finding(&source, &file, x, style));
                        }
                        out.println(&lint_summary(&file, &findings));
                    }
                    let report = serde_json::json!({ "file": file, "findings": findings });
                    sarif_files.push((file, findings));
                    report
                }
                Err(errs) => {
                    worst = worst.max(2);
                    if format == LintFormat::Text {
                        let list = errs.errors.iter().map(|e| (e.message.as_str(), e.help.as_deref(), &e.span));
                        out.print(&snippets(&text, &file, list, true, style));
                    }
                    sarif_files.push((file.clone(), lint::invalid_policy(&errs)));
                    serde_json::json!({ "file": file, "failure": Failure::policy(errs) })
                }
            },
        };
        reports.push(report);
    }
    match format {
        LintFormat::Json => out.println(&json(&reports)),
        LintFormat::Sarif => out.println(&json(&sarif::log(&sarif_files))),
        LintFormat::Text => {}
    }
    worst
}

/// `FILE: ok`, or `FILE: 3 findings (1 error, 2 warnings)`.
fn lint_summary(file: &str, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return format!("{file}: ok");
    }
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let counts: Vec<String> = [Severity::Error, Severity::SecurityWarning, Severity::Warning, Severity::Suggestion]
        .iter()
        .map(|s| (s, findings.iter().filter(|f| f.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| plural(n, s.as_str()))
        .collect();
    format!("{file}: {} ({})", plural(findings.len(), "finding"), counts.join(", "))
}

fn policy_type(s: &str) -> Result<PolicyType, Stop> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        Stop::new(
            USAGE_ERROR,
            format!("unknown policy type `{s}`: use identity, resource, scp, rcp, permissions-boundary or session"),
        )
    })
}
