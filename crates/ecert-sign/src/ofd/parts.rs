//! The XML parts of an OFD signature (GB/T 33190 clause 18): the signature list and the
//! signature description with its references.

use std::fmt::Write as _;

use ecert_render::geom::Rect;

use super::ses::{OID_SM2_SM3, OID_SM3};

/// The OFD namespace.
const NS: &str = "http://www.ofdspec.org/2016";

/// The list of signatures: one seal, ID 1, described at `signature_xml`.
pub(crate) fn signatures_xml(signature_xml: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ofd:Signatures xmlns:ofd=\"{NS}\"><ofd:MaxSignId>1</ofd:MaxSignId>\
         <ofd:Signature ID=\"1\" Type=\"Seal\" BaseLoc=\"/{}\"/></ofd:Signatures>",
        escape(signature_xml)
    )
    .into_bytes()
}

/// What `Signature.xml` says besides its references.
pub(crate) struct Description<'a> {
    pub(crate) signed_at: String,
    pub(crate) page_id: u32,
    pub(crate) stamp: Rect,
    pub(crate) seal: &'a str,
    pub(crate) signed_value: &'a str,
}

/// The signature description: every `(path, base64 SM3)` reference, the stamp, the seal.
pub(crate) fn signature_xml(info: &Description<'_>, references: &[(String, String)]) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ofd:Signature xmlns:ofd=\"{NS}\"><ofd:SignedInfo>\
         <ofd:Provider ProviderName=\"ecert\" Version=\"{}\" Company=\"ecert\"/>\
         <ofd:SignatureMethod>{OID_SM2_SM3}</ofd:SignatureMethod>\
         <ofd:SignatureDateTime>{}</ofd:SignatureDateTime>\
         <ofd:References CheckMethod=\"{OID_SM3}\">",
        env!("CARGO_PKG_VERSION"),
        info.signed_at
    );
    for (path, digest) in references {
        let _ = write!(
            xml,
            "<ofd:Reference FileRef=\"/{}\"><ofd:CheckValue>{digest}</ofd:CheckValue>\
             </ofd:Reference>",
            escape(path)
        );
    }
    let r = info.stamp;
    let _ = write!(
        xml,
        "</ofd:References><ofd:StampAnnot ID=\"1\" PageRef=\"{}\" Boundary=\"{} {} {} {}\"/>\
         <ofd:Seal><ofd:BaseLoc>/{}</ofd:BaseLoc></ofd:Seal></ofd:SignedInfo>\
         <ofd:SignedValue>/{}</ofd:SignedValue></ofd:Signature>",
        info.page_id,
        r.x,
        r.y,
        r.width,
        r.height,
        escape(info.seal),
        escape(info.signed_value)
    );
    xml.into_bytes()
}

/// Escapes text for an attribute or element: package paths are ecert's own, but a path with
/// `&` or `"` must still give well-formed XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
