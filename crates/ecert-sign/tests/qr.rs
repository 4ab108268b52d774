//! The signed QR payload: round trips, refusals, and whether the worst case fits the code.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::{at, claims, kek, record, worst_case_claims};
use ecert_sign::{Algorithm, Refusal, TrustList, payload_url, sign_payload, verify_payload};

const BASE: &str = "https://ecert.mohurd.gov.cn";

fn signed(alg: Algorithm) -> (String, TrustList) {
    let record = record(alg);
    let signer = record.signer(&kek()).unwrap();
    let payload = sign_payload(&claims("2026-12-01T02:00:00Z"), &signer).unwrap();
    (payload, TrustList::from_records([&record]).unwrap())
}

fn now() -> jiff::Timestamp {
    at("2026-12-02T00:00:00Z")
}

#[test]
fn an_es256_payload_verifies_with_its_claims() {
    let (payload, trust) = signed(Algorithm::Es256);
    let url = payload_url(BASE, &payload);
    let verified = verify_payload(&url, &trust, now()).unwrap();
    assert_eq!(verified.claims, claims("2026-12-01T02:00:00Z"));
    assert_eq!(verified.algorithm, Algorithm::Es256);
}

#[test]
fn an_sm2_payload_verifies_with_its_claims() {
    let (payload, trust) = signed(Algorithm::Sm2Sm3);
    let verified = verify_payload(&payload, &trust, now()).unwrap();
    assert_eq!(verified.algorithm, Algorithm::Sm2Sm3);
    assert_eq!(verified.claims.name, "张三");
}

#[test]
fn the_trust_list_survives_json() {
    let (payload, trust) = signed(Algorithm::Sm2Sm3);
    let json = trust.to_json();
    assert!(json.contains("\"crv\": \"SM2\""), "{json}");
    let back = TrustList::from_json(&json).unwrap();
    assert!(verify_payload(&payload, &back, now()).is_ok());
}

#[test]
fn every_flipped_byte_is_refused() {
    let (payload, trust) = signed(Algorithm::Es256);
    let bytes = base64_decode(&payload);
    for i in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[i] ^= 0x01;
        let result = verify_payload(&base64_encode(&changed), &trust, now());
        assert!(result.is_err(), "byte {i} flipped still verified");
    }
}

#[test]
fn a_payload_under_another_key_is_refused_as_unknown() {
    let (payload, _) = signed(Algorithm::Es256);
    let (_, other_trust) = signed(Algorithm::Es256);
    let refusal = verify_payload(&payload, &other_trust, now()).unwrap_err();
    assert_eq!(refusal.code(), "unknown_key");
}

#[test]
fn truncated_bad_and_oversized_input_is_refused_with_its_reason() {
    let (payload, trust) = signed(Algorithm::Es256);
    let bytes = base64_decode(&payload);
    let cut = base64_encode(&bytes[..bytes.len() - 20]);
    assert_eq!(
        verify_payload(&cut, &trust, now()).unwrap_err().code(),
        "truncated"
    );
    assert_eq!(
        verify_payload("ab$c", &trust, now()).unwrap_err(),
        Refusal::BadEncoding
    );
    let huge = "A".repeat(5000);
    assert_eq!(
        verify_payload(&huge, &trust, now()).unwrap_err().code(),
        "oversized"
    );
}

#[test]
fn a_zlib_bomb_is_refused_as_oversized() {
    let (_, trust) = signed(Algorithm::Es256);
    let bomb = ecert_sign::qr::zlib(&vec![0xD2; 100_000]).unwrap();
    let refusal = verify_payload(&base64_encode(&bomb), &trust, now()).unwrap_err();
    assert_eq!(refusal.code(), "oversized");
}

#[test]
fn the_worst_case_url_fits_a_version_20_qr_code_at_level_m() {
    for alg in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let record = record(alg);
        let signer = record.signer(&kek()).unwrap();
        let payload = sign_payload(&worst_case_claims("2026-12-01T02:00:00Z"), &signer).unwrap();
        let url = payload_url(BASE, &payload);
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .unwrap_or_else(|e| panic!("{alg}: {} chars do not fit: {e}", url.len()));
        let qrcode::Version::Normal(version) = code.version() else {
            panic!()
        };
        eprintln!(
            "{alg}: worst-case URL {} chars, QR version {version}",
            url.len()
        );
        assert!(
            version <= ecert_render::MAX_QR_VERSION,
            "{alg}: version {version}"
        );
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn pycose_verifies_the_es256_payload_with_the_published_key() {
    let dir = tempfile::tempdir().unwrap();
    let (payload, trust) = signed(Algorithm::Es256);
    let trust_path = common::write(dir.path(), "trust.json", trust.to_json().as_bytes());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pycose_verify.py");
    let python = common::python();
    let python = common::text(&python);
    let check = |payload: &str| {
        common::run(
            python,
            &[script, payload, common::text(&trust_path)],
            "scripts/python-tools",
        )
    };
    let good = check(&payload_url(BASE, &payload));
    let shown = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{shown}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(shown.contains("\"3\": \"张三\""), "{shown}");
    let mut bytes = base64_decode(&payload);
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(!check(&base64_encode(&bytes)).status.success());
}
