//! Verification: is this QR payload genuine, and is the certificate it shows in force now?
//!
//! The signature is checked first, offline, against the trust list; the live status from the
//! registry then decides whether the certificate is in force. The live status wins: a
//! genuine payload of a revoked registration or a superseded version is not in force.

use ecert_domain::{IssuedFile, LiveRecord, NotInForce, RegistrationNumber, Standing};
use ecert_sign::{Refusal, VerifiedClaims, verify_payload};
use ecert_store::{Store, StoreError};
use jiff::Timestamp;

use crate::keys::{KeyError, TrustCache};

/// The outcome of verifying a payload.
#[derive(Debug, Clone)]
pub enum Verification {
    /// The signature checked out; the standing is the registry's word now.
    Genuine {
        /// What the payload claims, and who signed it.
        verified: VerifiedClaims,
        /// In force, or every reason why not.
        standing: Standing,
        /// The registration's current certificate version, to point at when superseded.
        current_version: Option<u16>,
    },
    /// The payload is not genuine, with the reason.
    NotGenuine(Refusal),
}

/// Why verification could not be carried out at all (as opposed to a payload refused).
#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    /// The trust list could not be built.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The registry could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verifies `payload` (the URL of a QR code, or the payload alone) at `now`, against the
/// trust list `trust` holds.
pub async fn verify(
    store: &Store,
    trust: &TrustCache,
    payload: &str,
    now: Timestamp,
) -> Result<Verification, VerificationError> {
    let mut checked = verify_payload(payload, &*trust.current(store).await?, now);
    if let Err(Refusal::UnknownKey { .. }) = checked {
        checked = verify_payload(payload, &*trust.reload(store).await?, now);
    }
    let verified = match checked {
        Ok(verified) => verified,
        Err(refusal) => return Ok(Verification::NotGenuine(refusal)),
    };
    let (standing, current_version) = live_standing(store, &verified, now).await?;
    Ok(Verification::Genuine {
        verified,
        standing,
        current_version,
    })
}

async fn live_standing(
    store: &Store,
    verified: &VerifiedClaims,
    now: Timestamp,
) -> Result<(Standing, Option<u16>), StoreError> {
    let unknown = || {
        (
            Standing::NotInForce {
                reasons: vec![NotInForce::UnknownVersion],
            },
            None,
        )
    };
    let Ok(number) = RegistrationNumber::parse(&verified.claims.registration_number) else {
        return Ok(unknown());
    };
    let Some(stored) = store.registration(&number).await? else {
        return Ok(unknown());
    };
    let history = store.version_history(&number).await?;
    let file = IssuedFile {
        version: verified.claims.version,
        usage: verified.claims.usage_period(),
    };
    let live = LiveRecord {
        registration: &stored.registration,
        status_since: stored.status_since,
        history: &history,
    };
    let current = history.current().map(|v| v.number);
    Ok((file.standing_at(live, now), current))
}
