//! Assembles scanned Markdown events into sections, steps, items, tokens and objects.
//!
//! The reader is a small state machine: the current section and step, the current
//! `###` group and `######` sub-heading, and what the last prose line announced
//! (`Raw:` or `Decoded:`) for the blocks that follow.

use base64::Engine;
use memchr::memmem;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

use super::chain::{self, DerObject, ObjectKind, ObjectSource, TextView};
use super::http::{self, Http};
use super::json::{self, AcmeJws, Harvest, JsonBlock, Lines};
use super::markdown::{self, Block, Event};
use super::section::{self, Suite};
use super::tokens::{self, Compact, DecodedView, Known, Token, TokenSource};
use super::value;
use super::{
    Finding, FindingKind, Item, ItemKind, Repeated, Section, Step, Transcript, TranscriptError,
};

/// What the last prose line (or block) announced for the next block(s).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Marker {
    #[default]
    None,
    /// `Raw:`: the next text block is a wrapped token.
    Raw,
    /// `Decoded:`: the next JSON blocks are the header and claims views of the token(s)
    /// just shown; `header_line` is set once the header view is attached.
    Decoded { header_line: Option<usize> },
    /// `❌ Invalid Signature with key:`: the capture's own tool says the key in the
    /// next block does not verify the token shown above it.
    KeyRejected,
    /// An HTTP response block without a body of its own: the next block, with no
    /// heading or prose between, is its body.
    ResponseBody,
}

#[derive(Default)]
struct Reader<'a> {
    title: Option<&'a str>,
    /// Finished sections; `current` is the one being filled.
    sections: Vec<Section<'a>>,
    current: Option<Section<'a>>,
    findings: Vec<Finding>,
    group: Option<&'a str>,
    subheading: Option<&'a str>,
    marker: Marker,
    /// Set while the block after a [`Marker::KeyRejected`] line is read.
    key_rejected: bool,
    /// Set while an HTTP response's body is read: its PEM blocks are what the server
    /// sent ([`ObjectSource::PemBody`]), not views printed beside it.
    response_body: bool,
    /// Tokens recognised so far, shared by their later occurrences.
    known: Known,
}

/// Reads `text`; an error when no step, block or token was found, or when
/// steps were but nothing under any of them was read.
pub(crate) fn read(text: &str) -> Result<Transcript<'_>, TranscriptError> {
    let mut r = Reader::default();
    markdown::scan(text, |event| r.event(event));
    r.sections.extend(r.current.take());
    let usable = r.sections.iter().any(|s| {
        !s.steps.is_empty() || !s.preamble.items.is_empty() || !s.preamble.tokens.is_empty()
    });
    if !usable {
        return Err(TranscriptError::NothingUsable);
    }
    let holds = |s: &Step<'_>| !s.items.is_empty() || !s.tokens.is_empty() || !s.objects.is_empty();
    let read_any = r
        .sections
        .iter()
        .any(|s| holds(&s.preamble) || s.steps.iter().any(holds));
    if !read_any {
        let steps = r.sections.iter().map(|s| s.steps.len()).sum();
        return Err(TranscriptError::NothingRead { steps });
    }
    Ok(Transcript {
        title: r.title,
        sections: r.sections,
        findings: r.findings,
    })
}

fn empty_step<'a>(
    number: Option<u32>,
    title: &'a str,
    group: Option<&'a str>,
    line: usize,
) -> Step<'a> {
    Step {
        number,
        title,
        group,
        line,
        items: Vec::new(),
        tokens: Vec::new(),
        objects: Vec::new(),
        repeated: Vec::new(),
    }
}

fn section_at(suite: Option<Suite>, suite_line: Option<&str>, line: usize) -> Section<'_> {
    Section {
        suite,
        suite_line,
        line,
        preamble: empty_step(None, "", None, line),
        steps: Vec::new(),
    }
}

/// Finds the line where a JSON string value is printed. Pretty-printed JSON puts one
/// member per line; the member's key tells equal values apart, and each line is handed
/// out once so that a value repeated in a block gets each of its lines. The search
/// resumes after the last hit (wrapping), so values in document order cost linear time.
struct Locator<'b, 'a> {
    block: &'b Block<'a>,
    /// Lines already handed out: a handful per block, so a list, not a hashed set.
    used: Vec<usize>,
    cursor: usize,
    /// The quoted member key being looked for (see [`member_key`]).
    key: String,
}

/// The start of `value` as it appears verbatim in JSON source (before any character
/// JSON would escape), at most 48 bytes. An ASCII start (tokens, URLs, nonces) is
/// cut bytewise; a non-ASCII character within it sends the search to `char`s.
fn verbatim_prefix(value: &str) -> &str {
    const MAX: usize = 48;
    let head = value.as_bytes().get(..MAX).unwrap_or(value.as_bytes());
    let stop = head
        .iter()
        .position(|&b| !b.is_ascii() || b.is_ascii_control() || b == b'"' || b == b'\\');
    let end = match stop {
        Some(i) if head.get(i).is_some_and(u8::is_ascii) => i,
        // Only ASCII before byte 48, which therefore starts a character.
        None => head.len(),
        Some(_) => value
            .char_indices()
            .find(|(i, c)| *i >= MAX || c.is_control() || *c == '"' || *c == '\\')
            .map_or(value.len(), |(i, _)| i),
    };
    value.get(..end).unwrap_or("")
}

/// The last token of a JSON pointer when it names a member (not an array index).
fn member_token(pointer: &str) -> Option<&str> {
    let last = pointer.rsplit('/').next()?;
    let is_index = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    (!is_index && !pointer.is_empty()).then_some(last)
}

/// Writes the member key a JSON pointer ends with, quoted, into `out` (cleared
/// first; a buffer reused for every value located); false for an array index.
fn member_key(pointer: &str, out: &mut String) -> bool {
    out.clear();
    let Some(token) = member_token(pointer) else {
        return false;
    };
    out.push('"');
    if token.contains('~') {
        out.push_str(&token.replace("~1", "/").replace("~0", "~"));
    } else {
        out.push_str(token);
    }
    out.push('"');
    true
}

/// A substring searched for in a few lines. A value's prefix (at most 48 bytes) and
/// a member key are short and usually found within a few lines: a
/// [`memmem::Finder`] costs more to build than such a search, so a short needle is
/// compared wherever its first byte occurs (at most 48 bytes compared per
/// occurrence, so still linear), and only a long one (a crafted key) gets a finder.
enum Needle<'n> {
    Short(&'n [u8]),
    Long(Box<memmem::Finder<'n>>),
}

impl<'n> Needle<'n> {
    const SHORT: usize = 48;

    fn new(needle: &'n [u8]) -> Self {
        if needle.len() <= Self::SHORT {
            Self::Short(needle)
        } else {
            Self::Long(Box::new(memmem::Finder::new(needle)))
        }
    }

    fn is_in(&self, hay: &[u8]) -> bool {
        match self {
            Self::Short([]) => true,
            Self::Short(needle @ [first, ..]) => memchr::memchr_iter(*first, hay)
                .any(|at| hay.get(at..at + needle.len()) == Some(needle)),
            Self::Long(finder) => finder.find(hay).is_some(),
        }
    }
}

impl<'b, 'a> Locator<'b, 'a> {
    fn new(block: &'b Block<'a>) -> Self {
        Self {
            block,
            used: Vec::new(),
            cursor: 0,
            key: String::new(),
        }
    }

    fn line(&mut self, pointer: &str, value: &str) -> usize {
        let prefix = verbatim_prefix(value);
        let keyed = member_key(pointer, &mut self.key);
        let lines = &self.block.lines;
        let (before, after) = lines.split_at(self.cursor.min(lines.len()));
        // A byte substring of UTF-8 text is a str substring.
        let value_needle = Needle::new(prefix.as_bytes());
        let key_needle = keyed.then(|| Needle::new(self.key.as_bytes()));
        let find = |with_key: bool, unused: bool| {
            after.iter().chain(before).position(|(n, l)| {
                value_needle.is_in(l.as_bytes())
                    && (!with_key || key_needle.as_ref().is_none_or(|k| k.is_in(l.as_bytes())))
                    && (!unused || !self.used.contains(n))
            })
        };
        let found = find(true, true)
            .or_else(|| find(false, true))
            .or_else(|| find(false, false));
        let Some(offset) = found else {
            return self.block.line;
        };
        let index = (before.len() + offset) % lines.len().max(1);
        let line = lines.get(index).map_or(self.block.line, |(n, _)| *n);
        self.used.push(line);
        self.cursor = index + 1;
        line
    }
}

fn first_content_line(block: &Block<'_>) -> usize {
    block
        .lines
        .iter()
        .find(|(_, l)| !markdown::trim(l).is_empty())
        .map_or(block.line, |(n, _)| *n)
}

/// How a block is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadAs {
    Json,
    Raw,
    Text,
    Http,
    Other,
}

/// Chooses by info string (its first word, ASCII case ignored), and for text,
/// shell or untagged fences by content: some eras print JSON bodies in text fences,
/// and generators label HTTP messages `text` or `console` too. The word is compared
/// in place rather than lower-cased into a new string for every block.
fn read_as(lang: &str, block: &Block<'_>, marker: Marker) -> ReadAs {
    let is = |names: &[&str]| names.iter().any(|n| lang.eq_ignore_ascii_case(n));
    let textish = is(&["text", "txt", "plain", "plaintext", "pem", ""]);
    // A shell transcript's fence: what it holds is read only when it is an
    // HTTP message (a request or status line first, or `curl -v` output).
    let shellish = is(&["console", "shell", "sh"]);
    let http = lang
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"http"));
    match () {
        () if is(&["json", "jsonc", "json5"]) => ReadAs::Json,
        () if textish && marker == Marker::Raw => ReadAs::Raw,
        () if textish && holds_json(block) => ReadAs::Json,
        // A text-like or untagged fence is read by what it holds: an HTTP
        // message labelled as text is what was sent all the same, and must
        // not be skipped (its faults would pass unseen).
        () if (textish || shellish) && http::looks_like_http(block) => ReadAs::Http,
        () if textish => ReadAs::Text,
        () if http => ReadAs::Http,
        () => ReadAs::Other,
    }
}

/// Whether a block holds JSON: all of it, or (2023-01's ACME bodies) the part
/// before a `...decoded...` line.
fn holds_json(block: &Block<'_>) -> bool {
    let content = block.content_ref();
    if !content.trim_start().starts_with(['{', '[', '"']) {
        return false;
    }
    if value::is_json(&content) {
        return true;
    }
    match json::split_decoded(&block.lines) {
        (signed, Some(_)) => value::is_json(&markdown::join_lines(block.source, signed)),
        _ => false,
    }
}

/// A body logged as a JSON string of its JSON (a HAR `text` field,
/// `JSON.stringify(body)`: `"{\"status\":\"valid\"}"`) is that JSON: the
/// quotes and escapes are the logger's, the server sent the string's content.
/// Only a string whose content is an object or an array is so read; any other
/// string (a nonce, 2023-01) stays the value it is.
fn string_of_json(value: Value, repeated: Option<String>) -> (Value, Option<String>) {
    let Value::String(s) = &value else {
        return (value, repeated);
    };
    if !s.trim_start().starts_with(['{', '[']) {
        return (value, repeated);
    }
    match value::parse_noting_repeats(s) {
        Some((inner, inner_repeated)) if inner.is_object() || inner.is_array() => {
            (inner, inner_repeated)
        }
        _ => (value, repeated),
    }
}

/// A label's words without their markup: emphasis (`**Raw:**`, `_Decoded:_`),
/// the HTML tags around them (`<b>Decoded</b>`, `<p><strong>Raw:</strong></p>`)
/// and a final colon. Borrowed, never copied: this runs on every prose line.
fn label_words(text: &str) -> &str {
    let mut label = text.trim_matches(['*', '_']).trim();
    loop {
        label = label.trim_end_matches(':').trim_end();
        let inner = match (label.strip_prefix('<'), label.strip_suffix('>')) {
            (Some(rest), _) => rest.split_once('>').map_or("", |(_, after)| after),
            (None, Some(rest)) => rest.rsplit_once('<').map_or("", |(before, _)| before),
            (None, None) => break,
        };
        label = inner.trim_matches(['*', '_']).trim();
    }
    label.trim_end_matches(':').trim_end()
}

/// What a label line (prose, or a `######` sub-heading) announces for the
/// blocks after it. Besides `Raw:` and `Decoded:`, the labels jwt.io and other
/// tools print above a token's views name them too: `Header` (then the header
/// view), `Claims`, `JWT`, `Header & claims`; `Payload` continues a view
/// whose header was just read (the claims follow). `previous` is what the
/// line before announced. Compared in place: no lower-cased copy of a line.
fn label_marker(text: &str, previous: Marker) -> Marker {
    let label = label_words(text);
    let is = |names: &[&str]| names.iter().any(|n| label.eq_ignore_ascii_case(n));
    let decoded = label
        .as_bytes()
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"decoded"));
    match previous {
        _ if is(&["raw"]) => Marker::Raw,
        _ if decoded || is(&["header", "claims", "jwt", "header & claims"]) => {
            Marker::Decoded { header_line: None }
        }
        Marker::Decoded {
            header_line: Some(h),
        } if is(&["payload"]) => Marker::Decoded {
            header_line: Some(h),
        },
        _ => Marker::None,
    }
}

/// The object kind an openssl text dump describes, from its first line.
/// The prose line Wire's tool prints above a key that did NOT verify the token
/// shown (`❌ Invalid Signature with key:`, beside `✅ Signature Verified with key:`).
fn rejects_key(text: &str) -> bool {
    const NEEDLE: &[u8] = b"invalid signature";
    // Runs on every prose line: only where an `i` starts is a window compared.
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'i', b'I', bytes).any(|at| {
        bytes
            .get(at..at + NEEDLE.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(NEEDLE))
    })
}

fn openssl_view_kind(content: &str) -> Option<ObjectKind> {
    match content.trim_start().lines().next()?.trim() {
        "Certificate:" => Some(ObjectKind::Certificate),
        "Certificate Request:" => Some(ObjectKind::CertificateRequest),
        _ => None,
    }
}

impl<'a> Reader<'a> {
    fn event(&mut self, event: &Event<'a>) {
        match *event {
            Event::Heading { level, text, line } => self.heading(level, text, line),
            Event::Prose { text, line } => self.prose(text, line),
            Event::Block(ref block) => self.block(block),
        }
    }

    fn new_section(&mut self, suite: Option<Suite>, suite_line: Option<&'a str>, line: usize) {
        self.sections.extend(self.current.take());
        self.current = Some(section_at(suite, suite_line, line));
        self.group = None;
        self.subheading = None;
        self.marker = Marker::None;
    }

    /// The section content goes to; a capture without suite line gets one implicit
    /// section here.
    fn section_mut(&mut self, line: usize) -> &mut Section<'a> {
        self.current
            .get_or_insert_with(|| section_at(None, None, line))
    }

    /// The step content goes to: the last step, or the preamble of the section.
    fn step_mut(&mut self, line: usize) -> &mut Step<'a> {
        let section = self.section_mut(line);
        match section.steps.last_mut() {
            Some(step) => step,
            None => &mut section.preamble,
        }
    }

    /// A suite line opens a section, unless it names the suite the current
    /// section runs and that section's enrolment has not reached its
    /// certificate yet: printed again inside an enrolment (before a step,
    /// between a request and its answer), it would cut the enrolment in two
    /// flows, each judged without the other's half. After a certificate the
    /// enrolment is done, and the line opens the next one's section (2024-02
    /// prints its suite's enrolments so).
    fn suite_line(&mut self, suite: Suite, text: &'a str, line: usize) {
        let inside = self.current.as_ref().is_some_and(|s| {
            let certified = s
                .steps
                .iter()
                .flat_map(|step| &step.objects)
                .any(|o| o.kind == ObjectKind::Certificate);
            s.suite == Some(suite) && !certified
        });
        if !inside {
            self.new_section(Some(suite), Some(text), line);
        }
    }

    fn heading(&mut self, level: usize, text: &'a str, line: usize) {
        let previous = std::mem::take(&mut self.marker);
        if let Some(suite) = section::suite_of(text) {
            return self.suite_line(suite, text, line);
        }
        let h = section::step_heading(text);
        match level {
            1 => {
                self.title.get_or_insert(text);
            }
            2 | 3 if h.number.is_none() => self.group = Some(text),
            // A numbered heading is a step at any level below the title
            // (generators write `#####` too); deeper unnumbered ones label
            // what follows (`###### CSR:`).
            2..=6 if level <= 4 || h.number.is_some() => {
                let step = empty_step(h.number, h.title, self.group, line);
                self.subheading = None;
                self.section_mut(line).steps.push(step);
            }
            _ => {
                self.subheading = Some(text.trim_end_matches(':').trim());
                // `###### Decoded` labels the views as the prose line would.
                self.marker = label_marker(text, previous);
            }
        }
    }

    fn prose(&mut self, text: &'a str, line: usize) {
        if let Some(suite) = section::suite_of(text) {
            self.marker = Marker::None;
            return self.suite_line(suite, text, line);
        }
        for c in tokens::jwt_io_links(text, &mut self.known) {
            self.push_token(c, TokenSource::JwtIoLink, line);
        }
        self.marker = match label_marker(text, self.marker) {
            Marker::None if rejects_key(text) => Marker::KeyRejected,
            marker => marker,
        };
    }

    fn push_token(&mut self, c: Compact, source: TokenSource, line: usize) {
        self.step_mut(line).tokens.push(Token {
            compact: c.compact,
            header: c.header,
            source,
            line,
            view: None,
        });
    }

    fn push_item(&mut self, line: usize, kind: ItemKind<'a>) {
        self.step_mut(line).items.push(Item { line, kind });
    }

    /// Remembers, on the step, a JSON block whose object gives `name` twice.
    fn note_repeat(&mut self, line: usize, name: Option<String>) {
        if let Some(name) = name {
            self.step_mut(line).repeated.push(Repeated { line, name });
        }
    }

    fn finding(&mut self, line: usize, kind: FindingKind) {
        self.findings.push(Finding { line, kind });
    }

    fn block(&mut self, block: &Block<'a>) {
        if !block.closed {
            self.finding(block.line, FindingKind::UnclosedFence);
        }
        let lang = block.lang.split_whitespace().next().unwrap_or("");
        let marker = std::mem::take(&mut self.marker);
        self.key_rejected = marker == Marker::KeyRejected;
        self.response_body = marker == Marker::ResponseBody;
        match read_as(lang, block, marker) {
            ReadAs::Json if self.decoded_view(marker, block) => {}
            ReadAs::Json => self.json_block(block),
            ReadAs::Raw => self.raw_block(block),
            ReadAs::Text => self.text_block(block),
            ReadAs::Http => self.http_block(block),
            ReadAs::Other => self.push_item(block.line, ItemKind::Other { lang: block.lang }),
        }
    }

    /// Attaches a `Decoded:` JSON block to the tokens just shown (jwt.io link and `Raw:`
    /// block of the current step that have no view yet). False when it is not one.
    fn decoded_view(&mut self, marker: Marker, block: &Block<'_>) -> bool {
        let Marker::Decoded { header_line } = marker else {
            return false;
        };
        let (value, repeated) = match value::parse_noting_repeats(&block.content_ref()) {
            Some((v, r)) => (Some(Arc::new(v)), r),
            None => (None, None),
        };
        self.note_repeat(block.line, repeated);
        let step = self.step_mut(block.line);
        let shown = |t: &Token| matches!(t.source, TokenSource::JwtIoLink | TokenSource::RawBlock);
        let mut slots: Vec<&mut Option<Arc<Value>>> = match header_line {
            None => step
                .tokens
                .iter_mut()
                .filter(|t| shown(t) && t.view.is_none())
                .map(|t| {
                    let view = t.view.insert(DecodedView {
                        line: block.line,
                        header: None,
                        claims: None,
                    });
                    &mut view.header
                })
                .collect(),
            Some(h) => step
                .tokens
                .iter_mut()
                .filter_map(|t| {
                    t.view
                        .as_mut()
                        .filter(|v| v.line == h && v.claims.is_none())
                })
                .map(|v| &mut v.claims)
                .collect(),
        };
        let attached = slots.len();
        // Each token shown gets the view, one value shared by all.
        if let Some((last, rest)) = slots.split_last_mut() {
            for slot in rest {
                **slot = value.clone();
            }
            **last = value;
        }
        if attached > 0 && header_line.is_none() {
            self.marker = Marker::Decoded {
                header_line: Some(block.line),
            };
        }
        attached > 0
    }

    /// An http block: one message, or the messages of a `curl -v` exchange.
    fn http_block(&mut self, block: &Block<'a>) {
        match http::curl_messages(block).or_else(|| http::exchange_messages(block)) {
            Some(messages) => messages.iter().for_each(|m| self.http_message(m)),
            None => self.http_message(block),
        }
    }

    fn http_message(&mut self, block: &Block<'a>) {
        // Only a response's body is what a server sent, and only the block's
        // last message can have its body in the next block.
        self.response_body = false;
        self.marker = Marker::None;
        match http::parse(block) {
            Some(Http::Request(req)) => {
                for h in req
                    .headers
                    .iter()
                    .filter(|h| h.name.eq_ignore_ascii_case("dpop"))
                {
                    match tokens::dpop_header(h.value, &mut self.known) {
                        Some((c, base64_wrapped)) => {
                            self.push_token(c, TokenSource::DpopHeader { base64_wrapped }, h.line)
                        }
                        None => self.finding(h.line, FindingKind::DpopHeaderNotJws),
                    }
                }
                self.push_item(block.line, ItemKind::Request(req));
            }
            Some(Http::Response(resp)) => {
                self.push_item(block.line, ItemKind::Response(resp));
                self.response_body = true;
            }
            None => {
                let first = block.lines.iter().map(|(_, l)| markdown::trim(l));
                let kind = match first.into_iter().find(|l| !l.is_empty()) {
                    Some(first) => ItemKind::UnreadHttp { first },
                    None => ItemKind::Other { lang: block.lang },
                };
                return self.push_item(block.line, kind);
            }
        }
        self.inline_body(block);
    }

    /// A body written in its HTTP message's block, after the blank line, is
    /// read as the block that would otherwise follow: JSON, else text. A
    /// response without one takes the next block as its body.
    fn inline_body(&mut self, block: &Block<'a>) {
        let body = http::body_lines(block);
        let Some(&(first, _)) = body.first() else {
            if self.response_body {
                self.marker = Marker::ResponseBody;
            }
            return;
        };
        let body = Block {
            lang: "",
            line: first.saturating_sub(1),
            lines: body.to_vec(),
            closed: true,
            source: block.source,
        };
        if holds_json(&body) {
            self.json_block(&body);
        } else {
            self.text_block(&body);
        }
    }

    fn json_block(&mut self, block: &Block<'a>) {
        let (signed, decoded) = json::split_decoded(&block.lines);
        let raw = markdown::join_lines(block.source, signed);
        let Some((value, repeated)) = value::parse_noting_repeats(&raw) else {
            self.finding(block.line, FindingKind::InvalidJson);
            self.loose_text(&raw, block);
            let item = ItemKind::Json(JsonBlock { raw, value: None });
            return self.push_item(block.line, item);
        };
        let (value, repeated) = string_of_json(value, repeated);
        let value = match AcmeJws::from_body(value) {
            Ok(jws) => {
                self.note_repeat(block.line, repeated);
                return self.acme_jws(jws, decoded, block);
            }
            Err(value) => value,
        };
        let value = if json::is_decoded_jws_view(&value) {
            match self.attach_jws_view(value, block.line) {
                Ok(()) => return self.note_repeat(block.line, repeated),
                Err(value) => value,
            }
        } else {
            value
        };
        let harvest = json::harvest(&value, &mut self.known);
        self.absorb(harvest, &value, block, |pointer| TokenSource::JsonField {
            pointer,
        });
        self.note_repeat(block.line, repeated);
        let item = ItemKind::Json(JsonBlock {
            raw,
            value: Some(value),
        });
        self.push_item(block.line, item);
    }

    /// An ACME request body, with the decoded view printed after `...decoded...` in
    /// the same block (2023-01), if any.
    fn acme_jws(&mut self, mut jws: AcmeJws, decoded: Option<Lines<'_, 'a>>, block: &Block<'a>) {
        if let Some(d) = decoded {
            let view = value::parse_noting_repeats(&markdown::join_lines(block.source, d));
            let (view, repeated) = view.map_or((None, None), |(v, r)| (Some(v), r));
            jws.decoded = view;
            jws.decoded_line = d.first().map(|(n, _)| *n);
            self.note_repeat(jws.decoded_line.unwrap_or(block.line), repeated);
        }
        self.acme_payload(&jws, block);
        self.push_item(block.line, ItemKind::AcmeJws(jws));
    }

    /// The decoded view printed as its own block after an ACME JWS (2023-03 on).
    /// Takes the value; hands it back when there is no JWS to attach it to.
    fn attach_jws_view(&mut self, value: Value, line: usize) -> Result<(), Value> {
        let step = self.step_mut(line);
        match step.items.last_mut() {
            Some(Item {
                kind: ItemKind::AcmeJws(jws),
                ..
            }) if jws.decoded.is_none() => {
                jws.decoded = Some(value);
                jws.decoded_line = Some(line);
                Ok(())
            }
            _ => Err(value),
        }
    }

    /// Tokens and the CSR inside the signed payload of an ACME JWS.
    fn acme_payload(&mut self, jws: &AcmeJws, block: &Block<'_>) {
        let Some(payload) = &jws.payload_value else {
            return;
        };
        let line = Locator::new(block).line("/payload", &jws.payload);
        for (pointer, c) in json::harvest(payload, &mut self.known).tokens {
            self.push_token(c, TokenSource::AcmePayload { pointer }, line);
        }
        let Some(csr) = payload.get("csr").and_then(Value::as_str) else {
            return;
        };
        let der = tokens::URL_LENIENT
            .decode(csr)
            .ok()
            .filter(|d| chain::is_der_sequence(d));
        match der {
            Some(der) => self.push_object(
                ObjectKind::CertificateRequest,
                "CERTIFICATE REQUEST",
                der,
                ObjectSource::AcmeCsr,
                line,
            ),
            None => self.finding(line, FindingKind::CsrNotDer),
        }
    }

    /// Turns what a JSON value carries into tokens, objects and findings.
    fn absorb(
        &mut self,
        harvest: Harvest,
        value: &Value,
        block: &Block<'_>,
        source: impl Fn(String) -> TokenSource,
    ) {
        let mut at = Locator::new(block);
        let text_of = |p: &str| value.pointer(p).and_then(Value::as_str).unwrap_or("");
        // Members with a key first, so an array element does not take a member's line.
        let mut order = harvest.tokens;
        // Stable: members with a key first, each group in document order.
        order.sort_by_key(|(pointer, _)| member_token(pointer).is_none());
        let mut placed: Vec<_> = order
            .into_iter()
            .map(|(pointer, c)| (at.line(&pointer, &c.compact), pointer, c))
            .collect();
        placed.sort_by_key(|(line, _, _)| *line);
        for (line, pointer, c) in placed {
            self.push_token(c, source(pointer), line);
        }
        for (pointer, pem) in harvest.pems {
            let line = at.line(&pointer, text_of(&pointer));
            let src = ObjectSource::JsonPem { pointer };
            self.pem(&pem.label, pem.der, src, line);
        }
        for (pointer, der) in harvest.ders {
            let line = at.line(&pointer, text_of(&pointer));
            let src = ObjectSource::JsonDerArray { pointer };
            let label = "CERTIFICATE";
            self.push_object(ObjectKind::Certificate, label, der, src, line);
        }
        for (pointer, s) in harvest.not_der {
            let line = at.line(&pointer, &s);
            self.finding(line, FindingKind::NotDer { pointer });
        }
    }

    fn pem(&mut self, label: &str, der: Option<Vec<u8>>, source: ObjectSource, line: usize) {
        match der {
            Some(der) => {
                let kind = ObjectKind::from_label(label);
                self.push_object(kind, label, der, source, line);
            }
            None => {
                let label = label.to_owned();
                self.finding(line, FindingKind::InvalidPem { label });
            }
        }
    }

    fn push_object(
        &mut self,
        kind: ObjectKind,
        label: &str,
        der: Vec<u8>,
        source: ObjectSource,
        line: usize,
    ) {
        if kind == ObjectKind::PrivateKey {
            let label = label.to_owned();
            self.finding(line, FindingKind::SecretPrinted { label });
        }
        let heading = self.subheading;
        let rejected = self.key_rejected;
        self.step_mut(line).objects.push(DerObject {
            kind,
            label: label.to_owned(),
            der,
            source,
            line,
            heading,
            text_view: None,
            rejected,
        });
    }

    fn raw_block(&mut self, block: &Block<'a>) {
        let joined = tokens::join_raw(&block.lines, &mut self.known);
        for n in joined.stray_lines {
            self.finding(n, FindingKind::RawStrayLine);
        }
        match joined.token {
            Some(c) => self.push_token(c, TokenSource::RawBlock, first_content_line(block)),
            None => self.finding(block.line, FindingKind::RawNotJws),
        }
        self.push_item(block.line, ItemKind::Text(block.content_ref()));
    }

    fn text_block(&mut self, block: &Block<'a>) {
        let content = block.content_ref();
        let content = match openssl_view_kind(&content) {
            Some(kind) => match self.attach_text_view(kind, block.line, content) {
                Ok(()) => return,
                Err(content) => content,
            },
            None => content,
        };
        self.loose_text(&content, block);
        self.push_item(block.line, ItemKind::Text(content));
    }

    /// PEM blocks anywhere in the text, or a bare compact JWS as the whole text.
    /// In a response body the PEM blocks are the body's content, in order (the
    /// certificate download sent as `application/pem-certificate-chain`).
    fn loose_text(&mut self, content: &str, block: &Block<'_>) {
        let source = if self.response_body {
            ObjectSource::PemBody
        } else {
            ObjectSource::PemBlock
        };
        for pem in chain::pem_blocks(content) {
            let line = block
                .lines
                .get(pem.begin_index)
                .map_or(block.line, |(n, _)| *n);
            self.pem(&pem.label, pem.der, source.clone(), line);
        }
        if let Some(c) = self.known.compact_jws(markdown::trim(content)) {
            self.push_token(c, TokenSource::TextBlock, first_content_line(block));
        }
    }

    /// Attaches an openssl dump to the last object of its kind in the step without one.
    /// Hands the text back when there is none.
    fn attach_text_view(
        &mut self,
        kind: ObjectKind,
        line: usize,
        text: Cow<'a, str>,
    ) -> Result<(), Cow<'a, str>> {
        let step = self.step_mut(line);
        let target = step
            .objects
            .iter_mut()
            .rev()
            .find(|o| o.kind == kind && o.text_view.is_none());
        match target {
            Some(o) => {
                o.text_view = Some(TextView { line, text });
                Ok(())
            }
            None => Err(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{read_as, rejects_key, verbatim_prefix, Block, Marker, Needle, ReadAs};

    fn block_of<'a>(text: &'a str) -> Block<'a> {
        Block {
            lang: "",
            line: 1,
            lines: text.lines().enumerate().map(|(i, l)| (i + 2, l)).collect(),
            closed: true,
            source: text,
        }
    }

    #[test]
    fn the_sections_own_suite_line_does_not_split_its_enrolment() {
        use super::read;
        let step = |n: u32| format!("#### {n}. s\n```json\n{{}}\n```\n");
        let same = format!("P256 - SHA256\n{}ECDSA P-256\n{}", step(1), step(2));
        let t = read(&same).unwrap();
        assert_eq!(t.sections.len(), 1);
        assert_eq!(t.sections[0].steps.len(), 2);
        let other = format!("P256 - SHA256\n{}P384 - SHA384\n{}", step(1), step(2));
        assert_eq!(read(&other).unwrap().sections.len(), 2);
    }

    #[test]
    fn view_labels_are_read_without_their_markup() {
        use super::label_marker;
        let decoded = Marker::Decoded { header_line: None };
        for label in [
            "Decoded:",
            "**Decoded:**",
            "<b>Decoded</b>",
            "<p><strong>Decoded:</strong></p>",
            "Decoded view",
            "Header:",
            "_Claims_",
            "JWT:",
            "Header & claims:",
        ] {
            assert_eq!(label_marker(label, Marker::None), decoded, "{label}");
        }
        assert_eq!(label_marker("<b>Raw</b>:", Marker::None), Marker::Raw);
        // `Payload` continues a view whose header was read; alone it is prose.
        let header_read = Marker::Decoded {
            header_line: Some(7),
        };
        assert_eq!(label_marker("Payload:", header_read), header_read);
        assert_eq!(label_marker("Payload:", Marker::None), Marker::None);
        assert_eq!(label_marker("Payload:", decoded), Marker::None);
        for prose in [
            "<details>",
            "</summary>",
            "<>",
            "<",
            "The header:",
            "headers",
            "",
        ] {
            assert_eq!(label_marker(prose, header_read), Marker::None, "{prose}");
        }
    }

    #[test]
    fn a_json_string_of_json_is_its_json() {
        use super::string_of_json;
        use serde_json::json;
        let logged = json!("{\"status\":\"invalid\",\"a\":1,\"a\":2}");
        let (v, repeated) = string_of_json(logged, None);
        assert_eq!(v, json!({"status": "invalid", "a": 2}));
        assert_eq!(repeated.as_deref(), Some("a"));
        assert_eq!(string_of_json(json!(" [1]"), None).0, json!([1]));
        // A nonce, a string that is not JSON, a JSON string of a string: kept.
        for kept in [
            json!("bmV2ZXI"),
            json!("{not json"),
            json!("\"x\""),
            json!("{}x"),
        ] {
            assert_eq!(string_of_json(kept.clone(), None).0, kept);
        }
        let object = json!({"a": "{\"b\":1}"});
        assert_eq!(string_of_json(object.clone(), None).0, object);
    }

    #[test]
    fn steps_with_nothing_read_under_them_are_not_a_capture() {
        use super::{read, TranscriptError};
        let steps = "# t\n#### 1. a\nsee:\n    GET /x\n#### 2. b\nprose\n";
        assert_eq!(
            read(steps).err(),
            Some(TranscriptError::NothingRead { steps: 2 })
        );
        assert!(read("#### 1. a\n```mermaid\nx\n```\n").is_ok());
        assert!(read("#### 1. a\n\n    GET /x\n").is_ok());
        let prose = "just prose\nEd25519 - SHA256\n";
        assert_eq!(read(prose).err(), Some(TranscriptError::NothingUsable));
    }

    #[test]
    fn an_http_message_in_a_text_or_shell_fence_is_read_as_http() {
        let request = "POST https://acme.example.com/acme/wire/new-order\ncontent-type: x\n";
        let response = "HTTP/1.1 201 Created\nlocation: https://a/b\n";
        for lang in [
            "text",
            "TXT",
            "plain",
            "plaintext",
            "console",
            "shell",
            "sh",
            "",
        ] {
            for message in [request, response] {
                let got = read_as(lang, &block_of(message), Marker::None);
                assert_eq!(got, ReadAs::Http, "{lang} {message}");
            }
        }
        // What is not an HTTP message stays what its label says.
        let nonce = "xLrz9ZBKRem4U0fMVbtNcQ";
        assert_eq!(
            read_as("text", &block_of(nonce), Marker::None),
            ReadAs::Text
        );
        assert_eq!(
            read_as("console", &block_of(nonce), Marker::None),
            ReadAs::Other
        );
        let prose = "GET the nonce first\n";
        assert_eq!(read_as("txt", &block_of(prose), Marker::None), ReadAs::Text);
        assert_eq!(
            read_as("sh", &block_of("$ ls /\n"), Marker::None),
            ReadAs::Other
        );
        // A `Raw:` token block and JSON keep their reading.
        assert_eq!(
            read_as("text", &block_of(request), Marker::Raw),
            ReadAs::Raw
        );
        assert_eq!(read_as("text", &block_of("{}"), Marker::None), ReadAs::Json);
        assert_eq!(
            read_as("mermaid", &block_of(request), Marker::None),
            ReadAs::Other
        );
    }

    #[test]
    fn the_verbatim_prefix_is_cut_where_the_char_search_cuts_it() {
        let reference = |v: &str| {
            let end = v
                .char_indices()
                .find(|(i, c)| *i >= 48 || c.is_control() || *c == '"' || *c == '\\')
                .map_or(v.len(), |(i, _)| i);
            v[..end].to_owned()
        };
        let long = "eyJhbGciOiJFZERTQSIsInR5cCI6ImRwb3Arand0Ii".repeat(3);
        for v in [
            "",
            "a",
            "a\"b",
            "a\\b",
            "a\nb",
            "a\x7fb",
            "é",
            "aé\u{85}b",
            "a\u{9f}",
            &long,
            &long[..47],
            &long[..48],
            &long[..49],
            &format!("{}é", &long[..47]),
            &format!("{}é", &long[..46]),
            &format!("{}\"", &long[..48]),
        ] {
            assert_eq!(verbatim_prefix(v), reference(v), "{v:?}");
        }
    }

    #[test]
    fn needles_are_found_where_a_substring_search_finds_them() {
        let long = "k".repeat(60);
        let hays = [
            "",
            "a",
            "aab",
            "abab",
            "ab",
            "  \"kid\": \"x\"",
            "éa✅b",
            &format!("x{long}y"),
        ];
        let needles = [
            "",
            "a",
            "ab",
            "b",
            "\"kid\"",
            "✅b",
            "aa",
            &long,
            &format!("{long}y"),
        ];
        for hay in hays {
            for needle in needles {
                let n = Needle::new(needle.as_bytes());
                assert_eq!(
                    n.is_in(hay.as_bytes()),
                    hay.contains(needle),
                    "{hay} {needle}"
                );
            }
        }
    }

    #[test]
    fn the_rejected_key_line_is_found_as_a_window_scan_finds_it() {
        let reference = |t: &str| {
            t.as_bytes()
                .windows(17)
                .any(|w| w.eq_ignore_ascii_case(b"invalid signature"))
        };
        for line in [
            "❌ Invalid Signature with key:",
            "✅ Signature Verified with key:",
            "iiiinvalid signaturE",
            "INVALID SIGNATUR",
            "invalid  signature",
            "",
            "i",
            "é invalid signature é",
        ] {
            assert_eq!(rejects_key(line), reference(line), "{line}");
        }
    }
}
