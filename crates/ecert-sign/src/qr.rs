//! The signed QR payload: the certificate's claims as CBOR in a `COSE_Sign1` (RFC 9052),
//! compressed with zlib when that is shorter, base64url in `<base URL>/v/<payload>`.
//!
//! Claims map (CBOR, integer keys, chosen to keep the QR code small):
//!
//! | key | claim | CBOR type |
//! |---|---|---|
//! | 1 | licence identifier without its fixed prefix `1.2.156.3005.2.` | text |
//! | 2 | certificate version | uint |
//! | 3 | name | text |
//! | 4 | masked ID number | text |
//! | 5 | registration number | text |
//! | 6 | employer | text |
//! | 7, 8 | registration valid from, until | uint, days since 1970-01-01 |
//! | 9, 10 | usage period first, last day | uint, days since 1970-01-01 |
//! | 11 | issued at (the signing time) | uint, seconds since the epoch |
//! | 12 | licence identifier in full, used instead of 1 when it lacks the prefix | text |
//!
//! The protected header holds `alg` (1) and `kid` (4, the 6 bytes whose hex is the key id). The
//! signature is `r ‖ s` as COSE asks, for ES256 (alg -7) and for SM2 with SM3 (alg
//! [`crate::COSE_ALG_SM2_SM3`], private use).

use std::io::{Read as _, Write as _};

use ciborium::Value;
use coset::{
    CborSerializable as _, CoseSign1, CoseSign1Builder, Header, TaggedCborSerializable as _,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::crypto::der_to_raw;
use crate::{Algorithm, Refusal, SignError, Signer, TrustList, b64};

/// The fixed prefix of GB/T 36904 licence identifiers, left out of the payload.
const LICENCE_PREFIX: &str = "1.2.156.3005.2.";

/// Longest payload text accepted, checked before any decoding: about twice the largest a
/// version-20 QR code can hold.
pub const MAX_PAYLOAD_CHARS: usize = 2048;
/// Largest decompressed COSE structure accepted; a zlib bomb stops here.
pub const MAX_INFLATED_BYTES: usize = 4096;
/// How far in the future a signing time may lie (clock skew between issuer and verifier).
const CLOCK_SKEW_SECONDS: i64 = 300;

/// What the QR code says about the certificate. Nothing more personal than what a verifier
/// is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The GB/T 36904 licence identifier.
    pub licence_id: String,
    /// The certificate version.
    pub version: u16,
    /// The holder's name.
    pub name: String,
    /// The ID number with its middle hidden.
    pub masked_id: String,
    /// The registration number (注册号).
    pub registration_number: String,
    /// The employer's name.
    pub employer: String,
    /// First day of the registration's validity.
    pub registration_valid_from: Date,
    /// Last day of the registration's validity.
    pub registration_valid_until: Date,
    /// First day of the usage period (使用有效期).
    pub usage_first_day: Date,
    /// Last day of the usage period.
    pub usage_last_day: Date,
    /// When the payload was signed.
    pub issued_at: Timestamp,
}

/// Claims whose signature checked out, with who signed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedClaims {
    /// The claims.
    pub claims: Claims,
    /// The signing key's id.
    pub key_id: String,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// Whether the payload was zlib-compressed.
    pub compressed: bool,
}

impl Claims {
    /// The usage period as the domain knows it.
    pub fn usage_period(&self) -> ecert_domain::UsagePeriod {
        ecert_domain::UsagePeriod {
            first_day: self.usage_first_day,
            last_day: self.usage_last_day,
        }
    }
}

/// Signs the claims and returns the encoded payload (base64url, no padding). The claims'
/// `issued_at` should be the signing time: verifiers judge key retirement by it.
pub fn sign_payload(claims: &Claims, signer: &dyn Signer) -> Result<String, SignError> {
    let cose = sign_cose(claims, signer)?;
    Ok(b64::encode_url(&shortest(cose)?))
}

/// The verification URL carrying `payload`: `<base>/v/<payload>`.
pub fn payload_url(base_url: &str, payload: &str) -> String {
    format!("{}/v/{payload}", base_url.trim_end_matches('/'))
}

/// The tagged `COSE_Sign1` bytes, before any compression.
pub fn sign_cose(claims: &Claims, signer: &dyn Signer) -> Result<Vec<u8>, SignError> {
    let header = Header {
        alg: Some(cose_algorithm(signer.algorithm())),
        key_id: kid_bytes(signer.key_id())?,
        ..Header::default()
    };
    let sign1 = CoseSign1Builder::new()
        .protected(header)
        .payload(claims_cbor(claims)?)
        .try_create_signature(b"", |tbs| der_to_raw(&signer.sign(tbs)?))?
        .build();
    sign1
        .to_tagged_vec()
        .map_err(|e| SignError::Encoding(e.to_string()))
}

fn cose_algorithm(alg: Algorithm) -> coset::Algorithm {
    match alg {
        Algorithm::Es256 => coset::Algorithm::Assigned(coset::iana::Algorithm::ES256),
        Algorithm::Sm2Sm3 => coset::Algorithm::PrivateUse(alg.cose_alg()),
    }
}

/// zlib only where it makes the payload shorter: short CBOR with CJK text often grows.
fn shortest(cose: Vec<u8>) -> Result<Vec<u8>, SignError> {
    let compressed = zlib(&cose)?;
    Ok(if compressed.len() < cose.len() {
        compressed
    } else {
        cose
    })
}

/// zlib at the highest level (its first byte is 0x78).
pub fn zlib(bytes: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| SignError::Encoding(e.to_string()))
}

fn claims_cbor(claims: &Claims) -> Result<Vec<u8>, SignError> {
    let licence = match claims.licence_id.strip_prefix(LICENCE_PREFIX) {
        Some(rest) => (1, text(rest)),
        None => (12, text(&claims.licence_id)),
    };
    let entries = vec![
        licence,
        (2, Value::from(claims.version)),
        (3, text(&claims.name)),
        (4, text(&claims.masked_id)),
        (5, text(&claims.registration_number)),
        (6, text(&claims.employer)),
        (7, Value::from(day_number(claims.registration_valid_from))),
        (8, Value::from(day_number(claims.registration_valid_until))),
        (9, Value::from(day_number(claims.usage_first_day))),
        (10, Value::from(day_number(claims.usage_last_day))),
        (11, Value::from(claims.issued_at.as_second())),
    ];
    let map = entries
        .into_iter()
        .map(|(k, v)| (Value::from(k), v))
        .collect();
    let mut bytes = Vec::with_capacity(512);
    ciborium::into_writer(&Value::Map(map), &mut bytes)
        .map_err(|e| SignError::Encoding(e.to_string()))?;
    Ok(bytes)
}

/// The key id as bytes: ecert's ids are hex, so half as long on the wire.
fn kid_bytes(kid: &str) -> Result<Vec<u8>, SignError> {
    let bad = || SignError::InvalidKey(format!("key id {kid} is not hexadecimal"));
    if !kid.len().is_multiple_of(2) || !kid.is_ascii() {
        return Err(bad());
    }
    (0..kid.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&kid[i..i + 2], 16).map_err(|_| bad()))
        .collect()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

/// A date as days since 1970-01-01: three CBOR bytes until 2149, where `YYYYMMDD` takes five.
fn day_number(day: Date) -> i64 {
    day.duration_since(EPOCH).as_secs() / 86_400
}

/// Checks a QR payload, or the URL carrying it, against the trust list at time `now`. Fails
/// closed: anything unreadable, unknown, altered or out of time is refused with its reason.
pub fn verify_payload(
    url_or_payload: &str,
    trust: &TrustList,
    now: Timestamp,
) -> Result<VerifiedClaims, Refusal> {
    let bytes = decode_text(url_or_payload)?;
    let compressed = bytes.first() == Some(&0x78);
    let cose = if compressed { inflate(&bytes)? } else { bytes };
    let sign1 = parse_cose(&cose)?;
    let (kid, algorithm) = check_signature(&sign1, trust)?;
    let claims = parse_claims(sign1.payload.as_deref().unwrap_or_default())?;
    trust.find(&kid)?.check_signed_at(claims.issued_at)?;
    if claims.issued_at.as_second() > now.as_second() + CLOCK_SKEW_SECONDS {
        return Err(Refusal::IssuedInFuture {
            signed_at: claims.issued_at,
        });
    }
    Ok(VerifiedClaims {
        claims,
        key_id: kid,
        algorithm,
        compressed,
    })
}

/// The payload's bytes from a URL (`.../v/<payload>`, query and fragment ignored) or the
/// bare payload, with the size capped before decoding.
fn decode_text(input: &str) -> Result<Vec<u8>, Refusal> {
    if input.len() > MAX_PAYLOAD_CHARS + 512 {
        return Err(Refusal::Oversized {
            limit: MAX_PAYLOAD_CHARS,
        });
    }
    let payload = input.rsplit_once("/v/").map_or(input, |(_, p)| p);
    let payload = payload.split(['?', '#']).next().unwrap_or_default().trim();
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(Refusal::Oversized {
            limit: MAX_PAYLOAD_CHARS,
        });
    }
    b64::decode_url(payload).ok_or(Refusal::BadEncoding)
}

/// Inflates zlib data, stopping one byte past the cap so that a bomb is noticed.
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    let limit = u64::try_from(MAX_INFLATED_BYTES + 1).unwrap_or(u64::MAX);
    let mut out = Vec::with_capacity(1024);
    flate2::read::ZlibDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Refusal::Truncated,
            _ => Refusal::Malformed(format!("zlib: {e}")),
        })?;
    if out.len() > MAX_INFLATED_BYTES {
        return Err(Refusal::Oversized {
            limit: MAX_INFLATED_BYTES,
        });
    }
    Ok(out)
}

fn parse_cose(bytes: &[u8]) -> Result<CoseSign1, Refusal> {
    let parsed = match bytes.first() {
        Some(0xD2) => CoseSign1::from_tagged_slice(bytes),
        Some(0x84) => CoseSign1::from_slice(bytes),
        Some(_) => return Err(Refusal::Malformed("neither COSE_Sign1 nor zlib".into())),
        None => return Err(Refusal::Truncated),
    };
    parsed.map_err(|e| match e {
        coset::CoseError::DecodeFailed(ciborium::de::Error::Io(_)) => Refusal::Truncated,
        other => Refusal::Malformed(format!("COSE_Sign1: {other}")),
    })
}

/// Finds the key, matches the header's algorithm to it, and checks the signature.
fn check_signature(sign1: &CoseSign1, trust: &TrustList) -> Result<(String, Algorithm), Refusal> {
    let kid = b64::hex(&sign1.protected.header.key_id);
    let key = trust.find(&kid)?;
    let claimed = match &sign1.protected.header.alg {
        Some(coset::Algorithm::Assigned(a)) => Algorithm::from_cose_alg(*a as i64),
        Some(coset::Algorithm::PrivateUse(v)) => Algorithm::from_cose_alg(*v),
        _ => None,
    };
    let claimed_name = claimed.map_or_else(|| "an unknown algorithm".into(), |a| a.to_string());
    key.check_algorithm(&claimed_name)?;
    let tbs = sign1.tbs_data(b"");
    if !key.public_key().verify_raw(&tbs, &sign1.signature) {
        return Err(Refusal::BadSignature { kid });
    }
    Ok((kid, key.algorithm()))
}

fn parse_claims(cbor: &[u8]) -> Result<Claims, Refusal> {
    let value: Value = ciborium::from_reader(cbor).map_err(|e| match e {
        ciborium::de::Error::Io(_) => Refusal::Truncated,
        other => Refusal::Malformed(format!("claims: {other}")),
    })?;
    let Value::Map(entries) = value else {
        return Err(Refusal::Malformed("claims are not a map".into()));
    };
    let map = ClaimMap(&entries);
    let licence_id = match map.text(1) {
        Ok(rest) => format!("{LICENCE_PREFIX}{rest}"),
        Err(_) => map.text(12)?,
    };
    Ok(Claims {
        licence_id,
        version: u16::try_from(map.int(2)?).map_err(|_| bad_claim(2))?,
        name: map.text(3)?,
        masked_id: map.text(4)?,
        registration_number: map.text(5)?,
        employer: map.text(6)?,
        registration_valid_from: map.day(7)?,
        registration_valid_until: map.day(8)?,
        usage_first_day: map.day(9)?,
        usage_last_day: map.day(10)?,
        issued_at: Timestamp::from_second(map.int(11)?).map_err(|_| bad_claim(11))?,
    })
}

fn bad_claim(key: i64) -> Refusal {
    Refusal::Malformed(format!("claim {key} missing or of the wrong type"))
}

struct ClaimMap<'a>(&'a [(Value, Value)]);

impl ClaimMap<'_> {
    fn get(&self, key: i64) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
            .map(|(_, v)| v)
    }

    fn text(&self, key: i64) -> Result<String, Refusal> {
        self.get(key)
            .and_then(Value::as_text)
            .map(str::to_owned)
            .ok_or_else(|| bad_claim(key))
    }

    fn int(&self, key: i64) -> Result<i64, Refusal> {
        self.get(key)
            .and_then(Value::as_integer)
            .and_then(|i| i64::try_from(i).ok())
            .ok_or_else(|| bad_claim(key))
    }

    fn day(&self, key: i64) -> Result<Date, Refusal> {
        let days = self.int(key)?;
        let span = jiff::Span::new()
            .try_days(days)
            .map_err(|_| bad_claim(key))?;
        EPOCH.checked_add(span).map_err(|_| bad_claim(key))
    }
}
