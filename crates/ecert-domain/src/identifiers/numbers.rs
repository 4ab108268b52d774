//! The registration authority's own numbers: registration number and practice-seal number.

use std::fmt;

use super::IdentifierError;

/// Registration number (注册号) of an architect's registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RegistrationNumber(String);

impl RegistrationNumber {
    /// Parses a registration number: 1 to 32 digits or capital letters. It also serves as the
    /// serial of the licence identifier, which allows only those characters.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        code(text, 32, "").map(Self)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Practice-seal number (执业印章号).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SealNumber(String);

impl SealNumber {
    /// Parses a seal number: 1 to 32 digits, capital letters or hyphens.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        code(text, 32, "-").map(Self)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Accepts 1 to `max` digits and capitals, plus the characters of `extra`.
fn code(text: &str, max: usize, extra: &str) -> Result<String, IdentifierError> {
    let trimmed = text.trim();
    let allowed =
        |b: u8| b.is_ascii_digit() || b.is_ascii_uppercase() || extra.as_bytes().contains(&b);
    if (1..=max).contains(&trimmed.len()) && trimmed.bytes().all(allowed) {
        return Ok(trimmed.to_owned());
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" or \"{extra}\"")
    };
    Err(IdentifierError::new(format!(
        "must be 1 to {max} digits or capital letters{extra}"
    )))
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for SealNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_numbers_are_capitals_and_digits() {
        assert!(RegistrationNumber::parse("A2026110001").is_ok());
        assert!(RegistrationNumber::parse("a1").is_err());
        assert!(RegistrationNumber::parse("").is_err());
        assert!(RegistrationNumber::parse("../etc").is_err());
    }

    #[test]
    fn seal_numbers_may_hold_hyphens() {
        assert_eq!(
            SealNumber::parse(" JZ-11-0001 ").unwrap().as_str(),
            "JZ-11-0001"
        );
        assert!(SealNumber::parse("印章").is_err());
    }
}
