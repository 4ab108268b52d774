//! The certificate font: character to glyph mapping, advances, outlines and the OFD subset.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::RenderError;
use crate::geom::{PathBuilder, Point};

/// LXGW `WenKai` Regular (OFL 1.1), shipped in `assets/fonts/` with its licence.
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/LXGWWenKai-Regular.ttf");

/// One drawn glyph of a line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedGlyph {
    /// Glyph ID in the full font.
    pub glyph_id: u16,
    /// The character the glyph draws.
    pub character: char,
    /// Bytes of the line's text this glyph stands for: its character plus any invisible
    /// formatting characters (such as a right-to-left mark) that follow it.
    pub text_range: Range<usize>,
    /// Horizontal advance as a fraction of the font size.
    pub advance: f32,
}

/// The parsed font, kept for the life of the process.
pub(crate) struct CertFont {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    family_name: String,
}

impl CertFont {
    /// Parses the shipped font.
    pub(crate) fn load() -> Result<Self, RenderError> {
        let face =
            ttf_parser::Face::parse(FONT_BYTES, 0).map_err(|e| RenderError::Font(e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(RenderError::Font("no TrueType outlines".to_owned()));
        }
        let units_per_em = f32::from(face.units_per_em());
        let family_name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| "LXGW WenKai".to_owned());
        Ok(Self {
            face,
            units_per_em,
            family_name,
        })
    }

    /// The font file as shipped.
    pub(crate) fn bytes() -> &'static [u8] {
        FONT_BYTES
    }

    /// Family name from the font's `name` table.
    pub(crate) fn family_name(&self) -> &str {
        &self.family_name
    }

    /// Ascent above the baseline, as a fraction of the font size.
    pub(crate) fn ascent(&self) -> f32 {
        f32::from(self.face.ascender()) / self.units_per_em
    }

    /// Descent below the baseline (positive), as a fraction of the font size.
    pub(crate) fn descent(&self) -> f32 {
        -f32::from(self.face.descender()) / self.units_per_em
    }

    /// Maps every character of `text` to a glyph, refusing any the font cannot draw.
    pub(crate) fn shape(
        &self,
        field: &'static str,
        text: &str,
    ) -> Result<Vec<ShapedGlyph>, RenderError> {
        let mut glyphs: Vec<ShapedGlyph> = Vec::with_capacity(text.len());
        let mut pending_start = None;
        for (at, character) in text.char_indices() {
            let end = at + character.len_utf8();
            if is_invisible_format(character) {
                // Nothing to draw, but the text must keep it: it joins its neighbour's range.
                match glyphs.last_mut() {
                    Some(last) => last.text_range.end = end,
                    None => pending_start = pending_start.or(Some(at)),
                }
                continue;
            }
            let glyph_id = self.glyph(field, character)?;
            let start = pending_start.take().unwrap_or(at);
            glyphs.push(ShapedGlyph {
                glyph_id,
                character,
                text_range: start..end,
                advance: self.advance(glyph_id),
            });
        }
        Ok(glyphs)
    }

    fn glyph(&self, field: &'static str, character: char) -> Result<u16, RenderError> {
        let missing = RenderError::MissingGlyph { field, character };
        if character.is_control() {
            return Err(missing);
        }
        match self.face.glyph_index(character) {
            Some(id) if id.0 != 0 => Ok(id.0),
            _ => Err(missing),
        }
    }

    fn advance(&self, glyph_id: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph_id))
            .unwrap_or(0);
        f32::from(units) / self.units_per_em
    }

    /// Appends the outline of a glyph to `path`, mapped by `place` from font units (y up) to
    /// page millimetres. Used for the generated seal, whose lettering is artwork, not text.
    pub(crate) fn outline(
        &self,
        glyph_id: u16,
        place: &dyn Fn(f32, f32) -> Point,
        path: &mut PathBuilder,
    ) {
        let mut sink = OutlineSink { place, path };
        let _bbox = self
            .face
            .outline_glyph(ttf_parser::GlyphId(glyph_id), &mut sink);
    }

    /// Font units per em.
    pub(crate) fn units_per_em(&self) -> f32 {
        self.units_per_em
    }

    /// A TrueType subset holding exactly `characters` (and `.notdef`), with its `cmap`, for
    /// embedding in an OFD package, whose readers map text to glyphs through that `cmap`.
    pub(crate) fn subset(characters: &BTreeSet<char>) -> Result<Subset, RenderError> {
        subset::truetype_subset(FONT_BYTES, characters)
    }
}

/// A font subset and where each original glyph went in it.
pub(crate) struct Subset {
    /// The subset font file.
    pub bytes: Vec<u8>,
    /// Original glyph ID to subset glyph ID.
    pub glyph_map: HashMap<u16, u16>,
}

/// Characters with no visible form (bidi marks, zero-width joiners, variation selectors).
/// They are kept in the text of the PDF but not drawn, so they never print as a box.
fn is_invisible_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xE0000..=0xE0FFF
    )
}

struct OutlineSink<'a> {
    place: &'a dyn Fn(f32, f32) -> Point,
    path: &'a mut PathBuilder,
}

impl ttf_parser::OutlineBuilder for OutlineSink<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = (self.place)(x, y);
        self.path.move_to(p.x, p.y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = (self.place)(x, y);
        self.path.line_to(p.x, p.y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let c = (self.place)(x1, y1);
        let p = (self.place)(x, y);
        self.path.quad_to(c.x, c.y, p.x, p.y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let first = (self.place)(x1, y1);
        let second = (self.place)(x2, y2);
        let end = (self.place)(x, y);
        self.path.cubic_to(first, second, end);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

mod subset {
    //! The OFD font subset, made with skera (the fontations port of the `HarfBuzz` subsetter).

    use std::collections::BTreeSet;

    use read_fonts::FontRef;
    use read_fonts::collections::IntSet;
    use read_fonts::types::{GlyphId, NameId, Tag};
    use skera::{Plan, SubsetFlags, subset_font};

    use super::Subset;
    use crate::RenderError;

    /// Tables an OFD reader never uses: it draws glyphs one by one from the `cmap`, with the
    /// positions written in the page, so shaping, kerning and hinting tables are dead weight.
    const DROPPED: [&[u8; 4]; 12] = [
        b"GSUB", b"GPOS", b"GDEF", b"BASE", b"JSTF", b"kern", b"DSIG", b"hdmx", b"LTSH", b"VDMX",
        b"vhea", b"vmtx",
    ];

    pub(super) fn truetype_subset(
        font_bytes: &[u8],
        characters: &BTreeSet<char>,
    ) -> Result<Subset, RenderError> {
        let font = FontRef::new(font_bytes).map_err(|e| RenderError::Font(e.to_string()))?;
        let unicodes: IntSet<u32> = characters.iter().map(|&c| u32::from(c)).collect();
        let drop_tables: IntSet<Tag> = DROPPED.iter().map(|t| Tag::new(t)).collect();
        let mut name_ids = IntSet::<NameId>::empty();
        name_ids.insert_range(NameId::from(0)..=NameId::from(6));
        let mut name_languages = IntSet::<u16>::empty();
        // English (US) and Chinese (PRC) names, so readers can show either.
        name_languages.insert(0x0409);
        name_languages.insert(0x0804);
        let flags =
            SubsetFlags::SUBSET_FLAGS_NO_HINTING | SubsetFlags::SUBSET_FLAGS_NO_LAYOUT_CLOSURE;
        let plan = Plan::new(
            &IntSet::<GlyphId>::empty(),
            &unicodes,
            &font,
            flags,
            &drop_tables,
            &IntSet::empty(),
            &IntSet::empty(),
            &name_ids,
            &name_languages,
        );
        let bytes =
            subset_font(&font, &plan).map_err(|e| RenderError::Font(format!("subset: {e:?}")))?;
        let glyph_map = plan
            .old_to_new_glyph_mapping()
            .filter_map(|(old, new)| {
                Some((
                    u16::try_from(old.to_u32()).ok()?,
                    u16::try_from(new.to_u32()).ok()?,
                ))
            })
            .collect();
        Ok(Subset { bytes, glyph_map })
    }
}
