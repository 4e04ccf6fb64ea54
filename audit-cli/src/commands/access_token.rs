use super::dpop::unreadable;
use crate::cli::AccessTokenArgs;
use crate::render::ArtefactReport;
use crate::{inputs, CliError};
use e2ei_verify::access_token::{self, Expectations, IssuerTrust};

/// Runs `e2ei-audit access-token`. Without `--issuer-key` the embedded key is
/// used and `access_token.issuer_key` is a warning, never a pass.
pub fn run(args: &AccessTokenArgs) -> Result<ArtefactReport, CliError> {
    let token = inputs::token(&args.token)?;
    let at = inputs::at(Some(&args.common.at))?;
    let issuer = if args.issuer_key.is_empty() {
        IssuerTrust::Embedded
    } else {
        IssuerTrust::Pinned(inputs::issuer_keys(&args.issuer_key)?)
    };
    let mut expect = Expectations::new(issuer);
    expect.iss = args.iss.clone();
    expect.aud = args.aud.clone();
    expect.client_id = inputs::client_id(args.client_id.as_deref())?;
    expect.chal = args.chal.clone();
    expect.nonce = args.nonce.clone();
    expect.time.max_lifetime = args.max_lifetime;
    let audit = access_token::audit(&token, &expect, at);
    unreadable(&audit.report.checks, "access_token.format")?;
    let mut report = ArtefactReport::new("access_token", at, audit.report.checks);
    report.proof_checks = audit.proof_report.map(|r| r.checks);
    Ok(report)
}
