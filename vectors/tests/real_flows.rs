//! Wire's published captures (`vectors/transcripts/`, see `SOURCE`) through
//! the flow auditor, each flow at its own capture time, first without any
//! trust input, then with the ones taken from the capture
//! (`vectors/trust/<date>-{wire-server,idp,anchor}.pem`, where present).
//!
//! Asserted: the full set of failing check ids of every flow (the same with
//! and without trust: trust turns warnings into passes, never hides or makes
//! a failure), that a check fed by a trust input passes only when it is
//! given, and a compact summary of every check (id, status, step) per capture,
//! snapshot-tested.
// Tests unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2ei_audit::flow::{audit, FlowReport, Options, Trust, When};
use e2ei_verify::report::Status;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Each capture, with the failing check ids of each of its flows, in order
/// (sorted within a flow).
const CAPTURES: &[(&str, &[&[&str]])] = &[
    (
        "2023-01-18",
        &[ERA_2023_01_FAILS, ERA_2023_01_FAILS, ERA_2023_01_FAILS],
    ),
    (
        "2023-03-15",
        &[&[
            "access_token.cnf",
            "access_token.iss",
            "access_token.time",
            "cert.san",
            "csr.san",
            "dpop.htu",
        ]],
    ),
    ("2023-11-15", &[&[]]),
    ("2026-01-15", &[&[]]),
];

/// Each of the three 2023-01 flows (Ed25519, P-256, P-384).
const ERA_2023_01_FAILS: &[&str] = &[
    "access_token.cnf",
    "access_token.delivered",
    "access_token.time",
    "acme.nonce.chain",
];

/// A trust input, the file suffix it is read from, and the check it feeds.
const TRUST_INPUTS: [(&str, &str); 3] = [
    ("wire-server", "access_token.issuer_key"),
    ("idp", "oidc.signature"),
    ("anchor", "cert.chain"),
];

fn vectors() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn transcript(date: &str) -> String {
    let path = vectors()
        .join("transcripts")
        .join(format!("wire-e2ei-{date}.md"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn trust_file(date: &str, role: &str) -> Option<PathBuf> {
    let path = vectors().join("trust").join(format!("{date}-{role}.pem"));
    path.exists().then_some(path)
}

/// The trust inputs of a capture, and the roles that were found.
fn trust(date: &str) -> (Trust, Vec<&'static str>) {
    let mut trust = Trust::default();
    let mut given = Vec::new();
    for (role, _) in TRUST_INPUTS {
        let Some(path) = trust_file(date, role) else {
            continue;
        };
        let bytes = std::fs::read(&path).unwrap();
        match role {
            "wire-server" => {
                trust.issuer_keys =
                    e2ei_audit::inputs::issuer_keys(&[path.display().to_string()]).unwrap();
            }
            "idp" => trust.idp_keys = e2ei_verify::oidc::parse_idp_keys(&bytes).unwrap(),
            _ => {
                assert!(!e2ei_verify::x509::parse_certificates(&bytes)
                    .unwrap()
                    .is_empty());
                trust.anchors.push(bytes);
            }
        }
        given.push(role);
    }
    (trust, given)
}

fn run(date: &str, trust: Trust) -> Vec<FlowReport> {
    let options = Options {
        when: When::Capture,
        // Every flow of these captures is dated by its own tokens and
        // certificates (asserted below): this is never used.
        now: 0,
        trust,
    };
    audit(&transcript(date), &options).unwrap()
}

fn failing(flow: &FlowReport) -> BTreeSet<&'static str> {
    flow.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id)
        .collect()
}

fn statuses(flow: &FlowReport, id: &str) -> Vec<Status> {
    flow.checks
        .iter()
        .filter(|c| c.id == id)
        .map(|c| c.status)
        .collect()
}

/// One line per flow, then one per check: `id status [step]`.
fn summary(out: &mut String, label: &str, flows: &[FlowReport]) {
    writeln!(out, "## {label}").unwrap();
    for flow in flows {
        writeln!(
            out,
            "### {} at {} ({})",
            flow.suite, flow.capture_time, flow.capture_time_source
        )
        .unwrap();
        for c in &flow.checks {
            match c.step {
                Some(step) => writeln!(out, "{:<4} {} @{step}", c.status.as_str(), c.id),
                None => writeln!(out, "{:<4} {}", c.status.as_str(), c.id),
            }
            .unwrap();
        }
    }
}

#[test]
fn real_captures_fail_exactly_the_expected_checks() {
    for (date, expected) in CAPTURES {
        let bare = run(date, Trust::default());
        let (trust, given) = trust(date);
        let trusted = run(date, trust);
        assert_eq!(bare.len(), expected.len(), "{date}: flows");
        assert_eq!(trusted.len(), expected.len(), "{date}: flows");

        for (i, ((b, t), want)) in bare.iter().zip(&trusted).zip(*expected).enumerate() {
            let want: BTreeSet<&str> = want.iter().copied().collect();
            assert_eq!(failing(b), want, "{date} flow {i} ({}), no trust", b.suite);
            assert_eq!(failing(t), want, "{date} flow {i} ({}), trusted", t.suite);
            for flow in [b, t] {
                assert!(
                    !flow.capture_time_source.starts_with("now"),
                    "{date} flow {i} is dated by the capture"
                );
            }
            assert_eq!(b.capture_time, t.capture_time);
            // A check fed by a trust input passes only when it is given.
            for (role, id) in TRUST_INPUTS {
                let without = statuses(b, id);
                let with = statuses(t, id);
                assert!(
                    !without.contains(&Status::Pass),
                    "{date} {id} passes on trust not given: {without:?}"
                );
                if given.contains(&role) {
                    assert!(
                        !with.is_empty() && with.iter().all(|s| *s == Status::Pass),
                        "{date} {id} with {role}: {with:?}"
                    );
                } else {
                    assert_eq!(with, without, "{date} {id} without {role}");
                }
            }
        }
    }
}

#[test]
fn real_captures_summaries() {
    for (date, _) in CAPTURES {
        let (trust, given) = trust(date);
        let mut out = String::new();
        summary(&mut out, "no trust input", &run(date, Trust::default()));
        let label = if given.is_empty() {
            "trust inputs: none in vectors/trust".to_owned()
        } else {
            format!("trust inputs: {}", given.join(", "))
        };
        summary(&mut out, &label, &run(date, trust));
        insta::assert_snapshot!(format!("real_flows_{date}"), out);
    }
}
