//! The audit log: who did what, when, with what result, chained by hash.
//!
//! Records never hold secrets or full ID numbers; callers pass an account id or a masked
//! value as the subject. Each record's hash covers the previous record's hash and its own
//! fields, so [`Store::audit_chain_break`] finds any record edited, deleted or inserted.

use std::fmt::Write as _;

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::rows;
use crate::{Store, StoreError};

/// One thing to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who acted: `account:<id>`, `client`, `operator`.
    pub actor: String,
    /// What they did: `login`, `endorse`, `download`, ...
    pub action: String,
    /// What it was done to: a registration number, a job id, a key id.
    pub subject: String,
    /// How it ended: `ok`, or the refusal's code.
    pub outcome: String,
    /// When.
    pub at: Timestamp,
}

impl AuditEntry {
    /// An entry at `at`.
    pub fn new(actor: &str, action: &str, subject: &str, outcome: &str, at: Timestamp) -> Self {
        Self {
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            outcome: outcome.to_owned(),
            at,
        }
    }
}

/// A record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// What was recorded.
    pub entry: AuditEntry,
    /// The previous record's hash.
    pub previous_hash: String,
    /// SHA-256 over the previous hash and this record's fields, hex.
    pub hash: String,
}

impl Store {
    /// Records `entry` on its own.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        append(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every record, oldest first.
    pub async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, outcome, previous_hash, hash \
             FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    seq: row.try_get("seq")?,
                    entry: AuditEntry {
                        at: rows::moment(row.try_get("at")?)?,
                        actor: row.try_get("actor")?,
                        action: row.try_get("action")?,
                        subject: row.try_get("subject")?,
                        outcome: row.try_get("outcome")?,
                    },
                    previous_hash: row.try_get("previous_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }

    /// The first record whose hash or link does not check out, or None when the whole
    /// chain is intact (including its end: the head must name the last record).
    pub async fn audit_chain_break(&self) -> Result<Option<i64>, StoreError> {
        let records = self.audit_records().await?;
        let mut previous = GENESIS.to_owned();
        for (index, record) in records.iter().enumerate() {
            let expected_seq = i64::try_from(index).unwrap_or(i64::MAX) + 1;
            if record.seq != expected_seq
                || record.previous_hash != previous
                || record.hash != chain_hash(&previous, record.seq, &record.entry)
            {
                return Ok(Some(expected_seq));
            }
            previous.clone_from(&record.hash);
        }
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("last_hash")?;
        let count = i64::try_from(records.len()).unwrap_or(i64::MAX);
        Ok((head_seq != count || head_hash != previous).then_some(count + 1))
    }
}

/// The hash before the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends `entry` inside `tx`. The first statement is a write to the head row, which
/// serialises writers on both engines before anything is read.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
            .fetch_one(&mut **tx)
            .await?;
    let seq: i64 = head.try_get("seq")?;
    let previous: String = head.try_get("last_hash")?;
    let hash = chain_hash(&previous, seq, entry);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, outcome, previous_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(rows::millis(entry.at))
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(entry.subject.clone())
    .bind(entry.outcome.clone())
    .bind(previous)
    .bind(hash.clone())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Fields are length-prefixed so that no two different records hash alike.
fn chain_hash(previous: &str, seq: i64, entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    let at = rows::millis(entry.at).to_string();
    let seq = seq.to_string();
    let fields = [
        previous,
        &seq,
        &at,
        &entry.actor,
        &entry.action,
        &entry.subject,
        &entry.outcome,
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}
