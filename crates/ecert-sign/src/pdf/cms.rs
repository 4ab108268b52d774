//! The detached CMS `SignedData` (RFC 5652) a PAdES B-B signature carries: SHA-256, the
//! signer's certificate, and the signed attributes content-type, message-digest and
//! ESS signing-certificate-v2 (RFC 5035). No signing-time attribute: PAdES puts the time in
//! the signature dictionary's `/M`.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode as _, Encode as _, Sequence};
use sha2::{Digest as _, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use crate::{Refusal, SignError, Signer};

const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// RFC 5035 `ESSCertIDv2`; the hash algorithm is the default, SHA-256, so DER leaves it out.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

/// RFC 5035 `SigningCertificateV2`, without policies.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: &impl der::Encode) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(&value.to_der()?)?)?;
    Ok(Attribute { oid, values })
}

/// The signed attributes over a document whose SHA-256 is `digest`, signed by `cert`.
fn signed_attributes(digest: &[u8], cert: &[u8]) -> Result<SignedAttributes, SignError> {
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(cert).to_vec())?,
        }],
    };
    let attributes = vec![
        attribute(OID_CONTENT_TYPE, &OID_DATA)?,
        attribute(OID_MESSAGE_DIGEST, &OctetString::new(digest)?)?,
        attribute(OID_SIGNING_CERT_V2, &ess)?,
    ];
    Ok(SetOfVec::try_from(attributes)?)
}

/// The DER `ContentInfo` signing the document whose SHA-256 is `digest`.
pub(crate) fn sign(digest: &[u8], signer: &dyn Signer) -> Result<Vec<u8>, SignError> {
    let cert_der = signer.certificate_der();
    let cert = Certificate::from_der(cert_der)?;
    let attrs = signed_attributes(digest, cert_der)?;
    // The signature covers the attributes as a SET OF (tag 0x31), not as the [0] field.
    let signature = signer.sign(&attrs.to_der()?)?;
    let tbs = cert.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_id(),
        signed_attrs: Some(attrs),
        signature_algorithm: crate::cert::signature_algorithm(signer.algorithm()),
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_id())?;
    let mut certificates = SetOfVec::new();
    certificates.insert(CertificateChoices::Certificate(cert))?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: OID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
    };
    let info = ContentInfo {
        content_type: OID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(info.to_der()?)
}

/// What a parsed CMS signature claims; checked against the key by the caller.
pub(crate) struct Parsed {
    /// The signer's certificate, DER.
    pub(crate) certificate: Vec<u8>,
    /// The DER of the signed attributes as a SET OF: what the signature covers.
    pub(crate) signed_bytes: Vec<u8>,
    /// The signature algorithm OID.
    pub(crate) algorithm: ObjectIdentifier,
    /// The DER `(r, s)`.
    pub(crate) signature: Vec<u8>,
}

fn malformed(what: impl std::fmt::Display) -> Refusal {
    Refusal::Malformed(format!("PDF signature: {what}"))
}

/// Parses the CMS (trailing zero padding allowed) and checks its attributes against the
/// document digest; the signature itself is checked by the caller.
pub(crate) fn parse(der: &[u8], digest: &[u8]) -> Result<Parsed, Refusal> {
    let mut reader = der::SliceReader::new(der).map_err(malformed)?;
    let info = <ContentInfo as der::Decode>::decode(&mut reader).map_err(malformed)?;
    if info.content_type != OID_SIGNED_DATA {
        return Err(malformed("not a SignedData"));
    }
    let data: SignedData = info.content.decode_as().map_err(malformed)?;
    let [signer] = data.signer_infos.0.as_slice() else {
        return Err(malformed("not exactly one signer"));
    };
    if signer.digest_alg.oid != OID_SHA256 || data.encap_content_info.econtent.is_some() {
        return Err(malformed("not a detached SHA-256 signature"));
    }
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("no signed attributes"))?;
    let certificate = certificate(&data)?;
    check_attributes(attrs, digest, &certificate)?;
    Ok(Parsed {
        certificate,
        signed_bytes: attrs.to_der().map_err(malformed)?,
        algorithm: signer.signature_algorithm.oid,
        signature: signer.signature.as_bytes().to_vec(),
    })
}

fn certificate(data: &SignedData) -> Result<Vec<u8>, Refusal> {
    let set = data
        .certificates
        .as_ref()
        .ok_or_else(|| malformed("no certificate"))?;
    let Some(CertificateChoices::Certificate(cert)) = set.0.iter().next() else {
        return Err(malformed("no certificate"));
    };
    cert.to_der().map_err(malformed)
}

/// The single value of attribute `oid`.
fn value(attrs: &SignedAttributes, oid: ObjectIdentifier) -> Result<&Any, Refusal> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    match (found.next().map(|a| a.values.as_slice()), found.next()) {
        (Some([value]), None) => Ok(value),
        _ => Err(malformed(format!("attribute {oid} missing or repeated"))),
    }
}

fn check_attributes(attrs: &SignedAttributes, digest: &[u8], cert: &[u8]) -> Result<(), Refusal> {
    let content_type: ObjectIdentifier = value(attrs, OID_CONTENT_TYPE)?
        .decode_as()
        .map_err(malformed)?;
    if content_type != OID_DATA {
        return Err(malformed("content type is not id-data"));
    }
    let signed_digest: OctetString = value(attrs, OID_MESSAGE_DIGEST)?
        .decode_as()
        .map_err(malformed)?;
    if signed_digest.as_bytes() != digest {
        return Err(Refusal::Altered(
            "the signed range's digest differs from the signed message-digest".into(),
        ));
    }
    let ess: SigningCertificateV2 = value(attrs, OID_SIGNING_CERT_V2)?
        .decode_as()
        .map_err(malformed)?;
    let bound = ess.certs.first().map(|c| c.cert_hash.as_bytes());
    if bound != Some(Sha256::digest(cert).as_slice()) {
        return Err(malformed(
            "signing-certificate-v2 names another certificate",
        ));
    }
    Ok(())
}
