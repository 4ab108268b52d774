//! The visible seal stamp: a red ring with the key id inside, drawn as seven-segment digits
//! so the appearance needs no font (an unembedded font would break PDF/A).

use std::fmt::Write as _;

/// Segments a–g of each hex digit, as bits 0–6 (a top, b top right, c bottom right, d bottom,
/// e bottom left, f top left, g middle).
const DIGITS: [u8; 16] = [
    0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f, 0x77, 0x7c, 0x39, 0x5e, 0x79, 0x71,
];

/// Segment ends in a unit digit cell (x, y from the bottom left; width 1, height 2).
const SEGMENTS: [[f32; 4]; 7] = [
    [0.0, 2.0, 1.0, 2.0],
    [1.0, 2.0, 1.0, 1.0],
    [1.0, 1.0, 1.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
    [0.0, 1.0, 0.0, 2.0],
    [0.0, 1.0, 1.0, 1.0],
];

/// Bézier control distance for a quarter circle of radius 1.
const KAPPA: f32 = 0.552_284_8;

/// The content stream of a stamp `width` × `height` points showing `key_id`.
pub(crate) fn appearance(width: f32, height: f32, key_id: &str) -> String {
    let (cx, cy) = (width / 2.0, height / 2.0);
    let r = (width.min(height) / 2.0 - 2.0).max(1.0);
    let mut out = format!("q 0.8 0 0 RG {:.2} w\n", (r / 20.0).max(0.5));
    ring(&mut out, cx, cy, r);
    ring(&mut out, cx, cy, r * 0.86);
    let _ = writeln!(out, "{:.2} w 1 J", (r / 40.0).max(0.3));
    // Two rows of six digits in the lower part of the inner ring, clear of the star and the
    // arc of text of the seal the renderer draws at the same place.
    let cell = r * 0.8 / 6.0;
    let digit = cell * 0.65;
    let digits: Vec<u8> = key_id.bytes().filter_map(hex_value).collect();
    for (row, chunk) in digits.chunks(6).enumerate().take(2) {
        let y = cy - r * 0.42 - f32::from(u8::try_from(row).unwrap_or(0)) * digit * 2.7;
        let x0 = cx - cell * 3.0 + (cell - digit) / 2.0;
        for (i, &d) in chunk.iter().enumerate() {
            let x = x0 + cell * f32::from(u8::try_from(i).unwrap_or(0));
            seven_segment(&mut out, x, y, digit, d);
        }
    }
    out.push_str("Q\n");
    out
}

fn hex_value(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn ring(out: &mut String, cx: f32, cy: f32, r: f32) {
    let k = r * KAPPA;
    let _ = writeln!(
        out,
        "{:.2} {cy:.2} m {:.2} {:.2} {:.2} {:.2} {cx:.2} {:.2} c \
         {:.2} {:.2} {:.2} {:.2} {:.2} {cy:.2} c \
         {:.2} {:.2} {:.2} {:.2} {cx:.2} {:.2} c \
         {:.2} {:.2} {:.2} {:.2} {:.2} {cy:.2} c S",
        cx + r,
        cx + r,
        cy + k,
        cx + k,
        cy + r,
        cy + r,
        cx - k,
        cy + r,
        cx - r,
        cy + k,
        cx - r,
        cx - r,
        cy - k,
        cx - k,
        cy - r,
        cy - r,
        cx + k,
        cy - r,
        cx + r,
        cy - k,
        cx + r,
    );
}

fn seven_segment(out: &mut String, x: f32, y: f32, size: f32, digit: u8) {
    let bits = DIGITS[usize::from(digit & 0x0f)];
    for (i, [x0, y0, x1, y1]) in SEGMENTS.iter().enumerate() {
        if bits & (1 << i) != 0 {
            let _ = writeln!(
                out,
                "{:.2} {:.2} m {:.2} {:.2} l S",
                x + x0 * size,
                y + y0 * size,
                x + x1 * size,
                y + y1 * size
            );
        }
    }
}
