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

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::name_constraints::{self, Split};
use super::{der, profile, Error};

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
}

/// A validated path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The certificates of the path, leaf first, up to (excluding) the anchor.
    pub certificates: Vec<CertificateDer<'static>>,
    /// The subject of the anchor the path ends at (RFC 4514 style).
    pub anchor_subject: String,
    /// How many URI SANs our code checked against URI name constraints.
    pub uri_names_checked: usize,
}

/// Validates `chain` (leaf first, then any intermediates in any order) to one of
/// `anchors` (certificates: a root or a pinned intermediate) at `time`.
pub fn verify_path(
    chain: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    usage: Usage,
) -> Result<Path, Error> {
    let (leaf_der, intermediates) = chain
        .split_first()
        .ok_or(Error::CertFormat(super::InputError::Nothing("certificate")))?;
    let leaf = EndEntityCert::try_from(leaf_der).map_err(Error::Path)?;
    let trust = anchors
        .iter()
        .map(|a| anchor_from_trusted_cert(a).map_err(Error::Path))
        .collect::<Result<Vec<_>, _>>()?;
    // Under `first_pass_must_fail`, webpki cannot accept any path and its error
    // would be replaced by the first split error below: skipping it changes
    // nothing but the signature checks it would repeat.
    let mut best = if first_pass_must_fail(leaf_der, intermediates, anchors) {
        None
    } else {
        let first = leaf.verify_for_usage(
            ALGORITHMS,
            &trust,
            intermediates,
            time,
            usage.webpki(),
            None,
            None,
        );
        match first {
            Ok(path) => {
                let mut certificates = vec![leaf_der.clone().into_owned()];
                certificates.extend(
                    path.intermediate_certificates()
                        .map(|c| c.der().into_owned()),
                );
                check_ca_key_usage(certificates.get(1..).unwrap_or_default())?;
                let anchor_subject = anchor_name(path.anchor(), anchors);
                return Ok(Path {
                    certificates,
                    anchor_subject,
                    uri_names_checked: 0,
                });
            }
            Err(err) => Some(Error::Path(err)),
        }
    };
    for (index, candidate) in split_points(intermediates, anchors)? {
        match via_split(
            &leaf,
            leaf_der,
            candidate,
            index,
            intermediates,
            anchors,
            time,
            usage,
        ) {
            Ok(path) => return Ok(path),
            Err(e) if best.as_ref().is_none_or(|b| e.rank() >= b.rank()) => best = Some(e),
            Err(_) => {}
        }
    }
    Err(best.unwrap_or(Error::Path(webpki::Error::NameConstraintViolation)))
}

/// Whether webpki's own pass is bound to fail: the leaf carries a URI SAN and
/// every certificate that could issue it (by subject name, among intermediates
/// and anchors; at least one) carries URI subtrees, which webpki holds every
/// URI SAN below to violate. Then every split point is tried in its stead.
/// Anything unreadable answers `false` (the first pass runs, as before).
fn first_pass_must_fail(
    leaf_der: &[u8],
    intermediates: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
) -> bool {
    let Ok(leaf) = parse(leaf_der) else {
        return false;
    };
    match profile::san_names(&leaf) {
        Ok((uris, _)) if !uris.is_empty() => {}
        _ => return false,
    }
    let mut issuers = 0;
    for der in anchors.iter().chain(intermediates) {
        let Ok(cert) = parse(der) else {
            return false;
        };
        if cert.subject().as_raw() != leaf.issuer().as_raw() {
            continue;
        }
        let uri_subtrees = matches!(
            name_constraints_contents(&cert).map(|c| c.map(name_constraints::split)),
            Ok(Some(Ok(split))) if !split.uri.is_empty()
        );
        if !uri_subtrees {
            return false;
        }
        issuers += 1;
    }
    issuers > 0
}

/// Where a split-point certificate comes from.
#[derive(Clone, Copy)]
enum Origin {
    Anchor,
    Intermediate(usize),
}

struct SplitPoint<'a> {
    der: &'a CertificateDer<'a>,
    constraints: Split,
}

/// Certificates carrying URI subtrees, with their constraints split.
fn split_points<'a>(
    intermediates: &'a [CertificateDer<'a>],
    anchors: &'a [CertificateDer<'a>],
) -> Result<Vec<(Origin, SplitPoint<'a>)>, Error> {
    let tagged = anchors.iter().map(|c| (Origin::Anchor, c)).chain(
        intermediates
            .iter()
            .enumerate()
            .map(|(i, c)| (Origin::Intermediate(i), c)),
    );
    let mut out = Vec::new();
    for (origin, der) in tagged {
        let cert = parse(der)?;
        let Some(contents) = name_constraints_contents(&cert)? else {
            continue;
        };
        let constraints = name_constraints::split(contents)?;
        if constraints.uri.is_empty() {
            continue;
        }
        out.push((origin, SplitPoint { der, constraints }));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn via_split(
    leaf: &EndEntityCert<'_>,
    leaf_der: &CertificateDer<'_>,
    point: SplitPoint<'_>,
    origin: Origin,
    intermediates: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    usage: Usage,
) -> Result<Path, Error> {
    let anchor = [TrustAnchor {
        name_constraints: point.constraints.rest.as_deref().map(Into::into),
        ..anchor_from_trusted_cert(point.der).map_err(Error::Path)?
    }];
    let others: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(origin, Origin::Intermediate(j) if j == *i))
        .map(|(_, c)| c.clone())
        .collect();
    let lower = leaf
        .verify_for_usage(
            ALGORITHMS,
            &anchor,
            &others,
            time,
            usage.webpki(),
            None,
            None,
        )
        .map_err(Error::Path)?;
    let mut certificates = vec![leaf_der.clone().into_owned()];
    certificates.extend(
        lower
            .intermediate_certificates()
            .map(|c| c.der().into_owned()),
    );
    let mut checked = 0;
    for der in &certificates {
        let (uris, _) = profile::san_names(&parse(der)?).map_err(|_| bad_der())?;
        for uri in &uris {
            name_constraints::check_uri(uri, &point.constraints.uri)?;
            checked += 1;
        }
    }
    let anchor_subject = match origin {
        Origin::Anchor => parse(point.der)?.subject().to_string(),
        Origin::Intermediate(_) => {
            let below = certificates.len() - 1;
            certificates.push(point.der.clone().into_owned());
            verify_upwards(point.der, below, intermediates, anchors, time, usage)?
        }
    };
    check_ca_key_usage(certificates.get(1..).unwrap_or_default())?;
    Ok(Path {
        certificates,
        anchor_subject,
        uri_names_checked: checked,
    })
}

/// Verifies the URI-constrained CA `start` up to one of `anchors`, with `below`
/// CA certificates under it. Returns the anchor's subject.
fn verify_upwards(
    start: &CertificateDer<'_>,
    mut below: usize,
    pool: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    usage: Usage,
) -> Result<String, Error> {
    let mut child_der = start;
    let mut used: Vec<&[u8]> = vec![start.as_ref()];
    check_issuer(&parse(start)?, below, time, usage)?;
    for _ in 0..=pool.len() {
        let child = parse(child_der)?;
        for anchor in anchors {
            let cert = parse(anchor)?;
            if cert.subject().as_raw() == child.issuer().as_raw() && signed_by(child_der, anchor)? {
                if name_constraints_contents(&cert)?.is_some() {
                    return Err(above_split());
                }
                return Ok(cert.subject().to_string());
            }
        }
        below += 1;
        let mut next = None;
        for der in pool {
            if used.contains(&der.as_ref()) {
                continue;
            }
            let cert = parse(der)?;
            if cert.subject().as_raw() == child.issuer().as_raw() && signed_by(child_der, der)? {
                check_issuer(&cert, below, time, usage)?;
                if name_constraints_contents(&cert)?.is_some() {
                    return Err(above_split());
                }
                next = Some(der);
                break;
            }
        }
        let next = next.ok_or(Error::Path(webpki::Error::UnknownIssuer))?;
        used.push(next.as_ref());
        child_der = next;
    }
    Err(Error::Path(webpki::Error::MaximumPathDepthExceeded))
}

/// What webpki checks of an issuer: validity, CA flag, path length, EKU if present.
fn check_issuer(
    cert: &X509Certificate<'_>,
    below: usize,
    time: UnixTime,
    usage: Usage,
) -> Result<(), Error> {
    let eku = cert.extended_key_usage().map_err(|_| bad_der())?;
    if let Some(eku) = eku.map(|e| e.value) {
        let allowed = match usage {
            Usage::ClientAuth => eku.client_auth,
            Usage::ServerAuth => eku.server_auth,
        };
        if !allowed {
            return Err(Error::KeyUsage(format!(
                "issuer {} has an EKU without {usage:?}",
                cert.subject()
            )));
        }
    }
    let now = i64::try_from(time.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(Error::Path(webpki::Error::CertNotValidYet {
            time,
            not_before: unix(validity.not_before.timestamp()),
        }));
    }
    if now > validity.not_after.timestamp() {
        return Err(Error::Path(webpki::Error::CertExpired {
            time,
            not_after: unix(validity.not_after.timestamp()),
        }));
    }
    let bc = cert.basic_constraints().map_err(|_| bad_der())?;
    match bc.map(|ext| ext.value) {
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
fn check_ca_key_usage(issuers: &[CertificateDer<'_>]) -> Result<(), Error> {
    for der in issuers {
        let cert = parse(der)?;
        let ku = cert.key_usage().map_err(|_| bad_der())?;
        if ku.is_some_and(|ku| !ku.value.key_cert_sign()) {
            return Err(Error::KeyUsage(format!(
                "issuer {} lacks keyCertSign",
                cert.subject()
            )));
        }
    }
    Ok(())
}

/// Whether `child` carries a valid signature by `issuer`'s key, using webpki's
/// aws-lc-rs algorithm table (matched on the exact `AlgorithmIdentifier` bytes).
fn signed_by(child: &[u8], issuer: &CertificateDer<'_>) -> Result<bool, Error> {
    let signed = der::signed(child).ok_or_else(bad_der)?;
    let issuer = EndEntityCert::try_from(issuer).map_err(Error::Path)?;
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

fn name_constraints_contents<'a>(cert: &'a X509Certificate<'_>) -> Result<Option<&'a [u8]>, Error> {
    let Some(ext) = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.30")
    else {
        return Ok(None);
    };
    let seq = der::read_only(ext.value, 0x30).ok_or_else(bad_der)?;
    Ok(Some(seq.value))
}

fn anchor_name(anchor: &TrustAnchor<'_>, anchors: &[CertificateDer<'_>]) -> String {
    anchors
        .iter()
        .filter_map(|der| parse(der).ok())
        .find(|c| {
            der::read_only(c.subject().as_raw(), 0x30)
                .is_some_and(|s| s.value == anchor.subject.as_ref())
                && der::read_only(c.public_key().raw, 0x30)
                    .is_some_and(|s| s.value == anchor.subject_public_key_info.as_ref())
        })
        .map(|c| c.subject().to_string())
        .unwrap_or_default()
}

fn parse<'a>(der: &'a [u8]) -> Result<X509Certificate<'a>, Error> {
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|_| bad_der())
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
