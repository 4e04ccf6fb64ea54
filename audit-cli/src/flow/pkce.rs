//! `oidc.pkce`: the OAuth login the id token came from was bound to this client
//! by PKCE (RFC 7636). The authorization request's `code_challenge` must be
//! `BASE64URL(SHA-256(code_verifier))` of the verifier the client later sent to
//! the token endpoint; otherwise whoever held the authorization code could have
//! redeemed it. Only an auditor of the transcript sees both requests.

use super::reconstruct::Flow;
use super::report::FlowCheck;
use e2ei_verify::jose::{b64_encode, HashAlg};
use e2ei_verify::report::{Check, Status};

const ID: &str = "oidc.pkce";

/// `oidc.pkce` at the token request, when the capture shows an OAuth login.
pub fn check(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let Some(request) = &flow.oauth_client_id else {
        return;
    };
    let Some(pkce) = &flow.oauth_pkce else {
        let message = "the OAuth authorization request carries no PKCE code_challenge: \
                       nothing binds the authorization code to this client (RFC 7636)";
        out.push(FlowCheck::at(
            Check::new(ID, Status::Warn, message),
            request.step,
        ));
        return;
    };
    let (challenge, method) = &pkce.value;
    let Some(verifier) = &flow.oauth_code_verifier else {
        let message = format!(
            "code_challenge {challenge} not compared: the token request's code_verifier \
             is not in the capture"
        );
        out.push(FlowCheck::at(
            Check::new(ID, Status::Skip, message),
            pkce.step,
        ));
        return;
    };
    let check = verdict(challenge, method.as_deref(), &verifier.value);
    out.push(FlowCheck::at(check, verifier.step));
}

/// RFC 7636 §4.6: the server's comparison, for `method` (absent: `plain`).
fn verdict(challenge: &str, method: Option<&str>, verifier: &str) -> Check {
    let expected = match method.unwrap_or("plain") {
        "S256" => b64_encode(HashAlg::Sha256.digest(verifier.as_bytes()).as_ref()),
        "plain" => verifier.to_owned(),
        other => {
            let message = format!("code_challenge_method {other:?} is not S256 or plain");
            return Check::new(ID, Status::Fail, message);
        }
    };
    if expected != challenge {
        let mut c = Check::new(
            ID,
            Status::Fail,
            "the code_verifier sent to the token endpoint does not match the \
             authorization request's code_challenge",
        );
        c.expected = Some(challenge.to_owned());
        c.found = Some(expected);
        return c;
    }
    match method {
        Some("S256") => Check::new(
            ID,
            Status::Pass,
            "code_challenge is the S256 hash of the code_verifier sent to the token endpoint",
        ),
        _ => Check::new(
            ID,
            Status::Warn,
            "PKCE with the plain method: the challenge is the verifier itself, which an \
             observer of the authorization request learns (RFC 7636 §4.2: use S256)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example() {
        assert_eq!(
            verdict(CHALLENGE, Some("S256"), VERIFIER).status,
            Status::Pass
        );
        let other = verdict(CHALLENGE, Some("S256"), "another-verifier");
        assert_eq!(other.status, Status::Fail);
        assert_eq!(other.expected.as_deref(), Some(CHALLENGE));
    }

    #[test]
    fn plain_is_a_warning_when_equal_and_unknown_methods_fail() {
        assert_eq!(verdict(VERIFIER, None, VERIFIER).status, Status::Warn);
        assert_eq!(
            verdict(VERIFIER, Some("plain"), VERIFIER).status,
            Status::Warn
        );
        assert_eq!(verdict(CHALLENGE, None, VERIFIER).status, Status::Fail);
        assert_eq!(
            verdict(CHALLENGE, Some("S512"), VERIFIER).status,
            Status::Fail
        );
    }
}
