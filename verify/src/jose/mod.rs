//! Strict JOSE: compact and flattened JWS, JWK, algorithm policy, thumbprints.
//!
//! Why our own parser rather than a JWT library's: the verifier must reject what
//! libraries tolerate. Duplicate member names (serde_json keeps the last one, so two
//! parties can read two different `alg`s), `crit`, unencoded payloads (`b64:false`),
//! padded or non-canonical base64url, keys with private members, and points off
//! the curve are all typed errors here. Signatures are checked with aws-lc-rs, the
//! crate's one crypto backend; keys are parsed once (which also validates the point)
//! and then verify at the backend's raw speed.

mod alg;
mod base64url;
mod claims;
mod error;
mod json;
mod jwk;
mod jws;
mod keys;
mod memo;
mod thumbprint;

pub use alg::Algorithm;
pub use base64url::{decode as b64_decode, encode as b64_encode};
pub(crate) use claims::as_text;
pub use claims::Claims;
pub use error::{ErrorKind, JoseError};
pub use json::{parse_object, parse_text, text as json_text, Json, Members, Object};
pub use jwk::{Jwk, KeyType, PublicKey};
pub use jws::{algorithm as header_algorithm, Compact, Flattened, HeaderText, Jws, Limits};
pub(crate) use jws::{header_text_only, is_unsecured};
pub use keys::{parse_public_keys, public_key_from_spki_der};
pub use memo::SignatureMemo;
pub use thumbprint::HashAlg;
