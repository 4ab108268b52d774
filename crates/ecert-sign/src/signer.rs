//! The one signing interface, and its software implementation over a [`KeyRecord`].

use jiff::Timestamp;

use crate::crypto::PrivateKey;
use crate::{Algorithm, KeyRecord, SignError};

/// Anything that signs for ecert: a software key, an HSM, a cloud KMS. It hashes inside
/// (SHA-256 for ES256; SM3 over Z‖M with the signer ID [`crate::SM2_SIGNER_ID`] for SM2), so
/// a remote signer may receive the message or compute the digest itself.
pub trait Signer: Send + Sync {
    /// The key id (`kid`) the trust list publishes this key under.
    fn key_id(&self) -> &str;

    /// The signature algorithm.
    fn algorithm(&self) -> Algorithm;

    /// The key's X.509 certificate, DER.
    fn certificate_der(&self) -> &[u8];

    /// Signs `message` and returns the DER `SEQUENCE { r INTEGER, s INTEGER }`. Refused once
    /// the key is retired or outside its validity.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// A [`Signer`] holding its private key in memory, opened from a [`KeyRecord`].
#[derive(Debug)]
pub struct SoftwareSigner {
    record: KeyRecord,
    key: PrivateKey,
}

impl SoftwareSigner {
    pub(crate) fn new(record: KeyRecord, key: PrivateKey) -> Self {
        Self { record, key }
    }

    /// The record the key came from.
    pub fn record(&self) -> &KeyRecord {
        &self.record
    }

    /// Signs as if the time were `at`: refused when the key is retired or outside its
    /// validity at that moment. [`Signer::sign`] uses the clock.
    pub fn sign_at(&self, message: &[u8], at: Timestamp) -> Result<Vec<u8>, SignError> {
        self.record.check_usable_at(at)?;
        self.key.sign(message)
    }
}

impl Signer for SoftwareSigner {
    fn key_id(&self) -> &str {
        &self.record.id
    }

    fn algorithm(&self) -> Algorithm {
        self.record.algorithm
    }

    fn certificate_der(&self) -> &[u8] {
        &self.record.certificate
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign_at(message, Timestamp::now())
    }
}
