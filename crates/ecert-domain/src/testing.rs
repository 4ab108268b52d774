//! Fixtures for tests: valid values that a test changes only where it matters.

use jiff::civil::date;

use crate::identifiers::{CreditCode, RegistrationNumber, SealNumber};
use crate::person::{Gender, IdDocument, IdType, PersonName};
use crate::registration::{Registration, RegistrationStatus};

/// A valid registration, in force from 2025-01-01 to 2026-12-31.
pub fn registration() -> Registration {
    Registration {
        number: RegistrationNumber::parse("A20251100001").expect("fixture"),
        name: PersonName::parse("张建国").expect("fixture"),
        gender: Gender::Female,
        birth_date: date(1949, 12, 31),
        id: IdDocument::parse(IdType::resident_card(), "11010519491231002X").expect("fixture"),
        employer_name: "北京市建筑设计研究院有限公司".into(),
        employer_credit_code: CreditCode::parse("91110000600037341L").expect("fixture"),
        seal_number: SealNumber::parse("JZ-11-0001").expect("fixture"),
        valid_from: date(2025, 1, 1),
        valid_until: date(2026, 12, 31),
        issued_on: date(2025, 1, 1),
        status: RegistrationStatus::Valid,
    }
}
