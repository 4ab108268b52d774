//! Self-issued X.509 certificates for development keys, and reading any certificate's key.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, OctetString, Utf8StringRef};
use der::{Decode as _, Encode as _, Sequence};
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::crypto::{PrivateKey, PublicKey};
use crate::{Algorithm, SignError};

const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// RFC 5280 `TBSCertificate`, written out here because x509-cert builds one only through its
/// builder, whose signer traits a key behind [`crate::Signer`] (an HSM) does not have.
#[derive(Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: RdnSequence,
    validity: Validity,
    subject: RdnSequence,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

#[derive(Sequence)]
struct Signed {
    tbs: Tbs,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// Makes a self-issued certificate for `key`, valid from `not_before` to `not_after`.
pub(crate) fn self_issued(
    key: &PrivateKey,
    subject: &str,
    not_before: Timestamp,
    not_after: Timestamp,
) -> Result<Vec<u8>, SignError> {
    let name = common_name(subject)?;
    let spki_der = key.public_key().to_spki_der()?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der)?;
    let algorithm = signature_algorithm(key.algorithm());
    let tbs = Tbs {
        version: 2,
        serial_number: SerialNumber::new(&serial(&spki_der, not_before))?,
        signature: algorithm.clone(),
        issuer: name.clone(),
        validity: Validity::new(time(not_before)?, time(not_after)?),
        subject: name,
        extensions: extensions(&spki)?,
        subject_public_key_info: spki,
    };
    let signature = key.sign(&tbs.to_der()?)?;
    let signed = Signed {
        tbs,
        algorithm,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(signed.to_der()?)
}

/// The X.509 `AlgorithmIdentifier` of a signature; parameters absent, as RFC 5758 asks.
pub(crate) fn signature_algorithm(alg: Algorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: alg.signature_oid(),
        parameters: None,
    }
}

fn common_name(subject: &str) -> Result<RdnSequence, SignError> {
    let value = Any::encode_from(&Utf8StringRef::new(subject)?)?;
    let cn = AttributeTypeAndValue { oid: OID_CN, value };
    let mut name = RdnSequence::default();
    name.push(RelativeDistinguishedName::try_from(vec![cn])?);
    Ok(name)
}

/// A positive serial from the key and the time, so two keys never share one.
fn serial(spki: &[u8], at: Timestamp) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(spki);
    hash.update(at.as_second().to_be_bytes());
    let mut bytes = hash.finalize()[..16].to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    bytes
}

fn time(at: Timestamp) -> Result<Time, SignError> {
    let seconds = u64::try_from(at.as_second())
        .map_err(|_| SignError::InvalidKey("certificate time before 1970".into()))?;
    let date = der::DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))?;
    Ok(Time::from(date))
}

/// Signing keys only: digital signature and non-repudiation (content commitment), as a
/// document signer's certificate carries; not a CA.
fn extensions(spki: &SubjectPublicKeyInfoOwned) -> Result<Vec<Extension>, SignError> {
    let usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
    let basic = BasicConstraints {
        ca: false,
        path_len_constraint: None,
    };
    let key_id = Sha256::digest(spki.subject_public_key.raw_bytes());
    let key_id = OctetString::new(&key_id[..20])?;
    Ok(vec![
        extension(OID_KEY_USAGE, true, &usage)?,
        extension(OID_BASIC_CONSTRAINTS, true, &basic)?,
        extension(OID_SUBJECT_KEY_ID, false, &key_id)?,
    ])
}

fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl der::Encode,
) -> Result<Extension, SignError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// What ecert needs from a certificate: its public key and validity.
#[derive(Debug, Clone)]
pub(crate) struct CertInfo {
    pub(crate) public_key: PublicKey,
    pub(crate) not_before: Timestamp,
    pub(crate) not_after: Timestamp,
}

/// Reads a DER certificate.
pub(crate) fn read(der: &[u8]) -> Result<CertInfo, SignError> {
    let cert = Certificate::from_der(der)?;
    let tbs = cert.tbs_certificate();
    let spki = tbs.subject_public_key_info().to_der()?;
    let validity = tbs.validity();
    Ok(CertInfo {
        public_key: PublicKey::from_spki_der(&spki)?,
        not_before: timestamp(validity.not_before)?,
        not_after: timestamp(validity.not_after)?,
    })
}

fn timestamp(time: Time) -> Result<Timestamp, SignError> {
    Timestamp::try_from(time.to_system_time())
        .map_err(|e| SignError::InvalidKey(format!("certificate time: {e}")))
}
