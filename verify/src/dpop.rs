//! DPoP proofs (`dpop+jwt`, RFC 9449) with Wire's claims.
//!
//! A proof shows that the client holds the key in its header and binds that key
//! to one request (`htm`, `htu`), one server nonce, one ACME challenge (`chal`)
//! and one client identity (`sub`). [`verify`] stops at the first failure (a
//! server); [`audit`] runs every check and returns them all (an auditor).

use crate::claims::{self, typ_is};
use crate::identity::{ClientId, Handle};
use crate::jose::{
    as_text, header_algorithm, json_text, parse_text, Algorithm, Claims, Compact, HashAlg,
    JoseError, Json, Jwk, Limits, Members, PublicKey, SignatureMemo,
};
use crate::replay::{ReplayStore, StoreError};
use crate::report::{concat, quoted, AcmeProblem, FailFast, Failure, FailuresOnly, Report, Sink};
use crate::time::{TimePolicy, Times, UnixTime};
use crate::url;
use std::fmt;
use thiserror::Error;

/// What the verifier knows and expects of a proof. `None` means "not known":
/// the check is reported `skip`, never `pass`.
#[derive(Clone, Debug)]
pub struct Expectations {
    /// The HTTP method of the request the proof came with.
    pub htm: Option<String>,
    /// The URL of the request the proof came with.
    pub htu: Option<String>,
    /// The nonce the server issued.
    pub nonce: Option<String>,
    /// The ACME challenge token.
    pub chal: Option<String>,
    /// The client the proof must be for.
    pub client_id: Option<ClientId>,
    /// The audience (the ACME challenge URL, in newer flows).
    pub aud: Option<String>,
    /// The user's handle.
    pub handle: Option<Handle>,
    /// The user's team.
    pub team: Option<String>,
    /// The user's display name.
    pub name: Option<String>,
    /// What an expected `aud`, `handle`, `team` or `name` the proof does not
    /// carry means: a failure (the default, a server's rule) or a skip.
    pub identity_absent: Absent,
    /// base64url SHA-256 of the access token the proof accompanies.
    pub ath: Option<String>,
    /// Algorithms accepted.
    pub algorithms: Vec<Algorithm>,
    /// Time tolerances.
    pub time: TimePolicy,
    /// Size limits.
    pub limits: Limits,
}

impl Default for Expectations {
    fn default() -> Self {
        Expectations {
            htm: None,
            htu: None,
            nonce: None,
            chal: None,
            client_id: None,
            aud: None,
            handle: None,
            team: None,
            name: None,
            identity_absent: Absent::Fails,
            ath: None,
            algorithms: Algorithm::ALL.to_vec(),
            time: TimePolicy::DPOP,
            limits: Limits::default(),
        }
    }
}

impl Expectations {
    /// A borrowed view, for the checks.
    pub(crate) fn borrowed(&self) -> Expect<'_> {
        Expect {
            htm: self.htm.as_deref(),
            htu: self.htu.as_deref(),
            nonce: self.nonce.as_deref(),
            chal: self.chal.as_deref(),
            client_id: self.client_id.as_ref(),
            aud: self.aud.as_deref(),
            handle: self.handle.as_ref(),
            team: self.team.as_deref(),
            name: self.name.as_deref(),
            identity_absent: self.identity_absent,
            ath: self.ath.as_deref(),
            algorithms: &self.algorithms,
            time: &self.time,
            limits: &self.limits,
        }
    }
}

/// What an expected identity claim (`aud`, `handle`, `team`, `name`) that the
/// proof does not carry means. The claims are compared whenever they are
/// present, whichever is chosen: a claim that is there and wrong always fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Absent {
    /// The check fails: a server holds every proof to the identity it expects.
    #[default]
    Fails,
    /// The check is skipped, saying the claim is absent: Wire's proofs carried
    /// none of these claims until early 2024, so an auditor of a capture compares
    /// them where they exist without failing an older era for lacking them.
    Skips,
}

/// [`Expectations`], borrowed: the access-token check derives the embedded
/// proof's expectations from the token's claims without copying them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expect<'e> {
    pub htm: Option<&'e str>,
    pub htu: Option<&'e str>,
    pub nonce: Option<&'e str>,
    pub chal: Option<&'e str>,
    pub client_id: Option<&'e ClientId>,
    pub aud: Option<&'e str>,
    pub handle: Option<&'e Handle>,
    pub team: Option<&'e str>,
    pub name: Option<&'e str>,
    pub identity_absent: Absent,
    pub ath: Option<&'e str>,
    pub algorithms: &'e [Algorithm],
    pub time: &'e TimePolicy,
    pub limits: &'e Limits,
}

/// A proof whose every requested check passed.
#[derive(Clone, Debug)]
pub struct VerifiedProof {
    /// The signing algorithm.
    pub alg: Algorithm,
    /// The client's key from the header.
    pub key: PublicKey,
    /// The claims.
    pub claims: Claims,
    /// `iat`, `exp`, `nbf`.
    pub times: Option<Times>,
    /// The client id in `sub`, when it parsed.
    pub client_id: Option<ClientId>,
}

impl VerifiedProof {
    /// A string claim, if present.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name)
    }

    /// The RFC 7638 thumbprint of the proof key with the suite's hash.
    pub fn thumbprint(&self) -> String {
        self.key.jwk().thumbprint(self.alg.suite_hash())
    }
}

/// Why a proof was rejected. Each variant is one catalogue check.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// `dpop.format`: not a well-formed compact JWS with JSON claims.
    #[error("the proof is not a well-formed JWS: {0}")]
    Format(JoseError),
    /// `dpop.typ`: the header `typ` is not `dpop+jwt`.
    #[error("typ is {}, not \"dpop+jwt\"", crate::claims::shown(.found))]
    Typ {
        /// The `typ` found.
        found: Option<String>,
    },
    /// `dpop.alg`: algorithm not accepted, or not fitting the key.
    #[error("{0}")]
    Alg(JoseError),
    /// `dpop.jwk`: the header key is missing or invalid.
    #[error("header jwk: {0}")]
    Jwk(JoseError),
    /// `dpop.signature`: the signature does not verify with the header key.
    #[error("{0}")]
    Signature(JoseError),
    /// `dpop.htm`: the method does not match.
    #[error("htm is {}, the request used {expected:?}", crate::claims::shown(.found))]
    Htm {
        /// The request method.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.htu`: the URL does not match or is malformed.
    #[error("htu {} {reason} {expected:?}", crate::claims::shown(.found))]
    Htu {
        /// The request URL.
        expected: String,
        /// The claim.
        found: Option<String>,
        /// How it differs.
        reason: &'static str,
    },
    /// `dpop.time`: `iat`, `nbf` or `exp` unacceptable at the verification time.
    #[error("{0}")]
    Time(String),
    /// `dpop.jti`: missing, or already used.
    #[error("{0}")]
    Jti(String),
    /// `dpop.jti`: the replay store could not answer (fail closed).
    #[error("jti single use could not be checked: {0}")]
    Store(StoreError),
    /// `dpop.nonce`: not the nonce the server issued.
    #[error("nonce is {}, the server issued {expected:?}", crate::claims::shown(.found))]
    Nonce {
        /// The issued nonce.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.chal`: not the ACME challenge token.
    #[error("chal is {}, the challenge token is {expected:?}", crate::claims::shown(.found))]
    Chal {
        /// The challenge token.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.sub`: not a Wire client id, or not the expected one.
    #[error("sub {}: {reason}", crate::claims::shown(.found))]
    Sub {
        /// The expected client id, if one was given.
        expected: Option<String>,
        /// The claim.
        found: Option<String>,
        /// Why it fails.
        reason: String,
    },
    /// `dpop.aud`: not the expected audience.
    #[error("aud is {}, expected {expected:?}", crate::claims::shown(.found))]
    Aud {
        /// The expected audience.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.handle`: not the expected handle.
    #[error("handle is {}, expected {expected:?}", crate::claims::shown(.found))]
    Handle {
        /// The expected handle.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.team`: not the expected team.
    #[error("team is {}, expected {expected:?}", crate::claims::shown(.found))]
    Team {
        /// The expected team.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.name`: not the expected display name.
    #[error("name is {}, expected {expected:?}", crate::claims::shown(.found))]
    Name {
        /// The expected display name.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
    /// `dpop.ath`: not the hash of the access token presented with it.
    #[error("ath is {}, the access token hashes to {expected:?}", crate::claims::shown(.found))]
    Ath {
        /// base64url SHA-256 of the access token.
        expected: String,
        /// The claim.
        found: Option<String>,
    },
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::Format(_) => "dpop.format",
            Error::Typ { .. } => "dpop.typ",
            Error::Alg(_) => "dpop.alg",
            Error::Jwk(_) => "dpop.jwk",
            Error::Signature(_) => "dpop.signature",
            Error::Htm { .. } => "dpop.htm",
            Error::Htu { .. } => "dpop.htu",
            Error::Time(_) => "dpop.time",
            Error::Jti(_) | Error::Store(_) => "dpop.jti",
            Error::Nonce { .. } => "dpop.nonce",
            Error::Chal { .. } => "dpop.chal",
            Error::Sub { .. } => "dpop.sub",
            Error::Aud { .. } => "dpop.aud",
            Error::Handle { .. } => "dpop.handle",
            Error::Team { .. } => "dpop.team",
            Error::Name { .. } => "dpop.name",
            Error::Ath { .. } => "dpop.ath",
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::Format(_) | Error::Typ { .. } => AcmeProblem::Malformed,
            Error::Nonce { .. } => AcmeProblem::BadNonce,
            Error::Sub { .. } | Error::Handle { .. } | Error::Team { .. } | Error::Name { .. } => {
                AcmeProblem::RejectedIdentifier
            }
            _ => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::Typ { .. } => Some("dpop+jwt".into()),
            Error::Htm { expected, .. }
            | Error::Htu { expected, .. }
            | Error::Nonce { expected, .. }
            | Error::Chal { expected, .. }
            | Error::Aud { expected, .. }
            | Error::Handle { expected, .. }
            | Error::Team { expected, .. }
            | Error::Name { expected, .. }
            | Error::Ath { expected, .. } => Some(expected.clone()),
            Error::Sub { expected, .. } => expected.clone(),
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Typ { found }
            | Error::Htm { found, .. }
            | Error::Htu { found, .. }
            | Error::Nonce { found, .. }
            | Error::Chal { found, .. }
            | Error::Sub { found, .. }
            | Error::Aud { found, .. }
            | Error::Handle { found, .. }
            | Error::Team { found, .. }
            | Error::Name { found, .. }
            | Error::Ath { found, .. } => found.clone(),
            _ => None,
        }
    }
}

/// Verifies a proof, stopping at the first failed check. With a replay store
/// the `jti` is consumed; without one only its presence is checked.
pub fn verify(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    replay: Option<&dyn ReplayStore>,
) -> Result<VerifiedProof, Error> {
    run(token, &expect.borrowed(), now, replay, None, &mut FailFast)
}

/// Runs every check and returns them all, with the proof when its structure,
/// key and signature were sound.
pub fn audit(token: &str, expect: &Expectations, now: UnixTime) -> (Option<VerifiedProof>, Report) {
    audit_memo(token, expect, now, &mut SignatureMemo::new())
}

/// [`audit`], verifying the signature only if `memo` has not seen these exact
/// bytes verify (a proof shown standalone and embedded is verified once).
pub fn audit_memo(
    token: &str,
    expect: &Expectations,
    now: UnixTime,
    memo: &mut SignatureMemo,
) -> (Option<VerifiedProof>, Report) {
    audit_expect(token, &expect.borrowed(), now, memo, Kept::Every)
}

/// Which checks an audit keeps in its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Every check, in the order it ran.
    Every,
    /// Only the failed checks: the verdict and the failures are the same,
    /// and no message of a passing, skipped or warned check is written.
    Failures,
}

/// [`audit_memo`] with borrowed expectations, keeping the checks `kept` says.
pub(crate) fn audit_expect(
    token: &str,
    expect: &Expect<'_>,
    now: UnixTime,
    memo: &mut SignatureMemo,
    kept: Kept,
) -> (Option<VerifiedProof>, Report) {
    let (result, mut report) = match kept {
        Kept::Every => {
            let mut report = Report::new();
            let result = run(token, expect, now, None, Some(memo), &mut report);
            (result, report)
        }
        Kept::Failures => {
            let mut sink = FailuresOnly::default();
            let result = run(token, expect, now, None, Some(memo), &mut sink);
            (result, sink.0)
        }
    };
    let proof = report.settle(result);
    let sound = !report.failures().any(|c| {
        matches!(
            c.id,
            "dpop.format" | "dpop.alg" | "dpop.jwk" | "dpop.signature"
        )
    });
    (proof.filter(|_| sound), report)
}

/// base64url SHA-256 of an access token, the value of `ath`.
pub fn ath(access_token: &str) -> String {
    crate::jose::b64_encode(HashAlg::Sha256.digest(access_token.as_bytes()).as_ref())
}

/// The header members the proof checks read, found in one pass.
#[derive(Default)]
struct Header<'h, 'j> {
    alg: Option<&'h Json<'j>>,
    typ: Option<&'h Json<'j>>,
    jwk: Option<&'h Json<'j>>,
}

impl<'h, 'j> Header<'h, 'j> {
    fn read(members: &'h Members<'j>) -> Self {
        let mut h = Header::default();
        for (name, value) in members.iter() {
            match name.as_bytes() {
                b"alg" => h.alg = Some(value),
                b"typ" => h.typ = Some(value),
                b"jwk" => h.jwk = Some(value),
                _ => {}
            }
        }
        h
    }
}

/// The claims the proof checks read, found in one pass (names are unique).
#[derive(Default)]
struct ProofClaims<'c, 'j> {
    htm: Option<&'c Json<'j>>,
    htu: Option<&'c Json<'j>>,
    iat: Option<&'c Json<'j>>,
    exp: Option<&'c Json<'j>>,
    nbf: Option<&'c Json<'j>>,
    jti: Option<&'c Json<'j>>,
    nonce: Option<&'c Json<'j>>,
    chal: Option<&'c Json<'j>>,
    ath: Option<&'c Json<'j>>,
    sub: Option<&'c Json<'j>>,
    aud: Option<&'c Json<'j>>,
    handle: Option<&'c Json<'j>>,
    team: Option<&'c Json<'j>>,
    name: Option<&'c Json<'j>>,
}

impl<'c, 'j> ProofClaims<'c, 'j> {
    fn read(members: &'c Members<'j>) -> Self {
        let mut c = ProofClaims::default();
        for (name, value) in members.iter() {
            let slot = match name.as_bytes() {
                b"htm" => &mut c.htm,
                b"htu" => &mut c.htu,
                b"iat" => &mut c.iat,
                b"exp" => &mut c.exp,
                b"nbf" => &mut c.nbf,
                b"jti" => &mut c.jti,
                b"nonce" => &mut c.nonce,
                b"chal" => &mut c.chal,
                b"ath" => &mut c.ath,
                b"sub" => &mut c.sub,
                b"aud" => &mut c.aud,
                b"handle" => &mut c.handle,
                b"team" => &mut c.team,
                b"name" => &mut c.name,
                _ => continue,
            };
            *slot = Some(value);
        }
        c
    }
}

/// The checks, in order. Structural failures end the run in both modes, since
/// nothing after them can be evaluated.
pub(crate) fn run<S: Sink<Error>>(
    token: &str,
    expect: &Expect<'_>,
    now: UnixTime,
    replay: Option<&dyn ReplayStore>,
    memo: Option<&mut SignatureMemo>,
    sink: &mut S,
) -> Result<VerifiedProof, Error> {
    let parts = Compact::split(token, expect.limits).map_err(|e| unsecured(token, e))?;
    let header_text = parts.header().map_err(Error::Format)?;
    let header_members = header_text.object().map_err(Error::Format)?;
    let payload = parts.payload().map_err(Error::Format)?;
    let signature = parts.signature().map_err(Error::Format)?;
    let json = json_text(payload, "payload").map_err(Error::Format)?;
    let members = parse_text(&json, "payload").map_err(Error::Format)?;
    let header = Header::read(&header_members);
    let claims = ProofClaims::read(&members);
    let typ = as_text(header.typ);
    let typ_ok = typ_is(typ, "dpop+jwt");
    let typ_err = || Error::Typ {
        found: typ.map(str::to_owned),
    };
    sink.outcome(
        "dpop.typ",
        if typ_ok { Ok(()) } else { Err(typ_err()) },
        || "typ is dpop+jwt".into(),
    )?;
    let known_key = memo.as_ref().and_then(|m| m.key(token));
    let known = known_key.is_some();
    let (alg, key) = header_key(&header, expect, known_key, sink)?;
    let verified = if known {
        Ok(())
    } else {
        key.verify(alg, parts.signing_input(), &signature)
    };
    if let (Some(memo), Ok(())) = (memo, &verified) {
        memo.insert(token, &key);
    }
    sink.outcome("dpop.signature", verified.map_err(Error::Signature), || {
        let earlier = if known {
            " (these exact bytes verified earlier)"
        } else {
            ""
        };
        concat(&[
            alg.name(),
            " signature verifies with the header jwk",
            earlier,
        ])
    })?;
    let times = check_claims(&claims, expect, now, sink)?;
    check_jti(&claims, &key, times, expect, now, replay, sink)?;
    let client_id = check_identity(&claims, expect, sink)?;
    let spans = Claims::spans(&json, &members);
    let claims = Claims::keep(json, spans);
    Ok(VerifiedProof {
        alg,
        key,
        claims,
        times,
        client_id,
    })
}

/// A split failure, told apart for an unsecured JWS (RFC 7515 §A.5: `alg`
/// `none` and an empty signature): that is a refused algorithm
/// (`dpop.alg`), the check a reader looks for, not a malformed token.
fn unsecured(token: &str, split: JoseError) -> Error {
    if crate::jose::is_unsecured(token, &split) {
        Error::Alg(JoseError::UnsupportedAlgorithm("none".into()))
    } else {
        Error::Format(split)
    }
}

fn header_key<S: Sink<Error>>(
    header: &Header<'_, '_>,
    expect: &Expect<'_>,
    known: Option<&PublicKey>,
    sink: &mut S,
) -> Result<(Algorithm, PublicKey), Error> {
    let alg = match header_algorithm(header.alg) {
        Ok(alg) if expect.algorithms.contains(&alg) => alg,
        Ok(alg) => {
            return Err(Error::Alg(JoseError::UnsupportedAlgorithm(
                alg.name().into(),
            )))
        }
        Err(e) => return Err(Error::Alg(e)),
    };
    let jwk = match header.jwk {
        Some(v) => Jwk::from_json(v).map_err(Error::Jwk)?,
        None => {
            return Err(Error::Jwk(JoseError::Member {
                part: "header",
                name: "jwk",
                expected: "JSON object",
            }))
        }
    };
    alg.check_key(jwk.key_type()).map_err(Error::Alg)?;
    sink.pass("dpop.alg", || {
        concat(&[alg.name(), " is accepted and fits the key"])
    });
    // The key these exact bytes verified with earlier is this jwk, validated.
    let key = match known {
        Some(key) if *key.jwk() == jwk => key.clone(),
        _ => PublicKey::new(jwk).map_err(Error::Jwk)?,
    };
    sink.pass("dpop.jwk", || {
        concat(&[
            "header jwk is a valid public ",
            key.jwk().key_type().name(),
            " key",
        ])
    });
    Ok((alg, key))
}

fn check_claims<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    now: UnixTime,
    sink: &mut S,
) -> Result<Option<Times>, Error> {
    let htm = as_text(claims.htm);
    match expect.htm {
        Some(m) if htm == Some(m) => sink.pass("dpop.htm", || concat(&["htm is ", m])),
        Some(m) => sink.fail(Error::Htm {
            expected: m.to_owned(),
            found: htm.map(str::to_owned),
        })?,
        None => sink.skip("dpop.htm", || {
            format!(
                "htm {} not compared: no request method given",
                claims::shown(&htm)
            )
        }),
    }
    check_htu(claims, expect, sink)?;
    let times = match expect
        .time
        .check_json([claims.iat, claims.exp, claims.nbf], now)
    {
        Ok(t) => {
            sink.pass("dpop.time", || t.acceptable_at(now));
            Some(t)
        }
        Err(why) => {
            sink.fail(Error::Time(why))?;
            None
        }
    };
    let exact: [Exact<'_>; 3] = [
        (
            "dpop.nonce",
            "nonce",
            as_text(claims.nonce),
            expect.nonce,
            |expected, found| Error::Nonce { expected, found },
        ),
        (
            "dpop.chal",
            "chal",
            as_text(claims.chal),
            expect.chal,
            |expected, found| Error::Chal { expected, found },
        ),
        (
            "dpop.ath",
            "ath",
            as_text(claims.ath),
            expect.ath,
            |expected, found| Error::Ath { expected, found },
        ),
    ];
    check_exact(exact, sink)?;
    Ok(times)
}

/// A claim compared for equality: check id, claim name, found and expected
/// values, error.
type Exact<'e> = (
    &'static str,
    &'static str,
    Option<&'e str>,
    Option<&'e str>,
    fn(String, Option<String>) -> Error,
);

fn check_exact<S: Sink<Error>, const N: usize>(
    exact: [Exact<'_>; N],
    sink: &mut S,
) -> Result<(), Error> {
    for (id, claim, found, expected, error) in exact {
        expected_eq(sink, id, claim, found, expected, error)?;
    }
    Ok(())
}

/// Records pass when `found == expected`, skip when nothing is expected.
pub(crate) fn expected_eq<E, S: Sink<E>>(
    sink: &mut S,
    id: &'static str,
    claim: &str,
    found: Option<&str>,
    expected: Option<&str>,
    error: impl FnOnce(String, Option<String>) -> E,
) -> Result<(), E> {
    match expected {
        Some(e) if found == Some(e) => {
            sink.pass(id, || concat(&[claim, " is ", &quoted(e)]));
            Ok(())
        }
        Some(e) => sink.fail(error(e.to_owned(), found.map(str::to_owned))),
        None => {
            sink.skip(id, || {
                concat(&[
                    claim,
                    " ",
                    &claims::shown(&found),
                    " not compared: nothing expected given",
                ])
            });
            Ok(())
        }
    }
}

fn check_htu<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    sink: &mut S,
) -> Result<(), Error> {
    let htu = as_text(claims.htu);
    let Some(expected) = expect.htu else {
        sink.skip("dpop.htu", || {
            format!(
                "htu {} not compared: no request URL given",
                claims::shown(&htu)
            )
        });
        return Ok(());
    };
    let fail = |reason| Error::Htu {
        expected: expected.to_owned(),
        found: htu.map(str::to_owned),
        reason,
    };
    let result = match htu.map(url::query_or_fragment) {
        None => Err(fail("is missing; the request URL is")),
        Some(None) => Err(fail("is not an absolute http(s) URL; the request URL is")),
        Some(Some(true)) => Err(fail(
            "has a query or fragment, which RFC 9449 forbids; the request URL is",
        )),
        // `htu` normalised, so an identical string is the same URL.
        Some(Some(_)) if htu.is_some_and(|h| h == expected || url::same(h, expected)) => Ok(()),
        Some(Some(_)) => Err(fail("is not the request URL")),
    };
    sink.outcome("dpop.htu", result, || concat(&["htu matches ", expected]))
}

#[allow(clippy::too_many_arguments)]
fn check_jti<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    key: &PublicKey,
    times: Option<Times>,
    expect: &Expect<'_>,
    now: UnixTime,
    replay: Option<&dyn ReplayStore>,
    sink: &mut S,
) -> Result<(), Error> {
    let jti = match claims::required(claims.jti, "jti") {
        Ok(jti) => jti,
        Err(why) => return sink.fail(Error::Jti(why)),
    };
    let Some(store) = replay else {
        sink.pass("dpop.jti", || {
            concat(&[
                "jti ",
                &quoted(jti),
                " present (single use not checked: no replay store)",
            ])
        });
        return Ok(());
    };
    let slot = jti_slot(key, jti);
    let until = times
        .map_or(now, |t| t.exp)
        .saturating_add(expect.time.max_skew);
    match store.first_use(&slot, until, now) {
        Ok(true) => {
            sink.pass("dpop.jti", || {
                format!("jti {jti:?} used for the first time")
            });
            Ok(())
        }
        Ok(false) => sink.fail(Error::Jti(format!("jti {jti:?} was already used (replay)"))),
        Err(e) => sink.fail(Error::Store(e)),
    }
}

/// The replay-store key of a proof's `jti`: prefixed by the client key's
/// SHA-256 thumbprint, so that two clients' jtis never collide.
pub(crate) fn jti_slot(key: &PublicKey, jti: &str) -> String {
    let mut slot = String::with_capacity(5 + 43 + 1 + jti.len());
    slot.push_str("dpop:");
    key.jwk().push_thumbprint(HashAlg::Sha256, &mut slot);
    slot.push(':');
    slot.push_str(jti);
    slot
}

fn check_identity<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    sink: &mut S,
) -> Result<Option<ClientId>, Error> {
    let client_id = check_sub(claims, expect, sink)?;
    if !absent_skipped(sink, expect, "dpop.aud", claims.aud, expect.aud) {
        check_aud(claims, expect, sink)?;
    }
    if !absent_skipped(sink, expect, "dpop.handle", claims.handle, expect.handle) {
        check_handle(claims, expect, sink)?;
    }
    if !absent_skipped(sink, expect, "dpop.team", claims.team, expect.team) {
        let team = as_text(claims.team);
        expected_eq(
            sink,
            "dpop.team",
            "team",
            team,
            expect.team,
            |expected, found| Error::Team { expected, found },
        )?;
    }
    if !absent_skipped(sink, expect, "dpop.name", claims.name, expect.name) {
        let name = as_text(claims.name);
        expected_eq(
            sink,
            "dpop.name",
            "name",
            name,
            expect.name,
            |expected, found| Error::Name { expected, found },
        )?;
    }
    Ok(client_id)
}

/// Records a skip, and returns true, when the identity claim of check `id` is
/// expected but absent from the proof and [`Absent::Skips`] was asked for.
/// Presence is the member's, whatever its type: a non-string value is compared
/// (and fails), never skipped.
fn absent_skipped<S: Sink<Error>, T: fmt::Display + ?Sized>(
    sink: &mut S,
    expect: &Expect<'_>,
    id: &'static str,
    found: Option<&Json<'_>>,
    expected: Option<&T>,
) -> bool {
    let (Absent::Skips, None, Some(want)) = (expect.identity_absent, found, expected) else {
        return false;
    };
    sink.skip(id, || {
        concat(&[
            id.trim_start_matches("dpop."),
            " is absent from the proof, not compared with ",
            &want.to_string(),
            " (Wire DPoP proofs until early 2024 did not carry it)",
        ])
    });
    true
}

fn check_handle<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    sink: &mut S,
) -> Result<(), Error> {
    let handle = as_text(claims.handle);
    match expect.handle {
        Some(h) if handle.is_some_and(|s| h.names(s)) => {
            sink.pass("dpop.handle", || format!("handle is {h}"));
            Ok(())
        }
        Some(h) => sink.fail(Error::Handle {
            expected: h.to_string(),
            found: handle.map(str::to_owned),
        }),
        None => {
            sink.skip("dpop.handle", || {
                concat(&[
                    "handle ",
                    &claims::shown(&handle),
                    " not compared: no handle given",
                ])
            });
            Ok(())
        }
    }
}

fn check_sub<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    sink: &mut S,
) -> Result<Option<ClientId>, Error> {
    let sub = as_text(claims.sub);
    let fail = |reason: String| Error::Sub {
        expected: expect.client_id.map(ToString::to_string),
        found: sub.map(str::to_owned),
        reason,
    };
    let parsed = match sub.map(ClientId::parse) {
        None => return sink.fail(fail("no sub claim".into())).map(|()| None),
        Some(Err(e)) => return sink.fail(fail(e.reason.into())).map(|()| None),
        Some(Ok(id)) => id,
    };
    match expect.client_id {
        Some(want) if *want == parsed => sink.pass("dpop.sub", || {
            format!("sub {} is client {want}", sub.unwrap_or_default())
        }),
        Some(want) => sink.fail(fail(format!("is client {parsed}, not {want}")))?,
        None => sink.skip("dpop.sub", || {
            format!("sub is client {parsed}; no expected client id given")
        }),
    }
    Ok(Some(parsed))
}

fn check_aud<S: Sink<Error>>(
    claims: &ProofClaims<'_, '_>,
    expect: &Expect<'_>,
    sink: &mut S,
) -> Result<(), Error> {
    let found = || claims::json_text(claims.aud);
    match expect.aud {
        Some(want) if claims::audience_is(claims.aud, want) => {
            sink.pass("dpop.aud", || concat(&["aud is ", want]));
            Ok(())
        }
        Some(want) => sink.fail(Error::Aud {
            expected: want.to_owned(),
            found: found(),
        }),
        None => {
            sink.skip("dpop.aud", || {
                format!(
                    "aud {} not compared: no audience given",
                    claims::shown(&found())
                )
            });
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: structural failures end the run before the sink, and the
    /// audit used to return an empty report for them.
    #[test]
    fn the_audit_records_the_failure_that_ended_the_run() {
        let e = Expectations::default();
        let (proof, report) = audit("not a token", &e, 0);
        assert!(proof.is_none());
        let ids: Vec<_> = report.failures().map(|c| c.id).collect();
        assert_eq!(ids, ["dpop.format"]);
        // {"alg":"none","typ":"dpop+jwt"} . {} . a signature
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiZHBvcCtqd3QifQ.e30.AAAA";
        let (proof, report) = audit(none, &e, 0);
        assert!(proof.is_none());
        let ids: Vec<_> = report.failures().map(|c| c.id).collect();
        assert_eq!(ids, ["dpop.alg"]);
    }
}
