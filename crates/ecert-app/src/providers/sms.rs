//! Sending text messages (the phone-binding code).

use ecert_domain::PhoneNumber;
use serde::Serialize;

use super::ProviderError;
use super::http::HttpEndpoint;

/// Sends a text message. Called from a blocking task: implementations may block.
pub trait SmsProvider: Send + Sync {
    /// Sends `message` to `to`.
    fn send(&self, to: &PhoneNumber, message: &str) -> Result<(), ProviderError>;
}

/// For development: writes the message, code included, to the log instead of sending it.
/// Never configure it where real holders sign in.
#[derive(Debug, Default, Clone, Copy)]
pub struct DevelopmentSms;

impl SmsProvider for DevelopmentSms {
    fn send(&self, to: &PhoneNumber, message: &str) -> Result<(), ProviderError> {
        tracing::warn!(
            to = %to.masked(),
            message,
            "development SMS provider: message logged, not sent"
        );
        Ok(())
    }
}

/// Sends through an HTTP gateway: `POST <url>` with `{"phone": "13800138000", "message":
/// "…"}` and, when configured, `Authorization: Bearer <token>`; any 2xx answer is success.
#[derive(Debug, Clone)]
pub struct HttpSms {
    endpoint: HttpEndpoint,
}

#[derive(Serialize)]
struct SmsRequest<'a> {
    phone: &'a str,
    message: &'a str,
}

impl HttpSms {
    /// A gateway at `url`, authenticated with `token` when given.
    pub fn new(url: &str, token: Option<String>) -> Self {
        Self {
            endpoint: HttpEndpoint::new(url, token),
        }
    }
}

impl SmsProvider for HttpSms {
    fn send(&self, to: &PhoneNumber, message: &str) -> Result<(), ProviderError> {
        let request = SmsRequest {
            phone: to.as_str(),
            message,
        };
        self.endpoint.post::<_, serde_json::Value>(&request)?;
        Ok(())
    }
}
