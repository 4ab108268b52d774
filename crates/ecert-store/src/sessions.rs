//! Browser sessions, the app's device keys, and cross-device challenges.
//!
//! Session ids and challenge codes are stored as SHA-256 digests: someone who reads the
//! database cannot take over a session or approve a challenge with what they read.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Store, StoreError};

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// SHA-256 of the session id, hex.
    pub session_hash: String,
    /// The logged-in account, if any.
    pub account_id: Option<String>,
    /// The token every form of the session carries.
    pub csrf_token: String,
    /// The client address that opened it, shown to the app when it approves a challenge.
    pub client_address: String,
    /// When it began.
    pub created_at: Timestamp,
    /// When it was last used.
    pub last_seen_at: Timestamp,
    /// When real-name authentication passed in it.
    pub authenticated_at: Option<Timestamp>,
}

/// A cross-device challenge: shown by a portal session, approved from the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChallenge {
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// The session that showed it: the only one that can use it.
    pub session_hash: String,
    /// The account it is for.
    pub account_id: String,
    /// What approving it allows, in words.
    pub action: String,
    /// The address of the browser that showed it.
    pub client_address: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When face verification passed for it.
    pub face_checked_at: Option<Timestamp>,
    /// When the app approved it.
    pub approved_at: Option<Timestamp>,
    /// The device key that approved it.
    pub device_id: Option<String>,
    /// When the session used it.
    pub used_at: Option<Timestamp>,
}

const SELECT_SESSION: &str = "SELECT session_hash, account_id, csrf_token, client_address, \
     created_at, last_seen_at, authenticated_at FROM sessions";

const SELECT_CHALLENGE: &str = "SELECT code_hash, session_hash, account_id, action, \
     client_address, created_at, expires_at, face_checked_at, approved_at, device_id, used_at \
     FROM challenges";

impl Store {
    /// Adds a session.
    pub async fn insert_session(&self, session: &StoredSession) -> Result<(), StoreError> {
        insert_session(&self.pool, session).await
    }

    /// The session with this id digest.
    pub async fn session(&self, session_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let sql = format!("{SELECT_SESSION} WHERE session_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_session).transpose()
    }

    /// Records that the session was used at `at`.
    pub async fn touch_session(&self, session_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE session_hash = $2")
            .bind(rows::millis(at))
            .bind(session_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session on the server.
    pub async fn delete_session(&self, session_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(session_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces a session by one with a new id in one transaction (after login), so the old
    /// id, which may have been planted, stops working at once.
    pub async fn replace_session(
        &self,
        old_hash: &str,
        new: &StoredSession,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(old_hash.to_owned())
            .execute(&mut *tx)
            .await?;
        insert_session(&mut *tx, new).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the public key of a device of `account_id`.
    pub async fn insert_device_key(
        &self,
        device_id: &str,
        account_id: &str,
        public_key: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO device_keys (device_id, account_id, public_key, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(device_id.to_owned())
        .bind(account_id.to_owned())
        .bind(public_key.to_owned())
        .bind(rows::millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The public key of a device, if the device belongs to `account_id`.
    pub async fn device_key(
        &self,
        device_id: &str,
        account_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT public_key FROM device_keys WHERE device_id = $1 AND account_id = $2",
        )
        .bind(device_id.to_owned())
        .bind(account_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    /// Adds a challenge.
    pub async fn insert_challenge(&self, challenge: &StoredChallenge) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO challenges (code_hash, session_hash, account_id, action, client_address, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(challenge.code_hash.clone())
        .bind(challenge.session_hash.clone())
        .bind(challenge.account_id.clone())
        .bind(challenge.action.clone())
        .bind(challenge.client_address.clone())
        .bind(rows::millis(challenge.created_at))
        .bind(rows::millis(challenge.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The challenge with this code digest.
    pub async fn challenge(&self, code_hash: &str) -> Result<Option<StoredChallenge>, StoreError> {
        let sql = format!("{SELECT_CHALLENGE} WHERE code_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_challenge).transpose()
    }

    /// The newest challenge a session showed.
    pub async fn latest_challenge_of_session(
        &self,
        session_hash: &str,
    ) -> Result<Option<StoredChallenge>, StoreError> {
        let sql =
            format!("{SELECT_CHALLENGE} WHERE session_hash = $1 ORDER BY created_at DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_challenge).transpose()
    }

    /// Records a passed face verification on a challenge that is still open; returns
    /// whether it was.
    pub async fn mark_face_checked(
        &self,
        code_hash: &str,
        account_id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE challenges SET face_checked_at = $1 WHERE code_hash = $2 AND account_id = $3 \
             AND approved_at IS NULL AND used_at IS NULL AND expires_at > $1",
        )
        .bind(rows::millis(at))
        .bind(code_hash.to_owned())
        .bind(account_id.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Approves an open, face-checked challenge once; returns whether this call approved it.
    pub async fn approve_challenge(
        &self,
        code_hash: &str,
        account_id: &str,
        device_id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE challenges SET approved_at = $1, device_id = $2 WHERE code_hash = $3 \
             AND account_id = $4 AND face_checked_at IS NOT NULL AND approved_at IS NULL \
             AND used_at IS NULL AND expires_at > $1",
        )
        .bind(rows::millis(at))
        .bind(device_id.to_owned())
        .bind(code_hash.to_owned())
        .bind(account_id.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Uses an approved challenge for the session that showed it and, in the same
    /// transaction, replaces that session by `renewed` (new id, authenticated). Returns
    /// false, changing nothing, when the challenge is not approved, already used, expired,
    /// or belongs to another session.
    pub async fn complete_challenge(
        &self,
        code_hash: &str,
        renewed: &StoredSession,
        old_session_hash: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(
            "UPDATE challenges SET used_at = $1 WHERE code_hash = $2 AND session_hash = $3 \
             AND approved_at IS NOT NULL AND used_at IS NULL AND expires_at > $1",
        )
        .bind(rows::millis(at))
        .bind(code_hash.to_owned())
        .bind(old_session_hash.to_owned())
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(old_session_hash.to_owned())
            .execute(&mut *tx)
            .await?;
        insert_session(&mut *tx, renewed).await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn insert_session<'e, E>(executor: E, session: &StoredSession) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO sessions (session_hash, account_id, csrf_token, client_address, created_at, \
         last_seen_at, authenticated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session.session_hash.clone())
    .bind(session.account_id.clone())
    .bind(session.csrf_token.clone())
    .bind(session.client_address.clone())
    .bind(rows::millis(session.created_at))
    .bind(rows::millis(session.last_seen_at))
    .bind(session.authenticated_at.map(rows::millis))
    .execute(executor)
    .await?;
    Ok(())
}

fn stored_session(row: &AnyRow) -> Result<StoredSession, StoreError> {
    Ok(StoredSession {
        session_hash: row.try_get("session_hash")?,
        account_id: row.try_get("account_id")?,
        csrf_token: row.try_get("csrf_token")?,
        client_address: row.try_get("client_address")?,
        created_at: rows::moment(row.try_get("created_at")?)?,
        last_seen_at: rows::moment(row.try_get("last_seen_at")?)?,
        authenticated_at: optional_moment(row, "authenticated_at")?,
    })
}

fn stored_challenge(row: &AnyRow) -> Result<StoredChallenge, StoreError> {
    Ok(StoredChallenge {
        code_hash: row.try_get("code_hash")?,
        session_hash: row.try_get("session_hash")?,
        account_id: row.try_get("account_id")?,
        action: row.try_get("action")?,
        client_address: row.try_get("client_address")?,
        created_at: rows::moment(row.try_get("created_at")?)?,
        expires_at: rows::moment(row.try_get("expires_at")?)?,
        face_checked_at: optional_moment(row, "face_checked_at")?,
        approved_at: optional_moment(row, "approved_at")?,
        device_id: row.try_get("device_id")?,
        used_at: optional_moment(row, "used_at")?,
    })
}

fn optional_moment(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let millis: Option<i64> = row.try_get(column)?;
    millis.map(rows::moment).transpose()
}
