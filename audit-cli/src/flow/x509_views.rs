//! What a person compares two certificates or CSRs by, and openssl's text
//! dumps of them: `transcript.consistency` names the member where a printed
//! view and the signed bytes part, not two descriptions that read the same.

use crate::transcript::ObjectKind;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The members of a certificate or CSR that name who and what it certifies.
#[derive(Debug, PartialEq, Eq)]
pub struct Named {
    /// Subject alternative names as openssl prints them (`URI:…`, `DNS:…`).
    pub sans: Vec<String>,
    pub subject: String,
    /// The subject public key, base64url.
    pub key: String,
    /// Certificates only.
    pub serial: Option<String>,
}

/// The subject alternative names of `der` read as `kind`, as openssl prints
/// them; `None` when it is not one. What a text dump is compared by: no
/// subject or key is written for it.
pub fn sans(der: &[u8], kind: ObjectKind) -> Option<Vec<String>> {
    match kind {
        ObjectKind::Certificate => {
            let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
            Some(certificate_sans(&cert))
        }
        ObjectKind::CertificateRequest => {
            let (_, csr) = X509CertificationRequest::from_der(der).ok()?;
            Some(request_sans(&csr))
        }
        _ => None,
    }
}

impl Named {
    /// `der` read as `kind`; `None` when it is not one.
    pub fn read(der: &[u8], kind: ObjectKind) -> Option<Named> {
        match kind {
            ObjectKind::Certificate => certificate(der),
            ObjectKind::CertificateRequest => request(der),
            _ => None,
        }
    }
}

fn certificate(der: &[u8]) -> Option<Named> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(Named {
        sans: certificate_sans(&cert),
        subject: cert.subject().to_string(),
        key: URL_SAFE_NO_PAD.encode(cert.public_key().subject_public_key.data.as_ref()),
        serial: Some(cert.raw_serial_as_string()),
    })
}

fn request(der: &[u8]) -> Option<Named> {
    let (_, csr) = X509CertificationRequest::from_der(der).ok()?;
    let info = &csr.certification_request_info;
    Some(Named {
        sans: request_sans(&csr),
        subject: info.subject.to_string(),
        key: URL_SAFE_NO_PAD.encode(info.subject_pki.subject_public_key.data.as_ref()),
        serial: None,
    })
}

fn certificate_sans(cert: &X509Certificate<'_>) -> Vec<String> {
    match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().map(general_name).collect(),
        _ => Vec::new(),
    }
}

fn request_sans(csr: &X509CertificationRequest<'_>) -> Vec<String> {
    csr.requested_extensions()
        .into_iter()
        .flatten()
        .filter_map(|ext| match ext {
            ParsedExtension::SubjectAlternativeName(san) => Some(san),
            _ => None,
        })
        .flat_map(|san| san.general_names.iter().map(general_name))
        .collect()
}

/// A general name as openssl's text output spells it.
fn general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::URI(uri) => format!("URI:{uri}"),
        GeneralName::DNSName(dns) => format!("DNS:{dns}"),
        GeneralName::RFC822Name(mail) => format!("email:{mail}"),
        other => format!("{other:?}"),
    }
}

/// The first member where `shown` differs from `signed`, as the evidence of a
/// failure: (`signed` side, `shown` side). Identities first, since they are
/// what a certificate vouches for.
pub fn what_differs(signed: &Named, shown: &Named) -> (String, String) {
    if signed.sans != shown.sans {
        let sans = |n: &Named| format!("SANs {}", n.sans.join(", "));
        return (sans(signed), sans(shown));
    }
    if signed.subject != shown.subject {
        return (
            format!("subject {}", signed.subject),
            format!("subject {}", shown.subject),
        );
    }
    if signed.key != shown.key {
        return (format!("key {}", signed.key), format!("key {}", shown.key));
    }
    match (&signed.serial, &shown.serial) {
        (Some(a), Some(b)) if a != b => (format!("serial {a}"), format!("serial {b}")),
        _ => (
            "the signed bytes".into(),
            "other bytes with the same SANs, subject, key and serial".into(),
        ),
    }
}

/// The subject alternative names an openssl text dump (`openssl x509 -text`,
/// `openssl req -text`) prints, in its order; `None` when it prints none.
pub fn text_sans(text: &str) -> Option<Vec<String>> {
    // The dump is tens of lines of lower-case hex, where `X` hardly occurs:
    // a vectorised search for it, then a comparison, costs less than either
    // `str::find`'s byte-at-a-time two-way search or building a `memmem`
    // searcher per dump.
    const NEEDLE: &[u8] = b"X509v3 Subject Alternative Name";
    let bytes = text.as_bytes();
    let at = memchr::memchr_iter(b'X', bytes)
        .find(|&i| bytes.get(i..).is_some_and(|rest| rest.starts_with(NEEDLE)))?;
    let mut lines = text.get(at..)?.lines();
    lines.next()?;
    let names = lines.next()?.trim();
    Some(
        names
            .split(", ")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_text_sans_are_read_in_order() {
        let text = "Certificate Request:\n    Data:\n        Requested Extensions:\n            X509v3 Subject Alternative Name: \n                URI:im:wireapp=%40alice@wire.com, URI:im:wireapp=a/1@wire.com\n            X509v3 Key Usage:";
        assert_eq!(
            text_sans(text),
            Some(vec![
                "URI:im:wireapp=%40alice@wire.com".to_owned(),
                "URI:im:wireapp=a/1@wire.com".to_owned()
            ])
        );
        let critical =
            "X509v3 Subject Alternative Name: critical\n    DNS:a.example, DNS:b.example\n";
        assert_eq!(
            text_sans(critical),
            Some(vec!["DNS:a.example".to_owned(), "DNS:b.example".to_owned()])
        );
        assert_eq!(text_sans("Certificate:\n    Data:\n"), None);
        // The first occurrence, after near misses (as `str::find` finds it).
        let near = "X509 X509v3 Subject Alternative\nX509v3 Subject Alternative Name:\n    DNS:a\nX509v3 Subject Alternative Name:\n    DNS:b\n";
        assert_eq!(text_sans(near), Some(vec!["DNS:a".to_owned()]));
        assert_eq!(text_sans("X509v3 Subject Alternative Nam"), None);
    }

    #[test]
    fn the_first_differing_member_is_named() {
        let named = |sans: &[&str], subject: &str, key: &str, serial: &str| Named {
            sans: sans.iter().map(|s| (*s).to_owned()).collect(),
            subject: subject.into(),
            key: key.into(),
            serial: Some(serial.into()),
        };
        let a = named(&["URI:a"], "CN=A", "k", "01");
        let cases = [
            (
                named(&["URI:b"], "CN=B", "j", "02"),
                "SANs URI:a",
                "SANs URI:b",
            ),
            (
                named(&["URI:a"], "CN=B", "j", "02"),
                "subject CN=A",
                "subject CN=B",
            ),
            (named(&["URI:a"], "CN=A", "j", "02"), "key k", "key j"),
            (
                named(&["URI:a"], "CN=A", "k", "02"),
                "serial 01",
                "serial 02",
            ),
        ];
        for (b, signed, shown) in cases {
            assert_eq!(what_differs(&a, &b), (signed.to_owned(), shown.to_owned()));
        }
        assert_eq!(what_differs(&a, &a).0, "the signed bytes");
    }
}
