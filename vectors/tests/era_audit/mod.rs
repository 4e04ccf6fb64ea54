//! What the era tests give the auditor: shared by `minted_eras.rs` and
//! `minted_eras_findings.rs`.

use e2ei_audit::flow::{audit, Options, Trust, When};
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::report::Status;
use std::collections::BTreeSet;
use vectors::eras::EraEnrolment;

/// The auditor with every trust input of the enrolment, as of each flow's
/// capture time (what `e2ei-audit flow` does by default).
pub fn options(e: &EraEnrolment) -> Options {
    let t = e.trust();
    Options {
        when: When::Capture,
        now: 0,
        trust: Trust {
            issuer_keys: vec![t.issuer_key],
            idp_keys: vec![IdpKey::Wire(t.idp_key)],
            anchors: vec![t.root_pem.into_bytes()],
            ..Trust::default()
        },
    }
}

/// What one flow failed and warned.
#[allow(dead_code)] // Each test crate compiles this module; not all use it.
pub type Verdict = (BTreeSet<&'static str>, BTreeSet<&'static str>);

/// Every flow's verdict, in capture order.
#[allow(dead_code)] // Each test crate compiles this module; not all use it.
pub fn verdicts(text: &str, e: &EraEnrolment) -> Vec<Verdict> {
    let flows = audit(text, &options(e)).expect("a capture");
    flows
        .iter()
        .map(|f| {
            let with = |s| {
                f.checks
                    .iter()
                    .filter(|c| c.status == s)
                    .map(|c| c.id)
                    .collect()
            };
            (with(Status::Fail), with(Status::Warn))
        })
        .collect()
}
