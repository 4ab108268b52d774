#!/usr/bin/env bash
# Signs and verifies the QR payload with ecert (ES256 and SM2 with SM3) and, for ES256, with
# pycose in one run, and prints the ES256 verification ratio.
#
#   bench/run-qr.sh
set -euo pipefail

cd "$(dirname "$0")/.."

source bench/python-venv.sh

echo "== ecert (Rust, one thread) =="
rust_out="$(cargo bench --quiet -p ecert-sign --bench qr 2>/dev/null)"
echo "$rust_out"

echo "== pycose baseline (Python) =="
py_out="$(bench/.venv/bin/python bench/qr_baseline.py)"
echo "$py_out" | grep -v '^RESULT'

rust_verify="$(echo "$rust_out" | awk '$1 == "ES256:" { gsub("/s,?", "", $5); print $5 }')"
py_verify="$(echo "$py_out" | awk '$1 == "RESULT" { split($4, kv, "="); print kv[2] }')"
echo "== ratio (ES256 verifications per second) =="
awk -v py="$py_verify" -v rs="$rust_verify" 'BEGIN {
    printf "ecert %.0f/s / pycose %.0f/s = %.1fx\n", rs, py, rs / py
}'
