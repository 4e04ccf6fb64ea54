//! The one-line verdict the era probe surveys print per capture: shared by
//! `era_probes.rs` and `era_probes_protocol.rs`.

use crate::era_audit::options;
use e2ei_audit::flow::{audit, When};
use e2ei_verify::report::Status;
use vectors::eras::EraEnrolment;

/// The failed and warned check ids of each flow (`id@step`), or the error.
pub fn summary(text: &str, e: &EraEnrolment, when: When) -> String {
    let mut o = options(e);
    o.when = when;
    match audit(text, &o) {
        Err(err) => format!("ERR {err}"),
        Ok(flows) => flows
            .iter()
            .map(|f| {
                let ids = |s| {
                    f.checks
                        .iter()
                        .filter(|c| c.status == s)
                        .map(|c| {
                            format!(
                                "{}@{}",
                                c.id,
                                c.step.map(|s| s.to_string()).unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                };
                format!("F[{}] W[{}]", ids(Status::Fail), ids(Status::Warn))
            })
            .collect::<Vec<_>>()
            .join(" | "),
    }
}
