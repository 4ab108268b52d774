//! A registration record as the authority sends it, checked field by field.

use serde::Deserialize;

use crate::calendar::{self, Day};
use crate::identifiers::{CreditCode, IdentifierError, RegistrationNumber, SealNumber};
use crate::person::{self, Gender, IdDocument, IdType, PersonName};
use crate::registration::{Registration, RegistrationStatus};

/// Longest employer name accepted; the certificate layout wraps names up to this length.
pub const EMPLOYER_MAX_CHARS: usize = 64;

/// The fields of the import format, in their documented order.
pub const FIELDS: [&str; 13] = [
    "registration_number",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "employer_name",
    "employer_credit_code",
    "seal_number",
    "valid_from",
    "valid_until",
    "issued_on",
    "status",
];

/// One record of the authority's export, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRecord {
    /// 注册号.
    pub registration_number: String,
    /// 姓名.
    pub name: String,
    /// 性别: 男, 女, 1 or 2.
    pub gender: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// ID type code; 111 when empty.
    #[serde(default)]
    pub id_type: Option<String>,
    /// ID number.
    pub id_number: String,
    /// 聘用单位.
    pub employer_name: String,
    /// The employer's unified social credit code.
    pub employer_credit_code: String,
    /// 执业印章号.
    pub seal_number: String,
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD.
    pub valid_until: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    /// Status code; 01 when empty.
    #[serde(default)]
    pub status: Option<String>,
}

/// A problem with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the import format.
    pub field: &'static str,
    /// What is wrong, in words a clerk can act on.
    pub problem: String,
}

/// Collects field problems while a record is checked.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn check<T, E: ToString>(&mut self, field: &'static str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|error| self.add(field, error.to_string()))
            .ok()
    }

    fn add(&mut self, field: &'static str, problem: impl Into<String>) {
        self.0.push(FieldError {
            field,
            problem: problem.into(),
        });
    }
}

impl RegistrationRecord {
    /// Checks every field and the rules between fields, and returns the registration or every
    /// problem found.
    pub fn parse(&self) -> Result<Registration, Vec<FieldError>> {
        let mut problems = Problems::default();
        let number = problems.check(
            "registration_number",
            RegistrationNumber::parse(&self.registration_number),
        );
        let name = problems.check("name", PersonName::parse(&self.name));
        let gender = problems.check("gender", Gender::parse(&self.gender));
        let birth_date = problems.check("birth_date", calendar::parse_day(&self.birth_date));
        let id = self.id_document(&mut problems);
        let employer_name = problems.check(
            "employer_name",
            person::printable(&self.employer_name, EMPLOYER_MAX_CHARS),
        );
        let employer_credit_code = problems.check(
            "employer_credit_code",
            CreditCode::parse(&self.employer_credit_code),
        );
        let seal_number = problems.check("seal_number", SealNumber::parse(&self.seal_number));
        let valid_from = problems.check("valid_from", calendar::parse_day(&self.valid_from));
        let valid_until = problems.check("valid_until", calendar::parse_day(&self.valid_until));
        let issued_on = problems.check("issued_on", calendar::parse_day(&self.issued_on));
        let status = problems.check(
            "status",
            RegistrationStatus::parse(non_empty(self.status.as_deref(), "01")),
        );

        cross_checks(
            &mut problems,
            id.as_ref(),
            gender,
            birth_date,
            valid_from,
            valid_until,
        );
        // Every field is checked before any is used, so that all problems are reported.
        let registration = (|| {
            Some(Registration {
                number: number?,
                name: name?,
                gender: gender?,
                birth_date: birth_date?,
                id: id?,
                employer_name: employer_name?,
                employer_credit_code: employer_credit_code?,
                seal_number: seal_number?,
                valid_from: valid_from?,
                valid_until: valid_until?,
                issued_on: issued_on?,
                status: status?,
            })
        })();
        match registration {
            Some(registration) if problems.0.is_empty() => Ok(registration),
            _ => Err(problems.0),
        }
    }

    /// The record that writes `registration` back out, for exports and round-trip tests.
    pub fn of(registration: &Registration) -> Self {
        Self {
            registration_number: registration.number.as_str().to_owned(),
            name: registration.name.as_str().to_owned(),
            gender: registration.gender.chinese().to_owned(),
            birth_date: registration.birth_date.to_string(),
            id_type: Some(registration.id.id_type().as_str().to_owned()),
            id_number: registration.id.number().to_owned(),
            employer_name: registration.employer_name.clone(),
            employer_credit_code: registration.employer_credit_code.as_str().to_owned(),
            seal_number: registration.seal_number.as_str().to_owned(),
            valid_from: registration.valid_from.to_string(),
            valid_until: registration.valid_until.to_string(),
            issued_on: registration.issued_on.to_string(),
            status: Some(registration.status.to_code_text()),
        }
    }

    fn id_document(&self, problems: &mut Problems) -> Option<IdDocument> {
        let id_type = problems.check(
            "id_type",
            IdType::parse(non_empty(self.id_type.as_deref(), IdType::RESIDENT_CARD)),
        )?;
        problems.check("id_number", IdDocument::parse(id_type, &self.id_number))
    }
}

fn non_empty<'a>(value: Option<&'a str>, default: &'a str) -> &'a str {
    match value.map(str::trim) {
        Some(text) if !text.is_empty() => text,
        _ => default,
    }
}

/// Rules between fields: a citizen ID number encodes the birth date and the gender, and a
/// validity must not end before it starts.
fn cross_checks(
    problems: &mut Problems,
    id: Option<&IdDocument>,
    gender: Option<Gender>,
    birth_date: Option<Day>,
    valid_from: Option<Day>,
    valid_until: Option<Day>,
) {
    if let Some(citizen) = id.and_then(IdDocument::citizen_number) {
        if birth_date.is_some_and(|day| day != citizen.birth_date()) {
            problems.add(
                "birth_date",
                format!(
                    "does not match the ID number, which gives {}",
                    citizen.birth_date()
                ),
            );
        }
        let id_gender = if citizen.is_odd_sequence() {
            Gender::Male
        } else {
            Gender::Female
        };
        if gender.is_some_and(|g| g != id_gender) {
            problems.add(
                "gender",
                format!(
                    "does not match the ID number, which gives {}",
                    id_gender.chinese()
                ),
            );
        }
    }
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && until < from
    {
        problems.add(
            "valid_until",
            format!("{until} is before valid_from {from}"),
        );
    }
}

impl From<IdentifierError> for FieldError {
    fn from(error: IdentifierError) -> Self {
        Self {
            field: "record",
            problem: error.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::registration;

    fn good() -> RegistrationRecord {
        RegistrationRecord::of(&registration())
    }

    #[test]
    fn a_good_record_parses_into_the_registration_it_came_from() {
        assert_eq!(good().parse().unwrap(), registration());
    }

    #[test]
    fn empty_optional_fields_take_their_defaults() {
        let record = RegistrationRecord {
            id_type: Some(String::new()),
            status: None,
            ..good()
        };
        let parsed = record.parse().unwrap();
        assert_eq!(parsed.id.id_type().as_str(), "111");
        assert_eq!(parsed.status, RegistrationStatus::Valid);
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let record = RegistrationRecord {
            registration_number: "a-1".into(),
            employer_credit_code: "91110000600037341M".into(),
            valid_until: "2026-13-01".into(),
            ..good()
        };
        let fields: Vec<_> = record
            .parse()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["registration_number", "employer_credit_code", "valid_until"]
        );
    }

    #[test]
    fn a_birth_date_that_disagrees_with_the_id_number_is_refused() {
        let record = RegistrationRecord {
            birth_date: "1950-01-01".into(),
            ..good()
        };
        let problems = record.parse().unwrap_err();
        assert_eq!(problems[0].field, "birth_date");
        assert_eq!(
            problems[0].problem,
            "does not match the ID number, which gives 1949-12-31"
        );
    }

    #[test]
    fn a_gender_that_disagrees_with_the_id_number_is_refused() {
        let record = RegistrationRecord {
            gender: "男".into(),
            ..good()
        };
        assert_eq!(record.parse().unwrap_err()[0].field, "gender");
    }

    #[test]
    fn a_validity_that_ends_before_it_starts_is_refused() {
        let record = RegistrationRecord {
            valid_until: "2024-12-31".into(),
            ..good()
        };
        assert_eq!(
            record.parse().unwrap_err()[0].problem,
            "2024-12-31 is before valid_from 2025-01-01"
        );
    }

    #[test]
    fn other_documents_skip_the_id_number_rules() {
        let record = RegistrationRecord {
            id_type: Some("414".into()),
            id_number: "E12345678".into(),
            gender: "男".into(),
            ..good()
        };
        assert!(record.parse().is_ok());
    }
}
