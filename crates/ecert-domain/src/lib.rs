//! ecert's domain rules, free of I/O: every other crate builds on these types.
//!
//! Values from outside (imports, forms, QR payloads) are parsed once into the types of
//! [`identifiers`] and [`person`]; the rules in [`registration`], [`certificate`] and
//! [`endorsement`] then work on values that are known to be valid.

pub mod account;
pub mod calendar;
pub mod certificate;
pub mod endorsement;
pub mod identifiers;
pub mod person;
pub mod record;
pub mod registration;
pub mod standing;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use account::{AccountRuleError, PasswordPolicy, PhoneNumber, Username};
pub use calendar::Day;
pub use certificate::{CertificateVersion, PrintedFields, VersionHistory};
pub use endorsement::{Endorsement, EndorsementCheck, EndorsementRefusal, UsagePeriod};
pub use identifiers::{
    CreditCode, IdNumber, IdentifierError, LicenceId, LicenceTypeCode, RegistrationNumber,
    SealNumber,
};
pub use person::{Gender, IdDocument, IdType, PersonName};
pub use record::{FieldError, RegistrationRecord};
pub use registration::TransitionError;
pub use registration::{Registration, RegistrationEvent, RegistrationStatus};
pub use standing::{IssuedFile, LiveRecord, NotInForce, Standing};
