#!/bin/sh
# Counts the signature verifications `flow::audit` really performs on each
# capture, beside the floor and the certificate links: callgrind call counts
# of the aws-lc functions every Ed25519, ECDSA and RSA verification goes
# through (ed25519_verify_internal, ecdsa_do_verify_no_self_test,
# rsa_verify_no_self_test: the public ED25519_verify / ECDSA_do_verify /
# RSA_verify are bypassed by the EVP paths aws-lc-rs takes, so counting them
# gave 0) for N=1 and N=3 calls; (N3 - N1) / 2 per call, setup cancelled.
# Needs valgrind and `cargo build --release -p e2ei-benches --example flowrun`.
set -eu
bin=${CARGO_TARGET_DIR:-target}/release/examples/flowrun
count() {
  out=$(mktemp)
  valgrind -q --tool=callgrind --callgrind-out-file="$out" "$bin" once "$1" "$2" "$3" >/dev/null 2>&1
  perl -ne 'if (/^(c?)fn=\((\d+)\)(?: (.*))?/) { my ($c, $id) = ($1, $2); $n{$id} = $3 if defined $3; $f = $c && ($n{$id} // "") =~ /_(ed25519_verify_internal|ecdsa_do_verify_no_self_test|rsa_verify_no_self_test)$/ }
    elsif (/^calls=(\d+)/) { $t += $1 if $f; $f = 0 } END { print $t + 0, "\n" }' "$out"
  rm -f "$out"
}
for c in ${CAPTURES:-2023-01-18 2023-03-15 2023-11-15 2026-01-15}; do
  for kind in floor links audit; do
    one=$(count $c $kind 1); three=$(count $c $kind 3)
    echo "$c $kind: $(( (three - one) / 2 )) verifications per call"
  done
done
