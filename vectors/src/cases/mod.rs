//! The cases, per artefact. Each negative case changes one thing of the valid
//! [`Enrolment`] and re-signs everything downstream, so that exactly the check
//! it names fails (or, where the catalogue makes one failure imply another,
//! exactly the set it declares).

mod access_token;
mod acme_request;
mod chain;
mod challenge;
mod csr;
mod dpop;
mod flow;
mod id_token;

use crate::case::Case;
use crate::enrolment::Enrolment;
use crate::mint::{b64, Suite};
use e2ei_verify::jose::b64_decode;
use serde_json::{json, Value};

/// Every case of `suite`, in a fixed order.
pub fn of_suite(suite: Suite) -> Vec<Case> {
    let e = Enrolment::new(suite);
    let mut cases = dpop::cases(&e);
    cases.extend(access_token::cases(&e));
    cases.extend(id_token::cases(&e));
    cases.extend(acme_request::cases(&e));
    cases.extend(chain::cases(&e));
    cases.extend(csr::cases(&e));
    cases.extend(flow::cases(&e));
    cases.extend(challenge::cases(&e));
    cases
}

/// Every case of every suite.
pub fn all() -> Vec<Case> {
    Suite::ALL.into_iter().flat_map(of_suite).collect()
}

/// `token` with one bit of its signature flipped.
fn corrupt_signature(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').expect("a compact JWS");
    let mut sig = b64_decode(sig).expect("base64url signature");
    let at = sig.len() / 4;
    sig[at] ^= 0x01;
    format!("{input}.{}", b64(&sig))
}

/// A compact JWS "signed" with HS256, keyed with the public key's canonical
/// JWK: the algorithm-confusion attack a verifier must refuse outright.
fn hs256(header: &Value, claims: &Value, public_key: &str) -> String {
    use aws_lc_rs::hmac;
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, public_key.as_bytes());
    let tag = hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// The JWS algorithm of the next suite, which never fits this suite's key.
fn mismatched_alg(suite: Suite) -> &'static str {
    let i = Suite::ALL.iter().position(|s| *s == suite).unwrap_or(0);
    Suite::ALL[(i + 1) % Suite::ALL.len()].alg().name()
}

/// A time policy as the descriptor states it.
fn time_policy(p: e2ei_verify::time::TimePolicy) -> Value {
    json!({"max_skew": p.max_skew, "max_age": p.max_age, "max_lifetime": p.max_lifetime})
}
