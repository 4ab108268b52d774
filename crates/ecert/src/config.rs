//! Turning options into what the commands need: an open store and the issuer's settings.

use anyhow::Context;
use ecert_app::IssuerSettings;
use ecert_store::Store;

use crate::cli::{IssuerOptions, StoreOptions};

/// Opens the configured database and brings its schema up to date. With no URL it is a
/// SQLite file in the data folder, created on first use.
pub async fn open_store(options: &StoreOptions) -> anyhow::Result<Store> {
    let url = if let Some(url) = &options.database {
        url.clone()
    } else {
        let folder = &options.data_dir;
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create the data folder {}", folder.display()))?;
        format!(
            "sqlite://{}?mode=rwc",
            folder.join("ecert.sqlite3").display()
        )
    };
    let store = Store::connect(&url)
        .await
        .context("cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot bring the database schema up to date")?;
    Ok(store)
}

/// The issuer's settings: the development defaults, with each configured value replacing
/// its default.
pub fn issuer_settings(options: &IssuerOptions) -> anyhow::Result<IssuerSettings> {
    let defaults = IssuerSettings::development();
    let settings = IssuerSettings::parse(
        options
            .authority_name
            .as_deref()
            .unwrap_or(&defaults.authority_name),
        options
            .issuer_code
            .as_deref()
            .unwrap_or(defaults.issuer_code.as_str()),
        options
            .licence_type_code
            .as_deref()
            .unwrap_or(defaults.type_code.as_str()),
    )?;
    Ok(settings)
}
