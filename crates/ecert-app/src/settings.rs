//! Who issues the certificates: printed on every file and part of every licence identifier.

use ecert_domain::identifiers::IdentifierError;
use ecert_domain::{CreditCode, LicenceId, LicenceTypeCode, RegistrationNumber};

/// The issuing authority's name and codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerSettings {
    /// 发证机关, as printed.
    pub authority_name: String,
    /// The issuer's unified social credit code, part of every licence identifier.
    pub issuer_code: CreditCode,
    /// The licence type code of the Class-1 Registered Architect certificate.
    pub type_code: LicenceTypeCode,
}

impl IssuerSettings {
    /// Settings from configured text, each checked.
    pub fn parse(
        authority_name: &str,
        issuer_code: &str,
        type_code: &str,
    ) -> Result<Self, IdentifierError> {
        Ok(Self {
            authority_name: authority_name.trim().to_owned(),
            issuer_code: CreditCode::parse(issuer_code)
                .map_err(|e| IdentifierError(format!("issuer code: {e}")))?,
            type_code: LicenceTypeCode::parse(type_code)
                .map_err(|e| IdentifierError(format!("licence type code: {e}")))?,
        })
    }

    /// Development defaults. The codes are well-formed but not the authority's real ones:
    /// a deployment sets its own.
    pub fn development() -> Self {
        Self::parse(
            "中华人民共和国住房和城乡建设部",
            &CreditCode::complete("11100000000012345")
                .map(|c| c.to_string())
                .unwrap_or_default(),
            "ZCJZS01",
        )
        .expect("the development settings are well-formed")
    }

    /// The licence identifier of `version` of the certificate of `number`.
    pub fn licence_id(
        &self,
        number: &RegistrationNumber,
        version: u16,
    ) -> Result<LicenceId, IdentifierError> {
        LicenceId::new(
            self.type_code.clone(),
            self.issuer_code.clone(),
            number.as_str(),
            version,
        )
    }
}
