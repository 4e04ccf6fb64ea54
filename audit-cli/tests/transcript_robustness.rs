//! The reader never panics: truncated, shuffled and garbage inputs give `Ok` or a typed
//! `Err`.
// Tests unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use e2ei_audit::transcript::{parse, Transcript, TranscriptError};

const SAMPLES: [&str; 4] = [
    "wire-e2ei-2023-01-18.md",
    "wire-e2ei-2023-03-15.md",
    "wire-e2ei-2023-11-15.md",
    "wire-e2ei-2026-01-15.md",
];

/// Wire's published captures, shared with the conformance vectors.
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/transcripts");

fn load(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(path).unwrap()
}

/// A tiny deterministic generator (64-bit LCG): no `rand` dependency for tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// `parse` must return; any `Err` must be one of the typed errors (it is by type, the
/// point is that the call does not panic).
fn survives(text: &str) -> Result<Transcript<'_>, TranscriptError> {
    parse(text)
}

#[test]
fn every_line_prefix_parses_or_errs() {
    for name in SAMPLES {
        let text = load(name);
        let ends = text.match_indices('\n').map(|(i, _)| i);
        for end in std::iter::once(0).chain(ends) {
            let _ = survives(&text[..end]);
        }
    }
}

#[test]
fn sampled_byte_prefixes_parse_or_err() {
    for name in SAMPLES {
        let text = load(name);
        let mut rng = Lcg(0x5eed);
        for _ in 0..400 {
            let mut end = rng.below(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let _ = survives(&text[..end]);
            let _ = survives(&text[end..]);
        }
    }
}

/// Splits `text` into chunks, each starting at a line for which `starts` holds (the
/// first chunk is whatever precedes the first such line).
fn chunks(text: &str, starts: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if starts(line) {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(line);
        }
    }
    // The file's last line may lack its newline; moved elsewhere it needs one.
    for chunk in &mut out {
        if !chunk.is_empty() && !chunk.ends_with('\n') {
            chunk.push('\n');
        }
    }
    out
}

fn is_suite_line(line: &str) -> bool {
    ["Ed25519 - ", "P256 - ", "P384 - ", "P521 - "]
        .iter()
        .any(|p| line.starts_with(p))
}

fn shape(t: &Transcript<'_>) -> (usize, usize, usize) {
    let steps = t.steps().count();
    let tokens = t.tokens().count();
    let objects = t.sections.iter().map(|s| s.objects().count()).sum();
    (steps, tokens, objects)
}

#[test]
fn shuffled_sections_and_steps_keep_their_content() {
    let mut rng = Lcg(42);
    for name in SAMPLES {
        let text = load(name);
        let original = parse(&text).unwrap();

        let mut sections = chunks(&text, is_suite_line);
        let head = sections.remove(0);
        rng.shuffle(&mut sections);
        let reordered = format!("{head}{}", sections.concat());
        let t = parse(&reordered).unwrap();
        assert_eq!(shape(&t), shape(&original), "{name}: sections shuffled");
        let mut suites: Vec<_> = t.sections.iter().map(|s| s.suite_line).collect();
        let mut expected: Vec<_> = original.sections.iter().map(|s| s.suite_line).collect();
        suites.sort();
        expected.sort();
        assert_eq!(suites, expected);

        let shuffled: String = sections
            .iter()
            .map(|section| {
                let mut steps = chunks(section, |l| l.starts_with("#### "));
                let head = steps.remove(0);
                rng.shuffle(&mut steps);
                format!("{head}{}", steps.concat())
            })
            .collect();
        let text = format!("{head}{shuffled}");
        let t = parse(&text).unwrap();
        assert_eq!(shape(&t), shape(&original), "{name}: steps shuffled");
    }
}

#[test]
fn shuffled_lines_never_panic() {
    let mut rng = Lcg(7);
    for name in SAMPLES {
        let text = load(name);
        let mut lines: Vec<&str> = text.lines().collect();
        for _ in 0..5 {
            rng.shuffle(&mut lines);
            let _ = survives(&lines.join("\n"));
        }
    }
}

#[test]
fn garbage_inputs() {
    assert_eq!(parse(""), Err(TranscriptError::NothingUsable));
    assert_eq!(parse("\n\n   \n"), Err(TranscriptError::NothingUsable));
    assert_eq!(
        parse("just some prose\nEd25519 - SHA256\n"),
        Err(TranscriptError::NothingUsable)
    );
    let one_mb = "a".repeat(1 << 20);
    assert_eq!(parse(&one_mb), Err(TranscriptError::NothingUsable));
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_eq!(
        parse(&String::from_utf8_lossy(&binary)),
        Err(TranscriptError::NotText)
    );
    let controls = "\u{1}\u{2}\u{3}#### 1. x\n".repeat(10);
    assert_eq!(parse(&controls), Err(TranscriptError::NotText));

    for text in [
        "```",
        "```\n```\n```",
        "````json\n{\n",
        "```json\n{\"protected\": \"x\"",
        "#### 1. step\n```http request\n",
        "#### 1. step\n```json\n...decoded...\n```",
        "#### \n#\n######\n####### x",
        "Raw:\n```text\n```",
        "Decoded:\n```json\n{}\n```\n```json\n[]\n```",
        "-----BEGIN CERTIFICATE-----\n",
        "```text\n-----BEGIN -----\n-----END -----\n```",
        "#### 4294967296. overflow\n#### 1. ok",
        "#### 1. é\n```json\n\"é…\"\n```\n[jwt.io](https://jwt.io/#id_token=é.é.é)",
    ] {
        let _ = survives(text);
    }

    let long_json = format!("#### 1. x\n```json\n\"{}\"\n```\n", "A".repeat(1 << 20));
    assert!(parse(&long_json).is_ok());
    let long_link = format!(
        "#### 1. x\n[jwt.io](https://jwt.io/#id_token={})",
        "e.".repeat(1 << 19)
    );
    // A step and nothing read under it (the links hold no token).
    assert_eq!(
        parse(&long_link).err(),
        Some(TranscriptError::NothingRead { steps: 1 })
    );
    let cert = format!("\"MB8A{}\"", "A".repeat(40));
    let big_array = format!(
        "#### 1. x\n```json\n[\n{}\n]\n```\n",
        vec![cert; 20_000].join(",\n")
    );
    let t = parse(&big_array).unwrap();
    assert_eq!(t.sections[0].certificates().count(), 20_000);
    assert_eq!(t.sections[0].certificates().last().unwrap().line, 20_003);
    let many_links = format!("#### 1. x\n{}", "jwt.io".repeat(200_000));
    // A step and nothing read under it (the links hold no token).
    assert_eq!(
        parse(&many_links).err(),
        Some(TranscriptError::NothingRead { steps: 1 })
    );
    let many_fences = "```\n".repeat(100_000);
    let _ = survives(&many_fences);
    let deep = format!(
        "#### 1. x\n```json\n{}{}\n```\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(parse(&deep).is_ok());
}

#[test]
fn random_markdownish_noise_never_panics() {
    const ALPHABET: [&str; 24] = [
        "```",
        "```json",
        "```text",
        "```http request",
        "\n",
        "#### 1. s",
        "### g",
        "Ed25519 - SHA256",
        "Raw:",
        "Decoded:",
        "...decoded...",
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "eyJhbGciOiJFZERTQSJ9",
        ".",
        "-----BEGIN CERTIFICATE-----",
        "-----END CERTIFICATE-----",
        "dpop: ",
        "200",
    ];
    let mut rng = Lcg(1234);
    for _ in 0..500 {
        let len = rng.below(200);
        let text: String = (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect::<Vec<_>>()
            .join(if rng.below(2) == 0 { "" } else { "\n" });
        let _ = survives(&text);
    }
}
