//! Each extractor on small synthetic captures: what it takes, and what it refuses
//! (refusals are typed findings or silence, never a panic).
// Tests unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use e2ei_audit::transcript::{
    parse, FindingKind, ItemKind, ObjectKind, ObjectSource, Suite, TokenSource, Transcript,
};

/// A compact JWS with the given header JSON (the signature is not checked here).
fn jws(header: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#),
        URL_SAFE_NO_PAD.encode([7u8; 64])
    )
}

fn dpop() -> String {
    jws(r#"{"alg":"EdDSA","typ":"dpop+jwt"}"#)
}

/// A DER SEQUENCE long enough to pass for a certificate.
fn der() -> Vec<u8> {
    let mut d = vec![0x30, 0x40];
    d.extend([1u8; 0x40]);
    d
}

fn fenced(lang: &str, body: &str) -> String {
    format!("```{lang}\n{body}\n```\n")
}

/// A one-step capture. The transcript borrows its text, so the text is leaked (a
/// few bytes per test) to let the helper hand the transcript back.
fn step(body: &str) -> Transcript<'static> {
    let text: &'static str =
        Box::leak(format!("P256 - SHA256\n#### 1. step\n{body}").into_boxed_str());
    parse(text).unwrap()
}

fn findings<'t>(t: &'t Transcript<'_>) -> Vec<&'t FindingKind> {
    t.findings.iter().map(|f| &f.kind).collect()
}

#[test]
fn sections_from_suite_line_variants_and_none() {
    // (A block under a step: steps with nothing read under them are no capture.)
    let text = "# Wire end to end identity example\n\n### P256 - SHA256\n\n#### 1. a\n```json\n{}\n```\n#### 1. b\nECDSA P-384\n#### 1. c\nP521 - SHA512\n#### 7. d\n";
    let t = parse(text).unwrap();
    let suites: Vec<_> = t.sections.iter().map(|s| s.suite).collect();
    assert_eq!(
        suites,
        [Some(Suite::P256), Some(Suite::P384), Some(Suite::P521)]
    );
    assert_eq!(t.sections[0].steps.len(), 2);
    assert_eq!(t.sections[0].steps_numbered(1).count(), 2);
    assert_eq!(t.sections[1].step(1).unwrap().line, 11);

    let t = parse("#### 3. lonely\n```json\n{}\n```").unwrap();
    assert_eq!(t.sections.len(), 1);
    assert_eq!(t.sections[0].suite, None);
    assert_eq!(t.sections[0].step(3).unwrap().items.len(), 1);
}

#[test]
fn groups_follow_steps_and_reset_per_section() {
    let t =
        parse("Ed25519 - SHA256\n### phase A\n#### 1. x\n```\n{}\n```\n#### 2. y\nP256 - SHA256\n#### 1. z\n")
            .unwrap();
    let groups: Vec<_> = t.steps().map(|s| s.group).collect();
    assert_eq!(groups, [Some("phase A"), Some("phase A"), None]);
}

#[test]
fn http_request_template_headers_and_response() {
    let body = fenced(
        "http request",
        "POST https://acme/challenge/a/b\n          /acme/{acme-provisioner}/challenge/{authz-id}/{challenge-id}\ncontent-type: application/jose+json",
    ) + &fenced("http request", "200\nreplay-nonce: N1\nlocation: https://acme/x\nlink: <a>;rel=\"up\"");
    let t = step(&body);
    let s = t.steps().next().unwrap();
    let req = s.requests().next().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.headers.len(), 1);
    assert!(req.template.unwrap().starts_with("/acme/{"));
    let resp = s.responses().next().unwrap();
    assert_eq!((resp.status, resp.replay_nonce()), (200, Some("N1")));
    assert_eq!(resp.header("LINK").unwrap().line, 12);
}

#[test]
fn dpop_header_base64_plain_and_invalid() {
    let t = dpop();
    let wrapped = STANDARD.encode(&t);
    let body = fenced(
        "http request",
        &format!("POST http://w/access-token\ndpop: {wrapped}"),
    ) + &fenced(
        "http request",
        &format!("POST http://w/access-token\ndpop: {t}"),
    ) + &fenced(
        "http request",
        "POST http://w/access-token\ndpop: %%% not base64",
    ) + &fenced(
        "http request",
        &format!("POST http://w/x\ndpop: {}", STANDARD.encode("plain text")),
    );
    let tr = step(&body);
    let sources: Vec<_> = tr.tokens().map(|x| (&x.source, x.line)).collect();
    assert_eq!(
        sources,
        [
            (
                &TokenSource::DpopHeader {
                    base64_wrapped: true
                },
                5
            ),
            (
                &TokenSource::DpopHeader {
                    base64_wrapped: false
                },
                9
            ),
        ]
    );
    assert!(tr.tokens().all(|x| *x.compact == *t));
    assert_eq!(
        findings(&tr),
        [
            &FindingKind::DpopHeaderNotJws,
            &FindingKind::DpopHeaderNotJws
        ]
    );
    assert_eq!(tr.findings[0].line, 13);
}

#[test]
fn jwt_io_links_in_both_styles_and_not_tokens() {
    let t = dpop();
    let body = format!(
        "Token [here](https://jwt.io/#id_token={t})\nSee it on\n[jwt.io](https://jwt.io/#id_token={t})\n[jwt.io](https://jwt.io/#id_token=abc.def.ghi)\nnonce eyJhbGciOiJFZERTQSJ9 alone\n"
    );
    let tr = step(&body);
    let lines: Vec<_> = tr.tokens().map(|x| (x.line, x.source.clone())).collect();
    assert_eq!(
        lines,
        [(3, TokenSource::JwtIoLink), (5, TokenSource::JwtIoLink)]
    );
}

#[test]
fn raw_block_joined_with_decoded_view() {
    let t = jws(r#"{"alg":"ES256","typ":"at+jwt"}"#);
    let wrapped: Vec<String> = t
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let body = format!(
        "See it on [jwt.io](https://jwt.io/#id_token={t})\n\nRaw:\n{}\nDecoded:\n\n{}\n{}",
        fenced("text", &wrapped.join("\n")),
        fenced("json", r#"{"alg":"ES256","typ":"at+jwt"}"#),
        fenced("json", r#"{"sub":"forged"}"#)
    );
    let tr = step(&body);
    let toks: Vec<_> = tr.tokens().collect();
    assert_eq!(toks.len(), 2);
    assert_eq!(toks[1].source, TokenSource::RawBlock);
    assert_eq!(&*toks[1].compact, t);
    for tok in toks {
        let view = tok.view.as_ref().unwrap();
        assert_eq!(view.header.as_ref().unwrap()["typ"], "at+jwt");
        // The printed claims disagree with the signed payload; both are kept.
        assert_eq!(view.claims.as_ref().unwrap()["sub"], "forged");
    }
    // Views are attached, not listed as JSON bodies.
    assert_eq!(tr.steps().next().unwrap().json().count(), 0);
}

#[test]
fn raw_block_with_stray_line_or_garbage() {
    let t = dpop();
    let (a, b) = t.split_at(30);
    let body = format!("Raw:\n```text\n{a}\n✅ stray\n{b}\n```\nRaw:\n```text\nnot a token\n```\n");
    let tr = step(&body);
    assert_eq!(tr.tokens().count(), 1);
    assert_eq!(&*tr.tokens().next().unwrap().compact, t);
    assert_eq!(
        findings(&tr),
        [&FindingKind::RawStrayLine, &FindingKind::RawNotJws]
    );
    assert_eq!(tr.findings[0].line, 6);
}

#[test]
fn decoded_marker_without_token_keeps_plain_json() {
    let tr = step(&format!("Decoded:\n{}", fenced("json", r#"{"a":1}"#)));
    assert_eq!(tr.steps().next().unwrap().json().count(), 1);
}

#[test]
fn json_fields_holding_tokens_anywhere() {
    let t = dpop();
    let body = fenced(
        "json",
        &format!("{{\n  \"token\": \"{t}\",\n  \"nested\": {{\"list\": [\"{t}\", \"x.y\"]}},\n  \"keyauth\": \"chal.thumb\"\n}}"),
    ) + &fenced("text", &format!("{{\"id_token\": \"{t}\"}}"))
        + &fenced("text", &t);
    let tr = step(&body);
    let got: Vec<_> = tr.tokens().map(|x| (x.line, x.source.clone())).collect();
    let field = |p: &str| TokenSource::JsonField { pointer: p.into() };
    assert_eq!(
        got,
        [
            (5, field("/token")),
            (6, field("/nested/list/0")),
            (11, field("/id_token")),
            (14, TokenSource::TextBlock),
        ]
    );
}

#[test]
fn acme_jws_signed_and_decoded_inline_or_separate() {
    let id = jws(r#"{"alg":"RS256","kid":"k"}"#);
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"id_token":"{id}","keyauth":"c.t"}}"#));
    let protected = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","nonce":"n1","url":"u"}"#);
    let signed = format!(
        "{{\n  \"protected\": \"{protected}\",\n  \"payload\": \"{payload}\",\n  \"signature\": \"c2ln\"\n}}"
    );
    let inline = fenced(
        "json",
        &format!("{signed}\n...decoded...\n{{\"protected\": {{\"nonce\": \"n2\"}}}}"),
    );
    let separate = fenced("json", &signed)
        + &fenced("json", r#"{"payload": {}, "protected": {"nonce": "n1"}}"#);
    let broken = fenced("json", &format!("{signed}\n...decoded...\n{{not json"));
    let tr = step(&format!("{inline}{separate}{broken}"));
    let jws: Vec<_> = tr.sections[0].acme_jws().collect();
    assert_eq!(jws.len(), 3);
    assert!(jws
        .iter()
        .all(|j| j.protected == protected && j.payload == payload));
    assert_eq!(jws[0].header.as_ref().unwrap()["nonce"], "n1");
    // The inline view claims another nonce than the signed header: both kept.
    assert_eq!(jws[0].decoded.as_ref().unwrap()["protected"]["nonce"], "n2");
    assert_eq!(jws[0].decoded_line, Some(10));
    assert_eq!(jws[1].decoded.as_ref().unwrap()["protected"]["nonce"], "n1");
    assert!(jws[2].decoded.is_none());
    let acme: Vec<_> = tr
        .tokens()
        .filter(
            |t| matches!(&t.source, TokenSource::AcmePayload { pointer } if pointer == "/id_token"),
        )
        .collect();
    assert_eq!(acme.len(), 3);
    assert_eq!(acme[0].line, 6);
    assert!(tr.findings.is_empty());
}

#[test]
fn json_giving_a_member_twice_is_noted_wherever_it_is_printed() {
    let t = dpop();
    let protected = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","nonce":"n1","url":"u"}"#);
    let signed = format!(
        "{{\n  \"protected\": \"{protected}\",\n  \"payload\": \"\",\n  \"signature\": \"c2ln\",\n  \"signature\": \"c2lo\"\n}}"
    );
    let body = fenced(
        "json",
        r#"{"status": "invalid", "x": {"a": 1}, "status": "valid"}"#,
    ) + &fenced("json", &signed)
        + &fenced(
            "json",
            r#"{"protected": {"nonce": "n1", "nonce": "n2"}, "payload": {}}"#,
        )
        + &fenced(
            "json",
            &format!("{signed}\n...decoded...\n{{\"protected\": {{\"url\": 1, \"url\": 2.5}}}}"),
        )
        + &format!("See it on [jwt.io](https://jwt.io/#id_token={t})\n\nDecoded:\n\n")
        + &fenced("json", r#"{"alg": "EdDSA", "alg": "none"}"#)
        + &fenced("json", r#"{"sub": "x"}"#)
        + &fenced(
            "json",
            r#"{"a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 2}]}"#,
        );
    let tr = step(&body);
    let repeated: Vec<_> = tr.steps().next().unwrap().repeated.iter().collect();
    let got: Vec<_> = repeated.iter().map(|r| (r.line, r.name.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "status"),
            (6, "signature"),
            (14, "nonce"),
            (17, "signature"),
            (25, "url"),
            (31, "alg"),
        ]
    );
    // The value read still holds the last occurrence, as serde_json keeps it.
    let first: Vec<_> = tr.steps().next().unwrap().json().collect();
    assert_eq!(first[0].value.as_ref().unwrap()["status"], "valid");
}

#[test]
fn finalize_csr_good_and_bad() {
    let jws_with = |payload: &str| {
        fenced(
            "json",
            &format!(
                r#"{{"protected": "e30", "payload": "{}", "signature": "c2ln"}}"#,
                URL_SAFE_NO_PAD.encode(payload)
            ),
        )
    };
    let good = jws_with(&format!(r#"{{"csr":"{}"}}"#, URL_SAFE_NO_PAD.encode(der())));
    let bad = jws_with(r#"{"csr":"!!"}"#);
    let tr = step(&format!("{good}{bad}"));
    let csrs: Vec<_> = tr.sections[0].objects().collect();
    assert_eq!(csrs.len(), 1);
    assert_eq!(
        (csrs[0].kind, &csrs[0].source),
        (ObjectKind::CertificateRequest, &ObjectSource::AcmeCsr)
    );
    assert_eq!(findings(&tr), [&FindingKind::CsrNotDer]);
}

#[test]
fn der_array_chain_with_a_bad_element() {
    let cert = STANDARD.encode(der());
    let wrapped = format!("{}\\n{}", &cert[..40], &cert[40..]);
    let body = fenced(
        "json",
        &format!("[\n  \"{wrapped}\",\n  \"%% nope\",\n  \"{cert}\"\n]"),
    );
    let tr = step(&body);
    let certs: Vec<_> = tr.sections[0].certificates().collect();
    assert_eq!(certs.len(), 2);
    assert!(certs.iter().all(|c| c.der == der()));
    assert_eq!(certs[0].line, 5);
    assert_eq!(
        findings(&tr),
        [&FindingKind::NotDer {
            pointer: "/1".into()
        }]
    );
    // An array of URLs is not a chain.
    let tr = step(&fenced(
        "json",
        r#"{"authorizations": ["https://a/1", "https://a/2"]}"#,
    ));
    assert_eq!(tr.sections[0].objects().count(), 0);
    assert!(tr.findings.is_empty());
}

#[test]
fn pem_blocks_keys_secrets_headings_and_views() {
    let b64 = STANDARD.encode(der());
    let pem = |label: &str| format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----");
    let body = format!(
        "###### Certificate #1\nopenssl -verify ✅\n{}{}{}{}{}",
        fenced("", &pem("CERTIFICATE")),
        fenced("", "Certificate:\n    Data:\n        Version: 3 (0x2)"),
        fenced(
            "text",
            &format!("{}\n{}", pem("EC PRIVATE KEY"), pem("PUBLIC KEY"))
        ),
        fenced(
            "text",
            "-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----"
        ),
        fenced(
            "json",
            &format!("\"{}\"", pem("CERTIFICATE").replace('\n', "\\n"))
        ),
    );
    let tr = step(&body);
    let objs: Vec<_> = tr.sections[0]
        .objects()
        .map(|o| (o.kind, o.line, o.heading, o.text_view.is_some()))
        .collect();
    assert_eq!(
        objs,
        [
            (ObjectKind::Certificate, 6, Some("Certificate #1"), true),
            (ObjectKind::PrivateKey, 16, Some("Certificate #1"), false),
            (ObjectKind::PublicKey, 19, Some("Certificate #1"), false),
            (ObjectKind::Certificate, 29, Some("Certificate #1"), false),
        ]
    );
    assert_eq!(tr.secrets().count(), 1);
    assert_eq!(
        findings(&tr),
        [
            &FindingKind::SecretPrinted {
                label: "EC PRIVATE KEY".into()
            },
            &FindingKind::InvalidPem {
                label: "CERTIFICATE".into()
            },
        ]
    );
    // An openssl dump with nothing to attach to stays a text item.
    let tr = step(&fenced("", "Certificate:\n    Data:"));
    let step = tr.steps().next().unwrap();
    assert!(matches!(step.items[0].kind, ItemKind::Text(_)));
}

/// The PEM text right after an HTTP response block, or written inside it after
/// a blank line, is that response's body (the certificate download sent as
/// `application/pem-certificate-chain`); a heading or a prose line between
/// them, or a request instead of a response, leaves the blocks printed views.
#[test]
fn pem_text_after_a_response_is_its_body() {
    let b64 = STANDARD.encode(der());
    let cert = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----");
    let chain = format!("{cert}\n{cert}");
    let response = "200\ncontent-type: application/pem-certificate-chain";
    let sources = |body: &str| -> Vec<ObjectSource> {
        let tr = step(body);
        let sources = tr.sections[0].certificates().map(|c| c.source.clone());
        sources.collect()
    };
    let body = ObjectSource::PemBody;
    let printed = ObjectSource::PemBlock;
    let after = |between: &str, lang: &str| {
        format!(
            "{}{between}{}###### Certificate #1\n{}",
            fenced("http request", response),
            fenced(lang, &chain),
            fenced("", &cert)
        )
    };
    let expected = [body.clone(), body.clone(), printed.clone()];
    assert_eq!(sources(&after("", "text")), expected);
    assert_eq!(sources(&after("\n", "")), expected);
    let inline = fenced("http request", &format!("{response}\n\n{chain}"));
    assert_eq!(sources(&inline), [body.clone(), body.clone()]);
    for between in ["###### Certificate #1\n", "the chain:\n"] {
        let expected = [printed.clone(), printed.clone(), printed.clone()];
        assert_eq!(sources(&after(between, "text")), expected);
    }
    let request = fenced("http request", "POST https://acme/certificate/1");
    let after_request = format!("{request}{}", fenced("text", &chain));
    assert_eq!(sources(&after_request), [printed.clone(), printed.clone()]);
    let inline_request = fenced(
        "http request",
        &format!("POST https://acme/certificate/1\n\n{chain}"),
    );
    assert_eq!(sources(&inline_request), [printed.clone(), printed.clone()]);
    // `curl -v`: the unmarked lines after the response are its body; a
    // response without one, then a request, leaves the next block to the
    // request.
    let curl = |body: &str| {
        format!(
            "> POST /acme/wire/certificate/1 HTTP/1.1\n> Host: a.example\n>\n< HTTP/1.1 200 OK\n< {}\n<\n{body}",
            "content-type: application/pem-certificate-chain"
        )
    };
    let in_curl = fenced("http", &curl(&chain));
    assert_eq!(sources(&in_curl), [body.clone(), body.clone()]);
    let after_curl = format!("{}{}", fenced("http", &curl("")), fenced("", &chain));
    assert_eq!(sources(&after_curl), [body.clone(), body]);
    let then_request = format!(
        "{}{}",
        fenced(
            "http",
            "< HTTP/1.1 200 OK\n<\n> GET /x HTTP/1.1\n> Host: a.example\n>"
        ),
        fenced("", &chain)
    );
    assert_eq!(sources(&then_request), [printed.clone(), printed]);
}

#[test]
fn invalid_json_and_unclosed_fence_are_findings() {
    let tr = step("```json\n{ \"a\": \n```\n```text\nabc");
    assert_eq!(
        findings(&tr),
        [&FindingKind::InvalidJson, &FindingKind::UnclosedFence]
    );
    let s = tr.steps().next().unwrap();
    assert!(matches!(&s.items[0].kind, ItemKind::Json(j) if j.value.is_none()));
    assert_eq!(s.items.len(), 2);
}

#[test]
fn bare_strings_are_nonces_in_either_form() {
    let tr = step(&(fenced("json", "\"N1\"") + &fenced("text", "N2") + &fenced("text", "a b")));
    let got: Vec<_> = tr.steps().next().unwrap().bare_strings().collect();
    assert_eq!(got, [(3, "N1"), (6, "N2")]);
}
