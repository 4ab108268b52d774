//! The two signature algorithms ecert signs with, and their names in each format.

use const_oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};

/// A signature algorithm: the curve, the hash, and how the hash is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (JOSE and COSE "ES256"). The default: any COSE library
    /// checks it.
    #[serde(rename = "ES256")]
    Es256,
    /// SM2 with SM3 (GB/T 32918, GB/T 32905), the digest taken over Z‖M where Z binds the
    /// public key and the signer ID `1234567812345678` (GB/T 35276). Required for OFD seals.
    #[serde(rename = "SM2-SM3")]
    Sm2Sm3,
}

/// The signer ID (distinguishing identifier) hashed into SM2's Z value: the default of
/// GB/T 35276, which OpenSSL calls `distid:1234567812345678`.
pub const SM2_SIGNER_ID: &str = "1234567812345678";

/// COSE `alg` for ES256 (RFC 9053).
pub const COSE_ALG_ES256: i64 = -7;
/// COSE `alg` for SM2 with SM3. No value is registered with IANA, so ecert uses one from the
/// private-use range (below -65536, RFC 9052 section 16.4): `-65537`.
pub const COSE_ALG_SM2_SM3: i64 = -65_537;

/// ecdsa-with-SHA256 (RFC 5758).
pub(crate) const OID_ECDSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// SM2 signature with SM3 (GM/T 0006).
pub(crate) const OID_SM2_SM3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

impl Algorithm {
    /// The name in a JWK's `alg` member and in a [`crate::KeyRecord`]: `ES256` or `SM2-SM3`
    /// (a private name; JOSE registers none for SM2).
    pub fn jose_name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Sm2Sm3 => "SM2-SM3",
        }
    }

    /// Parses a [`Self::jose_name`].
    pub fn from_jose_name(name: &str) -> Option<Self> {
        match name {
            "ES256" => Some(Self::Es256),
            "SM2-SM3" => Some(Self::Sm2Sm3),
            _ => None,
        }
    }

    /// The curve's name in a JWK's `crv` member: `P-256`, or the private name `SM2`.
    pub fn jwk_curve(self) -> &'static str {
        match self {
            Self::Es256 => "P-256",
            Self::Sm2Sm3 => "SM2",
        }
    }

    /// The COSE `alg` value: -7, or [`COSE_ALG_SM2_SM3`].
    pub fn cose_alg(self) -> i64 {
        match self {
            Self::Es256 => COSE_ALG_ES256,
            Self::Sm2Sm3 => COSE_ALG_SM2_SM3,
        }
    }

    /// The algorithm whose COSE `alg` value is `alg`.
    pub fn from_cose_alg(alg: i64) -> Option<Self> {
        match alg {
            COSE_ALG_ES256 => Some(Self::Es256),
            COSE_ALG_SM2_SM3 => Some(Self::Sm2Sm3),
            _ => None,
        }
    }

    /// The X.509/CMS signature algorithm OID.
    pub(crate) fn signature_oid(self) -> ObjectIdentifier {
        match self {
            Self::Es256 => OID_ECDSA_SHA256,
            Self::Sm2Sm3 => OID_SM2_SM3,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.jose_name())
    }
}
