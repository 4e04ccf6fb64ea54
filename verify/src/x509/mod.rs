//! Certificate chains and CSRs of a Wire E2EI enrolment.
//!
//! Check ids (see [`Error::check_id`](crate::report::Failure::check_id)):
//! `cert.format`, `cert.chain`, `cert.eku`, `cert.san`, `cert.key_binding`,
//! `cert.subject`, `cert.provisioner`, `csr.format`, `csr.signature`, `csr.san`, `csr.subject`.
//!
//! Every check is written once against [`Sink`]: [`verify_chain`] / [`verify_csr`]
//! stop at the first failure (a server), [`audit_chain`] / [`audit_csr`] run all
//! checks and report `skip` for checks whose expectation was not given.
//!
//! Path validation is rustls-webpki's, except for URI name constraints, which webpki
//! cannot evaluate: see [`chain`] for how the two are combined without weakening
//! either.

mod cert;
pub mod chain;
mod csr;
mod der;
mod ext;
mod input;
mod name_constraints;
mod path_error;
mod profile;
mod provisioner;

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::report::{AcmeProblem, FailFast, Failure, Report, Sink};

pub use chain::{verify_path, Path, Usage};
pub use csr::{Csr, DISPLAY_NAME_OID};
pub use input::{parse_certificates, parse_csr_der, InputError};
pub use profile::{Leaf, SubjectNames, CLIENT_AUTH, SERVER_AUTH};
pub use provisioner::{Provisioner, ACME_PROVISIONER_TYPE, PROVISIONER_OID};

/// Why a certificate chain or CSR check failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The chain input could not be read (`cert.format`).
    #[error("certificate chain unreadable: {0}")]
    CertFormat(InputError),
    /// The CSR input could not be read (`csr.format`).
    #[error("CSR unreadable: {0}")]
    CsrFormat(InputError),
    /// A server-side verification was asked for without a trust anchor (`cert.chain`).
    #[error("no trust anchor given: pin a root or an intermediate")]
    NoTrustAnchor,
    /// webpki rejected the path (`cert.chain`).
    #[error("certificate path does not verify: {}", path_error::explain(.0))]
    Path(webpki::Error),
    /// A URI SAN lies outside an issuer's URI name constraints (`cert.chain`).
    #[error("URI name constraint violated by {uri}: {reason}")]
    UriConstraint {
        /// The offending URI SAN.
        uri: String,
        /// Which subtree it failed and why.
        reason: String,
    },
    /// A name constraint we cannot evaluate: rejected, fail closed (`cert.chain`).
    #[error("name constraints cannot be evaluated, rejected: {0}")]
    Unevaluable(String),
    /// A KeyUsage extension forbids the use the path makes of a key (`cert.chain`).
    #[error("key usage: {0}")]
    KeyUsage(String),
    /// The leaf does not name clientAuth in its EKU (`cert.eku`).
    #[error("leaf EKU lacks clientAuth")]
    Eku {
        /// The EKU OIDs present, `None` if the extension is absent.
        found: Option<Vec<String>>,
    },
    /// The leaf's SANs of one form are not the expected identities (`cert.san`).
    #[error("leaf {form} SANs are not the expected identities")]
    San {
        /// `URI` or `DNS`.
        form: &'static str,
        /// Expected identities.
        expected: Vec<String>,
        /// SANs found.
        found: Vec<String>,
    },
    /// A leaf subject attribute differs from what is expected (`cert.subject`).
    #[error("leaf subject {field} is not the expected value")]
    Subject {
        /// `O` or `display name`.
        field: &'static str,
        /// Expected value.
        expected: String,
        /// Value found.
        found: Option<String>,
    },
    /// The leaf key is not the expected key (`cert.key_binding`).
    #[error("leaf public key is not the expected key")]
    KeyBinding {
        /// Expected key, hex.
        expected: String,
        /// Leaf SPKI, hex.
        found: String,
    },
    /// The provisioner extension is missing, unreadable or names another
    /// provisioner (`cert.provisioner`).
    #[error("provisioner extension: {reason}")]
    Provisioner {
        /// What is wrong.
        reason: String,
        /// Expected provisioner name, if one was given.
        expected: Option<String>,
        /// What the leaf holds.
        found: Option<String>,
    },
    /// The CSR signature does not verify (`csr.signature`).
    #[error("CSR signature: {0}")]
    CsrSignature(String),
    /// The CSR requests other identities than expected (`csr.san`).
    #[error("CSR requests other {form} SANs than the order's identifiers")]
    CsrSan {
        /// `URI` or `DNS`.
        form: &'static str,
        /// Expected identities.
        expected: Vec<String>,
        /// Requested SANs.
        found: Vec<String>,
    },
    /// A CSR subject attribute differs from what is expected (`csr.subject`).
    #[error("CSR subject {field} is not the expected value")]
    CsrSubject {
        /// `O` or `displayName`.
        field: &'static str,
        /// Expected value.
        expected: String,
        /// Value found.
        found: Option<String>,
    },
}

impl Error {
    /// How far verification got before this error: picks the most telling error
    /// among the paths tried.
    fn rank(&self) -> u8 {
        match self {
            Error::Path(_) => 0,
            Error::KeyUsage(_) => 1,
            _ => 2,
        }
    }
}

impl Failure for Error {
    fn check_id(&self) -> &'static str {
        match self {
            Error::CertFormat(_) => "cert.format",
            Error::CsrFormat(_) => "csr.format",
            Error::NoTrustAnchor
            | Error::Path(_)
            | Error::UriConstraint { .. }
            | Error::Unevaluable(_)
            | Error::KeyUsage(_) => "cert.chain",
            Error::Eku { .. } => "cert.eku",
            Error::San { .. } => "cert.san",
            Error::Subject { .. } => "cert.subject",
            Error::KeyBinding { .. } => "cert.key_binding",
            Error::Provisioner { .. } => "cert.provisioner",
            Error::CsrSignature(_) => "csr.signature",
            Error::CsrSan { .. } => "csr.san",
            Error::CsrSubject { .. } => "csr.subject",
        }
    }

    fn problem(&self) -> AcmeProblem {
        match self {
            Error::CertFormat(_) => AcmeProblem::Malformed,
            Error::San { .. } | Error::Subject { .. } => AcmeProblem::RejectedIdentifier,
            Error::CsrFormat(_)
            | Error::CsrSignature(_)
            | Error::CsrSan { .. }
            | Error::CsrSubject { .. } => AcmeProblem::BadCsr,
            _ => AcmeProblem::Unauthorized,
        }
    }

    fn expected(&self) -> Option<String> {
        match self {
            Error::Eku { .. } => Some(CLIENT_AUTH.to_owned()),
            Error::San { expected, .. } | Error::CsrSan { expected, .. } => {
                Some(expected.join(", "))
            }
            Error::KeyBinding { expected, .. } => Some(expected.clone()),
            Error::Provisioner { expected, .. } => expected.clone(),
            Error::CsrSubject { expected, .. } | Error::Subject { expected, .. } => {
                Some(expected.clone())
            }
            _ => None,
        }
    }

    fn found(&self) -> Option<String> {
        match self {
            Error::Eku { found } => Some(
                found
                    .as_ref()
                    .map_or("no EKU extension".into(), |f| f.join(", ")),
            ),
            Error::San { found, .. } | Error::CsrSan { found, .. } => Some(found.join(", ")),
            Error::KeyBinding { found, .. } => Some(found.clone()),
            Error::Provisioner { found, .. }
            | Error::CsrSubject { found, .. }
            | Error::Subject { found, .. } => found.clone(),
            Error::UriConstraint { uri, .. } => Some(uri.clone()),
            _ => None,
        }
    }
}

/// What the verifier knows about the chain it is given.
#[derive(Clone, Debug)]
pub struct ChainExpectations {
    /// Trust anchors as certificates: a root, or a pinned intermediate. Empty:
    /// `cert.chain` can at best `warn` (audit) and [`verify_chain`] refuses.
    pub trust_anchors: Vec<CertificateDer<'static>>,
    /// The time of verification (capture time for an audit, now for a server).
    pub time: UnixTime,
    /// Expected URI SANs (client id, handle, old `im:wireapp` forms), compared as
    /// a set after percent-decoding.
    pub uris: Option<Vec<String>>,
    /// Expected DNS SANs (2023-01 flows), compared as a set.
    pub dns_names: Option<Vec<String>>,
    /// Expected leaf key: SubjectPublicKeyInfo DER or raw key bytes (from the CSR
    /// or the ACME account JWK).
    pub public_key: Option<Vec<u8>>,
    /// Expected subject `O` (the Wire domain).
    pub organization: Option<String>,
    /// Expected display name (the subject's `displayName`, else its `CN`).
    pub display_name: Option<String>,
    /// Whether the provisioner extension must be present.
    pub require_provisioner: bool,
    /// Expected provisioner name (implies the extension is required).
    pub provisioner_name: Option<String>,
}

impl ChainExpectations {
    /// Expectations with no anchor and nothing expected, at `time`.
    pub fn new(time: UnixTime) -> Self {
        ChainExpectations {
            trust_anchors: Vec::new(),
            time,
            uris: None,
            dns_names: None,
            public_key: None,
            organization: None,
            display_name: None,
            require_provisioner: false,
            provisioner_name: None,
        }
    }

    /// Expectations at `secs` seconds after the Unix epoch.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            secs,
        )))
    }
}

/// A chain that passed the checks that ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The certificates as given, leaf first.
    pub certificates: Vec<CertificateDer<'static>>,
    /// The profile fields of the leaf.
    pub leaf: Leaf,
    /// The validated path; `None` if it could not be validated (audit mode).
    pub path: Option<Path>,
    /// Whether the path ends at a trust anchor the caller gave.
    pub anchored: bool,
}

/// What a caller may want of one certificate without verifying anything: read
/// by the same strict reader as `cert.format`, so an auditor dating a capture
/// or spotting a root needs no second, laxer parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// Subject and issuer are the same name, byte for byte (a root, or a
    /// self-issued CA; whether it is self-signed is for a verification to say).
    pub self_issued: bool,
    /// basicConstraints says `cA` (an unreadable extension reads as not a CA).
    pub ca: bool,
}

/// [`Summary`] of one DER certificate; an error if it does not read.
pub fn summary(der: &[u8]) -> Result<Summary, InputError> {
    let cert = input::parse_item(0, der)?;
    Ok(Summary {
        not_before: cert.not_before,
        not_after: cert.not_after,
        self_issued: cert.subject == cert.issuer,
        ca: ext::basic_constraints(&cert).is_ok_and(|bc| bc.is_some_and(|bc| bc.ca)),
    })
}

/// Fail-fast chain verification for a server: every check, first failure returned.
/// Refuses to run without a trust anchor.
pub fn verify_chain(input: &[u8], expect: &ChainExpectations) -> Result<VerifiedChain, Error> {
    if expect.trust_anchors.is_empty() {
        return Err(Error::NoTrustAnchor);
    }
    check_chain(input, expect, &mut FailFast)?.ok_or(Error::NoTrustAnchor)
}

/// Audit of a chain: every check, in order, with skips for missing expectations.
pub fn audit_chain(input: &[u8], expect: &ChainExpectations) -> Report {
    let mut report = Report::new();
    let result = check_chain(input, expect, &mut report);
    report.settle(result);
    report
}

/// The chain checks, written once for both sinks. `Ok(None)`: the input was
/// unreadable and the sink recorded it.
///
/// Each certificate is decoded and parsed once here; the profile and path checks
/// share that reading.
pub fn check_chain<S: Sink<Error>>(
    input: &[u8],
    expect: &ChainExpectations,
    sink: &mut S,
) -> Result<Option<VerifiedChain>, Error> {
    match input::certificate_items(input) {
        Ok(items) => check_chain_der(items, expect, None::<ChooseSans>, sink),
        Err(e) => {
            sink.fail(Error::CertFormat(e))?;
            Ok(None)
        }
    }
}

/// Audit of a chain already split into DER certificates, leaf first: what an
/// auditor that extracted the DER itself (from a transcript) hands over, with
/// no text encoding to write and read back. Each item is read exactly as
/// [`audit_chain`] reads the items it decodes, errors and their indices alike.
pub fn audit_chain_der(certificates: Vec<Vec<u8>>, expect: &ChainExpectations) -> Report {
    let mut report = Report::new();
    let result = check_chain_der(certificates, expect, None::<ChooseSans>, &mut report);
    report.settle(result);
    report
}

/// Expected URI and DNS SANs, as [`ChainExpectations::uris`] and
/// [`ChainExpectations::dns_names`].
pub type ExpectedSans = (Option<Vec<String>>, Option<Vec<String>>);

/// A choice of [`ExpectedSans`] made with the leaf in hand.
type ChooseSans = fn(&Leaf) -> ExpectedSans;

/// [`audit_chain_der`] with the expected SANs chosen by `expected_sans` from
/// the leaf as the chain checks read it (`expect.uris` and `expect.dns_names`
/// are not read): an auditor that compares a form only when the leaf holds
/// names of it reads the leaf once, here, rather than once more beforehand.
/// Not called when the leaf does not read (`cert.format` fails and no SAN is
/// compared).
pub fn audit_chain_der_with(
    certificates: Vec<Vec<u8>>,
    expect: &ChainExpectations,
    expected_sans: impl FnOnce(&Leaf) -> ExpectedSans,
) -> Report {
    let mut report = Report::new();
    let result = check_chain_der(certificates, expect, Some(expected_sans), &mut report);
    report.settle(result);
    report
}

/// [`check_chain`] after input decoding; `choose` replaces the expected SANs
/// of `expect` when given.
fn check_chain_der<S: Sink<Error>, F: FnOnce(&Leaf) -> ExpectedSans>(
    items: Vec<Vec<u8>>,
    expect: &ChainExpectations,
    choose: Option<F>,
    sink: &mut S,
) -> Result<Option<VerifiedChain>, Error> {
    let Some((leaf, path)) = check_read(&items, expect, sink)? else {
        return Ok(None);
    };
    let chosen = choose.map(|choose| choose(&leaf));
    let (uris, dns_names) = match &chosen {
        Some((uris, dns_names)) => (uris.as_ref(), dns_names.as_ref()),
        None => (expect.uris.as_ref(), expect.dns_names.as_ref()),
    };
    check_sans(&leaf, uris, dns_names, sink)?;
    check_subject(&leaf, expect, sink)?;
    match &expect.public_key {
        Some(key) => sink.outcome("cert.key_binding", profile::check_key(&leaf, key), || {
            "leaf public key is the expected key".into()
        })?,
        None => sink.skip("cert.key_binding", || "no expected key given".into()),
    }
    check_provisioner(&leaf, expect, sink)?;
    Ok(Some(VerifiedChain {
        anchored: path.is_some() && !expect.trust_anchors.is_empty(),
        certificates: items.into_iter().map(CertificateDer::from).collect(),
        leaf,
        path,
    }))
}

/// `cert.format`, `cert.eku` and `cert.chain` on the certificates of `items`,
/// each parsed once. `Ok(None)`: a certificate was unreadable and the sink
/// recorded it.
fn check_read<S: Sink<Error>>(
    items: &[Vec<u8>],
    expect: &ChainExpectations,
    sink: &mut S,
) -> Result<Option<(Leaf, Option<Path>)>, Error> {
    let read = items
        .iter()
        .enumerate()
        .map(|(index, der)| {
            input::parse_item(index, der).map(|x509| chain::Cert {
                der,
                x509: Some(x509),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|certs| {
            let leaf = match certs.first().and_then(|c| c.x509.as_ref()) {
                Some(x509) => Leaf::from_x509(x509)?,
                None => return Err(InputError::Nothing("certificate")),
            };
            Ok((certs, leaf))
        });
    let (certs, leaf) = match read {
        Ok(read) => read,
        Err(e) => {
            sink.fail(Error::CertFormat(e))?;
            return Ok(None);
        }
    };
    sink.pass("cert.format", || {
        if leaf.subject_is_empty() {
            format!("{} certificate(s), leaf with an empty subject", certs.len())
        } else {
            format!("{} certificate(s), leaf {}", certs.len(), leaf.subject())
        }
    });
    sink.outcome("cert.eku", profile::check_eku(&leaf), || {
        "leaf EKU includes clientAuth".into()
    })?;
    let path = check_path(&certs, &leaf, expect, sink)?;
    Ok(Some((leaf, path)))
}

fn check_path<S: Sink<Error>>(
    certs: &[chain::Cert<'_>],
    leaf: &Leaf,
    expect: &ChainExpectations,
    sink: &mut S,
) -> Result<Option<Path>, Error> {
    let top;
    let (chain, anchors) = if expect.trust_anchors.is_empty() {
        match certs.split_last() {
            Some((last, chain)) if !chain.is_empty() => {
                top = [CertificateDer::from(last.der)];
                (chain, top.as_slice())
            }
            _ => {
                sink.skip("cert.chain", || {
                    "no trust anchor given and the input holds no issuer".into()
                });
                return Ok(None);
            }
        }
    } else {
        (certs, expect.trust_anchors.as_slice())
    };
    let result = chain::verify_certs(
        chain,
        anchors,
        expect.time,
        Usage::ClientAuth,
        chain::LeafEku::CheckedApart,
    )
    .and_then(|path| match leaf.digital_signature() {
        Some(false) => Err(Error::KeyUsage(
            "leaf KeyUsage lacks digitalSignature".into(),
        )),
        _ => Ok(path),
    });
    let path = match result {
        Ok(path) => path,
        Err(e) => {
            sink.fail(e)?;
            return Ok(None);
        }
    };
    let uri_note = match path.uri_names_checked {
        0 => String::new(),
        n => format!("; {n} URI SAN(s) checked against URI name constraints"),
    };
    if expect.trust_anchors.is_empty() {
        sink.warn("cert.chain", || {
            format!(
                "verified link by link up to {}, which is not a trust anchor you gave: \
                 the chain is NOT trusted{uri_note}",
                path.anchor_subject()
            )
        });
    } else {
        sink.pass("cert.chain", || {
            format!(
                "{} certificate(s) verified to trust anchor {} for clientAuth{uri_note}",
                path.positions.len(),
                path.anchor_subject()
            )
        });
    }
    Ok(Some(path))
}

fn check_sans<S: Sink<Error>>(
    leaf: &Leaf,
    uris: Option<&Vec<String>>,
    dns_names: Option<&Vec<String>>,
    sink: &mut S,
) -> Result<(), Error> {
    let forms = [
        ("URI", uris, leaf.uri_sans()),
        ("DNS", dns_names, leaf.dns_sans()),
    ];
    if forms.iter().all(|(_, expected, _)| expected.is_none()) {
        sink.skip("cert.san", || {
            format!(
                "no expected identities given; leaf has URI {:?}, DNS {:?}",
                leaf.uri_sans(),
                leaf.dns_sans()
            )
        });
        return Ok(());
    }
    for (form, expected, found) in forms {
        if let Some(expected) = expected {
            sink.outcome(
                "cert.san",
                profile::check_names(form, expected, found),
                || format!("leaf {form} SANs are the expected identities {expected:?}"),
            )?;
        }
    }
    Ok(())
}

/// `cert.subject`: the domain and display name the leaf states are the
/// order's. Clients show the certificate's display name as the verified
/// name, so a leaf whose SANs are right but whose name is another user's is
/// a wrong identity all the same.
fn check_subject<S: Sink<Error>>(
    leaf: &Leaf,
    expect: &ChainExpectations,
    sink: &mut S,
) -> Result<(), Error> {
    if expect.organization.is_none() && expect.display_name.is_none() {
        sink.skip("cert.subject", || {
            "no expected domain or display name given".into()
        });
        return Ok(());
    }
    let names = leaf.subject_names();
    let fields = [
        ("O", &expect.organization, names.organization),
        ("display name", &expect.display_name, names.display_name),
    ];
    for (field, expected, found) in fields {
        let Some(expected) = expected else { continue };
        let result = if found.as_deref() == Some(expected.as_str()) {
            Ok(())
        } else {
            Err(Error::Subject {
                field,
                expected: expected.clone(),
                found,
            })
        };
        sink.outcome("cert.subject", result, || {
            format!("leaf subject {field} = {expected}")
        })?;
    }
    Ok(())
}

fn check_provisioner<S: Sink<Error>>(
    leaf: &Leaf,
    expect: &ChainExpectations,
    sink: &mut S,
) -> Result<(), Error> {
    let required = expect.require_provisioner || expect.provisioner_name.is_some();
    let fail = |reason: String, found: Option<String>| Error::Provisioner {
        reason,
        expected: expect.provisioner_name.clone(),
        found,
    };
    match (leaf.provisioner(), required) {
        (None, false) => sink.skip("cert.provisioner", || {
            "not required; leaf has no provisioner extension".into()
        }),
        (Some(Ok(p)), false) => sink.skip("cert.provisioner", || {
            format!("not required; leaf names {}", p.describe())
        }),
        (None, true) => sink.fail(fail("missing from the leaf".into(), None))?,
        (Some(Err(why)), _) => sink.fail(fail(format!("unreadable: {why}"), None))?,
        (Some(Ok(p)), true) => {
            // An E2EI certificate is issued through step-ca's ACME
            // provisioner: a JWK, OIDC or X5C provisioner's is another path.
            let result = match &expect.provisioner_name {
                _ if p.kind != ACME_PROVISIONER_TYPE => Err(fail(
                    "names a provisioner of another type than ACME".into(),
                    Some(p.describe()),
                )),
                Some(name) if *name != p.name => Err(fail(
                    "names another provisioner".into(),
                    Some(p.name.clone()),
                )),
                _ => Ok(()),
            };
            sink.outcome("cert.provisioner", result, || {
                format!("leaf names {}", p.describe())
            })?
        }
    }
    Ok(())
}

/// What the verifier expects of a CSR.
#[derive(Clone, Debug, Default)]
pub struct CsrExpectations {
    /// Expected URI SANs (the order's identifiers), compared after percent-decoding.
    pub uris: Option<Vec<String>>,
    /// Expected DNS SANs.
    pub dns_names: Option<Vec<String>>,
    /// Expected subject `O` (the Wire domain).
    pub organization: Option<String>,
    /// Expected subject displayName.
    pub display_name: Option<String>,
}

/// Fail-fast CSR verification.
pub fn verify_csr(input: &[u8], expect: &CsrExpectations) -> Result<Csr, Error> {
    check_csr(input, expect, &mut FailFast)?.ok_or(Error::CsrFormat(InputError::Nothing("CSR")))
}

/// Audit of a CSR: every check, skips for missing expectations.
pub fn audit_csr(input: &[u8], expect: &CsrExpectations) -> Report {
    let mut report = Report::new();
    let result = check_csr(input, expect, &mut report);
    report.settle(result);
    report
}

/// The CSR checks, written once for both sinks.
pub fn check_csr<S: Sink<Error>>(
    input: &[u8],
    expect: &CsrExpectations,
    sink: &mut S,
) -> Result<Option<Csr>, Error> {
    let csr = match parse_csr_der(input).and_then(|der| Csr::from_der(&der)) {
        Ok(csr) => csr,
        Err(e) => {
            sink.fail(Error::CsrFormat(e))?;
            return Ok(None);
        }
    };
    check_read_csr(&csr, expect, sink)?;
    Ok(Some(csr))
}

/// Audit of a CSR already read ([`Csr::from_der`]): `csr.format` passes, then
/// every other check as [`audit_csr`] runs it. For a caller that reads the CSR
/// first to derive its expectations (an auditor matching it with the order),
/// so that it is not decoded and read a second time.
pub fn audit_read_csr(csr: &Csr, expect: &CsrExpectations) -> Report {
    let mut report = Report::new();
    let result = check_read_csr(csr, expect, &mut report);
    report.settle(result);
    report
}

fn check_read_csr<S: Sink<Error>>(
    csr: &Csr,
    expect: &CsrExpectations,
    sink: &mut S,
) -> Result<(), Error> {
    sink.pass("csr.format", || "PKCS#10 request parsed".into());
    match csr.check_signature() {
        Ok(alg) => sink.pass("csr.signature", || format!("{alg} signature verifies")),
        Err(e) => sink.fail(e)?,
    }
    let forms = [
        ("URI", &expect.uris, csr.uri_sans()),
        ("DNS", &expect.dns_names, csr.dns_sans()),
    ];
    if forms.iter().all(|(_, e, _)| e.is_none()) {
        sink.skip("csr.san", || {
            format!(
                "no expected identifiers; CSR requests URI {:?}, DNS {:?}",
                csr.uri_sans(),
                csr.dns_sans()
            )
        });
    }
    for (form, expected, found) in forms {
        let Some(expected) = expected else { continue };
        let result = if profile::same_identities(expected, found) {
            Ok(())
        } else {
            Err(Error::CsrSan {
                form,
                expected: expected.clone(),
                found: found.to_vec(),
            })
        };
        sink.outcome("csr.san", result, || {
            format!("CSR requests exactly the {form} identifiers {expected:?}")
        })?;
    }
    let fields = [
        ("O", &expect.organization, csr.organization()),
        ("displayName", &expect.display_name, csr.display_name()),
    ];
    if fields.iter().all(|(_, e, _)| e.is_none()) {
        sink.skip("csr.subject", || {
            format!(
                "no expected subject; CSR has O={:?}, displayName={:?}",
                csr.organization(),
                csr.display_name()
            )
        });
    }
    for (field, expected, found) in fields {
        let Some(expected) = expected else { continue };
        let result = if found == Some(expected.as_str()) {
            Ok(())
        } else {
            Err(Error::CsrSubject {
                field,
                expected: expected.clone(),
                found: found.map(str::to_owned),
            })
        };
        sink.outcome("csr.subject", result, || {
            format!("CSR subject {field} = {expected}")
        })?;
    }
    Ok(())
}
