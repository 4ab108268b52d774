//! The person on a certificate: name, gender and identity document.

use std::fmt;

use crate::identifiers::{IdNumber, IdentifierError};

/// Longest name accepted, in characters; long transliterated names fit, and the certificate
/// layout is proven not to overlap at this length.
pub const NAME_MAX_CHARS: usize = 32;

/// A person's name as printed on the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a name: 1 to 32 characters after trimming, without control characters. Markup
    /// characters are allowed: every output escapes them.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        printable(text, NAME_MAX_CHARS).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks free text that will be printed: trimmed, 1 to `max` characters, no control
/// characters (line breaks would break the layout and the CSV round trip).
pub(crate) fn printable(text: &str, max: usize) -> Result<String, IdentifierError> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count == 0 {
        return Err(IdentifierError::new("must not be empty"));
    }
    if count > max {
        return Err(IdentifierError::new(format!(
            "must be at most {max} characters, found {count}"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(IdentifierError::new("must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Gender (性别) per GB/T 2261.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Gender {
    /// 男, code 1.
    Male,
    /// 女, code 2.
    Female,
}

impl Gender {
    /// Parses `男`/`女`, the codes `1`/`2`, or `M`/`F`.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        match text.trim() {
            "男" | "1" | "M" | "m" => Ok(Self::Male),
            "女" | "2" | "F" | "f" => Ok(Self::Female),
            other => Err(IdentifierError::new(format!(
                "\"{other}\" is not a gender (男, 女, 1 or 2)"
            ))),
        }
    }

    /// The GB/T 2261.1 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "1",
            Self::Female => "2",
        }
    }

    /// The printed word.
    pub fn chinese(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Identity document type code of the national e-licence exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct IdType(String);

impl IdType {
    /// 居民身份证, the resident identity card: the only type whose number ecert can check.
    pub const RESIDENT_CARD: &'static str = "111";

    /// Parses a type code: one to three digits.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = text.trim();
        if (1..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(IdentifierError::new(format!(
                "\"{text}\" is not an ID type code (such as 111)"
            )))
        }
    }

    /// The resident identity card type.
    pub fn resident_card() -> Self {
        Self(Self::RESIDENT_CARD.to_owned())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An identity document: a checked citizen ID number, or another document kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct IdDocument {
    id_type: IdType,
    number: String,
}

impl IdDocument {
    /// Parses the number according to its type: GB 11643 for type 111, otherwise 1 to 32
    /// printable characters.
    pub fn parse(id_type: IdType, number: &str) -> Result<Self, IdentifierError> {
        let number = if id_type.as_str() == IdType::RESIDENT_CARD {
            IdNumber::parse(number)?.as_str().to_owned()
        } else {
            printable(number, 32)?
        };
        Ok(Self { id_type, number })
    }

    /// The document type.
    pub fn id_type(&self) -> &IdType {
        &self.id_type
    }

    /// The full number.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The citizen ID number, for documents of type 111.
    pub fn citizen_number(&self) -> Option<IdNumber> {
        (self.id_type.as_str() == IdType::RESIDENT_CARD)
            .then(|| IdNumber::parse(&self.number).ok())
            .flatten()
    }

    /// The number with its middle hidden, as verifiers see it.
    pub fn masked(&self) -> String {
        crate::identifiers::mask(&self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_markup_and_rare_characters_but_not_control_characters() {
        assert_eq!(PersonName::parse(" 王𠇔 ").unwrap().as_str(), "王𠇔");
        assert!(PersonName::parse("<b>\"]]>").is_ok());
        assert!(PersonName::parse("张\n三").is_err());
        assert!(PersonName::parse("   ").is_err());
    }

    #[test]
    fn an_overlong_name_is_refused_with_its_length() {
        let error = PersonName::parse(&"龑".repeat(33)).unwrap_err();
        assert_eq!(error.0, "must be at most 32 characters, found 33");
    }

    #[test]
    fn other_id_types_are_kept_as_given() {
        let passport = IdDocument::parse(IdType::parse("414").unwrap(), "E12345678").unwrap();
        assert_eq!(passport.number(), "E12345678");
        assert!(passport.citizen_number().is_none());
    }

    #[test]
    fn resident_cards_are_checked() {
        assert!(IdDocument::parse(IdType::resident_card(), "110105194912310021").is_err());
    }

    #[test]
    fn genders_read_words_and_codes() {
        assert_eq!(Gender::parse("女").unwrap(), Gender::Female);
        assert_eq!(Gender::parse("1").unwrap(), Gender::Male);
        assert!(Gender::parse("X").is_err());
    }
}
