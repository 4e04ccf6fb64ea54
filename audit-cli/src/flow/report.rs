//! The report of a flow audit: checks located at a step, grouped by flow and
//! file, rendered for people (text) or programs (JSON).

use crate::render::{self, Style};
use e2ei_verify::report::{Check, Status};
use serde::Serialize;
use std::fmt::Write;

/// A library [`Check`] located at the step of the capture it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowCheck {
    pub id: &'static str,
    pub status: Status,
    /// The `#### N.` step; absent when the check concerns the whole flow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

impl FlowCheck {
    /// `check`, at `step`.
    pub fn at(check: Check, step: Option<u32>) -> Self {
        FlowCheck {
            id: check.id,
            status: check.status,
            step,
            message: check.message,
            expected: check.expected,
            found: check.found,
        }
    }

    fn as_check(&self) -> Check {
        Check {
            id: self.id,
            status: self.status,
            message: self.message.clone(),
            expected: self.expected.clone(),
            found: self.found.clone(),
        }
    }
}

/// One section (ciphersuite run) of a capture.
#[derive(Clone, Debug, Serialize)]
pub struct FlowReport {
    pub suite: String,
    /// RFC 3339, UTC.
    pub capture_time: String,
    /// How the verification time was obtained.
    pub capture_time_source: String,
    pub checks: Vec<FlowCheck>,
}

/// One capture file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub flows: Vec<FlowReport>,
}

impl FileReport {
    /// The file's part of the text report: its path, then each flow grouped by step.
    pub fn text(&self, style: Style) -> String {
        let mut out = format!("{}\n", self.path);
        for flow in &self.flows {
            let _ = writeln!(
                out,
                "  flow {} as of {} ({})",
                flow.suite, flow.capture_time, flow.capture_time_source
            );
            write_steps(&mut out, &flow.checks, style);
        }
        out
    }
}

/// Checks grouped under `step N` headings in step order (whole-flow checks last),
/// keeping the order in which checks ran within a step.
fn write_steps(out: &mut String, checks: &[FlowCheck], style: Style) {
    let mut sorted: Vec<&FlowCheck> = checks.iter().collect();
    sorted.sort_by_key(|c| c.step.map_or((1, 0), |s| (0, s)));
    let mut rest = sorted.as_slice();
    while let Some(first) = rest.first() {
        let step = first.step;
        let len = rest.iter().take_while(|c| c.step == step).count();
        let (group, tail) = rest.split_at(len);
        match step {
            Some(n) => {
                let _ = writeln!(out, "    step {n}");
            }
            None => out.push_str("    whole flow\n"),
        }
        let group: Vec<Check> = group.iter().map(|c| c.as_check()).collect();
        render::write_checks(out, &group, "      ", style);
        rest = tail;
    }
}
