//! Key records: generation, encryption at rest, import, retirement, and OpenSSL's view.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::{at, kek, openssl, record, text, write};
use ecert_sign::{Algorithm, Kek, KeyRecord, SignError, Signer as _};

#[test]
fn a_key_record_survives_json_and_still_signs() {
    let record = record(Algorithm::Es256);
    let json = serde_json::to_string(&record).unwrap();
    let back: KeyRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
    let signer = back.signer(&kek()).unwrap();
    let signature = signer
        .sign_at(b"hello", at("2026-01-01T00:00:00Z"))
        .unwrap();
    assert!(
        record
            .public_key()
            .unwrap()
            .verify_der(b"hello", &signature)
    );
}

#[test]
fn a_key_record_holds_no_private_key_in_the_clear() {
    let record = record(Algorithm::Sm2Sm3);
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains("A256GCM"));
    assert_eq!(record.sealed_key.ciphertext.len(), 32 + 16);
    assert_eq!(record.id.len(), 12);
}

#[test]
fn a_wrong_kek_does_not_open_the_key() {
    let record = record(Algorithm::Es256);
    let other = Kek::from_hex(&"ab".repeat(32)).unwrap();
    assert!(matches!(
        record.signer(&other),
        Err(SignError::WrongKek { .. })
    ));
}

#[test]
fn a_sealed_key_moved_into_another_record_does_not_open() {
    let mut first = record(Algorithm::Es256);
    let second = record(Algorithm::Es256);
    first.sealed_key = second.sealed_key;
    assert!(first.signer(&kek()).is_err());
}

#[test]
fn a_retired_key_refuses_to_sign_after_its_retirement_but_not_before() {
    let mut record = record(Algorithm::Sm2Sm3);
    record.retire(at("2026-06-01T00:00:00Z"));
    let signer = record.signer(&kek()).unwrap();
    assert!(signer.sign_at(b"x", at("2026-05-31T23:59:59Z")).is_ok());
    let late = signer.sign_at(b"x", at("2026-06-01T00:00:00Z"));
    assert!(matches!(late, Err(SignError::Retired { .. })));
}

#[test]
fn a_key_refuses_to_sign_outside_its_certificate_validity() {
    let signer = record(Algorithm::Es256).signer(&kek()).unwrap();
    let late = signer.sign_at(b"x", at("2040-01-01T00:00:00Z"));
    assert!(matches!(late, Err(SignError::OutsideValidity { .. })));
}

#[test]
fn openssl_reads_the_self_issued_certificates_and_checks_their_signatures() {
    let dir = tempfile::tempdir().unwrap();
    for alg in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let cert = write(dir.path(), "cert.der", &record(alg).certificate);
        let out = openssl(&[
            "x509",
            "-inform",
            "DER",
            "-in",
            text(&cert),
            "-noout",
            "-text",
        ]);
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(shown.contains("ecert test signing key"), "{shown}");
        assert!(
            shown.contains("Digital Signature, Non Repudiation"),
            "{shown}"
        );
        let pem = dir.path().join("cert.pem");
        let args = [
            "x509",
            "-inform",
            "DER",
            "-in",
            text(&cert),
            "-out",
            text(&pem),
        ];
        assert!(openssl(&args).status.success());
        let check = if alg == Algorithm::Es256 {
            openssl(&[
                "verify",
                "-CAfile",
                text(&pem),
                "-partial_chain",
                text(&pem),
            ])
        } else {
            // OpenSSL 3.0's `verify` cannot pass the SM2 signer ID for a certificate.
            continue;
        };
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

#[test]
fn openssl_verifies_an_sm2_signature_made_by_the_signer() {
    let dir = tempfile::tempdir().unwrap();
    let record = record(Algorithm::Sm2Sm3);
    let signer = record.signer(&kek()).unwrap();
    let message = "一级注册建筑师 electronic certificate".as_bytes();
    let signature = signer.sign_at(message, at("2026-01-01T00:00:00Z")).unwrap();
    let public = write(
        dir.path(),
        "pub.der",
        &record.public_key().unwrap().to_spki_der().unwrap(),
    );
    let msg = write(dir.path(), "msg", message);
    let sig = write(dir.path(), "sig", &signature);
    let verify = |msg: &str| {
        openssl(&[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-keyform",
            "DER",
            "-inkey",
            text(&public),
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            msg,
            "-sigfile",
            text(&sig),
        ])
    };
    let good = verify(text(&msg));
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let other = write(dir.path(), "other", b"another message");
    assert!(!verify(text(&other)).status.success());
}

#[test]
fn a_key_made_by_openssl_imports_with_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.der");
    let made = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        text(&key),
        "-outform",
        "DER",
        "-out",
        text(&cert),
        "-days",
        "30",
        "-subj",
        "/CN=imported",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let pem = std::fs::read(&key).unwrap();
    let der = std::fs::read(&cert).unwrap();
    let record = KeyRecord::import(Algorithm::Es256, &pem, der.clone(), &kek()).unwrap();
    assert_eq!(record.algorithm, Algorithm::Es256);
    let signer = record.signer(&kek()).unwrap();
    let signature = signer.sign(b"imported").unwrap();
    assert!(
        record
            .public_key()
            .unwrap()
            .verify_der(b"imported", &signature)
    );
    let stranger = common::record(Algorithm::Es256).certificate;
    assert!(KeyRecord::import(Algorithm::Es256, &pem, stranger, &kek()).is_err());
}
