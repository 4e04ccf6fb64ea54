//! The real tokens of the shared transcripts (copied under `vectors/real/`),
//! verified at their capture time with what the transcript shows, and the full
//! JSON report of each snapshot-tested.

use e2ei_verify::access_token::{self, IssuerTrust};
use e2ei_verify::dpop;
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{parse_public_keys, PublicKey};
use e2ei_verify::report::{Report, Status};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

struct Case {
    dir: PathBuf,
    name: String,
    spec: Value,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("real");
    let mut out = Vec::new();
    for era in std::fs::read_dir(&root).unwrap() {
        let era = era.unwrap().path();
        for suite in std::fs::read_dir(&era).unwrap() {
            let dir = suite.unwrap().path();
            let spec =
                serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
            let name = format!(
                "{}_{}",
                era.file_name().unwrap().to_string_lossy(),
                dir.file_name().unwrap().to_string_lossy()
            );
            out.push(Case { dir, name, spec });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(out.len(), 6, "six real flows");
    out
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

impl Case {
    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap()
            .trim()
            .to_owned()
    }

    fn at(&self) -> u64 {
        self.spec["at"].as_u64().unwrap()
    }

    fn dpop(&self) -> Report {
        let d = &self.spec["dpop"];
        let expect = dpop::Expectations {
            htm: s(d, "htm"),
            htu: s(d, "htu"),
            nonce: s(d, "nonce"),
            chal: s(d, "chal"),
            client_id: s(d, "client_id").map(|c| ClientId::parse(&c).unwrap()),
            aud: s(d, "aud"),
            handle: s(d, "handle").map(|h| Handle::parse(&h).unwrap()),
            team: s(d, "team"),
            name: s(d, "name"),
            ..Default::default()
        };
        dpop::audit(&self.read("dpop.jwt"), &expect, self.at()).1
    }

    fn access_token(&self) -> access_token::Audit {
        let a = &self.spec["access_token"];
        let key_file = s(a, "issuer_key").unwrap();
        let keys = parse_public_keys(self.read(&key_file).as_bytes()).unwrap();
        let keys = keys
            .into_iter()
            .map(|k| PublicKey::new(k).unwrap())
            .collect();
        let mut expect = access_token::Expectations::new(IssuerTrust::Pinned(keys));
        expect.iss = s(a, "iss");
        expect.client_id = s(a, "client_id").map(|c| ClientId::parse(&c).unwrap());
        expect.chal = s(a, "chal");
        expect.nonce = s(a, "nonce");
        access_token::audit(&self.read("access_token.jwt"), &expect, self.at())
    }
}

fn failures(report: &Report) -> Vec<&'static str> {
    report.failures().map(|c| c.id).collect()
}

#[test]
fn full_reports_of_every_real_token_are_stable() {
    for case in cases() {
        let token = case.access_token();
        let report = json!({
            "dpop": case.dpop(),
            "access_token": token.report,
            "embedded_proof": token.proof_report,
        });
        insta::assert_json_snapshot!(case.name.clone(), report);
    }
}

#[test]
fn proofs_of_2023_01_pass_every_check_and_tokens_are_bound_to_the_issuer_key() {
    for case in cases().iter().filter(|c| c.name.starts_with("2023-01-18")) {
        assert!(failures(&case.dpop()).is_empty(), "{}", case.name);
        let token = case.access_token();
        let r = &token.report;
        assert_eq!(
            r.get("access_token.signature").unwrap().status,
            Status::Pass
        );
        let cnf = r.get("access_token.cnf").unwrap();
        assert_eq!(cnf.status, Status::Fail, "{}", case.name);
        let hash = if case.name.ends_with("p384") {
            "SHA-384"
        } else {
            "SHA-256"
        };
        assert!(
            cnf.message
                .contains(&format!("{hash} thumbprint of the issuer's own key")),
            "{}: {}",
            case.name,
            cnf.message
        );
        // The 90-day lifetime is the only other finding.
        assert_eq!(
            failures(r),
            ["access_token.time", "access_token.cnf"],
            "{}",
            case.name
        );
    }
}

#[test]
fn tokens_of_2023_11_and_2026_pass_every_check_with_the_printed_issuer_key() {
    for case in cases()
        .iter()
        .filter(|c| c.name.starts_with("2023-11") || c.name.starts_with("2026"))
    {
        assert!(failures(&case.dpop()).is_empty(), "{}", case.name);
        let token = case.access_token();
        assert!(
            failures(&token.report).is_empty(),
            "{}: {:#?}",
            case.name,
            token.report
        );
        assert_eq!(
            token.report.get("access_token.issuer_key").unwrap().status,
            Status::Pass
        );
        assert!(failures(token.proof_report.as_ref().unwrap()).is_empty());
    }
}

#[test]
fn the_2023_03_proof_points_at_the_server_root() {
    let case = cases()
        .into_iter()
        .find(|c| c.name.starts_with("2023-03"))
        .unwrap();
    let report = case.dpop();
    assert_eq!(failures(&report), ["dpop.htu"]);
    let htu = report.get("dpop.htu").unwrap();
    assert_eq!(htu.found.as_deref(), Some("http://wire.com:20327/"));
}
