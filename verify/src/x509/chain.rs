//! Path validation: rustls-webpki for everything it evaluates, our code for URI constraints.
//!
//! # Why two passes
//! webpki 0.103.17 builds paths, checks signatures, validity, basic constraints,
//! path length, EKU and DNS/IP/directory-name constraints — but treats every URI
//! subtree as unsatisfiable, so a real Wire chain (intermediate permitting
//! `URI:wire.com`, leaf with `wireapp://…@wire.com` SANs) always fails with
//! `NameConstraintViolation`. We cannot strip the constraint from a signed
//! intermediate, but webpki takes a trust anchor's name constraints from the
//! [`TrustAnchor`] struct, not from a certificate. So:
//!
//! 1. webpki runs on the chain as given. Success is final (no URI constraint met a
//!    URI name on that path, or webpki would have refused). Skipped when it is bound
//!    to fail: the leaf has a URI SAN and every possible issuer carries URI subtrees
//!    (its error would be superseded by step 2's anyway).
//! 2. Only if it fails and some certificate carries URI subtrees, each such
//!    certificate `C` is tried as a *split point*: webpki verifies the path from the
//!    leaf up to `C`, with `C` promoted to an anchor whose name constraints are `C`'s
//!    own minus the URI subtrees (so DNS/IP/DN constraints stay webpki's job); our
//!    code then checks the URI SANs below `C` against `C`'s URI subtrees
//!    ([`super::name_constraints`]) and, when `C` is not itself a given anchor,
//!    verifies `C` up to a real anchor: signature (webpki's aws-lc-rs algorithms),
//!    validity, CA flag, path length and keyCertSign. Any name constraint above `C`
//!    would have to apply to the names below it, which this split cannot express:
//!    it fails closed, as does a URI subtree below `C` (webpki rejects it in step 2).
//!
//! The second pass can only accept a path every part of which was verified, so it
//! never accepts what webpki plus correct URI semantics would reject.

//! # Parsed once
//! Every certificate of the chain is read once per verification by our strict
//! reader ([`Cert`], [`super::cert`]) and every anchor by webpki once
//! ([`TrustAnchor`]); the checks below share those readings instead of parsing
//! the same DER again.
//!
//! # Whose EKU
//! [`verify_path`] judges every certificate's EKU as webpki does. Behind
//! [`verify_chain`](super::verify_chain) the leaf's EKU is `cert.eku`'s to judge, so
//! that a serverAuth-only leaf fails that check alone; see [`EkuPolicy`].

use super::cert::{self, Certificate};
use super::name_constraints::{self, Split};
use super::{der, ext, Error};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{
    anchor_from_trusted_cert, EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId,
    KeyPurposeIdIter, KeyUsage, RequiredEkuNotFoundContext, VerifiedPath,
};

/// Every signature algorithm rustls-webpki offers with aws-lc-rs.
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = webpki::ALL_VERIFICATION_ALGS;

/// The extended key usage a path is validated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// TLS / MLS client authentication (`id-kp-clientAuth` if the EKU is present).
    ClientAuth,
    /// TLS server authentication (used by the limbo harness).
    ServerAuth,
}

impl Usage {
    fn webpki(self) -> KeyUsage {
        match self {
            Usage::ClientAuth => KeyUsage::client_auth(),
            Usage::ServerAuth => KeyUsage::server_auth(),
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Usage::ClientAuth => ext::CLIENT_AUTH_OID,
            Usage::ServerAuth => ext::SERVER_AUTH_OID,
        }
    }
}

/// Who judges the leaf's EKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeafEku {
    /// Path validation, as webpki does ([`verify_path`]).
    Path,
    /// `cert.eku`, which [`super::check_chain`] runs on the same leaf before the path.
    CheckedApart,
}

/// A validated path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Where the path's certificates stand in the chain as given (0: the leaf),
    /// leaf first, up to (excluding) the anchor. Positions, not copies: the
    /// caller holds the certificates already.
    pub positions: Vec<usize>,
    /// The DER of the subject of the anchor the path ends at: formatted only on
    /// demand ([`Path::anchor_subject`]), since a server never reads it.
    anchor_name: Vec<u8>,
    /// How many URI SANs our code checked against URI name constraints.
    pub uri_names_checked: usize,
}

impl Path {
    /// The subject of the anchor the path ends at (RFC 4514 style); empty if
    /// x509-parser cannot read that name (webpki, which accepted the anchor, could).
    pub fn anchor_subject(&self) -> String {
        cert::display_name(&self.anchor_name)
    }
}

/// A certificate as given, with our reading of it, made once per verification
/// and shared by every check.
pub(crate) struct Cert<'a> {
    pub(crate) der: &'a [u8],
    /// `None` when the reader refuses the DER: every check that needs this reading
    /// then fails closed (webpki may still read the certificate).
    pub(crate) x509: Option<Certificate<'a>>,
}

impl<'a> Cert<'a> {
    fn read(der: &'a [u8]) -> Self {
        Cert {
            der,
            x509: Certificate::read(der).ok(),
        }
    }

    fn x509(&self) -> Result<&Certificate<'a>, Error> {
        self.x509.as_ref().ok_or_else(bad_der)
    }
}

/// Validates `chain` (leaf first, then any intermediates in any order) to one of
/// `anchors` (certificates: a root or a pinned intermediate) at `time`, every EKU
/// (the leaf's included) judged for `usage`.
pub fn verify_path(
    chain: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    usage: Usage,
) -> Result<Path, Error> {
    let chain: Vec<Cert<'_>> = chain.iter().map(|c| Cert::read(c)).collect();
    verify_certs(&chain, anchors, time, usage, LeafEku::Path)
}

/// What one path validation works with, each part read once.
struct Ctx<'c> {
    leaf: &'c Cert<'c>,
    end_entity: &'c EndEntityCert<'c>,
    intermediates: &'c [Cert<'c>],
    /// `intermediates`' DER, as webpki takes them.
    pool: &'c [CertificateDer<'c>],
    anchors: &'c [CertificateDer<'c>],
    trust: &'c [TrustAnchor<'c>],
    time: UnixTime,
    usage: Usage,
    eku: EkuPolicy<'c>,
}

/// [`verify_path`] on certificates already read; `leaf_eku` says who judges the leaf's EKU.
pub(crate) fn verify_certs(
    chain: &[Cert<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    usage: Usage,
    leaf_eku: LeafEku,
) -> Result<Path, Error> {
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or(Error::CertFormat(super::InputError::Nothing("certificate")))?;
    let leaf_der = CertificateDer::from(leaf.der);
    let end_entity = EndEntityCert::try_from(&leaf_der).map_err(Error::Path)?;
    let trust = anchors
        .iter()
        .map(|a| anchor_from_trusted_cert(a).map_err(Error::Path))
        .collect::<Result<Vec<_>, _>>()?;
    let pool: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der))
        .collect();
    let exempt = match (leaf_eku, &leaf.x509) {
        (LeafEku::CheckedApart, Some(x509)) => eku_ids(x509).ok().flatten(),
        _ => None,
    };
    let ctx = Ctx {
        leaf,
        end_entity: &end_entity,
        intermediates,
        pool: &pool,
        anchors,
        trust: &trust,
        time,
        usage,
        eku: EkuPolicy { usage, exempt },
    };
    // Under `first_pass_must_fail`, webpki cannot accept any path and its error
    // would be replaced by the first split error below: skipping it changes
    // nothing but the signature checks it would repeat.
    let mut best = if first_pass_must_fail(&ctx) {
        None
    } else {
        match first_pass(&ctx) {
            Ok(verdict) => return verdict,
            Err(err) => Some(Error::Path(err)),
        }
    };
    for point in split_points(&ctx)? {
        match via_split(&ctx, &point) {
            Ok(path) => return Ok(path),
            Err(e) if best.as_ref().is_none_or(|b| e.rank() >= b.rank()) => best = Some(e),
            Err(_) => {}
        }
    }
    Err(best.unwrap_or(Error::Path(webpki::Error::NameConstraintViolation)))
}

/// webpki on the chain as given. `Err`: webpki found no path (the split points
/// may still find one); `Ok`: the final verdict on the path it found, whose
/// KeyUsage check is not retried elsewhere.
fn first_pass(ctx: &Ctx<'_>) -> Result<Result<Path, Error>, webpki::Error> {
    let issuers_eku = |path: &VerifiedPath<'_>| issuers_eku(ctx, path);
    let path = ctx.end_entity.verify_for_usage(
        ALGORITHMS,
        ctx.trust,
        ctx.pool,
        ctx.time,
        &ctx.eku,
        None,
        ctx.eku.exempt.as_ref().map(|_| &issuers_eku as _),
    )?;
    let positions = match positions(ctx, path.intermediate_certificates()) {
        Ok(positions) => positions,
        Err(e) => return Ok(Err(e)),
    };
    let verdict = check_ca_key_usage(ctx, positions.get(1..).unwrap_or_default());
    Ok(verdict.map(|()| Path {
        positions,
        anchor_name: anchor_name(path.anchor()),
        uri_names_checked: 0,
    }))
}

/// Whether webpki's own pass is bound to fail: the leaf carries a URI SAN and
/// every certificate that could issue it (by subject name, among intermediates
/// and anchors; at least one) carries URI subtrees, which webpki holds every
/// URI SAN below to violate. Then every split point is tried in its stead.
/// Anything unreadable answers `false` (the first pass runs). An anchor's subject
/// and name constraints are read as webpki reads them for path building.
fn first_pass_must_fail(ctx: &Ctx<'_>) -> bool {
    let Some(leaf) = &ctx.leaf.x509 else {
        return false;
    };
    if !has_uri_san(leaf) {
        return false;
    }
    let issuer = leaf.issuer;
    let Some(issuer_contents) = der::read_only(issuer, 0x30).map(|t| t.value) else {
        return false;
    };
    let mut issuers = 0;
    for anchor in ctx.trust {
        if anchor.subject.as_ref() != issuer_contents {
            continue;
        }
        if !has_uri_subtrees(anchor.name_constraints.as_deref()) {
            return false;
        }
        issuers += 1;
    }
    for cert in ctx.intermediates {
        let Some(x509) = &cert.x509 else {
            return false;
        };
        if x509.subject != issuer {
            continue;
        }
        if !matches!(name_constraints_contents(x509), Ok(contents) if has_uri_subtrees(contents)) {
            return false;
        }
        issuers += 1;
    }
    issuers > 0
}

/// Whether `cert`'s SAN SEQUENCE holds a `[6]` (URI) name, read without
/// decoding the names. Only a hint: a SAN that does not read answers `false`
/// (webpki's pass then runs), and a path found by the split points checks every
/// URI SAN after decoding it ([`uri_sans`]).
fn has_uri_san(cert: &Certificate<'_>) -> bool {
    cert.extension(ext::SUBJECT_ALT_NAME)
        .and_then(|san| der::read_only(san.value, 0x30))
        .and_then(|names| der::elements(names.value))
        .is_some_and(|names| names.iter().any(|name| name.tag == 0x86))
}

fn has_uri_subtrees(contents: Option<&[u8]>) -> bool {
    matches!(
        contents.map(name_constraints::split),
        Some(Ok(split)) if !split.uri.is_empty()
    )
}

/// Where a split-point certificate comes from: its index among the anchors or
/// the intermediates.
#[derive(Clone, Copy)]
enum Origin {
    Anchor(usize),
    Intermediate(usize),
}

struct SplitPoint {
    origin: Origin,
    constraints: Split,
}

/// Certificates carrying URI subtrees, with their constraints split.
fn split_points(ctx: &Ctx<'_>) -> Result<Vec<SplitPoint>, Error> {
    let mut out = Vec::new();
    let anchors = ctx
        .trust
        .iter()
        .enumerate()
        .map(|(i, a)| (Origin::Anchor(i), a.name_constraints.as_deref()));
    for (origin, contents) in anchors {
        push_split_point(&mut out, origin, contents)?;
    }
    for (i, cert) in ctx.intermediates.iter().enumerate() {
        let contents = name_constraints_contents(cert.x509()?)?;
        push_split_point(&mut out, Origin::Intermediate(i), contents)?;
    }
    Ok(out)
}

fn push_split_point(
    out: &mut Vec<SplitPoint>,
    origin: Origin,
    contents: Option<&[u8]>,
) -> Result<(), Error> {
    let Some(contents) = contents else {
        return Ok(());
    };
    let constraints = name_constraints::split(contents)?;
    if !constraints.uri.is_empty() {
        out.push(SplitPoint {
            origin,
            constraints,
        });
    }
    Ok(())
}

fn via_split(ctx: &Ctx<'_>, point: &SplitPoint) -> Result<Path, Error> {
    let base = match point.origin {
        Origin::Anchor(i) => ctx.trust.get(i).cloned().ok_or_else(bad_der)?,
        Origin::Intermediate(i) => {
            anchor_from_trusted_cert(ctx.pool.get(i).ok_or_else(bad_der)?).map_err(Error::Path)?
        }
    };
    let anchor = [TrustAnchor {
        name_constraints: point.constraints.rest.as_deref().map(Into::into),
        ..base
    }];
    let others: Vec<CertificateDer<'_>> = ctx
        .pool
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(point.origin, Origin::Intermediate(j) if j == *i))
        .map(|(_, c)| CertificateDer::from(c.as_ref()))
        .collect();
    let issuers_eku = |path: &VerifiedPath<'_>| issuers_eku(ctx, path);
    let lower = ctx
        .end_entity
        .verify_for_usage(
            ALGORITHMS,
            &anchor,
            &others,
            ctx.time,
            &ctx.eku,
            None,
            ctx.eku.exempt.as_ref().map(|_| &issuers_eku as _),
        )
        .map_err(Error::Path)?;
    let mut positions = positions(ctx, lower.intermediate_certificates())?;
    let mut checked = 0;
    for &at in &positions {
        let x509 = cert_at(ctx, at)?.x509()?;
        for uri in uri_sans(x509)? {
            name_constraints::check_uri(uri, &point.constraints.uri)?;
            checked += 1;
        }
    }
    let anchor_name = match point.origin {
        Origin::Anchor(i) => anchor_name(ctx.trust.get(i).ok_or_else(bad_der)?),
        Origin::Intermediate(i) => {
            let below = positions.len() - 1;
            let start = ctx.intermediates.get(i).ok_or_else(bad_der)?;
            positions.push(i + 1);
            verify_upwards(ctx, start, below)?
        }
    };
    check_ca_key_usage(ctx, positions.get(1..).unwrap_or_default())?;
    Ok(Path {
        positions,
        anchor_name,
        uri_names_checked: checked,
    })
}

/// The URI SANs of `cert`.
fn uri_sans<'a>(cert: &Certificate<'a>) -> Result<Vec<&'a str>, Error> {
    let names = ext::san(cert).map_err(|_| bad_der())?;
    Ok(names
        .iter()
        .filter_map(|name| match name {
            x509_parser::extensions::GeneralName::URI(uri) => Some(*uri),
            _ => None,
        })
        .collect())
}

/// Verifies the URI-constrained CA `start` up to one of the anchors, with `below`
/// CA certificates under it. Returns the anchor's subject DER.
fn verify_upwards(ctx: &Ctx<'_>, start: &Cert<'_>, mut below: usize) -> Result<Vec<u8>, Error> {
    let mut child = start;
    let mut used: Vec<&[u8]> = vec![start.der];
    check_issuer(start.x509()?, below, ctx.time, ctx.usage)?;
    for _ in 0..=ctx.intermediates.len() {
        let issuer = child.x509()?.issuer;
        let issuer_contents = der::read_only(issuer, 0x30).ok_or_else(bad_der)?.value;
        for (anchor, der) in ctx.trust.iter().zip(ctx.anchors) {
            if anchor.subject.as_ref() == issuer_contents && signed_by(child.der, der)? {
                if anchor.name_constraints.is_some() {
                    return Err(above_split());
                }
                return Ok(anchor_name(anchor));
            }
        }
        below += 1;
        let mut next = None;
        for cert in ctx.intermediates {
            if used.contains(&cert.der) {
                continue;
            }
            let x509 = cert.x509()?;
            if x509.subject == issuer && signed_by(child.der, cert.der)? {
                check_issuer(x509, below, ctx.time, ctx.usage)?;
                if name_constraints_contents(x509)?.is_some() {
                    return Err(above_split());
                }
                next = Some(cert);
                break;
            }
        }
        let next = next.ok_or(Error::Path(webpki::Error::UnknownIssuer))?;
        used.push(next.der);
        child = next;
    }
    Err(Error::Path(webpki::Error::MaximumPathDepthExceeded))
}

/// What webpki checks of an issuer: validity, CA flag, path length, EKU if present.
/// An issuer is never exempt from the EKU check ([`EkuPolicy`] exempts the leaf only).
fn check_issuer(
    cert: &Certificate<'_>,
    below: usize,
    time: UnixTime,
    usage: Usage,
) -> Result<(), Error> {
    if let Some(ids) = eku_ids(cert)? {
        if !ids.contains(&usage.oid()) {
            return Err(Error::KeyUsage(format!(
                "issuer {} has an EKU without {usage:?}",
                cert::display_name(cert.subject)
            )));
        }
    }
    let now = i64::try_from(time.as_secs()).unwrap_or(i64::MAX);
    if now < cert.not_before {
        return Err(Error::Path(webpki::Error::CertNotValidYet {
            time,
            not_before: unix(cert.not_before),
        }));
    }
    if now > cert.not_after {
        return Err(Error::Path(webpki::Error::CertExpired {
            time,
            not_after: unix(cert.not_after),
        }));
    }
    let bc = ext::basic_constraints(cert).map_err(|_| bad_der())?;
    match bc {
        Some(bc) if bc.ca => match bc.path_len_constraint {
            Some(len) if usize::try_from(len).unwrap_or(usize::MAX) < below => {
                Err(Error::Path(webpki::Error::PathLenConstraintViolated))
            }
            _ => Ok(()),
        },
        _ => Err(Error::Path(webpki::Error::EndEntityUsedAsCa)),
    }
}

/// RFC 5280 §4.2.1.3: a CA with a KeyUsage extension must assert keyCertSign.
/// webpki ignores KeyUsage; we hold issuers on the path to it.
fn check_ca_key_usage(ctx: &Ctx<'_>, issuers: &[usize]) -> Result<(), Error> {
    for &at in issuers {
        let cert = cert_at(ctx, at)?.x509()?;
        let ku = ext::key_usage(cert).map_err(|_| bad_der())?;
        if ku.is_some_and(|ku| !ku.key_cert_sign()) {
            return Err(Error::KeyUsage(format!(
                "issuer {} lacks keyCertSign",
                cert::display_name(cert.subject)
            )));
        }
    }
    Ok(())
}

/// The reading of a certificate on a path webpki built from `ctx`'s certificates.
fn find<'c>(ctx: &Ctx<'c>, der: &[u8]) -> Result<&'c Cert<'c>, Error> {
    cert_at(ctx, position(ctx, der)?)
}

/// The position in the chain as given (0: the leaf) of a certificate webpki
/// put on a path.
fn position(ctx: &Ctx<'_>, der: &[u8]) -> Result<usize, Error> {
    std::iter::once(ctx.leaf)
        .chain(ctx.intermediates)
        .position(|c| c.der == der)
        .ok_or_else(bad_der)
}

fn cert_at<'c>(ctx: &Ctx<'c>, at: usize) -> Result<&'c Cert<'c>, Error> {
    match at {
        0 => Ok(ctx.leaf),
        _ => ctx.intermediates.get(at - 1).ok_or_else(bad_der),
    }
}

/// The leaf's position, then those of the intermediates of a webpki path.
fn positions<'p>(
    ctx: &Ctx<'_>,
    intermediates: impl Iterator<Item = &'p webpki::Cert<'p>>,
) -> Result<Vec<usize>, Error> {
    std::iter::once(Ok(0))
        .chain(intermediates.map(|c| position(ctx, &c.der())))
        .collect()
}

/// The EKU policy handed to webpki.
///
/// Without `exempt` it is webpki's [`KeyUsage`] for the usage: a certificate with
/// an EKU must name it. With `exempt` (the leaf's EKU OIDs, when `cert.eku` judges
/// the leaf) a certificate whose EKU list is exactly `exempt` passes too, and
/// [`issuers_eku`] then holds every issuer on a candidate path to the usage again.
///
/// Why a leaf without clientAuth can never be accepted through this exemption: the
/// only certificate the exemption lets through on an accepted path is the leaf
/// (issuers are re-checked without it by [`issuers_eku`], above a split point by
/// [`check_issuer`]; anchors carry no EKU for webpki), and `cert.eku` requires
/// clientAuth in that same leaf. [`super::check_chain`] runs `cert.eku` before the
/// path: fail-fast verification stops there, an audit records the failure, so the
/// verdict is reject either way. The exemption only moves the failure from two
/// checks to the one that names it.
struct EkuPolicy<'a> {
    usage: Usage,
    exempt: Option<Vec<&'a [u8]>>,
}

impl ExtendedKeyUsageValidator for EkuPolicy<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let Some(exempt) = &self.exempt else {
            return self.usage.webpki().validate(iter);
        };
        let required = KeyPurposeId::new(self.usage.oid());
        let ids = iter.collect::<Result<Vec<_>, _>>()?;
        let is_exempt = ids.len() == exempt.len()
            && ids
                .iter()
                .zip(exempt)
                .all(|(id, own)| *id == KeyPurposeId::new(own));
        if ids.is_empty() || is_exempt || ids.contains(&required) {
            return Ok(());
        }
        Err(eku_not_found(
            self.usage,
            ids.iter().map(KeyPurposeId::to_decoded_oid).collect(),
        ))
    }
}

/// Holds every issuer on a candidate path to the usage, without [`EkuPolicy`]'s
/// exemption: webpki then tries the next candidate path.
fn issuers_eku(ctx: &Ctx<'_>, path: &VerifiedPath<'_>) -> Result<(), webpki::Error> {
    for cert in path.intermediate_certificates() {
        let der = cert.der();
        let x509 = find(ctx, &der)
            .and_then(Cert::x509)
            .map_err(|_| webpki::Error::BadDer)?;
        match eku_ids(x509) {
            Ok(Some(ids)) if !ids.contains(&ctx.usage.oid()) => {
                let present = ids
                    .iter()
                    .map(|id| KeyPurposeId::new(id).to_decoded_oid())
                    .collect();
                return Err(eku_not_found(ctx.usage, present));
            }
            Ok(_) => {}
            Err(_) => return Err(webpki::Error::BadDer),
        }
    }
    Ok(())
}

fn eku_not_found(usage: Usage, present: Vec<Vec<usize>>) -> webpki::Error {
    webpki::Error::RequiredEkuNotFoundContext(RequiredEkuNotFoundContext {
        required: usage.webpki(),
        present,
    })
}

/// The OIDs (contents octets) of `cert`'s EKU extension; `None` when it has none.
fn eku_ids<'a>(cert: &Certificate<'a>) -> Result<Option<Vec<&'a [u8]>>, Error> {
    ext::eku(cert).map_err(|_| bad_der())
}

/// Whether `child` carries a valid signature by `issuer`'s key, using webpki's
/// aws-lc-rs algorithm table (matched on the exact `AlgorithmIdentifier` bytes).
fn signed_by(child: &[u8], issuer: &[u8]) -> Result<bool, Error> {
    let signed = der::signed(child).ok_or_else(bad_der)?;
    let issuer = CertificateDer::from(issuer);
    let issuer = EndEntityCert::try_from(&issuer).map_err(Error::Path)?;
    for alg in ALGORITHMS
        .iter()
        .filter(|a| a.signature_alg_id().as_ref() == signed.algorithm)
    {
        match issuer.verify_signature(*alg, signed.tbs, signed.signature) {
            Ok(()) => return Ok(true),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => continue,
            Err(_) => return Ok(false),
        }
    }
    Ok(false)
}

fn name_constraints_contents<'a>(cert: &Certificate<'a>) -> Result<Option<&'a [u8]>, Error> {
    let Some(ext) = cert.extension(ext::NAME_CONSTRAINTS) else {
        return Ok(None);
    };
    let seq = der::read_only(ext.value, 0x30).ok_or_else(bad_der)?;
    Ok(Some(seq.value))
}

/// The anchor's subject as a DER `Name` (webpki keeps only its contents).
fn anchor_name(anchor: &TrustAnchor<'_>) -> Vec<u8> {
    let mut name = Vec::with_capacity(anchor.subject.as_ref().len() + 4);
    der::write(0x30, anchor.subject.as_ref(), &mut name);
    name
}

fn unix(secs: i64) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(secs).unwrap_or_default(),
    ))
}

fn bad_der() -> Error {
    Error::Path(webpki::Error::BadDer)
}

fn above_split() -> Error {
    Error::Unevaluable(
        "a name constraint above the URI-constrained CA cannot be combined with it".into(),
    )
}
