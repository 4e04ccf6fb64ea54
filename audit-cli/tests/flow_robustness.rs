//! Truncated and reordered captures end in a report or an error, never a panic.

use e2ei_audit::flow::{audit, Options, Trust, When};
use rayon::prelude::*;

/// Wire's published captures, shared with the conformance vectors.
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/transcripts");

fn options() -> Options {
    Options {
        when: When::Capture,
        now: 1_768_466_455,
        trust: Trust {
            transcript_keys: true,
            ..Trust::default()
        },
    }
}

fn samples() -> Vec<String> {
    ["2023-01-18", "2023-03-15", "2023-11-15", "2026-01-15"]
        .iter()
        .map(|d| std::fs::read_to_string(format!("{DIR}/wire-e2ei-{d}.md")).unwrap())
        .collect()
}

#[test]
fn flow_every_line_prefix_is_handled() {
    let opts = options();
    for text in samples() {
        let lines: Vec<&str> = text.lines().collect();
        (0..=lines.len()).into_par_iter().for_each(|n| {
            let prefix = lines[..n].join("\n");
            let _ = audit(&prefix, &opts);
        });
    }
}

#[test]
fn flow_shuffled_steps_are_handled() {
    let opts = options();
    for text in samples() {
        let mut chunks: Vec<String> = Vec::new();
        for line in text.lines() {
            if line.starts_with("#### ") || chunks.is_empty() {
                chunks.push(String::new());
            }
            if let Some(last) = chunks.last_mut() {
                last.push_str(line);
                last.push('\n');
            }
        }
        // Deterministic shuffles: reversed, and odd steps before even ones.
        let reversed: String = chunks.iter().rev().cloned().collect();
        let (odd, even): (Vec<_>, Vec<_>) =
            chunks.iter().enumerate().partition(|(i, _)| i % 2 == 1);
        let interleaved: String = odd
            .into_iter()
            .chain(even)
            .map(|(_, c)| c.as_str())
            .collect();
        for variant in [reversed, interleaved] {
            let reports = audit(&variant, &opts).unwrap();
            assert!(!reports.is_empty());
        }
    }
}
