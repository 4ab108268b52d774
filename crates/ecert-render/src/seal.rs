//! The generated issuing seal: a red ring, the authority's name along the arc and a star.

use std::f32::consts::PI;

use crate::RenderError;
use crate::font::CertFont;
use crate::geom::{PathBuilder, PathOp, Point};

/// Widest angle the name may cover, leaving the bottom of the ring open as on a real seal.
const MAX_SPAN: f32 = 250.0 * PI / 180.0;
/// Largest letter size, in millimetres, for short names.
const MAX_LETTER: f32 = 5.4;
/// Smallest letter height still legible when printed.
const MIN_LETTER: f32 = 3.0;
/// Narrowest letters allowed, as a fraction of their height.
const MIN_WIDTH: f32 = 0.5;
/// Room each letter takes along the arc, as a multiple of its width.
const SPACING: f32 = 1.08;

/// The seal's parts: the ring to stroke and the star and lettering to fill.
pub(crate) struct SealPaths {
    /// Circle to stroke.
    pub ring: Vec<PathOp>,
    /// Width of the ring's stroke.
    pub ring_width: f32,
    /// Star and letters, filled.
    pub marks: Vec<PathOp>,
}

/// Draws a seal of outer radius `radius` centred on `center`.
pub(crate) fn generated_seal(
    font: &CertFont,
    authority: &str,
    center: Point,
    radius: f32,
) -> Result<SealPaths, RenderError> {
    let ring_width = radius * 0.06;
    let mut ring = PathBuilder::new();
    ring.circle(center.x, center.y, radius - ring_width / 2.0);

    let mut marks = PathBuilder::new();
    star(&mut marks, center, radius * 0.3);
    lettering(
        font,
        authority,
        center,
        radius - ring_width - 1.0,
        &mut marks,
    )?;
    Ok(SealPaths {
        ring: ring.finish(),
        ring_width,
        marks: marks.finish(),
    })
}

/// A five-pointed star, point up.
fn star(path: &mut PathBuilder, c: Point, r: f32) {
    // The inner radius of a regular pentagram: r · sin 18° / sin 126°.
    let inner = r * 0.381_966;
    for i in 0..10u8 {
        let radius = if i % 2 == 0 { r } else { inner };
        let angle = f32::from(i) * PI / 5.0;
        let (x, y) = (c.x + radius * angle.sin(), c.y - radius * angle.cos());
        if i == 0 {
            path.move_to(x, y);
        } else {
            path.line_to(x, y);
        }
    }
    path.close();
}

/// The name along the upper arc, each letter upright towards the rim. `top` is the radius
/// the tops of the letters reach. Long names get narrower letters, as seal cutters do.
fn lettering(
    font: &CertFont,
    text: &str,
    c: Point,
    top: f32,
    path: &mut PathBuilder,
) -> Result<(), RenderError> {
    let glyphs = font.shape("issuing_authority", text)?;
    let count = f32::from(u16::try_from(glyphs.len()).unwrap_or(u16::MAX).max(1));
    let (height, width) = letter_size(count, top);
    if width < height * MIN_WIDTH {
        return Err(RenderError::TooLong {
            field: "issuing_authority",
            detail: format!("{count} characters do not fit around the seal"),
        });
    }
    let baseline = top - height * font.ascent();
    let step = (width * SPACING) / (top - height / 2.0);
    let span = step * count;
    let (scale_x, scale_y) = (width / font.units_per_em(), height / font.units_per_em());
    for (i, glyph) in (0u16..).zip(&glyphs) {
        let angle = -span / 2.0 + (f32::from(i) + 0.5) * step;
        let (sin, cos) = angle.sin_cos();
        let half = glyph.advance * width / 2.0;
        let place = |fx: f32, fy: f32| {
            let along = fx * scale_x - half;
            let out = baseline + fy * scale_y;
            Point {
                x: c.x + out * sin + along * cos,
                y: c.y - out * cos + along * sin,
            }
        };
        font.outline(glyph.glyph_id, &place, path);
    }
    Ok(())
}

/// Letter height and width so that `count` letters span at most [`MAX_SPAN`] below radius
/// `top`: full-width letters while they fit, then narrower ones.
fn letter_size(count: f32, top: f32) -> (f32, f32) {
    // The span measured at mid-letter is count · SPACING · w / (top − h/2); with w = h,
    // solved for h, then clamped; the width then takes what room is left.
    let fitted = MAX_SPAN * top / (SPACING * count + 0.5 * MAX_SPAN);
    let height = fitted.clamp(MIN_LETTER, MAX_LETTER);
    let width = (MAX_SPAN * (top - height / 2.0) / (SPACING * count)).min(height);
    (height, width)
}
