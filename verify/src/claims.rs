//! Reading claims of a verified-structure token with precise errors.

use crate::jose::Json;
use crate::report::quoted;
use crate::url;

/// A string claim: `Ok(None)` when absent, `Err` when present but not a
/// string.
pub fn text<'c>(value: Option<&'c Json<'_>>, name: &str) -> Result<Option<&'c str>, String> {
    match value {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{name} is not a string but {}", other.kind())),
    }
}

/// A string claim that must be there and not empty.
pub fn required<'c>(value: Option<&'c Json<'_>>, name: &str) -> Result<&'c str, String> {
    match text(value, name)? {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(format!("{name} is empty")),
        None => Err(format!("no {name} claim")),
    }
}

/// Whether a JOSE `typ` names `media` (RFC 7515 §4.1.9: case-insensitive, the
/// `application/` prefix optional).
pub fn typ_is(typ: Option<&str>, media: &str) -> bool {
    const PREFIX: &str = "application/";
    // Comparing without lower-casing into a new string equals lower-casing
    // `typ` whenever `media` is itself lower-case (every caller's is).
    if media.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    typ.is_some_and(|t| {
        t.eq_ignore_ascii_case(media)
            || (t
                .get(..PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
                && t.get(PREFIX.len()..)
                    .is_some_and(|m| m.eq_ignore_ascii_case(media)))
    })
}

/// An optional value for messages: quoted, or `(absent)`.
pub fn shown<S: AsRef<str>>(value: &Option<S>) -> String {
    match value {
        Some(v) => quoted(v.as_ref()),
        None => "(absent)".into(),
    }
}

/// Whether `aud` names `want` and nothing else. RFC 7519 lets `aud` be a
/// string or an array of strings; an array passes only when every member is
/// `want`, since a token that also names another audience could be replayed
/// there. URLs compare as one resource ([`url::same_resource`]: scheme and
/// host case and a default port aside, exactly).
pub(crate) fn audience_is(aud: Option<&Json<'_>>, want: &str) -> bool {
    let same = |a: &Json<'_>| {
        a.as_str()
            .is_some_and(|a| a == want || url::same_resource(a, want))
    };
    match aud {
        Some(Json::Array(items)) => !items.is_empty() && items.iter().all(same),
        Some(a) => same(a),
        None => false,
    }
}

/// A claim as a report shows it: a string as itself, anything else as JSON.
pub(crate) fn json_text(value: Option<&Json<'_>>) -> Option<String> {
    value.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `aud` as RFC 7519 allows it: a string, or an array that names the
    /// expected audience and nothing else.
    #[test]
    fn an_audience_array_passes_only_when_it_names_nothing_else() {
        let want = "https://acme.example.com/acme/wire/challenge/a/b";
        let aud = |json: &str| {
            let text = format!(r#"{{"aud":{json}}}"#);
            let members = crate::jose::parse_text(&text, "payload").unwrap();
            audience_is(members.get("aud"), want)
        };
        assert!(aud(&format!("{want:?}")));
        assert!(aud(&format!("[{want:?}]")));
        assert!(aud(
            r#"["HTTPS://ACME.example.com:443/acme/wire/challenge/a/b"]"#
        ));
        for other in [
            r#""https://acme.example.com/acme/wire""#,
            &format!(r#"[{want:?}, "https://elsewhere.example.com/"]"#),
            &format!("[{want:?}, 1]"),
            "[]",
            "null",
            "1",
        ] {
            assert!(!aud(other), "{other}");
        }
        assert!(!audience_is(None, want));
    }
}
