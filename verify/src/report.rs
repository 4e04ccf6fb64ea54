//! The report model that the library, the server API and the auditor all speak.
//!
//! A [`Check`] has a stable dotted id (users filter on ids in CI, so they are an
//! interface), a [`Status`], a message a person understands and, where it helps,
//! the evidence: what was expected and what was found.
//!
//! Verification code is written once against the [`Sink`] trait and runs in two
//! modes: [`FailFast`] (a server: stop at the first failure, build no messages for
//! checks that pass) and [`Report`] (an auditor: run every check, keep every
//! result).

use serde::Serialize;
use std::fmt;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The property holds.
    Pass,
    /// Could not be evaluated because an expectation or a trust input was not given.
    Skip,
    /// Holds only under an assumption the user should know about (e.g. an unpinned key).
    Warn,
    /// The property does not hold. Never downgraded.
    Fail,
}

impl Status {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ACME problem type (RFC 8555 §6.7) a server answers with when a check fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AcmeProblem {
    /// The request was syntactically wrong: not a token, not JSON, bad base64.
    Malformed,
    /// The client is not authorised: bad signature, wrong key, wrong binding, expired.
    Unauthorized,
    /// The nonce was not issued by the server, or already used.
    BadNonce,
    /// The identity presented is not the one the order asked for.
    RejectedIdentifier,
    /// The signature algorithm is not one the server accepts.
    BadSignatureAlgorithm,
    /// A certificate signing request was unacceptable.
    BadCsr,
}

impl AcmeProblem {
    /// The full `type` URN of the problem document.
    pub fn urn(self) -> &'static str {
        match self {
            AcmeProblem::Malformed => "urn:ietf:params:acme:error:malformed",
            AcmeProblem::Unauthorized => "urn:ietf:params:acme:error:unauthorized",
            AcmeProblem::BadNonce => "urn:ietf:params:acme:error:badNonce",
            AcmeProblem::RejectedIdentifier => "urn:ietf:params:acme:error:rejectedIdentifier",
            AcmeProblem::BadSignatureAlgorithm => {
                "urn:ietf:params:acme:error:badSignatureAlgorithm"
            }
            AcmeProblem::BadCsr => "urn:ietf:params:acme:error:badCSR",
        }
    }
}

/// What every module's error type offers: a catalogue id, a problem type, evidence.
pub trait Failure: std::error::Error {
    /// The stable catalogue id of the check that failed (e.g. `dpop.htu`).
    fn check_id(&self) -> &'static str;
    /// The ACME problem type a server answers with.
    fn problem(&self) -> AcmeProblem;
    /// What the check expected, when there is a single value to show.
    fn expected(&self) -> Option<String> {
        None
    }
    /// What the check found, when there is a single value to show.
    fn found(&self) -> Option<String> {
        None
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable dotted id from the catalogue.
    pub id: &'static str,
    /// Outcome.
    pub status: Status,
    /// A sentence for a person.
    pub message: String,
    /// The expected value, when one value tells the story.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The value found, when one value tells the story.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

impl Check {
    /// A check with no evidence attached.
    pub fn new(id: &'static str, status: Status, message: impl Into<String>) -> Self {
        Check {
            id,
            status,
            message: message.into(),
            expected: None,
            found: None,
        }
    }

    /// The failed check that `failure` describes.
    pub fn from_failure<F: Failure + ?Sized>(failure: &F) -> Self {
        Check {
            id: failure.check_id(),
            status: Status::Fail,
            message: failure.to_string(),
            expected: failure.expected(),
            found: failure.found(),
        }
    }
}

/// A message from its pieces, in one allocation: `format!` costs several
/// times as much, and an audit writes a hundred messages.
pub fn concat(pieces: &[&str]) -> String {
    let mut message = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        message.push_str(piece);
    }
    message
}

/// `text` quoted and escaped as `format!("{text:?}")` writes it, without the
/// formatting machinery when nothing needs escaping: printable ASCII other
/// than `"` and `\`, as nonces, challenge tokens and identifiers are.
pub fn quoted(text: &str) -> String {
    let plain = text
        .bytes()
        .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\');
    if plain {
        concat(&["\"", text, "\""])
    } else {
        format!("{text:?}")
    }
}

/// Where verification code sends the outcome of each check.
///
/// Messages for passing, skipped and warned checks are closures so that the
/// fail-fast mode never formats a string it will throw away.
pub trait Sink<E> {
    /// The check `id` holds.
    fn pass(&mut self, id: &'static str, message: impl FnOnce() -> String);
    /// The check `id` was not evaluated.
    fn skip(&mut self, id: &'static str, message: impl FnOnce() -> String);
    /// The check `id` holds only under the stated assumption.
    fn warn(&mut self, id: &'static str, message: impl FnOnce() -> String);
    /// A check failed. `Err` stops verification (fail-fast); `Ok` carries on (audit).
    fn fail(&mut self, error: E) -> Result<(), E>;
    /// Records `result`: a pass with `message`, or the failure.
    fn outcome(
        &mut self,
        id: &'static str,
        result: Result<(), E>,
        message: impl FnOnce() -> String,
    ) -> Result<(), E> {
        match result {
            Ok(()) => {
                self.pass(id, message);
                Ok(())
            }
            Err(e) => self.fail(e),
        }
    }
}

/// The server's sink: the first failure ends verification, nothing is recorded.
#[derive(Debug, Default, Clone, Copy)]
pub struct FailFast;

impl<E> Sink<E> for FailFast {
    fn pass(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn skip(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn warn(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn fail(&mut self, error: E) -> Result<(), E> {
        Err(error)
    }
}

/// The auditor's sink: every check, in the order it ran.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// An empty report, with room for the checks of one artefact (a token
    /// has a dozen): growing it from nothing moves every check several times.
    pub fn new() -> Self {
        Report {
            checks: Vec::with_capacity(16),
        }
    }

    /// Appends a check.
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// Ends an audit run. In audit mode a failed check goes to the sink and the
    /// run goes on, so an `Err` here is a structural failure (unreadable input,
    /// unusable algorithm or key) that stopped the run before any sink saw it:
    /// it is recorded, or the audit would end with its one failure unreported.
    pub fn settle<T, E: Failure>(&mut self, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                let check = Check::from_failure(&e);
                if !self.checks.contains(&check) {
                    self.push(check);
                }
                None
            }
        }
    }

    /// Whether any check failed.
    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Fail)
    }

    /// The first check with this id, if it ran.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The worst status in the report (`Pass` when empty).
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass)
    }
}

impl<E: Failure> Sink<E> for Report {
    fn pass(&mut self, id: &'static str, message: impl FnOnce() -> String) {
        self.push(Check::new(id, Status::Pass, message()));
    }
    fn skip(&mut self, id: &'static str, message: impl FnOnce() -> String) {
        self.push(Check::new(id, Status::Skip, message()));
    }
    fn warn(&mut self, id: &'static str, message: impl FnOnce() -> String) {
        self.push(Check::new(id, Status::Warn, message()));
    }
    fn fail(&mut self, error: E) -> Result<(), E> {
        self.push(Check::from_failure(&error));
        Ok(())
    }
}

/// A sink that keeps only the failed checks: for a caller that needs the
/// verdict and the failures' messages but not the passing checks (the
/// embedded proof of an access token whose standalone copy was already
/// audited), so that no message is written only to be dropped.
#[derive(Debug, Default)]
pub(crate) struct FailuresOnly(pub(crate) Report);

impl<E: Failure> Sink<E> for FailuresOnly {
    fn pass(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn skip(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn warn(&mut self, _: &'static str, _: impl FnOnce() -> String) {}
    fn fail(&mut self, error: E) -> Result<(), E> {
        self.0.fail(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `quoted` writes what `{:?}` writes, whatever the text: every ASCII
    /// byte, escapes, controls, unicode that Debug escapes and that it keeps.
    #[test]
    fn quoted_is_debug() {
        let mut texts: Vec<String> = (0u8..=127)
            .map(|b| format!("a{}b", char::from(b)))
            .collect();
        texts.extend(
            [
                "",
                "plain-nonce_123~",
                "it's",
                "é",
                "✅",
                "e\u{301}",
                "\u{200b}",
                "\u{7f}",
                "\u{a0}",
                "tab\there",
                "wireapp://%40alice_wire@wire.com",
            ]
            .map(str::to_owned),
        );
        for t in &texts {
            assert_eq!(quoted(t), format!("{t:?}"), "{t:?}");
        }
        assert_eq!(concat(&["a", "", "bc"]), "abc");
        assert_eq!(concat(&[]), "");
    }
}
