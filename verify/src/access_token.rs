//! Wire access tokens (`at+jwt`, RFC 9068) and their DPoP binding.
//!
//! wire-server trades a client's DPoP proof for an access token that embeds the
//! proof (`proof`), repeats its `nonce` and `chal`, and binds the client's key in
//! `cnf`. The ACME server trusts the token because it is signed by a wire-server
//! key it has pinned, and trusts the *client* only because `cnf` names the
//! proof's key. Until mid-2023 `cnf.kid` named the issuer's own key instead,
//! which binds the token to nobody; [`Error::Cnf`] explains such cases.

use crate::claims::{self, typ_is};
use crate::dpop::{self, Kept, VerifiedProof};
use crate::identity::ClientId;
use crate::jose::{
    as_text, header_algorithm, json_text, parse_text, Algorithm, Claims, Compact, HashAlg,
    JoseError, Json, Jwk, Limits, Members, PublicKey, SignatureMemo,
};
use crate::report::{concat, quoted, AcmeProblem, FailFast, Failure, Report, Sink};
use crate::time::{TimePolicy, Times, UnixTime};
use crate::url;
use thiserror::Error;

/// Which keys may sign access tokens.
#[derive(Clone, Debug)]
pub enum IssuerTrust {
    /// Only these wire-server keys. The header `jwk`, if any, must be one of them.
    Pinned(Vec<PublicKey>),
    /// Opt-in: trust the key the token carries in its header. Always reported
    /// as a warning: anyone can sign a token with a key of their own.
    Embedded,
}

/// What the verifier knows and expects of an access token.
#[derive(Clone, Debug)]
pub struct Expectations {
    /// The issuer keys.
    pub issuer: IssuerTrust,
    /// The expected `iss` (the wire-server access-token URL).
    pub iss: Option<String>,
    /// The expected `aud`.
    pub aud: Option<String>,
    /// The client the token must be for.
    pub client_id: Option<ClientId>,
    /// The ACME challenge token.
    pub chal: Option<String>,
    /// The nonce wire-server issued to the client.
    pub nonce: Option<String>,
    /// A scope the token must grant.
    pub scope: String,
    /// The lowest acceptable `api_version`.
    pub min_api_version: u64,
    /// Expectations for the embedded proof beyond those derived from the token
    /// (`htm` POST, `htu` = `iss`, `chal`, `nonce`, client id); e.g. `aud`,
    /// `handle`, `team`, `name`.
    pub proof: dpop::Expectations,
    /// Algorithms accepted for the token's own signature.
    pub algorithms: Vec<Algorithm>,
    /// Time tolerances of the token.
    pub time: TimePolicy,
    /// Size limits.
    pub limits: Limits,
}

impl Expectations {
    /// Defaults for the given trust: scope `wire_client_id`, any api version,
    /// every Wire algorithm, [`TimePolicy::TOKEN`].
    pub fn new(issuer: IssuerTrust) -> Self {
        Expectations {
            issuer,
            iss: None,
            aud: None,
            client_id: None,
            chal: None,
            nonce: None,
            scope: "wire_client_id".into(),
            min_api_version: 1,
            proof: dpop::Expectations::default(),
            algorithms: Algorithm::ALL.to_vec(),
            time: TimePolicy::TOKEN,
            limits: Limits::default(),
        }
    }
}

/// An access token whose every requested check passed.
#[derive(Clone, Debug)]
pub struct VerifiedAccessToken {
    /// The token's signing algorithm.
    pub alg: Algorithm,
    /// The key that verified the signature.
    pub issuer_key: PublicKey,
    /// The claims.
    pub claims: Claims,
    /// `iat`, `exp`, `nbf`, when acceptable.
    pub times: Option<Times>,
    /// The client the token is for.
    pub client_id: Option<ClientId>,
    /// The embedded proof.
    pub proof: Option<VerifiedProof>,
}

/// Why an access token was rejected. Each variant is one catalogue check.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// `access_token.format`: not a well-formed compact JWS with JSON claims.
    #[error("the access token is not a well-formed JWS: {0}")]
    Format(JoseError),
    /// `access_token.typ`: the header `typ` is not `at+jwt`.
    #[error("typ is {}, not \"at+jwt\"", crate::claims::shown(.found))]
    Typ {
        /// The `typ` found.
        found: Option<String>,
    },
    /// `access_token.signature`: algorithm not accepted, or signature invalid.
    #[error("{0}")]
    Signature(JoseError),
    /// `access_token.issuer_key`: the signing key is not a pinned key.
    #[error("{0}")]
    IssuerKey(String),
    /// `access_token.time`: `iat`, `nbf` or `exp` unacceptable.
    #[error("{0}")]
    Time(String),
    /// `access_token.iss`: missing, or not the expected issuer.
    #[error("iss is {}, expected {expected:?}", crate::claims::shown(.found))]
    Iss {
        /// The expected issuer.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `access_token.aud`: not the expected audience.
    #[error("aud is {}, expected {expected:?}", crate::claims::shown(.found))]
    Aud {
        /// The expected audience.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `access_token.sub`: `sub`, `client_id`, the proof's `sub` and the
    /// expected client do not all name one client.
    #[error("{reason}")]
    Sub {
        /// The expected client id.
        expected: Option<String>,
        /// The `sub` claim.
        found: Option<String>,
        /// What disagrees.
        reason: String,
    },
    /// `access_token.proof`: the embedded DPoP proof fails.
    #[error("embedded proof: {0}")]
    Proof(String),
    /// `access_token.cnf`: the token is not bound to the proof's key.
    #[error("{reason}")]
    Cnf {
        /// The thumbprint of the proof key with the suite's hash.
        expected: Option<String>,
        /// The `cnf` member found.
        found: Option<String>,
        /// What the value is, if we can tell.
        reason: String,
    },
    /// `access_token.chal`: not the proof's or the expected challenge.
    #[error("{reason}")]
    Chal {
        /// The challenge expected.
        expected: Option<String>,
        /// The claim.
        found: Option<String>,
        /// What disagrees.
        reason: String,
    },
    /// `access_token.nonce`: not the proof's or the expected nonce.
    #[error("{reason}")]
    Nonce {
        /// The nonce expected.
        expected: Option<String>,
        /// The claim.
        found: Option<String>,
        /// What disagrees.
        reason: String,
    },
    /// `access_token.scope`: the scope is missing the required one.
    #[error("scope {} does not grant {expected:?}", crate::claims::shown(.found))]
    Scope {
        /// The required scope.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `access_token.api_version`: missing or too old.
    #[error("{0}")]
    ApiVersion(String),
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::Format(_) => "access_token.format",
            Error::Typ { .. } => "access_token.typ",
            Error::Signature(_) => "access_token.signature",
            Error::IssuerKey(_) => "access_token.issuer_key",
            Error::Time(_) => "access_token.time",
            Error::Iss { .. } => "access_token.iss",
            Error::Aud { .. } => "access_token.aud",
            Error::Sub { .. } => "access_token.sub",
            Error::Proof(_) => "access_token.proof",
            Error::Cnf { .. } => "access_token.cnf",
            Error::Chal { .. } => "access_token.chal",
            Error::Nonce { .. } => "access_token.nonce",
            Error::Scope { .. } => "access_token.scope",
            Error::ApiVersion(_) => "access_token.api_version",
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::Format(_) | Error::Typ { .. } => AcmeProblem::Malformed,
            Error::Nonce { .. } => AcmeProblem::BadNonce,
            Error::Sub { .. } => AcmeProblem::RejectedIdentifier,
            _ => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::Typ { .. } => Some("at+jwt".into()),
            Error::Iss { expected, .. }
            | Error::Aud { expected, .. }
            | Error::Scope { expected, .. } => Some(expected.clone()),
            Error::Sub { expected, .. }
            | Error::Cnf { expected, .. }
            | Error::Chal { expected, .. }
            | Error::Nonce { expected, .. } => expected.clone(),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Typ { found }
            | Error::Iss { found, .. }
            | Error::Aud { found, .. }
            | Error::Scope { found, .. }
            | Error::Sub { found, .. }
            | Error::Cnf { found, .. }
            | Error::Chal { found, .. }
            | Error::Nonce { found, .. } => found.clone(),
            _ => None,
        }
    }
}

/// An audit of an access token: every check, and the embedded proof's own.
#[derive(Clone, Debug)]
pub struct Audit {
    /// The token, when its structure, key and signature were sound.
    pub token: Option<VerifiedAccessToken>,
    /// Every check of the token.
    pub report: Report,
    /// Every check of the embedded proof, when there was one to check (its
    /// failures only, when [`audit_memo_keeping`] was asked for those).
    pub proof_report: Option<Report>,
}

/// Verifies an access token, stopping at the first failed check.
pub fn verify(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
) -> Result<VerifiedAccessToken, Error> {
    verify_request(token, expect, &expect.request(), now)
}

/// [`verify`] with the per-request expectations given apart from `expect`,
/// whose other members are shared (the challenge validator's configuration,
/// used without a copy per request).
pub(crate) fn verify_request(
    token: &str,
    expect: &Expectations,
    req: &Request<'_>,
    now: UnixTime,
) -> Result<VerifiedAccessToken, Error> {
    let run = Run {
        expect,
        req: *req,
        now,
    };
    run.run(token, &mut FailFast, &mut |proof, e| {
        let checked = dpop::run(proof, e, now, None, None, &mut FailFast);
        match checked {
            Ok(p) => (Some(p), Ok(())),
            Err(e) => (None, Err(Error::Proof(e.to_string()))),
        }
    })
}

/// The expectations that differ per request: [`Expectations::iss`], `aud`,
/// `client_id`, `chal`, `nonce`, and the embedded proof's `aud`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'r> {
    pub iss: Option<&'r str>,
    pub aud: Option<&'r str>,
    pub client_id: Option<&'r ClientId>,
    pub chal: Option<&'r str>,
    pub nonce: Option<&'r str>,
    pub proof_aud: Option<&'r str>,
}

impl Expectations {
    /// This configuration's per-request expectations.
    pub(crate) fn request(&self) -> Request<'_> {
        Request {
            iss: self.iss.as_deref(),
            aud: self.aud.as_deref(),
            client_id: self.client_id.as_ref(),
            chal: self.chal.as_deref(),
            nonce: self.nonce.as_deref(),
            proof_aud: self.proof.aud.as_deref(),
        }
    }
}

/// Runs every check and returns them all.
pub fn audit(token: &str, expect: &Expectations, now: UnixTime) -> Audit {
    audit_memo(token, expect, now, &mut SignatureMemo::new())
}

/// [`audit`], sharing `memo` with an audit of the standalone proof so that a
/// proof shown twice in a capture is verified once.
pub fn audit_memo(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    memo: &mut SignatureMemo,
) -> Audit {
    audit_memo_keeping(token, expect, now, memo, Kept::Every)
}

/// [`audit_memo`] keeping in [`Audit::proof_report`] only the embedded
/// proof's checks that `proof_kept` says: a caller that already shows the
/// checks of the same proof, audited standalone, asks for its failures alone
/// and no passing check's message is written. The token's checks, the
/// embedded proof's failures and `access_token.proof` are the same.
pub fn audit_memo_keeping(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    memo: &mut SignatureMemo,
    proof_kept: Kept,
) -> Audit {
    let mut report = Report::new();
    let mut proof_report = None;
    let run = Run {
        expect,
        req: expect.request(),
        now,
    };
    let result = run.run(token, &mut report, &mut |proof, e| {
        let (verified, sub) = dpop::audit_expect(proof, e, now, memo, proof_kept);
        let failed: Vec<String> = sub
            .failures()
            .map(|c| format!("{}: {}", c.id, c.message))
            .collect();
        proof_report = Some(sub);
        let checked = match (&verified, failed.is_empty()) {
            (Some(_), true) => Ok(()),
            (None, true) => Err(Error::Proof("the proof is unusable".into())),
            (_, false) => Err(Error::Proof(failed.join("; "))),
        };
        (verified, checked)
    });
    let token = report.settle(result);
    let sound = !report.failures().any(|c| {
        matches!(
            c.id,
            "access_token.format" | "access_token.signature" | "access_token.issuer_key"
        )
    });
    Audit {
        token: token.filter(|_| sound),
        report,
        proof_report,
    }
}

/// Checks the embedded proof: its key and signature when they are sound (the
/// proof a `cnf` can be bound to), and whether every check of it passed.
type ProofCheck<'f> =
    dyn FnMut(&str, &dpop::Expect<'_>) -> (Option<VerifiedProof>, Result<(), Error>) + 'f;

/// What the checks need of the token besides its claims.
struct Signed<'t, 'h> {
    signing_input: &'t [u8],
    signature: Vec<u8>,
    alg: Option<&'h Json<'h>>,
    jwk: Option<&'h Json<'h>>,
}

/// The claims the token checks read, found in one pass (names are unique).
#[derive(Default)]
struct TokenClaims<'c, 'j> {
    iat: Option<&'c Json<'j>>,
    exp: Option<&'c Json<'j>>,
    nbf: Option<&'c Json<'j>>,
    iss: Option<&'c Json<'j>>,
    aud: Option<&'c Json<'j>>,
    sub: Option<&'c Json<'j>>,
    client_id: Option<&'c Json<'j>>,
    proof: Option<&'c Json<'j>>,
    cnf: Option<&'c Json<'j>>,
    chal: Option<&'c Json<'j>>,
    nonce: Option<&'c Json<'j>>,
    scope: Option<&'c Json<'j>>,
    api_version: Option<&'c Json<'j>>,
}

impl<'c, 'j> TokenClaims<'c, 'j> {
    fn read(members: &'c Members<'j>) -> Self {
        let mut c = TokenClaims::default();
        for (name, value) in members.iter() {
            let slot = match name.as_bytes() {
                b"iat" => &mut c.iat,
                b"exp" => &mut c.exp,
                b"nbf" => &mut c.nbf,
                b"iss" => &mut c.iss,
                b"aud" => &mut c.aud,
                b"sub" => &mut c.sub,
                b"client_id" => &mut c.client_id,
                b"proof" => &mut c.proof,
                b"cnf" => &mut c.cnf,
                b"chal" => &mut c.chal,
                b"nonce" => &mut c.nonce,
                b"scope" => &mut c.scope,
                b"api_version" => &mut c.api_version,
                _ => continue,
            };
            *slot = Some(value);
        }
        c
    }

    /// `chal` or `nonce`.
    fn echo(&self, claim: &str) -> Option<&'c Json<'j>> {
        if claim == "chal" {
            self.chal
        } else {
            self.nonce
        }
    }
}

struct Run<'e> {
    expect: &'e Expectations,
    req: Request<'e>,
    now: UnixTime,
}

impl Run<'_> {
    fn run<S: Sink<Error>>(
        &self,
        token: &str,
        sink: &mut S,
        check_proof: &mut ProofCheck<'_>,
    ) -> Result<VerifiedAccessToken, Error> {
        let parts = Compact::split(token, &self.expect.limits).map_err(Error::Format)?;
        let header_text = parts.header().map_err(Error::Format)?;
        let header = header_text.object().map_err(Error::Format)?;
        let payload = parts.payload().map_err(Error::Format)?;
        let signature = parts.signature().map_err(Error::Format)?;
        let json = json_text(payload, "payload").map_err(Error::Format)?;
        let members = parse_text(&json, "payload").map_err(Error::Format)?;
        let claims = TokenClaims::read(&members);
        let (mut typ, mut alg, mut jwk) = (None, None, None);
        for (name, value) in header.iter() {
            match name.as_bytes() {
                b"typ" => typ = as_text(Some(value)),
                b"alg" => alg = Some(value),
                b"jwk" => jwk = Some(value),
                _ => {}
            }
        }
        let signed = Signed {
            signing_input: parts.signing_input(),
            signature,
            alg,
            jwk,
        };
        let typ_result = if typ_is(typ, "at+jwt") {
            Ok(())
        } else {
            Err(Error::Typ {
                found: typ.map(str::to_owned),
            })
        };
        sink.outcome("access_token.typ", typ_result, || "typ is at+jwt".into())?;
        let (alg, issuer_key) = self.issuer_key(&signed, sink)?;
        let times = match self
            .expect
            .time
            .check_json([claims.iat, claims.exp, claims.nbf], self.now)
        {
            Ok(t) => {
                sink.pass("access_token.time", || t.acceptable_at(self.now));
                Some(t)
            }
            Err(why) => {
                sink.fail(Error::Time(why))?;
                None
            }
        };
        self.check_iss_aud(&claims, sink)?;
        let (signed_proof, proof_passed) = self.proof(&claims, sink, check_proof)?;
        let proof = signed_proof.as_ref().filter(|_| proof_passed);
        let client_id = self.check_sub(&claims, proof, sink)?;
        // The binding is a fact about the proof's key: judged whenever the
        // proof's signature verified, so that a failed proof claim is reported
        // once (`access_token.proof`) and not again as an unbound token.
        self.check_cnf(&claims, signed_proof.as_ref(), &signed, sink)?;
        self.check_echo(&claims, proof, sink)?;
        self.check_scope(&claims, sink)?;
        let spans = Claims::spans(&json, &members);
        let claims = Claims::keep(json, spans);
        Ok(VerifiedAccessToken {
            alg,
            issuer_key,
            claims,
            times,
            client_id,
            proof: signed_proof.filter(|_| proof_passed),
        })
    }

    /// Chooses the verification key per the trust setting and checks the
    /// signature: `access_token.issuer_key` then `access_token.signature`.
    fn issuer_key<S: Sink<Error>>(
        &self,
        signed: &Signed<'_, '_>,
        sink: &mut S,
    ) -> Result<(Algorithm, PublicKey), Error> {
        let alg = match header_algorithm(signed.alg) {
            Ok(alg) if self.expect.algorithms.contains(&alg) => alg,
            Ok(alg) => {
                return Err(Error::Signature(JoseError::UnsupportedAlgorithm(
                    alg.name().into(),
                )))
            }
            Err(e) => return Err(Error::Signature(e)),
        };
        let header_jwk = match signed.jwk {
            Some(v) => {
                Some(Jwk::from_json(v).map_err(|e| Error::IssuerKey(format!("header jwk: {e}")))?)
            }
            None => None,
        };
        let (key, checked) = match &self.expect.issuer {
            IssuerTrust::Pinned(pinned) => {
                pinned_key(pinned, header_jwk.as_ref(), alg, signed, sink)?
            }
            IssuerTrust::Embedded => {
                let jwk = header_jwk.ok_or_else(|| {
                    Error::IssuerKey("no issuer key pinned and no jwk in the header".into())
                })?;
                let key = PublicKey::new(jwk).map_err(|e| Error::IssuerKey(e.to_string()))?;
                sink.warn("access_token.issuer_key", || {
                    format!(
                        "issuer key not pinned; verified against the key embedded in the token ({} thumbprint {})",
                        key.jwk().key_type().name(),
                        key.jwk().thumbprint(HashAlg::Sha256)
                    )
                });
                (key, false)
            }
        };
        let verified = if checked {
            Ok(())
        } else {
            key.verify(alg, signed.signing_input, &signed.signature)
        };
        sink.outcome(
            "access_token.signature",
            verified.map_err(Error::Signature),
            || concat(&[alg.name(), " signature verifies"]),
        )?;
        Ok((alg, key))
    }

    fn check_iss_aud<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        sink: &mut S,
    ) -> Result<(), Error> {
        let iss = as_text(claims.iss);
        match (self.req.iss, iss) {
            (Some(want), Some(iss)) if url::same_resource(iss, want) => {
                sink.pass("access_token.iss", || concat(&["iss is ", iss]))
            }
            (Some(want), _) => sink.fail(Error::Iss {
                expected: want.to_owned(),
                found: iss.map(str::to_owned),
            })?,
            (None, Some(iss)) if url::query_or_fragment(iss).is_some() => sink
                .skip("access_token.iss", || {
                    format!("iss {iss} not compared: no expected issuer given")
                }),
            (None, _) => sink.fail(Error::Iss {
                expected: "an http(s) URL".into(),
                found: iss.map(str::to_owned),
            })?,
        }
        let found = || claims::json_text(claims.aud);
        match self.req.aud {
            Some(want) if claims::audience_is(claims.aud, want) => {
                sink.pass("access_token.aud", || concat(&["aud is ", want]));
                Ok(())
            }
            Some(want) => sink.fail(Error::Aud {
                expected: want.to_owned(),
                found: found(),
            }),
            None => {
                sink.skip("access_token.aud", || {
                    format!(
                        "aud {} not compared: no audience given",
                        claims::shown(&found())
                    )
                });
                Ok(())
            }
        }
    }

    /// The embedded proof, checked as a DPoP proof for the request that obtained
    /// this token: POST to `iss`, same `chal`, the expected client and nonce.
    /// Returns the proof when its key and signature are sound, and whether
    /// every check of it passed.
    fn proof<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        sink: &mut S,
        check_proof: &mut ProofCheck<'_>,
    ) -> Result<(Option<VerifiedProof>, bool), Error> {
        let Some(proof) = as_text(claims.proof) else {
            sink.fail(Error::Proof("the token has no proof claim".into()))?;
            return Ok((None, false));
        };
        let mut e = self.expect.proof.borrowed();
        e.htm = Some("POST");
        e.htu = as_text(claims.iss);
        e.aud = self.req.proof_aud;
        e.chal = self.req.chal.or(as_text(claims.chal));
        e.nonce = e.nonce.or(self.req.nonce);
        e.client_id = e.client_id.or(self.req.client_id);
        let (signed, checked) = check_proof(proof, &e);
        match checked {
            Ok(()) => {
                sink.pass("access_token.proof", || {
                    "embedded proof verifies as a DPoP proof for POST to iss, with the token's chal"
                        .into()
                });
                Ok((signed, true))
            }
            Err(err) => sink.fail(err).map(|()| (signed, false)),
        }
    }

    fn check_sub<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        proof: Option<&VerifiedProof>,
        sink: &mut S,
    ) -> Result<Option<ClientId>, Error> {
        let sub = as_text(claims.sub);
        let client_id = as_text(claims.client_id);
        let fail = |reason: String| Error::Sub {
            expected: self.req.client_id.map(ToString::to_string),
            found: sub.map(str::to_owned),
            reason,
        };
        let parsed = match sub.map(ClientId::parse) {
            Some(Ok(id)) => id,
            Some(Err(e)) => return sink.fail(fail(e.to_string())).map(|()| None),
            None => return sink.fail(fail("no sub claim".into())).map(|()| None),
        };
        // An identical string parses to the same client: parse it only once.
        let same_client = match client_id {
            Some(c) if Some(c) == sub => true,
            Some(c) => ClientId::parse(c).ok().as_ref() == Some(&parsed),
            None => false,
        };
        // Each disagreement names its two sides, as the token writes them.
        let sub_text = sub.unwrap_or_default();
        let proof_sub = proof.and_then(|p| p.client_id.as_ref());
        let mismatch = if !same_client {
            Some(match client_id {
                Some(c) => (
                    format!("client_id {c} is not the sub {sub_text}"),
                    Some(sub_text.to_owned()),
                    Some(c.to_owned()),
                ),
                None => (
                    "no client_id claim beside sub".to_owned(),
                    Some(sub_text.to_owned()),
                    None,
                ),
            })
        } else if proof.is_some() && proof_sub != Some(&parsed) {
            let shown = proof_sub.map_or_else(|| "none".to_owned(), ToString::to_string);
            Some((
                format!("sub {sub_text} is not the proof's sub {shown}"),
                proof_sub.map(ToString::to_string),
                Some(sub_text.to_owned()),
            ))
        } else {
            match self.req.client_id {
                Some(want) if *want != parsed => Some((
                    format!("sub is client {parsed}, not {want}"),
                    Some(want.to_string()),
                    Some(sub_text.to_owned()),
                )),
                _ => None,
            }
        };
        match mismatch {
            Some((reason, expected, found)) => sink.fail(Error::Sub {
                expected,
                found,
                reason,
            })?,
            None => sink.pass("access_token.sub", || match self.req.client_id {
                Some(want) => format!("sub = client_id = proof sub = {want}"),
                None => {
                    format!("sub = client_id = proof sub = {parsed} (no expected client id given)")
                }
            }),
        }
        Ok(Some(parsed))
    }

    fn check_cnf<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        proof: Option<&VerifiedProof>,
        signed: &Signed<'_, '_>,
        sink: &mut S,
    ) -> Result<(), Error> {
        let bindings = match Bindings::of(claims) {
            Ok(b) => b,
            Err(e) => return sink.fail(e),
        };
        let Some(proof) = proof else {
            return Self::cnf_of_unusable_proof(claims, &bindings, sink);
        };
        let hash = proof.alg.suite_hash();
        // Taken once: it is also the expected value when the check fails.
        let thumbprint = proof.key.jwk().thumbprint(hash);
        let Some((name, value)) = bindings.other_than(&thumbprint) else {
            sink.pass("access_token.cnf", || {
                format!(
                    "{} the {} thumbprint of the proof key",
                    bindings.named(),
                    hash.name()
                )
            });
            return Ok(());
        };
        let reason = explain_cnf(name, value, proof, self.issuer_jwks(signed));
        sink.fail(Error::Cnf {
            expected: Some(thumbprint),
            found: Some(format!("{name}={value}")),
            reason: bindings.disagreeing(reason),
        })
    }

    /// `access_token.cnf` beside an embedded proof that did not verify (a
    /// bad signature, a refused `alg`, a JWK with private members): its header
    /// key is still the key the token says it is bound to, so the binding is
    /// judged against that key's public members. With no key to read (no
    /// proof, or not a JWS) the token is bound to no key it presents: that
    /// fails, closed, beside `access_token.proof`.
    fn cnf_of_unusable_proof<S: Sink<Error>>(
        claims: &TokenClaims<'_, '_>,
        bindings: &Bindings<'_>,
        sink: &mut S,
    ) -> Result<(), Error> {
        let jwk = match proof_header_jwk(claims.proof) {
            Ok(jwk) => jwk,
            Err(why) => {
                let (name, value) = bindings.first();
                return sink.fail(Error::Cnf {
                    expected: None,
                    found: Some(format!("{name}={value}")),
                    reason: format!("cnf.{name} cannot be checked: {why}"),
                });
            }
        };
        let hash = jwk.key_type().algorithm().suite_hash();
        let thumbprint = jwk.thumbprint(hash);
        let Some((name, value)) = bindings.other_than(&thumbprint) else {
            sink.pass("access_token.cnf", || {
                format!(
                    "{} the {} thumbprint of the embedded proof's header key (the proof itself does not verify)",
                    bindings.named(),
                    hash.name()
                )
            });
            return Ok(());
        };
        let reason = format!(
            "cnf.{name} is not the {} thumbprint of the embedded proof's header key",
            hash.name()
        );
        sink.fail(Error::Cnf {
            expected: Some(thumbprint),
            found: Some(format!("{name}={value}")),
            reason: bindings.disagreeing(reason),
        })
    }

    /// Issuer keys the token could have been bound to by mistake: the header
    /// key and every pinned key.
    fn issuer_jwks(&self, signed: &Signed<'_, '_>) -> Vec<Jwk> {
        let mut keys: Vec<Jwk> = signed
            .jwk
            .and_then(|v| Jwk::from_json(v).ok())
            .into_iter()
            .collect();
        if let IssuerTrust::Pinned(pinned) = &self.expect.issuer {
            keys.extend(pinned.iter().map(|k| k.jwk().clone()));
        }
        keys
    }

    fn check_echo<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        proof: Option<&VerifiedProof>,
        sink: &mut S,
    ) -> Result<(), Error> {
        for (claim, expected) in [("chal", self.req.chal), ("nonce", self.req.nonce)] {
            let found = as_text(claims.echo(claim));
            let in_proof = proof.and_then(|p| p.claim(claim));
            let reason = match (found, in_proof, expected) {
                (None, ..) => Some(format!("no {claim} claim")),
                (Some(f), Some(p), _) if f != p => {
                    Some(format!("{claim} {f:?} is not the proof's {p:?}"))
                }
                (Some(_), None, _) if proof.is_some() => Some(format!("the proof has no {claim}")),
                (Some(f), _, Some(e)) if f != e => {
                    Some(format!("{claim} is {f:?}, expected {e:?}"))
                }
                _ => None,
            };
            let (id, error) = echo_error(claim);
            match reason {
                Some(reason) => sink.fail(error(
                    expected.map(str::to_owned),
                    found.map(str::to_owned),
                    reason,
                ))?,
                None => sink.pass(id, || {
                    let v = quoted(found.unwrap_or_default());
                    match expected {
                        Some(_) => {
                            concat(&[claim, " ", &v, " is the proof's and the expected one"])
                        }
                        None => concat(&[claim, " ", &v, " is the proof's"]),
                    }
                }),
            }
        }
        Ok(())
    }

    fn check_scope<S: Sink<Error>>(
        &self,
        claims: &TokenClaims<'_, '_>,
        sink: &mut S,
    ) -> Result<(), Error> {
        let scope = as_text(claims.scope);
        let want = &self.expect.scope;
        let grants = scope.is_some_and(|s| s.split(' ').any(|s| s == want));
        let result = if grants {
            Ok(())
        } else {
            Err(Error::Scope {
                expected: want.clone(),
                found: scope.map(str::to_owned),
            })
        };
        sink.outcome("access_token.scope", result, || {
            concat(&["scope grants ", want])
        })?;
        let version = claims.api_version.and_then(Json::as_u64);
        let min = self.expect.min_api_version;
        let result = match version {
            Some(v) if v >= min => Ok(()),
            Some(v) => Err(Error::ApiVersion(format!("api_version {v} is below {min}"))),
            None => Err(Error::ApiVersion("no integer api_version claim".into())),
        };
        sink.outcome("access_token.api_version", result, || {
            format!(
                "api_version {} (at least {min})",
                version.unwrap_or_default()
            )
        })
    }
}

type EchoError = fn(Option<String>, Option<String>, String) -> Error;

fn echo_error(claim: &str) -> (&'static str, EchoError) {
    if claim == "chal" {
        ("access_token.chal", |expected, found, reason| Error::Chal {
            expected,
            found,
            reason,
        })
    } else {
        ("access_token.nonce", |expected, found, reason| {
            Error::Nonce {
                expected,
                found,
                reason,
            }
        })
    }
}

/// The pinned key that signed the token. A header `jwk` must be a pinned key;
/// without one, the pinned key of the token's algorithm that verifies is used.
/// The flag says that the signature has already been verified while picking
/// the key, so that the signature check does not verify it a second time.
fn pinned_key<S: Sink<Error>>(
    pinned: &[PublicKey],
    header: Option<&Jwk>,
    alg: Algorithm,
    signed: &Signed<'_, '_>,
    sink: &mut S,
) -> Result<(PublicKey, bool), Error> {
    if let Some(jwk) = header {
        let Some(key) = pinned.iter().find(|k| k.jwk() == jwk) else {
            sink.fail(Error::IssuerKey(format!(
                "the header jwk ({} thumbprint {}) is not a pinned issuer key",
                jwk.key_type().name(),
                jwk.thumbprint(HashAlg::Sha256)
            )))?;
            let key = PublicKey::new(jwk.clone()).map_err(|e| Error::IssuerKey(e.to_string()))?;
            return Ok((key, false));
        };
        sink.pass("access_token.issuer_key", || {
            "the header jwk is a pinned issuer key".into()
        });
        return Ok((key.clone(), false));
    }
    let candidates = pinned
        .iter()
        .filter(|k| k.jwk().key_type() == alg.key_type());
    let mut last = None;
    for key in candidates {
        if key
            .verify(alg, signed.signing_input, &signed.signature)
            .is_ok()
        {
            sink.pass("access_token.issuer_key", || {
                "signed by a pinned issuer key".into()
            });
            return Ok((key.clone(), true));
        }
        last = Some(key);
    }
    match last {
        Some(key) => {
            sink.pass("access_token.issuer_key", || {
                format!("a pinned {} issuer key applies", alg.key_type().name())
            });
            Ok((key.clone(), false))
        }
        None => Err(Error::IssuerKey(format!(
            "no pinned issuer key of type {} (alg {alg})",
            alg.key_type().name()
        ))),
    }
}

/// The key bindings a token's `cnf` names: `jkt` (RFC 9449 §6.1) and `kid`
/// (what Wire's tokens carry), in that order, each a string.
///
/// Every one named must name the proof key: a token that binds `jkt` to the
/// client and `kid` to wire-server's own key is bound to the client for a
/// reader that takes `jkt` and to nobody for one that takes `kid` (as Wire's
/// does), so it is judged by the member that disagrees.
struct Bindings<'t> {
    first: (&'static str, &'t str),
    second: Option<(&'static str, &'t str)>,
}

impl<'t> Bindings<'t> {
    /// The bindings of `claims`; fails when there is none, or one is not a string.
    fn of(claims: &TokenClaims<'t, '_>) -> Result<Self, Error> {
        let cnf = claims.cnf.and_then(Json::as_object);
        let mut named = ["jkt", "kid"]
            .into_iter()
            .filter_map(|m| cnf.and_then(|c| c.get(m)).map(|v| (m, v)));
        let text = |(m, v): (&'static str, &'t Json<'_>)| match v.as_str() {
            Some(text) => Ok((m, text)),
            None => Err(Error::Cnf {
                expected: None,
                found: Some(format!("{m}={}", v.to_value())),
                reason: format!(
                    "cnf.{m} is not a string: the token is not bound to a key it names"
                ),
            }),
        };
        let Some(first) = named.next() else {
            return Err(Error::Cnf {
                expected: None,
                found: None,
                reason: "no cnf.jkt or cnf.kid: the token is not bound to a key".into(),
            });
        };
        Ok(Self {
            first: text(first)?,
            second: named.next().map(text).transpose()?,
        })
    }

    fn first(&self) -> (&'static str, &'t str) {
        self.first
    }

    /// The first binding whose value is not `thumbprint`.
    fn other_than(&self, thumbprint: &str) -> Option<(&'static str, &'t str)> {
        std::iter::once(self.first)
            .chain(self.second)
            .find(|(_, v)| *v != thumbprint)
    }

    /// `cnf.jkt is` / `cnf.jkt and cnf.kid are`, for a message.
    fn named(&self) -> String {
        match self.second {
            None => format!("cnf.{} is", self.first.0),
            Some((other, _)) => format!("cnf.{} and cnf.{other} are", self.first.0),
        }
    }

    /// `reason`, saying so when the two bindings name different keys.
    fn disagreeing(&self, reason: String) -> String {
        match self.second {
            Some((other, value)) if value != self.first.1 => format!(
                "{reason}; cnf.{} and cnf.{other} name different keys, so readers disagree on the key the token is bound to",
                self.first.0
            ),
            _ => reason,
        }
    }
}

/// Says what a wrong `cnf` value is, when it is something we know.
fn explain_cnf(name: &str, value: &str, proof: &VerifiedProof, issuers: Vec<Jwk>) -> String {
    let suite = proof.alg.suite_hash();
    for hash in HashAlg::ALL {
        if issuers.iter().any(|k| k.thumbprint(hash) == value) {
            return format!(
                "cnf.{name} is the {} thumbprint of the issuer's own key, not of the proof key: \
                 the token is not bound to the client",
                hash.name()
            );
        }
        if hash != suite && proof.key.jwk().thumbprint(hash) == value {
            return format!(
                "cnf.{name} is the {} thumbprint of the proof key, but the {} suite uses {}",
                hash.name(),
                proof.alg,
                suite.name()
            );
        }
    }
    format!(
        "cnf.{name} is not the {} thumbprint of the proof key, nor of any issuer key",
        suite.name()
    )
}

/// The public key in the header of the embedded proof, private members
/// ignored; else why there is none to read. Only the header is read, so an
/// unsecured proof (`alg: none`, no signature) names its key too; a header
/// that is not strict JSON (a member given twice) names none with certainty.
fn proof_header_jwk(proof: Option<&Json<'_>>) -> Result<Jwk, String> {
    let token = proof
        .and_then(Json::as_str)
        .ok_or("the token embeds no proof key it could be bound to")?;
    let text = crate::jose::header_text_only(token)
        .ok_or("the embedded proof is not a compact JWS, so it names no key")?;
    let members = parse_text(&text, "header").map_err(|e| {
        format!("the embedded proof's header cannot be read ({e}), so its key is unknown")
    })?;
    match members.get("jwk") {
        Some(Json::Object(jwk)) => Jwk::public_part(jwk)
            .map_err(|e| format!("the embedded proof's jwk is not a public key ({e})")),
        Some(_) => Err("the embedded proof's jwk is not an object".into()),
        None => Err("the embedded proof's header names no jwk".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: structural failures end the run before the sink, and the
    /// audit used to return an empty report for them.
    #[test]
    fn the_audit_records_the_failure_that_ended_the_run() {
        let e = Expectations::new(IssuerTrust::Embedded);
        let unreadable = audit("a.b", &e, 0);
        assert!(unreadable.token.is_none());
        let ids: Vec<_> = unreadable.report.failures().map(|c| c.id).collect();
        assert_eq!(ids, ["access_token.format"]);
        // {"alg":"none","typ":"at+jwt"} . {} . a signature
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.e30.AAAA";
        let alg_none = audit(none, &e, 0);
        let ids: Vec<_> = alg_none.report.failures().map(|c| c.id).collect();
        assert_eq!(ids, ["access_token.signature"]);
    }
}
