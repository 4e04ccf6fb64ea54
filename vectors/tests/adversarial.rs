//! Adversarial tokens against `dpop::verify` / `dpop::audit` and
//! `access_token::verify` / `access_token::audit`, in every suite where the
//! attack applies. Every case asserts the exact check id (and, where it tells
//! the story, the `JoseError` variant), that the fail-fast and the audit modes
//! agree on the failed check, and (by running at all) that nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_lc_rs::hmac;
use e2ei_verify::access_token::{self, IssuerTrust};
use e2ei_verify::dpop;
use e2ei_verify::jose::{b64_decode, JoseError, Jws, Limits};
use e2ei_verify::report::Failure;
use serde_json::{json, Value};
use vectors::mint::{b64, compact_raw, Flow, SigningKey, Suite};

const NOW: u64 = 1_768_462_854;

fn flow(suite: Suite) -> Flow {
    Flow::new(suite, "adversarial", NOW)
}

/// Rejects `token` as a DPoP proof with check `id`, in both modes.
fn dpop_rejects(f: &Flow, token: &str, id: &str) -> dpop::Error {
    let e = f.dpop_expectations();
    let err = match dpop::verify(token, &e, NOW, None) {
        Ok(_) => panic!("{:?}: accepted a proof that must fail {id}", f.suite),
        Err(err) => err,
    };
    assert_eq!(err.check_id(), id, "{:?}: {err}", f.suite);
    // (The audit may still hand back a proof whose structure, key and
    // signature were sound; what matters is that the check fails.)
    let (_, report) = dpop::audit(token, &e, NOW);
    assert!(
        report.failures().any(|c| c.id == id),
        "{:?}: audit does not fail {id}: {report:#?}",
        f.suite
    );
    err
}

/// Rejects `token` as an access token with check `id`, in both modes.
fn token_rejects_with(
    f: &Flow,
    e: &access_token::Expectations,
    token: &str,
    id: &str,
) -> access_token::Error {
    let err = match access_token::verify(token, e, NOW) {
        Ok(_) => panic!("{:?}: accepted a token that must fail {id}", f.suite),
        Err(err) => err,
    };
    assert_eq!(err.check_id(), id, "{:?}: {err}", f.suite);
    let audit = access_token::audit(token, e, NOW);
    assert!(
        audit.report.failures().any(|c| c.id == id),
        "{:?}: audit does not fail {id}: {:#?}",
        f.suite,
        audit.report
    );
    err
}

fn token_rejects(f: &Flow, token: &str, id: &str) -> access_token::Error {
    token_rejects_with(f, &f.token_expectations(), token, id)
}

fn embedded(f: &Flow) -> access_token::Expectations {
    let mut e = f.token_expectations();
    e.issuer = IssuerTrust::Embedded;
    e
}

/// The inner JOSE error of a DPoP failure.
fn dpop_jose(err: &dpop::Error) -> &JoseError {
    match err {
        dpop::Error::Format(j) | dpop::Error::Alg(j) | dpop::Error::Jwk(j) => j,
        dpop::Error::Signature(j) => j,
        other => panic!("not a JOSE error: {other:?}"),
    }
}

/// The inner JOSE error of an access-token failure.
fn token_jose(err: &access_token::Error) -> &JoseError {
    match err {
        access_token::Error::Format(j) | access_token::Error::Signature(j) => j,
        other => panic!("not a JOSE error: {other:?}"),
    }
}

/// The proof and the token of a flow, as (what, token, signer, header, claims).
fn proof_parts(f: &Flow) -> (Value, Value) {
    (f.proof_header(), f.proof_claims.clone())
}

fn token_parts(f: &Flow) -> (Value, Value) {
    (f.token_header(), f.token_claims.clone())
}

fn segments(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

fn other_suites(suite: Suite) -> impl Iterator<Item = Suite> {
    Suite::ALL.into_iter().filter(move |s| *s != suite)
}

#[test]
fn the_unmodified_tokens_verify_so_every_rejection_below_is_the_attack() {
    for suite in Suite::ALL {
        let f = flow(suite);
        assert!(dpop::verify(&f.dpop, &f.dpop_expectations(), NOW, None).is_ok());
        assert!(access_token::verify(&f.access_token, &f.token_expectations(), NOW).is_ok());
        assert!(access_token::verify(&f.access_token, &embedded(&f), NOW).is_ok());
    }
}

/// An unsecured JWS (RFC 7515 §A.5: `alg` `none`, empty signature): a proof
/// is refused for its algorithm (`dpop.alg`, what a reader looks for); an
/// access token, for its empty signature segment.
#[test]
fn alg_none_with_an_empty_signature_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let (mut h, c) = proof_parts(&f);
        h["alg"] = json!("none");
        let t = format!(
            "{}.{}.",
            b64(h.to_string().as_bytes()),
            b64(c.to_string().as_bytes())
        );
        let err = dpop_rejects(&f, &t, "dpop.alg");
        assert_eq!(
            dpop_jose(&err),
            &JoseError::UnsupportedAlgorithm("none".into())
        );

        let (mut h, c) = token_parts(&f);
        h["alg"] = json!("none");
        let t = format!(
            "{}.{}.",
            b64(h.to_string().as_bytes()),
            b64(c.to_string().as_bytes())
        );
        let err = token_rejects(&f, &t, "access_token.format");
        assert_eq!(token_jose(&err), &JoseError::EmptySegment("signature"));
        token_rejects_with(&f, &embedded(&f), &t, "access_token.format");
    }
}

#[test]
fn alg_none_with_a_real_signature_is_refused_by_the_algorithm_policy() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let (mut h, c) = proof_parts(&f);
        h["alg"] = json!("none");
        let t = f.client.compact(&h, &c);
        let err = dpop_rejects(&f, &t, "dpop.alg");
        assert_eq!(
            dpop_jose(&err),
            &JoseError::UnsupportedAlgorithm("none".into())
        );

        let (mut h, c) = token_parts(&f);
        h["alg"] = json!("none");
        let t = f.issuer.compact(&h, &c);
        for e in [f.token_expectations(), embedded(&f)] {
            let err = token_rejects_with(&f, &e, &t, "access_token.signature");
            assert_eq!(
                token_jose(&err),
                &JoseError::UnsupportedAlgorithm("none".into())
            );
        }
    }
}

/// HS256 with the verifier's public key (raw point, and its JWK JSON) as the
/// HMAC secret: the classic key-confusion attack.
#[test]
fn hs256_keyed_with_the_public_key_is_refused() {
    fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
        format!("{input}.{}", b64(tag.as_ref()))
    }
    for suite in Suite::ALL {
        let f = flow(suite);
        let client_secrets = [
            f.client.public_raw(),
            f.client.jwk().canonical_json().into_bytes(),
        ];
        for secret in &client_secrets {
            let (mut h, c) = proof_parts(&f);
            h["alg"] = json!("HS256");
            let err = dpop_rejects(&f, &hs256(secret, &h, &c), "dpop.alg");
            assert_eq!(
                dpop_jose(&err),
                &JoseError::UnsupportedAlgorithm("HS256".into())
            );
        }
        let issuer_secrets = [
            f.issuer.public_raw(),
            f.issuer.jwk().canonical_json().into_bytes(),
        ];
        for secret in &issuer_secrets {
            let (mut h, c) = token_parts(&f);
            h["alg"] = json!("HS256");
            let t = hs256(secret, &h, &c);
            for e in [f.token_expectations(), embedded(&f)] {
                let err = token_rejects_with(&f, &e, &t, "access_token.signature");
                assert_eq!(
                    token_jose(&err),
                    &JoseError::UnsupportedAlgorithm("HS256".into())
                );
            }
        }
    }
}

#[test]
fn a_header_jwk_with_a_private_member_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let d = b64(&vec![7u8; suite.key_type().coordinate_len()]);
        let (mut h, c) = proof_parts(&f);
        h["jwk"]["d"] = json!(d);
        let err = dpop_rejects(&f, &f.client.compact(&h, &c), "dpop.jwk");
        assert_eq!(dpop_jose(&err), &JoseError::PrivateKeyMember("d".into()));

        let (mut h, c) = token_parts(&f);
        h["jwk"]["d"] = json!(d);
        let t = f.issuer.compact(&h, &c);
        for e in [f.token_expectations(), embedded(&f)] {
            let err = token_rejects_with(&f, &e, &t, "access_token.issuer_key");
            assert!(err.to_string().contains("private member"), "{err}");
        }
    }
}

/// Every alg with every other suite's key (ES256 with P-384, EdDSA with EC,
/// ES512 with P-256, …), signed correctly by that key.
#[test]
fn an_algorithm_that_does_not_fit_the_key_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for other in other_suites(suite) {
            let (mut h, c) = proof_parts(&f);
            h["alg"] = json!(other.alg().name());
            let err = dpop_rejects(&f, &f.client.compact(&h, &c), "dpop.alg");
            assert_eq!(
                dpop_jose(&err),
                &JoseError::AlgorithmKeyMismatch {
                    alg: other.alg().name(),
                    key: suite.key_type().name()
                }
            );

            let (mut h, c) = token_parts(&f);
            h["alg"] = json!(other.alg().name());
            let t = f.issuer.compact(&h, &c);
            for e in [f.token_expectations(), embedded(&f)] {
                let err = token_rejects_with(&f, &e, &t, "access_token.signature");
                assert_eq!(
                    token_jose(&err),
                    &JoseError::AlgorithmKeyMismatch {
                        alg: other.alg().name(),
                        key: suite.key_type().name()
                    }
                );
            }
            // Without a header jwk, only pinned keys of the algorithm's type
            // are candidates: there are none.
            let (mut h, c) = token_parts(&f);
            h["alg"] = json!(other.alg().name());
            h.as_object_mut().unwrap().remove("jwk");
            token_rejects(&f, &f.issuer.compact(&h, &c), "access_token.issuer_key");
        }
    }
}

/// Flips the low bit of `y`: the only other valid `y` for this `x` is `p - y`.
fn off_curve(jwk: &Value) -> Value {
    let mut y = b64_decode(jwk["y"].as_str().unwrap()).unwrap();
    let last = y.len() - 1;
    y[last] ^= 0x01;
    let mut bad = jwk.clone();
    bad["y"] = json!(b64(&y));
    bad
}

#[test]
fn an_ec_point_off_the_curve_is_refused() {
    for suite in [Suite::P256, Suite::P384, Suite::P521] {
        let f = flow(suite);
        let (mut h, c) = proof_parts(&f);
        h["jwk"] = off_curve(&h["jwk"]);
        let err = dpop_rejects(&f, &f.client.compact(&h, &c), "dpop.jwk");
        assert_eq!(
            dpop_jose(&err),
            &JoseError::InvalidPoint(suite.key_type().name())
        );

        let (mut h, c) = token_parts(&f);
        h["jwk"] = off_curve(&h["jwk"]);
        let t = f.issuer.compact(&h, &c);
        // Pinned: not the pinned key; embedded: not a valid point.
        token_rejects(&f, &t, "access_token.issuer_key");
        let err = token_rejects_with(&f, &embedded(&f), &t, "access_token.issuer_key");
        assert!(err.to_string().contains("not a valid"), "{err}");
    }
}

#[test]
fn an_ed25519_x_of_the_wrong_length_is_refused() {
    let f = flow(Suite::Ed25519);
    let x = b64_decode(f.proof_header()["jwk"]["x"].as_str().unwrap()).unwrap();
    let mut longer = x.clone();
    longer.push(0);
    for bad in [&x[..31], &longer[..], &[][..]] {
        let (mut h, c) = proof_parts(&f);
        h["jwk"]["x"] = json!(b64(bad));
        let err = dpop_rejects(&f, &f.client.compact(&h, &c), "dpop.jwk");
        assert!(
            matches!(dpop_jose(&err), JoseError::Key(m) if m.contains("exactly 32")),
            "{err}"
        );

        let (mut h, c) = token_parts(&f);
        h["jwk"]["x"] = json!(b64(bad));
        let t = f.issuer.compact(&h, &c);
        for e in [f.token_expectations(), embedded(&f)] {
            let err = token_rejects_with(&f, &e, &t, "access_token.issuer_key");
            assert!(err.to_string().contains("exactly 32"), "{err}");
        }
    }
}

/// `crit` with a signature that verifies: the rejection is the header's.
#[test]
fn crit_is_refused_even_with_a_valid_signature() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for (is_proof, (mut h, c)) in [(true, proof_parts(&f)), (false, token_parts(&f))] {
            h["crit"] = json!(["exp"]);
            let signer = if is_proof { &f.client } else { &f.issuer };
            let t = signer.compact(&h, &c);
            let (input, sig) = t.rsplit_once('.').unwrap();
            signer
                .public_key()
                .verify(suite.alg(), input.as_bytes(), &b64_decode(sig).unwrap())
                .expect("the signature itself is valid");
            if is_proof {
                let err = dpop_rejects(&f, &t, "dpop.format");
                assert_eq!(dpop_jose(&err), &JoseError::Crit);
            } else {
                let err = token_rejects(&f, &t, "access_token.format");
                assert_eq!(token_jose(&err), &JoseError::Crit);
            }
        }
    }
}

/// Inserts `member` (raw JSON `"name":value`) as the first member of the
/// serialized object `object`.
fn prepend_member(object: &Value, member: &str) -> Vec<u8> {
    let s = object.to_string();
    format!("{{{member},{}", &s[1..]).into_bytes()
}

fn append_member(object: &Value, member: &str) -> Vec<u8> {
    let s = object.to_string();
    format!("{},{member}}}", &s[..s.len() - 1]).into_bytes()
}

#[test]
fn a_duplicate_alg_in_the_header_is_refused_in_either_order() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for (is_proof, (h, c)) in [(true, proof_parts(&f)), (false, token_parts(&f))] {
            let signer = if is_proof { &f.client } else { &f.issuer };
            let payload = c.to_string().into_bytes();
            // `h` already has the valid alg: add "none" after it, then before.
            for header in [
                append_member(&h, r#""alg":"none""#),
                prepend_member(&h, r#""alg":"none""#),
            ] {
                let t = compact_raw(signer, &header, &payload);
                let dup = JoseError::DuplicateMember {
                    part: "header",
                    name: "alg".into(),
                };
                if is_proof {
                    assert_eq!(dpop_jose(&dpop_rejects(&f, &t, "dpop.format")), &dup);
                } else {
                    let err = token_rejects(&f, &t, "access_token.format");
                    assert_eq!(token_jose(&err), &dup);
                }
            }
        }
    }
}

#[test]
fn a_duplicate_claim_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for (is_proof, (h, c)) in [(true, proof_parts(&f)), (false, token_parts(&f))] {
            let signer = if is_proof { &f.client } else { &f.issuer };
            let header = h.to_string().into_bytes();
            for payload in [
                append_member(&c, r#""sub":"wireapp://evil!1@wire.example.com""#),
                prepend_member(&c, r#""sub":"wireapp://evil!1@wire.example.com""#),
            ] {
                let t = compact_raw(signer, &header, &payload);
                let dup = JoseError::DuplicateMember {
                    part: "payload",
                    name: "sub".into(),
                };
                if is_proof {
                    assert_eq!(dpop_jose(&dpop_rejects(&f, &t, "dpop.format")), &dup);
                } else {
                    let err = token_rejects(&f, &t, "access_token.format");
                    assert_eq!(token_jose(&err), &dup);
                }
            }
        }
    }
}

#[test]
fn an_unencoded_payload_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let (mut h, c) = proof_parts(&f);
        h["b64"] = json!(false);
        let err = dpop_rejects(&f, &f.client.compact(&h, &c), "dpop.format");
        assert_eq!(dpop_jose(&err), &JoseError::UnencodedPayload);
        let (mut h, c) = token_parts(&f);
        h["b64"] = json!(false);
        let err = token_rejects(&f, &f.issuer.compact(&h, &c), "access_token.format");
        assert_eq!(token_jose(&err), &JoseError::UnencodedPayload);
    }
}

#[test]
fn a_token_of_the_other_type_is_refused_by_typ() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let err = dpop_rejects(&f, &f.access_token, "dpop.typ");
        assert_eq!(
            err,
            dpop::Error::Typ {
                found: Some("at+jwt".into())
            }
        );
        let err = token_rejects(&f, &f.dpop, "access_token.typ");
        assert_eq!(
            err,
            access_token::Error::Typ {
                found: Some("dpop+jwt".into())
            }
        );
    }
}

/// Every strict prefix of a real proof and token fails, never panics.
#[test]
fn every_prefix_of_a_real_token_is_rejected() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let de = f.dpop_expectations();
        for n in 0..f.dpop.len() {
            let t = &f.dpop[..n];
            let err = dpop::verify(t, &de, NOW, None).expect_err(t);
            assert!(
                matches!(err.check_id(), "dpop.format" | "dpop.signature"),
                "{suite:?} prefix {n}: {err}"
            );
            let (proof, report) = dpop::audit(t, &de, NOW);
            assert!(proof.is_none() && report.has_failures(), "prefix {n}");
        }
        let te = f.token_expectations();
        for n in 0..f.access_token.len() {
            let t = &f.access_token[..n];
            let err = access_token::verify(t, &te, NOW).expect_err(t);
            assert!(
                matches!(
                    err.check_id(),
                    "access_token.format" | "access_token.signature"
                ),
                "{suite:?} prefix {n}: {err}"
            );
            let audit = access_token::audit(t, &te, NOW);
            assert!(audit.token.is_none() && audit.report.has_failures());
        }
    }
}

const PARTS: [&str; 3] = ["header", "payload", "signature"];

fn replace_segment(token: &str, i: usize, with: &str) -> String {
    let mut s: Vec<String> = segments(token).into_iter().map(str::to_owned).collect();
    s[i] = with.to_owned();
    s.join(".")
}

/// Both tokens with each segment altered by `alter` (when it applies to that
/// segment) must fail format with `Base64(part)`. Returns how many were tried.
fn each_segment_is_base64_error(f: &Flow, alter: impl Fn(&str) -> Option<String>) -> usize {
    let mut tried = 0;
    for (i, part) in PARTS.into_iter().enumerate() {
        if let Some(seg) = alter(segments(&f.dpop)[i]) {
            let err = dpop_rejects(f, &replace_segment(&f.dpop, i, &seg), "dpop.format");
            assert_eq!(dpop_jose(&err), &JoseError::Base64(part), "{seg}");
            tried += 1;
        }
        if let Some(seg) = alter(segments(&f.access_token)[i]) {
            let t = replace_segment(&f.access_token, i, &seg);
            let err = token_rejects(f, &t, "access_token.format");
            assert_eq!(token_jose(&err), &JoseError::Base64(part), "{seg}");
            tried += 1;
        }
    }
    tried
}

#[test]
fn padded_base64_is_refused_in_every_segment() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let one = each_segment_is_base64_error(&f, |s| Some(format!("{s}=")));
        let two = each_segment_is_base64_error(&f, |s| Some(format!("{s}==")));
        // Proper padding where the length calls for it, too.
        let proper = each_segment_is_base64_error(&f, |s| {
            (s.len() % 4 != 0).then(|| format!("{s}{}", "=".repeat(4 - s.len() % 4)))
        });
        assert_eq!((one, two), (6, 6));
        assert!(proper >= 1, "{suite:?}: no segment needed padding");
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The same bytes with the unused low bits of the last character set: a
/// lenient decoder reads the very same bytes.
fn non_canonical(seg: &str) -> Option<String> {
    if seg.len() % 4 == 0 {
        return None;
    }
    let last = *seg.as_bytes().last()?;
    let v = ALPHABET.iter().position(|&c| c == last)?;
    assert_eq!(v & 1, 0, "canonical encodings have the low bit clear");
    let mut out = seg[..seg.len() - 1].to_owned();
    out.push(char::from(ALPHABET[v | 1]));
    Some(out)
}

#[test]
fn non_canonical_trailing_bits_are_refused() {
    let mut tried_per_part = [0usize; 3];
    for suite in Suite::ALL {
        // Headers and claims of 4 consecutive lengths cover every residue.
        for pad in 0..4 {
            let mut f = flow(suite);
            f.proof_claims["pad"] = json!("x".repeat(pad));
            f.resign();
            let mut h = f.token_header();
            h["kid"] = json!("k".repeat(pad));
            f.access_token = f.issuer.compact(&h, &f.token_claims);
            for (i, tried) in tried_per_part.iter_mut().enumerate() {
                for token in [f.dpop.clone(), f.access_token.clone()] {
                    let Some(seg) = non_canonical(segments(&token)[i]) else {
                        continue;
                    };
                    let t = replace_segment(&token, i, &seg);
                    let bad = JoseError::Base64(PARTS[i]);
                    if token == f.dpop {
                        assert_eq!(dpop_jose(&dpop_rejects(&f, &t, "dpop.format")), &bad);
                    } else {
                        let err = token_rejects(&f, &t, "access_token.format");
                        assert_eq!(token_jose(&err), &bad);
                    }
                    *tried += 1;
                }
            }
        }
    }
    // Ed25519 and P-256 signatures (64 bytes) are 86 characters: 2 suites × 4 × 2.
    assert_eq!(tried_per_part[2], 16);
    assert!(
        tried_per_part[0] >= 8 && tried_per_part[1] >= 8,
        "{tried_per_part:?}"
    );
}

#[test]
fn the_standard_alphabet_is_refused() {
    let mut tried = 0;
    for suite in Suite::ALL {
        // Find a flow whose segments contain '-' and '_' somewhere (ECDSA is
        // randomised; Ed25519 depends on the seed).
        for seed in 0..50 {
            let f = Flow::new(suite, &format!("alphabet-{seed}"), NOW);
            let swapped = |s: &str| {
                (s.contains('-') || s.contains('_')).then(|| s.replace('-', "+").replace('_', "/"))
            };
            let n = each_segment_is_base64_error(&f, swapped);
            tried += n;
            if n >= 2 {
                break;
            }
        }
    }
    assert!(
        tried >= 8,
        "only {tried} segments had a URL-alphabet character"
    );
}

#[test]
fn non_ascii_in_any_segment_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let tried = each_segment_is_base64_error(&f, |s| {
            let mid = s.len() / 2;
            Some(format!("{}é{}", &s[..mid], &s[mid..]))
        });
        assert_eq!(tried, 6);
        // Appended, and alone.
        assert_eq!(
            each_segment_is_base64_error(&f, |s| Some(format!("{s}é"))),
            6
        );
        assert_eq!(each_segment_is_base64_error(&f, |_| Some("é".into())), 6);
    }
}

#[test]
fn a_one_megabyte_token_is_refused_by_size() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let mut c = f.proof_claims.clone();
        c["junk"] = json!("A".repeat(1 << 20));
        let t = f.client.compact(&f.proof_header(), &c);
        assert!(t.len() > 1 << 20);
        let err = dpop_rejects(&f, &t, "dpop.format");
        assert!(matches!(dpop_jose(&err), JoseError::TooLarge { .. }));

        let mut c = f.token_claims.clone();
        c["junk"] = json!("A".repeat(1 << 20));
        let t = f.issuer.compact(&f.token_header(), &c);
        let err = token_rejects(&f, &t, "access_token.format");
        assert!(matches!(token_jose(&err), JoseError::TooLarge { .. }));
        // Not even a JWS: one megabyte of dots.
        let dots = ".".repeat(1 << 20);
        dpop_rejects(&f, &dots, "dpop.format");
        token_rejects(&f, &dots, "access_token.format");
    }
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

fn nested_objects(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

#[test]
fn deeply_nested_json_is_refused_in_header_and_payload() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for (is_proof, (h, c)) in [(true, proof_parts(&f)), (false, token_parts(&f))] {
            let signer = if is_proof { &f.client } else { &f.issuer };
            let claims = c.to_string().into_bytes();
            let header = h.to_string().into_bytes();
            let cases = [
                // 10,000 deep: the header is over its size limit before parsing.
                (
                    append_member(&h, &format!("\"x\":{}", nested(10_000))),
                    claims.clone(),
                    "header-size",
                ),
                // Just over the depth limit, within the size limit.
                (
                    append_member(&h, &format!("\"x\":{}", nested(17))),
                    claims.clone(),
                    "header",
                ),
                (
                    header.clone(),
                    append_member(&c, &format!("\"x\":{}", nested(10_000))),
                    "payload",
                ),
                (
                    header.clone(),
                    append_member(&c, &format!("\"x\":{}", nested_objects(10_000))),
                    "payload",
                ),
            ];
            for (hb, pb, what) in cases {
                let t = compact_raw(signer, &hb, &pb);
                let j = if is_proof {
                    dpop_jose(&dpop_rejects(&f, &t, "dpop.format")).clone()
                } else {
                    token_jose(&token_rejects(&f, &t, "access_token.format")).clone()
                };
                match what {
                    "header-size" => assert!(
                        matches!(
                            j,
                            JoseError::TooLarge {
                                what: "the header",
                                ..
                            }
                        ),
                        "{j}"
                    ),
                    "payload" if t.len() > Limits::default().max_token => {
                        assert!(matches!(j, JoseError::TooLarge { .. }), "{j}")
                    }
                    part => assert!(
                        matches!(&j, JoseError::TooDeep(p) if *p == part),
                        "{what}: {j}"
                    ),
                }
            }
        }
    }
}

#[test]
fn empty_segments_and_wrong_segment_counts_are_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for token in [f.dpop.clone(), f.access_token.clone()] {
            let s = segments(&token);
            let (h, p, sig) = (s[0], s[1], s[2]);
            let cases: Vec<(String, JoseError)> = vec![
                ("..".into(), JoseError::EmptySegment("header")),
                ("a..c".into(), JoseError::Base64("header")),
                (".b.c".into(), JoseError::EmptySegment("header")),
                (format!(".{p}.{sig}"), JoseError::EmptySegment("header")),
                (format!("{h}.{p}."), JoseError::EmptySegment("signature")),
                (format!("{token}."), JoseError::Segments(4)),
                ("a.b.c.".into(), JoseError::Segments(4)),
                (format!("{h}.{p}"), JoseError::Segments(2)),
                (format!("{token}.{sig}"), JoseError::Segments(4)),
                ("".into(), JoseError::Segments(1)),
            ];
            for (t, want) in cases {
                if token == f.dpop {
                    assert_eq!(dpop_jose(&dpop_rejects(&f, &t, "dpop.format")), &want);
                } else {
                    let err = token_rejects(&f, &t, "access_token.format");
                    assert_eq!(token_jose(&err), &want, "{t:.40}");
                }
            }
            // An empty payload decodes to no bytes, which is no JSON object.
            let t = format!("{h}..{sig}");
            if token == f.dpop {
                let err = dpop_rejects(&f, &t, "dpop.format");
                assert!(matches!(
                    dpop_jose(&err),
                    JoseError::Json {
                        part: "payload",
                        ..
                    }
                ));
            } else {
                let err = token_rejects(&f, &t, "access_token.format");
                assert!(matches!(
                    token_jose(&err),
                    JoseError::Json {
                        part: "payload",
                        ..
                    }
                ));
            }
        }
    }
}

fn with_signature(token: &str, sig: &[u8]) -> String {
    replace_segment(token, 2, &b64(sig))
}

#[test]
fn a_flipped_bit_anywhere_in_the_signature_fails_the_signature_check() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for (token, is_proof) in [(&f.dpop, true), (&f.access_token, false)] {
            let sig = b64_decode(segments(token)[2]).unwrap();
            for i in (0..sig.len() * 8).step_by(13) {
                let mut bad = sig.clone();
                bad[i / 8] ^= 1 << (i % 8);
                let t = with_signature(token, &bad);
                if is_proof {
                    let err = dpop_rejects(&f, &t, "dpop.signature");
                    assert!(matches!(dpop_jose(&err), JoseError::BadSignature { .. }));
                } else {
                    let err = token_rejects(&f, &t, "access_token.signature");
                    assert!(matches!(token_jose(&err), JoseError::BadSignature { .. }));
                }
            }
        }
    }
}

#[test]
fn a_signature_of_another_suites_length_fails_the_signature_check() {
    for suite in Suite::ALL {
        let f = flow(suite);
        for other in other_suites(suite) {
            let o = flow(other);
            let foreign_proof_sig = b64_decode(segments(&o.dpop)[2]).unwrap();
            let foreign_token_sig = b64_decode(segments(&o.access_token)[2]).unwrap();
            let t = with_signature(&f.dpop, &foreign_proof_sig);
            let err = dpop_rejects(&f, &t, "dpop.signature");
            assert!(matches!(dpop_jose(&err), JoseError::BadSignature { .. }));
            let t = with_signature(&f.access_token, &foreign_token_sig);
            let err = token_rejects(&f, &t, "access_token.signature");
            assert!(matches!(token_jose(&err), JoseError::BadSignature { .. }));
        }
        // Empty-ish and oversized.
        for sig in [vec![0u8], vec![0u8; 200]] {
            dpop_rejects(&f, &with_signature(&f.dpop, &sig), "dpop.signature");
            token_rejects(
                &f,
                &with_signature(&f.access_token, &sig),
                "access_token.signature",
            );
        }
    }
}

#[test]
fn a_signature_by_another_key_is_refused() {
    for suite in Suite::ALL {
        let f = flow(suite);
        let attacker = SigningKey::from_seed(suite, "attacker");
        // Header names the real key, the attacker signed.
        let t = attacker.compact(&f.proof_header(), &f.proof_claims);
        dpop_rejects(&f, &t, "dpop.signature");
        let t = attacker.compact(&f.token_header(), &f.token_claims);
        token_rejects(&f, &t, "access_token.signature");
        token_rejects_with(&f, &embedded(&f), &t, "access_token.signature");
        // No header key: no pinned key verifies.
        let mut h = f.token_header();
        h.as_object_mut().unwrap().remove("jwk");
        let t = attacker.compact(&h, &f.token_claims);
        token_rejects(&f, &t, "access_token.signature");
        // Header names the attacker's key: not pinned.
        let mut h = f.token_header();
        h["jwk"] = attacker.public_jwk_json();
        let t = attacker.compact(&h, &f.token_claims);
        let err = token_rejects(&f, &t, "access_token.issuer_key");
        assert!(err.to_string().contains("not a pinned"), "{err}");
    }
}

/// A token built around another client's proof: the proof is valid on its
/// own, but `cnf` names this flow's client key.
#[test]
fn a_token_embedding_another_clients_proof_fails_cnf() {
    for suite in Suite::ALL {
        let mut f = flow(suite);
        let other = Flow::new(suite, "another-client", NOW);
        f.token_claims["proof"] = json!(other.dpop);
        f.resign_token();
        let err = token_rejects(&f, &f.access_token, "access_token.cnf");
        let access_token::Error::Cnf { expected, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            expected.as_deref(),
            Some(
                other
                    .client
                    .jwk()
                    .thumbprint(suite.alg().suite_hash())
                    .as_str()
            )
        );
    }
}

#[test]
fn times_outside_the_window_fail_the_time_checks() {
    for suite in Suite::ALL {
        // Proof issued an hour in the future.
        let mut f = flow(suite);
        f.proof_claims["iat"] = json!(NOW + 3600);
        f.proof_claims["nbf"] = json!(NOW + 3600);
        f.proof_claims["exp"] = json!(NOW + 7200);
        f.resign();
        let err = dpop_rejects(&f, &f.dpop, "dpop.time");
        assert!(err.to_string().contains("future"), "{err}");
        // The token embedding it fails on its proof.
        let err = token_rejects(&f, &f.access_token, "access_token.proof");
        assert!(err.to_string().contains("future"), "{err}");

        // Expired token (the token's time is checked before its proof).
        let mut f = flow(suite);
        f.token_claims["iat"] = json!(NOW - 7200);
        f.token_claims["nbf"] = json!(NOW - 7200);
        f.token_claims["exp"] = json!(NOW - 3600);
        f.resign_token();
        let err = token_rejects(&f, &f.access_token, "access_token.time");
        assert!(err.to_string().contains("expired"), "{err}");

        // Token issued in the future.
        let mut f = flow(suite);
        f.token_claims["iat"] = json!(NOW + 3600);
        f.token_claims["exp"] = json!(NOW + 7200);
        f.resign_token();
        let err = token_rejects(&f, &f.access_token, "access_token.time");
        assert!(err.to_string().contains("future"), "{err}");

        // A fresh token whose proof is too old when the token is presented.
        let f = flow(suite);
        let later = NOW + 600;
        let err = access_token::verify(&f.access_token, &f.token_expectations(), later)
            .expect_err("stale proof");
        assert_eq!(err.check_id(), "access_token.proof", "{err}");
        assert!(err.to_string().contains("old"), "{err}");
    }
}

#[test]
fn cnf_jkt_is_accepted_like_cnf_kid() {
    for suite in Suite::ALL {
        let mut f = flow(suite);
        let thumbprint = f.client.jwk().thumbprint(suite.alg().suite_hash());
        f.token_claims["cnf"] = json!({ "jkt": thumbprint });
        f.resign_token();
        let token = access_token::verify(&f.access_token, &f.token_expectations(), NOW);
        assert!(token.is_ok(), "{suite:?}: {token:?}");
        // And a wrong jkt is still a cnf failure.
        f.token_claims["cnf"] = json!({ "jkt": b64(&[0u8; 32]) });
        f.resign_token();
        token_rejects(&f, &f.access_token, "access_token.cnf");
    }
}

/// A JWS structure check the other tests rely on: the parser hands back the
/// exact signing input of a compact token.
#[test]
fn the_signing_input_is_the_first_two_segments() {
    let f = flow(Suite::Ed25519);
    let jws = Jws::parse_compact(&f.dpop, &Limits::default()).unwrap();
    let (input, _) = f.dpop.rsplit_once('.').unwrap();
    assert_eq!(jws.signing_input(), input.as_bytes());
}

/// Curve orders, big-endian, at the JOSE coordinate length.
fn order(suite: Suite) -> Vec<u8> {
    let hex = match suite {
        Suite::P256 => "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        Suite::P384 => concat!(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF",
            "581A0DB248B0A77AECEC196ACCC52973"
        ),
        Suite::P521 => concat!(
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA",
            "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"
        ),
        Suite::Ed25519 => unreachable!("no ECDSA order for Ed25519"),
    };
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// `a - b` for big-endian numbers of equal length, `a >= b`.
fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = u8::try_from(d).unwrap();
    }
    assert_eq!(borrow, 0);
    out
}

/// ECDSA is malleable: `(r, n - s)` verifies too (Wycheproof marks high-s
/// signatures valid, and aws-lc-rs accepts them). So a proof is not unique as
/// bytes; what makes it single-use is its `jti`, which the replay store keys on
/// the client key, not on the token bytes: the malleated twin is a replay.
/// Ed25519 signatures are not malleable (S must be below L).
#[test]
fn an_ecdsa_twin_signature_verifies_but_is_caught_as_a_replay() {
    use e2ei_verify::replay::MemoryStore;
    for suite in [Suite::P256, Suite::P384, Suite::P521] {
        let f = flow(suite);
        let sig = b64_decode(segments(&f.dpop)[2]).unwrap();
        let n = suite.key_type().coordinate_len();
        let (r, s) = sig.split_at(n);
        let twin_sig = [r, &sub(&order(suite), s)].concat();
        let twin = with_signature(&f.dpop, &twin_sig);
        assert_ne!(twin, f.dpop);
        let e = f.dpop_expectations();
        assert!(dpop::verify(&twin, &e, NOW, None).is_ok(), "{suite:?}");
        let store = MemoryStore::default();
        assert!(dpop::verify(&f.dpop, &e, NOW, Some(&store)).is_ok());
        let err = dpop::verify(&twin, &e, NOW, Some(&store)).unwrap_err();
        assert_eq!(err.check_id(), "dpop.jti", "{suite:?}: {err}");
        assert!(err.to_string().contains("replay"), "{err}");
    }
    // Ed25519: adding L to S is refused.
    let f = flow(Suite::Ed25519);
    let mut sig = b64_decode(segments(&f.dpop)[2]).unwrap();
    let l_le: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (i, l) in l_le.iter().enumerate() {
        let v = u16::from(sig[32 + i]) + u16::from(*l) + carry;
        sig[32 + i] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    dpop_rejects(&f, &with_signature(&f.dpop, &sig), "dpop.signature");
}
