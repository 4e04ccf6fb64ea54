//! Time rules shared by the token checks. Verification is always *as of* a
//! given instant (a server's clock, a capture time, a user's choice), never an
//! implicit "now", so that audits of old flows are reproducible.

use crate::jose::{Json, Object};
use serde_json::{Number, Value};

/// Seconds since the Unix epoch.
pub type UnixTime = u64;

/// Tolerances for `iat`, `nbf` and `exp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimePolicy {
    /// Clock skew tolerated in both directions, in seconds.
    pub max_skew: u64,
    /// How old `iat` may be, in seconds; `None` when only `exp` limits use.
    pub max_age: Option<u64>,
    /// Longest accepted `exp - iat`, in seconds.
    pub max_lifetime: u64,
}

impl TimePolicy {
    /// DPoP proofs: 60 s skew, 5 min freshness, 1 day lifetime at most.
    pub const DPOP: TimePolicy = TimePolicy {
        max_skew: 60,
        max_age: Some(300),
        max_lifetime: 86_400,
    };
    /// Access and id tokens: 60 s skew, valid until `exp`, 1 day lifetime at most.
    pub const TOKEN: TimePolicy = TimePolicy {
        max_skew: 60,
        max_age: None,
        max_lifetime: 86_400,
    };

    /// Checks the claims' times at `now`. The error says which rule failed.
    pub fn check(&self, claims: &Object, now: UnixTime) -> Result<Times, String> {
        let date = |name| numeric_date(claims, name);
        self.check_dates([date("iat"), date("exp"), date("nbf")], now)
    }

    /// [`TimePolicy::check`] of borrowed claim values `[iat, exp, nbf]`.
    pub fn check_json(
        &self,
        [iat, exp, nbf]: [Option<&Json<'_>>; 3],
        now: UnixTime,
    ) -> Result<Times, String> {
        let date = |value: Option<&Json<'_>>, name| numeric(value.map(Json::as_number), name);
        self.check_dates([date(iat, "iat"), date(exp, "exp"), date(nbf, "nbf")], now)
    }

    /// The rules, on the claims read as NumericDates (each read's error is
    /// reported in the order iat, exp, nbf).
    fn check_dates(&self, [iat, exp, nbf]: [Date; 3], now: UnixTime) -> Result<Times, String> {
        let iat = iat?.ok_or("no iat claim")?;
        let exp = exp?.ok_or("no exp claim")?;
        let nbf = nbf?;
        if iat > now.saturating_add(self.max_skew) {
            return Err(format!("iat {iat} is {}s in the future", iat - now));
        }
        if let Some(max_age) = self.max_age {
            if now.saturating_sub(iat) > max_age.saturating_add(self.max_skew) {
                return Err(format!(
                    "iat {iat} is {}s old, more than the {max_age}s allowed",
                    now - iat
                ));
            }
        }
        if let Some(nbf) = nbf.filter(|&n| n > now.saturating_add(self.max_skew)) {
            return Err(format!("not valid before nbf {nbf} ({}s ahead)", nbf - now));
        }
        if exp <= iat {
            return Err(format!("exp {exp} is not after iat {iat}"));
        }
        if exp - iat > self.max_lifetime {
            return Err(format!(
                "lifetime {} is longer than the {} allowed",
                human(exp - iat),
                human(self.max_lifetime)
            ));
        }
        if now >= exp.saturating_add(self.max_skew) {
            return Err(format!("expired at {exp} ({} ago)", human(now - exp)));
        }
        Ok(Times { iat, exp, nbf })
    }
}

/// The times a token carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    /// Issued at.
    pub iat: UnixTime,
    /// Expires at.
    pub exp: UnixTime,
    /// Not before, if given.
    pub nbf: Option<UnixTime>,
}

impl Times {
    /// The message of a token whose times are acceptable at `now`:
    /// `iat I / exp E acceptable at N`.
    pub(crate) fn acceptable_at(&self, now: UnixTime) -> String {
        crate::report::concat(&[
            "iat ",
            &self.iat.to_string(),
            " / exp ",
            &self.exp.to_string(),
            " acceptable at ",
            &now.to_string(),
        ])
    }
}

/// Reads an RFC 7519 NumericDate: a non-negative number of seconds (a fraction
/// is truncated). Absent is `None`; any other type is an error.
pub fn numeric_date(claims: &Object, name: &str) -> Result<Option<UnixTime>, String> {
    numeric(claims.get(name).map(Value::as_number), name)
}

/// `value` read as a NumericDate, as the token checks read it: a
/// non-negative number of seconds, a fraction truncated (`1768462854.0` is a
/// date: RFC 7519 §2 allows non-integer values); `None` for anything else.
/// For callers that date tokens against each other outside the checks.
pub fn numeric_date_of(value: &Value) -> Option<UnixTime> {
    numeric(Some(value.as_number()), "").ok().flatten()
}

/// A claim read as a NumericDate: absent, or the claim's number if it is one.
type Date = Result<Option<UnixTime>, String>;

/// `value`: `None` when the claim is absent, `Some(None)` when it is not a
/// number.
fn numeric(value: Option<Option<&Number>>, name: &str) -> Date {
    match value {
        None => Ok(None),
        Some(Some(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| *f >= 0.0 && *f < 1e15)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| format!("{name} is not a non-negative NumericDate")),
        Some(None) => Err(format!("{name} is not a NumericDate")),
    }
}

/// A duration for people: `90 days`, `2 h`, `45 s`.
pub fn human(secs: u64) -> String {
    match secs {
        86_400 => "1 day".into(),
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{} h", s / 3_600),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Object {
        crate::jose::parse_object(json.as_bytes(), "payload").unwrap()
    }

    /// The NumericDate of a lone value is the one the claim checks read.
    #[test]
    fn a_value_is_dated_as_the_checks_date_it() {
        for (text, date) in [
            ("1768462854", Some(1_768_462_854)),
            ("1768462854.0", Some(1_768_462_854)),
            ("1768462854.9", Some(1_768_462_854)),
            ("1.768462854e9", Some(1_768_462_854)),
            ("0", Some(0)),
            ("-1", None),
            ("-0.5", None),
            ("1e300", None),
            ("\"1768462854\"", None),
            ("null", None),
            ("[1]", None),
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(numeric_date_of(&value), date, "{text}");
            let object = claims(&format!("{{\"iat\":{text}}}"));
            assert_eq!(numeric_date(&object, "iat").ok().flatten(), date, "{text}");
        }
    }

    #[test]
    fn accepts_a_fresh_token_and_rejects_each_time_fault() {
        let p = TimePolicy::DPOP;
        let c = claims(r#"{"iat":1000,"exp":2000,"nbf":1000}"#);
        assert!(p.check(&c, 1000).is_ok());
        assert!(p.check(&c, 1359).is_ok());
        assert!(p.check(&c, 1361).unwrap_err().contains("old"));
        assert!(p.check(&c, 900).unwrap_err().contains("future"));
        assert!(TimePolicy::TOKEN
            .check(&c, 2060)
            .unwrap_err()
            .contains("expired"));
        assert!(p.check(&claims(r#"{"iat":1000}"#), 1000).is_err());
        assert!(p.check(&claims(r#"{"exp":1000}"#), 1000).is_err());
        assert!(p
            .check(&claims(r#"{"iat":1000,"exp":1000}"#), 1000)
            .is_err());
        assert!(p
            .check(&claims(r#"{"iat":"1000","exp":2000}"#), 1000)
            .is_err());
        assert!(p
            .check(&claims(r#"{"iat":1000,"exp":2000,"nbf":1100}"#), 1000)
            .is_err());
        let long = claims(r#"{"iat":1000,"exp":90000}"#);
        assert!(p.check(&long, 1000).unwrap_err().contains("lifetime"));
    }
}
