//! Runs every QR verification vector in `vectors/qr/` and compares with its expectation.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use ecert_sign::{TrustList, VerifiedClaims, verify_payload};
use serde_json::Value;

#[test]
fn every_qr_vector_gives_its_expected_result() {
    let dir = common::repo_root().join("vectors/qr");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            check(&path);
            count += 1;
        }
    }
    assert!(count >= 17, "only {count} vectors in {}", dir.display());
}

fn check(path: &std::path::Path) {
    let name = path.file_name().unwrap().to_string_lossy();
    let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let trust = TrustList::from_json(&vector["trust_list"].to_string()).unwrap();
    let now = vector["now"].as_str().unwrap().parse().unwrap();
    let result = verify_payload(vector["input"].as_str().unwrap(), &trust, now);
    let expected = &vector["expected"];
    if expected["valid"].as_bool().unwrap() {
        let want: VerifiedClaims = serde_json::from_value(expected["verified"].clone()).unwrap();
        assert_eq!(result.as_ref().ok(), Some(&want), "{name}: {result:?}");
    } else {
        let code = result.as_ref().map_err(ecert_sign::Refusal::code);
        assert_eq!(
            code.err(),
            expected["reason"].as_str(),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn the_vectors_cover_every_case_the_security_bar_names() {
    let dir = common::repo_root().join("vectors/qr");
    for name in [
        "es256_plain_valid",
        "sm2_plain_valid",
        "es256_zlib_valid",
        "sm2_zlib_valid",
        "es256_flipped_signature_byte",
        "unknown_key",
        "retired_key_after_retirement",
        "retired_key_before_retirement",
        "es256_truncated",
        "oversized",
        "wrong_algorithm",
        "bad_base64",
    ] {
        assert!(
            dir.join(format!("{name}.json")).exists(),
            "{name} is missing"
        );
    }
}
