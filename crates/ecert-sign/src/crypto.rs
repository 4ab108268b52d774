//! The two curves behind one private-key and one public-key type.

use der::{Decode as _, Sequence, asn1::UintRef};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _};
use zeroize::Zeroizing;

use crate::{Algorithm, SM2_SIGNER_ID, SignError};

/// A private signing key on either curve. Its `Debug` shows no key material.
pub(crate) enum PrivateKey {
    Es256(p256::ecdsa::SigningKey),
    Sm2(sm2::dsa::SigningKey),
}

impl PrivateKey {
    /// A fresh random key.
    pub(crate) fn generate(alg: Algorithm) -> Result<Self, SignError> {
        match alg {
            Algorithm::Es256 => {
                let key = p256::SecretKey::try_generate()
                    .map_err(|e| SignError::Random(e.to_string()))?;
                Ok(Self::Es256(key.into()))
            }
            Algorithm::Sm2Sm3 => {
                let key =
                    sm2::SecretKey::try_generate().map_err(|e| SignError::Random(e.to_string()))?;
                Self::from_sm2_secret(&key)
            }
        }
    }

    fn from_sm2_secret(key: &sm2::SecretKey) -> Result<Self, SignError> {
        sm2::dsa::SigningKey::new(SM2_SIGNER_ID, key)
            .map(Self::Sm2)
            .map_err(|_| SignError::InvalidKey("not an SM2 private key".into()))
    }

    /// The 32-byte private scalar, the form kept (encrypted) in a [`crate::KeyRecord`].
    pub(crate) fn from_scalar(alg: Algorithm, bytes: &[u8]) -> Result<Self, SignError> {
        let bad = |_| SignError::InvalidKey("not a private key scalar".into());
        match alg {
            Algorithm::Es256 => p256::ecdsa::SigningKey::from_slice(bytes)
                .map(Self::Es256)
                .map_err(bad),
            Algorithm::Sm2Sm3 => sm2::dsa::SigningKey::from_slice(SM2_SIGNER_ID, bytes)
                .map(Self::Sm2)
                .map_err(bad),
        }
    }

    /// Reads a PKCS#8 or SEC1 private key, PEM or DER.
    pub(crate) fn import(alg: Algorithm, key: &[u8]) -> Result<Self, SignError> {
        let bad = || SignError::InvalidKey(format!("not a {alg} private key (PKCS#8 or SEC1)"));
        let text = std::str::from_utf8(key)
            .ok()
            .filter(|t| t.contains("-----BEGIN"));
        match alg {
            Algorithm::Es256 => {
                let key = match text {
                    Some(pem) => p256::SecretKey::from_pkcs8_pem(pem)
                        .or_else(|_| p256::SecretKey::from_sec1_pem(pem)),
                    None => p256::SecretKey::from_pkcs8_der(key)
                        .or_else(|_| p256::SecretKey::from_sec1_der(key)),
                };
                key.map(|k| Self::Es256(k.into())).map_err(|_| bad())
            }
            Algorithm::Sm2Sm3 => {
                let key = match text {
                    Some(pem) => sm2::SecretKey::from_pkcs8_pem(pem)
                        .or_else(|_| sm2::SecretKey::from_sec1_pem(pem)),
                    None => sm2::SecretKey::from_pkcs8_der(key)
                        .or_else(|_| sm2::SecretKey::from_sec1_der(key)),
                };
                Self::from_sm2_secret(&key.map_err(|_| bad())?)
            }
        }
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            Self::Es256(_) => Algorithm::Es256,
            Self::Sm2(_) => Algorithm::Sm2Sm3,
        }
    }

    pub(crate) fn scalar(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Self::Es256(k) => Zeroizing::new(k.to_bytes().to_vec()),
            Self::Sm2(k) => Zeroizing::new(k.to_bytes().to_vec()),
        }
    }

    pub(crate) fn public_key(&self) -> PublicKey {
        match self {
            Self::Es256(k) => PublicKey::Es256(*k.verifying_key()),
            Self::Sm2(k) => PublicKey::Sm2(k.verifying_key().clone()),
        }
    }

    /// Signs `message` (hashing inside) and returns the DER `SEQUENCE { r, s }`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let failed = |_| SignError::Encoding("signing failed".into());
        match self {
            Self::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(failed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::Sm2(k) => {
                let sig: sm2::dsa::Signature = k.try_sign(message).map_err(failed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({})", self.algorithm())
    }
}

/// A public key on either curve, able to check a signature.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// A P-256 key, for ES256.
    Es256(p256::ecdsa::VerifyingKey),
    /// An SM2 key, for SM2 with SM3 under the signer ID [`SM2_SIGNER_ID`].
    Sm2(sm2::dsa::VerifyingKey),
}

impl PublicKey {
    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Es256(_) => Algorithm::Es256,
            Self::Sm2(_) => Algorithm::Sm2Sm3,
        }
    }

    /// Reads a DER `SubjectPublicKeyInfo`; the curve OID decides the algorithm.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, SignError> {
        if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Ok(Self::Es256(key));
        }
        let key = sm2::PublicKey::from_public_key_der(der)
            .map_err(|_| SignError::InvalidKey("not a P-256 or SM2 public key".into()))?;
        Self::sm2(key)
    }

    /// Builds a key from its uncompressed SEC1 point (`04 ‖ x ‖ y`).
    pub fn from_sec1(alg: Algorithm, point: &[u8]) -> Result<Self, SignError> {
        fn bad<E>(_: E) -> SignError {
            SignError::InvalidKey("not a point on the curve".into())
        }
        match alg {
            Algorithm::Es256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(Self::Es256)
                .map_err(bad),
            Algorithm::Sm2Sm3 => sm2::PublicKey::from_sec1_bytes(point)
                .map_err(bad)
                .and_then(Self::sm2),
        }
    }

    fn sm2(key: sm2::PublicKey) -> Result<Self, SignError> {
        sm2::dsa::VerifyingKey::new(SM2_SIGNER_ID, key)
            .map(Self::Sm2)
            .map_err(|_| SignError::InvalidKey("not an SM2 public key".into()))
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, SignError> {
        let der = match self {
            Self::Es256(k) => k.to_public_key_der(),
            Self::Sm2(k) => k.to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec())
            .map_err(|e| SignError::Encoding(e.to_string()))
    }

    /// The uncompressed SEC1 point `04 ‖ x ‖ y` (65 bytes).
    pub fn to_sec1(&self) -> Vec<u8> {
        match self {
            Self::Es256(k) => k.to_sec1_bytes().to_vec(),
            Self::Sm2(k) => k.to_sec1_bytes().to_vec(),
        }
    }

    /// Whether `signature` (DER `SEQUENCE { r, s }`) signs `message` under this key.
    pub fn verify_der(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Es256(k) => verify_p256(
                &ring::signature::ECDSA_P256_SHA256_ASN1,
                k,
                message,
                signature,
            ),
            Self::Sm2(k) => sm2::dsa::Signature::from_der(signature)
                .is_ok_and(|sig| k.verify(message, &sig).is_ok()),
        }
    }

    /// Whether `signature` (fixed-length `r ‖ s`, as COSE carries it) signs `message`.
    pub fn verify_raw(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Es256(k) => verify_p256(
                &ring::signature::ECDSA_P256_SHA256_FIXED,
                k,
                message,
                signature,
            ),
            Self::Sm2(k) => sm2::dsa::Signature::from_slice(signature)
                .is_ok_and(|sig| k.verify(message, &sig).is_ok()),
        }
    }
}

/// Checks a P-256 signature with ring, whose assembly field arithmetic verifies several times
/// faster than the portable implementation that makes and stores the keys; the QR check on
/// the public verification page is the hottest path there is.
fn verify_p256(
    encoding: &'static ring::signature::EcdsaVerificationAlgorithm,
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let point = key.to_sec1_bytes();
    ring::signature::UnparsedPublicKey::new(encoding, &point)
        .verify(message, signature)
        .is_ok()
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm() && self.to_sec1() == other.to_sec1()
    }
}

impl Eq for PublicKey {}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, shared by ECDSA and SM2.
#[derive(Sequence)]
struct SigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// Turns a DER `SEQUENCE { r, s }` into the fixed-length `r ‖ s` of COSE (32 bytes each).
pub(crate) fn der_to_raw(der: &[u8]) -> Result<Vec<u8>, SignError> {
    let value = SigValue::from_der(der)?;
    let mut raw = vec![0u8; 64];
    for (half, int) in raw.chunks_mut(32).zip([value.r, value.s]) {
        let bytes = int.as_bytes();
        let Some(pad) = 32usize.checked_sub(bytes.len()) else {
            return Err(SignError::InvalidKey("signature integer too long".into()));
        };
        half[pad..].copy_from_slice(bytes);
    }
    Ok(raw)
}

/// Turns a fixed-length `r ‖ s` into DER `SEQUENCE { r, s }`.
#[cfg(test)]
pub(crate) fn raw_to_der(raw: &[u8]) -> Result<Vec<u8>, SignError> {
    if raw.len() != 64 {
        return Err(SignError::InvalidKey("signature is not 64 bytes".into()));
    }
    let (r, s) = raw.split_at(32);
    let value = SigValue {
        r: UintRef::new(r)?,
        s: UintRef::new(s)?,
    };
    Ok(der::Encode::to_der(&value)?)
}
