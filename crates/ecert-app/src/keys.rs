//! Signing keys: making, listing, rotating and retiring them, and the trust list they form.
//!
//! Key records are stored with their private keys sealed under the key-encryption key (KEK),
//! which the caller brings from configuration; it never reaches the database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecert_sign::{Algorithm, Kek, KeyRecord, SignError, SoftwareSigner, TrustList, Validity};
use ecert_store::{AuditEntry, Store, StoreError, StoredKey};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::RwLock;

/// How long a generated development key's certificate is valid.
const GENERATED_VALIDITY_DAYS: i64 = 3 * 365;

/// The common name of generated, self-issued certificates.
const DEVELOPMENT_SUBJECT: &str = "ecert development signing key";

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key with that id.
    #[error("no signing key {0}")]
    Unknown(String),
    /// No usable key for the algorithm: generate or rotate one.
    #[error("no usable {0} signing key; run `ecert keys generate --alg {1}`")]
    NoActiveKey(Algorithm, &'static str),
    /// The key is already retired.
    #[error("signing key {0} was already retired at {1}")]
    AlreadyRetired(String, Timestamp),
    /// Cryptography or key material failed (wrong KEK, broken record).
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A stored record does not parse.
    #[error("stored signing key {0} is unreadable: {1}")]
    Corrupt(String, String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The command-line name of an algorithm.
pub fn algorithm_flag(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Es256 => "es256",
        Algorithm::Sm2Sm3 => "sm2",
    }
}

/// Makes a key with a self-issued certificate and stores it.
pub async fn generate(
    store: &Store,
    kek: &Kek,
    algorithm: Algorithm,
    now: Timestamp,
) -> Result<KeyRecord, KeyError> {
    let validity = Validity {
        not_before: now,
        not_after: now + SignedDuration::from_hours(24 * GENERATED_VALIDITY_DAYS),
    };
    let record = KeyRecord::generate(algorithm, kek, DEVELOPMENT_SUBJECT, validity)?;
    store.insert_signing_key(&stored(&record, now)?).await?;
    audit(store, "key.generate", &record.id, now).await?;
    tracing::info!(key_id = %record.id, algorithm = %algorithm, "signing key generated");
    Ok(record)
}

/// Every key, oldest first.
pub async fn list(store: &Store) -> Result<Vec<KeyRecord>, KeyError> {
    store.signing_keys().await?.iter().map(record).collect()
}

/// Retires key `id` at `now`: it signs nothing more, and what it signed before stays valid.
pub async fn retire(store: &Store, id: &str, now: Timestamp) -> Result<KeyRecord, KeyError> {
    let mut key = list(store)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| KeyError::Unknown(id.to_owned()))?;
    if let Some(at) = key.retired_at {
        return Err(KeyError::AlreadyRetired(key.id, at));
    }
    key.retire(now);
    store.update_signing_key(&stored(&key, now)?).await?;
    audit(store, "key.retire", &key.id, now).await?;
    tracing::info!(key_id = %key.id, "signing key retired");
    Ok(key)
}

/// Makes a new key and retires the ones of the same algorithm still in use. Returns the
/// new key and the retired ones.
pub async fn rotate(
    store: &Store,
    kek: &Kek,
    algorithm: Algorithm,
    now: Timestamp,
) -> Result<(KeyRecord, Vec<KeyRecord>), KeyError> {
    let previous: Vec<_> = list(store)
        .await?
        .into_iter()
        .filter(|k| k.algorithm == algorithm && k.retired_at.is_none())
        .collect();
    let new = generate(store, kek, algorithm, now).await?;
    let mut retired = Vec::with_capacity(previous.len());
    for key in previous {
        retired.push(retire(store, &key.id, now).await?);
    }
    Ok((new, retired))
}

/// The published trust list: every key, retired ones included, so old files stay verifiable.
pub async fn trust_list(store: &Store) -> Result<TrustList, KeyError> {
    let records = list(store).await?;
    Ok(TrustList::from_records(&records)?)
}

/// How long a server keeps the trust list before reading it again: the longest a key retired
/// by another process (`ecert keys retire`) goes on counting as in use.
pub const TRUST_LIST_TTL: Duration = Duration::from_secs(30);

/// The trust list as a verifying server holds it: read from the store at most once per
/// [`TRUST_LIST_TTL`], and again at once when a payload names a key it lacks (a key another
/// process has just made). Building the list parses every key, which the public verification
/// page should not do per request; a payload naming a made-up key costs one read of the key
/// table, as every request did before, and the per-client rate limit bounds those. Clones
/// share one list.
#[derive(Debug, Clone, Default)]
pub struct TrustCache {
    held: Arc<RwLock<Option<HeldList>>>,
}

#[derive(Debug)]
struct HeldList {
    list: Arc<TrustList>,
    read_at: Instant,
}

impl TrustCache {
    /// The list, read from the store if the one held is missing or older than the TTL.
    pub async fn current(&self, store: &Store) -> Result<Arc<TrustList>, KeyError> {
        if let Some(held) = self.held.read().await.as_ref()
            && held.read_at.elapsed() < TRUST_LIST_TTL
        {
            return Ok(Arc::clone(&held.list));
        }
        self.reload(store).await
    }

    /// The list read again now, after a payload named a key the held list lacks.
    pub async fn reload(&self, store: &Store) -> Result<Arc<TrustList>, KeyError> {
        let list = Arc::new(trust_list(store).await?);
        *self.held.write().await = Some(HeldList {
            list: Arc::clone(&list),
            read_at: Instant::now(),
        });
        Ok(list)
    }
}

/// The newest key of `algorithm` that can sign at `now`, opened with the KEK.
pub async fn active_signer(
    store: &Store,
    kek: &Kek,
    algorithm: Algorithm,
    now: Timestamp,
) -> Result<SoftwareSigner, KeyError> {
    let records = list(store).await?;
    Ok(newest_usable(&records, algorithm, now)?.signer(kek)?)
}

/// The newest of `records` of `algorithm` that can sign at `now`.
pub fn newest_usable(
    records: &[KeyRecord],
    algorithm: Algorithm,
    now: Timestamp,
) -> Result<&KeyRecord, KeyError> {
    records
        .iter()
        .rev()
        .find(|k| k.algorithm == algorithm && k.check_usable_at(now).is_ok())
        .ok_or(KeyError::NoActiveKey(algorithm, algorithm_flag(algorithm)))
}

/// Key operations are the operator's, from the command line.
async fn audit(store: &Store, action: &str, key_id: &str, now: Timestamp) -> Result<(), KeyError> {
    let entry = AuditEntry::new("operator", action, key_id, "ok", now);
    Ok(store.audit(&entry).await?)
}

fn stored(record: &KeyRecord, now: Timestamp) -> Result<StoredKey, KeyError> {
    let json = serde_json::to_string(record)
        .map_err(|e| KeyError::Corrupt(record.id.clone(), e.to_string()))?;
    Ok(StoredKey {
        key_id: record.id.clone(),
        algorithm: record.algorithm.to_string(),
        record: json,
        created_at: now,
        retired_at: record.retired_at,
    })
}

fn record(stored: &StoredKey) -> Result<KeyRecord, KeyError> {
    serde_json::from_str(&stored.record)
        .map_err(|e| KeyError::Corrupt(stored.key_id.clone(), e.to_string()))
}
