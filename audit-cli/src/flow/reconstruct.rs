//! The flow model: what one ciphersuite section of a capture says happened.
//!
//! Items are read in document order and paired the way HTTP pairs them: a JSON
//! body after a request is what the client sent, after a response what the
//! server answered. Nothing is verified here; the model only records what each
//! party sent, with the step it was sent at, so the checks can compare steps.

use crate::transcript::{
    header_and_payload, AcmeJws, DerObject, HttpRequest, ItemKind, ObjectKind, ObjectSource,
    Repeated, Section, Step, Token, TokenSource,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

/// A value and the step it was captured at (`None`: an unnumbered step).
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub step: Option<u32>,
}

/// One ACME POST and its flattened JWS body.
#[derive(Clone, Debug)]
pub struct AcmeRequest<'t> {
    pub step: Option<u32>,
    /// The URL the request was sent to.
    pub url: &'t str,
    pub jws: &'t AcmeJws,
    /// Answered `badNonce` (RFC 8555 §6.5): refused for its nonce, and
    /// retried with the fresh one the answer carried.
    pub bad_nonce: bool,
}

impl AcmeRequest<'_> {
    /// New-account is the one request signed with its own `jwk`.
    pub fn is_new_account(&self) -> bool {
        path_ends_with(self.url, "new-account")
    }
}

/// What the nonce ledger replays, in document order.
#[derive(Clone, Debug)]
pub enum NonceEvent {
    /// A `replay-nonce` header of a response.
    Issued { nonce: String, step: Option<u32> },
    /// The `nonce` of an ACME request (index into [`Flow::acme`]).
    Used { request: usize },
}

/// An ACME challenge offered by an authorization.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub kind: String,
    pub url: String,
    pub token: String,
    /// `target` (wire-dpop-01 / wire-oidc-01 only).
    pub target: Option<String>,
    /// Index of the authorization (order of the capture) that offered it.
    pub authz: usize,
}

/// A token the client posted to an ACME challenge (`None`: empty payload).
#[derive(Clone, Debug)]
pub struct ChallengePost<'t> {
    pub url: &'t str,
    pub step: Option<u32>,
    pub access_token: Option<String>,
    /// The payload's own `keyauth` member (`wire-oidc-01`, 2023-11 and later).
    pub keyauth: Option<String>,
}

/// The OAuth authorization request of an earlier enrolment of the section.
#[derive(Clone, Debug)]
pub struct EarlierLogin {
    pub client_id: At<String>,
    pub nonce: Option<At<String>>,
}

/// Everything one section says about one enrolment.
#[derive(Debug, Default)]
pub struct Flow<'t> {
    pub suite: String,
    pub acme: Vec<AcmeRequest<'t>>,
    pub nonces: Vec<NonceEvent>,
    /// `location` of the new-account response.
    pub account_url: Option<At<&'t str>>,
    /// The new-order payload's identifiers (the signed bytes).
    pub identifiers: Vec<Value>,
    pub challenges: Vec<Challenge>,
    pub challenge_posts: Vec<ChallengePost<'t>>,
    /// The challenge objects the ACME server answered challenge POSTs with:
    /// each must be the challenge its authorization offered.
    pub answered_challenges: Vec<At<Challenge>>,
    /// The identifiers of the ACME server's answer to new-order: the order it
    /// created, which must be the one the signed request asked for.
    pub answered_identifiers: Option<At<Vec<Value>>>,
    /// Responses with an HTTP error status (4xx, 5xx) whose body is a result
    /// the flow could use (a token, an ACME object), with that status.
    pub error_answers: Vec<At<u16>>,
    /// Every ACME answer describing the order (new-order's and later ones).
    pub order_answers: Vec<At<OrderAnswer>>,
    /// How many of [`Flow::order_answers`] the capture shows before the
    /// first finalize request.
    pub order_answers_before_finalize: usize,
    /// The ACME directory the enrolment fetched: the URLs of `newNonce`,
    /// `newAccount` and `newOrder` its requests must go to.
    pub directory: Option<At<Map<String, Value>>>,
    /// The ACME requests sent to a directory resource (their path ends
    /// `new-nonce`, `new-account` or `new-order`): the directory member that
    /// names it, and the URL the request went to.
    pub directory_requests: Vec<At<(&'static str, &'t str)>>,
    /// The ACME requests that fetch an authorization (`…/authz/…`), by URL.
    pub authz_fetches: Vec<At<&'t str>>,
    /// The `expires` of each order and authorization answer read before the
    /// finalize request: that request is a use of both.
    pub expiring: Vec<At<Expiring>>,
    /// The first finalize request: its step, and how many of [`Flow::tokens`]
    /// the capture showed before it (each issued before the order was
    /// finalized).
    pub finalize: Option<At<usize>>,
    /// Challenge POSTs answered with another challenge (URL posted to, URL
    /// answered).
    pub misanswered: Vec<At<(&'t str, String)>>,
    /// ACME objects the server answered in a final state no certificate can
    /// follow (`invalid`, `expired`, `revoked`, `deactivated`), named with that
    /// state for a message.
    pub refused: Vec<At<String>>,
    /// The bodies of the responses to `GET …/nonce` at wire-server, in
    /// order: a client may fetch one again (a timeout, a `use_dpop_nonce`
    /// answer) and make its proof with the later one.
    pub wire_nonces: Vec<At<String>>,
    /// The opening line of the first http block of the enrolment that holds
    /// something (read as a message or not): a flow that shows HTTP and reads
    /// no ACME request from it has lost its ACME side.
    pub first_http: Option<At<usize>>,
    /// http blocks that hold something but are neither a request nor a
    /// response: their opening line and first line.
    pub unread_http: Vec<At<(usize, &'t str)>>,
    /// The request to wire-server's `…/access-token` (whatever its method):
    /// the trade, which the proof's `htm` and `htu` name.
    pub access_token_request: Option<At<&'t HttpRequest<'t>>>,
    /// The DPoP proof shown: the first `dpop+jwt` token printed on its own,
    /// else the first a `dpop:` header carries. A capture may print the
    /// request first and the proof it carried after it; the header is then
    /// compared with the proof shown all the same.
    pub proof: Option<At<&'t str>>,
    /// Whether [`Flow::proof`] is a `dpop:` header's (no proof printed on its
    /// own yet).
    pub proof_from_header: bool,
    /// First `at+jwt` token wire-server returned (not the one posted to ACME).
    pub access_token: Option<At<&'t str>>,
    /// Public keys printed in the access-token step ("verified with key").
    pub issuer_keys_printed: Vec<At<&'t [u8]>>,
    /// Public keys printed in a step that shows an id token and no access
    /// token ("Signature Verified with key" under the IdP's token): the IdP's.
    pub idp_keys_printed: Vec<At<&'t [u8]>>,
    /// Steps printing a key, beside the IdP's token, that the capture's own
    /// tool marks as not verifying it (`❌ Invalid Signature with key:`): never
    /// trusted, but worth naming when the signature is left unverified.
    pub idp_keys_marked_invalid: Vec<Option<u32>>,
    /// The `client_id` of the client's OAuth authorization request to the IdP:
    /// the audience its id token must name.
    pub oauth_client_id: Option<At<String>>,
    /// The `nonce` of that request: the id token must echo it.
    pub oauth_nonce: Option<At<String>>,
    /// The URL of that request (else of the authorization-code token
    /// request): the IdP the login went to, which the id token's `iss` must
    /// name when no challenge `target` does (2023-03/04).
    pub oauth_endpoint: Option<At<&'t str>>,
    /// In an enrolment that shows no OAuth authorization request, the client id
    /// and nonce of the last one an earlier enrolment of the same section sent:
    /// a renewal may take its id token from that login (a refresh token).
    pub earlier_login: Option<EarlierLogin>,
    /// The ACME nonces earlier enrolments of the same section used, with the
    /// step of the request: one used again here is a replay, not a nonce from
    /// an exchange missing from the capture.
    pub earlier_nonces: Vec<At<String>>,
    /// What earlier enrolments of the same section went through, when they
    /// are not this enrolment printed again ([`printed_again`]): their
    /// challenge tokens and URLs, their order URLs and their proofs' `jti`s
    /// ([`JTI`]-prefixed). A renewal answers
    /// challenges and finalizes an order of its own.
    pub earlier_exchanges: Vec<At<String>>,
    /// `location` of the new-order response: the order this enrolment got.
    pub order_url: Option<At<&'t str>>,
    /// The PKCE `code_challenge` of that request and its `code_challenge_method`
    /// (absent means `plain`, RFC 7636 §4.3).
    pub oauth_pkce: Option<At<(String, Option<String>)>>,
    /// The PKCE `code_verifier` the client sent to the IdP's token endpoint.
    pub oauth_code_verifier: Option<At<String>>,
    /// OAuth parameters the authorization request or the token request gives
    /// more than once (RFC 6749 §3.1 forbids it), with the request they are in.
    pub oauth_repeated: Vec<At<Repeat>>,
    /// The id token posted to ACME, else the first one seen.
    pub id_token: Option<At<&'t str>>,
    /// The finalize CSR (signed bytes).
    pub csr: Option<At<&'t [u8]>>,
    /// CSRs printed as PEM blocks (`###### CSR:`): views of the finalize CSR.
    pub printed_csrs: Vec<At<&'t DerObject<'t>>>,
    pub certificates: Vec<At<&'t DerObject<'t>>>,
    /// Every token occurrence, with its step.
    pub tokens: Vec<At<&'t Token>>,
    /// Every ACME JWS that carries a decoded view.
    pub decoded_jws: Vec<At<&'t AcmeJws>>,
    /// Steps whose requests carry more `dpop:` headers than the reader took
    /// a compact JWS from (a header cut, folded beyond repair or altered),
    /// with how many.
    pub unread_dpop_headers: Vec<At<usize>>,
    /// ACME POSTs whose body is not a JWS: the URL, and what the capture
    /// shows instead.
    pub unsigned_posts: Vec<At<(&'t str, PostBody)>>,
    /// JSON blocks (answers, bodies, decoded views) that give a member twice.
    pub repeated: Vec<At<&'t Repeated>>,
    /// Private keys printed.
    pub secrets: Vec<At<&'t DerObject<'t>>>,
    /// Credentials printed in requests: passwords, OAuth client secrets.
    pub credentials: Vec<At<PrintedCredential>>,
}

/// What a capture shows as the body of an ACME POST that is not a JWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostBody {
    /// JSON, but not a JWS: an unsigned request.
    Json,
    /// A json block that does not parse.
    NotJson,
    /// A text block (a compact JWS, a form, a note): not the flattened JSON
    /// serialization RFC 8555 §6.2 requires.
    Text,
    /// Nothing: the request is followed by its response or by the next one.
    Missing,
}

/// The `expires` an ACME answer gives an order or an authorization.
#[derive(Clone, Debug, PartialEq)]
pub struct Expiring {
    /// `"order"` or `"authorization"`.
    pub what: &'static str,
    /// As answered (RFC 3339, not yet read; a value that is not a string as
    /// its JSON text).
    pub expires: String,
}

/// A credential a request of the capture carries in the clear.
#[derive(Clone, Debug)]
pub struct PrintedCredential {
    /// What it is, for a person (`the OAuth client secret of client wireapp …`).
    pub what: String,
    /// Line of the capture it is printed on.
    pub line: usize,
}

impl Flow<'_> {
    /// The challenge the DPoP proof answers: `wire-dpop-01`, or in 2023-01 (no
    /// Wire challenge types yet) the first authorization's challenges, which all
    /// share one token.
    ///
    /// A capture that leaves out the authorization's answer still shows the
    /// challenge in the answer to its POST (type, URL, token, target): that
    /// one is taken then. A `wire-oidc-01` challenge is never the one a DPoP
    /// proof answers.
    pub fn dpop_challenge(&self) -> Option<&Challenge> {
        self.offered_or_answered("wire-dpop-01")
            .or_else(|| {
                self.challenges
                    .iter()
                    .filter(|c| c.authz == 0)
                    .find(|c| c.kind == "http-01")
            })
            .or_else(|| {
                self.challenges
                    .first()
                    .filter(|c| !c.kind.starts_with("wire-"))
            })
    }

    /// The `wire-oidc-01` challenge (2023-11 on), offered or, when the
    /// capture leaves out the authorization's answer, answered.
    pub fn oidc_challenge(&self) -> Option<&Challenge> {
        self.offered_or_answered("wire-oidc-01")
    }

    fn offered_or_answered(&self, kind: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.kind == kind).or_else(|| {
            self.answered_challenges
                .iter()
                .map(|a| &a.value)
                .find(|c| c.kind == kind)
        })
    }

    /// The POST that should have delivered the access token: to the dpop
    /// challenge's URL, else the first challenge POST.
    pub fn delivery(&self) -> Option<&ChallengePost<'_>> {
        let target = self.dpop_challenge().map(|c| c.url.as_str());
        self.challenge_posts
            .iter()
            .find(|p| Some(p.url) == target)
            .or_else(|| self.challenge_posts.first())
    }
}

impl<'t> Flow<'t> {
    /// The downloaded chain, leaf first. The response body (a JSON array of
    /// base64 DER, a PEM string in JSON, or the PEM text the server sends) is
    /// the truth; the PEM blocks printed beside it are a view, used only when
    /// the body was not captured.
    /// Only the first step holding certificates of the chosen kind counts: a
    /// capture downloads one chain.
    pub fn downloaded_chain(&self) -> Vec<&At<&'t DerObject<'t>>> {
        let body: Vec<_> = self.certificates.iter().filter(|c| in_body(c)).collect();
        let chosen = if body.is_empty() {
            self.printed_certificates()
        } else {
            body
        };
        let step = chosen.first().map(|c| c.step);
        chosen
            .into_iter()
            .take_while(|c| Some(c.step) == step)
            .collect()
    }

    /// Certificates printed as PEM blocks (views, or a root shown beside the chain).
    pub fn printed_certificates(&self) -> Vec<&At<&'t DerObject<'t>>> {
        self.certificates.iter().filter(|c| !in_body(c)).collect()
    }
}

/// Whether a certificate comes from a response body rather than a printed block.
fn in_body(c: &At<&DerObject>) -> bool {
    matches!(
        c.value.source,
        ObjectSource::JsonPem { .. } | ObjectSource::JsonDerArray { .. } | ObjectSource::PemBody
    )
}

/// Whether the last segment of `url`'s path (query, fragment and trailing `/`
/// aside) is `last`. Bytewise (every delimiter is ASCII): this runs for every
/// request of a flow, several times.
pub(crate) fn path_ends_with(url: &str, last: &str) -> bool {
    let bytes = url.as_bytes();
    let path = bytes
        .get(..memchr::memchr2(b'?', b'#', bytes).unwrap_or(bytes.len()))
        .unwrap_or(bytes);
    let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    let path = path.get(..end).unwrap_or(path);
    let start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
    path.get(start..) == Some(last.as_bytes())
}

fn is_acme(url: &str) -> bool {
    url.contains("/acme/")
}

/// Which request a following body belongs to, and which response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Request,
    Response,
}

/// Reads one section into one flow per enrolment it records.
///
/// A section usually holds one enrolment, but a capture may run a second one
/// (a renewal with the same ACME account) under the same suite line, its step
/// numbers continuing (2024-02: steps 31 to 56 after 1 to 30). Read as one
/// flow, the renewal's id token would be judged against the first
/// enrolment's challenge and its certificate never looked at. Every
/// enrolment starts by fetching the ACME directory, so each directory fetch
/// after the first starts a new flow; a section without one stays one flow.
pub fn enrolments<'t>(section: &'t Section<'_>) -> Vec<Flow<'t>> {
    let suite = section
        .suite_line
        .map_or_else(|| "(no suite line)".to_owned(), str::to_owned);
    let starts: Vec<usize> = section
        .steps
        .iter()
        .enumerate()
        .filter(|(_, step)| fetches_directory(step))
        .map(|(i, _)| i)
        .skip(1)
        .collect();
    let numbers = step_numbers(section);
    let numbered = |range: std::ops::Range<usize>| {
        let steps = section.steps.get(range.clone()).unwrap_or_default();
        let numbers = numbers.get(range).unwrap_or_default();
        numbers.iter().copied().zip(steps)
    };
    let mut flows = Vec::with_capacity(starts.len() + 1);
    let first_end = starts.first().copied().unwrap_or(section.steps.len());
    flows.push(reconstruct(
        suite.clone(),
        std::iter::once((None, &section.preamble)).chain(numbered(0..first_end)),
    ));
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(section.steps.len());
        let from = numbers
            .get(start)
            .copied()
            .flatten()
            .map(|n| format!(", from step {n}"))
            .unwrap_or_default();
        let label = format!("{suite} (enrolment {}{from})", k + 2);
        let mut flow = reconstruct(label, numbered(start..end));
        flow.earlier_nonces = flows.iter().flat_map(used_nonces).collect();
        flow.earlier_exchanges = flows
            .iter()
            .filter(|f| !printed_again(f, &flow))
            .flat_map(exchanges)
            .collect();
        if flow.oauth_client_id.is_none() {
            flow.earlier_login = flows.iter().rev().find_map(|f: &Flow<'_>| {
                Some(EarlierLogin {
                    client_id: f.oauth_client_id.clone()?,
                    nonce: f.oauth_nonce.clone(),
                })
            });
        }
        flows.push(flow);
    }
    flows
}

/// The number each step of a section is reported and ordered by: its own,
/// unless two steps of the section share one, then its position in the
/// section. A generator numbering each phase from 1, or every step `1.` (a
/// Markdown list), gives one number to steps far apart, and every rule that
/// asks which artefact came first would read them as one step.
fn step_numbers(section: &Section<'_>) -> Vec<Option<u32>> {
    let own: Vec<Option<u32>> = section.steps.iter().map(|s| s.number).collect();
    let mut seen: Vec<u32> = own.iter().flatten().copied().collect();
    seen.sort_unstable();
    if seen.windows(2).all(|w| w[0] != w[1]) {
        own
    } else {
        (1..=u32::try_from(section.steps.len()).unwrap_or(u32::MAX))
            .map(Some)
            .collect()
    }
}

/// Whether `later` is `earlier` printed again (2024-02-14 prints its first
/// enrolment twice): the same DPoP proof, or an ACME request signed once,
/// shown in both.
fn printed_again(earlier: &Flow<'_>, later: &Flow<'_>) -> bool {
    let (a, b) = (earlier.proof.as_ref(), later.proof.as_ref());
    if a.zip(b).is_some_and(|(a, b)| a.value == b.value) {
        return true;
    }
    earlier.acme.iter().any(|a| {
        later
            .acme
            .iter()
            .any(|b| a.jws.signature == b.jws.signature)
    })
}

/// Prefix of a proof `jti` among [`Flow::earlier_exchanges`], which are
/// otherwise challenge tokens and URLs: kept apart so that no value of one
/// kind is taken for the other.
pub const JTI: &str = "jti:";

/// The challenge tokens and URLs `flow` was offered, its order URL and its
/// proof's `jti` ([`JTI`]-prefixed), with their steps: what a later enrolment
/// may not reuse.
fn exchanges(flow: &Flow<'_>) -> Vec<At<String>> {
    let mut out: Vec<At<String>> = flow
        .answered_challenges
        .iter()
        .flat_map(|c| {
            [&c.value.token, &c.value.url].map(|v| At {
                value: v.clone(),
                step: c.step,
            })
        })
        .collect();
    out.extend(flow.order_url.as_ref().map(|o| At {
        value: o.value.to_owned(),
        step: o.step,
    }));
    out.extend(flow.proof.as_ref().and_then(|p| {
        Some(At {
            value: format!("{JTI}{}", proof_jti(p.value)?),
            step: p.step,
        })
    }));
    out
}

/// The `jti` of a compact proof, read from its claims.
pub fn proof_jti(proof: &str) -> Option<String> {
    let claims = e2ei_verify::jose::b64_decode(header_and_payload(proof).1?)?;
    let claims: Value = serde_json::from_slice(&claims).ok()?;
    claims.get("jti")?.as_str().map(str::to_owned)
}

/// The nonces `flow`'s ACME requests carry, with their steps.
fn used_nonces<'f>(flow: &'f Flow<'_>) -> impl Iterator<Item = At<String>> + 'f {
    flow.acme.iter().filter_map(|r| {
        let nonce = r.jws.header.as_ref()?.get("nonce")?.as_str()?;
        Some(At {
            value: nonce.to_owned(),
            step: r.step,
        })
    })
}

/// Whether a step sends `GET …/directory` to the ACME server: how every
/// enrolment begins.
fn fetches_directory(step: &Step<'_>) -> bool {
    step.items.iter().any(|item| {
        matches!(&item.kind, ItemKind::Request(r)
            if r.method == "GET" && is_acme(&r.url) && path_ends_with(&r.url, "directory"))
    })
}

/// Reads the steps of one enrolment into a flow.
fn reconstruct<'t>(
    suite: String,
    steps: impl Iterator<Item = (Option<u32>, &'t Step<'t>)>,
) -> Flow<'t> {
    let mut flow = Flow {
        suite,
        ..Flow::default()
    };
    let mut request: Option<&HttpRequest<'_>> = None;
    let mut last = Last::Nothing;
    // Whether the last request's body was a JWS (as every ACME POST's is).
    let mut signed = false;
    // Whether the last response's body was read: a response has one body, so
    // a later block (a token's `Raw:` text) is not taken for it.
    let mut answered = false;
    // The status of the last response, for the body that follows it.
    let mut status: u16 = 0;
    let mut authz = 0usize;
    // The last ACME POST while no JWS or JSON body has been taken for it, and
    // whether a text block (not a PEM view) came right after it.
    let mut unsigned: Option<(At<&'t str>, bool)> = None;
    let mut right_after_request = false;
    for (n, step) in steps {
        let mut dpop_headers = 0usize;
        for item in &step.items {
            let first_block = std::mem::replace(
                &mut right_after_request,
                matches!(item.kind, ItemKind::Request(_)),
            );
            if matches!(item.kind, ItemKind::Request(_) | ItemKind::Response(_)) {
                close_post(&mut flow, unsigned.take());
            }
            if let ItemKind::Json(j) = &item.kind {
                json_credentials(&mut flow, j.value.as_ref(), item.line, n);
            }
            if is_http(&item.kind) {
                flow.first_http.get_or_insert(At {
                    value: item.line,
                    step: n,
                });
            }
            match &item.kind {
                ItemKind::Request(r) => {
                    request = Some(r);
                    last = Last::Request;
                    signed = false;
                    dpop_headers += r
                        .headers
                        .iter()
                        .filter(|h| h.name.eq_ignore_ascii_case("dpop"))
                        .count();
                    if r.method == "POST" && is_acme(&r.url) {
                        unsigned = Some((
                            At {
                                value: &*r.url,
                                step: n,
                            },
                            false,
                        ));
                    }
                    basic_credentials(&mut flow, r, n);
                    acme_resource(&mut flow, r, n);
                    if !is_acme(&r.url) && r.url.contains("access-token") {
                        flow.access_token_request
                            .get_or_insert(At { value: r, step: n });
                    }
                    if flow.oauth_client_id.is_none() && !is_acme(&r.url) {
                        flow.oauth_client_id =
                            oauth_client_id(&r.url).map(|value| At { value, step: n });
                        if flow.oauth_client_id.is_some() {
                            let param = |name| oauth_param(&r.url, name);
                            let at = |value| At { value, step: n };
                            flow.oauth_nonce = param("nonce").map(at);
                            flow.oauth_endpoint = Some(At {
                                value: &*r.url,
                                step: n,
                            });
                            flow.oauth_pkce = param("code_challenge").map(|c| At {
                                value: (c, param("code_challenge_method")),
                                step: n,
                            });
                            let query = r.url.split_once('?').map_or("", |(_, q)| q);
                            let query = query.split('#').next().unwrap_or_default();
                            repeats(&mut flow, query, "authorization request", n);
                        }
                    }
                }
                ItemKind::Response(r) => {
                    last = Last::Response;
                    answered = false;
                    if let Some(nonce) = r.replay_nonce() {
                        flow.nonces.push(NonceEvent::Issued {
                            nonce: nonce.to_owned(),
                            step: n,
                        });
                    }
                    let after_new_account = request.is_some_and(|q| {
                        q.method == "POST" && path_ends_with(&q.url, "new-account")
                    });
                    if let (true, Some(loc)) = (after_new_account, r.location()) {
                        flow.account_url.get_or_insert(At {
                            value: loc,
                            step: n,
                        });
                    }
                    status = r.status;
                    let challenge_post =
                        request.filter(|q| q.method == "POST" && q.url.contains("/challenge/"));
                    // Only a location naming another challenge: a response
                    // printed out of place names some other object.
                    let location = r.location().filter(|l| l.contains("/challenge/"));
                    if let (Some(q), Some(loc)) = (challenge_post, location) {
                        if &*q.url != loc && !e2ei_verify::url::same(&q.url, loc) {
                            flow.misanswered.push(At {
                                value: (&*q.url, loc.to_owned()),
                                step: n,
                            });
                        }
                    }
                    let after_new_order = request
                        .is_some_and(|q| q.method == "POST" && path_ends_with(&q.url, "new-order"));
                    if let (true, Some(loc)) = (after_new_order, r.location()) {
                        flow.order_url.get_or_insert(At {
                            value: loc,
                            step: n,
                        });
                    }
                }
                ItemKind::UnreadHttp { first } => flow.unread_http.push(At {
                    value: (item.line, first),
                    step: n,
                }),
                ItemKind::AcmeJws(jws) => {
                    if let (Some(r), Last::Request) = (request, last) {
                        acme_request(&mut flow, r, jws, n);
                        signed = true;
                        unsigned = None;
                    }
                }
                ItemKind::Json(j) if last == Last::Request && !signed => {
                    let post = request.filter(|r| r.method == "POST" && is_acme(&r.url));
                    if let Some(r) = post {
                        let body = match j.value {
                            Some(_) => PostBody::Json,
                            None => PostBody::NotJson,
                        };
                        flow.unsigned_posts.push(At {
                            value: (&r.url, body),
                            step: n,
                        });
                        signed = true;
                        unsigned = None;
                    }
                }
                ItemKind::Json(j) if last == Last::Response => {
                    let first_body = !std::mem::replace(&mut answered, true);
                    if let Some(v) = j.value.as_ref().filter(|_| first_body) {
                        if status == 400 && is_bad_nonce(v) {
                            refused_for_its_nonce(&mut flow, request);
                        }
                        if status >= 400 && carries_a_result(v) {
                            flow.error_answers.push(At {
                                value: status,
                                step: n,
                            });
                        }
                        response_body(&mut flow, request, v, n, &mut authz);
                    }
                }
                ItemKind::Text(t) if last == Last::Request => {
                    if let (Some((_, text)), true) = (unsigned.as_mut(), first_block) {
                        *text = !t.trim_start().starts_with("-----BEGIN");
                    }
                    form_credentials(&mut flow, t, item.line, n);
                    let token_request =
                        request.is_some_and(|r| r.method == "POST" && !is_acme(&r.url));
                    if token_request && flow.oauth_code_verifier.is_none() {
                        flow.oauth_code_verifier =
                            code_verifier(t).map(|value| At { value, step: n });
                        if flow.oauth_code_verifier.is_some() {
                            repeats(&mut flow, t.trim(), "token request", n);
                        }
                        // A capture without the authorization request (2023-04-05:
                        // a login form) still shows where the code was redeemed.
                        if let (Some(r), Some(_), None) =
                            (request, &flow.oauth_code_verifier, &flow.oauth_endpoint)
                        {
                            flow.oauth_endpoint = Some(At {
                                value: &*r.url,
                                step: n,
                            });
                        }
                    }
                }
                ItemKind::Text(t) if last == Last::Response => {
                    let first_body = !std::mem::replace(&mut answered, true);
                    let t = t.trim();
                    if first_body && !t.is_empty() && !t.contains(char::is_whitespace) {
                        wire_nonce(&mut flow, request, t, n);
                    }
                }
                _ => {}
            }
        }
        for token in &step.tokens {
            add_token(&mut flow, token, n);
        }
        let read = step
            .tokens
            .iter()
            .filter(|t| matches!(t.source, TokenSource::DpopHeader { .. }))
            .count();
        if read < dpop_headers {
            flow.unread_dpop_headers.push(At {
                value: dpop_headers - read,
                step: n,
            });
        }
        flow.repeated
            .extend(step.repeated.iter().map(|value| At { value, step: n }));
        for object in &step.objects {
            add_object(&mut flow, step.tokens.iter(), object, n);
        }
    }
    close_post(&mut flow, unsigned);
    flow
}

/// Records an ACME POST that ended (its response, the next request or the
/// end of the capture) without a JWS or JSON body.
fn close_post<'t>(flow: &mut Flow<'t>, post: Option<(At<&'t str>, bool)>) {
    if let Some((At { value, step }, text)) = post {
        let body = if text {
            PostBody::Text
        } else {
            PostBody::Missing
        };
        flow.unsigned_posts.push(At {
            value: (value, body),
            step,
        });
    }
}

/// An ACME problem document of type `badNonce` (RFC 8555 §6.7).
fn is_bad_nonce(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("urn:ietf:params:acme:error:badNonce")
}

/// Marks the ACME request `request` as refused for its nonce: the last one
/// recorded, when it is that very request (its body was shown).
fn refused_for_its_nonce(flow: &mut Flow<'_>, request: Option<&HttpRequest<'_>>) {
    let Some(r) = request else {
        return;
    };
    if let Some(last) = flow
        .acme
        .last_mut()
        .filter(|a| std::ptr::eq(a.url, &*r.url))
    {
        last.bad_nonce = true;
    }
}

/// An HTTP message, or an http block that holds something but is not one
/// (an empty block shows nothing).
fn is_http(kind: &ItemKind<'_>) -> bool {
    matches!(
        kind,
        ItemKind::Request(_) | ItemKind::Response(_) | ItemKind::UnreadHttp { .. }
    )
}

fn acme_request<'t>(flow: &mut Flow<'t>, r: &'t HttpRequest<'t>, jws: &'t AcmeJws, n: Option<u32>) {
    flow.nonces.push(NonceEvent::Used {
        request: flow.acme.len(),
    });
    flow.acme.push(AcmeRequest {
        step: n,
        url: &r.url,
        jws,
        bad_nonce: false,
    });
    if jws.decoded.is_some() {
        flow.decoded_jws.push(At {
            value: jws,
            step: n,
        });
    }
    let payload = jws.payload_value.as_ref();
    let field = |k: &str| {
        payload
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if path_ends_with(&r.url, "new-order") && flow.identifiers.is_empty() {
        if let Some(ids) = payload
            .and_then(|p| p.get("identifiers"))
            .and_then(Value::as_array)
        {
            flow.identifiers = ids.clone();
        }
    }
    if r.url.contains("/challenge/") {
        flow.challenge_posts.push(ChallengePost {
            url: &r.url,
            step: n,
            access_token: field("access_token"),
            keyauth: field("keyauth"),
        });
    }
}

/// The directory members (RFC 8555 §7.1.1) naming the resources a flow
/// requests by their last path segment (`new-nonce`, `new-account`,
/// `new-order`).
const DIRECTORY_MEMBERS: [&str; 3] = ["newNonce", "newAccount", "newOrder"];

/// Records a request to an ACME directory resource, to an authorization or
/// to finalize, whatever its method (`HEAD` new-nonce, POST-as-GET authz)
/// and whether or not its body is shown.
fn acme_resource<'t>(flow: &mut Flow<'t>, r: &'t HttpRequest<'t>, n: Option<u32>) {
    if !is_acme(&r.url) {
        return;
    }
    if path_ends_with(&r.url, "finalize") && flow.finalize.is_none() {
        flow.finalize = Some(At {
            value: flow.tokens.len(),
            step: n,
        });
        flow.order_answers_before_finalize = flow.order_answers.len();
    }
    if r.url.contains("/authz/") {
        flow.authz_fetches.push(At {
            value: &*r.url,
            step: n,
        });
    }
    let member = ["new-nonce", "new-account", "new-order"]
        .into_iter()
        .zip(DIRECTORY_MEMBERS)
        .find(|(last, _)| path_ends_with(&r.url, last));
    if let Some((_, member)) = member {
        flow.directory_requests.push(At {
            value: (member, &*r.url),
            step: n,
        });
    }
}

/// An `authorization: Basic` header (RFC 7617) holds a user id and password
/// in base64, not encrypted: POSTed to an IdP's token endpoint, the OAuth
/// client's id and secret (RFC 6749 §2.3.1).
fn basic_credentials(flow: &mut Flow<'_>, r: &HttpRequest<'_>, n: Option<u32>) {
    for h in r
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authorization"))
    {
        let Some((scheme, value)) = h.value.trim().split_once(' ') else {
            continue;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            continue;
        }
        let decoded = STANDARD
            .decode(value.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        let Some((user, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            continue;
        };
        if !secret.is_empty() {
            let what = if r.method == "POST" && !is_acme(&r.url) {
                format!("the client secret of OAuth client {user:?} (authorization: Basic)")
            } else {
                format!("the password of {user:?} (authorization: Basic)")
            };
            flow.credentials.push(At {
                value: PrintedCredential { what, line: h.line },
                step: n,
            });
        }
    }
}

/// Form fields that carry a secret in a request body: a login form's
/// `password`, RFC 6749 §2.3.1's `client_secret`.
///
/// A field can only be on a line that contains its name: the body is searched for the
/// names once, and most bodies (tokens, JSON, nonces) are not split into pairs at all.
fn form_credentials(flow: &mut Flow<'_>, body: &str, fence: usize, n: Option<u32>) {
    // str's search (vectorised for short needles) rather than a `memmem` finder,
    // which costs more to build than these short bodies take to search.
    let fields = ["password", "client_secret"].map(|field| body.contains(field).then_some(field));
    if fields.iter().all(Option::is_none) {
        return;
    }
    for (offset, line) in body.lines().enumerate() {
        for field in fields.iter().flatten() {
            if form_param(line.trim(), field).is_some_and(|v| !v.is_empty()) {
                flow.credentials.push(At {
                    value: PrintedCredential {
                        what: format!("a {field} (form field of a request body)"),
                        line: fence + 1 + offset,
                    },
                    step: n,
                });
            }
        }
    }
}

/// Members that only a private (or symmetric) JWK has (RFC 7518 §6).
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Credentials a JSON block prints: a private JWK anywhere in it (an object
/// with `kty` and a private member), and an OAuth refresh token (the IdP's
/// token response, RFC 6749 §5.1): a long-lived bearer credential that
/// gets new tokens for the user without a login.
fn json_credentials(flow: &mut Flow<'_>, value: Option<&Value>, line: usize, n: Option<u32>) {
    let Some(value) = value else {
        return;
    };
    let mut found = Vec::new();
    private_jwks(value, 0, &mut found);
    if value
        .get("refresh_token")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty())
    {
        found.push("an OAuth refresh token (the IdP's token response)".to_owned());
    }
    flow.credentials.extend(found.into_iter().map(|what| At {
        value: PrintedCredential { what, line },
        step: n,
    }));
}

/// Each private JWK in `value` (nested at most a few levels, as key sets are).
fn private_jwks(value: &Value, depth: usize, found: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            let kty = o.get("kty").and_then(Value::as_str);
            let private = PRIVATE_JWK_MEMBERS.iter().any(|m| o.contains_key(*m));
            match kty {
                Some(kty) if private => found.push(format!("a private key (a JWK of type {kty})")),
                _ if depth < 4 => o.values().for_each(|v| private_jwks(v, depth + 1, found)),
                _ => {}
            }
        }
        Value::Array(a) if depth < 4 => a.iter().for_each(|v| private_jwks(v, depth + 1, found)),
        _ => {}
    }
}

/// The `client_id` of an OAuth authorization request (RFC 6749 §4.1.1: a
/// query with `response_type` and `client_id`), percent-decoded.
fn oauth_client_id(url: &str) -> Option<String> {
    oauth_param(url, "response_type")?;
    oauth_param(url, "client_id")
}

/// A query parameter of `url`, form-decoded (`+` is a space).
fn oauth_param(url: &str, name: &str) -> Option<String> {
    form_param(url.split_once('?')?.1.split('#').next()?, name)
}

/// The `code_verifier` of an authorization-code token request's form body.
fn code_verifier(body: &str) -> Option<String> {
    let body = body.trim();
    form_param(body, "grant_type").filter(|g| g == "authorization_code")?;
    form_param(body, "code_verifier")
}

/// A parameter an OAuth request gives more than once.
#[derive(Clone, Debug)]
pub struct Repeat {
    /// The parameter's name, as written.
    pub name: String,
    /// `authorization request` or `token request`.
    pub request: &'static str,
}

/// Records each parameter name `form` gives more than once: an IdP refuses
/// such a request (RFC 6749 §3.1), and which value it would have bound is
/// unknowable, so a flow cannot rest on it.
fn repeats(flow: &mut Flow<'_>, form: &str, request: &'static str, n: Option<u32>) {
    let names: Vec<&str> = form
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    for (i, name) in names.iter().enumerate() {
        let again = names.get(i + 1..).unwrap_or_default().contains(name);
        let first = !names.get(..i).unwrap_or_default().contains(name);
        if again && first {
            flow.oauth_repeated.push(At {
                value: Repeat {
                    name: (*name).to_owned(),
                    request,
                },
                step: n,
            });
        }
    }
}

/// A parameter of an `application/x-www-form-urlencoded` string, decoded.
fn form_param(form: &str, name: &str) -> Option<String> {
    let value = form
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?;
    e2ei_verify::identity::percent_decode(&value.replace('+', " "))
}

fn response_body<'t>(
    flow: &mut Flow<'t>,
    request: Option<&'t HttpRequest<'t>>,
    v: &Value,
    n: Option<u32>,
    authz: &mut usize,
) {
    if let Value::String(s) = v {
        wire_nonce(flow, request, s, n);
        return;
    }
    answered(flow, request, v, n);
    let Some(challenges) = v.get("challenges").and_then(Value::as_array) else {
        return;
    };
    for c in challenges {
        let s = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
        if let (Some(kind), Some(url), Some(token)) = (s("type"), s("url"), s("token")) {
            flow.challenges.push(Challenge {
                kind,
                url,
                token,
                target: s("target"),
                authz: *authz,
            });
        }
    }
    *authz += 1;
}

/// What the ACME server answered a new-order or a challenge POST with. A
/// challenge object may be printed after the requests the server made to
/// validate it (2023-01: its `.well-known` GETs), so it is recognised by its
/// shape, a single challenge (`type`, `url`, `token`), whatever came before.
fn answered<'t>(
    flow: &mut Flow<'t>,
    request: Option<&'t HttpRequest<'t>>,
    v: &Value,
    n: Option<u32>,
) {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    refused(flow, request, v, n);
    if let (Some(kind), Some(url), Some(token)) = (s("type"), s("url"), s("token")) {
        let posted = request.filter(|r| r.method == "POST" && r.url.contains("/challenge/"));
        if let Some(r) = posted.filter(|r| *r.url != url && !e2ei_verify::url::same(&r.url, &url)) {
            flow.misanswered.push(At {
                value: (&*r.url, url.clone()),
                step: n,
            });
        }
        let challenge = Challenge {
            kind,
            url,
            token,
            target: s("target"),
            authz: 0,
        };
        flow.answered_challenges.push(At {
            value: challenge,
            step: n,
        });
    }
    let new_order = request.is_some_and(|r| {
        r.method == "POST" && is_acme(&r.url) && path_ends_with(&r.url, "new-order")
    });
    if new_order && flow.answered_identifiers.is_none() {
        if let Some(ids) = v.get("identifiers").and_then(Value::as_array) {
            flow.answered_identifiers = Some(At {
                value: ids.clone(),
                step: n,
            });
        }
    }
    let acme_answer = request.is_some_and(|r| is_acme(&r.url));
    let describes_order =
        v.get("finalize").is_some() || v.get("certificate").and_then(Value::as_str).is_some();
    if acme_answer && describes_order {
        let authorizations = v.get("authorizations").and_then(Value::as_array);
        flow.order_answers.push(At {
            value: OrderAnswer {
                status: s("status"),
                finalize: s("finalize"),
                certificate: s("certificate"),
                identifiers: v.get("identifiers").and_then(Value::as_array).cloned(),
                authorizations: authorizations.map(|a| {
                    a.iter()
                        .map(|u| u.as_str().map_or_else(|| u.to_string(), str::to_owned))
                        .collect()
                }),
            },
            step: n,
        });
    }
    let what = match (describes_order, v.get("challenges").is_some()) {
        (true, _) => Some("order"),
        (false, true) => Some("authorization"),
        _ => None,
    };
    // An `expires` that is not a string is kept as its JSON text, which no
    // reader takes for a time.
    let expires = v
        .get("expires")
        .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned));
    if let (true, Some(what), Some(expires), None) = (acme_answer, what, expires, &flow.finalize) {
        flow.expiring.push(At {
            value: Expiring { what, expires },
            step: n,
        });
    }
    directory(flow, request, v, n);
}

/// The first ACME directory answered (to `GET …/directory`): an object that
/// names at least one of the resources the flow requests. Any other answer
/// there is a response printed out of place, which names no directory.
fn directory(flow: &mut Flow<'_>, request: Option<&HttpRequest>, v: &Value, n: Option<u32>) {
    let asked = request.is_some_and(|r| {
        r.method == "GET" && is_acme(&r.url) && path_ends_with(&r.url, "directory")
    });
    let members = v
        .as_object()
        .filter(|m| DIRECTORY_MEMBERS.iter().any(|k| m.contains_key(*k)));
    if let (true, Some(members), None) = (asked, members, &flow.directory) {
        flow.directory = Some(At {
            value: members.clone(),
            step: n,
        });
    }
}

/// What an answer describing the order names: where to finalize it, where
/// its certificate is, its identifiers and its authorizations' URLs (an
/// entry that is not a string kept as its JSON text, so that it matches no
/// URL fetched).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderAnswer {
    pub status: Option<String>,
    pub finalize: Option<String>,
    pub certificate: Option<String>,
    pub identifiers: Option<Vec<Value>>,
    pub authorizations: Option<Vec<String>>,
}

/// Whether an answer's body is a result (a token, an ACME object) rather
/// than an error document: what a response with an error status cannot carry.
fn carries_a_result(v: &Value) -> bool {
    let acme_problem = v
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("urn:ietf:params:acme:error:"));
    let result = [
        "token",
        "access_token",
        "id_token",
        "challenges",
        "identifiers",
        "certificate",
    ]
    .iter()
    .any(|k| v.get(k).is_some())
        || (v.get("status").is_some() && v.get("url").is_some());
    result && !acme_problem
}

/// Records an ACME object the server answered in a final state that no
/// certificate can follow (RFC 8555 §7.1.6): a challenge, authorization or
/// order `invalid`, an authorization `expired`, `revoked` or `deactivated`,
/// an account `deactivated` or `revoked`. A challenge is told by its shape
/// wherever it is printed; the others only in answers to ACME requests, so
/// that another service's `status` is not taken for the CA's.
fn refused(flow: &mut Flow<'_>, request: Option<&HttpRequest>, v: &Value, n: Option<u32>) {
    let Some(status) = v.get("status").and_then(Value::as_str) else {
        return;
    };
    if !matches!(status, "invalid" | "expired" | "revoked" | "deactivated") {
        return;
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let what = match (s("type"), s("url"), s("token")) {
        (Some(kind), Some(_), Some(_)) => format!("the {kind} challenge"),
        _ if !request.is_some_and(|r| is_acme(&r.url)) => return,
        _ if v.get("finalize").is_some() || v.get("certificate").is_some() => {
            "the order".to_owned()
        }
        _ if v.get("challenges").is_some() => "the authorization".to_owned(),
        _ if request.is_some_and(|r| path_ends_with(&r.url, "new-account")) => {
            "the account".to_owned()
        }
        _ => return,
    };
    flow.refused.push(At {
        value: format!("{what} {status}"),
        step: n,
    });
}

/// The body of the response to wire-server's `GET …/nonce`.
fn wire_nonce(flow: &mut Flow<'_>, request: Option<&HttpRequest>, s: &str, n: Option<u32>) {
    let asked = request
        .is_some_and(|r| r.method == "GET" && !is_acme(&r.url) && path_ends_with(&r.url, "nonce"));
    if asked {
        flow.wire_nonces.push(At {
            value: s.to_owned(),
            step: n,
        });
    }
}

fn add_token<'t>(flow: &mut Flow<'t>, token: &'t Token, n: Option<u32>) {
    flow.tokens.push(At {
        value: token,
        step: n,
    });
    let at = At {
        value: &*token.compact,
        step: n,
    };
    let posted = matches!(token.source, TokenSource::AcmePayload { .. });
    match role(token) {
        Role::Proof if flow.proof.is_none() || flow.proof_from_header => {
            let header = matches!(token.source, TokenSource::DpopHeader { .. });
            if flow.proof.is_none() || !header {
                flow.proof = Some(at);
                flow.proof_from_header = header;
            }
        }
        Role::AccessToken if !posted && flow.access_token.is_none() => flow.access_token = Some(at),
        Role::Proof | Role::AccessToken => {}
        Role::Other => {
            let posted_id = matches!(&token.source,
                TokenSource::AcmePayload { pointer } if pointer == "/id_token");
            if posted_id || (flow.id_token.is_none() && token.alg().is_some_and(is_idp_alg)) {
                flow.id_token = Some(at);
            }
        }
    }
}

/// What a token is in the enrolment.
#[derive(Debug, PartialEq, Eq)]
enum Role {
    Proof,
    AccessToken,
    /// An id token, or a token of the IdP's own.
    Other,
}

/// A token's role: its `typ` says, when it is one of Wire's two. A token
/// whose `typ` is wrong keeps its role, so that the check of its `typ` fails
/// where it belongs instead of the token passing for another kind: the role
/// then comes from where it was sent (the `dpop:` header holds the proof;
/// wire-server answers `{"token": …}`; the client posts `access_token`) or,
/// shown elsewhere, from its claims (a proof names `htu`, a Wire access token
/// its `cnf` binding; an id token neither).
fn role(token: &Token) -> Role {
    match token.typ() {
        Some("dpop+jwt") => return Role::Proof,
        Some("at+jwt") => return Role::AccessToken,
        _ => {}
    }
    match &token.source {
        TokenSource::DpopHeader { .. } => return Role::Proof,
        TokenSource::JsonField { pointer } if pointer == "/token" => return Role::AccessToken,
        TokenSource::AcmePayload { pointer } if pointer == "/access_token" => {
            return Role::AccessToken
        }
        TokenSource::AcmePayload { .. } => return Role::Other,
        _ => {}
    }
    let claims = header_and_payload(&token.compact)
        .1
        .and_then(e2ei_verify::jose::b64_decode)
        .unwrap_or_default();
    let names = |member: &[u8]| memchr::memmem::find(&claims, member).is_some();
    if names(b"\"htu\"") && names(b"\"htm\"") {
        Role::Proof
    } else if names(b"\"cnf\"") && names(b"\"proof\"") {
        Role::AccessToken
    } else {
        Role::Other
    }
}

/// The algorithms an IdP may sign id tokens with (RSA, or a Wire suite's).
/// A token posted as `id_token` is the id token whatever its `alg`, so that an
/// algorithm we do not expect fails the `oidc.*` checks instead of hiding the
/// token from them; elsewhere in a capture (an IdP's own access or refresh
/// token, often HS256) only these make a candidate.
fn is_idp_alg(alg: &str) -> bool {
    ["RS", "PS", "ES"].iter().any(|p| alg.starts_with(p)) || alg == "EdDSA"
}

fn add_object<'t, 'i>(
    flow: &mut Flow<'t>,
    step_tokens: impl Iterator<Item = &'i Token>,
    object: &'t DerObject,
    n: Option<u32>,
) {
    let at = At {
        value: object,
        step: n,
    };
    match object.kind {
        ObjectKind::PrivateKey => flow.secrets.push(at),
        ObjectKind::Certificate => flow.certificates.push(at),
        ObjectKind::CertificateRequest if object.source == ObjectSource::AcmeCsr => {
            flow.csr.get_or_insert(At {
                value: object.der.as_slice(),
                step: n,
            });
        }
        // No response carries the CSR a finalize request sent: one printed as a
        // body is a view like any other, compared with the signed one.
        ObjectKind::CertificateRequest
            if matches!(
                object.source,
                ObjectSource::PemBlock | ObjectSource::PemBody
            ) =>
        {
            flow.printed_csrs.push(at);
        }
        ObjectKind::PublicKey => {
            let (mut access, mut idp) = (false, false);
            for t in step_tokens {
                match t.typ() {
                    Some("at+jwt") => access = true,
                    Some("dpop+jwt") => {}
                    _ => idp |= t.alg().is_some_and(is_idp_alg),
                }
            }
            let at = At {
                value: object.der.as_slice(),
                step: n,
            };
            // A key the capture's tool says did not verify the token beside it
            // is no key the capture vouches for: `--trust-transcript-keys` must
            // not trust it (a 2024-02 keycloak capture prints, so marked, a key
            // that verifies none of the IdP's tokens).
            match (object.rejected, access, idp) {
                (true, false, true) => flow.idp_keys_marked_invalid.push(n),
                (true, _, _) => {}
                (false, true, _) => flow.issuer_keys_printed.push(at),
                (false, false, true) => flow.idp_keys_printed.push(at),
                (false, false, false) => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{code_verifier, oauth_client_id, oauth_param, path_ends_with, role, Role};
    use crate::transcript::{Token, TokenSource};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use std::sync::Arc;

    fn token(typ: &str, claims: &str, source: TokenSource) -> Token {
        let header = serde_json::json!({ "alg": "ES256", "typ": typ });
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        Token {
            compact: format!("{}.{}.c2ln", b64(&header.to_string()), b64(claims)).into(),
            header: Arc::new(header.as_object().cloned().unwrap_or_default()),
            source,
            line: 1,
            view: None,
        }
    }

    /// `typ` decides when it is Wire's; a wrong `typ` keeps the token's role,
    /// told by where it was sent or, shown elsewhere, by its claims.
    #[test]
    fn a_token_with_a_wrong_typ_keeps_its_role() {
        let shown = || TokenSource::RawBlock;
        let field = |p: &str| TokenSource::JsonField { pointer: p.into() };
        let posted = |p: &str| TokenSource::AcmePayload { pointer: p.into() };
        let proof = r#"{"htu":"https://w/clients/1/access-token","htm":"POST","jti":"j"}"#;
        let at = r#"{"cnf":{"kid":"k"},"proof":"a.b.c","chal":"c"}"#;
        let id = r#"{"iss":"https://idp","nonce":"n","name":"Alice"}"#;
        let cases = [
            ("dpop+jwt", id, shown(), Role::Proof),
            ("at+jwt", id, shown(), Role::AccessToken),
            (
                "JWT",
                id,
                TokenSource::DpopHeader {
                    base64_wrapped: true,
                },
                Role::Proof,
            ),
            ("JWT", id, field("/token"), Role::AccessToken),
            ("JWT", id, posted("/access_token"), Role::AccessToken),
            ("JWT", at, posted("/id_token"), Role::Other),
            ("JWT", proof, shown(), Role::Proof),
            ("JWT", at, shown(), Role::AccessToken),
            ("JWT", id, shown(), Role::Other),
            ("JWT", id, field("/id_token"), Role::Other),
        ];
        for (typ, claims, source, expected) in cases {
            let t = token(typ, claims, source);
            assert_eq!(role(&t), expected, "{typ} {claims} {:?}", t.source);
        }
    }

    #[test]
    fn the_last_path_segment_is_found_as_the_str_splits_found_it() {
        let reference = |url: &str, last: &str| {
            let path = url.split(['?', '#']).next().unwrap_or(url);
            path.trim_end_matches('/').rsplit('/').next() == Some(last)
        };
        let urls = [
            "https://a/acme/wire/new-account",
            "https://a/acme/wire/new-account/",
            "https://a/acme/wire/new-account//?x=/y#z/",
            "https://a/acme/wire/directory#new-account",
            "new-account",
            "/",
            "",
            "///",
            "?new-account",
            "https://a/é/new-account?é",
        ];
        for url in urls {
            for last in ["new-account", "directory", "", "a", "é"] {
                assert_eq!(
                    path_ends_with(url, last),
                    reference(url, last),
                    "{url} {last}"
                );
            }
        }
    }

    #[test]
    fn the_oauth_client_id_comes_from_an_authorization_request_only() {
        let auth = "http://dex:21491/dex/auth?response_type=code&client_id=wireapp&state=j6N&scope=openid+profile";
        assert_eq!(oauth_client_id(auth).as_deref(), Some("wireapp"));
        let encoded = "https://idp/auth?client_id=wire%20app%2Fweb&response_type=code#frag";
        assert_eq!(oauth_client_id(encoded).as_deref(), Some("wire app/web"));
        for other in [
            "https://idp/token?client_id=wireapp",
            "https://idp/auth?response_type=code",
            "https://idp/auth?response_type=code&xclient_id=wireapp",
            "https://idp/auth",
            "https://idp/auth?response_type=code&client_id=%zz",
        ] {
            assert_eq!(oauth_client_id(other), None, "{other}");
        }
    }

    #[test]
    fn the_code_verifier_comes_from_an_authorization_code_grant_only() {
        let body = "grant_type=authorization_code&code=s43q&code_verifier=0kBEjyRJ75ve-_~.&redirect_uri=x\n";
        assert_eq!(code_verifier(body).as_deref(), Some("0kBEjyRJ75ve-_~."));
        assert_eq!(
            code_verifier("grant_type=refresh_token&code_verifier=a"),
            None
        );
        assert_eq!(code_verifier("grant_type=authorization_code&code=c"), None);
    }

    #[test]
    fn oauth_parameters_given_twice_are_named_once_each() {
        for (form, names) in [
            ("a=1&b=2&a=3&a=4&c", vec!["a"]),
            ("nonce=x&state=s&nonce=y&state=t", vec!["nonce", "state"]),
            ("a&a=1", vec!["a"]),
            ("a=1&b=1&&c=1", vec![]),
            ("", vec![]),
        ] {
            let mut flow = super::Flow::default();
            super::repeats(&mut flow, form, "token request", Some(3));
            let got: Vec<&str> = flow
                .oauth_repeated
                .iter()
                .map(|r| r.value.name.as_str())
                .collect();
            assert_eq!(got, names, "{form:?}");
            assert!(flow.oauth_repeated.iter().all(|r| r.step == Some(3)));
        }
    }

    #[test]
    fn private_jwks_and_refresh_tokens_printed_in_json_are_credentials() {
        use serde_json::json;
        for (value, found) in [
            (
                json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "a"}, {"kty": "EC", "x": "a", "y": "b", "d": "c"}]}),
                vec!["a private key (a JWK of type EC)"],
            ),
            (
                json!({"jwk": {"kty": "oct", "k": "c2VjcmV0"}}),
                vec!["a private key (a JWK of type oct)"],
            ),
            (
                json!({"access_token": "a", "refresh_token": "r", "id_token": "i"}),
                vec!["an OAuth refresh token (the IdP's token response)"],
            ),
            (json!({"kty": "EC", "x": "a", "y": "b"}), vec![]),
            (json!({"refresh_token": ""}), vec![]),
            (json!({"d": "not a key"}), vec![]),
            (json!([[[[[{"kty": "EC", "d": "too deep"}]]]]]), vec![]),
        ] {
            let mut flow = super::Flow::default();
            super::json_credentials(&mut flow, Some(&value), 7, Some(2));
            let got: Vec<&str> = flow
                .credentials
                .iter()
                .map(|c| c.value.what.as_str())
                .collect();
            assert_eq!(got, found, "{value}");
            assert!(flow
                .credentials
                .iter()
                .all(|c| c.value.line == 7 && c.step == Some(2)));
        }
    }

    #[test]
    fn the_oauth_nonce_is_the_whole_nonce_parameter() {
        let auth =
            "http://dex/auth?response_type=code&client_id=wireapp&nonce=REQyyne9UjP6K0MwFPEbVA#x";
        assert_eq!(
            oauth_param(auth, "nonce").as_deref(),
            Some("REQyyne9UjP6K0MwFPEbVA")
        );
        assert_eq!(
            oauth_param("https://idp/auth?xnonce=a&nonce=b+c%21", "nonce").as_deref(),
            Some("b c!")
        );
        assert_eq!(
            oauth_param("https://idp/auth?response_type=code", "nonce"),
            None
        );
    }

    /// A password and an OAuth client secret printed in requests are recorded
    /// with their lines; an empty secret, a bearer token and a header that is
    /// not base64 are not.
    #[test]
    fn printed_credentials_are_recorded_with_their_lines() {
        let text = "# capture\nEd25519 - SHA256\n#### 1. login\n```http request\n\
                    POST http://dex/login\ncontent-type: application/x-www-form-urlencoded\n```\n\
                    ```text\nlogin=alice&password=foo\n```\n#### 2. token\n```http request\n\
                    POST http://dex/token\nauthorization: Basic d2lyZWFwcDpzM2NyZXQ=\n```\n\
                    ```text\ngrant_type=authorization_code&client_secret=\n```\n#### 3. api\n\
                    ```http request\nGET http://wire/api\nauthorization: Bearer abc\n\
                    authorization: Basic !!!\n```\n";
        let transcript = crate::transcript::parse(text).unwrap();
        let flows = super::enrolments(&transcript.sections[0]);
        let found: Vec<(String, usize, Option<u32>)> = flows[0]
            .credentials
            .iter()
            .map(|c| (c.value.what.clone(), c.value.line, c.step))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "a password (form field of a request body)".to_owned(),
                    9,
                    Some(1)
                ),
                (
                    "the client secret of OAuth client \"wireapp\" (authorization: Basic)"
                        .to_owned(),
                    14,
                    Some(2)
                ),
            ]
        );
    }

    #[test]
    fn form_credentials_are_found_as_the_per_line_search_found_them() {
        let reference = |body: &str| {
            let mut found = Vec::new();
            for (offset, line) in body.lines().enumerate() {
                for field in ["password", "client_secret"] {
                    if super::form_param(line.trim(), field).is_some_and(|v| !v.is_empty()) {
                        found.push((field.to_owned(), 11 + offset));
                    }
                }
            }
            found
        };
        for body in [
            "",
            "password=x",
            "password=",
            "a=1&password=x&client_secret=y",
            "client_secret=y&password=x",
            "client_secret=y\r\n  password=x  \nx=1",
            "xpassword=1&passwordx=2&password=3",
            "pass word=1&password",
            "password=%E2%9C%85+b\nclient_secret=%zz",
            "{\"password\": \"x\"}",
            "é&password=é",
        ] {
            let mut flow = super::Flow::default();
            super::form_credentials(&mut flow, body, 10, Some(1));
            let found: Vec<(String, usize)> = flow
                .credentials
                .iter()
                .map(|c| (c.value.what.clone(), c.value.line))
                .collect();
            let expected: Vec<(String, usize)> = reference(body)
                .into_iter()
                .map(|(f, l)| (format!("a {f} (form field of a request body)"), l))
                .collect();
            assert_eq!(found, expected, "{body:?}");
        }
    }
}
