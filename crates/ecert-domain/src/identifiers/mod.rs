//! Identifiers parsed once and checked: ID numbers, credit codes, licence identifiers and the
//! authority's own numbers.

mod credit_code;
mod id_number;
mod iso7064;
mod licence_id;
mod numbers;

pub use id_number::mask;

pub use credit_code::CreditCode;
pub use id_number::IdNumber;
pub use licence_id::{LicenceId, LicenceTypeCode};
pub use numbers::{RegistrationNumber, SealNumber};

/// Why a piece of text is not a valid identifier, in words a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdentifierError(pub String);

impl IdentifierError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Trims and upper-cases an 18-character code (ID number, credit code), or says how long it is.
fn eighteen_characters(text: &str) -> Result<String, IdentifierError> {
    let text = text.trim().to_ascii_uppercase();
    let count = text.chars().count();
    if count == 18 {
        Ok(text)
    } else {
        Err(IdentifierError::new(format!(
            "must be 18 characters, found {count}"
        )))
    }
}
