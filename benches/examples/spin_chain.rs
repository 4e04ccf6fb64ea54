//! `spin` for chain cases (see `benches/chain.rs` for the case names):
//!
//! - `spin_chain KIND CASE SECONDS` runs `floor` or `verify` in a loop, for a
//!   profiler (`perf record --call-graph dwarf …/spin_chain verify seed_2026 4`);
//! - `spin_chain pair CASE ROUNDS` alternates ~2 ms blocks of the floor and of
//!   `verify_chain` and prints the median of the per-round ratios and the
//!   ratio of the 10th percentiles.
//!
//! Build: `cargo build --release -p e2ei-benches --example spin_chain`.

use e2ei_benches::chain::ChainCase;
use std::hint::black_box;
use std::time::{Duration, Instant};

type Body = fn(&ChainCase) -> bool;

fn body(kind: &str) -> Option<Body> {
    Some(match kind {
        "floor" => |c| c.floor(),
        "verify" => |c| c.verify().is_ok(),
        _ => return None,
    })
}

/// Mean µs per call over `n` calls.
fn time(c: &ChainCase, body: Body, n: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(body(black_box(c)));
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &'static str| args.get(i).map_or(default, String::as_str);
    let usage = || -> ! {
        eprintln!("usage: spin_chain floor|verify CASE SECONDS | spin_chain pair CASE ROUNDS");
        std::process::exit(2)
    };
    if arg(0, "") == "pair" {
        let case = ChainCase::named(arg(1, "seed_p256"));
        let rounds: usize = arg(2, "200").parse().unwrap_or_else(|_| usage());
        let (floor, verify) = (
            body("floor").unwrap_or_else(|| usage()),
            body("verify").unwrap_or_else(|| usage()),
        );
        let per = time(&case, floor, 20).max(1.0);
        let n = ((2_000.0 / per) as u32).max(2);
        let (mut a, mut k, mut r) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let x = time(&case, floor, n);
            let y = time(&case, verify, n);
            a.push(x);
            k.push(y);
            r.push(y / x);
        }
        let (ma, mk, mr) = (median(&mut a), median(&mut k), median(&mut r));
        let (pa, pk) = (a[rounds / 10], k[rounds / 10]);
        println!(
            "{}: median floor {ma:.1} µs, verify {mk:.1} µs, ratio {mr:.3}; \
             p10 floor {pa:.1} µs, verify {pk:.1} µs, ratio {:.3} ({rounds} rounds of {n})",
            case.name,
            pk / pa
        );
        return;
    }
    let Some(b) = body(arg(0, "verify")) else {
        usage()
    };
    let case = ChainCase::named(arg(1, "seed_2026"));
    let seconds: u64 = arg(2, "5").parse().unwrap_or_else(|_| usage());
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..100 {
            assert!(b(black_box(&case)));
        }
        n += 100;
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "{}/{}: {n} iterations, {per:.1} µs each",
        arg(0, ""),
        case.name
    );
}
