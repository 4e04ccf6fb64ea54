//! A conformance case: an artefact, what the verifier is told, and the verdict
//! every conforming implementation must reach. Written by the generator as a
//! directory of plain files so that any implementation can run it.

use crate::mint::Suite;
use e2ei_verify::report::AcmeProblem;
use serde_json::{json, Value};

/// What a case asks a verifier to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Artefact {
    /// A DPoP proof, as wire-server receives it.
    Dpop,
    /// An access token, as the ACME `wire-dpop-01` challenge receives it.
    AccessToken,
    /// An OIDC id token, as the ACME `wire-oidc-01` challenge receives it.
    IdToken,
    /// One ACME request (flattened JWS).
    AcmeRequest,
    /// The certificate chain ACME issues (PEM, leaf first).
    Chain,
    /// The PKCS#10 request of ACME finalize (PEM).
    Csr,
    /// A whole enrolment as a Markdown transcript in Wire's published format,
    /// audited across steps (`e2ei_audit::flow::audit`).
    Flow,
    /// A challenge POST payload as the ACME server receives it, validated with
    /// what the server knows (`e2ei_verify::challenge::Validator`).
    Challenge,
}

impl Artefact {
    /// The descriptor's `artefact` value.
    pub fn name(self) -> &'static str {
        match self {
            Artefact::Dpop => "dpop",
            Artefact::AccessToken => "access_token",
            Artefact::IdToken => "id_token",
            Artefact::AcmeRequest => "acme_request",
            Artefact::Chain => "chain",
            Artefact::Csr => "csr",
            Artefact::Flow => "flow",
            Artefact::Challenge => "challenge",
        }
    }

    /// The file holding the artefact, named in the descriptor's `input`.
    pub fn input_file(self) -> &'static str {
        match self {
            Artefact::Dpop => "dpop.jwt",
            Artefact::AccessToken => "access_token.jwt",
            Artefact::IdToken => "id_token.jwt",
            Artefact::AcmeRequest => "request.json",
            Artefact::Chain => "chain.pem",
            Artefact::Csr => "csr.pem",
            Artefact::Flow => "transcript.md",
            Artefact::Challenge => "payload.json",
        }
    }
}

/// The verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every check that runs passes (checks without an expectation are skipped).
    Accept,
    /// Exactly these checks fail; a server answers with `problem`.
    Reject {
        /// The full set of failing check ids, sorted.
        failing: Vec<&'static str>,
        /// The ACME problem type of the (first) failure.
        problem: AcmeProblem,
    },
    /// An auditor's verdict (flows): no ACME problem, since no server answers;
    /// exactly these checks fail and exactly these warn.
    Audit {
        /// The full set of failing check ids, sorted (empty: accept).
        failing: Vec<&'static str>,
        /// The full set of warning check ids, sorted.
        warning: Vec<&'static str>,
    },
}

/// A trust input: a pinned key, written as a file beside the case.
#[derive(Clone, Debug)]
pub struct Trust {
    /// Its role in the descriptor's `trust` object (`issuer_key`, …).
    pub role: &'static str,
    /// The file name.
    pub file: &'static str,
    /// The file's content.
    pub content: String,
}

/// One case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique within a suite: `<check id>.<variant>` for negative cases,
    /// `<artefact>.valid[-variant]` for positive ones.
    pub id: String,
    /// The suite.
    pub suite: Suite,
    /// What is checked.
    pub artefact: Artefact,
    /// The artefact's exact bytes.
    pub input: Vec<u8>,
    /// The verification time (seconds since the epoch).
    pub verify_at: u64,
    /// What the verifier is told (request, expected values, policy).
    pub expectations: Value,
    /// Pinned keys.
    pub trust: Vec<Trust>,
    /// The verdict.
    pub expect: Expect,
    /// One sentence: what is wrong (or right) with the artefact.
    pub why: String,
}

impl Case {
    /// The directory of the case, relative to the cases root.
    pub fn dir(&self) -> String {
        format!("{}/{}", self.suite.name(), self.id)
    }

    /// `case.json`.
    pub fn descriptor(&self) -> Value {
        let expect = match &self.expect {
            Expect::Accept => json!({"result": "accept", "failing_checks": []}),
            Expect::Reject { failing, problem } => json!({
                "result": "reject", "failing_checks": failing, "problem": problem.urn(),
            }),
            Expect::Audit { failing, warning } => json!({
                "result": if failing.is_empty() { "accept" } else { "reject" },
                "failing_checks": failing, "warning_checks": warning,
            }),
        };
        let trust: serde_json::Map<String, Value> = self
            .trust
            .iter()
            .map(|t| (t.role.to_owned(), Value::from(t.file)))
            .collect();
        json!({
            "id": self.id,
            "suite": self.suite.name(),
            "artefact": self.artefact.name(),
            "input": self.artefact.input_file(),
            "verify_at": self.verify_at,
            "expectations": self.expectations,
            "trust": trust,
            "expect": expect,
            "why": self.why,
        })
    }

    /// Every file of the case directory: name and bytes.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut descriptor = serde_json::to_string_pretty(&self.descriptor()).expect("JSON");
        descriptor.push('\n');
        let mut files = vec![
            ("case.json".to_owned(), descriptor.into_bytes()),
            (self.artefact.input_file().to_owned(), self.input.clone()),
        ];
        files.extend(
            self.trust
                .iter()
                .map(|t| (t.file.to_owned(), format!("{}\n", t.content).into_bytes())),
        );
        files
    }
}

/// An audit verdict failing exactly `failing` and warning exactly `warning`
/// (any order).
pub fn audit(failing: &[&'static str], warning: &[&'static str]) -> Expect {
    let (mut failing, mut warning) = (failing.to_vec(), warning.to_vec());
    failing.sort_unstable();
    warning.sort_unstable();
    Expect::Audit { failing, warning }
}

/// A rejection failing exactly `failing` (any order), answered with `problem`.
pub fn reject(failing: &[&'static str], problem: AcmeProblem) -> Expect {
    let mut failing = failing.to_vec();
    failing.sort_unstable();
    Expect::Reject { failing, problem }
}
