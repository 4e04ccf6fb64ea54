//! What the order asked for, as the CSR and the leaf must name it.
//!
//! The new-order payload (the signed bytes) lists the identities: `dns` values
//! (2023-01), then `wireapp-id` (2023) and `wireapp-device` / `wireapp-user`
//! (2024+) whose value is a JSON document holding the client id and the handle.
//! The names are kept in the order's own spelling: the library compares them
//! with the CSR's and the leaf's SANs after percent-decoding (`%21` = `!`), and
//! every captured client writes its CSR in the spelling of its order, so an
//! identity-normalised comparison is not needed and would hide a real finding
//! (2023-03 lowercases the base64 client id in its CSR, which then names
//! another client).

use super::reconstruct::Flow;
use serde_json::Value;

/// The identities and subject fields of the order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ordered {
    /// Client id and handle URIs, in first-seen order, without repeats.
    pub uris: Vec<String>,
    /// `dns` identifier values.
    pub dns: Vec<String>,
    /// The Wire domain (`domain` member): the expected subject `O`.
    pub domain: Option<String>,
    /// The display name (`name` member).
    pub name: Option<String>,
}

/// Expected names per SAN form, as the library takes them.
pub type Expected = (Option<Vec<String>>, Option<Vec<String>>);

impl Ordered {
    /// Expected URI and DNS SANs for an artefact that holds `uris` and `dns`.
    /// A form is compared when the order or the artefact uses it, so a name the
    /// order never asked for cannot slip in under the form the order left empty.
    pub fn expected(&self, uris: &[String], dns: &[String]) -> Expected {
        let form = |ordered: &[String], found: &[String]| {
            (!ordered.is_empty() || !found.is_empty()).then(|| ordered.to_vec())
        };
        (form(&self.uris, uris), form(&self.dns, dns))
    }
}

/// The order's identities; `None` when the new-order payload was not captured.
pub fn ordered(flow: &Flow<'_>) -> Option<Ordered> {
    let mut out = Ordered::default();
    for id in &flow.identifiers {
        let (Some(kind), Some(value)) = (
            id.get("type").and_then(Value::as_str),
            id.get("value").and_then(Value::as_str),
        ) else {
            continue;
        };
        match kind {
            "dns" => {
                push_new(&mut out.dns, value);
                continue;
            }
            "wireapp-id" | "wireapp-device" | "wireapp-user" => {}
            // No server orders it (`transcript.consistency` says so): it
            // names nothing the CSR and the leaf are held to.
            _ => continue,
        }
        let Ok(doc) = serde_json::from_str::<Value>(value) else {
            continue;
        };
        let member = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
        for k in ["client-id", "handle"] {
            if let Some(v) = member(k) {
                push_new(&mut out.uris, &v);
            }
        }
        out.domain = out.domain.or_else(|| member("domain"));
        out.name = out.name.or_else(|| member("name"));
    }
    (!out.uris.is_empty() || !out.dns.is_empty()).then_some(out)
}

fn push_new(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}
