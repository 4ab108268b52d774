//! A fresh, migrated database for each test, on the engine the environment names.
//!
//! `ECERT_TEST_DATABASE_URL` unset or `sqlite`: a SQLite file in a temporary folder.
//! A `postgres://` URL: a new database on that server, dropped when the test ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::{Engine, Store};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A migrated store that lives as long as the test.
pub struct TestDatabase {
    /// The store to test against.
    pub store: Store,
    /// The URL the store was opened with (for a second process, such as the CLI).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(PathBuf),
    PostgresDatabase { server_url: String, name: String },
}

impl TestDatabase {
    /// Creates and migrates a database for one test.
    pub async fn new() -> Self {
        let server = std::env::var("ECERT_TEST_DATABASE_URL").unwrap_or_default();
        let unique = format!(
            "ecert_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            jiff::Timestamp::now().as_microsecond() % 1_000_000_000
        );
        let (url, cleanup) = if Engine::of_url(&server).ok() == Some(Engine::Postgres) {
            create_postgres_database(&server, &unique).await
        } else {
            let folder = std::env::temp_dir().join(&unique);
            std::fs::create_dir_all(&folder).expect("temporary folder");
            let url = format!(
                "sqlite://{}?mode=rwc",
                folder.join("ecert.sqlite3").display()
            );
            (url, Cleanup::Folder(folder))
        };
        let store = Store::connect(&url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        Self {
            store,
            url,
            cleanup,
        }
    }

    /// Runs raw SQL against the test database, as someone with direct access to it would
    /// (tests of tamper detection).
    pub async fn execute(&self, sql: &str) {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.store.pool)
            .await
            .expect("raw SQL in a test");
    }
}

async fn create_postgres_database(server_url: &str, name: &str) -> (String, Cleanup) {
    sqlx::any::install_default_drivers();
    let mut admin = AnyConnection::connect(server_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    let url = replace_database(server_url, name);
    let cleanup = Cleanup::PostgresDatabase {
        server_url: server_url.to_owned(),
        name: name.to_owned(),
    };
    (url, cleanup)
}

/// The same server URL with another database name.
fn replace_database(server_url: &str, name: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(folder) => {
                let _ = std::fs::remove_dir_all(folder);
            }
            Cleanup::PostgresDatabase { server_url, name } => {
                // Drop runs inside the test's runtime, which cannot block on itself: a
                // short-lived thread with its own runtime removes the database.
                let (server_url, name) = (server_url.clone(), name.clone());
                let _ =
                    std::thread::spawn(move || drop_postgres_database(&server_url, &name)).join();
            }
        }
    }
}

fn drop_postgres_database(server_url: &str, name: &str) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        if let Ok(mut admin) = AnyConnection::connect(server_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced_and_options_kept() {
        assert_eq!(
            replace_database(
                "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
                "t1"
            ),
            "postgres://postgres@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://h:5432", "t2"),
            "postgres://h:5432/t2"
        );
    }
}
