//! What a certificate shows: the plain input of a render, free of storage and domain types.

use std::sync::Arc;

use jiff::civil::Date;

use crate::RenderError;

/// One version of a certificate with its usage period: every value printed on the page.
///
/// The caller has validated the values (identifier check characters, dates); the renderer
/// only checks what it must to draw them: that the font has every character and that each
/// value fits its place.
#[derive(Debug, Clone)]
pub struct CertificateSheet {
    /// Name (姓名), up to 32 characters; rare CJK characters are fine.
    pub name: String,
    /// Gender (性别): "男" or "女".
    pub gender: String,
    /// Date of birth (出生日期).
    pub birth_date: Date,
    /// ID number (身份证件号码): 18 characters for a mainland ID card, up to 32 for others.
    pub id_number: String,
    /// Registration number (注册号), up to 32 ASCII characters.
    pub registration_number: String,
    /// Practice-seal number (执业印章号), up to 32 ASCII characters.
    pub seal_number: String,
    /// Employer (聘用单位), up to 64 characters; wraps onto several lines.
    pub employer_name: String,
    /// First day of the registration's validity (注册有效期).
    pub valid_from: Date,
    /// Last day of the registration's validity.
    pub valid_until: Date,
    /// Issuing authority (发证机关), up to 40 characters.
    pub issuing_authority: String,
    /// Issue date (发证日期).
    pub issued_on: Date,
    /// First day of the usage period (使用有效期).
    pub usage_from: Date,
    /// Last day of the usage period.
    pub usage_until: Date,
    /// Licence identifier (电子证照标识) in the GB/T 36904 form, up to about 64 ASCII characters.
    pub licence_id: String,
    /// What the QR code encodes: the verification URL, up to about 900 bytes.
    pub qr_content: String,
    /// Photo (免冠证件照).
    pub photo: Image,
    /// The holder's collected signature image (手写签名).
    pub signature: Image,
    /// Certificate version number, printed as "第N版".
    pub version: u32,
}

/// Format of an [`Image`]'s bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG (baseline or progressive); passed through to both formats undecoded.
    Jpeg,
}

/// A PNG or JPEG image whose format and pixel size have been read from its header.
///
/// The bytes are shared, so cloning a sheet does not copy its photo.
#[derive(Debug, Clone)]
pub struct Image {
    bytes: Arc<Vec<u8>>,
    format: ImageFormat,
    width: u32,
    height: u32,
}

impl Image {
    /// Reads the header of PNG or JPEG bytes. `what` names the image in an error.
    pub fn new(what: &'static str, bytes: Vec<u8>) -> Result<Self, RenderError> {
        let bad = |reason: String| RenderError::BadImage { what, reason };
        let format = match bytes.get(..4) {
            Some([0x89, b'P', b'N', b'G']) => ImageFormat::Png,
            Some([0xFF, 0xD8, 0xFF, _]) => ImageFormat::Jpeg,
            _ => return Err(bad("neither a PNG nor a JPEG signature".to_owned())),
        };
        let reader_format = match format {
            ImageFormat::Png => image::ImageFormat::Png,
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        };
        let cursor = std::io::Cursor::new(bytes.as_slice());
        let (width, height) = image::ImageReader::with_format(cursor, reader_format)
            .into_dimensions()
            .map_err(|e| bad(e.to_string()))?;
        if width == 0 || height == 0 {
            return Err(bad("the image is empty".to_owned()));
        }
        Ok(Self {
            bytes: Arc::new(bytes),
            format,
            width,
            height,
        })
    }

    /// The encoded bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The shared encoded bytes.
    pub(crate) fn shared_bytes(&self) -> Arc<Vec<u8>> {
        Arc::clone(&self.bytes)
    }

    /// The encoding.
    pub fn format(&self) -> ImageFormat {
        self.format
    }

    /// Width and height in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}
