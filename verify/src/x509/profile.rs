//! The Wire leaf profile: what an E2EI certificate must say beyond a valid path.
//!
//! [`Leaf`] extracts, once, the fields the profile checks look at, so that callers can
//! also compare them with other artefacts (the CSR key, the ACME account JWK).

use x509_parser::extensions::GeneralName;

use super::cert::{self, Certificate};
use super::csr;
use super::ext;
use super::provisioner::{self, Provisioner};
use super::{Error, InputError};

/// `id-kp-clientAuth`.
pub const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// `id-kp-serverAuth`.
pub const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

/// `commonName`, where step-ca's Wire template writes the display name.
const COMMON_NAME_OID: &str = "2.5.4.3";
const COMMON_NAME_DER: &[u8] = &[0x55, 0x04, 0x03];

/// The identity a leaf's subject states beside its SANs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectNames {
    /// `O`: the Wire domain.
    pub organization: Option<String>,
    /// `displayName`, else `CN`: the user's display name.
    pub display_name: Option<String>,
}

/// The fields of an end-entity certificate that the profile checks read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The subject `Name` DER: formatted only when a report asks for it.
    subject: Vec<u8>,
    spki: Vec<u8>,
    raw_key: Vec<u8>,
    uris: Vec<String>,
    dns: Vec<String>,
    /// The extendedKeyUsage value, checked when read; its OIDs are formatted
    /// only when asked for ([`Leaf::ext_key_usage`]).
    ext_key_usage: Option<Vec<u8>>,
    digital_signature: Option<bool>,
    provisioner: Option<Result<Provisioner, String>>,
}

impl Leaf {
    /// Extracts the profile fields from a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, InputError> {
        let bad = |reason: String| InputError::NotDer {
            index: 0,
            kind: "certificate",
            reason,
        };
        let cert = Certificate::read(der).map_err(|e| bad(e.to_string()))?;
        Self::from_x509(&cert)
    }

    /// Extracts the profile fields from a certificate already parsed.
    pub(crate) fn from_x509(cert: &Certificate<'_>) -> Result<Self, InputError> {
        let bad = |reason: String| InputError::NotDer {
            index: 0,
            kind: "certificate",
            reason,
        };
        let (uris, dns) = san_names(cert).map_err(bad)?;
        ext::eku(cert).map_err(|e| bad(e.to_string()))?;
        let ext_key_usage = cert
            .extension(ext::EXTENDED_KEY_USAGE)
            .map(|e| e.value.to_vec());
        let digital_signature = ext::key_usage(cert)
            .map_err(|e| bad(e.to_string()))?
            .map(|ku| ku.digital_signature());
        Ok(Leaf {
            subject: cert.subject.to_vec(),
            spki: cert.spki.to_vec(),
            raw_key: cert.public_key.to_vec(),
            uris,
            dns,
            ext_key_usage,
            digital_signature,
            provisioner: provisioner::of(cert),
        })
    }

    /// The subject DN, RFC 4514 style, formatted on each call (verification itself
    /// never needs the text). Empty if x509-parser cannot read the name.
    pub fn subject(&self) -> String {
        cert::display_name(&self.subject)
    }

    /// The subject's `O` and the user's display name: the `displayName`
    /// attribute where the CA writes one, else the `CN` (step-ca's Wire
    /// template writes the display name there). Read on each call: only an
    /// audit that expects a name asks, once.
    pub fn subject_names(&self) -> SubjectNames {
        use x509_parser::prelude::FromDer;
        let Ok((_, name)) = x509_parser::x509::X509Name::from_der(&self.subject) else {
            return SubjectNames::default();
        };
        let attribute = |dotted: &str, der: &[u8]| {
            name.iter_attributes()
                .find(|a| csr::oid_is(a.attr_type().as_bytes(), dotted, der))
                .and_then(|a| a.as_str().ok())
                .map(str::to_owned)
        };
        SubjectNames {
            organization: attribute(csr::ORGANIZATION_OID, csr::ORGANIZATION_DER),
            display_name: attribute(csr::DISPLAY_NAME_OID, csr::DISPLAY_NAME_DER)
                .or_else(|| attribute(COMMON_NAME_OID, COMMON_NAME_DER)),
        }
    }

    /// Whether the subject is the empty `Name` (the 2023-01 leaves: their
    /// identities are all in the SAN).
    pub fn subject_is_empty(&self) -> bool {
        self.subject == [0x30, 0x00]
    }

    /// The `SubjectPublicKeyInfo` DER: compare with a CSR's or a JWK's SPKI.
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }

    /// The raw public key (the SPKI BIT STRING contents: 32 bytes for Ed25519, the
    /// uncompressed point for ECDSA).
    pub fn public_key_raw(&self) -> &[u8] {
        &self.raw_key
    }

    /// URI SANs, exactly as encoded (Wire percent-encodes `!` as `%21`).
    pub fn uri_sans(&self) -> &[String] {
        &self.uris
    }

    /// DNS SANs (the 2023-01 profile).
    pub fn dns_sans(&self) -> &[String] {
        &self.dns
    }

    /// Dotted EKU OIDs, in the certificate's order; `None` when the extension is
    /// absent.
    pub fn ext_key_usage(&self) -> Option<Vec<String>> {
        Some(self.eku_oids()?.into_iter().map(ext::dotted).collect())
    }

    /// The EKU OIDs' contents octets (read when the leaf was, so this cannot fail).
    fn eku_oids(&self) -> Option<Vec<&[u8]>> {
        let value = self.ext_key_usage.as_deref()?;
        Some(ext::eku_oids(value).unwrap_or_default())
    }

    /// The provisioner extension: `None` if absent, `Err` if unreadable.
    pub fn provisioner(&self) -> Option<Result<&Provisioner, &str>> {
        self.provisioner
            .as_ref()
            .map(|r| r.as_ref().map_err(String::as_str))
    }

    /// Whether KeyUsage allows digitalSignature (`None`: no KeyUsage extension).
    pub(crate) fn digital_signature(&self) -> Option<bool> {
        self.digital_signature
    }
}

/// URI and DNS names of the SAN extension.
pub(crate) fn san_names(cert: &Certificate<'_>) -> Result<(Vec<String>, Vec<String>), String> {
    let mut uris = Vec::new();
    let mut dns = Vec::new();
    collect_names(
        &ext::san(cert).map_err(|e| e.to_string())?,
        &mut uris,
        &mut dns,
    );
    Ok((uris, dns))
}

pub(crate) fn collect_names(
    names: &[GeneralName<'_>],
    uris: &mut Vec<String>,
    dns: &mut Vec<String>,
) {
    for name in names {
        match name {
            GeneralName::URI(uri) => uris.push((*uri).to_owned()),
            GeneralName::DNSName(name) => dns.push((*name).to_owned()),
            _ => {}
        }
    }
}

/// `cert.eku`: the Wire leaf must name clientAuth explicitly.
pub(crate) fn check_eku(leaf: &Leaf) -> Result<(), Error> {
    match leaf.eku_oids() {
        Some(oids) if oids.contains(&ext::CLIENT_AUTH_OID) => Ok(()),
        _ => Err(Error::Eku {
            found: leaf.ext_key_usage(),
        }),
    }
}

/// Compares identities the way Wire writes them: after percent-decoding, so that
/// `%21` in the certificate equals `!` in the client id, as a set (order and
/// duplicates do not carry meaning). A name whose escapes do not decode to
/// UTF-8 is kept apart, as written: it equals only the same bytes, never a
/// decoded name (a lossy decoding would make `%FE` and `%FF` equal).
pub(crate) fn same_identities(expected: &[String], found: &[String]) -> bool {
    // Equal lists are equal sets: nothing to decode.
    if expected == found {
        return true;
    }
    fn norm(list: &[String]) -> Vec<Result<std::borrow::Cow<'_, str>, &str>> {
        let mut v: Vec<_> = list
            .iter()
            .map(|s| crate::identity::percent_decoded(s).ok_or(s.as_str()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
    norm(expected) == norm(found)
}

/// `cert.san` for one name form.
pub(crate) fn check_names(
    form: &'static str,
    expected: &[String],
    found: &[String],
) -> Result<(), Error> {
    if same_identities(expected, found) {
        Ok(())
    } else {
        Err(Error::San {
            form,
            expected: expected.to_vec(),
            found: found.to_vec(),
        })
    }
}

/// `cert.key_binding`: `expected` is SPKI DER or the raw key bytes.
pub(crate) fn check_key(leaf: &Leaf, expected: &[u8]) -> Result<(), Error> {
    if expected == leaf.public_key_spki() || expected == leaf.public_key_raw() {
        Ok(())
    } else {
        Err(Error::KeyBinding {
            expected: hex(expected),
            found: hex(leaf.public_key_spki()),
        })
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_equates_bang_forms() {
        assert!(same_identities(
            &["wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost".into()],
            &["wireapp://WqEqc9dIRoKh3VyUJ8k6QA%219e4ef7e72ec9e5b9@wire.localhost".into()],
        ));
        // Undecodable escapes compare as written, never with a decoded name.
        let raw = |s: &str| vec![s.to_owned()];
        assert!(same_identities(&raw("a%zz%40"), &raw("a%zz%40")));
        assert!(!same_identities(&raw("a%zz%40"), &raw("a%zz@")));
        assert!(!same_identities(&raw("x%FE"), &raw("x%FF")));
        assert!(same_identities(&raw("x%FE"), &raw("x%FE")));
        assert!(!same_identities(&raw("%4"), &raw("%40")));
    }
}
