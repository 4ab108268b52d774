//! The durable queue of certificate files.
//!
//! A job names one file: a certificate version, a format and a usage period; the table's
//! unique key makes that one job (and so one file) however often it is asked for. Workers
//! lease jobs: a claim sets a random lease token and a deadline, and only the holder of the
//! token can finish the job. A worker that dies leaves its lease to run out, and the next
//! claim takes the job again. The claim is one `UPDATE … WHERE job_id = (SELECT …)` that
//! re-checks its condition, so two workers never both win the same job on either engine.

use ecert_domain::{RegistrationNumber, UsagePeriod};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::rows;
use crate::{Store, StoreError};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker holds its lease.
    Running,
    /// The file is written.
    Done,
    /// It failed for good.
    Failed,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            other => return Err(StoreError::corrupt("job state", other)),
        })
    }
}

/// A file to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// A random id (the download URL carries it).
    pub job_id: String,
    /// The certificate.
    pub number: RegistrationNumber,
    /// Its version.
    pub version: u16,
    /// `pdf` or `ofd`.
    pub format: String,
    /// The usage period printed.
    pub period: UsagePeriod,
    /// When it was asked for.
    pub created_at: Timestamp,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJob {
    /// What it makes.
    pub job: NewJob,
    /// Where it stands.
    pub state: JobState,
    /// Claims so far.
    pub attempts: u32,
    /// The current lease's token, while running.
    pub lease_token: Option<String>,
    /// The file's name in the file folder, once done.
    pub file_name: Option<String>,
    /// Why it failed, once failed.
    pub error: Option<String>,
    /// When it was done or failed.
    pub finished_at: Option<Timestamp>,
}

const SELECT_JOB: &str = "SELECT job_id, registration_number, version, format, first_day, \
     last_day, state, attempts, lease_token, file_name, error, created_at, finished_at \
     FROM file_jobs";

/// A holder is waiting on the download page for this file: it goes first.
const WAITED_FOR: i64 = 0;
/// Made ahead, at endorsement, before anyone asked.
pub(crate) const AHEAD: i64 = 1;

/// Jobs a worker may take at `$1`: waiting, or running on a lease that ran out.
const CLAIMABLE: &str = "(state = 'queued' OR (state = 'running' AND lease_until < $1))";

impl Store {
    /// Queues `job` for a holder who waits for it, unless its file is made or being made
    /// already; a queued job moves ahead of those made ahead, and a job that failed for good
    /// is queued again. Returns the job that stands for the file.
    pub async fn request_job(&self, job: &NewJob) -> Result<StoredJob, StoreError> {
        let mut tx = self.pool.begin().await?;
        insert(&mut tx, job, WAITED_FOR).await?;
        let requeue = [
            "UPDATE file_jobs SET priority = $5 WHERE registration_number = $1 \
             AND version = $2 AND format = $3 AND first_day = $4 AND state = 'queued'",
            "UPDATE file_jobs SET state = 'queued', priority = $5, attempts = 0, error = NULL, \
             finished_at = NULL WHERE registration_number = $1 AND version = $2 \
             AND format = $3 AND first_day = $4 AND state = 'failed'",
        ];
        for sql in requeue {
            sqlx::query(sql)
                .bind(job.number.as_str().to_owned())
                .bind(i64::from(job.version))
                .bind(job.format.clone())
                .bind(job.period.first_day.to_string())
                .bind(WAITED_FOR)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.job_for_file(job)
            .await?
            .ok_or_else(|| StoreError::corrupt("file job", "missing after insert"))
    }

    /// The job with this id.
    pub async fn job(&self, job_id: &str) -> Result<Option<StoredJob>, StoreError> {
        let sql = format!("{SELECT_JOB} WHERE job_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(job_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_job).transpose()
    }

    /// Every job, oldest first, for operators and tests.
    pub async fn jobs(&self) -> Result<Vec<StoredJob>, StoreError> {
        let sql = format!("{SELECT_JOB} ORDER BY created_at, job_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored_job).collect()
    }

    /// Takes the oldest claimable job for `lease`, marking it running under `token`.
    pub async fn claim_job(
        &self,
        token: &str,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Option<StoredJob>, StoreError> {
        let sql = format!(
            "UPDATE file_jobs SET state = 'running', attempts = attempts + 1, \
             lease_token = $2, lease_until = $3 WHERE job_id = (SELECT job_id FROM file_jobs \
             WHERE {CLAIMABLE} ORDER BY priority, created_at, job_id LIMIT 1) AND {CLAIMABLE} \
             RETURNING job_id"
        );
        let claimed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(rows::millis(now))
            .bind(token.to_owned())
            .bind(rows::millis(now + lease))
            .fetch_optional(&self.pool)
            .await?;
        match claimed {
            Some(row) => self.job(&row.try_get::<String, _>("job_id")?).await,
            None => Ok(None),
        }
    }

    /// Marks a job done with its file, if `token` still holds its lease. False means the
    /// lease was lost (another worker took the job over) and nothing changed.
    pub async fn finish_job(
        &self,
        job_id: &str,
        token: &str,
        file_name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE file_jobs SET state = 'done', file_name = $3, finished_at = $4, \
             lease_token = NULL, lease_until = NULL \
             WHERE job_id = $1 AND lease_token = $2 AND state = 'running'",
        )
        .bind(job_id.to_owned())
        .bind(token.to_owned())
        .bind(file_name.to_owned())
        .bind(rows::millis(now))
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records a failed attempt under `token`: queued again while `retry`, failed for good
    /// otherwise.
    pub async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        error: &str,
        retry: bool,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let state = if retry {
            JobState::Queued
        } else {
            JobState::Failed
        };
        let result = sqlx::query(
            "UPDATE file_jobs SET state = $3, error = $4, finished_at = $5, \
             lease_token = NULL, lease_until = NULL \
             WHERE job_id = $1 AND lease_token = $2 AND state = 'running'",
        )
        .bind(job_id.to_owned())
        .bind(token.to_owned())
        .bind(state.as_str().to_owned())
        .bind(error.to_owned())
        .bind((!retry).then(|| rows::millis(now)))
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// How many jobs wait ahead of `job` (0 when it is next or running).
    pub async fn jobs_ahead(&self, job: &StoredJob) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS ahead FROM file_jobs w, file_jobs j WHERE j.job_id = $1 \
             AND j.state = 'queued' AND w.state = 'queued' AND (w.priority < j.priority \
             OR (w.priority = j.priority AND (w.created_at < j.created_at \
             OR (w.created_at = j.created_at AND w.job_id < j.job_id))))",
        )
        .bind(job.job.job_id.clone())
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("ahead")?).unwrap_or(0))
    }

    async fn job_for_file(&self, job: &NewJob) -> Result<Option<StoredJob>, StoreError> {
        let sql = format!(
            "{SELECT_JOB} WHERE registration_number = $1 AND version = $2 AND format = $3 \
             AND first_day = $4"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(job.number.as_str().to_owned())
            .bind(i64::from(job.version))
            .bind(job.format.clone())
            .bind(job.period.first_day.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_job).transpose()
    }
}

/// Inserts `job` inside `tx` with `priority` unless a job for the same file exists.
pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    job: &NewJob,
    priority: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO file_jobs (job_id, registration_number, version, format, first_day, \
         last_day, state, priority, attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $8, 0, $7) \
         ON CONFLICT (registration_number, version, format, first_day) DO NOTHING",
    )
    .bind(job.job_id.clone())
    .bind(job.number.as_str().to_owned())
    .bind(i64::from(job.version))
    .bind(job.format.clone())
    .bind(job.period.first_day.to_string())
    .bind(job.period.last_day.to_string())
    .bind(rows::millis(job.created_at))
    .bind(priority)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn stored_job(row: &AnyRow) -> Result<StoredJob, StoreError> {
    let number: String = row.try_get("registration_number")?;
    let version: i64 = row.try_get("version")?;
    let first: String = row.try_get("first_day")?;
    let last: String = row.try_get("last_day")?;
    let finished: Option<i64> = row.try_get("finished_at")?;
    Ok(StoredJob {
        job: NewJob {
            job_id: row.try_get("job_id")?,
            number: RegistrationNumber::parse(&number)
                .map_err(|error| StoreError::corrupt("registration number", error))?,
            version: u16::try_from(version)
                .map_err(|error| StoreError::corrupt("version", error))?,
            format: row.try_get("format")?,
            period: UsagePeriod {
                first_day: rows::day(&first)?,
                last_day: rows::day(&last)?,
            },
            created_at: rows::moment(row.try_get("created_at")?)?,
        },
        state: JobState::parse(&row.try_get::<String, _>("state")?)?,
        attempts: crate::accounts::count(row.try_get("attempts")?),
        lease_token: row.try_get("lease_token")?,
        file_name: row.try_get("file_name")?,
        error: row.try_get("error")?,
        finished_at: finished.map(rows::moment).transpose()?,
    })
}
