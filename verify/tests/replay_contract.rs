//! The store contract: every case runs against the in-memory store and, with
//! the `redis` feature and `E2EI_REDIS_URL`, against Redis. The two must give
//! the same answers, concurrency included.

mod challenge_support;

use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore};
use std::collections::HashSet;
use std::sync::Arc;

/// A store of both kinds.
pub trait Store: ReplayStore + NonceStore {}
impl<T: ReplayStore + NonceStore> Store for T {}

const T0: u64 = 1_000_000;

fn a_key_is_accepted_once_until_it_expires(s: &dyn Store) {
    assert_eq!(s.first_use("k", T0 + 100, T0), Ok(true));
    assert_eq!(s.first_use("k", T0 + 100, T0 + 50), Ok(false));
    assert_eq!(s.first_use("k", T0 + 100, T0 + 99), Ok(false));
    assert_eq!(
        s.first_use("k", T0 + 200, T0 + 100),
        Ok(true),
        "expired keys are new"
    );
    assert_eq!(s.first_use("k", T0 + 200, T0 + 150), Ok(false));
}

fn keys_are_independent(s: &dyn Store) {
    assert_eq!(s.first_use("a", T0 + 100, T0), Ok(true));
    assert_eq!(s.first_use("b", T0 + 100, T0), Ok(true));
    assert_eq!(s.first_use("a", T0 + 100, T0), Ok(false));
    assert_eq!(s.first_use("b", T0 + 100, T0), Ok(false));
}

fn a_nonce_is_good_once_if_issued_and_live(s: &dyn Store) {
    assert_eq!(s.consume("never-issued", T0), Ok(false));
    s.issue("n1", T0 + 100, T0).unwrap();
    assert!(
        s.issue("n1", T0 + 100, T0 + 1).is_err(),
        "a live nonce is not issued twice"
    );
    assert_eq!(s.consume("n1", T0 + 10), Ok(true));
    assert_eq!(s.consume("n1", T0 + 10), Ok(false), "consumed once");
    s.issue("n2", T0 + 10, T0).unwrap();
    assert_eq!(s.consume("n2", T0 + 10), Ok(false), "expired");
    s.issue("n2", T0 + 100, T0 + 20).unwrap();
    assert_eq!(s.consume("n2", T0 + 30), Ok(true), "re-issued after expiry");
}

fn fresh_nonces_are_distinct_and_single_use(s: &dyn Store) {
    let a = s.issue_fresh(60, T0).unwrap();
    let b = s.issue_fresh(60, T0).unwrap();
    assert_ne!(a, b);
    assert!(a.len() >= 22);
    assert_eq!(s.consume(&a, T0 + 1), Ok(true));
    assert_eq!(s.consume(&a, T0 + 1), Ok(false));
    assert_eq!(s.consume(&b, T0 + 61), Ok(false), "expired");
}

fn used_keys_and_nonces_do_not_mix(s: &dyn Store) {
    assert_eq!(s.first_use("x", T0 + 100, T0), Ok(true));
    assert_eq!(
        s.consume("x", T0),
        Ok(false),
        "a used key is no issued nonce"
    );
    s.issue("y", T0 + 100, T0).unwrap();
    assert_eq!(
        s.first_use("y", T0 + 100, T0),
        Ok(true),
        "an issued nonce is no used key"
    );
    assert_eq!(s.consume("y", T0), Ok(true));
}

/// 8 threads race on the same 500 keys and 500 nonces: each is won once.
fn racing_threads_win_each_key_once(s: Arc<dyn Store>) {
    const KEYS: usize = 500;
    for i in 0..KEYS {
        s.issue(&format!("race-nonce-{i}"), T0 + 100, T0).unwrap();
    }
    let wins: Vec<(Vec<usize>, Vec<usize>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let s = s.clone();
                scope.spawn(move || {
                    let (mut keys, mut nonces) = (Vec::new(), Vec::new());
                    for j in 0..KEYS {
                        let i = (j + t * 61) % KEYS; // different orders per thread
                        if s.first_use(&format!("race-key-{i}"), T0 + 100, T0).unwrap() {
                            keys.push(i);
                        }
                        if s.consume(&format!("race-nonce-{i}"), T0).unwrap() {
                            nonces.push(i);
                        }
                    }
                    (keys, nonces)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for pick in [0, 1] {
        let won: Vec<usize> = wins
            .iter()
            .flat_map(|(k, n)| if pick == 0 { k.clone() } else { n.clone() })
            .collect();
        assert_eq!(won.len(), KEYS, "each won exactly once");
        assert_eq!(won.iter().collect::<HashSet<_>>().len(), KEYS);
    }
}

macro_rules! contract {
    ($name:ident, $make:expr) => {
        mod $name {
            use super::*;

            fn store() -> Option<Arc<dyn Store>> {
                $make
            }

            #[test]
            fn a_key_is_accepted_once_until_it_expires() {
                let Some(s) = store() else { return };
                super::a_key_is_accepted_once_until_it_expires(&*s);
            }

            #[test]
            fn keys_are_independent() {
                let Some(s) = store() else { return };
                super::keys_are_independent(&*s);
            }

            #[test]
            fn a_nonce_is_good_once_if_issued_and_live() {
                let Some(s) = store() else { return };
                super::a_nonce_is_good_once_if_issued_and_live(&*s);
            }

            #[test]
            fn fresh_nonces_are_distinct_and_single_use() {
                let Some(s) = store() else { return };
                super::fresh_nonces_are_distinct_and_single_use(&*s);
            }

            #[test]
            fn used_keys_and_nonces_do_not_mix() {
                let Some(s) = store() else { return };
                super::used_keys_and_nonces_do_not_mix(&*s);
            }

            #[test]
            fn racing_threads_win_each_key_once() {
                let Some(s) = store() else { return };
                super::racing_threads_win_each_key_once(s);
            }
        }
    };
}

contract!(
    memory,
    Some(Arc::new(MemoryStore::default()) as Arc<dyn Store>)
);

#[cfg(feature = "redis")]
contract!(
    redis,
    challenge_support::redis_store("contract").map(|s| s as Arc<dyn Store>)
);
