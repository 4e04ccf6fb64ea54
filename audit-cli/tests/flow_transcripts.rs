//! `e2ei-audit flow` on Wire's published captures: what each really shows.

use clap::Parser;
use e2ei_audit::cli::Cli;
use e2ei_audit::render::Style;
use e2ei_verify::report::Status;
use serde_json::Value;

/// Wire's published captures, shared with the conformance vectors. Relative
/// to the package directory (where `cargo test` runs), so that the paths the
/// reports print, and the snapshots record, are the same on every machine.
const DIR: &str = "../vectors/transcripts";

fn run(args: &[&str]) -> (String, u8) {
    let mut argv = vec!["e2ei-audit", "flow"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let out = e2ei_audit::run(&cli, Style { color: false }).unwrap();
    (out.stdout, out.code)
}

fn path(date: &str) -> String {
    format!("{DIR}/wire-e2ei-{date}.md")
}

fn json(args: &[&str]) -> (Value, u8) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (out, code) = run(&a);
    (serde_json::from_str(&out).unwrap(), code)
}

fn checks(report: &Value) -> Vec<&Value> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["flows"].as_array().unwrap())
        .flat_map(|f| f["checks"].as_array().unwrap())
        .collect()
}

fn with_status(report: &Value, status: Status) -> Vec<&Value> {
    checks(report)
        .into_iter()
        .filter(|c| c["status"] == status.as_str())
        .collect()
}

fn trust(date: &str) -> Vec<String> {
    let t = format!("../vectors/trust/{date}");
    vec![
        "--issuer-key".into(),
        format!("{t}-wire-server.pem"),
        "--idp-key".into(),
        format!("{t}-idp.pem"),
        "--trust-anchor".into(),
        format!("{t}-anchor.pem"),
    ]
}

#[test]
fn flow_2023_01_three_suites_signatures_pass_nonce_and_cnf_fail() {
    let p = path("2023-01-18");
    let (report, code) = json(&[&p]);
    assert_eq!(code, 1);
    let flows = report["files"][0]["flows"].as_array().unwrap();
    let suites: Vec<&str> = flows.iter().map(|f| f["suite"].as_str().unwrap()).collect();
    assert_eq!(
        suites,
        ["Ed25519 - SHA256", "P256 - SHA256", "P384 - SHA384"]
    );
    for flow in flows {
        let cs = flow["checks"].as_array().unwrap();
        let find = |id: &'static str| cs.iter().filter(move |c| c["id"] == id);
        for id in [
            "acme.jws.signature",
            "dpop.signature",
            "access_token.signature",
            "csr.signature",
        ] {
            assert!(find(id).count() > 0, "{id} ran");
            assert!(find(id).all(|c| c["status"] == "pass"), "{id} passes");
        }
        let nonce_fails: Vec<_> = find("acme.nonce.chain")
            .filter(|c| c["status"] == "fail")
            .collect();
        assert_eq!(nonce_fails.len(), 1);
        assert_eq!(nonce_fails[0]["step"], 21);
        assert!(find("access_token.cnf").all(|c| c["status"] == "fail"));
        // True findings of that era, explained in the report.
        assert!(find("access_token.time").all(|c| c["status"] == "fail"));
        assert!(find("access_token.delivered").all(|c| c["status"] == "fail"));
        let fails: Vec<&str> = cs
            .iter()
            .filter(|c| c["status"] == "fail")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            fails,
            [
                "acme.nonce.chain",
                "access_token.time",
                "access_token.cnf",
                "access_token.delivered"
            ]
        );
        // Without an anchor the chain verifies link by link, never trusted.
        assert_eq!(status_of(cs, "cert.chain"), ["warn"]);
        for id in [
            "csr.san",
            "cert.eku",
            "cert.san",
            "cert.key_binding",
            "cert.provisioner",
        ] {
            assert_eq!(status_of(cs, id), ["pass"], "{id}");
        }
    }
}

fn status_of<'a>(checks: &'a [Value], id: &str) -> Vec<&'a str> {
    checks
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap())
        .collect()
}

#[test]
fn flow_2023_01_chains_verify_to_the_pinned_intermediate_at_capture_time() {
    // The three sections were issued by one intermediate, pinned as the anchor.
    let p = path("2023-01-18");
    let anchor = "../vectors/trust/2023-01-18-anchor.pem";
    let (report, _) = json(&[&p, "--trust-anchor", anchor]);
    for flow in report["files"][0]["flows"].as_array().unwrap() {
        let cs = flow["checks"].as_array().unwrap();
        assert_eq!(status_of(cs, "cert.chain"), ["pass"], "{}", flow["suite"]);
    }
    // The same anchor does not make another capture's chain trusted.
    let (other, _) = json(&[&path("2026-01-15"), "--trust-anchor", anchor]);
    let chain = checks(&other)
        .into_iter()
        .find(|c| c["id"] == "cert.chain")
        .unwrap();
    assert_eq!(chain["status"], "fail");
}

#[test]
fn flow_later_captures_pass_with_the_trust_inputs_they_imply() {
    // The 2023-11 id token carries neither keyauth nor acme_aud (the claims
    // did not exist yet): bound to no challenge and no account key, a warning
    // of its era, not a failure of the capture.
    for (date, expected_fails) in [("2023-11-15", Vec::<&str>::new()), ("2026-01-15", vec![])] {
        let p = path(date);
        let fails = |r: &Value| -> Vec<String> {
            with_status(r, Status::Fail)
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let (bare, code) = json(&[&p]);
        assert_eq!(code, u8::from(!expected_fails.is_empty()), "{date}");
        assert_eq!(fails(&bare), expected_fails, "{date}");
        if date == "2023-11-15" {
            for id in ["oidc.keyauth", "oidc.acme_aud"] {
                let c = checks(&bare).into_iter().find(|c| c["id"] == id).unwrap();
                assert_eq!(c["status"], "warn", "{id}");
                assert!(c["message"].as_str().unwrap().contains("not bound"), "{id}");
            }
        }
        let issuer = checks(&bare)
            .into_iter()
            .find(|c| c["id"] == "access_token.issuer_key")
            .unwrap();
        assert_eq!(issuer["status"], "warn");

        let t = trust(date);
        let mut args: Vec<&str> = vec![&p];
        args.extend(t.iter().map(String::as_str));
        let (trusted, _) = json(&args);
        assert_eq!(fails(&trusted), expected_fails, "{date}");
        for id in ["access_token.issuer_key", "oidc.signature", "cert.chain"] {
            let c = checks(&trusted)
                .into_iter()
                .find(|c| c["id"] == id)
                .unwrap();
            assert_eq!(c["status"], "pass", "{date} {id}");
        }
        // Nothing passes on trust the user did not give.
        for c in checks(&bare) {
            let id = c["id"].as_str().unwrap();
            if id == "cert.chain" || id == "oidc.signature" {
                assert_eq!(c["status"], "warn", "{date} {id}");
            }
        }
        // The profile checks hold on the signed bytes alone.
        let bare_checks: Vec<Value> = checks(&bare).into_iter().cloned().collect();
        for id in [
            "csr.signature",
            "csr.san",
            "cert.eku",
            "cert.san",
            "cert.key_binding",
            "cert.provisioner",
        ] {
            assert_eq!(status_of(&bare_checks, id), ["pass"], "{date} {id}");
        }
    }
}

#[test]
fn flow_transcript_keys_are_reported_as_such() {
    let p = path("2026-01-15");
    let (report, _) = json(&[&p, "--trust-transcript-keys"]);
    let issuer = checks(&report)
        .into_iter()
        .find(|c| c["id"] == "access_token.issuer_key")
        .unwrap();
    assert_eq!(issuer["status"], "warn");
    assert!(issuer["message"]
        .as_str()
        .unwrap()
        .contains("trusted from the transcript"));
    // The root printed beside the chain anchors it, as a warning only; the
    // intermediate's URI name constraint is evaluated on the way.
    let chain = checks(&report)
        .into_iter()
        .find(|c| c["id"] == "cert.chain")
        .unwrap();
    assert_eq!(chain["status"], "warn");
    let message = chain["message"].as_str().unwrap();
    assert!(message.contains("trusted from the transcript"), "{message}");
    assert!(message.contains("CN=Wire Root CA"), "{message}");
    assert!(message.contains("URI name constraints"), "{message}");
}

#[test]
fn flow_2026_capture_time_is_not_before_the_leaf() {
    // Leaf notBefore 2026-01-15T08:40:54Z; the DPoP proof and the access token
    // are older (07:40:54), the id token the latest (08:40:55).
    let (report, _) = json(&[&path("2026-01-15")]);
    let flow = &report["files"][0]["flows"][0];
    assert_eq!(flow["capture_time"], "2026-01-15T08:40:55Z");
    let cs = flow["checks"].as_array().unwrap();
    for id in ["dpop.time", "access_token.time", "oidc.time"] {
        assert_eq!(status_of(cs, id), ["pass"], "{id}");
    }
}

#[test]
fn flow_chain_view_that_disagrees_with_the_body_is_reported() {
    use e2ei_audit::flow::{audit, Options, Trust, When};
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    // Print the intermediate where the leaf's PEM block was.
    let blocks: Vec<&str> = text.split("-----BEGIN CERTIFICATE-----\n").collect();
    let (leaf, intermediate) = (blocks[1], blocks[2]);
    let leaf = leaf.split("-----END").next().unwrap();
    let intermediate = intermediate.split("-----END").next().unwrap();
    let edited = text.replacen(leaf, intermediate, 1);
    assert_ne!(edited, text);
    let options = Options {
        when: When::Capture,
        now: 0,
        trust: Trust::default(),
    };
    let flows = audit(&edited, &options).unwrap();
    let c = flows[0]
        .checks
        .iter()
        .find(|c| c.id == "transcript.consistency" && c.status == Status::Fail)
        .expect("the edited view is reported");
    assert!(c.message.contains("certificate 1"), "{}", c.message);
    // The signed body still decides: the chain itself verifies as before.
    let chain = flows[0]
        .checks
        .iter()
        .find(|c| c.id == "cert.chain")
        .unwrap();
    assert_eq!(chain.status, Status::Warn);
}

fn audit_at_capture(text: &str) -> Vec<e2ei_audit::flow::FlowReport> {
    use e2ei_audit::flow::{audit, Options, Trust, When};
    let options = Options {
        when: When::Capture,
        now: 0,
        trust: Trust::default(),
    };
    audit(text, &options).unwrap()
}

/// The first flow fails `acme.jws.format` at the finalize, saying `says`.
fn finalize_format_fails(flows: &[e2ei_audit::flow::FlowReport], says: &str) {
    let failed: Vec<_> = flows[0]
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    assert!(
        failed.iter().any(|c| c.id == "acme.jws.format"
            && c.message.contains(says)
            && c.message.contains("/finalize")),
        "{says}: {failed:?}"
    );
}

/// The 2026-01 capture with its finalize body replaced by `body` (in place
/// of the signed JWS), audited at capture time.
fn with_finalize_body(body: impl Fn(&str) -> String) -> Vec<e2ei_audit::flow::FlowReport> {
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    let at = text.find("call finalize url").unwrap();
    let start = at + text[at..].find("```json\n").unwrap() + "```json\n".len();
    let end = start + text[start..].find("\n```").unwrap();
    let jws: Value = serde_json::from_str(&text[start..end]).unwrap();
    let edited = format!(
        "{}{}{}",
        &text[..start],
        body(jws["payload"].as_str().unwrap()),
        &text[end..]
    );
    audit_at_capture(&edited)
}

#[test]
fn flow_an_acme_post_whose_body_is_not_a_jws_fails_its_format() {
    use base64::Engine;
    let unsigned = |payload: &str| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let cut = |payload: &str| format!("{{\n  \"payload\": \"{}", &payload[..20]);
    for (body, says) in [
        (&unsigned as &dyn Fn(&str) -> String, "is not a JWS"),
        (&cut, "not valid JSON"),
    ] {
        finalize_format_fails(&with_finalize_body(body), says);
    }
}

/// The 2026-01 capture with the finalize request's blocks (the signed JWS
/// and its decoded view) replaced by `blocks`, audited at capture time.
fn with_finalize_blocks(blocks: impl Fn(&str) -> String) -> Vec<e2ei_audit::flow::FlowReport> {
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    let at = text.find("call finalize url").unwrap();
    let start = at + text[at..].find("```json\n").unwrap();
    let end = start + text[start..].find("###### CSR:").unwrap();
    let jws: Value = serde_json::from_str(
        &text[start + "```json\n".len()..start + text[start..].find("\n```\n").unwrap()],
    )
    .unwrap();
    let compact = ["protected", "payload", "signature"]
        .map(|m| jws[m].as_str().unwrap())
        .join(".");
    let edited = format!("{}{}{}", &text[..start], blocks(&compact), &text[end..]);
    audit_at_capture(&edited)
}

/// A POST with no body, or a text body (the same JWS in compact form), is no
/// ACME request a server accepts: dropping it must not leave the finalize
/// unjudged while the flow passes.
#[test]
fn flow_an_acme_post_without_a_flattened_jws_body_fails_its_format() {
    let compact = |jws: &str| format!("```text\n{jws}\n```\n\n");
    let nothing = |_: &str| String::new();
    for (blocks, says) in [
        (&compact as &dyn Fn(&str) -> String, "carries a text body"),
        (&nothing, "shows no body"),
    ] {
        finalize_format_fails(&with_finalize_blocks(blocks), says);
    }
}

#[test]
fn flow_2023_03_csr_and_leaf_name_a_lowercased_client_id() {
    let (report, _) = json(&[&path("2023-03-15")]);
    for id in ["csr.san", "cert.san"] {
        let c = checks(&report).into_iter().find(|c| c["id"] == id).unwrap();
        assert_eq!(c["status"], "fail", "{id}");
        assert!(c["expected"]
            .as_str()
            .unwrap()
            .contains("im:wireapp=YmRjODNh"));
        assert!(c["found"].as_str().unwrap().contains("im:wireapp=ymrjodnh"));
    }
}

#[test]
fn flow_2023_03_htu_points_at_the_server_root() {
    let p = path("2023-03-15");
    let (report, code) = json(&[&p]);
    assert_eq!(code, 1);
    let htu = checks(&report)
        .into_iter()
        .find(|c| c["id"] == "dpop.htu")
        .unwrap();
    assert_eq!(htu["status"], "fail");
    assert_eq!(htu["found"], "http://wire.com:20327/");
}

#[test]
fn flow_snapshots() {
    for date in ["2023-01-18", "2023-03-15", "2023-11-15", "2026-01-15"] {
        let p = path(date);
        let (text, _) = run(&[&p]);
        insta::assert_snapshot!(format!("flow_text_{date}"), text);
        let (json, _) = run(&[&p, "--format", "json"]);
        insta::assert_snapshot!(format!("flow_json_{date}"), json);
    }
}

#[test]
fn flow_directory_is_sorted_and_at_is_honoured() {
    let (report, code) = json(&[DIR, "--at", "2026-01-15T08:00:00Z"]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 4);
    let flow = &report["files"][0]["flows"][0];
    assert_eq!(flow["capture_time"], "2026-01-15T08:00:00Z");
}

#[test]
fn flow_unreadable_or_not_a_transcript_is_reported_with_exit_2() {
    for (file, reason) in [
        ("tests/data/nope.md", "No such file"),
        ("Cargo.toml", "not a transcript"),
    ] {
        let cli = Cli::try_parse_from(["e2ei-audit", "flow", file]).unwrap();
        let out = e2ei_audit::run(&cli, Style { color: false }).unwrap();
        assert_eq!(out.code, 2, "{file}");
        assert!(
            out.stdout.starts_with(&format!("{file}\n  unreadable: ")),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains(reason), "{}", out.stdout);
        let expected = format!("e2ei-audit: cannot read {file}: ");
        assert!(out.stderr.starts_with(&expected), "{}", out.stderr);
    }
    // An anchor file without a certificate is an input error, not a silent warn.
    let p = path("2026-01-15");
    let cli =
        Cli::try_parse_from(["e2ei-audit", "flow", &p, "--trust-anchor", "Cargo.toml"]).unwrap();
    let err = e2ei_audit::run(&cli, Style { color: false }).unwrap_err();
    assert!(err.to_string().contains("Cargo.toml"), "{err}");
}

/// An id token posted to the ACME challenge is judged whatever its `alg`:
/// the 2026 capture with its RS256 id token replaced, in every view and in the
/// signed ACME payload, by one claiming EdDSA must fail `oidc.signature` with the
/// IdP's key pinned, not drop out of the `oidc.*` checks.
#[test]
fn a_posted_id_token_with_an_unexpected_alg_is_still_checked() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    let (report, code) = audit_2026_with_id_token(|original| {
        let (_, claims_and_sig) = original.split_once('.').unwrap();
        let (claims, _) = claims_and_sig.split_once('.').unwrap();
        let header = B64.encode(br#"{"alg":"EdDSA","typ":"JWT"}"#);
        format!("{header}.{claims}.{}", B64.encode([7u8; 64]))
    });
    let signature: Vec<_> = checks(&report)
        .into_iter()
        .filter(|c| c["id"] == "oidc.signature")
        .collect();
    assert_eq!(signature.len(), 1, "{report}");
    assert_eq!(signature[0]["status"], "fail", "{}", signature[0]);
    assert_eq!(code, 1);
}

/// The 2026 capture with its posted id token replaced by `forge(original)`, in
/// every view and in the signed ACME payload, audited with its trust inputs.
fn audit_2026_with_id_token(forge: impl Fn(&str) -> String) -> (Value, u8) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    let (_, rest) = text.split_once("\"id_token\": \"").unwrap();
    let original = rest.split('"').next().unwrap();
    let forged = forge(original);
    let payload = |token: &str| B64.encode(format!(r#"{{"id_token":"{token}"}}"#));
    assert!(
        text.contains(&payload(original)),
        "the signed ACME payload holds it"
    );
    let text = text
        .replace(&payload(original), &payload(&forged))
        .replace(original, &forged);
    let file = std::env::temp_dir().join(format!(
        "e2ei-oidc-{}-{:?}.md",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&file, text).unwrap();
    let mut args = vec![file.to_str().unwrap().to_owned()];
    args.extend(trust("2026-01-15"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let audited = json(&args);
    std::fs::remove_file(&file).unwrap();
    audited
}

#[test]
fn flow_identity_claims_are_compared_where_the_era_carries_them() {
    // 2026: the proof names the wire-dpop-01 challenge URL and the order's
    // handle and name; the token's audience is the same challenge URL.
    let (report, _) = json(&[&path("2026-01-15")]);
    let cs: Vec<Value> = checks(&report).into_iter().cloned().collect();
    for id in ["dpop.aud", "dpop.handle", "dpop.name", "access_token.aud"] {
        assert_eq!(status_of(&cs, id), ["pass"], "{id}");
    }
    // The order names no team: nothing to compare the proof's "wire" with.
    assert_eq!(status_of(&cs, "dpop.team"), ["skip"]);
    // Before 2024 the proofs carry none of these claims (skipped, saying so)
    // and wire-server named itself as the token's audience (a warning).
    for (date, ordered_user) in [
        ("2023-01-18", false),
        ("2023-03-15", true),
        ("2023-11-15", true),
    ] {
        let (report, _) = json(&[&path(date)]);
        for flow in report["files"][0]["flows"].as_array().unwrap() {
            let cs = flow["checks"].as_array().unwrap();
            let one = |id: &str| {
                let found: Vec<&Value> = cs.iter().filter(|c| c["id"] == id).collect();
                assert_eq!(found.len(), 1, "{date} {id}");
                found[0]
            };
            let mut absent = vec!["dpop.aud"];
            if ordered_user {
                // dns identifiers (2023-01) name no handle or display name.
                absent.extend(["dpop.handle", "dpop.name"]);
            }
            for id in absent {
                let c = one(id);
                assert_eq!(c["status"], "skip", "{date} {id}");
                let message = c["message"].as_str().unwrap();
                assert!(message.contains("is absent from the proof"), "{message}");
                assert!(message.contains("until early 2024"), "{message}");
            }
            let aud = one("access_token.aud");
            assert_eq!(aud["status"], "warn", "{date}");
            let message = aud["message"].as_str().unwrap();
            assert!(message.contains("names wire-server itself"), "{message}");
        }
    }
}

/// The 2026 audit with the claims of its posted id token rewritten by `edit`
/// (the signature left as it was).
fn with_id_token_claims(edit: impl Fn(&mut Value)) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    audit_2026_with_id_token(|original| {
        let parts: Vec<&str> = original.split('.').collect();
        let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        edit(&mut claims);
        format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(claims.to_string()),
            parts[2]
        )
    })
    .0
}

/// The id token vouches for the order's user through the IdP the `wire-oidc-01`
/// challenge names: `iss` = its `target` (up to a trailing slash), and the
/// order's display name and handle, in the claims of the token's era (2023:
/// `name` = handle URI, `preferred_username` = display name; 2026: `name` =
/// display name, `preferred_username` = `handle@domain`).
#[test]
fn flow_id_token_names_the_orders_user_and_the_challenges_idp() {
    for (date, ids) in [
        ("2023-03-15", &["oidc.name", "oidc.preferred_username"][..]),
        (
            "2023-11-15",
            &["oidc.iss", "oidc.name", "oidc.preferred_username"][..],
        ),
        (
            "2026-01-15",
            &["oidc.iss", "oidc.name", "oidc.preferred_username"][..],
        ),
    ] {
        let (report, _) = json(&[&path(date)]);
        let cs: Vec<Value> = checks(&report).into_iter().cloned().collect();
        for id in ids {
            assert_eq!(status_of(&cs, id), ["pass"], "{date} {id}");
        }
    }
    for (claim, value, id) in [
        (
            "preferred_username",
            "mallory@wire.localhost",
            "oidc.preferred_username",
        ),
        ("name", "Mallory", "oidc.name"),
        ("iss", "http://evil.example:40255", "oidc.iss"),
        // The 2023 mapping does not rescue a token naming another handle.
        ("name", "wireapp://%40mallory@wire.localhost", "oidc.name"),
    ] {
        let report = with_id_token_claims(|c| c[claim] = Value::from(value));
        let cs: Vec<Value> = checks(&report).into_iter().cloned().collect();
        assert_eq!(status_of(&cs, id), ["fail"], "{claim} = {value}");
        let mut failing: Vec<&str> = with_status(&report, Status::Fail)
            .iter()
            .filter_map(|c| c["id"].as_str())
            .filter(|i| i.starts_with("oidc."))
            .collect();
        failing.sort_unstable();
        // Only that claim, and the IdP signature the forgery broke.
        let mut expected = vec![id, "oidc.signature"];
        expected.sort_unstable();
        assert_eq!(failing, expected, "{claim} = {value}");
    }
}

/// The `oidc.signature` check of the 2026-01 capture, audited through the library.
fn oidc_signature(text: &str, transcript_keys: bool) -> (Status, String) {
    use e2ei_audit::flow::{audit, Options, Trust, When};
    let options = Options {
        when: When::Capture,
        now: 0,
        trust: Trust {
            transcript_keys,
            ..Trust::default()
        },
    };
    let flows = audit(text, &options).unwrap();
    let check = flows
        .iter()
        .flat_map(|f| &f.checks)
        .find(|c| c.id == "oidc.signature")
        .unwrap();
    (check.status, check.message.clone())
}

/// The `PUBLIC KEY` blocks of a capture, in order.
fn public_keys(text: &str) -> Vec<&str> {
    text.match_indices("-----BEGIN PUBLIC KEY-----")
        .map(|(start, _)| {
            let end = start + text[start..].find("-----END PUBLIC KEY-----").unwrap();
            &text[start..end]
        })
        .collect()
}

#[test]
fn flow_idp_key_printed_beside_the_id_token_is_trusted_as_such() {
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    let (status, message) = oidc_signature(&text, false);
    assert_eq!(status, Status::Warn);
    assert!(message.contains("IdP key not given"), "{message}");
    // The RSA key printed under "✅ Signature Verified with key" in step 19.
    let (status, message) = oidc_signature(&text, true);
    assert_eq!(status, Status::Warn, "{message}");
    assert!(
        message.contains("IdP key trusted from the transcript (printed at step 19)"),
        "{message}"
    );
    assert!(message.contains("verifies with that key"), "{message}");
}

#[test]
fn flow_a_printed_idp_key_that_did_not_sign_the_id_token_fails() {
    let text = std::fs::read_to_string(path("2026-01-15")).unwrap();
    let other = std::fs::read_to_string(path("2023-11-15")).unwrap();
    // The last key of each capture is its IdP's (dex then, keycloak now).
    let ours = *public_keys(&text).last().unwrap();
    let theirs = *public_keys(&other).last().unwrap();
    assert_ne!(ours, theirs);
    let swapped = text.replace(ours, theirs);
    let (status, message) = oidc_signature(&swapped, true);
    assert_eq!(status, Status::Fail, "{message}");
}

/// `preferred_username` names the handle in any spelling (2026: `handle@domain`;
/// 2024-02 keycloak captures: the handle URI); one naming another user fails;
/// an id token without it (2023-02 captures) is warned: the IdP vouches for no
/// handle, which a current server rejects.
#[test]
fn flow_preferred_username_is_compared_as_a_handle() {
    let status = |edit: &dyn Fn(&mut Value)| {
        let report = with_id_token_claims(edit);
        let cs: Vec<Value> = checks(&report).into_iter().cloned().collect();
        status_of(&cs, "oidc.preferred_username")
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let set =
        |value: &'static str| move |c: &mut Value| c["preferred_username"] = Value::from(value);
    assert_eq!(
        status(&set("wireapp://%40alice_wire@wire.localhost")),
        ["pass"]
    );
    assert_eq!(status(&set("ALICE_WIRE@wire.localhost")), ["pass"]);
    assert_eq!(
        status(&set("wireapp://%40mallory@wire.localhost")),
        ["fail"]
    );
    assert_eq!(status(&set("alice_wire@wire.example.org")), ["fail"]);
    let removed = |c: &mut Value| {
        c.as_object_mut().unwrap().remove("preferred_username");
    };
    assert_eq!(status(&removed), ["warn"]);
}
