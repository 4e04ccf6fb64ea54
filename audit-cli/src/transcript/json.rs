//! JSON blocks: plain bodies, ACME flattened JWS (with their decoded views), and the walk
//! that finds tokens and DER objects inside any JSON value.

use serde_json::Value;
use std::borrow::Cow;
use std::sync::LazyLock;

use super::chain::{self, Pem};
use super::members;
use super::tokens::{Compact, Known, URL_LENIENT};
use base64::Engine;
use e2ei_verify::jose::b64_decode;
use memchr::memmem::Finder;

/// A JSON block as printed (borrowed from the capture unless its lines had to be
/// joined), with its value when it parses.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonBlock<'a> {
    pub raw: Cow<'a, str>,
    pub value: Option<Value>,
}

/// An ACME request body in flattened JWS JSON form (RFC 7515 §7.2.2).
#[derive(Debug, Clone, PartialEq)]
pub struct AcmeJws {
    /// The three members exactly as printed: these are the signed bytes.
    pub protected: String,
    pub payload: String,
    pub signature: String,
    /// `protected` decoded, when it is base64url of a JSON value.
    pub header: Option<Value>,
    /// `payload` decoded: `None` when the payload is empty (POST-as-GET) or not JSON.
    pub payload_value: Option<Value>,
    /// The printed decoded view (`...decoded...` part, or the following JSON block), which
    /// may disagree with the signed members.
    pub decoded: Option<Value>,
    pub decoded_line: Option<usize>,
    /// How the body departs from a flattened JWS of these three members (empty
    /// for the usual body): each fails `acme.jws.format`, and the members read
    /// as far as they go are judged by the other checks all the same.
    pub form: Vec<JwsForm>,
}

/// A way an ACME request body is not RFC 8555 §6.2's flattened JWS of
/// `protected`, `payload` and `signature` (RFC 7515 §7.2.2). A server refuses
/// such a body, so a capture showing it answered contradicts itself; the
/// members it does carry are still read so that their faults are not lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsForm {
    /// RFC 7515 §7.2.1's general serialization: a `signatures` array of this
    /// many; the first one's members are read.
    General { signatures: usize },
    /// `signatures` beside the flattened members (RFC 7515 §7.2.2: it "MUST
    /// NOT be present" then); the flattened members are read.
    Both,
    /// A member absent (read as empty: RFC 7515 §7.2.1 says the `payload`
    /// "MUST be present", empty for a POST-as-GET).
    Missing(&'static str),
    /// A member that is not of the type named (read as empty).
    Mistyped {
        name: &'static str,
        expected: &'static str,
    },
    /// An unprotected `header` member (RFC 8555 §6.2: "MUST NOT be used").
    UnprotectedHeader,
}

impl std::fmt::Display for JwsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwsForm::General { signatures: 1 } => f.write_str(
                "the body is in the general JWS serialization (a \"signatures\" array of one), not the flattened one RFC 8555 §6.2 requires: its signature is judged as if flattened",
            ),
            JwsForm::General { signatures: 0 } => f.write_str(
                "the body is in the general JWS serialization with an empty \"signatures\" array (no signature), not the flattened one RFC 8555 §6.2 requires",
            ),
            JwsForm::General { signatures } => write!(
                f,
                "the body is in the general JWS serialization with {signatures} signatures, not the flattened one RFC 8555 §6.2 requires: only the first is judged"
            ),
            JwsForm::Both => f.write_str(
                "the body has a \"signatures\" array beside its flattened members (RFC 7515 §7.2.2: it must not be present)",
            ),
            JwsForm::Missing("payload") => f.write_str(
                "the body has no \"payload\" member (RFC 7515 §7.2.1: it must be present, \"\" for a POST-as-GET): read as empty",
            ),
            JwsForm::Missing(name) => write!(
                f,
                "the body has no {name:?} member (RFC 7515 §7.2.1: it must be present): read as empty"
            ),
            JwsForm::Mistyped { name, expected } => write!(
                f,
                "the body's {name:?} member is not {expected}: read as empty"
            ),
            JwsForm::UnprotectedHeader => f.write_str(
                "the body has an unprotected \"header\" member, which RFC 8555 §6.2 forbids: what it says is not signed",
            ),
        }
    }
}

/// Strict unpadded base64url (the library's vectorised decoder) is tried first: every
/// input it accepts, the lenient engine accepts with the same bytes, so the result is
/// the lenient engine's, faster for the usual canonical members.
fn b64url_json(s: &str) -> Option<Value> {
    let bytes = b64_decode(s).or_else(|| URL_LENIENT.decode(s).ok())?;
    members::from_json_bytes(&bytes)
}

impl AcmeJws {
    /// Recognises an ACME request body, taking its members out of the body
    /// rather than copying them; hands the value back when it is not one.
    ///
    /// The usual body, `{"protected": str, "payload": str, "signature": str}`,
    /// costs three removals and a look at what is left. A body with a string
    /// `protected` or a `signatures` array is a JWS too, in another form: it is
    /// read as far as it goes and the ways it departs are kept in `form`.
    pub(crate) fn from_body(value: Value) -> Result<Self, Value> {
        let Value::Object(mut map) = value else {
            return Err(value);
        };
        let flattened = map.get("protected").is_some_and(Value::is_string);
        if !flattened && !map.get("signatures").is_some_and(Value::is_array) {
            return Err(Value::Object(map));
        }
        let mut form = Vec::new();
        let payload = take_string(&mut map, "payload", &mut form);
        let (protected, signature) = if flattened {
            let members = (
                take_string(&mut map, "protected", &mut form),
                take_string(&mut map, "signature", &mut form),
            );
            if map.contains_key("signatures") {
                form.push(JwsForm::Both);
            }
            members
        } else {
            first_signature(map.remove("signatures"), &mut form)
        };
        if map.contains_key("header") {
            form.push(JwsForm::UnprotectedHeader);
        }
        let mut jws = Self::from_members(protected, payload, signature);
        jws.form = form;
        Ok(jws)
    }

    fn from_members(protected: String, payload: String, signature: String) -> Self {
        Self {
            header: b64url_json(&protected),
            payload_value: b64url_json(&payload),
            protected,
            payload,
            signature,
            decoded: None,
            decoded_line: None,
            form: Vec::new(),
        }
    }
}

/// Takes the string member `name` out of `map`; an absent or non-string one is
/// noted in `form` and read as empty.
fn take_string(
    map: &mut serde_json::Map<String, Value>,
    name: &'static str,
    form: &mut Vec<JwsForm>,
) -> String {
    match map.remove(name) {
        Some(Value::String(s)) => s,
        None => {
            form.push(JwsForm::Missing(name));
            String::new()
        }
        Some(_) => {
            form.push(JwsForm::Mistyped {
                name,
                expected: "a string",
            });
            String::new()
        }
    }
}

/// `protected` and `signature` of the first element of a general
/// serialization's `signatures` (the same signed bytes as the flattened form
/// when there is one), noting the form and what the element lacks.
fn first_signature(signatures: Option<Value>, form: &mut Vec<JwsForm>) -> (String, String) {
    let signatures = match signatures {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    form.push(JwsForm::General {
        signatures: signatures.len(),
    });
    let mut first = match signatures.into_iter().next() {
        Some(Value::Object(first)) => first,
        None => return (String::new(), String::new()),
        Some(_) => {
            form.push(JwsForm::Mistyped {
                name: "signatures",
                expected: "an array of objects",
            });
            return (String::new(), String::new());
        }
    };
    if first.contains_key("header") {
        form.push(JwsForm::UnprotectedHeader);
    }
    (
        take_string(&mut first, "protected", form),
        take_string(&mut first, "signature", form),
    )
}

/// True for the decoded view of an ACME JWS: `protected` is an object, not a string.
pub(crate) fn is_decoded_jws_view(v: &Value) -> bool {
    v.get("protected").is_some_and(Value::is_object)
}

/// Content lines of a block with their line numbers.
pub(crate) type Lines<'b, 'a> = &'b [(usize, &'a str)];

/// Whether `line` trims to `...decoded...`. Runs on every line of every JSON block:
/// a line whose last byte before ASCII whitespace (all that `trim` removes among
/// ASCII bytes) is ASCII but not `.` is told apart without trimming.
fn is_decoded_marker(line: &str) -> bool {
    let last = line
        .bytes()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'));
    match last {
        Some(b) if b.is_ascii() && b != b'.' => false,
        _ => line.trim() == "...decoded...",
    }
}

/// Splits a block's lines at a `...decoded...` line: (signed part, decoded part).
pub(crate) fn split_decoded<'b, 'a>(
    lines: Lines<'b, 'a>,
) -> (Lines<'b, 'a>, Option<Lines<'b, 'a>>) {
    match lines.iter().position(|(_, l)| is_decoded_marker(l)) {
        Some(i) => (
            lines.get(..i).unwrap_or(&[]),
            lines.get(i + 1..).filter(|rest| !rest.is_empty()),
        ),
        None => (lines, None),
    }
}

/// What a JSON value carries, each with the JSON pointer where it sits.
#[derive(Debug, Default)]
pub(crate) struct Harvest {
    pub tokens: Vec<(String, Compact)>,
    pub pems: Vec<(String, Pem)>,
    pub ders: Vec<(String, Vec<u8>)>,
    /// Elements of a DER array that are not DER (with the string, to locate them).
    pub not_der: Vec<(String, String)>,
}

/// Appends `key` to a JSON pointer, escaped (RFC 6901: `~` as `~0`, `/` as `~1`),
/// without building an escaped copy first: this runs for every member walked.
fn push_escaped(pointer: &mut String, key: &str) {
    // Most keys have nothing to escape: copied whole, not split twice.
    if memchr::memchr2(b'~', b'/', key.as_bytes()).is_none() {
        pointer.push_str(key);
        return;
    }
    for (i, part) in key.split('~').enumerate() {
        if i > 0 {
            pointer.push_str("~0");
        }
        for (j, piece) in part.split('/').enumerate() {
            if j > 0 {
                pointer.push_str("~1");
            }
            pointer.push_str(piece);
        }
    }
}

/// Appends `i` in decimal, as `write!` would, without the formatting machinery
/// (this runs for every array element walked).
fn push_index(pointer: &mut String, i: usize) {
    let mut unit = 1;
    while i / unit >= 10 {
        unit *= 10;
    }
    while unit > 0 {
        // A digit: `i / unit % 10` is below 10.
        pointer.push(char::from(b'0' + (i / unit % 10) as u8));
        unit /= 10;
    }
}

/// Walks `v` collecting tokens, PEM strings and DER arrays.
pub(crate) fn harvest(v: &Value, known: &mut Known) -> Harvest {
    let mut h = Harvest::default();
    // Room for the pointers of a capture's bodies without growing.
    walk(v, &mut String::with_capacity(64), &mut h, known);
    h
}

fn walk(v: &Value, pointer: &mut String, h: &mut Harvest, known: &mut Known) {
    let mark = pointer.len();
    match v {
        Value::String(s) => string(s, pointer, h, known),
        Value::Array(items) if der_array(items, pointer, h) => {}
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push('/');
                push_index(pointer, i);
                walk(item, pointer, h, known);
                pointer.truncate(mark);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                pointer.push('/');
                push_escaped(pointer, k);
                walk(item, pointer, h, known);
                pointer.truncate(mark);
            }
        }
        _ => {}
    }
}

/// The start of a PEM block: one searcher for every string walked, rather than one
/// built by `str::contains` per string.
static PEM_BEGIN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-----BEGIN "));

fn string(s: &str, pointer: &str, h: &mut Harvest, known: &mut Known) {
    if let Some(c) = known.compact_jws(s) {
        h.tokens.push((pointer.to_owned(), c));
    } else if PEM_BEGIN.find(s.as_bytes()).is_some() {
        let found = chain::pem_blocks(s);
        h.pems
            .extend(found.into_iter().map(|p| (pointer.to_owned(), p)));
    }
}

/// An array of strings of which at least one is bare base64 DER is a chain: every
/// element is taken as DER, and those that are not are reported. Returns false (and
/// collects nothing) for any other array.
fn der_array(items: &[Value], pointer: &str, h: &mut Harvest) -> bool {
    let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
    let Some(strings) = strings else {
        return false;
    };
    let decoded: Vec<Option<Vec<u8>>> = strings.iter().map(|s| chain::bare_der(s)).collect();
    if decoded.iter().all(Option::is_none) {
        return false;
    }
    for (i, (s, der)) in strings.iter().zip(decoded).enumerate() {
        let at = format!("{pointer}/{i}");
        match der {
            Some(der) => h.ders.push((at, der)),
            None => h.not_der.push((at, (*s).to_owned())),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use serde_json::json;

    fn der(n: u8) -> Vec<u8> {
        let mut d = vec![0x30, n];
        d.extend(std::iter::repeat_n(0u8, usize::from(n)));
        d
    }

    #[test]
    fn acme_jws_members_and_payload() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"csr":"MIIB"}"#);
        let v = json!({"protected": "eyJhIjoxfQ", "payload": payload, "signature": "c2ln"});
        let jws = AcmeJws::from_body(v).expect("jws");
        assert_eq!(jws.header, Some(json!({"a": 1})));
        assert_eq!(jws.payload_value, Some(json!({"csr": "MIIB"})));
        let empty = json!({"protected": "x", "payload": "", "signature": "y"});
        assert_eq!(AcmeJws::from_body(empty).map(|j| j.payload_value), Ok(None));
        assert!(AcmeJws::from_body(json!({"protected": {}, "payload": {}})).is_err());
        assert!(is_decoded_jws_view(
            &json!({"protected": {}, "payload": {}})
        ));
    }

    /// The usual body and one with a member RFC 7515 §7.2 lets a reader
    /// ignore: no form fault.
    #[test]
    fn a_flattened_body_has_no_form_fault() {
        let v = json!({"protected": "eyJhIjoxfQ", "payload": "", "signature": "c2ln"});
        assert_eq!(AcmeJws::from_body(v).map(|j| j.form), Ok(vec![]));
        let extra = json!({"protected": "eyJhIjoxfQ", "payload": "", "signature": "c2ln", "x": 1});
        assert_eq!(AcmeJws::from_body(extra).map(|j| j.form), Ok(vec![]));
    }

    /// RFC 7515 §7.2.1's general serialization is read through its one
    /// signature: the same members, the same signed bytes.
    #[test]
    fn a_general_body_is_read_through_its_signature() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"csr":"MIIB"}"#);
        let v = json!({"payload": payload, "signatures": [{"protected": "eyJhIjoxfQ", "signature": "c2ln"}]});
        let jws = AcmeJws::from_body(v).expect("jws");
        assert_eq!(jws.form, vec![JwsForm::General { signatures: 1 }]);
        assert_eq!((&*jws.protected, &*jws.signature), ("eyJhIjoxfQ", "c2ln"));
        assert_eq!(jws.header, Some(json!({"a": 1})));
        assert_eq!(jws.payload_value, Some(json!({"csr": "MIIB"})));
        let two = json!({"payload": "", "signatures": [
            {"protected": "eyJhIjoxfQ", "header": {"kid": "x"}, "signature": "c2ln"},
            {"protected": "eyJiIjoxfQ", "signature": "b3RoZXI"}]});
        let jws = AcmeJws::from_body(two).expect("jws");
        let form = vec![
            JwsForm::General { signatures: 2 },
            JwsForm::UnprotectedHeader,
        ];
        assert_eq!((jws.form, &*jws.protected), (form, "eyJhIjoxfQ"));
        let none = AcmeJws::from_body(json!({"payload": "", "signatures": []})).expect("jws");
        let form = vec![JwsForm::General { signatures: 0 }];
        assert_eq!((none.form, &*none.signature), (form, ""));
        let odd = AcmeJws::from_body(json!({"payload": "", "signatures": ["x"]})).expect("jws");
        assert_eq!(odd.form.len(), 2, "{:?}", odd.form);
    }

    /// A missing or mistyped member, an unprotected header, `signatures`
    /// beside the flattened members: each noted, the rest read.
    #[test]
    fn flattened_bodies_missing_or_adding_members() {
        let no_payload = json!({"protected": "eyJhIjoxfQ", "signature": "c2ln"});
        let jws = AcmeJws::from_body(no_payload).expect("jws");
        assert_eq!(jws.form, vec![JwsForm::Missing("payload")]);
        assert_eq!((&*jws.payload, jws.header), ("", Some(json!({"a": 1}))));
        let object =
            json!({"protected": "eyJhIjoxfQ", "payload": {"csr": "x"}, "signature": "c2ln"});
        let form = AcmeJws::from_body(object).map(|j| j.form);
        let mistyped = JwsForm::Mistyped {
            name: "payload",
            expected: "a string",
        };
        assert_eq!(form, Ok(vec![mistyped]));
        let header =
            json!({"protected": "eyJhIjoxfQ", "payload": "", "signature": "c2ln", "header": {}});
        let form = AcmeJws::from_body(header).map(|j| j.form);
        assert_eq!(form, Ok(vec![JwsForm::UnprotectedHeader]));
        let both = json!({"protected": "eyJhIjoxfQ", "payload": "", "signature": "c2ln", "signatures": []});
        assert_eq!(
            AcmeJws::from_body(both).map(|j| j.form),
            Ok(vec![JwsForm::Both])
        );
    }

    /// Bodies that are no JWS at all (answers, decoded views) are handed back
    /// whole.
    #[test]
    fn other_bodies_are_not_jws() {
        for v in [
            json!({"status": "valid", "signature": "c2ln", "payload": ""}),
            json!({"protected": {"alg": "ES256"}, "payload": {}, "signature": "c2ln"}),
            json!({"signatures": "x"}),
            json!(["protected"]),
        ] {
            assert_eq!(AcmeJws::from_body(v.clone()), Err(v));
        }
    }

    #[test]
    fn every_form_is_described() {
        let forms = [
            JwsForm::General { signatures: 0 },
            JwsForm::General { signatures: 1 },
            JwsForm::General { signatures: 3 },
            JwsForm::Both,
            JwsForm::Missing("payload"),
            JwsForm::Missing("signature"),
            JwsForm::Mistyped {
                name: "payload",
                expected: "a string",
            },
            JwsForm::UnprotectedHeader,
        ];
        let texts: Vec<String> = forms.iter().map(ToString::to_string).collect();
        assert!(texts.iter().all(|t| t.starts_with("the body")), "{texts:?}");
        assert!(texts[2].contains("3 signatures") && texts[5].contains("\"signature\""));
    }

    #[test]
    fn the_marker_test_is_the_trimmed_comparison() {
        for line in [
            "...decoded...",
            "  ...decoded...\t\x0b\x0c\r",
            "\u{3000}...decoded...\u{3000}",
            "...decoded...\u{a0}",
            "...decoded...x",
            "x...decoded...",
            "..decoded...",
            "",
            "\u{3000}",
            "{\"a\": \"...decoded...\"}",
        ] {
            assert_eq!(
                is_decoded_marker(line),
                line.trim() == "...decoded...",
                "{line:?}"
            );
        }
    }

    #[test]
    fn split_at_decoded_marker() {
        let lines = [(1, "{}"), (2, "...decoded..."), (3, "{\"a\":1}")];
        let (signed, decoded) = split_decoded(&lines);
        assert_eq!(signed.len(), 1);
        assert_eq!(decoded.map(<[_]>::len), Some(1));
        let (signed, decoded) = split_decoded(&lines[..2]);
        assert_eq!((signed.len(), decoded), (1, None));
    }

    #[test]
    fn der_array_with_a_bad_element() {
        let good = STANDARD.encode(der(40));
        let v = json!([good, "not base64 at all!", good]);
        let h = harvest(&v, &mut Known::default());
        assert_eq!(h.ders.len(), 2);
        assert_eq!(
            h.not_der,
            vec![("/1".to_owned(), "not base64 at all!".to_owned())]
        );
        let urls = json!({"authorizations": ["https://a/authz/1", "https://a/authz/2"]});
        let h = harvest(&urls, &mut Known::default());
        assert!(h.ders.is_empty() && h.not_der.is_empty());
    }

    #[test]
    fn indices_print_as_decimal() {
        for i in [0, 1, 9, 10, 11, 99, 100, 12345, usize::MAX] {
            let mut p = String::from("/x/");
            push_index(&mut p, i);
            assert_eq!(p, format!("/x/{i}"));
        }
    }

    #[test]
    fn pointer_keys_escape_like_rfc_6901() {
        for key in ["", "plain", "a/b", "c~d", "~/~1/~0", "//", "~~", "é/✅~"] {
            let mut p = String::from("/x");
            push_escaped(&mut p, key);
            assert_eq!(
                p,
                format!("/x{}", key.replace('~', "~0").replace('/', "~1"))
            );
        }
    }

    #[test]
    fn pointers_escape_and_pem_strings_are_found() {
        let v = json!({"a/b": {"c~d": ["-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"]}});
        let h = harvest(&v, &mut Known::default());
        assert_eq!(h.pems.len(), 1);
        assert_eq!(h.pems[0].0, "/a~1b/c~0d/0");
    }
}
