//! Certificates parsed without x509-parser's deep parse of every extension, and the
//! few extensions our checks read, parsed when they are read.
//!
//! A deep parse decodes every known extension of every certificate (about half of
//! x509-parser's cost here) although the checks read at most four. The getters
//! below keep x509-parser's own semantics: the extension must be unique, its value
//! is read by the same parser a deep parse uses (trailing bytes after it ignored,
//! as there), and a value that does not parse is an error, exactly like the
//! `ParseError` a deep parse would leave for the certificate's own getter to refuse.

use x509_parser::certificate::X509CertificateParser;
use x509_parser::error::X509Error;
use x509_parser::extensions::{
    BasicConstraints, ExtendedKeyUsage, GeneralName, KeyUsage, SubjectAlternativeName,
};
use x509_parser::nom::Parser;
use x509_parser::oid_registry::{
    Oid, OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
    OID_X509_EXT_SUBJECT_ALT_NAME,
};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Parses one certificate, extensions split but not decoded; the rest of the input
/// is returned as x509-parser's `from_der` would.
pub(crate) fn parse(der: &[u8]) -> Result<(&[u8], X509Certificate<'_>), X509Error> {
    X509CertificateParser::new()
        .with_deep_parse_extensions(false)
        .parse(der)
        .map_err(|e| match e {
            x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e,
            x509_parser::nom::Err::Incomplete(_) => X509Error::InvalidCertificate,
        })
}

/// The extension `oid` decoded as `T`: `Ok(None)` if absent, an error if duplicated
/// or unreadable.
fn unique<'a, T: FromDer<'a, X509Error>>(
    cert: &X509Certificate<'a>,
    oid: &Oid<'_>,
) -> Result<Option<T>, X509Error> {
    match cert.get_extension_unique(oid)? {
        None => Ok(None),
        Some(ext) => T::from_der(ext.value)
            .map(|(_, value)| Some(value))
            .map_err(|_| X509Error::InvalidExtensions),
    }
}

/// The subjectAltName names.
pub(crate) fn san<'a>(cert: &X509Certificate<'a>) -> Result<Vec<GeneralName<'a>>, X509Error> {
    Ok(
        unique::<SubjectAlternativeName<'a>>(cert, &OID_X509_EXT_SUBJECT_ALT_NAME)?
            .map(|san| san.general_names)
            .unwrap_or_default(),
    )
}

/// The extendedKeyUsage extension.
pub(crate) fn eku<'a>(
    cert: &X509Certificate<'a>,
) -> Result<Option<ExtendedKeyUsage<'a>>, X509Error> {
    unique(cert, &OID_X509_EXT_EXTENDED_KEY_USAGE)
}

/// The keyUsage extension.
pub(crate) fn key_usage(cert: &X509Certificate<'_>) -> Result<Option<KeyUsage>, X509Error> {
    unique(cert, &OID_X509_EXT_KEY_USAGE)
}

/// The basicConstraints extension.
pub(crate) fn basic_constraints(
    cert: &X509Certificate<'_>,
) -> Result<Option<BasicConstraints>, X509Error> {
    unique(cert, &OID_X509_EXT_BASIC_CONSTRAINTS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::x509::Leaf;
    use rcgen::{CertificateParams, CustomExtension, KeyPair};

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
    fn getters_read_what_a_deep_parse_reads() {
        // SEQUENCE { OID clientAuth }
        let client_auth = vec![
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
        ];
        let der = cert_with(vec![CustomExtension::from_oid_content(&EKU, client_auth)]);
        let (_, cert) = parse(&der).unwrap();
        assert!(eku(&cert).unwrap().unwrap().client_auth);
        assert_eq!(key_usage(&cert).unwrap(), None);
        assert_eq!(san(&cert).unwrap().len(), 1);
        let (_, deep) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(
            Leaf::from_x509(&cert).unwrap(),
            Leaf::from_x509(&deep).unwrap()
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
            let (_, cert) = parse(&der).expect("the envelope still parses");
            assert!(Leaf::from_x509(&cert).is_err(), "{what}");
            assert!(Leaf::from_der(&der).is_err(), "{what}");
        }
    }
}
