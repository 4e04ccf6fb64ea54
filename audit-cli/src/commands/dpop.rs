use crate::cli::DpopArgs;
use crate::render::ArtefactReport;
use crate::{inputs, CliError};
use e2ei_verify::dpop::{self, Expectations};
use e2ei_verify::report::Status;
use e2ei_verify::time::TimePolicy;

/// Runs `e2ei-audit dpop`.
pub fn run(args: &DpopArgs) -> Result<ArtefactReport, CliError> {
    let token = inputs::token(&args.token)?;
    let at = inputs::at(Some(&args.common.at))?;
    let expect = Expectations {
        htm: args.htm.clone(),
        htu: args.htu.clone(),
        nonce: args.nonce.clone(),
        chal: args.chal.clone(),
        client_id: inputs::client_id(args.client_id.as_deref())?,
        aud: args.aud.clone(),
        handle: inputs::handle(args.handle.as_deref())?,
        team: args.team.clone(),
        name: args.name.clone(),
        time: TimePolicy {
            max_skew: args.max_skew,
            max_age: Some(args.max_age),
            max_lifetime: args.max_lifetime,
        },
        ..Expectations::default()
    };
    let (_, report) = dpop::audit(&token, &expect, at);
    unreadable(&report.checks, "dpop.format")?;
    Ok(ArtefactReport::new("dpop", at, report.checks))
}

/// A `*.format` failure means there was nothing to judge: exit 2, not a report.
pub(crate) fn unreadable(
    checks: &[e2ei_verify::report::Check],
    format_id: &'static str,
) -> Result<(), CliError> {
    match checks
        .iter()
        .find(|c| c.id == format_id && c.status == Status::Fail)
    {
        Some(c) => Err(CliError::Unreadable {
            check: format_id,
            detail: c.message.clone(),
        }),
        None => Ok(()),
    }
}
