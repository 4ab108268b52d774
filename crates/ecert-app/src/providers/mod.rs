//! Third-party services ecert calls: an SMS gateway and a face-verification service.
//!
//! Each is a trait with a development implementation that says plainly what it does not
//! do, and an HTTP implementation for a real service (the JSON each sends and expects is
//! documented on the type, so a gateway adapter can be written against it).

mod face;
mod http;
mod sms;

pub use face::{DevelopmentFace, FaceCheck, FaceSubject, FaceVerifier, HttpFace};
pub use sms::{DevelopmentSms, HttpSms, SmsProvider};

/// A provider failed or answered something ecert cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("provider: {0}")]
pub struct ProviderError(pub String);

impl ProviderError {
    /// An error with this description (never holding the message sent or personal data).
    pub fn new(description: impl Into<String>) -> Self {
        Self(description.into())
    }
}
