use crate::cli::FlowArgs;
use crate::flow::{self, FileReport, FlowAuditReport, Options, Trust, When};
use crate::render::{Format, Style};
use crate::{inputs, CliError, Outcome};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs `e2ei-audit flow`: every file in parallel, reported in path order.
pub fn run(args: &FlowArgs, style: Style) -> Result<Outcome, CliError> {
    let options = Options {
        when: match args.at.as_str() {
            "capture" => When::Capture,
            other => When::Fixed(inputs::at(Some(other))?),
        },
        now: inputs::now(),
        trust: Trust {
            issuer_keys: inputs::issuer_keys(&args.issuer_key)?,
            idp_keys: idp_keys(&args.idp_key)?,
            anchors: anchors(&args.trust_anchor)?,
            transcript_keys: args.trust_transcript_keys,
        },
    };
    let files = expand(&args.paths)?;
    let progress = (files.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(u64::try_from(files.len()).unwrap_or(u64::MAX));
        if let Ok(s) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
            bar.set_style(s);
        }
        bar
    });
    let results: Vec<Result<FileReport, CliError>> = files
        .par_iter()
        .map(|path| {
            let report = audit_file(path, &options);
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            report
        })
        .collect();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let report = FlowAuditReport {
        files: results.into_iter().collect::<Result<_, _>>()?,
    };
    Ok(Outcome {
        stdout: match args.format {
            Format::Json => report.json(),
            Format::Text => report.text(style),
        },
        code: u8::from(report.failed()),
    })
}

fn audit_file(path: &Path, options: &Options) -> Result<FileReport, CliError> {
    let shown = path.display().to_string();
    let bytes = inputs::file(&shown)?;
    let text = String::from_utf8(bytes).map_err(|_| CliError::Read {
        what: shown.clone(),
        detail: "not UTF-8 text".into(),
    })?;
    let flows = flow::audit(&text, options).map_err(|e| CliError::Read {
        what: shown.clone(),
        detail: format!("not a transcript: {e}"),
    })?;
    Ok(FileReport { path: shown, flows })
}

fn idp_keys(paths: &[String]) -> Result<Vec<e2ei_verify::oidc::IdpKey>, CliError> {
    let mut keys = Vec::new();
    for path in paths {
        let parsed = e2ei_verify::oidc::parse_idp_keys(&inputs::file(path)?).map_err(|e| {
            CliError::Read {
                what: path.clone(),
                detail: e.to_string(),
            }
        })?;
        keys.extend(parsed);
    }
    Ok(keys)
}

/// The `--trust-anchor` files as given, each checked to hold certificates so
/// that an unusable anchor is an input error (exit 2), not a silent `warn`.
fn anchors(paths: &[String]) -> Result<Vec<Vec<u8>>, CliError> {
    paths
        .iter()
        .map(|path| {
            let bytes = inputs::file(path)?;
            e2ei_verify::x509::parse_certificates(&bytes).map_err(|e| CliError::Read {
                what: path.clone(),
                detail: e.to_string(),
            })?;
            Ok(bytes)
        })
        .collect()
}

/// Files as given; directories replaced by every `.md` below them, sorted.
fn expand(paths: &[String]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        if path.is_dir() {
            let mut found = Vec::new();
            walk(&path, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::Read {
        what: dir.display().to_string(),
        detail: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}
