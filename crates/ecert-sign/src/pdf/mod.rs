//! PAdES B-B signatures (ETSI EN 319 142-1) of the certificate PDF, appended as an
//! incremental update so the rendered bytes stay as they were, and their verification.
//!
//! The input is ecert's own rendered PDF: see [`syntax`] for what is assumed of it.

mod cms;
mod stamp;
mod syntax;
mod verify;

use std::fmt::Write as _;

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use crate::{Algorithm, SignError, Signer};

pub use verify::{PdfSignatureInfo, verify_pdf};

/// Bytes reserved for the CMS in `/Contents`. An ES256 signature with one certificate needs
/// about 1.2 KB; the rest leaves room for a chain or, later, a timestamp token (PAdES B-T).
const CONTENTS_CAPACITY: usize = 8192;

/// Width of each number in the `/ByteRange` placeholder, filled in once offsets are known.
const RANGE_WIDTH: usize = 10;

/// Where the visible stamp goes on page 1, in PDF user space (points, origin bottom left),
/// as `[x0, y0, x1, y1]`: `ecert_render::layout::SEAL_STAMP.to_pdf_points(PAGE_HEIGHT)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StampPlacement {
    /// The rectangle `[x0, y0, x1, y1]`.
    pub rect: [f32; 4],
}

/// The object numbers the update uses.
struct Objects {
    page: u32,
    catalog: u32,
    signature: u32,
    field: u32,
    appearance: u32,
}

/// Signs `pdf` (PAdES B-B, `ETSI.CAdES.detached`) by appending an incremental update with a
/// signature field on page 1, shown at `stamp` when given, signed at `at` (`/M`).
///
/// PDF signatures use ES256: an SM2 key is refused with [`SignError::Document`], because
/// PDF readers do not check SM2 in CMS (ecert's SM2 seal is the OFD one).
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    at: Timestamp,
    stamp: Option<StampPlacement>,
) -> Result<Vec<u8>, SignError> {
    if signer.algorithm() != Algorithm::Es256 {
        return Err(SignError::Document(format!(
            "PDF signatures use ES256; key {} is {}",
            signer.key_id(),
            signer.algorithm()
        )));
    }
    let trailer = syntax::trailer(pdf)?;
    let catalog = syntax::object_dict(pdf, &trailer, trailer.root)?;
    let pages = syntax::reference(catalog, b"/Pages")
        .ok_or_else(|| SignError::Document("catalog without /Pages".into()))?;
    let page_tree = syntax::object_dict(pdf, &trailer, pages)?;
    let first_page = syntax::value_of(page_tree, b"/Kids")
        .and_then(syntax::first_reference)
        .ok_or_else(|| SignError::Document("no first page".into()))?;
    let objects = Objects {
        page: first_page,
        catalog: trailer.root,
        signature: trailer.size,
        field: trailer.size + 1,
        appearance: trailer.size + 2,
    };
    let mut out = pdf.to_vec();
    out.push(b'\n');
    let mut offsets = Vec::new();
    let page_dict = syntax::object_dict(pdf, &trailer, first_page)?;
    let field_ref = format!("{} 0 R", objects.field);
    let new_page = add_annotation(page_dict, &field_ref)?;
    let form = format!("/AcroForm<</Fields[{field_ref}]/SigFlags 3>>");
    let new_catalog = extend(catalog, b"/AcroForm", &form)?;
    write_object(&mut out, &mut offsets, first_page, &new_page);
    write_object(&mut out, &mut offsets, objects.catalog, &new_catalog);
    let placeholder_at = out.len();
    write_object(
        &mut out,
        &mut offsets,
        objects.signature,
        &signature_dict(at),
    );
    let rect = stamp.map_or([0.0; 4], |s| s.rect);
    write_object(
        &mut out,
        &mut offsets,
        objects.field,
        &widget(&objects, rect),
    );
    let appearance = appearance_object(rect, signer.key_id());
    write_object(&mut out, &mut offsets, objects.appearance, &appearance);
    write_xref(&mut out, &offsets, &trailer, objects.appearance + 1);
    fill_signature(&mut out, placeholder_at, signer)?;
    Ok(out)
}

/// The page dictionary with the signature field among its annotations: appended to the
/// renderer's inline array (the QR code's link) or as a new array. An `/Annots` held in an
/// object of its own is refused: ecert's renderer never writes one, so it means a foreign file.
fn add_annotation(page: &[u8], field_ref: &str) -> Result<String, SignError> {
    let Some(value) = syntax::value_of(page, b"/Annots") else {
        return extend(page, b"/Annots", &format!("/Annots[{field_ref}]"));
    };
    let inline = value.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let close = value.iter().position(|&b| b == b']').filter(|_| inline);
    let Some(close) = close.map(|c| page.len() - value.len() + c) else {
        return Err(SignError::Document(
            "the page's /Annots is not an inline array".into(),
        ));
    };
    let text = std::str::from_utf8(page)
        .map_err(|_| SignError::Document("a dictionary is not text".into()))?;
    Ok(format!("{} {field_ref}{}", &text[..close], &text[close..]))
}

/// `dict` with `entry` added before its closing `>>`; refused when `key` is there already
/// (ecert's renderer writes no form, so one would mean a foreign file).
fn extend(dict: &[u8], key: &[u8], entry: &str) -> Result<String, SignError> {
    if syntax::value_of(dict, key).is_some() {
        let key = String::from_utf8_lossy(key);
        return Err(SignError::Document(format!("the PDF already has {key}")));
    }
    let body = std::str::from_utf8(&dict[..dict.len() - 2])
        .map_err(|_| SignError::Document("a dictionary is not text".into()))?;
    Ok(format!("{body}{entry}>>"))
}

fn write_object(out: &mut Vec<u8>, offsets: &mut Vec<(u32, usize)>, number: u32, body: &str) {
    offsets.push((number, out.len()));
    out.extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
}

fn signature_dict(at: Timestamp) -> String {
    let placeholder = format!("{:<RANGE_WIDTH$}", 0);
    format!(
        "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M({})\
         /ByteRange[0 {placeholder} {placeholder} {placeholder}]/Contents<{}>>>",
        pdf_date(at),
        "0".repeat(CONTENTS_CAPACITY * 2)
    )
}

/// A PDF date in UTC: `D:YYYYMMDDHHmmSSZ`.
pub(crate) fn pdf_date(at: Timestamp) -> String {
    at.strftime("D:%Y%m%d%H%M%SZ").to_string()
}

/// The signature field merged with its widget. `/F 132` is Print + Locked.
fn widget(objects: &Objects, rect: [f32; 4]) -> String {
    format!(
        "<</Type/Annot/Subtype/Widget/FT/Sig/T(ecert seal)/V {} 0 R/P {} 0 R\
         /Rect[{:.2} {:.2} {:.2} {:.2}]/F 132/AP<</N {} 0 R>>>>",
        objects.signature, objects.page, rect[0], rect[1], rect[2], rect[3], objects.appearance
    )
}

fn appearance_object(rect: [f32; 4], key_id: &str) -> String {
    let (width, height) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let content = if width > 0.0 && height > 0.0 {
        stamp::appearance(width, height, key_id)
    } else {
        String::new()
    };
    format!(
        "<</Type/XObject/Subtype/Form/BBox[0 0 {width:.2} {height:.2}]/Resources<<>>\
         /Length {}>>\nstream\n{content}\nendstream",
        content.len() + 1
    )
}

/// One subsection per object, then the trailer pointing back at the original xref.
fn write_xref(out: &mut Vec<u8>, offsets: &[(u32, usize)], trailer: &syntax::Trailer, size: u32) {
    let xref_at = out.len();
    let mut text = String::from("xref\n");
    let mut sorted = offsets.to_vec();
    sorted.sort_unstable();
    for (number, offset) in sorted {
        let _ = write!(text, "{number} 1\n{offset:010} 00000 n\r\n");
    }
    let _ = write!(text, "trailer\n<</Size {size}/Root {} 0 R", trailer.root);
    if let Some(info) = trailer.info {
        let _ = write!(text, "/Info {info} 0 R");
    }
    if let Some(id) = &trailer.id {
        let _ = write!(text, "/ID{id}");
    }
    let _ = write!(
        text,
        "/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
        trailer.xref_offset
    );
    out.extend_from_slice(text.as_bytes());
}

/// Fills in the `/ByteRange` and `/Contents` of the signature dictionary written at `from`.
fn fill_signature(out: &mut [u8], from: usize, signer: &dyn Signer) -> Result<(), SignError> {
    let missing = || SignError::Encoding("signature placeholder not found".into());
    let range_at = from + syntax::find(&out[from..], b"/ByteRange[").ok_or_else(missing)? + 11;
    let contents = from + syntax::find(&out[from..], b"/Contents<").ok_or_else(missing)? + 9;
    let after = contents + CONTENTS_CAPACITY * 2 + 2;
    let ranges = format!(
        "0 {contents:<RANGE_WIDTH$} {after:<RANGE_WIDTH$} {:<RANGE_WIDTH$}",
        out.len() - after
    );
    out[range_at..range_at + ranges.len()].copy_from_slice(ranges.as_bytes());
    let mut hash = Sha256::new();
    hash.update(&out[..contents]);
    hash.update(&out[after..]);
    let cms = cms::sign(&hash.finalize(), signer)?;
    if cms.len() > CONTENTS_CAPACITY {
        return Err(SignError::Encoding(
            "the CMS is larger than the space kept".into(),
        ));
    }
    let hex = crate::b64::hex(&cms).into_bytes();
    out[contents + 1..contents + 1 + hex.len()].copy_from_slice(&hex);
    Ok(())
}
