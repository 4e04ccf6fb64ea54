//! One complete, valid enrolment per suite, with everything fixed: the account
//! key, the ACME requests, the wire-server exchange (via [`Flow`]) and the OIDC
//! id token. Every conformance case is this enrolment with one thing changed.

use crate::mint::{b64, Flow, SigningKey, Suite};
use serde_json::{json, Value};

/// The verification time of every case that does not say otherwise
/// (2026-01-15T07:40:54Z, the capture time of Wire's 2026 transcript).
pub const NOW: u64 = 1_768_462_854;

/// The ACME server's base URL.
pub const ACME: &str = "https://acme.example.com/acme/wire";

/// The authorization the two challenges belong to.
const AUTHZ: &str = "oJt5oJAsPPlkT2Xi6S0TqQGnVXc0yNMI";

/// The keys and fixed values of one suite's enrolment.
pub struct Enrolment {
    /// The suite.
    pub suite: Suite,
    /// The ACME account key.
    pub account: SigningKey,
    /// The IdP's signing key (of the suite's type: the cases need no RSA).
    pub idp: SigningKey,
    /// A key nobody trusts, for forged signatures.
    pub rogue: SigningKey,
    /// The valid wire-server exchange, made once (signing is slow in debug
    /// builds) and cloned by [`Enrolment::flow`].
    flow: Flow,
}

impl Enrolment {
    /// The enrolment of `suite`, keys derived from `conformance/<suite>`.
    pub fn new(suite: Suite) -> Self {
        let seed = Self::seed_of(suite);
        Enrolment {
            suite,
            account: SigningKey::from_seed(suite, &format!("{seed}/account")),
            idp: SigningKey::from_seed(suite, &format!("{seed}/idp")),
            rogue: SigningKey::from_seed(suite, &format!("{seed}/rogue")),
            flow: Flow::new(suite, &seed, NOW),
        }
    }

    fn seed_of(suite: Suite) -> String {
        format!("conformance/{}", suite.name())
    }

    /// A fresh valid wire-server exchange (DPoP proof and access token) at
    /// [`NOW`]; callers change it and re-sign.
    pub fn flow(&self) -> Flow {
        self.flow.clone()
    }

    /// The account URL (`kid` of every request after new-account).
    pub fn account_url(&self) -> String {
        format!("{ACME}/account/{}", self.suite.name())
    }

    /// The new-account URL.
    pub fn new_account_url(&self) -> String {
        format!("{ACME}/new-account")
    }

    /// The new-order URL.
    pub fn new_order_url(&self) -> String {
        format!("{ACME}/new-order")
    }

    /// The `wire-oidc-01` challenge token.
    pub fn oidc_chal(&self) -> &'static str {
        "YIYEFjs0LpfU6uYSNPROTI95zWJ0zLTb"
    }

    /// The `wire-oidc-01` challenge URL (`acme_aud` of the id token).
    pub fn oidc_challenge_url(&self) -> String {
        format!("{ACME}/challenge/{AUTHZ}/{}", self.oidc_chal())
    }

    /// RFC 8555 §8.1 key authorization of the OIDC challenge: the token, a
    /// dot, the SHA-256 thumbprint of the account key.
    pub fn keyauth(&self) -> String {
        keyauth(self.oidc_chal(), &self.account)
    }

    /// The IdP issuer.
    pub fn idp_iss(&self) -> &'static str {
        "https://idp.example.com/realms/wire"
    }

    /// The OAuth client id (the id token's audience).
    pub fn oauth_client(&self) -> &'static str {
        "wireapp"
    }

    /// `preferred_username` as the IdP gives it.
    pub fn preferred_username(&self) -> &'static str {
        "alice_wire@wire.example.com"
    }

    /// The claims of a valid id token.
    pub fn id_token_claims(&self) -> Value {
        json!({
            "iss": self.idp_iss(), "sub": "f3c1e6a2-7d2b-4b8e-9a51-2c0d6e1f4a77",
            "aud": self.oauth_client(), "iat": NOW, "exp": NOW + 3600,
            "nonce": "zA7hXb3r9Qk", "keyauth": self.keyauth(),
            "acme_aud": self.oidc_challenge_url(), "name": "Alice Smith",
            "preferred_username": self.preferred_username(),
        })
    }

    /// The header of a valid id token.
    pub fn id_token_header(&self) -> Value {
        json!({"alg": self.suite.alg().name(), "typ": "JWT", "kid": "idp-1"})
    }

    /// The valid id token.
    pub fn id_token(&self) -> String {
        self.idp
            .compact(&self.id_token_header(), &self.id_token_claims())
    }

    /// A protected header for a request to `url` with ACME nonce number `n`:
    /// `jwk` on new-account, `kid` afterwards.
    pub fn acme_header(&self, url: &str, n: u8, new_account: bool) -> Value {
        let mut h = json!({
            "alg": self.suite.alg().name(),
            "nonce": format!("YWNtZS1ub25jZS0{n}"),
            "url": url,
        });
        if new_account {
            h["jwk"] = self.account.public_jwk_json();
        } else {
            h["kid"] = Value::String(self.account_url());
        }
        h
    }

    /// The new-account request body.
    pub fn new_account_payload(&self) -> Value {
        json!({"termsOfServiceAgreed": true, "contact": ["anonymous@anonymous.invalid"]})
    }

    /// The new-order request body: the device and user identifiers.
    pub fn new_order_payload(&self, flow: &Flow) -> Value {
        let device = json!({
            "client-id": flow.client_id, "handle": flow.handle,
            "name": "Alice Smith", "domain": "wire.example.com",
        });
        let user =
            json!({"handle": flow.handle, "name": "Alice Smith", "domain": "wire.example.com"});
        json!({"identifiers": [
            {"type": "wireapp-user", "value": user.to_string()},
            {"type": "wireapp-device", "value": device.to_string()},
        ]})
    }
}

/// `token.thumbprint` with the SHA-256 thumbprint of `account` (RFC 8555 §8.1).
pub fn keyauth(token: &str, account: &SigningKey) -> String {
    let thumbprint = account.jwk().thumbprint(e2ei_verify::jose::HashAlg::Sha256);
    format!("{token}.{thumbprint}")
}

/// A flattened JSON JWS (RFC 7515 §7.2.2) of `header` and `payload`, as ACME
/// requests are sent.
pub fn flattened(key: &SigningKey, header: &Value, payload: &[u8]) -> Vec<u8> {
    let protected = b64(header.to_string().as_bytes());
    let payload = b64(payload);
    let signature = b64(&key.sign(format!("{protected}.{payload}").as_bytes()));
    let body = json!({"protected": protected, "payload": payload, "signature": signature});
    body.to_string().into_bytes()
}
