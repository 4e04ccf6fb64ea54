//! URI name constraints (RFC 5280 §4.2.1.10), the one name form webpki does not evaluate.
//!
//! rustls-webpki 0.103 fails closed on every URI subtree (RUSTSEC-2026-0098), yet Wire
//! intermediates since 2024 carry a critical `permitted: URI:<domain>` beside
//! `DNS:localhost`, `DNS:stepca`. This module splits a `NameConstraints` value into
//! its URI subtrees, which we evaluate here, and the rest, re-encoded so that webpki
//! still enforces the DNS, IP, directory-name and unknown forms exactly as it would.
//!
//! URI semantics (RFC 5280 §4.2.1.10, URI syntax from RFC 3986 §3.2):
//! - the constraint applies to the **host** of the URI only: no userinfo, no port;
//! - a constraint starting with `.` matches any host *below* that domain, not the
//!   domain itself; otherwise the host must equal the constraint (ASCII case-insensitive);
//! - a URI without an authority, or whose host is an IP literal or dotted quad, is
//!   rejected whenever a URI constraint applies (the RFC says so);
//! - userinfo is allowed because the real Wire handle is `wireapp://%40handle@domain`
//!   (userinfo `%40handle`, host `domain`). The host is what follows the `@`. An
//!   authority with more than one `@`, or userinfo with characters RFC 3986 forbids
//!   there (`\`, a raw `@`, spaces…), is ambiguous between parsers and is rejected, so
//!   `wireapp://wire.com@evil.com` (host `evil.com`) and `wireapp://a@wire.com@evil.com`
//!   both fail against `URI:wire.com`;
//! - hosts must be plain LDH labels: percent-encoding, IDN U-labels, empty labels or a
//!   trailing dot in the host are rejected rather than normalised.

use super::der;
use super::Error;

/// Tag of `uniformResourceIdentifier [6] IA5String` in a `GeneralName`.
const URI_TAG: u8 = 0x86;
/// Tags of `permittedSubtrees [0]` and `excludedSubtrees [1]`.
const PERMITTED: u8 = 0xa0;
const EXCLUDED: u8 = 0xa1;

/// The URI subtrees of one certificate's `NameConstraints`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UriSubtrees {
    pub(crate) permitted: Vec<String>,
    pub(crate) excluded: Vec<String>,
}

impl UriSubtrees {
    pub(crate) fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }
}

/// A `NameConstraints` value split into what we evaluate and what webpki evaluates.
#[derive(Debug)]
pub(crate) struct Split {
    pub(crate) uri: UriSubtrees,
    /// Contents of the `NameConstraints` SEQUENCE without URI subtrees, as webpki's
    /// `TrustAnchor::name_constraints` expects; `None` when nothing is left.
    pub(crate) rest: Option<Vec<u8>>,
}

/// Splits the contents of a `NameConstraints` SEQUENCE.
pub(crate) fn split(contents: &[u8]) -> Result<Split, Error> {
    let malformed = || Error::Unevaluable("malformed name constraints".into());
    let mut uri = UriSubtrees::default();
    let mut rest = Vec::new();
    let mut last_tag = 0;
    for part in der::elements(contents).ok_or_else(malformed)? {
        let list = match part.tag {
            PERMITTED if last_tag < PERMITTED => &mut uri.permitted,
            EXCLUDED if last_tag < EXCLUDED => &mut uri.excluded,
            _ => return Err(malformed()),
        };
        last_tag = part.tag;
        let mut kept = Vec::new();
        for subtree in der::elements(part.value).ok_or_else(malformed)? {
            let base = match der::elements(subtree.value).as_deref() {
                Some([base, ..]) if subtree.tag == 0x30 => *base,
                _ => return Err(malformed()),
            };
            if base.tag != URI_TAG {
                kept.extend_from_slice(subtree.raw);
                continue;
            }
            if base.raw.len() != subtree.value.len() {
                // minimum/maximum are forbidden by RFC 5280; webpki would reject them too
                return Err(malformed());
            }
            let text = std::str::from_utf8(base.value)
                .ok()
                .filter(|s| s.is_ascii())
                .ok_or_else(malformed)?;
            list.push(text.to_owned());
        }
        if !kept.is_empty() {
            der::write(part.tag, &kept, &mut rest);
        }
    }
    Ok(Split {
        uri,
        rest: (!rest.is_empty()).then_some(rest),
    })
}

/// Checks one presented URI against the URI subtrees of one certificate.
pub(crate) fn check_uri(uri: &str, subtrees: &UriSubtrees) -> Result<(), Error> {
    if subtrees.is_empty() {
        return Ok(());
    }
    let violation = |reason: String| Error::UriConstraint {
        uri: uri.to_owned(),
        reason,
    };
    let host = uri_host(uri).map_err(|why| violation(why.to_owned()))?;
    for constraint in &subtrees.excluded {
        if host_matches(host, constraint).map_err(&violation)? {
            return Err(violation(format!(
                "host {host} is in excluded subtree {constraint}"
            )));
        }
    }
    if subtrees.permitted.is_empty() {
        return Ok(());
    }
    for constraint in &subtrees.permitted {
        if host_matches(host, constraint).map_err(&violation)? {
            return Ok(());
        }
    }
    Err(violation(format!(
        "host {host} is outside the permitted subtrees {:?}",
        subtrees.permitted
    )))
}

/// The host of `uri` per RFC 3986, or why we refuse to name one.
pub(crate) fn uri_host(uri: &str) -> Result<&str, &'static str> {
    let (scheme, rest) = uri.split_once(':').ok_or("URI has no scheme")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err("URI scheme is malformed");
    }
    let rest = rest
        .strip_prefix("//")
        .ok_or("URI has no authority, so no host")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).ok_or("URI authority is malformed")?;
    let host_port = match authority.split_once('@') {
        None => authority,
        Some((userinfo, host_port)) => {
            if host_port.contains('@') {
                return Err("URI authority has more than one '@'");
            }
            if !userinfo.bytes().all(is_userinfo_byte) {
                return Err("URI userinfo has characters RFC 3986 forbids");
            }
            host_port
        }
    };
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return Err("URI port is malformed"),
        None => host_port,
    };
    if host.starts_with('[') {
        return Err("URI host is an IP literal");
    }
    if !is_dns_host(host) {
        return Err("URI host is not a DNS name");
    }
    if host
        .split('.')
        .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("URI host is an IPv4 address");
    }
    Ok(host)
}

/// RFC 3986 `userinfo = *( unreserved / pct-encoded / sub-delims / ":" )`.
fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:".contains(&b)
}

/// Non-empty LDH labels separated by single dots, no trailing dot.
fn is_dns_host(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// RFC 5280 host matching; a constraint that is no DNS name cannot be evaluated.
fn host_matches(host: &str, constraint: &str) -> Result<bool, String> {
    let (domain, subdomains_only) = match constraint.strip_prefix('.') {
        Some(domain) => (domain, true),
        None => (constraint, false),
    };
    if !is_dns_host(domain) {
        return Err(format!(
            "URI constraint {constraint:?} is not a DNS name; cannot evaluate"
        ));
    }
    if !subdomains_only {
        return Ok(host.eq_ignore_ascii_case(domain));
    }
    let Some(cut) = host.len().checked_sub(domain.len() + 1) else {
        return Ok(false);
    };
    Ok(host.as_bytes().get(cut) == Some(&b'.')
        && host
            .get(cut + 1..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(domain)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn permitted(domain: &str) -> UriSubtrees {
        UriSubtrees {
            permitted: vec![domain.into()],
            excluded: vec![],
        }
    }

    #[test]
    fn wire_identities_pass() {
        let c = permitted("wire.localhost");
        for uri in [
            "wireapp://%40alice_wire@wire.localhost",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA%219e4ef7e72ec9e5b9@wire.localhost",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@WIRE.localhost",
            "wireapp://wire.localhost/path?q#f",
            "wireapp://u@wire.localhost:443",
        ] {
            assert_eq!(check_uri(uri, &c), Ok(()), "{uri}");
        }
    }

    #[test]
    fn smuggling_and_hostless_forms_fail() {
        let c = permitted("wire.localhost");
        for uri in [
            "wireapp://wire.localhost@evil.com",
            "wireapp://%40alice@evil.com",
            "wireapp://a@wire.localhost@evil.com",
            "wireapp://evil.com#@wire.localhost",
            "wireapp://evil.com?@wire.localhost",
            "wireapp://evil.com\\@wire.localhost",
            "wireapp://wire.localhost:443@evil.com",
            "wireapp://evil.com/@wire.localhost",
            "wireapp:%40alice@wire.localhost",
            "urn:wire.localhost",
            "wireapp://",
            "wireapp://@",
            "wireapp://127.0.0.1",
            "wireapp://[::1]",
            "wireapp://wire.localhost.",
            "wireapp://wire%2elocalhost",
            "wireapp://sub.wire.localhost",
            "wireapp://evilwire.localhost",
            "wireapp://wire.localhost:x",
            "wire.localhost",
        ] {
            assert!(check_uri(uri, &c).is_err(), "{uri} must fail");
        }
    }

    #[test]
    fn leading_dot_means_subdomains_only() {
        let c = permitted(".wire.com");
        assert!(check_uri("wireapp://a.wire.com", &c).is_ok());
        assert!(check_uri("wireapp://x@a.b.WIRE.com", &c).is_ok());
        assert!(check_uri("wireapp://wire.com", &c).is_err());
        assert!(check_uri("wireapp://evilwire.com", &c).is_err());
    }

    #[test]
    fn excluded_wins() {
        let c = UriSubtrees {
            permitted: vec![".wire.com".into()],
            excluded: vec!["bad.wire.com".into()],
        };
        assert!(check_uri("wireapp://ok.wire.com", &c).is_ok());
        assert!(check_uri("wireapp://BAD.wire.com", &c).is_err());
    }

    #[test]
    fn unusable_constraint_fails_closed() {
        assert!(check_uri("wireapp://wire.com", &permitted("")).is_err());
        assert!(check_uri("wireapp://wire.com", &permitted("https://wire.com")).is_err());
    }

    #[test]
    fn split_keeps_other_forms_for_webpki() {
        // permitted: DNS:localhost, URI:wire.localhost; excluded: DNS:evil
        let mut permitted = Vec::new();
        let mut dns = Vec::new();
        der::write(0x82, b"localhost", &mut dns);
        let mut dns_subtree = Vec::new();
        der::write(0x30, &dns, &mut dns_subtree);
        permitted.extend_from_slice(&dns_subtree);
        let mut uri = Vec::new();
        der::write(URI_TAG, b"wire.localhost", &mut uri);
        der::write(0x30, &uri, &mut permitted);
        let mut contents = Vec::new();
        der::write(PERMITTED, &permitted, &mut contents);
        let split = split(&contents).unwrap();
        assert_eq!(split.uri.permitted, vec!["wire.localhost".to_owned()]);
        let mut expected = Vec::new();
        der::write(PERMITTED, &dns_subtree, &mut expected);
        assert_eq!(split.rest, Some(expected));
    }
}
