//! The whole-capture audit beside its floor, per capture, in one criterion group:
//!
//! - `floor/<capture>`: the distinct signature verifications the audit must
//!   perform (every ACME JWS, the DPoP proof once, the access token, the id
//!   token when IdP keys are pinned, the CSR), raw aws-lc-rs, key parse
//!   included, on inputs extracted at setup;
//! - `audit/<capture>`: `e2ei_audit::flow::audit(text, &options)` at capture
//!   time, trust as the tests give it;
//! - `cert_links/<capture>`: the certificate links the audit also verifies
//!   for `cert.chain` (add them to the floor for the audit's full
//!   verification cost).
//!
//! Run: `cargo bench -p e2ei-benches --bench flow`, then
//! `cargo run --release -p e2ei-benches --bin table`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use e2ei_benches::flow::Capture;
use std::hint::black_box;
use std::time::Duration;

/// The allocator of the `e2ei-audit` binary, so the audit is timed as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn flow(c: &mut Criterion) {
    let captures = Capture::all();
    let mut group = c.benchmark_group("flow");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50);
    for capture in &captures {
        let name = capture.name;
        group.bench_with_input(BenchmarkId::new("floor", name), capture, |b, c| {
            b.iter(|| black_box(c).floor())
        });
        group.bench_with_input(BenchmarkId::new("audit", name), capture, |b, c| {
            b.iter(|| black_box(c).audit())
        });
        group.bench_with_input(BenchmarkId::new("cert_links", name), capture, |b, c| {
            b.iter(|| black_box(c).cert_floor())
        });
    }
    group.finish();
}

criterion_group!(benches, flow);
criterion_main!(benches);
