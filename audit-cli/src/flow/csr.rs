//! The finalize CSR: its self-signature (proof of possession of the key the
//! certificate will bind) and its SANs against the identifiers of the order.

use super::reconstruct::Flow;
use super::report::FlowCheck;
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{public_key_from_spki_der, Algorithm, KeyType, PublicKey};
use e2ei_verify::report::{Check, Status};
use serde_json::Value;
use std::collections::BTreeSet;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

/// `csr.signature` and `csr.san`, at the finalize step.
pub fn checks(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let Some(csr) = &flow.csr else {
        return;
    };
    let step = csr.step;
    let mut push = |c: Check| out.push(FlowCheck::at(c, step));
    let Ok((_, req)) = X509CertificationRequest::from_der(csr.value) else {
        push(Check::new(
            "csr.signature",
            Status::Fail,
            "the finalize csr is not a DER PKCS#10 request",
        ));
        return;
    };
    push(signature(&req));
    push(san(flow, &req));
}

fn signature(req: &X509CertificationRequest<'_>) -> Check {
    let info = &req.certification_request_info;
    let verified = public_key_from_spki_der(info.subject_pki.raw)
        .and_then(PublicKey::new)
        .map_err(|e| e.to_string())
        .and_then(|key| {
            let alg = key.jwk().key_type().algorithm();
            let sig = req.signature_value.data.as_ref();
            let sig = match alg {
                Algorithm::EdDSA => Some(sig.to_vec()),
                _ => ecdsa_fixed(sig, key.jwk().key_type()),
            }
            .ok_or("the ECDSA signature is not DER (r, s)")?;
            key.verify(alg, info.raw, &sig)
                .map(|()| alg)
                .map_err(|e| e.to_string())
        });
    match verified {
        Ok(alg) => Check::new(
            "csr.signature",
            Status::Pass,
            format!("{} self-signature verifies with the CSR's key", alg.name()),
        ),
        Err(e) => Check::new(
            "csr.signature",
            Status::Fail,
            format!("the CSR self-signature does not verify: {e}"),
        ),
    }
}

/// X.509 ECDSA signatures are DER `SEQUENCE { r INTEGER, s INTEGER }`; JOSE
/// verification takes fixed-width `r || s`.
fn ecdsa_fixed(der: &[u8], key_type: KeyType) -> Option<Vec<u8>> {
    let width = key_type.coordinate_len();
    let (body, rest) = tlv(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (r, body) = tlv(body, 0x02)?;
    let (s, rest) = tlv(body, 0x02)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(2 * width);
    for int in [r, s] {
        let int = int.get(int.iter().take_while(|b| **b == 0).count()..)?;
        let pad = width.checked_sub(int.len())?;
        out.extend(std::iter::repeat_n(0u8, pad));
        out.extend_from_slice(int);
    }
    Some(out)
}

/// One DER element with `tag`: (contents, remainder).
fn tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if t != tag {
        return None;
    }
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        let bytes = rest.get(..n)?;
        let len = bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, rest.get(n..)?)
    };
    Some((rest.get(..len)?, rest.get(len..)?))
}

/// Identities normalised so every era's spelling compares equal.
fn normalise(name: &str) -> String {
    ClientId::parse(name)
        .map(|c| c.to_uri())
        .or_else(|_| Handle::parse(name).map(|h| h.to_uri()))
        .unwrap_or_else(|_| name.to_ascii_lowercase())
}

/// What the order asked for: `dns` values, and the client id and handle of
/// `wireapp-*` identifiers (whose value is a JSON document).
fn ordered(flow: &Flow<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for id in &flow.identifiers {
        let (Some(kind), Some(value)) = (
            id.get("type").and_then(Value::as_str),
            id.get("value").and_then(Value::as_str),
        ) else {
            continue;
        };
        if kind == "dns" {
            names.insert(normalise(value));
            continue;
        }
        let Ok(doc) = serde_json::from_str::<Value>(value) else {
            continue;
        };
        for member in ["client-id", "handle"] {
            if let Some(v) = doc.get(member).and_then(Value::as_str) {
                names.insert(normalise(v));
            }
        }
    }
    names
}

fn san(flow: &Flow<'_>, req: &X509CertificationRequest<'_>) -> Check {
    let mut sans = BTreeSet::new();
    for ext in req.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = ext {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(d) => sans.insert(normalise(d)),
                    GeneralName::URI(u) => sans.insert(normalise(u)),
                    _ => false,
                };
            }
        }
    }
    let expected = ordered(flow);
    if expected.is_empty() {
        return Check::new(
            "csr.san",
            Status::Skip,
            "the order's identifiers were not captured",
        );
    }
    let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    if sans == expected {
        Check::new(
            "csr.san",
            Status::Pass,
            format!(
                "the CSR names exactly the ordered identities: {}",
                join(&sans)
            ),
        )
    } else {
        let mut c = Check::new(
            "csr.san",
            Status::Fail,
            "the CSR's SANs are not the identities the order asked for",
        );
        c.expected = Some(join(&expected));
        c.found = Some(join(&sans));
        c
    }
}
