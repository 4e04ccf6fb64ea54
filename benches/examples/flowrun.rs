//! Helpers for the whole-capture audit on a loaded machine:
//!
//! - `flowrun counts`: per capture, what the floor holds (distinct checks);
//! - `flowrun pair ROUNDS`: per capture, alternating blocks of floor,
//!   certificate links and audit (all see the same load), median and p10
//!   ratios of the audit to the floor and to the floor plus the links (the
//!   audit verifies them for `cert.chain`);
//! - `flowrun once CAPTURE floor|links|audit N`: N calls, for `perf stat`
//!   (`benches/flow-cpu.sh`: CPU time, steadier under load) or
//!   `valgrind --tool=callgrind` (`benches/count-verifications.sh`: the
//!   verifications really performed);
//! - `flowrun throughput COPIES`: files/s for a corpus of COPIES files (the
//!   four captures in turn, in memory) on 1 and 2 rayon threads, each file
//!   through `flow::audit` as `e2ei-audit flow` does.
//!
//! Build: `cargo build --release -p e2ei-benches --example flowrun`.

use e2ei_benches::flow::Capture;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Instant;

/// The allocator of the `e2ei-audit` binary, so the audit is timed as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn time(f: impl Fn() -> bool, n: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(black_box(f()));
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &'static str| args.get(i).map_or(d, String::as_str);
    match arg(0, "counts") {
        "counts" => {
            for c in Capture::all() {
                println!(
                    "{}: {} floor checks {:?}; {} cert links",
                    c.name,
                    c.floor.len(),
                    c.counts,
                    c.cert_links.len()
                );
            }
        }
        "once" => {
            let c = Capture::new(
                e2ei_benches::flow::CAPTURES
                    .into_iter()
                    .find(|n| *n == arg(1, "2026-01-15"))
                    .expect("capture"),
            );
            let n: usize = arg(3, "1").parse().expect("repetitions");
            let ok = (0..n).all(|_| match arg(2, "audit") {
                "floor" => c.floor(),
                "links" => c.cert_floor(),
                _ => !c.audit().is_empty(),
            });
            println!("{ok}");
        }
        "pair" => {
            let rounds: usize = arg(1, "100").parse().expect("rounds");
            for c in Capture::all() {
                // Floor, certificate links and audit alternate in blocks of 3
                // calls, so all three see the same background load.
                let (mut a, mut l, mut k, mut r, mut rl) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for _ in 0..rounds {
                    let x = time(|| c.floor(), 3);
                    let z = time(|| c.cert_floor(), 3);
                    let y = time(|| !c.audit().is_empty(), 3);
                    a.push(x);
                    l.push(z);
                    k.push(y);
                    r.push(y / x);
                    rl.push(y / (x + z));
                }
                let (ma, ml, mk) = (median(&mut a), median(&mut l), median(&mut k));
                let (mr, mrl) = (median(&mut r), median(&mut rl));
                let (pa, pl, pk) = (a[rounds / 10], l[rounds / 10], k[rounds / 10]);
                println!(
                    "{}: median floor {ma:.1} µs (+ cert links {ml:.1}), audit {mk:.1} µs; \
                     ratio {mr:.3} (with links {mrl:.3}); p10 ratio {:.3} (with links {:.3})",
                    c.name,
                    pk / pa,
                    pk / (pa + pl)
                );
            }
        }
        "throughput" => {
            let copies: usize = arg(1, "1000").parse().expect("copies");
            let caps = Capture::all();
            let corpus: Vec<&Capture> = (0..copies).map(|i| &caps[i % caps.len()]).collect();
            for threads in [1, 2, 1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let start = Instant::now();
                let flows: usize = pool.install(|| {
                    corpus
                        .par_iter()
                        .map(|c| {
                            e2ei_audit::flow::audit(&c.text, &c.options).map_or(0, |f| f.len())
                        })
                        .sum()
                });
                let s = start.elapsed().as_secs_f64();
                println!(
                    "{threads} thread(s): {copies} files ({flows} flows) in {s:.2} s = {:.0} files/s",
                    copies as f64 / s
                );
            }
        }
        _ => eprintln!(
            "usage: flowrun counts | pair ROUNDS | once CAPTURE floor|links|audit N | throughput COPIES"
        ),
    }
}
