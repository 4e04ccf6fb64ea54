//! The ACME account a flow's requests are held to: its URL and its key.
//!
//! New-account shows both: its request carries the key (`jwk`), its answer
//! the URL (`location`). A capture may show neither. A client that already
//! had an account sends no new-account (RFC 8555 §7.3.1: renewals reuse it),
//! and a capture may print an answer without its `location`. Skipping every
//! later signature then would let any forged request pass silently, so the
//! requests are still held to one account:
//! - the URL is the first `kid` the requests carry, and every other `kid` must
//!   name it (reported as a `warn`: the server's answer does not show it);
//! - the key is the DPoP proof's, which Wire binds to the account
//!   (`dpop.key_binding`), when at least one request verifies with it. When
//!   none does, the account key stays unknown and the binding fails: the
//!   proof is bound to no account the capture shows.

use super::reconstruct::{AcmeRequest, Flow};
use e2ei_verify::acme::{self, FlattenedMembers, Signer};
use e2ei_verify::jose::{Jwk, PublicKey};
use serde_json::Value;

/// The account URL, and the step of the request whose `kid` gave it when no
/// answer to new-account shows a `location`.
pub(super) struct AccountUrl<'f> {
    pub url: &'f str,
    pub from_kid_at: Option<Option<u32>>,
}

/// The account URL: new-account's `location`, else the first `kid`.
pub(super) fn url<'f>(flow: &'f Flow<'_>) -> Option<AccountUrl<'f>> {
    if let Some(answer) = &flow.account_url {
        return Some(AccountUrl {
            url: answer.value,
            from_kid_at: None,
        });
    }
    flow.acme
        .iter()
        .filter(|r| !r.is_new_account())
        .find_map(|r| {
            let kid = r.jws.header.as_ref()?.get("kid")?.as_str()?;
            Some(AccountUrl {
                url: kid,
                from_kid_at: Some(r.step),
            })
        })
}

/// The members of a request's body, as the library reads them.
pub(super) fn members<'r>(req: &'r AcmeRequest<'_>) -> FlattenedMembers<'r> {
    FlattenedMembers {
        protected: &req.jws.protected,
        payload: &req.jws.payload,
        signature: &req.jws.signature,
    }
}

/// The DPoP proof's key as the account key, when the capture shows no
/// new-account request and at least one ACME request verifies with it under
/// `url`. A proof of another key does not make every request fail its
/// signature: the binding check says what is wrong instead.
pub(super) fn key_from_proof(flow: &Flow<'_>, url: &str) -> Option<PublicKey> {
    if flow.acme.iter().any(AcmeRequest::is_new_account) {
        return None;
    }
    let proof = flow.proof.as_ref()?.value;
    let token = flow.tokens.iter().find(|t| &*t.value.compact == proof)?;
    let jwk: &Value = token.value.header.get("jwk")?;
    let key = Jwk::from_value(jwk).and_then(PublicKey::new).ok()?;
    let signer = Signer::Account { url, key: &key };
    flow.acme
        .iter()
        .any(|r| acme::verify_members(members(r), r.url, signer).is_ok())
        .then_some(key)
}
