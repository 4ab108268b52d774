#!/usr/bin/env bash
# Renders and signs the sample certificate PDF with ecert (PAdES, ES256) and with the Python
# baseline (reportlab + pyHanko) in one run, and prints the p50 ratio.
#
#   bench/run-sign.sh [N]        N files for the Python baseline (default 100)
set -euo pipefail

cd "$(dirname "$0")/.."
n="${1:-100}"

source bench/python-venv.sh

echo "== ecert render + sign (Rust, one thread) =="
rust_out="$(cargo bench --quiet -p ecert-sign --bench files 2>/dev/null)"
echo "$rust_out"

echo "== reportlab + pyHanko baseline (Python) =="
py_out="$(bench/.venv/bin/python bench/sign_baseline.py "$n")"
echo "$py_out" | grep -v '^RESULT'

rust_p50="$(echo "$rust_out" | awk '/^pdf render \+ sign:/ { print $6 }')"
py_p50="$(echo "$py_out" | awk '$1 == "RESULT" { split($3, kv, "="); print kv[2] }')"
echo "== ratio (p50) =="
awk -v py="$py_p50" -v rs="$rust_p50" 'BEGIN {
    printf "reportlab + pyHanko %.2f ms / ecert %.2f ms = %.1fx\n", py, rs, py / rs
}'
