//! Faults a generated flow can carry in the server's unsigned answers: one
//! line of an otherwise valid capture changed (nothing to re-sign), in every
//! era whose layout shows the step. Round 6 found each accepted. Fixed: an
//! authorization or account in a final state no certificate can follow
//! (finding 4), a response with an HTTP error status whose body the flow
//! then uses (finding 5), a finalize or certificate request to another URL
//! than the order's answers name and a later order answer naming other
//! identifiers (finding 7, in part), a second `dpop:` header (finding 10), a
//! JSON member given twice (finding 11).
//! Still pinned (`FIXME(finding N)`) beside an ignored test of what should
//! hold: an order answered as expired years before the flow (finding 6),
//! answers naming another authorization, `newOrder` URL or challenge type
//! (finding 7). A challenge
//! answered for another challenge's URL (finding 8) now fails
//! `transcript.consistency`, naming both URLs.

mod era_audit;

use e2ei_audit::flow::audit;
use e2ei_verify::report::Status;
use era_audit::options;
use std::collections::BTreeSet;
use vectors::eras::{Era, EraEnrolment, Fault};
use vectors::mint::Suite;

/// `text` with the first `from` after the step titled `title` replaced.
fn in_step(text: &str, title: &str, from: &str, to: &str) -> String {
    let at = text
        .lines()
        .scan(0, |pos, l| {
            let here = *pos;
            *pos += l.len() + 1;
            Some((here, l))
        })
        .find(|(_, l)| {
            l.starts_with("#### ") && l.split_once(". ").is_some_and(|(_, t)| t == title)
        })
        .map(|(at, _)| at)
        .unwrap_or_else(|| panic!("no step {title}"));
    let rel = at
        + text[at..]
            .find(from)
            .unwrap_or_else(|| panic!("{from} after {title}"));
    format!("{}{to}{}", &text[..rel], &text[rel + from.len()..])
}

/// One line of the capture changed.
type Edit = fn(&str) -> String;

/// The authorization's answer in a final state (RFC 8555 §7.1.6), then the
/// flow validates, finalizes and downloads its certificate.
fn authz_expired(t: &str) -> String {
    let pending = "  \"status\": \"pending\"\n}";
    in_step(
        t,
        "get back challenges",
        pending,
        "  \"status\": \"expired\"\n}",
    )
}

fn authz_revoked(t: &str) -> String {
    let pending = "  \"status\": \"pending\"\n}";
    in_step(
        t,
        "get back challenges",
        pending,
        "  \"status\": \"revoked\"\n}",
    )
}

fn account_deactivated(t: &str) -> String {
    let valid = "\"status\": \"valid\"";
    in_step(t, "account created", valid, "\"status\": \"deactivated\"")
}

/// wire-server answers the proof `401` with the token the flow then posts.
fn token_401(t: &str) -> String {
    let ok = "```http request\n200";
    let title = "get a Dpop access token from wire-server";
    in_step(t, title, ok, "```http request\n401")
}

/// The `wire-dpop-01` challenge answered `400` (body `valid`).
fn challenge_400(t: &str) -> String {
    let ok = "```http request\n200";
    in_step(t, "DPoP challenge is valid", ok, "```http request\n400")
}

fn order_expired(t: &str) -> String {
    let title = "get new order with authorization URLS and finalize URL";
    let status = "  \"status\": \"pending\"";
    let expired = "  \"expires\": \"2020-01-01T00:00:00Z\",\n  \"status\": \"pending\"";
    in_step(t, title, status, expired)
}

/// The new-order answer names another order's finalize URL (the flow
/// finalizes its own).
fn finalize_other(t: &str) -> String {
    let title = "get new order with authorization URLS and finalize URL";
    in_step(t, title, "/finalize\"", "x/finalize\"")
}

/// The new-order answer lists another authorization than the flow fetches.
fn authz_other(t: &str) -> String {
    let title = "get new order with authorization URLS and finalize URL";
    in_step(t, title, "/authz/", "/authz/ZZZZ")
}

/// The finalize answer names another certificate URL than the flow fetches.
fn certificate_other(t: &str) -> String {
    let title = "get back a url for fetching the certificate";
    in_step(t, title, "/certificate/", "/certificate/ZZZZ")
}

/// The order's answer before finalize lists another identifier than the
/// order.
fn ready_identifiers_other(t: &str) -> String {
    let title = "loop (with exponential backoff) until order is ready";
    in_step(t, title, "\"value\": \"", "\"value\": \"x")
}

/// The directory names another new-order URL than the flow posts to.
fn directory_other(t: &str) -> String {
    let title = "get the ACME directory with links for newNonce, newAccount & newOrder";
    in_step(t, title, "/new-order\"", "/new-order-x\"")
}

/// The `wire-dpop-01` challenge answered as a `wire-oidc-01` one.
fn dpop_answered_oidc(t: &str) -> String {
    let dpop = "\"type\": \"wire-dpop-01\"";
    in_step(
        t,
        "DPoP challenge is valid",
        dpop,
        "\"type\": \"wire-oidc-01\"",
    )
}

const EDITS: [(&str, Edit, u32); 12] = [
    ("authz-expired", authz_expired, 4),
    ("authz-revoked", authz_revoked, 4),
    ("account-deactivated", account_deactivated, 4),
    ("token-401", token_401, 5),
    ("challenge-400", challenge_400, 5),
    ("order-expired", order_expired, 6),
    ("finalize-other", finalize_other, 7),
    ("authz-other", authz_other, 7),
    ("certificate-other", certificate_other, 7),
    ("ready-identifiers-other", ready_identifiers_other, 7),
    ("directory-other", directory_other, 7),
    ("dpop-answered-oidc", dpop_answered_oidc, 7),
];

/// An era, an edit, its finding, and the ids the valid flow and the edited
/// flow fail.
struct Judged {
    era: Era,
    name: &'static str,
    finding: u32,
    base: BTreeSet<&'static str>,
    fails: BTreeSet<&'static str>,
}

/// The failing ids of the valid flow and of each edit, in the eras with an
/// OIDC challenge (whose layouts show every edited step).
fn verdicts() -> Vec<Judged> {
    let fails = |text: &str, e: &EraEnrolment| -> BTreeSet<&'static str> {
        let flows = audit(text, &options(e)).expect("a capture");
        flows[0]
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| c.id)
            .collect()
    };
    let mut out = Vec::new();
    for era in Era::ALL.into_iter().filter(|e| e.has_oidc()) {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = e.transcript(Fault::None);
        let base = fails(&valid, &e);
        for (name, edit, finding) in EDITS {
            let text = edit(&valid);
            assert_ne!(text, valid, "{era:?} {name}");
            out.push(Judged {
                era,
                name,
                finding,
                base: base.clone(),
                fails: fails(&text, &e),
            });
        }
    }
    out
}

/// The edits judged as they should be: findings 4 and 5, and of finding 7
/// the requests that go elsewhere than the order's answers name.
fn fixed(j: &Judged) -> bool {
    matches!(j.finding, 4 | 5)
        || matches!(
            j.name,
            "finalize-other" | "certificate-other" | "ready-identifiers-other"
        )
}

/// Fixed: an authorization or account answered in a final state, a result
/// answered with an HTTP error status, a finalize or certificate request to
/// another URL than the order's answers name, a later order answer naming
/// other identifiers: each fails `transcript.consistency`.
#[test]
fn refused_or_spliced_answers_fail_consistency() {
    let judged: Vec<Judged> = verdicts().into_iter().filter(fixed).collect();
    assert!(!judged.is_empty());
    for Judged {
        era, name, fails, ..
    } in judged
    {
        assert!(
            fails.contains("transcript.consistency"),
            "{era:?} {name}: {fails:?}"
        );
    }
}

/// FIXME(finding 6, 7): an expired order, an answer naming another
/// authorization, `newOrder` URL or challenge type: judged as the valid flow.
#[test]
fn contradicting_server_answers_are_accepted_today() {
    for Judged {
        era,
        name,
        base,
        fails,
        ..
    } in verdicts().into_iter().filter(|j| !fixed(j))
    {
        assert_eq!(fails, base, "{era:?} {name}");
    }
}

#[test]
#[ignore = "findings 6-7: an expired order, or answers naming another authorization, newOrder URL or challenge type, then a certificate, passes"]
fn contradicting_server_answers_fail_consistency() {
    for Judged {
        era,
        name,
        finding,
        fails,
        ..
    } in verdicts().into_iter().filter(|j| !fixed(j))
    {
        assert!(
            fails.contains("transcript.consistency"),
            "finding {finding}: {era:?} {name}: {fails:?}"
        );
    }
}

/// The URL of the challenge of `kind` the authorizations offer.
fn challenge_url(text: &str, kind: &str) -> String {
    let marker = format!("\"type\": \"{kind}\",\n      \"url\": \"");
    let at = text.find(&marker).expect(kind) + marker.len();
    text[at..].split('"').next().expect("a URL").to_owned()
}

/// The answer to the `wire-dpop-01` POST names the `wire-oidc-01`
/// challenge's URL (its token is the `wire-dpop-01` one).
fn dpop_answer_at_oidc_url() -> Vec<(Era, String, String)> {
    let mut out = Vec::new();
    for era in [Era::Y2023_11, Era::Y2024_03, Era::Y2026_01] {
        let e = EraEnrolment::new(era, Suite::P256);
        let valid = e.transcript(Fault::None);
        let (dpop, oidc) = (
            challenge_url(&valid, "wire-dpop-01"),
            challenge_url(&valid, "wire-oidc-01"),
        );
        let text = in_step(&valid, "DPoP challenge is valid", &dpop, &oidc);
        let flows = audit(&text, &options(&e)).expect("a capture");
        for c in flows[0].checks.iter().filter(|c| c.status == Status::Fail) {
            out.push((era, c.id.to_owned(), c.message.clone()));
        }
    }
    out
}

#[test]
fn a_challenge_answered_at_another_url_fails_consistency() {
    let fails = dpop_answer_at_oidc_url();
    assert!(!fails.is_empty());
    for (era, id, message) in fails {
        assert_eq!(id, "transcript.consistency", "{era:?}: {message}");
    }
}

/// The fails of the 2023-11 and 2026-01 valid flows with `edit` applied to
/// the text.
fn fails_with(edit: impl Fn(&EraEnrolment, &str) -> String) -> Vec<(Era, BTreeSet<&'static str>)> {
    [Era::Y2023_11, Era::Y2026_01]
        .into_iter()
        .map(|era| {
            let e = EraEnrolment::new(era, Suite::P256);
            let text = edit(&e, &e.transcript(Fault::None));
            let flows = audit(&text, &options(&e)).expect("a capture");
            let fails = flows[0]
                .checks
                .iter()
                .filter(|c| c.status == Status::Fail)
                .map(|c| c.id)
                .collect();
            (era, fails)
        })
        .collect()
}

/// The trade request with a second `dpop:` header, holding another proof
/// (`ProofNonce`'s), after the one shown.
fn two_dpop_headers(e: &EraEnrolment, text: &str) -> String {
    let dpop = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("dpop: "))
            .expect("a dpop header")
            .to_owned()
    };
    let (mine, other) = (dpop(text), dpop(&e.transcript(Fault::ProofNonce)));
    text.replacen(&mine, &format!("{mine}\n{other}"), 1)
}

/// The `wire-dpop-01` answer says `invalid`, then `valid`.
fn status_twice(_: &EraEnrolment, text: &str) -> String {
    let valid = "  \"status\": \"valid\",\n  \"target\"";
    assert!(text.contains(valid));
    text.replacen(valid, &format!("  \"status\": \"invalid\",\n{valid}"), 1)
}

#[test]
fn a_second_dpop_header_fails() {
    for (era, fails) in fails_with(two_dpop_headers) {
        assert!(!fails.is_empty(), "{era:?}");
    }
}

#[test]
fn a_member_given_twice_fails() {
    for (era, fails) in fails_with(status_twice) {
        assert!(fails.contains("transcript.consistency"), "{era:?}");
    }
}
