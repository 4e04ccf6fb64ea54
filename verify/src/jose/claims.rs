use super::json::same_name;
use super::{parse_object, Json, Members, Object};

/// The claims set of a verified token, kept without copying its strings: the
/// decoded payload text, and where each top-level string member lies in it.
///
/// A verified proof or token outlives the token text it came from, so it
/// cannot borrow it; keeping the decoded payload (already allocated by the
/// base64url decoding) and offsets into it costs one small list instead of a
/// map and a string per claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    json: String,
    strings: Vec<(Text, Text)>,
}

/// The string members of a claims set, located in its text.
#[derive(Debug)]
pub(crate) struct Spans(Vec<(Text, Text)>);

/// A string of the claims set: a byte range of the payload text, or a copy
/// when the JSON spelled it with escapes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Text {
    Span(usize, usize),
    Owned(Box<str>),
}

impl Claims {
    /// Where the string members of `members`, parsed from `json`, lie in it
    /// (a string that does not lie in `json` is copied).
    pub(crate) fn spans(json: &str, members: &Members<'_>) -> Spans {
        Spans(
            members
                .iter()
                .filter_map(|(name, value)| Some((name, value.as_str()?)))
                .map(|(name, value)| (locate(json, name), locate(json, value)))
                .collect(),
        )
    }

    /// Keeps `json` with its [`Claims::spans`].
    pub(crate) fn keep(json: String, spans: Spans) -> Self {
        Claims {
            json,
            strings: spans.0,
        }
    }

    /// The string claim `name`; `None` when absent or not a string.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(n, _)| same_name(self.text(n), name))
            .map(|(_, v)| self.text(v))
    }

    /// The claims set as decoded (UTF-8 JSON).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Every claim, as an owned map (parsed again: for reports and tools, not
    /// for the checks).
    pub fn to_object(&self) -> Object {
        parse_object(self.json.as_bytes(), "payload").unwrap_or_default()
    }

    fn text<'s>(&'s self, t: &'s Text) -> &'s str {
        match t {
            Text::Span(start, end) => self.json.get(*start..*end).unwrap_or_default(),
            Text::Owned(s) => s,
        }
    }
}

/// Where `s` lies in `json`, when it is a slice of it.
fn locate(json: &str, s: &str) -> Text {
    let start = (s.as_ptr() as usize).wrapping_sub(json.as_ptr() as usize);
    let end = start.wrapping_add(s.len());
    match json.get(start..end) {
        Some(slice) if std::ptr::eq(slice, s) => Text::Span(start, end),
        _ => Text::Owned(s.into()),
    }
}

/// A claim value as a string, whether borrowed or unescaped.
pub(crate) fn as_text<'c>(value: Option<&'c Json<'_>>) -> Option<&'c str> {
    value.and_then(Json::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::parse_text;

    #[test]
    fn keeps_every_string_claim_escaped_or_not() {
        let json = r#"{"a":"plain","b\u0062":"x\"y","n":1,"o":{"c":"d"}}"#.to_owned();
        let members = parse_text(&json, "payload").unwrap();
        let claims = Claims::keep(json.clone(), Claims::spans(&json, &members));
        assert_eq!(claims.get("a"), Some("plain"));
        assert_eq!(claims.get("bb"), Some("x\"y"));
        assert_eq!(claims.get("n"), None);
        assert_eq!(claims.get("o"), None);
        assert_eq!(claims.get("c"), None);
        assert_eq!(claims.json(), json);
        assert_eq!(claims.to_object().len(), 4);
    }

    #[test]
    fn a_string_from_elsewhere_is_copied() {
        let json = "{}".to_owned();
        assert_eq!(locate(&json, "elsewhere"), Text::Owned("elsewhere".into()));
        assert_eq!(locate(&json, &json[1..]), Text::Span(1, 2));
    }
}
