//! Whole enrolments written in the layouts of older eras of Wire's captures,
//! so that a fault seeded into an old layout can be judged against the same
//! fault in the 2026-01 layout the conformance generator writes.
//!
//! Every artefact is signed for real with the generator's keys and minting
//! ([`crate::mint`], [`crate::enrolment`]); only the Markdown around them and
//! the claims each era's parties wrote differ:
//!
//! - [`Era::Y2023_01`] follows `vectors/transcripts/wire-e2ei-2023-01-18.md`:
//!   `dns` identifiers in two authorizations whose `dns-01` / `http-01` /
//!   `tls-alpn-01` challenges share a token, `im:wireapp:` client ids, the
//!   wire-server nonce as a JSON string, tokens as bare jwt.io links, ACME
//!   bodies with their `...decoded...` view in the same block, an empty POST
//!   to the challenge (the access token is never delivered), DNS SANs and the
//!   chain as a JSON array of base64 DER.
//! - [`Era::Y2023_03`] follows `vectors/transcripts/wire-e2ei-2023-03-15.md`:
//!   the 2023-11 layout's `wireapp-id` identifier and `<details>` token views,
//!   but `im:wireapp=` + base64 of the hex user id, the access-token URL's
//!   device in decimal, challenges without a `target`, dex's id token with its
//!   claims in dex's (unsorted) order, the OAuth exchange under "implicit
//!   flow" headings, and openssl's text (`Certificate Request:`,
//!   `Certificate:`) after each PEM block. The real capture's `htu` (the
//!   server root) and lower-cased CSR client id are defects: the valid flow
//!   has neither, [`Fault::HtuRoot`] and [`Fault::LowercaseClientId`] seed
//!   them (in every era where they apply).
//! - [`Era::Y2023_04`] follows 2023-04-05 / 2023-04-21: the 2023-03 layout
//!   with the OAuth exchange under the "OIDC Authorization Code with PKCE
//!   flow" heading.
//! - [`Era::Y2023_06`] follows 2023-06-06: the 2023-11 layout (a challenge
//!   `target`, the device in hex) with 2023-03's base64-of-hex user id and
//!   openssl text views.
//! - [`Era::Y2023_11`] follows `wire-e2ei-2023-11-15.md`: one `wireapp-id`
//!   identifier with a JSON value, one authorization offering `wire-oidc-01`
//!   and `wire-dpop-01` with one token, `im:wireapp=` ids, the `dpop:` header
//!   holding base64 of the proof, `<details>` token views (`Raw:` /
//!   `Decoded:`), `{"access_token": …}` delivery, the OAuth exchange with
//!   PKCE, an id token without `keyauth` / `acme_aud` posted as
//!   `{"id_token", "keyauth"}`, URI SANs, the chain as a PEM string in JSON
//!   and PEM blocks.
//! - [`Era::Y2024_03`] follows the 2024-03-26 version of the same file
//!   (keycloak): `wireapp-device` and `wireapp-user` identifiers in two
//!   authorizations (the second one's request unnumbered), `wireapp://` ids,
//!   proofs naming `aud`, `handle`, `name` and `team`, the token's `aud` the
//!   challenge, an id token bound by `keyauth` and `acme_aud` posted as
//!   `{"id_token": …}` alone, and the root printed as `Certificate #3`.
//! - [`Era::Y2026_01`] is the conformance generator's own layout
//!   (`vectors/src/cases/flow.rs`), written here again so that each fault of
//!   [`Fault`] has a 2026 reference to be compared with.

use crate::enrolment::{keyauth, Enrolment};
use crate::mint::{b64, Flow, SigningKey, Suite};
use crate::pki::{pem, CertKey};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use e2ei_verify::jose::{HashAlg, PublicKey};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyUsagePurpose, SanType, SerialNumber,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

pub mod probes;
pub mod probes_layout;
pub mod probes_protocol;
pub mod variants;

/// A layout of Wire's published captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// January 2023: DNS identifiers, no Wire challenge types, no delivery.
    Y2023_01,
    /// March 2023: `wireapp-id`, `im:wireapp=` + base64 of hex, no challenge
    /// target, openssl text views.
    Y2023_03,
    /// April 2023 (2023-04-05, 2023-04-21): the 2023-03 layout (no target,
    /// the access-token URL's device in decimal, openssl text views) with
    /// the OAuth exchange under the "OIDC Authorization Code with PKCE flow"
    /// heading.
    Y2023_04,
    /// June 2023 (2023-06-06): the 2023-11 layout (challenges naming their
    /// `target`, the device in hex) with 2023-03's `im:wireapp=` + base64 of
    /// the hex user id, and openssl text views.
    Y2023_06,
    /// November 2023: `wireapp-id`, `im:wireapp=` ids, OIDC without bindings.
    Y2023_11,
    /// March 2024: device and user identifiers, `wireapp://` ids, bound id token.
    Y2024_03,
    /// January 2026: the conformance generator's layout.
    Y2026_01,
}

impl Era {
    /// Every era, oldest first.
    pub const ALL: [Era; 7] = [
        Era::Y2023_01,
        Era::Y2023_03,
        Era::Y2023_04,
        Era::Y2023_06,
        Era::Y2023_11,
        Era::Y2024_03,
        Era::Y2026_01,
    ];

    /// A short name for messages and file names.
    pub fn name(self) -> &'static str {
        match self {
            Era::Y2023_01 => "2023-01",
            Era::Y2023_03 => "2023-03",
            Era::Y2023_04 => "2023-04",
            Era::Y2023_06 => "2023-06",
            Era::Y2023_11 => "2023-11",
            Era::Y2024_03 => "2024-03",
            Era::Y2026_01 => "2026-01",
        }
    }

    /// When the era's tokens are issued (the real capture's proof `iat`), so
    /// that the flow reads as a capture of its time.
    fn now(self) -> u64 {
        match self {
            Era::Y2023_01 => 1_674_205_415,
            Era::Y2023_03 => 1_678_885_204,
            Era::Y2023_04 => 1_680_687_018,
            Era::Y2023_06 => 1_686_043_911,
            Era::Y2023_11 => 1_700_127_446,
            Era::Y2024_03 => 1_711_447_412,
            Era::Y2026_01 => crate::enrolment::NOW,
        }
    }

    /// The day the era's leaf becomes valid (before its tokens' `iat`).
    fn leaf_day(self) -> (i32, u8, u8) {
        match self {
            Era::Y2023_01 => (2023, 1, 20),
            Era::Y2023_03 => (2023, 3, 15),
            Era::Y2023_04 => (2023, 4, 5),
            Era::Y2023_06 => (2023, 6, 6),
            Era::Y2023_11 => (2023, 11, 16),
            Era::Y2024_03 => (2024, 3, 26),
            Era::Y2026_01 => (2026, 1, 15),
        }
    }

    /// The ACME server's directory base.
    fn acme(self) -> &'static str {
        match self {
            Era::Y2023_01 => "https://localhost:55093/acme/wire-acme",
            Era::Y2023_03 | Era::Y2023_04 => "https://stepca:55083/acme/wire",
            Era::Y2023_06 => "https://stepca:33113/acme/wire",
            Era::Y2023_11 => "https://stepca:32865/acme/wire",
            Era::Y2024_03 => "https://stepca:32769/acme/wire",
            Era::Y2026_01 => crate::enrolment::ACME,
        }
    }

    /// The ACME provisioner the directory URL names (`/acme/{name}`), which
    /// the CA writes in the leaf's provisioner extension.
    fn provisioner(self) -> &'static str {
        self.acme().rsplit('/').next().unwrap_or_default()
    }

    /// wire-server's base URL.
    fn wire(self) -> &'static str {
        match self {
            Era::Y2023_01 => "http://localhost:63479",
            Era::Y2023_03 => "http://wire.com:20327",
            Era::Y2023_04 => "http://wire.com:20083",
            Era::Y2023_06 => "http://wire.com:15602",
            Era::Y2023_11 => "http://wire.com:19814",
            Era::Y2024_03 => "http://wire.com:18930",
            Era::Y2026_01 => "https://wire.example.com",
        }
    }

    /// Whether the era's capture prints decoded views of the tokens.
    pub fn has_token_views(self) -> bool {
        self != Era::Y2023_01
    }

    /// Whether the era runs the OIDC challenge.
    pub fn has_oidc(self) -> bool {
        self != Era::Y2023_01
    }

    /// Whether the client posts a `keyauth` member beside the id token.
    pub fn posts_keyauth(self) -> bool {
        matches!(
            self,
            Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 | Era::Y2026_01
        )
    }

    /// Whether the IdP binds the id token to the ACME account and challenge
    /// (`keyauth`, `acme_aud`): not yet in 2023.
    pub fn binds_id_token(self) -> bool {
        matches!(self, Era::Y2024_03 | Era::Y2026_01)
    }

    /// Whether the era writes the 2024+ claims and identities: proofs naming
    /// the challenge and the user, tokens for the challenge, `wireapp://` ids.
    fn current_claims(self) -> bool {
        matches!(self, Era::Y2024_03 | Era::Y2026_01)
    }

    /// Whether the era prints its tokens in `<details>` blocks with jwt.io
    /// links and the CSR and certificates as PEM blocks.
    fn details(self) -> bool {
        matches!(
            self,
            Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 | Era::Y2024_03
        )
    }

    /// Whether the era prints openssl's text of the CSR and certificates
    /// after their PEM blocks.
    pub fn has_text_views(self) -> bool {
        matches!(self, Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06)
    }

    /// Whether the `wire-dpop-01` challenge names its `target` (from
    /// 2023-11 on).
    fn shows_target(self) -> bool {
        !matches!(self, Era::Y2023_01 | Era::Y2023_03 | Era::Y2023_04)
    }

    /// Whether the client's proof is traded with a `dpop:` header shown.
    pub fn has_dpop_header(self) -> bool {
        self != Era::Y2023_01
    }
}

/// One thing wrong in an otherwise valid, signed enrolment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Nothing: the valid flow.
    None,
    /// The finalize request carries a nonce no captured response issued.
    NonceUnissued,
    /// The finalize request reuses the nonce the order request already used.
    NonceReused,
    /// The proof's `htu` is another device's access-token URL.
    ProofHtu,
    /// The proof's `nonce` is not the one wire-server issued.
    ProofNonce,
    /// The proof's `chal` is another challenge's token.
    ProofChal,
    /// The proof's `sub` (and the token's `sub` and `client_id`, re-signed by
    /// wire-server) name another device of the user than the order's.
    ProofSub,
    /// The client trades its proof at another device's access-token URL:
    /// the request, the proof's `htu` and the token's `iss` agree with each
    /// other but not with the challenge's `target` (2023-01 has no target).
    RequestElsewhere,
    /// The ACME account key is not the key that signs the proof.
    OtherAccount,
    /// The access token's `cnf` is the thumbprint of wire-server's own key.
    CnfIssuer,
    /// The token posted to the challenge is another token wire-server signed.
    OtherDelivered,
    /// The decoded view of the new-order request shows other identifiers than
    /// the signed payload.
    OrderView,
    /// The decoded claims view of the proof shows another `htu` than the
    /// signed claims (eras that print token views).
    ProofView,
    /// The decoded claims view of the access token shows another `cnf` than
    /// the signed claims (eras that print token views).
    TokenView,
    /// A private key is printed beside the proof.
    PrintedKey,
    /// The CSR (and so the leaf the CA issues for it) names another device.
    CsrSan,
    /// The leaf certifies another key than the CSR's.
    LeafKey,
    /// The `keyauth` member posted beside the id token is another account's
    /// key authorization (eras that post one).
    PostedKeyauth,
    /// The id token's own `keyauth` is another account's key authorization
    /// (eras whose IdP binds it).
    IdTokenKeyauth,
    /// The id token names another user's handle, in the claim the era's IdP
    /// writes it in (2023: `name`; later: `preferred_username`).
    IdTokenOtherUser,
    /// The id token's `nonce` is not the authorization request's.
    IdTokenNonce,
    /// The id token is signed by another key than the pinned IdP key.
    IdTokenSigner,
    /// The code is redeemed with another PKCE verifier than the one whose
    /// hash the authorization request carried.
    PkceVerifier,
    /// The request after the (first) authorization reuses that
    /// authorization request's nonce (2024: the unnumbered request of the
    /// user's authorization).
    AuthzNonceReused,
    /// A 2024+ access token names wire-server (its own `iss`) as its
    /// audience, as tokens did before 2024, instead of the challenge.
    TokenAudIss,
    /// A 2024+ proof without `aud`, `handle`, `name` and `team`, as proofs
    /// were before 2024.
    ProofUnbound,
    /// A 2024+ id token without `keyauth` and `acme_aud`, as id tokens were
    /// before 2024.
    IdTokenUnbound,
    /// The `dpop:` header of the trade request holds another proof the client
    /// signed (another `jti`) than the one displayed and embedded in the
    /// token: the capture shows one proof and sent another.
    HeaderProof,
    /// The `###### CSR:` PEM block is another CSR (for another device) than
    /// the one the finalize request sent.
    CsrPem,
    /// openssl's `Certificate Request:` text names another device than the
    /// signed CSR does.
    CsrText,
    /// The `###### Certificate #1` PEM block is another leaf (for another
    /// device) than the downloaded chain's.
    CertPem,
    /// openssl's `Certificate:` text of the leaf names another device than
    /// the leaf does.
    CertText,
    /// The token's `cnf` is the client key's thumbprint under another hash
    /// than the suite's (a P-384 key must be hashed with SHA-384).
    CnfHash,
    /// The leaf had expired when the flow was captured.
    LeafExpired,
    /// The CA issued the leaf for another device than the CSR and the order
    /// name.
    LeafOtherClient,
    /// The proof and the token carry a nonce other than the one the
    /// wire-server nonce endpoint returned (consistent with each other).
    WireNonceUnissued,
    /// The answer to the `wire-dpop-01` POST names another challenge token
    /// than the authorization offered.
    ChallengeToken,
    /// The proof's `htu` and the token's `iss` are wire-server's root, not
    /// the access-token URL (a real defect of the 2023-03 captures).
    HtuRoot,
    /// The CSR, and so the leaf, name the client id lower-cased (a real
    /// defect of the 2023-03 captures; the user id is case-sensitive base64).
    LowercaseClientId,
    /// The finalize request's protected `url` is the order's URL, not the
    /// finalize URL it was posted to.
    JwsUrl,
    /// The new-order response lists another device's identifiers than the
    /// signed new-order request asked for.
    OrderAnswerIds,
    /// The IdP's token endpoint returned another id token (validly signed,
    /// another login's `nonce`) than the one posted to the challenge.
    IdTokenReturnedOther,
    /// The DPoP proof expired before the capture (its `iat` two hours
    /// before the other tokens', its `exp` a minute and a half before them).
    ProofExpired,
    /// The DPoP proof issued ten minutes after the access token that
    /// embeds it (and every other token of the flow).
    ProofFuture,
    /// The DPoP proof issued almost two hours before the access token that
    /// embeds it, still unexpired: a server's five-minute age limit refuses it.
    ProofStale,
    /// The access token expired before the capture.
    TokenExpired,
    /// The access token issued ten minutes after every other token.
    TokenFuture,
    /// The id token expired before the capture.
    IdTokenExpired,
    /// The id token issued ten minutes after every other token.
    IdTokenFuture,
    /// The leaf becomes valid the day after the capture.
    LeafNotYetValid,
    /// The finalize request uses the first nonce the section's ACME server
    /// issued (used by the first new-account request): in a renewal capture,
    /// a nonce of the first enrolment spliced into a later one.
    NonceFirstIssued,
    /// The proof is signed with a key of another suite than the section's
    /// (Ed25519 in the EC sections, P-256 in the Ed25519 one), its `alg` the
    /// key's; wire-server's token binds (`cnf`) and embeds it.
    ProofOtherSuite,
    /// The finalize request's `kid` names another account URL (signed by the
    /// flow's account key).
    KidOtherAccount,
    /// The finalize request carries the account key as `jwk` instead of the
    /// account URL as `kid`.
    JwkMidFlow,
    /// The CSR's self-signature does not verify with the key it carries
    /// (its last signature byte changed); the CA issued the leaf anyway.
    CsrBadSignature,
    /// The wire-server exchange of the section's first enrolment (its proof
    /// and access token, with the first enrolment's nonce and `jti`) posted
    /// again in a later enrolment whose wire-server nonce is fresh: a splice
    /// in a renewal capture, nothing in a capture of one enrolment.
    FirstExchange,
    /// The proof expired ninety seconds (more than the clock skew) before
    /// wire-server issued the access token that embeds it (a one-minute
    /// proof); every other time holds.
    ProofExpiredAtTrade,
    /// The access token (a five-minute token) expired ninety seconds before
    /// the IdP issued the id token; the proof it embeds was made thirty
    /// seconds before it and is unexpired.
    TokenExpiredAtLogin,
    /// The ACME account key (new-account's `jwk`, every ACME request's
    /// signer) is of another suite than the section's (Ed25519 in the EC
    /// sections, P-256 in the Ed25519 one); the proof's key is the section's.
    AccountOtherSuite,
    /// The enrolment's whole `wire-dpop-01` challenge is the section's first
    /// enrolment's: its authorization offers the first's challenge (URL,
    /// under the first's authorization, and token), the proof and token
    /// carry them (`chal`, `aud`) and the client posts to it. A splice in a
    /// renewal capture, nothing in a capture of one enrolment.
    FirstChallenge,
    /// The proof alone carries the section's first enrolment's challenge
    /// token (`chal`) and challenge URL (`aud`); the authorization, the
    /// challenge posted and the token's `chal` are the enrolment's own. In a
    /// capture of one enrolment, nothing.
    FirstProofChal,
    /// The access token is valid for a year (issued now).
    TokenLongLived,
    /// The proof is valid for a year (issued now).
    ProofLongLived,
    /// The enrolment's new order is answered with the section's first
    /// enrolment's order URL, and its status, finalize and certificate
    /// requests go to that order: a splice in a renewal capture, nothing in
    /// a capture of one enrolment.
    FirstOrder,
    /// The new-order request's signature has one byte changed.
    NewOrderSignature,
    /// The `wire-dpop-01` challenge POST's signature has one byte changed.
    ChallengeSignature,
    /// The finalize request's signature has one byte changed.
    FinalizeSignature,
    /// The new-order request's payload names another device than the one
    /// the account key signed (the payload changed, not re-signed); its
    /// view shows the changed payload, the server answers the signed one.
    NewOrderPayload,
    /// The proof's signature has one byte changed (the proof shown, sent and
    /// embedded in the token wire-server signed).
    ProofSignature,
    /// The access token's signature has one byte changed (issued and posted).
    TokenSignature,
    /// The access token posted to the challenge has one byte of its
    /// signature changed; the one wire-server returned is intact.
    DeliveredTokenSignature,
    /// The id token's signature has one byte changed (returned and posted).
    IdTokenSignature,
    /// The leaf's signature (the intermediate's) has one byte changed.
    LeafSignature,
    /// The intermediate's signature (the root's) has one byte changed.
    IntermediateSignature,
    /// The proof's `htm` is `GET`.
    ProofHtmGet,
    /// The proof's header `typ` is `JWT`, not `dpop+jwt`.
    ProofTyp,
    /// The proof's header `jwk` carries a private member `d`.
    ProofJwkPrivate,
    /// The proof has no `jti`.
    ProofNoJti,
    /// The proof's `alg` is `none`, its signature empty.
    ProofAlgNone,
    /// The proof's `alg` is `HS256`, its signature an HMAC.
    ProofAlgHs256,
    /// The access token's `scope` is `openid`, not `wire_client_id`.
    TokenScope,
    /// The access token's `api_version` is 0.
    TokenApiVersion,
    /// The access token's header `typ` is `JWT`, not `at+jwt`.
    TokenTyp,
    /// A 2024+ access token's `aud` is another challenge URL of the
    /// authorization than the `wire-dpop-01` one.
    TokenAudOtherChallenge,
    /// The access token's `chal` (alone: the proof's is right) is another
    /// challenge's token.
    TokenChal,
    /// The access token's `nonce` (alone) is not the one wire-server issued.
    TokenNonce,
    /// The access token's `client_id` names another device than its `sub`
    /// and the proof's `sub`.
    TokenClientId,
    /// The id token's `acme_aud` is another challenge URL than the
    /// `wire-oidc-01` one (eras whose IdP binds it).
    IdTokenAcmeAud,
    /// The id token's `iss` is another IdP than the challenge names.
    IdTokenIss,
    /// The id token's `aud` is another OAuth client.
    IdTokenAud,
    /// The id token names another display name than the order's, in the
    /// claim the era's IdP writes it in (2023: `preferred_username`;
    /// later: `name`).
    IdTokenDisplayName,
    /// A 2024+ order names the team `wire` and the proof another team.
    ProofTeam,
    /// The chain (leaf and intermediate) was issued under another root than
    /// the trust anchor given.
    LeafOtherRoot,
    /// The intermediate is not a CA (basicConstraints `cA` false).
    IntermediateNotCa,
    /// The leaf's EKU is serverAuth only.
    LeafNoClientAuth,
    /// The leaf has no step-ca provisioner extension.
    LeafNoProvisioner,
    /// The leaf names another handle than the order (and the CSR).
    LeafOtherHandle,
    /// The leaf's subject names another display name than the order (and
    /// the CSR).
    LeafDisplayName,
    /// The `wire-dpop-01` challenge is answered `invalid`, and the flow goes
    /// on to a certificate.
    ChallengeInvalid,
    /// The order is answered `invalid` before finalize, and the flow goes on
    /// to a certificate.
    OrderInvalid,
    /// The answer to new-account carries no `replay-nonce` header; the
    /// new-order request uses a nonce the capture shows nobody issue.
    NonceHeaderMissing,
    /// The access token has no `cnf`.
    TokenCnfMissing,
    /// The access token has no `proof`.
    TokenProofMissing,
    /// The access token's `alg` is `HS256` (the header still names
    /// wire-server's key), its signature an HMAC.
    TokenAlgHs256,
    /// The access token is signed by another key than wire-server's, named
    /// in its header `jwk`.
    TokenOtherIssuer,
    /// The access token's `exp` is before its `iat`.
    TokenExpBeforeIat,
    /// The proof's `exp` is before its `iat`.
    ProofExpBeforeIat,
    /// The proof's `htu` carries a query string.
    ProofHtuQuery,
    /// The id token's `alg` is `HS256`, its signature an HMAC.
    IdTokenAlgHs256,
    /// The id token has no `nonce`.
    IdTokenNonceMissing,
    /// The id token's `exp` is before its `iat`.
    IdTokenExpBeforeIat,
    /// The leaf names only the first of the order's identifiers.
    LeafSanMissing,
    /// The chain is the leaf alone (no intermediate).
    ChainLeafOnly,
    /// The intermediate expired before the leaf was issued.
    IntermediateExpired,
    /// The leaf is a CA (basicConstraints `cA` true).
    LeafIsCa,
    /// The new-account request names a `kid` instead of its `jwk`.
    NewAccountKid,
    /// The new-order request's protected `url` is the new-account URL.
    NewOrderUrl,
    /// A 2024+ proof's `aud` is another challenge URL of the authorization.
    ProofAudOther,
    /// A 2024+ proof's `handle` is another user's.
    ProofHandle,
    /// A 2024+ proof's `name` is another display name.
    ProofName,
    /// The `wire-dpop-01` challenge POST names another account URL as `kid`
    /// (signed by the flow's account key).
    ChallengeKidOther,
    /// The answer to the first authorization request issues again the nonce
    /// the answer to new-order issued: the authorization's POST-as-GET and
    /// the next request use one nonce value twice.
    NonceIssuedTwice,
    /// The CSR (validly self-signed) and so the leaf certify another key
    /// than the client's (the key of the ACME account, the DPoP proof).
    CsrOtherKey,
    /// A 2024+ order's `wireapp-user` identifier names another handle than
    /// its `wireapp-device` identifier (which the CSR and leaf name).
    OrderUserHandle,
    /// The proof carries the `jti` of the section's first enrolment's proof
    /// (its nonce, challenge and times its own): a replayed `jti` in a
    /// renewal capture, nothing in a capture of one enrolment.
    FirstProofJti,
    /// The proof's header `alg` is another suite's (ES384 for a P-256 key,
    /// ES256 otherwise), its signature the key's own.
    ProofAlgMismatch,
    /// Not a fault: the token's `cnf` names the proof key's thumbprint as
    /// `jkt` (RFC 9449) instead of Wire's `kid`.
    TokenCnfJkt,
    /// Not a fault: the proof's `htu` spells the access-token URL with an
    /// upper-case scheme and host and the scheme's default port.
    ProofHtuCase,
    /// Not a fault: a 2024+ token's `aud` is an array holding the challenge
    /// URL.
    TokenAudArray,
    /// The access token's `api_version` is the string `"5"`.
    TokenApiVersionString,
    /// The OAuth authorization request's PKCE method is `plain` (the
    /// challenge is the verifier).
    PkcePlain,
    /// The OAuth authorization request sends no `nonce` (the id token
    /// carries the usual one).
    AuthNoNonce,
    /// The proof's `htm` is `post` (lower case).
    ProofHtmLower,
    /// The proof's `htu` carries a fragment.
    ProofHtuFragment,
    /// Not a fault: the id token's `iss` ends with a slash the IdP's URL
    /// does not.
    IdTokenIssSlash,
    /// The chain lists the intermediate before the leaf.
    ChainReversed,
    /// The leaf's provisioner extension names a JWK provisioner (type 1,
    /// the ACME provisioner's name), not an ACME one.
    LeafProvisionerJwk,
    /// The leaf's provisioner extension names another ACME provisioner
    /// (`other-acme`) than the one whose directory the flow uses.
    LeafProvisionerOther,
    /// The CSR's subject names another display name than the order (the
    /// CA issued the leaf for the order's).
    CsrDisplayName,
    /// The CSR's subject `O` is another domain than the order's (the CA
    /// issued the leaf for the order's).
    CsrOrganization,
    /// The access token's `nbf` is ten minutes after its `iat`.
    TokenNbfFuture,
    /// The proof's `nbf` is ten minutes after its `iat`.
    ProofNbfFuture,
    /// The leaf names one identity more than the order (another user's
    /// handle; 2023-01: another DNS name).
    LeafExtraSan,
    /// The CSR, and so the leaf, ask for one identity more than the order.
    CsrExtraSan,
}

impl Fault {
    /// Every fault, the valid flow first.
    pub const ALL: [Fault; 144] = [
        Fault::None,
        Fault::NonceUnissued,
        Fault::NonceReused,
        Fault::ProofHtu,
        Fault::ProofNonce,
        Fault::ProofChal,
        Fault::ProofSub,
        Fault::RequestElsewhere,
        Fault::OtherAccount,
        Fault::CnfIssuer,
        Fault::OtherDelivered,
        Fault::OrderView,
        Fault::ProofView,
        Fault::TokenView,
        Fault::PrintedKey,
        Fault::CsrSan,
        Fault::LeafKey,
        Fault::PostedKeyauth,
        Fault::IdTokenKeyauth,
        Fault::IdTokenOtherUser,
        Fault::IdTokenNonce,
        Fault::IdTokenSigner,
        Fault::PkceVerifier,
        Fault::AuthzNonceReused,
        Fault::TokenAudIss,
        Fault::ProofUnbound,
        Fault::IdTokenUnbound,
        Fault::HeaderProof,
        Fault::CsrPem,
        Fault::CsrText,
        Fault::CertPem,
        Fault::CertText,
        Fault::CnfHash,
        Fault::LeafExpired,
        Fault::LeafOtherClient,
        Fault::WireNonceUnissued,
        Fault::ChallengeToken,
        Fault::HtuRoot,
        Fault::LowercaseClientId,
        Fault::JwsUrl,
        Fault::OrderAnswerIds,
        Fault::IdTokenReturnedOther,
        Fault::ProofExpired,
        Fault::ProofFuture,
        Fault::ProofStale,
        Fault::TokenExpired,
        Fault::TokenFuture,
        Fault::IdTokenExpired,
        Fault::IdTokenFuture,
        Fault::LeafNotYetValid,
        Fault::NonceFirstIssued,
        Fault::ProofOtherSuite,
        Fault::KidOtherAccount,
        Fault::JwkMidFlow,
        Fault::CsrBadSignature,
        Fault::FirstExchange,
        Fault::ProofExpiredAtTrade,
        Fault::TokenExpiredAtLogin,
        Fault::AccountOtherSuite,
        Fault::FirstChallenge,
        Fault::FirstProofChal,
        Fault::TokenLongLived,
        Fault::ProofLongLived,
        Fault::FirstOrder,
        Fault::NewOrderSignature,
        Fault::ChallengeSignature,
        Fault::FinalizeSignature,
        Fault::NewOrderPayload,
        Fault::ProofSignature,
        Fault::TokenSignature,
        Fault::DeliveredTokenSignature,
        Fault::IdTokenSignature,
        Fault::LeafSignature,
        Fault::IntermediateSignature,
        Fault::ProofHtmGet,
        Fault::ProofTyp,
        Fault::ProofJwkPrivate,
        Fault::ProofNoJti,
        Fault::ProofAlgNone,
        Fault::ProofAlgHs256,
        Fault::TokenScope,
        Fault::TokenApiVersion,
        Fault::TokenTyp,
        Fault::TokenAudOtherChallenge,
        Fault::TokenChal,
        Fault::TokenNonce,
        Fault::TokenClientId,
        Fault::IdTokenAcmeAud,
        Fault::IdTokenIss,
        Fault::IdTokenAud,
        Fault::IdTokenDisplayName,
        Fault::ProofTeam,
        Fault::LeafOtherRoot,
        Fault::IntermediateNotCa,
        Fault::LeafNoClientAuth,
        Fault::LeafNoProvisioner,
        Fault::LeafOtherHandle,
        Fault::LeafDisplayName,
        Fault::ChallengeInvalid,
        Fault::OrderInvalid,
        Fault::NonceHeaderMissing,
        Fault::TokenCnfMissing,
        Fault::TokenProofMissing,
        Fault::TokenAlgHs256,
        Fault::TokenOtherIssuer,
        Fault::TokenExpBeforeIat,
        Fault::ProofExpBeforeIat,
        Fault::ProofHtuQuery,
        Fault::IdTokenAlgHs256,
        Fault::IdTokenNonceMissing,
        Fault::IdTokenExpBeforeIat,
        Fault::LeafSanMissing,
        Fault::ChainLeafOnly,
        Fault::IntermediateExpired,
        Fault::LeafIsCa,
        Fault::NewAccountKid,
        Fault::NewOrderUrl,
        Fault::ProofAudOther,
        Fault::ProofHandle,
        Fault::ProofName,
        Fault::ChallengeKidOther,
        Fault::NonceIssuedTwice,
        Fault::CsrOtherKey,
        Fault::OrderUserHandle,
        Fault::FirstProofJti,
        Fault::ProofAlgMismatch,
        Fault::TokenCnfJkt,
        Fault::ProofHtuCase,
        Fault::TokenAudArray,
        Fault::TokenApiVersionString,
        Fault::TokenNbfFuture,
        Fault::ProofNbfFuture,
        Fault::LeafExtraSan,
        Fault::CsrExtraSan,
        Fault::PkcePlain,
        Fault::AuthNoNonce,
        Fault::ProofHtmLower,
        Fault::ProofHtuFragment,
        Fault::IdTokenIssSlash,
        Fault::ChainReversed,
        Fault::LeafProvisionerJwk,
        Fault::LeafProvisionerOther,
        Fault::CsrDisplayName,
        Fault::CsrOrganization,
    ];

    /// Whether `era`'s layout can carry this fault at all.
    pub fn applies_to(self, era: Era) -> bool {
        match self {
            Fault::ProofView | Fault::TokenView => era.has_token_views(),
            Fault::PostedKeyauth => era.posts_keyauth(),
            Fault::HeaderProof => era.has_dpop_header(),
            Fault::CsrPem => era.details(),
            Fault::CsrText | Fault::CertText => era.has_text_views(),
            Fault::CertPem | Fault::LowercaseClientId => era != Era::Y2023_01,
            Fault::IdTokenKeyauth | Fault::IdTokenUnbound => era.binds_id_token(),
            Fault::TokenAudIss | Fault::ProofUnbound => era.current_claims(),
            Fault::IdTokenOtherUser
            | Fault::IdTokenNonce
            | Fault::IdTokenSigner
            | Fault::PkceVerifier
            | Fault::IdTokenReturnedOther
            | Fault::IdTokenExpired
            | Fault::IdTokenFuture
            | Fault::TokenExpiredAtLogin
            | Fault::IdTokenSignature
            | Fault::IdTokenIss
            | Fault::IdTokenAud
            | Fault::IdTokenDisplayName
            | Fault::IdTokenAlgHs256
            | Fault::IdTokenNonceMissing
            | Fault::IdTokenExpBeforeIat
            | Fault::PkcePlain
            | Fault::AuthNoNonce
            | Fault::IdTokenIssSlash => era.has_oidc(),
            Fault::IdTokenAcmeAud => era.binds_id_token(),
            Fault::TokenAudOtherChallenge
            | Fault::ProofTeam
            | Fault::ProofAudOther
            | Fault::ProofHandle
            | Fault::ProofName
            | Fault::OrderUserHandle
            | Fault::TokenAudArray => era.current_claims(),
            // 2023-01 names DNS identifiers and an empty subject.
            Fault::LeafOtherHandle
            | Fault::LeafDisplayName
            | Fault::CsrDisplayName
            | Fault::CsrOrganization => era != Era::Y2023_01,
            _ => true,
        }
    }
}

/// The trust inputs an auditor is given for a minted enrolment.
pub struct TrustInputs {
    /// wire-server's signing key.
    pub issuer_key: PublicKey,
    /// The IdP's signing key.
    pub idp_key: PublicKey,
    /// The root certificate (PEM).
    pub root_pem: String,
}

/// One suite's enrolment in one era: keys, the valid wire-server exchange,
/// the CA. Faults are applied by [`EraEnrolment::transcript`].
pub struct EraEnrolment {
    era: Era,
    e: Enrolment,
    flow: Flow,
    ca: Ca,
    /// The valid flow's CSR and leaf (DER), which most faults keep.
    csr: Vec<u8>,
    leaf: Vec<u8>,
    signatures: Signatures,
}

impl EraEnrolment {
    /// The enrolment of `suite` in `era`: the conformance enrolment's keys,
    /// the era's URLs, identities and claims.
    pub fn new(era: Era, suite: Suite) -> Self {
        let e = Enrolment::new(suite);
        let flow = era_flow(era, &e);
        let ca = Ca::new(suite, &format!("eras/{}/{}", era.name(), suite.name()));
        let ids = Identities::of(era, &flow);
        let csr = csr_of(era, &flow.client, &ids);
        let leaf = ca.leaf(era, &flow.client, &ids);
        EraEnrolment {
            era,
            e,
            flow,
            ca,
            csr,
            leaf,
            signatures: Signatures::default(),
        }
    }

    /// What the auditor must be given to judge every check.
    pub fn trust(&self) -> TrustInputs {
        TrustInputs {
            issuer_key: self.flow.issuer.public_key(),
            idp_key: self.e.idp.public_key(),
            root_pem: pem("CERTIFICATE", &self.ca.root),
        }
    }

    /// The whole capture with `fault` seeded, in the era's layout.
    pub fn transcript(&self, fault: Fault) -> String {
        let parts = self.parts(fault);
        let mut md = Md::new(self.era, &parts, &self.signatures);
        match self.era {
            Era::Y2023_01 => md.write_2023_01(),
            _ => md.write_oidc_era(),
        }
        md.finish()
    }

    /// A renewal capture as 2024-02-14 printed it (2024 layout): one section,
    /// three enrolments of the same client, each after a further directory
    /// fetch. The second is the first printed again (the same proof, tokens
    /// and nonces, its steps numbered from 1 again); the third is a renewal
    /// with a fresh wire-server nonce and `jti` and a fresh order (its own
    /// authorizations, challenges, challenge tokens and certificate URL), its
    /// id token got by refresh token (no OAuth exchange shown). `fault` is seeded into enrolment
    /// `faulty` (1 to 3) only, so only that flow may fail.
    pub fn renewal_transcript(&self, faulty: usize, fault: Fault) -> String {
        let renewed = self.renewed_flow();
        let fault_in = |n| if n == faulty { fault } else { Fault::None };
        let first = self.parts(fault_in(1));
        let second = self.parts(fault_in(2));
        let third = self.parts_of(&renewed, &Resources::renewal(), fault_in(3));
        let mut md = Md::new(self.era, &first, &self.signatures);
        md.write_oidc_era();
        md.p = &second;
        md.step = 0;
        md.enrolment(Login::OAuth);
        md.p = &third;
        md.enrolment(Login::Refresh);
        md.finish()
    }

    /// The renewal's flow: the enrolment's, with a fresh wire-server nonce,
    /// proof and token `jti`, and a fresh `wire-dpop-01` challenge (URL and
    /// token).
    fn renewed_flow(&self) -> Flow {
        let mut flow = self.flow.clone();
        flow.nonce = b64(b"renewal-wire-nonce");
        flow.chal = RENEWAL_CHAL.into();
        let authz = Resources::renewal().authz;
        flow.aud = format!(
            "{}/challenge/{authz}/{RENEWAL_DPOP_CHALLENGE}",
            self.era.acme()
        );
        flow.proof_claims["chal"] = json!(flow.chal);
        if flow.proof_claims.get("aud").is_some() {
            flow.proof_claims["aud"] = json!(flow.aud);
        }
        flow.proof_claims["nonce"] = json!(flow.nonce);
        flow.proof_claims["jti"] = json!("7c0e5d2a-4b1f-4e8a-9d3c-5b6a7f8e9d01");
        resign(self.era, &mut flow);
        flow.token_claims["jti"] = json!("1e9b7f3c-6a2d-4c5e-8f01-2a3b4c5d6e7f");
        flow.resign_token();
        flow
    }

    /// Every signed artefact of the flow, with `fault` applied.
    fn parts(&self, fault: Fault) -> Parts {
        self.parts_of(&self.flow, &Resources::first(), fault)
    }

    /// The artefacts of `base` (the enrolment's flow, or a renewal's), with
    /// `fault` applied.
    fn parts_of(&self, base: &Flow, res: &Resources, fault: Fault) -> Parts {
        let era = self.era;
        let now = base.now;
        let mut flow = base.clone();
        if fault == Fault::FirstExchange {
            flow.dpop.clone_from(&self.flow.dpop);
            flow.proof_claims = self.flow.proof_claims.clone();
            flow.access_token.clone_from(&self.flow.access_token);
            flow.token_claims = self.flow.token_claims.clone();
        }
        if fault == Fault::FirstChallenge && flow.chal != self.flow.chal {
            let jti = flow.token_claims["jti"].clone();
            flow.chal.clone_from(&self.flow.chal);
            flow.aud.clone_from(&self.flow.aud);
            flow.proof_claims["chal"] = json!(flow.chal);
            if flow.proof_claims.get("aud").is_some() {
                flow.proof_claims["aud"] = json!(flow.aud);
            }
            resign(era, &mut flow);
            flow.token_claims["jti"] = jti;
            flow.resign_token();
        }
        if fault == Fault::FirstProofChal && flow.chal != self.flow.chal {
            let jti = flow.token_claims["jti"].clone();
            flow.proof_claims["chal"] = json!(self.flow.chal);
            if flow.proof_claims.get("aud").is_some() {
                flow.proof_claims["aud"] = json!(self.flow.aud);
            }
            resign(era, &mut flow);
            flow.token_claims["jti"] = jti;
            flow.resign_token();
        }
        if fault == Fault::FirstProofJti && flow.chal != self.flow.chal {
            let jti = flow.token_claims["jti"].clone();
            flow.proof_claims["jti"] = self.flow.proof_claims["jti"].clone();
            resign(era, &mut flow);
            flow.token_claims["jti"] = jti;
            flow.resign_token();
        }
        let mut account = flow.client.clone();
        match fault {
            Fault::ProofHtu => {
                let other = flow
                    .htu
                    .replace(DEVICE_URL[era_index(era)], "1311768467294899695");
                set_proof_claim(era, &mut flow, "htu", json!(other));
            }
            Fault::ProofNonce => {
                set_proof_claim(era, &mut flow, "nonce", json!("b3RoZXItd2lyZS1ub25jZQ"))
            }
            Fault::ProofChal => {
                set_proof_claim(era, &mut flow, "chal", json!("b3RoZXItY2hhbGxlbmdl"))
            }
            Fault::ProofSub => {
                let order = flow.client_id.clone();
                let other = order.replace(DEVICE, OTHER_DEVICE);
                flow.client_id.clone_from(&other);
                set_proof_claim(era, &mut flow, "sub", json!(other));
                flow.client_id = order;
            }
            Fault::RequestElsewhere => {
                let elsewhere = flow.htu.replace(DEVICE_URL[era_index(era)], OTHER_DEVICE);
                flow.htu.clone_from(&elsewhere);
                set_proof_claim(era, &mut flow, "htu", json!(elsewhere));
            }
            Fault::OtherAccount => account = self.e.account.clone(),
            Fault::AccountOtherSuite => {
                let suite = if flow.suite == Suite::Ed25519 {
                    Suite::P256
                } else {
                    Suite::Ed25519
                };
                account = SigningKey::from_seed(suite, "eras/other-suite-account");
            }
            Fault::TokenLongLived => set_token_times(&mut flow, now, now + 31_536_000),
            Fault::ProofLongLived => set_proof_times(era, &mut flow, now, now + 31_536_000),
            Fault::ProofExpiredAtTrade => set_proof_times(era, &mut flow, now - 150, now - 90),
            Fault::TokenExpiredAtLogin => {
                set_proof_times(era, &mut flow, now - 420, now + 6780);
                set_token_times(&mut flow, now - 390, now - 90);
            }
            Fault::TokenAudIss => {
                flow.token_claims["aud"] = json!(flow.htu);
                flow.resign_token();
            }
            Fault::ProofUnbound => {
                if let Some(claims) = flow.proof_claims.as_object_mut() {
                    for claim in ["aud", "handle", "name", "team"] {
                        claims.remove(claim);
                    }
                }
                resign(era, &mut flow);
            }
            Fault::CnfIssuer => {
                let hash = flow.suite.alg().suite_hash();
                flow.token_claims["cnf"] = json!({"kid": flow.issuer.jwk().thumbprint(hash)});
                flow.resign_token();
            }
            Fault::HtuRoot => {
                let root = format!("{}/", era.wire());
                set_proof_claim(era, &mut flow, "htu", json!(root));
                flow.token_claims["iss"] = json!(root);
                if !era.current_claims() {
                    flow.token_claims["aud"] = json!(root);
                }
                flow.resign_token();
            }
            Fault::CnfHash => {
                let hash = match flow.suite.alg().suite_hash() {
                    HashAlg::Sha256 => HashAlg::Sha384,
                    _ => HashAlg::Sha256,
                };
                flow.token_claims["cnf"] = json!({"kid": flow.client.jwk().thumbprint(hash)});
                flow.resign_token();
            }
            Fault::ProofSignature => {
                flow.dpop = tamper_compact(&flow.dpop);
                flow.token_claims["proof"] = json!(flow.dpop);
                flow.resign_token();
            }
            Fault::TokenSignature => flow.access_token = tamper_compact(&flow.access_token),
            Fault::ProofHtmGet => set_proof_claim(era, &mut flow, "htm", json!("GET")),
            Fault::ProofHtmLower => set_proof_claim(era, &mut flow, "htm", json!("post")),
            Fault::ProofHtuFragment => {
                let htu = format!("{}#device", flow.htu);
                set_proof_claim(era, &mut flow, "htu", json!(htu));
            }
            Fault::ProofNoJti => {
                if let Some(claims) = flow.proof_claims.as_object_mut() {
                    claims.remove("jti");
                }
                resign(era, &mut flow);
            }
            Fault::ProofTyp => {
                let mut header = flow.proof_header();
                header["typ"] = json!("JWT");
                let dpop = flow.client.compact(&header, &flow.proof_claims);
                embed_proof(&mut flow, dpop);
            }
            Fault::ProofJwkPrivate => {
                let mut header = flow.proof_header();
                header["jwk"]["d"] = json!(private_member(flow.suite));
                let dpop = flow.client.compact(&header, &flow.proof_claims);
                embed_proof(&mut flow, dpop);
            }
            Fault::ProofAlgNone | Fault::ProofAlgHs256 => {
                let mut header = flow.proof_header();
                let none = fault == Fault::ProofAlgNone;
                header["alg"] = json!(if none { "none" } else { "HS256" });
                let claims = flow.proof_claims.to_string();
                let dpop = if none {
                    format!(
                        "{}.{}.",
                        b64(header.to_string().as_bytes()),
                        b64(claims.as_bytes())
                    )
                } else {
                    hmac_jws(&header, &claims)
                };
                embed_proof(&mut flow, dpop);
            }
            Fault::TokenScope => {
                flow.token_claims["scope"] = json!("openid");
                flow.resign_token();
            }
            Fault::TokenApiVersion => {
                flow.token_claims["api_version"] = json!(0);
                flow.resign_token();
            }
            Fault::TokenAudOtherChallenge => {
                flow.token_claims["aud"] = json!(other_challenge(&flow.aud));
                flow.resign_token();
            }
            Fault::TokenChal => {
                flow.token_claims["chal"] = json!("b3RoZXItY2hhbGxlbmdl");
                flow.resign_token();
            }
            Fault::TokenNonce => {
                flow.token_claims["nonce"] = json!("b3RoZXItd2lyZS1ub25jZQ");
                flow.resign_token();
            }
            Fault::TokenClientId => {
                let other = flow.client_id.replace(DEVICE, OTHER_DEVICE);
                flow.token_claims["client_id"] = json!(other);
                flow.resign_token();
            }
            Fault::ProofTeam => set_proof_claim(era, &mut flow, "team", json!("mallory-team")),
            Fault::ProofAudOther => {
                let other = other_challenge(&flow.aud);
                set_proof_claim(era, &mut flow, "aud", json!(other));
            }
            Fault::ProofHandle => {
                let other = flow.handle.replace("alice_wire", "mallory");
                set_proof_claim(era, &mut flow, "handle", json!(other));
            }
            Fault::ProofName => set_proof_claim(era, &mut flow, "name", json!("Mallory Evil")),
            Fault::ProofAlgMismatch => {
                let mut header = flow.proof_header();
                let alg = if flow.suite == Suite::P256 {
                    "ES384"
                } else {
                    "ES256"
                };
                header["alg"] = json!(alg);
                let dpop = flow.client.compact(&header, &flow.proof_claims);
                embed_proof(&mut flow, dpop);
            }
            Fault::TokenCnfJkt => {
                let kid = flow.token_claims["cnf"]["kid"].clone();
                flow.token_claims["cnf"] = json!({ "jkt": kid });
                flow.resign_token();
            }
            Fault::ProofHtuCase => {
                let (scheme, rest) = flow.htu.split_once("://").unwrap_or_default();
                let (host, path) = rest.split_once('/').unwrap_or_default();
                let port = if host.contains(':') {
                    ""
                } else if scheme == "https" {
                    ":443"
                } else {
                    ":80"
                };
                let htu = format!(
                    "{}://{}{port}/{path}",
                    scheme.to_uppercase(),
                    host.to_uppercase()
                );
                set_proof_claim(era, &mut flow, "htu", json!(htu));
            }
            Fault::TokenApiVersionString => {
                flow.token_claims["api_version"] = json!("5");
                flow.resign_token();
            }
            Fault::TokenNbfFuture => {
                flow.token_claims["nbf"] = json!(now + 600);
                flow.resign_token();
            }
            Fault::ProofNbfFuture => set_proof_claim(era, &mut flow, "nbf", json!(now + 600)),
            Fault::TokenAudArray => {
                flow.token_claims["aud"] = json!([flow.aud]);
                flow.resign_token();
            }
            Fault::TokenCnfMissing | Fault::TokenProofMissing => {
                let claim = if fault == Fault::TokenCnfMissing {
                    "cnf"
                } else {
                    "proof"
                };
                if let Some(claims) = flow.token_claims.as_object_mut() {
                    claims.remove(claim);
                }
                flow.resign_token();
            }
            Fault::TokenExpBeforeIat => set_token_times(&mut flow, now, now - 60),
            Fault::ProofExpBeforeIat => set_proof_times(era, &mut flow, now, now - 60),
            Fault::ProofHtuQuery => {
                let htu = format!("{}?client=1", flow.htu);
                set_proof_claim(era, &mut flow, "htu", json!(htu));
            }
            Fault::ProofExpired => set_proof_times(era, &mut flow, now - 7290, now - 90),
            Fault::ProofFuture => set_proof_times(era, &mut flow, now + 600, now + 7800),
            Fault::ProofStale => set_proof_times(era, &mut flow, now - 6900, now + 300),
            Fault::TokenExpired => set_token_times(&mut flow, now - 4050, now - 90),
            Fault::TokenFuture => set_token_times(&mut flow, now + 600, now + 4560),
            Fault::ProofOtherSuite => {
                let suite = if flow.suite == Suite::Ed25519 {
                    Suite::P256
                } else {
                    Suite::Ed25519
                };
                let key = SigningKey::from_seed(suite, "eras/other-suite-client");
                let header = json!({"alg": suite.alg().name(), "typ": "dpop+jwt", "jwk": key.public_jwk_json()});
                flow.dpop = key.compact(&header, &flow.proof_claims);
                let thumbprint = key.jwk().thumbprint(suite.alg().suite_hash());
                flow.token_claims["cnf"] = json!({"kid": thumbprint});
                flow.token_claims["proof"] = json!(flow.dpop);
                flow.resign_token();
            }
            _ => {}
        }
        match fault {
            Fault::TokenTyp => {
                let mut header = flow.token_header();
                header["typ"] = json!("JWT");
                flow.access_token = flow.issuer.compact(&header, &flow.token_claims);
            }
            Fault::TokenAlgHs256 => {
                let mut header = flow.token_header();
                header["alg"] = json!("HS256");
                flow.access_token = hmac_jws(&header, &flow.token_claims.to_string());
            }
            Fault::TokenOtherIssuer => {
                let rogue = &self.e.rogue;
                let header = json!({"alg": flow.suite.alg().name(), "typ": "at+jwt", "jwk": rogue.public_jwk_json()});
                flow.access_token = rogue.compact(&header, &flow.token_claims);
            }
            _ => {}
        }
        let mut ids = Identities::of(era, &flow);
        if fault == Fault::ProofTeam {
            ids.team = Some("wire".into());
        }
        if fault == Fault::OrderUserHandle {
            ids.user_handle = Some(ids.handle.replace("alice_wire", "mallory"));
        }
        let target = self.flow.htu.clone();
        let (csr, leaf) = match fault {
            Fault::CsrSan => {
                let asked = ids.other_device();
                let csr = csr_of(era, &flow.client, &asked);
                (csr, self.ca.leaf(era, &flow.client, &asked))
            }
            Fault::LeafKey => (self.csr.clone(), self.ca.leaf(era, &self.e.rogue, &ids)),
            Fault::CsrDisplayName => {
                let csr = crate::pki::csr(&flow.client, &ids.names, DOMAIN, "Mallory Evil");
                (csr, self.leaf.clone())
            }
            Fault::CsrOrganization => {
                let csr = crate::pki::csr(
                    &flow.client,
                    &ids.names,
                    "mallory.example.net",
                    DISPLAY_NAME,
                );
                (csr, self.leaf.clone())
            }
            Fault::CsrOtherKey => {
                let csr = csr_of(era, &self.e.rogue, &ids);
                (csr, self.ca.leaf(era, &self.e.rogue, &ids))
            }
            Fault::LowercaseClientId => {
                let mut lower = ids.clone();
                lower.names[0] = lower.names[0].to_lowercase();
                let csr = csr_of(era, &flow.client, &lower);
                (csr, self.ca.leaf(era, &flow.client, &lower))
            }
            Fault::LeafOtherClient => {
                let leaf = self.ca.leaf(era, &flow.client, &ids.other_device());
                (self.csr.clone(), leaf)
            }
            Fault::LeafSignature => {
                let mut leaf = self.leaf.clone();
                if let Some(last) = leaf.last_mut() {
                    *last ^= 0x01;
                }
                (self.csr.clone(), leaf)
            }
            Fault::LeafNoClientAuth
            | Fault::LeafNoProvisioner
            | Fault::LeafProvisionerJwk
            | Fault::LeafProvisionerOther
            | Fault::LeafDisplayName => {
                let (y, m, d) = era.leaf_day();
                let tweak = |p: &mut CertificateParams| match fault {
                    Fault::LeafNoClientAuth => {
                        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                    }
                    Fault::LeafNoProvisioner => p.custom_extensions.clear(),
                    Fault::LeafProvisionerJwk => {
                        p.custom_extensions = vec![provisioner_of(1, era.provisioner())];
                    }
                    Fault::LeafProvisionerOther => {
                        p.custom_extensions = vec![provisioner_of(6, "other-acme")];
                    }
                    _ => {
                        p.distinguished_name = DistinguishedName::new();
                        p.distinguished_name.push(DnType::OrganizationName, DOMAIN);
                        p.distinguished_name
                            .push(DnType::CommonName, "Mallory Evil");
                    }
                };
                let leaf =
                    self.ca
                        .leaf_with(era, &flow.client, &ids, ((y, m, d), (y + 10, m, d)), &tweak);
                (self.csr.clone(), leaf)
            }
            Fault::LeafExtraSan | Fault::CsrExtraSan => {
                let mut more = ids.clone();
                more.names.push(if ids.dns {
                    "mallory.example.com".to_owned()
                } else {
                    ids.handle.replace("alice_wire", "mallory")
                });
                let leaf = self.ca.leaf(era, &flow.client, &more);
                if fault == Fault::CsrExtraSan {
                    (csr_of(era, &flow.client, &more), leaf)
                } else {
                    (self.csr.clone(), leaf)
                }
            }
            Fault::LeafSanMissing => {
                let mut fewer = ids.clone();
                fewer.names.truncate(1);
                (self.csr.clone(), self.ca.leaf(era, &flow.client, &fewer))
            }
            Fault::LeafIsCa => {
                let (y, m, d) = era.leaf_day();
                let leaf =
                    self.ca
                        .leaf_with(era, &flow.client, &ids, ((y, m, d), (y + 10, m, d)), &|p| {
                            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained)
                        });
                (self.csr.clone(), leaf)
            }
            Fault::LeafOtherHandle => {
                let mut other = ids.clone();
                other.names[1] = other.names[1].replace("alice_wire", "mallory");
                (self.csr.clone(), self.ca.leaf(era, &flow.client, &other))
            }
            Fault::CsrBadSignature => {
                let mut csr = self.csr.clone();
                if let Some(last) = csr.last_mut() {
                    *last ^= 0x01;
                }
                (csr, self.leaf.clone())
            }
            Fault::LeafNotYetValid => {
                let (y, m, d) = era.leaf_day();
                let leaf =
                    self.ca
                        .leaf_between(era, &flow.client, &ids, (y, m, d + 1), (y + 10, m, d));
                (self.csr.clone(), leaf)
            }
            Fault::LeafExpired => {
                let (y, m, d) = era.leaf_day();
                let leaf = self
                    .ca
                    .leaf_between(era, &flow.client, &ids, (y - 1, m, d), (y, m, d));
                (self.csr.clone(), leaf)
            }
            _ => (self.csr.clone(), self.leaf.clone()),
        };
        let chain = match fault {
            Fault::LeafOtherRoot => {
                let other = Ca::new(flow.suite, &format!("eras/other-root/{}", era.name()));
                vec![
                    other.leaf(era, &flow.client, &ids),
                    other.intermediate.clone(),
                ]
            }
            Fault::IntermediateSignature => {
                let mut intermediate = self.ca.intermediate.clone();
                if let Some(last) = intermediate.last_mut() {
                    *last ^= 0x01;
                }
                vec![leaf, intermediate]
            }
            Fault::IntermediateNotCa => {
                let not_ca = self.ca.intermediate_with(&|p| p.is_ca = IsCa::ExplicitNoCa);
                vec![leaf, not_ca]
            }
            Fault::IntermediateExpired => {
                let expired = self
                    .ca
                    .intermediate_with(&|p| p.not_after = date_time_ymd(2022, 12, 31));
                vec![leaf, expired]
            }
            Fault::ChainLeafOnly => vec![leaf],
            Fault::ChainReversed => vec![self.ca.intermediate.clone(), leaf],
            _ => vec![leaf, self.ca.intermediate.clone()],
        };
        let views = Views::of(self, base, fault, &ids);
        let delivered = match fault {
            Fault::OtherDelivered => {
                let mut other = flow.clone();
                other.token_claims["jti"] = json!("0d6c3ab2-1f4e-4a8b-9c7d-2e5f6a7b8c9d");
                other.resign_token();
                Some(other.access_token)
            }
            Fault::DeliveredTokenSignature => Some(tamper_compact(&flow.access_token)),
            _ => None,
        };
        let oidc = Oidc::new(era, &self.e, &flow, res, &account, fault, &self.signatures);
        Parts {
            fault,
            views,
            target,
            suite: flow.suite,
            ids,
            account,
            delivered,
            csr,
            chain,
            root: self.ca.root.clone(),
            oidc,
            flow,
            res: if fault == Fault::FirstOrder {
                Resources {
                    order: Resources::first().order,
                    ..res.clone()
                }
            } else {
                res.clone()
            },
        }
    }
}

/// The device id in each era's access-token URL (2023-01 prints it in
/// decimal), indexed by [`era_index`].
const DEVICE_URL: [&str; 7] = [
    "11407327478470534585",
    "11407327478470534585",
    "11407327478470534585",
    "9e4ef7e72ec9e5b9",
    "9e4ef7e72ec9e5b9",
    "9e4ef7e72ec9e5b9",
    "9e4ef7e72ec9e5b9",
];

fn era_index(era: Era) -> usize {
    match era {
        Era::Y2023_01 => 0,
        Era::Y2023_03 => 1,
        Era::Y2023_04 => 2,
        Era::Y2023_06 => 3,
        Era::Y2023_11 => 4,
        Era::Y2024_03 => 5,
        Era::Y2026_01 => 6,
    }
}

/// The device id (hex), the user id (16 bytes, base64url) and the domain every
/// era's identities spell.
const DEVICE: &str = "9e4ef7e72ec9e5b9";
/// Another device of the same user.
const OTHER_DEVICE: &str = "0123456789abcdef";
const USER_B64URL: &str = "WqEqc9dIRoKh3VyUJ8k6QA";
const DOMAIN: &str = "wire.example.com";
const IDP_HOST: &str = "idp.example.com";
const DISPLAY_NAME: &str = "Alice Smith";

/// What the order names and the CSR and leaf must carry.
#[derive(Clone)]
struct Identities {
    /// `dns` identifiers (2023-01) or the client id and handle URIs.
    names: Vec<String>,
    /// Whether `names` are DNS names.
    dns: bool,
    /// The handle as the order spells it (2026 names it beside the device).
    handle: String,
    /// The team the order names (none in the captures).
    team: Option<String>,
    /// The handle the `wireapp-user` identifier names, when not `handle`.
    user_handle: Option<String>,
}

impl Identities {
    fn of(era: Era, flow: &Flow) -> Self {
        match era {
            Era::Y2023_01 => Identities {
                names: vec![IDP_HOST.to_owned(), DOMAIN.to_owned()],
                dns: true,
                handle: String::new(),
                team: None,
                user_handle: None,
            },
            Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 => Identities {
                names: vec![flow.client_id.clone(), flow.handle.clone()],
                dns: false,
                handle: flow.handle.clone(),
                team: None,
                user_handle: None,
            },
            Era::Y2024_03 | Era::Y2026_01 => Identities {
                names: vec![flow.client_id.replace('!', "%21"), flow.handle.clone()],
                dns: false,
                handle: flow.handle.clone(),
                team: None,
                user_handle: None,
            },
        }
    }

    /// The same identities naming another device (or, for DNS names, another
    /// host), as a CSR that asks for more than the order would.
    fn other_device(&self) -> Self {
        let mut other = self.clone();
        other.names = self
            .names
            .iter()
            .map(|n| {
                if self.dns {
                    n.replace(IDP_HOST, "mallory.example.com")
                } else {
                    n.replace(DEVICE, OTHER_DEVICE)
                }
            })
            .collect();
        other
    }

    fn sans(&self) -> Vec<SanType> {
        self.names
            .iter()
            .filter_map(|n| {
                let ia5 = n.as_str().try_into().ok()?;
                Some(if self.dns {
                    SanType::DnsName(ia5)
                } else {
                    SanType::URI(ia5)
                })
            })
            .collect()
    }
}

/// The era's client id and handle: `im:wireapp:` + base64 of the hex user id
/// (2023-01), `im:wireapp=` + base64url (2023-11), `wireapp://` (2026).
fn era_identity(era: Era) -> (String, String) {
    let uuid = e2ei_verify::jose::b64_decode(USER_B64URL).unwrap_or_default();
    let hex: String = uuid.iter().map(|b| format!("{b:02x}")).collect();
    match era {
        Era::Y2023_01 => (
            format!(
                "im:wireapp:{}/{DEVICE}@{DOMAIN}",
                STANDARD_NO_PAD.encode(hex)
            ),
            String::new(),
        ),
        Era::Y2023_03 => (
            format!(
                "im:wireapp={}/{DEVICE}@{DOMAIN}",
                STANDARD_NO_PAD.encode(hex)
            ),
            format!("im:wireapp=alice_wire@{DOMAIN}"),
        ),
        // April and June 2023 name the handle without a domain (the order,
        // the SAN and the id token's `name`).
        Era::Y2023_04 | Era::Y2023_06 => (
            format!(
                "im:wireapp={}/{DEVICE}@{DOMAIN}",
                STANDARD_NO_PAD.encode(hex)
            ),
            "im:wireapp=alice_wire".to_owned(),
        ),
        Era::Y2023_11 => (
            format!("im:wireapp={USER_B64URL}/{DEVICE}@{DOMAIN}"),
            format!("im:wireapp=%40alice_wire@{DOMAIN}"),
        ),
        Era::Y2024_03 | Era::Y2026_01 => (
            format!("wireapp://{USER_B64URL}!{DEVICE}@{DOMAIN}"),
            format!("wireapp://%40alice_wire@{DOMAIN}"),
        ),
    }
}

/// The authorization of the device (2023-01: of the first `dns` identifier)
/// and the challenge the proof answers.
const AUTHZ: &str = "oJt5oJAsPPlkT2Xi6S0TqQGnVXc0yNMI";
const AUTHZ_2: &str = "ztLGNcicpX9vHKL5BpoWfFUCkVyhuhAN";
const DPOP_CHALLENGE: &str = "RNPuq3ItJAva2y1ugBQ5YRUghLBsp7ex";
const OIDC_CHALLENGE: &str = "SDJQ76rdWuofetahvzpgljsuhCZL2pzv";

/// The ACME resources an enrolment names (its DPoP challenge's URL and token
/// are the flow's `aud` and `chal`): the enrolment's own, or a renewal's
/// fresh ones.
#[derive(Clone)]
struct Resources {
    authz: String,
    authz_2: String,
    oidc_challenge: String,
    /// The `wire-oidc-01` token of the layouts that give it its own.
    oidc_token: String,
    order: String,
    certificate: String,
}

impl Resources {
    /// The enrolment's (the first of a renewal capture).
    fn first() -> Self {
        Resources {
            authz: AUTHZ.into(),
            authz_2: AUTHZ_2.into(),
            oidc_challenge: OIDC_CHALLENGE.into(),
            oidc_token: "YIYEFjs0LpfU6uYSNPROTI95zWJ0zLTb".into(),
            order: "91OKTwugsPFzkMTh8mauFNqRGmIXrG4N".into(),
            certificate: "SovyprYoMfROGmEbACsGVLwvn2A0h5j9".into(),
        }
    }

    /// A renewal's: another order, its own authorizations, challenges,
    /// challenge tokens and certificate.
    fn renewal() -> Self {
        Resources {
            authz: "Hq3mZ8pW2vNcR7tY5kLxB9sD4fGjA6eU".into(),
            authz_2: "Tn8cVb2XqP5wRz7mK3yL9dF6hJ4sG1aE".into(),
            oidc_challenge: "Ly6tR3nW8qV1zM4kP7xB2cH5jF9dS0gU".into(),
            oidc_token: "Kc2vX7mN4qR9tZ1wP6yB3hL8jD5sF0gA".into(),
            order: "Zr5mQ8wT1xN4vK7pB2cY9hL6jD3sF0gE".into(),
            certificate: "Vb9nR2wT5xQ8mK1pZ4cY7hL3jD6sF0gN".into(),
        }
    }
}

/// The renewal's `wire-dpop-01` challenge id and token.
const RENEWAL_DPOP_CHALLENGE: &str = "Pw4kN7rT2xZ9mQ5vB8cY3hL6jD1sF0gA";
const RENEWAL_CHAL: &str = "Qm3vT8xN1rZ6wK9pB4cY2hL7jD5sF0gR";

/// The valid wire-server exchange of `era`: the era's identities and URLs,
/// the era's proof claims, the era's token claims, all signed.
fn era_flow(era: Era, e: &Enrolment) -> Flow {
    let mut f = Flow::new(
        e.suite,
        &format!("conformance/{}", e.suite.name()),
        era.now(),
    );
    let (client_id, handle) = era_identity(era);
    f.client_id = client_id;
    f.handle = handle;
    f.htu = format!(
        "{}/clients/{}/access-token",
        era.wire(),
        DEVICE_URL[era_index(era)]
    );
    // 2023-01: the first authorization's http-01 challenge.
    f.aud = format!("{}/challenge/{AUTHZ}/{DPOP_CHALLENGE}", era.acme());
    let now = era.now();
    f.proof_claims = match era {
        Era::Y2024_03 | Era::Y2026_01 => {
            let mut c = f.proof_claims.clone();
            c["sub"] = json!(f.client_id);
            c["aud"] = json!(f.aud);
            c["handle"] = json!(f.handle);
            c["htu"] = json!(f.htu);
            c
        }
        _ => json!({
            "iat": now, "exp": now + 7200, "nbf": now, "sub": f.client_id,
            "jti": "2f96d296-37ec-4bca-8b86-65790a5e00b5", "nonce": f.nonce,
            "htm": "POST", "htu": f.htu, "chal": f.chal,
        }),
    };
    resign(era, &mut f);
    f
}

/// Re-signs the proof, then rebuilds the token around it with the era's
/// claims (before 2024 wire-server named itself as the token's audience, and
/// 2023-01 tokens were API version 3).
fn resign(era: Era, f: &mut Flow) {
    f.resign();
    if era.current_claims() {
        return;
    }
    f.token_claims["aud"] = json!(f.htu);
    if era == Era::Y2023_01 {
        f.token_claims["api_version"] = json!(3);
    }
    f.resign_token();
}

/// Changes one proof claim and re-signs everything downstream, so that only
/// that claim is wrong.
fn set_proof_claim(era: Era, f: &mut Flow, claim: &str, value: Value) {
    f.proof_claims[claim] = value;
    resign(era, f);
}

/// Sets the proof's `iat` (and `nbf`) and `exp`, and re-signs everything
/// downstream; the token keeps its own times.
fn set_proof_times(era: Era, f: &mut Flow, iat: u64, exp: u64) {
    f.proof_claims["iat"] = json!(iat);
    f.proof_claims["nbf"] = json!(iat);
    f.proof_claims["exp"] = json!(exp);
    resign(era, f);
}

/// Sets the access token's `iat` (and `nbf`) and `exp`, and re-signs it.
fn set_token_times(f: &mut Flow, iat: u64, exp: u64) {
    f.token_claims["iat"] = json!(iat);
    f.token_claims["nbf"] = json!(iat);
    f.token_claims["exp"] = json!(exp);
    f.resign_token();
}

/// `jws` (compact) with the first byte of its signature changed.
fn tamper_compact(jws: &str) -> String {
    match jws.rsplit_once('.') {
        Some((input, signature)) => format!("{input}.{}", flip_b64(signature)),
        None => jws.to_owned(),
    }
}

/// Base64url `text` with the first byte it encodes changed.
fn flip_b64(text: &str) -> String {
    let mut bytes = e2ei_verify::jose::b64_decode(text).unwrap_or_default();
    if let Some(first) = bytes.first_mut() {
        *first ^= 0x01;
    }
    b64(&bytes)
}

/// A compact JWS of `header` and `claims` whose signature is an HMAC-SHA256
/// (a key of nobody's).
fn hmac_jws(header: &Value, claims: &str) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.as_bytes())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"eras-hmac");
    let signature = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(signature.as_ref()))
}

/// `dpop` becomes the proof the flow shows and sends, and the token
/// wire-server signs embeds it.
fn embed_proof(f: &mut Flow, dpop: String) {
    f.dpop = dpop;
    f.token_claims["proof"] = json!(f.dpop);
    f.resign_token();
}

/// A private scalar's member `d` of the suite's length (of nobody's key).
fn private_member(suite: Suite) -> String {
    let len = match suite {
        Suite::Ed25519 | Suite::P256 => 32,
        Suite::P384 => 48,
        Suite::P521 => 66,
    };
    let mut d = Vec::new();
    while d.len() < len {
        let block = format!("eras/{}/d/{}", suite.name(), d.len());
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, block.as_bytes());
        d.extend_from_slice(digest.as_ref());
    }
    d.truncate(len);
    b64(&d)
}

/// Another challenge URL of the same authorization than `url`.
fn other_challenge(url: &str) -> String {
    match url.rsplit_once('/') {
        Some((authz, _)) => format!("{authz}/Xk7pQ2mV9rT4wZ8nB3cY6hL1jD5sF0gE"),
        None => url.to_owned(),
    }
}

/// The OAuth login and the id token (eras with OIDC).
struct Oidc {
    idp: String,
    /// The id token posted to the challenge.
    id_token: String,
    /// The id token the token endpoint returned.
    returned_id_token: String,
    /// The `keyauth` member posted beside the id token.
    posted_keyauth: String,
    nonce: String,
    verifier: String,
    /// The verifier sent to the token endpoint.
    sent_verifier: String,
    challenge: String,
}

impl Oidc {
    fn new(
        era: Era,
        e: &Enrolment,
        f: &Flow,
        res: &Resources,
        account: &SigningKey,
        fault: Fault,
        signatures: &Signatures,
    ) -> Self {
        let idp = match era {
            Era::Y2023_03 => "http://dex:16571/dex".to_owned(),
            Era::Y2023_04 => "http://dex:21303/dex".to_owned(),
            Era::Y2023_06 => "http://dex:16070/dex".to_owned(),
            Era::Y2023_11 => "http://dex:21491/dex".to_owned(),
            Era::Y2024_03 => "http://keycloak:15955/realms/master".to_owned(),
            _ => e.idp_iss().to_owned(),
        };
        let token = oidc_token(era, f, res);
        let bound = keyauth(token, account);
        let signed_keyauth = if fault == Fault::IdTokenKeyauth {
            keyauth(token, &e.rogue)
        } else {
            bound.clone()
        };
        let now = era.now();
        let nonce = "zA7hXb3r9Qk".to_owned();
        let mut claims = match era {
            // dex in 2023: the handle in `name`, the display name in
            // `preferred_username`, no binding to ACME yet.
            Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 => json!({
                "aud": "wireapp", "exp": now + 3600, "iat": now, "iss": idp,
                "name": f.handle, "nonce": nonce, "preferred_username": DISPLAY_NAME,
                "sub": "CjtpbTp3aXJlYXBwPXlsLThBX3daU2ZhUzJ1VjhWdU1FQncvN2U3OTcyM2E4YmRjNjk0ZkB3aXJlLmNvbRIEbGRhcA",
            }),
            _ => {
                let mut c = e.id_token_claims();
                c["iat"] = json!(now);
                c["exp"] = json!(now + 3600);
                c["iss"] = json!(idp);
                c["keyauth"] = json!(signed_keyauth);
                c["acme_aud"] = json!(oidc_challenge_url(era, res));
                c
            }
        };
        claims["nonce"] = json!(nonce);
        match fault {
            Fault::IdTokenOtherUser if !era.binds_id_token() => {
                claims["name"] = json!(f.handle.replace("alice_wire", "mallory"));
            }
            Fault::IdTokenOtherUser => {
                claims["preferred_username"] = json!(format!("mallory@{DOMAIN}"));
            }
            Fault::IdTokenNonce => claims["nonce"] = json!("b3RoZXItbG9naW4tbm9uY2U"),
            Fault::IdTokenAcmeAud => {
                claims["acme_aud"] = json!(other_challenge(&oidc_challenge_url(era, res)));
            }
            Fault::IdTokenIss => claims["iss"] = json!("https://idp.example.net/realms/mallory"),
            Fault::IdTokenIssSlash => claims["iss"] = json!(format!("{idp}/")),
            Fault::IdTokenAud => claims["aud"] = json!("another-oauth-client"),
            Fault::IdTokenDisplayName if !era.binds_id_token() => {
                claims["preferred_username"] = json!("Mallory Evil");
            }
            Fault::IdTokenDisplayName => claims["name"] = json!("Mallory Evil"),
            Fault::IdTokenNonceMissing => {
                if let Some(c) = claims.as_object_mut() {
                    c.remove("nonce");
                }
            }
            Fault::IdTokenExpBeforeIat => claims["exp"] = json!(now - 60),
            Fault::IdTokenExpired => {
                claims["iat"] = json!(now - 3690);
                claims["exp"] = json!(now - 90);
            }
            Fault::IdTokenFuture => {
                claims["iat"] = json!(now + 600);
                claims["exp"] = json!(now + 4200);
            }
            Fault::IdTokenUnbound => {
                if let Some(c) = claims.as_object_mut() {
                    c.remove("keyauth");
                    c.remove("acme_aud");
                }
            }
            _ => {}
        }
        let idp_key = if fault == Fault::IdTokenSigner {
            &e.rogue
        } else {
            &e.idp
        };
        if era == Era::Y2023_03 {
            claims["at_hash"] = json!("t-XHZBY3Lzl0Zk5UtoWr_A");
            claims["c_hash"] = json!("c7KEA7C8SJIyMz9U_RSIDA");
        }
        let sign = |claims: &Value| match era {
            Era::Y2023_03 => {
                signatures.compact_text(idp_key, &e.id_token_header(), &dex_order(claims))
            }
            _ => signatures.compact(idp_key, &e.id_token_header(), claims),
        };
        let mut id_token = sign(&claims);
        if fault == Fault::IdTokenSignature {
            id_token = tamper_compact(&id_token);
        }
        if fault == Fault::IdTokenAlgHs256 {
            let mut header = e.id_token_header();
            header["alg"] = json!("HS256");
            id_token = hmac_jws(&header, &claims.to_string());
        }
        let returned_id_token = if fault == Fault::IdTokenReturnedOther {
            claims["nonce"] = json!("YW5vdGhlci1sb2dpbg");
            sign(&claims)
        } else {
            id_token.clone()
        };
        let posted_keyauth = if fault == Fault::PostedKeyauth {
            keyauth(token, &e.rogue)
        } else {
            bound
        };
        let digest = |s: &str| {
            b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes()).as_ref())
        };
        let verifier = digest(&format!("eras/{}/pkce", era.name()));
        let challenge = if fault == Fault::PkcePlain {
            verifier.clone()
        } else {
            digest(&verifier)
        };
        let sent_verifier = if fault == Fault::PkceVerifier {
            b64(b"another-code-verifier-of-43-characters-or-more")
        } else {
            verifier.clone()
        };
        Oidc {
            idp,
            id_token,
            returned_id_token,
            posted_keyauth,
            nonce,
            verifier,
            sent_verifier,
            challenge,
        }
    }
}

/// The claims as dex wrote them in March 2023: in its own order, not sorted
/// (so a reader that re-serialises sorted claims would not match the bytes).
fn dex_order(claims: &Value) -> String {
    const ORDER: [&str; 10] = [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "nonce",
        "at_hash",
        "c_hash",
        "name",
        "preferred_username",
    ];
    let members: Vec<String> = ORDER
        .iter()
        .filter_map(|k| Some(format!("{}:{}", json!(k), claims.get(*k)?)))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// The `wire-oidc-01` challenge token: 2023-11 shares the authorization's
/// one token between both challenges.
fn oidc_token<'a>(era: Era, f: &'a Flow, res: &'a Resources) -> &'a str {
    match era {
        Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 => &f.chal,
        _ => &res.oidc_token,
    }
}

/// The `wire-oidc-01` challenge URL: in the device's authorization until
/// 2024, then in the user's.
fn oidc_challenge_url(era: Era, res: &Resources) -> String {
    let authz = if era == Era::Y2024_03 {
        &res.authz_2
    } else {
        &res.authz
    };
    format!("{}/challenge/{authz}/{}", era.acme(), res.oidc_challenge)
}

/// What a capture prints beside the signed bytes, and what it traded and
/// answered, where a fault makes it differ from the flow.
struct Views {
    /// The proof the `dpop:` header holds, when not the flow's.
    header_proof: Option<String>,
    /// The CSR the `###### CSR:` block shows, when not the sent one.
    csr: Option<Vec<u8>>,
    /// The leaf the `###### Certificate #1` block shows, when not the chain's.
    leaf: Option<Vec<u8>>,
    /// The identities openssl's text of the CSR and of the leaf names.
    csr_text: Identities,
    leaf_text: Identities,
    /// The nonce the wire-server endpoint returned, when not the flow's.
    wire_nonce: Option<String>,
    /// The token the valid `wire-dpop-01` challenge names, when not the
    /// offered one.
    valid_chal: Option<String>,
}

impl Views {
    /// The views of `base`'s enrolment (the enrolment's flow, or a
    /// renewal's) with `fault` applied.
    fn of(e: &EraEnrolment, base: &Flow, fault: Fault, ids: &Identities) -> Self {
        let (era, other) = (e.era, ids.other_device());
        let header_proof = (fault == Fault::HeaderProof).then(|| {
            let mut sent = base.clone();
            sent.proof_claims["jti"] = json!("8d1f0c2e-5b7a-4e3d-9c6f-1a2b3c4d5e6f");
            sent.resign();
            sent.dpop
        });
        let text = |f| if fault == f { &other } else { ids };
        Views {
            header_proof,
            csr: (fault == Fault::CsrPem).then(|| csr_of(era, &e.flow.client, &other)),
            leaf: (fault == Fault::CertPem).then(|| e.ca.leaf(era, &e.flow.client, &other)),
            csr_text: text(Fault::CsrText).clone(),
            leaf_text: text(Fault::CertText).clone(),
            wire_nonce: (fault == Fault::WireNonceUnissued)
                .then(|| "bmV2ZXItaXNzdWVkLWJ5LXdpcmUtc2VydmVy".to_owned()),
            valid_chal: (fault == Fault::ChallengeToken)
                .then(|| "T3RoZXJDaGFsbGVuZ2VUb2tlbjAxMjM0NTY3".to_owned()),
        }
    }
}

/// Everything one transcript shows.
struct Parts {
    /// What is printed, traded or answered other than the flow's own.
    views: Views,
    /// The access-token URL of the order's device (the `wire-dpop-01`
    /// challenge's `target`).
    target: String,
    fault: Fault,
    suite: Suite,
    ids: Identities,
    flow: Flow,
    account: SigningKey,
    delivered: Option<String>,
    csr: Vec<u8>,
    chain: Vec<Vec<u8>>,
    /// The root (DER), which 2024 captures print after the chain.
    root: Vec<u8>,
    oidc: Oidc,
    /// The ACME resources the enrolment names.
    res: Resources,
}

/// Root → intermediate → leaf, without the URI name constraint of the
/// generator's PKI: the 2023 intermediates carried none, and their leaves
/// name `im:` URIs and DNS names the 2026 constraint would refuse.
struct Ca {
    root: Vec<u8>,
    root_params: CertificateParams,
    root_key: SigningKey,
    intermediate: Vec<u8>,
    intermediate_params: CertificateParams,
    intermediate_key: SigningKey,
}

impl Ca {
    fn new(suite: Suite, seed: &str) -> Self {
        let root_signer = SigningKey::from_seed(suite, &format!("{seed}/root"));
        let root_key = CertKey::new(&root_signer);
        let root_params = ca_params("wire Root CA", 1, 1);
        let root = root_params
            .self_signed(&root_key)
            .expect("fixed root parameters");
        let intermediate_key = SigningKey::from_seed(suite, &format!("{seed}/intermediate"));
        let intermediate_params = ca_params("wire Intermediate CA", 2, 0);
        let intermediate = intermediate_params
            .signed_by(
                &CertKey::new(&intermediate_key),
                &Issuer::from_params(&root_params, &root_key),
            )
            .expect("fixed intermediate parameters");
        Ca {
            root: root.der().to_vec(),
            root_params,
            root_key: root_signer,
            intermediate: intermediate.der().to_vec(),
            intermediate_params,
            intermediate_key,
        }
    }

    /// The leaf the CA issues for `ids` and `key`, as the era wrote it
    /// (2023-01: empty subject, serverAuth too; later: `O` = domain, `CN` =
    /// display name), with the provisioner extension.
    fn leaf(&self, era: Era, key: &SigningKey, ids: &Identities) -> Vec<u8> {
        let (y, m, d) = era.leaf_day();
        self.leaf_between(era, key, ids, (y, m, d), (y + 10, m, d))
    }

    /// The intermediate (same key, name and serial) issued by the root with
    /// its parameters changed by `tweak`.
    fn intermediate_with(&self, tweak: &dyn Fn(&mut CertificateParams)) -> Vec<u8> {
        let mut params = ca_params("wire Intermediate CA", 2, 0);
        tweak(&mut params);
        let root = CertKey::new(&self.root_key);
        params
            .signed_by(
                &CertKey::new(&self.intermediate_key),
                &Issuer::from_params(&self.root_params, &root),
            )
            .expect("fixed intermediate parameters")
            .der()
            .to_vec()
    }

    /// The leaf valid from `from` to `until` (year, month, day).
    fn leaf_between(
        &self,
        era: Era,
        key: &SigningKey,
        ids: &Identities,
        from: (i32, u8, u8),
        until: (i32, u8, u8),
    ) -> Vec<u8> {
        self.leaf_with(era, key, ids, (from, until), &|_| {})
    }

    /// The leaf valid over `(from, until)`, its parameters changed by
    /// `tweak` before the intermediate signs it.
    fn leaf_with(
        &self,
        era: Era,
        key: &SigningKey,
        ids: &Identities,
        (from, until): ((i32, u8, u8), (i32, u8, u8)),
        tweak: &dyn Fn(&mut CertificateParams),
    ) -> Vec<u8> {
        self.leaf_issued(era, key, ids, (from, until), tweak, false)
    }

    /// [`Ca::leaf_with`], issued by the root when `by_root`.
    fn leaf_issued(
        &self,
        era: Era,
        key: &SigningKey,
        ids: &Identities,
        (from, until): ((i32, u8, u8), (i32, u8, u8)),
        tweak: &dyn Fn(&mut CertificateParams),
        by_root: bool,
    ) -> Vec<u8> {
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if era == Era::Y2023_01 {
            p.extended_key_usages
                .insert(0, ExtendedKeyUsagePurpose::ServerAuth);
        } else {
            p.distinguished_name.push(DnType::OrganizationName, DOMAIN);
            p.distinguished_name.push(DnType::CommonName, DISPLAY_NAME);
        }
        p.serial_number = Some(SerialNumber::from(3));
        p.subject_alt_names = ids.sans();
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.use_authority_key_identifier_extension = true;
        p.not_before = date_time_ymd(from.0, from.1, from.2);
        p.not_after = date_time_ymd(until.0, until.1, until.2);
        p.custom_extensions
            .push(provisioner_of(6, era.provisioner()));
        tweak(&mut p);
        let (signer, params) = if by_root {
            (&self.root_key, &self.root_params)
        } else {
            (&self.intermediate_key, &self.intermediate_params)
        };
        let signer = CertKey::new(signer);
        let issuer = Issuer::from_params(params, &signer);
        p.signed_by(&CertKey::new(key), &issuer)
            .expect("fixed leaf parameters")
            .der()
            .to_vec()
    }

    /// The era's leaf issued by the root itself (a PKI without an
    /// intermediate).
    fn leaf_by_root(&self, era: Era, key: &SigningKey, ids: &Identities) -> Vec<u8> {
        let (y, m, d) = era.leaf_day();
        self.leaf_issued(era, key, ids, ((y, m, d), (y + 10, m, d)), &|_| {}, true)
    }
}

fn ca_params(cn: &str, serial: u64, path_len: u8) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::OrganizationName, "wire");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.serial_number = Some(SerialNumber::from(serial));
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2022, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p
}

/// The step-ca provisioner extension naming `name`, of `kind` (6: ACME,
/// 1: JWK).
fn provisioner_of(kind: u8, name: &str) -> CustomExtension {
    let name = name.as_bytes();
    let mut value = vec![0x02, 0x01, kind, 0x04, name.len() as u8];
    value.extend_from_slice(name);
    value.extend_from_slice(&[0x04, 0x00]);
    let mut der = vec![0x30, value.len() as u8];
    der.extend(value);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1], der)
}

/// Signatures already made, by signer and message. Every signature is
/// deterministic, so the faults of one enrolment share the ACME requests and
/// id tokens they have in common instead of signing them again (P-384 and
/// P-521 signing is slow in debug builds).
#[derive(Default)]
struct Signatures(Mutex<HashMap<Signed, Vec<u8>>>);

/// A signer's public key and a message it signed.
type Signed = (Vec<u8>, Vec<u8>);

impl Signatures {
    fn sign(&self, key: &SigningKey, message: &[u8]) -> Vec<u8> {
        let id = (key.public_raw(), message.to_vec());
        if let Some(known) = self.0.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return known;
        }
        let signature = key.sign(message);
        if let Ok(mut m) = self.0.lock() {
            m.insert(id, signature.clone());
        }
        signature
    }

    /// A compact JWS of `header` and `claims`, as [`SigningKey::compact`].
    fn compact(&self, key: &SigningKey, header: &Value, claims: &Value) -> String {
        self.compact_text(key, header, &claims.to_string())
    }

    /// A compact JWS of `header` and the claims exactly as `claims` spells them.
    fn compact_text(&self, key: &SigningKey, header: &Value, claims: &str) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.as_bytes())
        );
        format!("{input}.{}", b64(&self.sign(key, input.as_bytes())))
    }

    /// A flattened JSON JWS, as [`crate::enrolment::flattened`].
    fn flattened(&self, key: &SigningKey, header: &Value, payload: &[u8]) -> Value {
        let protected = b64(header.to_string().as_bytes());
        let payload = b64(payload);
        let signature = self.sign(key, format!("{protected}.{payload}").as_bytes());
        json!({"protected": protected, "payload": payload, "signature": b64(&signature)})
    }
}

/// How an enrolment gets its id token: the OAuth exchange, or (a renewal
/// after the first) the refresh token, which the capture does not show.
#[derive(Clone, Copy)]
enum Login {
    OAuth,
    Refresh,
}

/// The Markdown writer: numbered steps, and the ACME nonce each response
/// issues and the next request uses.
struct Md<'p> {
    era: Era,
    p: &'p Parts,
    signatures: &'p Signatures,
    out: String,
    step: u32,
    issued: u32,
    nonce: String,
    /// The nonce the previous request used (for [`Fault::NonceReused`]).
    last_used: String,
    /// The URL of the previous request (for [`Fault::AuthzNonceReused`]).
    last_url: String,
    /// Whether [`Fault::AuthzNonceReused`] has been seeded.
    reused: bool,
    /// Whether the next ACME response omits its `replay-nonce` header
    /// ([`Fault::NonceHeaderMissing`]).
    drop_nonce: bool,
}

impl<'p> Md<'p> {
    fn new(era: Era, p: &'p Parts, signatures: &'p Signatures) -> Self {
        Md {
            era,
            p,
            signatures,
            out: String::new(),
            step: 0,
            issued: 0,
            nonce: String::new(),
            last_used: String::new(),
            last_url: String::new(),
            reused: false,
            drop_nonce: false,
        }
    }

    fn finish(mut self) -> String {
        self.out.truncate(self.out.trim_end().len());
        self.out.push('\n');
        self.out
    }

    /// Blank lines between items: none in 2023 captures, one in the
    /// generator's layout.
    fn gap(&self) -> &'static str {
        if self.era == Era::Y2026_01 {
            "\n"
        } else {
            ""
        }
    }

    fn line(&mut self, text: &str) {
        let gap = self.gap();
        let _ = write!(self.out, "{text}\n{gap}");
    }

    fn group(&mut self, title: &str) {
        self.line(&format!("### {title}"));
    }

    fn step(&mut self, title: &str) {
        self.step += 1;
        let n = self.step;
        self.line(&format!("#### {n}. {title}"));
    }

    fn block(&mut self, lang: &str, body: &str) {
        let gap = self.gap();
        let _ = write!(self.out, "```{lang}\n{body}\n```\n{gap}");
    }

    fn json(&mut self, value: &Value) {
        self.block("json", &pretty(value));
    }

    /// A request line as the era printed it: 2023-01 adds an empty line,
    /// later captures the URL template.
    fn request(&mut self, method: &str, url: &str, template: Option<&str>, headers: &[&str]) {
        let mut text = format!("{method} {url}");
        match (self.era, template) {
            (Era::Y2023_01, _) if headers.is_empty() => text.push('\n'),
            (Era::Y2023_01, _) | (_, None) => {}
            (_, Some(t)) => {
                let indent = " ".repeat(method.len() + 1 + url.find("/acme").unwrap_or(0));
                let _ = write!(text, "\n{indent}{t}");
            }
        }
        for h in headers {
            let _ = write!(text, "\n{h}");
        }
        self.block("http request", &text);
    }

    /// A response; ACME responses issue the next nonce.
    fn response(&mut self, status: u16, headers: &[(&str, &str)], acme: bool) {
        let mut text = status.to_string();
        if acme {
            let _ = write!(text, "\ncache-control: no-store");
        }
        for (name, value) in headers {
            let _ = write!(text, "\n{name}: {value}");
        }
        if acme {
            let _ = write!(
                text,
                "\nlink: <{}/directory>;rel=\"index\"",
                self.era.acme()
            );
            self.issued += 1;
            let again = self.p.fault == Fault::NonceIssuedTwice
                && self
                    .last_url
                    .ends_with(&format!("/authz/{}", self.p.res.authz));
            if again {
                // The nonce the new-order answer issued, issued again.
                self.issued -= 1;
            }
            self.nonce = b64(format!(
                "{}-{}-acme-nonce-{}",
                self.era.name(),
                self.p.suite.name(),
                self.issued
            )
            .as_bytes());
            if !std::mem::take(&mut self.drop_nonce) {
                let _ = write!(text, "\nreplay-nonce: {}", self.nonce);
            }
        }
        if self.era == Era::Y2023_01 && !acme && headers.is_empty() {
            text.push('\n');
        }
        self.block("http request", &text);
    }

    /// An ACME POST to `url` with the current nonce (or `nonce`), signed by
    /// the account key (`jwk` on new-account, `kid` afterwards), and the
    /// era's decoded view of it. `payload` `None`: POST-as-GET (2023-01: also
    /// the empty challenge POST); `view`: the payload the view shows, when
    /// it is not the signed one.
    fn acme_post(
        &mut self,
        url: &str,
        payload: Option<&Value>,
        nonce: Option<&str>,
        view: Option<&Value>,
    ) {
        let template = format!("/acme/{{acme-provisioner}}{}", template_path(url));
        self.request(
            "POST",
            url,
            Some(&template),
            &["content-type: application/jose+json"],
        );
        let nonce = match nonce {
            Some(n) => n.to_owned(),
            None => self.next_nonce(url),
        };
        let mut header = json!({
            "alg": self.p.account.suite().alg().name(),
            "nonce": nonce,
            "typ": "JWT",
            "url": url,
        });
        if self.p.fault == Fault::JwsUrl {
            if let Some(order) = url.strip_suffix("/finalize") {
                header["url"] = json!(order);
            }
        }
        let finalize = url.ends_with("/finalize");
        if self.p.fault == Fault::NewOrderUrl && url.ends_with("/new-order") {
            header["url"] = json!(format!("{}/new-account", self.era.acme()));
        }
        let new_account = url.ends_with("/new-account") && self.p.fault != Fault::NewAccountKid;
        if new_account || (finalize && self.p.fault == Fault::JwkMidFlow) {
            header["jwk"] = self.p.account.public_jwk_json();
        } else if (finalize && self.p.fault == Fault::KidOtherAccount)
            || (url == self.p.flow.aud && self.p.fault == Fault::ChallengeKidOther)
        {
            header["kid"] = json!(format!("{}/account/Zm9yZWlnbkFjY291bnQ", self.era.acme()));
        } else {
            header["kid"] = json!(account_url(self.era));
        }
        self.last_used = nonce;
        let bytes = payload.map(Value::to_string).unwrap_or_default();
        let mut body = self
            .signatures
            .flattened(&self.p.account, &header, bytes.as_bytes());
        let new_order = url.ends_with("/new-order");
        let tampered = match self.p.fault {
            Fault::NewOrderSignature => new_order,
            Fault::ChallengeSignature => url == self.p.flow.aud,
            Fault::FinalizeSignature => finalize,
            _ => false,
        };
        if tampered {
            let signature = body["signature"].as_str().map(flip_b64);
            body["signature"] = json!(signature);
        }
        if self.p.fault == Fault::NewOrderPayload && new_order {
            let changed = view.map(Value::to_string).unwrap_or_default();
            body["payload"] = json!(b64(changed.as_bytes()));
        }
        let shown = view.or(payload);
        match (self.era, shown) {
            (Era::Y2023_01, Some(shown)) => {
                let decoded = json!({"protected": header, "payload": shown});
                let text = format!("{}\n...decoded...\n{}", pretty(&body), pretty(&decoded));
                self.block("json", &text);
            }
            (Era::Y2023_01, None) => self.json(&body),
            _ => {
                self.json(&body);
                self.json(
                    &json!({"payload": shown.cloned().unwrap_or(json!({})), "protected": header}),
                );
            }
        }
    }

    /// A compact JWS as the era prints it, with `claims_view` instead of its
    /// signed claims when given.
    fn token(
        &mut self,
        summary: &str,
        header: &Value,
        claims: &Value,
        jws: &str,
        view: Option<&Value>,
    ) {
        match self.era {
            Era::Y2023_01 => self.line(&format!("Token [here](https://jwt.io/#id_token={jws})")),
            Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 | Era::Y2024_03 => {
                let _ = write!(
                    self.out,
                    "\n\n<details>\n<summary><b>{summary}</b></summary>\n\n\
                     See it on [jwt.io](https://jwt.io/#id_token={jws})\n\nRaw:\n```text\n{}\n```\n\n\
                     Decoded:\n\n```json\n{}\n```\n\n```json\n{}\n```\n\n",
                    wrap64(jws),
                    pretty(header),
                    pretty(view.unwrap_or(claims)),
                );
                self.secret();
                self.out.push_str("</details>\n\n\n");
            }
            Era::Y2026_01 => {
                self.line("Raw:");
                self.block("text", &wrap64(jws));
                self.line("Decoded:");
                self.json(header);
                self.json(view.unwrap_or(claims));
                self.secret();
            }
        }
    }

    /// The status the `wire-dpop-01` challenge is answered with.
    fn dpop_status(&self) -> &'static str {
        if self.p.fault == Fault::ChallengeInvalid {
            "invalid"
        } else {
            "valid"
        }
    }

    /// The nonce the next ACME request uses: the one last used after the
    /// first authorization request under [`Fault::AuthzNonceReused`], else
    /// the one last issued.
    fn next_nonce(&mut self, url: &str) -> String {
        let reuse = self.p.fault == Fault::AuthzNonceReused && !self.reused;
        if reuse
            && self
                .last_url
                .ends_with(&format!("/authz/{}", self.p.res.authz))
        {
            self.reused = true;
            return self.last_used.clone();
        }
        self.last_url = url.to_owned();
        self.nonce.clone()
    }

    /// The first nonce the section's ACME server issued (the answer to the
    /// first new-nonce request).
    fn first_nonce(&self) -> String {
        b64(format!("{}-{}-acme-nonce-1", self.era.name(), self.p.suite.name()).as_bytes())
    }

    /// The private key a careless capture prints ([`Fault::PrintedKey`]),
    /// beside the proof.
    fn secret(&mut self) {
        if self.p.fault == Fault::PrintedKey && !self.out.contains("PRIVATE KEY") {
            self.line("Client private key:");
            self.block("text", &printed_key(self.p.suite));
        }
    }

    fn write_2023_01(&mut self) {
        let acme = self.era.acme();
        let p = self.p;
        let f = &p.flow;
        self.out.push_str("# Wire end to end identity example\n");
        self.out.push_str(suite_line(p.suite));
        self.out.push('\n');
        self.group("Initial setup with ACME server");
        self.step("fetch acme directory for hyperlinks");
        self.request("GET", &format!("{acme}/directory"), None, &[]);
        self.step("get the ACME directory with links for newNonce, newAccount & newOrder");
        self.response(200, &[("content-type", "application/json")], false);
        self.json(&json!({
            "newNonce": format!("{acme}/new-nonce"),
            "newAccount": format!("{acme}/new-account"),
            "newOrder": format!("{acme}/new-order"),
        }));
        self.step("fetch a new nonce for the very first request");
        self.request("HEAD", &format!("{acme}/new-nonce"), None, &[]);
        self.step("get a nonce for creating an account");
        self.response(200, &[], true);
        let nonce = json!(self.nonce);
        self.json(&nonce);
        self.account_steps();
        self.order_steps();
        self.group("Display-name and handle already authorized");
        self.step("fetch first challenge");
        self.acme_post(&format!("{acme}/authz/{AUTHZ}"), None, None, None);
        self.step("get back first challenge");
        self.authz_2023_01(AUTHZ, &f.chal, IDP_HOST);
        self.group("ACME provides a Wire client ID challenge");
        self.step("fetch second challenge");
        self.acme_post(&format!("{acme}/authz/{AUTHZ_2}"), None, None, None);
        self.step("get back second challenge");
        self.authz_2023_01(AUTHZ_2, "UWRaVu8KOQk576WzPmhDCnV83tKU8RVY", DOMAIN);
        self.wire_server();
        self.group("Client provides access token");
        self.step("send DPoP access token to acme server to have it validated");
        self.acme_post(&f.aud, None, None, None);
        self.step("acme server verifies client-id with an http challenge");
        let known = format!("http://wire.com/.well-known/acme-challenge/{}", f.chal);
        self.request("GET", &known, None, &[]);
        self.out.push('\n');
        self.step("acme server verifies handle + display-name with an OIDC challenge");
        let known = "http://wire.com/.well-known/acme-challenge/UWRaVu8KOQk576WzPmhDCnV83tKU8RVY";
        self.request("GET", known, None, &[]);
        self.out.push('\n');
        self.step("both challenges are valid");
        self.response(
            200,
            &[("content-type", "application/json"), ("location", &f.aud)],
            true,
        );
        let token = p.views.valid_chal.as_deref().unwrap_or(&f.chal);
        let status = self.dpop_status();
        self.json(&json!({"type": "http-01", "url": f.aud, "status": status, "token": token}));
        self.certificate_steps();
    }

    /// An authorization of 2023-01: three challenges sharing one token.
    fn authz_2023_01(&mut self, authz: &str, token: &str, host: &str) {
        let acme = self.era.acme();
        let location = format!("{acme}/authz/{authz}");
        self.response(
            200,
            &[
                ("content-type", "application/json"),
                ("location", &location),
            ],
            true,
        );
        let challenge = |kind: &str, id: &str| json!({"type": kind, "url": format!("{acme}/challenge/{authz}/{id}"), "status": "pending", "token": token});
        let http = if authz == AUTHZ {
            DPOP_CHALLENGE
        } else {
            "NY9jkK7JLKrkoUk2AhNeYfsKjeTT579S"
        };
        self.json(&json!({
            "status": "pending",
            "challenges": [
                challenge("dns-01", "sidG82hIE1C6UvwXFgE5twz8Z4hqnubL"),
                challenge("http-01", http),
                challenge("tls-alpn-01", "aN41wnVsobsB2fs9eQ77KJd7VRewpk0X"),
            ],
            "identifier": {"type": "dns", "value": host},
        }));
    }

    fn account_steps(&mut self) {
        let acme = self.era.acme();
        self.step("create a new account");
        let payload = json!({"termsOfServiceAgreed": true, "contact": ["anonymous@anonymous.invalid"], "onlyReturnExisting": false});
        self.acme_post(&format!("{acme}/new-account"), Some(&payload), None, None);
        self.step("account created");
        let account = account_url(self.era);
        self.drop_nonce = self.p.fault == Fault::NonceHeaderMissing;
        self.response(
            201,
            &[("content-type", "application/json"), ("location", &account)],
            true,
        );
        self.json(&json!({"status": "valid", "orders": format!("{account}/orders")}));
    }

    fn order_steps(&mut self) {
        let acme = self.era.acme();
        self.group("Request a certificate with relevant identifiers");
        self.step("create a new order");
        let order = new_order_payload(self.era, &self.p.ids);
        let view = matches!(self.p.fault, Fault::OrderView | Fault::NewOrderPayload)
            .then(|| new_order_payload(self.era, &self.p.ids.other_device()));
        self.acme_post(
            &format!("{acme}/new-order"),
            Some(&order),
            None,
            view.as_ref(),
        );
        self.step("get new order with authorization URLS and finalize URL");
        let order_url = order_url(self.era, &self.p.res);
        let answered = match self.p.fault {
            Fault::OrderAnswerIds => new_order_payload(self.era, &self.p.ids.other_device()),
            _ => order.clone(),
        };
        self.response(
            201,
            &[
                ("content-type", "application/json"),
                ("location", &order_url),
            ],
            true,
        );
        let authorizations = if matches!(self.era, Era::Y2023_01 | Era::Y2024_03) {
            json!([
                format!("{acme}/authz/{}", self.p.res.authz),
                format!("{acme}/authz/{}", self.p.res.authz_2)
            ])
        } else {
            json!([format!("{acme}/authz/{}", self.p.res.authz)])
        };
        self.json(&json!({
            "status": "pending", "finalize": format!("{order_url}/finalize"),
            "identifiers": answered["identifiers"], "authorizations": authorizations,
        }));
    }

    /// The wire-server nonce, the proof, the access token.
    fn wire_server(&mut self) {
        let p = self.p;
        let f = &p.flow;
        self.group("Client fetches JWT DPoP access token (with wire-server)");
        self.step("fetch a nonce from wire-server");
        let nonce_url = format!("{}/clients/token/nonce", self.era.wire());
        self.request("GET", &nonce_url, None, &[]);
        self.step("get wire-server nonce");
        self.response(200, &[], false);
        let issued = p.views.wire_nonce.as_deref().unwrap_or(&f.nonce);
        match self.era {
            Era::Y2023_01 => self.json(&json!(issued)),
            _ => self.block("text", issued),
        }
        let view = (p.fault == Fault::ProofView).then(|| {
            let mut shown = f.proof_claims.clone();
            let device = DEVICE_URL[era_index(self.era)];
            shown["htu"] = json!(f.htu.replace(device, OTHER_DEVICE));
            shown
        });
        // The header the proof was signed with (another suite's key under
        // [`Fault::ProofOtherSuite`]).
        let header = f
            .dpop
            .split('.')
            .next()
            .and_then(e2ei_verify::jose::b64_decode)
            .and_then(|h| serde_json::from_slice(&h).ok())
            .unwrap_or_else(|| f.proof_header());
        let sent = p.views.header_proof.as_deref().unwrap_or(&f.dpop);
        let dpop_header = format!("dpop: {}", STANDARD.encode(sent));
        match self.era {
            Era::Y2023_01 => {
                self.step("create the client Dpop token with both nonces");
                self.token("Dpop token", &header, &f.proof_claims, &f.dpop, None);
                self.secret();
                self.request("POST", &f.htu, None, &[]);
                self.step("get a Dpop access token from wire-server");
                self.response(200, &[], false);
            }
            _ => {
                self.step("create client DPoP token");
                self.token(
                    "Dpop token",
                    &header,
                    &f.proof_claims,
                    &f.dpop,
                    view.as_ref(),
                );
                self.step("trade client DPoP token for an access token");
                let template = "/clients/{device-id}/access-token";
                let indent = " ".repeat(5 + f.htu.find("/clients").unwrap_or(0));
                let text = format!("POST {}\n{indent}{template}\n{dpop_header}", f.htu);
                self.block("http request", &text);
                self.step("get a Dpop access token from wire-server");
                self.response(200, &[], false);
                self.json(&json!({"expires_in": 3960, "token": f.access_token, "type": "DPoP"}));
            }
        }
        let view = (p.fault == Fault::TokenView).then(|| {
            let mut shown = f.token_claims.clone();
            let hash = f.suite.alg().suite_hash();
            shown["cnf"] = json!({"kid": f.issuer.jwk().thumbprint(hash)});
            shown
        });
        // The header the token was signed with (`typ` other than `at+jwt`
        // under [`Fault::TokenTyp`]).
        let header = f
            .access_token
            .split('.')
            .next()
            .and_then(e2ei_verify::jose::b64_decode)
            .and_then(|h| serde_json::from_slice(&h).ok())
            .unwrap_or_else(|| f.token_header());
        self.token(
            "Access token",
            &header,
            &f.token_claims,
            &f.access_token,
            view.as_ref(),
        );
    }

    fn write_oidc_era(&mut self) {
        self.out.push_str("# Wire end to end identity example\n");
        self.out.push_str(self.gap());
        self.line(suite_line(self.p.suite));
        self.enrolment(Login::OAuth);
    }

    /// One enrolment, from the directory fetch to the chain, its id token
    /// got by `login`.
    fn enrolment(&mut self, login: Login) {
        let acme = self.era.acme();
        let p = self.p;
        let f = &p.flow;
        self.group("Initial setup with ACME server");
        self.step("fetch acme directory for hyperlinks");
        self.request(
            "GET",
            &format!("{acme}/directory"),
            Some("/acme/{acme-provisioner}/directory"),
            &[],
        );
        self.step("get the ACME directory with links for newNonce, newAccount & newOrder");
        self.response(200, &[("content-type", "application/json")], false);
        self.json(&json!({
            "newNonce": format!("{acme}/new-nonce"),
            "newAccount": format!("{acme}/new-account"),
            "newOrder": format!("{acme}/new-order"),
            "revokeCert": format!("{acme}/revoke-cert"),
        }));
        self.step("fetch a new nonce for the very first request");
        self.request(
            "HEAD",
            &format!("{acme}/new-nonce"),
            Some("/acme/{acme-provisioner}/new-nonce"),
            &[],
        );
        self.step("get a nonce for creating an account");
        self.response(200, &[], true);
        let nonce = self.nonce.clone();
        self.block("text", &nonce);
        self.account_steps();
        self.order_steps();
        self.authorizations();
        self.wire_server();
        self.group("Client provides access token");
        self.step("validate Dpop challenge (clientId)");
        let token = p.delivered.as_deref().unwrap_or(&f.access_token);
        self.acme_post(&f.aud, Some(&json!({ "access_token": token })), None, None);
        self.step("DPoP challenge is valid");
        self.response(
            200,
            &[("content-type", "application/json"), ("location", &f.aud)],
            true,
        );
        let token = p.views.valid_chal.as_deref().unwrap_or(&f.chal);
        let status = self.dpop_status();
        let valid = self.challenge("wire-dpop-01", &f.aud, status, token, &p.target);
        self.json(&valid);
        match login {
            Login::OAuth => self.oauth(),
            Login::Refresh => self.group("Use refreshToken to retrieve idToken"),
        }
        self.oidc_challenge();
        self.certificate_steps();
    }

    /// The authorizations and their challenges: one offering both until
    /// 2024, then the device's (`wire-dpop-01`) and the user's
    /// (`wire-oidc-01`), the second requested under the first's heading.
    fn authorizations(&mut self) {
        let acme = self.era.acme();
        let p = self.p;
        let f = &p.flow;
        let url = oidc_challenge_url(self.era, &p.res);
        let token = oidc_token(self.era, f, &p.res);
        let oidc = self.challenge("wire-oidc-01", &url, "pending", token, &p.oidc.idp);
        let dpop = self.challenge("wire-dpop-01", &f.aud, "pending", &f.chal, &p.target);
        let identifiers = new_order_payload(self.era, &p.ids)["identifiers"].clone();
        let of_kind = |kinds: &[&str]| {
            identifiers
                .as_array()
                .and_then(|ids| {
                    ids.iter()
                        .find(|i| kinds.contains(&i["type"].as_str().unwrap_or_default()))
                })
                .cloned()
                .unwrap_or_default()
        };
        let device = of_kind(&["wireapp-device", "wireapp-id"]);
        self.group("Display-name and handle already authorized");
        self.step("create authorization and fetch challenges");
        let (authz, authz_2) = (&p.res.authz, &p.res.authz_2);
        self.acme_post(&format!("{acme}/authz/{authz}"), None, None, None);
        self.step("get back challenges");
        if self.era != Era::Y2024_03 {
            self.challenges(authz, json!([oidc, dpop]), device);
            return;
        }
        self.challenges(authz, json!([dpop]), device);
        self.acme_post(&format!("{acme}/authz/{authz_2}"), None, None, None);
        self.step("get back challenges");
        self.challenges(authz_2, json!([oidc]), of_kind(&["wireapp-user"]));
    }

    /// A challenge object; its `target` only in eras that name one.
    fn challenge(&self, kind: &str, url: &str, status: &str, token: &str, target: &str) -> Value {
        let mut c = json!({"type": kind, "url": url, "status": status, "token": token});
        if self.era.shows_target() {
            c["target"] = json!(target);
        }
        c
    }

    /// An authorization's answer: its challenges for `identifier`.
    fn challenges(&mut self, authz: &str, challenges: Value, identifier: Value) {
        let location = format!("{}/authz/{authz}", self.era.acme());
        self.response(
            200,
            &[
                ("content-type", "application/json"),
                ("location", &location),
            ],
            true,
        );
        self.json(
            &json!({"status": "pending", "challenges": challenges, "identifier": identifier}),
        );
    }

    /// The OAuth authorization-code exchange with PKCE.
    fn oauth(&mut self) {
        if matches!(self.era, Era::Y2023_03 | Era::Y2023_04) {
            return self.oauth_2023_03();
        }
        let o = &self.p.oidc;
        let redirect = "http%3A%2F%2Fwire.com%3A19814%2Fcallback";
        self.group("Authenticate end user using OIDC Authorization Code with PKCE flow");
        self.step("OAUTH authorization request");
        self.block(
            "text",
            &format!(
                "code_verifier={}&code_challenge={}",
                o.verifier, o.challenge
            ),
        );
        self.step("OAUTH authorization request (auth code endpoint)");
        let auth = format!(
            "{}/auth?response_type=code&client_id=wireapp&state=j6NYppHtn7eBJd1JM7CIrA{}",
            o.idp,
            self.auth_query(redirect)
        );
        self.request("GET", &auth, None, &[]);
        self.step("OAUTH authorization code");
        self.step("OAUTH authorization code + verifier (token endpoint)");
        self.token_request(o, "s43qgxcl7jqkhwhhwdpm3smhl", redirect);
        self.step("OAUTH access token");
        let body =
            json!({"expires_in": 86399, "id_token": o.returned_id_token, "token_type": "bearer"});
        self.block("text", &pretty(&body));
    }

    /// The authorization request's query after its `state`: the PKCE
    /// challenge (`plain` under [`Fault::PkcePlain`]), the redirect, the
    /// scope and the nonce (none under [`Fault::AuthNoNonce`]).
    fn auth_query(&self, redirect: &str) -> String {
        let o = &self.p.oidc;
        let method = if self.p.fault == Fault::PkcePlain {
            "plain"
        } else {
            "S256"
        };
        let mut query = format!(
            "&code_challenge={}&code_challenge_method={method}&redirect_uri={redirect}\
             &scope=openid+profile",
            o.challenge
        );
        if self.p.fault != Fault::AuthNoNonce {
            let _ = write!(query, "&nonce={}", o.nonce);
        }
        query
    }

    /// The authorization code and PKCE verifier sent to the IdP's token
    /// endpoint, as a form body.
    fn token_request(&mut self, o: &Oidc, code: &str, redirect: &str) {
        self.request(
            "POST",
            &format!("{}/token", o.idp),
            None,
            &[
                "accept: application/json",
                "content-type: application/x-www-form-urlencoded",
            ],
        );
        let form = format!(
            "grant_type=authorization_code&code={code}&code_verifier={}&redirect_uri={redirect}",
            o.sent_verifier
        );
        self.block("text", &form);
    }

    /// The same exchange as March 2023 printed it: wire-server's login page
    /// runs it ("implicit flow" headings, the verifier shown again where dex
    /// checks it, the id token handed back on its own).
    fn oauth_2023_03(&mut self) {
        let o = &self.p.oidc;
        let wire = self.era.wire();
        let redirect = "http%3A%2F%2Fwire.com%3A20327%2Fcallback";
        let codes = format!(
            "code_verifier={}&code_challenge={}",
            o.verifier, o.challenge
        );
        self.group(if self.era == Era::Y2023_04 {
            "Authenticate end user using OIDC Authorization Code with PKCE flow"
        } else {
            "Authenticate end user using Open ID Connect implicit flow"
        });
        self.step("Client clicks login button");
        let host = format!("host: {}", wire.trim_start_matches("http://"));
        self.request(
            "GET",
            "http://wire.com/login",
            None,
            &["accept: */*", &host],
        );
        self.step("Resource server generates Verifier & Challenge Codes");
        self.block("text", &codes);
        self.step("Resource server calls authorize url");
        let auth = format!(
            "{}/auth?response_type=code&client_id=wireapp&state=Dw_zkp_dmCH-sM3-ElahCQ{}",
            o.idp,
            self.auth_query(redirect)
        );
        self.request("GET", &auth, None, &[]);
        self.step("Resource server call /oauth/token to get Id token");
        self.token_request(o, "ssakpqukx2hlyddtc2i4cbhlg", redirect);
        self.step("Authorization server validates Verifier & Challenge Codes");
        self.block("text", &codes);
        self.step("Authorization server returns Access & Id token");
        let body =
            json!({"token_type": "bearer", "expires_in": 86399, "id_token": o.returned_id_token});
        self.block("text", &pretty(&body));
        self.step("Resource server returns Id token to client");
        self.block("text", &o.returned_id_token);
    }

    /// The id token posted to `wire-oidc-01` with a `keyauth` member.
    fn oidc_challenge(&mut self) {
        let p = self.p;
        let o = &p.oidc;
        let url = oidc_challenge_url(self.era, &p.res);
        self.step("validate oidc challenge (userId + displayName)");
        let mut parts = o.id_token.split('.').map(|s| {
            e2ei_verify::jose::b64_decode(s)
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .unwrap_or_default()
        });
        let (header, claims) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        self.token("Id token", &header, &claims, &o.id_token, None);
        let mut payload = json!({ "id_token": o.id_token });
        if self.era.posts_keyauth() {
            payload["keyauth"] = json!(o.posted_keyauth);
        }
        self.acme_post(&url, Some(&payload), None, None);
        self.step("OIDC challenge is valid");
        self.response(
            200,
            &[("content-type", "application/json"), ("location", &url)],
            true,
        );
        let token = oidc_token(self.era, &p.flow, &p.res);
        let valid = self.challenge("wire-oidc-01", &url, "valid", token, &o.idp);
        self.json(&valid);
    }

    /// Order status, finalize with the CSR, then the chain.
    fn certificate_steps(&mut self) {
        let acme = self.era.acme();
        let p = self.p;
        let order = order_url(self.era, &p.res);
        self.group("Client presents a CSR and gets its certificate");
        self.step("verify the status of the order");
        self.acme_post(&order, None, None, None);
        self.step("loop (with exponential backoff) until order is ready");
        self.response(
            200,
            &[("content-type", "application/json"), ("location", &order)],
            true,
        );
        let identifiers = new_order_payload(self.era, &p.ids)["identifiers"].clone();
        let status = if p.fault == Fault::OrderInvalid {
            "invalid"
        } else {
            "ready"
        };
        self.json(&json!({"status": status, "finalize": format!("{order}/finalize"), "identifiers": identifiers}));
        self.step("create a CSR and call finalize url");
        let nonce = match p.fault {
            Fault::NonceUnissued => Some(b64(b"never-issued-by-acme")),
            Fault::NonceReused => Some(self.last_used.clone()),
            Fault::NonceFirstIssued => Some(self.first_nonce()),
            _ => None,
        };
        let payload = json!({ "csr": b64(&p.csr) });
        self.acme_post(
            &format!("{order}/finalize"),
            Some(&payload),
            nonce.as_deref(),
            None,
        );
        if self.era.details() {
            let shown = p.views.csr.as_deref().unwrap_or(&p.csr);
            let _ = write!(
                self.out,
                "###### CSR: \nopenssl -verify ✅\n```\n{}\n\n```\n",
                pem("CERTIFICATE REQUEST", shown)
            );
            if self.era.has_text_views() {
                self.block("", &csr_text(&p.views.csr_text));
            }
        }
        self.step("get back a url for fetching the certificate");
        let certificate = format!("{acme}/certificate/{}", p.res.certificate);
        self.response(
            200,
            &[("content-type", "application/json"), ("location", &order)],
            true,
        );
        self.json(&json!({"certificate": certificate, "status": "valid"}));
        self.step("fetch the certificate");
        self.acme_post(&certificate, None, None, None);
        self.step("get the certificate chain");
        self.response(
            200,
            &[("content-type", "application/pem-certificate-chain")],
            true,
        );
        let pems: Vec<String> = p.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
        match self.era {
            Era::Y2023_01 => {
                let bodies: Vec<String> = p.chain.iter().map(|c| wrap64_std(c)).collect();
                self.json(&json!(bodies));
            }
            _ => {
                self.json(&json!(format!("{}\n", pems.join("\n"))));
                let mut printed = pems;
                if let Some(leaf) = &p.views.leaf {
                    printed[0] = pem("CERTIFICATE", leaf);
                }
                // 2024 captures print the root beside the chain.
                if self.era == Era::Y2024_03 {
                    printed.push(pem("CERTIFICATE", &p.root));
                }
                for (i, pem) in printed.iter().enumerate() {
                    let _ = writeln!(self.out, "###### Certificate #{}", i + 1);
                    if self.era.details() {
                        self.out.push_str("openssl -verify ✅\n");
                    } else {
                        self.out.push('\n');
                    }
                    self.block("", pem);
                    if self.era.has_text_views() {
                        let text = cert_text(i, &p.views.leaf_text);
                        self.block("", &text);
                    }
                }
            }
        }
    }
}

/// openssl's text of the CSR, as 2023-03 printed it after the PEM block: the
/// subject and the URIs it asks for.
fn csr_text(ids: &Identities) -> String {
    format!(
        "Certificate Request:\n    Data:\n        Version: 1 (0x0)\n        \
         Subject: 2.16.840.1.113730.3.1.241 = {DISPLAY_NAME}, O = {DOMAIN}\n        \
         Attributes:\n            Requested Extensions:\n                \
         X509v3 Subject Alternative Name: \n                    {}\n",
        san_text(ids)
    )
}

/// openssl's text of certificate `index` of the chain (0: the leaf, naming
/// `ids`; 1: the intermediate), as 2023-03 printed it after each PEM block.
fn cert_text(index: usize, ids: &Identities) -> String {
    let (issuer, subject, sans) = match index {
        0 => (
            "O = wire, CN = wire Intermediate CA".to_owned(),
            format!("O = {DOMAIN}, CN = {DISPLAY_NAME}"),
            format!(
                "            X509v3 Subject Alternative Name: \n                {}\n",
                san_text(ids)
            ),
        ),
        _ => (
            "O = wire, CN = wire Root CA".to_owned(),
            "O = wire, CN = wire Intermediate CA".to_owned(),
            String::new(),
        ),
    };
    format!(
        "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Issuer: {issuer}\n        \
         Subject: {subject}\n        X509v3 extensions:\n{sans}"
    )
}

/// The SANs as openssl lists them: `URI:a, URI:b`.
fn san_text(ids: &Identities) -> String {
    let kind = if ids.dns { "DNS" } else { "URI" };
    let names: Vec<String> = ids.names.iter().map(|n| format!("{kind}:{n}")).collect();
    names.join(", ")
}

/// The new-order payload of the era.
fn new_order_payload(era: Era, ids: &Identities) -> Value {
    let identifiers: Vec<Value> = match era {
        Era::Y2023_01 => ids
            .names
            .iter()
            .map(|n| json!({"type": "dns", "value": n}))
            .collect(),
        Era::Y2023_03 | Era::Y2023_04 | Era::Y2023_06 | Era::Y2023_11 => {
            let value = json!({
                "name": DISPLAY_NAME, "domain": DOMAIN,
                "client-id": ids.names.first(), "handle": ids.names.get(1),
            });
            vec![json!({"type": "wireapp-id", "value": value.to_string()})]
        }
        Era::Y2024_03 | Era::Y2026_01 => {
            let client_id = ids.names.first().map(|c| c.replace("%21", "!"));
            let mut device = json!({
                "client-id": client_id, "handle": ids.handle,
                "name": DISPLAY_NAME, "domain": DOMAIN,
            });
            let user_handle = ids.user_handle.as_ref().unwrap_or(&ids.handle);
            let mut user = json!({"handle": user_handle, "name": DISPLAY_NAME, "domain": DOMAIN});
            if let Some(team) = &ids.team {
                device["team"] = json!(team);
                user["team"] = json!(team);
            }
            let user = json!({"type": "wireapp-user", "value": user.to_string()});
            let device = json!({"type": "wireapp-device", "value": device.to_string()});
            // 2024 lists the device first, the generator the user.
            if era == Era::Y2024_03 {
                vec![device, user]
            } else {
                vec![user, device]
            }
        }
    };
    json!({ "identifiers": identifiers })
}

/// The CSR of the era: 2023-01 asks for DNS names with an empty subject;
/// later eras for URIs with `O` = domain and the display name.
fn csr_of(era: Era, key: &SigningKey, ids: &Identities) -> Vec<u8> {
    if era == Era::Y2023_01 {
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.subject_alt_names = ids.sans();
        return p
            .serialize_request(&CertKey::new(key))
            .map(|r| r.der().to_vec())
            .unwrap_or_default();
    }
    crate::pki::csr(key, &ids.names, DOMAIN, DISPLAY_NAME)
}

fn account_url(era: Era) -> String {
    format!("{}/account/b5PzmLZBD4EyIs0Gvz2taERCNbHGhYJp", era.acme())
}

fn order_url(era: Era, res: &Resources) -> String {
    format!("{}/order/{}", era.acme(), res.order)
}

/// The `{template}` path the 2023-11 and 2026 captures print under a URL.
fn template_path(url: &str) -> String {
    let path = url.split("/acme/").nth(1).unwrap_or_default();
    let mut segments = path.split('/').skip(1);
    match segments.next() {
        Some("authz") => "/authz/{authz-id}".into(),
        Some("challenge") => "/challenge/{authz-id}/{challenge-id}".into(),
        Some("order") if url.ends_with("/finalize") => "/order/{order-id}/finalize".into(),
        Some("order") => "/order/{order-id}".into(),
        Some("certificate") => "/certificate/{certificate-id}".into(),
        Some(other) => format!("/{other}"),
        None => String::new(),
    }
}

fn suite_line(suite: Suite) -> &'static str {
    match suite {
        Suite::Ed25519 => "Ed25519 - SHA256",
        Suite::P256 => "P256 - SHA256",
        Suite::P384 => "P384 - SHA384",
        Suite::P521 => "P521 - SHA512",
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A token wrapped at 64 columns, as `Raw:` blocks print it.
fn wrap64(text: &str) -> String {
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    lines.join("\n")
}

/// Base64 DER wrapped at 64 columns: a PEM body without its armour, as the
/// 2023-01 chain array holds each certificate.
fn wrap64_std(der: &[u8]) -> String {
    wrap64(&STANDARD.encode(der))
}

/// An Ed25519 PKCS#8 private key (RFC 8410) of nobody, printed as a careless
/// capture tool would.
fn printed_key(suite: Suite) -> String {
    let seed = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("eras/{}/printed", suite.name()).as_bytes(),
    );
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed.as_ref());
    pem("PRIVATE KEY", &der)
}
