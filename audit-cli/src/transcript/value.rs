//! JSON text read into a `serde_json::Value`, without serde_json's parser for the
//! common shape of a capture's JSON.
//!
//! Most of what serde_json spends reading a capture's JSON blocks, ACME members and
//! token segments is finding where each string ends, eight bytes at a time: the
//! strings are long (tokens, base64 members, certificates). Here a string's end is
//! found with `memchr` (vectorised) and its control characters checked in one pass,
//! and the tree is built directly.
//!
//! The fast path accepts a subset of JSON: strings whose escapes are the simple ones
//! or a `\u` escape outside the surrogates, unsigned integers that fit a `u64`,
//! literals, and objects and arrays nested at most [`DEPTH`] deep. Anything else
//! (a sign, a fraction, an exponent, a surrogate escape, deeper nesting, any syntax
//! fault) is handed to serde_json, which then decides. So [`parse`] accepts exactly
//! what `serde_json::from_str::<Value>` accepts, with the same value: a member
//! repeated in an object counts by its last occurrence, as serde_json's map keeps
//! it (tests compare both on tricky inputs). [`parse_noting_repeats`] also names
//! the first member given twice: such a block says two things at once, and the
//! auditor must not pick one silently.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::fmt;

/// Nesting the fast path handles; deeper input goes to serde_json (whose own
/// limit is 128).
const DEPTH: usize = 32;

/// `serde_json::from_str::<Value>(text).ok()`.
pub(crate) fn parse(text: &str) -> Option<Value> {
    parse_noting_repeats(text).map(|(value, _)| value)
}

/// [`parse`], with the first member name given twice in one object, if any.
pub(crate) fn parse_noting_repeats(text: &str) -> Option<(Value, Option<String>)> {
    if let Some(read) = fast(text) {
        return Some(read);
    }
    let value = serde_json::from_str(text).ok()?;
    Some((value, first_repeat(text)))
}

/// The fast path alone: `None` when the text leaves its subset (or is not JSON).
fn fast(text: &str) -> Option<(Value, Option<String>)> {
    let mut p = Fast {
        text,
        at: 0,
        repeated: None,
    };
    let value = p.value::<true>(0)?;
    p.end()?;
    Some((value, p.repeated))
}

/// Whether `text` is JSON as serde_json reads it into `IgnoredAny` (which accepts
/// more than a `Value` does: the fast path's subset, checked without building
/// anything, decides first).
pub(crate) fn is_json(text: &str) -> bool {
    let mut p = Fast {
        text,
        at: 0,
        repeated: None,
    };
    let fast = p.value::<false>(0).is_some() && p.end().is_some();
    fast || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// The members `names` of the JSON object `text`, as
/// [`super::members::object_members`] reads them into `Value`s (a member
/// repeated counts by its last occurrence; `None` when `text` is not JSON or
/// not an object), without building the other members: they are only checked.
pub(crate) fn members<const N: usize>(text: &str, names: [&str; N]) -> Option<[Option<Value>; N]> {
    fast_members(text, names)
        .or_else(|| super::members::object_members::<Value, N>(text.as_bytes(), names))
}

/// [`members`] by the fast path alone, which also leaves escaped names to
/// serde_json.
fn fast_members<const N: usize>(text: &str, names: [&str; N]) -> Option<[Option<Value>; N]> {
    let mut p = Fast {
        text,
        at: 0,
        repeated: None,
    };
    let mut found = std::array::from_fn(|_| None);
    p.eat(b'{')?;
    p.skip_space();
    if p.peek()? == b'}' {
        p.at += 1;
    } else {
        loop {
            p.eat(b'"')?;
            let (name, true) = p.run()? else {
                return None;
            };
            p.eat(b':')?;
            match names.iter().position(|n| *n == name) {
                Some(i) => *found.get_mut(i)? = Some(p.value::<true>(1)?),
                None => {
                    p.value::<false>(1)?;
                }
            }
            if !p.next_member(b'}')? {
                break;
            }
        }
    }
    p.end()?;
    Some(found)
}

struct Fast<'t> {
    text: &'t str,
    /// Index of the next byte to read; always on a character boundary between
    /// tokens (everything the parser steps over by hand is ASCII).
    at: usize,
    /// The first member name met twice in one object, when building.
    repeated: Option<String>,
}

impl<'t> Fast<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// JSON whitespace: exactly the four bytes serde_json skips.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Only whitespace left.
    fn end(&mut self) -> Option<()> {
        self.skip_space();
        (self.at == self.text.len()).then_some(())
    }

    /// After an element: true past a comma, false past `close`.
    fn next_member(&mut self, close: u8) -> Option<bool> {
        self.skip_space();
        let more = match self.peek()? {
            b',' => true,
            b if b == close => false,
            _ => return None,
        };
        self.at += 1;
        Some(more)
    }

    /// Consumes `byte` after optional whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// A value, built when `BUILD`; else only checked (`null` stands for it).
    fn value<const BUILD: bool>(&mut self, depth: usize) -> Option<Value> {
        self.skip_space();
        match self.peek()? {
            b'{' if depth < DEPTH => self.object::<BUILD>(depth + 1),
            b'[' if depth < DEPTH => self.array::<BUILD>(depth + 1),
            b'"' => {
                self.at += 1;
                if BUILD {
                    self.string().map(Value::String)
                } else {
                    self.skip_string().map(|()| Value::Null)
                }
            }
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'0'..=b'9' => self.integer(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            value
        })
    }

    /// An unsigned integer that fits a `u64`, without a leading zero (serde_json
    /// rejects one) and not followed by a fraction or exponent (left to it).
    fn integer(&mut self) -> Option<Value> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = bytes.get(self.at).copied() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.at += 1;
        }
        let leading_zero = bytes.get(start) == Some(&b'0') && self.at - start > 1;
        let float = matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E'));
        (!leading_zero && !float).then(|| Value::Number(n.into()))
    }

    fn array<const BUILD: bool>(&mut self, depth: usize) -> Option<Value> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek()? == b']' {
            self.at += 1;
        } else {
            loop {
                let item = self.value::<BUILD>(depth)?;
                if BUILD {
                    items.push(item);
                }
                if !self.next_member(b']')? {
                    break;
                }
            }
        }
        Some(if BUILD {
            Value::Array(items)
        } else {
            Value::Null
        })
    }

    fn object<const BUILD: bool>(&mut self, depth: usize) -> Option<Value> {
        self.at += 1;
        let mut map = Map::new();
        self.skip_space();
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                self.eat(b'"')?;
                if BUILD {
                    let key = self.string()?;
                    self.eat(b':')?;
                    let value = self.value::<BUILD>(depth)?;
                    // The last of repeated names wins, as in serde_json's map;
                    // the first repeated name is remembered.
                    match map.entry(key) {
                        Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        Entry::Occupied(mut slot) => {
                            self.repeated.get_or_insert_with(|| slot.key().clone());
                            slot.insert(value);
                        }
                    }
                } else {
                    self.skip_string()?;
                    self.eat(b':')?;
                    self.value::<BUILD>(depth)?;
                }
                if !self.next_member(b'}')? {
                    break;
                }
            }
        }
        Some(if BUILD {
            Value::Object(map)
        } else {
            Value::Null
        })
    }

    /// A string's content, the opening quote consumed: most hold no escape and
    /// are copied once, as one run.
    fn string(&mut self) -> Option<String> {
        match self.run()? {
            (run, true) => Some(run.to_owned()),
            (run, false) => {
                // Room for a few more runs before the copy grows.
                let mut out = String::with_capacity(run.len() + 128);
                out.push_str(run);
                self.escaped(out)
            }
        }
    }

    /// A string checked as [`Fast::string`] reads it, not copied.
    fn skip_string(&mut self) -> Option<()> {
        while !self.run()?.1 {
            self.escape()?;
        }
        Some(())
    }

    /// The rest of a string after its first run, `out`, which ended at a backslash.
    #[cold]
    fn escaped(&mut self, mut out: String) -> Option<String> {
        loop {
            out.push(self.escape()?);
            let (run, closed) = self.run()?;
            out.push_str(run);
            if closed {
                return Some(out);
            }
        }
    }

    /// The text up to the next quote or backslash, which is consumed too, and
    /// whether it was the closing quote.
    fn run(&mut self) -> Option<(&'t str, bool)> {
        let rest = self.text.as_bytes().get(self.at..)?;
        let len = run_length(rest)?;
        // The run ends before an ASCII quote or backslash: a character boundary.
        let run = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some((run, rest.get(len) == Some(&b'"')))
    }

    /// The character an escape stands for, its backslash consumed; `None` for a
    /// surrogate `\u` escape (serde_json pairs them or rejects a lone one) and for
    /// anything that is not an escape.
    fn escape(&mut self) -> Option<char> {
        let c = match self.peek()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = self.text.as_bytes().get(self.at + 1..self.at + 5)?;
                let code = hex
                    .iter()
                    .try_fold(0u32, |n, &h| Some(n * 16 + char::from(h).to_digit(16)?))?;
                self.at += 4;
                // `from_u32` refuses exactly the surrogates.
                char::from_u32(code)?
            }
            _ => return None,
        };
        self.at += 1;
        Some(c)
    }
}

/// Bytes before the first quote or backslash of `rest`; `None` when there is none
/// or a control character (which a JSON string may not hold raw) comes first.
/// Names and short values end within a few 16-byte chunks, each tested with a
/// branch-free fold that the compiler vectorises (all three kinds of byte in one
/// pass), the one that holds the end then searched eight bytes at a time; a longer
/// run (base64, a token) goes to [`long_run`].
fn run_length(rest: &[u8]) -> Option<usize> {
    const CHUNK: usize = 16;
    const SHORT: usize = 4 * CHUNK;
    let mut start = 0;
    let mut chunks = rest.chunks_exact(CHUNK);
    loop {
        if start == SHORT {
            return long_run(rest, start);
        }
        let Some(chunk) = chunks.next().and_then(|c| <&[u8; CHUNK]>::try_from(c).ok()) else {
            break;
        };
        if chunk.iter().fold(false, |hit, &b| hit | stops(b)) {
            break;
        }
        start += CHUNK;
    }
    let tail = rest.get(start..)?;
    let mut words = tail.chunks_exact(8);
    let mut end = start;
    let found = loop {
        let Some(word) = words.next().and_then(|w| <[u8; 8]>::try_from(w).ok()) else {
            break words.remainder().iter().position(|&b| stops(b));
        };
        if let Some(i) = first_stop(u64::from_le_bytes(word)) {
            break Some(i);
        }
        end += 8;
    };
    let end = end + found?;
    matches!(rest.get(end), Some(b'"' | b'\\')).then_some(end)
}

/// [`run_length`] from `from` on, for a long run: its end found with `memchr`
/// (vectorised with the widest instructions the machine has), then its bytes
/// checked for control characters in one vectorised pass.
fn long_run(rest: &[u8], from: usize) -> Option<usize> {
    let tail = rest.get(from..)?;
    let len = memchr::memchr2(b'"', b'\\', tail)?;
    let lowest = tail.get(..len)?.iter().fold(u8::MAX, |m, &b| m.min(b));
    (lowest >= 0x20).then_some(from + len)
}

/// Whether a string run stops at `b`: a quote, a backslash or a control character.
fn stops(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | (b < 0x20)
}

/// The index of the first byte of `word` (little-endian) that [`stops`] a run.
/// Each test flags a byte through its high bit; a borrow can only flag bytes
/// after a real hit, so the lowest flag is exact.
fn first_stop(word: u64) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    let zero_at = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let flags =
        (control | zero_at(word ^ (ONES * 0x22)) | zero_at(word ^ (ONES * 0x5c))) & (ONES << 7);
    (flags != 0).then(|| flags.trailing_zeros() as usize / 8)
}

/// The first member name given twice in one object of `text`, JSON that
/// serde_json reads (the inputs the fast path leaves to it), found without
/// building the value again.
fn first_repeat(text: &str) -> Option<String> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(text);
    Repeats(&mut found).deserialize(&mut de).ok()?;
    found
}

/// Walks a JSON value, noting in `.0` the first name an object gives twice.
struct Repeats<'r>(&'r mut Option<String>);

impl<'de> DeserializeSeed<'de> for Repeats<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Repeats<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Repeats(self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names: Vec<String> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            map.next_value_seed(Repeats(self.0))?;
            if names.contains(&name) {
                self.0.get_or_insert(name);
            } else {
                names.push(name);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let reference = serde_json::from_str::<Value>(text).ok();
        assert_eq!(parse(text), reference, "{text:?}");
        if let Some((v, _)) = fast(text) {
            assert_eq!(Some(v), reference, "fast path on {text:?}");
        }
    }

    #[test]
    fn json_checked_as_ignored_any_checks_it() {
        for text in [
            r#"{"a":[1,true,null,"\u00e9"],"b":{}}"#,
            r#""\ud800""#,
            r#"{"a":1,"a":2}"#,
            "-1.5e3",
            "[1,]",
            "{} x",
            "\"raw\u{1}\"",
            "",
        ] {
            assert_eq!(
                is_json(text),
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_same_values_as_serde_json() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let deep_objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        let samples = [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
            " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"x":1},"a":"y"}"#,
            r#"{"b":1,"a":2,"c":3}"#,
            r#""plain""#,
            r#""esc \" \\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u00E9\u0000\u2028\uffff""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            r#""\x""#,
            "\"raw\ttab\"",
            "\"raw\u{1f}\"",
            "\"del\u{7f} é ✅\"",
            r#"{"k\"ey":"v\nw","é":"✅"}"#,
            "0",
            "01",
            "00",
            "-0",
            "-1",
            "1.5",
            "1e3",
            "1E3",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234567890",
            "[1,2,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "[1 2]",
            "",
            " ",
            "tru",
            "truex",
            "nul",
            "[",
            "{",
            "\"open",
            "{} x",
            "{}{}",
            "\u{feff}{}",
            "[\"a\",{\"b\":[{}]},[]]",
            "{\"a\":[],\"b\":{}}",
            &deep(31),
            &deep(32),
            &deep(33),
            &deep(127),
            &deep(128),
            &deep(129),
            &deep_objects(32),
            &deep_objects(40),
        ];
        for text in samples {
            same(text);
        }
    }

    #[test]
    fn a_member_given_twice_is_named_on_both_paths() {
        for (text, repeated) in [
            (r#"{"status":"invalid","status":"valid"}"#, Some("status")),
            (r#"{"a":{"x":1,"x":2},"b":1}"#, Some("x")),
            (r#"{"a":[{"y":1},{"y":2,"z":1,"y":3}]}"#, Some("y")),
            (r#"{"a":1,"a":2}"#, Some("a")),
            (r#"{"a":1,"b":2,"a":3,"b":4}"#, Some("a")),
            (r#"{"a":{"x":1},"b":{"x":1}}"#, None),
            (r#"[{"a":1},{"a":1}]"#, None),
            (r#"{"a":"a","b":"a"}"#, None),
            ("{}", None),
        ] {
            let want = repeated.map(str::to_owned);
            let fast_read = fast(text).map(|(_, r)| r);
            assert_eq!(fast_read, Some(want.clone()), "fast path on {text:?}");
            // A float sends the same text to serde_json and the repeat finder.
            let slow = format!("[{text},1.5]");
            assert!(fast(&slow).is_none(), "{slow:?}");
            let (value, found) = parse_noting_repeats(&slow).expect("JSON");
            assert_eq!(Some(value), serde_json::from_str(&slow).ok(), "{slow:?}");
            assert_eq!(found, want, "serde_json path on {slow:?}");
        }
        assert_eq!(parse_noting_repeats(r#"{"a":1,"a":2"#), None);
    }

    #[test]
    fn runs_end_where_a_byte_search_ends_them() {
        let reference = |rest: &[u8]| {
            let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
            rest[..end].iter().all(|&b| b >= 0x20).then_some(end)
        };
        let long = "x".repeat(160);
        for n in 0..160 {
            for stop in [
                b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xff,
            ] {
                let mut bytes = long.as_bytes()[..n].to_vec();
                bytes.push(stop);
                bytes.extend_from_slice(b"x\"\x01y\\");
                assert_eq!(run_length(&bytes), reference(&bytes), "{bytes:?}");
            }
        }
        for prefix in [
            "",
            "a",
            "é",
            &long[..15],
            &long[..16],
            &long[..17],
            &long[..64],
            &long,
        ] {
            for end in ["\"", "\\", "\u{1}\"", "", "\u{7f}\"", "\u{1f}"] {
                for text in [format!("{prefix}{end}"), format!("{end}{prefix}\"")] {
                    assert_eq!(
                        run_length(text.as_bytes()),
                        reference(text.as_bytes()),
                        "{text:?}"
                    );
                }
            }
        }
    }

    /// [`members`] and [`fast_members`] as `object_members` reads the same text.
    fn same_members(text: &str) {
        let names = ["iat", "exp", "a"];
        let reference =
            crate::transcript::members::object_members::<Value, 3>(text.as_bytes(), names);
        assert_eq!(members(text, names), reference, "{text:?}");
        if let Some(found) = fast_members(text, names) {
            assert_eq!(Some(found), reference, "fast path on {text:?}");
        }
    }

    #[test]
    fn the_same_members_as_the_serde_reader() {
        for text in [
            r#"{"iat":1,"exp":2,"nonce":"x","proof":"a.b.c"}"#,
            r#"{"iat":1,"iat":{"b":[1,"\n"]},"exp":null}"#,
            r#"{"i\u0061t":5,"exp":[true]}"#,
            r#"{"x":{"y":[1,2,{"z":"\ud800"}]},"iat":3}"#,
            r#"{"x":"\u00e9","iat":-3,"exp":1.5}"#,
            r#"{"x":01,"iat":3}"#,
            r#"{"x":"a\qb","iat":3}"#,
            "{\"x\":\"raw\u{1}\",\"iat\":3}",
            r#"{"iat":3} x"#,
            r#"{"iat":3,}"#,
            r#"[{"iat":3}]"#,
            r#""iat""#,
            " { } ",
            "{",
            "",
        ] {
            same_members(text);
        }
        let doc = r#"{"iat":1,"a":{"k":[1,true,null,"v\"w"]},"exp":22,"z":"\u00e9"}"#;
        for end in 0..=doc.len() {
            if let Some(prefix) = doc.get(..end) {
                same_members(prefix);
            }
        }
    }

    #[test]
    fn truncations_of_a_capture_like_document() {
        let doc = r#"{"protected":{"alg":"EdDSA","jwk":{"crv":"Ed25519","x":"abc"},"nonce":"n\u00e9"},"payload":{"identifiers":[{"type":"wireapp-id","value":"{\"name\":\"Smith, Alice\"}"}],"n":12},"list":[1,true,null,"x"]}"#;
        for end in 0..=doc.len() {
            if let Some(prefix) = doc.get(..end) {
                same(prefix);
            }
        }
        // Each byte replaced by a few that matter to the grammar.
        for at in 0..doc.len() {
            for b in [
                b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'1', b'-', b' ', 0x01,
            ] {
                let mut bytes = doc.as_bytes().to_vec();
                bytes[at] = b;
                if let Ok(text) = String::from_utf8(bytes) {
                    same(&text);
                }
            }
        }
    }
}
