//! Certificates, CSRs and keys: PEM blocks, PEM strings inside JSON, JSON arrays of bare
//! base64 DER (the 2023-01 chain), and the base64url DER of the ACME finalize `csr`.
//!
//! Only the outer DER framing is checked (one complete SEQUENCE), enough to tell DER from
//! random base64; the contents are for `e2ei-verify` to parse.

use super::markdown::trim;
use std::borrow::Cow;

/// What a DER object is, by its PEM label or by where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Certificate,
    CertificateRequest,
    PublicKey,
    /// A private key printed in the capture: a secret leaked into a published file.
    PrivateKey,
    Other,
}

impl ObjectKind {
    /// Classifies a PEM label (`CERTIFICATE`, `EC PRIVATE KEY`, …).
    pub fn from_label(label: &str) -> Self {
        match label {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => Self::Certificate,
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => Self::CertificateRequest,
            l if l.ends_with("PRIVATE KEY") => Self::PrivateKey,
            l if l.ends_with("PUBLIC KEY") => Self::PublicKey,
            _ => Self::Other,
        }
    }
}

/// Where a DER object was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectSource {
    /// A `-----BEGIN …-----` block in a text or untagged fence.
    PemBlock,
    /// A PEM block in the body of an HTTP response written as the text the server sends
    /// (`application/pem-certificate-chain`): the block right after the response's own,
    /// or the body inside it. What was received, not a view printed beside it.
    PemBody,
    /// PEM inside a JSON string (the certificate download from 2023-03 on), at `pointer`.
    JsonPem { pointer: String },
    /// An element of a JSON array of bare base64 DER strings (2023-01), at `pointer`.
    JsonDerArray { pointer: String },
    /// The `csr` of an ACME finalize payload (base64url DER).
    AcmeCsr,
}

/// An openssl text dump printed next to an object: a decoded view, not the truth.
/// Borrowed from the capture unless its lines had to be joined (CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextView<'a> {
    pub line: usize,
    pub text: Cow<'a, str>,
}

/// A certificate, CSR or key with its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerObject<'a> {
    pub kind: ObjectKind,
    /// The PEM label, or `CERTIFICATE` / `CERTIFICATE REQUEST` for unarmoured DER.
    pub label: String,
    pub der: Vec<u8>,
    pub source: ObjectSource,
    pub line: usize,
    /// The `###### Certificate #N` / `###### CSR:` sub-heading it sits under, if any.
    pub heading: Option<&'a str>,
    pub text_view: Option<TextView<'a>>,
    /// The capture's own tool printed it as the key that did NOT verify the token
    /// above it (`❌ Invalid Signature with key:`): not a key the capture vouches for.
    pub rejected: bool,
}

/// One PEM block found in a text, with the 0-based index of its BEGIN line in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pem {
    pub label: String,
    /// `None` when the body is not base64 or the END line is missing.
    pub der: Option<Vec<u8>>,
    pub begin_index: usize,
}

fn begin_label(line: &str) -> Option<&str> {
    trim(line)
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")
}

fn is_end(line: &str) -> bool {
    trim(line).starts_with("-----END ")
}

/// Finds every PEM block in `text` (lines may be indented; RFC 7468 headers such as
/// `Proc-Type:` are skipped).
pub(crate) fn pem_blocks(text: &str) -> Vec<Pem> {
    let mut out = Vec::new();
    // The lines as `str::lines` splits them, found in one vectorised pass.
    let mut lines = super::markdown::lines(text).enumerate();
    while let Some((begin_index, line)) = lines.next() {
        let Some(label) = begin_label(line) else {
            continue;
        };
        // The body is at most the text: one allocation instead of one per doubling
        // as the lines of a certificate are appended.
        let mut body = String::with_capacity(text.len());
        let mut ended = false;
        for (_, l) in lines.by_ref() {
            if is_end(l) {
                ended = true;
                break;
            }
            if !l.contains(':') {
                body.push_str(trim(l));
            }
        }
        let der = super::tokens::decode_any_base64(&body).filter(|d| ended && !d.is_empty());
        out.push(Pem {
            label: label.to_owned(),
            der,
            begin_index,
        });
    }
    out
}

/// True when `der` is exactly one DER SEQUENCE (tag, definite length, contents).
pub(crate) fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = der else {
        return false;
    };
    let (len, body) = if *first < 0x80 {
        (usize::from(*first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return false;
        }
        let (len_bytes, body) = rest.split_at(n);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, body)
    };
    body.len() == len
}

/// Shortest DER we accept from bare base64 strings: an empty-ish SEQUENCE decoded from a
/// short word would otherwise pass for a certificate.
const MIN_BARE_DER: usize = 32;

/// Decodes a bare base64 (either alphabet, whitespace ignored) DER string.
pub(crate) fn bare_der(s: &str) -> Option<Vec<u8>> {
    super::tokens::decode_any_base64(s).filter(|d| d.len() >= MIN_BARE_DER && is_der_sequence(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_classify() {
        assert_eq!(
            ObjectKind::from_label("EC PRIVATE KEY"),
            ObjectKind::PrivateKey
        );
        assert_eq!(
            ObjectKind::from_label("PRIVATE KEY"),
            ObjectKind::PrivateKey
        );
        assert_eq!(ObjectKind::from_label("PUBLIC KEY"), ObjectKind::PublicKey);
        assert_eq!(
            ObjectKind::from_label("CERTIFICATE REQUEST"),
            ObjectKind::CertificateRequest
        );
        assert_eq!(ObjectKind::from_label("X"), ObjectKind::Other);
    }

    #[test]
    fn pem_blocks_good_bad_and_truncated() {
        let text = "x\n-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAAeHrxmPJAHQJKeG7WiIKY1UnAw403d3xdrFq1/L5J5Q=\n-----END PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n-----BEGIN X-----\nMCow";
        let pems = pem_blocks(text);
        assert_eq!(pems.len(), 3);
        assert_eq!(pems[0].begin_index, 1);
        assert!(pems[0].der.as_deref().is_some_and(is_der_sequence));
        assert!(pems[1].der.is_none());
        assert!(pems[2].der.is_none());
    }

    #[test]
    fn der_framing() {
        assert!(is_der_sequence(&[0x30, 0x01, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x02, 0x00]));
        assert!(!is_der_sequence(&[0x31, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x80]));
        assert!(!is_der_sequence(&[0x30, 0x85, 0, 0, 0, 0, 1]));
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert!(is_der_sequence(&long));
        assert!(!is_der_sequence(&[]));
        assert!(bare_der("MAA=").is_none());
        assert!(bare_der("not base64!").is_none());
    }
}
