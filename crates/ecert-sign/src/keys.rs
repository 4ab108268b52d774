//! Signing keys at rest: a [`KeyRecord`] keeps the private key encrypted under a [`Kek`].

use aes_gcm::aead::{Aead as _, Generate as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::{Zeroize as _, Zeroizing};

use crate::cert;
use crate::crypto::{PrivateKey, PublicKey};
use crate::{Algorithm, SignError, SoftwareSigner};

/// The key-encryption key: 32 bytes from configuration or the environment, never stored with
/// the records it opens. Its `Debug` hides it; it is wiped when dropped.
pub struct Kek(Zeroizing<[u8; 32]>);

impl Kek {
    /// A KEK from exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SignError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SignError::InvalidKey("the KEK must be 32 bytes".into()))?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// A KEK from 64 hexadecimal digits, the form an environment variable carries.
    pub fn from_hex(text: &str) -> Result<Self, SignError> {
        let text = text.trim();
        let bad = || SignError::InvalidKey("the KEK must be 64 hexadecimal digits".into());
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(Self(bytes))
    }

    fn cipher(&self) -> Result<Aes256Gcm, SignError> {
        Aes256Gcm::new_from_slice(self.0.as_slice())
            .map_err(|_| SignError::InvalidKey("the KEK must be 32 bytes".into()))
    }
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

/// The private key sealed with AES-256-GCM under the KEK. The additional data binds the
/// ciphertext to its key id and algorithm, so it cannot be moved into another record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    /// Always `A256GCM`.
    pub enc: String,
    /// The 96-bit nonce, base64.
    #[serde(with = "crate::b64")]
    pub nonce: Vec<u8>,
    /// The private scalar encrypted, with its 16-byte tag, base64.
    #[serde(with = "crate::b64")]
    pub ciphertext: Vec<u8>,
}

/// A certificate's validity: from `not_before` to `not_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// First moment the key may sign.
    pub not_before: Timestamp,
    /// Last moment the key may sign.
    pub not_after: Timestamp,
}

/// A signing key as stored: everything about it, with the private part encrypted.
/// Serializable so that the store can keep it; contains no secret in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key id (`kid`): 12 hex digits of the SHA-256 of the public key info. Short because
    /// it travels in every QR code.
    pub id: String,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// The private key, encrypted.
    pub sealed_key: SealedKey,
    /// The X.509 certificate, DER, base64 in the serialized form.
    #[serde(with = "crate::b64")]
    pub certificate: Vec<u8>,
    /// Start of the certificate's validity.
    pub not_before: Timestamp,
    /// End of the certificate's validity.
    pub not_after: Timestamp,
    /// When the key was retired (rotated out): nothing is signed with it from then on, and
    /// nothing claiming a later signing time verifies.
    pub retired_at: Option<Timestamp>,
}

impl KeyRecord {
    /// Makes a new key with a self-issued certificate for `subject` (a common name). For
    /// development and tests; real deployments [`Self::import`] a key their CA certified.
    pub fn generate(
        algorithm: Algorithm,
        kek: &Kek,
        subject: &str,
        validity: Validity,
    ) -> Result<Self, SignError> {
        let key = PrivateKey::generate(algorithm)?;
        let certificate =
            cert::self_issued(&key, subject, validity.not_before, validity.not_after)?;
        Self::seal(&key, certificate, kek)
    }

    /// Takes a private key (PKCS#8 or SEC1, PEM or DER) and its certificate (DER). The
    /// certificate must hold the key's public half; its validity becomes the record's.
    pub fn import(
        algorithm: Algorithm,
        private_key: &[u8],
        certificate: Vec<u8>,
        kek: &Kek,
    ) -> Result<Self, SignError> {
        let key = PrivateKey::import(algorithm, private_key)?;
        let info = cert::read(&certificate)?;
        if info.public_key != key.public_key() {
            return Err(SignError::InvalidKey(
                "the certificate is not for this private key".into(),
            ));
        }
        Self::seal(&key, certificate, kek)
    }

    fn seal(key: &PrivateKey, certificate: Vec<u8>, kek: &Kek) -> Result<Self, SignError> {
        let info = cert::read(&certificate)?;
        let algorithm = key.algorithm();
        let id = key_id(&info.public_key)?;
        let nonce = Nonce::<aes_gcm::aead::consts::U12>::try_generate()
            .map_err(|e| SignError::Random(e.to_string()))?;
        let payload = Payload {
            msg: &key.scalar(),
            aad: &additional_data(&id, algorithm),
        };
        let ciphertext = kek
            .cipher()?
            .encrypt(&nonce, payload)
            .map_err(|_| SignError::Encoding("key encryption failed".into()))?;
        Ok(Self {
            sealed_key: SealedKey {
                enc: "A256GCM".into(),
                nonce: nonce.to_vec(),
                ciphertext,
            },
            id,
            algorithm,
            certificate,
            not_before: info.not_before,
            not_after: info.not_after,
            retired_at: None,
        })
    }

    /// Opens the private key with the KEK and returns a signer for it.
    pub fn signer(&self, kek: &Kek) -> Result<SoftwareSigner, SignError> {
        let wrong = || SignError::WrongKek {
            key_id: self.id.clone(),
        };
        let nonce: [u8; 12] = self
            .sealed_key
            .nonce
            .as_slice()
            .try_into()
            .map_err(|_| wrong())?;
        let payload = Payload {
            msg: &self.sealed_key.ciphertext,
            aad: &additional_data(&self.id, self.algorithm),
        };
        let mut scalar = kek
            .cipher()?
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| wrong())?;
        let key = PrivateKey::from_scalar(self.algorithm, &scalar);
        scalar.zeroize();
        Ok(SoftwareSigner::new(self.clone(), key?))
    }

    /// The public key, from the certificate.
    pub fn public_key(&self) -> Result<PublicKey, SignError> {
        Ok(cert::read(&self.certificate)?.public_key)
    }

    /// Retires the key at `at`: from then on it signs nothing, and items it signed earlier
    /// still verify.
    pub fn retire(&mut self, at: Timestamp) {
        self.retired_at.get_or_insert(at);
    }

    /// Whether the key may sign at `at`: inside its validity and not retired.
    pub fn check_usable_at(&self, at: Timestamp) -> Result<(), SignError> {
        if let Some(retired_at) = self.retired_at.filter(|r| *r <= at) {
            return Err(SignError::Retired {
                key_id: self.id.clone(),
                retired_at,
            });
        }
        if at < self.not_before || at > self.not_after {
            return Err(SignError::OutsideValidity {
                key_id: self.id.clone(),
                at,
            });
        }
        Ok(())
    }
}

/// The key id of a public key: the first 6 bytes of SHA-256 over its DER public key info,
/// as 12 hex digits.
pub fn key_id(key: &PublicKey) -> Result<String, SignError> {
    let digest = Sha256::digest(key.to_spki_der()?);
    Ok(crate::b64::hex(&digest[..6]))
}

fn additional_data(id: &str, algorithm: Algorithm) -> Vec<u8> {
    format!("ecert-key:{id}:{}", algorithm.jose_name()).into_bytes()
}
