//! Endorsing a certificate (加注): the product's preconditions in order, then one
//! transaction that records the period, its audit entry and the jobs for both files, so
//! the PDF and OFD are being made before the holder asks for them.

use ecert_domain::{
    Endorsement, EndorsementCheck, EndorsementRefusal, RegistrationNumber, UsagePeriod, calendar,
};
use ecert_store::{AuditEntry, MaterialKind, NewEndorsement, NewJob, Store, StoreError};
use jiff::Timestamp;
use thiserror::Error;

use crate::certificates::FileFormat;
use crate::holders::Holder;
use crate::secrets;

/// Why an endorsement did not happen.
#[derive(Debug, Error)]
pub enum EndorseError {
    /// Not the holder's certificate, or no such certificate: one answer for both.
    #[error("not found")]
    NotFound,
    /// A precondition failed: the guide's message and its remedy.
    #[error("{}", .0.message())]
    Refused(EndorsementRefusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Endorses `number` for `holder` at `now`, or names the first precondition that fails.
/// A second submission on the same day finds the period granted by the first.
pub async fn endorse(
    store: &Store,
    holder: &Holder,
    number: &RegistrationNumber,
    now: Timestamp,
) -> Result<Endorsement, EndorseError> {
    if !holder.holds(number) {
        return Err(EndorseError::NotFound);
    }
    let (decision, version) = decide(store, holder, number, now).await?;
    let endorsement = match decision {
        Ok(endorsement) => endorsement,
        Err(refusal) => {
            let entry = audit(holder, number, refusal.code(), now);
            store.audit(&entry).await?;
            tracing::info!(reason = refusal.code(), "endorsement refused");
            return Err(EndorseError::Refused(refusal));
        }
    };
    let period = endorsement.period();
    let record = NewEndorsement {
        number: number.clone(),
        period,
        account_id: holder.account_id.clone(),
        at: now,
    };
    let jobs = FileFormat::ALL.map(|format| new_job(number, version, format, period, now));
    let entry = audit(holder, number, "ok", now);
    let granted = store.endorse(&record, &entry, &jobs).await?;
    tracing::info!(new_period = granted, "endorsed");
    Ok(endorsement)
}

/// The usage period in force today for `number`, if one is.
pub async fn running_period(
    store: &Store,
    number: &RegistrationNumber,
    now: Timestamp,
) -> Result<Option<UsagePeriod>, StoreError> {
    let today = calendar::day_of(now);
    Ok(store
        .latest_endorsement(number)
        .await?
        .filter(|period| period.contains(today)))
}

/// Every precondition for `holder`, in the product's order: the decision, and the current
/// certificate version it applies to.
pub async fn decide(
    store: &Store,
    holder: &Holder,
    number: &RegistrationNumber,
    now: Timestamp,
) -> Result<(Result<Endorsement, EndorsementRefusal>, u16), EndorseError> {
    let detail = store
        .registration_detail(number)
        .await?
        .ok_or(EndorseError::NotFound)?;
    let current_period = store.latest_endorsement(number).await?;
    let has = |kind| detail.materials.iter().any(|m| m.kind == kind);
    let check = EndorsementCheck {
        registration: &detail.stored.registration,
        reported: detail.stored.reported_at.is_some(),
        has_photo: has(MaterialKind::Photo),
        has_signature: has(MaterialKind::Signature),
        phone_bound: holder.phone_bound,
        authenticated: holder.authenticated,
        current_period,
        today: calendar::day_of(now),
    };
    let version = detail
        .stored
        .current_version
        .as_ref()
        .map_or(1, |v| v.number);
    Ok((check.decide(), version))
}

/// A job for one file of `number`.
pub(crate) fn new_job(
    number: &RegistrationNumber,
    version: u16,
    format: FileFormat,
    period: UsagePeriod,
    now: Timestamp,
) -> NewJob {
    NewJob {
        job_id: secrets::token(16),
        number: number.clone(),
        version,
        format: format.extension().to_owned(),
        period,
        created_at: now,
    }
}

fn audit(
    holder: &Holder,
    number: &RegistrationNumber,
    outcome: &str,
    now: Timestamp,
) -> AuditEntry {
    AuditEntry::new(&holder.actor(), "endorse", number.as_str(), outcome, now)
}
