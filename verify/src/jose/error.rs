use thiserror::Error;

/// Which part of a JWS a [`JoseError`] concerns; artefact modules map it to
/// their own check ids (`dpop.format`, `dpop.alg`, `dpop.jwk`, `dpop.signature`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The serialization itself: segments, base64url, JSON, sizes, `crit`, `b64`.
    Format,
    /// The `alg` header: missing, not allowed, or not matching the key.
    Algorithm,
    /// The key: malformed JWK, private members, point not on the curve.
    Key,
    /// The signature does not verify.
    Signature,
}

/// Why a JWS or a key was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum JoseError {
    /// The input is larger than the configured limit.
    #[error("{what} is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A compact JWS has exactly three dot-separated segments.
    #[error("a compact JWS has 3 segments, found {0}")]
    Segments(usize),
    /// A segment that must not be empty is empty.
    #[error("the {0} segment is empty")]
    EmptySegment(&'static str),
    /// Not strict base64url (RFC 7515 §2: no padding, URL alphabet, canonical bits).
    #[error("the {0} is not canonical unpadded base64url")]
    Base64(&'static str),
    /// Not UTF-8 JSON.
    #[error("the {part} is not valid JSON: {detail}")]
    Json {
        /// Header, payload, key, …
        part: &'static str,
        /// What the JSON parser said.
        detail: String,
    },
    /// JSON, but not an object.
    #[error("the {0} is not a JSON object")]
    NotObject(&'static str),
    /// A member name appears twice in one object (RFC 7515 §5.2 says reject).
    #[error("the {part} has the member {name:?} twice")]
    DuplicateMember {
        /// Header, payload, key, …
        part: &'static str,
        /// The repeated name.
        name: String,
    },
    /// Nesting deeper than the limit.
    #[error("the {0} nests deeper than allowed")]
    TooDeep(&'static str),
    /// `crit` names extensions we would have to understand; we understand none.
    #[error("the header has a \"crit\" member; no critical extension is supported")]
    Crit,
    /// RFC 7797 unencoded payloads are not part of any Wire or ACME flow.
    #[error("the header has \"b64\": false (unencoded payload), which is not accepted")]
    UnencodedPayload,
    /// The flattened JSON serialization carries an unprotected header.
    #[error("the JWS has an unprotected \"header\" member, which is not accepted")]
    UnprotectedHeader,
    /// A member is missing or has the wrong JSON type.
    #[error("the {part} member {name:?} is missing or not a {expected}")]
    Member {
        /// Header, key, …
        part: &'static str,
        /// Member name.
        name: &'static str,
        /// The JSON type expected.
        expected: &'static str,
    },
    /// The `alg` is missing or not one of EdDSA, ES256, ES384, ES512.
    #[error("algorithm {0:?} is not accepted (EdDSA, ES256, ES384, ES512 are)")]
    UnsupportedAlgorithm(String),
    /// The `alg` does not fit the key (ES256 with a P-384 key, EdDSA with an EC key, …).
    #[error("algorithm {alg} does not match a {key} key")]
    AlgorithmKeyMismatch {
        /// The header's algorithm.
        alg: &'static str,
        /// The key's type.
        key: &'static str,
    },
    /// The key is not one we accept, or malformed.
    #[error("invalid key: {0}")]
    Key(String),
    /// The key carries private members.
    #[error("the key has the private member {0:?}; a public key must not")]
    PrivateKeyMember(String),
    /// The EC point is not on the curve (or the Ed25519 key is rejected).
    #[error("the public key is not a valid {0} point")]
    InvalidPoint(&'static str),
    /// The signature does not verify with the key.
    #[error("the {alg} signature does not verify with the key")]
    BadSignature {
        /// Algorithm used.
        alg: &'static str,
    },
}

impl JoseError {
    /// Which part of the JWS this error concerns.
    pub fn kind(&self) -> ErrorKind {
        use JoseError::*;
        match self {
            UnsupportedAlgorithm(_) | AlgorithmKeyMismatch { .. } => ErrorKind::Algorithm,
            Key(_) | PrivateKeyMember(_) | InvalidPoint(_) => ErrorKind::Key,
            BadSignature { .. } => ErrorKind::Signature,
            TooLarge { .. }
            | Segments(_)
            | EmptySegment(_)
            | Base64(_)
            | Json { .. }
            | NotObject(_)
            | DuplicateMember { .. }
            | TooDeep(_)
            | Crit
            | UnencodedPayload
            | UnprotectedHeader
            | Member { .. } => ErrorKind::Format,
        }
    }
}
