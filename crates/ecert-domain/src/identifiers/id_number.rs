//! Resident identity card number (公民身份号码), GB 11643-1999.

use std::fmt;

use jiff::civil::Date;

use super::IdentifierError;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// An 18-character citizen ID number whose birth date is real and whose check digit is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses an ID number; a lowercase `x` check character is accepted and stored uppercase.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = super::eighteen_characters(text)?;
        let (body, check) = text.split_at(17);
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::new(
                "the first 17 characters must be digits",
            ));
        }
        if birth_date_in(body).is_none() {
            return Err(IdentifierError::new(
                "characters 7 to 14 are not a real birth date",
            ));
        }
        let expected = check_character(body);
        if check != expected.to_string() {
            return Err(IdentifierError::new(format!(
                "check character is {check}, expected {expected}"
            )));
        }
        Ok(Self(text))
    }

    /// Completes 17 digits with their check character and parses the result; for making
    /// valid numbers in demo data and tests.
    pub fn complete(body: &str) -> Result<Self, IdentifierError> {
        if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::new("needs exactly 17 digits to complete"));
        }
        Self::parse(&format!("{body}{}", check_character(body)))
    }

    /// The birth date written in characters 7–14.
    pub fn birth_date(&self) -> Date {
        birth_date_in(&self.0).unwrap_or(Date::MIN)
    }

    /// Whether the sequence digit (the 17th character) is odd, which GB 11643 gives to men.
    pub fn is_odd_sequence(&self) -> bool {
        self.0.as_bytes()[16] % 2 == 1
    }

    /// The number with all but the first and last four characters hidden, for display to
    /// verifiers and in logs of record changes.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The full number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The GB 11643 check character for the first 17 digits.
pub(crate) fn check_character(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

fn birth_date_in(text: &str) -> Option<Date> {
    let digits = text.get(6..14)?;
    let year: i16 = digits[0..4].parse().ok()?;
    let month: i8 = digits[4..6].parse().ok()?;
    let day: i8 = digits[6..8].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Hides the middle of an identifier: `110105********002X`.
pub fn mask(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let keep_front = characters.len().min(6).min(characters.len() / 3);
    let keep_back = 4.min(characters.len().saturating_sub(keep_front) / 2);
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| {
            if index < keep_front || index >= characters.len() - keep_back {
                *character
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_example_from_the_standard_is_accepted() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), jiff::civil::date(1949, 12, 31));
        assert!(!id.is_odd_sequence());
    }

    #[test]
    fn a_lowercase_check_character_is_normalised() {
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn a_wrong_check_character_is_named() {
        let error = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(error.0, "check character is 1, expected X");
    }

    #[test]
    fn an_impossible_birth_date_is_refused() {
        let body = "11010519490230002";
        let id = format!("{body}{}", check_character(body));
        assert!(IdNumber::parse(&id).unwrap_err().0.contains("birth date"));
    }

    #[test]
    fn a_short_number_is_refused_with_its_length() {
        assert_eq!(
            IdNumber::parse("12345").unwrap_err().0,
            "must be 18 characters, found 5"
        );
    }

    #[test]
    fn masking_keeps_the_region_and_the_last_four() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    proptest! {
        #[test]
        fn numbers_with_their_check_character_parse_and_any_other_check_fails(
            region in 110_000u32..660_000,
            days in 0i32..36_000,
            sequence in 0u32..1000,
            wrong in 0usize..11,
        ) {
            let birth = jiff::civil::date(1920, 1, 1)
                .checked_add(jiff::Span::new().days(days))
                .unwrap();
            let body = format!("{region}{}{sequence:03}", birth.strftime("%Y%m%d"));
            let check = check_character(&body);
            prop_assert!(IdNumber::parse(&(body.clone() + &check.to_string())).is_ok());
            let other = CHECK_CHARACTERS[wrong];
            prop_assume!(other != check);
            prop_assert!(IdNumber::parse(&(body + &other.to_string())).is_err());
        }
    }
}
