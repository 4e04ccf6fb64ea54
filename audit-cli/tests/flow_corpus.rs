//! `e2ei-audit flow` over many files: path order, a report written file by
//! file (the JSON document stays one valid document), unreadable files reported
//! in place while the others are still audited, and inputs refused, not cut,
//! beyond the size bound.

use clap::Parser;
use e2ei_audit::cli::Cli;
use e2ei_audit::flow::{self, FileReport, Options, Trust, When};
use e2ei_audit::render::Style;
use e2ei_audit::Outcome;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = "../vectors/transcripts";

fn run(args: &[&str]) -> Outcome {
    let mut argv = vec!["e2ei-audit", "flow"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    e2ei_audit::run(&cli, Style { color: false }).unwrap()
}

/// A fresh directory under the system's temporary directory, removed first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("e2ei-flow-corpus-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_capture(date: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(format!("{DIR}/wire-e2ei-{date}.md"), to).unwrap();
}

/// Every `.md` below `dir`, as the old eager walk listed them: all paths, sorted.
fn sorted_listing(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sorted_listing(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path.display().to_string());
        }
    }
}

#[test]
fn a_tree_is_audited_in_path_order_and_unreadable_files_are_reported_in_place() {
    let dir = scratch("tree");
    // Names whose order differs between plain strings and path components
    // (`x` before `x.md`, `x-y` after `x/…` as components), nested levels, and
    // files that are not `.md` (skipped).
    copy_capture("2023-03-15", &dir.join("x.md"));
    copy_capture("2023-11-15", &dir.join("x/b.md"));
    copy_capture("2026-01-15", &dir.join("x-y.md"));
    copy_capture("2023-03-15", &dir.join("A/deep/er/one.md"));
    std::fs::write(dir.join("x/a.md"), "not a capture at all\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "skipped").unwrap();
    let root = dir.display().to_string();

    let mut expected = Vec::new();
    sorted_listing(&dir, &mut expected);
    expected.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));

    let json = run(&[&root, "--format", "json"]);
    assert_eq!(json.code, 2, "an unreadable file makes the run exit 2");
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, expected);
    for file in files {
        let bad = file["path"].as_str().unwrap().ends_with("a.md");
        assert_eq!(file.get("error").is_some(), bad, "{file}");
        assert_eq!(file.get("flows").is_some(), !bad, "{file}");
    }
    assert!(
        json.stderr.contains("x/a.md: not a transcript"),
        "{}",
        json.stderr
    );

    let text = run(&[&root]);
    assert_eq!(text.code, 2);
    let listed: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && l.ends_with(".md"))
        .collect();
    assert_eq!(listed, expected);
    assert!(text
        .stdout
        .contains("x/a.md\n  unreadable: not a transcript"));
    assert!(text
        .stdout
        .ends_with("unreadable: 1 file(s), reported above\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The whole document as one pretty printer writes it, from the typed reports.
#[derive(Serialize)]
struct Document {
    files: Vec<FileReport>,
}

fn typed(paths: &[&str]) -> String {
    let options = Options {
        when: When::Capture,
        now: e2ei_audit::inputs::now(),
        trust: Trust::default(),
    };
    let files = paths
        .iter()
        .map(|p| FileReport {
            path: (*p).to_owned(),
            flows: flow::audit(&std::fs::read_to_string(p).unwrap(), &options).unwrap(),
        })
        .collect();
    e2ei_audit::render::json(&Document { files })
}

#[test]
fn the_streamed_json_is_the_document_a_pretty_printer_writes() {
    // One and several files: the framing written around each file's own
    // pretty form must equal the pretty form of the whole document.
    let one = format!("{DIR}/wire-e2ei-2023-03-15.md");
    let two = format!("{DIR}/wire-e2ei-2026-01-15.md");
    let empty = scratch("empty").display().to_string();
    for (args, files) in [
        (vec![one.as_str()], vec![one.as_str()]),
        (
            vec![one.as_str(), two.as_str()],
            vec![one.as_str(), two.as_str()],
        ),
    ] {
        let mut argv = args.clone();
        argv.extend(["--format", "json"]);
        assert_eq!(run(&argv).stdout, typed(&files), "{args:?}");
    }
    // A directory holding no capture is an error in its place, not `[]`.
    let out = run(&[empty.as_str(), "--format", "json"]);
    assert_eq!(out.code, 2);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["path"], empty.as_str());
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn a_failed_check_exits_1_and_nothing_failed_exits_0_across_files() {
    let old = format!("{DIR}/wire-e2ei-2023-01-18.md");
    let out = run(&[&old, &old]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.matches(&format!("{old}\n")).count(), 2);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn an_input_beyond_the_size_bound_is_refused_not_cut() {
    let dir = scratch("big");
    let big = dir.join("big.md");
    let capture = std::fs::read_to_string(format!("{DIR}/wire-e2ei-2023-03-15.md")).unwrap();
    // A real capture, then padding past 16 MiB: read as far as the bound, it
    // would be audited as if the file ended there.
    let padding = "\n".repeat(16 * 1024 * 1024);
    std::fs::write(&big, format!("{capture}{padding}")).unwrap();
    let path = big.display().to_string();
    let out = run(&[&path]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("larger than 16 MiB, not read"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_capture_piped_to_flow_dash_is_audited_as_the_file_would_be() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let file = format!("{DIR}/wire-e2ei-2026-01-15.md");
    let mut child = Command::new(env!("CARGO_BIN_EXE_e2ei-audit"))
        .args(["flow", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let capture = std::fs::read(&file).unwrap();
    child.stdin.take().unwrap().write_all(&capture).unwrap();
    let piped = child.wait_with_output().unwrap();
    let from_file = run(&[&file, "--format", "json"]);
    assert_eq!(piped.status.code(), Some(i32::from(from_file.code)));
    let piped = String::from_utf8(piped.stdout).unwrap();
    let path_line = format!("\"path\": \"{file}\"");
    assert_eq!(
        piped,
        from_file.stdout.replace(&path_line, "\"path\": \"-\"")
    );
}
