//! Errors of the data layer: typed, so callers can tell a missing row from a broken database.

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names an engine ecert does not support.
    #[error("unsupported database URL (use sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value no longer parses: the database was changed outside ecert.
    #[error("stored {what} is invalid: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why it does not parse.
        detail: String,
    },
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}
