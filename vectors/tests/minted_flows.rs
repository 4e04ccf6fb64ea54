//! Every suite's minted flow passes every check; each single fault fails its check.

use e2ei_verify::report::Status;
use e2ei_verify::{access_token, dpop};
use serde_json::json;
use vectors::mint::{Flow, Suite};

const NOW: u64 = 1_768_462_854;

#[test]
fn a_valid_flow_passes_every_check_in_every_suite() {
    for suite in Suite::ALL {
        let f = Flow::new(suite, "valid", NOW);
        let proof = dpop::verify(&f.dpop, &f.dpop_expectations(), NOW, None);
        assert!(proof.is_ok(), "{suite:?}: {proof:?}");
        let token = access_token::verify(&f.access_token, &f.token_expectations(), NOW);
        assert!(token.is_ok(), "{suite:?}: {token:?}");
        let audit = access_token::audit(&f.access_token, &f.token_expectations(), NOW);
        assert!(
            audit.report.checks.iter().all(|c| c.status == Status::Pass),
            "{suite:?}: {:#?}",
            audit.report
        );
    }
}

#[test]
fn a_token_bound_to_the_issuer_key_fails_cnf_with_the_explanation() {
    for suite in Suite::ALL {
        let mut f = Flow::new(suite, "cnf", NOW);
        let issuer_tp = f.issuer.jwk().thumbprint(suite.alg().suite_hash());
        f.token_claims["cnf"] = json!({ "kid": issuer_tp });
        f.resign_token();
        let audit = access_token::audit(&f.access_token, &f.token_expectations(), NOW);
        let failed: Vec<_> = audit.report.failures().map(|c| c.id).collect();
        assert_eq!(failed, ["access_token.cnf"], "{suite:?}");
        let cnf = audit.report.get("access_token.cnf").unwrap();
        assert!(cnf.message.contains("issuer's own key"), "{}", cnf.message);
        assert!(
            cnf.message.contains(suite.alg().suite_hash().name()),
            "{}",
            cnf.message
        );
    }
}

#[test]
fn a_proof_shown_standalone_and_embedded_is_verified_once() {
    use e2ei_verify::jose::SignatureMemo;
    for suite in Suite::ALL {
        let f = Flow::new(suite, "memo", NOW);
        let mut memo = SignatureMemo::new();
        let (proof, _) = dpop::audit_memo(&f.dpop, &f.dpop_expectations(), NOW, &mut memo);
        assert!(proof.is_some() && memo.contains(&f.dpop));
        let audit =
            access_token::audit_memo(&f.access_token, &f.token_expectations(), NOW, &mut memo);
        let sig = audit
            .proof_report
            .unwrap()
            .get("dpop.signature")
            .cloned()
            .unwrap();
        assert_eq!(sig.status, Status::Pass);
        assert!(
            sig.message.contains("verified earlier"),
            "{suite:?}: {}",
            sig.message
        );
        // Bytes the memo never saw verify are verified: a forged signature fails.
        let at = f.dpop.len() - 10;
        let swap = if &f.dpop[at..=at] == "A" { "B" } else { "A" };
        let forged = format!("{}{swap}{}", &f.dpop[..at], &f.dpop[at + 1..]);
        let (_, report) = dpop::audit_memo(&forged, &f.dpop_expectations(), NOW, &mut memo);
        assert_eq!(
            report.get("dpop.signature").unwrap().status,
            Status::Fail,
            "{suite:?}"
        );
        assert!(!memo.contains(&forged));
    }
}
