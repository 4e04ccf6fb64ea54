//! 8 threads × 10,000 submissions of 1,000 distinct valid proofs: each proof
//! is accepted exactly once, with the in-memory store and with Redis shared by
//! two processes (this test binary spawns itself as the second one).
//!
//! Full size under `--release` (`.ci/run` has a line for it: a few seconds per
//! store on two cores). Debug builds run a tenth of it (8 × 1,000 submissions
//! of 100 proofs): there AWS-LC is compiled without optimisation and a
//! validation costs about 1 ms, so the full size would take a minute a store.

mod challenge_support;

use challenge_support::*;
use e2ei_verify::challenge::Validator;
use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

const SCALE: usize = if cfg!(debug_assertions) { 10 } else { 1 };
const PROOFS: usize = 1_000 / SCALE;
const PER_THREAD: usize = 10_000 / SCALE;

/// Runs `threads` × `PER_THREAD` submissions over `subs` (every thread
/// submits every proof `PER_THREAD / PROOFS` times, in its own order) and
/// returns how often each proof was accepted and the rejections by check id.
fn hammer(v: &Validator, subs: &[Submission], threads: usize) -> (Vec<u32>, BTreeMap<String, u64>) {
    let accepted: Vec<AtomicU32> = subs.iter().map(|_| AtomicU32::new(0)).collect();
    let rejected = std::sync::Mutex::new(BTreeMap::<String, u64>::new());
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (accepted, rejected) = (&accepted, &rejected);
            scope.spawn(move || {
                let mut mine = BTreeMap::<String, u64>::new();
                for k in 0..PER_THREAD {
                    let i = (k * 7 + t * 131) % subs.len();
                    match subs[i].submit(v) {
                        Ok(_) => {
                            accepted[i].fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => *mine.entry(e.check_id().to_owned()).or_default() += 1,
                    }
                }
                let mut all = rejected.lock().unwrap();
                for (id, n) in mine {
                    *all.entry(id).or_default() += n;
                }
            });
        }
    });
    (
        accepted.into_iter().map(AtomicU32::into_inner).collect(),
        rejected.into_inner().unwrap(),
    )
}

fn validator_over(replay: Arc<dyn ReplayStore>, nonces: Arc<dyn NonceStore>) -> Validator {
    builder(issuer_keys(), replay, nonces, NOW).build().unwrap()
}

#[test]
fn memory_store_accepts_each_proof_exactly_once_under_8_threads() {
    let store = Arc::new(MemoryStore::default());
    let subs = submissions(PROOFS, "conc-mem", "n");
    for i in 0..PROOFS {
        store.issue(&format!("n{i}"), NOW + 300, NOW).unwrap();
    }
    let v = validator_over(store.clone(), store.clone());
    let start = Instant::now();
    let (accepted, rejected) = hammer(&v, &subs, 8);
    let elapsed = start.elapsed();
    assert!(accepted.iter().all(|&n| n == 1), "{accepted:?}");
    assert_eq!(rejected.keys().collect::<Vec<_>>(), ["dpop.jti"]);
    assert_eq!(rejected["dpop.jti"], (8 * PER_THREAD - PROOFS) as u64);
    eprintln!(
        "memory: {} submissions, {} accepted (each proof once), {} replays rejected, {:.1?}",
        8 * PER_THREAD,
        accepted.iter().sum::<u32>(),
        rejected["dpop.jti"],
        elapsed
    );
}

const CHILD_ENV: &str = "E2EI_CONCURRENCY_CHILD_PREFIX";

/// The second process of the Redis run; a no-op unless spawned by it.
#[test]
fn redis_second_process() {
    let Ok(prefix) = std::env::var(CHILD_ENV) else {
        return;
    };
    #[cfg(feature = "redis")]
    {
        use std::io::BufRead;
        let store = redis_with_prefix(&prefix);
        let subs = submissions(PROOFS, "conc-redis", "n");
        let v = validator_over(store.clone(), store);
        println!("READY");
        let mut go = String::new();
        std::io::stdin().lock().read_line(&mut go).unwrap();
        let (accepted, rejected) = hammer(&v, &subs, 4);
        println!("ACCEPTED {}", serde_json::to_string(&accepted).unwrap());
        println!("REJECTED {}", serde_json::to_string(&rejected).unwrap());
    }
    #[cfg(not(feature = "redis"))]
    panic!("spawned without the redis feature ({prefix})");
}

#[cfg(feature = "redis")]
fn redis_with_prefix(prefix: &str) -> Arc<e2ei_verify::replay::RedisStore> {
    use e2ei_verify::replay::{RedisConfig, RedisStore};
    let mut config = RedisConfig::new(redis_url().expect("E2EI_REDIS_URL"));
    config.prefix = prefix.to_owned();
    config.timeout = std::time::Duration::from_secs(2);
    Arc::new(RedisStore::connect(config).unwrap())
}

#[cfg(feature = "redis")]
#[test]
fn redis_shared_by_two_processes_accepts_each_proof_exactly_once() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    if redis_url().is_none() {
        return;
    }
    let prefix = unique_prefix("concurrency");
    let store = redis_with_prefix(&prefix);
    for i in 0..PROOFS {
        store.issue(&format!("n{i}"), NOW + 300, NOW).unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "redis_second_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &prefix)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let subs = submissions(PROOFS, "conc-redis", "n");
    let v = validator_over(store.clone(), store);
    // Both processes prepared: start together.
    // (libtest prints "test redis_second_process ... " before the output.)
    assert!(lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.ends_with("READY")));
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    let start = Instant::now();
    let (mine, rejected) = hammer(&v, &subs, 4);
    let mut theirs: Option<Vec<u32>> = None;
    let mut their_rejected = String::new();
    for line in lines.map_while(Result::ok) {
        if let Some((_, json)) = line.split_once("ACCEPTED ") {
            theirs = Some(serde_json::from_str(json).unwrap());
        } else if let Some((_, json)) = line.split_once("REJECTED ") {
            their_rejected = json.to_owned();
        }
    }
    assert!(child.wait().unwrap().success(), "the second process failed");
    let elapsed = start.elapsed();
    let theirs = theirs.expect("the second process reported its counts");
    let total: Vec<u32> = mine.iter().zip(&theirs).map(|(a, b)| a + b).collect();
    assert!(total.iter().all(|&n| n == 1), "{total:?}");
    assert_eq!(
        rejected.keys().collect::<Vec<_>>(),
        ["dpop.jti"],
        "{rejected:?}"
    );
    assert!(
        !their_rejected.contains("access_token") && their_rejected.contains("dpop.jti"),
        "{their_rejected}"
    );
    eprintln!(
        "redis, two processes × 4 threads: {} submissions; accepted here {}, there {} (each proof once in total); {:.1?}",
        8 * PER_THREAD,
        mine.iter().sum::<u32>(),
        theirs.iter().sum::<u32>(),
        elapsed
    );
}
