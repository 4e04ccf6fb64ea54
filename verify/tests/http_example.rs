//! The example ACME endpoint over real HTTP on 127.0.0.1: a valid proof is
//! accepted once, its replay rejected, an expired or mis-bound token rejected
//! with the right problem type, a reused ACME nonce is badNonce.

#[path = "../examples/acme_server/app.rs"]
mod app;
mod challenge_support;

use app::{AcmeState, ChallengeRecord};
use challenge_support::*;
use e2ei_verify::challenge::ChallengeType;
use e2ei_verify::replay::{MemoryStore, NonceStore};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use vectors::mint::{b64, Flow, Suite};

const BASE: &str = "https://acme.example.com";

fn account_url(f: &Flow) -> String {
    format!(
        "{BASE}/acme/wire/account/{}",
        f.chal.len() + f.nonce.len() * 1000
    )
}

struct Client {
    http: reqwest::Client,
    addr: std::net::SocketAddr,
}

impl Client {
    async fn nonce(&self) -> String {
        let r = self
            .http
            .head(format!("http://{}/acme/wire/new-nonce", self.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.headers()["replay-nonce"].to_str().unwrap().to_owned()
    }

    /// Posts `payload` to the flow's challenge, signed by the flow's client
    /// key as account `kid`, with `nonce`.
    async fn post(
        &self,
        f: &Flow,
        kid: &str,
        nonce: &str,
        payload: &Value,
    ) -> (u16, String, Value) {
        let (_, ids) = f.aud.split_once("/acme/").unwrap();
        let header =
            json!({ "alg": f.suite.alg().name(), "kid": kid, "nonce": nonce, "url": f.aud });
        let protected = b64(header.to_string().as_bytes());
        let payload = b64(payload.to_string().as_bytes());
        let signature = b64(&f.client.sign(format!("{protected}.{payload}").as_bytes()));
        let body = json!({ "protected": protected, "payload": payload, "signature": signature });
        let r = self
            .http
            .post(format!("http://{}/acme/{ids}", self.addr))
            .header("content-type", "application/jose+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(r.headers().contains_key("replay-nonce"));
        let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        (status, content_type, body)
    }

    async fn submit(&self, f: &Flow) -> (u16, String, Value) {
        let nonce = self.nonce().await;
        self.post(
            f,
            &account_url(f),
            &nonce,
            &json!({ "access_token": f.access_token }),
        )
        .await
    }
}

fn flow_at(seed: &str, nonce: &str, at: u64) -> Flow {
    let mut f = Flow::new(Suite::P256, seed, at);
    f.issuer = vectors::mint::SigningKey::from_seed(Suite::P256, "wire-server");
    f.nonce = nonce.to_owned();
    f.proof_claims["nonce"] = json!(nonce);
    f.resign();
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_endpoint_over_http() {
    let store = Arc::new(MemoryStore::default());
    let valid = flow_at("http-valid", "n-valid", NOW);
    let expired = flow_at("http-expired", "n-expired", NOW - 5_000);
    let mut misbound = flow_at("http-cnf", "n-cnf", NOW);
    let tp = misbound
        .issuer
        .jwk()
        .thumbprint(Suite::P256.alg().suite_hash());
    misbound.token_claims["cnf"] = json!({ "kid": tp });
    misbound.resign_token();
    let flows = [&valid, &expired, &misbound];
    for f in flows {
        store.issue(&f.nonce, NOW + 300, NOW).unwrap();
    }
    let validator = builder(issuer_keys(), store.clone(), store.clone(), NOW)
        .build()
        .unwrap();
    let (_, ids) = valid.aud.split_once("/challenge/").unwrap();
    let (authz, challenge) = ids.split_once('/').unwrap();
    let state = AcmeState {
        validator,
        base_url: BASE.into(),
        accounts: flows
            .iter()
            .map(|f| (account_url(f), f.client.public_key()))
            .collect::<HashMap<_, _>>(),
        challenges: HashMap::from([(
            (authz.to_owned(), challenge.to_owned()),
            ChallengeRecord {
                kind: ChallengeType::WireDpop01,
                token: valid.chal.clone(),
                target: valid.htu.clone(),
                order: order(&valid),
            },
        )]),
        log_rejections: false,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app::router(Arc::new(state)))
            .await
            .unwrap();
    });
    let client = Client {
        http: reqwest::Client::new(),
        addr,
    };

    let (status, content_type, body) = client.submit(&valid).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/json"),
        "{body}"
    );
    assert_eq!(
        body,
        json!({
            "type": "wire-dpop-01", "url": valid.aud, "status": "valid",
            "token": valid.chal, "target": valid.htu,
        })
    );

    let problem = |status, kind: &str, detail: &str| {
        (
            status,
            "application/problem+json".to_owned(),
            json!({
                "type": format!("urn:ietf:params:acme:error:{kind}"),
                "detail": detail,
                "status": status,
            }),
        )
    };
    assert_eq!(
        client.submit(&valid).await,
        problem(403, "unauthorized", "dpop.jti: already used (replay)"),
        "the same proof again"
    );
    assert_eq!(
        client.submit(&expired).await,
        problem(
            403,
            "unauthorized",
            "access_token.time: expired, not yet valid, issued in the future, or living too long"
        )
    );
    assert_eq!(
        client.submit(&misbound).await,
        problem(
            403,
            "unauthorized",
            "access_token.cnf: the token is not bound to the DPoP proof key"
        )
    );
    // The ACME layer: a nonce is good once; a stranger's account is unknown.
    let nonce = client.nonce().await;
    let payload = json!({ "access_token": valid.access_token });
    let first = client
        .post(&valid, &account_url(&valid), &nonce, &payload)
        .await;
    assert_eq!(first.0, 403, "replayed proof, fresh nonce: {first:?}");
    let again = client
        .post(&valid, &account_url(&valid), &nonce, &payload)
        .await;
    assert_eq!(
        again,
        problem(
            400,
            "badNonce",
            "the nonce was not issued, was used, or expired"
        )
    );
    let nonce = client.nonce().await;
    let stranger = client
        .post(
            &valid,
            &format!("{BASE}/acme/wire/account/nobody"),
            &nonce,
            &payload,
        )
        .await;
    assert_eq!(stranger, problem(403, "unauthorized", "unknown account"));
    server.abort();
}
