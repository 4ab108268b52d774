//! The OFD writer (GB/T 33190): the same [`Layout`] as XML parts in a zip package.
//!
//! The package is built as an ordered map of paths to bytes ([`OfdPackage`]) and zipped only
//! at the end, so a signer can add `Doc_0/Signs/...` parts and declare them in `OFD.xml`
//! before [`OfdPackage::zip`].

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use jiff::Timestamp;
use sm3::{Digest as _, Sm3};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::font::CertFont;
use crate::geom::{Color, PathOp, Rect, path_bounds};
use crate::layout::{self, Item, Layout, Link, PAGE_HEIGHT, PAGE_WIDTH, Placed, Shape, TextRun};
use crate::{CertificateSheet, ImageFormat, RenderAssets, RenderError, shanghai};

mod xml;

use xml::{Xml, num, push_num};

/// ID of the certificate's only page, for a `StampAnnot`'s `PageRef`.
pub const PAGE_ID: u32 = 1;
/// ID of the embedded font resource.
const FONT_ID: u32 = 2;
/// Image resources take IDs from here on, one per placed image.
const FIRST_IMAGE_ID: u32 = 3;

/// Where the parts live in the package.
const OFD_XML: &str = "OFD.xml";
const DOC_ROOT: &str = "Doc_0/Document.xml";
const CONTENT: &str = "Doc_0/Pages/Page_0/Content.xml";

/// An OFD package before zipping: its parts by path, in a fixed order.
#[derive(Debug, Clone)]
pub struct OfdPackage {
    files: BTreeMap<String, Vec<u8>>,
    info: DocInfo,
}

#[derive(Debug, Clone)]
struct DocInfo {
    doc_id: String,
    creation_date: String,
    modified: zip::DateTime,
    signatures: Option<String>,
}

impl OfdPackage {
    /// The parts, by path inside the package.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// Adds or replaces a part (a signer's `Doc_0/Signs/...` files), returning the old bytes.
    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) -> Option<Vec<u8>> {
        self.files.insert(path.into(), bytes)
    }

    /// Declares the signature list (for example `Doc_0/Signs/Signatures.xml`) in `OFD.xml`,
    /// as GB/T 33190 asks of a signed document. The signer adds the list itself.
    pub fn declare_signatures(&mut self, location: &str) -> Result<(), RenderError> {
        self.info.signatures = Some(location.to_owned());
        let ofd = ofd_xml(&self.info)?;
        self.files.insert(OFD_XML.to_owned(), ofd);
        Ok(())
    }

    /// The zip file. Parts are stored in path order with the render time as their date, so
    /// the same package always gives the same bytes.
    pub fn zip(&self) -> Result<Vec<u8>, RenderError> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(self.size_hint())));
        for (path, bytes) in &self.files {
            let method = compression_for(path);
            let level = (method == CompressionMethod::Deflated).then_some(COMPRESSION_LEVEL);
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .compression_level(level)
                .last_modified_time(self.info.modified)
                .unix_permissions(0o644);
            zip.start_file(path.as_str(), options).map_err(zip_error)?;
            zip.write_all(bytes)
                .map_err(|e| RenderError::Ofd(e.to_string()))?;
        }
        let cursor = zip.finish().map_err(zip_error)?;
        Ok(cursor.into_inner())
    }

    fn size_hint(&self) -> usize {
        self.files.values().map(Vec::len).sum::<usize>() / 2 + 4096
    }
}

/// Deflate level for the XML and the font: level 1 is several times faster than the default
/// and the package grows only by a few kilobytes.
const COMPRESSION_LEVEL: i64 = 1;

/// Pictures are compressed already; XML and the font shrink well under deflate.
fn compression_for(path: &str) -> CompressionMethod {
    let picture = [".png", ".jpg"].iter().any(|ext| path.ends_with(ext));
    if picture {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    }
}

#[expect(clippy::needless_pass_by_value, reason = "used as a map_err function")]
fn zip_error(e: zip::result::ZipError) -> RenderError {
    RenderError::Ofd(e.to_string())
}

/// Renders the certificate as an OFD file. Same sheet, assets and time give the same bytes.
pub fn render_ofd(
    sheet: &CertificateSheet,
    assets: &RenderAssets,
    issued_at: Timestamp,
) -> Result<Vec<u8>, RenderError> {
    build_ofd(sheet, assets, issued_at)?.zip()
}

/// Builds the unsigned OFD package, for a signer to complete before zipping.
pub fn build_ofd(
    sheet: &CertificateSheet,
    assets: &RenderAssets,
    issued_at: Timestamp,
) -> Result<OfdPackage, RenderError> {
    let layout = layout::lay_out(sheet, assets)?;
    let font = CertFont::subset(&layout.characters())?;
    let images = images(&layout);
    let (content, max_id) = content_xml(&layout, &images, &font.glyph_map)?;
    let info = doc_info(&content, issued_at);
    let mut files = BTreeMap::new();
    files.insert(OFD_XML.to_owned(), ofd_xml(&info)?);
    files.insert(DOC_ROOT.to_owned(), document_xml(max_id)?);
    files.insert("Doc_0/PublicRes.xml".to_owned(), public_res_xml(assets)?);
    files.insert(
        "Doc_0/DocumentRes.xml".to_owned(),
        document_res_xml(&images)?,
    );
    files.insert(CONTENT.to_owned(), content);
    files.insert(format!("Doc_0/Res/{}", font_file()), font.bytes);
    for image in &images {
        files.insert(format!("Doc_0/Res/{}", image.file), image.bytes.clone());
    }
    Ok(OfdPackage { files, info })
}

fn font_file() -> String {
    format!("Font_{FONT_ID}.ttf")
}

/// An image resource: its ID, file name and bytes.
struct ImageRes {
    id: u32,
    file: String,
    format: ImageFormat,
    bytes: Vec<u8>,
}

fn images(layout: &Layout) -> Vec<ImageRes> {
    let placed = layout.items.iter().filter_map(|item| match item {
        Item::Image(p) => Some(p),
        _ => None,
    });
    (FIRST_IMAGE_ID..)
        .zip(placed)
        .map(|(id, p)| {
            let format = p.image.format();
            let ext = match format {
                ImageFormat::Png => "png",
                ImageFormat::Jpeg => "jpg",
            };
            ImageRes {
                id,
                file: format!("Image_{id}.{ext}"),
                format,
                bytes: p.image.bytes().to_vec(),
            }
        })
        .collect()
}

/// The document identifier: SM3 of the page content and the time, as 32 hex digits.
fn doc_info(content: &[u8], issued_at: Timestamp) -> DocInfo {
    let mut hash = Sm3::new();
    hash.update(content);
    hash.update(issued_at.to_string().as_bytes());
    let digest = hash.finalize();
    let doc_id = digest[..16].iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let local = shanghai(issued_at);
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        local.month().unsigned_abs(),
        local.day().unsigned_abs(),
        local.hour().unsigned_abs(),
        local.minute().unsigned_abs(),
        local.second().unsigned_abs(),
    )
    .unwrap_or_default();
    DocInfo {
        doc_id,
        creation_date: local.date().to_string(),
        modified,
        signatures: None,
    }
}

fn ofd_xml(info: &DocInfo) -> Result<Vec<u8>, RenderError> {
    let mut x = Xml::new();
    x.root("ofd:OFD", &[("Version", "1.0"), ("DocType", "OFD")], |x| {
        x.parent("ofd:DocBody", &[], |x| {
            x.parent("ofd:DocInfo", &[], |x| {
                x.text("ofd:DocID", &info.doc_id)?;
                x.text("ofd:Title", "中华人民共和国一级注册建筑师注册证书")?;
                x.text("ofd:CreationDate", &info.creation_date)?;
                x.text("ofd:Creator", "ecert")?;
                x.text("ofd:CreatorVersion", env!("CARGO_PKG_VERSION"))
            })?;
            x.text("ofd:DocRoot", DOC_ROOT)?;
            match &info.signatures {
                Some(location) => x.text("ofd:Signatures", location),
                None => Ok(()),
            }
        })
    })
}

fn document_xml(max_id: u32) -> Result<Vec<u8>, RenderError> {
    let page_box = format!("0 0 {} {}", num(PAGE_WIDTH), num(PAGE_HEIGHT));
    let mut x = Xml::new();
    x.root("ofd:Document", &[], |x| {
        x.parent("ofd:CommonData", &[], |x| {
            x.text("ofd:MaxUnitID", &max_id.to_string())?;
            x.parent("ofd:PageArea", &[], |x| {
                x.text("ofd:PhysicalBox", &page_box)
            })?;
            x.text("ofd:PublicRes", "PublicRes.xml")?;
            x.text("ofd:DocumentRes", "DocumentRes.xml")
        })?;
        x.parent("ofd:Pages", &[], |x| {
            let id = PAGE_ID.to_string();
            x.empty(
                "ofd:Page",
                &[("ID", &id), ("BaseLoc", "Pages/Page_0/Content.xml")],
            )
        })
    })
}

fn public_res_xml(assets: &RenderAssets) -> Result<Vec<u8>, RenderError> {
    let family = assets.font.family_name();
    let id = FONT_ID.to_string();
    let mut x = Xml::new();
    x.root("ofd:Res", &[("BaseLoc", "Res")], |x| {
        x.parent("ofd:Fonts", &[], |x| {
            let attrs = [
                ("ID", id.as_str()),
                ("FontName", family),
                ("FamilyName", family),
            ];
            x.parent("ofd:Font", &attrs, |x| x.text("ofd:FontFile", &font_file()))
        })
    })
}

fn document_res_xml(images: &[ImageRes]) -> Result<Vec<u8>, RenderError> {
    let mut x = Xml::new();
    x.root("ofd:Res", &[("BaseLoc", "Res")], |x| {
        x.parent("ofd:MultiMedias", &[], |x| {
            for image in images {
                let id = image.id.to_string();
                let format = match image.format {
                    ImageFormat::Png => "PNG",
                    ImageFormat::Jpeg => "JPEG",
                };
                let attrs = [("ID", id.as_str()), ("Type", "Image"), ("Format", format)];
                x.parent("ofd:MultiMedia", &attrs, |x| {
                    x.text("ofd:MediaFile", &image.file)
                })?;
            }
            Ok(())
        })
    })
}

/// The page's content and the largest object ID it used.
fn content_xml(
    layout: &Layout,
    images: &[ImageRes],
    glyph_map: &HashMap<u16, u16>,
) -> Result<(Vec<u8>, u32), RenderError> {
    let first_object = FIRST_IMAGE_ID + u32::try_from(images.len()).unwrap_or(0);
    let mut ids = first_object..;
    let page_box = format!("0 0 {} {}", num(PAGE_WIDTH), num(PAGE_HEIGHT));
    let mut x = Xml::new();
    let bytes = x.root("ofd:Page", &[], |x| {
        x.parent("ofd:Area", &[], |x| x.text("ofd:PhysicalBox", &page_box))?;
        x.parent("ofd:Content", &[], |x| {
            let layer = next(&mut ids).to_string();
            x.parent("ofd:Layer", &[("ID", &layer), ("Type", "Body")], |x| {
                let mut image_ids = images.iter().map(|i| i.id);
                for item in &layout.items {
                    let id = next(&mut ids);
                    match item {
                        Item::Text(run) => text_object(x, id, run, glyph_map)?,
                        Item::Shape(shape) => path_object(x, id, shape)?,
                        Item::Image(placed) => {
                            let resource = image_ids.next().unwrap_or(FIRST_IMAGE_ID);
                            image_object(x, id, resource, placed)?;
                        }
                    }
                }
                if let Some(link) = &layout.verification_link {
                    link_object(x, next(&mut ids), link)?;
                }
                Ok(())
            })
        })
    })?;
    Ok((bytes, ids.start - 1))
}

fn next(ids: &mut std::ops::RangeFrom<u32>) -> u32 {
    ids.next().unwrap_or(u32::MAX)
}

fn text_object(
    x: &mut Xml,
    id: u32,
    run: &TextRun,
    glyph_map: &HashMap<u16, u16>,
) -> std::io::Result<()> {
    if run.glyphs.is_empty() {
        return Ok(());
    }
    // A boundary clips in some readers: give the glyphs a margin around their em boxes.
    let margin = run.size * 0.3;
    let bound = Rect::new(
        run.origin.x - margin,
        run.origin.y - run.size * 1.1,
        run.width() + 2.0 * margin,
        run.size * 1.5,
    );
    let code: String = run.glyphs.iter().map(|g| g.character).collect();
    let deltas: Vec<String> = run.glyphs[..run.glyphs.len() - 1]
        .iter()
        .map(|g| num(g.advance * run.size))
        .collect();
    let (id, size) = (id.to_string(), num(run.size));
    let (boundary, font) = (boundary(bound), FONT_ID.to_string());
    let (tx, ty) = (num(run.origin.x - bound.x), num(run.origin.y - bound.y));
    let delta_x = deltas.join(" ");
    let attrs = [
        ("ID", id.as_str()),
        ("Boundary", &boundary),
        ("Font", &font),
        ("Size", &size),
    ];
    x.parent("ofd:TextObject", &attrs, |x| {
        x.empty("ofd:FillColor", &[("Value", &color(run.color))])?;
        cg_transform(x, run, glyph_map)?;
        let mut code_attrs = vec![("X", tx.as_str()), ("Y", ty.as_str())];
        if !delta_x.is_empty() {
            code_attrs.push(("DeltaX", &delta_x));
        }
        x.text_with("ofd:TextCode", &code_attrs, &code)
    })
}

/// Glyph indices for a run holding characters beyond the Basic Multilingual Plane.
///
/// Some readers keep text codes in 16 bits and cannot look such characters (𠇔, 𬌗) up in
/// the `cmap`; a `CGTransform` names the glyphs directly, so every reader draws them. Runs of
/// BMP characters are left to the `cmap`, the path all readers share.
fn cg_transform(x: &mut Xml, run: &TextRun, glyph_map: &HashMap<u16, u16>) -> std::io::Result<()> {
    if run.glyphs.iter().all(|g| u32::from(g.character) <= 0xFFFF) {
        return Ok(());
    }
    let glyphs: Vec<String> = run
        .glyphs
        .iter()
        .map(|g| glyph_map.get(&g.glyph_id).copied().unwrap_or(0).to_string())
        .collect();
    let count = glyphs.len().to_string();
    let attrs = [
        ("CodePosition", "0"),
        ("CodeCount", count.as_str()),
        ("GlyphCount", count.as_str()),
    ];
    x.parent("ofd:CGTransform", &attrs, |x| {
        x.text("ofd:Glyphs", &glyphs.join(" "))
    })
}

fn path_object(x: &mut Xml, id: u32, shape: &Shape) -> std::io::Result<()> {
    let Some(bounds) = path_bounds(&shape.ops) else {
        return Ok(());
    };
    let pad = shape.stroke.map_or(0.0, |s| s.width);
    let bound = Rect::new(
        bounds.x - pad,
        bounds.y - pad,
        bounds.width + 2.0 * pad,
        bounds.height + 2.0 * pad,
    );
    let id = id.to_string();
    let boundary = boundary(bound);
    let width = shape.stroke.map_or_else(String::new, |s| num(s.width));
    let alpha = alpha(shape.opacity);
    let mut attrs = vec![
        ("ID", id.as_str()),
        ("Boundary", &boundary),
        ("Stroke", bool_str(shape.stroke.is_some())),
        ("Fill", bool_str(shape.fill.is_some())),
    ];
    if shape.stroke.is_some() {
        attrs.push(("LineWidth", &width));
    }
    if shape.even_odd {
        attrs.push(("Rule", "Even-Odd"));
    }
    if shape.opacity < 1.0 {
        attrs.push(("Alpha", &alpha));
    }
    x.parent("ofd:PathObject", &attrs, |x| {
        if let Some(stroke) = shape.stroke {
            x.empty("ofd:StrokeColor", &[("Value", &color(stroke.color))])?;
        }
        if let Some(fill) = shape.fill {
            x.empty("ofd:FillColor", &[("Value", &color(fill))])?;
        }
        x.text("ofd:AbbreviatedData", &abbreviated(&shape.ops, bound))
    })
}

/// An invisible rectangle over the QR code whose click opens the verification page
/// (GB/T 33190 `CT_Action` with a `URI`).
fn link_object(x: &mut Xml, id: u32, link: &Link) -> std::io::Result<()> {
    let id = id.to_string();
    let boundary = boundary(link.area);
    let (w, h) = (num(link.area.width), num(link.area.height));
    let attrs = [
        ("ID", id.as_str()),
        ("Boundary", &boundary),
        ("Stroke", "false"),
        ("Fill", "false"),
    ];
    x.parent("ofd:PathObject", &attrs, |x| {
        x.parent("ofd:Actions", &[], |x| {
            x.parent("ofd:Action", &[("Event", "CLICK")], |x| {
                x.empty("ofd:URI", &[("URI", &link.url)])
            })
        })?;
        x.text(
            "ofd:AbbreviatedData",
            &format!("M 0 0 L {w} 0 L {w} {h} L 0 {h} C"),
        )
    })
}

fn image_object(x: &mut Xml, id: u32, resource: u32, placed: &Placed) -> std::io::Result<()> {
    let r = placed.rect;
    let ctm = format!("{} 0 0 {} 0 0", num(r.width), num(r.height));
    let (id, resource) = (id.to_string(), resource.to_string());
    let attrs = [
        ("ID", id.as_str()),
        ("Boundary", &boundary(r)),
        ("CTM", &ctm),
        ("ResourceID", &resource),
    ];
    x.empty("ofd:ImageObject", &attrs)
}

/// Path data relative to the object's boundary, in OFD's abbreviated form.
fn abbreviated(ops: &[PathOp], bound: Rect) -> String {
    let mut out = String::with_capacity(ops.len() * 14);
    let point = |out: &mut String, p: crate::geom::Point| {
        out.push(' ');
        push_num(out, p.x - bound.x);
        out.push(' ');
        push_num(out, p.y - bound.y);
    };
    for op in ops {
        if !out.is_empty() {
            out.push(' ');
        }
        match *op {
            PathOp::MoveTo(a) => {
                out.push('M');
                point(&mut out, a);
            }
            PathOp::LineTo(a) => {
                out.push('L');
                point(&mut out, a);
            }
            PathOp::CubicTo(a, b, c) => {
                out.push('B');
                point(&mut out, a);
                point(&mut out, b);
                point(&mut out, c);
            }
            PathOp::Close => out.push('C'),
        }
    }
    out
}

fn boundary(r: Rect) -> String {
    format!(
        "{} {} {} {}",
        num(r.x),
        num(r.y),
        num(r.width),
        num(r.height)
    )
}

fn color(c: Color) -> String {
    format!("{} {} {}", c.r, c.g, c.b)
}

fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn alpha(opacity: f32) -> String {
    // Clamped to 0–255 first, so the cast cannot wrap.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped"
    )]
    let value = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    value.to_string()
}

impl From<std::io::Error> for RenderError {
    fn from(e: std::io::Error) -> Self {
        RenderError::Ofd(e.to_string())
    }
}
