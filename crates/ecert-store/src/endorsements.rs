//! Endorsements (加注): the usage periods granted, written with their audit record and
//! their file jobs in one transaction.

use ecert_domain::calendar::Day;
use ecert_domain::{RegistrationNumber, UsagePeriod};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::{self, AuditEntry};
use crate::jobs::{self, NewJob};
use crate::rows;
use crate::{Store, StoreError};

/// An endorsement to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndorsement {
    /// The certificate endorsed.
    pub number: RegistrationNumber,
    /// The period granted.
    pub period: UsagePeriod,
    /// The account that endorsed.
    pub account_id: String,
    /// When.
    pub at: Timestamp,
}

impl Store {
    /// Records an endorsement, its audit entry and the jobs for its files, all or nothing.
    /// Returns false when the same period was granted already (a double submission): the
    /// audit entry is still written, and no job is queued twice.
    pub async fn endorse(
        &self,
        endorsement: &NewEndorsement,
        audit_entry: &AuditEntry,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        audit::append(&mut tx, audit_entry).await?;
        let inserted = sqlx::query(
            "INSERT INTO endorsements (registration_number, first_day, last_day, account_id, \
             endorsed_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (registration_number, first_day) DO NOTHING",
        )
        .bind(endorsement.number.as_str().to_owned())
        .bind(endorsement.period.first_day.to_string())
        .bind(endorsement.period.last_day.to_string())
        .bind(endorsement.account_id.clone())
        .bind(rows::millis(endorsement.at))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        for job in jobs {
            jobs::insert(&mut tx, job, jobs::AHEAD).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// The latest usage period granted for `number`, if any.
    pub async fn latest_endorsement(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Option<UsagePeriod>, StoreError> {
        let row = sqlx::query(
            "SELECT first_day, last_day FROM endorsements WHERE registration_number = $1 \
             ORDER BY first_day DESC LIMIT 1",
        )
        .bind(number.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let first: String = row.try_get("first_day")?;
            let last: String = row.try_get("last_day")?;
            Ok(UsagePeriod {
                first_day: rows::day(&first)?,
                last_day: rows::day(&last)?,
            })
        })
        .transpose()
    }

    /// How many endorsements `number` has had, for the holder's history.
    pub async fn endorsement_days(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Vec<Day>, StoreError> {
        let rows = sqlx::query(
            "SELECT first_day FROM endorsements WHERE registration_number = $1 \
             ORDER BY first_day",
        )
        .bind(number.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| rows::day(&row.try_get::<String, _>("first_day")?))
            .collect()
    }
}
