//! The QR code, drawn as vector squares so it stays sharp at any zoom and in print.

use qrcode::{Color as Module, EcLevel, QrCode, Version};

use crate::RenderError;
use crate::geom::{PathBuilder, PathOp, Rect};

/// Largest QR version printed: beyond it the modules get too small for phone cameras at the
/// printed size.
pub const MAX_QR_VERSION: i16 = 20;

/// Light modules kept around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// Encodes `content` at level M and returns its dark modules as one path filling `area`
/// (quiet zone included). The encoder picks the cheapest segment modes, so an upper-case
/// URL (such as one carrying a base45 payload) fits far more characters than a mixed-case one.
pub(crate) fn qr_path(content: &str, area: Rect) -> Result<Vec<PathOp>, RenderError> {
    let too_long = RenderError::QrTooLong { len: content.len() };
    let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M)
        .map_err(|_| too_long)?;
    match code.version() {
        Version::Normal(v) if v <= MAX_QR_VERSION => {}
        _ => return Err(RenderError::QrTooLong { len: content.len() }),
    }
    Ok(module_path(&code, area))
}

fn module_path(code: &QrCode, area: Rect) -> Vec<PathOp> {
    let width = code.width();
    let colors = code.to_colors();
    let module = area.width.min(area.height) / module_count(width + 2 * QUIET_ZONE);
    let left = area.x + module_count(QUIET_ZONE) * module;
    let top = area.y + module_count(QUIET_ZONE) * module;
    // A hair of overlap between neighbouring rows keeps anti-aliasing seams out of the picture.
    let overlap = module * 0.02;
    let mut path = PathBuilder::new();
    for (row, line) in colors.chunks(width).enumerate() {
        for (start, end) in dark_runs(line) {
            let x = left + module_count(start) * module;
            let y = top + module_count(row) * module;
            let w = module_count(end - start) * module;
            path.rect(Rect::new(x, y, w, module + overlap));
        }
    }
    path.finish()
}

/// Runs of dark modules in one row, as `(first, past_last)` column pairs.
fn dark_runs(line: &[Module]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (column, module) in line.iter().chain([&Module::Light]).enumerate() {
        match (module, start) {
            (Module::Dark, None) => start = Some(column),
            (Module::Light, Some(s)) => {
                runs.push((s, column));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// A module count as a length factor. QR widths stay below 200, so the cast is exact.
#[expect(
    clippy::cast_precision_loss,
    reason = "counts below 200 are exact in f32"
)]
fn module_count(n: usize) -> f32 {
    n as f32
}
