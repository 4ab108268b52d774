//! `ecert serve`: the web server, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use ecert_app::accounts::Accounts;
use ecert_app::demo::{self, DemoHolder};
use ecert_app::downloads::Downloads;
use ecert_app::providers::{
    DevelopmentFace, DevelopmentSms, FaceVerifier, HttpFace, HttpSms, SmsProvider,
};
use ecert_app::{IssuerSettings, keys};
use ecert_domain::PasswordPolicy;
use ecert_sign::{Algorithm, Kek};
use ecert_store::Store;
use ecert_web::{AppState, Portal};
use tokio::sync::watch;

use crate::cli::{PolicyArg, PortalOptions};

/// `println!` for the operator's lines, except that a server keeps serving when its output is
/// gone (a closed pipe or terminal): a failed write is ignored where `println!` would panic.
macro_rules! say {
    ($($line:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($line)*);
    }};
}

/// Serves the web application with `workers` file workers beside it until Ctrl-C or
/// SIGTERM; the workers finish the file in hand before the process ends.
pub async fn run(
    state: AppState,
    downloads: Downloads,
    listen: SocketAddr,
    workers: usize,
    demo_holders: &[DemoHolder],
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    say!("ecert is running at http://{address}/ (Ctrl-C stops it)");
    print_demo_logins(address, demo_holders);
    tracing::info!(%address, workers, "serving");
    let (stop, stopped) = watch::channel(false);
    let worker_tasks = spawn_workers(&downloads, workers, &stopped);
    let served =
        ecert_web::serve(listener, state.with_downloads(downloads), shutdown_signal()).await;
    let _ = stop.send(true);
    for task in worker_tasks {
        let _ = task.await;
    }
    served.context("the web server stopped with an error")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// `ecert worker`: file workers only, until Ctrl-C or SIGTERM.
pub async fn run_workers(downloads: Downloads, workers: usize) -> anyhow::Result<ExitCode> {
    let (stop, stopped) = watch::channel(false);
    let tasks = spawn_workers(&downloads, workers, &stopped);
    say!("ecert: {workers} file workers running (Ctrl-C stops them)");
    shutdown_signal().await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Workers in a process when not configured: one per core, as rendering is CPU-bound.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

fn spawn_workers(
    downloads: &Downloads,
    count: usize,
    stopped: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..count)
        .map(|_| {
            let mut stopped = stopped.clone();
            let worker = downloads.worker();
            tokio::spawn(async move {
                worker
                    .run(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .await;
            })
        })
        .collect()
}

/// The portal with the configured providers, or the development ones that say plainly
/// that they send and check nothing.
pub fn portal(store: &Store, options: &PortalOptions, public_url: &str) -> Portal {
    let policy = match options.password_policy {
        PolicyArg::Standard => PasswordPolicy::Standard,
        PolicyArg::Graded => PasswordPolicy::Graded,
    };
    let sms: Arc<dyn SmsProvider> = match &options.sms_url {
        Some(url) => Arc::new(HttpSms::new(url, options.sms_token.clone())),
        None => Arc::new(DevelopmentSms),
    };
    let face: Arc<dyn FaceVerifier> = match &options.face_url {
        Some(url) => Arc::new(HttpFace::new(url, options.face_token.clone())),
        None => Arc::new(DevelopmentFace),
    };
    if options.face_url.is_none() {
        tracing::warn!("no face-verification service configured: development provider in use");
    }
    Portal {
        accounts: Accounts::new(store.clone(), policy),
        sms,
        face,
        public_url: public_url.trim_end_matches('/').to_owned(),
        secure_cookies: public_url.starts_with("https://"),
    }
}

/// Demo registrations in the demo set; enough to page through, small enough to seed at once.
const DEMO_REGISTRATIONS: u32 = 20;

/// Seeds the demo set and the demo holders, keeping the import files in `<data-dir>/demo`
/// as examples.
pub async fn seed_demo(
    store: &Store,
    settings: &IssuerSettings,
    kek: &Kek,
    accounts: &Accounts,
    data_dir: &Path,
) -> anyhow::Result<Vec<DemoHolder>> {
    let folder = data_dir.join("demo");
    let now = jiff::Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        if keys::active_signer(store, kek, algorithm, now)
            .await
            .is_err()
        {
            let key = keys::generate(store, kek, algorithm, now).await?;
            say!("demo: generated {algorithm} signing key {}", key.id);
        }
    }
    let seeded = demo::seed(store, settings, &folder, DEMO_REGISTRATIONS, now)
        .await
        .context("cannot seed the demo data")?;
    say!(
        "demo: {} registrations with photos and signatures, reported (files in {})",
        seeded.registrations,
        folder.display()
    );
    demo::seed_holders(store, accounts, settings, &folder, seeded.valid_from, now)
        .await
        .context("cannot seed the demo holders")
}

fn print_demo_logins(address: SocketAddr, holders: &[DemoHolder]) {
    let Some(first) = holders.first() else {
        return;
    };
    say!(
        "demo: log in at http://{address}/login as {} with password {} ({}); \
         the app is at http://{address}/app",
        first.username,
        demo::PASSWORD,
        first.shows
    );
    for holder in &holders[1..] {
        say!("      {:<18} {}", holder.username, holder.shows);
    }
}

/// Resolves on Ctrl-C or SIGTERM, so requests in flight finish before the process ends.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
