//! Validations per second per core of `wire-dpop-01`, beside the raw
//! signature floor (the two signature checks every validation performs: the
//! access token's and its proof's), with the in-memory store and, with the
//! `redis` feature and `E2EI_REDIS_URL`, with Redis on loopback.
//!
//! ```sh
//! cargo run --release -p e2ei-verify --example throughput
//! E2EI_REDIS_URL=redis://127.0.0.1:6390/ \
//!   cargo run --release -p e2ei-verify --features redis --example throughput
//! ```
//!
//! One thread, so figures are per core. Every submission is a distinct valid
//! flow, accepted (its jti and nonce consumed): the server's hot path. The
//! floor is the benches' floor: `UnparsedPublicKey::verify` of each flow's two
//! signatures, key parse included. Floor and validations alternate for
//! [`ROUNDS`] rounds (each round a fresh store and validator over the same
//! flows) and the medians are printed: on a shared machine, rounds far apart
//! see different loads, alternating ones the same.

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use e2ei_verify::challenge::{Challenge, ChallengeType, Identifiers, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{Algorithm, Jws, Limits, PublicKey};
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use vectors::mint::{Flow, SigningKey, Suite};

const NOW: u64 = 1_768_462_854;
const N: usize = 2_000;
/// Alternating rounds of floor and validations; the median of each is shown.
const ROUNDS: usize = 5;

struct Prepared {
    flow: Flow,
    order: Identifiers,
    account: PublicKey,
    payload: Vec<u8>,
}

fn prepare(suite: Suite, run: &str) -> Vec<Prepared> {
    (0..N)
        .map(|i| {
            let mut flow = Flow::new(suite, &format!("{run}-{i}"), NOW);
            flow.issuer = SigningKey::from_seed(suite, "wire-server");
            flow.nonce = format!("{run}-n{i}");
            flow.proof_claims["nonce"] = json!(flow.nonce);
            flow.resign();
            let order = Identifiers::new(
                ClientId::parse(&flow.client_id).ok(),
                Handle::parse(&flow.handle).expect("minted handle"),
                "Alice Smith",
                "wire.example.com",
            )
            .with_team("wire");
            Prepared {
                account: flow.client.public_key(),
                payload: json!({ "access_token": flow.access_token })
                    .to_string()
                    .into_bytes(),
                order,
                flow,
            }
        })
        .collect()
}

/// The aws-lc-rs algorithm of a JOSE algorithm (ECDSA in the fixed JOSE form).
fn raw_algorithm(alg: Algorithm) -> &'static dyn VerificationAlgorithm {
    match alg {
        Algorithm::EdDSA => &sig::ED25519,
        Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
        Algorithm::ES512 => &sig::ECDSA_P521_SHA512_FIXED,
    }
}

/// Per second: the two signature checks alone, as raw aws-lc-rs calls.
fn floor(flows: &[Prepared]) -> f64 {
    let checks: Vec<_> = flows
        .iter()
        .flat_map(|p| {
            [
                (p.flow.issuer.public_raw(), &p.flow.access_token),
                (p.flow.client.public_raw(), &p.flow.dpop),
            ]
        })
        .map(|(key, token)| {
            let jws = Jws::parse_compact(token, &Limits::default()).unwrap();
            let alg = raw_algorithm(jws.algorithm().unwrap());
            (
                alg,
                key,
                jws.signing_input().to_vec(),
                jws.signature.clone(),
            )
        })
        .collect();
    let start = Instant::now();
    for (alg, key, message, signature) in &checks {
        UnparsedPublicKey::new(*alg, key)
            .verify(message, signature)
            .unwrap();
    }
    flows.len() as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn validations(
    flows: &[Prepared],
    replay: Arc<dyn ReplayStore>,
    nonces: Arc<dyn NonceStore>,
) -> f64 {
    for p in flows {
        nonces.issue(&p.flow.nonce, NOW + 300, NOW).unwrap();
    }
    let v = Validator::builder()
        .wire_server_key(flows[0].flow.issuer.public_key())
        .idp(
            "https://idp.example.com",
            "wireapp",
            [IdpKey::Wire(
                SigningKey::from_seed(Suite::P256, "idp").public_key(),
            )],
        )
        .replay_store(replay)
        .nonce_store(nonces)
        .clock(|| NOW)
        .build()
        .unwrap();
    let start = Instant::now();
    for p in flows {
        let ch = Challenge {
            kind: ChallengeType::WireDpop01,
            token: &p.flow.chal,
            url: &p.flow.aud,
            target: &p.flow.htu,
        };
        if let Err(e) = v.validate(&ch, &p.account, &p.order, &p.payload) {
            panic!("{e}");
        }
    }
    flows.len() as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let run = format!("tp{}", std::process::id());
    println!(
        "{:<8} {:>14} {:>16} {:>16}",
        "suite", "sig floor/s", "memory store/s", "redis store/s"
    );
    for suite in Suite::ALL {
        let flows = prepare(suite, &format!("{run}-{}", suite.name()));
        let (mut floors, mut mems) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            floors.push(floor(&flows));
            let memory = Arc::new(MemoryStore::default());
            mems.push(validations(&flows, memory.clone(), memory));
        }
        let (floor, mem) = (median(floors), median(mems));
        let redis = redis_rate(suite, &run);
        println!(
            "{:<8} {:>14.0} {:>9.0} ({:>3.0}%) {:>16}",
            suite.name(),
            floor,
            mem,
            100.0 * mem / floor,
            redis.map_or("-".into(), |r| format!(
                "{r:.0} ({:.0}%)",
                100.0 * r / floor
            )),
        );
    }
}

#[cfg(feature = "redis")]
fn redis_rate(suite: Suite, run: &str) -> Option<f64> {
    use e2ei_verify::replay::{RedisConfig, RedisStore};
    let url = std::env::var("E2EI_REDIS_URL").ok()?;
    let mut config = RedisConfig::new(url);
    config.prefix = format!("e2ei-throughput:{run}:{}:", suite.name());
    let store = Arc::new(RedisStore::connect(config).expect("Redis answers"));
    let flows = prepare(suite, &format!("{run}-{}-redis", suite.name()));
    Some(validations(&flows, store.clone(), store))
}

#[cfg(not(feature = "redis"))]
fn redis_rate(_: Suite, _: &str) -> Option<f64> {
    None
}
