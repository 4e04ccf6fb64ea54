//! `access_token.cnf` when the token names its key binding more than once, or
//! not as a string: every binding named must name the proof key, in every
//! suite, in fail-fast and audit mode, with the proof verifying or not.

use e2ei_verify::access_token::{self, Expectations};
use e2ei_verify::report::{Failure, Status};
use serde_json::{json, Value};
use vectors::mint::{b64, Flow, Suite};

/// A valid flow of `suite` whose token carries `cnf` (re-signed).
fn with_cnf(suite: Suite, cnf: impl Fn(&Flow, &str, &str) -> Value) -> Flow {
    let mut f = Flow::new(suite, "cnf", 1_768_462_854);
    let hash = suite.alg().suite_hash();
    let (client, issuer) = (
        f.client.jwk().thumbprint(hash),
        f.issuer.jwk().thumbprint(hash),
    );
    f.token_claims["cnf"] = cnf(&f, &client, &issuer);
    f.resign_token();
    f
}

/// The `access_token.cnf` line of an audit: status and message.
fn audited(f: &Flow, e: &Expectations) -> (Status, String) {
    let audit = access_token::audit(&f.access_token, e, f.now);
    let check = audit
        .report
        .checks
        .iter()
        .find(|c| c.id == "access_token.cnf")
        .expect("a cnf line");
    (check.status, check.message.clone())
}

/// The fail-fast verdict: `Ok`, or the id of the check that refused.
fn verified(f: &Flow, e: &Expectations) -> Result<(), &'static str> {
    access_token::verify(&f.access_token, e, f.now)
        .map(|_| ())
        .map_err(|e| e.check_id())
}

#[test]
fn both_bindings_naming_the_proof_key_pass() {
    for suite in Suite::ALL {
        let f = with_cnf(suite, |_, c, _| json!({"jkt": c, "kid": c}));
        let e = f.token_expectations();
        assert_eq!(verified(&f, &e), Ok(()), "{suite:?}");
        let (status, message) = audited(&f, &e);
        assert_eq!(status, Status::Pass, "{suite:?}: {message}");
        assert!(
            message.starts_with("cnf.jkt and cnf.kid are the"),
            "{message}"
        );
    }
}

#[test]
fn a_second_binding_naming_another_key_fails_whichever_comes_first() {
    type Cnf = fn(&Flow, &str, &str) -> Value;
    let cases: [(&str, Cnf, &str); 2] = [
        (
            "kid names wire-server",
            |_, c, i| json!({"jkt": c, "kid": i}),
            "kid=",
        ),
        (
            "jkt names wire-server",
            |_, c, i| json!({"kid": c, "jkt": i}),
            "jkt=",
        ),
    ];
    for suite in Suite::ALL {
        for (name, cnf, found) in cases {
            let f = with_cnf(suite, cnf);
            let e = f.token_expectations();
            assert_eq!(
                verified(&f, &e),
                Err("access_token.cnf"),
                "{suite:?} {name}"
            );
            let (status, message) = audited(&f, &e);
            assert_eq!(status, Status::Fail, "{suite:?} {name}");
            assert!(message.contains("issuer's own key"), "{message}");
            assert!(message.contains("name different keys"), "{message}");
            let failure = access_token::verify(&f.access_token, &e, f.now).unwrap_err();
            assert!(
                failure.found().is_some_and(|v| v.starts_with(found)),
                "{suite:?} {name}: {:?}",
                failure.found()
            );
        }
    }
}

#[test]
fn a_binding_that_is_not_a_string_fails_even_beside_a_right_one() {
    type Cnf = fn(&Flow, &str, &str) -> Value;
    let cases: [Cnf; 2] = [
        |_, c, _| json!({"jkt": 7, "kid": c}),
        |_, _, _| json!({"kid": ["x"]}),
    ];
    for suite in Suite::ALL {
        for cnf in cases {
            let f = with_cnf(suite, cnf);
            let e = f.token_expectations();
            assert_eq!(verified(&f, &e), Err("access_token.cnf"), "{suite:?}");
            let (status, message) = audited(&f, &e);
            assert_eq!(status, Status::Fail, "{suite:?}");
            assert!(message.contains("is not a string"), "{message}");
        }
    }
}

#[test]
fn beside_an_unusable_proof_both_bindings_are_judged_against_its_header_key() {
    for suite in Suite::ALL {
        for (cnf, want) in [
            (json!({"jkt": "C", "kid": "C"}), Status::Pass),
            (json!({"jkt": "C", "kid": "I"}), Status::Fail),
        ] {
            let mut f = with_cnf(suite, |_, c, i| {
                let name = |v: &Value| if v == "C" { c } else { i };
                json!({"jkt": name(&cnf["jkt"]), "kid": name(&cnf["kid"])})
            });
            // The embedded proof no longer verifies: one signature byte changed.
            let proof = f.token_claims["proof"]
                .as_str()
                .expect("a proof")
                .to_owned();
            let (signed, sig) = proof.rsplit_once('.').expect("a JWS");
            let flipped = if sig.starts_with('A') { "B" } else { "A" };
            f.token_claims["proof"] = json!(format!("{signed}.{flipped}{}", &sig[1..]));
            f.resign_token();
            let (status, message) = audited(&f, &f.token_expectations());
            assert_eq!(status, want, "{suite:?} {cnf}: {message}");
            assert!(message.contains("header key"), "{message}");
        }
    }
}

#[test]
fn a_proof_header_that_is_not_strict_json_is_named_as_the_reason() {
    for suite in Suite::ALL {
        let mut f = Flow::new(suite, "cnf", 1_768_462_854);
        // The client's proof with `typ` given twice, signed as written.
        let header = f.proof_header().to_string();
        let header = format!(r#"{{"typ":"JWT",{}"#, header.trim_start_matches('{'));
        let proof = f.dpop.clone();
        let claims = proof.split('.').nth(1).expect("a JWS");
        let input = format!("{}.{claims}", b64(header.as_bytes()));
        let signature = b64(&f.client.sign(input.as_bytes()));
        f.token_claims["proof"] = json!(format!("{input}.{signature}"));
        f.resign_token();
        let (status, message) = audited(&f, &f.token_expectations());
        assert_eq!(status, Status::Fail, "{suite:?}");
        assert!(
            message.contains(r#"the embedded proof's header cannot be read (the header has the member "typ" twice)"#),
            "{suite:?}: {message}"
        );
    }
}
