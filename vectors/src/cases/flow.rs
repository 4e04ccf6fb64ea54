//! Whole enrolments as Markdown transcripts in the format Wire publishes its
//! captures in (`vectors/transcripts/`, 2026-01 era): HTTP blocks, flattened
//! ACME JWS with their decoded views, `Raw:` / `Decoded:` token views, the
//! chain as a JSON string with its PEM blocks. Only the flow auditor can judge
//! the checks that span steps (`acme.nonce.chain`, `dpop.key_binding`,
//! `access_token.delivered`, `transcript.*`), so each of them gets a flow
//! that breaks it alone; everything else in the flow stays valid and signed.
//! So does each identity claim the auditor derives from the other steps (the
//! proof's `aud`, `handle` and `name`, the token's `aud`): a wrong proof claim
//! also fails `access_token.proof`, since the token embeds that proof.
//!
//! The OIDC steps are there as in Wire's captures (2023-11 layout: one
//! authorization offers both challenges): the `wire-oidc-01` challenge whose
//! `target` is the IdP, the OAuth authorization-code exchange with PKCE, and
//! the id token posted to the challenge with its `keyauth`. The id token is the
//! `id_token` cases' token (signed by the suite's IdP key, pinned as a trust
//! file), bound to the flow's own account; each claim the auditor derives from
//! the other steps (`keyauth`, `acme_aud`, `iss`, `name`,
//! `preferred_username`), its signature, its lifetime and its delivery (the
//! token posted is the one the IdP's token endpoint returned) get a flow that
//! breaks it alone.

use super::chain::{client_id_san, DISPLAY_NAME, DOMAIN};
use crate::case::{audit, Artefact, Case, Expect, Trust};
use crate::enrolment::{flattened, Enrolment, ACME, NOW};
use crate::mint::{b64, Flow, SigningKey};
use crate::pki::{csr, LeafSpec, Pki};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// What a flow case changes; the default is the valid enrolment.
#[derive(Default)]
struct Fault {
    /// The ACME account key, when it is not the DPoP key.
    account: Option<SigningKey>,
    /// The finalize request carries this nonce instead of the one issued.
    finalize_nonce: Option<String>,
    /// The token posted to the `wire-dpop-01` challenge, when it is not the
    /// one wire-server issued.
    delivered: Option<String>,
    /// The decoded claims view printed for the DPoP proof, when it is not the
    /// signed claims.
    proof_view: Option<Value>,
    /// A private key printed beside the proof (PEM).
    secret: Option<String>,
    /// The proof and the access token, when they are not the shared flow's
    /// (a claim changed, everything downstream re-signed).
    tokens: Option<Flow>,
    /// The id token the IdP issues and the client posts to `wire-oidc-01`,
    /// when it is not the valid one for the flow's account.
    id_token: Option<String>,
    /// The id token the IdP's token endpoint returns, when it is not the one
    /// the client posts to `wire-oidc-01`.
    returned_id_token: Option<String>,
    /// The `keyauth` member of the `wire-oidc-01` POST, when it is not the
    /// posting account's key authorization.
    posted_keyauth: Option<String>,
    /// The PKCE `code_verifier` sent to the IdP's token endpoint, when it is
    /// not the one whose S256 hash the authorization request carried.
    code_verifier: Option<String>,
}

/// The signed artefacts every flow of a suite shares (certificates are slow
/// to make in debug builds: made once).
struct Shared {
    flow: Flow,
    csr: Vec<u8>,
    chain: String,
    root: String,
}

pub fn cases(e: &Enrolment) -> Vec<Case> {
    let flow = e.flow();
    let seed = format!("conformance/{}", e.suite.name());
    let pki = Pki::new(e.suite, &seed, DOMAIN);
    let san = client_id_san(e);
    let requested = vec![san.clone(), flow.handle.clone()];
    let shared = Shared {
        csr: csr(&flow.client, &requested, DOMAIN, DISPLAY_NAME),
        chain: pki.chain(
            &LeafSpec::new(&[&san, &flow.handle]),
            &flow.client,
            DISPLAY_NAME,
            None,
        ),
        root: pki.root_pem(),
        flow,
    };
    let trust = vec![
        Trust {
            role: "issuer_key",
            file: "issuer_key.jwk",
            content: shared.flow.issuer.jwk().canonical_json(),
        },
        Trust {
            role: "idp_key",
            file: "idp_key.jwk",
            content: e.idp.jwk().canonical_json(),
        },
        Trust {
            role: "trust_anchor",
            file: "root.pem",
            content: shared.root.clone(),
        },
    ];
    let case = |id: &str, why: &str, fault: Fault, expect: Expect| Case {
        id: id.to_owned(),
        suite: e.suite,
        artefact: Artefact::Flow,
        input: transcript(e, &shared, &fault).into_bytes(),
        verify_at: NOW,
        expectations: json!({}),
        trust: trust.clone(),
        expect,
        why: why.to_owned(),
    };
    let mut other_token = shared.flow.clone();
    other_token.token_claims["jti"] = json!("0d6c3ab2-1f4e-4a8b-9c7d-2e5f6a7b8c9d");
    other_token.resign_token();
    let mut shown = shared.flow.proof_claims.clone();
    shown["htu"] = json!(shared
        .flow
        .htu
        .replace("9e4ef7e72ec9e5b9", "0123456789abcdef"));
    let mut cases = vec![
        case(
            "flow.valid",
            "A whole enrolment, every step signed and consistent: the DPoP key is the \
             account key, every nonce was issued, the issued token is the one delivered, \
             the id token is bound to the account and the wire-oidc-01 challenge and \
             names the order's user.",
            Fault::default(),
            audit(&[], &[]),
        ),
        case(
            "acme.nonce.chain.unissued",
            "The finalize request carries a nonce no captured response issued.",
            Fault {
                finalize_nonce: Some(b64(b"never-issued-by-acme")),
                ..Fault::default()
            },
            audit(&["acme.nonce.chain"], &[]),
        ),
        case(
            "dpop.key_binding.other-account",
            "The ACME account key is another key than the one that signs the DPoP proof \
             (the access token is bound to the proof key, so cnf still holds).",
            Fault {
                account: Some(e.account.clone()),
                ..Fault::default()
            },
            audit(&["dpop.key_binding"], &[]),
        ),
        case(
            "access_token.delivered.other-token",
            "The token posted to the challenge is a second token wire-server signed for \
             the same proof (another jti), not the one the capture shows it issuing.",
            Fault {
                delivered: Some(other_token.access_token),
                ..Fault::default()
            },
            audit(&["access_token.delivered"], &[]),
        ),
        case(
            "dpop.aud.flow-other-challenge",
            "The DPoP proof (and so the token that embeds it) names another ACME challenge \
             URL as its audience than the order's wire-dpop-01 challenge.",
            Fault {
                tokens: Some(changed_proof(
                    &shared.flow,
                    "aud",
                    other_challenge(&shared.flow),
                )),
                ..Fault::default()
            },
            audit(&["access_token.proof", "dpop.aud"], &[]),
        ),
        case(
            "dpop.handle.flow-other-user",
            "The DPoP proof (and so the token that embeds it) names another user's handle \
             than the order's.",
            Fault {
                tokens: Some(changed_proof(
                    &shared.flow,
                    "handle",
                    "wireapp://%40mallory@wire.example.com".into(),
                )),
                ..Fault::default()
            },
            audit(&["access_token.proof", "dpop.handle"], &[]),
        ),
        case(
            "dpop.name.flow-other-name",
            "The DPoP proof (and so the token that embeds it) names another display name \
             than the order's.",
            Fault {
                tokens: Some(changed_proof(&shared.flow, "name", "Mallory".into())),
                ..Fault::default()
            },
            audit(&["access_token.proof", "dpop.name"], &[]),
        ),
        case(
            "access_token.aud.flow-other-url",
            "wire-server's access token names another ACME challenge URL as its audience \
             than the one it is posted to.",
            Fault {
                tokens: Some(other_audience(&shared.flow)),
                ..Fault::default()
            },
            audit(&["access_token.aud"], &[]),
        ),
        case(
            "transcript.consistency.proof-view",
            "The decoded claims printed for the DPoP proof show another htu than the \
             signed bytes.",
            Fault {
                proof_view: Some(shown),
                ..Fault::default()
            },
            audit(&["transcript.consistency"], &[]),
        ),
        case(
            "transcript.secrets.private-key",
            "A private key is printed beside the DPoP proof: nothing fails, the auditor \
             warns.",
            Fault {
                secret: Some(printed_key(e)),
                ..Fault::default()
            },
            audit(&[], &["transcript.secrets"]),
        ),
    ];
    cases.extend(oidc_cases(e, &shared, &case));
    cases
}

/// One flow per `oidc.*` check the auditor derives from the other steps, each
/// with an id token (re-signed by the IdP unless the key is the fault) that
/// breaks that check alone.
fn oidc_cases(
    e: &Enrolment,
    shared: &Shared,
    case: &dyn Fn(&str, &str, Fault, Expect) -> Case,
) -> Vec<Case> {
    let client = &shared.flow.client;
    let forged = |change: &dyn Fn(&mut Value)| Some(id_token(e, client, &e.idp, change));
    let oidc = |check: &'static str, variant: &str, why: &str, token: Option<String>| {
        case(
            &format!("{check}.{variant}"),
            why,
            Fault {
                id_token: token,
                ..Fault::default()
            },
            audit(&[check], &[]),
        )
    };
    vec![
        oidc(
            "oidc.keyauth",
            "flow-other-account",
            "The id token posted to wire-oidc-01 carries the key authorization of another \
             ACME account (its thumbprint) than the one that posts it.",
            forged(&|t| t["keyauth"] = json!(oidc_keyauth(e, &e.rogue))),
        ),
        case(
            "oidc.keyauth.flow-posted-other-account",
            "The id token is valid, but the keyauth member beside it in the wire-oidc-01 \
             POST is another ACME account's key authorization.",
            Fault {
                posted_keyauth: Some(oidc_keyauth(e, &e.rogue)),
                ..Fault::default()
            },
            audit(&["oidc.keyauth"], &[]),
        ),
        oidc(
            "oidc.acme_aud",
            "flow-dpop-challenge",
            "The id token's acme_aud is the order's wire-dpop-01 challenge URL, not the \
             wire-oidc-01 challenge it is posted to.",
            forged(&|t| t["acme_aud"] = json!(shared.flow.aud)),
        ),
        oidc(
            "oidc.preferred_username",
            "flow-other-user",
            "The id token's preferred_username is another user's handle@domain than the \
             order's.",
            forged(&|t| t["preferred_username"] = json!("mallory@wire.example.com")),
        ),
        oidc(
            "oidc.name",
            "flow-other-name",
            "The id token's name is another display name than the order's.",
            forged(&|t| t["name"] = json!("Mallory")),
        ),
        oidc(
            "oidc.iss",
            "flow-other-idp",
            "The id token's iss is another IdP than the wire-oidc-01 challenge's target.",
            forged(&|t| t["iss"] = json!("https://idp.example.org/realms/wire")),
        ),
        case(
            "oidc.pkce.flow-other-verifier",
            "The client redeems the authorization code with another PKCE code_verifier \
             than the one whose S256 hash its authorization request carried: the code \
             was not bound to this client's login.",
            Fault {
                code_verifier: Some(b64(b"another-code-verifier-of-43-characters-or-more")),
                ..Fault::default()
            },
            audit(&["oidc.pkce"], &[]),
        ),
        case(
            "oidc.delivered.flow-other-returned",
            "The id token posted to wire-oidc-01 is valid and bound to the flow, but the \
             IdP's token endpoint returned another one (another login's nonce): the \
             client posted a token this login did not obtain.",
            Fault {
                returned_id_token: forged(&|t| t["nonce"] = json!("YW5vdGhlci1sb2dpbg")),
                ..Fault::default()
            },
            audit(&["oidc.delivered"], &[]),
        ),
        oidc(
            "oidc.nonce",
            "flow-other-login",
            "The id token's nonce is not the nonce of the client's OAuth authorization \
             request: a token the IdP issued for another login, replayed into this one.",
            forged(&|t| t["nonce"] = json!("b3RoZXItbG9naW4tbm9uY2U")),
        ),
        oidc(
            "oidc.signature",
            "flow-other-key",
            "The id token is signed by another key than the pinned IdP key.",
            Some(id_token(e, client, &e.rogue, &|_| {})),
        ),
        oidc(
            "oidc.time",
            "flow-expired",
            "The id token the IdP issued expired an hour before the flow.",
            forged(&|t| {
                t["iat"] = json!(NOW - 7200);
                t["exp"] = json!(NOW - 3600);
            }),
        ),
    ]
}

/// The flow's id token: the `id_token` cases' claims with `keyauth` binding
/// `account` (the flow's ACME account key), then `change`, signed by `idp`.
fn id_token(
    e: &Enrolment,
    account: &SigningKey,
    idp: &SigningKey,
    change: &dyn Fn(&mut Value),
) -> String {
    let mut claims = e.id_token_claims();
    claims["keyauth"] = json!(oidc_keyauth(e, account));
    change(&mut claims);
    idp.compact(&e.id_token_header(), &claims)
}

/// RFC 8555 §8.1's key authorization for the flow's `wire-oidc-01`
/// challenge: its token, a dot, the account key's SHA-256 thumbprint.
fn oidc_keyauth(e: &Enrolment, account: &SigningKey) -> String {
    crate::enrolment::keyauth(e.oidc_chal(), account)
}

/// Another challenge URL of the same ACME server (another challenge id).
fn other_challenge(f: &Flow) -> String {
    f.aud
        .replace("RNPuq3ItJAva2y1ugBQ5YRUghLBsp7ex", "b3RoZXItY2hhbGxlbmdl")
}

/// The flow with one proof claim changed: the proof is re-signed and the
/// access token rebuilt around it, so only that claim is wrong.
fn changed_proof(f: &Flow, claim: &str, value: String) -> Flow {
    let mut f = f.clone();
    f.proof_claims[claim] = json!(value);
    f.resign();
    f
}

/// The flow with an access token whose `aud` is another challenge URL
/// (re-signed by wire-server; the proof is unchanged).
fn other_audience(f: &Flow) -> Flow {
    let mut f = f.clone();
    f.token_claims["aud"] = json!(other_challenge(&f));
    f.resign_token();
    f
}

/// An Ed25519 PKCS#8 private key (RFC 8410) whose seed is derived from the
/// suite: a key of nobody, printed as a careless capture tool would.
fn printed_key(e: &Enrolment) -> String {
    let seed = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("conformance/{}/printed", e.suite.name()).as_bytes(),
    );
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed.as_ref());
    crate::pki::pem("PRIVATE KEY", &der)
}

/// The transcript writer: numbered steps, and the ACME nonce each response
/// issues and the next request uses.
struct Md<'a> {
    out: String,
    step: u32,
    issued: u32,
    nonce: String,
    suite: &'a str,
    account: &'a SigningKey,
}

impl Md<'_> {
    fn group(&mut self, title: &str) {
        let _ = write!(self.out, "### {title}\n\n");
    }

    fn step(&mut self, title: &str) {
        self.step += 1;
        let _ = write!(self.out, "#### {}. {title}\n\n", self.step);
    }

    fn prose(&mut self, text: &str) {
        let _ = write!(self.out, "{text}\n\n");
    }

    fn block(&mut self, lang: &str, body: &str) {
        let _ = write!(self.out, "```{lang}\n{body}\n```\n\n");
    }

    fn json(&mut self, value: &Value) {
        let body = serde_json::to_string_pretty(value).expect("JSON");
        self.block("json", &body);
    }

    /// A response; ACME responses issue the next nonce.
    fn response(&mut self, status: u16, headers: &[(&str, &str)], acme: bool) {
        let mut text = status.to_string();
        for (name, value) in headers {
            let _ = write!(text, "\n{name}: {value}");
        }
        if acme {
            self.issued += 1;
            self.nonce = b64(format!("{}-acme-nonce-{}", self.suite, self.issued).as_bytes());
            let _ = write!(text, "\nreplay-nonce: {}", self.nonce);
        }
        self.block("http request", &text);
    }

    /// An ACME POST to `url` with the current nonce (or `nonce`), signed by
    /// the account key (`jwk` on new-account, `kid` afterwards), and its
    /// decoded view. `payload` `None`: POST-as-GET.
    fn acme_post(&mut self, url: &str, payload: Option<&Value>, nonce: Option<&str>) {
        let template = url.replacen(ACME, "/acme/{acme-provisioner}", 1);
        self.block(
            "http request",
            &format!("POST {url}\n                                {template}\ncontent-type: application/jose+json"),
        );
        let mut header = json!({
            "alg": self.account.suite().alg().name(),
            "nonce": nonce.unwrap_or(&self.nonce),
            "typ": "JWT",
            "url": url,
        });
        if url.ends_with("/new-account") {
            header["jwk"] = self.account.public_jwk_json();
        } else {
            header["kid"] = json!(account_url(self.suite));
        }
        let bytes = payload.map(Value::to_string).unwrap_or_default();
        let body: Value =
            serde_json::from_slice(&flattened(self.account, &header, bytes.as_bytes()))
                .expect("JSON");
        self.json(&body);
        self.json(&json!({"payload": payload.cloned().unwrap_or(json!({})), "protected": header}));
    }

    /// A compact JWS as the captures print it: `Raw:` (64 columns), then the
    /// decoded header and claims.
    fn token(&mut self, jws: &str, claims_view: Option<&Value>) {
        self.prose("Raw:");
        let lines: Vec<&str> = jws
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ASCII"))
            .collect();
        self.block("text", &lines.join("\n"));
        self.prose("Decoded:");
        let mut parts = jws.split('.').map(|p| {
            let bytes = e2ei_verify::jose::b64_decode(p).expect("base64url");
            serde_json::from_slice::<Value>(&bytes).expect("JSON")
        });
        let header = parts.next().expect("header");
        let claims = parts.next().expect("claims");
        self.json(&header);
        self.json(claims_view.unwrap_or(&claims));
    }
}

fn account_url(suite: &str) -> String {
    format!("{ACME}/account/{suite}")
}

/// The whole transcript of one flow.
fn transcript(e: &Enrolment, s: &Shared, fault: &Fault) -> String {
    let f = fault.tokens.as_ref().unwrap_or(&s.flow);
    let suite = e.suite.name();
    let mut md = Md {
        out: String::new(),
        step: 0,
        issued: 0,
        nonce: String::new(),
        suite,
        account: fault.account.as_ref().unwrap_or(&f.client),
    };
    md.out.push_str("# Wire end to end identity example\n\n");
    md.prose(&format!(
        "Generated by the e2ei-verify conformance vectors (`vectors/src/cases/flow.rs`), \
         suite {suite}. Every key derives from a public seed: nothing here is secret."
    ));
    md.prose(suite_line(e));
    acme_setup(&mut md, e, f);
    wire_server(&mut md, f, fault);
    delivery(&mut md, f, fault);
    let account = md.account;
    let token = fault
        .id_token
        .clone()
        .unwrap_or_else(|| id_token(e, account, &e.idp, &|_| {}));
    let returned = fault.returned_id_token.as_deref().unwrap_or(&token);
    oauth(&mut md, e, returned, fault.code_verifier.as_deref());
    let keyauth = fault
        .posted_keyauth
        .clone()
        .unwrap_or_else(|| oidc_keyauth(e, account));
    oidc_challenge(&mut md, e, &token, &keyauth);
    certificate(&mut md, s, fault);
    md.out.truncate(md.out.trim_end().len());
    md.out.push('\n');
    md.out
}

fn suite_line(e: &Enrolment) -> &'static str {
    match e.suite {
        crate::mint::Suite::Ed25519 => "Ed25519 - SHA256",
        crate::mint::Suite::P256 => "P256 - SHA256",
        crate::mint::Suite::P384 => "P384 - SHA384",
        crate::mint::Suite::P521 => "P521 - SHA512",
    }
}

fn order_url() -> String {
    format!("{ACME}/order/conformance")
}

fn authz_url() -> String {
    format!("{ACME}/authz/oJt5oJAsPPlkT2Xi6S0TqQGnVXc0yNMI")
}

/// Nonce, account, order, authorization with its `wire-dpop-01` challenge.
fn acme_setup(md: &mut Md<'_>, e: &Enrolment, f: &Flow) {
    md.group("Initial setup with ACME server");
    md.step("fetch a new nonce for the very first request");
    md.block("http request", &format!("HEAD {ACME}/new-nonce"));
    md.step("get a nonce for creating an account");
    md.response(200, &[("cache-control", "no-store")], true);
    md.step("create a new account");
    md.acme_post(&e.new_account_url(), Some(&e.new_account_payload()), None);
    md.step("account created");
    let account = account_url(md.suite);
    md.response(201, &[("location", &account)], true);
    md.json(&json!({"status": "valid", "orders": format!("{account}/orders")}));
    md.group("Request a certificate with relevant identifiers");
    md.step("create a new order");
    let order = e.new_order_payload(f);
    md.acme_post(&e.new_order_url(), Some(&order), None);
    md.step("get new order with authorization URLS and finalize URL");
    md.response(201, &[("location", &order_url())], true);
    md.json(&json!({
        "status": "pending", "finalize": format!("{}/finalize", order_url()),
        "identifiers": order["identifiers"], "authorizations": [authz_url()],
    }));
    md.step("create authorization and fetch challenges");
    md.acme_post(&authz_url(), None, None);
    md.step("get back challenges");
    md.response(200, &[("location", &authz_url())], true);
    md.json(&json!({
        "status": "pending",
        "challenges": [{
            "type": "wire-dpop-01", "url": f.aud, "status": "pending",
            "token": f.chal, "target": f.htu,
        }, {
            "type": "wire-oidc-01", "url": e.oidc_challenge_url(), "status": "pending",
            "token": e.oidc_chal(), "target": e.idp_iss(),
        }],
        "identifier": order["identifiers"][1],
    }));
}

/// The wire-server nonce, the proof, the access token.
fn wire_server(md: &mut Md<'_>, f: &Flow, fault: &Fault) {
    md.group("Client fetches JWT DPoP access token (with wire-server)");
    md.step("fetch a nonce from wire-server");
    let nonce_url = f.htu.replace("/access-token", "/nonce");
    md.block("http request", &format!("GET {nonce_url}"));
    md.step("get wire-server nonce");
    md.response(200, &[], false);
    md.block("text", &f.nonce);
    md.step("create client DPoP token");
    md.token(&f.dpop, fault.proof_view.as_ref());
    if let Some(secret) = &fault.secret {
        md.prose("Client private key:");
        md.block("text", secret);
    }
    md.step("trade client DPoP token for an access token");
    md.block(
        "http request",
        &format!(
            "POST {}\n                                /clients/{{device-id}}/access-token\ndpop: {}",
            f.htu, f.dpop
        ),
    );
    md.step("get a Dpop access token from wire-server");
    md.response(200, &[], false);
    md.json(&json!({"expires_in": 3960, "token": f.access_token, "type": "DPoP"}));
    md.token(&f.access_token, None);
}

/// The access token posted to the `wire-dpop-01` challenge.
fn delivery(md: &mut Md<'_>, f: &Flow, fault: &Fault) {
    md.group("Client provides access token");
    md.step("validate Dpop challenge (clientId)");
    let token = fault.delivered.as_deref().unwrap_or(&f.access_token);
    md.acme_post(&f.aud, Some(&json!({ "access_token": token })), None);
    md.step("DPoP challenge is valid");
    md.response(200, &[("location", &f.aud)], true);
    md.json(&json!({
        "type": "wire-dpop-01", "url": f.aud, "status": "valid",
        "token": f.chal, "target": f.htu,
    }));
}

/// The OAuth authorization-code exchange with PKCE at the IdP (the challenge's
/// `target`), which returns `id_token`. Every value derives from the suite's
/// name.
fn oauth(md: &mut Md<'_>, e: &Enrolment, id_token: &str, sent_verifier: Option<&str>) {
    let idp = e.idp_iss();
    let digest =
        |s: &str| b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes()).as_ref());
    let verifier = digest(&format!("conformance/{}/pkce", md.suite));
    let challenge = digest(&verifier);
    let state = b64(format!("{}-state", md.suite).as_bytes());
    let code = b64(format!("{}-authorization-code", md.suite).as_bytes());
    let redirect = "https%3A%2F%2Fwire.example.com%2Fcallback";
    let client = e.oauth_client();
    md.group("Authenticate end user using OIDC Authorization Code with PKCE flow");
    md.step("OAUTH authorization request");
    md.block(
        "text",
        &format!("code_verifier={verifier}&code_challenge={challenge}"),
    );
    md.step("OAUTH authorization request (auth code endpoint)");
    md.block(
        "http request",
        &format!(
            "GET {idp}/protocol/openid-connect/auth?response_type=code&client_id={client}\
             &state={state}&code_challenge={challenge}&code_challenge_method=S256\
             &redirect_uri={redirect}&scope=openid+profile&nonce={}",
            e.id_token_claims()["nonce"].as_str().unwrap_or_default()
        ),
    );
    md.step("OAUTH authorization code");
    md.response(
        302,
        &[(
            "location",
            &format!("https://wire.example.com/callback?code={code}&state={state}"),
        )],
        false,
    );
    md.step("OAUTH authorization code + verifier (token endpoint)");
    md.block(
        "http request",
        &format!(
            "POST {idp}/protocol/openid-connect/token\naccept: application/json\n\
             content-type: application/x-www-form-urlencoded"
        ),
    );
    md.block(
        "text",
        &format!(
            "grant_type=authorization_code&code={code}&code_verifier={}\
             &redirect_uri={redirect}&client_id={client}",
            sent_verifier.unwrap_or(&verifier)
        ),
    );
    md.step("OAUTH access token");
    md.response(200, &[("content-type", "application/json")], false);
    md.json(&json!({
        "access_token": b64(format!("{}-idp-access-token", md.suite).as_bytes()),
        "expires_in": 300, "id_token": id_token, "token_type": "Bearer",
    }));
}

/// `id_token` (with its views) posted to the `wire-oidc-01` challenge with the
/// client's own `keyauth`, and the challenge's answer.
fn oidc_challenge(md: &mut Md<'_>, e: &Enrolment, id_token: &str, keyauth: &str) {
    md.step("validate oidc challenge (userId + displayName)");
    md.prose("Id token:");
    md.token(id_token, None);
    let url = e.oidc_challenge_url();
    let payload = json!({ "id_token": id_token, "keyauth": keyauth });
    md.acme_post(&url, Some(&payload), None);
    md.step("OIDC challenge is valid");
    md.response(200, &[("location", &url)], true);
    md.json(&json!({
        "type": "wire-oidc-01", "url": url, "status": "valid",
        "token": e.oidc_chal(), "target": e.idp_iss(),
    }));
}

/// Finalize with the CSR, then the chain.
fn certificate(md: &mut Md<'_>, s: &Shared, fault: &Fault) {
    md.group("Client presents a CSR and gets its certificate");
    md.step("create a CSR and call finalize url");
    let finalize = format!("{}/finalize", order_url());
    let payload = json!({ "csr": b64(&s.csr) });
    md.acme_post(&finalize, Some(&payload), fault.finalize_nonce.as_deref());
    md.step("get back a url for fetching the certificate");
    let certificate_url = format!("{ACME}/certificate/conformance");
    md.response(200, &[("location", &order_url())], true);
    md.json(&json!({"certificate": certificate_url, "status": "valid"}));
    md.step("fetch the certificate");
    md.acme_post(&certificate_url, None, None);
    md.step("get the certificate chain");
    md.response(
        200,
        &[("content-type", "application/pem-certificate-chain")],
        true,
    );
    md.json(&json!(s.chain));
    for (i, pem) in s.chain.split("\n-----BEGIN").enumerate() {
        let pem = if i == 0 {
            pem.to_owned()
        } else {
            format!("-----BEGIN{pem}")
        };
        let _ = write!(md.out, "###### Certificate #{}\n\n", i + 1);
        md.block("", &pem);
    }
}
