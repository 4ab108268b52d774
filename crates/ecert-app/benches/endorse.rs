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

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecert_app::downloads::{Downloads, Progress};
use ecert_app::holders::Holder;
use ecert_app::{IssuerSettings, demo, endorsements, keys};
use ecert_sign::{Algorithm, Kek};
use ecert_store::testing::TestDatabase;
use ecert_store::{Store, StoredAccount};
use jiff::{SignedDuration, Timestamp};

/// How often a holder's page asks whether its file is ready (the portal polls every 500 ms;
/// the benchmark asks more often so that polling does not hide the real wait).
const POLL: Duration = Duration::from_millis(5);

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
    let waits: Vec<_> = ready
        .into_iter()
        .map(|holder| tokio::spawn(endorse_and_wait(store.clone(), downloads.clone(), holder)))
        .collect();
    let mut pdf = Vec::new();
    let mut both = Vec::new();
    for wait in waits {
        let (first, last) = wait.await.unwrap();
        pdf.push(first);
        both.push(last);
    }
    let total = started.elapsed();
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

/// One holder: endorse, then ask for the PDF and the OFD until both are ready. Returns the
/// wait for the PDF and for both.
async fn endorse_and_wait(
    store: Store,
    downloads: Downloads,
    holder: Holder,
) -> (Duration, Duration) {
    let number = holder.registrations[0].clone();
    let started = Instant::now();
    endorsements::endorse(&store, &holder, &number, Timestamp::now())
        .await
        .unwrap();
    downloads.wake();
    let mut pdf_ready = None;
    for format in ecert_app::certificates::FileFormat::ALL {
        loop {
            let job = downloads
                .request(&holder, &number, format, Timestamp::now())
                .await
                .unwrap();
            match job.progress {
                Progress::Ready { .. } => break,
                Progress::Failed { reason } => panic!("{format} failed: {reason}"),
                Progress::Working { .. } => tokio::time::sleep(POLL).await,
            }
        }
        pdf_ready.get_or_insert_with(|| started.elapsed());
    }
    (pdf_ready.unwrap(), started.elapsed())
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
