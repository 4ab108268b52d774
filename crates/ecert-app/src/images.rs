//! Checking and re-encoding the photo and signature images the authority collects.
//!
//! Outside images are never kept as sent: the type comes from the magic bytes, the size and
//! pixel count are checked from the header before any decoding, and what is stored is a
//! fresh encoding, so a polyglot file or trailing payload does not survive.

use std::io::Cursor;

use ecert_store::{Material, MaterialKind};
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest file accepted.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest side accepted, in pixels, checked from the header before decoding.
pub const MAX_SIDE: u32 = 8000;
/// Most pixels accepted (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Longest sides a picture is scaled to, in turn, while looking for a QR code in it. The
/// detector finds a dense code at some scales and misses it at others (the finder patterns
/// must come out close to 1:1:3:1:1 in whole pixels), so several are tried, the likeliest
/// for an A4 page or a phone photo first.
const QR_SCAN_SIDES: [u32; 7] = [1600, 1800, 2000, 2400, 1200, 2800, 3200];

/// Why an image is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("is {0} bytes; the limit is {MAX_FILE_BYTES}")]
    TooLarge(u64),
    /// Not a PNG or JPEG by its first bytes.
    #[error("is not a PNG or JPEG image (by its content)")]
    UnknownType,
    /// The name says one type and the content is another.
    #[error("is named .{named} but its content is {actual}")]
    WrongExtension {
        /// The extension in the name.
        named: String,
        /// The type from the content.
        actual: &'static str,
    },
    /// Too many pixels, or a side too long or too short.
    #[error("is {width}×{height} pixels; {rule}")]
    BadSize {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The rule broken.
        rule: String,
    },
    /// The image data is broken.
    #[error("cannot be decoded: {0}")]
    Broken(String),
    /// No QR code was found in the picture.
    #[error("shows no QR code (photograph it straight on, filling most of the picture)")]
    NoQrCode,
    /// A QR code was found but could not be read.
    #[error("shows a QR code that cannot be read (blurred, cut off or damaged)")]
    UnreadableQrCode,
}

/// The type of an image from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else {
        None
    }
}

/// The rules for one kind of material.
struct Rules {
    min_width: u32,
    min_height: u32,
    /// The stored image fits inside this box; larger images are scaled down.
    fit: (u32, u32),
}

fn rules(kind: MaterialKind) -> Rules {
    match kind {
        // A 2-inch ID photo at 300 dpi is 413×579; anything much smaller prints badly.
        MaterialKind::Photo => Rules {
            min_width: 100,
            min_height: 120,
            fit: (480, 640),
        },
        MaterialKind::Signature => Rules {
            min_width: 60,
            min_height: 20,
            fit: (800, 300),
        },
    }
}

/// Checks an uploaded image and returns the material to store.
pub fn prepare(
    kind: MaterialKind,
    bytes: &[u8],
    named_extension: Option<&str>,
) -> Result<Material, ImageProblem> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(ImageProblem::TooLarge(size));
    }
    let format = sniff(bytes).ok_or(ImageProblem::UnknownType)?;
    check_extension(format, named_extension)?;
    let (width, height) = header_dimensions(bytes, format)?;
    check_size(kind, width, height)?;
    let image = decode(bytes, format)?;
    encode(kind, &image)
}

fn check_extension(format: ImageFormat, named: Option<&str>) -> Result<(), ImageProblem> {
    let Some(named) = named else { return Ok(()) };
    let actual = if format == ImageFormat::Png {
        "PNG"
    } else {
        "JPEG"
    };
    let matches = match named.to_ascii_lowercase().as_str() {
        "png" => format == ImageFormat::Png,
        "jpg" | "jpeg" => format == ImageFormat::Jpeg,
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        Err(ImageProblem::WrongExtension {
            named: named.to_owned(),
            actual,
        })
    }
}

/// Reads only the header: a 60000×60000 PNG is refused before a byte of it is decoded.
fn header_dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), ImageProblem> {
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ImageProblem::Broken(e.to_string()))
}

fn check_size(kind: MaterialKind, width: u32, height: u32) -> Result<(), ImageProblem> {
    let bad = |rule: String| {
        Err(ImageProblem::BadSize {
            width,
            height,
            rule,
        })
    };
    let rules = rules(kind);
    check_bounds(width, height)?;
    if width < rules.min_width || height < rules.min_height {
        return bad(format!(
            "a {kind} needs at least {}×{}",
            rules.min_width, rules.min_height
        ));
    }
    Ok(())
}

/// The limits every decoded picture keeps, whatever it is for.
fn check_bounds(width: u32, height: u32) -> Result<(), ImageProblem> {
    let bad = |rule: String| {
        Err(ImageProblem::BadSize {
            width,
            height,
            rule,
        })
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return bad(format!("no side may exceed {MAX_SIDE}"));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return bad(format!("at most {MAX_PIXELS} pixels are accepted"));
    }
    Ok(())
}

/// Reads the QR code in a picture (a phone photo, a scan or a screenshot; PNG or JPEG) and
/// returns its text. The picture passes the same size checks as materials before it is
/// decoded, then is looked at in each of [`QR_SCAN_SIDES`] (never blown up more than four
/// times) until a code reads.
pub fn read_qr_code(bytes: &[u8]) -> Result<String, ImageProblem> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ImageProblem::TooLarge(size));
    }
    let format = sniff(bytes).ok_or(ImageProblem::UnknownType)?;
    let (width, height) = header_dimensions(bytes, format)?;
    check_bounds(width, height)?;
    let picture = decode(bytes, format)?;
    let mut seen_code = false;
    // Blowing a small picture up more than four times adds no detail, only work.
    let largest = width.max(height).saturating_mul(4).max(QR_SCAN_SIDES[0]);
    for side in QR_SCAN_SIDES.into_iter().filter(|side| *side <= largest) {
        let grey = picture
            .resize(side, side, FilterType::Triangle)
            .into_luma8();
        let cut = otsu_threshold(&grey);
        // The detector's own local threshold suits uneven light; one global cut suits a
        // scan or screenshot whose background pattern fools the local one.
        let binarized = |x, y| {
            if grey.get_pixel(x, y).0[0] < cut {
                0
            } else {
                255
            }
        };
        for scan in [
            scan_qr(&grey, |x, y| grey.get_pixel(x, y).0[0]),
            scan_qr(&grey, binarized),
        ] {
            match scan {
                Scan::Read(text) => return Ok(text),
                Scan::Unreadable => seen_code = true,
                Scan::Nothing => {}
            }
        }
    }
    Err(if seen_code {
        ImageProblem::UnreadableQrCode
    } else {
        ImageProblem::NoQrCode
    })
}

/// What one look for a QR code found.
enum Scan {
    Read(String),
    Unreadable,
    Nothing,
}

fn scan_qr(grey: &image::GrayImage, pixel: impl Fn(u32, u32) -> u8) -> Scan {
    let to_u32 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        usize::try_from(grey.width()).unwrap_or(0),
        usize::try_from(grey.height()).unwrap_or(0),
        |x, y| pixel(to_u32(x), to_u32(y)),
    );
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Scan::Nothing;
    }
    grids
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| Scan::Read(text)))
        .unwrap_or(Scan::Unreadable)
}

/// The grey level that best splits a picture into dark and light (Otsu's method: the cut
/// with the largest variance between the two classes).
fn otsu_threshold(grey: &image::GrayImage) -> u8 {
    // Counts fit u32: a scanned picture has at most 3200 × 3200 pixels.
    let mut histogram = [0_u32; 256];
    for pixel in grey.pixels() {
        histogram[usize::from(pixel.0[0])] += 1;
    }
    let levels = || {
        (0_u8..=255)
            .zip(histogram)
            .map(|(l, n)| (f64::from(l), f64::from(n)))
    };
    let total: f64 = levels().map(|(_, n)| n).sum();
    let weighted_total: f64 = levels().map(|(l, n)| l * n).sum();
    let (mut below, mut weighted_below) = (0.0, 0.0);
    let (mut best_cut, mut best_spread) = (128_u8, 0.0);
    for (level, (l, n)) in (0_u8..=255).zip(levels()) {
        below += n;
        weighted_below += l * n;
        let above = total - below;
        if below == 0.0 || above == 0.0 {
            continue;
        }
        let mean_gap = weighted_below / below - (weighted_total - weighted_below) / above;
        let spread = below * above * mean_gap * mean_gap;
        if spread > best_spread {
            (best_cut, best_spread) = (level.saturating_add(1), spread);
        }
    }
    best_cut
}

fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, ImageProblem> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| ImageProblem::Broken(e.to_string()))
}

/// A fresh encoding: photos as JPEG (small, photographic), signatures as PNG with
/// transparency kept (they are printed over the certificate's background).
fn encode(kind: MaterialKind, image: &DynamicImage) -> Result<Material, ImageProblem> {
    let (max_width, max_height) = rules(kind).fit;
    let image = if image.width() > max_width || image.height() > max_height {
        image.resize(max_width, max_height, FilterType::Lanczos3)
    } else {
        image.clone()
    };
    let mut content = Vec::new();
    let (image, format, media_type) = match kind {
        MaterialKind::Photo => (
            DynamicImage::ImageRgb8(image.to_rgb8()),
            ImageFormat::Jpeg,
            "image/jpeg",
        ),
        MaterialKind::Signature => (
            DynamicImage::ImageRgba8(image.to_rgba8()),
            ImageFormat::Png,
            "image/png",
        ),
    };
    image
        .write_to(&mut Cursor::new(&mut content), format)
        .map_err(|e| ImageProblem::Broken(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(&content));
    Ok(Material {
        kind,
        media_type: media_type.into(),
        width: image.width(),
        height: image.height(),
        content,
        sha256,
    })
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_pixel(width, height, Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    /// A PNG that claims 60000×60000 pixels (10 GB decoded) in a few dozen bytes.
    fn huge_png_header() -> Vec<u8> {
        let mut header = 60_000u32.to_be_bytes().to_vec();
        header.extend(60_000u32.to_be_bytes());
        header.extend([8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        for (name, data) in [(&b"IHDR"[..], &header[..]), (b"IDAT", &[]), (b"IEND", &[])] {
            let chunk = [name, data].concat();
            bytes.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
            bytes.extend(&chunk);
            bytes.extend(crc32(&chunk).to_be_bytes());
        }
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_photo_is_re_encoded_as_jpeg_and_scaled_to_fit() {
        let material = prepare(MaterialKind::Photo, &png(960, 1280), Some("png")).unwrap();
        assert_eq!(material.media_type, "image/jpeg");
        assert_eq!((material.width, material.height), (480, 640));
        assert_eq!(sniff(&material.content), Some(ImageFormat::Jpeg));
        assert_eq!(material.sha256.len(), 64);
    }

    #[test]
    fn a_sixty_thousand_pixel_square_is_refused_from_its_header() {
        let problem = prepare(MaterialKind::Photo, &huge_png_header(), Some("png")).unwrap_err();
        assert!(
            matches!(
                problem,
                ImageProblem::BadSize {
                    width: 60_000,
                    height: 60_000,
                    ..
                }
            ),
            "{problem}"
        );
    }

    #[test]
    fn an_svg_is_refused_whatever_its_name() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(
            prepare(MaterialKind::Signature, svg, Some("png")),
            Err(ImageProblem::UnknownType)
        );
    }

    #[test]
    fn a_jpeg_named_png_is_refused_with_both_types() {
        let jpeg = prepare(MaterialKind::Photo, &png(200, 300), None)
            .unwrap()
            .content;
        let problem = prepare(MaterialKind::Photo, &jpeg, Some("png")).unwrap_err();
        assert_eq!(problem.to_string(), "is named .png but its content is JPEG");
    }

    #[test]
    fn trailing_data_after_an_image_does_not_survive_re_encoding() {
        let mut polyglot = png(200, 300);
        polyglot.extend(b"PK\x03\x04 a zip archive hiding here");
        let material = prepare(MaterialKind::Signature, &polyglot, Some("png")).unwrap();
        assert!(!material.content.windows(4).any(|w| w == b"PK\x03\x04"));
    }

    #[test]
    fn a_tiny_photo_is_refused_with_the_minimum() {
        let problem = prepare(MaterialKind::Photo, &png(20, 20), None).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "is 20×20 pixels; a photo needs at least 100×120"
        );
    }

    #[test]
    fn a_truncated_image_is_refused_as_broken() {
        let bytes = png(200, 300);
        let problem = prepare(MaterialKind::Photo, &bytes[..bytes.len() / 2], None).unwrap_err();
        assert!(matches!(problem, ImageProblem::Broken(_)), "{problem}");
    }

    #[test]
    fn a_qr_picture_that_is_huge_cut_off_or_plain_is_refused_with_its_reason() {
        let too_big = read_qr_code(&huge_png_header()).unwrap_err();
        assert!(matches!(too_big, ImageProblem::BadSize { .. }), "{too_big}");
        let picture = png(120, 80);
        let cut = read_qr_code(&picture[..picture.len() / 2]).unwrap_err();
        assert!(matches!(cut, ImageProblem::Broken(_)), "{cut}");
        assert_eq!(read_qr_code(&picture), Err(ImageProblem::NoQrCode));
        assert_eq!(read_qr_code(b"%PDF-1.7"), Err(ImageProblem::UnknownType));
    }
}
