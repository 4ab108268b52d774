//! Benchmark of the holder's wait: from [加注] to the file being ready, with 50 holders
//! endorsing at the same moment and the file workers of one process (one per core) making
//! their PDFs and OFDs from the durable queue, on the engine `ECERT_TEST_DATABASE_URL`
//! names (SQLite when unset).
//!
//! Run: `cargo bench -p ecert-app --bench endorse` (add `-- 100` for 100 holders).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports on stdout"
)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ecert_app::certificates::FileFormat;
use ecert_app::downloads::Downloads;
use ecert_app::holders::Holder;
use ecert_app::{IssuerSettings, demo, endorsements, keys};
use ecert_sign::{Algorithm, Kek};
use ecert_store::testing::TestDatabase;
use ecert_store::{JobState, Store, StoredAccount};
use jiff::{SignedDuration, Timestamp};

#[tokio::main]
async fn main() {
    let holders: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50);
    let db = TestDatabase::new().await;
    let store = db.store.clone();
    let seed = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let kek = Kek::from_slice(&[1; 32]).unwrap();
    let now = Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let made = now - SignedDuration::from_hours(1);
        keys::generate(&store, &kek, algorithm, made).await.unwrap();
    }
    let settings = IssuerSettings::development();
    demo::seed(&store, &settings, seed.path(), holders, now)
        .await
        .unwrap();
    let ready = ready_holders(&store, now).await;

    let downloads = Downloads::new(
        store.clone(),
        Arc::new(kek),
        "http://127.0.0.1:8080",
        files.path().to_path_buf(),
    )
    .unwrap();
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let worker = downloads.worker();
            let mut stopped = stopped.clone();
            tokio::spawn(worker.run(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }))
        })
        .collect();

    let started = Instant::now();
    let asks: Vec<_> = ready
        .into_iter()
        .map(|holder| tokio::spawn(endorse_and_ask(store.clone(), downloads.clone(), holder)))
        .collect();
    let mut asked = Vec::new();
    for ask in asks {
        asked.push(ask.await.unwrap());
    }
    // One observer instead of 50 polling pages: the wait is read off each job's finish time,
    // so the benchmark's own polling neither loads the machine nor rounds the figures.
    let jobs = loop {
        let jobs = store.jobs().await.unwrap();
        if jobs.iter().all(|job| job.state == JobState::Done) {
            break jobs;
        }
        assert!(
            !jobs.iter().any(|job| job.state == JobState::Failed),
            "a job failed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let total = started.elapsed();
    let finished: HashMap<&str, Timestamp> = jobs
        .iter()
        .map(|job| (job.job.job_id.as_str(), job.finished_at.unwrap()))
        .collect();
    let wait = |from: Timestamp, job: &str| {
        Duration::try_from(finished[job].duration_since(from)).unwrap_or_default()
    };
    let pdf: Vec<Duration> = asked.iter().map(|(at, pdf, _)| wait(*at, pdf)).collect();
    let both: Vec<Duration> = asked
        .iter()
        .map(|(at, pdf, ofd)| wait(*at, pdf).max(wait(*at, ofd)))
        .collect();
    let (mut pdf, mut both) = (pdf, both);
    let _ = stop.send(true);
    for task in tasks {
        task.await.unwrap();
    }

    println!(
        "engine {:?}, {holders} holders endorsing at once, {workers} file workers",
        store.engine()
    );
    report("[加注] → PDF ready", &mut pdf);
    report("[加注] → PDF and OFD ready", &mut both);
    let files_made = 2 * u64::from(holders);
    println!(
        "all {files_made} files in {:.2} s ({:.0} files/s)",
        total.as_secs_f64(),
        f64::from(2 * holders) / total.as_secs_f64()
    );
}

/// One holder: [加注], then [pdf 下载] and [OFD 下载] with [确定]. Returns when the
/// holder clicked [加注] and the two jobs that stand for the files.
async fn endorse_and_ask(
    store: Store,
    downloads: Downloads,
    holder: Holder,
) -> (Timestamp, String, String) {
    let number = holder.registrations[0].clone();
    let clicked = Timestamp::now();
    endorsements::endorse(&store, &holder, &number, clicked)
        .await
        .unwrap();
    downloads.wake();
    let [pdf, ofd] = FileFormat::ALL;
    let ask = async |format| {
        let job = downloads.request(&holder, &number, format, Timestamp::now());
        job.await.unwrap().id
    };
    (clicked, ask(pdf).await, ask(ofd).await)
}

/// An account for each demo registration, phone bound, as a session that passed real-name
/// authentication sees it. Accounts are written directly: logins are not what is measured.
async fn ready_holders(store: &Store, now: Timestamp) -> Vec<Holder> {
    let numbers = store.registration_numbers().await.unwrap();
    let registrations = store.registrations(&numbers).await.unwrap();
    let mut holders = Vec::new();
    for (index, number) in numbers.iter().enumerate() {
        let registration = &registrations[number].registration;
        let account = StoredAccount {
            account_id: format!("bench-{index}"),
            username: format!("bench{index}"),
            password_hash: "not used".into(),
            name: registration.name.as_str().to_owned(),
            id_type: registration.id.id_type().as_str().to_owned(),
            id_number: registration.id.number().to_owned(),
            phone: Some("13800138000".into()),
            created_at: now,
        };
        assert!(store.insert_account(&account).await.unwrap());
        holders.push(Holder::of(store, &account, true).await.unwrap());
    }
    holders
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| {
        let last = samples.len() - 1;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into a short list"
        )]
        let index = ((last as f64) * q).round() as usize;
        samples[index].as_secs_f64() * 1000.0
    };
    println!(
        "{what}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
