//! Registrations, their events and their certificate versions.

use std::collections::HashMap;

use ecert_domain::calendar::Day;
use ecert_domain::certificate::Supersession;
use ecert_domain::{
    CertificateVersion, PrintedFields, Registration, RegistrationEvent, RegistrationNumber,
    VersionHistory,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
// Dynamic SQL here is assembled only from the constant column names above and numbered
// placeholders; every value travels as a bound parameter.
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

use crate::rows::{self, Param, REGISTRATION_COLUMNS};
use crate::{Engine, MaterialSummary, Store, StoreError};

/// Parameters per statement. sqlx's SQLite driver looks placeholders up one by one, so a
/// statement's cost grows with the square of its parameters: a few hundred is the fastest
/// size measured (see the import benchmark), and well under either engine's limit.
const PARAMETERS_PER_STATEMENT: usize = 240;

/// A registration as stored, with what ecert derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRegistration {
    /// The registration.
    pub registration: Registration,
    /// The day its current status began, if it changed since the first import.
    pub status_since: Option<Day>,
    /// When it was reported to the ministry, if it was since its last change.
    pub reported_at: Option<Timestamp>,
    /// The current certificate version.
    pub current_version: Option<CertificateVersion>,
}

/// A new certificate version to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVersion {
    /// Its number; the previous one, if any, is superseded by it.
    pub number: u16,
    /// Its licence identifier.
    pub licence_id: String,
    /// What it prints.
    pub fields: PrintedFields,
}

/// One registration to write, with the events and the version it brings.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationWrite {
    /// The registration as it now stands.
    pub registration: Registration,
    /// Whether it is new to ecert (an insert) or changed (an update).
    pub is_new: bool,
    /// Events to append to its history.
    pub events: Vec<RegistrationEvent>,
    /// A new certificate version, if a printed field changed.
    pub new_version: Option<NewVersion>,
    /// The day its status changed, if it did.
    pub status_changed_on: Option<Day>,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// The event kind (`initial`, `change`, ...).
    pub kind: String,
    /// The event's details as JSON.
    pub detail: serde_json::Value,
    /// When ecert recorded it.
    pub occurred_at: Timestamp,
}

/// Everything stored about one registration, for display.
#[derive(Debug, Clone)]
pub struct RegistrationDetail {
    /// The registration and its current version.
    pub stored: StoredRegistration,
    /// Its history, oldest first.
    pub events: Vec<RecordedEvent>,
    /// Its certificate versions, oldest first, with their licence identifiers.
    pub versions: Vec<(CertificateVersion, String)>,
    /// Its photo and signature image, without their bytes.
    pub materials: Vec<MaterialSummary>,
}

/// Writes this large refresh the planner's statistics at once. Right after a first bulk
/// import PostgreSQL still believes the tables empty and joins them by full scans, which made
/// the next import's look-ups twenty times slower until autovacuum caught up.
const BULK_WRITE: usize = 1000;

const SELECT_REGISTRATION: &str = "SELECT r.*, v.version, v.fields, \
     v.created_at AS version_created_at \
     FROM registrations r LEFT JOIN certificate_versions v \
     ON v.registration_number = r.registration_number AND v.superseded_by IS NULL";

impl Store {
    /// The stored registrations among `numbers`, by number.
    pub async fn registrations(
        &self,
        numbers: &[RegistrationNumber],
    ) -> Result<HashMap<RegistrationNumber, StoredRegistration>, StoreError> {
        let mut found = HashMap::with_capacity(numbers.len());
        for chunk in numbers.chunks(PARAMETERS_PER_STATEMENT / 2) {
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "{SELECT_REGISTRATION} WHERE r.registration_number IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for number in chunk {
                query = query.bind(number.as_str().to_owned());
            }
            for row in query.fetch_all(&self.pool).await? {
                let stored = stored_registration(&row)?;
                found.insert(stored.registration.number.clone(), stored);
            }
        }
        Ok(found)
    }

    /// One stored registration.
    pub async fn registration(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Option<StoredRegistration>, StoreError> {
        let sql = format!("{SELECT_REGISTRATION} WHERE r.registration_number = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(number.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_registration).transpose()
    }

    /// Every registration number, in order.
    pub async fn registration_numbers(&self) -> Result<Vec<RegistrationNumber>, StoreError> {
        let rows = sqlx::query(
            "SELECT registration_number FROM registrations ORDER BY registration_number",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get(0)?;
                RegistrationNumber::parse(&text)
                    .map_err(|e| StoreError::corrupt("registration number", e))
            })
            .collect()
    }

    /// Writes registrations, their events and versions in one transaction: all or nothing.
    pub async fn write_registrations(
        &self,
        writes: &[RegistrationWrite],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let (new, changed): (Vec<_>, Vec<_>) = writes.iter().partition(|write| write.is_new);
        insert_registrations(&mut tx, &new, at).await?;
        for write in &changed {
            update_registration(&mut tx, write, at).await?;
        }
        insert_events(&mut tx, writes, at).await?;
        insert_versions(&mut tx, writes, at).await?;
        tx.commit().await?;
        if writes.len() >= BULK_WRITE {
            self.refresh_statistics().await?;
        }
        Ok(())
    }

    /// Marks registrations as reported (上报) to the ministry at `at`. Returns the numbers
    /// that are not in the registry; nothing is marked if any is missing.
    pub async fn mark_reported(
        &self,
        numbers: &[RegistrationNumber],
        at: Timestamp,
    ) -> Result<Vec<RegistrationNumber>, StoreError> {
        let known = self.registrations(numbers).await?;
        let missing: Vec<_> = numbers
            .iter()
            .filter(|n| !known.contains_key(*n))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Ok(missing);
        }
        let mut tx = self.pool.begin().await?;
        for number in numbers {
            sqlx::query("UPDATE registrations SET reported_at = $1 WHERE registration_number = $2")
                .bind(rows::millis(at))
                .bind(number.as_str().to_owned())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Vec::new())
    }

    /// The registration with its history, versions and materials.
    pub async fn registration_detail(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Option<RegistrationDetail>, StoreError> {
        let Some(stored) = self.registration(number).await? else {
            return Ok(None);
        };
        Ok(Some(RegistrationDetail {
            events: self.events(number).await?,
            versions: self.versions(number).await?,
            materials: self.material_summaries(number).await?,
            stored,
        }))
    }

    /// The certificate's versions, oldest first, as a history the domain rules can use.
    pub async fn version_history(
        &self,
        number: &RegistrationNumber,
    ) -> Result<VersionHistory, StoreError> {
        let versions = self
            .versions(number)
            .await?
            .into_iter()
            .map(|(version, _)| version)
            .collect();
        Ok(VersionHistory::from_versions(versions))
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        let sql = match self.engine() {
            Engine::Postgres => "ANALYZE registrations, certificate_versions, registration_events",
            Engine::Sqlite => "PRAGMA optimize",
        };
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    async fn events(&self, number: &RegistrationNumber) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, detail, occurred_at FROM registration_events \
             WHERE registration_number = $1 ORDER BY id",
        )
        .bind(number.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(RecordedEvent {
                    kind: row.try_get("kind")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::corrupt("event detail", e))?,
                    occurred_at: rows::moment(row.try_get("occurred_at")?)?,
                })
            })
            .collect()
    }

    async fn versions(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Vec<(CertificateVersion, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, licence_id, fields, created_at AS version_created_at, \
             superseded_by, superseded_at \
             FROM certificate_versions WHERE registration_number = $1 ORDER BY version",
        )
        .bind(number.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let mut version = certificate_version(row)?;
                let by: Option<i64> = row.try_get("superseded_by")?;
                let at: Option<i64> = row.try_get("superseded_at")?;
                if let (Some(by), Some(at)) = (by, at) {
                    let by = u16::try_from(by).map_err(|e| StoreError::corrupt("version", e))?;
                    version.superseded = Some(Supersession {
                        by,
                        at: rows::moment(at)?,
                    });
                }
                Ok((version, row.try_get("licence_id")?))
            })
            .collect()
    }
}

fn stored_registration(row: &AnyRow) -> Result<StoredRegistration, StoreError> {
    let version: Option<i64> = row.try_get("version")?;
    let status_since: Option<String> = row.try_get("status_since")?;
    let reported_at: Option<i64> = row.try_get("reported_at")?;
    Ok(StoredRegistration {
        registration: rows::registration(row)?,
        status_since: status_since.as_deref().map(rows::day).transpose()?,
        reported_at: reported_at.map(rows::moment).transpose()?,
        current_version: version.map(|_| certificate_version(row)).transpose()?,
    })
}

fn certificate_version(row: &AnyRow) -> Result<CertificateVersion, StoreError> {
    let number: i64 = row.try_get("version")?;
    let fields: String = row.try_get("fields")?;
    Ok(CertificateVersion {
        number: u16::try_from(number).map_err(|e| StoreError::corrupt("version", e))?,
        fields: serde_json::from_str(&fields)
            .map_err(|e| StoreError::corrupt("printed fields", e))?,
        created_at: rows::moment(row.try_get("version_created_at")?)?,
        superseded: None,
    })
}

/// Runs one multi-row insert per chunk of `rows`.
async fn insert_chunked(
    tx: &mut Transaction<'_, Any>,
    head: &str,
    columns: usize,
    rows: Vec<Vec<Param>>,
) -> Result<(), StoreError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Param>> = rows
            .by_ref()
            .take((PARAMETERS_PER_STATEMENT / columns).max(1))
            .collect();
        let sql = format!("{head} VALUES {}", rows::placeholders(chunk.len(), columns));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for param in chunk.into_iter().flatten() {
            query = param.bind(query);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_registrations(
    tx: &mut Transaction<'_, Any>,
    writes: &[&RegistrationWrite],
    at: Timestamp,
) -> Result<(), StoreError> {
    let head = format!(
        "INSERT INTO registrations ({}, status, status_since, created_at, updated_at)",
        REGISTRATION_COLUMNS.join(", ")
    );
    let rows = writes
        .iter()
        .map(|write| {
            let mut params = rows::registration_params(&write.registration);
            params.push(Param::OptText(
                write.status_changed_on.map(|d| d.to_string()),
            ));
            params.extend([Param::Int(rows::millis(at)), Param::Int(rows::millis(at))]);
            params
        })
        .collect();
    insert_chunked(tx, &head, REGISTRATION_COLUMNS.len() + 4, rows).await
}

/// Overwrites a changed registration. The ministry has not seen the new facts yet, so the
/// record counts as unreported until it is reported again.
async fn update_registration(
    tx: &mut Transaction<'_, Any>,
    write: &RegistrationWrite,
    at: Timestamp,
) -> Result<(), StoreError> {
    let assignments: Vec<String> = REGISTRATION_COLUMNS
        .iter()
        .chain(["status"].iter())
        .enumerate()
        .skip(1)
        .map(|(index, column)| format!("{column} = ${}", index + 1))
        .collect();
    let sql = format!(
        "UPDATE registrations SET {}, status_since = COALESCE($14, status_since), \
         reported_at = NULL, updated_at = $15 WHERE registration_number = $1",
        assignments.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for param in rows::registration_params(&write.registration) {
        query = param.bind(query);
    }
    query
        .bind(write.status_changed_on.map(|d| d.to_string()))
        .bind(rows::millis(at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_events(
    tx: &mut Transaction<'_, Any>,
    writes: &[RegistrationWrite],
    at: Timestamp,
) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    for write in writes {
        for event in &write.events {
            let detail =
                serde_json::to_string(event).map_err(|e| StoreError::corrupt("event", e))?;
            rows.push(vec![
                Param::Text(write.registration.number.as_str().to_owned()),
                Param::Text(event.kind().to_owned()),
                Param::Text(detail),
                Param::Int(rows::millis(at)),
            ]);
        }
    }
    let head = "INSERT INTO registration_events (registration_number, kind, detail, occurred_at)";
    insert_chunked(tx, head, 4, rows).await
}

async fn insert_versions(
    tx: &mut Transaction<'_, Any>,
    writes: &[RegistrationWrite],
    at: Timestamp,
) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    for write in writes {
        let Some(version) = &write.new_version else {
            continue;
        };
        let number = write.registration.number.as_str().to_owned();
        if version.number > 1 {
            supersede(tx, &number, version.number, at).await?;
        }
        let fields =
            serde_json::to_string(&version.fields).map_err(|e| StoreError::corrupt("fields", e))?;
        rows.push(vec![
            Param::Text(number),
            Param::Int(i64::from(version.number)),
            Param::Text(version.licence_id.clone()),
            Param::Text(fields),
            Param::Int(rows::millis(at)),
        ]);
    }
    let head = "INSERT INTO certificate_versions \
        (registration_number, version, licence_id, fields, created_at)";
    insert_chunked(tx, head, 5, rows).await
}

async fn supersede(
    tx: &mut Transaction<'_, Any>,
    number: &str,
    successor: u16,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE certificate_versions SET superseded_by = $1, superseded_at = $2 \
         WHERE registration_number = $3 AND version = $4 AND superseded_by IS NULL",
    )
    .bind(i64::from(successor))
    .bind(rows::millis(at))
    .bind(number.to_owned())
    .bind(i64::from(successor - 1))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
