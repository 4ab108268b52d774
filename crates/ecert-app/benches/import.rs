//! Benchmark of `import registrations` on 10,000 rows: the refused file, the first import
//! and the unchanged re-import, each on a fresh database, on the engine
//! `ECERT_TEST_DATABASE_URL` names (SQLite when unset).
//!
//! Run: `cargo bench -p ecert-app --bench import` (add `-- 20` for 20 rounds).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports on stdout"
)]

use std::time::{Duration, Instant};

use ecert_app::import::{ImportError, import_registrations};
use ecert_app::{IssuerSettings, NoProgress, demo};
use ecert_store::testing::TestDatabase;
use jiff::civil::date;

const ROWS: u32 = 10_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let folder = tempfile::tempdir().unwrap();
    let good_csv = demo::csv(ROWS, date(2026, 1, 1));
    let bad_csv = good_csv.replacen(",2026-01-01,2027-12-31,", ",2026-01-01,2027-02-30,", 3);
    let good = folder.path().join("good.csv");
    let bad = folder.path().join("bad.csv");
    std::fs::write(&good, &good_csv).unwrap();
    std::fs::write(&bad, &bad_csv).unwrap();

    let settings = IssuerSettings::development();
    let now = jiff::Timestamp::now();
    let (mut refused, mut first, mut again) = (Vec::new(), Vec::new(), Vec::new());
    let mut engine = None;
    for _ in 0..rounds {
        let db = TestDatabase::new().await;
        engine = Some(db.store.engine());
        let started = Instant::now();
        let result = import_registrations(&db.store, &bad, &settings, now, &NoProgress).await;
        assert!(matches!(result, Err(ImportError::Invalid(p)) if p.len() == 3));
        refused.push(started.elapsed());

        let started = Instant::now();
        let summary = import_registrations(&db.store, &good, &settings, now, &NoProgress)
            .await
            .unwrap();
        assert_eq!(summary.new, ROWS as usize);
        first.push(started.elapsed());

        let started = Instant::now();
        let summary = import_registrations(&db.store, &good, &settings, now, &NoProgress)
            .await
            .unwrap();
        assert_eq!(summary.unchanged, ROWS as usize);
        again.push(started.elapsed());
    }
    println!("import registrations, {ROWS} rows, {rounds} rounds, engine {engine:?}");
    report("refused (3 bad rows)", &mut refused);
    report("first import", &mut first);
    report("re-import, unchanged", &mut again);
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let rows_per_second = f64::from(ROWS) / median.as_secs_f64();
    println!(
        "{what:<22} median {:>8.1} ms  min {:>8.1} ms  max {:>8.1} ms  \
         {rows_per_second:>9.0} rows/s",
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
    );
}
