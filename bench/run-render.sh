#!/usr/bin/env bash
# Renders the sample certificate with ecert-render (PDF and OFD) and with the Python
# baseline (reportlab + qrcode, same font) in one run, and prints the per-file p50 ratio.
#
#   bench/run-render.sh [N]        N files per renderer (default 200)
#
# The Python side runs in bench/.venv (created here from bench/requirements.txt).
set -euo pipefail

cd "$(dirname "$0")/.."
n="${1:-200}"

source bench/python-venv.sh

echo "== ecert-render (Rust, one thread) =="
rust_out="$(ECERT_BENCH_N="$n" CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" \
    cargo bench --quiet -p ecert-render --bench render 2>/dev/null)"
echo "$rust_out" | grep -v '^RESULT'

echo "== reportlab baseline (Python) =="
py_out="$(bench/.venv/bin/python bench/render_baseline.py "$n")"
echo "$py_out" | grep -v '^RESULT'

field() { # field <output> <renderer> <key>
    echo "$1" | awk -v r="$2" -v k="$3" '$1 == "RESULT" && $2 == r {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

pdf_p50="$(field "$rust_out" pdf p50_ms)"
ofd_p50="$(field "$rust_out" ofd p50_ms)"
py_p50="$(field "$py_out" python p50_ms)"
echo "== ratio (p50) =="
awk -v py="$py_p50" -v pdf="$pdf_p50" -v ofd="$ofd_p50" 'BEGIN {
    printf "reportlab PDF %.2f ms / ecert PDF %.2f ms = %.1fx\n", py, pdf, py / pdf
    printf "reportlab PDF %.2f ms / ecert OFD %.2f ms = %.1fx\n", py, ofd, py / ofd
}'
