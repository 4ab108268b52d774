//! Errors of key handling and signing (not verification: see [`crate::Refusal`]).

/// Why a key could not be made, opened or used.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key-encryption key did not open the stored private key (wrong KEK, or the record
    /// was altered).
    #[error("the key-encryption key does not open key {key_id}")]
    WrongKek {
        /// The key's id.
        key_id: String,
    },
    /// The key is retired: nothing may be signed with it any more.
    #[error("key {key_id} was retired at {retired_at}; sign with the current key")]
    Retired {
        /// The key's id.
        key_id: String,
        /// When it was retired.
        retired_at: jiff::Timestamp,
    },
    /// The time is outside the key's certificate validity.
    #[error("key {key_id} is not valid at {at}")]
    OutsideValidity {
        /// The key's id.
        key_id: String,
        /// The signing time.
        at: jiff::Timestamp,
    },
    /// A private key, certificate or signature that could not be read or does not fit.
    #[error("invalid key material: {0}")]
    InvalidKey(String),
    /// Encoding a structure failed.
    #[error("encoding failed: {0}")]
    Encoding(String),
    /// The system's random number generator failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// A PDF or OFD given to sign was not in the expected form.
    #[error("cannot sign this document: {0}")]
    Document(String),
}

impl From<der::Error> for SignError {
    fn from(e: der::Error) -> Self {
        Self::Encoding(e.to_string())
    }
}
