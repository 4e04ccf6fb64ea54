//! Cross-step checks of one flow: each artefact is verified with what the
//! *other* steps say it must be (the proof's `htu` is the access-token request,
//! its `nonce` what wire-server issued, its `chal` the ACME challenge token …),
//! which no single-artefact command can do.

use super::account;
use super::reconstruct::{
    path_ends_with, AcmeRequest, At, Challenge, EarlierLogin, Flow, NonceEvent, OrderAnswer,
    PostBody,
};
use super::report::FlowCheck;
use super::segments::Segments;
use super::Trust;
use crate::transcript::members::{object_members_str, Str};
use crate::transcript::Token;
use crate::transcript::TokenSource;
use base64::Engine;
use e2ei_verify::access_token::{self, IssuerTrust};
use e2ei_verify::acme::{self, NonceLedger, Signer};
use e2ei_verify::dpop::{self, Kept, VerifiedProof};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::SignatureMemo;
use e2ei_verify::jose::{public_key_from_spki_der, HashAlg, Jwk, PublicKey};
use e2ei_verify::oidc;
use e2ei_verify::report::{concat, Check, Report, Status};
use e2ei_verify::time::{numeric_date_of, TimePolicy, UnixTime};
use e2ei_verify::url;
use serde_json::Value;
use std::collections::HashMap;

/// Where checks of one flow go, each at its step.
pub struct Out {
    pub checks: Vec<FlowCheck>,
    /// Tokens already verified: a token shown twice is judged once. A flow has
    /// a handful, each a kilobyte or so: comparing lengths then bytes costs
    /// less than hashing every byte of each token looked up.
    audited: Vec<String>,
    /// Signatures already verified: the proof embedded in the access token is
    /// the standalone proof, and its signature is checked once.
    signatures: SignatureMemo,
    /// Thumbprints taken, by key and hash: the account key's is taken for
    /// `dpop.key_binding` and again for the key authorization of `oidc.*`,
    /// and hashing a key costs as much as a hundred lookups.
    thumbprints: Vec<(Jwk, HashAlg, String)>,
}

impl Default for Out {
    /// Room for the checks of a whole flow (about a hundred), so that the
    /// list is not moved as it grows.
    fn default() -> Self {
        Out {
            checks: Vec::with_capacity(128),
            audited: Vec::new(),
            signatures: SignatureMemo::default(),
            thumbprints: Vec::new(),
        }
    }
}

impl Out {
    fn push(&mut self, check: Check, step: Option<u32>) {
        self.checks.push(FlowCheck::at(check, step));
    }

    fn report(&mut self, report: Report, step: Option<u32>) {
        for c in report.checks {
            self.push(c, step);
        }
    }

    fn record(&mut self, id: &'static str, status: Status, msg: String, step: Option<u32>) {
        self.push(Check::new(id, status, msg), step);
    }

    /// A failure that says what was expected and what the capture holds.
    fn mismatch(
        &mut self,
        id: &'static str,
        msg: &str,
        expected: String,
        found: String,
        step: Option<u32>,
    ) {
        let mut c = Check::new(id, Status::Fail, msg);
        c.expected = Some(expected);
        c.found = Some(found);
        self.push(c, step);
    }

    /// `key`'s RFC 7638 thumbprint with `hash`, taken once per flow.
    fn thumbprint(&mut self, key: &Jwk, hash: HashAlg) -> String {
        let known = self
            .thumbprints
            .iter()
            .find(|(k, h, _)| *h == hash && k == key);
        if let Some((_, _, thumbprint)) = known {
            return thumbprint.clone();
        }
        let thumbprint = key.thumbprint(hash);
        self.thumbprints
            .push((key.clone(), hash, thumbprint.clone()));
        thumbprint
    }

    /// True the first time `token` is seen.
    fn first_time(&mut self, token: &str) -> bool {
        let first = !self.audited.iter().any(|t| t == token);
        if first {
            self.audited.push(token.to_owned());
        }
        first
    }
}

/// Runs every check of `flow` as of `at`.
pub fn run(flow: &mut Flow<'_>, at: UnixTime, trust: &Trust) -> Vec<FlowCheck> {
    let mut out = Out::default();
    let AccountKey {
        key: account_key,
        from_proof,
    } = acme_requests(flow, &mut out);
    unsigned_posts(flow, &mut out);
    unsigned_order(flow, &mut out);
    let flow = &*flow;
    let mut segments = Segments::default();
    if let Some(account) = &account_key {
        account_of_the_sections_suite(flow, account, &mut out.checks);
    }
    not_replayed(flow, &mut out);
    nonce_chain(flow, &mut out);
    let mut order = Order::read(flow);
    let from_url = match order.client_id {
        Some(_) => None,
        None => url_client_id(flow, &mut segments),
    };
    order.client_id = order.client_id.take().or(from_url.clone());
    let first = out.checks.len();
    let proof = dpop_proof(flow, at, &order, &mut out);
    key_binding(
        flow,
        account_key.as_ref(),
        from_proof,
        proof.as_ref(),
        &mut out,
    );
    access_token(flow, at, trust, &order, &mut segments, &mut out);
    if let Some(expected) = &from_url {
        device_only(expected, &mut out.checks[first..]);
    }
    if let Some(proof) = &proof {
        of_the_sections_suite(flow, proof, &mut out.checks[first..]);
    }
    traded_in_time(flow, at, &mut segments, &mut out.checks[first..]);
    nonce_before_proof(flow, &mut out.checks[first..]);
    traded_where_named(flow, &mut segments, &mut out.checks[first..]);
    delivered(flow, &mut out);
    answered_challenges(flow, &mut out);
    answered_order(flow, &mut out);
    order_followed(flow, &mut out);
    super::answers::checks(flow, &mut segments, &mut out.checks);
    refused(flow, &mut out);
    repeated_members(flow, &mut out);
    id_token_delivered(flow, &mut out);
    let account = account_key.as_ref();
    oidc(flow, &order, trust, account, at, &mut segments, &mut out);
    dated_in_order(flow, &mut segments, &mut out.checks[first..]);
    super::pkce::check(flow, &mut out.checks);
    oauth_repeats(flow, &mut out.checks);
    super::certificate::checks(flow, at, trust, &mut out.checks);
    acme_side_read(flow, &mut out);
    super::consistency::checks(flow, &mut segments, &mut out.checks);
    shown_proof_sent(flow, &mut out);
    unread_dpop_headers(flow, &mut out);
    one_dpop_header(flow, &mut out);
    secrets(flow, &mut out);
    out.checks
}

/// A new-order request whose signature does not verify names no order: its
/// payload is anyone's. The order's identities are then the ones the ACME
/// server answered with (none when the capture shows no answer), so that the
/// proof, token, CSR and leaf are held to the order that was made, and the
/// forged request is reported once, by `acme.jws.signature`.
fn unsigned_order(flow: &mut Flow<'_>, out: &mut Out) {
    let Some(request) = flow
        .acme
        .iter()
        .find(|r| path_ends_with(r.url, "new-order"))
    else {
        return;
    };
    let failed = out.checks.iter_mut().find(|c| {
        c.id == "acme.jws.signature" && c.status == Status::Fail && c.step == request.step
    });
    let Some(failed) = failed else {
        return;
    };
    let answer = flow.answered_identifiers.as_ref();
    failed.message = match answer {
        Some(a) => format!(
            "{}; the new-order payload is not trusted: the order's identities are the ones the ACME server answered at step {}",
            failed.message,
            shown_step(a.step)
        ),
        None => format!(
            "{}; the new-order payload is not trusted, and no answer shows the order made: no identity is expected",
            failed.message
        ),
    };
    flow.identifiers = answer.map(|a| a.value.clone()).unwrap_or_default();
}

/// `acme.jws.*` for every ACME request; returns the account key.
/// `acme.jws.format`: an ACME POST whose body the capture shows as JSON that
/// is not a JWS at all (an unsigned `{"csr": …}`), or as a JSON block that
/// does not parse (the request cannot be read, so it fails closed). Every ACME POST is a JWS
/// signed by the account key (RFC 8555 §6.2); a server refuses an unsigned
/// one, so a capture that shows it answered contradicts itself, and nothing
/// it carries can be held to the account.
fn unsigned_posts(flow: &Flow<'_>, out: &mut Out) {
    for p in &flow.unsigned_posts {
        let (url, body) = p.value;
        let message = match body {
            PostBody::Json => format!(
                "the POST to {url} carries a JSON body that is not a JWS: an ACME server refuses an unsigned request (RFC 8555 §6.2), and nothing in it is signed by the account"
            ),
            PostBody::NotJson => format!(
                "the POST to {url} carries a body that is not valid JSON (cut short?): the request cannot be read, so nothing in it can be verified"
            ),
            PostBody::Text => format!(
                "the POST to {url} carries a text body, not a JWS in flattened JSON: an ACME server refuses it (RFC 8555 §6.2), and nothing in it is verified as signed by the account"
            ),
            PostBody::Missing => format!(
                "the capture shows no body for the POST to {url}: every ACME POST is a JWS signed by the account (RFC 8555 §6.2), so nothing shows the account made this request"
            ),
        };
        out.record("acme.jws.format", Status::Fail, message, p.step);
    }
}

/// The account key the ACME requests were held to, and whether it is the
/// DPoP proof's (the capture shows no new-account request).
struct AccountKey {
    key: Option<PublicKey>,
    from_proof: bool,
}

fn acme_requests(flow: &Flow<'_>, out: &mut Out) -> AccountKey {
    let url = account::url(flow);
    let from_proof = url
        .as_ref()
        .and_then(|u| account::key_from_proof(flow, u.url));
    let proof_is_key = from_proof.is_some();
    let mut key: Option<PublicKey> = from_proof;
    // The checks of requests whose signer was not known when they were read.
    let mut unknown: Vec<(usize, usize)> = Vec::new();
    let start = out.checks.len();
    for req in &flow.acme {
        let members = account::members(req);
        let signer = match (req.is_new_account(), &url, &key) {
            (true, _, _) => Signer::NewAccount,
            (false, Some(u), Some(k)) => Signer::Account { url: u.url, key: k },
            _ => Signer::Unknown,
        };
        body_form(req, out);
        // The members as printed are the body the library reads (it neither
        // writes nor parses back the JSON object that holds them).
        let (verified, report) = acme::audit_members(members, req.url, signer);
        if verified.is_none() && !report.has_failures() {
            // The library stops before its sink on structural errors: ask why.
            if let Err(e) = acme::verify_members(members, req.url, signer) {
                out.push(Check::from_failure(&e), req.step);
            }
        }
        let first = out.checks.len();
        out.report(report, req.step);
        if matches!(signer, Signer::Unknown) || req.is_new_account() {
            unknown.push((first, out.checks.len()));
        }
        if req.is_new_account() && key.is_none() {
            key = verified.and_then(|v| v.key);
        }
    }
    if let Some(why) = unknown_account(flow, key.as_ref()) {
        for &(from, to) in &unknown {
            let checks = out.checks.get_mut(from..to).unwrap_or_default();
            for c in checks.iter_mut().filter(|c| c.status == Status::Skip) {
                if matches!(c.id, "acme.jws.signature" | "acme.jws.kid") {
                    c.message.clone_from(&why);
                }
            }
        }
    }
    if proof_is_key {
        let checks = out.checks.get_mut(start..).unwrap_or_default();
        for c in checks.iter_mut().filter(|c| c.id == "acme.jws.signature") {
            c.message.push_str(
                " (the DPoP proof's key: the capture shows no new-account request, and Wire binds the account to it)",
            );
        }
    }
    if let (Some(u), Some(_)) = (&url, &key) {
        if let Some(step) = u.from_kid_at {
            kids_held_to_the_first(flow, u.url, step, out);
        }
    }
    AccountKey {
        key,
        from_proof: proof_is_key,
    }
}

/// `acme.jws.kid` `warn` when no answer to new-account shows the account
/// URL: the requests were held to the first `kid` instead (each other `kid`
/// that names another account fails at its request).
fn kids_held_to_the_first(flow: &Flow<'_>, url: &str, step: Option<u32>, out: &mut Out) {
    let why = if flow.acme.iter().any(AcmeRequest::is_new_account) {
        "no answer to new-account carries its location"
    } else {
        "the capture shows no new-account request"
    };
    out.record(
        "acme.jws.kid",
        Status::Warn,
        format!(
            "the account URL is not shown ({why}): every kid is held to the first one, {url} (step {})",
            shown_step(step)
        ),
        step,
    );
}

/// `acme.jws.format` of a body that is not a flattened JWS of exactly
/// `protected`, `payload` and `signature` (general serialization, a member
/// missing, an unprotected header): the library judges the members it was
/// handed and cannot see what the body held around them, so the reader's
/// account of the body is reported here, beside the checks of those members.
fn body_form(req: &AcmeRequest<'_>, out: &mut Out) {
    let Some((first, rest)) = req.jws.form.split_first() else {
        return;
    };
    let mut message = format!("the request is not a flattened JWS: {first}");
    for form in rest {
        message.push_str("; ");
        message.push_str(&form.to_string());
    }
    out.record("acme.jws.format", Status::Fail, message, req.step);
}

/// Why a request's signer is unknown when the capture does show new-account:
/// its key was not readable from it (no `jwk`), no answer gave the account
/// URL, or the request comes before new-account in the capture. `None` when
/// new-account is not captured (the library says so).
fn unknown_account(flow: &Flow<'_>, key: Option<&PublicKey>) -> Option<String> {
    let new_account = flow.acme.iter().find(|r| r.is_new_account())?;
    let step = shown_step(new_account.step);
    Some(match (key, &flow.account_url) {
        (None, _) => format!(
            "account key unknown: the new-account request at step {step} carries no usable jwk"
        ),
        (Some(_), None) => "account URL unknown: no answer to new-account shows its location".into(),
        (Some(_), Some(_)) => format!(
            "account not known yet: the capture shows this request before the new-account request (step {step})"
        ),
    })
}

/// `acme.nonce.chain`: each request's nonce was issued by an earlier captured
/// response and used once.
fn nonce_chain(flow: &Flow<'_>, out: &mut Out) {
    // Sized once: growing rehashes every nonce already in.
    let mut ledger = NonceLedger::with_capacity(flow.nonces.len());
    let mut issued_at: HashMap<&str, Option<u32>> = HashMap::with_capacity(flow.nonces.len());
    for event in &flow.nonces {
        match event {
            NonceEvent::Issued { nonce, step } => {
                ledger.issue(nonce, step.unwrap_or(0));
                issued_at.entry(nonce).or_insert(*step);
            }
            NonceEvent::Used { request } => {
                let Some(req) = flow.acme.get(*request) else {
                    continue;
                };
                let nonce = req
                    .jws
                    .header
                    .as_ref()
                    .and_then(|h| h.get("nonce"))
                    .and_then(Value::as_str);
                let step = req.step;
                match ledger.consume(nonce, step.unwrap_or(0)) {
                    Ok(()) => {
                        let from = issued_at.get(nonce.unwrap_or_default()).copied().flatten();
                        let message = concat(&[
                            "nonce ",
                            nonce.unwrap_or_default(),
                            " was issued at step ",
                            &shown_step(from),
                            " and used once",
                        ]);
                        out.record("acme.nonce.chain", Status::Pass, message, step);
                    }
                    Err(_) if req.bad_nonce => {
                        let message = format!(
                            "nonce {} was refused by the ACME server (badNonce, RFC 8555 §6.5): a request it refused breaks no chain, but the nonce was not one it issued",
                            nonce.unwrap_or_default()
                        );
                        out.record("acme.nonce.chain", Status::Warn, message, step);
                    }
                    Err(e) => {
                        let earlier = flow
                            .earlier_nonces
                            .iter()
                            .find(|n| Some(n.value.as_str()) == nonce);
                        let message = match earlier {
                            Some(n) => format!(
                                "nonce {} was already used at step {} by an earlier enrolment of this section (request at step {}): a replayed nonce",
                                n.value,
                                shown_step(n.step),
                                shown_step(step)
                            ),
                            None => unchained(flow, &e, step),
                        };
                        let mut c = Check::new("acme.nonce.chain", Status::Fail, message);
                        c.found = nonce.map(str::to_owned);
                        out.push(c, step);
                    }
                }
            }
        }
    }
}

/// Why a request's nonce breaks the chain, in the capture's terms: never
/// issued (an exchange is missing, or the nonce was made up), or used again,
/// naming the response that issued it a second time if one did (a server
/// must issue each nonce once, RFC 8555 §6.5).
fn unchained(flow: &Flow<'_>, e: &acme::NonceError, step: Option<u32>) -> String {
    let at = shown_step(step);
    let acme::NonceError::Reused { nonce, .. } = e else {
        return format!(
            "{e} (request at step {at}): an exchange is missing from the capture or the nonce was forged"
        );
    };
    let issues: Vec<Option<u32>> = flow
        .nonces
        .iter()
        .filter_map(|event| match event {
            NonceEvent::Issued { nonce: n, step } if n == nonce => Some(*step),
            _ => None,
        })
        .collect();
    match issues.get(1) {
        Some(again) => format!(
            "{e} (request at step {at}); the ACME server issued it again at step {}: a nonce is issued and used once",
            shown_step(*again)
        ),
        None => format!("{e} (request at step {at}): a nonce is used once"),
    }
}

fn shown_step(step: Option<u32>) -> String {
    step.map_or_else(|| "?".into(), |s| s.to_string())
}

/// When the order names no client (2023-01 orders name DNS identifiers only):
/// the client the proof names, on the device the access-token URL names
/// ([`url_device`]), where wire-server received the proof. The proof's `sub`
/// must name that device; its user and domain, which nothing else in such a
/// flow names, are taken as given (and the messages say so: [`device_only`]).
fn url_client_id(flow: &Flow<'_>, segments: &mut Segments) -> Option<ClientId> {
    let url = access_token_url(flow)?;
    let proof = flow.proof.as_ref()?;
    let sub = ClientId::parse(str_claim(segments.claims(proof.value), "sub")?).ok()?;
    let device = url_device(url, sub.device)?;
    Some(ClientId { device, ..sub })
}

/// The `sub` checks of a flow whose client came from the access-token URL:
/// only the device was compared, which their messages must not hide.
fn device_only(expected: &ClientId, checks: &mut [FlowCheck]) {
    for c in checks
        .iter_mut()
        .filter(|c| matches!(c.id, "dpop.sub" | "access_token.sub"))
    {
        match c.status {
            Status::Pass => {
                c.message = format!(
                    "sub names device {:x}, the device of the access-token URL; the order names no client, so its user and domain are not compared",
                    expected.device
                );
            }
            Status::Fail => c.message.push_str(
                " (expected: the proof's client on the access-token URL's device; the order names no client)",
            ),
            _ => {}
        }
    }
}

/// The members of the order's identifier values (JSON documents) that the
/// checks compare, each identifier's value read once: every check that names
/// the order's user reads them.
#[derive(Default)]
struct Order {
    /// The client id the order asked for (`wireapp-id` / `wireapp-device`).
    client_id: Option<ClientId>,
    /// The user's display name.
    name: Option<String>,
    team: Option<String>,
    /// The handle as the order spells it.
    handle_raw: Option<String>,
    /// The handle, on the order's domain when spelt without one.
    handle: Option<Handle>,
}

/// The identifier members [`Order`] reads, in this order.
const ORDER_MEMBERS: [&str; 5] = ["client-id", "name", "team", "handle", "domain"];

/// One identifier: its `type` and the [`ORDER_MEMBERS`] of its value.
type Identifier<'f> = (&'f str, [Option<Str<'f>>; 5]);

impl Order {
    fn read(flow: &Flow<'_>) -> Self {
        let ids: Vec<Identifier<'_>> = flow
            .identifiers
            .iter()
            .filter_map(|id| {
                let kind = id.get("type")?.as_str()?;
                let value = id.get("value")?.as_str()?;
                Some((kind, object_members_str(value, ORDER_MEMBERS)?))
            })
            .collect();
        let member = |kinds: &[&str], name: &str| {
            let i = ORDER_MEMBERS.iter().position(|m| *m == name)?;
            order_member(&ids, kinds, i)
        };
        let handle_raw = member(&USER, "handle");
        Order {
            client_id: member(&["wireapp-id", "wireapp-device"], "client-id")
                .and_then(|id| ClientId::parse(&id).ok()),
            name: member(&USER, "name"),
            team: member(&USER, "team"),
            handle: handle_raw
                .as_deref()
                .and_then(|raw| order_handle(raw, || member(&USER, "domain"))),
            handle_raw,
        }
    }
}

/// The URL a proof of this flow is traded at and its token is issued by: the
/// `wire-dpop-01` challenge's `target` when the capture shows one (the ACME
/// server holds `htu` and `iss` to it), else the captured request's URL.
fn access_token_url<'f>(flow: &'f Flow<'_>) -> Option<&'f str> {
    flow.dpop_challenge()
        .and_then(|c| c.target.as_deref())
        .or_else(|| flow.access_token_request.as_ref().map(|r| &*r.value.url))
}

/// What `htu` and `iss` must be: [`access_token_url`], except that a capture
/// without a target (until 2023-06) whose order names the client holds the
/// request's URL to that client's device: a proof traded at another device's
/// URL fails as it does against a target.
fn expected_access_token_url(flow: &Flow<'_>, order: &Order) -> Option<String> {
    let url = access_token_url(flow)?;
    let target = flow.dpop_challenge().and_then(|c| c.target.as_deref());
    match (&order.client_id, target) {
        (Some(client), None) => Some(for_device(url, client.device)),
        _ => Some(url.to_owned()),
    }
}

/// `url` (an access-token URL) naming `device`, in the URL's own spelling
/// (decimal or hex), when it names another device; else as it is.
fn for_device(url: &str, device: u64) -> String {
    let named = url_device(url, device);
    let start = url.rfind("/clients/").map(|i| i + "/clients/".len());
    let end = start.and_then(|s| url.get(s..)?.find('/').map(|e| s + e));
    let (Some(named), Some(start), Some(end)) = (named, start, end) else {
        return url.to_owned();
    };
    let (Some(head), Some(text), Some(tail)) =
        (url.get(..start), url.get(start..end), url.get(end..))
    else {
        return url.to_owned();
    };
    if named == device {
        return url.to_owned();
    }
    let decimal = text.len() != 16 && text.bytes().all(|b| b.is_ascii_digit());
    match decimal {
        true => format!("{head}{device}{tail}"),
        false => format!("{head}{device:x}{tail}"),
    }
}

/// The device an access-token URL names (`…/clients/{device}/access-token`):
/// decimal until 2023-03, hex after. Both readings are tried, `seen` (the
/// device the proof names) first, so either era's spelling of the same device
/// agrees; a device id is a random 64-bit number, so two readings naming two
/// real devices do not happen.
fn url_device(url: &str, seen: u64) -> Option<u64> {
    let path = url.split(['?', '#']).next()?;
    let (_, rest) = path.rsplit_once("/clients/")?;
    let text = rest.strip_suffix("/access-token")?;
    let hex = u64::from_str_radix(text, 16).ok();
    let decimal = text.parse::<u64>().ok();
    [hex, decimal]
        .into_iter()
        .flatten()
        .find(|d| *d == seen)
        .or(hex.filter(|_| text.len() == 16))
        .or(decimal)
        .or(hex)
}

/// A string member (the `member`th of [`ORDER_MEMBERS`]) of the order's
/// identifier values, from the first identifier of the first of `kinds` that
/// has it: the kinds are given in order of preference.
fn order_member(ids: &[Identifier<'_>], kinds: &[&str], member: usize) -> Option<String> {
    kinds.iter().find_map(|kind| {
        ids.iter().find_map(|(k, found)| {
            if k != kind {
                return None;
            }
            found.get(member)?.as_ref()?.0.as_deref().map(str::to_owned)
        })
    })
}

/// The identifiers that name the user, the device's first (`wire-dpop-01`
/// proves the device).
const USER: [&str; 3] = ["wireapp-device", "wireapp-id", "wireapp-user"];

/// Whether the order is of early 2024 on: it names `wireapp-device` /
/// `wireapp-user` identifiers (earlier orders name `dns` or `wireapp-id`). From
/// then on wire-server's tokens name the challenge as their audience, proofs
/// name the challenge and the user's handle, and id tokens carry `keyauth` and
/// `acme_aud`: their absence in such a flow is a downgrade, not an era's gap.
fn binding_era(flow: &Flow<'_>) -> bool {
    flow.identifiers.iter().any(|id| {
        id.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| matches!(t, "wireapp-device" | "wireapp-user"))
    })
}

/// In a flow of the binding era ([`binding_era`]), a proof without `aud` or
/// `handle` fails: the library skipped them as absent (an expectation was
/// given, so absence is the only reason for a skip). `name` stays a skip:
/// proofs of early 2024 (2024-01-30, 2024-02-14 captures) name the handle and
/// the challenge but not yet the display name.
fn absent_binding(flow: &Flow<'_>, expect: &dpop::Expectations, checks: &mut [FlowCheck]) {
    if !binding_era(flow) {
        return;
    }
    for c in checks.iter_mut().filter(|c| c.status == Status::Skip) {
        let expected = match c.id {
            "dpop.aud" => expect.aud.as_ref().map(ToString::to_string),
            "dpop.handle" => expect.handle.as_ref().map(ToString::to_string),
            _ => None,
        };
        if let Some(expected) = expected {
            c.status = Status::Fail;
            c.message = format!(
                "{} is absent from the proof: the order names wireapp-device / wireapp-user \
                 identifiers (early 2024 on), whose proofs name the challenge and the handle \
                 (a server rejects this one)",
                c.id.trim_start_matches("dpop.")
            );
            c.expected = Some(expected);
        }
    }
}

/// The identity a proof of this flow must name: `aud` the `wire-dpop-01`
/// challenge URL, `handle`, `name` and `team` the order's (the device's
/// identifier first: `wire-dpop-01` proves the device). Compared when the proof
/// carries them; proofs until early 2024 carried none, so an absent one is skipped
/// with that reason rather than failed.
fn expect_identity(flow: &Flow<'_>, order: &Order, e: &mut dpop::Expectations) {
    e.aud = flow.dpop_challenge().map(|c| c.url.clone());
    e.handle = order.handle.clone();
    e.name = order.name.clone();
    e.team = order.team.clone();
    e.identity_absent = dpop::Absent::Skips;
}

/// The order's handle, spelt `raw`. A 2023 order may spell it without its
/// domain (`"handle":"im:wireapp=alice_wire"`) beside the order's own `domain`
/// member (2023-05): the handle is on that domain.
fn order_handle(raw: &str, domain: impl FnOnce() -> Option<String>) -> Option<Handle> {
    Handle::parse(raw).ok().or_else(|| {
        let domain = domain().filter(|_| !raw.contains('@'))?;
        Handle::parse(&format!("{raw}@{domain}")).ok()
    })
}

/// What a proof in this flow must say. The age limit is dropped: the capture
/// time is the end of the flow, minutes after the proof was traded, and the
/// access token's own `iat` already dates that exchange.
fn proof_expectations(flow: &Flow<'_>, order: &Order) -> dpop::Expectations {
    // The trade's method when the capture shows it (a proof is held to the
    // request that carries it, RFC 9449 §4.3), else wire-server's POST.
    let htm = flow
        .access_token_request
        .as_ref()
        .map_or("POST", |r| r.value.method);
    let mut e = dpop::Expectations {
        htm: Some(htm.into()),
        htu: expected_access_token_url(flow, order),
        nonce: wire_nonce(flow).map(|n| n.value.clone()),
        chal: flow.dpop_challenge().map(|c| c.token.clone()),
        client_id: order.client_id.clone(),
        ..dpop::Expectations::default()
    };
    expect_identity(flow, order, &mut e);
    e.time.max_age = None;
    e
}

/// `dpop.htu` against the trade itself: where the challenge names its
/// `target`, the proof's `htu` is held to it, and the request that carried
/// the proof must have gone there too. A proof sent to another URL than its
/// `htu` names (another device's access-token URL) was refused by a
/// wire-server that checks it (RFC 9449 §4.3); a capture that shows it
/// answered contradicts itself.
fn traded_where_named(flow: &Flow<'_>, segments: &mut Segments, checks: &mut [FlowCheck]) {
    let (Some(trade), Some(proof)) = (
        &flow.access_token_request,
        sent_proof(flow).or(flow.proof.clone()),
    ) else {
        return;
    };
    let Some(htu) = str_claim(segments.claims(proof.value), "htu").map(str::to_owned) else {
        return;
    };
    if url::same(&htu, &trade.value.url) {
        return;
    }
    let first = checks.iter_mut().find(|c| c.id == "dpop.htu");
    if let Some(c) = first.filter(|c| c.status == Status::Pass) {
        c.status = Status::Fail;
        c.message = format!(
            "htu {htu:?} is not the URL the proof was sent to at step {} ({:?}): a proof is bound to the request that carries it",
            shown_step(trade.step),
            trade.value.url
        );
        c.expected = Some(trade.value.url.to_string());
        c.found = Some(htu);
    }
}

/// The wire-server nonce the judged proof was made with: of the nonces
/// wire-server issued in this flow, the one the proof carries, else the last
/// (which the proof's `dpop.nonce` then fails against).
fn wire_nonce<'f>(flow: &'f Flow<'_>) -> Option<&'f At<String>> {
    if flow.wire_nonces.len() < 2 {
        return flow.wire_nonces.first();
    }
    let proof = sent_proof(flow).or(flow.proof.clone());
    let carried = proof.and_then(|p| proof_claim(p.value, "nonce"));
    flow.wire_nonces
        .iter()
        .find(|n| carried.as_deref() == Some(n.value.as_str()))
        .or(flow.wire_nonces.last())
}

/// A string claim of a proof, read without verifying it (only to tell which
/// issued nonce it carries; the checks judge it).
fn proof_claim(compact: &str, name: &str) -> Option<String> {
    let payload = crate::transcript::header_and_payload(compact).1?;
    let bytes = e2ei_verify::jose::b64_decode(payload)?;
    let [value] = crate::transcript::members::object_values(&bytes, [name])?;
    value?.as_str().map(str::to_owned)
}

/// The proof wire-server received: the `dpop:` header of the access-token
/// request, when the capture prints it and it is not the proof shown (the
/// proof judged is then the one sent; [`shown_proof_sent`] reports the other).
fn sent_proof<'f>(flow: &'f Flow<'_>) -> Option<At<&'f str>> {
    let header = flow.tokens.iter().find(|t| {
        matches!(t.value.source, TokenSource::DpopHeader { .. })
            && t.value.typ() == Some("dpop+jwt")
    })?;
    let shown = flow.proof.as_ref()?;
    (shown.value != &*header.value.compact).then(|| At {
        value: &*header.value.compact,
        step: header.step,
    })
}

/// `transcript.consistency`: a request carries one `dpop:` header. RFC 9449
/// §4.3 has a server refuse a request with more than one, so a capture whose
/// trade request carries two and is answered with a token contradicts
/// itself, whichever of them is judged.
fn one_dpop_header(flow: &Flow<'_>, out: &mut Out) {
    let headers: Vec<&At<&Token>> = flow
        .tokens
        .iter()
        .filter(|t| matches!(t.value.source, TokenSource::DpopHeader { .. }))
        .collect();
    let mut reported: Vec<Option<u32>> = Vec::new();
    for h in &headers {
        let in_step = headers.iter().filter(|o| o.step == h.step).count();
        if in_step > 1 && !reported.contains(&h.step) {
            reported.push(h.step);
            out.record(
                "transcript.consistency",
                Status::Fail,
                format!(
                    "the request at step {} carries {in_step} dpop headers: a server refuses a request with more than one (RFC 9449 §4.3), so none of them can have been traded for the token",
                    shown_step(h.step)
                ),
                h.step,
            );
        }
    }
}

/// `transcript.consistency`: an enrolment whose capture shows HTTP messages
/// but from which no ACME request is read (blocks in a form not understood,
/// bodies not found) has lost its ACME side: every check that needs the
/// account, the order or the challenges would be skipped and the flow pass
/// on what little is left. That is not a verdict on the enrolment, so it
/// fails, naming where the HTTP begins. A capture that shows no HTTP at all
/// (tokens alone) claims no exchange and is judged on what it shows.
fn acme_side_read(flow: &Flow<'_>, out: &mut Out) {
    unread_http(flow, out);
    let (true, Some(first)) = (flow.acme.is_empty(), &flow.first_http) else {
        return;
    };
    out.record(
        "transcript.consistency",
        Status::Fail,
        format!(
            "no ACME request is read from this enrolment, though its HTTP blocks begin at line {}: the requests, answers and signed bodies of the ACME side cannot be judged",
            first.value
        ),
        first.step,
    );
}

/// `transcript.consistency`: an http block that holds something but is
/// neither a request nor a response (its start line lost, a form not
/// understood, a pseudo-header block RFC 9113 calls malformed) is an exchange
/// not read: the body after it is read as nobody's, and the checks that need
/// it are skipped. Nothing is guessed from it; it fails where it stands.
fn unread_http(flow: &Flow<'_>, out: &mut Out) {
    for block in &flow.unread_http {
        let (line, first) = block.value;
        out.record(
            "transcript.consistency",
            Status::Fail,
            format!(
                "the http block at line {line} is neither a request nor a response (it begins {:?}): the exchange it shows is not read",
                opening(first)
            ),
            block.step,
        );
    }
}

/// The first 80 characters of `line`, for a message.
fn opening(line: &str) -> String {
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", line.get(..at).unwrap_or(line)),
        None => line.to_owned(),
    }
}

/// `transcript.consistency`: the proof the capture shows is the one the
/// `dpop:` header sent to wire-server.
fn shown_proof_sent(flow: &Flow<'_>, out: &mut Out) {
    let (Some(sent), Some(shown)) = (sent_proof(flow), flow.proof.as_ref()) else {
        return;
    };
    let mut c = Check::new(
        "transcript.consistency",
        Status::Fail,
        format!(
            "the DPoP proof shown at step {} is not the proof the dpop header sent to wire-server at step {} (they differ from character {}): the proof judged is the one sent",
            shown_step(shown.step),
            shown_step(sent.step),
            first_difference_at(shown.value, sent.value)
        ),
    );
    let (expected, found) = evidence(sent.value, shown.value);
    (c.expected, c.found) = (Some(expected), Some(found));
    out.push(c, shown.step);
}

/// `dpop.format`: a `dpop:` header the capture prints but that holds no
/// compact JWS (cut short, wrapped beyond repair, altered). It is what
/// wire-server received (RFC 9449 §4.1): a server refuses such a request, and
/// the proof it carried cannot be judged, so it is never dropped silently.
fn unread_dpop_headers(flow: &Flow<'_>, out: &mut Out) {
    for h in &flow.unread_dpop_headers {
        let which = if h.value == 1 {
            "a dpop header".to_owned()
        } else {
            format!("{} dpop headers", h.value)
        };
        out.record(
            "dpop.format",
            Status::Fail,
            format!(
                "{which} of the request at step {} holds no compact JWS (cut short, wrapped or altered): a server refuses it (RFC 9449 §4.3), and the proof it carried cannot be judged",
                shown_step(h.step)
            ),
            h.step,
        );
    }
}

/// The 1-based position of the first character where two tokens differ.
fn first_difference_at(a: &str, b: &str) -> usize {
    1 + a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// `access_token.proof`: the token embeds the proof wire-server received for
/// it (the `dpop:` header), when that is not the proof shown: a token that
/// embeds another proof was not issued for this exchange.
fn traded_for(flow: &Flow<'_>, embedded: Option<&str>, step: Option<u32>, out: &mut Out) {
    let (Some(sent), Some(embedded)) = (sent_proof(flow), embedded) else {
        return;
    };
    if embedded != sent.value {
        let (expected, found) = evidence(sent.value, embedded);
        out.mismatch(
            "access_token.proof",
            &format!(
                "the token embeds a proof other than the one the dpop header sent to wire-server at step {} (they differ from character {})",
                shown_step(sent.step),
                first_difference_at(embedded, sent.value)
            ),
            expected,
            found,
            step,
        );
    }
}

fn dpop_proof(
    flow: &Flow<'_>,
    at: UnixTime,
    order: &Order,
    out: &mut Out,
) -> Option<VerifiedProof> {
    let Some(proof) = sent_proof(flow).or(flow.proof.clone()) else {
        out.record(
            "dpop.format",
            Status::Skip,
            "no DPoP proof captured".into(),
            None,
        );
        return None;
    };
    out.first_time(proof.value);
    let expect = proof_expectations(flow, order);
    let (verified, report) = dpop::audit_memo(proof.value, &expect, at, &mut out.signatures);
    let first = out.checks.len();
    out.report(report, proof.step);
    absent_binding(flow, &expect, &mut out.checks[first..]);
    verified
}

/// `dpop.alg`: the proof is signed with the algorithm of the ciphersuite its
/// section runs (`Ed25519 - SHA256` → EdDSA, `P256 - SHA256` → ES256, …): a
/// client's keys are of its suite, so a section whose keys are all another
/// suite's is not the enrolment it says it is.
fn of_the_sections_suite(flow: &Flow<'_>, proof: &VerifiedProof, checks: &mut [FlowCheck]) {
    let suite = flow.suite.as_str();
    let Some(expected) = suite_alg(suite).filter(|alg| *alg != proof.alg.name()) else {
        return;
    };
    if let Some(c) = checks.iter_mut().find(|c| c.id == "dpop.alg") {
        c.status = Status::Fail;
        c.message = format!(
            "the proof is signed with {}, but its section runs the {suite} ciphersuite, whose keys sign with {expected}",
            proof.alg.name()
        );
        c.expected = Some(expected.to_owned());
        c.found = Some(proof.alg.name().to_owned());
    }
}

/// The signing algorithm of the ciphersuite a section line names.
fn suite_alg(suite: &str) -> Option<&'static str> {
    [
        ("Ed25519", "EdDSA"),
        ("P256", "ES256"),
        ("P384", "ES384"),
        ("P521", "ES512"),
    ]
    .into_iter()
    .find(|(name, _)| suite.contains(name))
    .map(|(_, alg)| alg)
}

/// `acme.jws.signature` of the new-account request: the ACME account key is
/// of the section's ciphersuite, as the DPoP key is ([`of_the_sections_suite`]).
fn account_of_the_sections_suite(flow: &Flow<'_>, account: &PublicKey, checks: &mut [FlowCheck]) {
    let suite = flow.suite.as_str();
    let alg = account.jwk().key_type().algorithm().name();
    let Some(expected) = suite_alg(suite).filter(|e| *e != alg) else {
        return;
    };
    let signature = checks
        .iter_mut()
        .find(|c| c.id == "acme.jws.signature" && c.status == Status::Pass);
    if let Some(c) = signature {
        c.status = Status::Fail;
        c.message = format!(
            "the ACME account key signs with {alg}, but its section runs the {suite} ciphersuite, whose keys sign with {expected}"
        );
        c.expected = Some(expected.to_owned());
        c.found = Some(alg.to_owned());
    }
}

/// A renewal answers challenges and finalizes an order of its own: a
/// challenge token or URL, or an order, that an earlier enrolment of the
/// section went through is a replay (`dpop.chal`, `transcript.consistency`).
/// An enrolment printed twice (the same ACME requests) is not compared.
fn not_replayed(flow: &Flow<'_>, out: &mut Out) {
    let earlier = |v: &str| flow.earlier_exchanges.iter().find(|e| e.value == v);
    if let Some(c) = flow.dpop_challenge() {
        if let Some(e) = earlier(&c.token).or_else(|| earlier(&c.url)) {
            out.mismatch(
                "dpop.chal",
                &format!(
                    "the {} challenge {} is one an earlier enrolment of this section went through (step {}): a renewal answers a challenge of its own",
                    c.kind,
                    c.url,
                    shown_step(e.step)
                ),
                "a challenge of this enrolment".into(),
                c.token.clone(),
                flow.proof.as_ref().and_then(|p| p.step),
            );
        }
    }
    if let Some(proof) = &flow.proof {
        let jti = super::reconstruct::proof_jti(proof.value);
        let reused = jti.as_ref().and_then(|jti| {
            let key = format!("{}{jti}", super::reconstruct::JTI);
            Some((jti, earlier(&key)?))
        });
        if let Some((jti, e)) = reused {
            out.mismatch(
                "dpop.jti",
                &format!(
                    "the proof's jti is the jti of an earlier enrolment's proof in this section (step {}): a jti is used once, so a server that remembers it refuses this proof as a replay",
                    shown_step(e.step)
                ),
                "a jti of its own".into(),
                jti.clone(),
                proof.step,
            );
        }
    }
    if let Some(order) = &flow.order_url {
        if let Some(e) = earlier(order.value) {
            out.mismatch(
                "transcript.consistency",
                &format!(
                    "the new-order answer names the order of an earlier enrolment of this section (step {}): a renewal finalizes an order of its own",
                    shown_step(e.step)
                ),
                "a new order".into(),
                order.value.to_owned(),
                order.step,
            );
        }
    }
}

/// A token where the capture first shows it: check id, name, place, `iat`.
type Obtained<'a> = (&'a str, &'a str, Shown, u64);

/// A token dated before two tokens obtained before it (an id token older than
/// the proof and the access token that came before its login) is the odd one
/// out: it fails its own time check, and its flag is cleared so that it
/// blames nothing before it.
fn odd_ones_out(obtained: &mut [(Obtained<'_>, bool)], skew: u64, checks: &mut [FlowCheck]) {
    for i in 0..obtained.len() {
        let ((id, what, shown, iat), ok) = obtained[i];
        let before: Vec<&Obtained<'_>> = obtained
            .iter()
            .map(|(o, _)| o)
            .filter(|(_, _, s, i)| shown.after(*s) && *i > iat.saturating_add(skew))
            .collect();
        let (true, [_, .., nearest]) = (ok, before.as_slice()) else {
            continue;
        };
        let (_, earlier_what, earlier_shown, earlier_iat) = **nearest;
        if let Some(c) = checks.iter_mut().find(|c| c.id == id) {
            c.status = Status::Fail;
            c.message = format!(
                "the {what} ({}) is dated {} s before the {earlier_what} obtained before it ({}): a token cannot be issued before one that came earlier",
                shown.place(),
                earlier_iat - iat,
                earlier_shown.place()
            );
        }
        if let Some(o) = obtained.get_mut(i) {
            o.1 = false;
        }
    }
}

/// `dpop.time` across the exchange. The flow is judged at its capture time,
/// so a proof's own age limit is dropped ([`proof_expectations`]); but
/// wire-server issues the access token for a proof it has just received, so
/// the token's `iat` dates the trade. A proof dated after it (beyond the clock
/// skew), or already expired then, fails. One older than a proof stays fresh
/// is a warning: a server holding proofs to that age refuses it, but real
/// captures show whole-hour gaps (2023-10-04: 3,600 s) that read as a clock
/// set to another zone rather than a stale proof.
fn traded_in_time(
    flow: &Flow<'_>,
    at: UnixTime,
    segments: &mut Segments,
    checks: &mut [FlowCheck],
) {
    let member = |c: Option<&Value>, name: &str| numeric_date_of(c?.get(name)?);
    let Some(proof) = sent_proof(flow).or(flow.proof.clone()) else {
        return;
    };
    let Some(token) = &flow.access_token else {
        return;
    };
    let claims = segments.claims(proof.value);
    let (p, p_exp) = (member(claims, "iat"), member(claims, "exp"));
    let (Some(p), Some(t)) = (p, member(segments.claims(token.value), "iat")) else {
        return;
    };
    // A token dated after the capture (its own time check fails it as in
    // the future) dates nothing: the proof is not judged against it.
    if t > at.saturating_add(TimePolicy::TOKEN.max_skew) {
        return;
    }
    let policy = TimePolicy::DPOP;
    let fresh = policy.max_age.unwrap_or(u64::MAX);
    let step = shown_step(token.step);
    let (status, problem) = if p > t.saturating_add(policy.max_skew) {
        let msg = format!(
            "the proof is dated {} s after the access token issued for it (step {step}): wire-server cannot have received it first",
            p - t
        );
        (Status::Fail, msg)
    } else if p_exp.is_some_and(|e| t > e.saturating_add(policy.max_skew)) {
        let msg = format!(
            "the proof had expired when wire-server issued the access token for it (step {step})"
        );
        (Status::Fail, msg)
    } else if t.saturating_sub(p) > fresh.saturating_add(policy.max_skew) {
        let msg = format!(
            "the proof was {} s old when wire-server issued the access token for it (step {step}); a server holding proofs to {fresh} s refuses it",
            t - p
        );
        (Status::Warn, msg)
    } else {
        return;
    };
    // The standalone proof's check (the first), unless it already failed.
    let first = checks.iter_mut().find(|c| c.id == "dpop.time");
    if let Some(c) = first.filter(|c| c.status == Status::Pass) {
        c.status = status;
        c.message = problem;
    }
}

/// `dpop.nonce` across steps: the proof carries the nonce wire-server issued,
/// so it was made after that nonce was fetched. A capture that shows the
/// proof at a step before the nonce's contradicts itself, as an ACME request
/// using a nonce a later response issued fails `acme.nonce.chain`.
fn nonce_before_proof(flow: &Flow<'_>, checks: &mut [FlowCheck]) {
    let (Some(nonce), Some(proof)) = (wire_nonce(flow), sent_proof(flow).or(flow.proof.clone()))
    else {
        return;
    };
    let (Some(issued), Some(made)) = (nonce.step, proof.step) else {
        return;
    };
    if issued <= made {
        return;
    }
    // The standalone proof's check (the first), when it found the nonce.
    let first = checks.iter_mut().find(|c| c.id == "dpop.nonce");
    if let Some(c) = first.filter(|c| c.status == Status::Pass) {
        c.status = Status::Fail;
        c.message = format!(
            "the proof shown at step {made} carries the nonce wire-server issued at step {issued}: a proof cannot carry a nonce fetched after it was made"
        );
    }
}

/// The time checks across steps: a token obtained at an earlier step is not
/// dated after one obtained at a later step (beyond the clock skew). The
/// capture time is the latest `iat`, so a token dated in the future dates
/// the capture itself and passes its own check; its order against the others
/// is what gives it away (real captures date the later token later: the id
/// token of 2024-2026 an hour after the access token).
fn dated_in_order(flow: &Flow<'_>, segments: &mut Segments, checks: &mut [FlowCheck]) {
    let proof = sent_proof(flow).or(flow.proof.clone());
    let kinds = [
        ("dpop.time", "DPoP proof", proof.map(|p| p.value)),
        (
            "access_token.time",
            "access token",
            flow.access_token.as_ref().map(|t| t.value),
        ),
        (
            "oidc.time",
            "id token",
            flow.id_token.as_ref().map(|t| t.value),
        ),
    ];
    // Each token where the capture first shows it (step, line), and its `iat`.
    let mut obtained: Vec<(&str, &str, Shown, u64)> = Vec::new();
    for (id, what, compact) in kinds {
        let Some(compact) = compact else { continue };
        let Some(first) = flow.tokens.iter().find(|t| &*t.value.compact == compact) else {
            continue;
        };
        let Some(iat) = segments
            .claims(compact)
            .and_then(|c| numeric_date_of(c.get("iat")?))
        else {
            continue;
        };
        let shown = Shown {
            step: first.step,
            line: first.value.line,
        };
        obtained.push((id, what, shown, iat));
    }
    let skew = TimePolicy::DPOP.max_skew;
    // A later token whose own times already failed (expired, say) is the odd
    // one out: it blames nothing before it.
    let passed = |id: &str, checks: &[FlowCheck]| {
        checks
            .iter()
            .find(|c| c.id == id)
            .is_some_and(|c| c.status == Status::Pass)
    };
    let mut obtained: Vec<_> = obtained
        .into_iter()
        .map(|o| (o, passed(o.0, checks)))
        .collect();
    odd_ones_out(&mut obtained, skew, checks);
    for &((id, what, shown, iat), _) in &obtained {
        let later = obtained
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(o, _)| o)
            .filter(|(_, _, s, i)| s.after(shown) && iat > i.saturating_add(skew))
            .max_by_key(|(_, _, _, i)| iat - i);
        let Some(&(_, later_what, later_shown, later_iat)) = later else {
            continue;
        };
        let check = checks.iter_mut().find(|c| c.id == id);
        if let Some(c) = check.filter(|c| c.status == Status::Pass) {
            c.status = Status::Fail;
            c.message = format!(
                "the {what} ({}) is dated {} s after the {later_what} obtained after it ({}): a token cannot be issued after one that came later",
                shown.place(),
                iat - later_iat,
                later_shown.place()
            );
        }
    }
}

/// Where the capture first shows a token: its step, and its line for
/// captures whose steps carry no number.
#[derive(Clone, Copy)]
struct Shown {
    step: Option<u32>,
    line: usize,
}

impl Shown {
    /// Shown after `other`: by step number when both have one (the exchange's
    /// order), else by place in the text.
    fn after(self, other: Shown) -> bool {
        match (self.step, other.step) {
            (Some(a), Some(b)) => a > b,
            _ => self.line > other.line,
        }
    }

    fn place(self) -> String {
        match self.step {
            Some(step) => format!("step {step}"),
            None => format!("line {}", self.line),
        }
    }
}

/// `dpop.key_binding`: the DPoP key is the ACME account key. step-ca's
/// wire-dpop-01 validation compares the access token's `cnf` with the ACME
/// account's thumbprint, and every captured Wire flow (2023-01 … 2026-01) signs
/// the proof with the account key: a different key means the token cannot
/// vouch for the account that gets the certificate.
fn key_binding(
    flow: &Flow<'_>,
    account: Option<&PublicKey>,
    from_proof: bool,
    proof: Option<&VerifiedProof>,
    out: &mut Out,
) {
    let step = flow.proof.as_ref().and_then(|p| p.step);
    let no_new_account = !flow.acme.iter().any(AcmeRequest::is_new_account);
    if let (None, Some(_), true, false) = (account, proof, no_new_account, flow.acme.is_empty()) {
        out.record(
            "dpop.key_binding",
            Status::Fail,
            "no ACME request verifies with the DPoP proof key, and the capture shows no new-account request: the proof is bound to no account the capture shows".into(),
            step,
        );
        return;
    }
    let (Some(account), Some(proof)) = (account, proof) else {
        out.record(
            "dpop.key_binding",
            Status::Skip,
            "the account key or the DPoP proof key is unknown (not captured or not verified)"
                .into(),
            step,
        );
        return;
    };
    let hash = proof.alg.suite_hash();
    let found = out.thumbprint(proof.key.jwk(), hash);
    if *account == proof.key {
        let how = if from_proof {
            "ACME requests of the account verify with the DPoP proof key (the capture shows no new-account request)"
        } else {
            "the DPoP proof is signed with the ACME account key"
        };
        out.record(
            "dpop.key_binding",
            Status::Pass,
            format!("{how} ({} thumbprint {found})", hash.name()),
            step,
        );
    } else {
        let expected = out.thumbprint(account.jwk(), hash);
        out.mismatch(
            "dpop.key_binding",
            "the DPoP proof key is not the ACME account key: the access token vouches for a key that does not hold the ACME account",
            expected,
            found,
            step,
        );
    }
}

/// Where the issuer key came from, for the wording of `access_token.issuer_key`.
enum IssuerOrigin {
    Pinned,
    Transcript(Option<u32>),
    Embedded,
}

fn issuer_trust(flow: &Flow<'_>, trust: &Trust) -> (IssuerTrust, IssuerOrigin) {
    if !trust.issuer_keys.is_empty() {
        return (
            IssuerTrust::Pinned(trust.issuer_keys.clone()),
            IssuerOrigin::Pinned,
        );
    }
    if trust.transcript_keys {
        let keys: Vec<PublicKey> = flow
            .issuer_keys_printed
            .iter()
            .filter_map(|k| public_key_from_spki_der(k.value).ok())
            .filter_map(|jwk| PublicKey::new(jwk).ok())
            .collect();
        if let (false, Some(first)) = (keys.is_empty(), flow.issuer_keys_printed.first()) {
            return (
                IssuerTrust::Pinned(keys),
                IssuerOrigin::Transcript(first.step),
            );
        }
    }
    (IssuerTrust::Embedded, IssuerOrigin::Embedded)
}

fn access_token(
    flow: &Flow<'_>,
    at: UnixTime,
    trust: &Trust,
    order: &Order,
    segments: &mut Segments,
    out: &mut Out,
) {
    let posted = flow.delivery().and_then(|p| {
        p.access_token.as_deref().map(|t| At {
            value: t,
            step: p.step,
        })
    });
    let Some(token) = flow
        .access_token
        .as_ref()
        .map(|t| At {
            value: t.value,
            step: t.step,
        })
        .or(posted)
    else {
        out.record(
            "access_token.format",
            Status::Skip,
            "no access token captured".into(),
            None,
        );
        return;
    };
    out.first_time(token.value);
    let (issuer, origin) = issuer_trust(flow, trust);
    let mut expect = access_token::Expectations::new(issuer);
    expect.iss = expected_access_token_url(flow, order);
    expect.chal = flow.dpop_challenge().map(|c| c.token.clone());
    expect.nonce = wire_nonce(flow).map(|n| n.value.clone());
    expect.client_id = order.client_id.clone();
    expect.aud = flow.dpop_challenge().map(|c| c.url.clone());
    expect_identity(flow, order, &mut expect.proof);
    expect.proof.time.max_age = None;
    let claims = segments.claims(token.value);
    let embedded = str_claim(claims, "proof");
    // The standalone proof's checks are shown at its own step: when the token
    // embeds that same proof, only its failures are asked for (they word
    // `access_token.proof`), and its report is not shown again.
    let already = embedded.is_some_and(|p| !out.first_time(p));
    let proof_kept = if already { Kept::Failures } else { Kept::Every };
    let audit =
        access_token::audit_memo_keeping(token.value, &expect, at, &mut out.signatures, proof_kept);
    for mut c in audit.report.checks {
        if c.id == "access_token.issuer_key" {
            if let (IssuerOrigin::Transcript(step), Status::Pass) = (&origin, c.status) {
                c.status = Status::Warn;
                c.message = format!(
                    "issuer key trusted from the transcript (printed at step {}), not pinned by you: {}",
                    shown_step(*step),
                    c.message
                );
            }
        }
        if c.id == "access_token.aud" && c.status == Status::Fail {
            audience(&mut c, claims, binding_era(flow));
        }
        out.push(c, token.step);
    }
    traded_for(flow, embedded, token.step, out);
    if !already {
        if let Some(proof_report) = audit.proof_report {
            out.report(proof_report, token.step);
        }
    }
}

/// `access_token.aud` when the library failed it (not the challenge URL, as a
/// string or an array naming nothing else): a warning instead when every
/// member is the token's own `iss`, since that is how wire-server wrote tokens
/// until early 2024 (the 2023 captures, a 2024-01-15 one). Anything else stays
/// a failure.
fn audience(check: &mut Check, claims: Option<&Value>, binding_era: bool) {
    let members: Vec<&str> = match claims.and_then(|c| c.get("aud")) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let Some(iss) = str_claim(claims, "iss") else {
        return;
    };
    if members.is_empty() || !members.iter().all(|a| *a == iss || url::same(a, iss)) {
        return;
    }
    if binding_era {
        check.message = "aud is the token's own iss: the token names wire-server itself as \
             its audience, not this ACME challenge, though the order names wireapp-device / \
             wireapp-user identifiers (early 2024 on), when tokens name the challenge"
            .into();
    } else {
        check.status = Status::Warn;
        check.message = "aud is the token's own iss: the token names wire-server itself as \
             its audience, so nothing restricts it to this ACME challenge \
             (wire-server's tokens did so until early 2024; a current server rejects it)"
            .into();
    }
}

/// A string claim of [`Segments::claims`].
fn str_claim<'c>(claims: Option<&'c Value>, name: &str) -> Option<&'c str> {
    claims?.get(name)?.as_str()
}

/// A long token shortened for a message.
fn short(token: &str) -> String {
    match (
        token.get(..12),
        token.len().checked_sub(8).and_then(|i| token.get(i..)),
    ) {
        (Some(head), Some(tail)) if token.len() > 24 => format!("{head}…{tail}"),
        _ => token.to_owned(),
    }
}

/// Two different tokens as evidence: their [`short`] forms, or, where those
/// read the same (the tokens differ between head and tail, as a changed
/// signature byte does), the part around their first difference, named, so
/// that the two sides of a failure never look alike.
fn evidence(expected: &str, found: &str) -> (String, String) {
    let (a, b) = (short(expected), short(found));
    if a != b {
        return (a, b);
    }
    let at = first_difference_at(expected, found) - 1;
    let part = match expected.get(..at).map(|head| head.matches('.').count()) {
        Some(0) => "header",
        Some(1) => "claims",
        _ => "signature",
    };
    let window = |t: &str| {
        let around = t.get(at.saturating_sub(6)..(at + 10).min(t.len()));
        format!(
            "differs in the {part} at character {}: …{}…",
            at + 1,
            around.unwrap_or_default()
        )
    };
    (window(expected), window(found))
}

/// `access_token.delivered`: the token posted to the ACME challenge is the one
/// wire-server issued. An empty challenge payload (2023-01) is a failure: the
/// ACME server never saw the token, so nothing tied the certificate to
/// wire-server's authorisation of the client.
fn delivered(flow: &Flow<'_>, out: &mut Out) {
    let Some(post) = flow.delivery() else {
        out.record(
            "access_token.delivered",
            Status::Skip,
            "no ACME challenge POST captured".into(),
            None,
        );
        return;
    };
    let issued = flow.access_token.as_ref();
    match (&post.access_token, issued) {
        (None, _) => out.record(
            "access_token.delivered",
            Status::Fail,
            format!(
                "the challenge POST to {} has no access_token: the ACME server never saw the access token, so the certificate is not bound to wire-server's authorisation",
                post.url
            ),
            post.step,
        ),
        (Some(posted), Some(issued)) if posted == issued.value => out.record(
            "access_token.delivered",
            Status::Pass,
            format!(
                "the token posted to ACME is the one wire-server issued at step {}",
                shown_step(issued.step)
            ),
            post.step,
        ),
        (Some(posted), Some(issued)) => {
            let (expected, found) = evidence(issued.value, posted);
            out.mismatch(
                "access_token.delivered",
                "the token posted to ACME is not the one wire-server issued",
                expected,
                found,
                post.step,
            )
        }
        (Some(_), None) => out.record(
            "access_token.delivered",
            Status::Warn,
            "an access token was posted to ACME, but its issuance by wire-server is not in the capture".into(),
            post.step,
        ),
    }
}

/// Every challenge the ACME server answered a challenge POST with is the one
/// its authorization offered: a capture that validates another challenge
/// (another token) than the proof and the key authorization answer splices
/// two enrolments. Reported only when they differ, under the check the
/// token feeds (`dpop.chal`, `oidc.keyauth`). An answer giving the challenge
/// at an offered URL another type (`wire-oidc-01` for the `wire-dpop-01`
/// the client answered with an access token) is `transcript.consistency`:
/// the type says what the server validated, and it is fixed when offered.
fn answered_challenges(flow: &Flow<'_>, out: &mut Out) {
    for (i, m) in flow.misanswered.iter().enumerate() {
        let (posted, answered) = &m.value;
        // Named by its `location` and its body alike: reported once.
        if flow.misanswered.get(..i).unwrap_or_default().contains(m) {
            continue;
        }
        out.mismatch(
            "transcript.consistency",
            &format!(
                "the answer to the challenge POST at {posted} names another challenge: the ACME server answered for a challenge it was not asked to validate"
            ),
            (*posted).to_owned(),
            answered.clone(),
            m.step,
        );
    }
    for answer in &flow.answered_challenges {
        let a = &answer.value;
        // An answer naming another challenge is reported as such above.
        if flow
            .misanswered
            .iter()
            .any(|m| m.step == answer.step && m.value.1 == a.url)
        {
            continue;
        }
        let offered = flow
            .challenges
            .iter()
            .find(|c| c.url == a.url || url::same(&c.url, &a.url));
        if let Some(offered) = offered.filter(|c| c.kind != a.kind) {
            out.mismatch(
                "transcript.consistency",
                &format!(
                    "the ACME server's answer at step {} describes the challenge at {} as a {} challenge; the authorization offered a {} challenge at that URL: a challenge's type is fixed when it is offered",
                    shown_step(answer.step),
                    a.url,
                    a.kind,
                    offered.kind
                ),
                format!("{} (offered)", offered.kind),
                format!("{} (answered)", a.kind),
                answer.step,
            );
        }
        let Some(offered) = offered.filter(|c| c.token != a.token) else {
            continue;
        };
        let id = match a.kind.as_str() {
            "wire-oidc-01" => "oidc.keyauth",
            _ => "dpop.chal",
        };
        out.mismatch(
            id,
            &format!(
                "the ACME server answered the {} challenge {} with another token than its authorization offered (and the exchange answered)",
                a.kind, a.url
            ),
            offered.token.clone(),
            a.token.clone(),
            answer.step,
        );
    }
}

/// The order the ACME server created is the one the signed new-order request
/// asked for: the same identifiers, in any order. Reported only when they
/// differ: the CSR and the certificate are held to the request's.
fn answered_order(flow: &Flow<'_>, out: &mut Out) {
    let Some(answer) = &flow.answered_identifiers else {
        return;
    };
    let same = answer.value.len() == flow.identifiers.len()
        && answer.value.iter().all(|a| flow.identifiers.contains(a));
    if !same && !flow.identifiers.is_empty() {
        out.mismatch(
            "transcript.consistency",
            "the new-order answer lists other identifiers than the signed new-order request asked for",
            Value::Array(flow.identifiers.clone()).to_string(),
            Value::Array(answer.value.clone()).to_string(),
            answer.step,
        );
    }
}

/// `transcript.consistency`: the client follows the order the server
/// describes. It finalizes at the order's `finalize` URL and downloads its
/// `certificate` URL, and no later answer names other identifiers than the
/// signed new-order request. A capture whose server names one order and
/// whose client uses another splices two enrolments.
fn order_followed(flow: &Flow<'_>, out: &mut Out) {
    let answers = &flow.order_answers;
    // Every answer that names the URL names this one.
    let named = |pick: fn(&OrderAnswer) -> Option<&String>, url: &str| {
        answers
            .iter()
            .filter_map(|a| pick(&a.value))
            .all(|n| n == url || url::same(n, url))
    };
    let finalize: fn(&OrderAnswer) -> Option<&String> = |a| a.finalize.as_ref();
    let certificate: fn(&OrderAnswer) -> Option<&String> = |a| a.certificate.as_ref();
    for req in &flow.acme {
        let (pick, what) = if path_ends_with(req.url, "finalize") {
            (finalize, "finalize")
        } else if req.url.contains("/certificate/") {
            (certificate, "certificate")
        } else {
            continue;
        };
        if !named(pick, req.url) {
            let shown: Vec<&str> = answers
                .iter()
                .filter_map(|a| pick(&a.value).map(String::as_str))
                .collect();
            out.mismatch(
                "transcript.consistency",
                &format!("the {what} request goes to another URL than the order's answers name"),
                shown.join(", "),
                req.url.to_owned(),
                req.step,
            );
        }
    }
    let new_order_step = flow.answered_identifiers.as_ref().map(|a| a.step);
    for a in answers.iter().filter(|a| Some(a.step) != new_order_step) {
        let Some(ids) = &a.value.identifiers else {
            continue;
        };
        let same =
            ids.len() == flow.identifiers.len() && ids.iter().all(|i| flow.identifiers.contains(i));
        if !same && !flow.identifiers.is_empty() {
            out.mismatch(
                "transcript.consistency",
                "the order's answer lists other identifiers than the signed new-order request asked for",
                Value::Array(flow.identifiers.clone()).to_string(),
                Value::Array(ids.clone()).to_string(),
                a.step,
            );
        }
    }
}

/// `transcript.consistency`: an ACME challenge, authorization, order or
/// account the server answered in a final state (`invalid`, an authorization
/// `expired`, …) is refused for good (RFC 8555 §7.1.6), so a
/// capture that goes on to a certificate contradicts itself; one that stops
/// there shows an enrolment that failed. Either way nothing in it may pass
/// for a successful enrolment.
fn refused(flow: &Flow<'_>, out: &mut Out) {
    let issued = flow.downloaded_chain().first().map(|c| c.step);
    for e in &flow.error_answers {
        out.record(
            "transcript.consistency",
            Status::Fail,
            format!(
                "the response at step {} has the error status {} yet carries a result (a token or an ACME object): a refused request issued nothing",
                shown_step(e.step),
                e.value
            ),
            e.step,
        );
    }
    for r in &flow.refused {
        let message = match issued {
            Some(at) => format!(
                "the ACME server answered {}, yet the capture goes on to a certificate at step {}: a refused enrolment cannot be issued",
                r.value,
                shown_step(at)
            ),
            None => format!(
                "the ACME server answered {}: the enrolment failed",
                r.value
            ),
        };
        out.record("transcript.consistency", Status::Fail, message, r.step);
    }
}

/// An OAuth parameter given twice (RFC 6749 §3.1 forbids it; an IdP refuses
/// the request): the check that rests on it fails, naming it, in place of
/// the verdict taken on one of its values: `oidc.nonce` for `nonce`,
/// `oidc.pkce` for the PKCE parameters, `transcript.consistency` for any
/// other (the capture shows answered a request an IdP refuses).
fn oauth_repeats(flow: &Flow<'_>, checks: &mut Vec<FlowCheck>) {
    for r in &flow.oauth_repeated {
        let id = match r.value.name.as_str() {
            "nonce" => "oidc.nonce",
            "code_challenge" | "code_challenge_method" | "code_verifier" => "oidc.pkce",
            _ => "transcript.consistency",
        };
        let message = format!(
            "the OAuth {} at step {} gives {} more than once (RFC 6749 §3.1): an IdP refuses it, and which value it used is unknowable",
            r.value.request,
            shown_step(r.step),
            r.value.name
        );
        let judged = checks.iter_mut().find(|c| c.id == id);
        match judged {
            Some(c) if id != "transcript.consistency" => {
                c.status = Status::Fail;
                c.message = message;
                c.expected = None;
                c.found = None;
            }
            _ => checks.push(FlowCheck::at(Check::new(id, Status::Fail, message), r.step)),
        }
    }
}

/// `transcript.consistency`: a JSON block giving one member twice (an ACME
/// answer `"status": "invalid"` then `"valid"`) says two things at once.
/// Names should be unique (RFC 8259 §4) and readers differ on which one
/// counts: the audit reads the last, as serde_json does, but must not let a
/// flow pass on a value another reader would not have seen.
fn repeated_members(flow: &Flow<'_>, out: &mut Out) {
    for r in &flow.repeated {
        out.record(
            "transcript.consistency",
            Status::Fail,
            format!(
                "the JSON at line {} gives the member {:?} twice: a reader may take either value (RFC 8259 §4), so the capture says two things",
                r.value.line, r.value.name
            ),
            r.step,
        );
    }
}

/// `oidc.delivered`: the id token posted to `wire-oidc-01` is one the IdP's
/// token endpoint returned in the capture (the login shown, or a refresh),
/// as `access_token.delivered` holds the posted access token to the issued
/// one. Skipped when the capture shows no id token returned.
fn id_token_delivered(flow: &Flow<'_>, out: &mut Out) {
    let with_pointer = |t: &&At<&Token>| match &t.value.source {
        TokenSource::AcmePayload { pointer } | TokenSource::JsonField { pointer } => {
            pointer == "/id_token"
        }
        _ => false,
    };
    let posted = flow
        .tokens
        .iter()
        .filter(with_pointer)
        .find(|t| matches!(t.value.source, TokenSource::AcmePayload { .. }));
    let Some(posted) = posted else {
        return;
    };
    let returned: Vec<&At<&Token>> = flow
        .tokens
        .iter()
        .filter(with_pointer)
        .filter(|t| matches!(t.value.source, TokenSource::JsonField { .. }))
        .collect();
    let same = returned
        .iter()
        .find(|t| t.value.compact == posted.value.compact);
    match (same, returned.last()) {
        (Some(r), _) => out.record(
            "oidc.delivered",
            Status::Pass,
            format!(
                "the id token posted to ACME is the one the IdP returned at step {}",
                shown_step(r.step)
            ),
            posted.step,
        ),
        (None, Some(r)) => {
            let (expected, found) = evidence(&r.value.compact, &posted.value.compact);
            out.mismatch(
                "oidc.delivered",
                &format!(
                    "the id token posted to ACME is not the one the IdP returned at step {}",
                    shown_step(r.step)
                ),
                expected,
                found,
                posted.step,
            )
        }
        (None, None) => out.record(
            "oidc.delivered",
            Status::Skip,
            "the capture shows no id token returned by the IdP to compare the posted one with"
                .into(),
            posted.step,
        ),
    }
}

/// `oidc.*`: the id token posted to `wire-oidc-01`, with `keyauth` = the
/// challenge token and the account key's thumbprint and `acme_aud` = the
/// challenge URL. Without `--idp-key` the signature is a warning.
fn oidc(
    flow: &Flow<'_>,
    order: &Order,
    trust: &Trust,
    account: Option<&PublicKey>,
    at: UnixTime,
    segments: &mut Segments,
    out: &mut Out,
) {
    let challenge = flow.oidc_challenge();
    let Some(id_token) = &flow.id_token else {
        if let Some(c) = challenge {
            out.record(
                "oidc.format",
                Status::Skip,
                format!(
                    "the wire-oidc-01 challenge {} is offered, but no id token is posted to it in the capture",
                    c.url
                ),
                None,
            );
        }
        return;
    };
    if !out.first_time(id_token.value) {
        return;
    }
    let (keys, printed_at) = idp_trust(flow, trust);
    let claims = segments.claims(id_token.value);
    let mut keyauth = |hash| {
        let (c, key) = challenge.zip(account)?;
        Some(key_authorization(c, &out.thumbprint(key.jwk(), hash)))
    };
    let expected_keyauth = keyauth(HashAlg::Sha256);
    // SHA-256 suites (Ed25519, P-256): the key authorization itself.
    let suite_hashed = match account.map(|k| k.jwk().key_type().algorithm().suite_hash()) {
        Some(HashAlg::Sha256) => expected_keyauth.clone(),
        Some(hash) => keyauth(hash),
        None => None,
    };
    let expect = id_token_expectations(flow, order, keys, challenge, expected_keyauth, claims);
    let mut report = oidc::audit_report(id_token.value, &expect, at);
    let binding_era = binding_era(flow);
    for check in &mut report.checks {
        unbound_before_2024(check, binding_era);
        nonce_unrequested(flow, str_claim(claims, "nonce"), check);
        renewal_source(flow, claims, check);
        login_issuer_source(flow, challenge, check);
        if let Some(suite_hashed) = &suite_hashed {
            suite_hash_keyauth(check, suite_hashed);
        }
        if let (true, None, Some(step), "oidc.signature", Status::Warn) = (
            trust.transcript_keys,
            printed_at,
            flow.idp_keys_marked_invalid.first(),
            check.id,
            check.status,
        ) {
            check.message = format!(
                "{}; the key printed at step {} is marked by the capture as not verifying \
                 the token, so it is not trusted from the transcript",
                check.message,
                shown_step(*step)
            );
        }
        if let (Some(step), "oidc.signature", Status::Pass) = (printed_at, check.id, check.status) {
            check.status = Status::Warn;
            check.message = format!(
                "IdP key trusted from the transcript (printed at step {}), not pinned by you: {}",
                shown_step(step),
                check.message.replace("a pinned IdP key", "that key")
            );
        }
    }
    out.report(report, id_token.step);
    posted_keyauth(flow, challenge, expect.keyauth.as_deref(), out);
}

/// What the flow says the id token must carry: `acme_aud` and `keyauth` of
/// the `wire-oidc-01` challenge, `iss` its target, `aud` the OAuth client id
/// and `nonce` the nonce of the client's authorization request, and the
/// order's user.
fn id_token_expectations(
    flow: &Flow<'_>,
    order: &Order,
    keys: oidc::IdpTrust,
    challenge: Option<&Challenge>,
    keyauth: Option<String>,
    claims: Option<&Value>,
) -> oidc::Expectations {
    let mut expect = oidc::Expectations::new(keys);
    expect.acme_aud = challenge.map(|c| c.url.clone());
    expect.keyauth = keyauth;
    expect.iss = match challenge.and_then(|c| c.target.as_deref()) {
        Some(target) => Some(idp_issuer(target, claims)),
        None => flow
            .oauth_endpoint
            .as_ref()
            .and_then(|login| login_issuer(login.value, claims)),
    };
    expect.audience = flow.oauth_client_id.as_ref().map(|c| c.value.clone());
    expect.nonce = flow.oauth_nonce.as_ref().map(|n| n.value.clone());
    if let Some(login) = renewed_login(flow, claims) {
        expect.audience = Some(login.client_id.value.clone());
        expect.nonce = login.nonce.as_ref().map(|n| n.value.clone());
    }
    expect_user(order, claims, &mut expect);
    expect
}

/// The earlier login a renewal's id token comes from: an enrolment with no
/// authorization request of its own whose id token echoes the nonce of an
/// earlier enrolment's request (an IdP echoes the nonce of the login on every
/// refresh). Only then are that request's client id and nonce expected: a
/// renewal whose login is not in the capture has nothing to compare with.
fn renewed_login<'f>(flow: &'f Flow<'_>, claims: Option<&Value>) -> Option<&'f EarlierLogin> {
    let login = flow.earlier_login.as_ref()?;
    let nonce = login.nonce.as_ref()?;
    (str_claim(claims, "nonce") == Some(nonce.value.as_str())).then_some(login)
}

/// Says where the expected `aud` and `nonce` of a renewal came from.
fn renewal_source(flow: &Flow<'_>, claims: Option<&Value>, check: &mut Check) {
    let Some(login) = renewed_login(flow, claims) else {
        return;
    };
    if matches!(check.id, "oidc.aud" | "oidc.nonce") && check.status != Status::Skip {
        check.message = format!(
            "{} (this enrolment shows no OAuth authorization request; its id token echoes \
             the nonce of the one at step {}, an earlier enrolment of this section: a \
             renewal of that login)",
            check.message,
            shown_step(login.client_id.step)
        );
    }
}

/// `oidc.keyauth` of the challenge POST itself: a `keyauth` member beside the
/// id token (2023-11 and later clients send one) must be the key
/// authorization too. Reported only when it is not: the id token's own
/// `keyauth` is the binding the IdP signed.
fn posted_keyauth(
    flow: &Flow<'_>,
    challenge: Option<&Challenge>,
    expected: Option<&str>,
    out: &mut Out,
) {
    let (Some(challenge), Some(expected)) = (challenge, expected) else {
        return;
    };
    let posted = flow
        .challenge_posts
        .iter()
        .filter(|p| p.url == challenge.url)
        .filter_map(|p| p.keyauth.as_deref().map(|k| (p, k)));
    for (post, keyauth) in posted {
        if keyauth != expected {
            out.mismatch(
                "oidc.keyauth",
                "the keyauth member of the wire-oidc-01 POST is not the key authorization of the ACME account key",
                expected.to_owned(),
                keyauth.to_owned(),
                post.step,
            );
        }
    }
}

/// The `iss` an id token must carry: the IdP the `wire-oidc-01` challenge
/// names as its `target`. The two may differ by a trailing slash (2026-01:
/// target `http://authelia.local:40255/`, iss without one), which names the
/// same issuer; then the token's own spelling is expected, else the target.
fn idp_issuer(target: &str, claims: Option<&Value>) -> String {
    match str_claim(claims, "iss") {
        Some(iss) if iss.trim_end_matches('/') == target.trim_end_matches('/') => iss.to_owned(),
        _ => target.to_owned(),
    }
}

/// The `iss` an id token must carry when the challenge names no `target`
/// (2023-03, 2023-04): an issuer of the IdP the client's OAuth login went to,
/// that is, of its authorization endpoint's origin (`http://dex:16571/dex`
/// for `http://dex:16571/dex/auth`). The path is not compared: IdPs place
/// their endpoints under the issuer in their own ways. The origin is compared
/// as written, as an issuer is (OpenID Connect Core §3.1.3.7: `iss` "MUST
/// exactly match"), like the `target` of later eras. The token's own `iss` is
/// expected when it has that origin, else the origin itself.
fn login_issuer(endpoint: &str, claims: Option<&Value>) -> Option<String> {
    let login = written_origin(endpoint)?;
    match str_claim(claims, "iss") {
        Some(iss) if written_origin(iss) == Some(login) => Some(iss.to_owned()),
        _ => Some(login.to_owned()),
    }
}

/// `scheme://authority` of an absolute URL, as written.
fn written_origin(url: &str) -> Option<&str> {
    let authority = url.find("://")? + 3;
    let end = url[authority..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority + i);
    Some(&url[..end])
}

/// Says what `oidc.iss` was held to when no challenge names the IdP.
fn login_issuer_source(flow: &Flow<'_>, challenge: Option<&Challenge>, check: &mut Check) {
    let no_target = challenge.is_none_or(|c| c.target.is_none());
    if let (true, Some(login), "oidc.iss", Status::Pass | Status::Fail) =
        (no_target, &flow.oauth_endpoint, check.id, check.status)
    {
        check.message = format!(
            "{} (the challenge names no IdP: held to the origin of the OAuth login at step {})",
            check.message,
            shown_step(login.step)
        );
    }
}

/// The user an id token must vouch for: the order's display name and handle.
/// The claims that carry them changed over the eras: dex in 2023 wrote the
/// handle URI in `name` and the display name in `preferred_username` (2023-03,
/// 2023-11); since, `name` is the display name and `preferred_username` the
/// handle, as `handle@domain` (2026-01) or as the handle URI (2024-02,
/// keycloak). [`dex_2023_mapping`] tells them apart, and a handle compares in
/// any spelling ([`Handle::names`]); either way both
/// claims must name the order's user.
fn expect_user(order: &Order, claims: Option<&Value>, e: &mut oidc::Expectations) {
    let name = order.name.clone();
    let raw = order.handle_raw.as_deref();
    // 2023 orders may spell a handle without its domain (`im:wireapp=alice`).
    let parsed = order.handle.as_ref();
    let names = |found: &str| raw == Some(found) || parsed.is_some_and(|h| h.names(found));
    // The token's own spelling when it names the handle, else the current form.
    let handle_in = |claim_name: &str| match str_claim(claims, claim_name) {
        Some(found) if names(found) => Some(found.to_owned()),
        _ => parsed
            .map(|h| format!("{}@{}", h.handle, h.domain))
            .or_else(|| raw.map(str::to_owned)),
    };
    if dex_2023_mapping(
        str_claim(claims, "name"),
        str_claim(claims, "preferred_username"),
        name.as_deref(),
        names,
    ) {
        e.name = handle_in("name");
        e.preferred_username = name;
        return;
    }
    e.name = name;
    e.preferred_username = handle_in("preferred_username");
}

/// Whether an id token carries the user as dex did in 2023: the handle in
/// `name`, the display name in `preferred_username`. Either claim tells: a
/// `name` naming the order's handle, or a `preferred_username` that is the
/// order's display name (when `name` is not). So a token naming another user's
/// handle fails `oidc.name` alone, for the claim that is wrong, rather than
/// both claims under the other mapping.
fn dex_2023_mapping(
    name: Option<&str>,
    preferred_username: Option<&str>,
    display_name: Option<&str>,
    names_handle: impl Fn(&str) -> bool,
) -> bool {
    let Some(name) = name else {
        return false;
    };
    let display_in_preferred = preferred_username.is_some()
        && preferred_username == display_name
        && Some(name) != display_name;
    names_handle(name) || display_in_preferred
}

/// The IdP keys: pinned (`--idp-key`), else with `--trust-transcript-keys`
/// the ones printed beside the IdP's tokens (with the step they were printed
/// at, for the wording), else none.
fn idp_trust(flow: &Flow<'_>, trust: &Trust) -> (oidc::IdpTrust, Option<Option<u32>>) {
    if !trust.idp_keys.is_empty() {
        return (oidc::IdpTrust::Pinned(trust.idp_keys.clone()), None);
    }
    if trust.transcript_keys {
        let keys: Vec<oidc::IdpKey> = flow
            .idp_keys_printed
            .iter()
            .filter_map(|k| oidc::parse_idp_keys(spki_pem(k.value).as_bytes()).ok())
            .flatten()
            .collect();
        if let (false, Some(first)) = (keys.is_empty(), flow.idp_keys_printed.first()) {
            return (oidc::IdpTrust::Pinned(keys), Some(first.step));
        }
    }
    (oidc::IdpTrust::Unverified, None)
}

/// A `PUBLIC KEY` PEM block around SubjectPublicKeyInfo DER.
fn spki_pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// RFC 8555 §8.1's key authorization: the challenge token, a dot, and the
/// account key's RFC 7638 thumbprint (with SHA-256 in ACME; step-ca's
/// `wire-oidc-01` compares the id token's `keyauth` with exactly that).
fn key_authorization(challenge: &Challenge, thumbprint: &str) -> String {
    concat(&[&challenge.token, ".", thumbprint])
}

/// A `keyauth` that hashes the account key's thumbprint with its suite's hash
/// (SHA-384 for P-384, SHA-512 for P-521, as Wire's `cnf.kid` does) instead of
/// SHA-256 still names the account key, so it is a warning, not a failure:
/// the binding holds, but a server that follows RFC 8555 (step-ca) rejects it.
fn suite_hash_keyauth(check: &mut Check, suite_hashed: &str) {
    if check.id == "oidc.keyauth"
        && check.status == Status::Fail
        && check.found.as_deref() == Some(suite_hashed)
    {
        check.status = Status::Warn;
        check.message = "keyauth binds the ACME account key, but hashes its thumbprint \
             with the suite's hash, not SHA-256 as RFC 8555 §8.1 (and step-ca's \
             wire-oidc-01) require: a current server rejects it"
            .into();
    }
}

/// `oidc.nonce` with nothing to compare: the capture shows no authorization
/// request (2026-01 starts at the `wire-oidc-01` POST), a skip that says so;
/// or the client's request sent no `nonce`, which leaves nothing binding the
/// id token to this login (OpenID Connect Core §3.1.2.1 makes it optional for
/// the code flow, hence a warning, not a failure).
fn nonce_unrequested(flow: &Flow<'_>, nonce: Option<&str>, check: &mut Check) {
    if check.id != "oidc.nonce" || check.status != Status::Skip {
        return;
    }
    let nonce = nonce.map_or_else(|| "(absent)".into(), |n| format!("{n:?}"));
    check.message = match (&flow.oauth_client_id, &flow.earlier_login) {
        (None, Some(login)) => format!(
            "nonce {nonce} not compared: this enrolment shows no OAuth authorization request, \
             and the id token does not echo the nonce of the one at step {} (an earlier \
             enrolment of this section)",
            shown_step(login.client_id.step)
        ),
        (None, None) => {
            format!("nonce {nonce} not compared: the capture shows no OAuth authorization request")
        }
        (Some(request), _) => {
            check.status = Status::Warn;
            format!(
                "the OAuth authorization request (step {}) sends no nonce: nothing binds the \
                 id token (nonce {nonce}) to this login",
                shown_step(request.step)
            )
        }
    };
}

/// An id token with no `keyauth` / `acme_aud` at all is how the protocol was
/// until early 2024: the claims did not exist yet (a 2024-01-16 keycloak
/// capture carries `keyauth` but no `acme_aud`; a 2024-03-28 one both). Early id tokens (2023-02) also
/// named only some of the user's names (no `preferred_username`). In a capture
/// that is a weakness of its era, reported as a warning; a value that is
/// present and wrong stays a failure, and a server (`challenge`) rejects both.
/// A flow of the binding era ([`binding_era`]) lacking `keyauth` or
/// `acme_aud` is no such capture: the failure stands, saying why.
fn unbound_before_2024(check: &mut Check, binding_era: bool) {
    if matches!(check.id, "oidc.name" | "oidc.preferred_username")
        && check.status == Status::Fail
        && check.found.is_none()
    {
        check.status = Status::Warn;
        check.message = format!(
            "the id token has no {} claim: the IdP does not vouch for the order's {} \
             (early id tokens carried only some of the user's names; a current server rejects this)",
            check.id.trim_start_matches("oidc."),
            if check.id == "oidc.name" { "display name" } else { "handle" }
        );
        return;
    }
    let binding = matches!(check.id, "oidc.keyauth" | "oidc.acme_aud");
    if binding && binding_era && check.status == Status::Fail && check.found.is_none() {
        check.message.push_str(
            " (the order names wireapp-device / wireapp-user identifiers: early 2024 on, \
             when id tokens carry it)",
        );
        return;
    }
    if binding && check.status == Status::Fail && check.found.is_none() {
        check.status = Status::Warn;
        check.message = format!(
            "the id token has no {} claim: it is not bound to the ACME {} \
             (id tokens carried no such binding until early 2024; a current server rejects this)",
            check.id.trim_start_matches("oidc."),
            if check.id == "oidc.keyauth" {
                "account"
            } else {
                "challenge"
            }
        );
    }
}

/// `transcript.secrets`: a printed private key lets anyone holding the capture
/// sign as its owner; a printed password or OAuth client secret lets them log
/// in or obtain tokens as the client.
fn secrets(flow: &Flow<'_>, out: &mut Out) {
    for s in &flow.secrets {
        out.record(
            "transcript.secrets",
            Status::Warn,
            format!(
                "a private key ({}) is printed at line {}: whoever holds the capture can sign with it",
                s.value.label, s.value.line
            ),
            s.step,
        );
    }
    for c in &flow.credentials {
        out.record(
            "transcript.secrets",
            Status::Warn,
            format!(
                "{} is printed at line {}: whoever holds the capture can use it",
                c.value.what, c.value.line
            ),
            c.step,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::AcmeJws;
    use serde_json::json;

    /// What `body_form` reports for the request body `body` at step 9.
    fn form_checks(body: Value) -> Vec<(&'static str, Status, Option<u32>, String)> {
        let Ok(jws) = AcmeJws::from_body(body) else {
            return Vec::new();
        };
        let req = AcmeRequest {
            step: Some(9),
            url: "https://acme.example.com/acme/wire/authz/1",
            jws: &jws,
            bad_nonce: false,
        };
        let mut out = Out::default();
        body_form(&req, &mut out);
        out.checks
            .into_iter()
            .map(|c| (c.id, c.status, c.step, c.message))
            .collect()
    }

    /// A flattened body is not reported; one in another form fails
    /// `acme.jws.format` once at its step, naming every way it departs.
    #[test]
    fn a_body_in_another_form_fails_format_at_its_step() {
        let flat = json!({"protected": "eyJhIjoxfQ", "payload": "", "signature": "c2ln"});
        assert!(form_checks(flat).is_empty());
        let general =
            json!({"signatures": [{"protected": "eyJhIjoxfQ", "signature": "c2ln", "header": {}}]});
        let checks = form_checks(general);
        let [(id, status, step, message)] = checks.as_slice() else {
            panic!("{checks:?}");
        };
        assert_eq!(
            (*id, *status, *step),
            ("acme.jws.format", Status::Fail, Some(9))
        );
        for part in [
            "general JWS serialization",
            "no \"payload\"",
            "unprotected \"header\"",
        ] {
            assert!(message.contains(part), "{message}");
        }
    }

    /// Evidence of two tokens that differ only between their short forms'
    /// head and tail names the part that differs, never two equal texts.
    #[test]
    fn evidence_of_two_tokens_never_reads_the_same() {
        let a = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLWJ5dGVzLW9uZQ-_pgrvWQ";
        let b = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLWJ5dGVzLW9uZR-_pgrvWQ";
        let (x, y) = evidence(a, b);
        assert_ne!(x, y);
        assert!(
            x.starts_with("differs in the signature at character 63: "),
            "{x}"
        );
        let c = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiIn0.c2lnbmF0dXJlLWJ5dGVzLW9uZQ-_pgrvWQ";
        assert!(
            evidence(a, c).0.starts_with("differs in the claims"),
            "{:?}",
            evidence(a, c)
        );
        assert_eq!(
            evidence("short.a.b", "short.a.c"),
            ("short.a.b".into(), "short.a.c".into())
        );
        assert_eq!(
            evidence(
                "eyJhbGciOiJFUzI1NiJ9.eyJ.x",
                "eyJhbGciOiJFUzI1NiJ9.eyJ.y1234567890"
            ),
            (
                "eyJhbGciOiJF…J9.eyJ.x".to_owned(),
                "eyJhbGciOiJF…34567890".to_owned()
            )
        );
    }

    /// Without a challenge target, the id token's issuer is held to the
    /// origin of the OAuth login: its own spelling when the origin matches as
    /// written (any path), the login's origin when not (another host case
    /// included: an issuer matches exactly).
    #[test]
    fn the_login_issuer_is_the_origin_of_the_oauth_login() {
        let claims = |iss: &str| serde_json::json!({ "iss": iss });
        let auth = "http://dex:16571/dex/auth?response_type=code&client_id=wireapp";
        for (iss, expected) in [
            ("http://dex:16571/dex", "http://dex:16571/dex"),
            ("http://dex:16571/other", "http://dex:16571/other"),
            ("http://dex:16571", "http://dex:16571"),
            ("http://DEX:16571/dex", "http://dex:16571"),
            ("http://dex:16571:80/dex", "http://dex:16571"),
            ("https://dex:16571/dex", "http://dex:16571"),
            ("http://dex:16572/dex", "http://dex:16571"),
            ("https://idp.example.net/realms/mallory", "http://dex:16571"),
            ("dex", "http://dex:16571"),
        ] {
            assert_eq!(
                login_issuer(auth, Some(&claims(iss))).as_deref(),
                Some(expected),
                "{iss}"
            );
        }
        assert_eq!(
            login_issuer(auth, None).as_deref(),
            Some("http://dex:16571")
        );
        assert_eq!(login_issuer("not a url", Some(&claims("x"))), None);
    }

    /// The device of an access-token URL in either era's spelling, the
    /// proof's device preferred when a URL reads as both; anything else none.
    #[test]
    fn the_access_token_urls_device_is_read_in_either_spelling() {
        let url = |d: &str| format!("https://wire.example.com/clients/{d}/access-token");
        let dev = 0x9e4e_f7e7_2ec9_e5b9_u64;
        assert_eq!(url_device(&url("11407327478470534585"), dev), Some(dev));
        assert_eq!(url_device(&url("9e4ef7e72ec9e5b9"), dev), Some(dev));
        assert_eq!(url_device(&url("9E4EF7E72EC9E5B9"), dev), Some(dev));
        // Another device: hex when 16 hex digits, else decimal.
        assert_eq!(
            url_device(&url("0123456789abcdef"), dev),
            Some(0x0123_4567_89ab_cdef)
        );
        assert_eq!(url_device(&url("1234"), dev), Some(1234));
        // All digits read as both: the proof's device wins only if it is one.
        assert_eq!(url_device(&url("1234"), 0x1234), Some(0x1234));
        assert_eq!(
            url_device(&url("1234567890123456"), 7),
            Some(0x1234_5678_9012_3456)
        );
        let elsewhere = "https://wire.example.com/clients/9e4ef7e72ec9e5b9/nonce";
        for bad in [
            elsewhere,
            "https://wire.example.com/",
            &url(""),
            &url("x1"),
            &url("1/2"),
        ] {
            assert_eq!(url_device(bad, dev), None, "{bad}");
        }
        assert_eq!(
            url_device(&format!("{}?a=/access-token", url("12")), dev),
            Some(12)
        );
    }

    /// The 2023 dex mapping is recognised from either claim, so one wrong
    /// claim fails alone.
    #[test]
    fn the_2023_claim_mapping_is_told_by_either_claim() {
        let handle = |n: &str| n == "im:wireapp=%40alice@wire.com";
        let map = |name, pref| dex_2023_mapping(name, pref, Some("Alice Smith"), handle);
        assert!(map(
            Some("im:wireapp=%40alice@wire.com"),
            Some("Alice Smith")
        ));
        assert!(map(
            Some("im:wireapp=%40mallory@wire.com"),
            Some("Alice Smith")
        ));
        // Neither claim tells: the current mapping, where `name` fails alone
        // if `preferred_username` names the order's handle.
        assert!(!map(
            Some("im:wireapp=%40mallory@wire.com"),
            Some("alice@wire.com")
        ));
        assert!(map(Some("Mallory"), Some("Alice Smith")));
        assert!(!map(Some("Alice Smith"), Some("alice@wire.com")));
        assert!(!map(Some("Alice Smith"), Some("Alice Smith")));
        assert!(!map(Some("Mallory"), Some("mallory@wire.com")));
        assert!(!map(None, Some("Alice Smith")));
    }

    /// Before 2024 a token naming itself as audience is a warning; in a flow
    /// of the binding era it stays a failure, saying why.
    #[test]
    fn the_tokens_own_iss_fails_in_the_binding_era() {
        let mut c = Check::new("access_token.aud", Status::Fail, "aud differs");
        audience(
            &mut c,
            Some(&serde_json::json!({"aud": ISS, "iss": ISS})),
            true,
        );
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.contains("wireapp-device"), "{}", c.message);
    }

    const CHALLENGE: &str = "https://acme.example.com/acme/wire/challenge/a/b";
    const ISS: &str = "https://wire.example.com/clients/1/access-token";

    /// `access_token.aud` as the library fails it, then re-judged.
    fn judged(aud: Value) -> Check {
        let mut c = Check::new("access_token.aud", Status::Fail, "aud differs");
        c.expected = Some(CHALLENGE.into());
        c.found = Some(aud.to_string());
        audience(
            &mut c,
            Some(&serde_json::json!({"aud": aud, "iss": ISS})),
            false,
        );
        c
    }

    #[test]
    fn the_tokens_own_iss_warns_as_a_string_or_an_array() {
        for aud in [serde_json::json!(ISS), serde_json::json!([ISS])] {
            let c = judged(aud.clone());
            assert_eq!(c.status, Status::Warn, "{aud}");
            assert!(c.message.contains("names wire-server itself"), "{aud}");
            assert_eq!(c.expected.as_deref(), Some(CHALLENGE));
            assert!(c.found.is_some(), "{aud}");
        }
    }

    #[test]
    fn any_other_audience_stays_a_failure() {
        for aud in [
            serde_json::json!("https://acme.example.org/acme/wire"),
            serde_json::json!([CHALLENGE, "https://elsewhere.example.com/"]),
            serde_json::json!([CHALLENGE, ISS]),
            serde_json::json!([ISS, 1]),
            serde_json::json!([]),
            serde_json::json!(null),
        ] {
            let c = judged(aud.clone());
            assert_eq!(
                (c.status, c.message.as_str()),
                (Status::Fail, "aud differs"),
                "{aud}"
            );
        }
    }

    /// A P-384 `keyauth` hashed with SHA-384 names the account key but is not
    /// RFC 8555's key authorization: warned. Any other mismatch stays failed.
    #[test]
    fn a_suite_hash_keyauth_warns_and_other_mismatches_fail() {
        let failed = |found: &str| {
            let mut c = Check::new("oidc.keyauth", Status::Fail, "keyauth differs");
            c.expected = Some("tok.sha256".into());
            c.found = Some(found.into());
            c
        };
        let mut c = failed("tok.sha384");
        suite_hash_keyauth(&mut c, "tok.sha384");
        assert_eq!(c.status, Status::Warn);
        assert!(c.message.contains("RFC 8555"), "{}", c.message);
        for other in ["tok.other", "other.sha384", ""] {
            let mut c = failed(other);
            suite_hash_keyauth(&mut c, "tok.sha384");
            assert_eq!(c.status, Status::Fail, "{other}");
        }
    }

    /// The order's user as each era's id token names it, the 2023-07 order's
    /// handle without a domain (`im:wireapp=alice_wire`) included.
    #[test]
    fn the_id_token_user_mapping_follows_the_tokens_era() {
        let order = |handle: &str| Flow {
            identifiers: vec![serde_json::json!({
                "type": "wireapp-id",
                "value": serde_json::json!({"name": "Alice Smith", "handle": handle}).to_string(),
            })],
            ..Flow::default()
        };
        let expected = |flow: &Flow<'_>, claims: Value| {
            let mut e = oidc::Expectations::new(oidc::IdpTrust::Unverified);
            expect_user(&Order::read(flow), Some(&claims), &mut e);
            (e.name, e.preferred_username)
        };
        let alice = |s: &str| Some(s.to_owned());
        let legacy = order("im:wireapp=alice_wire");
        assert_eq!(
            expected(
                &legacy,
                serde_json::json!({"name": "im:wireapp=alice_wire", "preferred_username": "Alice Smith"})
            ),
            (alice("im:wireapp=alice_wire"), alice("Alice Smith"))
        );
        let current = order("wireapp://%40alice_wire@wire.com");
        assert_eq!(
            expected(
                &current,
                serde_json::json!({"name": "Alice Smith", "preferred_username": "wireapp://%40alice_wire@wire.com"})
            ),
            (
                alice("Alice Smith"),
                alice("wireapp://%40alice_wire@wire.com")
            )
        );
        // Another user's handle: the current form is expected, so the check fails.
        assert_eq!(
            expected(
                &current,
                serde_json::json!({"name": "Alice Smith", "preferred_username": "mallory@wire.com"})
            ),
            (alice("Alice Smith"), alice("alice_wire@wire.com"))
        );
    }

    /// A handle the order spells without its domain is on the order's
    /// `domain` (2023-05: `"handle":"im:wireapp=alice_wire","domain":"wire.com"`);
    /// without a `domain` member it stays unknown.
    #[test]
    fn a_domainless_handle_is_on_the_orders_domain() {
        let order = |value: Value| Flow {
            identifiers: vec![serde_json::json!({
                "type": "wireapp-id",
                "value": value.to_string(),
            })],
            ..Flow::default()
        };
        let with_domain = order(serde_json::json!({
            "name": "Alice Smith", "domain": "wire.com", "handle": "im:wireapp=alice_wire"
        }));
        assert_eq!(
            Order::read(&with_domain).handle,
            Some(Handle::parse("wireapp://%40alice_wire@wire.com").unwrap())
        );
        let without = order(serde_json::json!({"handle": "im:wireapp=alice_wire"}));
        assert_eq!(Order::read(&without).handle, None);
        // A handle with its own domain keeps it.
        let own = order(serde_json::json!({
            "domain": "wire.com", "handle": "im:wireapp=alice@other.example"
        }));
        assert_eq!(
            Order::read(&own).handle,
            Some(Handle::parse("im:wireapp=alice@other.example").unwrap())
        );
    }

    /// A `wire-oidc-01` challenge offered and never answered is said, not
    /// silently absent from the report; a flow without one reports nothing.
    #[test]
    fn an_unanswered_oidc_challenge_is_reported() {
        let oidc_ids = |flow: &Flow<'_>| {
            let mut out = Out::default();
            oidc(
                flow,
                &Order::read(flow),
                &Trust::default(),
                None,
                0,
                &mut Segments::default(),
                &mut out,
            );
            out.checks
                .iter()
                .map(|c| (c.id, c.status, c.message.contains("no id token is posted")))
                .collect::<Vec<_>>()
        };
        assert_eq!(oidc_ids(&Flow::default()), []);
        let offered = Flow {
            challenges: vec![Challenge {
                kind: "wire-oidc-01".into(),
                url: "https://acme.example.com/acme/wire/challenge/a/b".into(),
                token: "tok".into(),
                target: Some("https://idp.example.com".into()),
                authz: 0,
            }],
            ..Flow::default()
        };
        assert_eq!(oidc_ids(&offered), [("oidc.format", Status::Skip, true)]);
    }

    /// An enrolment that shows HTTP and reads no ACME request fails
    /// `transcript.consistency`; one that shows no HTTP (tokens alone), or
    /// reads an ACME request, does not.
    #[test]
    fn http_without_an_acme_request_is_reported() {
        let lost = |flow: &Flow<'_>| {
            let mut out = Out::default();
            acme_side_read(flow, &mut out);
            out.checks
                .iter()
                .map(|c| (c.id, c.status, c.step))
                .collect::<Vec<_>>()
        };
        assert_eq!(lost(&Flow::default()), []);
        let http = Flow {
            first_http: Some(At {
                value: 9,
                step: Some(1),
            }),
            ..Flow::default()
        };
        assert_eq!(
            lost(&http),
            [("transcript.consistency", Status::Fail, Some(1))]
        );
        let text = "# t\n\n#### 1. x\n\n```http request\n> GET https://a.example/acme/wire/directory\n```\n\n```http request\n| POST https://a.example/acme/wire/new-account\n```\n";
        let transcript = crate::transcript::parse(text).expect("a capture");
        let flows: Vec<Flow<'_>> = transcript
            .sections
            .iter()
            .flat_map(super::super::reconstruct::enrolments)
            .collect();
        let first = flows.first().and_then(|f| f.first_http.as_ref());
        assert_eq!(first.map(|a| (a.value, a.step)), Some((5, Some(1))));
        let messages: Vec<String> = {
            let mut out = Out::default();
            acme_side_read(&flows[0], &mut out);
            out.checks.into_iter().map(|c| c.message).collect()
        };
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("the http block at line 9 is neither a request nor a response (it begins \"| POST https://a.example/acme/wire/new-account\")"), "{messages:?}");
        assert!(messages[1].starts_with("no ACME request is read from this enrolment, though its HTTP blocks begin at line 5"), "{messages:?}");
        // An empty http block shows nothing: no exchange is lost.
        let empty = "# t\n\n#### 1. x\n\n```http request\n\n```\n\n```http request\n200\n```\n";
        let transcript = crate::transcript::parse(empty).expect("a capture");
        let flow = super::super::reconstruct::enrolments(&transcript.sections[0]).remove(0);
        assert!(flow.unread_http.is_empty());
        assert_eq!(flow.first_http.map(|a| a.value), Some(9));
    }
}
