//! Round 5 of the era test: the fifteen findings its faults (tampered
//! signatures, malformed proofs and tokens, id tokens of another IdP or
//! client, leaves of another root or profile, challenges and orders answered
//! `invalid`) revealed, each as what the catalogue (README, DESIGN.md) asks
//! for: where a check is placed, what it says, what it is held to. All are
//! fixed; these tests keep them so, beside the matrix of `minted_eras.rs`.

mod era_audit;

use e2ei_audit::flow::{audit, FlowCheck, FlowReport};
use e2ei_verify::report::Status;
use era_audit::options;
use std::collections::BTreeSet;
use vectors::eras::{Era, EraEnrolment, Fault};
use vectors::mint::Suite;

fn flow(e: &EraEnrolment, fault: Fault) -> FlowReport {
    let mut flows = audit(&e.transcript(fault), &options(e)).expect("a capture");
    assert_eq!(flows.len(), 1);
    flows.remove(0)
}

fn with_status(flow: &FlowReport, status: Status) -> BTreeSet<&'static str> {
    flow.checks
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.id)
        .collect()
}

fn fails(flow: &FlowReport) -> BTreeSet<&'static str> {
    with_status(flow, Status::Fail)
}

/// The first check `id` of `flow` with `status`.
fn check<'f>(flow: &'f FlowReport, id: &str, status: Status) -> &'f FlowCheck {
    flow.checks
        .iter()
        .find(|c| c.id == id && c.status == status)
        .unwrap_or_else(|| panic!("no {id} {status:?}"))
}

/// What the valid flow of `era` fails (its era's known gaps).
fn baseline(e: &EraEnrolment) -> BTreeSet<&'static str> {
    fails(&flow(e, Fault::None))
}

/// Finding 1: a proof whose signature fails, whose `alg` is HS256, or whose
/// header `jwk` carries a private `d` still names its key: the token's `cnf`
/// is that key's thumbprint, and `access_token.cnf` must not fail ("cannot be
/// checked" is a skip, or the header key is compared). (A token without
/// `proof` still fails `access_token.cnf`: it presents no key it is bound to.)
#[test]
fn an_unusable_proof_does_not_fail_the_tokens_cnf() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        for fault in [
            Fault::ProofSignature,
            Fault::ProofJwkPrivate,
            Fault::ProofAlgHs256,
            Fault::ProofAlgMismatch,
        ] {
            let f = flow(&e, fault);
            assert!(!fails(&f).contains("access_token.cnf"), "{era:?} {fault:?}");
        }
    }
}

/// Finding 2: a proof with `alg: none` (RFC 7515's unsecured JWS, empty
/// signature segment) fails `dpop.alg`, at the step the proof is shown, as
/// the catalogue says ("never `none`").
#[test]
fn a_proof_with_alg_none_fails_dpop_alg_at_its_step() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = flow(&e, Fault::None);
        let step = check(&valid, "dpop.alg", Status::Pass).step;
        let f = flow(&e, Fault::ProofAlgNone);
        assert_eq!(check(&f, "dpop.alg", Status::Fail).step, step, "{era:?}");
        assert!(!fails(&f).contains("dpop.format"), "{era:?}");
    }
}

/// Finding 3: wire-server's token signed with `typ: JWT` is still the access
/// token the capture shows it return: `access_token.typ` fails at that step,
/// the token posted is the one issued, and (2023-01) it is not taken for an
/// id token.
#[test]
fn an_access_token_typed_jwt_is_still_the_access_token() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = flow(&e, Fault::None);
        let step = check(&valid, "access_token.typ", Status::Pass).step;
        let f = flow(&e, Fault::TokenTyp);
        assert_eq!(
            check(&f, "access_token.typ", Status::Fail).step,
            step,
            "{era:?}"
        );
        assert!(
            !with_status(&f, Status::Warn).contains("access_token.delivered"),
            "{era:?}"
        );
        assert!(
            !fails(&f).iter().any(|id| id.starts_with("oidc.")),
            "{era:?}"
        );
    }
}

/// Finding 3b: a proof signed with `typ: JWT` is still the proof the capture
/// shows and sends: `dpop.typ` fails at its step and its key is held to the
/// ACME account key (`dpop.key_binding` is evaluated, not skipped).
#[test]
fn a_proof_typed_jwt_is_still_the_proof() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = flow(&e, Fault::None);
        let step = check(&valid, "dpop.typ", Status::Pass).step;
        let f = flow(&e, Fault::ProofTyp);
        assert_eq!(check(&f, "dpop.typ", Status::Fail).step, step, "{era:?}");
        assert!(
            !with_status(&f, Status::Skip).contains("dpop.key_binding"),
            "{era:?}"
        );
    }
}

/// Finding 4: 2023-03 and 2023-04 show no `wire-oidc-01` target, but the
/// login they show names the IdP (its authorization and token endpoints): an
/// id token of another issuer fails `oidc.iss`.
#[test]
fn an_id_token_of_another_idp_fails_without_a_target() {
    for era in [Era::Y2023_03, Era::Y2023_04] {
        let e = EraEnrolment::new(era, Suite::P256);
        assert!(
            fails(&flow(&e, Fault::IdTokenIss)).contains("oidc.iss"),
            "{era:?}"
        );
    }
}

/// Finding 5: a token whose `client_id` names another device than its `sub`
/// says which `client_id` in plain words (no `Some("…")`), and its evidence
/// names the differing value.
#[test]
fn a_client_id_other_than_sub_is_named_in_the_evidence() {
    let e = EraEnrolment::new(Era::Y2026_01, Suite::P256);
    let f = flow(&e, Fault::TokenClientId);
    let c = check(&f, "access_token.sub", Status::Fail);
    assert!(!c.message.contains("Some("), "{}", c.message);
    assert_ne!(c.expected, c.found, "{}", c.message);
}

/// Finding 6: the id token's audience is printed as the value, without its
/// JSON quotes (as the expected one is).
#[test]
fn an_id_tokens_audience_is_printed_bare() {
    let e = EraEnrolment::new(Era::Y2026_01, Suite::P256);
    let f = flow(&e, Fault::IdTokenAud);
    let c = check(&f, "oidc.aud", Status::Fail);
    assert_eq!(c.found.as_deref(), Some("another-oauth-client"));
}

/// Finding 7: the leaf's display name (what Wire clients show as the
/// verified name) is the order's: a leaf naming another fails.
#[test]
fn a_leaf_naming_another_display_name_fails() {
    for era in Era::ALL
        .into_iter()
        .filter(|era| Fault::LeafDisplayName.applies_to(*era))
    {
        let e = EraEnrolment::new(era, Suite::P256);
        let f = flow(&e, Fault::LeafDisplayName);
        assert!(fails(&f).len() > baseline(&e).len(), "{era:?}");
    }
}

/// Finding 8: a capture whose ACME server answered the `wire-dpop-01`
/// challenge, or the order, `invalid`, and which still finalizes and gets a
/// certificate, contradicts itself.
#[test]
fn a_challenge_or_order_answered_invalid_fails() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        for fault in [Fault::ChallengeInvalid, Fault::OrderInvalid] {
            let f = flow(&e, fault);
            assert!(fails(&f).len() > baseline(&e).len(), "{era:?} {fault:?}");
        }
    }
}

/// Finding 9: a new-order payload changed after the account signed it fails
/// `acme.jws.signature` (and the answer's identifiers differ from it:
/// `transcript.consistency`); the proof, token, CSR and leaf, which name the
/// signed order's device, are not blamed.
#[test]
fn a_new_order_payload_changed_blames_only_the_request() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let mut allowed = baseline(&e);
        allowed.extend(["acme.jws.signature", "transcript.consistency"]);
        let f = fails(&flow(&e, Fault::NewOrderPayload));
        assert!(f.contains("acme.jws.signature"), "{era:?}");
        assert!(f.is_subset(&allowed), "{era:?}: {f:?}");
    }
}

/// Finding 10: a posted token differing from the issued one in its signature
/// shows evidence that differs.
#[test]
fn a_delivered_token_differing_in_its_signature_shows_the_difference() {
    let e = EraEnrolment::new(Era::Y2026_01, Suite::P256);
    let f = flow(&e, Fault::DeliveredTokenSignature);
    let c = check(&f, "access_token.delivered", Status::Fail);
    assert_ne!(c.expected, c.found, "{}", c.message);
}

/// Each tampered signature fails its own artefact's check at the step that
/// artefact is shown, in every era (the matrix compares ids only).
#[test]
fn a_tampered_signature_fails_at_its_artefacts_step() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = flow(&e, Fault::None);
        let steps = |id: &str| -> BTreeSet<Option<u32>> {
            valid
                .checks
                .iter()
                .filter(|c| c.id == id)
                .map(|c| c.step)
                .collect()
        };
        for (fault, id) in [
            (Fault::NewOrderSignature, "acme.jws.signature"),
            (Fault::ChallengeSignature, "acme.jws.signature"),
            (Fault::FinalizeSignature, "acme.jws.signature"),
            (Fault::ProofSignature, "dpop.signature"),
            (Fault::TokenSignature, "access_token.signature"),
            (Fault::LeafSignature, "cert.chain"),
            (Fault::IntermediateSignature, "cert.chain"),
        ] {
            let f = flow(&e, fault);
            let failed = check(&f, id, Status::Fail);
            assert!(
                steps(id).contains(&failed.step),
                "{era:?} {fault:?}: {failed:?}"
            );
            assert_eq!(
                f.checks
                    .iter()
                    .filter(|c| c.id == id && c.status == Status::Fail)
                    .count(),
                1,
                "{era:?} {fault:?}"
            );
        }
    }
}

/// Finding 11: a new-account request carrying `kid` instead of `jwk` is
/// captured (step 5): the later skips must not say that none was.
#[test]
fn a_new_account_request_with_kid_is_not_said_to_be_missing() {
    let e = EraEnrolment::new(Era::Y2026_01, Suite::P256);
    let f = flow(&e, Fault::NewAccountKid);
    for c in f.checks.iter().filter(|c| c.status == Status::Skip) {
        assert!(
            !c.message.contains("no new-account request captured"),
            "{} {:?}: {}",
            c.id,
            c.step,
            c.message
        );
    }
}

/// Finding 12: a nonce the server issued twice (the authorization's answer
/// at step 10 issues again the new-order answer's nonce, which the
/// authorization request used) fails `acme.nonce.chain` at its second use,
/// and the message names the response that issued it again rather than
/// guessing at a missing exchange or a forgery.
#[test]
fn a_nonce_issued_twice_names_the_second_issue() {
    let e = EraEnrolment::new(Era::Y2026_01, Suite::P256);
    let f = flow(&e, Fault::NonceIssuedTwice);
    let c = check(&f, "acme.nonce.chain", Status::Fail);
    assert!(c.message.contains("step 10"), "{}", c.message);
}

/// Finding 13: the renewal (third enrolment: fresh wire-server nonce, fresh
/// challenge) trades a proof carrying the first enrolment's `jti`, signed by
/// the same key: a replayed `jti` that wire-server must refuse (RFC 9449
/// §11.1), as the flow already refuses a nonce an earlier enrolment used.
#[test]
fn a_renewal_proof_replaying_the_first_jti_fails() {
    let e = EraEnrolment::new(Era::Y2024_03, Suite::P256);
    let flows =
        audit(&e.renewal_transcript(3, Fault::FirstProofJti), &options(&e)).expect("a capture");
    assert_eq!(flows.len(), 3);
    assert!(
        fails(&flows[2]).contains("dpop.jti"),
        "{:?}",
        fails(&flows[2])
    );
}

/// Finding 14: a chain that lists the intermediate before the leaf (RFC 8555
/// §9.1: the end-entity certificate comes first) fails `cert.chain` (or
/// `cert.format`) for its order; the leaf it carries, which is right, is not
/// blamed (`cert.eku`, `cert.san`, `cert.key_binding`, `cert.provisioner`
/// judged on the intermediate).
#[test]
fn a_reversed_chain_fails_its_order_not_the_leaf() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        let mut allowed = baseline(&e);
        allowed.extend(["cert.chain", "cert.format", "transcript.consistency"]);
        let f = fails(&flow(&e, Fault::ChainReversed));
        assert!(
            f.contains("cert.chain") || f.contains("cert.format"),
            "{era:?}"
        );
        assert!(f.is_subset(&allowed), "{era:?}: {f:?}");
    }
}

/// Finding 15: the leaf's step-ca provisioner extension names the ACME
/// provisioner the flow enrolled with (type 6, the name the directory URL
/// `/acme/{provisioner}` gives): a leaf from a JWK provisioner, or from
/// another ACME provisioner of the CA, fails `cert.provisioner`.
#[test]
fn a_leaf_of_another_provisioner_fails() {
    for era in Era::ALL {
        let e = EraEnrolment::new(era, Suite::P256);
        for fault in [Fault::LeafProvisionerJwk, Fault::LeafProvisionerOther] {
            let f = flow(&e, fault);
            assert!(fails(&f).contains("cert.provisioner"), "{era:?} {fault:?}");
        }
    }
}
