#!/bin/sh
# CPU time per call of the floor, the certificate links and the audit of each
# capture, from `perf stat -e task-clock` over N1 and N2 calls of `flowrun
# once` ((t(N2) - t(N1)) / (N2 - N1): setup cancels). Task clock counts only
# while the process runs, so the ratios hold better on a loaded machine than
# wall-clock blocks (the VM exposes no hardware cycle counter). Needs perf and
# `cargo build --release -p e2ei-benches --example flowrun`.
set -eu
bin=${CARGO_TARGET_DIR:-target}/release/examples/flowrun
n1=${N1:-20}
n2=${N2:-220}
msec() {
  perf stat -x, -e task-clock "$bin" once "$1" "$2" "$3" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'
}
# Microseconds per call.
per_call() {
  a=$(msec "$1" "$2" "$n1"); b=$(msec "$1" "$2" "$n2")
  awk -v a="$a" -v b="$b" -v n="$((n2 - n1))" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'
}
for c in ${CAPTURES:-2023-01-18 2023-03-15 2023-11-15 2026-01-15}; do
  f=$(per_call "$c" floor); l=$(per_call "$c" links); a=$(per_call "$c" audit)
  awk -v c="$c" -v f="$f" -v l="$l" -v a="$a" 'BEGIN {
    printf "%s: floor %.1f µs, cert links %.1f, audit %.1f; audit/floor %.3f, audit/(floor+links) %.3f\n",
      c, f, l, a, a / f, a / (f + l) }'
done
