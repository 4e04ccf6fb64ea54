//! The ACME server's `wire-dpop-01` validation beside its floor, per suite:
//!
//! - `floor/<suite>`: the two raw aws-lc-rs verifications every validation
//!   performs (the access token's signature, the embedded proof's), of the
//!   same pooled submissions the validations see;
//! - `memory/<suite>`: `challenge::Validator::validate` with the in-memory
//!   replay and nonce store, an accepted submission (its `jti` and nonce
//!   consumed). One validator and store serve a pool of distinct submissions
//!   (each its own `jti`, wire nonce and signatures, minted before the run),
//!   as in a server; see `e2ei_benches::Pool`.
//!
//! Run: `cargo bench -p e2ei-benches --bench challenge`. With Redis:
//! `--features redis --bench challenge_redis`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use e2ei_benches::Pool;
use std::cell::RefCell;
use std::time::Duration;
use vectors::mint::Suite;

fn challenge(c: &mut Criterion) {
    let mut group = c.benchmark_group("challenge");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(100);
    for suite in Suite::ALL {
        let pool = RefCell::new(Pool::new(suite, Pool::default_size(suite)));
        let name = suite.name();
        group.bench_function(BenchmarkId::new("floor", name), |b| {
            b.iter_custom(|n| pool.borrow_mut().floor(n))
        });
        group.bench_function(BenchmarkId::new("memory", name), |b| {
            b.iter_custom(|n| pool.borrow_mut().validations(n))
        });
    }
    group.finish();
}

criterion_group!(benches, challenge);
criterion_main!(benches);
