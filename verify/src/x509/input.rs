//! Certificates and CSRs in the shapes real captures hold them.
//!
//! ACME servers answer `application/pem-certificate-chain`, but transcripts record
//! that body as PEM text, as a JSON string holding the PEM, or as a JSON array of
//! standard base64 DER strings (wrapped with `\n`, no armour). A finalize request
//! carries the CSR as base64url DER inside `{"csr": …}`. Every shape ends as DER;
//! every certificate is parsed once here so that later checks never meet garbage.

use rustls_pki_types::CertificateDer;

use super::cert::Certificate;

/// Why an input holds no usable certificate or CSR.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing that looks like a certificate (or CSR) was found.
    #[error("no {0} found in the input")]
    Nothing(&'static str),
    /// A PEM block or JSON string is not valid base64.
    #[error("item {index} is not valid base64")]
    Base64 {
        /// Position of the item, 0 = first.
        index: usize,
    },
    /// The input starts like JSON but is not the JSON we expect.
    #[error("JSON input is not a string, an array of strings or {{\"csr\": …}}: {0}")]
    Json(String),
    /// A PEM block has no END line.
    #[error("PEM block {index} has no END line")]
    UnterminatedPem {
        /// Position of the block, 0 = first.
        index: usize,
    },
    /// The DER does not parse as an X.509 certificate (or PKCS#10 request).
    #[error("item {index} is not a DER {kind}: {reason}")]
    NotDer {
        /// Position of the item, 0 = first.
        index: usize,
        /// `certificate` or `CSR`.
        kind: &'static str,
        /// The parser's complaint.
        reason: String,
    },
}

/// The DER certificates in `input`, in the order given (leaf first).
///
/// Accepts PEM blocks (text around them ignored), a JSON string holding PEM, a JSON
/// array of base64 DER (or PEM) strings, and one or more concatenated raw DER
/// certificates. Each certificate must parse completely.
pub fn parse_certificates(input: &[u8]) -> Result<Vec<CertificateDer<'static>>, InputError> {
    let items = certificate_items(input)?;
    for (index, der) in items.iter().enumerate() {
        parse_item(index, der)?;
    }
    Ok(items.into_iter().map(CertificateDer::from).collect())
}

/// The DER items of `input` (at least one), not yet parsed: see [`parse_certificates`].
pub(crate) fn certificate_items(input: &[u8]) -> Result<Vec<Vec<u8>>, InputError> {
    let items = items(input)?;
    if items.is_empty() {
        return Err(InputError::Nothing("certificate"));
    }
    Ok(items)
}

/// Item `index` read as a certificate, which must parse completely.
pub(crate) fn parse_item(index: usize, der: &[u8]) -> Result<Certificate<'_>, InputError> {
    Certificate::read(der).map_err(|e| not_der(index, "certificate", e.to_string()))
}

/// The DER of the PKCS#10 request in `input`: PEM, `{"csr": "<base64url>"}`, a
/// JSON string, bare base64url/base64 text, or raw DER.
pub fn parse_csr_der(input: &[u8]) -> Result<Vec<u8>, InputError> {
    // DER is taken byte for byte: its last byte may well be ASCII whitespace.
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let trimmed = input.trim_ascii();
    let text = std::str::from_utf8(trimmed).map_err(|_| InputError::Nothing("CSR"))?;
    if text.starts_with('{') || text.starts_with('"') {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
        let inner = value
            .get("csr")
            .unwrap_or(&value)
            .as_str()
            .ok_or_else(|| InputError::Json("no CSR string".into()))?;
        return parse_csr_der(inner.as_bytes());
    }
    if text.contains("-----BEGIN") {
        let blocks = pem_blocks(text, &["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"])?;
        return blocks.into_iter().next().ok_or(InputError::Nothing("CSR"));
    }
    decode_base64(text, 0)
}

fn items(input: &[u8]) -> Result<Vec<Vec<u8>>, InputError> {
    if input.first() == Some(&0x30) {
        return split_der(input);
    }
    let trimmed = input.trim_ascii();
    let text = std::str::from_utf8(trimmed).map_err(|_| InputError::Nothing("certificate"))?;
    match text.chars().next() {
        Some('"') => {
            let pem = match json_string(text) {
                Some(pem) => pem,
                None => serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?,
            };
            items(pem.as_bytes())
        }
        Some('[') => {
            if let Some(out) = base64_array(text) {
                return Ok(out);
            }
            let list: Vec<String> =
                serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
            let mut out = Vec::new();
            for (index, item) in list.iter().enumerate() {
                if item.contains("-----BEGIN") {
                    out.extend(pem_blocks(item, &["CERTIFICATE"])?);
                } else {
                    out.push(decode_base64(item, index)?);
                }
            }
            Ok(out)
        }
        _ => pem_blocks(text, &["CERTIFICATE"]),
    }
}

/// The DER of a JSON array of base64 strings, read straight from the JSON text:
/// the common capture shape, decoded without building a `String` per item.
///
/// `None` (serde_json then reads the text as before, so that every other shape and
/// every error is judged and reported exactly as it was) unless the text is `[`
/// strings `,` … `]` without PEM armour, with no escapes but `\n`, `\r`, `\t` and
/// `\/`, and every item decodes. A decoded item holds only base64 characters, so
/// its JSON string had no raw whitespace or control character, and the bytes
/// decoded here are the ones serde_json's string would give once its whitespace
/// is removed: the same base64 decoding, the same result.
fn base64_array(text: &str) -> Option<Vec<Vec<u8>>> {
    if find(text, "-----BEGIN").is_some() {
        return None; // PEM items: serde_json's path reads them
    }
    let mut rest = json_ws(text.as_bytes().strip_prefix(b"[")?);
    let mut out = Vec::new();
    if let Some(tail) = rest.strip_prefix(b"]") {
        return tail.is_empty().then_some(Vec::new());
    }
    let mut compact = Vec::with_capacity(text.len());
    loop {
        rest = rest.strip_prefix(b"\"")?;
        compact.clear();
        rest = json_base64_contents(rest, &mut compact)?;
        out.push(decode_compact(&compact)?);
        match json_ws(rest).split_first()? {
            (b',', tail) => rest = json_ws(tail),
            (b']', []) => break,
            _ => return None,
        }
    }
    Some(out)
}

/// `input` after JSON whitespace (space, tab, LF, CR: not form feed, unlike
/// `trim_ascii`).
fn json_ws(input: &[u8]) -> &[u8] {
    let skip = input
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    input.get(skip..).unwrap_or_default()
}

/// Copies the contents of a JSON string body (after its opening quote) into
/// `compact`, the escapes `\n`, `\r`, `\t` left out and `\/` read as `/`; returns
/// what follows the closing quote. `None` for any other escape. Raw bytes are
/// copied unexamined: [`base64_array`] gives up unless `compact` then decodes,
/// which it cannot if it holds a space, a control character or non-ASCII.
fn json_base64_contents<'a>(mut rest: &'a [u8], compact: &mut Vec<u8>) -> Option<&'a [u8]> {
    loop {
        let stop = memchr::memchr2(b'"', b'\\', rest)?;
        let (run, tail) = rest.split_at(stop);
        compact.extend_from_slice(run);
        let (&b, tail) = tail.split_first()?;
        rest = tail;
        if b == b'"' {
            return Some(rest);
        }
        let (&escaped, tail) = rest.split_first()?;
        rest = tail;
        match escaped {
            b'n' | b'r' | b't' => {}
            b'/' => compact.push(b'/'),
            _ => return None,
        }
    }
}

/// The value of the JSON string literal `text` (quotes included), read without
/// serde_json in the shape captures write PEM in: escapes `\n`, `\r`, `\t` and
/// `\/` only, no raw control character or quote inside. `None` for anything
/// else, which serde_json then reads (and reports, if it is not JSON); when this
/// answers, the string is the one serde_json would give.
fn json_string(text: &str) -> Option<String> {
    let mut rest = text.strip_prefix('"')?.as_bytes();
    let mut out = Vec::with_capacity(rest.len());
    loop {
        let stop = memchr::memchr2(b'"', b'\\', rest)?;
        let (run, tail) = rest.split_at(stop);
        // Not short-circuiting, so that it vectorises: runs are whole PEM lines.
        if run.iter().fold(false, |control, b| control | (*b < 0x20)) {
            return None;
        }
        out.extend_from_slice(run);
        match tail {
            [b'"'] => return String::from_utf8(out).ok(),
            [b'\\', escaped, tail @ ..] => {
                out.push(match escaped {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'/' => b'/',
                    _ => return None,
                });
                rest = tail;
            }
            _ => return None,
        }
    }
}

/// Concatenated raw DER certificates.
fn split_der(mut input: &[u8]) -> Result<Vec<Vec<u8>>, InputError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = super::der::read(input)
            .ok_or_else(|| not_der(out.len(), "certificate", "bad DER length".into()))?;
        out.push(tlv.raw.to_vec());
        input = rest;
    }
    Ok(out)
}

/// Bodies of the PEM blocks whose label is one of `labels`, other text ignored.
fn pem_blocks(text: &str, labels: &[&str]) -> Result<Vec<Vec<u8>>, InputError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, "-----BEGIN ") {
        let after = rest.get(start + 11..).unwrap_or_default();
        let Some(dashes) = find(after, "-----") else {
            break;
        };
        let (label, body) = (
            after.get(..dashes).unwrap_or_default(),
            after.get(dashes + 5..).unwrap_or_default(),
        );
        let index = out.len();
        let (block, tail) =
            split_at_end(body, label).ok_or(InputError::UnterminatedPem { index })?;
        if labels.contains(&label) {
            out.push(decode_base64(block, index)?);
        }
        rest = tail;
    }
    Ok(out)
}

/// `body` split around its first `-----END {label}-----` line, found without
/// formatting that marker: every `-----END ` is tried in order, so the split is
/// the one `split_once` on the whole marker would make.
fn split_at_end<'a>(body: &'a str, label: &str) -> Option<(&'a str, &'a str)> {
    let mut from = 0;
    while let Some(pos) = find(body.get(from..)?, "-----END ") {
        let at = from + pos;
        let matched = body
            .get(at + 9..)
            .and_then(|after| after.strip_prefix(label))
            .and_then(|after| after.strip_prefix("-----"));
        if let Some(tail) = matched {
            return Some((body.get(..at)?, tail));
        }
        from = at + 1;
    }
    None
}

/// The byte offset of `needle` in `haystack`, as `str::find` gives it, found with
/// `memchr::memmem` (no searcher to set up per call). For the ASCII needles here
/// the offset is a character boundary.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// Standard or URL-safe base64, whitespace (PEM wrapping, `\n`) ignored.
///
/// The runs between whitespace are copied into one buffer (ASCII whitespace is
/// single bytes in UTF-8, so no character is split) and decoded from there.
fn decode_base64(text: &str, index: usize) -> Result<Vec<u8>, InputError> {
    let bytes = text.as_bytes();
    let mut compact = Vec::with_capacity(bytes.len());
    // PEM whitespace is line breaks (and the odd space), found with memchr; a tab
    // or form feed left in `compact` fails the decoding, and then the byte-wise
    // removal of all ASCII whitespace decides. So the result is always that of
    // the byte-wise removal: a decoding that succeeds held no tab or form feed.
    let mut start = 0;
    for at in memchr::memchr3_iter(b'\n', b'\r', b' ', bytes) {
        compact.extend_from_slice(bytes.get(start..at).unwrap_or_default());
        start = at + 1;
    }
    compact.extend_from_slice(bytes.get(start..).unwrap_or_default());
    if let Some(der) = decode_compact(&compact) {
        return Ok(der);
    }
    compact.clear();
    for run in bytes.split(u8::is_ascii_whitespace) {
        compact.extend_from_slice(run);
    }
    decode_compact(&compact).ok_or(InputError::Base64 { index })
}

/// Base64 without whitespace: URL-safe if it holds `-` or `_`, else standard.
///
/// Padding is optional but never more than canonical (`QQ`, `QQ=` and `QQ==`
/// decode, `QUJD=` does not), and trailing bits must be zero. The decoding is
/// `base64-simd`'s, as for tokens: a chain is kilobytes of base64.
fn decode_compact(compact: &[u8]) -> Option<Vec<u8>> {
    let body = compact
        .strip_suffix(b"==")
        .or_else(|| compact.strip_suffix(b"="))
        .unwrap_or(compact);
    let canonical_padding = (4 - body.len() % 4) % 4;
    if compact.len() - body.len() > canonical_padding {
        return None;
    }
    // Standard first: it succeeds only without `-` and `_`, the case that picks it.
    base64_simd::STANDARD_NO_PAD
        .decode_to_vec(body)
        .ok()
        .or_else(|| {
            let url_safe = memchr::memchr2(b'-', b'_', body).is_some();
            url_safe
                .then(|| base64_simd::URL_SAFE_NO_PAD.decode_to_vec(body).ok())
                .flatten()
        })
}

fn not_der(index: usize, kind: &'static str, reason: String) -> InputError {
    InputError::NotDer {
        index,
        kind,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder keeps the rules of the `base64` crate's standard and
    /// URL-safe engines with optional padding (the decoder before it), on
    /// every short string: canonical trailing bits, at most canonical padding.
    #[test]
    fn base64_agrees_with_the_padding_indifferent_reference() {
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        use base64::{alphabet, Engine};
        let lenient =
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
        let standard = GeneralPurpose::new(&alphabet::STANDARD, lenient);
        let url_safe = GeneralPurpose::new(&alphabet::URL_SAFE, lenient);
        let symbols = b"AQgw+/-_=Z9.";
        for len in 0..=5u32 {
            for mut n in 0..symbols.len().pow(len) {
                let mut text = Vec::new();
                for _ in 0..len {
                    text.push(symbols[n % symbols.len()]);
                    n /= symbols.len();
                }
                let url = text.contains(&b'-') || text.contains(&b'_');
                let reference = if url { &url_safe } else { &standard };
                assert_eq!(
                    decode_compact(&text),
                    reference.decode(&text).ok(),
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn base64_whitespace_of_every_kind_is_removed() {
        for (text, der) in [
            ("AQ\nID", Some(vec![1, 2, 3])),
            ("AQ\r\n I\tD\x0c", Some(vec![1, 2, 3])),
            ("\tAQID", Some(vec![1, 2, 3])),
            ("AQ\u{a0}ID", None), // not ASCII whitespace
            ("AQ!ID", None),
        ] {
            assert_eq!(decode_base64(text, 0).ok(), der, "{text:?}");
        }
    }

    #[test]
    fn json_strings_read_directly_equal_serde_json() {
        let pem = "-----BEGIN CERTIFICATE-----\\nAQID\\r\\n\\/\\t-----END CERTIFICATE-----\\n";
        let pieces = [
            "", "a", "\\n", "\\r", "\\t", "\\/", "\\\"", "\\\\", "\\u0041", "\\x", "\"", "\n",
            "\u{1}", "é", pem,
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("\"{a}{b}{c}\"");
                    let reference: Option<String> = serde_json::from_str(&text).ok();
                    if let Some(direct) = json_string(&text) {
                        assert_eq!(Some(direct), reference, "{text:?}");
                    }
                }
            }
        }
        let text = format!("\"{pem}\"");
        assert_eq!(json_string(&text), serde_json::from_str(&text).ok());
        for text in [
            r#""AQ\u0049D""#,
            r#""a" "#,
            r#""a"b""#,
            "\"a\tb\"",
            r#""a\"#,
        ] {
            assert_eq!(json_string(text), None, "{text:?}");
        }
    }

    #[test]
    fn der_ending_in_a_whitespace_byte_is_kept_whole() {
        // SEQUENCE { INTEGER 9 }: the last byte is 0x09, ASCII tab.
        let der = [0x30, 0x03, 0x02, 0x01, 0x09];
        assert_eq!(parse_csr_der(&der).unwrap(), der.to_vec());
    }

    /// What serde_json's path makes of a JSON array (the reference).
    fn via_serde(text: &str) -> Result<Vec<Vec<u8>>, InputError> {
        let list: Vec<String> = serde_json::from_str(text).unwrap();
        list.iter()
            .enumerate()
            .map(|(i, item)| decode_base64(item, i))
            .collect()
    }

    #[test]
    fn base64_arrays_read_directly_equal_serde_json() {
        for text in [
            r#"["MIIB\nAA==", "AQID"]"#,
            r#"[ "q\/8=" ,"-_8=" ]"#,
            r#"["AQ\r\nID\t"]"#,
            "[]",
        ] {
            let direct = base64_array(text).expect("read directly");
            assert_eq!(Ok(direct), via_serde(text), "{text}");
        }
    }

    #[test]
    fn other_arrays_are_left_to_serde_json() {
        for text in [
            r#"["AQ ID"]"#,     // raw space
            "[\"AQ\tID\"]",     // raw control character: not JSON
            r#"["AQ\u0049D"]"#, // an escape we do not decode
            r#"["AQID!"]"#,     // not base64: serde_json's path reports it
            r#"["-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"]"#,
            r#"["AQID"] x"#,
            r#"["AQID",]"#,
            "[\x0c\"AQID\"]", // form feed is not JSON whitespace
        ] {
            assert_eq!(base64_array(text), None, "{text}");
        }
        assert_eq!(
            items(br#"["AQID", "AQ!D"]"#),
            Err(InputError::Base64 { index: 1 })
        );
        assert!(matches!(items(b"[\"AQ\tID\"]"), Err(InputError::Json(_))));
    }
}
