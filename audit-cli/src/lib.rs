//! `e2ei-audit`: reads Wire end-to-end-identity artefacts and captured enrolment
//! flows, runs every check of `e2ei-verify` over them, and reports what holds.
//!
//! The binary is a thin shell over [`run_to`]; everything it prints comes from here.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod commands;
pub mod flow;
pub mod inputs;
pub mod render;
pub mod transcript;

mod error;

pub use error::CliError;

use cli::{Cli, Command};
use render::{Format, Style};
use std::io::Write;

/// What a command printed and the exit code it ends with.
#[derive(Debug)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error: the reasons of inputs that could not be read while a
    /// report went on (a `flow` file among others).
    pub stderr: String,
    /// 0: nothing failed; 1: a check failed; 2: unreadable input or misuse.
    pub code: u8,
}

/// Where a command writes as it goes: its report, and the reasons of inputs it
/// could not read while the report went on.
pub struct Output<'w> {
    /// The report (standard output).
    pub report: &'w mut dyn Write,
    /// One `e2ei-audit: …` line per unreadable input (standard error).
    pub errors: &'w mut dyn Write,
}

/// Runs a parsed command line and returns what it printed. `flow` over a large
/// corpus is better run with [`run_to`], which writes each file's report as it
/// is done instead of holding them all.
pub fn run(cli: &Cli, style: Style) -> Result<Outcome, CliError> {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let output = Output {
        report: &mut stdout,
        errors: &mut stderr,
    };
    let code = run_to(cli, style, output)?;
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code,
    })
}

/// Runs a parsed command line, writing to `output`; returns the exit code.
/// An error means nothing was written: the command could not start (misuse, an
/// unreadable key or anchor file, a single artefact that cannot be read) or
/// the report could not be written.
pub fn run_to(cli: &Cli, style: Style, output: Output<'_>) -> Result<u8, CliError> {
    let (report, format) = match &cli.command {
        Command::Dpop(args) => (commands::dpop::run(args)?, args.common.format),
        Command::AccessToken(args) => (commands::access_token::run(args)?, args.common.format),
        Command::Chain(args) => (commands::chain::run(args)?, args.common.format),
        Command::Csr(args) => (commands::csr::run(args)?, args.format),
        Command::Flow(args) => return commands::flow::run(args, style, output),
    };
    output
        .report
        .write_all(report.render(format, style).as_bytes())
        .and_then(|()| output.report.flush())
        .map_err(|e| CliError::Read {
            what: "standard output".into(),
            detail: e.to_string(),
        })?;
    Ok(u8::from(report.failed()))
}

/// The output for an error: a JSON object in JSON mode, nothing otherwise (the
/// message goes to stderr).
pub fn error_output(cli: &Cli, error: &CliError) -> String {
    let format = match &cli.command {
        Command::Dpop(a) => a.common.format,
        Command::AccessToken(a) => a.common.format,
        Command::Chain(a) => a.common.format,
        Command::Csr(a) => a.format,
        Command::Flow(a) => a.format,
    };
    match format {
        Format::Json => render::json(&serde_json::json!({ "error": error.to_string() })),
        Format::Text => String::new(),
    }
}
