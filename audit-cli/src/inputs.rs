//! Reading what the user hands the commands: tokens, key files, times.

use crate::CliError;
use chrono::DateTime;
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{parse_public_keys, PublicKey};
use e2ei_verify::time::UnixTime;
use std::io::Read;

/// Largest input read from a file or stdin: far above any real artefact.
const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// The token given on the command line, or read from stdin for `-`.
pub fn token(arg: &str) -> Result<String, CliError> {
    let text = if arg == "-" {
        let buf = bounded("standard input", std::io::stdin())?;
        String::from_utf8(buf).map_err(|_| CliError::Read {
            what: "standard input".into(),
            detail: "not UTF-8 text".into(),
        })?
    } else {
        arg.to_owned()
    };
    let token: String = text.split_whitespace().collect();
    if token.is_empty() {
        return Err(CliError::Read {
            what: "the token".into(),
            detail: "it is empty".into(),
        });
    }
    Ok(token)
}

/// A whole file, or standard input for `-`, bounded.
pub fn file_or_stdin(arg: &str) -> Result<Vec<u8>, CliError> {
    if arg != "-" {
        return file(arg);
    }
    bounded("standard input", std::io::stdin())
}

/// A whole file, bounded.
pub fn file(path: &str) -> Result<Vec<u8>, CliError> {
    let f = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    bounded(path, f)
}

/// Everything `input` holds, refused (not cut) when it exceeds [`MAX_INPUT`]:
/// a truncated capture would be audited as if it ended there.
fn bounded(what: &str, input: impl Read) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    input
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| read_error(what, e))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::Read {
            what: what.to_owned(),
            detail: format!("larger than {} MiB, not read", MAX_INPUT >> 20),
        });
    }
    Ok(buf)
}

fn read_error(what: &str, e: std::io::Error) -> CliError {
    CliError::Read {
        what: what.to_owned(),
        detail: e.to_string(),
    }
}

/// Every public key in the given files (JWK, JWKS or PEM), validated.
pub fn issuer_keys(paths: &[String]) -> Result<Vec<PublicKey>, CliError> {
    let mut keys = Vec::new();
    for path in paths {
        let jwks = parse_public_keys(&file(path)?).map_err(|e| CliError::Read {
            what: path.clone(),
            detail: e.to_string(),
        })?;
        for jwk in jwks {
            keys.push(PublicKey::new(jwk).map_err(|e| CliError::Read {
                what: path.clone(),
                detail: e.to_string(),
            })?);
        }
    }
    Ok(keys)
}

/// `--at`: `now`, RFC 3339, or seconds since the epoch.
pub fn at(arg: Option<&str>) -> Result<UnixTime, CliError> {
    match arg {
        None | Some("now") => Ok(now()),
        Some(s) => parse_time(s).ok_or_else(|| CliError::Argument {
            arg: "--at",
            detail: format!("{s:?} is not `now`, an RFC 3339 time or epoch seconds"),
        }),
    }
}

/// Parses RFC 3339 or epoch seconds.
pub fn parse_time(s: &str) -> Option<UnixTime> {
    if let Ok(secs) = s.parse::<u64>() {
        return Some(secs);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| u64::try_from(t.timestamp()).ok())
}

/// The current time.
pub fn now() -> UnixTime {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default()
}

/// `--client-id`, in any era's spelling.
pub fn client_id(arg: Option<&str>) -> Result<Option<ClientId>, CliError> {
    arg.map(|s| {
        ClientId::parse(s).map_err(|e| CliError::Argument {
            arg: "--client-id",
            detail: e.to_string(),
        })
    })
    .transpose()
}

/// `--handle`, in any era's spelling.
pub fn handle(arg: Option<&str>) -> Result<Option<Handle>, CliError> {
    arg.map(|s| {
        Handle::parse(s).map_err(|e| CliError::Argument {
            arg: "--handle",
            detail: e.to_string(),
        })
    })
    .transpose()
}
