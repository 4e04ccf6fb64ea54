//! What the era tests give the auditor: shared by `minted_eras.rs` and
//! `minted_eras_findings.rs`.

use e2ei_audit::flow::{Options, Trust, When};
use e2ei_verify::oidc::IdpKey;
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
