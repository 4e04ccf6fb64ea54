//! Certificates and CSRs of the Wire profile, deterministically.
//!
//! rcgen writes the DER; it signs through [`CertKey`], which hands every
//! signature to the suite's deterministic signer of [`crate::mint`] (Ed25519,
//! or RFC 6979 ECDSA, DER-encoded as X.509 wants). Serial numbers and
//! validity dates are fixed and every key derives from a seed, so the same
//! call writes the same bytes on every run.

use crate::mint::{SigningKey, Suite};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyUsagePurpose, SanType, SerialNumber,
    SignatureAlgorithm,
};

/// The provisioner extension (smallstep): `SEQUENCE { type, name, credentialID }`.
const PROVISIONER_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1];
const NAME_CONSTRAINTS_OID: &[u64] = &[2, 5, 29, 30];
/// `displayName` (Netscape), where Wire puts the user's display name.
const DISPLAY_NAME_OID: &[u64] = &[2, 16, 840, 1, 113730, 3, 1, 241];

/// The provisioner the leaves name: the one the conformance ACME directory
/// is served under (`…/acme/wire`, [`crate::enrolment::ACME`]), as step-ca
/// serves each ACME provisioner under its name.
pub const PROVISIONER: &str = "wire";

/// A suite key as rcgen's signer: deterministic signatures, no RNG.
pub struct CertKey {
    key: SigningKey,
    public: Vec<u8>,
}

impl CertKey {
    /// Wraps `key`.
    pub fn new(key: &SigningKey) -> Self {
        CertKey {
            key: key.clone(),
            public: key.public_raw(),
        }
    }
}

impl rcgen::PublicKeyData for CertKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self.key.suite() {
            Suite::Ed25519 => &rcgen::PKCS_ED25519,
            Suite::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Suite::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Suite::P521 => &rcgen::PKCS_ECDSA_P521_SHA512,
        }
    }
}

impl rcgen::SigningKey for CertKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let signature = self.key.sign(msg);
        Ok(match self.key.suite() {
            Suite::Ed25519 => signature,
            _ => ecdsa_der(&signature),
        })
    }
}

/// The `SubjectPublicKeyInfo` DER of `key`.
pub fn spki(key: &SigningKey) -> Vec<u8> {
    rcgen::PublicKeyData::subject_public_key_info(&CertKey::new(key))
}

/// `r || s` as the DER `SEQUENCE { INTEGER r, INTEGER s }` of RFC 3279.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let integer = |n: &[u8]| {
        let start = n.iter().position(|b| *b != 0).unwrap_or(n.len() - 1);
        let mut v = n[start..].to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        tlv(0x02, &v)
    };
    let mut body = integer(r);
    body.extend(integer(s));
    tlv(0x30, &body)
}

/// One DER TLV (definite length, short or long form).
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// PEM of `der` under `label`, 64-column lines, no trailing newline.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        lines.join("\n")
    )
}

/// A critical NameConstraints extension: permitted `DNS:localhost` and
/// `URI:<domain>`, as Wire's intermediates carry.
fn name_constraints(domain: &str) -> CustomExtension {
    let subtree = |tag: u8, name: &str| tlv(0x30, &tlv(tag, name.as_bytes()));
    let mut permitted = subtree(0x82, "localhost");
    permitted.extend(subtree(0x86, domain));
    let value = tlv(0x30, &tlv(0xa0, &permitted));
    let mut ext = CustomExtension::from_oid_content(NAME_CONSTRAINTS_OID, value);
    ext.set_criticality(true);
    ext
}

/// The provisioner extension naming `name` (type 6: ACME).
fn provisioner(name: &str) -> CustomExtension {
    let mut value = tlv(0x02, &[6]);
    value.extend(tlv(0x04, name.as_bytes()));
    value.extend(tlv(0x04, b""));
    CustomExtension::from_oid_content(PROVISIONER_OID, tlv(0x30, &value))
}

fn ca_params(cn: &str, serial: u64, path_len: u8) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.serial_number = Some(SerialNumber::from(serial));
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p
}

/// What a leaf looks like; [`LeafSpec::new`] is the valid one.
#[derive(Clone, Debug)]
pub struct LeafSpec {
    /// URI SANs, as written.
    pub uris: Vec<String>,
    /// Extended key usages.
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    /// Validity, `(year, month, day)` from and to.
    pub validity: ((i32, u8, u8), (i32, u8, u8)),
    /// Whether the provisioner extension is present.
    pub provisioner: bool,
}

impl LeafSpec {
    /// clientAuth, valid 2025-06-01 to 2028-01-01, provisioner extension, `uris`.
    pub fn new(uris: &[&str]) -> Self {
        LeafSpec {
            uris: uris.iter().map(|u| (*u).to_owned()).collect(),
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            validity: ((2025, 6, 1), (2028, 1, 1)),
            provisioner: true,
        }
    }
}

/// Root → intermediate (pathLen 0, critical URI name constraint), for one
/// suite and domain.
pub struct Pki {
    domain: String,
    root: Vec<u8>,
    intermediate: Vec<u8>,
    intermediate_params: CertificateParams,
    intermediate_key: SigningKey,
}

impl Pki {
    /// The PKI of `domain`, keys derived from `<seed>/root` and
    /// `<seed>/intermediate`.
    ///
    /// # Panics
    /// If rcgen refuses the fixed parameters (it does not).
    pub fn new(suite: Suite, seed: &str, domain: &str) -> Self {
        let root_key = CertKey::new(&SigningKey::from_seed(suite, &format!("{seed}/root")));
        let root_params = ca_params("Wire Root CA", 1, 1);
        let root = root_params.self_signed(&root_key).expect("root");
        let root_issuer = Issuer::from_params(&root_params, &root_key);
        let intermediate_key = SigningKey::from_seed(suite, &format!("{seed}/intermediate"));
        let mut intermediate_params = ca_params("Wire Intermediate CA", 2, 0);
        intermediate_params.not_after = date_time_ymd(2030, 1, 1);
        intermediate_params
            .custom_extensions
            .push(name_constraints(domain));
        let intermediate = intermediate_params
            .signed_by(&CertKey::new(&intermediate_key), &root_issuer)
            .expect("intermediate");
        Pki {
            domain: domain.to_owned(),
            root: root.der().to_vec(),
            intermediate: intermediate.der().to_vec(),
            intermediate_params,
            intermediate_key,
        }
    }

    /// The root, PEM (the trust anchor).
    pub fn root_pem(&self) -> String {
        pem("CERTIFICATE", &self.root)
    }

    /// Leaf then intermediate, PEM, as an ACME server sends them: the leaf
    /// certifies `key` as `spec` says and is signed with the intermediate's
    /// key, or with `signer` under the intermediate's name.
    ///
    /// # Panics
    /// If a URI of `spec` is not IA5 (they are ASCII).
    pub fn chain(
        &self,
        spec: &LeafSpec,
        key: &SigningKey,
        display_name: &str,
        signer: Option<&SigningKey>,
    ) -> String {
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name
            .push(DnType::OrganizationName, self.domain.as_str());
        p.distinguished_name.push(
            DnType::CustomDnType(DISPLAY_NAME_OID.to_vec()),
            display_name,
        );
        p.serial_number = Some(SerialNumber::from(3));
        p.subject_alt_names = spec
            .uris
            .iter()
            .map(|u| SanType::URI(u.as_str().try_into().expect("IA5 URI")))
            .collect();
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = spec.eku.clone();
        p.use_authority_key_identifier_extension = true;
        let ((y0, m0, d0), (y1, m1, d1)) = spec.validity;
        p.not_before = date_time_ymd(y0, m0, d0);
        p.not_after = date_time_ymd(y1, m1, d1);
        if spec.provisioner {
            p.custom_extensions.push(provisioner(PROVISIONER));
        }
        let signer = CertKey::new(signer.unwrap_or(&self.intermediate_key));
        let issuer = Issuer::from_params(&self.intermediate_params, &signer);
        let leaf = p.signed_by(&CertKey::new(key), &issuer).expect("leaf");
        format!(
            "{}\n{}",
            pem("CERTIFICATE", leaf.der()),
            pem("CERTIFICATE", &self.intermediate)
        )
    }
}

/// A PKCS#10 request of `key` for `uris`, subject `O = organization` and
/// displayName, signed by `key`: DER.
///
/// # Panics
/// If a URI is not IA5 (they are ASCII).
pub fn csr(key: &SigningKey, uris: &[String], organization: &str, display_name: &str) -> Vec<u8> {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, organization);
    p.distinguished_name.push(
        DnType::CustomDnType(DISPLAY_NAME_OID.to_vec()),
        display_name,
    );
    p.subject_alt_names = uris
        .iter()
        .map(|u| SanType::URI(u.as_str().try_into().expect("IA5 URI")))
        .collect();
    let request = p.serialize_request(&CertKey::new(key)).expect("CSR");
    request.der().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_der_keeps_integers_positive_and_minimal() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r: high bit set, needs a leading zero
        raw[63] = 0x05; // s: 5
        let der = ecdsa_der(&raw);
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x05]);
    }

    #[test]
    fn certificates_and_requests_are_byte_identical_across_runs() {
        for suite in Suite::ALL {
            let pki = |_| Pki::new(suite, "test", "wire.example.com");
            let key = SigningKey::from_seed(suite, "test/leaf");
            let spec = LeafSpec::new(&["wireapp://%40a@wire.example.com"]);
            let a = pki(0).chain(&spec, &key, "A", None);
            let b = pki(1).chain(&spec, &key, "A", None);
            assert_eq!(a, b, "{suite:?}");
            let uris = spec.uris.clone();
            assert_eq!(csr(&key, &uris, "o", "A"), csr(&key, &uris, "o", "A"));
        }
    }
}
