//! Single-use stores: DPoP `jti`s, consumed once, and server nonces, issued
//! then consumed once.
//!
//! A proof is single-use for its lifetime (RFC 9449 §11.1), and a nonce proves
//! freshness only if the server that checks it saw it issued and lets it be
//! used once. Both are traits so that a fleet of servers can share one store:
//!
//! - [`MemoryStore`], the in-process default: bounded, expiring, safe under
//!   concurrency, no global state (one store per value you create);
//! - `RedisStore` (cargo feature `redis`): a Redis shared by the fleet, with
//!   atomic `SET NX PX` and `DEL`, pooled connections and timeouts.
//!
//! Every operation answers `Err(StoreError)` when the store cannot answer, and
//! callers must fail closed: a validation never succeeds on an unanswered
//! store. Times are the caller's clock (`now`), never the store's, so a store
//! and its contract tests are deterministic; Redis receives only the relative
//! time left (`expires_at - now`).

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisConfig, RedisStore};

use crate::time::UnixTime;
use thiserror::Error;

/// The store could not answer; callers must fail closed.
///
/// The message is for operators' logs (it may name the store's address); it
/// is never meant for an ACME client.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("replay store unavailable: {0}")]
pub struct StoreError(pub String);

/// A set of single-use keys, each remembered until it expires.
pub trait ReplayStore: Send + Sync {
    /// Marks `key` used until `expires_at`. `Ok(true)` the first time,
    /// `Ok(false)` if it was already used and has not expired.
    fn first_use(&self, key: &str, expires_at: UnixTime, now: UnixTime)
        -> Result<bool, StoreError>;
}

/// Server-issued nonces: each is valid from [`issue`](NonceStore::issue) until
/// it expires or is consumed, whichever comes first.
///
/// Why a separate trait from [`ReplayStore`]: a replay store accepts any key
/// once (the client chose it), a nonce store accepts only keys the server
/// issued. The two answers differ for a nonce that was never issued, which is
/// exactly the case an attacker controls.
pub trait NonceStore: Send + Sync {
    /// Records `nonce` as issued until `expires_at`. Issuing a nonce that is
    /// already live is an error (nonces must be unpredictable and fresh).
    fn issue(&self, nonce: &str, expires_at: UnixTime, now: UnixTime) -> Result<(), StoreError>;

    /// Consumes `nonce`: `Ok(true)` if it was issued, has not expired and was
    /// not consumed before (it is now), `Ok(false)` otherwise.
    fn consume(&self, nonce: &str, now: UnixTime) -> Result<bool, StoreError>;

    /// Issues a fresh random nonce (128 bits, base64url) living `ttl` seconds.
    fn issue_fresh(&self, ttl: u64, now: UnixTime) -> Result<String, StoreError> {
        let nonce = random_nonce()?;
        self.issue(&nonce, now.saturating_add(ttl), now)?;
        Ok(nonce)
    }
}

/// 16 random bytes from the system generator, base64url.
pub fn random_nonce() -> Result<String, StoreError> {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError("the system random generator failed".into()))?;
    Ok(crate::jose::b64_encode(&bytes))
}

impl<T: ReplayStore + ?Sized> ReplayStore for std::sync::Arc<T> {
    fn first_use(
        &self,
        key: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        (**self).first_use(key, expires_at, now)
    }
}

impl<T: NonceStore + ?Sized> NonceStore for std::sync::Arc<T> {
    fn issue(&self, nonce: &str, expires_at: UnixTime, now: UnixTime) -> Result<(), StoreError> {
        (**self).issue(nonce, expires_at, now)
    }
    fn consume(&self, nonce: &str, now: UnixTime) -> Result<bool, StoreError> {
        (**self).consume(nonce, now)
    }
}
