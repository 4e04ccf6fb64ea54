//! The challenge validator: what it accepts, what it rejects with which ACME
//! problem, what it tells the client, and what it refuses to be built without.

mod challenge_support;

use challenge_support::*;
use e2ei_verify::challenge::{
    Challenge, ChallengeType, ConfigError, Identifiers, Validator, WireNonce,
};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{parse_public_keys, PublicKey};
use e2ei_verify::oidc::{parse_idp_keys, IdpKey};
use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore, StoreError};
use e2ei_verify::report::{AcmeProblem, Status};
use serde_json::json;
use std::sync::Arc;
use vectors::mint::{Flow, SigningKey, Suite};

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::default())
}

/// A flow with its nonce issued in `store`, and a validator over `store`.
fn setup(suite: Suite, seed: &str) -> (Flow, Validator, Arc<MemoryStore>) {
    let store = memory();
    let f = flow(suite, seed, &format!("nonce-{seed}"));
    store.issue(&f.nonce, NOW + 300, NOW).unwrap();
    let v = validator(&f, store.clone(), store.clone());
    (f, v, store)
}

fn submit(
    v: &Validator,
    f: &Flow,
) -> Result<e2ei_verify::challenge::Identity, e2ei_verify::challenge::Rejection> {
    v.validate(
        &dpop_challenge(f),
        &f.client.public_key(),
        &order(f),
        &dpop_payload(f),
    )
}

#[test]
fn a_valid_dpop_challenge_is_accepted_once_in_every_suite() {
    for suite in Suite::ALL {
        let (f, v, _) = setup(suite, suite.name());
        let id = submit(&v, &f).unwrap_or_else(|e| panic!("{suite:?}: {e} {:#?}", e.report()));
        assert_eq!(id.kind, ChallengeType::WireDpop01);
        assert_eq!(id.client_id, order(&f).client_id);
        assert_eq!(id.handle, order(&f).handle);
        assert_eq!(id.team.as_deref(), Some("wire"));
        assert_eq!(id.expires_at, NOW + 3960);
        let replay = submit(&v, &f).unwrap_err();
        assert_eq!(replay.check_id(), "dpop.jti", "{suite:?}");
        assert_eq!(replay.problem(), AcmeProblem::Unauthorized);
        assert!(!replay.is_unavailable());
    }
}

#[test]
fn each_fault_is_rejected_with_its_check_and_problem() {
    type Fault = fn(&mut Flow, &mut Identifiers) -> Option<u64>;
    let cases: [(&str, Fault, &str, AcmeProblem); 9] = [
        (
            "expired",
            |_, _| Some(NOW + 3960 + 61),
            "access_token.time",
            AcmeProblem::Unauthorized,
        ),
        (
            "cnf names the issuer key",
            |f, _| {
                let tp = f.issuer.jwk().thumbprint(f.suite.alg().suite_hash());
                f.token_claims["cnf"] = json!({ "kid": tp });
                f.resign_token();
                None
            },
            "access_token.cnf",
            AcmeProblem::Unauthorized,
        ),
        (
            "another client",
            |_, o| {
                o.client_id = Some(
                    ClientId::parse("wireapp://WqEqc9dIRoKh3VyUJ8k6QA!1234@wire.example.com")
                        .unwrap(),
                );
                None
            },
            "challenge.client_id",
            AcmeProblem::RejectedIdentifier,
        ),
        (
            "another handle",
            |_, o| {
                o.handle = Handle::parse("wireapp://%40mallory@wire.example.com").unwrap();
                None
            },
            "dpop.handle",
            AcmeProblem::RejectedIdentifier,
        ),
        (
            "another display name",
            |_, o| {
                o.display_name = "Mallory".into();
                None
            },
            "dpop.name",
            AcmeProblem::RejectedIdentifier,
        ),
        (
            "another team",
            |_, o| {
                o.team = Some("other".into());
                None
            },
            "dpop.team",
            AcmeProblem::RejectedIdentifier,
        ),
        (
            "another challenge token",
            |f, _| {
                f.chal = "another-token".into();
                None
            },
            "access_token.proof", // the proof's chal is compared first
            AcmeProblem::Unauthorized,
        ),
        (
            "a nonce never issued",
            |f, _| {
                f.nonce = "never-issued".into();
                f.proof_claims["nonce"] = json!("never-issued");
                f.resign();
                None
            },
            "access_token.nonce",
            AcmeProblem::BadNonce,
        ),
        (
            "the issuer signs with an unpinned key",
            |f, _| {
                f.issuer = SigningKey::from_seed(f.suite, "rogue");
                f.resign();
                None
            },
            "access_token.issuer_key",
            AcmeProblem::Unauthorized,
        ),
    ];
    for suite in [Suite::Ed25519, Suite::P384] {
        for (name, fault, id, problem) in cases {
            let store = memory();
            let mut f = flow(suite, "fault", "nonce-fault");
            let pinned = f.issuer.public_key();
            store.issue(&f.nonce, NOW + 300, NOW).unwrap();
            let mut o = order(&f);
            let at = fault(&mut f, &mut o).unwrap_or(NOW);
            let v = builder(vec![pinned], store.clone(), store.clone(), at)
                .build()
                .unwrap();
            let e = v
                .validate(
                    &dpop_challenge(&f),
                    &f.client.public_key(),
                    &o,
                    &dpop_payload(&f),
                )
                .expect_err(name);
            assert_eq!(
                (e.check_id(), e.problem()),
                (id, problem),
                "{suite:?} {name}: {e}"
            );
            let report = e.report();
            assert!(report.failures().any(|c| c.id == id), "{name}: {report:#?}");
        }
    }
}

#[test]
fn a_token_posted_by_another_account_is_rejected() {
    let (f, v, _) = setup(Suite::P256, "account");
    let other = SigningKey::from_seed(Suite::P256, "someone else").public_key();
    let e = v
        .validate(&dpop_challenge(&f), &other, &order(&f), &dpop_payload(&f))
        .unwrap_err();
    assert_eq!(e.check_id(), "challenge.account_key");
    assert_eq!(e.problem(), AcmeProblem::Unauthorized);
}

#[test]
fn rejected_tokens_consume_nothing() {
    let (f, v, store) = setup(Suite::Ed25519, "stateless-first");
    let mut o = order(&f);
    o.display_name = "Mallory".into();
    assert!(v
        .validate(
            &dpop_challenge(&f),
            &f.client.public_key(),
            &o,
            &dpop_payload(&f)
        )
        .is_err());
    assert_eq!(store.len(), (0, 1), "no jti used, the nonce still issued");
    assert!(submit(&v, &f).is_ok());
}

#[test]
fn malformed_payloads_are_malformed() {
    let (f, v, _) = setup(Suite::Ed25519, "payload");
    let ch = dpop_challenge(&f);
    let key = f.client.public_key();
    for payload in [
        &b"not json"[..],
        b"{}",
        b"[]",
        br#"{"access_token": 5}"#,
        br#"{"access_token": ""}"#,
        br#"{"id_token": "x.y.z"}"#,
        br#"{"access_token": "a.b.c", "access_token": "a.b.c"}"#,
        br#"{"access_token": "a.b.c", "extra": "x"}"#,
    ] {
        let e = v.validate(&ch, &key, &order(&f), payload).unwrap_err();
        assert_eq!(
            e.problem(),
            AcmeProblem::Malformed,
            "{}",
            String::from_utf8_lossy(payload)
        );
    }
    let e = v
        .validate(&ch, &key, &order(&f), br#"{"access_token": "a.b.c"}"#)
        .unwrap_err();
    assert_eq!(e.check_id(), "access_token.format");
}

#[test]
fn single_use_wire_nonces_without_a_shared_issuer() {
    let store = memory();
    let a = flow(Suite::Ed25519, "su-a", "shared-nonce");
    let b = flow(Suite::Ed25519, "su-b", "shared-nonce");
    let v = |f: &Flow| {
        builder(
            vec![f.issuer.public_key()],
            store.clone(),
            store.clone(),
            NOW,
        )
        .wire_nonce(WireNonce::SingleUse)
        .build()
        .unwrap()
    };
    assert!(
        submit(&v(&a), &a).is_ok(),
        "not issued, but SingleUse does not ask"
    );
    let e = submit(&v(&b), &b).unwrap_err();
    assert_eq!(
        (e.check_id(), e.problem()),
        ("access_token.nonce", AcmeProblem::BadNonce)
    );
}

struct Down;
impl ReplayStore for Down {
    fn first_use(&self, _: &str, _: u64, _: u64) -> Result<bool, StoreError> {
        Err(StoreError(
            "Redis at 10.1.2.3:6379 unreachable: secret detail".into(),
        ))
    }
}
impl NonceStore for Down {
    fn issue(&self, _: &str, _: u64, _: u64) -> Result<(), StoreError> {
        Err(StoreError("down".into()))
    }
    fn consume(&self, _: &str, _: u64) -> Result<bool, StoreError> {
        Err(StoreError("down".into()))
    }
}

#[test]
fn a_store_that_cannot_answer_fails_closed_and_says_nothing_internal() {
    let f = flow(Suite::P256, "down", "n");
    let v = validator(&f, Arc::new(Down), Arc::new(Down));
    let e = submit(&v, &f).unwrap_err();
    assert!(e.is_unavailable());
    assert_eq!(e.check_id(), "dpop.jti");
    assert_eq!(
        e.detail(),
        "dpop.jti: replay protection is unavailable; retry later"
    );
    assert!(
        e.to_string().contains("10.1.2.3"),
        "the log line keeps the evidence"
    );
}

#[test]
fn details_reveal_no_configuration() {
    let store = memory();
    let mut f = flow(Suite::P384, "detail", "n");
    let pinned = f.issuer.public_key();
    f.issuer = SigningKey::from_seed(Suite::P384, "rogue");
    f.resign();
    let v = builder(vec![pinned.clone()], store.clone(), store, NOW)
        .build()
        .unwrap();
    let e = submit(&v, &f).unwrap_err();
    let detail = e.detail();
    assert_eq!(
        detail,
        "access_token.issuer_key: not signed by a trusted wire-server key"
    );
    let tp = pinned.jwk().thumbprint(e2ei_verify::jose::HashAlg::Sha256);
    assert!(!detail.contains(&tp) && !detail.contains(&f.htu));
}

#[test]
fn the_builder_refuses_a_missing_mandatory_input() {
    let f = flow(Suite::Ed25519, "cfg", "n");
    let s = memory();
    let full = || builder(vec![f.issuer.public_key()], s.clone(), s.clone(), NOW);
    assert!(full().build().is_ok());
    let no_issuer = Validator::builder()
        .idp(
            IDP_ISSUER,
            OAUTH_CLIENT,
            [IdpKey::Wire(idp_key().public_key())],
        )
        .replay_store(s.clone())
        .nonce_store(s.clone());
    assert_eq!(
        no_issuer.clone().build().unwrap_err(),
        ConfigError::NoIssuerKey
    );
    let with_issuer = no_issuer.wire_server_key(f.issuer.public_key());
    assert!(with_issuer.clone().build().is_ok());
    let no_idp = Validator::builder()
        .wire_server_key(f.issuer.public_key())
        .replay_store(s.clone())
        .nonce_store(s.clone());
    assert_eq!(no_idp.build().unwrap_err(), ConfigError::NoIdpIssuer);
    let no_idp_key = Validator::builder()
        .wire_server_key(f.issuer.public_key())
        .idp(IDP_ISSUER, OAUTH_CLIENT, [])
        .replay_store(s.clone())
        .nonce_store(s.clone());
    assert_eq!(no_idp_key.build().unwrap_err(), ConfigError::NoIdpKey);
    let no_replay = Validator::builder()
        .wire_server_key(f.issuer.public_key())
        .idp(
            IDP_ISSUER,
            OAUTH_CLIENT,
            [IdpKey::Wire(idp_key().public_key())],
        )
        .nonce_store(s.clone());
    assert_eq!(no_replay.build().unwrap_err(), ConfigError::NoReplayStore);
    let no_nonce = Validator::builder()
        .wire_server_key(f.issuer.public_key())
        .idp(
            IDP_ISSUER,
            OAUTH_CLIENT,
            [IdpKey::Wire(idp_key().public_key())],
        )
        .replay_store(s.clone());
    assert_eq!(no_nonce.build().unwrap_err(), ConfigError::NoNonceStore);
    assert_eq!(
        full().algorithms(&[]).build().unwrap_err(),
        ConfigError::NoAlgorithm
    );
    assert!(matches!(
        full().clock_skew(3600).build(),
        Err(ConfigError::Limit(_))
    ));
    assert!(matches!(
        full().proof_max_age(0).build(),
        Err(ConfigError::Limit(_))
    ));
}

#[test]
fn allowed_algorithms_are_enforced() {
    let store = memory();
    let f = flow(Suite::P521, "alg", "n");
    store.issue("n", NOW + 300, NOW).unwrap();
    let v = builder(vec![f.issuer.public_key()], store.clone(), store, NOW)
        .algorithms(&[
            e2ei_verify::jose::Algorithm::EdDSA,
            e2ei_verify::jose::Algorithm::ES256,
        ])
        .build()
        .unwrap();
    let e = submit(&v, &f).unwrap_err();
    assert_eq!(e.check_id(), "access_token.signature");
}

// ---- wire-oidc-01 ----

fn id_token(f: &Flow, account: &PublicKey, challenge_token: &str, url: &str) -> serde_json::Value {
    let hash = e2ei_verify::jose::HashAlg::Sha256;
    json!({
        "iss": IDP_ISSUER, "aud": [OAUTH_CLIENT], "sub": "ab87e756", "jti": format!("{}-id", f.chal),
        "iat": NOW, "exp": NOW + 3600, "name": "Alice Smith",
        "preferred_username": "alice_wire@wire.example.com",
        "keyauth": format!("{challenge_token}.{}", account.jwk().thumbprint(hash)),
        "acme_aud": url,
    })
}

fn sign_id_token(claims: &serde_json::Value) -> String {
    idp_key().compact(&json!({"alg": "ES256", "typ": "JWT", "kid": "idp"}), claims)
}

fn oidc_challenge(f: &Flow) -> Challenge<'_> {
    Challenge {
        kind: ChallengeType::WireOidc01,
        token: "AoDXqw4NHU5vgnEQBBjuBDvGSPqcv47b",
        url: &f.aud,
        target: IDP_ISSUER,
    }
}

fn user_order(f: &Flow) -> Identifiers {
    let mut o = order(f);
    o.client_id = None;
    o.team = None;
    o
}

#[test]
fn a_valid_oidc_challenge_is_accepted_once_with_the_sha256_keyauth() {
    for suite in Suite::ALL {
        let (f, v, _) = setup(suite, &format!("oidc-{}", suite.name()));
        let account = f.client.public_key();
        let ch = oidc_challenge(&f);
        let claims = id_token(&f, &account, ch.token, ch.url);
        let jwt = sign_id_token(&claims);
        let payload = json!({ "id_token": jwt }).to_string();
        let id = v
            .validate(&ch, &account, &user_order(&f), payload.as_bytes())
            .unwrap_or_else(|e| panic!("{suite:?}: {e}"));
        assert_eq!(id.kind, ChallengeType::WireOidc01);
        assert_eq!(id.handle.handle, "alice_wire");
        let again = v
            .validate(&ch, &account, &user_order(&f), payload.as_bytes())
            .unwrap_err();
        assert_eq!(
            (again.check_id(), again.problem()),
            ("oidc.jti", AcmeProblem::Unauthorized)
        );
        // keyauth with payload member too.
        let with_keyauth = json!({ "id_token": jwt, "keyauth": claims["keyauth"] }).to_string();
        let e = v
            .validate(&ch, &account, &user_order(&f), with_keyauth.as_bytes())
            .unwrap_err();
        assert_eq!(
            e.check_id(),
            "oidc.jti",
            "the keyauth member matched; only the replay fails"
        );
    }
}

#[test]
fn oidc_faults_are_rejected_with_their_check() {
    let (f, v, _) = setup(Suite::P384, "oidc-faults");
    let account = f.client.public_key();
    let ch = oidc_challenge(&f);
    // RFC 8555 §8.1 hashes the thumbprint with SHA-256 whatever the key: the
    // suite's SHA-384 (what `cnf.kid` uses) is not a key authorization.
    let sha384 = format!(
        "{}.{}",
        ch.token,
        account.jwk().thumbprint(e2ei_verify::jose::HashAlg::Sha384)
    );
    let cases: [(&str, serde_json::Value, &str, AcmeProblem); 5] = [
        (
            "keyauth with the suite's SHA-384 for a P-384 account",
            json!({"keyauth": sha384}),
            "oidc.keyauth",
            AcmeProblem::Unauthorized,
        ),
        (
            "another acme_aud",
            json!({"acme_aud": "https://acme.example.com/other"}),
            "oidc.acme_aud",
            AcmeProblem::Unauthorized,
        ),
        (
            "another client",
            json!({"aud": ["other"]}),
            "oidc.aud",
            AcmeProblem::Unauthorized,
        ),
        (
            "another handle",
            json!({"preferred_username": "mallory@wire.example.com"}),
            "oidc.preferred_username",
            AcmeProblem::RejectedIdentifier,
        ),
        (
            "another name",
            json!({"name": "Mallory"}),
            "oidc.name",
            AcmeProblem::RejectedIdentifier,
        ),
    ];
    for (i, (name, patch, id, problem)) in cases.into_iter().enumerate() {
        let mut claims = id_token(&f, &account, ch.token, ch.url);
        claims["jti"] = json!(format!("case-{i}"));
        for (k, val) in patch.as_object().unwrap() {
            claims[k] = val.clone();
        }
        let payload = json!({ "id_token": sign_id_token(&claims) }).to_string();
        let e = v
            .validate(&ch, &account, &user_order(&f), payload.as_bytes())
            .expect_err(name);
        assert_eq!((e.check_id(), e.problem()), (id, problem), "{name}: {e}");
    }
    let claims = id_token(&f, &account, ch.token, ch.url);
    let payload = json!({ "id_token": sign_id_token(&claims), "keyauth": "wrong" }).to_string();
    let e = v
        .validate(&ch, &account, &user_order(&f), payload.as_bytes())
        .unwrap_err();
    assert_eq!(e.check_id(), "oidc.keyauth");
}

// ---- Wire's real 2026-01 capture, end to end ----

fn real(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../vectors/real/2026-01-15/ed25519/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_real_2026_challenges_validate() {
    const AT: u64 = 1_768_466_455; // the id token's iat; the access token is still valid
    let issuer: Vec<PublicKey> = parse_public_keys(real("issuer_key.pem").as_bytes())
        .unwrap()
        .into_iter()
        .map(|k| PublicKey::new(k).unwrap())
        .collect();
    let idp = parse_idp_keys(real("idp_key.pem").as_bytes()).unwrap();
    let store = memory();
    let v = Validator::builder()
        .wire_server_keys(issuer)
        .idp("http://authelia.local:40255", "wireapp", idp)
        .replay_store(store.clone())
        .nonce_store(store.clone())
        .wire_nonce(WireNonce::SingleUse)
        .proof_max_age(3600 + 300)
        .clock(|| AT)
        .build()
        .unwrap();
    // The account key of new-account, which is also the DPoP key.
    let account = PublicKey::new(
        e2ei_verify::jose::Jwk::from_value(&json!({
            "kty": "OKP", "crv": "Ed25519", "x": "I-6zCgDBsDm3avLvvqJD9CLWm8HRNRoJe-JFOQCEp2Q"
        }))
        .unwrap(),
    )
    .unwrap();
    let device = Identifiers::from_identifier_value(
        r#"{"client-id":"wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost","handle":"wireapp://%40alice_wire@wire.localhost","name":"Alice Smith","domain":"wire.localhost"}"#,
    )
    .unwrap();
    let dpop = Challenge {
        kind: ChallengeType::WireDpop01,
        token: "Eo2Mdrb6PiUVEUO9Va2VekSfnEmChQIz",
        url: "https://zylxi6.stepca:36197/acme/wire/challenge/oJt5oJAsPPlkT2Xi6S0TqQGnVXc0yNMI/RNPuq3ItJAva2y1ugBQ5YRUghLBsp7ex",
        target: "http://wire.localhost:40539/clients/9e4ef7e72ec9e5b9/access-token",
    };
    let payload = json!({ "access_token": real("access_token.jwt").trim() }).to_string();
    let id = v.validate(&dpop, &account, &device, payload.as_bytes());
    let id = id.unwrap_or_else(|e| panic!("{e}: {:#?}", e.report()));
    assert_eq!(id.client_id, device.client_id);

    let user = Identifiers::from_identifier_value(
        r#"{"handle":"wireapp://%40alice_wire@wire.localhost","name":"Alice Smith","domain":"wire.localhost"}"#,
    )
    .unwrap();
    let oidc = Challenge {
        kind: ChallengeType::WireOidc01,
        token: "AoDXqw4NHU5vgnEQBBjuBDvGSPqcv47b",
        url: "https://zylxi6.stepca:36197/acme/wire/challenge/6tm9Es0xXXZgxyDo2cCeE34qE7zapMVd/YIYEFjs0LpfU6uYSNPROTI95zWJ0zLTb",
        target: "http://authelia.local:40255/",
    };
    let payload = json!({ "id_token": real("id_token.jwt").trim() }).to_string();
    let id = v.validate(&oidc, &account, &user, payload.as_bytes());
    let id = id.unwrap_or_else(|e| panic!("{e}: {:#?}", e.report()));
    assert_eq!(id.display_name, "Alice Smith");
    let e = v
        .validate(&oidc, &account, &user, payload.as_bytes())
        .unwrap_err();
    assert_eq!(e.check_id(), "oidc.jti");
    let report = e.report();
    assert!(report
        .checks
        .iter()
        .any(|c| c.id == "oidc.keyauth" && c.status == Status::Pass));
}
