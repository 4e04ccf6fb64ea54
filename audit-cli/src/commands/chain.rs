use super::dpop::unreadable;
use crate::cli::{ChainArgs, Identities};
use crate::render::ArtefactReport;
use crate::{inputs, CliError};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::x509::{self, ChainExpectations, Csr};

/// Runs `e2ei-audit chain`. Without `--trust-anchor`, `cert.chain` is at best a
/// warning: a chain verified link by link to a root nobody vouched for.
pub fn run(args: &ChainArgs) -> Result<ArtefactReport, CliError> {
    let input = inputs::file_or_stdin(&args.file)?;
    let at = inputs::at(Some(&args.common.at))?;
    let mut expect = ChainExpectations::at_unix(at);
    for path in &args.trust_anchor {
        let anchors =
            x509::parse_certificates(&inputs::file(path)?).map_err(|e| CliError::Read {
                what: path.clone(),
                detail: e.to_string(),
            })?;
        expect.trust_anchors.extend(anchors);
    }
    expect.uris = expected_uris(&args.identities)?;
    expect.dns_names = expected_dns(&args.identities);
    expect.provisioner_name = args.provisioner.clone();
    expect.organization = args.org.clone();
    expect.display_name = args.display_name.clone();
    if let Some(path) = &args.csr {
        let csr = x509::parse_csr_der(&inputs::file(path)?)
            .and_then(|der| Csr::from_der(&der))
            .map_err(|e| CliError::Read {
                what: path.clone(),
                detail: e.to_string(),
            })?;
        expect.public_key = Some(csr.public_key_spki().to_vec());
    }
    let report = x509::audit_chain(&input, &expect);
    unreadable(&report.checks, "cert.format")?;
    Ok(ArtefactReport::new("chain", at, report.checks))
}

/// The URI SANs expected: the client id and handle given, as a set.
///
/// Each is compared with the SANs as written, so each must be a SAN: a bare
/// client id (`…!…@dom`) or handle (`@alice@dom`) can never match and would
/// only produce a puzzling `fail`; it is refused as a misuse instead.
pub(crate) fn expected_uris(ids: &Identities) -> Result<Option<Vec<String>>, CliError> {
    let misuse = |arg, detail: String| CliError::Argument { arg, detail };
    if let Some(id) = &ids.client_id {
        ClientId::parse(id).map_err(|e| {
            misuse(
                "--client-id",
                format!("{e}; give the SAN, e.g. wireapp://<user>!<device>@<domain>"),
            )
        })?;
    }
    if let Some(handle) = &ids.handle {
        Handle::parse(handle).map_err(|e| misuse("--handle", e.to_string()))?;
        if !handle.contains(':') {
            return Err(misuse(
                "--handle",
                format!("{handle} is not a URI; give the SAN, e.g. wireapp://%40alice@<domain>"),
            ));
        }
    }
    let uris: Vec<String> = ids.client_id.iter().chain(&ids.handle).cloned().collect();
    Ok((!uris.is_empty()).then_some(uris))
}

/// The DNS SANs expected, as a set.
pub(crate) fn expected_dns(ids: &Identities) -> Option<Vec<String>> {
    (!ids.dns.is_empty()).then(|| ids.dns.clone())
}
