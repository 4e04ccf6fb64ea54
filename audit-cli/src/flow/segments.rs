//! Token segments decoded as JSON, shared by the checks of one flow.
//!
//! The access token's and the id token's claims are read for the flow checks
//! and again, with every token's header, for `transcript.consistency`; the
//! access token's claims embed a whole proof. Each distinct segment is decoded
//! once per flow. The reader shares one text among a token's occurrences, so a
//! segment's address and length are the key (never dereferenced): no hashing
//! of a kilobyte per lookup; equal segments at different addresses are decoded
//! once each, alike. A flow has a few dozen segments at most: a list searched
//! by key costs less than hashing the key.

use crate::transcript::header_and_payload;
use crate::transcript::members::from_json_bytes;
use e2ei_verify::jose::b64_decode;
use serde_json::Value;

/// Decoded segments of the flow's tokens (see the module documentation).
#[derive(Default)]
pub struct Segments {
    decoded: Vec<(*const str, Option<Value>)>,
}

impl Segments {
    /// Decodes `segment` (base64url of JSON) unless it already was.
    pub fn decode(&mut self, segment: &str) {
        let key: *const str = segment;
        if !self.decoded.iter().any(|(k, _)| std::ptr::eq(*k, key)) {
            let value = b64_decode(segment).and_then(|bytes| from_json_bytes(&bytes));
            self.decoded.push((key, value));
        }
    }

    /// `segment` decoded by [`Segments::decode`]; `None` when it was not, or is
    /// not base64url of JSON.
    pub fn get(&self, segment: &str) -> Option<&Value> {
        let key: *const str = segment;
        self.decoded
            .iter()
            .find(|(k, _)| std::ptr::eq(*k, key))?
            .1
            .as_ref()
    }

    /// The claims of a compact JWS, read without verification (for comparisons
    /// only: the library judges the signed bytes).
    pub fn claims(&mut self, compact: &str) -> Option<&Value> {
        let payload = header_and_payload(compact).1?;
        self.decode(payload);
        self.get(payload)
    }
}
