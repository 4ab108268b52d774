"""Checks an ecert QR payload with pycose, a COSE library that shares no code with ecert.

Usage: pycose_verify.py PAYLOAD TRUST_LIST_JSON
Prints the claims as JSON and exits 0 when the signature verifies; exits 1 otherwise.
"""

import base64
import json
import sys
import zlib

import cbor2
from pycose.headers import KID
from pycose.keys.curves import P256
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main(payload, trust_path):
    data = b64url(payload.rsplit("/v/", 1)[-1])
    if data[0] == 0x78:
        data = zlib.decompress(data)
    message = Sign1Message.decode(data)
    kid = message.get_attr(KID)
    with open(trust_path, encoding="utf-8") as f:
        keys = json.load(f)["keys"]
    jwk = next(k for k in keys if bytes.fromhex(k["kid"]) == kid)
    message.key = EC2Key(crv=P256, x=b64url(jwk["x"]), y=b64url(jwk["y"]))
    if not message.verify_signature():
        print("signature does not verify")
        return 1
    claims = cbor2.loads(message.payload)
    print(json.dumps({str(k): v for k, v in claims.items()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
