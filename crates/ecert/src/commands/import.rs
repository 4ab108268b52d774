//! `ecert import registrations FILE` and `ecert import materials DIR`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use ecert_app::IssuerSettings;
use ecert_app::import::{self, ImportError};
use ecert_store::Store;

use crate::progress::Bar;

pub async fn registrations(
    store: &Store,
    file: &Path,
    settings: &IssuerSettings,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let bar = Bar::new("checking and importing");
    let result =
        import::import_registrations(store, file, settings, jiff::Timestamp::now(), &bar).await;
    bar.finish();
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => return refused(error),
    };
    println!(
        "imported {}: {} new, {} changed, {} unchanged; {} certificate versions made ({:.1} s)",
        file.display(),
        summary.new,
        summary.changed,
        summary.unchanged,
        summary.versions,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn materials(store: &Store, folder: &Path) -> anyhow::Result<ExitCode> {
    let bar = Bar::new("checking images");
    let result = import::import_materials(store, folder, jiff::Timestamp::now(), &bar).await;
    bar.finish();
    match result {
        Ok(summary) => {
            println!(
                "imported {}: {} photos, {} signature images",
                folder.display(),
                summary.photos,
                summary.signatures
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => refused(error),
    }
}

/// Lists every problem, one per line, then says that nothing changed.
fn refused(error: ImportError) -> anyhow::Result<ExitCode> {
    let ImportError::Invalid(problems) = &error else {
        return Err(error.into());
    };
    for problem in problems {
        eprintln!("{problem}");
    }
    eprintln!("error: {error}");
    Ok(ExitCode::FAILURE)
}
