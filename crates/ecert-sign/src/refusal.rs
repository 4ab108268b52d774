//! Why a verifier refused an item: one reason, with a stable code for machines.

use jiff::Timestamp;

/// A verification that failed closed. [`Refusal::code`] is stable (vectors and the JSON API
/// use it); the `Display` text is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not base64url, not a verification URL, or not valid text.
    #[error("the payload is not readable base64url text")]
    BadEncoding,
    /// Larger than any payload ecert issues, refused before decoding.
    #[error("the payload is larger than {limit} bytes")]
    Oversized {
        /// The limit that was passed.
        limit: usize,
    },
    /// The data ends too early: part of it is missing.
    #[error("the payload is cut short")]
    Truncated,
    /// Not the structure ecert signs (`COSE_Sign1`, CMS, OFD seal), or with unknown parts.
    #[error("the payload is not a well-formed signed structure: {0}")]
    Malformed(String),
    /// The key id is not on the trust list.
    #[error("key {kid} is not on the trust list")]
    UnknownKey {
        /// The key id the item names.
        kid: String,
    },
    /// The algorithm the item names is not the algorithm of its key.
    #[error("the item says {claimed}, but key {kid} is for {expected}")]
    WrongAlgorithm {
        /// The key id.
        kid: String,
        /// The algorithm in the item.
        claimed: String,
        /// The key's algorithm.
        expected: String,
    },
    /// The signature does not match the content: the item was altered or forged.
    #[error("the signature does not match: the content was altered or not signed by {kid}")]
    BadSignature {
        /// The key id.
        kid: String,
    },
    /// Signed (by its own account) after the key was retired.
    #[error("key {kid} was retired at {retired_at}, before this item's signing time")]
    KeyRetired {
        /// The key id.
        kid: String,
        /// The retirement time.
        retired_at: Timestamp,
    },
    /// Signed outside the validity of the key's certificate.
    #[error("key {kid} was not valid at the signing time {signed_at}")]
    KeyNotValid {
        /// The key id.
        kid: String,
        /// The signing time the item claims.
        signed_at: Timestamp,
    },
    /// The signing time lies in the future.
    #[error("the signing time {signed_at} lies in the future")]
    IssuedInFuture {
        /// The signing time the item claims.
        signed_at: Timestamp,
    },
    /// The document carries no signature to check.
    #[error("the document is not signed")]
    NotSigned,
    /// The document was changed after signing (bytes outside the signed range, or an OFD
    /// package member added, changed or removed).
    #[error("the document was changed after signing: {0}")]
    Altered(String),
}

impl Refusal {
    /// A stable machine-readable reason code, such as `bad_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadEncoding => "bad_encoding",
            Self::Oversized { .. } => "oversized",
            Self::Truncated => "truncated",
            Self::Malformed(_) => "malformed",
            Self::UnknownKey { .. } => "unknown_key",
            Self::WrongAlgorithm { .. } => "wrong_algorithm",
            Self::BadSignature { .. } => "bad_signature",
            Self::KeyRetired { .. } => "key_retired",
            Self::KeyNotValid { .. } => "key_not_valid",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::NotSigned => "not_signed",
            Self::Altered(_) => "altered",
        }
    }
}
