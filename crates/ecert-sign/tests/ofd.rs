//! The OFD seal, checked by sOFD, OpenSSL, ofd-core and our own verifier.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::io::{Cursor, Read as _, Write as _};

use common::{at, kek, openssl, record, run, text, write};
use ecert_render::ofd::OfdPackage;
use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{Algorithm, KeyRecord, Refusal, SignError, TrustList, seal_ofd, verify_ofd};

const SIGNED_AT: &str = "2026-12-01T02:30:00Z";

fn package() -> OfdPackage {
    let assets = RenderAssets::load().unwrap();
    ecert_render::build_ofd(&CertificateSheet::sample(), &assets, at(SIGNED_AT)).unwrap()
}

/// A PNG from the rendered package itself, standing in for the seal artwork.
fn seal_png(package: &OfdPackage) -> Vec<u8> {
    package.files()["Doc_0/Res/Image_4.png"].clone()
}

fn sealed_package(key: &KeyRecord) -> OfdPackage {
    let signer = key.signer(&kek()).unwrap();
    let mut package = package();
    let png = seal_png(&package);
    seal_ofd(&mut package, &signer, &png, at(SIGNED_AT)).unwrap();
    package
}

fn sealed(key: &KeyRecord) -> Vec<u8> {
    sealed_package(key).zip().unwrap()
}

fn trust(key: &KeyRecord) -> TrustList {
    TrustList::from_records([key]).unwrap()
}

/// The zip's parts by name, in order.
fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// A zip of `parts`, stored uncompressed.
fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn part(zip: &[u8], name: &str) -> Vec<u8> {
    unzip(zip).into_iter().find(|(n, _)| n == name).unwrap().1
}

/// sOFD's `verify` on `ofd`: whether it succeeded, and what it printed.
fn sofd_verify(ofd: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "sealed.ofd", ofd);
    let sofd = format!("{}/.cargo/bin/sofd", std::env::var("HOME").unwrap());
    let out = run(
        &sofd,
        &["--locale", "en-US", "verify", text(&path)],
        "the sofd tool",
    );
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

#[test]
fn our_verifier_accepts_a_freshly_sealed_package() {
    let key = record(Algorithm::Sm2Sm3);
    let info = verify_ofd(&sealed(&key), &trust(&key)).unwrap();
    assert_eq!(info.key_id, key.id);
    assert_eq!(info.seal_key_id, key.id);
    assert_eq!(info.signed_at, at(SIGNED_AT));
    assert!(info.covered_parts >= 6);
}

#[test]
fn sofd_reports_the_seal_valid() {
    let key = record(Algorithm::Sm2Sm3);
    let (ok, report) = sofd_verify(&sealed(&key));
    println!("{report}");
    assert!(ok, "{report}");
}

#[test]
fn an_es256_key_is_refused_for_the_ofd_seal() {
    let key = record(Algorithm::Es256);
    let signer = key.signer(&kek()).unwrap();
    let mut package = package();
    let png = seal_png(&package);
    let err = seal_ofd(&mut package, &signer, &png, at(SIGNED_AT)).unwrap_err();
    assert!(
        matches!(err, SignError::Document(ref m) if m.contains("SM2")),
        "{err}"
    );
}

#[test]
fn ofd_core_still_finds_no_problem_in_the_sealed_package() {
    let key = record(Algorithm::Sm2Sm3);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "sealed.ofd", &sealed(&key));
    let report = ofd_core::check_path(&path);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.conforms());
}

/// `SES_Signature` read only as far as the OpenSSL check needs.
#[derive(der::Sequence)]
struct SesSignature {
    to_sign: der::asn1::Any,
    cert: der::asn1::OctetString,
    algorithm: der::asn1::ObjectIdentifier,
    signature: der::asn1::BitString,
}

#[test]
fn openssl_verifies_the_signature_value_over_the_tbs_sign_der() {
    use der::{Decode as _, Encode as _};
    let key = record(Algorithm::Sm2Sm3);
    let value = part(&sealed(&key), "Doc_0/Signs/Sign_0/SignedValue.dat");
    let value = SesSignature::from_der(&value).unwrap();
    assert_eq!(value.algorithm.to_string(), "1.2.156.10197.1.501");
    assert_eq!(value.cert.as_bytes(), key.certificate.as_slice());
    let dir = tempfile::tempdir().unwrap();
    let spki = key.public_key().unwrap().to_spki_der().unwrap();
    let public = write(dir.path(), "pub.der", &spki);
    let tbs = write(dir.path(), "tbs.der", &value.to_sign.to_der().unwrap());
    let sig = write(dir.path(), "sig.der", value.signature.raw_bytes());
    let out = openssl(&[
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
        text(&tbs),
        "-sigfile",
        text(&sig),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every part a seal covers: all but the four signature parts.
fn covered_parts(zip: &[u8]) -> Vec<String> {
    unzip(zip)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !name.starts_with("Doc_0/Signs/"))
        .collect()
}

#[test]
fn changing_any_part_is_refused_as_altered_naming_the_part() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    for name in covered_parts(&zip) {
        let mut parts = unzip(&zip);
        let bytes = &mut parts.iter_mut().find(|(n, _)| *n == name).unwrap().1;
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        match verify_ofd(&rezip(&parts), &trust(&key)) {
            Err(Refusal::Altered(why)) => assert!(why.contains(&name), "{why}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// sOFD checks the SM2 signature value but does not recompute the reference digests (it
/// still says "Valid" for a changed font), so the part-by-part checks above are ours alone.
#[test]
fn sofd_and_our_verifier_refuse_a_changed_signature_value() {
    let key = record(Algorithm::Sm2Sm3);
    let mut parts = unzip(&sealed(&key));
    let value = &mut parts
        .iter_mut()
        .find(|(n, _)| n == "Doc_0/Signs/Sign_0/SignedValue.dat")
        .unwrap()
        .1;
    let inside_signature = value.len() - 10;
    value[inside_signature] ^= 0x01;
    let changed = rezip(&parts);
    let (ok, report) = sofd_verify(&changed);
    assert!(!ok, "sOFD accepted a changed signature value: {report}");
    let refusal = verify_ofd(&changed, &trust(&key)).unwrap_err();
    assert_eq!(refusal.code(), "bad_signature", "{refusal}");
}

#[test]
fn removing_any_part_is_refused() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    for (name, _) in unzip(&zip) {
        let mut parts = unzip(&zip);
        parts.retain(|(n, _)| *n != name);
        let removed = rezip(&parts);
        let refusal = verify_ofd(&removed, &trust(&key)).unwrap_err();
        let expected = if name == "Doc_0/Signs/Signatures.xml" {
            "not_signed"
        } else {
            "altered"
        };
        assert_eq!(refusal.code(), expected, "{name}: {refusal}");
    }
}

#[test]
fn adding_a_part_anywhere_is_refused_as_altered() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    for name in [
        "Doc_0/Res/extra.png",
        "Doc_0/Signs/Sign_0/extra.dat",
        "extra.xml",
    ] {
        let mut parts = unzip(&zip);
        parts.push((name.to_owned(), b"<a/>".to_vec()));
        match verify_ofd(&rezip(&parts), &trust(&key)) {
            Err(Refusal::Altered(why)) => assert!(why.contains(name), "{why}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn a_seal_by_a_key_not_on_the_trust_list_is_refused() {
    let key = record(Algorithm::Sm2Sm3);
    let other = record(Algorithm::Sm2Sm3);
    let refusal = verify_ofd(&sealed(&key), &trust(&other)).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::UnknownKey {
            kid: key.id.clone()
        }
    );
}

#[test]
fn a_seal_made_after_the_key_was_retired_is_refused() {
    let mut key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    key.retire(at("2026-06-01T00:00:00Z"));
    let refusal = verify_ofd(&zip, &trust(&key)).unwrap_err();
    assert_eq!(refusal.code(), "key_retired");
}

#[test]
fn an_unsigned_package_is_refused_as_not_signed() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = package().zip().unwrap();
    assert_eq!(verify_ofd(&zip, &trust(&key)), Err(Refusal::NotSigned));
}

#[test]
fn parent_and_absolute_zip_entries_are_refused() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    for name in ["../evil.xml", "/etc/evil.xml", "Doc_0/../../evil.xml"] {
        let mut parts = unzip(&zip);
        parts.push((name.to_owned(), b"<a/>".to_vec()));
        let refusal = verify_ofd(&rezip(&parts), &trust(&key)).unwrap_err();
        assert_eq!(refusal.code(), "malformed", "{name}: {refusal}");
    }
}

#[test]
fn a_signature_description_with_a_dtd_is_refused() {
    let key = record(Algorithm::Sm2Sm3);
    let mut parts = unzip(&sealed(&key));
    let signature = &mut parts
        .iter_mut()
        .find(|(n, _)| n == "Doc_0/Signs/Sign_0/Signature.xml")
        .unwrap()
        .1;
    let text = String::from_utf8(signature.clone()).unwrap();
    let with_dtd = text.replacen("?>", "?><!DOCTYPE x [<!ENTITY e \"e\">]>", 1);
    *signature = with_dtd.into_bytes();
    let refusal = verify_ofd(&rezip(&parts), &trust(&key)).unwrap_err();
    assert_eq!(refusal.code(), "malformed", "{refusal}");
}

#[test]
fn a_package_with_too_many_entries_is_refused_before_reading_them() {
    let key = record(Algorithm::Sm2Sm3);
    let parts: Vec<_> = (0..300).map(|i| (format!("p{i}"), Vec::new())).collect();
    let refusal = verify_ofd(&rezip(&parts), &trust(&key)).unwrap_err();
    assert_eq!(refusal.code(), "malformed", "{refusal}");
}

#[test]
fn changing_the_signature_description_or_the_seal_is_refused_as_altered() {
    let key = record(Algorithm::Sm2Sm3);
    let zip = sealed(&key);
    for name in [
        "Doc_0/Signs/Sign_0/Signature.xml",
        "Doc_0/Signs/Sign_0/Seal.esl",
    ] {
        let mut parts = unzip(&zip);
        let bytes = &mut parts.iter_mut().find(|(n, _)| n == name).unwrap().1;
        let text = String::from_utf8_lossy(bytes).into_owned();
        *bytes = if name.contains("Signature") {
            text.replace("ProviderName=\"ecert\"", "ProviderName=\"other\"")
                .into_bytes()
        } else {
            let mut changed = bytes.clone();
            changed[100] ^= 0x01;
            changed
        };
        match verify_ofd(&rezip(&parts), &trust(&key)) {
            Err(Refusal::Altered(why)) => assert!(why.contains(name), "{why}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}
