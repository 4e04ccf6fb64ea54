//! Builds Wire-like PKIs with rcgen (aws-lc-rs backend).
#![allow(clippy::unwrap_used, dead_code)]

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SignatureAlgorithm,
};
use rustls_pki_types::CertificateDer;

/// 2026-01-15T09:00:00Z.
pub const NOW_2026: u64 = 1_768_467_600;
/// 2027-06-01T00:00:00Z: the intermediate has expired, leaves have not.
pub const AFTER_INTERMEDIATE: u64 = 1_811_808_000;

/// Every Wire ciphersuite key type; P-521 signs through rcgen's aws-lc-rs backend.
pub const ALGORITHMS: [&SignatureAlgorithm; 4] = [
    &rcgen::PKCS_ED25519,
    &rcgen::PKCS_ECDSA_P256_SHA256,
    &rcgen::PKCS_ECDSA_P384_SHA384,
    &rcgen::PKCS_ECDSA_P521_SHA512,
];

const PROVISIONER_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1];
const NAME_CONSTRAINTS_OID: &[u64] = &[2, 5, 29, 30];

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if value.len() < 0x80 {
        out.push(value.len() as u8);
    } else {
        out.push(0x82);
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(value);
    out
}

/// DER of a NameConstraints extension value: URI subtrees as given, plus the DNS
/// subtrees real Wire intermediates carry (`localhost`, `stepca`) when permitted URIs
/// are given.
pub fn name_constraints(permitted_uris: &[&str], excluded_uris: &[&str]) -> Vec<u8> {
    let subtree = |tag: u8, name: &str| tlv(0x30, &tlv(tag, name.as_bytes()));
    let mut permitted: Vec<u8> = Vec::new();
    if !permitted_uris.is_empty() {
        permitted.extend(subtree(0x82, "localhost"));
        permitted.extend(subtree(0x82, "stepca"));
    }
    for uri in permitted_uris {
        permitted.extend(subtree(0x86, uri));
    }
    let excluded: Vec<u8> = excluded_uris
        .iter()
        .flat_map(|u| subtree(0x86, u))
        .collect();
    let mut body = Vec::new();
    if !permitted.is_empty() {
        body.extend(tlv(0xa0, &permitted));
    }
    if !excluded.is_empty() {
        body.extend(tlv(0xa1, &excluded));
    }
    tlv(0x30, &body)
}

fn provisioner(name: &str) -> CustomExtension {
    let mut value = tlv(0x02, &[6]);
    value.extend(tlv(0x04, name.as_bytes()));
    value.extend(tlv(0x04, b""));
    CustomExtension::from_oid_content(PROVISIONER_OID, tlv(0x30, &value))
}

fn ca_params(cn: &str, path_len: u8, nc: Option<Vec<u8>>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    if let Some(nc) = nc {
        let mut ext = CustomExtension::from_oid_content(NAME_CONSTRAINTS_OID, nc);
        ext.set_criticality(true);
        p.custom_extensions.push(ext);
    }
    p
}

/// What the leaf should look like.
pub struct Spec {
    pub uris: Vec<String>,
    pub dns: Vec<String>,
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    pub expired: bool,
    pub provisioner: bool,
}

impl Spec {
    pub fn new(uris: &[&str]) -> Self {
        Spec {
            uris: uris.iter().map(|s| s.to_string()).collect(),
            dns: vec![],
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            expired: false,
            provisioner: true,
        }
    }
}

/// A generated leaf.
pub struct Build {
    /// Leaf + intermediate(s) + root as PEM.
    pub pem: Vec<u8>,
    pub chain: Vec<CertificateDer<'static>>,
    pub leaf_key: KeyPair,
}

pub struct Pki {
    alg: &'static SignatureAlgorithm,
    root: CertificateDer<'static>,
    intermediate: CertificateDer<'static>,
    intermediate_issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    /// Root → intermediate (pathLen 0, permitted URI `domain` + DNS localhost/stepca).
    pub fn new(alg: &'static SignatureAlgorithm, domain: &str) -> Self {
        Self::with_constraints(alg, &name_constraints(&[domain], &[]))
    }

    pub fn with_constraints(alg: &'static SignatureAlgorithm, nc: &[u8]) -> Self {
        Self::with_intermediate_eku(alg, nc, vec![])
    }

    /// Like [`Pki::with_constraints`], the intermediate carrying `eku`; an empty
    /// `nc` leaves out the name-constraints extension.
    pub fn with_intermediate_eku(
        alg: &'static SignatureAlgorithm,
        nc: &[u8],
        eku: Vec<ExtendedKeyUsagePurpose>,
    ) -> Self {
        let root_key = KeyPair::generate_for(alg).unwrap();
        let root_params = ca_params("Wire Root CA", 1, None);
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let key = KeyPair::generate_for(alg).unwrap();
        let mut params = ca_params(
            "Wire Intermediate CA",
            0,
            (!nc.is_empty()).then(|| nc.to_vec()),
        );
        params.not_after = date_time_ymd(2027, 1, 1);
        params.extended_key_usages = eku;
        let intermediate = params.signed_by(&key, &root_issuer).unwrap();
        Pki {
            alg,
            root: root.der().clone(),
            intermediate: intermediate.der().clone(),
            intermediate_issuer: Issuer::new(params, key),
        }
    }

    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.clone()
    }

    pub fn intermediate_der(&self) -> CertificateDer<'static> {
        self.intermediate.clone()
    }

    pub fn leaf(&self, spec: &Spec) -> Build {
        self.leaf_signed_by(spec, &self.intermediate_issuer, vec![])
    }

    /// Leaf under an extra CA below the (pathLen 0) intermediate.
    pub fn leaf_under_sub_ca(&self, spec: &Spec) -> Build {
        let key = KeyPair::generate_for(self.alg).unwrap();
        let params = ca_params("Sub CA", 0, None);
        let sub = params.signed_by(&key, &self.intermediate_issuer).unwrap();
        let issuer = Issuer::new(params, key);
        self.leaf_signed_by(spec, &issuer, vec![sub.der().clone()])
    }

    fn leaf_signed_by(
        &self,
        spec: &Spec,
        issuer: &Issuer<'_, KeyPair>,
        extra: Vec<CertificateDer<'static>>,
    ) -> Build {
        let leaf_key = KeyPair::generate_for(self.alg).unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name
            .push(DnType::OrganizationName, "wire.com");
        p.distinguished_name.push(DnType::CommonName, "Alice Smith");
        p.subject_alt_names = spec
            .uris
            .iter()
            .map(|u| SanType::URI(u.as_str().try_into().unwrap()))
            .chain(
                spec.dns
                    .iter()
                    .map(|d| SanType::DnsName(d.as_str().try_into().unwrap())),
            )
            .collect();
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = spec.eku.clone();
        p.use_authority_key_identifier_extension = true;
        if spec.expired {
            p.not_before = date_time_ymd(2025, 2, 1);
            p.not_after = date_time_ymd(2025, 3, 1);
        } else {
            p.not_before = date_time_ymd(2025, 6, 1);
            p.not_after = date_time_ymd(2028, 1, 1);
        }
        if spec.provisioner {
            p.custom_extensions.push(provisioner("wire-acme"));
        }
        let leaf = p.signed_by(&leaf_key, issuer).unwrap();
        let mut chain = vec![leaf.der().clone()];
        chain.extend(extra);
        chain.push(self.intermediate.clone());
        chain.push(self.root.clone());
        let pem = chain
            .iter()
            .map(|der| pem_of(der))
            .collect::<String>()
            .into_bytes();
        Build {
            pem,
            chain,
            leaf_key,
        }
    }
}

fn pem_of(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}
