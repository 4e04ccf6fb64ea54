//! Certificate-chain verification beside its floor, per case, in one
//! criterion group:
//!
//! - `floor/<case>`: the raw aws-lc-rs verifications `verify_chain` performs
//!   on the case (`UnparsedPublicKey::verify` on each checked certificate's
//!   TBS bytes and ASN.1 signature, key parse included), precomputed with
//!   x509-parser;
//! - `verify/<case>`: `x509::verify_chain(input, &expectations)`: input
//!   parsing (JSON or PEM, base64, DER) included; the anchor is given as DER
//!   (the API takes no pre-parsed anchor), so its parse is included too.
//!
//! Cases: `seed_{ed25519,p256,p384}` (2023-01 captures, intermediate pinned:
//! one P-256 ECDSA verification), `seed_2026` (2026-01 capture, root anchor,
//! URI name constraint), `gen_{ed25519,p256,p384,p521}` (rcgen root →
//! intermediate with a URI constraint → leaf, root anchor).
//!
//! Run: `cargo bench -p e2ei-benches --bench chain`, then
//! `cargo run -p e2ei-benches --bin chain_table` for the Markdown table.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use e2ei_benches::chain::ChainCase;
use std::hint::black_box;
use std::time::Duration;

fn chain(c: &mut Criterion) {
    let cases = ChainCase::all();
    let mut group = c.benchmark_group("chain");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(60);
    for case in &cases {
        group.bench_with_input(BenchmarkId::new("floor", case.name), case, |b, c| {
            b.iter(|| black_box(c).floor())
        });
        group.bench_with_input(BenchmarkId::new("verify", case.name), case, |b, c| {
            b.iter(|| black_box(c).verify().is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, chain);
criterion_main!(benches);
