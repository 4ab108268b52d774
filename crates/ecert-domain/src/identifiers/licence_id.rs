//! Licence identifier (电子证照标识) in the GB/T 36904 form.

use std::fmt;
use std::str::FromStr;

use super::{CreditCode, IdentifierError, iso7064};

/// The fixed object-identifier arc under which Chinese e-licences are identified.
const PREFIX: &str = "1.2.156.3005.2";

/// The licence type code (证照类型代码) assigned to a kind of certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LicenceTypeCode(String);

impl LicenceTypeCode {
    /// Parses a type code: 1 to 32 digits or capital letters.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        alphanumeric(text, "type code").map(Self)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A licence identifier: `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>`, where
/// the check character is ISO 7064 MOD 37,36 over type, issuer, serial and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LicenceId {
    type_code: LicenceTypeCode,
    issuer: CreditCode,
    serial: String,
    version: u16,
}

impl LicenceId {
    /// Builds the identifier of one certificate version; the serial must be 1 to 32 digits or
    /// capitals and the version 1 to 999.
    pub fn new(
        type_code: LicenceTypeCode,
        issuer: CreditCode,
        serial: &str,
        version: u16,
    ) -> Result<Self, IdentifierError> {
        if !(1..=999).contains(&version) {
            return Err(IdentifierError::new(format!(
                "version {version} is outside 1 to 999"
            )));
        }
        let serial = alphanumeric(serial, "serial")?;
        Ok(Self {
            type_code,
            issuer,
            serial,
            version,
        })
    }

    /// Parses a written identifier and refuses a wrong check character.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let rest = text
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.strip_prefix('.'))
            .ok_or_else(|| IdentifierError::new(format!("must start with {PREFIX}.")))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(IdentifierError::new(
                "must have type code, issuer, serial, version and check character",
            ));
        };
        let issuer = CreditCode::parse(issuer)
            .map_err(|error| IdentifierError::new(format!("issuer: {error}")))?;
        if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::new("version must be three digits"));
        }
        let version = version.parse().unwrap_or(0);
        let id = Self::new(LicenceTypeCode::parse(type_code)?, issuer, serial, version)?;
        let expected = id.check_character();
        if check != expected.to_string() {
            return Err(IdentifierError::new(format!(
                "check character is {check}, expected {expected}"
            )));
        }
        Ok(id)
    }

    /// The certificate version this identifier names.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The serial shared by every version of one certificate.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    fn check_character(&self) -> char {
        let payload = format!(
            "{}{}{}{:03}",
            self.type_code.as_str(),
            self.issuer.as_str(),
            self.serial,
            self.version
        );
        // Every part was checked to be 0-9A-Z, so the check always exists.
        iso7064::check_character(&payload).unwrap_or('0')
    }
}

impl fmt::Display for LicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}.{}.{}.{}.{:03}.{}",
            self.type_code.as_str(),
            self.issuer,
            self.serial,
            self.version,
            self.check_character()
        )
    }
}

impl FromStr for LicenceId {
    type Err = IdentifierError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

fn alphanumeric(text: &str, what: &str) -> Result<String, IdentifierError> {
    let valid = (1..=32).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if valid {
        Ok(text.to_owned())
    } else {
        Err(IdentifierError::new(format!(
            "{what} must be 1 to 32 digits or capital letters"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(serial: &str, version: u16) -> LicenceId {
        LicenceId::new(
            LicenceTypeCode::parse("11100000000013127D019").unwrap(),
            CreditCode::parse("91110000600037341L").unwrap(),
            serial,
            version,
        )
        .unwrap()
    }

    #[test]
    fn the_written_form_has_every_part_in_order() {
        let id = sample("A20261234", 1).to_string();
        assert!(
            id.starts_with(
                "1.2.156.3005.2.11100000000013127D019.91110000600037341L.A20261234.001."
            )
        );
        assert_eq!(LicenceId::parse(&id).unwrap(), sample("A20261234", 1));
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        let id = sample("A20261234", 2).to_string();
        let (body, check) = id.split_at(id.len() - 1);
        let wrong = if check == "0" { "1" } else { "0" };
        let error = LicenceId::parse(&format!("{body}{wrong}")).unwrap_err();
        assert!(error.0.starts_with("check character is"), "{error}");
    }

    #[test]
    fn a_foreign_prefix_is_refused() {
        assert!(
            LicenceId::parse("1.2.3.4")
                .unwrap_err()
                .0
                .contains("must start with")
        );
    }

    proptest! {
        #[test]
        fn every_identifier_reads_back_as_itself(
            serial in "[0-9A-Z]{1,32}",
            version in 1u16..=999,
        ) {
            let id = sample(&serial, version);
            prop_assert_eq!(LicenceId::parse(&id.to_string()).unwrap(), id);
        }

        #[test]
        fn a_new_version_changes_the_check_or_the_version_digits(
            serial in "[0-9A-Z]{1,32}",
            version in 1u16..999,
        ) {
            let (this, next) = (sample(&serial, version), sample(&serial, version + 1));
            prop_assert_ne!(this.to_string(), next.to_string());
        }
    }
}
