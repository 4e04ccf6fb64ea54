//! The conformance runner: every case under `vectors/cases`, read from its
//! files as any other implementation would read them, through the library.
//!
//! For each case it asserts the verdict, the *full* set of failing check ids
//! (audit mode), and the check and ACME problem type of the first failure
//! (fail-fast mode, which must be the audit's first failure). Reports are
//! snapshot-tested (one snapshot per suite), the check × suite matrix of
//! `vectors/MATRIX.md` is derived from the run, and the generator is shown to
//! be deterministic and the committed cases current.

use e2ei_audit::flow::{self as flow_audit, Options, When};
use e2ei_verify::access_token::{self, IssuerTrust};
use e2ei_verify::challenge::{Challenge, ChallengeType, Identifiers, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{b64_decode, parse_public_keys, PublicKey};
use e2ei_verify::oidc::{self, parse_idp_keys, IdpTrust};
use e2ei_verify::replay::{MemoryStore, NonceStore};
use e2ei_verify::report::{Check, Failure, Report, Status};
use e2ei_verify::time::TimePolicy;
use e2ei_verify::x509::{self, ChainExpectations, CsrExpectations};
use e2ei_verify::{acme, dpop};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every check id of the catalogue that the cases cover, in README order.
const CATALOGUE: &[&str] = &[
    "dpop.format",
    "dpop.typ",
    "dpop.alg",
    "dpop.jwk",
    "dpop.signature",
    "dpop.htm",
    "dpop.htu",
    "dpop.time",
    "dpop.jti",
    "dpop.nonce",
    "dpop.chal",
    "dpop.sub",
    "dpop.aud",
    "dpop.handle",
    "dpop.team",
    "dpop.name",
    "dpop.ath",
    "dpop.key_binding",
    "access_token.format",
    "access_token.typ",
    "access_token.issuer_key",
    "access_token.signature",
    "access_token.time",
    "access_token.iss",
    "access_token.aud",
    "access_token.sub",
    "access_token.proof",
    "access_token.cnf",
    "access_token.chal",
    "access_token.nonce",
    "access_token.scope",
    "access_token.api_version",
    "access_token.delivered",
    "oidc.format",
    "oidc.signature",
    "oidc.time",
    "oidc.aud",
    "oidc.iss",
    "oidc.keyauth",
    "oidc.acme_aud",
    "oidc.name",
    "oidc.preferred_username",
    "oidc.delivered",
    "oidc.nonce",
    "oidc.pkce",
    "acme.jws.format",
    "acme.jws.signature",
    "acme.jws.url",
    "acme.jws.kid",
    "acme.nonce.chain",
    "cert.format",
    "cert.chain",
    "cert.eku",
    "cert.san",
    "cert.subject",
    "cert.key_binding",
    "cert.provisioner",
    "csr.format",
    "csr.signature",
    "csr.san",
    "csr.subject",
    "challenge.client_id",
    "challenge.account_key",
    "transcript.consistency",
    "transcript.secrets",
];

/// Warn-level checks: their negative is a warning. The auditor reports
/// `transcript.secrets` only when it finds a secret, so in a flow it did not
/// warn about, the check ran and passed.
const WARN_LEVEL: &[&str] = &["transcript.secrets"];

const SUITES: [&str; 4] = ["ed25519", "p256", "p384", "p521"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// A case directory and its descriptor.
struct Case {
    dir: PathBuf,
    spec: Value,
}

impl Case {
    fn load(dir: PathBuf) -> Self {
        let spec = serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
        Case { dir, spec }
    }

    fn id(&self) -> &str {
        self.spec["id"].as_str().unwrap()
    }

    fn suite(&self) -> &str {
        self.spec["suite"].as_str().unwrap()
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap()
    }

    fn input(&self) -> String {
        String::from_utf8(self.input_bytes()).unwrap()
    }

    fn input_bytes(&self) -> Vec<u8> {
        self.file(self.spec["input"].as_str().unwrap())
    }

    fn trust(&self, role: &str) -> Vec<u8> {
        self.file(self.spec["trust"][role].as_str().unwrap())
    }

    fn at(&self) -> u64 {
        self.spec["verify_at"].as_u64().unwrap()
    }

    fn expected(&self, name: &str) -> Option<String> {
        str_of(&self.spec["expectations"], name)
    }
}

fn str_of(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// A list of strings, or `None` where the descriptor has `null`.
fn strings_of(v: &Value, name: &str) -> Option<Vec<String>> {
    v.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
}

fn policy(v: &Value) -> TimePolicy {
    TimePolicy {
        max_skew: v["max_skew"].as_u64().unwrap(),
        max_age: v["max_age"].as_u64(),
        max_lifetime: v["max_lifetime"].as_u64().unwrap(),
    }
}

fn pinned(bytes: &[u8]) -> Vec<PublicKey> {
    parse_public_keys(bytes)
        .unwrap()
        .into_iter()
        .map(|k| PublicKey::new(k).unwrap())
        .collect()
}

/// What running one case gave.
struct Outcome {
    /// Audit mode: the artefact's checks, and the embedded proof's.
    reports: Vec<(&'static str, Report)>,
    /// Fail-fast mode: the first failure's id, problem URN and message.
    first: Option<(&'static str, &'static str, String)>,
    /// An auditor's verdict only (flows): no fail-fast mode, no ACME problem.
    audit_only: bool,
}

fn first<E: Failure>(
    result: Result<impl Sized, E>,
) -> Option<(&'static str, &'static str, String)> {
    result
        .err()
        .map(|e| (e.check_id(), e.problem().urn(), e.to_string()))
}

fn dpop_expectations(v: &Value) -> dpop::Expectations {
    dpop::Expectations {
        htm: str_of(v, "htm"),
        htu: str_of(v, "htu"),
        nonce: str_of(v, "nonce"),
        chal: str_of(v, "chal"),
        client_id: str_of(v, "client_id").map(|c| ClientId::parse(&c).unwrap()),
        aud: str_of(v, "aud"),
        handle: str_of(v, "handle").map(|h| Handle::parse(&h).unwrap()),
        team: str_of(v, "team"),
        name: str_of(v, "name"),
        ath: str_of(v, "ath"),
        time: policy(&v["time"]),
        ..Default::default()
    }
}

fn run(case: &Case) -> Outcome {
    let at = case.at();
    let v = &case.spec["expectations"];
    match case.spec["artefact"].as_str().unwrap() {
        "dpop" => {
            let e = dpop_expectations(v);
            let token = case.input();
            Outcome::new(
                vec![("", dpop::audit(&token, &e, at).1)],
                first(dpop::verify(&token, &e, at, None)),
            )
        }
        "access_token" => {
            let mut e = access_token::Expectations::new(IssuerTrust::Pinned(pinned(
                &case.trust("issuer_key"),
            )));
            e.iss = case.expected("iss");
            e.aud = case.expected("aud");
            e.client_id = case
                .expected("client_id")
                .map(|c| ClientId::parse(&c).unwrap());
            e.chal = case.expected("chal");
            e.nonce = case.expected("nonce");
            e.scope = case.expected("scope").unwrap();
            e.min_api_version = v["min_api_version"].as_u64().unwrap();
            e.time = policy(&v["time"]);
            e.proof = dpop_expectations(&v["proof"]);
            let token = case.input();
            let audit = access_token::audit(&token, &e, at);
            let mut reports = vec![("", audit.report)];
            reports.extend(audit.proof_report.map(|r| ("proof", r)));
            Outcome::new(reports, first(access_token::verify(&token, &e, at)))
        }
        "id_token" => {
            let keys = parse_idp_keys(&case.trust("idp_key")).unwrap();
            let mut e = oidc::Expectations::new(IdpTrust::Pinned(keys));
            e.iss = case.expected("iss");
            e.audience = case.expected("audience");
            e.keyauth = case.expected("keyauth");
            e.acme_aud = case.expected("acme_aud");
            e.name = case.expected("name");
            e.preferred_username = case.expected("preferred_username");
            e.time = policy(&v["time"]);
            let token = case.input();
            Outcome::new(
                vec![("", oidc::audit(&token, &e, at).1)],
                first(oidc::verify(&token, &e, at)),
            )
        }
        "acme_request" => {
            let body = case.input().into_bytes();
            let url = case.expected("url").unwrap();
            let account = case.expected("account_url");
            let key = account.as_ref().map(|_| pinned(&case.trust("account_key")));
            let signer = match (account.as_deref(), &key) {
                (Some(url), Some(keys)) => acme::Signer::Account { url, key: &keys[0] },
                _ => acme::Signer::NewAccount,
            };
            Outcome::new(
                vec![("", acme::audit(&body, &url, signer).1)],
                first(acme::verify(&body, &url, signer)),
            )
        }
        "chain" => {
            let mut e = ChainExpectations::at_unix(at);
            e.trust_anchors = x509::parse_certificates(&case.trust("trust_anchor")).unwrap();
            e.uris = strings_of(v, "uris");
            e.dns_names = strings_of(v, "dns_names");
            e.public_key = case.expected("public_key").map(|k| b64_decode(&k).unwrap());
            e.organization = case.expected("organization");
            e.display_name = case.expected("display_name");
            e.require_provisioner = v["require_provisioner"].as_bool().unwrap();
            e.provisioner_name = case.expected("provisioner_name");
            let input = case.input_bytes();
            Outcome::new(
                vec![("", x509::audit_chain(&input, &e))],
                first(x509::verify_chain(&input, &e)),
            )
        }
        "csr" => {
            let e = CsrExpectations {
                uris: strings_of(v, "uris"),
                dns_names: strings_of(v, "dns_names"),
                organization: case.expected("organization"),
                display_name: case.expected("display_name"),
            };
            let input = case.input_bytes();
            Outcome::new(
                vec![("", x509::audit_csr(&input, &e))],
                first(x509::verify_csr(&input, &e)),
            )
        }
        "flow" => run_flow(case),
        "challenge" => run_challenge(case),
        other => panic!("unknown artefact {other}"),
    }
}

/// A flow: the transcript through the flow auditor, as of `verify_at`, with
/// the pinned wire-server and IdP keys and the trust anchor.
fn run_flow(case: &Case) -> Outcome {
    let at = case.at();
    let options = Options {
        when: When::Fixed(at),
        now: at,
        trust: flow_audit::Trust {
            issuer_keys: pinned(&case.trust("issuer_key")),
            idp_keys: parse_idp_keys(&case.trust("idp_key")).unwrap(),
            anchors: vec![case.trust("trust_anchor")],
            ..flow_audit::Trust::default()
        },
    };
    let text = case.input();
    // The generated transcript reads cleanly: nothing malformed, no secret
    // but the one a transcript.secrets case prints on purpose.
    let findings = e2ei_audit::transcript::parse(&text).unwrap().findings;
    assert!(
        findings.iter().all(|f| matches!(
            f.kind,
            e2ei_audit::transcript::FindingKind::SecretPrinted { .. }
        )),
        "{}: reader findings {findings:?}",
        case.id()
    );
    let flows = flow_audit::audit(&text, &options).unwrap();
    assert_eq!(flows.len(), 1, "{}: one flow per transcript", case.id());
    let mut report = Report::new();
    for c in &flows[0].checks {
        let mut check = Check::new(c.id, c.status, c.message.clone());
        check.expected.clone_from(&c.expected);
        check.found.clone_from(&c.found);
        report.push(check);
    }
    Outcome {
        reports: vec![("", report)],
        first: None,
        audit_only: true,
    }
}

/// A challenge: a validator configured from the descriptor (fresh in-memory
/// stores, the descriptor's nonces issued, the clock at `verify_at`), the
/// payload posted `submissions` times; every submission but the last must be
/// accepted, the last is the outcome.
fn run_challenge(case: &Case) -> Outcome {
    let at = case.at();
    let v = &case.spec["expectations"];
    let time = &v["time"];
    let (proof, token) = (policy(&time["proof"]), policy(&time["access_token"]));
    let idp = &v["idp"];
    let store = Arc::new(MemoryStore::default());
    let validator = Validator::builder()
        .wire_server_keys(pinned(&case.trust("issuer_key")))
        .idp(
            idp["issuer"].as_str().unwrap(),
            idp["client_id"].as_str().unwrap(),
            parse_idp_keys(&case.trust("idp_key")).unwrap(),
        )
        .clock_skew(proof.max_skew)
        .proof_max_age(proof.max_age.unwrap())
        .proof_max_lifetime(proof.max_lifetime)
        .token_max_lifetime(token.max_lifetime)
        .replay_store(store.clone())
        .nonce_store(store.clone())
        .clock(move || at)
        .build()
        .unwrap();
    assert_eq!(v["wire_nonce"], "issued");
    for nonce in v["issued_nonces"].as_array().unwrap() {
        store
            .issue(nonce.as_str().unwrap(), at + proof.max_age.unwrap(), at)
            .unwrap();
    }
    let c = &v["challenge"];
    let challenge = Challenge {
        kind: ChallengeType::parse(c["type"].as_str().unwrap()).unwrap(),
        token: c["token"].as_str().unwrap(),
        url: c["url"].as_str().unwrap(),
        target: c["target"].as_str().unwrap(),
    };
    let order = Identifiers::from_identifier_value(&v["order"].to_string()).unwrap();
    let account = &pinned(&case.trust("account_key"))[0];
    let payload = case.input_bytes();
    let submissions = v["submissions"].as_u64().unwrap();
    for n in 1..submissions {
        let earlier = validator.validate(&challenge, account, &order, &payload);
        assert!(earlier.is_ok(), "{}: submission {n} rejected", case.id());
    }
    match validator.validate(&challenge, account, &order, &payload) {
        Ok(_) => Outcome::new(Vec::new(), None),
        Err(rejection) => {
            let first = Some((
                rejection.check_id(),
                rejection.problem().urn(),
                rejection.to_string(),
            ));
            Outcome::new(vec![("", rejection.report())], first)
        }
    }
}

impl Outcome {
    fn new(
        reports: Vec<(&'static str, Report)>,
        first: Option<(&'static str, &'static str, String)>,
    ) -> Self {
        Outcome {
            reports,
            first,
            audit_only: false,
        }
    }

    /// Every warning id (flows).
    fn warning(&self) -> BTreeSet<&'static str> {
        self.reports
            .iter()
            .flat_map(|(_, r)| r.checks.iter())
            .filter(|c| c.status == Status::Warn)
            .map(|c| c.id)
            .collect()
    }

    /// Every failing id, from audit mode. The fail-fast failure must be
    /// among them: an audit never hides what a server would reject for.
    fn failing(&self) -> BTreeSet<&'static str> {
        let set: BTreeSet<_> = self
            .reports
            .iter()
            .flat_map(|(_, r)| r.failures().map(|c| c.id))
            .collect();
        if let Some((id, ..)) = &self.first {
            assert!(
                set.contains(id),
                "{id} fails fail-fast but not in the audit"
            );
        }
        set
    }

    fn status(&self, id: &str) -> Option<Status> {
        if self.failing().contains(id) {
            return Some(Status::Fail);
        }
        if WARN_LEVEL.contains(&id) && self.audit_only {
            let warned = self.warning().contains(id);
            return Some(if warned { Status::Warn } else { Status::Pass });
        }
        let family = id.rsplit_once('.').map_or(id, |(f, _)| f);
        self.reports.iter().find_map(|(_, r)| {
            r.get(id).map(|c| c.status).or_else(|| {
                // Parsing is not reported as a check: a format check passed
                // when the artefact's own checks ran at all.
                let parsed = r.checks.iter().any(|c| c.id.starts_with(family));
                (id.ends_with(".format") && parsed).then_some(Status::Pass)
            })
        })
    }

    fn render(&self, case: &Case, out: &mut String) {
        let result = case.spec["expect"]["result"].as_str().unwrap();
        let _ = writeln!(out, "== {} ({result})", case.id());
        match &self.first {
            None if self.audit_only => out.push_str("audit\n"),
            None => out.push_str("fail-fast: accept\n"),
            Some((id, problem, message)) => {
                let _ = writeln!(out, "fail-fast: {id} {problem}: {message}");
            }
        }
        for (part, report) in &self.reports {
            let indent = if part.is_empty() { "" } else { "  proof " };
            for c in &report.checks {
                let _ = writeln!(out, "{indent}{}", line(c));
            }
        }
    }
}

fn line(c: &Check) -> String {
    let mut s = format!("{:<4} {} {}", c.status, c.id, c.message);
    if let Some(e) = &c.expected {
        let _ = write!(s, " | expected: {e}");
    }
    if let Some(f) = &c.found {
        let _ = write!(s, " | found: {f}");
    }
    s
}

fn all_cases() -> Vec<Case> {
    let index: Value =
        serde_json::from_slice(&std::fs::read(root().join("index.json")).unwrap()).unwrap();
    index["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Case::load(root().join(d.as_str().unwrap())))
        .collect()
}

#[test]
fn every_case_gets_its_verdict_failing_set_and_problem() {
    let cases = all_cases();
    assert!(cases.len() >= 4 * 70, "{} cases", cases.len());
    let mut errors = Vec::new();
    let mut snapshots: BTreeMap<&str, String> = BTreeMap::new();
    // check id → suite → (positive, negative)
    let mut matrix: BTreeMap<&str, BTreeMap<&str, (u32, u32)>> = BTreeMap::new();
    for case in &cases {
        let outcome = run(case);
        let expect = &case.spec["expect"];
        let want: BTreeSet<&str> = expect["failing_checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let got: BTreeSet<&str> = outcome.failing();
        let name = format!("{}/{}", case.suite(), case.id());
        if got != want {
            errors.push(format!("{name}: failing {got:?}, expected {want:?}"));
        }
        let want: BTreeSet<&str> = expect
            .get("warning_checks")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        let got = outcome.warning();
        if got != want {
            errors.push(format!("{name}: warning {got:?}, expected {want:?}"));
        }
        match (expect["result"].as_str().unwrap(), &outcome.first) {
            ("accept", None) => {}
            ("reject", None) if outcome.audit_only => {}
            ("reject", Some((id, problem, _))) => {
                if Some(*problem) != expect["problem"].as_str() {
                    errors.push(format!("{name}: fail-fast {id} answers {problem}"));
                }
                let audit_first = outcome.reports[0].1.failures().next().map(|c| c.id);
                if audit_first.is_some_and(|a| a != *id) {
                    errors.push(format!(
                        "{name}: fail-fast {id}, audit first {audit_first:?}"
                    ));
                }
            }
            (result, first) => errors.push(format!("{name}: expected {result}, got {first:?}")),
        }
        for id in CATALOGUE {
            let cell = matrix
                .entry(id)
                .or_default()
                .entry(case.suite())
                .or_default();
            match outcome.status(id) {
                Some(Status::Pass) => cell.0 += 1,
                Some(Status::Fail) => cell.1 += 1,
                Some(Status::Warn) if WARN_LEVEL.contains(id) => cell.1 += 1,
                _ => {}
            }
        }
        outcome.render(case, snapshots.entry(case.suite()).or_default());
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for (suite, text) in snapshots {
        insta::assert_snapshot!(suite, text);
    }
    check_matrix(&matrix);
}

fn check_matrix(matrix: &BTreeMap<&str, BTreeMap<&str, (u32, u32)>>) {
    let mut md = String::from(
        "# Conformance matrix\n\n\
         Generated by `vectors/tests/conformance.rs` (`UPDATE_MATRIX=1 cargo test -p vectors \
         --test conformance`). A cell is `P+/N−`: the cases of that suite in which the check \
         ran and passed, and those in which it failed; every case counted passed the runner.\n\n",
    );
    let _ = writeln!(md, "| check | {} |", SUITES.join(" | "));
    let _ = writeln!(md, "|---|{}", "---|".repeat(SUITES.len()));
    let mut empty = Vec::new();
    for id in CATALOGUE {
        let cells: Vec<String> = SUITES
            .iter()
            .map(|s| {
                let (p, n) = matrix[id].get(s).copied().unwrap_or_default();
                if p == 0 || n == 0 {
                    empty.push(format!("{id} × {s}: {p}+/{n}−"));
                }
                format!("{p}+/{n}−")
            })
            .collect();
        let _ = writeln!(md, "| `{id}` | {} |", cells.join(" | "));
    }
    assert!(
        empty.is_empty(),
        "checks without a positive or a negative case:\n{}",
        empty.join("\n")
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = md.find("| check |").map_or("", |i| &md[i..]).to_owned();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let with_table = readme_with_matrix(&readme, &table);
    if std::env::var_os("UPDATE_MATRIX").is_some() {
        std::fs::write(dir.join("MATRIX.md"), md).unwrap();
        std::fs::write(dir.join("README.md"), with_table).unwrap();
    } else {
        let committed = std::fs::read_to_string(dir.join("MATRIX.md")).unwrap_or_default();
        assert!(
            committed == md && readme == with_table,
            "vectors/MATRIX.md or the matrix in vectors/README.md is stale: \
             run UPDATE_MATRIX=1 cargo test -p vectors --test conformance"
        );
    }
}

/// The README with `table` between its `<!-- matrix -->` markers.
fn readme_with_matrix(readme: &str, table: &str) -> String {
    const START: &str = "<!-- matrix -->\n";
    const END: &str = "<!-- /matrix -->";
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("vectors/README.md lacks the <!-- matrix --> … <!-- /matrix --> markers");
    };
    format!("{}{START}{table}{}", &readme[..a], &readme[b..])
}

/// Every file under `dir`, by `/`-separated relative path.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                let rel: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                out.insert(rel.join("/"), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .take(10)
        .cloned()
        .collect()
}

#[test]
fn the_generator_is_deterministic_and_the_committed_cases_are_current() {
    // Two independent runs, in parallel, each written to its own directory.
    let tmp = std::env::temp_dir().join(format!("vectors-generate-{}", std::process::id()));
    let trees: Vec<BTreeMap<String, Vec<u8>>> = std::thread::scope(|s| {
        let runs: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let dir = tmp.join(name);
                s.spawn(move || {
                    let files = vectors::generate::render(&vectors::cases::all());
                    vectors::generate::write(&dir, &files).unwrap();
                    read_tree(&dir)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    std::fs::remove_dir_all(&tmp).unwrap();
    let diff = differences(&trees[0], &trees[1]);
    assert!(diff.is_empty(), "two runs differ in {diff:?}");
    let diff = differences(&trees[0], &read_tree(&root()));
    assert!(
        diff.is_empty(),
        "vectors/cases is stale ({diff:?}): run `cargo run -p vectors --bin generate`"
    );
}
