//! Prints the Markdown tables of `RESULTS.md` from the last
//! `cargo bench -p e2ei-benches --bench access_token` run.
//!
//! Reads `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else
//! `target/criterion`; a directory given as the first argument wins.

use e2ei_benches::{criterion_dir, table};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(criterion_dir, PathBuf::from);
    if !dir.join(table::GROUP).is_dir() {
        eprintln!(
            "no criterion results for group {:?} under {}: run `cargo bench -p e2ei-benches --bench access_token` first",
            table::GROUP,
            dir.display()
        );
        return ExitCode::from(2);
    }
    print!(
        "{}",
        table::render(|kind, suite| table::read(&dir, kind, suite))
    );
    ExitCode::SUCCESS
}
