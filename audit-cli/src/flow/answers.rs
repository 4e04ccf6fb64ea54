//! `transcript.consistency`: the ACME server's answers against what the
//! client then did. The directory names where to create nonces, accounts and
//! orders; an order lists its authorizations and says until when it (and each
//! authorization) may be used. A client that posts elsewhere, fetches another
//! authorization or finalizes after the order expired follows answers other
//! than the ones shown: the capture splices two exchanges, or was edited.

use super::capture_time;
use super::reconstruct::{At, Flow};
use super::report::FlowCheck;
use crate::render::rfc3339;
use chrono::DateTime;
use e2ei_verify::report::{Check, Status};
use e2ei_verify::time::{TimePolicy, UnixTime};
use e2ei_verify::url;

const ID: &str = "transcript.consistency";

/// Every rule of this module, failures only: what agrees is counted by no
/// pass line of its own (the other `transcript.consistency` rules say none
/// either).
pub fn checks(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    directory_followed(flow, out);
    authorizations_listed(flow, out);
    unexpired(flow, out);
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

/// When the flow was at least, as the finalize request knows it: the latest
/// `iat` of the tokens shown before that request (each issued before the
/// order was finalized) and the notBefore of the certificate it issued (the
/// CA's own clock, the one that set `expires`), with what says so.
fn finalized_after(flow: &Flow<'_>, before: usize) -> Option<(UnixTime, String)> {
    let tokens = flow.tokens.get(..before).unwrap_or_default();
    let token = tokens
        .iter()
        .filter_map(|t| Some((capture_time::times(&t.value.compact)?.0, t.step)))
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
fn unexpired(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) {
    let Some(finalize) = &flow.finalize else {
        return;
    };
    let dated = finalized_after(flow, finalize.value);
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
fn expired(
    e: &At<super::reconstruct::Expiring>,
    finalize: &At<usize>,
    at: UnixTime,
    what_dates: &str,
) -> FlowCheck {
    let what = e.value.what;
    let expires = &e.value.expires;
    fail(
        format!(
            "the {what} answered at step {} expires {expires}, yet the flow finalizes it at step {} after {} ({what_dates}): an expired {what} cannot be finalized",
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
