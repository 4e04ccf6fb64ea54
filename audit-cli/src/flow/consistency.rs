//! `transcript.consistency`: the signed bytes are the truth; a decoded view
//! printed beside them may disagree (hand-edited or stale captures), and a
//! reader who trusts the view is misled. Each disagreement names the member.

use super::reconstruct::Flow;
use super::report::FlowCheck;
use super::segments::Segments;
use crate::transcript::{json, AcmeJws, JsonView};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_verify::jose::b64_decode;
use e2ei_verify::report::{Check, Status};
use serde_json::Value;
use x509_parser::prelude::FromDer;

const ID: &str = "transcript.consistency";

/// One failure per view that disagrees; one pass when all agree.
/// The same token is often shown with a view twice (jwt.io link and `Raw:`
/// block): each distinct segment is decoded once, in `decoded` (shared with
/// the flow checks that read claims).
pub fn checks(flow: &Flow<'_>, decoded: &mut Segments, out: &mut Vec<FlowCheck>) {
    let mut agreeing = 0usize;
    let mut path = String::new();
    for t in &flow.tokens {
        let Some(view) = &t.value.view else {
            continue;
        };
        let mut parts = t.value.compact.split('.');
        let (header, claims) = (parts.next(), parts.next());
        let parts = [
            ("header", view.header.as_deref(), header),
            ("claims", view.claims.as_deref(), claims),
        ];
        match first_token_view_difference(&parts, decoded, &mut path) {
            None => agreeing += 1,
            Some((path, shown, signed)) => out.push(disagreement(
                &format!("the decoded view of the token at line {}", view.line),
                &path,
                shown,
                signed,
                t.step,
            )),
        }
    }
    for j in &flow.decoded_jws {
        let Some(decoded) = &j.value.decoded else {
            continue;
        };
        if jws_view_agrees(decoded.text(), j.value) {
            agreeing += 1;
            continue;
        }
        let payload = j.value.payload_value.as_ref().unwrap_or(&Value::Null);
        let pairs = [
            (
                "protected",
                decoded.get("protected"),
                j.value.header.as_ref(),
            ),
            ("payload", decoded.get("payload"), Some(payload)),
        ];
        match first_difference(&pairs, &mut path) {
            None => agreeing += 1,
            Some((path, shown, signed)) => out.push(disagreement(
                &format!(
                    "the decoded view of the ACME request at line {}",
                    j.value.decoded_line.unwrap_or_default()
                ),
                &path,
                shown,
                signed,
                j.step,
            )),
        }
    }
    agreeing += chain_views(flow, out);
    agreeing += csr_views(flow, out);
    if agreeing > 0 && !out.iter().any(|c| c.id == ID && c.status == Status::Fail) {
        out.push(FlowCheck::at(
            Check::new(
                ID,
                Status::Pass,
                format!("{agreeing} decoded views agree with the signed bytes"),
            ),
            None,
        ));
    }
}

/// The PEM blocks printed beside the downloaded chain's response body: each
/// block at a position the body also fills must be the body's certificate
/// there (blocks beyond it, such as a root shown for reference, claim nothing
/// about the body). Returns 1 when the view agrees, 0 when there is none.
fn chain_views(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) -> usize {
    let chain = flow.downloaded_chain();
    let body = chain
        .iter()
        .all(|c| !matches!(c.value.source, crate::transcript::ObjectSource::PemBlock));
    let printed = flow.printed_certificates();
    if !body || chain.is_empty() || printed.is_empty() {
        return 0;
    }
    let mismatch = chain
        .iter()
        .zip(&printed)
        .enumerate()
        .find(|(_, (signed, shown))| signed.value.der != shown.value.der);
    match mismatch {
        None => 1,
        Some((i, (signed, shown))) => {
            let mut c = Check::new(
                ID,
                Status::Fail,
                format!(
                    "the PEM block at line {} disagrees with certificate {} of the downloaded chain (line {})",
                    shown.value.line,
                    i + 1,
                    signed.value.line
                ),
            );
            c.expected = Some(format!("{} (signed)", describe(&signed.value.der)));
            c.found = Some(format!("{} (shown)", describe(&shown.value.der)));
            out.push(FlowCheck::at(c, shown.step));
            0
        }
    }
}

/// The CSR blocks printed at the finalize step (`###### CSR:`) must be the CSR
/// the signed finalize payload carries: a 2023-03 capture prints, under
/// "openssl -verify ✅", a CSR with another key than the one it sent. A block
/// printed at another step claims nothing about the finalize request. Returns
/// the number of agreeing blocks.
fn csr_views(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) -> usize {
    let Some(signed) = &flow.csr else {
        return 0;
    };
    let mut agreeing = 0;
    for shown in flow.printed_csrs.iter().filter(|c| c.step == signed.step) {
        if shown.value.der == signed.value {
            agreeing += 1;
            continue;
        }
        let mut c = Check::new(
            ID,
            Status::Fail,
            format!(
                "the CSR block at line {} disagrees with the CSR the finalize request sent",
                shown.value.line
            ),
        );
        c.expected = Some(format!("{} (signed)", describe_csr(signed.value)));
        c.found = Some(format!("{} (shown)", describe_csr(&shown.value.der)));
        out.push(FlowCheck::at(c, shown.step));
    }
    agreeing
}

/// A CSR named by its subject public key, the member a swapped CSR changes.
fn describe_csr(der: &[u8]) -> String {
    match x509_parser::certification_request::X509CertificationRequest::from_der(der) {
        Ok((_, csr)) => format!(
            "CSR for key {}",
            URL_SAFE_NO_PAD.encode(
                csr.certification_request_info
                    .subject_pki
                    .subject_public_key
                    .data
                    .as_ref()
            )
        ),
        Err(_) => format!("{} bytes that are not a CSR", der.len()),
    }
}

/// A certificate named by subject and serial, for a person comparing two.
fn describe(der: &[u8]) -> String {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => format!(
            "subject {}, serial {}",
            cert.subject(),
            cert.raw_serial_as_string()
        ),
        Err(_) => format!("{} bytes that are not a certificate", der.len()),
    }
}

type Difference = (String, Option<Value>, Option<Value>);

/// [`first_difference`] for the header and claims views of a token, each with the
/// segment it shows. A view whose text is the signed JSON token for token (see
/// [`same_tokens`]) agrees without either being read into a `Value`; only the
/// others are compared as values, the segment decoded through `decoded`.
fn first_token_view_difference(
    parts: &[(&str, Option<&JsonView>, Option<&str>); 2],
    decoded: &mut Segments,
    path: &mut String,
) -> Option<Difference> {
    for (name, shown, segment) in parts {
        // A view that shows nothing for a part claims nothing about it.
        let Some(shown) = shown else {
            continue;
        };
        let signed_bytes = segment.and_then(b64_decode);
        if signed_bytes.is_some_and(|b| same_tokens(shown.text().as_bytes(), &b)) {
            continue;
        }
        if let Some(segment) = segment {
            decoded.decode(segment);
        }
        let signed = segment.and_then(|s| decoded.get(s));
        let found = first_difference(&[(name, Some(&**shown), signed)], path);
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether the decoded view `view` of an ACME JWS agrees with its signed members,
/// decided from the texts alone: its `protected` and `payload` members (when shown)
/// are the decoded signed JSON token for token, or an empty payload is shown for an
/// empty one. False means "compare the values" (as [`first_difference`] does), not
/// "they differ".
fn jws_view_agrees(view: &str, jws: &AcmeJws) -> bool {
    let Some(members) = top_level_members(view.as_bytes()) else {
        return false;
    };
    // The last occurrence of a member is the one a `Value` keeps.
    let shown = |name: &str| {
        members
            .iter()
            .rev()
            .find(|(key, _)| key.get(1..key.len() - 1) == Some(name.as_bytes()))
            .map(|(_, value)| *value)
    };
    let protected = shown("protected").is_none_or(|p| {
        json::b64url_bytes(&jws.protected).is_some_and(|signed| same_tokens(p, &signed))
    });
    let payload = shown("payload").is_none_or(|p| match &jws.payload_value {
        // Not read: the view is compared with `null`, which only an empty view matches.
        None => [&b"null"[..], b"\"\"", b"{}"]
            .iter()
            .any(|empty| same_tokens(p, empty)),
        Some(_) => json::b64url_bytes(&jws.payload).is_some_and(|signed| same_tokens(p, &signed)),
    });
    protected && payload
}

/// The bytes serde_json skips between tokens (RFC 8259 whitespace).
fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_structural(b: u8) -> bool {
    matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',')
}

/// The index of the first byte from `at` on that is not whitespace.
fn skip_space(text: &[u8], mut at: usize) -> usize {
    while text.get(at).copied().is_some_and(is_json_space) {
        at += 1;
    }
    at
}

/// The length of the string token `s` starts with (its opening quote), closing
/// quote included: the first quote not escaped by a backslash ends it.
fn string_len(s: &[u8]) -> Option<usize> {
    let mut from = 1;
    loop {
        let at = from + memchr::memchr2(b'"', b'\\', s.get(from..)?)?;
        if s.get(at) == Some(&b'"') {
            return Some(at + 1);
        }
        // A backslash escapes the byte after it (`\uXXXX` goes on with hex digits).
        from = at + 2;
    }
}

/// Whether `a` and `b` are the same sequence of JSON tokens, whitespace between them
/// aside. serde_json reads a text from its tokens alone, so two such texts are read
/// alike: both into equal values (duplicate members included), or both refused.
/// Tokens are strings (compared whole), structural bytes, and runs of other bytes
/// (numbers, literals): whitespace is skipped, except that between two bytes that are
/// not structural it separates tokens (`1 2` is not `12`), so there it must be on
/// both sides or on neither.
fn same_tokens(a: &[u8], b: &[u8]) -> bool {
    let (mut i, mut j) = (0, 0);
    // Whether the last byte compared ends a string or a run.
    let mut after_token = false;
    loop {
        let (si, sj) = (skip_space(a, i), skip_space(b, j));
        let spaced = (si != i, sj != j);
        (i, j) = (si, sj);
        let (x, y) = match (a.get(i), b.get(j)) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => (*x, *y),
            _ => return false,
        };
        if after_token && !is_structural(x) && spaced.0 != spaced.1 {
            return false;
        }
        let len = match x {
            b'"' => match same_string(
                a.get(i..).unwrap_or_default(),
                b.get(j..).unwrap_or_default(),
            ) {
                Some(n) => n,
                None => return false,
            },
            _ => 1,
        };
        after_token = !is_structural(y);
        (i, j) = (i + len, j + len);
    }
}

/// The length of the string token both `a` and `b` start with (their opening quote,
/// closing quote included) when it is the same in both, byte for byte; `None` when
/// it differs or is not closed.
fn same_string(a: &[u8], b: &[u8]) -> Option<usize> {
    let len = string_len(a)?;
    (a.get(..len)? == b.get(..len)?).then_some(len)
}

/// The end (exclusive) of the JSON value that starts at `at` (not whitespace) in
/// `text`: a string, a bracketed run (strings inside skipped whole), or a run of
/// other bytes up to whitespace or a structural byte.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    match rest.first()? {
        b'"' => Some(at + string_len(rest)?),
        b'{' | b'[' => {
            let (mut depth, mut i) = (0usize, 0);
            loop {
                match rest.get(i)? {
                    b'"' => {
                        i += string_len(rest.get(i..)?)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(at + i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => Some(
            at + rest
                .iter()
                .position(|b| is_json_space(*b) || is_structural(*b))
                .unwrap_or(rest.len()),
        ),
    }
}

/// The members of the JSON object `text` (a view, already checked to be JSON) as
/// (key token with its quotes, value text), in order. `None` when it is not an
/// object, or when a key holds an escape: a key is then compared by its raw token,
/// which is its name only without escapes.
fn top_level_members(text: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut members = Vec::new();
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(text, at + 1);
    if text.get(at) == Some(&b'}') {
        return Some(members);
    }
    loop {
        let key = text.get(at..at + string_len(text.get(at..)?)?)?;
        if key.first() != Some(&b'"') || key.contains(&b'\\') {
            return None;
        }
        at = skip_space(text, at + key.len());
        if text.get(at) != Some(&b':') {
            return None;
        }
        let start = skip_space(text, at + 1);
        let end = value_end(text, start)?;
        members.push((key, text.get(start..end)?));
        at = skip_space(text, end);
        match text.get(at)? {
            b',' => at = skip_space(text, at + 1),
            b'}' => return Some(members),
            _ => return None,
        }
    }
}

/// The first member (dotted path) where a shown view differs from the signed value.
/// `path` is a buffer reused for every view.
fn first_difference(
    pairs: &[(&str, Option<&Value>, Option<&Value>)],
    path: &mut String,
) -> Option<Difference> {
    pairs.iter().find_map(|(name, shown, signed)| {
        // A view that shows nothing for a part claims nothing about it.
        let shown = (*shown)?;
        path.clear();
        path.push_str(name);
        diff(path, shown, signed.unwrap_or(&Value::Null))
    })
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `path` is extended in place while descending and restored on the way
/// back, so views that agree (the common case) allocate no path strings.
fn diff(path: &mut String, shown: &Value, signed: &Value) -> Option<Difference> {
    match (shown, signed) {
        (Value::Object(a), Value::Object(b)) => {
            // Both maps iterate in key order: walking them side by side visits
            // the union of their keys in order, each once, without collecting it.
            let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
            loop {
                let (key, x, y) = match (a.peek(), b.peek()) {
                    (None, None) => return None,
                    (Some((ka, _)), Some((kb, _))) if ka == kb => {
                        let ((k, x), (_, y)) = (a.next()?, b.next()?);
                        (k, Some(x), Some(y))
                    }
                    (Some((ka, _)), Some((kb, _))) if ka > kb => {
                        let (k, y) = b.next()?;
                        (k, None, Some(y))
                    }
                    (Some(_), _) => {
                        let (k, x) = a.next()?;
                        (k, Some(x), None)
                    }
                    (None, Some(_)) => {
                        let (k, y) = b.next()?;
                        (k, None, Some(y))
                    }
                };
                let mark = path.len();
                path.push('.');
                path.push_str(key);
                let found = match (x, y) {
                    (Some(x), Some(y)) => diff(path, x, y),
                    (x, y) => Some((path.clone(), x.cloned(), y.cloned())),
                };
                path.truncate(mark);
                if found.is_some() {
                    return found;
                }
            }
        }
        // POST-as-GET: an empty payload shown as "", {} or null.
        (a, b) if empty(a) && empty(b) => None,
        (a, b) if a == b => None,
        (a, b) => Some((path.clone(), Some(a.clone()), Some(b.clone()))),
    }
}

fn disagreement(
    what: &str,
    path: &str,
    shown: Option<Value>,
    signed: Option<Value>,
    step: Option<u32>,
) -> FlowCheck {
    let show = |v: Option<Value>| v.map_or_else(|| "(absent)".to_owned(), |v| v.to_string());
    let mut c = Check::new(
        ID,
        Status::Fail,
        format!("{what} disagrees with the signed bytes at {path}"),
    );
    c.expected = Some(format!("{} (signed)", show(signed)));
    c.found = Some(format!("{} (shown)", show(shown)));
    FlowCheck::at(c, step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Pairs of texts: pretty and compact, escapes, duplicates, unicode, numbers that
    /// whitespace splits, truncation.
    const PAIRS: [(&str, &str, bool); 22] = [
        (
            "{\n  \"a\": 1,\n  \"b\": [true, null]\n}",
            r#"{"a":1,"b":[true,null]}"#,
            true,
        ),
        (r#"{"a":1}"#, r#"{"a":2}"#, false),
        (r#"{"a":1,"b":2}"#, r#"{"b":2,"a":1}"#, false),
        (r#"{"a":1,"a":2}"#, r#"{ "a" : 1 , "a" : 2 }"#, true),
        (r#"{"a":1,"a":2}"#, r#"{"a":2}"#, false),
        (r#"["a\"b", "c\\"]"#, r#"["a\"b","c\\"]"#, true),
        (r#"["a\"b"]"#, r#"["a\"c"]"#, false),
        (r#""\u00e9""#, r#""é""#, false),
        (r#""é ✅""#, r#" "é ✅" "#, true),
        (r#""a b""#, r#""ab""#, false),
        ("[1 2]", "[12]", false),
        ("[12]", "[1 2]", false),
        ("[1 ,2]", "[1,2]", true),
        ("[1.0]", "[1]", false),
        ("tru e", "true", false),
        (r#"{"a":"b"#, r#"{"a":"b"#, false),
        (r#"{"a":"b\"}"#, r#"{"a":"b\"}"#, false),
        ("", "", true),
        ("", " ", true),
        ("[1]x", "[1] x", true),
        (r#"["a" "b"]"#, r#"["a""b"]"#, false),
        (r#"{"a":{}}"#, "{\"a\":{\n}}", true),
    ];

    #[test]
    fn texts_with_the_same_tokens_read_as_the_same_values() {
        let read = |t: &str| serde_json::from_str::<Value>(t).ok();
        for (a, b, same) in PAIRS {
            assert_eq!(same_tokens(a.as_bytes(), b.as_bytes()), same, "{a} | {b}");
            assert_eq!(same_tokens(b.as_bytes(), a.as_bytes()), same, "{b} | {a}");
            if same {
                assert_eq!(read(a), read(b), "{a} | {b}");
            }
        }
    }

    #[test]
    fn top_level_members_are_the_object_members() {
        let view = "{\n  \"protected\": {\"a\": [1, \"}\"]},\n  \"payload\": \"x\\\"\",\n  \"n\": -1.5e3,\n  \"e\": {}\n}";
        let members = top_level_members(view.as_bytes()).expect("an object");
        let as_text: Vec<(&str, &str)> = members
            .iter()
            .map(|(k, v)| {
                (
                    std::str::from_utf8(k).unwrap(),
                    std::str::from_utf8(v).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            as_text,
            [
                (r#""protected""#, r#"{"a": [1, "}"]}"#),
                (r#""payload""#, r#""x\"""#),
                (r#""n""#, "-1.5e3"),
                (r#""e""#, "{}"),
            ]
        );
        let value: Value = serde_json::from_str(view).unwrap();
        for (k, v) in members {
            let key: String = serde_json::from_slice(k).unwrap();
            let member: Value = serde_json::from_slice(v).unwrap();
            assert_eq!(value.get(&key), Some(&member));
        }
        assert_eq!(top_level_members(b" {} ").map(|m| m.len()), Some(0));
        assert!(top_level_members(b"[1]").is_none());
        assert!(top_level_members(br#"{"pro\u0074ected": {}}"#).is_none());
    }

    /// The text shortcut never says "agrees" where the values differ: every view
    /// it accepts, [`first_difference`] accepts too.
    #[test]
    fn a_jws_view_agrees_by_text_only_where_its_values_agree() {
        let b64 = |t: &str| URL_SAFE_NO_PAD.encode(t);
        let header = r#"{"alg":"EdDSA","nonce":"n1","url":"https://a/x"}"#;
        let payload = r#"{"identifiers":[{"type":"dns","value":"a\"b"}]}"#;
        let jws = |payload: &str| AcmeJws {
            protected: b64(header),
            payload: b64(payload),
            signature: "c2ln".into(),
            header: serde_json::from_str(header).ok(),
            payload_value: serde_json::from_str(payload).ok(),
            decoded: None,
            decoded_line: None,
        };
        let views = [
            (
                format!("{{\"protected\": {header},\n \"payload\": {payload}}}"),
                true,
            ),
            (format!("{{\"payload\": {payload}}}"), true),
            (format!("{{\"protected\": {header}}}"), true),
            ("{}".to_owned(), true),
            (
                format!("{{\"protected\": {}}}", header.replace("n1", "n2")),
                false,
            ),
            (
                format!("{{\"protected\": {{}}, \"protected\": {header}}}"),
                true,
            ),
            (
                format!("{{\"protected\": {header}, \"protected\": {{}}}}"),
                false,
            ),
            (
                format!("{{\"payload\": {}}}", payload.replace("dns", "ip")),
                false,
            ),
        ];
        for (view, agrees) in &views {
            let j = jws(payload);
            assert_eq!(jws_view_agrees(view, &j), *agrees, "{view}");
            let shown: Value = serde_json::from_str(view).unwrap();
            let pairs = [
                ("protected", shown.get("protected"), j.header.as_ref()),
                ("payload", shown.get("payload"), j.payload_value.as_ref()),
            ];
            if *agrees {
                assert_eq!(first_difference(&pairs, &mut String::new()), None, "{view}");
            }
        }
        // POST-as-GET: an empty payload, shown as "", {} or null, or not shown.
        for (view, agrees) in [
            (r#"{"payload": ""}"#, true),
            (r#"{"payload": { }}"#, true),
            (r#"{"payload": null}"#, true),
            (r#"{"payload": {"a": 1}}"#, false),
            (r#"{"payload": []}"#, false),
        ] {
            assert_eq!(jws_view_agrees(view, &jws("")), agrees, "{view}");
        }
    }

    #[test]
    fn maps_iterate_in_key_order_as_the_side_by_side_walk_needs() {
        // serde_json's `preserve_order` feature would break `diff`'s merge walk.
        let v = json!({"b": 1, "a": 2, "c": 3});
        let keys: Vec<&String> = v
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn first_difference_in_key_order_with_missing_members_on_either_side() {
        let d = |a: Value, b: Value| diff(&mut "claims".to_owned(), &a, &b);
        assert_eq!(
            d(
                json!({"a": 1, "b": {"c": 2}}),
                json!({"b": {"c": 2}, "a": 1})
            ),
            None
        );
        assert_eq!(
            d(
                json!({"a": 1, "b": {"c": 2}}),
                json!({"a": 1, "b": {"c": 3}})
            ),
            Some(("claims.b.c".into(), Some(json!(2)), Some(json!(3))))
        );
        assert_eq!(
            d(json!({"a": 1, "z": 1}), json!({"a": 1, "m": 1, "z": 1})),
            Some(("claims.m".into(), None, Some(json!(1))))
        );
        assert_eq!(
            d(json!({"a": 1, "m": 1}), json!({"a": 1})),
            Some(("claims.m".into(), Some(json!(1)), None))
        );
        assert_eq!(
            d(json!({"b": 1}), json!({"a": 1, "b": 2})),
            Some(("claims.a".into(), None, Some(json!(1))))
        );
        assert_eq!(d(json!(""), json!({})), None);
    }
}
