//! OIDC id tokens posted to the ACME `wire-oidc-01` challenge (2023-11 onward).
//!
//! The IdP vouches for the user (display name, handle); the token is bound to
//! the ACME account by `keyauth` (challenge token `.` account-key thumbprint)
//! and to the challenge by `acme_aud`. IdPs sign with RSA as often as with EC,
//! so this module accepts RS256/384/512 (2048-bit keys or larger) besides the
//! Wire algorithms — only here, never for DPoP proofs or access tokens.

use crate::claims;
use crate::jose::{self, parse_object, Algorithm, JoseError, Jwk, Jws, Limits, Object, PublicKey};
use crate::report::{AcmeProblem, FailFast, Failure, Report, Sink};
use crate::time::{TimePolicy, UnixTime};
use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
use serde_json::Value;
use thiserror::Error;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey as SpkiKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// An IdP signing key.
#[derive(Clone, Debug, PartialEq)]
pub enum IdpKey {
    /// RSA (RS256, RS384, RS512), modulus and exponent big-endian.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// One of the Wire key types (EdDSA, ES256, ES384, ES512).
    Wire(PublicKey),
}

impl IdpKey {
    fn verify(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<(), JoseError> {
        let bad = || JoseError::BadSignature { alg: "RSA" };
        match self {
            IdpKey::Rsa { n, e } => {
                let params = match alg {
                    "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                    other => {
                        return Err(JoseError::AlgorithmKeyMismatch {
                            alg: leak_name(other),
                            key: "RSA",
                        })
                    }
                };
                RsaPublicKeyComponents { n, e }
                    .verify(params, message, sig)
                    .map_err(|_| bad())
            }
            IdpKey::Wire(key) => key.verify(Algorithm::from_name(alg)?, message, sig),
        }
    }
}

/// Names for messages, limited to the algorithms we could meet.
fn leak_name(alg: &str) -> &'static str {
    [
        "EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512",
    ]
    .into_iter()
    .find(|a| *a == alg)
    .unwrap_or("(other)")
}

/// Reads IdP keys: a JWK, a JWKS, or PEM `PUBLIC KEY` blocks (RSA or Wire types).
pub fn parse_idp_keys(input: &[u8]) -> Result<Vec<IdpKey>, JoseError> {
    let text = std::str::from_utf8(input)
        .map_err(|_| JoseError::Key("the key file is not UTF-8 text".into()))?
        .trim();
    let keys: Vec<IdpKey> = if text.starts_with('{') {
        let object = parse_object(text.as_bytes(), "key file")?;
        match object.get("keys") {
            Some(Value::Array(keys)) => keys
                .iter()
                .map(idp_key_from_jwk)
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(JoseError::Key("\"keys\" is not an array".into())),
            None => vec![idp_key_from_jwk(&Value::Object(object))?],
        }
    } else {
        let mut keys = Vec::new();
        for pem in Pem::iter_from_buffer(text.as_bytes()) {
            let pem = pem.map_err(|e| JoseError::Key(format!("unreadable PEM: {e}")))?;
            if pem.label == "PUBLIC KEY" {
                keys.push(idp_key_from_spki(&pem.contents)?);
            }
        }
        keys
    };
    if keys.is_empty() {
        return Err(JoseError::Key("no public key found".into()));
    }
    Ok(keys)
}

fn idp_key_from_jwk(value: &Value) -> Result<IdpKey, JoseError> {
    let object = value
        .as_object()
        .ok_or_else(|| JoseError::Key("the JWK is not an object".into()))?;
    if object.get("kty").and_then(Value::as_str) != Some("RSA") {
        return PublicKey::new(Jwk::from_object(object)?).map(IdpKey::Wire);
    }
    if object.contains_key("d") {
        return Err(JoseError::PrivateKeyMember("d".into()));
    }
    let member = |name: &'static str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .and_then(jose::b64_decode)
            .ok_or(JoseError::Member {
                part: "JWK",
                name,
                expected: "base64url string",
            })
    };
    Ok(IdpKey::Rsa {
        n: member("n")?,
        e: member("e")?,
    })
}

fn idp_key_from_spki(der: &[u8]) -> Result<IdpKey, JoseError> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(der)
        .map_err(|e| JoseError::Key(format!("not a SubjectPublicKeyInfo: {e}")))?;
    match spki.parsed() {
        Ok(SpkiKey::RSA(rsa)) => Ok(IdpKey::Rsa {
            n: strip_zeros(rsa.modulus),
            e: strip_zeros(rsa.exponent),
        }),
        _ => jose::public_key_from_spki_der(der)
            .and_then(PublicKey::new)
            .map(IdpKey::Wire),
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default().to_vec()
}

/// Which keys may sign id tokens.
#[derive(Clone, Debug)]
pub enum IdpTrust {
    /// Only these keys.
    Pinned(Vec<IdpKey>),
    /// No key known: the signature cannot be checked (reported `warn`).
    Unverified,
}

/// What the verifier knows and expects of an id token.
#[derive(Clone, Debug)]
pub struct Expectations {
    /// The IdP's keys.
    pub keys: IdpTrust,
    /// The IdP issuer URL.
    pub iss: Option<String>,
    /// The OAuth client id the token must be for (in `aud`).
    pub audience: Option<String>,
    /// `challenge token . account-key thumbprint`.
    pub keyauth: Option<String>,
    /// The ACME challenge URL.
    pub acme_aud: Option<String>,
    /// The user's display name.
    pub name: Option<String>,
    /// `handle@domain`, as IdPs give `preferred_username`.
    pub preferred_username: Option<String>,
    /// The `nonce` of the client's authorization request: the id token must
    /// echo it (OpenID Connect Core §3.1.3.7), so that a token issued for
    /// another login cannot be replayed into this one. Only a party that saw
    /// the request (the client, an auditor of its transcript) knows it.
    pub nonce: Option<String>,
    /// Time tolerances (no lifetime bound beyond a day).
    pub time: TimePolicy,
}

impl Expectations {
    /// Nothing expected beyond a well-formed, timely token.
    pub fn new(keys: IdpTrust) -> Self {
        Expectations {
            keys,
            iss: None,
            audience: None,
            keyauth: None,
            acme_aud: None,
            name: None,
            preferred_username: None,
            nonce: None,
            time: TimePolicy::TOKEN,
        }
    }
}

/// Why an id token was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// `oidc.format`: not a well-formed JWS with JSON claims.
    #[error("the id token is not a well-formed JWS: {0}")]
    Format(JoseError),
    /// `oidc.signature`: not signed by a pinned IdP key.
    #[error("{0}")]
    Signature(String),
    /// `oidc.time`: `iat`/`exp` unacceptable.
    #[error("{0}")]
    Time(String),
    /// A claim is not the expected value.
    #[error("{claim} is {}, expected {expected:?}", claims::shown(.found))]
    Claim {
        /// The check id (`oidc.iss`, `oidc.aud`, `oidc.keyauth`, `oidc.nonce`, …).
        id: &'static str,
        /// The claim name.
        claim: &'static str,
        /// The expected value.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::Format(_) => "oidc.format",
            Error::Signature(_) => "oidc.signature",
            Error::Time(_) => "oidc.time",
            Error::Claim { id, .. } => id,
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::Format(_) => AcmeProblem::Malformed,
            Error::Claim {
                id: "oidc.name" | "oidc.preferred_username",
                ..
            } => AcmeProblem::RejectedIdentifier,
            _ => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::Claim { expected, .. } => Some(expected.clone()),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Claim { found, .. } => found.clone(),
            _ => None,
        }
    }
}

/// Verifies an id token, stopping at the first failure.
pub fn verify(token: &str, expect: &Expectations, now: UnixTime) -> Result<Object, Error> {
    run(token, expect, now, &mut FailFast)
}

/// Runs every check of an id token.
pub fn audit(token: &str, expect: &Expectations, now: UnixTime) -> (Option<Object>, Report) {
    let mut report = Report::new();
    let result = run(token, expect, now, &mut report);
    let claims = report.settle(result);
    (claims, report)
}

fn run<S: Sink<Error>>(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    sink: &mut S,
) -> Result<Object, Error> {
    let jws = Jws::parse_compact(token, &Limits::default()).map_err(Error::Format)?;
    let claims = jws.claims().map_err(Error::Format)?;
    check_signature(&jws, expect, sink)?;
    match expect.time.check(&claims, now) {
        Ok(t) => sink.pass("oidc.time", || t.acceptable_at(now)),
        Err(why) => sink.fail(Error::Time(why))?,
    }
    let aud_matches = |want: &str| match claims.get("aud") {
        Some(Value::String(a)) => a == want,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(want)),
        _ => false,
    };
    match &expect.audience {
        Some(want) if aud_matches(want) => sink.pass("oidc.aud", || format!("aud includes {want}")),
        Some(want) => sink.fail(Error::Claim {
            id: "oidc.aud",
            claim: "aud",
            expected: want.clone(),
            // A string audience as written, like the expected one; an array
            // (or anything else) as JSON, so its members stay told apart.
            found: claims.get("aud").map(|aud| match aud {
                Value::String(a) => a.clone(),
                other => other.to_string(),
            }),
        })?,
        None => sink.skip("oidc.aud", || {
            "aud not compared: no OAuth client id given".into()
        }),
    }
    for (id, claim, expected) in [
        ("oidc.iss", "iss", &expect.iss),
        ("oidc.keyauth", "keyauth", &expect.keyauth),
        ("oidc.acme_aud", "acme_aud", &expect.acme_aud),
        ("oidc.name", "name", &expect.name),
        (
            "oidc.preferred_username",
            "preferred_username",
            &expect.preferred_username,
        ),
        ("oidc.nonce", "nonce", &expect.nonce),
    ] {
        let found = claims::string(&claims, claim).ok().flatten();
        crate::dpop::expected_eq(sink, id, claim, found, expected.as_deref(), |e, f| {
            Error::Claim {
                id,
                claim,
                expected: e,
                found: f,
            }
        })?;
    }
    Ok(claims)
}

fn check_signature<S: Sink<Error>>(
    jws: &Jws<'_>,
    expect: &Expectations,
    sink: &mut S,
) -> Result<(), Error> {
    let alg = jws.header_str("alg").unwrap_or_default();
    if !matches!(
        alg,
        "RS256" | "RS384" | "RS512" | "EdDSA" | "ES256" | "ES384" | "ES512"
    ) {
        return sink.fail(Error::Signature(format!(
            "algorithm {alg:?} is not accepted for id tokens"
        )));
    }
    let IdpTrust::Pinned(keys) = &expect.keys else {
        sink.warn("oidc.signature", || {
            format!("IdP key not given; the {alg} signature was not verified (pass --idp-key)")
        });
        return Ok(());
    };
    let verifies = keys
        .iter()
        .any(|k| k.verify(alg, jws.signing_input(), &jws.signature).is_ok());
    let result = if verifies {
        Ok(())
    } else {
        Err(Error::Signature(format!(
            "the {alg} signature verifies with no pinned IdP key"
        )))
    };
    sink.outcome("oidc.signature", result, || {
        format!("{alg} signature verifies with a pinned IdP key")
    })
}
