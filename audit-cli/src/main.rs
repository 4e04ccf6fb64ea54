//! The `e2ei-audit` binary: parse the command line, run, print, exit.
#![forbid(unsafe_code)]

use clap::Parser;
use e2ei_audit::cli::Cli;
use e2ei_audit::render::Style;
use e2ei_audit::Output;
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
    let stdout = std::io::stdout();
    let mut report = std::io::BufWriter::new(stdout.lock());
    let output = Output {
        report: &mut report,
        errors: &mut std::io::stderr(),
    };
    match e2ei_audit::run_to(&cli, Style::detect(), output) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = report.write_all(e2ei_audit::error_output(&cli, &e).as_bytes());
            let _ = report.flush();
            eprintln!("e2ei-audit: {e}");
            ExitCode::from(2)
        }
    }
}
