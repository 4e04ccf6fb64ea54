//! A strict reading of a certificate's structure, made once per verification.
//!
//! # Why not x509-parser here
//! x509-parser decodes everything into values: every name into attribute lists,
//! both times into calendar structures, every extension envelope into an owned
//! OID. In a chain verification that was a third of all the work besides the
//! signature checks, for fields no check reads. This reader checks the same
//! RFC 5280 structure in strict DER — canonical lengths, every field's tag and
//! order, no trailing bytes at any level, the names' RDN structure, the times'
//! DER forms, unique extension OIDs — and keeps slices of the input: issuer and
//! subject DER, validity in seconds, the SPKI, the extensions as
//! (OID, critical, value). Where it differs from x509-parser it is stricter
//! (trailing bytes inside a field, a `signature` that differs from the outer
//! `signatureAlgorithm`, duplicate extensions, times outside RFC 5280's forms),
//! and in each of those webpki, which validates the path, refuses the
//! certificate too. The extension values the checks read are decoded on demand
//! by x509-parser's own parsers ([`super::ext`]); x509-parser also formats names
//! for messages, which verification never needs.

use std::fmt;

use super::der::{self, Tlv};

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
/// `[0] EXPLICIT Version`.
const VERSION: u8 = 0xa0;
/// `[1] IMPLICIT UniqueIdentifier`, `[2] IMPLICIT UniqueIdentifier`.
const ISSUER_UID: u8 = 0x81;
const SUBJECT_UID: u8 = 0x82;
/// `[3] EXPLICIT Extensions`.
const EXTENSIONS: u8 = 0xa3;

/// One certificate, read and checked; every field borrows from the DER.
#[derive(Clone, Debug)]
pub(crate) struct Certificate<'a> {
    /// The issuer `Name`, tag and length included.
    pub(crate) issuer: &'a [u8],
    /// The subject `Name`, tag and length included.
    pub(crate) subject: &'a [u8],
    /// `notBefore`, seconds since the Unix epoch.
    pub(crate) not_before: i64,
    /// `notAfter`, seconds since the Unix epoch.
    pub(crate) not_after: i64,
    /// The `SubjectPublicKeyInfo`, tag and length included.
    pub(crate) spki: &'a [u8],
    /// The `subjectPublicKey` BIT STRING's octets.
    pub(crate) public_key: &'a [u8],
    extensions: Vec<Extension<'a>>,
}

/// One extension: its OID (contents octets) and `extnValue` octets. Whether it
/// is critical is webpki's to judge (it refuses critical extensions it does not
/// know); the reader only checks that the flag is a DER BOOLEAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extension<'a> {
    pub(crate) oid: &'a [u8],
    pub(crate) value: &'a [u8],
}

/// Why a certificate was refused: the part that is not the DER RFC 5280 defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(&'static str);

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed {}", self.0)
    }
}

impl<'a> Certificate<'a> {
    /// Reads exactly one certificate: bytes after it are refused.
    pub(crate) fn read(der: &'a [u8]) -> Result<Self, Malformed> {
        let outer = der::read_only(der, SEQUENCE).ok_or(Malformed("certificate"))?;
        let mut parts = Fields(outer.value);
        let tbs = parts.expect(SEQUENCE, "tbsCertificate")?;
        let algorithm = parts.expect(SEQUENCE, "signatureAlgorithm")?;
        let signature = parts.expect(BIT_STRING, "signatureValue")?;
        parts.end("certificate")?;
        algorithm_identifier(algorithm.value, "signatureAlgorithm")?;
        bit_string(signature.value, "signatureValue")?;
        Self::read_tbs(tbs.value, algorithm.raw)
    }

    fn read_tbs(tbs: &'a [u8], outer_algorithm: &[u8]) -> Result<Self, Malformed> {
        let mut fields = Fields(tbs);
        let version = version(&mut fields)?;
        serial_number(fields.expect(INTEGER, "serialNumber")?)?;
        let signature = fields.expect(SEQUENCE, "signature")?;
        // RFC 5280 §4.1.2.3: MUST be the same algorithm as signatureAlgorithm.
        if signature.raw != outer_algorithm {
            return Err(Malformed("signature (differs from signatureAlgorithm)"));
        }
        let issuer = fields.expect(SEQUENCE, "issuer")?;
        name(issuer.value, "issuer")?;
        let (not_before, not_after) = validity(fields.expect(SEQUENCE, "validity")?.value)?;
        let subject = fields.expect(SEQUENCE, "subject")?;
        name(subject.value, "subject")?;
        let spki = fields.expect(SEQUENCE, "subjectPublicKeyInfo")?;
        let public_key = subject_public_key_info(spki.value)?;
        for (tag, what) in [
            (ISSUER_UID, "issuerUniqueID"),
            (SUBJECT_UID, "subjectUniqueID"),
        ] {
            if let Some(uid) = fields.optional(tag, what)? {
                if version < 1 {
                    return Err(Malformed("unique identifier (v1 certificate)"));
                }
                bit_string_any(uid.value, what)?;
            }
        }
        let extensions = match fields.optional(EXTENSIONS, "extensions")? {
            Some(_) if version < 2 => return Err(Malformed("extensions (not a v3 certificate)")),
            Some(tagged) => extensions(tagged.value)?,
            None => Vec::new(),
        };
        fields.end("tbsCertificate")?;
        Ok(Certificate {
            issuer: issuer.raw,
            subject: subject.raw,
            not_before,
            not_after,
            spki: spki.raw,
            public_key,
            extensions,
        })
    }

    /// The extension `oid` (contents octets), if present; there is at most one.
    pub(crate) fn extension(&self, oid: &[u8]) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }
}

/// A `Name` (tag included) formatted RFC 4514 style by x509-parser, for
/// messages only; empty if x509-parser cannot read it. A plain name (the
/// attributes of every Wire subject and issuer, string values) is written
/// here as x509-parser writes it, without its registry lookups and
/// intermediate strings (a test holds the two to the same text).
pub(crate) fn display_name(name: &[u8]) -> String {
    plain_display_name(name).unwrap_or_else(|| x509_display_name(name))
}

/// [`display_name`] by x509-parser.
fn x509_display_name(name: &[u8]) -> String {
    use x509_parser::prelude::{FromDer, X509Name};
    match X509Name::from_der(name) {
        // x509-parser's registry does not know Netscape's displayName, which
        // every Wire subject carries: name it rather than print a bare OID.
        Ok(([], name)) => name
            .to_string()
            .replace("OID(2.16.840.1.113730.3.1.241)=", "displayName="),
        _ => String::new(),
    }
}

/// The attribute types [`plain_display_name`] writes (DER contents of the
/// OID), with the names x509-parser gives them.
const PLAIN_ATTRIBUTES: [(&[u8], &str); 7] = [
    (&[0x55, 0x04, 0x03], "CN"),
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (
        &[
            0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x03, 0x01, 0x81, 0x71,
        ],
        "displayName",
    ),
];

/// [`x509_display_name`] of a name whose every RDN holds one or more
/// attributes of [`PLAIN_ATTRIBUTES`] with a UTF8String value, or a
/// PrintableString or IA5String value of printable ASCII, none holding `OID(`
/// (which the displayName rewrite could match): `None` for anything else,
/// which x509-parser then reads.
fn plain_display_name(name: &[u8]) -> Option<String> {
    let rdns = der::read_only(name, 0x30)?;
    let mut out = String::with_capacity(rdns.value.len());
    let mut rest = rdns.value;
    while !rest.is_empty() {
        let (rdn, after) = der::read(rest)?;
        rest = after;
        if rdn.tag != 0x31 || rdn.value.is_empty() {
            return None;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        let mut attributes = rdn.value;
        let mut first = true;
        while !attributes.is_empty() {
            let (attribute, after) = der::read(attributes)?;
            attributes = after;
            if !first {
                out.push_str(" + ");
            }
            first = false;
            plain_attribute(attribute, &mut out)?;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Appends `type=value` of one plain attribute (see [`plain_display_name`]).
fn plain_attribute(attribute: Tlv<'_>, out: &mut String) -> Option<()> {
    if attribute.tag != 0x30 {
        return None;
    }
    let (oid, rest) = der::read(attribute.value)?;
    let value = der::read_only(rest, rest.first().copied()?)?;
    let (_, abbrev) = PLAIN_ATTRIBUTES
        .iter()
        .find(|(known, _)| oid.tag == 0x06 && oid.value == *known)?;
    let printable = || value.value.iter().all(|b| matches!(b, b' '..=b'~'));
    let text = match value.tag {
        0x0c => std::str::from_utf8(value.value).ok()?,
        0x13 | 0x16 if printable() => std::str::from_utf8(value.value).ok()?,
        _ => return None,
    };
    // x509-parser's text is rewritten where it holds the displayName OID:
    // `OID(` can only be matched inside one value (the text it is rewritten
    // from has no `,`, space or `+`, and no `=` but its last), so only a value
    // holding `OID(` is left to x509-parser. Names such as `Smith, Alice (QA)`
    // are common and stay here.
    if text.contains("OID(") {
        return None;
    }
    out.push_str(abbrev);
    out.push('=');
    out.push_str(text);
    Some(())
}

/// The elements of one constructed value, read in order.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn next(&mut self, what: &'static str) -> Result<Tlv<'a>, Malformed> {
        let (tlv, rest) = der::read(self.0).ok_or(Malformed(what))?;
        self.0 = rest;
        Ok(tlv)
    }

    fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, Malformed> {
        match self.next(what)? {
            tlv if tlv.tag == tag => Ok(tlv),
            _ => Err(Malformed(what)),
        }
    }

    /// The next element if it has `tag`; nothing is consumed otherwise.
    fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, Malformed> {
        if self.0.first() != Some(&tag) {
            return Ok(None);
        }
        self.next(what).map(Some)
    }

    fn end(&self, what: &'static str) -> Result<(), Malformed> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Malformed(what))
        }
    }
}

/// `[0] EXPLICIT INTEGER { v1(0), v2(1), v3(2) } DEFAULT v1`, as 0, 1 or 2.
fn version(fields: &mut Fields<'_>) -> Result<u8, Malformed> {
    let Some(tagged) = fields.optional(VERSION, "version")? else {
        return Ok(0);
    };
    match der::read_only(tagged.value, INTEGER).map(|i| i.value) {
        Some([v @ 0..=2]) => Ok(*v),
        _ => Err(Malformed("version")),
    }
}

/// Any non-empty INTEGER: like webpki, negative and over-long serial numbers
/// are tolerated (RFC 5280 §4.1.2.2 asks relying parties to accept them).
fn serial_number(serial: Tlv<'_>) -> Result<(), Malformed> {
    if serial.value.is_empty() {
        return Err(Malformed("serialNumber"));
    }
    Ok(())
}

/// `SEQUENCE { OBJECT IDENTIFIER, parameters ANY OPTIONAL }` (contents).
fn algorithm_identifier(contents: &[u8], what: &'static str) -> Result<(), Malformed> {
    let mut fields = Fields(contents);
    object_identifier(fields.expect(OID, what)?.value, what)?;
    if !fields.0.is_empty() {
        fields.next(what)?;
    }
    fields.end(what)
}

/// An OID's contents: non-empty, each sub-identifier minimal and terminated.
pub(crate) fn object_identifier(contents: &[u8], what: &'static str) -> Result<(), Malformed> {
    let terminated = contents.last().is_some_and(|b| b & 0x80 == 0);
    let mut at_start = true;
    for &byte in contents {
        if at_start && byte == 0x80 {
            return Err(Malformed(what));
        }
        at_start = byte & 0x80 == 0;
    }
    if terminated {
        Ok(())
    } else {
        Err(Malformed(what))
    }
}

/// A BIT STRING of whole octets; returns them.
fn bit_string<'a>(contents: &'a [u8], what: &'static str) -> Result<&'a [u8], Malformed> {
    match contents.split_first() {
        Some((0, octets)) => Ok(octets),
        _ => Err(Malformed(what)),
    }
}

/// Any DER BIT STRING: unused bits 0–7, none when empty, and those bits zero.
fn bit_string_any(contents: &[u8], what: &'static str) -> Result<(), Malformed> {
    match contents.split_first() {
        Some((0, _)) => Ok(()),
        Some((&unused, [.., last])) if unused < 8 && last & ((1 << unused) - 1) == 0 => Ok(()),
        _ => Err(Malformed(what)),
    }
}

/// `Name`: `SEQUENCE OF SET (SIZE 1..) OF SEQUENCE { OID, ANY }` (contents).
fn name(contents: &[u8], what: &'static str) -> Result<(), Malformed> {
    let mut rdns = Fields(contents);
    while !rdns.0.is_empty() {
        let rdn = rdns.expect(SET, what)?;
        if rdn.value.is_empty() {
            return Err(Malformed(what));
        }
        let mut attributes = Fields(rdn.value);
        while !attributes.0.is_empty() {
            let mut pair = Fields(attributes.expect(SEQUENCE, what)?.value);
            object_identifier(pair.expect(OID, what)?.value, what)?;
            pair.next(what)?;
            pair.end(what)?;
        }
    }
    Ok(())
}

/// `Validity`: two times, as seconds since the Unix epoch.
fn validity(contents: &[u8]) -> Result<(i64, i64), Malformed> {
    let mut fields = Fields(contents);
    let not_before = time(fields.next("notBefore")?).ok_or(Malformed("notBefore"))?;
    let not_after = time(fields.next("notAfter")?).ok_or(Malformed("notAfter"))?;
    fields.end("validity")?;
    Ok((not_before, not_after))
}

/// RFC 5280 §4.1.2.5: `YYMMDDHHMMSSZ` (UTCTime, 1950–2049) or `YYYYMMDDHHMMSSZ`
/// (GeneralizedTime), in UTC, seconds present, no fraction.
fn time(tlv: Tlv<'_>) -> Option<i64> {
    let (year, rest) = match (tlv.tag, tlv.value.len()) {
        (UTC_TIME, 13) => {
            let (yy, rest) = tlv.value.split_at_checked(2)?;
            let yy = digits(yy)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, rest)
        }
        (GENERALIZED_TIME, 15) => {
            let (yyyy, rest) = tlv.value.split_at_checked(4)?;
            (digits(yyyy)?, rest)
        }
        _ => return None,
    };
    let [mo0, mo1, d0, d1, h0, h1, mi0, mi1, s0, s1, b'Z'] = *rest else {
        return None;
    };
    let two = |a, b| digits(&[a, b]);
    let date =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(mo0, mo1)?, two(d0, d1)?)?;
    let at = date.and_hms_opt(two(h0, h1)?, two(mi0, mi1)?, two(s0, s1)?)?;
    Some(at.and_utc().timestamp())
}

/// Decimal digits only, as a number.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// `SubjectPublicKeyInfo` (contents): returns the key octets.
fn subject_public_key_info(contents: &[u8]) -> Result<&[u8], Malformed> {
    const WHAT: &str = "subjectPublicKeyInfo";
    let mut fields = Fields(contents);
    algorithm_identifier(fields.expect(SEQUENCE, WHAT)?.value, WHAT)?;
    let key = bit_string(fields.expect(BIT_STRING, WHAT)?.value, WHAT)?;
    fields.end(WHAT)?;
    Ok(key)
}

/// `[3] EXPLICIT SEQUENCE OF Extension` (contents of the tag). Empty lists are
/// tolerated as webpki tolerates them; a repeated OID is not (RFC 5280 §4.2).
fn extensions(tagged: &[u8]) -> Result<Vec<Extension<'_>>, Malformed> {
    const WHAT: &str = "extensions";
    let list = der::read_only(tagged, SEQUENCE).ok_or(Malformed(WHAT))?;
    let mut items = Fields(list.value);
    let mut out: Vec<Extension<'_>> = Vec::with_capacity(10);
    while !items.0.is_empty() {
        let ext = extension(items.expect(SEQUENCE, WHAT)?.value)?;
        // Most OIDs here are 2.5.29.x: length and last byte tell them apart
        // before a full comparison is needed.
        let same = |e: &Extension<'_>| {
            e.oid.len() == ext.oid.len() && e.oid.last() == ext.oid.last() && e.oid == ext.oid
        };
        if out.iter().any(same) {
            return Err(Malformed("extensions (one appears twice)"));
        }
        out.push(ext);
    }
    Ok(out)
}

/// `SEQUENCE { OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
fn extension(contents: &[u8]) -> Result<Extension<'_>, Malformed> {
    const WHAT: &str = "extension";
    let mut fields = Fields(contents);
    let oid = fields.expect(OID, WHAT)?.value;
    object_identifier(oid, WHAT)?;
    // DER writes TRUE as 0xff; an explicit FALSE is tolerated, as webpki does.
    if let Some(critical) = fields.optional(BOOLEAN, WHAT)? {
        if !matches!(critical.value, [0xff] | [0x00]) {
            return Err(Malformed(WHAT));
        }
    }
    let value = fields.expect(OCTET_STRING, WHAT)?.value;
    fields.end(WHAT)?;
    Ok(Extension { oid, value })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        der::write(tag, value, &mut out);
        out
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    const ECDSA_SHA256: &[u8] = &[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];

    /// The parts of a v3 certificate, each a whole DER element, to be altered one
    /// at a time.
    struct Parts {
        version: Vec<u8>,
        serial: Vec<u8>,
        signature: Vec<u8>,
        issuer: Vec<u8>,
        validity: Vec<u8>,
        subject: Vec<u8>,
        spki: Vec<u8>,
        extensions: Vec<u8>,
        outer_algorithm: Vec<u8>,
    }

    fn utc(text: &str) -> Vec<u8> {
        tlv(UTC_TIME, text.as_bytes())
    }

    fn name(cn: &str) -> Vec<u8> {
        let atv = tlv(
            SEQUENCE,
            &cat(&[&tlv(OID, &[0x55, 4, 3]), &tlv(0x0c, cn.as_bytes())]),
        );
        tlv(SEQUENCE, &tlv(SET, &atv))
    }

    fn extension(oid: &[u8], critical: Option<u8>, value: &[u8]) -> Vec<u8> {
        let flag = critical.map(|b| tlv(BOOLEAN, &[b])).unwrap_or_default();
        tlv(
            SEQUENCE,
            &cat(&[&tlv(OID, oid), &flag, &tlv(OCTET_STRING, value)]),
        )
    }

    fn extensions(list: &[Vec<u8>]) -> Vec<u8> {
        tlv(EXTENSIONS, &tlv(SEQUENCE, &list.concat()))
    }

    impl Parts {
        fn new() -> Self {
            let key = cat(&[&[0x00, 0x04], &[7; 64]]);
            let key_alg = tlv(
                SEQUENCE,
                &cat(&[
                    &tlv(OID, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                    &tlv(OID, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
                ]),
            );
            Parts {
                version: tlv(VERSION, &tlv(INTEGER, &[2])),
                serial: tlv(INTEGER, &[1]),
                signature: ECDSA_SHA256.to_vec(),
                issuer: name("issuer"),
                validity: tlv(
                    SEQUENCE,
                    &cat(&[&utc("250101000000Z"), &utc("350101000000Z")]),
                ),
                subject: name("subject"),
                spki: tlv(SEQUENCE, &cat(&[&key_alg, &tlv(BIT_STRING, &key)])),
                extensions: extensions(&[extension(&[0x55, 0x1d, 0x13], Some(0xff), &[0x30, 0])]),
                outer_algorithm: ECDSA_SHA256.to_vec(),
            }
        }

        fn der(&self) -> Vec<u8> {
            let tbs = tlv(
                SEQUENCE,
                &cat(&[
                    &self.version,
                    &self.serial,
                    &self.signature,
                    &self.issuer,
                    &self.validity,
                    &self.subject,
                    &self.spki,
                    &self.extensions,
                ]),
            );
            let signature = tlv(BIT_STRING, &[0, 0x30, 0]);
            tlv(SEQUENCE, &cat(&[&tbs, &self.outer_algorithm, &signature]))
        }
    }

    /// Holds `ours` to x509-parser's reading of the same DER, field by field;
    /// panics (naming the DER) if x509-parser does not read it whole.
    fn assert_reads_as_x509_parser(der: &[u8], ours: &Certificate<'_>) {
        let (rest, theirs) = X509Certificate::from_der(der)
            .unwrap_or_else(|e| panic!("only ours reads {der:02x?}: {e}"));
        assert!(rest.is_empty());
        assert_eq!(ours.issuer, theirs.issuer().as_raw());
        assert_eq!(ours.subject, theirs.subject().as_raw());
        assert_eq!(ours.not_before, theirs.validity().not_before.timestamp());
        assert_eq!(ours.not_after, theirs.validity().not_after.timestamp());
        assert_eq!(ours.spki, theirs.public_key().raw);
        assert_eq!(
            ours.public_key,
            theirs.public_key().subject_public_key.data.as_ref()
        );
        let extensions: Vec<_> = theirs
            .extensions()
            .iter()
            .map(|e| Extension {
                oid: e.oid.as_bytes(),
                value: e.value,
            })
            .collect();
        assert_eq!(ours.extensions, extensions);
    }

    /// The plain-name writer agrees with x509-parser on names built from
    /// awkward pieces: every attribute type it knows and some it does not,
    /// each string type and others, values with `(`, the displayName text
    /// (or parts of it),
    /// non-UTF-8 and non-ASCII bytes, multi-valued and empty RDNs, trailing
    /// bytes and a non-minimal length.
    #[test]
    fn plain_names_are_written_as_x509_parser_writes_them() {
        let mut oids: Vec<&[u8]> = PLAIN_ATTRIBUTES.iter().map(|(oid, _)| *oid).collect();
        oids.extend([
            &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19][..],
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
            &[0x2a, 0x03, 0x04],
        ]);
        let values: [&[u8]; 15] = [
            b"Alice Smith",
            b"wire.com",
            "\u{e9}l\u{e8}ve".as_bytes(),
            b"a(b",
            b"Smith, Alice M (QA)",
            b"a)=b(",
            b"OID(",
            b"OID",
            b"(2.16.840.1.113730.3.1.241)=",
            b"xOID(2.16.840.1.113730.3.1.241)",
            b"OID(2.16.840.1.113730.3.1.241)=OID(2.16.840.1.113730.3.1.241)=",
            b"OID(2.16.840.1.113730.3.1.241)=x",
            b"a@b_c*",
            b"",
            b"\xff\xfe",
        ];
        let mut attributes = Vec::new();
        for oid in &oids {
            for value in values {
                for tag in [0x0c, 0x13, 0x16, 0x14, 0x04] {
                    attributes.push(tlv(0x30, &[tlv(0x06, oid), tlv(tag, value)].concat()));
                }
            }
        }
        let cn = tlv(
            0x30,
            &[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, b"x")].concat(),
        );
        let mut names = Vec::new();
        for a in &attributes {
            names.push(tlv(0x30, &tlv(0x31, a)));
            names.push(tlv(0x30, &[tlv(0x31, &cn), tlv(0x31, a)].concat()));
            names.push(tlv(0x30, &tlv(0x31, &[cn.clone(), a.clone()].concat())));
        }
        names.extend([
            tlv(0x30, &[]),
            tlv(0x30, &tlv(0x31, &[])),
            [tlv(0x30, &tlv(0x31, &cn)), vec![0]].concat(),
            tlv(0x30, &[tlv(0x31, &cn), vec![0x31]].concat()),
            tlv(0x30, &[tlv(0x31, &cn), tlv(0x04, b"x")].concat()),
            [&[0x30, 0x81, 12][..], &tlv(0x31, &cn)].concat(),
        ]);
        let mut plain = 0;
        for name in &names {
            assert_eq!(display_name(name), x509_display_name(name), "{name:02x?}");
            plain += usize::from(plain_display_name(name).is_some());
        }
        assert!(plain > 50, "{plain}");
    }

    #[test]
    fn reads_what_x509_parser_reads() {
        let der = Parts::new().der();
        let ours = Certificate::read(&der).unwrap();
        assert_reads_as_x509_parser(&der, &ours);
        assert_eq!(ours.not_before, 1_735_689_600);
        assert!(ours.extension(&[0x55, 0x1d, 0x13]).is_some());
        assert_eq!(display_name(ours.subject), "CN=subject");
    }

    /// Every certificate of the real captures (Ed25519, P-256 and P-384 leaves,
    /// the 2023-01 intermediate, the 2026 intermediate and root): the reader
    /// keeps exactly the fields x509-parser reads.
    #[test]
    fn real_certificates_read_as_x509_parser_reads_them() {
        let inputs: [&[u8]; 5] = [
            include_bytes!("../../tests/data/x509/2023-01-18-ed25519-chain.json"),
            include_bytes!("../../tests/data/x509/2023-01-18-p256-chain.json"),
            include_bytes!("../../tests/data/x509/2023-01-18-p384-chain.json"),
            include_bytes!("../../tests/data/x509/2026-01-15-chain.json"),
            include_bytes!("../../tests/data/x509/2026-01-15-root.pem"),
        ];
        let mut read = 0;
        for input in inputs {
            for der in super::super::input::certificate_items(input).unwrap() {
                let ours = Certificate::read(&der).unwrap();
                assert_reads_as_x509_parser(&der, &ours);
                assert!(!display_name(ours.issuer).is_empty());
                read += 1;
            }
        }
        assert_eq!(read, 9);
    }

    /// Deterministic mutations of the real certificates (byte flips, lengths
    /// changed, bytes inserted and removed, truncations): the reader never
    /// panics, and whatever it reads x509-parser reads too, to the same fields.
    /// It may refuse more (it is stricter), never less.
    #[test]
    fn mutated_certificates_are_never_read_where_x509_parser_refuses_them() {
        let inputs: [&[u8]; 2] = [
            include_bytes!("../../tests/data/x509/2023-01-18-p256-chain.json"),
            include_bytes!("../../tests/data/x509/2026-01-15-chain.json"),
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % u64::try_from(bound.max(1)).unwrap()).unwrap()
        };
        let (mut read, mut total) = (0, 0);
        for input in inputs {
            for der in super::super::input::certificate_items(input).unwrap() {
                for _ in 0..1500 {
                    let mut m = der.clone();
                    for _ in 0..1 + next(3) {
                        let at = next(m.len());
                        match next(4) {
                            0 => m[at] ^= 1 << next(8),
                            1 => m[at] = m[at].wrapping_add(1),
                            2 => m.insert(at, u8::try_from(next(256)).unwrap()),
                            _ => drop(m.remove(at)),
                        }
                    }
                    total += 1;
                    let Ok(ours) = Certificate::read(&m) else {
                        continue;
                    };
                    read += 1;
                    assert_reads_as_x509_parser(&m, &ours);
                }
            }
        }
        // Most single-byte changes inside names, keys and signatures still read.
        assert!(read > total / 10, "{read} of {total} read");
    }

    #[test]
    fn optional_fields_may_be_absent() {
        let mut parts = Parts::new();
        parts.version = Vec::new();
        parts.extensions = Vec::new();
        let der = parts.der();
        let cert = Certificate::read(&der).unwrap();
        assert_eq!(cert.extension(&[0x55, 0x1d, 0x13]), None);
        let mut parts = Parts::new();
        parts.validity = tlv(
            SEQUENCE,
            &cat(&[
                &utc("491231235959Z"),
                &tlv(GENERALIZED_TIME, b"20500101000000Z"),
            ]),
        );
        let der = parts.der();
        let cert = Certificate::read(&der).unwrap();
        assert_eq!(cert.not_before, 2_524_607_999, "UTCTime 49 is 2049");
        assert_eq!(cert.not_after, 2_524_608_000);
        let mut parts = Parts::new();
        parts.extensions = extensions(&[extension(&[0x55, 0x1d, 0x13], Some(0x00), &[0x30, 0])]);
        assert!(
            Certificate::read(&parts.der()).is_ok(),
            "explicit FALSE, as webpki"
        );
    }

    /// One change to [`Parts::new`].
    type Alteration = fn(&mut Parts);

    /// Every alteration breaks one rule and must be refused, naming the field.
    #[test]
    fn refuses_every_departure_from_der() {
        let alterations: Vec<(&str, Alteration, &str)> = vec![
            (
                "version 3",
                |p| p.version = tlv(VERSION, &tlv(INTEGER, &[3])),
                "version",
            ),
            (
                "version not INTEGER",
                |p| p.version = tlv(VERSION, &tlv(OCTET_STRING, &[2])),
                "version",
            ),
            (
                "empty serial",
                |p| p.serial = tlv(INTEGER, &[]),
                "serialNumber",
            ),
            (
                "inner algorithm differs",
                |p| {
                    p.signature = tlv(SEQUENCE, &tlv(OID, &[0x2b, 0x65, 0x70]));
                },
                "signature (differs from signatureAlgorithm)",
            ),
            (
                "algorithm with two parameters",
                |p| {
                    let alg = tlv(
                        SEQUENCE,
                        &cat(&[&tlv(OID, &[0x2b, 0x65, 0x70]), &[5, 0], &[5, 0]]),
                    );
                    p.signature = alg.clone();
                    p.outer_algorithm = alg;
                },
                "signatureAlgorithm",
            ),
            (
                "OID with a non-minimal sub-identifier",
                |p| {
                    p.issuer = tlv(
                        SEQUENCE,
                        &tlv(
                            SET,
                            &tlv(
                                SEQUENCE,
                                &cat(&[&tlv(OID, &[0x80, 0x55]), &tlv(0x0c, b"a")]),
                            ),
                        ),
                    );
                },
                "issuer",
            ),
            (
                "empty RDN",
                |p| p.subject = tlv(SEQUENCE, &tlv(SET, &[])),
                "subject",
            ),
            (
                "attribute with two values",
                |p| {
                    let atv = tlv(
                        SEQUENCE,
                        &cat(&[&tlv(OID, &[0x55, 4, 3]), &tlv(0x0c, b"a"), &tlv(0x0c, b"b")]),
                    );
                    p.subject = tlv(SEQUENCE, &tlv(SET, &atv));
                },
                "subject",
            ),
            (
                "UTCTime without seconds",
                |p| {
                    p.validity = tlv(
                        SEQUENCE,
                        &cat(&[&utc("2501010000Z"), &utc("350101000000Z")]),
                    );
                },
                "notBefore",
            ),
            (
                "UTCTime with an offset",
                |p| {
                    p.validity = tlv(
                        SEQUENCE,
                        &cat(&[&utc("250101000000+0100"), &utc("350101000000Z")]),
                    );
                },
                "notBefore",
            ),
            (
                "30 February",
                |p| {
                    p.validity = tlv(
                        SEQUENCE,
                        &cat(&[&utc("250101000000Z"), &utc("350230000000Z")]),
                    );
                },
                "notAfter",
            ),
            (
                "GeneralizedTime with a fraction",
                |p| {
                    p.validity = tlv(
                        SEQUENCE,
                        &cat(&[
                            &utc("250101000000Z"),
                            &tlv(GENERALIZED_TIME, b"20350101000000.5Z"),
                        ]),
                    );
                },
                "notAfter",
            ),
            (
                "a third time",
                |p| {
                    p.validity = tlv(
                        SEQUENCE,
                        &cat(&[
                            &utc("250101000000Z"),
                            &utc("350101000000Z"),
                            &utc("350101000000Z"),
                        ]),
                    );
                },
                "validity",
            ),
            (
                "key with unused bits",
                |p| {
                    let alg = tlv(SEQUENCE, &tlv(OID, &[0x2b, 0x65, 0x70]));
                    p.spki = tlv(SEQUENCE, &cat(&[&alg, &tlv(BIT_STRING, &[1, 0xfe])]));
                },
                "subjectPublicKeyInfo",
            ),
            (
                "extensions in a v1 certificate",
                |p| p.version = Vec::new(),
                "extensions (not a v3 certificate)",
            ),
            (
                "critical flag 0x01",
                |p| {
                    p.extensions =
                        extensions(&[extension(&[0x55, 0x1d, 0x13], Some(0x01), &[0x30, 0])]);
                },
                "extension",
            ),
            (
                "duplicate extension",
                |p| {
                    let bc = extension(&[0x55, 0x1d, 0x13], None, &[0x30, 0]);
                    p.extensions = extensions(&[bc.clone(), bc]);
                },
                "extensions (one appears twice)",
            ),
            (
                "extension value not an OCTET STRING",
                |p| {
                    let ext = tlv(
                        SEQUENCE,
                        &cat(&[&tlv(OID, &[0x55, 0x1d, 0x13]), &tlv(BIT_STRING, &[0])]),
                    );
                    p.extensions = extensions(&[ext]);
                },
                "extension",
            ),
            (
                "bytes after the extensions",
                |p| p.extensions.extend([5, 0]),
                "tbsCertificate",
            ),
            (
                "validity where the issuer belongs",
                |p| std::mem::swap(&mut p.issuer, &mut p.validity),
                "issuer",
            ),
        ];
        for (what, alter, field) in alterations {
            let mut parts = Parts::new();
            alter(&mut parts);
            let err = Certificate::read(&parts.der()).err();
            assert_eq!(err, Some(Malformed(field)), "{what}");
        }
    }

    #[test]
    fn refuses_non_canonical_envelopes() {
        let der = Parts::new().der();
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(
            Certificate::read(&trailing).err(),
            Some(Malformed("certificate"))
        );
        // The outer length re-encoded with one more length octet than needed.
        let (outer, _) = der::read(&der).unwrap();
        let mut long = vec![0x30, 0x83, 0x00];
        long.extend_from_slice(&u16::try_from(outer.value.len()).unwrap().to_be_bytes());
        long.extend_from_slice(outer.value);
        assert!(Certificate::read(&long).is_err());
        for cut in 0..der.len() {
            assert!(
                Certificate::read(&der[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }
}
