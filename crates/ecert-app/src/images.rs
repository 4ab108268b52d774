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
    if width > MAX_SIDE || height > MAX_SIDE {
        return bad(format!("no side may exceed {MAX_SIDE}"));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return bad(format!("at most {MAX_PIXELS} pixels are accepted"));
    }
    if width < rules.min_width || height < rules.min_height {
        return bad(format!(
            "a {kind} needs at least {}×{}",
            rules.min_width, rules.min_height
        ));
    }
    Ok(())
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
}
