//! The few extensions our checks read, decoded when they are read.
//!
//! [`Certificate`] keeps every extension's value undecoded, since the checks read
//! at most five. The getters decode a value with the parser x509-parser's deep
//! parse uses (trailing bytes after the value ignored, as there); a value that
//! does not parse is an error. An extension appears at most once: the reader
//! refuses duplicates.

use x509_parser::error::X509Error;
use x509_parser::extensions::{
    BasicConstraints, ExtendedKeyUsage, GeneralName, KeyUsage, SubjectAlternativeName,
};
use x509_parser::prelude::FromDer;

use super::cert::Certificate;

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

/// The extendedKeyUsage extension.
pub(crate) fn eku<'a>(cert: &Certificate<'a>) -> Result<Option<ExtendedKeyUsage<'a>>, X509Error> {
    decoded(cert, EXTENDED_KEY_USAGE)
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
    }

    #[test]
    fn getters_read_what_a_deep_parse_reads() {
        // SEQUENCE { OID clientAuth }
        let client_auth = vec![
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
        ];
        let der = cert_with(vec![CustomExtension::from_oid_content(&EKU, client_auth)]);
        let cert = Certificate::read(&der).unwrap();
        assert!(eku(&cert).unwrap().unwrap().client_auth);
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
