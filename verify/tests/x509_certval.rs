//! Differential test: our chain verifier against certval 0.2.0-rc.1 (the RFC 5280
//! engine Wire's core-crypto uses), on every generated chain. certval is a
//! dev-dependency only: an oracle, never a runtime engine.
#![allow(clippy::unwrap_used)]

mod common;

use certval::{
    CertFile, CertVector, CertificationPath, CertificationPathResults, CertificationPathSettings,
    PDVCertificate, PDVTrustAnchorChoice, PkiEnvironment, TaSource, TimeOfInterest,
};
use common::{Pki, Spec, AFTER_INTERMEDIATE, NOW_2026};
use e2ei_verify::x509::{verify_path, Usage};
use rcgen::ExtendedKeyUsagePurpose;
use rustls_pki_types::{CertificateDer, UnixTime};

struct Case {
    name: String,
    /// Leaf, intermediates… (leaf first, without the root).
    chain: Vec<CertificateDer<'static>>,
    anchor: CertificateDer<'static>,
    time: u64,
}

fn certval_accepts(case: &Case) -> Result<(), String> {
    let mut anchors = TaSource::new();
    anchors.push(CertFile {
        filename: "anchor".into(),
        bytes: case.anchor.to_vec(),
    });
    anchors.initialize().map_err(|e| format!("{e:?}"))?;
    let mut pe = PkiEnvironment::new();
    pe.populate_5280_pki_environment();
    pe.add_trust_anchor_source(Box::new(anchors));
    let mut cps = CertificationPathSettings::new();
    cps.set_time_of_interest(TimeOfInterest::from_unix_secs(case.time).unwrap());
    cps.set_extended_key_usage(vec![e2ei_verify::x509::CLIENT_AUTH.to_owned()]);
    let ta = PDVTrustAnchorChoice::try_from(case.anchor.as_ref()).map_err(|e| format!("{e:?}"))?;
    let (leaf, intermediates) = case.chain.split_first().unwrap();
    // certval wants intermediates ordered from the anchor down
    let intermediates = intermediates
        .iter()
        .rev()
        .map(|c| PDVCertificate::try_from(c.as_ref()).unwrap())
        .collect();
    let target = PDVCertificate::try_from(leaf.as_ref()).unwrap();
    let path = CertificationPath::new(ta, intermediates, target);
    let mut results = CertificationPathResults::new();
    pe.validate_path(&pe, &cps, &path, &mut results)
        .map_err(|e| format!("{e:?}"))
}

fn ours_accepts(case: &Case) -> Result<(), String> {
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(case.time));
    verify_path(
        &case.chain,
        std::slice::from_ref(&case.anchor),
        time,
        Usage::ClientAuth,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

const CLIENT: &str = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA%219e4ef7e72ec9e5b9@wire.com";
const HANDLE: &str = "wireapp://%40alice_wire@wire.com";

fn case(name: &str, pki: &Pki, spec: &Spec, time: u64) -> Case {
    let mut chain = pki.leaf(spec).chain;
    chain.pop(); // the root is the anchor
    Case {
        name: name.to_owned(),
        chain,
        anchor: pki.root_der(),
        time,
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for alg in common::ALGORITHMS {
        let pki = Pki::new(alg, "wire.com");
        out.push(case(
            &format!("valid {alg:?}"),
            &pki,
            &Spec::new(&[CLIENT, HANDLE]),
            NOW_2026,
        ));
    }
    let pki = Pki::new(&rcgen::PKCS_ECDSA_P256_SHA256, "wire.com");
    for uri in [
        "wireapp://%40alice@evil.com",
        "wireapp://sub.wire.com",
        "wireapp:%40alice@wire.com",
        "urn:wire.com",
        "wireapp://wire.com@evil.com",
        "wireapp://%40a@wire.com@evil.com",
        "wireapp://wire.com:443@evil.com",
        "wireapp://evil.com#@wire.com",
        "wireapp://127.0.0.1",
        "wireapp://WIRE.com",
        "wireapp://%40alice@wire.com:8443/path",
    ] {
        out.push(case(
            &format!("uri {uri}"),
            &pki,
            &Spec::new(&[uri]),
            NOW_2026,
        ));
    }
    let mut spec = Spec::new(&[HANDLE]);
    spec.dns = vec!["evil.example".into()];
    out.push(case("dns outside subtree", &pki, &spec, NOW_2026));
    let mut spec = Spec::new(&[HANDLE]);
    spec.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    out.push(case("serverAuth only", &pki, &spec, NOW_2026));
    let mut spec = Spec::new(&[HANDLE]);
    spec.expired = true;
    out.push(case("expired leaf", &pki, &spec, NOW_2026));
    out.push(case(
        "expired intermediate",
        &pki,
        &Spec::new(&[HANDLE]),
        AFTER_INTERMEDIATE,
    ));
    let other = Pki::new(&rcgen::PKCS_ECDSA_P256_SHA256, "wire.com");
    let mut wrong = case("wrong issuer", &other, &Spec::new(&[HANDLE]), NOW_2026);
    wrong.anchor = pki.root_der();
    out.push(wrong);
    let mut sub = pki.leaf_under_sub_ca(&Spec::new(&[HANDLE])).chain;
    sub.pop();
    out.push(Case {
        name: "sub-CA under pathLen 0".into(),
        chain: sub,
        anchor: pki.root_der(),
        time: NOW_2026,
    });
    let dotted = Pki::with_constraints(
        &rcgen::PKCS_ED25519,
        &common::name_constraints(&[".wire.com"], &["bad.wire.com"]),
    );
    for host in ["a.wire.com", "wire.com", "bad.wire.com"] {
        let uri = format!("wireapp://%40x@{host}");
        out.push(case(
            &format!(".wire.com minus bad: {host}"),
            &dotted,
            &Spec::new(&[&uri]),
            NOW_2026,
        ));
    }
    out.push(capture_2026());
    out
}

/// The real 2026-01-15 chain (URI name constraint `wire.localhost`) at capture time.
fn capture_2026() -> Case {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/x509");
    let read = |f: &str| {
        e2ei_verify::x509::parse_certificates(&std::fs::read(dir.join(f)).unwrap()).unwrap()
    };
    Case {
        name: "capture 2026-01-15".into(),
        chain: read("2026-01-15-chain.json"),
        anchor: read("2026-01-15-root.pem").remove(0),
        time: 1_768_467_600,
    }
}

#[test]
fn agrees_with_certval_on_generated_chains() {
    let mut table = String::from("| case | ours | certval |\n|---|---|---|\n");
    let mut unexpected = Vec::new();
    for case in cases() {
        let ours = ours_accepts(&case);
        let theirs = certval_accepts(&case);
        let verdict = |r: &Result<(), String>| match r {
            Ok(()) => "accept".to_owned(),
            Err(e) => format!("reject ({})", e.chars().take(60).collect::<String>()),
        };
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            case.name,
            verdict(&ours),
            verdict(&theirs)
        ));
        // The engines agree on every generated chain (accept/reject; the reasons
        // are worded differently). A new case that splits them must be explained.
        if ours.is_ok() != theirs.is_ok() {
            unexpected.push(case.name.clone());
        }
    }
    println!("{table}");
    assert!(
        unexpected.is_empty(),
        "engines differ on {unexpected:?}\n{table}"
    );
}
