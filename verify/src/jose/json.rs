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
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Whether member `name` is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
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
}
