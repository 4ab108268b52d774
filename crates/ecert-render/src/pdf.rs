//! The PDF writer: draws a [`Layout`] with krilla, which subsets and embeds the font.
//!
//! The file is PDF/A-2b, finished and unsigned: a signer appends its signature as an
//! incremental update, leaving these bytes untouched.

use jiff::Timestamp;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder as KrillaPath, Point as KrillaPoint, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke as KrillaStroke};
use krilla::surface::Surface;
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use crate::geom::{Color, MM_PER_PT, PathOp};
use crate::layout::{self, Item, Layout, Link, PAGE_HEIGHT, PAGE_WIDTH, Placed, Shape, TextRun};
use crate::{CertificateSheet, ImageFormat, RenderAssets, RenderError, shanghai};

/// Renders the certificate as a PDF. Same sheet, assets and time give the same bytes.
pub fn render_pdf(
    sheet: &CertificateSheet,
    assets: &RenderAssets,
    issued_at: Timestamp,
) -> Result<Vec<u8>, RenderError> {
    let layout = layout::lay_out(sheet, assets)?;
    let images = prepare_images(&layout)?;
    let mut document = Document::new_with(settings()?);
    document.set_metadata(metadata(sheet, issued_at));
    let size = PageSettings::from_wh(PAGE_WIDTH / MM_PER_PT, PAGE_HEIGHT / MM_PER_PT)
        .ok_or_else(|| RenderError::Pdf("bad page size".to_owned()))?;
    let mut page = document.start_page_with(size);
    let mut surface = page.surface();
    // Everything below is in millimetres, like the layout.
    surface.push_transform(&Transform::from_scale(1.0 / MM_PER_PT, 1.0 / MM_PER_PT));
    let mut images = images.into_iter();
    for item in &layout.items {
        match item {
            Item::Text(run) => draw_text(&mut surface, run, assets),
            Item::Shape(shape) => draw_shape(&mut surface, shape),
            Item::Image(placed) => {
                if let Some(image) = images.next() {
                    draw_image(&mut surface, placed, image);
                }
            }
        }
    }
    surface.pop();
    surface.finish();
    if let Some(link) = &layout.verification_link {
        page.add_annotation(link_annotation(link)?);
    }
    page.finish();
    document
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

/// The link in page points (krilla's page space has its origin at the top left, like ours).
fn link_annotation(link: &Link) -> Result<Annotation, RenderError> {
    let a = link.area;
    let rect = krilla::geom::Rect::from_xywh(
        a.x / MM_PER_PT,
        a.y / MM_PER_PT,
        a.width / MM_PER_PT,
        a.height / MM_PER_PT,
    )
    .ok_or_else(|| RenderError::Pdf("bad link area".to_owned()))?;
    let action = Action::Link(LinkAction::new(link.url.clone()));
    Ok(Annotation::new_link(
        LinkAnnotation::new(rect, Target::Action(action)),
        Some("扫码核验真伪及状态".to_owned()),
    ))
}

fn settings() -> Result<SerializeSettings, RenderError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    Ok(SerializeSettings {
        configuration,
        // The tag tree would need every item marked up; PDF/A-2b does not ask for it.
        enable_tagging: false,
        ..SerializeSettings::default()
    })
}

fn metadata(sheet: &CertificateSheet, issued_at: Timestamp) -> Metadata {
    let local = shanghai(issued_at);
    let created = DateTime::new(u16::try_from(local.year()).unwrap_or(2000))
        .month(local.month().unsigned_abs())
        .day(local.day().unsigned_abs())
        .hour(local.hour().unsigned_abs())
        .minute(local.minute().unsigned_abs())
        .second(local.second().unsigned_abs())
        .utc_offset_hour(8)
        .utc_offset_minute(0);
    // The file identifier comes from what the file is, not from chance: same input, same ID.
    let id = format!("{}|{}|{}", sheet.licence_id, sheet.version, issued_at);
    Metadata::new()
        .title("中华人民共和国一级注册建筑师注册证书".to_owned())
        .creator("ecert".to_owned())
        .producer("ecert-render".to_owned())
        .language("zh-CN".to_owned())
        .creation_date(created)
        .document_id(id)
}

/// Decodes the headers of every placed image up front, so a bad one fails the render
/// before drawing starts.
fn prepare_images(layout: &Layout) -> Result<Vec<krilla::image::Image>, RenderError> {
    layout
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Image(placed) => Some(placed),
            _ => None,
        })
        .map(|placed| {
            let data = placed.image.shared_bytes().into();
            let image = match placed.image.format() {
                // Passed through as DCT: no decoding, no loss.
                ImageFormat::Jpeg => krilla::image::Image::from_jpeg(data, false),
                ImageFormat::Png => krilla::image::Image::from_png(data, false),
            };
            image.map_err(|reason| RenderError::BadImage {
                what: "placed",
                reason,
            })
        })
        .collect()
}

fn draw_text(surface: &mut Surface<'_>, run: &TextRun, assets: &RenderAssets) {
    let glyphs: Vec<KrillaGlyph> = run
        .glyphs
        .iter()
        .map(|g| KrillaGlyph {
            glyph_id: GlyphId::new(u32::from(g.glyph_id)),
            text_range: g.text_range.clone(),
            x_advance: g.advance,
            x_offset: 0.0,
            y_offset: 0.0,
            y_advance: 0.0,
            location: None,
        })
        .collect();
    surface.set_fill(Some(fill(run.color, 1.0, false)));
    surface.set_stroke(None);
    surface.draw_glyphs(
        KrillaPoint::from_xy(run.origin.x, run.origin.y),
        &glyphs,
        assets.pdf_font.clone(),
        &run.text,
        run.size,
        false,
    );
}

fn draw_shape(surface: &mut Surface<'_>, shape: &Shape) {
    let Some(path) = krilla_path(&shape.ops) else {
        return;
    };
    surface.set_fill(shape.fill.map(|c| fill(c, shape.opacity, shape.even_odd)));
    surface.set_stroke(shape.stroke.map(|s| KrillaStroke {
        paint: paint(s.color),
        width: s.width,
        opacity: opacity(shape.opacity),
        ..KrillaStroke::default()
    }));
    surface.draw_path(&path);
}

fn draw_image(surface: &mut Surface<'_>, placed: &Placed, image: krilla::image::Image) {
    let Some(size) = Size::from_wh(placed.rect.width, placed.rect.height) else {
        return;
    };
    surface.push_transform(&Transform::from_translate(placed.rect.x, placed.rect.y));
    surface.draw_image(image, size);
    surface.pop();
}

fn krilla_path(ops: &[PathOp]) -> Option<krilla::geom::Path> {
    let mut path = KrillaPath::new();
    for op in ops {
        match *op {
            PathOp::MoveTo(p) => path.move_to(p.x, p.y),
            PathOp::LineTo(p) => path.line_to(p.x, p.y),
            PathOp::CubicTo(a, b, p) => path.cubic_to(a.x, a.y, b.x, b.y, p.x, p.y),
            PathOp::Close => path.close(),
        }
    }
    path.finish()
}

fn paint(c: Color) -> krilla::paint::Paint {
    rgb::Color::new(c.r, c.g, c.b).into()
}

fn opacity(value: f32) -> NormalizedF32 {
    NormalizedF32::new(value).unwrap_or(NormalizedF32::ONE)
}

fn fill(c: Color, alpha: f32, even_odd: bool) -> Fill {
    Fill {
        paint: paint(c),
        opacity: opacity(alpha),
        rule: if even_odd {
            FillRule::EvenOdd
        } else {
            FillRule::NonZero
        },
    }
}
