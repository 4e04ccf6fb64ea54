//! Every fault of `vectors::eras` under every format variant
//! (`vectors::eras::variants`), in P-256 and every era: each keeps the
//! verdict of the canonical text (`era_variants.rs` runs a handful of faults
//! in every suite and the renewal). The exceptions are legitimate (a decoded
//! view that is left out cannot disagree) or round 6's findings (1, 3, 9, 12, 13), pinned in
//! `era_variants.rs`.

mod era_audit;

use era_audit::verdicts;
use vectors::eras::{variants, Era, EraEnrolment, Fault};
use vectors::mint::Suite;

/// Whether `variant` is known to change `fault`'s verdict.
fn excused(variant: &str, fault: Fault) -> bool {
    match variant {
        // The disagreeing view is the one left out.
        "decoded-views-absent" => matches!(fault, Fault::ProofView | Fault::TokenView),
        _ => false,
    }
}

fn era_keeps_every_verdict(era: Era) {
    let e = EraEnrolment::new(era, Suite::P256);
    for fault in Fault::ALL.into_iter().filter(|f| f.applies_to(era)) {
        let text = e.transcript(fault);
        let canonical = verdicts(&text, &e);
        for v in variants::ALL.iter().filter(|v| !excused(v.name, fault)) {
            assert_eq!(
                verdicts(&(v.apply)(&text), &e),
                canonical,
                "{} {fault:?} {}",
                era.name(),
                v.name
            );
        }
    }
}

#[test]
fn every_fault_keeps_its_verdict_under_every_variant() {
    std::thread::scope(|s| {
        for era in Era::ALL {
            s.spawn(move || era_keeps_every_verdict(era));
        }
    });
}
