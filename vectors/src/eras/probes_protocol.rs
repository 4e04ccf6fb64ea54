//! Round 8 of the era test (protocol and identity semantics in signed
//! bytes): ACME `jwk`/`kid`, `alg` and `url` headers, the order's status
//! sequence and identifier spellings; Wire identities spelled otherwise
//! (`%21`, domain case, a trailing dot, a handle without its domain); DPoP
//! and access-token claims (`chal` of the sibling challenge, `jti`, `scope`,
//! `api_version`); OIDC audiences (`aud` arrays, `azp`), `keyauth` of the
//! sibling challenge, `acme_aud` spellings, a `kid` naming no key. Each
//! [`ProtocolProbe`] is one change to the valid enrolment of an era, signed
//! again where it touches signed bytes; the tests
//! (`vectors/tests/era_probes_protocol.rs`) hold each to its verdict.

use super::{b64, json, EraEnrolment, Fault, Md, Parts, SigningKey, Value};
use super::{Era, Suite};
use e2ei_verify::jose::b64_decode;

/// One change to an era's valid enrolment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProtocolProbe {
    // --- ACME `url` header (RFC 8555 §6.4) ---
    /// The finalize request's `url` header with a query (`?retry=1`).
    FinalizeUrlQuery,
    /// The finalize request's `url` header with a fragment (`#f`).
    FinalizeUrlFragment,
    /// The finalize request's `url` header with a trailing slash.
    FinalizeUrlTrailingSlash,
    /// The finalize request's `url` header with the host upper-cased.
    FinalizeUrlHostUpper,
    /// The finalize request's `url` header naming the default port `:443`
    /// (eras whose ACME URL names no port).
    FinalizeUrlDefaultPort,
    // --- `jwk` / `kid` (RFC 8555 §6.2) ---
    /// The finalize request's header carries the account `jwk` beside its
    /// `kid`.
    FinalizeJwkAndKid,
    /// The new-account request's header carries a `kid` (the account URL
    /// the server then returns) beside its `jwk`.
    NewAccountJwkAndKid,
    /// The new-order request carries the account key as `jwk` instead of
    /// the account URL as `kid`.
    NewOrderJwk,
    /// The answer to new-account names another account URL in `location`
    /// than every later request's `kid`.
    AccountLocationOther,
    /// The answer to new-account shows no `location` header (the capture
    /// printed the other headers only).
    AccountNoLocation,
    /// The new-account request is not shown (its step dropped; its answer,
    /// with the account URL, is).
    NewAccountRequestAbsent,
    /// The answer to the (first) authorization fetch, which offers the
    /// challenges (URLs, tokens, `target`), is not shown.
    AuthzAnswerAbsent,
    // --- `alg` against the key (RFC 7515 §4.1.1, RFC 8555 §6.2) ---
    /// The new-account request's `alg` is another suite's (ES384 for a
    /// P-256 key, ES256 otherwise); its signature the key's own.
    NewAccountAlgOther,
    /// The finalize request's `alg` is `none`, its signature empty.
    FinalizeAlgNone,
    /// The finalize request's `alg` is `HS256`, its signature a MAC.
    FinalizeAlgHs256,
    /// The finalize request's `alg` is `EdDSA` for an EC account key
    /// (`ES256` for an Ed25519 one); its signature the key's own.
    FinalizeAlgOtherFamily,
    // --- the order's status sequence (RFC 8555 §7.1.6, §7.4) ---
    /// The order polled before finalize is answered `pending` (not
    /// `ready`), and the client finalizes anyway and gets a certificate.
    OrderPendingFinalized,
    /// The answer to finalize is `invalid`, and the client downloads a
    /// certificate anyway.
    FinalizeAnsweredInvalid,
    /// The certificate is downloaded from another URL than the order's
    /// `certificate` (the request signed for that URL).
    CertFromOtherUrl,
    // --- identifier values in the order (signed, echoed by the server) ---
    /// The identifier types upper-cased (`WIREAPP-DEVICE`).
    OrderIdTypeUpper,
    /// Each identifier's JSON value with an extra member `"x":"y"`.
    OrderValueExtraMember,
    /// Each identifier's JSON value with the domain upper-cased (in
    /// `domain`, `client-id` and `handle`).
    OrderValueDomainUpper,
    /// The order's `client-id` with `!` written `%21`.
    OrderClientIdPercent21,
    /// The order's `handle` values without their `@domain` (2024+).
    OrderHandleNoDomain,
    /// The order's `domain` members name another domain than its
    /// `client-id` and `handle` (2023-11+ JSON values).
    OrderDomainMemberOther,
    // --- Wire identities in the proof and token ---
    /// The proof's `sub` and the token's `sub` / `client_id` with `!`
    /// written `%21`.
    SubPercent21,
    /// The proof's `sub` and the token's `sub` / `client_id` with the
    /// domain upper-cased.
    SubDomainUpper,
    /// The proof's `sub` and the token's `sub` / `client_id` with a
    /// trailing dot after the domain.
    SubDomainTrailingDot,
    /// The proof's `sub` and the token's `sub` / `client_id` naming another
    /// domain (`wire.example.org`), the same user and device.
    SubDomainOther,
    /// The proof's `handle` without its `@domain`.
    HandleNoDomain,
    /// The proof's `handle` upper-cased (`%40ALICE_WIRE`).
    HandleUpper,
    /// The proof's `handle` with its domain spelled with a trailing dot.
    HandleDomainTrailingDot,
    // --- DPoP proof and access-token claims ---
    /// The proof's and the token's `chal` are the `wire-oidc-01`
    /// challenge's token (the sibling challenge of the same order).
    ProofChalSibling,
    /// The access token's `jti` is the proof's.
    TokenJtiFromProof,
    /// The access token's `scope` is `wire_client_id openid`.
    TokenScopeExtra,
    /// The access token's `api_version` written `N.0`.
    TokenApiVersionFloat,
    /// The access token's `client_id` spells `!` as `%21` (its `sub` and
    /// the proof's do not).
    TokenClientIdPercent21,
    // --- OIDC id token ---
    /// The id token's `aud` is `[client, "other-client"]`, no `azp`.
    IdTokenAudExtraNoAzp,
    /// The id token's `aud` is `["other-client"]`.
    IdTokenAudArrayOther,
    /// The id token's `aud` is the client and its `azp` another client.
    IdTokenAzpOther,
    /// The id token's `aud` is `[client, "other-client"]` and its `azp`
    /// the client.
    IdTokenAudExtraAzp,
    /// The id token's `keyauth` is the key authorization of the
    /// `wire-dpop-01` challenge (its token, this account).
    IdTokenKeyauthSibling,
    /// The id token's `acme_aud` is the `wire-dpop-01` challenge URL.
    IdTokenAcmeAudSibling,
    /// The id token's `acme_aud` with the host upper-cased.
    IdTokenAcmeAudHostUpper,
    /// The id token's header `kid` names no key of the IdP.
    IdTokenKidUnknown,
    /// The id token's `iss` with the host upper-cased.
    IdTokenIssHostUpper,
    // --- URLs in token claims with a query or fragment ---
    /// A 2024+ access token's `aud` (the challenge URL) with a query.
    TokenAudQuery,
    /// A 2024+ access token's `aud` with a fragment.
    TokenAudFragment,
    /// A 2024+ proof's `aud` (the challenge URL) with a query.
    ProofAudQuery,
    /// The access token's `iss` (the access-token URL) with a query.
    TokenIssQuery,
    /// The id token's `acme_aud` with a query.
    IdTokenAcmeAudQuery,
    // --- CSR and leaf SANs spelled otherwise than the order ---
    /// The CSR's and the leaf's client-id SAN with `!` unencoded (2024+;
    /// `!` is a sub-delim, allowed in a URI's userinfo).
    SanBangUnencoded,
    /// The CSR's and the leaf's SANs with the domain upper-cased.
    SanDomainUpper,
    /// The CSR's and the leaf's client-id SAN with the device in
    /// upper-case hex.
    SanDeviceUpperHex,
}

impl ProtocolProbe {
    /// Every probe.
    pub const ALL: [ProtocolProbe; 54] = [
        ProtocolProbe::FinalizeUrlQuery,
        ProtocolProbe::FinalizeUrlFragment,
        ProtocolProbe::FinalizeUrlTrailingSlash,
        ProtocolProbe::FinalizeUrlHostUpper,
        ProtocolProbe::FinalizeUrlDefaultPort,
        ProtocolProbe::FinalizeJwkAndKid,
        ProtocolProbe::NewAccountJwkAndKid,
        ProtocolProbe::NewOrderJwk,
        ProtocolProbe::AccountLocationOther,
        ProtocolProbe::AccountNoLocation,
        ProtocolProbe::NewAccountRequestAbsent,
        ProtocolProbe::AuthzAnswerAbsent,
        ProtocolProbe::NewAccountAlgOther,
        ProtocolProbe::FinalizeAlgNone,
        ProtocolProbe::FinalizeAlgHs256,
        ProtocolProbe::FinalizeAlgOtherFamily,
        ProtocolProbe::OrderPendingFinalized,
        ProtocolProbe::FinalizeAnsweredInvalid,
        ProtocolProbe::CertFromOtherUrl,
        ProtocolProbe::OrderIdTypeUpper,
        ProtocolProbe::OrderValueExtraMember,
        ProtocolProbe::OrderValueDomainUpper,
        ProtocolProbe::OrderClientIdPercent21,
        ProtocolProbe::OrderHandleNoDomain,
        ProtocolProbe::OrderDomainMemberOther,
        ProtocolProbe::SubPercent21,
        ProtocolProbe::SubDomainUpper,
        ProtocolProbe::SubDomainTrailingDot,
        ProtocolProbe::SubDomainOther,
        ProtocolProbe::HandleNoDomain,
        ProtocolProbe::HandleUpper,
        ProtocolProbe::HandleDomainTrailingDot,
        ProtocolProbe::ProofChalSibling,
        ProtocolProbe::TokenJtiFromProof,
        ProtocolProbe::TokenScopeExtra,
        ProtocolProbe::TokenApiVersionFloat,
        ProtocolProbe::TokenClientIdPercent21,
        ProtocolProbe::IdTokenAudExtraNoAzp,
        ProtocolProbe::IdTokenAudArrayOther,
        ProtocolProbe::IdTokenAzpOther,
        ProtocolProbe::IdTokenAudExtraAzp,
        ProtocolProbe::IdTokenKeyauthSibling,
        ProtocolProbe::IdTokenAcmeAudSibling,
        ProtocolProbe::IdTokenAcmeAudHostUpper,
        ProtocolProbe::IdTokenKidUnknown,
        ProtocolProbe::IdTokenIssHostUpper,
        ProtocolProbe::TokenAudQuery,
        ProtocolProbe::TokenAudFragment,
        ProtocolProbe::ProofAudQuery,
        ProtocolProbe::TokenIssQuery,
        ProtocolProbe::IdTokenAcmeAudQuery,
        ProtocolProbe::SanBangUnencoded,
        ProtocolProbe::SanDomainUpper,
        ProtocolProbe::SanDeviceUpperHex,
    ];

    /// Whether `era`'s layout can carry the probe.
    pub fn applies_to(self, era: Era) -> bool {
        use ProtocolProbe as P;
        match self {
            P::FinalizeUrlDefaultPort => era == Era::Y2026_01,
            P::OrderIdTypeUpper
            | P::OrderValueExtraMember
            | P::OrderValueDomainUpper
            | P::TokenClientIdPercent21 => era != Era::Y2023_01,
            P::OrderClientIdPercent21 | P::SubPercent21 | P::OrderHandleNoDomain => {
                era.current_claims()
            }
            P::OrderDomainMemberOther => era != Era::Y2023_01,
            P::HandleNoDomain | P::HandleUpper | P::HandleDomainTrailingDot => era.current_claims(),
            // Eras whose `wire-oidc-01` challenge has its own token.
            P::ProofChalSibling | P::IdTokenKeyauthSibling => era.current_claims(),
            P::IdTokenAcmeAudSibling | P::IdTokenAcmeAudHostUpper | P::IdTokenAcmeAudQuery => {
                era.binds_id_token()
            }
            P::TokenAudQuery | P::TokenAudFragment | P::ProofAudQuery | P::SanBangUnencoded => {
                era.current_claims()
            }
            P::SanDomainUpper | P::SanDeviceUpperHex => era != Era::Y2023_01,
            P::IdTokenAudExtraNoAzp
            | P::IdTokenAudArrayOther
            | P::IdTokenAzpOther
            | P::IdTokenAudExtraAzp
            | P::IdTokenKidUnknown
            | P::IdTokenIssHostUpper => era.has_oidc(),
            _ => true,
        }
    }
}

/// The claims (or header) of a compact JWS as text.
fn segment(jws: &str, i: usize) -> String {
    jws.split('.')
        .nth(i)
        .and_then(b64_decode)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// `jws` with its header and claims text edited, signed again by `key`.
fn edit_jws(
    jws: &str,
    key: &SigningKey,
    header: impl Fn(&str) -> String,
    claims: impl Fn(&str) -> String,
) -> String {
    let h = header(&segment(jws, 0));
    let c = claims(&segment(jws, 1));
    crate::mint::compact_raw(key, h.as_bytes(), c.as_bytes())
}

/// The end (exclusive, after the closing quote) of the JSON string that
/// opens at `open` (its opening quote).
fn string_end(text: &str, open: usize) -> usize {
    let mut escaped = false;
    for (i, c) in text[open + 1..].char_indices() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '"') => return open + 1 + i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The first `"name":value` member of compact JSON `text`, as written.
fn member(text: &str, name: &str) -> String {
    let key = format!("\"{name}\":");
    let Some(at) = text.find(&key) else {
        return String::new();
    };
    let rest = &text[at..];
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(key.len()) {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' if depth > 0 => depth -= 1,
            ',' | '}' if depth == 0 => return rest[..i].to_owned(),
            _ => {}
        }
    }
    rest.to_owned()
}

/// `text` with member `name`'s value (JSON text) changed by `f`; when the
/// member is absent, `text` unchanged.
fn edit_value(text: &str, name: &str, f: impl Fn(&str) -> String) -> String {
    let old = member(text, name);
    match old.split_once(':') {
        Some((_, value)) => text.replacen(&old, &format!("\"{name}\":{}", f(value)), 1),
        None => text.to_owned(),
    }
}

/// `text` with `extra` (a `"name":value` member) inserted last.
fn append(text: &str, extra: &str) -> String {
    format!("{},{extra}}}", &text[..text.len() - 1])
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

fn segment_text(b64: &str) -> String {
    b64_decode(b64)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// How a re-signed ACME request is signed.
enum Sig<'k> {
    Key(&'k SigningKey),
    Bytes(Vec<u8>),
}

/// The capture with the first flattened JWS whose protected `url` ends with
/// `suffix` edited (protected header and payload as text) and signed again.
fn resign_acme(
    text: &str,
    sig: Sig<'_>,
    suffix: &str,
    header: impl Fn(&str) -> String,
    payload: impl Fn(&str) -> String,
) -> String {
    let key = "\"protected\": \"";
    let mut from = 0;
    while let Some(at) = text[from..].find(key) {
        let start = from + at + key.len();
        let end = start + text[start..].find('"').unwrap_or(0);
        let h = segment_text(&text[start..end]);
        let url = parsed(&h)["url"].as_str().unwrap_or_default().to_owned();
        if !url.ends_with(suffix) {
            from = end;
            continue;
        }
        let open = text[..start].rfind("```").unwrap_or(0);
        let Some(body) = text[open..].find('\n').map(|n| open + n + 1) else {
            return text.to_owned();
        };
        let Some(close) = text[body..].find("\n```").map(|n| body + n) else {
            return text.to_owned();
        };
        let block = &text[body..close];
        let pkey = "\"payload\": \"";
        let Some(pat) = block.find(pkey) else {
            return text.to_owned();
        };
        let ps = pat + pkey.len();
        let pe = ps + block[ps..].find('"').unwrap_or(0);
        let old_payload = &block[ps..pe];
        let h_text = header(&h);
        let p_text = if old_payload.is_empty() {
            String::new()
        } else {
            payload(&segment_text(old_payload))
        };
        let new_h = b64(h_text.as_bytes());
        let new_p = b64(p_text.as_bytes());
        let signature = match &sig {
            Sig::Key(k) => b64(&k.sign(format!("{new_h}.{new_p}").as_bytes())),
            Sig::Bytes(b) => b64(b),
        };
        let skey = "\"signature\": \"";
        let Some(sat) = block.find(skey) else {
            return text.to_owned();
        };
        let ss = sat + skey.len();
        let se = ss + block[ss..].find('"').unwrap_or(0);
        let mut new_block = block.to_owned();
        let mut edits = [
            (ps, pe, new_p),
            (ss, se, signature),
            (start - body, end - body, new_h),
        ];
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (s, e, v) in edits {
            new_block.replace_range(s..e, &v);
        }
        let out = format!("{}{new_block}{}", &text[..body], &text[close..]);
        return with_view(&out, body + new_block.len(), &h_text, &p_text);
    }
    text.to_owned()
}

/// `text` with the decoded view of the request whose block body ends at
/// `at` (`...decoded...` in the same block, or the next JSON block) showing
/// `header` and `payload`.
fn with_view(text: &str, at: usize, header: &str, payload: &str) -> String {
    let rest = &text[at..];
    let (start, end) = if let Some(v) = rest.find("\n...decoded...\n") {
        let start = at + v + "\n...decoded...\n".len();
        (start, start + text[start..].find("\n```").unwrap_or(0))
    } else {
        // The block's closing fence, then the next block if it follows.
        let Some(after) = rest.find("\n```\n").map(|n| at + n + 5) else {
            return text.to_owned();
        };
        let next = text[after..].trim_start_matches('\n');
        if !next.starts_with("```json\n") {
            return text.to_owned();
        }
        let start = text.len() - next.len() + "```json\n".len();
        (start, start + text[start..].find("\n```").unwrap_or(0))
    };
    let mut view = parsed(&text[start..end]);
    if view.get("protected").is_none() {
        return text.to_owned();
    }
    view["protected"] = parsed(header);
    if view["payload"].is_object() && !payload.is_empty() {
        view["payload"] = parsed(payload);
    }
    format!("{}{}{}", &text[..start], super::pretty(&view), &text[end..])
}

/// The first flattened JWS header whose `url` ends with `suffix`, as text.
fn acme_header(text: &str, suffix: &str) -> String {
    let key = "\"protected\": \"";
    let mut from = 0;
    while let Some(at) = text[from..].find(key) {
        let start = from + at + key.len();
        let end = start + text[start..].find('"').unwrap_or(0);
        let h = segment_text(&text[start..end]);
        if parsed(&h)["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(suffix))
        {
            return h;
        }
        from = end;
    }
    String::new()
}

/// The offset of the step titled `title` (its `#### N. title` line).
fn step_at(text: &str, title: &str) -> Option<usize> {
    text.match_indices("#### ").map(|(at, _)| at).find(|&at| {
        let line = text[at..].lines().next().unwrap_or_default();
        line.split_once(". ")
            .is_some_and(|(_, t)| t.trim() == title)
    })
}

/// `text` with the first `from` after the step titled `title` replaced.
fn replace_in_step(text: &str, title: &str, from: &str, to: &str) -> String {
    match step_at(text, title) {
        Some(at) => format!("{}{}", &text[..at], text[at..].replacen(from, to, 1)),
        None => text.to_owned(),
    }
}

/// Every identifier `"value"` string of `text` (compact `"value":"…"` or
/// pretty `"value": "…"`) with its raw (escaped) content changed by `f`.
fn map_values(text: &str, f: &impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let hit = ["\"value\":\"", "\"value\": \""]
            .iter()
            .filter_map(|k| rest.find(k).map(|at| (at, k.len())))
            .min();
        let Some((at, len)) = hit else {
            out.push_str(rest);
            return out;
        };
        let open = at + len - 1;
        let end = string_end(rest, open);
        out.push_str(&rest[..open + 1]);
        out.push_str(&f(&rest[open + 1..end - 1]));
        out.push('"');
        rest = &rest[end..];
    }
}

/// The domain of `id` (after its last `@`, up to a closing quote or
/// escaped quote) changed by `f`, in a JSON text `v`.
fn map_domain(v: &str, f: impl Fn(&str) -> String) -> String {
    let Some(at) = v.rfind('@') else {
        return v.to_owned();
    };
    let tail = &v[at + 1..];
    let end = tail.find(['"', '\\']).unwrap_or(tail.len());
    format!("{}@{}{}", &v[..at], f(&tail[..end]), &tail[end..])
}

impl EraEnrolment {
    /// The whole capture of the valid enrolment with `probe` applied.
    pub fn protocol_transcript(&self, probe: ProtocolProbe) -> String {
        self.protocol_fault_transcript(probe, Fault::None)
    }

    /// The whole capture with `fault` seeded and `probe` applied.
    pub fn protocol_fault_transcript(&self, probe: ProtocolProbe, fault: Fault) -> String {
        let mut parts = self.parts(fault);
        self.protocol_signed(probe, &mut parts);
        let text = {
            let mut md = Md::new(self.era, &parts, &self.signatures);
            match self.era {
                Era::Y2023_01 => md.write_2023_01(),
                _ => md.write_oidc_era(),
            }
            md.finish()
        };
        self.protocol_text(probe, &parts, text)
    }

    fn p_edit_proof(&self, p: &mut Parts, c: impl Fn(&str) -> String) {
        let f = &mut p.flow;
        f.dpop = edit_jws(&f.dpop, &f.client, |h| h.to_owned(), c);
        f.proof_claims = parsed(&segment(&f.dpop, 1));
        f.token_claims["proof"] = json!(f.dpop);
        f.resign_token();
    }

    fn p_edit_token(&self, p: &mut Parts, c: impl Fn(&str) -> String) {
        let f = &mut p.flow;
        f.access_token = edit_jws(&f.access_token, &f.issuer, |h| h.to_owned(), c);
        f.token_claims = parsed(&segment(&f.access_token, 1));
    }

    fn p_edit_id_token(
        &self,
        p: &mut Parts,
        h: impl Fn(&str) -> String,
        c: impl Fn(&str) -> String,
    ) {
        let o = &mut p.oidc;
        o.id_token = edit_jws(&o.id_token, &self.e.idp, h, c);
        o.returned_id_token.clone_from(&o.id_token);
    }

    fn protocol_signed(&self, probe: ProtocolProbe, p: &mut Parts) {
        use ProtocolProbe as P;
        let keep = |h: &str| h.to_owned();
        let ids = |p: &mut Parts, f: &dyn Fn(&str) -> String| {
            self.p_edit_proof(p, |c| edit_value(c, "sub", f));
            self.p_edit_token(p, |c| edit_value(&edit_value(c, "sub", f), "client_id", f));
        };
        match probe {
            P::SubPercent21 => ids(p, &|v| v.replace('!', "%21")),
            P::SubDomainUpper => ids(p, &|v| map_domain(v, |d| d.to_uppercase())),
            P::SubDomainTrailingDot => ids(p, &|v| map_domain(v, |d| format!("{d}."))),
            P::SubDomainOther => ids(p, &|v| map_domain(v, |_| "wire.example.org".into())),
            P::HandleNoDomain => self.p_edit_proof(p, |c| {
                edit_value(c, "handle", |v| match v.rfind('@') {
                    Some(at) => format!("{}\"", &v[..at]),
                    None => v.to_owned(),
                })
            }),
            P::HandleUpper => self.p_edit_proof(p, |c| {
                edit_value(c, "handle", |v| v.replace("alice_wire", "ALICE_WIRE"))
            }),
            P::HandleDomainTrailingDot => self.p_edit_proof(p, |c| {
                edit_value(c, "handle", |v| map_domain(v, |d| format!("{d}.")))
            }),
            P::ProofChalSibling => {
                let sibling = json!(p.res.oidc_token).to_string();
                self.p_edit_proof(p, |c| edit_value(c, "chal", |_| sibling.clone()));
                self.p_edit_token(p, |c| edit_value(c, "chal", |_| sibling.clone()));
            }
            P::TokenJtiFromProof => {
                let jti = member(&segment(&p.flow.dpop, 1), "jti");
                let value = jti.split_once(':').map(|(_, v)| v.to_owned());
                let value = value.unwrap_or_default();
                self.p_edit_token(p, |c| edit_value(c, "jti", |_| value.clone()));
            }
            P::TokenScopeExtra => self.p_edit_token(p, |c| {
                edit_value(c, "scope", |_| "\"wire_client_id openid\"".into())
            }),
            P::TokenApiVersionFloat => {
                self.p_edit_token(p, |c| edit_value(c, "api_version", |v| format!("{v}.0")))
            }
            P::TokenClientIdPercent21 => {
                let sep = |v: &str| {
                    if v.contains('!') {
                        v.replace('!', "%21")
                    } else {
                        // `im:wireapp=<user>/<device>@dom`: the device
                        // separator percent-encoded.
                        v.replacen('/', "%2F", 1)
                    }
                };
                self.p_edit_token(p, |c| edit_value(c, "client_id", sep));
            }
            P::IdTokenAudExtraNoAzp | P::IdTokenAudExtraAzp => {
                let azp = probe == P::IdTokenAudExtraAzp;
                self.p_edit_id_token(p, keep, |c| {
                    let aud = member(c, "aud");
                    let client = aud.split_once(':').map(|(_, v)| v).unwrap_or("\"\"");
                    let c = edit_value(c, "aud", |v| format!("[{v},\"other-client\"]"));
                    if azp {
                        append(&c, &format!("\"azp\":{client}"))
                    } else {
                        c
                    }
                });
            }
            P::IdTokenAudArrayOther => self.p_edit_id_token(p, keep, |c| {
                edit_value(c, "aud", |_| "[\"other-client\"]".into())
            }),
            P::IdTokenAzpOther => {
                self.p_edit_id_token(p, keep, |c| append(c, "\"azp\":\"other-client\""))
            }
            P::IdTokenKeyauthSibling => {
                let ka = crate::enrolment::keyauth(&p.flow.chal, &p.account);
                let ka = json!(ka).to_string();
                self.p_edit_id_token(p, keep, |c| edit_value(c, "keyauth", |_| ka.clone()));
            }
            P::IdTokenAcmeAudSibling => {
                let url = json!(p.flow.aud).to_string();
                self.p_edit_id_token(p, keep, |c| edit_value(c, "acme_aud", |_| url.clone()));
            }
            P::IdTokenAcmeAudHostUpper => {
                self.p_edit_id_token(p, keep, |c| edit_value(c, "acme_aud", upper_host))
            }
            P::IdTokenIssHostUpper => {
                self.p_edit_id_token(p, keep, |c| edit_value(c, "iss", upper_host))
            }
            P::IdTokenKidUnknown => self.p_edit_id_token(
                p,
                |h| {
                    let h = edit_value(h, "kid", |_| "\"no-such-key\"".into());
                    if h.contains("\"kid\"") {
                        h
                    } else {
                        append(&h, "\"kid\":\"no-such-key\"")
                    }
                },
                keep,
            ),
            P::TokenAudQuery | P::TokenAudFragment => {
                let tail = if probe == P::TokenAudQuery {
                    "?x=1"
                } else {
                    "#f"
                };
                self.p_edit_token(p, |c| edit_value(c, "aud", |v| with_tail(v, tail)));
            }
            P::ProofAudQuery => {
                self.p_edit_proof(p, |c| edit_value(c, "aud", |v| with_tail(v, "?x=1")))
            }
            P::TokenIssQuery => {
                self.p_edit_token(p, |c| edit_value(c, "iss", |v| with_tail(v, "?x=1")))
            }
            P::IdTokenAcmeAudQuery => self.p_edit_id_token(p, keep, |c| {
                edit_value(c, "acme_aud", |v| with_tail(v, "?x=1"))
            }),
            P::SanBangUnencoded | P::SanDomainUpper | P::SanDeviceUpperHex => {
                let mut ids = p.ids.clone();
                let device = super::DEVICE;
                ids.names = ids
                    .names
                    .iter()
                    .map(|n| match probe {
                        P::SanBangUnencoded => n.replace("%21", "!"),
                        P::SanDomainUpper => map_domain(n, |d| d.to_uppercase()),
                        _ => n.replace(device, &device.to_uppercase()),
                    })
                    .collect();
                p.csr = super::csr_of(self.era, &p.flow.client, &ids);
                p.chain[0] = self.ca.leaf(self.era, &p.flow.client, &ids);
                p.views.csr_text = ids.clone();
                p.views.leaf_text = ids;
            }
            _ => {}
        }
    }

    fn protocol_text(&self, probe: ProtocolProbe, p: &Parts, text: String) -> String {
        use ProtocolProbe as P;
        let account = Sig::Key(&p.account);
        let finalize_url = |f: &dyn Fn(&str) -> String| {
            resign_acme(
                &text,
                Sig::Key(&p.account),
                "/finalize",
                |h| edit_value(h, "url", f),
                |c| c.to_owned(),
            )
        };
        match probe {
            P::FinalizeUrlQuery => {
                finalize_url(&|v| v.replace("/finalize\"", "/finalize?retry=1\""))
            }
            P::FinalizeUrlFragment => finalize_url(&|v| v.replace("/finalize\"", "/finalize#f\"")),
            P::FinalizeUrlTrailingSlash => {
                finalize_url(&|v| v.replace("/finalize\"", "/finalize/\""))
            }
            P::FinalizeUrlHostUpper => finalize_url(&upper_host),
            P::FinalizeUrlDefaultPort => finalize_url(&|v| {
                let Some((scheme, rest)) = v.split_once("://") else {
                    return v.to_owned();
                };
                let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                format!("{scheme}://{host}:443/{path}")
            }),
            P::FinalizeJwkAndKid => {
                let jwk = member(&acme_header(&text, "/new-account"), "jwk");
                resign_acme(
                    &text,
                    account,
                    "/finalize",
                    |h| append(h, &jwk),
                    |c| c.to_owned(),
                )
            }
            P::NewAccountJwkAndKid => {
                let kid = member(&acme_header(&text, "/finalize"), "kid");
                resign_acme(
                    &text,
                    account,
                    "/new-account",
                    |h| append(h, &kid),
                    |c| c.to_owned(),
                )
            }
            P::NewOrderJwk => {
                let jwk = member(&acme_header(&text, "/new-account"), "jwk");
                resign_acme(
                    &text,
                    account,
                    "/new-order",
                    |h| {
                        let kid = member(h, "kid");
                        h.replacen(&kid, &jwk, 1)
                    },
                    |c| c.to_owned(),
                )
            }
            P::AccountLocationOther => {
                let url = super::account_url(self.era);
                let other = format!("{}X", &url[..url.len() - 1]);
                text.replacen(
                    &format!("location: {url}\n"),
                    &format!("location: {other}\n"),
                    1,
                )
            }
            P::AccountNoLocation => {
                let url = super::account_url(self.era);
                text.replacen(&format!("location: {url}\n"), "", 1)
            }
            P::NewAccountRequestAbsent => {
                let Some(from) = step_at(&text, "create a new account") else {
                    return text;
                };
                let to = step_at(&text, "account created").unwrap_or(from);
                format!("{}{}", &text[..from], &text[to..])
            }
            P::AuthzAnswerAbsent => {
                let Some(from) = step_at(&text, "get back challenges") else {
                    return text;
                };
                let next = text[from + 5..].find("\n#### ").map(|n| from + 5 + n + 1);
                format!("{}{}", &text[..from], &text[next.unwrap_or(from)..])
            }
            P::NewAccountAlgOther => {
                let other = match p.suite {
                    Suite::P256 => "\"ES384\"",
                    _ => "\"ES256\"",
                };
                resign_acme(
                    &text,
                    account,
                    "/new-account",
                    |h| edit_value(h, "alg", |_| other.into()),
                    |c| c.to_owned(),
                )
            }
            P::FinalizeAlgNone => resign_acme(
                &text,
                Sig::Bytes(Vec::new()),
                "/finalize",
                |h| edit_value(h, "alg", |_| "\"none\"".into()),
                |c| c.to_owned(),
            ),
            P::FinalizeAlgHs256 => resign_acme(
                &text,
                Sig::Bytes(vec![0x5a; 32]),
                "/finalize",
                |h| edit_value(h, "alg", |_| "\"HS256\"".into()),
                |c| c.to_owned(),
            ),
            P::FinalizeAlgOtherFamily => {
                let other = match p.suite {
                    Suite::Ed25519 => "\"ES256\"",
                    _ => "\"EdDSA\"",
                };
                resign_acme(
                    &text,
                    account,
                    "/finalize",
                    |h| edit_value(h, "alg", |_| other.into()),
                    |c| c.to_owned(),
                )
            }
            P::OrderPendingFinalized => replace_in_step(
                &text,
                "loop (with exponential backoff) until order is ready",
                "\"status\": \"ready\"",
                "\"status\": \"pending\"",
            ),
            P::FinalizeAnsweredInvalid => replace_in_step(
                &text,
                "get back a url for fetching the certificate",
                "\"status\": \"valid\"",
                "\"status\": \"invalid\"",
            ),
            P::CertFromOtherUrl => {
                let cert = &p.res.certificate;
                let other = format!("{}X", &cert[..cert.len() - 1]);
                let suffix = format!("/certificate/{cert}");
                let out = resign_acme(
                    &text,
                    account,
                    &suffix,
                    |h| h.replace(cert.as_str(), &other),
                    |c| c.to_owned(),
                );
                // The request line only (the order's answers still name it).
                let line = out
                    .lines()
                    .find(|l| l.starts_with("POST ") && l.ends_with(&suffix))
                    .map(str::to_owned);
                match line {
                    Some(line) => out.replacen(&line, &line.replace(cert.as_str(), &other), 1),
                    None => out,
                }
            }
            P::OrderIdTypeUpper => {
                let up = |t: &str| {
                    t.replace("\"wireapp-device\"", "\"WIREAPP-DEVICE\"")
                        .replace("\"wireapp-user\"", "\"WIREAPP-USER\"")
                        .replace("\"wireapp-id\"", "\"WIREAPP-ID\"")
                };
                let out = resign_acme(&text, account, "/new-order", |h| h.to_owned(), up);
                out.replace(
                    "\"type\": \"wireapp-device\"",
                    "\"type\": \"WIREAPP-DEVICE\"",
                )
                .replace("\"type\": \"wireapp-user\"", "\"type\": \"WIREAPP-USER\"")
                .replace("\"type\": \"wireapp-id\"", "\"type\": \"WIREAPP-ID\"")
            }
            P::OrderValueExtraMember => order_values(&text, account, &|v| {
                if v.starts_with('{') {
                    format!("{},\\\"x\\\":\\\"y\\\"}}", &v[..v.len() - 1])
                } else {
                    v.to_owned()
                }
            }),
            P::OrderValueDomainUpper => {
                let domain = super::DOMAIN;
                let upper = domain.to_uppercase();
                order_values(&text, account, &|v| v.replace(domain, &upper))
            }
            P::OrderClientIdPercent21 => order_values(&text, account, &|v| v.replace('!', "%21")),
            P::OrderHandleNoDomain => {
                let with = format!("alice_wire@{}", super::DOMAIN);
                order_values(&text, account, &|v| v.replace(&with, "alice_wire"))
            }
            P::OrderDomainMemberOther => {
                let from = format!("domain\\\":\\\"{}", super::DOMAIN);
                let to = "domain\\\":\\\"wire.example.org";
                order_values(&text, account, &|v| v.replace(&from, to))
            }
            _ => text,
        }
    }
}

/// The new-order request's identifier values (signed again) and every
/// answer's and view's changed by `f`.
fn order_values(text: &str, account: Sig<'_>, f: &impl Fn(&str) -> String) -> String {
    let out = resign_acme(
        text,
        account,
        "/new-order",
        |h| h.to_owned(),
        |c| map_values(c, f),
    );
    map_values(&out, f)
}

/// A JSON string value (quotes included) holding a URL, its host
/// upper-cased.
fn upper_host(v: &str) -> String {
    let Some((scheme, rest)) = v.split_once("://") else {
        return v.to_owned();
    };
    let cut = rest.find(['/', ':', '"']).unwrap_or(rest.len());
    format!("{scheme}://{}{}", rest[..cut].to_uppercase(), &rest[cut..])
}

impl EraEnrolment {
    /// The valid capture whose id token (returned and posted) is `sign` of
    /// its claims (the compact JWS `sign` makes of the claims text): an id
    /// token of another IdP key or algorithm (RSA, PS256), the same claims.
    pub fn id_token_signed_with(&self, sign: impl Fn(&str) -> String) -> String {
        let mut parts = self.parts(Fault::None);
        let claims = segment(&parts.oidc.id_token, 1);
        let token = sign(&claims);
        parts.oidc.returned_id_token.clone_from(&token);
        parts.oidc.id_token = token;
        let mut md = Md::new(self.era, &parts, &self.signatures);
        match self.era {
            Era::Y2023_01 => md.write_2023_01(),
            _ => md.write_oidc_era(),
        }
        md.finish()
    }
}

/// A JSON string value (quotes included) with `tail` appended to the string.
fn with_tail(v: &str, tail: &str) -> String {
    match v.strip_suffix('"') {
        Some(body) => format!("{body}{tail}\""),
        None => v.to_owned(),
    }
}
