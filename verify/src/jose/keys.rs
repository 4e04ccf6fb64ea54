//! Loading pinned public keys as users hold them: a JWK, a JWKS, or PEM
//! `PUBLIC KEY` blocks (SubjectPublicKeyInfo), as the transcripts print them.

use super::{parse_object, JoseError, Jwk, KeyType};
use serde_json::Value;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

const ED25519: &str = "1.3.101.112";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const P521: &str = "1.3.132.0.35";

/// Reads every public key in `input`: a JWK, a JWKS (`{"keys": [...]}`), or one
/// or more PEM `PUBLIC KEY` blocks. At least one key, all valid, or an error.
pub fn parse_public_keys(input: &[u8]) -> Result<Vec<Jwk>, JoseError> {
    let text = std::str::from_utf8(input)
        .map_err(|_| JoseError::Key("the key file is not UTF-8 text".into()))?
        .trim();
    let keys = if text.starts_with('{') {
        from_json(text)?
    } else if text.contains("-----BEGIN") {
        from_pem(text)?
    } else {
        return Err(JoseError::Key(
            "expected a JWK, a JWKS or PEM PUBLIC KEY blocks".into(),
        ));
    };
    if keys.is_empty() {
        return Err(JoseError::Key("no public key found".into()));
    }
    Ok(keys)
}

fn from_json(text: &str) -> Result<Vec<Jwk>, JoseError> {
    let object = parse_object(text.as_bytes(), "key file")?;
    match object.get("keys") {
        Some(Value::Array(keys)) => keys.iter().map(Jwk::from_value).collect(),
        Some(_) => Err(JoseError::Key("\"keys\" is not an array".into())),
        None => Jwk::from_object(&object).map(|k| vec![k]),
    }
}

fn from_pem(text: &str) -> Result<Vec<Jwk>, JoseError> {
    let mut keys = Vec::new();
    for pem in Pem::iter_from_buffer(text.as_bytes()) {
        let pem = pem.map_err(|e| JoseError::Key(format!("unreadable PEM: {e}")))?;
        match pem.label.as_str() {
            "PUBLIC KEY" => keys.push(public_key_from_spki_der(&pem.contents)?),
            label if label.contains("PRIVATE") => {
                return Err(JoseError::PrivateKeyMember(label.to_owned()))
            }
            _ => {}
        }
    }
    Ok(keys)
}

/// Reads a DER SubjectPublicKeyInfo of one of the Wire key types.
pub fn public_key_from_spki_der(der: &[u8]) -> Result<Jwk, JoseError> {
    let (rest, spki) = SubjectPublicKeyInfo::from_der(der)
        .map_err(|e| JoseError::Key(format!("not a SubjectPublicKeyInfo: {e}")))?;
    if !rest.is_empty() {
        return Err(JoseError::Key("trailing bytes after the public key".into()));
    }
    let raw = spki.subject_public_key.data.as_ref();
    let key_type = match spki.algorithm.algorithm.to_id_string().as_str() {
        ED25519 => KeyType::Ed25519,
        EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some(P256) => KeyType::P256,
                Some(P384) => KeyType::P384,
                Some(P521) => KeyType::P521,
                other => {
                    return Err(JoseError::Key(format!(
                        "EC curve {} is not accepted",
                        other.unwrap_or("(none)")
                    )))
                }
            }
        }
        other => {
            return Err(JoseError::Key(format!(
                "key algorithm {other} is not accepted"
            )))
        }
    };
    Jwk::from_raw(key_type, raw)
}
