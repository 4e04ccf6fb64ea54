#!/bin/sh
# Counts the signature verifications `flow::audit` really performs on each
# capture: callgrind call counts of aws-lc's ED25519_verify, ECDSA_do_verify
# and RSA_verify for N=1 and N=3 audits; (N3 - N1) / 2 per audit, setup cancelled.
# Needs valgrind and `cargo build --release -p e2ei-benches --example flowrun`.
set -eu
bin=${CARGO_TARGET_DIR:-target}/release/examples/flowrun
count() {
  out=$(mktemp)
  valgrind -q --tool=callgrind --callgrind-out-file="$out" "$bin" once "$1" "$2" "$3" >/dev/null 2>&1
  awk '/^cfn=/{f=($0 ~ /_(ED25519_verify|ECDSA_do_verify|RSA_verify)$/)} /^calls=/{if(f){split($1,a,"=");n+=a[2]}; f=0} END{print n+0}' "$out"
  rm -f "$out"
}
for c in 2023-01-18 2023-03-15 2023-11-15 2026-01-15; do
  for kind in floor audit; do
    one=$(count $c $kind 1); three=$(count $c $kind 3)
    echo "$c $kind: $(( (three - one) / 2 )) verifications per call"
  done
done
