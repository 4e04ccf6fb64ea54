//! Forensic audit of whole captured enrolments (`e2ei-audit flow`).
//!
//! A capture is read ([`crate::transcript`]), each ciphersuite section is
//! reconstructed into a flow model ([`reconstruct`]), and every artefact is
//! verified against what the other steps say it must be ([`checks`]), as of
//! the capture time ([`capture_time`]) unless the user asks for another.

mod account;
mod answers;
mod capture_time;
mod certificate;
mod checks;
mod consistency;
mod identifiers;
mod pkce;
mod reconstruct;
mod report;
mod segments;
mod x509_views;

pub use report::{FileReport, FlowCheck, FlowReport};

use crate::render::rfc3339;
use crate::transcript::{self, TranscriptError};
use e2ei_verify::jose::PublicKey;
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::time::UnixTime;

/// As of when each flow is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Each flow at its own capture time (derived from the flow).
    Capture,
    /// Every flow at this time (`--at now` or `--at TIME`).
    Fixed(UnixTime),
}

/// What the user trusts. Checks that need an input that was not given are
/// `warn` or `skip`, never `pass`.
#[derive(Clone, Debug, Default)]
pub struct Trust {
    /// Pinned wire-server keys (`--issuer-key`).
    pub issuer_keys: Vec<PublicKey>,
    /// Pinned IdP keys (`--idp-key`), for the id token's signature.
    pub idp_keys: Vec<IdpKey>,
    /// Trust anchors as given (`--trust-anchor`), for the chain checks.
    pub anchors: Vec<Vec<u8>>,
    /// `--trust-transcript-keys`: use keys printed in the capture, reported as such.
    pub transcript_keys: bool,
}

/// How to audit.
#[derive(Clone, Debug)]
pub struct Options {
    pub when: When,
    /// The time used for a flow nothing dates (with [`When::Capture`]).
    pub now: UnixTime,
    pub trust: Trust,
}

/// Audits every flow of one capture. Fails only when the text is not a
/// capture at all; never panics.
pub fn audit(text: &str, options: &Options) -> Result<Vec<FlowReport>, TranscriptError> {
    let transcript = transcript::parse(text)?;
    Ok(transcript
        .sections
        .iter()
        .flat_map(reconstruct::enrolments)
        .map(|mut flow| {
            let (at, source) = match options.when {
                When::Fixed(at) => (at, "given with --at".to_owned()),
                When::Capture => match capture_time::derive(&flow) {
                    Some(t) => (t.at, t.source),
                    None => (
                        options.now,
                        "now: no token or certificate dates the flow".to_owned(),
                    ),
                },
            };
            FlowReport {
                checks: checks::run(&mut flow, at, &options.trust),
                suite: flow.suite,
                capture_time: rfc3339(at),
                capture_time_source: source,
            }
        })
        .collect())
}
