//! `cargo run -p vectors --bin generate -- [OUT_DIR]`: writes every
//! conformance case (default `vectors/cases`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases"));
    let cases = vectors::cases::all();
    let files = vectors::generate::render(&cases);
    match vectors::generate::write(&out, &files) {
        Ok(()) => {
            println!(
                "{} cases, {} files written to {}",
                cases.len(),
                files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generate: cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
