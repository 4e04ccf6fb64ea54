//! The ACME server's `wire-dpop-01` validation with the Redis store, beside
//! its floor and the in-memory store, per suite, and the round trips that
//! make the difference:
//!
//! - `floor/<suite>`: the two raw aws-lc-rs verifications every validation
//!   performs (the access token's signature, the embedded proof's);
//! - `memory/<suite>`: `Validator::validate` with one shared `MemoryStore`;
//! - `redis/<suite>`: `Validator::validate` with one shared `RedisStore`
//!   (pooled connections, one Lua script per store operation: the proof's
//!   `jti`, then the wire nonce, so two round trips per accepted validation);
//! - `roundtrip/set_nx_px`: a bare `SET key 1 NX PX 60000` on a raw loopback
//!   TCP connection (RESP written by hand): the network and Redis floor;
//! - `roundtrip/script_first_use`: `RedisStore::first_use` of a fresh key, the
//!   Lua script (`EVALSHA`) through the pool, as the validator consumes a `jti`.
//!
//! After criterion, a paired run (`paired:` lines) times the same things, and
//! the store work of one validation alone (the `jti` script, then the nonce
//! script),
//! in short alternating blocks, one suite at a time, and prints the median of
//! the block means: on a loaded 2-core machine, separate criterion groups
//! drift apart; alternating blocks see the same load, so their differences
//! (Redis − memory against two script round trips) can be read.
//!
//! Every validation timed is a first use, accepted: each input is a fresh
//! submission (its own `jti` and wire nonce, proof and token re-signed) made
//! in the untimed setup, which also issues its nonce into the store. Keys
//! live under a per-run prefix, deleted at the end.
//!
//! Run: `redis-server --port 6399 --daemonize yes`, then
//! `cargo bench -p e2ei-benches --features redis --bench challenge_redis`
//! (`E2EI_REDIS_URL=redis://HOST:PORT/` for another server; no password).
//! Without a reachable Redis it says so and exits 2: no figure is made up.

use criterion::{BatchSize, BenchmarkId, Criterion};
use e2ei_benches::{Fixture, Minter};
use e2ei_verify::replay::{
    MemoryStore, NonceStore, RedisConfig, RedisStore, ReplayStore, StoreError,
};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vectors::mint::Suite;

const DEFAULT_URL: &str = "redis://127.0.0.1:6399/";

/// A raw RESP connection: the bare round trip, no pool, no script.
struct Raw {
    reader: BufReader<TcpStream>,
}

impl Raw {
    fn connect(url: &str) -> std::io::Result<Self> {
        let addr = url
            .trim_start_matches("redis://")
            .split('/')
            .next()
            .unwrap_or_default();
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(Raw {
            reader: BufReader::new(stream),
        })
    }

    /// Sends one command, returns the first line of the reply.
    fn command(&mut self, args: &[&str]) -> std::io::Result<String> {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.reader.get_mut().write_all(out.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        Ok(line)
    }
}

fn suites(c: &mut Criterion, redis: &Arc<RedisStore>, run: &str) {
    let mut group = c.benchmark_group("challenge_redis");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    for suite in Suite::ALL {
        let fixture = Fixture::new(suite);
        let minter = Minter::new(suite, run);
        let memory = Arc::new(MemoryStore::new(1 << 20));
        let in_memory = minter.validator(memory.clone());
        let in_redis = minter.validator(redis.clone());
        for (store, validator) in [
            (&*memory as &dyn NonceStore, &in_memory),
            (&**redis as &dyn NonceStore, &in_redis),
        ] {
            let s = minter.issued(store);
            assert!(minter.validate(validator, &s), "{suite:?}: rejected");
            assert!(
                !minter.validate(validator, &s),
                "{suite:?}: replay accepted"
            );
        }
        let name = suite.name();
        group.bench_function(BenchmarkId::new("floor", name), |b| {
            b.iter(|| black_box(&fixture).floor())
        });
        group.bench_function(BenchmarkId::new("memory", name), |b| {
            b.iter_batched(
                || minter.issued(&*memory),
                |s| assert!(minter.validate(&in_memory, black_box(&s))),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new("redis", name), |b| {
            b.iter_batched(
                || minter.issued(&**redis),
                |s| assert!(minter.validate(&in_redis, black_box(&s))),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn round_trips(c: &mut Criterion, url: &str, redis: &RedisStore, run: &str) {
    let mut raw = Raw::connect(url).unwrap_or_else(|e| panic!("raw connection to {url}: {e}"));
    let mut group = c.benchmark_group("challenge_redis");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    let n = AtomicU64::new(0);
    group.bench_function(BenchmarkId::new("roundtrip", "set_nx_px"), |b| {
        b.iter(|| {
            let key = format!("{run}raw-{}", n.fetch_add(1, Ordering::Relaxed));
            let reply = raw
                .command(&["SET", &key, "1", "NX", "PX", "60000"])
                .expect("SET round trip");
            assert_eq!(reply, "+OK\r\n");
        })
    });
    group.bench_function(BenchmarkId::new("roundtrip", "script_first_use"), |b| {
        b.iter(|| {
            let key = format!("script-{}", n.fetch_add(1, Ordering::Relaxed));
            assert_eq!(redis.first_use(&key, 1_000_060, 1_000_000), Ok(true));
        })
    });
    group.finish();
}

/// Deletes every key of this run (they would otherwise expire: nonces are
/// consumed, `jti`s live for the proof's lifetime).
fn cleanup(url: &str, run: &str) {
    let script = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) \
                  do n = n + redis.call('DEL', k) end return n";
    let deleted = Raw::connect(url)
        .and_then(|mut raw| raw.command(&["EVAL", script, "0", &format!("{run}*")]));
    eprintln!("challenge_redis: cleanup of {run}*: {deleted:?}");
}

/// Rounds of the paired run, and validations per block.
const ROUNDS: usize = 31;
const BLOCK: usize = 40;

/// The mean time of `f` over one block, in µs, `prepare`d outside the timing.
fn block<T>(prepare: impl Fn() -> T, mut f: impl FnMut(T)) -> f64 {
    let inputs: Vec<T> = (0..BLOCK).map(|_| prepare()).collect();
    let start = Instant::now();
    for input in inputs {
        f(black_box(input));
    }
    start.elapsed().as_secs_f64() * 1e6 / BLOCK as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Floor, memory, Redis, bare `SET NX PX` and the script round trip of one
/// suite, alternating in blocks of [`BLOCK`], [`ROUNDS`] times.
fn paired(url: &str, redis: &Arc<RedisStore>, run: &str) {
    let mut raw = Raw::connect(url).unwrap_or_else(|e| panic!("raw connection to {url}: {e}"));
    let n = AtomicU64::new(0);
    let key = |what: &str| format!("{run}paired-{what}-{}", n.fetch_add(1, Ordering::Relaxed));
    for suite in Suite::ALL {
        let fixture = Fixture::new(suite);
        let minter = Minter::new(suite, &format!("{run}paired-"));
        let memory = Arc::new(MemoryStore::new(1 << 20));
        let in_memory = minter.validator(memory.clone());
        let in_redis = minter.validator(redis.clone());
        let mut times: [Vec<f64>; 6] = Default::default();
        for _ in 0..ROUNDS {
            times[0].push(block(|| (), |()| assert!(fixture.floor())));
            times[1].push(block(
                || minter.issued(&*memory),
                |s| assert!(minter.validate(&in_memory, &s)),
            ));
            times[2].push(block(
                || minter.issued(&**redis),
                |s| assert!(minter.validate(&in_redis, &s)),
            ));
            times[3].push(block(
                || key("raw"),
                |k| {
                    let reply = raw.command(&["SET", &k, "1", "NX", "PX", "60000"]);
                    assert_eq!(reply.expect("SET round trip"), "+OK\r\n");
                },
            ));
            times[4].push(block(
                || key("script"),
                |k| assert_eq!(redis.first_use(&k, 1_000_060, 1_000_000), Ok(true)),
            ));
            // The store work of one accepted validation, without its checks:
            // a `jti` first use, then the consumption of an issued nonce.
            times[5].push(block(
                || {
                    let nonce = key("nonce");
                    redis.issue(&nonce, 1_000_300, 1_000_000).expect("issue");
                    (key("jti"), nonce)
                },
                |(jti, nonce)| {
                    assert_eq!(redis.first_use(&jti, 1_000_060, 1_000_000), Ok(true));
                    assert_eq!(redis.consume(&nonce, 1_000_000), Ok(true));
                },
            ));
        }
        let [floor, mem, red, set, script, pair] = times.map(median);
        println!(
            "paired: {} ({ROUNDS} rounds x {BLOCK}, median of block means, µs): floor {floor:.0}, \
             memory {mem:.0}, redis {red:.0}, SET NX PX {set:.0}, script {script:.0}, \
             jti + nonce scripts {pair:.0}; redis - memory = {:.0}",
            suite.name(),
            red - mem,
        );
    }
}

fn connect(url: &str, run: &str) -> Result<RedisStore, StoreError> {
    let mut config = RedisConfig::new(url);
    config.prefix = run.to_owned();
    RedisStore::connect(config)
}

fn main() {
    let url = std::env::var("E2EI_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let run = format!("e2ei-bench:{}:", std::process::id());
    let redis = match connect(&url, &run) {
        Ok(store) => Arc::new(store),
        Err(e) => {
            eprintln!(
                "challenge_redis: no Redis at {url} ({e}). Start one \
                 (`redis-server --port 6399 --daemonize yes`) or set E2EI_REDIS_URL; \
                 no figure is reported."
            );
            std::process::exit(2);
        }
    };
    let mut c = Criterion::default().configure_from_args();
    suites(&mut c, &redis, &run);
    round_trips(&mut c, &url, &redis, &run);
    c.final_summary();
    paired(&url, &redis, &run);
    cleanup(&url, &run);
}
