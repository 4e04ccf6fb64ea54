//! OIDC id tokens as the ACME `wire-oidc-01` challenge receives them.

use super::{hs256, time_policy};
use crate::case::{reject, Artefact, Case, Expect, Trust};
use crate::enrolment::{keyauth, Enrolment, NOW};
use crate::mint::compact_raw;
use e2ei_verify::report::AcmeProblem::{self, Malformed, RejectedIdentifier, Unauthorized};
use e2ei_verify::time::TimePolicy;
use serde_json::{json, Value};

/// What the ACME server knows when the id token arrives.
pub fn expectations(e: &Enrolment) -> Value {
    json!({
        "iss": e.idp_iss(), "audience": e.oauth_client(), "keyauth": e.keyauth(),
        "acme_aud": e.oidc_challenge_url(), "name": "Alice Smith",
        "preferred_username": e.preferred_username(),
        "time": time_policy(TimePolicy::TOKEN),
    })
}

/// The ACME problem each OIDC check answers with.
fn problem(check: &str) -> AcmeProblem {
    match check {
        "oidc.format" => Malformed,
        "oidc.name" | "oidc.preferred_username" => RejectedIdentifier,
        _ => Unauthorized,
    }
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let trust = Trust {
        role: "idp_key",
        file: "idp_key.jwk",
        content: e.idp.jwk().canonical_json(),
    };
    let case = |id: String, why: &str, token: String, expect| Case {
        id,
        suite: e.suite,
        artefact: Artefact::IdToken,
        input: token.into_bytes(),
        verify_at: NOW,
        expectations: expectations(e),
        trust: vec![trust.clone()],
        expect,
        why: why.to_owned(),
    };
    let fails = |check: &'static str, variant: &str, why: &str, token: String| {
        case(
            format!("{check}.{variant}"),
            why,
            token,
            reject(&[check], problem(check)),
        )
    };
    let with_claims = |change: &dyn Fn(&mut Value)| {
        let mut claims = e.id_token_claims();
        change(&mut claims);
        e.idp.compact(&e.id_token_header(), &claims)
    };
    let header = e.id_token_header().to_string();
    let mut header_hs = e.id_token_header();
    header_hs["alg"] = json!("HS256");
    vec![
        case(
            "id_token.valid".into(),
            "A valid id token, bound to the ACME account by keyauth.",
            e.id_token(),
            Expect::Accept,
        ),
        fails(
            "oidc.format",
            "claims-not-object",
            "The payload is JSON but not an object.",
            compact_raw(&e.idp, header.as_bytes(), b"42"),
        ),
        fails(
            "oidc.signature",
            "other-key",
            "Signed by a key that is not the pinned IdP key.",
            e.rogue.compact(&e.id_token_header(), &e.id_token_claims()),
        ),
        fails(
            "oidc.signature",
            "hs256",
            "alg is HS256, MACed with the IdP's public key (algorithm confusion).",
            hs256(
                &header_hs,
                &e.id_token_claims(),
                &e.idp.jwk().canonical_json(),
            ),
        ),
        fails(
            "oidc.time",
            "expired",
            "The id token expired an hour ago.",
            with_claims(&|t| {
                t["iat"] = json!(NOW - 7200);
                t["exp"] = json!(NOW - 3600);
            }),
        ),
        fails(
            "oidc.aud",
            "other",
            "aud is another OAuth client.",
            with_claims(&|t| t["aud"] = json!("another-client")),
        ),
        fails(
            "oidc.iss",
            "other",
            "iss is another IdP.",
            with_claims(&|t| t["iss"] = json!("https://idp.example.org/realms/wire")),
        ),
        fails(
            "oidc.keyauth",
            "other-account",
            "keyauth binds another ACME account key.",
            with_claims(&|t| t["keyauth"] = json!(keyauth(e.oidc_chal(), &e.rogue))),
        ),
        fails(
            "oidc.acme_aud",
            "other",
            "acme_aud is another challenge URL.",
            with_claims(&|t| {
                t["acme_aud"] = json!(e.oidc_challenge_url().replace("YIYEF", "ZZZZZ"))
            }),
        ),
        fails(
            "oidc.name",
            "other",
            "name is another display name.",
            with_claims(&|t| t["name"] = json!("Mallory")),
        ),
        fails(
            "oidc.preferred_username",
            "other",
            "preferred_username is another user's handle.",
            with_claims(&|t| t["preferred_username"] = json!("mallory@wire.example.com")),
        ),
    ]
}
