//! A deterministic mutation loop (xorshift64*, fixed seed, no new dependency):
//! for every suite, [`CASES`] mutations of a valid DPoP proof and of a valid
//! access token (bit flips, byte substitutions, deletions, insertions, segment
//! swaps, drops and duplications, truncations, stacked) go through
//! `dpop::verify`, `dpop::audit`, `access_token::verify` and
//! `access_token::audit`. None may panic, and a mutated token that is accepted
//! must be byte-identical to the original: no malleability is accepted.
//! (The mutation sequence is fixed; ECDSA signatures are randomised by
//! aws-lc-rs, so the ECDSA tokens it mutates differ from run to run.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2ei_verify::report::Failure;
use e2ei_verify::{access_token, dpop};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use vectors::mint::{Flow, Suite};

const NOW: u64 = 1_768_462_854;
const CASES: usize = 2000;

/// xorshift64* (Vigna): small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform enough in `0..n` for `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

/// Bytes worth inserting: the JOSE alphabet, its separators and padding, the
/// standard alphabet, JSON punctuation, a NUL, a high byte, a multi-byte char.
const INTERESTING: &[&[u8]] = &[
    b".",
    b"=",
    b"+",
    b"/",
    b"-",
    b"_",
    b"A",
    b"z",
    b"0",
    b"{",
    b"}",
    b"\"",
    b" ",
    b"\0",
    b"\xff",
    "é".as_bytes(),
    b"..",
    b"e30",
    b"eyJ",
];

fn mutate(rng: &mut Rng, original: &str) -> String {
    let mut t = original.as_bytes().to_vec();
    for _ in 0..=rng.below(3) {
        if t.is_empty() {
            t.extend_from_slice(INTERESTING[rng.below(INTERESTING.len())]);
            continue;
        }
        match rng.below(8) {
            0 => {
                let i = rng.below(t.len());
                t[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(t.len());
                let with = INTERESTING[rng.below(INTERESTING.len())];
                t.splice(i..=i, with.iter().copied());
            }
            2 => {
                let i = rng.below(t.len());
                let n = 1 + rng.below(8.min(t.len() - i));
                t.drain(i..i + n);
            }
            3 => {
                let i = rng.below(t.len() + 1);
                let with = INTERESTING[rng.below(INTERESTING.len())];
                t.splice(i..i, with.iter().copied());
            }
            4 => t.truncate(rng.below(t.len())),
            5 | 6 => {
                let text = String::from_utf8_lossy(&t).into_owned();
                let mut segs: Vec<&str> = text.split('.').collect();
                let a = rng.below(segs.len());
                let b = rng.below(segs.len());
                match rng.below(3) {
                    0 => segs.swap(a, b),
                    1 => {
                        segs.remove(a);
                    }
                    _ => segs.insert(b, segs[a]),
                }
                t = segs.join(".").into_bytes();
            }
            _ => {
                // Copy a run of bytes over another place of the token.
                let i = rng.below(t.len());
                let j = rng.below(t.len());
                let n = 1 + rng.below(16.min(t.len() - i.max(j)));
                let run: Vec<u8> = t[i..i + n].to_vec();
                t[j..j + n].copy_from_slice(&run);
            }
        }
    }
    match String::from_utf8(t) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[derive(Debug, Default)]
struct Tally {
    mutated: usize,
    unchanged: usize,
    rejected: usize,
    /// Which check rejected the mutation, as the kind's own verifier saw it.
    by_check: BTreeMap<&'static str, usize>,
}

fn run_suite(suite: Suite, seed: u64) -> Tally {
    let f = Flow::new(suite, "fuzz", NOW);
    let de = f.dpop_expectations();
    let te = f.token_expectations();
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    for case in 0..CASES {
        for original in [&f.dpop, &f.access_token] {
            let m = mutate(&mut rng, original);
            if m == *original {
                tally.unchanged += 1;
            } else {
                tally.mutated += 1;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let as_proof = dpop::verify(&m, &de, NOW, None);
                let as_token = access_token::verify(&m, &te, NOW);
                let own_check = if *original == f.dpop {
                    as_proof.as_ref().err().map(Failure::check_id)
                } else {
                    as_token.as_ref().err().map(Failure::check_id)
                };
                let accepted = [
                    as_proof.is_ok(),
                    {
                        let (proof, report) = dpop::audit(&m, &de, NOW);
                        proof.is_some() && !report.has_failures()
                    },
                    as_token.is_ok(),
                    {
                        let audit = access_token::audit(&m, &te, NOW);
                        audit.token.is_some() && !audit.report.has_failures()
                    },
                ];
                (accepted, own_check)
            }));
            let (accepted, own_check) = match outcome {
                Ok(a) => a,
                Err(_) => panic!("{suite:?} case {case}: panic on {m:?}"),
            };
            if accepted.iter().any(|a| *a) {
                assert_eq!(
                    m, *original,
                    "{suite:?} case {case}: a mutated token was accepted ({accepted:?})"
                );
                // The original is accepted by exactly its own kind, in both modes.
                let is_proof = *original == f.dpop;
                assert_eq!(accepted, [is_proof, is_proof, !is_proof, !is_proof]);
            } else {
                tally.rejected += 1;
                *tally.by_check.entry(own_check.unwrap_or("?")).or_default() += 1;
            }
        }
    }
    tally
}

#[test]
fn mutated_tokens_never_panic_and_are_never_accepted() {
    for (i, suite) in Suite::ALL.into_iter().enumerate() {
        let tally = run_suite(suite, 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        eprintln!("fuzz {suite:?}: {tally:?}");
        assert_eq!(tally.mutated + tally.unchanged, 2 * CASES);
        // Almost every mutation changes the token, and every changed one is
        // rejected.
        assert_eq!(tally.rejected, tally.mutated, "{suite:?}: {tally:?}");
        assert!(tally.mutated > 2 * CASES * 9 / 10, "{suite:?}: {tally:?}");
        // The mutations reach past the parser: some are only caught by the
        // signature check of each kind.
        for id in ["dpop.signature", "access_token.signature"] {
            assert!(
                tally.by_check.get(id).is_some_and(|n| *n > 0),
                "{id}: {tally:?}"
            );
        }
    }
}

#[test]
fn the_generator_is_deterministic() {
    let f = Flow::new(Suite::Ed25519, "fuzz", NOW);
    let run = |seed| {
        let mut rng = Rng(seed);
        (0..50)
            .map(|_| mutate(&mut rng, &f.dpop))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
