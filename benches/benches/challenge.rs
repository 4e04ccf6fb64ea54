//! The ACME server's `wire-dpop-01` validation beside its floor, per suite:
//!
//! - `floor/<suite>`: the two raw aws-lc-rs verifications every validation
//!   performs (the access token's signature, the embedded proof's);
//! - `memory/<suite>`: `challenge::Validator::validate` with the in-memory
//!   replay and nonce store, an accepted submission (its `jti` and nonce
//!   consumed). Each iteration gets a fresh store and validator, built and
//!   dropped outside the timed section, so every submission is a first use.
//!
//! Run: `cargo bench -p e2ei-benches --bench challenge`. Redis figures come
//! from `cargo run --release -p e2ei-verify --features redis --example
//! throughput` (see verify/SERVER.md): a criterion loop cannot reset Redis
//! state outside its timing.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use e2ei_benches::{Fixture, Submission};
use std::hint::black_box;
use std::time::Duration;
use vectors::mint::Suite;

fn challenge(c: &mut Criterion) {
    let mut group = c.benchmark_group("challenge");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(100);
    for suite in Suite::ALL {
        let fixture = Fixture::new(suite);
        let submission = Submission::new(suite);
        let name = suite.name();
        group.bench_with_input(BenchmarkId::new("floor", name), &fixture, |b, f| {
            b.iter(|| black_box(f).floor())
        });
        group.bench_with_input(BenchmarkId::new("memory", name), &submission, |b, s| {
            b.iter_batched_ref(
                || s.validator(),
                |v| black_box(s.validate(v)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, challenge);
criterion_main!(benches);
