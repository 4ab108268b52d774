//! Reporting records to the ministry and inspecting what is on file.

use ecert_domain::{EndorsementCheck, EndorsementRefusal, RegistrationNumber, calendar};
use ecert_store::{MaterialKind, RegistrationDetail, Store, StoreError};
use jiff::Timestamp;

/// Why numbers could not be reported.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Some numbers are not in the registry; none were marked.
    #[error("not in the registry: {}; nothing was reported", join(.0))]
    Unknown(Vec<RegistrationNumber>),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn join(numbers: &[RegistrationNumber]) -> String {
    numbers
        .iter()
        .map(RegistrationNumber::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Marks registrations as reported (上报) to the ministry: all of them, or none if any is
/// unknown. Returns how many were marked.
pub async fn report(
    store: &Store,
    numbers: &[RegistrationNumber],
    now: Timestamp,
) -> Result<usize, ReportError> {
    let missing = store.mark_reported(numbers, now).await?;
    if !missing.is_empty() {
        return Err(ReportError::Unknown(missing));
    }
    tracing::info!(count = numbers.len(), "registrations reported");
    Ok(numbers.len())
}

/// Everything on file about a registration, and what it lacks before it can be endorsed.
#[derive(Debug, Clone)]
pub struct RecordView {
    /// The stored detail.
    pub detail: RegistrationDetail,
    /// What the authority must still do before the holder can endorse, in the order the
    /// endorsement checks it.
    pub gaps: Vec<EndorsementRefusal>,
}

/// Looks a registration up with its gaps as of `now`.
pub async fn inspect(
    store: &Store,
    number: &RegistrationNumber,
    now: Timestamp,
) -> Result<Option<RecordView>, StoreError> {
    let Some(detail) = store.registration_detail(number).await? else {
        return Ok(None);
    };
    let has = |kind| detail.materials.iter().any(|m| m.kind == kind);
    let check = EndorsementCheck {
        registration: &detail.stored.registration,
        reported: detail.stored.reported_at.is_some(),
        has_photo: has(MaterialKind::Photo),
        has_signature: has(MaterialKind::Signature),
        // The holder's own steps are not the authority's concern here.
        phone_bound: true,
        authenticated: true,
        current_period: None,
        today: calendar::day_of(now),
    };
    let gaps = check
        .refusals()
        .into_iter()
        .filter(EndorsementRefusal::is_for_the_authority)
        .collect();
    Ok(Some(RecordView { detail, gaps }))
}
