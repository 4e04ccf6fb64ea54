//! `wire-dpop-01` challenge responses as the ACME server receives them: the
//! posted payload, judged with what only the server knows (the challenge, the
//! account key that signed the request, the order's identifiers, the nonce
//! store, the replay store). These are the checks no single artefact carries:
//! `challenge.client_id`, `challenge.account_key`, and the `dpop.jti` replay,
//! which needs the same proof submitted twice through one store.

use super::time_policy;
use crate::case::{reject, Artefact, Case, Expect, Trust};
use crate::enrolment::{Enrolment, NOW};
use crate::mint::{Flow, SigningKey};
use e2ei_verify::report::AcmeProblem::{RejectedIdentifier, Unauthorized};
use e2ei_verify::time::TimePolicy;
use serde_json::{json, Value};

/// What the server knows. `issued_nonces` are in the nonce store before the
/// first submission (wire-server issued them through the shared store);
/// `submissions` is how often the same payload is posted, the verdict being
/// that of the last (every earlier one is accepted).
fn expectations(e: &Enrolment, f: &Flow, client_id: &str, submissions: u32) -> Value {
    json!({
        "challenge": {"type": "wire-dpop-01", "token": f.chal, "url": f.aud, "target": f.htu},
        "order": {
            "client-id": client_id, "handle": f.handle, "name": "Alice Smith",
            "domain": "wire.example.com", "team": "wire",
        },
        "idp": {"issuer": e.idp_iss(), "client_id": e.oauth_client()},
        "wire_nonce": "issued",
        "issued_nonces": [f.nonce],
        "time": {
            "proof": time_policy(TimePolicy::DPOP),
            "access_token": time_policy(TimePolicy::TOKEN),
        },
        "submissions": submissions,
    })
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let f = e.flow();
    let payload = json!({ "access_token": f.access_token }).to_string();
    let key = |role, file, k: &SigningKey| Trust {
        role,
        file,
        content: k.jwk().canonical_json(),
    };
    let case = |id: &str, why: &str, client_id: &str, account: &SigningKey, n, expect| Case {
        id: id.to_owned(),
        suite: e.suite,
        artefact: Artefact::Challenge,
        input: payload.clone().into_bytes(),
        verify_at: NOW,
        expectations: expectations(e, &f, client_id, n),
        trust: vec![
            key("issuer_key", "issuer_key.jwk", &f.issuer),
            key("account_key", "account_key.jwk", account),
            key("idp_key", "idp_key.jwk", &e.idp),
        ],
        expect,
        why: why.to_owned(),
    };
    let other_device = f.client_id.replace("9e4ef7e72ec9e5b9", "0123456789abcdef");
    vec![
        case(
            "challenge.valid",
            "The valid access token, posted by the account whose key signed the proof, \
             for the order's device.",
            &f.client_id,
            &f.client,
            1,
            Expect::Accept,
        ),
        case(
            "challenge.client_id.other-device",
            "The order is for another device of the same user than the one the token \
             names.",
            &other_device,
            &f.client,
            1,
            reject(&["challenge.client_id"], RejectedIdentifier),
        ),
        case(
            "challenge.account_key.other-account",
            "The account that posts the token has another key than the one that signed \
             the DPoP proof.",
            &f.client_id,
            &e.account,
            1,
            reject(&["challenge.account_key"], Unauthorized),
        ),
        case(
            "dpop.jti.replay",
            "The same payload posted twice: the first is accepted and consumes the \
             proof's jti and the wire nonce; the second fails dpop.jti, which is \
             consumed first, so the spent nonce is never looked at.",
            &f.client_id,
            &f.client,
            2,
            reject(&["dpop.jti"], Unauthorized),
        ),
    ]
}
