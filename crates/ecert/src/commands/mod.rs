//! One module per command; each validates its input, acts and reports to the terminal.
#![allow(
    clippy::print_stdout,
    reason = "commands report to the person at the terminal"
)]

mod import;
mod keys;
mod render;
mod report;
mod serve;
mod show;
mod verify;

use std::process::ExitCode;

use ecert_domain::RegistrationNumber;

use ecert_app::downloads::Downloads;
use ecert_sign::Kek;
use ecert_web::AppState;

use crate::cli::{Cli, Command, ImportCommand, StoreOptions};
use crate::config;

/// The download service: files under `<data-dir>/files`.
fn downloads(
    store: &ecert_store::Store,
    kek: Kek,
    data_dir: &std::path::Path,
    public_url: &str,
) -> anyhow::Result<Downloads> {
    let folder = data_dir.join("files");
    Downloads::new(store.clone(), std::sync::Arc::new(kek), public_url, folder)
        .map_err(|error| anyhow::anyhow!("cannot make the file folder: {error}"))
}

fn lease(options: &crate::cli::WorkerOptions) -> jiff::SignedDuration {
    jiff::SignedDuration::from_secs(i64::from(options.job_lease_seconds.max(1)))
}

/// Runs the command the command line names.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::DemoData { count, out } = &cli.command {
        return demo_data(*count, out);
    }
    let store = config::open_store(&cli.store).await?;
    let result = match cli.command {
        Command::Serve {
            listen,
            demo,
            portal,
            workers,
        } => {
            let kek = kek(&cli.store, cli.key_encryption_key.as_deref())?;
            let portal = serve::portal(&store, &portal, &cli.public_url);
            let holders = if demo {
                let settings = config::issuer_settings(&cli.issuer)?;
                let data_dir = &cli.store.data_dir;
                serve::seed_demo(&store, &settings, &kek, &portal.accounts, data_dir).await?
            } else {
                Vec::new()
            };
            let downloads = downloads(&store, kek, &cli.store.data_dir, &cli.public_url)?
                .with_lease(lease(&workers));
            let state = AppState::new(store.clone()).with_portal(portal);
            let count = workers.workers.unwrap_or_else(serve::default_workers);
            serve::run(state, downloads, listen, count, &holders).await
        }
        Command::Worker { workers } => {
            let kek = kek(&cli.store, cli.key_encryption_key.as_deref())?;
            let downloads = downloads(&store, kek, &cli.store.data_dir, &cli.public_url)?
                .with_lease(lease(&workers));
            let count = workers.workers.unwrap_or_else(serve::default_workers);
            serve::run_workers(downloads, count).await
        }
        Command::Migrate => {
            println!("database schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Registrations { file }) => {
            let settings = config::issuer_settings(&cli.issuer)?;
            import::registrations(&store, &file, &settings).await
        }
        Command::Import(ImportCommand::Materials { folder }) => {
            import::materials(&store, &folder).await
        }
        Command::Report { numbers, all } => report::run(&store, &numbers, all).await,
        Command::Show { number } => show::run(&store, &number).await,
        Command::Render {
            number,
            all,
            format,
            out,
            from,
        } => {
            let kek = kek(&cli.store, cli.key_encryption_key.as_deref())?;
            let signers = render::Signers::load(&store, &kek, format).await?;
            let request = render::Request {
                number,
                all,
                format,
                out,
                from,
            };
            render::run(&store, &cli.public_url, signers, request).await
        }
        Command::Keys(command) => {
            let kek = || kek(&cli.store, cli.key_encryption_key.as_deref());
            keys::run(&store, kek, command).await
        }
        Command::Verify {
            file,
            payload,
            qr_image,
            trust_list,
            online,
        } => {
            let evidence = match (file, qr_image, payload) {
                (Some(file), _, _) => verify::Evidence::File(file),
                (None, Some(image), _) => verify::Evidence::QrImage(image),
                (None, None, Some(payload)) => verify::Evidence::Payload(payload),
                (None, None, None) => anyhow::bail!("give a file, --qr-image or --payload"),
            };
            verify::run(&store, evidence, trust_list, online).await
        }
        Command::DemoData { .. } => unreachable!("handled before the store is opened"),
    };
    store.close().await;
    result
}

fn kek(store: &StoreOptions, configured: Option<&str>) -> anyhow::Result<Kek> {
    config::key_encryption_key(configured, &store.data_dir)
}

fn demo_data(count: u32, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    let today = ecert_domain::calendar::day_of(jiff::Timestamp::now());
    let valid_from = ecert_domain::calendar::add_days(today, -30);
    std::fs::write(out, ecert_app::demo::csv(count, valid_from))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!("wrote {count} synthetic registrations to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Parses registration numbers given on the command line, naming each bad one.
fn parse_numbers(texts: &[String]) -> anyhow::Result<Vec<RegistrationNumber>> {
    texts
        .iter()
        .map(|text| {
            RegistrationNumber::parse(text)
                .map_err(|e| anyhow::anyhow!("\"{text}\" is not a registration number: {e}"))
        })
        .collect()
}
