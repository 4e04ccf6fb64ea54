//! webpki's path errors in words a person reads.
//!
//! An auditor looking at `CertExpired { time: UnixTime(1768462854), not_after:
//! UnixTime(1740787200) }` must convert two epoch numbers to see what happened.
//! The common errors get a sentence with RFC 3339 times; every message still ends
//! with webpki's own name for the error, so nothing it said is lost and callers
//! that match on the variant name keep working.

use rustls_pki_types::UnixTime;

/// `err` explained, followed by webpki's name for it in parentheses.
pub(crate) fn explain(err: &webpki::Error) -> String {
    use webpki::Error as E;
    let words = match err {
        E::CertExpired { time, not_after } => format!(
            "a certificate on the path expired at {} (verification time {})",
            rfc3339(*not_after),
            rfc3339(*time)
        ),
        E::CertNotValidYet { time, not_before } => format!(
            "a certificate on the path is valid only from {} (verification time {})",
            rfc3339(*not_before),
            rfc3339(*time)
        ),
        E::UnknownIssuer => {
            "no certificate in the chain or among the trust anchors issued it".into()
        }
        E::InvalidSignatureForPublicKey => {
            "a signature does not verify under its issuer's key".into()
        }
        E::NameConstraintViolation => "a name lies outside an issuer's name constraints".into(),
        E::PathLenConstraintViolated => "an issuer's pathLenConstraint is exceeded".into(),
        E::EndEntityUsedAsCa => "a certificate that is not a CA issued another".into(),
        E::CaUsedAsEndEntity => "the leaf is a CA certificate".into(),
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "a certificate is not valid DER".into(),
        E::UnsupportedCriticalExtension => "a certificate has a critical extension webpki \
                                            does not process"
            .into(),
        E::RequiredEkuNotFoundContext(_) => {
            "a certificate's extendedKeyUsage does not allow client authentication".into()
        }
        _ => return format!("{err:?}"),
    };
    format!("{words} ({})", variant(err))
}

/// webpki's variant name, without the context it may carry (already in words).
fn variant(err: &webpki::Error) -> String {
    let debug = format!("{err:?}");
    let end = debug.find([' ', '(', '{']).unwrap_or(debug.len());
    debug[..end].to_owned()
}

fn rfc3339(t: UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || format!("{} s after the Unix epoch", t.as_secs()),
            |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn dates_are_written_out_and_the_variant_kept() {
        let err = webpki::Error::CertExpired {
            time: at(1_768_462_854),
            not_after: at(1_740_787_200),
        };
        assert_eq!(
            explain(&err),
            "a certificate on the path expired at 2025-03-01T00:00:00Z \
             (verification time 2026-01-15T07:40:54Z) (CertExpired)"
        );
        let err = webpki::Error::CertNotValidYet {
            time: at(0),
            not_before: at(86_400),
        };
        assert_eq!(
            explain(&err),
            "a certificate on the path is valid only from 1970-01-02T00:00:00Z \
             (verification time 1970-01-01T00:00:00Z) (CertNotValidYet)"
        );
    }

    #[test]
    fn unexplained_errors_are_webpki_debug() {
        let err = webpki::Error::CertRevoked;
        assert_eq!(explain(&err), "CertRevoked");
        assert_eq!(
            explain(&webpki::Error::UnknownIssuer),
            "no certificate in the chain or among the trust anchors issued it (UnknownIssuer)"
        );
    }
}
