//! A few members of a JSON object, read without building a `serde_json::Value` of
//! the whole document.
//!
//! Several readers need a few members of an object that is otherwise large (token
//! claims that embed a whole proof, an order's body, an identifier's JSON value).
//! Building the full `Value` allocates every key, string and map node only to look
//! one up and drop the rest. Here the document is read once by serde_json's own
//! parser: the wanted members are kept, every other value is walked and discarded
//! ([`object_values`] first tries the value reader's faster path).
//!
//! Acceptance is exactly that of `serde_json::from_slice::<Value>`: values are
//! skipped through `deserialize_any`, as `Value` reads them (strings are validated,
//! lone surrogates and out-of-range numbers rejected, the same depth limit applies),
//! not through `IgnoredAny`, whose faster skipping accepts more. A member repeated in
//! an object counts by its last occurrence, as in a `Value`'s map.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// The members `names` of the JSON object `json`, each as `T`; `None` when `json`
/// is not JSON or not an object; a member that is absent is `None`. `T` must read
/// any JSON value ([`Str`] for a string member, `Value` for any other).
pub(crate) fn object_members<'de, T, const N: usize>(
    json: &'de [u8],
    names: [&str; N],
) -> Option<[Option<T>; N]>
where
    T: Deserialize<'de>,
{
    read_members(serde_json::Deserializer::from_str(utf8(json)?), names)
}

/// `serde_json::from_slice` of decoded base64 (token segments, ACME members): the
/// bytes are checked for UTF-8 once, in core's fast pass, and then parsed as text,
/// instead of string by string as serde_json checks bytes. The result is the same:
/// JSON holds non-ASCII bytes only inside strings, which `from_slice` requires to
/// be UTF-8, so bytes it accepts are UTF-8, and text is parsed alike either way.
pub(crate) fn from_json_bytes(bytes: &[u8]) -> Option<serde_json::Value> {
    super::value::parse(utf8(bytes)?)
}

/// [`object_members`] into `Value`s of decoded bytes (token claims), by the
/// value reader's fast path where it applies: the members not wanted are checked
/// without being built.
pub(crate) fn object_values<const N: usize>(
    json: &[u8],
    names: [&str; N],
) -> Option<[Option<serde_json::Value>; N]> {
    super::value::members(utf8(json)?, names)
}

fn utf8(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// [`object_members`] of JSON text, which serde_json need not check for UTF-8 again.
pub(crate) fn object_members_str<'de, T, const N: usize>(
    json: &'de str,
    names: [&str; N],
) -> Option<[Option<T>; N]>
where
    T: Deserialize<'de>,
{
    read_members(serde_json::Deserializer::from_str(json), names)
}

fn read_members<'de, R, T, const N: usize>(
    mut de: serde_json::Deserializer<R>,
    names: [&str; N],
) -> Option<[Option<T>; N]>
where
    R: serde_json::de::Read<'de>,
    T: Deserialize<'de>,
{
    let found = de
        .deserialize_any(Members {
            names,
            found: std::array::from_fn(|_| None),
        })
        .ok()?;
    de.end().ok()?;
    found
}

/// A JSON value that is a string (borrowed from the document when it holds no
/// escape), or `None` for any other value, which is still read through.
#[derive(Debug, PartialEq)]
pub(crate) struct Str<'de>(pub Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// Any JSON value, read through as `Value` would read it and discarded.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor).map(|_| Skip)
    }
}

/// Keeps a string; reads any other value through (its elements and members with
/// [`Skip`]) and yields `None` for it.
struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Str(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Str(None))
    }
}

/// Reads an object, keeping the members named in `names` (the last occurrence of
/// each) and reading the others through.
struct Members<'n, T, const N: usize> {
    names: [&'n str; N],
    found: [Option<T>; N],
}

/// A member name compared with the wanted names without being copied: the index of
/// the one it is, if any.
struct KeyIndex<'n, const N: usize>(&'n [&'n str; N]);

impl<'de, const N: usize> DeserializeSeed<'de> for KeyIndex<'_, N> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for KeyIndex<'_, N> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| *n == v))
    }
}

/// The value of a wanted member: `T` when it reads as one, else `None` (the value
/// is then read through, so the document's acceptance does not depend on `T`).
struct Wanted<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Wanted<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::deserialize(d).map(Some)
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for Members<'_, T, N> {
    type Value = Option<[Option<T>; N]>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(key) = map.next_key_seed(KeyIndex(&self.names))? {
            match key.and_then(|i| self.found.get_mut(i)) {
                Some(slot) => *slot = map.next_value_seed(Wanted(std::marker::PhantomData))?,
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(Some(self.found))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// What the same lookups give through a whole `Value`.
    fn through_value<const N: usize>(json: &str, names: [&str; N]) -> Option<[Option<String>; N]> {
        let v: Value = serde_json::from_str(json).ok()?;
        let map = v.as_object()?;
        Some(names.map(|n| map.get(n).and_then(Value::as_str).map(str::to_owned)))
    }

    fn through_members<const N: usize>(
        json: &str,
        names: [&str; N],
    ) -> Option<[Option<String>; N]> {
        let found = object_members_str::<Str<'_>, N>(json, names)?;
        let bytes = object_members::<Str<'_>, N>(json.as_bytes(), names)?;
        assert_eq!(found, bytes, "{json}");
        Some(found.map(|s| s.and_then(|s| s.0).map(Cow::into_owned)))
    }

    #[test]
    fn same_members_and_same_acceptance_as_a_value() {
        let names = ["protected", "payload", "signature"];
        let samples = [
            r#"{"protected":"a","payload":"","signature":"c"}"#,
            r#"{"payload":"p","protected":"a","signature":"s","x":[1,{"y":null}]}"#,
            r#"{"protected":"a","protected":{"b":1},"payload":"","signature":"c"}"#,
            r#"{"protected":{"b":1},"protected":"a","payload":"","signature":"c"}"#,
            r#"{"prot\u0065cted":"a\nb","payload":"\u00e9","signature":"c"}"#,
            r#"{"protected":"a","payload":"","signature":"c"} x"#,
            r#"{"protected":"a","payload":"","signature":"c","z":"\ud800"}"#,
            r#"{"protected":"a","payload":"","signature":"c","z":1e400}"#,
            r#"{"protected":"a","payload":"","signature":"c","z":-0.5e-3}"#,
            r#"["protected","payload","signature"]"#,
            r#""protected""#,
            "17",
            "null",
            "{",
            "",
            r#"{"protected":"a"}"#,
            &format!("{}1{}", "[".repeat(200), "]".repeat(200)),
            &format!(
                r#"{{"protected":"a","payload":"","signature":"c","d":{}1{}}}"#,
                "[".repeat(126),
                "]".repeat(126)
            ),
            &format!(
                r#"{{"protected":"a","payload":"","signature":"c","d":{}1{}}}"#,
                "[".repeat(127),
                "]".repeat(127)
            ),
        ];
        for json in samples {
            assert_eq!(
                through_members(json, names),
                through_value(json, names),
                "{json}"
            );
        }
    }

    #[test]
    fn bytes_read_as_from_slice_reads_them() {
        let samples: [&[u8]; 8] = [
            b"{\"a\":\"\xc3\xa9\",\"b\":[1,2.5,null]}",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":1}\xff",
            b"\xef\xbb\xbf{}",
            b"\"\\ud800\"",
            b"",
            b" [ ] ",
            b"{\"a\":\"b\"} x",
        ];
        for bytes in samples {
            assert_eq!(
                from_json_bytes(bytes),
                serde_json::from_slice::<Value>(bytes).ok(),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn members_read_as_values() {
        let found = object_members::<Value, 1>(br#"{"iat": 5, "a": "b", "iat": 7}"#, ["iat"]);
        assert_eq!(found, Some([Some(Value::from(7))]));
        let found = object_members::<Value, 1>(br#"{"a": [1, 2]}"#, ["iat"]);
        assert_eq!(found, Some([None]));
    }
}
