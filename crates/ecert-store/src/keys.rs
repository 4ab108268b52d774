//! Signing keys as stored: opaque records, already encrypted by the signing crate.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Store, StoreError};

/// A stored signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The key id (`kid`).
    pub key_id: String,
    /// Its algorithm's name.
    pub algorithm: String,
    /// The key record as JSON; its private key is encrypted.
    pub record: String,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it was retired, if it was.
    pub retired_at: Option<Timestamp>,
}

impl Store {
    /// Adds a key; a second key with the same id is refused by the database.
    pub async fn insert_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (key_id, algorithm, record, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key.key_id.clone())
        .bind(key.algorithm.clone())
        .bind(key.record.clone())
        .bind(rows::millis(key.created_at))
        .bind(key.retired_at.map(rows::millis))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces a key's record and retirement; returns whether the key exists.
    pub async fn update_signing_key(&self, key: &StoredKey) -> Result<bool, StoreError> {
        let result =
            sqlx::query("UPDATE signing_keys SET record = $1, retired_at = $2 WHERE key_id = $3")
                .bind(key.record.clone())
                .bind(key.retired_at.map(rows::millis))
                .bind(key.key_id.clone())
                .execute(&self.pool)
                .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Every key, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, algorithm, record, created_at, retired_at FROM signing_keys \
             ORDER BY created_at, key_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_key).collect()
    }
}

fn stored_key(row: &AnyRow) -> Result<StoredKey, StoreError> {
    let retired_at: Option<i64> = row.try_get("retired_at")?;
    Ok(StoredKey {
        key_id: row.try_get("key_id")?,
        algorithm: row.try_get("algorithm")?,
        record: row.try_get("record")?,
        created_at: rows::moment(row.try_get("created_at")?)?,
        retired_at: retired_at.map(rows::moment).transpose()?,
    })
}
