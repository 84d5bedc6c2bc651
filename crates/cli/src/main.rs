//! `kmsim`: run and check KMS scenarios, evaluate IAM policies, lint policy files.
//!
//! Exit codes: 0 success (every expectation held, the policy is valid, ...); 1 an expectation did not hold (check,
//! run) or the decision was not `Allow` (eval with `--expect-allow`); 2 invalid input (a scenario, policy or
//! request with errors: every error is printed with its location); 3 a file could not be read, the output could not
//! be written, or a usage error. A closed output pipe (`kmsim run ... | head`) is not an error: the command stops
//! writing and exits silently with the code it would have had (see `output`).

mod output;
mod render;
mod snippet;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kmsim_kms::scenario::Scenario;
use kmsim_policy::{EvalOptions, Policy, PolicyType, Request};
use output::Out as Output;

const AFTER_HELP: &str = "\
Exit codes:
  0  success: every expectation held / the policy is valid / the request was evaluated
  1  an expectation did not hold (check, run), or --expect-allow and the decision was a deny (eval)
  2  invalid input: the scenario, policy or request has errors (all are printed, with line and column)
  3  a file could not be read, the output could not be written, or the command line is wrong
A closed output pipe (`kmsim run x.json | head`) is not an error: kmsim stops writing and exits, silently, with
the code the command would have had.

Seeds: every key, data key and ciphertext of a run derives from the world's seed. `run --format json` prints
the seed (and the world, which carries it): anyone holding it can recompute every key and decrypt every
ciphertext of the run. Do not put real secrets in a scenario you share with its seed.

Examples:
  kmsim run lessons/01-least-privilege.json          run a scenario and explain every step
  kmsim run lessons/04-cross-account.json --format json
  kmsim check lessons/*.json                         grade scenarios: exit 0 only if every expectation held
  kmsim eval --policy resource:key-policy.json --policy identity:alice.json \\
             --request request.json                  one authorization request, with the full trace
  kmsim lint --type resource key-policy.json         report every problem in a policy, with locations
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
    },
    /// Evaluate one authorization request against policy files, with the trace.
    Eval {
        /// A policy file as TYPE:PATH, TYPE one of identity, resource, scp, permissions-boundary, session.
        #[arg(long = "policy", required = true)]
        policies: Vec<String>,
        /// The request as JSON: {"principal": {...}, "action": ..., "resource": ..., "context": {...}}.
        #[arg(long)]
        request: PathBuf,
        #[arg(long, default_value = "text")]
        format: Format,
        /// Exit 1 unless the decision is Allow.
        #[arg(long)]
        expect_allow: bool,
    },
    /// Check policy files and report every problem with its location.
    Lint {
        /// identity, resource (key policy), scp, permissions-boundary or session.
        #[arg(long = "type", default_value = "resource")]
        policy_type: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, default_value = "text")]
        format: Format,
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
        Command::Check { files, format } => check(&mut out, &files, format, style),
        Command::Eval { policies, request, format, expect_allow } => {
            eval(&mut out, &policies, &request, format, expect_allow, style)
        }
        Command::Lint { policy_type, files, format } => lint(&mut out, &policy_type, &files, format, style),
        Command::Schema => {
            out.println(&serde_json::to_string_pretty(&kmsim_kms::scenario::json_schema()).unwrap_or_default());
            0
        }
    };
    ExitCode::from(out.finish(code))
}

/// The exit code of a usage error and of a file that cannot be read.
const USAGE_ERROR: u8 = 3;

fn read(path: &Path) -> Result<String, u8> {
    std::fs::read_to_string(path).map_err(|e| {
        output::err(&format!("error: cannot read `{}`: {e}", path.display()));
        USAGE_ERROR
    })
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => u64::from_le_bytes(b),
        Err(_) => 0,
    }
}

fn load(path: &Path, style: render::Style) -> Result<Scenario, u8> {
    let text = read(path)?;
    Scenario::parse(&text).map_err(|errs| {
        let source = render::Source::new(&text);
        let name = path.display().to_string();
        for e in &errs.errors {
            output::err_raw(&render::diagnostic(&source, &name, &e.message, e.help.as_deref(), &e.span, style));
        }
        output::err(&error_count(path, errs.errors.len()));
        2
    })
}

fn error_count(path: &Path, n: usize) -> String {
    format!("{}: {n} error{}", path.display(), if n == 1 { "" } else { "s" })
}

fn run(out: &mut Output, file: &Path, format: Format, seed: Option<u64>, verbose: bool, style: render::Style) -> u8 {
    let scenario = match load(file, style) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let report = scenario.run(seed.unwrap_or_else(random_seed), true);
    match format {
        Format::Json => out.println(&serde_json::to_string_pretty(&report).unwrap_or_default()),
        Format::Text => out.print(&render::run_report(&report, verbose, style)),
    }
    u8::from(!report.passed)
}

fn check(out: &mut Output, files: &[PathBuf], format: Format, style: render::Style) -> u8 {
    let mut worst = 0u8;
    let mut results = Vec::new();
    for f in files {
        let scenario = match load(f, style) {
            Ok(s) => s,
            Err(c) => {
                worst = worst.max(c);
                continue;
            }
        };
        let report = scenario.run(random_seed(), false);
        if !report.passed {
            worst = worst.max(1);
        }
        match format {
            Format::Text => out.print(&render::check_report(&f.display().to_string(), &report, style)),
            Format::Json => results.push(serde_json::json!({
                "file": f.display().to_string(),
                "passed": report.passed,
                "steps": report.steps.iter().map(|s| serde_json::json!({
                    "index": s.index, "name": s.name, "summary": s.summary, "error": s.error,
                    "failed": s.expectations.iter().filter(|e| !e.held).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })),
        }
    }
    if format == Format::Json {
        out.println(&serde_json::to_string_pretty(&results).unwrap_or_default());
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
    let mut policies = Vec::new();
    let mut bad = false;
    for spec in specs {
        let Some((ty, path)) = spec.split_once(':') else {
            output::err(&format!("error: `--policy {spec}` must be TYPE:PATH, e.g. resource:key-policy.json"));
            return USAGE_ERROR;
        };
        let Some(ty) = policy_type(ty) else {
            output::err(&unknown_type(ty));
            return USAGE_ERROR;
        };
        let path = PathBuf::from(path);
        let text = match read(&path) {
            Ok(t) => t,
            Err(c) => return c,
        };
        match Policy::parse(&text, ty) {
            Ok(p) => policies.push((path.display().to_string(), text, p)),
            Err(errs) => {
                bad = true;
                let source = render::Source::new(&text);
                let name = path.display().to_string();
                for e in &errs.errors {
                    output::err_raw(&render::diagnostic(&source, &name, &e.message, e.help.as_deref(), &e.span, style));
                }
            }
        }
    }
    let req_text = match read(request) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let req: Request = match serde_json::from_str(&req_text) {
        Ok(r) => r,
        Err(e) => {
            output::err(&format!("error: {}: invalid request: {e}", request.display()));
            return 2;
        }
    };
    if bad {
        return 2;
    }
    let refs: Vec<&Policy> = policies.iter().map(|(_, _, p)| p).collect();
    let result = kmsim_policy::evaluate_all(&refs, &req, EvalOptions { trace: true });
    match format {
        Format::Json => out.println(&serde_json::to_string_pretty(&result).unwrap_or_default()),
        Format::Text => {
            let named: Vec<(&str, &str)> = policies.iter().map(|(n, t, _)| (n.as_str(), t.as_str())).collect();
            out.print(&render::eval_report(&req, &result, &named, style));
        }
    }
    u8::from(expect_allow && result.decision != kmsim_policy::Decision::Allow)
}

fn lint(out: &mut Output, ty: &str, files: &[PathBuf], format: Format, style: render::Style) -> u8 {
    let Some(ty) = policy_type(ty) else {
        output::err(&unknown_type(ty));
        return USAGE_ERROR;
    };
    let mut worst = 0u8;
    let mut reports = Vec::new();
    for f in files {
        let text = match read(f) {
            Ok(t) => t,
            Err(c) => {
                worst = worst.max(c);
                continue;
            }
        };
        match Policy::parse(&text, ty) {
            Ok(_) => {
                if format == Format::Text {
                    out.println(&format!("{}: ok", f.display()));
                }
                reports.push(serde_json::json!({ "file": f.display().to_string(), "errors": [] }));
            }
            Err(errs) => {
                worst = worst.max(2);
                if format == Format::Text {
                    let source = render::Source::new(&text);
                    let name = f.display().to_string();
                    for e in &errs.errors {
                        out.print(&render::diagnostic(&source, &name, &e.message, e.help.as_deref(), &e.span, style));
                    }
                    out.println(&error_count(f, errs.errors.len()));
                }
                reports.push(serde_json::json!({ "file": f.display().to_string(), "errors": errs.errors }));
            }
        }
    }
    if format == Format::Json {
        out.println(&serde_json::to_string_pretty(&reports).unwrap_or_default());
    }
    worst
}

fn unknown_type(ty: &str) -> String {
    format!("error: unknown policy type `{ty}`: use identity, resource, scp, permissions-boundary or session")
}

fn policy_type(s: &str) -> Option<PolicyType> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}
