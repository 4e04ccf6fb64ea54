//! `transcript.consistency`: the ACME server's answers against what the
//! client then did. The directory names where to create nonces, accounts and
//! orders; an order lists its authorizations and says until when it (and each
//! authorization) may be used. A client that posts elsewhere, fetches another
//! authorization or finalizes after the order expired follows answers other
//! than the ones shown: the capture splices two exchanges, or was edited.

use super::reconstruct::{path_ends_with, At, Expiring, Flow};
use super::report::FlowCheck;
use super::segments::Segments;
use crate::render::rfc3339;
use chrono::DateTime;
use e2ei_verify::report::{Check, Status};
use e2ei_verify::time::{numeric_date_of, TimePolicy, UnixTime};
use e2ei_verify::url;
use serde_json::Value;

const ID: &str = "transcript.consistency";

/// Every rule of this module, failures only: like the other cross-step
/// rules of `transcript.consistency` (`order_followed`, `refused`), an
/// answer the client followed adds no pass line of its own. The tokens'
/// claims are read through `segments`, shared with the checks that read
/// them again.
pub fn checks(flow: &Flow<'_>, segments: &mut Segments, out: &mut Vec<FlowCheck>) {
    directory_followed(flow, out);
    authorizations_listed(flow, out);
    unexpired(flow, segments, out);
    ready_when_finalized(flow, out);
    known_identifier_types(flow, out);
}

fn shown_step(step: Option<u32>) -> String {
    step.map_or_else(|| "?".into(), |s| s.to_string())
}

fn fail(message: String, expected: String, found: String, step: Option<u32>) -> FlowCheck {
    let mut c = Check::new(ID, Status::Fail, message);
    c.expected = Some(expected);
    c.found = Some(found);
    FlowCheck::at(c, step)
}

/// The new-nonce, new-account and new-order requests go to the URLs the
/// directory the enrolment fetched names (RFC 8555 §7.1.1): a client that
/// posts its order elsewhere did not use the directory shown, so the capture
/// pairs one server's directory with another's exchange. A directory that
/// names no URL for a resource the client then uses fails too.
fn directory_followed(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let Some(directory) = &flow.directory else {
        return;
    };
    for r in &flow.directory_requests {
        let (member, sent) = r.value;
        let named = directory.value.get(member).and_then(|v| v.as_str());
        if named.is_some_and(|n| n == sent || url::same(n, sent)) {
            continue;
        }
        let named = named.map_or_else(|| format!("no {member} URL"), |n| format!("{member} {n}"));
        out.push(fail(
            format!(
                "the {member} request at step {} goes to {sent}; the directory answered at step {} names {named}",
                shown_step(r.step),
                shown_step(directory.step)
            ),
            format!("{named} (directory, step {})", shown_step(directory.step)),
            format!("{sent} (request)"),
            r.step,
        ));
    }
}

/// Every authorization the client fetches is one the order lists, and every
/// later answer describing the order lists the authorizations the first one
/// listed (RFC 8555 §7.1.3: an order's authorizations are fixed when it is
/// created). An authorization the order does not list validates nothing for
/// it: challenges answered there cannot make this order ready.
fn authorizations_listed(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let mut lists = flow
        .order_answers
        .iter()
        .filter_map(|a| Some((a.value.authorizations.as_ref()?, a.step)));
    let Some((first, first_step)) = lists.next() else {
        return;
    };
    let listed = |list: &[String], u: &str| list.iter().any(|l| l == u || url::same(l, u));
    let shown = |list: &[String]| format!("[{}]", list.join(", "));
    for fetch in &flow.authz_fetches {
        if listed(first, fetch.value) {
            continue;
        }
        out.push(fail(
            format!(
                "the order answered at step {} lists authorizations {}; the client fetched {} at step {}",
                shown_step(first_step),
                shown(first),
                fetch.value,
                shown_step(fetch.step)
            ),
            format!("{} (order, step {})", shown(first), shown_step(first_step)),
            format!("{} (fetched)", fetch.value),
            fetch.step,
        ));
    }
    for (list, step) in lists {
        let same = list.len() == first.len() && list.iter().all(|u| listed(first, u));
        if same {
            continue;
        }
        out.push(fail(
            format!(
                "the order's answer at step {} lists authorizations {}; its answer at step {} listed {}",
                shown_step(step),
                shown(list),
                shown_step(first_step),
                shown(first)
            ),
            format!("{} (step {})", shown(first), shown_step(first_step)),
            format!("{} (step {})", shown(list), shown_step(step)),
            step,
        ));
    }
}

/// The identifier types an ACME server of a Wire enrolment knows: `dns`
/// (RFC 8555 §9.7.7) and Wire's (2023: `wireapp-id`; 2024 on:
/// `wireapp-device`, `wireapp-user`).
const KNOWN_IDENTIFIER_TYPES: [&str; 4] = ["dns", "wireapp-id", "wireapp-device", "wireapp-user"];

/// Every identifier the new-order request names is of a known type, spelled
/// as registered: identifier types are registry values compared exactly, and
/// step-ca refuses another (`unsupportedIdentifier`). A capture showing such
/// an order accepted contradicts itself, and its identities name nothing the
/// CSR and the leaf can be held to.
fn known_identifier_types(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let step = flow
        .acme
        .iter()
        .find(|r| path_ends_with(r.url, "new-order"))
        .and_then(|r| r.step);
    for id in &flow.identifiers {
        let kind = id.get("type");
        if kind
            .and_then(Value::as_str)
            .is_some_and(|k| KNOWN_IDENTIFIER_TYPES.contains(&k))
        {
            continue;
        }
        let found = kind.map_or_else(|| "(absent)".to_owned(), Value::to_string);
        out.push(fail(
            format!(
                "the new-order request names an identifier of type {found}, which an ACME server refuses (unsupportedIdentifier): identifier types are compared exactly"
            ),
            KNOWN_IDENTIFIER_TYPES.join(", "),
            found,
            step,
        ));
    }
}

/// The order is `ready` when the client finalizes it: a poll after the last
/// challenge was answered must not say `pending` (RFC 8555 §7.4: the server
/// refuses to finalize an order that is not ready, `orderNotReady`). A
/// capture showing such a finalize accepted contradicts itself, or left out
/// the poll that saw the order ready. The new-order answer is `pending`, and
/// a client may finalize without polling again: only an answer given after
/// the challenges counts.
fn ready_when_finalized(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let Some(finalize) = &flow.finalize else {
        return;
    };
    let Some(challenged) = flow.challenge_posts.iter().filter_map(|c| c.step).max() else {
        return;
    };
    let before = flow
        .order_answers
        .get(..flow.order_answers_before_finalize)
        .unwrap_or_default();
    let Some(last) = before.iter().rev().find(|a| a.value.status.is_some()) else {
        return;
    };
    let polled = last.step.is_some_and(|s| s > challenged);
    if polled && last.value.status.as_deref() == Some("pending") {
        out.push(fail(
            format!(
                "the order was last answered pending (step {}) when the client finalized it: a server refuses to finalize an order that is not ready (RFC 8555 §7.4)",
                shown_step(last.step)
            ),
            "ready".into(),
            "pending".into(),
            finalize.step,
        ));
    }
}

/// When the flow was at least, as the finalize request knows it: the latest
/// `iat` of the tokens shown before that request (each issued before the
/// order was finalized) and the notBefore of the certificate it issued (the
/// CA's own clock, the one that set `expires`; step-ca backdates it, which
/// only dates the request earlier), with what says so.
fn finalized_after(
    flow: &Flow<'_>,
    before: usize,
    segments: &mut Segments,
) -> Option<(UnixTime, String)> {
    let tokens = flow.tokens.get(..before).unwrap_or_default();
    let token = tokens
        .iter()
        .filter_map(|t| {
            let iat = segments
                .claims(&t.value.compact)?
                .get("iat")
                .and_then(numeric_date_of)?;
            Some((iat, t.step))
        })
        .max_by_key(|(iat, _)| *iat)
        .map(|(iat, step)| {
            let what = format!("the iat of the token shown at step {}", shown_step(step));
            (iat, what)
        });
    let leaf = flow.downloaded_chain().first().and_then(|c| {
        let summary = e2ei_verify::x509::summary(&c.value.der).ok()?;
        let at = u64::try_from(summary.not_before).ok()?;
        let what = format!(
            "the notBefore of the certificate downloaded at step {}",
            shown_step(c.step)
        );
        Some((at, what))
    });
    token.into_iter().chain(leaf).max_by_key(|(at, _)| *at)
}

/// An order or authorization answered before the finalize request has not
/// expired when the flow finalizes it (RFC 8555 §7.1.3, §7.1.4: past
/// `expires` the server considers it invalid, and an order whose
/// authorizations expired cannot be ready). The finalize request is dated by
/// the flow's own clocks ([`finalized_after`]), never by `--at`, with the
/// tokens' clock skew allowed. An `expires` that is not an RFC 3339 time
/// bounds nothing the flow can be held to: it fails.
fn unexpired(flow: &Flow<'_>, segments: &mut Segments, out: &mut Vec<FlowCheck>) {
    let Some(finalize) = &flow.finalize else {
        return;
    };
    // No answer gave an expiry: nothing to date the request for.
    if flow.expiring.is_empty() {
        return;
    }
    let dated = finalized_after(flow, finalize.value, segments);
    for e in &flow.expiring {
        let what = e.value.what;
        let expires = &e.value.expires;
        let Some(limit) = read_time(expires) else {
            out.push(fail(
                format!(
                    "the {what} answered at step {} expires {expires:?}, which is not an RFC 3339 time: the flow finalizes it at step {} with no time it is valid until",
                    shown_step(e.step),
                    shown_step(finalize.step)
                ),
                "an RFC 3339 time".into(),
                format!("{expires:?}"),
                e.step,
            ));
            continue;
        };
        let Some((at, what_dates)) = &dated else {
            continue;
        };
        if *at <= limit.saturating_add(TimePolicy::TOKEN.max_skew) {
            continue;
        }
        out.push(expired(e, finalize, *at, what_dates));
    }
}

/// The failure of an order or authorization used after it expired.
fn expired(e: &At<Expiring>, finalize: &At<usize>, at: UnixTime, what_dates: &str) -> FlowCheck {
    let what = e.value.what;
    let expires = &e.value.expires;
    let why = match what {
        "order" => "an expired order cannot be finalized (RFC 8555 §7.1.3)",
        _ => "an order whose authorization expired is not ready to be finalized (RFC 8555 §7.1.4)",
    };
    fail(
        format!(
            "the {what} answered at step {} expires {expires}, yet the flow finalizes it at step {} after {} ({what_dates}): {why}",
            shown_step(e.step),
            shown_step(finalize.step),
            rfc3339(at)
        ),
        format!("finalized by {expires} (the {what}'s expires)"),
        format!("finalized after {} ({what_dates})", rfc3339(at)),
        finalize.step,
    )
}

/// An RFC 3339 time as seconds since the epoch (before 1970: 0).
fn read_time(s: &str) -> Option<UnixTime> {
    let t = DateTime::parse_from_rfc3339(s).ok()?;
    Some(u64::try_from(t.timestamp()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::super::{reconstruct, Trust};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use e2ei_verify::report::Status;

    const ACME: &str = "https://acme.test/acme/wire";
    /// The body of every ACME request (its signature is not judged here).
    const JWS: &str = r#"{"protected": "e30", "payload": "", "signature": "c2ln"}"#;

    /// When the flow's token was issued: 2026-01-15T10:00:00Z.
    const ISSUED: u64 = 1_768_471_200;

    /// A token wire-server answers, issued at `iat`.
    fn token(iat: u64) -> String {
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let claims = format!(r#"{{"iat":{iat},"exp":{},"sub":"x"}}"#, iat + 3600);
        format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"ES256","typ":"at+jwt"}"#),
            b64(&claims)
        )
    }

    /// A leaf step-ca issued (2026-01-15 real capture), notBefore
    /// 2026-01-15T08:40:54Z, as the JSON string of a chain download.
    const LEAF: &str = "\"-----BEGIN CERTIFICATE-----\\nMIICHDCCAcOgAwIBAgIRAPIesoTXnQGRPVyRsZWIzGswCgYIKoZIzj0EAwIwHzEd\\nMBsGA1UEAxMUV2lyZSBJbnRlcm1lZGlhdGUgQ0EwHhcNMjYwMTE1MDg0MDU0WhcN\\nMzYwMTEzMDg0MDU0WjAvMRcwFQYDVQQKEw53aXJlLmxvY2FsaG9zdDEUMBIGA1UE\\nAxMLQWxpY2UgU21pdGgwKjAFBgMrZXADIQAXQc04A7A/5OdJTOEtHFiwBAkdfJqA\\nZYEIBO+7vXzGXqOB/jCB+zAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYB\\nBQUHAwIwHQYDVR0OBBYEFGHurpfDszMg9Cy412JAXeMX+iT8MB8GA1UdIwQYMBaA\\nFPbZ+sSFMCmqS7YaKKqNirlfeI+aMHUGA1UdEQRuMGyGJndpcmVhcHA6Ly8lNDBh\\nbGljZV93aXJlQHdpcmUubG9jYWxob3N0hkJ3aXJlYXBwOi8vV3FFcWM5ZElSb0to\\nM1Z5VUo4azZRQSUyMTllNGVmN2U3MmVjOWU1YjlAd2lyZS5sb2NhbGhvc3QwHQYM\\nKwYBBAGCpGTGKEABBA0wCwIBBgQEd2lyZQQAMAoGCCqGSM49BAMCA0cAMEQCIH3c\\n3ofWleDETStaZ+lDWeZk9Zy5jHiFJeOgTgv6MiNYAiAW1y3cHN1PYZyUQv4ETgJ3\\nlPNUYb6B2GOkal3lpplqGQ==\\n-----END CERTIFICATE-----\\n\"";

    /// One enrolment that follows its answers: directory, nonce, new-order,
    /// authorization, access token, challenge, finalize, the order valid.
    fn capture() -> String {
        let step = |n: u32, title: &str, http: &str, json: &str| {
            let json = match json {
                "" => String::new(),
                j => format!("```json\n{j}\n```\n"),
            };
            format!("#### {n}. {title}\n```http request\n{http}\n```\n{json}")
        };
        let expires = "\"expires\": \"2026-01-16T00:00:00Z\"";
        [
            "# capture\nP256 - SHA256\n".to_owned(),
            step(1, "directory", &format!("GET {ACME}/directory"), ""),
            step(
                2,
                "directory answer",
                "200",
                &format!(
                    r#"{{"newNonce": "{ACME}/new-nonce", "newAccount": "{ACME}/new-account", "newOrder": "{ACME}/new-order"}}"#
                ),
            ),
            step(3, "nonce", &format!("HEAD {ACME}/new-nonce"), ""),
            step(4, "new order", &format!("POST {ACME}/new-order"), JWS),
            step(
                5,
                "order",
                &format!("201\nlocation: {ACME}/order/o1"),
                &format!(
                    r#"{{"status": "pending", {expires}, "finalize": "{ACME}/order/o1/finalize", "authorizations": ["{ACME}/authz/a1"]}}"#
                ),
            ),
            step(6, "authorization", &format!("POST {ACME}/authz/a1"), JWS),
            step(
                7,
                "challenges",
                "200",
                &format!(
                    r#"{{"status": "pending", {expires}, "challenges": [{{"type": "wire-dpop-01", "url": "{ACME}/challenge/a1/c1", "token": "t1"}}]}}"#
                ),
            ),
            step(
                8,
                "access token",
                "POST https://wire.test/clients/1/access-token",
                "",
            ),
            step(9, "token", "200", &format!(r#"{{"token": "{}"}}"#, token(ISSUED))),
            step(10, "challenge", &format!("POST {ACME}/challenge/a1/c1"), JWS),
            step(
                11,
                "challenge valid",
                "200",
                &format!(
                    r#"{{"type": "wire-dpop-01", "url": "{ACME}/challenge/a1/c1", "status": "valid", "token": "t1"}}"#
                ),
            ),
            step(12, "finalize", &format!("POST {ACME}/order/o1/finalize"), JWS),
            step(
                13,
                "order valid",
                "200",
                &format!(
                    r#"{{"status": "valid", {expires}, "finalize": "{ACME}/order/o1/finalize", "certificate": "{ACME}/certificate/c1", "authorizations": ["{ACME}/authz/a1"]}}"#
                ),
            ),
        ]
        .concat()
    }

    /// `capture()` with the first `from` after the heading of step `n`
    /// replaced.
    fn edited(n: u32, from: &str, to: &str) -> String {
        let text = capture();
        let at = text.find(&format!("#### {n}. ")).expect("the step");
        let (head, tail) = text.split_at(at);
        assert!(tail.contains(from), "{from} in step {n}");
        format!("{head}{}", tail.replacen(from, to, 1))
    }

    /// The `transcript.consistency` failures of the capture's flow.
    fn failures(text: &str) -> Vec<String> {
        let transcript = crate::transcript::parse(text).expect("a capture");
        let mut flows = reconstruct::enrolments(&transcript.sections[0]);
        let checks = super::super::checks::run(&mut flows[0], ISSUED, &Trust::default());
        checks
            .iter()
            .filter(|c| c.id == super::ID && c.status == Status::Fail)
            .map(|c| c.message.clone())
            .collect()
    }

    /// The one failure of an edit, which must say each of `says`.
    fn fails_once(text: &str, says: &[&str]) {
        let failures = failures(text);
        assert_eq!(failures.len(), 1, "{failures:#?}");
        for s in says {
            assert!(failures[0].contains(s), "{s:?} in {:?}", failures[0]);
        }
    }

    #[test]
    fn a_flow_that_follows_its_answers_passes() {
        assert_eq!(failures(&capture()), Vec::<String>::new());
        let text = capture();
        let transcript = crate::transcript::parse(&text).expect("a capture");
        let flow = &reconstruct::enrolments(&transcript.sections[0])[0];
        // Each rule had something to judge.
        assert!(flow.directory.is_some());
        assert_eq!(flow.directory_requests.len(), 2);
        assert_eq!(flow.authz_fetches.len(), 1);
        assert_eq!(
            flow.expiring.len(),
            2,
            "the order's and the authorization's"
        );
        assert_eq!(flow.finalize.as_ref().map(|f| f.step), Some(Some(12)));
    }

    /// `capture()` with the order polled after the challenge (step 11),
    /// answered `status`.
    fn polled(status: &str) -> String {
        let poll = format!(
            "```http request\nPOST {ACME}/order/o1\n```\n```json\n{JWS}\n```\n```http request\n200\n```\n```json\n{{\"status\": \"{status}\", \"finalize\": \"{ACME}/order/o1/finalize\", \"authorizations\": [\"{ACME}/authz/a1\"]}}\n```\n"
        );
        capture().replacen("#### 12. ", &format!("{poll}#### 12. "), 1)
    }

    #[test]
    fn a_finalize_after_the_order_was_polled_pending_fails() {
        assert_eq!(failures(&polled("ready")), Vec::<String>::new());
        fails_once(
            &polled("pending"),
            &["the order was last answered pending (step 11)", "§7.4"],
        );
    }

    #[test]
    fn a_request_elsewhere_than_the_directory_names_fails() {
        fails_once(
            &edited(2, "/new-order\"", "/new-order-x\""),
            &[
                "the newOrder request at step 4 goes to https://acme.test/acme/wire/new-order;",
                "the directory answered at step 2 names newOrder https://acme.test/acme/wire/new-order-x",
            ],
        );
        fails_once(
            &edited(2, "/new-nonce\"", "/other-nonce\""),
            &[
                "the newNonce request at step 3",
                "newNonce https://acme.test/acme/wire/other-nonce",
            ],
        );
        let without = edited(
            2,
            &format!(r#""newOrder": "{ACME}/new-order""#),
            r#""x": 1"#,
        );
        fails_once(&without, &["names no newOrder URL"]);
    }

    #[test]
    fn an_authorization_the_order_does_not_list_fails() {
        // The new-order answer edited: the later answer disagrees with it too.
        let failures = failures(&edited(5, "/authz/a1", "/authz/a2"));
        assert_eq!(
            failures,
            [
                "the order answered at step 5 lists authorizations [https://acme.test/acme/wire/authz/a2]; the client fetched https://acme.test/acme/wire/authz/a1 at step 6",
                "the order's answer at step 13 lists authorizations [https://acme.test/acme/wire/authz/a1]; its answer at step 5 listed [https://acme.test/acme/wire/authz/a2]",
            ]
        );
        fails_once(
            &edited(13, "/authz/a1", "/authz/a2"),
            &[
                "the order's answer at step 13 lists authorizations [https://acme.test/acme/wire/authz/a2]",
                "its answer at step 5 listed [https://acme.test/acme/wire/authz/a1]",
            ],
        );
    }

    #[test]
    fn an_order_or_authorization_finalized_after_it_expires_fails() {
        let expires = "2026-01-16T00:00:00Z";
        fails_once(
            &edited(5, expires, "2020-01-01T00:00:00Z"),
            &[
                "the order answered at step 5 expires 2020-01-01T00:00:00Z",
                "finalizes it at step 12 after 2026-01-15T10:00:00Z",
                "the iat of the token shown at step 9",
            ],
        );
        fails_once(
            &edited(7, expires, "2026-01-15T09:00:00Z"),
            &["the authorization answered at step 7 expires 2026-01-15T09:00:00Z"],
        );
        fails_once(
            &edited(5, expires, "tomorrow"),
            &["expires \"tomorrow\", which is not an RFC 3339 time"],
        );
        fails_once(
            &edited(5, &format!("\"{expires}\""), "1768471200"),
            &["expires \"1768471200\", which is not an RFC 3339 time"],
        );
        // A finalize request shown without its body is a use all the same.
        let bodiless = edited(5, expires, "2020-01-01T00:00:00Z").replacen(
            &format!("{ACME}/order/o1/finalize\n```\n```json\n{JWS}\n```"),
            &format!("{ACME}/order/o1/finalize\n```"),
            1,
        );
        assert!(!bodiless.contains("finalize\n```\n```json"));
        fails_once(&bodiless, &["finalizes it at step 12"]);
        // Within the tokens' clock skew, and an answer after finalize: no use
        // after expiry is shown.
        assert_eq!(
            failures(&edited(5, expires, "2026-01-15T09:59:30Z")),
            Vec::<String>::new()
        );
        assert_eq!(
            failures(&edited(13, expires, "2020-01-01T00:00:00Z")),
            Vec::<String>::new()
        );
    }

    /// The certificate the flow downloads dates the finalize request when it
    /// is later than every token shown before it.
    #[test]
    fn the_downloaded_leaf_dates_the_finalize_request() {
        let download = format!(
            "#### 14. fetch the certificate\n```http request\nPOST {ACME}/certificate/c1\n```\n```json\n{JWS}\n```\n#### 15. the chain\n```http request\n200\n```\n```json\n{LEAF}\n```\n"
        );
        let text = edited(5, "2026-01-16T00:00:00Z", "2026-01-15T08:00:00Z")
            .replace(&token(ISSUED), &token(1_577_836_800))
            + &download;
        fails_once(
            &text,
            &[
                "the order answered at step 5 expires 2026-01-15T08:00:00Z",
                "after 2026-01-15T08:40:54Z (the notBefore of the certificate downloaded at step 15)",
            ],
        );
        let leaf_only = text.replace("2026-01-15T08:00:00Z", "2026-01-15T08:40:00Z");
        assert_eq!(
            failures(&leaf_only),
            Vec::<String>::new(),
            "within the skew"
        );
    }

    #[test]
    fn a_challenge_answered_with_another_type_fails() {
        fails_once(
            &edited(11, "wire-dpop-01", "wire-oidc-01"),
            &[
                "the ACME server's answer at step 11 describes the challenge at https://acme.test/acme/wire/challenge/a1/c1 as a wire-oidc-01 challenge",
                "the authorization offered a wire-dpop-01 challenge at that URL",
            ],
        );
    }
}
