//! The finalize CSR and the downloaded chain, checked by `e2ei_verify::x509`
//! with what the rest of the flow says they must be: the order's identities,
//! the CSR's key for the leaf, the user's trust anchors, the capture time.

use super::identifiers::{self, Ordered};
use super::reconstruct::Flow;
use super::report::FlowCheck;
use super::Trust;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use e2ei_verify::report::{Check, Status};
use e2ei_verify::time::UnixTime;
use e2ei_verify::x509::{self, ChainExpectations, Csr, CsrExpectations, Leaf};
use rustls_pki_types::CertificateDer;

/// `csr.*` at the finalize step, then `cert.*` at the download step.
pub fn checks(flow: &Flow<'_>, at: UnixTime, trust: &Trust, out: &mut Vec<FlowCheck>) {
    let ordered = identifiers::ordered(flow);
    let csr = csr(flow, ordered.as_ref(), out);
    chain(flow, at, trust, ordered.as_ref(), csr.as_ref(), out);
}

/// The finalize CSR, readable, with its step.
struct FinalizeCsr {
    csr: Csr,
    step: Option<u32>,
}

fn csr(
    flow: &Flow<'_>,
    ordered: Option<&Ordered>,
    out: &mut Vec<FlowCheck>,
) -> Option<FinalizeCsr> {
    let captured = flow.csr.as_ref()?;
    let parsed = Csr::from_der(captured.value).ok();
    let mut expect = CsrExpectations::default();
    if let (Some(ordered), Some(csr)) = (ordered, &parsed) {
        (expect.uris, expect.dns_names) = ordered.expected(csr.uri_sans(), csr.dns_sans());
        expect.organization.clone_from(&ordered.domain);
        expect.display_name.clone_from(&ordered.name);
    }
    // Read once: the library checks the CSR the flow already read. One that
    // does not read goes through the library's own reading, for its message.
    let report = match &parsed {
        Some(csr) => x509::audit_read_csr(csr, &expect),
        None => x509::audit_csr(
            pem("CERTIFICATE REQUEST", captured.value).as_bytes(),
            &expect,
        ),
    };
    for c in report.checks {
        out.push(FlowCheck::at(c, captured.step));
    }
    parsed.map(|csr| FinalizeCsr {
        csr,
        step: captured.step,
    })
}

/// Where the chain's trust anchors came from, for the wording of `cert.chain`.
enum Anchors {
    /// `--trust-anchor`.
    Given,
    /// `--trust-transcript-keys`: a self-signed root printed in the capture.
    Transcript(Option<u32>),
    /// None: the library verifies link by link and warns.
    None,
}

/// Fills `expect.trust_anchors`: the user's anchors, else (only on
/// `--trust-transcript-keys`) the self-signed roots printed beside the chain,
/// else none.
fn anchors(flow: &Flow<'_>, trust: &Trust, expect: &mut ChainExpectations) -> Anchors {
    expect.trust_anchors = trust
        .anchors
        .iter()
        .filter_map(|a| x509::parse_certificates(a).ok())
        .flatten()
        .collect();
    if !expect.trust_anchors.is_empty() {
        return Anchors::Given;
    }
    if !trust.transcript_keys {
        return Anchors::None;
    }
    let chain: Vec<&[u8]> = flow
        .downloaded_chain()
        .iter()
        .map(|c| c.value.der.as_slice())
        .collect();
    let roots: Vec<_> = flow
        .printed_certificates()
        .into_iter()
        .filter(|c| !chain.contains(&c.value.der.as_slice()) && self_signed(&c.value.der))
        .collect();
    // Each root already read with the library's reader (`self_signed`).
    expect.trust_anchors = roots
        .iter()
        .map(|c| CertificateDer::from(c.value.der.to_vec()))
        .collect();
    match roots.first() {
        Some(root) if !expect.trust_anchors.is_empty() => Anchors::Transcript(root.step),
        _ => Anchors::None,
    }
}

/// A root: subject and issuer are the same name (the signature is the
/// library's to check when the root is used as an anchor).
fn self_signed(der: &[u8]) -> bool {
    x509::summary(der).is_ok_and(|s| s.self_issued)
}

fn chain(
    flow: &Flow<'_>,
    at: UnixTime,
    trust: &Trust,
    ordered: Option<&Ordered>,
    csr: Option<&FinalizeCsr>,
    out: &mut Vec<FlowCheck>,
) {
    let certificates = flow.downloaded_chain();
    let Some(first) = certificates.first() else {
        return;
    };
    let step = first.step;
    let mut input: Vec<Vec<u8>> = certificates.iter().map(|c| c.value.der.to_vec()).collect();
    // RFC 8555 §7.4.2: the end-entity certificate first. A chain sent in
    // another order fails `cert.chain` for that, and its leaf checks judge
    // the leaf, not the CA certificate that came first.
    let leaf_at = misplaced_leaf(&input);
    if let Some(at) = leaf_at {
        let leaf = input.remove(at);
        input.insert(0, leaf);
    }
    let mut expect = ChainExpectations::at_unix(at);
    let origin = anchors(flow, trust, &mut expect);
    if let Some(ordered) = ordered {
        expect.organization.clone_from(&ordered.domain);
        expect.display_name.clone_from(&ordered.name);
    }
    expect.public_key = csr.map(|c| c.csr.public_key_spki().to_vec());
    expect.require_provisioner = true;
    expect.provisioner_name = provisioner_of(flow);
    // The forms compared depend on what the leaf holds: chosen from the leaf
    // the library reads for its checks (the real leaf, first once reordered).
    let report = match ordered {
        Some(ordered) => x509::audit_chain_der_with(input, &expect, |leaf: &Leaf| {
            ordered.expected(leaf.uri_sans(), leaf.dns_sans())
        }),
        None => x509::audit_chain_der(input, &expect),
    };
    for c in report.checks {
        let c = explain(c, &origin, csr);
        out.push(FlowCheck::at(out_of_order(c, leaf_at), step));
    }
}

/// The step-ca provisioner the flow enrolled through: step-ca serves each
/// ACME provisioner under `/acme/<name>/`, and the leaf's provisioner
/// extension must name that one. `None` when no ACME request shows it.
fn provisioner_of(flow: &Flow<'_>) -> Option<String> {
    let url = flow.acme.first()?.url;
    let (_, rest) = url.split_once("/acme/")?;
    let name = rest.split(['/', '?', '#']).next()?;
    let name = e2ei_verify::identity::percent_decode(name)?;
    (!name.is_empty()).then_some(name)
}

/// Where the leaf sits when a CA certificate comes first and a later
/// certificate is not a CA: the chain was sent out of order.
fn misplaced_leaf(chain: &[Vec<u8>]) -> Option<usize> {
    let ca = |der: &Vec<u8>| x509::summary(der).map(|s| s.ca);
    if !matches!(chain.first().map(ca), Some(Ok(true))) {
        return None;
    }
    chain.iter().position(|der| matches!(ca(der), Ok(false)))
}

/// `cert.chain` of a chain sent out of order fails for that, whatever the
/// path of the reordered chain gives.
fn out_of_order(mut c: Check, leaf_at: Option<usize>) -> Check {
    if let (Some(at), "cert.chain") = (leaf_at, c.id) {
        c.status = Status::Fail;
        c.message = format!(
            "the chain is out of order: the leaf is certificate {} of the download, after a CA certificate (RFC 8555 §7.4.2 sends the end-entity certificate first); reordered: {}",
            at + 1,
            c.message
        );
    }
    c
}

/// Says in the flow's terms what the library checked against.
fn explain(mut c: Check, origin: &Anchors, csr: Option<&FinalizeCsr>) -> Check {
    match (c.id, c.status) {
        ("cert.chain", Status::Pass) => {
            if let Anchors::Transcript(step) = origin {
                c.status = Status::Warn;
                c.message = format!(
                    "trusted from the transcript (self-signed root printed at step {}), not an anchor you gave: {}",
                    step.map_or_else(|| "?".into(), |s| s.to_string()),
                    c.message
                );
            }
        }
        ("cert.chain", Status::Fail) if matches!(origin, Anchors::Given) => {
            c.message = format!("{} (with the --trust-anchor certificates)", c.message);
        }
        ("cert.key_binding", Status::Pass | Status::Fail) => {
            let step = csr
                .and_then(|c| c.step)
                .map_or_else(|| "?".into(), |s| s.to_string());
            let verdict = if c.status == Status::Pass {
                "is"
            } else {
                "is not"
            };
            c.message =
                format!("the leaf public key {verdict} the key of the finalize CSR (step {step})");
        }
        ("cert.key_binding", Status::Skip) => {
            c.message = "no readable finalize CSR captured: the leaf key cannot be compared with the requested key".into();
        }
        _ => {}
    }
    c
}

/// DER as PEM text, for the library's own reading of a CSR the flow could not
/// read (its message names what is wrong).
fn pem(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        STANDARD.encode(der)
    )
}
