//! `e2ei-audit`: reads Wire end-to-end-identity artefacts and captured enrolment
//! flows, runs every check of `e2ei-verify` over them, and reports what holds.
//!
//! The binary is a thin shell over [`run`]; everything it prints comes from here.
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

/// What a command printed and the exit code it ends with.
#[derive(Debug)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// 0: nothing failed; 1: a check failed; 2: unreadable input or misuse.
    pub code: u8,
}

/// Runs a parsed command line.
pub fn run(cli: &Cli, style: Style) -> Result<Outcome, CliError> {
    let (report, format) = match &cli.command {
        Command::Dpop(args) => (commands::dpop::run(args)?, args.common.format),
        Command::AccessToken(args) => (commands::access_token::run(args)?, args.common.format),
        Command::Chain(args) => (commands::chain::run(args)?, args.common.format),
        Command::Csr(args) => (commands::csr::run(args)?, args.format),
        Command::Flow(args) => return commands::flow::run(args, style),
    };
    Ok(Outcome {
        stdout: report.render(format, style),
        code: u8::from(report.failed()),
    })
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
