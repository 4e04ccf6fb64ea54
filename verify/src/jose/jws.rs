use super::json::{self, Json, Members};
use super::{b64_decode, parse_object, Algorithm, JoseError, Object};
use serde_json::Value;
use std::borrow::Cow;

/// Size limits applied before any decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The whole serialized JWS.
    pub max_token: usize,
    /// The encoded protected header.
    pub max_header: usize,
}

impl Default for Limits {
    /// 64 KiB tokens and 8 KiB headers: a Wire access token with its embedded
    /// proof is about 3 KiB.
    fn default() -> Self {
        Limits {
            max_token: 64 * 1024,
            max_header: 8 * 1024,
        }
    }
}

/// The body of [`Jws::parse_flattened_members`] without its three strings.
const FLATTENED_FRAME: &str = r#"{"payload":,"protected":,"signature":}"#;

/// The length of `s` written as a JSON string: quoted, and escaped as
/// `serde_json` writes it when it holds a quote, a backslash or a control.
fn json_string_len(s: &str) -> usize {
    // Members are kilobytes of base64url: the bytes are tested in 64-byte chunks
    // without a branch per byte, which the compiler vectorises.
    let plain = |chunk: &[u8]| {
        chunk
            .iter()
            .fold(true, |ok, &b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'))
    };
    if s.as_bytes().chunks(64).all(plain) {
        s.len() + 2
    } else {
        Value::from(s).to_string().len()
    }
}

/// A JWS whose structure has been checked strictly; its signature has not.
#[derive(Clone, Debug)]
pub struct Jws<'a> {
    signing_input: Cow<'a, str>,
    /// The protected header.
    pub header: Object,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
}

impl<'a> Jws<'a> {
    /// Parses a compact JWS: exactly three segments of strict base64url, a JSON
    /// object header with no duplicate members, no `crit`, no `b64: false`.
    pub fn parse_compact(token: &'a str, limits: &Limits) -> Result<Self, JoseError> {
        let parts = Compact::split(token, limits)?;
        let header = parts.header()?;
        let header = header.object()?.to_object();
        Ok(Jws {
            signing_input: Cow::Borrowed(parts.signing_input),
            header,
            payload: parts.payload()?,
            signature: parts.signature()?,
        })
    }

    /// Parses the flattened JSON serialization (RFC 7515 §7.2.2) used by ACME:
    /// `protected`, `payload`, `signature`, and no unprotected `header`.
    pub fn parse_flattened(json: &[u8], limits: &Limits) -> Result<Jws<'static>, JoseError> {
        if json.len() > limits.max_token {
            return Err(JoseError::TooLarge {
                what: "the JWS",
                size: json.len(),
                limit: limits.max_token,
            });
        }
        let object = parse_object(json, "JWS")?;
        if object.contains_key("header") {
            return Err(JoseError::UnprotectedHeader);
        }
        let member = |name: &'static str| {
            object
                .get(name)
                .and_then(Value::as_str)
                .ok_or(JoseError::Member {
                    part: "JWS",
                    name,
                    expected: "string",
                })
        };
        Self::from_flattened_parts(
            member("protected")?,
            member("payload")?,
            member("signature")?,
            limits,
        )
    }

    /// [`Jws::parse_flattened`] of the body `{"payload":…,"protected":…,"signature":…}`
    /// holding these three members (each written as a JSON string, escaped as
    /// `serde_json` escapes), without writing that body and reading it back: such
    /// a body is a well-formed object of exactly these members, so what remains of
    /// its parse is the size limit, applied to the length it would have.
    pub fn parse_flattened_members(
        protected: &str,
        payload: &str,
        signature: &str,
        limits: &Limits,
    ) -> Result<Jws<'static>, JoseError> {
        Flattened::new(protected, payload, signature, limits)?;
        Self::from_flattened_parts(protected, payload, signature, limits)
    }

    /// Builds a JWS from the three members of a flattened JSON serialization.
    pub fn from_flattened_parts(
        protected: &str,
        payload: &str,
        signature: &str,
        limits: &Limits,
    ) -> Result<Jws<'static>, JoseError> {
        let signing_input = format!("{protected}.{payload}");
        Jws::from_parts(
            Cow::Owned(signing_input),
            protected,
            payload,
            signature,
            limits,
        )
        .map(Jws::into_owned)
    }

    fn from_parts(
        signing_input: Cow<'a, str>,
        h: &str,
        p: &str,
        s: &str,
        limits: &Limits,
    ) -> Result<Self, JoseError> {
        check_segments(h, s, limits)?;
        let header_bytes = b64_decode(h).ok_or(JoseError::Base64("header"))?;
        let header = parse_object(&header_bytes, "header")?;
        check_header(
            header.contains_key("crit"),
            header.get("b64").is_some_and(|b| b != &Value::Bool(true)),
        )?;
        let payload = b64_decode(p).ok_or(JoseError::Base64("payload"))?;
        let signature = b64_decode(s).ok_or(JoseError::Base64("signature"))?;
        Ok(Jws {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    fn into_owned(self) -> Jws<'static> {
        Jws {
            signing_input: Cow::Owned(self.signing_input.into_owned()),
            header: self.header,
            payload: self.payload,
            signature: self.signature,
        }
    }

    /// The bytes the signature covers: `BASE64URL(header) . BASE64URL(payload)`.
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The header's `alg`, which must be one of the accepted algorithms.
    pub fn algorithm(&self) -> Result<Algorithm, JoseError> {
        match self.header.get("alg") {
            Some(Value::String(name)) => Algorithm::from_name(name),
            Some(other) => Err(JoseError::UnsupportedAlgorithm(other.to_string())),
            None => Err(JoseError::UnsupportedAlgorithm("(missing)".into())),
        }
    }

    /// A string member of the header, if present and a string.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// The payload parsed strictly as a JSON object (a claims set).
    pub fn claims(&self) -> Result<Object, JoseError> {
        parse_object(&self.payload, "payload")
    }
}

/// Header and signature segment sizes, checked before any decoding.
fn check_segments(h: &str, s: &str, limits: &Limits) -> Result<(), JoseError> {
    if h.len() > limits.max_header {
        return Err(JoseError::TooLarge {
            what: "the header",
            size: h.len(),
            limit: limits.max_header,
        });
    }
    if h.is_empty() {
        return Err(JoseError::EmptySegment("header"));
    }
    if s.is_empty() {
        return Err(JoseError::EmptySegment("signature"));
    }
    Ok(())
}

/// The decoded header of the compact JWS `token`, read alone: for judging a
/// token whose other segments do not split (an unsecured JWS's empty
/// signature) or whose signature does not verify. `None` when it is not
/// base64url of UTF-8 text.
pub(crate) fn header_text_only(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    String::from_utf8(b64_decode(header)?).ok()
}

/// Whether a split failure is an unsecured JWS (RFC 7515 §A.5: `alg` `none`
/// and an empty signature) whose header is `protected` (a compact token or
/// its first segment): a refused algorithm, which the checks report as such
/// rather than as a malformed token.
pub(crate) fn is_unsecured(protected: &str, split: &JoseError) -> bool {
    let alg_none = || {
        let text = header_text_only(protected)?;
        let members = super::parse_text(&text, "header").ok()?;
        members.get("alg")?.as_str().map(|alg| alg == "none")
    };
    matches!(split, JoseError::EmptySegment("signature")) && alg_none() == Some(true)
}

/// `crit` is refused (we understand no extension), and so is an unencoded
/// payload (`b64` other than `true`).
fn check_header(crit: bool, unencoded: bool) -> Result<(), JoseError> {
    if crit {
        return Err(JoseError::Crit);
    }
    if unencoded {
        return Err(JoseError::UnencodedPayload);
    }
    Ok(())
}

/// A compact JWS split into its three segments, sizes checked, nothing
/// decoded yet: the token checks decode each part once, in the order (and
/// with the errors) of [`Jws::parse_compact`], and read the header and claims
/// as borrowed [`Json`] rather than owned maps.
#[derive(Clone, Copy, Debug)]
pub struct Compact<'a> {
    signing_input: &'a str,
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Compact<'a> {
    /// Splits `token`: at most `max_token` bytes, exactly three segments, a
    /// header of at most `max_header` bytes, no empty header or signature.
    pub fn split(token: &'a str, limits: &Limits) -> Result<Self, JoseError> {
        if token.len() > limits.max_token {
            return Err(JoseError::TooLarge {
                what: "the token",
                size: token.len(),
                limit: limits.max_token,
            });
        }
        // memchr's vectorised search: a token with its nested proof is kilobytes.
        let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
        let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
            return Err(JoseError::Segments(token.split('.').count()));
        };
        let (Some(h), Some(p), Some(s)) = (
            token.get(..first),
            token.get(first + 1..second),
            token.get(second + 1..),
        ) else {
            return Err(JoseError::Segments(token.split('.').count()));
        };
        check_segments(h, s, limits)?;
        Ok(Compact {
            signing_input: token.get(..h.len() + 1 + p.len()).unwrap_or_default(),
            header: h,
            payload: p,
            signature: s,
        })
    }

    /// The bytes the signature covers: a prefix of the token, not a copy.
    pub fn signing_input(&self) -> &'a [u8] {
        self.signing_input.as_bytes()
    }

    /// The decoded header text; [`HeaderText::object`] parses and checks it.
    pub fn header(&self) -> Result<HeaderText, JoseError> {
        let bytes = b64_decode(self.header).ok_or(JoseError::Base64("header"))?;
        Ok(HeaderText(json::text(bytes, "header")?))
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> Result<Vec<u8>, JoseError> {
        b64_decode(self.payload).ok_or(JoseError::Base64("payload"))
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> Result<Vec<u8>, JoseError> {
        b64_decode(self.signature).ok_or(JoseError::Base64("signature"))
    }
}

/// The three members of a flattened JWS (RFC 7515 §7.2.2) as printed, sizes
/// checked, nothing decoded yet: [`Jws::parse_flattened_members`] without the
/// owned `serde_json` header, for callers that read a few header members once
/// (each part is decoded in the order, and with the errors, of that function).
#[derive(Clone, Copy, Debug)]
pub struct Flattened<'a> {
    protected: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Flattened<'a> {
    /// The members of the body `{"payload":…,"protected":…,"signature":…}`:
    /// that body's size within `max_token`, then the header and signature
    /// sizes, as [`Jws::parse_flattened_members`] checks them.
    pub fn new(
        protected: &'a str,
        payload: &'a str,
        signature: &'a str,
        limits: &Limits,
    ) -> Result<Self, JoseError> {
        // A byte is written as at most six (`\u00XX`): a body that fits even
        // so needs no exact size (members are kilobytes of base64url).
        let members = [protected, payload, signature];
        let longest = members.iter().fold(FLATTENED_FRAME.len(), |n, m| {
            n.saturating_add(m.len().saturating_mul(6).saturating_add(2))
        });
        if longest > limits.max_token {
            let size = FLATTENED_FRAME.len() + members.map(json_string_len).iter().sum::<usize>();
            if size > limits.max_token {
                return Err(JoseError::TooLarge {
                    what: "the JWS",
                    size,
                    limit: limits.max_token,
                });
            }
        }
        check_segments(protected, signature, limits)?;
        Ok(Flattened {
            protected,
            payload,
            signature,
        })
    }

    /// The bytes the signature covers, `protected.payload`, in one buffer.
    pub fn signing_input(&self) -> String {
        let mut input = String::with_capacity(self.protected.len() + 1 + self.payload.len());
        input.push_str(self.protected);
        input.push('.');
        input.push_str(self.payload);
        input
    }

    /// The decoded header text; [`HeaderText::object`] parses and checks it.
    pub fn header(&self) -> Result<HeaderText, JoseError> {
        let bytes = b64_decode(self.protected).ok_or(JoseError::Base64("header"))?;
        Ok(HeaderText(json::text(bytes, "header")?))
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> Result<Vec<u8>, JoseError> {
        b64_decode(self.payload).ok_or(JoseError::Base64("payload"))
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> Result<Vec<u8>, JoseError> {
        b64_decode(self.signature).ok_or(JoseError::Base64("signature"))
    }
}

/// A decoded protected header, UTF-8 validated, not yet parsed.
#[derive(Clone, Debug)]
pub struct HeaderText(String);

impl HeaderText {
    /// Parses the header strictly and refuses `crit` and `b64` other than
    /// `true`.
    pub fn object(&self) -> Result<Members<'_>, JoseError> {
        let header = json::parse_text(&self.0, "header")?;
        check_header(
            header.contains_key("crit"),
            header
                .get("b64")
                .is_some_and(|b| !matches!(b, Json::Bool(true))),
        )?;
        Ok(header)
    }
}

/// A header's `alg`, which must be one of the accepted algorithms (as
/// [`Jws::algorithm`]).
pub fn algorithm(alg: Option<&Json<'_>>) -> Result<Algorithm, JoseError> {
    match alg {
        Some(Json::String(name)) => Algorithm::from_name(name),
        Some(other) => Err(JoseError::UnsupportedAlgorithm(other.to_string())),
        None => Err(JoseError::UnsupportedAlgorithm("(missing)".into())),
    }
}
