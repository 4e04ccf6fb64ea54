//! URL comparison for `htu`, `iss` and `aud` (RFC 9449 §4.3 and RFC 3986 §6.2):
//! scheme and host compare case-insensitively, a default port equals no port,
//! an empty path equals `/`, and percent-escapes of unreserved characters equal
//! the characters. Query and fragment are not part of the comparison.

use std::borrow::Cow;

/// A URL reduced to what the comparison looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalUrl {
    /// Lower-case scheme.
    pub scheme: String,
    /// Lower-case host, with `:port` when it is not the scheme's default.
    pub authority: String,
    /// Path with normalised escapes; `/` when empty.
    pub path: String,
    /// Whether the URL had a query or fragment part.
    pub has_query_or_fragment: bool,
}

/// Parses an absolute `http`/`https` URL; `None` when it is not one.
pub fn normalize(url: &str) -> Option<NormalUrl> {
    parts(url).map(|p| NormalUrl {
        scheme: p.scheme.into_owned(),
        authority: p.authority.into_owned(),
        path: p.path.into_owned(),
        has_query_or_fragment: p.has_query_or_fragment,
    })
}

/// Whether `url` has a query or fragment part; `None` when it is not an
/// absolute http(s) URL. [`normalize`] without building the normal form.
pub(crate) fn query_or_fragment(url: &str) -> Option<bool> {
    match already_normal(url) {
        Some((_, query_or_fragment)) => Some(query_or_fragment),
        None => parts(url).map(|p| p.has_query_or_fragment),
    }
}

/// The URL as far as the comparison reads it (before any `?` or `#`) and
/// whether a query or fragment follows, when `url` is already in normal form:
/// a lower-case `http`/`https` scheme, a host of lower-case letters, digits,
/// `.` and `-` (no user info) with at most a port that is not the scheme's
/// default (the test captures' servers listen on such ports), and a path and
/// rest of printable ASCII without escapes. Every URL a token carries in
/// practice is; [`parts`] then agrees (a test checks it) and would only
/// confirm it in several passes. `None` sends the URL to [`parts`], which
/// decides.
fn already_normal(url: &str) -> Option<(&str, bool)> {
    let (rest, default_port) = match url.strip_prefix("https://") {
        Some(rest) => (rest, "443"),
        None => (url.strip_prefix("http://")?, "80"),
    };
    let bytes = rest.as_bytes();
    let host = memchr::memchr3(b'/', b'?', b'#', bytes).unwrap_or(bytes.len());
    if !normal_authority(bytes.get(..host)?, default_port.as_bytes()) {
        return None;
    }
    // The path and what follows: printable ASCII throughout (a branch-free
    // pass the compiler vectorises), and no `%` before the first `?` or `#`
    // (memchr's vector searches): URLs are a hundred bytes, compared often.
    let tail = bytes.get(host..)?;
    if !tail
        .iter()
        .fold(true, |ok, &b| ok & (b > b' ') & (b < 0x7f))
    {
        return None;
    }
    let cut = memchr::memchr2(b'?', b'#', tail).unwrap_or(tail.len());
    if memchr::memchr(b'%', tail.get(..cut)?).is_some() {
        return None;
    }
    let kept = url.len() - rest.len() + host + cut;
    Some((url.get(..kept)?, cut < tail.len()))
}

/// Whether `authority` is kept as it is by [`parts`]: a non-empty host of
/// lower-case letters, digits, `.` and `-`, and no port or a non-empty numeric
/// port other than `default_port` (which [`parts`] would remove).
fn normal_authority(authority: &[u8], default_port: &[u8]) -> bool {
    let host_ok = |b: &u8| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-');
    let (host, port) = match authority.iter().position(|&b| b == b':') {
        Some(colon) => authority.split_at(colon),
        None => (authority, &[][..]),
    };
    let port_ok = match port.split_first() {
        None => true,
        Some((_, digits)) => {
            !digits.is_empty() && digits != default_port && digits.iter().all(u8::is_ascii_digit)
        }
    };
    !host.is_empty() && host.iter().all(host_ok) && port_ok
}

/// [`NormalUrl`] borrowing from the input where it is already normal.
struct Parts<'a> {
    scheme: Cow<'a, str>,
    authority: Cow<'a, str>,
    path: Cow<'a, str>,
    has_query_or_fragment: bool,
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn parts(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = lower(scheme);
    let default_port = match &*scheme {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let cut = rest.find(['?', '#']).unwrap_or(rest.len());
    let has_query_or_fragment = cut < rest.len();
    let before = rest.get(..cut)?;
    let (authority, path) = before.split_at(before.find('/').unwrap_or(before.len()));
    if authority.is_empty() || authority.contains('@') || has_whitespace(url) {
        return None;
    }
    let authority = match lower(authority) {
        Cow::Borrowed(a) => Cow::Borrowed(a.get(..kept_authority(a, default_port)?)?),
        Cow::Owned(a) => Cow::Owned(a.get(..kept_authority(&a, default_port)?)?.to_owned()),
    };
    let path = if path.is_empty() {
        Cow::Borrowed("/")
    } else {
        normalize_escapes(path)?
    };
    Some(Parts {
        scheme,
        authority,
        path,
        has_query_or_fragment,
    })
}

/// `char::is_whitespace` anywhere in `url`, byte by byte when it is ASCII.
fn has_whitespace(url: &str) -> bool {
    if url.is_ascii() {
        // The ASCII whitespace of `char::is_whitespace`: \t \n \v \f \r and space.
        url.bytes().any(|b| matches!(b, b'\t'..=b'\r' | b' '))
    } else {
        url.chars().any(char::is_whitespace)
    }
}

/// How much of `host[:port]` is kept: the scheme's default port is removed;
/// `None` when the port is not a number. IPv6 literals keep their brackets.
fn kept_authority(authority: &str, default_port: &str) -> Option<usize> {
    let host_end = match authority.strip_prefix('[') {
        Some(rest) => rest.find(']')? + 2,
        None => authority.find(':').unwrap_or(authority.len()),
    };
    let (host, port) = authority.split_at(host_end);
    match port.strip_prefix(':') {
        _ if host.is_empty() => None,
        None if port.is_empty() => Some(host.len()),
        None => None,
        Some(p) if p.is_empty() || p == default_port => Some(host.len()),
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Some(authority.len()),
        Some(_) => None,
    }
}

/// Whether two URLs are equal under the comparison rules (query and fragment
/// ignored on both sides).
pub fn same(a: &str, b: &str) -> bool {
    if a == b {
        // Equal strings normalise equally: only validity is left to check.
        return already_normal(a).is_some() || parts(a).is_some();
    }
    if let (Some((a, _)), Some((b, _))) = (already_normal(a), already_normal(b)) {
        // Both in normal form up to the query or fragment: equal exactly when
        // these are, once an empty path is read as `/` (as [`parts`] reads it).
        return rooted(a).eq(rooted(b));
    }
    match (parts(a), parts(b)) {
        (Some(a), Some(b)) => (a.scheme, a.authority, a.path) == (b.scheme, b.authority, b.path),
        _ => false,
    }
}

/// Whether `a` and `b` name one resource: [`same`], and the same query and
/// fragment as written. An ACME request's `url` header (RFC 8555 §6.4: the
/// URL the request is directed to) and a token's `iss` and `aud` (RFC 7519
/// §4.1.1, §4.1.3: StringOrURI values, compared as strings) name a resource,
/// and `…/finalize?retry=1` is another one; only the scheme and host case and
/// a default port are read leniently. `htu` is held to [`same`]: RFC 9449
/// §4.3 leaves query and fragment out, and a proof's query is reported on its
/// own.
pub fn same_resource(a: &str, b: &str) -> bool {
    same(a, b) && query_and_fragment(a) == query_and_fragment(b)
}

/// From the first `?` or `#` on (empty when there is neither).
fn query_and_fragment(url: &str) -> &str {
    url.find(['?', '#']).map_or("", |i| &url[i..])
}

/// The bytes of an already-normal URL prefix ([`already_normal`]) with `/`
/// appended when its path is empty: its normal form, without a copy.
fn rooted(prefix: &str) -> impl Iterator<Item = u8> + '_ {
    let after_scheme = prefix.find("://").map_or(prefix.len(), |i| i + 3);
    let empty_path = !prefix
        .as_bytes()
        .get(after_scheme..)
        .unwrap_or_default()
        .contains(&b'/');
    let root: &[u8] = if empty_path { b"/" } else { b"" };
    prefix.bytes().chain(root.iter().copied())
}

fn normalize_escapes(path: &str) -> Option<Cow<'_, str>> {
    if !path.contains('%') {
        return path.is_ascii().then_some(Cow::Borrowed(path));
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
        let v = u8::from_str_radix(hex, 16).ok()?;
        if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
            out.push(char::from(v));
        } else {
            out.push_str(&format!("%{v:02X}"));
        }
        i += 3;
    }
    path.is_ascii().then_some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_under_rfc_3986_normalisation() {
        assert!(same("https://EX.com:443/a", "https://ex.com/a"));
        assert!(same("HTTP://ex.com", "http://ex.com:80/"));
        assert!(same("https://ex.com/%7Ea", "https://ex.com/~a"));
        assert!(same("https://ex.com/a%2fb", "https://ex.com/a%2Fb"));
        assert!(same("https://ex.com/a?x=1", "https://ex.com/a#f"));
        assert!(same("http://[::1]:80/a", "http://[::1]/a"));
        assert!(!same("http://[::1]:8080/a", "http://[::1]/a"));
    }

    #[test]
    fn one_resource_has_one_query_and_fragment() {
        assert!(same_resource(
            "https://EX.com:443/a?x=1",
            "https://ex.com/a?x=1"
        ));
        assert!(same_resource("https://ex.com/a#f", "https://ex.com/a#f"));
        assert!(same_resource("https://ex.com", "https://ex.com/"));
        assert!(!same_resource("https://ex.com/a?x=1", "https://ex.com/a"));
        assert!(!same_resource("https://ex.com/a", "https://ex.com/a#f"));
        assert!(!same_resource(
            "https://ex.com/a?x=1",
            "https://ex.com/a?x=2"
        ));
        assert!(!same_resource("https://ex.com/a?", "https://ex.com/a"));
        assert!(!same_resource("https://ex.com/b", "https://ex.com/a"));
    }

    /// The one-pass reading of already-normal URLs agrees with the full
    /// parse on every URL built from a set of awkward pieces.
    #[test]
    fn already_normal_agrees_with_the_full_parse() {
        let schemes = ["https://", "http://", "HTTPS://", "ftp://", "https:/", ""];
        let hosts = [
            "ex.com",
            "EX.com",
            "a-b.c0",
            "",
            "u@ex.com",
            "ex.com:443",
            "ex.com:80",
            "ex.com:8443",
            "ex.com:0443",
            "ex.com:",
            ":8443",
            "ex.com:1:2",
            "ex.com:x",
            "ex.com:+1",
            "localhost:55093",
            "[::1]",
            "ex_x.com",
            "é.com",
        ];
        let paths = [
            "",
            "/",
            "/a/b",
            "/%7Ea",
            "/a b",
            "/a\tb",
            "/\u{e9}",
            "/a%zz",
            "/~a.b-c_d",
        ];
        let rests = ["", "?", "?x=1", "#f", "?x#y", "? x", "#\u{a0}"];
        let mut seen = 0;
        for scheme in schemes {
            for host in hosts {
                for path in paths {
                    for rest in rests {
                        let url = format!("{scheme}{host}{path}{rest}");
                        let full = parts(&url);
                        if let Some((prefix, query)) = already_normal(&url) {
                            let full = full
                                .as_ref()
                                .unwrap_or_else(|| panic!("{url:?} is not a URL"));
                            assert_eq!(query, full.has_query_or_fragment, "{url:?}");
                            let normal =
                                format!("{}://{}{}", full.scheme, full.authority, full.path);
                            let after_scheme = prefix.split_once("://").map_or("", |(_, r)| r);
                            let path = if after_scheme.contains('/') { "" } else { "/" };
                            assert_eq!(format!("{prefix}{path}"), normal, "{url:?}");
                            seen += 1;
                        }
                        assert_eq!(
                            query_or_fragment(&url),
                            full.as_ref().map(|p| p.has_query_or_fragment),
                            "{url:?}"
                        );
                        assert_eq!(same(&url, &url), parts(&url).is_some(), "{url:?}");
                    }
                }
            }
        }
        assert!(seen > 50, "{seen}");
        let urls = [
            "https://ex.com",
            "https://ex.com/",
            "https://ex.com/?q",
            "https://ex.com#f",
            "https://ex.com/a",
            "https://ex.com/a/",
            "https://ex.com:8443",
            "https://ex.com:8443/",
            "https://EX.com/",
            "https://ex.com:443/a",
            "http://ex.com/a",
            "https://ex.co/m",
            "https://ex.com/%7Ea",
            "https://ex.com/~a",
        ];
        for a in urls {
            for b in urls {
                let by_parts = match (parts(a), parts(b)) {
                    (Some(a), Some(b)) => {
                        (a.scheme, a.authority, a.path) == (b.scheme, b.authority, b.path)
                    }
                    _ => false,
                };
                assert_eq!(same(a, b), by_parts, "{a} {b}");
            }
        }
        assert!(same("https://ex.com/a?x", "https://ex.com/a#y"));
        assert!(same("https://ex.com", "https://ex.com/"));
        assert!(!same("https://ex.com/a", "https://ex.com/b"));
    }

    #[test]
    fn different_or_invalid_urls_are_not_equal() {
        assert!(!same("https://ex.com/a", "http://ex.com/a"));
        assert!(!same("https://ex.com:8443/a", "https://ex.com/a"));
        assert!(!same("https://ex.com/A", "https://ex.com/a"));
        assert!(!same("https://ex.com/a/", "https://ex.com/a"));
        assert!(!same("https://u@ex.com/a", "https://ex.com/a"));
        assert!(!same("ftp://ex.com/a", "ftp://ex.com/a"));
        assert!(!same("https://ex.com/%zz", "https://ex.com/%zz"));
        assert!(!same("https://ex.com:x/a", "https://ex.com:x/a"));
        assert!(!same("https://ex.com:1:2/a", "https://ex.com:1:2/a"));
        assert!(!same("https://[::1/a", "https://[::1/a"));
        assert!(!same("https://ex.com/\u{e9}", "https://ex.com/\u{e9}"));
        assert!(!same("https://ex.com/a b", "https://ex.com/a b"));
        for ws in ["\t", "\n", "\u{b}", "\u{c}", "\r", "\u{a0}", "\u{2003}"] {
            let url = format!("https://ex.com/a{ws}b");
            assert!(!same(&url, &url), "{url:?}");
        }
        assert!(
            normalize("https://ex.com/a?q")
                .unwrap()
                .has_query_or_fragment
        );
    }
}
