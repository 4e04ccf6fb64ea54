use super::{b64_decode, b64_encode, Algorithm, HashAlg, JoseError, Json, Members, Object};
use aws_lc_rs::signature::ParsedPublicKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// The key types of the Wire ciphersuites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// OKP, curve Ed25519.
    Ed25519,
    /// EC, curve P-256.
    P256,
    /// EC, curve P-384.
    P384,
    /// EC, curve P-521.
    P521,
}

impl KeyType {
    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "Ed25519",
            KeyType::P256 => "P-256",
            KeyType::P384 => "P-384",
            KeyType::P521 => "P-521",
        }
    }

    /// The one algorithm used with this key type.
    pub fn algorithm(self) -> Algorithm {
        match self {
            KeyType::Ed25519 => Algorithm::EdDSA,
            KeyType::P256 => Algorithm::ES256,
            KeyType::P384 => Algorithm::ES384,
            KeyType::P521 => Algorithm::ES512,
        }
    }

    /// Length of one coordinate (or of the Ed25519 key) in bytes.
    pub fn coordinate_len(self) -> usize {
        match self {
            KeyType::Ed25519 | KeyType::P256 => 32,
            KeyType::P384 => 48,
            KeyType::P521 => 66,
        }
    }

    fn from_crv(kty: &str, crv: &str) -> Result<Self, JoseError> {
        match (kty, crv) {
            ("OKP", "Ed25519") => Ok(KeyType::Ed25519),
            ("EC", "P-256") => Ok(KeyType::P256),
            ("EC", "P-384") => Ok(KeyType::P384),
            ("EC", "P-521") => Ok(KeyType::P521),
            (kty, crv) => Err(JoseError::Key(format!(
                "kty {kty:?} with crv {crv:?} is not accepted (OKP Ed25519, EC P-256/P-384/P-521 are)"
            ))),
        }
    }

    fn crv(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "Ed25519",
            KeyType::P256 => "P-256",
            KeyType::P384 => "P-384",
            KeyType::P521 => "P-521",
        }
    }
}

/// Members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A public JWK of one of the Wire key types, as decoded bytes.
///
/// Equality is on the key material only: two JWKs with different `kid`s but the
/// same point are the same key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Jwk {
    key_type: KeyType,
    x: Vec<u8>,
    /// Empty for Ed25519.
    y: Vec<u8>,
}

impl Jwk {
    /// Reads a JWK object strictly: accepted types only, exact coordinate
    /// lengths, no private members, and an `alg` member (if any) fitting the key.
    pub fn from_object(object: &Object) -> Result<Self, JoseError> {
        Jwk::from_members(&Members::from_object(object))
    }

    /// Reads a JWK from a JSON value (which must be an object).
    pub fn from_value(value: &Value) -> Result<Self, JoseError> {
        match value {
            Value::Object(o) => Jwk::from_object(o),
            _ => Err(JoseError::Key("the JWK is not a JSON object".into())),
        }
    }

    /// [`Jwk::from_value`] of a borrowed value (a header's `jwk`).
    pub fn from_json(value: &Json<'_>) -> Result<Self, JoseError> {
        match value {
            Json::Object(o) => Jwk::from_members(o),
            _ => Err(JoseError::Key("the JWK is not a JSON object".into())),
        }
    }

    /// [`Jwk::from_object`] of borrowed members.
    pub fn from_members(object: &Members<'_>) -> Result<Self, JoseError> {
        if let Some(name) = PRIVATE_MEMBERS.iter().find(|m| object.contains_key(m)) {
            return Err(JoseError::PrivateKeyMember((*name).to_owned()));
        }
        Self::public_part(object)
    }

    /// The public key of `object`, private members (if any) ignored: what a
    /// thumbprint names (RFC 7638 hashes the required public members only),
    /// for judging a binding to a key whose JWK is refused for carrying them.
    pub(crate) fn public_part(object: &Members<'_>) -> Result<Self, JoseError> {
        let kty = str_member(object, "kty")?;
        let crv = str_member(object, "crv")?;
        let key_type = KeyType::from_crv(kty, crv)?;
        let x = coordinate(object, "x", key_type)?;
        let y = match key_type {
            KeyType::Ed25519 if object.contains_key("y") => {
                return Err(JoseError::Key("an OKP key has no \"y\" member".into()))
            }
            KeyType::Ed25519 => Vec::new(),
            _ => coordinate(object, "y", key_type)?,
        };
        if let Some(alg) = object.get("alg") {
            let name = alg.as_str().unwrap_or_default();
            Algorithm::from_name(name)?.check_key(key_type)?;
        }
        check_intended_use(object)?;
        Ok(Jwk { key_type, x, y })
    }

    /// Builds a JWK from raw key bytes: 32 bytes for Ed25519, the uncompressed
    /// SEC1 point `04 || x || y` for EC keys.
    pub fn from_raw(key_type: KeyType, raw: &[u8]) -> Result<Self, JoseError> {
        let n = key_type.coordinate_len();
        match key_type {
            KeyType::Ed25519 if raw.len() == n => Ok(Jwk {
                key_type,
                x: raw.to_vec(),
                y: Vec::new(),
            }),
            KeyType::P256 | KeyType::P384 | KeyType::P521
                if raw.len() == 1 + 2 * n && raw.first() == Some(&4) =>
            {
                let (x, y) = raw.get(1..).unwrap_or_default().split_at(n);
                Ok(Jwk {
                    key_type,
                    x: x.to_vec(),
                    y: y.to_vec(),
                })
            }
            _ => Err(JoseError::Key(format!(
                "{} bytes are not an uncompressed {} public key",
                raw.len(),
                key_type.name()
            ))),
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Raw public key bytes: Ed25519 `x`, or the uncompressed point `04 || x || y`.
    pub fn raw(&self) -> Vec<u8> {
        match self.key_type {
            KeyType::Ed25519 => self.x.clone(),
            _ => {
                let mut out = Vec::with_capacity(1 + self.x.len() + self.y.len());
                out.push(4);
                out.extend_from_slice(&self.x);
                out.extend_from_slice(&self.y);
                out
            }
        }
    }

    /// The RFC 7638 canonical JSON: required members only, sorted, no spaces.
    pub fn canonical_json(&self) -> String {
        // Built in one buffer (no formatting machinery): thumbprints are on
        // the fail-fast path.
        let mut out = String::with_capacity(64 + 2 * (self.x.len() + self.y.len()));
        out.push_str(r#"{"crv":""#);
        out.push_str(self.key_type.crv());
        out.push_str(match self.key_type {
            KeyType::Ed25519 => r#"","kty":"OKP","x":""#,
            _ => r#"","kty":"EC","x":""#,
        });
        URL_SAFE_NO_PAD.encode_string(&self.x, &mut out);
        if self.key_type != KeyType::Ed25519 {
            out.push_str(r#"","y":""#);
            URL_SAFE_NO_PAD.encode_string(&self.y, &mut out);
        }
        out.push_str(r#""}"#);
        out
    }

    /// The RFC 7638 thumbprint, base64url.
    pub fn thumbprint(&self, hash: HashAlg) -> String {
        b64_encode(hash.digest(self.canonical_json().as_bytes()).as_ref())
    }

    /// Appends the RFC 7638 thumbprint, base64url, to `out`.
    pub fn push_thumbprint(&self, hash: HashAlg, out: &mut String) {
        let digest = hash.digest(self.canonical_json().as_bytes());
        URL_SAFE_NO_PAD.encode_string(digest.as_ref(), out);
    }

    /// Whether `thumbprint` is the RFC 7638 thumbprint with `hash`, without
    /// building the base64url string.
    pub fn thumbprint_is(&self, hash: HashAlg, thumbprint: &str) -> bool {
        let digest = hash.digest(self.canonical_json().as_bytes());
        let mut encoded = [0u8; 86];
        URL_SAFE_NO_PAD
            .encode_slice(digest.as_ref(), &mut encoded)
            .ok()
            .and_then(|n| encoded.get(..n))
            .is_some_and(|e| e == thumbprint.as_bytes())
    }
}

fn str_member<'o>(object: &'o Members<'_>, name: &'static str) -> Result<&'o str, JoseError> {
    object
        .get(name)
        .and_then(Json::as_str)
        .ok_or(JoseError::Member {
            part: "JWK",
            name,
            expected: "string",
        })
}

/// RFC 7517 §4.2–4.3: a key published for encryption (`"use": "enc"`) or whose
/// `key_ops` do not include `verify` must not verify signatures.
fn check_intended_use(object: &Members<'_>) -> Result<(), JoseError> {
    match object.get("use") {
        None => {}
        Some(Json::String(u)) if u == "sig" => {}
        Some(other) => {
            return Err(JoseError::Key(format!(
                "\"use\" is {other}, not \"sig\": the key is not for signatures"
            )))
        }
    }
    match object.get("key_ops") {
        None => Ok(()),
        Some(Json::Array(ops)) if ops.iter().any(|op| op == "verify") => Ok(()),
        Some(other) => Err(JoseError::Key(format!(
            "\"key_ops\" is {other}, which does not include \"verify\""
        ))),
    }
}

fn coordinate(object: &Members<'_>, name: &'static str, kt: KeyType) -> Result<Vec<u8>, JoseError> {
    let bytes = b64_decode(str_member(object, name)?)
        .ok_or_else(|| JoseError::Key(format!("\"{name}\" is not canonical base64url")))?;
    if bytes.len() != kt.coordinate_len() {
        return Err(JoseError::Key(format!(
            "\"{name}\" is {} bytes; a {} key needs exactly {}",
            bytes.len(),
            kt.name(),
            kt.coordinate_len()
        )));
    }
    Ok(bytes)
}

/// A validated public key, parsed once for verification.
///
/// Parsing validates the point (on the curve, not the identity), so an invalid
/// key is a key error before any signature is looked at.
#[derive(Clone)]
pub struct PublicKey {
    jwk: Jwk,
    parsed: ParsedPublicKey,
}

impl PublicKey {
    /// Validates `jwk` and prepares it for verification.
    pub fn new(jwk: Jwk) -> Result<Self, JoseError> {
        let alg = jwk.key_type.algorithm();
        let parsed = ParsedPublicKey::new(alg.verification(), jwk.raw())
            .map_err(|_| JoseError::InvalidPoint(jwk.key_type.name()))?;
        Ok(PublicKey { jwk, parsed })
    }

    /// The key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Verifies `signature` over `message` with `alg`, which must fit the key.
    pub fn verify(&self, alg: Algorithm, message: &[u8], sig: &[u8]) -> Result<(), JoseError> {
        alg.check_key(self.jwk.key_type)?;
        self.parsed
            .verify_sig(message, sig)
            .map_err(|_| JoseError::BadSignature { alg: alg.name() })
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PublicKey").field(&self.jwk).finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.jwk == other.jwk
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const X: &str = "kYe-3DlYX0Mlxff4O1mCkniwOLPnSWWyej3aTxai75U";

    fn with(extra: Value) -> Result<Jwk, JoseError> {
        let mut key = json!({"kty": "OKP", "crv": "Ed25519", "x": X});
        if let (Some(k), Value::Object(e)) = (key.as_object_mut(), extra) {
            k.extend(e);
        }
        Jwk::from_value(&key)
    }

    #[test]
    fn a_key_for_signatures_is_accepted() {
        assert!(with(json!({})).is_ok());
        assert!(with(json!({"use": "sig"})).is_ok());
        assert!(with(json!({"key_ops": ["verify"]})).is_ok());
        assert!(with(json!({"use": "sig", "key_ops": ["sign", "verify"]})).is_ok());
    }

    #[test]
    fn a_key_not_for_verification_is_rejected() {
        for extra in [
            json!({"use": "enc"}),
            json!({"use": 1}),
            json!({"key_ops": ["encrypt"]}),
            json!({"key_ops": []}),
            json!({"key_ops": "verify"}),
        ] {
            assert!(
                matches!(with(extra.clone()), Err(JoseError::Key(_))),
                "{extra}"
            );
        }
    }
}
