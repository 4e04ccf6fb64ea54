//! When a flow was captured, derived from the flow itself.
//!
//! Every artefact is years expired, so judging a capture "now" says nothing
//! useful; judging it at the moment it was recorded says whether each step was
//! acceptable then. The capture records no clock of its own, so the time is
//! derived: the latest `iat` of the flow's tokens (the last thing that was
//! signed), else the leaf certificate's notBefore.

use super::reconstruct::Flow;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_verify::time::UnixTime;
use serde_json::Value;

/// A verification time and how it was obtained (shown in the report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureTime {
    pub at: UnixTime,
    pub source: String,
}

/// The capture time of `flow`, if any token or certificate dates it.
pub fn derive(flow: &Flow<'_>) -> Option<CaptureTime> {
    let latest = flow
        .tokens
        .iter()
        .filter_map(|t| iat(&t.value.compact).map(|iat| (iat, t.step)))
        .max_by_key(|(iat, _)| *iat);
    if let Some((at, step)) = latest {
        let step = step.map(|s| format!(" (step {s})")).unwrap_or_default();
        return Some(CaptureTime {
            at,
            source: format!("latest iat of the flow's tokens{step}"),
        });
    }
    flow.certificates.iter().find_map(|c| {
        let (_, cert) = x509_parser::parse_x509_certificate(&c.value.der).ok()?;
        let at = u64::try_from(cert.validity().not_before.timestamp()).ok()?;
        Some(CaptureTime {
            at,
            source: "notBefore of the first certificate".into(),
        })
    })
}

/// The `iat` of a compact JWS, read without verifying it (only to date the flow).
fn iat(compact: &str) -> Option<UnixTime> {
    let payload = compact.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iat")?.as_u64()
}
