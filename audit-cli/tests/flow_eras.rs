//! Shapes of Wire's published captures that the four samples under
//! `vectors/transcripts/` do not show, as small synthetic excerpts written in
//! the style of those captures (the published files themselves are not
//! redistributed here). Tokens carry made-up signatures: these tests are about
//! how a capture is read, not about signatures.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use e2ei_audit::flow::{audit, FlowCheck, FlowReport, Options, Trust, When};
use e2ei_verify::report::Status;

fn options() -> Options {
    Options {
        when: When::Capture,
        now: 1_768_466_455,
        trust: Trust::default(),
    }
}

fn b64(json: &str) -> String {
    B64.encode(json)
}

fn checks<'r>(flow: &'r FlowReport, id: &str) -> Vec<&'r FlowCheck> {
    flow.checks.iter().filter(|c| c.id == id).collect()
}

const ACME: &str = "https://stepca:32891/acme/wire";

/// An id token as the IdP of 2024 issues it, bound to `challenge`.
fn id_token(challenge: &str, iat: u64) -> String {
    let header = b64(r#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = b64(&format!(
        r#"{{"acme_aud":"{challenge}","aud":"wireapp","exp":{},"iat":{iat},"iss":"http://keycloak:18585/realms/master","name":"Alice Smith","sub":"25751cc3"}}"#,
        iat + 60
    ));
    format!("{header}.{claims}.{}", B64.encode([7u8; 256]))
}

/// The steps of one enrolment that matter here, numbered from `first`: the
/// directory fetch that starts it, the oidc challenge the authorization offers,
/// and the id token the client posts to it.
fn enrolment(first: u32, authz: &str, iat: u64) -> String {
    let challenge = format!("{ACME}/challenge/{authz}/oidc{authz}");
    let protected = b64(&format!(
        r#"{{"alg":"EdDSA","kid":"{ACME}/account/acct","nonce":"bm9uY2U","typ":"JWT","url":"{challenge}"}}"#
    ));
    let payload = b64(&format!(
        r#"{{"id_token":"{}"}}"#,
        id_token(&challenge, iat)
    ));
    let signature = B64.encode([9u8; 64]);
    format!(
        r#"### Initial setup with ACME server
#### {first}. fetch acme directory for hyperlinks
```http request
GET {ACME}/directory
                        /acme/{{acme-provisioner}}/directory
```
### Display-name and handle already authorized
#### {}. get back challenges
```http request
200
cache-control: no-store
content-type: application/json
```
```json
{{
  "status": "pending",
  "challenges": [
    {{
      "type": "wire-oidc-01",
      "url": "{challenge}",
      "status": "pending",
      "token": "tok{authz}",
      "target": "http://keycloak:18585/realms/master"
    }}
  ]
}}
```
#### {}. validate oidc challenge (userId + displayName)
```http request
POST {challenge}
                         /acme/{{acme-provisioner}}/challenge/{{authz-id}}/{{challenge-id}}
content-type: application/jose+json
```
```json
{{
  "protected": "{protected}",
  "payload": "{payload}",
  "signature": "{signature}"
}}
```
"#,
        first + 10,
        first + 22,
    )
}

/// 2024-02: after the first enrolment the capture repeats it under the same
/// suite line and renews the certificate with the same account, the step
/// numbers continuing (1 to 30, then 31 to 56). Each enrolment is its own
/// flow: the renewal's id token is bound to the renewal's challenge, not to
/// the first one's, and judging it against the first would fail a sound
/// capture (and leave the renewal's certificate unread).
#[test]
fn a_renewal_in_the_same_section_is_a_flow_of_its_own() {
    let text = format!(
        "# Wire end to end identity example\nEd25519 - SHA256\n{}{}",
        enrolment(1, "A", 1_707_929_004),
        enrolment(31, "B", 1_707_929_005),
    );
    let flows = audit(&text, &options()).unwrap();
    assert_eq!(flows.len(), 2, "{flows:#?}");
    assert_eq!(flows[0].suite, "Ed25519 - SHA256");
    assert_eq!(
        flows[1].suite,
        "Ed25519 - SHA256 (enrolment 2, from step 31)"
    );
    for (flow, step) in flows.iter().zip([23, 53]) {
        let aud = checks(flow, "oidc.acme_aud");
        assert_eq!(aud.len(), 1, "{flow:#?}");
        assert_eq!(aud[0].status, Status::Pass, "{:?}", aud[0]);
        assert_eq!(aud[0].step, Some(step));
    }
}

/// A renewal bound to the first enrolment's challenge is still caught: the
/// split does not hide a token posted to the wrong challenge.
#[test]
fn a_renewal_id_token_bound_to_another_challenge_still_fails() {
    let first = enrolment(1, "A", 1_707_929_004);
    let challenge_a = format!("{ACME}/challenge/A/oidcA");
    let challenge_b = format!("{ACME}/challenge/B/oidcB");
    let renewal = enrolment(31, "B", 1_707_929_005);
    let payload_b = b64(&format!(
        r#"{{"id_token":"{}"}}"#,
        id_token(&challenge_b, 1_707_929_005)
    ));
    let payload_wrong = b64(&format!(
        r#"{{"id_token":"{}"}}"#,
        id_token(&challenge_a, 1_707_929_005)
    ));
    assert!(renewal.contains(&payload_b));
    let renewal = renewal.replace(&payload_b, &payload_wrong);
    let text = format!("Ed25519 - SHA256\n{first}{renewal}");
    let flows = audit(&text, &options()).unwrap();
    assert_eq!(flows.len(), 2);
    let aud = checks(&flows[1], "oidc.acme_aud");
    assert_eq!(aud.len(), 1);
    assert_eq!(aud[0].status, Status::Fail, "{:?}", aud[0]);
}

/// One directory fetch per section, as in every capture before 2024-02: one
/// flow, named by its suite line alone.
#[test]
fn one_enrolment_per_section_is_one_flow() {
    let text = format!("Ed25519 - SHA256\n{}", enrolment(1, "A", 1_707_929_004));
    let flows = audit(&text, &options()).unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].suite, "Ed25519 - SHA256");
}

/// An RSA public key that signed none of the tokens here.
const STRANGER_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0V5c6G8mx3YYEQrnoQHt
cl+zoIX8SM7aR8eUv2DMSuNJJzPnBlXz4OdA5EYYlTLmIg/ZgifAAvu9t97TyWLA
nM45N7stRaDP6Cg+V/k6ioT3wRzohIMBmuWtmxijIZy22xyQAefxh3++DuLMzUsa
AiuX2+80TKpw0Jt9/pQWqeZffXGzE80heA02x1+zPk/JcDLyqbxRwN3Qoxa8anqm
3Jw3hOq3bMRwvGO9Q3uzsdO8g3yKNrPJApaqg1+zIVMtGEakJ6iFzIQycCx7veov
6m+dBLfQZ2+xUbL2HDV6P5VUYjMie609cxlT4E+V6FKkii32oNcVT5mErKgYWyO6
FQIDAQAB
-----END PUBLIC KEY-----";

/// One enrolment whose oidc step shows the id token on jwt.io and, under the
/// given verdict line of the capture's tool, a key that did not sign it.
fn enrolment_with_printed_idp_key(verdict: &str) -> String {
    let challenge = format!("{ACME}/challenge/A/oidcA");
    let heading = "validate oidc challenge (userId + displayName)\n";
    let shown = format!(
        "{heading}See it on [jwt.io](https://jwt.io/#id_token={})\n\n{verdict}\n```text\n{STRANGER_KEY}\n```\n",
        id_token(&challenge, 1_707_929_004)
    );
    let text = enrolment(1, "A", 1_707_929_004);
    assert!(text.contains(heading));
    format!("Ed25519 - SHA256\n{}", text.replacen(heading, &shown, 1))
}

fn trusting_transcript_keys() -> Options {
    Options {
        trust: Trust {
            transcript_keys: true,
            ..Trust::default()
        },
        ..options()
    }
}

/// 2024-02 (keycloak): the capture prints the IdP key it tried under
/// "❌ Invalid Signature with key:", its own tool saying the key does not
/// verify the id token. With `--trust-transcript-keys` that key is not one the
/// capture vouches for: the signature is unverified (`warn`), not failed
/// against a key nobody claimed signed it.
#[test]
fn a_key_the_capture_marks_invalid_is_not_trusted_from_the_transcript() {
    let text = enrolment_with_printed_idp_key("❌ Invalid Signature with key:");
    let flows = audit(&text, &trusting_transcript_keys()).unwrap();
    let sig = checks(&flows[0], "oidc.signature");
    assert_eq!(sig.len(), 1, "{:#?}", flows[0]);
    assert_eq!(sig[0].status, Status::Warn, "{:?}", sig[0]);
    assert!(
        sig[0]
            .message
            .contains("is marked by the capture as not verifying the token"),
        "{}",
        sig[0].message
    );
}

/// The same key printed as the one that verified ("✅ Signature Verified with
/// key:") is trusted from the transcript, and the signature it does not verify
/// fails: the marker only withholds trust, it never passes a signature.
#[test]
fn a_key_the_capture_vouches_for_is_trusted_and_a_bad_signature_fails() {
    let text = enrolment_with_printed_idp_key("✅ Signature Verified with key:");
    let flows = audit(&text, &trusting_transcript_keys()).unwrap();
    let sig = checks(&flows[0], "oidc.signature");
    assert_eq!(sig.len(), 1, "{:#?}", flows[0]);
    assert_eq!(sig[0].status, Status::Fail, "{:?}", sig[0]);
}

/// A CSR from the conformance vectors, as DER.
fn vector_csr(case: &str) -> Vec<u8> {
    let path: std::path::PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "vectors",
        "cases",
        "ed25519",
        case,
        "csr.pem",
    ]
    .iter()
    .collect();
    let pem = std::fs::read_to_string(&path).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// A finalize step that sends `sent` and prints `shown` under `###### CSR:`,
/// as the captures do from 2023-01 on.
fn finalize_step(sent: &[u8], shown: &[u8]) -> String {
    let url = format!("{ACME}/order/ord/finalize");
    let protected = b64(&format!(
        r#"{{"alg":"EdDSA","kid":"{ACME}/account/acct","nonce":"bm9uY2U","typ":"JWT","url":"{url}"}}"#
    ));
    let payload = b64(&format!(r#"{{"csr":"{}"}}"#, B64.encode(sent)));
    let pem = base64::engine::general_purpose::STANDARD.encode(shown);
    let lines: Vec<&str> = pem
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        r#"Ed25519 - SHA256
### Initial setup with ACME server
#### 1. fetch acme directory for hyperlinks
```http request
GET {ACME}/directory
```
### Client presents a CSR and gets its certificate
#### 28. create a CSR and call finalize url
```http request
POST {url}
                         /acme/{{acme-provisioner}}/order/{{order-id}}/finalize
content-type: application/jose+json
```
```json
{{
  "protected": "{protected}",
  "payload": "{payload}",
  "signature": "{}"
}}
```
###### CSR: 
openssl -verify ✅
```
-----BEGIN CERTIFICATE REQUEST-----
{}
-----END CERTIFICATE REQUEST-----

```
"#,
        B64.encode([9u8; 64]),
        lines.join("\n")
    )
}

fn consistency(text: &str) -> Vec<(Status, String)> {
    let flows = audit(text, &options()).unwrap();
    assert_eq!(flows.len(), 1, "{flows:#?}");
    checks(&flows[0], "transcript.consistency")
        .into_iter()
        .map(|c| (c.status, c.message.clone()))
        .collect()
}

/// 2023-03 (ldap dex): the CSR printed under "openssl -verify ✅" is not the
/// one the finalize request sent (another key). The printed view misleads a
/// reader who trusts it: `transcript.consistency` fails, naming the block.
#[test]
fn a_printed_csr_that_is_not_the_sent_one_is_inconsistent() {
    let (sent, other) = (vector_csr("csr.valid"), vector_csr("csr.san.other-handle"));
    assert_ne!(sent, other);
    let found = consistency(&finalize_step(&sent, &other));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Status::Fail, "{found:?}");
    assert!(found[0].1.contains("CSR block at line"), "{found:?}");
}

/// The printed CSR that is the sent one agrees.
#[test]
fn a_printed_csr_that_is_the_sent_one_agrees() {
    let sent = vector_csr("csr.valid");
    let found = consistency(&finalize_step(&sent, &sent));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Status::Pass, "{found:?}");
}

/// An enrolment as `enrolment` writes it, whose id token echoes `nonce` and
/// names `aud`, optionally preceded by the client's OAuth authorization
/// request (client id `wireapp`, nonce `requested`).
fn enrolment_with_login(
    first: u32,
    authz: &str,
    nonce: &str,
    aud: &str,
    requested: Option<&str>,
) -> String {
    let iat = 1_707_929_004 + u64::from(first);
    let plain = id_token(&format!("{ACME}/challenge/{authz}/oidc{authz}"), iat);
    let claims = b64(&format!(
        r#"{{"acme_aud":"{ACME}/challenge/{authz}/oidc{authz}","aud":"{aud}","exp":{},"iat":{iat},"iss":"http://keycloak:18585/realms/master","name":"Alice Smith","nonce":"{nonce}","sub":"25751cc3"}}"#,
        iat + 60
    ));
    let mut parts = plain.split('.');
    let (header, _, signature) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
    let with_nonce = format!("{header}.{claims}.{signature}");
    let text = enrolment(first, authz, iat).replace(
        &b64(&format!(r#"{{"id_token":"{plain}"}}"#)),
        &b64(&format!(r#"{{"id_token":"{with_nonce}"}}"#)),
    );
    let Some(requested) = requested else {
        return text;
    };
    let login = format!(
        "#### {}. OAUTH authorization request (auth code endpoint)\n```http request\n\
         GET http://keycloak:18585/realms/master/protocol/openid-connect/auth?response_type=code&client_id=wireapp&nonce={requested}&state=s\n```\n",
        first + 19
    );
    let at = text
        .find("#### ")
        .and_then(|i| text[i + 5..].find("#### ").map(|j| i + 5 + j));
    let at = at.unwrap();
    format!("{}{login}{}", &text[..at], &text[at..])
}

/// 2024-02: a renewal shows no authorization request of its own; its id token,
/// refreshed from the first enrolment's login, echoes that login's nonce. Its
/// `aud` is then compared with that login's client id (and can fail), its nonce
/// named as that login's; a nonce that is not that login's leaves both
/// uncompared, saying why, and is never a failure.
#[test]
fn a_renewal_is_judged_against_the_login_it_echoes() {
    let judged = |renewal: String| {
        let text = format!(
            "# Wire end to end identity example\nEd25519 - SHA256\n{}{renewal}",
            enrolment_with_login(1, "A", "n0nce", "wireapp", Some("n0nce")),
        );
        let flows = audit(&text, &options()).unwrap();
        assert_eq!(flows.len(), 2, "{flows:#?}");
        let first = (
            checks(&flows[0], "oidc.nonce")[0].status,
            checks(&flows[0], "oidc.aud")[0].status,
        );
        assert_eq!(first, (Status::Pass, Status::Pass), "{:#?}", flows[0]);
        let get = |id| checks(&flows[1], id)[0].clone();
        (get("oidc.aud"), get("oidc.nonce"))
    };
    let (aud, nonce) = judged(enrolment_with_login(31, "B", "n0nce", "wireapp", None));
    assert_eq!((aud.status, nonce.status), (Status::Pass, Status::Pass));
    assert!(
        nonce.message.contains("the one at step 20"),
        "{}",
        nonce.message
    );

    let (aud, _) = judged(enrolment_with_login(31, "B", "n0nce", "another-app", None));
    assert_eq!(aud.status, Status::Fail, "{aud:?}");

    let (aud, nonce) = judged(enrolment_with_login(31, "B", "other", "wireapp", None));
    assert_eq!((aud.status, nonce.status), (Status::Skip, Status::Skip));
    assert!(
        nonce
            .message
            .contains("does not echo the nonce of the one at step 20"),
        "{}",
        nonce.message
    );
}
