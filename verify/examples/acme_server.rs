//! An ACME challenge endpoint for Wire E2EI (`wire-dpop-01`), on axum.
//!
//! ```sh
//! cargo run -p e2ei-verify --example acme_server            # in-memory stores
//! E2EI_REDIS_URL=redis://127.0.0.1:6390/ \
//!   cargo run -p e2ei-verify --features redis --example acme_server
//! ```
//!
//! It serves `HEAD /acme/{provisioner}/new-nonce` and `POST
//! /acme/{provisioner}/challenge/{authz}/{challenge}` on 127.0.0.1:8765 (or
//! `$PORT`). The account and the challenge are fixtures: a flow minted at
//! start-up (`vectors::mint`), whose access token it prints with the account
//! key's seed, so that a client can post it. `tests/http_example.rs` drives the
//! same router over HTTP.

#[path = "acme_server/app.rs"]
mod app;

use app::{AcmeState, ChallengeRecord};
use e2ei_verify::challenge::{ChallengeType, Clock, Identifiers, SystemClock, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore};
use std::collections::HashMap;
use std::sync::Arc;
use vectors::mint::{Flow, SigningKey, Suite};

/// The replay and nonce stores: one Redis for a fleet, or memory.
type Stores = (Arc<dyn ReplayStore>, Arc<dyn NonceStore>);

fn stores() -> Result<Stores, Box<dyn std::error::Error>> {
    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("E2EI_REDIS_URL") {
        let store = Arc::new(e2ei_verify::replay::RedisStore::connect(
            e2ei_verify::replay::RedisConfig::new(url),
        )?);
        eprintln!("stores: Redis");
        return Ok((store.clone(), store));
    }
    let store = Arc::new(MemoryStore::default());
    eprintln!("stores: in memory");
    Ok((store.clone(), store))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = SystemClock.now();
    let flow = Flow::new(Suite::P256, "example", now);
    let (replay, nonces) = stores()?;
    // wire-server would record the nonce it gave the client.
    nonces.issue(&flow.nonce, now + 300, now)?;
    let validator = Validator::builder()
        .wire_server_key(flow.issuer.public_key())
        .idp(
            "https://idp.example.com",
            "wireapp",
            [IdpKey::Wire(
                SigningKey::from_seed(Suite::P256, "idp").public_key(),
            )],
        )
        .replay_store(replay)
        .nonce_store(nonces)
        .build()?;
    let account_url = "https://acme.example.com/acme/wire/account/example".to_owned();
    let order = Identifiers::new(
        Some(ClientId::parse(&flow.client_id)?),
        Handle::parse(&flow.handle)?,
        "Alice Smith",
        "wire.example.com",
    )
    .with_team("wire");
    let (authz, challenge) = flow
        .aud
        .rsplit_once("/challenge/")
        .and_then(|(_, ids)| ids.split_once('/'))
        .ok_or("unexpected challenge URL")?;
    let state = AcmeState {
        validator,
        base_url: "https://acme.example.com".into(),
        accounts: HashMap::from([(account_url.clone(), flow.client.public_key())]),
        challenges: HashMap::from([(
            (authz.to_owned(), challenge.to_owned()),
            ChallengeRecord {
                kind: ChallengeType::WireDpop01,
                token: flow.chal.clone(),
                target: flow.htu.clone(),
                order,
            },
        )]),
        log_rejections: true,
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "8765".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    eprintln!("account {account_url} (key: vectors::mint seed \"example/client\", P-256)");
    eprintln!("POST /acme/wire/challenge/{authz}/{challenge} with a JWS whose payload is");
    println!("{{\"access_token\":\"{}\"}}", flow.access_token);
    axum::serve(listener, app::router(Arc::new(state))).await?;
    Ok(())
}
