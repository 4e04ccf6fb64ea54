//! `transcript.consistency`: the signed bytes are the truth; a decoded view
//! printed beside them may disagree (hand-edited or stale captures), and a
//! reader who trusts the view is misled. Each disagreement names the member.

use super::reconstruct::Flow;
use super::report::FlowCheck;
use super::segments::Segments;
use super::x509_views::{self, Named};
use crate::transcript::{header_and_payload, ObjectKind};
use e2ei_verify::report::{Check, Status};
use serde_json::{Map, Value};

const ID: &str = "transcript.consistency";

/// One failure per view that disagrees; one pass when all agree.
/// The same token is often shown with a view twice (jwt.io link and `Raw:`
/// block): each distinct segment is decoded once, in `decoded` (shared with
/// the flow checks that read claims).
pub fn checks(flow: &Flow<'_>, decoded: &mut Segments, out: &mut Vec<FlowCheck>) {
    let mut agreeing = 0usize;
    let mut path = String::new();
    // A token shown twice (a jwt.io link and a `Raw:` block) shares the view
    // printed after both: one view of one token is judged, and counted, once.
    let mut judged: Vec<(usize, &str)> = Vec::new();
    for t in &flow.tokens {
        let Some(view) = &t.value.view else {
            continue;
        };
        let key = (view.line, &*t.value.compact);
        if judged.contains(&key) {
            continue;
        }
        judged.push(key);
        // The header was decoded when the token was recognised: the same bytes,
        // the same value, not decoded again.
        let claims = header_and_payload(&t.value.compact).1;
        if let Some(segment) = claims {
            decoded.decode(segment);
        }
        let pairs = [
            (
                "header",
                view.header.as_deref(),
                Signed::Members(&t.value.header),
            ),
            (
                "claims",
                view.claims.as_deref(),
                Signed::Value(claims.and_then(|c| decoded.get(c))),
            ),
        ];
        match first_difference(&pairs, &mut path) {
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
        let payload = j.value.payload_value.as_ref().unwrap_or(&Value::Null);
        let pairs = [
            (
                "protected",
                decoded.get("protected"),
                Signed::Value(j.value.header.as_ref()),
            ),
            (
                "payload",
                decoded.get("payload"),
                Signed::Value(Some(payload)),
            ),
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
    agreeing += text_views(flow, out);
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
            let (expected, found) =
                sides(&signed.value.der, &shown.value.der, ObjectKind::Certificate);
            c.expected = Some(expected);
            c.found = Some(found);
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
        let (expected, found) = sides(
            signed.value,
            &shown.value.der,
            ObjectKind::CertificateRequest,
        );
        c.expected = Some(expected);
        c.found = Some(found);
        out.push(FlowCheck::at(c, shown.step));
    }
    agreeing
}

/// The evidence of a printed certificate or CSR that is not the signed one:
/// the first member where they part ([`x509_views::what_differs`]).
fn sides(signed: &[u8], shown: &[u8], kind: ObjectKind) -> (String, String) {
    let what = match kind {
        ObjectKind::Certificate => "certificate",
        _ => "CSR",
    };
    let not = |der: &[u8]| format!("{} bytes that are not a {what}", der.len());
    match (Named::read(signed, kind), Named::read(shown, kind)) {
        (Some(a), Some(b)) => {
            let (a, b) = x509_views::what_differs(&a, &b);
            (format!("{a} (signed)"), format!("{b} (shown)"))
        }
        (a, _) => (
            a.map_or_else(|| not(signed), |_| "the signed bytes".into()) + " (signed)",
            not(shown) + " (shown)",
        ),
    }
}

/// openssl's text dumps printed after a certificate or a CSR (2023-03 to
/// 2023-06 captures): the subject alternative names they print must be the
/// DER's, since a reader takes the identities from them. Returns the number
/// of agreeing dumps.
fn text_views(flow: &Flow<'_>, out: &mut Vec<FlowCheck>) -> usize {
    let mut agreeing = 0;
    for object in flow.certificates.iter().chain(&flow.printed_csrs) {
        let Some(view) = &object.value.text_view else {
            continue;
        };
        let Some(shown) = x509_views::text_sans(&view.text) else {
            continue;
        };
        let Some(signed) = x509_views::sans(&object.value.der, object.value.kind) else {
            continue;
        };
        let sorted = |mut v: Vec<String>| {
            v.sort_unstable();
            v
        };
        if sorted(shown.clone()) == sorted(signed.clone()) {
            agreeing += 1;
            continue;
        }
        let mut c = Check::new(
            ID,
            Status::Fail,
            format!(
                "the openssl text at line {} disagrees with the subject alternative names of the PEM block at line {}",
                view.line, object.value.line
            ),
        );
        c.expected = Some(format!("SANs {} (signed)", signed.join(", ")));
        c.found = Some(format!("SANs {} (shown)", shown.join(", ")));
        out.push(FlowCheck::at(c, object.step));
    }
    agreeing
}

type Difference = (String, Option<Value>, Option<Value>);

/// The signed side of a comparison: a decoded value (absent counts as `null`), or
/// the members of a token's header as the reader decoded them.
#[derive(Clone, Copy)]
enum Signed<'v> {
    Value(Option<&'v Value>),
    Members(&'v Map<String, Value>),
}

/// The first member (dotted path) where a shown view differs from the signed value.
/// `path` is a buffer reused for every view.
fn first_difference(
    pairs: &[(&str, Option<&Value>, Signed<'_>)],
    path: &mut String,
) -> Option<Difference> {
    pairs.iter().find_map(|(name, shown, signed)| {
        // A view that shows nothing for a part claims nothing about it.
        let shown = (*shown)?;
        path.clear();
        path.push_str(name);
        match (shown, *signed) {
            (_, Signed::Value(signed)) => diff(path, shown, signed.unwrap_or(&Value::Null)),
            (Value::Object(a), Signed::Members(b)) => diff_members(path, a, b),
            // A view that is not an object: the header is copied into a value to
            // be printed beside it.
            (_, Signed::Members(b)) => diff(path, shown, &Value::Object(b.clone())),
        }
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
        (Value::Object(a), Value::Object(b)) => diff_members(path, a, b),
        // POST-as-GET: an empty payload shown as "", {} or null.
        (a, b) if empty(a) && empty(b) => None,
        (a, b) if a == b => None,
        (a, b) => Some((path.clone(), Some(a.clone()), Some(b.clone()))),
    }
}

/// [`diff`] of two objects. Both maps iterate in key order: walking them side by
/// side visits the union of their keys in order, each once, without collecting it.
fn diff_members(
    path: &mut String,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
) -> Option<Difference> {
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
