//! Endorsement and downloads through the durable job queue, on the engine
//! `ECERT_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::sync::Arc;

use ecert_app::accounts::Accounts;
use ecert_app::certificates::FileFormat;
use ecert_app::downloads::{DownloadError, Downloads, Progress};
use ecert_app::endorsements::{self, EndorseError};
use ecert_app::holders::Holder;
use ecert_app::{IssuerSettings, demo, keys};
use ecert_domain::{Endorsement, EndorsementRefusal, PasswordPolicy, RegistrationNumber};
use ecert_sign::{Algorithm, Kek, verify_ofd, verify_pdf};
use ecert_store::testing::TestDatabase;
use ecert_store::{JobState, Store};
use jiff::{SignedDuration, Timestamp};

fn kek() -> Kek {
    Kek::from_slice(&[5; 32]).unwrap()
}

struct Fixture {
    db: TestDatabase,
    _seed: tempfile::TempDir,
    files: tempfile::TempDir,
    downloads: Downloads,
}

/// Demo registrations and holders, both signing keys, and a download service.
async fn fixture() -> Fixture {
    let db = TestDatabase::new().await;
    let seed = tempfile::tempdir().unwrap();
    let now = Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let made = now - SignedDuration::from_hours(1);
        keys::generate(&db.store, &kek(), algorithm, made)
            .await
            .unwrap();
    }
    let settings = IssuerSettings::development();
    let seeded = demo::seed(&db.store, &settings, seed.path(), 2, now)
        .await
        .unwrap();
    let accounts = Accounts::new(db.store.clone(), PasswordPolicy::Standard);
    demo::seed_holders(
        &db.store,
        &accounts,
        &settings,
        seed.path(),
        seeded.valid_from,
        now,
    )
    .await
    .unwrap();
    let files = tempfile::tempdir().unwrap();
    let downloads = Downloads::new(
        db.store.clone(),
        Arc::new(kek()),
        "http://127.0.0.1:8080",
        files.path().to_path_buf(),
    )
    .unwrap();
    Fixture {
        db,
        _seed: seed,
        files,
        downloads,
    }
}

/// The demo holder `username`, as a session that passed real-name authentication sees them.
async fn demo_holder(store: &Store, username: &str) -> (Holder, RegistrationNumber) {
    let account = store.account_by_username(username).await.unwrap().unwrap();
    let holder = Holder::of(store, &account, true).await.unwrap();
    let number = holder.registrations[0].clone();
    (holder, number)
}

fn refusal(result: Result<Endorsement, EndorseError>) -> EndorsementRefusal {
    match result {
        Err(EndorseError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn each_state_of_the_guide_faq_is_refused_with_its_message_and_remedy() {
    let f = fixture().await;
    let now = Timestamp::now();
    let cases = [
        ("demo-lapsed", "证照过期", "延续注册"),
        ("demo-unreported", "加注失败", "还未上报"),
        (
            "demo-nosignature",
            "缺少手写签名图像，不能加注",
            "申报业务系统",
        ),
        ("demo-nophone", "手机号码未绑定，不能加注", "绑定手机号码"),
    ];
    for (username, message, remedy) in cases {
        let (holder, number) = demo_holder(&f.db.store, username).await;
        let refused = refusal(endorsements::endorse(&f.db.store, &holder, &number, now).await);
        assert_eq!(refused.message(), message, "{username}");
        assert!(
            refused.remedy().contains(remedy),
            "{username}: {}",
            refused.remedy()
        );
    }

    let (mut unauthenticated, number) = demo_holder(&f.db.store, "demo").await;
    unauthenticated.authenticated = false;
    let refused = refusal(endorsements::endorse(&f.db.store, &unauthenticated, &number, now).await);
    assert_eq!(refused, EndorsementRefusal::NotAuthenticated);
    let records = f.db.store.audit_records().await.unwrap();
    let endorsing: Vec<_> = records
        .iter()
        .filter(|r| r.entry.action == "endorse")
        .collect();
    assert_eq!(endorsing.len(), 5, "every refusal is in the audit log");
    assert!(endorsing.iter().all(|r| r.entry.outcome != "ok"));
    let refused: Vec<_> = endorsing.iter().map(|r| r.entry.outcome.as_str()).collect();
    assert_eq!(
        refused,
        [
            "lapsed",
            "not_reported",
            "materials_missing",
            "phone_not_bound",
            "not_authenticated"
        ]
    );
}

#[tokio::test]
async fn a_double_submission_endorses_once_and_queues_each_file_once() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    let now = Timestamp::now();
    let (first, second) = tokio::join!(
        endorsements::endorse(&f.db.store, &holder, &number, now),
        endorsements::endorse(&f.db.store, &holder, &number, now),
    );
    let periods = [first.unwrap().period(), second.unwrap().period()];
    assert_eq!(periods[0], periods[1]);
    assert_eq!(f.db.store.endorsement_days(&number).await.unwrap().len(), 1);

    let again = endorsements::endorse(&f.db.store, &holder, &number, now)
        .await
        .unwrap();
    assert_eq!(again, Endorsement::StillRunning(periods[0]));
    for format in FileFormat::ALL {
        let job = f
            .downloads
            .request(&holder, &number, format, now)
            .await
            .unwrap();
        assert_eq!(job.period, periods[0]);
    }
    let worker = f.downloads.worker();
    let mut made = 0;
    while worker.work_once(Timestamp::now()).await.unwrap() {
        made += 1;
    }
    assert_eq!(
        made, 2,
        "one job per format, however often it was asked for"
    );
    assert_eq!(f.db.store.audit_chain_break().await.unwrap(), None);
}

#[tokio::test]
async fn both_files_are_made_signed_and_served_only_to_their_holder() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    let now = Timestamp::now();
    endorsements::endorse(&f.db.store, &holder, &number, now)
        .await
        .unwrap();
    let worker = f.downloads.worker();
    while worker.work_once(Timestamp::now()).await.unwrap() {}

    let trust = keys::trust_list(&f.db.store).await.unwrap();
    let (stranger, _) = demo_holder(&f.db.store, "demo-nophone").await;
    for format in FileFormat::ALL {
        let job = f
            .downloads
            .request(&holder, &number, format, now)
            .await
            .unwrap();
        let Progress::Ready { download_name } = &job.progress else {
            panic!("{format} not ready: {:?}", job.progress);
        };
        assert!(download_name.ends_with(format.extension()));
        let file = f
            .downloads
            .open_file(&holder.account_id, &job.id)
            .await
            .unwrap()
            .unwrap();
        match format {
            FileFormat::Pdf => {
                verify_pdf(&file.bytes, &trust).unwrap();
            }
            FileFormat::Ofd => {
                verify_ofd(&file.bytes, &trust).unwrap();
            }
        }

        let theirs = f
            .downloads
            .job(&stranger.account_id, &job.id)
            .await
            .unwrap();
        assert!(theirs.is_none(), "another holder's job is not found");
        let file = f
            .downloads
            .open_file(&stranger.account_id, &job.id)
            .await
            .unwrap();
        assert!(file.is_none(), "another holder's file is not found");
    }
    let foreign = f
        .downloads
        .request(&stranger, &number, FileFormat::Pdf, now)
        .await;
    assert!(
        matches!(foreign, Err(DownloadError::NotFound)),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn a_download_before_endorsing_says_to_endorse_first() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    let refused = f
        .downloads
        .request(&holder, &number, FileFormat::Pdf, Timestamp::now())
        .await
        .unwrap_err();
    assert!(matches!(refused, DownloadError::NotEndorsed));
    assert!(refused.remedy().unwrap().contains("证照加注"));
}

#[tokio::test]
async fn a_job_whose_worker_died_is_redone_after_its_lease_and_leaves_one_file() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    let now = Timestamp::now();
    endorsements::endorse(&f.db.store, &holder, &number, now)
        .await
        .unwrap();

    // A worker claims a job and is killed before it writes anything: all that is left of it
    // is the lease in the database.
    let lease = SignedDuration::from_secs(30);
    let dead =
        f.db.store
            .claim_job("dead-worker", now, lease)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(dead.state, JobState::Running);

    let worker = f.downloads.worker();
    assert!(
        worker.work_once(now).await.unwrap(),
        "the other job is free"
    );
    assert!(
        !worker.work_once(now).await.unwrap(),
        "the dead worker's lease still runs"
    );
    let after_lease = now + lease + SignedDuration::from_secs(1);
    assert!(
        worker.work_once(after_lease).await.unwrap(),
        "taken over after the lease"
    );

    let redone = f.db.store.job(&dead.job.job_id).await.unwrap().unwrap();
    assert_eq!(redone.state, JobState::Done);
    assert_eq!(redone.attempts, 2);
    let late =
        f.db.store
            .finish_job(&dead.job.job_id, "dead-worker", "stale.pdf", after_lease)
            .await
            .unwrap();
    assert!(!late, "a worker that lost its lease cannot finish the job");
    let names: Vec<String> = std::fs::read_dir(f.files.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "exactly one file per format: {names:?}");
}

#[tokio::test]
async fn an_edited_or_deleted_audit_record_breaks_the_chain() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    let now = Timestamp::now();
    for _ in 0..3 {
        endorsements::endorse(&f.db.store, &holder, &number, now)
            .await
            .unwrap();
    }
    let records = f.db.store.audit_records().await.unwrap();
    let last = records.last().unwrap().seq;
    let endorsing = records.iter().filter(|r| r.entry.action == "endorse");
    assert_eq!(endorsing.count(), 3);
    assert_eq!(f.db.store.audit_chain_break().await.unwrap(), None);

    let edit = |outcome: &str| format!("UPDATE audit_log SET outcome = '{outcome}' WHERE seq = 2");
    let original = records[1].entry.outcome.clone();
    f.db.execute(&edit("refused")).await;
    assert_eq!(f.db.store.audit_chain_break().await.unwrap(), Some(2));
    f.db.execute(&edit(&original)).await;
    assert_eq!(f.db.store.audit_chain_break().await.unwrap(), None);
    f.db.execute(&format!("DELETE FROM audit_log WHERE seq = {last}"))
        .await;
    assert_eq!(f.db.store.audit_chain_break().await.unwrap(), Some(last));
}

#[tokio::test]
async fn queued_files_survive_a_restart_and_are_made_by_the_next_process() {
    let f = fixture().await;
    let (holder, number) = demo_holder(&f.db.store, "demo").await;
    endorsements::endorse(&f.db.store, &holder, &number, Timestamp::now())
        .await
        .unwrap();
    f.db.store.close().await;

    let reopened = Store::connect(&f.db.url).await.unwrap();
    let downloads = Downloads::new(
        reopened.clone(),
        Arc::new(kek()),
        "http://127.0.0.1:8080",
        f.files.path().to_path_buf(),
    )
    .unwrap();
    let worker = downloads.worker();
    let mut made = 0;
    while worker.work_once(Timestamp::now()).await.unwrap() {
        made += 1;
    }
    assert_eq!(made, 2, "both queued files are made after the restart");
    let job = downloads
        .request(&holder, &number, FileFormat::Ofd, Timestamp::now())
        .await
        .unwrap();
    assert!(
        matches!(job.progress, Progress::Ready { .. }),
        "{:?}",
        job.progress
    );
}
