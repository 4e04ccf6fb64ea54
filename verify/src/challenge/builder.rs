//! Configuring a [`Validator`]: everything an ACME server knows before the
//! first request, checked once so that no request can meet a half-configured
//! validator.

use super::{Config, Validator};
use crate::access_token::{self, IssuerTrust};
use crate::jose::{Algorithm, PublicKey};
use crate::oidc::IdpKey;
use crate::replay::{NonceStore, ReplayStore};
use crate::time::{TimePolicy, UnixTime};
use std::sync::Arc;
use thiserror::Error;

/// Where the validator reads the time. Servers use [`SystemClock`]; tests and
/// replays of captured flows use a closure returning a fixed instant.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> UnixTime;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

impl<F: Fn() -> UnixTime + Send + Sync> Clock for F {
    fn now(&self) -> UnixTime {
        self()
    }
}

/// How the ACME server checks the wire-server nonce carried by an access token
/// (the `nonce` the client got from `GET /clients/{device}/nonce`, echoed by
/// the proof and the token).
///
/// The ACME server can only check a nonce it saw issued. wire-server issues
/// this one, so [`WireNonce::Issued`] requires wire-server (or whatever hands
/// out wire nonces) to record them in the nonce store shared with the ACME
/// servers; [`WireNonce::SingleUse`] is for deployments where that is not so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WireNonce {
    /// The token's nonce must be consumed from the nonce store: never issued,
    /// already used or expired is `badNonce`. The default: strictest.
    #[default]
    Issued,
    /// The issuer of wire nonces is not visible: the token's nonce must equal
    /// its proof's (always checked) and is used at most once, through the
    /// replay store, for the token's lifetime. Freshness then rests on
    /// wire-server, which checked the nonce when it minted the token.
    SingleUse,
}

/// A mandatory input is missing or a limit is unusable.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// No pinned wire-server key: access tokens could not be trusted.
    #[error(
        "no wire-server signing key pinned (the server API never trusts a token's embedded key)"
    )]
    NoIssuerKey,
    /// No IdP issuer URL for `wire-oidc-01`.
    #[error("no IdP issuer URL configured for wire-oidc-01")]
    NoIdpIssuer,
    /// No OAuth client id (the id token's `aud`).
    #[error("no OAuth client id configured for wire-oidc-01")]
    NoOAuthClientId,
    /// No IdP signing key.
    #[error("no IdP signing key pinned for wire-oidc-01")]
    NoIdpKey,
    /// No replay store.
    #[error("no replay store: DPoP proofs would be replayable")]
    NoReplayStore,
    /// No nonce store.
    #[error("no nonce store: nonces could not be checked")]
    NoNonceStore,
    /// The accepted algorithm list is empty.
    #[error("no signature algorithm accepted")]
    NoAlgorithm,
    /// A time limit is zero or out of range.
    #[error("{0}")]
    Limit(String),
}

/// Collects the configuration; [`Builder::build`] checks it.
#[derive(Clone)]
pub struct Builder {
    issuer_keys: Vec<PublicKey>,
    idp_issuer: Option<String>,
    oauth_client_id: Option<String>,
    idp_keys: Vec<IdpKey>,
    trust_anchors: Vec<Vec<u8>>,
    algorithms: Vec<Algorithm>,
    clock_skew: u64,
    proof_max_age: u64,
    proof_max_lifetime: u64,
    token_max_lifetime: u64,
    id_token_max_lifetime: u64,
    replay: Option<Arc<dyn ReplayStore>>,
    nonces: Option<Arc<dyn NonceStore>>,
    wire_nonce: WireNonce,
    clock: Arc<dyn Clock>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            issuer_keys: Vec::new(),
            idp_issuer: None,
            oauth_client_id: None,
            idp_keys: Vec::new(),
            trust_anchors: Vec::new(),
            algorithms: Algorithm::ALL.to_vec(),
            clock_skew: TimePolicy::DPOP.max_skew,
            proof_max_age: TimePolicy::DPOP.max_age.unwrap_or(300),
            proof_max_lifetime: TimePolicy::DPOP.max_lifetime,
            token_max_lifetime: TimePolicy::TOKEN.max_lifetime,
            id_token_max_lifetime: TimePolicy::TOKEN.max_lifetime,
            replay: None,
            nonces: None,
            wire_nonce: WireNonce::default(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("issuer_keys", &self.issuer_keys.len())
            .field("idp_issuer", &self.idp_issuer)
            .field("oauth_client_id", &self.oauth_client_id)
            .field("idp_keys", &self.idp_keys.len())
            .field("algorithms", &self.algorithms)
            .field("wire_nonce", &self.wire_nonce)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Pins one wire-server access-token signing key (repeatable).
    pub fn wire_server_key(mut self, key: PublicKey) -> Self {
        self.issuer_keys.push(key);
        self
    }

    /// Pins wire-server access-token signing keys (e.g. during a rotation).
    pub fn wire_server_keys(mut self, keys: impl IntoIterator<Item = PublicKey>) -> Self {
        self.issuer_keys.extend(keys);
        self
    }

    /// The IdP for `wire-oidc-01`: its issuer URL (`iss`, compared exactly),
    /// the OAuth client id the id token is for (`aud`), and its signing keys.
    pub fn idp(
        mut self,
        issuer: impl Into<String>,
        oauth_client_id: impl Into<String>,
        keys: impl IntoIterator<Item = IdpKey>,
    ) -> Self {
        self.idp_issuer = Some(issuer.into());
        self.oauth_client_id = Some(oauth_client_id.into());
        self.idp_keys.extend(keys);
        self
    }

    /// DER certificates the issued chains must lead to. Optional here: the
    /// challenge does not involve certificates; the slot is carried for the
    /// finalize step ([`Validator::trust_anchors`]).
    pub fn trust_anchors(mut self, anchors: impl IntoIterator<Item = Vec<u8>>) -> Self {
        self.trust_anchors.extend(anchors);
        self
    }

    /// Algorithms accepted for proofs and access tokens (default: all four
    /// Wire ones). IdPs may also use RS256/384/512 for id tokens.
    pub fn algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// Clock skew tolerated both ways, in seconds (default 60, at most 300).
    pub fn clock_skew(mut self, secs: u64) -> Self {
        self.clock_skew = secs;
        self
    }

    /// How old a DPoP proof's `iat` may be, in seconds (default 300).
    ///
    /// A Wire client signs the proof, trades it at wire-server and posts the
    /// token within seconds; the default allows for slow networks.
    pub fn proof_max_age(mut self, secs: u64) -> Self {
        self.proof_max_age = secs;
        self
    }

    /// Longest DPoP proof lifetime `exp - iat` accepted (default 1 day).
    pub fn proof_max_lifetime(mut self, secs: u64) -> Self {
        self.proof_max_lifetime = secs;
        self
    }

    /// Longest access-token lifetime accepted (default 1 day).
    pub fn token_max_lifetime(mut self, secs: u64) -> Self {
        self.token_max_lifetime = secs;
        self
    }

    /// Longest id-token lifetime accepted (default 1 day).
    pub fn id_token_max_lifetime(mut self, secs: u64) -> Self {
        self.id_token_max_lifetime = secs;
        self
    }

    /// Where DPoP `jti`s (and id tokens, and, with [`WireNonce::SingleUse`],
    /// wire nonces) are consumed. Share one among the servers of a fleet.
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// Where nonces are issued and consumed (see [`WireNonce`]).
    pub fn nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonces = Some(store);
        self
    }

    /// How the access token's wire nonce is checked (default
    /// [`WireNonce::Issued`]).
    pub fn wire_nonce(mut self, policy: WireNonce) -> Self {
        self.wire_nonce = policy;
        self
    }

    /// The clock (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the configuration: every mandatory input present, limits sane.
    pub fn build(self) -> Result<Validator, ConfigError> {
        if self.issuer_keys.is_empty() {
            return Err(ConfigError::NoIssuerKey);
        }
        let idp_issuer = self.idp_issuer.ok_or(ConfigError::NoIdpIssuer)?;
        let oauth_client_id = self.oauth_client_id.ok_or(ConfigError::NoOAuthClientId)?;
        if idp_issuer.is_empty() {
            return Err(ConfigError::NoIdpIssuer);
        }
        if oauth_client_id.is_empty() {
            return Err(ConfigError::NoOAuthClientId);
        }
        if self.idp_keys.is_empty() {
            return Err(ConfigError::NoIdpKey);
        }
        let replay = self.replay.ok_or(ConfigError::NoReplayStore)?;
        let nonces = self.nonces.ok_or(ConfigError::NoNonceStore)?;
        if self.algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithm);
        }
        if self.clock_skew > 300 {
            return Err(ConfigError::Limit(format!(
                "clock skew {}s is more than 300s",
                self.clock_skew
            )));
        }
        for (what, secs) in [
            ("proof max age", self.proof_max_age),
            ("proof max lifetime", self.proof_max_lifetime),
            ("access token max lifetime", self.token_max_lifetime),
            ("id token max lifetime", self.id_token_max_lifetime),
        ] {
            if secs == 0 || secs > 7 * 86_400 {
                return Err(ConfigError::Limit(format!(
                    "{what} {secs}s is not between 1s and 7 days"
                )));
            }
        }
        let mut token = access_token::Expectations::new(IssuerTrust::Pinned(self.issuer_keys));
        token.algorithms.clone_from(&self.algorithms);
        token.time = TimePolicy {
            max_skew: self.clock_skew,
            max_age: None,
            max_lifetime: self.token_max_lifetime,
        };
        token.proof.algorithms = self.algorithms;
        token.proof.time = TimePolicy {
            max_skew: self.clock_skew,
            max_age: Some(self.proof_max_age),
            max_lifetime: self.proof_max_lifetime,
        };
        Ok(Validator {
            config: Arc::new(Config {
                token,
                idp_issuer,
                oauth_client_id,
                idp_keys: self.idp_keys,
                id_token_time: TimePolicy {
                    max_skew: self.clock_skew,
                    max_age: None,
                    max_lifetime: self.id_token_max_lifetime,
                },
                trust_anchors: self.trust_anchors,
                replay,
                nonces,
                wire_nonce: self.wire_nonce,
                clock: self.clock,
            }),
        })
    }
}
