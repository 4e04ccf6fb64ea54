//! Access tokens as the ACME `wire-dpop-01` challenge receives them. The
//! embedded proof is checked too, so its failing checks are part of a case's
//! failing set.

use super::{corrupt_signature, hs256, time_policy};
use crate::case::{reject, Artefact, Case, Expect, Trust};
use crate::enrolment::{Enrolment, NOW};
use crate::mint::{compact_raw, Flow};
use e2ei_verify::jose::HashAlg;
use e2ei_verify::report::AcmeProblem::{
    self, BadNonce, Malformed, RejectedIdentifier, Unauthorized,
};
use e2ei_verify::time::TimePolicy;
use serde_json::{json, Value};

/// Everything the ACME server knows when the token arrives. The embedded
/// proof is checked for POST to the token's `iss`, with `chal`, `nonce` and
/// `client_id` from here and the rest from `proof`.
pub fn expectations(f: &Flow) -> Value {
    json!({
        "iss": f.htu, "aud": f.aud, "client_id": f.client_id,
        "chal": f.chal, "nonce": f.nonce,
        "scope": "wire_client_id", "min_api_version": 1,
        "time": time_policy(TimePolicy::TOKEN),
        "proof": {
            "aud": f.aud, "handle": f.handle, "team": "wire", "name": "Alice Smith",
            "time": time_policy(TimePolicy::DPOP),
        },
    })
}

struct Cases<'e> {
    e: &'e Enrolment,
    expectations: Value,
    trust: Trust,
    out: Vec<Case>,
}

impl Cases<'_> {
    fn push(&mut self, id: String, why: &str, token: String, expect: Expect) {
        self.out.push(Case {
            id,
            suite: self.e.suite,
            artefact: Artefact::AccessToken,
            input: token.into_bytes(),
            verify_at: NOW,
            expectations: self.expectations.clone(),
            trust: vec![self.trust.clone()],
            expect,
            why: why.to_owned(),
        });
    }

    /// Fails exactly `failing`; the case is named after the first.
    fn fails(&mut self, failing: &[&'static str], variant: &str, why: &str, token: String) {
        let id = format!("{}.{variant}", failing[0]);
        self.push(id, why, token, reject(failing, problem(failing[0])));
    }

    /// A token whose claims `change` altered, re-signed by the issuer.
    fn claims(&self, change: impl FnOnce(&mut Value, &Flow)) -> String {
        let mut f = self.e.flow();
        let mut claims = f.token_claims.clone();
        change(&mut claims, &f);
        f.token_claims = claims;
        f.resign_token();
        f.access_token
    }

    /// A token whose header `change` altered, signed by the issuer.
    fn header(&self, change: impl FnOnce(&mut Value)) -> String {
        let f = self.e.flow();
        let mut header = f.token_header();
        change(&mut header);
        f.issuer.compact(&header, &f.token_claims)
    }
}

/// The ACME problem each access-token check answers with (README catalogue).
fn problem(check: &str) -> AcmeProblem {
    match check {
        "access_token.format" | "access_token.typ" => Malformed,
        "access_token.nonce" => BadNonce,
        "access_token.sub" => RejectedIdentifier,
        _ => Unauthorized,
    }
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let base = e.flow();
    let mut c = Cases {
        e,
        expectations: expectations(&base),
        trust: Trust {
            role: "issuer_key",
            file: "issuer_key.jwk",
            content: base.issuer.jwk().canonical_json(),
        },
        out: Vec::new(),
    };
    c.push(
        "access_token.valid".into(),
        "A valid token bound to the proof key, with a valid embedded proof.",
        base.access_token.clone(),
        Expect::Accept,
    );
    let token = c.claims(|t, f| {
        let tp = f.client.jwk().thumbprint(f.suite.alg().suite_hash());
        t["cnf"] = json!({ "jkt": tp });
    });
    c.push(
        "access_token.valid-cnf-jkt".into(),
        "cnf uses RFC 9449's jkt member instead of Wire's kid: equally bound.",
        token,
        Expect::Accept,
    );
    structure(&mut c);
    claims(&mut c, &base);
    binding(&mut c);
    c.out
}

fn structure(c: &mut Cases<'_>) {
    let f = c.e.flow();
    let claims = f.token_claims.to_string();
    let duplicated = format!(
        r#"{},"scope":"wire_client_id openid"}}"#,
        claims.trim_end_matches('}')
    );
    let header = f.token_header().to_string();
    let token = compact_raw(&f.issuer, header.as_bytes(), duplicated.as_bytes());
    c.fails(
        &["access_token.format"],
        "duplicate-claim",
        "The claims name scope twice.",
        token,
    );
    let token = c.header(|h| h["typ"] = json!("JWT"));
    c.fails(
        &["access_token.typ"],
        "jwt",
        "typ is JWT, not at+jwt.",
        token,
    );
    let mut rogue_header = f.token_header();
    rogue_header["jwk"] = c.e.rogue.public_jwk_json();
    let token = c.e.rogue.compact(&rogue_header, &f.token_claims);
    c.fails(
        &["access_token.issuer_key"],
        "unpinned",
        "Signed by a key in its own header that is not the pinned wire-server key.",
        token,
    );
    let token = corrupt_signature(&f.access_token);
    c.fails(
        &["access_token.signature"],
        "corrupted",
        "One bit of the signature is flipped.",
        token,
    );
    let mut header = f.token_header();
    header["alg"] = json!("HS256");
    let token = hs256(&header, &f.token_claims, &f.issuer.jwk().canonical_json());
    c.fails(
        &["access_token.signature"],
        "hs256",
        "alg is HS256, MACed with the issuer's public key (algorithm confusion).",
        token,
    );
}

fn claims(c: &mut Cases<'_>, base: &Flow) {
    let token = c.claims(|t, _| t["exp"] = json!(NOW + 90 * 86_400));
    c.fails(
        &["access_token.time"],
        "long-lifetime",
        "The token lives 90 days (as in 2023-01); one day is the most allowed.",
        token,
    );
    let token = c.claims(|t, _| {
        t["iat"] = json!(NOW - 7200);
        t["nbf"] = json!(NOW - 7200);
        t["exp"] = json!(NOW - 3600);
    });
    c.fails(
        &["access_token.time"],
        "expired",
        "The token expired an hour ago.",
        token,
    );
    // Another issuer URL, and a proof made for it, so the proof still fits.
    let mut f = c.e.flow();
    f.htu = base.htu.replace("wire.example.com", "wire.example.net");
    f.proof_claims["htu"] = json!(f.htu);
    f.resign();
    c.fails(
        &["access_token.iss"],
        "other",
        "iss is another wire-server (the embedded proof was made for it).",
        f.access_token,
    );
    let token = c.claims(|t, _| t["aud"] = json!("https://acme.example.org/acme/wire"));
    c.fails(
        &["access_token.aud"],
        "other",
        "aud is another ACME server.",
        token,
    );
    let other = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!0123456789abcdef@wire.example.com";
    let token = c.claims(|t, _| {
        t["sub"] = json!(other);
        t["client_id"] = json!(other);
    });
    c.fails(
        &["access_token.sub"],
        "other-client",
        "sub and client_id name another device than the proof's sub.",
        token,
    );
    let token = c.claims(|t, _| t["client_id"] = json!(other));
    c.fails(
        &["access_token.sub"],
        "client-id-differs",
        "client_id names another device than sub.",
        token,
    );
    let token = c.claims(|t, _| t["chal"] = json!("Zm9yZWlnbi1jaGFsbGVuZ2UtdG9rZW4"));
    c.fails(
        &["access_token.chal"],
        "other",
        "chal is not the proof's (nor the challenge's) token.",
        token,
    );
    let token = c.claims(|t, _| t["nonce"] = json!("b3RoZXItbm9uY2U"));
    c.fails(
        &["access_token.nonce"],
        "other",
        "nonce is not the proof's (nor the one wire-server issued).",
        token,
    );
    let token = c.claims(|t, _| t["scope"] = json!("openid"));
    c.fails(
        &["access_token.scope"],
        "other",
        "scope does not grant wire_client_id.",
        token,
    );
    let token = c.claims(|t, _| {
        t.as_object_mut().map(|t| t.remove("api_version"));
    });
    c.fails(
        &["access_token.api_version"],
        "missing",
        "The token has no api_version.",
        token,
    );
}

fn binding(c: &mut Cases<'_>) {
    let token = c.claims(|t, f| {
        let tp = f.issuer.jwk().thumbprint(f.suite.alg().suite_hash());
        t["cnf"] = json!({ "kid": tp });
    });
    c.fails(
        &["access_token.cnf"],
        "issuer-key",
        "cnf.kid is the thumbprint of wire-server's own key (the 2023 defect): bound to nobody.",
        token,
    );
    let token = c.claims(|t, f| {
        let other = match f.suite.alg().suite_hash() {
            HashAlg::Sha256 => HashAlg::Sha512,
            _ => HashAlg::Sha256,
        };
        t["cnf"] = json!({ "kid": f.client.jwk().thumbprint(other) });
    });
    c.fails(
        &["access_token.cnf"],
        "wrong-hash",
        "cnf.kid is the proof key's thumbprint with another hash than the suite's.",
        token,
    );
    // Without a usable proof the binding cannot be established either.
    let token = c.claims(|t, _| {
        t.as_object_mut().map(|t| t.remove("proof"));
    });
    c.fails(
        &["access_token.proof", "access_token.cnf"],
        "missing",
        "The token embeds no proof, so cnf cannot be checked against a proof key.",
        token,
    );
    let mut f = c.e.flow();
    f.proof_claims["htu"] = json!("https://wire.example.com/clients/9e4ef7e72ec9e5b9/other");
    f.resign();
    // The proof's key and signature are sound: cnf is still bound to that key,
    // so the only failure is the proof's own (its htu), seen from both sides.
    c.fails(
        &["access_token.proof", "dpop.htu"],
        "htu-not-iss",
        "The embedded proof was made for another URL than the token's iss; cnf is still bound to its key.",
        f.access_token,
    );
}
