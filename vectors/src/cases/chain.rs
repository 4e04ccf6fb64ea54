//! Certificate chains as ACME issues them (leaf, then intermediate), verified
//! to the pinned root with what the client knows: its identities and its key.

use crate::case::{reject, Artefact, Case, Expect, Trust};
use crate::enrolment::{Enrolment, NOW};
use crate::mint::b64;
use crate::pki::{spki, LeafSpec, Pki, PROVISIONER};
use e2ei_verify::report::AcmeProblem::{self, Malformed, RejectedIdentifier, Unauthorized};
use rcgen::ExtendedKeyUsagePurpose;
use serde_json::{json, Value};

/// The Wire domain of every case (the intermediate's URI subtree).
pub const DOMAIN: &str = "wire.example.com";

/// The display name the leaf and the CSR carry.
pub const DISPLAY_NAME: &str = "Alice Smith";

/// The client id as Wire writes it in certificates and CSRs: `!` as `%21`.
pub fn client_id_san(e: &Enrolment) -> String {
    e.flow().client_id.replace('!', "%21")
}

/// The ACME problem each certificate check answers with.
fn problem(check: &str) -> AcmeProblem {
    match check {
        "cert.format" => Malformed,
        "cert.san" | "cert.subject" => RejectedIdentifier,
        _ => Unauthorized,
    }
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let flow = e.flow();
    let seed = format!("conformance/{}", e.suite.name());
    let pki = Pki::new(e.suite, &seed, DOMAIN);
    let client_san = client_id_san(e);
    let identities = vec![flow.client_id.clone(), flow.handle.clone()];
    let key = spki(&flow.client);
    let expectations = |uris: Option<&[String]>, key: &[u8]| {
        json!({
            "uris": uris, "dns_names": null, "public_key": b64(key),
            "organization": DOMAIN, "display_name": DISPLAY_NAME,
            "require_provisioner": true, "provisioner_name": PROVISIONER,
        })
    };
    let trust = Trust {
        role: "trust_anchor",
        file: "root.pem",
        content: pki.root_pem(),
    };
    let case = |id: String, why: &str, input: Vec<u8>, expectations: Value, expect| Case {
        id,
        suite: e.suite,
        artefact: Artefact::Chain,
        input,
        verify_at: NOW,
        expectations,
        trust: vec![trust.clone()],
        expect,
        why: why.to_owned(),
    };
    let valid_spec = LeafSpec::new(&[&client_san, &flow.handle]);
    let leaf = |spec: &LeafSpec| {
        pki.chain(spec, &flow.client, DISPLAY_NAME, None)
            .into_bytes()
    };
    let fails = |check: &'static str, variant: &str, why: &str, input, uris: Option<&[String]>| {
        case(
            format!("{check}.{variant}"),
            why,
            input,
            expectations(uris, &key),
            reject(&[check], problem(check)),
        )
    };
    // A leaf whose handle SAN is `uri`: the ACME order named it, so the
    // client is told to expect it; only the CA's URI subtree can refuse it.
    let outside = |variant: &str, why: &str, uri: &str| {
        let uris = vec![flow.client_id.clone(), uri.to_owned()];
        fails(
            "cert.chain",
            variant,
            why,
            leaf(&LeafSpec::new(&[&client_san, uri])),
            Some(&uris),
        )
    };
    let mut server_auth = valid_spec.clone();
    server_auth.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut expired = valid_spec.clone();
    expired.validity = ((2025, 2, 1), (2025, 3, 1));
    let mut no_provisioner = valid_spec.clone();
    no_provisioner.provisioner = false;
    let other_client = vec![
        flow.client_id
            .replace("9e4ef7e72ec9e5b9", "0123456789abcdef"),
        flow.handle.clone(),
    ];
    vec![
        case(
            "chain.valid".into(),
            "Leaf (client id and handle URI SANs, clientAuth, provisioner) and \
             intermediate (critical URI name constraint), to the pinned root.",
            leaf(&valid_spec),
            expectations(Some(&identities), &key),
            Expect::Accept,
        ),
        outside(
            "uri-outside-subtree",
            "The handle SAN's host is evil.example.com, outside the intermediate's URI subtree.",
            "wireapp://%40alice_wire@evil.example.com",
        ),
        outside(
            "uri-no-host",
            "The handle SAN has no authority (wireapp:…), so no host a URI subtree can permit.",
            "wireapp:%40alice_wire@wire.example.com",
        ),
        outside(
            "userinfo-smuggling",
            "The handle SAN puts the domain in the userinfo (wireapp://wire.example.com@evil.example.com): the host is evil.example.com.",
            "wireapp://wire.example.com@evil.example.com",
        ),
        fails(
            "cert.chain",
            "expired",
            "The leaf expired on 2025-03-01, before verify_at.",
            leaf(&expired),
            Some(&identities),
        ),
        fails(
            "cert.chain",
            "wrong-issuer",
            "The leaf names the intermediate as issuer but is signed by another key.",
            pki.chain(&valid_spec, &flow.client, DISPLAY_NAME, Some(&e.rogue))
                .into_bytes(),
            Some(&identities),
        ),
        fails(
            "cert.eku",
            "server-auth",
            "The leaf's EKU is serverAuth only. The path itself is sound (issuers are \
             still held to clientAuth), so cert.eku alone fails.",
            leaf(&server_auth),
            Some(&identities),
        ),
        fails(
            "cert.san",
            "other-client",
            "The client expects another device's client id than the leaf certifies.",
            leaf(&valid_spec),
            Some(&other_client),
        ),
        fails(
            "cert.subject",
            "other-display-name",
            "The leaf certifies the client's identities and key, but its subject names \
             another display name than the order's: the name clients show as verified.",
            pki.chain(&valid_spec, &flow.client, "Mallory Evil", None)
                .into_bytes(),
            Some(&identities),
        ),
        case(
            "cert.key_binding.other-key".into(),
            "The leaf certifies the client's key, but the CSR the client sent held another key.",
            leaf(&valid_spec),
            expectations(Some(&identities), &spki(&e.rogue)),
            reject(&["cert.key_binding"], Unauthorized),
        ),
        fails(
            "cert.provisioner",
            "missing",
            "The leaf has no provisioner extension, and one is required.",
            leaf(&no_provisioner),
            Some(&identities),
        ),
        fails(
            "cert.format",
            "garbage",
            "The input is text, no certificate.",
            b"this is not a certificate".to_vec(),
            Some(&identities),
        ),
    ]
}
