//! The in-process store: two bounded, expiring maps behind mutexes.

use super::{NonceStore, ReplayStore, StoreError};
use crate::time::UnixTime;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// An in-memory store holding at most `capacity` live used keys and as many
/// live issued nonces. When full it refuses new entries (fail closed) rather
/// than forgetting live ones, which would reopen replays.
///
/// One mutex per map: an operation holds it for one hash-map access (the
/// signature checks that precede it take a thousand times longer), so
/// contention is not where a validation spends its time. A full map is swept
/// of expired entries only once the earliest expiry has passed, so a store
/// kept full by live entries answers in constant time instead of rescanning.
#[derive(Debug)]
pub struct MemoryStore {
    used: Mutex<Bounded>,
    nonces: Mutex<Bounded>,
}

#[derive(Debug)]
struct Bounded {
    capacity: usize,
    entries: HashMap<String, UnixTime>,
    /// No entry expires before this (`UnixTime::MAX` when empty).
    earliest: UnixTime,
}

impl Bounded {
    fn new(capacity: usize) -> Self {
        Bounded {
            capacity,
            entries: HashMap::new(),
            earliest: UnixTime::MAX,
        }
    }

    /// Room for one more entry at `now`, sweeping expired entries if needed.
    fn make_room(&mut self, now: UnixTime, what: &str) -> Result<(), StoreError> {
        if self.entries.len() < self.capacity {
            return Ok(());
        }
        if now >= self.earliest {
            self.entries.retain(|_, &mut until| until > now);
            self.earliest = self
                .entries
                .values()
                .copied()
                .min()
                .unwrap_or(UnixTime::MAX);
        }
        if self.entries.len() < self.capacity {
            Ok(())
        } else {
            Err(StoreError(format!(
                "memory store full ({} live {what})",
                self.capacity
            )))
        }
    }

    fn insert(&mut self, key: &str, until: UnixTime) {
        self.earliest = self.earliest.min(until);
        self.entries.insert(key.to_owned(), until);
    }
}

impl MemoryStore {
    /// A store for at most `capacity` unexpired used keys (and as many nonces).
    pub fn new(capacity: usize) -> Self {
        MemoryStore {
            used: Mutex::new(Bounded::new(capacity)),
            nonces: Mutex::new(Bounded::new(capacity)),
        }
    }

    /// Live and expired-but-not-swept entries: (used keys, issued nonces).
    pub fn len(&self) -> (usize, usize) {
        let used = lock(&self.used).map_or(0, |m| m.entries.len());
        let nonces = lock(&self.nonces).map_or(0, |m| m.entries.len());
        (used, nonces)
    }

    /// Whether the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

fn lock(m: &Mutex<Bounded>) -> Result<MutexGuard<'_, Bounded>, StoreError> {
    m.lock()
        .map_err(|_| StoreError("memory store lock poisoned".into()))
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
        let mut used = lock(&self.used)?;
        if used.entries.get(key).is_some_and(|&until| until > now) {
            return Ok(false);
        }
        used.make_room(now, "keys")?;
        used.insert(key, expires_at);
        Ok(true)
    }
}

impl NonceStore for MemoryStore {
    fn issue(&self, nonce: &str, expires_at: UnixTime, now: UnixTime) -> Result<(), StoreError> {
        let mut nonces = lock(&self.nonces)?;
        if nonces.entries.get(nonce).is_some_and(|&until| until > now) {
            return Err(StoreError("nonce already issued and live".into()));
        }
        nonces.make_room(now, "nonces")?;
        nonces.insert(nonce, expires_at);
        Ok(())
    }

    fn consume(&self, nonce: &str, now: UnixTime) -> Result<bool, StoreError> {
        let mut nonces = lock(&self.nonces)?;
        Ok(nonces
            .entries
            .remove(nonce)
            .is_some_and(|until| until > now))
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
        assert!(s.first_use("d", 100, 30).is_err());
    }

    #[test]
    fn a_nonce_is_consumed_once_if_issued_and_live() {
        let s = MemoryStore::new(2);
        s.issue("n", 100, 10).unwrap();
        assert!(s.issue("n", 100, 20).is_err());
        assert_eq!(s.consume("n", 50), Ok(true));
        assert_eq!(s.consume("n", 50), Ok(false));
        assert_eq!(s.consume("never", 50), Ok(false));
        s.issue("old", 60, 10).unwrap();
        assert_eq!(s.consume("old", 60), Ok(false));
    }
}
