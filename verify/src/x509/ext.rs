//! The few extensions our checks read, decoded when they are read.
//!
//! [`Certificate`] keeps every extension's value undecoded, since the checks read
//! at most five. The getters decode a value with the parser x509-parser's deep
//! parse uses (trailing bytes after the value ignored, as there); a value that
//! does not parse is an error. An extension appears at most once: the reader
//! refuses duplicates.

use x509_parser::error::X509Error;
use x509_parser::extensions::{BasicConstraints, GeneralName, KeyUsage, SubjectAlternativeName};
use x509_parser::prelude::FromDer;

use super::cert::{self, Certificate};
use super::der;

/// Contents octets of id-ce-subjectAltName (2.5.29.17).
pub(crate) const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// Contents octets of id-ce-extKeyUsage (2.5.29.37).
pub(crate) const EXTENDED_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// Contents octets of id-ce-keyUsage (2.5.29.15).
pub(crate) const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
/// Contents octets of id-ce-basicConstraints (2.5.29.19).
pub(crate) const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// Contents octets of id-ce-nameConstraints (2.5.29.30).
pub(crate) const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
/// Contents octets of `id-kp-clientAuth` (1.3.6.1.5.5.7.3.2).
pub(crate) const CLIENT_AUTH_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// Contents octets of `id-kp-serverAuth` (1.3.6.1.5.5.7.3.1).
pub(crate) const SERVER_AUTH_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];

/// The extension `oid` decoded as `T`: `Ok(None)` if absent, an error if unreadable.
fn decoded<'a, T: FromDer<'a, X509Error>>(
    cert: &Certificate<'a>,
    oid: &[u8],
) -> Result<Option<T>, X509Error> {
    match cert.extension(oid) {
        None => Ok(None),
        Some(ext) => T::from_der(ext.value)
            .map(|(_, value)| Some(value))
            .map_err(|_| X509Error::InvalidExtensions),
    }
}

/// The subjectAltName names.
pub(crate) fn san<'a>(cert: &Certificate<'a>) -> Result<Vec<GeneralName<'a>>, X509Error> {
    Ok(
        decoded::<SubjectAlternativeName<'a>>(cert, SUBJECT_ALT_NAME)?
            .map(|san| san.general_names)
            .unwrap_or_default(),
    )
}

/// The extendedKeyUsage OIDs (contents octets), in the certificate's order.
pub(crate) fn eku<'a>(cert: &Certificate<'a>) -> Result<Option<Vec<&'a [u8]>>, X509Error> {
    cert.extension(EXTENDED_KEY_USAGE)
        .map(|ext| eku_oids(ext.value))
        .transpose()
}

/// An extendedKeyUsage value, `SEQUENCE OF KeyPurposeId`, read strictly: only
/// well-formed OIDs, nothing after the SEQUENCE. No typed decoding is needed:
/// the checks compare OIDs, and messages format them.
pub(crate) fn eku_oids(value: &[u8]) -> Result<Vec<&[u8]>, X509Error> {
    let list = der::read_only(value, 0x30).ok_or(X509Error::InvalidExtensions)?;
    der::elements(list.value)
        .ok_or(X509Error::InvalidExtensions)?
        .into_iter()
        .map(|oid| match oid.tag {
            0x06 => cert::object_identifier(oid.value, "extKeyUsage")
                .map(|()| oid.value)
                .map_err(|_| X509Error::InvalidExtensions),
            _ => Err(X509Error::InvalidExtensions),
        })
        .collect()
}

/// An OID's contents octets in dotted form, for messages.
pub(crate) fn dotted(oid: &[u8]) -> String {
    x509_parser::der_parser::Oid::new(oid.into()).to_id_string()
}

/// The keyUsage extension.
pub(crate) fn key_usage(cert: &Certificate<'_>) -> Result<Option<KeyUsage>, X509Error> {
    decoded(cert, KEY_USAGE)
}

/// The basicConstraints extension.
pub(crate) fn basic_constraints(
    cert: &Certificate<'_>,
) -> Result<Option<BasicConstraints>, X509Error> {
    decoded(cert, BASIC_CONSTRAINTS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::x509::Leaf;
    use rcgen::{CertificateParams, CustomExtension, KeyPair};
    use x509_parser::oid_registry::{
        OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
        OID_X509_EXT_NAME_CONSTRAINTS, OID_X509_EXT_SUBJECT_ALT_NAME,
    };
    use x509_parser::prelude::X509Certificate;

    /// A self-signed certificate carrying `extensions` as given.
    fn cert_with(extensions: Vec<CustomExtension>) -> Vec<u8> {
        let mut params = CertificateParams::new(vec!["a.example".into()]).unwrap();
        params.custom_extensions = extensions;
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    const EKU: [u64; 4] = [2, 5, 29, 37];
    const KU: [u64; 4] = [2, 5, 29, 15];

    #[test]
    fn oid_constants_are_the_registry_oids() {
        for (ours, registry) in [
            (SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_ALT_NAME),
            (EXTENDED_KEY_USAGE, OID_X509_EXT_EXTENDED_KEY_USAGE),
            (KEY_USAGE, OID_X509_EXT_KEY_USAGE),
            (BASIC_CONSTRAINTS, OID_X509_EXT_BASIC_CONSTRAINTS),
            (NAME_CONSTRAINTS, OID_X509_EXT_NAME_CONSTRAINTS),
        ] {
            assert_eq!(ours, registry.as_bytes());
        }
        assert_eq!(dotted(CLIENT_AUTH_OID), crate::x509::CLIENT_AUTH);
        assert_eq!(dotted(SERVER_AUTH_OID), crate::x509::SERVER_AUTH);
    }

    #[test]
    fn getters_read_what_a_deep_parse_reads() {
        // SEQUENCE { OID clientAuth }
        let client_auth = vec![
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
        ];
        let der = cert_with(vec![CustomExtension::from_oid_content(&EKU, client_auth)]);
        let cert = Certificate::read(&der).unwrap();
        assert_eq!(eku(&cert).unwrap().unwrap(), [CLIENT_AUTH_OID]);
        assert_eq!(key_usage(&cert).unwrap(), None);
        assert_eq!(san(&cert).unwrap().len(), 1);
        let (_, deep) = X509Certificate::from_der(&der).unwrap();
        assert!(
            deep.extended_key_usage()
                .unwrap()
                .unwrap()
                .value
                .client_auth
        );
        assert_eq!(
            deep.subject_alternative_name()
                .unwrap()
                .unwrap()
                .value
                .general_names,
            san(&cert).unwrap()
        );
        assert_eq!(
            Leaf::from_der(&der).unwrap().ext_key_usage().unwrap(),
            [crate::x509::CLIENT_AUTH]
        );
    }

    #[test]
    fn eku_values_are_read_strictly() {
        let good = [0x30, 0x03, 0x06, 0x01, 0x2a];
        assert_eq!(eku_oids(&good).unwrap(), [[0x2a]]);
        assert_eq!(dotted(&[0x2a]), "1.2");
        for bad in [
            &[0x30, 0x03, 0x02, 0x01, 0x2a][..],   // an INTEGER
            &[0x30, 0x03, 0x06, 0x01, 0x80],       // an unterminated OID
            &[0x30, 0x03, 0x06, 0x01, 0x2a, 0x00], // a byte after the list
            &[0x31, 0x00],                         // a SET
        ] {
            assert!(eku_oids(bad).is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn malformed_or_duplicated_extensions_fail_closed() {
        // An INTEGER where the EKU SEQUENCE of OIDs belongs; a KeyUsage that is
        // not a BIT STRING; the same EKU twice.
        let bad_eku = CustomExtension::from_oid_content(&EKU, vec![0x02, 0x01, 0x01]);
        let bad_ku = CustomExtension::from_oid_content(&KU, vec![0x04, 0x01, 0x00]);
        let good_eku = || CustomExtension::from_oid_content(&EKU, vec![0x30, 0x00]);
        for (exts, what) in [
            (vec![bad_eku], "malformed EKU"),
            (vec![bad_ku], "malformed KeyUsage"),
            (vec![good_eku(), good_eku()], "duplicate EKU"),
        ] {
            let der = cert_with(exts);
            assert!(Leaf::from_der(&der).is_err(), "{what}");
        }
    }
}
