//! The step-ca provisioner extension, which names the ACME provisioner that issued a leaf.
//!
//! step-ca writes `1.3.6.1.4.1.37476.9000.64.1` as
//! `SEQUENCE { INTEGER type, OCTET STRING name, OCTET STRING credentialID, … }`
//! (type 6 = ACME). Wire's provisioners are named `wire-acme`, `acme` or `wire`; a
//! leaf without the extension was not issued through a step-ca provisioner at all.

use x509_parser::der_parser::ber::BerObject;
use x509_parser::der_parser::der::parse_der_sequence;

use super::cert::Certificate;

/// Dotted OID of the step-ca provisioner extension.
pub const PROVISIONER_OID: &str = "1.3.6.1.4.1.37476.9000.64.1";

/// The provisioner type step-ca uses for ACME.
pub const ACME_PROVISIONER_TYPE: i64 = 6;

/// A decoded provisioner extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provisioner {
    /// Provisioner type (6 = ACME).
    pub kind: i64,
    /// Provisioner name, e.g. `wire-acme`.
    pub name: String,
    /// Credential id (empty for ACME).
    pub credential_id: Vec<u8>,
}

impl Provisioner {
    /// A one-line description for reports.
    pub fn describe(&self) -> String {
        let kind = if self.kind == ACME_PROVISIONER_TYPE {
            "ACME".to_owned()
        } else {
            format!("type {}", self.kind)
        };
        format!(
            "{kind} provisioner {:?}, credential id {:?}",
            self.name,
            String::from_utf8_lossy(&self.credential_id)
        )
    }
}

/// The provisioner extension of `cert`: `None` if absent, `Err` if unreadable.
pub(crate) fn of(cert: &Certificate<'_>) -> Option<Result<Provisioner, String>> {
    Some(decode(cert.extension(ENCODED_OID)?.value))
}

/// [`PROVISIONER_OID`]'s contents octets: extensions are matched on the encoded
/// OID, without formatting each one as text.
const ENCODED_OID: &[u8] = &[
    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xa4, 0x64, 0xc6, 0x28, 0x40, 0x01,
];

fn decode(value: &[u8]) -> Result<Provisioner, String> {
    let (rest, seq) = parse_der_sequence(value).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err("trailing data after the provisioner SEQUENCE".into());
    }
    let items = seq.as_sequence().map_err(|e| e.to_string())?;
    let field = |i: usize, what: &str| -> Result<&BerObject<'_>, String> {
        items.get(i).ok_or_else(|| format!("missing {what}"))
    };
    let kind = field(0, "type")?.as_i64().map_err(|e| e.to_string())?;
    let name = field(1, "name")?.as_slice().map_err(|e| e.to_string())?;
    let credential_id = field(2, "credential id")?
        .as_slice()
        .map_err(|e| e.to_string())?;
    Ok(Provisioner {
        kind,
        name: String::from_utf8(name.to_vec()).map_err(|_| "name is not UTF-8")?,
        credential_id: credential_id.to_vec(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_2026_capture() {
        // 30 0b 02 01 06 04 04 "wire" 04 00, from the 2026-01 transcript leaf
        let value = [
            0x30, 0x0b, 0x02, 0x01, 0x06, 0x04, 0x04, b'w', b'i', b'r', b'e', 0x04, 0x00,
        ];
        let p = decode(&value).unwrap();
        assert_eq!(p.kind, ACME_PROVISIONER_TYPE);
        assert_eq!(p.name, "wire");
        assert!(p.credential_id.is_empty());
    }

    #[test]
    fn encoded_oid_is_the_dotted_one() {
        let oid = x509_parser::der_parser::Oid::new(ENCODED_OID.into());
        assert_eq!(oid.to_id_string(), PROVISIONER_OID);
    }

    #[test]
    fn rejects_truncated_value() {
        assert!(decode(&[0x30, 0x03, 0x02, 0x01, 0x06]).is_err());
        assert!(decode(&[0x30, 0x05, 0x02, 0x01]).is_err());
    }
}
