//! ACME requests (RFC 8555 §6): flattened JWS signed by the account key.
//!
//! Every ACME POST proves possession of the account key and names the URL it
//! was sent to, so a captured request cannot be replayed elsewhere. `jwk` may
//! only appear on new-account (the key is not known yet); afterwards `kid` names
//! the account and the signature is checked with the key registered then.
//! Nonces are single-use and must come from the server: [`NonceLedger`] checks
//! that across a whole flow.

use crate::jose::{
    header_algorithm, parse_text, Flattened, JoseError, Json, Jwk, Jws, Limits, Members, PublicKey,
};
use crate::report::{concat, AcmeProblem, FailFast, Failure, Report, Sink};
use crate::url;
use std::collections::HashMap;
use thiserror::Error;

/// Which key must have signed a request.
#[derive(Clone, Copy, Debug)]
pub enum Signer<'k> {
    /// A new-account request: signed by the key in its own `jwk` header.
    NewAccount,
    /// Any later request: `kid` is the account URL, signed by the account key.
    Account {
        /// The account URL (the `location` of new-account).
        url: &'k str,
        /// The account key registered by new-account.
        key: &'k PublicKey,
    },
    /// The account is not known (the capture missed new-account).
    Unknown,
}

/// A request whose checks passed.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    /// The key that signed it (the header `jwk`, or the account key).
    pub key: Option<PublicKey>,
    /// The `nonce` header.
    pub nonce: Option<String>,
    /// The `url` header.
    pub url: Option<String>,
    /// The `kid` header.
    pub kid: Option<String>,
    /// The decoded payload (empty for POST-as-GET).
    pub payload: Vec<u8>,
}

/// Why an ACME request was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// `acme.jws.format`: not a well-formed flattened JWS.
    #[error("the request is not a well-formed flattened JWS: {0}")]
    Format(JoseError),
    /// `acme.jws.signature`: algorithm not accepted or signature invalid.
    #[error("{0}")]
    Signature(JoseError),
    /// `acme.jws.url`: the `url` header is not the request URL.
    #[error("the url header {} is not the request URL {expected:?}", crate::claims::shown(.found))]
    Url {
        /// The request URL.
        expected: String,
        /// The header.
        found: Option<String>,
    },
    /// `acme.jws.kid`: `jwk`/`kid` used where the other is required, or both.
    #[error("{0}")]
    Kid(String),
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::Format(_) => "acme.jws.format",
            Error::Signature(_) => "acme.jws.signature",
            Error::Url { .. } => "acme.jws.url",
            Error::Kid(_) => "acme.jws.kid",
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::Format(_) | Error::Kid(_) => AcmeProblem::Malformed,
            Error::Signature(JoseError::UnsupportedAlgorithm(_)) => {
                AcmeProblem::BadSignatureAlgorithm
            }
            Error::Signature(_) | Error::Url { .. } => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::Url { expected, .. } => Some(expected.clone()),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Url { found, .. } => found.clone(),
            _ => None,
        }
    }
}

/// Verifies a request sent to `request_url`, stopping at the first failure.
pub fn verify(
    body: &[u8],
    request_url: &str,
    signer: Signer<'_>,
) -> Result<VerifiedRequest, Error> {
    run(body, request_url, signer, &mut FailFast)
}

/// Runs every check of a request.
pub fn audit(
    body: &[u8],
    request_url: &str,
    signer: Signer<'_>,
) -> (Option<VerifiedRequest>, Report) {
    let mut report = Report::new();
    let result = run(body, request_url, signer, &mut report);
    let request = report.settle(result);
    (request, report)
}

/// The three members of a flattened JWS request body, as printed.
#[derive(Clone, Copy, Debug)]
pub struct FlattenedMembers<'a> {
    /// `protected`: base64url of the header.
    pub protected: &'a str,
    /// `payload`: base64url of the payload (empty for POST-as-GET).
    pub payload: &'a str,
    /// `signature`: base64url of the signature.
    pub signature: &'a str,
}

/// [`verify`] of the body `{"payload":…,"protected":…,"signature":…}` holding
/// `members`, without writing that body and parsing it back (an auditor that
/// read the members from a capture): the same result.
pub fn verify_members(
    members: FlattenedMembers<'_>,
    request_url: &str,
    signer: Signer<'_>,
) -> Result<VerifiedRequest, Error> {
    run_members(members, request_url, signer, &mut FailFast)
}

/// [`audit`] of the body holding `members`, as [`verify_members`]: the same
/// checks, the same report. The members are all it sees: a caller that took
/// them out of a body of another shape (the general serialization, an
/// unprotected `header`, a missing `payload`), which [`audit`] would refuse
/// as `acme.jws.format`, reports that shape itself.
pub fn audit_members(
    members: FlattenedMembers<'_>,
    request_url: &str,
    signer: Signer<'_>,
) -> (Option<VerifiedRequest>, Report) {
    let mut report = Report::new();
    let result = run_members(members, request_url, signer, &mut report);
    let request = report.settle(result);
    (request, report)
}

fn run_members<S: Sink<Error>>(
    members: FlattenedMembers<'_>,
    request_url: &str,
    signer: Signer<'_>,
    sink: &mut S,
) -> Result<VerifiedRequest, Error> {
    // The steps of `Jws::parse_flattened_members`, in its order and with its
    // errors, reading the header as borrowed members (no owned map).
    let parts = Flattened::new(
        members.protected,
        members.payload,
        members.signature,
        &Limits::default(),
    )
    .map_err(|split| unsecured(Some(members.protected), split))?;
    let header_text = parts.header().map_err(Error::Format)?;
    let header = header_text.object().map_err(Error::Format)?;
    let payload = parts.payload().map_err(Error::Format)?;
    let signature = parts.signature().map_err(Error::Format)?;
    let signing_input = parts.signing_input();
    let request = Request {
        header: &header,
        signing_input: signing_input.as_bytes(),
        signature: &signature,
        payload,
    };
    run_request(request, request_url, signer, sink)
}

fn run<S: Sink<Error>>(
    body: &[u8],
    request_url: &str,
    signer: Signer<'_>,
    sink: &mut S,
) -> Result<VerifiedRequest, Error> {
    let mut jws = Jws::parse_flattened(body, &Limits::default()).map_err(|split| {
        let text = std::str::from_utf8(body).ok();
        let members = text.and_then(|t| parse_text(t, "body").ok());
        unsecured(
            members.as_ref().and_then(|m| m.get("protected")?.as_str()),
            split,
        )
    })?;
    let payload = std::mem::take(&mut jws.payload);
    let header = Members::from_object(&jws.header);
    let request = Request {
        header: &header,
        signing_input: jws.signing_input(),
        signature: &jws.signature,
        payload,
    };
    run_request(request, request_url, signer, sink)
}

/// A split failure, told apart for an unsecured JWS (RFC 7515 §A.5: `alg`
/// `none` and an empty signature): RFC 8555 §6.2 forbids `none`, and that is
/// a refused signature algorithm (`acme.jws.signature`, `badSignatureAlgorithm`),
/// the check a reader looks for, not a malformed body.
fn unsecured(protected: Option<&str>, split: JoseError) -> Error {
    if protected.is_some_and(|p| crate::jose::is_unsecured(p, &split)) {
        Error::Signature(JoseError::UnsupportedAlgorithm("none".into()))
    } else {
        Error::Format(split)
    }
}

/// A request whose structure was checked: what its checks read.
struct Request<'r, 'h> {
    header: &'r Members<'h>,
    signing_input: &'r [u8],
    signature: &'r [u8],
    payload: Vec<u8>,
}

impl Request<'_, '_> {
    /// A string member of the header, if present and a string.
    fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Json::as_str)
    }
}

/// The checks of a request once its body is read.
fn run_request<S: Sink<Error>>(
    request: Request<'_, '_>,
    request_url: &str,
    signer: Signer<'_>,
    sink: &mut S,
) -> Result<VerifiedRequest, Error> {
    let jwk = request.header.get("jwk");
    let kid = request.header_str("kid").map(str::to_owned);
    let key = signing_key(jwk, kid.as_deref(), signer, sink)?;
    match &key {
        Some(key) => {
            let verified = header_algorithm(request.header.get("alg"))
                .and_then(|alg| key.verify(alg, request.signing_input, request.signature));
            sink.outcome(
                "acme.jws.signature",
                verified.map_err(Error::Signature),
                || "signature verifies with the account key".into(),
            )?;
        }
        None => sink.skip("acme.jws.signature", || {
            "account key unknown (no new-account request captured)".into()
        }),
    }
    let url = request.header_str("url").map(str::to_owned);
    let url_ok = url
        .as_deref()
        .is_some_and(|u| url::same_resource(u, request_url));
    let url_result = if url_ok {
        Ok(())
    } else {
        Err(Error::Url {
            expected: request_url.to_owned(),
            found: url.clone(),
        })
    };
    sink.outcome("acme.jws.url", url_result, || {
        concat(&["url header is ", url.as_deref().unwrap_or(request_url)])
    })?;
    if let Err(e) = payload_object(&request.payload) {
        sink.fail(Error::Format(e))?;
    }
    Ok(VerifiedRequest {
        key,
        nonce: request.header_str("nonce").map(str::to_owned),
        url,
        kid,
        payload: request.payload,
    })
}

/// A payload is empty (POST-as-GET) or one JSON object (RFC 8555 §6.3,
/// §7), read as strictly as the protected header: a member given twice (two
/// `csr`s, two `identifiers`) is a request that says two things, and a server
/// keeping the first would act on another one than a server keeping the last.
/// Only a failure is reported: it is judged beside the signature, which still
/// runs.
fn payload_object(payload: &[u8]) -> Result<(), JoseError> {
    if payload.is_empty() {
        return Ok(());
    }
    let text = std::str::from_utf8(payload).map_err(|_| JoseError::Json {
        part: "payload",
        detail: "invalid UTF-8".into(),
    })?;
    parse_text(text, "payload").map(|_| ())
}

/// `acme.jws.kid`, and the key the signature must verify with.
fn signing_key<S: Sink<Error>>(
    jwk: Option<&Json<'_>>,
    kid: Option<&str>,
    signer: Signer<'_>,
    sink: &mut S,
) -> Result<Option<PublicKey>, Error> {
    let has_jwk = jwk.is_some();
    if has_jwk && kid.is_some() {
        sink.fail(Error::Kid(
            "the header has both jwk and kid; exactly one is allowed".into(),
        ))?;
    }
    match signer {
        Signer::NewAccount => {
            let Some(value) = jwk else {
                sink.fail(Error::Kid(
                    "new-account must carry its key in jwk, not kid".into(),
                ))?;
                return Ok(None);
            };
            let key = Jwk::from_json(value)
                .and_then(PublicKey::new)
                .map_err(Error::Signature)?;
            sink.pass("acme.jws.kid", || {
                "new-account carries its key in jwk".into()
            });
            Ok(Some(key))
        }
        Signer::Account { url: account, key } => {
            let result = match kid {
                _ if has_jwk => Err(Error::Kid(
                    "jwk is only allowed on new-account; later requests use kid".into(),
                )),
                Some(k) if k == account => Ok(()),
                Some(k) => Err(Error::Kid(format!(
                    "kid {k} is not the account URL {account}"
                ))),
                None => Err(Error::Kid("no kid header".into())),
            };
            sink.outcome("acme.jws.kid", result, || {
                concat(&["kid is the account ", account])
            })?;
            Ok(Some(key.clone()))
        }
        Signer::Unknown => {
            sink.skip("acme.jws.kid", || "account URL unknown".into());
            Ok(None)
        }
    }
}

/// Where a nonce came from and whether it was used, across one flow.
#[derive(Clone, Debug, Default)]
pub struct NonceLedger {
    /// nonce → (issued at step, used at step)
    entries: HashMap<String, (Option<u32>, Option<u32>)>,
}

/// Why a nonce is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum NonceError {
    /// No captured response issued it.
    #[error("nonce {0:?} was not issued by any captured response")]
    NotIssued(String),
    /// It was already used.
    #[error("nonce {nonce:?} was already used at step {first}")]
    Reused {
        /// The nonce.
        nonce: String,
        /// Where it was first used.
        first: u32,
    },
    /// The request carries no nonce.
    #[error("the request has no nonce")]
    Missing,
}

impl NonceLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        NonceLedger::default()
    }

    /// An empty ledger with room for `n` nonces.
    pub fn with_capacity(n: usize) -> Self {
        NonceLedger {
            entries: HashMap::with_capacity(n),
        }
    }

    /// Records a `replay-nonce` the server issued at `step`.
    pub fn issue(&mut self, nonce: &str, step: u32) {
        self.entries
            .entry(nonce.to_owned())
            .or_default()
            .0
            .get_or_insert(step);
    }

    /// Consumes a nonce a request used at `step`.
    pub fn consume(&mut self, nonce: Option<&str>, step: u32) -> Result<(), NonceError> {
        let nonce = nonce.ok_or(NonceError::Missing)?;
        let entry = self.entries.entry(nonce.to_owned()).or_default();
        if let Some(first) = entry.1 {
            return Err(NonceError::Reused {
                nonce: nonce.to_owned(),
                first,
            });
        }
        entry.1 = Some(step);
        match entry.0 {
            Some(_) => Ok(()),
            None => Err(NonceError::NotIssued(nonce.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::b64_encode;
    use crate::report::Failure;

    /// `audit_members` and `verify_members` judge the members exactly as `audit`
    /// and `verify` judge the body that holds them (written as serde_json writes
    /// it), whatever the members: signed shapes, escapes, a body over the size
    /// limit, members that are not base64url.
    #[test]
    fn members_are_judged_as_the_body_holding_them() {
        let header = |h: &str| b64_encode(h.as_bytes());
        let url = "https://acme.example/acme/wire/new-order";
        let big = "A".repeat(70 * 1024);
        let cases: Vec<(String, String, String)> = vec![
            (
                header(&format!(
                    r#"{{"alg":"EdDSA","url":"{url}","nonce":"n","kid":"k"}}"#
                )),
                "e30".into(),
                "c2ln".into(),
            ),
            (
                header(r#"{"alg":"EdDSA","url":"https://elsewhere/","jwk":{}}"#),
                String::new(),
                "c2ln".into(),
            ),
            (
                header(r#"{"alg":"EdDSA","crit":["x"]}"#),
                "e30".into(),
                "c2ln".into(),
            ),
            ("not base64!".into(), "e30".into(), "c2ln".into()),
            ("a\"b".into(), "back\\slash".into(), "tab\tnl\n\u{1}".into()),
            ("\u{7f}é✅".into(), "e30".into(), String::new()),
            (
                header(r#"{"alg":"none","url":"x"}"#),
                "e30".into(),
                String::new(),
            ),
            (header(r#"{"alg":"EdDSA"}"#), "e30".into(), String::new()),
            (header(r#"{"alg":"EdDSA"}"#), big.clone(), "c2ln".into()),
            (
                header(r#"{"alg":"EdDSA"}"#),
                "A".repeat(64 * 1024 - 60),
                "c2ln".into(),
            ),
        ];
        for (protected, payload, signature) in &cases {
            let body = serde_json::json!({
                "protected": protected,
                "payload": payload,
                "signature": signature,
            })
            .to_string();
            let members = FlattenedMembers {
                protected,
                payload,
                signature,
            };
            for signer in [Signer::NewAccount, Signer::Unknown] {
                assert_eq!(
                    format!("{:?}", audit_members(members, url, signer)),
                    format!("{:?}", audit(body.as_bytes(), url, signer)),
                    "{protected:.40} {payload:.40} {signature:.40}"
                );
                assert_eq!(
                    format!("{:?}", verify_members(members, url, signer)),
                    format!("{:?}", verify(body.as_bytes(), url, signer)),
                );
            }
        }
    }

    /// RFC 8555 §6.2: `alg` MUST NOT be `none`. An unsecured body is a
    /// refused algorithm (`acme.jws.signature`), not a malformed one; an
    /// empty signature under a real algorithm stays malformed.
    #[test]
    fn an_unsecured_request_is_a_refused_algorithm() {
        let url = "https://acme.example/acme/wire/new-order";
        let body = |alg: &str| {
            let protected = b64_encode(format!(r#"{{"alg":"{alg}","url":"{url}"}}"#).as_bytes());
            format!(r#"{{"protected":"{protected}","payload":"e30","signature":""}}"#)
        };
        let none = verify(body("none").as_bytes(), url, Signer::NewAccount).unwrap_err();
        assert_eq!(none.check_id(), "acme.jws.signature");
        assert!(
            none.to_string().contains("\"none\" is not accepted"),
            "{none}"
        );
        let empty = verify(body("EdDSA").as_bytes(), url, Signer::NewAccount).unwrap_err();
        assert_eq!(empty.check_id(), "acme.jws.format");
    }

    #[test]
    fn a_nonce_is_good_once_and_only_if_issued() {
        let mut l = NonceLedger::new();
        l.issue("a", 1);
        assert_eq!(l.consume(Some("a"), 2), Ok(()));
        assert_eq!(
            l.consume(Some("a"), 3),
            Err(NonceError::Reused {
                nonce: "a".into(),
                first: 2
            })
        );
        assert_eq!(
            l.consume(Some("b"), 4),
            Err(NonceError::NotIssued("b".into()))
        );
        assert_eq!(l.consume(None, 5), Err(NonceError::Missing));
    }
}
