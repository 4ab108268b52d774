//! Unified social credit code (统一社会信用代码), GB 32100-2015.

use std::fmt;

use super::IdentifierError;

/// The 31 characters of the code, in value order; I, O, S, V and Z are never used.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character unified social credit code with a correct check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a credit code, accepting lowercase input.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = super::eighteen_characters(text)?;
        if let Some(bad) = text.chars().find(|c| value(*c).is_none()) {
            return Err(IdentifierError::new(format!(
                "\"{bad}\" is not allowed (digits and capitals except I, O, S, V, Z)"
            )));
        }
        let (body, check) = text.split_at(17);
        let expected = check_character(body).unwrap_or('?');
        if check != expected.to_string() {
            return Err(IdentifierError::new(format!(
                "check character is {check}, expected {expected}"
            )));
        }
        Ok(Self(text))
    }

    /// Completes 17 characters with their check character; for demo data and tests.
    pub fn complete(body: &str) -> Result<Self, IdentifierError> {
        let check = check_character(body)
            .filter(|_| body.len() == 17)
            .ok_or_else(|| IdentifierError::new("needs 17 characters of the code's alphabet"))?;
        Self::parse(&format!("{body}{check}"))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn value(character: char) -> Option<u32> {
    let byte = u8::try_from(character).ok()?;
    ALPHABET
        .iter()
        .position(|c| *c == byte)
        .and_then(|index| u32::try_from(index).ok())
}

/// The check character for the first 17 characters, or `None` if one is outside the alphabet.
pub(crate) fn check_character(body: &str) -> Option<char> {
    let mut sum = 0;
    for (character, weight) in body.chars().zip(WEIGHTS) {
        sum += value(character)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[check as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_published_code_is_accepted() {
        // Check character confirmed with python-stdnum's cn.uscc.
        assert!(CreditCode::parse("91110000600037341L").is_ok());
    }

    #[test]
    fn a_wrong_check_character_is_named() {
        let error = CreditCode::parse("91110000600037341M").unwrap_err();
        assert_eq!(error.0, "check character is M, expected L");
    }

    #[test]
    fn letters_outside_the_alphabet_are_named() {
        let error = CreditCode::parse("9111000060003734IL").unwrap_err();
        assert!(error.0.starts_with("\"I\" is not allowed"));
    }

    proptest! {
        #[test]
        fn generated_codes_parse_and_a_changed_character_fails(
            body in "[0-9ABCDEFGHJKLMNPQRTUWXY]{17}",
            position in 0usize..17,
            replacement in "[0-9ABCDEFGHJKLMNPQRTUWXY]",
        ) {
            let code = format!("{body}{}", check_character(&body).unwrap());
            prop_assert!(CreditCode::parse(&code).is_ok());
            prop_assume!(body[position..=position] != replacement);
            let mut altered = body.clone();
            altered.replace_range(position..=position, &replacement);
            let altered = format!("{altered}{}", &code[17..]);
            prop_assert!(CreditCode::parse(&altered).is_err());
        }
    }
}
