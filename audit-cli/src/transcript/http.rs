//! The ```` ```http request ```` blocks: a request line or a response status, then headers.
//!
//! Bodies are usually not in these blocks; they follow as separate JSON or text blocks.
//! The start of a message is also read as HTTP/2 pseudo-headers (`:method`,
//! `:scheme`, `:authority`, `:path`; `:status`), as browser developer tools and
//! HAR exports show it, and a block as `curl -v` prints an exchange (`> `
//! request lines, `< ` response lines, `* ` information) is read as the
//! messages it holds ([`curl_messages`]).

use super::markdown::{offset_in, trim, Block};
use std::borrow::Cow;

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
    /// The URL as written, or an origin-form target (`/path`) resolved against
    /// the `host` header ([`absolute`]).
    pub url: Cow<'a, str>,
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
    // A status code or `HTTP/`: a token, a PEM line or a header is told apart
    // by its first byte, before a word is looked for in a long line.
    if !line
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'H')
    {
        return None;
    }
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

/// Adds a header line to `headers`, or joins a continuation line to the
/// header before it. A line that starts with a space or a tab continues the
/// previous header's value (obs-fold, RFC 9112 §5.2), and so does a line
/// that is not a header and holds only token characters (a long value, such
/// as the `dpop:` proof, wrapped without indentation): dropping it would
/// read a value cut short, or none. The joined value is the span of the
/// capture from the value's start to the continuation's end, folds and all
/// (borrowed, as every header value): when the value was empty it is the
/// continuation alone; when the span holds anything but the fold's
/// whitespace between the lines (a `curl -v` marker), the line is dropped as
/// before. Any other line that is not a header is dropped.
fn push_header<'a>(headers: &mut Vec<Header<'a>>, line: &'a str, n: usize, source: &'a str) {
    let t = trim(line);
    // The route template printed under the URL (after a `host:` header
    // when the request line is in origin form) documents, and continues
    // nothing.
    if is_template(line) && t.contains('{') {
        return;
    }
    // An indented `name: value` line is still a header (some captures indent
    // them all); an indented URL (`https://…`) or base64 is not one.
    let folded = line.starts_with([' ', '\t']) && !spaced_header(t);
    if !folded {
        if let Some(h) = header(t, n) {
            return headers.push(h);
        }
        if !t.bytes().all(is_token_char) {
            return;
        }
    }
    let Some(last) = headers.last_mut() else {
        return;
    };
    if last.value.is_empty() {
        last.value = t;
        return;
    }
    let span = offset_in(source, last.value).zip(offset_in(source, t));
    let joined = span.and_then(|(from, to)| source.get(from..to + t.len()));
    let gap = joined.and_then(|j| j.get(last.value.len()..j.len() - t.len()));
    if let (Some(joined), Some(gap)) = (joined, gap) {
        if gap.bytes().all(|b| b.is_ascii_whitespace()) {
            last.value = joined;
        }
    }
}

/// Whether `line` is a header written `name: value` (a space or a tab after
/// the colon, or nothing), as opposed to a value holding a colon.
fn spaced_header(line: &str) -> bool {
    let Some(colon) = memchr::memchr(b':', line.as_bytes()) else {
        return false;
    };
    let after = line.as_bytes().get(colon + 1);
    header(line, 0).is_some() && matches!(after, None | Some(b' ' | b'\t'))
}

/// A character of a base64, base64url or compact JWS value.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'/' | b'=')
}

/// Whether an untagged block is an HTTP message: its first line a status, or
/// a request line naming an absolute URL or a path (so that a bare block of
/// prose with an upper-case first word is not taken for one), or pseudo-headers
/// that make a whole request or status; a `curl -v` block when its first
/// message is one.
pub(crate) fn looks_like_http(block: &Block<'_>) -> bool {
    if let Some(messages) = curl_messages(block) {
        return messages.first().is_some_and(looks_like_http);
    }
    let Some((_, first)) = block.lines.iter().find(|(_, l)| !trim(l).is_empty()) else {
        return false;
    };
    let first = trim(first);
    if status(first).is_some() {
        return true;
    }
    if pseudo(first).is_some() {
        return parse(block).is_some();
    }
    // A method is a short upper-case word: a token or base64 line (text
    // blocks are checked too) is not split in search of one.
    let short_word = first
        .bytes()
        .take(12)
        .position(|b| b.is_ascii_whitespace())
        .is_some();
    short_word
        && first
            .split_once(char::is_whitespace)
            .is_some_and(|(method, url)| {
                let url = trim(url);
                is_method(method)
                    && (url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with('/'))
            })
}

/// The lines after the first blank line that follows the start line: the
/// body of an HTTP message written in its own block (raw dumps, `curl -v`,
/// HTTP-client files), which the captures otherwise print in the next block.
pub(crate) fn body_lines<'b, 'a>(block: &'b Block<'a>) -> &'b [(usize, &'a str)] {
    let lines = &block.lines;
    let start = lines.iter().position(|(_, l)| !trim(l).is_empty());
    let blank = start.and_then(|s| {
        lines
            .iter()
            .skip(s)
            .position(|(_, l)| trim(l).is_empty())
            .map(|p| s + p)
    });
    let body = blank.and_then(|b| lines.get(b + 1..)).unwrap_or_default();
    let first = body.iter().position(|(_, l)| !trim(l).is_empty());
    first.and_then(|f| body.get(f..)).unwrap_or_default()
}

/// Parses an http block; `None` when its first line is neither a status nor a request.
pub(crate) fn parse<'a>(block: &Block<'a>) -> Option<Http<'a>> {
    // Headers end where a body written in the same block begins.
    let head = match body_lines(block).first() {
        Some((first_body, _)) => {
            let end = block.lines.iter().position(|(n, _)| n == first_body);
            block
                .lines
                .get(..end.unwrap_or(block.lines.len()))
                .unwrap_or_default()
        }
        None => &block.lines[..],
    };
    let mut lines = head.iter().filter(|(_, l)| !trim(l).is_empty());
    let (_, first) = lines.next()?;
    let first = trim(first);
    if pseudo(first).is_some() {
        return pseudo_message(head, block.source);
    }
    // Room for every line at once: a response has more headers than a first
    // allocation holds, and growing moves them.
    let headers_from = |rest: &mut dyn Iterator<Item = &(usize, &'a str)>| {
        let mut headers = Vec::with_capacity(block.lines.len());
        for &(n, line) in rest {
            push_header(&mut headers, line, n, block.source);
        }
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
    // `METHOD URL HTTP/1.1` (RFC 9112's request line, as raw dumps and the
    // JetBrains HTTP-client files the info string names print it).
    let url = match trim(url).rsplit_once(char::is_whitespace) {
        Some((url, version)) if version.starts_with("HTTP/") => url,
        _ => url,
    };
    let mut lines = lines.peekable();
    let template = lines.next_if(|(_, l)| is_template(l)).map(|(_, l)| trim(l));
    let headers = headers_from(&mut lines);
    Some(Http::Request(HttpRequest {
        method,
        url: absolute(trim(url), &headers, block.source),
        template,
        headers,
    }))
}

/// The route template line printed under a request's URL: indented, a path.
fn is_template(line: &str) -> bool {
    line.starts_with(char::is_whitespace) && line.trim_start().starts_with('/')
}

/// A pseudo-header line, `:name: value` (RFC 9113 §8.3): its name without
/// the colon, and its value.
fn pseudo(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let colon = memchr::memchr(b':', rest.as_bytes())?;
    let (name, value) = (rest.get(..colon)?, rest.get(colon + 1..)?);
    let lower = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase());
    lower.then(|| (name, trim(value)))
}

/// A message whose start is written as HTTP/2 pseudo-headers: `:status` for a
/// response; `:method`, `:scheme`, `:path` and `:authority` (or a `host`
/// header) for a request, whose URL is `scheme://authority` + path (RFC 9113
/// §8.3.1). `:authority` is where the request went when a `host` header
/// names another (§8.3.1: a client conveys it there; a `host` header an
/// intermediary kept does not move the request), as an absolute request line
/// overrides `host` (RFC 9112 §3.2.2). A block RFC 9113 calls malformed is
/// not read as a message, so that nothing is guessed about where a request
/// went: a pseudo-header given twice, one it does not define (or a request's
/// beside `:status`), one after a regular header (§8.3), a path that is not
/// one.
fn pseudo_message<'a>(head: &[(usize, &'a str)], source: &'a str) -> Option<Http<'a>> {
    let mut fields: Vec<(&'a str, &'a str)> = Vec::with_capacity(4);
    let mut template = None;
    let mut headers = Vec::with_capacity(head.len());
    for &(n, line) in head.iter().filter(|(_, l)| !trim(l).is_empty()) {
        let t = trim(line);
        if let Some(field) = pseudo(t) {
            let repeated = fields.iter().any(|(name, _)| *name == field.0);
            if repeated || !headers.is_empty() {
                return None;
            }
            fields.push(field);
        } else if template.is_none() && headers.is_empty() && is_template(line) {
            template = Some(t);
        } else {
            push_header(&mut headers, line, n, source);
        }
    }
    let field = |name: &str| fields.iter().find(|(f, _)| *f == name).map(|(_, v)| *v);
    if let Some(code) = field("status") {
        let status = status(code).filter(|_| fields.len() == 1 && code.len() == 3)?;
        return Some(Http::Response(HttpResponse { status, headers }));
    }
    let known = ["method", "scheme", "authority", "path"];
    if fields.iter().any(|(name, _)| !known.contains(name)) {
        return None;
    }
    let (method, scheme, path) = (field("method")?, field("scheme")?, field("path")?);
    let host = || first(&headers, "host").map(|h| h.value);
    let authority = field("authority").or_else(host).filter(|a| is_host(a))?;
    let path_ok = path.starts_with('/') && !path.contains(char::is_whitespace);
    let scheme_ok = matches!(scheme, "http" | "https");
    if !(is_method(method) && path_ok && scheme_ok) {
        return None;
    }
    Some(Http::Request(HttpRequest {
        method,
        url: Cow::Owned(format!("{scheme}://{authority}{path}")),
        template,
        headers,
    }))
}

/// A `curl -v` line's marker and what follows it: `>` a request line, `<` a
/// response line, `*` curl's own information; the one space after the
/// marker is curl's, not the line's (a route template keeps its indent).
fn curl_mark(line: &str) -> Option<(u8, &str)> {
    let marker = *line.as_bytes().first()?;
    if !matches!(marker, b'>' | b'<' | b'*') {
        return None;
    }
    let rest = line.get(1..)?;
    match rest.strip_prefix(' ') {
        Some(rest) => Some((marker, rest)),
        None => trim(rest).is_empty().then_some((marker, "")),
    }
}

/// The messages of a block written as `curl -v` prints an exchange (its first
/// line, after curl's `* ` information, marked `> ` or `< `): each run of
/// `> ` lines a request, each run of `< ` lines a response, unmarked lines
/// after a run its body (curl prints the response body as is), `* ` lines
/// dropped. The markers are cut off, and each message is a block of its own
/// for [`parse`] and [`body_lines`]. `None` for any other block.
pub(crate) fn curl_messages<'a>(block: &Block<'a>) -> Option<Vec<Block<'a>>> {
    let first = block
        .lines
        .iter()
        .map(|(_, l)| *l)
        .find(|l| !trim(l).is_empty() && curl_mark(l).is_none_or(|(m, _)| m != b'*'))?;
    curl_mark(first)?;
    let mut runs: Vec<CurlRun<'a>> = Vec::new();
    for &(n, line) in &block.lines {
        match (curl_mark(line), runs.last_mut()) {
            (Some((b'*', _)), _) => {}
            (Some((m, rest)), Some(run)) if run.marker == m && !run.ends_before(rest) => {
                run.lines.push((n, rest));
            }
            (Some((marker, rest)), _) => runs.push(CurlRun {
                marker,
                body: false,
                lines: vec![(n, rest)],
            }),
            (None, Some(run)) => {
                run.body |= !trim(line).is_empty();
                run.lines.push((n, line));
            }
            (None, None) => {}
        }
    }
    let message = |(i, run): (usize, CurlRun<'a>)| {
        let start = run
            .lines
            .first()
            .map_or(block.line, |(n, _)| n.saturating_sub(1));
        Block {
            lang: block.lang,
            line: if i == 0 { block.line } else { start },
            lines: run.lines,
            closed: block.closed,
            source: block.source,
        }
    };
    Some(runs.into_iter().enumerate().map(message).collect())
}

/// A request and its answer written in one block, as proxies and raw dumps
/// print an exchange: request line, headers, blank line, body, then a blank
/// line and the answer's status line (`HTTP/1.1 201 Created`), headers and
/// body. `None` when the block holds no such second message: then it is one
/// message, its body running to the block's end.
pub(crate) fn exchange_messages<'a>(block: &Block<'a>) -> Option<Vec<Block<'a>>> {
    let lines = &block.lines;
    let start = lines.iter().position(|(_, l)| !trim(l).is_empty())?;
    let (_, first) = lines.get(start)?;
    if status(trim(first)).is_some() {
        return None;
    }
    let answer = (start + 2..lines.len()).find(|&k| {
        let blank_before = lines.get(k - 1).is_some_and(|(_, l)| trim(l).is_empty());
        let line = lines.get(k).map_or("", |(_, l)| trim(l));
        blank_before && line.starts_with("HTTP/") && status(line).is_some()
    })?;
    let part = |range: std::ops::Range<usize>, line: usize| Block {
        lang: block.lang,
        line,
        lines: lines.get(range).unwrap_or_default().to_vec(),
        closed: block.closed,
        source: block.source,
    };
    let answer_line = lines
        .get(answer)
        .map_or(block.line, |(n, _)| n.saturating_sub(1));
    Some(vec![
        part(0..answer - 1, block.line),
        part(answer..lines.len(), answer_line),
    ])
}

/// One message of a `curl -v` block: its marker, whether its body (unmarked
/// lines) has begun, and its lines with the markers cut off.
struct CurlRun<'a> {
    marker: u8,
    body: bool,
    lines: Vec<(usize, &'a str)>,
}

impl CurlRun<'_> {
    /// Whether a line with this run's marker begins another message: after
    /// the body, or a status line after the blank line that ends the headers
    /// (an interim `100 Continue` answer, then the final one).
    fn ends_before(&self, next: &str) -> bool {
        let after_blank = self.lines.last().is_some_and(|(_, l)| trim(l).is_empty());
        self.body || (after_blank && status(next).is_some())
    }
}

/// The request target as an absolute URL. Raw dumps (mitmproxy, Wireshark,
/// `curl -v`) print the origin form, `POST /acme/wire/new-order HTTP/1.1`
/// with a `host:` header (RFC 9112 §3.2.1, §3.2.2); the URL the request went
/// to, which the JWS `url` and the DPoP `htu` name, is the path on that host,
/// with the scheme the capture uses for that host ([`scheme_of`]). A target of
/// another form, or without a usable host, is kept as written.
fn absolute<'a>(target: &'a str, headers: &[Header<'a>], document: &str) -> Cow<'a, str> {
    let origin_form = target.starts_with('/') && !target.starts_with("//");
    let host = first(headers, "host")
        .map(|h| h.value)
        .filter(|h| is_host(h));
    match (origin_form, host) {
        (true, Some(host)) => Cow::Owned(format!("{}://{host}{target}", scheme_of(host, document))),
        _ => Cow::Borrowed(target),
    }
}

/// The scheme of `host` in an origin-form request, which the request itself
/// does not say: `http` when the capture names that host only in `http://`
/// URLs (a directory, a location, a decoded token), else `https`, which ACME
/// requires (RFC 8555 §6.1) and wire-server serves.
fn scheme_of(host: &str, document: &str) -> &'static str {
    let named = |scheme: &str| document.contains(&format!("{scheme}://{host}/"));
    if named("http") && !named("https") {
        "http"
    } else {
        "https"
    }
}

/// `host[:port]` as a `host` header carries it: a name, an IPv4 address or a
/// bracketed IPv6 literal, and an optional port; nothing that would change
/// where the path starts (no `/`, `?`, `#`, `@` or space).
fn is_host(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        })
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

    fn request_headers(text: &str) -> Vec<(&str, &str)> {
        match parse(&block(text)) {
            Some(Http::Request(r)) => r.headers.iter().map(|h| (h.name, h.value)).collect(),
            Some(Http::Response(r)) => r.headers.iter().map(|h| (h.name, h.value)).collect(),
            None => panic!("not a message: {text}"),
        }
    }

    #[test]
    fn folded_and_wrapped_values_are_joined() {
        let folded = "POST /x\ndpop: eyJh\n bGci\n\tOiJ\nhost: a\n";
        assert_eq!(
            request_headers(folded),
            vec![("dpop", "eyJh\n bGci\n\tOiJ"), ("host", "a")]
        );
        let wrapped = "POST /x\ndpop: eyJh\nbGci.x-_\nhost: a\n";
        assert_eq!(request_headers(wrapped)[0], ("dpop", "eyJh\nbGci.x-_"));
        // A value on the next line, a URL or a nonce: the continuation alone.
        let next = "201\nlocation:\n  https://a/b\nreplay-nonce: \n\tbm9uY2U\n";
        assert_eq!(
            request_headers(next),
            vec![("location", "https://a/b"), ("replay-nonce", "bm9uY2U")]
        );
        // Indented `name: value` lines are headers; prose is no continuation.
        let indented = "200\n  replay-nonce: n\n  location: https://a\nnot a value\n";
        assert_eq!(
            request_headers(indented),
            vec![("replay-nonce", "n"), ("location", "https://a")]
        );
        // A route template after a header continues nothing.
        let template = "POST /x HTTP/2\nhost: a\n      /acme/{p}/new-order\n";
        assert_eq!(request_headers(template), vec![("host", "a")]);
        // Before any header there is nothing to continue.
        assert_eq!(request_headers("200\nbm9uY2U\n"), vec![]);
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

    /// An origin-form target is the path on the `host` header's host; any
    /// other target is kept as written.
    #[test]
    fn an_origin_form_target_is_resolved_against_its_host() {
        for (text, url) in [
            (
                "POST /acme/wire/new-order HTTP/1.1\nhost: acme.example.com:8443\ncontent-type: x",
                "https://acme.example.com:8443/acme/wire/new-order",
            ),
            (
                "GET /dex/auth?x=1 HTTP/1.1\nHost: [::1]:5556",
                "https://[::1]:5556/dex/auth?x=1",
            ),
            ("POST /clients/1/access-token", "/clients/1/access-token"),
            ("POST /a\nhost: evil.example/x", "/a"),
            ("POST /a\nhost: a@b", "/a"),
            ("POST /a\nhost: ", "/a"),
            ("POST //b/c\nhost: a", "//b/c"),
            ("POST https://a/b HTTP/1.1\nhost: other", "https://a/b"),
        ] {
            let b = block(text);
            let Some(Http::Request(r)) = parse(&b) else {
                panic!("not a request: {text:?}")
            };
            assert_eq!(r.url, url, "{text:?}");
        }
    }

    /// The scheme of an origin-form request is the one the capture uses for
    /// its host elsewhere; `https` when it names none or both.
    #[test]
    fn an_origin_form_target_takes_the_scheme_the_capture_uses_for_its_host() {
        let request = "POST /clients/1/access-token HTTP/1.1\nhost: wire.local:8080";
        for (elsewhere, url) in [
            ("", "https://wire.local:8080/clients/1/access-token"),
            (
                "\"htu\": \"http://wire.local:8080/clients/1/access-token\"",
                "http://wire.local:8080/clients/1/access-token",
            ),
            (
                "http://wire.local:8080/a https://wire.local:8080/b",
                "https://wire.local:8080/clients/1/access-token",
            ),
            (
                "http://wire.local:80/a",
                "https://wire.local:8080/clients/1/access-token",
            ),
        ] {
            let document = format!("{request}\n{elsewhere}");
            let mut b = block(&document);
            b.lines.truncate(2);
            let Some(Http::Request(r)) = parse(&b) else {
                panic!("not a request")
            };
            assert_eq!(r.url, url, "{elsewhere:?}");
        }
    }

    /// A request line's HTTP version is not part of its URL.
    #[test]
    fn a_request_line_with_its_version_names_the_url_alone() {
        for line in [
            "POST https://a.example/acme/wire/new-order HTTP/1.1",
            "POST https://a.example/acme/wire/new-order\tHTTP/2",
            "POST  https://a.example/acme/wire/new-order  ",
        ] {
            let Some(Http::Request(r)) = parse(&block(line)) else {
                panic!("{line}");
            };
            assert_eq!(r.url, "https://a.example/acme/wire/new-order", "{line}");
        }
    }

    /// Untagged blocks are HTTP by their first line only; a body after the
    /// blank line is not read as headers, and is found as the body.
    #[test]
    fn untagged_http_messages_and_their_inline_bodies() {
        assert!(looks_like_http(&block("GET https://a.example/x\nhost: a")));
        assert!(looks_like_http(&block("POST /clients/1/access-token")));
        assert!(looks_like_http(&block("201 Created\nlocation: x")));
        assert!(looks_like_http(&block("HTTP/1.1 200 OK")));
        for text in [
            "NOTE this is prose",
            "eyJhbGciOi.x.y",
            "",
            "{\"a\": 1}",
            "GET",
        ] {
            assert!(!looks_like_http(&block(text)), "{text}");
        }
        let message = block("POST https://a/new-order\ncontent-type: a\n\n{\n\"x:y\": 1\n}");
        let Some(Http::Request(r)) = parse(&message) else {
            panic!("request");
        };
        assert_eq!(r.headers.len(), 1);
        let body: Vec<&str> = body_lines(&message).iter().map(|(_, l)| *l).collect();
        assert_eq!(body, ["{", "\"x:y\": 1", "}"]);
        assert!(body_lines(&block("200\nlocation: x")).is_empty());
        assert!(body_lines(&block("200\nlocation: x\n\n")).is_empty());
    }

    fn request(text: &str) -> Option<HttpRequest<'_>> {
        match parse(&block(text))? {
            Http::Request(r) => Some(r),
            Http::Response(_) => None,
        }
    }

    /// Pseudo-headers (RFC 9113 §8.3.1) in any order, the template among
    /// them, make the request line: the URL is scheme://authority + path.
    #[test]
    fn pseudo_headers_make_the_request_line() {
        for text in [
            ":method: POST\n:scheme: https\n:authority: a.example:8443\n:path: /acme/wire/new-order?x=1\n      /acme/{p}/new-order\ncontent-type: application/jose+json",
            ":authority: a.example:8443\n:method: POST\n:path: /acme/wire/new-order?x=1\n      /acme/{p}/new-order\n:scheme: https\ncontent-type: application/jose+json",
            ":method: POST\n:scheme: https\n:path: /acme/wire/new-order?x=1\nhost: a.example:8443\ncontent-type: application/jose+json",
            ":method: POST\n:scheme: https\n:authority: a.example:8443\n:path: /acme/wire/new-order?x=1\nHost: A.example:8443",
        ] {
            let r = request(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(r.method, "POST", "{text:?}");
            assert_eq!(r.url, "https://a.example:8443/acme/wire/new-order?x=1", "{text:?}");
            assert!(r.header(":method").is_none(), "{text:?}");
        }
        let r = request(":method: GET\n:scheme: https\n:authority: a\n:path: /x\nhost: b:1");
        assert_eq!(r.map(|r| r.url), Some("https://a/x".into()));
        let r = request(":method: GET\n:scheme: http\n:authority: wire.com:1\n:path: /clients/token/nonce\n     /clients/token/nonce\ndpop: x").unwrap();
        assert_eq!(r.url, "http://wire.com:1/clients/token/nonce");
        assert_eq!(r.template, Some("/clients/token/nonce"));
        assert_eq!(r.header("dpop").map(|h| h.value), Some("x"));
    }

    /// `:status` alone makes the response's status line.
    #[test]
    fn a_status_pseudo_header_makes_the_status() {
        let Some(Http::Response(r)) = parse(&block(":status: 201\nlocation: L\nreplay-nonce: N"))
        else {
            panic!("not a response");
        };
        assert_eq!(
            (r.status, r.location(), r.replay_nonce()),
            (201, Some("L"), Some("N"))
        );
        assert!(looks_like_http(&block(":status: 200\ncontent-type: x")));
        assert!(looks_like_http(&block(
            ":method: GET\n:scheme: https\n:authority: a\n:path: /"
        )));
    }

    /// A raw dump of an exchange is two messages: the request with the body
    /// up to the blank line before the status line, then the answer. A
    /// request alone, an answer alone, or a body holding `HTTP/` text that
    /// does not follow a blank line, is one message.
    #[test]
    fn an_exchange_in_one_block_is_two_messages() {
        let dump = "POST https://a.example/new-order\ncontent-type: x\n\n{\"a\": 1}\n\nHTTP/1.1 201 Created\nreplay-nonce: N\n\n{\"status\": \"pending\"}";
        let parts = exchange_messages(&block(dump)).expect("two messages");
        let [Some(Http::Request(req)), Some(Http::Response(resp))] =
            [0, 1].map(|i| parse(&parts[i]))
        else {
            panic!("{parts:?}");
        };
        assert_eq!(
            (req.method, &*req.url),
            ("POST", "https://a.example/new-order")
        );
        assert_eq!((resp.status, resp.replay_nonce()), (201, Some("N")));
        assert_eq!(
            body_lines(&parts[0]).len(),
            1,
            "the request's body stops at the answer"
        );
        assert_eq!(parts[1].line, 6);
        let get = block("GET https://a.example/directory\n\nHTTP/1.1 200 OK");
        assert_eq!(exchange_messages(&get).map(|p| p.len()), Some(2));
        for one in [
            "POST https://a.example/x\n\n{\"a\": 1}",
            "HTTP/1.1 200 OK\n\nHTTP/1.1 200 OK",
            "POST https://a.example/x\n\nbody\nHTTP/1.1 200 OK",
            "POST https://a.example/x\n\nbody\n\nHTTP/1.1 abc",
        ] {
            assert!(exchange_messages(&block(one)).is_none(), "{one:?}");
        }
    }

    /// A block RFC 9113 calls malformed, or that does not say where the
    /// request went, is not read as a message: nothing is guessed.
    #[test]
    fn malformed_pseudo_headers_are_not_a_message() {
        for text in [
            ":method: POST\n:scheme: https\n:authority: a\n:path: /x\n:path: /y",
            ":method: POST\n:scheme: https\n:authority: a\ncontent-type: x\n:path: /x",
            ":method: POST\n:scheme: https\n:path: /x",
            ":method: POST\n:authority: a\n:path: /x",
            ":method: POST\n:scheme: https\n:authority: a",
            ":scheme: https\n:authority: a\n:path: /x",
            ":method: POST\n:scheme: ftp\n:authority: a\n:path: /x",
            ":method: POST\n:scheme: https\n:authority: a\n:path: x",
            ":method: POST\n:scheme: https\n:authority: a\n:path: /x y",
            ":method: POST\n:scheme: https\n:authority: u@a\n:path: /x",
            ":method: POST\n:scheme: https\n:authority: a/b\n:path: /x",
            ":method: post\n:scheme: https\n:authority: a\n:path: /x",
            ":method: CONNECT\n:protocol: websocket\n:scheme: https\n:authority: a\n:path: /x",
            ":status: 200\n:path: /x",
            ":status: 2000",
            ":status: 200 OK",
            ":status: 99",
            ":Method: GET",
        ] {
            assert_eq!(parse(&block(text)), None, "{text:?}");
            assert!(!looks_like_http(&block(text)), "{text:?}");
        }
    }

    fn messages(text: &str) -> Vec<Option<Http<'_>>> {
        let b = block(text);
        let parts = curl_messages(&b).expect("a curl -v block");
        parts.iter().map(parse).collect()
    }

    /// `curl -v`: the markers are cut off, `* ` lines dropped, and each run
    /// of `> ` or `< ` lines is a message, with the body curl prints after it.
    #[test]
    fn curl_verbose_blocks_are_their_messages() {
        let text = "*   Trying 1.2.3.4:443...\n* Connected\n> POST /acme/wire/new-order HTTP/2\n>      /acme/{p}/new-order\n> Host: a.example\n> accept: */*\n>\n* [HTTP/2] [1] [:path: /evil]\n< HTTP/2 201\n< replay-nonce: N\n< location: L\n<\n{\"status\": \"pending\"}\n* Connection #0 left intact";
        let b = block(text);
        let parts = curl_messages(&b).expect("curl");
        assert_eq!(parts.len(), 2);
        let Some(Http::Request(q)) = parse(&parts[0]) else {
            panic!("request");
        };
        assert_eq!(q.url, "https://a.example/acme/wire/new-order");
        assert_eq!(q.template, Some("/acme/{p}/new-order"));
        assert_eq!(q.headers.len(), 2);
        let Some(Http::Response(r)) = parse(&parts[1]) else {
            panic!("response");
        };
        assert_eq!(
            (r.status, r.replay_nonce(), r.headers.len()),
            (201, Some("N"), 2)
        );
        let body: Vec<&str> = body_lines(&parts[1]).iter().map(|(_, l)| *l).collect();
        assert_eq!(body, ["{\"status\": \"pending\"}"]);
        assert_eq!(parts[0].line, b.line);
        assert!(looks_like_http(&b));
        let interim = messages("> POST https://a/x\n>\n< HTTP/1.1 100 Continue\n<\n< HTTP/1.1 201 Created\n< location: L\n<\n{}");
        let statuses: Vec<Option<u16>> = interim
            .iter()
            .map(|m| match m {
                Some(Http::Response(r)) => Some(r.status),
                _ => None,
            })
            .collect();
        assert_eq!(statuses, [None, Some(100), Some(201)]);
        let two = messages("> GET https://a/x\n< 200\n> GET https://a/y\n< 404");
        assert_eq!(two.len(), 4);
        assert!(two.iter().all(Option::is_some));
    }

    /// A block that does not begin with curl's markers is not one; `<html>`
    /// or `*/*` is not a marker.
    #[test]
    fn other_blocks_are_not_curl_verbose() {
        for text in [
            "POST https://a/x\n> y",
            "200\n< x",
            "<html>",
            "*/*",
            "",
            "* only information\n* more",
            "\n\n",
        ] {
            assert!(curl_messages(&block(text)).is_none(), "{text:?}");
        }
        assert!(!looks_like_http(&block("> quoted prose\n> more")));
        assert_eq!(messages("< 999\n< x: y"), [None]);
    }
}
