//! ACME requests (flattened JWS) of the enrolment: new-account with `jwk`,
//! new-order and the challenge POSTs with `kid`.

use crate::case::{reject, Artefact, Case, Expect, Trust};
use crate::enrolment::{flattened, Enrolment, NOW};
use crate::mint::{b64, SigningKey};
use e2ei_verify::report::AcmeProblem::{self, BadSignatureAlgorithm, Malformed, Unauthorized};
use serde_json::{json, Value};

/// One request: where it was sent, by whom, what it says.
#[derive(Clone)]
struct Request {
    url: String,
    new_account: bool,
    header: Value,
    payload: Vec<u8>,
}

impl Request {
    fn sign(&self, key: &SigningKey) -> Vec<u8> {
        flattened(key, &self.header, &self.payload)
    }
}

struct Cases<'e> {
    e: &'e Enrolment,
    out: Vec<Case>,
}

impl Cases<'_> {
    /// Verified as sent to `r.url`: new-account requests are signed by their
    /// own `jwk`, later ones by the pinned account key.
    fn push(&mut self, id: String, why: &str, r: &Request, body: Vec<u8>, expect: Expect) {
        let (expectations, trust) = if r.new_account {
            (json!({"url": r.url, "signer": "new_account"}), Vec::new())
        } else {
            let trust = Trust {
                role: "account_key",
                file: "account_key.jwk",
                content: self.e.account.jwk().canonical_json(),
            };
            let expectations =
                json!({"url": r.url, "signer": "account", "account_url": self.e.account_url()});
            (expectations, vec![trust])
        };
        self.out.push(Case {
            id,
            suite: self.e.suite,
            artefact: Artefact::AcmeRequest,
            input: body,
            verify_at: NOW,
            expectations,
            trust,
            expect,
            why: why.to_owned(),
        });
    }

    fn fails(
        &mut self,
        check: &'static str,
        variant: &str,
        why: &str,
        r: &Request,
        body: Vec<u8>,
        problem: AcmeProblem,
    ) {
        let id = format!("{check}.{variant}");
        self.push(id, why, r, body, reject(&[check], problem));
    }
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let flow = e.flow();
    let new_account = Request {
        url: e.new_account_url(),
        new_account: true,
        header: e.acme_header(&e.new_account_url(), 1, true),
        payload: e.new_account_payload().to_string().into_bytes(),
    };
    let new_order = Request {
        url: e.new_order_url(),
        new_account: false,
        header: e.acme_header(&e.new_order_url(), 2, false),
        payload: e.new_order_payload(&flow).to_string().into_bytes(),
    };
    let dpop_challenge = Request {
        url: flow.aud.clone(),
        new_account: false,
        header: e.acme_header(&flow.aud, 3, false),
        payload: json!({"access_token": flow.access_token})
            .to_string()
            .into_bytes(),
    };
    let oidc_challenge = Request {
        url: e.oidc_challenge_url(),
        new_account: false,
        header: e.acme_header(&e.oidc_challenge_url(), 4, false),
        payload: json!({"id_token": e.id_token(), "keyauth": e.keyauth()})
            .to_string()
            .into_bytes(),
    };
    let mut c = Cases { e, out: Vec::new() };
    for (name, why, r) in [
        (
            "new-account",
            "new-account, signed by the key in its jwk header.",
            &new_account,
        ),
        (
            "new-order",
            "new-order for the device and user identifiers, signed by the account key (kid).",
            &new_order,
        ),
        (
            "dpop-challenge",
            "The wire-dpop-01 challenge POST carrying the access token.",
            &dpop_challenge,
        ),
        (
            "oidc-challenge",
            "The wire-oidc-01 challenge POST carrying the id token and keyauth.",
            &oidc_challenge,
        ),
    ] {
        let body = r.sign(&e.account);
        c.push(
            format!("acme_request.valid-{name}"),
            why,
            r,
            body,
            Expect::Accept,
        );
    }
    format(&mut c, &new_order);
    signature(&mut c, &new_order);
    let body = altered(&dpop_challenge, e, |h| {
        h["url"] = json!(e.oidc_challenge_url())
    });
    c.fails(
        "acme.jws.url",
        "other-challenge",
        "The url header names the other challenge than the one posted to.",
        &dpop_challenge,
        body,
        Unauthorized,
    );
    kid(&mut c, &new_account, &new_order);
    c.out
}

/// `r` with its protected header changed, signed by the account key.
fn altered(r: &Request, e: &Enrolment, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut header = r.header.clone();
    change(&mut header);
    flattened(&e.account, &header, &r.payload)
}

fn format(c: &mut Cases<'_>, r: &Request) {
    let mut body: Value = serde_json::from_slice(&r.sign(&c.e.account)).unwrap_or_default();
    body["header"] = json!({"kid": c.e.account_url()});
    c.fails(
        "acme.jws.format",
        "unprotected-header",
        "The JWS has an unprotected header member, which ACME forbids.",
        r,
        body.to_string().into_bytes(),
        Malformed,
    );
    let protected = r.header.to_string();
    let protected = format!(
        r#"{},"url":"{}"}}"#,
        protected.trim_end_matches('}'),
        c.e.new_account_url()
    );
    let payload = b64(&r.payload);
    let input = format!("{}.{payload}", b64(protected.as_bytes()));
    let signature = b64(&c.e.account.sign(input.as_bytes()));
    let body =
        json!({"protected": b64(protected.as_bytes()), "payload": payload, "signature": signature});
    c.fails(
        "acme.jws.format",
        "duplicate-url",
        "The protected header names url twice, with two different URLs.",
        r,
        body.to_string().into_bytes(),
        Malformed,
    );
    // Another device's identifiers first, then the order's: a server keeping
    // the first member orders a certificate for the other device.
    let payload = String::from_utf8_lossy(&r.payload).into_owned();
    let other = r#"{"identifiers":[{"type":"wireapp-device","value":"another device"}],"#;
    let twice = Request {
        payload: format!("{other}{}", payload.trim_start_matches('{')).into_bytes(),
        ..r.clone()
    };
    c.fails(
        "acme.jws.format",
        "payload-member-twice",
        "The signed new-order payload names identifiers twice: another device's, then this one's.",
        r,
        twice.sign(&c.e.account),
        Malformed,
    );
    let array = Request {
        payload: b"[]".to_vec(),
        ..r.clone()
    };
    c.fails(
        "acme.jws.format",
        "payload-not-object",
        "The signed payload is a JSON array, not the object every ACME request carries.",
        r,
        array.sign(&c.e.account),
        Malformed,
    );
}

fn signature(c: &mut Cases<'_>, r: &Request) {
    let mut body: Value = serde_json::from_slice(&r.sign(&c.e.account)).unwrap_or_default();
    let sig = body["signature"].as_str().unwrap_or_default();
    let mut bytes = e2ei_verify::jose::b64_decode(sig).unwrap_or_default();
    let at = bytes.len() / 4;
    bytes[at] ^= 0x01;
    body["signature"] = json!(b64(&bytes));
    c.fails(
        "acme.jws.signature",
        "corrupted",
        "One bit of the signature is flipped.",
        r,
        body.to_string().into_bytes(),
        Unauthorized,
    );
    let body = flattened(&c.e.rogue, &r.header, &r.payload);
    c.fails(
        "acme.jws.signature",
        "other-key",
        "Signed by another key than the account's, under the account's kid.",
        r,
        body,
        Unauthorized,
    );
    let body = altered(r, c.e, |h| h["alg"] = json!("RS256"));
    c.fails(
        "acme.jws.signature",
        "unsupported-alg",
        "alg is RS256, which no Wire account key uses.",
        r,
        body,
        BadSignatureAlgorithm,
    );
}

fn kid(c: &mut Cases<'_>, new_account: &Request, new_order: &Request) {
    let e = c.e;
    let body = altered(new_order, e, |h| {
        h.as_object_mut().map(|h| h.remove("kid"));
        h["jwk"] = e.account.public_jwk_json();
    });
    c.fails(
        "acme.jws.kid",
        "jwk-after-new-account",
        "new-order carries the account key in jwk; after new-account only kid is allowed.",
        new_order,
        body,
        Malformed,
    );
    let body = altered(new_order, e, |h| {
        h["kid"] = json!(format!("{}-other", e.account_url()))
    });
    c.fails(
        "acme.jws.kid",
        "other-account",
        "kid names another account than the one the key belongs to.",
        new_order,
        body,
        Malformed,
    );
    let body = altered(new_account, e, |h| {
        h.as_object_mut().map(|h| h.remove("jwk"));
        h["kid"] = json!(e.account_url());
    });
    c.fails(
        "acme.jws.kid",
        "new-account-with-kid",
        "new-account names an account by kid instead of carrying its key in jwk.",
        new_account,
        body,
        Malformed,
    );
}
