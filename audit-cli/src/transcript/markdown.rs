//! Line-level Markdown scanning: fenced blocks, headings and prose lines, each with its
//! 1-based line number.
//!
//! Only the subset the Wire captures use is recognised. Anything else is prose, so a
//! format drift degrades into "ignored text" rather than into an error.

use std::borrow::Cow;

/// One structural element of the document, in document order.
#[derive(Debug, Clone)]
pub(crate) enum Event<'a> {
    /// An ATX heading (`#` … `######`) outside any fence.
    Heading {
        level: usize,
        text: &'a str,
        line: usize,
    },
    /// A fenced code block.
    Block(Block<'a>),
    /// A non-blank line outside any fence that is not a heading.
    Prose { text: &'a str, line: usize },
}

/// A fenced code block with its info string and content lines.
#[derive(Debug, Clone)]
pub(crate) struct Block<'a> {
    /// The info string after the opening fence, trimmed (` ```http request ` gives
    /// `http request`; an untagged fence gives `""`).
    pub lang: &'a str,
    /// Line of the opening fence.
    pub line: usize,
    /// Content lines with their line numbers, fences excluded.
    pub lines: Vec<(usize, &'a str)>,
    /// False when the input ended before the closing fence (a truncated capture).
    pub closed: bool,
    /// The whole document the lines were cut from, so their text can be borrowed
    /// rather than copied ([`join_lines`]).
    pub source: &'a str,
}

impl<'a> Block<'a> {
    /// The content joined with `\n`, as it appears between the fences: borrowed
    /// from the document when it can be.
    pub fn content_ref(&self) -> Cow<'a, str> {
        join_lines(self.source, &self.lines)
    }
}

/// Byte offset of `part` in `whole`, when `part` is a slice of `whole`.
pub(crate) fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let at = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (at.checked_add(part.len())? <= whole.len()).then_some(at)
}

/// `lines` joined with `\n`. When they are consecutive lines of `source` separated by
/// a single `\n` each (no `\r\n`), the join is exactly that span of `source`, which is
/// borrowed instead of copied; otherwise (lines from elsewhere, CRLF) it is built.
pub(crate) fn join_lines<'a>(source: &'a str, lines: &[(usize, &'a str)]) -> Cow<'a, str> {
    if let Some(span) = contiguous(source, lines) {
        return Cow::Borrowed(span);
    }
    let mut out = String::with_capacity(lines.iter().map(|(_, l)| l.len() + 1).sum());
    for (i, (_, l)) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(l);
    }
    Cow::Owned(out)
}

/// The span of `source` holding `lines` joined by single `\n`s, if that is what it holds.
fn contiguous<'a>(source: &'a str, lines: &[(usize, &'a str)]) -> Option<&'a str> {
    let (_, first) = lines.first()?;
    let start = offset_in(source, first)?;
    let mut end = start + first.len();
    for (_, l) in lines.get(1..).unwrap_or(&[]) {
        let at = offset_in(source, l)?;
        let newline = source.as_bytes().get(end) == Some(&b'\n');
        if !newline || at != end + 1 {
            return None;
        }
        end = at + l.len();
    }
    source.get(start..end)
}

/// `s.trim()`, answered without decoding characters when both ends are visible
/// ASCII (nearly every line), which no trimming can change. This runs on every
/// line outside a block and on every line of http and PEM blocks.
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// `s.trim_start()`, with the same shortcut as [`trim`].
pub(crate) fn trim_start(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(a) if a.is_ascii_graphic() => s,
        _ => s.trim_start(),
    }
}

/// An opening fence: the fence character, its run length and the info string.
struct Fence<'a> {
    /// `` ` `` or `~`, as a byte (both are ASCII).
    ch: u8,
    len: usize,
    info: &'a str,
}

fn opening_fence(line: &str) -> Option<Fence<'_>> {
    let t = trim_start(line);
    let ch = t.bytes().next().filter(|c| *c == b'`' || *c == b'~')?;
    let len = t.bytes().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    // The run is ASCII, so `len` is also a byte offset.
    let info = t.get(len..)?.trim();
    if ch == b'`' && info.contains('`') {
        return None;
    }
    Some(Fence { ch, len, info })
}

/// Runs on every content line of every block, so it looks at bytes: the fence
/// character is ASCII, so a run of it has as many characters as bytes, and any other
/// byte (the common case, at the first byte after the indentation) means "not a
/// closing fence". Indentation of spaces and tabs is skipped bytewise; any other
/// whitespace first (rare) goes through `trim_start`, as before.
fn closes(line: &str, fence: &Fence<'_>) -> bool {
    match line.bytes().find(|b| !matches!(b, b' ' | b'\t')) {
        None => return false,
        Some(b) if b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b => {
            if b != fence.ch {
                return false;
            }
        }
        Some(_) if !line.trim_start().starts_with(char::from(fence.ch)) => return false,
        Some(_) => {}
    }
    let t = trim(line);
    t.len() >= fence.len && t.bytes().all(|b| b == fence.ch)
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let t = trim_start(line);
    let level = t.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = t.get(level..)?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((level, rest.trim()))
}

/// Where LFs and CRs stand: a text without a CR (most captures) is searched
/// for one byte, which costs half a two-byte search.
enum LineEnds<'b> {
    Lf(memchr::Memchr<'b>),
    LfCr(memchr::Memchr2<'b>),
}

impl<'b> LineEnds<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        match memchr::memchr(b'\r', bytes) {
            None => LineEnds::Lf(memchr::memchr_iter(b'\n', bytes)),
            Some(_) => LineEnds::LfCr(memchr::memchr2_iter(b'\n', b'\r', bytes)),
        }
    }
}

impl Iterator for LineEnds<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            LineEnds::Lf(ends) => ends.next(),
            LineEnds::LfCr(ends) => ends.next(),
        }
    }
}

/// The lines of `text`, split at each line ending: a line feed, a run of
/// carriage returns followed by one (CRLF, and `\r\r\n` as CRLF converted
/// twice writes it), or a carriage return followed by neither, which
/// CommonMark (§2.2) takes as a line ending too (classic Mac OS text, pieces
/// pasted from one): read as `\n` alone, a whole step so written would be
/// one prose line and vanish. No empty line after a final ending. Found with
/// one vectorised pass over the whole text instead of one search
/// call per line: a capture has about a thousand short lines, where a
/// per-line search costs mostly its setup.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut ends = LineEnds::new(bytes);
    std::iter::from_fn(move || loop {
        let from = start;
        let Some(at) = ends.next() else {
            start = text.len();
            return text.get(from..).filter(|rest| !rest.is_empty());
        };
        // A position inside an ending already taken (the CRs before an LF).
        if at < from {
            continue;
        }
        let next = if bytes.get(at) == Some(&b'\r') {
            let crs = bytes
                .get(at..)
                .map_or(0, |r| r.iter().take_while(|b| **b == b'\r').count());
            if bytes.get(at + crs) == Some(&b'\n') {
                at + crs + 1
            } else {
                at + 1
            }
        } else {
            at + 1
        };
        start = next;
        return text.get(from..at);
    })
}

/// The line inside `depth` blockquote markers (`>`, after at most three spaces,
/// with one optional space or tab after it: CommonMark §5.1), or `None` when
/// it has fewer. Only lines that start with `>` after their indentation pay
/// for more than a first-byte look.
fn unquote(line: &str, depth: usize) -> Option<&str> {
    let mut rest = line;
    for _ in 0..depth {
        let indent = rest.bytes().take_while(|b| *b == b' ').count();
        let after = rest.get(indent..).filter(|_| indent <= 3)?;
        let after = after.strip_prefix('>')?;
        rest = after
            .strip_prefix(' ')
            .or_else(|| after.strip_prefix('\t'))
            .unwrap_or(after);
    }
    Some(rest)
}

/// How many blockquote markers open `line` (0 for nearly every line: its
/// first non-space byte is not `>`).
fn quote_depth(line: &str) -> usize {
    let mut depth = 0;
    let mut rest = line;
    while let Some(inner) = unquote(rest, 1) {
        depth += 1;
        rest = inner;
    }
    depth
}

/// The content of an indented code block's line (CommonMark §4.4): the line
/// without its first four columns of indentation (a tab reaches the next
/// multiple of four), or `None` when it is indented less.
fn indented_content(line: &str) -> Option<&str> {
    let mut column = 0;
    for (i, b) in line.bytes().enumerate() {
        column = match b {
            b' ' => column + 1,
            b'\t' => column + 4 - column % 4,
            _ => return None,
        };
        if column >= 4 {
            return line.get(i + 1..);
        }
    }
    None
}

/// Whether a line outside any block starts a list item (`-`, `*`, `+`, `N.`,
/// `N)` followed by a space): indented lines after it continue the item
/// (CommonMark §5.2) and are not code.
fn list_item(line: &str) -> bool {
    let t = trim_start(line);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match t.as_bytes().get(digits) {
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => return false,
    };
    matches!(t.as_bytes().get(marker), None | Some(b' ' | b'\t'))
}

/// Whether a line holds the end of an HTML comment.
fn closes_comment(line: &str) -> bool {
    memchr::memmem::find(line.as_bytes(), b"-->").is_some()
}

/// An indented code block being read: its lines, and the blank lines seen
/// since its last non-blank one (kept only if more content follows).
struct Indented<'a> {
    block: Block<'a>,
    blanks: Vec<(usize, &'a str)>,
}

/// Scans `text`, handing each event to `emit` in document order. Never fails: an
/// unclosed fence runs to the end of input. Events are streamed rather than collected,
/// and one buffer of content lines serves every block in turn: the reader only looks
/// at a block while it is emitted.
///
/// What an HTML comment holds is skipped, as a renderer shows none of it.
///
/// Besides fenced blocks, the two other ways CommonMark writes a code block are
/// blocks too: an indented code block (§4.4: four columns of indentation, after a
/// blank line or a heading, not in a list item), and a fence inside a blockquote
/// (§5.1: its lines carry the quote's `>` markers, which are taken off; the block
/// ends where the quote does). Converters and quoting mail or review tools write
/// captures so, and a renderer shows them as any other block. Two blank lines or
/// more inside an indented block separate what were two blocks (a converter writes
/// each fenced block indented; CommonMark then joins neighbours into one).
pub(crate) fn scan<'a>(text: &'a str, mut emit: impl FnMut(&Event<'a>)) {
    let mut open: Option<(Fence<'a>, Block<'a>, usize)> = None;
    let mut indented: Option<Indented<'a>> = None;
    let mut spare: Vec<(usize, &'a str)> = Vec::with_capacity(64);
    // Whether an indented code block may start here (not inside a paragraph).
    let mut after_break = true;
    let mut in_list = false;
    // Inside an HTML comment (from a line that starts `<!--` to the line that
    // holds `-->`): CommonMark renders none of it (§4.6, HTML block type 2),
    // so nothing in it, a code block least of all, is part of the capture.
    let mut in_comment = false;
    for (idx, raw) in lines(text).enumerate() {
        let n = idx + 1;
        // Inside a block (most lines): the open block is added to in place, and
        // only taken out when it closes.
        if let Some((fence, block, depth)) = &mut open {
            let inner = if *depth == 0 {
                Some(raw)
            } else {
                unquote(raw, *depth)
            };
            match inner {
                Some(line) if !closes(line, fence) => {
                    block.lines.push((n, line));
                    continue;
                }
                Some(_) => {
                    if let Some((_, mut block, _)) = open.take() {
                        block.closed = true;
                        spare = emit_block(&mut emit, block);
                    }
                    after_break = true;
                    continue;
                }
                // The quote ended before the closing fence: so does the block.
                None => {
                    if let Some((_, block, _)) = open.take() {
                        spare = emit_block(&mut emit, block);
                    }
                }
            }
        }
        if let Some(ind) = &mut indented {
            if trim(raw).is_empty() {
                ind.blanks.push((n, raw));
                continue;
            }
            if let Some(content) = indented_content(raw) {
                if ind.blanks.len() < 2 {
                    ind.block.lines.append(&mut ind.blanks);
                    ind.block.lines.push((n, content));
                    continue;
                }
            }
            if let Some(ind) = indented.take() {
                spare = emit_block(&mut emit, ind.block);
                after_break = !ind.blanks.is_empty();
            }
        }
        if in_comment {
            in_comment = !closes_comment(raw);
            after_break = true;
            continue;
        }
        let depth = match trim_start(raw).as_bytes().first() {
            Some(b'>') => quote_depth(raw),
            _ => 0,
        };
        let line = unquote(raw, depth).unwrap_or(raw);
        if let Some(rest) = trim_start(line).strip_prefix("<!--") {
            in_comment = !closes_comment(rest);
            after_break = true;
            continue;
        }
        if let Some(fence) = opening_fence(line) {
            let block = Block {
                lang: fence.info,
                line: n,
                lines: std::mem::take(&mut spare),
                closed: false,
                source: text,
            };
            open = Some((fence, block, depth));
            continue;
        }
        if let Some((level, text)) = heading(line) {
            emit(&Event::Heading {
                level,
                text,
                line: n,
            });
            (after_break, in_list) = (true, false);
            continue;
        }
        let content = indented_content(line).filter(|_| depth == 0 && after_break && !in_list);
        if let Some(content) = content.filter(|c| !trim(c).is_empty()) {
            let mut lines = std::mem::take(&mut spare);
            lines.push((n, content));
            let block = Block {
                lang: "",
                line: (n - 1).max(1),
                lines,
                closed: true,
                source: text,
            };
            indented = Some(Indented {
                block,
                blanks: Vec::new(),
            });
            continue;
        }
        let prose = trim(line);
        after_break = prose.is_empty();
        if !prose.is_empty() {
            // A list lasts until a line that is not indented and not an item.
            if list_item(line) {
                in_list = true;
            } else if !line.starts_with([' ', '\t']) {
                in_list = false;
            }
            emit(&Event::Prose {
                text: prose,
                line: n,
            });
        }
    }
    if let Some((_, block, _)) = open {
        emit_block(&mut emit, block);
    }
    if let Some(ind) = indented {
        emit_block(&mut emit, ind.block);
    }
}

/// Emits a block and hands back its line buffer, emptied, for the next block.
fn emit_block<'a>(emit: &mut impl FnMut(&Event<'a>), block: Block<'a>) -> Vec<(usize, &'a str)> {
    let event = Event::Block(block);
    emit(&event);
    match event {
        Event::Block(Block { mut lines, .. }) => {
            lines.clear();
            lines
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events of `text`, collected.
    fn events(text: &str) -> Vec<Event<'_>> {
        let mut out = Vec::new();
        scan(text, |e| out.push(e.clone()));
        out
    }

    #[test]
    fn blocks_headings_and_prose_keep_line_numbers() {
        let text = "# Title\nEd25519 - SHA256\n```json\n{}\n```\n#### 1. step\n\nRaw:\n";
        let events = events(text);
        assert_eq!(events.len(), 5);
        match &events[2] {
            Event::Block(b) => {
                assert_eq!((b.lang, b.line, b.closed), ("json", 3, true));
                assert_eq!(b.lines, vec![(4, "{}")]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            events[3],
            Event::Heading {
                level: 4,
                line: 6,
                ..
            }
        ));
        assert!(matches!(
            events[4],
            Event::Prose {
                text: "Raw:",
                line: 8
            }
        ));
    }

    #[test]
    fn content_is_borrowed_for_lf_and_built_for_crlf() {
        let text = "```json\n{\n  \"a\": 1\n}\n```\n";
        let [Event::Block(b)] = &events(text)[..] else {
            panic!("one block")
        };
        assert!(matches!(b.content_ref(), Cow::Borrowed("{\n  \"a\": 1\n}")));
        let crlf = text.replace('\n', "\r\n");
        let [Event::Block(b)] = &events(&crlf)[..] else {
            panic!("one block")
        };
        assert!(matches!(b.content_ref(), Cow::Owned(ref s) if s == "{\n  \"a\": 1\n}"));
        let elsewhere = [(1, "x"), (2, "y")];
        assert_eq!(join_lines(text, &elsewhere), "x\ny");
        assert_eq!(join_lines(text, &[]), "");
    }

    #[test]
    fn lines_split_at_lf_crlf_and_lone_cr() {
        // CR runs before an LF, then lone CRs, made LFs: then `str::lines`.
        let reference = |t: &str| {
            let mut normal = String::new();
            let mut crs = 0;
            for c in t.chars() {
                match c {
                    '\r' => crs += 1,
                    '\n' => (normal.push('\n'), crs = 0).1,
                    c => {
                        normal.extend(std::iter::repeat_n('\n', crs));
                        crs = 0;
                        normal.push(c);
                    }
                }
            }
            normal.extend(std::iter::repeat_n('\n', crs));
            normal.lines().map(str::to_owned).collect::<Vec<_>>()
        };
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\rb\r",
            "\r\n\r",
            "a\r\r\nb\r\r\n",
            "a\r\rb",
            "\r",
            "é\n✅\r\n\n x \r✅",
        ] {
            assert_eq!(lines(text).collect::<Vec<_>>(), reference(text), "{text:?}");
        }
        assert_eq!(lines("a\rb\r").collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn unclosed_fence_runs_to_end_and_is_marked() {
        let events = events("```text\nabc\n#### 2. not a heading");
        match &events[..] {
            [Event::Block(b)] => assert!(!b.closed && b.lines.len() == 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn fence_with_info_does_not_close() {
        let events = events("```\na\n```json\n```\n");
        assert!(matches!(&events[..], [Event::Block(b)] if b.lines.len() == 2));
    }

    #[test]
    fn the_shortcut_trims_as_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\u{3000}a",
            "a\u{a0}",
            "\x0ba\x0b",
            "\x01a",
            "é",
            "a b",
            "\u{85}",
            "-----BEGIN X-----",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            assert_eq!(trim_start(s), s.trim_start(), "{s:?}");
        }
    }

    /// The blocks of `text`: info string, content lines, closed.
    fn blocks(text: &str) -> Vec<(&str, Vec<&str>, bool)> {
        events(text)
            .into_iter()
            .filter_map(|e| match e {
                Event::Block(b) => {
                    Some((b.lang, b.lines.iter().map(|(_, l)| *l).collect(), b.closed))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn indented_code_blocks_are_blocks() {
        let text = "#### 1. step\n    POST /x\n    dpop: a\n\n    {}\n\n\n\tnext\n\nprose\n";
        assert_eq!(
            blocks(text),
            vec![
                ("", vec!["POST /x", "dpop: a", "", "{}"], true),
                ("", vec!["next"], true),
            ]
        );
        let [_, Event::Block(b), ..] = &events(text)[..] else {
            panic!("a block")
        };
        assert_eq!((b.line, b.lines[0].0), (1, 2));
        // Not after a paragraph line, nor in a list item, nor a blank line.
        for text in [
            "a paragraph\n    continued\n",
            "1. item\n\n    more of the item\n",
            "- item\n\n   deeper\n\n    still the item\n",
            "    \n\t\n",
        ] {
            assert!(blocks(text).is_empty(), "{text:?}");
        }
        // A paragraph that is not indented ends the list.
        assert_eq!(blocks("- item\n\nprose\n\n    code\n").len(), 1);
        // Fences indented in a list item stay fences.
        let fenced = blocks("1. item\n\n    ```json\n    {}\n    ```\n");
        assert_eq!(fenced, vec![("json", vec!["    {}"], true)]);
    }

    #[test]
    fn html_comments_hide_what_they_hold() {
        let text = "<!--\n```http\n200\n```\n#### 9. hidden\n-->\n```json\n{}\n```\n";
        assert_eq!(blocks(text), vec![("json", vec!["{}"], true)]);
        assert_eq!(events(text).len(), 1);
        // On one line, then what follows is read; `-->` inside a fence is content.
        let one = "  <!-- a note -->\n```\n-->\n```\n";
        assert_eq!(blocks(one), vec![("", vec!["-->"], true)]);
        // A comment never closed hides the rest, as a renderer shows it.
        assert!(events("<!-- x\n```json\n{}\n```\n").is_empty());
        // Not at the start of a line: prose.
        assert_eq!(events("see <!-- x\n```json\n{}\n```\n").len(), 2);
    }

    #[test]
    fn fences_in_a_blockquote_are_blocks() {
        let text = "> #### 2. step\n> ```http\n> GET /x\n>\n>body\n> ```\n";
        assert_eq!(
            blocks(text),
            vec![("http", vec!["GET /x", "", "body"], true)]
        );
        assert!(matches!(
            &events(text)[0],
            Event::Heading {
                level: 4,
                text: "2. step",
                ..
            }
        ));
        let nested = "> > ```json\n> > {}\n> > ```\n";
        assert_eq!(blocks(nested), vec![("json", vec!["{}"], true)]);
        // The quote ends before the fence closes: so does the block.
        let cut = blocks("> ```json\n> {}\nafter\n```\n");
        assert_eq!(cut[0], ("json", vec!["{}"], false));
        // `>` inside a fence that is not quoted is content (curl -v).
        let curl = blocks("```\n> GET / HTTP/1.1\n< HTTP/1.1 200 OK\n```\n");
        assert_eq!(
            curl,
            vec![("", vec!["> GET / HTTP/1.1", "< HTTP/1.1 200 OK"], true)]
        );
    }

    #[test]
    fn hash_without_space_is_prose() {
        assert!(matches!(&events("#hashtag")[..], [Event::Prose { .. }]));
    }
}
