//! Generated Wire-profile chains (rcgen + aws-lc-rs): root → intermediate with a
//! critical URI name constraint → leaf with URI SANs, clientAuth and the provisioner
//! extension. One positive chain per key type, one negative per check.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Build, Pki, Spec, NOW_2026};
use e2ei_verify::report::{Failure, Status};
use e2ei_verify::x509::{audit_chain, verify_chain, verify_path, ChainExpectations, Usage};
use rcgen::{ExtendedKeyUsagePurpose, PublicKeyData};

const CLIENT: &str = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA%219e4ef7e72ec9e5b9@wire.com";
const HANDLE: &str = "wireapp://%40alice_wire@wire.com";

fn expect(pki: &Pki, built: &Build) -> ChainExpectations {
    let mut e = ChainExpectations::at_unix(NOW_2026);
    e.trust_anchors = vec![pki.root_der()];
    e.uris = Some(vec![
        "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.com".into(),
        HANDLE.into(),
    ]);
    e.public_key = Some(built.leaf_key.subject_public_key_info());
    e.provisioner_name = Some("wire-acme".into());
    e.organization = Some("wire.com".into());
    e.display_name = Some("Alice Smith".into());
    e
}

fn wire_spec() -> Spec {
    Spec::new(&[CLIENT, HANDLE])
}

#[test]
fn every_key_type_passes_every_check() {
    for alg in common::ALGORITHMS {
        let pki = Pki::new(alg, "wire.com");
        let built = pki.leaf(&wire_spec());
        let e = expect(&pki, &built);
        let report = audit_chain(&built.pem, &e);
        assert!(!report.has_failures(), "{alg:?}: {report:#?}");
        assert_eq!(report.worst(), Status::Pass, "{alg:?}: {report:#?}");
        let verified = verify_chain(&built.pem, &e).unwrap();
        assert_eq!(verified.path.unwrap().uri_names_checked, 2);
    }
}

fn failing_id(spec: &Spec, tweak: impl Fn(&mut ChainExpectations)) -> (&'static str, String) {
    let pki = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let built = pki.leaf(spec);
    let mut e = expect(&pki, &built);
    e.uris = None;
    tweak(&mut e);
    let err = verify_chain(&built.pem, &e).unwrap_err();
    // audit mode: the same check fails
    let report = audit_chain(&built.pem, &e);
    assert_eq!(report.get(err.check_id()).unwrap().status, Status::Fail);
    (err.check_id(), err.to_string())
}

#[test]
fn uri_sans_outside_the_subtree_fail_the_chain() {
    for uri in [
        "wireapp://%40alice@evil.com",
        "wireapp://alice@wire.com.evil.com",
        "wireapp://sub.wire.com",
        "wireapp:%40alice@wire.com",
        "urn:wire.com",
        "wireapp://wire.com@evil.com",
        "wireapp://%40a@wire.com@evil.com",
        "wireapp://wire.com:443@evil.com",
        "wireapp://evil.com#@wire.com",
        "wireapp://127.0.0.1",
    ] {
        let (id, msg) = failing_id(&Spec::new(&[HANDLE, uri]), |_| {});
        assert_eq!(id, "cert.chain", "{uri}");
        assert!(msg.contains("URI name constraint"), "{uri}: {msg}");
    }
}

#[test]
fn excluded_uri_subtree_is_enforced() {
    let pki = Pki::with_constraints(
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &common::name_constraints(&[".wire.com"], &["bad.wire.com"]),
    );
    let ok = pki.leaf(&Spec::new(&["wireapp://%40a@good.wire.com"]));
    let bad = pki.leaf(&Spec::new(&["wireapp://%40a@bad.wire.com"]));
    let mut e = ChainExpectations::at_unix(NOW_2026);
    e.trust_anchors = vec![pki.root_der()];
    assert!(verify_chain(&ok.pem, &e).is_ok());
    assert_eq!(
        verify_chain(&bad.pem, &e).unwrap_err().check_id(),
        "cert.chain"
    );
}

#[test]
fn dns_constraint_beside_uri_stays_enforced_by_webpki() {
    // DNS:localhost is permitted; a DNS SAN elsewhere must still fail.
    let mut spec = wire_spec();
    spec.dns = vec!["evil.example".into()];
    let (id, msg) = failing_id(&spec, |_| {});
    assert_eq!(id, "cert.chain");
    assert!(msg.contains("NameConstraintViolation"), "{msg}");
    let mut spec = wire_spec();
    spec.dns = vec!["localhost".into()];
    let pki = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let built = pki.leaf(&spec);
    let mut e = expect(&pki, &built);
    e.uris = None;
    assert!(verify_chain(&built.pem, &e).is_ok());
}

#[test]
fn server_auth_only_fails_eku() {
    let mut spec = wire_spec();
    spec.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    assert_eq!(failing_id(&spec, |_| {}).0, "cert.eku");
}

/// The status of each of `ids` in the audit of `spec`'s leaf under `pki`.
fn statuses(pki: &Pki, spec: &Spec, ids: &[&str]) -> Vec<Status> {
    let built = pki.leaf(spec);
    let mut e = expect(pki, &built);
    e.uris = None;
    let report = audit_chain(&built.pem, &e);
    ids.iter()
        .map(|id| report.get(id).unwrap().status)
        .collect()
}

#[test]
fn server_auth_only_leaf_fails_eku_alone() {
    let mut spec = wire_spec();
    spec.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // URI-constrained intermediate (split path) and an unconstrained one (webpki's path)
    for nc in [common::name_constraints(&["wire.com"], &[]), vec![]] {
        let pki = Pki::with_constraints(&rcgen::PKCS_ED25519, &nc);
        let ids = ["cert.eku", "cert.chain"];
        assert_eq!(statuses(&pki, &spec, &ids), [Status::Fail, Status::Pass]);
        let built = pki.leaf(&spec);
        let mut e = expect(&pki, &built);
        e.uris = None;
        assert_eq!(
            verify_chain(&built.pem, &e).unwrap_err().check_id(),
            "cert.eku"
        );
        // `verify_path` alone still judges the leaf's EKU
        let mut chain = built.chain.clone();
        chain.pop();
        let time =
            rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW_2026));
        assert!(verify_path(&chain, &[pki.root_der()], time, Usage::ClientAuth).is_err());
        // and a clientAuth leaf passes both
        assert_eq!(
            statuses(&pki, &wire_spec(), &ids),
            [Status::Pass, Status::Pass]
        );
    }
}

#[test]
fn server_auth_only_intermediate_fails_chain_whatever_the_leaf() {
    let client = wire_spec();
    let mut server = wire_spec();
    server.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    for nc in [common::name_constraints(&["wire.com"], &[]), vec![]] {
        let pki = Pki::with_intermediate_eku(
            &rcgen::PKCS_ED25519,
            &nc,
            vec![ExtendedKeyUsagePurpose::ServerAuth],
        );
        let ids = ["cert.eku", "cert.chain"];
        assert_eq!(statuses(&pki, &client, &ids), [Status::Pass, Status::Fail]);
        // the intermediate's EKU list is exactly the leaf's: still refused as an issuer
        assert_eq!(statuses(&pki, &server, &ids), [Status::Fail, Status::Fail]);
    }
}

#[test]
fn expired_leaf_fails_chain() {
    let mut spec = wire_spec();
    spec.expired = true;
    let (id, msg) = failing_id(&spec, |_| {});
    assert_eq!(id, "cert.chain");
    assert!(msg.contains("CertExpired"), "{msg}");
}

#[test]
fn wrong_issuer_fails_chain() {
    let pki = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let other = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let built = other.leaf(&wire_spec());
    let mut e = expect(&pki, &built);
    e.uris = None;
    let err = verify_chain(&built.pem, &e).unwrap_err();
    assert_eq!(err.check_id(), "cert.chain", "{err}");
}

#[test]
fn missing_provisioner_fails_provisioner() {
    let mut spec = wire_spec();
    spec.provisioner = false;
    assert_eq!(failing_id(&spec, |_| {}).0, "cert.provisioner");
    // present but naming another provisioner
    assert_eq!(
        failing_id(&wire_spec(), |e| e.provisioner_name = Some("acme".into())).0,
        "cert.provisioner"
    );
}

/// The leaf's subject (step-ca's template: `O` = domain, `CN` = display
/// name) is held to the order's domain and display name; without them the
/// check is skipped, not passed.
#[test]
fn other_display_name_or_domain_fails_subject() {
    let pki = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let built = pki.leaf(&wire_spec());
    let wrong = |tweak: &dyn Fn(&mut ChainExpectations)| {
        let mut e = expect(&pki, &built);
        tweak(&mut e);
        let err = verify_chain(&built.pem, &e).unwrap_err();
        let report = audit_chain(&built.pem, &e);
        let failed: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| (c.id, c.message.clone()))
            .collect();
        assert_eq!(failed, [(err.check_id(), err.to_string())]);
        (err.check_id(), err.to_string())
    };
    assert_eq!(
        wrong(&|e| e.display_name = Some("Mallory".into())),
        (
            "cert.subject",
            "leaf subject display name is not the expected value".into()
        )
    );
    assert_eq!(
        wrong(&|e| e.organization = Some("evil.com".into())),
        (
            "cert.subject",
            "leaf subject O is not the expected value".into()
        )
    );
    let mut e = expect(&pki, &built);
    (e.organization, e.display_name) = (None, None);
    let report = audit_chain(&built.pem, &e);
    assert_eq!(report.get("cert.subject").unwrap().status, Status::Skip);
}

#[test]
fn leaf_key_other_than_csr_key_fails_key_binding() {
    let csr_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let (id, _) = failing_id(&wire_spec(), |e| {
        e.public_key = Some(csr_key.subject_public_key_info())
    });
    assert_eq!(id, "cert.key_binding");
}

#[test]
fn pinned_intermediate_as_anchor_still_checks_uri_subtrees() {
    let pki = Pki::new(&rcgen::PKCS_ECDSA_P384_SHA384, "wire.com");
    let mut e = ChainExpectations::at_unix(NOW_2026);
    e.trust_anchors = vec![pki.intermediate_der()];
    let good = pki.leaf(&wire_spec());
    assert!(verify_chain(&good.pem, &e).is_ok());
    let bad = pki.leaf(&Spec::new(&["wireapp://%40alice@evil.com"]));
    assert_eq!(
        verify_chain(&bad.pem, &e).unwrap_err().check_id(),
        "cert.chain"
    );
}

#[test]
fn intermediate_path_length_and_validity_are_checked_above_the_split() {
    // The intermediate has pathLen 0; a second intermediate under it must fail.
    let pki = Pki::new(&rcgen::PKCS_ED25519, "wire.com");
    let built = pki.leaf_under_sub_ca(&wire_spec());
    let mut e = ChainExpectations::at_unix(NOW_2026);
    e.trust_anchors = vec![pki.root_der()];
    let err = verify_chain(&built.pem, &e).unwrap_err();
    assert_eq!(err.check_id(), "cert.chain");
    assert!(err.to_string().contains("PathLen"), "{err}");
    // outside the intermediate's validity
    let mut late = ChainExpectations::at_unix(common::AFTER_INTERMEDIATE);
    late.trust_anchors = vec![pki.root_der()];
    let err = verify_chain(&pki.leaf(&wire_spec()).pem, &late).unwrap_err();
    assert!(err.to_string().contains("CertExpired"), "{err}");
}

#[test]
fn intermediate_eku_without_client_auth_fails_above_the_split() {
    let nc = common::name_constraints(&["wire.com"], &[]);
    let mut e = ChainExpectations::at_unix(NOW_2026);
    for (eku, ok) in [
        (vec![ExtendedKeyUsagePurpose::ServerAuth], false),
        (vec![ExtendedKeyUsagePurpose::ClientAuth], true),
    ] {
        let pki = Pki::with_intermediate_eku(&rcgen::PKCS_ED25519, &nc, eku);
        e.trust_anchors = vec![pki.root_der()];
        let result = verify_chain(&pki.leaf(&wire_spec()).pem, &e);
        assert_eq!(result.is_ok(), ok, "{:?}", result.err());
    }
}

#[test]
fn the_path_names_the_positions_of_the_certificates_it_used() {
    let time =
        rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW_2026));
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let pki = Pki::new(alg, "wire.com");
    let built = pki.leaf(&wire_spec());
    // A CA of the same name that did not issue the leaf, given before the real one.
    let decoy = Pki::new(alg, "wire.com").intermediate_der();
    let chain = [built.chain[0].clone(), decoy, pki.intermediate_der()];
    let path = verify_path(&chain, &[pki.root_der()], time, Usage::ClientAuth).unwrap();
    assert_eq!(
        path.positions,
        [0, 2],
        "split at the URI-constrained intermediate"
    );
    assert_eq!(path.uri_names_checked, 2);
    assert_eq!(path.anchor_subject(), "CN=Wire Root CA");
    // Pinned intermediate: the path is the leaf alone.
    let path = verify_path(&chain, &[pki.intermediate_der()], time, Usage::ClientAuth).unwrap();
    assert_eq!(path.positions, [0]);
    // Without URI constraints webpki builds the path, the decoy still skipped.
    let plain = Pki::with_constraints(alg, &[]);
    let built = plain.leaf(&wire_spec());
    let decoy = Pki::with_constraints(alg, &[]).intermediate_der();
    let chain = [built.chain[0].clone(), decoy, plain.intermediate_der()];
    let path = verify_path(&chain, &[plain.root_der()], time, Usage::ClientAuth).unwrap();
    assert_eq!(path.positions, [0, 2]);
    assert_eq!(path.uri_names_checked, 0);
}
