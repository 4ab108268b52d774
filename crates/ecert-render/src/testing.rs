//! Sample certificates with made-up values, for tests, benches and demonstrations.

use std::io::Cursor;

use image::{ImageFormat as Encoding, Rgb, RgbImage, Rgba, RgbaImage};
use jiff::civil::date;

use crate::{CertificateSheet, Image};

/// Rare name characters the certificate must print: LXGW `WenKai` has every one.
pub const RARE_NAME: &str = "龑堃喆玥䶮𠇔㛃𬌗";

impl CertificateSheet {
    /// A typical certificate: an ordinary name, a mainland ID number, a short QR URL.
    pub fn sample() -> Self {
        Self {
            name: "王建筑".to_owned(),
            gender: "男".to_owned(),
            birth_date: date(1985, 3, 12),
            id_number: "11010519850312001X".to_owned(),
            registration_number: "11100000000012345".to_owned(),
            seal_number: "110012345".to_owned(),
            employer_name: "北京市建筑设计研究院有限公司".to_owned(),
            valid_from: date(2025, 1, 1),
            valid_until: date(2026, 12, 31),
            issuing_authority: "中华人民共和国住房和城乡建设部".to_owned(),
            issued_on: date(2025, 1, 1),
            usage_from: date(2025, 6, 1),
            usage_until: date(2025, 11, 27),
            licence_id: "1.2.156.3005.2.11100000000013127D.00012345.001.K".to_owned(),
            qr_content: "https://ecert.example.cn/v/00012345".to_owned(),
            photo: sample_photo(),
            signature: sample_signature(),
            version: 1,
        }
    }

    /// Every value at its longest: a 32-character name, a 32-character ID number, a
    /// 64-character employer, a 40-character authority and a long upper-case signed URL.
    pub fn longest() -> Self {
        Self {
            name: "阿依古丽·买买提艾力·喆堃玥龑䶮𠇔㛃𬌗·热合曼·阿卜杜拉·努尔江".to_owned(),
            id_number: "护照E12345678鉴定号码测试用长证件号码ABCDEFGHI".to_owned(),
            registration_number: "A".repeat(32),
            seal_number: "S".repeat(32),
            employer_name:
                "中国建筑科学研究院（北京）国际工程设计咨询与城乡规划建筑设计院有限责任公司\
                            第二十三分院华北区域综合设计事业部建筑设计第一工作室室"
                    .to_owned(),
            issuing_authority:
                "中华人民共和国住房和城乡建设部执业资格注册中心一级注册建筑师管理委员会办公室秘书"
                    .to_owned(),
            licence_id: "1.2.156.3005.2.11100000000013127D.000123456789012345678.999.K".to_owned(),
            qr_content: long_qr_content(900),
            version: 999,
            ..Self::sample()
        }
    }
}

/// A verification URL of `len` characters from the QR alphanumeric set, as a signed, base45
/// payload gives.
pub fn long_qr_content(len: usize) -> String {
    let prefix = "HTTPS://ECERT.EXAMPLE.CN/V/";
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let body = (0..len.saturating_sub(prefix.len()))
        .map(|i| char::from(alphabet[(i * 7 + i / 3) % alphabet.len()]));
    prefix.chars().chain(body).collect()
}

/// A JPEG photo: a plain blue backdrop with a head and shoulders, 413 × 579 pixels
/// (35 × 49 mm at 300 dpi).
pub fn sample_photo() -> Image {
    let (w, h) = (413u32, 579u32);
    let photo = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let head = ((fx - 206.0) / 95.0).powi(2) + ((fy - 230.0) / 120.0).powi(2) <= 1.0;
        let shoulders =
            fy > 380.0 && ((fx - 206.0) / 200.0).powi(2) + ((fy - 600.0) / 220.0).powi(2) <= 1.0;
        if head {
            Rgb([236, 200, 172])
        } else if shoulders {
            Rgb([40, 48, 66])
        } else {
            let shade = u8::try_from(y * 40 / h).unwrap_or(0);
            Rgb([60 + shade, 130 + shade, 200])
        }
    });
    let mut bytes = Cursor::new(Vec::new());
    photo
        .write_to(&mut bytes, Encoding::Jpeg)
        .expect("encoding a fixture photo");
    Image::new("photo", bytes.into_inner()).expect("the fixture photo is a JPEG")
}

/// A PNG signature: a flowing dark-blue stroke on a transparent background.
pub fn sample_signature() -> Image {
    let mut sig = RgbaImage::from_pixel(600, 200, Rgba([0, 0, 0, 0]));
    for step in 0..4000u32 {
        let along = f64::from(step) / 4000.0;
        let wave = 45.0 * (along * 19.0).sin() + 20.0 * (along * 41.0).cos();
        let (cx, cy) = (40.0 + 520.0 * along, 100.0 + wave);
        pen_dot(&mut sig, cx, cy);
    }
    let mut bytes = Cursor::new(Vec::new());
    sig.write_to(&mut bytes, Encoding::Png)
        .expect("encoding a fixture signature");
    Image::new("signature", bytes.into_inner()).expect("the fixture signature is a PNG")
}

/// A round pen tip of radius 3 pixels centred near `(cx, cy)`.
fn pen_dot(sig: &mut RgbaImage, cx: f64, cy: f64) {
    for dy in -3i32..=3 {
        for dx in -3i32..=3 {
            let (px, py) = (cx + f64::from(dx), cy + f64::from(dy));
            let inside = px >= 0.0 && py >= 0.0 && px < 600.0 && py < 200.0;
            if inside && dx * dx + dy * dy <= 9 {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked"
                )]
                sig.put_pixel(px as u32, py as u32, Rgba([20, 30, 90, 255]));
            }
        }
    }
}
