//! Connecting to SQLite or PostgreSQL and keeping the schema current.

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One file in the data folder.
    Sqlite,
    /// A server shared by several ecert processes.
    Postgres,
}

impl Engine {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

/// Access to ecert's database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    engine: Engine,
}

impl Store {
    /// Connects to the database at `url` (`sqlite://PATH?mode=rwc` or `postgres://...`).
    /// It does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let engine = Engine::of_url(url)?;
        let options = AnyPoolOptions::new()
            .max_connections(match engine {
                // SQLite has one writer at a time; a few readers beside it are plenty.
                Engine::Sqlite => 4,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let options = match engine {
            Engine::Sqlite => options.after_connect(|connection, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL sync makes a committed
                    // import survive a power cut, which matters more than write speed here.
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    Ok(())
                })
            }),
            Engine::Postgres => options,
        };
        let pool = options.connect(url).await?;
        tracing::info!(engine = ?engine, "database connected");
        Ok(Self { pool, engine })
    }

    /// Brings the schema up to date; safe to run at every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The engine in use.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Whether the database answers, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for queries in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A URL with any password removed, for error messages and logs.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_url_errors() {
        let error = Engine::of_url("mysql://admin:hunter2@db/ecert").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn engines_are_told_by_scheme() {
        assert_eq!(Engine::of_url("sqlite://x.db").unwrap(), Engine::Sqlite);
        assert_eq!(
            Engine::of_url("postgresql://h/db").unwrap(),
            Engine::Postgres
        );
    }
}
