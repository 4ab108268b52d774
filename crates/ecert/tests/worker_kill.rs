//! A file worker killed with SIGKILL in the middle of a job: the job is done again after its
//! lease, every file exists exactly once, and every file verifies. Runs the real `ecert
//! worker` process against the database `ECERT_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecert_app::holders::Holder;
use ecert_app::{IssuerSettings, demo, endorsements, keys};
use ecert_sign::{Algorithm, Kek, verify_ofd, verify_pdf};
use ecert_store::testing::TestDatabase;
use ecert_store::{JobState, Store, StoredAccount, StoredJob};
use jiff::{SignedDuration, Timestamp};

const KEK_HEX: &str = "0707070707070707070707070707070707070707070707070707070707070707";
const CERTIFICATES: u32 = 12;
const LEASE_SECONDS: &str = "2";

/// Endorses every demo certificate, which queues a PDF and an OFD job for each.
async fn queue_files(store: &Store) {
    let kek = Kek::from_slice(&[7; 32]).unwrap();
    let now = Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let made = now - SignedDuration::from_hours(1);
        keys::generate(store, &kek, algorithm, made).await.unwrap();
    }
    let seed = tempfile::tempdir().unwrap();
    let settings = IssuerSettings::development();
    demo::seed(store, &settings, seed.path(), CERTIFICATES, now)
        .await
        .unwrap();
    let numbers = store.registration_numbers().await.unwrap();
    let registrations = store.registrations(&numbers).await.unwrap();
    for (index, number) in numbers.iter().enumerate() {
        let registration = &registrations[number].registration;
        let account = StoredAccount {
            account_id: format!("holder-{index}"),
            username: format!("holder{index}"),
            password_hash: "not used".into(),
            name: registration.name.as_str().to_owned(),
            id_type: registration.id.id_type().as_str().to_owned(),
            id_number: registration.id.number().to_owned(),
            phone: Some("13800138000".into()),
            created_at: now,
        };
        store.insert_account(&account).await.unwrap();
        let holder = Holder::of(store, &account, true).await.unwrap();
        endorsements::endorse(store, &holder, number, now)
            .await
            .unwrap();
    }
}

fn start_worker(db: &TestDatabase, data_dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(["--database", &db.url, "--data-dir"])
        .arg(data_dir)
        .args(["--key-encryption-key", KEK_HEX, "worker", "--workers", "1"])
        .args(["--job-lease-seconds", LEASE_SECONDS])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn jobs(store: &Store) -> Vec<StoredJob> {
    store.jobs().await.unwrap()
}

async fn wait_until(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_worker_killed_mid_job_has_its_job_redone_after_the_lease_and_one_file_per_job() {
    let db = TestDatabase::new().await;
    queue_files(&db.store).await;
    let count = jobs(&db.store).await.len();
    assert_eq!(
        count,
        2 * CERTIFICATES as usize,
        "a PDF and an OFD job per endorsement"
    );
    let data_dir = tempfile::tempdir().unwrap();

    // Kill a worker while it holds a job; try again if it happened to be between jobs.
    let mut orphan = None;
    for _ in 0..10 {
        let mut worker = start_worker(&db, data_dir.path());
        wait_until("a job is running", Duration::from_mins(1), async || {
            jobs(&db.store)
                .await
                .iter()
                .any(|j| j.state == JobState::Running)
        })
        .await;
        worker.kill().unwrap();
        worker.wait().unwrap();
        let running: Vec<_> = jobs(&db.store)
            .await
            .into_iter()
            .filter(|j| j.state == JobState::Running)
            .collect();
        if let Some(job) = running.into_iter().next() {
            orphan = Some(job);
            break;
        }
    }
    let orphan = orphan.expect("a worker was killed while holding a job");

    let mut worker = start_worker(&db, data_dir.path());
    wait_until("every job is done", Duration::from_mins(2), async || {
        jobs(&db.store)
            .await
            .iter()
            .all(|j| j.state == JobState::Done)
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let redone = db.store.job(&orphan.job.job_id).await.unwrap().unwrap();
    assert!(
        redone.attempts > orphan.attempts,
        "the orphaned job was claimed again"
    );
    let finished = jobs(&db.store).await;
    let names: HashSet<String> = finished
        .iter()
        .map(|j| j.file_name.clone().unwrap())
        .collect();
    assert_eq!(names.len(), count, "one file name per job");

    let folder = data_dir.path().join("files");
    let on_disk: HashSet<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(".tmp"))
        .collect();
    assert_eq!(on_disk, names, "exactly the jobs' files, each once");
    let trust = keys::trust_list(&db.store).await.unwrap();
    for name in &names {
        let bytes = std::fs::read(folder.join(name)).unwrap();
        let verified = if Path::new(name).extension().is_some_and(|e| e == "pdf") {
            verify_pdf(&bytes, &trust).map(|_| ())
        } else {
            verify_ofd(&bytes, &trust).map(|_| ())
        };
        assert!(verified.is_ok(), "{name}: {verified:?}");
    }
}
