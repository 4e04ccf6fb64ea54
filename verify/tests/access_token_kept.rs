//! `audit_memo_keeping` with `Kept::Failures`: what a caller that already
//! shows the standalone proof's checks asks of the token embedding it.

use e2ei_verify::access_token::{audit, audit_memo_keeping};
use e2ei_verify::dpop::Kept;
use e2ei_verify::jose::SignatureMemo;
use e2ei_verify::report::Report;
use serde_json::json;
use vectors::mint::{Flow, Suite};

/// Keeping only the embedded proof's failures changes nothing else: the
/// token's checks and verdict, and the proof's failures, are those of the
/// full audit, whether the proof passes, fails a claim, fails several, or is
/// not a proof at all.
#[test]
fn keeping_the_proofs_failures_alone_is_the_full_audit_less_its_passes() {
    for suite in Suite::ALL {
        let flow = Flow::new(suite, "kept", 1_768_462_854);
        let good = flow.token_expectations();
        let mut one = good.clone();
        one.nonce = Some("another nonce".into());
        let mut several = good.clone();
        several.proof.team = Some("another team".into());
        several.proof.name = Some("Mallory".into());
        several.chal = Some("another challenge".into());
        let mut unusable = flow.clone();
        unusable.token_claims["proof"] = json!("a.b.c");
        unusable.resign_token();
        for (token, e) in [
            (&flow.access_token, &good),
            (&flow.access_token, &one),
            (&flow.access_token, &several),
            (&unusable.access_token, &good),
        ] {
            let full = audit(token, e, flow.now);
            let mut memo = SignatureMemo::new();
            let kept = audit_memo_keeping(token, e, flow.now, &mut memo, Kept::Failures);
            assert_eq!(kept.report, full.report, "{suite:?}");
            assert_eq!(
                format!("{:?}", kept.token),
                format!("{:?}", full.token),
                "{suite:?}"
            );
            let failures = |r: &Report| r.failures().cloned().collect::<Vec<_>>();
            let full_proof = full.proof_report.as_ref().map(failures);
            assert!(full_proof.is_some(), "{suite:?}: the proof was checked");
            assert_eq!(kept.proof_report.map(|r| r.checks), full_proof, "{suite:?}");
        }
    }
}
