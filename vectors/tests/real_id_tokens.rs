//! The OIDC id tokens of the 2023-11 and 2026-01 transcripts, with the IdP keys
//! the transcripts print: RS256 signatures, audience, keyauth, acme_aud.

use e2ei_verify::oidc::{self, parse_idp_keys, Expectations, IdpTrust};
use e2ei_verify::report::Status;
use std::path::Path;

fn read(era: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("real")
        .join(era)
        .join("ed25519")
        .join(file);
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

fn pinned(era: &str) -> Expectations {
    let keys = parse_idp_keys(read(era, "idp_key.pem").as_bytes()).unwrap();
    let mut e = Expectations::new(IdpTrust::Pinned(keys));
    e.audience = Some("wireapp".into());
    e
}

#[test]
fn the_2026_id_token_verifies_with_the_printed_idp_key_and_binds_the_account() {
    let token = read("2026-01-15", "id_token.jwt");
    let mut e = pinned("2026-01-15");
    e.iss = Some("http://authelia.local:40255".into());
    e.keyauth =
        Some("AoDXqw4NHU5vgnEQBBjuBDvGSPqcv47b.TzUK1HJlkNG3JYOzw8RItIXQ3Mt1p6H1OYQbOji-A-g".into());
    e.acme_aud = Some("https://zylxi6.stepca:36197/acme/wire/challenge/6tm9Es0xXXZgxyDo2cCeE34qE7zapMVd/YIYEFjs0LpfU6uYSNPROTI95zWJ0zLTb".into());
    e.name = Some("Alice Smith".into());
    let (claims, report) = oidc::audit(&token, &e, 1_768_466_455);
    assert!(claims.is_some());
    assert!(!report.has_failures(), "{report:#?}");
    assert_eq!(report.get("oidc.signature").unwrap().status, Status::Pass);
    assert_eq!(report.get("oidc.keyauth").unwrap().status, Status::Pass);

    e.keyauth = Some("AoDXqw4NHU5vgnEQBBjuBDvGSPqcv47b.someone-elses-key".into());
    let err = oidc::verify(&token, &e, 1_768_466_455).unwrap_err();
    assert_eq!(e2ei_verify::report::Failure::check_id(&err), "oidc.keyauth");
}

#[test]
fn a_wrong_idp_key_fails_and_no_key_is_a_warning() {
    let token = read("2026-01-15", "id_token.jwt");
    let other = pinned("2023-11-15");
    let (_, report) = oidc::audit(&token, &other, 1_768_466_455);
    assert_eq!(report.get("oidc.signature").unwrap().status, Status::Fail);
    let (_, report) = oidc::audit(
        &token,
        &Expectations::new(IdpTrust::Unverified),
        1_768_466_455,
    );
    assert_eq!(report.get("oidc.signature").unwrap().status, Status::Warn);
    // Expired a day later.
    let (_, report) = oidc::audit(&token, &pinned("2026-01-15"), 1_768_466_455 + 86_400);
    assert_eq!(report.get("oidc.time").unwrap().status, Status::Fail);
}

#[test]
fn the_2023_11_id_token_verifies_with_its_idp_key() {
    let token = read("2023-11-15", "id_token.jwt");
    let (_, report) = oidc::audit(&token, &pinned("2023-11-15"), 1_700_131_046);
    assert!(!report.has_failures(), "{report:#?}");
    assert_eq!(report.get("oidc.signature").unwrap().status, Status::Pass);
}

#[test]
fn the_nonce_must_be_the_authorization_requests() {
    let token = read("2026-01-15", "id_token.jwt");
    let mut e = pinned("2026-01-15");
    let (_, report) = oidc::audit(&token, &e, 1_768_466_455);
    assert_eq!(report.get("oidc.nonce").unwrap().status, Status::Skip);
    e.nonce = Some("MqP13jCrw5uEzrt2iQdqbQ".into());
    let (_, report) = oidc::audit(&token, &e, 1_768_466_455);
    assert_eq!(report.get("oidc.nonce").unwrap().status, Status::Pass);
    e.nonce = Some("another-login".into());
    let err = oidc::verify(&token, &e, 1_768_466_455).unwrap_err();
    assert_eq!(e2ei_verify::report::Failure::check_id(&err), "oidc.nonce");
}
