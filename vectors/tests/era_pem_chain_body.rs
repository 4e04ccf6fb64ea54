//! Finding 3 of the eras7 probes: the certificate download's response body
//! written as what the server sends (`content-type:
//! application/pem-certificate-chain`, PEM blocks as text) instead of a JSON
//! string of it. The body is the chain whatever its encoding, and each
//! `###### Certificate #N` block printed after it is a view compared with
//! chain member N, as with the JSON string. Before the fix the printed views
//! were appended to the chain (`cert.format` counted 4 certificates) and a
//! view of another device's leaf (`CertPem`) passed.
//!
//! Each minted era capture is rewritten (nothing re-signed: the body is not
//! signed) in the three ways a body follows its response: a ```` ```text ````
//! block, an untagged block, and written inside the response's own block
//! after a blank line.

mod era_audit;

use e2ei_audit::flow::{audit, FlowReport};
use e2ei_verify::report::Status;
use era_audit::options;
use serde_json::Value;
use std::collections::BTreeSet;
use vectors::eras::{Era, EraEnrolment, Fault};
use vectors::mint::Suite;

const CHAIN_RESPONSE: &str = "content-type: application/pem-certificate-chain";

/// Where the bare-PEM body is written.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// Its own ```` ```text ```` block after the response's.
    Text,
    /// Its own untagged block after the response's.
    Untagged,
    /// Inside the response's block, after a blank line.
    Inline,
}

const LAYOUTS: [Layout; 3] = [Layout::Text, Layout::Untagged, Layout::Inline];

/// The chain a JSON body carries, as the PEM text the server sends: the PEM
/// string itself, or (2023-01) each base64 DER member armoured.
fn as_pem(body: &Value) -> String {
    match body {
        Value::String(pem) => pem.trim_end().to_owned(),
        Value::Array(members) => members
            .iter()
            .map(|m| {
                let b64 = m.as_str().expect("base64 DER");
                format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("a chain body, not {other}"),
    }
}

/// `text` with the certificate download's JSON body written as bare PEM in
/// `layout`; the printed views after it unchanged.
fn pem_body(text: &str, layout: Layout) -> String {
    let response = text.find(CHAIN_RESPONSE).expect("the chain's response");
    let close = response + text[response..].find("\n```\n").expect("its end");
    let open = close + text[close..].find("```json\n").expect("its body");
    let start = open + "```json\n".len();
    let end = start + text[start..].find("\n```\n").expect("the body's end");
    let body: Value = serde_json::from_str(&text[start..end]).expect("a JSON body");
    let pem = as_pem(&body);
    let rest = &text[end..];
    match layout {
        Layout::Text => format!("{}```text\n{pem}{rest}", &text[..open]),
        Layout::Untagged => format!("{}```\n{pem}{rest}", &text[..open]),
        Layout::Inline => format!("{}\n\n{pem}{rest}", &text[..close]),
    }
}

fn flow(text: &str, e: &EraEnrolment) -> FlowReport {
    let mut flows = audit(text, &options(e)).expect("a capture");
    assert_eq!(flows.len(), 1);
    flows.remove(0)
}

fn fails(flow: &FlowReport) -> BTreeSet<&'static str> {
    flow.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id)
        .collect()
}

/// Every check's id and status, in report order.
fn verdict(flow: &FlowReport) -> Vec<(&'static str, Status)> {
    flow.checks.iter().map(|c| (c.id, c.status)).collect()
}

fn message<'f>(flow: &'f FlowReport, id: &str, status: Status) -> &'f str {
    flow.checks
        .iter()
        .find(|c| c.id == id && c.status == status)
        .map_or_else(|| panic!("no {id} {status:?}"), |c| c.message.as_str())
}

/// The valid flow with a bare-PEM body gets the JSON body's verdict: the
/// chain is the body's two certificates, the printed views agree with it.
#[test]
fn a_bare_pem_body_is_the_downloaded_chain() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let text = e.transcript(Fault::None);
        let json = flow(&text, &e);
        let format = message(&json, "cert.format", Status::Pass);
        assert!(format.starts_with("2 certificate(s)"), "{era:?}: {format}");
        for layout in LAYOUTS {
            let pem = flow(&pem_body(&text, layout), &e);
            assert_eq!(verdict(&pem), verdict(&json), "{era:?} {layout:?}");
            assert_eq!(
                message(&pem, "cert.format", Status::Pass),
                format,
                "{era:?} {layout:?}"
            );
        }
    }
}

/// A `Certificate #1` view of another device's leaf beside a bare-PEM body
/// fails `transcript.consistency` at the download step, as beside the JSON
/// string: the view is compared with the chain, not appended to it.
#[test]
fn a_view_of_another_leaf_beside_a_bare_pem_body_fails() {
    for era in Era::ALL
        .into_iter()
        .filter(|&e| Fault::CertPem.applies_to(e))
    {
        let e = EraEnrolment::new(era, Suite::P256);
        let text = e.transcript(Fault::CertPem);
        let json = flow(&text, &e);
        let step = |f: &FlowReport| {
            f.checks
                .iter()
                .find(|c| c.id == "transcript.consistency" && c.status == Status::Fail)
                .map(|c| c.step)
        };
        assert!(step(&json).is_some(), "{era:?}");
        for layout in LAYOUTS {
            let pem = flow(&pem_body(&text, layout), &e);
            assert_eq!(fails(&pem), fails(&json), "{era:?} {layout:?}");
            assert_eq!(step(&pem), step(&json), "{era:?} {layout:?}");
            let said = pem
                .checks
                .iter()
                .filter(|c| c.id == "transcript.consistency" && c.status == Status::Fail)
                .map(|c| c.message.as_str())
                .collect::<Vec<_>>();
            assert!(
                said.iter()
                    .any(|m| m.contains("disagrees with certificate 1 of the downloaded chain")),
                "{era:?} {layout:?}: {said:?}"
            );
            let format = message(&pem, "cert.format", Status::Pass);
            assert!(format.starts_with("2 certificate(s)"), "{era:?}: {format}");
        }
    }
}

/// Every fault of every era keeps its verdict when the body is bare PEM, in
/// each layout: the encoding of the body changes nothing the flow judges.
#[test]
fn every_fault_keeps_its_verdict_with_a_bare_pem_body() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        for fault in Fault::ALL.into_iter().filter(|f| f.applies_to(era)) {
            let text = e.transcript(fault);
            let json = verdict(&flow(&text, &e));
            for layout in LAYOUTS {
                let pem = verdict(&flow(&pem_body(&text, layout), &e));
                assert_eq!(pem, json, "{era:?} {fault:?} {layout:?}");
            }
        }
    }
}
