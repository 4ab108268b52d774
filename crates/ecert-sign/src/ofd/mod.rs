//! The OFD electronic seal (GB/T 38540-2020, version 4 structures) with SM2 and SM3, and its
//! verification.
//!
//! The seal covers every part of the package through SM3 references in `Signature.xml`;
//! `SignedValue.dat` signs the seal together with the digest of `Signature.xml`. The same
//! key may act as seal maker and signer, as it does in development.

mod parts;
mod ses;
mod verify;
mod xml;

use std::time::Duration;

use der::Encode as _;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString};
use ecert_render::layout::SEAL_STAMP;
use ecert_render::ofd::{OfdPackage, PAGE_ID};
use jiff::Timestamp;
use sm3::{Digest as _, Sm3};

use crate::{Algorithm, SignError, Signer, b64, cert};

pub use verify::{OfdSealInfo, verify_ofd};

/// Where the signature parts live in the package.
pub(crate) const SIGNATURES: &str = "Doc_0/Signs/Signatures.xml";
pub(crate) const SIGNATURE: &str = "Doc_0/Signs/Sign_0/Signature.xml";
pub(crate) const SEAL: &str = "Doc_0/Signs/Sign_0/Seal.esl";
pub(crate) const SIGNED_VALUE: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";

/// The seal's name in its property information.
const SEAL_NAME: &str = "ecert electronic certificate seal";

/// Seal type 1: an official seal of an organisation (单位印章), as opposed to a personal one.
const SEAL_TYPE_ORGANISATION: u32 = 1;

/// Seals `package` at `at`: adds the four `Doc_0/Signs` parts, declares them in `OFD.xml`,
/// and shows `seal_image_png` as the stamp at [`SEAL_STAMP`] on page [`PAGE_ID`].
///
/// Only SM2 keys seal: an ES256 key is refused with [`SignError::Document`], because
/// GB/T 38540 knows SM2 only. `signer` also acts as the seal maker.
pub fn seal_ofd(
    package: &mut OfdPackage,
    signer: &dyn Signer,
    seal_image_png: &[u8],
    at: Timestamp,
) -> Result<(), SignError> {
    if signer.algorithm() != Algorithm::Sm2Sm3 {
        return Err(SignError::Document(format!(
            "the OFD seal is SM2 only; key {} is {}",
            signer.key_id(),
            signer.algorithm()
        )));
    }
    package
        .declare_signatures(SIGNATURES)
        .map_err(|e| SignError::Document(e.to_string()))?;
    let signature_xml = parts::signature_xml(&description(at), &references(package));
    let seal = make_seal(signer, seal_image_png, at)?;
    let seal_der = seal.to_der()?;
    let signed_value = sign_value(signer, seal, &signature_xml, at)?;
    package.insert(SIGNATURES, parts::signatures_xml(SIGNATURE));
    package.insert(SIGNATURE, signature_xml);
    package.insert(SEAL, seal_der);
    package.insert(SIGNED_VALUE, signed_value);
    Ok(())
}

fn description(at: Timestamp) -> parts::Description<'static> {
    parts::Description {
        signed_at: at.strftime("%Y%m%d%H%M%SZ").to_string(),
        page_id: PAGE_ID,
        stamp: SEAL_STAMP,
        seal: SEAL,
        signed_value: SIGNED_VALUE,
    }
}

/// Every part of the package but the signature parts, with its SM3 digest in base64.
fn references(package: &OfdPackage) -> Vec<(String, String)> {
    package
        .files()
        .iter()
        .filter(|(path, _)| !is_signature_part(path))
        .map(|(path, bytes)| (path.clone(), b64::encode(&Sm3::digest(bytes))))
        .collect()
}

/// The parts the seal adds, which cannot cover themselves.
pub(crate) fn is_signature_part(path: &str) -> bool {
    [SIGNATURES, SIGNATURE, SEAL, SIGNED_VALUE].contains(&path)
}

/// The seal (`SESeal`), made and signed by `signer` as seal maker, valid as long as its
/// certificate.
fn make_seal(
    signer: &dyn Signer,
    picture_png: &[u8],
    at: Timestamp,
) -> Result<ses::Seal, SignError> {
    let certificate = cert::read(signer.certificate_der())?;
    let cert = OctetString::new(signer.certificate_der())?;
    let info = ses::SealInfo {
        header: ses::Header {
            id: Ia5String::new("ES")?,
            version: ses::VERSION,
            vid: Ia5String::new("ecert")?,
        },
        es_id: Ia5String::new(signer.key_id())?,
        property: ses::Property {
            seal_type: SEAL_TYPE_ORGANISATION,
            name: SEAL_NAME.to_owned(),
            cert_list_type: 1,
            cert_list: vec![cert.clone()],
            create_date: generalized(at)?,
            valid_start: generalized(certificate.not_before)?,
            valid_end: generalized(certificate.not_after)?,
        },
        picture: picture(picture_png)?,
    };
    let seal_signature = signer.sign(&info.to_der()?)?;
    Ok(ses::Seal {
        info,
        cert,
        sign_alg: ses::OID_SM2_SM3,
        signed_value: BitString::from_bytes(&seal_signature)?,
    })
}

/// The stamp picture, sized as the stamp annotation (whole millimetres).
fn picture(png: &[u8]) -> Result<ses::Picture, SignError> {
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(SignError::Document("the seal picture is not a PNG".into()));
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the stamp is a few centimetres wide"
    )]
    let mm = |v: f32| v.round() as u32;
    Ok(ses::Picture {
        format: Ia5String::new("PNG")?,
        data: OctetString::new(png)?,
        width: mm(SEAL_STAMP.width),
        height: mm(SEAL_STAMP.height),
    })
}

/// `SignedValue.dat`: the `SES_Signature` over the seal and the digest of `Signature.xml`.
fn sign_value(
    signer: &dyn Signer,
    seal: ses::Seal,
    signature_xml: &[u8],
    at: Timestamp,
) -> Result<Vec<u8>, SignError> {
    let to_sign = ses::ToSign {
        version: ses::VERSION,
        seal,
        time_info: generalized(at)?,
        data_hash: BitString::from_bytes(&Sm3::digest(signature_xml))?,
        property_info: Ia5String::new(SIGNATURE)?,
    };
    let signature = signer.sign(&to_sign.to_der()?)?;
    let value = ses::SesSignature {
        to_sign,
        cert: OctetString::new(signer.certificate_der())?,
        signature_alg: ses::OID_SM2_SM3,
        signature: BitString::from_bytes(&signature)?,
        time_stamp: None,
    };
    Ok(value.to_der()?)
}

/// A time as ASN.1 `GeneralizedTime`, whole seconds.
fn generalized(at: Timestamp) -> Result<GeneralizedTime, SignError> {
    let seconds = u64::try_from(at.as_second())
        .map_err(|_| SignError::Encoding(format!("{at} is before 1970")))?;
    Ok(GeneralizedTime::from_unix_duration(Duration::from_secs(
        seconds,
    ))?)
}
