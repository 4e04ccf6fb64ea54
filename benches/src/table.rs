//! Reads criterion's `estimates.json` files of the `access_token` group and
//! renders the Markdown tables of `RESULTS.md`.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// The criterion group of the access-token bench.
pub const GROUP: &str = "access_token";

/// The benchmark functions of the group, as criterion names their folders.
pub const KINDS: [&str; 5] = ["floor", "full", "audit", "dpop_floor", "dpop"];

/// The suites, as the bench names them.
pub const SUITES: [&str; 4] = ["ed25519", "p256", "p384", "p521"];

/// The median of one benchmark, with its 95 % confidence interval, in µs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Median {
    /// The point estimate.
    pub point: f64,
    /// Lower bound of the confidence interval.
    pub lower: f64,
    /// Upper bound of the confidence interval.
    pub upper: f64,
    /// The 10th percentile of the per-iteration sample times (`sample.json`),
    /// when read: the least disturbed samples on a loaded machine.
    pub p10: Option<f64>,
}

/// Reads the median of an `estimates.json` (criterion writes nanoseconds).
pub fn parse_estimates(json: &str) -> Option<Median> {
    let value: Value = serde_json::from_str(json).ok()?;
    let median = value.get("median")?;
    let ci = median.get("confidence_interval")?;
    let us = |v: &Value| v.as_f64().map(|ns| ns / 1000.0);
    Some(Median {
        point: us(median.get("point_estimate")?)?,
        lower: us(ci.get("lower_bound")?)?,
        upper: us(ci.get("upper_bound")?)?,
        p10: None,
    })
}

/// The 10th percentile of per-iteration times of a `sample.json`, in µs.
pub fn parse_p10(json: &str) -> Option<f64> {
    let value: Value = serde_json::from_str(json).ok()?;
    let times = value.get("times")?.as_array()?;
    let iters = value.get("iters")?.as_array()?;
    let mut per: Vec<f64> = times
        .iter()
        .zip(iters)
        .filter_map(|(t, n)| Some(t.as_f64()? / n.as_f64().filter(|n| *n > 0.0)? / 1000.0))
        .collect();
    per.sort_by(f64::total_cmp);
    per.get(per.len() / 10).copied()
}

/// The latest (`new`) median of `kind/suite` in the group, if measured.
pub fn read(criterion_dir: &Path, kind: &str, suite: &str) -> Option<Median> {
    let dir = criterion_dir.join(GROUP).join(kind).join(suite).join("new");
    let mut median = parse_estimates(&std::fs::read_to_string(dir.join("estimates.json")).ok()?)?;
    median.p10 = std::fs::read_to_string(dir.join("sample.json"))
        .ok()
        .and_then(|s| parse_p10(&s));
    Some(median)
}

/// Renders the tables from a lookup of medians; missing figures print as `–`.
pub fn render(lookup: impl Fn(&str, &str) -> Option<Median>) -> String {
    let cell = |m: Option<Median>| m.map_or("–".to_owned(), |m| format!("{:.1}", m.point));
    let ratio = |num: Option<Median>, den: Option<Median>| match (num, den) {
        (Some(n), Some(d)) if d.point > 0.0 => format!("{:.3}", n.point / d.point),
        _ => "–".to_owned(),
    };
    let p10_ratio = |num: Option<Median>, den: Option<Median>| match (
        num.and_then(|m| m.p10),
        den.and_then(|m| m.p10),
    ) {
        (Some(n), Some(d)) if d > 0.0 => format!("{:.3}", n / d),
        _ => "–".to_owned(),
    };
    let mut out = String::new();
    out.push_str("| suite | floor (µs) | full check (µs) | ratio | p10 ratio |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: |\n");
    for suite in SUITES {
        let floor = lookup("floor", suite);
        let full = lookup("full", suite);
        let _ = writeln!(
            out,
            "| {suite} | {} | {} | {} | {} |",
            cell(floor),
            cell(full),
            ratio(full, floor),
            p10_ratio(full, floor)
        );
    }
    out.push('\n');
    out.push_str(
        "| suite | audit (µs) | audit / floor | dpop floor (µs) | dpop (µs) | dpop ratio | dpop p10 ratio |\n",
    );
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for suite in SUITES {
        let floor = lookup("floor", suite);
        let audit = lookup("audit", suite);
        let dpop_floor = lookup("dpop_floor", suite);
        let dpop = lookup("dpop", suite);
        let _ = writeln!(
            out,
            "| {suite} | {} | {} | {} | {} | {} | {} |",
            cell(audit),
            ratio(audit, floor),
            cell(dpop_floor),
            cell(dpop),
            ratio(dpop, dpop_floor),
            p10_ratio(dpop, dpop_floor)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_in_microseconds() {
        let json = r#"{"mean":{"point_estimate":1.0},"median":{"confidence_interval":
            {"confidence_level":0.95,"lower_bound":99000.0,"upper_bound":101000.0},
            "point_estimate":100000.0,"standard_error":10.0}}"#;
        let m = parse_estimates(json).expect("median");
        assert_eq!(
            m,
            Median {
                point: 100.0,
                lower: 99.0,
                upper: 101.0,
                p10: None
            }
        );
        assert_eq!(parse_estimates("{}"), None);
    }

    #[test]
    fn reads_the_tenth_percentile_per_iteration() {
        let times: Vec<String> = (1..=20).map(|i| format!("{}", i * 2000)).collect();
        let iters = vec!["2"; 20];
        let json = format!(
            r#"{{"sampling_mode":"Flat","iters":[{}],"times":[{}]}}"#,
            iters.join(","),
            times.join(",")
        );
        assert_eq!(parse_p10(&json), Some(3.0));
    }

    #[test]
    fn renders_ratios_and_gaps() {
        let m = |point| {
            Some(Median {
                point,
                lower: point,
                upper: point,
                p10: Some(point),
            })
        };
        let table = render(|kind, suite| match (kind, suite) {
            ("floor", "p256") => m(100.0),
            ("full", "p256") => m(105.0),
            _ => None,
        });
        assert!(
            table.contains("| p256 | 100.0 | 105.0 | 1.050 |"),
            "{table}"
        );
        assert!(table.contains("| p521 | – | – | – |"), "{table}");
    }
}
