//! The `e2ei-audit` binary: parse the command line, run, print, exit.
#![forbid(unsafe_code)]

use clap::Parser;
use e2ei_audit::cli::Cli;
use e2ei_audit::render::Style;
use std::io::Write;
use std::process::ExitCode;

/// The binary's allocator, not the library's: an audit allocates thousands of
/// small strings and vectors per file, where mimalloc is markedly cheaper than
/// the system allocator (benches/RESULTS.md, "Flow audit, round 4"). Embedders of
/// `e2ei_audit` keep their own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match e2ei_audit::run(&cli, Style::detect()) {
        Ok(outcome) => {
            let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
            ExitCode::from(outcome.code)
        }
        Err(e) => {
            let _ = std::io::stdout().write_all(e2ei_audit::error_output(&cli, &e).as_bytes());
            eprintln!("e2ei-audit: {e}");
            ExitCode::from(2)
        }
    }
}
