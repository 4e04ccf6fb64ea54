//! Format variants of a capture transcript: what another generator of the
//! same Markdown layout may write differently without changing what it
//! captured. Each variant is a small function over the transcript text (the
//! layouts in `eras` are left alone); an auditor must judge a variant exactly
//! as the canonical text.

use serde_json::Value;

/// One way of writing the same capture.
#[derive(Clone, Copy)]
pub struct Variant {
    /// A short name for messages.
    pub name: &'static str,
    /// The rewrite.
    pub apply: fn(&str) -> String,
}

/// Every variant, in the order the era variant test runs them.
pub const ALL: [Variant; 49] = [
    Variant {
        name: "crlf",
        apply: crlf,
    },
    Variant {
        name: "trailing-ws-outside-fences",
        apply: trailing_ws_outside,
    },
    Variant {
        name: "trailing-ws-inside-fences",
        apply: trailing_ws_inside,
    },
    Variant {
        name: "extra-blank-lines",
        apply: extra_blank_lines,
    },
    Variant {
        name: "fence-http",
        apply: fence_http,
    },
    Variant {
        name: "fence-no-language",
        apply: fence_no_language,
    },
    Variant {
        name: "fence-tilde",
        apply: fence_tilde,
    },
    Variant {
        name: "fence-four-backticks",
        apply: fence_four_backticks,
    },
    Variant {
        name: "heading-h3",
        apply: heading_h3,
    },
    Variant {
        name: "heading-h5",
        apply: heading_h5,
    },
    Variant {
        name: "steps-renumbered",
        apply: steps_renumbered,
    },
    Variant {
        name: "steps-unnumbered",
        apply: steps_unnumbered,
    },
    Variant {
        name: "header-names-title-case",
        apply: header_title_case,
    },
    Variant {
        name: "header-names-upper-case",
        apply: header_upper_case,
    },
    Variant {
        name: "header-no-space",
        apply: header_no_space,
    },
    Variant {
        name: "fence-info-upper-case",
        apply: fence_info_upper,
    },
    Variant {
        name: "json-compact",
        apply: json_compact,
    },
    Variant {
        name: "json-keys-reversed",
        apply: json_keys_reversed,
    },
    Variant {
        name: "tokens-jwt-io-only",
        apply: jwt_io_only,
    },
    Variant {
        name: "tokens-raw-only",
        apply: raw_only,
    },
    Variant {
        name: "tokens-jwt-io-and-raw",
        apply: jwt_io_and_raw,
    },
    Variant {
        name: "raw-wrapped-76",
        apply: raw_wrapped_76,
    },
    Variant {
        name: "raw-unwrapped",
        apply: raw_unwrapped,
    },
    Variant {
        name: "decoded-views-absent",
        apply: decoded_absent,
    },
    Variant {
        name: "mermaid-between-steps",
        apply: mermaid_between_steps,
    },
    Variant {
        name: "html-between-steps",
        apply: html_between_steps,
    },
    Variant {
        name: "prose-with-urls-between-steps",
        apply: prose_between_steps,
    },
    Variant {
        name: "trailing-truncated-block",
        apply: truncated_block,
    },
    Variant {
        name: "unicode-prose",
        apply: unicode_prose,
    },
    Variant {
        name: "bom",
        apply: bom,
    },
    Variant {
        name: "status-line-http11",
        apply: status_line,
    },
    Variant {
        name: "request-line-http11",
        apply: request_line,
    },
    Variant {
        name: "origin-form-host",
        apply: origin_form,
    },
    Variant {
        name: "json-tab-indent",
        apply: json_tabs,
    },
    Variant {
        name: "fences-indented",
        apply: fences_indented,
    },
    Variant {
        name: "details-open",
        apply: details_open,
    },
    Variant {
        name: "steps-named-step-n",
        apply: steps_named,
    },
    Variant {
        name: "blank-line-after-fence",
        apply: blank_after_fence,
    },
    Variant {
        name: "jwt-in-prose",
        apply: jwt_in_prose,
    },
    Variant {
        name: "json-escaped-slashes",
        apply: json_escaped_slashes,
    },
    Variant {
        name: "url-templates-absent",
        apply: url_templates_absent,
    },
    Variant {
        name: "nonce-text-blocks-absent",
        apply: nonce_text_absent,
    },
    Variant {
        name: "header-double-space",
        apply: header_double_space,
    },
    Variant {
        name: "heading-closing-hashes",
        apply: heading_closing_hashes,
    },
    Variant {
        name: "jwt-io-debugger-link",
        apply: jwt_io_debugger,
    },
    Variant {
        name: "jwt-io-token-link",
        apply: jwt_io_token,
    },
    Variant {
        name: "body-inside-http-block",
        apply: body_inside_http_block,
    },
    Variant {
        name: "raw-label-bold",
        apply: raw_label_bold,
    },
    Variant {
        name: "decoded-label-bold",
        apply: decoded_label_bold,
    },
];

fn bom(text: &str) -> String {
    format!("\u{feff}{text}")
}

/// `200` status lines written `HTTP/1.1 200 OK`.
fn status_line(text: &str) -> String {
    map_lines(text, |l, inside| {
        let reason = match l {
            "200" => "OK",
            "201" => "Created",
            _ => return l.to_owned(),
        };
        if inside {
            format!("HTTP/1.1 {l} {reason}")
        } else {
            l.to_owned()
        }
    })
}

/// Request lines with ` HTTP/1.1` after the URL.
fn request_line(text: &str) -> String {
    map_lines(text, |l, inside| {
        let method = ["GET ", "POST ", "HEAD "].iter().any(|m| l.starts_with(m));
        if inside && method && l.matches(' ').count() == 1 {
            format!("{l} HTTP/1.1")
        } else {
            l.to_owned()
        }
    })
}

/// Request lines to `https` URLs written as raw dumps print them: the path
/// with ` HTTP/1.1`, then a `host:` header (RFC 9112 §3.2.1).
fn origin_form(text: &str) -> String {
    map_lines(text, |l, inside| {
        let split = l
            .split_once(" https://")
            .filter(|(m, _)| inside && ["GET", "POST", "HEAD"].contains(m))
            .and_then(|(m, rest)| rest.find('/').map(|at| (m, &rest[..at], &rest[at..])));
        match split {
            Some((method, host, path)) if !path.contains(' ') => {
                format!("{method} {path} HTTP/1.1\nhost: {host}")
            }
            _ => l.to_owned(),
        }
    })
}

fn json_tabs(text: &str) -> String {
    json_blocks(text, |v| {
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let n = l.len() - l.trim_start_matches(' ').len();
                "\t".repeat(n / 2) + l.trim_start_matches(' ')
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Fence lines indented by two spaces (CommonMark strips up to three from
/// the block's lines too).
fn fences_indented(text: &str) -> String {
    map_lines(text, |l, _| {
        if l.starts_with("```") {
            format!("  {l}")
        } else {
            l.to_owned()
        }
    })
}

fn details_open(text: &str) -> String {
    text.replace("<details>", "<details open>")
}

fn steps_named(text: &str) -> String {
    headings(text, |n, t| format!("#### Step {n}: {t}"))
}

fn blank_after_fence(text: &str) -> String {
    let mut open = false;
    let mut out = String::with_capacity(text.len());
    for (l, _) in lines(text) {
        out.push_str(l);
        out.push('\n');
        if l.starts_with("```") {
            open = !open;
            if open && !l.starts_with("```json") && !l.starts_with("```text") {
                out.push('\n');
            }
        }
    }
    out
}

/// An unrelated HS256 JWT quoted in prose between the steps.
fn jwt_in_prose(text: &str) -> String {
    between_steps(
        text,
        "For comparison, jwt.io's sample token is \
         eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n",
    )
}

/// The variant named `name`.
pub fn by_name(name: &str) -> Option<Variant> {
    ALL.into_iter().find(|v| v.name == name)
}

/// A line of the transcript and whether it is inside a fenced block (the
/// fence lines themselves are outside).
fn lines(text: &str) -> Vec<(&str, bool)> {
    let mut inside = false;
    text.split_inclusive('\n')
        .map(|l| {
            let line = l.trim_end_matches('\n');
            let fence = line.starts_with("```");
            if fence {
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
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (line, inside) in lines(text) {
        out.push_str(&f(line, inside));
        out.push('\n');
    }
    out
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn trailing_ws_outside(text: &str) -> String {
    map_lines(text, |l, inside| {
        if inside {
            l.to_owned()
        } else {
            format!("{l}  \t")
        }
    })
}

fn trailing_ws_inside(text: &str) -> String {
    map_lines(text, |l, inside| {
        if inside {
            format!("{l} \t ")
        } else {
            l.to_owned()
        }
    })
}

fn extra_blank_lines(text: &str) -> String {
    map_lines(text, |l, inside| {
        if inside {
            l.to_owned()
        } else {
            format!("{l}\n")
        }
    })
}

/// Each opening fence's info string replaced by `info(old)`.
fn openers(text: &str, info: impl Fn(&str) -> String) -> String {
    let mut open = false;
    let mut out = String::with_capacity(text.len());
    for (l, _) in lines(text) {
        match l.strip_prefix("```") {
            Some(rest) if !open => {
                open = true;
                out.push_str("```");
                out.push_str(&info(rest));
            }
            Some(_) => {
                open = false;
                out.push_str(l);
            }
            None => out.push_str(l),
        }
        out.push('\n');
    }
    out
}

fn fence_http(text: &str) -> String {
    openers(text, |info| {
        if info == "http request" {
            "http".to_owned()
        } else {
            info.to_owned()
        }
    })
}

fn fence_no_language(text: &str) -> String {
    openers(text, |_| String::new())
}

fn fence_tilde(text: &str) -> String {
    map_lines(text, |l, _| match l.strip_prefix("```") {
        Some(rest) => format!("~~~{rest}"),
        None => l.to_owned(),
    })
}

fn fence_four_backticks(text: &str) -> String {
    map_lines(text, |l, _| match l.strip_prefix("```") {
        Some(rest) => format!("````{rest}"),
        None => l.to_owned(),
    })
}

/// A step heading (`#### 12. title`): its number and title.
fn step_heading(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix("#### ")?;
    let (n, title) = rest.split_once(". ")?;
    Some((n.parse().ok()?, title))
}

fn headings(text: &str, f: impl Fn(u32, &str) -> String) -> String {
    map_lines(text, |l, inside| match step_heading(l) {
        Some((n, title)) if !inside => f(n, title),
        _ => l.to_owned(),
    })
}

fn heading_h3(text: &str) -> String {
    headings(text, |n, t| format!("### {n}. {t}"))
}

fn heading_h5(text: &str) -> String {
    headings(text, |n, t| format!("##### {n}. {t}"))
}

fn steps_renumbered(text: &str) -> String {
    headings(text, |n, t| format!("#### {}. {t}", n * 10 + 100))
}

fn steps_unnumbered(text: &str) -> String {
    headings(text, |_, t| format!("#### {t}"))
}

/// Lines of `http` blocks that are headers (`name: value`, the name in lower
/// case), with the name rewritten.
fn header_names(text: &str, f: fn(&str) -> String) -> String {
    map_lines(text, |l, inside| {
        if l.starts_with("```") {
            return l.to_owned();
        }
        if !inside {
            return l.to_owned();
        }
        match l.split_once(": ") {
            Some((name, value))
                if !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') =>
            {
                format!("{}: {value}", f(name))
            }
            _ => l.to_owned(),
        }
    })
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn header_title_case(text: &str) -> String {
    header_names(text, title_case)
}

fn header_no_space(text: &str) -> String {
    map_lines(text, |l, inside| match l.split_once(": ") {
        Some((name, value))
            if inside
                && !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') =>
        {
            format!("{name}:{value}")
        }
        _ => l.to_owned(),
    })
}

fn fence_info_upper(text: &str) -> String {
    openers(text, |info| info.to_ascii_uppercase())
}

fn header_upper_case(text: &str) -> String {
    header_names(text, |n| n.to_ascii_uppercase())
}

/// Each fenced block whose body parses as JSON (an object or array), written
/// by `write`.
fn json_blocks(text: &str, write: fn(&Value) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let Some(eol) = from.find('\n') else {
            out.push_str(from);
            return out;
        };
        let opener = &from[..=eol];
        let body_from = &from[eol + 1..];
        let Some(end) = body_from.find("\n```") else {
            out.push_str(from);
            return out;
        };
        let body = &body_from[..end];
        out.push_str(opener);
        let trimmed = body.trim_start();
        match serde_json::from_str::<Value>(body) {
            Ok(v) if trimmed.starts_with('{') || trimmed.starts_with('[') => {
                out.push_str(&write(&v))
            }
            _ => out.push_str(body),
        }
        out.push_str("\n```");
        rest = &body_from[end + 4..];
    }
    out.push_str(rest);
    out
}

fn json_compact(text: &str) -> String {
    json_blocks(text, |v| serde_json::to_string(v).unwrap_or_default())
}

/// Pretty JSON with each object's members in reverse order.
fn reversed(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push_str("{\n");
            let n = m.len();
            for (i, (k, x)) in m.iter().rev().enumerate() {
                out.push_str(&pad);
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push_str(": ");
                reversed(x, indent + 1, out);
                if i + 1 < n {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&close);
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                reversed(x, indent + 1, out);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&close);
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

fn json_keys_reversed(text: &str) -> String {
    json_blocks(text, |v| {
        let mut out = String::new();
        reversed(v, 0, &mut out);
        out
    })
}

/// The `Raw:` blocks (`Raw:`, optional blank lines, a fenced block) replaced
/// by `f(token)`; the token is the block's lines joined.
fn raw_blocks(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("Raw:\n") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let after = &from["Raw:\n".len()..];
        let skip = after.len() - after.trim_start_matches('\n').len();
        let block = &after[skip..];
        let Some(eol) = block.find('\n').filter(|_| block.starts_with("```")) else {
            out.push_str("Raw:\n");
            rest = after;
            continue;
        };
        let body = &block[eol + 1..];
        let Some(end) = body.find("\n```\n") else {
            out.push_str("Raw:\n");
            rest = after;
            continue;
        };
        let token: String = body[..end].lines().map(str::trim).collect();
        out.push_str(&f(&token));
        rest = &body[end + "\n```\n".len()..];
    }
    out.push_str(rest);
    out
}

fn wrap(token: &str, width: usize) -> String {
    token
        .as_bytes()
        .chunks(width)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

fn raw_wrapped_76(text: &str) -> String {
    raw_blocks(text, |t| format!("Raw:\n```text\n{}\n```\n", wrap(t, 76)))
}

fn raw_unwrapped(text: &str) -> String {
    raw_blocks(text, |t| format!("Raw:\n```text\n{t}\n```\n"))
}

/// Lines naming a token by a jwt.io link.
fn is_jwt_io(line: &str) -> bool {
    line.contains("](https://jwt.io/#id_token=")
}

/// Where both are shown, the `Raw:` block dropped (the jwt.io link stays);
/// where only `Raw:` is shown (2026-01), it becomes a jwt.io link.
fn jwt_io_only(text: &str) -> String {
    if text.lines().any(is_jwt_io) {
        raw_blocks(text, |_| String::new())
    } else {
        raw_blocks(text, |t| {
            format!("See it on [jwt.io](https://jwt.io/#id_token={t})\n")
        })
    }
}

/// The jwt.io links dropped where a `Raw:` block shows the token too.
fn raw_only(text: &str) -> String {
    if !text.contains("Raw:\n") {
        return text.to_owned();
    }
    map_lines(text, |l, inside| {
        if !inside && is_jwt_io(l) {
            String::new()
        } else {
            l.to_owned()
        }
    })
}

/// A jwt.io link added before each `Raw:` block that has none.
fn jwt_io_and_raw(text: &str) -> String {
    if text.lines().any(is_jwt_io) {
        return text.to_owned();
    }
    raw_blocks(text, |t| {
        format!(
            "See it on [jwt.io](https://jwt.io/#id_token={t})\n\nRaw:\n```text\n{}\n```\n",
            wrap(t, 64)
        )
    })
}

/// `Decoded:` and the fenced JSON blocks that follow it dropped.
fn decoded_absent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("Decoded:\n") {
        out.push_str(&rest[..at]);
        let mut after = &rest[at + "Decoded:\n".len()..];
        loop {
            let trimmed = after.trim_start_matches('\n');
            if !trimmed.starts_with("```json\n") {
                break;
            }
            let Some(end) = trimmed["```json\n".len()..].find("\n```\n") else {
                break;
            };
            after = &trimmed["```json\n".len() + end + "\n```\n".len()..];
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `block` inserted before every step heading but the first.
fn between_steps(text: &str, block: &str) -> String {
    let mut first = true;
    map_lines(text, |l, inside| {
        if !inside && step_heading(l).is_some() {
            if first {
                first = false;
                return l.to_owned();
            }
            return format!("{block}\n{l}");
        }
        l.to_owned()
    })
}

fn mermaid_between_steps(text: &str) -> String {
    between_steps(
        text,
        "```mermaid\nsequenceDiagram\n    wire-client->>+acme-server: POST https://acme.example.org/acme/wire/new-order\n    acme-server->>-wire-client: 201 {\"status\": \"pending\"}\n```",
    )
}

fn html_between_steps(text: &str) -> String {
    between_steps(
        text,
        "<div class=\"note\">\n<p>See <a href=\"https://example.org/acme/wire/order/XYZ\">the order</a>; nonce <code>bm90LWEtbm9uY2U</code></p>\n</div>\n",
    )
}

fn prose_between_steps(text: &str) -> String {
    between_steps(
        text,
        "The client now moves on (see https://github.com/wireapp/rusty-jwt-tools and \
         https://example.org/acme/wire/directory). Words such as \
         dGhpcyBpcyBqdXN0IHByb3Nl, bm90LWEtbm9uY2UtYXQtYWxs and \
         c2VlIGl0IG9uIGp3dC5pbw are base64 of prose, not tokens.\n",
    )
}

fn truncated_block(text: &str) -> String {
    format!("{text}\n```json\n{{\n  \"status\": \"val")
}

fn unicode_prose(text: &str) -> String {
    map_lines(text, |l, inside| {
        if !inside && l.starts_with('#') {
            format!("{l}\nÜnïcødé prose — ✅ 🔐 日本語 «ok» naïve café\n")
        } else {
            l.to_owned()
        }
    })
}

/// The text cut before each step heading (`#### N. …`), so that two
/// transcripts of one enrolment can be compared and merged step by step.
fn steps(text: &str) -> Vec<&str> {
    let mut cuts = vec![0];
    let mut at = 0;
    for (line, inside) in lines(text) {
        if !inside && at > 0 && step_heading(line).is_some() {
            cuts.push(at);
        }
        at += line.len() + 1;
    }
    cuts.push(text.len());
    cuts.windows(2)
        .map(|w| &text[w[0]..w[1].min(text.len())])
        .collect()
}

/// Two faults seeded at once, from the valid transcript and each fault's:
/// each step is taken from the fault that changed it. `None` when the two
/// change a common step (or the step count), where no such merge is sound.
pub fn splice(valid: &str, a: &str, b: &str) -> Option<String> {
    let (v, a, b) = (steps(valid), steps(a), steps(b));
    if v.len() != a.len() || v.len() != b.len() {
        return None;
    }
    let mut out = String::with_capacity(valid.len());
    for ((v, a), b) in v.iter().zip(&a).zip(&b) {
        match (a != v, b != v) {
            (true, true) => return None,
            (true, false) => out.push_str(a),
            (false, true) => out.push_str(b),
            (false, false) => out.push_str(v),
        }
    }
    Some(out)
}

/// JSON with every `/` escaped (`\/`), as PHP and some Java writers do.
fn json_escaped_slashes(text: &str) -> String {
    json_blocks(text, |v| {
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .replace('/', "\\/")
    })
}

/// The URL template lines under request lines (`   /acme/{…}/…`) dropped.
fn url_templates_absent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (l, inside) in lines(text) {
        let t = l.trim_start();
        if inside && l.starts_with(' ') && t.starts_with('/') && t.contains('{') {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The ```` ```text ```` block repeating a `replay-nonce` just shown dropped.
fn nonce_text_absent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_nonce: Option<String> = None;
    let mut rest = text;
    while let Some(at) = rest.find("```text\n") {
        let (before, from) = rest.split_at(at);
        for l in before.lines() {
            if let Some(n) = l.strip_prefix("replay-nonce: ") {
                last_nonce = Some(n.to_owned());
            }
        }
        let body = &from["```text\n".len()..];
        let block = last_nonce
            .as_deref()
            .map(|n| format!("{n}\n```\n"))
            .filter(|b| body.starts_with(b.as_str()));
        out.push_str(before);
        match block {
            Some(b) => {
                rest = body[b.len()..].trim_start_matches('\n');
                last_nonce = None;
            }
            None => {
                out.push_str("```text\n");
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

fn header_double_space(text: &str) -> String {
    map_lines(text, |l, inside| match l.split_once(": ") {
        Some((name, value))
            if inside
                && !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') =>
        {
            format!("{name}:  {value}")
        }
        _ => l.to_owned(),
    })
}

fn heading_closing_hashes(text: &str) -> String {
    headings(text, |n, t| format!("#### {n}. {t} ####"))
}

fn jwt_io_debugger(text: &str) -> String {
    text.replace(
        "https://jwt.io/#id_token=",
        "https://jwt.io/#debugger-io?token=",
    )
}

fn jwt_io_token(text: &str) -> String {
    text.replace("https://jwt.io/#id_token=", "https://jwt.io/#token=")
}

/// Each `http request` block followed (after blank lines) by a JSON block:
/// the JSON written inside the HTTP block after a blank line, as an HTTP
/// message (and the JetBrains HTTP client's request files) carries its body.
fn body_inside_http_block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("```http request\n") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let Some(end) = from.find("\n```\n") else {
            break;
        };
        let head = &from[..end];
        let after = &from[end + "\n```\n".len()..];
        let gap = after.len() - after.trim_start_matches('\n').len();
        let next = &after[gap..];
        let body = next.strip_prefix("```json\n").and_then(|b| {
            b.find("\n```\n")
                .map(|e| (&b[..e], &b[e + "\n```\n".len()..]))
        });
        match body {
            Some((json, tail)) => {
                out.push_str(head);
                out.push_str("\n\n");
                out.push_str(json);
                out.push_str("\n```\n");
                rest = tail;
            }
            None => {
                out.push_str(head);
                out.push_str("\n```\n");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn raw_label_bold(text: &str) -> String {
    text.replace("Raw:\n", "**Raw:**\n")
}

fn decoded_label_bold(text: &str) -> String {
    text.replace("Decoded:\n", "**Decoded:**\n")
}
