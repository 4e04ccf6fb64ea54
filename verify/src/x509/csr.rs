//! The PKCS#10 request a Wire client sends to ACME finalize.
//!
//! The signature is checked with webpki's aws-lc-rs algorithms, restricted to the
//! Wire ciphersuites (Ed25519, ECDSA P-256/P-384/P-521), over the exact
//! `CertificationRequestInfo` bytes; x509-parser reads the fields.

use rustls_pki_types::SignatureVerificationAlgorithm;
use webpki::aws_lc_rs as alg;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509CertificationRequest};

use super::{der, profile, Error, InputError};

/// Signature algorithms a Wire client may sign its CSR with.
static CSR_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    alg::ED25519,
    alg::ECDSA_P256_SHA256,
    alg::ECDSA_P256_SHA384,
    alg::ECDSA_P256_SHA512,
    alg::ECDSA_P384_SHA256,
    alg::ECDSA_P384_SHA384,
    alg::ECDSA_P384_SHA512,
    alg::ECDSA_P521_SHA256,
    alg::ECDSA_P521_SHA384,
    alg::ECDSA_P521_SHA512,
];

/// `displayName` (Netscape), where Wire puts the user's display name.
pub const DISPLAY_NAME_OID: &str = "2.16.840.1.113730.3.1.241";
pub(crate) const ORGANIZATION_OID: &str = "2.5.4.10";
/// The contents octets of [`DISPLAY_NAME_OID`] and `ORGANIZATION_OID`.
pub(crate) const DISPLAY_NAME_DER: &[u8] = &[
    0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x03, 0x01, 0x81, 0x71,
];
pub(crate) const ORGANIZATION_DER: &[u8] = &[0x55, 0x04, 0x0a];

/// Whether the OID with contents octets `bytes` is `dotted` (whose minimal
/// encoding is `der`). Minimal encodings are equal exactly when the OIDs are,
/// so they are compared as bytes; any other (empty, an arc padded with a
/// leading `0x80`, a last arc left open) is compared in dotted form, as
/// x509-parser writes it.
pub(crate) fn oid_is(bytes: &[u8], dotted: &str, der: &[u8]) -> bool {
    let arc_start = |i: usize| i == 0 || bytes.get(i - 1).is_some_and(|p| p & 0x80 == 0);
    let padded = bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == 0x80 && arc_start(i));
    let minimal = !padded && bytes.last().is_some_and(|b| b & 0x80 == 0);
    if minimal {
        bytes == der
    } else {
        x509_parser::der_parser::Oid::new(bytes.into()).to_id_string() == dotted
    }
}

/// The fields of a CSR that the checks read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    der: Vec<u8>,
    spki: Vec<u8>,
    raw_key: Vec<u8>,
    uris: Vec<String>,
    dns: Vec<String>,
    organization: Option<String>,
    display_name: Option<String>,
}

impl Csr {
    /// Reads a DER PKCS#10 request (signature not yet checked).
    pub fn from_der(der: &[u8]) -> Result<Self, InputError> {
        let bad = |reason: String| InputError::NotDer {
            index: 0,
            kind: "CSR",
            reason,
        };
        let csr = match X509CertificationRequest::from_der(der) {
            Ok(([], csr)) => csr,
            Ok(_) => return Err(bad("trailing data".into())),
            Err(e) => return Err(bad(e.to_string())),
        };
        let info = &csr.certification_request_info;
        let mut uris = Vec::new();
        let mut dns = Vec::new();
        for ext in csr.requested_extensions().into_iter().flatten() {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                profile::collect_names(&san.general_names, &mut uris, &mut dns);
            }
        }
        let attribute = |oid: &str, der: &[u8]| {
            info.subject
                .iter_attributes()
                .find(|a| oid_is(a.attr_type().as_bytes(), oid, der))
                .and_then(|a| a.as_str().ok())
                .map(str::to_owned)
        };
        Ok(Csr {
            der: der.to_vec(),
            spki: info.subject_pki.raw.to_vec(),
            raw_key: info.subject_pki.subject_public_key.data.to_vec(),
            uris,
            dns,
            organization: attribute(ORGANIZATION_OID, ORGANIZATION_DER),
            display_name: attribute(DISPLAY_NAME_OID, DISPLAY_NAME_DER),
        })
    }

    /// The requested `SubjectPublicKeyInfo` DER (compare with the leaf's).
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }

    /// The raw requested public key.
    pub fn public_key_raw(&self) -> &[u8] {
        &self.raw_key
    }

    /// Requested URI SANs.
    pub fn uri_sans(&self) -> &[String] {
        &self.uris
    }

    /// Requested DNS SANs.
    pub fn dns_sans(&self) -> &[String] {
        &self.dns
    }

    /// Subject `O`.
    pub fn organization(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    /// Subject displayName (2.16.840.1.113730.3.1.241).
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// `csr.signature`: proof of possession of the requested key.
    pub(crate) fn check_signature(&self) -> Result<&'static str, Error> {
        let fail = |why: &str| Error::CsrSignature(why.to_owned());
        let signed = der::signed(&self.der).ok_or_else(|| fail("request is not signed DER"))?;
        let key_alg =
            der::spki_algorithm(&self.spki).ok_or_else(|| fail("malformed public key info"))?;
        let alg = CSR_ALGORITHMS
            .iter()
            .find(|a| {
                a.signature_alg_id().as_ref() == signed.algorithm
                    && a.public_key_alg_id().as_ref() == key_alg
            })
            .ok_or_else(|| fail("algorithm is not Ed25519 or ECDSA P-256/P-384/P-521"))?;
        alg.verify_signature(&self.raw_key, signed.tbs, signed.signature)
            .map_err(|_| fail("signature does not verify with the requested key"))?;
        Ok(algorithm_name(*alg))
    }
}

fn algorithm_name(alg: &dyn SignatureVerificationAlgorithm) -> &'static str {
    let names = [
        (alg::ED25519, "Ed25519"),
        (alg::ECDSA_P256_SHA256, "ECDSA P-256 SHA-256"),
        (alg::ECDSA_P384_SHA384, "ECDSA P-384 SHA-384"),
        (alg::ECDSA_P521_SHA512, "ECDSA P-521 SHA-512"),
    ];
    names
        .iter()
        .find(|(known, _)| {
            known.signature_alg_id() == alg.signature_alg_id()
                && known.public_key_alg_id() == alg.public_key_alg_id()
        })
        .map_or("ECDSA", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte comparison decides as the dotted one, on the two OIDs in
    /// minimal and padded encodings, their neighbours, and cut encodings.
    #[test]
    fn oids_compare_as_their_dotted_forms() {
        let mut cases: Vec<Vec<u8>> = vec![
            DISPLAY_NAME_DER.to_vec(),
            ORGANIZATION_DER.to_vec(),
            vec![0x55, 0x04, 0x03],
            vec![0x55, 0x04, 0x80, 0x0a],
            vec![0x80, 0x55, 0x04, 0x0a],
            vec![0x55, 0x80, 0x04, 0x0a],
            vec![
                0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x03, 0x01, 0x80, 0x81, 0x71,
            ],
            vec![
                0x60, 0x86, 0x48, 0x01, 0x80, 0x86, 0xf8, 0x42, 0x03, 0x01, 0x81, 0x71,
            ],
            vec![0x55, 0x04, 0x8a],
            vec![0x55, 0x04, 0x80, 0x8a],
            vec![0x55, 0x84, 0x00, 0x0a],
            vec![],
        ];
        for der in [DISPLAY_NAME_DER, ORGANIZATION_DER] {
            for cut in 0..der.len() {
                cases.push(der[..cut].to_vec());
            }
        }
        for bytes in &cases {
            for (dotted, der) in [
                (DISPLAY_NAME_OID, DISPLAY_NAME_DER),
                (ORGANIZATION_OID, ORGANIZATION_DER),
            ] {
                let reference =
                    x509_parser::der_parser::Oid::new(bytes.as_slice().into()).to_id_string();
                assert_eq!(
                    oid_is(bytes, dotted, der),
                    reference == dotted,
                    "{bytes:02x?}"
                );
            }
        }
    }
}
