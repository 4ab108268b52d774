//! Why a certificate could not be rendered.

/// Why a certificate could not be rendered. Every variant is found before any byte of a file
/// is written, so a failed render never leaves half a certificate behind.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The font has no glyph for a character: printing it would show an empty box.
    #[error(
        "the font cannot draw {character:?} (U+{code:04X}) in {field}",
        code = u32::from(*character)
    )]
    MissingGlyph {
        /// Which printed field holds the character (`name`, `employer_name`, ...).
        field: &'static str,
        /// The character itself.
        character: char,
    },
    /// A field is longer than the layout has room for.
    #[error("{field} does not fit on the certificate: {detail}")]
    TooLong {
        /// Which printed field.
        field: &'static str,
        /// What was too long, in plain words.
        detail: String,
    },
    /// A photo, signature or seal image could not be read.
    #[error("the {what} image is not a readable PNG or JPEG: {reason}")]
    BadImage {
        /// Which image (`photo`, `signature`, `seal`).
        what: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// The QR content needs a QR code larger than version 20 at error correction level M.
    #[error("the QR content is {len} bytes: too long for a QR code of version 20 at level M")]
    QrTooLong {
        /// Length of the content in bytes.
        len: usize,
    },
    /// The font shipped with the crate could not be read (a broken build, not bad input).
    #[error("the certificate font cannot be used: {0}")]
    Font(String),
    /// The PDF writer failed.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    /// The OFD writer failed.
    #[error("the OFD could not be written: {0}")]
    Ofd(String),
}
