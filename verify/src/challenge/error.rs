//! Why a challenge was rejected: a typed error per failed check, wrapped in a
//! [`Rejection`] that also says what to tell the client and what to log.

use super::Audit;
use crate::replay::StoreError;
use crate::report::{AcmeProblem, Check, Failure, Report};
use crate::{access_token, oidc};
use thiserror::Error;

/// The check that failed. Token and id-token failures keep their own module's
/// error (and catalogue id); the rest are the challenge's own checks.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// `challenge.payload`: not the JSON object this challenge type expects.
    #[error("challenge payload: {0}")]
    Payload(&'static str),
    /// `challenge.identifiers`: the order's identifiers disagree with each
    /// other (a server-side inconsistency, reported as rejectedIdentifier).
    #[error("order identifiers: {0}")]
    Identifiers(String),
    /// The access token (or its embedded proof) failed a check.
    #[error(transparent)]
    AccessToken(access_token::Error),
    /// The id token failed a check.
    #[error(transparent)]
    IdToken(oidc::Error),
    /// `challenge.account_key`: the DPoP key is not the ACME account key, so
    /// the token proves nothing about the account that posted it.
    #[error("the DPoP proof key (thumbprint {found}) is not the ACME account key (thumbprint {expected})")]
    AccountKey {
        /// The account key's SHA-256 thumbprint.
        expected: String,
        /// The proof key's SHA-256 thumbprint.
        found: String,
    },
    /// `challenge.client_id`, `dpop.handle`, `dpop.team`, `dpop.name`,
    /// `oidc.preferred_username`: the identity claimed is not the order's.
    #[error("{claim} is {}, the order has {expected:?}", crate::claims::shown(.found))]
    Identity {
        /// The catalogue id.
        id: &'static str,
        /// The claim.
        claim: &'static str,
        /// The order's value.
        expected: String,
        /// The claim's value.
        found: Option<String>,
    },
    /// `oidc.keyauth`: the payload's `keyauth` is not the key authorization.
    #[error("payload keyauth is {found:?}, expected {expected:?}")]
    Keyauth {
        /// `token.thumbprint`.
        expected: String,
        /// The payload member.
        found: String,
    },
    /// `dpop.jti` / `oidc.jti`: already used (a replay).
    #[error("{what} was already used (replay)")]
    Replay {
        /// The catalogue id.
        id: &'static str,
        /// What was replayed, for logs.
        what: String,
    },
    /// `access_token.nonce`: the wire nonce was never issued, already used, or
    /// expired.
    #[error("nonce {0:?} was not issued, was already used, or expired")]
    Nonce(String),
    /// A store could not answer: the validation fails closed.
    #[error("{id}: {error}")]
    Unavailable {
        /// The check that needed the store.
        id: &'static str,
        /// What the store said (operators' eyes only).
        error: StoreError,
    },
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::Payload(_) => "challenge.payload",
            Error::Identifiers(_) => "challenge.identifiers",
            Error::AccessToken(e) => e.check_id(),
            Error::IdToken(e) => e.check_id(),
            Error::AccountKey { .. } => "challenge.account_key",
            Error::Identity { id, .. }
            | Error::Replay { id, .. }
            | Error::Unavailable { id, .. } => id,
            Error::Keyauth { .. } => "oidc.keyauth",
            Error::Nonce(_) => "access_token.nonce",
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::Payload(_) => AcmeProblem::Malformed,
            Error::Identifiers(_) | Error::Identity { .. } => AcmeProblem::RejectedIdentifier,
            Error::AccessToken(e) => e.problem(),
            Error::IdToken(e) => e.problem(),
            Error::Nonce(_) => AcmeProblem::BadNonce,
            Error::AccountKey { .. }
            | Error::Keyauth { .. }
            | Error::Replay { .. }
            | Error::Unavailable { .. } => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::AccessToken(e) => e.expected(),
            Error::IdToken(e) => e.expected(),
            Error::AccountKey { expected, .. }
            | Error::Identity { expected, .. }
            | Error::Keyauth { expected, .. } => Some(expected.clone()),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::AccessToken(e) => e.found(),
            Error::IdToken(e) => e.found(),
            Error::AccountKey { found, .. } | Error::Keyauth { found, .. } => Some(found.clone()),
            Error::Identity { found, .. } => found.clone(),
            _ => None,
        }
    }
}

/// A rejected challenge: the ACME problem to answer with, a detail safe to
/// send to the client, and (for logs) the full check list.
///
/// The detail names the failed check and says what kind of fault it is, never
/// values from the server's configuration or state (keys, expected issuers,
/// store addresses). The error itself ([`Rejection::error`]) and the report
/// carry the evidence, for the server's logs.
#[derive(Debug, Error)]
#[error("{}", .0.error)]
pub struct Rejection(Box<Inner>);

#[derive(Debug)]
struct Inner {
    error: Error,
    audit: Option<Audit>,
}

impl Rejection {
    pub(super) fn new(error: Error, audit: Option<Audit>) -> Self {
        Rejection(Box::new(Inner { error, audit }))
    }

    /// The failed check.
    pub fn error(&self) -> &Error {
        &self.0.error
    }

    /// The ACME problem type (RFC 8555 §6.7) to answer with.
    pub fn problem(&self) -> AcmeProblem {
        self.0.error.problem()
    }

    /// The catalogue id of the failed check.
    pub fn check_id(&self) -> &'static str {
        self.0.error.check_id()
    }

    /// Whether a store could not answer: the client may retry later, and an
    /// HTTP server should say 503 rather than 403.
    pub fn is_unavailable(&self) -> bool {
        matches!(self.0.error, Error::Unavailable { .. })
    }

    /// A sentence for the problem document's `detail`: the check id and a
    /// generic description of the fault, nothing from the server's state.
    pub fn detail(&self) -> String {
        let id = self.check_id();
        let what = match &self.0.error {
            Error::Payload(why) => why,
            Error::Unavailable { .. } => "replay protection is unavailable; retry later",
            Error::Replay { .. } => "already used (replay)",
            Error::Nonce(_) => {
                "the nonce was not issued by the server, was already used, or expired"
            }
            Error::AccountKey { .. } => "the DPoP key is not the ACME account key",
            Error::Identifiers(_) => "the order's identifiers are inconsistent",
            _ => generic(id),
        };
        format!("{id}: {what}")
    }

    /// Every check, in the order they ran, for the server's logs. Computed on
    /// demand (the audit re-runs the stateless checks at the validation's
    /// time; store outcomes are those of the validation), so a rejection that
    /// is never logged costs nothing more.
    pub fn report(&self) -> Report {
        let mut report = match &self.0.audit {
            Some(audit) => audit.run(),
            None => Report::new(),
        };
        let id = self.check_id();
        if !report.failures().any(|c| c.id == id) {
            report.push(Check::from_failure(&self.0.error));
        }
        report
    }
}

impl Failure for Rejection {
    fn check_id(&self) -> &'static str {
        self.0.error.check_id()
    }
    fn problem(&self) -> AcmeProblem {
        self.0.error.problem()
    }
    fn expected(&self) -> Option<String> {
        self.0.error.expected()
    }
    fn found(&self) -> Option<String> {
        self.0.error.found()
    }
}

/// What each catalogue check means, in words that reveal nothing configured.
fn generic(id: &str) -> &'static str {
    match id {
        "access_token.format" | "oidc.format" => "not a well-formed JWS",
        "access_token.typ" => "typ is not at+jwt",
        "access_token.issuer_key" => "not signed by a trusted wire-server key",
        "access_token.signature" => {
            "the algorithm is not accepted or the signature does not verify"
        }
        "access_token.time" | "oidc.time" => {
            "expired, not yet valid, issued in the future, or living too long"
        }
        "access_token.iss" => "the issuer is not the challenge target",
        "access_token.aud" => "the audience is not the challenge URL",
        "access_token.sub" => "the client id is not the order's",
        "access_token.proof" => "the embedded DPoP proof is not valid for this challenge",
        "access_token.cnf" => "the token is not bound to the DPoP proof key",
        "access_token.chal" => "the challenge token does not match",
        "access_token.nonce" => "the nonce does not match",
        "access_token.scope" => "the scope does not grant wire_client_id",
        "access_token.api_version" => "api_version is missing or too old",
        "oidc.signature" => "not signed by a trusted IdP key",
        "oidc.aud" => "the audience is not the OAuth client",
        "oidc.iss" => "the issuer is not the configured IdP",
        "oidc.keyauth" => "keyauth is not the challenge token and the account key thumbprint",
        "oidc.acme_aud" => "acme_aud is not the challenge URL",
        "challenge.client_id" => "the client id is not the order's",
        "oidc.name" | "dpop.name" => "the display name is not the order's",
        "oidc.preferred_username" | "dpop.handle" => "the handle is not the order's",
        "dpop.team" => "the team is not the order's",
        _ => "check failed",
    }
}
