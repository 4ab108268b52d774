//! The decorative border: a heavy outer rule, a fine inner rule, a band of lozenges between
//! them and a fret (回纹) ornament in each corner.

use crate::geom::{Color, PathBuilder, Rect};
use crate::layout::{Item, PAGE_HEIGHT, PAGE_WIDTH, Shape, Stroke};

const BORDER: Color = Color::rgb(150, 38, 30);
const GOLD: Color = Color::rgb(196, 158, 86);
const OUTER: f32 = 8.0;
const INNER: f32 = 12.0;
const LOZENGE_STEP: f32 = 3.2;

/// Pushes the border's shapes onto `items`.
pub(super) fn draw(items: &mut Vec<Item>) {
    let band = f32::midpoint(OUTER, INNER);
    items.push(filled(lozenges(band), GOLD, false));
    items.push(stroked(inset(OUTER), BORDER, 1.3));
    items.push(stroked(inset(INNER), BORDER, 0.35));
    items.push(filled(frets(band), BORDER, true));
}

fn inset(by: f32) -> Rect {
    Rect::new(by, by, PAGE_WIDTH - 2.0 * by, PAGE_HEIGHT - 2.0 * by)
}

fn stroked(rect: Rect, color: Color, width: f32) -> Item {
    let mut path = PathBuilder::new();
    path.rect(rect);
    Item::Shape(Shape {
        ops: path.finish(),
        fill: None,
        stroke: Some(Stroke { color, width }),
        even_odd: false,
        opacity: 1.0,
    })
}

fn filled(path: PathBuilder, color: Color, even_odd: bool) -> Item {
    Item::Shape(Shape {
        ops: path.finish(),
        fill: Some(color),
        stroke: None,
        even_odd,
        opacity: 1.0,
    })
}

/// Small diamonds along the centre line of the band, kept clear of the corner ornaments.
fn lozenges(band: f32) -> PathBuilder {
    let mut path = PathBuilder::new();
    let half = 0.9;
    let clear = band + 6.0;
    let mut diamond = |x: f32, y: f32| {
        path.move_to(x, y - half);
        path.line_to(x + half, y);
        path.line_to(x, y + half);
        path.line_to(x - half, y);
        path.close();
    };
    let mut x = clear;
    while x <= PAGE_WIDTH - clear {
        diamond(x, band);
        diamond(x, PAGE_HEIGHT - band);
        x += LOZENGE_STEP;
    }
    let mut y = clear;
    while y <= PAGE_HEIGHT - clear {
        diamond(band, y);
        diamond(PAGE_WIDTH - band, y);
        y += LOZENGE_STEP;
    }
    path
}

/// Nested squares filled even-odd, which reads as the 回 fret, centred on each corner.
fn frets(band: f32) -> PathBuilder {
    let mut path = PathBuilder::new();
    let corners = [
        (band, band),
        (PAGE_WIDTH - band, band),
        (band, PAGE_HEIGHT - band),
        (PAGE_WIDTH - band, PAGE_HEIGHT - band),
    ];
    for (cx, cy) in corners {
        for half in [5.0, 3.8, 2.6, 1.4] {
            path.rect(Rect::new(cx - half, cy - half, 2.0 * half, 2.0 * half));
        }
    }
    path
}
