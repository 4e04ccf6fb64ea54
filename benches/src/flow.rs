//! Fixtures of the whole-capture audit (`e2ei_audit::flow::audit`) and its
//! floor: the distinct signature verifications the audit must perform, as raw
//! aws-lc-rs calls on inputs extracted once, at setup, from the parsed capture.
//!
//! Per flow (ciphersuite section) the floor holds every ACME JWS, the DPoP
//! proof once (the proof the access token embeds is the same proof, so it is
//! not counted twice), the access token, the id token (RSA) when IdP keys are
//! pinned, and the finalize CSR. Certificate links (the issuer's signature
//! over each captured certificate) are kept apart ([`Capture::cert_links`]):
//! the audit verifies them too for `cert.chain` (webpki, link by link when no
//! anchor is given), so `flowrun pair` and `benches/flow-cpu.sh` report the
//! audit against the floor alone and against floor + links
//! (`benches/count-verifications.sh`: the audit performs exactly that many).

use crate::RawCheck;
use aws_lc_rs::signature::{self as sig, RsaPublicKeyComponents, VerificationAlgorithm};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_audit::flow::{self, FlowReport, Options, Trust, When};
use e2ei_audit::transcript::{
    self, ItemKind, ObjectKind, ObjectSource, Section, Token, TokenSource,
};
use e2ei_verify::jose::{parse_public_keys, public_key_from_spki_der, Algorithm, Jwk, KeyType};
use e2ei_verify::oidc::{parse_idp_keys, IdpKey};
use serde_json::Value;
use std::path::{Path, PathBuf};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The four captures, by date.
pub const CAPTURES: [&str; 4] = ["2023-01-18", "2023-03-15", "2023-11-15", "2026-01-15"];

/// The time used when nothing dates a flow (never needed by these captures).
pub const NOW: u64 = 1_767_225_600;

/// One raw verification of the floor.
pub enum Sig {
    /// Ed25519 / ECDSA through `UnparsedPublicKey`.
    Raw(RawCheck),
    /// RSA PKCS#1 v1.5 (the id token) through `RsaPublicKeyComponents`.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        params: &'static sig::RsaParameters,
        message: Vec<u8>,
        signature: Vec<u8>,
    },
}

impl Sig {
    /// Parses the key and verifies, as on every floor iteration.
    pub fn verify(&self) -> bool {
        match self {
            Sig::Raw(r) => r.verify(),
            Sig::Rsa {
                n,
                e,
                params,
                message,
                signature,
            } => RsaPublicKeyComponents { n, e }
                .verify(params, message, signature)
                .is_ok(),
        }
    }
}

/// What the floor of one flow holds, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub acme_jws: usize,
    /// Distinct DPoP proofs (standalone and embedded compared byte for byte).
    pub dpop: usize,
    pub access_token: usize,
    pub id_token: usize,
    pub csr: usize,
    /// Occurrences of the proof verified by a naive audit: the standalone
    /// proof plus the copy embedded in the access token.
    pub proof_occurrences: usize,
}

impl Counts {
    /// The distinct verifications the audit must perform.
    pub fn total(&self) -> usize {
        self.acme_jws + self.dpop + self.access_token + self.id_token + self.csr
    }
}

/// A capture, its options and its floor, prepared outside the timed loop.
pub struct Capture {
    /// The date of the capture (`2023-01-18` …).
    pub name: &'static str,
    pub text: String,
    pub options: Options,
    /// Every distinct verification the audit must perform, all flows.
    pub floor: Vec<Sig>,
    /// Per flow, what the floor holds.
    pub counts: Vec<Counts>,
    /// Certificate links (issuer signature over each certificate), distinct:
    /// verified by the audit for `cert.chain`, timed apart from the floor.
    pub cert_links: Vec<Sig>,
}

/// `vectors/`, which holds the captures (`transcripts/`) and their trust inputs (`trust/`).
pub fn data_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../vectors")
}

/// The trust the tests give a capture: pinned wire-server and IdP keys and
/// the anchor when `vectors/trust` has them, else none (embedded keys).
pub fn trust(name: &str) -> Trust {
    let dir = data_dir().join("trust");
    let read = |kind: &str| std::fs::read(dir.join(format!("{name}-{kind}.pem"))).ok();
    let issuer_keys = read("wire-server")
        .map(|pem| {
            parse_public_keys(&pem)
                .expect("wire-server key")
                .into_iter()
                .map(|jwk| e2ei_verify::jose::PublicKey::new(jwk).expect("usable key"))
                .collect()
        })
        .unwrap_or_default();
    let idp_keys = read("idp")
        .map(|pem| parse_idp_keys(&pem).expect("idp key"))
        .unwrap_or_default();
    Trust {
        issuer_keys,
        idp_keys,
        anchors: read("anchor").into_iter().collect(),
        transcript_keys: false,
    }
}

impl Capture {
    /// Reads the capture and extracts its floor.
    ///
    /// # Panics
    /// When the capture is missing, a floor verification does not verify, or
    /// the audit does not run.
    pub fn new(name: &'static str) -> Self {
        let path = data_dir().join(format!("transcripts/wire-e2ei-{name}.md"));
        let text = std::fs::read_to_string(&path).expect("capture readable");
        let options = Options {
            when: When::Capture,
            now: NOW,
            trust: trust(name),
        };
        let parsed = transcript::parse(&text).expect("a capture");
        let mut floor = Vec::new();
        let mut counts = Vec::new();
        let mut certs: Vec<Vec<u8>> = Vec::new();
        for section in &parsed.sections {
            counts.push(section_floor(section, &options.trust, &mut floor));
            for object in all_steps(section).flat_map(|s| &s.objects) {
                if object.kind == ObjectKind::Certificate && !certs.contains(&object.der) {
                    certs.push(object.der.clone());
                }
            }
        }
        let cert_links = links(&certs);
        for (i, s) in floor.iter().chain(&cert_links).enumerate() {
            assert!(s.verify(), "{name}: floor check {i} does not verify");
        }
        let capture = Capture {
            name,
            text,
            options,
            floor,
            counts,
            cert_links,
        };
        assert!(
            !capture.audit().is_empty(),
            "{name}: the audit found no flow"
        );
        capture
    }

    /// Every capture.
    pub fn all() -> Vec<Self> {
        CAPTURES.into_iter().map(Capture::new).collect()
    }

    /// The floor: every distinct verification, raw.
    pub fn floor(&self) -> bool {
        self.floor.iter().fold(true, |ok, s| s.verify() & ok)
    }

    /// The certificate links, raw.
    pub fn cert_floor(&self) -> bool {
        self.cert_links.iter().fold(true, |ok, s| s.verify() & ok)
    }

    /// The audit, as `e2ei-audit flow` runs it per file.
    pub fn audit(&self) -> Vec<FlowReport> {
        flow::audit(&self.text, &self.options).expect("a capture")
    }
}

fn all_steps<'s, 'a>(section: &'s Section<'a>) -> impl Iterator<Item = &'s transcript::Step<'a>> {
    std::iter::once(&section.preamble).chain(&section.steps)
}

fn jws_alg(header: &Value) -> Algorithm {
    Algorithm::from_name(header.get("alg").and_then(Value::as_str).expect("alg")).expect("alg")
}

fn header_jwk(header: &serde_json::Map<String, Value>) -> Option<Jwk> {
    Jwk::from_value(header.get("jwk")?).ok()
}

fn claims(compact: &str) -> Value {
    let payload = compact.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

/// The floor of one section, appended to `floor`; returns what it holds.
fn section_floor(section: &Section<'_>, trust: &Trust, floor: &mut Vec<Sig>) -> Counts {
    let mut counts = Counts::default();
    // ACME requests: the JWS right after a request (as the flow pairs them).
    let mut account: Option<Jwk> = None;
    let mut after_request: Option<&str> = None;
    let mut tokens: Vec<&Token> = Vec::new();
    let mut csr: Option<&[u8]> = None;
    for step in all_steps(section) {
        for item in &step.items {
            match &item.kind {
                ItemKind::Request(r) => after_request = Some(&r.url),
                ItemKind::Response(_) => after_request = None,
                ItemKind::AcmeJws(jws) => {
                    let Some(url) = after_request else { continue };
                    let header = jws.header.as_ref().expect("protected header");
                    if url.trim_end_matches('/').ends_with("new-account") && account.is_none() {
                        account = Jwk::from_value(header.get("jwk").expect("jwk")).ok();
                    }
                    let key = account.as_ref().expect("account key");
                    let compact = format!("{}.{}.{}", jws.protected, jws.payload, jws.signature);
                    floor.push(Sig::Raw(RawCheck::of_compact(
                        jws_alg(header),
                        key.raw(),
                        &compact,
                    )));
                    counts.acme_jws += 1;
                }
                _ => {}
            }
        }
        tokens.extend(&step.tokens);
        for o in &step.objects {
            if o.kind == ObjectKind::CertificateRequest && o.source == ObjectSource::AcmeCsr {
                csr.get_or_insert(&o.der);
            }
        }
    }
    let proof = tokens.iter().find(|t| t.typ() == Some("dpop+jwt"));
    let token = tokens.iter().find(|t| {
        t.typ() == Some("at+jwt") && !matches!(t.source, TokenSource::AcmePayload { .. })
    });
    if let Some(p) = proof {
        let jwk = header_jwk(&p.header).expect("proof jwk");
        let alg = jwk.key_type().algorithm();
        floor.push(Sig::Raw(RawCheck::of_compact(alg, jwk.raw(), &p.compact)));
        counts.dpop += 1;
        counts.proof_occurrences += 1;
    }
    if let Some(t) = token {
        let alg = Algorithm::from_name(t.alg().expect("alg")).expect("alg");
        let key = match trust.issuer_keys.first() {
            Some(k) => k.jwk().raw(),
            None => header_jwk(&t.header).expect("issuer jwk").raw(),
        };
        floor.push(Sig::Raw(RawCheck::of_compact(alg, key, &t.compact)));
        counts.access_token += 1;
        if let Some(embedded) = claims(&t.compact).get("proof").and_then(Value::as_str) {
            counts.proof_occurrences += 1;
            if proof.is_none_or(|p| *p.compact != *embedded) {
                let header: Value = claims(&format!(
                    "x.{}.x",
                    embedded.split('.').next().expect("header")
                ));
                let jwk = Jwk::from_value(header.get("jwk").expect("jwk")).expect("jwk");
                let alg = jwk.key_type().algorithm();
                floor.push(Sig::Raw(RawCheck::of_compact(alg, jwk.raw(), embedded)));
                counts.dpop += 1;
            }
        }
    }
    if let Some(id) = id_token(&tokens) {
        if let Some(s) = rsa_check(&trust.idp_keys, id) {
            floor.push(s);
            counts.id_token += 1;
        }
    }
    if let Some(der) = csr {
        floor.push(csr_check(der));
        counts.csr += 1;
    }
    counts
}

/// The id token posted to ACME, else the first RSA-signed token.
fn id_token<'t>(tokens: &[&'t Token]) -> Option<&'t Token> {
    let rsa = |t: &&&Token| t.alg().is_some_and(|a| a.starts_with("RS"));
    tokens
        .iter()
        .filter(rsa)
        .find(
            |t| matches!(&t.source, TokenSource::AcmePayload { pointer } if pointer == "/id_token"),
        )
        .or_else(|| tokens.iter().find(rsa))
        .copied()
}

fn rsa_check(keys: &[IdpKey], token: &Token) -> Option<Sig> {
    let params: &'static sig::RsaParameters = match token.alg()? {
        "RS256" => &sig::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &sig::RSA_PKCS1_2048_8192_SHA384,
        _ => &sig::RSA_PKCS1_2048_8192_SHA512,
    };
    let (input, s) = token.compact.rsplit_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(s).ok()?;
    keys.iter().find_map(|k| match k {
        IdpKey::Rsa { n, e } => {
            let check = Sig::Rsa {
                n: n.clone(),
                e: e.clone(),
                params,
                message: input.as_bytes().to_vec(),
                signature: signature.clone(),
            };
            check.verify().then_some(check)
        }
        IdpKey::Wire(_) => None,
    })
}

/// Candidate algorithms for an X.509 signature (DER ECDSA) by a key type.
fn x509_algs(key: KeyType) -> Vec<&'static dyn VerificationAlgorithm> {
    match key {
        KeyType::Ed25519 => vec![&sig::ED25519],
        KeyType::P256 => vec![&sig::ECDSA_P256_SHA256_ASN1, &sig::ECDSA_P256_SHA384_ASN1],
        KeyType::P384 => vec![&sig::ECDSA_P384_SHA384_ASN1, &sig::ECDSA_P384_SHA256_ASN1],
        KeyType::P521 => vec![&sig::ECDSA_P521_SHA512_ASN1],
    }
}

/// The check of `signature` over `message` by the key of `spki`, with the
/// algorithm that verifies.
fn x509_check(spki: &[u8], message: &[u8], signature: &[u8]) -> Option<Sig> {
    let jwk = public_key_from_spki_der(spki).ok()?;
    x509_algs(jwk.key_type()).into_iter().find_map(|alg| {
        let check = Sig::Raw(RawCheck {
            alg,
            key: jwk.raw(),
            message: message.to_vec(),
            signature: signature.to_vec(),
        });
        check.verify().then_some(check)
    })
}

fn csr_check(der: &[u8]) -> Sig {
    use x509_parser::certification_request::X509CertificationRequest;
    let (_, req) = X509CertificationRequest::from_der(der).expect("a CSR");
    let info = &req.certification_request_info;
    x509_check(info.subject_pki.raw, info.raw, &req.signature_value.data).expect("CSR verifies")
}

/// Every certificate signed by another certificate of the capture (the
/// issuer found by name, its key verifying).
fn links(certs: &[Vec<u8>]) -> Vec<Sig> {
    let parsed: Vec<X509Certificate<'_>> = certs
        .iter()
        .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    let mut out = Vec::new();
    for (i, cert) in parsed.iter().enumerate() {
        let issuer = parsed
            .iter()
            .enumerate()
            .filter(|(j, c)| *j != i && c.subject() == cert.issuer())
            .find_map(|(_, c)| {
                x509_check(
                    c.public_key().raw,
                    cert.tbs_certificate.as_ref(),
                    &cert.signature_value.data,
                )
            });
        out.extend(issuer);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_hold_what_each_flow_must_verify_with_the_proof_once() {
        for capture in Capture::all() {
            for (i, c) in capture.counts.iter().enumerate() {
                let name = capture.name;
                assert_eq!(c.dpop, 1, "{name} flow {i}: one distinct proof");
                assert_eq!(c.proof_occurrences, 2, "{name} flow {i}: shown twice");
                assert_eq!(c.access_token, 1, "{name} flow {i}");
                assert_eq!(c.csr, 1, "{name} flow {i}");
                assert!(c.acme_jws >= 8, "{name} flow {i}: {c:?}");
                let pinned = !capture.options.trust.idp_keys.is_empty();
                assert_eq!(c.id_token, usize::from(pinned), "{name} flow {i}");
            }
            let total: usize = capture.counts.iter().map(Counts::total).sum();
            assert_eq!(capture.floor.len(), total);
            assert!(capture.floor());
        }
    }
}
