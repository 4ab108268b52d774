//! Turning options into what the commands need: an open store and the issuer's settings.

use std::path::Path;

use anyhow::Context;
use ecert_app::IssuerSettings;
use ecert_sign::Kek;
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

/// The key-encryption key: the configured one, or for development one kept in the data
/// folder (created on first use, readable by the owner only).
pub fn key_encryption_key(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Kek> {
    if let Some(hex) = configured {
        return Kek::from_hex(hex).context("ECERT_KEY_ENCRYPTION_KEY must be 64 hex digits");
    }
    let path = data_dir.join("key-encryption-key");
    if !path.exists() {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
        let hex = ecert_app::images::hex(&bytes);
        std::fs::create_dir_all(data_dir)?;
        write_private(&path, &hex).with_context(|| format!("cannot write {}", path.display()))?;
        tracing::warn!(
            "created a development key-encryption key in the data folder; \
             set ECERT_KEY_ENCRYPTION_KEY in production"
        );
    }
    let hex = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Kek::from_hex(hex.trim())
        .with_context(|| format!("{} does not hold 64 hex digits", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
