//! `dpop::Absent`: what an expected `aud`, `handle`, `team` or `name` that the
//! proof does not carry means. A server (the default) fails it; an auditor of
//! captures that predate these claims skips it. Either way a claim that is
//! present is compared, and a wrong one fails.

use e2ei_verify::access_token;
use e2ei_verify::dpop::{self, Absent};
use e2ei_verify::report::{Report, Status};
use serde_json::json;
use vectors::mint::{Flow, Suite};

const IDENTITY: [(&str, &str); 4] = [
    ("dpop.aud", "aud"),
    ("dpop.handle", "handle"),
    ("dpop.team", "team"),
    ("dpop.name", "name"),
];

fn flow() -> Flow {
    Flow::new(Suite::Ed25519, "identity-absent", 1_768_462_854)
}

/// The flow with the identity claims removed from the proof (token re-signed
/// around it).
fn without_identity() -> Flow {
    let mut f = flow();
    for (_, claim) in IDENTITY {
        f.proof_claims.as_object_mut().unwrap().remove(claim);
    }
    f.resign();
    f
}

fn expectations(f: &Flow, absent: Absent) -> dpop::Expectations {
    dpop::Expectations {
        identity_absent: absent,
        ..f.dpop_expectations()
    }
}

fn status(report: &Report, id: &str) -> Status {
    let mut found = report.checks.iter().filter(|c| c.id == id);
    let check = found.next().unwrap_or_else(|| panic!("{id} not reported"));
    assert!(found.next().is_none(), "{id} reported twice");
    check.status
}

#[test]
fn a_server_fails_an_absent_identity_claim() {
    let f = without_identity();
    let (_, report) = dpop::audit(&f.dpop, &expectations(&f, Absent::Fails), f.now);
    for (id, _) in IDENTITY {
        assert_eq!(status(&report, id), Status::Fail, "{id}");
    }
    // The default is the server's: verification stops at the absent `aud`.
    let first = dpop::verify(&f.dpop, &f.dpop_expectations(), f.now, None);
    assert!(
        matches!(first, Err(dpop::Error::Aud { found: None, .. })),
        "{first:?}"
    );
}

#[test]
fn an_auditor_skips_an_absent_identity_claim_and_says_why() {
    let f = without_identity();
    let (proof, report) = dpop::audit(&f.dpop, &expectations(&f, Absent::Skips), f.now);
    assert!(proof.is_some());
    assert!(!report.has_failures());
    for (id, claim) in IDENTITY {
        let check = report.checks.iter().find(|c| c.id == id).unwrap();
        assert_eq!(check.status, Status::Skip, "{id}");
        assert!(
            check.message.starts_with(&format!("{claim} is absent")),
            "{id}: {}",
            check.message
        );
        assert!(check.message.contains("until early 2024"), "{id}");
    }
}

#[test]
fn an_auditor_still_compares_a_present_identity_claim() {
    let f = flow();
    let (_, report) = dpop::audit(&f.dpop, &expectations(&f, Absent::Skips), f.now);
    for (id, _) in IDENTITY {
        assert_eq!(status(&report, id), Status::Pass, "{id}");
    }
    for (id, claim) in IDENTITY {
        let mut g = flow();
        g.proof_claims[claim] = json!("wireapp://%40mallory@wire.example.com");
        g.resign();
        let (_, report) = dpop::audit(&g.dpop, &expectations(&g, Absent::Skips), g.now);
        let failing: Vec<_> = report.failures().map(|c| c.id).collect();
        assert_eq!(failing, [id], "{claim} present and wrong");
    }
}

#[test]
fn a_present_claim_of_another_type_is_compared_not_skipped() {
    let mut f = flow();
    // RFC 7519: an `aud` array that names the challenge alone is that audience;
    // one that also names another could be replayed there.
    f.proof_claims["aud"] = json!([f.aud.clone()]);
    f.resign();
    let (_, report) = dpop::audit(&f.dpop, &expectations(&f, Absent::Skips), f.now);
    assert_eq!(status(&report, "dpop.aud"), Status::Pass);
    f.proof_claims["aud"] = json!([f.aud.clone(), "https://elsewhere.example.com/"]);
    f.proof_claims["name"] = json!(null);
    f.resign();
    let (_, report) = dpop::audit(&f.dpop, &expectations(&f, Absent::Skips), f.now);
    let failing: Vec<_> = report.failures().collect();
    let ids: Vec<_> = failing.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["dpop.aud", "dpop.name"]);
    let found = failing[0].found.as_deref().unwrap_or_default();
    assert!(
        found.starts_with('[') && found.contains("elsewhere"),
        "{found}"
    );
}

#[test]
fn the_embedded_proof_follows_the_same_rule() {
    let f = without_identity();
    let mut e = f.token_expectations();
    e.proof = expectations(&f, Absent::Skips);
    let audit = access_token::audit(&f.access_token, &e, f.now);
    assert!(!audit.report.has_failures(), "{:?}", audit.report);
    let proof = audit.proof_report.unwrap();
    for (id, _) in IDENTITY {
        assert_eq!(status(&proof, id), Status::Skip, "{id}");
    }
    // The server's default: the same token fails its embedded proof.
    e.proof = expectations(&f, Absent::Fails);
    let audit = access_token::audit(&f.access_token, &e, f.now);
    let failing: Vec<_> = audit.report.failures().map(|c| c.id).collect();
    assert_eq!(failing, ["access_token.proof"]);
}
