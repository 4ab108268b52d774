"""Baseline: the sample certificate rendered with reportlab and signed with pyHanko (PAdES,
ECDSA P-256, SHA-256), one thread, per file p50 and p99. The last line is `RESULT python ...`
for bench/run-sign.sh. The key and self-issued certificate are made with OpenSSL each run.

    bench/.venv/bin/python bench/sign_baseline.py [N]
"""

import io
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_baseline as baseline  # noqa: E402


def make_signer(folder):
    key, cert = Path(folder) / "key.pem", Path(folder) / "cert.pem"
    subprocess.run(["openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout",
                    "-out", str(key)], check=True)
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", str(key), "-subj",
                    "/CN=baseline", "-days", "30", "-out", str(cert)], check=True)
    return signers.SimpleSigner.load(str(key), str(cert))


def render_and_sign(signer, photo, signature):
    pdf = baseline.render(baseline.SHEET, photo, signature)
    meta = signers.PdfSignatureMetadata(
        field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return out.getvalue()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    pdfmetrics.registerFont(TTFont("WenKai", str(baseline.FONT_PATH)))
    photo, signature = baseline.sample_images()
    with tempfile.TemporaryDirectory() as folder:
        signer = make_signer(folder)
        for _ in range(3):
            render_and_sign(signer, photo, signature)
        times, size = [], 0
        for _ in range(n):
            start = time.perf_counter()
            size = len(render_and_sign(signer, photo, signature))
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[max(0, math.ceil(len(times) * 0.99) - 1)]
    print(f"reportlab + pyHanko: p50 {p50:.2f} ms, p99 {p99:.2f} ms, {size} bytes, {n} files")
    print(f"RESULT python p50_ms={p50:.3f} p99_ms={p99:.3f} bytes={size}")


if __name__ == "__main__":
    main()
