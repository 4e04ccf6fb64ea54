//! Shared by the challenge, replay and HTTP tests: minted flows with their own
//! nonce, a validator over given stores, and the Redis switch.
#![allow(dead_code)]

use e2ei_verify::challenge::{Builder, Challenge, ChallengeType, Identifiers, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::replay::{NonceStore, ReplayStore};
use serde_json::json;
use std::sync::Arc;
use vectors::mint::{Flow, SigningKey, Suite};

/// The time every minted flow is made at.
pub const NOW: u64 = 1_768_462_854;

/// The IdP of the OIDC tests.
pub const IDP_ISSUER: &str = "https://idp.example.com";
/// Its OAuth client.
pub const OAUTH_CLIENT: &str = "wireapp";

/// A valid flow whose proof and token carry `nonce` (and `jti` `{seed}-proof`),
/// signed by the suite's one wire-server key ([`issuer_keys`]).
pub fn flow(suite: Suite, seed: &str, nonce: &str) -> Flow {
    let mut f = Flow::new(suite, seed, NOW);
    f.issuer = SigningKey::from_seed(suite, "wire-server");
    f.nonce = nonce.to_owned();
    f.proof_claims["nonce"] = json!(nonce);
    f.resign();
    f
}

/// The wire-server keys of the four suites.
pub fn issuer_keys() -> Vec<e2ei_verify::jose::PublicKey> {
    Suite::ALL
        .iter()
        .map(|&s| SigningKey::from_seed(s, "wire-server").public_key())
        .collect()
}

pub fn issuer_of(f: &Flow) -> e2ei_verify::jose::PublicKey {
    f.issuer.public_key()
}

/// What one submission needs, prepared once.
pub struct Submission {
    pub flow: Flow,
    pub order: Identifiers,
    pub account_key: e2ei_verify::jose::PublicKey,
    pub payload: Vec<u8>,
}

impl Submission {
    pub fn new(flow: Flow) -> Self {
        Submission {
            order: order(&flow),
            account_key: flow.client.public_key(),
            payload: dpop_payload(&flow),
            flow,
        }
    }

    pub fn submit(
        &self,
        v: &Validator,
    ) -> Result<e2ei_verify::challenge::Identity, e2ei_verify::challenge::Rejection> {
        v.validate(
            &dpop_challenge(&self.flow),
            &self.account_key,
            &self.order,
            &self.payload,
        )
    }
}

/// `count` distinct valid submissions (Ed25519 and P-256 alternating), the
/// nonce of proof `i` being `{nonce_prefix}{i}`.
pub fn submissions(count: usize, seed: &str, nonce_prefix: &str) -> Vec<Submission> {
    (0..count)
        .map(|i| {
            let suite = if i % 2 == 0 {
                Suite::Ed25519
            } else {
                Suite::P256
            };
            Submission::new(flow(
                suite,
                &format!("{seed}-{i}"),
                &format!("{nonce_prefix}{i}"),
            ))
        })
        .collect()
}

pub fn idp_key() -> SigningKey {
    SigningKey::from_seed(Suite::P256, "idp")
}

/// A builder with the flow's wire-server key, the test IdP, the stores and a
/// fixed clock at `now`.
pub fn builder(
    issuer_keys: Vec<e2ei_verify::jose::PublicKey>,
    replay: Arc<dyn ReplayStore>,
    nonces: Arc<dyn NonceStore>,
    now: u64,
) -> Builder {
    Validator::builder()
        .wire_server_keys(issuer_keys)
        .idp(
            IDP_ISSUER,
            OAUTH_CLIENT,
            [IdpKey::Wire(idp_key().public_key())],
        )
        .replay_store(replay)
        .nonce_store(nonces)
        .clock(move || now)
}

pub fn validator(f: &Flow, replay: Arc<dyn ReplayStore>, nonces: Arc<dyn NonceStore>) -> Validator {
    builder(vec![issuer_of(f)], replay, nonces, NOW)
        .build()
        .expect("complete configuration")
}

pub fn order(f: &Flow) -> Identifiers {
    Identifiers::new(
        Some(ClientId::parse(&f.client_id).unwrap()),
        Handle::parse(&f.handle).unwrap(),
        "Alice Smith",
        "wire.example.com",
    )
    .with_team("wire")
}

pub fn dpop_challenge(f: &Flow) -> Challenge<'_> {
    Challenge {
        kind: ChallengeType::WireDpop01,
        token: &f.chal,
        url: &f.aud,
        target: &f.htu,
    }
}

pub fn dpop_payload(f: &Flow) -> Vec<u8> {
    json!({ "access_token": f.access_token })
        .to_string()
        .into_bytes()
}

/// `E2EI_REDIS_URL`, or `None` with a notice. Under CI a missing URL fails
/// the test: the Redis tests must never skip silently there.
pub fn redis_url() -> Option<String> {
    match std::env::var("E2EI_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but E2EI_REDIS_URL is not: the Redis tests must run in CI")
        }
        _ => {
            eprintln!("notice: E2EI_REDIS_URL is not set; skipping a Redis test");
            None
        }
    }
}

/// A key prefix no other run shares.
pub fn unique_prefix(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("e2ei-test:{tag}:{}:{nanos}:", std::process::id())
}

#[cfg(feature = "redis")]
pub fn redis_store(tag: &str) -> Option<Arc<e2ei_verify::replay::RedisStore>> {
    use e2ei_verify::replay::{RedisConfig, RedisStore};
    let url = redis_url()?;
    let mut config = RedisConfig::new(url);
    config.prefix = unique_prefix(tag);
    Some(Arc::new(
        RedisStore::connect(config).expect("Redis at E2EI_REDIS_URL answers"),
    ))
}
