use super::chain::{expected_dns, expected_uris};
use super::dpop::unreadable;
use crate::cli::CsrArgs;
use crate::render::ArtefactReport;
use crate::{inputs, CliError};
use e2ei_verify::x509::{self, CsrExpectations};

/// Runs `e2ei-audit csr`. A CSR carries no time; the report is dated now.
pub fn run(args: &CsrArgs) -> Result<ArtefactReport, CliError> {
    let input = inputs::file_or_stdin(&args.file)?;
    let expect = CsrExpectations {
        uris: expected_uris(&args.identities)?,
        dns_names: expected_dns(&args.identities),
        organization: args.org.clone(),
        display_name: args.display_name.clone(),
    };
    let report = x509::audit_csr(&input, &expect);
    unreadable(&report.checks, "csr.format")?;
    Ok(ArtefactReport::new("csr", inputs::now(), report.checks))
}
