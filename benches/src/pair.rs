//! Paired timing: a check and its floor in alternating short blocks.
//!
//! This shared VM drifts between speed regimes within seconds, so a floor and
//! a check timed one after the other (as criterion's groups are) can differ by
//! ±30 % for no reason of their own. Alternating blocks of about 2 ms see the
//! same regime; the median of the per-round ratios is the figure, and the
//! ratio of the 10th-percentile block times (the least disturbed blocks) is
//! shown beside it.

/// The outcome of [`pair`]: times in µs per call.
#[derive(Clone, Copy, Debug)]
pub struct Paired {
    /// Median floor block.
    pub floor: f64,
    /// Median check block.
    pub check: f64,
    /// Median of the per-round ratios check ÷ floor.
    pub ratio: f64,
    /// Ratio of the 10th-percentile blocks.
    pub ratio_p10: f64,
    /// Rounds run.
    pub rounds: usize,
    /// Calls per block.
    pub block: u32,
}

/// Times `floor` and `check` (each: mean µs per call over the given number of
/// calls) in `rounds` alternating blocks of about 2 ms.
pub fn pair(
    rounds: usize,
    mut floor: impl FnMut(u32) -> f64,
    mut check: impl FnMut(u32) -> f64,
) -> Paired {
    let per = floor(20).max(1.0);
    let block = ((2_000.0 / per) as u32).max(2);
    let rounds = rounds.max(1);
    let (mut a, mut k, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let x = floor(block);
        let y = check(block);
        a.push(x);
        k.push(y);
        r.push(y / x);
    }
    Paired {
        floor: quantile(&mut a, 2),
        check: quantile(&mut k, 2),
        ratio: quantile(&mut r, 2),
        ratio_p10: quantile(&mut k, 10) / quantile(&mut a, 10),
        rounds,
        block,
    }
}

/// The value at `1/fraction` of the sorted values (2: median, 10: p10).
fn quantile(v: &mut [f64], fraction: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / fraction).copied().unwrap_or(f64::NAN)
}
