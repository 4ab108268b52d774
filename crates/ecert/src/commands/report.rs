//! `ecert report NUMBER... | --all`.

use std::process::ExitCode;

use ecert_app::registry;
use ecert_store::Store;

pub async fn run(store: &Store, numbers: &[String], all: bool) -> anyhow::Result<ExitCode> {
    let numbers = if all {
        store.registration_numbers().await?
    } else {
        super::parse_numbers(numbers)?
    };
    let count = registry::report(store, &numbers, jiff::Timestamp::now()).await?;
    println!("reported {count} registrations to the ministry");
    Ok(ExitCode::SUCCESS)
}
