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

/// A valid flow whose proof and token carry `nonce` (and `jti` `{seed}-proof`).
pub fn flow(suite: Suite, seed: &str, nonce: &str) -> Flow {
    let mut f = Flow::new(suite, seed, NOW);
    f.nonce = nonce.to_owned();
    f.proof_claims["nonce"] = json!(nonce);
    f.resign();
    f
}

/// The wire-server key every flow of `seed`'s suite is signed with: flows
/// derive it from their seed, so tests that pin one key use this seed.
pub fn issuer_of(f: &Flow) -> e2ei_verify::jose::PublicKey {
    f.issuer.public_key()
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
