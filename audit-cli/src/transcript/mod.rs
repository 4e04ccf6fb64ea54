//! Reader for the Markdown captures Wire publishes of whole E2EI enrolments
//! (`wire-e2ei-YYYY-MM-DD.md`), every era from late 2022 on.
//!
//! The reader is liberal in structure and strict in what it claims: unknown blocks and
//! prose are skipped, never fatal, while a token is only reported when it really is a
//! compact JWS, a certificate only when it really is DER. Decoded views printed by the
//! capture tool are kept *beside* the signed bytes, never merged with them, because they
//! can disagree and the auditor must be able to say so.
//!
//! Nothing here verifies anything: see `e2ei-verify`.

mod chain;
mod http;
mod json;
mod markdown;
pub(crate) mod members;
mod reader;
mod section;
mod tokens;
mod value;

pub use chain::{DerObject, ObjectKind, ObjectSource, TextView};
pub use http::{Header, HttpRequest, HttpResponse};
pub use json::{AcmeJws, JsonBlock, JwsForm};
pub use section::Suite;
pub(crate) use tokens::header_and_payload;
pub use tokens::{DecodedView, Token, TokenSource};

use std::borrow::Cow;

/// Why a capture could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptError {
    #[error("input is not text (control characters or NUL bytes)")]
    NotText,
    #[error("no step, code block or token found")]
    NothingUsable,
    /// Step headings with nothing under them the reader knows: whatever the
    /// capture shows is written in a way not read, and an audit of nothing
    /// must not pass.
    #[error("{steps} step headings but no code block or token read under them")]
    NothingRead { steps: usize },
}

/// A whole capture: one section per ciphersuite run.
///
/// Text the capture prints (titles, headers, URLs, block contents) is borrowed from
/// the capture, not copied: a capture has hundreds of such strings and the auditor
/// reads each file once, while its text is alive.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript<'a> {
    /// The first `# ` heading, e.g. `Wire end to end identity example`.
    pub title: Option<&'a str>,
    pub sections: Vec<Section<'a>>,
    /// Things that were present but malformed, or secrets; never fatal.
    pub findings: Vec<Finding>,
}

/// One enrolment, run with one ciphersuite.
#[derive(Debug, Clone, PartialEq)]
pub struct Section<'a> {
    /// `None` when the capture has no suite line (a single implicit section).
    pub suite: Option<Suite>,
    /// The suite line as written.
    pub suite_line: Option<&'a str>,
    /// Line of the suite line (or of the first content, for an implicit section).
    pub line: usize,
    /// What comes before the first step heading (the sequence diagram), as a step
    /// without number so every extractor applies to it too.
    pub preamble: Step<'a>,
    pub steps: Vec<Step<'a>>,
}

/// A `#### N. title` step and everything up to the next step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<'a> {
    /// `None` for a heading without a number (and for a section preamble).
    pub number: Option<u32>,
    pub title: &'a str,
    /// The `### …` phase heading the step sits under.
    pub group: Option<&'a str>,
    pub line: usize,
    /// Code blocks in document order (views that were attached elsewhere excluded).
    pub items: Vec<Item<'a>>,
    /// Every token occurrence, in document order.
    pub tokens: Vec<Token>,
    /// Every certificate, CSR and key, in document order.
    pub objects: Vec<DerObject<'a>>,
    /// JSON blocks (bodies and decoded views) that give a member twice.
    pub repeated: Vec<Repeated>,
}

/// A member name one object of a JSON block gives twice. The value read keeps the
/// last occurrence, as serde_json does, but the block says two things and a
/// reader may take either: the auditor reports it rather than pick one silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// Line of the block (of the view, for a view inside an ACME body's block).
    pub line: usize,
    pub name: String,
}

/// One code block of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'a> {
    /// Line of the opening fence.
    pub line: usize,
    pub kind: ItemKind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind<'a> {
    Request(HttpRequest<'a>),
    Response(HttpResponse<'a>),
    Json(JsonBlock<'a>),
    AcmeJws(AcmeJws),
    /// A text or untagged block (nonce, form body, PEM, `Raw:` token …), borrowed
    /// from the capture unless its lines had to be joined (CRLF).
    Text(Cow<'a, str>),
    /// Any other language (`mermaid`, `html`, or an empty http block).
    Other {
        lang: &'a str,
    },
    /// An http block (by its label or its content) that holds something but
    /// is neither a request nor a response: the exchange it shows is not
    /// read. `first` is its first line.
    UnreadHttp {
        first: &'a str,
    },
}

/// Something worth reporting about the capture itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub kind: FindingKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// A private key is printed (reported by the auditor as `transcript.secrets`).
    SecretPrinted { label: String },
    /// A fence was never closed (truncated capture).
    UnclosedFence,
    /// A json block that is not JSON.
    InvalidJson,
    /// A `Raw:` block that does not join into a compact JWS.
    RawNotJws,
    /// A line inside a `Raw:` block that cannot be part of a token (skipped).
    RawStrayLine,
    /// A `dpop:` header that is neither a compact JWS nor base64 of one.
    DpopHeaderNotJws,
    /// A PEM block whose body is not base64 or whose END line is missing.
    InvalidPem { label: String },
    /// An element of a DER array that is not base64 DER.
    NotDer { pointer: String },
    /// An ACME finalize `csr` that is not base64url DER.
    CsrNotDer,
}

/// Reads a capture. Fails only when nothing usable is there; everything unknown is
/// skipped. Never panics.
pub fn parse(text: &str) -> Result<Transcript<'_>, TranscriptError> {
    if !looks_like_text(text) {
        return Err(TranscriptError::NotText);
    }
    reader::read(text)
}

/// Binary data decoded lossily still arrives as `&str`: reject NUL and a high share of
/// control characters (Unicode `Cc` other than tab, line feed, form feed and carriage
/// return), as `chars()` would count them. This runs over every whole file, so it works
/// on bytes, in one pass: 64-byte chunks of printable ASCII and line feeds (nearly all
/// of a capture, and free of NUL by definition) are counted by length; other chunks
/// by byte class ([`classes`]), where NUL is also looked for. A C1 control
/// (U+0080–U+009F) is `0xC2` followed by `0x80..=0x9F`: a pair can only sit in, or
/// straddle the end of, a chunk that is not plain, so only those are searched.
fn looks_like_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (mut total, mut control) = (0usize, 0usize);
    // Whole 256-byte blocks of plain text are counted at once; the others chunk by chunk.
    for (b, block) in bytes.chunks(256).enumerate() {
        if <&[u8; 256]>::try_from(block).is_ok_and(|whole| all_plain(whole)) {
            total += block.len();
            continue;
        }
        for (i, chunk) in block.chunks(64).enumerate() {
            match count_chunk(bytes, b * 256 + i * 64, chunk) {
                Some((t, c)) => (total, control) = (total + t, control + c),
                None => return false,
            }
        }
    }
    control * 100 <= total
}

/// Characters and controls of the 64-byte (or final) `chunk` of `bytes` that starts
/// at byte `start`; `None` when it holds a NUL.
fn count_chunk(bytes: &[u8], start: usize, chunk: &[u8]) -> Option<(usize, usize)> {
    let plain = match <&[u8; 64]>::try_from(chunk) {
        Ok(whole) => all_plain(whole),
        Err(_) => all_plain(chunk),
    };
    if plain {
        return Some((chunk.len(), 0));
    }
    if chunk.contains(&0) {
        return None;
    }
    let (total, mut control) = match <&[u8; 64]>::try_from(chunk) {
        Ok(whole) => classes(whole),
        Err(_) => classes(chunk),
    };
    // The pairs that start in this chunk (the next byte may be the next chunk's).
    let window = bytes.get(start..(start + chunk.len() + 1).min(bytes.len()));
    // Found from each `0xC2` (rare: emoji and box drawing start with other bytes).
    control += window.map_or(0, |w| {
        memchr::memchr_iter(0xC2, w)
            .filter(|&at| matches!(w.get(at + 1), Some(0x80..=0x9F)))
            .count()
    });
    Some((total, control))
}

/// Characters and counted controls in `chunk` (at most 64 bytes): a byte starts a
/// character unless it is a UTF-8 continuation byte (`0x80..=0xBF`); an ASCII control
/// counts when it is `Cc` other than tab, line feed, form feed and carriage return (NUL
/// is refused before). Tested by comparisons rather than looked up in a table, so that
/// a whole 64-byte chunk is counted as vectors.
fn classes(chunk: &[u8]) -> (usize, usize) {
    // At most 64 of each: a byte counter cannot wrap.
    let (starts, controls) = chunk.iter().fold((0u8, 0u8), |(s, c), &b| {
        let start = !matches!(b, 0x80..=0xBF);
        let control = matches!(b, 0x01..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f);
        (
            s.wrapping_add(u8::from(start)),
            c.wrapping_add(u8::from(control)),
        )
    });
    (usize::from(starts), usize::from(controls))
}

/// Whether every byte is printable ASCII or a line feed. Without a branch per byte,
/// and called on whole 256- or 64-byte arrays, whose fixed length lets the compiler test
/// them as vectors (a slice of unknown length was tested about byte by byte). The range
/// test is one saturating subtraction (`b - 0x20` above `0x5e` leaves a non-zero
/// byte), which vectorises into fewer instructions than a comparison pair.
fn all_plain(bytes: &[u8]) -> bool {
    let odd = bytes.iter().fold(0u8, |acc, &b| {
        let line_feed = if b == b'\n' { 0xff } else { 0 };
        acc | (b.wrapping_sub(0x20).saturating_sub(0x5e) & !line_feed)
    });
    odd == 0
}

impl<'a> Transcript<'a> {
    /// Every numbered or unnumbered step of every section (preambles excluded).
    pub fn steps(&self) -> impl Iterator<Item = &Step<'a>> {
        self.sections.iter().flat_map(|s| s.steps.iter())
    }

    /// Every token occurrence, preambles included.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.sections.iter().flat_map(Section::tokens)
    }

    /// Every private key printed in the capture.
    pub fn secrets(&self) -> impl Iterator<Item = &DerObject<'a>> {
        self.sections
            .iter()
            .flat_map(Section::objects)
            .filter(|o| o.kind == ObjectKind::PrivateKey)
    }
}

impl<'a> Section<'a> {
    /// The preamble followed by the steps.
    fn all_steps(&self) -> impl Iterator<Item = &Step<'a>> {
        std::iter::once(&self.preamble).chain(self.steps.iter())
    }

    pub fn steps(&self) -> impl Iterator<Item = &Step<'a>> {
        self.steps.iter()
    }

    /// Steps with number `n` (numbers may repeat).
    pub fn steps_numbered(&self, n: u32) -> impl Iterator<Item = &Step<'a>> {
        self.steps.iter().filter(move |s| s.number == Some(n))
    }

    /// The first step numbered `n`.
    pub fn step(&self, n: u32) -> Option<&Step<'a>> {
        self.steps_numbered(n).next()
    }

    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.all_steps().flat_map(|s| s.tokens.iter())
    }

    pub fn objects(&self) -> impl Iterator<Item = &DerObject<'a>> {
        self.all_steps().flat_map(|s| s.objects.iter())
    }

    /// Certificates only, in document order, whatever their source.
    pub fn certificates(&self) -> impl Iterator<Item = &DerObject<'a>> {
        self.objects().filter(|o| o.kind == ObjectKind::Certificate)
    }

    pub fn acme_jws(&self) -> impl Iterator<Item = &AcmeJws> {
        self.all_steps().flat_map(Step::acme_jws)
    }
}

impl<'a> Step<'a> {
    pub fn requests(&self) -> impl Iterator<Item = &HttpRequest<'a>> {
        self.items.iter().filter_map(|i| match &i.kind {
            ItemKind::Request(r) => Some(r),
            _ => None,
        })
    }

    pub fn responses(&self) -> impl Iterator<Item = &HttpResponse<'a>> {
        self.items.iter().filter_map(|i| match &i.kind {
            ItemKind::Response(r) => Some(r),
            _ => None,
        })
    }

    pub fn json(&self) -> impl Iterator<Item = &JsonBlock<'a>> {
        self.items.iter().filter_map(|i| match &i.kind {
            ItemKind::Json(j) => Some(j),
            _ => None,
        })
    }

    pub fn acme_jws(&self) -> impl Iterator<Item = &AcmeJws> {
        self.items.iter().filter_map(|i| match &i.kind {
            ItemKind::AcmeJws(j) => Some(j),
            _ => None,
        })
    }

    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter()
    }

    pub fn certificates(&self) -> impl Iterator<Item = &DerObject<'a>> {
        self.objects
            .iter()
            .filter(|o| o.kind == ObjectKind::Certificate)
    }

    /// Bodies that are a single bare value: a JSON string block (`"nonce"`, 2023-01) or a
    /// one-line text block (2023-03 on). This is how nonces from wire-server are shown.
    pub fn bare_strings(&self) -> impl Iterator<Item = (usize, &str)> {
        self.items.iter().filter_map(|i| match &i.kind {
            ItemKind::Json(JsonBlock {
                value: Some(serde_json::Value::String(s)),
                ..
            }) => Some((i.line, s.as_str())),
            ItemKind::Text(t)
                if !t.trim().is_empty() && !t.trim().contains(char::is_whitespace) =>
            {
                Some((i.line, t.trim()))
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_text;

    #[test]
    fn byte_classes_are_counted_as_chars_would_count_them() {
        for b in 1..=u8::MAX {
            let mut block = [b'a'; 64];
            block[5] = b;
            let starts = 63 + usize::from(!matches!(b, 0x80..=0xBF));
            let control = char::from(b).is_control()
                && b < 0x80
                && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c);
            let expected = (starts, usize::from(control));
            assert_eq!(super::classes(&block), expected, "{b:#04x}");
            assert_eq!(super::classes(&block[..7]), (expected.0 - 57, expected.1));
        }
    }

    #[test]
    fn plain_bytes_are_printable_ascii_and_line_feed() {
        for b in 0..=u8::MAX {
            let expected = matches!(b, 0x20..=0x7e) || b == b'\n';
            assert_eq!(super::all_plain(&[b]), expected, "{b:#04x}");
            let mut block = [b'a'; 64];
            block[17] = b;
            assert_eq!(super::all_plain(&block), expected, "{b:#04x}");
        }
    }

    #[test]
    fn text_check_counts_characters_and_controls_like_chars_would() {
        let reference = |t: &str| {
            let total = t.chars().count();
            let control = t
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
                .count();
            !t.contains('\0') && control * 100 <= total
        };
        let samples = [
            String::new(),
            "plain\r\n\ttext\x0c".to_owned(),
            format!("{}\x01", "a".repeat(99)),
            format!("{}\x01", "a".repeat(98)),
            format!("{}\u{85}", "é".repeat(99)),
            format!("{}\u{85}", "é".repeat(98)),
            format!("{}\u{7f}\u{9f}", "✅".repeat(150)),
            "\x1b\u{a0}\u{100}".to_owned(),
            format!("{}\x7f{}", "x".repeat(70), "\u{90}".repeat(2)),
            "\u{9f}".repeat(64),
            // A C1 pair straddling a 64-byte chunk boundary, at the threshold.
            format!("{}\u{85}{}", "a".repeat(63), "a".repeat(35)),
            format!("{}\u{85}{}", "a".repeat(63), "a".repeat(36)),
            format!("{}\u{85}\0", "a".repeat(63)),
            "nul\0".to_owned(),
            // Whole 256-byte blocks, plain or not, and what follows them.
            format!("{}{}", "a".repeat(256), "\x01".repeat(3)),
            format!("{}\u{85}{}", "a".repeat(255), "b".repeat(300)),
            format!("{}\x01{}", "a".repeat(300), "b".repeat(212)),
            format!("{}\x01{}", "a".repeat(300), "b".repeat(213)),
            format!("{}\0", "a".repeat(600)),
        ];
        for t in &samples {
            assert_eq!(looks_like_text(t), reference(t), "{t:?}");
        }
    }
}
