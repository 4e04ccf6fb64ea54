//! Two helpers for a loaded machine, beside the criterion bench:
//!
//! - `spin KIND SUITE SECONDS` runs one bench body in a loop, for a profiler
//!   (`perf record --call-graph dwarf target/release/examples/spin full p256 5`);
//! - `spin pair KIND SUITE ROUNDS` alternates short blocks of the floor and of
//!   KIND and prints the median of the per-round ratios: both sides see the
//!   same background load, so the ratio is steadier than two separate runs.
//!   It also prints the ratio of the 10th percentiles (blocks of about 2 ms):
//!   the least disturbed blocks, closest to the cost on an idle machine.
//!
//! Kinds: floor, full, audit, dpop_floor, dpop, challenge; suites: ed25519,
//! p256, p384, p521. `challenge` is `Validator::validate` with the in-memory
//! stores over a [`Pool`] of distinct submissions, one validator serving them
//! all as in a server, every call an accepted first use; its floor
//! (`challenge_floor`) is the two raw signature checks of the same submissions.
//! Build: `cargo build --release -p e2ei-benches --example spin`.

use e2ei_benches::pair::pair;
use e2ei_benches::{Fixture, Pool};
use std::hint::black_box;
use std::time::{Duration, Instant};
use vectors::mint::Suite;

type Body = fn(&Fixture) -> bool;

/// What one block runs: a fixture body, or pooled challenge validations or
/// their floor.
#[derive(Clone, Copy)]
enum Kind {
    Body(Body),
    Challenge,
    ChallengeFloor,
}

fn body(kind: &str) -> Option<Body> {
    Some(match kind {
        "floor" => |f| f.floor(),
        "full" => |f| f.full().is_ok(),
        "audit" => |f| f.audit().token.is_some(),
        "dpop_floor" => |f| f.proof_signature.verify(),
        "dpop" => |f| f.dpop().is_ok(),
        _ => return None,
    })
}

fn suite(name: &str) -> Option<Suite> {
    Suite::ALL.into_iter().find(|s| s.name() == name)
}

/// The fixtures of one suite; the pool only for the challenge kinds (minting
/// it takes a while).
struct Fixtures {
    token: Fixture,
    pool: Option<Pool>,
}

/// Mean µs per call over `n` calls.
fn time(f: &mut Fixtures, kind: Kind, n: u32) -> f64 {
    let elapsed = match kind {
        Kind::Body(body) => {
            let start = Instant::now();
            for _ in 0..n {
                assert!(body(black_box(&f.token)));
            }
            start.elapsed()
        }
        Kind::Challenge => pool(f).validations(n.into()),
        Kind::ChallengeFloor => pool(f).floor(n.into()),
    };
    elapsed.as_secs_f64() * 1e6 / f64::from(n)
}

fn kind(name: &str) -> Option<Kind> {
    match name {
        "challenge" => Some(Kind::Challenge),
        "challenge_floor" => Some(Kind::ChallengeFloor),
        _ => body(name).map(Kind::Body),
    }
}

fn fixtures(suite: Suite) -> Fixtures {
    Fixtures {
        token: Fixture::new(suite),
        pool: None,
    }
}

/// The pool of `f`'s suite, minted on first use.
fn pool(f: &mut Fixtures) -> &mut Pool {
    let suite = f.token.suite;
    f.pool
        .get_or_insert_with(|| Pool::new(suite, Pool::default_size(suite)))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &'static str| args.get(i).map_or(default, String::as_str);
    let usage = || -> ! {
        eprintln!("usage: spin KIND SUITE SECONDS | spin pair KIND SUITE ROUNDS");
        std::process::exit(2)
    };
    if arg(0, "") == "pair" {
        let (Some(b), Some(s)) = (kind(arg(1, "full")), suite(arg(2, "ed25519"))) else {
            usage()
        };
        let rounds: usize = arg(3, "300").parse().unwrap_or_else(|_| usage());
        let mut f = fixtures(s);
        let floor = kind(match arg(1, "") {
            "dpop" => "dpop_floor",
            "challenge" => "challenge_floor",
            _ => "floor",
        })
        .unwrap_or_else(|| usage());
        let f = std::cell::RefCell::new(&mut f);
        let p = pair(
            rounds,
            |n| time(&mut f.borrow_mut(), floor, n),
            |n| time(&mut f.borrow_mut(), b, n),
        );
        println!(
            "{kind}/{}: median floor {:.1} µs, {kind} {:.1} µs, ratio {:.3}; p10 ratio {:.3} \
             ({} rounds of {})",
            s.name(),
            p.floor,
            p.check,
            p.ratio,
            p.ratio_p10,
            p.rounds,
            p.block,
            kind = arg(1, ""),
        );
        return;
    }
    let (Some(b), Some(s)) = (kind(arg(0, "full")), suite(arg(1, "ed25519"))) else {
        usage()
    };
    let seconds: u64 = arg(2, "5").parse().unwrap_or_else(|_| usage());
    let mut f = fixtures(s);
    let start = Instant::now();
    let (mut n, mut total) = (0u64, 0.0);
    while start.elapsed() < Duration::from_secs(seconds) {
        total += time(&mut f, b, 100) * 100.0;
        n += 100;
    }
    let per = total / n as f64;
    println!(
        "{}/{}: {n} iterations, {per:.1} µs each",
        arg(0, ""),
        s.name()
    );
}
