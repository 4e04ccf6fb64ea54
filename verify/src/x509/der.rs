//! Just enough DER to slice signed structures and to rewrite a name-constraints value.
//!
//! x509-parser decodes fields but does not hand back the raw `AlgorithmIdentifier`
//! bytes that webpki's algorithm table is keyed on, nor lets us re-encode a
//! `NameConstraints` without its URI subtrees. Both need only tag-length-value
//! slicing, which is what this module does: no interpretation, no panics.

/// One tag-length-value element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (low-tag-number form only).
    pub(crate) tag: u8,
    /// The contents octets.
    pub(crate) value: &'a [u8],
    /// The whole element: identifier, length and contents.
    pub(crate) raw: &'a [u8],
}

/// Reads one element from the front of `input`; `None` if it is not DER we accept.
pub(crate) fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high-tag-number form: never used by the structures we slice
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: 1 to 4 length octets, minimal (X.690 §10.1), so that one
        // value has exactly one encoding.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if bytes.first() == Some(&0) || len < 0x80 {
            return None;
        }
        (len, rest)
    };
    let (value, rest) = rest.split_at_checked(len)?;
    let raw = input.get(..input.len() - rest.len())?;
    Some((Tlv { tag, value, raw }, rest))
}

/// Reads exactly one element with `tag` and nothing after it.
pub(crate) fn read_only(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    match read(input)? {
        (tlv, []) if tlv.tag == tag => Some(tlv),
        _ => None,
    }
}

/// Splits `input` into consecutive elements; `None` if any is malformed.
pub(crate) fn elements(mut input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = read(input)?;
        out.push(tlv);
        input = rest;
    }
    Some(out)
}

/// Appends the element `tag`/`value` to `out`.
pub(crate) fn write(tag: u8, value: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
}

/// The three parts of a signed structure (`Certificate`, `CertificationRequest`).
pub(crate) struct Signed<'a> {
    /// The signed bytes, tag and length included.
    pub(crate) tbs: &'a [u8],
    /// Contents of the signature `AlgorithmIdentifier`, as webpki keys its table.
    pub(crate) algorithm: &'a [u8],
    /// The signature octets (BIT STRING without its unused-bits octet).
    pub(crate) signature: &'a [u8],
}

/// Slices `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }`.
pub(crate) fn signed(der: &[u8]) -> Option<Signed<'_>> {
    let outer = read_only(der, 0x30)?;
    match elements(outer.value)?.as_slice() {
        [tbs, alg, sig] if tbs.tag == 0x30 && alg.tag == 0x30 && sig.tag == 0x03 => {
            let (&unused, signature) = sig.value.split_first()?;
            (unused == 0).then_some(Signed {
                tbs: tbs.raw,
                algorithm: alg.value,
                signature,
            })
        }
        _ => None,
    }
}

/// Contents of the `AlgorithmIdentifier` of a `SubjectPublicKeyInfo`.
pub(crate) fn spki_algorithm(spki: &[u8]) -> Option<&[u8]> {
    let outer = read_only(spki, 0x30)?;
    let (alg, _) = read(outer.value)?;
    (alg.tag == 0x30).then_some(alg.value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let value = vec![7u8; len];
            let mut out = Vec::new();
            write(0x04, &value, &mut out);
            let (tlv, rest) = read(&out).unwrap();
            assert!(rest.is_empty());
            assert_eq!(tlv.value.len(), len);
            assert_eq!(tlv.raw.len(), out.len());
        }
    }

    #[test]
    fn truncated_input_is_rejected() {
        assert!(read(&[0x30, 0x05, 1, 2]).is_none());
        assert!(read(&[0x30, 0x85, 0, 0, 0, 0, 1]).is_none());
        assert!(read(&[0x1f, 0x01, 0]).is_none());
    }

    #[test]
    fn non_minimal_lengths_are_rejected() {
        assert!(read(&[0x04, 0x81, 0x01, 7]).is_none());
        assert!(read(&[0x04, 0x82, 0x00, 0x80]).is_none());
        assert!(read(&[0x04, 0x80]).is_none(), "indefinite length");
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7; 0x80]);
        assert_eq!(read(&long).map(|(t, _)| t.value.len()), Some(0x80));
    }
}
