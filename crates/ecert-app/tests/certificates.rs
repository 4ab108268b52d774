//! Certificate files made from stored registrations, on the engine `ECERT_TEST_DATABASE_URL`
//! names; checked with qpdf and zbarimg.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::process::Command;

use ecert_app::certificates::{CertificateError, FileFormat, Renderer, render_all};
use ecert_app::{IssuerSettings, NoProgress, demo, import};
use ecert_domain::{EndorsementRefusal, RegistrationNumber};
use ecert_store::testing::TestDatabase;
use jiff::Timestamp;
use jiff::civil::date;

fn now() -> Timestamp {
    "2026-12-03T02:00:00Z".parse().unwrap()
}

async fn seeded(count: u32) -> (TestDatabase, tempfile::TempDir, Vec<RegistrationNumber>) {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    demo::seed(
        &db.store,
        &IssuerSettings::development(),
        folder.path(),
        count,
        now(),
    )
    .await
    .unwrap();
    let numbers = db.store.registration_numbers().await.unwrap();
    (db, folder, numbers)
}

fn tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed (apt-get install qpdf zbar-tools poppler-utils): {e}")
        });
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_stored_certificate_renders_with_its_facts_its_period_and_a_qr_to_its_page() {
    let (db, folder, numbers) = seeded(1).await;
    let renderer = Renderer::new("https://verify.example.cn/").unwrap();
    let certificate = renderer
        .prepare(&db.store, &numbers[0], date(2026, 12, 1))
        .await
        .unwrap();
    assert_eq!(certificate.usage.last_day, date(2027, 5, 29));
    assert_eq!(
        certificate.file_name(FileFormat::Pdf),
        format!("{}-v1-2026-12-01.pdf", numbers[0])
    );

    let pdf = renderer
        .render(&certificate, FileFormat::Pdf, now())
        .unwrap();
    let path = folder.path().join("c.pdf");
    std::fs::write(&path, &pdf).unwrap();
    assert!(
        tool("qpdf", &["--check", path.to_str().unwrap()])
            .contains("No syntax or stream encoding errors")
    );
    let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    assert!(
        text.contains(&certificate.sheet.name) && text.contains(numbers[0].as_str()),
        "{text}"
    );
    assert!(
        text.contains("使用有效期：2026年12月01日至2027年05月29日"),
        "{text}"
    );

    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-singlefile",
            path.to_str().unwrap(),
            folder.path().join("page").to_str().unwrap(),
        ],
    );
    let decoded = tool(
        "zbarimg",
        &[
            "-q",
            "--raw",
            folder.path().join("page.png").to_str().unwrap(),
        ],
    );
    assert_eq!(
        decoded.trim(),
        format!(
            "https://verify.example.cn/v/{}",
            certificate.sheet.licence_id
        )
    );
}

#[tokio::test]
async fn a_registration_that_is_not_reported_is_refused_with_the_guides_message() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("r.csv");
    std::fs::write(&file, demo::csv(1, date(2026, 1, 1))).unwrap();
    import::import_registrations(
        &db.store,
        &file,
        &IssuerSettings::development(),
        now(),
        &NoProgress,
    )
    .await
    .unwrap();
    let number = db.store.registration_numbers().await.unwrap().remove(0);

    let renderer = Renderer::new("http://localhost").unwrap();
    let error = renderer
        .prepare(&db.store, &number, date(2026, 12, 3))
        .await
        .unwrap_err();
    let CertificateError::NotReady { gaps, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(gaps[0], EndorsementRefusal::NotReported);
    assert!(error.to_string().contains("加注失败"), "{error}");
}

#[tokio::test]
async fn a_usage_period_starting_after_the_registration_ends_is_refused_as_expired() {
    let (db, _folder, numbers) = seeded(1).await;
    let renderer = Renderer::new("http://localhost").unwrap();
    let error = renderer
        .prepare(&db.store, &numbers[0], date(2031, 1, 1))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("证照过期"), "{error}");
}

#[tokio::test]
async fn rendering_many_writes_one_file_each_in_both_formats() {
    let (db, _seed_folder, numbers) = seeded(4).await;
    let renderer = Renderer::new("http://localhost").unwrap();
    let mut prepared = Vec::new();
    for number in &numbers {
        prepared.push(
            renderer
                .prepare(&db.store, number, date(2026, 12, 3))
                .await
                .unwrap(),
        );
    }
    let out = tempfile::tempdir().unwrap();
    for format in [FileFormat::Pdf, FileFormat::Ofd] {
        let results = render_all(&renderer, &prepared, format, out.path(), now());
        assert!(results.iter().all(Result::is_ok), "{results:?}");
    }
    let mut names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 8);
    assert!(
        names.iter().all(|n| n.contains("-v1-2026-12-03.")),
        "{names:?}"
    );
}

fn kek() -> ecert_sign::Kek {
    ecert_sign::Kek::from_slice(&[7; 32]).unwrap()
}

#[tokio::test]
async fn a_signed_certificate_carries_a_qr_payload_that_verifies_against_the_trust_list() {
    let (db, folder, numbers) = seeded(1).await;
    let key = ecert_app::keys::generate(&db.store, &kek(), ecert_sign::Algorithm::Es256, now())
        .await
        .unwrap();
    let signer =
        ecert_app::keys::active_signer(&db.store, &kek(), ecert_sign::Algorithm::Es256, now())
            .await
            .unwrap();
    let renderer = Renderer::new("https://verify.example.cn")
        .unwrap()
        .with_signer(std::sync::Arc::new(signer));
    let certificate = renderer
        .prepare(&db.store, &numbers[0], date(2026, 12, 1))
        .await
        .unwrap();
    let pdf = renderer
        .render(&certificate, FileFormat::Pdf, now())
        .unwrap();

    let path = folder.path().join("signed.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let page = folder.path().join("signed");
    tool(
        "pdftoppm",
        &[
            "-r",
            "200",
            "-png",
            "-singlefile",
            path.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
    );
    let url = tool(
        "zbarimg",
        &[
            "-q",
            "--raw",
            folder.path().join("signed.png").to_str().unwrap(),
        ],
    );
    assert!(url.starts_with("https://verify.example.cn/v/"), "{url}");

    let trust = ecert_app::keys::trust_list(&db.store).await.unwrap();
    let signature = ecert_sign::verify_pdf(&pdf, &trust).unwrap();
    assert_eq!(
        signature.key_id, key.id,
        "the PDF carries a PAdES signature of the same key"
    );
    let verified = ecert_sign::verify_payload(url.trim(), &trust, now()).unwrap();
    assert_eq!(verified.key_id, key.id);
    assert_eq!(verified.claims, certificate.claims(now()));
    assert_eq!(
        verified
            .claims
            .masked_id
            .chars()
            .filter(|c| *c == '*')
            .count(),
        8
    );
}

#[tokio::test]
async fn rotation_retires_the_old_key_which_stays_in_the_trust_list() {
    let db = TestDatabase::new().await;
    let algorithm = ecert_sign::Algorithm::Sm2Sm3;
    let first = ecert_app::keys::generate(&db.store, &kek(), algorithm, now())
        .await
        .unwrap();
    let later = now() + jiff::SignedDuration::from_hours(1);
    let (second, retired) = ecert_app::keys::rotate(&db.store, &kek(), algorithm, later)
        .await
        .unwrap();
    assert_eq!(
        retired.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        [first.id.as_str()]
    );

    let active = ecert_app::keys::active_signer(&db.store, &kek(), algorithm, later)
        .await
        .unwrap();
    assert_eq!(ecert_sign::Signer::key_id(&active), second.id);
    let trust = ecert_app::keys::trust_list(&db.store).await.unwrap();
    assert_eq!(trust.keys().len(), 2);
    let again = ecert_app::keys::retire(&db.store, &first.id, later)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already retired"), "{again}");
    let wrong_kek = ecert_sign::Kek::from_slice(&[8; 32]).unwrap();
    assert!(
        ecert_app::keys::active_signer(&db.store, &wrong_kek, algorithm, later)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_ofd_is_sealed_with_the_sm2_key_and_its_seal_verifies() {
    let (db, _folder, numbers) = seeded(1).await;
    for algorithm in [ecert_sign::Algorithm::Es256, ecert_sign::Algorithm::Sm2Sm3] {
        ecert_app::keys::generate(&db.store, &kek(), algorithm, now())
            .await
            .unwrap();
    }
    let kek = kek();
    let open = |algorithm| ecert_app::keys::active_signer(&db.store, &kek, algorithm, now());
    let es256 = open(ecert_sign::Algorithm::Es256).await.unwrap();
    let sm2 = open(ecert_sign::Algorithm::Sm2Sm3).await.unwrap();
    let sm2_id = ecert_sign::Signer::key_id(&sm2).to_owned();
    let renderer = Renderer::new("https://v.example")
        .unwrap()
        .with_signer(std::sync::Arc::new(es256))
        .with_seal_signer(std::sync::Arc::new(sm2));
    let certificate = renderer
        .prepare(&db.store, &numbers[0], date(2026, 12, 3))
        .await
        .unwrap();
    let ofd = renderer
        .render(&certificate, FileFormat::Ofd, now())
        .unwrap();
    let trust = ecert_app::keys::trust_list(&db.store).await.unwrap();
    let seal = ecert_sign::verify_ofd(&ofd, &trust).unwrap();
    assert_eq!(seal.key_id, sm2_id);
}

#[tokio::test]
async fn a_signing_failure_yields_an_error_and_never_an_unsigned_file() {
    let (db, _folder, numbers) = seeded(1).await;
    // A key whose certificate expired yesterday: the signer refuses, as an HSM would.
    let validity = ecert_sign::Validity {
        not_before: now() - jiff::SignedDuration::from_hours(24 * 30),
        not_after: now() - jiff::SignedDuration::from_hours(24),
    };
    let record =
        ecert_sign::KeyRecord::generate(ecert_sign::Algorithm::Es256, &kek(), "expired", validity)
            .unwrap();
    let renderer = Renderer::new("https://v.example")
        .unwrap()
        .with_signer(std::sync::Arc::new(record.signer(&kek()).unwrap()));
    let certificate = renderer
        .prepare(&db.store, &numbers[0], date(2026, 12, 3))
        .await
        .unwrap();
    for format in [FileFormat::Pdf, FileFormat::Ofd] {
        let error = renderer.render(&certificate, format, now()).unwrap_err();
        assert!(
            matches!(error, CertificateError::Sign { .. }),
            "{format}: {error}"
        );
    }
}
