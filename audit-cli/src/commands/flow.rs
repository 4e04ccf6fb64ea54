use crate::cli::FlowArgs;
use crate::flow::{self, FileReport, Options, Trust, When};
use crate::render::{self, Format, Style};
use crate::{inputs, CliError, Output};
use e2ei_verify::report::Status;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Files audited in parallel before their reports are written, per thread:
/// enough to keep every thread busy, few enough that memory holds one batch of
/// reports whatever the size of the corpus.
const BATCH_PER_THREAD: usize = 32;

/// Runs `e2ei-audit flow`: files are audited in parallel a batch at a time and
/// their reports written in path order as each batch ends. A file that cannot
/// be read is reported in its place (and on `errors`) while the others are
/// still audited; the exit code is then 2.
pub fn run(args: &FlowArgs, style: Style, out: Output<'_>) -> Result<u8, CliError> {
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
    let layout = Layout {
        format: args.format,
        style,
    };
    let mut stream = Stream::new(out, args.format);
    let progress = progress_bar(&args.paths);
    let mut paths = Walk::new(&args.paths);
    let batch = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    let result = loop {
        let next: Vec<Result<PathBuf, CliError>> = paths.by_ref().take(batch).collect();
        if next.is_empty() {
            break stream.finish();
        }
        let pieces: Vec<Piece> = next
            .into_par_iter()
            .map(|path| {
                let piece = layout.piece(path.and_then(|p| audit_file(&p, &options)));
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                piece
            })
            .collect();
        let written = match &progress {
            Some(bar) => bar.suspend(|| stream.write(pieces)),
            None => stream.write(pieces),
        };
        if let Err(e) = written {
            break Err(e);
        }
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    match result {
        Ok(()) => Ok(stream.code()),
        // The reader went away (`| head`): nothing more can be said to it.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(stream.code()),
        Err(e) => Err(CliError::Read {
            what: "standard output".into(),
            detail: e.to_string(),
        }),
    }
}

/// A bar on a terminal when more than one file may be audited. Its length
/// comes from a first walk that only counts (listing a directory tree costs
/// little beside auditing it, and holds nothing).
fn progress_bar(paths: &[String]) -> Option<ProgressBar> {
    let many = paths.len() > 1 || paths.iter().any(|p| Path::new(p).is_dir());
    (many && io::stderr().is_terminal()).then(|| {
        let files = Walk::new(paths).count();
        let bar = ProgressBar::new(u64::try_from(files).unwrap_or(u64::MAX));
        if let Ok(s) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
            bar.set_style(s);
        }
        bar
    })
}

/// How each file's part of the report is rendered.
#[derive(Clone, Copy)]
struct Layout {
    format: Format,
    style: Style,
}

/// One file's part of the report, rendered by the thread that audited it.
struct Piece {
    /// Text, or the file's element of the JSON `files` array (pretty, unindented).
    rendered: String,
    /// Its checks by status.
    counts: [usize; 4],
    /// Why the file could not be audited, for standard error.
    error: Option<String>,
}

/// A file that could not be audited, in the JSON report.
#[derive(Serialize)]
struct Unreadable<'a> {
    path: &'a str,
    error: &'a str,
}

impl Layout {
    fn piece(self, file: Result<FileReport, CliError>) -> Piece {
        match file {
            Ok(report) => self.report(&report),
            Err(e) => self.error(&e),
        }
    }

    fn report(self, report: &FileReport) -> Piece {
        let mut counts = [0; 4];
        for check in report.flows.iter().flat_map(|f| &f.checks) {
            counts[check.status as usize] += 1;
        }
        let rendered = match self.format {
            Format::Text => report.text(self.style),
            Format::Json => render::json(report),
        };
        Piece {
            rendered,
            counts,
            error: None,
        }
    }

    fn error(self, error: &CliError) -> Piece {
        let (path, reason) = match error {
            CliError::Read { what, detail } => (what.as_str(), detail.clone()),
            other => ("", other.to_string()),
        };
        let rendered = match self.format {
            Format::Text => format!("{path}\n  unreadable: {reason}\n"),
            Format::Json => render::json(&Unreadable {
                path,
                error: &reason,
            }),
        };
        Piece {
            rendered,
            counts: [0; 4],
            error: Some(format!("e2ei-audit: {error}")),
        }
    }
}

/// The report as it is written: the format's framing, and what the summary and
/// the exit code need (counts, not the reports).
struct Stream<'w> {
    out: Output<'w>,
    format: Format,
    files: usize,
    counts: [usize; 4],
    unreadable: usize,
}

impl<'w> Stream<'w> {
    fn new(out: Output<'w>, format: Format) -> Self {
        Stream {
            out,
            format,
            files: 0,
            counts: [0; 4],
            unreadable: 0,
        }
    }

    /// Writes a batch, in order.
    fn write(&mut self, pieces: Vec<Piece>) -> io::Result<()> {
        for piece in pieces {
            for (total, n) in self.counts.iter_mut().zip(piece.counts) {
                *total += n;
            }
            if let Some(error) = &piece.error {
                self.unreadable += 1;
                writeln!(self.out.errors, "{error}")?;
            }
            match self.format {
                Format::Text => self.out.report.write_all(piece.rendered.as_bytes())?,
                Format::Json => self.json_element(&piece.rendered)?,
            }
        }
        Ok(())
    }

    /// One element of the `files` array, indented as a pretty printer of the
    /// whole document would: JSON strings hold no raw line breaks, so every
    /// line of the element's own pretty form moves right by the same four spaces.
    fn json_element(&mut self, pretty: &str) -> io::Result<()> {
        let out = &mut self.out.report;
        out.write_all(if self.files == 0 {
            b"{\n  \"files\": ["
        } else {
            b","
        })?;
        self.files += 1;
        for line in pretty.lines() {
            write!(out, "\n    {line}")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let out = &mut self.out.report;
        match self.format {
            Format::Json if self.files == 0 => out.write_all(b"{\n  \"files\": []\n}\n"),
            Format::Json => out.write_all(b"\n  ]\n}\n"),
            Format::Text => {
                writeln!(out, "{}", render::summary_of(self.counts))?;
                match self.unreadable {
                    0 => Ok(()),
                    n => writeln!(out, "unreadable: {n} file(s), reported above"),
                }
            }
        }?;
        out.flush()
    }

    /// 2 when a file could not be read, else 1 when a check failed, else 0.
    fn code(&self) -> u8 {
        match (self.unreadable, self.counts[Status::Fail as usize]) {
            (0, 0) => 0,
            (0, _) => 1,
            _ => 2,
        }
    }
}

fn audit_file(path: &Path, options: &Options) -> Result<FileReport, CliError> {
    let shown = path.display().to_string();
    let bytes = inputs::file_or_stdin(&shown)?;
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

/// The files to audit, in order: each path as given, a directory replaced by
/// every capture below it (`.md` or `.markdown`, any case) in path order.
/// Directories are listed one at a time as the walk reaches them (sorted, the
/// files of one directory in memory at once), never the whole tree up front;
/// one that cannot be listed is an error in its place, and so is a directory
/// argument below which no capture is found (a gate that read nothing must not
/// pass). Symbolic links are followed, but each directory and each file found
/// in one is visited once, by its canonical path: a link to an ancestor would
/// otherwise walk the same tree again, without end. A file named as an argument
/// is audited each time it is named.
struct Walk {
    /// The paths still to visit, innermost directory last, each list reversed
    /// so that its next path is popped from the end.
    pending: Vec<Vec<PathBuf>>,
    /// Canonical paths of the directories listed and files handed out.
    seen: HashSet<PathBuf>,
    /// The directory argument being walked and how many files had been
    /// reached when it was.
    root: Option<(PathBuf, usize)>,
    /// Files reached so far, including those already handed out before.
    files: usize,
}

/// Whether a file found in a directory is a capture: Markdown by its name.
fn is_capture(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

impl Walk {
    fn new(paths: &[String]) -> Self {
        Walk {
            pending: vec![paths.iter().rev().map(PathBuf::from).collect()],
            seen: HashSet::new(),
            root: None,
            files: 0,
        }
    }

    /// The entries of `dir`, sorted, reversed for popping: the captures and
    /// the directories (both followed through symbolic links).
    fn list(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
        let entries = std::fs::read_dir(dir).map_err(|e| CliError::Read {
            what: dir.display().to_string(),
            detail: e.to_string(),
        })?;
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|p| p.is_dir() || is_capture(p))
            .collect();
        found.sort_unstable_by(|a, b| b.cmp(a));
        Ok(found)
    }

    /// True the first time a path is reached (by its canonical path); a path
    /// that cannot be resolved (standard input, a broken link) is always new,
    /// and its reading reports why.
    fn first_visit(&mut self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(canonical) => self.seen.insert(canonical),
            Err(_) => true,
        }
    }

    /// Called when a directory argument's walk ends: an error when it yielded
    /// no capture.
    fn root_done(&mut self) -> Option<CliError> {
        let (dir, before) = self.root.take()?;
        (self.files == before).then(|| CliError::Read {
            what: dir.display().to_string(),
            detail: "no capture found: no .md or .markdown file below it".into(),
        })
    }
}

impl Iterator for Walk {
    type Item = Result<PathBuf, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let level = self.pending.last_mut()?;
            let Some(path) = level.pop() else {
                self.pending.pop();
                if self.pending.len() == 1 {
                    if let Some(e) = self.root_done() {
                        return Some(Err(e));
                    }
                }
                continue;
            };
            let is_dir = path.is_dir();
            let argument = self.pending.len() == 1;
            self.files += usize::from(!is_dir);
            // A file named as an argument is audited as often as it is named.
            let first = self.first_visit(&path);
            if !is_dir && (first || argument) {
                return Some(Ok(path));
            }
            if !first || !is_dir {
                continue;
            }
            if argument {
                self.root = Some((path.clone(), self.files));
            }
            match Walk::list(&path) {
                Ok(entries) => self.pending.push(entries),
                Err(e) => {
                    self.root = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_capture, Walk};
    use std::path::Path;

    #[test]
    fn captures_are_markdown_files_in_any_case() {
        for name in [
            "a.md",
            "a.MD",
            "a.Md",
            "a.markdown",
            "a.MARKDOWN",
            "x/y.z.md",
        ] {
            assert!(is_capture(Path::new(name)), "{name}");
        }
        for name in ["a.txt", "a.json", "md", "a.md.txt", "a.mdx", ".md"] {
            assert!(!is_capture(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn a_file_found_in_a_directory_is_walked_once() {
        let dir = std::env::temp_dir().join(format!("e2ei-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.md");
        std::fs::write(&file, "x").unwrap();
        let f = file.display().to_string();
        let d = dir.display().to_string();
        // The directory holds a capture (already audited): not an error.
        let walked: Vec<_> = Walk::new(&[f.clone(), d, f]).map(Result::ok).collect();
        assert_eq!(walked, vec![Some(file.clone()), Some(file)]);
        // Standard input and a missing path cannot be resolved: each is
        // handed out, and its reading says why.
        let odd = [
            "-".to_owned(),
            "-".to_owned(),
            "/nonexistent/x.md".to_owned(),
        ];
        assert_eq!(Walk::new(&odd).flatten().count(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
