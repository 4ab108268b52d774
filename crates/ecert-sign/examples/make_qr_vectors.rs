//! Writes the QR verification vectors of `vectors/qr/` (run once; the files are kept).
//!
//! `cargo run -p ecert-sign --example make_qr_vectors -- vectors/qr`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a one-off generator that fails loudly"
)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecert_sign::qr::{sign_cose, zlib};
use ecert_sign::{
    Algorithm, Claims, Kek, KeyRecord, SignError, Signer, TrustList, Validity, payload_url,
    verify_payload,
};
use jiff::Timestamp;
use jiff::civil::date;
use serde_json::{Value, json};

const BASE: &str = "https://ecert.example.gov.cn";
const NOW: &str = "2026-12-02T00:00:00Z";
const ISSUED: &str = "2026-12-01T02:00:00Z";

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or("vectors/qr".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let kek = Kek::from_slice(&[9u8; 32]).unwrap();
    let es = key(Algorithm::Es256, &kek);
    let sm = key(Algorithm::Sm2Sm3, &kek);
    let es_signer = es.signer(&kek).unwrap();
    let sm_signer = sm.signer(&kek).unwrap();
    let trust = TrustList::from_records([&es, &sm]).unwrap();
    let es_cose = sign_cose(&claims(ISSUED), &es_signer).unwrap();
    let sm_cose = sign_cose(&claims(ISSUED), &sm_signer).unwrap();
    let out = Out {
        dir: &dir,
        trust: &trust,
    };

    out.url(
        "es256_plain_valid",
        "ES256, uncompressed, as a URL",
        &es_cose,
    );
    out.write(
        "es256_zlib_valid",
        "ES256, zlib-compressed",
        &b64(&zlib(&es_cose).unwrap()),
    );
    out.url(
        "sm2_plain_valid",
        "SM2 with SM3, uncompressed, as a URL",
        &sm_cose,
    );
    out.write(
        "sm2_zlib_valid",
        "SM2 with SM3, zlib-compressed",
        &b64(&zlib(&sm_cose).unwrap()),
    );
    out.write(
        "es256_flipped_signature_byte",
        "last byte of the signature flipped",
        &b64(&flip(&es_cose, es_cose.len() - 1)),
    );
    out.write(
        "sm2_flipped_claim_byte",
        "one byte of the name flipped",
        &b64(&flip(&sm_cose, 40)),
    );
    out.write(
        "es256_flipped_zlib_byte",
        "one byte of the zlib data flipped",
        &b64(&flip(&zlib(&es_cose).unwrap(), 30)),
    );
    out.write(
        "es256_truncated",
        "the last 20 bytes missing",
        &b64(&es_cose[..es_cose.len() - 20]),
    );
    out.write(
        "es256_zlib_truncated",
        "zlib data cut in half",
        &b64(&zlib(&es_cose).unwrap()[..150]),
    );
    out.write(
        "oversized",
        "3000 characters, refused before decoding",
        &"A".repeat(3000),
    );
    out.write(
        "zlib_bomb",
        "zlib data inflating to 100 kB",
        &b64(&zlib(&vec![0xD2; 100_000]).unwrap()),
    );
    out.write("bad_base64", "characters outside base64url", "not*base64!");
    out.write("not_cose", "base64url of plain text", &b64(b"hello, world"));
    out.write(
        "wrong_algorithm",
        "header says SM2-SM3 for an ES256 key",
        &b64(&sign_cose(&claims(ISSUED), &Liar(&es_signer)).unwrap()),
    );

    key_cases(&out, &kek);
    println!("vectors written to {}", dir.display());
}

/// Cases about the key itself: unknown, and retired before or after signing.
fn key_cases(out: &Out<'_>, kek: &Kek) {
    let other = key(Algorithm::Es256, kek);
    let other_cose = sign_cose(&claims(ISSUED), &other.signer(kek).unwrap()).unwrap();
    out.write(
        "unknown_key",
        "signed by a key not on the trust list",
        &b64(&other_cose),
    );

    let mut retired = other.clone();
    retired.retire("2026-11-01T00:00:00Z".parse().unwrap());
    let retired_trust = TrustList::from_records([&retired]).unwrap();
    let late = Out {
        dir: out.dir,
        trust: &retired_trust,
    };
    late.write(
        "retired_key_after_retirement",
        "signed a month after the key's retirement",
        &b64(&other_cose),
    );
    let early = sign_cose(&claims("2026-10-01T00:00:00Z"), &other.signer(kek).unwrap()).unwrap();
    late.write(
        "retired_key_before_retirement",
        "signed a month before the key's retirement",
        &b64(&early),
    );
}

fn key(alg: Algorithm, kek: &Kek) -> KeyRecord {
    let validity = Validity {
        not_before: "2025-01-01T00:00:00Z".parse().unwrap(),
        not_after: "2035-01-01T00:00:00Z".parse().unwrap(),
    };
    KeyRecord::generate(alg, kek, "ecert vector key", validity).unwrap()
}

fn claims(issued_at: &str) -> Claims {
    Claims {
        licence_id: "1.2.156.3005.2.11100000000013338W.100001.001.K".into(),
        version: 1,
        name: "张三".into(),
        masked_id: "110101********123X".into(),
        registration_number: "11110101234".into(),
        employer: "北京某某建筑设计研究院有限公司".into(),
        registration_valid_from: date(2025, 3, 1),
        registration_valid_until: date(2027, 2, 28),
        usage_first_day: date(2026, 12, 1),
        usage_last_day: date(2027, 2, 28),
        issued_at: issued_at.parse().unwrap(),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut changed = bytes.to_vec();
    changed[at] ^= 0x01;
    changed
}

/// A signer that names the wrong algorithm in the header.
struct Liar<'a>(&'a dyn Signer);

impl Signer for Liar<'_> {
    fn key_id(&self) -> &str {
        self.0.key_id()
    }
    fn algorithm(&self) -> Algorithm {
        Algorithm::Sm2Sm3
    }
    fn certificate_der(&self) -> &[u8] {
        self.0.certificate_der()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.0.sign(message)
    }
}

struct Out<'a> {
    dir: &'a Path,
    trust: &'a TrustList,
}

impl Out<'_> {
    fn url(&self, name: &str, description: &str, cose: &[u8]) {
        self.write(name, description, &payload_url(BASE, &b64(cose)));
    }

    /// Verifies the input now, and records the result as the expectation.
    fn write(&self, name: &str, description: &str, input: &str) {
        let now: Timestamp = NOW.parse().unwrap();
        let expected = match verify_payload(input, self.trust, now) {
            Ok(verified) => json!({ "valid": true, "verified": verified }),
            Err(refusal) => json!({ "valid": false, "reason": refusal.code() }),
        };
        let trust: Value = serde_json::from_str(&self.trust.to_json()).unwrap();
        let vector = json!({
            "description": description,
            "input": input,
            "now": NOW,
            "trust_list": trust,
            "expected": expected,
        });
        let text = serde_json::to_string_pretty(&vector).unwrap() + "\n";
        std::fs::write(self.dir.join(format!("{name}.json")), text).unwrap();
        println!("{name}: {}", expected_summary(&vector["expected"]));
    }
}

fn expected_summary(expected: &Value) -> String {
    match expected["reason"].as_str() {
        Some(reason) => format!("refused ({reason})"),
        None => "valid".into(),
    }
}
