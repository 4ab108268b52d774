//! What every render needs and loads once per process: the font and the seal artwork.

use crate::font::CertFont;
use crate::{Image, RenderError};

/// The issuing seal (发证机关印章) printed on the certificate.
#[derive(Debug, Clone, Default)]
pub enum SealArt {
    /// A red round seal drawn as vector paths from the issuing authority's name: a ring, the
    /// name along the upper arc and a five-pointed star. Made at render time, copied from
    /// nowhere.
    #[default]
    Generated,
    /// The authority's own seal picture (PNG with transparency, or JPEG), drawn into
    /// [`crate::layout::SEAL_STAMP`].
    Picture(Image),
    /// No printed seal: the seal-stamp rectangle stays empty for an electronic seal's stamp
    /// annotation added when the file is signed.
    Omitted,
}

/// Font and seal artwork, loaded once per process and shared by every render.
///
/// Loading parses the embedded font (a few microseconds: the bytes are part of the binary)
/// and prepares the PDF writer's font handle, so that a render does no work twice.
pub struct RenderAssets {
    pub(crate) font: CertFont,
    pub(crate) pdf_font: krilla::text::Font,
    pub(crate) seal: SealArt,
}

impl RenderAssets {
    /// Loads the embedded font (LXGW `WenKai`), with the generated seal.
    pub fn load() -> Result<Self, RenderError> {
        let font = CertFont::load()?;
        let pdf_font = krilla::text::Font::new(CertFont::bytes().into(), 0)
            .ok_or_else(|| RenderError::Font("the PDF writer cannot read the font".to_owned()))?;
        Ok(Self {
            font,
            pdf_font,
            seal: SealArt::Generated,
        })
    }

    /// The same assets with another seal.
    #[must_use]
    pub fn with_seal(mut self, seal: SealArt) -> Self {
        self.seal = seal;
        self
    }

    /// Whether the certificate font can draw `character`; the domain may ask this when a name
    /// is recorded, long before any file is made.
    pub fn can_draw(&self, character: char) -> bool {
        self.font
            .shape("check", character.encode_utf8(&mut [0; 4]))
            .is_ok()
    }
}

impl std::fmt::Debug for RenderAssets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderAssets")
            .field("font", &self.font.family_name())
            .field("seal", &self.seal)
            .finish_non_exhaustive()
    }
}
