//! Synthetic but valid registrations: for the demo, the benchmarks and the tests.
//!
//! Every value is made up and checks out (ID check digits, credit code check characters,
//! birth dates that match the ID number), so imports accept them as real data.

use ecert_domain::{
    CreditCode, Gender, IdDocument, IdNumber, IdType, PersonName, Registration, RegistrationNumber,
    RegistrationRecord, RegistrationStatus, SealNumber, calendar,
};
use jiff::civil::{Date, date};

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
    let header = crate::import::COLUMNS;
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
