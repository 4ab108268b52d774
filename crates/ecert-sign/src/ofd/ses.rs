//! The GB/T 38540-2020 version 4 structures: the seal (`SESeal`) and the signature value
//! (`SES_Signature`), as DER.

use const_oid::ObjectIdentifier;
use der::Sequence;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString};

/// SM2 with SM3 (GM/T 0006), the only signature algorithm of the seal.
pub(crate) const OID_SM2_SM3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

/// SM3, the digest method of the references.
pub(crate) const OID_SM3: &str = "1.2.156.10197.1.401";

/// The structure version GB/T 38540-2020 gives both the seal and the signature.
pub(crate) const VERSION: u32 = 4;

/// `SES_Header`: the magic `ES`, the version and the vendor id.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct Header {
    pub(crate) id: Ia5String,
    pub(crate) version: u32,
    pub(crate) vid: Ia5String,
}

/// `SES_ESPropertyInfo`. `cert_list` holds the certificates of the holders allowed to use
/// the seal (`certListType` 1: whole certificates rather than their digests).
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct Property {
    pub(crate) seal_type: u32,
    pub(crate) name: String,
    pub(crate) cert_list_type: u32,
    pub(crate) cert_list: Vec<OctetString>,
    pub(crate) create_date: GeneralizedTime,
    pub(crate) valid_start: GeneralizedTime,
    pub(crate) valid_end: GeneralizedTime,
}

/// `SES_ESPictrueInfo` (sic in the standard): the stamp's picture, its size in millimetres.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct Picture {
    pub(crate) format: Ia5String,
    pub(crate) data: OctetString,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// `SES_SealInfo`, the part the seal maker signs. ecert writes no `extDatas`.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct SealInfo {
    pub(crate) header: Header,
    pub(crate) es_id: Ia5String,
    pub(crate) property: Property,
    pub(crate) picture: Picture,
}

/// `SESeal`: the seal information signed by the seal maker.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct Seal {
    pub(crate) info: SealInfo,
    pub(crate) cert: OctetString,
    pub(crate) sign_alg: ObjectIdentifier,
    pub(crate) signed_value: BitString,
}

/// `TBS_Sign`: what the signer signs, binding the seal to the digest of `Signature.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct ToSign {
    pub(crate) version: u32,
    pub(crate) seal: Seal,
    pub(crate) time_info: GeneralizedTime,
    pub(crate) data_hash: BitString,
    pub(crate) property_info: Ia5String,
}

/// `SES_Signature`, the content of `SignedValue.dat`.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub(crate) struct SesSignature {
    pub(crate) to_sign: ToSign,
    pub(crate) cert: OctetString,
    pub(crate) signature_alg: ObjectIdentifier,
    pub(crate) signature: BitString,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    pub(crate) time_stamp: Option<BitString>,
}
