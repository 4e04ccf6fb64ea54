//! Round 7 of the era test: what else a generated flow can carry. Each
//! [`Probe`] is one change to the valid enrolment of an era (re-signed where
//! it touches signed bytes), grouped as the brief grouped them: times,
//! numbers and JSON spellings in signed bytes, chain shapes, valid but
//! unusual flows. A probe says nothing about its verdict: the tests
//! (`vectors/tests/era_probes.rs`) hold each to the verdict the RFCs and
//! Wire's spec give it.

use super::{b64, json, Ca, EraEnrolment, Fault, Md, Parts, SigningKey, Value};
use super::{Era, ExtendedKeyUsagePurpose, KeyUsagePurpose, DEVICE, DEVICE_URL, OTHER_DEVICE};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use e2ei_verify::jose::b64_decode;

/// One change to an era's valid enrolment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Probe {
    // --- numbers and spellings of times in signed bytes ---
    /// The proof's `iat` written `N.0` (RFC 7519 §2: a NumericDate is a JSON
    /// number, non-integer values allowed).
    ProofIatFloat,
    /// The proof's `iat` written `N.5`.
    ProofIatFraction,
    /// The proof's `iat` written with an exponent (`1.674205415e9`).
    ProofIatExponent,
    /// The proof's `iat` a JSON string of its digits (not a NumericDate).
    ProofIatString,
    /// The proof has no `iat` (RFC 9449 §4.2: required).
    ProofIatMissing,
    /// The proof has no `exp` (RFC 9449 does not require one; Wire's do).
    ProofExpMissing,
    /// The proof's `exp` is `-1`.
    ProofExpNegative,
    /// The proof's `exp` is `99999999999999999999` (beyond 64 bits).
    ProofExpHuge,
    /// The access token's `iat` written `N.0`.
    TokenIatFloat,
    /// The access token's `exp` a JSON string of its digits.
    TokenExpString,
    /// The access token has no `exp` (RFC 9068 §2.2: required).
    TokenExpMissing,
    /// The access token's `exp` is `-1`.
    TokenExpNegative,
    /// The access token's `exp` is `1e300`.
    TokenExpHuge,
    /// The id token's `iat` written `N.0`.
    IdTokenIatFloat,
    /// The id token's `exp` a JSON string of its digits.
    IdTokenExpString,
    /// The id token has no `exp` (OpenID Connect Core §2: required).
    IdTokenExpMissing,
    /// The id token has no `iat` (OpenID Connect Core §2: required).
    IdTokenIatMissing,
    // --- a member given twice in signed bytes (RFC 7515 §4, RFC 7519 §4) ---
    /// The proof's claims name `htu` twice: another device's first, the
    /// right one last (a last-wins reader sees a valid proof).
    ProofDupHtuLastRight,
    /// The proof's claims name `htu` twice: the right one first, another
    /// device's last.
    ProofDupHtuFirstRight,
    /// The proof's claims name `iat` twice with the same value.
    ProofDupIatSame,
    /// The proof's header names `typ` twice (`JWT`, then `dpop+jwt`).
    ProofHeaderDupTyp,
    /// The access token names `cnf` twice: wire-server's own thumbprint
    /// first, the client's last.
    TokenDupCnfLastRight,
    /// The access token names `client_id` twice: the right one first,
    /// another device's last.
    TokenDupClientIdFirstRight,
    /// The id token names `preferred_username` (2023: `name`) twice:
    /// another user's first, the right one last.
    IdTokenDupUserLastRight,
    /// The new-order payload names `identifiers` twice: another device's
    /// first, the right ones last.
    NewOrderDupIdentifiersLastRight,
    /// The finalize request's protected header names `url` twice: the order
    /// URL first, the finalize URL last.
    FinalizeDupUrlLastRight,
    /// The finalize request's protected header names `nonce` twice: the
    /// nonce the order request used first, the fresh one last.
    FinalizeDupNonceLastRight,
    // --- escapes, percent-encoding, case ---
    /// The proof's `sub` and the token's `sub` / `client_id` spell `@` and
    /// `!` (or `/`) as JSON unicode escapes (the same strings).
    SubUnicodeEscaped,
    /// The proof's `handle` spells `%` and `@` as JSON unicode escapes.
    HandleUnicodeEscaped,
    /// The proof's `handle` with the `@` unencoded
    /// (`wireapp://@alice_wire@…`).
    HandleAtUnencoded,
    /// The proof's `handle` with `%40` encoded again (`%2540`).
    HandleDoubleEncoded,
    /// The proof's `handle` with `%40` in lower-case hex, and `a`
    /// percent-encoded (`%61lice`): RFC 3986 §6.2.2 equal.
    HandlePercentUnreserved,
    /// The proof's `sub` and the token's `sub` / `client_id` write the
    /// device id in upper-case hex.
    SubDeviceUpperHex,
    /// The new-order's `wire-device` / `wireapp-id` identifier value with
    /// `\u0040` for `@` inside its JSON-encoded value.
    OrderValueEscaped,
    /// The proof's `htu` with a trailing slash.
    ProofHtuTrailingSlash,
    /// The proof's `htu` with a `./` dot-segment (RFC 3986 §6.2.2.3 equal).
    ProofHtuDotSegment,
    /// The proof's `htu` with `-` percent-encoded (`access%2Dtoken`; RFC
    /// 3986 §6.2.2.2 equal).
    ProofHtuPercentDash,
    /// The proof's `htu` with an empty port (`host:/…`; RFC 3986 §6.2.3
    /// equal).
    ProofHtuEmptyPort,
    /// The proof's header `typ` is `application/dpop+jwt` (RFC 7515
    /// §4.1.9: the prefix may be omitted, so the same media type).
    ProofTypApplication,
    /// The proof's header `typ` is `DPoP+JWT` (media types are
    /// case-insensitive).
    ProofTypCase,
    /// The access token's header `typ` is `application/at+jwt` (RFC 9068
    /// §4: must be accepted).
    TokenTypApplication,
    /// The proof's `jti` is the empty string.
    ProofJtiEmpty,
    // --- chain shapes ---
    /// The chain downloaded with the root after the intermediate.
    ChainWithRoot,
    /// The chain given twice (leaf, intermediate, leaf, intermediate).
    ChainTwice,
    /// An unrelated CA certificate after the chain.
    ChainExtraUnrelated,
    /// The leaf and the root, the intermediate missing.
    ChainRootNoIntermediate,
    /// The leaf's key usage is contentCommitment only (no
    /// digitalSignature).
    LeafKuNoDigitalSignature,
    /// The leaf has no key usage extension.
    LeafKuAbsent,
    /// The leaf has no extended key usage extension.
    LeafEkuAbsent,
    /// The leaf's EKU is anyExtendedKeyUsage only.
    LeafEkuAny,
    /// The leaf's EKU is clientAuth and serverAuth.
    LeafEkuBoth,
    /// The chain as a bare PEM body (application/pem-certificate-chain)
    /// in a `text` block instead of a JSON string.
    ChainPemBody,
    // --- valid but unusual flows ---
    /// `HTTP/2 200` status lines.
    Http2Status,
    /// The `dpop:` header holds the compact proof itself (RFC 9449 §4.1),
    /// not base64 of it.
    DpopHeaderCompact,
    /// The `dpop:` header holds unpadded base64url of the proof.
    DpopHeaderBase64Url,
    /// A second new-nonce exchange before new-account; its nonce unused.
    SecondNonce,
    /// The `wire-dpop-01` challenge answered `processing` first, the client
    /// posts it again and it is answered `valid`.
    ChallengeRetried,
    /// A second new-order for the same identifiers, answered with the same
    /// order.
    SecondNewOrder,
    // --- time and order ---
    /// The ACME nonce of one request is the one a later response issues
    /// (two responses' `replay-nonce` values swapped).
    NonceIssuedLater,
    /// The wire-server nonce is fetched after the proof that carries it.
    WireNonceAfterProof,
    /// Every NumericDate (`iat`, `nbf`, `exp`) of the proof, the access
    /// token and the id token written with a fraction `.0` (same values).
    TimesFloat,
    /// The proof dated five minutes after the access token that embeds it
    /// (`iat`, `nbf`; `exp` two hours on), integers.
    ProofAfterToken,
    /// [`Probe::ProofAfterToken`] with the proof's times written `N.0`.
    ProofAfterTokenFloat,
    /// The token's `cnf` names both `jkt` (the client key's thumbprint) and
    /// `kid` (wire-server's own): two bindings that disagree.
    TokenCnfBothKidWrong,
    /// The token's `cnf` names both `kid` (the client key's thumbprint) and
    /// `jkt` (wire-server's own).
    TokenCnfBothJktWrong,
    /// wire-server's answer spelled as RFC 6749 §5.1 does
    /// (`{"access_token", "token_type", "expires_in"}`), not `token`/`type`.
    TokenResponseRfc6749,
    /// The new-order payload names `identifiers` twice: the right ones
    /// first, another device's last.
    NewOrderDupIdentifiersFirstRight,
    /// The finalize payload names `csr` twice: a CSR for another device
    /// first, the right one last.
    FinalizeDupCsrLastRight,
    /// The NumericDate members' names (`iat`, `nbf`, `exp`) of the proof,
    /// the access token and the id token written with a unicode escape
    /// (`"\u0069at"`): the same members.
    TimesKeysEscaped,
    /// The proof's `htu` member named `"\u0068tu"` (the same member).
    ProofHtuKeyEscaped,
    /// The proof's claims name `htu` twice, another device's as `"htu"`
    /// first, the right one as `"\u0068tu"` last: a duplicate once decoded.
    ProofDupHtuKeyEscaped,
    /// The token's `cnf` names `kid` twice (wire-server's own thumbprint,
    /// then the client's): a duplicate one level down.
    TokenCnfDupKid,
    /// Every `/` in the proof's, the token's and the id token's claims
    /// written `\/` (PHP's `json_encode`): the same strings.
    ClaimsSlashesEscaped,
    /// Every `/` in the ACME requests' protected headers and payloads
    /// written `\/`.
    AcmeSlashesEscaped,
    /// The proof's, the token's and the id token's claims pretty-printed
    /// (newlines and indentation inside the signed bytes).
    ClaimsPretty,
    /// The access token lives exactly one day (the limit).
    TokenLifetimeDay,
    /// The access token lives one day and one second.
    TokenLifetimeDayPlus,
    /// The proof is dated 60 s after its access token (the clock skew).
    ProofAfterTokenSkew,
    /// The proof is dated 61 s after its access token.
    ProofAfterTokenSkewPlus,
    /// The proof's `exp` is 2^64 - 1.
    ProofExpU64Max,
    /// The access token's `iat` is 2^64 - 1.
    TokenIatU64Max,
    /// The id token's `aud` is an array holding the client id (OpenID
    /// Connect Core §2).
    IdTokenAudArray,
    /// The `wire-dpop-01` challenge answered `400` with a problem document
    /// first, then retried and answered `valid`.
    ChallengeRetried400,
    /// A second wire-server nonce fetched (unused) before the one the proof
    /// carries.
    WireNonceTwice,
    /// The access token's `iat`, `nbf` and `exp` in milliseconds (a
    /// generator writing `Date.now()`).
    TokenTimesMillis,
    /// The id token's `iat` and `exp` in milliseconds.
    IdTokenTimesMillis,
    /// The chain body as a JSON array of base64 DER (2023-01's encoding)
    /// in the eras that write a PEM string.
    ChainJsonArray,
    /// The OAuth `nonce` holds `+`, `/` and `=`, percent-encoded in the
    /// authorization request's query, plain in the id token.
    OidcNonceEncoded,
    /// The `wire-dpop-01` challenge's `target` names the default port
    /// (`https://host:443/…`; RFC 3986 §6.2.3 equal).
    TargetDefaultPort,
    /// The `wire-dpop-01` challenge's `target` names the host in upper case.
    TargetHostUpper,
    /// The order's identifier values (JSON inside a JSON string) with their
    /// members in reverse order and spaces after `:` and `,`, as the client
    /// sent them and the server echoes them.
    OrderValueReordered,
    /// Every HTTP block's header lines in reverse order.
    HeadersReversed,
    /// The `wire-dpop-01` challenge POST's payload is `{}` (signed; its
    /// view too): the access token is never delivered.
    ChallengeEmptyPost,
    /// The `wire-dpop-01` challenge POST names the token `token`, not
    /// `access_token` (signed; its view too).
    ChallengeTokenMember,
    /// The request that trades the proof at wire-server is a `GET` (the
    /// proof's `htm` is `POST`).
    TradeRequestGet,
    /// The finalize request in JWS general serialization (RFC 7515
    /// §7.2.1: `signatures` array), not flattened (RFC 8555 §6.2).
    FinalizeGeneralJws,
    /// The access token's header names `typ` twice (`JWT`, then `at+jwt`).
    TokenHeaderDupTyp,
    /// The id token's header names `kid` twice.
    IdTokenHeaderDupKid,
    /// The new-account request's protected `jwk` names `x` twice.
    NewAccountJwkDupX,
    /// No ciphersuite line: the capture names no suite.
    SuiteLineAbsent,
    /// The ciphersuite line as the MLS ciphersuite name
    /// (`MLS_128_DHKEMP256_AES128GCM_SHA256_P256`).
    SuiteLineMls,
    /// The device id in the access-token URL (the proof's `htu`, the token's
    /// `iss`, the challenge `target`, the request line) in upper-case hex.
    HtuUpperHex,
    /// The id token's `nbf` ten minutes after its `iat`.
    IdTokenNbfFuture,
    /// The proof's `exp` equal to its `iat` (no lifetime).
    ProofExpEqualsIat,
    /// The leaf issued by the root itself (no intermediate in the PKI), the
    /// chain the leaf alone.
    LeafByRoot,
    /// Every ACME request in JWS general serialization.
    AllGeneralJws,
    /// The request that trades the proof goes to another device's
    /// access-token URL (the proof's `htu`, the token's `iss` and the
    /// challenge `target` name the right one).
    TradeRequestOtherUrl,
    /// The OAuth authorization request without `code_challenge_method`
    /// (RFC 7636 §4.3: then `plain`), its challenge the S256 one.
    PkceMethodAbsent,
    /// The OAuth authorization request names `nonce` twice: another first,
    /// the id token's last (RFC 6749 §3.1: parameters must not repeat).
    AuthNonceTwiceLastRight,
    /// The same with the id token's nonce first, another last.
    AuthNonceTwiceFirstRight,
    /// The first character of the proof's and the token's `nonce`, `chal`
    /// and `jti` written as a unicode escape (the same strings).
    ProofStringsEscaped,
    /// The first character of the finalize request's protected `nonce` and
    /// `kid` written as a unicode escape.
    AcmeHeaderEscaped,
    /// The proof's `htu` with userinfo (`https://alice@host/…`).
    ProofHtuUserinfo,
    /// The proof's `htu` with another explicit port.
    ProofHtuOtherPort,
    /// The proof's `htu` with the other scheme (`http` ↔ `https`).
    ProofHtuOtherScheme,
    /// The OAuth token request's form names `code_verifier` twice: the
    /// right one first, another last.
    VerifierTwiceFirstRight,
    /// The leaf valid from 30 minutes after the tokens' `iat` (every token
    /// still valid then).
    LeafAfterTokens30m,
    /// The leaf valid from 90 minutes after the tokens' `iat`: the access
    /// token and the id token had expired, the proof (two hours) had not.
    LeafAfterTokens90m,
    /// The leaf valid from three hours after the tokens' `iat` (every token
    /// expired).
    LeafAfterTokens3h,
    /// The id token dated 50 minutes before the access token the capture
    /// shows obtained before the OAuth login (still valid at capture).
    IdTokenBeforeToken,
    /// Every HTTP block written with HTTP/2 pseudo-headers (`:method`,
    /// `:scheme`, `:authority`, `:path`; `:status`), as `curl --http2 -v`
    /// or a browser prints them.
    H2PseudoHeaders,
    /// Every request line in origin form with its version and a `host:`
    /// header (`POST /acme/… HTTP/2` + `host: acme.example.com`), as
    /// `curl -v` prints it.
    RequestOriginForm,
    /// The new-order request sent first with a stale nonce (one no
    /// captured response issued), answered `400` `badNonce` with a fresh
    /// nonce, and sent again with it (RFC 8555 §6.5: the client retries).
    NewOrderBadNonceRetry,
    /// The new-account request answered `200` (an existing account, RFC
    /// 8555 §7.3.1) instead of `201`.
    NewAccountExisting,
    /// The order polled twice before finalize: first answered `pending`,
    /// then `ready`.
    OrderPolledTwice,
    /// Finalize answered `processing` (no certificate URL yet), the order
    /// polled, answered `valid` with the certificate URL (RFC 8555 §7.4).
    FinalizeProcessing,
    /// The finalize request's flattened JWS with an unprotected `header`
    /// member (RFC 8555 §6.2 forbids it).
    FinalizeUnprotectedHeader,
    /// Every HTTP block written as `curl -v` prints it: request lines
    /// prefixed `> `, response lines `< `.
    CurlVerbose,
    /// JSON blocks fenced ```` ```jsonc ````.
    FenceJsonc,
    /// The POST-as-GET requests' flattened JWS written without the
    /// (empty) `payload` member, which RFC 7515 §7.2.2 requires.
    PostAsGetNoPayload,
    /// The finalize request's protected header without `nonce` (RFC 8555
    /// §6.2 requires it).
    FinalizeNoNonce,
    /// The finalize request's protected header without `url`.
    FinalizeNoUrl,
}

impl Probe {
    /// Every probe.
    pub const ALL: [Probe; 59] = [
        Probe::ProofIatFloat,
        Probe::ProofIatFraction,
        Probe::ProofIatExponent,
        Probe::ProofIatString,
        Probe::ProofIatMissing,
        Probe::ProofExpMissing,
        Probe::ProofExpNegative,
        Probe::ProofExpHuge,
        Probe::TokenIatFloat,
        Probe::TokenExpString,
        Probe::TokenExpMissing,
        Probe::TokenExpNegative,
        Probe::TokenExpHuge,
        Probe::IdTokenIatFloat,
        Probe::IdTokenExpString,
        Probe::IdTokenExpMissing,
        Probe::IdTokenIatMissing,
        Probe::ProofDupHtuLastRight,
        Probe::ProofDupHtuFirstRight,
        Probe::ProofDupIatSame,
        Probe::ProofHeaderDupTyp,
        Probe::TokenDupCnfLastRight,
        Probe::TokenDupClientIdFirstRight,
        Probe::IdTokenDupUserLastRight,
        Probe::NewOrderDupIdentifiersLastRight,
        Probe::FinalizeDupUrlLastRight,
        Probe::FinalizeDupNonceLastRight,
        Probe::SubUnicodeEscaped,
        Probe::HandleUnicodeEscaped,
        Probe::HandleAtUnencoded,
        Probe::HandleDoubleEncoded,
        Probe::HandlePercentUnreserved,
        Probe::SubDeviceUpperHex,
        Probe::OrderValueEscaped,
        Probe::ProofHtuTrailingSlash,
        Probe::ProofHtuDotSegment,
        Probe::ProofHtuPercentDash,
        Probe::ProofHtuEmptyPort,
        Probe::ProofTypApplication,
        Probe::ProofTypCase,
        Probe::TokenTypApplication,
        Probe::ProofJtiEmpty,
        Probe::ChainWithRoot,
        Probe::ChainTwice,
        Probe::ChainExtraUnrelated,
        Probe::ChainRootNoIntermediate,
        Probe::LeafKuNoDigitalSignature,
        Probe::LeafKuAbsent,
        Probe::LeafEkuAbsent,
        Probe::LeafEkuAny,
        Probe::LeafEkuBoth,
        Probe::ChainPemBody,
        Probe::Http2Status,
        Probe::DpopHeaderCompact,
        Probe::DpopHeaderBase64Url,
        Probe::SecondNonce,
        Probe::ChallengeRetried,
        Probe::SecondNewOrder,
        Probe::NonceIssuedLater,
    ];

    /// Probes added late, kept out of [`Probe::ALL`]'s fixed length.
    pub const MORE: [Probe; 73] = [
        Probe::WireNonceAfterProof,
        Probe::TimesFloat,
        Probe::ProofAfterToken,
        Probe::ProofAfterTokenFloat,
        Probe::TokenCnfBothKidWrong,
        Probe::TokenCnfBothJktWrong,
        Probe::TokenResponseRfc6749,
        Probe::NewOrderDupIdentifiersFirstRight,
        Probe::FinalizeDupCsrLastRight,
        Probe::TimesKeysEscaped,
        Probe::ProofHtuKeyEscaped,
        Probe::ProofDupHtuKeyEscaped,
        Probe::TokenCnfDupKid,
        Probe::ClaimsSlashesEscaped,
        Probe::AcmeSlashesEscaped,
        Probe::ClaimsPretty,
        Probe::TokenLifetimeDay,
        Probe::TokenLifetimeDayPlus,
        Probe::ProofAfterTokenSkew,
        Probe::ProofAfterTokenSkewPlus,
        Probe::ProofExpU64Max,
        Probe::TokenIatU64Max,
        Probe::IdTokenAudArray,
        Probe::ChallengeRetried400,
        Probe::WireNonceTwice,
        Probe::TokenTimesMillis,
        Probe::IdTokenTimesMillis,
        Probe::ChainJsonArray,
        Probe::OidcNonceEncoded,
        Probe::TargetDefaultPort,
        Probe::TargetHostUpper,
        Probe::OrderValueReordered,
        Probe::HeadersReversed,
        Probe::ChallengeEmptyPost,
        Probe::ChallengeTokenMember,
        Probe::TradeRequestGet,
        Probe::FinalizeGeneralJws,
        Probe::TokenHeaderDupTyp,
        Probe::IdTokenHeaderDupKid,
        Probe::NewAccountJwkDupX,
        Probe::SuiteLineAbsent,
        Probe::SuiteLineMls,
        Probe::HtuUpperHex,
        Probe::IdTokenNbfFuture,
        Probe::ProofExpEqualsIat,
        Probe::LeafByRoot,
        Probe::AllGeneralJws,
        Probe::TradeRequestOtherUrl,
        Probe::PkceMethodAbsent,
        Probe::AuthNonceTwiceLastRight,
        Probe::AuthNonceTwiceFirstRight,
        Probe::ProofStringsEscaped,
        Probe::AcmeHeaderEscaped,
        Probe::ProofHtuUserinfo,
        Probe::ProofHtuOtherPort,
        Probe::ProofHtuOtherScheme,
        Probe::VerifierTwiceFirstRight,
        Probe::LeafAfterTokens30m,
        Probe::LeafAfterTokens90m,
        Probe::LeafAfterTokens3h,
        Probe::IdTokenBeforeToken,
        Probe::H2PseudoHeaders,
        Probe::RequestOriginForm,
        Probe::NewOrderBadNonceRetry,
        Probe::NewAccountExisting,
        Probe::OrderPolledTwice,
        Probe::FinalizeProcessing,
        Probe::FinalizeUnprotectedHeader,
        Probe::CurlVerbose,
        Probe::FenceJsonc,
        Probe::PostAsGetNoPayload,
        Probe::FinalizeNoNonce,
        Probe::FinalizeNoUrl,
    ];

    /// Whether `era`'s layout can carry the probe.
    pub fn applies_to(self, era: Era) -> bool {
        match self {
            Probe::IdTokenIatFloat
            | Probe::IdTokenExpString
            | Probe::IdTokenExpMissing
            | Probe::IdTokenIatMissing
            | Probe::IdTokenDupUserLastRight
            | Probe::IdTokenAudArray
            | Probe::IdTokenTimesMillis
            | Probe::OidcNonceEncoded
            | Probe::IdTokenHeaderDupKid
            | Probe::IdTokenNbfFuture
            | Probe::PkceMethodAbsent
            | Probe::AuthNonceTwiceLastRight
            | Probe::AuthNonceTwiceFirstRight
            | Probe::VerifierTwiceFirstRight
            | Probe::IdTokenBeforeToken => era.has_oidc(),
            Probe::ChallengeEmptyPost
            | Probe::ChallengeTokenMember
            | Probe::TradeRequestGet
            | Probe::TradeRequestOtherUrl => era != Era::Y2023_01,
            Probe::TargetDefaultPort | Probe::TargetHostUpper => era == Era::Y2026_01,
            Probe::OrderValueReordered => era != Era::Y2023_01,
            Probe::HandleUnicodeEscaped
            | Probe::HandleAtUnencoded
            | Probe::HandleDoubleEncoded
            | Probe::HandlePercentUnreserved => era.current_claims(),
            Probe::DpopHeaderCompact | Probe::DpopHeaderBase64Url | Probe::WireNonceAfterProof => {
                era.has_dpop_header()
            }
            Probe::OrderValueEscaped | Probe::TokenResponseRfc6749 => era != Era::Y2023_01,
            Probe::ChainJsonArray => era != Era::Y2023_01,
            Probe::ChainPemBody => true,
            Probe::ChallengeRetried | Probe::ChallengeRetried400 | Probe::WireNonceTwice => {
                era != Era::Y2023_01
            }
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

/// The first `"name":value` member of compact JSON `text` (up to the next
/// `,"` or the closing brace), as written.
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

/// `text` with member `name`'s value replaced by `value` (JSON text).
fn set_member(text: &str, name: &str, value: &str) -> String {
    let old = member(text, name);
    if old.is_empty() {
        return text.to_owned();
    }
    text.replacen(&old, &format!("\"{name}\":{value}"), 1)
}

/// `text` with member `name`'s value (JSON text, quotes included) changed
/// by `f`.
fn edit_value(text: &str, name: &str, f: impl Fn(&str) -> String) -> String {
    let old = member(text, name);
    match old.split_once(':') {
        Some((_, value)) => text.replacen(&old, &format!("\"{name}\":{}", f(value)), 1),
        None => text.to_owned(),
    }
}

/// `text` without member `name`.
fn drop_member(text: &str, name: &str) -> String {
    let old = member(text, name);
    if old.is_empty() {
        return text.to_owned();
    }
    let with_comma = format!("{old},");
    if text.contains(&with_comma) {
        text.replacen(&with_comma, "", 1)
    } else {
        text.replacen(&format!(",{old}"), "", 1)
    }
}

/// `text` with `extra` (a `"name":value` member) inserted first.
fn prepend(text: &str, extra: &str) -> String {
    format!("{{{extra},{}", &text[1..])
}

/// `text` with `extra` inserted last.
fn append(text: &str, extra: &str) -> String {
    format!("{},{extra}}}", &text[..text.len() - 1])
}

/// The number member `name` of compact JSON `text`.
fn number(text: &str, name: &str) -> u64 {
    member(text, name)
        .split_once(':')
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or_default()
}

/// What `text` parses to (serde: the last of two equal names).
fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

impl EraEnrolment {
    /// The whole capture of the valid enrolment with `probe` applied.
    pub fn probe_transcript(&self, probe: Probe) -> String {
        self.probe_fault_transcript(probe, Fault::None)
    }

    /// The whole capture with `fault` seeded and `probe` applied.
    pub fn probe_fault_transcript(&self, probe: Probe, fault: Fault) -> String {
        self.probes_fault_transcript(&[probe], fault)
    }

    /// The whole capture with `fault` seeded and `probes` applied in turn.
    pub fn probes_fault_transcript(&self, probes: &[Probe], fault: Fault) -> String {
        let mut parts = self.parts(fault);
        for probe in probes {
            self.apply_signed(*probe, &mut parts);
        }
        let text = {
            let mut md = Md::new(self.era, &parts, &self.signatures);
            match self.era {
                Era::Y2023_01 => md.write_2023_01(),
                _ => md.write_oidc_era(),
            }
            md.finish()
        };
        probes
            .iter()
            .fold(text, |text, probe| self.apply_text(*probe, &parts, text))
    }

    /// The renewal capture ([`EraEnrolment::renewal_transcript`]) with
    /// `probe`'s signed changes applied to enrolment `faulty` (1 to 3) and
    /// its text changes to the first place they apply.
    pub fn renewal_probe_transcript(&self, faulty: usize, probe: Probe) -> String {
        self.renewal_probe_fault_transcript(faulty, probe, Fault::None)
    }

    /// [`EraEnrolment::renewal_probe_transcript`] with `fault` seeded into
    /// the same enrolment.
    pub fn renewal_probe_fault_transcript(
        &self,
        faulty: usize,
        probe: Probe,
        fault: Fault,
    ) -> String {
        let renewed = self.renewed_flow();
        let at = |n| if n == faulty { fault } else { Fault::None };
        let mut parts = [
            self.parts(at(1)),
            self.parts(at(2)),
            self.parts_of(&renewed, &super::Resources::renewal(), at(3)),
        ];
        if let Some(p) = parts.get_mut(faulty.wrapping_sub(1)) {
            self.apply_signed(probe, p);
        }
        let [first, second, third] = &parts;
        let text = {
            let mut md = Md::new(self.era, first, &self.signatures);
            md.write_oidc_era();
            md.p = second;
            md.step = 0;
            md.enrolment(super::Login::OAuth);
            md.p = third;
            md.enrolment(super::Login::Refresh);
            md.finish()
        };
        let p = parts.get(faulty.wrapping_sub(1)).unwrap_or(first);
        self.apply_text(probe, p, text)
    }

    /// The proof edited as text and signed again; the token embeds it.
    fn edit_proof(&self, p: &mut Parts, h: impl Fn(&str) -> String, c: impl Fn(&str) -> String) {
        let f = &mut p.flow;
        f.dpop = edit_jws(&f.dpop, &f.client, h, c);
        f.proof_claims = parsed(&segment(&f.dpop, 1));
        f.token_claims["proof"] = json!(f.dpop);
        f.resign_token();
    }

    /// The access token edited as text and signed again.
    fn edit_token(&self, p: &mut Parts, h: impl Fn(&str) -> String, c: impl Fn(&str) -> String) {
        let f = &mut p.flow;
        f.access_token = edit_jws(&f.access_token, &f.issuer, h, c);
        f.token_claims = parsed(&segment(&f.access_token, 1));
    }

    /// The id token (returned and posted) edited as text and signed again.
    fn edit_id_token(&self, p: &mut Parts, c: impl Fn(&str) -> String) {
        let o = &mut p.oidc;
        o.id_token = edit_jws(&o.id_token, &self.e.idp, |h| h.to_owned(), c);
        o.returned_id_token.clone_from(&o.id_token);
    }

    fn apply_signed(&self, probe: Probe, p: &mut Parts) {
        let keep = |h: &str| h.to_owned();
        let now = p.flow.now;
        let other_htu = p
            .flow
            .htu
            .replace(DEVICE_URL[super::era_index(self.era)], OTHER_DEVICE);
        match probe {
            Probe::ProofIatFloat => self.edit_proof(p, keep, |c| {
                set_member(c, "iat", &format!("{}.0", number(c, "iat")))
            }),
            Probe::ProofIatFraction => self.edit_proof(p, keep, |c| {
                set_member(c, "iat", &format!("{}.5", number(c, "iat")))
            }),
            Probe::ProofIatExponent => {
                let digits = number(&segment(&p.flow.dpop, 1), "iat").to_string();
                let exp = format!("{}.{}e{}", &digits[..1], &digits[1..], digits.len() - 1);
                self.edit_proof(p, keep, |c| set_member(c, "iat", &exp));
            }
            Probe::ProofIatString => {
                self.edit_proof(p, keep, |c| set_member(c, "iat", &format!("\"{now}\"")))
            }
            Probe::ProofIatMissing => self.edit_proof(p, keep, |c| drop_member(c, "iat")),
            Probe::ProofExpMissing => self.edit_proof(p, keep, |c| drop_member(c, "exp")),
            Probe::ProofExpNegative => self.edit_proof(p, keep, |c| set_member(c, "exp", "-1")),
            Probe::ProofExpHuge => {
                self.edit_proof(p, keep, |c| set_member(c, "exp", "99999999999999999999"))
            }
            Probe::TokenIatFloat => self.edit_token(p, keep, |c| {
                let iat = number(c, "iat");
                set_member(c, "iat", &format!("{iat}.0"))
            }),
            Probe::TokenExpString => self.edit_token(p, keep, |c| {
                let exp = number(c, "exp");
                set_member(c, "exp", &format!("\"{exp}\""))
            }),
            Probe::TokenExpMissing => self.edit_token(p, keep, |c| drop_member(c, "exp")),
            Probe::TokenExpNegative => self.edit_token(p, keep, |c| set_member(c, "exp", "-1")),
            Probe::TokenExpHuge => self.edit_token(p, keep, |c| set_member(c, "exp", "1e300")),
            Probe::IdTokenIatFloat => self.edit_id_token(p, |c| {
                let iat = number(c, "iat");
                set_member(c, "iat", &format!("{iat}.0"))
            }),
            Probe::IdTokenExpString => self.edit_id_token(p, |c| {
                let exp = number(c, "exp");
                set_member(c, "exp", &format!("\"{exp}\""))
            }),
            Probe::IdTokenExpMissing => self.edit_id_token(p, |c| drop_member(c, "exp")),
            Probe::IdTokenIatMissing => self.edit_id_token(p, |c| drop_member(c, "iat")),
            Probe::TimesFloat => {
                let float = |c: &str| {
                    ["iat", "nbf", "exp"].iter().fold(c.to_owned(), |c, name| {
                        let m = member(&c, name);
                        let v = m.split_once(':').map(|(_, v)| v).unwrap_or_default();
                        if v.is_empty() || v.contains('.') || v.contains('"') {
                            return c;
                        }
                        edit_value(&c, name, |v| format!("{v}.0"))
                    })
                };
                self.edit_proof(p, keep, float);
                self.edit_token(p, keep, float);
                if self.era.has_oidc() {
                    self.edit_id_token(p, float);
                }
            }
            Probe::ProofAfterToken | Probe::ProofAfterTokenFloat => {
                let token_iat = number(&segment(&p.flow.access_token, 1), "iat");
                let (iat, exp) = (token_iat + 300, token_iat + 7500);
                let spell = |n: u64| {
                    if probe == Probe::ProofAfterTokenFloat {
                        format!("{n}.0")
                    } else {
                        n.to_string()
                    }
                };
                self.edit_proof(p, keep, |c| {
                    let c = set_member(c, "iat", &spell(iat));
                    let c = set_member(&c, "nbf", &spell(iat));
                    set_member(&c, "exp", &spell(exp))
                });
            }
            Probe::TokenCnfBothKidWrong | Probe::TokenCnfBothJktWrong => {
                let hash = p.flow.suite.alg().suite_hash();
                let own = p.flow.issuer.jwk().thumbprint(hash);
                let right = p.flow.client.jwk().thumbprint(hash);
                let cnf = if probe == Probe::TokenCnfBothKidWrong {
                    format!("{{\"jkt\":\"{right}\",\"kid\":\"{own}\"}}")
                } else {
                    format!("{{\"jkt\":\"{own}\",\"kid\":\"{right}\"}}")
                };
                self.edit_token(p, keep, |c| set_member(c, "cnf", &cnf));
            }
            Probe::TimesKeysEscaped => {
                let esc = |c: &str| {
                    c.replacen("\"iat\":", "\"\\u0069at\":", 1)
                        .replacen("\"nbf\":", "\"\\u006ebf\":", 1)
                        .replacen("\"exp\":", "\"\\u0065xp\":", 1)
                };
                self.edit_proof(p, keep, esc);
                self.edit_token(p, keep, esc);
                if self.era.has_oidc() {
                    self.edit_id_token(p, esc);
                }
            }
            Probe::ProofHtuKeyEscaped => {
                self.edit_proof(p, keep, |c| c.replacen("\"htu\":", "\"\\u0068tu\":", 1));
            }
            Probe::ProofDupHtuKeyEscaped => {
                let other = format!("\"htu\":{}", json!(other_htu));
                self.edit_proof(p, keep, |c| {
                    prepend(&c.replacen("\"htu\":", "\"\\u0068tu\":", 1), &other)
                });
            }
            Probe::TokenCnfDupKid => {
                let hash = p.flow.suite.alg().suite_hash();
                let own = p.flow.issuer.jwk().thumbprint(hash);
                let right = p.flow.client.jwk().thumbprint(hash);
                let cnf = format!("{{\"kid\":\"{own}\",\"kid\":\"{right}\"}}");
                self.edit_token(p, keep, |c| set_member(c, "cnf", &cnf));
            }
            Probe::ClaimsSlashesEscaped => {
                let esc = |c: &str| c.replace('/', "\\/");
                self.edit_proof(p, keep, esc);
                self.edit_token(p, keep, esc);
                if self.era.has_oidc() {
                    self.edit_id_token(p, esc);
                }
            }
            Probe::ClaimsPretty => {
                let pretty = |c: &str| {
                    serde_json::from_str::<Value>(c)
                        .ok()
                        .and_then(|v| serde_json::to_string_pretty(&v).ok())
                        .unwrap_or_else(|| c.to_owned())
                };
                self.edit_proof(p, keep, pretty);
                self.edit_token(p, keep, pretty);
                if self.era.has_oidc() {
                    self.edit_id_token(p, pretty);
                }
            }
            Probe::TokenLifetimeDay | Probe::TokenLifetimeDayPlus => {
                let extra = u64::from(probe == Probe::TokenLifetimeDayPlus);
                self.edit_token(p, keep, |c| {
                    let iat = number(c, "iat");
                    set_member(c, "exp", &(iat + 86_400 + extra).to_string())
                });
            }
            Probe::ProofAfterTokenSkew | Probe::ProofAfterTokenSkewPlus => {
                let token_iat = number(&segment(&p.flow.access_token, 1), "iat");
                let iat = token_iat + 60 + u64::from(probe == Probe::ProofAfterTokenSkewPlus);
                self.edit_proof(p, keep, |c| {
                    let c = set_member(c, "iat", &iat.to_string());
                    let c = set_member(&c, "nbf", &iat.to_string());
                    set_member(&c, "exp", &(iat + 7200).to_string())
                });
            }
            Probe::TokenTimesMillis | Probe::IdTokenTimesMillis => {
                let millis = |c: &str| {
                    ["iat", "nbf", "exp"].iter().fold(c.to_owned(), |c, name| {
                        let n = number(&c, name);
                        if n == 0 {
                            return c;
                        }
                        set_member(&c, name, &(n * 1000).to_string())
                    })
                };
                if probe == Probe::TokenTimesMillis {
                    self.edit_token(p, keep, millis);
                } else {
                    self.edit_id_token(p, millis);
                }
            }
            Probe::OidcNonceEncoded => {
                let nonce = "zA7+hXb/3r9Qk=";
                p.oidc.nonce = nonce.to_owned();
                self.edit_id_token(p, |c| set_member(c, "nonce", &json!(nonce).to_string()));
            }
            Probe::TokenHeaderDupTyp => {
                self.edit_token(p, |h| prepend(h, "\"typ\":\"JWT\""), keep);
            }
            Probe::IdTokenHeaderDupKid => {
                let o = &mut p.oidc;
                o.id_token = edit_jws(
                    &o.id_token,
                    &self.e.idp,
                    |h| prepend(h, "\"kid\":\"idp-0\""),
                    |c| c.to_owned(),
                );
                o.returned_id_token.clone_from(&o.id_token);
            }
            Probe::HtuUpperHex => {
                let device = DEVICE_URL[super::era_index(self.era)];
                let upper = p.flow.htu.replace(device, &device.to_uppercase());
                let lower = json!(p.flow.htu).to_string();
                let up = json!(upper).to_string();
                self.edit_proof(p, keep, |c| c.replace(&lower, &up));
                self.edit_token(p, keep, |c| c.replace(&lower, &up));
            }
            Probe::IdTokenNbfFuture => self.edit_id_token(p, |c| {
                let iat = number(c, "iat");
                append(c, &format!("\"nbf\":{}", iat + 600))
            }),
            Probe::ProofExpEqualsIat => self.edit_proof(p, keep, |c| {
                let iat = number(c, "iat");
                set_member(c, "exp", &iat.to_string())
            }),
            Probe::ProofStringsEscaped => {
                let esc = |c: &str| {
                    ["nonce", "chal", "jti"]
                        .iter()
                        .fold(c.to_owned(), |c, name| edit_value(&c, name, escape_first))
                };
                self.edit_proof(p, keep, esc);
                self.edit_token(p, keep, esc);
            }
            Probe::ProofHtuUserinfo | Probe::ProofHtuOtherPort | Probe::ProofHtuOtherScheme => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "htu", |v| {
                        let Some((scheme, rest)) = v.split_once("://") else {
                            return v.to_owned();
                        };
                        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                        match probe {
                            Probe::ProofHtuUserinfo => format!("{scheme}://alice@{host}/{path}"),
                            Probe::ProofHtuOtherPort => {
                                let name = host.split(':').next().unwrap_or(host);
                                format!("{scheme}://{name}:8443/{path}")
                            }
                            _ => {
                                let other = if scheme.ends_with("https") {
                                    scheme.replace("https", "http")
                                } else {
                                    scheme.replace("http", "https")
                                };
                                format!("{other}://{host}/{path}")
                            }
                        }
                    })
                });
            }
            Probe::IdTokenBeforeToken => self.edit_id_token(p, |c| {
                let iat = number(c, "iat");
                let c = set_member(c, "iat", &(iat - 3000).to_string());
                set_member(&c, "exp", &(iat + 600).to_string())
            }),
            Probe::ProofExpU64Max => {
                self.edit_proof(p, keep, |c| set_member(c, "exp", &u64::MAX.to_string()));
            }
            Probe::TokenIatU64Max => {
                self.edit_token(p, keep, |c| set_member(c, "iat", &u64::MAX.to_string()));
            }
            Probe::IdTokenAudArray => self.edit_id_token(p, |c| {
                let aud = member(c, "aud");
                let value = aud.split_once(':').map(|(_, v)| v).unwrap_or_default();
                set_member(c, "aud", &format!("[{value}]"))
            }),
            Probe::ProofDupHtuLastRight => {
                self.edit_proof(p, keep, |c| {
                    prepend(c, &format!("\"htu\":{}", json!(other_htu)))
                });
            }
            Probe::ProofDupHtuFirstRight => {
                self.edit_proof(p, keep, |c| {
                    append(c, &format!("\"htu\":{}", json!(other_htu)))
                });
                // The view shows the first (the right) value.
                p.flow.proof_claims["htu"] = json!(p.flow.htu);
            }
            Probe::ProofDupIatSame => {
                self.edit_proof(p, keep, |c| append(c, &format!("\"iat\":{now}")))
            }
            Probe::ProofHeaderDupTyp => self.edit_proof(p, |h| prepend(h, "\"typ\":\"JWT\""), keep),
            Probe::TokenDupCnfLastRight => {
                let hash = p.flow.suite.alg().suite_hash();
                let own = p.flow.issuer.jwk().thumbprint(hash);
                self.edit_token(p, keep, |c| {
                    prepend(c, &format!("\"cnf\":{{\"kid\":\"{own}\"}}"))
                });
            }
            Probe::TokenDupClientIdFirstRight => {
                let other = p.flow.client_id.replace(DEVICE, OTHER_DEVICE);
                self.edit_token(p, keep, |c| {
                    append(c, &format!("\"client_id\":{}", json!(other)))
                });
                p.flow.token_claims["client_id"] = json!(p.flow.client_id);
            }
            Probe::IdTokenDupUserLastRight => {
                let (claim, other) = if self.era.binds_id_token() {
                    (
                        "preferred_username",
                        json!(format!("mallory@{}", super::DOMAIN)),
                    )
                } else {
                    (
                        "name",
                        json!(p.flow.handle.replace("alice_wire", "mallory")),
                    )
                };
                self.edit_id_token(p, |c| prepend(c, &format!("\"{claim}\":{other}")));
            }
            Probe::SubUnicodeEscaped => {
                let esc = |v: &str| {
                    v.replace('@', "\\u0040")
                        .replace('!', "\\u0021")
                        .replace('/', "\\u002f")
                };
                self.edit_proof(p, keep, |c| edit_value(c, "sub", esc));
                self.edit_token(p, keep, |c| {
                    edit_value(&edit_value(c, "sub", esc), "client_id", esc)
                });
            }
            Probe::HandleUnicodeEscaped => self.edit_proof(p, keep, |c| {
                edit_value(c, "handle", |v| {
                    v.replace('%', "\\u0025").replace('@', "\\u0040")
                })
            }),
            Probe::HandleAtUnencoded => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "handle", |v| v.replace("%40", "@"))
                });
            }
            Probe::HandleDoubleEncoded => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "handle", |v| v.replace("%40", "%2540"))
                });
            }
            Probe::HandlePercentUnreserved => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "handle", |v| v.replace("%40a", "%40%61"))
                });
            }
            Probe::SubDeviceUpperHex => {
                let up = |v: &str| v.replace(DEVICE, &DEVICE.to_uppercase());
                self.edit_proof(p, keep, |c| edit_value(c, "sub", up));
                self.edit_token(p, keep, |c| {
                    edit_value(&edit_value(c, "sub", up), "client_id", up)
                });
            }
            Probe::ProofHtuTrailingSlash => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "htu", |v| format!("{}/\"", &v[..v.len() - 1]))
                });
            }
            Probe::ProofHtuDotSegment => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "htu", |v| v.replace("/clients/", "/clients/./"))
                });
            }
            Probe::ProofHtuPercentDash => {
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "htu", |v| v.replace("access-token", "access%2Dtoken"))
                });
            }
            Probe::ProofHtuEmptyPort => {
                // Only where the URL has the default port (else the port is
                // part of it): `host/` becomes `host:/`.
                self.edit_proof(p, keep, |c| {
                    edit_value(c, "htu", |v| {
                        let Some((scheme, rest)) = v.split_once("://") else {
                            return v.to_owned();
                        };
                        let host = rest.split('/').next().unwrap_or_default();
                        if host.contains(':') {
                            return v.to_owned();
                        }
                        format!("{scheme}://{}", rest.replacen('/', ":/", 1))
                    })
                });
            }
            Probe::ProofTypApplication => {
                self.edit_proof(
                    p,
                    |h| set_member(h, "typ", "\"application/dpop+jwt\""),
                    keep,
                );
            }
            Probe::ProofTypCase => {
                self.edit_proof(p, |h| set_member(h, "typ", "\"DPoP+JWT\""), keep)
            }
            Probe::TokenTypApplication => {
                self.edit_token(p, |h| set_member(h, "typ", "\"application/at+jwt\""), keep);
            }
            Probe::ProofJtiEmpty => self.edit_proof(p, keep, |c| set_member(c, "jti", "\"\"")),
            Probe::ChainWithRoot => p.chain.push(self.ca.root.clone()),
            Probe::LeafAfterTokens30m | Probe::LeafAfterTokens90m | Probe::LeafAfterTokens3h => {
                let after = match probe {
                    Probe::LeafAfterTokens30m => 1800,
                    Probe::LeafAfterTokens90m => 5400,
                    _ => 10_800,
                };
                let (y, m, d) = self.era.leaf_day();
                let from = super::date_time_ymd(1970, 1, 1)
                    + std::time::Duration::from_secs(p.flow.now + after);
                p.chain[0] = self.ca.leaf_with(
                    self.era,
                    &p.flow.client,
                    &p.ids,
                    ((y, m, d), (y + 10, m, d)),
                    &|c| c.not_before = from,
                );
            }
            Probe::LeafByRoot => {
                p.chain = vec![self.ca.leaf_by_root(self.era, &p.flow.client, &p.ids)];
            }
            Probe::ChainTwice => {
                let again = p.chain.clone();
                p.chain.extend(again);
            }
            Probe::ChainExtraUnrelated => {
                let other = Ca::new(p.suite, &format!("eras/unrelated/{}", self.era.name()));
                p.chain.push(other.intermediate.clone());
            }
            Probe::ChainRootNoIntermediate => p.chain[1] = self.ca.root.clone(),
            Probe::LeafKuNoDigitalSignature
            | Probe::LeafKuAbsent
            | Probe::LeafEkuAbsent
            | Probe::LeafEkuAny
            | Probe::LeafEkuBoth => {
                let (y, m, d) = self.era.leaf_day();
                let tweak = |c: &mut rcgen::CertificateParams| match probe {
                    Probe::LeafKuNoDigitalSignature => {
                        c.key_usages = vec![KeyUsagePurpose::ContentCommitment];
                    }
                    Probe::LeafKuAbsent => c.key_usages = vec![],
                    Probe::LeafEkuAbsent => c.extended_key_usages = vec![],
                    Probe::LeafEkuAny => c.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any],
                    _ => {
                        c.extended_key_usages = vec![
                            ExtendedKeyUsagePurpose::ClientAuth,
                            ExtendedKeyUsagePurpose::ServerAuth,
                        ];
                    }
                };
                p.chain[0] = self.ca.leaf_with(
                    self.era,
                    &p.flow.client,
                    &p.ids,
                    ((y, m, d), (y + 10, m, d)),
                    &tweak,
                );
            }
            _ => {}
        }
    }

    fn apply_text(&self, probe: Probe, p: &Parts, text: String) -> String {
        match probe {
            Probe::NewOrderDupIdentifiersLastRight => {
                let other = super::new_order_payload(self.era, &p.ids.other_device());
                let ids = other["identifiers"].to_string();
                resign_acme(
                    &text,
                    &p.account,
                    "/new-order",
                    |h| h.to_owned(),
                    |c| prepend(c, &format!("\"identifiers\":{ids}")),
                )
            }
            Probe::NewOrderDupIdentifiersFirstRight => {
                let other = super::new_order_payload(self.era, &p.ids.other_device());
                let ids = other["identifiers"].to_string();
                resign_acme(
                    &text,
                    &p.account,
                    "/new-order",
                    |h| h.to_owned(),
                    |c| append(c, &format!("\"identifiers\":{ids}")),
                )
            }
            Probe::FinalizeDupCsrLastRight => {
                let other = super::csr_of(self.era, &p.flow.client, &p.ids.other_device());
                let csr = b64(&other);
                resign_acme(
                    &text,
                    &p.account,
                    "/finalize",
                    |h| h.to_owned(),
                    |c| prepend(c, &format!("\"csr\":\"{csr}\"")),
                )
            }
            Probe::FinalizeDupUrlLastRight => resign_acme(
                &text,
                &p.account,
                "/finalize",
                |h| {
                    let url = member(h, "url");
                    let order = url.replace("/finalize", "");
                    prepend(h, &order)
                },
                |c| c.to_owned(),
            ),
            Probe::FinalizeDupNonceLastRight => {
                // The nonce the request before finalize used.
                let used = acme_nonces(&text);
                let at = used.iter().position(|(u, _)| u.ends_with("/finalize"));
                let old = at
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| used.get(i))
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                resign_acme(
                    &text,
                    &p.account,
                    "/finalize",
                    |h| prepend(h, &format!("\"nonce\":\"{old}\"")),
                    |c| c.to_owned(),
                )
            }
            Probe::OrderValueEscaped => resign_acme(
                &text,
                &p.account,
                "/new-order",
                |h| h.to_owned(),
                |c| {
                    // Inside the JSON-encoded value (`\"…@…\"`) and the
                    // plain one: `@` as an escape.
                    c.replace("@wire", "\\u0040wire")
                },
            ),
            Probe::AcmeSlashesEscaped => {
                let mut out = text;
                for suffix in ["/new-account", "/new-order", "/finalize"] {
                    out = resign_acme(
                        &out,
                        &p.account,
                        suffix,
                        |h| h.replace('/', "\\/"),
                        |c| c.replace('/', "\\/"),
                    );
                }
                out
            }
            Probe::ChallengeRetried400 => challenge_retried_400(p, &text),
            Probe::OidcNonceEncoded => {
                text.replace("&nonce=zA7+hXb/3r9Qk=", "&nonce=zA7%2BhXb%2F3r9Qk%3D")
            }
            Probe::TargetDefaultPort => text.replace(
                "\"target\": \"https://wire.example.com/",
                "\"target\": \"https://wire.example.com:443/",
            ),
            Probe::TargetHostUpper => text.replace(
                "\"target\": \"https://wire.example.com/",
                "\"target\": \"https://WIRE.EXAMPLE.COM/",
            ),
            Probe::OrderValueReordered => order_value_reordered(self.era, p, text),
            Probe::HeadersReversed => headers_reversed(&text),
            Probe::SuiteLineAbsent | Probe::SuiteLineMls => {
                let line = super::suite_line(p.suite);
                let mls = match p.suite {
                    crate::mint::Suite::Ed25519 => "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
                    crate::mint::Suite::P256 => "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
                    crate::mint::Suite::P384 => "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
                    crate::mint::Suite::P521 => "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
                };
                let with = if probe == Probe::SuiteLineAbsent {
                    ""
                } else {
                    mls
                };
                text.replacen(&format!("\n{line}\n"), &format!("\n{with}\n"), 1)
            }
            Probe::HtuUpperHex => {
                let device = DEVICE_URL[super::era_index(self.era)];
                let lower = self.flow.htu.clone();
                text.replace(&lower, &lower.replace(device, &device.to_uppercase()))
            }
            Probe::ChallengeEmptyPost | Probe::ChallengeTokenMember => {
                let token = &p.flow.access_token;
                let suffix = p.flow.aud.rsplit('/').next().unwrap_or_default();
                let member = if probe == Probe::ChallengeEmptyPost {
                    String::new()
                } else {
                    format!("\"token\":{}", json!(token))
                };
                let out = resign_acme(
                    &text,
                    &p.account,
                    &format!("/{suffix}"),
                    |h| h.to_owned(),
                    |_| format!("{{{member}}}"),
                );
                let view = format!("\"access_token\": {}", json!(token));
                let shown = if probe == Probe::ChallengeEmptyPost {
                    String::new()
                } else {
                    format!("\"token\": {}", json!(token))
                };
                out.replacen(&view, &shown, 1)
            }
            Probe::TradeRequestGet => text.replacen(
                &format!("POST {}\n", p.flow.htu),
                &format!("GET {}\n", p.flow.htu),
                1,
            ),
            Probe::FinalizeGeneralJws => finalize_general(&text),
            Probe::FinalizeUnprotectedHeader => {
                match step_titled(&text, "create a CSR and call finalize url") {
                    Some((at, _)) => format!(
                        "{}{}",
                        &text[..at],
                        text[at..].replacen(
                            "{\n  \"payload\"",
                            "{\n  \"header\": {\n    \"kid\": \"unprotected\"\n  },\n  \"payload\"",
                            1
                        )
                    ),
                    None => text,
                }
            }
            Probe::CurlVerbose => curl_verbose(&text),
            Probe::FinalizeNoNonce | Probe::FinalizeNoUrl => {
                let name = if probe == Probe::FinalizeNoNonce {
                    "nonce"
                } else {
                    "url"
                };
                resign_acme(
                    &text,
                    &p.account,
                    "/finalize",
                    |h| drop_member(h, name),
                    |c| c.to_owned(),
                )
            }
            Probe::PostAsGetNoPayload => text
                .replace("  \"payload\": \"\",\n", "")
                .replace("\"payload\": \"\",", ""),
            Probe::FenceJsonc => text.replace("```json\n", "```jsonc\n"),
            Probe::AcmeHeaderEscaped => resign_acme(
                &text,
                &p.account,
                "/finalize",
                |h| edit_value(&edit_value(h, "nonce", escape_first), "kid", escape_first),
                |c| c.to_owned(),
            ),
            Probe::PkceMethodAbsent => text.replace("&code_challenge_method=S256", ""),
            Probe::VerifierTwiceFirstRight => {
                let v = &p.oidc.sent_verifier;
                text.replace(
                    &format!("&code_verifier={v}&"),
                    &format!("&code_verifier={v}&code_verifier=b3RoZXItdmVyaWZpZXItb2YtNDMtY2hhcmFjdGVycy1vci1tb3Jl&"),
                )
            }
            Probe::AuthNonceTwiceLastRight => {
                let n = &p.oidc.nonce;
                text.replace(
                    &format!("&nonce={n}"),
                    &format!("&nonce=b3RoZXItbG9naW4&nonce={n}"),
                )
            }
            Probe::AuthNonceTwiceFirstRight => {
                let n = &p.oidc.nonce;
                text.replace(
                    &format!("&nonce={n}"),
                    &format!("&nonce={n}&nonce=b3RoZXItbG9naW4"),
                )
            }
            Probe::TradeRequestOtherUrl => {
                let device = DEVICE_URL[super::era_index(self.era)];
                let other = p.flow.htu.replace(device, OTHER_DEVICE);
                text.replacen(
                    &format!("POST {}\n", p.flow.htu),
                    &format!("POST {other}\n"),
                    1,
                )
            }
            Probe::AllGeneralJws => all_general(&text),
            Probe::NewAccountJwkDupX => resign_acme(
                &text,
                &p.account,
                "/new-account",
                |h| h.replacen("\"x\":", "\"x\":\"AAAA\",\"x\":", 1),
                |c| c.to_owned(),
            ),
            Probe::WireNonceTwice => wire_nonce_twice(self.era, &text),
            Probe::ChainPemBody => chain_pem_body(&text),
            Probe::ChainJsonArray => chain_json_array(&text),
            Probe::Http2Status => http2(&text),
            Probe::H2PseudoHeaders => h2_pseudo(&text),
            Probe::RequestOriginForm => origin_form(&text),
            Probe::DpopHeaderCompact | Probe::DpopHeaderBase64Url => {
                let sent = STANDARD.encode(&p.flow.dpop);
                let with = if probe == Probe::DpopHeaderCompact {
                    p.flow.dpop.clone()
                } else {
                    URL_SAFE_NO_PAD.encode(&p.flow.dpop)
                };
                text.replace(&format!("dpop: {sent}"), &format!("dpop: {with}"))
            }
            Probe::SecondNonce => second_nonce(self.era, &text),
            Probe::ChallengeRetried => challenge_retried(self, p, &text),
            Probe::SecondNewOrder => second_new_order(self, p, &text),
            Probe::NewOrderBadNonceRetry => bad_nonce_retry(p, &text),
            Probe::OrderPolledTwice => poll_after(
                p,
                &text,
                "loop (with exponential backoff) until order is ready",
                |a| a.replacen("\"status\": \"ready\"", "\"status\": \"pending\"", 1),
            ),
            Probe::FinalizeProcessing => poll_after(
                p,
                &text,
                "get back a url for fetching the certificate",
                |a| {
                    let Some(body) = a.find("```json\n") else {
                        return a.to_owned();
                    };
                    let start = body + 8;
                    let Some(len) = a[start..].find("\n```") else {
                        return a.to_owned();
                    };
                    let mut out = a.to_owned();
                    out.replace_range(start..start + len, "{\n  \"status\": \"processing\"\n}");
                    out
                },
            ),
            Probe::NewAccountExisting => match step_titled(&text, "account created") {
                Some((at, _)) => format!(
                    "{}{}",
                    &text[..at],
                    text[at..].replacen("```http request\n201", "```http request\n200", 1)
                ),
                None => text,
            },
            Probe::NonceIssuedLater => nonce_issued_later(&text),
            Probe::WireNonceAfterProof => wire_nonce_after_proof(&text),
            Probe::TokenResponseRfc6749 => {
                let token = &p.flow.access_token;
                let ours =
                    super::pretty(&json!({"expires_in": 3960, "token": token, "type": "DPoP"}));
                let rfc = super::pretty(
                    &json!({"access_token": token, "expires_in": 3960, "token_type": "DPoP"}),
                );
                text.replacen(&ours, &rfc, 1)
            }
            _ => text,
        }
    }
}

/// A fenced block's body starting at `open` (the fence line's start):
/// (body start, body end, block end).
fn block_at(text: &str, open: usize) -> Option<(usize, usize, usize)> {
    let body = open + text[open..].find('\n')? + 1;
    let close = body + text[body..].find("\n```")?;
    let end = close + 4 + text[close + 4..].find('\n').unwrap_or(0);
    Some((body, close, end))
}

/// The `(url, nonce)` of each flattened JWS in the capture, in order.
fn acme_nonces(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let key = "\"protected\": \"";
    let mut from = 0;
    while let Some(at) = text[from..].find(key) {
        let start = from + at + key.len();
        let end = start + text[start..].find('"').unwrap_or(0);
        let header = segment_text(&text[start..end]);
        let h = parsed(&header);
        out.push((
            h["url"].as_str().unwrap_or_default().to_owned(),
            h["nonce"].as_str().unwrap_or_default().to_owned(),
        ));
        from = end;
    }
    out
}

fn segment_text(b64: &str) -> String {
    b64_decode(b64)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The capture with the first flattened JWS whose protected `url` ends
/// with `suffix` edited (protected header and payload as text) and signed
/// again with the account key.
fn resign_acme(
    text: &str,
    account: &SigningKey,
    suffix: &str,
    header: impl Fn(&str) -> String,
    payload: impl Fn(&str) -> String,
) -> String {
    let key = "\"protected\": \"";
    let mut from = 0;
    while let Some(at) = text[from..].find(key) {
        let start = from + at + key.len();
        let end = start + text[start..].find('"').unwrap_or(0);
        let protected = &text[start..end];
        let h = segment_text(protected);
        let url = parsed(&h)["url"].as_str().unwrap_or_default().to_owned();
        if !url.ends_with(suffix) {
            from = end;
            continue;
        }
        // The block holding this JWS.
        let open = text[..start].rfind("```").unwrap_or(0);
        let Some((body, close, _)) = block_at(text, open) else {
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
        let new_h = b64(header(&h).as_bytes());
        let new_p = if old_payload.is_empty() {
            String::new()
        } else {
            b64(payload(&segment_text(old_payload)).as_bytes())
        };
        let signature = b64(&account.sign(format!("{new_h}.{new_p}").as_bytes()));
        let skey = "\"signature\": \"";
        let Some(sat) = block.find(skey) else {
            return text.to_owned();
        };
        let ss = sat + skey.len();
        let se = ss + block[ss..].find('"').unwrap_or(0);
        let mut new_block = block.to_owned();
        // Replace from the end so the earlier offsets hold.
        let mut edits = [
            (ps, pe, new_p),
            (ss, se, signature),
            (start - body, end - body, new_h),
        ];
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (s, e, v) in edits {
            new_block.replace_range(s..e, &v);
        }
        return format!("{}{new_block}{}", &text[..body], &text[close..]);
    }
    text.to_owned()
}

/// The chain's JSON string body written as bare PEM in a `text` block.
fn chain_pem_body(text: &str) -> String {
    chain_body(text, |body| {
        let pem = match serde_json::from_str::<Value>(body).ok()? {
            Value::String(pem) => pem,
            // 2023-01: base64 DER, each certificate.
            Value::Array(items) => items
                .iter()
                .filter_map(|i| {
                    let b = i.as_str()?.replace('\n', "");
                    Some(super::pem("CERTIFICATE", &STANDARD.decode(b).ok()?))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => return None,
        };
        Some(("text", pem.trim_end().to_owned()))
    })
}

/// The chain's JSON string body (PEM) written as a JSON array of base64
/// DER.
fn chain_json_array(text: &str) -> String {
    chain_body(text, |body| {
        let pem = serde_json::from_str::<String>(body).ok()?;
        let ders: Vec<Value> = pem
            .split("-----BEGIN CERTIFICATE-----")
            .filter_map(|b| b.split("-----END CERTIFICATE-----").next())
            .map(|b| b.split_whitespace().collect::<String>())
            .filter(|b| !b.is_empty())
            .map(Value::String)
            .collect();
        Some(("json", super::pretty(&Value::Array(ders))))
    })
}

/// The capture with the certificate download's JSON body rewritten by
/// `f` (the new fence info string and body).
fn chain_body(text: &str, f: impl Fn(&str) -> Option<(&'static str, String)>) -> String {
    let marker = "application/pem-certificate-chain";
    let Some(at) = text.find(marker) else {
        return text.to_owned();
    };
    let Some(open) = text[at..].find("```json").map(|o| at + o) else {
        return text.to_owned();
    };
    let Some((body, close, _)) = block_at(text, open) else {
        return text.to_owned();
    };
    let Some((info, new)) = f(&text[body..close]) else {
        return text.to_owned();
    };
    format!("{}```{info}\n{new}{}", &text[..open], &text[close..])
}

/// Status lines `HTTP/2 NNN`.
fn http2(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut after_open = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if after_open && bare.len() == 3 && bare.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("HTTP/2 {bare}\n"));
        } else {
            out.push_str(line);
        }
        after_open = bare == "```http request";
    }
    out
}

/// Step headings (`#### N. …`) renumbered: each number ≥ `from` gains
/// `by`.
fn renumber(text: &str, from: u32, by: u32) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("#### ") {
            if let Some((n, title)) = rest.split_once(". ") {
                if let Ok(n) = n.parse::<u32>() {
                    if n >= from {
                        out.push_str(&format!("#### {}. {title}", n + by));
                        continue;
                    }
                }
            }
        }
        out.push_str(line);
    }
    out
}

/// The start of the step numbered `n`'s heading and the number of the step
/// titled `title`.
fn step_titled(text: &str, title: &str) -> Option<(usize, u32)> {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("#### ") {
            if let Some((n, t)) = rest.trim_end().split_once(". ") {
                if t == title {
                    return Some((pos, n.parse().ok()?));
                }
            }
        }
        pos += line.len();
    }
    None
}

/// The blank line the era writes after a block.
fn gap(era: Era) -> &'static str {
    if era == Era::Y2026_01 {
        "\n"
    } else {
        ""
    }
}

/// A second new-nonce exchange before new-account: the first nonce is
/// never used.
fn second_nonce(era: Era, text: &str) -> String {
    let Some((at, n)) = step_titled(text, "create a new account") else {
        return text.to_owned();
    };
    let acme = era.acme();
    let g = gap(era);
    let unused = b64(b"a-second-nonce-never-used");
    let inserted = if era == Era::Y2023_01 {
        format!(
            "#### {n}. fetch another nonce\n{g}```http request\nHEAD {acme}/new-nonce\n\n```\n{g}\
             #### {}. get another nonce\n{g}```http request\n200\nreplay-nonce: {unused}\n```\n{g}",
            n + 1
        )
    } else {
        format!(
            "#### {n}. fetch another nonce\n{g}```http request\nHEAD {acme}/new-nonce\n```\n{g}\
             #### {}. get another nonce\n{g}```http request\n200\ncache-control: no-store\n\
             replay-nonce: {unused}\n```\n{g}```text\n{unused}\n```\n{g}",
            n + 1
        )
    };
    // The nonce the new-account request uses was issued before the
    // inserted exchange: still valid (the server keeps both).
    let rest = renumber(&text[at..], n, 2);
    format!("{}{inserted}{rest}", &text[..at])
}

/// The `replay-nonce` header value of the response step titled `title`.
fn replay_nonce_after(text: &str, at: usize) -> Option<(usize, String)> {
    let key = "replay-nonce: ";
    let s = at + text[at..].find(key)? + key.len();
    let e = s + text[s..].find('\n')?;
    Some((s, text[s..e].to_owned()))
}

/// The `wire-dpop-01` challenge answered `processing`, posted again and
/// answered `valid`.
fn challenge_retried(e: &EraEnrolment, p: &Parts, text: &str) -> String {
    let _ = e;
    challenge_retried_with(p, text, |answer| {
        answer
            .replacen("\"status\": \"valid\"", "\"status\": \"processing\"", 1)
            .replacen("DPoP challenge is valid", "DPoP challenge is processing", 1)
    })
}

/// The `wire-dpop-01` challenge's answer written by `first` (the retry's
/// nonce issued in it), the POST sent again and answered as before.
fn challenge_retried_with(p: &Parts, text: &str, first: impl Fn(&str) -> String) -> String {
    let Some((answer, n)) = step_titled(text, "DPoP challenge is valid") else {
        return text.to_owned();
    };
    let Some((post, _)) = step_titled(text, "validate Dpop challenge (clientId)") else {
        return text.to_owned();
    };
    let Some((_, nonce)) = replay_nonce_after(text, answer) else {
        return text.to_owned();
    };
    // The first answer, issuing the nonce the retry uses.
    let end_of_step = text[answer + 5..]
        .find("\n#### ")
        .map(|i| answer + 5 + i + 1)
        .unwrap_or(text.len());
    let retry_nonce = b64(b"retry-challenge-nonce");
    let first_answer = first(&text[answer..end_of_step]).replacen(&nonce, &retry_nonce, 1);
    // The retried POST: the same request signed again with the retry nonce.
    let post_text = &text[post..answer];
    let retried_post = resign_acme(
        post_text,
        &p.account,
        "",
        |h| set_member(h, "nonce", &format!("\"{retry_nonce}\"")),
        |c| c.to_owned(),
    )
    .replacen(
        &format!("#### {}. ", n - 1),
        &format!("#### {}. ", n + 1),
        1,
    )
    .replacen(
        "validate Dpop challenge (clientId)",
        "retry the Dpop challenge",
        1,
    );
    // The view shows the retried request's header.
    let retried_post = retried_post.replacen(
        &format!(
            "\"nonce\": \"{nonce_used}\"",
            nonce_used = used_nonce(post_text)
        ),
        &format!("\"nonce\": \"{retry_nonce}\""),
        1,
    );
    let second_answer = renumber(&text[answer..end_of_step], n, 2);
    let rest = renumber(&text[end_of_step..], n + 1, 2);
    format!(
        "{}{first_answer}{retried_post}{second_answer}{rest}",
        &text[..answer]
    )
}

/// The nonce of the first flattened JWS in `text`.
fn used_nonce(text: &str) -> String {
    acme_nonces(text)
        .first()
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

/// A second new-order (same identifiers), answered with the same order; the
/// flow goes on with it.
fn second_new_order(e: &EraEnrolment, p: &Parts, text: &str) -> String {
    let _ = e;
    second_new_order_with(p, text, |answer| answer.to_owned())
}

/// The new-order request sent again, its first answer written by `first`
/// (issuing the nonce the second request uses).
fn second_new_order_with(p: &Parts, text: &str, first: impl Fn(&str) -> String) -> String {
    let Some((post, n)) = step_titled(text, "create a new order") else {
        return text.to_owned();
    };
    let title = "get new order with authorization URLS and finalize URL";
    let Some((answer, _)) = step_titled(text, title) else {
        return text.to_owned();
    };
    let end = text[answer + 5..]
        .find("\n#### ")
        .map(|i| answer + 5 + i + 1);
    let Some(end) = end else {
        return text.to_owned();
    };
    let Some((_, issued)) = replay_nonce_after(text, answer) else {
        return text.to_owned();
    };
    let between = b64(b"second-new-order-nonce");
    let first_answer = first(&text[answer..end]).replacen(&issued, &between, 1);
    let again = resign_acme(
        &text[post..answer],
        &p.account,
        "/new-order",
        |h| set_member(h, "nonce", &format!("\"{between}\"")),
        |c| c.to_owned(),
    );
    let again = again.replacen(
        &format!("\"nonce\": \"{}\"", used_nonce(&text[post..answer])),
        &format!("\"nonce\": \"{between}\""),
        1,
    );
    let again = renumber(&again, n, 2);
    let second_answer = renumber(&text[answer..end], n, 2);
    let rest = renumber(&text[end..], n + 2, 2);
    format!(
        "{}{first_answer}{again}{second_answer}{rest}",
        &text[..answer]
    )
}

/// Two ACME responses' `replay-nonce` values swapped (the new-order
/// answer's and the first authorization answer's): the request after the
/// new-order answer uses a nonce only a later response issues.
fn nonce_issued_later(text: &str) -> String {
    let key = "replay-nonce: ";
    let mut at = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(key) {
        let s = from + i + key.len();
        let e = s + text[s..].find('\n').unwrap_or(0);
        at.push((s, e));
        from = e;
    }
    // The third and fourth nonces (new-order's answer and the next).
    if at.len() < 5 {
        return text.to_owned();
    }
    let (a, b) = (at[2], at[3]);
    let (na, nb) = (&text[a.0..a.1], &text[b.0..b.1]);
    // The nonce also appears as a `text`/`json` block after the first
    // response only; swap the header values alone.
    format!(
        "{}{nb}{}{na}{}",
        &text[..a.0],
        &text[a.1..b.0],
        &text[b.1..]
    )
}

/// The wire-server nonce fetched after the proof that carries it: the two
/// nonce steps moved after the proof's step (numbers kept in place).
fn wire_nonce_after_proof(text: &str) -> String {
    let Some((fetch, n)) = step_titled(text, "fetch a nonce from wire-server") else {
        return text.to_owned();
    };
    let Some((proof, _)) = step_titled(text, "create client DPoP token") else {
        return text.to_owned();
    };
    let Some((trade, _)) = step_titled(text, "trade client DPoP token for an access token") else {
        return text.to_owned();
    };
    let nonce_steps = renumber(&text[fetch..proof], n, 1);
    let proof_step =
        text[proof..trade].replacen(&format!("#### {}. ", n + 2), &format!("#### {n}. "), 1);
    format!(
        "{}{proof_step}{nonce_steps}{}",
        &text[..fetch],
        &text[trade..]
    )
}

/// The `wire-dpop-01` challenge answered `400` with a problem document,
/// posted again and answered `valid`.
fn challenge_retried_400(p: &Parts, text: &str) -> String {
    let retried = challenge_retried_with(p, text, |answer| {
        let open = answer.find("```http request\n").map(|i| i + 16);
        let Some(open) = open else {
            return answer.to_owned();
        };
        let status_end = open + answer[open..].find('\n').unwrap_or(0);
        let mut out = format!("{}400{}", &answer[..open], &answer[status_end..]);
        out = out.replacen(
            "content-type: application/json",
            "content-type: application/problem+json",
            1,
        );
        // The body: a problem document instead of the challenge.
        if let Some(body) = out.find("```json\n") {
            let start = body + 8;
            if let Some(len) = out[start..].find("\n```") {
                let problem = "{\n  \"type\": \"urn:ietf:params:acme:error:unauthorized\",\n  \"detail\": \"the access token is not yet valid, retry\",\n  \"status\": 400\n}";
                out.replace_range(start..start + len, problem);
            }
        }
        out.replacen("DPoP challenge is valid", "DPoP challenge is refused", 1)
    });
    retried
}

/// A second wire-server nonce fetched before the one the proof carries,
/// never used.
fn wire_nonce_twice(era: Era, text: &str) -> String {
    let Some((fetch, n)) = step_titled(text, "fetch a nonce from wire-server") else {
        return text.to_owned();
    };
    let Some((proof, _)) = step_titled(text, "create client DPoP token") else {
        return text.to_owned();
    };
    let steps = &text[fetch..proof];
    let other = b64(b"an-unused-wire-nonce");
    let g = gap(era);
    let _ = g;
    // The same two steps, issuing another nonce, before them.
    let nonce = steps
        .rsplit("```text\n")
        .next()
        .and_then(|t| t.split('\n').next())
        .unwrap_or_default()
        .to_owned();
    let first = renumber(steps, 0, 0).replacen(
        &format!("```text\n{nonce}"),
        &format!("```text\n{other}"),
        1,
    );
    let second = renumber(steps, n, 2);
    let rest = renumber(&text[proof..], n, 2);
    format!("{}{first}{second}{rest}", &text[..fetch])
}

/// The order's identifier values rewritten (members reversed, spaces),
/// everywhere the capture shows them, and the new-order request signed
/// again with them.
fn order_value_reordered(era: Era, p: &Parts, text: String) -> String {
    let payload = super::new_order_payload(era, &p.ids);
    let mut pairs = Vec::new();
    for id in payload["identifiers"].as_array().into_iter().flatten() {
        let Some(old) = id["value"].as_str() else {
            continue;
        };
        let Ok(Value::Object(members)) = serde_json::from_str::<Value>(old) else {
            continue;
        };
        let new = format!(
            "{{{}}}",
            members
                .iter()
                .rev()
                .map(|(k, v)| format!("{}: {v}", json!(k)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        pairs.push((old.to_owned(), new));
    }
    let mut out = text;
    for (old, new) in &pairs {
        out = out.replace(&json!(old).to_string(), &json!(new).to_string());
    }
    resign_acme(
        &out,
        &p.account,
        "/new-order",
        |h| h.to_owned(),
        |c| {
            pairs.iter().fold(c.to_owned(), |c, (old, new)| {
                let (o, n) = (json!(old).to_string(), json!(new).to_string());
                c.replace(&o, &n)
            })
        },
    )
}

/// Every HTTP block's header lines (after its first line) reversed.
fn headers_reversed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("```http request\n") {
        let body = at + 16;
        let Some(len) = rest[body..].find("\n```") else {
            break;
        };
        out.push_str(&rest[..body]);
        let block = &rest[body..body + len];
        let mut lines: Vec<&str> = block.lines().collect();
        // The request or status line, a URL template under it, then headers.
        let keep = lines
            .iter()
            .take_while(|l| !l.contains(": ") || l.starts_with(' '))
            .count()
            .max(1);
        let n = lines.len();
        let (head, headers) = lines.split_at_mut(keep.min(n));
        let body_start = headers
            .iter()
            .position(|l| l.is_empty())
            .unwrap_or(headers.len());
        headers[..body_start].reverse();
        let mut all: Vec<&str> = head.to_vec();
        all.extend(headers.iter());
        out.push_str(&all.join("\n"));
        rest = &rest[body + len..];
    }
    out.push_str(rest);
    out
}

/// The finalize request's flattened JWS written in general serialization.
fn finalize_general(text: &str) -> String {
    let Some(at) = step_titled(text, "create a CSR and call finalize url").map(|(a, _)| a) else {
        return text.to_owned();
    };
    let Some(open) = text[at..].find("```json\n").map(|o| at + o) else {
        return text.to_owned();
    };
    let Some((body, close, _)) = block_at(text, open) else {
        return text.to_owned();
    };
    let block = &text[body..close];
    // 2023-01 writes the decoded view in the same block.
    let (jws, tail) = match block.split_once("\n...decoded...") {
        Some((j, t)) => (j, format!("\n...decoded...{t}")),
        None => (block, String::new()),
    };
    let Ok(v) = serde_json::from_str::<Value>(jws) else {
        return text.to_owned();
    };
    let general = json!({
        "payload": v["payload"],
        "signatures": [{"protected": v["protected"], "signature": v["signature"]}],
    });
    format!(
        "{}{}{tail}{}",
        &text[..body],
        super::pretty(&general),
        &text[close..]
    )
}

/// Every flattened JWS block written in general serialization.
fn all_general(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut rest = text;
    while let Some(at) = rest.find("```json\n") {
        let body = at + 8;
        let Some(len) = rest[body..].find("\n```") else {
            break;
        };
        out.push_str(&rest[..body]);
        let block = &rest[body..body + len];
        let (jws, tail) = match block.split_once("\n...decoded...") {
            Some((j, t)) => (j, format!("\n...decoded...{t}")),
            None => (block, String::new()),
        };
        let general = serde_json::from_str::<Value>(jws).ok().filter(|v| {
            v.get("protected").is_some_and(Value::is_string) && v.get("signature").is_some()
        });
        match general {
            Some(v) => {
                let g = json!({
                    "payload": v["payload"],
                    "signatures": [{"protected": v["protected"], "signature": v["signature"]}],
                });
                out.push_str(&super::pretty(&g));
                out.push_str(&tail);
            }
            None => out.push_str(block),
        }
        rest = &rest[body + len..];
    }
    out.push_str(rest);
    out
}

/// A JSON string value (quotes included) with its first character written
/// as a unicode escape.
fn escape_first(v: &str) -> String {
    let mut chars = v.chars();
    match (chars.next(), chars.next()) {
        (Some('"'), Some(c)) if c.is_ascii_alphanumeric() => {
            format!("\"\\u{:04x}{}", c as u32, &v[2..])
        }
        _ => v.to_owned(),
    }
}

/// Request and status lines written as HTTP/2 pseudo-headers.
fn h2_pseudo(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut after_open = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        let mut done = false;
        if after_open {
            if bare.len() == 3 && bare.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!(":status: {bare}\n"));
                done = true;
            } else if let Some((method, url)) = bare.split_once(' ') {
                if matches!(method, "GET" | "POST" | "HEAD") && !url.contains(' ') {
                    if let Some((scheme, rest)) = url.split_once("://") {
                        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                        out.push_str(&format!(
                            ":method: {method}\n:scheme: {scheme}\n:authority: {host}\n:path: /{path}\n"
                        ));
                        done = true;
                    }
                }
            }
        }
        if !done {
            out.push_str(line);
        }
        after_open = bare == "```http request";
    }
    out
}

/// Request lines in origin form (`METHOD /path HTTP/2` and `host:`).
fn origin_form(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut after_open = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        let mut done = false;
        if after_open {
            if let Some((method, url)) = bare.split_once(' ') {
                if matches!(method, "GET" | "POST" | "HEAD") && !url.contains(' ') {
                    if let Some((_, rest)) = url.split_once("://") {
                        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                        out.push_str(&format!("{method} /{path} HTTP/2\nhost: {host}\n"));
                        done = true;
                    }
                }
            }
        }
        if !done {
            out.push_str(line);
        }
        after_open = bare == "```http request";
    }
    out
}

/// The new-order request first sent with a stale nonce and refused with
/// `badNonce` (its answer issuing the nonce the retry uses), then sent
/// again and answered as before.
fn bad_nonce_retry(p: &Parts, text: &str) -> String {
    let Some((post, _)) = step_titled(text, "create a new order") else {
        return text.to_owned();
    };
    let retried = second_new_order_with(p, text, |answer| {
        let Some(open) = answer.find("```http request\n").map(|i| i + 16) else {
            return answer.to_owned();
        };
        let status_end = open + answer[open..].find('\n').unwrap_or(0);
        let mut out = format!("{}400{}", &answer[..open], &answer[status_end..]);
        out = out.replacen(
            "content-type: application/json",
            "content-type: application/problem+json",
            1,
        );
        // Without the order's location: nothing was created.
        if let Some(l) = out.find("\nlocation: ") {
            let e = l + 1 + out[l + 1..].find('\n').unwrap_or(0);
            out.replace_range(l..e, "");
        }
        if let Some(body) = out.find("```json\n") {
            let start = body + 8;
            if let Some(len) = out[start..].find("\n```") {
                let problem = "{\n  \"type\": \"urn:ietf:params:acme:error:badNonce\",\n  \"detail\": \"the JWS nonce is invalid\",\n  \"status\": 400\n}";
                out.replace_range(start..start + len, problem);
            }
        }
        out
    });
    // The first attempt carries a stale nonce.
    let stale = b64(b"stale-nonce-of-an-earlier-session");
    let Some((post2, _)) = step_titled(&retried, "create a new order") else {
        return retried;
    };
    let _ = post;
    let end = retried[post2 + 5..]
        .find("\n#### ")
        .map(|i| post2 + 5 + i + 1)
        .unwrap_or(retried.len());
    let first = &retried[post2..end];
    let used = used_nonce(first);
    let resigned = resign_acme(
        first,
        &p.account,
        "/new-order",
        |h| set_member(h, "nonce", &format!("\"{stale}\"")),
        |c| c.to_owned(),
    )
    .replacen(
        &format!("\"nonce\": \"{used}\""),
        &format!("\"nonce\": \"{stale}\""),
        1,
    );
    format!("{}{resigned}{}", &retried[..post2], &retried[end..])
}

/// The answer step titled `title` written by `first` (issuing the nonce the
/// poll uses), then the order polled (POST-as-GET, as the step "verify the
/// status of the order" does) and answered as the original step was.
fn poll_after(p: &Parts, text: &str, title: &str, first: impl Fn(&str) -> String) -> String {
    let Some((answer, n)) = step_titled(text, title) else {
        return text.to_owned();
    };
    let Some((post, _)) = step_titled(text, "verify the status of the order") else {
        return text.to_owned();
    };
    let Some((post_answer, _)) =
        step_titled(text, "loop (with exponential backoff) until order is ready")
    else {
        return text.to_owned();
    };
    let Some((_, nonce)) = replay_nonce_after(text, answer) else {
        return text.to_owned();
    };
    let end = text[answer + 5..]
        .find("\n#### ")
        .map(|i| answer + 5 + i + 1)
        .unwrap_or(text.len());
    let between = b64(format!("poll-after-{n}").as_bytes());
    let first_answer = first(&text[answer..end]).replacen(&nonce, &between, 1);
    let template = &text[post..post_answer];
    let old = used_nonce(template);
    let poll = resign_acme(
        template,
        &p.account,
        "",
        |h| set_member(h, "nonce", &format!("\"{between}\"")),
        |c| c.to_owned(),
    )
    .replacen(
        &format!("\"nonce\": \"{old}\""),
        &format!("\"nonce\": \"{between}\""),
        1,
    );
    let poll = match poll.split_once(". verify the status of the order") {
        Some((_, rest)) => format!("#### {}. poll the order{rest}", n + 1),
        None => poll,
    };
    let second = renumber(&text[answer..end], n, 2);
    let rest = renumber(&text[end..], n + 1, 2);
    format!("{}{first_answer}{poll}{second}{rest}", &text[..answer])
}

/// HTTP blocks as `curl -v` prints them: `> ` before request lines, `< `
/// before response lines.
fn curl_verbose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8192);
    let mut rest = text;
    while let Some(at) = rest.find("```http request\n") {
        let body = at + 16;
        let Some(len) = rest[body..].find("\n```") else {
            break;
        };
        out.push_str(&rest[..body]);
        let block = &rest[body..body + len];
        let first = block.lines().next().unwrap_or_default();
        let response = first.len() == 3 && first.bytes().all(|b| b.is_ascii_digit());
        let mark = if response { "< " } else { "> " };
        let lines: Vec<String> = block.lines().map(|l| format!("{mark}{l}")).collect();
        out.push_str(&lines.join("\n"));
        rest = &rest[body + len..];
    }
    out.push_str(rest);
    out
}
