//! DPoP proofs as wire-server receives them with the access-token request.

use super::{corrupt_signature, hs256, mismatched_alg, time_policy};
use crate::case::{reject, Artefact, Case, Expect};
use crate::enrolment::{Enrolment, NOW};
use crate::mint::{b64, compact_raw, Flow};
use e2ei_verify::jose::b64_decode;
use e2ei_verify::report::AcmeProblem::{
    self, BadNonce, Malformed, RejectedIdentifier, Unauthorized,
};
use e2ei_verify::time::TimePolicy;
use serde_json::{json, Value};

/// Everything a server knows when the proof arrives.
pub fn expectations(f: &Flow) -> Value {
    json!({
        "htm": "POST", "htu": f.htu, "nonce": f.nonce, "chal": f.chal,
        "client_id": f.client_id, "aud": f.aud, "handle": f.handle,
        "team": "wire", "name": "Alice Smith",
        "time": time_policy(TimePolicy::DPOP),
    })
}

struct Cases<'e> {
    e: &'e Enrolment,
    expectations: Value,
    out: Vec<Case>,
}

impl Cases<'_> {
    fn push(&mut self, id: &str, why: &str, token: String, expect: Expect) {
        self.push_with(id, why, token, expect, NOW, self.expectations.clone());
    }

    fn push_with(
        &mut self,
        id: &str,
        why: &str,
        token: String,
        expect: Expect,
        verify_at: u64,
        expectations: Value,
    ) {
        self.out.push(Case {
            id: id.to_owned(),
            suite: self.e.suite,
            artefact: Artefact::Dpop,
            input: token.into_bytes(),
            verify_at,
            expectations,
            trust: Vec::new(),
            expect,
            why: why.to_owned(),
        });
    }

    /// A proof whose claims `change` altered, re-signed by the client.
    fn claims(&self, change: impl FnOnce(&mut Value)) -> String {
        let mut f = self.e.flow();
        change(&mut f.proof_claims);
        f.resign();
        f.dpop
    }

    /// A proof whose header `change` altered, signed by the client.
    fn header(&self, change: impl FnOnce(&mut Value)) -> String {
        let f = self.e.flow();
        let mut header = f.proof_header();
        change(&mut header);
        f.client.compact(&header, &f.proof_claims)
    }

    fn fails(&mut self, check: &'static str, variant: &str, why: &str, token: String) {
        let problem = problem(check);
        self.push(
            &format!("{check}.{variant}"),
            why,
            token,
            reject(&[check], problem),
        );
    }
}

/// The ACME problem each DPoP check answers with (README catalogue).
fn problem(check: &str) -> AcmeProblem {
    match check {
        "dpop.format" | "dpop.typ" => Malformed,
        "dpop.nonce" => BadNonce,
        "dpop.sub" | "dpop.handle" | "dpop.team" | "dpop.name" => RejectedIdentifier,
        _ => Unauthorized,
    }
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let base = e.flow();
    let mut c = Cases {
        e,
        expectations: expectations(&base),
        out: Vec::new(),
    };
    c.push(
        "dpop.valid",
        "A valid proof for the access-token request: every check passes.",
        base.dpop.clone(),
        Expect::Accept,
    );
    let ath = e2ei_verify::dpop::ath(&base.access_token);
    let mut with_ath = c.expectations.clone();
    with_ath["ath"] = Value::String(ath.clone());
    let proof = c.claims(|p| p["ath"] = Value::String(ath.clone()));
    c.push_with(
        "dpop.valid-ath",
        "ath is the SHA-256 of the access token presented with the proof.",
        proof,
        Expect::Accept,
        NOW,
        with_ath.clone(),
    );
    let legacy = "im:wireapp=WqEqc9dIRoKh3VyUJ8k6QA/9e4ef7e72ec9e5b9@wire.example.com";
    let proof = c.claims(|p| p["sub"] = json!(legacy));
    c.push(
        "dpop.valid-legacy-sub",
        "sub spells the expected client in the 2023 im:wireapp= form: the same client.",
        proof,
        Expect::Accept,
    );

    format(&mut c);
    header_checks(&mut c);
    claim_checks(&mut c, &base);
    identity_checks(&mut c);

    let other_ath = e2ei_verify::dpop::ath("another.access.token");
    let proof = c.claims(|p| p["ath"] = Value::String(other_ath));
    c.push_with(
        "dpop.ath.other-token",
        "ath is the hash of another access token than the one presented.",
        proof,
        reject(&["dpop.ath"], Unauthorized),
        NOW,
        with_ath,
    );
    c.out
}

fn format(c: &mut Cases<'_>) {
    let f = c.e.flow();
    let alg = f.suite.alg().name();
    let jwk = f.client.public_jwk_json();
    let header = format!(r#"{{"alg":"{alg}","alg":"none","typ":"dpop+jwt","jwk":{jwk}}}"#);
    let token = compact_raw(
        &f.client,
        header.as_bytes(),
        f.proof_claims.to_string().as_bytes(),
    );
    c.fails(
        "dpop.format",
        "duplicate-alg",
        "The header names alg twice; a lenient parser would read the second.",
        token,
    );
    let header = f.proof_header().to_string();
    let token = compact_raw(&f.client, header.as_bytes(), b"[\"not\", \"an object\"]");
    c.fails(
        "dpop.format",
        "claims-not-object",
        "The payload is JSON but not an object.",
        token,
    );
    let token = c.header(|h| h["crit"] = json!(["htm"]));
    c.fails(
        "dpop.format",
        "crit",
        "The header has crit, naming an extension no verifier understands.",
        token,
    );
}

fn header_checks(c: &mut Cases<'_>) {
    let token = c.header(|h| h["typ"] = json!("JWT"));
    c.fails("dpop.typ", "jwt", "typ is JWT, not dpop+jwt.", token);
    let token = c.header(|h| h["alg"] = json!("none"));
    c.fails("dpop.alg", "none", "alg is none.", token);
    let mismatched = mismatched_alg(c.e.suite);
    let token = c.header(|h| h["alg"] = json!(mismatched));
    c.fails(
        "dpop.alg",
        "key-mismatch",
        "alg belongs to another curve than the header key.",
        token,
    );
    let f = c.e.flow();
    let mut header = f.proof_header();
    header["alg"] = json!("HS256");
    let token = hs256(&header, &f.proof_claims, &f.client.jwk().canonical_json());
    c.fails(
        "dpop.alg",
        "hs256",
        "alg is HS256, MACed with the public key as secret (algorithm confusion).",
        token,
    );
    let token = c.header(|h| {
        h.as_object_mut().map(|h| h.remove("jwk"));
    });
    c.fails("dpop.jwk", "missing", "The header has no jwk.", token);
    let n = c.e.suite.key_type().coordinate_len();
    let token = c.header(|h| h["jwk"]["d"] = json!(b64(&vec![1u8; n])));
    c.fails(
        "dpop.jwk",
        "private-member",
        "The header jwk carries a private member d.",
        token,
    );
    let token = c.header(|h| {
        let jwk = &mut h["jwk"];
        if jwk.get("y").is_some() {
            let mut y = b64_decode(jwk["y"].as_str().unwrap_or_default()).unwrap_or_default();
            if let Some(last) = y.last_mut() {
                *last ^= 0x01;
            }
            jwk["y"] = json!(b64(&y));
        } else {
            jwk["x"] = json!(b64(&[7u8; 31]));
        }
    });
    c.fails(
        "dpop.jwk",
        "bad-point",
        "The header jwk is not a valid public key (EC: off the curve; Ed25519: 31 bytes).",
        token,
    );
    let token = corrupt_signature(&c.e.flow().dpop);
    c.fails(
        "dpop.signature",
        "corrupted",
        "One bit of the signature is flipped.",
        token,
    );
    let f = c.e.flow();
    let token = c.e.rogue.compact(&f.proof_header(), &f.proof_claims);
    c.fails(
        "dpop.signature",
        "other-key",
        "Signed by another key than the one in the header.",
        token,
    );
}

fn claim_checks(c: &mut Cases<'_>, base: &Flow) {
    let token = c.claims(|p| p["htm"] = json!("GET"));
    c.fails(
        "dpop.htm",
        "get",
        "htm is GET; the request is a POST.",
        token,
    );
    let other = base.htu.replace("9e4ef7e72ec9e5b9", "0123456789abcdef");
    let token = c.claims(|p| p["htu"] = json!(other));
    c.fails(
        "dpop.htu",
        "other-client",
        "htu is another client's access-token URL.",
        token,
    );
    let query = format!("{}?x=1", base.htu);
    let token = c.claims(|p| p["htu"] = json!(query));
    c.fails(
        "dpop.htu",
        "query",
        "htu carries a query, which RFC 9449 forbids.",
        token,
    );
    let token = c.claims(|p| {
        p["iat"] = json!(NOW + 3600);
        p["nbf"] = json!(NOW + 3600);
        p["exp"] = json!(NOW + 3600 + 7200);
    });
    c.fails(
        "dpop.time",
        "future-iat",
        "iat is an hour in the future.",
        token,
    );
    let token = c.claims(|p| p["exp"] = json!(NOW + 2 * 86_400));
    c.fails(
        "dpop.time",
        "long-lifetime",
        "exp is two days after iat; one day is the most allowed.",
        token,
    );
    c.push_with(
        "dpop.time.stale",
        "Verified ten minutes after iat; a proof is fresh for five (plus skew).",
        base.dpop.clone(),
        reject(&["dpop.time"], Unauthorized),
        NOW + 600,
        c.expectations.clone(),
    );
    let token = c.claims(|p| {
        p.as_object_mut().map(|p| p.remove("jti"));
    });
    c.fails("dpop.jti", "missing", "The proof has no jti.", token);
    let token = c.claims(|p| p["nonce"] = json!("b3RoZXItbm9uY2U"));
    c.fails(
        "dpop.nonce",
        "other",
        "nonce is not the one wire-server issued.",
        token,
    );
    let token = c.claims(|p| p["chal"] = json!("Zm9yZWlnbi1jaGFsbGVuZ2UtdG9rZW4"));
    c.fails(
        "dpop.chal",
        "other",
        "chal is another ACME challenge's token.",
        token,
    );
    let other = base
        .aud
        .replace("RNPuq3ItJAva2y1ugBQ5YRUghLBsp7ex", "b3RoZXItY2hhbGxlbmdl");
    let token = c.claims(|p| p["aud"] = json!(other));
    c.fails("dpop.aud", "other", "aud is another challenge URL.", token);
}

fn identity_checks(c: &mut Cases<'_>) {
    let other = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!0123456789abcdef@wire.example.com";
    let token = c.claims(|p| p["sub"] = json!(other));
    c.fails(
        "dpop.sub",
        "other-device",
        "sub is another device of the same user.",
        token,
    );
    let token = c.claims(|p| p["sub"] = json!("alice@wire.example.com"));
    c.fails(
        "dpop.sub",
        "not-a-client-id",
        "sub is not a Wire client id at all.",
        token,
    );
    let token = c.claims(|p| p["handle"] = json!("wireapp://%40mallory@wire.example.com"));
    c.fails("dpop.handle", "other", "handle is another user's.", token);
    let token = c.claims(|p| p["team"] = json!("another-team"));
    c.fails("dpop.team", "other", "team is another team.", token);
    let token = c.claims(|p| p["name"] = json!("Mallory"));
    c.fails("dpop.name", "other", "name is another display name.", token);
}
