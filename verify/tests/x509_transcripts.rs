//! The real captures: chains and CSRs copied from `shared/transcripts/` into
//! `tests/data/x509/` so that CI does not depend on the shared folder.
#![allow(clippy::unwrap_used)]

use e2ei_verify::report::{Failure, Status};
use e2ei_verify::x509::{
    audit_chain, audit_csr, parse_certificates, verify_chain, verify_csr, ChainExpectations,
    CsrExpectations,
};

/// 2023-01-20T09:30:00Z, inside the 1-hour leaf validity of all three 2023-01 flows.
const CAPTURE_2023: u64 = 1_674_207_000;
/// 2026-01-15T09:00:00Z, just after the leaf's notBefore (08:40:54Z).
const CAPTURE_2026: u64 = 1_768_467_600;
/// 2026-11-01T00:00:00Z.
const NOW: u64 = 1_793_491_200;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/x509")
            .join(name),
    )
    .unwrap()
}

fn dns(names: &[&str]) -> Option<Vec<String>> {
    Some(names.iter().map(|s| s.to_string()).collect())
}

/// The 2023-01 chains are leaf + intermediate; the root is not in the capture, so the
/// intermediate is pinned as the anchor.
fn expectations_2023(chain: &[u8], time: u64) -> ChainExpectations {
    let certs = parse_certificates(chain).unwrap();
    let mut e = ChainExpectations::at_unix(time);
    e.trust_anchors = vec![certs[1].clone()];
    e.dns_names = dns(&["idp.example.com", "wire.example.com"]);
    e.provisioner_name = Some("wire-acme".into());
    e
}

#[test]
fn chains_2023_verify_with_pinned_intermediate_at_capture_time() {
    for suite in ["ed25519", "p256", "p384"] {
        let chain = data(&format!("2023-01-18-{suite}-chain.json"));
        let expect = expectations_2023(&chain, CAPTURE_2023);
        let verified = verify_chain(&chain, &expect).unwrap_or_else(|e| panic!("{suite}: {e}"));
        assert!(verified.anchored);
        let report = audit_chain(&chain, &expect);
        for id in [
            "cert.format",
            "cert.chain",
            "cert.eku",
            "cert.san",
            "cert.provisioner",
        ] {
            assert_eq!(
                report.get(id).unwrap().status,
                Status::Pass,
                "{suite} {id}: {report:#?}"
            );
        }
        assert_eq!(report.get("cert.key_binding").unwrap().status, Status::Skip);
    }
}

#[test]
fn chains_2023_are_expired_now() {
    for suite in ["ed25519", "p256", "p384"] {
        let chain = data(&format!("2023-01-18-{suite}-chain.json"));
        let err = verify_chain(&chain, &expectations_2023(&chain, NOW)).unwrap_err();
        assert_eq!(err.check_id(), "cert.chain", "{suite}: {err}");
        assert!(err.to_string().contains("CertExpired"), "{err}");
    }
}

#[test]
fn chain_without_anchor_is_at_best_warn() {
    let chain = data("2023-01-18-p256-chain.json");
    let report = audit_chain(&chain, &ChainExpectations::at_unix(CAPTURE_2023));
    let check = report.get("cert.chain").unwrap();
    assert_eq!(check.status, Status::Warn);
    assert!(check.message.contains("NOT trusted"), "{}", check.message);
    assert_eq!(report.get("cert.san").unwrap().status, Status::Skip);
    assert_eq!(report.worst(), Status::Warn);
    // and a server refuses outright
    let err = verify_chain(&chain, &ChainExpectations::at_unix(CAPTURE_2023)).unwrap_err();
    assert_eq!(err.check_id(), "cert.chain");
}

const CLIENT_ID: &str = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost";
const HANDLE: &str = "wireapp://%40alice_wire@wire.localhost";

fn expectations_2026(time: u64) -> ChainExpectations {
    let mut e = ChainExpectations::at_unix(time);
    e.trust_anchors = parse_certificates(&data("2026-01-15-root.pem")).unwrap();
    e.uris = dns(&[CLIENT_ID, HANDLE]);
    e.provisioner_name = Some("wire".into());
    e
}

#[test]
fn chain_2026_with_uri_name_constraint_verifies_to_root() {
    let chain = data("2026-01-15-chain.json");
    let mut expect = expectations_2026(CAPTURE_2026);
    let csr = verify_csr(&data("2026-01-15-csr.pem"), &CsrExpectations::default()).unwrap();
    expect.public_key = Some(csr.public_key_spki().to_vec());
    let verified = verify_chain(&chain, &expect).unwrap();
    let path = verified.path.unwrap();
    assert_eq!(
        path.uri_names_checked, 2,
        "both URI SANs went through our URI check"
    );
    assert_eq!(path.anchor_subject(), "CN=Wire Root CA");
    let report = audit_chain(&chain, &expect);
    assert!(!report.has_failures(), "{report:#?}");
    assert_eq!(report.get("cert.key_binding").unwrap().status, Status::Pass);
    assert!(report
        .get("cert.chain")
        .unwrap()
        .message
        .contains("URI name constraints"));
}

#[test]
fn chain_2026_verifies_with_pinned_intermediate_too() {
    let chain = data("2026-01-15-chain.json");
    let certs = parse_certificates(&chain).unwrap();
    let mut expect = expectations_2026(CAPTURE_2026);
    expect.trust_anchors = vec![certs[1].clone()];
    let verified = verify_chain(&chain, &expect).unwrap();
    assert_eq!(
        verified.path.unwrap().anchor_subject(),
        "CN=Wire Intermediate CA"
    );
}

#[test]
fn chain_2026_is_not_yet_valid_before_issuance() {
    // 07:40Z is an hour before the leaf's notBefore (08:40:54Z).
    let err = verify_chain(
        &data("2026-01-15-chain.json"),
        &expectations_2026(1_768_462_800),
    )
    .unwrap_err();
    assert_eq!(err.check_id(), "cert.chain");
    assert!(err.to_string().contains("CertNotValidYet"), "{err}");
}

#[test]
fn chain_2026_wrong_identity_fails_san() {
    let mut expect = expectations_2026(CAPTURE_2026);
    expect.uris = dns(&[
        HANDLE,
        "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!0000000000000000@wire.localhost",
    ]);
    let err = verify_chain(&data("2026-01-15-chain.json"), &expect).unwrap_err();
    assert_eq!(err.check_id(), "cert.san");
}

#[test]
fn csrs_verify() {
    for suite in ["ed25519", "p256", "p384"] {
        let input = data(&format!("2023-01-18-{suite}-finalize.json"));
        let expect = CsrExpectations {
            dns_names: dns(&["wire.example.com", "idp.example.com"]),
            ..Default::default()
        };
        let report = audit_csr(&input, &expect);
        assert!(!report.has_failures(), "{suite}: {report:#?}");
        assert_eq!(report.get("csr.signature").unwrap().status, Status::Pass);
        assert_eq!(report.get("csr.san").unwrap().status, Status::Pass);
    }
    let expect = CsrExpectations {
        uris: dns(&[CLIENT_ID, HANDLE]),
        organization: Some("wire.localhost".into()),
        display_name: Some("Alice Smith".into()),
        ..Default::default()
    };
    for input in [data("2026-01-15-csr.pem"), data("2026-01-15-finalize.json")] {
        let report = audit_csr(&input, &expect);
        assert!(!report.has_failures(), "{report:#?}");
        for id in ["csr.signature", "csr.san", "csr.subject"] {
            assert_eq!(report.get(id).unwrap().status, Status::Pass, "{id}");
        }
    }
}

#[test]
fn csr_wrong_expectations_fail_with_their_ids() {
    let input = data("2026-01-15-csr.pem");
    let err = verify_csr(
        &input,
        &CsrExpectations {
            uris: dns(&[HANDLE]),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.check_id(), "csr.san");
    let err = verify_csr(
        &input,
        &CsrExpectations {
            display_name: Some("Mallory".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.check_id(), "csr.subject");
    // flip a bit of the signature
    let mut der = e2ei_verify::x509::parse_csr_der(&input).unwrap();
    let last = der.len() - 1;
    der[last] ^= 1;
    assert_eq!(
        verify_csr(&der, &CsrExpectations::default())
            .unwrap_err()
            .check_id(),
        "csr.signature"
    );
}

#[test]
fn input_shapes_agree() {
    let json_string = parse_certificates(&data("2026-01-15-chain.json")).unwrap();
    assert_eq!(json_string.len(), 2);
    let pem: String = serde_json::from_slice(&data("2026-01-15-chain.json")).unwrap();
    let noisy = format!("some text\n{pem}\ntrailing words");
    assert_eq!(parse_certificates(noisy.as_bytes()).unwrap(), json_string);
    let mut raw = json_string[0].to_vec();
    raw.extend_from_slice(&json_string[1]);
    assert_eq!(parse_certificates(&raw).unwrap(), json_string);
    assert_eq!(
        parse_certificates(&data("2023-01-18-p384-chain.json"))
            .unwrap()
            .len(),
        2
    );
    let report = audit_chain(b"[\"not base64!\"]", &ChainExpectations::at_unix(0));
    assert_eq!(report.checks.len(), 1);
    assert_eq!(report.checks[0].id, "cert.format");
    assert_eq!(report.checks[0].status, Status::Fail);
}

#[test]
fn summaries_date_the_2026_certificates_and_spot_the_root() {
    let chain = e2ei_verify::x509::parse_certificates(&data("2026-01-15-chain.json")).unwrap();
    let root = e2ei_verify::x509::parse_certificates(&data("2026-01-15-root.pem")).unwrap();
    let leaf = e2ei_verify::x509::summary(&chain[0]).unwrap();
    assert!(!leaf.self_issued);
    assert!(leaf.not_before <= CAPTURE_2026 as i64 && (CAPTURE_2026 as i64) < leaf.not_after);
    assert!(!e2ei_verify::x509::summary(&chain[1]).unwrap().self_issued);
    assert!(e2ei_verify::x509::summary(&root[0]).unwrap().self_issued);
    let mut truncated = chain[0].to_vec();
    truncated.pop();
    assert!(e2ei_verify::x509::summary(&truncated).is_err());
}

/// The entry points for callers that hold DER or a read CSR report exactly what
/// the text entry points report, on passing and failing inputs alike.
#[test]
fn der_and_read_entry_points_report_as_the_text_ones() {
    use e2ei_verify::x509::{audit_chain_der, audit_read_csr, parse_csr_der, Csr};
    let chain = data("2026-01-15-chain.json");
    let ders: Vec<Vec<u8>> = parse_certificates(&chain)
        .unwrap()
        .into_iter()
        .map(|c| c.to_vec())
        .collect();
    let root = parse_certificates(&data("2026-01-15-root.pem")).unwrap();
    for (time, anchors, uri) in [
        (
            CAPTURE_2026,
            root.clone(),
            "wireapp://%40alice_wire@wire.localhost",
        ),
        (
            NOW + 10 * 365 * 86_400,
            root,
            "wireapp://%40bob@wire.localhost",
        ),
        (
            CAPTURE_2026,
            Vec::new(),
            "wireapp://%40alice_wire@wire.localhost",
        ),
    ] {
        let mut e = ChainExpectations::at_unix(time);
        e.trust_anchors = anchors;
        e.uris = Some(vec![uri.into()]);
        e.require_provisioner = true;
        assert_eq!(audit_chain_der(ders.clone(), &e), audit_chain(&chain, &e));
    }
    // A certificate that does not read is named by its index either way.
    let mut broken = ders.clone();
    broken[1].truncate(100);
    let e = ChainExpectations::at_unix(CAPTURE_2026);
    let report = audit_chain_der(broken, &e);
    assert_eq!(report.checks[0].id, "cert.format");
    assert_eq!(report.checks[0].status, Status::Fail);
    assert!(
        report.checks[0].message.contains("item 1"),
        "{:?}",
        report.checks[0]
    );

    let pem = data("2026-01-15-csr.pem");
    let csr = Csr::from_der(&parse_csr_der(&pem).unwrap()).unwrap();
    for display_name in ["Alice Smith", "Mallory"] {
        let e = CsrExpectations {
            display_name: Some(display_name.into()),
            organization: Some("wire.localhost".into()),
            ..CsrExpectations::default()
        };
        assert_eq!(audit_read_csr(&csr, &e), audit_csr(&pem, &e));
    }
}
