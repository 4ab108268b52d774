//! Synthetic but valid registrations: for the demo, the benchmarks and the tests.
//!
//! Every value is made up and checks out (ID check digits, credit code check characters,
//! birth dates that match the ID number), so imports accept them as real data.

mod holders;

pub use holders::{DemoHolder, PASSWORD, seed_holders};

use ecert_domain::{
    CreditCode, Gender, IdDocument, IdNumber, IdType, PersonName, Registration, RegistrationNumber,
    RegistrationRecord, RegistrationStatus, SealNumber, calendar,
};
use std::path::Path;

use ecert_store::Store;
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::import::{self, ImportError};
use crate::registry::{self, ReportError};
use crate::{IssuerSettings, NoProgress};

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马",
];
const GIVEN: [&str; 12] = [
    "建国", "玥", "堃", "喆", "龑", "思远", "晓雯", "志强", "䶮", "慧敏", "嘉怡", "子涵",
];
const REGIONS: [&str; 6] = ["110105", "310104", "440106", "510107", "330102", "420106"];
const EMPLOYERS: [&str; 5] = [
    "北京市建筑设计研究院有限公司",
    "华东建筑设计研究院有限公司",
    "中国建筑西南设计研究院有限公司",
    "广州市城市规划勘测设计研究院有限公司",
    "中南建筑设计院股份有限公司",
];

/// The `index`th synthetic registration, valid from `valid_from` for two years.
pub fn registration(index: u32, valid_from: Date) -> Registration {
    let region = REGIONS[index as usize % REGIONS.len()];
    let birth = calendar::add_days(date(1960, 1, 1), i32::try_from(index % 12_000).unwrap_or(0));
    let sequence = index % 1000;
    let id = IdNumber::complete(&format!(
        "{region}{}{sequence:03}",
        birth.strftime("%Y%m%d")
    ))
    .expect("synthetic ID numbers are well-formed");
    let gender = if id.is_odd_sequence() {
        Gender::Male
    } else {
        Gender::Female
    };
    let name = format!(
        "{}{}",
        SURNAMES[index as usize % SURNAMES.len()],
        GIVEN[(index as usize / SURNAMES.len()) % GIVEN.len()]
    );
    let employer = index as usize % EMPLOYERS.len();
    let credit = CreditCode::complete(&format!(
        "91{}MA00{:05}",
        REGIONS[employer],
        employer * 7919 % 100_000
    ))
    .expect("synthetic credit codes are well-formed");
    Registration {
        number: RegistrationNumber::parse(&format!("A{:04}{index:07}", valid_from.year()))
            .expect("synthetic registration numbers are well-formed"),
        name: PersonName::parse(&name).expect("synthetic names are well-formed"),
        gender,
        birth_date: birth,
        id: IdDocument::parse(IdType::resident_card(), id.as_str()).expect("checked above"),
        employer_name: EMPLOYERS[employer].to_owned(),
        employer_credit_code: credit,
        seal_number: SealNumber::parse(&format!("JZ{index:07}"))
            .expect("synthetic seal numbers are well-formed"),
        valid_from,
        valid_until: calendar::add_days(valid_from, 729),
        issued_on: valid_from,
        status: RegistrationStatus::Valid,
    }
}

/// `count` synthetic registrations as CSV text with the import header.
pub fn csv(count: u32, valid_from: Date) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = import::COLUMNS;
    writer.write_record(header).expect("writing to memory");
    for index in 0..count {
        writer
            .write_record(row(&RegistrationRecord::of(&registration(
                index, valid_from,
            ))))
            .expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

/// A record's fields in the order of the import header.
pub fn row(record: &RegistrationRecord) -> [String; 13] {
    [
        record.registration_number.clone(),
        record.name.clone(),
        record.gender.clone(),
        record.birth_date.clone(),
        record.id_type.clone().unwrap_or_default(),
        record.id_number.clone(),
        record.employer_name.clone(),
        record.employer_credit_code.clone(),
        record.seal_number.clone(),
        record.valid_from.clone(),
        record.valid_until.clone(),
        record.issued_on.clone(),
        record.status.clone().unwrap_or_default(),
    ]
}

/// A synthetic ID photo: a grey head and shoulders on the customary blue background.
pub fn photo_png(index: u32) -> Vec<u8> {
    let (width, height) = (330u32, 440u32);
    let shade = u8::try_from(90 + index % 60).unwrap_or(120);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let head = ((x - 165.0) / 80.0).powi(2) + ((y - 170.0) / 100.0).powi(2) <= 1.0;
        let shoulders =
            y > 300.0 && ((x - 165.0) / 160.0).powi(2) + ((y - 470.0) / 170.0).powi(2) <= 1.0;
        if head || shoulders {
            image::Rgb([shade, shade, shade])
        } else {
            image::Rgb([67, 142, 219])
        }
    });
    png(&image::DynamicImage::ImageRgb8(image))
}

/// A synthetic handwritten-looking signature: a dark flourish on a transparent background.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the curve stays inside the image; out-of-range points are skipped"
)]
pub fn signature_png(index: u32) -> Vec<u8> {
    let (width, height) = (400u32, 120u32);
    let phase = f64::from(index % 7);
    let mut image = image::RgbaImage::new(width, height);
    for step in 0..4000 {
        let t = f64::from(step) / 4000.0;
        let x = 20.0 + t * 360.0;
        let y = 60.0 + 30.0 * (t * 18.0 + phase).sin() * (1.0 - t * 0.6);
        for (dx, dy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
            let (px, py) = ((x + dx) as u32, (y + dy) as u32);
            if px < width && py < height {
                image.put_pixel(px, py, image::Rgba([20, 20, 40, 255]));
            }
        }
    }
    png(&image::DynamicImage::ImageRgba8(image))
}

fn png(image: &image::DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encoding to memory");
    bytes
}

/// What [`seed`] put in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    /// Registrations in the demo set.
    pub registrations: usize,
    /// The first valid day of every demo registration.
    pub valid_from: Date,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The example files could not be written.
    #[error("cannot write the demo files: {0}")]
    Files(#[from] std::io::Error),
    /// Importing them failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Reporting them failed.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A demo account could not be made.
    #[error("cannot make a demo account: {0}")]
    Accounts(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ecert_store::StoreError),
}

/// Seeds a store with `count` demo registrations, their photos and signatures, all reported,
/// so that every certificate can be endorsed. The files are kept in `folder` as examples of
/// the import formats. Running it again changes nothing.
pub async fn seed(
    store: &Store,
    settings: &IssuerSettings,
    folder: &Path,
    count: u32,
    now: Timestamp,
) -> Result<Seeded, SeedError> {
    let materials = folder.join("materials");
    std::fs::create_dir_all(&materials)?;
    let valid_from = calendar::add_days(calendar::day_of(now), -30);
    let file = folder.join("registrations.csv");
    std::fs::write(&file, csv(count, valid_from))?;
    import::import_registrations(store, &file, settings, now, &NoProgress).await?;
    let mut numbers = Vec::new();
    for index in 0..count {
        let number = registration(index, valid_from).number;
        std::fs::write(
            materials.join(format!("{number}.photo.png")),
            photo_png(index),
        )?;
        std::fs::write(
            materials.join(format!("{number}.signature.png")),
            signature_png(index),
        )?;
        numbers.push(number);
    }
    import::import_materials(store, &materials, now, &NoProgress).await?;
    registry::report(store, &numbers, now).await?;
    Ok(Seeded {
        registrations: numbers.len(),
        valid_from,
    })
}
