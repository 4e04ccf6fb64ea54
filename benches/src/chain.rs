//! Certificate-chain fixtures: each case is a `verify_chain` input with its
//! expectations, and the raw aws-lc-rs signature verifications that
//! verification performs (its floor), precomputed with x509-parser.

use crate::RawCheck;
use aws_lc_rs::signature::{self as s, VerificationAlgorithm};
use e2ei_verify::x509::{self, parse_certificates, ChainExpectations, VerifiedChain};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType,
    SignatureAlgorithm,
};
use std::path::Path;
use x509_parser::prelude::{FromDer, X509Certificate};

/// 2023-01-20T09:30:00Z: inside the one-hour leaves of the 2023-01 captures.
pub const CAPTURE_2023: u64 = 1_674_207_000;
/// 2026-01-15T09:00:00Z: just after the 2026-01 leaf's notBefore.
pub const CAPTURE_2026: u64 = 1_768_467_600;

/// The case names, in bench order.
pub const CASES: [&str; 8] = [
    "seed_ed25519",
    "seed_p256",
    "seed_p384",
    "seed_2026",
    "gen_ed25519",
    "gen_p256",
    "gen_p384",
    "gen_p521",
];

/// One chain verification and its floor.
pub struct ChainCase {
    /// The case name (one of [`CASES`]).
    pub name: &'static str,
    /// The input exactly as `verify_chain` gets it (JSON or PEM text).
    pub input: Vec<u8>,
    /// Anchor (DER) and expectations.
    pub expect: ChainExpectations,
    /// The signature verifications `verify_chain` performs on this case, in
    /// order: one per certificate signature checked (a certificate whose
    /// signature is checked twice appears twice).
    pub floor: Vec<RawCheck>,
}

impl ChainCase {
    /// The floor: every raw verification, key parse included.
    pub fn floor(&self) -> bool {
        self.floor.iter().fold(true, |ok, c| c.verify() & ok)
    }

    /// The checked operation: `verify_chain`, input parsing included.
    pub fn verify(&self) -> Result<VerifiedChain, x509::Error> {
        x509::verify_chain(&self.input, &self.expect)
    }

    /// Every case, in [`CASES`] order.
    pub fn all() -> Vec<Self> {
        CASES.iter().map(|name| Self::named(name)).collect()
    }

    /// The case called `name`.
    ///
    /// # Panics
    /// For an unknown name, or when the case does not verify.
    pub fn named(name: &str) -> Self {
        let case = match name {
            "seed_ed25519" => seed_2023("seed_ed25519", "ed25519"),
            "seed_p256" => seed_2023("seed_p256", "p256"),
            "seed_p384" => seed_2023("seed_p384", "p384"),
            "seed_2026" => seed_2026(),
            "gen_ed25519" => generated("gen_ed25519", &rcgen::PKCS_ED25519),
            "gen_p256" => generated("gen_p256", &rcgen::PKCS_ECDSA_P256_SHA256),
            "gen_p384" => generated("gen_p384", &rcgen::PKCS_ECDSA_P384_SHA384),
            "gen_p521" => generated("gen_p521", &rcgen::PKCS_ECDSA_P521_SHA512),
            other => panic!("unknown chain case {other}"),
        };
        assert!(case.floor(), "{name}: raw signatures do not verify");
        case.verify()
            .unwrap_or_else(|e| panic!("{name}: chain rejected: {e}"));
        case
    }
}

/// How many times `verify_chain` checks each link's signature on a path
/// through a URI-constrained CA (see `verify/src/x509/chain.rs`).
pub const URI_PATH_PASSES: usize = 1;

fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../verify/tests/data/x509")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A 2023-01 capture: leaf + intermediate, the intermediate pinned as anchor.
/// webpki checks one signature: the leaf's, by the anchor.
fn seed_2023(name: &'static str, suite: &str) -> ChainCase {
    let input = data(&format!("2023-01-18-{suite}-chain.json"));
    let certs = parse_certificates(&input).expect("seed chain");
    let mut expect = ChainExpectations::at_unix(CAPTURE_2023);
    expect.trust_anchors = vec![certs[1].clone()];
    expect.dns_names = Some(vec!["idp.example.com".into(), "wire.example.com".into()]);
    expect.provisioner_name = Some("wire-acme".into());
    let floor = vec![link(&certs[0], &certs[1])];
    ChainCase {
        name,
        input,
        expect,
        floor,
    }
}

/// The 2026-01 capture: leaf + intermediate (URI name constraint), root anchor.
fn seed_2026() -> ChainCase {
    let input = data("2026-01-15-chain.json");
    let certs = parse_certificates(&input).expect("2026 chain");
    let root = parse_certificates(&data("2026-01-15-root.pem")).expect("2026 root");
    let mut expect = ChainExpectations::at_unix(CAPTURE_2026);
    expect.trust_anchors = root.clone();
    expect.uris = Some(vec![
        "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost".into(),
        "wireapp://%40alice_wire@wire.localhost".into(),
    ]);
    expect.provisioner_name = Some("wire".into());
    let floor = uri_path_floor(&certs[0], &certs[1], &root[0]);
    ChainCase {
        name: "seed_2026",
        input,
        expect,
        floor,
    }
}

/// The links of leaf ← intermediate ← root, as often as `verify_chain` checks them.
fn uri_path_floor(leaf: &[u8], intermediate: &[u8], root: &[u8]) -> Vec<RawCheck> {
    (0..URI_PATH_PASSES)
        .flat_map(|_| [link(leaf, intermediate), link(intermediate, root)])
        .collect()
}

/// Root → intermediate (pathLen 0, critical URI constraint `wire.com`) → leaf
/// with two URI SANs, all keys of `alg`; the root is the anchor.
fn generated(name: &'static str, alg: &'static SignatureAlgorithm) -> ChainCase {
    let root_key = KeyPair::generate_for(alg).expect("root key");
    let root_params = ca("Wire Root CA", 1, None);
    let root = root_params.self_signed(&root_key).expect("root");
    let root_issuer = Issuer::new(root_params, root_key);

    let int_key = KeyPair::generate_for(alg).expect("intermediate key");
    let int_params = ca("Wire Intermediate CA", 0, Some(uri_constraint("wire.com")));
    let int = int_params
        .signed_by(&int_key, &root_issuer)
        .expect("intermediate");
    let int_issuer = Issuer::new(int_params, int_key);

    let uris = [
        "wireapp://WqEqc9dIRoKh3VyUJ8k6QA%219e4ef7e72ec9e5b9@wire.com",
        "wireapp://%40alice_wire@wire.com",
    ];
    let leaf_key = KeyPair::generate_for(alg).expect("leaf key");
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "wire.com");
    p.distinguished_name.push(DnType::CommonName, "Alice Smith");
    p.subject_alt_names = uris
        .iter()
        .map(|u| SanType::URI((*u).try_into().expect("IA5 URI")))
        .collect();
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    p.not_before = date_time_ymd(2025, 6, 1);
    p.not_after = date_time_ymd(2028, 1, 1);
    let leaf = p.signed_by(&leaf_key, &int_issuer).expect("leaf");

    let input = format!("{}{}", leaf.pem(), int.pem()).into_bytes();
    let mut expect = ChainExpectations::at_unix(CAPTURE_2026);
    expect.trust_anchors = vec![root.der().clone()];
    expect.uris = Some(vec![
        "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.com".into(),
        "wireapp://%40alice_wire@wire.com".into(),
    ]);
    expect.public_key = Some(leaf_key.subject_public_key_info());
    let floor = uri_path_floor(leaf.der(), int.der(), root.der());
    ChainCase {
        name,
        input,
        expect,
        floor,
    }
}

fn ca(cn: &str, path_len: u8, constraints: Option<Vec<u8>>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2035, 1, 1);
    if let Some(value) = constraints {
        let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 30], value);
        ext.set_criticality(true);
        p.custom_extensions.push(ext);
    }
    p
}

/// DER of `NameConstraints { permittedSubtrees [0] { GeneralSubtree { uri [6] } } }`.
fn uri_constraint(host: &str) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let len = u8::try_from(body.len()).expect("short DER");
        assert!(len < 0x80, "short-form DER length only");
        let mut out = vec![tag, len];
        out.extend_from_slice(body);
        out
    }
    tlv(0x30, &tlv(0xa0, &tlv(0x30, &tlv(0x86, host.as_bytes()))))
}

/// The raw check of `child`'s signature by `issuer`'s key.
///
/// # Panics
/// For a signature/key combination outside the Wire suites.
pub fn link(child: &[u8], issuer: &[u8]) -> RawCheck {
    let (_, child) = X509Certificate::from_der(child).expect("child DER");
    let (_, issuer) = X509Certificate::from_der(issuer).expect("issuer DER");
    let spki = issuer.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let sig = child.signature_algorithm.algorithm.to_id_string();
    let alg: &'static dyn VerificationAlgorithm = match (sig.as_str(), curve.as_deref()) {
        ("1.3.101.112", _) => &s::ED25519,
        ("1.2.840.10045.4.3.2", Some("1.2.840.10045.3.1.7")) => &s::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some("1.2.840.10045.3.1.7")) => &s::ECDSA_P256_SHA384_ASN1,
        ("1.2.840.10045.4.3.2", Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA384_ASN1,
        ("1.2.840.10045.4.3.4", Some("1.3.132.0.35")) => &s::ECDSA_P521_SHA512_ASN1,
        other => panic!("unsupported signature/key pair {other:?}"),
    };
    RawCheck {
        alg,
        key: spki.subject_public_key.data.to_vec(),
        message: child.tbs_certificate.as_ref().to_vec(),
        signature: child.signature_value.data.to_vec(),
    }
}
