//! The trust list: the published public keys as a JWK Set (RFC 7517), retired ones included.
//!
//! Each key is an EC JWK with `kid`, `alg` (`ES256`, or the private name `SM2-SM3` with
//! `crv: "SM2"`), `x`/`y`, `use: "sig"`, the certificate in `x5c`, the validity as
//! `NumericDate` `nbf`/`exp`, and the private members `retired` and `retired_at`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Algorithm, KeyRecord, PublicKey, Refusal, SignError, b64, cert, key_id};

/// One published key, as it appears in the JWK Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `EC`.
    pub kty: String,
    /// `P-256` or `SM2`.
    pub crv: String,
    /// `ES256` or `SM2-SM3`.
    pub alg: String,
    /// The key id.
    pub kid: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
    /// The x coordinate, base64url.
    pub x: String,
    /// The y coordinate, base64url.
    pub y: String,
    /// The certificate chain, standard base64 DER, the key's own certificate first.
    pub x5c: Vec<String>,
    /// Start of validity, seconds since the epoch.
    pub nbf: i64,
    /// End of validity, seconds since the epoch.
    pub exp: i64,
    /// Whether the key is retired (still listed so that older items verify).
    #[serde(default)]
    pub retired: bool,
    /// When it was retired, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

/// A published key, read and checked: its JWK and its parsed public key.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    jwk: Jwk,
    algorithm: Algorithm,
    public_key: PublicKey,
    not_before: Timestamp,
    not_after: Timestamp,
    retired_at: Option<Timestamp>,
}

/// The JWK Set on the wire.
#[derive(Serialize, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

/// The keys a verifier trusts. Built from key records by the issuer, read from JSON by
/// verifiers.
#[derive(Debug, Clone, Default)]
pub struct TrustList {
    keys: Vec<TrustedKey>,
}

impl TrustList {
    /// The published form of the given key records (their public halves only).
    pub fn from_records<'a>(
        records: impl IntoIterator<Item = &'a KeyRecord>,
    ) -> Result<Self, SignError> {
        let keys = records
            .into_iter()
            .map(|r| TrustedKey::from_jwk(jwk_of(r)?))
            .collect::<Result<_, _>>()?;
        Ok(Self { keys })
    }

    /// Reads a JWK Set. Every key must be well-formed and match its certificate.
    pub fn from_json(json: &str) -> Result<Self, SignError> {
        let set: JwkSet = serde_json::from_str(json)
            .map_err(|e| SignError::InvalidKey(format!("trust list: {e}")))?;
        let keys = set
            .keys
            .into_iter()
            .map(TrustedKey::from_jwk)
            .collect::<Result<_, _>>()?;
        Ok(Self { keys })
    }

    /// The JWK Set as JSON.
    pub fn to_json(&self) -> String {
        let set = JwkSet {
            keys: self.keys.iter().map(|k| k.jwk.clone()).collect(),
        };
        serde_json::to_string_pretty(&set).unwrap_or_default()
    }

    /// The keys.
    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    /// The key with id `kid`, or [`Refusal::UnknownKey`].
    pub fn find(&self, kid: &str) -> Result<&TrustedKey, Refusal> {
        self.keys
            .iter()
            .find(|k| k.jwk.kid == kid)
            .ok_or_else(|| Refusal::UnknownKey { kid: kid.into() })
    }
}

fn jwk_of(record: &KeyRecord) -> Result<Jwk, SignError> {
    let point = record.public_key()?.to_sec1();
    Ok(Jwk {
        kty: "EC".into(),
        crv: record.algorithm.jwk_curve().into(),
        alg: record.algorithm.jose_name().into(),
        kid: record.id.clone(),
        key_use: "sig".into(),
        x: b64::encode_url(&point[1..33]),
        y: b64::encode_url(&point[33..]),
        x5c: vec![b64::encode(&record.certificate)],
        nbf: record.not_before.as_second(),
        exp: record.not_after.as_second(),
        retired: record.retired_at.is_some(),
        retired_at: record.retired_at.map(Timestamp::as_second),
    })
}

impl TrustedKey {
    fn from_jwk(jwk: Jwk) -> Result<Self, SignError> {
        let bad = |what: &str| SignError::InvalidKey(format!("trust list key {}: {what}", jwk.kid));
        let algorithm = Algorithm::from_jose_name(&jwk.alg).ok_or_else(|| bad("unknown alg"))?;
        if jwk.kty != "EC" || jwk.crv != algorithm.jwk_curve() {
            return Err(bad("kty or crv does not fit alg"));
        }
        let x = b64::decode_url(&jwk.x).ok_or_else(|| bad("x is not base64url"))?;
        let y = b64::decode_url(&jwk.y).ok_or_else(|| bad("y is not base64url"))?;
        let public_key = PublicKey::from_sec1(algorithm, &[&[4u8][..], &x, &y].concat())?;
        check_certificate(&jwk, &public_key).map_err(|e| bad(&e.to_string()))?;
        if key_id(&public_key)? != jwk.kid {
            return Err(bad("kid is not the key's id"));
        }
        let time = |s: i64| Timestamp::from_second(s).map_err(|_| bad("time out of range"));
        Ok(Self {
            algorithm,
            public_key,
            not_before: time(jwk.nbf)?,
            not_after: time(jwk.exp)?,
            retired_at: jwk.retired_at.map(time).transpose()?,
            jwk,
        })
    }

    /// The JWK as published.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The key's certificate (DER), the first of `x5c`.
    pub fn certificate_der(&self) -> Option<Vec<u8>> {
        self.jwk.x5c.first().and_then(|c| b64::decode(c))
    }

    /// Whether an item signed at `signed_at` may be accepted from this key: inside its
    /// validity and not after its retirement. Signing times and the published retirement are
    /// whole seconds, so an item signed in the second the key retired is accepted: the signer
    /// itself refuses to sign once retired, so it was signed before.
    pub fn check_signed_at(&self, signed_at: Timestamp) -> Result<(), Refusal> {
        let retired_second = |r: &Timestamp| r.as_second() < signed_at.as_second();
        if let Some(retired_at) = self.retired_at.filter(retired_second) {
            return Err(Refusal::KeyRetired {
                kid: self.kid().into(),
                retired_at,
            });
        }
        if signed_at < self.not_before || signed_at > self.not_after {
            return Err(Refusal::KeyNotValid {
                kid: self.kid().into(),
                signed_at,
            });
        }
        Ok(())
    }

    /// Refuses when `claimed` is not this key's algorithm.
    pub fn check_algorithm(&self, claimed: &str) -> Result<(), Refusal> {
        if claimed == self.algorithm.jose_name() {
            return Ok(());
        }
        Err(Refusal::WrongAlgorithm {
            kid: self.kid().into(),
            claimed: claimed.into(),
            expected: self.algorithm.jose_name().into(),
        })
    }
}

/// The first `x5c` certificate must hold the same public key as `x`/`y`.
fn check_certificate(jwk: &Jwk, key: &PublicKey) -> Result<(), SignError> {
    let der = jwk
        .x5c
        .first()
        .and_then(|c| b64::decode(c))
        .ok_or_else(|| SignError::InvalidKey("x5c missing or not base64".into()))?;
    if cert::read(&der)?.public_key == *key {
        Ok(())
    } else {
        Err(SignError::InvalidKey("x5c is for another key".into()))
    }
}
