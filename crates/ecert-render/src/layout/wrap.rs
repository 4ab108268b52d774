//! Line breaking for field values: between any two CJK characters, at spaces between Latin
//! words, never before closing punctuation or after opening punctuation.

use std::ops::Range;

use crate::font::ShapedGlyph;

/// Splits `glyphs` into lines no wider than `width` (in ems). Spaces at the ends of lines
/// are left out of the ranges. A word longer than a line is cut where it must.
pub(super) fn break_lines(glyphs: &[ShapedGlyph], width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = skip_spaces(glyphs, 0);
    while start < glyphs.len() {
        let fit = fitting_end(glyphs, start, width);
        let end = if fit == glyphs.len() {
            fit
        } else {
            last_break(glyphs, start, fit).unwrap_or(fit)
        };
        lines.push(start..trim_end(glyphs, start, end));
        start = skip_spaces(glyphs, end);
    }
    lines
}

/// One past the last glyph from `start` that fits `width`; at least one glyph, so a
/// single glyph wider than the line still makes progress.
fn fitting_end(glyphs: &[ShapedGlyph], start: usize, width: f32) -> usize {
    let mut used = 0.0;
    for (i, glyph) in glyphs.iter().enumerate().skip(start) {
        used += glyph.advance;
        if used > width + 1e-4 {
            return i.max(start + 1);
        }
    }
    glyphs.len()
}

/// The last index in `(start, fit]` before which a line may break.
fn last_break(glyphs: &[ShapedGlyph], start: usize, fit: usize) -> Option<usize> {
    (start + 1..=fit)
        .rev()
        .find(|&i| may_break_before(glyphs[i - 1].character, glyphs[i].character))
}

fn may_break_before(previous: char, next: char) -> bool {
    if is_closing(next) || is_opening(previous) {
        return false;
    }
    if previous.is_whitespace() || next.is_whitespace() {
        return true;
    }
    is_wide(previous) || is_wide(next)
}

/// Characters that break like ideographs: anything outside Latin, Greek and Cyrillic.
fn is_wide(c: char) -> bool {
    u32::from(c) >= 0x2E80
}

fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’,.;:?!)]}%·".contains(c)
}

fn is_opening(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

fn skip_spaces(glyphs: &[ShapedGlyph], mut i: usize) -> usize {
    while glyphs.get(i).is_some_and(|g| g.character.is_whitespace()) {
        i += 1;
    }
    i
}

fn trim_end(glyphs: &[ShapedGlyph], start: usize, mut end: usize) -> usize {
    while end > start && glyphs[end - 1].character.is_whitespace() {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str) -> Vec<ShapedGlyph> {
        text.char_indices()
            .map(|(at, character)| ShapedGlyph {
                glyph_id: 1,
                character,
                text_range: at..at + character.len_utf8(),
                advance: if character.is_ascii() { 0.5 } else { 1.0 },
            })
            .collect()
    }

    fn lines(text: &str, width: f32) -> Vec<String> {
        let g = glyphs(text);
        break_lines(&g, width)
            .into_iter()
            .map(|r| g[r].iter().map(|g| g.character).collect())
            .collect()
    }

    #[test]
    fn chinese_text_breaks_between_any_two_characters() {
        assert_eq!(
            lines("北京市建筑设计研究院", 4.0),
            ["北京市建", "筑设计研", "究院"]
        );
    }

    #[test]
    fn a_closing_bracket_never_starts_a_line() {
        assert_eq!(
            lines("中国（北京）有限公司", 5.0),
            ["中国（北", "京）有限公", "司"]
        );
    }

    #[test]
    fn latin_words_break_at_spaces_and_lose_them() {
        assert_eq!(lines("Alpha Beta Gamma", 5.5), ["Alpha Beta", "Gamma"]);
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut() {
        assert_eq!(lines("ABCDEFGHIJ", 2.0), ["ABCD", "EFGH", "IJ"]);
    }

    #[test]
    fn empty_text_has_no_lines() {
        assert!(lines("   ", 3.0).is_empty());
    }
}
