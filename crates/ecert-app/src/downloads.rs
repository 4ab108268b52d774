//! Downloads ([pdf 下载] / [OFD 下载]): the holder asks for a file, a worker makes it from
//! the durable job queue, and the holder fetches it once it is ready.
//!
//! Endorsing queues both files at once, so by the time the holder clicks [确定] the file is
//! usually made. A worker leases a job, renders and signs the file, writes it atomically
//! under a name derived from the job's key (version, format, usage period), then marks the
//! job done. A worker that dies mid-job leaves a lease that runs out; the next worker
//! redoes the job and writes the same name, so there is never more than one file for a key,
//! and never an unsigned one: signing happens before anything is written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ecert_domain::{Endorsement, EndorsementRefusal, RegistrationNumber, UsagePeriod};
use ecert_sign::{Algorithm, Kek, Signer};
use ecert_store::{AuditEntry, JobState, Store, StoreError, StoredJob};
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;
use tokio::sync::{Mutex, Notify};

use crate::certificates::{CertificateError, FileFormat, Renderer};
use crate::endorsements::{self, EndorseError};
use crate::holders::Holder;
use crate::{files, keys, secrets};

/// How long a worker may hold a job before another may take it over.
pub const DEFAULT_LEASE: SignedDuration = SignedDuration::from_secs(30);
/// Attempts before a job fails for good.
const MAX_ATTEMPTS: u32 = 3;
/// A temporary file this old was left by a killed worker, not by a write in progress.
const STALE_TEMPORARY: Duration = Duration::from_mins(10);
/// How often an idle worker looks for jobs queued by other processes.
const POLL: Duration = Duration::from_millis(500);

/// Why a download could not be started or served.
#[derive(Debug, Error)]
pub enum DownloadError {
    /// Not the holder's certificate or job: one answer for both.
    #[error("not found")]
    NotFound,
    /// No usage period runs: endorse first.
    #[error("尚未加注或使用有效期已届满")]
    NotEndorsed,
    /// A precondition of endorsement fails now (the registration changed, the session has
    /// not passed real-name authentication).
    #[error("{}", .0.message())]
    Refused(EndorsementRefusal),
    /// Reading the file failed.
    #[error("cannot read the certificate file: {0}")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DownloadError {
    /// The message the holder sees, for refusals they can act on.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::NotEndorsed => Some(self.to_string()),
            Self::Refused(refusal) => Some(refusal.message()),
            _ => None,
        }
    }

    /// What the holder can do about it.
    pub fn remedy(&self) -> Option<String> {
        match self {
            Self::NotEndorsed => Some("请先点击[证照加注]完成加注，再下载电子证书。".into()),
            Self::Refused(refusal) => Some(refusal.remedy()),
            _ => None,
        }
    }
}

impl From<EndorseError> for DownloadError {
    fn from(error: EndorseError) -> Self {
        match error {
            EndorseError::NotFound => Self::NotFound,
            EndorseError::Refused(refusal) => Self::Refused(refusal),
            EndorseError::Store(error) => Self::Store(error),
        }
    }
}

/// Where a job stands, as the download page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Queued or being made; `ahead` jobs wait before it.
    Working {
        /// Jobs queued before this one.
        ahead: u64,
    },
    /// The file is ready under this name.
    Ready {
        /// The name the browser saves it as.
        download_name: String,
    },
    /// It could not be made.
    Failed {
        /// Why, in words for the holder.
        reason: String,
    },
}

/// A job as the holder's pages show it.
#[derive(Debug, Clone)]
pub struct JobView {
    /// The job id (random; the download URL carries it).
    pub id: String,
    /// The certificate.
    pub registration_number: RegistrationNumber,
    /// The version the file shows.
    pub version: u16,
    /// The format.
    pub format: FileFormat,
    /// The usage period printed.
    pub period: UsagePeriod,
    /// Where it stands.
    pub progress: Progress,
}

impl JobView {
    /// The page's progress line; the in-progress text is the guide's.
    pub fn progress_text(&self) -> String {
        match &self.progress {
            Progress::Working { ahead: 0 } => "正在生成证照，请耐心等待！".into(),
            Progress::Working { ahead } => {
                format!("正在生成证照，请耐心等待！前面还有 {ahead} 份证照在排队。")
            }
            Progress::Ready { .. } => "证照已生成，可以下载。".into(),
            Progress::Failed { reason } => format!("证照生成失败：{reason}"),
        }
    }
}

/// A finished file.
#[derive(Debug, Clone)]
pub struct DownloadedFile {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The name the browser saves it as.
    pub download_name: String,
    /// Its media type.
    pub media_type: &'static str,
}

/// A renderer and the ids of the two keys it signs with (QR and PDF, OFD seal).
type KeyedRenderer = ([String; 2], Arc<Renderer>);

/// The download service shared by the web layer and the workers.
#[derive(Clone)]
pub struct Downloads {
    store: Store,
    kek: Arc<Kek>,
    public_url: Arc<str>,
    folder: Arc<Path>,
    wake: Arc<Notify>,
    lease: SignedDuration,
    /// The renderer of the active key ids, shared by this process's workers.
    renderer: Arc<Mutex<Option<KeyedRenderer>>>,
}

impl Downloads {
    /// Downloads whose files live in `folder` (made if missing), signed with the active
    /// keys opened by `kek`, their QR codes pointing under `public_url`.
    pub fn new(
        store: Store,
        kek: Arc<Kek>,
        public_url: &str,
        folder: PathBuf,
    ) -> std::io::Result<Self> {
        std::fs::create_dir_all(&folder)?;
        let removed = files::remove_stale_temporaries(&folder, STALE_TEMPORARY)?;
        if removed > 0 {
            tracing::info!(count = removed, "removed temporary files of killed workers");
        }
        Ok(Self {
            store,
            kek,
            public_url: public_url.trim_end_matches('/').into(),
            folder: folder.into(),
            wake: Arc::new(Notify::new()),
            lease: DEFAULT_LEASE,
            renderer: Arc::default(),
        })
    }

    /// The same service with another lease length (tests use short ones).
    #[must_use]
    pub fn with_lease(self, lease: SignedDuration) -> Self {
        Self { lease, ..self }
    }

    /// Tells idle workers of this process that jobs are waiting.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Queues the file of `number` in `format` for the running usage period, or finds the
    /// job that made or is making it.
    pub async fn request(
        &self,
        holder: &Holder,
        number: &RegistrationNumber,
        format: FileFormat,
        now: Timestamp,
    ) -> Result<JobView, DownloadError> {
        if !holder.holds(number) {
            return Err(DownloadError::NotFound);
        }
        let (decision, version) = endorsements::decide(&self.store, holder, number, now).await?;
        let period = match decision.map_err(DownloadError::Refused)? {
            Endorsement::StillRunning(period) => period,
            Endorsement::Granted(_) => return Err(DownloadError::NotEndorsed),
        };
        let job = endorsements::new_job(number, version, format, period, now);
        let stored = self.store.request_job(&job).await?;
        self.wake();
        Ok(self.view(&stored).await?)
    }

    /// The job `job_id` if it is for one of the account's certificates.
    pub async fn job(&self, account_id: &str, job_id: &str) -> Result<Option<JobView>, StoreError> {
        match self.owned_job(account_id, job_id).await? {
            Some(job) => self.view(&job).await.map(Some),
            None => Ok(None),
        }
    }

    /// The finished file of `job_id`, if the job is the account's and done.
    pub async fn open_file(
        &self,
        account_id: &str,
        job_id: &str,
    ) -> Result<Option<DownloadedFile>, DownloadError> {
        let Some(job) = self.owned_job(account_id, job_id).await? else {
            return Ok(None);
        };
        let (JobState::Done, Some(name)) = (job.state, job.file_name.as_deref()) else {
            return Ok(None);
        };
        let bytes = tokio::fs::read(self.folder.join(name)).await?;
        let entry = AuditEntry::new(
            &format!("account:{account_id}"),
            "download",
            name,
            "ok",
            Timestamp::now(),
        );
        self.store.audit(&entry).await?;
        Ok(Some(DownloadedFile {
            bytes,
            download_name: name.to_owned(),
            media_type: format_of(&job).media_type(),
        }))
    }

    /// A worker drawing on this service's queue.
    pub fn worker(&self) -> Worker {
        Worker {
            downloads: self.clone(),
        }
    }

    async fn owned_job(
        &self,
        account_id: &str,
        job_id: &str,
    ) -> Result<Option<StoredJob>, StoreError> {
        let Some(job) = self.store.job(job_id).await? else {
            return Ok(None);
        };
        let mine = self.store.registrations_of_account(account_id).await?;
        Ok(mine.contains(&job.job.number).then_some(job))
    }

    async fn view(&self, job: &StoredJob) -> Result<JobView, StoreError> {
        let progress = match (job.state, &job.file_name) {
            (JobState::Done, Some(name)) => Progress::Ready {
                download_name: name.clone(),
            },
            (JobState::Failed, _) | (JobState::Done, None) => Progress::Failed {
                reason: "请稍后重新点击下载；如仍失败，请联系注册管理机构。".into(),
            },
            _ => Progress::Working {
                ahead: self.store.jobs_ahead(job).await?,
            },
        };
        Ok(JobView {
            id: job.job.job_id.clone(),
            registration_number: job.job.number.clone(),
            version: job.job.version,
            format: format_of(job),
            period: job.job.period,
            progress,
        })
    }
}

/// What a worker's attempt at a job came to.
#[derive(Debug, Error)]
enum JobFailure {
    /// Worth another attempt (a signing service or disk hiccup).
    #[error("{0}")]
    Transient(String),
    /// Will not work however often it is tried (the record changed).
    #[error("{0}")]
    Permanent(String),
}

/// Takes jobs off the queue and makes their files.
pub struct Worker {
    downloads: Downloads,
}

impl Worker {
    /// Works until `shutdown` resolves, finishing the job in hand first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let wake = Arc::clone(&self.downloads.wake);
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let worked = match self.work_once(Timestamp::now()).await {
                Ok(worked) => worked,
                Err(error) => {
                    tracing::error!(%error, "file worker cannot reach the queue");
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = &mut notified => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Claims one job and does it; false when the queue had nothing to take.
    pub async fn work_once(&self, now: Timestamp) -> Result<bool, StoreError> {
        let store = &self.downloads.store;
        let token = secrets::token(16);
        let Some(job) = store.claim_job(&token, now, self.downloads.lease).await? else {
            return Ok(false);
        };
        let started = std::time::Instant::now();
        match self.make(&job).await {
            Ok(name) => {
                let kept = store
                    .finish_job(&job.job.job_id, &token, &name, Timestamp::now())
                    .await?;
                tracing::info!(
                    format = %job.job.format,
                    kept_lease = kept,
                    duration_ms = started.elapsed().as_millis(),
                    "certificate file made"
                );
            }
            Err(failure) => {
                let retry =
                    matches!(failure, JobFailure::Transient(_)) && job.attempts < MAX_ATTEMPTS;
                tracing::warn!(error = %failure, retry, "certificate file failed");
                store
                    .fail_job(
                        &job.job.job_id,
                        &token,
                        &failure.to_string(),
                        retry,
                        Timestamp::now(),
                    )
                    .await?;
            }
        }
        Ok(true)
    }

    /// Renders and signs the job's file with the keys active now, and writes it.
    async fn make(&self, job: &StoredJob) -> Result<String, JobFailure> {
        let downloads = &self.downloads;
        let now = Timestamp::now();
        let renderer = self.renderer(now).await?;
        let prepared = renderer
            .prepare(&downloads.store, &job.job.number, job.job.period.first_day)
            .await
            .map_err(|error| match error {
                CertificateError::Store(error) => JobFailure::Transient(error.to_string()),
                other => JobFailure::Permanent(other.to_string()),
            })?;
        if prepared.version != job.job.version || prepared.usage != job.job.period {
            return Err(JobFailure::Permanent(format!(
                "version {} is no longer current",
                job.job.version
            )));
        }
        let format = format_of(job);
        let name = prepared.file_name(format);
        let path = downloads.folder.join(&name);
        tokio::task::spawn_blocking(move || {
            let bytes = renderer
                .render(&prepared, format, now)
                .map_err(|error| JobFailure::Transient(error.to_string()))?;
            files::write_atomically(&path, &bytes)
                .map_err(|error| JobFailure::Transient(format!("cannot write the file: {error}")))
        })
        .await
        .map_err(|error| JobFailure::Transient(format!("the render task stopped: {error}")))??;
        Ok(name)
    }

    /// A renderer with the signing keys active at `now`. The key list is read for every job,
    /// so a rotated key signs the next file and a retired one never signs again; the
    /// renderer itself (font, opened keys) is rebuilt only when the active keys change.
    async fn renderer(&self, now: Timestamp) -> Result<Arc<Renderer>, JobFailure> {
        let downloads = &self.downloads;
        let transient = |error: keys::KeyError| JobFailure::Transient(error.to_string());
        let records = keys::list(&downloads.store).await.map_err(transient)?;
        let qr_and_pdf = keys::newest_usable(&records, Algorithm::Es256, now).map_err(transient)?;
        let seal = keys::newest_usable(&records, Algorithm::Sm2Sm3, now).map_err(transient)?;
        let ids = [qr_and_pdf.id.clone(), seal.id.clone()];
        if let Some((cached_ids, renderer)) = downloads.renderer.lock().await.as_ref()
            && *cached_ids == ids
        {
            return Ok(Arc::clone(renderer));
        }
        let open = |record: &ecert_sign::KeyRecord| -> Result<Arc<dyn Signer>, JobFailure> {
            let signer = record.signer(&downloads.kek);
            Ok(Arc::new(
                signer.map_err(|e| JobFailure::Transient(e.to_string()))?,
            ))
        };
        let renderer = Renderer::new(&downloads.public_url)
            .map_err(|error| JobFailure::Permanent(error.to_string()))?
            .with_signer(open(qr_and_pdf)?)
            .with_seal_signer(open(seal)?);
        let renderer = Arc::new(renderer);
        *downloads.renderer.lock().await = Some((ids, Arc::clone(&renderer)));
        tracing::info!("file workers sign with the active keys");
        Ok(renderer)
    }
}

/// The job's format; the table's CHECK constraint admits only the two.
fn format_of(job: &StoredJob) -> FileFormat {
    FileFormat::from_extension(&job.job.format).unwrap_or(FileFormat::Pdf)
}
