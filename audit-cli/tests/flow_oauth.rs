//! The OAuth login in flows, on the 2023-11 capture: `oidc.nonce` (the id
//! token echoes the authorization request's nonce) and `oidc.pkce` (the token
//! request's code_verifier hashes to the authorization request's challenge).

use e2ei_audit::flow::{audit, Options, Trust, When};
use e2ei_verify::report::Status;

const NONCE: &str = "REQyyne9UjP6K0MwFPEbVA";

fn transcript() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/transcripts/wire-e2ei-2023-11-15.md"
    );
    std::fs::read_to_string(path).unwrap()
}

/// The status and message of every `id` check of `text`'s flows.
fn checks_of(text: &str, id: &str) -> Vec<(Status, String)> {
    let options = Options {
        when: When::Capture,
        now: 0,
        trust: Trust::default(),
    };
    audit(text, &options)
        .unwrap()
        .iter()
        .flat_map(|f| f.checks.iter())
        .filter(|c| c.id == id)
        .map(|c| (c.status, c.message.clone()))
        .collect()
}

#[test]
fn the_captured_request_nonce_is_echoed() {
    let checks = checks_of(&transcript(), "oidc.nonce");
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|(s, _)| *s == Status::Pass), "{checks:?}");
}

#[test]
fn another_request_nonce_fails() {
    let text = transcript().replace(&format!("nonce={NONCE}"), "nonce=b3RoZXItbG9naW4");
    let checks = checks_of(&text, "oidc.nonce");
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|(s, _)| *s == Status::Fail), "{checks:?}");
}

#[test]
fn a_request_without_a_nonce_is_a_warning() {
    let text = transcript().replace(&format!("&nonce={NONCE}"), "");
    let checks = checks_of(&text, "oidc.nonce");
    assert!(!checks.is_empty());
    for (status, message) in &checks {
        assert_eq!(*status, Status::Warn, "{message}");
        assert!(message.contains("sends no nonce"), "{message}");
    }
}

const VERIFIER: &str = "0kBEjyRJ75veatbbZff4EY_28TRbqWhHfj4IcvVz5Xg";
const CHALLENGE: &str = "52n0eoMinfGIsOYTVHZygTO0aqYvmCBFNVmUJTA4ZvA";

#[test]
fn the_token_request_verifier_matches_the_s256_challenge() {
    let checks = checks_of(&transcript(), "oidc.pkce");
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].0, Status::Pass);
}

#[test]
fn another_verifier_fails_and_no_challenge_is_a_warning() {
    let token_request = format!("&code_verifier={VERIFIER}&redirect_uri");
    let text = transcript().replace(&token_request, "&code_verifier=b3RoZXI&redirect_uri");
    assert_ne!(text, transcript());
    let checks = checks_of(&text, "oidc.pkce");
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].0, Status::Fail);

    let auth_request = format!("&code_challenge={CHALLENGE}&code_challenge_method=S256");
    let text = transcript().replace(&auth_request, "");
    assert_ne!(text, transcript());
    let checks = checks_of(&text, "oidc.pkce");
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].0, Status::Warn);
    assert!(checks[0].1.contains("no PKCE"), "{}", checks[0].1);
}
