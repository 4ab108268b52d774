//! Lays out the electronic registration certificate and writes it as PDF and OFD.
//!
//! One [`layout::Layout`] is computed from a [`CertificateSheet`] and drawn by both writers, so
//! the two files agree to the glyph. Every check (missing glyphs, lengths, QR size) runs in the
//! layout, before any file exists. Signing is a later step: a PDF is returned finished for an
//! incremental-update signature; an OFD can be had as an [`ofd::OfdPackage`] to which a signer
//! adds its parts before zipping. The seal-stamp rectangle is [`layout::SEAL_STAMP`].

mod assets;
mod error;
mod font;
pub mod geom;
pub mod layout;
pub mod ofd;
mod pdf;
mod qr;
mod seal;
mod sheet;
#[cfg(feature = "fixtures")]
pub mod testing;

pub use assets::{RenderAssets, SealArt};
pub use error::RenderError;
pub use font::ShapedGlyph;
pub use ofd::{build_ofd, render_ofd};
pub use pdf::render_pdf;
pub use qr::MAX_QR_VERSION;
pub use sheet::{CertificateSheet, Image, ImageFormat};

/// China Standard Time (UTC+8, no daylight saving since 1991): the time printed and stored
/// in file metadata. A fixed offset needs no time-zone database.
fn shanghai(at: jiff::Timestamp) -> jiff::civil::DateTime {
    jiff::tz::offset(8).to_datetime(at)
}
