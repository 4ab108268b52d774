"""Outside check of ecert's PDF signatures with pyHanko.

Usage: pyhanko_validate.py SIGNED.pdf CERT.der
Prints one JSON line: intact, valid, trusted, coverage (or error when pyHanko refuses to
read the signature at all). The trust root is the signer's own certificate.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


def main(pdf_path, cert_path):
    cert = load_cert_from_pemder(cert_path)
    context = ValidationContext(trust_roots=[cert])
    try:
        with open(pdf_path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            signature = reader.embedded_signatures[-1]
            status = validate_pdf_signature(signature, context)
            result = {
                "intact": bool(status.intact),
                "valid": bool(status.valid),
                "trusted": bool(status.trusted),
                "coverage": status.coverage.name,
                "entire_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                "subfilter": str(signature.sig_object.get("/SubFilter")),
            }
    except Exception as e:  # any refusal to read counts as not intact
        result = {"intact": False, "valid": False, "error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
