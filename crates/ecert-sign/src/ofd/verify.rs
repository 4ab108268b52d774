//! Checks an OFD seal: the package's parts against the references, the seal and the
//! signature value against the trust list.

use std::collections::BTreeMap;
use std::io::{Cursor, Read as _};

use der::Decode as _;
use der::Encode as _;
use der::asn1::GeneralizedTime;
use jiff::Timestamp;
use sm3::{Digest as _, Sm3};

use super::{SIGNATURE, SIGNATURES, is_signature_part, ses, xml};
use crate::{Refusal, TrustList, TrustedKey, b64, cert, key_id};

/// More parts than any certificate package has (ecert writes about a dozen).
const MAX_ENTRIES: usize = 256;

/// Uncompressed size of the whole package, refused beyond (a zip bomb otherwise).
const MAX_TOTAL_SIZE: u64 = 64 * 1024 * 1024;

/// What a verified OFD seal says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdSealInfo {
    /// The signing key's id on the trust list.
    pub key_id: String,
    /// The seal maker's key id (the same key in development).
    pub seal_key_id: String,
    /// The signing time, from `TBS_Sign.timeInfo`.
    pub signed_at: Timestamp,
    /// The seal's name.
    pub seal_name: String,
    /// How many parts the references cover.
    pub covered_parts: usize,
    /// The verification page the QR code opens, from the (sealed) page content: its payload
    /// is the certificate's signed claims.
    pub verification_url: Option<String>,
}

/// Verifies the seal of the OFD file `zip_bytes`: every part unchanged, none added or
/// removed, the seal and the signature value made by keys on `trust` usable at the signing
/// time. A package without `Signatures.xml` is [`Refusal::NotSigned`].
pub fn verify_ofd(zip_bytes: &[u8], trust: &TrustList) -> Result<OfdSealInfo, Refusal> {
    let files = unzip(zip_bytes)?;
    refuse_doctypes(&files)?;
    let signatures = files.get(SIGNATURES).ok_or(Refusal::NotSigned)?;
    let location = xml::signature_location(signatures)?;
    if location != SIGNATURE {
        return Err(Refusal::Malformed(format!(
            "unexpected signature at {location}"
        )));
    }
    let signature_xml = part(&files, SIGNATURE)?;
    let described = xml::read_signature(signature_xml)?;
    check_references(&files, &described.references)?;
    let value = ses::SesSignature::from_der(part(&files, &described.signed_value)?)
        .map_err(|e| Refusal::Malformed(format!("SignedValue.dat: {e}")))?;
    if part(&files, &described.seal)? != value.to_sign.seal.to_der().map_err(malformed)? {
        return Err(Refusal::Altered(described.seal));
    }
    let mut info = check_value(&value, signature_xml, trust, described.references.len())?;
    // Read only once every part is known to be the sealed one.
    info.verification_url = files
        .iter()
        .filter(|(path, _)| path.ends_with("/Content.xml") && path.contains("/Pages/"))
        .find_map(|(_, content)| xml::first_uri(content));
    Ok(info)
}

/// The signature value, the seal inside it, and both keys.
fn check_value(
    value: &ses::SesSignature,
    signature_xml: &[u8],
    trust: &TrustList,
    covered_parts: usize,
) -> Result<OfdSealInfo, Refusal> {
    let to_sign = &value.to_sign;
    if to_sign.data_hash.raw_bytes() != Sm3::digest(signature_xml).as_slice() {
        return Err(Refusal::Altered(SIGNATURE.into()));
    }
    if to_sign.property_info.as_str() != SIGNATURE || to_sign.version != ses::VERSION {
        return Err(Refusal::Malformed(
            "TBS_Sign names another part or version".into(),
        ));
    }
    let signed_at = timestamp(to_sign.time_info)?;
    let tbs = to_sign.to_der().map_err(malformed)?;
    let signer = check_signed(
        value.cert.as_bytes(),
        &value.signature_alg,
        &tbs,
        value.signature.raw_bytes(),
        trust,
    )?;
    signer.check_signed_at(signed_at)?;
    if signed_at > Timestamp::now() + jiff::SignedDuration::from_mins(5) {
        return Err(Refusal::IssuedInFuture { signed_at });
    }
    let seal = &to_sign.seal;
    let seal_info = seal.info.to_der().map_err(malformed)?;
    let maker = check_signed(
        seal.cert.as_bytes(),
        &seal.sign_alg,
        &seal_info,
        seal.signed_value.raw_bytes(),
        trust,
    )?;
    maker.check_signed_at(timestamp(seal.info.property.create_date)?)?;
    Ok(OfdSealInfo {
        key_id: signer.kid().to_owned(),
        seal_key_id: maker.kid().to_owned(),
        signed_at,
        seal_name: seal.info.property.name.clone(),
        covered_parts,
        verification_url: None,
    })
}

/// Checks one SM2 signature with the key of `certificate`, which must be on `trust`.
fn check_signed<'t>(
    certificate: &[u8],
    algorithm: &const_oid::ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
    trust: &'t TrustList,
) -> Result<&'t TrustedKey, Refusal> {
    let certificate = cert::read(certificate).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let kid = key_id(&certificate.public_key).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let trusted = trust.find(&kid)?;
    let sm2 = crate::Algorithm::Sm2Sm3.jose_name();
    if *algorithm != ses::OID_SM2_SM3 {
        return Err(Refusal::WrongAlgorithm {
            kid,
            claimed: algorithm.to_string(),
            expected: sm2.into(),
        });
    }
    trusted.check_algorithm(sm2)?;
    if !trusted.public_key().verify_der(message, signature) {
        return Err(Refusal::BadSignature { kid });
    }
    Ok(trusted)
}

/// Every referenced part present with its digest; no part that is neither referenced nor a
/// signature part.
fn check_references(
    files: &BTreeMap<String, Vec<u8>>,
    references: &BTreeMap<String, String>,
) -> Result<(), Refusal> {
    for (path, digest) in references {
        let bytes = files
            .get(path)
            .ok_or_else(|| Refusal::Altered(format!("{path} was removed")))?;
        let expected = b64::decode(digest)
            .ok_or_else(|| Refusal::Malformed(format!("digest of {path} is not base64")))?;
        if Sm3::digest(bytes).as_slice() != expected {
            return Err(Refusal::Altered(format!("{path} was changed")));
        }
    }
    let added = files
        .keys()
        .find(|p| !references.contains_key(*p) && !is_signature_part(p));
    match added {
        Some(path) => Err(Refusal::Altered(format!("{path} was added"))),
        None => Ok(()),
    }
}

fn part<'f>(files: &'f BTreeMap<String, Vec<u8>>, path: &str) -> Result<&'f [u8], Refusal> {
    files
        .get(path)
        .map(Vec::as_slice)
        .ok_or_else(|| Refusal::Altered(format!("{path} was removed")))
}

/// No part may declare a DTD: entities could expand or reach outside the package.
fn refuse_doctypes(files: &BTreeMap<String, Vec<u8>>) -> Result<(), Refusal> {
    let xml_parts = files.iter().filter(|(p, _)| {
        std::path::Path::new(p)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
    });
    for (path, bytes) in xml_parts {
        let has = |needle: &[u8]| {
            bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        };
        if has(b"<!DOCTYPE") || has(b"<!ENTITY") {
            return Err(Refusal::Malformed(format!("{path} declares a DTD")));
        }
    }
    Ok(())
}

/// The zip's parts by name, within the caps, refusing unsafe names and links.
fn unzip(zip_bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))
        .map_err(|e| Refusal::Malformed(format!("not a zip file: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(Refusal::Malformed(format!("more than {MAX_ENTRIES} parts")));
    }
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.into_owned();
        check_name(&name, entry.is_symlink())?;
        if entry.is_dir() {
            continue;
        }
        let remaining = MAX_TOTAL_SIZE - total;
        let mut bytes = Vec::new();
        (&mut entry)
            .take(remaining + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Refusal::Malformed(format!("{name}: {e}")))?;
        total += bytes.len() as u64;
        if total > MAX_TOTAL_SIZE {
            return Err(Refusal::Oversized {
                limit: usize::try_from(MAX_TOTAL_SIZE).unwrap_or(usize::MAX),
            });
        }
        if files.insert(name.clone(), bytes).is_some() {
            return Err(Refusal::Malformed(format!("{name} appears twice")));
        }
    }
    Ok(files)
}

fn check_name(name: &str, link: bool) -> Result<(), Refusal> {
    let unsafe_name = name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name.split('/').any(|s| s == "..");
    if unsafe_name || link {
        return Err(Refusal::Malformed(format!("unsafe zip entry {name:?}")));
    }
    Ok(())
}

#[expect(clippy::needless_pass_by_value, reason = "used as a map_err function")]
fn zip_error(e: zip::result::ZipError) -> Refusal {
    Refusal::Malformed(format!("zip: {e}"))
}

fn malformed(e: der::Error) -> Refusal {
    Refusal::Malformed(e.to_string())
}

fn timestamp(time: GeneralizedTime) -> Result<Timestamp, Refusal> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| Refusal::Malformed("time out of range".into()))?;
    Timestamp::from_second(seconds).map_err(|_| Refusal::Malformed("time out of range".into()))
}
