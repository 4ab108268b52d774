"""Baseline: a QR payload of the same claims as COSE_Sign1 with ES256, signed and verified
with pycose (on OpenSSL through `cryptography`), one thread, per second. The last line is
`RESULT python sign_per_s=… verify_per_s=…` for bench/run-qr.sh.

    bench/.venv/bin/python bench/qr_baseline.py
"""

import time

import cbor2
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys.curves import P256
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message

# The claims the ecert benchmark signs, under the same small integer labels.
CLAIMS = {
    1: "1.2.156.3005.2.11100000000013338W.100001.001.K",
    2: 1,
    3: "张三",
    4: "110101********123X",
    5: "11110101234",
    6: "北京某某建筑设计研究院有限公司",
    7: 20250301,
    8: 20270228,
    9: 20261201,
    10: 20270228,
    11: 1796090400,
}


def rate(call):
    for _ in range(50):
        call()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 2.0:
        call()
        count += 1
    return count / (time.perf_counter() - start)


def main():
    key = EC2Key.generate_key(crv=P256)
    payload = cbor2.dumps(CLAIMS)

    def sign():
        message = Sign1Message(phdr={Algorithm: Es256, KID: b"bench-key"}, payload=payload)
        message.key = key
        return message.encode()

    encoded = sign()

    def verify():
        message = Sign1Message.decode(encoded)
        message.key = key
        assert message.verify_signature()
        cbor2.loads(message.payload)

    sign_rate, verify_rate = rate(sign), rate(verify)
    print(f"pycose ES256: sign {sign_rate:.0f}/s, verify {verify_rate:.0f}/s (one core)")
    print(f"RESULT python sign_per_s={sign_rate:.1f} verify_per_s={verify_rate:.1f}")


if __name__ == "__main__":
    main()
