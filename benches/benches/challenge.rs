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
use e2ei_benches::Fixture;
use e2ei_verify::challenge::{Challenge, ChallengeType, Identifiers, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::PublicKey;
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::replay::{MemoryStore, NonceStore};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use vectors::mint::{Flow, SigningKey, Suite};

struct Submission {
    flow: Flow,
    order: Identifiers,
    payload: Vec<u8>,
    idp: IdpKey,
    /// The account key, as the server holds it: parsed once.
    account: PublicKey,
}

impl Submission {
    fn new(suite: Suite, now: u64) -> Self {
        let flow = Flow::new(suite, "bench", now);
        let order = Identifiers::new(
            ClientId::parse(&flow.client_id).ok(),
            Handle::parse(&flow.handle).expect("minted handle"),
            "Alice Smith",
            "wire.example.com",
        )
        .with_team("wire");
        let payload = serde_json::json!({ "access_token": flow.access_token })
            .to_string()
            .into_bytes();
        let idp = IdpKey::Wire(SigningKey::from_seed(Suite::P256, "idp").public_key());
        let account = flow.client.public_key();
        Submission {
            flow,
            order,
            payload,
            idp,
            account,
        }
    }

    /// A validator with a fresh store in which wire-server issued the nonce.
    fn validator(&self, now: u64) -> Validator {
        let store = Arc::new(MemoryStore::default());
        store
            .issue(&self.flow.nonce, now + 300, now)
            .expect("fresh store");
        Validator::builder()
            .wire_server_key(self.flow.issuer.public_key())
            .idp("https://idp.example.com", "wireapp", [self.idp.clone()])
            .replay_store(store.clone())
            .nonce_store(store)
            .clock(move || now)
            .build()
            .expect("complete configuration")
    }

    fn validate(&self, validator: &Validator) -> bool {
        let challenge = Challenge {
            kind: ChallengeType::WireDpop01,
            token: &self.flow.chal,
            url: &self.flow.aud,
            target: &self.flow.htu,
        };
        validator
            .validate(&challenge, &self.account, &self.order, &self.payload)
            .is_ok()
    }
}

fn challenge(c: &mut Criterion) {
    let mut group = c.benchmark_group("challenge");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(100);
    for suite in Suite::ALL {
        let fixture = Fixture::new(suite);
        let submission = Submission::new(suite, fixture.now);
        assert!(
            submission.validate(&submission.validator(fixture.now)),
            "{suite:?}"
        );
        let name = suite.name();
        group.bench_with_input(BenchmarkId::new("floor", name), &fixture, |b, f| {
            b.iter(|| black_box(f).floor())
        });
        group.bench_with_input(BenchmarkId::new("memory", name), &submission, |b, s| {
            b.iter_batched_ref(
                || s.validator(fixture.now),
                |v| black_box(s.validate(v)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, challenge);
criterion_main!(benches);
