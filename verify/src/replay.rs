//! Single-use stores for DPoP `jti`s and server nonces.
//!
//! A proof is single-use for its lifetime (RFC 9449 §11.1). The store is a trait
//! so that a fleet of servers can share one (Redis); [`MemoryStore`] is the
//! in-process default: bounded, expiring, safe under concurrency.

use crate::time::UnixTime;
use std::collections::HashMap;
use std::sync::Mutex;
use thiserror::Error;

/// The store could not answer; callers must fail closed.
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

/// An in-memory store holding at most `capacity` live keys. When full it refuses
/// new keys (fail closed) rather than forgetting live ones, which would reopen
/// replays.
#[derive(Debug)]
pub struct MemoryStore {
    capacity: usize,
    entries: Mutex<HashMap<String, UnixTime>>,
}

impl MemoryStore {
    /// A store for at most `capacity` unexpired keys.
    pub fn new(capacity: usize) -> Self {
        MemoryStore {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl Default for MemoryStore {
    /// One million keys.
    fn default() -> Self {
        MemoryStore::new(1 << 20)
    }
}

impl ReplayStore for MemoryStore {
    fn first_use(
        &self,
        key: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| StoreError("memory store lock poisoned".into()))?;
        if let Some(&until) = entries.get(key) {
            if until > now {
                return Ok(false);
            }
        }
        if entries.len() >= self.capacity {
            entries.retain(|_, &mut until| until > now);
            if entries.len() >= self.capacity {
                return Err(StoreError(format!(
                    "memory store full ({} live keys)",
                    self.capacity
                )));
            }
        }
        entries.insert(key.to_owned(), expires_at);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_accepted_once_until_it_expires() {
        let s = MemoryStore::new(2);
        assert_eq!(s.first_use("a", 100, 10), Ok(true));
        assert_eq!(s.first_use("a", 100, 50), Ok(false));
        assert_eq!(s.first_use("a", 200, 100), Ok(true));
    }

    #[test]
    fn a_full_store_evicts_expired_keys_and_otherwise_fails_closed() {
        let s = MemoryStore::new(2);
        assert_eq!(s.first_use("a", 20, 10), Ok(true));
        assert_eq!(s.first_use("b", 100, 10), Ok(true));
        assert!(s.first_use("c", 100, 10).is_err());
        assert_eq!(s.first_use("c", 100, 30), Ok(true));
    }
}
