//! PKCS#10 requests as ACME finalize receives them, checked against the
//! order's identifiers and the user's display name.

use super::chain::{client_id_san, DISPLAY_NAME, DOMAIN};
use crate::case::{reject, Artefact, Case, Expect};
use crate::enrolment::{Enrolment, NOW};
use crate::pki::{csr, pem};
use e2ei_verify::report::AcmeProblem::BadCsr;
use serde_json::{json, Value};

/// What the ACME server knows at finalize: the order's identifiers and the
/// user's organization and display name.
fn expectations(identities: &[String]) -> Value {
    json!({
        "uris": identities, "dns_names": null,
        "organization": DOMAIN, "display_name": DISPLAY_NAME,
    })
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let flow = e.flow();
    let identities = vec![flow.client_id.clone(), flow.handle.clone()];
    let requested = vec![client_id_san(e), flow.handle.clone()];
    let case = |id: String, why: &str, der: Vec<u8>, expect| Case {
        id,
        suite: e.suite,
        artefact: Artefact::Csr,
        input: pem("CERTIFICATE REQUEST", &der).into_bytes(),
        verify_at: NOW,
        expectations: expectations(&identities),
        trust: Vec::new(),
        expect,
        why: why.to_owned(),
    };
    let fails = |check: &'static str, variant: &str, why: &str, der| {
        case(
            format!("{check}.{variant}"),
            why,
            der,
            reject(&[check], BadCsr),
        )
    };
    let valid = csr(&flow.client, &requested, DOMAIN, DISPLAY_NAME);
    // The signature BIT STRING ends the request; its last byte is the last
    // of the signature (of `s`, for ECDSA), so the DER stays well-formed.
    let mut flipped = valid.clone();
    if let Some(last) = flipped.last_mut() {
        *last ^= 0x01;
    }
    let other_handle = vec![
        client_id_san(e),
        "wireapp://%40mallory@wire.example.com".to_owned(),
    ];
    vec![
        case(
            "csr.valid".into(),
            "Requests the client id and handle, subject O = domain and displayName, \
             signed with the requested key.",
            valid,
            Expect::Accept,
        ),
        fails(
            "csr.signature",
            "bit-flip",
            "One bit of the signature is flipped.",
            flipped,
        ),
        fails(
            "csr.san",
            "other-handle",
            "Requests another user's handle than the order's.",
            csr(&flow.client, &other_handle, DOMAIN, DISPLAY_NAME),
        ),
        fails(
            "csr.subject",
            "other-display-name",
            "The subject displayName is another name than the user's.",
            csr(&flow.client, &requested, DOMAIN, "Mallory"),
        ),
        fails(
            "csr.format",
            "truncated",
            "The PEM holds four bytes of a DER SEQUENCE that claims 256.",
            vec![0x30, 0x82, 0x01, 0x00],
        ),
    ]
}
