//! Page geometry shared by both writers: millimetres, origin at the top-left corner, y downwards.

/// Millimetres per PDF point (1/72 inch).
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// A point on the page, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Distance from the left edge.
    pub x: f32,
    /// Distance from the top edge.
    pub y: f32,
}

/// An axis-aligned rectangle in millimetres, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    pub const fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// Right edge.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }

    /// Whether the two rectangles share any area (touching edges do not count).
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// Whether `other` lies wholly inside this rectangle.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// The smallest rectangle covering both.
    #[must_use]
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        let right = self.right().max(other.right());
        let bottom = self.bottom().max(other.bottom());
        Rect::new(x, y, right - x, bottom - y)
    }

    /// The same rectangle in PDF user space: points, origin bottom-left, as `[x0, y0, x1, y1]`.
    ///
    /// A PDF signer needs this form for a signature widget's `/Rect`.
    pub fn to_pdf_points(&self, page_height_mm: f32) -> [f32; 4] {
        [
            self.x / MM_PER_PT,
            (page_height_mm - self.bottom()) / MM_PER_PT,
            self.right() / MM_PER_PT,
            (page_height_mm - self.y) / MM_PER_PT,
        ]
    }
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Color {
    /// A colour from its three components.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }
}

/// One step of an outline. Quadratic curves are raised to cubics when built, because OFD
/// readers agree on `B` (cubic) more than on `Q`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathOp {
    /// Start a new sub-path.
    MoveTo(Point),
    /// Straight line.
    LineTo(Point),
    /// Cubic Bézier curve: two control points, then the end point.
    CubicTo(Point, Point, Point),
    /// Close the current sub-path.
    Close,
}

/// Builds a list of [`PathOp`]s and tracks its bounding box.
#[derive(Debug, Default, Clone)]
pub struct PathBuilder {
    ops: Vec<PathOp>,
    current: Option<Point>,
    start: Option<Point>,
}

impl PathBuilder {
    /// An empty path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start a new sub-path at `(x, y)`.
    pub fn move_to(&mut self, x: f32, y: f32) {
        let p = Point { x, y };
        self.ops.push(PathOp::MoveTo(p));
        self.current = Some(p);
        self.start = Some(p);
    }

    /// Line to `(x, y)`.
    pub fn line_to(&mut self, x: f32, y: f32) {
        let p = Point { x, y };
        self.ops.push(PathOp::LineTo(p));
        self.current = Some(p);
    }

    /// Quadratic curve, stored as the equivalent cubic.
    pub fn quad_to(&mut self, cx: f32, cy: f32, x: f32, y: f32) {
        let from = self.current.unwrap_or(Point { x, y });
        let c1 = Point {
            x: from.x + 2.0 / 3.0 * (cx - from.x),
            y: from.y + 2.0 / 3.0 * (cy - from.y),
        };
        let c2 = Point {
            x: x + 2.0 / 3.0 * (cx - x),
            y: y + 2.0 / 3.0 * (cy - y),
        };
        self.cubic_to(c1, c2, Point { x, y });
    }

    /// Cubic curve.
    pub fn cubic_to(&mut self, c1: Point, c2: Point, to: Point) {
        self.ops.push(PathOp::CubicTo(c1, c2, to));
        self.current = Some(to);
    }

    /// Close the sub-path.
    pub fn close(&mut self) {
        self.ops.push(PathOp::Close);
        self.current = self.start;
    }

    /// Append an axis-aligned rectangle as its own sub-path.
    pub fn rect(&mut self, r: Rect) {
        self.move_to(r.x, r.y);
        self.line_to(r.right(), r.y);
        self.line_to(r.right(), r.bottom());
        self.line_to(r.x, r.bottom());
        self.close();
    }

    /// Append a circle as four cubic arcs.
    pub fn circle(&mut self, cx: f32, cy: f32, r: f32) {
        // The usual constant that makes a cubic follow a quarter circle within 0.03 %.
        let k = 0.552_284_8 * r;
        let p = |x: f32, y: f32| Point { x, y };
        self.move_to(cx + r, cy);
        self.cubic_to(p(cx + r, cy + k), p(cx + k, cy + r), p(cx, cy + r));
        self.cubic_to(p(cx - k, cy + r), p(cx - r, cy + k), p(cx - r, cy));
        self.cubic_to(p(cx - r, cy - k), p(cx - k, cy - r), p(cx, cy - r));
        self.cubic_to(p(cx + k, cy - r), p(cx + r, cy - k), p(cx + r, cy));
        self.close();
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The finished list of operations.
    pub fn finish(self) -> Vec<PathOp> {
        self.ops
    }
}

/// The bounding box of the points of a path (control points included, which over-estimates
/// curves a little: fine for a `Boundary`).
pub fn path_bounds(ops: &[PathOp]) -> Option<Rect> {
    let mut points = ops.iter().flat_map(|op| match *op {
        PathOp::MoveTo(p) | PathOp::LineTo(p) => vec![p],
        PathOp::CubicTo(a, b, c) => vec![a, b, c],
        PathOp::Close => vec![],
    });
    let first = points.next()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
    for p in points {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    Some(Rect::new(x0, y0, x1 - x0, y1 - y0))
}
