//! The adversarial fixtures of the `e2ei-audit` CLI tests
//! (`audit-cli/tests/data/adversarial/`), which cannot depend on this crate.
//!
//! `E2EI_WRITE_CLI_FIXTURES=1 cargo test -p vectors --test cli_fixtures`
//! regenerates them (with their manifest `cases.json`); without it this test
//! checks that every committed fixture still gets the verdict the manifest
//! records, through the library, with what the CLI passes it (default
//! expectations, pinned issuer key, verification at [`NOW`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2ei_verify::access_token::{self, IssuerTrust};
use e2ei_verify::dpop;
use e2ei_verify::jose::{parse_public_keys, PublicKey};
use serde_json::{json, Value};
use std::path::PathBuf;
use vectors::mint::{b64, compact_raw, Flow, Suite};

const NOW: u64 = 1_768_462_854;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../audit-cli/tests/data/adversarial")
}

/// One fixture: file, command, the check that must fail (none for a valid
/// token) and the CLI exit code (2 when the token is unreadable).
struct Case {
    file: &'static str,
    command: &'static str,
    fails: Option<&'static str>,
    exit: u8,
    token: String,
}

fn cases() -> Vec<Case> {
    let f = Flow::new(Suite::Ed25519, "cli", NOW);
    let p256 = Flow::new(Suite::P256, "cli", NOW);
    let other = Flow::new(Suite::Ed25519, "cli-other-client", NOW);
    let dpop = |file, fails, exit, token| Case {
        file,
        command: "dpop",
        fails,
        exit,
        token,
    };
    let at = |file, fails, exit, token| Case {
        file,
        command: "access-token",
        fails,
        exit,
        token,
    };
    let (h, c) = (f.proof_header(), f.proof_claims.clone());
    let with = |mut h: Value, k: &str, v: Value| {
        h[k] = v;
        h
    };
    let hs256 = {
        let header = with(h.clone(), "alg", json!("HS256"));
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(c.to_string().as_bytes())
        );
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &f.client.public_raw());
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", b64(tag.as_ref()))
    };
    let mut off_curve = p256.proof_header();
    let mut y = e2ei_verify::jose::b64_decode(off_curve["jwk"]["y"].as_str().unwrap()).unwrap();
    y[31] ^= 1;
    off_curve["jwk"]["y"] = json!(b64(&y));
    // The next-to-last character carries 6 signature bits.
    let mut bad_sig = f.dpop.clone();
    let i = bad_sig.len() - 2;
    let swap = if &bad_sig[i..i + 1] == "A" { "B" } else { "A" };
    bad_sig.replace_range(i..i + 1, swap);
    let mut future = f.proof_claims.clone();
    future["iat"] = json!(NOW + 3600);
    let mut dup_alg = h.to_string();
    dup_alg.insert_str(1, r#""alg":"none","#);
    let mut deep = c.to_string();
    deep.insert_str(
        1,
        &format!("\"x\":{}1{},", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let mut other_proof = Flow::new(Suite::Ed25519, "cli", NOW);
    other_proof.token_claims["proof"] = json!(other.dpop);
    other_proof.resign_token();
    let mut token_none = f.token_header();
    token_none["alg"] = json!("none");
    vec![
        dpop("dpop_valid.jwt", None, 0, f.dpop.clone()),
        dpop(
            "dpop_alg_none.jwt",
            Some("dpop.alg"),
            1,
            f.client.compact(&with(h.clone(), "alg", json!("none")), &c),
        ),
        dpop(
            "dpop_alg_none_empty_signature.jwt",
            Some("dpop.alg"),
            1,
            format!(
                "{}.{}.",
                b64(with(h.clone(), "alg", json!("none")).to_string().as_bytes()),
                b64(c.to_string().as_bytes())
            ),
        ),
        dpop("dpop_hs256_public_key.jwt", Some("dpop.alg"), 1, hs256),
        dpop(
            "dpop_private_jwk.jwt",
            Some("dpop.jwk"),
            1,
            f.client.compact(
                &with(
                    h.clone(),
                    "jwk",
                    json!({"kty": "OKP", "crv": "Ed25519", "x": h["jwk"]["x"], "d": b64(&[1; 32])}),
                ),
                &c,
            ),
        ),
        dpop(
            "dpop_es512_with_ed25519_key.jwt",
            Some("dpop.alg"),
            1,
            f.client
                .compact(&with(h.clone(), "alg", json!("ES512")), &c),
        ),
        dpop(
            "dpop_p256_off_curve.jwt",
            Some("dpop.jwk"),
            1,
            p256.client.compact(&off_curve, &p256.proof_claims),
        ),
        dpop(
            "dpop_crit.jwt",
            Some("dpop.format"),
            2,
            f.client
                .compact(&with(h.clone(), "crit", json!(["exp"])), &c),
        ),
        dpop(
            "dpop_duplicate_alg.jwt",
            Some("dpop.format"),
            2,
            compact_raw(&f.client, dup_alg.as_bytes(), c.to_string().as_bytes()),
        ),
        dpop(
            "dpop_deep_payload.jwt",
            Some("dpop.format"),
            2,
            compact_raw(&f.client, h.to_string().as_bytes(), deep.as_bytes()),
        ),
        dpop("dpop_bad_signature.jwt", Some("dpop.signature"), 1, bad_sig),
        dpop(
            "dpop_iat_in_the_future.jwt",
            Some("dpop.time"),
            1,
            f.client.compact(&h, &future),
        ),
        dpop(
            "access_token_as_dpop.jwt",
            Some("dpop.typ"),
            1,
            f.access_token.clone(),
        ),
        at("access_token_valid.jwt", None, 0, f.access_token.clone()),
        at(
            "access_token_alg_none.jwt",
            Some("access_token.signature"),
            1,
            f.issuer.compact(&token_none, &f.token_claims),
        ),
        at(
            "dpop_as_access_token.jwt",
            Some("access_token.typ"),
            1,
            f.dpop.clone(),
        ),
        at(
            "access_token_other_clients_proof.jwt",
            Some("access_token.cnf"),
            1,
            other_proof.access_token,
        ),
    ]
}

fn issuer_key() -> String {
    Flow::new(Suite::Ed25519, "cli", NOW)
        .issuer
        .jwk()
        .canonical_json()
}

/// The failed check ids of `token` as the CLI's command would see them.
fn failures(command: &str, token: &str, issuer: &[PublicKey]) -> Vec<&'static str> {
    match command {
        "dpop" => {
            let (_, report) = dpop::audit(token, &dpop::Expectations::default(), NOW);
            report.failures().map(|c| c.id).collect()
        }
        _ => {
            let e = access_token::Expectations::new(IssuerTrust::Pinned(issuer.to_vec()));
            let audit = access_token::audit(token, &e, NOW);
            audit.report.failures().map(|c| c.id).collect()
        }
    }
}

#[test]
fn committed_cli_fixtures_get_the_recorded_verdicts() {
    let dir = dir();
    if std::env::var_os("E2EI_WRITE_CLI_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        let mut manifest = Vec::new();
        for case in cases() {
            std::fs::write(dir.join(case.file), format!("{}\n", case.token)).unwrap();
            manifest.push(json!({
                "file": case.file, "command": case.command,
                "fails": case.fails, "exit": case.exit,
            }));
        }
        let manifest = json!({ "at": NOW, "issuer_key": "issuer_key.jwk", "cases": manifest });
        std::fs::write(
            dir.join("cases.json"),
            serde_json::to_string_pretty(&manifest).unwrap() + "\n",
        )
        .unwrap();
        std::fs::write(dir.join("issuer_key.jwk"), issuer_key() + "\n").unwrap();
    }
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    assert_eq!(manifest["at"], NOW);
    let keys = parse_public_keys(&std::fs::read(dir.join("issuer_key.jwk")).unwrap()).unwrap();
    let keys: Vec<PublicKey> = keys
        .into_iter()
        .map(|k| PublicKey::new(k).unwrap())
        .collect();
    let recorded = manifest["cases"].as_array().unwrap();
    assert_eq!(recorded.len(), cases().len(), "manifest out of date");
    for case in recorded {
        let file = case["file"].as_str().unwrap();
        let token = std::fs::read_to_string(dir.join(file)).unwrap();
        let failed = failures(case["command"].as_str().unwrap(), token.trim(), &keys);
        match case["fails"].as_str() {
            None => assert!(failed.is_empty(), "{file}: {failed:?}"),
            Some(id) => assert!(failed.contains(&id), "{file}: {id} not in {failed:?}"),
        }
        // A format failure (exit 2) is the only failure: nothing else ran.
        if case["exit"] == 2 {
            assert_eq!(failed.len(), 1, "{file}: {failed:?}");
        }
    }
}
