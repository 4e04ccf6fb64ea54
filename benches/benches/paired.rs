//! The README's speed tables, paired: per suite, `access_token::verify` and
//! `Validator::validate` (in-memory stores, a pool of distinct submissions),
//! then per chain case `x509::verify_chain`, each beside its floor of raw
//! aws-lc-rs signature verifications, in alternating ~2 ms blocks (see
//! `e2ei_benches::pair`), printed as Markdown.
//!
//! Run: `cargo bench -p e2ei-benches --bench paired` (`PAIRED_ROUNDS`, default
//! 400). criterion's `access_token`, `challenge` and `chain` benches give the
//! absolute times; on a machine whose speed drifts, only paired ratios are
//! comparable.

use e2ei_benches::chain::ChainCase;
use e2ei_benches::pair::{pair, Paired};
use e2ei_benches::{Fixture, Pool};
use std::hint::black_box;
use std::time::Instant;
use vectors::mint::Suite;

/// Mean µs per call of `n` calls of `f`.
fn per_call(n: u32, mut f: impl FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(black_box(f()));
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

/// A table row; the last column is calls per second on this one core.
fn row(name: &str, p: &Paired) -> String {
    format!(
        "| {} | {:.1} | {:.1} | {:.3} | {:.3} | {:.0} |",
        name,
        p.floor,
        p.check,
        p.ratio,
        p.ratio_p10,
        1e6 / p.check
    )
}

fn main() {
    let rounds = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(400);
    let header = |first: &str, what: &str| {
        println!(
            "\n| {first} | floor (µs) | {what} (µs) | ratio (median) | ratio (p10) | per second |"
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    };
    header("suite", "`access_token::verify`");
    for suite in Suite::ALL {
        let f = Fixture::new(suite);
        let p = pair(
            rounds,
            |n| per_call(n, || f.floor()),
            |n| per_call(n, || f.full().is_ok()),
        );
        println!("{}", row(suite.name(), &p));
    }
    header("suite", "`Validator::validate`");
    for suite in Suite::ALL {
        let pool = std::cell::RefCell::new(Pool::new(suite, Pool::default_size(suite)));
        let micros = |d: std::time::Duration, n: u32| d.as_secs_f64() * 1e6 / f64::from(n);
        let p = pair(
            rounds,
            |n| micros(pool.borrow_mut().floor(n.into()), n),
            |n| micros(pool.borrow_mut().validations(n.into()), n),
        );
        println!("{}", row(suite.name(), &p));
    }
    header("chain", "`x509::verify_chain`");
    for case in ChainCase::all() {
        let p = pair(
            rounds,
            |n| per_call(n, || case.floor()),
            |n| per_call(n, || case.verify().is_ok()),
        );
        println!("{}", row(case.name, &p));
    }
}
