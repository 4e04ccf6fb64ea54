//! `e2ei-audit chain` and `e2ei-audit csr` on the real 2026-01 capture: exit
//! codes, statuses, and that nothing untrusted is ever a pass.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const CLIENT: &str = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost";
const HANDLE: &str = "wireapp://%40alice_wire@wire.localhost";

fn data(file: &str) -> String {
    let p: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "verify",
        "tests",
        "data",
        "x509",
        file,
    ]
    .iter()
    .collect();
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_e2ei-audit"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json)
}

/// The worst status among the checks with this id (a check may run once per field).
fn status(report: &Value, id: &str) -> String {
    let statuses: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    ["fail", "warn", "skip", "pass"]
        .into_iter()
        .find(|s| statuses.contains(s))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_2026_chain_verifies_to_its_root_with_the_expected_identities() {
    let (chain, root, csr) = (
        data("2026-01-15-chain.json"),
        data("2026-01-15-root.pem"),
        data("2026-01-15-csr.pem"),
    );
    let (code, r) = run(&[
        "chain",
        &chain,
        "--trust-anchor",
        &root,
        "--at",
        "2026-01-15T09:00:00Z",
        "--client-id",
        CLIENT,
        "--handle",
        HANDLE,
        "--provisioner",
        "wire",
        "--csr",
        &csr,
    ]);
    assert_eq!(code, 0, "{r:#}");
    for id in [
        "cert.chain",
        "cert.eku",
        "cert.san",
        "cert.key_binding",
        "cert.provisioner",
    ] {
        assert_eq!(status(&r, id), "pass", "{id}: {r:#}");
    }
}

#[test]
fn without_an_anchor_the_chain_is_a_warning_never_a_pass() {
    let (code, r) = run(&[
        "chain",
        &data("2026-01-15-chain.json"),
        "--at",
        "2026-01-15T09:00:00Z",
    ]);
    assert_eq!(code, 0);
    assert_eq!(status(&r, "cert.chain"), "warn");
    assert_eq!(status(&r, "cert.san"), "skip");
}

#[test]
fn an_expired_chain_a_wrong_identity_and_a_wrong_provisioner_fail() {
    let (chain, root) = (data("2026-01-15-chain.json"), data("2026-01-15-root.pem"));
    let (code, r) = run(&[
        "chain",
        &chain,
        "--trust-anchor",
        &root,
        "--at",
        "2036-02-01T00:00:00Z",
    ]);
    assert_eq!((code, status(&r, "cert.chain")), (1, "fail".into()));
    let message = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "cert.chain")
        .and_then(|c| c["message"].as_str())
        .unwrap();
    // When, in words: the dates, not epoch numbers.
    assert!(message.contains("expired at 20"), "{message}");
    assert!(
        message.contains("(verification time 2036-02-01T00:00:00Z) (CertExpired)"),
        "{message}"
    );
    let other = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!0000000000000001@wire.localhost";
    let (code, r) = run(&[
        "chain",
        &chain,
        "--trust-anchor",
        &root,
        "--at",
        "2026-01-15T09:00:00Z",
        "--client-id",
        other,
        "--handle",
        HANDLE,
        "--provisioner",
        "acme",
    ]);
    assert_eq!(code, 1);
    assert_eq!(status(&r, "cert.san"), "fail");
    assert_eq!(status(&r, "cert.provisioner"), "fail");
}

#[test]
fn the_2026_csr_passes_and_a_wrong_display_name_fails() {
    let csr = data("2026-01-15-csr.pem");
    let base = [
        "csr",
        csr.as_str(),
        "--client-id",
        CLIENT,
        "--handle",
        HANDLE,
        "--org",
        "wire.localhost",
    ];
    let (code, r) = run(&[&base[..], &["--display-name", "Alice Smith"]].concat());
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(status(&r, "csr.signature"), "pass");
    let (code, r) = run(&[&base[..], &["--display-name", "Mallory"]].concat());
    assert_eq!((code, status(&r, "csr.subject")), (1, "fail".into()));
}

#[test]
fn the_2026_leaf_names_its_user_and_another_display_name_fails() {
    let (chain, root) = (data("2026-01-15-chain.json"), data("2026-01-15-root.pem"));
    let base = [
        "chain",
        chain.as_str(),
        "--trust-anchor",
        root.as_str(),
        "--at",
        "2026-01-15T09:00:00Z",
        "--org",
        "wire.localhost",
    ];
    let (code, r) = run(&[&base[..], &["--display-name", "Alice Smith"]].concat());
    assert_eq!(
        (code, status(&r, "cert.subject")),
        (0, "pass".into()),
        "{r:#}"
    );
    let (code, r) = run(&[&base[..], &["--display-name", "Mallory"]].concat());
    assert_eq!(
        (code, status(&r, "cert.subject")),
        (1, "fail".into()),
        "{r:#}"
    );
    let (code, r) = run(&base[..6]);
    assert_eq!(
        (code, status(&r, "cert.subject")),
        (0, "skip".into()),
        "{r:#}"
    );
}

#[test]
fn unreadable_inputs_exit_2_with_an_error_object() {
    let root = data("2026-01-15-root.pem");
    for args in [
        vec!["chain", root.as_str().trim_end_matches(".pem")],
        vec!["csr", root.as_str()],
        vec!["chain", root.as_str(), "--trust-anchor", "/nonexistent"],
        vec!["chain", root.as_str(), "--at", "yesterday"],
    ] {
        let (code, r) = run(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(r["error"].is_string(), "{args:?}: {r}");
    }
}

#[test]
fn an_expected_identity_that_is_not_a_san_is_a_misuse() {
    let (chain, csr) = (data("2026-01-15-chain.json"), data("2026-01-15-csr.pem"));
    let bare_client = CLIENT.trim_start_matches("wireapp://");
    for args in [
        vec!["chain", chain.as_str(), "--client-id", bare_client],
        vec!["csr", csr.as_str(), "--client-id", bare_client],
        vec![
            "chain",
            chain.as_str(),
            "--handle",
            "@alice_wire@wire.localhost",
        ],
        vec![
            "csr",
            csr.as_str(),
            "--client-id",
            "wireapp://not-a-client@x",
        ],
    ] {
        let (code, r) = run(&args);
        assert_eq!(code, 2, "{args:?}: {r}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(
            error.contains("give the SAN") || error.contains("not a Wire client id"),
            "{error}"
        );
    }
}
