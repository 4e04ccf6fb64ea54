//! What the reader extracts from the four real captures (2023-01 … 2026-01).
// Tests unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use e2ei_audit::transcript::{
    parse, ObjectKind, ObjectSource, Section, Suite, Token, TokenSource, Transcript,
};

/// Wire's published captures, shared with the conformance vectors.
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/transcripts");

/// A capture and its transcript. The transcript borrows its text, so the text is
/// leaked (four files in all) to let the helper hand both back.
fn load(name: &str) -> (&'static str, Transcript<'static>) {
    let path = format!("{DIR}/{name}");
    let text: &'static str = Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str());
    (text, parse(text).unwrap())
}

fn source_name(t: &Token) -> &'static str {
    match t.source {
        TokenSource::JwtIoLink => "link",
        TokenSource::RawBlock => "raw",
        TokenSource::TextBlock => "text",
        TokenSource::JsonField { .. } => "json",
        TokenSource::DpopHeader { .. } => "dpop",
        TokenSource::AcmePayload { .. } => "acme",
    }
}

fn by_source(s: &Section) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for t in s.tokens() {
        *m.entry(source_name(t)).or_default() += 1;
    }
    m
}

fn counts(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

/// `(line, source, typ)` of every token of a section.
fn token_table<'s>(s: &'s Section<'_>) -> Vec<(usize, &'static str, Option<&'s str>)> {
    s.tokens()
        .map(|t| (t.line, source_name(t), t.typ()))
        .collect()
}

fn object_sources(s: &Section, kind: ObjectKind) -> Vec<&'static str> {
    s.objects()
        .filter(|o| o.kind == kind)
        .map(|o| match o.source {
            ObjectSource::PemBlock => "pem",
            ObjectSource::PemBody => "pem-body",
            ObjectSource::JsonPem { .. } => "json-pem",
            ObjectSource::JsonDerArray { .. } => "json-der",
            ObjectSource::AcmeCsr => "acme-csr",
        })
        .collect()
}

/// The signed members must be the file's bytes, character for character.
fn assert_jws_exact(text: &str, t: &Transcript) {
    for s in &t.sections {
        for jws in s.acme_jws() {
            assert!(text.contains(&format!("\"protected\": \"{}\"", jws.protected)));
            assert!(text.contains(&format!("\"payload\": \"{}\"", jws.payload)));
            assert!(text.contains(&format!("\"signature\": \"{}\"", jws.signature)));
        }
    }
}

/// The `dpop:` header is base64 of the very DPoP proof shown in the `Raw:` block.
fn assert_dpop_header_matches_proof(s: &Section) {
    let header: Vec<&Token> = s
        .tokens()
        .filter(|t| {
            t.source
                == TokenSource::DpopHeader {
                    base64_wrapped: true,
                }
        })
        .collect();
    assert_eq!(header.len(), 1);
    let raw = s
        .tokens()
        .find(|t| t.source == TokenSource::RawBlock && t.typ() == Some("dpop+jwt"))
        .unwrap();
    assert_eq!(header[0].compact, raw.compact);
}

/// The `proof` claim inside the access token is signed content: never extracted.
fn assert_proof_claim_not_extracted(s: &Section, dpop_occurrences: usize) {
    let n = s.tokens().filter(|t| t.typ() == Some("dpop+jwt")).count();
    assert_eq!(n, dpop_occurrences);
}

#[test]
fn era_2023_01_three_suites_links_and_bare_der_chain() {
    let (text, t) = load("wire-e2ei-2023-01-18.md");
    assert_eq!(t.title, Some("Wire end to end identity example"));
    let suites: Vec<_> = t.sections.iter().map(|s| s.suite).collect();
    assert_eq!(
        suites,
        [Some(Suite::Ed25519), Some(Suite::P256), Some(Suite::P384)]
    );
    let lines: Vec<_> = t.sections.iter().map(|s| s.line).collect();
    assert_eq!(lines, [2, 487, 973]);
    for s in &t.sections {
        assert_eq!(s.steps.len(), 26);
        let numbers: Vec<_> = s.steps().filter_map(|st| st.number).collect();
        assert_eq!(numbers, (1..=26).collect::<Vec<_>>());
        assert_eq!(
            s.step(15).unwrap().title,
            "create the client Dpop token with both nonces"
        );
        assert_eq!(
            s.step(15).unwrap().group,
            Some("Client fetches JWT DPoP access token (with wire-server)")
        );
        // Only the two jwt.io links: the ACME challenge POST has an empty payload.
        assert_eq!(by_source(s), counts(&[("link", 2)]));
        let typs: Vec<_> = s.tokens().map(Token::typ).collect();
        assert_eq!(typs, [Some("dpop+jwt"), Some("at+jwt")]);
        assert_eq!(s.step(17).unwrap().acme_jws().next().unwrap().payload, "");
        assert_eq!(s.acme_jws().count(), 8);
        assert_eq!(
            object_sources(s, ObjectKind::Certificate),
            ["json-der", "json-der"]
        );
        assert_eq!(
            object_sources(s, ObjectKind::CertificateRequest),
            ["acme-csr"]
        );
        assert_proof_claim_not_extracted(s, 1);
        let step26 = s.step(26).unwrap();
        assert_eq!(step26.responses().next().unwrap().status, 200);
        assert!(step26.certificates().all(|c| c.der.first() == Some(&0x30)));
    }
    let ed = &t.sections[0];
    assert_eq!(
        token_table(ed),
        [
            (304, "link", Some("dpop+jwt")),
            (314, "link", Some("at+jwt"))
        ]
    );
    let nonce: Vec<_> = ed.step(14).unwrap().bare_strings().collect();
    assert_eq!(
        nonce,
        [(300, "WDhFa1hiQzdxcXVHeHpnRUJmVzlDaFZ3RmF6OHpqSHQ")]
    );
    let step4 = ed.step(4).unwrap();
    let resp = step4.responses().next().unwrap();
    assert_eq!(
        resp.replay_nonce(),
        Some("ZE9IZUtCcTVOaGc3Z09TeHJ2WWtIeEllbXZwTWNYS1I")
    );

    let account = ed.step(5).unwrap().acme_jws().next().unwrap();
    assert_eq!(
        account.payload,
        "eyJ0ZXJtc09mU2VydmljZUFncmVlZCI6dHJ1ZSwiY29udGFjdCI6WyJ1bmtub3duQGV4YW1wbGUuY29tIl0sIm9ubHlSZXR1cm5FeGlzdGluZyI6ZmFsc2V9"
    );
    assert_eq!(
        account.signature,
        "R5b8zKjwciZid1kIEWX_2ggkZRj029JZZavPYMFFMDKVbzaiC-DvZOsprM89L-etUzFnypIDnVKyNdC_62jDCg"
    );
    let header_nonce = account.header.as_ref().unwrap()["nonce"].as_str();
    assert_eq!(
        header_nonce,
        Some("ZE9IZUtCcTVOaGc3Z09TeHJ2WWtIeEllbXZwTWNYS1I")
    );
    let decoded = account.decoded.as_ref().unwrap();
    assert_eq!(decoded["protected"]["nonce"].as_str(), header_nonce);
    assert_eq!(account.decoded_line, Some(80));
    let chain: Vec<_> = ed.certificates().map(|c| c.line).collect();
    assert_eq!(chain, [483, 484]);
    assert_jws_exact(text, &t);
    assert!(t.findings.is_empty(), "{:?}", t.findings);
    assert_eq!(t.secrets().count(), 0);
}

#[test]
fn era_2023_03_raw_blocks_dpop_header_oidc_and_pem_chain() {
    let (text, t) = load("wire-e2ei-2023-03-15.md");
    assert_eq!(t.sections.len(), 1);
    let s = &t.sections[0];
    assert_eq!(s.suite, Some(Suite::Ed25519));
    assert_eq!(s.suite_line, Some("Ed25519 - SHA256"));
    assert_eq!(s.steps.len(), 37);
    assert_eq!(s.step(13).unwrap().title, "create client DPoP token");
    assert_eq!(
        s.step(30).unwrap().title,
        "validate oidc challenge (userId + displayName)"
    );
    assert_eq!(
        by_source(s),
        counts(&[
            ("acme", 2),
            ("dpop", 1),
            ("json", 3),
            ("link", 3),
            ("raw", 3),
            ("text", 1)
        ])
    );
    assert_eq!(
        token_table(s),
        [
            (267, "link", Some("dpop+jwt")),
            (271, "raw", Some("dpop+jwt")),
            (330, "dpop", Some("dpop+jwt")),
            (340, "json", Some("at+jwt")),
            (348, "link", Some("at+jwt")),
            (352, "raw", Some("at+jwt")),
            (443, "acme", Some("at+jwt")),
            (696, "json", None),
            (699, "json", None),
            (705, "text", None),
            (712, "link", None),
            (716, "raw", None),
            (783, "acme", None),
        ]
    );
    assert_dpop_header_matches_proof(s);
    assert_proof_claim_not_extracted(s, 3);
    // The access token reaches ACME byte for byte as wire-server issued it.
    let issued = &s.step(15).unwrap().tokens[0];
    let posted = &s.step(16).unwrap().tokens[0];
    assert_eq!(issued.compact, posted.compact);
    assert_eq!(
        posted.source,
        TokenSource::AcmePayload {
            pointer: "/access_token".into()
        }
    );
    // Decoded views sit beside the link and the Raw: block.
    let raw = &s.step(13).unwrap().tokens[1];
    let view = raw.view.as_ref().unwrap();
    assert_eq!(view.header.as_ref().unwrap()["typ"], "dpop+jwt");
    assert_eq!(
        view.claims.as_ref().unwrap()["chal"],
        "Lnq4no5QBybc8P4d01pCWDzlaO34tATl"
    );
    let nonce: Vec<_> = s.step(12).unwrap().bare_strings().collect();
    assert_eq!(
        nonce,
        [(258, "ZGQ3WGFvZjBiVUJMVkJVQzR0YThrcTJIbnNpOTRVZkg")]
    );
    let template = s.step(16).unwrap().requests().next().unwrap().template;
    assert_eq!(
        template,
        Some("/acme/{acme-provisioner}/challenge/{authz-id}/{challenge-id}")
    );
    assert_eq!(s.acme_jws().count(), 8);
    assert!(s.acme_jws().all(|j| j.decoded.is_some()));
    let oidc = s.step(30).unwrap().acme_jws().next().unwrap();
    let keyauth = oidc.payload_value.as_ref().unwrap()["keyauth"].as_str();
    assert_eq!(
        keyauth,
        Some("Lnq4no5QBybc8P4d01pCWDzlaO34tATl._7zQ87tNifapbXwQuyvzgUoCljMfvNVV1tACfqIr3r4")
    );
    assert_eq!(
        object_sources(s, ObjectKind::Certificate),
        ["json-pem", "json-pem", "pem", "pem"]
    );
    assert_eq!(
        object_sources(s, ObjectKind::CertificateRequest),
        ["acme-csr", "pem"]
    );
    let certs: Vec<_> = s.certificates().collect();
    assert_eq!(certs[0].der, certs[2].der);
    assert_eq!(certs[1].der, certs[3].der);
    assert_eq!(certs[2].heading, Some("Certificate #1"));
    assert!(certs[2]
        .text_view
        .as_ref()
        .unwrap()
        .text
        .starts_with("Certificate:"));
    let csrs: Vec<_> = s
        .objects()
        .filter(|o| o.kind == ObjectKind::CertificateRequest)
        .collect();
    assert_eq!(csrs[0].der, csrs[1].der);
    assert_eq!(csrs[1].heading, Some("CSR"));
    let secrets: Vec<_> = t.secrets().map(|o| o.line).collect();
    assert_eq!(secrets, [315, 422]);
    assert_eq!(object_sources(s, ObjectKind::PublicKey).len(), 3);
    assert_eq!(t.findings.len(), 2);
    assert_jws_exact(text, &t);
}

#[test]
fn era_2023_11_pkce_flow_and_repeated_titles() {
    let (text, t) = load("wire-e2ei-2023-11-15.md");
    assert_eq!(t.sections.len(), 1);
    let s = &t.sections[0];
    assert_eq!(s.steps.len(), 31);
    let numbers: Vec<_> = s.steps().filter_map(|st| st.number).collect();
    assert_eq!(numbers, (1..=31).collect::<Vec<_>>());
    // Two consecutive, empty steps with the same title.
    let (a, b) = (s.step(20).unwrap(), s.step(21).unwrap());
    assert_eq!(a.title, "OAUTH authorization code");
    assert_eq!(a.title, b.title);
    assert!(a.items.is_empty() && b.items.is_empty());
    assert_eq!(
        by_source(s),
        counts(&[
            ("acme", 2),
            ("dpop", 1),
            ("json", 3),
            ("link", 3),
            ("raw", 3),
            ("text", 1)
        ])
    );
    assert_dpop_header_matches_proof(s);
    assert_proof_claim_not_extracted(s, 3);
    let dpop = s.tokens().find(|t| source_name(t) == "dpop").unwrap();
    assert_eq!(dpop.line, 327);
    let nonce: Vec<_> = s.step(12).unwrap().bare_strings().collect();
    assert_eq!(
        nonce,
        [(255, "ejdUMW13ZHliemtDZVgwaE1WQmlyWlJrZFJXT3U3MzM")]
    );
    // The id token posted to ACME is the one the IdP returned.
    let idp = s
        .step(23)
        .unwrap()
        .tokens()
        .find(|t| {
            t.source
                == TokenSource::JsonField {
                    pointer: "/id_token".into(),
                }
        })
        .unwrap();
    let posted = s
        .step(24)
        .unwrap()
        .tokens()
        .find(|t| source_name(t) == "acme")
        .unwrap();
    assert_eq!(idp.compact, posted.compact);
    assert_eq!(posted.alg(), Some("RS256"));
    assert_eq!(
        object_sources(s, ObjectKind::Certificate),
        ["json-pem", "json-pem", "pem", "pem"]
    );
    assert_eq!(t.secrets().count(), 2);
    assert_eq!(s.acme_jws().count(), 8);
    assert_jws_exact(text, &t);
}

#[test]
fn era_2026_01_blank_lines_split_links_and_three_cert_pems() {
    let (text, t) = load("wire-e2ei-2026-01-15.md");
    assert_eq!(t.sections.len(), 1);
    let s = &t.sections[0];
    assert_eq!((s.suite, s.line), (Some(Suite::Ed25519), 3));
    assert_eq!(s.steps.len(), 26);
    // Step 10 also holds the second authz request, which has no heading of its own.
    let step10 = s.step(10).unwrap();
    assert_eq!(step10.requests().count(), 1);
    assert_eq!(step10.responses().count(), 1);
    assert_eq!(
        by_source(s),
        counts(&[
            ("acme", 2),
            ("dpop", 1),
            ("json", 1),
            ("link", 3),
            ("raw", 3)
        ])
    );
    assert_eq!(
        token_table(s),
        [
            (369, "link", Some("dpop+jwt")),
            (374, "raw", Some("dpop+jwt")),
            (439, "dpop", Some("dpop+jwt")),
            (452, "json", Some("at+jwt")),
            (461, "link", Some("at+jwt")),
            (466, "raw", Some("at+jwt")),
            (564, "acme", Some("at+jwt")),
            (615, "link", Some("JWT")),
            (620, "raw", Some("JWT")),
            (706, "acme", Some("JWT")),
        ]
    );
    assert_dpop_header_matches_proof(s);
    assert_proof_claim_not_extracted(s, 3);
    let nonce: Vec<_> = s.step(13).unwrap().bare_strings().collect();
    assert_eq!(nonce, [(359, "xLrz9ZBKRem4U0fMVbtNcQ")]);
    let id_token = s.step(19).unwrap().tokens().nth(1).unwrap();
    let claims = id_token.view.as_ref().unwrap().claims.as_ref().unwrap();
    assert_eq!(
        claims["keyauth"],
        "AoDXqw4NHU5vgnEQBBjuBDvGSPqcv47b.TzUK1HJlkNG3JYOzw8RItIXQ3Mt1p6H1OYQbOji-A-g"
    );
    assert!(claims["acme_aud"].as_str().unwrap().contains("/challenge/"));
    // The JSON download holds leaf + intermediate; the PEM blocks add the root.
    assert_eq!(
        object_sources(s, ObjectKind::Certificate),
        ["json-pem", "json-pem", "pem", "pem", "pem"]
    );
    let headings: Vec<_> = s.certificates().filter_map(|c| c.heading).collect();
    assert_eq!(
        headings,
        ["Certificate #1", "Certificate #2", "Certificate #3"]
    );
    assert_eq!(t.secrets().count(), 0);
    assert!(t.findings.is_empty(), "{:?}", t.findings);
    assert_eq!(s.acme_jws().count(), 9);
    assert_jws_exact(text, &t);
}
