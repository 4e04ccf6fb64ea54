//! The ```` ```http request ```` blocks: a request line or a response status, then headers.
//!
//! Bodies are not in these blocks; they follow as separate JSON or text blocks.

use super::markdown::{trim, Block};

/// One `name: value` line, borrowed from the capture. Names are kept as written (the
/// captures use lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub line: usize,
}

/// A captured request: `METHOD URL`, an optional indented route template and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The route template printed under the URL (`/acme/{acme-provisioner}/…`), which is
    /// documentation, not a header.
    pub template: Option<&'a str>,
    pub headers: Vec<Header<'a>>,
}

/// A captured response: status code and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    pub status: u16,
    pub headers: Vec<Header<'a>>,
}

/// What an http block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Http<'a> {
    Request(HttpRequest<'a>),
    Response(HttpResponse<'a>),
}

fn find<'h, 'a>(headers: &'h [Header<'a>], name: &str) -> impl Iterator<Item = &'h Header<'a>> {
    let name = name.to_owned();
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(&name))
}

/// The first header named `name`, without the copy of `name` [`find`] keeps.
fn first<'h, 'a>(headers: &'h [Header<'a>], name: &str) -> Option<&'h Header<'a>> {
    headers.iter().find(|h| h.name.eq_ignore_ascii_case(name))
}

impl<'a> HttpRequest<'a> {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Header<'a>> {
        first(&self.headers, name)
    }
}

impl<'a> HttpResponse<'a> {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Header<'a>> {
        first(&self.headers, name)
    }

    /// Every header named `name`: `link` repeats.
    pub fn headers_named<'h>(&'h self, name: &str) -> impl Iterator<Item = &'h Header<'a>> {
        find(&self.headers, name)
    }

    pub fn replay_nonce(&self) -> Option<&'a str> {
        self.header("replay-nonce").map(|h| h.value)
    }

    pub fn location(&self) -> Option<&'a str> {
        self.header("location").map(|h| h.value)
    }
}

fn is_method(word: &str) -> bool {
    !word.is_empty() && word.len() <= 10 && word.chars().all(|c| c.is_ascii_uppercase())
}

/// `200`, `201 Created`, `HTTP/1.1 200 OK`.
fn status(line: &str) -> Option<u16> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let code = if first.starts_with("HTTP/") {
        words.next()?
    } else {
        first
    };
    let n = code.parse::<u16>().ok()?;
    (100..=599).contains(&n).then_some(n)
}

/// A `name: value` line. The colon is found with `memchr` (str's searcher costs more
/// on these short lines), and the one space after it is dropped before trimming, so
/// that [`trim`] usually answers without decoding characters: both give `trim(value)`.
fn header(line: &str, n: usize) -> Option<Header<'_>> {
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let (name, value) = (line.get(..colon)?, line.get(colon + 1..)?);
    let name = trim(name);
    let token = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
    (!name.is_empty() && name.bytes().all(token)).then(|| Header {
        name,
        value: trim(value.strip_prefix(' ').unwrap_or(value)),
        line: n,
    })
}

/// Parses an http block; `None` when its first line is neither a status nor a request.
pub(crate) fn parse<'a>(block: &Block<'a>) -> Option<Http<'a>> {
    let mut lines = block.lines.iter().filter(|(_, l)| !trim(l).is_empty());
    let (_, first) = lines.next()?;
    let first = trim(first);
    // Room for every line at once: a response has more headers than a first
    // allocation holds, and growing moves them.
    let headers_from = |rest: &mut dyn Iterator<Item = &(usize, &'a str)>| {
        let mut headers = Vec::with_capacity(block.lines.len());
        headers.extend(rest.filter_map(|(n, l)| header(trim(l), *n)));
        headers
    };
    if let Some(status) = status(first) {
        let headers = headers_from(&mut lines);
        return Some(Http::Response(HttpResponse { status, headers }));
    }
    let (method, url) = first.split_once(char::is_whitespace)?;
    if !is_method(method) {
        return None;
    }
    let mut lines = lines.peekable();
    let template = lines
        .next_if(|(_, l)| l.starts_with(char::is_whitespace) && l.trim_start().starts_with('/'))
        .map(|(_, l)| trim(l));
    let headers = headers_from(&mut lines);
    Some(Http::Request(HttpRequest {
        method,
        url: trim(url),
        template,
        headers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block<'_> {
        Block {
            lang: "http request",
            line: 1,
            lines: text.lines().enumerate().map(|(i, l)| (i + 2, l)).collect(),
            closed: true,
            source: text,
        }
    }

    #[test]
    fn header_lines_are_read_as_the_char_based_reader_read_them() {
        fn reference(line: &str) -> Option<(&str, &str)> {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
            (!name.is_empty() && name.chars().all(token)).then(|| (name, value.trim()))
        }
        for line in [
            "dpop: eyJ.a.b",
            "a:b",
            "a: ",
            "a:",
            ":b",
            "content-type:  application/json  ",
            "x-é: v",
            "ÿ: v",
            "a b: v",
            "a:\u{a0}v\u{2003}",
            "a: \u{85}v",
            "location: https://x/y:443/z",
            "no colon",
            "",
            "a_b.c-1: v: w",
        ] {
            let ours = header(line, 7).map(|h| (h.name, h.value));
            assert_eq!(ours, reference(line), "{line:?}");
        }
    }

    #[test]
    fn request_with_template_and_headers() {
        let b = block("POST https://a/acme/wire/challenge/x/y\n      /acme/{acme-provisioner}/challenge/{a}/{c}\ncontent-type: application/jose+json\ndpop: abc");
        let Some(Http::Request(r)) = parse(&b) else {
            panic!("not a request")
        };
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://a/acme/wire/challenge/x/y");
        assert_eq!(
            r.template,
            Some("/acme/{acme-provisioner}/challenge/{a}/{c}")
        );
        assert_eq!(r.headers.len(), 2);
        assert_eq!(r.header("DPoP").map(|h| h.line), Some(5));
    }

    #[test]
    fn response_with_repeated_link() {
        let b = block(
            "201\nlink: <a>;rel=\"index\"\nlink: <b>;rel=\"up\"\nreplay-nonce: N\nlocation: L",
        );
        let Some(Http::Response(r)) = parse(&b) else {
            panic!("not a response")
        };
        assert_eq!(r.status, 201);
        assert_eq!(r.headers_named("link").count(), 2);
        assert_eq!((r.replay_nonce(), r.location()), (Some("N"), Some("L")));
    }

    #[test]
    fn empty_or_odd_blocks() {
        assert_eq!(parse(&block("")), None);
        assert_eq!(parse(&block("hello world")), None);
        assert!(matches!(
            parse(&block("HTTP/1.1 200 OK")),
            Some(Http::Response(HttpResponse { status: 200, .. }))
        ));
        assert_eq!(parse(&block("999")), None);
    }
}
