//! When a flow was captured, derived from the flow itself.
//!
//! Every artefact is years expired, so judging a capture "now" says nothing
//! useful; judging it at the moment it was recorded says whether each step was
//! acceptable then. The capture records no clock of its own, so the time is
//! derived: the latest of the flow's token `iat`s and the downloaded leaf's
//! notBefore. A flow is captured after its last token was signed and after its
//! certificate was issued (in 2026-01 the leaf is issued after the DPoP proof
//! and the access token), so neither alone is late enough: a leaf judged before
//! its notBefore would be "not yet valid" for no fault of its own.

use super::reconstruct::Flow;
use crate::transcript::header_and_payload;
use crate::transcript::members::object_values;
use e2ei_verify::jose::b64_decode;
use e2ei_verify::time::{numeric_date_of, UnixTime};

/// A verification time and how it was obtained (shown in the report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureTime {
    pub at: UnixTime,
    pub source: String,
}

/// The capture time of `flow`, if any token or certificate dates it.
pub fn derive(flow: &Flow<'_>) -> Option<CaptureTime> {
    let leaf = flow.downloaded_chain().first().and_then(|c| {
        let summary = e2ei_verify::x509::summary(&c.value.der).ok()?;
        let not_before = u64::try_from(summary.not_before).ok()?;
        let not_after = u64::try_from(summary.not_after).ok();
        Some((not_before, not_after, c.step))
    });
    let dated = token_dates(flow);
    // A token dated after the leaf expired (its times in milliseconds, an
    // `iat` of 2^64 - 1) does not date the flow when others do: the leaf was
    // issued on challenges the tokens passed, so that token is the odd one
    // out, and judged at the others' time it fails its own time check.
    let in_time: Vec<&Dated> = dated
        .iter()
        .filter(|d| {
            leaf.and_then(|(_, after, _)| after)
                .is_none_or(|after| d.iat <= after)
        })
        .collect();
    let tokens: Vec<&Dated> = if in_time.is_empty() {
        dated.iter().collect()
    } else {
        in_time
    };
    // The challenges were validated with the access token and the id token:
    // a leaf issued after both had expired is the odd one out (the proof,
    // which lives longer, does not count), else after every token had.
    let needed = tokens
        .iter()
        .filter(|d| d.needed)
        .filter_map(|d| d.exp)
        .max();
    let latest_exp = needed.or_else(|| tokens.iter().filter_map(|d| d.exp).max());
    let expired = match needed {
        Some(_) => "the tokens the challenges used had expired",
        None => "every token had expired",
    };
    let token = tokens.iter().max_by_key(|d| d.iat).map(|d| CaptureTime {
        at: d.iat,
        source: format!("latest iat of the flow's tokens{}", shown(d.step)),
    });
    let leaf = leaf.map(|(at, _, step)| CaptureTime {
        at,
        source: format!("notBefore of the downloaded leaf{}", shown(step)),
    });
    match (token, leaf) {
        // A leaf issued after every token of the flow had expired does not
        // date the flow: the capture contradicts itself, and the leaf is the
        // odd one out (judged at the tokens' time, it is not yet valid).
        (Some(t), Some(l)) if l.at > t.at && latest_exp.is_some_and(|e| l.at > e) => {
            Some(CaptureTime {
                source: format!(
                    "{}; not the leaf's notBefore, {} s after {expired}",
                    t.source,
                    l.at - latest_exp.unwrap_or(l.at)
                ),
                ..t
            })
        }
        (Some(t), Some(l)) if l.at > t.at => Some(CaptureTime {
            source: format!("{}, later than the latest token iat", l.source),
            ..l
        }),
        (Some(t), _) => Some(t),
        (None, l) => l,
    }
}

/// A token occurrence's `iat` and `exp`, with its step.
struct Dated {
    iat: UnixTime,
    exp: Option<UnixTime>,
    step: Option<u32>,
    /// The access token or the id token: what the challenges were validated with.
    needed: bool,
}

/// Every token occurrence of `flow` that has an `iat`, in order.
fn token_dates(flow: &Flow<'_>) -> Vec<Dated> {
    // A token is shown several times (link, `Raw:` block, JSON field …): each
    // distinct one is decoded once, every occurrence keeps its step. The reader
    // shares one text among a token's occurrences, so the text's address is the
    // key (never dereferenced): no hashing of a kilobyte per occurrence, and
    // for a flow's dozen tokens a list searched by key, no hashing at all. Two
    // copies of one token at different addresses are decoded twice, alike.
    let mut seen: Vec<(*const str, Dates)> = Vec::new();
    flow.tokens
        .iter()
        .filter_map(|t| {
            let compact = &*t.value.compact;
            let key: *const str = compact;
            let known = seen.iter().find(|(k, _)| std::ptr::eq(*k, key));
            let (iat, exp) = match known {
                Some((_, dates)) => *dates,
                None => {
                    let read = times(compact);
                    seen.push((key, read));
                    read
                }
            }?;
            let needed = [&flow.access_token, &flow.id_token]
                .into_iter()
                .flatten()
                .any(|n| n.value == compact);
            Some(Dated {
                iat,
                exp,
                step: t.step,
                needed,
            })
        })
        .collect()
}

fn shown(step: Option<u32>) -> String {
    step.map(|s| format!(" (step {s})")).unwrap_or_default()
}

/// A token's `iat` and `exp`, when it has an `iat`.
type Dates = Option<(UnixTime, Option<UnixTime>)>;

/// The `iat` and `exp` of a compact JWS, read without verifying it (only to
/// date the flow). Only those members are kept: the claims of an access token
/// embed a whole proof.
fn times(compact: &str) -> Dates {
    let payload = header_and_payload(compact).1?;
    let bytes = b64_decode(payload)?;
    let [iat, exp] = object_values(&bytes, ["iat", "exp"])?;
    Some((
        numeric_date_of(&iat?)?,
        exp.as_ref().and_then(numeric_date_of),
    ))
}

#[cfg(test)]
mod tests {
    use super::times;
    use e2ei_verify::jose::b64_encode;

    fn token(claims: &str) -> String {
        format!("e30.{}.c2ln", b64_encode(claims.as_bytes()))
    }

    /// A token dates the flow by its NumericDates however they are written
    /// (RFC 7519 §2: a fraction is allowed), as the token checks read them.
    #[test]
    fn tokens_date_the_flow_by_their_numeric_dates_in_any_spelling() {
        for (claims, dates) in [
            (
                r#"{"iat":1768462854,"exp":1768466454}"#,
                Some((1_768_462_854, Some(1_768_466_454))),
            ),
            (
                r#"{"iat":1768462854.0,"exp":1768466454.5}"#,
                Some((1_768_462_854, Some(1_768_466_454))),
            ),
            (r#"{"iat":1.768462854e9}"#, Some((1_768_462_854, None))),
            (
                r#"{"iat":1768462854,"exp":"soon"}"#,
                Some((1_768_462_854, None)),
            ),
            (r#"{"iat":"1768462854"}"#, None),
            (r#"{"iat":-5}"#, None),
            (r#"{"exp":1768466454}"#, None),
        ] {
            assert_eq!(times(&token(claims)), dates, "{claims}");
        }
    }
}
