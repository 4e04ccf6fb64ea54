//! Rendering reports for people (text, coloured on a terminal) and for programs
//! (JSON; the schema is in the README).

use chrono::DateTime;
use e2ei_verify::report::{Check, Status};
use e2ei_verify::time::UnixTime;
use serde::Serialize;
use std::fmt::Write;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// Whether to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours on.
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn status(self, status: Status) -> String {
        let label = format!("{:<4}", status.as_str().to_uppercase());
        if !self.color {
            return label;
        }
        let code = match status {
            Status::Pass => "32",
            Status::Fail => "1;31",
            Status::Warn => "33",
            Status::Skip => "2",
        };
        format!("\x1b[{code}m{label}\x1b[0m")
    }
}

/// The report of a single-artefact command (`dpop`, `access-token`, `chain`, `csr`).
#[derive(Debug, Serialize)]
pub struct ArtefactReport {
    /// What was checked (`dpop`, `access_token`, …).
    pub artefact: &'static str,
    /// The verification time, RFC 3339.
    pub at: String,
    /// Every check.
    pub checks: Vec<Check>,
    /// The embedded proof's checks (access tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_checks: Option<Vec<Check>>,
}

impl ArtefactReport {
    /// A report of `checks` on `artefact` as of `at`.
    pub fn new(artefact: &'static str, at: UnixTime, checks: Vec<Check>) -> Self {
        ArtefactReport {
            artefact,
            at: rfc3339(at),
            checks,
            proof_checks: None,
        }
    }

    /// Whether any check (including the embedded proof's) failed.
    pub fn failed(&self) -> bool {
        self.all().any(|c| c.status == Status::Fail)
    }

    fn all(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().chain(self.proof_checks.iter().flatten())
    }

    /// Renders in `format`.
    pub fn render(&self, format: Format, style: Style) -> String {
        match format {
            Format::Json => json(self),
            Format::Text => {
                let mut out = format!("{} as of {}\n", self.artefact, self.at);
                write_checks(&mut out, &self.checks, "  ", style);
                if let Some(proof) = &self.proof_checks {
                    out.push_str("  embedded proof:\n");
                    write_checks(&mut out, proof, "    ", style);
                }
                out.push_str(&summary(self.all()));
                out.push('\n');
                out
            }
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// One line per check, evidence indented below failures and warnings.
pub fn write_checks(out: &mut String, checks: &[Check], indent: &str, style: Style) {
    let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in checks {
        let _ = writeln!(
            out,
            "{indent}{}  {:<width$}  {}",
            style.status(c.status),
            c.id,
            c.message
        );
        if c.status != Status::Pass {
            let pad = " ".repeat(indent.len() + 6 + width);
            if let Some(e) = &c.expected {
                let _ = writeln!(out, "{pad}expected: {e}");
            }
            if let Some(f) = &c.found {
                let _ = writeln!(out, "{pad}found:    {f}");
            }
        }
    }
}

/// `summary: 12 pass, 1 fail, 0 warn, 3 skip`.
pub fn summary<'c>(checks: impl Iterator<Item = &'c Check>) -> String {
    let mut n = [0usize; 4];
    for c in checks {
        n[c.status as usize] += 1;
    }
    summary_of(n)
}

/// The summary line of checks counted by status (indexed by `Status as usize`).
pub fn summary_of(n: [usize; 4]) -> String {
    format!(
        "summary: {} pass, {} fail, {} warn, {} skip",
        n[Status::Pass as usize],
        n[Status::Fail as usize],
        n[Status::Warn as usize],
        n[Status::Skip as usize]
    )
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(t: UnixTime) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}
