//! Compact JWS tokens (DPoP proofs, access tokens, id tokens) and the many ways a capture
//! shows them: jwt.io links, `Raw:` blocks wrapped at 64 columns, JSON fields, a `dpop:`
//! header carrying base64 of the token, the payload of an ACME JWS.
//!
//! Recognition is strict (three base64url segments, a header that is a JSON object)
//! so that nonces, key authorizations (`token.thumbprint`) and URLs are never taken for
//! tokens. Nothing here checks a signature: `e2ei-verify` does.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use e2ei_verify::jose::b64_decode;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// Where a token occurrence was found. The same token usually appears several times; each
/// occurrence is kept so the auditor can say where it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `[here](https://jwt.io/#id_token=…)` or `[jwt.io](…)` in prose.
    JwtIoLink,
    /// A text block introduced by `Raw:`, lines joined.
    RawBlock,
    /// A text block holding nothing but the token.
    TextBlock,
    /// A string in a JSON body (json block, or a text block holding JSON), at `pointer`.
    JsonField { pointer: String },
    /// The `dpop:` request header; `base64_wrapped` when it held base64 of the compact
    /// form (Wire's clients) rather than the compact form itself (RFC 9449).
    DpopHeader { base64_wrapped: bool },
    /// A string inside the signed payload of an ACME JWS, at `pointer` (e.g.
    /// `/access_token`, `/id_token`).
    AcmePayload { pointer: String },
}

/// The `Decoded:` header and claims views printed after a token. They are what the
/// capture tool *says* the token holds; the signed bytes are the truth. A view shown
/// once for a token shown twice (jwt.io link and `Raw:` block) is shared, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedView {
    pub line: usize,
    pub header: Option<Arc<Value>>,
    pub claims: Option<Arc<Value>>,
}

/// One occurrence of a compact JWS.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The compact serialization `header.payload.signature`, whitespace removed.
    /// Shared by every occurrence of the same token (see [`Known`]).
    pub compact: Arc<str>,
    /// The protected header, decoded (it is always a JSON object).
    pub header: Arc<Map<String, Value>>,
    pub source: TokenSource,
    /// Line where this occurrence starts.
    pub line: usize,
    pub view: Option<DecodedView>,
}

impl Token {
    /// The header's `typ` (`dpop+jwt`, `at+jwt`, `JWT`), if any.
    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// The header's `alg`, if any.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }
}

/// A recognised compact JWS before it is placed in the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compact {
    pub compact: Arc<str>,
    pub header: Arc<Map<String, Value>>,
}

/// Tokens already recognised in this capture. A token is shown up to four times (jwt.io
/// link, `Raw:` block, JSON field, ACME payload): a later occurrence shares the first
/// one's text and decoded header rather than decoding and copying them again. The
/// result is the same as recognising again ([`compact_jws`] depends on the text only);
/// failures are not kept. At most [`Known::CAPACITY`] distinct tokens are kept (a
/// capture holds a few dozen), so a crafted file of many distinct tokens still costs
/// linear time.
#[derive(Debug, Default)]
pub(crate) struct Known {
    tokens: Vec<Compact>,
}

impl Known {
    const CAPACITY: usize = 64;

    /// [`compact_jws`], shared with an earlier occurrence of the same text.
    pub(crate) fn compact_jws(&mut self, s: &str) -> Option<Compact> {
        if let Some(c) = self.tokens.iter().find(|c| *c.compact == *s) {
            return Some(c.clone());
        }
        let c = compact_jws(s)?;
        if self.tokens.len() < Self::CAPACITY {
            self.tokens.push(c.clone());
        }
        Some(c)
    }
}

/// `s` cut at its first `.`, as the first two items of `s.split('.')` (`None` when
/// there is no `.`). Found with the `memchr` crate's vectorised search: str's own
/// searcher costs several times more on these strings, and every token is split on
/// every read and every lookup of its segments.
pub(crate) fn split_dot(s: &str) -> (&str, Option<&str>) {
    let cut =
        memchr::memchr(b'.', s.as_bytes()).and_then(|at| Some((s.get(..at)?, s.get(at + 1..)?)));
    match cut {
        Some((head, rest)) => (head, Some(rest)),
        None => (s, None),
    }
}

/// The first two `.`-separated segments of `s` (a compact JWS: header and payload),
/// as `s.split('.')` gives them.
pub(crate) fn header_and_payload(s: &str) -> (&str, Option<&str>) {
    let (header, rest) = split_dot(s);
    (header, rest.map(|r| split_dot(r).0))
}

/// Recognises `s` as a compact JWS: three non-empty base64url segments that decode, the
/// first to a JSON object.
pub(crate) fn compact_jws(s: &str) -> Option<Compact> {
    // Every string of a JSON body comes here: most are told apart by their first
    // character before any split or decoding (see [`may_start_json_object`]).
    if !s
        .as_bytes()
        .first()
        .is_some_and(|c| may_start_json_object(*c))
    {
        return None;
    }
    let (h, rest) = split_dot(s);
    let (p, rest) = split_dot(rest?);
    let (sig, more) = split_dot(rest?);
    if more.is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    // Payload and signature are only checked to be base64url: the library's strict
    // decoder (base64-simd) accepts exactly the URL alphabet without padding or
    // whitespace, with canonical trailing bits (as the `base64` crate's unpadded URL
    // engine), and its `check` accepts exactly what it decodes (tested), without
    // writing the bytes out.
    if !is_b64url(p) || !is_b64url(sig) {
        return None;
    }
    match super::members::from_json_bytes(&b64_decode(h)?)? {
        // An empty signature only for an unsecured JWS (RFC 7515 §A.5), kept
        // so that its `alg` is judged where it is shown and sent.
        Value::Object(header)
            if !sig.is_empty() || header.get("alg").and_then(Value::as_str) == Some("none") =>
        {
            Some(Compact {
                compact: Arc::from(s),
                header: Arc::new(header),
            })
        }
        _ => None,
    }
}

/// Whether base64url starting with `c` may decode to a JSON object: serde_json reads
/// one only from text starting with `{` or JSON whitespace (no byte-order mark), and
/// a first character encodes the top six bits of the first byte: `e` for `{`, `I`
/// for a space, `C` for a tab or a line feed, `D` for a carriage return.
fn may_start_json_object(c: u8) -> bool {
    matches!(c, b'e' | b'I' | b'C' | b'D')
}

/// Whether `s` is strict base64url, as [`b64_decode`] would decode it.
fn is_b64url(s: &str) -> bool {
    base64_simd::URL_SAFE_NO_PAD.check(s.as_bytes()).is_ok()
}

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
/// Standard alphabet, padding optional.
pub(crate) const STANDARD_LENIENT: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
/// URL-safe alphabet, padding optional.
pub(crate) const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes base64 in either alphabet, padded or not, ignoring ASCII whitespace.
pub(crate) fn decode_any_base64(s: &str) -> Option<Vec<u8>> {
    // Whitespace is rare (PEM bodies are joined before this): copy only then.
    let clean: Cow<'_, [u8]> = if s.bytes().any(|b| b.is_ascii_whitespace()) {
        Cow::Owned(s.bytes().filter(|b| !b.is_ascii_whitespace()).collect())
    } else {
        Cow::Borrowed(s.as_bytes())
    };
    // Canonical padded standard base64 (PEM bodies, DER arrays) first, with the
    // vectorised decoder: whatever it accepts, the lenient engine accepts with the
    // same bytes (tested below), so only the time differs.
    base64_simd::STANDARD
        .decode_to_vec(&clean)
        .ok()
        .or_else(|| STANDARD_LENIENT.decode(&clean).ok())
        .or_else(|| URL_LENIENT.decode(&clean).ok())
}

/// The token in a `dpop:` header value and whether it was base64-wrapped.
pub(crate) fn dpop_header(value: &str, known: &mut Known) -> Option<(Compact, bool)> {
    let value = super::markdown::trim(value);
    if let Some(c) = known.compact_jws(value) {
        return Some((c, false));
    }
    // A value folded over lines (obs-fold, joined by the HTTP reader) holds
    // the folds' whitespace, which no JWS does: the proof is what is left.
    if value.bytes().any(|b| b.is_ascii_whitespace()) {
        let unfolded: String = value.split_ascii_whitespace().collect();
        if let Some(c) = known.compact_jws(&unfolded) {
            return Some((c, false));
        }
    }
    let bytes = decode_any_base64(value)?;
    let inner = std::str::from_utf8(&bytes).ok()?;
    known.compact_jws(inner.trim()).map(|c| (c, true))
}

/// Every token carried by a jwt.io (or jwt.ms, token.dev) link on this prose line. Each URL is read once, so a
/// line made of repeated `jwt.io` costs linear time. This runs on every prose line, so
/// `jwt.io` is looked for from each `j` (few per line) rather than with a substring
/// searcher built per line, and the URL's characters are classified with `matches!`
/// rather than a search in a string of them per character.
pub(crate) fn jwt_io_links(line: &str, known: &mut Known) -> Vec<Compact> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = find_jwt_io(rest) {
        let from = rest.get(at..).unwrap_or("");
        let url = url_at(from);
        found.extend(token_runs(url).filter_map(|p| known.compact_jws(p)));
        rest = from.get(url.len().max(1)..).unwrap_or("");
    }
    found
}

/// The index of the first byte of `bytes` for which `hit` holds. A link's URL holds
/// a kilobyte-long token: 32-byte blocks are tested whole without a branch per byte
/// (the compiler tests a fixed-size block as vectors), and only the block with a hit
/// is searched byte by byte. `hit` must be a branch-free test (`|`, `&`, `matches!`).
pub(crate) fn position_of(bytes: &[u8], hit: impl Fn(u8) -> bool) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (i, block) in blocks.by_ref().enumerate() {
        let any = <&[u8; BLOCK]>::try_from(block)
            .map_or(true, |b| b.iter().fold(false, |any, &x| any | hit(x)));
        if any {
            if let Some(at) = block.iter().position(|&x| hit(x)) {
                return Some(i * BLOCK + at);
            }
        }
    }
    let done = bytes.len() - blocks.remainder().len();
    let at = blocks.remainder().iter().position(|&x| hit(x))?;
    Some(done + at)
}

/// The non-empty runs of token bytes in `url`: a run is ASCII, so it is a `str`. A
/// split by characters gives the same runs and empty ones, which are never tokens.
fn token_runs(url: &str) -> impl Iterator<Item = &str> {
    let mut rest = url;
    std::iter::from_fn(move || loop {
        let start = position_of(rest.as_bytes(), is_token_byte)?;
        let run = rest.get(start..)?;
        let len = position_of(run.as_bytes(), |b| !is_token_byte(b)).unwrap_or(run.len());
        let (token, after) = (run.get(..len)?, run.get(len..)?);
        rest = after;
        if !token.is_empty() {
            return Some(token);
        }
    })
}

/// Whether the ASCII byte `b` ends a URL: whitespace (as [`char::is_whitespace`]
/// has it for ASCII) or one of `)]>"'`.
fn ends_url(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ' | b')' | b']' | b'>' | b'"' | b'\'')
}

/// The URL `from` starts with: up to whitespace or one of `)]>"'`. An ASCII URL (the
/// usual case) is delimited bytewise; a non-ASCII character before any delimiter sends
/// the search to `char`s, where Unicode whitespace also ends the URL.
fn url_at(from: &str) -> &str {
    let url_end = |c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '\'');
    let stop = position_of(from.as_bytes(), |b| !b.is_ascii() | ends_url(b));
    match stop {
        Some(i) if from.as_bytes().get(i).is_some_and(u8::is_ascii) => from.get(..i).unwrap_or(""),
        None => from,
        Some(_) => from.split(url_end).next().unwrap_or(""),
    }
}

/// The token debuggers whose links carry a token in their URL (jwt.io's
/// `#id_token=`, jwt.ms's `#access_token=`, token.dev's `?token=`).
const DEBUGGERS: [&[u8]; 3] = [b"jwt.io", b"jwt.ms", b"token.dev"];

/// The byte offset of the first token debugger's name in `s`.
fn find_jwt_io(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    memchr::memchr2_iter(b'j', b't', bytes).find(|&i| {
        bytes
            .get(i..)
            .is_some_and(|t| DEBUGGERS.iter().any(|d| t.starts_with(d)))
    })
}

/// A `Raw:` block joined into one token. Lines that cannot be part of a token (anything
/// but base64url and `.`) are skipped and reported by their line numbers.
pub(crate) struct RawJoin {
    pub token: Option<Compact>,
    pub stray_lines: Vec<usize>,
}

/// Whether `b` may be part of a compact JWS (base64url or `.`). Branch-free, for
/// [`position_of`].
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() | matches!(b, b'-' | b'_' | b'.')
}

/// Whether every byte of `bytes` is a token byte: tested in 64-byte chunks without
/// a branch per byte (vectorised), as every line of a `Raw:` block is.
fn all_token_bytes(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|chunk| {
        chunk.iter().fold(true, |ok, &b| {
            ok & (b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_') | (b == b'.'))
        })
    })
}

/// Appends `line` without its (Unicode) whitespace to `joined`; false, and
/// nothing appended, when it holds anything else. A line of token characters
/// only (nearly every line of a `Raw:` block) is copied whole, not char by char.
fn append_token_chars(joined: &mut String, line: &str) -> bool {
    if all_token_bytes(line.as_bytes()) {
        joined.push_str(line);
        return true;
    }
    let mark = joined.len();
    for c in line.chars().filter(|c| !c.is_whitespace()) {
        if u8::try_from(c).is_ok_and(is_token_byte) {
            joined.push(c);
        } else {
            joined.truncate(mark);
            return false;
        }
    }
    true
}

pub(crate) fn join_raw(lines: &[(usize, &str)], known: &mut Known) -> RawJoin {
    let mut joined = String::with_capacity(lines.iter().map(|(_, l)| l.len()).sum());
    let mut stray_lines = Vec::new();
    for (n, line) in lines {
        if !append_token_chars(&mut joined, line) {
            stray_lines.push(*n);
        }
    }
    RawJoin {
        token: known.compact_jws(&joined),
        stray_lines,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_cut_where_split_cuts_them() {
        for s in [
            "", ".", "..", "a", "a.", ".b", "a.b", "a.b.c", "a.b.c.d", "é.✅.x", "ab..c",
        ] {
            let mut parts = s.split('.');
            let (header, payload) = super::header_and_payload(s);
            assert_eq!(Some(header), parts.next(), "{s:?}");
            assert_eq!(payload, parts.next(), "{s:?}");
            // The very slices of `s`, which the segment cache keys by address.
            assert_eq!(header.as_ptr(), s.as_ptr());
            let (_, rest) = super::split_dot(s);
            assert_eq!(rest, s.split_once('.').map(|(_, r)| r), "{s:?}");
            let three = |s| {
                let (h, r) = super::split_dot(s);
                let (p, r) = super::split_dot(r?);
                let (sig, more) = super::split_dot(r?);
                more.is_none().then_some([h, p, sig])
            };
            let parts: Vec<&str> = s.split('.').collect();
            assert_eq!(three(s).map(Vec::from), (parts.len() == 3).then_some(parts));
        }
    }

    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

    /// Every string of up to `max` bytes over `alphabet`, shortest first.
    fn strings_over(alphabet: &'static [u8], max: u32) -> impl Iterator<Item = Vec<u8>> {
        (0..=max).flat_map(move |len| {
            (0..alphabet.len().pow(len)).map(move |mut n| {
                (0..len)
                    .map(|_| {
                        let byte = alphabet[n % alphabet.len()];
                        n /= alphabet.len();
                        byte
                    })
                    .collect()
            })
        })
    }

    /// The vectorised decoder tried first never changes a result: every string it
    /// accepts (all of up to five characters from an alphabet that exercises
    /// padding, trailing bits, both alphabets and whitespace), the lenient engine
    /// accepts with the same bytes; long ones round-trip.
    #[test]
    fn the_vectorised_first_try_agrees_with_the_lenient_engine() {
        let mut accepted = 0;
        for t in strings_over(b"AQgw+/=Z9a-_ ", 5) {
            if let Ok(fast) = base64_simd::STANDARD.decode_to_vec(&t) {
                assert_eq!(STANDARD_LENIENT.decode(&t).ok(), Some(fast), "{t:?}");
                accepted += 1;
            }
        }
        assert!(accepted > 1_000);
        let long: Vec<u8> = (0..3000u32).map(|i| (i * 37 + 11) as u8).collect();
        let text = STANDARD.encode(&long);
        assert_eq!(decode_any_base64(&text).as_deref(), Some(long.as_slice()));
        let wrapped = text
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            decode_any_base64(&wrapped).as_deref(),
            Some(long.as_slice())
        );
    }

    /// The check accepts exactly what the decoder decodes: every string of up to
    /// five characters from an alphabet with both alphabets, padding, trailing-bit
    /// variants and whitespace, and long ones with one bad byte.
    #[test]
    fn the_base64url_check_accepts_what_decoding_accepts() {
        for t in strings_over(b"AQgw-_+/=Z9a .", 5) {
            let t = String::from_utf8(t).unwrap();
            assert_eq!(is_b64url(&t), b64_decode(&t).is_some(), "{t:?}");
        }
        let long = URL_SAFE_NO_PAD.encode((0..1500u32).map(|i| (i * 7) as u8).collect::<Vec<_>>());
        assert!(is_b64url(&long));
        for at in [0, 31, 32, 37, 38, 700, long.len() - 1] {
            for bad in [b'=', b'+', b'/', b' ', b'.'] {
                let mut t = long.clone().into_bytes();
                t[at] = bad;
                let t = String::from_utf8(t).unwrap();
                assert_eq!(is_b64url(&t), b64_decode(&t).is_some(), "{at} {bad}");
            }
        }
    }

    #[test]
    fn positions_are_found_as_a_byte_by_byte_search_finds_them() {
        let line = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2ln-_".repeat(5);
        let hit = |b: u8| !is_token_byte(b);
        for len in [0, 1, 31, 32, 33, 64, 65, line.len()] {
            for bad in [
                None,
                Some(0),
                Some(31),
                Some(32),
                Some(63),
                Some(64),
                Some(100),
            ] {
                let mut t = line.as_bytes()[..len].to_vec();
                if let Some(at) = bad.filter(|at| *at < len) {
                    t[at] = b')';
                    if at + 3 < len {
                        t[at + 3] = b' ';
                    }
                }
                assert_eq!(position_of(&t, hit), t.iter().position(|b| hit(*b)));
            }
        }
    }

    /// Every first byte of a text serde_json reads as an object is encoded by a
    /// first character the shortcut lets through.
    #[test]
    fn every_json_object_header_passes_the_first_character_test() {
        for b in 0..=255u8 {
            let text = [&[b][..], br#"{"a":1}"#].concat();
            let object = matches!(
                super::super::members::from_json_bytes(&text),
                Some(Value::Object(_))
            );
            let first = URL_SAFE_NO_PAD.encode(&text).as_bytes()[0];
            assert!(!object || may_start_json_object(first), "{b:#x}");
        }
        for start in [&b"{}"[..], b" {}", b"\t{}", b"\n{}", b"\r{}"] {
            let first = URL_SAFE_NO_PAD.encode(start).as_bytes()[0];
            assert!(may_start_json_object(first), "{start:?}");
        }
    }

    #[test]
    fn the_url_end_byte_test_is_the_char_test_on_ascii() {
        for b in 0..=127u8 {
            let c = char::from(b);
            let reference = c.is_whitespace() || ")]>\"'".contains(c);
            assert_eq!(ends_url(b), reference, "{b:#x}");
        }
    }

    #[test]
    fn token_runs_are_the_char_split_without_empty_ones() {
        for url in [
            "https://jwt.io/#id_token=eyJh.eyJi.c2ln&x=é✅y.z",
            "",
            "é",
            "a..b--c__d",
            "%20eyJ%2E",
            &format!(
                "{}%{}é{}",
                "eyJ.a-_".repeat(9),
                "b".repeat(40),
                "c".repeat(33)
            ),
        ] {
            let by_char: Vec<&str> = url
                .split(|c: char| !(u8::try_from(c).is_ok_and(is_token_byte)))
                .filter(|p| !p.is_empty())
                .collect();
            let by_byte: Vec<&str> = token_runs(url).filter(|p| !p.is_empty()).collect();
            assert_eq!(by_byte, by_char, "{url}");
        }
    }

    #[test]
    fn token_bytes_are_told_apart_chunk_by_chunk_as_byte_by_byte() {
        let line = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2ln-_".repeat(5);
        assert!(all_token_bytes(line.as_bytes()));
        for bad in [b' ', b'=', b'+', b'/', b'\t', 0x80, 0xff, b'~'] {
            for at in [0, 63, 64, 100, line.len() - 1] {
                let mut t = line.clone().into_bytes();
                t[at] = bad;
                assert_eq!(all_token_bytes(&t), t.iter().copied().all(is_token_byte));
                assert!(!all_token_bytes(&t));
            }
        }
        assert!(all_token_bytes(b""));
    }

    fn jws(header: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode("{\"a\":1}"),
            URL_SAFE_NO_PAD.encode("sig")
        )
    }

    #[test]
    fn compact_requires_three_segments_and_json_header() {
        let t = jws(r#"{"alg":"EdDSA","typ":"dpop+jwt"}"#);
        let c = compact_jws(&t).expect("token");
        assert_eq!(c.header.get("typ"), Some(&Value::from("dpop+jwt")));
        assert!(compact_jws(&jws("[1]")).is_none());
        assert!(compact_jws(&jws("not json")).is_none());
        assert!(compact_jws("abc.def").is_none());
        assert!(compact_jws("a.b.c.d").is_none());
        assert!(compact_jws(&format!("{t}.")).is_none());
        assert!(compact_jws("chal.thumbprint").is_none());
        assert!(compact_jws(&t.replacen('.', "..", 1)).is_none());
        assert!(compact_jws(&format!("{t}=")).is_none());
        // An empty signature only for an unsecured JWS (`alg` `none`).
        let unsigned = |header: &str| {
            let t = jws(header);
            format!("{}.", &t[..t.rfind('.').unwrap_or_default()])
        };
        assert!(compact_jws(&unsigned(r#"{"alg":"none","typ":"dpop+jwt"}"#)).is_some());
        assert!(compact_jws(&unsigned(r#"{"alg":"ES256","typ":"dpop+jwt"}"#)).is_none());
        assert!(compact_jws(&unsigned(r#"{"typ":"dpop+jwt"}"#)).is_none());
    }

    #[test]
    fn known_tokens_are_shared_and_recognised_as_before() {
        let mut known = Known::default();
        let t = jws(r#"{"alg":"EdDSA","typ":"dpop+jwt"}"#);
        let first = known.compact_jws(&t).expect("token");
        let again = known.compact_jws(&t.clone()).expect("token");
        assert_eq!(Some(&again), compact_jws(&t).as_ref());
        assert!(Arc::ptr_eq(&first.compact, &again.compact));
        assert!(Arc::ptr_eq(&first.header, &again.header));
        assert!(known.compact_jws("abc.def").is_none());
        assert!(known.compact_jws(&format!("{t}=")).is_none());
        for i in 0..Known::CAPACITY + 8 {
            let other = jws(&format!(r#"{{"alg":"EdDSA","kid":"{i}"}}"#));
            assert_eq!(known.compact_jws(&other), compact_jws(&other));
        }
        assert_eq!(known.tokens.len(), Known::CAPACITY);
    }

    #[test]
    fn dpop_header_in_every_base64_flavour() {
        let t = jws(r#"{"typ":"dpop+jwt"}"#);
        for enc in [
            STANDARD.encode(&t),
            URL_SAFE.encode(&t),
            URL_SAFE_NO_PAD.encode(&t),
            STANDARD.encode(&t).trim_end_matches('=').to_owned(),
        ] {
            let (c, wrapped) = dpop_header(&enc, &mut Known::default()).expect("decodes");
            assert!(wrapped);
            assert_eq!(&*c.compact, t);
        }
        assert_eq!(
            dpop_header(&t, &mut Known::default()).map(|(_, w)| w),
            Some(false)
        );
        assert!(dpop_header("not base64 !!", &mut Known::default()).is_none());
        assert!(dpop_header(&STANDARD.encode("hello"), &mut Known::default()).is_none());
        assert!(dpop_header(&STANDARD.encode([0xff, 0xfe, 0x00]), &mut Known::default()).is_none());
    }

    #[test]
    fn url_ends_where_the_char_split_ends_it() {
        let reference = |s: &str| {
            let end = |c: char| c.is_whitespace() || ")]>\"'".contains(c);
            s.split(end).next().unwrap_or("").to_owned()
        };
        for s in [
            "",
            "a",
            "jwt.io/#t=a.b.c) x",
            "a\u{a0}b",
            "aé b",
            "a\u{2003}b)",
            "x'y",
            "a\tb",
            "q]",
            "é",
        ] {
            assert_eq!(url_at(s), reference(s), "{s:?}");
        }
    }

    #[test]
    fn jwt_io_is_found_where_str_find_finds_it() {
        for s in [
            "",
            "jwt.io",
            "jjwt.io",
            "jwt.i",
            "a jw jwt.iojwt.io",
            "é✅ jwt.io)",
            "JWT.IO",
        ] {
            assert_eq!(find_jwt_io(s), s.find("jwt.io"), "{s:?}");
        }
    }

    #[test]
    fn links_in_both_styles() {
        let t = jws(r#"{"alg":"ES256"}"#);
        let line = format!(
            "Token [here](https://jwt.io/#id_token={t}) and [jwt.io](https://jwt.io/#id_token={t})"
        );
        assert_eq!(jwt_io_links(&line, &mut Known::default()).len(), 2);
        assert!(jwt_io_links(
            "see https://jwt.io/#id_token=abc.def.ghi",
            &mut Known::default()
        )
        .is_empty());
        assert!(jwt_io_links(
            &format!("https://example.com/#t={t}"),
            &mut Known::default()
        )
        .is_empty());
    }

    #[test]
    fn raw_block_join_and_stray_lines() {
        let t = jws(r#"{"alg":"RS256"}"#);
        let (a, b) = t.split_at(20);
        let lines = [(1, a), (2, "  "), (3, b)];
        let j = join_raw(&lines, &mut Known::default());
        assert_eq!(j.token.map(|c| c.compact), Some(Arc::from(t.as_str())));
        assert!(j.stray_lines.is_empty());
        let lines = [(1, a), (2, "✅ oops: stray"), (3, b)];
        let j = join_raw(&lines, &mut Known::default());
        assert!(j.token.is_some());
        assert_eq!(j.stray_lines, vec![2]);
        assert!(join_raw(&[(1, "abc")], &mut Known::default())
            .token
            .is_none());
    }
}
