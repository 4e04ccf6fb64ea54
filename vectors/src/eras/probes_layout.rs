//! Round 8 of the era test (layout): what the capture's text and its sections
//! may look like when another generator or an editor wrote them. Each
//! [`Layout`] is one rewrite of an era's transcript text (nothing signed is
//! touched); multi-section captures are assembled from the eras' enrolments
//! ([`sections`], [`with_suite_line`]). A layout says nothing about its
//! verdict: the tests (`vectors/tests/era_probes_layout.rs`) hold each to the
//! verdict the RFCs and Wire's spec give it.

use super::Era;

/// One way of writing an era's transcript text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    // --- code blocks the reader may not see (findings 1, 2) ---
    /// Every `http request` fence labelled `text` (a generator that labels
    /// every block that is not JSON `text`).
    HttpFencesText,
    /// Every `http request` fence labelled `console`.
    HttpFencesConsole,
    /// Only the new-order request's block labelled `text`.
    NewOrderRequestText,
    /// Every fenced block written as a CommonMark indented code block (four
    /// spaces, a blank line before), as `pandoc -t markdown_strict` writes.
    BlocksIndented,
    /// Every fenced block (fences included) inside a blockquote (`> `).
    BlocksQuoted,
    /// Only the new-order step's blocks indented.
    NewOrderIndented,
    // --- sections (finding 3) ---
    /// The section's own suite line printed again before the step that
    /// answers finalize (between the request and its answer).
    SuiteLineBeforeFinalizeAnswer,
    /// The section's own suite line printed again before the answer of the
    /// new-order request.
    SuiteLineBeforeOrderAnswer,
    // --- step numbers (finding 5) ---
    /// Steps numbered from 1 under each `###` phase heading.
    StepsPerPhase,
    /// Every step numbered `1.` (an ordered list that renders 1, 2, 3 …).
    StepsAllOne,
    // --- tokens and headers (findings 6, 8) ---
    /// The DPoP proof's step printed after the trade request, inside the
    /// trade step (request first, then the proof it carried).
    ProofAfterTrade,
    /// The `dpop:` header folded at 76 columns (RFC 9112 §5.2 obs-fold:
    /// continuation lines start with a space).
    DpopHeaderFolded,
    /// The `dpop:` header wrapped at 76 columns without indentation.
    DpopHeaderWrapped,
    /// The `dpop:` header cut after 70 characters.
    DpopHeaderCut,
    /// Every `location:` header folded (its value on the next line, after
    /// two spaces).
    LocationFolded,
    /// Every `replay-nonce:` header folded.
    ReplayNonceFolded,
    // --- bodies (finding 7) ---
    /// Every JSON object body after a response written as a JSON string of
    /// its compact JSON (`"{\"status\":\"valid\",…}"`).
    AnswersEscapedJson,
    // --- decoded views (finding 10) ---
    /// The `Decoded:` label written `<b>Decoded</b>`.
    DecodedLabelHtml,
    /// The `Decoded:` label written as a `###### Decoded` sub-heading.
    DecodedLabelHeading,
    /// The header view labelled `Header:` and the claims view `Payload:`,
    /// as jwt.io labels them.
    DecodedHeaderPayload,
    // --- line endings (finding 11) ---
    /// The certificate chain's step written with lone CR line endings.
    ChainStepCrOnly,
    // --- HTML comments (finding 12) ---
    /// An HTML comment before the finalize step holding a response block
    /// that issues `bmV2ZXItaXNzdWVkLWJ5LWFjbWU` (the nonce
    /// `Fault::NonceUnissued` uses).
    CommentedAnswer,
    // --- steps out of order (finding 13) ---
    /// wire-server's nonce answer printed before the request that fetched
    /// it (the two steps swapped, headings and all).
    NonceAnswerFirst,
    // --- tokens in prose (finding 14) ---
    /// 2023-01's jwt.io token links written as inline code
    /// (`` Token: `eyJ…` ``).
    TokensInlineCode,
    /// jwt.io token links pointing at jwt.ms (`#access_token=`).
    TokensJwtMs,
    // --- exchanges in one block (finding 15) ---
    /// The new-order request, its JWS body, a blank line, its answer's
    /// status line (`HTTP/1.1 201`), headers and body in one `http` block
    /// (a raw dump of the exchange); the decoded view and the answer's step
    /// heading stay.
    NewOrderExchangeBlock,
    // --- layouts that must keep every verdict ---
    /// Lines outside fences end with CRLF, lines inside with LF.
    CrlfOutsideFences,
    /// Every line ends with `\r\r\n` (CRLF converted twice).
    CrDoubled,
    /// Fence lines indented by a tab.
    FencesTabIndented,
    /// HTTP header lines with a tab after the colon (RFC 9110 §5.6.3 OWS).
    HeaderTab,
    /// Step headings as setext headings (`N. title` over `---`).
    StepsSetext,
    /// Step headings as `<details><summary>N. title</summary>` HTML.
    StepsInDetails,
    /// Steps numbered with letters (`4`, `4a`, `5`, `5a` …).
    StepsLettered,
    /// Steps numbered 2, 4, 6 … (numbers skipped).
    StepsSkipped,
    /// Step titles in other words (`Step N` only).
    StepsRetitled,
    /// Openssl's `subject=` / `issuer=` lines before each PEM block of the
    /// chain body (a PEM string in JSON).
    ChainTextBetween,
    /// jwt.io links with a query string before the fragment and extra
    /// fragment parameters after the token.
    JwtIoExtraParams,
    /// `Raw:` blocks with one line per JWS segment.
    RawPerSegment,
    /// A second, unrelated JSON body member `dpop` after the trade request
    /// holding another proof (the header is what wire-server reads).
    TradeBodyOtherProof,
    // --- layouts that fail closed (judged right) ---
    /// A `//` comment line in every ACME request body (not what was sent).
    JsonComments,
    /// The access token's decoded view without its `proof` member.
    TokenViewOmitsProof,
    /// Line endings as a lone CR (classic Mac OS; CommonMark reads it as a
    /// line ending).
    CrOnly,
}

impl Layout {
    /// The layouts of findings (each pinned in its test; the findings are
    /// numbered in `scratch/eras8b-findings/README.md`).
    pub const FINDINGS: [Layout; 26] = [
        Layout::HttpFencesText,
        Layout::HttpFencesConsole,
        Layout::NewOrderRequestText,
        Layout::BlocksIndented,
        Layout::BlocksQuoted,
        Layout::NewOrderIndented,
        Layout::SuiteLineBeforeFinalizeAnswer,
        Layout::SuiteLineBeforeOrderAnswer,
        Layout::StepsPerPhase,
        Layout::StepsAllOne,
        Layout::ProofAfterTrade,
        Layout::DpopHeaderFolded,
        Layout::DpopHeaderWrapped,
        Layout::DpopHeaderCut,
        Layout::LocationFolded,
        Layout::ReplayNonceFolded,
        Layout::AnswersEscapedJson,
        Layout::DecodedLabelHtml,
        Layout::DecodedLabelHeading,
        Layout::DecodedHeaderPayload,
        Layout::ChainStepCrOnly,
        Layout::CommentedAnswer,
        Layout::NonceAnswerFirst,
        Layout::TokensInlineCode,
        Layout::TokensJwtMs,
        Layout::NewOrderExchangeBlock,
    ];

    /// The layouts that must keep every verdict.
    pub const SAME: [Layout; 13] = [
        Layout::CrlfOutsideFences,
        Layout::CrDoubled,
        Layout::FencesTabIndented,
        Layout::HeaderTab,
        Layout::StepsSetext,
        Layout::StepsInDetails,
        Layout::StepsLettered,
        Layout::StepsSkipped,
        Layout::StepsRetitled,
        Layout::ChainTextBetween,
        Layout::JwtIoExtraParams,
        Layout::RawPerSegment,
        Layout::TradeBodyOtherProof,
    ];

    /// Whether `era`'s layout has what the rewrite changes.
    pub fn applies_to(self, era: Era) -> bool {
        match self {
            Layout::ProofAfterTrade
            | Layout::DpopHeaderFolded
            | Layout::DpopHeaderWrapped
            | Layout::DpopHeaderCut
            | Layout::TradeBodyOtherProof => era.has_dpop_header(),
            Layout::JwtIoExtraParams | Layout::TokensJwtMs => !matches!(era, Era::Y2026_01),
            Layout::TokensInlineCode => era == Era::Y2023_01,
            Layout::RawPerSegment => era.has_token_views(),
            Layout::TokenViewOmitsProof
            | Layout::DecodedLabelHtml
            | Layout::DecodedLabelHeading
            | Layout::DecodedHeaderPayload => era.has_token_views(),
            Layout::ChainTextBetween => era != Era::Y2023_01,
            _ => true,
        }
    }

    /// The transcript `text` of `era` written this way.
    pub fn apply(self, era: Era, text: &str) -> String {
        let _ = era;
        match self {
            Layout::HttpFencesText => relabel(text, "http request", "text"),
            Layout::HttpFencesConsole => relabel(text, "http request", "console"),
            Layout::NewOrderRequestText => in_step(text, "create a new order", |s| {
                relabel(s, "http request", "text")
            }),
            Layout::BlocksIndented => indented(text),
            Layout::BlocksQuoted => quoted(text),
            Layout::NewOrderIndented => in_step(text, "create a new order", indented),
            Layout::SuiteLineBeforeFinalizeAnswer => {
                let line = suite_line(text).unwrap_or_default().to_owned();
                before_step(text, "get back a url for fetching the certificate", &line)
            }
            Layout::SuiteLineBeforeOrderAnswer => {
                let line = suite_line(text).unwrap_or_default().to_owned();
                before_step(text, "get new order with authorization", &line)
            }
            Layout::StepsPerPhase => steps_per_phase(text),
            Layout::StepsAllOne => renumber(text, |_, _| "1".into()),
            Layout::ProofAfterTrade => proof_after_trade(text),
            Layout::DpopHeaderFolded => header_value(text, "dpop", |v| fold(v, 76, "\n ")),
            Layout::DpopHeaderWrapped => header_value(text, "dpop", |v| fold(v, 76, "\n")),
            Layout::DpopHeaderCut => header_value(text, "dpop", |v| v.chars().take(70).collect()),
            Layout::LocationFolded => header_value(text, "location", |v| format!("\n  {v}")),
            Layout::ReplayNonceFolded => header_value(text, "replay-nonce", |v| format!("\n  {v}")),
            Layout::AnswersEscapedJson => answers_escaped(text),
            Layout::DecodedLabelHtml => text.replace("\nDecoded:\n", "\n<b>Decoded</b>\n"),
            Layout::DecodedLabelHeading => text.replace("\nDecoded:\n", "\n###### Decoded\n"),
            Layout::DecodedHeaderPayload => header_payload_labels(text),
            Layout::CrlfOutsideFences => map_lines(text, |l, inside| {
                if inside {
                    l.to_owned()
                } else {
                    format!("{l}\r")
                }
            }),
            Layout::CrDoubled => text.replace('\n', "\r\r\n"),
            Layout::FencesTabIndented => map_lines(text, |l, _| {
                if l.starts_with("```") {
                    format!("\t{l}")
                } else {
                    l.to_owned()
                }
            }),
            Layout::HeaderTab => map_lines(text, |l, inside| match l.split_once(": ") {
                Some((name, value))
                    if inside
                        && !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') =>
                {
                    format!("{name}:\t{value}")
                }
                _ => l.to_owned(),
            }),
            Layout::StepsSetext => headings(text, |n, t| format!("{n}. {t}\n{}", "-".repeat(20))),
            Layout::StepsInDetails => steps_in_details(text),
            Layout::StepsLettered => renumber(text, |n, _| {
                let k = n.div_ceil(2);
                if n % 2 == 1 {
                    k.to_string()
                } else {
                    format!("{k}a")
                }
            }),
            Layout::StepsSkipped => renumber(text, |n, _| (2 * n).to_string()),
            Layout::StepsRetitled => headings(text, |n, _| format!("#### {n}. Step {n}")),
            Layout::ChainTextBetween => chain_text_between(text),
            Layout::JwtIoExtraParams => jwt_io_extra(text),
            Layout::RawPerSegment => raw_per_segment(text),
            Layout::TradeBodyOtherProof => trade_body_other_proof(text),
            Layout::JsonComments => json_comments(text),
            Layout::TokenViewOmitsProof => token_view_omits_proof(text),
            Layout::CrOnly => text.replace('\n', "\r"),
            Layout::TokensInlineCode => inline_code_tokens(text),
            Layout::TokensJwtMs => text.replace(
                "https://jwt.io/#id_token=",
                "https://jwt.ms/#access_token=",
            ),
            Layout::NewOrderExchangeBlock => exchange_block(text, "create a new order"),
            Layout::NonceAnswerFirst => swap_with_next(text, "fetch a nonce from wire-server"),
            Layout::CommentedAnswer => before_step(
                text,
                "create a CSR and call finalize url",
                "<!--\n```http request\n200\ncache-control: no-store\nreplay-nonce: bmV2ZXItaXNzdWVkLWJ5LWFjbWU\n```\n-->",
            ),
            Layout::ChainStepCrOnly => in_step(text, "get the certificate chain", |s| {
                let body = s.trim_end_matches('\n');
                format!("{}{}", body.replace('\n', "\r"), &s[body.len()..])
            }),
        }
    }
}

/// The suite line of a minted transcript (`P256 - SHA256`).
pub fn suite_line(text: &str) -> Option<&str> {
    text.lines().find(|l| {
        ["Ed25519 - ", "P256 - ", "P384 - ", "P521 - "]
            .iter()
            .any(|p| l.starts_with(p))
            && l.contains("SHA")
    })
}

/// `text` with its suite line written `line`.
pub fn with_suite_line(text: &str, line: &str) -> String {
    match suite_line(text) {
        Some(old) => text.replacen(&format!("\n{old}\n"), &format!("\n{line}\n"), 1),
        None => text.to_owned(),
    }
}

/// One capture of several sections, as 2023-01 printed its three suites:
/// the first transcript whole, each further one without its title line.
pub fn sections(texts: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in texts.iter().enumerate() {
        let body = if i == 0 {
            t.as_str()
        } else {
            t.split_once('\n').map_or("", |(_, rest)| rest)
        };
        if i > 0 {
            out.push('\n');
        }
        out.push_str(body.trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

/// A line of the transcript and whether it is inside a fenced block (the
/// fence lines themselves are outside).
fn lines(text: &str) -> Vec<(&str, bool)> {
    let mut inside = false;
    text.split('\n')
        .map(|line| {
            if line.starts_with("```") {
                inside = !inside;
                (line, false)
            } else {
                (line, inside)
            }
        })
        .collect()
}

/// `text` with each line rewritten by `f(line, inside a fence)`.
fn map_lines(text: &str, mut f: impl FnMut(&str, bool) -> String) -> String {
    lines(text)
        .into_iter()
        .map(|(l, inside)| f(l, inside))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Opening fences labelled `from` relabelled `to`.
fn relabel(text: &str, from: &str, to: &str) -> String {
    let (old, new) = (format!("```{from}"), format!("```{to}"));
    text.split('\n')
        .map(|l| if l == old { new.as_str() } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every fenced block as an indented code block: the fences become blank
/// lines, the content is indented by four spaces.
fn indented(text: &str) -> String {
    map_lines(text, |l, inside| {
        if l.starts_with("```") {
            String::new()
        } else if inside {
            format!("    {l}")
        } else {
            l.to_owned()
        }
    })
}

/// Every fenced block, fences included, quoted.
fn quoted(text: &str) -> String {
    map_lines(text, |l, inside| {
        if inside || l.starts_with("```") {
            format!("> {l}")
        } else {
            l.to_owned()
        }
    })
}

/// A step heading (`#### 12. title`): its number and title.
fn step_heading(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix("#### ")?;
    let (n, title) = rest.split_once(". ")?;
    Some((n.parse().ok()?, title))
}

/// The byte spans of the steps (heading to the next heading or a `###`
/// phase heading), with their titles.
fn step_spans(text: &str) -> Vec<(usize, usize, &str)> {
    let mut heads = Vec::new();
    let mut at = 0;
    for (line, inside) in lines(text) {
        let phase = line.starts_with("### ");
        if !inside {
            if let Some((_, title)) = step_heading(line) {
                heads.push((at, Some(title)));
            } else if phase {
                heads.push((at, None));
            }
        }
        at += line.len() + 1;
    }
    let end = text.len();
    heads
        .iter()
        .enumerate()
        .filter_map(|(i, (start, title))| {
            let stop = heads.get(i + 1).map_or(end, |(s, _)| *s);
            title.map(|t| (*start, stop, t))
        })
        .collect()
}

/// The step whose title starts with `title`, rewritten by `f`.
fn in_step(text: &str, title: &str, f: impl Fn(&str) -> String) -> String {
    match step_spans(text)
        .into_iter()
        .find(|(_, _, t)| t.starts_with(title))
    {
        Some((s, e, _)) => format!("{}{}{}", &text[..s], f(&text[s..e]), &text[e..]),
        None => text.to_owned(),
    }
}

/// `line` (and a blank line) inserted before the step whose title starts
/// with `title`.
fn before_step(text: &str, title: &str, line: &str) -> String {
    match step_spans(text)
        .into_iter()
        .find(|(_, _, t)| t.starts_with(title))
    {
        Some((s, _, _)) => format!("{}{line}\n\n{}", &text[..s], &text[s..]),
        None => text.to_owned(),
    }
}

/// Step headings rewritten by `f(number, title)` (outside fences).
fn headings(text: &str, f: impl Fn(u32, &str) -> String) -> String {
    map_lines(text, |l, inside| match step_heading(l) {
        Some((n, title)) if !inside => f(n, title),
        _ => l.to_owned(),
    })
}

/// Step numbers rewritten by `f(number, phase)`.
fn renumber(text: &str, f: impl Fn(u32, u32) -> String) -> String {
    let mut phase = 0;
    map_lines(text, |l, inside| {
        if !inside && l.starts_with("### ") {
            phase += 1;
        }
        match step_heading(l) {
            Some((n, title)) if !inside => format!("#### {}. {title}", f(n, phase)),
            _ => l.to_owned(),
        }
    })
}

/// Steps numbered from 1 in each phase.
fn steps_per_phase(text: &str) -> String {
    let mut k = 0;
    map_lines(text, |l, inside| {
        if !inside && l.starts_with("### ") {
            k = 0;
        }
        match step_heading(l) {
            Some((_, title)) if !inside => {
                k += 1;
                format!("#### {k}. {title}")
            }
            _ => l.to_owned(),
        }
    })
}

/// Each step heading as the summary of a `<details>` element closed before
/// the next one.
fn steps_in_details(text: &str) -> String {
    let mut open = false;
    let mut out = map_lines(text, |l, inside| match step_heading(l) {
        Some((n, title)) if !inside => {
            let close = if open { "</details>\n\n" } else { "" };
            open = true;
            format!("{close}<details><summary>{n}. {title}</summary>\n")
        }
        _ => l.to_owned(),
    });
    if open {
        out.push_str("\n</details>\n");
    }
    out
}

/// `value` cut every `width` characters, joined by `sep`.
fn fold(value: &str, width: usize, sep: &str) -> String {
    value
        .as_bytes()
        .chunks(width)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The value of every `name:` header line inside fences rewritten by `f`.
fn header_value(text: &str, name: &str, f: impl Fn(&str) -> String) -> String {
    let prefix = format!("{name}: ");
    map_lines(text, |l, inside| match l.strip_prefix(prefix.as_str()) {
        Some(v) if inside => {
            let new = f(v);
            if new.starts_with('\n') {
                format!("{name}:{new}")
            } else {
                format!("{prefix}{new}")
            }
        }
        _ => l.to_owned(),
    })
}

/// The DPoP proof's step moved after the trade request, inside the trade
/// step: the trade step's content, then the proof step's content without
/// its heading.
fn proof_after_trade(text: &str) -> String {
    let spans = step_spans(text);
    let proof = spans.iter().position(|(_, _, t)| {
        t.starts_with("create client DPoP token") || t.starts_with("create the client Dpop token")
    });
    let Some(i) = proof else {
        return text.to_owned();
    };
    let (Some(&(ps, pe, _)), Some(&(ts, te, _))) = (spans.get(i), spans.get(i + 1)) else {
        return text.to_owned();
    };
    if pe != ts {
        return text.to_owned();
    }
    let proof_body = text[ps..pe].split_once('\n').map_or("", |(_, b)| b);
    format!(
        "{}{}\n{}{}",
        &text[..ps],
        text[ts..te].trim_end_matches('\n'),
        proof_body,
        &text[te..]
    )
}

/// A fenced block: the byte offsets of its opening fence line, its content
/// and its closing fence line's end.
fn blocks(text: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut open: Option<(usize, usize)> = None;
    for line in text.split('\n') {
        let next = at + line.len() + 1;
        if line.starts_with("```") {
            match open.take() {
                None => open = Some((at, next)),
                Some((o, c)) => out.push((o, c, at, (at + line.len()).min(text.len()))),
            }
        }
        at = next;
    }
    out
}

/// JSON object bodies right after a response block written as a JSON
/// string of their compact JSON.
fn answers_escaped(text: &str) -> String {
    let bs = blocks(text);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for w in bs.windows(2) {
        let (ro, rc, rend_open, _) = w[0];
        let (jo, jc, jend, jclose) = w[1];
        let response = text[ro..rc].starts_with("```http request")
            && text[rc..rend_open]
                .lines()
                .next()
                .is_some_and(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()));
        let json = text[jo..jc].starts_with("```json");
        let between = &text[w[0].3..jo];
        if !(response && json && between.trim().is_empty()) {
            continue;
        }
        let body = &text[jc..jend.saturating_sub(1).max(jc)];
        let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
            continue;
        };
        if !value.is_object() {
            continue;
        }
        let compact = serde_json::to_string(&value).unwrap_or_default();
        let string = serde_json::to_string(&compact).unwrap_or_default();
        out.push_str(&text[last..jc]);
        out.push_str(&string);
        out.push('\n');
        last = jend;
        let _ = jclose;
    }
    out.push_str(&text[last..]);
    out
}

/// The chain body (a PEM string in a JSON block) with openssl's subject and
/// issuer lines before each certificate.
fn chain_text_between(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, c, end, _) in blocks(text) {
        let body = &text[c..end.saturating_sub(1).max(c)];
        if !body.starts_with("\"-----BEGIN CERTIFICATE-----") {
            continue;
        }
        let Ok(pem) = serde_json::from_str::<String>(body) else {
            continue;
        };
        let labelled = pem.replace(
            "-----BEGIN CERTIFICATE-----",
            "subject=O=wire.example.com, CN=Alice Smith\nissuer=O=wire, CN=wire Intermediate CA\n-----BEGIN CERTIFICATE-----",
        );
        out.push_str(&text[last..c]);
        out.push_str(&serde_json::to_string(&labelled).unwrap_or_default());
        out.push('\n');
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// jwt.io links with a query string and extra fragment parameters.
fn jwt_io_extra(text: &str) -> String {
    const LINK: &str = "https://jwt.io/#id_token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(LINK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + LINK.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(after.len());
        out.push_str("https://jwt.io/?utm_source=wire#id_token=");
        out.push_str(&after[..end]);
        out.push_str("&publicKey=");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `Raw:` blocks (after optional blank lines) with one line per segment.
fn raw_per_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (o, c, end, _) in blocks(text) {
        if !text[..o].trim_end().ends_with("Raw:") {
            continue;
        }
        let token: String = text[c..end].split_whitespace().collect();
        out.push_str(&text[last..c]);
        out.push_str(&token.split('.').collect::<Vec<_>>().join(".\n"));
        out.push('\n');
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// A JSON body after the trade request naming another proof (the proof
/// with its signature's last character changed).
fn trade_body_other_proof(text: &str) -> String {
    in_step(text, "trade client DPoP token", |step| {
        let Some(at) = step.find("\n```\n") else {
            return step.to_owned();
        };
        let fake = "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRwb3Arand0In0.eyJodG0iOiJQT1NUIn0.c2ln";
        format!(
            "{}\n```\n\n```json\n{{\n  \"dpop\": \"{fake}\"\n}}\n```\n{}",
            &step[..at],
            &step[at + "\n```\n".len()..]
        )
    })
}

/// A `//` comment line before the `"protected"` member of every flattened
/// JWS body.
fn json_comments(text: &str) -> String {
    text.replace(
        "\n  \"protected\": \"",
        "\n  // the protected header, base64url\n  \"protected\": \"",
    )
}

/// The access token's decoded view (the JSON block holding `"cnf"` after a
/// `Decoded:` label) without its `proof` member.
fn token_view_omits_proof(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut done = false;
    for (_, c, end, _) in blocks(text) {
        let body = &text[c..end.saturating_sub(1).max(c)];
        if done || !body.contains("\"cnf\"") || !body.contains("\"proof\"") {
            continue;
        }
        let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str(body) else {
            continue;
        };
        if m.contains_key("payload") {
            continue;
        }
        m.remove("proof");
        out.push_str(&text[last..c]);
        out.push_str(&serde_json::to_string_pretty(&m).unwrap_or_default());
        out.push('\n');
        last = end;
        done = true;
    }
    out.push_str(&text[last..]);
    out
}

/// Each `Decoded:` label followed by two JSON blocks relabelled: `Header:`
/// before the first, `Payload:` before the second.
fn header_payload_labels(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\nDecoded:\n") {
        out.push_str(&rest[..at]);
        out.push_str("\nHeader:\n");
        let after = &rest[at + "\nDecoded:\n".len()..];
        // The end of the first JSON block after the label.
        let first = after
            .find("```json\n")
            .and_then(|o| after[o + 8..].find("\n```\n").map(|e| o + 8 + e + 5));
        match first {
            Some(end) => {
                out.push_str(&after[..end]);
                let tail = &after[end..];
                let gap = tail.len() - tail.trim_start_matches('\n').len();
                if tail[gap..].starts_with("```json\n") {
                    out.push_str(&tail[..gap]);
                    out.push_str("Payload:\n\n");
                    rest = &tail[gap..];
                } else {
                    rest = tail;
                }
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// The step whose title starts with `title` and the step after it swapped.
fn swap_with_next(text: &str, title: &str) -> String {
    let spans = step_spans(text);
    let Some(i) = spans.iter().position(|(_, _, t)| t.starts_with(title)) else {
        return text.to_owned();
    };
    match (spans.get(i), spans.get(i + 1)) {
        (Some(&(a, b, _)), Some(&(c, d, _))) if b == c => {
            format!("{}{}{}{}", &text[..a], &text[c..d], &text[a..b], &text[d..])
        }
        _ => text.to_owned(),
    }
}

/// 2023-01's `Token [here](https://jwt.io/#id_token=…)` lines written as
/// `` Token: `…` ``.
fn inline_code_tokens(text: &str) -> String {
    const LINK: &str = "Token [here](https://jwt.io/#id_token=";
    map_lines(text, |l, inside| match l.strip_prefix(LINK) {
        Some(rest) if !inside => format!("Token: `{}`", rest.trim_end_matches(')')),
        _ => l.to_owned(),
    })
}

/// The request of the step titled `title`, its JWS body and its answer
/// (the next step's response block and body) written as one `http` block;
/// the request's decoded view and the answer's heading follow it.
fn exchange_block(text: &str, title: &str) -> String {
    let spans = step_spans(text);
    let Some(i) = spans.iter().position(|(_, _, t)| t.starts_with(title)) else {
        return text.to_owned();
    };
    let (Some(&(rs, re, _)), Some(&(as_, ae, _))) = (spans.get(i), spans.get(i + 1)) else {
        return text.to_owned();
    };
    let content =
        |o: usize, c: usize, end: usize| (&text[o..c], &text[c..end.saturating_sub(1).max(c)]);
    let req: Vec<_> = blocks(text)
        .into_iter()
        .filter(|b| b.0 >= rs && b.3 <= re)
        .collect();
    let ans: Vec<_> = blocks(text)
        .into_iter()
        .filter(|b| b.0 >= as_ && b.3 <= ae)
        .collect();
    let (Some(r), Some(b), Some(a), Some(ab)) = (req.first(), req.get(1), ans.first(), ans.get(1))
    else {
        return text.to_owned();
    };
    let (_, request) = content(r.0, r.1, r.2);
    let (_, body) = content(b.0, b.1, b.2);
    let (_, answer) = content(a.0, a.1, a.2);
    let (_, answer_body) = content(ab.0, ab.1, ab.2);
    let heading = text[rs..re].lines().next().unwrap_or_default();
    let answer_heading = text[as_..ae].lines().next().unwrap_or_default();
    let view = req
        .get(2)
        .map(|v| format!("{}\n", &text[v.0..v.3]))
        .unwrap_or_default();
    let exchange = format!(
        "{heading}\n\n```http\n{request}\n\n{body}\n\nHTTP/1.1 {answer}\n\n{answer_body}\n```\n\n{view}\n{answer_heading}\n\n"
    );
    format!("{}{exchange}{}", &text[..rs], &text[ae..])
}
