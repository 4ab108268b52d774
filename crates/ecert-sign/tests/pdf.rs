//! PAdES signatures of the certificate PDF, checked by pyHanko, qpdf and our own verifier.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;

use common::{at, python, record, repo_root, run, text, write};
use ecert_render::layout::{PAGE_HEIGHT, SEAL_STAMP};
use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{
    Algorithm, KeyRecord, Refusal, SignError, StampPlacement, TrustList, sign_pdf, verify_pdf,
};

const SIGNED_AT: &str = "2026-12-01T02:30:00Z";

fn rendered() -> Vec<u8> {
    let assets = RenderAssets::load().unwrap();
    ecert_render::render_pdf(&CertificateSheet::sample(), &assets, at(SIGNED_AT)).unwrap()
}

fn stamp() -> StampPlacement {
    StampPlacement {
        rect: SEAL_STAMP.to_pdf_points(PAGE_HEIGHT),
    }
}

fn signed(key: &KeyRecord) -> Vec<u8> {
    let signer = key.signer(&common::kek()).unwrap();
    sign_pdf(&rendered(), &signer, at(SIGNED_AT), Some(stamp())).unwrap()
}

fn trust(key: &KeyRecord) -> TrustList {
    TrustList::from_records([key]).unwrap()
}

/// pyHanko's verdict on `pdf`, as JSON.
fn pyhanko(dir: &Path, pdf: &[u8], key: &KeyRecord) -> serde_json::Value {
    let pdf = write(dir, "signed.pdf", pdf);
    let cert = write(dir, "cert.der", &key.certificate);
    let script = repo_root().join("crates/ecert-sign/tests/pyhanko_validate.py");
    let args = [text(&script), text(&pdf), text(&cert)];
    let out = run(text(&python()), &args, "scripts/python-tools");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

/// Flips one byte at `at`, to a different printable byte.
fn flipped(pdf: &[u8], at: usize) -> Vec<u8> {
    let mut pdf = pdf.to_vec();
    pdf[at] = if pdf[at] == b'7' { b'8' } else { b'7' };
    pdf
}

#[test]
fn pyhanko_finds_the_signature_intact_valid_trusted_and_covering_the_whole_file() {
    let key = record(Algorithm::Es256);
    let dir = tempfile::tempdir().unwrap();
    let verdict = pyhanko(dir.path(), &signed(&key), &key);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["trusted"], true, "{verdict}");
    assert_eq!(verdict["entire_file"], true, "{verdict}");
    assert_eq!(verdict["subfilter"], "/ETSI.CAdES.detached", "{verdict}");
}

#[test]
fn signing_appends_to_the_rendered_bytes_without_changing_them() {
    let key = record(Algorithm::Es256);
    let original = rendered();
    let pdf = signed(&key);
    assert!(pdf.starts_with(&original));
    assert!(pdf.len() > original.len());
}

#[test]
fn a_flipped_byte_in_the_original_content_is_refused_by_pyhanko_and_by_us() {
    let key = record(Algorithm::Es256);
    let pdf = signed(&key);
    let tampered = flipped(&pdf, rendered().len() / 2);
    let dir = tempfile::tempdir().unwrap();
    let verdict = pyhanko(dir.path(), &tampered, &key);
    assert_eq!(verdict["intact"], false, "{verdict}");
    let refusal = verify_pdf(&tampered, &trust(&key)).unwrap_err();
    assert!(matches!(refusal, Refusal::Altered(_)), "{refusal:?}");
}

#[test]
fn a_flipped_byte_in_the_appended_update_outside_contents_is_refused_by_pyhanko_and_by_us() {
    let key = record(Algorithm::Es256);
    let pdf = signed(&key);
    // The last digit of the update's startxref offset: outside /Contents, inside the range.
    let at = pdf.len() - "\n%%EOF\n".len() - 1;
    let tampered = flipped(&pdf, at);
    let dir = tempfile::tempdir().unwrap();
    let verdict = pyhanko(dir.path(), &tampered, &key);
    assert_ne!(verdict["intact"], true, "{verdict}");
    let refusal = verify_pdf(&tampered, &trust(&key)).unwrap_err();
    assert!(matches!(refusal, Refusal::Altered(_)), "{refusal:?}");
}

#[test]
fn qpdf_checks_the_signed_file_and_pdftotext_still_finds_the_name() {
    let key = record(Algorithm::Es256);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "signed.pdf", &signed(&key));
    let check = run("qpdf", &["--check", text(&path)], "apt-get install qpdf");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        report.contains("No syntax or stream encoding errors"),
        "{report}"
    );
    let extracted = run(
        "pdftotext",
        &[text(&path), "-"],
        "apt-get install poppler-utils",
    );
    let extracted = String::from_utf8_lossy(&extracted.stdout);
    assert!(
        extracted.contains(&CertificateSheet::sample().name),
        "{extracted}"
    );
}

#[test]
fn a_good_signature_verifies_with_its_key_id_and_signing_time() {
    let key = record(Algorithm::Es256);
    let info = verify_pdf(&signed(&key), &trust(&key)).unwrap();
    assert_eq!(info.key_id, key.id);
    assert_eq!(info.signed_at, at(SIGNED_AT));
    assert_eq!(info.algorithm, Algorithm::Es256);
}

#[test]
fn a_signature_by_a_key_missing_from_the_trust_list_is_refused() {
    let key = record(Algorithm::Es256);
    let other = record(Algorithm::Es256);
    let refusal = verify_pdf(&signed(&key), &trust(&other)).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::UnknownKey {
            kid: key.id.clone()
        }
    );
}

#[test]
fn a_signature_dated_after_its_key_was_retired_is_refused() {
    let mut key = record(Algorithm::Es256);
    let pdf = signed(&key);
    key.retire(at("2026-06-01T00:00:00Z"));
    let refusal = verify_pdf(&pdf, &trust(&key)).unwrap_err();
    assert_eq!(refusal.code(), "key_retired");
}

#[test]
fn an_unsigned_pdf_is_refused_as_not_signed() {
    let key = record(Algorithm::Es256);
    assert_eq!(
        verify_pdf(&rendered(), &trust(&key)),
        Err(Refusal::NotSigned)
    );
}

#[test]
fn bytes_appended_after_the_signature_are_refused_as_altered() {
    let key = record(Algorithm::Es256);
    let mut pdf = signed(&key);
    pdf.extend_from_slice(b"% appended\n");
    let refusal = verify_pdf(&pdf, &trust(&key)).unwrap_err();
    assert!(matches!(refusal, Refusal::Altered(_)), "{refusal:?}");
}

#[test]
fn an_sm2_key_is_refused_for_pdf_signing() {
    let key = record(Algorithm::Sm2Sm3);
    let signer = key.signer(&common::kek()).unwrap();
    let result = sign_pdf(&rendered(), &signer, at(SIGNED_AT), Some(stamp()));
    assert!(matches!(result, Err(SignError::Document(_))), "{result:?}");
}
