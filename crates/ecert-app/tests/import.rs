//! Importing the authority's data, against the engine `ECERT_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};

use ecert_app::import::{ImportError, import_materials, import_registrations};
use ecert_app::registry::{ReportError, inspect, report};
use ecert_app::{IssuerSettings, NoProgress, demo};
use ecert_domain::{EndorsementRefusal, RegistrationNumber};
use ecert_store::testing::TestDatabase;
use jiff::Timestamp;
use jiff::civil::date;

fn now() -> Timestamp {
    "2026-12-03T02:00:00Z".parse().unwrap()
}

fn write(folder: &Path, name: &str, text: &str) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn import(
    db: &TestDatabase,
    path: &Path,
) -> Result<ecert_app::import::ImportSummary, ImportError> {
    import_registrations(
        &db.store,
        path,
        &IssuerSettings::development(),
        now(),
        &NoProgress,
    )
    .await
}

fn problems(result: Result<impl std::fmt::Debug, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

/// Replaces `field` on data line `line` (the header is line 1) of a CSV text.
fn replace_cell(csv: &str, line: usize, column: usize, value: &str) -> String {
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[line - 1].split(',').map(str::to_owned).collect();
    value.clone_into(&mut cells[column]);
    lines[line - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn a_file_with_three_bad_rows_is_refused_whole_and_the_corrected_file_imports_once() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let good = demo::csv(10_000, date(2026, 1, 1));
    // The expected check characters below agree with python-stdnum (cn.ric, cn.uscc).
    let mut bad = replace_cell(&good, 18, 5, "110105196001160172");
    bad = replace_cell(&bad, 4_201, 10, "2027-02-30");
    bad = replace_cell(&bad, 9_999, 7, "91110105MA0000000X");

    let refused = problems(import(&db, &write(folder.path(), "bad.csv", &bad)).await);
    assert_eq!(
        refused,
        [
            "line 18: id_number: check character is 2, expected 0",
            "line 4201: valid_until: \"2027-02-30\" is not a real calendar date",
            "line 9999: employer_credit_code: check character is X, expected Y",
        ]
    );
    assert!(
        db.store.registration_numbers().await.unwrap().is_empty(),
        "nothing may be written"
    );

    let path = write(folder.path(), "good.csv", &good);
    let first = import(&db, &path).await.unwrap();
    assert_eq!(
        (first.new, first.changed, first.unchanged, first.versions),
        (10_000, 0, 0, 10_000)
    );
    let again = import(&db, &path).await.unwrap();
    assert_eq!(
        (again.new, again.changed, again.unchanged, again.versions),
        (0, 0, 10_000, 0)
    );

    let moved = replace_cell(&good, 2, 6, "新单位建筑设计有限公司");
    let changed = import(&db, &write(folder.path(), "moved.csv", &moved))
        .await
        .unwrap();
    assert_eq!(
        (
            changed.new,
            changed.changed,
            changed.unchanged,
            changed.versions
        ),
        (0, 1, 9_999, 1)
    );
    let number = demo::registration(0, date(2026, 1, 1)).number;
    let detail = db
        .store
        .registration_detail(&number)
        .await
        .unwrap()
        .unwrap();
    let versions: Vec<_> = detail
        .versions
        .iter()
        .map(|(v, _)| (v.number, v.superseded.map(|s| s.by)))
        .collect();
    assert_eq!(versions, [(1, Some(2)), (2, None)]);
    let licence_ids: Vec<_> = detail
        .versions
        .iter()
        .map(|(_, id)| id.parse::<ecert_domain::LicenceId>().unwrap())
        .collect();
    assert_eq!(
        licence_ids
            .iter()
            .map(ecert_domain::LicenceId::version)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        detail.stored.current_version.unwrap().fields.employer_name,
        "新单位建筑设计有限公司"
    );
}

#[tokio::test]
async fn json_lines_are_read_and_an_unknown_field_is_named_with_its_line() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let record = ecert_domain::RegistrationRecord::of(&demo::registration(1, date(2026, 1, 1)));
    let json = serde_json::json!({
        "registration_number": record.registration_number, "name": record.name,
        "gender": record.gender, "birth_date": record.birth_date, "id_number": record.id_number,
        "employer_name": record.employer_name, "employer_credit_code": record.employer_credit_code,
        "seal_number": record.seal_number, "valid_from": record.valid_from,
        "valid_until": record.valid_until, "issued_on": record.issued_on,
    });
    let good = write(folder.path(), "one.jsonl", &format!("{json}\n\n"));
    assert_eq!(import(&db, &good).await.unwrap().new, 1);

    let mut extra = json.clone();
    extra["nickname"] = "x".into();
    let bad = write(folder.path(), "two.jsonl", &format!("{json}\n{extra}\n"));
    let refused = problems(import(&db, &bad).await);
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].starts_with("line 2: json: unknown field `nickname`"),
        "{}",
        refused[0]
    );
}

#[tokio::test]
async fn a_header_without_a_required_column_is_refused_before_any_row() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let csv = demo::csv(3, date(2026, 1, 1)).replacen("seal_number", "seal", 1);
    let refused = problems(import(&db, &write(folder.path(), "x.csv", &csv)).await);
    assert_eq!(
        refused,
        [
            "line 1: header: unknown column \"seal\"",
            "line 1: header: missing column \"seal_number\"",
        ]
    );
}

#[tokio::test]
async fn a_registration_number_twice_in_one_file_is_refused_with_both_lines() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let csv = demo::csv(3, date(2026, 1, 1));
    let second_row = csv.lines().nth(1).unwrap().to_owned();
    let refused = problems(
        import(
            &db,
            &write(folder.path(), "d.csv", &format!("{csv}{second_row}\n")),
        )
        .await,
    );
    let number = demo::registration(0, date(2026, 1, 1)).number;
    assert_eq!(
        refused,
        [format!(
            "line 5: registration_number: {number} is also on line 2"
        )]
    );
}

#[tokio::test]
async fn a_revoked_registration_cannot_be_brought_back_by_an_import() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let csv = demo::csv(1, date(2026, 1, 1));
    import(
        &db,
        &write(folder.path(), "a.csv", &replace_cell(&csv, 2, 12, "07")),
    )
    .await
    .unwrap();

    let refused = problems(import(&db, &write(folder.path(), "b.csv", &csv)).await);
    assert_eq!(
        refused,
        ["line 2: status: a registration that is revoked cannot take a status_change"]
    );
}

#[tokio::test]
async fn a_status_change_records_its_event_and_its_day() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let csv = demo::csv(1, date(2026, 1, 1));
    import(&db, &write(folder.path(), "a.csv", &csv))
        .await
        .unwrap();
    let summary = import(
        &db,
        &write(folder.path(), "b.csv", &replace_cell(&csv, 2, 12, "02")),
    )
    .await
    .unwrap();
    assert_eq!(
        (summary.changed, summary.versions),
        (1, 0),
        "status is not printed: no new version"
    );

    let number = demo::registration(0, date(2026, 1, 1)).number;
    let detail = db
        .store
        .registration_detail(&number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.events.last().unwrap().kind, "suspension");
    assert_eq!(detail.stored.status_since, Some(date(2026, 12, 3)));
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([90, 90, 200]));
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

#[tokio::test]
async fn materials_import_whole_folders_and_a_bad_file_stops_everything() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    import(
        &db,
        &write(folder.path(), "r.csv", &demo::csv(2, date(2026, 1, 1))),
    )
    .await
    .unwrap();
    let [first, second] = [0, 1].map(|i| demo::registration(i, date(2026, 1, 1)).number);

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join(format!("{first}.photo.png")), png(300, 400)).unwrap();
    std::fs::write(
        bad.path().join(format!("{second}.signature.png")),
        b"<svg/>",
    )
    .unwrap();
    std::fs::write(bad.path().join("A404.photo.png"), png(300, 400)).unwrap();
    let refused = problems(import_materials(&db.store, bad.path(), now(), &NoProgress).await);
    assert_eq!(
        refused,
        [
            format!(
                "{second}.signature.png: signature: is not a PNG or JPEG image (by its content)"
            ),
            "A404.photo.png: registration_number: A404 is not in the registry".to_owned(),
        ]
    );
    assert!(
        db.store
            .material_summaries(&first)
            .await
            .unwrap()
            .is_empty(),
        "nothing partial"
    );

    let good = tempfile::tempdir().unwrap();
    std::fs::write(
        good.path().join(format!("{first}.photo.png")),
        png(300, 400),
    )
    .unwrap();
    std::fs::write(
        good.path().join(format!("{first}.signature.png")),
        png(400, 100),
    )
    .unwrap();
    let summary = import_materials(&db.store, good.path(), now(), &NoProgress)
        .await
        .unwrap();
    assert_eq!((summary.photos, summary.signatures), (1, 1));
}

#[tokio::test]
async fn a_record_shows_its_gaps_until_reported_and_complete() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    import(
        &db,
        &write(folder.path(), "r.csv", &demo::csv(1, date(2026, 1, 1))),
    )
    .await
    .unwrap();
    let number = demo::registration(0, date(2026, 1, 1)).number;

    let view = inspect(&db.store, &number, now()).await.unwrap().unwrap();
    assert_eq!(
        view.gaps,
        [
            EndorsementRefusal::NotReported,
            EndorsementRefusal::MaterialsMissing {
                photo: true,
                signature: true
            },
        ]
    );

    let unknown = RegistrationNumber::parse("Z9").unwrap();
    let error = report(&db.store, &[number.clone(), unknown], now())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ReportError::Unknown(n) if n.len() == 1),
        "{error}"
    );
    assert_eq!(
        report(&db.store, std::slice::from_ref(&number), now())
            .await
            .unwrap(),
        1
    );
    let view = inspect(&db.store, &number, now()).await.unwrap().unwrap();
    assert_eq!(view.gaps.len(), 1);
}

#[tokio::test]
async fn the_demo_seed_leaves_every_certificate_ready_and_can_run_twice() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let settings = IssuerSettings::development();
    for _ in 0..2 {
        let seeded = demo::seed(&db.store, &settings, folder.path(), 3, now())
            .await
            .unwrap();
        assert_eq!(seeded.registrations, 3);
    }
    for number in db.store.registration_numbers().await.unwrap() {
        let view = inspect(&db.store, &number, now()).await.unwrap().unwrap();
        assert!(view.gaps.is_empty(), "{number}: {:?}", view.gaps);
        assert_eq!(view.detail.versions.len(), 1);
    }
}

#[tokio::test]
async fn a_name_the_certificate_font_cannot_print_is_refused_at_import() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let csv = demo::csv(2, date(2026, 1, 1));
    let name = demo::registration(1, date(2026, 1, 1)).name.to_string();
    // U+1F3DB (a classical building emoji) is not in the certificate font.
    let csv = csv.replacen(&format!(",{name},"), &format!(",{name}\u{1F3DB},"), 1);
    let refused = problems(import(&db, &write(folder.path(), "f.csv", &csv)).await);
    assert_eq!(
        refused,
        ["line 3: name: the certificate font cannot print \"\u{1F3DB}\" (U+1F3DB)"]
    );
}
