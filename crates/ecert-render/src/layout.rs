//! Where everything goes on the page: one layout, computed once, drawn by both writers.
//!
//! Coordinates are millimetres on an A4 landscape page, origin at the top-left corner, y
//! downwards (OFD's own convention; the PDF writer scales and keeps krilla's top-left origin).

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::assets::SealArt;
use crate::font::{CertFont, ShapedGlyph};
use crate::geom::{Color, PathBuilder, PathOp, Point, Rect};
use crate::{CertificateSheet, Image, RenderAssets, RenderError, qr, seal};

mod frame;
mod wrap;

/// Page width: A4 landscape.
pub const PAGE_WIDTH: f32 = 297.0;
/// Page height: A4 landscape.
pub const PAGE_HEIGHT: f32 = 210.0;

/// The seal-stamp rectangle, in page millimetres (origin top-left, y down).
///
/// The printed issuing seal fills it, overlapping the issuing authority and date as a stamp on
/// paper does. A signer places the electronic seal's stamp annotation here: in OFD as the
/// `Boundary` of a `StampAnnot` on page [`crate::ofd::PAGE_ID`]; in PDF as the signature
/// widget's `/Rect`, from [`Rect::to_pdf_points`] with [`PAGE_HEIGHT`].
pub const SEAL_STAMP: Rect = Rect::new(226.0, 148.0, 42.0, 42.0);

/// The inner edge of the decorative border: everything printed stays inside it.
pub const PRINTABLE: Rect = Rect::new(12.5, 12.5, PAGE_WIDTH - 25.0, PAGE_HEIGHT - 25.0);

const INK: Color = Color::rgb(25, 25, 25);
const RED: Color = Color::rgb(170, 30, 30);
const GREY: Color = Color::rgb(95, 95, 95);
const SEAL_RED: Color = Color::rgb(214, 24, 32);
/// How much of the text beneath shows through the seal, as stamp ink lets it.
const SEAL_OPACITY: f32 = 0.85;

const TITLE: &str = "中华人民共和国一级注册建筑师注册证书";
const SUBTITLE: &str =
    "Registration Certificate of Class 1 Registered Architect, People's Republic of China";

const LABEL_SIZE: f32 = 4.2;
const NAME_SIZE: f32 = 4.6;
const LINE_GAP: f32 = 1.7;
const FIELD_GAP: f32 = 2.4;
const LABEL_RIGHT: f32 = 104.0;
const VALUE_RIGHT: f32 = 201.0;
const FIELDS_TOP: f32 = 53.0;
const FIELDS_BOTTOM: f32 = 145.0;

const PHOTO: Rect = Rect::new(24.0, 50.0, 35.0, 49.0);
const SIGNATURE: Rect = Rect::new(24.0, 104.0, 35.0, 14.0);
const QR_AREA: Rect = Rect::new(214.0, 47.0, 46.0, 46.0);
const FOOT_LEFT: f32 = 24.0;
const LICENCE_RIGHT: f32 = 175.0;
const AUTHORITY_LEFT: f32 = 150.0;
const AUTHORITY_RIGHT: f32 = 248.0;

/// A printed field of the certificate, by its Chinese label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 姓名
    Name,
    /// 性别
    Gender,
    /// 出生日期
    BirthDate,
    /// 身份证件号码
    IdNumber,
    /// 注册号
    RegistrationNumber,
    /// 执业印章号
    SealNumber,
    /// 聘用单位
    Employer,
    /// 注册有效期
    Validity,
    /// 发证机关
    IssuingAuthority,
    /// 发证日期
    IssuedOn,
}

impl Field {
    /// The printed label, without its colon.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "姓名",
            Field::Gender => "性别",
            Field::BirthDate => "出生日期",
            Field::IdNumber => "身份证件号码",
            Field::RegistrationNumber => "注册号",
            Field::SealNumber => "执业印章号",
            Field::Employer => "聘用单位",
            Field::Validity => "注册有效期",
            Field::IssuingAuthority => "发证机关",
            Field::IssuedOn => "发证日期",
        }
    }

    /// The name of the [`CertificateSheet`] member it prints, as errors report it.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Gender => "gender",
            Field::BirthDate => "birth_date",
            Field::IdNumber => "id_number",
            Field::RegistrationNumber => "registration_number",
            Field::SealNumber => "seal_number",
            Field::Employer => "employer_name",
            Field::Validity => "valid_from",
            Field::IssuingAuthority => "issuing_authority",
            Field::IssuedOn => "issued_on",
        }
    }
}

/// What a laid-out box holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The national-style title.
    Title,
    /// The English subtitle.
    Subtitle,
    /// A field's label.
    Label(Field),
    /// One line of a field's value.
    Value(Field),
    /// The photo frame.
    Photo,
    /// The collected signature image.
    Signature,
    /// The caption under the signature image.
    SignatureCaption,
    /// The QR code with its quiet zone.
    Qr,
    /// The caption under the QR code.
    QrCaption,
    /// "第N版".
    Version,
    /// "使用有效期：…".
    UsagePeriod,
    /// "电子证照标识：…".
    LicenceId,
    /// "个人签名：" and the blank line after it.
    HandSignature,
    /// The issuing seal; it overlaps the issuing authority and date on purpose.
    Seal,
}

/// A box on the page and what it holds; the layout tests check that no two overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaidBox {
    /// What the box holds.
    pub role: Role,
    /// Where it is.
    pub rect: Rect,
}

/// One line of text with its glyphs.
#[derive(Debug, Clone)]
pub struct TextRun {
    /// Start of the baseline.
    pub origin: Point,
    /// Font size in millimetres (the em square's height).
    pub size: f32,
    /// Fill colour.
    pub color: Color,
    /// The text the glyphs stand for.
    pub text: String,
    /// The glyphs; their `text_range`s index `text`.
    pub glyphs: Vec<ShapedGlyph>,
}

impl TextRun {
    /// Width of the line, in millimetres.
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum::<f32>() * self.size
    }

    /// Each glyph with its x offset from the origin, in millimetres.
    pub fn positioned(&self) -> impl Iterator<Item = (f32, &ShapedGlyph)> {
        self.glyphs.iter().scan(0.0, move |x, g| {
            let at = *x;
            *x += g.advance * self.size;
            Some((at, g))
        })
    }
}

/// A stroke: colour and width in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Color,
    /// Line width.
    pub width: f32,
}

/// A vector shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Outline, in page millimetres.
    pub ops: Vec<PathOp>,
    /// Fill colour, if filled.
    pub fill: Option<Color>,
    /// Stroke, if stroked.
    pub stroke: Option<Stroke>,
    /// Fill with the even-odd rule (holes) instead of non-zero winding.
    pub even_odd: bool,
    /// Opacity, 0 to 1.
    pub opacity: f32,
}

/// An image placed in a rectangle (already fitted to keep its aspect ratio).
#[derive(Debug, Clone)]
pub struct Placed {
    /// Where the image goes.
    pub rect: Rect,
    /// The image.
    pub image: Image,
}

/// One thing to draw, in painting order.
#[derive(Debug, Clone)]
pub enum Item {
    /// A line of text.
    Text(TextRun),
    /// A vector shape.
    Shape(Shape),
    /// An image.
    Image(Placed),
}

/// The laid-out page: what to draw, where each part is, and where a stamp may go.
#[derive(Debug, Clone)]
pub struct Layout {
    /// What to draw, in painting order.
    pub items: Vec<Item>,
    /// The boxes of the printed parts, for overlap checks.
    pub boxes: Vec<LaidBox>,
    /// Where an electronic seal's stamp annotation goes: [`SEAL_STAMP`].
    pub seal_stamp: Rect,
    /// The QR code's area as a link to the verification page, when the QR code holds a web
    /// address: a reader on screen opens it with a click, and a verifier of the signed file
    /// finds the signed payload there without decoding the picture.
    pub verification_link: Option<Link>,
}

/// A clickable area of the page that opens a web address.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The clickable area, in page millimetres.
    pub area: Rect,
    /// The address opened.
    pub url: String,
}

impl Layout {
    /// Every character drawn as text: the OFD font subset holds exactly these.
    pub fn characters(&self) -> BTreeSet<char> {
        self.texts()
            .flat_map(|run| run.glyphs.iter().map(|g| g.character))
            .collect()
    }

    /// The text runs, in painting order.
    pub fn texts(&self) -> impl Iterator<Item = &TextRun> {
        self.items.iter().filter_map(|item| match item {
            Item::Text(run) => Some(run),
            _ => None,
        })
    }
}

/// Lays out `sheet`. Every character is checked against the font and every value against its
/// room here, so an error comes before any file is made.
pub fn lay_out(sheet: &CertificateSheet, assets: &RenderAssets) -> Result<Layout, RenderError> {
    let mut page = Composer::new(&assets.font);
    frame::draw(&mut page.items);
    page.heading()?;
    page.fields(sheet)?;
    page.pictures(sheet);
    page.qr(sheet)?;
    page.footer(sheet)?;
    page.authority(sheet)?;
    page.seal(sheet, assets)?;
    Ok(Layout {
        items: page.items,
        boxes: page.boxes,
        seal_stamp: SEAL_STAMP,
        verification_link: verification_link(&sheet.qr_content),
    })
}

fn verification_link(qr_content: &str) -> Option<Link> {
    let is_web_address = qr_content.starts_with("https://") || qr_content.starts_with("http://");
    is_web_address.then(|| Link {
        area: QR_AREA,
        url: qr_content.to_owned(),
    })
}

/// "YYYY年MM月DD日", the date form printed everywhere on the certificate.
pub fn chinese_date(date: Date) -> String {
    format!(
        "{:04}年{:02}月{:02}日",
        date.year(),
        date.month(),
        date.day()
    )
}

/// "使用有效期：YYYY年MM月DD日至YYYY年MM月DD日".
pub fn usage_period_line(from: Date, until: Date) -> String {
    format!(
        "使用有效期：{}至{}",
        chinese_date(from),
        chinese_date(until)
    )
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

struct Composer<'a> {
    font: &'a CertFont,
    items: Vec<Item>,
    boxes: Vec<LaidBox>,
}

impl<'a> Composer<'a> {
    fn new(font: &'a CertFont) -> Self {
        Self {
            font,
            items: Vec::with_capacity(64),
            boxes: Vec::with_capacity(48),
        }
    }

    fn heading(&mut self) -> Result<(), RenderError> {
        let center = PAGE_WIDTH / 2.0;
        let title = self.line("title", TITLE, 8.4, RED)?;
        self.place(Role::Title, title, center, 31.0, Align::Center);
        let subtitle = self.line("title", SUBTITLE, 3.0, GREY)?;
        self.place(Role::Subtitle, subtitle, center, 38.0, Align::Center);
        Ok(())
    }

    fn fields(&mut self, sheet: &CertificateSheet) -> Result<(), RenderError> {
        let validity = format!(
            "{}至{}",
            chinese_date(sheet.valid_from),
            chinese_date(sheet.valid_until)
        );
        let rows = [
            (Field::Name, sheet.name.as_str(), NAME_SIZE),
            (Field::Gender, sheet.gender.as_str(), LABEL_SIZE),
            (
                Field::BirthDate,
                &chinese_date(sheet.birth_date),
                LABEL_SIZE,
            ),
            (Field::IdNumber, sheet.id_number.as_str(), LABEL_SIZE),
            (
                Field::RegistrationNumber,
                sheet.registration_number.as_str(),
                LABEL_SIZE,
            ),
            (Field::SealNumber, sheet.seal_number.as_str(), LABEL_SIZE),
            (Field::Employer, sheet.employer_name.as_str(), LABEL_SIZE),
            (Field::Validity, validity.as_str(), LABEL_SIZE),
        ];
        let mut top = FIELDS_TOP;
        for (field, value, size) in rows {
            let bottom = self.field(field, value, size, top, LABEL_RIGHT, VALUE_RIGHT)?;
            if bottom > FIELDS_BOTTOM {
                return Err(too_long(
                    field,
                    "the fields run past the bottom of their area",
                ));
            }
            top = bottom + FIELD_GAP;
        }
        Ok(())
    }

    /// A label right-aligned at `label_right` with its value wrapped from there to
    /// `value_right`, top edge at `top`. Returns the bottom edge.
    fn field(
        &mut self,
        field: Field,
        value: &str,
        size: f32,
        top: f32,
        label_right: f32,
        value_right: f32,
    ) -> Result<f32, RenderError> {
        let baseline = top + self.font.ascent() * size;
        let label = self.line("label", &format!("{}：", field.label()), LABEL_SIZE, INK)?;
        self.place(
            Role::Label(field),
            label,
            label_right,
            baseline,
            Align::Right,
        );
        let glyphs = self.font.shape(field.key(), value)?;
        let width = value_right - label_right;
        let lines = wrap::break_lines(&glyphs, width / size);
        if lines.is_empty() {
            return Ok(baseline + self.font.descent() * size);
        }
        let line_height = size * (self.font.ascent() + self.font.descent()) + LINE_GAP;
        let mut y = baseline;
        for range in &lines {
            let run = slice_run(value, &glyphs[range.clone()], size, INK);
            self.place(Role::Value(field), run, label_right, y, Align::Left);
            y += line_height;
        }
        Ok(y - line_height + self.font.descent() * size)
    }

    fn pictures(&mut self, sheet: &CertificateSheet) {
        self.boxes.push(LaidBox {
            role: Role::Photo,
            rect: PHOTO,
        });
        self.frame_rect(PHOTO);
        self.image(PHOTO, &sheet.photo);
        self.boxes.push(LaidBox {
            role: Role::Signature,
            rect: SIGNATURE,
        });
        self.image(SIGNATURE, &sheet.signature);
    }

    fn frame_rect(&mut self, rect: Rect) {
        let mut path = PathBuilder::new();
        path.rect(rect);
        self.items.push(Item::Shape(Shape {
            ops: path.finish(),
            fill: None,
            stroke: Some(Stroke {
                color: Color::rgb(150, 150, 150),
                width: 0.2,
            }),
            even_odd: false,
            opacity: 1.0,
        }));
    }

    fn image(&mut self, area: Rect, image: &Image) {
        self.items.push(Item::Image(Placed {
            rect: fit(area, image.pixel_size()),
            image: image.clone(),
        }));
    }

    fn qr(&mut self, sheet: &CertificateSheet) -> Result<(), RenderError> {
        let ops = qr::qr_path(&sheet.qr_content, QR_AREA)?;
        self.items.push(Item::Shape(Shape {
            ops,
            fill: Some(Color::rgb(0, 0, 0)),
            stroke: None,
            even_odd: false,
            opacity: 1.0,
        }));
        self.boxes.push(LaidBox {
            role: Role::Qr,
            rect: QR_AREA,
        });
        let center = QR_AREA.x + QR_AREA.width / 2.0;
        let caption = self.line("caption", "扫码核验真伪及状态", 3.0, GREY)?;
        self.place(
            Role::QrCaption,
            caption,
            center,
            QR_AREA.bottom() + 3.5,
            Align::Center,
        );
        let version = self.line("version", &format!("第{}版", sheet.version), 3.0, GREY)?;
        self.place(
            Role::Version,
            version,
            center,
            QR_AREA.bottom() + 9.0,
            Align::Center,
        );
        Ok(())
    }

    fn footer(&mut self, sheet: &CertificateSheet) -> Result<(), RenderError> {
        let caption = self.line("caption", "持证人签名样式", 2.8, GREY)?;
        let center = SIGNATURE.x + SIGNATURE.width / 2.0;
        self.place(
            Role::SignatureCaption,
            caption,
            center,
            SIGNATURE.bottom() + 3.6,
            Align::Center,
        );

        let usage = usage_period_line(sheet.usage_from, sheet.usage_until);
        let usage = self.line("usage_from", &usage, 4.6, RED)?;
        self.place(Role::UsagePeriod, usage, FOOT_LEFT, 153.0, Align::Left);

        let licence = format!("电子证照标识：{}", sheet.licence_id);
        let licence = self.fitted_line("licence_id", &licence, 3.3, LICENCE_RIGHT - FOOT_LEFT)?;
        self.place(Role::LicenceId, licence, FOOT_LEFT, 160.5, Align::Left);

        let hand = self.line("label", "个人签名：", LABEL_SIZE, INK)?;
        let end = self.place(Role::HandSignature, hand, FOOT_LEFT, 183.0, Align::Left);
        self.blank_line(end, 120.0);
        Ok(())
    }

    /// The blank line to sign on, extending the "个人签名：" box to its end.
    fn blank_line(&mut self, label: Rect, right: f32) {
        let y = label.bottom() - 0.2;
        let mut path = PathBuilder::new();
        path.move_to(label.right() + 0.5, y);
        path.line_to(right, y);
        self.items.push(Item::Shape(Shape {
            ops: path.finish(),
            fill: None,
            stroke: Some(Stroke {
                color: INK,
                width: 0.3,
            }),
            even_odd: false,
            opacity: 1.0,
        }));
        if let Some(last) = self.boxes.last_mut() {
            last.rect.width = right - last.rect.x;
        }
    }

    fn authority(&mut self, sheet: &CertificateSheet) -> Result<(), RenderError> {
        let label_width = self.line("label", "发证机关：", LABEL_SIZE, INK)?.width();
        let label_right = AUTHORITY_LEFT + label_width;
        let top = 163.5;
        let bottom = self.field(
            Field::IssuingAuthority,
            &sheet.issuing_authority,
            LABEL_SIZE,
            top,
            label_right,
            AUTHORITY_RIGHT,
        )?;
        let date = chinese_date(sheet.issued_on);
        let end = self.field(
            Field::IssuedOn,
            &date,
            LABEL_SIZE,
            bottom + FIELD_GAP,
            label_right,
            AUTHORITY_RIGHT,
        )?;
        if end > PRINTABLE.bottom() - 2.0 {
            return Err(too_long(
                Field::IssuingAuthority,
                "it wraps past the bottom border",
            ));
        }
        Ok(())
    }

    fn seal(&mut self, sheet: &CertificateSheet, assets: &RenderAssets) -> Result<(), RenderError> {
        match &assets.seal {
            SealArt::Omitted => return Ok(()),
            SealArt::Picture(image) => self.image(SEAL_STAMP, image),
            SealArt::Generated => self.generated_seal(&sheet.issuing_authority)?,
        }
        self.boxes.push(LaidBox {
            role: Role::Seal,
            rect: SEAL_STAMP,
        });
        Ok(())
    }

    fn generated_seal(&mut self, authority: &str) -> Result<(), RenderError> {
        let r = SEAL_STAMP.width / 2.0;
        let center = Point {
            x: SEAL_STAMP.x + r,
            y: SEAL_STAMP.y + r,
        };
        let paths = seal::generated_seal(self.font, authority, center, r)?;
        self.items.push(Item::Shape(Shape {
            ops: paths.ring,
            fill: None,
            stroke: Some(Stroke {
                color: SEAL_RED,
                width: paths.ring_width,
            }),
            even_odd: false,
            opacity: SEAL_OPACITY,
        }));
        self.items.push(Item::Shape(Shape {
            ops: paths.marks,
            fill: Some(SEAL_RED),
            stroke: None,
            even_odd: false,
            opacity: SEAL_OPACITY,
        }));
        Ok(())
    }

    /// Shapes one line of fixed or single-line text.
    fn line(
        &self,
        field: &'static str,
        text: &str,
        size: f32,
        color: Color,
    ) -> Result<TextRun, RenderError> {
        let glyphs = self.font.shape(field, text)?;
        Ok(TextRun {
            origin: Point { x: 0.0, y: 0.0 },
            size,
            color,
            text: text.to_owned(),
            glyphs,
        })
    }

    /// A single line shrunk (down to 80 %) until it fits `width`.
    fn fitted_line(
        &self,
        field: &'static str,
        text: &str,
        size: f32,
        width: f32,
    ) -> Result<TextRun, RenderError> {
        let mut run = self.line(field, text, size, INK)?;
        let natural = run.width();
        if natural > width {
            run.size = size * width / natural;
        }
        if run.size < size * 0.8 {
            return Err(RenderError::TooLong {
                field,
                detail: format!("{} characters do not fit on one line", text.chars().count()),
            });
        }
        Ok(run)
    }

    /// Puts a run on the page with its baseline at `y`, aligned on `x`; records its box.
    fn place(&mut self, role: Role, mut run: TextRun, x: f32, y: f32, align: Align) -> Rect {
        let width = run.width();
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        run.origin = Point { x: left, y };
        let top = y - self.font.ascent() * run.size;
        let height = (self.font.ascent() + self.font.descent()) * run.size;
        let rect = Rect::new(left, top, width, height);
        self.boxes.push(LaidBox { role, rect });
        self.items.push(Item::Text(run));
        rect
    }
}

/// A run for a slice of shaped glyphs, its text cut from `source` and re-indexed.
fn slice_run(source: &str, glyphs: &[ShapedGlyph], size: f32, color: Color) -> TextRun {
    let start = glyphs.first().map_or(0, |g| g.text_range.start);
    let end = glyphs.last().map_or(0, |g| g.text_range.end);
    let glyphs = glyphs
        .iter()
        .map(|g| ShapedGlyph {
            text_range: g.text_range.start - start..g.text_range.end - start,
            ..g.clone()
        })
        .collect();
    TextRun {
        origin: Point { x: 0.0, y: 0.0 },
        size,
        color,
        text: source[start..end].to_owned(),
        glyphs,
    }
}

/// The largest rectangle of the image's aspect ratio centred in `area`.
fn fit(area: Rect, (width, height): (u32, u32)) -> Rect {
    let aspect = pixels(width) / pixels(height);
    let (w, h) = if area.width / area.height > aspect {
        (area.height * aspect, area.height)
    } else {
        (area.width, area.width / aspect)
    };
    Rect::new(
        area.x + (area.width - w) / 2.0,
        area.y + (area.height - h) / 2.0,
        w,
        h,
    )
}

#[expect(clippy::cast_precision_loss, reason = "only the ratio matters")]
fn pixels(n: u32) -> f32 {
    n as f32
}

fn too_long(field: Field, detail: &str) -> RenderError {
    RenderError::TooLong {
        field: field.key(),
        detail: detail.to_owned(),
    }
}
