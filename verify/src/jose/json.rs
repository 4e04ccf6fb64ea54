//! Strict JSON for JOSE objects: duplicate member names and deep nesting are errors.
//!
//! serde_json keeps the last of two equal member names silently; RFC 7515 §5.2
//! lets a parser reject them, and a verifier must, or a token can carry one `alg`
//! for us and another for the next reader. We deserialize through a seed that
//! builds the `Value` itself, refusing a name it has already seen and counting
//! depth (serde_json's own recursion limit also bounds the stack).

use super::JoseError;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
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
        Err(e) => Err(if let Some(name) = duplicate.into_inner() {
            JoseError::DuplicateMember { part, name }
        } else if too_deep.into_inner() || e.to_string().contains("recursion limit") {
            JoseError::TooDeep(part)
        } else {
            JoseError::Json {
                part,
                detail: e.to_string(),
            }
        }),
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
}
