//! OIDC id tokens posted to the ACME `wire-oidc-01` challenge (2023-11 onward).
//!
//! The IdP vouches for the user (display name, handle); the token is bound to
//! the ACME account by `keyauth` (challenge token `.` account-key thumbprint)
//! and to the challenge by `acme_aud`. IdPs sign with RSA as often as with EC,
//! so this module accepts RS256/384/512 and PS256/384/512 (RSASSA-PSS, RFC 7518
//! §3.5: keycloak offers them; 2048-bit keys or larger) besides the Wire
//! algorithms — only here, never for DPoP proofs or access tokens.

use crate::claims;
use crate::jose::{
    self, as_text, json_text, parse_object, parse_text, Algorithm, Compact, JoseError, Json, Jwk,
    Limits, Members, Object, PublicKey,
};
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
    /// RSA (RS256/384/512, PS256/384/512), modulus and exponent big-endian.
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
                    "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
                    "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
                    "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
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
        "EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
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
    /// The token names the client, but was issued to another party: `azp`
    /// names another client, or `aud` names other audiences and no `azp` says
    /// the client is the one it was issued to (OpenID Connect Core §3.1.3.7,
    /// (3)–(5)).
    #[error("{why}")]
    Party {
        /// What makes the token another party's.
        why: String,
        /// The client id.
        expected: String,
        /// The claim that names the other party (`azp`, else `aud`), as JSON.
        found: String,
    },
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
            Error::Party { .. } => "oidc.aud",
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
            Error::Claim { expected, .. } | Error::Party { expected, .. } => Some(expected.clone()),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Claim { found, .. } => found.clone(),
            Error::Party { found, .. } => Some(found.clone()),
            _ => None,
        }
    }
}

/// Verifies an id token, stopping at the first failure.
pub fn verify(token: &str, expect: &Expectations, now: UnixTime) -> Result<Object, Error> {
    run(token, expect, now, &mut FailFast, |c| c.to_object())
}

/// Runs every check of an id token.
pub fn audit(token: &str, expect: &Expectations, now: UnixTime) -> (Option<Object>, Report) {
    let mut report = Report::new();
    let result = run(token, expect, now, &mut report, |c| c.to_object());
    let claims = report.settle(result);
    (claims, report)
}

/// [`audit`] for a caller that does not keep the claims (an auditor that has
/// its own reading of them): the same report, without an owned copy of them.
pub fn audit_report(token: &str, expect: &Expectations, now: UnixTime) -> Report {
    let mut report = Report::new();
    let result = run(token, expect, now, &mut report, |_| ());
    report.settle(result);
    report
}

/// The checks, on the claims read as borrowed members (the reading and the
/// errors of `Jws::parse_compact` and `Jws::claims`); `keep` makes what a
/// passing run returns of them.
fn run<S: Sink<Error>, T>(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    sink: &mut S,
    keep: impl FnOnce(&Members<'_>) -> T,
) -> Result<T, Error> {
    let parts = Compact::split(token, &Limits::default()).map_err(Error::Format)?;
    let header_text = parts.header().map_err(Error::Format)?;
    let header = header_text.object().map_err(Error::Format)?;
    let payload = parts.payload().map_err(Error::Format)?;
    let signature = parts.signature().map_err(Error::Format)?;
    let json = json_text(payload, "payload").map_err(Error::Format)?;
    let claims = parse_text(&json, "payload").map_err(Error::Format)?;
    let signed = Signed {
        alg: as_text(header.get("alg")).unwrap_or_default(),
        signing_input: parts.signing_input(),
        signature: &signature,
    };
    check_signature(&signed, expect, sink)?;
    let dates = ["iat", "exp", "nbf"].map(|name| claims.get(name));
    match expect.time.check_json(dates, now) {
        Ok(t) => sink.pass("oidc.time", || t.acceptable_at(now)),
        Err(why) => sink.fail(Error::Time(why))?,
    }
    let aud = claims.get("aud");
    let aud_matches = |want: &str| match aud {
        Some(Json::String(a)) => a == want,
        Some(Json::Array(a)) => a.iter().any(|v| v.as_str() == Some(want)),
        _ => false,
    };
    match &expect.audience {
        Some(want) if aud_matches(want) => match issued_to(aud, claims.get("azp"), want) {
            Ok(()) => sink.pass("oidc.aud", || format!("aud includes {want}")),
            Err(party) => sink.fail(party)?,
        },
        Some(want) => sink.fail(Error::Claim {
            id: "oidc.aud",
            claim: "aud",
            expected: want.clone(),
            // A string audience as written, like the expected one; an array
            // (or anything else) as JSON, so its members stay told apart.
            found: aud.map(|aud| match aud {
                Json::String(a) => a.to_string(),
                other => other.to_value().to_string(),
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
        let found = as_text(claims.get(claim));
        crate::dpop::expected_eq(sink, id, claim, found, expected.as_deref(), |e, f| {
            Error::Claim {
                id,
                claim,
                expected: e,
                found: f,
            }
        })?;
    }
    Ok(keep(&claims))
}

/// What the signature check reads of the token.
struct Signed<'t> {
    /// The header's `alg`; empty when absent or not a string.
    alg: &'t str,
    signing_input: &'t [u8],
    signature: &'t [u8],
}

/// Whether a token whose `aud` includes `client` was issued to it: an `azp`
/// must name it, and must be present when `aud` names other audiences too
/// (OpenID Connect Core §3.1.3.7 (3)–(5)). A token issued to another relying
/// party that also lists this one is that party's to use, not a login here.
fn issued_to(aud: Option<&Json<'_>>, azp: Option<&Json<'_>>, client: &str) -> Result<(), Error> {
    let party = |why: String, found: &Json<'_>| Error::Party {
        why,
        expected: client.to_owned(),
        found: found
            .as_str()
            .map_or_else(|| found.to_value().to_string(), str::to_owned),
    };
    match azp {
        Some(Json::String(azp)) if azp.as_ref() == client => Ok(()),
        Some(azp) => Err(party(
            format!(
                "azp is {}, not the client {client:?}: the token was issued to another party",
                azp.to_value()
            ),
            azp,
        )),
        None => match aud {
            Some(all @ Json::Array(a)) if a.iter().any(|v| v.as_str() != Some(client)) => Err(party(
                format!(
                    "aud names other audiences beside the client {client:?} ({}) and no azp names the client",
                    all.to_value()
                ),
                all,
            )),
            _ => Ok(()),
        },
    }
}

fn check_signature<S: Sink<Error>>(
    signed: &Signed<'_>,
    expect: &Expectations,
    sink: &mut S,
) -> Result<(), Error> {
    let alg = signed.alg;
    if !matches!(
        alg,
        "RS256"
            | "RS384"
            | "RS512"
            | "PS256"
            | "PS384"
            | "PS512"
            | "EdDSA"
            | "ES256"
            | "ES384"
            | "ES512"
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
    let verifies = keys.iter().any(|k| {
        k.verify(alg, signed.signing_input, signed.signature)
            .is_ok()
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::{b64_encode, Jws};
    use crate::report::Status;

    fn token(header: &[u8], claims: &[u8]) -> String {
        format!("{}.{}.c2ln", b64_encode(header), b64_encode(claims))
    }

    /// OpenID Connect Core §3.1.3.7 (3)–(5): the token is the client's when
    /// `azp` names it, or, without `azp`, when `aud` names no one else.
    #[test]
    fn a_token_is_the_clients_when_no_other_party_holds_it() {
        let judged = |claims: &str| {
            let claims = parse_text(claims, "payload").unwrap();
            issued_to(claims.get("aud"), claims.get("azp"), "wireapp")
        };
        for ok in [
            r#"{"aud": "wireapp"}"#,
            r#"{"aud": ["wireapp"]}"#,
            r#"{"aud": ["wireapp", "wireapp"]}"#,
            r#"{"aud": ["wireapp", "other"], "azp": "wireapp"}"#,
            r#"{"aud": "wireapp", "azp": "wireapp"}"#,
        ] {
            assert!(judged(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            (r#"{"aud": ["wireapp", "other"]}"#, "other audiences"),
            (r#"{"aud": ["wireapp", 7]}"#, "other audiences"),
            (r#"{"aud": "wireapp", "azp": "other"}"#, "azp is \"other\""),
            (
                r#"{"aud": ["wireapp", "other"], "azp": "other"}"#,
                "another party",
            ),
            (
                r#"{"aud": "wireapp", "azp": ["wireapp"]}"#,
                "azp is [\"wireapp\"]",
            ),
        ] {
            let why = judged(bad).unwrap_err().to_string();
            assert!(why.contains(says), "{bad}: {why}");
        }
    }

    /// The checks read the claims as `Jws::parse_compact` and `Jws::claims`
    /// read them (the owned map `audit` returns, the same errors), and
    /// `audit_report` is `audit`'s report: times, audiences of every shape,
    /// claims that are not strings, escapes, duplicates, text that is not
    /// JSON, an object or UTF-8, headers without a usable `alg`.
    #[test]
    fn claims_are_read_as_the_owned_parse_reads_them() {
        let headers: [&[u8]; 4] = [
            br#"{"alg":"RS256","typ":"JWT"}"#,
            br#"{"alg":1}"#,
            br#"{"typ":"JWT"}"#,
            br#"{"alg":"RS256","alg":"RS256"}"#,
        ];
        let claims: [&[u8]; 14] = [
            br#"{"iat":100,"exp":200,"aud":"client","iss":"https://idp/","name":"Alice"}"#,
            br#"{"iat":100.5,"exp":2e2,"aud":["other","client"],"name":7}"#,
            br#"{"iat":-1,"exp":200,"aud":["other"],"keyauth":null}"#,
            br#"{"iat":"100","aud":{"b":[1,2.5,"x"],"a":true}}"#,
            br#"{"iat":100,"exp":200,"nbf":300,"aud":"cli\u0065nt","nonce":"n\"1"}"#,
            br#"{"iat":18446744073709551616,"exp":1e300,"aud":12}"#,
            br#"{"iat":100,"exp":200,"aud":"client","aud":"client"}"#,
            br#"{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":1}}}}}}}}}}}}}}}}}"#,
            b"[1,2]",
            b"{\"iat\":1,",
            b"{\"name\":\"\xff\"}",
            b"",
            br#"  {"iat" : 100 , "exp":200}  "#,
            "{\"name\":\"Zoë ✅\",\"preferred_username\":\"@zoe\"}".as_bytes(),
        ];
        let mut expect = Expectations::new(IdpTrust::Unverified);
        expect.audience = Some("client".into());
        expect.name = Some("Alice".into());
        expect.nonce = Some("n\"1".into());
        for header in headers {
            for claims in claims {
                let t = token(header, claims);
                let owned = Jws::parse_compact(&t, &Limits::default()).and_then(|j| j.claims());
                let (kept, report) = audit(&t, &expect, 150);
                let shown = String::from_utf8_lossy(claims);
                assert_eq!(audit_report(&t, &expect, 150), report, "{shown}");
                let format = report.get("oidc.format");
                match &owned {
                    Err(e) => {
                        let format = format.map(|c| c.message.clone());
                        assert_eq!(format, Some(Error::Format(e.clone()).to_string()));
                        assert_eq!(kept, None, "{shown}");
                        continue;
                    }
                    Ok(_) => assert_eq!(format, None, "{shown}"),
                }
                let Ok(object) = owned else { continue };
                assert_eq!(kept.as_ref(), Some(&object), "{shown}");
                let time = match expect.time.check(&object, 150) {
                    Ok(t) => t.acceptable_at(150),
                    Err(why) => why,
                };
                assert_eq!(report.get("oidc.time").map(|c| &c.message), Some(&time));
                let aud = report.get("oidc.aud");
                if aud.map(|c| c.status) == Some(Status::Fail) {
                    let found = object.get("aud").map(|aud| match aud {
                        Value::String(a) => a.clone(),
                        other => other.to_string(),
                    });
                    assert_eq!(aud.and_then(|c| c.found.clone()), found, "{shown}");
                }
            }
        }
    }
}
