//! Prints the Markdown table of `CHAIN.md` from the last
//! `cargo bench -p e2ei-benches --bench chain` run.
//!
//! Reads `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else
//! `target/criterion`; a directory given as the first argument wins.

use e2ei_benches::chain::{ChainCase, CASES};
use e2ei_benches::criterion_dir;
use e2ei_benches::table::{parse_estimates, parse_p10, Median};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn read(dir: &Path, kind: &str, case: &str) -> Option<Median> {
    let dir = dir.join("chain").join(kind).join(case).join("new");
    let mut m = parse_estimates(&std::fs::read_to_string(dir.join("estimates.json")).ok()?)?;
    m.p10 = std::fs::read_to_string(dir.join("sample.json"))
        .ok()
        .and_then(|s| parse_p10(&s));
    Some(m)
}

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(criterion_dir, PathBuf::from);
    if !dir.join("chain").is_dir() {
        eprintln!(
            "no criterion results for group \"chain\" under {}: run `cargo bench -p e2ei-benches --bench chain` first",
            dir.display()
        );
        return ExitCode::from(2);
    }
    println!("| case | signature checks | floor (µs) | verify (µs) | ratio | p10 ratio |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for case in CASES {
        let checks = ChainCase::named(case).floor.len();
        let (floor, verify) = (read(&dir, "floor", case), read(&dir, "verify", case));
        let cell = |m: Option<Median>| m.map_or("–".to_owned(), |m| format!("{:.1}", m.point));
        let ratio = match (floor, verify) {
            (Some(f), Some(v)) => format!("{:.3}", v.point / f.point),
            _ => "–".to_owned(),
        };
        let p10 = match (floor.and_then(|m| m.p10), verify.and_then(|m| m.p10)) {
            (Some(f), Some(v)) => format!("{:.3}", v / f),
            _ => "–".to_owned(),
        };
        println!(
            "| {case} | {checks} | {} | {} | {ratio} | {p10} |",
            cell(floor),
            cell(verify)
        );
    }
    ExitCode::SUCCESS
}
