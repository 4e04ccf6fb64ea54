//! Recognising the lines that structure a capture: ciphersuite lines (one section per
//! suite) and step headings.
//!
//! Suite lines are matched strictly (the whole line must name a suite) because a false
//! section split would reassign every later step to the wrong suite.

/// The signature suite a section of the capture was run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    Ed25519,
    P256,
    P384,
    P521,
}

impl Suite {
    /// The hash the suite pairs with (used e.g. for JWK thumbprints).
    pub fn hash_name(self) -> &'static str {
        match self {
            Suite::Ed25519 | Suite::P256 => "SHA256",
            Suite::P384 => "SHA384",
            Suite::P521 => "SHA512",
        }
    }
}

const CURVES: [(&str, Suite); 8] = [
    ("ED25519", Suite::Ed25519),
    ("P256", Suite::P256),
    ("SECP256R1", Suite::P256),
    // OpenSSL's name of the curve.
    ("PRIME256V1", Suite::P256),
    ("P384", Suite::P384),
    ("SECP384R1", Suite::P384),
    ("P521", Suite::P521),
    ("SECP521R1", Suite::P521),
];
const PREFIXES: [&str; 6] = ["CIPHERSUITE", "SUITE", "ECDSA", "EDDSA", "NIST", ""];
/// What may follow the curve: its hash, or the JWS algorithm its keys sign
/// with (`P-256 (ES256)`).
const HASHES: [&str; 8] = [
    "SHA256", "SHA384", "SHA512", "", "ES256", "ES384", "ES512", "EDDSA",
];
/// Words a heading may end with after the suite (`## P256 - SHA256 flow`).
const SUFFIXES: [&str; 3] = ["FLOW", "ENROLMENT", "ENROLLMENT"];
/// Longer lines are prose, whatever they mention.
const MAX_SUITE_LINE: usize = 64;

/// Returns the suite when the whole line (heading marks and emphasis stripped) names one,
/// e.g. `Ed25519 - SHA256`, `### P256 - SHA256`, `ECDSA P-256`, `**P-384 / SHA-384**`,
/// or an MLS ciphersuite name such as `MLS_128_DHKEMP256_AES128GCM_SHA256_P256`.
pub(crate) fn suite_of(line: &str) -> Option<Suite> {
    // Every curve name holds one of these digit runs (P-256, secp384r1,
    // Ed25519 …): most prose lines and headings are told apart by that alone.
    let curve_digits = |w: &[u8]| matches!(w, b"256" | b"384" | b"521" | b"519");
    if line.len() > MAX_SUITE_LINE || !line.as_bytes().windows(3).any(curve_digits) {
        return None;
    }
    let line = without_code_point(without_tags(line));
    // Punctuation and symbols of any kind (smart dashes, backticks, a ✅) may
    // stand between the names; a letter or digit outside ASCII, or a
    // sentence's punctuation, makes the line prose.
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ' ' | '\t' | '-' | '_' | '/' | '(' | ')' | '*' | ':' | '#' | ',' | '`' | '+' | '.'
            )
            || (!c.is_ascii() && !c.is_alphanumeric())
    };
    if !line.chars().all(allowed) {
        return None;
    }
    // The line is short (checked above): its ASCII letters and digits, upper-cased,
    // fit a buffer on the stack (this runs for every heading and prose line).
    let mut buf = [0u8; MAX_SUITE_LINE];
    let mut len = 0;
    for b in line.bytes().filter(u8::is_ascii_alphanumeric) {
        *buf.get_mut(len)? = b.to_ascii_uppercase();
        len += 1;
    }
    let norm = std::str::from_utf8(buf.get(..len)?).ok()?;
    // A heading's own number (`## 2. P256 - SHA256`): no suite name starts
    // with a digit.
    let norm = norm.trim_start_matches(|c: char| c.is_ascii_digit());
    let norm = SUFFIXES
        .iter()
        .find_map(|s| norm.strip_suffix(s))
        .unwrap_or(norm);
    PREFIXES.iter().find_map(|p| {
        let rest = norm.strip_prefix(p)?;
        if let Some(mls) = rest.strip_prefix("MLS") {
            // MLS ciphersuite names end with the signature scheme.
            return CURVES
                .iter()
                .find_map(|(name, suite)| mls.ends_with(name).then_some(*suite));
        }
        CURVES.iter().find_map(|(name, suite)| {
            let hash = rest.strip_prefix(name)?;
            HASHES.contains(&hash).then_some(*suite)
        })
    })
}

/// `line` without the HTML tags around it (`<h2>P256 - SHA256</h2>`).
fn without_tags(line: &str) -> &str {
    let mut line = line.trim();
    loop {
        let inner = match (line.strip_prefix('<'), line.strip_suffix('>')) {
            (Some(rest), _) => rest.split_once('>').map_or("", |(_, after)| after),
            (None, Some(rest)) => rest.rsplit_once('<').map_or("", |(before, _)| before),
            (None, None) => return line,
        };
        line = inner.trim();
    }
}

/// `line` without a final code point in parentheses, as MLS names are
/// printed with theirs (`MLS_128_DHKEMP256_AES128GCM_SHA256_P256 (0x0002)`).
fn without_code_point(line: &str) -> &str {
    let Some((before, last)) = line.trim_end().rsplit_once('(') else {
        return line;
    };
    let code = last
        .strip_suffix(')')
        .and_then(|c| c.strip_prefix("0x").or_else(|| c.strip_prefix("0X")));
    match code {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => before,
        _ => line,
    }
}

/// A step heading split into its number (if it has one) and title.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct StepHeading<'a> {
    pub number: Option<u32>,
    pub title: &'a str,
}

/// Splits `12. title`, `12) title`, `Step 12: title` into number and title. A heading
/// without a leading number keeps its whole text as title.
pub(crate) fn step_heading(text: &str) -> StepHeading<'_> {
    let body = text
        .strip_prefix("Step ")
        .or_else(|| text.strip_prefix("step "))
        .unwrap_or(text);
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    let number = body.get(..digits).and_then(|d| d.parse::<u32>().ok());
    let rest = body.get(digits..).unwrap_or("");
    match number {
        Some(n) if rest.is_empty() || rest.starts_with(['.', ')', ':', ' ']) => StepHeading {
            number: Some(n),
            title: rest.trim_start_matches(['.', ')', ':']).trim(),
        },
        _ => StepHeading {
            number: None,
            title: text,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_lines_of_all_eras() {
        assert_eq!(suite_of("Ed25519 - SHA256"), Some(Suite::Ed25519));
        assert_eq!(suite_of("P256 - SHA256"), Some(Suite::P256));
        assert_eq!(suite_of("P384 - SHA384"), Some(Suite::P384));
        assert_eq!(suite_of("P521 - SHA512"), Some(Suite::P521));
        assert_eq!(suite_of("### P256 - SHA256"), Some(Suite::P256));
        assert_eq!(suite_of("ECDSA P-256"), Some(Suite::P256));
        assert_eq!(suite_of("**P-384 / SHA-384**"), Some(Suite::P384));
        let mls = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
        assert_eq!(suite_of(mls), Some(Suite::Ed25519));
        assert_eq!(
            suite_of("MLS_256_DHKEMP521_AES256GCM_SHA512_P521"),
            Some(Suite::P521)
        );
        assert_eq!(suite_of("MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448"), None);
    }

    #[test]
    fn prose_mentioning_a_curve_is_not_a_suite_line() {
        assert_eq!(suite_of("Note: uses P256"), None);
        assert_eq!(suite_of("1. fetch acme directory"), None);
        assert_eq!(suite_of("P256 - SHA256 is used here"), None);
        assert_eq!(suite_of("P256 – SHA256, step 2"), None);
        assert_eq!(suite_of("Étape P256"), None);
        assert_eq!(suite_of("P256 (0xZZ)"), None);
        assert_eq!(suite_of("(0x0002)"), None);
        assert_eq!(suite_of("<p>uses P256</p>"), None);
        assert_eq!(suite_of("2. 256"), None);
        assert_eq!(suite_of(""), None);
    }

    #[test]
    fn suite_lines_as_editors_and_generators_write_them() {
        for line in [
            "Ed25519 – SHA256 ✅",
            "P256 – SHA256",
            "P256 — SHA256",
            "`P256 - SHA256`",
            "Ciphersuite `MLS_128_DHKEMP256_AES128GCM_SHA256_P256`",
            "MLS_128_DHKEMP256_AES128GCM_SHA256_P256 (0x0002)",
            "prime256v1",
            "NIST P-256",
            "P-256 (ES256)",
            "P-256 + SHA-256",
            "<h2>P256 - SHA256</h2>",
            "P256 - SHA256 flow",
            "2. P256 - SHA256",
        ] {
            let want = if line.starts_with("Ed") {
                Suite::Ed25519
            } else {
                Suite::P256
            };
            assert_eq!(suite_of(line), Some(want), "{line}");
        }
    }

    #[test]
    fn step_numbers_and_titles() {
        let h = step_heading("21. OAUTH authorization code");
        assert_eq!((h.number, h.title), (Some(21), "OAUTH authorization code"));
        assert_eq!(step_heading("Step 3: nonce").number, Some(3));
        assert_eq!(step_heading("7) x").title, "x");
        let h = step_heading("OAUTH token");
        assert_eq!((h.number, h.title), (None, "OAUTH token"));
        assert_eq!(step_heading("2023-01 run").number, None);
        assert_eq!(step_heading("99999999999999. big").number, None);
    }
}
