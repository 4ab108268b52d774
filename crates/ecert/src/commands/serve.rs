//! `ecert serve`: the web server, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use ecert_app::{IssuerSettings, demo, keys};
use ecert_sign::{Algorithm, Kek};
use ecert_store::Store;
use ecert_web::AppState;

pub async fn run(store: Store, listen: SocketAddr) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    println!("ecert is running at http://{address}/ (Ctrl-C stops it)");
    tracing::info!(%address, "serving");
    ecert_web::serve(listener, AppState::new(store), shutdown_signal())
        .await
        .context("the web server stopped with an error")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Demo registrations in the demo set; enough to page through, small enough to seed at once.
const DEMO_REGISTRATIONS: u32 = 20;

/// Seeds the demo set, keeping its import files in `<data-dir>/demo` as examples.
pub async fn seed_demo(
    store: &Store,
    settings: &IssuerSettings,
    kek: &Kek,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let folder = data_dir.join("demo");
    let now = jiff::Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        if keys::active_signer(store, kek, algorithm, now)
            .await
            .is_err()
        {
            let key = keys::generate(store, kek, algorithm, now).await?;
            println!("demo: generated {algorithm} signing key {}", key.id);
        }
    }
    let seeded = demo::seed(store, settings, &folder, DEMO_REGISTRATIONS, now)
        .await
        .context("cannot seed the demo data")?;
    println!(
        "demo: {} registrations with photos and signatures, reported (files in {})",
        seeded.registrations,
        folder.display()
    );
    Ok(())
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
