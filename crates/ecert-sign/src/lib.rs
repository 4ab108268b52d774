//! Signing keys, the trust list, the signed QR payload, and PDF and OFD signatures.
//!
//! Everything ecert issues is signed through one interface, [`Signer`], that an HSM or KMS
//! can implement; [`SoftwareSigner`] opens a [`KeyRecord`] (private key encrypted under a
//! [`Kek`]). Verifiers take a published [`TrustList`] and fail closed with a [`Refusal`].

mod algorithm;
pub(crate) mod b64;
mod cert;
mod crypto;
mod error;
#[cfg(test)]
mod kat;
mod keys;
pub mod ofd;
pub mod pdf;
pub mod qr;
mod refusal;
mod signer;
mod trust;

pub use algorithm::{Algorithm, COSE_ALG_ES256, COSE_ALG_SM2_SM3, SM2_SIGNER_ID};
pub use crypto::PublicKey;
pub use error::SignError;
pub use keys::{Kek, KeyRecord, SealedKey, Validity, key_id};
pub use ofd::{OfdSealInfo, seal_ofd, verify_ofd};
pub use pdf::{PdfSignatureInfo, StampPlacement, sign_pdf, verify_pdf};
pub use qr::{Claims, VerifiedClaims, payload_url, sign_payload, verify_payload};
pub use refusal::Refusal;
pub use signer::{Signer, SoftwareSigner};
pub use trust::{Jwk, TrustList, TrustedKey};
