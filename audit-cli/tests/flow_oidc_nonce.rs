//! `oidc.nonce` in flows: the id token must echo the nonce of the client's
//! OAuth authorization request, as the capture shows it.

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

/// The status and message of every `oidc.nonce` check of `text`'s flows.
fn nonce_checks(text: &str) -> Vec<(Status, String)> {
    let options = Options {
        when: When::Capture,
        now: 0,
        trust: Trust::default(),
    };
    audit(text, &options)
        .unwrap()
        .iter()
        .flat_map(|f| f.checks.iter())
        .filter(|c| c.id == "oidc.nonce")
        .map(|c| (c.status, c.message.clone()))
        .collect()
}

#[test]
fn the_captured_request_nonce_is_echoed() {
    let checks = nonce_checks(&transcript());
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|(s, _)| *s == Status::Pass), "{checks:?}");
}

#[test]
fn another_request_nonce_fails() {
    let text = transcript().replace(&format!("nonce={NONCE}"), "nonce=b3RoZXItbG9naW4");
    let checks = nonce_checks(&text);
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|(s, _)| *s == Status::Fail), "{checks:?}");
}

#[test]
fn a_request_without_a_nonce_is_a_warning() {
    let text = transcript().replace(&format!("&nonce={NONCE}"), "");
    let checks = nonce_checks(&text);
    assert!(!checks.is_empty());
    for (status, message) in &checks {
        assert_eq!(*status, Status::Warn, "{message}");
        assert!(message.contains("sends no nonce"), "{message}");
    }
}
