//! A token whose header carries no `jwk`: the pinned key is found by its
//! signature. Every suite, the right key among others, and keys that do not
//! apply, in fail-fast and audit mode.

use e2ei_verify::access_token::{self, Expectations, IssuerTrust};
use e2ei_verify::jose::PublicKey;
use e2ei_verify::report::{Failure, Status};
use serde_json::json;
use vectors::mint::{Flow, SigningKey, Suite};

/// A valid flow whose token header names only `alg` and `typ`.
fn flow_without_header_jwk(suite: Suite) -> Flow {
    let mut flow = Flow::new(suite, "pinning", 1_768_462_854);
    let header = json!({"alg": suite.alg().name(), "typ": "at+jwt"});
    flow.access_token = flow.issuer.compact(&header, &flow.token_claims);
    flow
}

fn expectations(flow: &Flow, pinned: Vec<PublicKey>) -> Expectations {
    let mut e = flow.token_expectations();
    e.issuer = IssuerTrust::Pinned(pinned);
    e
}

fn other(suite: Suite, seed: &str) -> PublicKey {
    SigningKey::from_seed(suite, seed).public_key()
}

/// A suite whose keys are of another type than `suite`'s.
fn other_type(suite: Suite) -> Suite {
    match suite {
        Suite::Ed25519 => Suite::P256,
        _ => Suite::Ed25519,
    }
}

fn status(flow: &Flow, e: &Expectations, id: &str) -> Option<Status> {
    let audit = access_token::audit(&flow.access_token, e, flow.now);
    audit
        .report
        .checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.status)
}

#[test]
fn the_pinned_key_that_signed_is_found_among_others() {
    for suite in Suite::ALL {
        let flow = flow_without_header_jwk(suite);
        let pinned = vec![
            other(suite, "a"),
            flow.issuer.public_key(),
            other(suite, "b"),
        ];
        let e = expectations(&flow, pinned);
        let verified = access_token::verify(&flow.access_token, &e, flow.now);
        assert!(verified.is_ok(), "{suite:?}: {:?}", verified.err());
        assert_eq!(
            status(&flow, &e, "access_token.issuer_key"),
            Some(Status::Pass)
        );
        assert_eq!(
            status(&flow, &e, "access_token.signature"),
            Some(Status::Pass)
        );
    }
}

#[test]
fn pinned_keys_of_the_right_type_that_did_not_sign_fail_the_signature() {
    for suite in Suite::ALL {
        let flow = flow_without_header_jwk(suite);
        let e = expectations(&flow, vec![other(suite, "a"), other(suite, "b")]);
        let err = access_token::verify(&flow.access_token, &e, flow.now)
            .expect_err("signed by no pinned key");
        assert_eq!(err.check_id(), "access_token.signature", "{suite:?}");
        assert_eq!(
            status(&flow, &e, "access_token.signature"),
            Some(Status::Fail)
        );
    }
}

#[test]
fn pinned_keys_of_another_type_fail_the_issuer_key() {
    for suite in Suite::ALL {
        let flow = flow_without_header_jwk(suite);
        let e = expectations(&flow, vec![other(other_type(suite), "a")]);
        let err = access_token::verify(&flow.access_token, &e, flow.now)
            .expect_err("no pinned key of the token's type");
        assert_eq!(err.check_id(), "access_token.issuer_key", "{suite:?}");
        assert_eq!(
            status(&flow, &e, "access_token.issuer_key"),
            Some(Status::Fail)
        );
    }
}
