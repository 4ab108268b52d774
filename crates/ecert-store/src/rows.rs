//! Conversions between domain values and the portable column types (text, i64).

use ecert_domain::calendar::{self, Day};
use ecert_domain::{Registration, RegistrationRecord};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::StoreError;

/// A value bound to a `$N` parameter; the `Any` driver needs the type known at bind time.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

impl Param {
    pub(crate) fn bind(
        self,
        query: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
        match self {
            Self::Text(value) => query.bind(value),
            Self::OptText(value) => query.bind(value),
            Self::Int(value) => query.bind(value),
        }
    }
}

/// `($1, $2, ...), ($n+1, ...)`: placeholders for `rows` rows of `columns` values.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let cells: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn millis(moment: Timestamp) -> i64 {
    moment.as_millisecond()
}

pub(crate) fn moment(millis: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(millis).map_err(|error| StoreError::corrupt("timestamp", error))
}

pub(crate) fn day(text: &str) -> Result<Day, StoreError> {
    calendar::parse_day(text).map_err(|error| StoreError::corrupt("day", error))
}

/// The columns of `registrations` that hold the record, in insert order: the import
/// format's fields but the status, which has columns of its own.
pub(crate) const REGISTRATION_COLUMNS: &[&str] = ecert_domain::record::FIELDS.split_at(12).0;

/// The record's values for [`REGISTRATION_COLUMNS`] followed by `status`.
pub(crate) fn registration_params(registration: &Registration) -> Vec<Param> {
    let record = RegistrationRecord::of(registration);
    let texts = [
        record.registration_number,
        record.name,
        registration.gender.code().to_owned(),
        record.birth_date,
        record.id_type.unwrap_or_default(),
        record.id_number,
        record.employer_name,
        record.employer_credit_code,
        record.seal_number,
        record.valid_from,
        record.valid_until,
        record.issued_on,
        record.status.unwrap_or_default(),
    ];
    texts.into_iter().map(Param::Text).collect()
}

/// Reads a registration back, checking it as strictly as an import does: a row that no
/// longer parses was changed outside ecert and is reported, not used.
pub(crate) fn registration(row: &AnyRow) -> Result<Registration, StoreError> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let record = RegistrationRecord {
        registration_number: text("registration_number")?,
        name: text("name")?,
        gender: text("gender")?,
        birth_date: text("birth_date")?,
        id_type: Some(text("id_type")?),
        id_number: text("id_number")?,
        employer_name: text("employer_name")?,
        employer_credit_code: text("employer_credit_code")?,
        seal_number: text("seal_number")?,
        valid_from: text("valid_from")?,
        valid_until: text("valid_until")?,
        issued_on: text("issued_on")?,
        status: Some(text("status")?),
    };
    record.parse().map_err(|problems| {
        let detail: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.problem))
            .collect();
        StoreError::corrupt("registration", detail.join("; "))
    })
}
