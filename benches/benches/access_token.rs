//! The access-token check beside its floor, per suite, in one criterion group:
//!
//! - `floor/<suite>`: the two raw aws-lc-rs verifications the full check
//!   performs (the token's signature, the embedded proof's signature), key
//!   parse included;
//! - `full/<suite>`: `access_token::verify`, fail fast, issuer key pinned,
//!   every expectation set;
//! - `audit/<suite>`: `access_token::audit` (every check, every message);
//! - `dpop_floor/<suite>` and `dpop/<suite>`: one proof, raw and checked.
//!
//! Run: `cargo bench -p e2ei-benches --bench access_token`, then
//! `cargo run -p e2ei-benches --bin table` for the Markdown table.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use e2ei_benches::Fixture;
use std::hint::black_box;
use std::time::Duration;

fn access_token(c: &mut Criterion) {
    let fixtures = Fixture::all();
    let mut group = c.benchmark_group("access_token");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(100);
    for f in &fixtures {
        let suite = f.suite.name();
        group.bench_with_input(BenchmarkId::new("floor", suite), f, |b, f| {
            b.iter(|| black_box(f).floor())
        });
        group.bench_with_input(BenchmarkId::new("full", suite), f, |b, f| {
            b.iter(|| black_box(f).full().is_ok())
        });
        group.bench_with_input(BenchmarkId::new("audit", suite), f, |b, f| {
            b.iter(|| black_box(f).audit())
        });
        group.bench_with_input(BenchmarkId::new("dpop_floor", suite), f, |b, f| {
            b.iter(|| black_box(f).proof_signature.verify())
        });
        group.bench_with_input(BenchmarkId::new("dpop", suite), f, |b, f| {
            b.iter(|| black_box(f).dpop().is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, access_token);
criterion_main!(benches);
