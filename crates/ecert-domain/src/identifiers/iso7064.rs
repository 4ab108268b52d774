//! ISO/IEC 7064 hybrid system MOD 37,36 over the digits and capital letters, as GB/T 36904
//! uses for the check character of a licence identifier.

const MODULUS: u32 = 36;

/// The value of an alphanumeric character: `0`–`9` are 0–9, `A`–`Z` are 10–35.
fn value(character: char) -> Option<u32> {
    character.to_digit(36)
}

/// The check character for `payload`, or `None` if it holds a character outside `0-9A-Z`.
pub(crate) fn check_character(payload: &str) -> Option<char> {
    let mut product = MODULUS;
    for character in payload.chars() {
        if character.is_ascii_lowercase() {
            return None;
        }
        let mut sum = (product + value(character)?) % MODULUS;
        if sum == 0 {
            sum = MODULUS;
        }
        product = (sum * 2) % (MODULUS + 1);
    }
    let check = (MODULUS + 1 - product) % MODULUS;
    char::from_digit(check, 36).map(|c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Verification per ISO 7064: running the same recurrence over payload + check ends at 1.
    fn verifies(text: &str) -> bool {
        let mut product = MODULUS;
        let characters: Vec<char> = text.chars().collect();
        let (last, body) = characters.split_last().unwrap();
        for character in body {
            let mut sum = (product + value(*character).unwrap()) % MODULUS;
            if sum == 0 {
                sum = MODULUS;
            }
            product = (sum * 2) % (MODULUS + 1);
        }
        (product + value(*last).unwrap()) % MODULUS == 1
    }

    #[test]
    fn the_standard_example_gets_its_published_check_character() {
        // A worked example for MOD 37,36 that python-stdnum's mod_37_36 also gives.
        assert_eq!(check_character("A12425GABC1234002"), Some('M'));
    }

    #[test]
    fn lowercase_and_punctuation_have_no_check_character() {
        assert_eq!(check_character("abc"), None);
        assert_eq!(check_character("1.2"), None);
    }

    proptest! {
        #[test]
        fn every_computed_check_character_verifies(payload in "[0-9A-Z]{1,60}") {
            let check = check_character(&payload).unwrap();
            prop_assert!(verifies(&(payload + &check.to_string())));
        }

        #[test]
        fn any_single_substitution_is_detected(
            payload in "[0-9A-Z]{2,40}",
            position in any::<prop::sample::Index>(),
            replacement in "[0-9A-Z]",
        ) {
            let index = position.index(payload.len());
            let original = &payload[index..=index];
            prop_assume!(original != replacement);
            let mut altered = payload.clone();
            altered.replace_range(index..=index, &replacement);
            prop_assert_ne!(check_character(&payload), check_character(&altered));
        }
    }
}
