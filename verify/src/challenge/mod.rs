//! The ACME server's side: validating a `wire-dpop-01` or `wire-oidc-01`
//! challenge response.
//!
//! A [`Validator`] is configured once ([`Validator::builder`]): pinned
//! wire-server keys, the IdP, accepted algorithms, time limits, a replay store
//! and a nonce store, a clock. Every mandatory input is checked by
//! [`Builder::build`], so a request never meets a validator that would skip a
//! check for want of configuration (there is, on purpose, no way to trust an
//! access token's embedded key here).
//!
//! Each request then brings what the ACME server knows — the [`Challenge`]
//! (type, token, URL, target), the account key that signed the request, the
//! order's [`Identifiers`] — and the posted payload. The answer is the
//! validated [`Identity`], or a [`Rejection`] carrying the ACME problem type,
//! a detail safe to send to the client, and the full check list for logs.
//!
//! # What is checked, and which nonce
//!
//! `wire-dpop-01` (payload `{"access_token": …}`): every `access_token.*`
//! check with `iss` = the challenge target (the wire-server access-token URL,
//! also the proof's `htu`), `aud` and the proof's `aud` = the challenge URL,
//! `chal` = the challenge token, `sub` = the order's client id; the embedded
//! proof's key must be the ACME account key (`challenge.account_key`: Wire
//! clients use one key for both, and only that ties the token to the account
//! that posts it); its `handle`, `name` and `team` must be the order's. Then,
//! and only then, state is touched: the proof's `jti` is consumed through the
//! replay store (key: SHA-256 thumbprint of the proof key + `jti`, until the
//! proof's `exp` + skew), and the token's `nonce` per [`WireNonce`].
//!
//! Which nonce can the ACME server check? Two are in play. The ACME request's
//! own `nonce` header is issued by the ACME server (`Replay-Nonce`): it can
//! and must check it, with the same [`NonceStore`] (the example server does,
//! before calling the validator). The access token's `nonce` is wire-server's:
//! the ACME server can check it was issued only if it shares the nonce store
//! with whoever issues it ([`WireNonce::Issued`], the default); otherwise it
//! can check only that the proof and the token agree and that the nonce is
//! used once ([`WireNonce::SingleUse`]).
//!
//! `wire-oidc-01` (payload `{"id_token": …}`, optionally with `keyauth`): the
//! `oidc.*` checks with the configured issuer, OAuth client id and keys,
//! `acme_aud` = the challenge URL, `name` and `preferred_username` = the
//! order's, and `keyauth` = RFC 8555 §8.1's key authorization: the challenge
//! token `.` the RFC 7638 SHA-256 thumbprint of the account key, whatever the
//! suite (step-ca's `wire-oidc-01` computes exactly that; only `cnf.kid`, a
//! wire-server claim, follows the suite's hash). The id token is single use
//! (its `jti`, or its hash).
//!
//! # Example
//!
//! ```rust
//! use std::sync::Arc;
//! use e2ei_verify::challenge::{Challenge, ChallengeType, Identifiers, Validator};
//! use e2ei_verify::identity::{ClientId, Handle};
//! use e2ei_verify::oidc::IdpKey;
//! use e2ei_verify::replay::{MemoryStore, NonceStore};
//! use vectors::mint::{Flow, SigningKey, Suite};
//!
//! let now = 1_768_462_854;
//! let flow = Flow::new(Suite::P256, "doc", now); // a valid minted enrolment step
//! let idp = SigningKey::from_seed(Suite::P256, "idp");
//!
//! // Once, at start-up.
//! let store = Arc::new(MemoryStore::default()); // RedisStore for a fleet
//! let validator = Validator::builder()
//!     .wire_server_key(flow.issuer.public_key())
//!     .idp("https://idp.example.com", "wireapp", [IdpKey::Wire(idp.public_key())])
//!     .replay_store(store.clone())
//!     .nonce_store(store.clone())
//!     .clock(move || now) // default: the system clock
//!     .build()?;
//!
//! // wire-server issued the client's nonce through the shared store.
//! store.issue(&flow.nonce, now + 300, now)?;
//!
//! // Per request: what the ACME server knows, and the posted payload.
//! let order = Identifiers::new(
//!     Some(ClientId::parse(&flow.client_id)?),
//!     Handle::parse(&flow.handle)?,
//!     "Alice Smith",
//!     "wire.example.com",
//! )
//! .with_team("wire");
//! let challenge = Challenge {
//!     kind: ChallengeType::WireDpop01,
//!     token: &flow.chal,
//!     url: &flow.aud,
//!     target: &flow.htu,
//! };
//! let account_key = flow.client.public_key(); // from the account (kid)
//! let payload = format!(r#"{{"access_token":"{}"}}"#, flow.access_token);
//!
//! let identity = validator.validate(&challenge, &account_key, &order, payload.as_bytes())?;
//! assert_eq!(identity.client_id, order.client_id);
//! assert_eq!(identity.display_name, "Alice Smith");
//!
//! // The same proof again is a replay.
//! let rejection = validator
//!     .validate(&challenge, &account_key, &order, payload.as_bytes())
//!     .unwrap_err();
//! assert_eq!(rejection.problem().urn(), "urn:ietf:params:acme:error:unauthorized");
//! assert_eq!(rejection.check_id(), "dpop.jti");
//! assert_eq!(rejection.detail(), "dpop.jti: already used (replay)");
//! assert!(rejection.report().checks.len() > 20); // every check, for the logs
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
mod error;

pub use builder::{Builder, Clock, ConfigError, SystemClock, WireNonce};
pub use error::{Error, Rejection};

use crate::access_token::{self, VerifiedAccessToken};
use crate::dpop::{self, VerifiedProof};
use crate::identity::{ClientId, Handle};
use crate::jose::{parse_object, parse_text, HashAlg, Json, Members, Object, PublicKey};
use crate::oidc::{self, IdpKey, IdpTrust};
use crate::replay::{NonceStore, ReplayStore};
use crate::report::{FailFast, Report, Sink};
use crate::time::{numeric_date, TimePolicy, UnixTime};
use serde_json::Value;
use std::sync::Arc;

/// The two Wire challenge types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChallengeType {
    /// `wire-dpop-01`: a DPoP-bound access token from wire-server.
    WireDpop01,
    /// `wire-oidc-01`: an id token from the IdP.
    WireOidc01,
}

impl ChallengeType {
    /// The ACME name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeType::WireDpop01 => "wire-dpop-01",
            ChallengeType::WireOidc01 => "wire-oidc-01",
        }
    }

    /// Reads the ACME name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "wire-dpop-01" => Some(ChallengeType::WireDpop01),
            "wire-oidc-01" => Some(ChallengeType::WireOidc01),
            _ => None,
        }
    }
}

/// The challenge as the ACME server created it.
#[derive(Clone, Copy, Debug)]
pub struct Challenge<'a> {
    /// Its type.
    pub kind: ChallengeType,
    /// Its token (the proof's and token's `chal`, the start of `keyauth`).
    pub token: &'a str,
    /// Its URL (the tokens' `aud`, the id token's `acme_aud`).
    pub url: &'a str,
    /// Its `target`: for `wire-dpop-01` the wire-server access-token URL (the
    /// access token's `iss`, the proof's `htu`); unused for `wire-oidc-01`,
    /// whose issuer is configured.
    pub target: &'a str,
}

/// What the order says the client is (the `wireapp-device` / `wireapp-user`
/// identifiers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identifiers {
    /// The device; required for `wire-dpop-01` (absent from `wireapp-user`).
    pub client_id: Option<ClientId>,
    /// The user's handle.
    pub handle: Handle,
    /// The user's display name.
    pub display_name: String,
    /// The team, when the order names one (`dpop.team` is skipped otherwise).
    pub team: Option<String>,
    /// The backend domain.
    pub domain: String,
}

impl Identifiers {
    /// The order's identifiers, without a team.
    pub fn new(
        client_id: Option<ClientId>,
        handle: Handle,
        display_name: impl Into<String>,
        domain: impl Into<String>,
    ) -> Self {
        Identifiers {
            client_id,
            handle,
            display_name: display_name.into(),
            team: None,
            domain: domain.into().to_ascii_lowercase(),
        }
    }

    /// With a team.
    pub fn with_team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Reads an identifier's JSON value, as in an order:
    /// `{"client-id": …, "handle": …, "name": …, "domain": …}` (`client-id`
    /// absent for `wireapp-user`).
    pub fn from_identifier_value(value: &str) -> Result<Self, Error> {
        let object = parse_object(value.as_bytes(), "identifier")
            .map_err(|e| Error::Identifiers(e.to_string()))?;
        let string = |name: &str| object.get(name).and_then(Value::as_str);
        let missing = |name: &str| Error::Identifiers(format!("no {name:?}"));
        let client_id = string("client-id")
            .map(ClientId::parse)
            .transpose()
            .map_err(|e| Error::Identifiers(e.to_string()))?;
        let handle = Handle::parse(string("handle").ok_or_else(|| missing("handle"))?)
            .map_err(|e| Error::Identifiers(e.to_string()))?;
        let name = string("name").ok_or_else(|| missing("name"))?;
        let domain = string("domain").ok_or_else(|| missing("domain"))?;
        let mut ids = Identifiers::new(client_id, handle, name, domain);
        ids.team = string("team").map(str::to_owned);
        Ok(ids)
    }

    fn check_consistent(&self) -> Result<(), Error> {
        if self.handle.domain != self.domain {
            return Err(Error::Identifiers(format!(
                "handle domain {} is not {}",
                self.handle.domain, self.domain
            )));
        }
        match &self.client_id {
            Some(c) if c.domain != self.domain => Err(Error::Identifiers(format!(
                "client domain {} is not {}",
                c.domain, self.domain
            ))),
            _ => Ok(()),
        }
    }
}

/// Who the client proved to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Which challenge proved it.
    pub kind: ChallengeType,
    /// The device (`wire-dpop-01` only).
    pub client_id: Option<ClientId>,
    /// The handle.
    pub handle: Handle,
    /// The display name.
    pub display_name: String,
    /// The team (`wire-dpop-01`, when the proof names one).
    pub team: Option<String>,
    /// When the token that proved it expires.
    pub expires_at: UnixTime,
}

/// A configured challenge validator. Cheap to clone and share across threads.
#[derive(Clone)]
pub struct Validator {
    config: Arc<Config>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("idp_issuer", &self.config.idp_issuer)
            .field("wire_nonce", &self.config.wire_nonce)
            .finish_non_exhaustive()
    }
}

struct Config {
    /// Expectations shared by every access token; per-request fields are
    /// filled in on a clone.
    token: access_token::Expectations,
    idp_issuer: String,
    oauth_client_id: String,
    idp_keys: Vec<IdpKey>,
    id_token_time: TimePolicy,
    trust_anchors: Vec<Vec<u8>>,
    replay: Arc<dyn ReplayStore>,
    nonces: Arc<dyn NonceStore>,
    wire_nonce: WireNonce,
    clock: Arc<dyn Clock>,
}

impl Validator {
    /// Starts a configuration.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The configured trust anchors (DER), for the finalize step.
    pub fn trust_anchors(&self) -> &[Vec<u8>] {
        &self.config.trust_anchors
    }

    /// The nonce store, e.g. to issue the ACME `Replay-Nonce`s or, where the
    /// ACME side hands out wire nonces, those.
    pub fn nonce_store(&self) -> &Arc<dyn NonceStore> {
        &self.config.nonces
    }

    /// The clock's current time.
    pub fn now(&self) -> UnixTime {
        self.config.clock.now()
    }

    /// Validates one challenge response. Stateless checks all run before any
    /// store is touched, so a forged submission consumes nothing.
    pub fn validate(
        &self,
        challenge: &Challenge<'_>,
        account_key: &PublicKey,
        order: &Identifiers,
        payload: &[u8],
    ) -> Result<Identity, Rejection> {
        let now = self.config.clock.now();
        let fail = |e| Rejection::new(e, None);
        order.check_consistent().map_err(fail)?;
        let not_object = || fail(Error::Payload("not a JSON object"));
        let text = std::str::from_utf8(payload).map_err(|_| not_object())?;
        let payload = parse_text(text, "payload").map_err(|_| not_object())?;
        match challenge.kind {
            ChallengeType::WireDpop01 => self.dpop(challenge, account_key, order, &payload, now),
            ChallengeType::WireOidc01 => self.oidc(challenge, account_key, order, &payload, now),
        }
    }

    fn dpop(
        &self,
        challenge: &Challenge<'_>,
        account_key: &PublicKey,
        order: &Identifiers,
        payload: &Members<'_>,
        now: UnixTime,
    ) -> Result<Identity, Rejection> {
        let jwt = member(payload, "access_token", &["access_token"])
            .map_err(|e| Rejection::new(e, None))?;
        let audit = || Audit {
            config: self.config.clone(),
            challenge: OwnedChallenge::from(challenge),
            account_key: account_key.clone(),
            order: order.clone(),
            jwt: jwt.to_owned(),
            now,
        };
        let fail = |e| Rejection::new(e, Some(audit()));
        let request = token_request(challenge, order).map_err(fail)?;
        let token = access_token::verify_request(jwt, &self.config.token, &request, now)
            .map_err(|e| fail(Error::AccessToken(e)))?;
        let proof = token
            .proof
            .as_ref()
            .ok_or_else(|| fail(Error::Payload("the access token has no proof")))?;
        dpop_bindings(&token, proof, account_key, order, &mut FailFast).map_err(fail)?;
        self.consume_dpop(&token, proof, now).map_err(fail)?;
        Ok(Identity {
            kind: ChallengeType::WireDpop01,
            client_id: token.client_id.clone(),
            handle: order.handle.clone(),
            display_name: order.display_name.clone(),
            team: proof.claim("team").map(str::to_owned),
            expires_at: token.times.map_or(now, |t| t.exp),
        })
    }

    /// The proof's `jti`, then the wire nonce: single use.
    fn consume_dpop(
        &self,
        token: &VerifiedAccessToken,
        proof: &VerifiedProof,
        now: UnixTime,
    ) -> Result<(), Error> {
        let skew = self.config.token.time.max_skew;
        let jti = proof.claim("jti").unwrap_or_default();
        let slot = dpop::jti_slot(&proof.key, jti);
        let until = proof.times.map_or(now, |t| t.exp).saturating_add(skew);
        match self.config.replay.first_use(&slot, until, now) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Error::Replay {
                    id: "dpop.jti",
                    what: format!("proof jti {jti:?}"),
                })
            }
            Err(error) => {
                return Err(Error::Unavailable {
                    id: "dpop.jti",
                    error,
                })
            }
        }
        let nonce = token.claims.get("nonce").unwrap_or_default();
        let fresh = match self.config.wire_nonce {
            WireNonce::Issued => self.config.nonces.consume(nonce, now),
            WireNonce::SingleUse => {
                let until = token.times.map_or(now, |t| t.exp).saturating_add(skew);
                self.config
                    .replay
                    .first_use(&format!("wire-nonce:{nonce}"), until, now)
            }
        };
        match fresh {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::Nonce(nonce.to_owned())),
            Err(error) => Err(Error::Unavailable {
                id: "access_token.nonce",
                error,
            }),
        }
    }

    fn oidc(
        &self,
        challenge: &Challenge<'_>,
        account_key: &PublicKey,
        order: &Identifiers,
        payload: &Members<'_>,
        now: UnixTime,
    ) -> Result<Identity, Rejection> {
        let allowed = ["id_token", "keyauth"];
        let jwt = member(payload, "id_token", &allowed).map_err(|e| Rejection::new(e, None))?;
        let audit = || Audit {
            config: self.config.clone(),
            challenge: OwnedChallenge::from(challenge),
            account_key: account_key.clone(),
            order: order.clone(),
            jwt: jwt.to_owned(),
            now,
        };
        let fail = |e| Rejection::new(e, Some(audit()));
        let expect = self
            .config
            .id_token_expectations(challenge, account_key, order);
        if let Some(found) = payload.get("keyauth") {
            let found = found.as_str().unwrap_or_default();
            let expected = expect.keyauth.clone().unwrap_or_default();
            if found != expected {
                return Err(fail(Error::Keyauth {
                    expected,
                    found: found.to_owned(),
                }));
            }
        }
        let claims = oidc::verify(jwt, &expect, now).map_err(|e| fail(Error::IdToken(e)))?;
        let handle = oidc_handle(&claims, order, &mut FailFast).map_err(fail)?;
        let exp = numeric_date(&claims, "exp").ok().flatten().unwrap_or(now);
        let issuer = &self.config.idp_issuer;
        let slot = match claims.get("jti").and_then(Value::as_str) {
            Some(jti) => format!("oidc:{issuer}:{jti}"),
            None => format!(
                "oidc:{issuer}:#{}",
                crate::jose::b64_encode(HashAlg::Sha256.digest(jwt.as_bytes()).as_ref())
            ),
        };
        let until = exp.saturating_add(self.config.id_token_time.max_skew);
        match self.config.replay.first_use(&slot, until, now) {
            Ok(true) => {}
            Ok(false) => {
                return Err(fail(Error::Replay {
                    id: "oidc.jti",
                    what: "id token".into(),
                }))
            }
            Err(error) => {
                return Err(fail(Error::Unavailable {
                    id: "oidc.jti",
                    error,
                }))
            }
        }
        Ok(Identity {
            kind: ChallengeType::WireOidc01,
            client_id: None,
            handle,
            display_name: order.display_name.clone(),
            team: None,
            expires_at: exp,
        })
    }
}

impl Config {
    /// The configured token expectations with the request's filled in, for
    /// the audit of a rejection (validation itself uses [`token_request`]
    /// over the shared configuration).
    fn token_expectations(
        &self,
        challenge: &Challenge<'_>,
        order: &Identifiers,
    ) -> Result<access_token::Expectations, Error> {
        let request = token_request(challenge, order)?;
        let mut e = self.token.clone();
        e.iss = request.iss.map(str::to_owned);
        e.aud = request.aud.map(str::to_owned);
        e.client_id = request.client_id.cloned();
        e.chal = request.chal.map(str::to_owned);
        e.nonce = request.nonce.map(str::to_owned);
        e.proof.aud = request.proof_aud.map(str::to_owned);
        Ok(e)
    }

    fn id_token_expectations(
        &self,
        challenge: &Challenge<'_>,
        account_key: &PublicKey,
        order: &Identifiers,
    ) -> oidc::Expectations {
        let thumbprint = account_key.jwk().thumbprint(HashAlg::Sha256);
        let mut e = oidc::Expectations::new(IdpTrust::Pinned(self.idp_keys.clone()));
        e.iss = Some(self.idp_issuer.clone());
        e.audience = Some(self.oauth_client_id.clone());
        e.keyauth = Some(format!("{}.{thumbprint}", challenge.token));
        e.acme_aud = Some(challenge.url.to_owned());
        e.name = Some(order.display_name.clone());
        e.time = self.id_token_time;
        e
    }
}

/// What a `wire-dpop-01` request expects of the access token beyond the
/// validator's configuration: `iss` = the challenge target, `aud` and the
/// proof's `aud` = the challenge URL, `chal` = the challenge token.
fn token_request<'r>(
    challenge: &Challenge<'r>,
    order: &Identifiers,
) -> Result<access_token::Request<'r>, Error> {
    if order.client_id.is_none() {
        return Err(Error::Identifiers(
            "the order names no client id, which wire-dpop-01 requires".into(),
        ));
    }
    Ok(access_token::Request {
        iss: Some(challenge.target),
        aud: Some(challenge.url),
        // The client id is compared after the signatures (`challenge.client_id`),
        // so that a valid token for another device is a rejectedIdentifier, not
        // an embedded-proof failure.
        client_id: None,
        chal: Some(challenge.token),
        // The wire nonce is checked against the store, after the signatures.
        nonce: None,
        proof_aud: Some(challenge.url),
    })
}

/// The one token member of a payload, with no member outside `allowed`.
fn member<'p>(payload: &'p Members<'_>, name: &str, allowed: &[&str]) -> Result<&'p str, Error> {
    if payload.keys().any(|k| !allowed.contains(&k)) {
        return Err(Error::Payload("unexpected member in the payload"));
    }
    if payload
        .iter()
        .any(|(k, v)| k != name && !matches!(v, Json::String(_)))
    {
        return Err(Error::Payload("a payload member is not a string"));
    }
    match payload.get(name) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(Error::Payload("the token member is not a non-empty string")),
        None if name == "access_token" => Err(Error::Payload("no access_token in the payload")),
        None => Err(Error::Payload("no id_token in the payload")),
    }
}

/// The token names the order's client; the proof's key is the account key;
/// its handle, name and team are the order's.
fn dpop_bindings<S: Sink<Error>>(
    token: &VerifiedAccessToken,
    proof: &VerifiedProof,
    account_key: &PublicKey,
    order: &Identifiers,
    sink: &mut S,
) -> Result<(), Error> {
    let result = match (&token.client_id, &order.client_id) {
        (Some(found), Some(want)) if found == want => Ok(()),
        (found, want) => Err(Error::Identity {
            id: "challenge.client_id",
            claim: "sub",
            expected: want.as_ref().map(ToString::to_string).unwrap_or_default(),
            found: found.as_ref().map(ToString::to_string),
        }),
    };
    sink.outcome("challenge.client_id", result, || {
        "the token's client is the order's".into()
    })?;
    let result = if proof.key.jwk() == account_key.jwk() {
        Ok(())
    } else {
        Err(Error::AccountKey {
            expected: account_key.jwk().thumbprint(HashAlg::Sha256),
            found: proof.key.jwk().thumbprint(HashAlg::Sha256),
        })
    };
    sink.outcome("challenge.account_key", result, || {
        "the DPoP proof key is the ACME account key".into()
    })?;
    let handle = proof.claim("handle");
    let result = match handle {
        Some(h) if order.handle.names(h) => Ok(()),
        _ => Err(identity_error(
            "dpop.handle",
            "handle",
            order.handle.to_string(),
            handle,
        )),
    };
    sink.outcome("dpop.handle", result, || {
        format!("handle is {}", order.handle)
    })?;
    let name = proof.claim("name");
    let result = if name == Some(order.display_name.as_str()) {
        Ok(())
    } else {
        Err(identity_error(
            "dpop.name",
            "name",
            order.display_name.clone(),
            name,
        ))
    };
    sink.outcome("dpop.name", result, || {
        format!("name is {:?}", order.display_name)
    })?;
    let team = proof.claim("team");
    match &order.team {
        Some(want) if team == Some(want.as_str()) => {
            sink.pass("dpop.team", || format!("team is {want:?}"));
            Ok(())
        }
        Some(want) => sink.fail(identity_error("dpop.team", "team", want.clone(), team)),
        None => {
            sink.skip("dpop.team", || "the order names no team".into());
            Ok(())
        }
    }
}

/// `preferred_username` names the order's handle (any spelling).
fn oidc_handle<S: Sink<Error>>(
    claims: &Object,
    order: &Identifiers,
    sink: &mut S,
) -> Result<Handle, Error> {
    let found = claims.get("preferred_username").and_then(Value::as_str);
    let result = match found.map(Handle::parse) {
        Some(Ok(h)) if h == order.handle => Ok(()),
        _ => Err(identity_error(
            "oidc.preferred_username",
            "preferred_username",
            order.handle.to_string(),
            found,
        )),
    };
    sink.outcome("oidc.preferred_username", result, || {
        format!("preferred_username names {}", order.handle)
    })?;
    Ok(order.handle.clone())
}

fn identity_error(
    id: &'static str,
    claim: &'static str,
    expected: String,
    found: Option<&str>,
) -> Error {
    Error::Identity {
        id,
        claim,
        expected,
        found: found.map(str::to_owned),
    }
}

#[derive(Clone, Debug)]
struct OwnedChallenge {
    kind: ChallengeType,
    token: String,
    url: String,
    target: String,
}

impl From<&Challenge<'_>> for OwnedChallenge {
    fn from(c: &Challenge<'_>) -> Self {
        OwnedChallenge {
            kind: c.kind,
            token: c.token.to_owned(),
            url: c.url.to_owned(),
            target: c.target.to_owned(),
        }
    }
}

/// Everything needed to re-run a rejected validation's stateless checks in
/// audit mode, for [`Rejection::report`].
pub(crate) struct Audit {
    config: Arc<Config>,
    challenge: OwnedChallenge,
    account_key: PublicKey,
    order: Identifiers,
    jwt: String,
    now: UnixTime,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit")
            .field("challenge", &self.challenge)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Audit {
    fn run(&self) -> Report {
        let c = &self.challenge;
        let challenge = Challenge {
            kind: c.kind,
            token: &c.token,
            url: &c.url,
            target: &c.target,
        };
        let mut report = Report::new();
        match c.kind {
            ChallengeType::WireDpop01 => {
                let expect = match self.config.token_expectations(&challenge, &self.order) {
                    Ok(e) => e,
                    Err(_) => return report,
                };
                let audit = access_token::audit(&self.jwt, &expect, self.now);
                report.checks.extend(audit.report.checks);
                if let Some(proof_report) = audit.proof_report {
                    report.checks.extend(proof_report.checks);
                }
                if let Some(token) = &audit.token {
                    if let Some(proof) = &token.proof {
                        let _ = dpop_bindings(
                            token,
                            proof,
                            &self.account_key,
                            &self.order,
                            &mut report,
                        );
                    }
                }
            }
            ChallengeType::WireOidc01 => {
                let expect =
                    self.config
                        .id_token_expectations(&challenge, &self.account_key, &self.order);
                let (claims, oidc_report) = oidc::audit(&self.jwt, &expect, self.now);
                report.checks.extend(oidc_report.checks);
                if let Some(claims) = claims {
                    let _ = oidc_handle(&claims, &self.order, &mut report);
                }
            }
        }
        report
    }
}
