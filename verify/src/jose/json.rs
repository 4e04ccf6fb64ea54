//! Strict JSON for JOSE objects: duplicate member names and deep nesting are errors.
//!
//! serde_json keeps the last of two equal member names silently; RFC 7515 §5.2
//! lets a parser reject them, and a verifier must, or a token can carry one `alg`
//! for us and another for the next reader. We deserialize through a seed that
//! builds the `Value` itself, refusing a name it has already seen and counting
//! depth (serde_json's own recursion limit also bounds the stack).
//!
//! Two results share those rules. [`parse_object`] builds an owned
//! `serde_json` map, for callers that keep or edit it. [`parse_text`] builds a
//! [`Json`] tree whose strings borrow the input (escaped ones are the only
//! copies) and whose objects are member lists: the token checks read a dozen
//! members once each, so a search tree and an allocation per string would be
//! most of their cost beside the signatures.

use super::JoseError;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// A JSON object as parsed from a JOSE header, payload or key.
pub type Object = Map<String, Value>;

/// Nesting allowed inside a header or claims set (objects and arrays).
const MAX_DEPTH: usize = 16;

/// Parses `bytes` as one JSON object, strictly. `part` names it in errors.
pub fn parse_object(bytes: &[u8], part: &'static str) -> Result<Object, JoseError> {
    let duplicate = RefCell::new(None);
    let too_deep = RefCell::new(false);
    let seed = Strict {
        depth: 0,
        duplicate: &duplicate,
        too_deep: &too_deep,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match value {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::NotObject(part)),
        Err(e) => Err(parse_error(e, part, duplicate, too_deep)),
    }
}

/// The typed error of a failed strict parse: the duplicate or depth fault the
/// seed recorded, else serde_json's own message.
fn parse_error(
    e: serde_json::Error,
    part: &'static str,
    duplicate: RefCell<Option<String>>,
    too_deep: RefCell<bool>,
) -> JoseError {
    if let Some(name) = duplicate.into_inner() {
        JoseError::DuplicateMember { part, name }
    } else if too_deep.into_inner() || e.to_string().contains("recursion limit") {
        JoseError::TooDeep(part)
    } else {
        JoseError::Json {
            part,
            detail: e.to_string(),
        }
    }
}

/// Decoded bytes as text for [`parse_text`], validated once. Bytes that are
/// not UTF-8 get the error [`parse_object`] gives them (serde_json's message
/// at the faulty position, or an earlier duplicate or syntax fault), so both
/// parsers reject every input identically.
pub fn text(bytes: Vec<u8>, part: &'static str) -> Result<String, JoseError> {
    String::from_utf8(bytes).map_err(|e| match parse_object(e.as_bytes(), part) {
        Err(error) => error,
        Ok(_) => JoseError::Json {
            part,
            detail: "invalid UTF-8".into(),
        },
    })
}

/// Parses `text` as one JSON object with the rules of [`parse_object`],
/// borrowing its strings.
pub fn parse_text<'a>(text: &'a str, part: &'static str) -> Result<Members<'a>, JoseError> {
    if let Some(members) = scan(text) {
        return Ok(members);
    }
    let duplicate = RefCell::new(None);
    let too_deep = RefCell::new(false);
    let seed = Borrowed(Strict {
        depth: 0,
        duplicate: &duplicate,
        too_deep: &too_deep,
    });
    let mut de = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match value {
        Ok(Json::Object(members)) => Ok(members),
        Ok(_) => Err(JoseError::NotObject(part)),
        Err(e) => Err(parse_error(e, part, duplicate, too_deep)),
    }
}

/// A JSON value whose strings borrow the parsed text.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string; owned only when it had escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Members<'a>),
}

impl<'a> Json<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Members<'a>> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The value as a non-negative integer, as `Value::as_u64`.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// An owned copy, for messages and for callers of the `Value` API.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.as_ref().to_owned()),
            Json::Array(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Object(m) => Value::Object(m.to_object()),
        }
    }

    /// A borrowed view of an owned value.
    pub fn from_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(a) => Json::Array(a.iter().map(Json::from_value).collect()),
            Value::Object(o) => Json::Object(Members::from_object(o)),
        }
    }
}

/// Compact JSON, exactly as `serde_json::Value` prints it.
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

impl PartialEq<str> for Json<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Json<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

/// The members of a JSON object in document order; names are unique (the
/// parser refuses a repeated one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Members<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Members<'a> {
    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.0
            .iter()
            .find(|(k, _)| same_name(k, name))
            .map(|(_, v)| v)
    }

    /// Whether member `name` is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the object is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names, in document order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// An owned copy as a `serde_json` map.
    pub fn to_object(&self) -> Object {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_value()))
            .collect()
    }

    /// A borrowed view of an owned map.
    pub fn from_object(object: &'a Object) -> Self {
        Members(
            object
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                .collect(),
        )
    }
}

#[derive(Clone, Copy)]
struct Strict<'s> {
    depth: usize,
    duplicate: &'s RefCell<Option<String>>,
    too_deep: &'s RefCell<bool>,
}

impl Strict<'_> {
    fn nested<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            *self.too_deep.borrow_mut() = true;
            return Err(E::custom("nesting too deep"));
        }
        Ok(Strict {
            depth: self.depth + 1,
            ..self
        })
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search per member: the vacant slot is filled once the value is read.
            match out.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(inner)?);
                }
                Entry::Occupied(seen) => {
                    let key = seen.key().clone();
                    let message = format!("duplicate member {key:?}");
                    *self.duplicate.borrow_mut() = Some(key);
                    return Err(de::Error::custom(message));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Objects up to this size are searched for a repeated name member by member;
/// larger ones (never a token's) through a set, so a hostile 64 KiB object
/// costs linear time.
const LINEAR_SEARCH: usize = 32;

/// The strict rules of [`Strict`], building a [`Json`] that borrows the input.
#[derive(Clone, Copy)]
struct Borrowed<'s>(Strict<'s>);

impl<'de> DeserializeSeed<'de> for Borrowed<'_> {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

/// A member name, borrowed unless it had escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Visitor<'de> for Borrowed<'_> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let inner = Borrowed(self.0.nested()?);
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let inner = Borrowed(self.0.nested()?);
        let mut out: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        let mut seen: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key_seed(Name)? {
            let repeated = match &mut seen {
                Some(set) => !set.insert(key.clone()),
                None => out.iter().any(|(k, _)| *k == key),
            };
            if repeated {
                let message = format!("duplicate member {key:?}");
                *self.0.duplicate.borrow_mut() = Some(key.into_owned());
                return Err(de::Error::custom(message));
            }
            out.push((key, map.next_value_seed(inner)?));
            if seen.is_none() && out.len() >= LINEAR_SEARCH {
                seen = Some(out.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok(Json::Object(Members(out)))
    }
}

/// The common shape of a token's JSON, read without serde: an object of
/// unique, escape-free names whose values are escape-free strings, integers
/// of at most 19 digits, literals, and shallow objects and arrays of those.
///
/// `None` whenever the input leaves that shape (escapes, fractions, signs,
/// repeated or many names, depth, any syntax fault): the full parser then
/// decides and reports. So this accepts a subset of what the full parser
/// accepts, with the same values (a test checks it on mutated inputs), and
/// every rejection and its message stay the full parser's.
fn scan(text: &str) -> Option<Members<'_>> {
    let mut s = Scanner { text, at: 0 };
    s.space();
    let members = s.object(0)?;
    s.space();
    (s.at == text.len()).then_some(members)
}

/// Nesting the fast path handles; deeper input goes to the full parser.
const SCAN_DEPTH: usize = 4;

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn object(&mut self, depth: usize) -> Option<Members<'a>> {
        self.eat(b'{')?;
        let mut out = Vec::with_capacity(if depth == 0 { 16 } else { 4 });
        self.space();
        if self.eat(b'}').is_some() {
            return Some(Members(out));
        }
        loop {
            self.space();
            let name = self.string()?;
            if out.len() >= LINEAR_SEARCH || out.iter().any(|(k, _)| same_name(k, name)) {
                return None;
            }
            self.space();
            self.eat(b':')?;
            self.space();
            let value = self.value(depth)?;
            out.push((Cow::Borrowed(name), value));
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(Members(out));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Vec<Json<'a>>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        self.space();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            self.space();
            out.push(self.value(depth)?);
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        let nested = depth + 1;
        match self.peek()? {
            b'"' => Some(Json::String(Cow::Borrowed(self.string()?))),
            b'{' if nested < SCAN_DEPTH => Some(Json::Object(self.object(nested)?)),
            b'[' if nested < SCAN_DEPTH => Some(Json::Array(self.array(nested)?)),
            b'0'..=b'9' => self.integer(),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Option<Json<'a>> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// `0` or 1 to 19 digits without a leading zero (below 10^19, so a u64),
    /// not followed by a fraction, an exponent or a 20th digit.
    fn integer(&mut self) -> Option<Json<'a>> {
        let bytes = self.text.as_bytes().get(self.at..)?;
        let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if len > 19 || (len > 1 && bytes.first() == Some(&b'0')) {
            return None;
        }
        if matches!(bytes.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let n = bytes
            .get(..len)?
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        self.at += len;
        Some(Json::Number(n.into()))
    }

    /// A string without escapes or control characters, borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = special(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }
}

/// Name equality, first byte before the rest: most of a token's names differ
/// there, which saves a comparison call per pair.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// The index of the first `"`, `\\` or control character, eight bytes at a
/// time (strings are most of a token's bytes: the embedded proof).
fn special(bytes: &[u8]) -> Option<usize> {
    if bytes.len() > LONG {
        return special_long(bytes);
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bit 7 of a byte is set for (at least) the first byte of `x` below `n`;
    // a false positive only makes the byte scan below start earlier.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hit = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hit != 0 {
            break;
        }
        i += 8;
    }
    let tail = bytes.get(i..)?;
    tail.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| i + p)
}

/// Past this many bytes, a string is most likely a nested token (the proof
/// inside an access token, the token inside a challenge payload): scanned
/// with `memchr2`, whose vector loop beats the word loop once its set-up cost
/// is amortised.
const LONG: usize = 256;

/// [`special`] for long strings: `memchr2` finds the first quote or
/// backslash, then a branch-free pass over what precedes it (which the
/// compiler vectorises) looks for a control character.
fn special_long(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', bytes).unwrap_or(bytes.len());
    let head = bytes.get(..end)?;
    if head.iter().fold(false, |seen, &b| seen | (b < 0x20)) {
        return head.iter().position(|&b| b < 0x20);
    }
    (end < bytes.len()).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_plain_object() {
        let o = parse_object(br#"{"a":1,"b":[true,null,"x"],"c":{"d":1.5}}"#, "header").unwrap();
        assert_eq!(o.len(), 3);
    }

    #[test]
    fn rejects_duplicate_members_at_any_depth() {
        let e = parse_object(br#"{"alg":"ES256","alg":"none"}"#, "header").unwrap_err();
        assert_eq!(
            e,
            JoseError::DuplicateMember {
                part: "header",
                name: "alg".into()
            }
        );
        let e = parse_object(br#"{"jwk":{"x":"a","x":"b"}}"#, "header").unwrap_err();
        assert!(matches!(e, JoseError::DuplicateMember { name, .. } if name == "x"));
    }

    #[test]
    fn rejects_non_objects_trailing_data_and_deep_nesting() {
        assert_eq!(
            parse_object(b"[1]", "payload"),
            Err(JoseError::NotObject("payload"))
        );
        assert!(matches!(
            parse_object(b"{} x", "payload"),
            Err(JoseError::Json { .. })
        ));
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let deep = format!("{{\"a\":{deep}}}");
        assert_eq!(
            parse_object(deep.as_bytes(), "payload"),
            Err(JoseError::TooDeep("payload"))
        );
        let ok = format!("{{\"a\":{}1{}}}", "[".repeat(15), "]".repeat(15));
        assert!(parse_object(ok.as_bytes(), "payload").is_ok());
    }

    #[test]
    fn rejects_invalid_utf8() {
        assert!(matches!(
            parse_object(b"{\"a\":\"\xff\"}", "payload"),
            Err(JoseError::Json { .. })
        ));
    }

    /// Both parsers accept and reject the same inputs with the same errors.
    #[test]
    fn the_borrowed_parser_agrees_with_the_owned_one() {
        let wide: String = (0..40).map(|i| format!("\"m{i}\":{i},")).collect();
        let inputs = [
            r#"{"a":1,"b":[true,null,"x"],"c":{"d":1.5,"e":-3}}"#.to_owned(),
            r#"{"a\u0041":"\n","aA":1}"#.to_owned(),
            r#"{"aA":1,"a\u0041":2}"#.to_owned(),
            r#"{"alg":"ES256","alg":"none"}"#.to_owned(),
            r#"{"jwk":{"x":"a","x":"b"}}"#.to_owned(),
            r#"{"a":[{"b":1,"b":2}]}"#.to_owned(),
            format!("{{{wide}\"m3\":0}}"),
            format!("{{{wide}\"z\":0}}"),
            "[1]".to_owned(),
            "{} x".to_owned(),
            r#"{"a":01}"#.to_owned(),
            r#"{"a":1e999}"#.to_owned(),
            r#"{"a":"\ud800"}"#.to_owned(),
            format!("{{\"a\":{}1{}}}", "[".repeat(16), "]".repeat(16)),
            format!("{{\"a\":{}1{}}}", "[".repeat(15), "]".repeat(15)),
            format!("{{\"a\":{}1{}}}", "[".repeat(9_000), "]".repeat(9_000)),
        ];
        for input in &inputs {
            let owned = parse_object(input.as_bytes(), "payload");
            let borrowed = parse_text(input, "payload").map(|m| m.to_object());
            assert_eq!(owned, borrowed, "{input:.80}");
        }
        let m = parse_text(r#"{"s":"plain","e":"a\"b"}"#, "payload").unwrap();
        assert!(matches!(
            m.get("s"),
            Some(Json::String(Cow::Borrowed("plain")))
        ));
        assert!(matches!(m.get("e"), Some(Json::String(Cow::Owned(s))) if s == "a\"b"));
    }

    #[test]
    fn invalid_utf8_text_gets_the_owned_parsers_error() {
        let bytes = b"{\"a\":\"\xff\"}".to_vec();
        assert_eq!(
            text(bytes.clone(), "payload"),
            parse_object(&bytes, "payload").map(|_| String::new())
        );
        assert!(matches!(
            text(bytes, "payload"),
            Err(JoseError::Json { .. })
        ));
        let dup = b"{\"a\":1,\"a\":\"\xff\"}".to_vec();
        assert!(matches!(
            text(dup, "payload"),
            Err(JoseError::DuplicateMember { .. })
        ));
        assert_eq!(text(b"{}".to_vec(), "payload").as_deref(), Ok("{}"));
    }

    /// What the fast path accepts, the full parser accepts with the same
    /// value; every byte of a token-like object mutated or cut.
    #[test]
    fn the_fast_path_is_a_subset_of_the_full_parser() {
        let sample = concat!(
            r#"{"iat":1767225600,"exp":0,"n":null,"t":true,"f":false,"#,
            r#""s":"wire","u":"é","a":[1,"x",[]],"o":{"jkt":"abc","k":{}},"e":{}}"#
        );
        let replacements = b"\"\\{}[],:0 9.eE-+tfnx\x01\x7f";
        let mut checked = 0;
        for i in 0..sample.len() {
            let b = sample.as_bytes();
            let mut variants = vec![b[..i].to_vec(), [&b[..i], &b[i + 1..]].concat()];
            for &r in replacements {
                let mut bytes = b.to_vec();
                bytes[i] = r;
                variants.push(bytes);
            }
            for v in variants
                .into_iter()
                .filter_map(|v| String::from_utf8(v).ok())
            {
                if let Some(fast) = scan(&v) {
                    let full = parse_object(v.as_bytes(), "payload");
                    assert_eq!(Ok(fast.to_object()), full, "{v}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{checked}");
        let fast = scan(r#"{"a":"x","b":12,"c":[true,null],"d":{"e":"f"}}"#).unwrap();
        assert_eq!(fast.len(), 4);
        for refused in [
            r#"{"a":"\n"}"#,
            r#"{"a":1.0}"#,
            r#"{"a":-1}"#,
            r#"{"a":01}"#,
            r#"{"a":12345678901234567890}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":[[[[1]]]]}"#,
            "{\"a\":\"\u{1}\"}",
            "[1]",
            "{} x",
        ] {
            assert!(scan(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn both_scans_find_what_a_byte_loop_finds() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let base: Vec<u8> = "eyJhbGciOiJFZERTQSJ9é".bytes().cycle().take(700).collect();
        for len in [0, 1, 7, 8, 9, 255, 256, 257, 300, 699] {
            let mut bytes = base[..len].to_vec();
            assert_eq!(special(&bytes), naive(&bytes), "{len}");
            assert_eq!(special_long(&bytes), naive(&bytes), "{len}");
            for at in [0, len / 3, len.saturating_sub(1)] {
                for c in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    if let Some(slot) = bytes.get_mut(at) {
                        let kept = *slot;
                        *slot = c;
                        assert_eq!(special(&bytes), naive(&bytes), "{len} {at} {c}");
                        assert_eq!(special_long(&bytes), naive(&bytes), "{len} {at} {c}");
                        // A control character before a later quote is found first.
                        bytes.push(b'"');
                        assert_eq!(special_long(&bytes), naive(&bytes), "{len} {at} {c}");
                        bytes.pop();
                        bytes[at] = kept;
                    }
                }
            }
        }
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control() {
        let long = "abcdefghijklmnopqrstuvwxyz0123456789éé";
        assert_eq!(special(long.as_bytes()), None);
        for (i, c) in [(0, '"'), (7, '\\'), (8, '\u{1f}'), (30, '"'), (37, '\n')] {
            let mut s: String = long.chars().take(i).collect();
            s.push(c);
            s.push_str("tail\"");
            assert_eq!(
                special(s.as_bytes()),
                Some(s.char_indices().nth(i).unwrap().0),
                "{s}"
            );
        }
    }
}
