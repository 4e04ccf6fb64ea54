//! Runs x509-limbo through our chain verifier and through rustls-webpki alone.
//!
//! `cargo run -p e2ei-verify --example limbo -- shared/vectors/limbo/limbo.json.gz [OUT.md]`
//!
//! Every case is evaluated twice on the same inputs: by `e2ei_verify::x509::verify_path`
//! and by webpki's `verify_for_usage` alone, then both by webpki's peer-name check.
//! The table counts pass / false accept / false reject / skipped per id prefix, and
//! `worse` counts cases where our verdict is wrong and webpki's is right: it must be 0.
//!
//! It also holds our certificate reader (`parse_certificates`) to x509-parser's
//! on every certificate of the suite and lists where the two disagree: a
//! certificate only x509-parser reads must be one webpki refuses as well.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Read;

use e2ei_verify::x509::{parse_certificates, verify_path, Usage};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;
use x509_parser::pem::Pem;

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Pass,
    FalseAccept,
    FalseReject,
    Skipped,
}

#[derive(Default)]
struct Row {
    total: usize,
    ours: [usize; 4],
    webpki: [usize; 4],
    worse: Vec<String>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: limbo PATH/limbo.json.gz [OUT.md]");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let limbo: Value = serde_json::from_str(&text).unwrap();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut readers = Readers::default();
    for case in limbo["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        readers.compare(id, case);
        let row = rows.entry(prefix(id)).or_default();
        row.total += 1;
        let (ours, webpki) = run(case);
        row.ours[ours as usize] += 1;
        row.webpki[webpki as usize] += 1;
        let wrong = |o| matches!(o, Outcome::FalseAccept | Outcome::FalseReject);
        if wrong(ours) && !wrong(webpki) {
            row.worse.push(id.to_owned());
        }
    }
    let mut table = render(&rows);
    table.push_str(&readers.render());
    print!("{table}");
    if let Some(out) = args.next() {
        std::fs::write(out, &table).unwrap();
    }
}

fn prefix(id: &str) -> String {
    let parts: Vec<&str> = id.split("::").collect();
    match parts.as_slice() {
        ["bettertls", second, ..] => format!("bettertls::{second}"),
        [first, ..] => (*first).to_owned(),
        [] => String::new(),
    }
}

/// The DER of every PEM string in `v`, unparsed: the engines judge them.
fn pems(v: &Value) -> Vec<CertificateDer<'static>> {
    v.as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| pem_ders(p.as_str().unwrap_or_default()))
        .collect()
}

fn pem_ders(text: &str) -> Vec<CertificateDer<'static>> {
    Pem::iter_from_buffer(text.as_bytes())
        .map(|pem| CertificateDer::from(pem.unwrap().contents))
        .collect()
}

/// Our reader's verdicts beside x509-parser's, certificate by certificate.
#[derive(Default)]
struct Readers {
    certificates: usize,
    both_read: usize,
    both_refuse: usize,
    /// (case id, our reason, webpki's verdict on the certificate).
    only_x509_parser: Vec<(String, String, &'static str)>,
    only_ours: Vec<String>,
}

impl Readers {
    fn compare(&mut self, id: &str, case: &Value) {
        let mut ders = pem_ders(case["peer_certificate"].as_str().unwrap_or_default());
        ders.extend(pems(&case["untrusted_intermediates"]));
        ders.extend(pems(&case["trusted_certs"]));
        for der in ders {
            self.certificates += 1;
            let ours = parse_certificates(&der);
            let theirs = matches!(x509_parser::parse_x509_certificate(&der), Ok(([], _)));
            match (ours, theirs) {
                (Ok(_), true) => self.both_read += 1,
                (Err(_), false) => self.both_refuse += 1,
                (Ok(_), false) => self.only_ours.push(id.to_owned()),
                (Err(e), true) => {
                    let webpki = match webpki::EndEntityCert::try_from(&der) {
                        Ok(_) => "webpki reads it",
                        Err(_) => "webpki refuses it",
                    };
                    self.only_x509_parser
                        .push((id.to_owned(), e.to_string(), webpki));
                }
            }
        }
    }

    fn render(&self) -> String {
        let mut out = format!(
            "\nCertificate reader vs x509-parser, every certificate of the suite: {} read, \
             {} both read, {} both refuse, {} only ours reads, {} only x509-parser reads.\n",
            self.certificates,
            self.both_read,
            self.both_refuse,
            self.only_ours.len(),
            self.only_x509_parser.len()
        );
        for id in &self.only_ours {
            out.push_str(&format!("- only ours reads: {id}\n"));
        }
        for (id, reason, webpki) in &self.only_x509_parser {
            out.push_str(&format!(
                "- only x509-parser reads: {id}: {reason}; {webpki}\n"
            ));
        }
        out
    }
}

/// Our verdict and webpki's, classified against the expected result.
fn run(case: &Value) -> (Outcome, Outcome) {
    // The same skips as the published rustls-webpki harness: features webpki has no
    // input for.
    let skip = case["max_chain_depth"].is_number()
        || !case["key_usage"].as_array().is_none_or(Vec::is_empty)
        || !case["signature_algorithms"]
            .as_array()
            .is_none_or(Vec::is_empty);
    if skip {
        return (Outcome::Skipped, Outcome::Skipped);
    }
    let client = case["validation_kind"] == "CLIENT"
        || case["extended_key_usage"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x == "clientAuth"));
    let usage = if client {
        Usage::ClientAuth
    } else {
        Usage::ServerAuth
    };
    let time = case["validation_time"]
        .as_str()
        .map(rfc3339_to_unix)
        .map(|s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s)))
        .unwrap_or_else(UnixTime::now);
    let Ok(leaf) = parse_certificates(case["peer_certificate"].as_str().unwrap().as_bytes()) else {
        let expected_success = case["expected_result"] == "SUCCESS";
        let o = if expected_success {
            Outcome::FalseReject
        } else {
            Outcome::Pass
        };
        return (o, o);
    };
    let anchors = pems(&case["trusted_certs"]);
    let mut chain = leaf.clone();
    chain.extend(pems(&case["untrusted_intermediates"]));
    let expect_ok = case["expected_result"] == "SUCCESS";
    let name = &case["expected_peer_name"];
    let ours = verify_path(&chain, &anchors, time, usage).is_ok() && peer_name_ok(&leaf[0], name);
    let webpki = webpki_alone(&chain, &anchors, time, client) && peer_name_ok(&leaf[0], name);
    let classify = |accepted: bool| match (accepted, expect_ok) {
        (true, true) | (false, false) => Outcome::Pass,
        (true, false) => Outcome::FalseAccept,
        (false, true) => Outcome::FalseReject,
    };
    (classify(ours), classify(webpki))
}

fn webpki_alone(
    chain: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    time: UnixTime,
    client: bool,
) -> bool {
    let Ok(leaf) = webpki::EndEntityCert::try_from(&chain[0]) else {
        return false;
    };
    let Ok(anchors) = anchors
        .iter()
        .map(webpki::anchor_from_trusted_cert)
        .collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let usage = if client {
        webpki::KeyUsage::client_auth()
    } else {
        webpki::KeyUsage::server_auth()
    };
    leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &chain[1..],
        time,
        usage,
        None,
        None,
    )
    .is_ok()
}

fn peer_name_ok(leaf: &CertificateDer<'_>, name: &Value) -> bool {
    let Some(value) = name["value"].as_str() else {
        return true;
    };
    let Ok(server_name) = ServerName::try_from(value) else {
        return false;
    };
    webpki::EndEntityCert::try_from(leaf)
        .and_then(|ee| ee.verify_is_valid_for_subject_name(&server_name))
        .is_ok()
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` (limbo always writes UTC) to Unix seconds.
fn rfc3339_to_unix(s: &str) -> u64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    // days from civil (Howard Hinnant's algorithm)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)) as u64
}

fn render(rows: &BTreeMap<String, Row>) -> String {
    let mut out = String::from(
        "| prefix | total | ours pass | ours false_accept | ours false_reject | skipped \
         | webpki pass | webpki false_accept | webpki false_reject | worse than webpki |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut total = Row::default();
    for (prefix, row) in rows {
        out.push_str(&line(prefix, row));
        total.total += row.total;
        for i in 0..4 {
            total.ours[i] += row.ours[i];
            total.webpki[i] += row.webpki[i];
        }
        total.worse.extend(row.worse.iter().cloned());
    }
    out.push_str(&line("TOTAL", &total));
    for id in &total.worse {
        out.push_str(&format!("worse: {id}\n"));
    }
    out
}

fn line(prefix: &str, r: &Row) -> String {
    format!(
        "| {prefix} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        r.total,
        r.ours[0],
        r.ours[1],
        r.ours[2],
        r.ours[3],
        r.webpki[0],
        r.webpki[1],
        r.webpki[2],
        r.worse.len()
    )
}
