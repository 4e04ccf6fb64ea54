//! Wire identities as they appear in tokens, orders and certificates.
//!
//! A client id names one device of one user on one backend. Its spelling changed
//! over the years, so every comparison is made on the decoded triple (user UUID,
//! device id, domain), never on strings:
//!
//! | era     | form                                             |
//! |---------|--------------------------------------------------|
//! | 2023-01 | `im:wireapp:<b64 of the UUID's hex>/<hex dev>@dom` |
//! | 2023    | `im:wireapp=<b64 hex or b64url UUID>/<hex dev>@dom`, `impp:wireapp=…` |
//! | 2024+   | `wireapp://<b64url UUID>!<hex dev>@dom` (`%21` in certificates) |
//!
//! A handle is `wireapp://%40<handle>@dom` (older: `im:wireapp=<handle>@dom`).

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use std::borrow::Cow;
use std::fmt;
use thiserror::Error;

/// Why a string is not a Wire identity.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{input:?} is not a Wire {what}: {reason}")]
pub struct IdentityError {
    /// What was being read (client id, handle).
    pub what: &'static str,
    /// The input.
    pub input: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

/// A Wire client (device) identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientId {
    /// The user's UUID.
    pub user: [u8; 16],
    /// The device id.
    pub device: u64,
    /// The backend domain, lower-case.
    pub domain: String,
}

impl ClientId {
    /// Parses any era's spelling of a client id (percent-encoding decoded first).
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let err = |reason| IdentityError {
            what: "client id",
            input: input.to_owned(),
            reason,
        };
        let decoded = percent_decoded(input).ok_or_else(|| err("bad percent-encoding"))?;
        let body = strip_scheme(&decoded).ok_or_else(|| err("unknown scheme"))?;
        let (local, domain) = body.rsplit_once('@').ok_or_else(|| err("no @domain"))?;
        let (user, device) = local
            .split_once('!')
            .or_else(|| local.split_once('/'))
            .ok_or_else(|| err("no device separator ('!' or '/')"))?;
        let user = decode_user(user).ok_or_else(|| err("the user part is not a UUID"))?;
        let device = parse_device(device).ok_or_else(|| err("the device is not a hex id"))?;
        let domain = parse_domain(domain).ok_or_else(|| err("bad domain"))?;
        Ok(ClientId {
            user,
            device,
            domain,
        })
    }

    /// The user UUID in its canonical text form.
    pub fn user_uuid(&self) -> String {
        let h: String = self.user.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// The current (2024+) URI form: `wireapp://<b64url uuid>!<hex device>@domain`.
    pub fn to_uri(&self) -> String {
        format!(
            "wireapp://{}!{:x}@{}",
            URL_SAFE_NO_PAD.encode(self.user),
            self.device,
            self.domain
        )
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_uri())
    }
}

impl std::str::FromStr for ClientId {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ClientId::parse(s)
    }
}

/// A Wire user handle on a domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Handle {
    /// The handle without its `@`, lower-case.
    pub handle: String,
    /// The backend domain, lower-case.
    pub domain: String,
}

impl Handle {
    /// Parses `wireapp://%40handle@dom`, `im:wireapp=%40handle@dom`,
    /// `im:wireapp=handle@dom` or a bare `@handle@dom`.
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let err = |reason| IdentityError {
            what: "handle",
            input: input.to_owned(),
            reason,
        };
        let decoded = percent_decoded(input).ok_or_else(|| err("bad percent-encoding"))?;
        let (handle, domain) = handle_parts(&decoded).map_err(err)?;
        Ok(Handle {
            handle: handle.to_ascii_lowercase(),
            domain: domain.to_ascii_lowercase(),
        })
    }

    /// Whether `input` parses to this handle: `Handle::parse(input) ==
    /// Ok(self)`, without building the parsed copy (a check per proof).
    pub fn names(&self, input: &str) -> bool {
        let Some(decoded) = percent_decoded(input) else {
            return false;
        };
        // `parse` lower-cases both parts, so each byte of ours must be the
        // lower-case of the input's.
        let lower_eq = |found: &str, ours: &str| {
            found.len() == ours.len()
                && found
                    .bytes()
                    .zip(ours.bytes())
                    .all(|(f, o)| f.to_ascii_lowercase() == o)
        };
        handle_parts(&decoded).is_ok_and(|(handle, domain)| {
            lower_eq(handle, &self.handle) && lower_eq(domain, &self.domain)
        })
    }

    /// The current URI form: `wireapp://%40handle@domain`.
    pub fn to_uri(&self) -> String {
        format!("wireapp://%40{}@{}", self.handle, self.domain)
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_uri())
    }
}

fn strip_scheme(s: &str) -> Option<&str> {
    ["wireapp://", "im:wireapp=", "impp:wireapp=", "im:wireapp:"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
}

/// The user part is the UUID as base64url bytes (2023-11+) or as base64 of its
/// 32-digit hex text (2023-01/03); a plain UUID text is accepted too.
fn decode_user(s: &str) -> Option<[u8; 16]> {
    if let Some(bytes) = parse_uuid_text(s) {
        return Some(bytes);
    }
    // 36 bytes at most are of use; longer input is rejected by the decoders
    // (the buffer is too small), as its length would be below.
    let mut buf = [0u8; 36];
    let n = URL_SAFE_NO_PAD
        .decode_slice(s, &mut buf)
        .or_else(|_| STANDARD_NO_PAD.decode_slice(s, &mut buf))
        .ok()?;
    let raw = buf.get(..n)?;
    match raw.len() {
        16 => raw.try_into().ok(),
        32 | 36 => parse_uuid_text(std::str::from_utf8(raw).ok()?),
        _ => None,
    }
}

fn parse_uuid_text(s: &str) -> Option<[u8; 16]> {
    let hex: Cow<'_, str> = match s.len() {
        32 => Cow::Borrowed(s),
        36 if [8, 13, 18, 23]
            .iter()
            .all(|&i| s.as_bytes().get(i) == Some(&b'-')) =>
        {
            Cow::Owned(s.chars().filter(|&c| c != '-').collect())
        }
        _ => return None,
    };
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The handle and domain of a decoded handle URI, both validated, as spelled.
fn handle_parts(decoded: &str) -> Result<(&str, &str), &'static str> {
    let body = strip_scheme(decoded).unwrap_or(decoded);
    let (local, domain) = body.rsplit_once('@').ok_or("no @domain")?;
    let handle = local.strip_prefix('@').unwrap_or(local);
    let valid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    if handle.is_empty() || handle.len() > 256 || !handle.bytes().all(valid) {
        return Err("the handle has characters outside [a-z0-9._-]");
    }
    if !valid_domain(domain) {
        return Err("bad domain");
    }
    Ok((handle, domain))
}

fn parse_device(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

fn parse_domain(s: &str) -> Option<String> {
    valid_domain(s).then(|| s.to_ascii_lowercase())
}

fn valid_domain(s: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    !s.is_empty() && s.len() <= 253 && s.bytes().all(ok)
}

/// Decodes `%XX` escapes; `None` on a malformed escape or non-UTF-8 result.
pub fn percent_decode(s: &str) -> Option<String> {
    percent_decoded(s).map(Cow::into_owned)
}

/// [`percent_decode`], borrowing `s` when it has no escape.
pub(crate) fn percent_decoded(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('%') {
        return Some(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.localhost";

    #[test]
    fn every_era_spelling_parses_to_the_same_triple() {
        let id = ClientId::parse(NEW).unwrap();
        assert_eq!(id.device, 0x9e4ef7e72ec9e5b9);
        assert_eq!(id.domain, "wire.localhost");
        assert_eq!(id.to_uri(), NEW);
        let pct = NEW.replace('!', "%21");
        assert_eq!(ClientId::parse(&pct).unwrap(), id);
        let old = ClientId::parse(
            "im:wireapp:Yjg3YjJhZWI5YzZmNDM2NmIyZjg5Y2Q2MzgzMWJlYTU/868e8c840a8ce042@wire.com",
        )
        .unwrap();
        assert_eq!(old.user_uuid(), "b87b2aeb-9c6f-4366-b2f8-9cd63831bea5");
        assert_eq!(old.device, 9695841546515832898);
        let eq = ClientId::parse("im:wireapp=yl-8A_wZSfaS2uV8VuMEBw/7e79723a8bdc694f@wire.com");
        assert!(eq.is_ok());
        let impp = ClientId::parse("impp:wireapp=yl-8A_wZSfaS2uV8VuMEBw/7e79723a8bdc694f@wire.com");
        assert_eq!(eq, impp);
    }

    #[test]
    fn names_agrees_with_parse() {
        let h = Handle::parse("wireapp://%40alice_wire@wire.example.com").unwrap();
        for input in [
            "wireapp://%40alice_wire@wire.example.com",
            "wireapp://%40Alice_Wire@Wire.Example.COM",
            "im:wireapp=alice_wire@wire.example.com",
            "@alice_wire@wire.example.com",
            "wireapp://%40alice_wir@wire.example.com",
            "wireapp://%40alice_wire@wire.example.org",
            "wireapp://%40alice wire@wire.example.com",
            "wireapp://%4",
            "wireapp://%40alice_wire@",
            "",
        ] {
            let parsed = Handle::parse(input).ok();
            assert_eq!(h.names(input), parsed.as_ref() == Some(&h), "{input}");
        }
        let odd = Handle {
            handle: "Alice".into(),
            domain: "wire.com".into(),
        };
        assert!(!odd.names("@alice@wire.com") && !odd.names("@Alice@wire.com"));
    }

    #[test]
    fn malformed_client_ids_are_rejected() {
        for bad in [
            "",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA@wire.com",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!zz@wire.com",
            "wireapp://short!9e4e@wire.com",
            "https://WqEqc9dIRoKh3VyUJ8k6QA!9e4e@wire.com",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4e@",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4e@wire.com/x",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!11223344556677889@wire.com",
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA%2!9e4e@wire.com",
        ] {
            assert!(ClientId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn handles_in_every_spelling() {
        let h = Handle::parse("wireapp://%40alice_wire@wire.localhost").unwrap();
        assert_eq!(h.handle, "alice_wire");
        assert_eq!(h.to_uri(), "wireapp://%40alice_wire@wire.localhost");
        assert_eq!(
            Handle::parse("im:wireapp=%40alice_wire@wire.com")
                .unwrap()
                .handle,
            "alice_wire"
        );
        assert_eq!(
            Handle::parse("im:wireapp=alice.smith.qa@wire.com")
                .unwrap()
                .handle,
            "alice.smith.qa"
        );
        assert!(Handle::parse("wireapp://%40al ice@wire.com").is_err());
        assert!(Handle::parse("wireapp://%40alice").is_err());
    }
}
